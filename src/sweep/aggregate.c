/*
 * aggregate.c - from the runs' rows to runs.csv, points.csv, sweep.sqlite,
 * report.md and the CDF plots of a sweep folder (report.md's text is
 * report.c's; the statistics it reads are made here).
 *
 * Rows are sorted by point and by the seed's position in the sweep before
 * anything is computed, and every number goes through one formatter, so the
 * files depend on the set of rows only: not on the engine that ran them,
 * the number of workers or the order in which they finished. Each file is
 * written under a temporary name and renamed, so a reader never sees half
 * of one. Nothing here reads the clock or names the folder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rdsim/report.h"
#include "rdsim/sweep.h"

#include "internal.h"

struct seedpos {
    uint64_t seed;
    size_t pos;
};

static int cmp_seedpos(const void *a, const void *b)
{
    const struct seedpos *x = a, *y = b;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Rows carry the seed's position while sorting. */
struct keyed {
    size_t point, pos;
    struct rdsim_sweep_row *row;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->point != y->point)
        return x->point < y->point ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void sw_num(FILE *f, double v)
{
    char buf[64];
    rdsim_sweep_format_number(v, buf, sizeof buf);
    fputs(buf, f);
}

/* ---- files ------------------------------------------------------------------ */

int sw_out_open(struct sw_out *o, const char *dir, const char *name, struct rdsim_err *err)
{
    snprintf(o->final, sizeof o->final, "%s/%s", dir, name);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp", dir, name);
    o->f = fopen(o->tmp, "w");
    if (o->f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", o->tmp, strerror(errno));
    return 0;
}

int sw_out_close(struct sw_out *o, struct rdsim_err *err)
{
    int bad = ferror(o->f);
    if (fclose(o->f) != 0 || bad) {
        unlink(o->tmp);
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", o->final);
    }
    if (rename(o->tmp, o->final) != 0)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot rename into place: %s", o->final,
                             strerror(errno));
    return 0;
}

/* ---- per point ---------------------------------------------------------------- */

static void point_stats(struct keyed *k, size_t n, double *scratch,
                        struct rdsim_sweep_point_stats *s)
{
    memset(s, 0, sizeof *s);
    s->runs = n;
    for (size_t i = 0; i < n; i++) {
        int code = k[i].row->exit_code;
        if (code == 0 || code == 3)
            s->completed++;
        else
            s->errors++;
        if (code == 0)
            s->slo_met++;
    }
    s->slo_p = s->completed ? (double)s->slo_met / (double)s->completed : 0.0;
    rdsim_sweep_wilson(s->slo_met, s->completed, 1.959963984540054, &s->slo_lo, &s->slo_hi);
    for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++) {
        size_t m = 0;
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            const struct rdsim_sweep_row *r = k[i].row;
            if ((r->exit_code == 0 || r->exit_code == 3) && r->has[f])
                scratch[m++] = r->fig[f];
        }
        s->n[f] = m;
        if (m == 0)
            continue;
        qsort(scratch, m, sizeof *scratch, cmp_double);
        /* Summed in sorted order: the mean does not depend on row order. */
        for (size_t i = 0; i < m; i++)
            sum += scratch[i];
        s->mean[f] = sum / (double)m;
        s->p50[f] = rdsim_sweep_quantile(scratch, m, 0.50);
        s->p90[f] = rdsim_sweep_quantile(scratch, m, 0.90);
        s->p99[f] = rdsim_sweep_quantile(scratch, m, 0.99);
        s->max[f] = scratch[m - 1];
    }
}

/* ---- the tables ------------------------------------------------------------------ */

void sw_point_labels(const struct rdsim_sweep_plan *pl, size_t p, size_t *idx)
{
    for (size_t a = pl->n_axes; a-- > 0;) {
        idx[a] = p % pl->n_values[a];
        p /= pl->n_values[a];
    }
}

static const char *const stat_names[] = {"mean", "p50", "p90", "p99", "max"};

/* The columns that name a point in runs.csv and points.csv: "point" and
 * each varied path, then a point's labels in the same order. */
