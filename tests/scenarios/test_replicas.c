/*
 * test_replicas.c - new replicas (create-replica) and Aurora Auto Scaling
 * run by the rdsim binary over several seeds, checked through summary.json
 * and timeseries.csv.
 *
 * Usage: test_replicas RDSIM_BINARY SOURCE_ROOT
 *
 * An RDS read replica asked for at 1 min is built from a copy of the
 * writer, catches up on the writes made meanwhile and only then serves
 * reads; an Aurora Replica added under a read surge brings the readers'
 * p99 down once it joins, and a failover picks it by its tier once it is
 * available (not while it is being created); auto scaling adds a replica
 * three minutes into a surge and removes it fifteen minutes after the
 * surge ends, and fills the removed replica's slot again at the next surge.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const uint64_t seeds[] = {1, 2, 3};

/* Mean of column `col` over rows with lo <= t < hi (empty fields skipped). */
static double mean_between(const struct run_result *r, const char *col, double lo, double hi)
{
    double *t, *v, sum = 0;
    size_t n = series(r, col, &t, &v), k = 0;

    for (size_t i = 0; i < n; i++)
        if (t[i] >= lo && t[i] < hi && !isnan(v[i])) {
            sum += v[i];
            k++;
        }
    free(t);
    free(v);
    return k ? sum / (double)k : NAN;
}

/* Rows of column `col` with lo <= t < hi that are empty (NAN). */
static size_t empty_between(const struct run_result *r, const char *col, double lo, double hi)
{
    double *t, *v;
    size_t n = series(r, col, &t, &v), k = 0;

    for (size_t i = 0; i < n; i++)
        k += t[i] >= lo && t[i] < hi && isnan(v[i]);
    free(t);
    free(v);
    return k;
}

static void test_rds_replica_serves_no_read_before_it_is_available(void **state)
{
    char path[64];
    (void)state;

    write_scenario("name: rds-new-replica\nduration: 20m\n"
                   "cluster:\n  deployment: single-az\n  instance_class: db.t3.medium\n"
                   "  instances:\n    - {name: db, role: writer, az: us-east-1a}\n"
                   "    - {name: r1, role: replica, az: us-east-1b}\n"
                   "workload: {reads: 300/s, writes: 50/s, read_from: reader}\n"
                   "events:\n  - {at: 1m, action: create-replica, name: r2, az: us-east-1c}\n",
                   path);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario(path, seeds[i]);
        json_t *s = r.summary;
        double at, built, avail;
        assert_int_equal(json_array_size(json_object_get(s, "replicas_created")), 1);
        assert_string_equal(str(s, "replicas_created", 0, "by"), "event");
        at = num(s, "replicas_created.0.at_s");
        built = num(s, "replicas_created.0.built_s");
        avail = num(s, "replicas_created.0.available_s");
        assert_between(at, 60, 60);
        /* A snapshot (1..3 min) restored to a new instance (8..12 min). */
        assert_between(built - at, 540, 900 + 10);
        /* Then it catches up on the backlog: the writes since it was asked
         * for, 50/s, applied by its single applier in seconds. */
        assert_between(num(s, "replicas_created.0.backlog_writes"), 0.85 * 50 * (built - at),
                       1.15 * 50 * (built - at));
        assert_between(avail - built, 0.001, 60);
        /* No read reaches it before it joins the readers; reads do after. */
        assert_between(num(s, "replicas_created.0.first_read_s"), avail, avail + 10);
        assert_between(num(s, "replicas_created.0.reads_served"), 1, 1e9);
        /* Its lag column exists from the start, empty until it is built. */
        assert_true(isnan(mean_between(&r, "lag_ms_r2", 0, built)));
        assert_int_equal(empty_between(&r, "lag_ms_r2", built + 1, 1e9), 0);
        assert_between(num(s, "lost_writes"), 0, 0);
        run_free(&r);
    }
}

