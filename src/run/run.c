/*
 * run.c - one simulation: wiring, sampling, final checks (expectations:
 * expect.c).
 *
 * A run is an object that can be stepped (rdsim_run_advance), take events
 * injected at the current simulated time (rdsim_run_inject, live mode) and
 * be finished into results; rdsim_run() is create + finish. The time series
 * is written one row per sample interval as the run goes; events.csv one row
 * per timeline entry. Both files are complete and byte-identical for the same
 * scenario and seed, however the run was stepped.
 *
 * An injected event is given a time on the millisecond grid where no other
 * event is pending, so a scenario file carrying it with that `at:` (the
 * saved session) runs the same events in the same order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/acklog.h"
#include "rdsim/cluster.h"
#include "rdsim/expect.h"
#include "rdsim/run.h"
#include "rdsim/sim.h"
#include "rdsim/workload.h"
#include "run_impl.h"

static const char *const ep_names[RDSIM_STATS_EP] = {"writer", "reader"};
static const char *const kind_plural[RDSIM_STATS_KIND] = {"reads", "writes"};
static const char *const kind_names[RDSIM_STATS_KIND] = {"read", "write"};

struct rdsim_run {
    const struct rdsim_scenario *sc;
    struct rdsim_run_options opt;
    struct rdsim_results *res;       /* until handed out by finish */
    struct rdsim_sim *sim;
    struct rdsim_cluster *cluster;
    struct rdsim_workload *workload;
    struct rdsim_stats *stats;
    FILE *ts, *events;
    uint64_t lost_at_failovers;
    double *acu_peak;                /* per instance, Serverless v2 */
    rdsim_time_t *lag_row;           /* per instance, the row being written */
    char *header;                    /* timeseries.csv header, no newline */
    struct rdsim_sample_value *row;  /* the row being sampled (ts_header's columns) */
    size_t n_row;
    struct rdsim_event_cfg **injected; /* owned copies, with their `at` */
    size_t n_injected, cap_injected;
    bool failed, finished;
    struct rdsim_err fail;           /* why, once failed */
};

static double ms(rdsim_time_t t)
{
    return (double)t / RDSIM_MS;
}

static double secs(rdsim_time_t t)
{
    return (double)t / RDSIM_S;
}

static void set_error(struct rdsim_run *r, int code, const char *what)
{
    rdsim_sim_failf(r->sim, code, "%s", what);
}

/* ---- observers ------------------------------------------------------------ */

static void log_event(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                      const char *detail)
{
    struct rdsim_run *r = ctx;

    if (r->opt.on_event)
        r->opt.on_event(r->opt.live_ctx, t, kind, subject, detail);
    if (!r->events)
        return;
    fprintf(r->events, "%.3f,", secs(t));
    rdsim_csv_field(r->events, kind);
    fputc(',', r->events);
    rdsim_csv_field(r->events, subject);
    fputc(',', r->events);
    rdsim_csv_field(r->events, detail);
    fputc('\n', r->events);
}

static void writer_down(void *ctx, rdsim_time_t t, enum rdsim_failover_cause cause)
{
    struct rdsim_run *r = ctx;

    if (rdsim_stats_writer_down(r->stats, t, cause) != 0)
        set_error(r, RDSIM_ENOMEM, "out of memory");
}

/* db's data against what the clients were told; with rebase, they continue
 * from db's positions from now on. */
static int check_acked(struct rdsim_run *r, struct rdsim_db *db, bool rebase, uint64_t *lost,
                       bool *bounded, struct rdsim_err *err)
{
    struct rdsim_acklog_result res;
    int rc = rdsim_acklog_check(rdsim_workload_acklog(r->workload), db, rebase, &res, err);

    if (rc == 0) {
        *lost = res.lost;
        *bounded = res.bounded;
    }
    return rc;
}

/* A new writer: the clients' acknowledged writes are checked against its
 * data, and from now on they continue from its positions. */
