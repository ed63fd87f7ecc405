/*
 * test_replication.c - replication's two stages (replication.c): transport,
 * one delay per message read from the network path's drift, so it does not
 * grow with the message rate; and apply, a single applier with the
 * replica's service rate, the only stage where load shows as lag.
 */
#include "rds_test.h"

#define GLOBAL_DB                                                                        \
    HEAD "topology:\n  regions:\n"                                                       \
         "    - {name: us-east-1, azs: [us-east-1a, us-east-1b, us-east-1c]}\n"          \
         "    - {name: us-west-2, azs: [us-west-2a, us-west-2b, us-west-2c]}\n"          \
         "cluster:\n  deployment: aurora\n  engine: aurora-mysql\n  instances:\n"        \
         "    - {name: w, role: writer, az: us-east-1a}\n"                               \
         "    - {name: dr, role: replica, az: us-west-2a}\n"

#define SECONDS 60

/* Lag samples of instance 1, one a second for SECONDS seconds. */
static void sample_lag(struct world *w, rdsim_time_t lag[SECONDS])
{
    for (int k = 0; k < SECONDS; k++) {
        run_to(w, S(k + 1));
        lag[k] = rdsim_cluster_lag_sample(w->c, 1);
    }
}

/* A Global Database secondary at 5 and at 3,000 writes/s: the same path (one
 * seed), so the same delays, however many messages cross it. Each batch
 * used to draw its own delay and wait for the one before, so a busy writer
 * saw the running maximum of the draws. */
static void test_transport_delay_does_not_grow_with_the_message_rate(void **state)
{
    struct world *slow = build(GLOBAL_DB, 1, S(SECONDS + 1));
    struct world *busy = build(GLOBAL_DB, 3, S(SECONDS + 1));
    rdsim_time_t a[SECONDS], b[SECONDS], lo = INT64_MAX, hi = 0, sum_a = 0, sum_b = 0;
    (void)state;

    slow->pump_every = MS(200);
    sample_lag(slow, a);
    sample_lag(busy, b);
    for (int k = 2; k < SECONDS; k++) {
        /* Half the cross-region round trip (60-75 ms) plus 150-600 ms of
         * storage-level replication, and the applier's few writes. */
        assert_between(a[k], MS(180), MS(638));
        assert_between(b[k], MS(180), MS(639));
        /* 5 messages a second see the path at 5 points of the second, a
         * busy writer at every millisecond: a few ms apart at most. */
        assert_between(b[k] - a[k], 0, MS(12));
        lo = a[k] < lo ? a[k] : lo;
        hi = a[k] > hi ? a[k] : hi;
        sum_a += a[k];
        sum_b += b[k];
    }
    assert_true(sum_b - sum_a < sum_a / 50); /* within 2% */
    /* The path drifts: not one fixed delay. */
    assert_true(hi - lo > MS(50));
    destroy(slow);
    destroy(busy);
}

/* A replica-lag event holds batches back; when it ends, the batches sent
 * after it do not overtake the held ones: the replica stays behind until
 * the held ones have arrived, then catches up. */
static void test_transport_delivers_in_order_when_a_delay_ends(void **state)
{
    struct world *w = build(SINGLE_AZ_REPLICA("events:\n  - {at: 5s, action: replica-lag, "
                                              "target: r1, delay: 3s, for: 2s}\n"),
                            1, S(3600));
    (void)state;

    run_to(w, S(4));
    assert_between(rdsim_cluster_lag(w->c, 1), 0, MS(15));
    /* What was sent at 5 s arrives at 8 s. */
    run_to(w, MS(7500));
    assert_between(rdsim_cluster_lag(w->c, 1), MS(2490), MS(2510));
    /* The delay ended at 7 s, but what was sent at 6.9 s arrives at 9.9 s
     * and everything sent after 7 s waits behind it. */
    run_to(w, MS(9500));
    assert_between(rdsim_cluster_lag(w->c, 1), MS(2990), MS(3010));
    /* At 10 s the 3 s sent meanwhile are there: 0.675 s of apply work,
     * drained within a second while new writes go on arriving. */
    run_to(w, MS(10500));
    assert_true(rdsim_cluster_lag(w->c, 1) > MS(100));
    run_to(w, S(12));
    assert_between(rdsim_cluster_lag(w->c, 1), 0, MS(15));
    destroy(w);
}

/* An RDS replica on db.r6g.large applies at half a write's 450 us, one
 * thread: 4,444 writes/s. Below that its lag is the path plus one batch's
 * apply; above it the queue grows by the excess and drains afterwards. */
static void test_apply_queue_builds_lag_only_past_the_service_rate(void **state)
{
    struct world *w = build(SINGLE_AZ_REPLICA(""), 2, S(3600));
    rdsim_time_t peak = 0;
    (void)state;

    for (int k = 1; k <= 10; k++) {
        run_to(w, S(k));
        rdsim_time_t v = rdsim_cluster_lag_sample(w->c, 1);
        peak = v > peak ? v : peak;
    }
    /* Cross-AZ path (0.25-0.75 ms) + a 10 ms tick's 20 writes x 225 us. */
    assert_between(peak, MS(4), MS(6));

    /* 5,000 writes/s: each second brings 1.125 s of apply work, so the
     * write applied at t was shipped at 10 s + (t - 10 s) / 1.125. */
    w->writes_per_ms = 5;
    run_to(w, S(20));
    assert_between(rdsim_cluster_lag(w->c, 1), MS(1080), MS(1140));
    run_to(w, S(30));
    assert_between(rdsim_cluster_lag(w->c, 1), MS(2190), MS(2250));

    /* No writes: the 2.5 s of queued work drains in 2.5 s. */
    w->writes_per_ms = 0;
    run_to(w, MS(32000));
    assert_true(rdsim_cluster_lag(w->c, 1) > MS(100));
    run_to(w, MS(33000));
    assert_between(rdsim_cluster_lag(w->c, 1), 0, 0);
    destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_delay_does_not_grow_with_the_message_rate),
        cmocka_unit_test(test_transport_delivers_in_order_when_a_delay_ends),
        cmocka_unit_test(test_apply_queue_builds_lag_only_past_the_service_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
