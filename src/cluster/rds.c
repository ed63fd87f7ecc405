/*
 * rds.c - the RDS deployments: Single-AZ, Multi-AZ instance, Multi-AZ
 * cluster, and read replicas on any of them.
 *
 * They differ in their standby (none; one synchronous; two semi-synchronous
 * and readable) and in their failover phase durations (params.h), so one
 * implementation serves all three with a profile each:
 *   - Single-AZ: nothing takes over. A dead host is replaced in place (the
 *     EBS volume survives), an AZ outage is waited out.
 *   - Multi-AZ: the writer's loss starts a failover: detection, choice of a
 *     standby (the only one, or the one with the most recent change),
 *     promotion after it has applied its backlog, then the DNS update of the
 *     writer endpoint. The old writer, when back, resynchronises and rejoins
 *     as a standby; writes only it had are discarded and counted.
 *   - Read replicas are never promoted automatically. `promote` stops
 *     replication (unapplied writes are lost: RPO = lag), reboots the replica
 *     and makes it a standalone writer, which the application then uses.
 *
 * A failover in progress is tracked by index into the cluster's failover
 * list; its events carry that index.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

/* The deployment's own state (c->state). */
struct rds {
    /* Sync or semi-sync: since when no standby answers, -1 while one does.
     * Commits wait for one until RDSIM_SYNC_TIMEOUT, then go on alone. */
    rdsim_time_t standby_lost_at;
    /* Multi-AZ cluster flow control: while on, commits leave the gate one
     * per gate_cost, the next no sooner than gate_free_at. */
    bool throttling;
    rdsim_time_t gate_free_at, gate_cost;
};

static struct rds *rds_of(const struct rdsim_cluster *c)
{
    return c->state;
}

/* Phases of an unplanned failover; a requested one (manual failover,
 * reboot with failover) has no failure to detect and its own promotion. */
struct profile {
    enum repl_mode standby_mode;
    struct rdsim_range detection, promotion, planned_promotion, dns_update;
};

static struct profile profile_of(const struct rdsim_cluster *c)
{
    const struct rdsim_cluster_cfg *cc = &c->sc->cluster;
    struct profile p;

    switch (cc->deployment) {
    case RDSIM_DEPLOY_MULTI_AZ_INSTANCE:
        p = (struct profile){REPL_SYNC, RDSIM_MAZI_DETECTION, RDSIM_MAZI_PROMOTION,
                             RDSIM_MAZI_PLANNED_PROMOTION, RDSIM_MAZI_DNS};
        break;
    case RDSIM_DEPLOY_MULTI_AZ_CLUSTER:
        p = (struct profile){REPL_SEMISYNC, RDSIM_MAZC_DETECTION, RDSIM_MAZC_PROMOTION,
                             RDSIM_MAZC_PLANNED_PROMOTION, RDSIM_MAZC_DNS};
        break;
    default:
        p = (struct profile){REPL_NONE, RDSIM_DETECTION_DEFAULT, {0, 0}, {0, 0}, {0, 0}};
        break;
    }
    if (cc->has_detection)
        p.detection = cc->detection;
    if (cc->has_promotion)
        p.promotion = p.planned_promotion = cc->promotion;
    if (cc->has_dns_update)
        p.dns_update = cc->dns_update;
    return p;
}

/* Does the current writer have a standby (a promoted read replica has
 * none, whatever the deployment)? */
static bool has_standby(const struct rdsim_cluster *c)
{
    for (size_t i = 0; i < c->n_inst; i++)
        if (c->inst[i].role == RDSIM_ROLE_STANDBY &&
            (c->inst[i].source == (int)c->writer || c->inst[i].detached))
            return true;
    return false;
}

/* The reader endpoint's record: the standbys of a Multi-AZ cluster. */
static void refresh_readers(struct rdsim_cluster *c)
{
    if (!c->has_reader_endpoint)
        return;
    c->n_readers = 0;
    for (size_t i = 0; i < c->n_inst; i++)
        if (c->inst[i].role == RDSIM_ROLE_STANDBY && !c->inst[i].detached)
            c->readers[c->n_readers++] = (int)i;
}

