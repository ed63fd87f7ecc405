/*
 * test_stats_uptime.c - what the clients saw, as stats.c accumulates it: uptime
 * from first attempts in 100 ms slots (down when some kind had first
 * attempts and none succeeded, carried over empty slots, decided once the
 * horizon has passed), failed operations in the latency, and the clients'
 * return after a writer outage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rdsim/stats.h"

static const enum rdsim_endpoint W = RDSIM_EP_WRITER, R = RDSIM_EP_READER;
static const enum rdsim_op_kind READ = RDSIM_OP_READ, WRITE = RDSIM_OP_WRITE;

static struct rdsim_stats *new_stats(void)
{
    struct rdsim_stats *s = NULL;

    assert_int_equal(rdsim_stats_create(&s, NULL), 0);
    assert_int_equal(rdsim_stats_uptime_init(s, 3 * RDSIM_S, 4, NULL), 0);
    rdsim_stats_use(s, W, WRITE);
    rdsim_stats_use(s, R, READ);
    return s;
}

static void test_a_slot_is_down_when_no_first_attempt_succeeded(void **state)
{
    struct rdsim_stats *s = new_stats();
    (void)state;

    /* 0-1 s: writes succeed; 1-2 s: they all fail; 2 s on: one gets through. */
    for (rdsim_time_t t = 0; t < RDSIM_S; t += 50 * RDSIM_MS)
        rdsim_stats_first_attempt(s, W, WRITE, t, true, t + RDSIM_MS);
    for (rdsim_time_t t = RDSIM_S; t < 2 * RDSIM_S; t += 50 * RDSIM_MS)
        rdsim_stats_first_attempt(s, W, WRITE, t, false, t + 2 * RDSIM_S);
    rdsim_stats_first_attempt(s, W, WRITE, 2 * RDSIM_S, false, 4 * RDSIM_S);
    rdsim_stats_first_attempt(s, W, WRITE, 2 * RDSIM_S + RDSIM_MS, true, 4 * RDSIM_S);
    /* Nothing sent from 2.1 s to 10 s: the last state (up) carries over. */
    rdsim_stats_uptime_finish(s, 10 * RDSIM_S);
    assert_int_equal(s->up.unavailable[W], RDSIM_S);
    assert_int_equal(s->up.unavailable[R], 0);
    assert_int_equal(s->up.n_windows[W], 1);
    assert_int_equal(s->up.windows[W][0].from, RDSIM_S);
    assert_int_equal(s->up.windows[W][0].to, 2 * RDSIM_S);
    rdsim_stats_destroy(s);
}

static void test_a_down_state_carries_over_empty_slots_to_the_end(void **state)
{
    struct rdsim_stats *s = new_stats();
    (void)state;

    rdsim_stats_first_attempt(s, R, READ, 5 * RDSIM_S, false, 7 * RDSIM_S);
    /* The run ends 50 ms into a slot: that slot counts 50 ms. */
    rdsim_stats_uptime_finish(s, 20 * RDSIM_S + 50 * RDSIM_MS);
    assert_int_equal(s->up.unavailable[R], 15 * RDSIM_S + 50 * RDSIM_MS);
    assert_int_equal(s->up.unavailable[W], 0);
    rdsim_stats_destroy(s);
}

static void test_one_kind_down_takes_the_endpoint_down(void **state)
{
    struct rdsim_stats *s = new_stats();
    (void)state;

    /* Reads through the writer endpoint succeed while its writes fail. */
    rdsim_stats_use(s, W, READ);
    for (rdsim_time_t t = 0; t < RDSIM_S; t += 10 * RDSIM_MS) {
        rdsim_stats_first_attempt(s, W, READ, t, true, t + RDSIM_MS);
        rdsim_stats_first_attempt(s, W, WRITE, t, t < 500 * RDSIM_MS, t + 2 * RDSIM_S);
    }
    rdsim_stats_first_attempt(s, W, WRITE, RDSIM_S, true, RDSIM_S + RDSIM_MS);
    rdsim_stats_uptime_finish(s, 2 * RDSIM_S);
    assert_int_equal(s->up.unavailable[W], 500 * RDSIM_MS);
    rdsim_stats_destroy(s);
}

