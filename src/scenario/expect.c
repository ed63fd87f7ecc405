/*
 * expect.c - the `expect:` section: the verdict a scenario states about its
 * own run (docs/scenario-format.md §7).
 *
 * Bounds on figures (max_writer_downtime, lost_writes or max_lost_writes,
 * max_stale_read_ratio, min_availability, min_uptime), what must happen
 * (writer_recovers, failover_target), min:/max: maps over the figures
 * of summary.json by name (rdsim/figures.h) and, per restore event by its
 * name, bounds on its lost writes and time to available (restores:). Everything a run could not
 * check is refused here, at load time, with its position: an unknown
 * figure, a limit of the wrong kind, a min above its max, an instance that
 * does not exist. Evaluation is the run module's (src/run/expect.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

enum {
    K_MAX_WRITER_DOWNTIME,
    K_LOST_WRITES,
    K_MAX_LOST_WRITES,
    K_MAX_STALE_READ_RATIO,
    K_MIN_AVAILABILITY,
    K_WRITER_RECOVERS,
    K_FAILOVER_TARGET,
    K_MIN_UPTIME,
    K_MIN,
    K_MAX,
    K_RESTORES,
};

static const struct sc_key keys[] = {
    [K_MAX_WRITER_DOWNTIME] = {"max_writer_downtime", false},
    [K_LOST_WRITES] = {"lost_writes", false},
    [K_MAX_LOST_WRITES] = {"max_lost_writes", false},
    [K_MAX_STALE_READ_RATIO] = {"max_stale_read_ratio", false},
    [K_MIN_AVAILABILITY] = {"min_availability", false},
    [K_WRITER_RECOVERS] = {"writer_recovers", false},
    [K_FAILOVER_TARGET] = {"failover_target", false},
    [K_MIN_UPTIME] = {"min_uptime", false},
    [K_MIN] = {"min", false},
    [K_MAX] = {"max", false},
    [K_RESTORES] = {"restores", false},
};

bool rdsim_expect_cfg_is_empty(const struct rdsim_expect_cfg *e)
{
    return !e->has_max_writer_downtime && !e->has_lost_writes &&
           !e->has_max_stale_read_ratio && !e->has_min_avail_writer &&
           !e->has_min_avail_reader && !e->has_min_uptime_writer &&
           !e->has_min_uptime_reader && !e->has_writer_recovers &&
           e->failover_target == NULL && e->n_min == 0 && e->n_max == 0 &&
           e->n_restores == 0;
}

/* min_availability or min_uptime: {writer: ratio, reader: ratio}, each
 * optional; `limit` and `has` are the pair for writer and reader. */
static int load_per_endpoint(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where,
                             double limit[2], bool has[2])
{
    static const struct sc_key ep_keys[] = {{"writer", false}, {"reader", false}};
    static const char expect[] = "a number 0..1";
    struct sc_map m;
    int rc = sc_map(ctx, node, where, ep_keys, NKEYS(ep_keys), &m);
    for (size_t i = 0; rc == 0 && i < NKEYS(ep_keys); i++) {
        if (m.val[i] == NULL)
            continue;
        size_t saved = sc_path_key(ctx, ep_keys[i].name);
        rc = sc_read_number(ctx, m.val[i], 0, 1, expect, &limit[i]);
        if (rc == 0)
            sc_path_pop(ctx, saved);
    }
    if (rc == 0) {
        has[0] = m.val[0] != NULL;
        has[1] = m.val[1] != NULL;
    }
    return rc;
}

static int load_min_availability(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    struct rdsim_expect_cfg *e = &ctx->sc->expect;
    double limit[2] = {0, 0};
    bool has[2] = {false, false};
    int rc = load_per_endpoint(ctx, node, where, limit, has);

    e->min_avail_writer = limit[0];
    e->min_avail_reader = limit[1];
    e->has_min_avail_writer = has[0];
    e->has_min_avail_reader = has[1];
    return rc;
}

/* min_uptime bounds uptime (the share of time an endpoint served,
 * docs/outputs.md), not availability (the share of operations). */
static int load_min_uptime(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    struct rdsim_expect_cfg *e = &ctx->sc->expect;
    double limit[2] = {0, 0};
    bool has[2] = {false, false};
    int rc = load_per_endpoint(ctx, node, where, limit, has);

    e->min_uptime_writer = limit[0];
    e->min_uptime_reader = limit[1];
    e->has_min_uptime_writer = has[0];
    e->has_min_uptime_reader = has[1];
    return rc;
}

/* The instance that the run's first failover must promote. */
static int read_failover_target(struct sc_ctx *ctx, yaml_node_t *node)
{
    const char *t;
    size_t i;
    int rc = sc_read_text(ctx, node, "an instance name", &t);
    if (rc != 0)
        return rc;
    if (!sc_find_instance(&ctx->sc->cluster, t, &i))
        return sc_fail_unknown_instance(ctx, node, t);
    if ((ctx->sc->expect.failover_target = strdup(t)) == NULL)
        return sc_nomem(ctx);
    return 0;
}

