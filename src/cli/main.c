/*
 * main.c - the rdsim command line: argument parsing, exit codes, terminal
 * output. The only layer that prints, exits or reads the wall clock (for the
 * progress line).
 *
 * Exit codes (docs/outputs.md): 0 success, 1 internal error, 2 bad input
 * (scenario or arguments), 3 an expectation failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rdsim/report.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

#include "outdir.h"
#include "terminal.h"

enum { EXIT_OKAY = 0, EXIT_INTERNAL = 1, EXIT_BAD_INPUT = 2, EXIT_EXPECT = 3 };

static const char usage_main[] =
    "Usage: rdsim COMMAND [OPTIONS]\n"
    "\n"
    "Simulate Amazon RDS and Aurora replication and failover, with a real SQLite\n"
    "database in every instance, and report what the clients saw.\n"
    "\n"
    "Commands:\n"
    "  run SCENARIO      simulate a scenario and write summary.json, timeseries.csv\n"
    "                    and events.csv into a results folder\n"
    "  check SCENARIO... validate scenario files without running them\n"
    "\n"
    "Options:\n"
    "  -h, --help        show this help (rdsim COMMAND --help for a command)\n"
    "  -V, --version     print the version\n"
    "\n"
    "Exit status: 0 success, 1 internal error, 2 bad input, 3 an expectation failed.\n"
    "Scenario format: docs/scenario-format.md. Outputs: docs/outputs.md.\n";

static const char usage_run[] =
    "Usage: rdsim run SCENARIO [-o DIR] [--seed N] [--quiet] [--force] [--keep-db DIR]\n"
    "\n"
    "Simulate SCENARIO and write its results into DIR:\n"
    "  summary.json     what the clients saw: requests, latency, availability,\n"
    "                   writer outages and their downtime, lost writes, expectations\n"
    "  timeseries.csv   one row per sample interval\n"
    "  events.csv       the timeline: faults, detections, recoveries\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR  results folder (default: results/<scenario name>); created if\n"
    "                    missing; rdsim's own files from an earlier run are replaced\n"
    "  -s, --seed N      seed for every random stream (default: the scenario's seed)\n"
    "  -q, --quiet       print nothing but errors\n"
    "  -f, --force       write into DIR (and the --keep-db folder) even if it holds\n"
    "                    files rdsim did not write\n"
    "      --keep-db DIR keep each instance's SQLite database as DIR/<instance>.sqlite,\n"
    "                    replacing earlier ones\n"
    "                    (open it with: sqlite3 DIR/<instance>.sqlite 'select * from kv')\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 success, 1 internal error, 2 bad input, 3 an expectation failed.\n";

static const char usage_check[] =
    "Usage: rdsim check SCENARIO...\n"
    "\n"
    "Validate each scenario file and report the first problem in each as\n"
    "FILE:LINE:COL: path: what was expected, got what.\n"
    "\n"
    "Exit status: 0 all valid, 2 at least one invalid.\n";

static int bad_usage(const char *msg, const char *usage)
{
    fprintf(stderr, "rdsim: %s\n\n%s", msg, usage);
    return EXIT_BAD_INPUT;
}

static int exit_for(int rc)
{
    return rc == RDSIM_EINVAL ? EXIT_BAD_INPUT : EXIT_INTERNAL;
}

/* A scenario that cannot be read is bad input too, like one that is invalid. */
static int exit_for_load(int rc)
{
    return rc == RDSIM_EINVAL || rc == RDSIM_EIO ? EXIT_BAD_INPUT : EXIT_INTERNAL;
}

static int cmd_check(int argc, char **argv)
{
    int status = EXIT_OKAY;

    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(usage_check, stdout);
        return EXIT_OKAY;
    }
    if (argc < 2)
        return bad_usage("check: no scenario file given", usage_check);
    for (int i = 1; i < argc; i++) {
        struct rdsim_scenario *sc;
        struct rdsim_err err = {0};
        int rc = rdsim_scenario_load(argv[i], &sc, &err);
        if (rc) {
            fprintf(stderr, "%s\n", err.msg);
            if (status == EXIT_OKAY || exit_for_load(rc) == EXIT_INTERNAL)
                status = exit_for_load(rc);
            continue;
        }
        printf("%s: ok (%s, %s, %zu instances, %zu events)\n", argv[i], sc->name,
               rdsim_deployment_name(sc->cluster.deployment), sc->cluster.n_instances,
               sc->n_events);
        rdsim_scenario_free(sc);
    }
    return status;
}

