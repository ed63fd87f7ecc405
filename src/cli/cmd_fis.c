/*
 * cmd_fis.c - rdsim fis: an AWS FIS experiment template as a scenario file;
 * and the same conversion for rdsim run --fis.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rdsim/fis.h"
#include "rdsim/scenario.h"

#include "commands.h"

static const char usage_fis[] =
    "Usage: rdsim fis TEMPLATE.json --cluster SCENARIO.yaml [-o OUT.yaml]\n"
    "                 [--subnet ID=AZ]... [--skip-unsupported]\n"
    "\n"
    "Read an AWS FIS experiment template (JSON, as aws fis get-experiment-template\n"
    "prints it or as create-experiment-template takes it) and write a scenario that\n"
    "replays it: SCENARIO's topology, cluster, workload, clients and expect: with\n"
    "the template's actions as its events, in the order of their startAfter graph.\n"
    "\n"
    "  aws:rds:failover-db-cluster       failover (Aurora by tier, Multi-AZ DB cluster)\n"
    "  aws:rds:reboot-db-instances       reboot of each DB instance targeted;\n"
    "                                    forceFailover \"true\": with failover\n"
    "  aws:network:disrupt-connectivity  az-outage of the targeted subnets' AZ for\n"
    "                                    the duration (scope all or availability-zone)\n"
    "  aws:fis:wait                      delays the actions that start after it\n"
    "\n"
    "Targets are matched by ARN (...:cluster:NAME is the scenario's name, ...:db:NAME\n"
    "an instance's) or by resourceTags against the instances' tags; a subnet target\n"
    "stands for its AZ (a filter on AvailabilityZone, or --subnet). CloudWatch-alarm\n"
    "stop conditions cannot be evaluated offline: the file says so and offers the\n"
    "nearest expect:. docs/fis.md has the whole mapping.\n"
    "\n"
    "Options:\n"
    "  -c, --cluster SCENARIO  the scenario to replay the template on (required)\n"
    "  -o, --output OUT        write the scenario to OUT (default: standard output)\n"
    "      --subnet ID=AZ      the AZ of a subnet the template names by ARN or\n"
    "                          SubnetId (subnet-0abc=us-east-1a); repeatable\n"
    "      --skip-unsupported  drop the actions rdsim cannot simulate, with a warning,\n"
    "                          instead of refusing the template\n"
    "  -h, --help              show this help\n"
    "\n"
    "Then: rdsim run OUT.yaml (or both at once: rdsim run --fis TEMPLATE SCENARIO).\n"
    "Exit status: 0 success, 1 internal error, 2 bad input (template, scenario,\n"
    "arguments).\n";

int rdsim_fis_cli_subnet(struct rdsim_fis_cli *cli, const char *arg, const char *usage)
{
    char msg[512];
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0') {
        snprintf(msg, sizeof msg,
                 "--subnet: must be SUBNET_ID=AZ (subnet-0abc=us-east-1a), "
                 "got \"%s\"",
                 arg);
        return rdsim_bad_usage(msg, usage);
    }
    if (cli->opt.n_subnets == RDSIM_FIS_MAX_SUBNETS) {
        snprintf(msg, sizeof msg, "--subnet: at most %d subnets", RDSIM_FIS_MAX_SUBNETS);
        return rdsim_bad_usage(msg, usage);
    }
    /* The ID is the text before '=', copied so that argv stays as given. */
    char *id = cli->ids[cli->opt.n_subnets];
    size_t n = (size_t)(eq - arg);
    if (n >= sizeof cli->ids[0]) {
        snprintf(msg, sizeof msg, "--subnet: the subnet ID is too long in \"%s\"", arg);
        return rdsim_bad_usage(msg, usage);
    }
    memcpy(id, arg, n);
    id[n] = '\0';
    for (size_t i = 0; i < cli->opt.n_subnets; i++)
        if (strcmp(cli->subnets[i].id, id) == 0) {
            snprintf(msg, sizeof msg, "--subnet: %s is given twice", id);
            return rdsim_bad_usage(msg, usage);
        }
    cli->subnets[cli->opt.n_subnets] = (struct rdsim_fis_subnet){id, eq + 1};
    cli->opt.subnets = cli->subnets;
    cli->opt.n_subnets++;
    return 0;
}

