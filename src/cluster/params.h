/*
 * params.h - modelled durations that the scenario format does not expose.
 *
 * Each constant is a range drawn from the faults stream, with its basis in
 * the AWS documentation that docs/model.md cites. Values AWS does not
 * publish are marked UNCONFIRMED here and in docs/model.md.
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

/* A commit's write path by engine (docs/model.md, "Write throughput"), in
 * percent of the class's write_service, which is the whole cost of a
 * single-row commit on RDS for MySQL. CPU: executing the statement and
 * producing its logs, on a vCPU. Storage: what each commit puts through the
 * instance's storage path, which the vCPUs share and group commit cannot
 * share; it is sized per vCPU, as EBS bandwidth grows with the class. The
 * flush's latency (EBS, NVMe, Aurora's quorum) adds to each commit but
 * queues none: commits waiting together share one flush (group commit).
 * The shares are UNCONFIRMED: set so that write saturation reproduces
 * AWS's "up to five times the throughput of MySQL and up to three times
 * the throughput of PostgreSQL" (facts 4.8). */
/* RDS (MySQL, MariaDB, PostgreSQL) on EBS: redo (WAL), binlog, double-write
 * (full-page writes) and data pages; the storage path is the ceiling. */
#define RDSIM_WRITE_CPU_PCT_RDS 50
#define RDSIM_WRITE_IO_PCT_RDS 100
/* Aurora: redo records to the six copies only, no binlog, double-write nor
 * page writes from the writer; the vCPUs are the ceiling. Aurora MySQL
 * spends a fifth of MySQL's CPU on a commit, Aurora PostgreSQL a third
 * (its backend per connection and WAL generation remain). */
#define RDSIM_WRITE_CPU_PCT_AURORA_MYSQL 20
#define RDSIM_WRITE_CPU_PCT_AURORA_POSTGRES 33
#define RDSIM_WRITE_IO_PCT_AURORA 10

/* EBS flush latency of a commit's group on RDS (not on a vCPU). UNCONFIRMED:
 * gp3/io1 single-digit-ms class, sub-ms typical for io. */
#define RDSIM_EBS_COMMIT ((struct rdsim_range){300 * RDSIM_US, 1000 * RDSIM_US})

/* Failover phases by deployment (cluster.failover overrides each). Multi-AZ
 * instance: 60-120 s typical from failure to transactions resuming (facts 1);
 * the phases are drawn so that detection + promotion + DNS update is 60-105 s
 * and the clients' DNS TTL and backoff add the rest. Multi-AZ cluster:
 * typically under 35 s (facts 2), plus the standbys' backlog. The split
 * between phases is UNCONFIRMED: AWS publishes totals only. */
#define RDSIM_MAZI_DETECTION ((struct rdsim_range){20 * RDSIM_S, 30 * RDSIM_S})
#define RDSIM_MAZI_PROMOTION ((struct rdsim_range){35 * RDSIM_S, 60 * RDSIM_S})
#define RDSIM_MAZI_DNS ((struct rdsim_range){5 * RDSIM_S, 15 * RDSIM_S})
#define RDSIM_MAZC_DETECTION ((struct rdsim_range){5 * RDSIM_S, 10 * RDSIM_S})
#define RDSIM_MAZC_PROMOTION ((struct rdsim_range){5 * RDSIM_S, 10 * RDSIM_S})
#define RDSIM_MAZC_DNS ((struct rdsim_range){2 * RDSIM_S, 5 * RDSIM_S})
/* A requested failover (manual, or reboot with failover) is initiated by
 * RDS itself: nothing to detect, for every deployment. */
#define RDSIM_PLANNED_DETECTION ((struct rdsim_range){0, 2 * RDSIM_S})
/* Multi-AZ instance, requested: AWS's example reboot with failover takes
 * 120 s from "failover started" to "failover completed" (facts 1), so the
 * promotion and DNS update alone take 65-120 s. */
#define RDSIM_MAZI_PLANNED_PROMOTION ((struct rdsim_range){60 * RDSIM_S, 105 * RDSIM_S})
/* Multi-AZ cluster, requested: with the AWS drivers a switchover takes
 * "single-digit seconds", about 1 s with no replica lag (facts 2); the
 * standbys' backlog adds to it. UNCONFIRMED: 1-3 s. */
#define RDSIM_MAZC_PLANNED_PROMOTION ((struct rdsim_range){1 * RDSIM_S, 3 * RDSIM_S})

/* Promoting a read replica stops replication and reboots it: "a few
 * minutes" (facts 3). UNCONFIRMED: 1-3 min. */