static void csv_point_header(FILE *f, const struct rdsim_sweep_plan *pl)
{
    fputs("point", f);
    for (size_t a = 0; a < pl->n_axes; a++) {
        fputc(',', f);
        rdsim_csv_field(f, pl->axis_paths[a]);
    }
}

static void csv_point_labels(FILE *f, const struct rdsim_sweep_plan *pl, size_t p)
{
    size_t idx[RDSIM_SWEEP_MAX_AXES];

    sw_point_labels(pl, p, idx);
    for (size_t a = 0; a < pl->n_axes; a++) {
        fputc(',', f);
        rdsim_csv_field(f, pl->labels[a][idx[a]]);
    }
}

static int write_runs_csv(const struct rdsim_sweep_plan *pl, const struct keyed *k, size_t n,
                          const char *dir, struct rdsim_err *err)
{
    struct sw_out o;
    int rc = sw_out_open(&o, dir, "runs.csv", err);
    if (rc)
        return rc;
    csv_point_header(o.f, pl);
    fputs(",seed,exit", o.f);
    for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++)
        fprintf(o.f, ",%s", rdsim_sweep_fig_columns[f]);
    fputc('\n', o.f);
    for (size_t i = 0; i < n; i++) {
        const struct rdsim_sweep_row *r = k[i].row;
        fprintf(o.f, "%zu", r->point);
        csv_point_labels(o.f, pl, r->point - 1);
        fprintf(o.f, ",%llu,%d", (unsigned long long)r->seed, r->exit_code);
        bool figs = r->exit_code == 0 || r->exit_code == 3;
        for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++) {
            fputc(',', o.f);
            if (figs && r->has[f])
                sw_num(o.f, r->fig[f]);
        }
        fputc('\n', o.f);
    }
    return sw_out_close(&o, err);
}

static int write_points_csv(const struct rdsim_sweep_plan *pl,
                            const struct rdsim_sweep_point_stats *ps, const char *dir,
                            struct rdsim_err *err)
{
    struct sw_out o;
    int rc = sw_out_open(&o, dir, "points.csv", err);
    if (rc)
        return rc;
    csv_point_header(o.f, pl);
    fputs(",runs,errors,slo_met,slo_p,slo_lo,slo_hi", o.f);
    for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++)
        for (int s = 0; s < 5; s++)
            fprintf(o.f, ",%s_%s", rdsim_sweep_fig_columns[f], stat_names[s]);
    fputc('\n', o.f);
    for (size_t p = 0; p < pl->n_points; p++) {
        const struct rdsim_sweep_point_stats *s = &ps[p];
        fprintf(o.f, "%zu", p + 1);
        csv_point_labels(o.f, pl, p);
        fprintf(o.f, ",%zu,%zu,%zu,", s->runs, s->errors, s->slo_met);
        if (s->completed) {
            sw_num(o.f, s->slo_p);
            fputc(',', o.f);
            sw_num(o.f, s->slo_lo);
            fputc(',', o.f);
            sw_num(o.f, s->slo_hi);
        } else {
            fputs(",,", o.f);
        }
        for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++) {
            const double *v[5] = {&s->mean[f], &s->p50[f], &s->p90[f], &s->p99[f], &s->max[f]};
            for (int st = 0; st < 5; st++) {
                fputc(',', o.f);
                if (s->n[f])
                    sw_num(o.f, *v[st]);
            }
        }
        fputc('\n', o.f);
    }
    return sw_out_close(&o, err);
}

/* ---- sweep.sqlite ---------------------------------------------------------------------- */

