/*
 * main.c - the rdsim command line: dispatch to a subcommand.
 *
 * The CLI is the only layer that prints, exits or reads the wall clock (for
 * the progress line). Each command is in its own cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "rdsim/err.h"

#include "commands.h"

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"run", rdsim_cmd_run},
    {"check", rdsim_cmd_check},
    {"plot", rdsim_cmd_plot},
    {"lessons", rdsim_cmd_lessons},
    {"serve", rdsim_cmd_serve},
    {"fis", rdsim_cmd_fis},
    {"sweep", rdsim_cmd_sweep},
};

static const char usage_main[] =
    "Usage: rdsim COMMAND [OPTIONS]\n"
    "\n"
    "Simulate Amazon RDS and Aurora replication and failover, with a real SQLite\n"
    "database in every instance, and report what the clients saw.\n"
    "\n"
    "Commands:\n"
    "  run SCENARIO      simulate a scenario and write report.md, summary.json,\n"
    "                    timeseries.csv, events.csv and plots into a results folder\n"
    "  check SCENARIO... validate scenario files without running them\n"
    "  plot DIR          draw a finished run's figures again; plot --compare A B\n"
    "                    overlays two runs\n"
    "  lessons           list the workshop lessons built in (--show N prints one)\n"
    "  serve SCENARIO    run a scenario live, paced against the clock, with a\n"
    "                    dashboard, a JSON API and a SQL console over HTTP\n"
    "  fis TEMPLATE --cluster SCENARIO\n"
    "                    write a scenario that replays an AWS FIS experiment\n"
    "                    template on SCENARIO's cluster (run --fis does both steps)\n"
    "  sweep SWEEP.yaml  run a scenario over many seeds and a grid of parameters, on\n"
    "                    this machine, GNU parallel or Slurm, and sum the runs up\n"
    "                    (points.csv, report.md, CDF plots); sweep collect DIR\n"
    "\n"
    "Options:\n"
    "  -h, --help        show this help (rdsim COMMAND --help for a command)\n"
    "  -V, --version     print the version\n"
    "\n"
    "Exit status: 0 success, 1 internal error, 2 bad input, 3 an expectation failed.\n"
    "Scenario format: docs/scenario-format.md. Outputs: docs/outputs.md. Sweeps:\n"
    "docs/sweeps.md.\n";

int rdsim_bad_usage(const char *msg, const char *usage)
{
    fprintf(stderr, "rdsim: %s\n\n%s", msg, usage);
    return RDSIM_EXIT_BAD_INPUT;
}

int rdsim_bad_option(const char *cmd, int c, const char *opt, const char *usage)
{
    char msg[512];
    if (c == ':')
        snprintf(msg, sizeof msg, "%s: option %s needs a value", cmd, opt);
    else
        snprintf(msg, sizeof msg, "%s: unknown option %s", cmd, opt);
    return rdsim_bad_usage(msg, usage);
}

int rdsim_exit_for(int rc)
{
    return rc == RDSIM_EINVAL ? RDSIM_EXIT_BAD_INPUT : RDSIM_EXIT_INTERNAL;
}

int rdsim_exit_for_load(int rc)
{
    return rc == RDSIM_EINVAL || rc == RDSIM_EIO ? RDSIM_EXIT_BAD_INPUT : RDSIM_EXIT_INTERNAL;
}

int main(int argc, char **argv)
{
    char msg[256];

    /* One thread uses SQLite: skip its locks and memory statistics, which
     * cost a global mutex on every allocation (measured by tests/db/bench_db). */
    sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

    if (argc < 2)
        return rdsim_bad_usage("no command given", usage_main);
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_main, stdout);
        return RDSIM_EXIT_OKAY;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("rdsim %s\n", RDSIM_VERSION);
        return RDSIM_EXIT_OKAY;
    }
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
        if (strcmp(argv[1], commands[k].name) == 0)
            return commands[k].fn(argc - 1, argv + 1);

    snprintf(msg, sizeof(msg), "unknown command \"%s\"", argv[1]);
    return rdsim_bad_usage(msg, usage_main);
}
