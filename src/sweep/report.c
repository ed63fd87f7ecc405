/*
 * report.c - a sweep folder's report.md: the points ranked by the
 * probability of meeting the SLO, which varied parameter moves writer
 * downtime most, and the files beside it.
 *
 * It reads only the per-point statistics aggregate.c made from the sorted
 * rows, so, like the tables, its text depends on the set of rows alone.
 * Every number goes through rdsim_sweep_format_number. It does not compute
 * statistics, write the tables or draw the plots.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdsim/sweep.h"

#include "internal.h"

static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

static void md_fig(FILE *f, const struct rdsim_sweep_point_stats *s, int fig, const double *v)
{
    fputs(" | ", f);
    if (s->n[fig])
        sw_num(f, *v);
    else
        fputs("-", f);
}

struct rank {
    size_t point;
    double p;
    bool has;
};

static int cmp_rank(const void *a, const void *b)
{
    const struct rank *x = a, *y = b;
    if (x->has != y->has)
        return x->has ? -1 : 1;
    if (x->has && x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return x->point < y->point ? -1 : x->point > y->point;
}

/* Which axis moves a figure most: for each axis and value, the mean over
 * the points with that value of their per-point means (each point counts
 * once, so an axis is judged over the same mix of the others). */
static void marginal(const struct rdsim_sweep_plan *pl, const struct rdsim_sweep_point_stats *ps,
                     size_t axis, bool slo, int fig, double *lo, size_t *lo_j, double *hi,
                     size_t *hi_j, bool *any)
{
    size_t idx[RDSIM_SWEEP_MAX_AXES];
    *any = false;
    for (size_t j = 0; j < pl->n_values[axis]; j++) {
        double sum = 0;
        size_t cnt = 0;
        for (size_t p = 0; p < pl->n_points; p++) {
            sw_point_labels(pl, p, idx);
            if (idx[axis] != j)
                continue;
            if (slo ? ps[p].completed > 0 : ps[p].n[fig] > 0) {
                sum += slo ? ps[p].slo_p : ps[p].mean[fig];
                cnt++;
            }
        }
        if (cnt == 0)
            continue;
        double m = sum / (double)cnt;
        if (!*any || m < *lo) {
            *lo = m;
            *lo_j = j;
        }
        if (!*any || m > *hi) {
            *hi = m;
            *hi_j = j;
        }
        *any = true;
    }
}

/* A number for a sentence: `decimals` places, trailing zeros dropped. */
static void prose(FILE *f, double v, int decimals)
{
    char buf[64];
    double scale = pow(10.0, decimals);
    rdsim_sweep_format_number(round(v * scale) / scale, buf, sizeof buf);
    fputs(buf, f);
}

/* "LO UNIT (its label) to HI UNIT (its label)" for a sentence: an axis's
 * lowest and highest marginal, `decimals` places. */
static void span(FILE *f, const char *const *labels, double lo, size_t lo_j, double hi,
                 size_t hi_j, int decimals, const char *unit)
{
    prose(f, lo, decimals);
    fprintf(f, "%s (", unit);
    md_cell(f, labels[lo_j]);
    fputs(") to ", f);
    prose(f, hi, decimals);
    fprintf(f, "%s (", unit);
    md_cell(f, labels[hi_j]);
    fputs(")", f);
}

static void write_mover(FILE *f, const struct rdsim_sweep_plan *pl,
                        const struct rdsim_sweep_point_stats *ps)
{
    if (pl->n_axes == 0) {
        fputs("Nothing is varied: one point over the seeds, so the table above is the whole "
              "story.\n", f);
        return;
    }
    size_t best = 0;
    double best_range = -1;
    for (size_t a = 0; a < pl->n_axes; a++) {
        double lo = 0, hi = 0;
        size_t lj = 0, hj = 0;
        bool any;
        marginal(pl, ps, a, false, RDSIM_SWEEP_FIG_DOWNTIME, &lo, &lj, &hi, &hj, &any);
        if (any && hi - lo > best_range) {
            best_range = hi - lo;
            best = a;
        }
    }
    if (best_range < 0) {
        fputs("No run finished with figures, so nothing can be said about the parameters.\n", f);
        return;
    }
    double lo = 0, hi = 0, slo_lo = 0, slo_hi = 0;
    size_t lj = 0, hj = 0, slj = 0, shj = 0;
    bool any, slo_any;
    marginal(pl, ps, best, false, RDSIM_SWEEP_FIG_DOWNTIME, &lo, &lj, &hi, &hj, &any);
    marginal(pl, ps, best, true, 0, &slo_lo, &slj, &slo_hi, &shj, &slo_any);
    if (pl->n_axes > 1)
        fprintf(f, "Of the varied parameters, `%s` moves writer downtime the most: averaged "
                "over the other parameters, its ", pl->axis_paths[best]);
    else
        fprintf(f, "Only `%s` is varied: its ", pl->axis_paths[best]);
    fputs("mean maximum writer downtime runs from ", f);
    span(f, pl->labels[best], lo, lj, hi, hj, 1, " s");
    if (slo_any) {
        fputs(", and the probability of meeting the SLO from ", f);
        span(f, pl->labels[best], slo_lo, slj, slo_hi, shj, 3, "");
    }
    fputs(".", f);
    for (size_t a = 0; a < pl->n_axes; a++) {
        if (a == best)
            continue;
        double l2 = 0, h2 = 0;
        size_t x, y;
        marginal(pl, ps, a, false, RDSIM_SWEEP_FIG_DOWNTIME, &l2, &x, &h2, &y, &any);
        if (!any)
            continue;
        fprintf(f, " `%s` moves it by ", pl->axis_paths[a]);
        prose(f, h2 - l2, 1);
        fputs(" s.", f);
    }
    fputc('\n', f);
}

