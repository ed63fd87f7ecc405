/*
 * backup.c - manual snapshots and restores from them (issue 15).
 *
 * A snapshot is a consistent copy of one instance's SQLite database taken
 * at the event (SQLite's backup API), held in memory or, with --keep-db, in
 * a file beside the instances'. Its data is fixed at the event; it becomes
 * ready (usable for a restore) after a modelled creation time that grows
 * with its size (params.h). Snapshots in memory are bounded together by
 * RDSIM_SNAPSHOT_MEMORY_MAX: past it the run fails and names --keep-db.
 *
 * A restore always creates a new, standalone instance (instance.c) from a
 * ready snapshot: its database is a copy of the snapshot's, made when the
 * restore is asked for (or once the snapshot is ready), so the acknowledged
 * writes it lacks are counted then, from its data, against everything the
 * clients had been told. It is "creating" until available, after a
 * modelled duration; with become_writer the application is then re-pointed
 * to it, as to a promoted read replica: every connection style at once,
 * the old writer detached, the writes the new one lacks lost.
 *
 * Not modelled: the brief I/O suspension of a Single-AZ snapshot, lazy
 * loading after a restore, incremental snapshots, the 100-snapshot quota.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

struct snap {
    struct rdsim_snapshot_info info;
    struct rdsim_db *db; /* NULL when not taken */
};

struct backup {
    struct snap *snaps;
    size_t n_snaps, cap_snaps;
    struct rdsim_restore_info *restores;
    size_t *restore_slot;
    size_t n_restores, cap_restores;
    int64_t memory;      /* bytes of snapshots held in memory */
};

int backup_init(struct rdsim_cluster *c, struct rdsim_err *err)
{
    struct backup *b = calloc(1, sizeof(*b));
    size_t n = 0;
    int rc;

    if (!b)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    c->backup = b;
    for (size_t e = 0; e < c->sc->n_events; e++)
        n += c->sc->events[e].action == RDSIM_ACT_RESTORE;
    if (n == 0)
        return 0;
    b->restores = calloc(n, sizeof(*b->restores));
    b->restore_slot = calloc(n, sizeof(*b->restore_slot));
    if (!b->restores || !b->restore_slot)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    b->cap_restores = n;
    /* Slots in event order, which is the order the restores fire in. */
    for (size_t e = 0; e < c->sc->n_events; e++) {
        if (c->sc->events[e].action != RDSIM_ACT_RESTORE)
            continue;
        rc = rdsim_cluster_plan_instance(c, c->sc->events[e].name, err);
        if (rc)
            return rc;
    }
    return 0;
}

void backup_free(struct rdsim_cluster *c)
{
    struct backup *b = c->backup;

    if (!b)
        return;
    for (size_t k = 0; k < b->n_snaps; k++) {
        rdsim_db_close(b->snaps[k].db);
        free((char *)b->snaps[k].info.name);
    }
    free(b->snaps);
    free(b->restores);
    free(b->restore_slot);
    free(b);
    c->backup = NULL;
}

/* Creation or restore time: a drawn fixed part plus the data at the copy
 * rate. */
static rdsim_time_t copy_time(struct rdsim_cluster *c, struct rdsim_range base, int64_t bytes)
{
    return cluster_draw(c, base) +
           (rdsim_time_t)((double)bytes / RDSIM_BACKUP_COPY_BYTES_PER_S * (double)RDSIM_S);
}

static struct snap *snap_find(struct backup *b, const char *name)
{
    for (size_t k = b->n_snaps; k-- > 0;)
        if (strcmp(b->snaps[k].info.name, name) == 0)
            return &b->snaps[k];
    return NULL;
}

static void snapshot_ready(struct rdsim_sim *sim, void *ctx, uint64_t k)
{
    struct rdsim_cluster *c = ctx;
    const struct rdsim_snapshot_info *s = &c->backup->snaps[k].info;
    (void)sim;

    cluster_log(c, "snapshot", s->target, "snapshot %s ready (%.1f KiB, taken at %.1f s)",
                s->name, (double)s->bytes / 1024, (double)s->at / RDSIM_S);
}

/* Copy instance i's data into a new snapshot database. */
static int snap_copy(struct rdsim_cluster *c, struct snap *s, size_t i, struct rdsim_err *err)
{
    char path[4096];
    struct rdsim_db_config dbc = {
        .rows = c->sc->workload.present ? c->sc->workload.rows : 1,
        .like = c->inst[i].db,
    };
    int rc;

    if (c->keep_db_dir) {
        int n = snprintf(path, sizeof(path), "%s/snapshot-%s.sqlite", c->keep_db_dir,
                         s->info.name);
        if (n < 0 || (size_t)n >= sizeof(path))
            return rdsim_err_set(err, RDSIM_EINVAL, "--keep-db: path too long");
        dbc.path = path;
    }
    rc = rdsim_db_open(&dbc, &s->db, err);
    if (rc == 0)
        rc = rdsim_db_bytes(s->db, &s->info.bytes, err);
    if (rc == 0 && !c->keep_db_dir) {
        c->backup->memory += s->info.bytes;
        if (c->backup->memory > RDSIM_SNAPSHOT_MEMORY_MAX)
            rc = rdsim_err_set(err, RDSIM_ENOMEM,
                               "snapshot %s: snapshots would hold %.0f MiB in memory, over the "
                               "%.0f MiB limit; run with --keep-db DIR to keep them on disk",
                               s->info.name, (double)c->backup->memory / (1024 * 1024),
                               (double)RDSIM_SNAPSHOT_MEMORY_MAX / (1024 * 1024));
    }
    return rc;
}

