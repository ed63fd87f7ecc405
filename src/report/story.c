/*
 * story.c - what happened in a run, told in sentences: the paragraph that
 * report.md and the terminal summary both open with, and the words they
 * share (event labels, latencies, expectation values).
 *
 * Everything here is a pure function of the results, so the same run tells
 * the same story byte for byte. The story is built with open_memstream: it
 * is short, and one growing buffer keeps every sentence a plain fprintf.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/histogram.h"
#include "rdsim/report.h"

#include "replicas_impl.h"

static double secs(rdsim_time_t t)
{
    return (double)t / RDSIM_S;
}

/* A duration in the unit that reads best: "240 s", "4 min", "1.5 h". */
static void duration_text(char *buf, size_t n, rdsim_time_t t)
{
    double s = secs(t);

    if (s >= 3600 && fmod(s, 360) == 0)
        snprintf(buf, n, "%g h", s / 3600);
    else if (s >= 120 && fmod(s, 60) == 0)
        snprintf(buf, n, "%g min", s / 60);
    else if (s >= 1)
        snprintf(buf, n, "%g s", round(s * 10) / 10);
    else
        snprintf(buf, n, "%g ms", round(s * 1e4) / 10);
}

void rdsim_report_latency_text(char *buf, size_t n, rdsim_time_t latency)
{
    if (latency >= RDSIM_S)
        snprintf(buf, n, "%.2f s", secs(latency));
    else
        snprintf(buf, n, "%.2f ms", (double)latency / RDSIM_MS);
}

void rdsim_report_event_label(const struct rdsim_event_cfg *ev, char *buf, size_t n)
{
    char d[32];

    switch (ev->action) {
    case RDSIM_ACT_AZ_OUTAGE:
        snprintf(buf, n, "AZ outage %s", ev->az);
        break;
    case RDSIM_ACT_REGION_OUTAGE:
        snprintf(buf, n, "region outage %s", ev->region);
        break;
    case RDSIM_ACT_INSTANCE_FAILURE:
        snprintf(buf, n, "%s fails", ev->target);
        break;
    case RDSIM_ACT_REBOOT:
        snprintf(buf, n, "reboot %s%s", ev->target, ev->failover ? " with failover" : "");
        break;
    case RDSIM_ACT_FAILOVER:
        if (ev->target)
            snprintf(buf, n, "manual failover to %s", ev->target);
        else
            snprintf(buf, n, "manual failover");
        break;
    case RDSIM_ACT_PROMOTE:
        snprintf(buf, n, "promote %s", ev->target);
        break;
    case RDSIM_ACT_REPLICA_LAG:
        duration_text(d, sizeof(d), ev->delay);
        snprintf(buf, n, "%s applies %s late", ev->target, d);
        break;
    case RDSIM_ACT_STORAGE_FAILURE:
        snprintf(buf, n, "%d storage cop%s lost in %s", ev->copies, ev->copies == 1 ? "y" : "ies",
                 ev->az);
        break;
    case RDSIM_ACT_GLOBAL_FAILOVER:
        snprintf(buf, n, "global %s to %s",
                 ev->mode == RDSIM_GLOBAL_SWITCHOVER ? "switchover" : "failover", ev->region);
        break;
    case RDSIM_ACT_LOAD:
        if (ev->has_reads && ev->has_writes)
            snprintf(buf, n, "load: %g reads/s, %g writes/s", ev->reads_per_s, ev->writes_per_s);
        else if (ev->has_reads)
            snprintf(buf, n, "load: %g reads/s", ev->reads_per_s);
        else
            snprintf(buf, n, "load: %g writes/s", ev->writes_per_s);
        break;
    case RDSIM_ACT_SNAPSHOT:
        snprintf(buf, n, "snapshot %s%s%s", ev->name, ev->target ? " of " : "",
                 ev->target ? ev->target : "");
        break;
    case RDSIM_ACT_RESTORE:
        if (ev->from)
            snprintf(buf, n, "restore %s from snapshot %s%s", ev->name, ev->from,
                     ev->become_writer ? ", then write to it" : "");
        else
            snprintf(buf, n, "point-in-time restore %s%s", ev->name,
                     ev->become_writer ? ", then write to it" : "");
        break;
    case RDSIM_ACT_BACKTRACK:
        duration_text(d, sizeof(d), ev->to);
        snprintf(buf, n, "backtrack to %s", d);
        break;
    case RDSIM_ACT_CREATE_REPLICA:
        snprintf(buf, n, "create replica %s in %s", ev->name, ev->az);
        break;
    default:
        snprintf(buf, n, "%s", rdsim_action_name(ev->action));
        break;
    }
}

