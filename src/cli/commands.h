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

#include <stdint.h>

enum {
    RDSIM_EXIT_OKAY = 0,
    RDSIM_EXIT_INTERNAL = 1,
    RDSIM_EXIT_BAD_INPUT = 2,
    RDSIM_EXIT_EXPECT = 3,
};

int rdsim_cmd_run(int argc, char **argv);
int rdsim_cmd_check(int argc, char **argv);
int rdsim_cmd_serve(int argc, char **argv);

/* Print "rdsim: MSG" and the command's usage on stderr; returns exit 2. */
int rdsim_bad_usage(const char *msg, const char *usage);
/* Exit code for an RDSIM_E* code: EINVAL is bad input, the rest internal. */
int rdsim_exit_for(int rc);
/* The same for loading a scenario, where a file that cannot be read
 * (EIO) is bad input too. */
int rdsim_exit_for_load(int rc);
/* Parse --seed: a whole number 0..INT64_MAX. 0 or -1. */
int rdsim_parse_seed(const char *s, uint64_t *out);

#endif
