/*
 * cluster.h - the simulated database cluster: instances, endpoints, faults.
 *
 * A cluster is built from a validated scenario. It owns one struct
 * rdsim_instance per scenario instance (its SQLite database, its vCPU queue,
 * its health and its replication stream) and a deployment, the strategy that
 * decides what happens when something fails: recover in place, fail over,
 * promote. Deployments sit behind one interface (struct rdsim_deployment_ops
 * in cluster_impl.h): the RDS family (single-az, multi-az-instance,
 * multi-az-cluster, read replicas) in rds.c, Aurora in aurora.c.
 *
 * The cluster never sees clients. The workload asks it where an endpoint
 * points (rdsim_cluster_route) and hands requests to an instance
 * (rdsim_instance_serve); the cluster reports what happens through the
 * observer callbacks, which the run module turns into events.csv rows and
 * writer-downtime episodes.
 */
#ifndef RDSIM_CLUSTER_H
#define RDSIM_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdsim/db.h"
#include "rdsim/err.h"
#include "rdsim/failover.h"
#include "rdsim/histogram.h"
#include "rdsim/instance_class.h"
#include "rdsim/rng.h"
#include "rdsim/scenario.h"
#include "rdsim/sim.h"
#include "rdsim/stats.h"

struct rdsim_cluster;


/* What an instance does with a connection attempt right now. */
enum rdsim_health {
    RDSIM_HEALTH_UP,          /* serves requests */
    RDSIM_HEALTH_UNREACHABLE, /* host dead or AZ cut off: attempts time out */
    RDSIM_HEALTH_STARTING,    /* host up, engine recovering: connections refused */
};


/* How a deployment takes a fault action. */
enum rdsim_action_support {
    RDSIM_ACTION_UNSUPPORTED, /* not on this deployment */
    RDSIM_ACTION_SUPPORTED,   /* yes, with no choice of target */
    RDSIM_ACTION_TARGETED,    /* yes, and a target instance may be named */
};

/* What becomes of a request sent to an instance now (rdsim_cluster_can_answer). */
enum rdsim_answer {
    RDSIM_ANSWER_YES,
    RDSIM_ANSWER_TIMEOUT,     /* unreachable: no answer, the client waits it out */
    RDSIM_ANSWER_REFUSED,     /* engine starting: connection refused */
    RDSIM_ANSWER_NO_QUORUM,   /* a read on a volume without read quorum: it hangs */
    RDSIM_ANSWER_NOT_SERVING, /* a Multi-AZ instance's standby: refuses connections */
    RDSIM_ANSWER_READ_ONLY,   /* a write on an instance that is not the writer: an error */
};

/* Callbacks through which the cluster reports what happens. */
struct rdsim_cluster_observer {
    void *ctx;
    /* A timeline entry: kind ("fault", "detected", "recovered", ...),
     * subject (instance, AZ or endpoint name) and a one-line detail. */
    void (*event)(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                  const char *detail);
    /* The writer stopped being usable (start of a writer-downtime episode). */
    void (*writer_down)(void *ctx, rdsim_time_t t, enum rdsim_failover_cause cause);
    /* db is about to become the writer: count the acknowledged writes it
     * lacks and forget them (the clients' record follows the new writer).
     * Returns 0 or an RDSIM_E* code. */
    int (*new_writer)(void *ctx, struct rdsim_db *db, uint64_t *lost, bool *bounded,
                      struct rdsim_err *err);
    /* Optional: count the acknowledged writes db lacks, forgetting nothing
     * (a restored instance's RPO). Returns 0 or an RDSIM_E* code. */
    int (*lacks)(void *ctx, struct rdsim_db *db, uint64_t *lost, bool *bounded,
                 struct rdsim_err *err);
};

struct rdsim_cluster_config {
    const struct rdsim_scenario *scenario;
    uint64_t seed;           /* the run's seed (scenario seed or --seed) */
    const char *keep_db_dir; /* NULL: databases in memory */
    bool verify;             /* rdsim_db_config.verify for every instance */
    /* Bytes snapshots and the change log may hold in memory together; past
     * it the run fails (0: RDSIM_SNAPSHOT_MEMORY_MAX, 256 MiB; for tests). */
    int64_t backup_memory_max;
    struct rdsim_cluster_observer observer;
};