static int db_fail(sqlite3 *db, const char *path, struct rdsim_err *err)
{
    return rdsim_err_set(err, RDSIM_EDB, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
}

/* "name" with its quotes doubled, for an identifier. */
static void ident(char *buf, size_t n, const char *name)
{
    size_t o = 0;
    if (n < 3)
        return;
    buf[o++] = '"';
    for (const char *p = name; *p && o + 3 < n; p++) {
        if (*p == '"')
            buf[o++] = '"';
        buf[o++] = *p;
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

static void bind_num(sqlite3_stmt *st, int i, bool has, double v)
{
    char buf[64];
    if (!has) {
        sqlite3_bind_null(st, i);
        return;
    }
    /* The value the CSV shows, so both tables agree to the digit. */
    rdsim_sweep_format_number(v, buf, sizeof buf);
    sqlite3_bind_double(st, i, strtod(buf, NULL));
}

static int write_sqlite(const struct rdsim_sweep_plan *pl, const struct keyed *k, size_t n,
                        const struct rdsim_sweep_point_stats *ps, const char *dir,
                        struct rdsim_err *err)
{
    char tmp[4200], final[4200], id[300], *sql = NULL;
    size_t idx[RDSIM_SWEEP_MAX_AXES], cap = 16384;
    sqlite3 *db = NULL;
    sqlite3_stmt *ins_run = NULL, *ins_point = NULL;
    int rc = 0;

    snprintf(final, sizeof final, "%s/sweep.sqlite", dir);
    snprintf(tmp, sizeof tmp, "%s/.sweep.sqlite.tmp", dir);
    unlink(tmp);
    if ((sql = malloc(cap)) == NULL)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    if (sqlite3_open(tmp, &db) != SQLITE_OK) {
        rc = db_fail(db, tmp, err);
        goto out;
    }
    if (sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN", NULL, NULL,
                     NULL) != SQLITE_OK) {
        rc = db_fail(db, tmp, err);
        goto out;
    }

    /* runs */
    size_t o = (size_t)snprintf(sql, cap, "CREATE TABLE runs (point INTEGER");
    for (size_t a = 0; a < pl->n_axes; a++) {
        ident(id, sizeof id, pl->axis_paths[a]);
        o += (size_t)snprintf(sql + o, cap - o, ", %s TEXT", id);
    }
    o += (size_t)snprintf(sql + o, cap - o, ", seed INTEGER, exit INTEGER");
    for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++)
        o += (size_t)snprintf(sql + o, cap - o, ", %s REAL", rdsim_sweep_fig_columns[f]);
    snprintf(sql + o, cap - o, ")");
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(db, tmp, err);
        goto out;
    }
    o = (size_t)snprintf(sql, cap, "INSERT INTO runs VALUES (?");
    for (size_t c = 1; c < pl->n_axes + 3 + RDSIM_SWEEP_N_FIGS; c++)
        o += (size_t)snprintf(sql + o, cap - o, ", ?");
    snprintf(sql + o, cap - o, ")");
    if (sqlite3_prepare_v2(db, sql, -1, &ins_run, NULL) != SQLITE_OK) {
        rc = db_fail(db, tmp, err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct rdsim_sweep_row *r = k[i].row;
        int c = 1;
        sqlite3_reset(ins_run);
        sqlite3_bind_int64(ins_run, c++, (sqlite3_int64)r->point);
        sw_point_labels(pl, r->point - 1, idx);
        for (size_t a = 0; a < pl->n_axes; a++)
            sqlite3_bind_text(ins_run, c++, pl->labels[a][idx[a]], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_run, c++, (sqlite3_int64)r->seed);
        sqlite3_bind_int(ins_run, c++, r->exit_code);
        bool figs = r->exit_code == 0 || r->exit_code == 3;
        for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++)
            bind_num(ins_run, c++, figs && r->has[f], r->fig[f]);
        if (sqlite3_step(ins_run) != SQLITE_DONE) {
            rc = db_fail(db, tmp, err);
            goto out;
        }
    }

    /* points */
    o = (size_t)snprintf(sql, cap, "CREATE TABLE points (point INTEGER PRIMARY KEY");
    for (size_t a = 0; a < pl->n_axes; a++) {
        ident(id, sizeof id, pl->axis_paths[a]);
        o += (size_t)snprintf(sql + o, cap - o, ", %s TEXT", id);
    }
    o += (size_t)snprintf(sql + o, cap - o, ", runs INTEGER, errors INTEGER, slo_met INTEGER, "
                          "slo_p REAL, slo_lo REAL, slo_hi REAL");
    for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++)
        for (int s = 0; s < 5; s++)
            o += (size_t)snprintf(sql + o, cap - o, ", %s_%s REAL", rdsim_sweep_fig_columns[f],
                                  stat_names[s]);
    snprintf(sql + o, cap - o, ")");
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(db, tmp, err);
        goto out;
    }
    o = (size_t)snprintf(sql, cap, "INSERT INTO points VALUES (?");
    for (size_t c = 1; c < pl->n_axes + 7 + 5 * RDSIM_SWEEP_N_FIGS; c++)
        o += (size_t)snprintf(sql + o, cap - o, ", ?");
    snprintf(sql + o, cap - o, ")");
    if (sqlite3_prepare_v2(db, sql, -1, &ins_point, NULL) != SQLITE_OK) {
        rc = db_fail(db, tmp, err);
        goto out;
    }
    for (size_t p = 0; p < pl->n_points; p++) {
        const struct rdsim_sweep_point_stats *s = &ps[p];
        int c = 1;
        sqlite3_reset(ins_point);
        sqlite3_bind_int64(ins_point, c++, (sqlite3_int64)p + 1);
        sw_point_labels(pl, p, idx);
        for (size_t a = 0; a < pl->n_axes; a++)
            sqlite3_bind_text(ins_point, c++, pl->labels[a][idx[a]], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_point, c++, (sqlite3_int64)s->runs);
        sqlite3_bind_int64(ins_point, c++, (sqlite3_int64)s->errors);
        sqlite3_bind_int64(ins_point, c++, (sqlite3_int64)s->slo_met);
        bind_num(ins_point, c++, s->completed > 0, s->slo_p);
        bind_num(ins_point, c++, s->completed > 0, s->slo_lo);
        bind_num(ins_point, c++, s->completed > 0, s->slo_hi);
        for (int f = 0; f < RDSIM_SWEEP_N_FIGS; f++) {
            bind_num(ins_point, c++, s->n[f] > 0, s->mean[f]);
            bind_num(ins_point, c++, s->n[f] > 0, s->p50[f]);
            bind_num(ins_point, c++, s->n[f] > 0, s->p90[f]);
            bind_num(ins_point, c++, s->n[f] > 0, s->p99[f]);
            bind_num(ins_point, c++, s->n[f] > 0, s->max[f]);
        }
        if (sqlite3_step(ins_point) != SQLITE_DONE) {
            rc = db_fail(db, tmp, err);
            goto out;
        }
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(db, tmp, err);

out:
    sqlite3_finalize(ins_run);
    sqlite3_finalize(ins_point);
    if (db != NULL && sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = rdsim_err_set(err, RDSIM_EDB, "%s: cannot close", tmp);
    free(sql);
    if (rc == 0 && rename(tmp, final) != 0)
        rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot rename into place: %s", final,
                           strerror(errno));
    if (rc != 0)
        unlink(tmp);
    return rc;
}

