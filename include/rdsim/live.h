/*
 * live.h - live workshop mode: one run paced against the wall clock, served
 * over HTTP with a dashboard, a JSON API, server-sent events and a SQL
 * console (rdsim serve; docs/live.md).
 *
 * The simulation stays in simulated time (rdsim/run.h): this module alone
 * reads the wall clock and maps it to simulated time at `speed` simulated
 * seconds per wall second, with pause and resume. Everything runs in one
 * libevent loop on one thread: HTTP requests are handled between simulation
 * steps, so what a request sees is always a consistent instant.
 *
 * Injected actions are recorded with their simulated times; the session
 * (rdsim_live_session) is the scenario file plus those events, and
 * `rdsim run` on it replays the same failovers. Statements run through the
 * SQL console are not part of the session: a large console write costs the
 * replicas apply time, so a replay without it can differ (docs/live.md).
 *
 * libevent is an implementation detail: no event2/ type crosses this header.
 */
#ifndef RDSIM_LIVE_H
#define RDSIM_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdsim/err.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

struct rdsim_live;

struct rdsim_live_config {
    const struct rdsim_scenario *scenario; /* not owned; outlives the server */
    const char *scenario_text;  /* the scenario file's bytes (for the session) */
    size_t scenario_len;
    const char *out_dir;        /* the run's CSV files go there; NULL: none */
    const char *bind;           /* address to listen on; NULL: 127.0.0.1 */
    int port;                   /* 0: any free port (rdsim_live_port tells) */
    double speed;               /* simulated seconds per wall second, > 0 */
    bool paused;                /* start paused */
    size_t max_body;            /* request body limit in bytes; 0: 64 KiB */
    int max_connections;        /* open connections besides event streams; 0: 64 */
    int max_streams;            /* open event streams; 0: 64 */
    /* A request must arrive whole within this of the connection waiting for
     * it, a write make progress within it, a stream drain within it; 0: 30 s */
    int timeout_s;
    /* Called once the run has reached its duration, with its results
     * (the caller writes the rest of out_dir from them); may be NULL. */
    void (*on_finish)(void *ctx, const struct rdsim_results *res);
    /* Called with a line worth telling the operator (accept() failing, the
     * open-file limit capping connections); may be NULL. */
    void (*on_log)(void *ctx, const char *msg);
    void *ctx;
};

/*
 * Create the run and bind the listening socket (nothing is served until
 * rdsim_live_loop). Returns 0; RDSIM_EINVAL for a bad address, speed or
 * scenario; RDSIM_EIO when the port cannot be bound; what rdsim_run_create
 * returns.
 */
int rdsim_live_create(const struct rdsim_live_config *cfg, struct rdsim_live **out,
                      struct rdsim_err *err);
/* Stop serving and free everything; NULL does nothing. */
void rdsim_live_destroy(struct rdsim_live *lv);

/* The port actually bound (useful with port 0). */
int rdsim_live_port(const struct rdsim_live *lv);

/*
 * Serve and advance the simulation until SIGINT or SIGTERM (SIGPIPE is
 * ignored meanwhile). Returns 0, or the error that stopped the simulation
 * (the server then keeps serving what it had until the signal, and this
 * returns that error).
 */
int rdsim_live_loop(struct rdsim_live *lv, struct rdsim_err *err);

/*
 * The session as a scenario file: the scenario's YAML with every injected
 * action appended to `events:` at its simulated time. *text is owned by the
 * caller (free()). Returns 0, RDSIM_EINVAL when the scenario text does not
 * parse, RDSIM_ENOMEM.
 */
int rdsim_live_session(const struct rdsim_live *lv, char **text, size_t *len,
                       struct rdsim_err *err);

#endif
