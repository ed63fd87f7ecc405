/*
 * load.c - the loader's entry points: from file or buffer to a libyaml
 * document, then to a validated scenario through the sections (sections.c,
 * events.c), which read every node through the typed readers (read.c). The
 * chain runs one way: load.c -> sections.c, events.c -> read.c.
 *
 * The whole stream is parsed before anything is validated, so a syntax
 * error, a second document or nesting beyond SC_MAX_DEPTH anywhere in the
 * file is reported before any rule. Problems with the file itself
 * (unreadable, empty, syntax, several documents) use the path "(yaml)",
 * after FILE alone when there is no position (read.c's opening comment
 * has the conventions of every other message).
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A scenario is a page of YAML; anything this big is not one. */
#define SC_MAX_FILE_BYTES (16u * 1024u * 1024u)
#define SC_MAX_NAME 63
/* The format nests 4 deep (top, cluster, instances, an instance). */
#define SC_MAX_DEPTH 20

/* ---- the file ----------------------------------------------------------- */

/* 1-based line and column of a byte offset, for reader errors that carry
 * only an offset (invalid UTF-8, control characters). */
static void offset_to_line_col(const char *buf, size_t len, size_t off, size_t *line,
                               size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static int yaml_error(const char *file, const yaml_parser_t *p, const char *buf, size_t len,
                      struct rdsim_err *err)
{
    if (p->error == YAML_MEMORY_ERROR)
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", file);
    const char *problem = p->problem != NULL ? p->problem : "malformed YAML";
    size_t line, col;
    if (p->error == YAML_READER_ERROR) {
        offset_to_line_col(buf, len, p->problem_offset, &line, &col);
        if (p->problem_value != -1)
            return rdsim_err_set(err, RDSIM_EINVAL, "%s:%zu:%zu: (yaml): %s (byte 0x%02x)", file,
                                 line, col, problem, (unsigned)p->problem_value & 0xffu);
        return rdsim_err_set(err, RDSIM_EINVAL, "%s:%zu:%zu: (yaml): %s", file, line, col,
                             problem);
    }
    line = p->problem_mark.line + 1;
    col = p->problem_mark.column + 1;
    char hint[256], ctx[128] = "";
    if (p->context != NULL)
        snprintf(ctx, sizeof ctx, " (%s at line %zu)", p->context,
                 p->context_mark.line + 1);
    if (sc_yaml_hint(p, buf, len, hint, sizeof hint) > 0)
        return rdsim_err_set(err, RDSIM_EINVAL,
                             "%s:%zu:%zu: (yaml): %s%s; likely cause: %s", file, line,
                             col, problem, ctx, hint);
    return rdsim_err_set(err, RDSIM_EINVAL, "%s:%zu:%zu: (yaml): %s%s", file, line, col,
                         problem, ctx);
}

/*
 * A first pass over the stream's events: syntax errors, nesting depth and
 * a second document, each reported before the document is built. libyaml
 * spends time proportional to the depth on every token, so a hostile
 * "[[[[..." would take minutes to load; stopping at SC_MAX_DEPTH keeps
 * every file fast.
 */
static int check_stream(const char *path, const char *buf, size_t len, struct rdsim_err *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int depth = 0, docs = 0, rc = 0;
    if (!yaml_parser_initialize(&p))
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    for (;;) {
        if (!yaml_parser_parse(&p, &ev)) {
            rc = yaml_error(path, &p, buf, len, err);
            break;
        }
        yaml_event_type_t type = ev.type;
        yaml_mark_t mark = ev.start_mark;
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT)
            break;
        if (type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            rc = rdsim_err_set(err, RDSIM_EINVAL, "%s:%zu:%zu: (yaml): a second YAML document "
                               "starts here; a scenario file holds exactly one", path,
                               mark.line + 1, mark.column + 1);
            break;
        }
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > SC_MAX_DEPTH) {
                rc = rdsim_err_set(err, RDSIM_EINVAL, "%s:%zu:%zu: (yaml): nested more than %d "
                                   "levels deep; a scenario needs at most 4", path, mark.line + 1,
                                   mark.column + 1, SC_MAX_DEPTH);
                break;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
    }
    yaml_parser_delete(&p);
    return rc;
}

