/*
 * live.c - rdsim serve: one run paced against the wall clock in one libevent
 * loop that also serves the dashboard, the JSON API, server-sent events and
 * the SQL console (docs/live.md lists every endpoint). This file holds the
 * server's life (create, loop, destroy) and the pacing; http.c the
 * connections, replies and the route table; api.c the endpoints' handlers;
 * state.c what the run reports and the state JSON; console.c the SQL
 * console; session.c the session file.
 *
 * Pacing: a 50 ms timer maps wall time to simulated time (sim = base_sim +
 * (wall - base_wall) x speed, rebased at every pause, resume or speed
 * change) and advances the run towards it one sample interval at a time,
 * yielding to HTTP after 100 ms of work, so a slow build lags behind the
 * wall clock instead of freezing the page. HTTP handlers run between steps.
 *
 * Nothing here changes the simulation except rdsim_run_inject (recorded for
 * the session) and the SQL console's writes (data only). Endpoint look-ups
 * and the console's simulated latency draw from this module's own random
 * stream, so serving requests never perturbs the run: a saved session
 * replays to the same failovers.
 *
 * Limits (docs/live.md lists them with what a client sees):
 *  - connections are counted when accepted (evhttp hands each one a
 *    bufferevent made by new_bev, which is how this file learns of it before
 *    any byte arrives): past max_connections a connection's first request
 *    gets 503 and it is closed; past that plus REFUSED_SLACK, or past what
 *    the open-file limit leaves, it is closed at once. accept() failing
 *    (descriptors exhausted by others) pauses the listener for a second and
 *    is logged once per episode instead of spinning;
 *  - event streams have their own budget (max_streams), so idle dashboards
 *    never lock requests out, and a stream whose writes make no progress
 *    for timeout_s is closed (the bufferevent's write timeout);
 *  - a request must arrive whole within timeout_s of the connection
 *    waiting for it (slow senders and idle keep-alive connections alike);
 *  - request bodies (413 past max_body); SQL: time (SQL_MAX_MS of wall
 *    clock per statement), steps, rows and the console's own limits
 *    (rdsim/db.h).
 * Every error reply of rdsim's is JSON {"error": "..."}.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "rdsim/asset.h"
#include "rdsim/cluster.h"
#include "rdsim/db.h"
#include "rdsim/report.h"
#include "rdsim/rng.h"
#include "rdsim/workload.h"

#include "live_impl.h"

/* Every live server of the process. libevent calls a listener's error
 * callback with the listener's own argument, which evhttp set to its
 * struct evhttp; this list maps that back to the server (one thread, like
 * the rest; any number of servers side by side). */
static struct rdsim_live *servers;

struct rdsim_live *live_server_of(const struct evhttp *http)
{
    struct rdsim_live *lv = servers;

    while (lv && lv->http != http)
        lv = lv->next_server;
    return lv;
}

double live_wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double live_secs(rdsim_time_t t)
{
    return (double)t / RDSIM_S;
}

/* ---- pacing --------------------------------------------------------------- */

void live_rebase(struct rdsim_live *lv)
{
    lv->base_wall = live_wall_now();
    lv->base_sim = rdsim_run_now(lv->run);
}

static void finish(struct rdsim_live *lv)
{
    struct rdsim_err err = {0};
    int rc = rdsim_run_finish(lv->run, &lv->results, &err);

    if (rc) {
        lv->run_error = err;
        return;
    }
    if (lv->cfg.on_finish)
        lv->cfg.on_finish(lv->cfg.ctx, lv->results);
}

