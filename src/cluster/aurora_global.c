/*
 * aurora_global.c - Aurora Global Database: a switchover or an unplanned
 * failover to a secondary Region, and the secondaries restarting when the
 * primary's writer restarts or fails over.
 *
 * A switchover pauses writes until the target has caught up (RPO 0); an
 * unplanned failover fences the old primary at once, running or not, and
 * loses what it had not shipped (RPO = the lag). It takes over from a
 * pending in-region failover, which may never complete while the primary
 * Region is out. The promoted Region's volume becomes the primary one;
 * every other instance follows the new writer, resynchronising where it may
 * hold writes the new writer lacks. The volume and in-region failover are
 * aurora.c's.
 */
#include <stdio.h>
#include <string.h>

#include "aurora_impl.h"
#include "params.h"

/* The primary's writer restarts or fails over: the Global Database
 * secondaries' replicas restart too and resynchronise once it serves
 * (facts 4.6, Limitations), `after` from now. */
void aurora_restart_secondaries(struct rdsim_cluster *c, rdsim_time_t after)
{
    for (size_t i = 0; i < c->n_inst; i++) {
        if (aurora_in_primary(c, i) || c->inst[i].role != RDSIM_ROLE_REPLICA ||
            c->inst[i].detached || !instance_reachable(c, i))
            continue;
        instance_start(c, i, after + cluster_draw(c, RDSIM_GLOBAL_SECONDARY_RESTART),
                       "the primary's writer restarted or failed over: the secondary "
                       "restarts and resynchronises");
    }
}

/* The secondary in another region takes over as the primary. */
static void global_promoted(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t fi = arg >> 8, to = arg & 0xff, from = c->writer;
    struct rdsim_failover *f = &c->failovers[fi];
    bool switchover = f->cause == RDSIM_CAUSE_GLOBAL_SWITCHOVER;

    if (!instance_serving(c, to) || strcmp(c->inst[from].cfg->name, f->from) != 0) {
        failover_explain(f, "; %s became unreachable before promotion",
               c->inst[to].cfg->name);
        failover_set_target(c, f, -1);
        if (c->inst[from].fenced)
            instance_unfence(c, from, cluster_draw(c, RDSIM_AURORA_RECOVERY),
                             "global failover abandoned: restarting");
        return;
    }
    /* It applies what its region's volume received; an unplanned failover
     * loses what the old primary had not shipped. */
    repl_drain(c, to);
    if (rdsim_sim_failed(c->sim) || failover_diverged(c, from, to, &f->discarded_writes) != 0)
        return;
    if (failover_crown(c, f, from, to, false) != 0)
        return;
    c->inst[from].role = RDSIM_ROLE_REPLICA;
    c->inst[from].starting = false;
    /* The secondary region's volume is now the primary one. */
    aurora_place_volume(c, c->inst[to].region);
    /* Every other instance follows the new primary. After a switchover
     * their data is the new writer's (RPO 0): they change source and mode.
     * After an unplanned failover they may hold writes it lacks: each one
     * resynchronises from it (now, or when it is reachable again). */
    for (size_t i = 0; i < c->n_inst; i++) {
        if (i == to)
            continue;
        if (switchover && i != from) {
            repl_attach(c, i, (int)to, aurora_mode_for(c, i));
            repl_resume(c, i);
            continue;
        }
        repl_detach(c, i);
        c->inst[i].detached = true;
        if (instance_serving(c, i))
            aurora_rejoin_as_reader(c, i);
    }
    aurora_refresh_readers(c);
    cluster_log(c, "promoted", c->inst[to].cfg->name,
                      "new primary in %s; %llu acknowledged writes missing, %llu writes of %s "
                      "discarded",
                      c->sc->topology.regions[c->inst[to].region].name,
                      (unsigned long long)f->lost_writes, (unsigned long long)f->discarded_writes,
                      c->inst[from].cfg->name);
    failover_follow_writer(c, fi, to, aurora_phase(c, 2));
    /* The fenced old primary restarts as a secondary of the new one, once
     * its Region is reachable. */
    if (c->inst[from].fenced)
        instance_unfence(c, from, cluster_draw(c, RDSIM_AURORA_RECOVERY),
                         "old primary restarts as a secondary");
}

void aurora_global_failover(struct rdsim_cluster *c, size_t region, bool switchover)
{
    struct rdsim_failover *f;
    size_t w = c->writer;
    rdsim_time_t wait;
    int to;

    if (region == c->inst[w].region) {
        cluster_log(c, "ignored", c->sc->topology.regions[region].name,
                          "global-failover: already the primary region");
        return;
    }
    if (cluster_failover_running(c)) {
        struct rdsim_failover *run = &c->failovers[c->n_failovers - 1];
        /* FailoverGlobalCluster with AllowDataLoss is the way out of a lost
         * primary Region (facts 4.6): an in-region failover that may never
         * complete must not block it. A switchover needs a healthy primary
         * and waits, as does a second global request. */
        if (switchover || run->cause == RDSIM_CAUSE_GLOBAL_SWITCHOVER ||
            run->cause == RDSIM_CAUSE_GLOBAL_FAILOVER) {
            cluster_log(c, "ignored", c->sc->topology.regions[region].name,
                              "global-failover: a failover is under way");
            return;
        }
        failover_supersede(c, run, "an unplanned global failover");
    }
    f = failover_open(c, switchover ? RDSIM_CAUSE_GLOBAL_SWITCHOVER
                                          : RDSIM_CAUSE_GLOBAL_FAILOVER);
    if (!f)
        return;
    failover_mark_detected(c, f); /* at once: it was asked for */
    to = aurora_choose_replica(c, f, -1, region);
    cluster_log(c, "detected", c->sc->topology.regions[region].name, "%s", f->explanation);
    if (to < 0)
        return;
    failover_set_target(c, f, to);
    if (switchover) {
        /* Writes pause while every secondary catches up: RPO 0 (facts 4.6). */
        if (instance_serving(c, w) && c->obs.writer_down)
            c->obs.writer_down(c->obs.ctx, rdsim_sim_now(c->sim), f->cause);
        instance_reset(c, w);
        c->inst[w].starting = true;
        repl_ship(c, false);
        wait = repl_backlog_time(c, (size_t)to) + cluster_draw(c, RDSIM_GLOBAL_SWITCHOVER_TIME);
        failover_explain(f, "; switchover: writes pause until %s has caught up (%.1f s)",
               c->inst[to].cfg->name, (double)repl_backlog_time(c, (size_t)to) / RDSIM_S);
    } else {
        /* The old primary is fenced, running or not: what it had not
         * shipped is lost (RPO = the replication lag), and if its Region
         * comes back before the promotion it must not take writes that the
         * new primary would never have (facts 4.6). */
        if (instance_reachable(c, w) && c->obs.writer_down)
            c->obs.writer_down(c->obs.ctx, rdsim_sim_now(c->sim), f->cause);
        instance_fence(c, w);
        wait = cluster_draw(c, RDSIM_GLOBAL_FAILOVER_TIME);
        failover_explain(f, "; unplanned: writes the secondary had not received are lost");
    }
    cluster_after(c, wait, global_promoted, fo_arg(failover_index(c, f), to));
}
