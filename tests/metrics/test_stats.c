/*
 * test_stats.c - what the clients saw: operation counts per endpoint and
 * kind (total and per interval), stale reads, and writer-downtime episodes
 * (overlapping faults extend one; the first write sent after the fault
 * closes it; an open one lasts to the end of the run).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rdsim/stats.h"

static struct rdsim_stats *new_stats(void)
{
    struct rdsim_stats *s = NULL;

    assert_int_equal(rdsim_stats_create(&s, NULL), 0);
    assert_non_null(s);
    return s;
}

static void test_stats_counts_per_endpoint_and_kind_and_resets_the_interval(void **state)
{
    struct rdsim_stats *s = new_stats();
    (void)state;

    rdsim_stats_use(s, RDSIM_EP_WRITER, RDSIM_OP_WRITE);
    rdsim_stats_op_ok(s, RDSIM_EP_WRITER, RDSIM_OP_WRITE, 2 * RDSIM_MS);
    rdsim_stats_op_ok(s, RDSIM_EP_WRITER, RDSIM_OP_WRITE, 4 * RDSIM_MS);
    rdsim_stats_op_failed(s, RDSIM_EP_READER, RDSIM_OP_READ, 5 * RDSIM_S);
    rdsim_stats_attempt_error(s, RDSIM_EP_READER, RDSIM_OP_READ);
    rdsim_stats_attempt_error(s, RDSIM_EP_READER, RDSIM_OP_READ);
    assert_true(s->used[RDSIM_EP_WRITER][RDSIM_OP_WRITE]);
    assert_false(s->used[RDSIM_EP_READER][RDSIM_OP_READ]);
    assert_int_equal(s->total[RDSIM_EP_WRITER][RDSIM_OP_WRITE].ok, 2);
    assert_int_equal(s->total[RDSIM_EP_WRITER][RDSIM_OP_WRITE].lat.count, 2);
    assert_int_equal(s->total[RDSIM_EP_READER][RDSIM_OP_READ].failed, 1);
    assert_int_equal(s->total[RDSIM_EP_READER][RDSIM_OP_READ].attempt_errors, 2);
    assert_int_equal(s->interval[RDSIM_EP_WRITER][RDSIM_OP_WRITE].ok, 2);
    rdsim_stats_interval_reset(s);
    assert_int_equal(s->interval[RDSIM_EP_WRITER][RDSIM_OP_WRITE].ok, 0);
    assert_int_equal(s->interval[RDSIM_EP_WRITER][RDSIM_OP_WRITE].lat.count, 0);
    assert_int_equal(s->interval[RDSIM_EP_READER][RDSIM_OP_READ].attempt_errors, 0);
    assert_int_equal(s->total[RDSIM_EP_WRITER][RDSIM_OP_WRITE].ok, 2);
    rdsim_stats_destroy(s);
}

static void test_stats_stale_reads_keep_the_worst_staleness(void **state)
{
    struct rdsim_stats *s = new_stats();
    (void)state;

    rdsim_stats_read_served(s);
    rdsim_stats_read_served(s);
    rdsim_stats_stale_read(s, 30 * RDSIM_MS);
    rdsim_stats_stale_read(s, 10 * RDSIM_MS);
    assert_int_equal(s->stale.reads, 2);
    assert_int_equal(s->stale.stale, 2);
    assert_int_equal(s->stale.max_staleness, 30 * RDSIM_MS);
    rdsim_stats_destroy(s);
}

static void test_stats_overlapping_faults_make_one_episode_closed_by_a_later_write(void **state)
{
    struct rdsim_stats *s = new_stats();
    (void)state;

    rdsim_stats_write_ok(s, 0, 0, RDSIM_S); /* no episode: nothing happens */
    assert_int_equal(rdsim_stats_writer_down(s, 10 * RDSIM_S, RDSIM_CAUSE_AZ_OUTAGE), 0);
    assert_int_equal(rdsim_stats_writer_down(s, 12 * RDSIM_S, RDSIM_CAUSE_INSTANCE_FAILURE), 0);
    assert_int_equal(s->n_episodes, 1);
    assert_int_equal(s->episodes[0].cause, RDSIM_CAUSE_AZ_OUTAGE);
    /* A write sent before the fault that succeeds late does not close it. */
    rdsim_stats_write_ok(s, 0, 9 * RDSIM_S, 20 * RDSIM_S);
    assert_false(s->episodes[0].closed);
    assert_int_equal(rdsim_episode_downtime(&s->episodes[0], 100 * RDSIM_S), 90 * RDSIM_S);
    rdsim_stats_write_ok(s, 0, 40 * RDSIM_S, 41 * RDSIM_S);
    assert_true(s->episodes[0].closed);
    assert_int_equal(rdsim_episode_downtime(&s->episodes[0], 100 * RDSIM_S), 31 * RDSIM_S);
    /* The next fault opens a second episode. */
    assert_int_equal(rdsim_stats_writer_down(s, 50 * RDSIM_S, RDSIM_CAUSE_FAILOVER), 0);
    assert_int_equal(s->n_episodes, 2);
    assert_int_equal(s->episodes[1].cause, RDSIM_CAUSE_FAILOVER);
    rdsim_stats_destroy(s);
}

static void test_stats_many_episodes_grow_the_list(void **state)
{
    struct rdsim_stats *s = new_stats();
    (void)state;

    for (int k = 0; k < 100; k++) {
        assert_int_equal(rdsim_stats_writer_down(s, k * RDSIM_S, RDSIM_CAUSE_REBOOT), 0);
        rdsim_stats_write_ok(s, 0, k * RDSIM_S, k * RDSIM_S + RDSIM_MS);
    }
    assert_int_equal(s->n_episodes, 100);
    assert_int_equal(rdsim_episode_downtime(&s->episodes[99], 0), RDSIM_MS);
    rdsim_stats_destroy(s);
    rdsim_stats_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_counts_per_endpoint_and_kind_and_resets_the_interval),
        cmocka_unit_test(test_stats_stale_reads_keep_the_worst_staleness),
        cmocka_unit_test(test_stats_overlapping_faults_make_one_episode_closed_by_a_later_write),
        cmocka_unit_test(test_stats_many_episodes_grow_the_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
