/*
 * replication.c - the writer's committed writes, shipped to its standbys and
 * replicas and applied there for real.
 *
 * Every replication tick the writer commits its open transaction and hands
 * over the tick's SQLite changeset: one batch, shared by every target
 * (reference counted). A batch then goes through two stages per target:
 *
 * - Transport: the path from the source to the target delivers messages in
 *   order, each after one delay read from the path's drift at its send time
 *   (half the topology's round trip, plus the redo processing of an Aurora
 *   Replica or the storage-level hop of a Global Database secondary, plus
 *   any replica-lag delay in force). The drift moves between independent
 *   draws once a period, so it does not depend on how many messages there
 *   are: a busy writer sees the same delays as an idle one.
 * - Apply: each target keeps a FIFO of the batches it has been sent and one
 *   single applier, a queue with the target's service rate: a batch starts
 *   when it has arrived and the previous one is done, and takes n_writes x
 *   apply_cost. So lag grows with the write rate only through this queue: a
 *   replica whose applier is slower than the writer builds lag, and drains
 *   it when the load drops. Synchronous standbys apply at arrival
 *   (block-level replication costs the standby no CPU).
 *
 * One event per target at a time: only the batch at the head of a FIFO has
 * an apply scheduled. A target that is unreachable keeps its FIFO and
 * resumes where it stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

#define NIL UINT32_MAX

/* A batch of committed writes: one replication tick of the writer. */
struct repl_batch {
    struct rdsim_changeset cs;
    rdsim_time_t first_commit, last_commit;
    uint32_t refs;           /* targets that still have to apply it */
    uint32_t next_free;
};

/* The network path into one target: its drift, a fraction of the delay
 * range, is u0 at `knot` and moves linearly to u1 one period later. Each
 * path has its own stream, so one path's draws never shift another's. */
struct repl_path {
    struct rdsim_rng rng;
    rdsim_time_t knot;
    double u0, u1;
};

/* Replication's own state (c->repl): the batch pool, the open tick and the
 * targets' network paths. Per-target apply state (source, mode, queue,
 * applier) is in each instance. */
struct repl {
    struct repl_batch *batches;
    uint32_t n_batches, cap_batches, free_batches;
    rdsim_time_t tick_first_commit; /* first commit of the open tick, -1 none */
    uint64_t seed;
    struct repl_path *paths;        /* one per instance, from repl_start */
};

int repl_init(struct rdsim_cluster *c, uint64_t seed, struct rdsim_err *err)
{
    if (!(c->repl = calloc(1, sizeof(*c->repl))))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    c->repl->free_batches = NIL;
    c->repl->tick_first_commit = -1;
    c->repl->seed = seed;
    return 0;
}

/* The path's drift at t (t never goes back). */
static double path_drift(struct repl_path *p, rdsim_time_t t)
{
    while (t >= p->knot + RDSIM_PATH_DRIFT_PERIOD) {
        p->knot += RDSIM_PATH_DRIFT_PERIOD;
        p->u0 = p->u1;
        p->u1 = rdsim_rng_unit(&p->rng);
    }
    return p->u0 + (p->u1 - p->u0) * (double)(t - p->knot) / (double)RDSIM_PATH_DRIFT_PERIOD;
}

/* Transport: when a batch the writer w sends now reaches target i. */
static rdsim_time_t transport_arrival(struct rdsim_cluster *c, size_t w, size_t i,
                                      rdsim_time_t now)
{
    const struct rdsim_instance *in = &c->inst[i];
    struct rdsim_range r = cluster_rtt_range(c, w, i), stage = {0, 0};
    rdsim_time_t lo, span, arrive;

    if (in->mode == REPL_VOLUME)
        stage = RDSIM_AURORA_REDO_PROCESSING;
    else if (in->mode == REPL_GLOBAL)
        stage = RDSIM_GLOBAL_REPLICATION;
    lo = r.lo / 2 + stage.lo;
    span = (r.hi - r.lo) / 2 + (stage.hi - stage.lo);
    arrive = now + lo + (rdsim_time_t)(path_drift(&c->repl->paths[i], now) * (double)span) +
             in->extra_delay;
    /* In order: a message never overtakes the one before it (a replica-lag
     * delay that ends does not let later batches jump the queue). */
    if (in->q.len && arrive < in->q.arrive[(in->q.head + in->q.len - 1) % in->q.cap])
        arrive = in->q.arrive[(in->q.head + in->q.len - 1) % in->q.cap];
    return arrive;
}

