/*
 * read.c - the reading context and the typed readers every section of a
 * scenario is read through (sections.c, events.c); load.c turns the file
 * into the document they read.
 *
 * The whole stream is parsed before anything is validated, so a syntax
 * error, a second document or nesting beyond SC_MAX_DEPTH anywhere in the
 * file is reported before any rule (load.c). The reading context carries
 * the dotted path of the node being read ("cluster.instances[3].tier");
 * readers push and pop components around each node, and every message is "FILE:LINE:COL: PATH: message" with 1-based
 * line and column. Conventions (docs/scenario-format.md, "Errors"):
 *   - a wrong value points at the value; an unknown, duplicate or misplaced
 *     key points at the key;
 *   - an error about a mapping or list as a whole (a missing key, a count)
 *     points at the key that holds it, or at its own start inside a list;
 *     the top-level mapping's path is "(top level)";
 *   - problems with the file itself (unreadable, empty, syntax, several
 *     documents) use the path "(yaml)", after FILE alone when there is no
 *     position.
 *
 * libyaml resolves plain aliases to shared nodes; the readers only descend
 * as deep as the format does, so no alias graph (even a cyclic one) makes a
 * walk longer than the file. Merge keys ("<<") are not supported.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SC_MAX_NAME 63

yaml_node_t *sc_node(struct sc_ctx *ctx, int index)
{
    return yaml_document_get_node(ctx->doc, index);
}

static size_t path_append(struct sc_ctx *ctx, const char *text)
{
    size_t old = ctx->path_len;
    int n = snprintf(ctx->path + old, sizeof ctx->path - old, "%s", text);
    if (n < 0 || (size_t)n >= sizeof ctx->path - old)
        ctx->path_len = sizeof ctx->path - 1; /* truncated; still NUL-terminated */
    else
        ctx->path_len = old + (size_t)n;
    return old;
}

size_t sc_path_key(struct sc_ctx *ctx, const char *key)
{
    size_t old = ctx->path_len;
    if (old > 0)
        path_append(ctx, ".");
    path_append(ctx, key);
    return old;
}

size_t sc_path_index(struct sc_ctx *ctx, size_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "[%zu]", i);
    return path_append(ctx, buf);
}

void sc_path_pop(struct sc_ctx *ctx, size_t len)
{
    ctx->path_len = len;
    ctx->path[len] = '\0';
}

