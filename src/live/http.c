/*
 * http.c - live mode's HTTP side: connections from accept to close (counted
 * at accept, refused past the limits, closed when late), JSON replies, and
 * the route table that dispatches every request (one table: a path known
 * for another method is a 405, anything else under api/ or sql/ a 404).
 *
 * The limits are live.c's opening comment's; nothing here touches the run.
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

/* ---- replies -------------------------------------------------------------- */

void live_reply_json(struct evhttp_request *req, int code, json_t *body)
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

void live_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
    char msg[RDSIM_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    make_utf8(msg);
    live_reply_json(req, code, json_pack("{s:s}", "error", msg));
}

/* ---- connections ------------------------------------------------------------ */

void live_log_line(struct rdsim_live *lv, const char *fmt, ...)
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
void live_conn_forget(struct conn *c)
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

void live_conn_closed(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    live_conn_forget(arg);
}

/* Close a connection now (past its deadline, over the limit). */
static void conn_close(struct conn *c)
{
    struct evhttp_connection *evcon = c->evcon;

    evhttp_connection_set_closecb(evcon, NULL, NULL);
    live_conn_forget(c);
    evhttp_connection_free(evcon);
}

/* evhttp's bufferevent callback: a connection was just accepted. evhttp
 * sets it up once this returns; live_on_adopt takes it from there. */
struct bufferevent *live_new_bev(struct event_base *base, void *arg)
{
    struct rdsim_live *lv = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    struct conn *c = bev ? calloc(1, sizeof(*c)) : NULL;

    if (lv->accept_failing) {
        live_log_line(lv, "accepting connections again (accept failed %lu times)",
                 lv->accept_failures);
        lv->accept_failures = 0;
        lv->accept_failing = false;
    }
    if (!c)
        return bev; /* evhttp serves it; it is simply not counted */
    bufferevent_incref(bev);
    c->bev = bev;
    c->lv = lv;
    c->deadline = live_wall_now() + lv->cfg.timeout_s;
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
struct conn *live_adopt(struct conn *c, bool may_close)
{
    struct rdsim_live *lv = c->lv;
    bufferevent_data_cb rd, wr;
    bufferevent_event_cb ev;
    void *arg;

    bufferevent_getcb(c->bev, &rd, &wr, &ev, &arg);
    if (!ev || !arg) {
        live_conn_forget(c); /* evhttp gave up on it already */
        return NULL;
    }
    c->evcon = arg;
    bufferevent_decref(c->bev);
    evhttp_connection_set_closecb(c->evcon, live_conn_closed, c);
    if (lv->n_open > lv->hard_cap && may_close) {
        conn_close(c);
        return NULL;
    }
    if (lv->n_open - lv->n_streams > lv->cfg.max_connections)
        c->refused = true;
    return c;
}

void live_on_adopt(evutil_socket_t fd, short what, void *arg)
{
    struct rdsim_live *lv = arg;
    (void)fd;
    (void)what;

    for (struct conn *c = lv->conns, *next; c; c = next) {
        next = c->next;
        if (!c->evcon)
            live_adopt(c, true);
    }
}

/* The live_record of the connection a request came on (adopting it if that has
 * not happened yet); NULL when it could not be recorded. */
static struct conn *conn_of(struct rdsim_live *lv, struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;

    for (struct conn *c = lv->conns; c; c = c->next) {
        if (c->evcon == evcon && evcon)
            return c;
        if (!c->evcon && c->bev == bev)
            return live_adopt(c, false);
    }
    return NULL;
}

/* A reply went out whole: the next request's deadline starts now. */
static void reply_sent(struct evhttp_request *req, void *arg)
{
    struct conn *c = arg;
    (void)req;

    if (!c->stream)
        c->deadline = live_wall_now() + c->lv->cfg.timeout_s;
}

/* Close connections whose awaited request has not arrived whole in time,
 * and streams whose unsent data has not drained for timeout_s (the client
 * stopped reading: a reading one drains within milliseconds). Checked on
 * each tick. */
void live_close_late(struct rdsim_live *lv)
{
    double now = live_wall_now();

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
void live_on_accept_error(struct evconnlistener *listener, void *arg)
{
    struct rdsim_live *lv = live_server_of(arg);
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
                                live_wall_now() - lv->accept_logged_wall >= ACCEPT_LOG_S)) {
        live_log_line(lv, "cannot accept connections: %s; retrying every %d s with %d open (said "
                     "at most once a minute)",
                 evutil_socket_error_to_string(e), ACCEPT_RETRY_S, lv->n_open);
        lv->accept_failing = true;
        lv->accept_logged_wall = live_wall_now();
    }
}

