/*
 * backup.c - the rules of snapshot and restore events that span several
 * events: a snapshot's name is taken once; a restore names a snapshot that
 * an earlier event (in time order, file order for ties) takes, and a new
 * instance no other restore creates. Checked after every event has loaded
 * on its own, before the list is sorted in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The value node of `key` in event item `item` (it is there: the event
 * loaded). */
static yaml_node_t *value_of(struct sc_ctx *ctx, yaml_node_t *item, const char *key)
{
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = sc_node(ctx, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp(sc_key_text(k), key) == 0)
            return sc_node(ctx, p->value);
    }
    return item;
}

/* Fail at events[i].key. */
static int fail_at(struct sc_ctx *ctx, yaml_node_t *seq, size_t i, const char *key,
                   const char *msg)
{
    sc_path_index(ctx, i);
    sc_path_key(ctx, key);
    return sc_fail(ctx, value_of(ctx, sc_seq_item(ctx, seq, i), key), "%s", msg);
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
                return fail_at(ctx, seq, i, "name", msg);
            }
        } else if (e->action == RDSIM_ACT_RESTORE) {
            j = earlier(sc, order, k, RDSIM_ACT_RESTORE, e->name);
            if (j >= 0) {
                snprintf(msg, sizeof msg, "instance %s is created already by the restore of "
                                          "events[%ld]",
                         sc_quote(e->name, q, sizeof q), j);
                return fail_at(ctx, seq, i, "name", msg);
            }
            if (earlier(sc, order, k, RDSIM_ACT_SNAPSHOT, e->from) >= 0)
                continue;
            /* Taken later, or never: say which. */
            for (size_t l = k + 1; l < sc->n_events; l++) {
                const struct rdsim_event_cfg *s = &sc->events[order[l]];
                if (s->action == RDSIM_ACT_SNAPSHOT && strcmp(s->name, e->from) == 0) {
                    sc_format_duration(s->at, d, sizeof d);
                    snprintf(msg, sizeof msg, "snapshot %s is taken only later (at %s, "
                                              "events[%zu]); a restore needs an earlier one",
                             sc_quote(e->from, q, sizeof q), d, order[l]);
                    return fail_at(ctx, seq, i, "from", msg);
                }
            }
            snprintf(msg, sizeof msg, "no earlier event takes snapshot %s (a snapshot event "
                                      "with that name)",
                     sc_quote(e->from, q, sizeof q));
            return fail_at(ctx, seq, i, "from", msg);
        }
    }
    return 0;
}
