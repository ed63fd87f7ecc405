/*
 * aurora_impl.h - what aurora.c (the cluster volume, replicas, in-region
 * failover) shares with aurora_global.c (Global Database failovers and the
 * secondaries' restarts). Private to the Aurora deployment.
 */
#ifndef RDSIM_AURORA_IMPL_H
#define RDSIM_AURORA_IMPL_H

#include "cluster_impl.h"

/* aurora.c */
void aurora_place_volume(struct rdsim_cluster *c, size_t region);
/* A failover phase's range: 0 detection, 1 promotion, 2 DNS. */
struct rdsim_range aurora_phase(const struct rdsim_cluster *c, int which);
bool aurora_in_primary(const struct rdsim_cluster *c, size_t i);
enum repl_mode aurora_mode_for(const struct rdsim_cluster *c, size_t i);
void aurora_refresh_readers(struct rdsim_cluster *c);
void aurora_rejoin_as_reader(struct rdsim_cluster *c, size_t i);
/* The best healthy candidate in `region` (or `wanted`), -1 without one;
 * the record's explanation says why. */
int aurora_choose_replica(struct rdsim_cluster *c, struct rdsim_failover *f, int wanted,
                          size_t region);

/* aurora_global.c */
void aurora_global_failover(struct rdsim_cluster *c, size_t region, bool switchover);
void aurora_restart_secondaries(struct rdsim_cluster *c, rdsim_time_t after);

#endif
