/*
 * markdown.c - report.md: one page an instructor can hand out, telling
 * what a run was for, what happened, the key figures, the plots and the
 * verdict on the expectations.
 *
 * It reads only the results and, for the plots, which images exist in
 * DIR/plots; it names no folder, so the same run gives the same page
 * wherever it was written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/histogram.h"
#include "rdsim/report.h"

#include "replicas_impl.h"

/* The figures render.gp draws, in reading order. */
static const struct figure {
    const char *name, *caption;
} figures[] = {
    {"latency", "Latency of every operation (a failed one at its give-up time), p50 and p99, "
                "per endpoint"},
    {"availability", "Attempt success per interval, per endpoint, with the down windows of "
                     "uptime shaded and the clients' return after each failover as a band"},
    {"throughput", "Throughput: operations that succeeded and gave up, against the offered load"},
    {"roles", "Instance roles over time: who is writer, standby, replica or down"},
    {"lag", "Replication lag per instance"},
    {"capacity", "Serverless v2 capacity against the offered load"},
};

static bool file_exists(const char *dir, const char *name, const char *ext)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/plots/%s.%s", dir, name, ext);
    f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static void latency_row(FILE *f, const char *what, const struct rdsim_counts *c)
{
    char p50[32], p99[32], max[32], ok50[32], ok99[32];

    if (c->ok + c->failed == 0)
        return;
    rdsim_report_latency_text(p50, sizeof(p50), rdsim_hist_quantile(&c->lat, 0.50));
    rdsim_report_latency_text(p99, sizeof(p99), rdsim_hist_quantile(&c->lat, 0.99));
    rdsim_report_latency_text(max, sizeof(max), c->lat.count ? c->lat.max : 0);
    rdsim_report_latency_text(ok50, sizeof(ok50), rdsim_hist_quantile(&c->ok_lat, 0.50));
    rdsim_report_latency_text(ok99, sizeof(ok99), rdsim_hist_quantile(&c->ok_lat, 0.99));
    fprintf(f, "| %s | %llu ok, %llu gave up | %s | %s | %s | %s | %s |\n", what,
            (unsigned long long)c->ok, (unsigned long long)c->failed, p50, p99, max, ok50,
            ok99);
}

static void key_figures(FILE *f, const struct rdsim_results *r)
{
    static const char *const ep_names[RDSIM_STATS_EP] = {"writer", "reader"};
    const struct rdsim_stale *st = &r->stats->stale;
    struct rdsim_counts reads, writes;

    rdsim_results_kind_total(r, RDSIM_OP_READ, &reads);
    rdsim_results_kind_total(r, RDSIM_OP_WRITE, &writes);
    fputs("## Key figures\n\n", f);
    fputs("Latency of every operation, a failed one at the time its client gave up; "
          "ok p50 and ok p99 of the successful ones alone.\n\n",
          f);
    fputs("| operations | count | p50 | p99 | max | ok p50 | ok p99 |\n"
          "|---|---|---|---|---|---|---|\n",
          f);
    latency_row(f, "reads", &reads);
    latency_row(f, "writes", &writes);
    fputs("\n| figure | value |\n|---|---|\n", f);
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        if (r->has_uptime[e])
            fprintf(f, "| uptime (time served), %s endpoint | %.4f%% (%.1f s unavailable) |\n",
                    ep_names[e], 100.0 * r->uptime[e], (double)r->unavailable[e] / RDSIM_S);
        if (r->has_availability[e])
            fprintf(f, "| availability (operations that succeeded), %s endpoint | %.4f%% |\n",
                    ep_names[e], 100.0 * r->availability[e]);
        if (r->has_uptime[e] && r->attempt_success[e] == r->attempt_success[e])
            fprintf(f, "| attempt success (retries included), %s endpoint | %.4f%% |\n",
                    ep_names[e], 100.0 * r->attempt_success[e]);
    }
    fprintf(f, "| longest writer downtime | %.1f s |\n", (double)r->max_downtime / RDSIM_S);
    fprintf(f, "| lost writes | %llu%s of %llu acknowledged", (unsigned long long)r->lost_writes,
            r->lost_writes_bounded ? " (upper bound)" : "", (unsigned long long)r->acked_writes);
    if (r->n_backtracks)
        fprintf(f, ", %llu of them discarded on purpose by backtrack",
                (unsigned long long)rdsim_results_discarded(r));
    fputs(" |\n", f);
    fprintf(f, "| stale reads | %llu of %llu (%.2f%%), up to %.1f ms behind |\n",
            (unsigned long long)st->stale, (unsigned long long)st->reads,
            st->reads ? 100.0 * (double)st->stale / (double)st->reads : 0.0,
            (double)st->max_staleness / RDSIM_MS);
    for (size_t i = 0; i < r->n_lags; i++)
        if (r->lags[i].has_lag)
            fprintf(f, "| replication lag, %s | mean %.1f ms, p99 %.1f ms, max %.1f ms |\n",
                r->lags[i].name, r->lags[i].mean_ms, r->lags[i].p99_ms, r->lags[i].max_ms);
    for (size_t i = 0; i < r->n_acus; i++)
        fprintf(f, "| Serverless v2 capacity, %s | peak %.1f ACU, mean %.2f ACU, %.0f "
                   "ACU-seconds |\n",
                r->acus[i].name, r->acus[i].peak_acu, r->acus[i].mean_acu,
                r->acus[i].acu_seconds);
    fputc('\n', f);
}

