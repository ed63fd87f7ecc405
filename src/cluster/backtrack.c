/*
 * backtrack.c - Aurora MySQL Backtrack: the cluster rewound in place to an
 * earlier time, for real (issue 15).
 *
 * AWS keeps change records for the cluster's target backtrack window (at
 * most 72 hours) and rewinds the volume by undoing them. rdsim keeps the
 * writer's tick changesets (the same ones replication ships) from the
 * earliest point a scenario's backtrack rewinds to until its last backtrack,
 * and nothing when there is none: the window is implied by the events, no
 * cluster key is needed. The log is bounded by the 72-hour window (older
 * records are dropped) and, with snapshots and the point-in-time log, by
 * the backup memory limit (RDSIM_SNAPSHOT_MEMORY_MAX: past it the run fails).
 *
 * The rewind undoes the records after `to`, newest first, on the writer's
 * SQLite data (rdsim_db_revert: each changeset's inverse), so its cost
 * grows with the writes undone, not with the data. A flush at `to` itself
 * makes the point fall between two records. The replicas share the volume:
 * each becomes a copy of the rewound writer. The acknowledged writes the
 * rewound data lacks are counted from it, as at a change of writer, and
 * the clients continue from its rows: they are `discarded_writes`, and lost
 * writes of the run too.
 *
 * While it rewinds, the cluster is paused: every instance refuses
 * connections and drops what it was doing, a writer-downtime episode of
 * cause "backtrack", for a modelled duration (params.h).
 *
 * Not modelled: backtracking forward again (the loader refuses a point
 * before an earlier backtrack), the actual window shrinking under a heavy
 * write load, the binlog and clone restrictions.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

#define WINDOW ((rdsim_time_t)72 * 3600 * RDSIM_S)

struct record {
    struct rdsim_changeset cs; /* our malloc'd copy */
    rdsim_time_t commit;       /* its tick's flush */
};

struct backtrack {
    struct record *log;
    size_t head, n, cap;     /* live records are log[head..n) */
    rdsim_time_t keep_after; /* records committed by then are never undone */
    struct rdsim_backtrack_info *bts;
    size_t n_bts, cap_bts;
};

int backtrack_init(struct rdsim_cluster *c, struct rdsim_err *err)
{
    struct backtrack *b;
    size_t n = 0;

    for (size_t e = 0; e < c->sc->n_events; e++)
        n += c->sc->events[e].action == RDSIM_ACT_BACKTRACK;
    if (n == 0)
        return 0;
    if (!(b = calloc(1, sizeof(*b))) || !(b->bts = calloc(n, sizeof(*b->bts)))) {
        free(b);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    b->cap_bts = n;
    b->keep_after = RDSIM_TIME_MAX;
    c->backtrack = b;
    return 0;
}

/* The earliest point a backtrack still to come rewinds to. */
static rdsim_time_t earliest_point(const struct rdsim_cluster *c, rdsim_time_t after)
{
    rdsim_time_t t = RDSIM_TIME_MAX;

    for (size_t e = 0; e < c->sc->n_events; e++) {
        const struct rdsim_event_cfg *ev = &c->sc->events[e];
        if (ev->action == RDSIM_ACT_BACKTRACK && ev->at >= after && ev->to < t)
            t = ev->to;
    }
    return t;
}

/* A backtrack point: what the writer committed so far is one record, the
 * writes after it the next ones. */
static void point_flush(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;
    (void)arg;

    /* As a tick: a writer that is down ships nothing. */
    if (instance_reachable(c, c->writer) && !c->inst[c->writer].starting)
        repl_ship(c, false);
}

int backtrack_start(struct rdsim_cluster *c, struct rdsim_err *err)
{
    if (!c->backtrack)
        return 0;
    c->backtrack->keep_after = earliest_point(c, 0);
    for (size_t e = 0; e < c->sc->n_events; e++)
        if (c->sc->events[e].action == RDSIM_ACT_BACKTRACK &&
            !rdsim_sim_schedule(c->sim, c->sc->events[e].to, point_flush, c, 0))
            return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    return 0;
}

static void drop_oldest(struct rdsim_cluster *c)
{
    struct backtrack *b = c->backtrack;

    backup_charge(c, -(int64_t)b->log[b->head].cs.len, "backtrack", NULL);
    free(b->log[b->head].cs.data);
    b->head++;
}

/* Drop the records no backtrack to come can undo: committed by its
 * earliest point, or older than the 72-hour window. */
static void trim(struct rdsim_cluster *c, rdsim_time_t now)
{
    struct backtrack *b = c->backtrack;

    while (b->head < b->n && (b->log[b->head].commit <= b->keep_after ||
                              b->log[b->head].commit < now - WINDOW))
        drop_oldest(c);
    if (b->head > 0 && b->head >= b->n / 2) {
        memmove(b->log, b->log + b->head, (b->n - b->head) * sizeof(*b->log));
        b->n -= b->head;
        b->head = 0;
    }
}

void backtrack_log(struct rdsim_cluster *c, const struct rdsim_changeset *cs,
                   rdsim_time_t t)
{
    struct backtrack *b = c->backtrack;
    struct record *r;
    struct rdsim_err err;

    if (!b || t <= b->keep_after)
        return;
    trim(c, t);
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        void *p = realloc(b->log, cap * sizeof(*b->log));
        if (!p) {
            rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
            return;
        }
        b->log = p;
        b->cap = cap;
    }
    r = &b->log[b->n];
    r->cs = *cs;
    r->commit = t;
    if (!(r->cs.data = malloc(cs->len))) {
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
        return;
    }
    memcpy(r->cs.data, cs->data, cs->len);
    b->n++;
    if (backup_charge(c, (int64_t)cs->len, "backtrack change records", &err) != 0)
        rdsim_sim_fail(c->sim, &err);
}

