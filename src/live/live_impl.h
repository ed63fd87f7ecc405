/*
 * live_impl.h - what live.c (the server) and session.c (the session file)
 * share. Nothing outside src/live includes it.
 */
#ifndef RDSIM_LIVE_IMPL_H
#define RDSIM_LIVE_IMPL_H

#include <jansson.h>

#include "rdsim/live.h"

/* One accepted injection: its simulated time and the request as accepted
 * (a JSON object of strings, integers and booleans; owned). */
struct live_record {
    rdsim_time_t at;
    json_t *request;
};

/* The scenario text with recs appended to its events (session.c). *out is
 * the caller's to free(). */
int rdsim_live_session_yaml(const char *text, size_t len, const struct live_record *recs,
                            size_t n, char **out, size_t *out_len, struct rdsim_err *err);

#endif
