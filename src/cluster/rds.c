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
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

struct profile {
    enum repl_mode standby_mode;
    struct rdsim_range detection, promotion, dns_update;
};

static struct profile profile_of(const struct rdsim_cluster *c)
{
    const struct rdsim_cluster_cfg *cc = &c->sc->cluster;
    struct profile p;

    switch (cc->deployment) {
    case RDSIM_DEPLOY_MULTI_AZ_INSTANCE:
        p = (struct profile){REPL_SYNC, RDSIM_MAZI_DETECTION, RDSIM_MAZI_PROMOTION,
                             RDSIM_MAZI_DNS};
        break;
    case RDSIM_DEPLOY_MULTI_AZ_CLUSTER:
        p = (struct profile){REPL_SEMISYNC, RDSIM_MAZC_DETECTION, RDSIM_MAZC_PROMOTION,
                             RDSIM_MAZC_DNS};
        break;
    default:
        p = (struct profile){REPL_NONE, RDSIM_DETECTION_DEFAULT, {0, 0}, {0, 0}};
        break;
    }
    if (cc->has_detection)
        p.detection = cc->detection;
    if (cc->has_promotion)
        p.promotion = cc->promotion;
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

static bool serving(const struct rdsim_cluster *c, size_t i)
{
    return rdsim_instance_reachable(c, i) && !c->inst[i].starting;
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
    (void)err;

    for (size_t i = 0; i < c->n_inst; i++) {
        if (i == c->writer)
            continue;
        rdsim_repl_attach(c, i, (int)c->writer,
                          c->inst[i].role == RDSIM_ROLE_STANDBY ? p.standby_mode : REPL_ASYNC);
    }
    c->has_reader_endpoint = c->sc->cluster.deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER;
    refresh_readers(c);
    return 0;
}

/* ---- single-AZ recovery in place ----------------------------------------- */

static void replaced(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    c->inst[i].recovery = 0;
    rdsim_cluster_log(c, "replaced", c->inst[i].cfg->name,
                      "new host in %s, EBS volume reattached", c->az_names[c->inst[i].az]);
    rdsim_instance_host_back(c, i, rdsim_cluster_draw(c, RDSIM_CRASH_RECOVERY),
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

    if (rdsim_instance_reachable(c, i) || in->recovery)
        return;
    if (!in->host_down) {
        rdsim_cluster_log(c, kind, in->cfg->name,
                          "unreachable: %s is out; the instance waits for its AZ",
                          c->az_names[in->az]);
        return;
    }
    replace = rdsim_cluster_draw(c, RDSIM_HOST_REPLACEMENT);
    rdsim_cluster_log(c, kind, in->cfg->name, "host failed; replacing the host (%.0f s)",
                      (double)replace / RDSIM_S);
    in->recovery = rdsim_cluster_after(c, replace, replaced, i);
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
        c->inst[i].recovery = rdsim_sim_after(
            c->sim, rdsim_cluster_draw(c, profile_of(c).detection), detected_in_place, c, i);
}

/* RDS stops the writer for a planned or manual failover and keeps it down
 * until the standby is promoted, so that it never takes writes the new
 * writer would not have. */
static void fence(struct rdsim_cluster *c, size_t i)
{
    rdsim_instance_fence(c, i);
}

static void unfence(struct rdsim_cluster *c, size_t i, const char *why)
{
    rdsim_instance_unfence(c, i, rdsim_cluster_draw(c, RDSIM_REBOOT), why);
}

/* ---- failover -------------------------------------------------------------- */

/* The last batch a standby has received: the more recent, the better. */
static rdsim_time_t received_up_to(const struct rdsim_cluster *c, size_t i)
{
    const struct rdsim_instance *in = &c->inst[i];

    if (in->q.len == 0)
        return in->applied_commit;
    return c->batches[in->q.batch[(in->q.head + in->q.len - 1) % in->q.cap]].last_commit;
}

/* Pick the standby to promote and explain why; -1 when none can be. */
static int choose_standby(struct rdsim_cluster *c, struct rdsim_failover *f, int wanted)
{
    int best = -1;

    snprintf(f->explanation, sizeof(f->explanation), "candidates:");
    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        if (in->role != RDSIM_ROLE_STANDBY || in->detached || i == c->writer)
            continue;
        rdsim_failover_explain(f, " %s (%s, %s, backlog %.1f s)",
               in->cfg->name, c->az_names[in->az],
               !serving(c, i)     ? "unreachable"
               : in->needs_resync ? "out of sync: it missed writes while unreachable"
                                  : "healthy",
               (double)rdsim_repl_backlog_time(c, i) / RDSIM_S);
        if (!serving(c, i) || in->needs_resync)
            continue;
        if (wanted >= 0) {
            if ((int)i == wanted)
                best = (int)i;
            continue;
        }
        /* The standby with the most recent change record wins (facts 2);
         * ties go to the one with less to apply, then to file order. */
        if (best < 0 || received_up_to(c, i) > received_up_to(c, (size_t)best) ||
            (received_up_to(c, i) == received_up_to(c, (size_t)best) &&
             rdsim_repl_backlog_time(c, i) < rdsim_repl_backlog_time(c, (size_t)best)))
            best = (int)i;
    }
    if (best < 0)
        rdsim_failover_explain(f, wanted >= 0 ? "; the requested standby cannot be promoted"
                           : "; none is reachable: no failover, the writer must come back");
    else if (wanted >= 0)
        rdsim_failover_explain(f, "; %s chosen as requested",
               c->inst[best].cfg->name);
    else
        rdsim_failover_explain(f, "; %s chosen: %s",
               c->inst[best].cfg->name,
               c->sc->cluster.deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER
                   ? "the most recent change record"
                   : "the synchronous standby");
    return best;
}

/* Failover events carry (failover index << 8 | phase target). */
/* Make instance `to` the writer now: the clients' record is checked against
 * its data, replicas follow it, endpoints start switching. */
static int take_over(struct rdsim_cluster *c, struct rdsim_failover *f, size_t from, size_t to,
                     bool follow)
{
    struct rdsim_err err;

    if (c->obs.new_writer &&
        c->obs.new_writer(c->obs.ctx, c->inst[to].db, &f->lost_writes, &f->lost_writes_bounded,
                          &err) != 0) {
        rdsim_cluster_fail(c, &err);
        return err.code;
    }
    c->writer = to;
    c->inst[to].role = RDSIM_ROLE_WRITER;
    c->tick_first_commit = -1;
    c->standby_lost_at = -1;
    if (follow) {
        /* Replicas of a Multi-AZ source switch to the new writer, which
         * holds the old one's log (facts 1). */
        for (size_t i = 0; i < c->n_inst; i++) {
            if (c->inst[i].source == (int)from) {
                c->inst[i].source = (int)to;
                rdsim_repl_resume(c, i);
            }
        }
    }
    return 0;
}

static void promoted(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t fi = arg >> 8, to = arg & 0xff, from = c->writer;
    struct rdsim_failover *f = &c->failovers[fi];
    int again;

    if (strcmp(c->inst[from].cfg->name, f->from) != 0) {
        rdsim_failover_explain(f, "; abandoned: %s became the writer meanwhile",
               c->inst[from].cfg->name);
        f->to[0] = '\0';
        rdsim_cluster_log(c, "abandoned", c->inst[to].cfg->name, "%s", f->explanation);
        return;
    }
    if (!serving(c, to) || c->inst[to].needs_resync) {
        /* The candidate is gone: try the others before giving up. */
        rdsim_failover_explain(f, "; %s became unreachable before promotion",
               c->inst[to].cfg->name);
        again = choose_standby(c, f, -1);
        if (again >= 0) {
            snprintf(f->to, sizeof(f->to), "%s", c->inst[again].cfg->name);
            rdsim_cluster_log(c, "detected", c->inst[from].cfg->name, "%s", f->explanation);
            rdsim_cluster_after(c, rdsim_repl_backlog_time(c, (size_t)again), promoted,
                                rdsim_fo_arg(fi, again));
            return;
        }
        f->to[0] = '\0';
        rdsim_cluster_log(c, "abandoned", c->inst[to].cfg->name,
                          "promotion abandoned: no standby can be promoted; the writer "
                          "recovers in place");
        unfence(c, from, "failover abandoned: restarting in place");
        replace_or_wait(c, from, "replacing");
        return;
    }
    /* Whatever the old writer committed since the failover began reached
     * its standbys before it was acknowledged. */
    rdsim_repl_ship(c, true);
    rdsim_repl_drain(c, to);
    if (c->error.code)
        return;
    /* The old writer's disk still holds what it committed: what the new
     * writer lacks will be discarded when the old one rejoins. */
    if (rdsim_cluster_diverged(c, from, to, &f->discarded_writes) != 0)
        return;
    rdsim_repl_detach(c, to);
    if (take_over(c, f, from, to, true) != 0)
        return;
    f->promoted = rdsim_sim_now(sim);
    /* The old writer becomes a standby once it is back and resynchronised. */
    c->inst[from].role = RDSIM_ROLE_STANDBY;
    c->inst[from].detached = true;
    rdsim_repl_detach(c, from);
    rdsim_cluster_log(c, "promoted", c->inst[to].cfg->name,
                      "new writer; %llu acknowledged writes missing, %llu writes of %s to discard",
                      (unsigned long long)f->lost_writes, (unsigned long long)f->discarded_writes,
                      c->inst[from].cfg->name);
    rdsim_cluster_follow_writer(c, fi, to, profile_of(c).dns_update);
    if (c->inst[from].fenced)
        unfence(c, from, "old writer restarts to rejoin as a standby");
    else if (serving(c, from))
        c->ops->instance_back(c, from);
    else
        replace_or_wait(c, from, "replacing"); /* the replaced host becomes the new standby */
}

static void detected(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t fi = arg >> 8;
    int wanted = (int)(arg & 0xff) == 0xff ? -1 : (int)(arg & 0xff);
    struct rdsim_failover *f = &c->failovers[fi];
    struct profile p = profile_of(c);
    rdsim_time_t wait = 0;
    int to;

    f->detected = rdsim_sim_now(sim);
    if (serving(c, c->writer) && strcmp(f->cause, "failover") != 0 &&
        strcmp(f->cause, "reboot") != 0) {
        snprintf(f->explanation, sizeof(f->explanation),
                 "the writer was back before the failure was acted on: no failover");
        rdsim_cluster_log(c, "detected", c->inst[c->writer].cfg->name, "%s", f->explanation);
        return;
    }
    to = choose_standby(c, f, wanted);
    rdsim_cluster_log(c, "detected", c->inst[c->writer].cfg->name, "%s", f->explanation);
    if (to < 0) {
        /* Nobody to take over: the writer restarts, or its host is replaced. */
        unfence(c, c->writer, "no standby to fail over to: restarting in place");
        replace_or_wait(c, c->writer, "replacing");
        return;
    }
    snprintf(f->to, sizeof(f->to), "%s", c->inst[to].cfg->name);
    /* A standby is promoted only once it has applied what it received: MySQL
     * waits for both standbys, PostgreSQL for the chosen one (facts 2). */
    for (size_t i = 0; i < c->n_inst; i++) {
        rdsim_time_t b;
        if (c->inst[i].role != RDSIM_ROLE_STANDBY || c->inst[i].detached || !serving(c, i))
            continue;
        if ((int)i != to && (c->sc->cluster.engine == RDSIM_ENGINE_POSTGRES ||
                             c->sc->cluster.deployment != RDSIM_DEPLOY_MULTI_AZ_CLUSTER))
            continue;
        b = rdsim_repl_backlog_time(c, i);
        if (b > wait)
            wait = b;
    }
    if (wait > 0)
        rdsim_failover_explain(f, "; waits %.1f s for backlog apply",
               (double)wait / RDSIM_S);
    rdsim_cluster_after(c, rdsim_cluster_draw(c, p.promotion) + wait, promoted,
                    rdsim_fo_arg(fi, to));
}

/* Open a failover record and schedule its detection. */
static void start_failover(struct rdsim_cluster *c, const char *cause, int wanted,
                           struct rdsim_range detection)
{
    struct rdsim_failover *f = rdsim_cluster_new_failover(c);