/* ---- plots ---------------------------------------------------------------------------- */

static void gp_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void point_title(const struct rdsim_sweep_plan *pl, size_t p, char *buf, size_t n)
{
    size_t idx[RDSIM_SWEEP_MAX_AXES], o = 0;
    sw_point_labels(pl, p, idx);
    o = (size_t)snprintf(buf, n, "%zu", p + 1);
    for (size_t a = 0; a < pl->n_axes && o < n; a++) {
        const char *last = strrchr(pl->axis_paths[a], '.');
        int w = snprintf(buf + o, n - o, "%s %s=%s", a ? "," : ":",
                         last ? last + 1 : pl->axis_paths[a], pl->labels[a][idx[a]]);
        o += w > 0 ? (size_t)w : 0;
    }
}

/* One CDF: a data file with one block per point that has the figure, and
 * a script drawing them as steps with the SLO's limit as a dashed line. */
static int write_cdf(const struct rdsim_sweep_plan *pl, const struct keyed *k, size_t n,
                     const size_t *first, int fig, const char *stem, const char *title,
                     const char *xlabel, double limit, const char *dir, double *scratch,
                     struct rdsim_err *err)
{
    char pdir[4200], name[64];
    struct sw_out data, gp;
    size_t blocks = 0;
    int rc;

    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    snprintf(name, sizeof name, "%s.dat", stem);
    if ((rc = sw_out_open(&data, pdir, name, err)) != 0)
        return rc;
    bool *drawn = calloc(pl->n_points, sizeof *drawn);
    if (drawn == NULL) {
        fclose(data.f);
        unlink(data.tmp);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    for (size_t p = 0; p < pl->n_points; p++) {
        size_t m = 0;
        for (size_t i = first[p]; i < first[p + 1]; i++) {
            const struct rdsim_sweep_row *r = k[i].row;
            if ((r->exit_code == 0 || r->exit_code == 3) && r->has[fig])
                scratch[m++] = r->fig[fig];
        }
        if (m == 0)
            continue;
        qsort(scratch, m, sizeof *scratch, cmp_double);
        if (blocks++)
            fputs("\n\n", data.f);
        fprintf(data.f, "# point %zu\n", p + 1);
        /* The step up from 0 at the smallest value. */
        sw_num(data.f, scratch[0]);
        fputs(" 0\n", data.f);
        for (size_t i = 0; i < m; i++) {
            sw_num(data.f, scratch[i]);
            fputc(' ', data.f);
            sw_num(data.f, (double)(i + 1) / (double)m);
            fputc('\n', data.f);
        }
        drawn[p] = true;
    }
    if ((rc = sw_out_close(&data, err)) != 0) {
        free(drawn);
        return rc;
    }
    snprintf(name, sizeof name, "%s.gp", stem);
    if ((rc = sw_out_open(&gp, pdir, name, err)) != 0) {
        free(drawn);
        return rc;
    }
    FILE *f = gp.f;
    fprintf(f, "# %s: one line per point, written by rdsim sweep; run in this folder:\n"
               "#   gnuplot -e \"formats='png svg'\" %s.gp\n", title, stem);
    fputs("if (!exists(\"formats\")) formats = \"png\"\n", f);
    fprintf(f, "set title ");
    gp_string(f, title);
    fprintf(f, "\nset xlabel ");
    gp_string(f, xlabel);
    fputs("\nset ylabel \"share of runs at or below\"\nset yrange [0:1.02]\n"
          "set key bottom right noenhanced\nset grid\n", f);
    if (limit >= 0) {
        fputs("set arrow 1 from ", f);
        sw_num(f, limit);
        fputs(", graph 0 to ", f);
        sw_num(f, limit);
        fputs(", graph 1 nohead dashtype 2 linewidth 2 linecolor rgb \"#cc0000\"\n"
              "set label 1 \"SLO\" at ", f);
        sw_num(f, limit);
        fputs(", graph 0.97 offset 0.5,0 textcolor rgb \"#cc0000\"\n", f);
        /* The line must be on the chart even when every run is below it. */
        fputs("set xrange [0:*]\nset offsets 0, graph 0.05, 0, 0\n", f);
    }
    fprintf(f, "array t[%zu]\n", blocks > 0 ? blocks : 1);
    size_t b = 0;
    char label[512];
    for (size_t p = 0; p < pl->n_points; p++) {
        if (!drawn[p])
            continue;
        point_title(pl, p, label, sizeof label);
        fprintf(f, "t[%zu] = ", ++b);
        gp_string(f, label);
        fputc('\n', f);
    }
    free(drawn);
    if (blocks == 0) {
        fputs("# no run had this figure: nothing to draw\n", f);
    } else {
        fprintf(f, "plot_it = \"plot for [i=0:%zu] '%s.dat' index i using 1:2 with steps "
                   "linewidth 2 title t[i+1]\"\n", blocks - 1, stem);
        fprintf(f, "if (strstrt(formats, \"png\") > 0) {\n"
                   "  set terminal pngcairo size 960,540 font \"sans,10\"\n"
                   "  set output '%s.png'\n  eval plot_it\n  set output\n}\n"
                   "if (strstrt(formats, \"svg\") > 0) {\n"
                   "  set terminal svg size 960,540 font \"sans,10\"\n"
                   "  set output '%s.svg'\n  eval plot_it\n  set output\n}\n", stem, stem);
    }
    return sw_out_close(&gp, err);
}

/* ---- entry ---------------------------------------------------------------------------------- */

int rdsim_sweep_aggregate(const struct rdsim_sweep_plan *pl, struct rdsim_sweep_row *rows,
                          size_t n_rows, const char *dir, size_t *missing,
                          struct rdsim_err *err)
{
    struct seedpos *sp = NULL;
    struct keyed *k = NULL;
    struct rdsim_sweep_point_stats *ps = NULL;
    size_t *first = NULL;
    double *scratch = NULL;
    char pdir[4200];
    int rc = 0;

