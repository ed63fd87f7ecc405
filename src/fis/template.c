/*
 * template.c - an FIS experiment template, JSON to plain structs.
 *
 * Reads the template as `aws fis create-experiment-template --cli-input-json`
 * takes it, or as `aws fis get-experiment-template` prints it (the same
 * object inside "experimentTemplate"). Keys are AWS's and case-sensitive, as
 * FIS's API is: an unknown key is an error with a "did you mean" hint, so a
 * CloudFormation-style "Actions" or a misspelt "startafter" never passes
 * silently. Keys that only matter on AWS (roleArn, tags, logConfiguration,
 * ...) are accepted and not read. Duplicate keys are refused (jansson's
 * JSON_REJECT_DUPLICATES). Checks follow the file: each target, then each
 * action, in file order (jansson keeps objects in insertion order).
 *
 * Meaning is checked elsewhere: what an action does (fis.c), what a target
 * names (targets.c), the startAfter graph (order.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

static const char *describe(const json_t *v, char *buf, size_t size)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return rdsim_quote(json_string_value(v), buf, size);
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    default:
        return "null";
    }
}

static int must_be(struct fis_ctx *ctx, const char *path, const json_t *v,
                   const char *what)
{
    char got[96];
    return fis_fail(ctx, path, "must be %s, got %s", what, describe(v, got, sizeof got));
}

/* Every key of `obj` is in `known` (NULL-terminated); else the first that is
 * not, with a suggestion. */
static int check_keys(struct fis_ctx *ctx, const char *path, json_t *obj,
                      const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t i = 0;
        while (known[i] != NULL && strcmp(known[i], key) != 0)
            i++;
        if (known[i] != NULL)
            continue;
        char p[FIS_PATH_MAX];
        fis_path_key(p, path, key);
        const char *s = rdsim_suggest(key, known);
        if (s != NULL)
            return fis_fail(ctx, p, "unknown key; did you mean \"%s\"?", s);
        char list[512];
        size_t o = 0;
        list[0] = '\0';
        for (size_t k = 0; known[k] != NULL && o < sizeof list; k++) {
            int w = snprintf(list + o, sizeof list - o, "%s%s", k ? ", " : "", known[k]);
            o += w > 0 ? (size_t)w : 0;
        }
        return fis_fail(ctx, p, "unknown key; expected one of %s", list);
    }
    return 0;
}

static int dup_string(struct fis_ctx *ctx, const char *s, char **out)
{
    *out = strdup(s);
    return *out == NULL ? fis_nomem(ctx) : 0;
}

/* A string at obj.key into *out (left NULL when absent and optional);
 * `nonempty` refuses "". */
static int read_string(struct fis_ctx *ctx, const char *path, json_t *obj,
                       const char *key, bool required, bool nonempty, char **out)
{
    json_t *v = json_object_get(obj, key);
    char p[FIS_PATH_MAX];
    fis_path_key(p, path, key);
    if (v == NULL)
        return required ? fis_fail(ctx, path, "missing required key \"%s\"", key) : 0;
    if (!json_is_string(v))
        return must_be(ctx, p, v, "a string");
    if (nonempty && json_string_length(v) == 0)
        return fis_fail(ctx, p, "must not be empty");
    return dup_string(ctx, json_string_value(v), out);
}

/* Room for `count` items of `size` bytes (*out NULL for none), or the
 * error for too many. */
static int alloc_items(struct fis_ctx *ctx, const char *path, size_t count, size_t size,
                       void **out)
{
    *out = NULL;
    if (count > FIS_MAX_ITEMS)
        return fis_fail(ctx, path, "%zu entries, at most %d are read", count,
                        FIS_MAX_ITEMS);
    if (count > 0 && (*out = calloc(count, size)) == NULL)
        return fis_nomem(ctx);
    return 0;
}

