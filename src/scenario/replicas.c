/*
 * replicas.c - new replicas in the scenario (issue 15): the create-replica
 * event's cross-event rules and cluster.replica_autoscaling.
 *
 * A create-replica names a new instance that no instance of the cluster,
 * no earlier create-replica and no restore has; every replica the file
 * declares and every create-replica count against the 15-replica limit of
 * the writer (RDS: read replicas per source; Aurora: Aurora Replicas per
 * cluster), and the new replica is in the writer's region (a cross-Region
 * replica is not modelled). Auto scaling is Aurora's only, and is not
 * combined with create-replica or restore events: the run plans every
 * instance it may create before it starts and fills the slots in order,
 * which auto scaling's times cannot promise (docs/scenario-format.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_COOLDOWN (300 * RDSIM_S)

int sc_read_replica_tier(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_event_cfg *ev)
{
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    int64_t tier;
    int rc;

    if (c->deployment != RDSIM_DEPLOY_AURORA)
        return sc_fail(ctx, node, "tier is an Aurora Replica's promotion tier, deployment is %s "
                                  "(RDS read replicas are never promoted automatically); remove "
                                  "it", rdsim_deployment_name(c->deployment));
    if ((rc = sc_read_int(ctx, node, 0, 15, &tier)) != 0)
        return rc;
    ev->tier = (int)tier;
    ev->has_tier = true;
    return 0;
}

/* Read one of the cooldowns: a duration 0..1h. */
static int read_cooldown(struct sc_ctx *ctx, yaml_node_t *node, rdsim_time_t *out)
{
    char q[96];
    int rc = sc_read_duration(ctx, node, false, out);

    if (rc == 0 && *out > 3600 * RDSIM_S)
        return sc_fail(ctx, node, "must be at most 1h (AWS's default is 300s), got %s",
                       sc_describe(node, q, sizeof q));
    return rc;
}

int sc_load_autoscaling(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    enum { K_MIN, K_MAX, K_CPU, K_CONN, K_OUT, K_IN, K_COUNT };
    static const struct sc_key keys[] = {
        [K_MIN] = {"min", true},
        [K_MAX] = {"max", true},
        [K_CPU] = {"target_cpu", false},
        [K_CONN] = {"target_connections", false},
        [K_OUT] = {"scale_out_cooldown", false},
        [K_IN] = {"scale_in_cooldown", false},
    };
    struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    struct rdsim_autoscaling_cfg *a = &c->autoscaling;
    struct sc_map m;
    int64_t v;
    size_t saved;
    char q[96];
    int rc;

    if (c->deployment != RDSIM_DEPLOY_AURORA)
        return sc_fail_mark(ctx, where, "replica_autoscaling is Aurora Auto Scaling of Aurora "
                                        "Replicas and needs deployment aurora, deployment is %s",
                            rdsim_deployment_name(c->deployment));
    if ((rc = sc_map(ctx, node, where, keys, K_COUNT, &m)) != 0)
        return rc;
    a->scale_out_cooldown = a->scale_in_cooldown = DEFAULT_COOLDOWN;
    for (int k = 0; k < K_COUNT; k++) {
        if (m.val[k] == NULL)
            continue;
        saved = sc_path_key(ctx, keys[k].name);
        switch (k) {
        case K_MIN:
        case K_MAX:
            rc = sc_read_int(ctx, m.val[k], k == K_MIN ? 0 : 1, INT64_MAX, &v);
            if (rc == 0 && v > RDSIM_MAX_REPLICAS_PER_SOURCE)
                rc = sc_fail(ctx, m.val[k], "an Aurora cluster has at most %d Aurora Replicas, "
                                            "got %s", RDSIM_MAX_REPLICAS_PER_SOURCE,
                             sc_describe(m.val[k], q, sizeof q));
            if (rc == 0 && k == K_MIN)
                a->min = (int)v;
            else if (rc == 0)
                a->max = (int)v;
            break;
        case K_CPU:
            rc = sc_read_number(ctx, m.val[k], 1.0, 100.0, "a percentage of CPU 1..100",
                                &a->target);
            break;
        case K_CONN:
            if (m.val[K_CPU] != NULL) {
                rc = sc_fail(ctx, m.key[k], "give target_cpu or target_connections, not both "
                                            "(one policy tracks one metric)");
                break;
            }
            rc = sc_read_number(ctx, m.val[k], 1.0, 100000.0,
                                "a number of connections per reader 1..100000", &a->target);
            a->by_connections = true;
            break;
        case K_OUT:
            rc = read_cooldown(ctx, m.val[k], &a->scale_out_cooldown);
            break;
        case K_IN:
            rc = read_cooldown(ctx, m.val[k], &a->scale_in_cooldown);
            break;
        default:
            break;
        }
        if (rc != 0)
            return rc;
        sc_path_pop(ctx, saved);
    }
    if (m.val[K_CPU] == NULL && m.val[K_CONN] == NULL)
        return sc_fail_mark(ctx, where, "replica_autoscaling needs target_cpu (percent) or "
                                        "target_connections (per reader)");
    if (a->min > a->max) {
        saved = sc_path_key(ctx, "min");
        return sc_fail(ctx, m.val[K_MIN], "min (%d) is more than max (%d); lower min or raise max", a->min,
                       a->max);
    }
    a->present = true;
    return 0;
}

