/*
 * sections.c - the top level and each section of a scenario file except the
 * event list (events.c).
 *
 * Validation order, which decides which error is reported when there are
 * several: within a mapping, unknown and duplicate keys in file order, then
 * missing required keys in the order of the key table, then each value in
 * the order of the key table (which lists the keys that others depend on
 * first: deployment before engine, instance_class before instances). The
 * sections are read in dependency order: name, description, seed,
 * duration, sample_interval, topology, cluster, workload, clients, events,
 * expect. Defaults are filled in before reading, so an absent key simply
 * leaves its default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rdsim/instance_class.h"

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* Bounds on list lengths, far above anything AWS allows (the largest valid
 * cluster is an Aurora Global Database of 1 + 15 + 5 x 16 = 96 instances),
 * so that name checks stay cheap on hostile input. */
#define SC_MAX_REGIONS 64
#define SC_MAX_AZS_PER_REGION 16
#define SC_MAX_INSTANCES 100

/* Read val[i] (when present) with path "...key". */
#define WITH_KEY(ctx, keys, m, i, call)                                                        \
    do {                                                                                       \
        if ((m).val[i] != NULL) {                                                              \
            size_t saved_ = sc_path_key((ctx), (keys)[i].name);                                \
            int rc_ = (call);                                                                  \
            if (rc_ != 0)                                                                      \
                return rc_;                                                                    \
            sc_path_pop((ctx), saved_);                                                        \
        }                                                                                      \
    } while (0)

/* ---- defaults ----------------------------------------------------------- */

static int default_topology(struct sc_ctx *ctx, struct rdsim_topology *t)
{
    static const char *const azs[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
    t->regions = calloc(1, sizeof *t->regions);
    if (t->regions == NULL)
        return sc_nomem(ctx);
    t->n_regions = 1;
    struct rdsim_region *r = &t->regions[0];
    r->azs = calloc(3, sizeof *r->azs);
    if (r->azs == NULL || (r->name = strdup("us-east-1")) == NULL)
        return sc_nomem(ctx);
    r->n_azs = 3;
    for (size_t i = 0; i < 3; i++)
        if ((r->azs[i] = strdup(azs[i])) == NULL)
            return sc_nomem(ctx);
    return 0;
}

static void set_defaults(struct rdsim_scenario *sc)
{
    sc->seed = 1;
    sc->sample_interval = RDSIM_S;
    sc->topology.rtt_same_az = (struct rdsim_range){100 * RDSIM_US, 500 * RDSIM_US};
    sc->topology.rtt_cross_az = (struct rdsim_range){500 * RDSIM_US, 1500 * RDSIM_US};
    sc->topology.rtt_cross_region = (struct rdsim_range){60 * RDSIM_MS, 75 * RDSIM_MS};
    sc->cluster.dns_ttl = 5 * RDSIM_S;
    /* rpl_semi_sync_master_target_apply_lag's default; PostgreSQL's
     * flow_control.target_standby_apply_lag is 2 minutes too. */
    sc->cluster.target_apply_lag = 120 * RDSIM_S;
    sc->workload.rows = 10000;
    sc->workload.keys = RDSIM_KEYS_UNIFORM;
    sc->workload.read_from = RDSIM_READ_FROM_READER;
    sc->clients.timeout = 2 * RDSIM_S;
    sc->clients.retry_backoff = (struct rdsim_range){100 * RDSIM_MS, 5 * RDSIM_S};
    sc->clients.give_up_after = 30 * RDSIM_S;
    sc->clients.dns_cache = RDSIM_DNS_CACHE_TTL;
    sc->clients.connection = RDSIM_CONN_DIRECT;
}

/* ---- topology ----------------------------------------------------------- */

static int load_azs(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where,
                    struct rdsim_region *r)
{
    size_t n;
    int rc = sc_seq(ctx, node, "a list of AZ names", &n);
    if (rc != 0)
        return rc;
    if (n == 0)
        return sc_fail_mark(ctx, where, "must list at least one AZ");
    if (n > SC_MAX_AZS_PER_REGION)
        return sc_fail_mark(ctx, where, "%zu AZs, at most %d are allowed per region", n,
                       SC_MAX_AZS_PER_REGION);
    r->azs = calloc(n, sizeof *r->azs);
    if (r->azs == NULL)
        return sc_nomem(ctx);
    r->n_azs = n;
    for (size_t i = 0; i < n; i++) {
        size_t saved = sc_path_index(ctx, i);
        yaml_node_t *item = sc_seq_item(ctx, node, i);
        rc = sc_read_name(ctx, item, &r->azs[i]);
        if (rc != 0)
            return rc;
        /* AZ names are unique across all regions read so far. */
        struct rdsim_topology *t = &ctx->sc->topology;
        for (size_t rr = 0; rr < t->n_regions; rr++) {
            struct rdsim_region *o = &t->regions[rr];
            size_t limit = o == r ? i : o->n_azs;
            for (size_t j = 0; j < limit; j++)
                if (o->azs[j] != NULL && strcmp(o->azs[j], r->azs[i]) == 0)
                    return o == r ? sc_fail(ctx, item, "duplicate AZ \"%s\"", r->azs[i])
                                  : sc_fail(ctx, item, "duplicate AZ \"%s\", already in region %s",
                                            r->azs[i], o->name);
        }
        sc_path_pop(ctx, saved);
    }
    return 0;
}

static int load_regions(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    static const struct sc_key keys[] = {{"name", true}, {"azs", true}};
    struct rdsim_topology *t = &ctx->sc->topology;
    size_t n;
    int rc = sc_seq(ctx, node, "a list of regions", &n);
    if (rc != 0)
        return rc;
    if (n == 0)
        return sc_fail_mark(ctx, where, "must list at least one region");
    if (n > SC_MAX_REGIONS)
        return sc_fail_mark(ctx, where, "%zu regions, at most %d are allowed", n, SC_MAX_REGIONS);
    t->regions = calloc(n, sizeof *t->regions);
    if (t->regions == NULL)
        return sc_nomem(ctx);
    /* Counted as read so far, so the AZ check sees only filled regions. */
    for (size_t i = 0; i < n; i++) {
        t->n_regions = i + 1;
        size_t saved = sc_path_index(ctx, i);
        yaml_node_t *item = sc_seq_item(ctx, node, i);
        struct sc_map m;
        rc = sc_map(ctx, item, item->start_mark, keys, NKEYS(keys), &m);
        if (rc != 0)
            return rc;
        struct rdsim_region *r = &t->regions[i];
        WITH_KEY(ctx, keys, m, 0, sc_read_name(ctx, m.val[0], &r->name));
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->regions[j].name, r->name) == 0) {
                size_t s2 = sc_path_key(ctx, "name");
                rc = sc_fail(ctx, m.val[0], "duplicate region \"%s\" (first at line %zu)", r->name,
                             sc_seq_item(ctx, node, j)->start_mark.line + 1);
                sc_path_pop(ctx, s2);
                return rc;
            }
        WITH_KEY(ctx, keys, m, 1, load_azs(ctx, m.val[1], m.key[1]->start_mark, r));
        sc_path_pop(ctx, saved);
    }
    return 0;
}

