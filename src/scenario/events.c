/*
 * events.c - the `events` list: one fault or change per item, checked
 * against the action's own keys, the topology and the cluster.
 *
 * Each event is checked in this order: mapping shape and duplicate keys;
 * `at` and `action` present; the action known and allowed for the
 * deployment; every key allowed for that action (file order); the action's
 * required keys present; then each value in the order of the key table
 * below. Events are checked in file order and then sorted by `at`; at
 * equal times requests come before faults (ev_rank), else file order.
 *
 * Targets are checked against the cluster as the file declares it, not as
 * earlier events may have changed it: a `failover` target must be a standby
 * (RDS) or a reader in the writer's region (Aurora) as declared.
 *
 * Live mode (rdsim serve) reads one event at a time with the same code and
 * messages, without `at`: the action happens when it arrives, and a saved
 * session must load with exactly these rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum ek {
    EK_AT,
    EK_ACTION,
    EK_AZ,
    EK_REGION,
    EK_TARGET,
    EK_FOR,
    EK_FAILOVER,
    EK_DELAY,
    EK_COPIES,
    EK_MODE,
    EK_READS,
    EK_WRITES,
    EK_NAME,
    EK_FROM,
    EK_INSTANCE_CLASS,
    EK_BECOME_WRITER,
    EK_TO,
    EK_TIER,
    EK_COUNT,
};

static const char *const ek_names[] = {
    "at",     "action", "az",   "region", "target", "for",    "failover",
    "delay",  "copies", "mode", "reads",  "writes", "name",   "from",
    "instance_class",   "become_writer",  "to",     "tier",   NULL,
};

#define B(k) (1u << (k))

/* Allowed and required keys per action (at and action always both). */
static const struct {
    unsigned allowed, required;
} action_keys[] = {
    [RDSIM_ACT_AZ_OUTAGE] = {B(EK_AZ) | B(EK_FOR), B(EK_AZ)},
    [RDSIM_ACT_REGION_OUTAGE] = {B(EK_REGION) | B(EK_FOR), B(EK_REGION)},
    [RDSIM_ACT_INSTANCE_FAILURE] = {B(EK_TARGET) | B(EK_FOR), B(EK_TARGET)},
    [RDSIM_ACT_REBOOT] = {B(EK_TARGET) | B(EK_FAILOVER), B(EK_TARGET)},
    [RDSIM_ACT_FAILOVER] = {B(EK_TARGET), 0},
    [RDSIM_ACT_PROMOTE] = {B(EK_TARGET), B(EK_TARGET)},
    [RDSIM_ACT_REPLICA_LAG] = {B(EK_TARGET) | B(EK_DELAY) | B(EK_FOR), B(EK_TARGET) | B(EK_DELAY)},
    [RDSIM_ACT_STORAGE_FAILURE] = {B(EK_AZ) | B(EK_COPIES) | B(EK_FOR), B(EK_AZ) | B(EK_COPIES)},
    [RDSIM_ACT_GLOBAL_FAILOVER] = {B(EK_REGION) | B(EK_MODE), B(EK_REGION) | B(EK_MODE)},
    [RDSIM_ACT_LOAD] = {B(EK_READS) | B(EK_WRITES), 0},
    [RDSIM_ACT_SNAPSHOT] = {B(EK_NAME) | B(EK_TARGET), B(EK_NAME)},
    [RDSIM_ACT_RESTORE] = {B(EK_NAME) | B(EK_AZ) | B(EK_FROM) | B(EK_TO) |
                               B(EK_INSTANCE_CLASS) | B(EK_BECOME_WRITER),
                           B(EK_NAME) | B(EK_AZ)},
    [RDSIM_ACT_BACKTRACK] = {B(EK_TO), B(EK_TO)},
    [RDSIM_ACT_CREATE_REPLICA] = {B(EK_NAME) | B(EK_AZ) | B(EK_INSTANCE_CLASS) | B(EK_TIER),
                                  B(EK_NAME) | B(EK_AZ)},
};

struct ev_nodes {
    yaml_node_t *key[EK_COUNT], *val[EK_COUNT];
    yaml_node_t *item;
};