static const char aurora_surge[] =
    "name: aurora-new-replica-surge\nduration: 10m\n"
    "cluster:\n  deployment: aurora\n  instance_class: db.t3.medium\n"
    "  instances:\n    - {name: w, role: writer, az: us-east-1a}\n"
    "    - {name: r1, role: replica, az: us-east-1b}\n"
    "workload: {reads: 2000/s, writes: 50/s, read_from: reader}\n"
    "events:\n  - {at: 1m, action: load, reads: 7900/s}\n"
    "  - {at: 1m, action: create-replica, name: r2, az: us-east-1c}\n";

static void test_aurora_replica_brings_read_p99_down_once_it_joins(void **state)
{
    char path[64];
    (void)state;

    write_scenario(aurora_surge, path);
    for (size_t i = 0; i < 2; i++) {
        struct run_result r = run_scenario(path, seeds[i]);
        json_t *s = r.summary;
        double avail = num(s, "replicas_created.0.available_s"), before, after;
        /* A new instance on the shared volume: minutes, no data copied,
         * nothing to catch up on. */
        assert_between(avail - 60, 240, 420);
        assert_between(num(s, "replicas_created.0.built_s"), avail, avail);
        assert_between(num(s, "replicas_created.0.first_read_s"), avail, avail + 10);
        /* One reader near saturation, then two at half. */
        before = mean_between(&r, "reader_read_p99_ms", 90, avail);
        after = mean_between(&r, "reader_read_p99_ms", avail + 30, 600);
        if (!(before > 2 * after))
            fail_msg("seed %llu: read p99 %.2f ms before r2 joined, %.2f ms after",
                     (unsigned long long)seeds[i], before, after);
        run_free(&r);
    }
}

static void test_failover_picks_a_new_replica_only_once_available(void **state)
{
    char path[64];
    (void)state;

    write_scenario("name: aurora-new-replica-failover\nduration: 15m\n"
                   "cluster:\n  deployment: aurora\n"
                   "  instances:\n    - {name: w, role: writer, az: us-east-1a}\n"
                   "    - {name: r1, role: replica, az: us-east-1b, tier: 1}\n"
                   "workload: {reads: 100/s, writes: 20/s}\n"
                   "events:\n"
                   "  - {at: 1m, action: create-replica, name: r2, az: us-east-1c, tier: 0}\n"
                   "  - {at: 3m, action: failover}\n"
                   "  - {at: 12m, action: failover}\n",
                   path);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario(path, seeds[i]);
        json_t *s = r.summary;
        /* At 3 min r2 is being created: r1 is the only candidate; at 12 min
         * r2 has joined and its tier 0 beats the old writer's 1. */
        assert_string_equal(str(s, "failovers", 0, "to"), "r1");
        assert_string_equal(str(s, "failovers", 1, "to"), "r2");
        assert_between(num(s, "replicas_created.0.available_s"), 300, 480);
        assert_between(num(s, "lost_writes"), 0, 0);
        run_free(&r);
    }
}