/* workload.regions: what the clients of each Region saw, in the file's
 * order; the same figures as summary.json's `regions`. */
static void regions_table(FILE *f, const struct rdsim_results *r)
{
    const struct rdsim_workload_cfg *wl = &r->sc->workload;
    char p50[32], p99[32], w50[32], w99[32];

    if (wl->n_regions == 0 || r->stats->regions == NULL)
        return;
    fputs("## Clients by Region\n\n"
          "Each Region's clients read from a replica in their own Region when one serves "
          "reads there, else through the primary Region's endpoints; writes go to the "
          "writer. Latency of every operation, as above.\n\n"
          "| Region | share | reads | read p50 | read p99 | writes | write p50 | write p99 | "
          "stale reads |\n|---|---|---|---|---|---|---|---|---|\n",
          f);
    for (size_t k = 0; k < wl->n_regions; k++) {
        const struct rdsim_region_stats *rs = &r->stats->regions[wl->regions[k].region];
        const struct rdsim_region_counts *rd = &rs->op[RDSIM_OP_READ],
                                         *wr = &rs->op[RDSIM_OP_WRITE];
        rdsim_report_latency_text(p50, sizeof(p50), rdsim_hist_quantile(&rd->lat, 0.50));
        rdsim_report_latency_text(p99, sizeof(p99), rdsim_hist_quantile(&rd->lat, 0.99));
        rdsim_report_latency_text(w50, sizeof(w50), rdsim_hist_quantile(&wr->lat, 0.50));
        rdsim_report_latency_text(w99, sizeof(w99), rdsim_hist_quantile(&wr->lat, 0.99));
        fprintf(f,
                "| %s | %.0f%% | %llu ok, %llu gave up | %s | %s | %llu ok, %llu gave up | %s "
                "| %s | %llu of %llu (%.2f%%) |\n",
                r->sc->topology.regions[wl->regions[k].region].name,
                100.0 * wl->regions[k].share, (unsigned long long)rd->ok,
                (unsigned long long)rd->failed, p50, p99, (unsigned long long)wr->ok,
                (unsigned long long)wr->failed, w50, w99, (unsigned long long)rs->stale,
                (unsigned long long)rs->reads,
                rs->reads ? 100.0 * (double)rs->stale / (double)rs->reads : 0.0);
    }
    fputc('\n', f);
}