/* The key's index, or -1 for an unknown key. sc_map_shape checks the keys'
 * shape only up to the first unknown one, so a later key may be a list or
 * a mapping: never read it as a string. (The unknown key comes first in
 * file order, so it is the one reported.) */
static int ek_find(const yaml_node_t *key)
{
    if (key->type != YAML_SCALAR_NODE)
        return -1;
    const char *t = sc_key_text(key);
    if (strlen(t) != key->data.scalar.length)
        return -1;
    for (int k = 0; k < EK_COUNT; k++)
        if (strcmp(t, ek_names[k]) == 0)
            return k;
    return -1;
}

/* The keys of an action, NULL-terminated, and as one comma list. */
static void action_key_list(enum rdsim_action a, const char **list, char *text, size_t size)
{
    size_t n = 0, o = 0;
    unsigned mask = action_keys[a].allowed | B(EK_AT) | B(EK_ACTION);
    text[0] = '\0';
    for (int k = 0; k < EK_COUNT; k++) {
        if (!(mask & B(k)))
            continue;
        list[n++] = ek_names[k];
        int w = snprintf(text + o, size - o, "%s%s", o > 0 ? ", " : "", ek_names[k]);
        if (w > 0 && (size_t)w < size - o)
            o += (size_t)w;
    }
    list[n] = NULL;
}

/* Read val[k] with the path ".key". */
static size_t push(struct sc_ctx *ctx, int k)
{
    return sc_path_key(ctx, ek_names[k]);
}

static int deployment_allows(struct sc_ctx *ctx, const struct ev_nodes *en, enum rdsim_action a)
{
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    const char *dep = rdsim_deployment_name(c->deployment);
    bool aurora = c->deployment == RDSIM_DEPLOY_AURORA;
    const char *name = rdsim_action_name(a);
    int rc = 0;
    size_t saved = push(ctx, EK_ACTION);
    if ((a == RDSIM_ACT_STORAGE_FAILURE || a == RDSIM_ACT_GLOBAL_FAILOVER) && !aurora)
        rc = sc_fail(ctx, en->val[EK_ACTION], "%s needs deployment aurora, deployment is %s", name,
                     dep);
    else if (a == RDSIM_ACT_PROMOTE && aurora)
        rc = sc_fail(ctx, en->val[EK_ACTION], "promote is for RDS read replicas, deployment is "
                                              "aurora (use failover or global-failover)");
    else if (a == RDSIM_ACT_RESTORE && ctx->live)
        rc = sc_fail(ctx, en->val[EK_ACTION], "restore is not available live: the new instance "
                                              "must be known before the run (put it in the "
                                              "scenario's events)");
    else if (a == RDSIM_ACT_BACKTRACK)
        rc = sc_check_backtrack(ctx, en->val[EK_ACTION]);
    else if (a == RDSIM_ACT_CREATE_REPLICA && c->deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER)
        rc = sc_fail(ctx, en->val[EK_ACTION], "create-replica is modelled for single-az, "
                                              "multi-az-instance and aurora, deployment is "
                                              "multi-az-cluster (its readers are its two "
                                              "standbys)");
    else if (a == RDSIM_ACT_CREATE_REPLICA && ctx->live)
        rc = sc_fail(ctx, en->val[EK_ACTION], "create-replica is not available live: the new "
                                              "instance must be known before the run (put it in "
                                              "the scenario's events)");
    else if (a == RDSIM_ACT_FAILOVER && c->deployment == RDSIM_DEPLOY_SINGLE_AZ)
        rc = sc_fail(ctx, en->val[EK_ACTION], "failover needs a standby or an Aurora Replica to "
                                              "fail over to, deployment single-az has neither "
                                              "(use reboot)");
    if (rc == 0)
        sc_path_pop(ctx, saved);
    return rc;
}

int sc_fail_unknown_instance(struct sc_ctx *ctx, yaml_node_t *node, const char *name)
{
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    char q[96];
    sc_quote(name, q, sizeof q);
    const char *s = sc_suggest(name, &c->instances[0].name, c->n_instances,
                               sizeof c->instances[0]);
    if (s != NULL)
        return sc_fail(ctx, node, "unknown instance %s; did you mean \"%s\"?", q, s);
    char list[512];
    sc_join_names(list, sizeof list, &c->instances[0].name, c->n_instances,
                  sizeof c->instances[0]);
    return sc_fail(ctx, node, "unknown instance %s; the instances are %s", q, list);
}