static int init(struct rdsim_cluster *c, struct rdsim_err *err)
{
    struct profile p = profile_of(c);
    struct rds *d = calloc(1, sizeof(*d));

    if (!d)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    d->standby_lost_at = -1;
    c->state = d;
    for (size_t i = 0; i < c->n_inst; i++) {
        if (i == c->writer)
            continue;
        repl_attach(c, i, (int)c->writer,
                          c->inst[i].role == RDSIM_ROLE_STANDBY ? p.standby_mode : REPL_ASYNC);
    }
    c->has_reader_endpoint = c->sc->cluster.deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER;
    refresh_readers(c);
    return 0;
}

static void destroy(struct rdsim_cluster *c)
{
    free(c->state);
    c->state = NULL;
}

/* Extra delay a sync/semisync commit waits for its standby. */
static rdsim_time_t standby_wait(struct rdsim_cluster *c, rdsim_time_t now)
{
    size_t w = c->writer;
    rdsim_time_t best = -1;
    bool has_standby = false, sync = false;

    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        rdsim_time_t wait;
        if (in->source != (int)w || (in->mode != REPL_SYNC && in->mode != REPL_SEMISYNC))
            continue;
        has_standby = true;
        sync = in->mode == REPL_SYNC;
        if (!instance_reachable(c, i) || in->starting)
            continue;
        wait = cluster_rtt(c, w, i);
        /* The sync standby writes the block to its own EBS volume before it
         * acknowledges; a semi-sync standby only receives into its relay log. */
        if (sync)
            wait += rdsim_rng_range(&c->rng_service, RDSIM_EBS_COMMIT.lo, RDSIM_EBS_COMMIT.hi);
        if (best < 0 || wait < best)
            best = wait;
    }
    if (!has_standby)
        return 0;
    if (best >= 0)
        return best;
    /* No standby answers: commits hang until the replication timeout, then
     * the writer carries on alone. */
    if (rds_of(c)->standby_lost_at >= 0 && now < rds_of(c)->standby_lost_at + RDSIM_SYNC_TIMEOUT)
        return rds_of(c)->standby_lost_at + RDSIM_SYNC_TIMEOUT - now;
    return 0;
}

static rdsim_time_t commit_delay(struct rdsim_cluster *c)
{
    struct rdsim_range storage = c->sc->cluster.deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER
                                     ? RDSIM_NVME_COMMIT
                                     : RDSIM_EBS_COMMIT;
    rdsim_time_t now = rdsim_sim_now(c->sim);

    return rdsim_rng_range(&c->rng_service, storage.lo, storage.hi) + standby_wait(c, now);
}

/* ---- flow control (Multi-AZ DB cluster) ---------------------------------- */

/* The standby with the slowest applier among those whose apply lag is past
 * the target (once throttling, past 90% of it, so that a lag held at the
 * target does not switch the throttle on and off), or -1. An unreachable
 * standby does not hold the writer back. */
static int throttling_standby(const struct rdsim_cluster *c)
{
    rdsim_time_t target = c->sc->cluster.target_apply_lag;
    int slowest = -1;

    if (rds_of(c)->throttling)
        target -= target / 10;

    if (c->sc->cluster.deployment != RDSIM_DEPLOY_MULTI_AZ_CLUSTER)
        return -1;
    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        if (in->source != (int)c->writer || in->mode != REPL_SEMISYNC || !instance_serving(c, i) ||
            repl_lag(c, i) <= target)
            continue;
        if (slowest < 0 || in->apply_cost > c->inst[slowest].apply_cost)
            slowest = (int)i;
    }
    return slowest;
}

/* MySQL's rpl_semi_sync_master_target_apply_lag and PostgreSQL's
 * flow_control extension delay each commit while a reader lags past the
 * target (facts 2). The delay is modelled by its effect: commits leave no
 * faster than that reader applies, so its lag stops growing; the writes
 * queued behind the gate keep their order, and leave it before any new
 * write goes straight through. A write that would wait past its client's
 * timeout is rolled back when the client hangs up, and books nothing: the
 * gate never runs more than a timeout ahead (UNCONFIRMED: AWS does not say
 * what a client that gives up during the delay leaves behind). */