static int fail_v(struct sc_ctx *ctx, yaml_mark_t mark, const char *fmt, va_list ap)
{
    char msg[RDSIM_ERR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return rdsim_err_set(ctx->err, RDSIM_EINVAL, "%s:%zu:%zu: %s: %s", ctx->file, mark.line + 1,
                         mark.column + 1, ctx->path_len > 0 ? ctx->path : "(top level)", msg);
}

int sc_fail_mark(struct sc_ctx *ctx, yaml_mark_t mark, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fail_v(ctx, mark, fmt, ap);
    va_end(ap);
    return rc;
}

int sc_fail(struct sc_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fail_v(ctx, node->start_mark, fmt, ap);
    va_end(ap);
    return rc;
}

int sc_nomem(struct sc_ctx *ctx)
{
    return rdsim_err_set(ctx->err, RDSIM_ENOMEM, "%s: out of memory", ctx->file);
}

/* ---- text for messages -------------------------------------------------- */

const char *sc_quote(const char *s, char *buf, size_t size)
{
    /* Room for the longest escape (\xNN), "...\"" and the NUL. */
    const size_t cut = 60;
    size_t o = 0, shown = 0;
    if (size < 16) {
        if (size > 0)
            buf[0] = '\0';
        return buf;
    }
    buf[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        /* Stop at the cut, but never inside a UTF-8 sequence. */
        if ((shown >= cut && (*p & 0xC0) != 0x80) || o + 10 >= size) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (*p == '"' || *p == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)*p;
        } else if (*p == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (*p == '\t') {
            buf[o++] = '\\';
            buf[o++] = 't';
        } else if (*p < 0x20 || *p == 0x7f) {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *p);
        } else {
            buf[o++] = (char)*p;
        }
        shown++;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

static const char *scalar_text(const yaml_node_t *node)
{
    return (const char *)node->data.scalar.value;
}

static bool is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE)
        return false;
    if (node->tag != NULL && strcmp((const char *)node->tag, YAML_NULL_TAG) == 0)
        return true;
    if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *t = scalar_text(node);
    return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
           strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

static bool is_quoted(const yaml_node_t *node)
{
    return node->type == YAML_SCALAR_NODE && node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
           node->data.scalar.style != YAML_ANY_SCALAR_STYLE;
}

const char *sc_describe(const yaml_node_t *node, char *buf, size_t size)
{
    switch (node->type) {
    case YAML_SEQUENCE_NODE:
        snprintf(buf, size, "a list");
        break;
    case YAML_MAPPING_NODE:
        snprintf(buf, size, "a mapping");
        break;
    case YAML_SCALAR_NODE:
        if (is_null(node))
            snprintf(buf, size, "nothing (null)");
        else if (strlen(scalar_text(node)) != node->data.scalar.length)
            snprintf(buf, size, "a string containing a NUL character");
        else
            sc_quote(scalar_text(node), buf, size);
        break;
    default:
        snprintf(buf, size, "nothing");
        break;
    }
    return buf;
}

const char *sc_key_text(const yaml_node_t *key)
{
    return scalar_text(key);
}

static void join(const char *const *list, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; list[i] != NULL && o < size; i++) {
        int n = snprintf(buf + o, size - o, "%s%s", i > 0 ? ", " : "", list[i]);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

/* ---- mappings and sequences --------------------------------------------- */

/* Push a key as typed onto the path: as is when it looks like a key,
 * quoted and cut otherwise so the path stays one short line. */
static size_t path_key_as_typed(struct sc_ctx *ctx, const yaml_node_t *key)
{
    const char *t = scalar_text(key);
    bool plain = t[0] != '\0' && strlen(t) <= 40 && strlen(t) == key->data.scalar.length;
    for (const char *p = t; plain && *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            plain = false;
    if (plain)
        return sc_path_key(ctx, t);
    char q[96];
    return sc_path_key(ctx, sc_quote(t, q, sizeof q));
}

int sc_unknown_key(struct sc_ctx *ctx, yaml_node_t *key, const char *const *valid,
                   const char *valid_what)
{
    size_t saved = path_key_as_typed(ctx, key);
    const char *t = scalar_text(key);
    int rc;
    if (strcmp(t, "<<") == 0) {
        rc = sc_fail(ctx, key, "YAML merge keys are not supported; write the keys out");
    } else {
        const char *s = sc_suggest_list(t, valid);
        if (s != NULL) {
            rc = sc_fail(ctx, key, "unknown key; did you mean \"%s\"?", s);
        } else {
            char list[512];
            join(valid, list, sizeof list);
            rc = sc_fail(ctx, key, "unknown key; %s %s", valid_what ? valid_what : "expected one of",
                         list);
        }
    }
    sc_path_pop(ctx, saved);
    return rc;
}

static int must_be(struct sc_ctx *ctx, yaml_node_t *node, const char *expect)
{
    char got[128];
    return sc_fail(ctx, node, "must be %s, got %s", expect, sc_describe(node, got, sizeof got));
}

static bool key_is(const yaml_node_t *key, const char *name)
{
    return key->data.scalar.length == strlen(name) && strcmp(scalar_text(key), name) == 0;
}

int sc_map_shape(struct sc_ctx *ctx, yaml_node_t *node, const char *what, const char *const *known,
                 yaml_node_t **first_unknown)
{
    *first_unknown = NULL;
    if (node->type != YAML_MAPPING_NODE)
        return must_be(ctx, node, what);
    /* Every key before the first unknown one is a distinct known key, so
     * this quadratic check runs over a handful of keys whatever the input. */
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *key = sc_node(ctx, p->key);
        if (key == NULL || sc_node(ctx, p->value) == NULL)
            return rdsim_err_set(ctx->err, RDSIM_EINTERNAL, "%s: broken YAML document", ctx->file);
        if (key->type != YAML_SCALAR_NODE || is_null(key)) {
            char got[64];
            return sc_fail(ctx, key, "keys must be plain words, got %s",
                           sc_describe(key, got, sizeof got));
        }
        for (yaml_node_pair_t *q = node->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *prev = sc_node(ctx, q->key);
            if (prev->data.scalar.length == key->data.scalar.length &&
                memcmp(prev->data.scalar.value, key->data.scalar.value, key->data.scalar.length) ==
                    0) {
                size_t saved = path_key_as_typed(ctx, key);
                int rc = sc_fail(ctx, key, "duplicate key (first at line %zu)",
                                 prev->start_mark.line + 1);
                sc_path_pop(ctx, saved);
                return rc;
            }
        }
        size_t i = 0;
        while (known[i] != NULL && !key_is(key, known[i]))
            i++;
        if (known[i] == NULL) {
            *first_unknown = key;
            return 0;
        }
    }
    return 0;
}

int sc_map(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where, const struct sc_key *keys,
           size_t n_keys, struct sc_map *m)
{
    assert(n_keys <= SC_MAX_KEYS);
    memset(m, 0, sizeof *m);
    m->node = node;
    m->where = where;
    const char *valid[SC_MAX_KEYS + 1];
    for (size_t i = 0; i < n_keys; i++)
        valid[i] = keys[i].name;
    valid[n_keys] = NULL;
    yaml_node_t *unknown;
    int rc = sc_map_shape(ctx, node, "a mapping", valid, &unknown);
    if (rc != 0)
        return rc;
    if (unknown != NULL)
        return sc_unknown_key(ctx, unknown, valid, NULL);
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *key = sc_node(ctx, p->key);
        for (size_t i = 0; i < n_keys; i++)
            if (key_is(key, keys[i].name)) {
                m->key[i] = key;
                m->val[i] = sc_node(ctx, p->value);
            }
    }
    for (size_t i = 0; i < n_keys; i++)
        if (keys[i].required && m->val[i] == NULL)
            return sc_fail_mark(ctx, where, "missing required key \"%s\"", keys[i].name);
    return 0;
}

int sc_seq(struct sc_ctx *ctx, yaml_node_t *node, const char *what, size_t *n)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return must_be(ctx, node, what);
    *n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    return 0;
}

