/*
 * targets.c - what an FIS target names in the scenario: the cluster, some
 * of its DB instances, or the subnets of some AZs.
 *
 * The scenario is one DB cluster (or one DB instance with its replicas).
 * Its cluster ARN is ...:cluster:NAME with NAME the scenario's `name`; a DB
 * instance's is ...:db:NAME with NAME the instance's; both in the writer's
 * region (replicas in their own). resourceTags match the instances' `tags`
 * (all given tags, equal values: FIS's AND); the cluster, which has no tags
 * of its own in a scenario, matches when one of its instances carries them.
 * A Multi-AZ DB instance's standby is not a DB instance of its own on AWS,
 * so no target names it. A subnet stands for its AZ: rdsim models one
 * database subnet per AZ (a DB subnet group), so "the subnets of us-east-1a"
 * cut the instances there off, whatever their tags say.
 *
 * Filters and parameters rdsim can evaluate are listed in `*_filters` and
 * `*_params` below; any other is an error, never ignored, except a VPC
 * (rdsim models one VPC). Resolution happens once per target, as on FIS,
 * which picks targets when the experiment starts and keeps them: COUNT(n)
 * and PERCENT(n) draw from a stream seeded by the scenario's seed and the
 * target's name. An empty result is left to the caller (fail, or skip with
 * emptyTargetResolutionMode "skip"); its reason is in t->note.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "rdsim/rng.h"

/* ---- small helpers ------------------------------------------------------ */

/* "a, b, c" of the names in list (n entries) into buf. */
static void join(char *buf, size_t size, const char *const *list, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < size; i++) {
        int w = snprintf(buf + o, size - o, "%s%s", i ? ", " : "", list[i]);
        o += w > 0 ? (size_t)w : 0;
    }
}

/* An ARN's parts, pointing into `copy` (which the caller provides). */
struct arn {
    const char *service, *region, *resource;
};

static bool parse_arn(const char *s, char *copy, size_t size, struct arn *a)
{
    if (strlen(s) >= size || strncmp(s, "arn:", 4) != 0)
        return false;
    strcpy(copy, s);
    char *part[6];
    char *p = copy;
    for (int i = 0; i < 5; i++) {
        part[i] = p;
        p = strchr(p, ':');
        if (p == NULL)
            return false;
        *p++ = '\0';
    }
    part[5] = p; /* the resource keeps its own colons (db:NAME) */
    a->service = part[2];
    a->region = part[3];
    a->resource = part[5];
    return part[1][0] != '\0' && a->service[0] != '\0' && a->resource[0] != '\0';
}

/* Read the ARN `s` at `path` into *a: it must be one of `service` whose
 * resource starts with `prefix`; else the message "must be DESC, got S". */
static int want_arn(struct fis_ctx *ctx, const char *path, const char *s, const char *service,
                    const char *prefix, const char *desc, char *copy, size_t size,
                    struct arn *a)
{
    char q[96];
    if (parse_arn(s, copy, size, a) && strcmp(a->service, service) == 0 &&
        strncmp(a->resource, prefix, strlen(prefix)) == 0)
        return 0;
    return fis_fail(ctx, path, "must be %s, got %s", desc, rdsim_quote(s, q, sizeof q));
}

static bool region_of_az(const struct rdsim_scenario *sc, const char *az, size_t *region)
{
    for (size_t r = 0; r < sc->topology.n_regions; r++)
        for (size_t i = 0; i < sc->topology.regions[r].n_azs; i++)
            if (strcmp(sc->topology.regions[r].azs[i], az) == 0) {
                *region = r;
                return true;
            }
    return false;
}