int sc_load_topology(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    static const struct sc_key keys[] = {{"regions", false}, {"rtt", false}};
    static const struct sc_key rtt_keys[] = {
        {"same_az", false}, {"cross_az", false}, {"cross_region", false}};
    struct rdsim_topology *t = &ctx->sc->topology;
    struct sc_map m, rm;
    int rc = sc_map(ctx, node, where, keys, NKEYS(keys), &m);
    if (rc != 0)
        return rc;
    WITH_KEY(ctx, keys, m, 0, load_regions(ctx, m.val[0], m.key[0]->start_mark));
    if (m.val[1] != NULL) {
        size_t saved = sc_path_key(ctx, "rtt");
        rc = sc_map(ctx, m.val[1], m.key[1]->start_mark, rtt_keys, NKEYS(rtt_keys), &rm);
        if (rc != 0)
            return rc;
        WITH_KEY(ctx, rtt_keys, rm, 0, sc_read_range(ctx, rm.val[0], false, &t->rtt_same_az));
        WITH_KEY(ctx, rtt_keys, rm, 1, sc_read_range(ctx, rm.val[1], false, &t->rtt_cross_az));
        WITH_KEY(ctx, rtt_keys, rm, 2,
                 sc_read_range(ctx, rm.val[2], false, &t->rtt_cross_region));
        sc_path_pop(ctx, saved);
    }
    return 0;
}

/* ---- cluster ------------------------------------------------------------ */