bool rdsim_report_event_window(const struct rdsim_event_cfg *ev, rdsim_time_t duration,
                               rdsim_time_t *until)
{
    switch (ev->action) {
    case RDSIM_ACT_AZ_OUTAGE:
    case RDSIM_ACT_REGION_OUTAGE:
    case RDSIM_ACT_INSTANCE_FAILURE:
    case RDSIM_ACT_REPLICA_LAG:
    case RDSIM_ACT_STORAGE_FAILURE:
        *until = ev->has_for && ev->at + ev->for_ < duration ? ev->at + ev->for_ : duration;
        return true;
    default:
        *until = ev->at;
        return false;
    }
}

void rdsim_report_expect_text(const struct rdsim_expectation *x, char *actual, char *limit,
                              size_t n)
{
    const char *sp = *x->unit ? " " : "";
    const char *bound = x->op == RDSIM_EXPECT_AT_MOST    ? "at most "
                        : x->op == RDSIM_EXPECT_AT_LEAST ? "at least "
                                                         : "";

    if (!x->has_actual)
        snprintf(actual, n, "%s", x->nothing ? x->nothing : "nothing measured");
    else if (x->kind == RDSIM_EXPECT_BOOL)
        snprintf(actual, n, "%s", x->actual != 0.0 ? "true" : "false");
    else if (x->kind == RDSIM_EXPECT_NAME)
        snprintf(actual, n, "%s", x->actual_name);
    else if (x->integer)
        snprintf(actual, n, "%.0f%s%s", x->actual, sp, x->unit);
    else
        snprintf(actual, n, "%.6g%s%s", x->actual, sp, x->unit);
    if (x->kind == RDSIM_EXPECT_BOOL)
        snprintf(limit, n, "%s", x->limit != 0.0 ? "true" : "false");
    else if (x->kind == RDSIM_EXPECT_NAME)
        snprintf(limit, n, "%s", x->limit_name);
    else if (x->integer)
        snprintf(limit, n, "%s%.0f%s%s", bound, x->limit, sp, x->unit);
    else
        snprintf(limit, n, "%s%.6g%s%s", bound, x->limit, sp, x->unit);
}

/* ---- the story ------------------------------------------------------------ */

/* The deployment as AWS names it, with its article. */
static const char *deployment_text(const struct rdsim_cluster_cfg *c)
{
    bool global = false;

    for (size_t i = 0; i < c->n_instances; i++)
        global |= c->instances[i].region != c->instances[c->writer].region;
    switch (c->deployment) {
    case RDSIM_DEPLOY_SINGLE_AZ:
        return "A Single-AZ DB instance";
    case RDSIM_DEPLOY_MULTI_AZ_INSTANCE:
        return "A Multi-AZ DB instance deployment";
    case RDSIM_DEPLOY_MULTI_AZ_CLUSTER:
        return "A Multi-AZ DB cluster";
    case RDSIM_DEPLOY_AURORA:
        return global ? "An Aurora Global Database" : "An Aurora DB cluster";
    }
    return "A cluster";
}

/* What started a failover, in words: "the AZ outage", "the loss of the
 * write quorum", "the requested promotion". */
static const char *cause_text(enum rdsim_failover_cause cause)
{
    switch (cause) {
    case RDSIM_CAUSE_AZ_OUTAGE: return "the AZ outage";
    case RDSIM_CAUSE_REGION_OUTAGE: return "the region outage";
    case RDSIM_CAUSE_INSTANCE_FAILURE: return "the instance failure";
    case RDSIM_CAUSE_STORAGE_FAILURE: return "the storage failure";
    case RDSIM_CAUSE_NO_WRITE_QUORUM: return "the loss of the write quorum";
    case RDSIM_CAUSE_REBOOT: return "the reboot with failover";
    case RDSIM_CAUSE_FAILOVER: return "the requested failover";
    case RDSIM_CAUSE_PROMOTE: return "the requested promotion";
    case RDSIM_CAUSE_GLOBAL_SWITCHOVER: return "the requested switchover";
    case RDSIM_CAUSE_GLOBAL_FAILOVER: return "the requested global failover";
    case RDSIM_CAUSE_STANDBY_BACK: return "the standby's return";
    case RDSIM_CAUSE_GLOBAL_DB_RPO: return "every secondary lagging past rds.global_db_rpo";
    case RDSIM_CAUSE_BACKTRACK: return "the backtrack";
    case RDSIM_CAUSE_COUNT: break;
    }
    return rdsim_failover_cause_name(cause);
}