/* One bound of a min: or max: map: a count is a whole number, a ratio 0..1,
 * anything else a number >= 0 (in the figure's unit, which its name says). */
static int read_bound(struct sc_ctx *ctx, yaml_node_t *node,
                      const struct rdsim_figure_info *fig, double *out)
{
    if (fig->integer) {
        int64_t v;
        int rc = sc_read_int(ctx, node, 0, INT64_MAX, &v);
        *out = (double)v;
        return rc;
    }
    if (fig->ratio)
        return sc_read_number(ctx, node, 0, 1, "a number 0..1", out);
    return sc_read_number(ctx, node, 0, HUGE_VAL, "a number >= 0", out);
}

static const struct rdsim_expect_bound *find_bound(const struct rdsim_expect_bound *b,
                                                   size_t n, enum rdsim_figure f)
{
    for (size_t i = 0; i < n; i++)
        if (b[i].figure == f)
            return &b[i];
    return NULL;
}

/* min: or max: (is_max), a mapping of figure names to limits. A max below
 * the min of the same figure is refused: no run could meet both. */
static int load_bounds(struct sc_ctx *ctx, yaml_node_t *node, bool is_max)
{
    struct rdsim_expect_cfg *e = &ctx->sc->expect;
    struct rdsim_expect_bound *out = is_max ? e->max : e->min;
    size_t *n = is_max ? &e->n_max : &e->n_min;
    yaml_node_t *unknown;
    int rc = sc_map_shape(ctx, node,
                          "a mapping of summary.json figures to limits "
                          "(p99_write_ms: 50)",
                          rdsim_figure_names, &unknown);
    if (rc != 0)
        return rc;
    if (unknown != NULL)
        return sc_unknown_key(ctx, unknown, rdsim_figure_names, "expected a figure:");
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
         p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *key = sc_node(ctx, p->key), *val = sc_node(ctx, p->value);
        enum rdsim_figure f;
        if (!rdsim_figure_find((const char *)key->data.scalar.value, &f))
            return rdsim_err_set(ctx->err, RDSIM_EINTERNAL,
                                 "%s: figure table out of step", ctx->file);
        const struct rdsim_figure_info *fig = &rdsim_figures[f];
        size_t saved = sc_path_key(ctx, fig->name);
        struct rdsim_expect_bound *b = &out[(*n)++];
        b->figure = f;
        b->loc = (struct rdsim_loc){(int)key->start_mark.line + 1,
                                    (int)key->start_mark.column + 1};
        if ((rc = read_bound(ctx, val, fig, &b->limit)) != 0)
            return rc;
        const struct rdsim_expect_bound *lo =
            is_max ? find_bound(e->min, e->n_min, f) : NULL;
        if (lo != NULL && b->limit < lo->limit)
            return sc_fail(ctx, val,
                           "%g is below min.%s (%g, line %d): no run can meet both",
                           b->limit, fig->name, lo->limit, lo->loc.line);
        sc_path_pop(ctx, saved);
    }
    return 0;
}

/* One restore's bounds: {min_lost_writes, max_lost_writes,
 * max_time_to_available}, each optional. */
static int load_restore(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where,
                        struct rdsim_expect_restore *x)
{
    static const struct sc_key r_keys[] = {
        {"min_lost_writes", false}, {"max_lost_writes", false}, {"max_time_to_available", false}};
    struct sc_map m;
    int rc = sc_map(ctx, node, where, r_keys, NKEYS(r_keys), &m);
    for (size_t i = 0; rc == 0 && i < NKEYS(r_keys); i++) {
        if (m.val[i] == NULL)
            continue;
        size_t saved = sc_path_key(ctx, r_keys[i].name);
        if (i == 2)
            rc = sc_read_duration(ctx, m.val[i], false, &x->max_time_to_available);
        else
            rc = sc_read_int(ctx, m.val[i], 0, INT64_MAX,
                             i == 0 ? &x->min_lost_writes : &x->max_lost_writes);
        if (rc == 0 && i == 1 && m.val[0] != NULL && x->max_lost_writes < x->min_lost_writes)
            rc = sc_fail(ctx, m.val[i],
                         "%lld is below min_lost_writes (%lld): no run can meet both",
                         (long long)x->max_lost_writes, (long long)x->min_lost_writes);
        if (rc == 0)
            sc_path_pop(ctx, saved);
    }
    x->has_min_lost = m.val[0] != NULL;
    x->has_max_lost = m.val[1] != NULL;
    x->has_max_time = m.val[2] != NULL;
    return rc;
}

