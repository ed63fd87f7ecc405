/*
 * run_impl.h - what the run module's files share beyond rdsim/run.h.
 * Nothing outside src/run includes it.
 */
#ifndef RDSIM_RUN_IMPL_H
#define RDSIM_RUN_IMPL_H

#include "rdsim/cluster.h"
#include "rdsim/results.h"

/* Copy the cluster's snapshots and restores into res (backups.c). 0 or
 * RDSIM_ENOMEM. */
int run_collect_backups(const struct rdsim_cluster *c, struct rdsim_results *res,
                        struct rdsim_err *err);
/* Copy the cluster's new replicas and auto scaling's actions into res
 * (replicas.c). 0 or RDSIM_ENOMEM. */
int run_collect_replicas(const struct rdsim_cluster *c, struct rdsim_results *res,
                         struct rdsim_err *err);

#endif
