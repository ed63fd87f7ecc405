/*
 * test_single_az.c - the shipped single-az scenario files (lessons 02a-c
 * and 05a-b), run by the rdsim binary with several seeds, checked through
 * the numbers in their summary.json.
 *
 * Usage: test_single_az RDSIM_BINARY SOURCE_ROOT
 *
 * The bounds come from the model's documented ranges (docs/model.md):
 * detection 10-30 s, host replacement 4-8 min, crash recovery 10-30 s, and
 * the clients' timeout (2 s) and backoff cap (5 s).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "harness.h"

static const uint64_t seeds[] = {0, 2, 3, 4}; /* 0: the scenario's own seed */

static void test_instance_crash_downtime_is_outage_plus_recovery(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario("@02a-single-az-instance-crash", seeds[i]);
        json_t *s = r.summary;
        assert_int_equal(json_array_size(json_object_get(s, "writer_outages")), 1);
        assert_between(num(s, "writer_outages.0.at_s"), 60.0, 60.0);
        assert_between(num(s, "writer_outages.0.recovered"), 1, 1);
        /* 60 s dead + 10..30 s crash recovery + up to a timeout and a backoff. */
        assert_between(num(s, "writer_outages.0.writer_downtime_s"), 70.0, 97.1);
        assert_between(num(s, "lost_writes"), 0, 0);
        /* 30,000 writes in 5 min; those sent from the crash until 30 s
         * (give_up_after) before recovery fail: 40-67 s worth at 100/s,
         * give or take Poisson noise. */
        assert_between(num(s, "lost_writes_check.acknowledged_writes"), 30000 - 6700 - 600,
                       30000 - 4000 + 600);
        assert_between(num(s, "requests.write.failed"), 1000, 12000);
        assert_between(num(s, "availability.writer"), 0.6, 0.97);
        assert_between(num(s, "expectations_met"), 1, 1);
        run_free(&r);
    }
}

static void test_host_replacement_takes_minutes_and_loses_nothing(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario("@02b-single-az-host-replacement", seeds[i]);
        json_t *s = r.summary;
        assert_between(num(s, "writer_outages.0.recovered"), 1, 1);
        assert_between(num(s, "writer_outages.0.writer_downtime_s"), 260.0, 547.1);
        assert_between(num(s, "lost_writes"), 0, 0);
        assert_between(num(s, "expectations_met"), 1, 1);
        run_free(&r);
    }
}

static void test_az_outage_lasts_as_long_as_the_az(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario("@02c-single-az-az-outage", seeds[i]);
        json_t *s = r.summary;
        /* Nothing to recover but the AZ: 3 min, plus a timeout and a backoff. */
        assert_between(num(s, "writer_outages.0.writer_downtime_s"), 180.0, 187.1);
        /* About 3.5 of 8 minutes of operations fail (those sent in the
         * 30 s before the outage began retry into it and give up too). */
        assert_between(num(s, "availability.writer"), 0.5, 0.7);
        assert_between(num(s, "lost_writes"), 0, 0);
        run_free(&r);
    }
}

static void test_read_surge_raises_latency_without_a_fault(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario("@05a-read-surge-one-instance", seeds[i]);
        json_t *s = r.summary;
        assert_int_equal(json_array_size(json_object_get(s, "writer_outages")), 0);
        /* The surge is a third of the run at 95% load: the tail stretches
         * far beyond the median. */
        assert_true(num(s, "requests.read.p99_ms") > 5.0 * num(s, "requests.read.p50_ms"));
        assert_between(num(s, "lost_writes"), 0, 0);
        run_free(&r);
    }
}

/* Lesson 05b: the same surge with two read replicas taking the reads: each
 * runs at under half its capacity, so the tail stays short; the price is a
 * few reads a few milliseconds stale. */
static void test_read_replicas_absorb_the_same_surge(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result one = run_scenario("@05a-read-surge-one-instance", seeds[i]);
        struct run_result three = run_scenario("@05b-read-scaling-with-replicas", seeds[i]);
        double p99_one = num(one.summary, "requests.read.p99_ms");
        double p99_three = num(three.summary, "requests.read.p99_ms");

        assert_true(p99_three * 3.0 < p99_one);
        assert_between(p99_three, 0.0, 5.0);
        assert_between(num(three.summary, "availability.reader"), 0.999, 1.0);
        assert_true(num(three.summary, "stale_reads.count") > 0);
        assert_between(num(three.summary, "stale_reads.ratio"), 0.0, 0.005);
        assert_between(num(three.summary, "lost_writes"), 0, 0);
        run_free(&one);
        run_free(&three);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instance_crash_downtime_is_outage_plus_recovery),
        cmocka_unit_test(test_host_replacement_takes_minutes_and_loses_nothing),
        cmocka_unit_test(test_az_outage_lasts_as_long_as_the_az),
        cmocka_unit_test(test_read_surge_raises_latency_without_a_fault),
        cmocka_unit_test(test_read_replicas_absorb_the_same_surge),
    };

    return HARNESS_MAIN(tests);
}
