/*
 * sim.h - the discrete-event engine: simulated clock and event queue.
 *
 * Simulated time is an int64_t count of nanoseconds (rdsim_time_t). It only
 * moves forward, and only when rdsim_sim_run_until() pops an event. Events
 * with equal times run in the order they were scheduled: the queue is ordered
 * by (time, sequence number), never by heap internals, so a run is a pure
 * function of its inputs.
 *
 * The engine knows nothing of databases or clusters. A callback receives an
 * opaque context (owned by the caller, who must keep it alive until the event
 * runs or is cancelled) and a 64-bit argument, normally an id or slot index,
 * so events never hold pointers to objects a failover could free.
 *
 * There is no global state: each struct rdsim_sim is independent.
 */
#ifndef RDSIM_SIM_H
#define RDSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "rdsim/err.h"

typedef int64_t rdsim_time_t;

#define RDSIM_NS ((rdsim_time_t)1)
#define RDSIM_US ((rdsim_time_t)1000)
#define RDSIM_MS ((rdsim_time_t)1000000)
#define RDSIM_S ((rdsim_time_t)1000000000)
#define RDSIM_TIME_MAX INT64_MAX

struct rdsim_sim;

/* A scheduled event; 0 is never a valid handle. */
typedef uint64_t rdsim_event_id;

typedef void (*rdsim_event_fn)(struct rdsim_sim *sim, void *ctx, uint64_t arg);

/* Create an empty simulation at time 0. */
int rdsim_sim_create(struct rdsim_sim **out, struct rdsim_err *err);
/* Free the simulation and every pending event; NULL does nothing. */
void rdsim_sim_destroy(struct rdsim_sim *sim);

/* Current simulated time. */
rdsim_time_t rdsim_sim_now(const struct rdsim_sim *sim);

/*
 * Schedule fn(sim, ctx, arg) at absolute time `at` (clamped to now if in the
 * past). Returns the event's handle, or 0 when memory ran out.
 */
rdsim_event_id rdsim_sim_schedule(struct rdsim_sim *sim, rdsim_time_t at, rdsim_event_fn fn,
                                  void *ctx, uint64_t arg);

/* Schedule `delay` ns from now. */
rdsim_event_id rdsim_sim_after(struct rdsim_sim *sim, rdsim_time_t delay, rdsim_event_fn fn,
                               void *ctx, uint64_t arg);

/*
 * Cancel a pending event. Returns true if it was pending, false if it has
 * already run, was already cancelled, or the handle is 0.
 */
bool rdsim_sim_cancel(struct rdsim_sim *sim, rdsim_event_id id);

/*
 * Run events in (time, sequence) order while their time is <= `until`, then
 * set the clock to `until`. Returns the number of events run. Stops early
 * (leaving the clock at the last event) if rdsim_sim_stop() was called, or
 * when the simulation failed (see rdsim_sim_fail below): it then runs
 * nothing more.
 */
uint64_t rdsim_sim_run_until(struct rdsim_sim *sim, rdsim_time_t until);

/*
 * The one error slot for failures inside events. An event that cannot go
 * on (out of memory, SQLite failed) calls rdsim_sim_fail or rdsim_sim_failf:
 * the first error is kept, later ones are dropped, and run_until returns
 * after the current event and runs nothing more, for good. The queue fails
 * the same way when it runs out of memory reordering itself (and drops the
 * events pending, which would never run). Whoever drives
 * the simulation polls rdsim_sim_error after each run_until.
 */
void rdsim_sim_fail(struct rdsim_sim *sim, const struct rdsim_err *err);
/* As rdsim_sim_fail with a printf-style message; returns code. */
int rdsim_sim_failf(struct rdsim_sim *sim, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first failure, or NULL while there is none. */
const struct rdsim_err *rdsim_sim_error(const struct rdsim_sim *sim);
/* True once the simulation has failed. */
bool rdsim_sim_failed(const struct rdsim_sim *sim);

/* Ask run_until to return after the current event. */
void rdsim_sim_stop(struct rdsim_sim *sim);

/* Time of the earliest pending event, RDSIM_TIME_MAX when none is (live
 * mode picks an injection time no other event shares). */
rdsim_time_t rdsim_sim_next_time(const struct rdsim_sim *sim);

/* Number of events pending, and run so far (for benchmarks). */
uint64_t rdsim_sim_pending(const struct rdsim_sim *sim);
uint64_t rdsim_sim_events_run(const struct rdsim_sim *sim);

#endif
