/*
 * summary.c - summary.json, with jansson.
 *
 * Field names and meanings follow the contract (docs/outputs.md); rdsim's
 * additions are documented there too. Reals are rounded before they are
 * stored (milliseconds to the microsecond, ratios to 1e-6) so that the file
 * reads well and is identical for identical runs.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rdsim/histogram.h"
#include "rdsim/report.h"

#include "replicas_impl.h"

static json_t *num(double v, double step)
{
    return json_real(round(v / step) * step);
}

static json_t *secs(rdsim_time_t t)
{
    return num((double)t / RDSIM_S, 1e-3);
}

static json_t *msecs(rdsim_time_t t)
{
    return num((double)t / RDSIM_MS, 1e-3);
}

/* Percentiles over every operation (failed ones at their give-up time),
 * then over the successful ones alone. */
static json_t *counts_json(const struct rdsim_counts *c)
{
    return json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "ok", (json_int_t)c->ok,
                     "failed", (json_int_t)c->failed, "attempt_errors",
                     (json_int_t)c->attempt_errors, "p50_ms",
                     msecs(rdsim_hist_quantile(&c->lat, 0.50)), "p99_ms",
                     msecs(rdsim_hist_quantile(&c->lat, 0.99)), "max_ms",
                     msecs(c->lat.count ? c->lat.max : 0), "mean_ms",
                     num(rdsim_hist_mean(&c->lat) / RDSIM_MS, 1e-3), "ok_p50_ms",
                     msecs(rdsim_hist_quantile(&c->ok_lat, 0.50)), "ok_p99_ms",
                     msecs(rdsim_hist_quantile(&c->ok_lat, 0.99)));
}

static json_t *requests_json(const struct rdsim_stats *s)
{
    static const char *const kinds[] = {"read", "write"};
    json_t *o = json_object();

    for (int k = 0; k < RDSIM_STATS_KIND; k++) {
        struct rdsim_counts sum;
        memset(&sum, 0, sizeof(sum));
        rdsim_hist_reset(&sum.lat);
        rdsim_hist_reset(&sum.ok_lat);
        for (int e = 0; e < RDSIM_STATS_EP; e++) {
            sum.ok += s->total[e][k].ok;
            sum.failed += s->total[e][k].failed;
            sum.attempt_errors += s->total[e][k].attempt_errors;
            rdsim_hist_merge(&sum.lat, &s->total[e][k].lat);
            rdsim_hist_merge(&sum.ok_lat, &s->total[e][k].ok_lat);
        }
        json_object_set_new(o, kinds[k], counts_json(&sum));
    }
    return o;
}

static json_t *endpoints_json(const struct rdsim_stats *s)
{
    static const char *const eps[] = {"writer", "reader"};
    static const char *const kinds[] = {"read", "write"};
    json_t *o = json_object();

    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        json_t *ep = NULL;
        for (int k = 0; k < RDSIM_STATS_KIND; k++) {
            if (!s->used[e][k])
                continue;
            if (!ep)
                ep = json_object();
            json_object_set_new(ep, kinds[k], counts_json(&s->total[e][k]));
        }
        if (ep)
            json_object_set_new(o, eps[e], ep);
    }
    return o;
}

/* workload.regions: per Region, in the file's order, what its clients saw. */
static json_t *regions_json(const struct rdsim_results *r)
{
    static const char *const kinds[] = {"read", "write"};
    const struct rdsim_workload_cfg *wl = &r->sc->workload;
    json_t *o = json_object();

    for (size_t k = 0; k < wl->n_regions && r->stats->regions; k++) {
        const struct rdsim_region_stats *rs = &r->stats->regions[wl->regions[k].region];
        json_t *reg = json_object();
        for (int op = 0; op < RDSIM_STATS_KIND; op++) {
            const struct rdsim_region_counts *c = &rs->op[op];
            json_object_set_new(reg, kinds[op],
                                json_pack("{s:I, s:I, s:o, s:o}", "ok", (json_int_t)c->ok,
                                          "failed", (json_int_t)c->failed, "p50_ms",
                                          msecs(rdsim_hist_quantile(&c->lat, 0.50)), "p99_ms",
                                          msecs(rdsim_hist_quantile(&c->lat, 0.99))));
        }
        json_object_set_new(
            reg, "stale_reads",
            json_pack("{s:I, s:o}", "count", (json_int_t)rs->stale, "ratio",
                      num(rs->reads ? (double)rs->stale / (double)rs->reads : 0.0, 1e-6)));
        json_object_set_new(o, r->sc->topology.regions[wl->regions[k].region].name, reg);
    }
    return o;
}

