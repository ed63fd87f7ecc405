/*
 * expect.c - the scenario's expectations checked against its results
 * (rdsim/expect.h), and the figures of rdsim/figures.h read by name.
 *
 * A figure's value is computed here from the results, the way
 * summary.c computes the field it prints, and rounded to the same step;
 * tests/run/test_expect.c checks every figure against summary.json, so
 * the two cannot drift apart. An expectation with nothing to measure
 * (a latency bound where no operation of the kind succeeded, a
 * failover_target in a run without failover) is not met: a verdict must
 * never pass because there was nothing to look at.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rdsim/expect.h"
#include "rdsim/histogram.h"
#include "rdsim/results.h"

/* v to summary.json's step, as the double nearest the decimal it prints
 * (k / 1000, not k * 0.001, which can be an ulp off): a limit read from
 * the same decimal then compares equal. */
static double rounded(double v, double step)
{
    return round(v / step) / round(1.0 / step);
}

static double ms(double ns)
{
    return rounded(ns / RDSIM_MS, 1e-3);
}

/* Latency figures of one kind: p50, p99, max, mean over every operation
 * (failed ones at their give-up time), then ok p50, ok p99 over the
 * successful ones (summary.c's counts_json). */
static bool latency(const struct rdsim_results *r, int kind, int which, double *out,
                    const char **why)
{
    struct rdsim_counts c;
    rdsim_results_kind_total(r, kind, &c);
    if (which >= 4) {
        if (c.ok_lat.count == 0) {
            *why = kind == RDSIM_OP_READ ? "no read succeeded" : "no write succeeded";
            return false;
        }
        *out = ms((double)rdsim_hist_quantile(&c.ok_lat, which == 4 ? 0.50 : 0.99));
        return true;
    }
    if (c.lat.count == 0) {
        *why = kind == RDSIM_OP_READ ? "no read ended" : "no write ended";
        return false;
    }
    switch (which) {
    case 0:
        *out = ms((double)rdsim_hist_quantile(&c.lat, 0.50));
        break;
    case 1:
        *out = ms((double)rdsim_hist_quantile(&c.lat, 0.99));
        break;
    case 2:
        *out = ms((double)c.lat.max);
        break;
    default:
        *out = ms(rdsim_hist_mean(&c.lat));
        break;
    }
    return true;
}

static bool counts(const struct rdsim_results *r, int kind, int which, double *out)
{
    struct rdsim_counts c;
    rdsim_results_kind_total(r, kind, &c);
    *out = (double)(which == 0 ? c.ok : which == 1 ? c.failed : c.attempt_errors);
    return true;
}