    if (!f)
        return;
    snprintf(f->cause, sizeof(f->cause), "%s", cause);
    snprintf(f->from, sizeof(f->from), "%s", c->inst[c->writer].cfg->name);
    /* The standby mirrored everything the writer committed: hand it over
     * with the tail of the current tick. */
    rdsim_repl_ship(c, true);
    rdsim_cluster_after(c, rdsim_cluster_draw(c, detection), detected,
                    rdsim_fo_arg((size_t)(f - c->failovers), wanted));
}

/* ---- the deployment interface ------------------------------------------------ */

/* Does any standby of the writer acknowledge commits right now? */
static bool standby_answers(const struct rdsim_cluster *c)
{
    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        if (in->source == (int)c->writer && (in->mode == REPL_SYNC || in->mode == REPL_SEMISYNC) &&
            serving(c, i))
            return true;
    }
    return false;
}

static void standby_lost(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;
    (void)arg;

    if (c->standby_lost_at < 0 || standby_answers(c))
        return;
    rdsim_cluster_log(c, "redundancy", c->inst[c->writer].cfg->name,
                      "no standby answered for %.0f s: the writer commits alone",
                      (double)RDSIM_SYNC_TIMEOUT / RDSIM_S);
}

static void instance_lost(struct rdsim_cluster *c, size_t i, const char *cause, bool heals)
{
    (void)heals;

    /* A standby's or replica's dead host is replaced too (facts 1: RDS
     * creates a new standby); it resynchronises when it is back. */
    if (i != c->writer && c->inst[i].host_down && !c->inst[i].recovery)
        recover_in_place(c, i);
    if (i == c->writer) {
        if (!has_standby(c))
            recover_in_place(c, i);
        else if (!rdsim_cluster_failover_running(c))
            start_failover(c, cause, -1, profile_of(c).detection);
        return;
    }
    if (c->inst[i].source == (int)c->writer &&
        (c->inst[i].mode == REPL_SYNC || c->inst[i].mode == REPL_SEMISYNC) &&
        c->standby_lost_at < 0 && !standby_answers(c) && serving(c, c->writer)) {
        /* Every standby is gone: commits stall until the timeout. */
        c->standby_lost_at = rdsim_sim_now(c->sim);
        rdsim_cluster_log(c, "redundancy", c->inst[i].cfg->name,
                          "standby unreachable: commits wait up to %.0f s for it",
                          (double)RDSIM_SYNC_TIMEOUT / RDSIM_S);
        rdsim_cluster_after(c, RDSIM_SYNC_TIMEOUT, standby_lost, i);
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
        rdsim_instance_reset(c, i);
        rdsim_repl_ship(c, false);
        if (c->error.code || rdsim_db_copy(in->db, c->inst[c->writer].db, &err) != 0) {
            if (!c->error.code)
                rdsim_cluster_fail(c, &err);
            return;
        }
        in->detached = false;
        rdsim_repl_attach(c, i, (int)c->writer, profile_of(c).standby_mode);
        refresh_readers(c);
        rdsim_cluster_log(c, "rejoined", in->cfg->name,
                          "resynchronised from %s; standby again",
                          c->inst[c->writer].cfg->name);
        return;
    }
    /* Its replicas receive again what it had not sent them. */
    for (size_t j = 0; j < c->n_inst; j++)
        if (c->inst[j].source == (int)i)
            rdsim_repl_resume(c, j);
    rdsim_repl_resume(c, i);
    /* A standby is back while the writer is still gone and nothing is
     * being done about it: fail over now. */
    if (i != c->writer && in->role == RDSIM_ROLE_STANDBY && !in->detached &&
        !serving(c, c->writer) && !c->inst[c->writer].fenced && has_standby(c) &&
        !rdsim_cluster_failover_running(c)) {
        start_failover(c, "standby-back", -1, profile_of(c).detection);
    }
    if (c->standby_lost_at >= 0 && in->source == (int)c->writer &&
        (in->mode == REPL_SYNC || in->mode == REPL_SEMISYNC)) {
        c->standby_lost_at = -1;
        rdsim_cluster_log(c, "redundancy", in->cfg->name, "standby back: commits are mirrored");
    }
}

