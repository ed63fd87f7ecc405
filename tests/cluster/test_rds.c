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
#include "rds_test.h"

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
    /* Roles change with failovers: the writer has a lag column too. */
    assert_true(rdsim_cluster_tracks_lag(w->c));
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
    assert_int_equal(f->cause, RDSIM_CAUSE_INSTANCE_FAILURE);
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
        assert_between(rdsim_cluster_commit_delay(w->c), MS(1) + 100 * RDSIM_US,
                       MS(3) + 500 * RDSIM_US);
    run_to(w, S(10) + MS(1));
    assert_between(rdsim_cluster_commit_delay(w->c), S(10) - MS(1), S(10));
    run_to(w, S(15));
    assert_between(rdsim_cluster_commit_delay(w->c), S(5), S(5) + MS(1));
    a = find_line(w, "redundancy standby", 0);
    assert_true(a >= 0);
    assert_int_equal(w->lines[a].t, S(10));
    run_to(w, S(20) + MS(1));
    /* The writer commits alone: storage only. */
    for (int k = 0; k < 100; k++)
        assert_between(rdsim_cluster_commit_delay(w->c), 300 * RDSIM_US, MS(1));
    b = find_line(w, "redundancy primary", 0);
    assert_true(b > a);
    assert_int_equal(w->lines[b].t, S(20));
    assert_non_null(strstr(w->lines[b].detail, "commits alone"));
    /* The standby is back at 70 s: commits are mirrored again and it has
     * caught up with what it missed. */
    run_to(w, S(71));
    for (int k = 0; k < 100; k++)
        assert_between(rdsim_cluster_commit_delay(w->c), MS(1) + 100 * RDSIM_US,
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
    assert_between(rdsim_cluster_commit_delay(w->c), S(10) - MS(1), S(10));
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
    assert_int_equal(f->cause, RDSIM_CAUSE_REBOOT);
    assert_string_equal(f->to, "standby");
    /* Planned: nothing to detect; promotion and DNS update take AWS's
     * example's 120 s from "failover started" to "completed". */
    assert_between(f->detected - f->at, 0, S(2));
    assert_between(f->promoted - f->detected, S(60), S(105));
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
    assert_between(rdsim_cluster_commit_delay(w->c), 300 * RDSIM_US, MS(1));
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
        cmocka_unit_test(test_rds_mazi_failover_without_reachable_standby_recovers_in_place),
        cmocka_unit_test(test_rds_mazi_no_candidate_replaces_the_host_without_detecting_twice),
        cmocka_unit_test(test_rds_mazi_abandoned_promotion_still_recovers_the_writer),
        cmocka_unit_test(test_rds_promote_during_a_failover_is_ignored),
        cmocka_unit_test(test_rds_out_of_sync_standby_is_never_promoted),
        cmocka_unit_test(test_rds_failover_is_retried_when_the_standby_returns),
        cmocka_unit_test(test_rds_runs_are_deterministic_for_a_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