static int unknown_az(struct fis_ctx *ctx, const char *path,
                      const struct rdsim_scenario *sc, const char *az)
{
    char list[512], q[96];
    size_t o = 0;
    list[0] = '\0';
    for (size_t r = 0; r < sc->topology.n_regions && o < sizeof list; r++)
        for (size_t i = 0; i < sc->topology.regions[r].n_azs && o < sizeof list; i++) {
            int w = snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "",
                             sc->topology.regions[r].azs[i]);
            o += w > 0 ? (size_t)w : 0;
        }
    /* AZ IDs (use1-az1) name different AZs in every account. */
    const char *dash = strstr(az, "-az");
    if (dash != NULL && dash[3] >= '0' && dash[3] <= '9')
        return fis_fail(ctx, path,
                        "%s looks like an AZ ID, which maps to a different AZ name in "
                        "every AWS account; use the AZ name (%s)",
                        rdsim_quote(az, q, sizeof q), list);
    return fis_fail(ctx, path, "unknown AZ %s; %s's topology has %s",
                    rdsim_quote(az, q, sizeof q), fis_base_name(sc->path), list);
}

/* Is `az` in the comma-separated list `csv` ("all" matches any)? Each name
 * in the list must be an AZ of the topology. */
static int az_in_list(struct fis_ctx *ctx, const char *path,
                      const struct rdsim_scenario *sc, const char *csv, const char *az,
                      bool *in)
{
    char buf[1100];
    *in = false;
    if (strcmp(csv, "all") == 0) {
        *in = true;
        return 0;
    }
    snprintf(buf, sizeof buf, "%s", csv);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ')
            *--end = '\0';
        size_t r;
        if (!region_of_az(sc, tok, &r))
            return unknown_az(ctx, path, sc, tok);
        if (strcmp(tok, az) == 0)
            *in = true;
    }
    return 0;
}

static bool instance_has_tags(const struct rdsim_instance_cfg *in,
                              const struct fis_target *t)
{
    for (size_t k = 0; k < t->n_tags; k++) {
        bool found = false;
        for (size_t j = 0; j < in->n_tags && !found; j++)
            found = strcmp(in->tags[j].key, t->tags[k].key) == 0 &&
                    strcmp(in->tags[j].value, t->tags[k].value) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* "team=payments, env=prod" */
static void tags_text(char *buf, size_t size, const struct fis_target *t)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < t->n_tags && o < size; k++) {
        int w = snprintf(buf + o, size - o, "%s%s=%s", k ? ", " : "", t->tags[k].key,
                         t->tags[k].value);
        o += w > 0 ? (size_t)w : 0;
    }
}

/* The engine as AWS's API names it (DescribeDBClusters' Engine). */
static const char *aws_engine(enum rdsim_engine e)
{
    switch (e) {
    case RDSIM_ENGINE_AURORA_MYSQL:
        return "aurora-mysql";
    case RDSIM_ENGINE_AURORA_POSTGRES:
        return "aurora-postgresql";
    case RDSIM_ENGINE_POSTGRES:
        return "postgres";
    case RDSIM_ENGINE_MARIADB:
        return "mariadb";
    default:
        return "mysql";
    }
}

static bool value_listed(const struct fis_filter *f, const char *v, bool nocase)
{
    for (size_t i = 0; i < f->n_values; i++)
        if (nocase ? strcasecmp(f->values[i], v) == 0 : strcmp(f->values[i], v) == 0)
            return true;
    return false;
}

/* AWS's rules for naming resources, common to every resource type. */
static int check_naming(struct fis_ctx *ctx, const struct fis_target *t)
{
    if (t->has_arns && t->has_tags)
        return fis_fail(ctx, t->path,
                        "resourceArns and resourceTags are both given; FIS takes "
                        "one or the other");
    if (t->has_arns && t->has_filters)
        return fis_fail(ctx, t->path,
                        "resourceArns and filters are both given; FIS takes one or "
                        "the other");
    if (t->has_arns && t->n_arns == 0) {
        char p[FIS_PATH_MAX];
        return fis_fail(ctx, fis_path_key(p, t->path, "resourceArns"),
                        "must list at least one ARN");
    }
    return 0;
}

