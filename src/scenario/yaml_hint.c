/*
 * yaml_hint.c - the likely cause of a libyaml syntax error, in plain words.
 *
 * libyaml names what its grammar did not find ("mapping values are not
 * allowed in this context"), which rarely tells a person what to change. A
 * scenario is hand-written block YAML, so nearly every such error is one of
 * a few slips: a line indented deeper or shallower than its siblings, a
 * missing space after a colon, a tab, a second ": " in an unquoted value, a
 * quote or bracket left open. sc_yaml_hint() looks at libyaml's problem and
 * the text around its marks and names the slip, with the columns that
 * would line up.
 *
 * It only adds words: the position and libyaml's own message are kept by
 * the caller (load.c), and an error it does not recognise gets no hint
 * rather than a guess. It reads the buffer, never the document.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Start of 0-based line `line` in buf, or NULL past the end. */
static const char *line_start(const char *buf, size_t len, size_t line)
{
    size_t i = 0;
    for (size_t l = 0; l < line; l++) {
        const char *nl = memchr(buf + i, '\n', len - i);
        if (nl == NULL)
            return NULL;
        i = (size_t)(nl - buf) + 1;
    }
    return buf + i;
}

/* Length of the line starting at s (without its line break). */
static size_t line_len(const char *buf, size_t len, const char *s)
{
    const char *nl = memchr(s, '\n', len - (size_t)(s - buf));
    size_t n = nl != NULL ? (size_t)(nl - s) : len - (size_t)(s - buf);
    if (n > 0 && s[n - 1] == '\r')
        n--;
    return n;
}

/* True when the indentation of 0-based line `line` holds a tab. */
static bool indented_with_tab(const char *buf, size_t len, size_t line)
{
    const char *s = line_start(buf, len, line);
    if (s == NULL)
        return false;
    size_t n = line_len(buf, len, s);
    for (size_t i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
        if (s[i] == '\t')
            return true;
    return false;
}

/* 1-based column of the first character that is not a space, or 0 for a
 * blank line. */
static size_t first_column(const char *buf, size_t len, size_t line)
{
    const char *s = line_start(buf, len, line);
    if (s == NULL)
        return 0;
    size_t n = line_len(buf, len, s);
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ')
            return i + 1;
    return 0;
}

/* 1-based column of the first ':' followed by neither a space nor the end
 * of the line, outside quotes and before a comment; 0 when there is none. */
static size_t colon_without_space(const char *buf, size_t len, size_t line)
{
    const char *s = line_start(buf, len, line);
    if (s == NULL)
        return 0;
    size_t n = line_len(buf, len, s);
    char quote = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (quote != 0) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#' && (i == 0 || s[i - 1] == ' ')) {
            return 0;
        } else if (c == ':' && i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '\t') {
            return i + 1;
        }
    }
    return 0;
}

/* True when the text of line `line` before 0-based column `col` already
 * holds a ": " outside quotes (a key and the start of its value). */
static bool key_before(const char *buf, size_t len, size_t line, size_t col)
{
    const char *s = line_start(buf, len, line);
    if (s == NULL)
        return false;
    size_t n = line_len(buf, len, s);
    if (col < n)
        n = col;
    char quote = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        char c = s[i];
        if (quote != 0) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == ':' && s[i + 1] == ' ') {
            return true;
        }
    }
    return false;
}

/* "indentation: line 7 starts at column 4, but WHAT at line 4 is at
 * column 3 and line 6 starts at column 5": the construct libyaml was reading and,
 * when it differs, the nearest line above, which is what the eye compares. */
static int indentation(char *out, size_t size, const char *buf, size_t len,
                       yaml_mark_t pm, const char *what, yaml_mark_t cm)
{
    size_t prev = pm.line, prev_col = 0, col = first_column(buf, len, pm.line);
    while (prev > 0 && prev_col == 0)
        prev_col = first_column(buf, len, --prev);
    if (prev_col != 0 && prev != cm.line && prev_col != cm.column + 1 && prev_col != col)
        return snprintf(out, size,
                        "indentation: line %zu starts at column %zu, but %s at line "
                        "%zu is at column %zu and line %zu starts at column %zu",
                        pm.line + 1, col, what, cm.line + 1, cm.column + 1, prev + 1,
                        prev_col);
    return snprintf(out, size,
                    "indentation: line %zu starts at column %zu, but %s at line %zu "
                    "is at column %zu",
                    pm.line + 1, col, what, cm.line + 1, cm.column + 1);
}

