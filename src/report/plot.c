/*
 * plot.c - the gnuplot scripts of a results folder.
 *
 * A results folder is self-describing: DIR/plots gets the figure scripts
 * compiled into the binary (the .gp files of plots/ in the source tree) and two files
 * written from DIR/summary.json and the header of DIR/timeseries.csv:
 * run.gp (the run's facts: title, columns, duration) and marks.gp (fault
 * windows shaded, failover phases as dashed lines with labels). Reading the
 * folder rather than the in-memory results means `rdsim plot DIR` and
 * `rdsim run` take the same path, and a comparison can be drawn from two
 * finished runs.
 *
 * Rendering (running gnuplot) is not done here: it is a process of the
 * machine's, which the CLI finds and starts.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rdsim/asset.h"
#include "rdsim/plot.h"
#include "rdsim/report.h"

extern const struct rdsim_asset rdsim_plot_assets[];

enum { MAX_MARKS = 256, MAX_ROWS = 8 };

/* Width of one label character as a fraction of the plot's width, and
 * height of one label row as a fraction of its height (1280x720, labels
 * at 11 pt: see style.gp). Used only to keep labels from overlapping. */
#define CHAR_FRAC 0.0068
#define ROW_FRAC 0.045

/* A vertical mark (a fault's start, a phase) or a shaded window. */
struct mark {
    double at_s, until_s;  /* until_s > at_s: a window */
    char label[192];
    const char *rgb;       /* a colour variable of style.gp */
    int row;               /* label row, from 1 at the top */
    bool right;            /* too near the right edge: the label ends at the line */
};

struct marks {
    struct mark m[MAX_MARKS];
    size_t n;
    int rows;
};

/* The columns a run's timeseries.csv offers the figures. */
struct columns {
    char latency[2048], roles[2048], lags[2048], acus[2048];
};

struct run_facts {
    json_t *summary;
    char title[512];
    double end_s, interval_s;
    struct columns cols;
};

/* ---- reading a results folder ------------------------------------------- */

static double jnum(json_t *o, const char *key, double dflt)
{
    json_t *v = json_object_get(o, key);

    return json_is_number(v) ? json_number_value(v) : dflt;
}

static const char *jstr(json_t *o, const char *key, const char *dflt)
{
    json_t *v = json_object_get(o, key);

    return json_is_string(v) ? json_string_value(v) : dflt;
}

static void add_word(char *list, size_t n, const char *w, size_t wlen)
{
    size_t len = strlen(list);

    if (len + wlen + 2 > n)
        return;
    if (len)
        list[len++] = ' ';
    memcpy(list + len, w, wlen);
    list[len + wlen] = '\0';
}

static bool starts(const char *s, size_t n, const char *prefix, size_t *plen)
{
    *plen = strlen(prefix);
    return n > *plen && strncmp(s, prefix, *plen) == 0;
}

/* Sort the header's columns into the lists the figure scripts iterate. */
static void read_columns(char *header, struct columns *c)
{
    static const char p99[] = "_p99_ms";
    size_t plen;

    memset(c, 0, sizeof(*c));
    header[strcspn(header, "\r\n")] = '\0';
    for (char *col = strtok(header, ","); col; col = strtok(NULL, ",")) {
        size_t n = strlen(col);
        if (n > sizeof(p99) - 1 && strcmp(col + n - (sizeof(p99) - 1), p99) == 0)
            add_word(c->latency, sizeof(c->latency), col, n - (sizeof(p99) - 1));
        else if (starts(col, n, "role_", &plen))
            add_word(c->roles, sizeof(c->roles), col + plen, n - plen);
        else if (starts(col, n, "lag_ms_", &plen))
            add_word(c->lags, sizeof(c->lags), col + plen, n - plen);
        else if (starts(col, n, "acu_", &plen))
            add_word(c->acus, sizeof(c->acus), col + plen, n - plen);
    }
}

static int read_header(const char *dir, struct columns *c, struct rdsim_err *err)
{
    char path[4096], *line = NULL;
    size_t cap = 0;
    FILE *f;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/timeseries.csv", dir);
    f = fopen(path, "r");
    if (!f)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot read: %s (is %s an rdsim results "
                             "folder?)", path, strerror(errno), dir);
    if (getline(&line, &cap, f) < 0 || strncmp(line, "t_s,", 4) != 0)
        rc = rdsim_err_set(err, RDSIM_EINVAL, "%s: no timeseries header (t_s,...) on line 1",
                           path);
    else
        read_columns(line, c);
    free(line);
    fclose(f);
    return rc;
}

