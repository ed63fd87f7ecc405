/*
 * aurora.c - Amazon Aurora: a shared cluster volume with a quorum, Aurora
 * Replicas fed by the redo stream, failover by promotion tier.
 *
 * Aurora is not RDS with other numbers (facts 4):
 *   - One logical volume, six copies, two in each of three AZs. A commit is
 *     durable when four copies have it, so its latency is that of the
 *     fourth-fastest copy; with fewer than four reachable copies writes
 *     stop (and reads go on), until a lost copy is repaired (about 10 s).
 *     The writer's SQLite database holds what the volume has committed.
 *   - Aurora Replicas share the volume: each keeps its own SQLite database
 *     as its view of it, fed by the writer's redo stream (changesets) every
 *     millisecond, so they lag by milliseconds and never lose anything the
 *     volume has. A promoted replica first catches up with the volume.
 *   - Failover picks the replica with the best (lowest) tier, then the
 *     largest class, then one at random (seeded); the cluster endpoint's DNS
 *     record flips to it. Without a replica the writer is recreated in its
 *     AZ (minutes). The old writer restarts as a reader.
 *
 *   - Replicas in another region form a Global Database secondary cluster,
 *     fed by storage-level replication that lags by under a second; what
 *     the primary region had not shipped when it went dark is lost by an
 *     unplanned global failover, while a switchover waits for the
 *     secondary to catch up (RPO 0). Secondaries never take part in an
 *     in-region failover, but restart when the primary's writer restarts
 *     or fails over. An unplanned global failover takes over from a
 *     pending in-region one and fences the old primary; with
 *     rds.global_db_rpo (Aurora PostgreSQL) commits block while every
 *     secondary lags past it.
 *
 * Global Database failovers are aurora_global.c's; Serverless v2 capacity
 * is serverless.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "aurora_impl.h"
#include "params.h"

#define RDSIM_VOLUME_COPIES 6
#define RDSIM_WRITE_QUORUM 4
#define RDSIM_READ_QUORUM 3

/* The deployment's own state (c->state): the cluster volume, six copies,
 * two per AZ (facts 4.1). */
struct aurora_volume {
    size_t az[RDSIM_VOLUME_COPIES];
    bool down[RDSIM_VOLUME_COPIES];        /* lost to a storage-failure */
    rdsim_event_id repair[RDSIM_VOLUME_COPIES];
    int reachable;                         /* as last logged */
    bool rpo_blocked;                      /* as last logged */
};

static struct aurora_volume *volume_of(const struct rdsim_cluster *c)
{
    return c->state;
}

/* The primary cluster's volume: six copies, two in each of the region's
 * first three AZs (with fewer AZs, copies double up). */
void aurora_place_volume(struct rdsim_cluster *c, size_t region)
{
    size_t k = 0;

    for (int j = 0; j < RDSIM_VOLUME_COPIES; j++) {
        if (volume_of(c)->repair[j])
            rdsim_sim_cancel(c->sim, volume_of(c)->repair[j]);
        volume_of(c)->repair[j] = 0;
        volume_of(c)->down[j] = false;
    }
    for (size_t a = 0; a < c->n_az && k < RDSIM_VOLUME_COPIES; a++) {
        if (c->az_region[a] != region)
            continue;
        volume_of(c)->az[k++] = a;
        volume_of(c)->az[k++] = a;
    }
    for (size_t j = 0; k < RDSIM_VOLUME_COPIES; k++, j++)
        volume_of(c)->az[k] = volume_of(c)->az[j];
    volume_of(c)->reachable = RDSIM_VOLUME_COPIES;
}

struct rdsim_range aurora_phase(const struct rdsim_cluster *c, int which)
{
    const struct rdsim_cluster_cfg *cc = &c->sc->cluster;

    switch (which) {
    case 0:
        return cc->has_detection ? cc->detection : RDSIM_AURORA_DETECTION;
    case 1:
        return cc->has_promotion ? cc->promotion : RDSIM_AURORA_PROMOTION;
    default:
        return cc->has_dns_update ? cc->dns_update : RDSIM_AURORA_DNS;
    }
}

/* ---- the cluster volume ---------------------------------------------------- */