static void reboot(struct rdsim_cluster *c, size_t i, bool failover)
{
    if (i == c->writer && failover && has_standby(c)) {
        if (rdsim_cluster_failover_running(c)) {
            rdsim_cluster_log(c, "ignored", c->inst[i].cfg->name,
                              "reboot with failover: a failover is under way");
            return;
        }
        fence(c, i);
        /* RDS's own example takes 120 s (facts 1): as long as an unplanned one. */
        start_failover(c, "reboot", -1, profile_of(c).detection);
        return;
    }
    rdsim_instance_start(c, i, rdsim_cluster_draw(c, RDSIM_REBOOT),
                         failover ? "reboot (no standby to fail over to)" : "reboot");
    if (i != c->writer)
        instance_lost(c, i, "reboot", true);
}

static void manual_failover(struct rdsim_cluster *c, int target)
{
    /* RDS stops the writer; monitoring then sees it unhealthy and promotes
     * a standby (FailoverDBCluster). */
    if (rdsim_cluster_failover_running(c) || !has_standby(c)) {
        rdsim_cluster_log(c, "ignored", c->inst[c->writer].cfg->name, "failover: %s",
                          has_standby(c) ? "a failover is under way" : "no standby");
        return;
    }
    if (c->obs.writer_down)
        c->obs.writer_down(c->obs.ctx, rdsim_sim_now(c->sim), "failover");
    fence(c, c->writer);
    start_failover(c, "failover", target, profile_of(c).detection);
}

