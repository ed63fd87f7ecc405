/*
 * test_client_regions.c - clients in several Regions (workload.regions,
 * issue 15 item 7): clients in a second Region read in a few milliseconds
 * from a replica there and pay the cross-Region round trip without one;
 * their writes pay it always; the figures per Region add up to the run's;
 * routing follows a Global Database switchover. Several seeds each, through
 * summary.json's `regions`.
 *
 * The topology's cross-Region RTT is set to 80..90 ms so that the checks
 * read it from the scenario, not from rdsim's default.
 *
 * Usage: test_client_regions RDSIM_BINARY SOURCE_ROOT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "harness.h"

static const uint64_t seeds[] = {1, 2, 3};
#define N_SEEDS (sizeof(seeds) / sizeof(seeds[0]))

#define RTT_LO 80.0 /* ms, topology.rtt.cross_region below */
#define RTT_HI 90.0

/* An RDS MySQL Single-AZ writer in us-east-1 with a replica beside it and
 * `eu` (instances in eu-west-1, or nothing); 60% of the clients in
 * us-east-1, 40% in eu-west-1. */
static void rds_scenario(const char *eu, char out[64])
{
    char yaml[2048];

    snprintf(yaml, sizeof(yaml),
             "name: regions\n"
             "duration: 1m\n"
             "topology:\n"
             "  regions:\n"
             "    - {name: us-east-1, azs: [us-east-1a, us-east-1b, us-east-1c]}\n"
             "    - {name: eu-west-1, azs: [eu-west-1a, eu-west-1b]}\n"
             "  rtt: {cross_region: 80ms..90ms}\n"
             "cluster:\n"
             "  deployment: single-az\n"
             "  engine: mysql\n"
             "  instances:\n"
             "    - {name: primary, role: writer, az: us-east-1a}\n"
             "    - {name: r1, role: replica, az: us-east-1b}\n"
             "%s"
             "workload:\n"
             "  keys: zipf:1.2\n"
             "  reads: 300/s\n"
             "  writes: 100/s\n"
             "  regions: {us-east-1: 0.6, eu-west-1: 0.4}\n",
             eu);
    write_scenario(yaml, out);
}

/* Each Region's operations add up to the run's, and its share of them is
 * near its share of the load. */
static void check_shares(json_t *s)
{
    static const char *const kinds[] = {"read", "write"};
    for (int k = 0; k < 2; k++) {
        char us[64], eu[64], all[64];
        snprintf(us, sizeof us, "regions.us-east-1.%s.ok", kinds[k]);
        snprintf(eu, sizeof eu, "regions.eu-west-1.%s.ok", kinds[k]);
        snprintf(all, sizeof all, "requests.%s.ok", kinds[k]);
        assert_true(num(s, us) + num(s, eu) == num(s, all));
        assert_between(num(s, eu) / num(s, all), 0.37, 0.43);
    }
}

static void test_a_replica_in_the_readers_region_serves_them_locally(void **state)
{
    char yaml[64];
    (void)state;

    rds_scenario("    - {name: eu1, role: replica, az: eu-west-1a}\n", yaml);
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario(yaml, seeds[i]);
        json_t *s = r.summary;
        assert_int_equal(r.exit_status, 0);
        check_shares(s);
        /* Reads in a few milliseconds in both Regions. */
        assert_between(num(s, "regions.eu-west-1.read.p50_ms"), 0.1, 3.0);
        assert_between(num(s, "regions.eu-west-1.read.p99_ms"), 0.1, 5.0);
        assert_between(num(s, "regions.us-east-1.read.p99_ms"), 0.1, 5.0);
        /* Writes from eu-west-1 cross the Atlantic: one RTT and the commit. */
        assert_between(num(s, "regions.eu-west-1.write.p50_ms"), RTT_LO, RTT_HI + 5.0);
        assert_between(num(s, "regions.us-east-1.write.p50_ms"), 0.1, 5.0);
        /* The price: eu1 applies the writes an ocean later, so its readers
         * see stale rows more often than those of r1, next to the writer. */
        assert_true(num(s, "regions.eu-west-1.stale_reads.ratio") >
                    2 * num(s, "regions.us-east-1.stale_reads.ratio"));
        assert_true(num(s, "regions.eu-west-1.stale_reads.count") +
                        num(s, "regions.us-east-1.stale_reads.count") ==
                    num(s, "stale_reads.count"));
        assert_true(num(s, "regions.eu-west-1.read.failed") == 0);
        run_free(&r);
    }
    remove(yaml);
}

