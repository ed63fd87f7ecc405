/*
 * stats.h - what the clients saw, accumulated as the run goes.
 *
 * Operations are counted once each (their retries belong to them), per
 * endpoint and kind, both for the whole run and for the current sample
 * interval; latencies go into fixed-size histograms, so memory does not grow
 * with the simulated duration. Writer-downtime episodes open at a fault that
 * takes the writer away and close at the first write, sent after the fault,
 * that a client sees succeed.
 */
#ifndef RDSIM_STATS_H
#define RDSIM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdsim/err.h"
#include "rdsim/failover.h"
#include "rdsim/histogram.h"
#include "rdsim/sim.h"

/* The endpoints clients use and the kinds of operation they send: here,
 * below the cluster and the workload, because the figures are kept per
 * endpoint and kind. */
enum rdsim_endpoint { RDSIM_EP_WRITER, RDSIM_EP_READER, RDSIM_EP_COUNT };
enum rdsim_op_kind { RDSIM_OP_READ, RDSIM_OP_WRITE, RDSIM_OP_KIND_COUNT };

enum { RDSIM_STATS_EP = RDSIM_EP_COUNT, RDSIM_STATS_KIND = RDSIM_OP_KIND_COUNT };

struct rdsim_counts {
    uint64_t ok, failed;   /* operations */
    uint64_t attempt_errors; /* attempts that failed (timeouts, refusals) */
    struct rdsim_hist lat; /* latency of successful operations, ns */
};

struct rdsim_episode {
    rdsim_time_t start;
    enum rdsim_failover_cause cause;
    bool closed;
    rdsim_time_t end;      /* first successful write seen by a client */
};

struct rdsim_stale {
    uint64_t reads, stale;
    rdsim_time_t max_staleness;
};

struct rdsim_stats {
    struct rdsim_counts total[RDSIM_STATS_EP][RDSIM_STATS_KIND];
    struct rdsim_counts interval[RDSIM_STATS_EP][RDSIM_STATS_KIND];
    bool used[RDSIM_STATS_EP][RDSIM_STATS_KIND]; /* combinations the workload sends */
    struct rdsim_stale stale;
    struct rdsim_episode *episodes;
    size_t n_episodes, cap_episodes;
};

/* Allocate zeroed stats (the histograms make it large: keep it on the heap). */
int rdsim_stats_create(struct rdsim_stats **out, struct rdsim_err *err);
void rdsim_stats_destroy(struct rdsim_stats *s);

void rdsim_stats_op_ok(struct rdsim_stats *s, enum rdsim_endpoint ep, enum rdsim_op_kind kind,
                       rdsim_time_t latency);
void rdsim_stats_op_failed(struct rdsim_stats *s, enum rdsim_endpoint ep,
                           enum rdsim_op_kind kind);
void rdsim_stats_attempt_error(struct rdsim_stats *s, enum rdsim_endpoint ep,
                               enum rdsim_op_kind kind);

/* The workload sends operations of `kind` to endpoint `ep` (they get
 * time-series columns). */
void rdsim_stats_use(struct rdsim_stats *s, enum rdsim_endpoint ep,
                     enum rdsim_op_kind kind);
/* A read was served; a read was stale by `staleness`. */
void rdsim_stats_read_served(struct rdsim_stats *s);
void rdsim_stats_stale_read(struct rdsim_stats *s, rdsim_time_t staleness);

/* A fault took the writer away at t. */
int rdsim_stats_writer_down(struct rdsim_stats *s, rdsim_time_t t,
                            enum rdsim_failover_cause cause);
/* A client saw a write succeed at `t` that it had sent at `sent`. */
void rdsim_stats_write_ok(struct rdsim_stats *s, rdsim_time_t sent, rdsim_time_t t);

/* Start a new sample interval. */
void rdsim_stats_interval_reset(struct rdsim_stats *s);

/* Downtime of an episode, using `end_of_run` for one still open. */
rdsim_time_t rdsim_episode_downtime(const struct rdsim_episode *e, rdsim_time_t end_of_run);

#endif