void repl_committed(struct rdsim_cluster *c, rdsim_time_t t)
{
    if (c->repl->tick_first_commit < 0)
        c->repl->tick_first_commit = t;
}

void repl_writer_changed(struct rdsim_cluster *c)
{
    c->repl->tick_first_commit = -1;
}

rdsim_time_t repl_received_up_to(const struct rdsim_cluster *c, size_t i)
{
    const struct rdsim_instance *in = &c->inst[i];

    if (in->q.len == 0)
        return in->applied_commit;
    return c->repl->batches[in->q.batch[(in->q.head + in->q.len - 1) % in->q.cap]].last_commit;
}

static uint32_t batch_alloc(struct rdsim_cluster *c)
{
    uint32_t b;

    if (c->repl->free_batches != NIL) {
        b = c->repl->free_batches;
        c->repl->free_batches = c->repl->batches[b].next_free;
        return b;
    }
    if (c->repl->n_batches == c->repl->cap_batches) {
        uint32_t cap = c->repl->cap_batches ? 2 * c->repl->cap_batches : 256;
        void *p = realloc(c->repl->batches, (size_t)cap * sizeof(*c->repl->batches));
        if (!p)
            return NIL;
        c->repl->batches = p;
        c->repl->cap_batches = cap;
    }
    return c->repl->n_batches++;
}

static void batch_release(struct rdsim_cluster *c, uint32_t b)
{
    if (--c->repl->batches[b].refs > 0)
        return;
    rdsim_changeset_free(&c->repl->batches[b].cs);
    c->repl->batches[b].next_free = c->repl->free_batches;
    c->repl->free_batches = b;
}

static int queue_push(struct repl_queue *q, uint32_t batch, rdsim_time_t arrive)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 64;
        uint32_t *nb = malloc(cap * sizeof(*nb));
        rdsim_time_t *na = malloc(cap * sizeof(*na));
        if (!nb || !na) {
            free(nb);
            free(na);
            return RDSIM_ENOMEM;
        }
        for (size_t k = 0; k < q->len; k++) {
            nb[k] = q->batch[(q->head + k) % q->cap];
            na[k] = q->arrive[(q->head + k) % q->cap];
        }
        free(q->batch);
        free(q->arrive);
        q->batch = nb;
        q->arrive = na;
        q->head = 0;
        q->cap = cap;
    }
    q->batch[(q->head + q->len) % q->cap] = batch;
    q->arrive[(q->head + q->len) % q->cap] = arrive;
    q->len++;
    return 0;
}

static void queue_pop(struct repl_queue *q)
{
    q->head = (q->head + 1) % q->cap;
    q->len--;
}

static void apply_done(struct rdsim_sim *sim, void *ctx, uint64_t i);

/*
 * Has target i received the batch at the head of its queue by `t`? A batch
 * reaches the target at its arrival time, unless the source was cut off
 * before then: what a dead source had not sent yet stays on its disk (the
 * replica's RPO). Standbys have every batch: a synchronous one mirrored
 * each write before the writer acknowledged it, and a semi-synchronous one
 * received it (a replica-lag delay on a standby holds back its apply only).
 */
static bool head_received(const struct rdsim_cluster *c, size_t i, rdsim_time_t t)
{
    const struct rdsim_instance *in = &c->inst[i];
    rdsim_time_t arrive = in->q.arrive[in->q.head];

    if (in->mode == REPL_SYNC || in->mode == REPL_SEMISYNC || in->mode == REPL_VOLUME ||
        in->source < 0)
        return true;
    if (instance_reachable(c, (size_t)in->source))
        return true;
    return arrive <= c->inst[in->source].lost_at && arrive <= t;
}

/* Schedule the head batch's apply, if there is one and nothing is running. */
static void schedule_next(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];
    struct repl_queue *q = &in->q;
    rdsim_time_t now = rdsim_sim_now(c->sim), start;
    const struct repl_batch *b;

    if (q->len == 0 || in->apply_ev || !instance_reachable(c, i) || in->starting)
        return;
    /* Waiting for a source that is gone: resumed if it comes back. */
    if (!head_received(c, i, q->arrive[q->head]))
        return;
    b = &c->repl->batches[q->batch[q->head]];
    start = q->arrive[q->head];
    if (start < now)
        start = now;
    if (start < in->apply_free_at)
        start = in->apply_free_at;
    in->apply_free_at = start + (rdsim_time_t)b->cs.n_writes * in->apply_cost;
    in->apply_ev = rdsim_sim_schedule(c->sim, in->apply_free_at, apply_done, c, i);
    if (!in->apply_ev)
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
}