yaml_node_t *sc_seq_item(struct sc_ctx *ctx, yaml_node_t *seq, size_t i)
{
    return sc_node(ctx, seq->data.sequence.items.start[i]);
}

yaml_node_t *sc_item_value(struct sc_ctx *ctx, yaml_node_t *item, const char *key)
{
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = sc_node(ctx, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp(sc_key_text(k), key) == 0)
            return sc_node(ctx, p->value);
    }
    return item;
}

int sc_fail_item(struct sc_ctx *ctx, yaml_node_t *seq, size_t i, const char *key, const char *msg)
{
    yaml_node_t *item = sc_seq_item(ctx, seq, i);

    sc_path_index(ctx, i);
    if (key)
        sc_path_key(ctx, key);
    return sc_fail(ctx, key ? sc_item_value(ctx, item, key) : item, "%s", msg);
}

/* ---- typed readers ------------------------------------------------------ */

/* The scalar text of node, or an error saying `expect` was wanted. Tags
 * other than YAML's own core ones are refused. */
static int scalar(struct sc_ctx *ctx, yaml_node_t *node, const char *expect, const char **out)
{
    if (node->type != YAML_SCALAR_NODE || is_null(node) ||
        strlen(scalar_text(node)) != node->data.scalar.length)
        return must_be(ctx, node, expect);
    const char *tag = (const char *)node->tag;
    if (tag != NULL && strncmp(tag, "tag:yaml.org,2002:", 18) != 0) {
        char q[96];
        return sc_fail(ctx, node, "must be %s, got a value with the tag %s", expect,
                       sc_quote(tag, q, sizeof q));
    }
    *out = scalar_text(node);
    return 0;
}

