/*
 * test_backup.c - snapshots and restores run by the rdsim binary over
 * several seeds, checked through summary.json.
 *
 * Usage: test_backup RDSIM_BINARY SOURCE_ROOT
 *
 * A Single-AZ writer at 50 writes/s is snapshotted at 5 min and its AZ is
 * lost at 10 min; a restore asked for at 11 min lacks the writes of the
 * five minutes between, counted from its SQLite data, and with
 * become_writer the clients write to it once it is available. A
 * point-in-time restore to latest lacks only the last upload window. A
 * Single-AZ snapshot stalls the writes for seconds (its I/O suspended); a
 * Multi-AZ one, taken from the standby, leaves their latency alone.
 */
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

static const char lost_az[] =
    "name: restore-after-az-loss\nduration: 30m\n"
    "cluster:\n  deployment: single-az\n"
    "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
    "workload: {rows: 10000, reads: 100/s, writes: 50/s}\n"
    "events:\n"
    "  - {at: 5m, action: snapshot, name: before}\n"
    "  - {at: 10m, action: az-outage, az: us-east-1a}\n"
    "  - {at: 11m, action: restore, name: db-restored, az: us-east-1b, from: before,\n"
    "     become_writer: true}\n";

static void test_restore_from_snapshot_lacks_the_writes_after_it(void **state)
{
    char path[64];
    (void)state;

    write_scenario(lost_az, path);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario(path, seeds[i]);
        json_t *s = r.summary;
        assert_int_equal(json_array_size(json_object_get(s, "snapshots")), 1);
        assert_int_equal(json_array_size(json_object_get(s, "restores")), 1);
        assert_between(num(s, "snapshots.0.at_s"), 300, 300);
        assert_between(num(s, "snapshots.0.taken"), 1, 1);
        assert_between(num(s, "snapshots.0.ready_s"), 360, 481);
        assert_between(num(s, "restores.0.restore_point_s"), 300, 300);
        /* 8..12 min after the request (the snapshot is ready by then). */
        assert_between(num(s, "restores.0.available_s") - num(s, "restores.0.at_s"), 480, 721);
        /* 300 s of writes at 50/s after the snapshot, less those in flight
         * when the AZ went: about rate x elapsed, Poisson noise aside. */
        double lost = num(s, "restores.0.lost_writes");
        assert_between(lost, 15000 - 600, 15000 + 600);
        assert_between(num(s, "restores.0.lost_writes_upper_bound"), 0, 0);
        /* The application writes to it from when it is available. */
        assert_between(num(s, "restores.0.writer_s"), num(s, "restores.0.available_s"),
                       num(s, "restores.0.available_s"));
        assert_string_equal(json_string_value(json_object_get(s, "final_writer")),
                            "db-restored");
        assert_between(num(s, "writer_outages.0.recovered"), 1, 1);
        assert_between(num(s, "writer_outages.0.writer_downtime_s"),
                       num(s, "restores.0.available_s") - 600,
                       num(s, "restores.0.available_s") - 600 + 7.1);
        /* What the run lost overall is what the restored writer lacked. */
        assert_between(num(s, "lost_writes"), lost, lost + 50);
        run_free(&r);
    }
}

static void test_restore_without_become_writer_leaves_the_writer(void **state)
{
    char path[64];
    (void)state;

    write_scenario("name: snapshot-copy\nduration: 20m\n"
                   "cluster:\n  deployment: multi-az-instance\n"
                   "  instances:\n    - {name: db, role: writer, az: us-east-1a}\n"
                   "    - {name: sb, role: standby, az: us-east-1b}\n"
                   "workload: {rows: 10000, reads: 100/s, writes: 40/s}\n"
                   "events:\n"
                   "  - {at: 2m, action: snapshot, name: s1}\n"
                   "  - {at: 4m, action: restore, name: copy, az: us-east-1c, from: s1}\n",
                   path);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario(path, seeds[i]);
        json_t *s = r.summary;
        /* 120 s at 40/s after the snapshot: nothing was lost by the
         * cluster, but the copy lacks them. */
        assert_between(num(s, "restores.0.lost_writes"), 4800 - 330, 4800 + 330);
        assert_true(is_null(s, "restores.0.writer_s"));
        assert_between(num(s, "lost_writes"), 0, 0);
        assert_string_equal(json_string_value(json_object_get(s, "final_writer")), "db");
        run_free(&r);
    }
}