static bool copy_reachable(const struct rdsim_cluster *c, int k)
{
    return !volume_of(c)->down[k] && c->az_out[volume_of(c)->az[k]] == 0;
}

static int copies_reachable(const struct rdsim_cluster *c)
{
    int n = 0;

    for (int k = 0; k < RDSIM_VOLUME_COPIES; k++)
        n += copy_reachable(c, k);
    return n;
}

/* Reads come from an instance's cache or one up-to-date copy, but with
 * fewer than three reachable copies (the read quorum) the volume cannot
 * tell which copy is current: reads stop too. */
static bool can_read(const struct rdsim_cluster *c, size_t i)
{
    (void)i;
    return copies_reachable(c) >= RDSIM_READ_QUORUM;
}

/* A commit is durable once four copies have its redo (facts 4.1): without
 * them it never completes, so the writer's SQLite must not hold it. */
static bool can_commit(const struct rdsim_cluster *c)
{
    return copies_reachable(c) >= RDSIM_WRITE_QUORUM;
}

/* Latency of the fourth-fastest acknowledgement, or -1 without a quorum. */
static rdsim_time_t quorum_latency(struct rdsim_cluster *c)
{
    rdsim_time_t ack[RDSIM_VOLUME_COPIES];
    size_t w = c->writer;
    int n = 0;

    for (int k = 0; k < RDSIM_VOLUME_COPIES; k++) {
        struct rdsim_range r;
        size_t az = volume_of(c)->az[k];
        if (!copy_reachable(c, k))
            continue;
        if (az == c->inst[w].az)
            r = c->sc->topology.rtt_same_az;
        else
            r = c->sc->topology.rtt_cross_az;
        ack[n++] = rdsim_rng_range(&c->rng_net, r.lo, r.hi) +
                   rdsim_rng_range(&c->rng_service, RDSIM_AURORA_SEGMENT_WRITE.lo,
                                   RDSIM_AURORA_SEGMENT_WRITE.hi);
    }
    if (n < RDSIM_WRITE_QUORUM)
        return -1;
    /* Partial selection: the 4th smallest of at most six. */
    for (int a = 0; a < RDSIM_WRITE_QUORUM; a++)
        for (int b = a + 1; b < n; b++)
            if (ack[b] < ack[a]) {
                rdsim_time_t t = ack[a];
                ack[a] = ack[b];
                ack[b] = t;
            }
    return ack[RDSIM_WRITE_QUORUM - 1];
}

/* Aurora PostgreSQL managed RPO (facts 4.6): with rds.global_db_rpo set,
 * commits block while every secondary region lags past it. A region
 * counts as caught up when one of its instances lags at most the RPO. */
static bool rpo_blocks(const struct rdsim_cluster *c)
{
    rdsim_time_t rpo = c->sc->cluster.global_db_rpo;
    size_t wr = c->inst[c->writer].region;
    bool any = false;

    for (size_t r = 0; rpo > 0 && r < c->sc->topology.n_regions; r++) {
        bool in_region = false;
        if (r == wr)
            continue;
        for (size_t i = 0; i < c->n_inst; i++) {
            rdsim_time_t lag;
            if (c->inst[i].region != r || c->inst[i].role != RDSIM_ROLE_REPLICA ||
                c->inst[i].detached)
                continue;
            in_region = true;
            lag = repl_lag(c, i);
            if (lag >= 0 && lag <= rpo)
                return false;
        }
        any |= in_region;
    }
    return any;
}

/* Log when commits start or stop blocking on the managed RPO. */
static bool rpo_check(struct rdsim_cluster *c)
{
    bool blocked = rpo_blocks(c);

    if (blocked == volume_of(c)->rpo_blocked)
        return blocked;
    volume_of(c)->rpo_blocked = blocked;
    cluster_log(c, "rpo", c->inst[c->writer].cfg->name,
                blocked ? "every secondary lags more than rds.global_db_rpo (%.0f s): commits block"
                        : "a secondary is within rds.global_db_rpo (%.0f s) again: commits resume",
                (double)c->sc->cluster.global_db_rpo / RDSIM_S);
    if (blocked && c->obs.writer_down)
        c->obs.writer_down(c->obs.ctx, rdsim_sim_now(c->sim), RDSIM_CAUSE_GLOBAL_DB_RPO);
    return blocked;
}