static void print_warnings(const struct rdsim_fis_result *res, bool quiet)
{
    for (size_t i = 0; !quiet && i < res->n_warnings; i++)
        fprintf(stderr, "rdsim: warning: %s\n", res->warnings[i]);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int rdsim_fis_cli_load(const struct rdsim_fis_cli *cli, const char *scenario_path,
                       bool quiet, struct rdsim_scenario **out)
{
    struct rdsim_fis_result *res = NULL;
    struct rdsim_err err = {0};
    int rc =
        rdsim_fis_convert_files(cli->template_path, scenario_path, &cli->opt, &res, &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return rdsim_exit_for_load(rc);
    }
    print_warnings(res, quiet);
    rc = rdsim_scenario_load_buffer(scenario_path, res->yaml, res->yaml_len, out, &err);
    rdsim_fis_result_free(res);
    if (rc != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return RDSIM_EXIT_INTERNAL; /* the converter loads what it writes: a bug */
    }
    /* report.md's "Reproduce:" line names the file by its base name; this
     * run is reproduced by both files together. */
    char *path = malloc(strlen(cli->template_path) + strlen(scenario_path) + 8);
    if (path == NULL) {
        fprintf(stderr, "rdsim: out of memory\n");
        rdsim_scenario_free(*out);
        *out = NULL;
        return RDSIM_EXIT_INTERNAL;
    }
    sprintf(path, "--fis %s %s", base_name(cli->template_path), base_name(scenario_path));
    free((*out)->path);
    (*out)->path = path;
    return 0;
}

/* Is `out` the file at `in` (same inode), or the same path? */
static bool same_file(const char *out, const char *in)
{
    struct stat a, b;
    if (strcmp(out, in) == 0)
        return true;
    return stat(out, &a) == 0 && stat(in, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

int rdsim_cmd_fis(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"cluster", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'},
        {"subnet", required_argument, NULL, 'S'},
        {"skip-unsupported", no_argument, NULL, 'U'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rdsim_fis_cli cli = {0};
    struct rdsim_fis_result *res = NULL;
    struct rdsim_err err = {0};
    const char *scenario = NULL, *out_path = NULL;
    char msg[512];
    int c, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            scenario = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'S':
            if ((rc = rdsim_fis_cli_subnet(&cli, optarg, usage_fis)) != 0)
                return rc;
            break;
        case 'U':
            cli.opt.skip_unsupported = true;
            break;
        case 'h':
            fputs(usage_fis, stdout);
            return RDSIM_EXIT_OKAY;
        default:
            return rdsim_bad_option("fis", c, argv[optind - 1], usage_fis);
        }
    }
    if (optind >= argc)
        return rdsim_bad_usage("fis: no template given", usage_fis);
    if (optind + 1 < argc) {
        snprintf(msg, sizeof msg, "fis: one template at a time, got \"%s\" too",
                 argv[optind + 1]);
        return rdsim_bad_usage(msg, usage_fis);
    }
    if (scenario == NULL)
        return rdsim_bad_usage(
            "fis: --cluster SCENARIO.yaml is required (the cluster to replay "
            "the template on)",
            usage_fis);
    cli.template_path = argv[optind];
    if (out_path != NULL &&
        (same_file(out_path, scenario) || same_file(out_path, argv[optind]))) {
        snprintf(msg, sizeof msg, "fis: -o %s would replace the file it reads", out_path);
        return rdsim_bad_usage(msg, usage_fis);
    }

    rc = rdsim_fis_convert_files(cli.template_path, scenario, &cli.opt, &res, &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return rdsim_exit_for_load(rc);
    }
    print_warnings(res, false);
    FILE *f = out_path ? fopen(out_path, "w") : stdout;
    if (f == NULL) {
        fprintf(stderr, "rdsim: %s: cannot write: %s\n", out_path, strerror(errno));
        rdsim_fis_result_free(res);
        return RDSIM_EXIT_BAD_INPUT;
    }
    bool ok = fwrite(res->yaml, 1, res->yaml_len, f) == res->yaml_len;
    ok = (f == stdout ? fflush(f) : fclose(f)) == 0 && ok;
    rdsim_fis_result_free(res);
    if (!ok) {
        fprintf(stderr, "rdsim: %s: cannot write the scenario\n",
                out_path ? out_path : "stdout");
        return RDSIM_EXIT_INTERNAL;
    }
    return RDSIM_EXIT_OKAY;
}
