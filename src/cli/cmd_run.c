/*
 * cmd_run.c - rdsim run: simulate one scenario into a results folder.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdsim/report.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

#include "commands.h"
#include "gnuplot.h"
#include "outdir.h"
#include "terminal.h"

static const char usage_run[] =
    "Usage: rdsim run SCENARIO [-o DIR] [--seed N] [--quiet] [--force] [--keep-db DIR]\n"
    "                          [--no-plots] [--format png|svg|both] [--json] [--junit FILE]\n"
    "                          [--fis TEMPLATE.json [--subnet ID=AZ]... [--skip-unsupported]]\n"
    "\n"
    "Simulate SCENARIO and write its results into DIR:\n"
    "  summary.json     what the clients saw: requests, latency (failed operations\n"
    "                   at give-up), uptime (time served) and availability\n"
    "                   (operations ok) per endpoint, writer outages and their\n"
    "                   downtime, when the clients wrote again, lost writes, lag,\n"
    "                   expectations (docs/outputs.md defines each figure)\n"
    "  timeseries.csv   one row per sample interval\n"
    "  events.csv       the timeline: faults, detections, recoveries\n"
    "  report.md        the story of the run, key figures, plots, expectations (each\n"
    "                   with its actual value; for a lesson you changed that fails\n"
    "                   them, the parameters that differ from the lesson as shipped)\n"
    "  plots/           gnuplot scripts and, when gnuplot is installed, the figures\n"
    "                   (latency, availability, throughput, roles, lag, capacity)\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR  results folder (default: results/<scenario name>); created if\n"
    "                    missing; rdsim's own files from an earlier run are replaced\n"
    "  -s, --seed N      seed for every random stream (default: the scenario's seed)\n"
    "  -q, --quiet       print nothing but errors\n"
    "  -f, --force       write into DIR (and the --keep-db folder) even if it holds\n"
    "                    files rdsim did not write\n"
    "      --keep-db DIR keep each instance's SQLite database as DIR/<instance>.sqlite\n"
    "                    and each snapshot as DIR/snapshot-<name>.sqlite, replacing\n"
    "                    earlier ones\n"
    "                    (open it with: sqlite3 DIR/<instance>.sqlite 'select * from kv')\n"
    "      --no-plots    write the plot scripts but do not run gnuplot\n"
    "      --format F    figures as png, svg or both (default: both)\n"
    "      --json        print summary.json on standard output, and nothing else there\n"
    "                    (the closing summary goes to standard error)\n"
    "      --junit FILE  write the expectations as JUnit XML, one test case each\n"
    "      --fis T.json  replay the AWS FIS experiment template T on SCENARIO's cluster\n"
    "                    (as rdsim fis T.json --cluster SCENARIO would write it);\n"
    "                    --subnet ID=AZ and --skip-unsupported as for rdsim fis\n"
    "      --verify      check every row image rdsim keeps in memory against SQLite's\n"
    "                    each time it is used (slow: for testing rdsim itself)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 success, 1 internal error, 2 bad input, 3 an expectation failed.\n";

int rdsim_parse_seed(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    /* Digits only: strtoull would take " 5", "+5" and "-18446744073709551615"
     * (which wraps to 1). The range is the loader's: summary.json stores the
     * seed as a JSON integer, signed 64 bits. */
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

