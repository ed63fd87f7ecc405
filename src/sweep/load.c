/*
 * load.c - the sweep file: from YAML to a checked struct rdsim_sweep.
 *
 * Messages follow the scenario loader's conventions (docs/scenario-format.md,
 * "Errors"): "FILE:LINE:COL: PATH: message", a wrong value points at the
 * value, an unknown or duplicate key at the key, a missing key at the
 * mapping. Problems of a point's scenario are the scenario loader's own
 * messages, located at the vary value (or key) they come from and naming
 * the point and its values, so the user sees both what and where:
 *
 *   s.yaml:5:30: vary.clients.dns_cache: point 3 (clients.dns_cache=bogus):
 *   clients.dns_cache: must be ttl, forever or a duration ..., got "bogus"
 *
 * Every point is loaded once here, so a sweep that loads runs every point.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define SW_MAX_FILE_BYTES (1u << 20)
#define SW_MAX_DEPTH 20

struct ctx {
    const char *file;
    struct rdsim_err *err;
    yaml_document_t *doc;
};

__attribute__((format(printf, 4, 5))) static int fail(struct ctx *c, yaml_mark_t m,
                                                      const char *path, const char *fmt, ...)
{
    char msg[RDSIM_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Values quoted from the file may hold line breaks: a message is one
     * line, so they become spaces. */
    for (char *q = msg; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = ' ';
    return rdsim_err_set(c->err, RDSIM_EINVAL, "%s:%zu:%zu: %s: %s", c->file, m.line + 1,
                         m.column + 1, path, msg);
}

static yaml_node_t *node(struct ctx *c, int i)
{
    return yaml_document_get_node(c->doc, i);
}

static const char *text_of(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static const char *describe(const yaml_node_t *n, char *buf, size_t size)
{
    if (n->type == YAML_SEQUENCE_NODE)
        snprintf(buf, size, "a list");
    else if (n->type == YAML_MAPPING_NODE)
        snprintf(buf, size, "a mapping");
    else if (n->data.scalar.length == 0)
        snprintf(buf, size, "nothing (null)");
    else
        rdsim_quote(text_of(n), buf, size);
    return buf;
}

/* ---- the file ------------------------------------------------------------ */

static int read_file(const char *path, char **buf, size_t *len, size_t max, struct rdsim_err *err)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 0;
    *buf = NULL;
    *len = 0;
    struct stat st;
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot read: %s", path, strerror(errno));
    /* A FIFO or a device (/dev/stdin) could block or never end. */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot read: not a regular file", path);
    }
    for (;;) {
        if (*len + 1 >= cap) {
            cap = cap ? cap * 2 : 4096;
            char *nb = realloc(*buf, cap);
            if (nb == NULL) {
                fclose(f);
                return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
            }
            *buf = nb;
        }
        size_t n = fread(*buf + *len, 1, cap - *len - 1, f);
        *len += n;
        if (*len > max) {
            fclose(f);
            return rdsim_err_set(err, RDSIM_EINVAL, "%s: (yaml): larger than %zu bytes", path,
                                 max);
        }
        if (n == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    (*buf)[*len] = '\0';
    if (bad)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot read: read error", path);
    return 0;
}

static int yaml_fail(const char *file, const yaml_parser_t *p, struct rdsim_err *err)
{
    if (p->error == YAML_MEMORY_ERROR)
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", file);
    return rdsim_err_set(err, RDSIM_EINVAL, "%s:%zu:%zu: (yaml): %s", file,
                         p->problem_mark.line + 1, p->problem_mark.column + 1,
                         p->problem ? p->problem : "malformed YAML");
}

/* Syntax, nesting and a second document, before the document is built
 * (libyaml is slow on deep nesting; see src/scenario/load.c). */
static int check_stream(const char *file, const char *buf, size_t len, struct rdsim_err *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int depth = 0, docs = 0, rc = 0;
    if (!yaml_parser_initialize(&p))
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", file);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    for (;;) {
        if (!yaml_parser_parse(&p, &ev)) {
            rc = yaml_fail(file, &p, err);
            break;
        }
        yaml_event_type_t type = ev.type;
        yaml_mark_t m = ev.start_mark;
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            break;
        if (type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            rc = rdsim_err_set(err, RDSIM_EINVAL, "%s:%zu:%zu: (yaml): a second YAML document "
                               "starts here; a sweep file holds exactly one", file, m.line + 1,
                               m.column + 1);
            break;
        }
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > SW_MAX_DEPTH) {
                rc = rdsim_err_set(err, RDSIM_EINVAL, "%s:%zu:%zu: (yaml): nested more than %d "
                                   "levels deep", file, m.line + 1, m.column + 1, SW_MAX_DEPTH);
                break;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
    }
    yaml_parser_delete(&p);
    return rc;
}