int sw_write_report(const struct rdsim_sweep_plan *pl, const struct rdsim_sweep_point_stats *ps,
                    size_t n_rows, size_t missing, const char *dir, struct rdsim_err *err)
{
    struct sw_out o;
    size_t idx[RDSIM_SWEEP_MAX_AXES], errors = 0;
    int rc = sw_out_open(&o, dir, "report.md", err);
    if (rc)
        return rc;
    FILE *f = o.f;
    struct rank *rk = calloc(pl->n_points, sizeof *rk);
    if (rk == NULL) {
        fclose(f);
        unlink(o.tmp);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    for (size_t p = 0; p < pl->n_points; p++) {
        rk[p] = (struct rank){p, ps[p].slo_p, ps[p].completed > 0};
        errors += ps[p].errors;
    }
    qsort(rk, pl->n_points, sizeof *rk, cmp_rank);

    fputs("# Sweep: ", f);
    md_cell(f, pl->name);
    fprintf(f, "\n\n%zu point%s x %zu seed%s = %zu runs; %zu finished", pl->n_points,
            pl->n_points == 1 ? "" : "s", pl->n_seeds, pl->n_seeds == 1 ? "" : "s",
            pl->n_points * pl->n_seeds, n_rows);
    if (missing)
        fprintf(f, ", **%zu missing** (not finished, or lost: `rdsim sweep collect` says which)",
                missing);
    if (errors)
        fprintf(f, ", **%zu failed** without figures (exit 1, 2 or a signal; see runs.csv)",
                errors);
    fputs(".\n\n", f);
    if (pl->slo_text) {
        fputs("SLO (a run meets it when it exits 0, every expectation met): ", f);
        md_cell(f, pl->slo_text);
        fputs(".\n\n", f);
    }
    fputs("## Points ranked by the probability of meeting the SLO\n\n"
          "P(SLO) is the share of finished runs that met it, with its 95% Wilson interval; "
          "downtime is each run's maximum writer downtime in seconds (nearest-rank "
          "percentiles over the runs).\n\n", f);
    fputs("| rank | point", f);
    for (size_t a = 0; a < pl->n_axes; a++) {
        fputs(" | ", f);
        md_cell(f, pl->axis_paths[a]);
    }
    fputs(" | runs | SLO met | P(SLO) | 95% interval | downtime p50 | p90 | p99 | max | "
          "lost writes max | writer availability mean |\n|---|---", f);
    for (size_t a = 0; a < pl->n_axes; a++)
        fputs("|---", f);
    fputs("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n", f);
    for (size_t r = 0; r < pl->n_points; r++) {
        size_t p = rk[r].point;
        const struct rdsim_sweep_point_stats *s = &ps[p];
        fprintf(f, "| %zu | %zu", r + 1, p + 1);
        sw_point_labels(pl, p, idx);
        for (size_t a = 0; a < pl->n_axes; a++) {
            fputs(" | ", f);
            md_cell(f, pl->labels[a][idx[a]]);
        }
        fprintf(f, " | %zu | %zu | ", s->runs, s->slo_met);
        if (s->completed) {
            sw_num(f, s->slo_p);
            fputs(" | ", f);
            sw_num(f, s->slo_lo);
            fputs("..", f);
            sw_num(f, s->slo_hi);
        } else {
            fputs("- | -", f);
        }
        int d = RDSIM_SWEEP_FIG_DOWNTIME;
        md_fig(f, s, d, &s->p50[d]);
        md_fig(f, s, d, &s->p90[d]);
        md_fig(f, s, d, &s->p99[d]);
        md_fig(f, s, d, &s->max[d]);
        md_fig(f, s, RDSIM_SWEEP_FIG_LOST, &s->max[RDSIM_SWEEP_FIG_LOST]);
        md_fig(f, s, RDSIM_SWEEP_FIG_AVAIL_WRITER, &s->mean[RDSIM_SWEEP_FIG_AVAIL_WRITER]);
        fputs(" |\n", f);
    }
    free(rk);
    fputs("\n## What moves the figures\n\n", f);
    write_mover(f, pl, ps);
    fputs("\n## Distributions\n\n"
          "One line per point: the share of runs (y) whose figure is at or below x; the "
          "dashed line is the SLO's limit. Drawn by gnuplot when it is installed "
          "(`plots/*.gp` otherwise).\n\n"
          "![Writer downtime CDF](plots/cdf-downtime.png)\n\n"
          "![Lost writes CDF](plots/cdf-lost-writes.png)\n\n"
          "## Files\n\n"
          "- `runs.csv`: one row per point and seed, with the exit status and the run's "
          "figures (empty when it had none)\n"
          "- `points.csv`: per point, runs, errors, SLO met, P(SLO) and its interval, and "
          "for each figure its mean, p50, p90, p99 and max\n"
          "- `sweep.sqlite`: the same two tables, as `runs` and `points` "
          "(`sqlite3 sweep.sqlite 'select * from points order by slo_p desc'`)\n"
          "- `points/`: each point's scenario file; `rows/`: each run's row\n", f);
    return sw_out_close(&o, err);
}