static json_t *clients_json(const struct rdsim_outage *fr);

static json_t *outages_json(const struct rdsim_results *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n_outages; i++) {
        const struct rdsim_outage *o = &r->outages[i];
        json_array_append_new(
            a, json_pack("{s:o, s:s, s:b, s:o, s:o}", "at_s", secs(o->at), "cause", rdsim_failover_cause_name(o->cause),
                         "recovered", o->recovered, "recovered_s",
                         o->recovered ? secs(o->recovered_at) : json_null(),
                         "writer_downtime_s", secs(o->downtime)));
        json_object_set_new(json_array_get(a, i), "clients_recovered_s", clients_json(o));
    }
    return a;
}

static json_t *time_or_null(rdsim_time_t t)
{
    return t >= 0 ? secs(t) : json_null();
}

static json_t *clients_json(const struct rdsim_outage *fr)
{
    return json_pack("{s:o, s:o, s:o, s:I, s:I}", "first", time_or_null(fr->clients_first),
                     "p50", time_or_null(fr->clients_p50), "last",
                     time_or_null(fr->clients_last), "clients", (json_int_t)fr->clients,
                     "recovered", (json_int_t)fr->clients_back);
}

static json_t *failovers_json(const struct rdsim_results *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n_failovers; i++) {
        const struct rdsim_failover_result *fr = &r->failovers[i];
        const struct rdsim_failover *f = &fr->fo;
        json_array_append_new(
            a, json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:s}",
                         "at_s", secs(f->at), "cause", rdsim_failover_cause_name(f->cause),
                         "from", f->from, "to",
                         f->to[0] ? json_string(f->to) : json_null(), "detected_s",
                         time_or_null(f->detected), "promoted_s", time_or_null(f->promoted),
                         "dns_updated_s", time_or_null(f->dns_updated), "writer_downtime_s",
                         fr->has_downtime ? secs(fr->downtime) : json_null(),
                         "clients_recovered_s", fr->outage >= 0 ? clients_json(&r->outages[fr->outage]) : json_null(),
                         "lost_writes",
                         (json_int_t)f->lost_writes, "discarded_writes",
                         (json_int_t)f->discarded_writes, "unapplied_writes",
                         (json_int_t)f->unapplied_writes, "explanation", f->explanation));
    }
    return a;
}

static json_t *snapshots_json(const struct rdsim_results *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n_snapshots; i++) {
        const struct rdsim_snapshot_result *s = &r->snapshots[i];
        json_array_append_new(
            a, json_pack("{s:s, s:o, s:s, s:s, s:b, s:o, s:I, s:o}", "name", s->name, "at_s",
                         secs(s->at), "target", s->target, "source", s->source, "taken",
                         s->taken, "ready_s", time_or_null(s->ready), "bytes",
                         (json_int_t)s->bytes, "io_pause_s", secs(s->io_pause)));
    }
    return a;
}

/* A restore's RPO is lost_writes: the acknowledged writes its data lacks. */
static json_t *restores_json(const struct rdsim_results *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n_restores; i++) {
        const struct rdsim_restore_result *x = &r->restores[i];
        json_array_append_new(
            a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:I, s:b}", "name",
                         x->name, "at_s", secs(x->at), "from",
                         x->from ? json_string(x->from) : json_null(), "restore_point_s",
                         time_or_null(x->restore_point), "latest_restorable_s",
                         time_or_null(x->latest_restorable), "available_s",
                         time_or_null(x->available), "time_to_available_s",
                         x->available >= 0 ? secs(x->available - x->at) : json_null(),
                         "become_writer", x->become_writer,
                         "writer_s", time_or_null(x->writer_at), "lost_writes",
                         (json_int_t)x->lost_writes, "lost_writes_upper_bound",
                         x->lost_writes_bounded));
    }
    return a;
}

/* The writes a backtrack discards are lost writes of the run too. */
static json_t *backtracks_json(const struct rdsim_results *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n_backtracks; i++) {
        const struct rdsim_backtrack_result *x = &r->backtracks[i];
        json_array_append_new(
            a, json_pack("{s:o, s:o, s:b, s:o, s:I, s:I, s:b}", "at_s", secs(x->at), "to_s",
                         secs(x->to), "done", x->done, "available_s",
                         time_or_null(x->available), "undone_writes",
                         (json_int_t)x->undone_writes, "discarded_writes",
                         (json_int_t)x->discarded_writes, "discarded_writes_upper_bound",
                         x->discarded_writes_bounded));
    }
    return a;
}

