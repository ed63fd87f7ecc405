/*
 * backup.c - cluster.backup, a restore's point in time, a backtrack's cluster
 * and point, and the rules of snapshot and restore events that span several events: a snapshot's name
 * is taken once; a restore names a snapshot that an earlier event (in time
 * order, file order for ties) takes, and a new instance no other restore
 * creates. The cross-event rules are checked after every event has loaded
 * on its own, before the list is sorted in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DAY ((rdsim_time_t)24 * 3600 * RDSIM_S)

void sc_backup_defaults(struct rdsim_cluster_cfg *c)
{
    /* Aurora always keeps backups (1..35 days); rdsim keeps none for RDS
     * unless asked, so that runs without a point-in-time restore pay nothing. */
    c->backup.retention_days = c->deployment == RDSIM_DEPLOY_AURORA ? 1 : 0;
    c->backup.log_upload_interval = 5 * 60 * RDSIM_S;
}

int sc_load_backup(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where)
{
    static const struct sc_key keys[] = {
        {"retention_days", false}, {"log_upload_interval", false}, {"replicate_to", false}};
    struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    const struct rdsim_topology *t = &ctx->sc->topology;
    bool aurora = c->deployment == RDSIM_DEPLOY_AURORA;
    struct sc_map m;
    int64_t days;
    size_t saved, r;
    char q[96];
    int rc = sc_map(ctx, node, where, keys, 3, &m);

    if (rc != 0)
        return rc;
    if (m.val[0] != NULL) {
        saved = sc_path_key(ctx, keys[0].name);
        /* RDS: 0 turns automated backups off; Aurora always has them. */
        if ((rc = sc_read_int(ctx, m.val[0], aurora ? 1 : 0, 35, &days)) != 0)
            return rc;
        c->backup.retention_days = (int)days;
        sc_path_pop(ctx, saved);
    }
    if (m.val[1] != NULL) {
        saved = sc_path_key(ctx, keys[1].name);
        if ((rc = sc_read_duration(ctx, m.val[1], true, &c->backup.log_upload_interval)) != 0)
            return rc;
        if (c->backup.log_upload_interval > 3600 * RDSIM_S)
            return sc_fail(ctx, m.val[1], "must be at most 1h (RDS uploads every 5m), got %s",
                           sc_describe(m.val[1], q, sizeof q));
        sc_path_pop(ctx, saved);
    }
    if (m.val[2] != NULL) {
        saved = sc_path_key(ctx, keys[2].name);
        const char *text;
        if ((rc = sc_read_text(ctx, m.val[2], "a region name", &text)) != 0)
            return rc;
        sc_quote(text, q, sizeof q);
        if (!sc_find_region(t, text, &r))
            return sc_fail(ctx, m.val[2], "unknown region %s; it must be a region of the "
                                          "topology", q);
        if (r == c->instances[c->writer].region)
            return sc_fail(ctx, m.val[2], "must be another region than the writer's, %s is "
                                          "the writer's", q);
        if ((c->backup.replicate_to = strdup(text)) == NULL)
            return sc_nomem(ctx);
        sc_path_pop(ctx, saved);
    }
    return 0;
}

int sc_read_restore_point(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_event_cfg *ev)
{
    const struct rdsim_backup_cfg *b = &ctx->sc->cluster.backup;
    char d[32], at[32], w[32];
    int rc;

    if (b->retention_days == 0)
        return sc_fail(ctx, node, "a point-in-time restore needs automated backups; "
                                  "cluster.backup.retention_days is 0 (set 1..35)");
    ev->has_to = true;
    if (node->type == YAML_SCALAR_NODE && strcmp((const char *)node->data.scalar.value,
                                                 "latest") == 0) {
        ev->to_latest = true;
        return 0;
    }
    if ((rc = sc_read_duration(ctx, node, false, &ev->to)) != 0)
        return rc;
    sc_format_duration(ev->to, d, sizeof d);
    sc_format_duration(ev->at, at, sizeof at);
    if (!ctx->live && ev->to > ev->at)
        return sc_fail(ctx, node, "restore point %s is after the restore itself (at %s); use "
                                  "latest for the latest restorable time", d, at);
    if (!ctx->live && ev->at - ev->to > (rdsim_time_t)b->retention_days * DAY) {
        sc_format_duration(ev->at - (rdsim_time_t)b->retention_days * DAY, w, sizeof w);
        return sc_fail(ctx, node, "restore point %s is before the retention window (%d day%s: "
                                  "from %s)", d, b->retention_days,
                       b->retention_days == 1 ? "" : "s", w);
    }
    return 0;
}

/* Backtrack (Aurora UG, "Backtracking an Aurora DB cluster"): Aurora
 * MySQL only, a target window of at most 72 hours, and not on a Global
 * Database ("Limitations of Amazon Aurora global databases"). */
#define BACKTRACK_WINDOW ((rdsim_time_t)72 * 3600 * RDSIM_S)