static void test_slots_are_decided_as_time_passes_in_a_bounded_ring(void **state)
{
    struct rdsim_stats *s = new_stats();
    size_t ring = s->up.n_ring;
    (void)state;

    /* An hour of outcomes, each known 2 s after it was sent, every tenth
     * slot failing: the ring keeps its size and the count is exact. */
    for (int64_t k = 0; k < 36000; k++)
        rdsim_stats_first_attempt(s, W, WRITE, k * RDSIM_STATS_SLOT, k % 10 != 0,
                                  k * RDSIM_STATS_SLOT + 2 * RDSIM_S);
    assert_int_equal(s->up.n_ring, ring);
    rdsim_stats_uptime_finish(s, 3600 * RDSIM_S);
    assert_int_equal(s->up.unavailable[W], 3600 * RDSIM_STATS_SLOT);
    /* Windows are kept up to their cap, then only counted. */
    assert_int_equal(s->up.n_windows[W], RDSIM_STATS_MAX_WINDOWS);
    assert_true(s->up.more_windows[W]);
    rdsim_stats_destroy(s);
}

static void test_failed_operations_count_in_latency_but_not_in_ok_latency(void **state)
{
    struct rdsim_stats *s = new_stats();
    (void)state;

    rdsim_stats_op_ok(s, W, WRITE, 3 * RDSIM_MS);
    rdsim_stats_op_failed(s, W, WRITE, 30 * RDSIM_S);
    rdsim_stats_op_failed(s, W, WRITE, 29 * RDSIM_S);
    assert_int_equal(s->total[W][WRITE].lat.count, 3);
    assert_int_equal(s->total[W][WRITE].ok_lat.count, 1);
    assert_true(rdsim_hist_quantile(&s->total[W][WRITE].lat, 0.99) > 29 * RDSIM_S);
    assert_true(rdsim_hist_quantile(&s->total[W][WRITE].ok_lat, 0.99) < 4 * RDSIM_MS);
    assert_int_equal(s->interval[W][WRITE].lat.count, 3);
    rdsim_stats_interval_reset(s);
    assert_int_equal(s->interval[W][WRITE].lat.count, 0);
    assert_int_equal(s->interval[W][WRITE].ok_lat.count, 0);
    rdsim_stats_destroy(s);
}

static void test_an_outage_notes_when_each_client_wrote_again(void **state)
{
    struct rdsim_stats *s = new_stats();
    const struct rdsim_episode *e;
    (void)state;

    assert_int_equal(rdsim_stats_writer_down(s, 10 * RDSIM_S, RDSIM_CAUSE_AZ_OUTAGE), 0);
    /* Sent before the fault: counts for nothing. */
    rdsim_stats_write_ok(s, 0, 9 * RDSIM_S, 11 * RDSIM_S);
    rdsim_stats_write_ok(s, 2, 20 * RDSIM_S, 20 * RDSIM_S + RDSIM_MS);
    rdsim_stats_write_ok(s, 2, 21 * RDSIM_S, 21 * RDSIM_S + RDSIM_MS);
    rdsim_stats_write_ok(s, 0, 24 * RDSIM_S, 24 * RDSIM_S + RDSIM_MS);
    e = &s->episodes[0];
    assert_true(e->closed);
    assert_int_equal(e->end, 20 * RDSIM_S + RDSIM_MS);
    assert_int_equal(e->n_back, 2);
    assert_int_equal(e->client_back[2], 20 * RDSIM_S + RDSIM_MS);
    assert_int_equal(e->client_back[0], 24 * RDSIM_S + RDSIM_MS);
    assert_int_equal(e->client_back[1], -1);
    rdsim_stats_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_slot_is_down_when_no_first_attempt_succeeded),
        cmocka_unit_test(test_a_down_state_carries_over_empty_slots_to_the_end),
        cmocka_unit_test(test_one_kind_down_takes_the_endpoint_down),
        cmocka_unit_test(test_slots_are_decided_as_time_passes_in_a_bounded_ring),
        cmocka_unit_test(test_failed_operations_count_in_latency_but_not_in_ok_latency),
        cmocka_unit_test(test_an_outage_notes_when_each_client_wrote_again),
    };

    return cmocka_run_group_tests_name("metrics-stats-uptime", tests, NULL, NULL);
}