/* An object of strings (FIS parameters, tags, action targets). */
static int read_string_map(struct fis_ctx *ctx, const char *path, json_t *v,
                           const char *what, struct fis_kv **out, size_t *n)
{
    if (!json_is_object(v))
        return must_be(ctx, path, v, what);
    int rc = alloc_items(ctx, path, json_object_size(v), sizeof **out, (void **)out);
    if (rc != 0)
        return rc;
    const char *key;
    json_t *item;
    json_object_foreach(v, key, item)
    {
        if (!json_is_string(item)) {
            char p[FIS_PATH_MAX];
            return must_be(ctx, fis_path_key(p, path, key), item,
                           "a string (FIS takes every value here as a string: \"true\", "
                           "\"PT5M\")");
        }
        struct fis_kv *kv = &(*out)[(*n)++];
        if (dup_string(ctx, key, &kv->key) != 0 ||
            dup_string(ctx, json_string_value(item), &kv->value) != 0)
            return RDSIM_ENOMEM;
    }
    return 0;
}

/* An array of strings. */
static int read_string_array(struct fis_ctx *ctx, const char *path, json_t *v,
                             char ***out, size_t *n)
{
    if (!json_is_array(v))
        return must_be(ctx, path, v, "an array of strings");
    size_t size = json_array_size(v);
    int rc = alloc_items(ctx, path, size, sizeof **out, (void **)out);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < size; i++) {
        json_t *item = json_array_get(v, i);
        char p[FIS_PATH_MAX];
        if (!json_is_string(item))
            return must_be(ctx, fis_path_index(p, path, i), item, "a string");
        if (dup_string(ctx, json_string_value(item), &(*out)[i]) != 0)
            return RDSIM_ENOMEM;
        *n = i + 1;
    }
    return 0;
}

/* "ALL", "COUNT(n)", "PERCENT(n)" with a whole n: 1 and up, at most 100 for
 * a percentage. */
static int read_selection(struct fis_ctx *ctx, const char *path, struct fis_target *t)
{
    const char *s = t->selection;
    const char *arg = NULL;
    if (strcmp(s, "ALL") == 0) {
        t->sel = FIS_SELECT_ALL;
        return 0;
    }
    if (strncmp(s, "COUNT(", 6) == 0) {
        t->sel = FIS_SELECT_COUNT;
        arg = s + 6;
    } else if (strncmp(s, "PERCENT(", 8) == 0) {
        t->sel = FIS_SELECT_PERCENT;
        arg = s + 8;
    }
    long n = 0;
    const char *p = arg;
    while (p != NULL && *p >= '0' && *p <= '9' && n <= 1000000)
        n = n * 10 + (*p++ - '0');
    char q[96];
    if (arg == NULL || p == arg || strcmp(p, ")") != 0 || n < 1 ||
        (t->sel == FIS_SELECT_PERCENT && n > 100) || n > 1000000)
        return fis_fail(ctx, path,
                        "must be ALL, COUNT(n) with n >= 1 or PERCENT(n) with n in "
                        "1..100, got %s",
                        rdsim_quote(s, q, sizeof q));
    t->sel_n = n;
    return 0;
}