/* The first of `names` (n of them) not in the NULL-terminated `known`, or
 * n when all are; `list` gets the known ones, joined. */
static size_t first_unknown(const char *const *known,
                            const char *(*name)(const void *, size_t), const void *items,
                            size_t n, char *list, size_t size)
{
    size_t count = 0;
    while (known[count] != NULL)
        count++;
    join(list, size, known, count);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < count && strcmp(known[k], name(items, i)) != 0)
            k++;
        if (k == count)
            return i;
    }
    return n;
}

static const char *filter_path(const void *items, size_t i)
{
    return ((const struct fis_filter *)items)[i].path;
}

static const char *param_key(const void *items, size_t i)
{
    return ((const struct fis_kv *)items)[i].key;
}

/* Check that every filter path and parameter is one rdsim evaluates. */
static int check_known(struct fis_ctx *ctx, const struct fis_target *t,
                       const char *const *filters, const char *const *params)
{
    char p[FIS_PATH_MAX], pp[FIS_PATH_MAX], list[256], q[96];
    size_t i =
        first_unknown(filters, filter_path, t->filters, t->n_filters, list, sizeof list);
    if (i < t->n_filters) {
        snprintf(pp, sizeof pp, "%s.filters[%zu].path", t->path, i);
        return fis_fail(
            ctx, pp, "rdsim cannot evaluate the filter %s on %s offline; it knows %s",
            rdsim_quote(t->filters[i].path, q, sizeof q), t->resource_type, list);
    }
    i = first_unknown(params, param_key, t->params, t->n_params, list, sizeof list);
    if (i < t->n_params) {
        fis_path_key(pp, fis_path_key(p, t->path, "parameters"), t->params[i].key);
        return fis_fail(ctx, pp, "unknown parameter for %s; it takes %s",
                        t->resource_type, list[0] ? list : "none");
    }
    return 0;
}

/* Keep k of the n candidates in `idx` (in their order) as the selection mode
 * says; *kept gets k. Fails when the mode selects none of a non-empty set. */
static int select_some(struct fis_ctx *ctx, const struct rdsim_scenario *sc,
                       const struct fis_target *t, size_t *idx, size_t n, size_t *kept,
                       const char *what)
{
    size_t k = n;
    if (t->sel == FIS_SELECT_COUNT && (size_t)t->sel_n < n)
        k = (size_t)t->sel_n;
    if (t->sel == FIS_SELECT_PERCENT)
        k = n * (size_t)t->sel_n / 100; /* FIS rounds down */
    if (n > 0 && k == 0) {
        char p[FIS_PATH_MAX];
        return fis_fail(
            ctx, fis_path_key(p, t->path, "selectionMode"),
            "%s of %zu %s selects none (FIS rounds down, and fails the experiment)",
            t->selection, n, what);
    }
    if (k < n) {
        /* Which k: a partial Fisher-Yates, then back into candidate order. */
        char stream[FIS_PATH_MAX];
        struct rdsim_rng rng;
        snprintf(stream, sizeof stream, "fis:%s", t->name);
        rdsim_rng_init(&rng, sc->seed, stream);
        for (size_t i = 0; i < k; i++) {
            size_t j = i + (size_t)rdsim_rng_below(&rng, n - i);
            size_t tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
        }
        for (size_t i = 1; i < k; i++)
            for (size_t j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
                size_t tmp = idx[j];
                idx[j] = idx[j - 1];
                idx[j - 1] = tmp;
            }
    }
    *kept = k;
    return 0;
}

/* ---- aws:rds:cluster ---------------------------------------------------- */

static const char *const cluster_filters[] = {"DBClusterIdentifier", "Engine",
                                              "AvailabilityZones", NULL};
static const char *const cluster_params[] = {"writerAvailabilityZoneIdentifiers", NULL};

