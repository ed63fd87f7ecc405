/*
 * write.c - the scenario rdsim fis writes.
 *
 * Three parts: comments saying where the file came from and what each
 * template action became (or why it was dropped); the scenario's own YAML
 * (a libyaml document, so every key the user wrote stays, comments do not)
 * with its description and events replaced; and, when the template has
 * CloudWatch-alarm stop conditions, a comment saying that they cannot be
 * evaluated offline and offering the nearest expect:.
 *
 * Everything written depends only on the template, the scenario and their
 * base names, never on the folders they were read from, so the same inputs
 * give the same bytes anywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "internal.h"

/* s on one line, for a comment or the description: what YAML does not
 * allow in a file (C0 and C1 control characters, U+FFFE, U+FFFF) and line
 * breaks and tabs become spaces, and the text is cut at size - 1. s is valid
 * UTF-8 (jansson checks), so a character is never cut in two but at the end. */
static const char *one_line(const char *s, char *buf, size_t size)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    while (*p != '\0' && o + 1 < size) {
        if (*p < 0x20 || *p == 0x7f) {
            buf[o++] = ' ';
            p++;
        } else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            buf[o++] = ' ';
            p += 2;
        } else if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
            buf[o++] = ' ';
            p += 3;
        } else {
            buf[o++] = (char)*p++;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* Write `text` as comment lines "# " + indent, wrapped at 78 columns. */
static void comment(FILE *f, const char *indent, const char *text)
{
    const size_t width = 78;
    char clean[2 * RDSIM_ERR_MSG_MAX];
    size_t col = 0;
    const char *p = one_line(text, clean, sizeof clean);
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == 0)
            break;
        if (col > 0 && col + 1 + w > width) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0)
            col = (size_t)fprintf(f, "# %s", indent);
        else
            col += (size_t)fprintf(f, " ");
        col += fwrite(p, 1, w, f);
        p += w;
    }
    if (col > 0)
        fputc('\n', f);
}


static const char *deployment_limit(enum rdsim_deployment d, const char **source)
{
    switch (d) {
    case RDSIM_DEPLOY_MULTI_AZ_INSTANCE:
        *source =
            "a Multi-AZ DB instance fails over \"typically within one to two minutes\"";
        return "120s";
    case RDSIM_DEPLOY_MULTI_AZ_CLUSTER:
        *source = "a Multi-AZ DB cluster fails over in \"typically under 35 seconds\"";
        return "35s";
    case RDSIM_DEPLOY_AURORA:
        *source = "Aurora restores service \"typically in less than 60 seconds\"";
        return "60s";
    default:
        *source = NULL;
        return NULL;
    }
}

static void header(FILE *f, const struct fis_template *t, const struct rdsim_scenario *sc,
                   const char *template_name, const char *scenario_name)
{
    char line[2048], at[32], end[32], q[600], what[700] = "";
    if (t->id != NULL || t->description != NULL)
        snprintf(what, sizeof what, " (%s%s%s%s%s)", t->id ? t->id : "",
                 t->id && t->description ? ": " : "", t->description ? "\"" : "",
                 t->description ? one_line(t->description, q, sizeof q) : "",
                 t->description ? "\"" : "");
    snprintf(line, sizeof line,
             "Written by rdsim fis from the AWS FIS experiment template %s%s "
             "and the cluster, workload and clients of %s. Replay it with "
             "rdsim run on this file (rdsim run --fis %s %s does both steps).",
             template_name, what, scenario_name, template_name, scenario_name);
    comment(f, "", line);
    fputs("#\n", f);
    comment(f, "",
            "The template's actions, as their startAfter graph runs them (FIS starts an "
            "action once those it starts after have completed):");
    for (size_t i = 0; i < t->n_actions; i++) {
        const struct fis_action *a = &t->actions[i];
        rdsim_format_duration(a->start, at, sizeof at);
        rdsim_format_duration(a->end, end, sizeof end);
        if (a->end > a->start)
            snprintf(line, sizeof line, "%s (%s): from %s to %s", a->name, a->action_id,
                     at, end);
        else
            snprintf(line, sizeof line, "%s (%s): at %s", a->name, a->action_id, at);
        comment(f, "  ", line);
        if (a->skipped) {
            comment(f, "    ", a->why_skipped ? a->why_skipped : "skipped");
            continue;
        }
        if (a->target != NULL && a->target->note != NULL) {
            snprintf(line, sizeof line, "%s: %s", a->target->path, a->target->note);
            comment(f, "    ", line);
        }
        if (a->kind == FIS_ACT_WAIT)
            comment(f, "    ", "waits: no event");
        else if (a->n_events > 0)
            comment(f, "    ",
                    a->n_events == 1 ? "becomes the event below at that time"
                                     : "becomes one event per resource below, at "
                                       "that time");
        if (a->kind == FIS_ACT_DISRUPT)
            comment(f, "    ",
                    strcmp(a->scope, "all") == 0
                        ? "scope all: nothing enters or leaves those subnets, so "
                          "their AZ is lost to the cluster and its clients "
                          "(az-outage)"
                        : "scope availability-zone: those subnets lose the other AZs; "
                          "rdsim's clients are in no AZ, so the AZ is lost to them "
                          "and to the other instances alike (az-outage)");
    }
    if (t->n_actions == 0)
        comment(f, "  ", "(none)");
    (void)sc;
    fputs("#\n", f);
}

