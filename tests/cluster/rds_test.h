/*
 * rds_test.h - the harness the RDS and replication tests share (test_rds.c,
 * test_rds_mazc.c, test_replication.c): a cluster built from a YAML string,
 * driven by the engine and a write pump (1 ms unless pump_every says)
 * instead of the workload module, with an observer that records the
 * timeline.
 */
#ifndef RDSIM_TEST_RDS_H
#define RDSIM_TEST_RDS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/cluster.h"
#include "rdsim/scenario.h"

#define ROWS 100
#define MAX_LINES 256

/* ---- harness ------------------------------------------------------------- */

struct line {
    rdsim_time_t t;
    char what[96]; /* "kind subject" */
    char detail[256];
};

struct world {
    struct rdsim_scenario *sc;
    struct rdsim_sim *sim;
    struct rdsim_cluster *c;
    struct line lines[MAX_LINES];
    int n_lines;
    int writer_down;

    /* the write pump: writes_per_ms every pump_every (0: 1 ms) */
    int writes_per_ms;
    rdsim_time_t pump_every;
    rdsim_time_t stop_writes_at;
    uint64_t opid;
    int pump_failed;

    /* a "rejoined" line: was its data the writer's then? stop writing? */
    int rejoins, rejoin_equal;
    bool stop_at_rejoin;

    /* what the new writer looked like when it took over */
    int new_writer_calls;
    bool equal_at_promotion;
    int64_t old_sum_at_promotion, new_sum_at_promotion;
};

static inline bool same_rows(struct rdsim_db *a, struct rdsim_db *b);

static inline void on_event(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                     const char *detail)
{
    struct world *w = ctx;

    if (strcmp(kind, "rejoined") == 0) {
        size_t wr = rdsim_cluster_writer(w->c);
        for (size_t i = 0; i < rdsim_cluster_instance_count(w->c); i++)
            if (strcmp(rdsim_cluster_instance_name(w->c, i), subject) == 0)
                w->rejoin_equal +=
                    same_rows(rdsim_cluster_db(w->c, i), rdsim_cluster_db(w->c, wr));
        w->rejoins++;
        if (w->stop_at_rejoin)
            w->stop_writes_at = t;
    }
    if (w->n_lines >= MAX_LINES)
        return;
    w->lines[w->n_lines].t = t;
    snprintf(w->lines[w->n_lines].what, sizeof(w->lines[0].what), "%s %s", kind, subject);
    snprintf(w->lines[w->n_lines].detail, sizeof(w->lines[0].detail), "%s", detail);
    w->n_lines++;
}

static inline void on_writer_down(void *ctx, rdsim_time_t t, enum rdsim_failover_cause cause)
{
    struct world *w = ctx;
    (void)t;
    (void)cause;
    w->writer_down++;
}

static inline int collect_row(void *ctx, int64_t key, const struct rdsim_row *row)
{
    struct rdsim_row *rows = ctx;

    if (key < 0 || key >= ROWS)
        return -1;
    rows[key] = *row;
    return 0;
}

static inline void rows_of(struct rdsim_db *db, struct rdsim_row rows[ROWS])
{
    struct rdsim_err err;

    memset(rows, 0, ROWS * sizeof(*rows));
    if (rdsim_db_scan(db, collect_row, rows, &err) != 0)
        fail_msg("scan: %s", err.msg);
}

static inline bool same_rows(struct rdsim_db *a, struct rdsim_db *b)
{
    struct rdsim_row ra[ROWS], rb[ROWS];

    rows_of(a, ra);
    rows_of(b, rb);
    for (int k = 0; k < ROWS; k++)
        if (ra[k].ver != rb[k].ver || ra[k].cnt != rb[k].cnt ||
            ra[k].committed_ns != rb[k].committed_ns)
            return false;
    return true;
}

/* Every write a database holds: the sum of its rows' cnt. */
static inline int64_t cnt_sum(struct rdsim_db *db)
{
    struct rdsim_row r[ROWS];
    int64_t s = 0;

    rows_of(db, r);
    for (int k = 0; k < ROWS; k++)
        s += r[k].cnt;
    return s;
}

static inline int on_new_writer(void *ctx, struct rdsim_db *db, uint64_t *lost, bool *bounded,
                         struct rdsim_err *err)
{
    struct world *w = ctx;
    /* Called before the switch: the cluster's writer is still the old one. */
    struct rdsim_db *old = rdsim_cluster_db(w->c, rdsim_cluster_writer(w->c));
    (void)err;

    w->new_writer_calls++;
    w->equal_at_promotion = same_rows(old, db);
    w->old_sum_at_promotion = cnt_sum(old);
    w->new_sum_at_promotion = cnt_sum(db);
    *lost = 0;
    *bounded = false;
    return 0;
}

/* One pump tick: what clients would write on the writer this millisecond
 * (or pump_every). */
static inline void pump(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct world *w = ctx;
    rdsim_time_t now = rdsim_sim_now(sim);
    size_t wr = rdsim_cluster_writer(w->c);
    struct rdsim_err err;
    (void)arg;

    if (now >= w->stop_writes_at)
        return;
    if (rdsim_cluster_health(w->c, wr) == RDSIM_HEALTH_UP) {
        for (int k = 0; k < w->writes_per_ms; k++) {
            int64_t pos;
            w->opid++;
            if (rdsim_db_write(rdsim_cluster_db(w->c, wr), (int64_t)(w->opid % ROWS),
                               w->opid, now, &pos, &err) != 0) {
                w->pump_failed = 1;
                return;
            }
        }
        rdsim_cluster_committed(w->c, now);
    }
    if (!rdsim_sim_after(sim, w->pump_every ? w->pump_every : RDSIM_MS, pump, w, 0))
        w->pump_failed = 1;
}