static rdsim_time_t commit_delay(struct rdsim_cluster *c)
{
    rdsim_time_t q = quorum_latency(c);

    /* Blocked on the managed RPO: the client times out and retries. */
    if (rpo_check(c))
        return RDSIM_TIME_MAX / 4;

    /* No write quorum: the commit cannot complete; the client times out. */
    return q >= 0 ? q : RDSIM_TIME_MAX / 4;
}

/* Log when the volume loses or regains a quorum: one line per change, with
 * the count after it (an outage marks all its AZs before calling here). */
static void quorum_changed(struct rdsim_cluster *c)
{
    int before = volume_of(c)->reachable, now = copies_reachable(c);
    bool w0 = before >= RDSIM_WRITE_QUORUM, w1 = now >= RDSIM_WRITE_QUORUM;
    bool r0 = before >= RDSIM_READ_QUORUM, r1 = now >= RDSIM_READ_QUORUM;
    const char *what = NULL;

    volume_of(c)->reachable = now;
    if (w0 && !w1)
        what = r1 ? "no write quorum (4), writes stop; reads go on"
                  : "no write quorum (4) nor read quorum (3): writes and reads stop";
    else if (r0 && !r1)
        what = "no read quorum (3), reads stop too";
    else if (!w0 && w1)
        what = r0 ? "writes resume" : "reads and writes resume";
    else if (!r0 && r1)
        what = "reads resume";
    if (what)
        cluster_log(c, "quorum", "volume", "%d of 6 copies reachable: %s", now, what);
    if (w0 && !w1 && c->obs.writer_down)
        c->obs.writer_down(c->obs.ctx, rdsim_sim_now(c->sim), RDSIM_CAUSE_NO_WRITE_QUORUM);
}

static void copy_repaired(struct rdsim_sim *sim, void *ctx, uint64_t k)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    volume_of(c)->repair[k] = 0;
    volume_of(c)->down[k] = false;
    cluster_log(c, "repaired", c->az_names[volume_of(c)->az[k]],
                      "volume copy %d rebuilt from the others", (int)k + 1);
    quorum_changed(c);
}

static void storage_failure(struct rdsim_cluster *c, size_t az, int copies, bool has_for,
                            rdsim_time_t for_)
{
    rdsim_time_t repair;

    for (int k = 0; k < RDSIM_VOLUME_COPIES && copies > 0; k++) {
        if (volume_of(c)->az[k] != az || volume_of(c)->down[k])
            continue;
        volume_of(c)->down[k] = true;
        copies--;
        /* Repair re-replicates the segment from the surviving copies: about
         * 10 s for a 10 GB segment (facts 4.1), sooner if the fault is
         * shorter. */
        repair = cluster_draw(c, RDSIM_AURORA_REPAIR);
        if (has_for && for_ < repair)
            repair = for_;
        volume_of(c)->repair[k] = cluster_after(c, repair, copy_repaired, (uint64_t)k);
    }
    quorum_changed(c);
}

/* ---- replicas and endpoints ------------------------------------------------- */

/* True when instance i belongs to the writer's (primary) cluster. */
bool aurora_in_primary(const struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].region == c->inst[c->writer].region;
}

/* How instance i follows the writer: over the shared volume in the primary
 * region, through Global Database storage replication elsewhere. */
enum repl_mode aurora_mode_for(const struct rdsim_cluster *c, size_t i)
{
    return aurora_in_primary(c, i) ? REPL_VOLUME : REPL_GLOBAL;
}

/* The reader endpoint balances over the primary cluster's replicas. */
void aurora_refresh_readers(struct rdsim_cluster *c)
{
    c->n_readers = 0;
    for (size_t i = 0; i < c->n_inst; i++)
        if (i != c->writer && c->inst[i].role == RDSIM_ROLE_REPLICA && instance_is_member(&c->inst[i]) &&
            aurora_in_primary(c, i))
            c->readers[c->n_readers++] = (int)i;
}

