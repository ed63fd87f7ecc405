/*
 * api.c - live mode's JSON API handlers: metrics, events, the event stream,
 * the session, actions (injected through rdsim_run_inject and recorded for
 * the session) and the controls (pause, resume, speed).
 *
 * The route table that calls them is http.c's.
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

void live_get_metrics(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                      const char *rest)
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
    live_reply_json(req, 200, json_pack("{s:O,s:o}", "columns", lv->columns, "rows", rows));
}

void live_get_events(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                     const char *rest)
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
    live_reply_json(req, 200, json_pack("{s:o}", "events", out));
}

void live_get_stream(struct rdsim_live *lv, struct evhttp_request *req, struct conn *c,
                     const char *rest)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *buf;
    json_t *st;
    char *text;

    struct bufferevent *bev;

    if (lv->n_streams >= lv->cfg.max_streams) {
        live_reply_error(req, 503, "too many event streams (the limit is %d); poll /api/state, "
                              "/api/metrics and /api/events instead", lv->cfg.max_streams);
        return;
    }
    evhttp_add_header(h, "Content-Type", "text/event-stream");
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_send_reply_start(req, 200, "OK");
    /* A stream waits for nothing from its client, so no read timeout (a
     * comment every KEEPALIVE_S keeps proxies from closing it), and no
     * write timeout either: every update would re-arm it. live_close_late closes
     * a stream whose client stopped reading instead. */
    bev = evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));
    bufferevent_set_timeouts(bev, NULL, NULL);
    c->stream = req;
    c->deadline = 0;
    c->drained = live_wall_now();
    lv->n_streams++;
    st = live_state_json(lv);
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

void live_get_session(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                      const char *rest)
{
    struct rdsim_err err = {0};
    struct evbuffer *buf;
    char *text, disp[256];
    size_t len;

    if (rdsim_live_session(lv, &text, &len, &err) != 0) {
        live_reply_error(req, 500, "%s", err.msg);
        return;
    }
    buf = evbuffer_new();
    if (!buf) {
        free(text);
        live_reply_error(req, 500, "out of memory");
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
char *live_body_of(struct rdsim_live *lv, struct evhttp_request *req, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    char *s;

    if (n > lv->cfg.max_body) {
        live_reply_error(req, 413, "request body of %zu bytes is over the limit of %zu bytes", n,
                    lv->cfg.max_body);
        return NULL;
    }
    s = malloc(n + 1);
    if (!s) {
        live_reply_error(req, 500, "out of memory");
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
        live_reply_error(req, 400, "malformed JSON: %s (line %d, column %d)", jerr.text, jerr.line,
                    jerr.column);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        live_reply_error(req, 400, "expected a JSON object");
        return NULL;
    }
    return o;
}

int live_record(struct rdsim_live *lv, rdsim_time_t at, json_t *request)
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

void live_post_action(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                      const char *rest)
{
    struct rdsim_event_cfg ev = {0};
    struct rdsim_err err = {0};
    rdsim_time_t at;
    size_t len;
    char *text = live_body_of(lv, req, &len);
    json_t *o;

    if (!text)
        return;
    o = json_body(req, text, len);
    if (!o)
        goto out;
    if (!json_is_string(json_object_get(o, "action"))) {
        live_reply_error(req, 400, "request: action: expected a string naming one of the scenario "
                              "format's actions (az-outage, instance-failure, failover, ...)");
        goto out;
    }
    /* JSON is YAML: the scenario file's rules and messages apply as such. */
    if (rdsim_scenario_parse_event(lv->cfg.scenario, "request", text, len, &ev, &err) != 0) {
        live_reply_error(req, err.code == RDSIM_ENOMEM ? 500 : 400, "%s", err.msg);
        goto out;
    }
    if (rdsim_run_is_finished(lv->run) || lv->run_error.code) {
        live_reply_error(req, 409, "the simulation has %s: nothing can be injected",
                    lv->run_error.code ? "failed" : "finished");
        goto out;
    }
    if (rdsim_run_inject(lv->run, &ev, &at, &err) != 0) {
        if (err.code == RDSIM_EINVAL) {
            live_reply_error(req, 409, "%s", err.msg);
        } else {
            lv->run_error = err;
            live_reply_error(req, 500, "%s", err.msg);
        }
        goto out;
    }
    if (live_record(lv, at, o) != 0) {
        live_reply_error(req, 500, "out of memory");
        goto out;
    }
    live_rebase(lv); /* the injection may have run the clock a little ahead */
    live_reply_json(req, 200, json_pack("{s:s,s:f}", "action", rdsim_action_name(ev.action), "at_s",
                                   live_secs(at)));
    live_send_state(lv);
out:
    rdsim_event_clear(&ev);
    json_decref(o);
    free(text);
}

void live_post_control(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                       const char *rest)
{
    size_t len;
    char *text = live_body_of(lv, req, &len);
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
            live_reply_error(req, 400, "control: unknown key \"%s\" (expected paused, speed)", key);
            json_decref(o);
            return;
        }
    }
    p = json_object_get(o, "paused");
    s = json_object_get(o, "speed");
    if (p && !json_is_boolean(p)) {
        live_reply_error(req, 400, "control: paused: expected true or false");
        json_decref(o);
        return;
    }
    if (s && (!json_is_number(s) || !(json_number_value(s) > 0) ||
              json_number_value(s) > MAX_SPEED)) {
        live_reply_error(req, 400, "control: speed: expected a number above 0 and at most %g",
                    MAX_SPEED);
        json_decref(o);
        return;
    }
    live_step(lv); /* up to now at the old pace */
    if (p)
        lv->paused = json_is_true(p);
    if (s)
        lv->speed = json_number_value(s);
    live_rebase(lv);
    json_decref(o);
    live_reply_json(req, 200, json_pack("{s:b,s:f,s:f}", "paused", lv->paused, "speed", lv->speed,
                                   "t_s", live_secs(rdsim_run_now(lv->run))));
    live_send_state(lv);
}