static int read_target(struct sc_ctx *ctx, yaml_node_t *node, enum rdsim_action a, char **out)
{
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    const char *t;
    int rc = sc_read_text(ctx, node, "an instance name", &t);
    if (rc != 0)
        return rc;
    char q[96];
    sc_quote(t, q, sizeof q);
    size_t i;
    if (!sc_find_instance(c, t, &i))
        return sc_fail_unknown_instance(ctx, node, t);
    const struct rdsim_instance_cfg *in = &c->instances[i];
    const struct rdsim_instance_cfg *w = &c->instances[c->writer];
    const char *role = rdsim_role_name(in->role);
    switch (a) {
    case RDSIM_ACT_FAILOVER:
        if (c->deployment == RDSIM_DEPLOY_AURORA) {
            if (in->role != RDSIM_ROLE_REPLICA)
                return sc_fail(ctx, node, "must name an Aurora Replica to fail over to, %s is the "
                                          "%s", q, role);
            if (in->region != w->region)
                return sc_fail(ctx, node, "must name an Aurora Replica in the writer's region %s, "
                                          "%s is in %s (use global-failover across regions)",
                               ctx->sc->topology.regions[w->region].name, q,
                               ctx->sc->topology.regions[in->region].name);
        } else if (in->role != RDSIM_ROLE_STANDBY) {
            return sc_fail(ctx, node, "must name a standby to fail over to, %s is the %s", q,
                           role);
        }
        break;
    case RDSIM_ACT_PROMOTE:
        if (in->role != RDSIM_ROLE_REPLICA)
            return sc_fail(ctx, node, "must name a read replica, %s is the %s", q, role);
        break;
    case RDSIM_ACT_REPLICA_LAG:
        if (in->role == RDSIM_ROLE_WRITER)
            return sc_fail(ctx, node, "must name a replica or standby, %s is the writer", q);
        break;
    default:
        break;
    }
    *out = strdup(t);
    return *out == NULL ? sc_nomem(ctx) : 0;
}

static int read_az(struct sc_ctx *ctx, yaml_node_t *node, char **out)
{
    const struct rdsim_topology *t = &ctx->sc->topology;
    const char *text;
    int rc = sc_read_text(ctx, node, "an AZ name", &text);
    if (rc != 0)
        return rc;
    if (!sc_find_az(t, text, NULL)) {
        /* Build the flat AZ list for the suggestion and the message. */
        size_t n = 0;
        for (size_t r = 0; r < t->n_regions; r++)
            n += t->regions[r].n_azs;
        const char **all = calloc(n + 1, sizeof *all);
        if (all == NULL)
            return sc_nomem(ctx);
        size_t k = 0;
        for (size_t r = 0; r < t->n_regions; r++)
            for (size_t i = 0; i < t->regions[r].n_azs; i++)
                all[k++] = t->regions[r].azs[i];
        char q[96];
        sc_quote(text, q, sizeof q);
        const char *s = sc_suggest(text, all, n, sizeof *all);
        if (s != NULL) {
            rc = sc_fail(ctx, node, "unknown AZ %s; did you mean \"%s\"?", q, s);
        } else {
            char list[512];
            sc_join_names(list, sizeof list, all, n, sizeof *all);
            rc = sc_fail(ctx, node, "unknown AZ %s; the topology has %s", q, list);
        }
        free(all);
        return rc;
    }
    *out = strdup(text);
    return *out == NULL ? sc_nomem(ctx) : 0;
}