static int init(struct rdsim_cluster *c, struct rdsim_err *err)
{
    if (!(c->state = calloc(1, sizeof(struct aurora_volume))))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    aurora_place_volume(c, c->inst[c->writer].region);

    for (size_t i = 0; i < c->n_inst; i++)
        if (i != c->writer)
            repl_attach(c, i, (int)c->writer, aurora_mode_for(c, i));
    c->has_reader_endpoint = true;
    aurora_refresh_readers(c);
    return 0;
}

static void destroy(struct rdsim_cluster *c)
{
    free(c->state);
    c->state = NULL;
}

static enum rdsim_action_support supports(const struct rdsim_cluster *c, enum rdsim_action a)
{
    (void)c;
    switch (a) {
    case RDSIM_ACT_FAILOVER:
        return RDSIM_ACTION_TARGETED;
    case RDSIM_ACT_PROMOTE:
        return RDSIM_ACTION_UNSUPPORTED; /* RDS read replicas only */
    case RDSIM_ACT_BACKTRACK:
        return RDSIM_ACTION_UNSUPPORTED; /* scenario files only (not live) */
    case RDSIM_ACT_AZ_OUTAGE:
    case RDSIM_ACT_REGION_OUTAGE:
    case RDSIM_ACT_INSTANCE_FAILURE:
    case RDSIM_ACT_REBOOT:
    case RDSIM_ACT_REPLICA_LAG:
    case RDSIM_ACT_STORAGE_FAILURE:
    case RDSIM_ACT_GLOBAL_FAILOVER:
    case RDSIM_ACT_LOAD:
    case RDSIM_ACT_SNAPSHOT:
    case RDSIM_ACT_RESTORE:
    case RDSIM_ACT_CREATE_REPLICA:
        break;
    }
    return RDSIM_ACTION_SUPPORTED;
}

/* ---- failover ----------------------------------------------------------------- */

/* Is a better than b by the promotion rules (tier, then size)? 0 = tie. */
static int rank(const struct rdsim_cluster *c, size_t a, size_t b)
{
    int ta = c->inst[a].cfg->tier, tb = c->inst[b].cfg->tier;

    if (ta != tb)
        return ta < tb ? 1 : -1;
    return rdsim_instance_class_compare(c->inst[a].cls, c->inst[b].cls);
}

/* Is instance i a promotion candidate in `region`? */
static bool candidate(const struct rdsim_cluster *c, size_t i, size_t region)
{
    const struct rdsim_instance *in = &c->inst[i];

    return i != c->writer && in->role == RDSIM_ROLE_REPLICA && instance_is_member(in) &&
           in->region == region;
}

int aurora_choose_replica(struct rdsim_cluster *c, struct rdsim_failover *f, int wanted,
                          size_t region)
{
    int best = -1, ties = 0;
    const char *rule = "the only healthy replica";

    failover_explain_anew(f, "candidates:");
    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        if (!candidate(c, i, region))
            continue;
        failover_explain(f, " %s (tier %d, %s, %s, %s)",
               in->cfg->name, in->cfg->tier, in->cls->name, c->az_names[in->az],
               instance_serving(c, i) ? "healthy" : "unreachable");
    }
    if (strcmp(f->explanation, "candidates:") == 0)
        failover_explain(f, " none");
    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        int r;
        (void)in;
        if (!candidate(c, i, region) || !instance_serving(c, i))
            continue;
        if (wanted >= 0) {
            if ((int)i == wanted) {
                best = (int)i;
                rule = "the requested target";
            }
            continue;
        }
        if (best < 0) {
            best = (int)i;
            ties = 1;
            continue;
        }
        r = rank(c, i, (size_t)best);
        if (r > 0) {
            best = (int)i;
            ties = 1;
        } else if (r == 0 && rdsim_rng_below(&c->rng_faults, (uint64_t)++ties) == 0) {
            /* Equal tier and size: AWS picks an arbitrary one (facts 4.4);
             * reservoir sampling keeps it uniform and seeded. */
            best = (int)i;
        }
    }
    if (best >= 0 && wanted < 0) {
        /* Name the rule that decided between the best and the runners-up. */
        bool tier_won = false, size_won = false;
        for (size_t i = 0; i < c->n_inst; i++) {
            if ((int)i == best || !candidate(c, i, region) || !instance_serving(c, i))
                continue;
            if (c->inst[i].cfg->tier != c->inst[best].cfg->tier)
                tier_won = true;
            else if (rdsim_instance_class_compare(c->inst[i].cls, c->inst[best].cls) != 0)
                size_won = true;
        }
        rule = ties > 1 ? "tier and size tie: picked at random"
               : size_won ? "the largest class in the best tier"
               : tier_won ? "the lowest tier"
                          : "the only healthy replica";
    }
    if (best < 0)
        failover_explain(f, "; no healthy replica in %s",
               c->sc->topology.regions[region].name);
    else
        failover_explain(f, "; %s chosen: %s",
               c->inst[best].cfg->name, rule);
    return best;
}

