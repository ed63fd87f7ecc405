/*
 * results.h - what one run produced, as the outputs read it: the boundary
 * between the run (which fills a struct rdsim_results) and everything that
 * reads it (report, the CLI, live mode).
 *
 * A results struct is plain data: figures, the failover records as the
 * cluster left them, writer outages, lag, capacity and the verdict on each
 * expectation. It never points into a run, only into the scenario (which
 * must outlive it), so a run can be freed before its results are written.
 * This header depends on no module above the metrics: report includes it,
 * never run.h.
 *
 * Also here: the two file helpers every writer of a results folder shares
 * (create a file in the folder, write a CSV field).
 */
#ifndef RDSIM_RESULTS_H
#define RDSIM_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rdsim/err.h"
#include "rdsim/failover.h"
#include "rdsim/scenario.h"
#include "rdsim/stats.h"

struct rdsim_outage {
    rdsim_time_t at;
    enum rdsim_failover_cause cause;
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

/* Replication lag of one standby or replica over the run. */
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

/* A snapshot event (summary.json `snapshots`). */
struct rdsim_snapshot_result {
    char name[128];            /* a copy: a live session's event may be gone */
    const char *target;        /* points into the scenario */
    const char *source;        /* "instance", "standby" or "storage" (static) */
    rdsim_time_t at, ready;    /* ready -1: not taken, or not by the end */
    rdsim_time_t io_pause;     /* the target's writes stalled (Single-AZ), 0: none */
    int64_t bytes;
    bool taken;
};

/* A restore event (summary.json `restores`): names point into the scenario;
 * times -1 when they did not happen. */
struct rdsim_restore_result {
    const char *name, *from;
    rdsim_time_t at, restore_point, latest_restorable, available, writer_at;
    bool become_writer, done;
    uint64_t lost_writes;      /* acknowledged before `at`, absent from its data */
    bool lost_writes_bounded;
};

/* A backtrack event (summary.json `backtracks`); times -1 when they did
 * not happen. */
struct rdsim_backtrack_result {
    rdsim_time_t at, to, available;
    bool done;                 /* false: the writer was not available */
    uint64_t undone_writes;    /* committed after `to`, undone (the log's count) */
    uint64_t discarded_writes; /* acknowledged after `to`, absent from the rewound data */
    bool discarded_writes_bounded;
};

/* A replica created during the run (summary.json `replicas_created`):
 * names outlive the results; times -1 when they did not happen. */
struct rdsim_replica_result {
    const char *name, *az;
    rdsim_time_t at, built, available, removed;
    uint64_t backlog_writes;   /* writes it applied to catch up, counted when built */
    uint64_t reads_served;     /* reads it served (until removed) */
    rdsim_time_t first_read;   /* when it served its first (-1: none) */
    bool autoscaled;
};

/* One of auto scaling's actions (summary.json `autoscaling.actions`). */
struct rdsim_scaling_result {
    rdsim_time_t at;
    bool out;                  /* scale out, else in */
    int from, to;              /* Aurora Replicas before and after */
    double metric;             /* the readers' average that decided */
};

/* Every key of expect: once, min:/max: once per figure each, and three
 * bounds per restore of expect.restores. */
enum { RDSIM_MAX_EXPECT = 11 + 2 * RDSIM_FIG_COUNT + 3 * RDSIM_MAX_EXPECT_RESTORES };

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
    struct rdsim_snapshot_result *snapshots; /* owned, in the order asked for */
    size_t n_snapshots;
    struct rdsim_restore_result *restores;   /* owned */
    size_t n_restores;
    struct rdsim_backtrack_result *backtracks; /* owned, in order */
    size_t n_backtracks;
    struct rdsim_replica_result *new_replicas; /* owned, in the order asked for */
    size_t n_new_replicas;
    struct rdsim_scaling_result *scaling;    /* owned, in time order */
    size_t n_scaling;

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

/* Free results and everything they own; NULL does nothing. */
void rdsim_results_free(struct rdsim_results *r);

/* The events of the run (see rdsim_results.events); *n gets their number.
 * The pointer is owned by r (or its scenario). */
const struct rdsim_event_cfg *rdsim_results_events(const struct rdsim_results *r, size_t *n);

/* The acknowledged writes every backtrack discarded together (a part of
 * lost_writes). */
uint64_t rdsim_results_discarded(const struct rdsim_results *r);
/* Operations of one kind (RDSIM_OP_READ, RDSIM_OP_WRITE) over every
 * endpoint: counts and merged latency. */
void rdsim_results_kind_total(const struct rdsim_results *r, enum rdsim_op_kind kind,
                              struct rdsim_counts *out);

/* Create (truncate) DIR/NAME for writing. NULL with RDSIM_EIO in err (the
 * path and the system's reason) when it cannot be. */
FILE *rdsim_report_create_file(const char *dir, const char *name, struct rdsim_err *err);

/* Write s as one CSV field, quoted when it holds a comma, quote or newline. */
void rdsim_csv_field(FILE *f, const char *s);

/* ---- time-series samples ---------------------------------------------------- */

/*
 * One time-series row as the run made it: timeseries.csv's line and live
 * mode's "sample" are both written from it, so the file and the dashboard
 * cannot disagree and nothing parses the CSV text back. A column is a
 * number printed with `decimals` places (0 for counts), a name, or empty
 * (no figure this interval: gnuplot's missing value, the API's null).
 */
enum rdsim_sample_kind {
    RDSIM_SAMPLE_EMPTY,
    RDSIM_SAMPLE_NUMBER,
    RDSIM_SAMPLE_NAME,
};

struct rdsim_sample_value {
    enum rdsim_sample_kind kind;
    int decimals;           /* NUMBER: places in timeseries.csv */
    double number;          /* NUMBER: as measured, before printing */
    const char *name;       /* NAME: owned by the scenario or the cluster */
};

struct rdsim_sample {
    rdsim_time_t t;
    size_t n;               /* columns, as many as rdsim_run_columns names */
    const struct rdsim_sample_value *v; /* owned by the run, valid during the call */
};

/* The sample as a timeseries.csv line, without the newline. */
void rdsim_sample_write_csv(FILE *f, const struct rdsim_sample *s);
/* A NUMBER column as timeseries.csv has it: rounded to its decimals
 * exactly as the file prints it (the value a reader of the file gets). */
double rdsim_sample_printed(const struct rdsim_sample_value *v);

#endif
