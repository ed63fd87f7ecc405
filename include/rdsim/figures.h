/*
 * figures.h - the numeric figures of summary.json that an `expect:` min/max
 * (and a sweep's SLO) can bound, by name.
 *
 * One table, indexed by enum rdsim_figure: the name a scenario file uses
 * (`max: {p99_write_ms: 50}`), where summary.json holds the figure, its
 * unit, and how summary.json rounds it, so that a bound is checked against
 * exactly the number the file shows. The loader reads only the names (an
 * unknown one is a load-time error); rdsim_figure_value (expect.h, the run
 * module) reads the values from a run's results.
 *
 * Not here, on purpose: the scenario's own settings (seed, simulated_s,
 * sample_interval_s), the engine's event count (a benchmark figure), the
 * per-endpoint and per-instance breakdowns (endpoints.*, replica_lag_ms.*,
 * serverless.*, failovers[].*), whose names depend on the scenario.
 */
#ifndef RDSIM_FIGURES_H
#define RDSIM_FIGURES_H

#include <stdbool.h>

enum rdsim_figure {
    RDSIM_FIG_MAX_WRITER_DOWNTIME_S,
    RDSIM_FIG_LOST_WRITES,
    RDSIM_FIG_ACKNOWLEDGED_WRITES,
    RDSIM_FIG_AVAILABILITY_WRITER,
    RDSIM_FIG_AVAILABILITY_READER,
    RDSIM_FIG_UPTIME_WRITER,
    RDSIM_FIG_UPTIME_READER,
    RDSIM_FIG_UNAVAILABLE_S_WRITER,
    RDSIM_FIG_UNAVAILABLE_S_READER,
    RDSIM_FIG_ATTEMPT_SUCCESS_WRITER,
    RDSIM_FIG_ATTEMPT_SUCCESS_READER,
    RDSIM_FIG_STALE_READS_COUNT,
    RDSIM_FIG_STALE_READS_RATIO,
    RDSIM_FIG_MAX_STALENESS_MS,
    RDSIM_FIG_READS_OK,
    RDSIM_FIG_READS_FAILED,
    RDSIM_FIG_READ_ATTEMPT_ERRORS,
    RDSIM_FIG_P50_READ_MS,
    RDSIM_FIG_P99_READ_MS,
    RDSIM_FIG_MAX_READ_MS,
    RDSIM_FIG_MEAN_READ_MS,
    RDSIM_FIG_OK_P50_READ_MS,
    RDSIM_FIG_OK_P99_READ_MS,
    RDSIM_FIG_WRITES_OK,
    RDSIM_FIG_WRITES_FAILED,
    RDSIM_FIG_WRITE_ATTEMPT_ERRORS,
    RDSIM_FIG_P50_WRITE_MS,
    RDSIM_FIG_P99_WRITE_MS,
    RDSIM_FIG_MAX_WRITE_MS,
    RDSIM_FIG_MEAN_WRITE_MS,
    RDSIM_FIG_OK_P50_WRITE_MS,
    RDSIM_FIG_OK_P99_WRITE_MS,
    RDSIM_FIG_FAILOVER_COUNT,
    RDSIM_FIG_WRITER_OUTAGE_COUNT,
    RDSIM_FIG_OPERATIONS_ISSUED,
    RDSIM_FIG_OPERATIONS_IN_FLIGHT_AT_END,
    RDSIM_FIG_COUNT
};

struct rdsim_figure_info {
    const char *name;      /* as in a scenario file: "p99_write_ms" */
    const char *json_path; /* where summary.json holds it: "requests.write.p99_ms";
                            * "failovers[]" for the length of an array */
    const char *unit;      /* "s", "ms" or "" (counts, ratios) */
    bool integer;          /* a count: limits must be whole numbers */
    bool ratio;            /* 0..1 */
    double step;           /* summary.json's rounding (1 for counts) */
};

/* Indexed by enum rdsim_figure. */
extern const struct rdsim_figure_info rdsim_figures[RDSIM_FIG_COUNT];
/* The names in table order, NULL-terminated (for suggestions and lists). */
extern const char *const rdsim_figure_names[RDSIM_FIG_COUNT + 1];

/* The figure called `name`; false when there is none. */
bool rdsim_figure_find(const char *name, enum rdsim_figure *out);

#endif
