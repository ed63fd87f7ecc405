/*
 * live.c - rdsim serve: one run paced against the wall clock in one libevent
 * loop that also serves the dashboard, the JSON API, server-sent events and
 * the SQL console (docs/live.md lists every endpoint).
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

/* Every live server of the process. libevent calls a listener's error
 * callback with the listener's own argument, which evhttp set to its
 * struct evhttp; this list maps that back to the server (one thread, like
 * the rest; any number of servers side by side). */
static struct rdsim_live *servers;

static struct rdsim_live *server_of(const struct evhttp *http)
{
    struct rdsim_live *lv = servers;

    while (lv && lv->http != http)
        lv = lv->next_server;
    return lv;
}

static double wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double secs(rdsim_time_t t)
{
    return (double)t / RDSIM_S;
}

/* A lag figure as JSON: null while the instance has no live source. */
static json_t *lag_json(rdsim_time_t lag)
{
    return lag >= 0 ? json_real((double)lag / RDSIM_MS) : json_null();
}

/* ---- replies -------------------------------------------------------------- */

static void reply_json(struct evhttp_request *req, int code, json_t *body)
{
    struct evbuffer *buf = evbuffer_new();
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
    evhttp_add_header(h, "Cache-Control", "no-store");
    if (buf && text)
        evbuffer_add(buf, text, strlen(text));
    else if (buf)
        evbuffer_add_printf(buf, "{\"error\":\"out of memory\"}");
    evhttp_send_reply(req, text ? code : 500, code < 400 ? "OK" : "Error", buf);
    if (buf)
        evbuffer_free(buf);
    free(text);
    json_decref(body);
}

/* Replace each byte that is not part of valid UTF-8 with '?': messages
 * quote what the client sent (a path, an instance name, SQL), and JSON
 * strings must be UTF-8 (json_pack refuses anything else). */
static void make_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;

    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
                                 : (*p & 0xf8) == 0xf0 ? 3 : -1;
        int k = 1;
        if (n < 0 || (n == 1 && *p < 0xc2)) {
            *p++ = '?';
            continue;
        }
        while (k <= n && (p[k] & 0xc0) == 0x80)
            k++;
        if (k <= n) {
            *p++ = '?';
            continue;
        }
        p += k;
    }
}

static void reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
    char msg[RDSIM_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    make_utf8(msg);
    reply_json(req, code, json_pack("{s:s}", "error", msg));
}

/* ---- what the run reports --------------------------------------------------- */

static void stream_send(struct rdsim_live *lv, const char *event, json_t *data)
{
    char *text;

    if (!lv->conns)
        return;
    text = json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (!text)
        return;
    for (struct conn *c = lv->conns, *next; c; c = next) {
        struct evhttp_connection *evcon;
        struct bufferevent *bev;
        struct evbuffer *buf;
        next = c->next;
        if (!c->stream)
            continue;
        /* A client that stopped reading misses updates rather than growing
         * the server's memory without bound. */
        evcon = evhttp_request_get_connection(c->stream);
        bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
        if (bev && evbuffer_get_length(bufferevent_get_output(bev)) > STREAM_BACKLOG_MAX)
            continue;
        buf = evbuffer_new();
        if (!buf)
            continue;
        evbuffer_add_printf(buf, "event: %s\ndata: %s\n\n", event, text);
        evhttp_send_reply_chunk(c->stream, buf);
        evbuffer_free(buf);
    }
    free(text);
}

static void on_event(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                     const char *detail)
{
    struct rdsim_live *lv = ctx;
    json_t *e = json_pack("{s:I,s:f,s:s,s:s,s:s}", "seq", lv->next_seq++, "t_s", secs(t), "kind",
                          kind, "subject", subject ? subject : "", "detail",
                          detail ? detail : "");

    if (!e)
        return;
    json_array_append(lv->events, e);
    if (json_array_size(lv->events) > MAX_EVENTS)
        json_array_remove(lv->events, 0);
    stream_send(lv, "event", e);
    json_decref(e);
    lv->dirty = true;
}

/* A CSV field of timeseries.csv: a number, empty (null) or a name. */
static json_t *csv_value(const char *s, size_t n)
{
    char buf[128], *end;
    double v;

    if (n == 0)
        return json_null();
    if (n >= sizeof(buf))
        return json_stringn(s, n);
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    v = strtod(buf, &end);
    if (*end == '\0' && errno == 0 && isfinite(v))
        return json_real(v);
    return json_string(buf);
}

/* Split a CSV line whose fields never need quotes (numbers, instance
 * names); names as strings when `names`. */
static json_t *split_csv(const char *line, bool names)
{
    json_t *a = json_array();
    const char *p = line;

    if (!a)
        return NULL;
    for (;;) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        json_array_append_new(a, names ? json_stringn(p, n) : csv_value(p, n));
        if (!q)
            break;
        p = q + 1;
    }
    return a;
}

static void on_sample(void *ctx, rdsim_time_t t, const char *line)
{
    struct rdsim_live *lv = ctx;
    json_t *row = split_csv(line, false), *msg;
    (void)t;

    if (!row)
        return;
    json_array_append(lv->rows, row);
    if (json_array_size(lv->rows) > MAX_ROWS)
        json_array_remove(lv->rows, 0);
    msg = json_pack("{s:O}", "row", row);
    if (msg)
        stream_send(lv, "sample", msg);
    json_decref(msg);
    json_decref(row);
    lv->dirty = true;
}