static int read_run(const char *dir, struct run_facts *run, struct rdsim_err *err)
{
    char path[4096];
    json_error_t jerr;
    int rc;

    snprintf(path, sizeof(path), "%s/summary.json", dir);
    run->summary = json_load_file(path, 0, &jerr);
    if (!run->summary && jerr.line > 0)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s:%d:%d: %s (is %s an rdsim results folder?)",
                             path, jerr.line, jerr.column, jerr.text, dir);
    if (!run->summary)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: %s (is %s an rdsim results folder?)", path,
                             jerr.text, dir);
    if (!json_is_string(json_object_get(run->summary, "scenario")) ||
        !json_is_number(json_object_get(run->summary, "simulated_s"))) {
        json_decref(run->summary);
        run->summary = NULL;
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: not an rdsim summary (no scenario or "
                             "simulated_s)", path);
    }
    snprintf(run->title, sizeof(run->title), "%s, seed %.0f, rdsim %s",
             jstr(run->summary, "scenario", "?"), jnum(run->summary, "seed", 0),
             jstr(run->summary, "rdsim_version", "?"));
    run->end_s = jnum(run->summary, "simulated_s", 0);
    run->interval_s = jnum(run->summary, "sample_interval_s", 1);
    rc = read_header(dir, &run->cols, err);
    if (rc) {
        json_decref(run->summary);
        run->summary = NULL;
    }
    return rc;
}

/* The number at a dotted path of a summary ("failovers.0.at_s"); NAN when
 * it is missing or null. */
