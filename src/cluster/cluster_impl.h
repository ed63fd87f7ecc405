/*
 * cluster_impl.h - the cluster's internals, shared by cluster.c (instances,
 * health, faults), endpoints.c (answers and routes), failover.c (the failover record and its
 * phases), replication.c (log shipping and apply), serverless.c and the
 * deployments (rds.c, aurora.c).
 *
 * A deployment is a table of callbacks (struct rdsim_deployment_ops): the
 * generic fault machinery in cluster.c changes health and then asks the
 * deployment what follows (recover in place, fail over, promote). Nothing
 * outside src/cluster includes this header.
 */
#ifndef RDSIM_CLUSTER_IMPL_H
#define RDSIM_CLUSTER_IMPL_H

#include "rdsim/cluster.h"
#include "rdsim/histogram.h"

enum repl_mode {
    REPL_NONE,     /* the writer, or a standalone instance */
    REPL_SYNC,     /* Multi-AZ instance standby: block-level, before the ack */
    REPL_SEMISYNC, /* Multi-AZ cluster standby: one of two must receive first */
    REPL_ASYNC,    /* read replica: binlog/WAL shipping, single applier */
    REPL_VOLUME,   /* Aurora Replica: redo stream over a shared volume */
    REPL_GLOBAL,   /* Aurora Global Database secondary: storage-level, cross-region */
};

/* Batches shipped to one target and not yet applied, oldest first. */
struct repl_queue {
    uint32_t *batch;
    rdsim_time_t *arrive;  /* when each batch reaches the target */
    size_t head, len, cap;
};

struct rdsim_instance {
    const struct rdsim_instance_cfg *cfg;
    const struct rdsim_instance_class *cls;
    enum rdsim_role role;
    size_t az;               /* global AZ index (cluster.az_names) */
    size_t region;
    struct rdsim_db *db;
    rdsim_time_t *free_at;   /* per vCPU: when it finishes its queued work */
    int vcpus;               /* servers in use (Serverless: follows capacity) */
    int max_vcpus;           /* length of free_at */
    rdsim_time_t log_free_at; /* when the storage path finishes its queued writes */
    /* Aurora Serverless v2 (serverless.c): capacity in ACUs, 0 otherwise */
    double acu, acu_seconds;
    rdsim_time_t busy;       /* service time booked since the last scaling tick */
    uint32_t epoch;          /* bumped whenever work in flight is lost */
    bool host_down;          /* instance-failure: the host is dead */
    uint32_t host_gen;       /* bumps at every host failure or replacement,
                              * so a stale `for:` heal is recognised */
    bool engine_down;        /* crashed: needs recovery once reachable */
    rdsim_time_t lost_at;    /* when it last became unreachable */
    bool starting;           /* engine (re)starting: connections refused */
    bool detached;           /* an old writer: out of the cluster until it rejoins */
    bool fenced;             /* stopped by RDS for a failover: unreachable */
    bool needs_resync;       /* missed batches while unreachable: copy on return */
    uint32_t lag_gen;        /* bumps at every replica-lag event */
    rdsim_event_id recovery; /* pending recovery step, 0 if none */

    /* replication, as a target */
    int source;              /* instance it replicates from, -1 for none */
    enum repl_mode mode;
    rdsim_time_t apply_cost; /* per write, single applier */
    rdsim_time_t apply_free_at;
    rdsim_time_t extra_delay;/* replica-lag event in force */
    struct repl_queue q;
    rdsim_event_id apply_ev;
    rdsim_time_t applied_commit; /* commit time of the newest write applied */
    /* Lag (docs/outputs.md): the ship time of the first batch missed while
     * unreachable (-1: none), this sample interval's maximum and the last
     * finished interval's (-1: no live source), and a histogram of the
     * intervals' maxima. */
    rdsim_time_t missed_since;
    rdsim_time_t lag_max, lag_last;
    struct rdsim_hist *lag;