/* The old writer comes back as a reader of the new one (facts 4.5). */
void aurora_rejoin_as_reader(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_err err;

    /* The application writes to a restored instance (backup.c): the old
     * cluster's instance has no writer of its cluster to follow. */
    if (c->repointed) {
        cluster_log(c, "ignored", c->inst[i].cfg->name,
                    "rejoin: the application writes to %s, a restored instance outside "
                    "this cluster", c->inst[c->writer].cfg->name);
        return;
    }
    repl_ship(c, true);
    if (rdsim_sim_failed(c->sim) || rdsim_db_copy(c->inst[i].db, c->inst[c->writer].db, &err) != 0) {
        if (!rdsim_sim_failed(c->sim))
            rdsim_sim_fail(c->sim, &err);
        return;
    }
    c->inst[i].detached = false;
    c->inst[i].role = RDSIM_ROLE_REPLICA;
    repl_attach(c, i, (int)c->writer, aurora_mode_for(c, i));
    aurora_refresh_readers(c);
    cluster_log(c, "rejoined", c->inst[i].cfg->name, "restarted as a reader of %s",
                      c->inst[c->writer].cfg->name);
}

static void replace_reader(struct rdsim_cluster *c, size_t i);

static void promoted(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t fi = arg >> 8, to = arg & 0xff, from = c->writer;
    struct rdsim_failover *f = &c->failovers[fi];

    if (f->superseded)
        return; /* a global failover took over */
    if (strcmp(c->inst[from].cfg->name, f->from) != 0 || !instance_serving(c, to)) {
        failover_abandon(c, f, to, "; abandoned: %s",
                               instance_serving(c, to) ? "the writer changed meanwhile"
                                                             : "the candidate became unreachable");
        if (c->inst[from].fenced)
            instance_unfence(c, from, cluster_draw(c, RDSIM_AURORA_RECOVERY),
                                   "failover abandoned: restarting");
        return;
    }
    /* The replica catches up with everything the volume holds: the tail of
     * the redo stream, then its own backlog. */
    repl_ship(c, true);
    repl_drain(c, to);
    if (rdsim_sim_failed(c->sim))
        return;
    if (failover_crown(c, f, from, to, true) != 0)
        return;
    c->inst[from].detached = true;
    c->inst[from].role = RDSIM_ROLE_REPLICA;
    repl_detach(c, from);
    cluster_log(c, "promoted", c->inst[to].cfg->name,
                      "new writer, caught up with the volume; %llu acknowledged writes missing",
                      (unsigned long long)f->lost_writes);
    failover_follow_writer(c, fi, to, aurora_phase(c, 2));
    aurora_restart_secondaries(c, 0);
    if (c->inst[from].fenced) {
        instance_unfence(c, from, cluster_draw(c, RDSIM_AURORA_RECOVERY),
                               "old writer restarts as a reader");
    } else if (instance_serving(c, from)) {
        aurora_rejoin_as_reader(c, from);
    } else {
        replace_reader(c, from); /* its replacement joins as a reader */
    }
}

static void recreated(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    c->inst[i].recovery = 0;
    cluster_log(c, "recreated", c->inst[i].cfg->name, "new writer instance in %s",
                      c->az_names[c->inst[i].az]);
    instance_host_back(c, i, cluster_draw(c, RDSIM_AURORA_RECOVERY),
                             "recreated writer opens the volume");
}