static void stop_conditions(FILE *f, const struct fis_template *t,
                            const struct rdsim_scenario *sc, const char *scenario_name)
{
    size_t alarms = 0;
    for (size_t i = 0; i < t->n_stops; i++)
        alarms += strcmp(t->stops[i].source, "aws:cloudwatch:alarm") == 0;
    if (t->n_stops == 0)
        return;
    fputs("\n", f);
    if (alarms == 0) {
        comment(f, "",
                "Stop conditions: none (source \"none\"): nothing stops the experiment "
                "early, as on AWS.");
        return;
    }
    comment(f, "",
            "Stop conditions: FIS stops this experiment as soon as one of these "
            "CloudWatch alarms is in the ALARM state:");
    for (size_t i = 0; i < t->n_stops; i++)
        if (strcmp(t->stops[i].source, "aws:cloudwatch:alarm") == 0)
            comment(f, "  ", t->stops[i].value);
    comment(f, "",
            "rdsim runs offline and cannot evaluate a CloudWatch alarm: its metric, "
            "statistic, period and threshold live in CloudWatch, not in the template, "
            "and rdsim publishes no metrics. The run goes to the end; its verdict is the "
            "scenario's expect: (exit status 3 when one fails). The nearest "
            "expectations: an alarm on writer errors or failed connections maps to "
            "max_writer_downtime or min_availability.writer, one on data loss to "
            "lost_writes.");
    const char *source;
    const char *limit = deployment_limit(sc->cluster.deployment, &source);
    char line[512];
    if (!rdsim_expect_cfg_is_empty(&sc->expect)) {
        snprintf(line, sizeof line,
                 "The expect: above comes from %s and is this run's verdict; "
                 "for example, limits that an alarm might stand for:",
                 scenario_name);
        comment(f, "", line);
    } else {
        comment(f, "",
                "For example (uncomment, and set the limits your alarms stand for):");
    }
    if (limit != NULL) {
        snprintf(line, sizeof line, "(AWS: %s)", source);
        comment(f, "", line);
    }
    fputs("# expect:\n", f);
    if (limit != NULL)
        fprintf(f, "#   max_writer_downtime: %s\n", limit);
    fputs("#   lost_writes: 0\n", f);
}

/* ---- the YAML document -------------------------------------------------- */

static int add_scalar(yaml_document_t *doc, const char *text, yaml_scalar_style_t style)
{
    return yaml_document_add_scalar(doc, NULL, (yaml_char_t *)text, (int)strlen(text),
                                    style);
}

static int add_pair(yaml_document_t *doc, int map, const char *key, int value)
{
    int k = add_scalar(doc, key, YAML_PLAIN_SCALAR_STYLE);
    return k && value && yaml_document_append_mapping_pair(doc, map, k, value);
}

static int events_node(yaml_document_t *doc, const struct fis_event *ev, size_t n)
{
    int seq = yaml_document_add_sequence(
        doc, NULL, n ? YAML_BLOCK_SEQUENCE_STYLE : YAML_FLOW_SEQUENCE_STYLE);
    for (size_t i = 0; seq && i < n; i++) {
        char at[32], len[32];
        int map = yaml_document_add_mapping(doc, NULL, YAML_FLOW_MAPPING_STYLE);
        rdsim_format_duration(ev[i].at, at, sizeof at);
        bool ok =
            map &&
            add_pair(doc, map, "at", add_scalar(doc, at, YAML_PLAIN_SCALAR_STYLE)) &&
            add_pair(doc, map, "action",
                     add_scalar(doc, rdsim_action_name(ev[i].action),
                                YAML_PLAIN_SCALAR_STYLE));
        if (ok && ev[i].action == RDSIM_ACT_REBOOT) {
            ok = add_pair(doc, map, "target",
                          add_scalar(doc, ev[i].target, YAML_PLAIN_SCALAR_STYLE));
            if (ok && ev[i].failover)
                ok = add_pair(doc, map, "failover",
                              add_scalar(doc, "true", YAML_PLAIN_SCALAR_STYLE));
        }
        if (ok && ev[i].action == RDSIM_ACT_AZ_OUTAGE) {
            rdsim_format_duration(ev[i].for_, len, sizeof len);
            ok = add_pair(doc, map, "az",
                          add_scalar(doc, ev[i].az, YAML_PLAIN_SCALAR_STYLE)) &&
                 add_pair(doc, map, "for", add_scalar(doc, len, YAML_PLAIN_SCALAR_STYLE));
        }
        if (!ok || !yaml_document_append_sequence_item(doc, seq, map))
            return 0;
    }
    return seq;
}

