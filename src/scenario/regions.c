/*
 * regions.c - `workload.regions`: the Regions the clients live in, each with
 * its share of the load.
 *
 * A mapping of Region names (regions of the topology, each once) to shares
 * with 0 < share <= 1 that add up to 1 (within 1e-6, so that 0.3 + 0.7 in
 * decimal reads as 1). Keys are checked in file order: name, duplicate,
 * then the share; the sum last, at the mapping.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SUM_TOLERANCE 1e-6

static int unknown_region(struct sc_ctx *ctx, yaml_node_t *node, const char *text)
{
    const struct rdsim_topology *t = &ctx->sc->topology;
    char q[96], list[512];

    sc_quote(text, q, sizeof q);
    const char *s = sc_suggest(text, &t->regions[0].name, t->n_regions, sizeof t->regions[0]);
    if (s != NULL)
        return sc_fail(ctx, node, "unknown region %s; did you mean \"%s\"?", q, s);
    sc_join_names(list, sizeof list, &t->regions[0].name, t->n_regions, sizeof t->regions[0]);
    return sc_fail(ctx, node, "unknown region %s; the topology has %s", q, list);
}

/* One `REGION: SHARE` pair into w->regions[i]. */
static int read_share(struct sc_ctx *ctx, yaml_node_t *key, yaml_node_t *val,
                      const yaml_node_pair_t *pairs, size_t i, struct rdsim_workload_cfg *w)
{
    const struct rdsim_topology *t = &ctx->sc->topology;
    const char *name;
    size_t r;
    double v;
    int rc = sc_read_text(ctx, key, "a region name", &name);

    if (rc != 0)
        return rc;
    if (!sc_find_region(t, name, &r))
        return unknown_region(ctx, key, name);
    size_t saved = sc_path_key(ctx, name);
    for (size_t j = 0; j < i; j++)
        if (w->regions[j].region == r)
            return sc_fail(ctx, key, "duplicate region (first at line %zu)",
                           sc_node(ctx, pairs[j].key)->start_mark.line + 1);
    rc = sc_read_number(ctx, val, -INFINITY, INFINITY,
                        "a share of the load, a number with 0 < share <= 1 (0.4)", &v);
    if (rc != 0)
        return rc;
    if (!(v > 0.0 && v <= 1.0))
        return sc_fail(ctx, val, "a share of the load must be > 0 and <= 1, got %g (%s)", v,
                       v > 1.0 ? "a fraction of the load: 0.4 for 40%"
                               : "leave out a region without clients");
    w->regions[i].region = r;
    w->regions[i].share = v;
    w->n_regions = i + 1;
    sc_path_pop(ctx, saved);
    return 0;
}

int sc_load_workload_regions(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_workload_cfg *w)
{
    char got[96];
    double sum = 0.0;

    if (node->type != YAML_MAPPING_NODE)
        return sc_fail(ctx, node,
                       "must be a mapping of regions to shares of the load "
                       "(us-east-1: 0.6, eu-west-1: 0.4), got %s",
                       sc_describe(node, got, sizeof got));
    yaml_node_pair_t *pairs = node->data.mapping.pairs.start;
    size_t n = (size_t)(node->data.mapping.pairs.top - pairs);
    if (n == 0)
        return sc_fail(ctx, node,
                       "must name at least one region with its share of the load "
                       "(us-east-1: 1), or be left out");
    if ((w->regions = calloc(n, sizeof *w->regions)) == NULL)
        return sc_nomem(ctx);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *key = sc_node(ctx, pairs[i].key), *val = sc_node(ctx, pairs[i].value);
        if (key == NULL || val == NULL)
            return rdsim_err_set(ctx->err, RDSIM_EINTERNAL, "%s: broken YAML document",
                                 ctx->file);
        int rc = read_share(ctx, key, val, pairs, i, w);
        if (rc != 0)
            return rc;
        sum += w->regions[i].share;
    }
    if (fabs(sum - 1.0) > SUM_TOLERANCE)
        return sc_fail(ctx, node, "the shares add up to %g; they must add up to 1 (each "
                                  "region's fraction of the load)",
                       sum);
    return 0;
}
