/*
 * fis.h - an AWS Fault Injection Service experiment template, replayed as
 * an rdsim scenario.
 *
 * rdsim fis reads an FIS experiment template (JSON, as AWS documents it:
 * targets, actions with startAfter, stopConditions) with jansson, resolves
 * its targets to the instances, the cluster and the AZs of a scenario,
 * orders its actions by their startAfter graph and writes a scenario file:
 * the scenario's topology, cluster, workload, clients and expectations
 * with the template's actions as its events. The written text always loads
 * with rdsim_scenario_load (the converter checks it before returning).
 *
 * Actions: aws:rds:failover-db-cluster (failover), aws:rds:reboot-db-instances
 * (reboot, forceFailover), aws:network:disrupt-connectivity (az-outage for
 * its duration, scopes all and availability-zone) and aws:fis:wait. Any
 * other action is an error unless skip_unsupported drops it. Stop
 * conditions (CloudWatch alarms) cannot be evaluated offline: the written
 * scenario says so and offers the nearest expect: in a comment. docs/fis.md
 * holds the whole mapping and what is not supported, and why.
 *
 * Errors read "TEMPLATE: JSON.PATH: message" (RDSIM_EINVAL), a JSON syntax
 * error "TEMPLATE:LINE:COL: (json): message". Nothing here prints, exits,
 * reads the clock or the environment; random target selection
 * (COUNT(n), PERCENT(n)) draws from a stream seeded by the scenario's seed.
 */
#ifndef RDSIM_FIS_H
#define RDSIM_FIS_H

#include <stdbool.h>
#include <stddef.h>

#include "rdsim/err.h"
#include "rdsim/scenario.h"
#include "rdsim/sim.h"

/* The AZ of one subnet, for subnet targets named by ARN (--subnet ID=AZ). */
struct rdsim_fis_subnet {
    const char *id; /* "subnet-0123abcd" */
    const char *az; /* "us-east-1a"; must be an AZ of the scenario's topology */
};

struct rdsim_fis_options {
    bool skip_unsupported; /* drop actions rdsim cannot simulate, with a warning */
    const struct rdsim_fis_subnet *subnets;
    size_t n_subnets;
};

struct rdsim_fis_result {
    char *yaml; /* the scenario written, NUL-terminated */
    size_t yaml_len;
    char **warnings; /* one line each, for the caller to show */
    size_t n_warnings;
};

/*
 * Convert the template `template_text` (named `template_path` in messages
 * and in the written description) for the scenario `sc`, loaded from
 * `scenario_text` (named `sc->path`; its YAML is copied into the result, so
 * every key the user wrote stays). `opt` may be NULL. On success *out owns
 * a new result (free with rdsim_fis_result_free). Returns 0, RDSIM_EINVAL
 * for a template that cannot be replayed on this scenario, RDSIM_ENOMEM,
 * or RDSIM_EINTERNAL if the written scenario failed to load (a bug).
 */
int rdsim_fis_convert(const char *template_path, const char *template_text,
                      size_t template_len, const struct rdsim_scenario *sc,
                      const char *scenario_text, size_t scenario_len,
                      const struct rdsim_fis_options *opt, struct rdsim_fis_result **out,
                      struct rdsim_err *err);

/*
 * The same from two files: the template and the scenario are read, the
 * scenario loaded (its errors are the loader's). Returns as above, and
 * RDSIM_EIO when a file cannot be read.
 */
int rdsim_fis_convert_files(const char *template_path, const char *scenario_path,
                            const struct rdsim_fis_options *opt,
                            struct rdsim_fis_result **out, struct rdsim_err *err);

/* Free a result; NULL does nothing. */
void rdsim_fis_result_free(struct rdsim_fis_result *r);

/*
 * Parse an ISO 8601 duration as FIS writes them ("PT5M", "PT1H30M",
 * "PT0.5S", "P1D"): days, hours, minutes and seconds, a fraction on the
 * seconds only; years, months and weeks have no fixed length and are
 * refused. Returns 0, or RDSIM_EINVAL with the reason in `why` (which may
 * be NULL) when the text is not such a duration.
 */
int rdsim_fis_parse_duration(const char *text, rdsim_time_t *out, const char **why);

#endif
