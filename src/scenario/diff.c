/*
 * diff.c - the parameters in which two scenario texts differ, by dotted
 * path (rdsim_scenario_diff in scenario.h).
 *
 * rdsim run uses it when a lesson's expectations fail: a student who
 * changed clients.dns_cache should read "you changed clients.dns_cache
 * from forever to ttl", not a broken lesson. The comparison is of the two
 * YAML documents rather than of the loaded structs, so that it names what
 * was typed, in the file's own terms, and needs no update when the loader
 * learns a key: a key set on one side only is a difference even when it
 * restates the default (the file differs there; the report says so).
 * Scalars are equal when their text is, or when both read as the same
 * duration, range, rate or number (60s and 1m, 0.5 and 0.50).
 *
 * Instances (and regions) are list items with a `name`: they are matched
 * by it and named by it (cluster.instances.standby.az, the form sweeps
 * use in `vary:`); other lists by position (events[0].at).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "internal.h"

#define DIFF_MAX_DEPTH 32
#define DIFF_TEXT_MAX 160

struct diff {
    yaml_document_t *a, *b;
    struct rdsim_param_change *v;
    size_t n, cap;
    char path[SC_PATH_MAX];
    size_t path_len;
    bool nomem;
};

static const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static yaml_node_t *node(yaml_document_t *d, int i)
{
    return yaml_document_get_node(d, i);
}

/* ---- flow text of a node ---------------------------------------------- */

struct buf {
    char s[DIFF_TEXT_MAX];
    size_t len;
    bool cut;
};

static void put(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->cut)
        return;
    if (b->len + n + 4 >= sizeof b->s) {
        n = sizeof b->s - 4 - b->len;
        b->cut = true;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    if (b->cut) {
        memcpy(b->s + b->len, "...", 3);
        b->len += 3;
    }
    b->s[b->len] = '\0';
}

static void render(yaml_document_t *d, const yaml_node_t *n, struct buf *b, int depth)
{
    if (n == NULL || depth > DIFF_MAX_DEPTH) {
        put(b, "...");
        return;
    }
    switch (n->type) {
    case YAML_SCALAR_NODE:
        put(b, text(n));
        break;
    case YAML_SEQUENCE_NODE:
        put(b, "[");
        for (yaml_node_item_t *i = n->data.sequence.items.start;
             i < n->data.sequence.items.top; i++) {
            if (i > n->data.sequence.items.start)
                put(b, ", ");
            render(d, node(d, *i), b, depth + 1);
        }
        put(b, "]");
        break;
    case YAML_MAPPING_NODE:
        put(b, "{");
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
             p < n->data.mapping.pairs.top; p++) {
            if (p > n->data.mapping.pairs.start)
                put(b, ", ");
            render(d, node(d, p->key), b, depth + 1);
            put(b, ": ");
            render(d, node(d, p->value), b, depth + 1);
        }
        put(b, "}");
        break;
    default:
        put(b, "null");
        break;
    }
}

static char *render_new(yaml_document_t *d, const yaml_node_t *n, struct diff *df)
{
    struct buf b = {.len = 0};
    b.s[0] = '\0';
    render(d, n, &b, 0);
    char *s = strdup(b.s);
    if (s == NULL)
        df->nomem = true;
    return s;
}

/* ---- the comparison ----------------------------------------------------- */

static void add(struct diff *df, const yaml_node_t *a, const yaml_node_t *b)
{
    if (df->nomem)
        return;
    if (df->n == df->cap) {
        size_t cap = df->cap ? df->cap * 2 : 8;
        struct rdsim_param_change *v = realloc(df->v, cap * sizeof *v);
        if (v == NULL) {
            df->nomem = true;
            return;
        }
        df->v = v;
        df->cap = cap;
    }
    struct rdsim_param_change *c = &df->v[df->n];
    c->path = strdup(df->path_len ? df->path : "(top level)");
    c->shipped = a ? render_new(df->a, a, df) : NULL;
    c->here = b ? render_new(df->b, b, df) : NULL;
    df->n++;
    if (c->path == NULL)
        df->nomem = true;
}