/* Aurora PostgreSQL's control plane stops every instance in a failover,
 * starts the new writer, then restarts the readers; Aurora MySQL 2.10 and
 * higher restarts only the writer and the failover target (facts 4.4).
 * Aurora MySQL before 2.10 behaves like PostgreSQL. */
static bool failover_restarts_readers(const struct rdsim_cluster *c)
{
    const struct rdsim_cluster_cfg *cc = &c->sc->cluster;

    if (cc->engine == RDSIM_ENGINE_AURORA_POSTGRES)
        return true;
    return cc->version_major >= 0 &&
           (cc->version_major < 2 || (cc->version_major == 2 && cc->version_minor < 10));
}

/* The readers other than the target stop now and restart once the new
 * writer is up (`promotion` from now): reads through the reader endpoint
 * fail meanwhile. */
static void restart_readers(struct rdsim_cluster *c, size_t to, rdsim_time_t promotion)
{
    const char *why = c->sc->cluster.engine == RDSIM_ENGINE_AURORA_POSTGRES
                          ? "failover: Aurora PostgreSQL restarts every reader after the new writer"
                          : "failover: Aurora MySQL before 2.10 restarts every reader after the "
                            "new writer";

    for (size_t i = 0; i < c->n_inst; i++) {
        if (i == to || !candidate(c, i, c->inst[c->writer].region) || !instance_serving(c, i))
            continue;
        instance_start(c, i, promotion + cluster_draw(c, RDSIM_AURORA_RECOVERY), why);
    }
}

/* The failover goes ahead: the best replica by tier, or the writer comes
 * back in place (restarted or recreated). */
static void failover_detected(struct rdsim_cluster *c, struct rdsim_failover *f, int wanted)
{
    size_t w = c->writer;
    int to = aurora_choose_replica(c, f, wanted, c->inst[w].region);
    rdsim_time_t took;

    if (to < 0) {
        if (c->inst[w].fenced) {
            instance_unfence(c, w, cluster_draw(c, RDSIM_AURORA_RECOVERY),
                                   "no replica to fail over to: restarting");
        } else if (c->az_out[c->inst[w].az] > 0) {
            /* Nothing to recreate it in: someone must create an instance in
             * another AZ by hand (facts 4.4). */
            failover_explain(f, "; but its AZ %s is out: nothing is promoted or recreated until it returns",
                   c->az_names[c->inst[w].az]);
        } else if (c->inst[w].host_down && !c->inst[w].recovery) {
            rdsim_time_t t = cluster_draw(c, RDSIM_AURORA_RECREATE);
            failover_explain(f, ": the writer is recreated in %s (%.0f s)",
                   c->az_names[c->inst[w].az], (double)t / RDSIM_S);
            c->inst[w].recovery = cluster_after(c, t, recreated, w);
        }
        cluster_log(c, "detected", c->inst[w].cfg->name, "%s", f->explanation);
        return;
    }
    cluster_log(c, "detected", c->inst[w].cfg->name, "%s", f->explanation);
    failover_set_target(c, f, to);
    took = cluster_draw(c, aurora_phase(c, 1));
    if (failover_restarts_readers(c))
        restart_readers(c, (size_t)to, took);
    cluster_after(c, took, promoted, fo_arg(failover_index(c, f), to));
}

static void start_failover(struct rdsim_cluster *c, enum rdsim_failover_cause cause,
                           int wanted, struct rdsim_range detection)
{
    if (!cluster_failover_running(c))
        failover_begin(c, cause, wanted, detection);
}

/* ---- replacing a dead reader's host ----------------------------------------- */

static void reader_replaced(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    instance_replaced(c, i, "the reader opens the shared volume",
                      cluster_draw(c, RDSIM_AURORA_RECOVERY), "replacement host opens the volume");
}

/* Monitoring noticed that reader i's host is dead: the Host Manager
 * replaces it (facts 4.4), as RDS replaces a standby's. */
static void reader_lost_detected(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    rdsim_time_t t;
    (void)sim;

    c->inst[i].recovery = 0;
    if (!c->inst[i].host_down)
        return; /* healed before monitoring acted */
    t = cluster_draw(c, RDSIM_AURORA_RECREATE);
    cluster_log(c, "detected", c->inst[i].cfg->name, "host failed; replacing the reader (%.0f s)",
                (double)t / RDSIM_S);
    c->inst[i].recovery = cluster_after(c, t, reader_replaced, i);
}