/* ---- values --------------------------------------------------------------- */

static bool is_plain_scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* A whole number 0..INT64_MAX, digits only (as --seed). */
static bool parse_seed(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static const char seeds_expect[] =
    "a range FIRST..LAST of whole numbers (1..200) or a list of them ([1, 7, 42])";

static int load_seeds(struct ctx *c, struct rdsim_sweep *sw, yaml_node_t *n)
{
    char got[128];
    if (n->type == YAML_SCALAR_NODE) {
        const char *t = text_of(n), *dots = strstr(t, "..");
        uint64_t lo, hi;
        if (!is_plain_scalar(n) || dots == NULL || !parse_seed(t, (size_t)(dots - t), &lo) ||
            !parse_seed(dots + 2, strlen(dots + 2), &hi))
            return fail(c, n->start_mark, "seeds", "must be %s, got %s", seeds_expect,
                        describe(n, got, sizeof got));
        if (lo > hi)
            return fail(c, n->start_mark, "seeds", "the first seed %llu is above the last %llu",
                        (unsigned long long)lo, (unsigned long long)hi);
        if (hi - lo >= RDSIM_SWEEP_MAX_SEEDS)
            return fail(c, n->start_mark, "seeds", "%llu seeds; at most %d are allowed",
                        (unsigned long long)(hi - lo) + 1, RDSIM_SWEEP_MAX_SEEDS);
        sw->n_seeds = (size_t)(hi - lo) + 1;
        sw->seeds = malloc(sw->n_seeds * sizeof *sw->seeds);
        if (sw->seeds == NULL)
            return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
        for (size_t i = 0; i < sw->n_seeds; i++)
            sw->seeds[i] = lo + i;
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n->start_mark, "seeds", "must be %s, got %s", seeds_expect,
                    describe(n, got, sizeof got));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count == 0)
        return fail(c, n->start_mark, "seeds", "the list is empty; give at least one seed");
    if (count > RDSIM_SWEEP_MAX_SEEDS)
        return fail(c, n->start_mark, "seeds", "%zu seeds; at most %d are allowed", count,
                    RDSIM_SWEEP_MAX_SEEDS);
    sw->seeds = malloc(count * sizeof *sw->seeds);
    uint64_t *sorted = malloc(count * sizeof *sorted);
    if (sw->seeds == NULL || sorted == NULL) {
        free(sorted);
        return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it = node(c, n->data.sequence.items.start[i]);
        char path[48];
        snprintf(path, sizeof path, "seeds[%zu]", i);
        if (!is_plain_scalar(it) || !parse_seed(text_of(it), it->data.scalar.length,
                                                &sw->seeds[i])) {
            free(sorted);
            return fail(c, it->start_mark, path,
                        "must be a whole number 0..9223372036854775807, got %s",
                        describe(it, got, sizeof got));
        }
        sorted[i] = sw->seeds[i];
    }
    sw->n_seeds = count;
    qsort(sorted, count, sizeof *sorted, cmp_u64);
    for (size_t i = 1; i < count; i++) {
        if (sorted[i] != sorted[i - 1])
            continue;
        /* Point at the second time it appears. */
        size_t seen = 0, k = 0;
        for (; k < count; k++)
            if (sw->seeds[k] == sorted[i] && ++seen == 2)
                break;
        char path[48];
        snprintf(path, sizeof path, "seeds[%zu]", k);
        free(sorted);
        return fail(c, node(c, n->data.sequence.items.start[k])->start_mark, path,
                    "seed %llu appears twice; each seed is one run per point",
                    (unsigned long long)sw->seeds[k]);
    }
    free(sorted);
    return 0;
}

