/*
 * console.c - live mode's SQL console: POST /sql/INSTANCE runs one statement
 * on that instance's database, as a client connected to it would (refused
 * when the instance cannot answer), bounded in wall time (SQL_MAX_MS per
 * statement, SQL_SHARE of the clock over SQL_WINDOW_S), steps and rows.
 *
 * Its simulated latency draws from live mode's own stream, so the console
 * never perturbs the run; its writes change data only.
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
    return live_wall_now() > *(const double *)ctx;
}

static int find_instance(struct rdsim_cluster *c, const char *name)
{
    for (size_t i = 0; i < rdsim_cluster_instance_count(c); i++)
        if (strcmp(rdsim_cluster_instance_name(c, i), name) == 0)
            return (int)i;
    return -1;
}

void live_post_sql(struct rdsim_live *lv, struct evhttp_request *req, struct conn *conn,
                   const char *target)
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
            live_reply_error(req, 404, "no instance \"%s\" in this cluster", target + 9);
            goto out;
        }
    } else {
        live_reply_error(req, 404, "no SQL endpoint \"%s\" (expected sql/writer, sql/reader or "
                              "sql/instance/NAME)", target);
        goto out;
    }
    if (i < 0) {
        live_reply_error(req, 503, "the %s names no instance now", via);
        goto out;
    }
    snprintf(what, sizeof(what), "%s -> %s", via, rdsim_cluster_instance_name(c, (size_t)i));
    text = live_body_of(lv, req, &len);
    if (!text)
        goto out;
    /* One statement may hold the whole server (one thread) for SQL_MAX_MS;
     * many at once, from one client or several, get SQL_SHARE of the time
     * and a 503 past it, so everything else keeps being answered. */
    lv->sql_credit += (live_wall_now() - lv->sql_credit_wall) * SQL_SHARE;
    if (lv->sql_credit > SQL_SHARE * SQL_WINDOW_S)
        lv->sql_credit = SQL_SHARE * SQL_WINDOW_S;
    lv->sql_credit_wall = live_wall_now();
    if (lv->sql_credit < SQL_MAX_MS / 1000.0) { /* room for a whole statement */
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        live_reply_error(req, 503, "%s: the SQL console is busy (its statements have used their "
                              "share of the server's time); try again in a second", what);
        goto out;
    }
    switch (rdsim_cluster_can_answer(c, (size_t)i, RDSIM_OP_READ)) {
    case RDSIM_ANSWER_TIMEOUT:
        live_reply_error(req, 503, "%s: unreachable (%s): the connection times out", what,
                         rdsim_cluster_state_name(c, (size_t)i));
        goto out;
    case RDSIM_ANSWER_REFUSED:
        live_reply_error(req, 503, "%s: connection refused: the engine is starting", what);
        goto out;
    case RDSIM_ANSWER_NOT_SERVING:
        live_reply_error(req, 503, "%s: a Multi-AZ standby serves no queries", what);
        goto out;
    case RDSIM_ANSWER_NO_QUORUM:
        live_reply_error(req, 503, "%s: the storage volume has lost its read quorum", what);
        goto out;
    case RDSIM_ANSWER_READ_ONLY: /* not for a read */
    case RDSIM_ANSWER_YES:
        break;
    }
    read_only = (size_t)i != rdsim_cluster_writer(c) ||
                rdsim_cluster_role(c, (size_t)i) != RDSIM_ROLE_WRITER;
    started = live_wall_now();
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
    lv->sql_credit -= live_wall_now() - started;
    if (rc != 0) {
        code = err.code == RDSIM_EPERM ? 403 : err.code == RDSIM_EINVAL ? 400 : 500;
        live_reply_error(req, code, "%s: %s", what, err.msg);
        goto out;
    }
    /* A round trip from a client AZ and a nominal service time; drawn from
     * this module's stream, never the run's. */
    latency = 2 * rdsim_cluster_one_way(c, rdsim_rng_below(&lv->rng, rdsim_cluster_client_azs(c)),
                                        (size_t)i, &lv->rng) +
              (res.wrote ? RDSIM_MS : 200 * RDSIM_US);
    live_reply_json(req, 200,
               json_pack("{s:s,s:s,s:s,s:f,s:o,s:f,s:O,s:O,s:I,s:b}", "endpoint", via,
                         "instance", rdsim_cluster_instance_name(c, (size_t)i), "role",
                         rdsim_role_name(rdsim_cluster_role(c, (size_t)i)), "latency_ms",
                         (double)latency / RDSIM_MS, "lag_ms",
                         live_lag_json(rdsim_cluster_lag_last(c, (size_t)i)), "t_s",
                         live_secs(rdsim_run_now(lv->run)), "columns", sink.columns, "rows",
                         sink.rows, "changes", (json_int_t)res.changes, "truncated",
                         res.truncated));
out:
    json_decref(sink.columns);
    json_decref(sink.rows);
    free(text);
}
