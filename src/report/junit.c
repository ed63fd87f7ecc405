/*
 * junit.c - JUnit XML: the generic writer and one run's suite.
 *
 * The element order and the required attributes are those of the common
 * JUnit schema (include/rdsim/junit.h): a testsuite's <properties> first,
 * then its test cases, then <system-out> and <system-err>, all present even
 * when empty; a failure's `type` is required, its `message` is written too.
 * Numbers are printed with fixed precision so that the same run gives the
 * same bytes (timestamp, hostname and time aside, which are the caller's).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/junit.h"
#include "rdsim/report.h"

/* Write s escaped for XML text (attr: for an attribute value, where line
 * breaks and tabs must be character references to survive). */
static void xml_text(FILE *f, const char *s, bool attr)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs(attr ? "&quot;" : "\"", f);
            break;
        case '\t':
        case '\n':
        case '\r':
            if (attr)
                fprintf(f, "&#%d;", *p);
            else
                fputc(*p, f);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fputs("\xef\xbf\xbd", f); /* not a character XML 1.0 can hold */
            else
                fputc(*p, f);
        }
    }
}

static void attr(FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    xml_text(f, value, true);
    fputc('"', f);
}

static void suite(FILE *f, const struct rdsim_junit_suite *s, size_t id)
{
    size_t failures = 0;
    for (size_t i = 0; i < s->n_cases; i++)
        failures += s->cases[i].failure != NULL;
    fputs("  <testsuite", f);
    attr(f, "name", s->name);
    attr(f, "package", s->package ? s->package : "rdsim");
    fprintf(f, " id=\"%zu\"", id);
    attr(f, "timestamp", s->timestamp ? s->timestamp : "1970-01-01T00:00:00");
    attr(f, "hostname", s->hostname && *s->hostname ? s->hostname : "localhost");
    fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
            s->n_cases, failures, s->time_s);
    fputs("    <properties>\n", f);
    for (size_t i = 0; i < s->n_properties; i++) {
        fputs("      <property", f);
        attr(f, "name", s->properties[i].name);
        attr(f, "value", s->properties[i].value);
        fputs("/>\n", f);
    }
    fputs("    </properties>\n", f);
    for (size_t i = 0; i < s->n_cases; i++) {
        const struct rdsim_junit_case *c = &s->cases[i];
        fputs("    <testcase", f);
        attr(f, "name", c->name);
        attr(f, "classname", c->classname);
        fprintf(f, " time=\"%.3f\"", c->time_s);
        if (c->failure == NULL) {
            fputs("/>\n", f);
            continue;
        }
        fputs(">\n      <failure", f);
        attr(f, "message", c->failure);
        attr(f, "type", c->failure_type ? c->failure_type : "failure");
        fputc('>', f);
        xml_text(f, c->detail ? c->detail : c->failure, false);
        fputs("</failure>\n    </testcase>\n", f);
    }
    fputs("    <system-out>", f);
    if (s->system_out != NULL)
        xml_text(f, s->system_out, false);
    fputs("</system-out>\n    <system-err></system-err>\n  </testsuite>\n", f);
}

int rdsim_junit_write(FILE *f, const struct rdsim_junit_suite *suites, size_t n,
                      struct rdsim_err *err)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
    for (size_t i = 0; i < n; i++)
        suite(f, &suites[i], i);
    fputs("</testsuites>\n", f);
    if (fflush(f) != 0 || ferror(f))
        return rdsim_err_set(err, RDSIM_EIO, "cannot write the JUnit file: %s",
                             strerror(errno));
    return 0;
}

int rdsim_junit_write_file(const char *path, const struct rdsim_junit_suite *suites,
                           size_t n, struct rdsim_err *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", path,
                             strerror(errno));
    int rc = rdsim_junit_write(f, suites, n, err);
    int e = errno;
    if (fclose(f) != 0 && rc == 0) {
        e = errno;
        rc = RDSIM_EIO;
    }
    if (rc != 0)
        rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", path, strerror(e));
    return rc;
}

/* ---- one run ------------------------------------------------------------ */

