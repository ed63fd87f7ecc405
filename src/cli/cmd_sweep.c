/*
 * cmd_sweep.c - rdsim sweep: many runs of one scenario over seeds and a grid
 * of parameter points, on this machine, on GNU parallel or on Slurm.
 *
 * A sweep folder is self-contained: sweep.json (the plan: axes, values,
 * seeds, SLO), points/NNNN.yaml (each point's scenario), jobs.txt (one
 * "POINT SEED" line per run, in plan order) and rows/P-SEED.row (one line
 * per finished run). Every engine runs the same internal command,
 * `rdsim sweep run-one DIR POINT SEED` (or run-chunk for a Slurm array
 * task), which runs one scenario in its own process and writes its row;
 * the aggregate is then made from the rows alone (src/sweep/aggregate.c),
 * so it is the same bytes whichever engine ran them, with however many
 * workers, in whatever order.
 *
 * This file is the command line: the options, the checks between them,
 * and which engine runs the plan. The folder is sweep_folder.c's, the
 * worker commands sweep_worker.c's, the engines sweep_engines.c's and the
 * collect sweep_collect.c's (sweep_cli.h maps them).
 */
/* realpath() is XSI. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdsim/scenario.h"
#include "rdsim/sweep.h"

#include "commands.h"
#include "sweep_cli.h"

const char sweep_usage[] =
    "Usage: rdsim sweep SWEEP.yaml [-o DIR] [--jobs N] [--engine local|parallel|slurm]\n"
    "                              [--emit] [--force] [--quiet] [--no-plots] [--format F]\n"
    "       rdsim sweep collect DIR [--no-plots] [--format F]\n"
    "\n"
    "Run the base scenario of SWEEP.yaml once per seed and point of its vary grid, and\n"
    "sum the runs up in DIR (docs/sweeps.md):\n"
    "  runs.csv        one row per point and seed: exit status and the run's figures\n"
    "  points.csv      per point: runs, SLO met, P(SLO) with its 95% Wilson interval,\n"
    "                  and mean, p50, p90, p99, max of each figure\n"
    "  sweep.sqlite    the same two tables (sqlite3 DIR/sweep.sqlite)\n"
    "  report.md       points ranked by P(SLO); which parameter moves downtime most\n"
    "  plots/          CDFs of writer downtime and lost writes, one line per point\n"
    "\n"
    "Engines:\n"
    "  --engine local      worker processes on this machine (the default)\n"
    "  -j, --jobs N        how many at once (default: the number of cores); a\n"
    "                      progress line on a terminal\n"
    "  --engine parallel   hand the runs to GNU parallel (-j N, and these are passed on:)\n"
    "      --sshlogin S    run on other machines (DIR must be on a shared file system\n"
    "                      at the same path, and rdsim installed there)\n"
    "      --sshloginfile F, --joblog F, --resume   as for GNU parallel\n"
    "  --engine slurm      write DIR/slurm/sweep.sbatch, a job array of chunks of runs,\n"
    "                      and submit it with sbatch; collect when it has finished\n"
    "      --chunk N       runs per array task (default: at most 1000 tasks)\n"
    "      --throttle N    at most N tasks at once (--array=...%N)\n"
    "      --sbatch-arg A  pass A to sbatch (repeatable: --sbatch-arg=--partition=x)\n"
    "      --wait          wait for the job to finish (sbatch --wait), then collect\n"
    "      --emit          write the script but do not submit it\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR    sweep folder (default: results/sweeps/<name>)\n"
    "  -f, --force         write into DIR even if it holds files rdsim did not write\n"
    "  -q, --quiet         print nothing but errors\n"
    "      --resume        keep the rows of an earlier, identical sweep in DIR and run\n"
    "                      only what is missing\n"
    "      --no-plots      write the CDF scripts but do not run gnuplot\n"
    "      --format F      figures as png, svg or both (default: png)\n"
    "      --rdsim PATH    the rdsim the workers run (default: this one)\n"
    "  -h, --help          show this help\n"
    "\n"
    "  collect DIR         aggregate whatever runs have finished in DIR and say which\n"
    "                      are missing (after a Slurm job, or to look at one in flight)\n"
    "\n"
    "Exit status: 0 every run finished (met its SLO or not), 1 internal error or runs\n"
    "failed or missing, 2 bad input.\n";


/* ---- rdsim sweep FILE ----------------------------------------------------------------------- */