static void time_cell(FILE *f, rdsim_time_t t)
{
    if (t >= 0)
        fprintf(f, " %.1f s |", (double)t / RDSIM_S);
    else
        fputs(" - |", f);
}

static void clients_cell(FILE *f, const struct rdsim_outage *o)
{
    const rdsim_time_t t[3] = {o ? o->clients_first : -1, o ? o->clients_p50 : -1,
                               o ? o->clients_last : -1};

    for (int k = 0; k < 3; k++)
        if (t[k] >= 0)
            fprintf(f, "%s%.1f s", k ? ", " : " ", (double)t[k] / RDSIM_S);
        else
            fputs(k ? ", -" : " -", f);
    fputs(" |", f);
}

static void failover_table(FILE *f, const struct rdsim_results *r)
{
    if (r->n_failovers == 0)
        return;
    fputs("## Failovers\n\n", f);
    fputs("| cause | from | to | fault | detected | promoted | DNS updated | writer downtime "
          "| clients wrote again: first, half, all | lost writes |\n"
          "|---|---|---|---|---|---|---|---|---|---|\n",
          f);
    for (size_t i = 0; i < r->n_failovers; i++) {
        const struct rdsim_failover_result *fr = &r->failovers[i];
        fprintf(f, "| %s | %s | %s |", rdsim_failover_cause_name(fr->fo.cause), fr->fo.from, fr->fo.to[0] ? fr->fo.to : "-");
        time_cell(f, fr->fo.at);
        time_cell(f, fr->fo.detected);
        time_cell(f, fr->fo.promoted);
        time_cell(f, fr->fo.dns_updated);
        time_cell(f, fr->has_downtime ? fr->downtime : -1);
        clients_cell(f, fr->outage >= 0 ? &r->outages[fr->outage] : NULL);
        fprintf(f, " %llu |\n", (unsigned long long)fr->fo.lost_writes);
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->n_failovers; i++) {
        fprintf(f, "%zu. ", i + 1);
        rdsim_report_wrap(f, r->failovers[i].fo.explanation, "", 76, true);
    }
    fputc('\n', f);
}

/* Restores next to failovers: what each lost of what the clients had been
 * told (its RPO, in writes), counted from the data. */
static void rpo_table(FILE *f, const struct rdsim_results *r)
{
    if (r->n_restores == 0)
        return;
    fputs("## Recovery points: restores and failovers\n\n", f);
    fputs("| kind | instance | from | data as of | available | writes here | lost writes "
          "(RPO) |\n|---|---|---|---|---|---|---|\n",
          f);
    for (size_t i = 0; i < r->n_failovers; i++) {
        const struct rdsim_failover *fo = &r->failovers[i].fo;
        fprintf(f, "| failover (%s) | %s | %s |", rdsim_failover_cause_name(fo->cause),
                fo->to[0] ? fo->to : "-", fo->from);
        time_cell(f, fo->promoted);
        time_cell(f, fo->promoted);
        time_cell(f, fo->promoted);
        fprintf(f, " %llu |\n", (unsigned long long)fo->lost_writes);
    }
    for (size_t i = 0; i < r->n_restores; i++) {
        const struct rdsim_restore_result *x = &r->restores[i];
        if (x->from)
            fprintf(f, "| restore | %s | snapshot %s |", x->name, x->from);
        else
            fprintf(f, "| point-in-time restore | %s | automated backup |", x->name);
        time_cell(f, x->restore_point);
        time_cell(f, x->available);
        time_cell(f, x->writer_at);
        if (x->done)
            fprintf(f, " %llu%s |\n", (unsigned long long)x->lost_writes,
                    x->lost_writes_bounded ? " (upper bound)" : "");
        else
            fputs(" - (no backup to restore) |\n", f);
    }
    fputs("\nA restore's lost writes are those acknowledged before it was asked for that its "
          "data lacks.\n\n",
          f);
}