static int new_writer(void *ctx, struct rdsim_db *db, uint64_t *lost, bool *bounded,
                      struct rdsim_err *err)
{
    struct rdsim_run *r = ctx;
    int rc = check_acked(r, db, true, lost, bounded, err);

    if (rc == 0)
        r->lost_at_failovers += *lost;
    return rc;
}

/* A restored instance's data, forgetting nothing: its RPO. */
static int lacks(void *ctx, struct rdsim_db *db, uint64_t *lost, bool *bounded,
                 struct rdsim_err *err)
{
    return check_acked(ctx, db, false, lost, bounded, err);
}

/* ---- time series ------------------------------------------------------------ */

static void ts_header(struct rdsim_run *r, FILE *f)
{
    fputs("t_s,writer,writer_up,offered_reads_per_s,offered_writes_per_s", f);
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        for (int k = 0; k < RDSIM_STATS_KIND; k++) {
            const char *ep = ep_names[e], *kp = kind_plural[k], *kn = kind_names[k];
            if (!r->stats->used[e][k])
                continue;
            fprintf(f, ",%s_%s_ok,%s_%s_failed,%s_%s_errors,%s_%s_p50_ms,%s_%s_p99_ms", ep,
                    kp, ep, kp, ep, kn, ep, kn, ep, kn);
        }
    }
    for (size_t i = 0; i < rdsim_cluster_instance_slots(r->cluster); i++)
        if (rdsim_cluster_tracks_lag(r->cluster))
            fprintf(f, ",lag_ms_%s", rdsim_cluster_instance_name(r->cluster, i));
    for (size_t i = 0; i < rdsim_cluster_instance_slots(r->cluster); i++)
        if (rdsim_cluster_acu(r->cluster, i) > 0)
            fprintf(f, ",acu_%s", rdsim_cluster_instance_name(r->cluster, i));
    for (size_t i = 0; i < rdsim_cluster_instance_slots(r->cluster); i++)
        fprintf(f, ",role_%s", rdsim_cluster_instance_name(r->cluster, i));
}

static void put_number(struct rdsim_run *r, double v, int decimals)
{
    r->row[r->n_row++] = (struct rdsim_sample_value){
        .kind = RDSIM_SAMPLE_NUMBER, .decimals = decimals, .number = v};
}

static void put_name(struct rdsim_run *r, const char *name)
{
    r->row[r->n_row++] = (struct rdsim_sample_value){.kind = RDSIM_SAMPLE_NAME, .name = name};
}

static void put_empty(struct rdsim_run *r)
{
    r->row[r->n_row++] = (struct rdsim_sample_value){.kind = RDSIM_SAMPLE_EMPTY};
}

static void put_ms(struct rdsim_run *r, const struct rdsim_hist *h, double q)
{
    if (h->count == 0)
        put_empty(r); /* no successful operation: no latency (gnuplot: missing) */
    else
        put_number(r, ms(rdsim_hist_quantile(h, q)), 3);
}

/* One time-series row into r->row, in ts_header's columns. */
static void ts_row(struct rdsim_run *r, rdsim_time_t now)
{
    size_t w = rdsim_cluster_writer(r->cluster);

    r->n_row = 0;
    put_number(r, secs(now), 3);
    put_name(r, rdsim_cluster_instance_name(r->cluster, w));
    put_number(r, rdsim_cluster_health(r->cluster, w) == RDSIM_HEALTH_UP, 0);
    put_number(r, rdsim_workload_rate(r->workload, RDSIM_OP_READ), 1);
    put_number(r, rdsim_workload_rate(r->workload, RDSIM_OP_WRITE), 1);
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        for (int k = 0; k < RDSIM_STATS_KIND; k++) {
            const struct rdsim_counts *c = &r->stats->interval[e][k];
            if (!r->stats->used[e][k])
                continue;
            put_number(r, (double)c->ok, 0);
            put_number(r, (double)c->failed, 0);
            put_number(r, (double)c->attempt_errors, 0);
            put_ms(r, &c->lat, 0.50);
            put_ms(r, &c->lat, 0.99);
        }
    }
    /* The interval's maximum lag; empty while there was no live source. */
    for (size_t i = 0; i < rdsim_cluster_instance_slots(r->cluster); i++) {
        if (!rdsim_cluster_tracks_lag(r->cluster))
            continue;
        if (r->lag_row[i] >= 0)
            put_number(r, ms(r->lag_row[i]), 3);
        else
            put_empty(r);
    }
    for (size_t i = 0; i < rdsim_cluster_instance_slots(r->cluster); i++)
        if (rdsim_cluster_acu(r->cluster, i) > 0)
            put_number(r, rdsim_cluster_acu(r->cluster, i), 1);
    for (size_t i = 0; i < rdsim_cluster_instance_slots(r->cluster); i++)
        put_name(r, rdsim_cluster_state_name(r->cluster, i));
}

