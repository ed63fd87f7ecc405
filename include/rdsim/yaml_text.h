/*
 * yaml_text.h - a libyaml document written out as text in memory, for the
 * modules that build a scenario's YAML rather than read it (the live
 * session's saved scenario, a sweep point's scenario).
 *
 * Implemented in src/scenario (the module that owns YAML); the only public
 * header that includes yaml.h, so that only its users see libyaml.
 */
#ifndef RDSIM_YAML_TEXT_H
#define RDSIM_YAML_TEXT_H

#include <stddef.h>

#include <yaml.h>

/*
 * Write `doc` as YAML (unicode, lines folded at `width` columns, -1 for
 * never) into *text, a new NUL-terminated string of *len bytes that the
 * caller frees. libyaml's dump takes the document: it is deleted whether
 * this succeeds or not. Returns 0, or RDSIM_ENOMEM with *problem set to
 * libyaml's message (static text) or NULL when memory ran out.
 */
int rdsim_yaml_dump(yaml_document_t *doc, int width, char **text, size_t *len,
                    const char **problem);

#endif
