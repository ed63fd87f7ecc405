/*
 * test_figures.c - the figures mean what docs/outputs.md ("What each figure
 * means") says, over several seeds: uptime against availability, latency
 * with the failed operations, lag from the replication stream, the clients'
 * return after a failover.
 *
 * Usage: test_figures RDSIM_BINARY SOURCE_ROOT
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

static const uint64_t seeds[] = {0, 2, 3};
#define N_SEEDS (sizeof(seeds) / sizeof(seeds[0]))

/* uptime = 1 - unavailable_s / simulated_s, per endpoint used. */
static void assert_uptime_is_unavailable_over_duration(json_t *s, const char *ep)
{
    char up[64], un[64];

    snprintf(up, sizeof(up), "uptime.%s", ep);
    snprintf(un, sizeof(un), "unavailable_s.%s", ep);
    assert_between(num(s, up), 1 - num(s, un) / num(s, "simulated_s") - 2e-6,
                   1 - num(s, un) / num(s, "simulated_s") + 2e-6);
}

/* Lesson 12: the volume loses its write quorum for ~10 s in 5 min. Every
 * write eventually succeeds after retries (availability ~100%), but the
 * writer endpoint served nothing for those seconds. */
static void test_quorum_stall_shows_in_uptime_whatever_availability_says(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario("@12-aurora-storage-quorum", seeds[i]);
        json_t *s = r.summary;

        assert_true(num(s, "availability.writer") > 0.999);
        assert_true(num(s, "uptime.writer") < 0.99);
        assert_between(num(s, "unavailable_s.writer"), 5, 20);
        /* Reads go on without a write quorum. */
        assert_true(num(s, "uptime.reader") > 0.999);
        /* Retried attempts count against attempt success, not availability. */
        assert_true(num(s, "attempt_success.writer") < num(s, "availability.writer"));
        assert_uptime_is_unavailable_over_duration(s, "writer");
        assert_uptime_is_unavailable_over_duration(s, "reader");
        /* The stall is one window, from the lost quorum on. */
        assert_between(num(s, "unavailable_windows.writer.0.0"), 119.9, 121);
        run_free(&r);
    }
}

/* Lesson 01: a Multi-AZ instance failover. The writer endpoint is down from
 * the fault until the first client writes again: its down time is the
 * writer downtime (within 1 s); the clients' DNS caches spread their return
 * over the TTL after that. */
static void test_multi_az_failover_unavailable_matches_writer_downtime(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario("@01-multi-az-instance-failover", seeds[i]);
        json_t *s = r.summary;
        double down = num(s, "failovers.0.writer_downtime_s");
        double first = num(s, "failovers.0.clients_recovered_s.first");
        double p50 = num(s, "failovers.0.clients_recovered_s.p50");
        double last = num(s, "failovers.0.clients_recovered_s.last");

        assert_between(num(s, "unavailable_s.writer"), down - 1, down + 1);
        assert_uptime_is_unavailable_over_duration(s, "writer");
        /* The first client is the end of the writer downtime. */
        assert_between(first, num(s, "failovers.0.at_s") + down - 0.001,
                       num(s, "failovers.0.at_s") + down + 0.001);
        assert_true(first <= p50 && p50 <= last);
        /* A 5 s TTL: the last client is back within it (and a write) after
         * the DNS update, and later than the first. */
        assert_true(last > first);
        assert_true(last <= num(s, "failovers.0.dns_updated_s") + 7);
        assert_between(num(s, "failovers.0.clients_recovered_s.recovered"), 64, 64);
        run_free(&r);
    }
}

/* Lesson 03b: the clients cache the old writer forever; most writes fail.
 * Their latency is the time their clients waited before giving up, so p99
 * is at least give_up_after (30 s) minus a last backoff, while the writes
 * that did succeed were fast. */
static void test_failed_writes_count_in_latency_at_give_up_time(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario("@03b-dns-cache-forever", seeds[i]);
        json_t *s = r.summary;
        double ok = num(s, "requests.write.ok"), failed = num(s, "requests.write.failed");

        assert_true(failed > ok);
        assert_true(num(s, "requests.write.p99_ms") >= 30000);
        assert_true(num(s, "requests.write.p50_ms") >= 25000);
        assert_true(num(s, "requests.write.ok_p99_ms") < 1000);
        assert_true(num(s, "requests.write.ok_p50_ms") <= num(s, "requests.write.ok_p99_ms"));
        assert_true(num(s, "uptime.writer") < 0.2);
        /* Nobody wrote again: no client is recovered. */
        assert_true(is_null(s, "failovers.0.clients_recovered_s.first"));
        assert_between(num(s, "failovers.0.clients_recovered_s.recovered"), 0, 0);
        run_free(&r);
    }
}

/* Lesson 01 again: the synchronous standby lags 0 while in sync (and the
 * writer has no lag at all); the replica of the primary has no lag while its
 * source is dead, and lags again once it follows the new writer. */
