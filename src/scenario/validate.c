/*
 * validate.c - the cluster rules that span several instances.
 *
 * Runs after every instance has been read (names unique, roles and AZs
 * known), in this order: exactly one writer; the standby rules of the
 * deployment; the replica limits; then Aurora Serverless v2 capacity. An
 * error about counts points at the `instances` key; an error about one
 * instance points at the value that breaks the rule (its role or az).
 *
 * RDS limits are per source and every RDS replica here replicates from the
 * writer, so "at most 15 replicas" is a limit on the whole list. For Aurora
 * a replica in another region than the writer belongs to that region's
 * Global Database secondary cluster.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MAX_SECONDARY_REGIONS 5
#define MAX_SECONDARY_REPLICAS 16

static int fail_instances(struct sc_ctx *ctx, yaml_mark_t where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_instances(struct sc_ctx *ctx, yaml_mark_t where, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t saved = sc_path_key(ctx, "instances");
    int rc = sc_fail_mark(ctx, where, "%s", msg);
    sc_path_pop(ctx, saved);
    return rc;
}

/* An error at one instance's field: path cluster.instances[i].key. */
static int fail_field(struct sc_ctx *ctx, size_t i, const char *key, const yaml_node_t *node,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_field(struct sc_ctx *ctx, size_t i, const char *key, const yaml_node_t *node,
                      const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t saved = sc_path_key(ctx, "instances");
    sc_path_index(ctx, i);
    sc_path_key(ctx, key);
    int rc = sc_fail(ctx, node, "%s", msg);
    sc_path_pop(ctx, saved);
    return rc;
}

static const char *region_name(const struct sc_ctx *ctx, size_t r)
{
    return ctx->sc->topology.regions[r].name;
}

static int check_standbys(struct sc_ctx *ctx, const struct sc_inst_nodes *nodes,
                          yaml_mark_t where)
{
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    const struct rdsim_instance_cfg *w = &c->instances[c->writer];
    const char *dep = rdsim_deployment_name(c->deployment);
    size_t n = 0;
    size_t first = 0;
    for (size_t i = 0; i < c->n_instances; i++)
        if (c->instances[i].role == RDSIM_ROLE_STANDBY && n++ == 0)
            first = i;

    switch (c->deployment) {
    case RDSIM_DEPLOY_SINGLE_AZ:
    case RDSIM_DEPLOY_AURORA:
        if (n > 0)
            return fail_field(ctx, first, "role", nodes[first].role,
                              c->deployment == RDSIM_DEPLOY_AURORA
                                  ? "deployment aurora has no standby: Aurora Replicas are the "
                                    "failover targets; use role replica"
                                  : "deployment single-az has no standby; use multi-az-instance "
                                    "for one, or role replica");
        return 0;
    case RDSIM_DEPLOY_MULTI_AZ_INSTANCE:
        if (n != 1)
            return fail_instances(ctx, where, "%zu %s; multi-az-instance needs exactly one", n,
                                  n == 1 ? "standby" : "standbys");
        break;
    case RDSIM_DEPLOY_MULTI_AZ_CLUSTER:
        if (n != 2)
            return fail_instances(ctx, where, "%zu %s; multi-az-cluster needs exactly two", n,
                                  n == 1 ? "standby" : "standbys");
        break;
    }

    const struct rdsim_instance_cfg *prev = NULL;
    for (size_t i = 0; i < c->n_instances; i++) {
        const struct rdsim_instance_cfg *s = &c->instances[i];
        if (s->role != RDSIM_ROLE_STANDBY)
            continue;
        if (s->region != w->region)
            return fail_field(ctx, i, "az", nodes[i].az,
                              "a %s standby must be in the writer's region %s, \"%s\" is in %s",
                              dep, region_name(ctx, w->region), s->az, region_name(ctx, s->region));
        if (strcmp(s->az, w->az) == 0)
            return fail_field(ctx, i, "az", nodes[i].az,
                              c->deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER
                                  ? "the writer and both standbys must be in three different AZs; "
                                    "\"%s\" is also the writer's AZ"
                                  : "the standby must be in another AZ than the writer; "
                                    "\"%s\" is the writer's AZ",
                              s->az);
        if (prev != NULL && strcmp(s->az, prev->az) == 0)
            return fail_field(ctx, i, "az", nodes[i].az,
                              "the writer and both standbys must be in three different AZs; "
                              "\"%s\" is also standby %s's AZ",
                              s->az, prev->name);
        prev = s;
    }
    return 0;
}

static int check_replicas(struct sc_ctx *ctx, yaml_mark_t where)
{
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    const struct rdsim_topology *t = &ctx->sc->topology;
    size_t wr = c->instances[c->writer].region;

    if (c->deployment != RDSIM_DEPLOY_AURORA) {
        size_t n = 0;
        for (size_t i = 0; i < c->n_instances; i++)
            n += c->instances[i].role == RDSIM_ROLE_REPLICA;
        if (n > RDSIM_MAX_REPLICAS_PER_SOURCE)
            return fail_instances(ctx, where, "%zu replicas, at most %d are allowed", n,
                                  RDSIM_MAX_REPLICAS_PER_SOURCE);
        return 0;
    }

    /* Aurora: per region counts in topology order, then the number of
     * secondary regions. */
    size_t secondaries = 0;
    for (size_t r = 0; r < t->n_regions; r++) {
        size_t n = 0;
        for (size_t i = 0; i < c->n_instances; i++)
            n += c->instances[i].role == RDSIM_ROLE_REPLICA && c->instances[i].region == r;
        if (r == wr && n > RDSIM_MAX_REPLICAS_PER_SOURCE)
            return fail_instances(ctx, where,
                                  "%zu Aurora Replicas in the writer's region %s, at most %d are "
                                  "allowed",
                                  n, t->regions[r].name, RDSIM_MAX_REPLICAS_PER_SOURCE);
        if (r != wr && n > MAX_SECONDARY_REPLICAS)
            return fail_instances(ctx, where,
                                  "%zu Aurora Replicas in secondary region %s, at most %d are "
                                  "allowed",
                                  n, t->regions[r].name, MAX_SECONDARY_REPLICAS);
        secondaries += r != wr && n > 0;
    }
    if (secondaries > MAX_SECONDARY_REGIONS)
        return fail_instances(ctx, where,
                              "Aurora Replicas in %zu secondary regions (regions other than the "
                              "writer's %s), at most %d are allowed",
                              secondaries, t->regions[wr].name, MAX_SECONDARY_REGIONS);
    return 0;
}

/* min_acu and max_acu belong with a serverless instance, and only there. */
static int check_serverless(struct sc_ctx *ctx, const struct sc_map *m)
{
    enum { K_MIN = SC_CK_MIN_ACU, K_MAX = SC_CK_MAX_ACU };
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    bool serverless = false;
    for (size_t i = 0; i < c->n_instances; i++)
        serverless |= strcmp(c->instances[i].instance_class, "serverless") == 0;
    static const char *const names[] = {"min_acu", "max_acu"};
    const int idx[] = {K_MIN, K_MAX};
    for (int k = 0; k < 2; k++) {
        if (!serverless && m->val[idx[k]] != NULL) {
            size_t saved = sc_path_key(ctx, names[k]);
            int rc = sc_fail(ctx, m->key[idx[k]], "only allowed with Aurora Serverless v2: no "
                                                  "instance has instance_class serverless");
            sc_path_pop(ctx, saved);
            return rc;
        }
        if (serverless && m->val[idx[k]] == NULL)
            return sc_fail_mark(ctx, m->where, "missing required key \"%s\" (an instance is "
                                               "serverless)", names[k]);
    }
    if (!serverless)
        return 0;
    if (c->max_acu < 1.0) {
        size_t saved = sc_path_key(ctx, "max_acu");
        char got[64];
        int rc = sc_fail(ctx, m->val[K_MAX], "must be at least 1, got %s",
                         sc_describe(m->val[K_MAX], got, sizeof got));
        sc_path_pop(ctx, saved);
        return rc;
    }
    if (c->min_acu > c->max_acu) {
        size_t saved = sc_path_key(ctx, "min_acu");
        char got[64];
        int rc = sc_fail(ctx, m->val[K_MIN], "must be at most max_acu (%g), got %s", c->max_acu,
                         sc_describe(m->val[K_MIN], got, sizeof got));
        sc_path_pop(ctx, saved);
        return rc;
    }
    return 0;
}

/* global_db_rpo is Aurora PostgreSQL's rds.global_db_rpo: 20 s to
 * 2,147,483,647 s, on a Global Database (facts 4.6). */
static int check_global_rpo(struct sc_ctx *ctx, const struct sc_map *m)
{
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    const struct rdsim_topology *t = &ctx->sc->topology;
    yaml_node_t *v = m->val[SC_CK_GLOBAL_DB_RPO];
    size_t wr = c->instances[c->writer].region, saved;
    bool secondary = false;
    char got[64];
    int rc = 0;

    if (v == NULL)
        return 0;
    saved = sc_path_key(ctx, "global_db_rpo");
    for (size_t i = 0; i < c->n_instances; i++)
        secondary |= c->instances[i].region != wr;
    if (c->engine != RDSIM_ENGINE_AURORA_POSTGRES)
        rc = sc_fail(ctx, m->key[SC_CK_GLOBAL_DB_RPO],
                     "only allowed with engine aurora-postgres (rds.global_db_rpo is an Aurora "
                     "PostgreSQL setting), got engine %s", rdsim_engine_name(c->engine));
    else if (!secondary)
        rc = sc_fail(ctx, m->key[SC_CK_GLOBAL_DB_RPO],
                     "only allowed on a Global Database: no Aurora Replica in a region other "
                     "than the writer's %s", t->regions[wr].name);
    else if (c->global_db_rpo < 20 * RDSIM_S || c->global_db_rpo > 2147483647LL * RDSIM_S)
        rc = sc_fail(ctx, v, "must be 20s..2147483647s (rds.global_db_rpo's range), got %s",
                     sc_describe(v, got, sizeof got));
    sc_path_pop(ctx, saved);
    return rc;
}

int sc_validate_cluster(struct sc_ctx *ctx, const struct sc_map *m,
                        const struct sc_inst_nodes *nodes, yaml_mark_t instances_where)
{
    struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    size_t writers = 0;
    for (size_t i = 0; i < c->n_instances; i++)
        if (c->instances[i].role == RDSIM_ROLE_WRITER && writers++ == 0)
            c->writer = i;
    if (writers != 1)
        return fail_instances(ctx, instances_where, "%zu writers; exactly one is required",
                              writers); /* never 1 here, so always plural */
    int rc = check_standbys(ctx, nodes, instances_where);
    if (rc == 0)
        rc = check_replicas(ctx, instances_where);
    if (rc == 0)
        rc = check_serverless(ctx, m);
    if (rc == 0)
        rc = check_global_rpo(ctx, m);
    return rc;
}