/* A vary key: dotted components of [a-z0-9_-]. */
static bool is_dotted_path(const char *s)
{
    bool start = true;
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (*s == '.') {
            if (start)
                return false;
            start = true;
            continue;
        }
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
        start = false;
    }
    return !start;
}

static int load_vary(struct ctx *c, struct rdsim_sweep *sw, yaml_node_t *n, yaml_mark_t key_mark)
{
    char got[128];
    struct rdsim_sweep_priv *pv = sw->priv;
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n->start_mark, "vary",
                    "must be a mapping of dotted paths to lists of values "
                    "(clients.dns_cache: [ttl, 30s]), got %s", describe(n, got, sizeof got));
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (count == 0)
        return fail(c, key_mark, "vary", "is empty; leave it out for a sweep of one point");
    if (count > RDSIM_SWEEP_MAX_AXES)
        return fail(c, key_mark, "vary", "%zu parameters; at most %d are allowed", count,
                    RDSIM_SWEEP_MAX_AXES);
    sw->axes = calloc(count, sizeof *sw->axes);
    pv->values = calloc(count, sizeof *pv->values);
    if (sw->axes == NULL || pv->values == NULL)
        return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
    size_t points = 1;
    for (size_t a = 0; a < count; a++) {
        yaml_node_pair_t pr = n->data.mapping.pairs.start[a];
        yaml_node_t *k = node(c, pr.key), *v = node(c, pr.value);
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k->start_mark, "vary", "keys must be dotted paths, got %s",
                        describe(k, got, sizeof got));
        const char *path = text_of(k);
        char vpath[300];
        snprintf(vpath, sizeof vpath, "vary.%s", path);
        if (!is_dotted_path(path) || strlen(path) != k->data.scalar.length || strlen(path) > 200)
            return fail(c, k->start_mark, "vary",
                        "must be a dotted path into the scenario (clients.dns_cache, "
                        "cluster.instances.standby.az), got %s", describe(k, got, sizeof got));
        for (size_t b = 0; b < a; b++) {
            size_t l = strlen(sw->axes[b].path);
            if (strcmp(sw->axes[b].path, path) == 0)
                return fail(c, k->start_mark, vpath, "appears twice in vary");
            if ((strncmp(sw->axes[b].path, path, l) == 0 && path[l] == '.') ||
                (strncmp(path, sw->axes[b].path, strlen(path)) == 0 &&
                 sw->axes[b].path[strlen(path)] == '.'))
                return fail(c, k->start_mark, vpath, "overlaps vary.%s: one would overwrite "
                            "the other", sw->axes[b].path);
        }
        if (strcmp(path, "seed") == 0)
            return fail(c, k->start_mark, vpath, "the seeds of the sweep set the seed; put the "
                        "values in seeds:");
        if (strcmp(path, "expect") == 0 || strncmp(path, "expect.", 7) == 0)
            return fail(c, k->start_mark, vpath, "the sweep's slo: replaces expect:; vary "
                        "the scenario, not its SLO");
        struct rdsim_sweep_axis *ax = &sw->axes[a];
        ax->loc = (struct rdsim_loc){(int)k->start_mark.line + 1, (int)k->start_mark.column + 1};
        if ((ax->path = strdup(path)) == NULL)
            return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
        sw->n_axes = a + 1;
        /* A list of values, or a mapping of labels to values (for values
         * too long to name a point: a whole cluster). */
        bool named = v->type == YAML_MAPPING_NODE;
        if (v->type != YAML_SEQUENCE_NODE && !named)
            return fail(c, v->start_mark, vpath, "must be a list of the values to try, or a "
                        "mapping of labels to values, got %s", describe(v, got, sizeof got));
        size_t nv = named ? (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start)
                          : (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (nv == 0)
            return fail(c, v->start_mark, vpath, "%s is empty; give at least one value",
                        named ? "the mapping" : "the list");
        if (points > RDSIM_SWEEP_MAX_POINTS / nv)
            return fail(c, v->start_mark, vpath, "makes more than %d points",
                        RDSIM_SWEEP_MAX_POINTS);
        points *= nv;
        ax->labels = calloc(nv, sizeof *ax->labels);
        pv->values[a] = calloc(nv, sizeof *pv->values[a]);
        if (ax->labels == NULL || pv->values[a] == NULL)
            return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
        for (size_t j = 0; j < nv; j++) {
            int vi, at;
            char label[256];
            if (named) {
                yaml_node_pair_t lp = node(c, pr.value)->data.mapping.pairs.start[j];
                yaml_node_t *lk = node(c, lp.key);
                if (lk->type != YAML_SCALAR_NODE || lk->data.scalar.length == 0 ||
                    lk->data.scalar.length >= sizeof label)
                    return fail(c, lk->start_mark, vpath, "labels must be short words, got %s",
                                describe(lk, got, sizeof got));
                snprintf(label, sizeof label, "%s", text_of(lk));
                vi = lp.value;
                at = lp.key;
            } else {
                vi = at = node(c, pr.value)->data.sequence.items.start[j];
                sw_label(c->doc, vi, label, sizeof label);
            }
            for (size_t i = 0; i < j; i++)
                if (strcmp(ax->labels[i], label) == 0) {
                    char ipath[600];
                    if (named)
                        snprintf(ipath, sizeof ipath, "%s.%s", vpath, label);
                    else
                        snprintf(ipath, sizeof ipath, "%s[%zu]", vpath, j);
                    return fail(c, node(c, at)->start_mark, ipath,
                                named ? "the label %s is already in the mapping"
                                      : "the value %s is already in the list",
                                rdsim_quote(label, got, sizeof got));
                }
            if ((ax->labels[j] = strdup(label)) == NULL)
                return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
            pv->values[a][j] = vi;
            ax->n_values = j + 1;
        }
    }
    sw->n_points = points;
    return 0;
}

