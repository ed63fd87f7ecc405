/*
 * replay.h - rdsim serve --replay DIR: a finished results folder, played
 * again in the dashboard (docs/live.md, "Replay").
 *
 * The server reads DIR's summary.json, timeseries.csv, events.csv (and the
 * lesson text at the top of report.md, when there is one) once, and serves
 * the dashboard with the state at any simulated time the page asks for.
 * Nothing is simulated: every figure on the page is one of the folder's.
 */
#ifndef RDSIM_REPLAY_H
#define RDSIM_REPLAY_H

#include <stdbool.h>

#include "rdsim/err.h"

struct rdsim_replay;

struct rdsim_replay_config {
    const char *dir;  /* the results folder (rdsim run -o DIR); not owned */
    const char *bind; /* address to listen on; NULL: 127.0.0.1 */
    int port;         /* 0: any free port (rdsim_replay_port tells) */
};

/*
 * Read the folder and bind the socket. Returns 0; RDSIM_EINVAL when a file
 * is missing or not what rdsim writes (the message names the file and the
 * line), RDSIM_EIO when the port cannot be bound, RDSIM_ENOMEM.
 */
int rdsim_replay_create(const struct rdsim_replay_config *cfg, struct rdsim_replay **out,
                        struct rdsim_err *err);
/* The scenario's name, from summary.json. */
const char *rdsim_replay_name(const struct rdsim_replay *rp);
/* The port actually bound. */
int rdsim_replay_port(const struct rdsim_replay *rp);
/* Serve until SIGINT or SIGTERM. Returns 0 or RDSIM_EINTERNAL. */
int rdsim_replay_loop(struct rdsim_replay *rp, struct rdsim_err *err);
/* Free everything; NULL does nothing. */
void rdsim_replay_destroy(struct rdsim_replay *rp);

#endif