int sc_check_backtrack(struct sc_ctx *ctx, yaml_node_t *action)
{
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;

    if (c->engine != RDSIM_ENGINE_AURORA_MYSQL)
        return sc_fail(ctx, action, "backtrack is for Aurora MySQL (engine aurora-mysql), "
                                    "engine is %s (use restore with to: for a point in time)",
                       rdsim_engine_name(c->engine));
    for (size_t i = 0; i < c->n_instances; i++)
        if (c->instances[i].region != c->instances[c->writer].region)
            return sc_fail(ctx, action, "backtrack is not supported on an Aurora Global "
                                        "Database, and instance %s in another region than "
                                        "the writer makes this one (use restore with to:)",
                           c->instances[i].name);
    if (ctx->live)
        return sc_fail(ctx, action, "backtrack is not available live: its change records "
                                    "are kept from the start of the run (put it in the "
                                    "scenario's events)");
    return 0;
}

int sc_read_backtrack_point(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_event_cfg *ev)
{
    char d[32], at[32], w[32];
    int rc = sc_read_duration(ctx, node, false, &ev->to);

    if (rc != 0)
        return rc;
    ev->has_to = true;
    sc_format_duration(ev->to, d, sizeof d);
    sc_format_duration(ev->at, at, sizeof at);
    if (ev->to > ev->at)
        return sc_fail(ctx, node, "backtrack point %s is after the backtrack itself (at %s); "
                                  "it rewinds to an earlier time", d, at);
    if (ev->at - ev->to > BACKTRACK_WINDOW) {
        sc_format_duration(ev->at - BACKTRACK_WINDOW, w, sizeof w);
        return sc_fail(ctx, node, "backtrack point %s is before the 72-hour backtrack window "
                                  "(from %s); use restore with to: for older points", d, w);
    }
    return 0;
}

/* The file index of the first event before position k (time order) doing
 * `a` with that name, or -1. */
static long earlier(const struct rdsim_scenario *sc, const size_t *order, size_t k,
                    enum rdsim_action a, const char *name)
{
    for (size_t j = 0; j < k; j++) {
        const struct rdsim_event_cfg *e = &sc->events[order[j]];
        if (e->action == a && e->name && strcmp(e->name, name) == 0)
            return (long)order[j];
    }
    return -1;
}

int sc_check_backup_events(struct sc_ctx *ctx, yaml_node_t *seq, const size_t *order)
{
    const struct rdsim_scenario *sc = ctx->sc;
    char msg[320], q[96], d[32];

    for (size_t k = 0; k < sc->n_events; k++) {
        size_t i = order[k];
        const struct rdsim_event_cfg *e = &sc->events[i];
        long j;

        if (e->action == RDSIM_ACT_SNAPSHOT) {
            j = earlier(sc, order, k, RDSIM_ACT_SNAPSHOT, e->name);
            if (j >= 0) {
                snprintf(msg, sizeof msg, "snapshot %s is taken already by events[%ld]",
                         sc_quote(e->name, q, sizeof q), j);
                return sc_fail_item(ctx, seq, i, "name", msg);
            }
        } else if (e->action == RDSIM_ACT_BACKTRACK) {
            /* Each backtrack rewinds within what happened since the last
             * one: rdsim does not backtrack forward again (AWS can). */
            for (size_t l = 0; l < k; l++) {
                const struct rdsim_event_cfg *p = &sc->events[order[l]];
                if (p->action != RDSIM_ACT_BACKTRACK || e->to >= p->at)
                    continue;
                sc_format_duration(p->at, d, sizeof d);
                snprintf(msg, sizeof msg, "backtrack point is before the backtrack of "
                                          "events[%zu] (at %s); rdsim rewinds only to a "
                                          "later point than the last backtrack",
                         order[l], d);
                return sc_fail_item(ctx, seq, i, "to", msg);
            }
        } else if (e->action == RDSIM_ACT_RESTORE) {
            j = earlier(sc, order, k, RDSIM_ACT_RESTORE, e->name);
            if (j >= 0) {
                snprintf(msg, sizeof msg, "instance %s is created already by the restore of "
                                          "events[%ld]",
                         sc_quote(e->name, q, sizeof q), j);
                return sc_fail_item(ctx, seq, i, "name", msg);
            }
            /* A point-in-time restore names no snapshot. */
            if (!e->from || earlier(sc, order, k, RDSIM_ACT_SNAPSHOT, e->from) >= 0)
                continue;
            /* Taken later, or never: say which. */
            for (size_t l = k + 1; l < sc->n_events; l++) {
                const struct rdsim_event_cfg *s = &sc->events[order[l]];
                if (s->action == RDSIM_ACT_SNAPSHOT && strcmp(s->name, e->from) == 0) {
                    sc_format_duration(s->at, d, sizeof d);
                    snprintf(msg, sizeof msg, "snapshot %s is taken only later (at %s, "
                                              "events[%zu]); a restore needs an earlier one",
                             sc_quote(e->from, q, sizeof q), d, order[l]);
                    return sc_fail_item(ctx, seq, i, "from", msg);
                }
            }
            snprintf(msg, sizeof msg, "no earlier event takes snapshot %s (a snapshot event "
                                      "with that name)",
                     sc_quote(e->from, q, sizeof q));
            return sc_fail_item(ctx, seq, i, "from", msg);
        }
    }
    return 0;
}