static json_t *lags_json(const struct rdsim_results *r)
{
    json_t *o = json_object();

    for (size_t i = 0; i < r->n_lags; i++) {
        const struct rdsim_lag_result *l = &r->lags[i];
        /* null: it never had a live source (the writer all along). */
        json_object_set_new(o, l->name,
                            l->has_lag ? json_pack("{s:o, s:o, s:o}", "mean", num(l->mean_ms, 1e-3),
                                                   "p99", num(l->p99_ms, 1e-3), "max",
                                                   num(l->max_ms, 1e-3))
                                       : json_pack("{s:n, s:n, s:n}", "mean", "p99", "max"));
    }
    return o;
}

static json_t *acus_json(const struct rdsim_results *r)
{
    json_t *o = json_object();

    for (size_t i = 0; i < r->n_acus; i++) {
        const struct rdsim_acu_result *a = &r->acus[i];
        json_object_set_new(o, a->name,
                            json_pack("{s:o, s:o, s:o}", "acu_seconds", num(a->acu_seconds, 1e-1),
                                      "mean_acu", num(a->mean_acu, 1e-3), "peak_acu",
                                      num(a->peak_acu, 1e-1)));
    }
    return o;
}

static json_t *expectations_json(const struct rdsim_results *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n_expect; i++) {
        const struct rdsim_expectation *x = &r->expect[i];
        json_t *actual, *limit;
        if (!x->has_actual)
            actual = json_null();
        else if (x->kind == RDSIM_EXPECT_BOOL)
            actual = json_boolean(x->actual != 0.0);
        else if (x->kind == RDSIM_EXPECT_NAME)
            actual = json_string(x->actual_name);
        else if (x->integer)
            actual = json_integer((json_int_t)x->actual);
        else
            actual = num(x->actual, 1e-6);
        if (x->kind == RDSIM_EXPECT_BOOL)
            limit = json_boolean(x->limit != 0.0);
        else if (x->kind == RDSIM_EXPECT_NAME)
            limit = json_string(x->limit_name);
        else
            limit = x->integer ? json_integer((json_int_t)x->limit) : num(x->limit, 1e-6);
        json_array_append_new(a, json_pack("{s:s, s:b, s:o, s:o}", "name", x->name, "ok",
                                           x->ok, "actual", actual, "limit", limit));
    }
    return a;
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A failed lesson: its name and what the scenario changed in it. */
static json_t *lesson_json(const struct rdsim_results *r)
{
    json_t *a = json_array();

    for (size_t i = 0; i < r->n_lesson_changes; i++) {
        const struct rdsim_param_change *c = &r->lesson_changes[i];
        json_array_append_new(a, json_pack("{s:s, s:o, s:o}", "path", c->path, "shipped",
                                           text_or_null(c->shipped), "here",
                                           text_or_null(c->here)));
    }
    return json_pack("{s:s, s:b, s:o}", "name", r->lesson, "as_shipped",
                     r->n_lesson_changes == 0, "changes", a);
}

/* The scenario's injected events with their windows and labels, so that the
 * plots (which read only the results folder) can shade and name them. */
static json_t *scenario_events_json(const struct rdsim_results *r)
{
    const struct rdsim_scenario *sc = r->sc;
    size_t n_events;
    const struct rdsim_event_cfg *events = rdsim_results_events(r, &n_events);
    json_t *a = json_array();
    char label[160];

    for (size_t i = 0; i < n_events; i++) {
        const struct rdsim_event_cfg *ev = &events[i];
        rdsim_time_t until;
        bool window = rdsim_report_event_window(ev, sc->duration, &until);
        rdsim_report_event_label(ev, label, sizeof(label));
        json_array_append_new(a, json_pack("{s:o, s:s, s:o, s:s}", "at_s", secs(ev->at),
                                           "action", rdsim_action_name(ev->action), "until_s",
                                           window ? secs(until) : json_null(), "label", label));
    }
    return a;
}

static json_t *availability_json(const struct rdsim_results *r)
{
    json_t *o = json_object();
    static const char *const eps[] = {"writer", "reader"};

    for (int e = 0; e < RDSIM_STATS_EP; e++)
        json_object_set_new(o, eps[e],
                            r->has_availability[e] ? num(r->availability[e], 1e-6) : json_null());
    return o;
}

/* Per endpoint the workload sends to: uptime, its down seconds, the share
 * of attempts that succeeded (null: none sent). */
static json_t *uptime_json(const struct rdsim_results *r, int what)
{
    json_t *o = json_object();
    static const char *const eps[] = {"writer", "reader"};

    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        json_t *v = json_null();
        if (r->has_uptime[e] && what == 0)
            v = num(r->uptime[e], 1e-6);
        else if (r->has_uptime[e] && what == 1)
            v = secs(r->unavailable[e]);
        else if (r->has_uptime[e] && !isnan(r->attempt_success[e]))
            v = num(r->attempt_success[e], 1e-6);
        json_object_set_new(o, eps[e], v);
    }
    return o;
}

