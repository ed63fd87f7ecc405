/*
 * stats.h - what the clients saw, accumulated as the run goes.
 *
 * Operations are counted once each (their retries belong to them), per
 * endpoint and kind, both for the whole run and for the current sample
 * interval; latencies go into fixed-size histograms, so memory does not grow
 * with the simulated duration. Writer-downtime episodes open at a fault that
 * takes the writer away and close at the first write, sent after the fault,
 * that a client sees succeed; each also notes when every client wrote again.
 *
 * Uptime (docs/outputs.md): simulated time is cut into slots of
 * RDSIM_STATS_SLOT. A slot of an endpoint is down when, for some kind of
 * operation the endpoint serves, first attempts were sent in it and none of
 * them succeeded; a slot in which no first attempt of that kind was sent
 * keeps the kind's previous state. A first attempt's outcome is known at
 * most `horizon` after it was sent, so only that window of slots is kept (a
 * ring), and memory does not grow with the duration.
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
    /* Latency of every operation, ns: a success when its answer came, a
     * failure when the client gave up on it. */
    struct rdsim_hist lat;
    struct rdsim_hist ok_lat; /* latency of the successful operations alone */
};

struct rdsim_episode {
    rdsim_time_t start;
    enum rdsim_failover_cause cause;
    bool closed;
    rdsim_time_t end;      /* first successful write seen by a client */
    /* Per client, its first successful write sent after start (-1: none
     * yet); recording stops when the next episode opens. */
    rdsim_time_t *client_back;
    size_t n_back;         /* clients with client_back set */
};

#define RDSIM_STATS_SLOT (100 * RDSIM_MS) /* uptime's time resolution */
enum { RDSIM_STATS_MAX_WINDOWS = 64 };    /* down windows kept per endpoint */

struct rdsim_window {
    rdsim_time_t from, to;
};

/* First attempts of one uptime slot, per endpoint and kind. */
struct rdsim_slot {
    uint32_t ok[RDSIM_STATS_EP][RDSIM_STATS_KIND], failed[RDSIM_STATS_EP][RDSIM_STATS_KIND];
};

struct rdsim_uptime {
    struct rdsim_slot *ring;     /* NULL until rdsim_stats_uptime_init */
    size_t n_ring;
    int64_t next;                /* first slot not yet decided */
    rdsim_time_t horizon;
    bool down[RDSIM_STATS_EP][RDSIM_STATS_KIND]; /* carried over empty slots */
    rdsim_time_t unavailable[RDSIM_STATS_EP];
    /* The down windows (adjacent slots merged), for the plots; the first
     * RDSIM_STATS_MAX_WINDOWS only, `more_windows` when there were others. */
    struct rdsim_window windows[RDSIM_STATS_EP][RDSIM_STATS_MAX_WINDOWS];
    size_t n_windows[RDSIM_STATS_EP];
    bool more_windows[RDSIM_STATS_EP];
};

struct rdsim_stale {
    uint64_t reads, stale;
    rdsim_time_t max_staleness;
};

/* One Region's clients (workload.regions): their operations, latency over
 * every operation as in rdsim_counts.lat, and their reads' staleness. */
struct rdsim_region_counts {
    uint64_t ok, failed;
    struct rdsim_hist lat;
};

struct rdsim_region_stats {
    struct rdsim_region_counts op[RDSIM_STATS_KIND];
    uint64_t reads, stale;   /* reads served, of which stale */
};

struct rdsim_stats {
    struct rdsim_counts total[RDSIM_STATS_EP][RDSIM_STATS_KIND];
    struct rdsim_counts interval[RDSIM_STATS_EP][RDSIM_STATS_KIND];
    bool used[RDSIM_STATS_EP][RDSIM_STATS_KIND]; /* combinations the workload sends */
    struct rdsim_stale stale;
    struct rdsim_episode *episodes;
    size_t n_episodes, cap_episodes;
    size_t n_clients;            /* for the episodes' client_back */
    struct rdsim_uptime up;
    /* Per topology Region, NULL unless rdsim_stats_regions_init ran. */
    struct rdsim_region_stats *regions;
    size_t n_regions;
};