static int apply_head(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];
    uint32_t bi = in->q.batch[in->q.head];
    const struct repl_batch *b = &c->repl->batches[bi];
    struct rdsim_err err;

    if (rdsim_db_apply(in->db, &b->cs, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return err.code;
    }
    repl_note_lag(c, i);
    in->applied_commit = b->last_commit;
    queue_pop(&in->q);
    batch_release(c, bi);
    return 0;
}

static void apply_done(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    struct rdsim_instance *in = &c->inst[i];
    (void)sim;

    in->apply_ev = 0;
    if (in->q.len == 0)
        return;
    if (!instance_reachable(c, i) || in->starting ||
        !head_received(c, i, rdsim_sim_now(c->sim))) {
        /* The batch never finished or never came: the applier starts over
         * when it can. */
        in->apply_free_at = 0;
        return;
    }
    if (apply_head(c, i) == 0)
        schedule_next(c, i);
}

void repl_attach(struct rdsim_cluster *c, size_t i, int source, enum repl_mode mode)
{
    struct rdsim_instance *in = &c->inst[i];

    repl_note_lag(c, i);
    in->source = source;
    in->mode = mode;
    in->missed_since = -1;
    /* Replay is cheaper than the original statement (no parsing, no
     * locking), but one thread does it all: MySQL and PostgreSQL replicas
     * apply serially (facts 3, "Causes of lag"). */
    in->apply_cost = mode == REPL_SYNC     ? 0
                     : mode == REPL_VOLUME || mode == REPL_GLOBAL ? RDSIM_AURORA_APPLY_PER_WRITE
                                           : in->cls->write_service / 2;
    if (!in->lag) {
        in->lag = malloc(sizeof(*in->lag));
        if (in->lag)
            rdsim_hist_reset(in->lag);
    }
}

uint64_t repl_detach(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];
    uint64_t dropped = 0;

    repl_note_lag(c, i);
    in->missed_since = -1;
    if (in->apply_ev) {
        rdsim_sim_cancel(c->sim, in->apply_ev);
        in->apply_ev = 0;
    }
    while (in->q.len) {
        uint32_t b = in->q.batch[in->q.head];
        dropped += c->repl->batches[b].cs.n_writes;
        queue_pop(&in->q);
        batch_release(c, b);
    }
    in->source = -1;
    in->mode = REPL_NONE;
    in->apply_free_at = 0;
    return dropped;
}

/* Does target i take the batches shipped now? A new replica being built
 * does: they are its backlog, applied once it is up (the source keeps its
 * binlog or WAL for it; Aurora's stream is on the volume). */
static bool receives(const struct rdsim_cluster *c, size_t i)
{
    return instance_reachable(c, i) || c->inst[i].creating;
}