/* Backtracks: the point, the pause, and the writes it threw away. */
static void backtrack_table(FILE *f, const struct rdsim_results *r)
{
    if (r->n_backtracks == 0)
        return;
    fputs("## Backtracks\n\n", f);
    fputs("| asked at | rewound to | serves again | paused | writes undone | acknowledged writes "
          "discarded |\n|---|---|---|---|---|---|\n",
          f);
    for (size_t i = 0; i < r->n_backtracks; i++) {
        const struct rdsim_backtrack_result *x = &r->backtracks[i];
        fprintf(f, "| %.1f s | %.1f s |", (double)x->at / RDSIM_S, (double)x->to / RDSIM_S);
        time_cell(f, x->available);
        if (!x->done) {
            fputs(" - | - | - (the writer was not available) |\n", f);
            continue;
        }
        if (x->available >= 0)
            fprintf(f, " %.1f s |", (double)(x->available - x->at) / RDSIM_S);
        else
            fputs(" until the end |", f);
        fprintf(f, " %llu | %llu%s |\n", (unsigned long long)x->undone_writes,
                (unsigned long long)x->discarded_writes,
                x->discarded_writes_bounded ? " (upper bound)" : "");
    }
    fputs("\nA backtrack rewinds the cluster in place: the writes committed after its point are "
          "undone on the writer's data (and so on every replica's). The acknowledged ones among "
          "them are counted from the rewound data; they are gone from the final writer, so "
          "they are in the run's lost writes too: there they were thrown away on purpose, not "
          "lost by a fault.\n\n",
          f);
}

/* The figures this run has: lag with more than one instance, capacity
 * with Serverless v2 (as render.gp decides from the columns). */
static bool run_has(const struct rdsim_results *r, const char *figure)
{
    if (strcmp(figure, "lag") == 0)
        return r->n_lags > 0;
    if (strcmp(figure, "capacity") == 0)
        return r->n_acus > 0;
    return true;
}

static void plots_section(FILE *f, const struct rdsim_results *r, const char *dir)
{
    bool drawn = false, svg = false;

    fputs("## Plots\n\n", f);
    for (size_t k = 0; k < sizeof(figures) / sizeof(figures[0]); k++) {
        bool has_svg = file_exists(dir, figures[k].name, "svg");
        drawn |= has_svg || file_exists(dir, figures[k].name, "png");
        svg |= has_svg;
    }
    if (!drawn)
        fputs("No figure had been drawn when this report was written (gnuplot was not found, "
              "failed, or the run had `--no-plots`). The scripts and data are in `plots/`: "
              "install gnuplot (Debian: `gnuplot-nox`) and run `rdsim plot` on this folder "
              "(or `cd plots && gnuplot render.gp`); the figures below then appear.\n\n",
              f);
    for (size_t k = 0; k < sizeof(figures) / sizeof(figures[0]); k++) {
        const char *name = figures[k].name;
        /* PNG for screens; an SVG-only run links its SVG. */
        bool only_svg = !file_exists(dir, name, "png") && file_exists(dir, name, "svg");
        if (run_has(r, name))
            fprintf(f, "![%s](plots/%s.%s)\n\n", figures[k].caption, name,
                    only_svg ? "svg" : "png");
    }
    fputs("Shaded bands are the injected faults (a solid line marks an instant one, a grey "
          "dashed line a load change); dashed lines mark the failover phases (detected, "
          "promoted, DNS updated) and the first write that succeeded again.",
          f);
    if (svg)
        fputs(" SVG copies for print are beside the figures.", f);
    fputs("\n\n", f);
}

/* A table cell: `|` would end the cell, a newline the row. */
static void cell(FILE *f, const char *s)
{
    if (s == NULL) {
        fputs("*not set*", f);
        return;
    }
    fputc('`', f);
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s == '\n' || *s == '`' ? ' ' : *s, f);
    }
    fputc('`', f);
}

