/*
 * figures.c - the table of figures an `expect:` min/max can bound
 * (rdsim/figures.h). Names follow the figure, then the kind, then the unit
 * (p99_write_ms), as the issue that introduced them spelt them; the
 * summary.json path beside each is what docs/scenario-format.md lists.
 */
#include <string.h>

#include "rdsim/figures.h"

const struct rdsim_figure_info rdsim_figures[RDSIM_FIG_COUNT] = {
    [RDSIM_FIG_MAX_WRITER_DOWNTIME_S] = {"max_writer_downtime_s", "max_writer_downtime_s",
                                         "s", false, false, 1e-3},
    [RDSIM_FIG_LOST_WRITES] = {"lost_writes", "lost_writes", "", true, false, 1},
    [RDSIM_FIG_ACKNOWLEDGED_WRITES] = {"acknowledged_writes",
                                       "lost_writes_check.acknowledged_writes", "", true,
                                       false, 1},
    [RDSIM_FIG_AVAILABILITY_WRITER] = {"availability_writer", "availability.writer", "",
                                       false, true, 1e-6},
    [RDSIM_FIG_AVAILABILITY_READER] = {"availability_reader", "availability.reader", "",
                                       false, true, 1e-6},
    [RDSIM_FIG_UPTIME_WRITER] = {"uptime_writer", "uptime.writer", "", false, true, 1e-6},
    [RDSIM_FIG_UPTIME_READER] = {"uptime_reader", "uptime.reader", "", false, true, 1e-6},
    [RDSIM_FIG_UNAVAILABLE_S_WRITER] = {"unavailable_s_writer", "unavailable_s.writer", "s",
                                        false, false, 1e-3},
    [RDSIM_FIG_UNAVAILABLE_S_READER] = {"unavailable_s_reader", "unavailable_s.reader", "s",
                                        false, false, 1e-3},
    [RDSIM_FIG_ATTEMPT_SUCCESS_WRITER] = {"attempt_success_writer", "attempt_success.writer",
                                          "", false, true, 1e-6},
    [RDSIM_FIG_ATTEMPT_SUCCESS_READER] = {"attempt_success_reader", "attempt_success.reader",
                                          "", false, true, 1e-6},
    [RDSIM_FIG_STALE_READS_COUNT] = {"stale_reads_count", "stale_reads.count", "", true,
                                     false, 1},
    [RDSIM_FIG_STALE_READS_RATIO] = {"stale_reads_ratio", "stale_reads.ratio", "", false,
                                     true, 1e-6},
    [RDSIM_FIG_MAX_STALENESS_MS] = {"max_staleness_ms", "stale_reads.max_staleness_ms",
                                    "ms", false, false, 1e-3},
    [RDSIM_FIG_READS_OK] = {"reads_ok", "requests.read.ok", "", true, false, 1},
    [RDSIM_FIG_READS_FAILED] = {"reads_failed", "requests.read.failed", "", true, false,
                                1},
    [RDSIM_FIG_READ_ATTEMPT_ERRORS] = {"read_attempt_errors",
                                       "requests.read.attempt_errors", "", true, false,
                                       1},
    [RDSIM_FIG_P50_READ_MS] = {"p50_read_ms", "requests.read.p50_ms", "ms", false, false,
                               1e-3},
    [RDSIM_FIG_P99_READ_MS] = {"p99_read_ms", "requests.read.p99_ms", "ms", false, false,
                               1e-3},
    [RDSIM_FIG_MAX_READ_MS] = {"max_read_ms", "requests.read.max_ms", "ms", false, false,
                               1e-3},
    [RDSIM_FIG_MEAN_READ_MS] = {"mean_read_ms", "requests.read.mean_ms", "ms", false,
                                false, 1e-3},
    [RDSIM_FIG_OK_P50_READ_MS] = {"ok_p50_read_ms", "requests.read.ok_p50_ms", "ms", false,
                                  false, 1e-3},
    [RDSIM_FIG_OK_P99_READ_MS] = {"ok_p99_read_ms", "requests.read.ok_p99_ms", "ms", false,
                                  false, 1e-3},
    [RDSIM_FIG_WRITES_OK] = {"writes_ok", "requests.write.ok", "", true, false, 1},
    [RDSIM_FIG_WRITES_FAILED] = {"writes_failed", "requests.write.failed", "", true,
                                 false, 1},
    [RDSIM_FIG_WRITE_ATTEMPT_ERRORS] = {"write_attempt_errors",
                                        "requests.write.attempt_errors", "", true, false,
                                        1},
    [RDSIM_FIG_P50_WRITE_MS] = {"p50_write_ms", "requests.write.p50_ms", "ms", false,
                                false, 1e-3},
    [RDSIM_FIG_P99_WRITE_MS] = {"p99_write_ms", "requests.write.p99_ms", "ms", false,
                                false, 1e-3},
    [RDSIM_FIG_MAX_WRITE_MS] = {"max_write_ms", "requests.write.max_ms", "ms", false,
                                false, 1e-3},
    [RDSIM_FIG_MEAN_WRITE_MS] = {"mean_write_ms", "requests.write.mean_ms", "ms", false,
                                 false, 1e-3},
    [RDSIM_FIG_OK_P50_WRITE_MS] = {"ok_p50_write_ms", "requests.write.ok_p50_ms", "ms",
                                   false, false, 1e-3},
    [RDSIM_FIG_OK_P99_WRITE_MS] = {"ok_p99_write_ms", "requests.write.ok_p99_ms", "ms",
                                   false, false, 1e-3},
    [RDSIM_FIG_FAILOVER_COUNT] = {"failover_count", "failovers[]", "", true, false, 1},
    [RDSIM_FIG_WRITER_OUTAGE_COUNT] = {"writer_outage_count", "writer_outages[]", "",
                                       true, false, 1},
    [RDSIM_FIG_OPERATIONS_ISSUED] = {"operations_issued", "operations.issued", "", true,
                                     false, 1},
    [RDSIM_FIG_OPERATIONS_IN_FLIGHT_AT_END] = {"operations_in_flight_at_end",
                                               "operations.in_flight_at_end", "", true,
                                               false, 1},
};

/* The same names again, for the loader's list helpers; the unit test checks
 * that both agree. */
const char *const rdsim_figure_names[RDSIM_FIG_COUNT + 1] = {
    "max_writer_downtime_s",
    "lost_writes",
    "acknowledged_writes",
    "availability_writer",
    "availability_reader",
    "uptime_writer",
    "uptime_reader",
    "unavailable_s_writer",
    "unavailable_s_reader",
    "attempt_success_writer",
    "attempt_success_reader",
    "stale_reads_count",
    "stale_reads_ratio",
    "max_staleness_ms",
    "reads_ok",
    "reads_failed",
    "read_attempt_errors",
    "p50_read_ms",
    "p99_read_ms",
    "max_read_ms",
    "mean_read_ms",
    "ok_p50_read_ms",
    "ok_p99_read_ms",
    "writes_ok",
    "writes_failed",
    "write_attempt_errors",
    "p50_write_ms",
    "p99_write_ms",
    "max_write_ms",
    "mean_write_ms",
    "ok_p50_write_ms",
    "ok_p99_write_ms",
    "failover_count",
    "writer_outage_count",
    "operations_issued",
    "operations_in_flight_at_end",
    NULL,
};

bool rdsim_figure_find(const char *name, enum rdsim_figure *out)
{
    for (int i = 0; i < RDSIM_FIG_COUNT; i++)
        if (strcmp(rdsim_figures[i].name, name) == 0) {
            *out = (enum rdsim_figure)i;
            return true;
        }
    return false;
}