void repl_ship(struct rdsim_cluster *c, bool mirrored)
{
    size_t w = c->writer;
    struct rdsim_changeset cs = {0};
    struct rdsim_err err;
    rdsim_time_t now = rdsim_sim_now(c->sim);
    struct repl_batch *b;
    uint32_t bi, refs = 0;

    if (rdsim_db_flush(c->inst[w].db, &cs, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    if (cs.len == 0) {
        rdsim_changeset_free(&cs);
        return;
    }
    backup_log(c, &cs, now);
    backtrack_log(c, &cs, now);
    /* A target that cannot be reached misses the batch: it resynchronises
     * when it is back, so nothing piles up for it meanwhile. */
    for (size_t i = 0; i < c->n_inst; i++) {
        if (c->inst[i].source != (int)w)
            continue;
        if (!receives(c, i)) {
            c->inst[i].needs_resync = true;
            /* It lags from the first change it missed. */
            if (c->inst[i].missed_since < 0)
                c->inst[i].missed_since = now;
            continue;
        }
        refs++;
    }
    if (refs == 0) {
        rdsim_changeset_free(&cs);
        c->repl->tick_first_commit = -1;
        return;
    }
    bi = batch_alloc(c);
    if (bi == NIL) {
        rdsim_changeset_free(&cs);
        rdsim_err_set(&err, RDSIM_ENOMEM, "out of memory");
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    b = &c->repl->batches[bi];
    b->cs = cs;
    b->first_commit = c->repl->tick_first_commit >= 0 ? c->repl->tick_first_commit : now;
    b->last_commit = now;
    b->refs = refs;
    c->repl->tick_first_commit = -1;

    for (size_t i = 0; i < c->n_inst; i++) {
        struct rdsim_instance *in = &c->inst[i];
        rdsim_time_t arrive;
        if (in->source != (int)w || !receives(c, i))
            continue;
        arrive = transport_arrival(c, w, i, now);
        if (mirrored && (in->mode == REPL_SYNC || in->mode == REPL_SEMISYNC))
            arrive = now;
        if (queue_push(&in->q, bi, arrive) != 0) {
            rdsim_err_set(&err, RDSIM_ENOMEM, "out of memory");
            rdsim_sim_fail(c->sim, &err);
            return;
        }
        schedule_next(c, i);
    }
}

void repl_resume(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];
    struct rdsim_err err;
    int src = in->source;

    if (in->needs_resync && src >= 0 && instance_reachable(c, (size_t)src)) {
        /* It missed batches: start again from a copy of its source. */
        enum repl_mode mode = in->mode;
        if ((size_t)src == c->writer)
            repl_ship(c, false);
        repl_note_lag(c, i);
        repl_detach(c, i);
        if (rdsim_sim_failed(c->sim) || rdsim_db_copy(in->db, c->inst[src].db, &err) != 0) {
            if (!rdsim_sim_failed(c->sim))
                rdsim_sim_fail(c->sim, &err);
            return;
        }
        repl_attach(c, i, src, mode);
        in->needs_resync = false;
        cluster_log(c, "resynchronised", in->cfg->name, "copied from %s after missing "
                          "changes while unreachable", c->inst[src].cfg->name);
    }
    schedule_next(c, i);
}

rdsim_time_t repl_backlog_time(const struct rdsim_cluster *c, size_t i)
{
    const struct rdsim_instance *in = &c->inst[i];
    rdsim_time_t now = rdsim_sim_now(c->sim), t = now;

    /* The applier goes on as it would: each batch once it has arrived (a
     * replica-lag delay holds it back) and the previous one is done. */
    if (in->apply_ev && in->apply_free_at > t)
        t = in->apply_free_at;
    for (size_t k = in->apply_ev ? 1 : 0; k < in->q.len; k++) {
        size_t slot = (in->q.head + k) % in->q.cap;
        const struct repl_batch *b = &c->repl->batches[in->q.batch[slot]];
        if (in->q.arrive[slot] > t)
            t = in->q.arrive[slot];
        t += (rdsim_time_t)b->cs.n_writes * in->apply_cost;
    }
    return t - now;
}

uint64_t repl_queued_writes(const struct rdsim_cluster *c, size_t i)
{
    const struct rdsim_instance *in = &c->inst[i];
    uint64_t n = 0;

    for (size_t k = 0; k < in->q.len; k++)
        n += c->repl->batches[in->q.batch[(in->q.head + k) % in->q.cap]].cs.n_writes;
    return n;
}

void repl_drain(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];

    if (in->apply_ev) {
        rdsim_sim_cancel(c->sim, in->apply_ev);
        in->apply_ev = 0;
    }
    while (in->q.len && head_received(c, i, rdsim_sim_now(c->sim)))
        if (apply_head(c, i) != 0)
            return;
    in->apply_free_at = 0;
}

rdsim_time_t repl_staleness(const struct rdsim_cluster *c, size_t i)
{
    const struct rdsim_instance *in = &c->inst[i];
    rdsim_time_t oldest, end = rdsim_sim_now(c->sim);

    if (in->source < 0)
        return 0;
    /* The oldest write its source has committed and it has not applied:
     * the head of its queue, or the source's open tick. */
    if (in->q.len)
        oldest = c->repl->batches[in->q.batch[in->q.head]].first_commit;
    else if ((size_t)in->source == c->writer && c->repl->tick_first_commit >= 0)
        oldest = c->repl->tick_first_commit;
    else
        return 0;
    /* A source that went dark committed nothing after that. */
    if (!instance_reachable(c, (size_t)in->source) &&
        c->inst[in->source].lost_at < end)
        end = c->inst[in->source].lost_at;
    return end > oldest ? end - oldest : 0;
}

/* Lag now; with `source_alive`, as if its source were still reachable (the
 * value just before a cut). */
static rdsim_time_t lag_now(const struct rdsim_cluster *c, size_t i, bool source_alive)
{
    const struct rdsim_instance *in = &c->inst[i];
    rdsim_time_t oldest = -1, now = rdsim_sim_now(c->sim);

    /* A replica being built reports no lag yet (as ReplicaLag does not). */
    if (in->source < 0 || in->creating ||
        (!source_alive && !instance_reachable(c, (size_t)in->source)))
        return -1;
    /* A synchronous standby holds every acknowledged write (block-level
     * mirroring); its queue only feeds its SQLite copy. */
    if (in->mode == REPL_SYNC && in->missed_since < 0 && instance_reachable(c, i) &&
        !in->starting)
        return 0;
    /* The writer ships every replication tick: a change counts from the tick
     * that ships it, so the model's batching is not reported as lag. */
    if (in->q.len)
        oldest = c->repl->batches[in->q.batch[in->q.head]].last_commit;
    if (in->missed_since >= 0 && (oldest < 0 || in->missed_since < oldest))
        oldest = in->missed_since;
    if (oldest < 0)
        return 0;
    return now > oldest ? now - oldest : 0;
}

rdsim_time_t repl_lag(const struct rdsim_cluster *c, size_t i)
{
    return lag_now(c, i, false);
}

static void note(struct rdsim_instance *in, rdsim_time_t v)
{
    if (v > in->lag_max)
        in->lag_max = v;
}

void repl_note_lag(struct rdsim_cluster *c, size_t i)
{
    note(&c->inst[i], lag_now(c, i, false));
}

void repl_source_cut(struct rdsim_cluster *c, size_t source)
{
    for (size_t i = 0; i < c->n_inst; i++)
        if (c->inst[i].source == (int)source)
            note(&c->inst[i], lag_now(c, i, true));
}

rdsim_time_t repl_lag_sample(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];
    rdsim_time_t v;

    repl_note_lag(c, i);
    v = in->lag_max;
    if (v >= 0 && in->lag)
        rdsim_hist_add(in->lag, v);
    in->lag_last = v;
    in->lag_max = lag_now(c, i, false);
    return v;
}