static rdsim_time_t commit_gate(struct rdsim_cluster *c, rdsim_time_t done,
                                rdsim_time_t deadline)
{
    struct rds *d = rds_of(c);
    int s = throttling_standby(c);
    rdsim_time_t t;

    if (s < 0 && d->gate_free_at <= done) {
        if (d->throttling)
            cluster_log(c, "flow-control", c->inst[c->writer].cfg->name,
                        "every standby's apply lag is under the target: commits no longer "
                        "delayed");
        d->throttling = false;
        d->gate_free_at = 0; /* drained: vCPUs finish out of order */
        return done;
    }
    if (s >= 0)
        d->gate_cost = c->inst[s].apply_cost;
    if (!d->throttling && s >= 0)
        cluster_log(c, "flow-control", c->inst[c->writer].cfg->name,
                    "%s's apply lag passed the target (%.0f s): commits delayed to its apply "
                    "rate (%.0f/s)",
                    c->inst[s].cfg->name, (double)c->sc->cluster.target_apply_lag / RDSIM_S,
                    d->gate_cost > 0 ? (double)RDSIM_S / (double)d->gate_cost : 0.0);
    d->throttling = true;
    t = d->gate_free_at > done ? d->gate_free_at : done;
    if (t > deadline)
        return -1;
    d->gate_free_at = t + d->gate_cost;
    return t;
}

static enum rdsim_action_support supports(const struct rdsim_cluster *c, enum rdsim_action a)
{
    enum rdsim_deployment d = c->sc->cluster.deployment;

    switch (a) {
    case RDSIM_ACT_FAILOVER:
        /* A Multi-AZ instance has one standby: no target to name. */
        return d == RDSIM_DEPLOY_MULTI_AZ_CLUSTER    ? RDSIM_ACTION_TARGETED
               : d == RDSIM_DEPLOY_MULTI_AZ_INSTANCE ? RDSIM_ACTION_SUPPORTED
                                                     : RDSIM_ACTION_UNSUPPORTED;
    case RDSIM_ACT_STORAGE_FAILURE:
    case RDSIM_ACT_GLOBAL_FAILOVER:
    case RDSIM_ACT_BACKTRACK:
        return RDSIM_ACTION_UNSUPPORTED;
    case RDSIM_ACT_CREATE_REPLICA:
        return d == RDSIM_DEPLOY_MULTI_AZ_CLUSTER ? RDSIM_ACTION_UNSUPPORTED
                                                  : RDSIM_ACTION_SUPPORTED;
    case RDSIM_ACT_AZ_OUTAGE:
    case RDSIM_ACT_REGION_OUTAGE:
    case RDSIM_ACT_INSTANCE_FAILURE:
    case RDSIM_ACT_REBOOT:
    case RDSIM_ACT_PROMOTE:
    case RDSIM_ACT_REPLICA_LAG:
    case RDSIM_ACT_LOAD:
    case RDSIM_ACT_SNAPSHOT:
    case RDSIM_ACT_RESTORE:
        break;
    }
    return RDSIM_ACTION_SUPPORTED;
}

static bool serves_reads(const struct rdsim_cluster *c, size_t i)
{
    /* A Multi-AZ instance's standby is not readable (facts 1). */
    return !(c->inst[i].role == RDSIM_ROLE_STANDBY &&
             c->sc->cluster.deployment == RDSIM_DEPLOY_MULTI_AZ_INSTANCE);
}

/* ---- single-AZ recovery in place ----------------------------------------- */

static void replaced(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    instance_replaced(c, i, "EBS volume reattached", cluster_draw(c, RDSIM_CRASH_RECOVERY),
                      "replacement host booted");
}

/* Instance i is known to be gone and nothing takes over: replace a dead
 * host, or wait for its AZ. `kind` names the timeline entry: "detected"
 * when monitoring has just noticed, "replacing" after a failover's own
 * detection. */
static void replace_or_wait(struct rdsim_cluster *c, size_t i, const char *kind)
{
    struct rdsim_instance *in = &c->inst[i];
    rdsim_time_t replace;

    if (instance_reachable(c, i) || in->recovery)
        return;
    if (!in->host_down) {
        cluster_log(c, kind, in->cfg->name,
                          "unreachable: %s is out; the instance waits for its AZ",
                          c->az_names[in->az]);
        return;
    }
    replace = cluster_draw(c, RDSIM_HOST_REPLACEMENT);
    cluster_log(c, kind, in->cfg->name, "host failed; replacing the host (%.0f s)",
                      (double)replace / RDSIM_S);
    in->recovery = cluster_after(c, replace, replaced, i);
}