void live_step(struct rdsim_live *lv)
{
    const struct rdsim_scenario *sc = lv->cfg.scenario;
    double start = live_wall_now();
    rdsim_time_t target;
    struct rdsim_err err = {0};

    if (lv->paused || rdsim_run_is_finished(lv->run) || lv->run_error.code)
        return;
    target = lv->base_sim + (rdsim_time_t)((start - lv->base_wall) * lv->speed * (double)RDSIM_S);
    if (target > sc->duration)
        target = sc->duration;
    while (rdsim_run_now(lv->run) < target) {
        rdsim_time_t next = rdsim_run_now(lv->run) + sc->sample_interval;
        if (rdsim_run_advance(lv->run, next < target ? next : target, &err) != 0) {
            lv->run_error = err;
            lv->dirty = true;
            return;
        }
        lv->dirty = true;
        if (live_wall_now() - start > 0.1)
            break; /* serve HTTP; catch up on the next tick */
    }
    if (rdsim_run_now(lv->run) >= sc->duration) {
        finish(lv);
        lv->dirty = true;
    }
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct rdsim_live *lv = arg;
    (void)fd;
    (void)what;

    live_step(lv);
    live_close_late(lv);
    if (lv->dirty && live_wall_now() - lv->last_state_wall >= STATE_EVERY_S)
        live_send_state(lv);
    if (live_wall_now() - lv->last_keepalive_wall >= KEEPALIVE_S) {
        lv->last_keepalive_wall = live_wall_now();
        for (struct conn *c = lv->conns, *next; c; c = next) {
            struct evbuffer *buf = c->stream ? evbuffer_new() : NULL;
            next = c->next;
            if (!buf)
                continue;
            evbuffer_add_printf(buf, ": keepalive\n\n");
            evhttp_send_reply_chunk(c->stream, buf);
            evbuffer_free(buf);
        }
    }
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
    struct rdsim_live *lv = arg;
    (void)fd;
    (void)what;

    event_base_loopexit(lv->base, NULL);
}

/* ---- lifecycle ------------------------------------------------------------ */

/* Resolve the listen address as evhttp will, so that a bad one is named with
 * the resolver's reason (evhttp leaves errno alone and says nothing). */
static int check_address(const char *bind, int port, struct rdsim_err *err)
{
    struct evutil_addrinfo hints = {0}, *ai = NULL;
    char serv[16];
    int rc;

    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
    snprintf(serv, sizeof(serv), "%d", port);
    rc = evutil_getaddrinfo(bind, serv, &hints, &ai);
    if (ai)
        evutil_freeaddrinfo(ai);
    if (rc != 0)
        return rdsim_err_set(err, RDSIM_EINVAL, "cannot listen on %s: not an address (%s)",
                             bind, evutil_gai_strerror(rc));
    return 0;
}

/* How many connections may be open at once: the limits plus the refused
 * ones being told so, within what the open-file limit leaves after
 * FD_RESERVE (the results, the session file and gnuplot need a few). */
static void set_hard_cap(struct rdsim_live *lv)
{
    struct rlimit rl;
    int want = lv->cfg.max_connections + lv->cfg.max_streams + REFUSED_SLACK;

    lv->hard_cap = want;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= (rlim_t)want + FD_RESERVE)
        return;
    lv->hard_cap = rl.rlim_cur > FD_RESERVE + 4 ? (int)(rl.rlim_cur - FD_RESERVE) : 4;
    live_log_line(lv, "the open-file limit (%llu) allows %d connections at once (ulimit -n raises it)",
             (unsigned long long)rl.rlim_cur, lv->hard_cap);
}

int rdsim_live_create(const struct rdsim_live_config *cfg, struct rdsim_live **out,
                      struct rdsim_err *err)
{
    struct rdsim_live *lv;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    struct timeval tv = {0, TICK_MS * 1000};
    int rc;