    /* Created during the run (instance.c): its own copy of the config, and
     * whether it stands outside the cluster (a restored instance: its own
     * database, no replication, never a failover candidate). */
    struct rdsim_instance_cfg own_cfg;
    bool owns_cfg;
    bool standalone;
    bool creating;           /* being created: unreachable, "creating" */
    /* A new replica (replicas.c): catching up on its backlog, reachable
     * but not yet a reader ("creating"); an autoscaled one leaving the
     * reader endpoint (still answering), then removed (unreachable,
     * "absent") until auto scaling fills its slot again. */
    bool joining, removing, removed;
    bool autoscaled;
    /* Service booked on its vCPUs, and requests' time in it (queue and
     * service), since the start: auto scaling's CPU and connections. */
    rdsim_time_t cpu_busy, resident;
    /* Reads it has served, and when the first came (-1: none): a new
     * replica's, since it was asked for. */
    uint64_t reads_served;
    rdsim_time_t first_read;
};

/* Is instance i one of the cluster's readers now, as far as membership
 * goes (health aside): not an old writer out of the cluster, not a new
 * replica still being created or catching up, not leaving or removed? */
static inline bool instance_is_member(const struct rdsim_instance *in)
{
    return !in->detached && !in->creating && !in->joining && !in->removing && !in->removed;
}

struct rdsim_cluster;

/*
 * A deployment: a table of callbacks and its own state (c->state), in the
 * manner of a wlroots backend. Its file alone knows what the state holds
 * (Aurora's volume, RDS's synchronous-standby timer).
 */
struct rdsim_deployment_ops {
    /* How often the writer ships its committed writes to its targets. */
    rdsim_time_t repl_tick;
    /* Instances have promotion tiers. */
    bool tiers;
    /* Allocate c->state, set up roles and replication; 0, RDSIM_EINVAL or
     * RDSIM_ENOMEM. */
    int (*init)(struct rdsim_cluster *c, struct rdsim_err *err);
    /* Free c->state (which init may have left NULL). */
    void (*destroy)(struct rdsim_cluster *c);
    /* Instance i stopped serving because of `cause`; `heals` is true when
     * the fault has a `for:` and will end by itself. */
    void (*instance_lost)(struct rdsim_cluster *c, size_t i, enum rdsim_failover_cause cause,
                          bool heals);
    /* Instance i serves again. */
    void (*instance_back)(struct rdsim_cluster *c, size_t i);
    /* A reboot event (failover: true asks for a failover where there is a
     * standby). */
    void (*reboot)(struct rdsim_cluster *c, size_t i, bool failover);
    /* A manual failover (target may be -1). */
    void (*failover)(struct rdsim_cluster *c, int target);
    /* Promote read replica i. */
    void (*promote)(struct rdsim_cluster *c, size_t i);
    /* A write's commit latency on the writer (storage, standby or quorum). */
    rdsim_time_t (*commit_delay)(struct rdsim_cluster *c);
    /* Optional (NULL: `done`): when a write served by `done` may commit,
     * -1 if not before `deadline` (rdsim_cluster_commit_gate). */
    rdsim_time_t (*commit_gate)(struct rdsim_cluster *c, rdsim_time_t done,
                                rdsim_time_t deadline);
    /* How the deployment takes a fault action (the live dashboard's menu). */
    enum rdsim_action_support (*supports)(const struct rdsim_cluster *c, enum rdsim_action a);
    /* Optional (NULL: always): does instance i answer reads? */
    bool (*serves_reads)(const struct rdsim_cluster *c, size_t i);
    /* Optional: lose `copies` storage copies in an AZ. */
    void (*storage_failure)(struct rdsim_cluster *c, size_t az, int copies, bool has_for,
                            rdsim_time_t for_);
    /* Optional: an AZ went out or came back. */
    void (*az_changed)(struct rdsim_cluster *c);
    /* Optional: Aurora Global Database failover to `region`. */
    void (*global_failover)(struct rdsim_cluster *c, size_t region, bool switchover);
    /* Rebuild the reader endpoint's record (a failover's DNS update). */
    void (*refresh_readers)(struct rdsim_cluster *c);
    /* Failover f was detected and is going ahead (failover.c checked that
     * the writer is still gone or the failover was asked for): choose the
     * target (-1 or `wanted`) and say why in the explanation, then schedule
     * its promotion, or deal with having none. Logs the "detected" line. */
    void (*failover_detected)(struct rdsim_cluster *c, struct rdsim_failover *f, int wanted);
    /* Optional (NULL: always): can the writer commit now (storage quorum)? */
    bool (*can_commit)(const struct rdsim_cluster *c);
    /* Optional: the writer is restarting and serves again after
     * `recovery` (Aurora Global Database secondaries restart with it). */
    void (*writer_restarting)(struct rdsim_cluster *c, rdsim_time_t recovery);
    /* Optional: can instance i read now (storage quorum)? */
    bool (*can_read)(const struct rdsim_cluster *c, size_t i);
    /* A new replica (create-replica, auto scaling): how it follows the
     * writer, and how long building it takes for a source of `bytes`
     * (RDS: a snapshot restored to a new volume; Aurora: an instance on
     * the shared volume, whatever its size). */
    enum repl_mode new_replica_mode;
    rdsim_time_t (*replica_build_time)(struct rdsim_cluster *c, int64_t bytes);
};