static void sample(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_run *r = ctx;
    rdsim_time_t now = rdsim_sim_now(sim);
    (void)arg;

    /* Every row ends each instance's lag interval, written or not: the
     * summary's lag figures are made of these rows. */
    for (size_t i = 0; i < rdsim_cluster_instance_slots(r->cluster); i++)
        r->lag_row[i] = rdsim_cluster_tracks_lag(r->cluster)
                            ? rdsim_cluster_lag_sample(r->cluster, i)
                            : -1;
    if (r->ts || r->opt.on_sample) {
        /* One row for the file and, in live mode, the server. */
        ts_row(r, now);
        struct rdsim_sample smp = {.t = now, .n = r->n_row, .v = r->row};
        if (r->ts) {
            rdsim_sample_write_csv(r->ts, &smp);
            fputc('\n', r->ts);
        }
        if (r->opt.on_sample)
            r->opt.on_sample(r->opt.live_ctx, &smp);
    }
    for (size_t i = 0; r->acu_peak && i < rdsim_cluster_instance_slots(r->cluster); i++)
        if (rdsim_cluster_acu(r->cluster, i) > r->acu_peak[i])
            r->acu_peak[i] = rdsim_cluster_acu(r->cluster, i);
    rdsim_stats_interval_reset(r->stats);
    if (r->opt.progress)
        r->opt.progress(r->opt.progress_ctx, now, r->sc->duration);
    /* The last row closes the run even when the duration is not a whole
     * number of intervals. */
    if (now < r->sc->duration) {
        rdsim_time_t next = now + r->sc->sample_interval;
        if (!rdsim_sim_schedule(sim, next < r->sc->duration ? next : r->sc->duration, sample, r,
                                0))
            set_error(r, RDSIM_ENOMEM, "out of memory");
    }
}

/* ---- results ------------------------------------------------------------ */

static int by_time(const void *a, const void *b)
{
    rdsim_time_t x = *(const rdsim_time_t *)a, y = *(const rdsim_time_t *)b;

    return (x > y) - (x < y);
}

/* The first, median and last client to write again in episode e. */
static void clients_back(struct rdsim_outage *fr, const struct rdsim_episode *e,
                         size_t n_clients)
{
    rdsim_time_t t[256];
    size_t n = 0;

    fr->clients = n_clients;
    fr->clients_back = e->n_back;
    fr->clients_first = fr->clients_p50 = fr->clients_last = -1;
    for (size_t c = 0; e->client_back && c < n_clients && n < sizeof(t) / sizeof(t[0]); c++)
        if (e->client_back[c] >= 0)
            t[n++] = e->client_back[c];
    if (n == 0)
        return;
    qsort(t, n, sizeof(t[0]), by_time);
    fr->clients_first = t[0];
    /* The median client: half of all of them had written again by then. */
    if (n >= (n_clients + 1) / 2)
        fr->clients_p50 = t[(n_clients + 1) / 2 - 1];
    if (n == n_clients)
        fr->clients_last = t[n - 1];
}