/* Replicas the writer has as the file declares them (Aurora: in its region). */
static size_t declared_replicas(const struct rdsim_cluster_cfg *c)
{
    size_t n = 0;

    for (size_t i = 0; i < c->n_instances; i++)
        n += c->instances[i].role == RDSIM_ROLE_REPLICA &&
             (c->deployment != RDSIM_DEPLOY_AURORA ||
              c->instances[i].region == c->instances[c->writer].region);
    return n;
}

int sc_check_replica_events(struct sc_ctx *ctx, yaml_node_t *seq, const size_t *order)
{
    const struct rdsim_scenario *sc = ctx->sc;
    const struct rdsim_cluster_cfg *c = &sc->cluster;
    size_t replicas = declared_replicas(c), wr = c->instances[c->writer].region;
    char msg[400], q[96];

    for (size_t k = 0; k < sc->n_events; k++) {
        size_t i = order[k];
        const struct rdsim_event_cfg *e = &sc->events[i];
        size_t region = 0;

        if (e->action != RDSIM_ACT_CREATE_REPLICA && e->action != RDSIM_ACT_RESTORE)
            continue;
        if (c->autoscaling.present) {
            snprintf(msg, sizeof msg, "%s cannot be combined with cluster.replica_autoscaling "
                                      "(the run plans the instances it creates in order, and "
                                      "auto scaling's times are not known before it); remove "
                                      "one of them",
                     rdsim_action_name(e->action));
            return sc_fail_item(ctx, seq, i, "action", msg);
        }
        /* Names: restores' among themselves are backup.c's. */
        for (size_t j = 0; j < k; j++) {
            const struct rdsim_event_cfg *p = &sc->events[order[j]];
            if ((p->action != RDSIM_ACT_CREATE_REPLICA && p->action != RDSIM_ACT_RESTORE) ||
                (p->action == RDSIM_ACT_RESTORE && e->action == RDSIM_ACT_RESTORE) ||
                strcmp(p->name, e->name) != 0)
                continue;
            snprintf(msg, sizeof msg, "instance %s is created already by the %s of events[%zu]",
                     sc_quote(e->name, q, sizeof q), rdsim_action_name(p->action), order[j]);
            return sc_fail_item(ctx, seq, i, "name", msg);
        }
        if (e->action == RDSIM_ACT_RESTORE)
            continue;
        sc_find_az(&sc->topology, e->az, &region);
        if (region != wr) {
            snprintf(msg, sizeof msg, "a new replica must be in the writer's region %s, %s is in "
                                      "%s (cross-Region replicas are not modelled)",
                     sc->topology.regions[wr].name, sc_quote(e->az, q, sizeof q),
                     sc->topology.regions[region].name);
            return sc_fail_item(ctx, seq, i, "az", msg);
        }
        if (++replicas > RDSIM_MAX_REPLICAS_PER_SOURCE) {
            snprintf(msg, sizeof msg, "replica %s would be the writer's %zuth; at most %d %s are "
                                      "allowed (the cluster declares %zu)",
                     sc_quote(e->name, q, sizeof q), replicas, RDSIM_MAX_REPLICAS_PER_SOURCE,
                     c->deployment == RDSIM_DEPLOY_AURORA ? "Aurora Replicas"
                                                          : "read replicas per source",
                     declared_replicas(c));
            return sc_fail_item(ctx, seq, i, "name", msg);
        }
    }
    return 0;
}