int rdsim_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"seed", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},        {"force", no_argument, NULL, 'f'},
        {"keep-db", required_argument, NULL, 'k'}, {"help", no_argument, NULL, 'h'},
        {"no-plots", no_argument, NULL, 'P'},      {"format", required_argument, NULL, 'F'},
        {"json", no_argument, NULL, 'J'},          {"junit", required_argument, NULL, 'X'},
        {"fis", required_argument, NULL, 'T'},     {"subnet", required_argument, NULL, 'S'},
        {"skip-unsupported", no_argument, NULL, 'U'},
        {"verify", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct rdsim_run_options opt = {0};
    struct rdsim_scenario *sc = NULL;
    struct rdsim_results *res = NULL;
    struct rdsim_err err = {0};
    struct rdsim_progress progress;
    const char *out_dir = NULL;
    char default_dir[512], path[4096], plots_dir[4200];
    const char *formats = "png svg";
    bool quiet = false, force = false, render = true, json = false;
    const char *junit = NULL;
    struct rdsim_fis_cli fis = {0};
    double started = rdsim_cli_wall_now(), mono = rdsim_cli_mono_now();
    enum rdsim_plots_outcome plots = RDSIM_PLOTS_NOT_ASKED;
    int c, rc, status;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:s:qfh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 's':
            if (rdsim_parse_seed(optarg, &opt.seed) != 0) {
                snprintf(path, sizeof(path),
                         "--seed: must be a whole number 0..9223372036854775807, got \"%s\"",
                         optarg);
                return rdsim_bad_usage(path, usage_run);
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
        case 'P':
            render = false;
            break;
        case 'V':
            opt.verify = true;
            break;
        case 'F':
            formats = rdsim_parse_formats(optarg);
            if (!formats) {
                snprintf(path, sizeof(path), "--format: must be png, svg or both, got \"%s\"",
                         optarg);
                return rdsim_bad_usage(path, usage_run);
            }
            break;
        case 'J':
            json = true;
            break;
        case 'X':
            junit = optarg;
            break;
        case 'T':
            fis.template_path = optarg;
            break;
        case 'S':
            if ((rc = rdsim_fis_cli_subnet(&fis, optarg, usage_run)) != 0)
                return rc;
            break;
        case 'U':
            fis.opt.skip_unsupported = true;
            break;
        case 'h':
            fputs(usage_run, stdout);
            return RDSIM_EXIT_OKAY;
        default:
            return rdsim_bad_option("run", c, argv[optind - 1], usage_run);
        }
    }
    if (optind >= argc)
        return rdsim_bad_usage("run: no scenario file given", usage_run);
    if (optind + 1 < argc) {
        snprintf(path, sizeof(path), "run: one scenario at a time, got \"%s\" too",
                 argv[optind + 1]);
        return rdsim_bad_usage(path, usage_run);
    }

    if ((fis.opt.n_subnets > 0 || fis.opt.skip_unsupported) && !fis.template_path)
        return rdsim_bad_usage("run: --subnet and --skip-unsupported go with --fis", usage_run);
    if (fis.template_path) {
        if ((status = rdsim_fis_cli_load(&fis, argv[optind], quiet, &sc)) != 0)
            return status;
    } else if ((rc = rdsim_scenario_load(argv[optind], &sc, &err)) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return rdsim_exit_for_load(rc);
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
        return rdsim_exit_for(rc);
    }

    opt.out_dir = out_dir;
    rdsim_progress_init(&progress, !quiet && isatty(STDERR_FILENO), sc->name);
    opt.progress = rdsim_progress_update;
    opt.progress_ctx = &progress;
    rc = rdsim_run(sc, &opt, &res, &err);
    rdsim_progress_done(&progress);
    /* A generated FIS scenario is nobody's lesson. */
    if (rc == 0 && !fis.template_path)
        rc = rdsim_cli_compare_lesson(res, opt.has_seed, &err);
    if (rc == 0)
        rc = rdsim_cli_write_results(out_dir, res, formats, render, &plots, &err);
    if (rc == 0 && junit)
        rc = rdsim_cli_write_junit(junit, res, started, rdsim_cli_mono_now() - mono, &err);
    if (rc == 0 && json) {
        snprintf(path, sizeof(path), "%s/summary.json", out_dir);
        rc = rdsim_cli_print_file(path, &err);
    }
    if (rc) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        status = rdsim_exit_for(rc);
        goto out;
    }
    if (!quiet) /* with --json, stdout holds summary.json alone */
        rdsim_print_summary(json ? stderr : stdout, res, out_dir, plots == RDSIM_PLOTS_DRAWN);
    if (!quiet && plots == RDSIM_PLOTS_NO_GNUPLOT) {
        snprintf(path, sizeof(path), "rdsim plot %s", out_dir);
        snprintf(plots_dir, sizeof(plots_dir), "%s/plots", out_dir);
        rdsim_gnuplot_missing(plots_dir, path);
    }
    status = res->expectations_ok ? RDSIM_EXIT_OKAY : RDSIM_EXIT_EXPECT;
out:
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
    return status;
}