/* Parse buf into *doc (the caller deletes it on success): size, syntax,
 * depth and document count are checked here, before any rule. */
static int load_document(const char *path, const char *buf, size_t len, yaml_document_t *doc,
                         struct rdsim_err *err)
{
    yaml_parser_t parser;
    int rc;

    if (len > SC_MAX_FILE_BYTES)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: (yaml): %zu bytes is too large for a "
                             "scenario (at most %u)", path, len, SC_MAX_FILE_BYTES);
    rc = check_stream(path, buf, len, err);
    if (rc != 0)
        return rc;
    if (!yaml_parser_initialize(&parser))
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, doc))
        rc = yaml_error(path, &parser, buf, len, err);
    yaml_parser_delete(&parser);
    return rc;
}

int rdsim_scenario_load_buffer(const char *path, const char *buf, size_t len,
                               struct rdsim_scenario **out, struct rdsim_err *err)
{
    yaml_document_t doc;
    struct rdsim_scenario *sc = NULL;
    int rc;

    *out = NULL;
    if (path == NULL)
        path = "(buffer)";
    if (buf == NULL && len > 0)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: no buffer", path);
    if (buf == NULL)
        buf = "";
    rc = load_document(path, buf, len, &doc, err);
    if (rc != 0)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root == NULL) {
        rc = rdsim_err_set(err, RDSIM_EINVAL, "%s:1:1: (yaml): the file is empty; expected a "
                           "mapping with at least name, duration and cluster", path);
        goto cleanup;
    }

    sc = calloc(1, sizeof *sc);
    if (sc == NULL || (sc->path = strdup(path)) == NULL) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
        goto cleanup;
    }
    struct sc_ctx ctx = {.file = path, .err = err, .doc = &doc, .sc = sc};
    ctx.path[0] = '\0';
    rc = sc_load_top(&ctx, root);
    if (rc != 0)
        goto cleanup;
    *out = sc;
    sc = NULL;
    rdsim_err_clear(err);

cleanup:
    rdsim_scenario_free(sc);
    yaml_document_delete(&doc);
    return rc;
}

int rdsim_scenario_parse_event(const struct rdsim_scenario *sc, const char *source,
                               const char *text, size_t len, struct rdsim_event_cfg *out,
                               struct rdsim_err *err)
{
    yaml_document_t doc;
    int rc;

    memset(out, 0, sizeof *out);
    if (source == NULL)
        source = "(event)";
    if (text == NULL)
        text = "";
    rc = load_document(source, text, len, &doc, err);
    if (rc != 0)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root == NULL) {
        rc = rdsim_err_set(err, RDSIM_EINVAL, "%s:1:1: (yaml): empty; expected a mapping with "
                           "action and the action's keys", source);
    } else {
        /* The readers take the scenario for its topology, cluster and
         * duration only; nothing is written to it. */
        struct sc_ctx ctx = {.file = source, .err = err, .doc = &doc,
                             .sc = (struct rdsim_scenario *)sc, .live = true};
        ctx.path[0] = '\0';
        rc = sc_load_event(&ctx, root, out);
        if (rc != 0)
            rdsim_event_clear(out);
        else
            rdsim_err_clear(err);
    }
    yaml_document_delete(&doc);
    return rc;
}

int rdsim_scenario_load(const char *path, struct rdsim_scenario **out, struct rdsim_err *err)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;
    *out = NULL;
    if (path == NULL)
        return rdsim_err_set(err, RDSIM_EINVAL, "no scenario path given");
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        goto io_error;
    for (;;) {
        if (len == cap) {
            if (cap >= SC_MAX_FILE_BYTES + 1)
                break; /* enough to know it is too large */
            size_t ncap = cap == 0 ? 4096 : cap * 2;
            char *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                rc = rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
                goto cleanup;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                goto io_error;
            break;
        }
    }
    rc = rdsim_scenario_load_buffer(path, buf, len, out, err);
    goto cleanup;

io_error: {
    char reason[128];
    int e = errno;
    if (strerror_r(e, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", e);
    rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot read: %s", path, reason);
}
cleanup:
    if (f != NULL)
        fclose(f);
    free(buf);
    return rc;
}