static int resolve_cluster(struct fis_ctx *ctx, const struct rdsim_scenario *sc,
                           struct fis_target *t)
{
    const struct rdsim_cluster_cfg *c = &sc->cluster;
    const struct rdsim_instance_cfg *writer = &c->instances[c->writer];
    const char *writer_region = sc->topology.regions[writer->region].name;
    const char *file = fis_base_name(sc->path);
    char p[FIS_PATH_MAX], q[96], copy[1100];
    int rc;

    if ((rc = check_naming(ctx, t)) != 0 ||
        (rc = check_known(ctx, t, cluster_filters, cluster_params)) != 0)
        return rc;
    /* No DB cluster to find: FIS resolves the target to nothing (and fails,
     * or skips the action). */
    if (c->deployment == RDSIM_DEPLOY_SINGLE_AZ ||
        c->deployment == RDSIM_DEPLOY_MULTI_AZ_INSTANCE) {
        t->note = fis_printf(
            "matches no DB cluster: %s's deployment is %s, a DB instance, not a "
            "DB cluster; %s",
            file, rdsim_deployment_name(c->deployment),
            c->deployment == RDSIM_DEPLOY_SINGLE_AZ
                ? "reboot it with aws:rds:reboot-db-instances on an aws:rds:db "
                  "target"
                : "fail it over with aws:rds:reboot-db-instances and "
                  "forceFailover \"true\" on an aws:rds:db target");
        return t->note == NULL ? fis_nomem(ctx) : 0;
    }
    bool match = true;
    for (size_t i = 0; i < t->n_arns; i++) {
        struct arn a;
        snprintf(p, sizeof p, "%s.resourceArns[%zu]", t->path, i);
        if ((rc = want_arn(ctx, p, t->arns[i], "rds", "cluster:",
                           "a DB cluster ARN (arn:aws:rds:REGION:ACCOUNT:cluster:NAME)", copy,
                           sizeof copy, &a)) != 0)
            return rc;
        if (strcasecmp(a.resource + 8, sc->name) != 0)
            return fis_fail(ctx, p,
                            "names the DB cluster %s; %s's cluster is %s (its name)",
                            rdsim_quote(a.resource + 8, q, sizeof q), file, sc->name);
        if (strcmp(a.region, writer_region) != 0)
            return fis_fail(ctx, p,
                            "names a cluster in %s; %s's cluster is in %s (the writer's "
                            "region)",
                            a.region[0] ? a.region : "no region", file, writer_region);
    }
    if (t->has_tags) {
        bool any = false;
        for (size_t i = 0; i < c->n_instances && !any; i++)
            any = instance_has_tags(&c->instances[i], t);
        match = any;
    }
    for (size_t f = 0; f < t->n_filters && match; f++) {
        const struct fis_filter *flt = &t->filters[f];
        if (strcmp(flt->path, "DBClusterIdentifier") == 0) {
            match = value_listed(flt, sc->name, true);
        } else if (strcmp(flt->path, "Engine") == 0) {
            match = value_listed(flt, aws_engine(c->engine), false);
        } else {
            bool any = false;
            for (size_t i = 0; i < c->n_instances && !any; i++)
                any = value_listed(flt, c->instances[i].az, false);
            match = any;
        }
    }
    const char *azs =
        fis_param(t->params, t->n_params, "writerAvailabilityZoneIdentifiers");
    if (azs != NULL && match) {
        bool in;
        snprintf(p, sizeof p, "%s.parameters.writerAvailabilityZoneIdentifiers", t->path);
        if ((rc = az_in_list(ctx, p, sc, azs, writer->az, &in)) != 0)
            return rc;
        match = in;
    }
    size_t idx = 0, kept = 0;
    if ((rc = select_some(ctx, sc, t, &idx, match ? 1 : 0, &kept, "DB cluster")) != 0)
        return rc;
    t->cluster = kept == 1;
    if (t->cluster)
        t->note = fis_printf("the DB cluster %s (its writer: %s, in %s)", sc->name,
                             writer->name, writer->az);
    else if (azs != NULL)
        t->note =
            fis_printf("matches no DB cluster: the writer of %s, %s, is in %s, not in %s",
                       file, writer->name, writer->az, azs);
    else
        t->note = fis_printf(
            "matches no DB cluster of %s (resourceTags, filters and parameters "
            "together)",
            file);
    return t->note == NULL ? fis_nomem(ctx) : 0;
}

