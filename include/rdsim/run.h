/*
 * run.h - one simulation of one scenario, from start to results.
 *
 * rdsim_run() wires the engine, the cluster, the workload and the metrics,
 * runs the simulated duration and streams timeseries.csv and events.csv into
 * the output directory as it goes (memory stays bounded by the cluster and
 * the data). It then checks every instance that is the writer at the end
 * against the clients' acknowledged writes (lost_writes) and evaluates the
 * scenario's expectations into a struct rdsim_results (results.h). Writing
 * summary.json and report.md from them is the report module's job.
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
#include "rdsim/results.h"
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
     * every time-series row (results.h's struct rdsim_sample, the values
     * timeseries.csv is written from; its columns are rdsim_run_columns)
     * as the run makes them. */
    void (*on_event)(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                     const char *detail);
    void (*on_sample)(void *ctx, const struct rdsim_sample *sample);
    void *live_ctx;
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
 * exactly. `ev` is copied. Returns 0; RDSIM_EINVAL when the run has finished,
 * no such time is left before the end, or ev is a restore (its new instance
 * would need a slot planned at the start); an event's error.
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
/* The timeseries.csv header line (no newline); owned by the run. */
const char *rdsim_run_columns(const struct rdsim_run *r);
/* Injected events so far, in order, with `at` set; owned by the run. */
size_t rdsim_run_injected_count(const struct rdsim_run *r);
const struct rdsim_event_cfg *rdsim_run_injected(const struct rdsim_run *r, size_t k);

/*
 * Run the scenario: create, finish, destroy. On success *out owns new
 * results (free with rdsim_results_free). Returns RDSIM_EINVAL for a scenario this version
 * cannot simulate, RDSIM_EIO / RDSIM_EDB / RDSIM_ENOMEM otherwise.
 */
int rdsim_run(const struct rdsim_scenario *sc, const struct rdsim_run_options *opt,
              struct rdsim_results **out, struct rdsim_err *err);

#endif