static bool key_is(yaml_document_t *doc, const yaml_node_pair_t *p, const char *name)
{
    yaml_node_t *k = yaml_document_get_node(doc, p->key);
    return k != NULL && k->type == YAML_SCALAR_NODE &&
           k->data.scalar.length == strlen(name) &&
           memcmp(k->data.scalar.value, name, k->data.scalar.length) == 0;
}

/* Rebuild the root mapping's pairs: the description after the name, the
 * events where the scenario had them (else before expect, else last). */
static int rebuild_root(yaml_document_t *doc, int description, int events)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    size_t n = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
    yaml_node_pair_t *old = malloc((n ? n : 1) * sizeof *old);
    if (old == NULL)
        return 0;
    memcpy(old, root->data.mapping.pairs.start, n * sizeof *old);
    root->data.mapping.pairs.top = root->data.mapping.pairs.start;
    bool events_done = false;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        if (key_is(doc, &old[i], "description"))
            continue;
        if (key_is(doc, &old[i], "events")) {
            ok = add_pair(doc, 1, "events", events);
            events_done = true;
            continue;
        }
        if (key_is(doc, &old[i], "expect") && !events_done) {
            ok = add_pair(doc, 1, "events", events);
            events_done = true;
        }
        /* The root is node 1; append_mapping_pair looks it up afresh, as
         * adding nodes may move the node array. */
        ok = ok && yaml_document_append_mapping_pair(doc, 1, old[i].key, old[i].value);
        if (ok && key_is(doc, &old[i], "name"))
            ok = add_pair(doc, 1, "description", description);
    }
    if (ok && !events_done)
        ok = add_pair(doc, 1, "events", events);
    free(old);
    return ok;
}

static int write_out(void *data, unsigned char *buffer, size_t size)
{
    return fwrite(buffer, 1, size, data) == size;
}

int fis_write(struct fis_ctx *ctx, const struct fis_template *t,
              const struct rdsim_scenario *sc, const char *template_name,
              const char *scenario_text, size_t scenario_len,
              const struct fis_event *events, size_t n_events, char **out,
              size_t *out_len)
{
    const char *scenario_name = fis_base_name(sc->path);
    yaml_parser_t parser;
    yaml_emitter_t emitter;
    yaml_document_t doc;
    bool have_doc = false, have_emitter = false;
    char *buf = NULL;
    size_t len = 0;
    int rc = 0;

    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return fis_nomem(ctx);
    header(f, t, sc, template_name, scenario_name);
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        free(buf);
        return fis_nomem(ctx);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)scenario_text,
                                 scenario_len);
    /* The scenario loaded, so its text parses into one mapping. */
    if (!yaml_parser_load(&parser, &doc) || yaml_document_get_root_node(&doc) == NULL) {
        rc = rdsim_err_set(ctx->err, RDSIM_EINTERNAL,
                           "%s: the scenario's YAML does not parse "
                           "again",
                           scenario_name);
        goto out;
    }
    have_doc = true;

    char description[2048], q[600];
    snprintf(
        description, sizeof description,
        "The AWS FIS experiment template %s%s%s%s replayed on the cluster, workload and "
        "clients of %s.%s%s",
        template_name, t->description ? " (\"" : "",
        t->description ? one_line(t->description, q, sizeof q) : "",
        t->description ? "\")" : "", scenario_name,
        n_events ? "" : " No action of the template became an event.",
        " See the comments at the top of the file for what each action became.");
    int desc = add_scalar(&doc, description, YAML_ANY_SCALAR_STYLE);
    int evs = events_node(&doc, events, n_events);
    if (!desc || !evs || !rebuild_root(&doc, desc, evs)) {
        rc = fis_nomem(ctx);
        goto out;
    }
    if (doc.version_directive == NULL &&
        doc.tag_directives.start == doc.tag_directives.end) {
        doc.start_implicit = 1;
        doc.end_implicit = 1;
    }
    if (!yaml_emitter_initialize(&emitter)) {
        rc = fis_nomem(ctx);
        goto out;
    }
    have_emitter = true;
    fflush(f);
    yaml_emitter_set_output(&emitter, write_out, f);
    yaml_emitter_set_unicode(&emitter, 1);
    yaml_emitter_set_width(&emitter, 100);
    have_doc = false; /* dump takes the document, even when it fails */
    if (!yaml_emitter_open(&emitter) || !yaml_emitter_dump(&emitter, &doc) ||
        !yaml_emitter_close(&emitter) || !yaml_emitter_flush(&emitter)) {
        rc = rdsim_err_set(ctx->err, RDSIM_ENOMEM, "%s: cannot write YAML: %s", ctx->file,
                           emitter.problem ? emitter.problem : "out of memory");
        goto out;
    }
    stop_conditions(f, t, sc, scenario_name);
out:
    if (have_emitter)
        yaml_emitter_delete(&emitter);
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (fclose(f) != 0 && rc == 0)
        rc = fis_nomem(ctx);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return 0;
}
