/*
 * state.c - what live mode tells the page: timeline entries and time-series
 * rows as the run makes them (kept, bounded, and pushed to event streams),
 * and the state JSON (instances, AZs, endpoints, failovers, the actions the
 * deployment supports).
 *
 * It reads the run and the cluster and never changes them.
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

void live_on_event(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                     const char *detail)
{
    struct rdsim_live *lv = ctx;
    json_t *e = json_pack("{s:I,s:f,s:s,s:s,s:s}", "seq", lv->next_seq++, "t_s", live_secs(t), "kind",
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

/* timeseries.csv's header (rdsim_run_columns) as an array of names: its
 * columns are identifiers and instance names, which never need quotes. */
json_t *live_split_header(const char *line)
{
    json_t *a = json_array();
    const char *p = line;

    if (!a)
        return NULL;
    for (;;) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        if (!q)
            break;
        p = q + 1;
    }
    return a;
}

/* A sample's column as the API gives it: the number timeseries.csv holds,
 * null when empty, else the name. */
static json_t *sample_value(const struct rdsim_sample_value *v)
{
    if (v->kind == RDSIM_SAMPLE_EMPTY)
        return json_null();
    if (v->kind == RDSIM_SAMPLE_NAME)
        return json_string(v->name);
    if (!isfinite(v->number)) {
        /* JSON has no infinity: the text the file holds ("inf", "nan") */
        char buf[32];
        snprintf(buf, sizeof buf, "%.*f", v->decimals, v->number);
        return json_string(buf);
    }
    return json_real(rdsim_sample_printed(v));
}

void live_on_sample(void *ctx, const struct rdsim_sample *sample)
{
    struct rdsim_live *lv = ctx;
    json_t *row = json_array(), *msg;

    if (!row)
        return;
    for (size_t i = 0; i < sample->n; i++)
        json_array_append_new(row, sample_value(&sample->v[i]));
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

json_t *live_lag_json(rdsim_time_t lag)
{
    return lag >= 0 ? json_real((double)lag / RDSIM_MS) : json_null();
}

static json_t *opt_time(rdsim_time_t t)
{
    return t < 0 ? json_null() : json_real(live_secs(t));
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
    enum rdsim_action_support failover = rdsim_cluster_supports(c, RDSIM_ACT_FAILOVER);
    json_t *a = json_array();

    json_array_append_new(a, json_pack("{s:s,s:o}", "action", "az-outage", "azs", az_list(sc)));
    if (sc->topology.n_regions > 1)
        json_array_append_new(
            a, json_pack("{s:s,s:o}", "action", "region-outage", "regions", region_list(sc)));
    json_array_append_new(a, json_pack("{s:s,s:o}", "action", "instance-failure", "targets",
                                       names_of(c, NULL)));
    json_array_append_new(a,
                          json_pack("{s:s,s:o}", "action", "reboot", "targets", names_of(c, NULL)));
    if (failover == RDSIM_ACTION_TARGETED)
        json_array_append_new(a, json_pack("{s:s,s:o}", "action", "failover", "targets",
                                           names_of(c, not_writer)));
    else if (failover == RDSIM_ACTION_SUPPORTED)
        json_array_append_new(a, json_pack("{s:s}", "action", "failover"));
    if (rdsim_cluster_supports(c, RDSIM_ACT_PROMOTE) != RDSIM_ACTION_UNSUPPORTED) {
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
    if (rdsim_cluster_supports(c, RDSIM_ACT_STORAGE_FAILURE) != RDSIM_ACTION_UNSUPPORTED)
        json_array_append_new(
            a, json_pack("{s:s,s:o}", "action", "storage-failure", "azs", az_list(sc)));
    if (rdsim_cluster_supports(c, RDSIM_ACT_GLOBAL_FAILOVER) != RDSIM_ACTION_UNSUPPORTED) {
        if (sc->topology.n_regions > 1)
            json_array_append_new(a, json_pack("{s:s,s:o}", "action", "global-failover",
                                               "regions", region_list(sc)));
    }
    json_array_append_new(a, json_pack("{s:s}", "action", "load"));
    return a;
}

static json_t *failover_json(const struct rdsim_failover *f)
{
    return json_pack("{s:f,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:s}", "at_s", live_secs(f->at), "cause",
                     rdsim_failover_cause_name(f->cause), "from", f->from, "to", f->to[0] ? json_string(f->to) : json_null(),
                     "detected_s", opt_time(f->detected), "promoted_s", opt_time(f->promoted),
                     "dns_updated_s", opt_time(f->dns_updated), "lost_writes",
                     (json_int_t)f->lost_writes, "explanation", f->explanation);
}

json_t *live_state_json(struct rdsim_live *lv)
{
    const struct rdsim_scenario *sc = lv->cfg.scenario;
    struct rdsim_cluster *c = rdsim_run_cluster(lv->run);
    json_t *st, *insts = json_array(), *regions = json_array(), *fos = json_array();
    json_t *readers = json_array(), *injected = json_array();
    int rd[MAX_READERS];
    size_t n_rd;

    for (size_t i = 0; i < rdsim_cluster_instance_count(c); i++) {
        const struct rdsim_instance_cfg *ic = rdsim_cluster_instance_cfg(c, i);
        /* The lag of the last time-series row: the figure the plot draws. */
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:o}", "name", ic->name, "role",
                              rdsim_role_name(rdsim_cluster_role(c, i)), "state",
                              rdsim_cluster_state_name(c, i), "az", ic->az, "class",
                              ic->instance_class, "up",
                              rdsim_cluster_health(c, i) == RDSIM_HEALTH_UP, "lag_ms",
                              live_lag_json(rdsim_cluster_lag_last(c, i)));
        if (!o)
            continue;
        if (rdsim_cluster_has_tiers(c))
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
            json_object_set_new(o, "at_s", json_real(live_secs(lv->recs[k].at)));
            json_array_append_new(injected, o);
        }
    }

    st = json_pack("{s:s,s:s?,s:s,s:s,s:I,s:f,s:f,s:b,s:f,s:b,s:o,s:{s:s,s:o},s:o,s:o,s:o,s:o}",
                   "scenario", sc->name, "description", sc->description, "deployment",
                   rdsim_deployment_name(sc->cluster.deployment), "engine",
                   rdsim_engine_name(sc->cluster.engine), "seed", (json_int_t)sc->seed, "t_s",
                   live_secs(rdsim_run_now(lv->run)), "duration_s", live_secs(sc->duration), "paused",
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

void live_send_state(struct rdsim_live *lv)
{
    json_t *st = live_state_json(lv);

    if (st)
        stream_send(lv, "state", st);
    json_decref(st);
    lv->dirty = false;
    lv->last_state_wall = live_wall_now();
}