#define RDSIM_REPLICA_PROMOTION ((struct rdsim_range){60 * RDSIM_S, 180 * RDSIM_S})

/* RDS Proxy notices the new writer without DNS (facts 4.9). UNCONFIRMED. */
#define RDSIM_PROXY_NOTICE ((struct rdsim_range){1 * RDSIM_S, 3 * RDSIM_S})
/* A topology-aware driver polls every 100 ms during failover (facts 4.9). */
#define RDSIM_TOPOLOGY_NOTICE ((struct rdsim_range){100 * RDSIM_MS, 1 * RDSIM_S})

/* Without a standby answering, a commit waits this long before the writer
 * carries on alone (MySQL rpl_semi_sync_master_timeout defaults to 10 s;
 * RDS's own setting is UNCONFIRMED, facts 2). */
#define RDSIM_SYNC_TIMEOUT (10 * RDSIM_S)

/* Multi-AZ cluster commits land on local NVMe first (facts 2). UNCONFIRMED. */
#define RDSIM_NVME_COMMIT ((struct rdsim_range){100 * RDSIM_US, 300 * RDSIM_US})

/* Aurora (facts 4.4, 4.5): service restored "typically in less than 60
 * seconds, and often less than 30" with a replica; the DNS update "typically
 * takes less than 30 seconds", 15-20 s on AWS's DNS. The split between
 * detection and promotion is UNCONFIRMED. */
#define RDSIM_AURORA_DETECTION ((struct rdsim_range){5 * RDSIM_S, 10 * RDSIM_S})
#define RDSIM_AURORA_PROMOTION ((struct rdsim_range){3 * RDSIM_S, 10 * RDSIM_S})
#define RDSIM_AURORA_DNS ((struct rdsim_range){5 * RDSIM_S, 15 * RDSIM_S})
/* Aurora crash recovery: "generally under 10 seconds" (facts 4.1). */
#define RDSIM_AURORA_RECOVERY ((struct rdsim_range){3 * RDSIM_S, 10 * RDSIM_S})
/* No replica: the writer is recreated, "typically less than 10 minutes". */
#define RDSIM_AURORA_RECREATE ((struct rdsim_range){3 * 60 * RDSIM_S, 10 * 60 * RDSIM_S})
/* A lost 10 GB segment is rebuilt in about 10 s (facts 4.1). */
#define RDSIM_AURORA_REPAIR ((struct rdsim_range){8 * RDSIM_S, 12 * RDSIM_S})
/* A storage node persists a redo record. UNCONFIRMED. */
#define RDSIM_AURORA_SEGMENT_WRITE ((struct rdsim_range){100 * RDSIM_US, 300 * RDSIM_US})
/* Replicas receive the redo stream continuously: the writer ships every
 * millisecond; the redo's transport adds 1.5-2.5 ms of processing to half a
 * round trip, and the replica applies at 50 us a write (only cached pages
 * are touched). Together: about 3 ms of lag at 1,000 writes/s and 3.5 ms at
 * 10,000, under 20 ms; AWS measured 2.6 and 5.4 ms (docs/model.md). */
#define RDSIM_AURORA_TICK (1 * RDSIM_MS)
#define RDSIM_AURORA_REDO_PROCESSING ((struct rdsim_range){1500 * RDSIM_US, 2500 * RDSIM_US})
#define RDSIM_AURORA_APPLY_PER_WRITE (50 * RDSIM_US)

/* Aurora Global Database: storage-level replication to a secondary region,
 * added to half the cross-region round trip: "typically under a second"
 * (docs/model.md); the split is UNCONFIRMED. An unplanned failover promotes a
 * secondary "in less than a minute" to minutes; a switchover first lets the
 * secondary catch up (RPO 0), then promotes it. */
#define RDSIM_GLOBAL_REPLICATION ((struct rdsim_range){150 * RDSIM_MS, 600 * RDSIM_MS})
#define RDSIM_GLOBAL_FAILOVER_TIME ((struct rdsim_range){30 * RDSIM_S, 90 * RDSIM_S})
/* When the primary's writer restarts or fails over, the secondaries'
 * replicas restart too and are unavailable until they resynchronise
 * (facts 4.6, Limitations); AWS gives no duration. UNCONFIRMED: an Aurora
 * restart (under 10 s, facts 4.1) from the moment the primary's writer
 * serves again, then the backlog is applied. */
#define RDSIM_GLOBAL_SECONDARY_RESTART ((struct rdsim_range){3 * RDSIM_S, 10 * RDSIM_S})
#define RDSIM_GLOBAL_SWITCHOVER_TIME ((struct rdsim_range){10 * RDSIM_S, 30 * RDSIM_S})

