/*
 * test_rds.c - replication and the RDS failover logic, driven by the engine
 * and a tiny write pump instead of the workload module.
 *
 * Each test loads a scenario from a YAML string, builds a cluster with an
 * observer that records the timeline, and writes rows on the current writer
 * from a repeating 1 ms event (rdsim_db_write + rdsim_cluster_committed), so
 * replication ticks ship real SQLite changesets. Assertions read only the
 * public API and the instances' databases; the ranges checked are the
 * modelled durations of src/cluster/params.h.
 */
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

    /* the write pump */
    int writes_per_ms;
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

static bool same_rows(struct rdsim_db *a, struct rdsim_db *b);

static void on_event(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
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

static void on_writer_down(void *ctx, rdsim_time_t t, const char *cause)
{
    struct world *w = ctx;
    (void)t;
    (void)cause;
    w->writer_down++;
}

static int collect_row(void *ctx, int64_t key, const struct rdsim_row *row)
{
    struct rdsim_row *rows = ctx;

    if (key < 0 || key >= ROWS)
        return -1;
    rows[key] = *row;
    return 0;
}

static void rows_of(struct rdsim_db *db, struct rdsim_row rows[ROWS])
{
    struct rdsim_err err;

    memset(rows, 0, ROWS * sizeof(*rows));
    if (rdsim_db_scan(db, collect_row, rows, &err) != 0)
        fail_msg("scan: %s", err.msg);
}

static bool same_rows(struct rdsim_db *a, struct rdsim_db *b)
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
static int64_t cnt_sum(struct rdsim_db *db)
{
    struct rdsim_row r[ROWS];
    int64_t s = 0;

    rows_of(db, r);
    for (int k = 0; k < ROWS; k++)
        s += r[k].cnt;
    return s;
}

static int on_new_writer(void *ctx, struct rdsim_db *db, uint64_t *lost, bool *bounded,
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

/* One pump tick: what clients would write on the writer this millisecond. */
static void pump(struct rdsim_sim *sim, void *ctx, uint64_t arg)
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
    if (!rdsim_sim_after(sim, RDSIM_MS, pump, w, 0))
        w->pump_failed = 1;
}

/* Build a started cluster from `yaml`; writes_per_ms 0 means no pump. */
static struct world *build(const char *yaml, int writes_per_ms,
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

static void destroy(struct world *w)
{
    assert_int_equal(w->pump_failed, 0);
    assert_null(rdsim_cluster_error(w->c));
    rdsim_cluster_destroy(w->c);
    rdsim_sim_destroy(w->sim);
    rdsim_scenario_free(w->sc);
    free(w);
}

static void run_to(struct world *w, rdsim_time_t t)
{
    rdsim_sim_run_until(w->sim, t);
    assert_null(rdsim_cluster_error(w->c));
}

/* Index of the first timeline line "kind subject" at or after line `from`,
 * -1 if none. */
static int find_line(const struct world *w, const char *what, int from)
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

static void watch_until(struct world *w, rdsim_time_t until, rdsim_time_t step,
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

static void test_rds_replica_converges_to_writer_once_writes_stop(void **state)
{
    struct world *w = build(SINGLE_AZ_REPLICA(""), 1, S(5));
    const struct rdsim_hist *h;
    (void)state;

    run_to(w, S(3));
    /* Writes flow: the replica trails the writer by a tick or so. */
    assert_true(cnt_sum(rdsim_cluster_db(w->c, 1)) > 2500);
    assert_true(rdsim_cluster_lag(w->c, 1) < MS(50));
    run_to(w, S(6));
    assert_true(same_rows(rdsim_cluster_db(w->c, 0), rdsim_cluster_db(w->c, 1)));
    assert_int_equal(cnt_sum(rdsim_cluster_db(w->c, 1)), (int64_t)w->opid);
    assert_int_equal(rdsim_cluster_lag(w->c, 1), 0);
    /* The writer has no source: no lag (an empty cell), not 0. */
    assert_int_equal(rdsim_cluster_lag(w->c, 0), -1);
    assert_true(rdsim_cluster_is_target(w->c, 1));
    /* Roles change with failovers: the writer has a lag column too. */
    assert_true(rdsim_cluster_is_target(w->c, 0));
    /* One sample: the interval's maximum, a tick's delivery and apply. */
    assert_true(rdsim_cluster_lag_sample(w->c, 1) < MS(20));
    assert_true(rdsim_cluster_lag_sample(w->c, 1) == 0);
    assert_int_equal(rdsim_cluster_lag_last(w->c, 1), 0);
    assert_int_equal(rdsim_cluster_lag_sample(w->c, 0), -1);
    h = rdsim_cluster_lag_hist(w->c, 1);
    assert_non_null(h);
    assert_int_equal(h->count, 2); /* one per sample */
    assert_null(rdsim_cluster_lag_hist(w->c, 0));
    destroy(w);
}

static void test_rds_replica_lag_builds_past_its_single_applier_and_drains(void **state)
{
    /* 6 writes/ms against a replica that applies one per 225 us (4444/s):
     * its applier falls behind by 0.35 s each second. */
    struct world *w = build(HEAD "cluster:\n  deployment: single-az\n  instances:\n"
                                 "    - {name: primary, role: writer, az: us-east-1a, "
                                 "instance_class: db.r6g.4xlarge}\n"
                                 "    - {name: r1, role: replica, az: us-east-1b, "
                                 "instance_class: db.r6g.large}\n",
                            6, S(10));
    rdsim_time_t lag5, lag10;
    const struct rdsim_hist *h;
    (void)state;

    run_to(w, S(5));
    lag5 = rdsim_cluster_lag(w->c, 1);
    run_to(w, S(10));
    lag10 = rdsim_cluster_lag(w->c, 1);
    /* Applied up to commit time 10 s x 4444/6000: about 2.6 s behind. */
    assert_between(lag5, MS(1000), MS(1600));
    assert_between(lag10, MS(2200), MS(3000));
    run_to(w, S(12));
    assert_true(rdsim_cluster_lag(w->c, 1) > 0);
    /* The backlog of ~15,500 writes takes ~3.5 s to drain. */
    run_to(w, S(15));
    assert_int_equal(rdsim_cluster_lag(w->c, 1), 0);
    assert_true(same_rows(rdsim_cluster_db(w->c, 0), rdsim_cluster_db(w->c, 1)));
    /* The interval's maximum: the peak, just before the burst's end drains. */
    assert_between(rdsim_cluster_lag_sample(w->c, 1), MS(3000), MS(4000));
    h = rdsim_cluster_lag_hist(w->c, 1);
    assert_between(h->max, MS(3000), MS(4000));
    destroy(w);
}

static void test_rds_replica_lag_event_delays_changes_then_ends(void **state)
{
    struct world *w =
        build(SINGLE_AZ_REPLICA("events:\n  - {at: 10s, action: replica-lag, "
                                "target: r1, delay: 5s, for: 30s}\n"),
              1, S(60));
    const struct rdsim_hist *h;
    (void)state;

    run_to(w, S(9));
    assert_true(rdsim_cluster_lag(w->c, 1) < MS(50));
    run_to(w, S(20));
    assert_between(rdsim_cluster_lag(w->c, 1), MS(4950), MS(5100));
    run_to(w, S(39));
    assert_between(rdsim_cluster_lag(w->c, 1), MS(4950), MS(5100));
    assert_true(find_line(w, "recovered r1", 0) < 0);
    /* The delay ends at 40 s; what was already on its way still arrives
     * late, then the applier catches up. */
    run_to(w, S(50));
    assert_true(find_line(w, "recovered r1", 0) >= 0);
    assert_true(rdsim_cluster_lag(w->c, 1) < MS(50));
    assert_between(rdsim_cluster_lag_sample(w->c, 1), MS(4950), MS(5500));
    h = rdsim_cluster_lag_hist(w->c, 1);
    assert_between(h->max, MS(4950), MS(5500));
    run_to(w, S(61));
    assert_true(same_rows(rdsim_cluster_db(w->c, 0), rdsim_cluster_db(w->c, 1)));
    destroy(w);
}

/* ---- Multi-AZ instance ------------------------------------------------------ */

static void test_rds_mazi_writer_failure_fails_over_in_phases(void **state)
{
    struct world *w = build(MAZI("events:\n  - {at: 30s, action: instance-failure, "
                                 "target: primary}\n"),
                            1, S(400));
    const struct rdsim_failover *f;
    struct watch wt;
    int d, p, n;
    (void)state;

    run_to(w, S(30) - 1);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 0);
    watch_until(w, S(200), MS(10), &wt);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_string_equal(f->cause, "instance-failure");
    assert_string_equal(f->from, "primary");
    assert_string_equal(f->to, "standby");
    assert_int_equal(f->at, S(30));
    assert_between(f->detected - f->at, S(20), S(30));
    assert_between(f->promoted - f->detected, S(35), S(60));
    assert_between(f->dns_updated - f->promoted, S(5), S(15));
    assert_non_null(strstr(f->explanation, "standby chosen"));

    /* The writer index moves at promotion, DNS at its update, RDS Proxy and
     * topology-aware drivers shortly after promotion. */
    assert_between(wt.writer, f->promoted, f->promoted + MS(10) - 1);
    assert_between(wt.lookup, f->dns_updated, f->dns_updated + MS(10) - 1);
    assert_between(wt.topo, f->promoted + MS(100), f->promoted + S(1) + MS(10));
    assert_between(wt.proxy, f->promoted + S(1), f->promoted + S(3) + MS(10));
    assert_int_equal(rdsim_cluster_writer(w->c), 1);
    assert_int_equal(w->writer_down, 1);

    /* The synchronous standby had every write the old writer committed. */
    assert_int_equal(w->new_writer_calls, 1);
    assert_true(w->equal_at_promotion);
    assert_true(w->old_sum_at_promotion > 29000);
    assert_int_equal(f->discarded_writes, 0);

    d = find_line(w, "detected primary", 0);
    p = find_line(w, "promoted standby", 0);
    n = find_line(w, "dns writer endpoint", 0);
    assert_true(d >= 0 && d < p && p < n);
    assert_int_equal(w->lines[p].t, f->promoted);
    /* The old host never heals (no `for:`): it stays out. */
    assert_int_equal(rdsim_cluster_health(w->c, 0), RDSIM_HEALTH_UNREACHABLE);
    assert_false(rdsim_cluster_serves_reads(w->c, 0));
    assert_true(rdsim_cluster_serves_reads(w->c, 1));
    destroy(w);
}

static void test_rds_mazi_old_writer_heals_and_rejoins_as_standby(void **state)
{
    struct world *w = build(MAZI("events:\n  - {at: 30s, action: instance-failure, "
                                 "target: primary, for: 120s}\n"),
                            1, S(250));
    const struct rdsim_failover *f;
    int r;
    int64_t sum;
    (void)state;

    run_to(w, S(149));
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_true(f->promoted > 0 && f->promoted < S(149));
    assert_int_equal(rdsim_cluster_writer(w->c), 1);
    assert_true(find_line(w, "rejoined primary", 0) < 0);
    /* Host back at 150 s, crash recovery 10..30 s, then a resync. */
    run_to(w, S(181));
    r = find_line(w, "rejoined primary", 0);
    assert_true(r >= 0);
    assert_between(w->lines[r].t, S(160), S(180));
    assert_non_null(strstr(w->lines[r].detail, "from standby"));
    assert_int_equal(rdsim_cluster_health(w->c, 0), RDSIM_HEALTH_UP);
    /* Resynchronised: the new writer's data, at the moment it rejoined. */
    assert_int_equal(w->rejoins, 1);
    assert_int_equal(w->rejoin_equal, 1);
    sum = cnt_sum(rdsim_cluster_db(w->c, 0));

    /* It stays in sync as the standby of the new writer. */
    run_to(w, S(260));
    assert_int_equal(rdsim_cluster_writer(w->c), 1);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    assert_true(cnt_sum(rdsim_cluster_db(w->c, 0)) > sum + 60000);
    assert_true(same_rows(rdsim_cluster_db(w->c, 0), rdsim_cluster_db(w->c, 1)));
    assert_false(rdsim_cluster_serves_reads(w->c, 0));
    destroy(w);
}

static void test_rds_mazi_standby_loss_stalls_commits_until_sync_timeout(void **state)
{
    struct world *w =
        build(MAZI("events:\n  - {at: 10s, action: az-outage, az: us-east-1b, "
                   "for: 60s}\n"),
              1, S(100));
    int a, b;
    (void)state;

    run_to(w, S(9));
    for (int k = 0; k < 100; k++)
        /* EBS + cross-AZ RTT + the standby's EBS. */
        assert_between(rdsim_cluster_commit_delay(w->c, 0), MS(1) + 100 * RDSIM_US,
                       MS(3) + 500 * RDSIM_US);
    run_to(w, S(10) + MS(1));
    assert_between(rdsim_cluster_commit_delay(w->c, 0), S(10) - MS(1), S(10));
    run_to(w, S(15));
    assert_between(rdsim_cluster_commit_delay(w->c, 0), S(5), S(5) + MS(1));
    a = find_line(w, "redundancy standby", 0);
    assert_true(a >= 0);
    assert_int_equal(w->lines[a].t, S(10));
    run_to(w, S(20) + MS(1));
    /* The writer commits alone: storage only. */
    for (int k = 0; k < 100; k++)
        assert_between(rdsim_cluster_commit_delay(w->c, 0), 300 * RDSIM_US, MS(1));
    b = find_line(w, "redundancy primary", 0);
    assert_true(b > a);
    assert_int_equal(w->lines[b].t, S(20));
    assert_non_null(strstr(w->lines[b].detail, "commits alone"));
    /* The standby is back at 70 s: commits are mirrored again and it has
     * caught up with what it missed. */
    run_to(w, S(71));
    for (int k = 0; k < 100; k++)
        assert_between(rdsim_cluster_commit_delay(w->c, 0), MS(1) + 100 * RDSIM_US,
                       MS(3) + 500 * RDSIM_US);
    run_to(w, S(101));
    assert_true(same_rows(rdsim_cluster_db(w->c, 0), rdsim_cluster_db(w->c, 1)));
    assert_int_equal(rdsim_cluster_failover_count(w->c), 0);
    destroy(w);
}

static void test_rds_mazi_second_standby_loss_stalls_commits_again(void **state)
{
    struct world *w;
    (void)state;

    w = build(MAZI("events:\n"
                   "  - {at: 10s, action: az-outage, az: us-east-1b, for: 30s}\n"
                   "  - {at: 100s, action: az-outage, az: us-east-1b, for: 30s}\n"),
              1, S(200));
    run_to(w, S(41));
    assert_true(find_line(w, "redundancy standby",
                          find_line(w, "redundancy standby", 0) + 1) >= 0);
    run_to(w, S(100) + MS(1));
    assert_between(rdsim_cluster_commit_delay(w->c, 0), S(10) - MS(1), S(10));
    destroy(w);
}

static void test_rds_mazi_reboot_with_failover_is_planned(void **state)
{
    struct world *w =
        build(MAZI("events:\n  - {at: 30s, action: reboot, target: primary, "
                   "failover: true}\n"),
              1, S(200));
    const struct rdsim_failover *f;
    struct watch wt;
    int r;
    (void)state;

    run_to(w, S(30));
    /* RDS stops the writer at once and keeps it down until promotion. */
    assert_int_equal(rdsim_cluster_health(w->c, 0), RDSIM_HEALTH_UNREACHABLE);
    watch_until(w, S(200), MS(10), &wt);
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_string_equal(f->cause, "reboot");
    assert_string_equal(f->to, "standby");
    /* Planned, but as long as an unplanned one: AWS's example takes 120 s. */
    assert_between(f->detected - f->at, S(20), S(30));
    assert_between(f->promoted - f->detected, S(35), S(60));
    assert_between(f->dns_updated - f->promoted, S(5), S(15));
    assert_between(wt.writer, f->promoted, f->promoted + MS(10) - 1);
    assert_between(wt.health0, f->promoted, f->promoted + MS(10) - 1);
    assert_true(w->equal_at_promotion);
    r = find_line(w, "rejoined primary", 0);
    assert_true(r >= 0);
    /* A clean restart of 20..60 s after promotion. */
    assert_between(w->lines[r].t - f->promoted, S(20), S(60));
    assert_int_equal(w->rejoin_equal, 1);
    run_to(w, S(201));
    assert_true(same_rows(rdsim_cluster_db(w->c, 0), rdsim_cluster_db(w->c, 1)));
    destroy(w);
}

static void
test_rds_mazi_failover_without_reachable_standby_recovers_in_place(void **state)
{
    struct world *w =
        build(MAZI("events:\n"
                   "  - {at: 10s, action: az-outage, az: us-east-1b}\n"
                   "  - {at: 20s, action: instance-failure, target: primary}\n"),
              1, S(800));
    const struct rdsim_failover *f;
    int rep;
    (void)state;

    run_to(w, S(51));
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_between(f->detected - f->at, S(20), S(30));
    assert_string_equal(f->to, "");
    assert_non_null(strstr(f->explanation, "standby (us-east-1b, unreachable"));
    assert_non_null(strstr(f->explanation, "none is reachable"));
    assert_int_equal(f->promoted, -1);
    assert_int_equal(f->dns_updated, -1);
    assert_int_equal(w->new_writer_calls, 0);
    /* Detection, host replacement (4..8 min) and crash recovery. */
    run_to(w, S(700));
    rep = find_line(w, "replaced primary", 0);
    assert_true(rep >= 0);
    assert_true(w->lines[rep].t > f->detected + S(4 * 60));
    assert_int_equal(rdsim_cluster_health(w->c, 0), RDSIM_HEALTH_UP);
    assert_int_equal(rdsim_cluster_writer(w->c), 0);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    /* Without its standby the writer commits alone: storage latency only. */
    assert_between(rdsim_cluster_commit_delay(w->c, 0), 300 * RDSIM_US, MS(1));
    destroy(w);
}

static void
test_rds_mazi_no_candidate_replaces_the_host_without_detecting_twice(void **state)
{
    struct world *w;
    const struct rdsim_failover *f;
    int d1, rep;
    (void)state;

    w = build(MAZI("events:\n"
                   "  - {at: 10s, action: az-outage, az: us-east-1b}\n"
                   "  - {at: 20s, action: instance-failure, target: primary}\n"),
              0, 0);
    run_to(w, S(700));
    f = rdsim_cluster_failover_at(w->c, 0);
    d1 = find_line(w, "detected primary", 0);
    rep = find_line(w, "replaced primary", 0);
    assert_true(d1 >= 0 && rep > d1);
    assert_int_equal(w->lines[d1].t, f->detected);
    /* One detection, then a 4..8 min host replacement. */
    assert_true(find_line(w, "detected primary", d1 + 1) < 0);
    assert_between(w->lines[rep].t - f->detected, S(4 * 60), S(8 * 60));
    destroy(w);
}

static void test_rds_mazi_abandoned_promotion_still_recovers_the_writer(void **state)
{
    struct world *w;
    const struct rdsim_failover *f;
    (void)state;

    /* Detection at 30..40 s; the standby's AZ goes out before promotion. */
    w = build(MAZI("events:\n"
                   "  - {at: 10s, action: instance-failure, target: primary}\n"
                   "  - {at: 42s, action: az-outage, az: us-east-1b}\n"),
              0, 0);
    run_to(w, S(1000));
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_string_equal(f->to, "");
    assert_true(find_line(w, "abandoned standby", 0) >= 0);
    /* Detection + promotion wait <= 100 s, then detection, replacement
     * and crash recovery: <= 640 s. */
    assert_int_equal(rdsim_cluster_health(w->c, rdsim_cluster_writer(w->c)),
                     RDSIM_HEALTH_UP);
    destroy(w);
}

static void test_rds_promote_during_a_failover_is_ignored(void **state)
{
    struct world *w;
    (void)state;

    w = build(HEAD "cluster:\n  deployment: multi-az-instance\n  instances:\n"
                   "    - {name: primary, role: writer, az: us-east-1a}\n"
                   "    - {name: standby, role: standby, az: us-east-1b}\n"
                   "    - {name: r1, role: replica, az: us-east-1c}\n"
                   "events:\n"
                   "  - {at: 60s, action: instance-failure, target: primary}\n"
                   "  - {at: 61s, action: promote, target: r1}\n",
              1, S(3600));
    run_to(w, S(600));
    assert_true(find_line(w, "ignored r1", 0) >= 0);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    assert_string_equal(rdsim_cluster_failover_at(w->c, 0)->to, "standby");
    assert_int_equal(rdsim_cluster_writer(w->c), 1);
    destroy(w);
}

static void test_rds_out_of_sync_standby_is_never_promoted(void **state)
{
    struct world *w;
    const struct rdsim_failover *f;
    (void)state;

    /* The writer commits alone while its standby is cut off, then dies:
     * promoting the standby would lose those writes. */
    w = build(MAZI("events:\n"
                   "  - {at: 10s, action: az-outage, az: us-east-1b, for: 60s}\n"
                   "  - {at: 50s, action: instance-failure, target: primary}\n"),
              1, S(3600));
    run_to(w, S(700));
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_string_equal(f->to, "");
    assert_non_null(strstr(f->explanation, "out of sync"));
    assert_int_equal(rdsim_cluster_writer(w->c), 0);
    assert_int_equal(rdsim_cluster_health(w->c, 0), RDSIM_HEALTH_UP); /* replaced */
    destroy(w);
}

static void test_rds_failover_is_retried_when_the_standby_returns(void **state)
{
    struct world *w;
    (void)state;

    w = build(MAZI("events:\n"
                   "  - {at: 60s, action: az-outage, az: us-east-1a}\n"
                   "  - {at: 65s, action: az-outage, az: us-east-1b, for: 35s}\n"),
              1, S(3600));
    run_to(w, S(300));
    assert_int_equal(rdsim_cluster_failover_count(w->c), 2);
    assert_string_equal(rdsim_cluster_failover_at(w->c, 0)->to, "");
    assert_string_equal(rdsim_cluster_failover_at(w->c, 1)->to, "standby");
    assert_int_equal(rdsim_cluster_writer(w->c), 1);
    assert_int_equal(rdsim_cluster_health(w->c, 1), RDSIM_HEALTH_UP);
    destroy(w);
}

/* ---- Multi-AZ cluster --------------------------------------------------------- */

static rdsim_time_t mean_commit_delay(struct world *w, rdsim_time_t lo, rdsim_time_t hi)
{
    double sum = 0;

    for (int k = 0; k < 1000; k++) {
        rdsim_time_t d = rdsim_cluster_commit_delay(w->c, rdsim_cluster_writer(w->c));
        assert_between(d, lo, hi);
        sum += (double)d;
    }
    return (rdsim_time_t)(sum / 1000);
}

static void test_rds_mazc_semisync_commit_waits_for_the_nearer_standby(void **state)
{
    struct world *mazc = build(MAZC(""), 0, 0);
    struct world *mazi = build(MAZI(""), 0, 0);
    rdsim_time_t c_mean, i_mean;
    (void)state;

    run_to(mazc, S(1));
    run_to(mazi, S(1));
    /* NVMe 0.1..0.3 ms + the smaller of two cross-AZ RTTs (0.5..1.5 ms):
     * the mean of min(U, U) is 0.83 ms, so about 1.03 ms in all. */
    c_mean = mean_commit_delay(mazc, 600 * RDSIM_US, MS(1) + 800 * RDSIM_US);
    i_mean = mean_commit_delay(mazi, MS(1) + 100 * RDSIM_US, MS(3) + 500 * RDSIM_US);
    assert_between(c_mean, 950 * RDSIM_US, 1100 * RDSIM_US);
    /* EBS twice + one RTT: about 2.3 ms. */
    assert_between(i_mean, 2200 * RDSIM_US, 2400 * RDSIM_US);
    destroy(mazc);
    destroy(mazi);
}

/* Which instances 1000 reader-endpoint lookups returned. */
static unsigned reader_set(struct world *w)
{
    struct rdsim_rng rng;
    unsigned seen = 0;

    rdsim_rng_init(&rng, 5, "test");
    for (int k = 0; k < 1000; k++) {
        int i = rdsim_cluster_lookup(w->c, RDSIM_EP_READER, &rng);
        assert_between(i, 0, 2);
        seen |= 1u << i;
    }
    return seen;
}

static void test_rds_mazc_writer_failure_promotes_a_standby_fast(void **state)
{
    struct world *w = build(MAZC("events:\n  - {at: 30s, action: instance-failure, "
                                 "target: w, for: 60s}\n"),
                            1, S(200));
    const struct rdsim_failover *f;
    size_t nw, other;
    struct watch wt;
    (void)state;

    run_to(w, S(29));
    assert_int_equal(reader_set(w), 1u << 1 | 1u << 2);
    assert_true(rdsim_cluster_serves_reads(w->c, 1));
    watch_until(w, S(80), MS(10), &wt);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    f = rdsim_cluster_failover_at(w->c, 0);
    nw = rdsim_cluster_writer(w->c);
    assert_true(nw == 1 || nw == 2);
    other = nw == 1 ? 2 : 1;
    assert_string_equal(f->to, rdsim_cluster_instance_name(w->c, nw));
    assert_between(f->detected - f->at, S(5), S(10));
    /* Detection 5..10 s, promotion 5..10 s, plus a negligible backlog. */
    assert_between(f->promoted - f->at, S(10), S(20) + MS(100));
    assert_between(f->dns_updated - f->promoted, S(2), S(5));
    assert_between(wt.lookup, f->dns_updated, f->dns_updated + MS(10) - 1);
    assert_true(w->equal_at_promotion);
    assert_int_equal(f->discarded_writes, 0);
    /* After the DNS update the reader endpoint names the other standby only. */
    assert_int_equal(reader_set(w), 1u << other);

    /* The old writer is back at 90 s + 10..30 s of crash recovery: it rejoins
     * and the reader endpoint names it again. */
    run_to(w, S(121));
    assert_true(find_line(w, "rejoined w", 0) >= 0);
    assert_int_equal(w->rejoin_equal, 1);
    assert_int_equal(reader_set(w), 1u << 0 | 1u << other);
    run_to(w, S(201));
    /* The remaining standby followed the new writer; the old one resynced. */
    assert_true(same_rows(rdsim_cluster_db(w->c, nw), rdsim_cluster_db(w->c, other)));
    assert_true(same_rows(rdsim_cluster_db(w->c, nw), rdsim_cluster_db(w->c, 0)));
    assert_int_equal(rdsim_cluster_lag(w->c, other), 0);
    destroy(w);
}

static void test_rds_mazc_rejoin_does_not_swallow_the_open_tick(void **state)
{
    struct world *w;
    size_t nw, other;
    (void)state;

    w = build(MAZC("events:\n  - {at: 30s, action: instance-failure, target: w, "
                   "for: 60s}\n"),
              1, S(1000));
    /* Writes stop the moment the old writer rejoins: nothing later can
     * overwrite the rows of that tick. */
    w->stop_at_rejoin = true;
    run_to(w, S(130));
    assert_int_equal(w->rejoins, 1);
    nw = rdsim_cluster_writer(w->c);
    other = nw == 1 ? 2 : 1;
    assert_true(same_rows(rdsim_cluster_db(w->c, nw), rdsim_cluster_db(w->c, 0)));
    assert_int_equal(cnt_sum(rdsim_cluster_db(w->c, other)),
                     cnt_sum(rdsim_cluster_db(w->c, nw)));
    assert_true(same_rows(rdsim_cluster_db(w->c, nw), rdsim_cluster_db(w->c, other)));
    destroy(w);
}

static void test_rds_mazc_promotion_waits_for_the_standbys_backlog(void **state)
{
    struct world *lag =
        build(MAZC("events:\n"
                   "  - {at: 1s, action: replica-lag, target: s1, delay: 20s}\n"
                   "  - {at: 1s, action: replica-lag, target: s2, delay: 20s}\n"
                   "  - {at: 30s, action: instance-failure, target: w}\n"),
              1, S(30));
    struct world *base = build(
        MAZC("events:\n  - {at: 30s, action: instance-failure, target: w}\n"), 1, S(30));
    const struct rdsim_failover *fl, *fb;
    rdsim_time_t with, without;
    (void)state;

    run_to(lag, S(120));
    run_to(base, S(120));
    fl = rdsim_cluster_failover_at(lag->c, 0);
    fb = rdsim_cluster_failover_at(base->c, 0);
    assert_true(fl->promoted > 0 && fb->promoted > 0);
    with = fl->promoted - fl->detected;
    without = fb->promoted - fb->detected;
    assert_true(without <= S(10) + MS(100));
    /* The last 20 s of changes apply only after detection (5..10 s). */
    assert_true(with >= S(15));
    assert_true(with - without >= S(10) - MS(100));
    assert_non_null(strstr(fl->explanation, "waits"));
    /* The standbys had received everything: nothing lost. */
    assert_true(lag->equal_at_promotion);
    assert_true(lag->old_sum_at_promotion > 29000);
    destroy(lag);
    destroy(base);
}

static void test_rds_mazc_manual_failover_to_a_target_fences_the_writer(void **state)
{
    struct world *w =
        build(MAZC("events:\n  - {at: 30s, action: failover, target: s2}\n"), 1, S(200));
    const struct rdsim_failover *f;
    struct watch wt;
    int r;
    (void)state;

    run_to(w, S(30));
    assert_int_equal(rdsim_cluster_health(w->c, 0), RDSIM_HEALTH_UNREACHABLE);
    watch_until(w, S(150), MS(10), &wt);
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_string_equal(f->cause, "failover");
    assert_string_equal(f->to, "s2");
    assert_non_null(strstr(f->explanation, "s2 chosen as requested"));
    assert_int_equal(rdsim_cluster_writer(w->c), 2);
    assert_int_equal(w->writer_down, 1);
    /* Fenced until the promotion, then a clean restart and a rejoin. */
    assert_between(wt.health0, f->promoted, f->promoted + MS(10) - 1);
    r = find_line(w, "rejoined w", 0);
    assert_true(r >= 0);
    assert_between(w->lines[r].t - f->promoted, S(20), S(60));
    assert_int_equal(w->rejoin_equal, 1);
    assert_true(w->equal_at_promotion);
    run_to(w, S(201));
    assert_true(same_rows(rdsim_cluster_db(w->c, 2), rdsim_cluster_db(w->c, 0)));
    assert_true(same_rows(rdsim_cluster_db(w->c, 2), rdsim_cluster_db(w->c, 1)));
    destroy(w);
}

/* ---- read replica promotion ----------------------------------------------------- */

static void test_rds_promoted_replica_lacks_what_its_dead_source_never_sent(void **state)
{
    struct world *w = build(
        SINGLE_AZ_REPLICA("events:\n"
                          "  - {at: 10s, action: replica-lag, target: r1, delay: 5s}\n"
                          "  - {at: 30s, action: az-outage, az: us-east-1a}\n"
                          "  - {at: 90s, action: promote, target: r1}\n"),
        1, S(30));
    const struct rdsim_failover *f;
    struct rdsim_row rw[ROWS], rr[ROWS];
    uint32_t gen;
    struct watch wt;
    int64_t ws, rs;
    (void)state;

    run_to(w, S(89));
    assert_int_equal(rdsim_cluster_failover_count(w->c), 0);
    assert_int_equal(rdsim_cluster_writer(w->c), 0);
    gen = rdsim_cluster_endpoint_generation(w->c);
    watch_until(w, S(300), MS(10), &wt);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_string_equal(f->cause, "promote");
    assert_string_equal(f->from, "primary");
    assert_string_equal(f->to, "r1");
    assert_int_equal(f->at, S(90));
    assert_between(f->promoted - S(90), S(60), S(180));
    assert_int_equal(f->dns_updated, f->promoted);
    assert_between(wt.writer, f->promoted, f->promoted + MS(10) - 1);
    assert_between(wt.lookup, f->promoted, f->promoted + MS(10) - 1);
    assert_int_equal(rdsim_cluster_writer(w->c), 1);
    assert_int_equal(rdsim_cluster_health(w->c, 1), RDSIM_HEALTH_UP);
    assert_true(rdsim_cluster_endpoint_generation(w->c) != gen);
    assert_non_null(strstr(f->explanation, "5.0 s behind"));

    /* The writes of the last 5 s before the outage were still on their way
     * (5 s replica-lag) and never arrived: the replica lacks them. */
    ws = cnt_sum(rdsim_cluster_db(w->c, 0));
    rs = cnt_sum(rdsim_cluster_db(w->c, 1));
    assert_true(rs < ws);
    assert_between(ws - rs, 4900, 5100);
    assert_true(rs > 24000);
    rows_of(rdsim_cluster_db(w->c, 0), rw);
    rows_of(rdsim_cluster_db(w->c, 1), rr);
    for (int k = 0; k < ROWS; k++)
        assert_true(rr[k].cnt <= rw[k].cnt);
    assert_int_equal(w->new_writer_calls, 1);
    destroy(w);
}

static void test_rds_replicas_follow_the_new_mazi_writer(void **state)
{
    struct world *w =
        build(HEAD "cluster:\n  deployment: multi-az-instance\n  instances:\n"
                   "    - {name: primary, role: writer, az: us-east-1a}\n"
                   "    - {name: standby, role: standby, az: us-east-1b}\n"
                   "    - {name: r1, role: replica, az: us-east-1c}\n"
                   "events:\n  - {at: 30s, action: instance-failure, "
                   "target: primary}\n",
              1, S(200));
    struct rdsim_rng rng;
    (void)state;

    rdsim_rng_init(&rng, 9, "test");
    run_to(w, S(29));
    /* RDS read replicas are instance endpoints the application picks. */
    assert_int_equal(rdsim_cluster_lookup(w->c, RDSIM_EP_READER, &rng), 2);
    run_to(w, S(201));
    assert_int_equal(rdsim_cluster_writer(w->c), 1);
    assert_true(same_rows(rdsim_cluster_db(w->c, 1), rdsim_cluster_db(w->c, 2)));
    assert_true(cnt_sum(rdsim_cluster_db(w->c, 2)) > 100000);
    assert_int_equal(rdsim_cluster_lag(w->c, 2), 0);
    destroy(w);
}

static void test_rds_runs_are_deterministic_for_a_seed(void **state)
{
    const char *yaml = MAZC("events:\n  - {at: 30s, action: instance-failure, target: w, "
                            "for: 60s}\n  - {at: 40s, action: replica-lag, target: s2, "
                            "delay: 3s}\n");
    struct world *a = build(yaml, 2, S(150));
    struct world *b = build(yaml, 2, S(150));
    const struct rdsim_failover *fa, *fb;
    (void)state;

    run_to(a, S(160));
    run_to(b, S(160));
    assert_int_equal(a->n_lines, b->n_lines);
    for (int k = 0; k < a->n_lines; k++) {
        assert_int_equal(a->lines[k].t, b->lines[k].t);
        assert_string_equal(a->lines[k].what, b->lines[k].what);
        assert_string_equal(a->lines[k].detail, b->lines[k].detail);
    }
    fa = rdsim_cluster_failover_at(a->c, 0);
    fb = rdsim_cluster_failover_at(b->c, 0);
    assert_int_equal(fa->promoted, fb->promoted);
    assert_string_equal(fa->explanation, fb->explanation);
    for (size_t i = 0; i < 3; i++)
        assert_true(same_rows(rdsim_cluster_db(a->c, i), rdsim_cluster_db(b->c, i)));
    destroy(a);
    destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rds_replica_converges_to_writer_once_writes_stop),
        cmocka_unit_test(test_rds_replica_lag_builds_past_its_single_applier_and_drains),
        cmocka_unit_test(test_rds_replica_lag_event_delays_changes_then_ends),
        cmocka_unit_test(test_rds_mazi_writer_failure_fails_over_in_phases),
        cmocka_unit_test(test_rds_mazi_old_writer_heals_and_rejoins_as_standby),
        cmocka_unit_test(test_rds_mazi_standby_loss_stalls_commits_until_sync_timeout),
        cmocka_unit_test(test_rds_mazi_second_standby_loss_stalls_commits_again),
        cmocka_unit_test(test_rds_mazi_reboot_with_failover_is_planned),
        cmocka_unit_test(
            test_rds_mazi_failover_without_reachable_standby_recovers_in_place),
        cmocka_unit_test(
            test_rds_mazi_no_candidate_replaces_the_host_without_detecting_twice),
        cmocka_unit_test(test_rds_mazi_abandoned_promotion_still_recovers_the_writer),
        cmocka_unit_test(test_rds_mazc_semisync_commit_waits_for_the_nearer_standby),
        cmocka_unit_test(test_rds_mazc_writer_failure_promotes_a_standby_fast),
        cmocka_unit_test(test_rds_mazc_rejoin_does_not_swallow_the_open_tick),
        cmocka_unit_test(test_rds_mazc_promotion_waits_for_the_standbys_backlog),
        cmocka_unit_test(test_rds_promote_during_a_failover_is_ignored),
        cmocka_unit_test(test_rds_out_of_sync_standby_is_never_promoted),
        cmocka_unit_test(test_rds_failover_is_retried_when_the_standby_returns),
        cmocka_unit_test(test_rds_mazc_manual_failover_to_a_target_fences_the_writer),
        cmocka_unit_test(test_rds_promoted_replica_lacks_what_its_dead_source_never_sent),
        cmocka_unit_test(test_rds_replicas_follow_the_new_mazi_writer),
        cmocka_unit_test(test_rds_runs_are_deterministic_for_a_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