static void test_autoscaling_adds_a_replica_under_a_surge_and_removes_it_later(void **state)
{
    char path[64];
    (void)state;

    write_scenario("name: aurora-autoscaling\nduration: 30m\n"
                   "cluster:\n  deployment: aurora\n  instance_class: db.t3.medium\n"
                   "  instances:\n    - {name: w, role: writer, az: us-east-1a}\n"
                   "    - {name: r1, role: replica, az: us-east-1b}\n"
                   "  replica_autoscaling: {min: 1, max: 3, target_cpu: 20}\n"
                   "workload: {reads: 800/s, writes: 20/s, read_from: reader}\n"
                   "events:\n  - {at: 1m, action: load, reads: 3200/s}\n"
                   "  - {at: 12m, action: load, reads: 800/s}\n",
                   path);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario(path, seeds[i]);
        json_t *s = r.summary;
        double out, avail, in;
        json_t *scaling = json_object_get(s, "autoscaling");
        assert_int_equal(json_array_size(json_object_get(scaling, "actions")), 2);
        assert_int_equal(json_array_size(json_object_get(s, "replicas_created")), 1);
        /* Three datapoints above 20 % (one reader at about 38 %): the
         * minutes ending at 2, 3 and 4 min; ceil(1 x 38 / 20) = 2, which
         * then run at about 19 %, above 90 % of the target. */
        assert_string_equal(str(scaling, "actions", 0, "action"), "scale-out");
        out = num(s, "autoscaling.actions.0.at_s");
        assert_between(out, 240, 240);
        assert_between(num(s, "autoscaling.actions.0.replicas_before"), 1, 1);
        assert_between(num(s, "autoscaling.actions.0.replicas_after"), 2, 2);
        assert_string_equal(str(s, "replicas_created", 0, "name"), "autoscaled-1");
        assert_string_equal(str(s, "replicas_created", 0, "by"), "autoscaling");
        avail = num(s, "replicas_created.0.available_s");
        assert_between(avail - out, 240, 420);
        assert_between(num(s, "replicas_created.0.first_read_s"), avail, avail + 10);
        /* Fifteen datapoints below 90 % of the target after the surge ends
         * at 12 min: at 27 min; it leaves the readers, then is deleted. */
        assert_string_equal(str(scaling, "actions", 1, "action"), "scale-in");
        in = num(s, "autoscaling.actions.1.at_s");
        assert_between(in, 1620, 1620);
        assert_between(num(s, "autoscaling.actions.1.replicas_after"), 1, 1);
        assert_between(num(s, "replicas_created.0.removed_s"), in + 60, in + 60);
        /* Nothing failed meanwhile: the drain let its readers go. */
        assert_between(num(s, "availability.reader"), 0.9999, 1);
        run_free(&r);
    }
}

static void test_autoscaling_fills_a_removed_slot_again(void **state)
{
    char path[64];
    (void)state;

    write_scenario("name: aurora-autoscaling-twice\nduration: 42m\n"
                   "cluster:\n  deployment: aurora\n  instance_class: db.t3.medium\n"
                   "  instances:\n    - {name: w, role: writer, az: us-east-1a}\n"
                   "    - {name: r1, role: replica, az: us-east-1b}\n"
                   "  replica_autoscaling: {min: 1, max: 3, target_cpu: 20}\n"
                   "workload: {reads: 800/s, writes: 20/s, read_from: reader}\n"
                   "events:\n  - {at: 1m, action: load, reads: 3200/s}\n"
                   "  - {at: 12m, action: load, reads: 800/s}\n"
                   "  - {at: 30m, action: load, reads: 3200/s}\n",
                   path);
    struct run_result r = run_scenario_with(path, 0, "--verify");
    json_t *s = r.summary;
    /* Out, in, out again: the second replica takes autoscaled-1's slot,
     * with a fresh copy of the writer's data (checked by --verify). */
    assert_int_equal(json_array_size(json_object_get(s, "replicas_created")), 2);
    assert_string_equal(str(s, "replicas_created", 1, "name"), "autoscaled-1");
    assert_between(num(s, "replicas_created.0.removed_s"), 1680, 1680);
    assert_between(num(s, "replicas_created.1.at_s"), 1980, 1980);
    assert_between(num(s, "replicas_created.1.first_read_s"),
                   num(s, "replicas_created.1.available_s"),
                   num(s, "replicas_created.1.available_s") + 10);
    assert_between(num(s, "lost_writes"), 0, 0);
    assert_between(num(s, "stale_reads.max_staleness_ms"), 0, 50);
    run_free(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rds_replica_serves_no_read_before_it_is_available),
        cmocka_unit_test(test_aurora_replica_brings_read_p99_down_once_it_joins),
        cmocka_unit_test(test_failover_picks_a_new_replica_only_once_available),
        cmocka_unit_test(test_autoscaling_adds_a_replica_under_a_surge_and_removes_it_later),
        cmocka_unit_test(test_autoscaling_fills_a_removed_slot_again),
    };
    return HARNESS_MAIN(tests);
}