static void promote_done(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t fi = arg >> 8, to = arg & 0xff, from = c->writer;
    struct rdsim_failover *f = &c->failovers[fi];

    if (strcmp(c->inst[from].cfg->name, f->from) != 0) {
        rdsim_failover_explain(f, "; abandoned: %s became the writer meanwhile",
               c->inst[from].cfg->name);
        rdsim_cluster_log(c, "abandoned", c->inst[to].cfg->name, "%s", f->explanation);
        return;
    }
    if (take_over(c, f, from, to, false) != 0)
        return;
    /* The application now uses the promoted instance's own endpoint. */
    f->promoted = f->dns_updated = rdsim_sim_now(sim);
    c->dns_writer = c->proxy_writer = c->topo_writer = to;
    c->writer_endpoint_gen++; /* a new endpoint: no client has it cached */
    /* The old writer is no longer part of this application's cluster. */
    c->inst[from].detached = true;
    rdsim_cluster_log(c, "promoted", c->inst[to].cfg->name,
                      "standalone writer; the application now writes here; %llu acknowledged "
                      "writes missing",
                      (unsigned long long)f->lost_writes);
}

static void promote(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_failover *f;
    rdsim_time_t lag = rdsim_repl_staleness(c, i), took;
    uint64_t dropped;

    if (c->inst[i].source < 0 || c->inst[i].detached) {
        rdsim_cluster_log(c, "ignored", c->inst[i].cfg->name, "promote: not a replica");
        return;
    }
    if (rdsim_cluster_failover_running(c)) {
        rdsim_cluster_log(c, "ignored", c->inst[i].cfg->name,
                          "promote: a failover is under way; promote it afterwards");
        return;
    }
    f = rdsim_cluster_new_failover(c);
    if (!f)
        return;
    snprintf(f->cause, sizeof(f->cause), "promote");
    snprintf(f->from, sizeof(f->from), "%s", c->inst[c->writer].cfg->name);
    snprintf(f->to, sizeof(f->to), "%s", c->inst[i].cfg->name);
    f->detected = rdsim_sim_now(c->sim);
    /* Staleness stops counting when a source goes dark
     * (rdsim_repl_staleness): it is how far behind replication stopped. */
    dropped = rdsim_repl_detach(c, i);
    f->unapplied_writes = dropped;
    c->inst[i].role = RDSIM_ROLE_WRITER;
    snprintf(f->explanation, sizeof(f->explanation),
             "read replica %s promoted on request (never automatic); replication stopped %.1f s "
             "behind its source, %llu writes never applied",
             c->inst[i].cfg->name, (double)lag / RDSIM_S, (unsigned long long)dropped);
    rdsim_cluster_log(c, "promoting", c->inst[i].cfg->name, "%s", f->explanation);
    took = rdsim_cluster_draw(c, RDSIM_REPLICA_PROMOTION);
    rdsim_instance_start(c, i, took, "promotion reboots the replica");
    rdsim_cluster_after(c, took, promote_done, rdsim_fo_arg((size_t)(f - c->failovers), (int)i));
}

const struct rdsim_deployment_ops rdsim_rds_ops = {
    .name = "rds",
    .init = init,
    .instance_lost = instance_lost,
    .instance_back = instance_back,
    .reboot = reboot,
    .failover = manual_failover,
    .promote = promote,
    .refresh_readers = refresh_readers,
};