static int collect_failovers(struct rdsim_run *r, struct rdsim_results *res, struct rdsim_err *err)
{
    size_t n = rdsim_cluster_failover_count(r->cluster);

    if (n == 0)
        return 0;
    res->failovers = calloc(n, sizeof(*res->failovers));
    if (!res->failovers)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    res->n_failovers = n;
    for (size_t k = 0; k < n; k++) {
        struct rdsim_failover_result *fr = &res->failovers[k];
        fr->fo = *rdsim_cluster_failover_at(r->cluster, k);
        fr->outage = -1;
        if (fr->fo.lost_writes_bounded)
            res->lost_writes_bounded = true;
        /* The clients' downtime is the episode the failover's fault opened. */
        for (size_t e = 0; e < res->n_outages; e++) {
            const struct rdsim_outage *o = &res->outages[e];
            if (o->at <= fr->fo.at && (!o->recovered || o->recovered_at >= fr->fo.at)) {
                fr->has_downtime = true;
                fr->downtime = o->downtime;
                fr->outage = (int)e;
            }
        }
    }
    return 0;
}

static int collect(struct rdsim_run *r, struct rdsim_results *res, struct rdsim_err *err)
{
    struct rdsim_acklog_result lost;
    size_t w = rdsim_cluster_writer(r->cluster);
    int rc;

    res->simulated = r->sc->duration;
    res->final_writer = rdsim_cluster_instance_name(r->cluster, w);
    res->events_run = rdsim_sim_events_run(r->sim);
    res->ops_issued = rdsim_workload_issued(r->workload);
    res->ops_in_flight_at_end = rdsim_workload_in_flight(r->workload);

    /* lost_writes: the final writer's data against what clients were told. */
    rc = rdsim_acklog_check(rdsim_workload_acklog(r->workload), rdsim_cluster_db(r->cluster, w),
                            false, &lost, err);
    if (rc)
        return rc;
    res->acked_writes = rdsim_acklog_acked(rdsim_workload_acklog(r->workload));
    /* Writes lost at each change of writer, plus any the final writer lacks. */
    res->lost_writes = r->lost_at_failovers + lost.lost;
    res->lost_writes_bounded = lost.bounded;

    rdsim_stats_uptime_finish(r->stats, r->sc->duration);
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        uint64_t ok = 0, all = 0, errors = 0;
        for (int k = 0; k < RDSIM_STATS_KIND; k++) {
            ok += res->stats->total[e][k].ok;
            all += res->stats->total[e][k].ok + res->stats->total[e][k].failed;
            errors += res->stats->total[e][k].attempt_errors;
        }
        /* Time served means something once operations were sent there. */
        res->has_uptime[e] = all + errors > 0;
        res->has_availability[e] = all > 0;
        res->availability[e] = all ? (double)ok / (double)all : 0.0;
        /* Every success ends an operation: successful attempts are its ok. */
        res->attempt_success[e] = ok + errors ? (double)ok / (double)(ok + errors) : NAN;
        res->unavailable[e] = r->stats->up.unavailable[e];
        res->uptime[e] = r->sc->duration > 0
                             ? 1.0 - (double)res->unavailable[e] / (double)r->sc->duration
                             : 1.0;
    }

    res->n_outages = r->stats->n_episodes;
    if (res->n_outages) {
        res->outages = calloc(res->n_outages, sizeof(*res->outages));
        if (!res->outages)
            return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < res->n_outages; i++) {
        const struct rdsim_episode *ep = &r->stats->episodes[i];
        struct rdsim_outage *o = &res->outages[i];
        o->at = ep->start;
        o->cause = ep->cause;
        o->recovered = ep->closed;
        o->recovered_at = ep->end;
        o->downtime = rdsim_episode_downtime(ep, r->sc->duration);
        clients_back(o, ep, r->stats->n_clients);
        if (o->downtime > res->max_downtime)
            res->max_downtime = o->downtime;
    }
    rc = collect_failovers(r, res, err);
    if (rc == 0)
        rc = run_collect_lags(r->cluster, res, err);
    if (rc == 0)
        rc = run_collect_acus(r->cluster, r->acu_peak, r->sc->duration, res, err);
    if (rc == 0)
        rc = run_collect_backups(r->cluster, res, err);
    if (rc)
        return rc;
    rdsim_expect_check(res);
    return 0;
}

