/*
 * replay.c - rdsim serve --replay DIR: a finished results folder served to
 * the dashboard, which plays it with a time slider (docs/live.md, "Replay").
 *
 * The folder is read once: summary.json, timeseries.csv, events.csv, and
 * the lesson text quoted at the top of report.md. The server answers the
 * live API's reads from them (GET /api/metrics, /api/events: every row) and
 * GET /api/state?t=T with the state at simulated time T:
 *   - instances, their state word and lag, and the writer endpoint's target
 *     come from the sample of the interval that holds T (the first row with
 *     t_s >= T; the last row past the end): what the run recorded then;
 *     an instance's role is its latest state word that is a role;
 *   - failovers come from summary.json, each phase time null until T
 *     reaches it (and the new writer unnamed until detection, as live);
 *   - faults in force come from events.csv ("for N s" windows).
 * Nothing is simulated and nothing is written; the folder records no AZs,
 * so instances come without one. Memory is the folder's size.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "rdsim/asset.h"
#include "rdsim/replay.h"

/* Generated from web/ by tools/embed.py (meson.build beside this file). */
extern const struct rdsim_asset rdsim_web_assets[];

/* A results folder is a few MiB; refuse what cannot be one. */
#define MAX_FILE_BYTES (256u * 1024u * 1024u)

struct rdsim_replay {
    struct event_base *base;
    struct evhttp *http;
    struct event *sigint, *sigterm;
    int port;
    char dir[1024];
    json_t *summary; /* object */
    json_t *columns; /* timeseries.csv's header, strings */
    json_t *rows;    /* its rows: arrays of numbers, strings and nulls */
    json_t *events;  /* events.csv as {seq, t_s, kind, subject, detail} */
    char *description;
};

/* ---- reading the folder --------------------------------------------------- */