bool rdsim_figure_value(const struct rdsim_results *r, enum rdsim_figure f, double *out,
                        const char **why)
{
    const struct rdsim_stale *st = &r->stats->stale;
    const char *none = NULL;
    bool ok = true;

    *out = 0.0;
    switch (f) {
    case RDSIM_FIG_MAX_WRITER_DOWNTIME_S:
        *out = rounded((double)r->max_downtime / RDSIM_S, 1e-3);
        break;
    case RDSIM_FIG_LOST_WRITES:
        *out = (double)r->lost_writes;
        break;
    case RDSIM_FIG_ACKNOWLEDGED_WRITES:
        *out = (double)r->acked_writes;
        break;
    case RDSIM_FIG_AVAILABILITY_WRITER:
    case RDSIM_FIG_AVAILABILITY_READER: {
        int ep = f == RDSIM_FIG_AVAILABILITY_WRITER ? RDSIM_EP_WRITER : RDSIM_EP_READER;
        ok = r->has_availability[ep];
        none = ep == RDSIM_EP_WRITER ? "no operation sent to the writer endpoint"
                                     : "no operation sent to the reader endpoint";
        *out = ok ? rounded(r->availability[ep], 1e-6) : 0.0;
        break;
    }
    case RDSIM_FIG_UPTIME_WRITER:
    case RDSIM_FIG_UPTIME_READER:
    case RDSIM_FIG_UNAVAILABLE_S_WRITER:
    case RDSIM_FIG_UNAVAILABLE_S_READER:
    case RDSIM_FIG_ATTEMPT_SUCCESS_WRITER:
    case RDSIM_FIG_ATTEMPT_SUCCESS_READER: {
        int ep = (f - RDSIM_FIG_UPTIME_WRITER) % 2 == 0 ? RDSIM_EP_WRITER : RDSIM_EP_READER;
        ok = r->has_uptime[ep];
        none = ep == RDSIM_EP_WRITER ? "no operation sent to the writer endpoint"
                                     : "no operation sent to the reader endpoint";
        if (!ok)
            break;
        if (f <= RDSIM_FIG_UPTIME_READER) {
            *out = rounded(r->uptime[ep], 1e-6);
        } else if (f <= RDSIM_FIG_UNAVAILABLE_S_READER) {
            *out = rounded((double)r->unavailable[ep] / RDSIM_S, 1e-3);
        } else {
            ok = !isnan(r->attempt_success[ep]);
            none = "no attempt sent";
            *out = ok ? rounded(r->attempt_success[ep], 1e-6) : 0.0;
        }
        break;
    }
    case RDSIM_FIG_STALE_READS_COUNT:
        *out = (double)st->stale;
        break;
    case RDSIM_FIG_STALE_READS_RATIO:
        ok = st->reads > 0;
        none = "no read served";
        *out = ok ? rounded((double)st->stale / (double)st->reads, 1e-6) : 0.0;
        break;
    case RDSIM_FIG_MAX_STALENESS_MS:
        *out = ms((double)st->max_staleness);
        break;
    case RDSIM_FIG_READS_OK:
    case RDSIM_FIG_READS_FAILED:
    case RDSIM_FIG_READ_ATTEMPT_ERRORS:
        ok = counts(r, RDSIM_OP_READ, (int)(f - RDSIM_FIG_READS_OK), out);
        break;
    case RDSIM_FIG_WRITES_OK:
    case RDSIM_FIG_WRITES_FAILED:
    case RDSIM_FIG_WRITE_ATTEMPT_ERRORS:
        ok = counts(r, RDSIM_OP_WRITE, (int)(f - RDSIM_FIG_WRITES_OK), out);
        break;
    case RDSIM_FIG_P50_READ_MS:
    case RDSIM_FIG_P99_READ_MS:
    case RDSIM_FIG_MAX_READ_MS:
    case RDSIM_FIG_MEAN_READ_MS:
    case RDSIM_FIG_OK_P50_READ_MS:
    case RDSIM_FIG_OK_P99_READ_MS:
        ok = latency(r, RDSIM_OP_READ, (int)(f - RDSIM_FIG_P50_READ_MS), out, &none);
        break;
    case RDSIM_FIG_P50_WRITE_MS:
    case RDSIM_FIG_P99_WRITE_MS:
    case RDSIM_FIG_MAX_WRITE_MS:
    case RDSIM_FIG_MEAN_WRITE_MS:
    case RDSIM_FIG_OK_P50_WRITE_MS:
    case RDSIM_FIG_OK_P99_WRITE_MS:
        ok = latency(r, RDSIM_OP_WRITE, (int)(f - RDSIM_FIG_P50_WRITE_MS), out, &none);
        break;
    case RDSIM_FIG_FAILOVER_COUNT:
        *out = (double)r->n_failovers;
        break;
    case RDSIM_FIG_WRITER_OUTAGE_COUNT:
        *out = (double)r->n_outages;
        break;
    case RDSIM_FIG_OPERATIONS_ISSUED:
        *out = (double)r->ops_issued;
        break;
    case RDSIM_FIG_OPERATIONS_IN_FLIGHT_AT_END:
        *out = (double)r->ops_in_flight_at_end;
        break;
    case RDSIM_FIG_COUNT:
        ok = false;
        none = "no such figure";
        break;
    }
    if (!ok && why != NULL)
        *why = none;
    return ok;
}