/* ---- the run ------------------------------------------------------------ */

static int close_out(FILE *f, const char *name, struct rdsim_err *err)
{
    if (!f)
        return 0;
    if (ferror(f) | fclose(f))
        return rdsim_err_set(err, RDSIM_EIO, "%s: write failed", name);
    return 0;
}

static int collect_events(struct rdsim_run *r, struct rdsim_results *res, struct rdsim_err *err);

/* The timeseries.csv header, kept as text for live mode. */
static int make_header(struct rdsim_run *r, struct rdsim_err *err)
{
    size_t len = 0;
    FILE *m = open_memstream(&r->header, &len);

    if (!m)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    ts_header(r, m);
    if (fclose(m) != 0) {
        free(r->header);
        r->header = NULL;
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    return 0;
}

int rdsim_run_create(const struct rdsim_scenario *sc, const struct rdsim_run_options *opt,
                     struct rdsim_run **out, struct rdsim_err *err)
{
    struct rdsim_run *r = calloc(1, sizeof(*r));
    uint64_t seed = opt->has_seed ? opt->seed : sc->seed;
    int rc;

    *out = NULL;
    if (!r || !(r->res = calloc(1, sizeof(*r->res)))) {
        free(r);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    r->sc = sc;
    r->opt = *opt;
    r->res->sc = sc;
    r->res->seed = seed;

    rc = rdsim_sim_create(&r->sim, err);
    if (rc)
        goto fail;
    rc = rdsim_stats_create(&r->res->stats, err);
    if (rc)
        goto fail;
    r->stats = r->res->stats;

    rc = rdsim_cluster_create(r->sim,
                              &(struct rdsim_cluster_config){
                                  .scenario = sc,
                                  .seed = seed,
                                  .keep_db_dir = opt->keep_db_dir,
                                  .verify = opt->verify,
                                  .observer = {.ctx = r, .event = log_event,
                                               .writer_down = writer_down,
                                               .new_writer = new_writer,
                                               .lacks = lacks},
                              },
                              &r->cluster, err);
    if (rc)
        goto fail;
    rc = rdsim_workload_create(r->sim,
                               &(struct rdsim_workload_config){
                                   .scenario = sc,
                                   .seed = seed,
                                   .cluster = r->cluster,
                                   .stats = r->stats,
                                   .log = log_event,
                                   .log_ctx = r,
                               },
                               &r->workload, err);
    if (rc)
        goto fail;
    r->acu_peak = calloc(rdsim_cluster_instance_slots(r->cluster), sizeof(*r->acu_peak));
    r->lag_row = calloc(rdsim_cluster_instance_slots(r->cluster), sizeof(*r->lag_row));
    /* The most columns a row can have: ts_header's, all of them used. */
    r->row = calloc(5 + 5 * RDSIM_STATS_EP * RDSIM_STATS_KIND +
                        3 * rdsim_cluster_instance_slots(r->cluster),
                    sizeof(*r->row));
    if (!r->acu_peak || !r->lag_row || !r->row) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto fail;
    }
    rc = make_header(r, err);
    if (rc)
        goto fail;
    /* Output files only once the scenario is known to be simulable, so a
     * refused scenario leaves nothing behind. */
    if (opt->out_dir) {
        r->events = rdsim_report_create_file(opt->out_dir, "events.csv", err);
        if (!r->events) {
            rc = RDSIM_EIO;
            goto fail;
        }
        fputs("t_s,kind,subject,detail\n", r->events);
    }
    if (opt->out_dir) {
        r->ts = rdsim_report_create_file(opt->out_dir, "timeseries.csv", err);
        if (!r->ts) {
            rc = RDSIM_EIO;
            goto fail;
        }
        fputs(r->header, r->ts);
        fputc('\n', r->ts);
    }

    log_event(r, 0, "start", sc->name, "simulation starts");
    rc = rdsim_cluster_start(r->cluster, err);
    if (rc == 0)
        rc = rdsim_workload_start(r->workload, err);
    if (rc)
        goto fail;
    if (!rdsim_sim_after(r->sim, sc->sample_interval < sc->duration ? sc->sample_interval
                                                                     : sc->duration,
                         sample, r, 0)) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto fail;
    }
    *out = r;
    return 0;
fail:
    rdsim_run_destroy(r);
    return rc;
}

