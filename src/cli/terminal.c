/*
 * terminal.c - progress line on stderr and the closing summary on stdout.
 *
 * The progress line reads the wall clock, which is why it lives in the CLI:
 * the simulation only reports simulated time.
 */
#include <stdio.h>
#include <time.h>

#include "rdsim/histogram.h"
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
    uint64_t ok = 0, failed = 0;
    struct rdsim_hist h;

    rdsim_hist_reset(&h);
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        ok += r->stats->total[e][kind].ok;
        failed += r->stats->total[e][kind].failed;
        rdsim_hist_merge(&h, &r->stats->total[e][kind].lat);
    }
    if (ok + failed == 0)
        return;
    fprintf(f, "  %-7s %10llu ok %8llu failed   p50 %.2f ms  p99 %.2f ms  max %.1f ms\n", what,
            (unsigned long long)ok, (unsigned long long)failed,
            (double)rdsim_hist_quantile(&h, 0.5) / RDSIM_MS,
            (double)rdsim_hist_quantile(&h, 0.99) / RDSIM_MS,
            (double)(h.count ? h.max : 0) / RDSIM_MS);
}

void rdsim_print_summary(FILE *f, const struct rdsim_results *r, const char *out_dir)
{
    const struct rdsim_scenario *sc = r->sc;

    fprintf(f, "%s (%s, seed %llu): %.0f s simulated\n", sc->name,
            rdsim_deployment_name(sc->cluster.deployment), (unsigned long long)r->seed,
            (double)r->simulated / RDSIM_S);
    print_kind(f, "reads", r, RDSIM_OP_READ);
    print_kind(f, "writes", r, RDSIM_OP_WRITE);
    if (r->has_availability[0] || r->has_availability[1]) {
        fputs("  availability:", f);
        if (r->has_availability[0])
            fprintf(f, " writer endpoint %.4f%%", 100.0 * r->availability[0]);
        if (r->has_availability[1])
            fprintf(f, "%s reader endpoint %.4f%%", r->has_availability[0] ? "," : "",
                    100.0 * r->availability[1]);
        fputc('\n', f);
    }
    if (r->n_outages == 0)
        fputs("  the writer was never interrupted\n", f);
    for (size_t i = 0; i < r->n_outages; i++) {
        const struct rdsim_outage *o = &r->outages[i];
        if (o->recovered)
            fprintf(f, "  writer outage: %s at %.1f s, first write succeeded at %.1f s: "
                       "%.1f s of writer downtime\n",
                    o->cause, (double)o->at / RDSIM_S, (double)o->recovered_at / RDSIM_S,
                    (double)o->downtime / RDSIM_S);
        else
            fprintf(f, "  writer outage: %s at %.1f s, no write succeeded again before the "
                       "end (%.1f s and counting)\n",
                    o->cause, (double)o->at / RDSIM_S, (double)o->downtime / RDSIM_S);
    }
    for (size_t i = 0; i < r->n_failovers; i++) {
        const struct rdsim_failover *fo = &r->failovers[i].fo;
        if (!fo->to[0]) {
            fprintf(f, "  failover after %s at %.1f s: none (%s)\n", fo->cause,
                    (double)fo->at / RDSIM_S, fo->explanation);
            continue;
        }
        fprintf(f, "  failover %s -> %s after %s at %.1f s:", fo->from, fo->to, fo->cause,
                (double)fo->at / RDSIM_S);
        if (fo->detected >= 0)
            fprintf(f, " detected %.1f s,", (double)fo->detected / RDSIM_S);
        if (fo->promoted >= 0)
            fprintf(f, " promoted %.1f s,", (double)fo->promoted / RDSIM_S);
        if (fo->dns_updated >= 0)
            fprintf(f, " DNS updated %.1f s,", (double)fo->dns_updated / RDSIM_S);
        fprintf(f, " %llu acknowledged writes lost\n", (unsigned long long)fo->lost_writes);
        fprintf(f, "    why: %s\n", fo->explanation);
    }
    if (r->n_failovers && r->n_outages && !r->outages[r->n_outages - 1].recovered &&
        sc->clients.dns_cache == RDSIM_DNS_CACHE_FOREVER &&
        sc->clients.connection == RDSIM_CONN_DIRECT)
        fprintf(f, "  clients cache DNS forever: they still send writes to the old writer and "
                   "will until they restart\n");
    fprintf(f, "  lost writes: %llu%s of %llu acknowledged (checked against %s's SQLite data)\n",
            (unsigned long long)r->lost_writes, r->lost_writes_bounded ? " (upper bound)" : "",
            (unsigned long long)r->acked_writes, r->final_writer);
    for (size_t i = 0; i < r->n_expect; i++) {
        const struct rdsim_expectation *x = &r->expect[i];
        if (!x->has_actual)
            fprintf(f, "  expect %-26s FAIL: nothing was measured (limit %g%s)\n", x->name,
                    x->limit, x->unit);
        else
            fprintf(f, "  expect %-26s %s: %g%s (limit %g%s)\n", x->name, x->ok ? "ok  " : "FAIL",
                    x->actual, x->unit, x->limit, x->unit);
    }
    if (r->stats->stale.stale)
        fprintf(f, "  stale reads: %llu of %llu (%.2f%%), up to %.1f ms behind\n",
                (unsigned long long)r->stats->stale.stale,
                (unsigned long long)r->stats->stale.reads,
                100.0 * (double)r->stats->stale.stale / (double)r->stats->stale.reads,
                (double)r->stats->stale.max_staleness / RDSIM_MS);
    for (size_t i = 0; i < r->n_lags; i++)
        if (r->lags[i].max_ms >= 1000.0)
            fprintf(f, "  replica lag %s: mean %.1f s, max %.1f s\n", r->lags[i].name,
                    r->lags[i].mean_ms / 1000.0, r->lags[i].max_ms / 1000.0);
    fprintf(f, "  results: %s/ (summary.json, timeseries.csv, events.csv)\n", out_dir);
}