static const struct sc_key cluster_keys[] = {
    [SC_CK_DEPLOYMENT] = {"deployment", true},
    [SC_CK_ENGINE] = {"engine", false},
    [SC_CK_ENGINE_VERSION] = {"engine_version", false},
    [SC_CK_INSTANCE_CLASS] = {"instance_class", false},
    [SC_CK_MIN_ACU] = {"min_acu", false},
    [SC_CK_MAX_ACU] = {"max_acu", false},
    [SC_CK_DNS_TTL] = {"dns_ttl", false},
    [SC_CK_GLOBAL_DB_RPO] = {"global_db_rpo", false},
    [SC_CK_FAILOVER] = {"failover", false},
    [SC_CK_TARGET_APPLY_LAG] = {"target_apply_lag", false},
    [SC_CK_INSTANCES] = {"instances", true},
    [SC_CK_BACKUP] = {"backup", false},
    [SC_CK_REPLICA_AUTOSCALING] = {"replica_autoscaling", false},
};

static bool is_aurora(const struct rdsim_cluster_cfg *c)
{
    return c->deployment == RDSIM_DEPLOY_AURORA;
}

static int read_engine(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_cluster_cfg *c)
{
    int v;
    int rc = sc_read_enum(ctx, node, sc_engine_names, &v);
    if (rc != 0)
        return rc;
    c->engine = (enum rdsim_engine)v;
    bool aurora_engine = c->engine == RDSIM_ENGINE_AURORA_MYSQL ||
                         c->engine == RDSIM_ENGINE_AURORA_POSTGRES;
    const char *dep = rdsim_deployment_name(c->deployment);
    if (is_aurora(c) && !aurora_engine)
        return sc_fail(ctx, node, "deployment aurora needs engine aurora-mysql or aurora-postgres, "
                                  "got \"%s\"", rdsim_engine_name(c->engine));
    if (!is_aurora(c) && aurora_engine)
        return sc_fail(ctx, node, "deployment %s needs engine mysql, postgres or mariadb, got \"%s\"",
                       dep, rdsim_engine_name(c->engine));
    if (c->deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER && c->engine == RDSIM_ENGINE_MARIADB)
        return sc_fail(ctx, node, "deployment multi-az-cluster supports engine mysql or postgres, "
                                  "got \"mariadb\"");
    return 0;
}

/* An Aurora engine version, MAJOR.MINOR[.PATCH] (2.10.2, 3.04.0, 15.4): it
 * decides which instances a failover restarts (docs/model.md). */
