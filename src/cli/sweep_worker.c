/*
 * sweep_worker.c - the internal commands every engine runs: `rdsim sweep
 * run-one DIR POINT SEED` (one run) and `rdsim sweep run-chunk DIR TASK
 * CHUNK` (a Slurm array task's share of jobs.txt).
 *
 * A run is one point's scenario file and a seed, in its own process, and
 * leaves exactly one row: its figures as its summary.json has them, or its
 * exit status when it failed. A run's own failure is data, not an error of
 * the command; only a row that cannot be written is. Nothing here decides
 * which runs to do or in which order: the engines and jobs.txt do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdsim/report.h"
#include "rdsim/results.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"
#include "rdsim/sweep.h"

#include "commands.h"
#include "sweep_cli.h"

/* Run point `point` (1-based) with `seed` in this process and write its
 * row. The run's own failure (a bad point, an internal error) is a row with
 * its exit status; only a row that cannot be written is an error here. */
static int run_one(const char *dir, size_t point, uint64_t seed, struct rdsim_err *err)
{
    struct rdsim_sweep_row row = {.point = point, .seed = seed};
    struct rdsim_scenario *sc = NULL;
    struct rdsim_results *res = NULL;
    struct rdsim_err e = {0};
    struct rdsim_run_options opt = {.has_seed = true, .seed = seed};
    char path[4200], sum[4300];
    int rc;

    snprintf(path, sizeof path, "%s/points/%04zu.yaml", dir, point);
    rc = rdsim_scenario_load(path, &sc, &e);
    if (rc == 0)
        rc = rdsim_run(sc, &opt, &res, &e);
    if (rc == 0) {
        /* The figures as the run's summary.json has them. */
        snprintf(sum, sizeof sum, "%s/rows/.%zu-%llu.%ld.json", dir, point,
                 (unsigned long long)seed, (long)getpid());
        rc = rdsim_report_write_summary(res, sum, &e);
        size_t len = 0;
        char *text = rc == 0 ? rdsim_cli_read_file(sum, 0, &len, NULL) : NULL;
        unlink(sum);
        if (rc == 0 && text == NULL)
            rc = rdsim_err_set(&e, RDSIM_EIO, "%s: cannot read back", sum);
        if (rc == 0)
            rc = rdsim_sweep_row_from_summary(text, len, &row, &e);
        free(text);
    }
    if (rc == 0) {
        row.exit_code = res->expectations_ok ? RDSIM_EXIT_OKAY : RDSIM_EXIT_EXPECT;
    } else {
        row.exit_code = sc == NULL ? rdsim_exit_for_load(rc) : rdsim_exit_for(rc);
        fprintf(stderr, "rdsim: point %zu, seed %llu: %s\n", point, (unsigned long long)seed,
                e.msg);
    }
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
    return sweep_write_row(dir, &row, err);
}

static int parse_point_seed(const char *p, const char *s, size_t *point, uint64_t *seed)
{
    long v;
    if (sweep_parse_count(p, 1, RDSIM_SWEEP_MAX_POINTS, &v) != 0 || rdsim_parse_seed(s, seed) != 0)
        return -1;
    *point = (size_t)v;
    return 0;
}

int sweep_cmd_run_one(int argc, char **argv)
{
    struct rdsim_err err = {0};
    size_t point;
    uint64_t seed;
    if (argc != 4 || parse_point_seed(argv[2], argv[3], &point, &seed) != 0)
        return rdsim_bad_usage("sweep run-one: expected DIR POINT SEED (used by the engines)",
                               sweep_usage);
    if (run_one(argv[1], point, seed, &err) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return RDSIM_EXIT_INTERNAL;
    }
    return RDSIM_EXIT_OKAY;
}

/* A Slurm array task: lines TASK*CHUNK+1 .. (TASK+1)*CHUNK of jobs.txt,
 * skipping runs whose row exists (a requeued task picks up where it was). */
int sweep_cmd_run_chunk(int argc, char **argv)
{
    struct rdsim_err err = {0};
    long task, chunk;
    char path[4200], line[128], row[4200];
    int status = RDSIM_EXIT_OKAY;
    if (argc != 4 || sweep_parse_count(argv[2], 0, RDSIM_SWEEP_MAX_RUNS, &task) != 0 ||
        sweep_parse_count(argv[3], 1, RDSIM_SWEEP_MAX_RUNS, &chunk) != 0)
        return rdsim_bad_usage("sweep run-chunk: expected DIR TASK CHUNK (used by the Slurm "
                               "script)", sweep_usage);
    snprintf(path, sizeof path, "%s/jobs.txt", argv[1]);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "rdsim: %s: cannot read: %s\n", path, strerror(errno));
        return RDSIM_EXIT_BAD_INPUT;
    }
    long first = task * chunk, k = 0;
    while (fgets(line, sizeof line, f) && k < first + chunk) {
        if (k++ < first)
            continue;
        char ps[32], ss[32];
        size_t point;
        uint64_t seed;
        if (sscanf(line, "%31s %31s", ps, ss) != 2 || parse_point_seed(ps, ss, &point, &seed)) {
            fprintf(stderr, "rdsim: %s:%ld: not a POINT SEED line\n", path, k);
            status = RDSIM_EXIT_BAD_INPUT;
            break;
        }
        sweep_row_path(row, sizeof row, argv[1], point, seed);
        if (access(row, F_OK) == 0)
            continue;
        if (run_one(argv[1], point, seed, &err) != 0) {
            fprintf(stderr, "rdsim: %s\n", err.msg);
            status = RDSIM_EXIT_INTERNAL;
            break;
        }
    }
    fclose(f);
    return status;
}