/* Like scalar() for numbers and booleans: quoting makes a YAML string. */
static int plain_scalar(struct sc_ctx *ctx, yaml_node_t *node, const char *expect,
                        const char **out)
{
    int rc = scalar(ctx, node, expect, out);
    if (rc != 0)
        return rc;
    if (is_quoted(node)) {
        char q[96];
        return sc_fail(ctx, node, "must be %s, got the quoted string %s", expect,
                       sc_quote(*out, q, sizeof q));
    }
    return 0;
}

int sc_read_text(struct sc_ctx *ctx, yaml_node_t *node, const char *what, const char **out)
{
    return scalar(ctx, node, what, out);
}

static int dup_into(struct sc_ctx *ctx, const char *s, char **out)
{
    *out = strdup(s);
    return *out == NULL ? sc_nomem(ctx) : 0;
}

int sc_read_string(struct sc_ctx *ctx, yaml_node_t *node, char **out)
{
    const char *t;
    int rc = scalar(ctx, node, "a string", &t);
    return rc != 0 ? rc : dup_into(ctx, t, out);
}

int sc_read_name(struct sc_ctx *ctx, yaml_node_t *node, char **out)
{
    static const char expect[] = "a name: lowercase letters, digits and '-', "
                                 "starting with a letter or digit";
    const char *t;
    int rc = scalar(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    bool ok = (t[0] >= 'a' && t[0] <= 'z') || (t[0] >= '0' && t[0] <= '9');
    for (const char *p = t; ok && *p != '\0'; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
    if (!ok)
        return must_be(ctx, node, expect);
    size_t len = strlen(t);
    if (len > SC_MAX_NAME) {
        char q[96];
        return sc_fail(ctx, node, "must be a name of at most %d characters, got %zu characters (%s)",
                       SC_MAX_NAME, len, sc_quote(t, q, sizeof q));
    }
    return dup_into(ctx, t, out);
}

static const char duration_expect[] = "a duration with a unit (250us, 1.5ms, 30s, 2m, 1h)";

/* Why a unit parser refused the text `q` (its status `st`, not OK): one
 * wording for every unit; `many` words it for a range of durations. */
static int unit_refused(struct sc_ctx *ctx, yaml_node_t *node, enum sc_unit_status st,
                        const char *q, const char *max_text, bool many, const char *expect)
{
    switch (st) {
    case SC_UNIT_NEGATIVE:
        return sc_fail(ctx, node, "must not be negative, got %s", q);
    case SC_UNIT_TOO_LARGE:
        return sc_fail(ctx, node, "%smust be at most %s, got %s", many ? "durations " : "",
                       max_text, q);
    case SC_UNIT_RESOLUTION:
        if (many)
            return sc_fail(ctx, node, "durations must be whole numbers of nanoseconds, got %s",
                           q);
        return sc_fail(ctx, node, "must be a whole number of nanoseconds, got %s", q);
    case SC_UNIT_ORDER:
        return sc_fail(ctx, node, "must be MIN..MAX with MIN <= MAX, got %s", q);
    default:
        return must_be(ctx, node, expect);
    }
}

int sc_read_duration(struct sc_ctx *ctx, yaml_node_t *node, bool positive, rdsim_time_t *out)
{
    const char *t;
    int rc = scalar(ctx, node, duration_expect, &t);
    if (rc != 0)
        return rc;
    char q[96];
    sc_quote(t, q, sizeof q);
    enum sc_unit_status st = sc_parse_duration(t, out);
    if (st != SC_UNIT_OK)
        return unit_refused(ctx, node, st, q, SC_MAX_DURATION_TEXT, false, duration_expect);
    if (positive && *out == 0)
        return sc_fail(ctx, node, "must be greater than 0, got %s", q);
    return 0;
}

int sc_read_range(struct sc_ctx *ctx, yaml_node_t *node, bool positive, struct rdsim_range *out)
{
    static const char expect[] = "a duration or a range MIN..MAX of durations (10s..30s)";
    const char *t;
    int rc = scalar(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    char q[96];
    sc_quote(t, q, sizeof q);
    int side;
    enum sc_unit_status st = sc_parse_range(t, out, &side);
    if (st != SC_UNIT_OK)
        return unit_refused(ctx, node, st, q, SC_MAX_DURATION_TEXT, true, expect);
    if (positive && out->lo == 0)
        return sc_fail(ctx, node, "must be greater than 0, got %s", q);
    return 0;
}

int sc_read_rate(struct sc_ctx *ctx, yaml_node_t *node, double *out)
{
    static const char expect[] = "a rate with a unit (900/s, 60/m, 2/h)";
    const char *t;
    int rc = scalar(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    char q[96];
    sc_quote(t, q, sizeof q);
    enum sc_unit_status st = sc_parse_rate(t, out);
    return st == SC_UNIT_OK ? 0 : unit_refused(ctx, node, st, q, SC_MAX_RATE_TEXT, false, expect);
}

int sc_read_int(struct sc_ctx *ctx, yaml_node_t *node, int64_t lo, int64_t hi, int64_t *out)
{
    char expect[96];
    if (hi == INT64_MAX)
        snprintf(expect, sizeof expect, "an integer >= %lld", (long long)lo);
    else
        snprintf(expect, sizeof expect, "an integer %lld..%lld", (long long)lo, (long long)hi);
    const char *t;
    int rc = plain_scalar(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    int64_t v;
    if (sc_parse_int(t, &v) != SC_UNIT_OK || v < lo || v > hi)
        return must_be(ctx, node, expect);
    *out = v;
    return 0;
}

int sc_read_uint64(struct sc_ctx *ctx, yaml_node_t *node, uint64_t hi, uint64_t *out)
{
    char expect[64];
    snprintf(expect, sizeof expect, "an integer 0..%llu", (unsigned long long)hi);
    const char *t;
    int rc = plain_scalar(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    if (sc_parse_uint64(t, out) != SC_UNIT_OK || *out > hi)
        return must_be(ctx, node, expect);
    return 0;
}

int sc_read_number(struct sc_ctx *ctx, yaml_node_t *node, double lo, double hi,
                   const char *expect, double *out)
{
    const char *t;
    int rc = plain_scalar(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    double v;
    if (sc_parse_number(t, &v) != SC_UNIT_OK || !(v >= lo && v <= hi))
        return must_be(ctx, node, expect);
    *out = v;
    return 0;
}

int sc_read_bool(struct sc_ctx *ctx, yaml_node_t *node, bool *out)
{
    const char *t;
    int rc = plain_scalar(ctx, node, "true or false", &t);
    if (rc != 0)
        return rc;
    if (strcmp(t, "true") == 0)
        *out = true;
    else if (strcmp(t, "false") == 0)
        *out = false;
    else
        return must_be(ctx, node, "true or false");
    return 0;
}

int sc_read_enum(struct sc_ctx *ctx, yaml_node_t *node, const char *const *values, int *out)
{
    char list[256], expect[300];
    join(values, list, sizeof list);
    snprintf(expect, sizeof expect, "one of %s", list);
    const char *t;
    int rc = scalar(ctx, node, expect, &t);
    if (rc != 0)
        return rc;
    for (int i = 0; values[i] != NULL; i++) {
        if (strcmp(t, values[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char q[96];
    sc_quote(t, q, sizeof q);
    const char *s = sc_suggest_list(t, values);
    if (s != NULL)
        return sc_fail(ctx, node, "unknown value %s; did you mean \"%s\"?", q, s);
    return sc_fail(ctx, node, "unknown value %s; expected one of %s", q, list);
}
