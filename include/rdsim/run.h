/*
 * run.h - one simulation of one scenario, from start to results.
 *
 * rdsim_run() wires the engine, the cluster, the workload and the metrics,
 * runs the simulated duration and streams timeseries.csv and events.csv into
 * the output directory as it goes (memory stays bounded by the cluster and
 * the data). It then checks every instance that is the writer at the end
 * against the clients' acknowledged writes (lost_writes) and evaluates the
 * scenario's expectations. Writing summary.json is the report module's job.
 *
 * Nothing here reads the wall clock: the progress callback receives
 * simulated time and the CLI decides when to print.
 */
#ifndef RDSIM_RUN_H
#define RDSIM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rdsim/cluster.h"
#include "rdsim/err.h"
#include "rdsim/scenario.h"
#include "rdsim/stats.h"

struct rdsim_run_options {
    bool has_seed;           /* --seed overrides the scenario's */
    uint64_t seed;
    const char *out_dir;     /* existing directory for the CSV files; NULL: none */
    const char *keep_db_dir; /* existing directory for the SQLite files; NULL: memory */
    bool verify;             /* check in-memory row images against SQLite (rdsim_db_config) */
    /* Called at every sample interval with simulated time; may be NULL. */
    void (*progress)(void *ctx, rdsim_time_t now, rdsim_time_t duration);
    void *progress_ctx;
    /* Live mode, may be NULL: every timeline entry (an events.csv row) and
     * every time-series row (timeseries.csv text without the newline; the
     * header is rdsim_run_columns) as the run makes them. */
    void (*on_event)(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                     const char *detail);
    void (*on_sample)(void *ctx, rdsim_time_t t, const char *row);
    void *live_ctx;
};

struct rdsim_outage {
    rdsim_time_t at;
    char cause[32];
    bool recovered;
    rdsim_time_t recovered_at;  /* first successful write after the fault */
    rdsim_time_t downtime;      /* to recovery, or to the end of the run */
    /* When the clients wrote again (each one's first successful write sent
     * after the fault): the first client (recovered_at), the median client
     * and the last; -1 while too few had (the median needs half of them,
     * the last all). */
    rdsim_time_t clients_first, clients_p50, clients_last;
    size_t clients, clients_back;
};

/* A failover as the summary reports it: the cluster's record plus the
 * writer downtime the clients saw around it. */
struct rdsim_failover_result {
    struct rdsim_failover fo;
    bool has_downtime;
    rdsim_time_t downtime;
    int outage;                 /* index of the outage behind downtime, or -1 */
};

/* Replication lag of one instance over the run: the mean, p99 and maximum
 * of its time-series rows (each an interval's maximum); has_lag is false
 * when it never had a live source. */
struct rdsim_lag_result {
    const char *name;          /* points into the scenario */
    bool has_lag;
    double mean_ms, p99_ms, max_ms;
};

/* Aurora Serverless v2 capacity of one instance over the run. */
struct rdsim_acu_result {
    const char *name;          /* points into the scenario */
    double acu_seconds;        /* the basis of per-second billing */
    double mean_acu, peak_acu;
};

/* Every key of expect: once, and min:/max: once per figure each. */
enum { RDSIM_MAX_EXPECT = 11 + 2 * RDSIM_FIG_COUNT };

enum rdsim_expect_kind {
    RDSIM_EXPECT_NUMBER,       /* actual and limit are numbers */
    RDSIM_EXPECT_BOOL,         /* actual and limit are 0 (false) or 1 (true) */
    RDSIM_EXPECT_NAME,         /* actual_name and limit_name (an instance) */
};

enum rdsim_expect_op {
    RDSIM_EXPECT_AT_MOST,
    RDSIM_EXPECT_AT_LEAST,
    RDSIM_EXPECT_EQUALS,
};

struct rdsim_expectation {
    char name[48];             /* as in the scenario: lost_writes, min_availability.writer,
                                * writer_recovers, max.p99_write_ms */
    bool ok;
    bool has_actual;           /* false: nothing to measure (e.g. no reads sent); not ok */
    enum rdsim_expect_kind kind;
    enum rdsim_expect_op op;
    double actual, limit;
    bool integer;              /* print actual and limit as integers */
    const char *unit;          /* "s", "ms", "" */
    const char *actual_name;   /* RDSIM_EXPECT_NAME: point into the results */
    const char *limit_name;    /* RDSIM_EXPECT_NAME: points into the scenario */
    const char *nothing;       /* why has_actual is false ("no failover"); NULL: generic */
};

struct rdsim_results {
    const struct rdsim_scenario *sc; /* not owned */
    uint64_t seed;
    rdsim_time_t simulated;
    struct rdsim_stats *stats;       /* owned */
    const char *final_writer;        /* points into sc */
    /* Live mode: every event that acted, the scenario's and the injected
     * ones, by time (owned deep copies); NULL when nothing was injected,
     * and then the events are sc's. Use rdsim_results_events(). */
    struct rdsim_event_cfg *events;
    size_t n_events;

    struct rdsim_outage *outages;    /* owned */
    size_t n_outages;
    rdsim_time_t max_downtime;