static struct rdsim_expectation *add(struct rdsim_results *r, const char *name,
                                     enum rdsim_expect_kind kind, enum rdsim_expect_op op)
{
    struct rdsim_expectation *x = &r->expect[r->n_expect++];

    memset(x, 0, sizeof *x);
    snprintf(x->name, sizeof x->name, "%s", name);
    x->kind = kind;
    x->op = op;
    x->unit = "";
    return x;
}

/* A number against its limit; sets ok and the run's verdict. */
static void number(struct rdsim_results *r, const char *name, enum rdsim_expect_op op,
                   bool has_actual, double actual, double limit, bool integer,
                   const char *unit)
{
    struct rdsim_expectation *x = add(r, name, RDSIM_EXPECT_NUMBER, op);

    x->has_actual = has_actual;
    x->actual = actual;
    x->limit = limit;
    x->integer = integer;
    x->unit = unit;
    x->ok =
        has_actual && (op == RDSIM_EXPECT_AT_MOST ? actual <= limit : actual >= limit);
}

/* A figure of the table against a limit. */
static void figure(struct rdsim_results *r, const char *name, enum rdsim_figure f,
                   enum rdsim_expect_op op, double limit)
{
    const struct rdsim_figure_info *fig = &rdsim_figures[f];
    const char *why = NULL;
    double v;
    bool has = rdsim_figure_value(r, f, &v, &why);

    number(r, name, op, has, v, limit, fig->integer, fig->unit);
    r->expect[r->n_expect - 1].nothing = why;
}

static void bound(struct rdsim_results *r, const struct rdsim_expect_bound *b,
                  bool is_max)
{
    char name[48];

    snprintf(name, sizeof name, "%s.%s", is_max ? "max" : "min",
             rdsim_figures[b->figure].name);
    figure(r, name, b->figure, is_max ? RDSIM_EXPECT_AT_MOST : RDSIM_EXPECT_AT_LEAST,
           b->limit);
}

/* writer_recovers: every writer outage of the run ended with a write that
 * a client saw succeed. A run without an outage has nothing to recover
 * from, which is no evidence either way. */
static void writer_recovers(struct rdsim_results *r, bool want)
{
    struct rdsim_expectation *x =
        add(r, "writer_recovers", RDSIM_EXPECT_BOOL, RDSIM_EXPECT_EQUALS);
    bool all = true;

    for (size_t i = 0; i < r->n_outages; i++)
        all = all && r->outages[i].recovered;
    x->has_actual = r->n_outages > 0;
    x->nothing = "no writer outage";
    x->actual = all ? 1.0 : 0.0;
    x->limit = want ? 1.0 : 0.0;
    x->ok = x->has_actual && all == want;
}

/* failover_target: the first instance a failover of the run promoted.
 * The first, so that a failback does not hide where the failover went;
 * one that promoted nobody (no candidate in the Region, lesson 13b) is
 * passed over for the next. */
static void failover_target(struct rdsim_results *r, const char *want)
{
    struct rdsim_expectation *x =
        add(r, "failover_target", RDSIM_EXPECT_NAME, RDSIM_EXPECT_EQUALS);

    x->limit_name = want;
    x->nothing = r->n_failovers == 0 ? "no failover" : "no instance promoted";
    for (size_t i = 0; i < r->n_failovers && !x->has_actual; i++)
        if (r->failovers[i].fo.to[0] != '\0') {
            x->has_actual = true;
            x->actual_name = r->failovers[i].fo.to;
        }
    x->ok = x->has_actual && strcmp(x->actual_name, want) == 0;
}

/* expect.restores.NAME: its lost writes and time to available, as
 * summary.json's restores[] prints them; nothing to measure when it had
 * nothing to restore from, or was not available by the end. */