    *missing = 0;
    sp = malloc((pl->n_seeds ? pl->n_seeds : 1) * sizeof *sp);
    k = malloc((n_rows ? n_rows : 1) * sizeof *k);
    ps = calloc(pl->n_points ? pl->n_points : 1, sizeof *ps);
    first = calloc(pl->n_points + 1, sizeof *first);
    scratch = malloc((n_rows ? n_rows : 1) * sizeof *scratch);
    if (!sp || !k || !ps || !first || !scratch) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < pl->n_seeds; i++)
        sp[i] = (struct seedpos){pl->seeds[i], i};
    qsort(sp, pl->n_seeds, sizeof *sp, cmp_seedpos);
    for (size_t i = 0; i < n_rows; i++) {
        struct seedpos key = {rows[i].seed, 0};
        struct seedpos *hit = bsearch(&key, sp, pl->n_seeds, sizeof *sp, cmp_seedpos);
        if (rows[i].point < 1 || rows[i].point > pl->n_points || hit == NULL) {
            rc = rdsim_err_set(err, RDSIM_EINVAL, "a row for point %zu, seed %llu, which the "
                               "sweep does not have", rows[i].point,
                               (unsigned long long)rows[i].seed);
            goto out;
        }
        k[i] = (struct keyed){rows[i].point, hit->pos, &rows[i]};
    }
    qsort(k, n_rows, sizeof *k, cmp_keyed);
    for (size_t i = 1; i < n_rows; i++)
        if (k[i].point == k[i - 1].point && k[i].pos == k[i - 1].pos) {
            rc = rdsim_err_set(err, RDSIM_EINVAL, "two rows for point %zu, seed %llu",
                               k[i].point, (unsigned long long)k[i].row->seed);
            goto out;
        }
    *missing = pl->n_points * pl->n_seeds - n_rows;
    for (size_t i = 0, p = 0; p < pl->n_points; p++) {
        first[p] = i;
        while (i < n_rows && k[i].point == p + 1)
            i++;
        first[p + 1] = i;
        point_stats(k + first[p], first[p + 1] - first[p], scratch, &ps[p]);
    }

    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    if (mkdir(pdir, 0777) != 0 && errno != EEXIST) {
        rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot create folder: %s", pdir, strerror(errno));
        goto out;
    }
    if ((rc = write_runs_csv(pl, k, n_rows, dir, err)) != 0 ||
        (rc = write_points_csv(pl, ps, dir, err)) != 0 ||
        (rc = write_sqlite(pl, k, n_rows, ps, dir, err)) != 0 ||
        (rc = write_cdf(pl, k, n_rows, first, RDSIM_SWEEP_FIG_DOWNTIME, "cdf-downtime",
                        "Maximum writer downtime per run", "maximum writer downtime (s)",
                        pl->slo_downtime_s, dir, scratch, err)) != 0 ||
        (rc = write_cdf(pl, k, n_rows, first, RDSIM_SWEEP_FIG_LOST, "cdf-lost-writes",
                        "Lost writes per run", "acknowledged writes lost", pl->slo_lost, dir,
                        scratch, err)) != 0 ||
        (rc = sw_write_report(pl, ps, n_rows, *missing, dir, err)) != 0)
        goto out;

out:
    free(sp);
    free(k);
    free(ps);
    free(first);
    free(scratch);
    return rc;
}
