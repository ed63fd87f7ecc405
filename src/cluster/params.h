/*
 * params.h - modelled durations that the scenario format does not expose.
 *
 * Each constant is a range drawn from the faults stream, with its basis in
 * ../shared/aws-facts.md (the model's ground truth). Values AWS does not
 * publish are marked UNCONFIRMED there and here; docs/model.md lists them.
 */
#ifndef RDSIM_CLUSTER_PARAMS_H
#define RDSIM_CLUSTER_PARAMS_H

#include "rdsim/scenario.h"

/* How long RDS monitoring takes to declare an instance impaired. The
 * cheat sheet's EFM figure (30 s + 3 x 5 s) is a client-side bound; the
 * service side is UNCONFIRMED: 10-30 s. Overridden by cluster.failover.detection. */
#define RDSIM_DETECTION_DEFAULT ((struct rdsim_range){10 * RDSIM_S, 30 * RDSIM_S})

/* Single-AZ host replacement: a new host, the EBS volume reattached. AWS
 * gives no figure for RDS; Aurora's "recreated ... typically less than 10
 * minutes" (facts 4.4) is the closest documented analogue. UNCONFIRMED. */
#define RDSIM_HOST_REPLACEMENT ((struct rdsim_range){4 * 60 * RDSIM_S, 8 * 60 * RDSIM_S})

/* Engine crash recovery after the host comes back (redo/WAL replay).
 * Aurora: generally under 10 s (facts 4.1); RDS engines replay more. UNCONFIRMED. */
#define RDSIM_CRASH_RECOVERY ((struct rdsim_range){10 * RDSIM_S, 30 * RDSIM_S})

/* A clean reboot without failover: shutdown plus startup. UNCONFIRMED. */
#define RDSIM_REBOOT ((struct rdsim_range){20 * RDSIM_S, 60 * RDSIM_S})

/* EBS commit latency added to every write on RDS (not on a vCPU). UNCONFIRMED:
 * gp3/io1 single-digit-ms class, sub-ms typical for io. */
#define RDSIM_EBS_COMMIT ((struct rdsim_range){300 * RDSIM_US, 1000 * RDSIM_US})

/* How often the writer ships its committed changes (one changeset per tick). */
#define RDSIM_REPLICATION_TICK (10 * RDSIM_MS)

#endif