/* Keep s (NULL: out of memory) among the run's strings. */
static const char *own(struct rdsim_junit_run *j, char *s)
{
    if (s == NULL)
        return NULL;
    j->owned[j->n_owned++] = s;
    return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s != NULL) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* "lesson NAME as shipped" or "differs from lesson NAME as shipped in
 * PATH (A there, B here), ...", for a failure's detail; NULL without memory. */
static char *lesson_note(const struct rdsim_results *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    if (r->n_lesson_changes == 0)
        fprintf(f, "lesson %s exactly as shipped", r->lesson);
    else
        fprintf(f, "differs from lesson %s as shipped in", r->lesson);
    for (size_t i = 0; i < r->n_lesson_changes; i++) {
        const struct rdsim_param_change *c = &r->lesson_changes[i];
        fprintf(f, "%s %s (%s there, %s here)", i ? "," : "", c->path,
                c->shipped ? c->shipped : "not set", c->here ? c->here : "not set");
    }
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int rdsim_junit_run_suite(const struct rdsim_results *r, struct rdsim_junit_run **out,
                          struct rdsim_err *err)
{
    const struct rdsim_scenario *sc = r->sc;
    struct rdsim_junit_run *j = calloc(1, sizeof *j);
    char *story = NULL;
    bool ok = j != NULL;

    *out = NULL;
    /* Per expectation a message and a detail; four properties; the story;
     * the lesson note. */
    if (ok) {
        j->owned = calloc(2 * r->n_expect + 9, sizeof *j->owned);
        j->cases = calloc(r->n_expect ? r->n_expect : 1, sizeof *j->cases);
        ok = j->owned != NULL && j->cases != NULL;
    }
    ok = ok && rdsim_report_story(r, &story, err) == 0;
    if (ok)
        own(j, story);
    const char *file = sc->path ? sc->path : sc->name;
    if (strrchr(file, '/') != NULL)
        file = strrchr(file, '/') + 1;
    const char *seed = ok ? own(j, format("%llu", (unsigned long long)r->seed)) : NULL;
    ok = ok && seed != NULL;
    const char *changed = NULL;
    if (ok && r->lesson != NULL) {
        changed = own(j, lesson_note(r));
        ok = changed != NULL;
    }
    for (size_t i = 0; ok && i < r->n_expect; i++) {
        const struct rdsim_expectation *x = &r->expect[i];
        struct rdsim_junit_case *c = &j->cases[i];
        char actual[64], limit[64];
        c->name = x->name;
        c->classname = sc->name;
        if (x->ok)
            continue;
        rdsim_report_expect_text(x, actual, limit, sizeof actual);
        c->failure = own(j, format("%s: %s, expected %s", x->name, actual, limit));
        c->failure_type = "expectation";
        c->detail = own(j, format("%s: %s, expected %s (scenario %s, seed %s%s%s)", x->name,
                                  actual, limit, file, seed, changed ? "; " : "",
                                  changed ? changed : ""));
        ok = c->failure != NULL && c->detail != NULL;
    }
    if (!ok) {
        rdsim_junit_run_free(j);
        return err != NULL && err->code == RDSIM_ENOMEM
                   ? RDSIM_ENOMEM
                   : rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    j->properties[0] = (struct rdsim_junit_property){"scenario", sc->name};
    j->properties[1] = (struct rdsim_junit_property){"scenario_file", file};
    j->properties[2] = (struct rdsim_junit_property){"seed", seed};
    j->properties[3] = (struct rdsim_junit_property){"rdsim_version", RDSIM_VERSION};
    j->suite = (struct rdsim_junit_suite){
        .name = sc->name,
        .properties = j->properties,
        .n_properties = 4,
        .cases = j->cases,
        .n_cases = r->n_expect,
        .system_out = story,
    };
    *out = j;
    return 0;
}

void rdsim_junit_run_free(struct rdsim_junit_run *j)
{
    if (j == NULL)
        return;
    for (size_t i = 0; i < j->n_owned; i++)
        free(j->owned[i]);
    free(j->owned);
    free(j->cases);
    free(j);
}