/* RDS monitoring noticed that instance i is gone. */
static void detected_in_place(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    c->inst[i].recovery = 0;
    replace_or_wait(c, i, "detected"); /* nothing if it healed before monitoring noticed */
}

static void recover_in_place(struct rdsim_cluster *c, size_t i)
{
    if (!c->inst[i].recovery)
        c->inst[i].recovery = cluster_after(
            c, cluster_draw(c, profile_of(c).detection), detected_in_place, i);
}

/* RDS stops the writer for a planned or manual failover and keeps it down
 * until the standby is promoted, so that it never takes writes the new
 * writer would not have. */
static void fence(struct rdsim_cluster *c, size_t i)
{
    instance_fence(c, i);
}

static void unfence(struct rdsim_cluster *c, size_t i, const char *why)
{
    instance_unfence(c, i, cluster_draw(c, RDSIM_REBOOT), why);
}

/* ---- failover -------------------------------------------------------------- */

/* Pick the standby to promote and explain why; -1 when none can be. */
static int choose_standby(struct rdsim_cluster *c, struct rdsim_failover *f, int wanted)
{
    int best = -1;

    failover_explain_anew(f, "candidates:");
    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        if (in->role != RDSIM_ROLE_STANDBY || in->detached || i == c->writer)
            continue;
        failover_explain(f, " %s (%s, %s, backlog %.1f s)",
               in->cfg->name, c->az_names[in->az],
               !instance_serving(c, i)     ? "unreachable"
               : in->needs_resync ? "out of sync: it missed writes while unreachable"
                                  : "healthy",
               (double)repl_backlog_time(c, i) / RDSIM_S);
        if (!instance_serving(c, i) || in->needs_resync)
            continue;
        if (wanted >= 0) {
            if ((int)i == wanted)
                best = (int)i;
            continue;
        }
        /* The standby with the most recent change record wins (facts 2);
         * ties go to the one with less to apply, then to file order. */
        if (best < 0 || repl_received_up_to(c, i) > repl_received_up_to(c, (size_t)best) ||
            (repl_received_up_to(c, i) == repl_received_up_to(c, (size_t)best) &&
             repl_backlog_time(c, i) < repl_backlog_time(c, (size_t)best)))
            best = (int)i;
    }
    if (best < 0)
        failover_explain(f, wanted >= 0 ? "; the requested standby cannot be promoted"
                           : "; none is reachable: no failover, the writer must come back");
    else if (wanted >= 0)
        failover_explain(f, "; %s chosen as requested",
               c->inst[best].cfg->name);
    else
        failover_explain(f, "; %s chosen: %s",
               c->inst[best].cfg->name,
               c->sc->cluster.deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER
                   ? "the most recent change record"
                   : "the synchronous standby");
    return best;
}

static void promoted(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t fi = arg >> 8, to = arg & 0xff, from = c->writer;
    struct rdsim_failover *f = &c->failovers[fi];
    int again;

    if (strcmp(c->inst[from].cfg->name, f->from) != 0) {
        failover_abandon(c, f, to, "; abandoned: %s became the writer meanwhile",
                               c->inst[from].cfg->name);
        return;
    }
    if (!instance_serving(c, to) || c->inst[to].needs_resync) {
        /* The candidate is gone: try the others before giving up. */
        failover_explain(f, "; %s became unreachable before promotion",
               c->inst[to].cfg->name);
        again = choose_standby(c, f, -1);
        if (again >= 0) {
            failover_set_target(c, f, again);
            cluster_log(c, "detected", c->inst[from].cfg->name, "%s", f->explanation);
            cluster_after(c, repl_backlog_time(c, (size_t)again), promoted,
                                fo_arg(fi, again));
            return;
        }
        failover_set_target(c, f, -1);
        cluster_log(c, "abandoned", c->inst[to].cfg->name,
                          "promotion abandoned: no standby can be promoted; the writer "
                          "recovers in place");
        unfence(c, from, "failover abandoned: restarting in place");
        replace_or_wait(c, from, "replacing");
        return;
    }
    /* Whatever the old writer committed since the failover began reached
     * its standbys before it was acknowledged. */
    repl_ship(c, true);
    repl_drain(c, to);
    if (rdsim_sim_failed(c->sim))
        return;
    /* The old writer's disk still holds what it committed: what the new
     * writer lacks will be discarded when the old one rejoins. */
    if (failover_diverged(c, from, to, &f->discarded_writes) != 0)
        return;
    if (failover_crown(c, f, from, to, true) != 0)
        return;
    rds_of(c)->standby_lost_at = -1;
    /* What waited at the old writer's gate died with it. */
    rds_of(c)->gate_free_at = 0;
    rds_of(c)->throttling = false;
    /* The old writer becomes a standby once it is back and resynchronised. */
    c->inst[from].role = RDSIM_ROLE_STANDBY;
    c->inst[from].detached = true;
    repl_detach(c, from);
    cluster_log(c, "promoted", c->inst[to].cfg->name,
                      "new writer; %llu acknowledged writes missing, %llu writes of %s to discard",
                      (unsigned long long)f->lost_writes, (unsigned long long)f->discarded_writes,
                      c->inst[from].cfg->name);
    failover_follow_writer(c, fi, to, profile_of(c).dns_update);
    if (c->inst[from].fenced)
        unfence(c, from, "old writer restarts to rejoin as a standby");
    else if (instance_serving(c, from))
        c->ops->instance_back(c, from);
    else
        replace_or_wait(c, from, "replacing"); /* the replaced host becomes the new standby */
}

