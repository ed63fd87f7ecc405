/*
 * tags.c - an instance's `tags`: AWS resource tags, as a mapping of strings.
 *
 * rdsim fis matches an FIS target's resourceTags against them; the model
 * never reads them. The rules are those of RDS's Tag API
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Tag.html):
 * a key of 1 to 128 characters, a value of up to 256, neither starting with
 * "aws:" or "rds:" (any case), made of letters, digits, spaces and
 * _ . : / = + - @; at most 50 tags on a resource. Characters beyond ASCII
 * are taken as letters unchecked: classifying them would need Unicode
 * tables. Keys are checked in file order: shape, duplicate, rules, then
 * the value.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

#define SC_MAX_TAGS 50
#define SC_MAX_TAG_KEY 128
#define SC_MAX_TAG_VALUE 256

static bool tag_char_ok(unsigned char c)
{
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c != '\0' && strchr(" _.:/=+-@", c) != NULL);
}

/* Check one tag key or value (`what`) against the rules above. */
static int check_tag_text(struct sc_ctx *ctx, yaml_node_t *node, const char *what,
                          const char *t, size_t max_chars)
{
    char q[96], c[96];
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p != '\0'; p++) {
        if (!tag_char_ok(*p)) {
            char one[2] = {(char)*p, '\0'};
            return sc_fail(ctx, node,
                           "a tag %s holds letters, digits, spaces and _ . : / = + - @ "
                           "only, got %s in %s",
                           what, sc_quote(one, c, sizeof c), sc_quote(t, q, sizeof q));
        }
        chars += (*p & 0xC0) != 0x80; /* UTF-8 lead bytes: one per character */
    }
    if (chars > max_chars)
        return sc_fail(ctx, node, "a tag %s has at most %zu characters, got %zu (%s)",
                       what, max_chars, chars, sc_quote(t, q, sizeof q));
    if (strncasecmp(t, "aws:", 4) == 0 || strncasecmp(t, "rds:", 4) == 0)
        return sc_fail(ctx, node,
                       "a tag %s must not start with \"aws:\" or \"rds:\" (reserved by "
                       "AWS), got %s",
                       what, sc_quote(t, q, sizeof q));
    return 0;
}

/* Name one tag in the path: a short plain key as it is, any other quoted
 * (and cut when long). */
static size_t tag_path(struct sc_ctx *ctx, const char *key)
{
    bool plain = key[0] != '\0' && strlen(key) <= 40;
    for (const char *p = key; plain && *p != '\0'; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
    char q[96];
    return sc_path_key(ctx, plain ? key : sc_quote(key, q, sizeof q));
}

int sc_load_tags(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where,
                 struct rdsim_instance_cfg *in)
{
    char got[96];
    if (node->type != YAML_MAPPING_NODE)
        return sc_fail(ctx, node,
                       "must be a mapping of tag keys to values (team: payments), "
                       "got %s",
                       sc_describe(node, got, sizeof got));
    yaml_node_pair_t *pairs = node->data.mapping.pairs.start;
    size_t n = (size_t)(node->data.mapping.pairs.top - pairs);
    if (n > SC_MAX_TAGS)
        return sc_fail_mark(ctx, where, "%zu tags, at most %d are allowed (as on AWS)", n,
                            SC_MAX_TAGS);
    if (n == 0)
        return 0;
    in->tags = calloc(n, sizeof *in->tags);
    if (in->tags == NULL)
        return sc_nomem(ctx);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *key = sc_node(ctx, pairs[i].key),
                    *val = sc_node(ctx, pairs[i].value);
        const char *k;
        if (key == NULL || val == NULL)
            return rdsim_err_set(ctx->err, RDSIM_EINTERNAL, "%s: broken YAML document",
                                 ctx->file);
        int rc = sc_read_text(ctx, key, "a tag key", &k);
        if (rc != 0)
            return rc;
        size_t saved = tag_path(ctx, k);
        if (k[0] == '\0')
            return sc_fail(ctx, key, "a tag key has 1 to %d characters, got \"\"",
                           SC_MAX_TAG_KEY);
        for (size_t j = 0; j < i; j++)
            if (strcmp(in->tags[j].key, k) == 0)
                return sc_fail(ctx, key, "duplicate key (first at line %zu)",
                               sc_node(ctx, pairs[j].key)->start_mark.line + 1);
        rc = check_tag_text(ctx, key, "key", k, SC_MAX_TAG_KEY);
        if (rc == 0 && (in->tags[i].key = strdup(k)) == NULL)
            rc = sc_nomem(ctx);
        in->n_tags = i + 1; /* freed with the scenario, even half read */
        if (rc == 0)
            rc = sc_read_string(ctx, val, &in->tags[i].value);
        if (rc == 0)
            rc = check_tag_text(ctx, val, "value", in->tags[i].value, SC_MAX_TAG_VALUE);
        if (rc != 0)
            return rc;
        sc_path_pop(ctx, saved);
    }
    return 0;
}
