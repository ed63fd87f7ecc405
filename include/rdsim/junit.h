/*
 * junit.h - JUnit XML verdicts, so that CI systems (GitLab, GitHub Actions,
 * Jenkins) show rdsim's expectations as test results without glue.
 *
 * The file follows the common JUnit schema (Apache Ant's, as published by
 * Windy Road: JUnit.xsd): a <testsuites> root; each <testsuite> with name,
 * package, id, timestamp, hostname, tests, failures, errors and time, then
 * <properties>, its <testcase>s and <system-out>/<system-err>; each
 * <testcase> with name, classname and time, and a <failure message type>
 * when it failed. The writer is generic: a run gives one suite with one
 * case per expectation (rdsim_junit_run_suite, whatever expectations the
 * results hold); a sweep can give one suite per point, or one case per
 * point and seed, through the same rdsim_junit_write.
 *
 * The report layer reads no clock: timestamp, hostname and time are the
 * caller's (the CLI's), so the rest of the file is the same bytes for the
 * same run.
 */
#ifndef RDSIM_JUNIT_H
#define RDSIM_JUNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rdsim/err.h"
#include "rdsim/run.h"

/* One test case; strings are the caller's and must outlive the write. */
struct rdsim_junit_case {
    const char *name;      /* "max_writer_downtime" */
    const char *classname; /* "rdsim.01-multi-az-instance-failover" */
    double time_s;
    const char *failure;      /* NULL: passed; else the one-line failure message */
    const char *failure_type; /* the kind of failure ("expectation"); NULL: "failure" */
    const char *detail;       /* text inside <failure>; may be NULL */
};

struct rdsim_junit_property {
    const char *name, *value;
};

struct rdsim_junit_suite {
    const char *name;      /* the scenario's name */
    const char *package;   /* NULL: "rdsim" */
    const char *timestamp; /* "2024-05-01T12:00:00", UTC, no zone (the schema's form);
                            * NULL: "1970-01-01T00:00:00" */
    const char *hostname;  /* NULL: "localhost", as the schema says */
    double time_s;         /* wall-clock seconds the suite took */
    const struct rdsim_junit_property *properties;
    size_t n_properties;
    const struct rdsim_junit_case *cases;
    size_t n_cases;
    const char *system_out; /* may be NULL */
};

/*
 * Write the suites as one JUnit XML document to f. Text is escaped for XML
 * (characters XML 1.0 cannot hold become U+FFFD). Returns 0, or RDSIM_EIO
 * when writing fails.
 */
int rdsim_junit_write(FILE *f, const struct rdsim_junit_suite *suites, size_t n,
                      struct rdsim_err *err);
/* The same into the file at `path` (created or replaced). */
int rdsim_junit_write_file(const char *path, const struct rdsim_junit_suite *suites,
                           size_t n, struct rdsim_err *err);

/* One run as a suite: a case per expectation the results hold, named as in
 * summary.json; the seed, scenario and rdsim version as properties; the
 * story as system-out. Owns its strings. */
struct rdsim_junit_run {
    struct rdsim_junit_suite suite;
    struct rdsim_junit_case *cases;
    struct rdsim_junit_property properties[4];
    char **owned; /* the strings the suite points into */
    size_t n_owned;
};

/* Fill a new *out from r (which must outlive it); the caller then sets
 * suite.timestamp, hostname and time_s. Returns 0 or RDSIM_ENOMEM. */
int rdsim_junit_run_suite(const struct rdsim_results *r, struct rdsim_junit_run **out,
                          struct rdsim_err *err);
void rdsim_junit_run_free(struct rdsim_junit_run *j);

#endif
