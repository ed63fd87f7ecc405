/*
 * sweep_cli.h - what the files of `rdsim sweep` share, not used elsewhere.
 *
 * cmd_sweep.c parses the options and picks an engine; sweep_folder.c keeps
 * the sweep folder (its plan, points, jobs.txt and rows); sweep_worker.c is
 * the internal run-one and run-chunk commands every engine ends up running;
 * sweep_engines.c the local worker pool with its progress line, GNU
 * parallel and Slurm; sweep_collect.c reads the rows back and aggregates
 * them. The folder's layout is described in cmd_sweep.c.
 */
#ifndef RDSIM_CLI_SWEEP_CLI_H
#define RDSIM_CLI_SWEEP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdsim/err.h"
#include "rdsim/sweep.h"

/* rdsim sweep --help, printed by every sweep subcommand on bad usage. */
extern const char sweep_usage[];

/* ---- sweep_folder.c ---- */

/* Write `len` bytes of `text` to `path` through a temporary file renamed
 * into place. 0 or RDSIM_EIO. */
int sweep_write_text(const char *path, const char *text, size_t len, struct rdsim_err *err);
/* A whole number lo..hi from `s` into *out: 0, or -1 when it is not one. */
int sweep_parse_count(const char *s, long lo, long hi, long *out);
/* DIR/rows/POINT-SEED.row into buf. */
void sweep_row_path(char *buf, size_t n, const char *dir, size_t point, uint64_t seed);
/* Write `row` to its file in DIR/rows (atomically). 0 or RDSIM_EIO. */
int sweep_write_row(const char *dir, const struct rdsim_sweep_row *row, struct rdsim_err *err);
/* Make DIR with points/, rows/, plots/ and the mark; refuse a folder that
 * holds files rdsim sweep did not write unless `force`. 0 or RDSIM_E*. */
int sweep_prepare_dir(const char *dir, bool force, struct rdsim_err *err);
/* Write points/, jobs.txt and sweep.json; with `resume`, keep the rows of
 * an earlier sweep when its plan and points are byte-identical (*kept).
 * 0 or RDSIM_E*. */
int sweep_write_plan(const struct rdsim_sweep *sw, const char *dir, bool resume, bool *kept,
                     struct rdsim_err *err);
/* The runs of the plan that have no row yet, as jobs.txt lines in `path`.
 * 0 or RDSIM_EIO. */
int sweep_write_todo(const struct rdsim_sweep *sw, const char *dir, const char *path,
                     struct rdsim_err *err);

/* ---- sweep_worker.c ---- */

/* rdsim sweep run-one DIR POINT SEED and rdsim sweep run-chunk DIR TASK
 * CHUNK (argv[0] is the subcommand). Return the exit status. */
int sweep_cmd_run_one(int argc, char **argv);
int sweep_cmd_run_chunk(int argc, char **argv);

/* ---- sweep_engines.c ---- */

/* At most this many --sshlogin and --sbatch-arg. */
#define SWEEP_MAX_PASS 32

/* What the engines need of the command line. */
struct sweep_engine_opts {
    const char *self;           /* the rdsim the workers run */
    const char *dir;            /* the sweep folder, absolute */
    const char *out_dir;        /* as the user named it, for messages */
    long jobs;                  /* --jobs */
    bool quiet;
    bool kept;                  /* rows of an earlier identical sweep are kept */
    bool resume;
    const char *joblog, *sshloginfile;
    const char *const *sshlogins;
    size_t n_ssh;
    long chunk, throttle;       /* Slurm; chunk 0: at most 1000 tasks */
    const char *const *sbatch_args;
    size_t n_sbatch;
    bool emit, wait;
};
/* This executable's absolute path, for the workers: 0 or -1. */
int sweep_self_path(char *buf, size_t n);
/*
 * The engines. Each runs the plan's runs that have no row yet (all of them
 * unless o->kept) and returns the exit status; *collect says whether the
 * rows can be collected now (false when nothing was started, or the runs
 * go on without us: a Slurm job not waited for, --emit).
 *   local:    worker processes on this machine, o->jobs at once, with a
 *             progress line on a terminal
 *   parallel: GNU parallel reads jobs.txt (or jobs-todo.txt) and waits
 *   slurm:    write DIR/slurm/sweep.sbatch and, unless o->emit, submit it
 */
int sweep_run_local(const struct rdsim_sweep *sw, const struct sweep_engine_opts *o,
                    bool *collect);
int sweep_run_parallel(const struct rdsim_sweep *sw, const struct sweep_engine_opts *o,
                       bool *collect);
int sweep_run_slurm(const struct rdsim_sweep *sw, const struct sweep_engine_opts *o,
                    bool *collect);

/* ---- sweep_collect.c ---- */

/* Aggregate DIR and say what is missing. Returns the exit status. */
int sweep_collect(const char *dir, const char *formats, bool render, bool quiet);
/* rdsim sweep collect DIR [options] (argv[0] is "collect"). */
int sweep_cmd_collect(int argc, char **argv);

#endif