    *out = NULL;
    if (!(cfg->speed > 0) || cfg->speed > MAX_SPEED)
        return rdsim_err_set(err, RDSIM_EINVAL, "speed must be above 0 and at most %g",
                             MAX_SPEED);
    if (cfg->port < 0 || cfg->port > 65535)
        return rdsim_err_set(err, RDSIM_EINVAL, "port must be 0..65535, got %d", cfg->port);
    lv = calloc(1, sizeof(*lv));
    if (!lv)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    lv->cfg = *cfg;
    if (!lv->cfg.bind)
        lv->cfg.bind = "127.0.0.1";
    if (!lv->cfg.max_body)
        lv->cfg.max_body = 64 * 1024;
    if (lv->cfg.max_connections <= 0)
        lv->cfg.max_connections = 64;
    if (lv->cfg.max_streams <= 0)
        lv->cfg.max_streams = 64;
    if (lv->cfg.timeout_s <= 0)
        lv->cfg.timeout_s = 30;
    lv->speed = cfg->speed;
    lv->paused = cfg->paused;
    lv->sql_credit = SQL_SHARE * SQL_WINDOW_S;
    lv->sql_credit_wall = live_wall_now();
    rdsim_rng_init(&lv->rng, cfg->scenario->seed, "live");
    lv->rows = json_array();
    lv->events = json_array();
    if (!lv->rows || !lv->events) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto fail;
    }

    rc = rdsim_run_create(cfg->scenario,
                          &(struct rdsim_run_options){.out_dir = cfg->out_dir,
                                                      .on_event = live_on_event,
                                                      .on_sample = live_on_sample,
                                                      .live_ctx = lv},
                          &lv->run, err);
    if (rc)
        goto fail;
    lv->columns = live_split_header(rdsim_run_columns(lv->run));

    lv->base = event_base_new();
    lv->http = lv->base ? evhttp_new(lv->base) : NULL;
    if (!lv->columns || !lv->http) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto fail;
    }
    /* libevent's own 413 (HTML) only far past the limit; up to that the
     * handler answers in JSON. */
    evhttp_set_max_body_size(lv->http, (ev_ssize_t)lv->cfg.max_body * 16);
    evhttp_set_max_headers_size(lv->http, 16 * 1024);
    evhttp_set_timeout(lv->http, lv->cfg.timeout_s);
    evhttp_set_gencb(lv->http, live_handle, lv);
    evhttp_set_bevcb(lv->http, live_new_bev, lv);
    rc = check_address(lv->cfg.bind, cfg->port, err);
    if (rc)
        goto fail;
    errno = 0;
    lv->sock = evhttp_bind_socket_with_handle(lv->http, lv->cfg.bind, (ev_uint16_t)cfg->port);
    if (!lv->sock) {
        rc = rdsim_err_set(err, RDSIM_EIO, "cannot listen on %s port %d: %s", lv->cfg.bind,
                           cfg->port, errno ? strerror(errno) : "the address cannot be bound");
        goto fail;
    }
    if (getsockname(evhttp_bound_socket_get_fd(lv->sock), (struct sockaddr *)&ss, &sl) == 0)
        lv->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                            : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    set_hard_cap(lv);
    lv->next_server = servers;
    servers = lv;
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(lv->sock), live_on_accept_error);
    lv->adopt = event_new(lv->base, -1, 0, live_on_adopt, lv);
    lv->accept_retry = evtimer_new(lv->base, live_on_accept_retry, lv);
    lv->tick = event_new(lv->base, -1, EV_PERSIST, on_tick, lv);
    lv->sigint = evsignal_new(lv->base, SIGINT, on_signal, lv);
    lv->sigterm = evsignal_new(lv->base, SIGTERM, on_signal, lv);
    if (!lv->adopt || !lv->accept_retry || !lv->tick || !lv->sigint || !lv->sigterm ||
        event_add(lv->tick, &tv) != 0) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto fail;
    }
    live_rebase(lv);
    *out = lv;
    return 0;
fail:
    rdsim_live_destroy(lv);
    return rc;
}

int rdsim_live_port(const struct rdsim_live *lv)
{
    return lv->port;
}

int rdsim_live_loop(struct rdsim_live *lv, struct rdsim_err *err)
{
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);

    evsignal_add(lv->sigint, NULL);
    evsignal_add(lv->sigterm, NULL);
    live_rebase(lv);
    event_base_dispatch(lv->base);
    evsignal_del(lv->sigint);
    evsignal_del(lv->sigterm);
    signal(SIGPIPE, old_pipe);
    if (lv->run_error.code)
        return rdsim_err_set(err, lv->run_error.code, "%s", lv->run_error.msg);
    return 0;
}

int rdsim_live_session(const struct rdsim_live *lv, char **text, size_t *len,
                       struct rdsim_err *err)
{
    return rdsim_live_session_yaml(lv->cfg.scenario_text, lv->cfg.scenario_len, lv->recs,
                                   lv->n_recs, text, len, err);
}

void rdsim_live_destroy(struct rdsim_live *lv)
{
    if (!lv)
        return;
    for (struct rdsim_live **p = &servers; *p; p = &(*p)->next_server) {
        if (*p == lv) {
            *p = lv->next_server;
            break;
        }
    }
    /* Closing connections calls live_conn_closed, which needs lv. */
    if (lv->http)
        evhttp_free(lv->http);
    while (lv->conns)
        live_conn_forget(lv->conns); /* accepted, never adopted */
    if (lv->adopt)
        event_free(lv->adopt);
    if (lv->accept_retry)
        event_free(lv->accept_retry);
    if (lv->tick)
        event_free(lv->tick);
    if (lv->sigint)
        event_free(lv->sigint);
    if (lv->sigterm)
        event_free(lv->sigterm);
    if (lv->base)
        event_base_free(lv->base);
    rdsim_run_destroy(lv->run);
    rdsim_results_free(lv->results);
    for (size_t k = 0; k < lv->n_recs; k++)
        json_decref(lv->recs[k].request);
    free(lv->recs);
    json_decref(lv->columns);
    json_decref(lv->rows);
    json_decref(lv->events);
    free(lv);
}
