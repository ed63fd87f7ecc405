/*
 * failover.h - one failover (or read-replica promotion) as the clients
 * lived it: what started it, its phases, who took over and what was lost.
 *
 * The record is written by the failover module of src/cluster alone
 * (src/cluster/failover.c); the deployments there only decide (which
 * candidate, how long each phase takes). Run, report and the live server
 * read records through rdsim_cluster_failover_at and never change them.
 *
 * The cause is an enum: its name is what summary.json and the report print
 * ("instance-failure"), and no code ever compares those names.
 */
#ifndef RDSIM_FAILOVER_H
#define RDSIM_FAILOVER_H

#include <stdbool.h>
#include <stdint.h>

#include "rdsim/sim.h"

/* What started a failover or a writer outage. */
enum rdsim_failover_cause {
    RDSIM_CAUSE_AZ_OUTAGE,
    RDSIM_CAUSE_REGION_OUTAGE,
    RDSIM_CAUSE_INSTANCE_FAILURE,
    RDSIM_CAUSE_STORAGE_FAILURE,
    RDSIM_CAUSE_NO_WRITE_QUORUM,   /* Aurora: fewer than 4 of 6 copies reachable */
    RDSIM_CAUSE_REBOOT,            /* reboot with failover */
    RDSIM_CAUSE_FAILOVER,          /* manual failover (FailoverDBCluster) */
    RDSIM_CAUSE_PROMOTE,           /* RDS read replica promoted on request */
    RDSIM_CAUSE_GLOBAL_SWITCHOVER, /* Aurora Global Database, planned */
    RDSIM_CAUSE_GLOBAL_FAILOVER,   /* Aurora Global Database, unplanned */
    RDSIM_CAUSE_STANDBY_BACK,      /* RDS: a standby returned to a writerless cluster */
    RDSIM_CAUSE_GLOBAL_DB_RPO,     /* Aurora PostgreSQL managed RPO: commits block */
    RDSIM_CAUSE_BACKTRACK,         /* Aurora MySQL backtrack: the cluster pauses */
    RDSIM_CAUSE_COUNT,
};

/* The cause's name in outputs ("az-outage", ...); "?" when out of range. */
const char *rdsim_failover_cause_name(enum rdsim_failover_cause cause);
/* True for the causes somebody asked for (failover, reboot with failover):
 * they go on even if the writer looks healthy when detection comes. */
bool rdsim_failover_cause_is_requested(enum rdsim_failover_cause cause);

/* One failover (or replica promotion), phase by phase; times are -1 until
 * the phase happens. */
struct rdsim_failover {
    rdsim_time_t at; /* the fault, or the start of a manual failover */
    enum rdsim_failover_cause cause;
    char from[64], to[64]; /* to is empty when no candidate was promoted */
    rdsim_time_t detected, promoted, dns_updated;
    uint64_t lost_writes; /* acknowledged writes the new writer lacks */
    bool lost_writes_bounded;
    uint64_t
        discarded_writes; /* writes only the old writer had, dropped when it rejoins */
    uint64_t unapplied_writes; /* promote: writes the replica had not applied (model's
                                  count) */
    char explanation[512];     /* candidates, and why this one (or none) */
    bool superseded; /* a later failover took over before this one finished */
};

#endif
