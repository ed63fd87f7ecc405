/*
 * single_az.c - a Single-AZ DB instance: one writer, no standby.
 *
 * Nothing takes over when the writer fails; it comes back in place with its
 * data, because the EBS volume survives the host:
 *   - a host failure with `for:` heals after that time, then the engine runs
 *     crash recovery;
 *   - a host failure without `for:` is detected by RDS monitoring, which
 *     replaces the host and reattaches the volume, then crash recovery;
 *   - an AZ outage cannot be worked around: RDS does not move a Single-AZ
 *     instance to another AZ (that takes a point-in-time restore), so the
 *     instance waits for the AZ to return;
 *   - a reboot refuses connections while the engine restarts.
 * Durations are in params.h with their basis. Read replicas of a single-az
 * source are not simulated yet (the RDS replication issue).
 */
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

static int validate(struct rdsim_cluster *c, struct rdsim_err *err)
{
    const struct rdsim_scenario *sc = c->sc;

    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance_cfg *ic = &sc->cluster.instances[i];
        if (ic->role == RDSIM_ROLE_REPLICA)
            return rdsim_err_set(err, RDSIM_EINVAL,
                                 "%s:%d:%d: cluster.instances[%zu]: read replicas are not "
                                 "simulated yet; remove %s or wait for the replication release",
                                 sc->path, ic->loc.line, ic->loc.col, i, ic->name);
    }
    for (size_t e = 0; e < sc->n_events; e++) {
        const struct rdsim_event_cfg *ev = &sc->events[e];
        switch (ev->action) {
        case RDSIM_ACT_AZ_OUTAGE:
        case RDSIM_ACT_REGION_OUTAGE:
        case RDSIM_ACT_INSTANCE_FAILURE:
        case RDSIM_ACT_REBOOT:
        case RDSIM_ACT_LOAD:
            break;
        default:
            return rdsim_err_set(err, RDSIM_EINVAL,
                                 "%s:%d:%d: events[%zu].action: %s is not simulated for a "
                                 "single-az deployment",
                                 sc->path, ev->loc.line, ev->loc.col, e,
                                 rdsim_action_name(ev->action));
        }
    }
    return 0;
}

static void replaced(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    c->inst[i].recovery = 0;
    c->inst[i].host_down = false;
    rdsim_cluster_log(c, "replaced", c->inst[i].cfg->name,
                      "new host in %s, EBS volume reattached", c->az_names[c->inst[i].az]);
    if (rdsim_instance_reachable(c, i))
        rdsim_instance_start(c, i, rdsim_cluster_draw(c, RDSIM_CRASH_RECOVERY),
                             "replacement host booted");
}

static void detected(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    struct rdsim_instance *in = &c->inst[i];
    rdsim_time_t replace;
    (void)sim;

    in->recovery = 0;
    if (rdsim_instance_reachable(c, i))
        return; /* healed before monitoring noticed */
    if (!in->host_down) {
        rdsim_cluster_log(c, "detected", in->cfg->name,
                          "unreachable: %s is out; a single-az instance waits for its AZ",
                          c->az_names[in->az]);
        return;
    }
    replace = rdsim_cluster_draw(c, RDSIM_HOST_REPLACEMENT);
    rdsim_cluster_log(c, "detected", in->cfg->name,
                      "host failed; no standby, replacing the host (%.0f s)",
                      (double)replace / RDSIM_S);
    in->recovery = rdsim_sim_after(c->sim, replace, replaced, c, i);
}

static void instance_lost(struct rdsim_cluster *c, size_t i, const char *cause, bool heals)
{
    struct rdsim_range r = c->sc->cluster.has_detection ? c->sc->cluster.detection
                                                        : RDSIM_DETECTION_DEFAULT;
    (void)cause;
    (void)heals; /* monitoring cannot know; a host that heals cancels the replacement */

    if (!c->inst[i].recovery)
        c->inst[i].recovery = rdsim_sim_after(c->sim, rdsim_cluster_draw(c, r), detected, c, i);
}

static void instance_back(struct rdsim_cluster *c, size_t i)
{
    (void)c;
    (void)i;
}

static void reboot(struct rdsim_cluster *c, size_t i, bool failover)
{
    rdsim_instance_start(c, i, rdsim_cluster_draw(c, RDSIM_REBOOT),
                         failover ? "reboot (no standby to fail over to)" : "reboot");
}

static void ship(struct rdsim_cluster *c, struct rdsim_changeset *cs)
{
    (void)c;
    /* No replica: the changeset has been captured and is dropped. */
    rdsim_changeset_free(cs);
}

const struct rdsim_deployment_ops rdsim_single_az_ops = {
    .name = "single-az",
    .validate = validate,
    .instance_lost = instance_lost,
    .instance_back = instance_back,
    .reboot = reboot,
    .ship = ship,
};