/* ---- the state ------------------------------------------------------------ */

static json_t *opt_time(rdsim_time_t t)
{
    return t < 0 ? json_null() : json_real(secs(t));
}

static json_t *names_of(struct rdsim_cluster *c, bool (*keep)(struct rdsim_cluster *, size_t))
{
    json_t *a = json_array();

    for (size_t i = 0; a && i < rdsim_cluster_instance_count(c); i++)
        if (!keep || keep(c, i))
            json_array_append_new(a, json_string(rdsim_cluster_instance_name(c, i)));
    return a;
}

static bool not_writer(struct rdsim_cluster *c, size_t i)
{
    return rdsim_cluster_role(c, i) != RDSIM_ROLE_WRITER;
}

static bool is_replica(struct rdsim_cluster *c, size_t i)
{
    return rdsim_cluster_role(c, i) == RDSIM_ROLE_REPLICA;
}

static json_t *az_list(const struct rdsim_scenario *sc)
{
    json_t *a = json_array();

    for (size_t r = 0; a && r < sc->topology.n_regions; r++)
        for (size_t k = 0; k < sc->topology.regions[r].n_azs; k++)
            json_array_append_new(a, json_string(sc->topology.regions[r].azs[k]));
    return a;
}

static json_t *region_list(const struct rdsim_scenario *sc)
{
    json_t *a = json_array();

    for (size_t r = 0; a && r < sc->topology.n_regions; r++)
        json_array_append_new(a, json_string(sc->topology.regions[r].name));
    return a;
}

/* The actions the page offers, with the names each may target. */
static json_t *action_list(struct rdsim_live *lv)
{
    const struct rdsim_scenario *sc = lv->cfg.scenario;
    struct rdsim_cluster *c = rdsim_run_cluster(lv->run);
    enum rdsim_deployment d = sc->cluster.deployment;
    json_t *a = json_array();

    json_array_append_new(a, json_pack("{s:s,s:o}", "action", "az-outage", "azs", az_list(sc)));
    if (sc->topology.n_regions > 1)
        json_array_append_new(
            a, json_pack("{s:s,s:o}", "action", "region-outage", "regions", region_list(sc)));
    json_array_append_new(a, json_pack("{s:s,s:o}", "action", "instance-failure", "targets",
                                       names_of(c, NULL)));
    json_array_append_new(a,
                          json_pack("{s:s,s:o}", "action", "reboot", "targets", names_of(c, NULL)));
    if (d == RDSIM_DEPLOY_AURORA || d == RDSIM_DEPLOY_MULTI_AZ_CLUSTER)
        json_array_append_new(a, json_pack("{s:s,s:o}", "action", "failover", "targets",
                                           names_of(c, not_writer)));
    else if (d == RDSIM_DEPLOY_MULTI_AZ_INSTANCE)
        json_array_append_new(a, json_pack("{s:s}", "action", "failover"));
    if (d != RDSIM_DEPLOY_AURORA) {
        json_t *reps = names_of(c, is_replica);
        if (json_array_size(reps))
            json_array_append_new(a, json_pack("{s:s,s:o}", "action", "promote", "targets", reps));
        else
            json_decref(reps);
    }
    {
        json_t *targets = names_of(c, not_writer);
        if (json_array_size(targets))
            json_array_append_new(
                a, json_pack("{s:s,s:o}", "action", "replica-lag", "targets", targets));
        else
            json_decref(targets);
    }
    if (d == RDSIM_DEPLOY_AURORA) {
        json_array_append_new(
            a, json_pack("{s:s,s:o}", "action", "storage-failure", "azs", az_list(sc)));
        if (sc->topology.n_regions > 1)
            json_array_append_new(a, json_pack("{s:s,s:o}", "action", "global-failover",
                                               "regions", region_list(sc)));
    }
    json_array_append_new(a, json_pack("{s:s}", "action", "load"));
    return a;
}

static json_t *failover_json(const struct rdsim_failover *f)
{
    return json_pack("{s:f,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:s}", "at_s", secs(f->at), "cause",
                     f->cause, "from", f->from, "to", f->to[0] ? json_string(f->to) : json_null(),
                     "detected_s", opt_time(f->detected), "promoted_s", opt_time(f->promoted),
                     "dns_updated_s", opt_time(f->dns_updated), "lost_writes",
                     (json_int_t)f->lost_writes, "explanation", f->explanation);
}

