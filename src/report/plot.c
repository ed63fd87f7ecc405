/*
 * plot.c - the gnuplot scripts of a results folder.
 *
 * A results folder is self-describing: DIR/plots gets the figure scripts
 * compiled into the binary (the .gp files of plots/ in the source tree) and two files
 * written from DIR/summary.json and the header of DIR/timeseries.csv:
 * run.gp (the run's facts: title, columns, duration) and marks.gp (marks.c: fault
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

#include "plot_impl.h"

extern const struct rdsim_asset rdsim_plot_assets[];



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

double plot_jnum(json_t *o, const char *key, double dflt)
{
    json_t *v = json_object_get(o, key);

    return json_is_number(v) ? json_number_value(v) : dflt;
}

const char *plot_jstr(json_t *o, const char *key, const char *dflt)
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
             plot_jstr(run->summary, "scenario", "?"), plot_jnum(run->summary, "seed", 0),
             plot_jstr(run->summary, "rdsim_version", "?"));
    run->end_s = plot_jnum(run->summary, "simulated_s", 0);
    run->interval_s = plot_jnum(run->summary, "sample_interval_s", 1);
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
    plot_gp_string(f, title);
    fprintf(f, "\nrun_end_s = %.3f\nrun_interval_s = %.3f\n", end_s, interval_s);
    const char *const names[] = {"latency_cols", "role_cols", "lag_cols", "acu_cols"};
    const char *const values[] = {c->latency, c->roles, c->lags, c->acus};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        fprintf(f, "%s = ", names[i]);
        plot_gp_string(f, values[i]);
        fputc('\n', f);
    }
    fprintf(f, "marks_rows = %d\n", marks_rows);
}

static int write_facts_and_marks(const char *dir, const char *facts_head, const char *title,
                                 double end_s, double interval_s, const struct columns *c,
                                 struct marks *ms, const char *ts_lines, struct rdsim_err *err)
{
    FILE *f;
    int rc;

    plot_place_labels(ms, end_s);
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
    plot_write_marks(f, ms);
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
        double first = plot_jnum(c, "first", NAN), p50 = plot_jnum(c, "p50", NAN),
               last = plot_jnum(c, "last", NAN);
        if (!isfinite(first))
            continue;
        if (!isfinite(last))
            last = plot_jnum(s, "simulated_s", first);
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
    plot_read_timeline(run_dir, &tl);
    plot_collect_marks(ms, run.summary, "", "phase_rgb", true, &tl);
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
    plot_collect_marks(ms, a.summary, "A: ", "run_a_rgb", true, NULL);
    plot_collect_marks(ms, b.summary, "B: ", "run_b_rgb", false, NULL);
    plot_merge_marks(ms);
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
