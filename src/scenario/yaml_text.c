/*
 * yaml_text.c - a libyaml document as text in memory (yaml_text.h).
 *
 * libyaml writes through a callback; this one grows a buffer by doubling
 * and keeps it NUL-terminated. A failed allocation is remembered rather
 * than reported through libyaml, whose message for it would be a write
 * error. Nothing here parses YAML or knows what the document holds.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/err.h"
#include "rdsim/yaml_text.h"

struct text_out {
    char *buf;
    size_t len, cap;
    bool nomem;
};

static int write_out(void *ctx, unsigned char *bytes, size_t size)
{
    struct text_out *o = ctx;
    if (o->len + size + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + size + 1)
            cap *= 2;
        char *nb = realloc(o->buf, cap);
        if (nb == NULL) {
            o->nomem = true;
            return 0;
        }
        o->buf = nb;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, bytes, size);
    o->len += size;
    o->buf[o->len] = '\0';
    return 1;
}

int rdsim_yaml_dump(yaml_document_t *doc, int width, char **text, size_t *len,
                    const char **problem)
{
    yaml_emitter_t em;
    struct text_out o = {0};
    *text = NULL;
    *len = 0;
    *problem = NULL;
    if (!yaml_emitter_initialize(&em)) {
        yaml_document_delete(doc);
        return RDSIM_ENOMEM;
    }
    yaml_emitter_set_output(&em, write_out, &o);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, width);
    /* dump takes the document, and deletes it even when it fails */
    bool opened = yaml_emitter_open(&em);
    if (!opened)
        yaml_document_delete(doc);
    bool ok = opened && yaml_emitter_dump(&em, doc) && yaml_emitter_close(&em) &&
              yaml_emitter_flush(&em);
    if (!ok && !o.nomem)
        *problem = em.problem;
    yaml_emitter_delete(&em);
    if (!ok || o.nomem) {
        free(o.buf);
        return RDSIM_ENOMEM;
    }
    *text = o.buf;
    *len = o.len;
    return 0;
}