/* ---- points ---------------------------------------------------------------- */

/* The scenario loader's message without its "(point):LINE:COL: " prefix
 * (the position is in the generated text, which the user never wrote). */
static const char *strip_position(const char *msg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(msg, name, n) != 0 || msg[n] != ':')
        return msg;
    const char *p = msg + n + 1;
    for (int field = 0; field < 2; field++) {
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q == p || *q != ':')
            return msg + n + 2; /* "(point): out of memory" */
        p = q + 1;
    }
    return *p == ' ' ? p + 1 : p;
}

static const char point_name[] = "(point)";

static int check_point(struct ctx *c, struct rdsim_sweep *sw, size_t p, yaml_mark_t vary_mark,
                       yaml_mark_t slo_mark)
{
    struct rdsim_sweep_priv *pv = sw->priv;
    struct sw_why why;
    char *text = NULL, values[512] = "";
    size_t len, idx[RDSIM_SWEEP_MAX_AXES] = {0}, o = 0;
    struct rdsim_scenario *sc = NULL;
    struct rdsim_err e = {0};
    int rc;

    rdsim_sweep_point_coords(sw, p, idx);
    for (size_t a = 0; a < sw->n_axes && o < sizeof values; a++) {
        int w = snprintf(values + o, sizeof values - o, "%s%s=%s", a ? ", " : "",
                         sw->axes[a].path, sw->axes[a].labels[idx[a]]);
        o += w > 0 ? (size_t)w : 0;
    }
    rc = sw_build_point(sw, p, &text, &len, &why);
    if (rc == RDSIM_ENOMEM)
        return rdsim_err_set(c->err, rc, "%s: out of memory", c->file);
    if (rc != 0) {
        char vpath[300];
        const struct rdsim_sweep_axis *ax = &sw->axes[why.axis == SIZE_MAX ? 0 : why.axis];
        snprintf(vpath, sizeof vpath, "vary.%s", ax->path);
        yaml_mark_t m = {0, (size_t)ax->loc.line - 1, (size_t)ax->loc.col - 1};
        return fail(c, m, vpath, "%s", why.msg);
    }
    rc = rdsim_scenario_load_buffer(point_name, text, len, &sc, &e);
    free(text);
    rdsim_scenario_free(sc);
    if (rc == RDSIM_ENOMEM)
        return rdsim_err_set(c->err, rc, "%s: out of memory", c->file);
    if (rc == 0)
        return 0;

    /* Where the problem comes from: the axis whose path the message names
     * (its value, or its key for an unknown key), else the slo when the
     * message is about expect, else vary as a whole. */
    const char *msg = strip_position(e.msg, point_name);
    yaml_mark_t m = vary_mark;
    const char *at = "vary";
    bool found = false;
    char vpath[300];
    for (size_t a = 0; a < sw->n_axes; a++) {
        size_t l = strlen(sw->axes[a].path), el = strcspn(msg, ":");
        /* An unknown key on the way to the value (cluster.failovr of
         * cluster.failovr.detection), created by the path itself. */
        bool on_path = el < l && sw->axes[a].path[el] == '.' &&
                       strncmp(msg, sw->axes[a].path, el) == 0 &&
                       strncmp(msg + el, ": unknown key", 13) == 0;
        if (!on_path && (strncmp(msg, sw->axes[a].path, l) != 0 ||
                         (msg[l] != ':' && msg[l] != '.' && msg[l] != '[')))
            continue;
        snprintf(vpath, sizeof vpath, "vary.%s", sw->axes[a].path);
        at = vpath;
        found = true;
        if (on_path || (msg[l] == ':' && strncmp(msg + l, ": unknown key", 13) == 0))
            m = (yaml_mark_t){0, (size_t)sw->axes[a].loc.line - 1,
                              (size_t)sw->axes[a].loc.col - 1};
        else
            m = node(c, pv->values[a][idx[a]])->start_mark;
        break;
    }
    if (!found && pv->slo && strncmp(msg, "expect", 6) == 0) {
        /* The slo is the scenario's expect: say so in the sweep's words. */
        return fail(c, slo_mark, "slo", "%s", msg);
    }
    if (sw->n_axes == 0)
        return fail(c, slo_mark, "slo", "%s", msg);
    return fail(c, m, at, "point %zu (%s): %s", p + 1, values, msg);
}