static char *slurp(const char *path, size_t *len, struct rdsim_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n + 1 >= cap) {
            size_t want = cap ? cap * 2 : 65536;
            char *nb = want > MAX_FILE_BYTES + 1 ? NULL : realloc(buf, want);
            if (!nb) {
                rdsim_err_set(err, RDSIM_EINVAL, "%s: too large for a results file",
                              path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = want;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A CSV field as the live API gives it: a number, null when empty, else
 * the text. */
static json_t *field_value(const char *s, size_t n, bool text)
{
    char buf[64], *end;

    if (text)
        return json_stringn(s, n);
    if (n == 0)
        return json_null();
    if (n < sizeof(buf)) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        errno = 0;
        double v = strtod(buf, &end);
        if (*end == '\0' && errno == 0 && isfinite(v))
            return json_real(v);
    }
    return json_stringn(s, n);
}

/* One CSV line (RFC 4180 quoting, as rdsim writes events.csv) from *p into
 * a new array; *p moves past the line. All fields text when `text`. */
static json_t *csv_line(const char **p, const char *end, bool text)
{
    json_t *a = json_array();
    const char *s = *p;
    char *field = malloc((size_t)(end - s) + 1);

    if (!a || !field) {
        json_decref(a);
        free(field);
        return NULL;
    }
    for (;;) {
        size_t n = 0;
        bool quoted = s < end && *s == '"';
        if (quoted) {
            for (s++; s < end; s++) {
                if (*s == '"' && s + 1 < end && s[1] == '"')
                    field[n++] = *s++;
                else if (*s == '"')
                    break;
                else
                    field[n++] = *s;
            }
            if (s < end)
                s++; /* the closing quote */
        }
        while (s < end && *s != ',' && *s != '\n' && *s != '\r')
            field[n++] = *s++;
        json_array_append_new(a, field_value(field, n, text || quoted));
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        break;
    }
    while (s < end && (*s == '\r' || *s == '\n'))
        s++;
    *p = s;
    free(field);
    return a;
}

static int read_timeseries(struct rdsim_replay *rp, struct rdsim_err *err)
{
    char path[1200];
    size_t len, line = 1;
    snprintf(path, sizeof(path), "%s/timeseries.csv", rp->dir);
    char *buf = slurp(path, &len, err);
    if (!buf)
        return RDSIM_EINVAL;
    const char *p = buf, *end = buf + len;
    int rc = 0;

    rp->columns = csv_line(&p, end, true);
    rp->rows = json_array();
    if (!rp->columns || !rp->rows) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    if (json_array_size(rp->columns) < 2 ||
        strcmp(json_string_value(json_array_get(rp->columns, 0)), "t_s") != 0) {
        rc = rdsim_err_set(err, RDSIM_EINVAL,
                           "%s:1: not rdsim's timeseries.csv (it starts "
                           "with the column t_s)",
                           path);
        goto out;
    }
    while (p < end) {
        json_t *row = csv_line(&p, end, false);
        line++;
        if (!row || json_array_size(row) != json_array_size(rp->columns) ||
            !json_is_number(json_array_get(row, 0))) {
            rc = rdsim_err_set(err, RDSIM_EINVAL,
                               "%s:%zu: expected %zu fields starting with "
                               "a time, as in the header",
                               path, line, json_array_size(rp->columns));
            json_decref(row);
            goto out;
        }
        json_array_append_new(rp->rows, row);
    }
out:
    free(buf);
    return rc;
}

static int read_events(struct rdsim_replay *rp, struct rdsim_err *err)
{
    char path[1200];
    size_t len, line = 1;
    snprintf(path, sizeof(path), "%s/events.csv", rp->dir);
    char *buf = slurp(path, &len, err);
    if (!buf)
        return RDSIM_EINVAL;
    const char *p = buf, *end = buf + len;
    int rc = 0;
    json_t *head = csv_line(&p, end, true);

    rp->events = json_array();
    if (!head || !rp->events) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    const char *want[] = {"t_s", "kind", "subject", "detail"};
    for (size_t k = 0; k < 4; k++) {
        const char *got = json_string_value(json_array_get(head, k));
        if (json_array_size(head) != 4 || !got || strcmp(got, want[k]) != 0) {
            rc = rdsim_err_set(err, RDSIM_EINVAL,
                               "%s:1: not rdsim's events.csv (its header is "
                               "t_s,kind,subject,detail)",
                               path);
            goto out;
        }
    }
    while (p < end) {
        json_t *row = csv_line(&p, end, false);
        line++;
        if (!row || json_array_size(row) != 4 ||
            !json_is_number(json_array_get(row, 0))) {
            rc = rdsim_err_set(err, RDSIM_EINVAL,
                               "%s:%zu: expected t_s,kind,subject,detail", path, line);
            json_decref(row);
            goto out;
        }
        /* kind, subject and detail as text even when they look numeric. */
        json_t *e = json_pack(
            "{s:I,s:O,s:O,s:O,s:O}", "seq", (json_int_t)json_array_size(rp->events),
            "t_s", json_array_get(row, 0), "kind", json_array_get(row, 1), "subject",
            json_array_get(row, 2), "detail", json_array_get(row, 3));
        json_decref(row);
        for (const char *k = "kind"; e && k; k = strcmp(k, "kind") == 0      ? "subject"
                                                 : strcmp(k, "subject") == 0 ? "detail"
                                                                             : NULL) {
            json_t *v = json_object_get(e, k);
            if (json_is_number(v)) {
                char num[64];
                snprintf(num, sizeof(num), "%g", json_number_value(v));
                json_object_set_new(e, k, json_string(num));
            } else if (json_is_null(v)) {
                json_object_set_new(e, k, json_string(""));
            }
        }
        if (!e) {
            rc = rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
            goto out;
        }
        json_array_append_new(rp->events, e);
    }
out:
    json_decref(head);
    free(buf);
    return rc;
}

/* The lesson's description: the quoted paragraphs under report.md's title
 * ("> Question: ..."), quotes removed. NULL without report.md. */
static char *read_description(const char *dir)
{
    char path[1200];
    size_t len;
    snprintf(path, sizeof(path), "%s/report.md", dir);
    char *buf = slurp(path, &len, NULL), *out;
    if (!buf)
        return NULL;
    out = malloc(len + 2);
    size_t n = 0;
    bool started = false;
    for (char *line = buf; out && line < buf + len;) {
        char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        if (ll > 0 && line[0] == '>') {
            size_t skip = ll > 1 && line[1] == ' ' ? 2 : 1;
            started = true;
            memcpy(out + n, line + skip, ll - skip);
            n += ll - skip;
            out[n++] = '\n';
        } else if (ll == 0 || (ll == 1 && line[0] == '\r')) {
            if (started)
                out[n++] = '\n';
        } else if (started) {
            break;
        }
        line += ll + (nl != NULL);
    }
    free(buf);
    if (out && n == 0) {
        free(out);
        return NULL;
    }
    if (out)
        out[n] = '\0';
    return out;
}

/* ---- the state at a time -------------------------------------------------- */

static int column(const struct rdsim_replay *rp, const char *name)
{
    size_t k;
    json_t *c;
    json_array_foreach(rp->columns, k, c)
    {
        if (strcmp(json_string_value(c), name) == 0)
            return (int)k;
    }
    return -1;
}

/* The row of the interval that holds t: the first with t_s >= t, else the
 * last; -1 when there are none. */
static long row_at(const struct rdsim_replay *rp, double t)
{
    size_t lo = 0, hi = json_array_size(rp->rows);
    if (hi == 0)
        return -1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (json_number_value(json_array_get(json_array_get(rp->rows, mid), 0)) <
            t - 1e-9)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < json_array_size(rp->rows) ? (long)lo
                                          : (long)json_array_size(rp->rows) - 1;
}

static bool is_role(const char *w)
{
    return strcmp(w, "writer") == 0 || strcmp(w, "standby") == 0 ||
           strcmp(w, "replica") == 0;
}

static json_t *instances_at(const struct rdsim_replay *rp, long r, const char *deployment,
                            json_t *readers)
{
    json_t *out = json_array();
    size_t k;
    json_t *c;
    json_t *row = r >= 0 ? json_array_get(rp->rows, (size_t)r) : NULL;

    json_array_foreach(rp->columns, k, c)
    {
        const char *col = json_string_value(c);
        if (strncmp(col, "role_", 5) != 0 || !row)
            continue;
        const char *name = col + 5, *state = json_string_value(json_array_get(row, k));
        const char *role = "replica";
        char lagcol[300], acucol[300];
        if (!state)
            state = "down";
        /* The role: the latest state word up to now that is one. */
        for (long i = r; i >= 0; i--) {
            const char *w =
                json_string_value(json_array_get(json_array_get(rp->rows, (size_t)i), k));
            if (w && is_role(w)) {
                role = w;
                break;
            }
        }
        snprintf(lagcol, sizeof(lagcol), "lag_ms_%s", name);
        snprintf(acucol, sizeof(acucol), "acu_%s", name);
        int lc = column(rp, lagcol), ac = column(rp, acucol);
        double lag = lc >= 0 ? json_number_value(json_array_get(row, (size_t)lc)) : 0;
        bool up = strcmp(state, "down") != 0 && strcmp(state, "starting") != 0;
        json_t *o =
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:f}", "name", name, "role", role,
                      "state", state, "az", "", "class", "", "up", up, "lag_ms", lag);
        if (o && ac >= 0 && json_number_value(json_array_get(row, (size_t)ac)) > 0)
            json_object_set_new(
                o, "acu", json_real(json_number_value(json_array_get(row, (size_t)ac))));
        json_array_append_new(out, o);
        if (strcmp(state, "replica") == 0 ||
            (strcmp(state, "standby") == 0 &&
             strcmp(deployment, "multi-az-cluster") == 0))
            json_array_append_new(readers, json_string(name));
    }
    return out;
}