static int parse_seed(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    /* summary.json stores the seed as a JSON integer: signed 64 bits. */
    if (errno || *end || v > INT64_MAX)
        return -1;
    *out = v;
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"seed", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},        {"force", no_argument, NULL, 'f'},
        {"keep-db", required_argument, NULL, 'k'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rdsim_run_options opt = {0};
    struct rdsim_scenario *sc = NULL;
    struct rdsim_results *res = NULL;
    struct rdsim_err err = {0};
    struct rdsim_progress progress;
    const char *out_dir = NULL;
    char default_dir[512], path[4096];
    bool quiet = false, force = false;
    int c, rc, status;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:s:qfh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 's':
            if (parse_seed(optarg, &opt.seed) != 0) {
                snprintf(path, sizeof(path),
                         "--seed: must be a whole number 0..9223372036854775807, got \"%s\"",
                         optarg);
                return bad_usage(path, usage_run);
            }
            opt.has_seed = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'f':
            force = true;
            break;
        case 'k':
            opt.keep_db_dir = optarg;
            break;
        case 'h':
            fputs(usage_run, stdout);
            return EXIT_OKAY;
        case ':':
            snprintf(path, sizeof(path), "run: option %s needs a value", argv[optind - 1]);
            return bad_usage(path, usage_run);
        default:
            snprintf(path, sizeof(path), "run: unknown option %s", argv[optind - 1]);
            return bad_usage(path, usage_run);
        }
    }
    if (optind >= argc)
        return bad_usage("run: no scenario file given", usage_run);
    if (optind + 1 < argc) {
        snprintf(path, sizeof(path), "run: one scenario at a time, got \"%s\" too",
                 argv[optind + 1]);
        return bad_usage(path, usage_run);
    }

    rc = rdsim_scenario_load(argv[optind], &sc, &err);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return exit_for_load(rc);
    }
    if (!out_dir) {
        snprintf(default_dir, sizeof(default_dir), "results/%s", sc->name);
        out_dir = default_dir;
    }
    rc = rdsim_outdir_prepare(out_dir, force, &err);
    if (rc == 0 && opt.keep_db_dir)
        rc = rdsim_outdir_prepare_db(opt.keep_db_dir, force, &err);
    if (rc) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        rdsim_scenario_free(sc);
        return exit_for(rc);
    }

    opt.out_dir = out_dir;
    rdsim_progress_init(&progress, !quiet && isatty(STDERR_FILENO), sc->name);
    opt.progress = rdsim_progress_update;
    opt.progress_ctx = &progress;
    rc = rdsim_run(sc, &opt, &res, &err);
    rdsim_progress_done(&progress);
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s/summary.json", out_dir);
        rc = rdsim_report_write_summary(res, path, &err);
    }
    if (rc == 0)
        rc = rdsim_outdir_mark(out_dir, &err);
    if (rc) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        status = exit_for(rc);
        goto out;
    }
    if (!quiet)
        rdsim_print_summary(stdout, res, out_dir);
    status = res->expectations_ok ? EXIT_OKAY : EXIT_EXPECT;
out:
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
    return status;
}

int main(int argc, char **argv)
{
    /* One thread uses SQLite: skip its locks and memory statistics, which
     * cost a global mutex on every allocation (measured by tests/db/bench_db). */
    sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

    if (argc < 2)
        return bad_usage("no command given", usage_main);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OKAY;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("rdsim %s\n", RDSIM_VERSION);
        return EXIT_OKAY;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 1, argv + 1);

    char msg[256];
    snprintf(msg, sizeof(msg), "unknown command \"%s\"", argv[1]);
    return bad_usage(msg, usage_main);
}
