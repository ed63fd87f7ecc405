/*
 * cluster_impl.h - the cluster's internals, shared by cluster.c and the
 * deployments (single_az.c, and the Multi-AZ and Aurora ones to come).
 *
 * A deployment is a table of callbacks (struct rdsim_deployment_ops): the
 * generic fault machinery in cluster.c changes health and then asks the
 * deployment what follows (recover in place, fail over, promote). Nothing
 * outside src/cluster includes this header.
 */
#ifndef RDSIM_CLUSTER_IMPL_H
#define RDSIM_CLUSTER_IMPL_H

#include "rdsim/cluster.h"

struct rdsim_instance {
    const struct rdsim_instance_cfg *cfg;
    const struct rdsim_instance_class *cls;
    enum rdsim_role role;
    size_t az;               /* global AZ index (cluster.az_names) */
    size_t region;
    struct rdsim_db *db;
    rdsim_time_t *free_at;   /* per vCPU: when it finishes its queued work */
    int vcpus;
    uint32_t epoch;          /* bumped whenever work in flight is lost */
    bool host_down;          /* instance-failure: the host is dead */
    bool starting;           /* engine (re)starting: connections refused */
    rdsim_event_id recovery; /* pending recovery step, 0 if none */
};

struct rdsim_cluster;

struct rdsim_deployment_ops {
    const char *name;
    /* Check what this deployment can simulate; 0 or RDSIM_EINVAL. */
    int (*validate)(struct rdsim_cluster *c, struct rdsim_err *err);
    /* Instance i stopped serving because of `cause`; `heals` is true when
     * the fault has a `for:` and will end by itself. */
    void (*instance_lost)(struct rdsim_cluster *c, size_t i, const char *cause, bool heals);
    /* Instance i serves again. */
    void (*instance_back)(struct rdsim_cluster *c, size_t i);
    /* A reboot event (failover: true asks for a failover where there is a
     * standby). */
    void (*reboot)(struct rdsim_cluster *c, size_t i, bool failover);
    /* The writer's changeset for one replication tick; takes ownership. */
    void (*ship)(struct rdsim_cluster *c, struct rdsim_changeset *cs);
};

extern const struct rdsim_deployment_ops rdsim_single_az_ops;

struct rdsim_cluster {
    struct rdsim_sim *sim;
    const struct rdsim_scenario *sc;
    const struct rdsim_deployment_ops *ops;
    struct rdsim_cluster_observer obs;

    struct rdsim_instance *inst;
    size_t n_inst;
    size_t writer;

    const char **az_names;   /* every AZ of the topology, region order */
    size_t *az_region;
    int *az_out;             /* outages in force per AZ (they may overlap) */
    size_t n_az;
    size_t client_az0, n_client_az; /* clients: the initial writer region's AZs */

    struct rdsim_rng rng_net, rng_service, rng_faults;
    struct rdsim_err error;  /* first error raised inside an event */
};

/* Health helpers shared by deployments. */
bool rdsim_instance_reachable(const struct rdsim_cluster *c, size_t i);
/* Drop everything in flight on instance i (crash or restart). */
void rdsim_instance_reset(struct rdsim_cluster *c, size_t i);
/* Log a timeline entry through the observer. */
void rdsim_cluster_log(struct rdsim_cluster *c, const char *kind, const char *subject,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Start the engine on instance i: refuse connections for `recovery`, then
 * call instance_back. Cancels any recovery step already pending. */
void rdsim_instance_start(struct rdsim_cluster *c, size_t i, rdsim_time_t recovery,
                          const char *why);
/* Draw from a scenario range. */
rdsim_time_t rdsim_cluster_draw(struct rdsim_cluster *c, struct rdsim_range r);

#endif