/* ---- aws:rds:db --------------------------------------------------------- */

static const char *const db_filters[] = {"DBInstanceIdentifier", "AvailabilityZone",
                                         "DBInstanceClass",      "Engine",
                                         "DBClusterIdentifier",  NULL};
static const char *const db_params[] = {"availabilityZoneIdentifiers", NULL};

/* A Multi-AZ DB instance's standby has no identifier of its own on AWS. */
static bool is_db_instance(const struct rdsim_scenario *sc, size_t i)
{
    return !(sc->cluster.deployment == RDSIM_DEPLOY_MULTI_AZ_INSTANCE &&
             sc->cluster.instances[i].role == RDSIM_ROLE_STANDBY);
}

static bool db_filter_match(const struct rdsim_scenario *sc, const struct fis_filter *f,
                            const struct rdsim_instance_cfg *in)
{
    if (strcmp(f->path, "DBInstanceIdentifier") == 0)
        return value_listed(f, in->name, true);
    if (strcmp(f->path, "AvailabilityZone") == 0)
        return value_listed(f, in->az, false);
    if (strcmp(f->path, "DBInstanceClass") == 0)
        return value_listed(f, in->instance_class, false);
    if (strcmp(f->path, "Engine") == 0)
        return value_listed(f, aws_engine(sc->cluster.engine), false);
    /* DBClusterIdentifier: instances of a DB cluster carry its name. */
    return (sc->cluster.deployment == RDSIM_DEPLOY_AURORA ||
            sc->cluster.deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER) &&
           value_listed(f, sc->name, true);
}

static int resolve_db(struct fis_ctx *ctx, const struct rdsim_scenario *sc,
                      struct fis_target *t)
{
    const struct rdsim_cluster_cfg *c = &sc->cluster;
    const char *file = fis_base_name(sc->path);
    char p[FIS_PATH_MAX], q[96], copy[1100], list[1024];
    const char *names[100];
    size_t n_names = 0;
    int rc;

    if ((rc = check_naming(ctx, t)) != 0 ||
        (rc = check_known(ctx, t, db_filters, db_params)) != 0)
        return rc;
    for (size_t i = 0; i < c->n_instances && n_names < 100; i++)
        if (is_db_instance(sc, i))
            names[n_names++] = c->instances[i].name;
    join(list, sizeof list, names, n_names);