/* When a lesson's expectations failed: what the scenario changed in it. */
static void lesson_changes(FILE *f, const struct rdsim_results *r)
{
    if (r->lesson == NULL)
        return;
    if (r->n_lesson_changes == 0) {
        fprintf(f, "This is lesson `%s` exactly as shipped with rdsim, whose expectations "
                   "rdsim's own tests check: please report the failure.\n\n",
                r->lesson);
        return;
    }
    fprintf(f, "### Changed from lesson `%s`\n\n"
               "The expectations were written for the lesson as shipped with rdsim; this "
               "scenario differs from it here, which may be why they fail (an experiment, "
               "not a broken lesson):\n\n"
               "| parameter | shipped | this run |\n|---|---|---|\n",
            r->lesson);
    for (size_t i = 0; i < r->n_lesson_changes; i++) {
        const struct rdsim_param_change *c = &r->lesson_changes[i];
        const char *const row[] = {c->path, c->shipped, c->here};
        fputc('|', f);
        for (size_t k = 0; k < sizeof row / sizeof row[0]; k++) {
            fputc(' ', f);
            cell(f, row[k]);
            fputs(" |", f);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void expectations_section(FILE *f, const struct rdsim_results *r)
{
    char actual[64], limit[64];

    if (r->n_expect == 0)
        return;
    fputs("## Expectations\n\n| expectation | actual | expected | result |\n|---|---|---|---|\n",
          f);
    for (size_t i = 0; i < r->n_expect; i++) {
        const struct rdsim_expectation *x = &r->expect[i];
        rdsim_report_expect_text(x, actual, limit, sizeof(actual));
        fprintf(f, "| %s | %s | %s | %s |\n", x->name, actual, limit,
                x->ok ? "pass" : "**FAIL**");
    }
    fputc('\n', f);
    lesson_changes(f, r);
}

static void write_report(FILE *f, const struct rdsim_results *r, const char *dir,
                         const char *story)
{
    const struct rdsim_scenario *sc = r->sc;

    fprintf(f, "# %s\n\n", sc->name);
    if (sc->description) {
        rdsim_report_wrap(f, sc->description, "> ", 78, true);
        fputc('\n', f);
    }
    /* The file's base name: the same run reads the same however its path
     * was typed. */
    const char *file = sc->path ? sc->path : sc->name;
    if (strrchr(file, '/'))
        file = strrchr(file, '/') + 1;
    fprintf(f, "Reproduce: `rdsim run %s --seed %llu` (rdsim %s). Simulated: %.0f s.\n\n", file,
            (unsigned long long)r->seed, RDSIM_VERSION, (double)r->simulated / RDSIM_S);
    fputs("## What happened\n\n", f);
    rdsim_report_wrap(f, story, "", 78, true);
    fputc('\n', f);
    key_figures(f, r);
    regions_table(f, r);
    failover_table(f, r);
    rpo_table(f, r);
    backtrack_table(f, r);
    report_replicas_markdown(f, r);
    plots_section(f, r, dir);
    expectations_section(f, r);
    fputs("## Files\n\n"
          "- `summary.json`: every figure above, for scripts (docs/outputs.md).\n"
          "- `timeseries.csv`: one row per sample interval: throughput, errors, latency, "
          "lag, roles.\n"
          "- `events.csv`: the timeline: faults, detection, promotion, DNS, recovery.\n"
          "- `plots/`: the gnuplot scripts (`render.gp` draws them all) and the figures.\n",
          f);
}

int rdsim_report_write_markdown(const struct rdsim_results *r, const char *out_dir,
                                struct rdsim_err *err)
{
    char *story = NULL;
    FILE *f;
    int rc = rdsim_report_story(r, &story, err);

    if (rc)
        return rc;
    f = rdsim_report_create_file(out_dir, "report.md", err);
    if (!f) {
        rc = RDSIM_EIO;
        goto out;
    }
    write_report(f, r, out_dir, story);
    if (ferror(f) | fclose(f))
        rc = rdsim_err_set(err, RDSIM_EIO, "%s/report.md: write failed", out_dir);
out:
    free(story);
    return rc;
}