int rdsim_cluster_create(struct rdsim_sim *sim, const struct rdsim_cluster_config *cfg,
                         struct rdsim_cluster **out, struct rdsim_err *err);
void rdsim_cluster_destroy(struct rdsim_cluster *c);

/*
 * Schedule the scenario's fault events (all but `load`, which belongs to the
 * workload) and the replication ticks. Call once before running.
 */
int rdsim_cluster_start(struct rdsim_cluster *c, struct rdsim_err *err);

/* Instances that exist now, by index: the scenario's in scenario order, then
 * those created during the run (rdsim_cluster_add_instance) in slot order. */
size_t rdsim_cluster_instance_count(const struct rdsim_cluster *c);
/* Every instance the run can have: the existing ones, then the planned ones
 * not created yet (>= rdsim_cluster_instance_count). Outputs give each slot
 * its columns from the start; for a slot not created yet, the name is known,
 * rdsim_cluster_state_name is "absent", the lag is -1 and the ACUs 0. */
size_t rdsim_cluster_instance_slots(const struct rdsim_cluster *c);
/* Name of slot i (< slots): the scenario's, or the one given to
 * rdsim_cluster_plan_instance. */
const char *rdsim_cluster_instance_name(const struct rdsim_cluster *c, size_t i);
/* Config of existing instance i: the scenario's, or the cluster's own copy
 * for an instance created during the run (its az and instance_class set). */
const struct rdsim_instance_cfg *rdsim_cluster_instance_cfg(const struct rdsim_cluster *c,
                                                            size_t i);
/*
 * Plan an instance created later by `name`, which is not copied and must
 * outlive the cluster and any results naming it (a scenario's string): it
 * takes the next slot.
 * Call before rdsim_cluster_start. 0, or RDSIM_EINVAL (empty or taken name,
 * more than 254 instances) or RDSIM_ENOMEM.
 */
int rdsim_cluster_plan_instance(struct rdsim_cluster *c, const char *name,
                                struct rdsim_err *err);
/*
 * Create the next planned instance now, from cfg (name: the next slot's;
 * az; role: RDSIM_ROLE_WRITER, a standalone instance with its own database
 * outside replication and failovers, or RDSIM_ROLE_REPLICA, a replica that
 * the caller (src/cluster) attaches to the writer; instance_class: NULL
 * for the cluster's default; tier). Its SQLite database is a copy of copy_of (SQLite's
 * backup API; not kept) or, when NULL, holds the scenario's initial rows.
 * It is up at once; *index is its index (== its slot). Strings are copied.
 * 0, or RDSIM_EINVAL (not the next planned name, unknown AZ or class, a
 * standby), RDSIM_ENOMEM or RDSIM_EDB.
 */
int rdsim_cluster_add_instance(struct rdsim_cluster *c, const struct rdsim_instance_cfg *cfg,
                               struct rdsim_db *copy_of, size_t *index, struct rdsim_err *err);
/* Index of the current writer (a failover changes it). */
size_t rdsim_cluster_writer(const struct rdsim_cluster *c);
enum rdsim_health rdsim_cluster_health(const struct rdsim_cluster *c, size_t i);
struct rdsim_db *rdsim_cluster_db(struct rdsim_cluster *c, size_t i);
/* What instance i is now, in one word for the role timeline: "writer",
 * "standby", "replica" when serving; "down" (unreachable), "starting"
 * (engine recovering) or "detached" (an old writer out of the cluster);
 * "creating", "standalone" (an instance created during the run, not the
 * writer) or "absent" (a slot not created yet). */
const char *rdsim_cluster_state_name(const struct rdsim_cluster *c, size_t i);

/*
 * Where a connection to `ep` goes, by connection style: what a DNS lookup
 * answers now (the writer endpoint's record changes at the DNS update of a
 * failover; the reader endpoint picks one reader per lookup; RDS read
 * replicas are instance endpoints, picked at random by the application);
 * what RDS Proxy routes to (it follows the new writer shortly after
 * promotion, without DNS); what a topology-aware driver connects to. -1 when
 * the endpoint names no instance. The caller then checks its health.
 */