/* "writer primary in us-east-1a", but "writer in us-east-1a" for an
 * instance named for its role (not "writer writer"). */
static void role_and_name(FILE *f, const char *role, const struct rdsim_instance_cfg *in)
{
    if (strcmp(in->name, role) == 0)
        fprintf(f, "%s in %s", role, in->az);
    else
        fprintf(f, "%s %s in %s", role, in->name, in->az);
}

/* workload.regions: where the clients are, in the file's order. */
static void tell_regions(FILE *f, const struct rdsim_scenario *sc)
{
    const struct rdsim_workload_cfg *wl = &sc->workload;

    for (size_t k = 0; k < wl->n_regions; k++)
        fprintf(f, "%s%s (%.0f%%)", k == 0 ? " from " : k + 1 == wl->n_regions ? " and " : ", ",
                sc->topology.regions[wl->regions[k].region].name, 100.0 * wl->regions[k].share);
}

static void tell_setup(FILE *f, const struct rdsim_results *r)
{
    const struct rdsim_scenario *sc = r->sc;
    const struct rdsim_cluster_cfg *c = &sc->cluster;
    const struct rdsim_instance_cfg *w = &c->instances[c->writer];
    size_t n_replica = 0, listed = 0;
    char d[32];

    for (size_t i = 0; i < c->n_instances; i++)
        n_replica += c->instances[i].role == RDSIM_ROLE_REPLICA;
    fprintf(f, "%s (%s, %s): ", deployment_text(c), rdsim_engine_name(c->engine),
            w->instance_class);
    role_and_name(f, "writer", w);
    for (size_t i = 0; i < c->n_instances; i++)
        if (c->instances[i].role == RDSIM_ROLE_STANDBY) {
            fputs(", ", f);
            role_and_name(f, "standby", &c->instances[i]);
        }
    if (n_replica > 0) {
        fprintf(f, ", %zu %s (", n_replica, n_replica == 1 ? "replica" : "replicas");
        for (size_t i = 0; i < c->n_instances; i++) {
            const struct rdsim_instance_cfg *in = &c->instances[i];
            if (in->role != RDSIM_ROLE_REPLICA)
                continue;
            if (listed == 4) {
                fprintf(f, " and %zu more", n_replica - listed);
                break;
            }
            fprintf(f, "%s%s in %s", listed ? ", " : "", in->name, in->az);
            listed++;
        }
        fputc(')', f);
    }
    duration_text(d, sizeof(d), sc->duration);
    if (sc->workload.present)
        fprintf(f, "; clients send %g reads/s and %g writes/s", sc->workload.reads_per_s,
                sc->workload.writes_per_s);
    tell_regions(f, sc);
    fprintf(f, "; %s simulated, seed %llu. ", d, (unsigned long long)r->seed);
}

static void tell_events(FILE *f, const struct rdsim_results *r)
{
    const struct rdsim_scenario *sc = r->sc;
    size_t n_events;
    const struct rdsim_event_cfg *events = rdsim_results_events(r, &n_events);
    char label[160], d[32];
    rdsim_time_t until;

    if (n_events == 0)
        fputs("Nothing was injected. ", f);
    for (size_t i = 0; i < n_events; i++) {
        const struct rdsim_event_cfg *ev = &events[i];
        rdsim_report_event_label(ev, label, sizeof(label));
        fprintf(f, "At %g s: %s", round(secs(ev->at) * 10) / 10, label);
        if (rdsim_report_event_window(ev, sc->duration, &until)) {
            if (ev->has_for) {
                duration_text(d, sizeof(d), ev->for_);
                fprintf(f, ", for %s", d);
            } else {
                fputs(", for the rest of the run", f);
            }
        }
        fputs(". ", f);
    }
}

static void phase(FILE *f, const char *what, rdsim_time_t t, rdsim_time_t *prev, bool *first)
{
    if (t < 0)
        return;
    fprintf(f, "%s%s at %.1f s (+%.1f s)", *first ? "" : ", ", what, secs(t), secs(t - *prev));
    *prev = t;
    *first = false;
}