static void test_sync_standby_lags_zero_and_a_dead_source_gives_no_lag(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario("@01-multi-az-instance-failover", seeds[i]);
        double *t, *standby, *replica, *primary;
        size_t n = series(&r, "lag_ms_standby", &t, &standby), empty_after = 0, later = 0;

        free(t);
        assert_int_equal(series(&r, "lag_ms_replica1", &t, &replica), n);
        free(t);
        assert_int_equal(series(&r, "lag_ms_primary", &t, &primary), n);
        for (size_t k = 0; k < n; k++) {
            if (t[k] <= 120) {
                assert_true(standby[k] == 0);
                assert_true(isnan(primary[k]));
                assert_true(replica[k] > 0 && replica[k] < 20);
            }
            if (t[k] > 121 && t[k] < num(r.summary, "failovers.0.promoted_s"))
                empty_after += isnan(replica[k]);
            if (t[k] > num(r.summary, "failovers.0.dns_updated_s") + 60)
                later += !isnan(replica[k]);
        }
        assert_true(empty_after > 10);
        assert_true(later > 10);
        assert_between(num(r.summary, "replica_lag_ms.standby.max"), 0, 0);
        /* The summary reads the rows: its max is the largest row. */
        {
            double mx = 0;
            for (size_t k = 0; k < n; k++)
                if (!isnan(replica[k]) && replica[k] > mx)
                    mx = replica[k];
            assert_between(num(r.summary, "replica_lag_ms.replica1.max"), mx - 0.001,
                           mx + 0.001);
        }
        free(t);
        free(standby);
        free(replica);
        free(primary);
        run_free(&r);
    }
}

/* A replica cut off from its source by a 60 s AZ outage misses every change
 * meanwhile: it lags more with every second, 50 s and more before the cut
 * ends, and catches up after it. */
static void test_replica_cut_off_for_60_s_lags_50_s_and_more(void **state)
{
    static const char yaml[] =
        "name: cut-off-replica\nduration: 3m\nsample_interval: 1s\n"
        "cluster:\n  deployment: single-az\n  instances:\n"
        "    - {name: primary, role: writer, az: us-east-1a}\n"
        "    - {name: r1, role: replica, az: us-east-1b}\n"
        "workload: {rows: 1000, reads: 50/s, writes: 50/s}\n"
        "events: [{at: 60s, action: az-outage, az: us-east-1b, for: 60s}]\n";
    char path[64];
    (void)state;

    write_scenario(yaml, path);
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario(path, seeds[i] ? seeds[i] : 1);
        double *t, *lag, before_end = 0, after = 1e9;
        size_t n = series(&r, "lag_ms_r1", &t, &lag);

        for (size_t k = 0; k < n; k++) {
            if (t[k] <= 120 && lag[k] > before_end)
                before_end = lag[k];
            if (t[k] >= 150 && !isnan(lag[k]) && (after > 1e8 || lag[k] > after))
                after = lag[k];
        }
        assert_true(before_end >= 50000);
        assert_true(before_end <= 61000);
        assert_true(after < 100); /* caught up by copy once back */
        assert_true(num(r.summary, "replica_lag_ms.r1.max") >= 50000);
        free(t);
        free(lag);
        run_free(&r);
    }
    remove(path);
}

/* Two replicas, one of which applies 2 s late: two different lag lines,
 * and in lesson 05b (two alike replicas in two AZs) the lines differ too. */
static void test_two_replicas_with_different_lag_have_different_lines(void **state)
{
    static const char yaml[] =
        "name: two-replicas\nduration: 90s\nsample_interval: 1s\n"
        "cluster:\n  deployment: single-az\n  instances:\n"
        "    - {name: primary, role: writer, az: us-east-1a}\n"
        "    - {name: r1, role: replica, az: us-east-1b}\n"
        "    - {name: r2, role: replica, az: us-east-1c}\n"
        "workload: {rows: 1000, reads: 50/s, writes: 50/s}\n"
        "events: [{at: 30s, action: replica-lag, target: r2, delay: 2s, for: 30s}]\n";
    char path[64];
    (void)state;

    write_scenario(yaml, path);
    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario(path, seeds[i] ? seeds[i] : 1);
        double *t, *r1, *r2;
        size_t n = series(&r, "lag_ms_r1", &t, &r1), apart = 0;

        free(t);
        assert_int_equal(series(&r, "lag_ms_r2", &t, &r2), n);
        for (size_t k = 0; k < n; k++)
            if (t[k] > 32 && t[k] <= 60) {
                assert_true(r2[k] >= 2000);
                assert_true(r1[k] < 20);
                apart++;
            }
        assert_true(apart >= 25);
        free(t);
        free(r1);
        free(r2);
        run_free(&r);
    }
    remove(path);

    for (size_t i = 0; i < N_SEEDS; i++) {
        struct run_result r = run_scenario("@05b-read-scaling-with-replicas", seeds[i]);
        double *t, *r1, *r2;
        size_t n = series(&r, "lag_ms_r1", &t, &r1), differ = 0;

        free(t);
        assert_int_equal(series(&r, "lag_ms_r2", &t, &r2), n);
        for (size_t k = 0; k < n; k++)
            differ += r1[k] != r2[k];
        assert_true(differ * 10 >= n * 9);
        /* The writer all along never had a source: no lag figures. */
        assert_true(is_null(r.summary, "replica_lag_ms.small.max"));
        free(t);
        free(r1);
        free(r2);
        run_free(&r);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quorum_stall_shows_in_uptime_whatever_availability_says),
        cmocka_unit_test(test_multi_az_failover_unavailable_matches_writer_downtime),
        cmocka_unit_test(test_failed_writes_count_in_latency_at_give_up_time),
        cmocka_unit_test(test_sync_standby_lags_zero_and_a_dead_source_gives_no_lag),
        cmocka_unit_test(test_replica_cut_off_for_60_s_lags_50_s_and_more),
        cmocka_unit_test(test_two_replicas_with_different_lag_have_different_lines),
    };

    return HARNESS_MAIN(tests);
}