int rdsim_cluster_lookup(struct rdsim_cluster *c, enum rdsim_endpoint ep, struct rdsim_rng *rng);
int rdsim_cluster_proxy_route(struct rdsim_cluster *c, enum rdsim_endpoint ep,
                              struct rdsim_rng *rng);
/*
 * A reader in Region `region` (index into topology.regions) for the clients
 * there, drawn with rng among the instances that serve reads in it now: RDS
 * read replicas, an Aurora cluster's replicas (a Global Database
 * secondary's readers), a Multi-AZ DB cluster's reader endpoint; never the
 * writer. -1 when the Region has none: the caller falls back on its
 * endpoint. The caller then checks its health, as for an endpoint.
 */
int rdsim_cluster_region_reader(struct rdsim_cluster *c, size_t region, struct rdsim_rng *rng);
int rdsim_cluster_topology_route(struct rdsim_cluster *c, enum rdsim_endpoint ep,
                                 struct rdsim_rng *rng);
/* Can instance i read its data now? Always, except on Aurora when fewer
 * than three volume copies are reachable (the read quorum, facts 4.1). */
bool rdsim_cluster_can_read(const struct rdsim_cluster *c, size_t i);

/* Bumps when the application is repointed to another instance's endpoint
 * (a promoted read replica): cached DNS answers for the old name are moot. */
uint32_t rdsim_cluster_endpoint_generation(const struct rdsim_cluster *c);
/* True when reads on instance i are served (standbys of a Multi-AZ
 * instance are not readable). */
bool rdsim_cluster_serves_reads(const struct rdsim_cluster *c, size_t i);

/*
 * Replication lag of instance i now (docs/outputs.md): the age of the
 * oldest change its source shipped that it has not applied; 0 when it has
 * applied everything (a synchronous standby in sync); -1 while it has no
 * live source (the writer, or a replica of a dead instance).
 */
rdsim_time_t rdsim_cluster_lag(const struct rdsim_cluster *c, size_t i);
/* End the sample interval for i's lag: returns the interval's maximum (-1:
 * no live source all along) and adds it to i's lag histogram; the next
 * interval starts now. Call once per time-series row. */
rdsim_time_t rdsim_cluster_lag_sample(struct rdsim_cluster *c, size_t i);
/* The figure of the last row rdsim_cluster_lag_sample ended (-1: none). */
rdsim_time_t rdsim_cluster_lag_last(const struct rdsim_cluster *c, size_t i);
/* The histogram of i's per-interval maxima (NULL when i has never been a
 * replication target). */
const struct rdsim_hist *rdsim_cluster_lag_hist(const struct rdsim_cluster *c, size_t i);
/* How stale a read served by i is: the age of the oldest write its source
 * committed that i lacks, shipped or not (stale_reads.max_staleness_ms). */
rdsim_time_t rdsim_cluster_staleness(const struct rdsim_cluster *c, size_t i);
/* True when every instance gets a lag column: a cluster of more than one
 * (roles change with failovers, so the writer has one too, empty while it
 * has no live source). */
bool rdsim_cluster_tracks_lag(const struct rdsim_cluster *c);

/* Aurora Serverless v2 capacity of instance i now, in ACUs (0 when it is a
 * provisioned class), and the ACU-seconds it has used so far. */
double rdsim_cluster_acu(const struct rdsim_cluster *c, size_t i);
double rdsim_cluster_acu_seconds(const struct rdsim_cluster *c, size_t i);

/* Snapshots and restores so far (snapshot and restore events), in the
 * order they were asked for. A snapshot's name is the cluster's copy;
 * other names point into the scenario. Times are -1 until they happen. */