static json_t *state_json(struct rdsim_live *lv)
{
    const struct rdsim_scenario *sc = lv->cfg.scenario;
    struct rdsim_cluster *c = rdsim_run_cluster(lv->run);
    json_t *st, *insts = json_array(), *regions = json_array(), *fos = json_array();
    json_t *readers = json_array(), *injected = json_array();
    int rd[MAX_READERS];
    size_t n_rd;

    for (size_t i = 0; i < rdsim_cluster_instance_count(c); i++) {
        const struct rdsim_instance_cfg *ic = &sc->cluster.instances[i];
        /* The lag of the last time-series row: the figure the plot draws. */
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:o}", "name", ic->name, "role",
                              rdsim_role_name(rdsim_cluster_role(c, i)), "state",
                              rdsim_cluster_state_name(c, i), "az", ic->az, "class",
                              ic->instance_class, "up",
                              rdsim_cluster_health(c, i) == RDSIM_HEALTH_UP, "lag_ms",
                              lag_json(rdsim_cluster_lag_last(c, i)));
        if (!o)
            continue;
        if (sc->cluster.deployment == RDSIM_DEPLOY_AURORA)
            json_object_set_new(o, "tier", json_integer(ic->tier));
        if (rdsim_cluster_acu(c, i) > 0)
            json_object_set_new(o, "acu", json_real(rdsim_cluster_acu(c, i)));
        json_array_append_new(insts, o);
    }
    for (size_t r = 0; r < sc->topology.n_regions; r++) {
        const struct rdsim_region *reg = &sc->topology.regions[r];
        json_t *azs = json_array();
        bool any_up = false;
        for (size_t k = 0; k < reg->n_azs; k++) {
            bool up = rdsim_cluster_az_is_up(c, reg->azs[k]);
            any_up |= up;
            json_array_append_new(azs, json_pack("{s:s,s:b}", "name", reg->azs[k], "up", up));
        }
        json_array_append_new(regions,
                              json_pack("{s:s,s:b,s:o}", "name", reg->name, "up", any_up, "azs", azs));
    }
    for (size_t k = 0; k < rdsim_cluster_failover_count(c); k++)
        json_array_append_new(fos, failover_json(rdsim_cluster_failover_at(c, k)));
    n_rd = rdsim_cluster_readers(c, rd, MAX_READERS);
    for (size_t k = 0; k < n_rd; k++)
        json_array_append_new(readers, json_string(rdsim_cluster_instance_name(c, (size_t)rd[k])));
    for (size_t k = 0; k < lv->n_recs; k++) {
        json_t *o = json_deep_copy(lv->recs[k].request);
        if (o) {
            json_object_set_new(o, "at_s", json_real(secs(lv->recs[k].at)));
            json_array_append_new(injected, o);
        }
    }

    st = json_pack("{s:s,s:s?,s:s,s:s,s:I,s:f,s:f,s:b,s:f,s:b,s:o,s:{s:s,s:o},s:o,s:o,s:o,s:o}",
                   "scenario", sc->name, "description", sc->description, "deployment",
                   rdsim_deployment_name(sc->cluster.deployment), "engine",
                   rdsim_engine_name(sc->cluster.engine), "seed", (json_int_t)sc->seed, "t_s",
                   secs(rdsim_run_now(lv->run)), "duration_s", secs(sc->duration), "paused",
                   lv->paused, "speed", lv->speed, "finished", rdsim_run_is_finished(lv->run),
                   "instances", insts, "endpoints", "writer",
                   rdsim_cluster_instance_name(c, (size_t)rdsim_cluster_lookup(
                                                      c, RDSIM_EP_WRITER, &lv->rng)),
                   "reader", readers, "regions", regions, "failovers", fos, "actions",
                   action_list(lv), "injected", injected);
    if (st && lv->run_error.code)
        json_object_set_new(st, "error", json_string(lv->run_error.msg));
    return st;
}

static void send_state(struct rdsim_live *lv)
{
    json_t *st = state_json(lv);

    if (st)
        stream_send(lv, "state", st);
    json_decref(st);
    lv->dirty = false;
    lv->last_state_wall = wall_now();
}

/* ---- pacing --------------------------------------------------------------- */

static void close_late(struct rdsim_live *lv); /* connections, below */

static void rebase(struct rdsim_live *lv)
{
    lv->base_wall = wall_now();
    lv->base_sim = rdsim_run_now(lv->run);
}

static void finish(struct rdsim_live *lv)
{
    struct rdsim_err err = {0};
    char path[4096];
    int rc = rdsim_run_finish(lv->run, &lv->results, &err);

    if (rc == 0 && lv->cfg.out_dir) {
        snprintf(path, sizeof(path), "%s/summary.json", lv->cfg.out_dir);
        rc = rdsim_report_write_summary(lv->results, path, &err);
    }
    if (rc) {
        lv->run_error = err;
        return;
    }
    if (lv->cfg.on_finish)
        lv->cfg.on_finish(lv->cfg.ctx, lv->results);
}

