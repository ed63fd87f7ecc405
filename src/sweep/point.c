/*
 * point.c - a point's scenario: the base scenario's YAML document with the
 * point's vary values put in at their dotted paths and the sweep's slo as
 * its `expect:`, written back out as YAML text.
 *
 * Working on the document rather than on the loaded structs means every
 * rule of the scenario loader applies to a point exactly as to a file a
 * user wrote, and nothing here knows the scenario format: a path walks
 * mappings by key, creating the mappings it needs (cluster.failover when
 * the base has none), and lists by their items' `name:` (instances,
 * regions). A key the format does not have is left for the loader to
 * refuse with its own "did you mean".
 *
 * The base text is parsed afresh for every point: libyaml's emitter
 * consumes the document it writes. Node pointers move when nodes are
 * added, so the walk keeps indices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/yaml_text.h"

#include "internal.h"

/* Copying a value is bounded like the loader's nesting: an alias graph in
 * the sweep file cannot make a point larger than this. */
#define COPY_MAX_DEPTH 20
#define COPY_MAX_NODES 100000

static const char *text_of(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int copy_node(yaml_document_t *src, int idx, yaml_document_t *dst, int depth,
                     size_t *budget)
{
    yaml_node_t *n = yaml_document_get_node(src, idx);
    int out = 0;

    if (n == NULL || depth > COPY_MAX_DEPTH || *budget == 0)
        return 0;
    (*budget)--;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return yaml_document_add_scalar(dst, n->tag, n->data.scalar.value,
                                        (int)n->data.scalar.length, n->data.scalar.style);
    case YAML_SEQUENCE_NODE: {
        out = yaml_document_add_sequence(dst, n->tag, n->data.sequence.style);
        if (!out)
            return 0;
        size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        for (size_t i = 0; i < count; i++) {
            /* src may not move, but re-read n's items by index for clarity */
            int item = yaml_document_get_node(src, idx)->data.sequence.items.start[i];
            int c = copy_node(src, item, dst, depth + 1, budget);
            if (!c || !yaml_document_append_sequence_item(dst, out, c))
                return 0;
        }
        return out;
    }
    case YAML_MAPPING_NODE: {
        out = yaml_document_add_mapping(dst, n->tag, n->data.mapping.style);
        if (!out)
            return 0;
        size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        for (size_t i = 0; i < count; i++) {
            yaml_node_pair_t pr = yaml_document_get_node(src, idx)->data.mapping.pairs.start[i];
            int k = copy_node(src, pr.key, dst, depth + 1, budget);
            int v = k ? copy_node(src, pr.value, dst, depth + 1, budget) : 0;
            if (!v || !yaml_document_append_mapping_pair(dst, out, k, v))
                return 0;
        }
        return out;
    }
    default:
        return 0;
    }
}

/* The item of a list whose `name:` is `name`, or -1; names (for the
 * message) gets the items' names. */
static int find_named(yaml_document_t *d, int seq, const char *name, char *names, size_t n)
{
    yaml_node_t *s = yaml_document_get_node(d, seq);
    size_t count = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
    size_t o = 0;

    names[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = yaml_document_get_node(d, s->data.sequence.items.start[i]);
        if (item == NULL || item->type != YAML_MAPPING_NODE)
            continue;
        for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
             p < item->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(d, p->key);
            yaml_node_t *v = yaml_document_get_node(d, p->value);
            if (k->type != YAML_SCALAR_NODE || strcmp(text_of(k), "name") != 0 ||
                v->type != YAML_SCALAR_NODE)
                continue;
            if (strcmp(text_of(v), name) == 0)
                return (int)i;
            if (o < n) {
                int w = snprintf(names + o, n - o, "%s%s", o ? ", " : "", text_of(v));
                o += w > 0 ? (size_t)w : 0;
            }
        }
    }
    return -1;
}

/* Put node `value` at `path` (dotted) in d. 0, RDSIM_EINVAL with the reason
 * in why, or RDSIM_ENOMEM. */
static int set_path(yaml_document_t *d, const char *path, int value, char *why, size_t why_n)
{
    char part[256], prefix[600] = "";
    int cur = 1; /* the root */
    const char *p = path;

    while (*p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        bool last = dot == NULL;
        if (len >= sizeof part)
            len = sizeof part - 1;
        memcpy(part, p, len);
        part[len] = '\0';
        yaml_node_t *n = yaml_document_get_node(d, cur);

        if (n->type == YAML_MAPPING_NODE) {
            int next = 0;
            for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
                 pr++) {
                yaml_node_t *k = yaml_document_get_node(d, pr->key);
                if (k->type == YAML_SCALAR_NODE && strcmp(text_of(k), part) == 0) {
                    if (last) {
                        pr->value = value;
                        return 0;
                    }
                    next = pr->value;
                    break;
                }
            }
            if (next == 0) {
                int k = yaml_document_add_scalar(d, NULL, (yaml_char_t *)part, (int)len,
                                                 YAML_PLAIN_SCALAR_STYLE);
                next = last ? value : yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
                if (!k || !next || !yaml_document_append_mapping_pair(d, cur, k, next))
                    return RDSIM_ENOMEM;
                if (last)
                    return 0;
            }
            cur = next;
        } else if (n->type == YAML_SEQUENCE_NODE) {
            char names[256];
            int i = find_named(d, cur, part, names, sizeof names);
            if (i < 0) {
                if (names[0] == '\0')
                    snprintf(why, why_n, "%s is a list without names; vary it whole (%s)", prefix,
                             prefix);
                else
                    snprintf(why, why_n, "%s has no item named \"%s\"; its names are %s", prefix,
                             part, names);
                return RDSIM_EINVAL;
            }
            int *slot = &n->data.sequence.items.start[i];
            if (last) {
                *slot = value;
                return 0;
            }
            cur = *slot;
        } else {
            char shown[96];
            snprintf(why, why_n, "%s is a value (%s), not a mapping: there is nothing inside it "
                     "to vary", prefix, rdsim_quote(text_of(n), shown, sizeof shown));
            return RDSIM_EINVAL;
        }
        size_t pl = strlen(prefix);
        snprintf(prefix + pl, sizeof prefix - pl, "%s%s", pl ? "." : "", part);
        p += len + (last ? 0 : 1);
        if (last)
            break;
    }
    return 0;
}