/* Allocate zeroed stats (the histograms make it large: keep it on the heap). */
int rdsim_stats_create(struct rdsim_stats **out, struct rdsim_err *err);
void rdsim_stats_destroy(struct rdsim_stats *s);

/* An operation succeeded `latency` after it arrived; one was given up on
 * `latency` after it arrived. */
void rdsim_stats_op_ok(struct rdsim_stats *s, enum rdsim_endpoint ep, enum rdsim_op_kind kind,
                       rdsim_time_t latency);
void rdsim_stats_op_failed(struct rdsim_stats *s, enum rdsim_endpoint ep,
                           enum rdsim_op_kind kind, rdsim_time_t latency);
void rdsim_stats_attempt_error(struct rdsim_stats *s, enum rdsim_endpoint ep,
                               enum rdsim_op_kind kind);

/*
 * Keep uptime: `horizon` bounds how long after it was sent a first attempt's
 * outcome is known (the client's timeout and a margin); `n_clients` is how
 * many clients the episodes follow. Returns 0 or RDSIM_ENOMEM. Without it,
 * rdsim_stats_first_attempt does nothing.
 */
int rdsim_stats_uptime_init(struct rdsim_stats *s, rdsim_time_t horizon, size_t n_clients,
                            struct rdsim_err *err);
/* The first attempt of an operation sent at `sent` succeeded (or not); the
 * client learnt it at `now` (sent <= now <= sent + horizon). */
void rdsim_stats_first_attempt(struct rdsim_stats *s, enum rdsim_endpoint ep,
                               enum rdsim_op_kind kind, rdsim_time_t sent, bool ok,
                               rdsim_time_t now);
/* Decide every slot before `end` (the end of the run): first attempts still
 * unanswered then count for nothing. */
void rdsim_stats_uptime_finish(struct rdsim_stats *s, rdsim_time_t end);

/* The workload sends operations of `kind` to endpoint `ep` (they get
 * time-series columns). */
void rdsim_stats_use(struct rdsim_stats *s, enum rdsim_endpoint ep,
                     enum rdsim_op_kind kind);
/* A read was served; a read was stale by `staleness`. */
void rdsim_stats_read_served(struct rdsim_stats *s);
void rdsim_stats_stale_read(struct rdsim_stats *s, rdsim_time_t staleness);

/* Keep figures for the clients of each of `n` Regions (indices of the
 * topology's regions). Returns 0 or RDSIM_ENOMEM. */
int rdsim_stats_regions_init(struct rdsim_stats *s, size_t n, struct rdsim_err *err);
/* An operation of a client in `region` succeeded (or was given up on)
 * `latency` after it arrived. Does nothing without rdsim_stats_regions_init. */
void rdsim_stats_region_op(struct rdsim_stats *s, size_t region, enum rdsim_op_kind kind,
                           bool ok, rdsim_time_t latency);
/* A read of a client in `region` was served, stale or not. */
void rdsim_stats_region_read(struct rdsim_stats *s, size_t region, bool stale);

/* A fault took the writer away at t. */
int rdsim_stats_writer_down(struct rdsim_stats *s, rdsim_time_t t,
                            enum rdsim_failover_cause cause);
/* Client `client` saw a write succeed at `t` that it had sent at `sent`. */
void rdsim_stats_write_ok(struct rdsim_stats *s, size_t client, rdsim_time_t sent,
                          rdsim_time_t t);

/* Start a new sample interval. */
void rdsim_stats_interval_reset(struct rdsim_stats *s);

/* Downtime of an episode, using `end_of_run` for one still open. */
rdsim_time_t rdsim_episode_downtime(const struct rdsim_episode *e, rdsim_time_t end_of_run);

#endif