/* summary.json's failovers as the live state gives them at time t. */
static json_t *failovers_at(const struct rdsim_replay *rp, double t)
{
    json_t *out = json_array(), *f;
    size_t k;
    json_array_foreach(json_object_get(rp->summary, "failovers"), k, f)
    {
        if (json_number_value(json_object_get(f, "at_s")) > t + 1e-9)
            continue;
        json_t *o = json_deep_copy(f);
        const char *phases[] = {"detected_s", "promoted_s", "dns_updated_s"};
        for (size_t i = 0; o && i < 3; i++) {
            json_t *v = json_object_get(o, phases[i]);
            if (json_is_number(v) && json_number_value(v) > t + 1e-9)
                json_object_set_new(o, phases[i], json_null());
        }
        if (o && json_is_null(json_object_get(o, "detected_s"))) {
            json_object_set_new(o, "to", json_null());
            json_object_set_new(o, "explanation", json_string(""));
        }
        if (o && json_is_null(json_object_get(o, "promoted_s")))
            json_object_set_new(o, "lost_writes", json_integer(0));
        json_array_append_new(out, o);
    }
    return out;
}

/* Faults in force at t, from events.csv: "ACTION for N s" lasts N s,
 * "until the end" to the end; other faults are instants. */
static json_t *faults_at(const struct rdsim_replay *rp, double t)
{
    json_t *out = json_array(), *e;
    size_t k;
    json_array_foreach(rp->events, k, e)
    {
        double at = json_number_value(json_object_get(e, "t_s")), len;
        const char *detail = json_string_value(json_object_get(e, "detail"));
        const char *f = detail ? strstr(detail, " for ") : NULL;
        if (strcmp(json_string_value(json_object_get(e, "kind")), "fault") != 0 || at > t)
            continue;
        if (f && sscanf(f, " for %lf s", &len) == 1) {
            if (t < at + len)
                json_array_append_new(out, json_pack("{s:O,s:s#,s:f,s:f}", "subject",
                                                     json_object_get(e, "subject"),
                                                     "action", detail, (int)(f - detail),
                                                     "from_s", at, "until_s", at + len));
        } else if (detail && strstr(detail, "until the end")) {
            json_array_append_new(out, json_pack("{s:O,s:s,s:f,s:n}", "subject",
                                                 json_object_get(e, "subject"), "action",
                                                 detail, "from_s", at, "until_s"));
        }
    }
    return out;
}