/* restores: a mapping of restore events' names to their bounds. */
static int load_restores(struct sc_ctx *ctx, yaml_node_t *node)
{
    struct rdsim_expect_cfg *e = &ctx->sc->expect;
    const struct rdsim_scenario *sc = ctx->sc;
    const char **names = calloc(sc->n_events + 1, sizeof(*names));
    size_t n = 0;
    yaml_node_t *unknown;
    int rc;

    if (!names)
        return sc_nomem(ctx);
    for (size_t k = 0; k < sc->n_events; k++)
        if (sc->events[k].action == RDSIM_ACT_RESTORE)
            names[n++] = sc->events[k].name;
    rc = sc_map_shape(ctx, node, "a mapping of restore names to bounds "
                                 "(db-pitr: {max_lost_writes: 9000})",
                      names, &unknown);
    if (rc == 0 && unknown != NULL)
        rc = n ? sc_unknown_key(ctx, unknown, names, "expected the name of a restore event:")
               : sc_fail(ctx, unknown, "the scenario's events have no restore to expect "
                                       "anything of");
    free(names);
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
         rc == 0 && p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *key = sc_node(ctx, p->key), *val = sc_node(ctx, p->value);
        const char *name = sc_key_text(key);
        if (e->n_restores == RDSIM_MAX_EXPECT_RESTORES)
            return sc_fail(ctx, key, "at most %d restores can have expectations",
                           (int)RDSIM_MAX_EXPECT_RESTORES);
        struct rdsim_expect_restore *x = &e->restores[e->n_restores++];
        if ((x->name = strdup(name)) == NULL)
            return sc_nomem(ctx);
        size_t saved = sc_path_key(ctx, name);
        rc = load_restore(ctx, val, key->start_mark, x);
        if (rc == 0)
            sc_path_pop(ctx, saved);
    }
    return rc;
}

/* Read m.val[k] (when present) with the path "...key". */
#define WITH_KEY(k, call)                                                                \
    do {                                                                                 \
        if (m.val[k] != NULL) {                                                          \
            size_t saved_ = sc_path_key(ctx, keys[k].name);                              \
            if ((rc = (call)) != 0)                                                      \
                return rc;                                                               \
            sc_path_pop(ctx, saved_);                                                    \
        }                                                                                \
    } while (0)

int sc_load_expect(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    struct rdsim_expect_cfg *e = &ctx->sc->expect;
    struct sc_map m;
    int rc = sc_map(ctx, node, where, keys, NKEYS(keys), &m);
    if (rc != 0)
        return rc;
    if (m.val[K_LOST_WRITES] != NULL && m.val[K_MAX_LOST_WRITES] != NULL) {
        size_t saved = sc_path_key(ctx, keys[K_MAX_LOST_WRITES].name);
        rc = sc_fail(ctx, m.key[K_MAX_LOST_WRITES],
                     "the same bound as lost_writes (line %zu): give one of them",
                     m.key[K_LOST_WRITES]->start_mark.line + 1);
        sc_path_pop(ctx, saved);
        return rc;
    }
    WITH_KEY(K_MAX_WRITER_DOWNTIME, sc_read_duration(ctx, m.val[K_MAX_WRITER_DOWNTIME],
                                                     false, &e->max_writer_downtime));
    WITH_KEY(K_LOST_WRITES,
             sc_read_int(ctx, m.val[K_LOST_WRITES], 0, INT64_MAX, &e->lost_writes));
    WITH_KEY(K_MAX_LOST_WRITES,
             sc_read_int(ctx, m.val[K_MAX_LOST_WRITES], 0, INT64_MAX, &e->lost_writes));
    WITH_KEY(K_MAX_STALE_READ_RATIO,
             sc_read_number(ctx, m.val[K_MAX_STALE_READ_RATIO], 0, 1, "a number 0..1",
                            &e->max_stale_read_ratio));
    WITH_KEY(K_MIN_AVAILABILITY,
             load_min_availability(ctx, m.val[K_MIN_AVAILABILITY],
                                   m.key[K_MIN_AVAILABILITY]->start_mark));
    WITH_KEY(K_MIN_UPTIME,
             load_min_uptime(ctx, m.val[K_MIN_UPTIME], m.key[K_MIN_UPTIME]->start_mark));
    WITH_KEY(K_WRITER_RECOVERS,
             sc_read_bool(ctx, m.val[K_WRITER_RECOVERS], &e->writer_recovers));
    WITH_KEY(K_FAILOVER_TARGET, read_failover_target(ctx, m.val[K_FAILOVER_TARGET]));
    WITH_KEY(K_MIN, load_bounds(ctx, m.val[K_MIN], false));
    WITH_KEY(K_MAX, load_bounds(ctx, m.val[K_MAX], true));
    WITH_KEY(K_RESTORES, load_restores(ctx, m.val[K_RESTORES]));
    e->has_max_writer_downtime = m.val[K_MAX_WRITER_DOWNTIME] != NULL;
    e->has_lost_writes = m.val[K_LOST_WRITES] != NULL || m.val[K_MAX_LOST_WRITES] != NULL;
    e->lost_writes_as_max = m.val[K_MAX_LOST_WRITES] != NULL;
    e->has_max_stale_read_ratio = m.val[K_MAX_STALE_READ_RATIO] != NULL;
    e->has_writer_recovers = m.val[K_WRITER_RECOVERS] != NULL;
    return 0;
}