/* The SLO in one line for report.md: the slo mapping, or the base
 * scenario's expect: as written (whatever keys expect: comes to have). */
static int slo_text(struct ctx *c, struct rdsim_sweep *sw)
{
    struct rdsim_sweep_priv *pv = sw->priv;
    char buf[512];
    buf[0] = '\0';
    if (pv->slo) {
        sw_label(c->doc, pv->slo, buf, sizeof buf);
    } else {
        yaml_parser_t parser;
        yaml_document_t d;
        if (!yaml_parser_initialize(&parser))
            return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
        yaml_parser_set_input_string(&parser, (const unsigned char *)pv->base, pv->base_len);
        int ok = yaml_parser_load(&parser, &d);
        yaml_parser_delete(&parser);
        if (!ok)
            return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
        yaml_node_t *root = yaml_document_get_root_node(&d);
        for (yaml_node_pair_t *pr = root ? root->data.mapping.pairs.start : NULL;
             pr && pr < root->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(&d, pr->key);
            if (k->type == YAML_SCALAR_NODE && strcmp(text_of(k), "expect") == 0)
                sw_label(&d, pr->value, buf, sizeof buf);
        }
        yaml_document_delete(&d);
    }
    /* "{a: 1, b: 2}" reads as "a: 1, b: 2" in a sentence */
    size_t n = strlen(buf);
    if (n >= 2 && buf[0] == '{' && buf[n - 1] == '}') {
        memmove(buf, buf + 1, n - 2);
        buf[n - 2] = '\0';
    }
    if (buf[0] && (sw->slo_text = strdup(buf)) == NULL)
        return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
    return 0;
}

/* ---- the top level ---------------------------------------------------------- */

static const char *const top_keys[] = {"name", "description", "scenario", "seeds", "vary", "slo",
                                       NULL};

static char *resolve(const char *sweep_path, const char *rel)
{
    const char *slash = strrchr(sweep_path, '/');
    size_t dl = rel[0] == '/' || slash == NULL ? 0 : (size_t)(slash - sweep_path) + 1;
    char *out = malloc(dl + strlen(rel) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, sweep_path, dl);
    strcpy(out + dl, rel);
    return out;
}