static void step(struct rdsim_live *lv)
{
    const struct rdsim_scenario *sc = lv->cfg.scenario;
    double start = wall_now();
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
        if (wall_now() - start > 0.1)
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

    step(lv);
    close_late(lv);
    if (lv->dirty && wall_now() - lv->last_state_wall >= STATE_EVERY_S)
        send_state(lv);
    if (wall_now() - lv->last_keepalive_wall >= KEEPALIVE_S) {
        lv->last_keepalive_wall = wall_now();
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

/* ---- connections ------------------------------------------------------------ */

static void log_line(struct rdsim_live *lv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_line(struct rdsim_live *lv, const char *fmt, ...)
{
    char msg[RDSIM_ERR_MSG_MAX];
    va_list ap;

    if (!lv->cfg.on_log)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lv->cfg.on_log(lv->cfg.ctx, msg);
}

/* Forget a connection (it is closing, or closed). A stream that evhttp has
 * already detached from its connection (the client went away, or its
 * writes timed out) is ours to end, which frees it. */
static void conn_forget(struct conn *c)
{
    struct rdsim_live *lv = c->lv;

    if (c->prev)
        c->prev->next = c->next;
    else
        lv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    lv->n_open--;
    if (c->stream) {
        lv->n_streams--;
        if (!evhttp_request_get_connection(c->stream))
            evhttp_send_reply_end(c->stream);
    }
    if (!c->evcon)
        bufferevent_decref(c->bev);
    free(c);
}

static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    conn_forget(arg);
}

/* Close a connection now (past its deadline, over the limit). */
static void conn_close(struct conn *c)
{
    struct evhttp_connection *evcon = c->evcon;

    evhttp_connection_set_closecb(evcon, NULL, NULL);
    conn_forget(c);
    evhttp_connection_free(evcon);
}

/* evhttp's bufferevent callback: a connection was just accepted. evhttp
 * sets it up once this returns; on_adopt takes it from there. */
static struct bufferevent *new_bev(struct event_base *base, void *arg)
{
    struct rdsim_live *lv = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    struct conn *c = bev ? calloc(1, sizeof(*c)) : NULL;

    if (lv->accept_failing) {
        log_line(lv, "accepting connections again (accept failed %lu times)",
                 lv->accept_failures);
        lv->accept_failures = 0;
        lv->accept_failing = false;
    }
    if (!c)
        return bev; /* evhttp serves it; it is simply not counted */
    bufferevent_incref(bev);
    c->bev = bev;
    c->lv = lv;
    c->deadline = wall_now() + lv->cfg.timeout_s;
    c->next = lv->conns;
    if (lv->conns)
        lv->conns->prev = c;
    lv->conns = c;
    lv->n_open++;
    event_active(lv->adopt, EV_TIMEOUT, 1);
    return bev;
}

/* Learn the evhttp connection of a newly accepted bufferevent (evhttp made
 * it its callback argument) and apply the limits; closing it only when
 * `may_close` (not while one of its requests is being handled). Returns c,
 * or NULL when it is gone. */
static struct conn *adopt(struct conn *c, bool may_close)
{
    struct rdsim_live *lv = c->lv;
    bufferevent_data_cb rd, wr;
    bufferevent_event_cb ev;
    void *arg;

    bufferevent_getcb(c->bev, &rd, &wr, &ev, &arg);
    if (!ev || !arg) {
        conn_forget(c); /* evhttp gave up on it already */
        return NULL;
    }
    c->evcon = arg;
    bufferevent_decref(c->bev);
    evhttp_connection_set_closecb(c->evcon, conn_closed, c);
    if (lv->n_open > lv->hard_cap && may_close) {
        conn_close(c);
        return NULL;
    }
    if (lv->n_open - lv->n_streams > lv->cfg.max_connections)
        c->refused = true;
    return c;
}

static void on_adopt(evutil_socket_t fd, short what, void *arg)
{
    struct rdsim_live *lv = arg;
    (void)fd;
    (void)what;

    for (struct conn *c = lv->conns, *next; c; c = next) {
        next = c->next;
        if (!c->evcon)
            adopt(c, true);
    }
}

/* The record of the connection a request came on (adopting it if that has
 * not happened yet); NULL when it could not be recorded. */
static struct conn *conn_of(struct rdsim_live *lv, struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;

    for (struct conn *c = lv->conns; c; c = c->next) {
        if (c->evcon == evcon && evcon)
            return c;
        if (!c->evcon && c->bev == bev)
            return adopt(c, false);
    }
    return NULL;
}

/* A reply went out whole: the next request's deadline starts now. */
static void reply_sent(struct evhttp_request *req, void *arg)
{
    struct conn *c = arg;
    (void)req;

    if (!c->stream)
        c->deadline = wall_now() + c->lv->cfg.timeout_s;
}

/* Close connections whose awaited request has not arrived whole in time,
 * and streams whose unsent data has not drained for timeout_s (the client
 * stopped reading: a reading one drains within milliseconds). Checked on
 * each tick. */
static void close_late(struct rdsim_live *lv)
{
    double now = wall_now();

    for (struct conn *c = lv->conns, *next; c; c = next) {
        next = c->next;
        if (!c->evcon)
            continue;
        if (c->stream) {
            struct bufferevent *bev = evhttp_connection_get_bufferevent(c->evcon);
            if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
                c->drained = now;
            else if (now - c->drained > c->lv->cfg.timeout_s)
                conn_close(c);
        } else if (c->deadline > 0 && now > c->deadline) {
            conn_close(c);
        }
    }
}

/* accept() failed (descriptors exhausted, most likely): pause the listener
 * rather than retry at once, which would spin; say so once. */
static void on_accept_error(struct evconnlistener *listener, void *arg)
{
    struct rdsim_live *lv = server_of(arg);
    struct timeval tv = {ACCEPT_RETRY_S, 0};
    int e = EVUTIL_SOCKET_ERROR();

    evconnlistener_disable(listener);
    if (!lv)
        return; /* cannot happen: the server unlinks itself before its listener goes */
    event_add(lv->accept_retry, &tv);
    lv->accept_failures++;
    /* Clients that hold descriptors until the timeout make this come and go:
     * at most one line a minute says so. */
    if (!lv->accept_failing && (lv->accept_logged_wall == 0 ||
                                wall_now() - lv->accept_logged_wall >= ACCEPT_LOG_S)) {
        log_line(lv, "cannot accept connections: %s; retrying every %d s with %d open (said "
                     "at most once a minute)",
                 evutil_socket_error_to_string(e), ACCEPT_RETRY_S, lv->n_open);
        lv->accept_failing = true;
        lv->accept_logged_wall = wall_now();
    }
}

static void on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
    struct rdsim_live *lv = arg;
    (void)fd;
    (void)what;

    evconnlistener_enable(evhttp_bound_socket_get_listener(lv->sock));
}

/* ---- handlers ------------------------------------------------------------- */

/* The query parameter `name` copied into value[size]; NULL when absent. */
static const char *query_param(struct evhttp_request *req, const char *name, char *value,
                               size_t size)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evkeyvalq params;
    const char *v;

    if (!q)
        return NULL;
    if (evhttp_parse_query_str(q, &params) != 0)
        return NULL;
    v = evhttp_find_header(&params, name);
    if (v)
        snprintf(value, size, "%s", v);
    evhttp_clear_headers(&params);
    return v ? value : NULL;
}

