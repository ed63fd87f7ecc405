/*
 * test_rds.c - the RDS high-availability scenarios (Multi-AZ instance,
 * Multi-AZ cluster, read replicas, DNS caching, RDS Proxy), run by the rdsim
 * binary with several seeds and checked through summary.json and
 * timeseries.csv against what AWS documents (the pages docs/model.md cites).
 *
 * Usage: test_rds RDSIM_BINARY SOURCE_ROOT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const uint64_t seeds[] = {0, 2, 3, 4, 5}; /* 0: the scenario's own seed */
#define N_SEEDS (sizeof(seeds) / sizeof(seeds[0]))

/* Facts 1: "60-120 seconds typical", "zero data loss". */
static void test_multi_az_instance_az_outage_fails_over_in_60_to_120_s(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario("@01-multi-az-instance-failover", seeds[i]);
        json_t *s = r.summary;

        assert_int_equal(json_array_size(json_object_get(s, "failovers")), 1);
        assert_between(num(s, "failovers.0.writer_downtime_s"), 60.0, 120.0);
        assert_true(num(s, "failovers.0.detected_s") < num(s, "failovers.0.promoted_s"));
        assert_true(num(s, "failovers.0.promoted_s") < num(s, "failovers.0.dns_updated_s"));
        assert_between(num(s, "failovers.0.lost_writes"), 0, 0);
        assert_between(num(s, "lost_writes"), 0, 0);
        /* The replica keeps serving reads through the failover. */
        assert_between(num(s, "availability.reader"), 0.999, 1.0);
        assert_int_equal(r.exit_status, 0);
        run_free(&r);
    }
}

/* Facts 1: synchronous replication makes commits slower than Single-AZ; the
 * model adds one cross-AZ round trip (0.5-1.5 ms) and the standby's EBS
 * write (0.3-1 ms). */
static void test_multi_az_instance_commits_pay_a_cross_az_round_trip(void **state)
{
#define COMMIT_SCENARIO(name, deployment, standby)                                          \
    "name: " name "\n"                                                                       \
    "duration: 2m\n"                                                                         \
    "cluster:\n"                                                                             \
    "  deployment: " deployment "\n"                                                         \
    "  instances:\n"                                                                         \
    "    - {name: primary, role: writer, az: us-east-1a}\n" standby                          \
    "workload: {rows: 10000, reads: 0/s, writes: 200/s}\n"
    char single[64], multi[64];
    (void)state;

    write_scenario(COMMIT_SCENARIO("commit-single", "single-az", ""), single);
    write_scenario(COMMIT_SCENARIO("commit-multi", "multi-az-instance",
                                   "    - {name: standby, role: standby, az: us-east-1b}\n"),
                   multi);
    for (size_t i = 0; i < 3; i++) {
        struct run_result a = run_scenario(single, seeds[i]);
        struct run_result b = run_scenario(multi, seeds[i]);
        double extra = num(b.summary, "requests.write.mean_ms") -
                       num(a.summary, "requests.write.mean_ms");
        assert_between(extra, 0.8, 2.5);
        run_free(&a);
        run_free(&b);
    }
    remove(single);
    remove(multi);
}

/* Facts 2: "typically under 35 seconds". */
static void test_multi_az_cluster_fails_over_under_35_s(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario("@08a-multi-az-cluster-failover", seeds[i]);
        json_t *s = r.summary;

        assert_between(num(s, "failovers.0.writer_downtime_s"), 5.0, 35.0);
        assert_between(num(s, "lost_writes"), 0, 0);
        assert_between(num(s, "availability.reader"), 0.999, 1.0);
        run_free(&r);
    }
}

/* Facts 2: the standbys apply their backlog before promotion, so lagging
 * standbys make the failover longer, and lose nothing. */
static void test_multi_az_cluster_lagging_standbys_fail_over_later(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result fast = run_scenario("@08a-multi-az-cluster-failover", seeds[i]);
        struct run_result slow = run_scenario("@08b-multi-az-cluster-lagging-standbys", seeds[i]);
        double d_fast = num(fast.summary, "failovers.0.writer_downtime_s");
        double d_slow = num(slow.summary, "failovers.0.writer_downtime_s");

        /* The 20 s delay leaves 10-15 s of backlog at detection. */
        assert_true(d_slow > d_fast + 5.0);
        assert_between(num(slow.summary, "lost_writes"), 0, 0);
        assert_true(num(slow.summary, "replica_lag_ms.node-b.max") > 15000.0);
        run_free(&fast);
        run_free(&slow);
    }
}