    struct rdsim_failover_result *failovers; /* owned */
    size_t n_failovers;
    struct rdsim_lag_result *lags;   /* owned, one per standby or replica */
    size_t n_lags;
    struct rdsim_acu_result *acus;   /* owned, one per Serverless v2 instance */
    size_t n_acus;

    uint64_t acked_writes, lost_writes;
    bool lost_writes_bounded;        /* some row lacked more than the ack window */

    bool has_availability[RDSIM_STATS_EP]; /* per endpoint: writer, reader */
    double availability[RDSIM_STATS_EP];   /* operations that succeeded */
    /* Per endpoint operations were sent to (has_uptime): the share of time it
     * served (uptime), the seconds it did not (unavailable) and the share
     * of attempts, retries included, that succeeded (NaN: none sent). */
    bool has_uptime[RDSIM_STATS_EP];
    double uptime[RDSIM_STATS_EP];
    rdsim_time_t unavailable[RDSIM_STATS_EP];
    double attempt_success[RDSIM_STATS_EP];

    uint64_t ops_issued, ops_in_flight_at_end, events_run;

    struct rdsim_expectation expect[RDSIM_MAX_EXPECT];
    size_t n_expect;
    bool expectations_ok;

    /* Filled by the caller (rdsim run) when an expectation failed and the
     * scenario has the name of a lesson shipped with rdsim: the lesson's
     * name (NULL: not compared) and every parameter that differs from it
     * (none: the lesson as shipped). Owned; freed with the results. */
    char *lesson;
    struct rdsim_param_change *lesson_changes;
    size_t n_lesson_changes;
};

struct rdsim_run;

/*
 * A run that can be stepped: created at simulated time 0 with the scenario's
 * events scheduled (and the output files open, when opt->out_dir is set).
 * `sc` and opt's strings must outlive the run; *opt is copied. Returns 0,
 * RDSIM_EINVAL for a scenario this version cannot simulate, RDSIM_EIO /
 * RDSIM_EDB / RDSIM_ENOMEM otherwise.
 */
int rdsim_run_create(const struct rdsim_scenario *sc, const struct rdsim_run_options *opt,
                     struct rdsim_run **out, struct rdsim_err *err);
/* Free the run (and results it has not handed out); NULL does nothing. */
void rdsim_run_destroy(struct rdsim_run *r);

/*
 * Run every event up to simulated time `until` (capped at the duration);
 * the clock is then at `until`. Stepping changes nothing in the outcome:
 * advance(t1), advance(t2) is advance(t2). Returns 0, the error an event
 * raised (the run is then over), or RDSIM_EINVAL once finished.
 */
int rdsim_run_advance(struct rdsim_run *r, rdsim_time_t until, struct rdsim_err *err);

/*
 * Inject one event (from rdsim_scenario_parse_event, valid for this
 * scenario) now: at the next whole millisecond after the current time at
 * which no other event is pending, running the events before it. *at (may be
 * NULL) gets that time; the event is recorded with it (rdsim_run_injected),
 * so a scenario with the same events at those times replays the run
 * exactly. `ev` is copied. Returns 0; RDSIM_EINVAL when the run has finished
 * or no such time is left before the end; an event's error.
 */
int rdsim_run_inject(struct rdsim_run *r, const struct rdsim_event_cfg *ev, rdsim_time_t *at,
                     struct rdsim_err *err);

/*
 * Run to the end, check lost writes and expectations, close the files. On
 * success *out owns the results (free with rdsim_results_free); the run's
 * state can still be read, but it no longer advances.
 */
int rdsim_run_finish(struct rdsim_run *r, struct rdsim_results **out, struct rdsim_err *err);

rdsim_time_t rdsim_run_now(const struct rdsim_run *r);
bool rdsim_run_is_finished(const struct rdsim_run *r);
/* The cluster, to read its state (not to change it: use inject). */
struct rdsim_cluster *rdsim_run_cluster(struct rdsim_run *r);
struct rdsim_workload;
const struct rdsim_workload *rdsim_run_workload(const struct rdsim_run *r);
/* The timeseries.csv header line (no newline); owned by the run. */
const char *rdsim_run_columns(const struct rdsim_run *r);
/* Injected events so far, in order, with `at` set; owned by the run. */
size_t rdsim_run_injected_count(const struct rdsim_run *r);
const struct rdsim_event_cfg *rdsim_run_injected(const struct rdsim_run *r, size_t k);

/*
 * Run the scenario: create, finish, destroy. On success *out owns new results (free with
 * rdsim_results_free). Returns RDSIM_EINVAL for a scenario this version
 * cannot simulate, RDSIM_EIO / RDSIM_EDB / RDSIM_ENOMEM otherwise.
 */
int rdsim_run(const struct rdsim_scenario *sc, const struct rdsim_run_options *opt,
              struct rdsim_results **out, struct rdsim_err *err);
void rdsim_results_free(struct rdsim_results *r);
/* The events of the run (see rdsim_results.events); *n gets their number.
 * Inline: the report layer, below this one, reads it too. */
static inline const struct rdsim_event_cfg *rdsim_results_events(const struct rdsim_results *r,
                                                                 size_t *n)
{
    *n = r->events ? r->n_events : r->sc->n_events;
    return r->events ? r->events : r->sc->events;
}

#endif