enum engine { ENGINE_LOCAL, ENGINE_PARALLEL, ENGINE_SLURM };

int rdsim_cmd_sweep(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"engine", required_argument, NULL, 'e'}, {"emit", no_argument, NULL, 'E'},
        {"force", no_argument, NULL, 'f'},        {"quiet", no_argument, NULL, 'q'},
        {"no-plots", no_argument, NULL, 'P'},     {"format", required_argument, NULL, 'F'},
        {"sshlogin", required_argument, NULL, 'S'}, {"sshloginfile", required_argument, NULL, 'L'},
        {"joblog", required_argument, NULL, 'J'}, {"resume", no_argument, NULL, 'R'},
        {"chunk", required_argument, NULL, 'C'},  {"throttle", required_argument, NULL, 'T'},
        {"sbatch-arg", required_argument, NULL, 'A'}, {"wait", no_argument, NULL, 'W'},
        {"rdsim", required_argument, NULL, 'X'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rdsim_sweep *sw = NULL;
    struct rdsim_err err = {0};
    const char *out_dir = NULL, *formats = "png", *joblog = NULL, *sshloginfile = NULL;
    const char *sshlogins[SWEEP_MAX_PASS], *sbatch_args[SWEEP_MAX_PASS], *rdsim_cmd = NULL;
    size_t n_ssh = 0, n_sbatch = 0;
    char msg[512], default_dir[512], self[4096], dir[4096];
    bool emit = false, force = false, quiet = false, render = true, resume = false, wait = false;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN), chunk = 0, throttle = 0;
    enum engine engine = ENGINE_LOCAL;
    int c, status = RDSIM_EXIT_OKAY;

    if (argc >= 2 && strcmp(argv[1], "collect") == 0)
        return sweep_cmd_collect(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "run-one") == 0)
        return sweep_cmd_run_one(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "run-chunk") == 0)
        return sweep_cmd_run_chunk(argc - 1, argv + 1);
    if (jobs < 1)
        jobs = 1;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:j:fqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 'j':
            if (sweep_parse_count(optarg, 1, 1024, &jobs) != 0) {
                snprintf(msg, sizeof msg, "--jobs: must be a whole number 1..1024, got \"%s\"",
                         optarg);
                return rdsim_bad_usage(msg, sweep_usage);
            }
            break;
        case 'e':
            if (strcmp(optarg, "local") == 0)
                engine = ENGINE_LOCAL;
            else if (strcmp(optarg, "parallel") == 0)
                engine = ENGINE_PARALLEL;
            else if (strcmp(optarg, "slurm") == 0)
                engine = ENGINE_SLURM;
            else {
                snprintf(msg, sizeof msg, "--engine: must be local, parallel or slurm, got "
                         "\"%s\"", optarg);
                return rdsim_bad_usage(msg, sweep_usage);
            }
            break;
        case 'E':
            emit = true;
            break;
        case 'f':
            force = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'P':
            render = false;
            break;
        case 'F':
            if ((formats = rdsim_parse_formats(optarg)) == NULL) {
                snprintf(msg, sizeof msg, "--format: must be png, svg or both, got \"%s\"",
                         optarg);
                return rdsim_bad_usage(msg, sweep_usage);
            }
            break;
        case 'S':
            if (n_ssh == SWEEP_MAX_PASS)
                return rdsim_bad_usage("--sshlogin: at most 32 (use --sshloginfile)",
                                       sweep_usage);
            sshlogins[n_ssh++] = optarg;
            break;
        case 'L':
            sshloginfile = optarg;
            break;
        case 'J':
            joblog = optarg;
            break;
        case 'R':
            resume = true;
            break;
        case 'C':
            if (sweep_parse_count(optarg, 1, RDSIM_SWEEP_MAX_RUNS, &chunk) != 0)
                return rdsim_bad_usage("--chunk: must be a whole number of runs, 1 or more",
                                       sweep_usage);
            break;
        case 'T':
            if (sweep_parse_count(optarg, 1, 1000000, &throttle) != 0)
                return rdsim_bad_usage("--throttle: must be a whole number of tasks, 1 or more",
                                       sweep_usage);
            break;
        case 'A':
            if (n_sbatch == SWEEP_MAX_PASS)
                return rdsim_bad_usage("--sbatch-arg: at most 32", sweep_usage);
            sbatch_args[n_sbatch++] = optarg;
            break;
        case 'W':
            wait = true;
            break;
        case 'X':
            rdsim_cmd = optarg;
            break;
        case 'h':
            fputs(sweep_usage, stdout);
            return RDSIM_EXIT_OKAY;
        default:
            return rdsim_bad_option("sweep", c, argv[optind - 1], sweep_usage);
        }
    }
    if (optind >= argc)
        return rdsim_bad_usage("sweep: no sweep file given", sweep_usage);
    if (optind + 1 < argc) {
        snprintf(msg, sizeof msg, "sweep: one sweep file at a time, got \"%s\" too",
                 argv[optind + 1]);
        return rdsim_bad_usage(msg, sweep_usage);
    }
    if (engine != ENGINE_PARALLEL && (n_ssh || sshloginfile || joblog))
        return rdsim_bad_usage("sweep: --sshlogin, --sshloginfile and --joblog go with "
                               "--engine parallel", sweep_usage);
    if (engine != ENGINE_SLURM && (emit || chunk || throttle || n_sbatch || wait))
        return rdsim_bad_usage("sweep: --emit, --chunk, --throttle, --sbatch-arg and --wait go "
                               "with --engine slurm", sweep_usage);
    if (emit && wait)
        return rdsim_bad_usage("sweep: --emit writes the script without submitting it; "
                               "--wait cannot wait for it", sweep_usage);

    int rc = rdsim_sweep_load(argv[optind], &sw, &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return rdsim_exit_for_load(rc);
    }
    if (!out_dir) {
        snprintf(default_dir, sizeof default_dir, "results/sweeps/%s", sw->name);
        out_dir = default_dir;
    }
    if (rdsim_cmd)
        snprintf(self, sizeof self, "%s", rdsim_cmd);
    else if (sweep_self_path(self, sizeof self) != 0) {
        fprintf(stderr, "rdsim: cannot find this executable's path (/proc/self/exe); give it "
                "with --rdsim PATH\n");
        status = RDSIM_EXIT_INTERNAL;
        goto out;
    }
    bool kept = false;
    if ((rc = sweep_prepare_dir(out_dir, force, &err)) != 0 ||
        (rc = realpath(out_dir, dir) ? 0 : rdsim_err_set(&err, RDSIM_EIO, "%s: %s", out_dir,
                                                         strerror(errno))) != 0 ||
        (rc = sweep_write_plan(sw, dir, resume, &kept, &err)) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        status = rdsim_exit_for(rc);
        goto out;
    }
    size_t runs = sw->n_points * sw->n_seeds;
    if (resume && !kept && !quiet)
        fprintf(stderr, "rdsim: %s held a different sweep (or none): starting afresh\n",
                out_dir);
    if (!quiet)
        fprintf(stderr, "rdsim: sweep %s: %zu point%s x %zu seed%s = %zu runs into %s\n",
                sw->name, sw->n_points, sw->n_points == 1 ? "" : "s", sw->n_seeds,
                sw->n_seeds == 1 ? "" : "s", runs, out_dir);

    struct sweep_engine_opts eo = {
        .self = self, .dir = dir, .out_dir = out_dir, .jobs = jobs, .quiet = quiet,
        .kept = kept, .resume = resume, .joblog = joblog, .sshloginfile = sshloginfile,
        .sshlogins = sshlogins, .n_ssh = n_ssh, .chunk = chunk, .throttle = throttle,
        .sbatch_args = sbatch_args, .n_sbatch = n_sbatch, .emit = emit, .wait = wait,
    };
    bool collect = false;
    if (engine == ENGINE_LOCAL)
        status = sweep_run_local(sw, &eo, &collect);
    else if (engine == ENGINE_PARALLEL)
        status = sweep_run_parallel(sw, &eo, &collect);
    else
        status = sweep_run_slurm(sw, &eo, &collect);
    if (!collect)
        goto out;
    int cs = sweep_collect(dir, formats, render, quiet);
    if (status == RDSIM_EXIT_OKAY)
        status = cs;
out:
    rdsim_sweep_free(sw);
    return status;
}