/* What the writer endpoint names at t: the latest "dns" event's "now
 * resolves to NAME", else the first sample's writer. A new reference. */
static json_t *writer_endpoint_at(const struct rdsim_replay *rp, double t)
{
    json_t *e, *name = NULL;
    size_t k;
    int wc = column(rp, "writer");
    if (wc >= 0 && json_array_size(rp->rows) > 0)
        name = json_incref(json_array_get(json_array_get(rp->rows, 0), (size_t)wc));
    json_array_foreach(rp->events, k, e)
    {
        const char *d = json_string_value(json_object_get(e, "detail")), *p;
        if (json_number_value(json_object_get(e, "t_s")) > t + 1e-9)
            break;
        if (strcmp(json_string_value(json_object_get(e, "kind")), "dns") != 0 || !d ||
            !(p = strstr(d, "resolves to ")))
            continue;
        p += strlen("resolves to ");
        json_decref(name);
        name = json_stringn(p, strcspn(p, " "));
    }
    if (name && !json_is_string(name)) {
        json_decref(name);
        name = NULL;
    }
    return name;
}

static json_t *state_at(const struct rdsim_replay *rp, double t)
{
    json_t *s = rp->summary, *readers = json_array();
    double duration = json_number_value(json_object_get(s, "simulated_s"));
    const char *deployment = json_string_value(json_object_get(s, "deployment"));
    if (t < 0)
        t = 0;
    if (t > duration)
        t = duration;
    long r = row_at(rp, t);
    json_t *writer = writer_endpoint_at(rp, t);
    json_t *insts = instances_at(rp, r, deployment ? deployment : "", readers);

    return json_pack(
        "{s:O,s:s?,s:O,s:O,s:O,s:f,s:f,s:b,s:f,s:b,s:o,s:{s:o?,s:o},s:[],s:o,"
        "s:o,s:[],s:[],s:b,s:s,s:f}",
        "scenario", json_object_get(s, "scenario"), "description", rp->description,
        "deployment", json_object_get(s, "deployment"), "engine",
        json_object_get(s, "engine"), "seed", json_object_get(s, "seed"), "t_s", t,
        "duration_s", duration, "paused", true, "speed", 1.0, "finished", t >= duration,
        "instances", insts, "endpoints", "writer", writer, "reader", readers, "regions",
        "failovers", failovers_at(rp, t), "faults", faults_at(rp, t), "actions",
        "injected", "replay", true, "dir", rp->dir, "sample_t_s",
        r >= 0 ? json_number_value(json_array_get(json_array_get(rp->rows, (size_t)r), 0))
               : 0.0);
}