static double jpath(json_t *root, const char *path)
{
    char buf[128], *save = NULL;
    json_t *v = root;

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(k)) : json_object_get(v, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* ---- marks ------------------------------------------------------------ */

static void add_mark(struct marks *ms, double at_s, double until_s, const char *rgb,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_mark(struct marks *ms, double at_s, double until_s, const char *rgb,
                     const char *fmt, ...)
{
    struct mark *m;
    va_list ap;

    if (ms->n == MAX_MARKS || !isfinite(at_s))
        return;
    m = &ms->m[ms->n++];
    m->at_s = at_s;
    m->until_s = until_s;
    m->rgb = rgb;
    va_start(ap, fmt);
    vsnprintf(m->label, sizeof(m->label), fmt, ap);
    va_end(ap);
}

/* ---- events.csv: what the cluster did, for marks the summary lacks ------- */

/* The timeline's rows that the marks use: volume copies repaired, quorum
 * lost and regained. */
struct timeline_row {
    double t_s;
    char field[4][256]; /* t_s, kind, subject, detail */
};

#define ROW_KIND(r) ((r)->field[1])
#define ROW_SUBJECT(r) ((r)->field[2])
#define ROW_DETAIL(r) ((r)->field[3])

struct timeline {
    struct timeline_row *rows;
    size_t n;
};

/* Split one events.csv line into its four fields (CSV quoting undone). */
static bool split_row(const char *line, struct timeline_row *row)
{
    int k = 0;
    size_t len = 0;
    bool quoted = false;

    memset(row, 0, sizeof(*row));
    for (const char *p = line; *p && *p != '\n' && k < 4; p++) {
        if (quoted && *p == '"' && p[1] == '"') {
            p++;
        } else if (*p == '"') {
            quoted = !quoted;
            continue;
        } else if (!quoted && *p == ',') {
            k++;
            len = 0;
            continue;
        }
        if (k < 4 && len + 1 < sizeof(row->field[0]))
            row->field[k][len++] = *p;
    }
    row->t_s = atof(row->field[0]);
    return k == 3;
}

/* Read the repaired and quorum rows of DIR/events.csv; none when it is
 * missing (marks from the summary alone). */
static void read_timeline(const char *dir, struct timeline *tl)
{
    char path[4096], *line = NULL;
    size_t cap = 0, room = 0;
    FILE *f;

    memset(tl, 0, sizeof(*tl));
    snprintf(path, sizeof(path), "%s/events.csv", dir);
    f = fopen(path, "r");
    if (!f)
        return;
    while (getline(&line, &cap, f) > 0) {
        struct timeline_row row;
        if (!split_row(line, &row) ||
            (strcmp(ROW_KIND(&row), "repaired") != 0 && strcmp(ROW_KIND(&row), "quorum") != 0))
            continue;
        if (tl->n == room) {
            size_t r2 = room ? 2 * room : 16;
            void *p = realloc(tl->rows, r2 * sizeof(*tl->rows));
            if (!p)
                break;
            tl->rows = p;
            room = r2;
        }
        tl->rows[tl->n++] = row;
    }
    free(line);
    fclose(f);
}

/* A storage failure's window ends when its AZ's copy is rebuilt. */
static double repaired_at(const struct timeline *tl, const char *az, double at_s, double until_s)
{
    for (size_t k = 0; tl && k < tl->n; k++)
        if (strcmp(ROW_KIND(&tl->rows[k]), "repaired") == 0 &&
            strcmp(ROW_SUBJECT(&tl->rows[k]), az) == 0 &&
            tl->rows[k].t_s >= at_s && tl->rows[k].t_s < until_s)
            return tl->rows[k].t_s;
    return until_s;
}

/* What the failover's first phase was: detected, or (a request) asked for. */
static const char *first_phase(const char *cause)
{
    static const struct {
        const char *cause, *label;
    } requested[] = {
        {"promote", "promotion requested"},
        {"failover", "failover requested"},
        {"reboot", "failover requested"},
        {"global-switchover", "switchover requested"},
        {"global-failover", "global failover requested"},
    };

    for (size_t k = 0; k < sizeof(requested) / sizeof(requested[0]); k++)
        if (strcmp(cause, requested[k].cause) == 0)
            return requested[k].label;
    return "detected";
}

/* The scenario's events, and each failover's phases, of one run; `who`
 * prefixes the labels in a comparison ("A: "); tl (may be NULL) adds the
 * quorum changes and the repairs. */
static void collect_marks(struct marks *ms, json_t *s, const char *who, const char *phase_rgb,
                          bool faults, const struct timeline *tl)
{
    json_t *v;
    size_t i;

    json_array_foreach(faults ? json_object_get(s, "scenario_events") : NULL, i, v) {
        const char *action = jstr(v, "action", "");
        bool load = strcmp(action, "load") == 0;
        double at = jnum(v, "at_s", NAN), until = jnum(v, "until_s", at);
        const char *label = jstr(v, "label", "fault"), *az = strrchr(label, ' ');
        if (strcmp(action, "storage-failure") == 0 && az)
            until = repaired_at(tl, az + 1, at, until);
        add_mark(ms, at, until, load ? "offered_rgb" : "fault_rgb", "%s", label);
    }
    for (size_t k = 0; faults && tl && k < tl->n; k++) {
        const struct timeline_row *row = &tl->rows[k];
        const char *d = ROW_DETAIL(row);
        bool lost = strstr(d, "no write quorum") || strstr(d, "no read quorum");
        bool reads = strstr(d, "read quorum") || strstr(d, "reads resume");
        if (strcmp(ROW_KIND(row), "quorum") != 0)
            continue;
        add_mark(ms, row->t_s, row->t_s, lost ? "fault_rgb" : "resume_rgb", "%s quorum %s",
                 reads ? "read" : "write", lost ? "lost" : "regained");
    }
    json_array_foreach(json_object_get(s, "failovers"), i, v) {
        const char *to = jstr(v, "to", "");
        double at = jnum(v, "detected_s", NAN);
        add_mark(ms, at, at, phase_rgb, "%s%s%s", who, first_phase(jstr(v, "cause", "")),
                 *to ? "" : ", nothing to promote");
        at = jnum(v, "promoted_s", NAN);
        add_mark(ms, at, at, phase_rgb, "%spromoted %s", who, to);
        at = jnum(v, "dns_updated_s", NAN);
        add_mark(ms, at, at, phase_rgb, "%sDNS -> %s", who, to);
    }
    json_array_foreach(json_object_get(s, "writer_outages"), i, v) {
        double at = jnum(v, "recovered_s", NAN);
        add_mark(ms, at, at, "resume_rgb", "%swrites resume", who);
    }
}

/* A comparison: a phase both runs have at the same time (within 50 ms) is
 * drawn once, labelled "A, B: ...", rather than twice on one line. */
static void merge_common_marks(struct marks *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        struct mark *b = &ms->m[i];
        if (strncmp(b->label, "B: ", 3) != 0)
            continue;
        for (size_t j = 0; j < ms->n; j++) {
            struct mark *a = &ms->m[j];
            if (strncmp(a->label, "A: ", 3) != 0 || strcmp(a->label + 3, b->label + 3) != 0 ||
                fabs(a->at_s - b->at_s) > 0.05)
                continue;
            char label[sizeof(a->label)];
            snprintf(label, sizeof(label), "A, B: %.*s", (int)(sizeof(label) - 7), a->label + 3);
            memcpy(a->label, label, sizeof(label));
            a->rgb = "phase_rgb";
            ms->m[i] = ms->m[--ms->n];
            i--;
            break;
        }
    }
}

static int by_time(const void *a, const void *b)
{
    const struct mark *x = a, *y = b;

    return (x->at_s > y->at_s) - (x->at_s < y->at_s);
}

/*
 * Give each label a row: the one just below every label that still
 * extends over its time. Lines reach up to their own label, so in a burst
 * of marks (fault, detected, promoted, DNS) the labels step down like
 * stairs and no line crosses an earlier label.
 */
static void place_labels(struct marks *ms, double end_s)
{
    double row_end[MAX_ROWS + 1];

    for (int r = 0; r <= MAX_ROWS; r++)
        row_end[r] = -1;
    /* Insertion sort: stable, so equal times keep the collection order
     * (the fault first, then its phases). */
    for (size_t i = 1; i < ms->n; i++)
        for (size_t j = i; j > 0 && by_time(&ms->m[j - 1], &ms->m[j]) > 0; j--) {
            struct mark t = ms->m[j - 1];
            ms->m[j - 1] = ms->m[j];
            ms->m[j] = t;
        }
    ms->rows = 0;
    for (size_t i = 0; i < ms->n; i++) {
        struct mark *m = &ms->m[i];
        double x = end_s > 0 ? m->at_s / end_s : 0;
        double w = (double)(strlen(m->label) + 2) * CHAR_FRAC;
        double from = x, to = x + w;
        int row = 1;
        if (to > 1) {
            m->right = true;
            from = x - w;
            to = x;
        }
        for (int r = 1; r <= MAX_ROWS; r++)
            if (row_end[r] >= from)
                row = r + 1;
        /* Every row is taken here: the row that frees up first overlaps
         * least (a line may then cross a label; rare, and still legible). */
        if (row > MAX_ROWS)
            for (int r = row = 1; r <= MAX_ROWS; r++)
                if (row_end[r] < row_end[row])
                    row = r;
        m->row = row;
        row_end[row] = to;
        if (row > ms->rows)
            ms->rows = row;
    }
}

static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static void write_marks(FILE *f, const struct marks *ms)
{
    fputs("# marks.gp - the run's injected events (shaded windows) and failover phases\n"
          "# (dashed lines), each with its label in a row above the data. Written by\n"
          "# rdsim from summary.json; loaded by style.gp once the colours are set.\n",
          f);
    for (size_t i = 0; i < ms->n; i++) {
        const struct mark *m = &ms->m[i];
        /* A label's position is its vertical middle; its line reaches it. */
        double label_char = 1.25 * m->row - 0.35;
        double top = 1 - label_char * ROW_FRAC;
        int id = (int)i + 1;
        if (m->until_s > m->at_s)
            fprintf(f, "set object %d rect from %.3f, graph 0 to %.3f, graph 1 behind "
                       "fc rgb %s fs transparent solid 0.13 noborder\n",
                    id, m->at_s, m->until_s, m->rgb);
        fprintf(f, "set arrow %d from %.3f, graph 0 to %.3f, graph %.4f nohead front "
                   "lw 1.5 dt %d lc rgb %s\n",
                id, m->at_s, m->at_s, top, m->until_s > m->at_s ? 1 : 2, m->rgb);
        fprintf(f, "set label %d ", id);
        gp_string(f, m->label);
        fprintf(f, " at %.3f, graph 1 offset char %.1f, char %.2f %s front font ',11' "
                   "tc rgb %s\n",
                m->at_s, m->right ? -0.4 : 0.4, -label_char, m->right ? "right" : "left", m->rgb);
    }
}

/* ---- writing a plots folder ------------------------------------------- */

static int close_in(FILE *f, const char *dir, const char *name, struct rdsim_err *err)
{
    if (ferror(f) | fclose(f))
        return rdsim_err_set(err, RDSIM_EIO, "%s/%s: write failed", dir, name);
    return 0;
}

static int write_asset(const char *dir, const struct rdsim_asset *a, struct rdsim_err *err)
{
    FILE *f = rdsim_report_create_file(dir, a->name, err);

    if (!f)
        return RDSIM_EIO;
    fwrite(a->data, 1, a->size, f);
    return close_in(f, dir, a->name, err);
}

/* Every embedded script whose name does (compare) or does not (a run)
 * start with "compare"; style.gp goes to both. */
static int write_scripts(const char *dir, bool compare, struct rdsim_err *err)
{
    for (const struct rdsim_asset *a = rdsim_plot_assets; a->name; a++) {
        bool is_compare = strncmp(a->name, "compare", 7) == 0;
        if (strcmp(a->name, "style.gp") != 0 && is_compare != compare)
            continue;
        int rc = write_asset(dir, a, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Remove the figures and log of an earlier drawing, so that nothing in
 * the folder (nor report.md) shows another run's figure. */
static int clear_figures(const char *dir, struct rdsim_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    int rc = 0;

    if (!d)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot read folder: %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL && rc == 0) {
        size_t n = strlen(e->d_name);
        if (!(n > 4 && (strcmp(e->d_name + n - 4, ".png") == 0 ||
                        strcmp(e->d_name + n - 4, ".svg") == 0)) &&
            strcmp(e->d_name, "gnuplot.log") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (remove(path) != 0)
            rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot remove: %s", path, strerror(errno));
    }
    closedir(d);
    return rc;
}

static int make_dir(const char *dir, struct rdsim_err *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot create folder: %s", dir,
                             strerror(errno));
    return 0;
}

static void facts_common(FILE *f, const char *title, double end_s, double interval_s,
                         const struct columns *c, int marks_rows)
{
    fputs("run_title = ", f);
    gp_string(f, title);
    fprintf(f, "\nrun_end_s = %.3f\nrun_interval_s = %.3f\n", end_s, interval_s);
    fputs("latency_cols = ", f);
    gp_string(f, c->latency);
    fputs("\nrole_cols = ", f);
    gp_string(f, c->roles);
    fputs("\nlag_cols = ", f);
    gp_string(f, c->lags);
    fputs("\nacu_cols = ", f);
    gp_string(f, c->acus);
    fprintf(f, "\nmarks_rows = %d\n", marks_rows);
}

static int write_facts_and_marks(const char *dir, const char *facts_head, const char *title,
                                 double end_s, double interval_s, const struct columns *c,
                                 struct marks *ms, const char *ts_lines, struct rdsim_err *err)
{
    FILE *f;
    int rc;

    place_labels(ms, end_s);
    f = rdsim_report_create_file(dir, "run.gp", err);
    if (!f)
        return RDSIM_EIO;
    fputs(facts_head, f);
    fputs(ts_lines, f);
    facts_common(f, title, end_s, interval_s, c, ms->rows);
    rc = close_in(f, dir, "run.gp", err);
    if (rc)
        return rc;
    f = rdsim_report_create_file(dir, "marks.gp", err);
    if (!f)
        return RDSIM_EIO;
    write_marks(f, ms);
    return close_in(f, dir, "marks.gp", err);
}

/*
 * DIR/availability-marks.gp: the writer and reader endpoints' down windows
 * (uptime) as strips along the bottom, and after each failover a band from
 * the first to the last client writing again, with a line at the median.
 */
static int write_availability_marks(const char *dir, json_t *s, struct rdsim_err *err)
{
    static const char *const eps[] = {"writer", "reader"};
    FILE *f = rdsim_report_create_file(dir, "availability-marks.gp", err);
    json_t *v;
    size_t i;
    int id = 500;

    if (!f)
        return RDSIM_EIO;
    fputs("# availability-marks.gp - uptime's down windows per endpoint (strips at the\n"
          "# bottom) and each failover's clients writing again (a band, first to last\n"
          "# client, a line at the median). Written by rdsim from summary.json.\n",
          f);
    for (int e = 0; e < 2; e++) {
        json_t *w = json_object_get(json_object_get(s, "unavailable_windows"), eps[e]);
        json_array_foreach(w, i, v) {
            double from = json_number_value(json_array_get(v, 0));
            double to = json_number_value(json_array_get(v, 1));
            fprintf(f, "set object %d rect from %.3f, graph %.3f to %.3f, graph %.3f front "
                       "fc rgb %s fs solid 0.8 noborder\n",
                    id++, from, 0.005 + 0.03 * e, to, 0.03 + 0.03 * e,
                    e ? "read_rgb" : "write_rgb");
        }
    }
    json_array_foreach(json_object_get(s, "failovers"), i, v) {
        json_t *c = json_object_get(v, "clients_recovered_s");
        double first = jnum(c, "first", NAN), p50 = jnum(c, "p50", NAN),
               last = jnum(c, "last", NAN);
        if (!isfinite(first))
            continue;
        if (!isfinite(last))
            last = jnum(s, "simulated_s", first);
        fprintf(f, "set object %d rect from %.3f, graph 0 to %.3f, graph 1 behind "
                   "fc rgb resume_rgb fs transparent solid 0.18 noborder\n",
                id++, first, last > first ? last : first + 0.05);
        if (isfinite(p50))
            fprintf(f, "set arrow %d from %.3f, graph 0 to %.3f, graph 0.6 nohead front lw 1.5 "
                       "dt 3 lc rgb resume_rgb\n",
                    id++, p50, p50);
    }
    return close_in(f, dir, "availability-marks.gp", err);
}

int rdsim_plot_write(const char *run_dir, struct rdsim_err *err)
{
    struct run_facts run = {0};
    struct marks *ms = NULL;
    struct timeline tl = {0};
    char dir[4096];
    int rc = read_run(run_dir, &run, err);

    if (rc)
        return rc;
    ms = calloc(1, sizeof(*ms));
    if (!ms) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto out;
    }
    snprintf(dir, sizeof(dir), "%s/plots", run_dir);
    rc = make_dir(dir, err);
    if (rc == 0)
        rc = clear_figures(dir, err);
    if (rc == 0)
        rc = write_scripts(dir, false, err);
    if (rc)
        goto out;
    read_timeline(run_dir, &tl);
    collect_marks(ms, run.summary, "", "phase_rgb", true, &tl);
    rc = write_facts_and_marks(
        dir,
        "# run.gp - this run's facts for the figure scripts, written by rdsim from\n"
        "# ../summary.json and ../timeseries.csv (rdsim plot writes it again).\n",
        run.title, run.end_s, run.interval_s, &run.cols, ms, "ts = '../timeseries.csv'\n", err);
    if (rc == 0)
        rc = write_availability_marks(dir, run.summary, err);
out:
    free(tl.rows);
    free(ms);
    json_decref(run.summary);
    return rc;
}

/* Copy a run's timeseries.csv into the comparison folder, so that the
 * folder renders on its own. */
static int copy_file(const char *from_dir, const char *to_dir, const char *to_name,
                     struct rdsim_err *err)
{
    char path[4096], buf[65536];
    FILE *in, *out;
    size_t n;

    snprintf(path, sizeof(path), "%s/timeseries.csv", from_dir);
    in = fopen(path, "rb");
    if (!in)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot read: %s", path, strerror(errno));
    out = rdsim_report_create_file(to_dir, to_name, err);
    if (!out) {
        fclose(in);
        return RDSIM_EIO;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    return close_in(out, to_dir, to_name, err);
}

/* The series both runs have, in the first run's order. */
static void common_words(const char *a, const char *b, char *out, size_t n)
{
    char copy[2048];

    out[0] = '\0';
    snprintf(copy, sizeof(copy), "%s", a);
    for (char *w = strtok(copy, " "); w; w = strtok(NULL, " ")) {
        char padded[2100], in_b[2100];
        snprintf(padded, sizeof(padded), " %s ", w);
        snprintf(in_b, sizeof(in_b), " %s ", b);
        if (strstr(in_b, padded))
            add_word(out, n, w, strlen(w));
    }
}

static void figure_cell(FILE *out, double v, char unit)
{
    char buf[32];

    if (!isfinite(v))
        snprintf(buf, sizeof(buf), "-");
    else if (unit == '%')
        snprintf(buf, sizeof(buf), "%.4f%%", 100.0 * v);
    else if (unit == 's')
        snprintf(buf, sizeof(buf), "%.1f s", v);
    else if (unit == 'm')
        snprintf(buf, sizeof(buf), v >= 1000 ? "%.2f s" : "%.2f ms", v >= 1000 ? v / 1000 : v);
    else
        snprintf(buf, sizeof(buf), "%.0f", v);
    fprintf(out, "  %-16s", buf);
}

int rdsim_plot_compare_figures(const char *dir_a, const char *dir_b, FILE *out,
                               struct rdsim_err *err)
{
    static const struct {
        const char *label, *path;
        char unit; /* % ratio, s seconds, m milliseconds, n count */
    } rows[] = {
        {"uptime (time served), writer", "uptime.writer", '%'},
        {"availability (operations ok), writer", "availability.writer", '%'},
        {"attempt success, writer", "attempt_success.writer", '%'},
        {"uptime (time served), reader", "uptime.reader", '%'},
        {"availability (operations ok), reader", "availability.reader", '%'},
        {"attempt success, reader", "attempt_success.reader", '%'},
        {"longest writer downtime", "max_writer_downtime_s", 's'},
        {"writer unavailable", "unavailable_s.writer", 's'},
        {"write p99 (failed at give-up)", "requests.write.p99_ms", 'm'},
        {"write ok p99", "requests.write.ok_p99_ms", 'm'},
        {"read p99 (failed at give-up)", "requests.read.p99_ms", 'm'},
        {"lost writes", "lost_writes", 'n'},
        {"stale reads", "stale_reads.count", 'n'},
    };
    struct run_facts a = {0}, b = {0};
    int rc = read_run(dir_a, &a, err);

    if (rc == 0)
        rc = read_run(dir_b, &b, err);
    if (rc)
        goto out;
    fprintf(out, "%-40s  %-16s  %-16s\n", "key figures", "A", "B");
    for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
        fprintf(out, "%-40s", rows[k].label);
        figure_cell(out, jpath(a.summary, rows[k].path), rows[k].unit);
        figure_cell(out, jpath(b.summary, rows[k].path), rows[k].unit);
        fputc('\n', out);
    }
    /* After the first failover: when the last client wrote again. */
    fprintf(out, "%-40s", "all clients wrote again, after fault");
    figure_cell(out, jpath(a.summary, "failovers.0.clients_recovered_s.last") -
                         jpath(a.summary, "failovers.0.at_s"), 's');
    figure_cell(out, jpath(b.summary, "failovers.0.clients_recovered_s.last") -
                         jpath(b.summary, "failovers.0.at_s"), 's');
    fputc('\n', out);
out:
    json_decref(a.summary);
    json_decref(b.summary);
    return rc;
}

int rdsim_plot_write_compare(const char *dir_a, const char *dir_b, const char *out_dir,
                             struct rdsim_err *err)
{
    struct run_facts a = {0}, b = {0};
    struct columns c;
    struct marks *ms = NULL;
    char title[1200], ts[64];
    int rc = read_run(dir_a, &a, err);

    if (rc == 0)
        rc = read_run(dir_b, &b, err);
    if (rc)
        goto out;
    memset(&c, 0, sizeof(c));
    common_words(a.cols.latency, b.cols.latency, c.latency, sizeof(c.latency));
    if (!c.latency[0]) {
        rc = rdsim_err_set(err, RDSIM_EINVAL, "%s and %s have no series in common (one of "
                           "them sent no operations)", dir_a, dir_b);
        goto out;
    }
    ms = calloc(1, sizeof(*ms));
    if (!ms) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto out;
    }
    rc = clear_figures(out_dir, err);
    if (rc == 0)
        rc = copy_file(dir_a, out_dir, "a.csv", err);
    if (rc == 0)
        rc = copy_file(dir_b, out_dir, "b.csv", err);
    if (rc == 0)
        rc = write_scripts(out_dir, true, err);
    if (rc)
        goto out;
    /* Faults from A only: a comparison changes the design, not the faults. */
    collect_marks(ms, a.summary, "A: ", "run_a_rgb", true, NULL);
    collect_marks(ms, b.summary, "B: ", "run_b_rgb", false, NULL);
    merge_common_marks(ms);
    snprintf(title, sizeof(title), "A = %s   B = %s", a.title, b.title);
    snprintf(ts, sizeof(ts), "ts_a = 'a.csv'\nts_b = 'b.csv'\n");
    rc = write_facts_and_marks(
        out_dir,
        "# run.gp - the facts of two runs for the comparison scripts, written by\n"
        "# rdsim plot --compare from their summary.json and timeseries.csv.\n",
        title, fmax(a.end_s, b.end_s), a.interval_s, &c, ms, ts, err);
out:
    free(ms);
    json_decref(a.summary);
    json_decref(b.summary);
    return rc;
}