static void restore_bounds(struct rdsim_results *r, const struct rdsim_expect_restore *x)
{
    const struct rdsim_restore_result *res = NULL;
    char name[48];

    for (size_t k = 0; k < r->n_restores && !res; k++)
        if (strcmp(r->restores[k].name, x->name) == 0)
            res = &r->restores[k];
    bool done = res && res->done, up = res && res->available >= 0;
    double lost = done ? (double)res->lost_writes : 0;
    if (x->has_min_lost) {
        snprintf(name, sizeof name, "restores.%s.min_lost_writes", x->name);
        number(r, name, RDSIM_EXPECT_AT_LEAST, done, lost, (double)x->min_lost_writes, true,
               "");
        r->expect[r->n_expect - 1].nothing = "nothing restored";
    }
    if (x->has_max_lost) {
        snprintf(name, sizeof name, "restores.%s.max_lost_writes", x->name);
        number(r, name, RDSIM_EXPECT_AT_MOST, done, lost, (double)x->max_lost_writes, true,
               "");
        r->expect[r->n_expect - 1].nothing = "nothing restored";
    }
    if (x->has_max_time) {
        snprintf(name, sizeof name, "restores.%s.max_time_to_available", x->name);
        number(r, name, RDSIM_EXPECT_AT_MOST, up,
               up ? rounded((double)(res->available - res->at) / RDSIM_S, 1e-3) : 0,
               (double)x->max_time_to_available / RDSIM_S, false, "s");
        r->expect[r->n_expect - 1].nothing = "not available by the end";
    }
}

void rdsim_expect_check(struct rdsim_results *r)
{
    const struct rdsim_expect_cfg *e = &r->sc->expect;

    r->n_expect = 0;
    /* The older keys bound figures of the table too, read the same way. */
    if (e->has_max_writer_downtime)
        figure(r, "max_writer_downtime", RDSIM_FIG_MAX_WRITER_DOWNTIME_S,
               RDSIM_EXPECT_AT_MOST, (double)e->max_writer_downtime / RDSIM_S);
    if (e->has_lost_writes)
        figure(r, e->lost_writes_as_max ? "max_lost_writes" : "lost_writes",
               RDSIM_FIG_LOST_WRITES, RDSIM_EXPECT_AT_MOST, (double)e->lost_writes);
    if (e->has_max_stale_read_ratio)
        figure(r, "max_stale_read_ratio", RDSIM_FIG_STALE_READS_RATIO,
               RDSIM_EXPECT_AT_MOST, e->max_stale_read_ratio);
    if (e->has_min_avail_writer)
        figure(r, "min_availability.writer", RDSIM_FIG_AVAILABILITY_WRITER,
               RDSIM_EXPECT_AT_LEAST, e->min_avail_writer);
    if (e->has_min_avail_reader)
        figure(r, "min_availability.reader", RDSIM_FIG_AVAILABILITY_READER,
               RDSIM_EXPECT_AT_LEAST, e->min_avail_reader);
    if (e->has_min_uptime_writer)
        figure(r, "min_uptime.writer", RDSIM_FIG_UPTIME_WRITER, RDSIM_EXPECT_AT_LEAST,
               e->min_uptime_writer);
    if (e->has_min_uptime_reader)
        figure(r, "min_uptime.reader", RDSIM_FIG_UPTIME_READER, RDSIM_EXPECT_AT_LEAST,
               e->min_uptime_reader);
    if (e->has_writer_recovers)
        writer_recovers(r, e->writer_recovers);
    if (e->failover_target != NULL)
        failover_target(r, e->failover_target);
    for (size_t i = 0; i < e->n_min; i++)
        bound(r, &e->min[i], false);
    for (size_t i = 0; i < e->n_max; i++)
        bound(r, &e->max[i], true);
    for (size_t i = 0; i < e->n_restores; i++)
        restore_bounds(r, &e->restores[i]);
    r->expectations_ok = true;
    for (size_t i = 0; i < r->n_expect; i++)
        r->expectations_ok = r->expectations_ok && r->expect[i].ok;
}