void live_on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
    struct rdsim_live *lv = arg;
    (void)fd;
    (void)what;

    evconnlistener_enable(evhttp_bound_socket_get_listener(lv->sock));
}

/* ---- dispatch --------------------------------------------------------------- */

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
                      rdsim_asset_content_type(a->name));
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

/* ---- routes ----------------------------------------------------------------- */

/* A route's handler (live_impl.h): `rest` is what follows the route's path
 * (the instance of sql/NAME). */
typedef void route_fn(struct rdsim_live *lv, struct evhttp_request *req, struct conn *c,
                      const char *rest);

static void route_state(struct rdsim_live *lv, struct evhttp_request *req, struct conn *c,
                        const char *rest)
{
    live_reply_json(req, 200, live_state_json(lv));
}

/* Every endpoint, once (docs/live.md describes them): a path listed here
 * asked with another method is a 405. */
static const struct route {
    const char *path;
    bool prefix; /* sql/NAME */
    enum evhttp_cmd_type cmd;
    route_fn *fn;
} routes[] = {
    {"api/state", false, EVHTTP_REQ_GET, route_state},
    {"api/metrics", false, EVHTTP_REQ_GET, live_get_metrics},
    {"api/events", false, EVHTTP_REQ_GET, live_get_events},
    {"api/stream", false, EVHTTP_REQ_GET, live_get_stream},
    {"api/session", false, EVHTTP_REQ_GET, live_get_session},
    {"api/actions", false, EVHTTP_REQ_POST, live_post_action},
    {"api/control", false, EVHTTP_REQ_POST, live_post_control},
    {"sql/", true, EVHTTP_REQ_POST, live_post_sql},
};

void live_handle(struct evhttp_request *req, void *arg)
{
    struct rdsim_live *lv = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    bool get = cmd == EVHTTP_REQ_GET, post = cmd == EVHTTP_REQ_POST;
    char *decoded = raw ? evhttp_uridecode(raw, 0, NULL) : NULL;
    const char *path = decoded ? decoded : "/";
    struct conn *c = conn_of(lv, req);
    const struct route *r;

    if (c) {
        c->deadline = 0; /* the request is here; its reply is being written */
        evhttp_request_set_on_complete_cb(req, reply_sent, c);
    }
    if (!c || c->refused) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        live_reply_error(req, 503, "too many connections (the limit is %d)", lv->cfg.max_connections);
        goto out;
    }
    if (content_lengths(req) > 1) {
        /* libevent read the body by the first one; what follows it on the
         * connection cannot be trusted to be the next request. */
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        live_reply_error(req, 400, "more than one Content-Length header");
        goto out;
    }
    while (*path == '/')
        path++;
    for (r = routes; r < routes + sizeof(routes) / sizeof(routes[0]); r++)
        if (r->prefix ? strncmp(path, r->path, strlen(r->path)) == 0 : strcmp(path, r->path) == 0)
            break;
    if (r < routes + sizeof(routes) / sizeof(routes[0]) && r->cmd == cmd)
        r->fn(lv, req, c, path + strlen(r->path));
    else if (r < routes + sizeof(routes) / sizeof(routes[0]) || strncmp(path, "api/", 4) == 0 ||
             strncmp(path, "sql/", 4) == 0)
        live_reply_error(req, r < routes + sizeof(routes) / sizeof(routes[0]) ? 405 : 404,
                         "%s /%s: no such endpoint for this method (see docs/live.md)",
                         get ? "GET" : post ? "POST" : "this method", path);
    else if (!(get && serve_asset(req, path)))
        live_reply_error(req, 404, "/%s: not found", path);
out:
    free(decoded);
}
