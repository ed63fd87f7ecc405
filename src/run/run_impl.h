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
/* Each instance's lag histogram, every slot's when the cluster tracks lag
 * (instances.c). 0 or RDSIM_ENOMEM. */
int run_collect_lags(const struct rdsim_cluster *c, struct rdsim_results *res,
                     struct rdsim_err *err);
/* Each Serverless v2 instance's ACU-seconds, mean over `duration` and peak
 * (acu_peak: per slot, or NULL). 0 or RDSIM_ENOMEM. */
int run_collect_acus(const struct rdsim_cluster *c, const double *acu_peak, rdsim_time_t duration,
                     struct rdsim_results *res, struct rdsim_err *err);

#endif