/* The down windows behind unavailable_s, for the plots. */
static json_t *windows_json(const struct rdsim_results *r)
{
    const struct rdsim_uptime *u = &r->stats->up;
    static const char *const eps[] = {"writer", "reader"};
    json_t *o = json_object();

    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        json_t *a = json_array();
        if (!r->has_uptime[e]) {
            json_decref(a);
            continue;
        }
        for (size_t k = 0; k < u->n_windows[e]; k++)
            json_array_append_new(a, json_pack("[o, o]", secs(u->windows[e][k].from),
                                               secs(u->windows[e][k].to)));
        json_object_set_new(o, eps[e], a);
    }
    return o;
}

int rdsim_report_write_summary(const struct rdsim_results *r, const char *path,
                               struct rdsim_err *err)
{
    const struct rdsim_scenario *sc = r->sc;
    const struct rdsim_stale *st = &r->stats->stale;
    json_t *root;
    int rc = 0;

    root = json_object();
    json_object_set_new(root, "scenario", json_string(sc->name));
    json_object_set_new(root, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(root, "rdsim_version", json_string(RDSIM_VERSION));
    json_object_set_new(root, "simulated_s", secs(r->simulated));
    json_object_set_new(root, "sample_interval_s", secs(sc->sample_interval));
    json_object_set_new(root, "deployment",
                        json_string(rdsim_deployment_name(sc->cluster.deployment)));
    json_object_set_new(root, "engine", json_string(rdsim_engine_name(sc->cluster.engine)));
    json_object_set_new(root, "scenario_events", scenario_events_json(r));
    json_object_set_new(root, "requests", requests_json(r->stats));
    json_object_set_new(root, "endpoints", endpoints_json(r->stats));
    json_object_set_new(root, "availability", availability_json(r));
    json_object_set_new(root, "uptime", uptime_json(r, 0));
    json_object_set_new(root, "unavailable_s", uptime_json(r, 1));
    json_object_set_new(root, "attempt_success", uptime_json(r, 2));
    json_object_set_new(root, "unavailable_windows", windows_json(r));
    json_object_set_new(root, "failovers", failovers_json(r));
    json_object_set_new(root, "writer_outages", outages_json(r));
    json_object_set_new(root, "max_writer_downtime_s", secs(r->max_downtime));
    json_object_set_new(root, "final_writer", json_string(r->final_writer));
    json_object_set_new(root, "lost_writes", json_integer((json_int_t)r->lost_writes));
    json_object_set_new(root, "lost_writes_check",
                        json_pack("{s:I, s:s, s:b}", "acknowledged_writes",
                                  (json_int_t)r->acked_writes, "checked_against",
                                  r->final_writer, "upper_bound", r->lost_writes_bounded));
    json_object_set_new(
        root, "stale_reads",
        json_pack("{s:I, s:o, s:o}", "count", (json_int_t)st->stale, "ratio",
                  num(st->reads ? (double)st->stale / (double)st->reads : 0.0, 1e-6),
                  "max_staleness_ms", msecs(st->max_staleness)));
    json_object_set_new(root, "replica_lag_ms", lags_json(r));
    if (sc->workload.n_regions)
        json_object_set_new(root, "regions", regions_json(r));
    /* Only where the scenario has them, so other summaries keep their shape. */
    if (r->n_snapshots)
        json_object_set_new(root, "snapshots", snapshots_json(r));
    if (r->n_restores)
        json_object_set_new(root, "restores", restores_json(r));
    if (r->n_backtracks)
        json_object_set_new(root, "backtracks", backtracks_json(r));
    report_replicas_json(root, r);
    if (r->n_acus)
        json_object_set_new(root, "serverless", acus_json(r));
    json_object_set_new(root, "operations",
                        json_pack("{s:I, s:I}", "issued", (json_int_t)r->ops_issued,
                                  "in_flight_at_end", (json_int_t)r->ops_in_flight_at_end));
    json_object_set_new(root, "simulator_events", json_integer((json_int_t)r->events_run));
    json_object_set_new(root, "expectations", expectations_json(r));
    json_object_set_new(root, "expectations_met", json_boolean(r->expectations_ok));
    if (r->lesson != NULL)
        json_object_set_new(root, "lesson", lesson_json(r));

    errno = 0;
    if (json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) !=
        0)
        rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot write%s%s", path, errno ? ": " : "",
                           errno ? strerror(errno) : "");
    json_decref(root);
    return rc;
}
