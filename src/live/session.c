/*
 * session.c - a live session written back as a scenario file.
 *
 * The scenario file as loaded (a libyaml document: every key the user wrote
 * stays, comments do not) with each injected action appended to `events:`
 * as a mapping: `at:` first, then the keys of the accepted request in their
 * order. Strings are written double-quoted, numbers and booleans plain, the
 * same styles the request had as JSON, so the loader reads exactly what
 * rdsim_scenario_parse_event accepted. No libevent here.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "rdsim/yaml_text.h"

#include "live_impl.h"

static int scalar(yaml_document_t *doc, const char *text, yaml_scalar_style_t style)
{
    return yaml_document_add_scalar(doc, NULL, (yaml_char_t *)text, (int)strlen(text), style);
}

/* Append one event mapping to the sequence node `seq`; 0 or -1. */
static int add_event(yaml_document_t *doc, int seq, const struct live_record *rec)
{
    char at[64], num[64];
    const char *key;
    json_t *value;
    int map, k, v;

    map = yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    if (!map)
        return -1;
    rdsim_format_duration(rec->at, at, sizeof(at));
    k = scalar(doc, "at", YAML_PLAIN_SCALAR_STYLE);
    v = scalar(doc, at, YAML_PLAIN_SCALAR_STYLE);
    if (!k || !v || !yaml_document_append_mapping_pair(doc, map, k, v))
        return -1;
    json_object_foreach(rec->request, key, value) {
        k = scalar(doc, key, YAML_PLAIN_SCALAR_STYLE);
        switch (json_typeof(value)) {
        case JSON_STRING:
            v = scalar(doc, json_string_value(value), YAML_DOUBLE_QUOTED_SCALAR_STYLE);
            break;
        case JSON_INTEGER:
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
            v = scalar(doc, num, YAML_PLAIN_SCALAR_STYLE);
            break;
        case JSON_TRUE:
        case JSON_FALSE:
            v = scalar(doc, json_is_true(value) ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
            break;
        default:
            continue; /* the parser accepted no other kind of value */
        }
        if (!k || !v || !yaml_document_append_mapping_pair(doc, map, k, v))
            return -1;
    }
    return yaml_document_append_sequence_item(doc, seq, map) ? 0 : -1;
}

/* The events sequence of the root mapping, created when absent; 0 on error. */
static int events_node(yaml_document_t *doc)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    int root_id = 1, seq, key;

    if (!root || root->type != YAML_MAPPING_NODE)
        return 0;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (k && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, "events") == 0) {
            if (v->type == YAML_SEQUENCE_NODE) {
                /* A flow sequence ("events: []") would force flow style on
                 * the mappings added to it. */
                v->data.sequence.style = YAML_BLOCK_SEQUENCE_STYLE;
                return p->value;
            }
            return 0;
        }
    }
    seq = yaml_document_add_sequence(doc, NULL, YAML_BLOCK_SEQUENCE_STYLE);
    key = scalar(doc, "events", YAML_PLAIN_SCALAR_STYLE);
    if (!seq || !key || !yaml_document_append_mapping_pair(doc, root_id, key, seq))
        return 0;
    return seq;
}

int rdsim_live_session_yaml(const char *text, size_t len, const struct live_record *recs,
                            size_t n, char **out, size_t *out_len, struct rdsim_err *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    const char *problem;
    bool have_doc = false;
    int seq, rc = 0;

    *out = NULL;
    *out_len = 0;
    if (!yaml_parser_initialize(&parser))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = rdsim_err_set(err, RDSIM_EINVAL, "session: the scenario text does not parse: %s",
                           parser.problem ? parser.problem : "?");
        goto out;
    }
    have_doc = true;
    seq = n ? events_node(&doc) : 1;
    if (!seq) {
        rc = rdsim_err_set(err, RDSIM_EINVAL, "session: no events list to add to");
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        if (add_event(&doc, seq, &recs[k]) != 0) {
            rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
            goto out;
        }
    }
    /* the dump takes the document, even when it fails */
    have_doc = false;
    if (rdsim_yaml_dump(&doc, 100, out, out_len, &problem) != 0)
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "session: cannot write YAML: %s",
                           problem ? problem : "out of memory");
out:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}