static void tell_failovers(FILE *f, const struct rdsim_results *r)
{
    for (size_t i = 0; i < r->n_failovers; i++) {
        const struct rdsim_failover_result *fr = &r->failovers[i];
        const struct rdsim_failover *fo = &fr->fo;
        rdsim_time_t prev = fo->at;
        bool first = true;

        if (!fo->to[0]) {
            fprintf(f, "After %s at %.1f s there was nothing to fail over to: %s. ",
                    cause_text(fo->cause), secs(fo->at), fo->explanation);
            continue;
        }
        fprintf(f, "Failover %s to %s after %s at %.1f s: ", fo->from, fo->to,
                cause_text(fo->cause), secs(fo->at));
        /* A requested operation needs no detecting: it starts at once. */
        phase(f, fo->detected == fo->at ? "started" : "detected", fo->detected, &prev, &first);
        phase(f, "promoted", fo->promoted, &prev, &first);
        phase(f, "DNS updated", fo->dns_updated, &prev, &first);
        if (first)
            fputs("still under way at the end", f);
        fprintf(f, ". Why %s: %s. ", fo->to, fo->explanation);
        if (fo->lost_writes > 0)
            fprintf(f, "%s lacked %llu acknowledged write%s%s. ", fo->to,
                    (unsigned long long)fo->lost_writes, fo->lost_writes == 1 ? "" : "s",
                    fo->lost_writes_bounded ? " (an upper bound)" : "");
        if (fo->discarded_writes > 0)
            fprintf(f, "%s had %llu write%s that never reached %s: they are dropped, not "
                       "merged back, when it rejoins. ",
                    fo->from, (unsigned long long)fo->discarded_writes,
                    fo->discarded_writes == 1 ? "" : "s", fo->to);
    }
}

/* Each backtrack: its point, its pause, and what it threw away. */
static void tell_backtracks(FILE *f, const struct rdsim_results *r)
{
    for (size_t i = 0; i < r->n_backtracks; i++) {
        const struct rdsim_backtrack_result *x = &r->backtracks[i];
        if (!x->done) {
            fprintf(f, "The backtrack at %.1f s did nothing: the writer was not available. ",
                    secs(x->at));
            continue;
        }
        fprintf(f, "The backtrack at %.1f s rewound the cluster in place to %.1f s: %llu "
                   "acknowledged write%s after that point %s discarded on purpose",
                secs(x->at), secs(x->to), (unsigned long long)x->discarded_writes,
                x->discarded_writes == 1 ? "" : "s", x->discarded_writes == 1 ? "was" : "were");
        if (x->available >= 0)
            fprintf(f, ", and the cluster, paused meanwhile, served again at %.1f s (%.1f s "
                       "later). ",
                    secs(x->available), secs(x->available - x->at));
        else
            fputs(", and the cluster was still paused at the end. ", f);
    }
}

/* Each snapshot's source and readiness, each restore's availability, its
 * data's moment and what it lacks: a restore's story at a glance. */
static void tell_backups(FILE *f, const struct rdsim_results *r)
{
    for (size_t i = 0; i < r->n_snapshots; i++) {
        const struct rdsim_snapshot_result *s = &r->snapshots[i];
        if (!s->taken) {
            fprintf(f, "Snapshot %s was not taken: %s was not available. ", s->name, s->target);
            continue;
        }
        fprintf(f, "Snapshot %s of %s (%s) was taken at %.1f s", s->name, s->target,
                strcmp(s->source, "standby") == 0   ? "from its standby"
                : strcmp(s->source, "storage") == 0 ? "from the cluster volume"
                                                    : "from the instance itself",
                secs(s->at));
        if (s->ready >= 0)
            fprintf(f, " and ready at %.1f s (+%.1f s)", secs(s->ready), secs(s->ready - s->at));
        else
            fputs(" and still being created at the end", f);
        if (s->io_pause > 0)
            fprintf(f, "; %s's I/O was suspended for %.1f s, its writes waiting meanwhile",
                    s->target, secs(s->io_pause));
        fputs(". ", f);
    }
    for (size_t i = 0; i < r->n_restores; i++) {
        const struct rdsim_restore_result *x = &r->restores[i];
        if (!x->done) {
            fprintf(f, "Restore %s had nothing to restore from, and never came up. ", x->name);
            continue;
        }
        fprintf(f, "Restore %s (data as of %.1f s", x->name, secs(x->restore_point));
        if (!x->from)
            fprintf(f, ", %s", x->restore_point == x->latest_restorable
                                   ? "the latest restorable time"
                                   : "within the retention");
        fputc(')', f);
        if (x->available >= 0)
            fprintf(f, " was available at %.1f s, %.1f s after it was asked for",
                    secs(x->available), secs(x->available - x->at));
        else
            fputs(" was still being created at the end", f);
        if (x->writer_at >= 0)
            fprintf(f, "; the application wrote to it from %.1f s", secs(x->writer_at));
        fprintf(f, "; it lacks %llu acknowledged write%s%s. ", (unsigned long long)x->lost_writes,
                x->lost_writes == 1 ? "" : "s", x->lost_writes_bounded ? " at most" : "");
    }
}

