/*
 * harness.h - run scenario files with the rdsim binary and read what they
 * wrote: summary.json through jansson, timeseries.csv by column name.
 */
#ifndef RDSIM_TEST_HARNESS_H
#define RDSIM_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Set from argv by harness_main: the binary and the source tree. */
extern const char *harness_rdsim, *harness_root;

/* main() of a scenario test: `prog RDSIM_BINARY SOURCE_ROOT`. */
struct CMUnitTest;
int harness_main(int argc, char **argv, const char *name, const struct CMUnitTest *tests,
                 size_t n);
#define HARNESS_MAIN(tests)                                                                \
    harness_main(argc, argv, __FILE__, tests, sizeof(tests) / sizeof((tests)[0]))

struct run_result {
    json_t *summary;
    char dir[64];     /* the results folder, removed by run_free */
    int exit_status;
};

/*
 * Run `scenario` (a path; "@name" means scenarios/name.yaml in the source
 * tree) with `seed` (0: the scenario's own). Fails the test if rdsim crashes
 * or writes no summary.
 */
struct run_result run_scenario(const char *scenario, uint64_t seed);
void run_free(struct run_result *r);

/* Write `yaml` to a temporary scenario file; returns its path (static buffer
 * per call site is the caller's: pass `out` of 64 bytes). */
void write_scenario(const char *yaml, char out[64]);

/* The number at a dotted path ("failovers.0.writer_downtime_s"); true and
 * false read as 1 and 0. Fails the test if it is missing or not a number. */
double num(json_t *root, const char *path);
/* The string root.key[index].field; fails the test if it is missing. */
const char *str(json_t *root, const char *key, size_t index, const char *field);
/* True when the value at path is JSON null. */
bool is_null(json_t *root, const char *path);

/* Values of one timeseries.csv column (NAN for an empty field), with their
 * t_s; returns the row count. Caller frees *t and *v. */
size_t series(const struct run_result *r, const char *column, double **t, double **v);

#define assert_between(v, lo, hi)                                                          \
    do {                                                                                   \
        double v_ = (v);                                                                   \
        if (!(v_ >= (lo) && v_ <= (hi)))                                                   \
            fail_msg("%s = %g, expected %g..%g", #v, v_, (double)(lo), (double)(hi));       \
    } while (0)

#endif