/* Failover events carry (failover index << 8 | instance index); 0xff means
 * "no instance". Instances are at most 100 (the loader's limit). */
static inline uint64_t fo_arg(size_t failover, int instance)
{
    return (uint64_t)failover << 8 | (uint64_t)(uint8_t)instance;
}

extern const struct rdsim_deployment_ops rds_ops;
extern const struct rdsim_deployment_ops aurora_ops;

struct repl; /* replication.c's own state */
struct backup; /* backup.c's: snapshots and restores */
struct backtrack; /* backtrack.c's: change records and backtracks */
struct replicas; /* replicas.c's: new replicas and auto scaling */

struct rdsim_cluster {
    struct rdsim_sim *sim;
    const struct rdsim_scenario *sc;
    const struct rdsim_deployment_ops *ops;
    void *state;             /* the deployment's own (ops->init, ops->destroy) */
    struct rdsim_cluster_observer obs;

    struct rdsim_instance *inst;
    size_t n_inst;           /* instances that exist now */
    size_t writer;
    /* Slots: every instance the run can have, the scenario's and then the
     * ones created during the run (planned by name, so that outputs have
     * their columns from the start). n_inst <= n_slots. */
    char **slot_names;       /* NULL for the scenario's own */
    size_t n_slots;
    const char *keep_db_dir; /* copied from the config: new databases go there too */
    bool verify;
    int64_t backup_memory_max; /* from the config, 0 replaced by the default */

    const char **az_names;   /* every AZ of the topology, region order */
    size_t *az_region;
    int *az_out;             /* outages in force per AZ (they may overlap) */
    size_t n_az;
    size_t client_az0, n_client_az; /* clients: the initial writer region's AZs */

    /* endpoints: what DNS, RDS Proxy and a topology-aware driver believe */
    size_t dns_writer, proxy_writer, topo_writer;
    uint32_t writer_endpoint_gen; /* bumps when the application is repointed */
    /* The application writes to a restored instance (backup.c): the old
     * deployment no longer owns the writer endpoint, so its failovers do
     * not move the writes back (failover.c). */
    bool repointed;
    int *readers;            /* reader endpoint record (DNS) */
    size_t n_readers;
    bool has_reader_endpoint;/* multi-az-cluster; RDS replicas use instance endpoints */

    struct repl *repl;       /* replication's batches and open tick (replication.c) */
    struct backup *backup;   /* snapshots and restores (backup.c) */
    struct backtrack *backtrack; /* backtracks' change records (backtrack.c) */
    struct replicas *replicas; /* new replicas and auto scaling (replicas.c) */