/* Extend the path by ".key", or by "[key]" for a list index. */
static size_t push(struct diff *df, bool index, const char *s)
{
    size_t saved = df->path_len, room = sizeof df->path - df->path_len;
    int w = index ? snprintf(df->path + df->path_len, room, "[%s]", s)
                  : snprintf(df->path + df->path_len, room, "%s%s",
                             df->path_len ? "." : "", s);
    if (w > 0)
        df->path_len += (size_t)w < room ? (size_t)w : room - 1;
    return saved;
}

static void pop(struct diff *df, size_t saved)
{
    df->path_len = saved;
    df->path[saved] = '\0';
}

/* Do two scalars say the same thing, as the loader would read them? */
static bool scalars_equal(const char *x, const char *y)
{
    struct rdsim_range rx, ry;
    double dx, dy;
    int side;

    if (strcmp(x, y) == 0)
        return true;
    if (sc_parse_range(x, &rx, &side) == SC_UNIT_OK &&
        sc_parse_range(y, &ry, &side) == SC_UNIT_OK)
        return rx.lo == ry.lo && rx.hi == ry.hi;
    if (sc_parse_rate(x, &dx) == SC_UNIT_OK && sc_parse_rate(y, &dy) == SC_UNIT_OK)
        return dx == dy;
    if (sc_parse_number(x, &dx) == SC_UNIT_OK && sc_parse_number(y, &dy) == SC_UNIT_OK)
        return dx == dy;
    return false;
}

/* The scalar value of `key` in mapping n, or NULL. */
static yaml_node_t *lookup(yaml_document_t *d, const yaml_node_t *n, const char *key)
{
    if (n == NULL || n->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(d, p->key);
        if (k != NULL && k->type == YAML_SCALAR_NODE && strcmp(text(k), key) == 0)
            return node(d, p->value);
    }
    return NULL;
}

/* The `name` of a list item, when it is a mapping with a scalar one. */
static const char *item_name(yaml_document_t *d, const yaml_node_t *item)
{
    yaml_node_t *v = lookup(d, item, "name");
    return v != NULL && v->type == YAML_SCALAR_NODE ? text(v) : NULL;
}

/* Are all items of both lists named (instances, regions)? */
static bool all_named(struct diff *df, const yaml_node_t *a, const yaml_node_t *b)
{
    for (yaml_node_item_t *i = a->data.sequence.items.start;
         i < a->data.sequence.items.top; i++)
        if (item_name(df->a, node(df->a, *i)) == NULL)
            return false;
    for (yaml_node_item_t *i = b->data.sequence.items.start;
         i < b->data.sequence.items.top; i++)
        if (item_name(df->b, node(df->b, *i)) == NULL)
            return false;
    return a->data.sequence.items.top > a->data.sequence.items.start;
}

static void compare(struct diff *df, const yaml_node_t *a, const yaml_node_t *b,
                    int depth);

static yaml_node_t *named_item(yaml_document_t *d, const yaml_node_t *seq,
                               const char *name)
{
    for (yaml_node_item_t *i = seq->data.sequence.items.start;
         i < seq->data.sequence.items.top; i++) {
        const char *n = item_name(d, node(d, *i));
        if (n != NULL && strcmp(n, name) == 0)
            return node(d, *i);
    }
    return NULL;
}

static void compare_lists(struct diff *df, const yaml_node_t *a, const yaml_node_t *b,
                          int depth)
{
    if (all_named(df, a, b)) {
        for (yaml_node_item_t *i = a->data.sequence.items.start;
             i < a->data.sequence.items.top; i++) {
            yaml_node_t *x = node(df->a, *i);
            const char *name = item_name(df->a, x);
            size_t saved = push(df, false, name);
            compare(df, x, named_item(df->b, b, name), depth + 1);
            pop(df, saved);
        }
        for (yaml_node_item_t *i = b->data.sequence.items.start;
             i < b->data.sequence.items.top; i++) {
            yaml_node_t *y = node(df->b, *i);
            const char *name = item_name(df->b, y);
            if (named_item(df->a, a, name) != NULL)
                continue;
            size_t saved = push(df, false, name);
            compare(df, NULL, y, depth + 1);
            pop(df, saved);
        }
        return;
    }
    size_t na = (size_t)(a->data.sequence.items.top - a->data.sequence.items.start);
    size_t nb = (size_t)(b->data.sequence.items.top - b->data.sequence.items.start);
    for (size_t i = 0; i < na || i < nb; i++) {
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", i);
        size_t saved = push(df, true, idx);
        compare(df, i < na ? node(df->a, a->data.sequence.items.start[i]) : NULL,
                i < nb ? node(df->b, b->data.sequence.items.start[i]) : NULL, depth + 1);
        pop(df, saved);
    }
}