static void get_metrics(struct rdsim_live *lv, struct evhttp_request *req)
{
    char buf[64];
    const char *s = query_param(req, "since", buf, sizeof(buf));
    double since = s ? strtod(s, NULL) : -1;
    json_t *rows = json_array(), *row;
    size_t k;

    json_array_foreach(lv->rows, k, row) {
        if (json_number_value(json_array_get(row, 0)) > since)
            json_array_append(rows, row);
    }
    reply_json(req, 200, json_pack("{s:O,s:o}", "columns", lv->columns, "rows", rows));
}

static void get_events(struct rdsim_live *lv, struct evhttp_request *req)
{
    char buf[64];
    const char *s = query_param(req, "since", buf, sizeof(buf));
    json_int_t since = s ? strtoll(s, NULL, 10) : 0;
    json_t *out = json_array(), *e;
    size_t k;

    json_array_foreach(lv->events, k, e) {
        if (json_integer_value(json_object_get(e, "seq")) >= since)
            json_array_append(out, e);
    }
    reply_json(req, 200, json_pack("{s:o}", "events", out));
}

static void get_stream(struct rdsim_live *lv, struct evhttp_request *req, struct conn *c)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *buf;
    json_t *st;
    char *text;

    struct bufferevent *bev;

    if (lv->n_streams >= lv->cfg.max_streams) {
        reply_error(req, 503, "too many event streams (the limit is %d); poll /api/state, "
                              "/api/metrics and /api/events instead", lv->cfg.max_streams);
        return;
    }
    evhttp_add_header(h, "Content-Type", "text/event-stream");
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_send_reply_start(req, 200, "OK");
    /* A stream waits for nothing from its client, so no read timeout (a
     * comment every KEEPALIVE_S keeps proxies from closing it), and no
     * write timeout either: every update would re-arm it. close_late closes
     * a stream whose client stopped reading instead. */
    bev = evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));
    bufferevent_set_timeouts(bev, NULL, NULL);
    c->stream = req;
    c->deadline = 0;
    c->drained = wall_now();
    lv->n_streams++;
    st = state_json(lv);
    text = st ? json_dumps(st, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    buf = evbuffer_new();
    if (buf) {
        evbuffer_add_printf(buf, "retry: 2000\n\n");
        if (text)
            evbuffer_add_printf(buf, "event: state\ndata: %s\n\n", text);
        evhttp_send_reply_chunk(req, buf);
        evbuffer_free(buf);
    }
    free(text);
    json_decref(st);
}

static void get_session(struct rdsim_live *lv, struct evhttp_request *req)
{
    struct rdsim_err err = {0};
    struct evbuffer *buf;
    char *text, disp[256];
    size_t len;

    if (rdsim_live_session(lv, &text, &len, &err) != 0) {
        reply_error(req, 500, "%s", err.msg);
        return;
    }
    buf = evbuffer_new();
    if (!buf) {
        free(text);
        reply_error(req, 500, "out of memory");
        return;
    }
    evbuffer_add(buf, text, len);
    free(text);
    snprintf(disp, sizeof(disp), "attachment; filename=\"%s-session.yaml\"",
             lv->cfg.scenario->name);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/yaml; charset=utf-8");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Disposition", disp);
    evhttp_send_reply(req, 200, "OK", buf);
    evbuffer_free(buf);
}

/* The request body as a NUL-terminated string; NULL after replying 413 or
 * 500. */
static char *body_of(struct rdsim_live *lv, struct evhttp_request *req, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    char *s;

    if (n > lv->cfg.max_body) {
        reply_error(req, 413, "request body of %zu bytes is over the limit of %zu bytes", n,
                    lv->cfg.max_body);
        return NULL;
    }
    s = malloc(n + 1);
    if (!s) {
        reply_error(req, 500, "out of memory");
        return NULL;
    }
    evbuffer_copyout(in, s, n);
    s[n] = '\0';
    *len = n;
    return s;
}