int sw_build_point(const struct rdsim_sweep *sw, size_t p, char **text, size_t *len,
                   struct sw_why *why)
{
    struct rdsim_sweep_priv *pv = sw->priv;
    yaml_parser_t parser;
    yaml_document_t d;
    size_t idx[RDSIM_SWEEP_MAX_AXES] = {0}, budget = COPY_MAX_NODES;
    int rc = 0;

    why->axis = SIZE_MAX;
    why->msg[0] = '\0';
    *text = NULL;
    *len = 0;
    if (!yaml_parser_initialize(&parser))
        return RDSIM_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)pv->base, pv->base_len);
    int ok = yaml_parser_load(&parser, &d);
    yaml_parser_delete(&parser);
    if (!ok)
        return RDSIM_ENOMEM; /* the base parsed when the sweep was loaded */

    rdsim_sweep_point_coords(sw, p, idx);
    for (size_t a = 0; a < sw->n_axes && rc == 0; a++) {
        int v = copy_node(&pv->doc, pv->values[a][idx[a]], &d, 0, &budget);
        if (!v) {
            rc = budget == 0 ? RDSIM_EINVAL : RDSIM_ENOMEM;
            snprintf(why->msg, sizeof why->msg, "the value is too large (over %d nodes)",
                     COPY_MAX_NODES);
            why->axis = a;
        } else if ((rc = set_path(&d, sw->axes[a].path, v, why->msg, sizeof why->msg)) != 0) {
            why->axis = a;
        }
    }
    if (rc == 0 && pv->slo) {
        int v = copy_node(&pv->doc, pv->slo, &d, 0, &budget);
        rc = v ? set_path(&d, "expect", v, why->msg, sizeof why->msg) : RDSIM_ENOMEM;
    }
    if (rc != 0) {
        yaml_document_delete(&d);
        return rc;
    }

    /* lines never folded: a point's values stay on their line */
    const char *problem;
    return rdsim_yaml_dump(&d, -1, text, len, &problem);
}

int rdsim_sweep_point_yaml(const struct rdsim_sweep *sw, size_t p, char **text, size_t *len,
                           struct rdsim_err *err)
{
    struct sw_why why;
    int rc = sw_build_point(sw, p, text, len, &why);
    if (rc == RDSIM_ENOMEM)
        return rdsim_err_set(err, rc, "%s: out of memory", sw->path);
    if (rc != 0)
        return rdsim_err_set(err, rc, "%s: point %zu: %s", sw->path, p + 1, why.msg);
    return 0;
}

static void label_into(yaml_document_t *doc, int index, char *buf, size_t n, size_t *o, int depth)
{
    yaml_node_t *nd = yaml_document_get_node(doc, index);
    if (nd == NULL || *o + 1 >= n)
        return;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(buf + *o, n - *o, __VA_ARGS__);                                          \
        *o = w_ < 0 ? *o : (*o + (size_t)w_ >= n ? n - 1 : *o + (size_t)w_);                      \
    } while (0)
    if (depth > 4) {
        PUT("...");
        return;
    }
    if (nd->type == YAML_SCALAR_NODE) {
        PUT("%s", text_of(nd));
    } else if (nd->type == YAML_SEQUENCE_NODE) {
        PUT("[");
        for (yaml_node_item_t *it = nd->data.sequence.items.start;
             it < nd->data.sequence.items.top; it++) {
            if (it > nd->data.sequence.items.start)
                PUT(", ");
            label_into(doc, *it, buf, n, o, depth + 1);
            nd = yaml_document_get_node(doc, index);
        }
        PUT("]");
    } else if (nd->type == YAML_MAPPING_NODE) {
        PUT("{");
        for (yaml_node_pair_t *pr = nd->data.mapping.pairs.start; pr < nd->data.mapping.pairs.top;
             pr++) {
            if (pr > nd->data.mapping.pairs.start)
                PUT(", ");
            label_into(doc, pr->key, buf, n, o, depth + 1);
            PUT(": ");
            label_into(doc, pr->value, buf, n, o, depth + 1);
        }
        PUT("}");
    }
#undef PUT
}

void sw_label(yaml_document_t *doc, int index, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    label_into(doc, index, buf, n, &o, 0);
}
