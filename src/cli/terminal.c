/*
 * terminal.c - progress line on stderr and the closing summary on stdout.
 *
 * The progress line reads the wall clock, which is why it lives in the CLI:
 * the simulation only reports simulated time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rdsim/histogram.h"
#include "rdsim/report.h"
#include "terminal.h"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rdsim_progress_init(struct rdsim_progress *p, bool enabled, const char *name)
{
    p->enabled = enabled;
    p->name = name;
    p->start_wall = p->last_wall = wall_now();
    p->drawn = false;
}

void rdsim_progress_update(void *ctx, rdsim_time_t now, rdsim_time_t duration)
{
    struct rdsim_progress *p = ctx;
    double w;

    if (!p->enabled)
        return;
    w = wall_now();
    if (w - p->last_wall < 0.2 && now < duration)
        return;
    p->last_wall = w;
    p->drawn = true;
    fprintf(stderr, "\r%s: simulated %.0f of %.0f s (%3.0f%%), %.1f s elapsed ", p->name,
            (double)now / RDSIM_S, (double)duration / RDSIM_S,
            100.0 * (double)now / (double)duration, w - p->start_wall);
    fflush(stderr);
}

void rdsim_progress_done(struct rdsim_progress *p)
{
    if (p->enabled && p->drawn)
        fputs("\r\033[K", stderr);
}

static void print_kind(FILE *f, const char *what, const struct rdsim_results *r, int kind)
{
    struct rdsim_counts c;
    char p50[32], p99[32], max[32], ok99[32];

    rdsim_results_kind_total(r, kind, &c);
    if (c.ok + c.failed == 0)
        return;
    /* Every operation, the failed ones at their give-up time; then the p99
     * of the successful ones alone. */
    rdsim_report_latency_text(p50, sizeof(p50), rdsim_hist_quantile(&c.lat, 0.5));
    rdsim_report_latency_text(p99, sizeof(p99), rdsim_hist_quantile(&c.lat, 0.99));
    rdsim_report_latency_text(max, sizeof(max), c.lat.count ? c.lat.max : 0);
    rdsim_report_latency_text(ok99, sizeof(ok99), rdsim_hist_quantile(&c.ok_lat, 0.99));
    fprintf(f, "  %-7s %10llu ok %8llu gave up   p50 %-9s p99 %-9s max %-9s (ok p99 %s)\n",
            what, (unsigned long long)c.ok, (unsigned long long)c.failed, p50, p99, max, ok99);
}

/* workload.regions: one line per Region, the figures of report.md's table. */
static void print_regions(FILE *f, const struct rdsim_results *r)
{
    const struct rdsim_workload_cfg *wl = &r->sc->workload;
    char p50[32], w50[32];

    for (size_t k = 0; k < wl->n_regions && r->stats->regions; k++) {
        const struct rdsim_region_stats *rs = &r->stats->regions[wl->regions[k].region];
        rdsim_report_latency_text(p50, sizeof(p50),
                                  rdsim_hist_quantile(&rs->op[RDSIM_OP_READ].lat, 0.5));
        rdsim_report_latency_text(w50, sizeof(w50),
                                  rdsim_hist_quantile(&rs->op[RDSIM_OP_WRITE].lat, 0.5));
        fprintf(f, "  %-14s %3.0f%% of clients: read p50 %-9s write p50 %-9s stale reads %.2f%%\n",
                r->sc->topology.regions[wl->regions[k].region].name, 100.0 * wl->regions[k].share,
                p50, w50, rs->reads ? 100.0 * (double)rs->stale / (double)rs->reads : 0.0);
    }
}

/* One endpoint figure per endpoint the workload used, on one line. */
static void print_per_endpoint(FILE *f, const struct rdsim_results *r, const char *what,
                               const bool *has, const double *v)
{
    static const char *const eps[] = {"writer", "reader"};
    bool first = true;

    fprintf(f, "  %-33s", what);
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        if (!has[e])
            continue;
        fprintf(f, "%s %s %.4f%%", first ? "" : ",", eps[e], 100.0 * v[e]);
        first = false;
    }
    (void)r;
    fputc('\n', f);
}

void rdsim_print_summary(FILE *f, const struct rdsim_results *r, const char *out_dir,
                         bool plotted)
{
    const struct rdsim_scenario *sc = r->sc;
    char *story = NULL, actual[64], limit[64];

    fprintf(f, "%s (%s, seed %llu): %.0f s simulated\n\n", sc->name,
            rdsim_deployment_name(sc->cluster.deployment), (unsigned long long)r->seed,
            (double)r->simulated / RDSIM_S);
    if (rdsim_report_story(r, &story, NULL) == 0) {
        rdsim_report_wrap(f, story, "  ", 78, false);
        fputc('\n', f);
        free(story);
    }
    print_kind(f, "reads", r, RDSIM_OP_READ);
    print_kind(f, "writes", r, RDSIM_OP_WRITE);
    print_regions(f, r);
    /* Uptime (time served) and availability (operations that succeeded)
     * side by side: they differ when retries hide an outage. */
    if (r->has_uptime[0] || r->has_uptime[1])
        print_per_endpoint(f, r, "uptime (time served):", r->has_uptime, r->uptime);
    if (r->has_availability[0] || r->has_availability[1])
        print_per_endpoint(f, r, "availability (operations ok):", r->has_availability,
                           r->availability);
    fprintf(f, "  lost writes: %llu%s of %llu acknowledged\n", (unsigned long long)r->lost_writes,
            r->lost_writes_bounded ? " (upper bound)" : "", (unsigned long long)r->acked_writes);
    for (size_t i = 0; i < r->n_expect; i++) {
        const struct rdsim_expectation *x = &r->expect[i];
        rdsim_report_expect_text(x, actual, limit, sizeof(actual));
        fprintf(f, "  expect %-26s %s %s (expected %s)\n", x->name, x->ok ? "ok  " : "FAIL",
                actual, limit);
    }
    fprintf(f, "  results: %s/ (report.md, summary.json, timeseries.csv, events.csv, plots/%s)\n",
            out_dir, plotted ? "" : ": scripts only");
}