    struct rdsim_failover *failovers;
    size_t n_failovers, cap_failovers;

    struct rdsim_rng rng_net, rng_service, rng_faults, rng_routing;
};

/* Open instance i's database and state from `ic` (a copy of `like`'s rows
 * when not NULL, else the scenario's initial rows). instance.c and create. */
int instance_open(struct rdsim_cluster *c, size_t i, const struct rdsim_instance_cfg *ic,
                  struct rdsim_db *like, struct rdsim_err *err);
/* Free what instance_open and instance.c gave instance i. */
void instance_free(struct rdsim_instance *in);
int cluster_find_az(const struct rdsim_cluster *c, const char *name);
int cluster_find_instance(const struct rdsim_cluster *c, const char *name);

/* Health helpers shared by deployments. */
bool instance_reachable(const struct rdsim_cluster *c, size_t i);
/* Reachable and its engine up: it answers. */
bool instance_serving(const struct rdsim_cluster *c, size_t i);
/* Instance i became unreachable now (its replicas stop receiving). */
void instance_cut(struct rdsim_cluster *c, size_t i);
/* Drop everything in flight on instance i (crash or restart). */
void instance_reset(struct rdsim_cluster *c, size_t i);
/* Log a timeline entry through the observer. */
void cluster_log(struct rdsim_cluster *c, const char *kind, const char *subject,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Start the engine on instance i: refuse connections for `recovery`, then
 * call instance_back. Cancels any recovery step already pending. */
void instance_start(struct rdsim_cluster *c, size_t i, rdsim_time_t recovery,
                          const char *why);
/* The host of instance i is back (healed or replaced): the engine recovers
 * from the crash as soon as the instance is reachable. */
void instance_host_back(struct rdsim_cluster *c, size_t i, rdsim_time_t recovery,
                              const char *why);
/* A replacement host for instance i is up (its recovery step is done):
 * log "new host in AZ, `how`", then as instance_host_back. */
void instance_replaced(struct rdsim_cluster *c, size_t i, const char *how, rdsim_time_t recovery,
                       const char *why);
/* Stop instance i for a failover (unreachable, engine down) and lift that
 * again; a host that failed meanwhile stays down. */
void instance_fence(struct rdsim_cluster *c, size_t i);
void instance_unfence(struct rdsim_cluster *c, size_t i, rdsim_time_t restart,
                            const char *why);
/* Schedule or fail the run: a scheduling failure is out of memory. */
rdsim_event_id cluster_after(struct rdsim_cluster *c, rdsim_time_t delay,
                                   rdsim_event_fn fn, uint64_t arg);
/* Draw from a scenario range. */
rdsim_time_t cluster_draw(struct rdsim_cluster *c, struct rdsim_range r);
/* Round trip between two instances: the topology's range, and a draw. */
struct rdsim_range cluster_rtt_range(const struct rdsim_cluster *c, size_t a, size_t b);
rdsim_time_t cluster_rtt(struct rdsim_cluster *c, size_t a, size_t b);

/* ---- failover.c: the record, its phases, the crowning ------------------ */

/* The cause a fault event gives a failover it starts. */
enum rdsim_failover_cause failover_cause_of(enum rdsim_action a);
/* Open a record for the current writer (from), now (at); NULL and the run
 * fails when out of memory. */
struct rdsim_failover *failover_open(struct rdsim_cluster *c,
                                           enum rdsim_failover_cause cause);
/* Its index, for fo_arg. */
size_t failover_index(const struct rdsim_cluster *c, const struct rdsim_failover *f);
/* Open a record and schedule its detection after a draw from `detection`;
 * then ops->failover_detected decides (wanted: a requested target or -1). */
void failover_begin(struct rdsim_cluster *c, enum rdsim_failover_cause cause, int wanted,
                          struct rdsim_range detection);
/* Append to a failover's explanation line. */
void failover_explain(struct rdsim_failover *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Start the explanation line afresh. */
void failover_explain_anew(struct rdsim_failover *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Detection is now (a request needs none: it is detected as it starts). */
void failover_mark_detected(const struct rdsim_cluster *c, struct rdsim_failover *f);
/* A promoted read replica's writes it had not applied (the model's count). */
void failover_set_unapplied(struct rdsim_failover *f, uint64_t writes);
/* Name instance `to` (or nobody, -1) as the failover's target. */
void failover_set_target(const struct rdsim_cluster *c, struct rdsim_failover *f, int to);
/* The promotion to `to` will not happen: append why, clear the target and
 * log an "abandoned" line. */
void failover_abandon(struct rdsim_cluster *c, struct rdsim_failover *f, size_t to,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A later failover (`by`, e.g. "an unplanned global failover") takes over
 * from f before it finished: its pending phases do nothing from now on. */
void failover_supersede(struct rdsim_cluster *c, struct rdsim_failover *f, const char *by);
/* Is the last failover still under way (promotions of read replicas aside)? */
bool cluster_failover_running(const struct rdsim_cluster *c);
/* The one code path that crowns a writer: `to` stops replicating, the
 * clients' acknowledged writes are checked against its data
 * (f->lost_writes), f->promoted is stamped and `to` is the writer; with
 * replicas_follow, the replicas of `from` replicate from `to`. 0, or the
 * run fails with the error. */
int failover_crown(struct rdsim_cluster *c, struct rdsim_failover *f, size_t from,
                         size_t to, bool replicas_follow);
/* Instance `to` was just crowned by failover `fi`: a topology-aware driver
 * and RDS Proxy follow it within a second or three, the writer endpoint's
 * DNS record after `dns_delay`. An older failover's switches are ignored. */
void failover_follow_writer(struct rdsim_cluster *c, size_t fi, size_t to,
                                  struct rdsim_range dns_delay);
/* The application now writes to `to`'s own endpoint (a promoted read
 * replica): every connection style points there at once. */
void failover_repoint(struct rdsim_cluster *c, struct rdsim_failover *f, size_t to);
/* Count the writes instance `from` has that `to` lacks, from their SQLite
 * data (what a promotion discards). Fails the run on a SQLite error. */
int failover_diverged(struct rdsim_cluster *c, size_t from, size_t to, uint64_t *writes);

/* ---- backup.c ------------------------------------------------------------ */

/* Plan the slots of the scenario's restores (at create, before start). */
int backup_init(struct rdsim_cluster *c, struct rdsim_err *err);
void backup_free(struct rdsim_cluster *c);
/* A snapshot or restore event acts now. */
void backup_snapshot(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev);
void backup_restore(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev);
/* The writer's tick changeset cs, flushed at t: the change log keeps a copy
 * when a point-in-time restore will need it. */
void backup_log(struct rdsim_cluster *c, const struct rdsim_changeset *cs, rdsim_time_t t);
/* Add bytes (negative: release them) to what snapshots and change logs
 * hold in memory; past the limit, RDSIM_ENOMEM naming `what` and --keep-db. */
int backup_charge(struct rdsim_cluster *c, int64_t bytes, const char *what,
                  struct rdsim_err *err);

/* ---- backtrack.c ----------------------------------------------------------- */

/* Keep change records when the scenario backtracks (at create, after
 * backup_init); schedule each backtrack point's flush (at start). */
int backtrack_init(struct rdsim_cluster *c, struct rdsim_err *err);
int backtrack_start(struct rdsim_cluster *c, struct rdsim_err *err);
void backtrack_free(struct rdsim_cluster *c);
/* The writer's tick changeset cs, flushed at t: kept while a backtrack may
 * undo it. */
void backtrack_log(struct rdsim_cluster *c, const struct rdsim_changeset *cs, rdsim_time_t t);
/* A backtrack event acts now. */
void backtrack_fire(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev);

/* ---- replicas.c ---------------------------------------------------------- */

/* Plan the slots of the scenario's restores and new replicas in event
 * order (the order they fire in), and auto scaling's; at create. */
int replicas_init(struct rdsim_cluster *c, struct rdsim_err *err);
void replicas_free(struct rdsim_cluster *c);
/* Start auto scaling's evaluations (nothing without it). */
int replicas_start(struct rdsim_cluster *c, struct rdsim_err *err);
/* A create-replica event acts now. */
void replicas_create(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev);

/* ---- serverless.c -------------------------------------------------------- */

/* Put instance i at its minimum capacity if it is Serverless v2. */
void serverless_init(struct rdsim_cluster *c, size_t i);
/* Start the once-a-second scaling; does nothing without a Serverless v2
 * instance. */
int serverless_start(struct rdsim_cluster *c, struct rdsim_err *err);
/* Service-time factor of instance i at its current capacity (1 if
 * provisioned). */
double serverless_slowdown(const struct rdsim_instance *in);

/* ---- replication.c ------------------------------------------------------ */

/* Replication's own state: allocate it (at create, before the deployment
 * attaches targets; `seed` seeds each target's network path); a writer
 * committed at t (opens the tick's batch); the writer changed (the open tick
 * is the old writer's). */
int repl_init(struct rdsim_cluster *c, uint64_t seed, struct rdsim_err *err);
void repl_committed(struct rdsim_cluster *c, rdsim_time_t t);
void repl_writer_changed(struct rdsim_cluster *c);
/* Commit time of the newest write target i has received (applied or not). */
rdsim_time_t repl_received_up_to(const struct rdsim_cluster *c, size_t i);
/* Make instance i replicate from `source` in `mode`. */
void repl_attach(struct rdsim_cluster *c, size_t i, int source, enum repl_mode mode);
/* Stop replicating into i; unapplied batches are dropped (returns how many
 * writes they held). */
uint64_t repl_detach(struct rdsim_cluster *c, size_t i);
/* Ship the writer's committed writes now: a tick, or (mirrored) the tail a
 * failed Multi-AZ writer had already mirrored to its standbys. */
void repl_ship(struct rdsim_cluster *c, bool mirrored);
/* Target i is reachable again: resume applying, after a resynchronisation
 * (a copy of its source) if it missed batches meanwhile. */
void repl_resume(struct rdsim_cluster *c, size_t i);
/* How long until i has applied everything it was sent, at its apply rate
 * and with any replica-lag delay in force. */
rdsim_time_t repl_backlog_time(const struct rdsim_cluster *c, size_t i);
/* Writes in the batches i was sent and has not applied. */
uint64_t repl_queued_writes(const struct rdsim_cluster *c, size_t i);
/* Apply everything i was sent, now (a promotion that waited for it). */
void repl_drain(struct rdsim_cluster *c, size_t i);
/* How stale i's data is: age of the oldest write its source committed that
 * it lacks, shipped or not (the stale-read check's figure). */
rdsim_time_t repl_staleness(const struct rdsim_cluster *c, size_t i);
/* Lag of i now (docs/outputs.md): age of the oldest shipped change of its
 * source it has not applied; 0 when in sync; -1 without a live source. */
rdsim_time_t repl_lag(const struct rdsim_cluster *c, size_t i);
/* Fold i's lag now into its interval maximum: call before anything lowers
 * it or takes its source away. */
void repl_note_lag(struct rdsim_cluster *c, size_t i);
/* Instance `source` is about to be cut off: note its targets' lag. */
void repl_source_cut(struct rdsim_cluster *c, size_t source);
/* End of a sample interval: i's maximum lag in it (-1: none), added to its
 * histogram; the next interval starts. */
rdsim_time_t repl_lag_sample(struct rdsim_cluster *c, size_t i);
/* Start the replication tick. */
int repl_start(struct rdsim_cluster *c, struct rdsim_err *err);
void repl_free(struct rdsim_cluster *c);

#endif