/* A reader's (or a demoted writer's) host died: replace it once detected. */
static void replace_reader(struct rdsim_cluster *c, size_t i)
{
    if (c->inst[i].host_down && !c->inst[i].recovery)
        c->inst[i].recovery = cluster_after(c, cluster_draw(c, aurora_phase(c, 0)),
                                            reader_lost_detected, i);
}

/* ---- the deployment interface ------------------------------------------------ */

static void instance_lost(struct rdsim_cluster *c, size_t i, enum rdsim_failover_cause cause,
                          bool heals)
{
    (void)heals;
    if (i == c->writer)
        start_failover(c, cause, -1, aurora_phase(c, 0));
    else
        replace_reader(c, i);
}

static void instance_back(struct rdsim_cluster *c, size_t i)
{
    if (c->inst[i].detached) {
        aurora_rejoin_as_reader(c, i);
        return;
    }
    for (size_t j = 0; j < c->n_inst; j++)
        if (c->inst[j].source == (int)i)
            repl_resume(c, j);
    repl_resume(c, i);
}

static void fence(struct rdsim_cluster *c, size_t i)
{
    instance_fence(c, i);
}

static void reboot(struct rdsim_cluster *c, size_t i, bool failover)
{
    /* Aurora restarts in seconds (facts 4.1); a reboot with failover
     * promotes a replica like a manual failover. */
    if (i == c->writer && failover && c->n_readers > 0) {
        if (cluster_failover_running(c)) {
            cluster_log(c, "ignored", c->inst[i].cfg->name,
                              "reboot with failover: a failover is under way");
            return;
        }
        fence(c, i);
        start_failover(c, RDSIM_CAUSE_REBOOT, -1, RDSIM_PLANNED_DETECTION);
        return;
    }
    instance_start(c, i, cluster_draw(c, RDSIM_AURORA_RECOVERY),
                         failover ? "reboot (no replica to fail over to)" : "reboot");
}

static void manual_failover(struct rdsim_cluster *c, int target)
{
    if (cluster_failover_running(c) || c->n_readers == 0) {
        cluster_log(c, "ignored", c->inst[c->writer].cfg->name, "failover: %s",
                          c->n_readers ? "a failover is under way" : "no Aurora Replica");
        return;
    }
    /* FailoverDBCluster: the writer is stopped and a replica promoted. */
    if (c->obs.writer_down)
        c->obs.writer_down(c->obs.ctx, rdsim_sim_now(c->sim), RDSIM_CAUSE_FAILOVER);
    fence(c, c->writer);
    start_failover(c, RDSIM_CAUSE_FAILOVER, target, RDSIM_PLANNED_DETECTION);
}

static void promote(struct rdsim_cluster *c, size_t i)
{
    /* The loader refuses promote on Aurora. */
    cluster_log(c, "ignored", c->inst[i].cfg->name, "promote: not an RDS read replica");
}

/* A new Aurora Replica opens the shared volume: no data is copied. */
static rdsim_time_t replica_build_time(struct rdsim_cluster *c, int64_t bytes)
{
    (void)bytes;
    return cluster_draw(c, RDSIM_AURORA_REPLICA_CREATE);
}

const struct rdsim_deployment_ops aurora_ops = {
    .repl_tick = RDSIM_AURORA_TICK,
    .tiers = true,
    .init = init,
    .destroy = destroy,
    .supports = supports,
    .instance_lost = instance_lost,
    .instance_back = instance_back,
    .reboot = reboot,
    .failover = manual_failover,
    .promote = promote,
    .commit_delay = commit_delay,
    .storage_failure = storage_failure,
    .az_changed = quorum_changed,
    .global_failover = aurora_global_failover,
    .refresh_readers = aurora_refresh_readers,
    .failover_detected = failover_detected,
    .can_read = can_read,
    .can_commit = can_commit,
    .writer_restarting = aurora_restart_secondaries,
    .new_replica_mode = REPL_VOLUME,
    .replica_build_time = replica_build_time,
};