void backtrack_free(struct rdsim_cluster *c)
{
    struct backtrack *b = c->backtrack;

    if (!b)
        return;
    for (size_t k = b->head; k < b->n; k++)
        free(b->log[k].cs.data);
    free(b->log);
    free(b->bts);
    free(b);
    c->backtrack = NULL;
}

/* Undo the records after `to` on the writer, newest first, and forget
 * them. Returns the writes undone, or -1 after failing the run. */
static int64_t rewind_writer(struct rdsim_cluster *c, rdsim_time_t to)
{
    struct backtrack *b = c->backtrack;
    struct rdsim_db *db = c->inst[c->writer].db;
    struct rdsim_err err;
    int64_t writes = 0;

    while (b->n > b->head && b->log[b->n - 1].commit > to) {
        struct record *r = &b->log[b->n - 1];
        if (rdsim_db_revert(db, &r->cs, &err) != 0) {
            rdsim_sim_fail(c->sim, &err);
            return -1;
        }
        writes += (int64_t)r->cs.n_writes;
        backup_charge(c, -(int64_t)r->cs.len, "backtrack", NULL);
        free(r->cs.data);
        b->n--;
    }
    if (rdsim_db_flush(db, NULL, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return -1;
    }
    return writes;
}

/* The replicas read the rewound volume: each is a copy of the writer now
 * (one unreachable copies when it is back). */
static int rewind_replicas(struct rdsim_cluster *c)
{
    size_t w = c->writer;
    struct rdsim_err err;

    for (size_t i = 0; i < c->n_inst; i++) {
        struct rdsim_instance *in = &c->inst[i];
        enum repl_mode mode = in->mode;
        if (in->source != (int)w)
            continue;
        if (!instance_reachable(c, i)) {
            in->needs_resync = true;
            continue;
        }
        repl_detach(c, i);
        if (rdsim_db_copy(in->db, c->inst[w].db, &err) != 0) {
            rdsim_sim_fail(c->sim, &err);
            return -1;
        }
        repl_attach(c, i, (int)w, mode);
    }
    return 0;
}

static void backtrack_done(struct rdsim_sim *sim, void *ctx, uint64_t k)
{
    struct rdsim_cluster *c = ctx;
    struct rdsim_backtrack_info *bt = &c->backtrack->bts[k];

    bt->available = rdsim_sim_now(sim);
    cluster_log(c, "recovered", c->inst[c->writer].cfg->name,
                "backtrack done: the cluster serves again, its data as of %.1f s",
                (double)bt->to / RDSIM_S);
}

void backtrack_fire(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev)
{
    struct backtrack *b = c->backtrack;
    struct rdsim_backtrack_info *bt;
    rdsim_time_t now = rdsim_sim_now(c->sim), pause;
    size_t w = c->writer;
    struct rdsim_err err;
    int64_t undone;

    if (b->n_bts == b->cap_bts) {
        rdsim_sim_failf(c->sim, RDSIM_EINVAL, "backtrack at %.1f s was not planned",
                        (double)now / RDSIM_S);
        return;
    }
    bt = &b->bts[b->n_bts++];
    *bt = (struct rdsim_backtrack_info){.at = now, .to = ev->to, .available = -1};
    cluster_log(c, "fault", c->inst[w].cfg->name, "backtrack to %.1f s requested",
                (double)ev->to / RDSIM_S);
    if (!instance_serving(c, w)) {
        cluster_log(c, "ignored", c->inst[w].cfg->name,
                    "backtrack: the writer is not available");
        b->keep_after = earliest_point(c, now + 1);
        return;
    }
    /* What the writer committed up to now is in the log before the undo. */
    repl_ship(c, false);
    if (rdsim_sim_failed(c->sim) || (undone = rewind_writer(c, ev->to)) < 0 ||
        rewind_replicas(c) != 0)
        return;
    b->keep_after = earliest_point(c, now + 1);
    trim(c, now);
    bt->done = true;
    bt->undone_writes = (uint64_t)undone;
    /* The clients continue from the rewound rows: what they were told and
     * the data lacks is gone. */
    if (c->obs.new_writer &&
        c->obs.new_writer(c->obs.ctx, c->inst[w].db, &bt->discarded_writes,
                          &bt->discarded_writes_bounded, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    pause = cluster_draw(c, RDSIM_BACKTRACK_BASE) +
            undone * (c->inst[w].cls->write_service / 2);
    if (c->obs.writer_down)
        c->obs.writer_down(c->obs.ctx, now, RDSIM_CAUSE_BACKTRACK);
    cluster_log(
        c, "backtrack", c->inst[w].cfg->name,
        "rewound to %.1f s: %lld committed writes undone, %llu acknowledged write%s "
        "discarded; the cluster is paused for %.1f s",
        (double)ev->to / RDSIM_S, (long long)undone,
        (unsigned long long)bt->discarded_writes, bt->discarded_writes == 1 ? "" : "s",
        (double)pause / RDSIM_S);
    for (size_t i = 0; i < c->n_inst; i++)
        if (!c->inst[i].standalone && !c->inst[i].detached && instance_serving(c, i))
            instance_start(c, i, pause, "backtrack: the cluster is paused");
    if (!rdsim_sim_schedule(c->sim, now + pause, backtrack_done, c, b->n_bts - 1))
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
}

size_t rdsim_cluster_backtrack_count(const struct rdsim_cluster *c)
{
    return c->backtrack ? c->backtrack->n_bts : 0;
}

const struct rdsim_backtrack_info *
rdsim_cluster_backtrack_at(const struct rdsim_cluster *c, size_t k)
{
    return &c->backtrack->bts[k];
}