/* The failover goes ahead: the most advanced standby, promoted once it has
 * applied its backlog. */
static void failover_detected(struct rdsim_cluster *c, struct rdsim_failover *f, int wanted)
{
    struct profile p = profile_of(c);
    rdsim_time_t wait = 0;
    int to = choose_standby(c, f, wanted);

    cluster_log(c, "detected", c->inst[c->writer].cfg->name, "%s", f->explanation);
    if (to < 0) {
        /* Nobody to take over: the writer restarts, or its host is replaced. */
        unfence(c, c->writer, "no standby to fail over to: restarting in place");
        replace_or_wait(c, c->writer, "replacing");
        return;
    }
    failover_set_target(c, f, to);
    /* A standby is promoted only once it has applied what it received: MySQL
     * waits for both standbys, PostgreSQL for the chosen one (facts 2). */
    for (size_t i = 0; i < c->n_inst; i++) {
        rdsim_time_t b;
        if (c->inst[i].role != RDSIM_ROLE_STANDBY || c->inst[i].detached || !instance_serving(c, i))
            continue;
        if ((int)i != to && (c->sc->cluster.engine == RDSIM_ENGINE_POSTGRES ||
                             c->sc->cluster.deployment != RDSIM_DEPLOY_MULTI_AZ_CLUSTER))
            continue;
        b = repl_backlog_time(c, i);
        if (b > wait)
            wait = b;
    }
    if (wait > 0)
        failover_explain(f, "; waits %.1f s for backlog apply",
               (double)wait / RDSIM_S);
    cluster_after(c,
                  cluster_draw(c, rdsim_failover_cause_is_requested(f->cause)
                                      ? p.planned_promotion
                                      : p.promotion) +
                      wait,
                  promoted, fo_arg(failover_index(c, f), to));
}

static void start_failover(struct rdsim_cluster *c, enum rdsim_failover_cause cause,
                           int wanted, struct rdsim_range detection)
{
    /* The standby mirrored everything the writer committed: hand it over
     * with the tail of the current tick. */
    repl_ship(c, true);
    failover_begin(c, cause, wanted, detection);
}

/* ---- the deployment interface ------------------------------------------------ */

/* Does any standby of the writer acknowledge commits right now? */
static bool standby_answers(const struct rdsim_cluster *c)
{
    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        if (in->source == (int)c->writer && (in->mode == REPL_SYNC || in->mode == REPL_SEMISYNC) &&
            instance_serving(c, i))
            return true;
    }
    return false;
}

static void standby_lost(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;
    (void)arg;

    if (rds_of(c)->standby_lost_at < 0 || standby_answers(c))
        return;
    cluster_log(c, "redundancy", c->inst[c->writer].cfg->name,
                      "no standby answered for %.0f s: the writer commits alone",
                      (double)RDSIM_SYNC_TIMEOUT / RDSIM_S);
}