/* ---- HTTP ------------------------------------------------------------------ */

static void reply(struct evhttp_request *req, int code, json_t *body)
{
    struct evbuffer *buf = evbuffer_new();
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!buf) {
        free(text);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    if (text)
        evbuffer_add(buf, text, strlen(text));
    else
        evbuffer_add_printf(buf, "{\"error\":\"out of memory\"}");
    free(text);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json; charset=utf-8");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control",
                      "no-cache");
    evhttp_send_reply(req, text ? code : 500, code == 200 ? "OK" : "Error", buf);
    evbuffer_free(buf);
}

static void reply_error(struct evhttp_request *req, int code, const char *msg,
                        const char *path)
{
    reply(req, code, json_pack("{s:s++}", "error", msg, "/", path));
}

static bool query_double(struct evhttp_request *req, const char *name, double *out)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evkeyvalq params;
    bool ok = false;
    if (!q || evhttp_parse_query_str(q, &params) != 0)
        return false;
    const char *v = evhttp_find_header(&params, name);
    if (v) {
        char *end;
        errno = 0;
        *out = strtod(v, &end);
        ok = *v && !*end && errno == 0 && isfinite(*out);
    }
    evhttp_clear_headers(&params);
    return ok;
}

static void handle(struct evhttp_request *req, void *arg)
{
    struct rdsim_replay *rp = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
    char *decoded = raw ? evhttp_uridecode(raw, 0, NULL) : NULL;
    const char *path = decoded ? decoded : "/";
    double v;

    while (*path == '/')
        path++;
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        reply_error(req, 405, "a replay is read-only: nothing to post to ", path);
    } else if (strcmp(path, "api/replay") == 0) {
        reply(req, 200,
              json_pack("{s:b,s:s,s:O}", "replay", true, "dir", rp->dir, "summary",
                        rp->summary));
    } else if (strcmp(path, "api/state") == 0) {
        if (!query_double(req, "t", &v))
            v = 0;
        reply(req, 200, state_at(rp, v));
    } else if (strcmp(path, "api/metrics") == 0) {
        double since = -1;
        json_t *rows = json_array(), *row;
        size_t k;
        if (!query_double(req, "since", &since))
            since = -1;
        json_array_foreach(rp->rows, k, row)
        {
            if (json_number_value(json_array_get(row, 0)) > since)
                json_array_append(rows, row);
        }
        reply(req, 200, json_pack("{s:O,s:o}", "columns", rp->columns, "rows", rows));
    } else if (strcmp(path, "api/events") == 0) {
        double since = 0;
        json_t *out = json_array(), *e;
        size_t k;
        if (!query_double(req, "since", &since))
            since = 0;
        json_array_foreach(rp->events, k, e)
        {
            if ((double)json_integer_value(json_object_get(e, "seq")) >= since)
                json_array_append(out, e);
        }
        reply(req, 200, json_pack("{s:o}", "events", out));
    } else if (strncmp(path, "api/", 4) == 0 || strncmp(path, "sql/", 4) == 0) {
        reply_error(req, 404,
                    "not in a replay (it serves api/replay, api/state?t=T, "
                    "api/metrics and api/events): ",
                    path);
    } else {
        const struct rdsim_asset *a =
            strchr(path, '/')
                ? NULL
                : rdsim_asset_find(rdsim_web_assets, *path ? path : "index.html");
        struct evbuffer *buf = a ? evbuffer_new() : NULL;
        if (!buf) {
            reply_error(req, 404, "not found: ", path);
        } else {
            evbuffer_add_reference(buf, a->data, a->size, NULL, NULL);
            evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                              rdsim_asset_content_type(a->name));
            evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control",
                              "no-cache");
            evhttp_send_reply(req, 200, "OK", buf);
            evbuffer_free(buf);
        }
    }
    free(decoded);
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