/* Facts 3: RPO = replica lag; checked against the SQLite data. */
static void test_promoted_replica_loses_its_lag_times_the_write_rate(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario("@07-read-replica-promote", seeds[i]);
        json_t *s = r.summary;
        double lost = num(s, "lost_writes");
        double unapplied = num(s, "failovers.0.unapplied_writes");

        /* 5 s of lag at 200 writes/s: 1,000 writes, Poisson noise ~3%. */
        assert_between(lost, 1000 * 0.85, 1000 * 1.15);
        /* The clients' record against r1's SQLite data agrees with the
         * replication queue the model dropped (those include the few
         * writes that committed but were never acknowledged). */
        assert_true(fabs(lost - unapplied) <= 0.02 * unapplied + 5);
        assert_between(num(s, "failovers.0.promoted_s") - num(s, "failovers.0.at_s"), 60, 180);
        assert_true(strcmp(json_string_value(json_object_get(
                               json_array_get(json_object_get(s, "failovers"), 0), "cause")),
                           "promote") == 0);
        run_free(&r);
    }
}

/* Facts 3: a single applier falls behind a write-heavy source, and drains
 * once the load drops. */
static void test_replica_lag_grows_under_write_burst_then_drains(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        struct run_result r = run_scenario("@06-replica-lag-write-heavy", seeds[i]);
        double *t, *lag;
        size_t n = series(&r, "lag_ms_replica", &t, &lag);
        double at40 = 0, at50 = 0, at60 = 0, end = -1;

        for (size_t k = 0; k < n; k++) {
            if (t[k] == 40.0)
                at40 = lag[k];
            if (t[k] == 50.0)
                at50 = lag[k];
            if (t[k] == 60.0)
                at60 = lag[k];
            if (t[k] == 90.0)
                end = lag[k];
        }
        /* 6,000 writes/s from 30 s to 60 s against a 4,444/s applier: lag
         * climbs steadily, about 0.26 s a second. */
        assert_true(at40 > 1000.0);
        assert_true(at50 > at40 + 2000.0);
        assert_true(at60 > at50 + 2000.0);
        /* 30 s after the burst the backlog (about 12 s of work) is gone. */
        assert_between(end, 0.0, 1000.0);
        assert_true(num(r.summary, "stale_reads.count") > 0);
        free(t);
        free(lag);
        run_free(&r);
    }
}

/* Facts 1, 8: clients caching DNS forever never reach the new writer; with
 * the 5 s TTL they do within TTL plus their backoff of the DNS flip. */
static void test_dns_cache_forever_never_recovers_ttl_does(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result never = run_scenario("@03b-dns-cache-forever", seeds[i]);
        struct run_result ttl = run_scenario("@03a-dns-cache-ttl", seeds[i]);
        double *t, *ok, after_dns = 0;
        double fault = num(never.summary, "failovers.0.at_s");
        size_t n = series(&never, "writer_writes_ok", &t, &ok);

        assert_between(num(never.summary, "writer_outages.0.recovered"), 0, 0);
        for (size_t k = 0; k < n; k++)
            if (t[k] > fault + 1.0)
                after_dns += ok[k];
        assert_true(after_dns == 0);
        free(t);
        free(ok);

        assert_between(num(ttl.summary, "writer_outages.0.recovered"), 1, 1);
        /* TTL 5 s + a timeout (2 s) + a backoff (at most 5 s). */
        assert_between(num(ttl.summary, "writer_outages.0.recovered_s") -
                           num(ttl.summary, "failovers.0.dns_updated_s"),
                       0.0, 12.0);
        run_free(&never);
        run_free(&ttl);
    }
}

/* Facts 4.9: RDS Proxy follows the new writer without DNS. */
static void test_rds_proxy_shortens_writer_downtime(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result direct = run_scenario("@03a-dns-cache-ttl", seeds[i]);
        struct run_result proxy = run_scenario("@04-rds-proxy", seeds[i]);

        assert_true(num(proxy.summary, "failovers.0.writer_downtime_s") <
                    num(direct.summary, "failovers.0.writer_downtime_s"));
        /* The proxy switches 1-3 s after promotion. */
        assert_between(num(proxy.summary, "writer_outages.0.recovered_s") -
                           num(proxy.summary, "failovers.0.promoted_s"),
                       0.0, 3.0 + 2.0 + 5.0);
        run_free(&direct);
        run_free(&proxy);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi_az_instance_az_outage_fails_over_in_60_to_120_s),
        cmocka_unit_test(test_multi_az_instance_commits_pay_a_cross_az_round_trip),
        cmocka_unit_test(test_multi_az_cluster_fails_over_under_35_s),
        cmocka_unit_test(test_multi_az_cluster_lagging_standbys_fail_over_later),
        cmocka_unit_test(test_promoted_replica_loses_its_lag_times_the_write_rate),
        cmocka_unit_test(test_replica_lag_grows_under_write_burst_then_drains),
        cmocka_unit_test(test_dns_cache_forever_never_recovers_ttl_does),
        cmocka_unit_test(test_rds_proxy_shortens_writer_downtime),
    };

    return HARNESS_MAIN(tests);
}