static char char_at(const char *buf, size_t len, yaml_mark_t m)
{
    return m.index < len ? buf[m.index] : '\0';
}

static bool is(const char *problem, const char *text)
{
    return problem != NULL && strcmp(problem, text) == 0;
}

size_t sc_yaml_hint(const yaml_parser_t *p, const char *buf, size_t len, char *out,
                    size_t size)
{
    const char *problem = p->problem;
    yaml_mark_t pm = p->problem_mark, cm = p->context_mark;
    size_t line = pm.line + 1;
    int n = 0;

    if (size == 0 || problem == NULL || p->error == YAML_READER_ERROR ||
        p->error == YAML_MEMORY_ERROR)
        return 0;
    out[0] = '\0';
    /* A tab in the indentation of the line at fault (or of the line the
     * construct started on) explains any structural error: YAML forbids
     * tabs there, and editors show them as spaces. */
    if (char_at(buf, len, pm) == '\t' || indented_with_tab(buf, len, pm.line) ||
        (p->context != NULL && indented_with_tab(buf, len, cm.line))) {
        size_t tab_line =
            indented_with_tab(buf, len, pm.line) || char_at(buf, len, pm) == '\t'
                ? line
                : cm.line + 1;
        n = snprintf(out, size,
                     "a tab at line %zu: YAML indents with spaces only; replace the "
                     "tab with spaces",
                     tab_line);
    } else if (is(problem, "mapping values are not allowed in this context")) {
        if (key_before(buf, len, pm.line, pm.column))
            n = snprintf(out, size,
                         "a second \": \" on line %zu: a value that contains \": \" "
                         "must be quoted (\"...\")",
                         line);
        else
            n = snprintf(out, size,
                         "indentation: line %zu is indented deeper than the key above "
                         "it; the keys of one mapping start in the same column",
                         line);
    } else if (is(problem, "could not find expected ':'") && p->context != NULL) {
        size_t c = colon_without_space(buf, len, cm.line);
        if (c != 0)
            n = snprintf(out, size,
                         "a missing space after the colon at line %zu, column %zu: "
                         "write \"key: value\"",
                         cm.line + 1, c);
        else
            n = snprintf(out, size,
                         "line %zu is not \"key: value\": add the colon, or indent it "
                         "under a key if it continues the value above",
                         cm.line + 1);
    } else if (is(problem, "did not find expected key") && p->context != NULL) {
        if (char_at(buf, len, pm) == '-' && pm.column == cm.column)
            n = snprintf(
                out, size,
                "a list item where a key was expected: put the items under "
                "their key (\"key:\" on the line above), indented by two spaces");
        else
            n = indentation(out, size, buf, len, pm, "the first key of the mapping", cm);
    } else if (is(problem, "did not find expected '-' indicator") && p->context != NULL) {
        n = indentation(out, size, buf, len, pm, "the \"-\" of the list", cm);
    } else if (is(problem, "block sequence entries are not allowed in this context")) {
        n = snprintf(out, size,
                     "a \"- \" list item on the same line as its key: start the items "
                     "on the next line, indented, or write [a, b]");
    } else if (is(problem, "found character that cannot start any token") &&
               (char_at(buf, len, pm) == '@' || char_at(buf, len, pm) == '`')) {
        n = snprintf(out, size,
                     "\"%c\" cannot start a plain value in YAML: quote the value",
                     char_at(buf, len, pm));
    } else if (is(problem, "found unexpected end of stream") && p->context != NULL &&
               strstr(p->context, "quoted scalar") != NULL) {
        n = snprintf(out, size,
                     "the quote opened at line %zu, column %zu is never closed",
                     cm.line + 1, cm.column + 1);
    } else if ((is(problem, "did not find expected ',' or ']'") ||
                is(problem, "did not find expected ',' or '}'")) &&
               p->context != NULL) {
        n = snprintf(out, size,
                     "the bracket opened at line %zu, column %zu is not closed, or "
                     "two of its items lack a \",\" between them",
                     cm.line + 1, cm.column + 1);
    }
    return n > 0 ? strlen(out) : 0;
}