/* When the median and the last client wrote again (their DNS caches). */
static void clients_tail(FILE *f, const struct rdsim_outage *o)
{
    if (o->clients == 0)
        return;
    if (o->clients_last >= 0 && o->clients_last > o->clients_first)
        fprintf(f, "; half of the %zu clients by %.1f s, all of them by %.1f s", o->clients,
                secs(o->clients_p50), secs(o->clients_last));
    else if (o->clients_p50 >= 0 && o->clients_last < 0)
        fprintf(f, "; half of the %zu clients by %.1f s, %zu never did", o->clients,
                secs(o->clients_p50), o->clients - o->clients_back);
    else if (o->clients_p50 < 0)
        fprintf(f, "; only %zu of the %zu clients ever did", o->clients_back, o->clients);
}

static void tell_outages(FILE *f, const struct rdsim_results *r)
{
    const struct rdsim_clients_cfg *cl = &r->sc->clients;
    struct rdsim_counts writes;

    /* Downtime is what writing clients see: without writes there is none
     * to tell. */
    rdsim_results_kind_total(r, RDSIM_OP_WRITE, &writes);
    if (writes.ok + writes.failed == 0)
        return;
    if (r->n_outages == 0)
        fputs("The writer was never interrupted. ", f);
    for (size_t i = 0; i < r->n_outages; i++) {
        const struct rdsim_outage *o = &r->outages[i];
        if (o->recovered) {
            fprintf(f, "The first client wrote again at %.1f s: %.1f s of writer downtime after "
                       "%s",
                    secs(o->recovered_at), secs(o->downtime), cause_text(o->cause));
            clients_tail(f, o);
            fputs(". ", f);
        }
        else
            fprintf(f, "No write succeeded again after %s at %.1f s (%.1f s of writer "
                       "downtime and counting)",
                    cause_text(o->cause), secs(o->at), secs(o->downtime));
        if (!o->recovered) {
            if (r->n_failovers && cl->dns_cache == RDSIM_DNS_CACHE_FOREVER &&
                cl->connection == RDSIM_CONN_DIRECT)
                fputs(": the clients cache DNS forever and still send writes to the old "
                      "writer",
                      f);
            fputs(". ", f);
        }
    }
}

static void tell_data(FILE *f, const struct rdsim_results *r)
{
    const struct rdsim_stale *st = &r->stats->stale;
    const struct rdsim_lag_result *worst = NULL;
    char behind[32];

    if (r->acked_writes > 0)
        fprintf(f, "%llu of %llu acknowledged writes %s lost%s (checked against %s's SQLite "
                   "data%s). ",
                (unsigned long long)r->lost_writes, (unsigned long long)r->acked_writes,
                r->lost_writes == 1 ? "was" : "were",
                r->lost_writes_bounded ? " at most" : "", r->final_writer,
                r->n_backtracks ? "; the writes backtrack discarded are among them" : "");
    rdsim_report_latency_text(behind, sizeof(behind), st->max_staleness);
    if (st->stale > 0)
        fprintf(f, "%llu of %llu reads (%.2f%%) were stale, up to %s behind the writer. ",
                (unsigned long long)st->stale, (unsigned long long)st->reads,
                100.0 * (double)st->stale / (double)st->reads, behind);
    else if (st->reads > 0)
        fputs("No read was stale. ", f);
    for (size_t i = 0; i < r->n_lags; i++)
        if (!worst || r->lags[i].max_ms > worst->max_ms)
            worst = &r->lags[i];
    if (worst && worst->max_ms > 0) {
        if (worst->max_ms >= 1000)
            fprintf(f, "Replication lag peaked at %.1f s on %s (mean %.1f s). ",
                    worst->max_ms / 1000, worst->name, worst->mean_ms / 1000);
        else
            fprintf(f, "Replication lag peaked at %.1f ms on %s (mean %.1f ms). ", worst->max_ms,
                    worst->name, worst->mean_ms);
    }
    for (size_t i = 0; i < r->n_acus; i++)
        fprintf(f, "Serverless v2 %s peaked at %.1f ACU (mean %.1f, %.0f ACU-seconds). ",
                r->acus[i].name, r->acus[i].peak_acu, r->acus[i].mean_acu,
                r->acus[i].acu_seconds);
}