/* The first error raised inside an event, if any: the run is over then. */
static int check_inner(struct rdsim_run *r, struct rdsim_err *err)
{
    const struct rdsim_err *inner;

    if ((inner = rdsim_sim_error(r->sim))) {
        r->failed = true;
        r->fail = *inner;
        return rdsim_err_set(err, inner->code, "%s", inner->msg);
    }
    return 0;
}

static int refuse_if_over(struct rdsim_run *r, struct rdsim_err *err)
{
    if (r->failed)
        return rdsim_err_set(err, r->fail.code ? r->fail.code : RDSIM_EINTERNAL, "%s",
                             r->fail.code ? r->fail.msg : "the run failed");
    if (r->finished)
        return rdsim_err_set(err, RDSIM_EINVAL, "the run has finished");
    return 0;
}

int rdsim_run_advance(struct rdsim_run *r, rdsim_time_t until, struct rdsim_err *err)
{
    int rc = refuse_if_over(r, err);

    if (rc)
        return rc;
    if (until > r->sc->duration)
        until = r->sc->duration;
    if (until < rdsim_sim_now(r->sim))
        return 0;
    rdsim_sim_run_until(r->sim, until);
    return check_inner(r, err);
}

rdsim_time_t rdsim_run_now(const struct rdsim_run *r)
{
    return rdsim_sim_now(r->sim);
}

bool rdsim_run_is_finished(const struct rdsim_run *r)
{
    return r->finished;
}

static void fire_injected(struct rdsim_sim *sim, void *ctx, uint64_t k)
{
    struct rdsim_run *r = ctx;
    const struct rdsim_event_cfg *ev = r->injected[k];
    (void)sim;

    if (ev->action == RDSIM_ACT_LOAD)
        rdsim_workload_inject(r->workload, ev);
    else
        rdsim_cluster_inject(r->cluster, ev);
}

int rdsim_run_inject(struct rdsim_run *r, const struct rdsim_event_cfg *ev, rdsim_time_t *at,
                     struct rdsim_err *err)
{
    struct rdsim_event_cfg *copy = NULL;
    rdsim_time_t t;
    int rc = refuse_if_over(r, err);

    if (rc)
        return rc;
    /* A restore's instance has a slot (columns, lanes) planned at the start. */
    if (ev->action == RDSIM_ACT_RESTORE)
        return rdsim_err_set(err, RDSIM_EINVAL,
                             "restore cannot be injected live: it creates a new instance, and "
                             "a live session's instances (timeseries.csv's columns, the page's "
                             "lanes) are fixed when it starts; put the restore in the "
                             "scenario's events: and run it, or add it to the saved session "
                             "(a snapshot can be injected)");
    /* The next whole millisecond at which no event is pending: run what
     * lies before it until there is one. */
    for (;;) {
        t = (rdsim_sim_now(r->sim) / RDSIM_MS + 1) * RDSIM_MS;
        if (t >= r->sc->duration)
            return rdsim_err_set(err, RDSIM_EINVAL,
                                 "too late: the simulation ends at %.3f s",
                                 secs(r->sc->duration));
        if (rdsim_sim_next_time(r->sim) > t)
            break;
        rdsim_sim_run_until(r->sim, rdsim_sim_next_time(r->sim));
        rc = check_inner(r, err);
        if (rc)
            return rc;
    }
    if (r->n_injected == r->cap_injected) {
        size_t cap = r->cap_injected ? 2 * r->cap_injected : 8;
        struct rdsim_event_cfg **p = realloc(r->injected, cap * sizeof(*p));
        if (!p)
            return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        r->injected = p;
        r->cap_injected = cap;
    }
    copy = calloc(1, sizeof(*copy));
    if (!copy)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    rc = rdsim_event_copy(copy, ev, err);
    if (rc) {
        free(copy);
        return rc;
    }
    copy->at = t;
    r->injected[r->n_injected++] = copy;

