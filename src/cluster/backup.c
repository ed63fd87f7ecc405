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
 * the old writer detached, the writes the new one lacks lost. The old
 * deployment no longer owns the writer endpoint: its failovers, asked for
 * or automatic, leave the application where it is (failover.c).
 *
 * Automated backups (cluster.backup) are kept only when a restore asks for
 * a point in time (`to:`), so other runs pay nothing: the day's snapshot is
 * taken at the start of the run (the data then), and every replication
 * tick's changeset of the writer is appended to a change log, which is
 * uploaded (becomes restorable, and regional: it outlives the writer's AZ)
 * every log_upload_interval while the writer is reachable, or every second
 * on Aurora, whose log lives on the volume. A point-in-time restore copies
 * the snapshot and replays the uploaded log for real (rdsim_db_apply) up to
 * its point; the latest restorable time is the last upload.
 *
 * Where a snapshot comes from follows AWS: Aurora copies its volume and a
 * Multi-AZ deployment its standby (the writer's data: the standby is in
 * step), neither pausing the writer; an instance without a standby
 * (Single-AZ, or a read replica) suspends its I/O for a modelled time, its
 * writes (a replica's applies) waiting on the storage path meanwhile.
 *
 * Not modelled: lazy loading after a restore, incremental snapshots, the
 * 100-snapshot quota, later days' snapshots (the log from the start replays
 * to the same data), a live restore (its instance needs a planned slot).
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

/* One tick's changeset of the writer, as the change log keeps it. */
struct log_entry {
    struct rdsim_changeset cs;
    rdsim_time_t commit;     /* the tick's flush: every write in it committed by then */
};

struct backup {
    /* automated backups, kept only for a point-in-time restore */
    bool logging;
    struct rdsim_db *daily;  /* the day's snapshot: the data at the start */
    struct log_entry *log;
    size_t n_log, cap_log, n_uploaded;
    rdsim_time_t latest_restorable; /* the last upload */
    size_t home_region;      /* where the backups are (the first writer's) */

    struct snap *snaps;
    size_t n_snaps, cap_snaps;
    struct rdsim_restore_info *restores;
    size_t *restore_slot;
    size_t n_restores, cap_restores;
    int64_t memory;      /* bytes of snapshots held in memory */
};

static bool aurora(const struct rdsim_cluster *c)
{
    return c->sc->cluster.deployment == RDSIM_DEPLOY_AURORA;
}

/* Memory held by snapshots and the change log together. */
static int charge(struct rdsim_cluster *c, int64_t bytes, const char *what,
                  struct rdsim_err *err)
{
    c->backup->memory += bytes;
    if (c->backup->memory <= c->backup_memory_max)
        return 0;
    return rdsim_err_set(err, RDSIM_ENOMEM,
                         "%s: snapshots and backups would hold %.2f MiB in memory, over the "
                         "%.2f MiB limit; run with --keep-db DIR to keep snapshots on disk",
                         what, (double)c->backup->memory / (1024 * 1024),
                         (double)c->backup_memory_max / (1024 * 1024));
}

int backup_charge(struct rdsim_cluster *c, int64_t bytes, const char *what,
                  struct rdsim_err *err)
{
    return charge(c, bytes, what, err);
}

/* An upload: what the writer logged becomes restorable, if it can send it
 * (RDS: from the instance; Aurora: from the volume, continuously). */
static void upload_tick(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    struct backup *b = c->backup;
    rdsim_time_t every = aurora(c) ? RDSIM_S : c->sc->cluster.backup.log_upload_interval;
    (void)arg;

    if (aurora(c) || instance_reachable(c, c->writer)) {
        b->n_uploaded = b->n_log;
        b->latest_restorable = rdsim_sim_now(sim);
    }
    cluster_after(c, every, upload_tick, 0);
}

static int backups_start(struct rdsim_cluster *c, struct rdsim_err *err)
{
    struct backup *b = c->backup;
    struct rdsim_db_config dbc = {
        .rows = c->sc->workload.present ? c->sc->workload.rows : 1,
        .like = c->inst[c->writer].db,
    };
    rdsim_time_t every = aurora(c) ? RDSIM_S : c->sc->cluster.backup.log_upload_interval;
    int64_t bytes;
    int rc = rdsim_db_open(&dbc, &b->daily, err);

    if (rc == 0)
        rc = rdsim_db_bytes(b->daily, &bytes, err);
    if (rc == 0)
        rc = charge(c, bytes, "automated backup", err);
    if (rc)
        return rc;
    b->latest_restorable = 0;
    b->home_region = c->inst[c->writer].region;
    if (!rdsim_sim_after(c->sim, every, upload_tick, c, 0))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    return 0;
}

void backup_log(struct rdsim_cluster *c, const struct rdsim_changeset *cs, rdsim_time_t t)
{
    struct backup *b = c->backup;
    struct log_entry *e;
    struct rdsim_err err;

    if (!b || !b->logging)
        return;
    if (b->n_log == b->cap_log) {
        size_t cap = b->cap_log ? 2 * b->cap_log : 256;
        void *p = realloc(b->log, cap * sizeof(*b->log));
        if (!p) {
            rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
            return;
        }
        b->log = p;
        b->cap_log = cap;
    }
    e = &b->log[b->n_log];
    e->cs = *cs;
    e->commit = t;
    if (!(e->cs.data = malloc(cs->len))) {
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
        return;
    }
    memcpy(e->cs.data, cs->data, cs->len);
    b->n_log++;
    if (charge(c, (int64_t)cs->len, "change log", &err) != 0)
        rdsim_sim_fail(c->sim, &err);
}

int backup_init(struct rdsim_cluster *c, struct rdsim_err *err)
{
    struct backup *b = calloc(1, sizeof(*b));
    size_t n = 0;
    int rc;

    if (!b)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    c->backup = b;
    for (size_t e = 0; e < c->sc->n_events; e++) {
        n += c->sc->events[e].action == RDSIM_ACT_RESTORE;
        b->logging |= c->sc->events[e].action == RDSIM_ACT_RESTORE && c->sc->events[e].has_to;
    }
    if (b->logging && (rc = backups_start(c, err)) != 0)
        return rc;
    if (n == 0)
        return 0;
    b->restores = calloc(n, sizeof(*b->restores));
    b->restore_slot = calloc(n, sizeof(*b->restore_slot));
    if (!b->restores || !b->restore_slot)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    b->cap_restores = n;
    /* Their slots are planned with the new replicas' (replicas_init). */
    return 0;
}

void backup_free(struct rdsim_cluster *c)
{
    struct backup *b = c->backup;

    if (!b)
        return;
    rdsim_db_close(b->daily);
    for (size_t k = 0; k < b->n_log; k++)
        free(b->log[k].cs.data); /* our malloc'd copy, not SQLite's */
    free(b->log);
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

/* What a snapshot of instance t copies, and whether t's I/O pauses. */
static const char *snap_source(const struct rdsim_cluster *c, size_t t)
{
    switch (c->sc->cluster.deployment) {
    case RDSIM_DEPLOY_AURORA:
        return "storage";
    case RDSIM_DEPLOY_MULTI_AZ_INSTANCE:
    case RDSIM_DEPLOY_MULTI_AZ_CLUSTER:
        /* The writer's or its standby's: taken from the standby either way. */
        if (t == c->writer || c->inst[t].role == RDSIM_ROLE_STANDBY)
            return "standby";
        break;
    case RDSIM_DEPLOY_SINGLE_AZ:
        break;
    }
    return "instance";
}

static void io_resumed(struct rdsim_sim *sim, void *ctx, uint64_t k)
{
    struct rdsim_cluster *c = ctx;
    const struct rdsim_snapshot_info *s = &c->backup->snaps[k].info;
    (void)sim;

    cluster_log(c, "io-resumed", s->target, "%s I/O resumes (snapshot %s: suspended %.1f s)",
                s->target, s->name, (double)s->io_pause / RDSIM_S);
}

/* Single-AZ: the instance's I/O is suspended; what is queued on its
 * storage path (writes) or its applier (a replica) waits until it resumes. */
static void snap_pause(struct rdsim_cluster *c, struct snap *s, size_t t)
{
    struct rdsim_instance *in = &c->inst[t];
    rdsim_time_t until;

    s->info.io_pause =
        cluster_draw(c, RDSIM_SNAPSHOT_IO_PAUSE) +
        (rdsim_time_t)((double)s->info.bytes / RDSIM_SNAPSHOT_IO_PAUSE_BYTES_PER_S * RDSIM_S);
    until = s->info.at + s->info.io_pause;
    if (in->log_free_at < until)
        in->log_free_at = until;
    if (in->apply_free_at < until)
        in->apply_free_at = until;
    if (!rdsim_sim_schedule(c->sim, until, io_resumed, c, (uint64_t)(s - c->backup->snaps)))
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
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
        char what[160];
        snprintf(what, sizeof(what), "snapshot %s", s->info.name);
        rc = charge(c, s->info.bytes, what, err);
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
    s->info.source = snap_source(c, (size_t)t);
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
    if (strcmp(s->info.source, "instance") == 0)
        snap_pause(c, s, (size_t)t);
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
    cluster_log(c, "restored", r->name, "%s available (restored instance, data as of %.1f s)",
                r->name, (double)r->restore_point / RDSIM_S);
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
    c->repointed = true;
    c->inst[from].detached = true;
    repl_writer_changed(c);
    r->writer_at = r->available;
    cluster_log(c, "repointed", r->name,
                "writes go to %s (the application is re-pointed; %llu acknowledged write%s "
                "lacking)",
                r->name, (unsigned long long)lost, lost == 1 ? "" : "s");
}

/* Are the backups reachable: their region (or replicate_to's) has an AZ up? */
static bool backups_reachable(const struct rdsim_cluster *c)
{
    const char *copy = c->sc->cluster.backup.replicate_to;

    for (size_t a = 0; a < c->n_az; a++) {
        const char *region = c->sc->topology.regions[c->az_region[a]].name;
        if (c->az_out[a] == 0 &&
            (c->az_region[a] == c->backup->home_region || (copy && strcmp(region, copy) == 0)))
            return true;
    }
    return false;
}

/* Replay the uploaded log up to `point` onto db, for real. Returns the
 * writes replayed, or -1 after failing the run. */
static int64_t replay(struct rdsim_cluster *c, struct rdsim_db *db, rdsim_time_t point)
{
    struct backup *b = c->backup;
    struct rdsim_err err;
    int64_t writes = 0;

    for (size_t k = 0; k < b->n_uploaded && b->log[k].commit <= point; k++) {
        if (rdsim_db_apply(db, &b->log[k].cs, &err) != 0) {
            rdsim_sim_fail(c->sim, &err);
            return -1;
        }
        writes += (int64_t)b->log[k].cs.n_writes;
    }
    return writes;
}

void backup_restore(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev)
{
    struct backup *b = c->backup;
    struct rdsim_restore_info *r;
    struct rdsim_instance_cfg cfg = {
        .name = ev->name, .role = RDSIM_ROLE_WRITER, .az = ev->az,
        .instance_class = ev->instance_class, .tier = 1};
    struct snap *s = ev->from ? snap_find(b, ev->from) : NULL;
    rdsim_time_t now = rdsim_sim_now(c->sim), start = now, took;
    struct rdsim_db *base = NULL;
    struct rdsim_err err;
    int64_t bytes = 0, replayed = 0;
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
    if (ev->from) {
        cluster_log(c, "fault", ev->name, "restore from snapshot %s requested in %s", ev->from,
                    ev->az);
        if (s && s->info.taken) {
            base = s->db;
            bytes = s->info.bytes;
            r->restore_point = r->latest_restorable = s->info.at;
            /* A snapshot still being created is waited for. */
            start = s->info.ready > now ? s->info.ready : now;
        } else {
            cluster_log(c, "ignored", ev->name, "restore: snapshot %s was never taken",
                        ev->from);
        }
    } else {
        r->latest_restorable = b->latest_restorable;
        r->restore_point = ev->to_latest || ev->to > b->latest_restorable ? b->latest_restorable
                                                                          : ev->to;
        cluster_log(c, "fault", ev->name, "point-in-time restore to %.1f s requested in %s%s",
                    (double)r->restore_point / RDSIM_S, ev->az,
                    !ev->to_latest && ev->to > b->latest_restorable
                        ? " (the latest restorable time: later points are not uploaded yet)"
                        : "");
        if (backups_reachable(c)) {
            base = b->daily;
            rdsim_db_bytes(b->daily, &bytes, NULL);
        } else {
            r->restore_point = -1;
            cluster_log(c, "ignored", ev->name,
                        "point-in-time restore: the automated backups' region is out");
        }
    }
    /* The instance takes its slot either way, so later restores keep
     * theirs; without data to restore it never comes up. */
    if (rdsim_cluster_add_instance(c, &cfg, base, &i, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    b->restore_slot[b->n_restores - 1] = i;
    if (!base) {
        c->inst[i].host_down = true;
        return;
    }
    if (!ev->from && (replayed = replay(c, c->inst[i].db, r->restore_point)) < 0)
        return;
    if (c->obs.lacks && c->obs.lacks(c->obs.ctx, c->inst[i].db, &r->lost_writes,
                                     &r->lost_writes_bounded, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    r->done = true;
    c->inst[i].creating = true;
    /* Replaying the log costs what a single applier pays per write. */
    took = copy_time(c, RDSIM_RESTORE_BASE, bytes) +
           replayed * (c->inst[i].cls->write_service / 2);
    if (!rdsim_sim_schedule(c->sim, start + took, restore_available, c, b->n_restores - 1))
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