static void compare_maps(struct diff *df, const yaml_node_t *a, const yaml_node_t *b,
                         int depth)
{
    for (yaml_node_pair_t *p = a->data.mapping.pairs.start; p < a->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(df->a, p->key);
        if (k == NULL || k->type != YAML_SCALAR_NODE)
            continue;
        if (depth == 0 &&
            (strcmp(text(k), "name") == 0 || strcmp(text(k), "description") == 0))
            continue;
        size_t saved = push(df, false, text(k));
        compare(df, node(df->a, p->value), lookup(df->b, b, text(k)), depth + 1);
        pop(df, saved);
    }
    for (yaml_node_pair_t *p = b->data.mapping.pairs.start; p < b->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(df->b, p->key);
        if (k == NULL || k->type != YAML_SCALAR_NODE || lookup(df->a, a, text(k)) != NULL)
            continue;
        if (depth == 0 &&
            (strcmp(text(k), "name") == 0 || strcmp(text(k), "description") == 0))
            continue;
        size_t saved = push(df, false, text(k));
        compare(df, NULL, node(df->b, p->value), depth + 1);
        pop(df, saved);
    }
}

static void compare(struct diff *df, const yaml_node_t *a, const yaml_node_t *b,
                    int depth)
{
    if (df->nomem || (a == NULL && b == NULL))
        return;
    if (a == NULL || b == NULL || a->type != b->type || depth > DIFF_MAX_DEPTH) {
        add(df, a, b);
        return;
    }
    switch (a->type) {
    case YAML_SCALAR_NODE:
        if (!scalars_equal(text(a), text(b)))
            add(df, a, b);
        break;
    case YAML_MAPPING_NODE:
        compare_maps(df, a, b, depth);
        break;
    case YAML_SEQUENCE_NODE:
        compare_lists(df, a, b, depth);
        break;
    default:
        break;
    }
}

static int parse(const char *buf, size_t len, yaml_document_t *doc, struct rdsim_err *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    int ok = yaml_parser_load(&p, doc);
    int rc = 0;
    if (!ok)
        rc = p.error == YAML_MEMORY_ERROR
                 ? rdsim_err_set(err, RDSIM_ENOMEM, "out of memory")
                 : rdsim_err_set(err, RDSIM_EINVAL, "not YAML: %s",
                                 p.problem ? p.problem : "?");
    yaml_parser_delete(&p);
    return rc;
}

int rdsim_scenario_diff(const char *shipped, size_t shipped_len, const char *here,
                        size_t here_len, struct rdsim_param_change **out, size_t *n,
                        struct rdsim_err *err)
{
    yaml_document_t a, b;
    struct diff df = {.a = &a, .b = &b};
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = parse(shipped, shipped_len, &a, err)) != 0)
        return rc;
    if ((rc = parse(here, here_len, &b, err)) != 0) {
        yaml_document_delete(&a);
        return rc;
    }
    compare(&df, yaml_document_get_root_node(&a), yaml_document_get_root_node(&b), 0);
    yaml_document_delete(&a);
    yaml_document_delete(&b);
    if (df.nomem) {
        rdsim_param_changes_free(df.v, df.n);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    if (df.n == 0) {
        free(df.v);
        df.v = NULL;
    }
    *out = df.v;
    *n = df.n;
    return 0;
}

void rdsim_param_changes_free(struct rdsim_param_change *c, size_t n)
{
    for (size_t i = 0; c != NULL && i < n; i++) {
        free(c[i].path);
        free(c[i].shipped);
        free(c[i].here);
    }
    free(c);
}