/* Build a started cluster from `yaml`; writes_per_ms 0 means no pump. */
static inline struct world *build(const char *yaml, int writes_per_ms,
                           rdsim_time_t stop_writes_at)
{
    struct world *w = calloc(1, sizeof(*w));
    struct rdsim_err err;

    assert_non_null(w);
    if (rdsim_scenario_load_buffer("t.yaml", yaml, strlen(yaml), &w->sc, &err) != 0)
        fail_msg("scenario: %s", err.msg);
    assert_int_equal(rdsim_sim_create(&w->sim, NULL), 0);
    if (rdsim_cluster_create(w->sim,
                             &(struct rdsim_cluster_config){
                                 .scenario = w->sc,
                                 .seed = 1,
                                 .observer = {.ctx = w,
                                              .event = on_event,
                                              .writer_down = on_writer_down,
                                              .new_writer = on_new_writer},
                             },
                             &w->c, &err) != 0)
        fail_msg("cluster: %s", err.msg);
    assert_int_equal(rdsim_cluster_start(w->c, NULL), 0);
    w->writes_per_ms = writes_per_ms;
    w->stop_writes_at = stop_writes_at;
    if (writes_per_ms > 0)
        assert_true(rdsim_sim_after(w->sim, RDSIM_MS, pump, w, 0) != 0);
    return w;
}

static inline void destroy(struct world *w)
{
    assert_int_equal(w->pump_failed, 0);
    assert_null(rdsim_sim_error(w->sim));
    rdsim_cluster_destroy(w->c);
    rdsim_sim_destroy(w->sim);
    rdsim_scenario_free(w->sc);
    free(w);
}

static inline void run_to(struct world *w, rdsim_time_t t)
{
    rdsim_sim_run_until(w->sim, t);
    assert_null(rdsim_sim_error(w->sim));
}

/* Index of the first timeline line "kind subject" at or after line `from`,
 * -1 if none. */
static inline int find_line(const struct world *w, const char *what, int from)
{
    for (int k = from; k < w->n_lines; k++)
        if (strcmp(w->lines[k].what, what) == 0)
            return k;
    return -1;
}

/* When each endpoint's answer first changed while stepping to `until`. */
struct watch {
    rdsim_time_t writer, lookup, proxy, topo, health0;
};

static inline void watch_until(struct world *w, rdsim_time_t until, rdsim_time_t step,
                        struct watch *out)
{
    struct rdsim_rng rng;
    size_t writer0 = rdsim_cluster_writer(w->c);
    int lookup0, proxy0, topo0;
    enum rdsim_health h0;

    rdsim_rng_init(&rng, 3, "test");
    lookup0 = rdsim_cluster_lookup(w->c, RDSIM_EP_WRITER, &rng);
    proxy0 = rdsim_cluster_proxy_route(w->c, RDSIM_EP_WRITER, &rng);
    topo0 = rdsim_cluster_topology_route(w->c, RDSIM_EP_WRITER, &rng);
    h0 = rdsim_cluster_health(w->c, 0);
    *out = (struct watch){-1, -1, -1, -1, -1};
    for (rdsim_time_t t = rdsim_sim_now(w->sim) + step; t <= until; t += step) {
        run_to(w, t);
        if (out->writer < 0 && rdsim_cluster_writer(w->c) != writer0)
            out->writer = t;
        if (out->lookup < 0 &&
            rdsim_cluster_lookup(w->c, RDSIM_EP_WRITER, &rng) != lookup0)
            out->lookup = t;
        if (out->proxy < 0 &&
            rdsim_cluster_proxy_route(w->c, RDSIM_EP_WRITER, &rng) != proxy0)
            out->proxy = t;
        if (out->topo < 0 &&
            rdsim_cluster_topology_route(w->c, RDSIM_EP_WRITER, &rng) != topo0)
            out->topo = t;
        if (out->health0 < 0 && rdsim_cluster_health(w->c, 0) != h0)
            out->health0 = t;
    }
}

#define S(x) ((rdsim_time_t)(x)*RDSIM_S)
#define MS(x) ((rdsim_time_t)(x)*RDSIM_MS)
#define assert_between(v, lo, hi)                                                        \
    do {                                                                                 \
        int64_t v_ = (v), lo_ = (lo), hi_ = (hi);                                        \
        if (v_ < lo_ || v_ > hi_)                                                        \
            fail_msg("%s = %lld not in [%lld, %lld]", #v, (long long)v_, (long long)lo_, \
                     (long long)hi_);                                                    \
    } while (0)

#define HEAD "name: t\nduration: 1h\nworkload:\n  rows: 100\n"

#define SINGLE_AZ_REPLICA(events)                                                        \
    HEAD "cluster:\n  deployment: single-az\n  instances:\n"                             \
         "    - {name: primary, role: writer, az: us-east-1a}\n"                         \
         "    - {name: r1, role: replica, az: us-east-1b}\n" events

#define MAZI(events)                                                                     \
    HEAD "cluster:\n  deployment: multi-az-instance\n  instances:\n"                     \
         "    - {name: primary, role: writer, az: us-east-1a}\n"                         \
         "    - {name: standby, role: standby, az: us-east-1b}\n" events

#define MAZC(events)                                                                     \
    HEAD "cluster:\n  deployment: multi-az-cluster\n  instances:\n"                      \
         "    - {name: w, role: writer, az: us-east-1a}\n"                               \
         "    - {name: s1, role: standby, az: us-east-1b}\n"                             \
         "    - {name: s2, role: standby, az: us-east-1c}\n" events

/* ---- replication ---------------------------------------------------------- */

#endif
