/*
 * live_impl.h - what the files of live mode share: the server's struct, its
 * limits, and each file's functions for the others (live.c the life and
 * pacing, http.c connections and routes, api.c handlers, state.c the state
 * JSON, console.c the SQL console, session.c the session file). Nothing
 * outside src/live includes it.
 */
#ifndef RDSIM_LIVE_IMPL_H
#define RDSIM_LIVE_IMPL_H

#include <stdbool.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <jansson.h>

#include "rdsim/asset.h"
#include "rdsim/live.h"
#include "rdsim/rng.h"
#include "rdsim/run.h"

extern const struct rdsim_asset rdsim_web_assets[];

enum {
    MAX_ROWS = 3600,       /* time-series rows kept (the page keeps as many) */
    MAX_EVENTS = 20000,    /* timeline entries kept */
    MAX_SQL_ROWS = 1000,
    MAX_READERS = 128,
    STREAM_BACKLOG_MAX = 1024 * 1024, /* unsent bytes a stream client may hold up */
};
#define SQL_MAX_STEPS 50000000ULL
#define SQL_MAX_MS 250      /* wall time one console statement may take */
#define SQL_SHARE 0.5       /* of the wall clock the console may use, over */
#define SQL_WINDOW_S 1.0    /* about this long (so bursts of 0.5 s at most) */
#define STR_(x) #x
#define STR(x) STR_(x)
#define REFUSED_SLACK 16    /* connections past the limit kept to be told so */
#define FD_RESERVE 32       /* descriptors kept for results, the session, gnuplot */
#define ACCEPT_RETRY_S 1    /* listener pause after accept() fails */
#define ACCEPT_LOG_S 60     /* at most one "cannot accept" line this often */
#define TICK_MS 50
#define STATE_EVERY_S 0.25
#define MAX_SPEED 10000.0
#define KEEPALIVE_S 15.0


/* One accepted injection: its simulated time and the request as accepted
 * (a JSON object of strings, integers and booleans; owned). */
struct live_record {
    rdsim_time_t at;
    json_t *request;
};

/* One accepted connection, from accept to close. Until adopted (on_adopt,
 * right after evhttp has set it up) only its bufferevent is known, and this
 * file holds a reference on it so that it stays valid whatever evhttp does
 * meanwhile. */
struct conn {
    struct bufferevent *bev;
    struct evhttp_connection *evcon; /* NULL until adopted */
    struct evhttp_request *stream;   /* an open event stream, or NULL */
    struct rdsim_live *lv;
    struct conn *prev, *next;
    double deadline; /* wall time by which the awaited request must be whole; 0: none */
    double drained;  /* a stream: when its unsent data was last seen drained */
    bool refused;    /* over the limit: its first request gets 503, then close */
};

struct rdsim_live {
    struct rdsim_live_config cfg;
    struct rdsim_run *run;
    struct rdsim_results *results;
    struct rdsim_err run_error;      /* why the simulation stopped, if it failed */
    struct rdsim_rng rng;            /* this module's own stream */

    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *sock;
    struct event *tick, *sigint, *sigterm;
    int port;

    /* pacing */
    bool paused;
    double speed;
    double base_wall;
    rdsim_time_t base_sim;
    double last_state_wall;
    double last_keepalive_wall;
    bool dirty;                      /* something to tell the page */

    /* what the page reads */
    json_t *columns;                 /* array of column names */
    json_t *rows;                    /* array of arrays, oldest first */
    json_t *events;                  /* array of objects with seq */
    json_int_t next_seq;
    struct live_record *recs;
    size_t n_recs, cap_recs;

    double sql_credit;               /* console time (s) that may be spent now */
    double sql_credit_wall;          /* when it was last topped up */

    struct conn *conns;
    int n_open;                      /* accepted and not yet closed, streams included */
    int n_streams;
    int hard_cap;                    /* n_open past which a connection is closed at once */
    struct event *adopt;             /* adopts newly accepted connections */
    struct event *accept_retry;      /* re-enables the listener after accept() failed */
    unsigned long accept_failures;   /* accept() failures not yet told of */
    bool accept_failing;             /* told "cannot accept", not yet "again" */
    double accept_logged_wall;       /* when "cannot accept" was last told */
    struct rdsim_live *next_server;  /* in `servers` */
};



/* The scenario text with recs appended to its events (session.c). *out is
 * the caller's to free(). */
int rdsim_live_session_yaml(const char *text, size_t len, const struct live_record *recs,
                            size_t n, char **out, size_t *out_len, struct rdsim_err *err);

/* ---- live.c ---- */
void live_rebase(struct rdsim_live *lv);
double live_secs(rdsim_time_t t);
struct rdsim_live *live_server_of(const struct evhttp *http);
void live_step(struct rdsim_live *lv);
double live_wall_now(void);
/* ---- http.c ---- */
struct conn *live_adopt(struct conn *c, bool may_close);
void live_close_late(struct rdsim_live *lv);
void live_conn_closed(struct evhttp_connection *evcon, void *arg);
void live_conn_forget(struct conn *c);
void live_handle(struct evhttp_request *req, void *arg);
void live_log_line(struct rdsim_live *lv, const char *fmt, ...);
struct bufferevent *live_new_bev(struct event_base *base, void *arg);
void live_on_accept_error(struct evconnlistener *listener, void *arg);
void live_on_accept_retry(evutil_socket_t fd, short what, void *arg);
void live_on_adopt(evutil_socket_t fd, short what, void *arg);
void live_reply_error(struct evhttp_request *req, int code, const char *fmt, ...);
void live_reply_json(struct evhttp_request *req, int code, json_t *body);
/* ---- api.c: route handlers (http.c's table): `rest` follows the path ---- */
char *live_body_of(struct rdsim_live *lv, struct evhttp_request *req, size_t *len);
void live_get_events(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                     const char *rest);
void live_get_metrics(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                      const char *rest);
void live_get_session(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                      const char *rest);
void live_get_stream(struct rdsim_live *lv, struct evhttp_request *req, struct conn *c,
                     const char *rest);
void live_post_action(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                      const char *rest);
void live_post_control(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                       const char *rest);
int live_record(struct rdsim_live *lv, rdsim_time_t at, json_t *request);
/* ---- state.c ---- */
/* A lag figure as JSON: null while the instance has no live source. */
json_t *live_lag_json(rdsim_time_t lag);
void live_on_event(void *ctx, rdsim_time_t t, const char *kind, const char *subject, const char *detail);
void live_on_sample(void *ctx, const struct rdsim_sample *sample);
void live_send_state(struct rdsim_live *lv);
json_t *live_split_header(const char *line);
json_t *live_state_json(struct rdsim_live *lv);
/* ---- console.c ---- */
void live_post_sql(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                   const char *target);

#endif