static void test_without_one_reads_pay_the_cross_region_round_trip(void **state)
{
    char yaml[64];
    (void)state;

    rds_scenario("", yaml);
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario(yaml, seeds[i]);
        json_t *s = r.summary;
        assert_int_equal(r.exit_status, 0);
        check_shares(s);
        assert_between(num(s, "regions.eu-west-1.read.p50_ms"), RTT_LO, RTT_HI + 3.0);
        assert_between(num(s, "regions.eu-west-1.write.p50_ms"), RTT_LO, RTT_HI + 5.0);
        assert_between(num(s, "regions.us-east-1.read.p99_ms"), 0.1, 5.0);
        run_free(&r);
    }
    remove(yaml);
}

/* Without workload.regions there is no `regions` object. */
static void test_without_regions_the_summary_has_none(void **state)
{
    (void)state;
    struct run_result r = run_scenario("@07-read-replica-promote", 0);
    assert_null(json_object_get(r.summary, "regions"));
    run_free(&r);
}

/* A switchover of an Aurora Global Database to eu-west-1 at 15 s moves the
 * writer there: from then on us-east-1's clients pay the RTT on writes and
 * eu-west-1's do not; us-east-1's reads stay local (the old writer joins
 * its Region's readers). */
static void test_routing_follows_a_global_switchover(void **state)
{
    char yaml[64];
    (void)state;

    write_scenario("name: regions-global\n"
                   "duration: 4m\n"
                   "topology:\n"
                   "  regions:\n"
                   "    - {name: us-east-1, azs: [us-east-1a, us-east-1b]}\n"
                   "    - {name: eu-west-1, azs: [eu-west-1a, eu-west-1b]}\n"
                   "  rtt: {cross_region: 80ms..90ms}\n"
                   "cluster:\n"
                   "  deployment: aurora\n"
                   "  engine: aurora-mysql\n"
                   "  instances:\n"
                   "    - {name: writer, role: writer, az: us-east-1a}\n"
                   "    - {name: reader, role: replica, az: us-east-1b}\n"
                   "    - {name: eu1, role: replica, az: eu-west-1a}\n"
                   "workload:\n"
                   "  reads: 200/s\n"
                   "  writes: 50/s\n"
                   "  regions: {us-east-1: 0.5, eu-west-1: 0.5}\n"
                   "events:\n"
                   "  - {at: 15s, action: global-failover, region: eu-west-1, mode: switchover}\n",
                   yaml);
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario(yaml, seeds[i]);
        json_t *s = r.summary;
        assert_int_equal(r.exit_status, 0);
        assert_string_equal(json_string_value(json_object_get(s, "final_writer")), "eu1");
        assert_between(num(s, "regions.us-east-1.write.p50_ms"), RTT_LO, RTT_HI + 10.0);
        assert_between(num(s, "regions.eu-west-1.write.p50_ms"), 0.1, 10.0);
        assert_between(num(s, "regions.us-east-1.read.p50_ms"), 0.1, 3.0);
        assert_between(num(s, "regions.eu-west-1.read.p50_ms"), 0.1, 3.0);
        run_free(&r);
    }
    remove(yaml);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_replica_in_the_readers_region_serves_them_locally),
        cmocka_unit_test(test_without_one_reads_pay_the_cross_region_round_trip),
        cmocka_unit_test(test_without_regions_the_summary_has_none),
        cmocka_unit_test(test_routing_follows_a_global_switchover),
    };
    return HARNESS_MAIN(tests);
}