/* Aurora Serverless v2 (facts 4.7): capacity is measured every second and
 * moves in 0.5 ACU steps, larger steps at larger capacity. The policy is
 * ours (UNCONFIRMED): aim at 60% busy; grow by up to half the current
 * capacity a second, shrink by up to a tenth. */
#define RDSIM_ACU_TICK (1 * RDSIM_S)
#define RDSIM_ACU_TARGET 0.6
#define RDSIM_ACU_GROWTH 0.5
#define RDSIM_ACU_SHRINK 0.1

/* A network path's delay drifts between independent draws from its range
 * once a period, whatever the message rate (docs/model.md, "Replication").
 * UNCONFIRMED: AWS publishes no figure for how fast a path's delay moves. */
#define RDSIM_PATH_DRIFT_PERIOD (10 * RDSIM_S)

/* How often the writer ships its committed changes (one changeset per tick). */
#define RDSIM_REPLICATION_TICK (10 * RDSIM_MS)

/* Snapshots and restores (issue 15): a fixed part plus the data at a copy
 * rate. AWS publishes neither ("depends on size", facts 5): UNCONFIRMED.
 * A snapshot: the storage snapshot is started, then its blocks copied to
 * S3. A restore: a new instance provisioned (as long as creating one),
 * then its volume built from the snapshot; it is usable once available,
 * with lazy loading from S3 not modelled. */
#define RDSIM_SNAPSHOT_BASE ((struct rdsim_range){60 * RDSIM_S, 180 * RDSIM_S})
#define RDSIM_RESTORE_BASE ((struct rdsim_range){8 * 60 * RDSIM_S, 12 * 60 * RDSIM_S})
#define RDSIM_BACKUP_COPY_BYTES_PER_S (100.0 * 1024 * 1024)
/* Backtrack (Aurora UG, "Backtracking an Aurora DB cluster": it "rewinds
 * the DB cluster in minutes", the cluster paused meanwhile): a drawn fixed
 * part, UNCONFIRMED, plus the undone writes at a single applier's rate. */
#define RDSIM_BACKTRACK_BASE ((struct rdsim_range){60 * RDSIM_S, 120 * RDSIM_S})
/* A snapshot of an RDS instance without a standby (Single-AZ, or a read
 * replica) suspends its I/O "from a few seconds to a few minutes, depending
 * on the size and class" (RDS UG, "Creating a DB snapshot"): a fixed part
 * plus the data at a rate. UNCONFIRMED: AWS gives no formula; this rate
 * makes a few GiB take a minute, 10 GiB about three. A Multi-AZ instance
 * snapshots its standby and Aurora its volume: no suspension. */
#define RDSIM_SNAPSHOT_IO_PAUSE ((struct rdsim_range){2 * RDSIM_S, 6 * RDSIM_S})
#define RDSIM_SNAPSHOT_IO_PAUSE_BYTES_PER_S (60.0 * 1024 * 1024)
/* New replicas (issue 15). An RDS read replica is built from a snapshot
 * of its source restored to a new instance (USER_ReadRepl): a snapshot
 * and a restore as above, its data copied twice. An Aurora Replica is a
 * new instance on the shared volume, no data copied: provisioning only.
 * AWS publishes neither duration: UNCONFIRMED (docs/model.md). */
#define RDSIM_AURORA_REPLICA_CREATE ((struct rdsim_range){4 * 60 * RDSIM_S, 7 * 60 * RDSIM_S})
/* Aurora Auto Scaling (Application Auto Scaling target tracking): one
 * datapoint of the readers' average a minute; the high alarm needs 3 in
 * a row above the target, the low alarm 15 in a row below 90 % of it
 * (as users report AWS's alarms; AWS's pages do not state them:
 * UNCONFIRMED, docs/model.md). A
 * replica it removes leaves the reader endpoint and answers what still
 * reaches it for a drain time (UNCONFIRMED), then is deleted. */
#define RDSIM_AUTOSCALE_PERIOD (60 * RDSIM_S)
#define RDSIM_AUTOSCALE_HIGH_POINTS 3
#define RDSIM_AUTOSCALE_LOW_POINTS 15
#define RDSIM_AUTOSCALE_LOW_FRACTION 0.9
#define RDSIM_AUTOSCALE_TIER 15
#define RDSIM_REPLICA_DRAIN (60 * RDSIM_S)

/* In-memory snapshots together may hold this much; past it the run fails
 * and asks for --keep-db, which keeps them in files. */
#define RDSIM_SNAPSHOT_MEMORY_MAX ((int64_t)256 * 1024 * 1024)

#endif