struct rdsim_snapshot_info {
    const char *name, *target;
    const char *source;      /* what is copied: "instance", "standby" or "storage" */
    rdsim_time_t at, ready;
    rdsim_time_t io_pause;   /* the instance's I/O suspended (Single-AZ), 0: none */
    int64_t bytes;
    bool taken;              /* false: its instance was unreachable */
};
struct rdsim_restore_info {
    const char *name, *from;
    rdsim_time_t at;             /* requested */
    rdsim_time_t restore_point;  /* the data's moment (the snapshot's) */
    rdsim_time_t latest_restorable; /* the latest point it could have had */
    rdsim_time_t available;      /* -1: not by the end of the run */
    rdsim_time_t writer_at;      /* became the writer (-1: never) */
    bool become_writer;
    bool done;                   /* false: its snapshot was never taken */
    uint64_t lost_writes;        /* acknowledged before `at`, absent from its data */
    bool lost_writes_bounded;
};
size_t rdsim_cluster_snapshot_count(const struct rdsim_cluster *c);
const struct rdsim_snapshot_info *rdsim_cluster_snapshot_at(const struct rdsim_cluster *c,
                                                            size_t k);
size_t rdsim_cluster_restore_count(const struct rdsim_cluster *c);
const struct rdsim_restore_info *rdsim_cluster_restore_at(const struct rdsim_cluster *c,
                                                          size_t k);

/* Backtracks so far (Aurora MySQL backtrack events), in order. Times are
 * -1 until they happen. */
struct rdsim_backtrack_info {
    rdsim_time_t at, to;         /* asked for; the point rewound to */
    rdsim_time_t available;      /* the cluster serves again (-1: not by the end) */
    bool done;                   /* false: the writer was not available to rewind */
    uint64_t undone_writes;      /* committed writes after `to` undone (the log's count) */
    uint64_t discarded_writes;   /* acknowledged writes after `to` gone, from the data */
    bool discarded_writes_bounded;
};
size_t rdsim_cluster_backtrack_count(const struct rdsim_cluster *c);
const struct rdsim_backtrack_info *rdsim_cluster_backtrack_at(const struct rdsim_cluster *c,
                                                              size_t k);
/* New replicas so far (create-replica events and Aurora Auto Scaling), in
 * the order they were asked for; names outlive the results (the
 * scenario's, or rdsim's own autoscaled-N). Times are -1 until they
 * happen: built (the instance is up and catches up on its backlog),
 * available (it has applied the backlog and joined the readers), removed
 * (auto scaling took it away). */
struct rdsim_replica_info {
    const char *name, *az;
    rdsim_time_t at, built, available, removed;
    uint64_t backlog_writes;     /* writes it applied to catch up, counted when built */
    uint64_t reads_served;       /* reads it served (until removed) */
    rdsim_time_t first_read;     /* when it served its first (-1: none) */
    bool autoscaled;
};
/* Auto scaling's actions: when, which way, the replicas before and after
 * (those being created count), and the readers' average that decided. */
struct rdsim_scaling_info {
    rdsim_time_t at;
    bool out;
    int from, to;
    double metric;
};
size_t rdsim_cluster_new_replica_count(const struct rdsim_cluster *c);
const struct rdsim_replica_info *rdsim_cluster_new_replica_at(const struct rdsim_cluster *c,
                                                             size_t k);
size_t rdsim_cluster_scaling_count(const struct rdsim_cluster *c);
const struct rdsim_scaling_info *rdsim_cluster_scaling_at(const struct rdsim_cluster *c,
                                                          size_t k);

/* Failovers and promotions so far. */
size_t rdsim_cluster_failover_count(const struct rdsim_cluster *c);
const struct rdsim_failover *rdsim_cluster_failover_at(const struct rdsim_cluster *c, size_t k);

/* One-way network delay between a client in AZ `client_az` (index into the
 * writer region's AZs) and instance i, drawn from the topology's RTTs. */
rdsim_time_t rdsim_cluster_one_way(struct rdsim_cluster *c, size_t client_az, size_t i,
                                   struct rdsim_rng *rng);
/* Number of AZs clients are spread over (those of the initial writer's region). */
size_t rdsim_cluster_client_azs(const struct rdsim_cluster *c);
/*
 * The AZ (index over every AZ of the topology, region order) of client
 * `client`: with region < 0 among the initial writer region's AZs as
 * rdsim_cluster_one_way spreads them, else among Region `region`'s AZs;
 * clients go round the AZs in turn.
 */