static int read_engine_version(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_cluster_cfg *c)
{
    static const char expect[] = "a version MAJOR.MINOR or MAJOR.MINOR.PATCH (2.10.2, 3.04.0, 15.4)";
    const char *t;
    long part[3] = {0, 0, 0};
    int n = 0, rc = sc_read_text(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    if (!is_aurora(c))
        return sc_fail(ctx, node, "engine_version needs deployment aurora (it decides which "
                                  "Aurora instances a failover restarts), deployment is %s",
                       rdsim_deployment_name(c->deployment));
    for (const char *p = t; n < 3; n++) {
        char *end;
        if (*p < '0' || *p > '9' || strlen(p) > 32)
            break;
        part[n] = strtol(p, &end, 10);
        p = end;
        if (*p == '\0') {
            n++;
            break;
        }
        if (*p != '.' || n == 2) {
            n = -1;
            break;
        }
        p++;
    }
    char q[96];
    if (n < 2 || part[0] > 99 || part[1] > 99 || part[2] > 99)
        return sc_fail(ctx, node, "must be %s, got %s", expect, sc_quote(t, q, sizeof q));
    if (c->engine == RDSIM_ENGINE_AURORA_MYSQL && (part[0] < 1 || part[0] > 3))
        return sc_fail(ctx, node, "Aurora MySQL versions are 1.x, 2.x or 3.x, got %s",
                       sc_quote(t, q, sizeof q));
    if (c->engine == RDSIM_ENGINE_AURORA_POSTGRES && (part[0] < 9 || part[0] > 17))
        return sc_fail(ctx, node, "Aurora PostgreSQL versions are 9.x to 17.x, got %s",
                       sc_quote(t, q, sizeof q));
    c->version_major = (int)part[0];
    c->version_minor = (int)part[1];
    c->engine_version = strdup(t);
    return c->engine_version == NULL ? sc_nomem(ctx) : 0;
}

/* The class named by node, checked against the table and the deployment. */
int sc_read_class(struct sc_ctx *ctx, yaml_node_t *node, const struct rdsim_cluster_cfg *c,
                  char **out)
{
    const char *t;
    int rc = sc_read_text(ctx, node, "an instance class (db.r6g.large)", &t);
    if (rc != 0)
        return rc;
    char q[96];
    if (rdsim_instance_class_find(t) == NULL) {
        const struct rdsim_instance_class *first = rdsim_instance_class_at(0);
        const char *s = sc_suggest(t, &first->name, rdsim_instance_class_count(), sizeof *first);
        if (s != NULL)
            return sc_fail(ctx, node, "unknown instance class %s; did you mean \"%s\"?",
                           sc_quote(t, q, sizeof q), s);
        return sc_fail(ctx, node, "unknown instance class %s; known: db.t3.*, db.t4g.*, db.m5.*, "
                                  "db.m6g.*, db.m7g.*, db.r5.*, db.r6g.*, db.r7g.* (large..16xlarge "
                                  "or 24xlarge; t: micro..2xlarge) and serverless",
                       sc_quote(t, q, sizeof q));
    }
    if (strcmp(t, "serverless") == 0 && !is_aurora(c))
        return sc_fail(ctx, node, "serverless (Aurora Serverless v2) needs deployment aurora, "
                                  "deployment is %s", rdsim_deployment_name(c->deployment));
    *out = strdup(t);
    return *out == NULL ? sc_nomem(ctx) : 0;
}

static const char acu_expect[] = "a number of ACUs 0..256 in steps of 0.5";

static int read_acu(struct sc_ctx *ctx, yaml_node_t *node, double *out)
{
    int rc = sc_read_number(ctx, node, 0.0, 256.0, acu_expect, out);
    if (rc != 0)
        return rc;
    double twice = *out * 2.0;
    if (twice != (double)(long)twice) {
        char got[96];
        return sc_fail(ctx, node, "must be %s, got %s", acu_expect,
                       sc_describe(node, got, sizeof got));
    }
    return 0;
}

static int load_failover(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    static const struct sc_key keys[] = {
        {"detection", false}, {"promotion", false}, {"dns_update", false}};
    struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    struct sc_map m;
    int rc = sc_map(ctx, node, where, keys, NKEYS(keys), &m);
    if (rc != 0)
        return rc;
    WITH_KEY(ctx, keys, m, 0, sc_read_range(ctx, m.val[0], false, &c->detection));
    WITH_KEY(ctx, keys, m, 1, sc_read_range(ctx, m.val[1], false, &c->promotion));
    WITH_KEY(ctx, keys, m, 2, sc_read_range(ctx, m.val[2], false, &c->dns_update));
    c->has_detection = m.val[0] != NULL;
    c->has_promotion = m.val[1] != NULL;
    c->has_dns_update = m.val[2] != NULL;
    return 0;
}

/* Flow control is a Multi-AZ DB cluster's (its readers' apply lag). */
static int read_target_apply_lag(struct sc_ctx *ctx, yaml_node_t *node,
                                 struct rdsim_cluster_cfg *c)
{
    if (c->deployment != RDSIM_DEPLOY_MULTI_AZ_CLUSTER)
        return sc_fail(ctx, node, "target_apply_lag (flow control) needs deployment "
                                  "multi-az-cluster, deployment is %s",
                       rdsim_deployment_name(c->deployment));
    return sc_read_duration(ctx, node, true, &c->target_apply_lag);
}

static int read_az(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_instance_cfg *in)
{
    const struct rdsim_topology *t = &ctx->sc->topology;
    const char *text;
    int rc = sc_read_text(ctx, node, "an AZ name", &text);
    if (rc != 0)
        return rc;
    if (sc_find_az(t, text, &in->region)) {
        in->az = strdup(text);
        return in->az == NULL ? sc_nomem(ctx) : 0;
    }
    size_t n = 0;
    for (size_t r = 0; r < t->n_regions; r++)
        n += t->regions[r].n_azs;
    const char **all = calloc(n, sizeof *all);
    if (all == NULL)
        return sc_nomem(ctx);
    char q[96], list[512];
    size_t k = 0, o = 0;
    list[0] = '\0';
    for (size_t r = 0; r < t->n_regions; r++)
        for (size_t i = 0; i < t->regions[r].n_azs; i++) {
            all[k++] = t->regions[r].azs[i];
            if (o < sizeof list) {
                int w = snprintf(list + o, sizeof list - o, "%s%s", o > 0 ? ", " : "",
                                 t->regions[r].azs[i]);
                o += w > 0 ? (size_t)w : 0;
            }
        }
    const char *best = sc_suggest(text, all, n, sizeof *all);
    sc_quote(text, q, sizeof q);
    if (best != NULL)
        rc = sc_fail(ctx, node, "unknown AZ %s; did you mean \"%s\"?", q, best);
    else
        rc = sc_fail(ctx, node, "unknown AZ %s; the topology has %s", q, list);
    free(all);
    return rc;
}

static int load_instance(struct sc_ctx *ctx, yaml_node_t *item, size_t i,
                         struct sc_inst_nodes *nodes)
{
    enum { IK_NAME, IK_ROLE, IK_AZ, IK_CLASS, IK_TIER, IK_TAGS };
    static const struct sc_key keys[] = {
        [IK_NAME] = {"name", true},         [IK_ROLE] = {"role", true}, [IK_AZ] = {"az", true},
        [IK_CLASS] = {"instance_class", false}, [IK_TIER] = {"tier", false},
        [IK_TAGS] = {"tags", false},
    };
    struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    struct rdsim_instance_cfg *in = &c->instances[i];
    struct sc_map m;
    in->loc = (struct rdsim_loc){(int)item->start_mark.line + 1, (int)item->start_mark.column + 1};
    in->tier = 1;
    int rc = sc_map(ctx, item, item->start_mark, keys, NKEYS(keys), &m);
    if (rc != 0)
        return rc;
    WITH_KEY(ctx, keys, m, IK_NAME, sc_read_name(ctx, m.val[IK_NAME], &in->name));
    for (size_t j = 0; j < i; j++)
        if (strcmp(c->instances[j].name, in->name) == 0) {
            size_t saved = sc_path_key(ctx, "name");
            rc = sc_fail(ctx, m.val[IK_NAME], "duplicate instance name \"%s\" (first at line %d)",
                         in->name, c->instances[j].loc.line);
            sc_path_pop(ctx, saved);
            return rc;
        }
    int role;
    WITH_KEY(ctx, keys, m, IK_ROLE, sc_read_enum(ctx, m.val[IK_ROLE], sc_role_names, &role));
    in->role = (enum rdsim_role)role;
    WITH_KEY(ctx, keys, m, IK_AZ, read_az(ctx, m.val[IK_AZ], in));
    if (m.val[IK_CLASS] != NULL)
        WITH_KEY(ctx, keys, m, IK_CLASS, sc_read_class(ctx, m.val[IK_CLASS], c, &in->instance_class));
    else if ((in->instance_class = strdup(c->instance_class)) == NULL)
        return sc_nomem(ctx);
    if (m.val[IK_TIER] != NULL && !is_aurora(c)) {
        size_t saved = sc_path_key(ctx, "tier");
        rc = sc_fail(ctx, m.key[IK_TIER], "tier (the Aurora promotion tier) needs deployment "
                                          "aurora, deployment is %s",
                     rdsim_deployment_name(c->deployment));
        sc_path_pop(ctx, saved);
        return rc;
    }
    int64_t tier = 1;
    WITH_KEY(ctx, keys, m, IK_TIER, sc_read_int(ctx, m.val[IK_TIER], 0, 15, &tier));
    in->tier = (int)tier;
    WITH_KEY(ctx, keys, m, IK_TAGS,
             sc_load_tags(ctx, m.val[IK_TAGS], m.key[IK_TAGS]->start_mark, in));
    nodes->role = m.val[IK_ROLE];
    nodes->az = m.val[IK_AZ];
    return 0;
}

static int load_instances(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where,
                          struct sc_inst_nodes **nodes)
{
    struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    size_t n;
    int rc = sc_seq(ctx, node, "a list of instances", &n);
    if (rc != 0)
        return rc;
    if (n == 0)
        return sc_fail_mark(ctx, where, "must list at least one instance (the writer)");
    if (n > SC_MAX_INSTANCES)
        return sc_fail_mark(ctx, where, "%zu instances, at most %d are allowed", n,
                            SC_MAX_INSTANCES);
    c->instances = calloc(n, sizeof *c->instances);
    *nodes = calloc(n, sizeof **nodes);
    if (c->instances == NULL || *nodes == NULL)
        return sc_nomem(ctx);
    c->n_instances = n;
    for (size_t i = 0; i < n; i++) {
        size_t saved = sc_path_index(ctx, i);
        rc = load_instance(ctx, sc_seq_item(ctx, node, i), i, &(*nodes)[i]);
        if (rc != 0)
            return rc;
        sc_path_pop(ctx, saved);
    }
    return 0;
}

static int load_cluster_keys(struct sc_ctx *ctx, const struct sc_map *m,
                             struct sc_inst_nodes **nodes)
{
    struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    const struct sc_key *keys = cluster_keys;
    int dep;
    WITH_KEY(ctx, keys, *m, SC_CK_DEPLOYMENT,
             sc_read_enum(ctx, m->val[SC_CK_DEPLOYMENT], sc_deployment_names, &dep));
    c->deployment = (enum rdsim_deployment)dep;
    c->engine = is_aurora(c) ? RDSIM_ENGINE_AURORA_MYSQL : RDSIM_ENGINE_MYSQL;
    WITH_KEY(ctx, keys, *m, SC_CK_ENGINE, read_engine(ctx, m->val[SC_CK_ENGINE], c));
    c->version_major = c->version_minor = -1;
    WITH_KEY(ctx, keys, *m, SC_CK_ENGINE_VERSION,
             read_engine_version(ctx, m->val[SC_CK_ENGINE_VERSION], c));
    if (m->val[SC_CK_INSTANCE_CLASS] != NULL)
        WITH_KEY(ctx, keys, *m, SC_CK_INSTANCE_CLASS,
                 sc_read_class(ctx, m->val[SC_CK_INSTANCE_CLASS], c, &c->instance_class));
    else if ((c->instance_class = strdup("db.r6g.large")) == NULL)
        return sc_nomem(ctx);
    WITH_KEY(ctx, keys, *m, SC_CK_MIN_ACU, read_acu(ctx, m->val[SC_CK_MIN_ACU], &c->min_acu));
    WITH_KEY(ctx, keys, *m, SC_CK_MAX_ACU, read_acu(ctx, m->val[SC_CK_MAX_ACU], &c->max_acu));
    WITH_KEY(ctx, keys, *m, SC_CK_DNS_TTL, sc_read_duration(ctx, m->val[SC_CK_DNS_TTL], true, &c->dns_ttl));
    WITH_KEY(ctx, keys, *m, SC_CK_GLOBAL_DB_RPO,
             sc_read_duration(ctx, m->val[SC_CK_GLOBAL_DB_RPO], true, &c->global_db_rpo));
    WITH_KEY(ctx, keys, *m, SC_CK_FAILOVER,
             load_failover(ctx, m->val[SC_CK_FAILOVER], m->key[SC_CK_FAILOVER]->start_mark));
    WITH_KEY(ctx, keys, *m, SC_CK_TARGET_APPLY_LAG,
             read_target_apply_lag(ctx, m->val[SC_CK_TARGET_APPLY_LAG], c));
    WITH_KEY(ctx, keys, *m, SC_CK_INSTANCES, load_instances(ctx, m->val[SC_CK_INSTANCES],
                                    m->key[SC_CK_INSTANCES]->start_mark, nodes));
    return 0;
}

int sc_load_cluster(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    struct sc_map m;
    struct sc_inst_nodes *nodes = NULL;
    int rc = sc_map(ctx, node, where, cluster_keys, NKEYS(cluster_keys), &m);
    if (rc != 0)
        return rc;
    rc = load_cluster_keys(ctx, &m, &nodes);
    if (rc == 0)
        rc = sc_validate_cluster(ctx, &m, nodes, m.key[SC_CK_INSTANCES]->start_mark);
    free(nodes);
    /* After the instances: replicate_to is checked against the writer's. */
    sc_backup_defaults(&ctx->sc->cluster);
    if (rc == 0 && m.val[SC_CK_BACKUP] != NULL) {
        size_t saved = sc_path_key(ctx, "backup");
        rc = sc_load_backup(ctx, m.val[SC_CK_BACKUP], m.key[SC_CK_BACKUP]->start_mark);
        if (rc == 0)
            sc_path_pop(ctx, saved);
    }
    if (rc == 0 && m.val[SC_CK_REPLICA_AUTOSCALING] != NULL) {
        size_t saved = sc_path_key(ctx, "replica_autoscaling");
        rc = sc_load_autoscaling(ctx, m.val[SC_CK_REPLICA_AUTOSCALING],
                                 m.key[SC_CK_REPLICA_AUTOSCALING]->start_mark);
        if (rc == 0)
            sc_path_pop(ctx, saved);
    }
    return rc;
}

/* ---- workload, clients (expect: expect.c) --------------------------------------- */

static int read_keys(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_workload_cfg *w)
{
    static const char expect[] = "uniform or zipf:S with 0 < S <= 10 (zipf:0.99)";
    static const char *const names[] = {"uniform", "zipf", NULL};
    const char *t;
    int rc = sc_read_text(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    if (strcmp(t, "uniform") == 0) {
        w->keys = RDSIM_KEYS_UNIFORM;
        return 0;
    }
    double s;
    if (strncmp(t, "zipf:", 5) == 0 && sc_parse_number(t + 5, &s) == SC_UNIT_OK && s > 0.0 &&
        s <= 10.0) {
        w->keys = RDSIM_KEYS_ZIPF;
        w->zipf_s = s;
        return 0;
    }
    char q[96];
    const char *sugg = strncmp(t, "zipf", 4) == 0 ? NULL : sc_suggest_list(t, names);
    if (sugg != NULL && strcmp(sugg, "uniform") == 0)
        return sc_fail(ctx, node, "unknown value %s; did you mean \"uniform\"?",
                       sc_quote(t, q, sizeof q));
    return sc_fail(ctx, node, "must be %s, got %s", expect, sc_quote(t, q, sizeof q));
}

static int load_workload(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    static const struct sc_key keys[] = {{"rows", false},   {"keys", false},
                                         {"reads", false},  {"writes", false},
                                         {"read_from", false}, {"regions", false}};
    static const char *const read_from[] = {"reader", "writer", NULL};
    struct rdsim_workload_cfg *w = &ctx->sc->workload;
    struct sc_map m;
    int rc = sc_map(ctx, node, where, keys, NKEYS(keys), &m);
    if (rc != 0)
        return rc;
    w->present = true;
    WITH_KEY(ctx, keys, m, 0, sc_read_int(ctx, m.val[0], 1, 10000000, &w->rows));
    WITH_KEY(ctx, keys, m, 1, read_keys(ctx, m.val[1], w));
    WITH_KEY(ctx, keys, m, 2, sc_read_rate(ctx, m.val[2], &w->reads_per_s));
    WITH_KEY(ctx, keys, m, 3, sc_read_rate(ctx, m.val[3], &w->writes_per_s));
    int v = 0;
    WITH_KEY(ctx, keys, m, 4, sc_read_enum(ctx, m.val[4], read_from, &v));
    w->read_from = (enum rdsim_read_from)v;
    WITH_KEY(ctx, keys, m, 5, sc_load_workload_regions(ctx, m.val[5], w));
    return 0;
}

static int read_dns_cache(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_clients_cfg *cl)
{
    static const char expect[] = "ttl, forever or a duration (30s)";
    static const char *const names[] = {"ttl", "forever", NULL};
    const char *t;
    int rc = sc_read_text(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    if (strcmp(t, "ttl") == 0) {
        cl->dns_cache = RDSIM_DNS_CACHE_TTL;
        return 0;
    }
    if (strcmp(t, "forever") == 0) {
        cl->dns_cache = RDSIM_DNS_CACHE_FOREVER;
        return 0;
    }
    rdsim_time_t d;
    char q[96];
    sc_quote(t, q, sizeof q);
    switch (sc_parse_duration(t, &d)) {
    case SC_UNIT_OK:
        cl->dns_cache = RDSIM_DNS_CACHE_FIXED;
        cl->dns_cache_for = d;
        return 0;
    case SC_UNIT_SYNTAX:
        break;
    default:
        /* A duration in form but not in value: the duration reader says why. */
        return sc_read_duration(ctx, node, false, &d);
    }
    const char *sugg = sc_suggest_list(t, names);
    if (sugg != NULL)
        return sc_fail(ctx, node, "unknown value %s; did you mean \"%s\"?", q, sugg);
    return sc_fail(ctx, node, "must be %s, got %s", expect, q);
}

static int load_clients(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    static const struct sc_key keys[] = {
        {"timeout", false},   {"retry_backoff", false}, {"give_up_after", false},
        {"dns_cache", false}, {"connection", false},
    };
    static const char *const conns[] = {"direct", "rds-proxy", "smart-driver", NULL};
    struct rdsim_clients_cfg *cl = &ctx->sc->clients;
    struct sc_map m;
    int rc = sc_map(ctx, node, where, keys, NKEYS(keys), &m);
    if (rc != 0)
        return rc;
    WITH_KEY(ctx, keys, m, 0, sc_read_duration(ctx, m.val[0], true, &cl->timeout));
    WITH_KEY(ctx, keys, m, 1, sc_read_range(ctx, m.val[1], true, &cl->retry_backoff));
    WITH_KEY(ctx, keys, m, 2, sc_read_duration(ctx, m.val[2], true, &cl->give_up_after));
    WITH_KEY(ctx, keys, m, 3, read_dns_cache(ctx, m.val[3], cl));
    int v = 0;
    WITH_KEY(ctx, keys, m, 4, sc_read_enum(ctx, m.val[4], conns, &v));
    cl->connection = (enum rdsim_connection)v;
    return 0;
}

/* ---- top level ---------------------------------------------------------- */

int sc_load_top(struct sc_ctx *ctx, yaml_node_t *root)
{
    enum { K_NAME, K_DESC, K_SEED, K_DURATION, K_SAMPLE, K_TOPOLOGY, K_CLUSTER, K_WORKLOAD,
           K_CLIENTS, K_EVENTS, K_EXPECT };
    static const struct sc_key keys[] = {
        [K_NAME] = {"name", true},
        [K_DESC] = {"description", false},
        [K_SEED] = {"seed", false},
        [K_DURATION] = {"duration", true},
        [K_SAMPLE] = {"sample_interval", false},
        [K_TOPOLOGY] = {"topology", false},
        [K_CLUSTER] = {"cluster", true},
        [K_WORKLOAD] = {"workload", false},
        [K_CLIENTS] = {"clients", false},
        [K_EVENTS] = {"events", false},
        [K_EXPECT] = {"expect", false},
    };
    struct rdsim_scenario *sc = ctx->sc;
    struct sc_map m;
    set_defaults(sc);
    if (root->type != YAML_MAPPING_NODE) {
        char got[96];
        return sc_fail(ctx, root, "must be a mapping of scenario keys (name, duration, cluster, "
                                  "...), got %s", sc_describe(root, got, sizeof got));
    }
    int rc = sc_map(ctx, root, root->start_mark, keys, NKEYS(keys), &m);
    if (rc != 0)
        return rc;
    WITH_KEY(ctx, keys, m, K_NAME, sc_read_name(ctx, m.val[K_NAME], &sc->name));
    WITH_KEY(ctx, keys, m, K_DESC, sc_read_string(ctx, m.val[K_DESC], &sc->description));
    /* Signed 64 bits: summary.json holds the seed as a JSON integer and
     * `rdsim run --seed` takes it back, so every seed that loads can be
     * reproduced. */
    WITH_KEY(ctx, keys, m, K_SEED, sc_read_uint64(ctx, m.val[K_SEED], INT64_MAX, &sc->seed));
    WITH_KEY(ctx, keys, m, K_DURATION,
             sc_read_duration(ctx, m.val[K_DURATION], true, &sc->duration));
    WITH_KEY(ctx, keys, m, K_SAMPLE,
             sc_read_duration(ctx, m.val[K_SAMPLE], true, &sc->sample_interval));
    /* The default never exceeds a short run; a given one must not. */
    if (m.val[K_SAMPLE] == NULL && sc->sample_interval > sc->duration)
        sc->sample_interval = sc->duration;
    if (sc->sample_interval > sc->duration) {
        char a[32], b[32];
        sc_format_duration(sc->sample_interval, a, sizeof a);
        sc_format_duration(sc->duration, b, sizeof b);
        size_t saved = sc_path_key(ctx, "sample_interval");
        rc = sc_fail(ctx, m.val[K_SAMPLE], "%s is longer than the scenario (duration %s)", a, b);
        sc_path_pop(ctx, saved);
        return rc;
    }
    if (m.val[K_TOPOLOGY] != NULL)
        WITH_KEY(ctx, keys, m, K_TOPOLOGY,
                 sc_load_topology(ctx, m.val[K_TOPOLOGY], m.key[K_TOPOLOGY]->start_mark));
    if (sc->topology.n_regions == 0 && (rc = default_topology(ctx, &sc->topology)) != 0)
        return rc;
    WITH_KEY(ctx, keys, m, K_CLUSTER,
             sc_load_cluster(ctx, m.val[K_CLUSTER], m.key[K_CLUSTER]->start_mark));
    WITH_KEY(ctx, keys, m, K_WORKLOAD,
             load_workload(ctx, m.val[K_WORKLOAD], m.key[K_WORKLOAD]->start_mark));
    WITH_KEY(ctx, keys, m, K_CLIENTS,
             load_clients(ctx, m.val[K_CLIENTS], m.key[K_CLIENTS]->start_mark));
    WITH_KEY(ctx, keys, m, K_EVENTS, sc_load_events(ctx, m.val[K_EVENTS]));
    WITH_KEY(ctx, keys, m, K_EXPECT,
             sc_load_expect(ctx, m.val[K_EXPECT], m.key[K_EXPECT]->start_mark));
    return 0;
}
