/*
 * workload.h - the application: Poisson request arrivals and the clients
 * that send them, time out, back off, retry and give up.
 *
 * Each operation (one read or one write) lives from its arrival until it
 * succeeds or gives up; its attempts go through the endpoint to whichever
 * instance the cluster routes them to. Operations in flight are bounded by
 * rate x give_up_after, never by the simulated duration. Writes carry a
 * unique op id; the position the database gives each applied write is
 * recorded in the ack log once the client sees the acknowledgement.
 * With workload.regions the clients live in several Regions: reads go to a
 * replica in the client's own Region when one serves reads there, and the
 * figures are also kept per Region (rdsim_stats_region_*).
 */
#ifndef RDSIM_WORKLOAD_H
#define RDSIM_WORKLOAD_H

#include <stdint.h>

#include "rdsim/acklog.h"
#include "rdsim/cluster.h"
#include "rdsim/err.h"
#include "rdsim/scenario.h"
#include "rdsim/sim.h"
#include "rdsim/stats.h"

struct rdsim_workload;

struct rdsim_workload_config {
    const struct rdsim_scenario *scenario;
    uint64_t seed;
    struct rdsim_cluster *cluster; /* not owned */
    struct rdsim_stats *stats;     /* not owned */
    /* Called on every rate change (load events), for the timeline. */
    void (*log)(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                const char *detail);
    void *log_ctx;
};

int rdsim_workload_create(struct rdsim_sim *sim, const struct rdsim_workload_config *cfg,
                          struct rdsim_workload **out, struct rdsim_err *err);
void rdsim_workload_destroy(struct rdsim_workload *w);

/* Schedule the first arrivals and the scenario's load events. */
int rdsim_workload_start(struct rdsim_workload *w, struct rdsim_err *err);

struct rdsim_acklog *rdsim_workload_acklog(struct rdsim_workload *w);
/* Operations issued so far, and still unresolved. */
uint64_t rdsim_workload_issued(const struct rdsim_workload *w);
uint64_t rdsim_workload_in_flight(const struct rdsim_workload *w);
/* Current rates, per second (for the time series). */
double rdsim_workload_rate(const struct rdsim_workload *w, enum rdsim_op_kind kind);
/* Live mode: a `load` event acts now (other actions are ignored); `ev` is
 * not kept. */
void rdsim_workload_inject(struct rdsim_workload *w, const struct rdsim_event_cfg *ev);

#endif