static void replication_tick(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t w = c->writer;

    /* A dead writer ships nothing: its unshipped tail waits on its disk. */
    if (!rdsim_sim_failed(c->sim) && instance_reachable(c, w) && !c->inst[w].starting)
        repl_ship(c, false);
    if (!rdsim_sim_failed(c->sim) && !rdsim_sim_after(sim, c->ops->repl_tick, replication_tick, c, arg))
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
}

int repl_start(struct rdsim_cluster *c, struct rdsim_err *err)
{
    c->repl->tick_first_commit = -1;
    /* Every slot: a replica created during the run has its path too. */
    if (!(c->repl->paths = calloc(c->n_slots, sizeof(*c->repl->paths))))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->n_slots; i++) {
        struct repl_path *p = &c->repl->paths[i];
        char stream[160];
        snprintf(stream, sizeof(stream), "path:%s", c->inst[i].cfg->name);
        rdsim_rng_init(&p->rng, c->repl->seed, stream);
        p->u0 = rdsim_rng_unit(&p->rng);
        p->u1 = rdsim_rng_unit(&p->rng);
    }
    if (!rdsim_sim_after(c->sim, c->ops->repl_tick, replication_tick, c, 0))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    return 0;
}

void repl_free(struct rdsim_cluster *c)
{
    for (uint32_t b = 0; c->repl && b < c->repl->n_batches; b++)
        if (c->repl->batches[b].refs > 0)
            rdsim_changeset_free(&c->repl->batches[b].cs);
    if (c->repl) {
        free(c->repl->batches);
        free(c->repl->paths);
    }
    free(c->repl);
    c->repl = NULL;
    for (size_t i = 0; c->inst && i < c->n_inst; i++) {
        free(c->inst[i].q.batch);
        free(c->inst[i].q.arrive);
        free(c->inst[i].lag);
    }
}
