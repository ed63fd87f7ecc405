/*
 * cmd_check.c - rdsim check: validate scenario files without running them.
 */
#include <stdio.h>
#include <string.h>

#include "rdsim/scenario.h"

#include "commands.h"

static const char usage_check[] =
    "Usage: rdsim check SCENARIO...\n"
    "\n"
    "Validate each scenario file and report the first problem in each as\n"
    "FILE:LINE:COL: path: what was expected, got what.\n"
    "\n"
    "Exit status: 0 all valid, 2 at least one invalid.\n";

int rdsim_cmd_check(int argc, char **argv)
{
    int status = RDSIM_EXIT_OKAY;

    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(usage_check, stdout);
        return RDSIM_EXIT_OKAY;
    }
    if (argc < 2)
        return rdsim_bad_usage("check: no scenario file given", usage_check);
    for (int i = 1; i < argc; i++) {
        struct rdsim_scenario *sc;
        struct rdsim_err err = {0};
        int rc = rdsim_scenario_load(argv[i], &sc, &err);
        if (rc) {
            fprintf(stderr, "%s\n", err.msg);
            if (status == RDSIM_EXIT_OKAY || rdsim_exit_for_load(rc) == RDSIM_EXIT_INTERNAL)
                status = rdsim_exit_for_load(rc);
            continue;
        }
        printf("%s: ok (%s, %s, %zu instances, %zu events)\n", argv[i], sc->name,
               rdsim_deployment_name(sc->cluster.deployment), sc->cluster.n_instances,
               sc->n_events);
        rdsim_scenario_free(sc);
    }
    return status;
}