static int read_region(struct sc_ctx *ctx, yaml_node_t *node, enum rdsim_action a, char **out)
{
    const struct rdsim_topology *t = &ctx->sc->topology;
    const struct rdsim_cluster_cfg *c = &ctx->sc->cluster;
    const char *text;
    int rc = sc_read_text(ctx, node, "a region name", &text);
    if (rc != 0)
        return rc;
    char q[96];
    sc_quote(text, q, sizeof q);
    size_t r;
    if (!sc_find_region(t, text, &r)) {
        const char *s = sc_suggest(text, &t->regions[0].name, t->n_regions, sizeof t->regions[0]);
        if (s != NULL)
            return sc_fail(ctx, node, "unknown region %s; did you mean \"%s\"?", q, s);
        char list[512];
        sc_join_names(list, sizeof list, &t->regions[0].name, t->n_regions,
                      sizeof t->regions[0]);
        return sc_fail(ctx, node, "unknown region %s; the topology has %s", q, list);
    }
    if (a == RDSIM_ACT_GLOBAL_FAILOVER) {
        size_t wr = c->instances[c->writer].region;
        if (r == wr)
            return sc_fail(ctx, node, "must name a secondary region, %s is the writer's (primary) "
                                      "region", q);
        bool has_replica = false;
        for (size_t i = 0; i < c->n_instances; i++)
            has_replica |= c->instances[i].role == RDSIM_ROLE_REPLICA &&
                           c->instances[i].region == r;
        if (!has_replica)
            return sc_fail(ctx, node, "must name a secondary region with an Aurora Replica, %s "
                                      "has none", q);
    }
    *out = strdup(text);
    return *out == NULL ? sc_nomem(ctx) : 0;
}

/* A snapshot's name, or a restore's new instance, which no instance of the
 * cluster may already have (a restore never overwrites one, facts 5). */
static int read_new_name(struct sc_ctx *ctx, yaml_node_t *node, enum rdsim_action a, char **out)
{
    int rc = sc_read_name(ctx, node, out);
    char q[96];

    if (rc == 0 && a == RDSIM_ACT_RESTORE && sc_find_instance(&ctx->sc->cluster, *out, NULL))
        return sc_fail(ctx, node, "%s is an instance of the cluster already; a restore always "
                                  "creates a new instance", sc_quote(*out, q, sizeof q));
    if (rc == 0 && a == RDSIM_ACT_CREATE_REPLICA &&
        sc_find_instance(&ctx->sc->cluster, *out, NULL))
        return sc_fail(ctx, node, "%s is an instance of the cluster already; name the new "
                                  "replica differently", sc_quote(*out, q, sizeof q));
    return rc;
}

static int read_values(struct sc_ctx *ctx, const struct ev_nodes *en, struct rdsim_event_cfg *ev)
{
    struct rdsim_scenario *sc = ctx->sc;
    int rc = 0;
    for (int k = 0; k < EK_COUNT && rc == 0; k++) {
        yaml_node_t *v = en->val[k];
        if (v == NULL || k == EK_ACTION)
            continue;
        size_t saved = push(ctx, k);
        int64_t copies;
        int mode;
        switch (k) {
        case EK_AT:
            rc = sc_read_duration(ctx, v, false, &ev->at);
            if (rc == 0 && ev->at >= sc->duration) {
                char d[32], got[96];
                sc_format_duration(sc->duration, d, sizeof d);
                rc = sc_fail(ctx, v, "must be before the end of the scenario (duration %s), "
                                     "got %s", d, sc_describe(v, got, sizeof got));
            }
            break;
        case EK_AZ:
            rc = read_az(ctx, v, &ev->az);
            break;
        case EK_REGION:
            rc = read_region(ctx, v, ev->action, &ev->region);
            break;
        case EK_TARGET:
            rc = read_target(ctx, v, ev->action, &ev->target);
            break;
        case EK_FOR:
            rc = sc_read_duration(ctx, v, true, &ev->for_);
            ev->has_for = true;
            break;
        case EK_FAILOVER:
            rc = sc_read_bool(ctx, v, &ev->failover);
            break;
        case EK_DELAY:
            rc = sc_read_duration(ctx, v, true, &ev->delay);
            break;
        case EK_COPIES:
            rc = sc_read_int(ctx, v, 1, 2, &copies);
            ev->copies = rc == 0 ? (int)copies : 0;
            break;
        case EK_MODE: {
            static const char *const modes[] = {"switchover", "unplanned", NULL};
            rc = sc_read_enum(ctx, v, modes, &mode);
            ev->mode = (enum rdsim_global_mode)mode;
            break;
        }
        case EK_READS:
            rc = sc_read_rate(ctx, v, &ev->reads_per_s);
            ev->has_reads = true;
            break;
        case EK_WRITES:
            rc = sc_read_rate(ctx, v, &ev->writes_per_s);
            ev->has_writes = true;
            break;
        case EK_NAME:
            rc = read_new_name(ctx, v, ev->action, &ev->name);
            break;
        case EK_FROM:
            rc = sc_read_name(ctx, v, &ev->from);
            break;
        case EK_INSTANCE_CLASS:
            rc = sc_read_class(ctx, v, &sc->cluster, &ev->instance_class);
            break;
        case EK_BECOME_WRITER:
            rc = sc_read_bool(ctx, v, &ev->become_writer);
            break;
        case EK_TO:
            rc = ev->action == RDSIM_ACT_BACKTRACK ? sc_read_backtrack_point(ctx, v, ev)
                                                   : sc_read_restore_point(ctx, v, ev);
            break;
        case EK_TIER:
            rc = sc_read_replica_tier(ctx, v, ev);
            break;
        default:
            break;
        }
        if (rc == 0)
            sc_path_pop(ctx, saved);
    }
    return rc;
}