/* After a failed verdict: what differs from the lesson of the same name. */
static void tell_lesson_changes(FILE *f, const struct rdsim_results *r)
{
    enum { SHOWN = 4 };

    if (r->lesson == NULL)
        return;
    if (r->n_lesson_changes == 0) {
        fprintf(f, " This is lesson %s exactly as shipped, whose expectations rdsim's own "
                   "tests check: please report the failure.",
                r->lesson);
        return;
    }
    fprintf(f, " The scenario differs from lesson %s as shipped in", r->lesson);
    for (size_t i = 0; i < r->n_lesson_changes && i < SHOWN; i++) {
        const struct rdsim_param_change *c = &r->lesson_changes[i];
        fprintf(f, "%s %s (%s there, %s here)", i ? ";" : "", c->path,
                c->shipped ? c->shipped : "not set", c->here ? c->here : "not set");
    }
    if (r->n_lesson_changes > SHOWN)
        fprintf(f, " and %zu more (report.md lists them)", r->n_lesson_changes - SHOWN);
    fputs(": its expectations were written for the lesson as shipped, so the changes may be "
          "why they fail.",
          f);
}

static void tell_verdict(FILE *f, const struct rdsim_results *r)
{
    size_t ok = 0;
    char actual[64], limit[64];

    if (r->n_expect == 0)
        return;
    for (size_t i = 0; i < r->n_expect; i++)
        ok += r->expect[i].ok;
    if (ok == r->n_expect) {
        fprintf(f, "%s.", r->n_expect == 1 ? "The expectation held"
                          : r->n_expect == 2 ? "Both expectations held"
                                             : "All expectations held");
        return;
    }
    fprintf(f, "%zu of %zu expectations failed:", r->n_expect - ok, r->n_expect);
    for (size_t i = 0, k = 0; i < r->n_expect; i++) {
        const struct rdsim_expectation *x = &r->expect[i];
        if (x->ok)
            continue;
        rdsim_report_expect_text(x, actual, limit, sizeof(actual));
        fprintf(f, "%s %s was %s (expected %s)", k++ ? ";" : "", x->name, actual, limit);
    }
    fputc('.', f);
    tell_lesson_changes(f, r);
}

int rdsim_report_story(const struct rdsim_results *r, char **out, struct rdsim_err *err)
{
    size_t len;
    FILE *f = open_memstream(out, &len);

    if (!f)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    tell_setup(f, r);
    tell_events(f, r);
    tell_failovers(f, r);
    tell_backups(f, r);
    tell_backtracks(f, r);
    tell_outages(f, r);
    tell_data(f, r);
    report_replicas_story(f, r);
    tell_verdict(f, r);
    if (ferror(f) | fclose(f)) {
        free(*out);
        *out = NULL;
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    return 0;
}

/* ---- wrapping ------------------------------------------------------------ */

static void put_word(FILE *f, const char *w, size_t n, bool markdown)
{
    for (size_t i = 0; i < n; i++) {
        if (markdown && strchr("\\`*_[]<>#|", w[i]))
            fputc('\\', f);
        fputc(w[i], f);
    }
}

void rdsim_report_wrap(FILE *f, const char *text, const char *indent, size_t width,
                       bool markdown)
{
    size_t col = 0, ind = strlen(indent);
    const char *p = text;

    while (*p) {
        size_t n, blank = 0;
        while (*p == ' ' || *p == '\t' || *p == '\n') {
            blank += *p == '\n';
            p++;
        }
        if (!*p)
            break;
        if (blank >= 2 && col > 0) {
            fputs("\n\n", f);
            col = 0;
        }
        n = strcspn(p, " \t\n");
        if (col > 0 && col + 1 + n > width) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0) {
            fputs(indent, f);
            col = ind;
        } else {
            fputc(' ', f);
            col++;
        }
        put_word(f, p, n, markdown);
        col += n;
        p += n;
    }
    if (col > 0)
        fputc('\n', f);
}