    /* Through the queue, as the scenario event of a replay would be: the
     * only event at t, and counted in events_run like it. */
    if (!rdsim_sim_schedule(r->sim, t, fire_injected, r, r->n_injected - 1))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    rdsim_sim_run_until(r->sim, t);
    if (at)
        *at = t;
    return check_inner(r, err);
}

size_t rdsim_run_injected_count(const struct rdsim_run *r)
{
    return r->n_injected;
}

const struct rdsim_event_cfg *rdsim_run_injected(const struct rdsim_run *r, size_t k)
{
    return k < r->n_injected ? r->injected[k] : NULL;
}

struct rdsim_cluster *rdsim_run_cluster(struct rdsim_run *r)
{
    return r->cluster;
}


const char *rdsim_run_columns(const struct rdsim_run *r)
{
    return r->header;
}

int rdsim_run_finish(struct rdsim_run *r, struct rdsim_results **out, struct rdsim_err *err)
{
    int rc;

    *out = NULL;
    rc = rdsim_run_advance(r, r->sc->duration, err);
    if (rc)
        return rc;
    r->finished = true;
    rc = rdsim_cluster_flush(r->cluster, err);
    if (rc)
        goto fail;
    log_event(r, r->sc->duration, "end", r->sc->name, "simulation ends");
    rc = collect(r, r->res, err);
    if (rc == 0)
        rc = collect_events(r, r->res, err);
    if (rc)
        goto fail;
    rc = close_out(r->ts, "timeseries.csv", err);
    r->ts = NULL;
    if (rc == 0)
        rc = close_out(r->events, "events.csv", err);
    r->events = NULL;
    if (rc)
        goto fail;
    *out = r->res;
    r->res = NULL;
    return 0;
fail:
    r->failed = true;
    rdsim_err_set(&r->fail, rc, "%s", err ? err->msg : "the run failed at the end");
    return rc;
}

void rdsim_run_destroy(struct rdsim_run *r)
{
    if (!r)
        return;
    if (r->ts)
        fclose(r->ts);
    if (r->events)
        fclose(r->events);
    rdsim_workload_destroy(r->workload);
    rdsim_cluster_destroy(r->cluster);
    rdsim_sim_destroy(r->sim);
    free(r->acu_peak);
    free(r->lag_row);
    free(r->row);
    free(r->header);
    for (size_t k = 0; k < r->n_injected; k++) {
        rdsim_event_clear(r->injected[k]);
        free(r->injected[k]);
    }
    free(r->injected);
    rdsim_results_free(r->res);
    free(r);
}

int rdsim_run(const struct rdsim_scenario *sc, const struct rdsim_run_options *opt,
              struct rdsim_results **out, struct rdsim_err *err)
{
    struct rdsim_run *r;
    int rc;

    *out = NULL;
    rc = rdsim_run_create(sc, opt, &r, err);
    if (rc)
        return rc;
    rc = rdsim_run_finish(r, out, err);
    rdsim_run_destroy(r);
    return rc;
}

/* The scenario's events and the injected ones, merged by time (no two share
 * a time: an injection is never given the time of a pending event). */
static int collect_events(struct rdsim_run *r, struct rdsim_results *res, struct rdsim_err *err)
{
    size_t n = r->sc->n_events + r->n_injected, a = 0, b = 0;

    if (r->n_injected == 0)
        return 0;
    res->events = calloc(n, sizeof(*res->events));
    if (!res->events)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        const struct rdsim_event_cfg *ev;
        if (b == r->n_injected || (a < r->sc->n_events && r->sc->events[a].at <= r->injected[b]->at))
            ev = &r->sc->events[a++];
        else
            ev = r->injected[b++];
        if (rdsim_event_copy(&res->events[k], ev, err) != 0)
            return RDSIM_ENOMEM;
        res->n_events = k + 1;
    }
    return 0;
}