int sc_load_event(struct sc_ctx *ctx, yaml_node_t *item, struct rdsim_event_cfg *ev)
{
    struct ev_nodes en;
    memset(&en, 0, sizeof en);
    en.item = item;
    ev->loc = (struct rdsim_loc){(int)item->start_mark.line + 1, (int)item->start_mark.column + 1};
    yaml_node_t *unknown;
    int rc = sc_map_shape(ctx, item,
                          ctx->live ? "a mapping with action and the action's keys"
                                    : "a mapping with at, action and the action's keys",
                          ek_names, &unknown);
    if (rc != 0)
        return rc;
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        yaml_node_t *key = sc_node(ctx, p->key);
        int k = ek_find(key);
        if (k >= 0 && en.key[k] == NULL) { /* a later duplicate is reported below */
            en.key[k] = key;
            en.val[k] = sc_node(ctx, p->value);
        }
    }
    if (ctx->live && en.key[EK_AT] != NULL) {
        /* A live action happens when it arrives; the session records when. */
        push(ctx, EK_AT);
        return sc_fail(ctx, en.key[EK_AT], "not allowed in a live action: it happens now");
    }
    if (!ctx->live && en.val[EK_AT] == NULL)
        return sc_fail(ctx, item, "missing required key \"at\"");
    if (en.val[EK_ACTION] == NULL)
        return sc_fail(ctx, item, "missing required key \"action\"");

    int a;
    size_t saved = push(ctx, EK_ACTION);
    rc = sc_read_enum(ctx, en.val[EK_ACTION], sc_action_names, &a);
    if (rc != 0)
        return rc;
    sc_path_pop(ctx, saved);
    ev->action = (enum rdsim_action)a;
    rc = deployment_allows(ctx, &en, ev->action);
    if (rc != 0)
        return rc;

    const char *allowed[EK_COUNT + 1];
    char allowed_text[256];
    action_key_list(ev->action, allowed, allowed_text, sizeof allowed_text);
    unsigned mask = action_keys[a].allowed | B(EK_AT) | B(EK_ACTION);
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        yaml_node_t *key = sc_node(ctx, p->key);
        int k = ek_find(key);
        if (k >= 0 && (mask & B(k)))
            continue;
        if (k < 0) {
            char what[320];
            snprintf(what, sizeof what, "the keys of action %s are", sc_action_names[a]);
            return sc_unknown_key(ctx, key, allowed, what);
        }
        saved = push(ctx, k);
        rc = sc_fail(ctx, key, "not allowed for action %s; its keys are %s", sc_action_names[a],
                     allowed_text);
        sc_path_pop(ctx, saved);
        return rc;
    }
    for (int k = 0; k < EK_COUNT; k++)
        if ((action_keys[a].required & B(k)) && en.val[k] == NULL)
            return sc_fail(ctx, item, "missing required key \"%s\" for action %s", ek_names[k],
                           sc_action_names[a]);
    if (ev->action == RDSIM_ACT_LOAD && en.val[EK_READS] == NULL && en.val[EK_WRITES] == NULL)
        return sc_fail(ctx, item, "action load needs reads, writes or both");
    if (ev->action == RDSIM_ACT_RESTORE && en.val[EK_FROM] == NULL && en.val[EK_TO] == NULL)
        return sc_fail(ctx, item, "action restore needs from (a snapshot) or to (a point in "
                                  "time)");
    if (ev->action == RDSIM_ACT_RESTORE && en.val[EK_FROM] != NULL && en.val[EK_TO] != NULL)
        return sc_fail(ctx, en.key[EK_TO], "a restore takes from (a snapshot) or to (a point "
                                           "in time), not both");
    if (ev->action == RDSIM_ACT_CREATE_REPLICA)
        ev->tier = 1; /* Aurora's default promotion tier */
    return read_values(ctx, &en, ev);
}