void backup_snapshot(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev)
{
    struct backup *b = c->backup;
    int t = ev->target ? cluster_find_instance(c, ev->target) : (int)c->writer;
    struct rdsim_err err;
    struct snap *s;

    if (b->n_snaps == b->cap_snaps) {
        size_t cap = b->cap_snaps ? 2 * b->cap_snaps : 4;
        void *p = realloc(b->snaps, cap * sizeof(*b->snaps));
        if (!p) {
            rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
            return;
        }
        b->snaps = p;
        b->cap_snaps = cap;
    }
    s = &b->snaps[b->n_snaps];
    memset(s, 0, sizeof(*s));
    /* A live event's name goes with it; an instance's name is the scenario's. */
    s->info.name = strdup(ev->name);
    s->info.target = c->inst[t].cfg->name;
    s->info.at = rdsim_sim_now(c->sim);
    s->info.ready = -1;
    if (!s->info.name) {
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
        return;
    }
    b->n_snaps++;
    cluster_log(c, "fault", s->info.target, "snapshot %s requested", s->info.name);
    /* An instance that cannot be reached cannot be snapshotted (the
     * snapshot fails; a restore from it does nothing). */
    if (!instance_serving(c, (size_t)t)) {
        cluster_log(c, "ignored", s->info.target, "snapshot %s: the instance is not available",
                    s->info.name);
        return;
    }
    if (snap_copy(c, s, (size_t)t, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    s->info.taken = true;
    s->info.ready = s->info.at + copy_time(c, RDSIM_SNAPSHOT_BASE, s->info.bytes);
    if (!rdsim_sim_schedule(c->sim, s->info.ready, snapshot_ready, c, b->n_snaps - 1))
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
}

/* The restored instance k (restore k) is available now. */
static void restore_available(struct rdsim_sim *sim, void *ctx, uint64_t k)
{
    struct rdsim_cluster *c = ctx;
    struct rdsim_restore_info *r = &c->backup->restores[k];
    size_t i = c->backup->restore_slot[k], from = c->writer;
    uint64_t lost = 0;
    bool bounded = false;
    struct rdsim_err err;

    c->inst[i].creating = false;
    r->available = rdsim_sim_now(sim);
    cluster_log(c, "recovered", r->name, "restored instance available (data as of %.1f s)",
                (double)r->restore_point / RDSIM_S);
    if (!r->become_writer)
        return;
    /* The application is re-pointed: what the clients were told and the
     * new writer lacks is lost, as at a promotion. */
    if (c->obs.new_writer &&
        c->obs.new_writer(c->obs.ctx, c->inst[i].db, &lost, &bounded, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    c->writer = c->dns_writer = c->proxy_writer = c->topo_writer = i;
    c->writer_endpoint_gen++;
    c->inst[from].detached = true;
    repl_writer_changed(c);
    r->writer_at = r->available;
    cluster_log(c, "promoted", r->name,
                "the application writes here now (%llu acknowledged write%s lacking)",
                (unsigned long long)lost, lost == 1 ? "" : "s");
}

void backup_restore(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev)
{
    struct backup *b = c->backup;
    struct rdsim_restore_info *r;
    struct rdsim_instance_cfg cfg = {
        .name = ev->name, .role = RDSIM_ROLE_WRITER, .az = ev->az,
        .instance_class = ev->instance_class, .tier = 1};
    struct snap *s = snap_find(b, ev->from);
    rdsim_time_t now = rdsim_sim_now(c->sim), start;
    struct rdsim_err err;
    size_t i;

    if (b->n_restores == b->cap_restores) {
        rdsim_sim_failf(c->sim, RDSIM_EINVAL, "restore %s was not planned", ev->name);
        return;
    }
    r = &b->restores[b->n_restores++];
    /* Restores come from the scenario only (never live): ev outlives us. */
    *r = (struct rdsim_restore_info){.name = ev->name, .from = ev->from, .at = now,
                                     .restore_point = -1, .latest_restorable = -1,
                                     .available = -1, .writer_at = -1,
                                     .become_writer = ev->become_writer};
    cluster_log(c, "fault", ev->name, "restore from snapshot %s requested in %s", ev->from,
                ev->az);
    /* The instance takes its slot either way, so later restores keep
     * theirs; without a snapshot it never comes up. */
    if (rdsim_cluster_add_instance(c, &cfg, s && s->info.taken ? s->db : NULL, &i, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    b->restore_slot[b->n_restores - 1] = i;
    if (!s || !s->info.taken) {
        c->inst[i].host_down = true;
        cluster_log(c, "ignored", ev->name, "restore: snapshot %s was never taken", ev->from);
        return;
    }
    r->restore_point = r->latest_restorable = s->info.at;
    if (c->obs.lacks && c->obs.lacks(c->obs.ctx, c->inst[i].db, &r->lost_writes,
                                     &r->lost_writes_bounded, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    r->done = true;
    c->inst[i].creating = true;
    /* A snapshot still being created is waited for. */
    start = s->info.ready > now ? s->info.ready : now;
    if (!rdsim_sim_schedule(c->sim, start + copy_time(c, RDSIM_RESTORE_BASE, s->info.bytes),
                            restore_available, c, b->n_restores - 1))
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
}

size_t rdsim_cluster_snapshot_count(const struct rdsim_cluster *c)
{
    return c->backup ? c->backup->n_snaps : 0;
}

const struct rdsim_snapshot_info *rdsim_cluster_snapshot_at(const struct rdsim_cluster *c,
                                                            size_t k)
{
    return &c->backup->snaps[k].info;
}

size_t rdsim_cluster_restore_count(const struct rdsim_cluster *c)
{
    return c->backup ? c->backup->n_restores : 0;
}

const struct rdsim_restore_info *rdsim_cluster_restore_at(const struct rdsim_cluster *c,
                                                          size_t k)
{
    return &c->backup->restores[k];
}