static int load_top(struct ctx *c, struct rdsim_sweep *sw)
{
    struct rdsim_sweep_priv *pv = sw->priv;
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    yaml_node_t *val[6] = {0}, *key[6] = {0};
    yaml_mark_t zero = {0, 0, 0};
    char got[128];
    int rc;

    if (root == NULL)
        return rdsim_err_set(c->err, RDSIM_EINVAL, "%s:1:1: (yaml): the file is empty; expected "
                             "a mapping with at least scenario and seeds", c->file);
    if (root->type != YAML_MAPPING_NODE)
        return fail(c, root->start_mark, "(top level)", "must be a mapping with at least "
                    "scenario and seeds, got %s", describe(root, got, sizeof got));
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node(c, pr->key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k->start_mark, "(top level)", "keys must be words, got %s",
                        describe(k, got, sizeof got));
        size_t i = 0;
        while (top_keys[i] && strcmp(top_keys[i], text_of(k)) != 0)
            i++;
        if (top_keys[i] == NULL) {
            const char *s = rdsim_suggest(text_of(k), top_keys);
            char q[96];
            /* As the scenario loader shows a key: plain when it is a word. */
            bool word = k->data.scalar.length > 0 && k->data.scalar.length <= 40;
            for (const char *t = text_of(k); *t && word; t++)
                word = (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '_' ||
                       *t == '-';
            if (word)
                snprintf(q, sizeof q, "%s", text_of(k));
            else
                rdsim_quote(text_of(k), q, sizeof q);
            if (s)
                return fail(c, k->start_mark, q, "unknown key; did you mean \"%s\"?", s);
            return fail(c, k->start_mark, q, "unknown key; expected one of name, "
                        "description, scenario, seeds, vary, slo");
        }
        if (key[i])
            return fail(c, k->start_mark, top_keys[i], "appears twice (first at line %zu)",
                        key[i]->start_mark.line + 1);
        key[i] = k;
        val[i] = node(c, pr->value);
    }
    if (val[2] == NULL)
        return fail(c, root->start_mark, "(top level)", "scenario is missing: the path of the "
                    "base scenario, relative to this file");
    if (val[3] == NULL)
        return fail(c, root->start_mark, "(top level)", "seeds is missing: a range (1..100) or "
                    "a list of seeds");
    for (int i = 0; i < 3; i++)
        if (val[i] && (!(val[i]->type == YAML_SCALAR_NODE) || val[i]->data.scalar.length == 0 ||
                       strlen(text_of(val[i])) != val[i]->data.scalar.length))
            return fail(c, val[i]->start_mark, top_keys[i], "must be %s, got %s",
                        i == 2 ? "the path of a scenario file" : "a line of text",
                        describe(val[i], got, sizeof got));
    if (val[0]) {
        /* The name becomes a folder (results/sweeps/NAME): the scenario
         * format's rule for names keeps it one plain path component. */
        const char *t = text_of(val[0]);
        bool ok = strlen(t) <= 63 && ((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9'));
        for (; ok && *t; t++)
            ok = (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '-';
        if (!ok)
            return fail(c, val[0]->start_mark, "name", "must be a name of at most 63 "
                        "characters [a-z0-9][a-z0-9-]*, got %s", describe(val[0], got,
                                                                          sizeof got));
    }
    if (val[1] && (sw->description = strdup(text_of(val[1]))) == NULL)
        return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);

    /* The base scenario, which must load as it is. */
    if ((sw->scenario_path = resolve(c->file, text_of(val[2]))) == NULL)
        return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);
    struct rdsim_err e = {0};
    rc = read_file(sw->scenario_path, &pv->base, &pv->base_len, 16u << 20, &e);
    if (rc == RDSIM_ENOMEM)
        return rdsim_err_set(c->err, rc, "%s", e.msg);
    if (rc != 0)
        return fail(c, val[2]->start_mark, "scenario", "%s", e.msg);
    struct rdsim_scenario *base = NULL;
    rc = rdsim_scenario_load_buffer(sw->scenario_path, pv->base, pv->base_len, &base, &e);
    if (rc == RDSIM_ENOMEM)
        return rdsim_err_set(c->err, rc, "%s", e.msg);
    if (rc != 0)
        return fail(c, val[2]->start_mark, "scenario", "not a valid scenario: %s", e.msg);
    sw->name = strdup(val[0] ? text_of(val[0]) : base->name);
    rdsim_scenario_free(base);
    if (sw->name == NULL)
        return rdsim_err_set(c->err, RDSIM_ENOMEM, "%s: out of memory", c->file);

    if ((rc = load_seeds(c, sw, val[3])) != 0)
        return rc;
    sw->n_points = 1;
    if (val[4] && (rc = load_vary(c, sw, val[4], key[4]->start_mark)) != 0)
        return rc;
    if (val[5]) {
        if (val[5]->type != YAML_MAPPING_NODE)
            return fail(c, val[5]->start_mark, "slo", "must be a mapping with the keys of "
                        "expect: (max_writer_downtime: 60s, lost_writes: 0), got %s",
                        describe(val[5], got, sizeof got));
        sw->has_slo = true;
        pv->slo = (int)(val[5] - c->doc->nodes.start) + 1;
    }
    if ((rc = slo_text(c, sw)) != 0)
        return rc;
    if (sw->n_points * sw->n_seeds > RDSIM_SWEEP_MAX_RUNS)
        return fail(c, val[3]->start_mark, "seeds", "%zu points of %zu seeds are more than %d "
                    "runs", sw->n_points, sw->n_seeds, RDSIM_SWEEP_MAX_RUNS);

    yaml_mark_t vary_mark = key[4] ? key[4]->start_mark : zero;
    yaml_mark_t slo_mark = key[5] ? val[5]->start_mark : zero;
    for (size_t p = 0; p < sw->n_points; p++)
        if ((rc = check_point(c, sw, p, vary_mark, slo_mark)) != 0)
            return rc;
    return 0;
}

int rdsim_sweep_load_buffer(const char *path, const char *buf, size_t len,
                            struct rdsim_sweep **out, struct rdsim_err *err)
{
    struct rdsim_sweep *sw = NULL;
    yaml_parser_t parser;
    int rc;

    *out = NULL;
    if (path == NULL)
        path = "(buffer)";
    if (len > SW_MAX_FILE_BYTES)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: (yaml): larger than %u bytes", path,
                             SW_MAX_FILE_BYTES);
    if ((rc = check_stream(path, buf, len, err)) != 0)
        return rc;
    sw = calloc(1, sizeof *sw);
    if (sw == NULL || (sw->priv = calloc(1, sizeof *sw->priv)) == NULL ||
        (sw->path = strdup(path)) == NULL) {
        rdsim_sweep_free(sw);
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
    }
    if (!yaml_parser_initialize(&parser)) {
        rdsim_sweep_free(sw);
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, &sw->priv->doc)) {
        rc = yaml_fail(path, &parser, err);
        yaml_parser_delete(&parser);
        free(sw->priv);
        sw->priv = NULL;
        rdsim_sweep_free(sw);
        return rc;
    }
    yaml_parser_delete(&parser);

    struct ctx c = {.file = path, .err = err, .doc = &sw->priv->doc};
    rc = load_top(&c, sw);
    if (rc != 0) {
        rdsim_sweep_free(sw);
        return rc;
    }
    rdsim_err_clear(err);
    *out = sw;
    return 0;
}