static void instance_lost(struct rdsim_cluster *c, size_t i, enum rdsim_failover_cause cause,
                          bool heals)
{
    (void)heals;

    /* A standby's or replica's dead host is replaced too (facts 1: RDS
     * creates a new standby); it resynchronises when it is back. */
    if (i != c->writer && c->inst[i].host_down && !c->inst[i].recovery)
        recover_in_place(c, i);
    if (i == c->writer) {
        if (!has_standby(c))
            recover_in_place(c, i);
        else if (!cluster_failover_running(c))
            start_failover(c, cause, -1, profile_of(c).detection);
        return;
    }
    if (c->inst[i].source == (int)c->writer &&
        (c->inst[i].mode == REPL_SYNC || c->inst[i].mode == REPL_SEMISYNC) &&
        rds_of(c)->standby_lost_at < 0 && !standby_answers(c) && instance_serving(c, c->writer)) {
        /* Every standby is gone: commits stall until the timeout. */
        rds_of(c)->standby_lost_at = rdsim_sim_now(c->sim);
        cluster_log(c, "redundancy", c->inst[i].cfg->name,
                          "standby unreachable: commits wait up to %.0f s for it",
                          (double)RDSIM_SYNC_TIMEOUT / RDSIM_S);
        cluster_after(c, RDSIM_SYNC_TIMEOUT, standby_lost, i);
    }
}

static void instance_back(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];
    struct rdsim_err err;

    if (in->detached && in->role == RDSIM_ROLE_STANDBY) {
        /* A former writer: resynchronise from the new writer, then serve as
         * its standby. */
        /* Work in flight on it as a writer is void; ship the new writer's
         * open tick first: the other targets must get it too. */
        instance_reset(c, i);
        repl_ship(c, false);
        if (rdsim_sim_failed(c->sim) || rdsim_db_copy(in->db, c->inst[c->writer].db, &err) != 0) {
            if (!rdsim_sim_failed(c->sim))
                rdsim_sim_fail(c->sim, &err);
            return;
        }
        in->detached = false;
        repl_attach(c, i, (int)c->writer, profile_of(c).standby_mode);
        refresh_readers(c);
        cluster_log(c, "rejoined", in->cfg->name,
                          "resynchronised from %s; standby again",
                          c->inst[c->writer].cfg->name);
        return;
    }
    /* Its replicas receive again what it had not sent them. */
    for (size_t j = 0; j < c->n_inst; j++)
        if (c->inst[j].source == (int)i)
            repl_resume(c, j);
    repl_resume(c, i);
    /* A standby is back while the writer is still gone and nothing is
     * being done about it: fail over now. */
    if (i != c->writer && in->role == RDSIM_ROLE_STANDBY && !in->detached &&
        !instance_serving(c, c->writer) && !c->inst[c->writer].fenced && has_standby(c) &&
        !cluster_failover_running(c)) {
        start_failover(c, RDSIM_CAUSE_STANDBY_BACK, -1, profile_of(c).detection);
    }
    if (rds_of(c)->standby_lost_at >= 0 && in->source == (int)c->writer &&
        (in->mode == REPL_SYNC || in->mode == REPL_SEMISYNC)) {
        rds_of(c)->standby_lost_at = -1;
        cluster_log(c, "redundancy", in->cfg->name, "standby back: commits are mirrored");
    }
}

static void reboot(struct rdsim_cluster *c, size_t i, bool failover)
{
    if (i == c->writer && failover && has_standby(c)) {
        if (cluster_failover_running(c)) {
            cluster_log(c, "ignored", c->inst[i].cfg->name,
                              "reboot with failover: a failover is under way");
            return;
        }
        fence(c, i);
        /* RDS initiates it: no failure to detect (docs/model.md). */
        start_failover(c, RDSIM_CAUSE_REBOOT, -1, RDSIM_PLANNED_DETECTION);
        return;
    }
    instance_start(c, i, cluster_draw(c, RDSIM_REBOOT),
                         failover ? "reboot (no standby to fail over to)" : "reboot");
    if (i != c->writer)
        instance_lost(c, i, RDSIM_CAUSE_REBOOT, true);
}