static int read_filters(struct fis_ctx *ctx, const char *path, json_t *v,
                        struct fis_target *t)
{
    static const char *const keys[] = {"path", "values", NULL};
    static const char what[] =
        "a filter ({\"path\": \"AvailabilityZone\", \"values\": [...]})";
    if (!json_is_array(v))
        return must_be(ctx, path, v, "an array of filters");
    size_t size = json_array_size(v);
    t->has_filters = true;
    int rc = alloc_items(ctx, path, size, sizeof *t->filters, (void **)&t->filters);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < size; i++) {
        json_t *f = json_array_get(v, i);
        char p[FIS_PATH_MAX], pv[FIS_PATH_MAX];
        fis_path_index(p, path, i);
        if (!json_is_object(f))
            return must_be(ctx, p, f, what);
        struct fis_filter *flt = &t->filters[i];
        t->n_filters = i + 1;
        rc = check_keys(ctx, p, f, keys);
        if (rc == 0)
            rc = read_string(ctx, p, f, "path", true, true, &flt->path);
        if (rc == 0 && json_object_get(f, "values") == NULL)
            rc = fis_fail(ctx, p, "missing required key \"values\"");
        fis_path_key(pv, p, "values");
        if (rc == 0)
            rc = read_string_array(ctx, pv, json_object_get(f, "values"), &flt->values,
                                   &flt->n_values);
        if (rc == 0 && flt->n_values == 0)
            rc = fis_fail(ctx, pv, "must list at least one value");
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int read_target(struct fis_ctx *ctx, const char *path, json_t *v,
                       struct fis_target *t)
{
    static const char *const keys[] = {"resourceType",
                                       "resourceArns",
                                       "resourceTags",
                                       "parameters",
                                       "filters",
                                       "selectionMode",
                                       NULL};
    char p[FIS_PATH_MAX];
    if (!json_is_object(v))
        return must_be(ctx, path, v, "an object with resourceType and selectionMode");
    int rc = check_keys(ctx, path, v, keys);
    if (rc == 0)
        rc = read_string(ctx, path, v, "resourceType", true, true, &t->resource_type);
    if (rc == 0)
        rc = read_string(ctx, path, v, "selectionMode", true, true, &t->selection);
    json_t *arns = json_object_get(v, "resourceArns"),
           *tags = json_object_get(v, "resourceTags");
    json_t *params = json_object_get(v, "parameters"),
           *filters = json_object_get(v, "filters");
    t->has_arns = arns != NULL;
    t->has_tags = tags != NULL;
    if (rc == 0 && arns != NULL)
        rc = read_string_array(ctx, fis_path_key(p, path, "resourceArns"), arns, &t->arns,
                               &t->n_arns);
    if (rc == 0 && tags != NULL)
        rc = read_string_map(ctx, fis_path_key(p, path, "resourceTags"), tags,
                             "an object of tag keys and values", &t->tags, &t->n_tags);
    if (rc == 0 && params != NULL)
        rc = read_string_map(ctx, fis_path_key(p, path, "parameters"), params,
                             "an object of parameters", &t->params, &t->n_params);
    if (rc == 0 && filters != NULL)
        rc = read_filters(ctx, fis_path_key(p, path, "filters"), filters, t);
    if (rc == 0)
        rc = read_selection(ctx, fis_path_key(p, path, "selectionMode"), t);
    return rc;
}

static int read_action(struct fis_ctx *ctx, const char *path, json_t *v,
                       struct fis_action *a)
{
    static const char *const keys[] = {"actionId", "description", "parameters",
                                       "targets",  "startAfter",  NULL};
    char p[FIS_PATH_MAX];
    if (!json_is_object(v))
        return must_be(ctx, path, v, "an object with actionId");
    int rc = check_keys(ctx, path, v, keys);
    if (rc == 0)
        rc = read_string(ctx, path, v, "actionId", true, true, &a->action_id);
    if (rc == 0)
        rc = read_string(ctx, path, v, "description", false, false, &a->description);
    json_t *params = json_object_get(v, "parameters"),
           *targets = json_object_get(v, "targets");
    json_t *after = json_object_get(v, "startAfter");
    if (rc == 0 && params != NULL)
        rc = read_string_map(ctx, fis_path_key(p, path, "parameters"), params,
                             "an object of parameters", &a->params, &a->n_params);
    if (rc == 0 && targets != NULL)
        rc = read_string_map(ctx, fis_path_key(p, path, "targets"), targets,
                             "an object of resource types and target names "
                             "({\"DBInstances\": \"MyTarget\"})",
                             &a->targets, &a->n_targets);
    if (rc == 0 && after != NULL)
        rc = read_string_array(ctx, fis_path_key(p, path, "startAfter"), after,
                               &a->start_after, &a->n_start_after);
    return rc;
}


/* The members of the object obj.key, each read by one(ctx, name, path, value,
 * i) into element i of an array of *n elements `size` bytes each. */
static int read_named(struct fis_ctx *ctx, const char *base, json_t *obj, const char *key,
                      void **items, size_t *n, size_t size,
                      int (*one)(struct fis_ctx *, const char *, const char *, json_t *,
                                 void *))
{
    json_t *v = json_object_get(obj, key);
    char path[FIS_PATH_MAX];
    fis_path_key(path, base, key);
    if (!json_is_object(v))
        return must_be(ctx, path, v, "an object of named entries");
    int rc = alloc_items(ctx, path, json_object_size(v), size, items);
    if (rc != 0)
        return rc;
    const char *name;
    json_t *item;
    json_object_foreach(v, name, item)
    {
        void *slot = (char *)*items + *n * size;
        (*n)++;
        if (name[0] == '\0')
            return fis_fail(ctx, path, "a name must not be empty");
        char p[FIS_PATH_MAX];
        rc = one(ctx, name, fis_path_key(p, path, name), item, slot);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int one_target(struct fis_ctx *ctx, const char *name, const char *path, json_t *v,
                      void *item)
{
    struct fis_target *t = item;
    if ((t->name = strdup(name)) == NULL || (t->path = strdup(path)) == NULL)
        return fis_nomem(ctx);
    return read_target(ctx, path, v, t);
}

static int one_action(struct fis_ctx *ctx, const char *name, const char *path, json_t *v,
                      void *item)
{
    struct fis_action *a = item;
    if ((a->name = strdup(name)) == NULL || (a->path = strdup(path)) == NULL)
        return fis_nomem(ctx);
    return read_action(ctx, path, v, a);
}

static int read_stops(struct fis_ctx *ctx, const char *base, json_t *v,
                      struct fis_template *t)
{
    static const char *const keys[] = {"source", "value", NULL};
    char path[FIS_PATH_MAX];
    fis_path_key(path, base, "stopConditions");
    if (!json_is_array(v))
        return must_be(ctx, path, v,
                       "an array of stop conditions ({\"source\": \"none\"})");
    size_t size = json_array_size(v);
    int rc = alloc_items(ctx, path, size, sizeof *t->stops, (void **)&t->stops);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < size; i++) {
        json_t *s = json_array_get(v, i);
        char p[FIS_PATH_MAX], ps[FIS_PATH_MAX], q[96];
        fis_path_index(p, path, i);
        t->n_stops = i + 1;
        struct fis_stop *stop = &t->stops[i];
        if (!json_is_object(s))
            return must_be(ctx, p, s,
                           "a stop condition ({\"source\": ..., \"value\": ...})");
        rc = check_keys(ctx, p, s, keys);
        if (rc == 0)
            rc = read_string(ctx, p, s, "source", true, true, &stop->source);
        if (rc == 0)
            rc = read_string(ctx, p, s, "value", false, true, &stop->value);
        if (rc != 0)
            return rc;
        bool alarm = strcmp(stop->source, "aws:cloudwatch:alarm") == 0;
        if (!alarm && strcmp(stop->source, "none") != 0)
            return fis_fail(ctx, fis_path_key(ps, p, "source"),
                            "must be \"none\" or \"aws:cloudwatch:alarm\", got %s",
                            rdsim_quote(stop->source, q, sizeof q));
        if (alarm && stop->value == NULL)
            return fis_fail(ctx, p,
                            "an aws:cloudwatch:alarm stop condition needs \"value\": "
                            "the alarm's ARN");
    }
    return 0;
}

static int read_options(struct fis_ctx *ctx, const char *base, json_t *v,
                        struct fis_template *t)
{
    static const char *const keys[] = {"accountTargeting", "emptyTargetResolutionMode",
                                       "actionsMode", NULL};
    static const char *const values[][2] = {
        {"single-account", "multi-account"},
        {"fail", "skip"},
        {"run-all", "skip-all"},
    };
    char path[FIS_PATH_MAX];
    fis_path_key(path, base, "experimentOptions");
    if (!json_is_object(v))
        return must_be(ctx, path, v, "an object");
    int rc = check_keys(ctx, path, v, keys);
    for (size_t k = 0; rc == 0 && keys[k] != NULL; k++) {
        json_t *o = json_object_get(v, keys[k]);
        if (o == NULL)
            continue;
        const char *s = json_is_string(o) ? json_string_value(o) : "";
        char p[FIS_PATH_MAX], want[64];
        fis_path_key(p, path, keys[k]);
        snprintf(want, sizeof want, "\"%s\" or \"%s\"", values[k][0], values[k][1]);
        if (strcmp(s, values[k][0]) != 0 && strcmp(s, values[k][1]) != 0)
            return must_be(ctx, p, o, want);
        if (k == 1)
            t->empty_target_skip = strcmp(s, "skip") == 0;
        if (k == 2)
            t->skip_all = strcmp(s, "skip-all") == 0;
    }
    return rc;
}

int fis_template_read(struct fis_ctx *ctx, const char *text, size_t len,
                      struct fis_template *t)
{
    /* The create-experiment-template input, and what get-experiment-template
     * adds around it. */
    static const char *const keys[] = {"description",
                                       "targets",
                                       "actions",
                                       "stopConditions",
                                       "roleArn",
                                       "tags",
                                       "logConfiguration",
                                       "experimentOptions",
                                       "experimentReportConfiguration",
                                       "clientToken",
                                       "id",
                                       "arn",
                                       "creationTime",
                                       "lastUpdateTime",
                                       "targetAccountConfigurationsCount",
                                       NULL};
    json_error_t jerr;
    char p[FIS_PATH_MAX];
    int rc = 0;

    memset(t, 0, sizeof *t);
    if (len > FIS_MAX_FILE_BYTES)
        return rdsim_err_set(ctx->err, RDSIM_EINVAL,
                             "%s: larger than %u MiB; not a template", ctx->file,
                             FIS_MAX_FILE_BYTES >> 20);
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        char why[4 * sizeof jerr.text];
        return rdsim_err_set(ctx->err, RDSIM_EINVAL, "%s:%d:%d: (json): %s", ctx->file,
                             jerr.line > 0 ? jerr.line : 1, jerr.column > 0 ? jerr.column : 1,
                             fis_one_line(jerr.text, why, sizeof why));
    }
    json_t *tpl = root;
    const char *base = "";
    if (json_is_object(root) && json_object_size(root) == 1 &&
        json_object_get(root, "experimentTemplate") != NULL) {
        tpl = json_object_get(root, "experimentTemplate");
        base = "experimentTemplate";
    }
    const char *where = base; /* "" reads "(top level)" in messages */
    json_t *opts = json_object_get(tpl, "experimentOptions");
    json_t *stops = json_object_get(tpl, "stopConditions");
    if (!json_is_object(tpl))
        rc = must_be(ctx, where, tpl,
                     "an experiment template object (targets, actions, stopConditions)");
    if (rc == 0)
        rc = check_keys(ctx, where, tpl, keys);
    if (rc == 0 && json_object_get(tpl, "actions") == NULL)
        rc = fis_fail(ctx, where, "missing required key \"actions\"");
    if (rc == 0)
        rc = read_string(ctx, base, tpl, "id", false, true, &t->id);
    if (rc == 0)
        rc = read_string(ctx, base, tpl, "description", false, false, &t->description);
    if (rc == 0 && opts != NULL)
        rc = read_options(ctx, base, opts, t);
    if (rc == 0 && json_object_get(tpl, "targets") != NULL)
        rc = read_named(ctx, base, tpl, "targets", (void **)&t->targets, &t->n_targets,
                        sizeof *t->targets, one_target);
    if (rc == 0)
        rc = read_named(ctx, base, tpl, "actions", (void **)&t->actions, &t->n_actions,
                        sizeof *t->actions, one_action);
    if (rc == 0 && t->n_actions == 0)
        rc = fis_fail(ctx, fis_path_key(p, base, "actions"),
                      "an experiment needs at least one action");
    if (rc == 0 && stops != NULL)
        rc = read_stops(ctx, base, stops, t);
    json_decref(root);
    return rc;
}

static void free_kv(struct fis_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

void fis_template_clear(struct fis_template *t)
{
    for (size_t i = 0; i < t->n_targets; i++) {
        struct fis_target *g = &t->targets[i];
        free(g->name);
        free(g->path);
        free(g->resource_type);
        free_strings(g->arns, g->n_arns);
        free_kv(g->tags, g->n_tags);
        free_kv(g->params, g->n_params);
        for (size_t f = 0; f < g->n_filters; f++) {
            free(g->filters[f].path);
            free_strings(g->filters[f].values, g->filters[f].n_values);
        }
        free(g->filters);
        free(g->selection);
        free(g->picked);
        free(g->azs);
        free(g->note);
    }
    free(t->targets);
    for (size_t i = 0; i < t->n_actions; i++) {
        struct fis_action *a = &t->actions[i];
        free(a->name);
        free(a->path);
        free(a->action_id);
        free(a->description);
        free_kv(a->params, a->n_params);
        free_kv(a->targets, a->n_targets);
        free_strings(a->start_after, a->n_start_after);
        free(a->scope);
        free(a->why_skipped);
    }
    free(t->actions);
    for (size_t i = 0; i < t->n_stops; i++) {
        free(t->stops[i].source);
        free(t->stops[i].value);
    }
    free(t->stops);
    free(t->id);
    free(t->description);
    memset(t, 0, sizeof *t);
}

const char *fis_param(const struct fis_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}