/* A JSON object body; NULL after replying 400. */
static json_t *json_body(struct evhttp_request *req, const char *text, size_t len)
{
    json_error_t jerr;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

    if (!o) {
        reply_error(req, 400, "malformed JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                    jerr.column);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        reply_error(req, 400, "expected a JSON object");
        return NULL;
    }
    return o;
}

static int record(struct rdsim_live *lv, rdsim_time_t at, json_t *request)
{
    if (lv->n_recs == lv->cap_recs) {
        size_t cap = lv->cap_recs ? 2 * lv->cap_recs : 8;
        struct live_record *p = realloc(lv->recs, cap * sizeof(*p));
        if (!p)
            return -1;
        lv->recs = p;
        lv->cap_recs = cap;
    }
    lv->recs[lv->n_recs].at = at;
    lv->recs[lv->n_recs].request = json_incref(request);
    lv->n_recs++;
    return 0;
}

static void post_action(struct rdsim_live *lv, struct evhttp_request *req)
{
    struct rdsim_event_cfg ev = {0};
    struct rdsim_err err = {0};
    rdsim_time_t at;
    size_t len;
    char *text = body_of(lv, req, &len);
    json_t *o;

    if (!text)
        return;
    o = json_body(req, text, len);
    if (!o)
        goto out;
    if (!json_is_string(json_object_get(o, "action"))) {
        reply_error(req, 400, "request: action: expected a string naming one of the scenario "
                              "format's actions (az-outage, instance-failure, failover, ...)");
        goto out;
    }
    /* JSON is YAML: the scenario file's rules and messages apply as such. */
    if (rdsim_scenario_parse_event(lv->cfg.scenario, "request", text, len, &ev, &err) != 0) {
        reply_error(req, err.code == RDSIM_ENOMEM ? 500 : 400, "%s", err.msg);
        goto out;
    }
    if (rdsim_run_is_finished(lv->run) || lv->run_error.code) {
        reply_error(req, 409, "the simulation has %s: nothing can be injected",
                    lv->run_error.code ? "failed" : "finished");
        goto out;
    }
    if (rdsim_run_inject(lv->run, &ev, &at, &err) != 0) {
        if (err.code == RDSIM_EINVAL) {
            reply_error(req, 409, "%s", err.msg);
        } else {
            lv->run_error = err;
            reply_error(req, 500, "%s", err.msg);
        }
        goto out;
    }
    if (record(lv, at, o) != 0) {
        reply_error(req, 500, "out of memory");
        goto out;
    }
    rebase(lv); /* the injection may have run the clock a little ahead */
    reply_json(req, 200, json_pack("{s:s,s:f}", "action", rdsim_action_name(ev.action), "at_s",
                                   secs(at)));
    send_state(lv);
out:
    rdsim_event_clear(&ev);
    json_decref(o);
    free(text);
}

static void post_control(struct rdsim_live *lv, struct evhttp_request *req)
{
    size_t len;
    char *text = body_of(lv, req, &len);
    json_t *o, *p, *s;
    const char *key;
    json_t *value;

    if (!text)
        return;
    o = json_body(req, text, len);
    free(text);
    if (!o)
        return;
    json_object_foreach(o, key, value) {
        if (strcmp(key, "paused") != 0 && strcmp(key, "speed") != 0) {
            reply_error(req, 400, "control: unknown key \"%s\" (expected paused, speed)", key);
            json_decref(o);
            return;
        }
    }
    p = json_object_get(o, "paused");
    s = json_object_get(o, "speed");
    if (p && !json_is_boolean(p)) {
        reply_error(req, 400, "control: paused: expected true or false");
        json_decref(o);
        return;
    }
    if (s && (!json_is_number(s) || !(json_number_value(s) > 0) ||
              json_number_value(s) > MAX_SPEED)) {
        reply_error(req, 400, "control: speed: expected a number above 0 and at most %g",
                    MAX_SPEED);
        json_decref(o);
        return;
    }
    step(lv); /* up to now at the old pace */
    if (p)
        lv->paused = json_is_true(p);
    if (s)
        lv->speed = json_number_value(s);
    rebase(lv);
    json_decref(o);
    reply_json(req, 200, json_pack("{s:b,s:f,s:f}", "paused", lv->paused, "speed", lv->speed,
                                   "t_s", secs(rdsim_run_now(lv->run))));
    send_state(lv);
}

/* ---- SQL ------------------------------------------------------------------- */

struct sql_sink {
    json_t *columns, *rows;
};

static int sink_columns(void *ctx, int n, const char *const *names)
{
    struct sql_sink *s = ctx;

    for (int i = 0; i < n; i++)
        json_array_append_new(s->columns, json_string(names[i] ? names[i] : ""));
    return 0;
}

static int sink_row(void *ctx, int n, const struct rdsim_sql_value *v)
{
    struct sql_sink *s = ctx;
    json_t *row = json_array();

    if (!row)
        return -1;
    for (int i = 0; i < n; i++) {
        switch (v[i].type) {
        case RDSIM_SQL_INTEGER:
            json_array_append_new(row, json_integer(v[i].i));
            break;
        case RDSIM_SQL_REAL:
            /* JSON has no infinity: 1e999 is null, not a dropped cell. */
            json_array_append_new(row, isfinite(v[i].r) ? json_real(v[i].r) : json_null());
            break;
        case RDSIM_SQL_TEXT: {
            json_t *t = json_string(v[i].text);
            json_array_append_new(row, t ? t : json_string("(not UTF-8)"));
            break;
        }
        default:
            json_array_append_new(row, json_null());
        }
    }
    return json_array_append_new(s->rows, row);
}

/* The console statement's wall-clock budget (db.c asks; it reads no clock). */
static bool sql_over_time(void *ctx)
{
    return wall_now() > *(const double *)ctx;
}

static int find_instance(struct rdsim_cluster *c, const char *name)
{
    for (size_t i = 0; i < rdsim_cluster_instance_count(c); i++)
        if (strcmp(rdsim_cluster_instance_name(c, i), name) == 0)
            return (int)i;
    return -1;
}

static void post_sql(struct rdsim_live *lv, struct evhttp_request *req, const char *target)
{
    struct rdsim_cluster *c = rdsim_run_cluster(lv->run);
    struct sql_sink sink = {json_array(), json_array()};
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    const char *via;
    char what[160];
    bool read_only;
    rdsim_time_t latency;
    double started, deadline;
    size_t len;
    char *text = NULL;
    int i, code, rc;

    if (strcmp(target, "writer") == 0) {
        i = rdsim_cluster_lookup(c, RDSIM_EP_WRITER, &lv->rng);
        via = "writer endpoint";
    } else if (strcmp(target, "reader") == 0) {
        i = rdsim_cluster_lookup(c, RDSIM_EP_READER, &lv->rng);
        via = "reader endpoint";
    } else if (strncmp(target, "instance/", 9) == 0) {
        i = find_instance(c, target + 9);
        via = "instance endpoint";
        if (i < 0) {
            reply_error(req, 404, "no instance \"%s\" in this cluster", target + 9);
            goto out;
        }
    } else {
        reply_error(req, 404, "no SQL endpoint \"%s\" (expected sql/writer, sql/reader or "
                              "sql/instance/NAME)", target);
        goto out;
    }
    if (i < 0) {
        reply_error(req, 503, "the %s names no instance now", via);
        goto out;
    }
    snprintf(what, sizeof(what), "%s -> %s", via, rdsim_cluster_instance_name(c, (size_t)i));
    text = body_of(lv, req, &len);
    if (!text)
        goto out;
    /* One statement may hold the whole server (one thread) for SQL_MAX_MS;
     * many at once, from one client or several, get SQL_SHARE of the time
     * and a 503 past it, so everything else keeps being answered. */
    lv->sql_credit += (wall_now() - lv->sql_credit_wall) * SQL_SHARE;
    if (lv->sql_credit > SQL_SHARE * SQL_WINDOW_S)
        lv->sql_credit = SQL_SHARE * SQL_WINDOW_S;
    lv->sql_credit_wall = wall_now();
    if (lv->sql_credit < SQL_MAX_MS / 1000.0) { /* room for a whole statement */
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        reply_error(req, 503, "%s: the SQL console is busy (its statements have used their "
                              "share of the server's time); try again in a second", what);
        goto out;
    }
    switch (rdsim_cluster_health(c, (size_t)i)) {
    case RDSIM_HEALTH_UNREACHABLE:
        reply_error(req, 503, "%s: unreachable (%s): the connection times out", what,
                    rdsim_cluster_state_name(c, (size_t)i));
        goto out;
    case RDSIM_HEALTH_STARTING:
        reply_error(req, 503, "%s: connection refused: the engine is starting", what);
        goto out;
    case RDSIM_HEALTH_UP:
        break;
    }
    if (!rdsim_cluster_serves_reads(c, (size_t)i)) {
        reply_error(req, 503, "%s: a Multi-AZ standby serves no queries", what);
        goto out;
    }
    if (!rdsim_cluster_can_read(c, (size_t)i)) {
        reply_error(req, 503, "%s: the storage volume has lost its read quorum", what);
        goto out;
    }
    read_only = (size_t)i != rdsim_cluster_writer(c) ||
                rdsim_cluster_role(c, (size_t)i) != RDSIM_ROLE_WRITER;
    started = wall_now();
    deadline = started + SQL_MAX_MS / 1000.0;
    rc = rdsim_db_query(rdsim_cluster_db(c, (size_t)i), text,
                        &(struct rdsim_db_query_opts){
                            .read_only = read_only,
                            .max_steps = SQL_MAX_STEPS,
                            .max_rows = MAX_SQL_ROWS,
                            .should_stop = sql_over_time,
                            .stop_ctx = &deadline,
                            .stop_reason = "it ran longer than the limit of " STR(SQL_MAX_MS) " ms",
                        },
                        &(struct rdsim_db_query_sink){.ctx = &sink, .columns = sink_columns,
                                                      .row = sink_row},
                        &res, &err);
    lv->sql_credit -= wall_now() - started;
    if (rc != 0) {
        code = err.code == RDSIM_EPERM ? 403 : err.code == RDSIM_EINVAL ? 400 : 500;
        reply_error(req, code, "%s: %s", what, err.msg);
        goto out;
    }
    /* A round trip from a client AZ and a nominal service time; drawn from
     * this module's stream, never the run's. */
    latency = 2 * rdsim_cluster_one_way(c, rdsim_rng_below(&lv->rng, rdsim_cluster_client_azs(c)),
                                        (size_t)i, &lv->rng) +
              (res.wrote ? RDSIM_MS : 200 * RDSIM_US);
    reply_json(req, 200,
               json_pack("{s:s,s:s,s:s,s:f,s:o,s:f,s:O,s:O,s:I,s:b}", "endpoint", via,
                         "instance", rdsim_cluster_instance_name(c, (size_t)i), "role",
                         rdsim_role_name(rdsim_cluster_role(c, (size_t)i)), "latency_ms",
                         (double)latency / RDSIM_MS, "lag_ms",
                         lag_json(rdsim_cluster_lag_last(c, (size_t)i)), "t_s",
                         secs(rdsim_run_now(lv->run)), "columns", sink.columns, "rows",
                         sink.rows, "changes", (json_int_t)res.changes, "truncated",
                         res.truncated));
out:
    json_decref(sink.columns);
    json_decref(sink.rows);
    free(text);
}

/* ---- dispatch --------------------------------------------------------------- */

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot && strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (dot && strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (dot && strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    return "application/octet-stream";
}

static bool serve_asset(struct evhttp_request *req, const char *path)
{
    const struct rdsim_asset *a = rdsim_asset_find(rdsim_web_assets, *path ? path : "index.html");
    struct evbuffer *buf;

    if (!a || strchr(path, '/'))
        return false;
    buf = evbuffer_new();
    if (!buf)
        return false;
    evbuffer_add_reference(buf, a->data, a->size, NULL, NULL);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      content_type(a->name));
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-cache");
    evhttp_send_reply(req, 200, "OK", buf);
    evbuffer_free(buf);
    return true;
}

static int content_lengths(struct evhttp_request *req)
{
    struct evkeyval *h;
    int n = 0;

    /* keyvalq_struct.h spells the list out without sys/queue.h's macros. */
    for (h = evhttp_request_get_input_headers(req)->tqh_first; h; h = h->next.tqe_next)
        n += evutil_ascii_strcasecmp(h->key, "Content-Length") == 0;
    return n;
}

static void handle(struct evhttp_request *req, void *arg)
{
    struct rdsim_live *lv = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    bool get = cmd == EVHTTP_REQ_GET, post = cmd == EVHTTP_REQ_POST;
    char *decoded = raw ? evhttp_uridecode(raw, 0, NULL) : NULL;
    const char *path = decoded ? decoded : "/";
    struct conn *c = conn_of(lv, req);

    if (c) {
        c->deadline = 0; /* the request is here; its reply is being written */
        evhttp_request_set_on_complete_cb(req, reply_sent, c);
    }
    if (!c || c->refused) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        reply_error(req, 503, "too many connections (the limit is %d)", lv->cfg.max_connections);
        goto out;
    }
    if (content_lengths(req) > 1) {
        /* libevent read the body by the first one; what follows it on the
         * connection cannot be trusted to be the next request. */
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        reply_error(req, 400, "more than one Content-Length header");
        goto out;
    }
    while (*path == '/')
        path++;
    if (strcmp(path, "api/state") == 0 && get)
        reply_json(req, 200, state_json(lv));
    else if (strcmp(path, "api/metrics") == 0 && get)
        get_metrics(lv, req);
    else if (strcmp(path, "api/events") == 0 && get)
        get_events(lv, req);
    else if (strcmp(path, "api/stream") == 0 && get)
        get_stream(lv, req, c);
    else if (strcmp(path, "api/session") == 0 && get)
        get_session(lv, req);
    else if (strcmp(path, "api/actions") == 0 && post)
        post_action(lv, req);
    else if (strcmp(path, "api/control") == 0 && post)
        post_control(lv, req);
    else if (strncmp(path, "sql/", 4) == 0 && post)
        post_sql(lv, req, path + 4);
    else if ((strncmp(path, "api/", 4) == 0 || strncmp(path, "sql/", 4) == 0))
        reply_error(req, strcmp(path, "api/state") == 0 || strcmp(path, "api/metrics") == 0 ||
                                 strcmp(path, "api/events") == 0 ||
                                 strcmp(path, "api/stream") == 0 ||
                                 strcmp(path, "api/session") == 0 ||
                                 strcmp(path, "api/actions") == 0 ||
                                 strcmp(path, "api/control") == 0 ||
                                 strncmp(path, "sql/", 4) == 0
                             ? 405
                             : 404,
                    "%s /%s: no such endpoint for this method (see docs/live.md)",
                    get ? "GET" : post ? "POST" : "this method", path);
    else if (!(get && serve_asset(req, path)))
        reply_error(req, 404, "/%s: not found", path);
out:
    free(decoded);
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
    log_line(lv, "the open-file limit (%llu) allows %d connections at once (ulimit -n raises it)",
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
    lv->sql_credit_wall = wall_now();
    rdsim_rng_init(&lv->rng, cfg->scenario->seed, "live");
    lv->rows = json_array();
    lv->events = json_array();
    if (!lv->rows || !lv->events) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto fail;
    }

    rc = rdsim_run_create(cfg->scenario,
                          &(struct rdsim_run_options){.out_dir = cfg->out_dir,
                                                      .on_event = on_event,
                                                      .on_sample = on_sample,
                                                      .live_ctx = lv},
                          &lv->run, err);
    if (rc)
        goto fail;
    lv->columns = split_csv(rdsim_run_columns(lv->run), true);

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
    evhttp_set_gencb(lv->http, handle, lv);
    evhttp_set_bevcb(lv->http, new_bev, lv);
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
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(lv->sock), on_accept_error);
    lv->adopt = event_new(lv->base, -1, 0, on_adopt, lv);
    lv->accept_retry = evtimer_new(lv->base, on_accept_retry, lv);
    lv->tick = event_new(lv->base, -1, EV_PERSIST, on_tick, lv);
    lv->sigint = evsignal_new(lv->base, SIGINT, on_signal, lv);
    lv->sigterm = evsignal_new(lv->base, SIGTERM, on_signal, lv);
    if (!lv->adopt || !lv->accept_retry || !lv->tick || !lv->sigint || !lv->sigterm ||
        event_add(lv->tick, &tv) != 0) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto fail;
    }
    rebase(lv);
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
    rebase(lv);
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
    /* Closing connections calls conn_closed, which needs lv. */
    if (lv->http)
        evhttp_free(lv->http);
    while (lv->conns)
        conn_forget(lv->conns); /* accepted, never adopted */
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