    t->picked = calloc(c->n_instances, sizeof *t->picked);
    if (t->picked == NULL)
        return fis_nomem(ctx);
    bool *named = calloc(c->n_instances, sizeof *named);
    if (named == NULL)
        return fis_nomem(ctx);
    for (size_t k = 0; k < t->n_arns; k++) {
        struct arn a;
        snprintf(p, sizeof p, "%s.resourceArns[%zu]", t->path, k);
        if ((rc = want_arn(ctx, p, t->arns[k], "rds", "db:",
                           "a DB instance ARN (arn:aws:rds:REGION:ACCOUNT:db:NAME)", copy,
                           sizeof copy, &a)) != 0)
            goto out;
        size_t i = 0;
        while (i < c->n_instances &&
               strcasecmp(c->instances[i].name, a.resource + 3) != 0)
            i++;
        if (i == c->n_instances) {
            rc = fis_fail(ctx, p,
                          "names the DB instance %s, which %s does not have; its DB "
                          "instances are %s",
                          rdsim_quote(a.resource + 3, q, sizeof q), file, list);
            goto out;
        }
        if (!is_db_instance(sc, i)) {
            rc = fis_fail(ctx, p,
                          "%s is the standby of a Multi-AZ DB instance, which has no "
                          "identifier of its own on AWS; name the DB instance by its "
                          "writer, %s",
                          c->instances[i].name, c->instances[c->writer].name);
            goto out;
        }
        const char *region = sc->topology.regions[c->instances[i].region].name;
        if (strcmp(a.region, region) != 0) {
            rc = fis_fail(ctx, p, "names %s in %s; %s is in %s", c->instances[i].name,
                          a.region[0] ? a.region : "no region", c->instances[i].name,
                          region);
            goto out;
        }
        named[i] = true;
    }
    const char *azs = fis_param(t->params, t->n_params, "availabilityZoneIdentifiers");
    snprintf(p, sizeof p, "%s.parameters.availabilityZoneIdentifiers", t->path);
    size_t n = 0;
    for (size_t i = 0; i < c->n_instances; i++) {
        const struct rdsim_instance_cfg *in = &c->instances[i];
        bool match = is_db_instance(sc, i) && (!t->has_arns || named[i]) &&
                     (!t->has_tags || instance_has_tags(in, t));
        for (size_t f = 0; f < t->n_filters && match; f++)
            match = db_filter_match(sc, &t->filters[f], in);
        if (match && azs != NULL &&
            (rc = az_in_list(ctx, p, sc, azs, in->az, &match)) != 0)
            goto out;
        if (match)
            t->picked[n++] = i;
    }
    rc = select_some(ctx, sc, t, t->picked, n, &t->n_picked, "DB instances");
    if (rc != 0)
        goto out;
    if (t->n_picked > 0) {
        for (size_t i = 0; i < t->n_picked; i++)
            names[i] = c->instances[t->picked[i]].name;
        join(list, sizeof list, names, t->n_picked);
        t->note = fis_printf("DB instance%s %s%s%s", t->n_picked > 1 ? "s" : "", list,
                             t->n_picked < n ? ", chosen at random by " : "",
                             t->n_picked < n ? t->selection : "");
    } else if (t->has_tags) {
        char tags[512];
        tags_text(tags, sizeof tags, t);
        t->note =
            fis_printf("matches no DB instance of %s: none carries the tags %s (together "
                       "with the filters and parameters); its DB instances are %s",
                       file, tags, list);
    } else {
        t->note =
            fis_printf("matches no DB instance of %s (filters and parameters together); "
                       "its DB instances are %s",
                       file, list);
    }
    rc = t->note == NULL ? fis_nomem(ctx) : 0;
out:
    free(named);
    return rc;
}

/* ---- aws:ec2:subnet ----------------------------------------------------- */

static const char *const subnet_filters[] = {"AvailabilityZone", "SubnetId", "VpcId",
                                             NULL};
static const char *const subnet_params[] = {"availabilityZoneIdentifier", "vpc", NULL};

/* One subnet a subnet target may name. */
struct subnet {
    const char *id; /* NULL: "the AZ's subnets" */
    const char *az; /* points into the scenario's topology */
};

static int subnet_az(struct fis_ctx *ctx, const char *path,
                     const struct rdsim_scenario *sc, const struct rdsim_fis_options *opt,
                     const char *id, const char **az)
{
    char q[96];
    for (size_t s = 0; opt != NULL && s < opt->n_subnets; s++)
        if (strcmp(opt->subnets[s].id, id) == 0) {
            for (size_t r = 0; r < sc->topology.n_regions; r++)
                for (size_t i = 0; i < sc->topology.regions[r].n_azs; i++)
                    if (strcmp(sc->topology.regions[r].azs[i], opt->subnets[s].az) == 0) {
                        *az = sc->topology.regions[r].azs[i];
                        return 0;
                    }
            return unknown_az(ctx, path, sc, opt->subnets[s].az);
        }
    return fis_fail(ctx, path,
                    "rdsim cannot tell which AZ the subnet %s is in; pass --subnet "
                    "%s=AZ",
                    rdsim_quote(id, q, sizeof q), id);
}