/* ---- lifecycle ------------------------------------------------------------- */

int rdsim_replay_create(const struct rdsim_replay_config *cfg, struct rdsim_replay **out,
                        struct rdsim_err *err)
{
    struct rdsim_replay *rp = calloc(1, sizeof(*rp));
    char path[1200];
    json_error_t jerr;
    int rc = 0;

    *out = NULL;
    if (!rp)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    snprintf(rp->dir, sizeof(rp->dir), "%s", cfg->dir);
    snprintf(path, sizeof(path), "%s/summary.json", rp->dir);
    rp->summary = json_load_file(path, 0, &jerr);
    if (!rp->summary) {
        rc = rdsim_err_set(err, RDSIM_EINVAL,
                           "%s:%d: %s (is %s a results folder? rdsim run "
                           "-o DIR writes one)",
                           path, jerr.line, jerr.text, rp->dir);
        goto fail;
    }
    if (!json_is_object(rp->summary) ||
        !json_is_string(json_object_get(rp->summary, "scenario")) ||
        !json_is_number(json_object_get(rp->summary, "simulated_s"))) {
        rc = rdsim_err_set(err, RDSIM_EINVAL,
                           "%s: not rdsim's summary.json (no scenario or "
                           "simulated_s)",
                           path);
        goto fail;
    }
    if ((rc = read_timeseries(rp, err)) != 0 || (rc = read_events(rp, err)) != 0)
        goto fail;
    rp->description = read_description(rp->dir);

    rp->base = event_base_new();
    rp->http = rp->base ? evhttp_new(rp->base) : NULL;
    if (!rp->http) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "cannot start the HTTP server");
        goto fail;
    }
    evhttp_set_allowed_methods(rp->http,
                               EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(rp->http, handle, rp);
    struct evhttp_bound_socket *sock = evhttp_bind_socket_with_handle(
        rp->http, cfg->bind ? cfg->bind : "127.0.0.1", (ev_uint16_t)cfg->port);
    if (!sock) {
        rc = rdsim_err_set(err, RDSIM_EIO, "cannot listen on %s:%d: %s",
                           cfg->bind ? cfg->bind : "127.0.0.1", cfg->port,
                           strerror(errno));
        goto fail;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sl) == 0)
        rp->port = ss.ss_family == AF_INET6
                       ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                       : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    rp->sigint = evsignal_new(rp->base, SIGINT, on_signal, rp->base);
    rp->sigterm = evsignal_new(rp->base, SIGTERM, on_signal, rp->base);
    if (!rp->sigint || !rp->sigterm || event_add(rp->sigint, NULL) ||
        event_add(rp->sigterm, NULL)) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "cannot watch for signals");
        goto fail;
    }
    *out = rp;
    return 0;
fail:
    rdsim_replay_destroy(rp);
    return rc;
}

const char *rdsim_replay_name(const struct rdsim_replay *rp)
{
    return json_string_value(json_object_get(rp->summary, "scenario"));
}

int rdsim_replay_port(const struct rdsim_replay *rp)
{
    return rp->port;
}

int rdsim_replay_loop(struct rdsim_replay *rp, struct rdsim_err *err)
{
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    int rc = event_base_dispatch(rp->base);
    signal(SIGPIPE, old);
    if (rc < 0)
        return rdsim_err_set(err, RDSIM_EINTERNAL, "the event loop failed");
    return 0;
}

void rdsim_replay_destroy(struct rdsim_replay *rp)
{
    if (!rp)
        return;
    if (rp->sigint)
        event_free(rp->sigint);
    if (rp->sigterm)
        event_free(rp->sigterm);
    if (rp->http)
        evhttp_free(rp->http);
    if (rp->base)
        event_base_free(rp->base);
    json_decref(rp->summary);
    json_decref(rp->columns);
    json_decref(rp->rows);
    json_decref(rp->events);
    free(rp->description);
    free(rp);
}