static void manual_failover(struct rdsim_cluster *c, int target)
{
    /* RDS stops the writer and promotes a standby (FailoverDBCluster): it
     * knows the writer is gone, so no failure detection runs. */
    if (cluster_failover_running(c) || !has_standby(c)) {
        cluster_log(c, "ignored", c->inst[c->writer].cfg->name, "failover: %s",
                          has_standby(c) ? "a failover is under way" : "no standby");
        return;
    }
    if (c->obs.writer_down)
        c->obs.writer_down(c->obs.ctx, rdsim_sim_now(c->sim), RDSIM_CAUSE_FAILOVER);
    fence(c, c->writer);
    start_failover(c, RDSIM_CAUSE_FAILOVER, target, RDSIM_PLANNED_DETECTION);
}

static void promote_done(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t fi = arg >> 8, to = arg & 0xff, from = c->writer;
    struct rdsim_failover *f = &c->failovers[fi];

    if (strcmp(c->inst[from].cfg->name, f->from) != 0) {
        failover_explain(f, "; abandoned: %s became the writer meanwhile",
               c->inst[from].cfg->name);
        cluster_log(c, "abandoned", c->inst[to].cfg->name, "%s", f->explanation);
        return;
    }
    if (failover_crown(c, f, from, to, false) != 0)
        return;
    rds_of(c)->standby_lost_at = -1;
    /* The application now uses the promoted instance's own endpoint. */
    failover_repoint(c, f, to);
    /* The old writer is no longer part of this application's cluster. */
    c->inst[from].detached = true;
    cluster_log(c, "promoted", c->inst[to].cfg->name,
                      "standalone writer; the application now writes here; %llu acknowledged "
                      "writes missing",
                      (unsigned long long)f->lost_writes);
}

static void promote(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_failover *f;
    rdsim_time_t lag = repl_staleness(c, i), took;
    uint64_t dropped;

    if (c->inst[i].source < 0 || c->inst[i].detached) {
        cluster_log(c, "ignored", c->inst[i].cfg->name, "promote: not a replica");
        return;
    }
    if (cluster_failover_running(c)) {
        cluster_log(c, "ignored", c->inst[i].cfg->name,
                          "promote: a failover is under way; promote it afterwards");
        return;
    }
    f = failover_open(c, RDSIM_CAUSE_PROMOTE);
    if (!f)
        return;
    failover_set_target(c, f, (int)i);
    failover_mark_detected(c, f);
    /* Staleness stops counting when a source goes dark
     * (repl_staleness): it is how far behind replication stopped. */
    dropped = repl_detach(c, i);
    failover_set_unapplied(f, dropped);
    c->inst[i].role = RDSIM_ROLE_WRITER;
    failover_explain_anew(f,
                          "read replica %s promoted on request (never automatic); replication "
                          "stopped %.1f s behind its source, %llu writes never applied",
                          c->inst[i].cfg->name, (double)lag / RDSIM_S, (unsigned long long)dropped);
    cluster_log(c, "promoting", c->inst[i].cfg->name, "%s", f->explanation);
    took = cluster_draw(c, RDSIM_REPLICA_PROMOTION);
    instance_start(c, i, took, "promotion reboots the replica");
    cluster_after(c, took, promote_done, fo_arg(failover_index(c, f), (int)i));
}

/* A read replica is built from a snapshot of its source, restored to a
 * new instance: both steps copy the data (params.h). */
static rdsim_time_t replica_build_time(struct rdsim_cluster *c, int64_t bytes)
{
    rdsim_time_t copy = (rdsim_time_t)((double)bytes / RDSIM_BACKUP_COPY_BYTES_PER_S *
                                       (double)RDSIM_S);

    return cluster_draw(c, RDSIM_SNAPSHOT_BASE) + cluster_draw(c, RDSIM_RESTORE_BASE) + 2 * copy;
}

const struct rdsim_deployment_ops rds_ops = {
    .repl_tick = RDSIM_REPLICATION_TICK,
    .init = init,
    .destroy = destroy,
    .commit_delay = commit_delay,
    .commit_gate = commit_gate,
    .supports = supports,
    .serves_reads = serves_reads,
    .instance_lost = instance_lost,
    .instance_back = instance_back,
    .reboot = reboot,
    .failover = manual_failover,
    .promote = promote,
    .refresh_readers = refresh_readers,
    .failover_detected = failover_detected,
    .new_replica_mode = REPL_ASYNC,
    .replica_build_time = replica_build_time,
};