/* Point-in-time restore to latest after a Single-AZ writer's AZ is lost at
 * 12.5 min: the log was last uploaded at 10 min, so the restore lacks the
 * writes of that last window only (about 150 s at 50/s), counted from its
 * data: 0 < lost <= rate x (interval + slack). */
static void test_pitr_to_latest_lacks_only_the_last_upload_window(void **state)
{
    char path[64];
    (void)state;

    write_scenario("name: pitr-after-az-loss\nduration: 40m\n"
                   "cluster:\n  deployment: single-az\n"
                   "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
                   "  backup: {retention_days: 7, log_upload_interval: 5m}\n"
                   "workload: {rows: 10000, reads: 100/s, writes: 50/s}\n"
                   "events:\n"
                   "  - {at: 750s, action: az-outage, az: us-east-1a}\n"
                   "  - {at: 13m, action: restore, name: db-pitr, az: us-east-1b, to: latest,\n"
                   "     become_writer: true}\n",
                   path);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_scenario(path, seeds[i]);
        json_t *s = r.summary;
        assert_true(is_null(s, "restores.0.from"));
        assert_between(num(s, "restores.0.latest_restorable_s"), 600, 600);
        assert_between(num(s, "restores.0.restore_point_s"), 600, 600);
        double lost = num(s, "restores.0.lost_writes");
        assert_between(lost, 1, 50.0 * (300 + 10));
        /* 150 s of writes, Poisson noise aside. */
        assert_between(lost, 7500 - 450, 7500 + 450);
        assert_between(num(s, "restores.0.available_s") - 780, 480, 721 + 30);
        assert_string_equal(json_string_value(json_object_get(s, "final_writer")), "db-pitr");
        assert_between(num(s, "writer_outages.0.recovered"), 1, 1);
        assert_between(num(s, "lost_writes"), lost, lost + 50);
        run_free(&r);
    }
}

/* The same snapshot of a Single-AZ and of a Multi-AZ writer: only the first
 * suspends the writer's I/O, which the writes see as latency (seconds, under
 * the clients' timeout: no write fails), not as errors. */
static void test_single_az_snapshot_stalls_writes_multi_az_does_not(void **state)
{
    static const char *const deployments[] = {
        "single-az\n  instances:\n    - {name: db, role: writer, az: us-east-1a}\n",
        "multi-az-instance\n  instances:\n    - {name: db, role: writer, az: us-east-1a}\n"
        "    - {name: sb, role: standby, az: us-east-1b}\n",
    };
    char yaml[1024], path[2][64];
    (void)state;

    for (int d = 0; d < 2; d++) {
        snprintf(yaml, sizeof(yaml),
                 "name: snapshot-pause\nduration: 3m\ncluster:\n  deployment: %s"
                 "workload: {rows: 10000, reads: 100/s, writes: 50/s}\n"
                 "events:\n  - {at: 1m, action: snapshot, name: s1}\n",
                 deployments[d]);
        write_scenario(yaml, path[d]);
    }
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result one = run_scenario(path[0], seeds[i]);
        struct run_result multi = run_scenario(path[1], seeds[i]);
        double pause = num(one.summary, "snapshots.0.io_pause_s");
        assert_string_equal(str(one.summary, "snapshots", 0, "source"), "instance");
        assert_string_equal(str(multi.summary, "snapshots", 0, "source"), "standby");
        assert_between(pause, 2, 6.1);
        assert_between(num(multi.summary, "snapshots.0.io_pause_s"), 0, 0);
        /* The writes that arrived at the start of the pause waited it out. */
        assert_between(num(one.summary, "requests.write.max_ms"), 1000 * pause - 50,
                       1000 * pause + 1000);
        assert_between(num(multi.summary, "requests.write.max_ms"), 0, 100);
        /* 50/s x 2..6 s of 9000 writes, over 1%: the p99 is a stalled
         * write's, far above the Multi-AZ one (whose commit waits for the
         * standby, a few ms). */
        assert_between(num(one.summary, "requests.write.p99_ms"),
                       num(multi.summary, "requests.write.p99_ms") + 10, 1000 * pause + 1000);
        assert_between(num(one.summary, "requests.write.failed"), 0, 0);
        run_free(&one);
        run_free(&multi);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restore_from_snapshot_lacks_the_writes_after_it),
        cmocka_unit_test(test_restore_without_become_writer_leaves_the_writer),
        cmocka_unit_test(test_pitr_to_latest_lacks_only_the_last_upload_window),
        cmocka_unit_test(test_single_az_snapshot_stalls_writes_multi_az_does_not),
    };
    return HARNESS_MAIN(tests);
}