/* At one instant requests are made first, then faults strike, then load
 * changes (docs/scenario-format.md, section 6): a request made at the
 * moment of a fault is the same request whichever the file lists first, as
 * when a FIS experiment starts both. Within a group, file order. */
static int ev_rank(enum rdsim_action a)
{
    switch (a) {
    case RDSIM_ACT_AZ_OUTAGE:
    case RDSIM_ACT_REGION_OUTAGE:
    case RDSIM_ACT_INSTANCE_FAILURE:
    case RDSIM_ACT_STORAGE_FAILURE:
    case RDSIM_ACT_REPLICA_LAG:
        return 1;
    case RDSIM_ACT_REBOOT:
    case RDSIM_ACT_FAILOVER:
    case RDSIM_ACT_PROMOTE:
    case RDSIM_ACT_GLOBAL_FAILOVER:
    case RDSIM_ACT_SNAPSHOT:
    case RDSIM_ACT_RESTORE:
    case RDSIM_ACT_BACKTRACK:
    case RDSIM_ACT_CREATE_REPLICA:
        return 0;
    case RDSIM_ACT_LOAD:
        break;
    }
    return 2;
}

/* Stable order by `at`, then rank: ties keep file order via the original
 * index. */
struct ev_sort {
    struct rdsim_event_cfg ev;
    size_t index;
};

static int ev_cmp(const void *pa, const void *pb)
{
    const struct ev_sort *a = pa, *b = pb;
    if (a->ev.at != b->ev.at)
        return a->ev.at < b->ev.at ? -1 : 1;
    if (ev_rank(a->ev.action) != ev_rank(b->ev.action))
        return ev_rank(a->ev.action) < ev_rank(b->ev.action) ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

int sc_load_events(struct sc_ctx *ctx, yaml_node_t *node)
{
    struct rdsim_scenario *sc = ctx->sc;
    size_t n;
    int rc = sc_seq(ctx, node, "a list of events", &n);
    if (rc != 0 || n == 0)
        return rc;
    sc->events = calloc(n, sizeof *sc->events);
    if (sc->events == NULL)
        return sc_nomem(ctx);
    sc->n_events = n;
    for (size_t i = 0; i < n; i++) {
        size_t saved = sc_path_index(ctx, i);
        rc = sc_load_event(ctx, sc_seq_item(ctx, node, i), &sc->events[i]);
        if (rc != 0)
            return rc;
        sc_path_pop(ctx, saved);
    }
    struct ev_sort *tmp = calloc(n, sizeof *tmp);
    if (tmp == NULL)
        return sc_nomem(ctx);
    for (size_t i = 0; i < n; i++)
        tmp[i] = (struct ev_sort){sc->events[i], i};
    qsort(tmp, n, sizeof *tmp, ev_cmp);
    size_t *order = calloc(n, sizeof *order);
    if (order == NULL) {
        free(tmp);
        return sc_nomem(ctx);
    }
    for (size_t i = 0; i < n; i++)
        order[i] = tmp[i].index;
    rc = sc_check_backup_events(ctx, node, order);
    if (rc == 0)
        rc = sc_check_replica_events(ctx, node, order);
    for (size_t i = 0; i < n; i++)
        sc->events[i] = tmp[i].ev;
    free(order);
    free(tmp);
    return rc;
}