/* The topology's own copy of an AZ name, or an error. */
static int topology_az(struct fis_ctx *ctx, const char *path,
                       const struct rdsim_scenario *sc, const char *name, const char **az)
{
    for (size_t r = 0; r < sc->topology.n_regions; r++)
        for (size_t i = 0; i < sc->topology.regions[r].n_azs; i++)
            if (strcmp(sc->topology.regions[r].azs[i], name) == 0) {
                *az = sc->topology.regions[r].azs[i];
                return 0;
            }
    return unknown_az(ctx, path, sc, name);
}

static int resolve_subnet(struct fis_ctx *ctx, const struct rdsim_scenario *sc,
                          const struct rdsim_fis_options *opt, struct fis_target *t)
{
    char p[FIS_PATH_MAX], copy[1100];
    struct subnet cand[FIS_MAX_ITEMS];
    const struct fis_filter *first_id = NULL, *first_az = NULL;
    const char *param_az =
        fis_param(t->params, t->n_params, "availabilityZoneIdentifier");
    const char *az_of_param = NULL;
    size_t n = 0;
    int rc;

    if ((rc = check_naming(ctx, t)) != 0 ||
        (rc = check_known(ctx, t, subnet_filters, subnet_params)) != 0)
        return rc;
    /* Every AZ named must be the topology's. */
    for (size_t f = 0; f < t->n_filters; f++) {
        const struct fis_filter *flt = &t->filters[f];
        if (strcmp(flt->path, "SubnetId") == 0 && first_id == NULL)
            first_id = flt;
        if (strcmp(flt->path, "AvailabilityZone") != 0)
            continue;
        if (first_az == NULL)
            first_az = flt;
        for (size_t v = 0; v < flt->n_values; v++) {
            const char *az;
            snprintf(p, sizeof p, "%s.filters[%zu].values[%zu]", t->path, f, v);
            if ((rc = topology_az(ctx, p, sc, flt->values[v], &az)) != 0)
                return rc;
        }
    }
    snprintf(p, sizeof p, "%s.parameters.availabilityZoneIdentifier", t->path);
    if (param_az != NULL && (rc = topology_az(ctx, p, sc, param_az, &az_of_param)) != 0)
        return rc;

    /* The candidates: subnets named one by one (ARNs, else a SubnetId
     * filter), else the subnets of each AZ named. */
    if (t->n_arns > 0) {
        for (size_t k = 0; k < t->n_arns; k++) {
            struct arn a;
            snprintf(p, sizeof p, "%s.resourceArns[%zu]", t->path, k);
            if ((rc = want_arn(ctx, p, t->arns[k], "ec2", "subnet/",
                               "a subnet ARN (arn:aws:ec2:REGION:ACCOUNT:subnet/subnet-ID)",
                               copy, sizeof copy, &a)) != 0)
                return rc;
            /* The ID inside the ARN itself: copy is laid out as arns[k]. */
            cand[n].id = t->arns[k] + (a.resource - copy) + 7;
            if ((rc = subnet_az(ctx, p, sc, opt, cand[n].id, &cand[n].az)) != 0)
                return rc;
            n++;
        }
    } else if (first_id != NULL) {
        size_t f = (size_t)(first_id - t->filters);
        for (size_t v = 0; v < first_id->n_values && n < FIS_MAX_ITEMS; v++) {
            snprintf(p, sizeof p, "%s.filters[%zu].values[%zu]", t->path, f, v);
            cand[n].id = first_id->values[v];
            if ((rc = subnet_az(ctx, p, sc, opt, cand[n].id, &cand[n].az)) != 0)
                return rc;
            n++;
        }
    } else if (first_az != NULL || az_of_param != NULL) {
        for (size_t v = 0;
             first_az != NULL && v < first_az->n_values && n < FIS_MAX_ITEMS; v++) {
            snprintf(p, sizeof p, "%s.filters[%zu].values[%zu]", t->path,
                     (size_t)(first_az - t->filters), v);
            if ((rc = topology_az(ctx, p, sc, first_az->values[v], &cand[n].az)) != 0)
                return rc;
            cand[n].id = NULL;
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = cand[j].az == cand[n].az;
            n += !dup;
        }
        if (first_az == NULL) {
            cand[0] = (struct subnet){NULL, az_of_param};
            n = 1;
        }
    } else {
        return fis_fail(ctx, t->path,
                        "rdsim cannot tell which AZ these subnets are in: add a "
                        "filter {\"path\": \"AvailabilityZone\", \"values\": [AZ]} "
                        "or name them by ARN with --subnet ID=AZ");
    }

    /* Every filter and the parameter hold (FIS's AND). */
    size_t idx[FIS_MAX_ITEMS], m = 0;
    for (size_t i = 0; i < n; i++) {
        bool match = az_of_param == NULL || az_of_param == cand[i].az;
        for (size_t f = 0; f < t->n_filters && match; f++) {
            const struct fis_filter *flt = &t->filters[f];
            if (strcmp(flt->path, "AvailabilityZone") == 0)
                match = value_listed(flt, cand[i].az, false);
            else if (strcmp(flt->path, "SubnetId") == 0)
                match = cand[i].id != NULL && value_listed(flt, cand[i].id, false);
        }
        if (match)
            idx[m++] = i;
    }
    size_t kept;
    if ((rc = select_some(ctx, sc, t, idx, m, &kept, "subnets")) != 0)
        return rc;
    t->azs = calloc(kept > 0 ? kept : 1, sizeof *t->azs);
    if (t->azs == NULL)
        return fis_nomem(ctx);
    for (size_t i = 0; i < kept; i++) {
        const char *az = cand[idx[i]].az;
        bool dup = false;
        for (size_t j = 0; j < t->n_azs && !dup; j++)
            dup = t->azs[j] == az;
        if (!dup)
            t->azs[t->n_azs++] = az;
    }
    char list[512], tags[600] = "";
    join(list, sizeof list, t->azs, t->n_azs);
    if (t->has_tags) {
        char tt[480];
        tags_text(tt, sizeof tt, t);
        snprintf(tags, sizeof tags,
                 "; its subnets tagged %s are taken to include the "
                 "database's",
                 tt);
    }
    bool vpc = fis_param(t->params, t->n_params, "vpc") != NULL;
    for (size_t f = 0; f < t->n_filters; f++)
        vpc = vpc || strcmp(t->filters[f].path, "VpcId") == 0;
    if (t->n_azs > 0)
        t->note = fis_printf("the subnets of %s%s%s%s%s", list,
                             kept < m ? ", chosen at random by " : "",
                             kept < m ? t->selection : "", tags,
                             vpc ? "; the VPC is not checked (rdsim models one)" : "");
    else
        t->note = fis_printf(
            "matches no subnet (its filters and parameters exclude each other)");
    return t->note == NULL ? fis_nomem(ctx) : 0;
}

int fis_target_resolve(struct fis_ctx *ctx, const struct rdsim_scenario *sc,
                       const struct rdsim_fis_options *opt, struct fis_target *t)
{
    if (t->resolved)
        return 0;
    t->resolved = true;
    switch (t->kind) {
    case FIS_RES_CLUSTER:
        return resolve_cluster(ctx, sc, t);
    case FIS_RES_DB:
        return resolve_db(ctx, sc, t);
    case FIS_RES_SUBNET:
        return resolve_subnet(ctx, sc, opt, t);
    default:
        return rdsim_err_set(ctx->err, RDSIM_EINTERNAL,
                             "%s: %s: resolved as an unknown kind", ctx->file, t->path);
    }
}