size_t rdsim_cluster_client_az(const struct rdsim_cluster *c, int region, size_t client);
/* Is instance i in another Region than AZ `az` (rdsim_cluster_client_az)? */
bool rdsim_cluster_is_remote(const struct rdsim_cluster *c, size_t az, size_t i);
/* rdsim_cluster_one_way for a client in AZ `az` (rdsim_cluster_client_az). */
rdsim_time_t rdsim_cluster_one_way_az(struct rdsim_cluster *c, size_t az, size_t i,
                                      struct rdsim_rng *rng);

/*
 * Queue a request on instance i arriving at `t`: it waits for a free vCPU
 * (FIFO) and takes a random service time; a write also takes its share of
 * the instance's storage path, by engine (docs/model.md, "Write
 * throughput"). Returns the completion time and
 * the instance's epoch, which changes whenever the instance loses its work in
 * flight (crash, restart): a request whose epoch no longer matches at
 * completion never completed.
 */
rdsim_time_t rdsim_instance_serve(struct rdsim_cluster *c, size_t i, enum rdsim_op_kind kind,
                                  rdsim_time_t t, uint32_t *epoch);
uint32_t rdsim_instance_epoch(const struct rdsim_cluster *c, size_t i);

/*
 * Can instance i answer a request of `kind` now? The one check behind the
 * workload's clients and the live SQL console (which asks for a read: its
 * writes on a reader run read-only). Draws nothing.
 */
enum rdsim_answer rdsim_cluster_can_answer(const struct rdsim_cluster *c, size_t i,
                                           enum rdsim_op_kind kind);

/* Extra commit latency a write on the writer pays after its service time:
 * its storage, and the standby's acknowledgement (sync, semi-sync), or
 * Aurora's write quorum. */
rdsim_time_t rdsim_cluster_commit_delay(struct rdsim_cluster *c);

/* Can the writer make a commit durable now? False while Aurora's volume
 * lacks its write quorum: such a write never commits (it is not executed),
 * and its client times out. */
bool rdsim_cluster_can_commit(const struct rdsim_cluster *c);

/* When a write whose service ends at `done` on the writer commits: `done`,
 * or later while a Multi-AZ DB cluster's flow control throttles the writer
 * (a standby's apply lag past cluster.target_apply_lag). Books the commit;
 * -1 when it could not commit before `deadline` (the client's timeout): the
 * client gives up while the write waits, and it is rolled back unbooked. */
rdsim_time_t rdsim_cluster_commit_gate(struct rdsim_cluster *c, rdsim_time_t done,
                                       rdsim_time_t deadline);

/* How this cluster's deployment takes fault action `a` (live mode offers
 * only what it supports). */
enum rdsim_action_support rdsim_cluster_supports(const struct rdsim_cluster *c,
                                                 enum rdsim_action a);
/* Do its instances have promotion tiers (Aurora)? */
bool rdsim_cluster_has_tiers(const struct rdsim_cluster *c);
/* A write committed on the writer at `t` (for replication bookkeeping). */
void rdsim_cluster_committed(struct rdsim_cluster *c, rdsim_time_t t);

/* Flush the current writer's open transaction (end of run). */
int rdsim_cluster_flush(struct rdsim_cluster *c, struct rdsim_err *err);

/*
 * Live mode. Make a fault event (anything but `load`) act now, at the
 * current simulated time, exactly as a scenario event at this time would;
 * `ev` must be valid for this scenario (rdsim_scenario_parse_event) and is
 * not kept. Errors fail the simulation (rdsim_sim_error).
 */
void rdsim_cluster_inject(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev);
/* Current role of instance i (a failover changes it). */
enum rdsim_role rdsim_cluster_role(const struct rdsim_cluster *c, size_t i);
/* False while an az-outage or region-outage holds AZ `az` (unknown: true). */
bool rdsim_cluster_az_is_up(const struct rdsim_cluster *c, const char *az);
/* The instances the reader endpoint answers with now (RDS read replicas:
 * every attached replica); at most cap into out. Returns how many. */
size_t rdsim_cluster_readers(const struct rdsim_cluster *c, int *out, size_t cap);

#endif