int rdsim_sweep_load(const char *path, struct rdsim_sweep **out, struct rdsim_err *err)
{
    char *buf;
    size_t len;
    *out = NULL;
    if (path == NULL)
        return rdsim_err_set(err, RDSIM_EINVAL, "no sweep file given");
    int rc = read_file(path, &buf, &len, SW_MAX_FILE_BYTES, err);
    if (rc == 0)
        rc = rdsim_sweep_load_buffer(path, buf, len, out, err);
    free(buf);
    return rc;
}

void rdsim_sweep_free(struct rdsim_sweep *sw)
{
    if (sw == NULL)
        return;
    for (size_t a = 0; a < sw->n_axes; a++) {
        for (size_t j = 0; j < sw->axes[a].n_values; j++)
            free(sw->axes[a].labels[j]);
        free(sw->axes[a].labels);
        free(sw->axes[a].path);
    }
    if (sw->priv) {
        for (size_t a = 0; a < sw->n_axes && sw->priv->values; a++)
            free(sw->priv->values[a]);
        free(sw->priv->values);
        free(sw->priv->base);
        yaml_document_delete(&sw->priv->doc);
        free(sw->priv);
    }
    free(sw->axes);
    free(sw->seeds);
    free(sw->scenario_path);
    free(sw->description);
    free(sw->slo_text);
    free(sw->name);
    free(sw->path);
    free(sw);
}

void rdsim_sweep_point_coords(const struct rdsim_sweep *sw, size_t p, size_t *idx)
{
    for (size_t a = sw->n_axes; a-- > 0;) {
        idx[a] = p % sw->axes[a].n_values;
        p /= sw->axes[a].n_values;
    }
}
