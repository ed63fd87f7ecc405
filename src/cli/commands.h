/*
 * commands.h - the rdsim subcommands and what they share: exit codes and
 * the helpers that map errors to them.
 *
 * Each command lives in its own cmd_<name>.c and takes (argc, argv) with
 * argv[0] the command's name; main.c dispatches through the table in
 * main.c. Exit codes (docs/outputs.md): 0 success, 1 internal error, 2 bad
 * input (scenario or arguments), 3 an expectation failed.
 */
#ifndef RDSIM_CLI_COMMANDS_H
#define RDSIM_CLI_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdsim/err.h"
#include "rdsim/fis.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

enum {
    RDSIM_EXIT_OKAY = 0,
    RDSIM_EXIT_INTERNAL = 1,
    RDSIM_EXIT_BAD_INPUT = 2,
    RDSIM_EXIT_EXPECT = 3,
};

int rdsim_cmd_run(int argc, char **argv);
int rdsim_cmd_check(int argc, char **argv);
int rdsim_cmd_lessons(int argc, char **argv);
int rdsim_cmd_serve(int argc, char **argv);
int rdsim_cmd_plot(int argc, char **argv);
int rdsim_cmd_fis(int argc, char **argv);
int rdsim_cmd_sweep(int argc, char **argv);

struct rdsim_asset;
/* rdsim lessons --handout DIR (handout.c): run every lesson of `lessons`
 * into DIR/runs/ and write the students' handout there. Returns the exit
 * status (3 when a lesson missed its expectations, after writing it all). */
int rdsim_lessons_handout(const struct rdsim_asset *lessons, const char *dir, bool force);

/* rdsim fis's options, which rdsim run --fis takes too (cmd_fis.c). */
#define RDSIM_FIS_MAX_SUBNETS 100
struct rdsim_fis_cli {
    const char *template_path;  /* NULL: no --fis */
    struct rdsim_fis_subnet subnets[RDSIM_FIS_MAX_SUBNETS];
    char ids[RDSIM_FIS_MAX_SUBNETS][128]; /* the IDs the subnets point to */
    struct rdsim_fis_options opt;
};
/* Take one --subnet ID=AZ. Returns 0, or exit status 2 after printing the
 * problem and `usage`. */
int rdsim_fis_cli_subnet(struct rdsim_fis_cli *cli, const char *arg, const char *usage);
/* The scenario at `scenario_path` with the template's actions as its events,
 * loaded; warnings on stderr unless `quiet`. Returns 0 with *out, or the
 * exit status after printing the error. */
int rdsim_fis_cli_load(const struct rdsim_fis_cli *cli, const char *scenario_path, bool quiet,
                       struct rdsim_scenario **out);

/* rdsim run --junit FILE: the run's expectations as JUnit XML, stamped
 * with the wall-clock start of the run and its length (verdict.c).
 * Returns 0 or an RDSIM_E* code with the message in err. */
int rdsim_cli_write_junit(const char *path, const struct rdsim_results *res, double started_s,
                          double wall_s, struct rdsim_err *err);
/* When res's expectations failed and its scenario has the name of a
 * lesson built into rdsim: set res->lesson and res->lesson_changes (the
 * parameters that differ from the lesson as shipped, a --seed other than
 * the lesson's included when `has_seed`) for the reports (lesson_diff.c).
 * Returns 0 (also when there is nothing to compare) or RDSIM_ENOMEM. */
int rdsim_cli_compare_lesson(struct rdsim_results *res, bool has_seed, struct rdsim_err *err);
/* The whole file at `path`, NUL-terminated, its length in *len (readfile.c).
 * NULL on failure with err filled: RDSIM_EIO (cannot be read), RDSIM_ENOMEM,
 * or RDSIM_EINVAL when it holds more than `max` bytes (0: no limit). The
 * caller frees the text. */
char *rdsim_cli_read_file(const char *path, size_t max, size_t *len, struct rdsim_err *err);
/* Copy the file at `path` to stdout (rdsim run --json). 0 or RDSIM_EIO. */
int rdsim_cli_print_file(const char *path, struct rdsim_err *err);
/* Wall-clock seconds since the epoch, and a monotonic clock in seconds. */
double rdsim_cli_wall_now(void);
double rdsim_cli_mono_now(void);

/* What became of a run's figures. */
enum rdsim_plots_outcome {
    RDSIM_PLOTS_DRAWN,
    RDSIM_PLOTS_NOT_ASKED,     /* --no-plots: scripts only */
    RDSIM_PLOTS_NO_GNUPLOT,    /* scripts only: gnuplot is not on PATH */
    RDSIM_PLOTS_GNUPLOT_FAILED, /* scripts written; gnuplot's message in err */
};

/*
 * Write RUN_DIR/plots/ and, when `render`, draw it with gnuplot in
 * `formats` ("png", "svg", "png svg"); *outcome says what happened.
 * Returns 0, or an RDSIM_E* code when the scripts could not be written.
 */
int rdsim_plots_make(const char *run_dir, const char *formats, bool render,
                     enum rdsim_plots_outcome *outcome, struct rdsim_err *err);

/*
 * Write a finished run's results folder DIR (prepared by
 * rdsim_outdir_prepare, holding the run's CSV files): summary.json, the
 * figures (drawn by gnuplot in `formats` when `render`; *plots says what
 * happened, and a figure gnuplot could not draw is a warning on stderr),
 * report.md, then the mark. The one routine behind rdsim run and
 * rdsim serve -o. Returns 0 or an RDSIM_E* code with err filled.
 */
int rdsim_cli_write_results(const char *dir, const struct rdsim_results *res,
                            const char *formats, bool render,
                            enum rdsim_plots_outcome *plots, struct rdsim_err *err);

/* The gnuplot formats for --format png|svg|both, or NULL. */
const char *rdsim_parse_formats(const char *opt);

/* Print "rdsim: MSG" and the command's usage on stderr; returns exit 2. */
int rdsim_bad_usage(const char *msg, const char *usage);
/* The same for getopt_long's refusal of option `opt` of command `cmd`: `c`
 * is what getopt returned (':' for a missing value, else an unknown one). */
int rdsim_bad_option(const char *cmd, int c, const char *opt, const char *usage);
/* Exit code for an RDSIM_E* code: EINVAL is bad input, the rest internal. */
int rdsim_exit_for(int rc);
/* The same for loading a scenario, where a file that cannot be read
 * (EIO) is bad input too. */
int rdsim_exit_for_load(int rc);
/* Parse --seed: a whole number 0..INT64_MAX. 0 or -1. */
int rdsim_parse_seed(const char *s, uint64_t *out);

#endif
