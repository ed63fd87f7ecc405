/*
 * test_rds_mazc.c - the Multi-AZ DB cluster (two semi-synchronous readable
 * standbys): commit waits, the reader endpoint, fast promotion after the
 * standbys' backlog, manual failover to a target; and what a promoted read
 * replica lacks, and replicas following a new Multi-AZ writer. The harness
 * is rds_test.h's.
 */
#include "rds_test.h"

static rdsim_time_t mean_commit_delay(struct world *w, rdsim_time_t lo, rdsim_time_t hi)
{
    double sum = 0;

    for (int k = 0; k < 1000; k++) {
        rdsim_time_t d = rdsim_cluster_commit_delay(w->c);
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
    assert_int_equal(f->cause, RDSIM_CAUSE_FAILOVER);
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
    assert_int_equal(f->cause, RDSIM_CAUSE_PROMOTE);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rds_mazc_semisync_commit_waits_for_the_nearer_standby),
        cmocka_unit_test(test_rds_mazc_writer_failure_promotes_a_standby_fast),
        cmocka_unit_test(test_rds_mazc_rejoin_does_not_swallow_the_open_tick),
        cmocka_unit_test(test_rds_mazc_promotion_waits_for_the_standbys_backlog),
        cmocka_unit_test(test_rds_mazc_manual_failover_to_a_target_fences_the_writer),
        cmocka_unit_test(test_rds_promoted_replica_lacks_what_its_dead_source_never_sent),
        cmocka_unit_test(test_rds_replicas_follow_the_new_mazi_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
