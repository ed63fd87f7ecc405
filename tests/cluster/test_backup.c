/*
 * test_backup.c - snapshot and restore events (cluster/backup.c) driven by
 * the engine, with rows written straight into the writer's database: a
 * restored instance holds exactly the source's rows at the snapshot, comes
 * up after the modelled durations and, with become_writer, takes the
 * writer endpoint, which the old deployment's failovers no longer take
 * back; a snapshot of an unreachable instance is not taken; a Single-AZ
 * snapshot suspends the instance's I/O, a Multi-AZ one copies the standby
 * and an Aurora one the volume, pausing nothing. A backtrack
 * (cluster/backtrack.c) gives the writer and its Aurora Replica back their
 * rows at its point and pauses both; with the writer's AZ out it does
 * nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "world.h"

#define ROWS 100

/* A Single-AZ instance with `cluster` (more cluster keys) and `events`. */
static void build_with(struct world *w, const char *cluster, const char *events)
{
    char yaml[2048];

    snprintf(yaml, sizeof(yaml),
             "name: t\nduration: 20m\ncluster:\n  deployment: single-az\n"
             "  instances: [{name: db, role: writer, az: us-east-1a}]\n%s"
             "workload: {rows: %d, reads: 10/s, writes: 10/s}\nevents:\n%s",
             cluster, ROWS, events);
    world_build(w, yaml, NULL);
}

static void build(struct world *w, const char *events)
{
    build_with(w, "", events);
}

struct rows {
    struct rdsim_row r[ROWS];
};

static int keep_row(void *ctx, int64_t key, const struct rdsim_row *row)
{
    ((struct rows *)ctx)->r[key] = *row;
    return 0;
}

static void rows_of(struct rdsim_db *db, struct rows *out)
{
    struct rdsim_err err;

    memset(out, 0, sizeof(*out));
    assert_int_equal(rdsim_db_scan(db, keep_row, out, &err), 0);
}

/* Every row the same: version, position and commit time. */
static void assert_rows_equal(const struct rows *a, const struct rows *b)
{
    for (int k = 0; k < ROWS; k++) {
        assert_int_equal(a->r[k].ver, b->r[k].ver);
        assert_int_equal(a->r[k].cnt, b->r[k].cnt);
        assert_int_equal(a->r[k].committed_ns, b->r[k].committed_ns);
    }
}

static void write_keys(struct world *w, int64_t from, int64_t to, uint64_t opid,
                       rdsim_time_t t)
{
    struct rdsim_err err;
    int64_t pos;

    for (int64_t k = from; k < to; k++)
        assert_int_equal(rdsim_db_write(rdsim_cluster_db(w->c, 0), k, opid + (uint64_t)k, t,
                                        &pos, &err),
                         0);
}

static void test_backup_restore_holds_the_source_rows_at_the_snapshot(void **state)
{
    struct world w;
    struct rows at_snapshot, restored, source;
    (void)state;

    build(&w, "  - {at: 10s, action: snapshot, name: s1}\n"
              "  - {at: 20s, action: restore, name: r1, az: us-east-1b, from: s1, "
              "become_writer: true}\n");
    assert_int_equal(rdsim_cluster_instance_slots(w.c), 2);
    write_keys(&w, 0, 30, 1, 5 * RDSIM_S);
    rows_of(rdsim_cluster_db(w.c, 0), &at_snapshot);
    rdsim_sim_run_until(w.sim, 10 * RDSIM_S);
    assert_int_equal(rdsim_cluster_snapshot_count(w.c), 1);
    /* Written after the snapshot: the restore must lack them. */
    write_keys(&w, 20, 60, 1000, 11 * RDSIM_S);

    rdsim_sim_run_until(w.sim, 20 * RDSIM_S);
    assert_int_equal(rdsim_cluster_instance_count(w.c), 2);
    assert_string_equal(rdsim_cluster_state_name(w.c, 1), "creating");
    assert_int_equal(rdsim_cluster_health(w.c, 1), RDSIM_HEALTH_UNREACHABLE);
    assert_int_equal(rdsim_cluster_writer(w.c), 0);

    rdsim_sim_run_until(w.sim, 19 * 60 * RDSIM_S);
    const struct rdsim_snapshot_info *s = rdsim_cluster_snapshot_at(w.c, 0);
    const struct rdsim_restore_info *r = rdsim_cluster_restore_at(w.c, 0);
    assert_true(s->taken);
    assert_string_equal(s->target, "db");
    assert_true(s->bytes > 0);
    /* 60..180 s, plus well under a second for the data. */
    assert_in_range(s->ready - s->at, 60 * RDSIM_S, 181 * RDSIM_S);
    assert_true(r->done);
    assert_int_equal(r->restore_point, 10 * RDSIM_S);
    rdsim_time_t start = s->ready > r->at ? s->ready : r->at;
    assert_in_range(r->available - start, 8 * 60 * RDSIM_S, 12 * 60 * RDSIM_S + RDSIM_S);
    assert_int_equal(r->writer_at, r->available);

    assert_int_equal(rdsim_cluster_writer(w.c), 1);
    assert_string_equal(rdsim_cluster_state_name(w.c, 1), "writer");
    rows_of(rdsim_cluster_db(w.c, 1), &restored);
    rows_of(rdsim_cluster_db(w.c, 0), &source);
    assert_rows_equal(&restored, &at_snapshot);
    /* ... and the source went on. */
    assert_int_equal(source.r[40].cnt, 1);
    assert_int_equal(restored.r[40].cnt, 0);
    world_teardown(&w);
}

static void test_backup_snapshot_of_an_unreachable_instance_is_not_taken(void **state)
{
    struct world w;
    (void)state;

    build(&w, "  - {at: 5s, action: az-outage, az: us-east-1a}\n"
              "  - {at: 10s, action: snapshot, name: s1}\n"
              "  - {at: 20s, action: restore, name: r1, az: us-east-1b, from: s1}\n");
    rdsim_sim_run_until(w.sim, 15 * 60 * RDSIM_S);
    assert_false(rdsim_cluster_snapshot_at(w.c, 0)->taken);
    assert_int_equal(rdsim_cluster_snapshot_at(w.c, 0)->ready, -1);
    assert_false(rdsim_cluster_restore_at(w.c, 0)->done);
    assert_int_equal(rdsim_cluster_restore_at(w.c, 0)->available, -1);
    /* Its slot is taken, but it never comes up. */
    assert_int_equal(rdsim_cluster_instance_count(w.c), 2);
    assert_string_equal(rdsim_cluster_state_name(w.c, 1), "down");
    world_teardown(&w);
}

static void test_backup_restore_without_become_writer_stays_standalone(void **state)
{
    struct world w;
    (void)state;

    build(&w, "  - {at: 10s, action: snapshot, name: s1, target: db}\n"
              "  - {at: 20s, action: restore, name: r1, az: us-east-1c, from: s1, "
              "instance_class: db.r6g.xlarge}\n");
    rdsim_sim_run_until(w.sim, 19 * 60 * RDSIM_S);
    assert_true(rdsim_cluster_restore_at(w.c, 0)->available > 0);
    assert_int_equal(rdsim_cluster_restore_at(w.c, 0)->writer_at, -1);
    assert_int_equal(rdsim_cluster_writer(w.c), 0);
    assert_string_equal(rdsim_cluster_state_name(w.c, 1), "standalone");
    assert_string_equal(rdsim_cluster_instance_cfg(w.c, 1)->instance_class, "db.r6g.xlarge");
    assert_string_equal(rdsim_cluster_instance_cfg(w.c, 1)->az, "us-east-1c");
    world_teardown(&w);
}

static void test_backup_point_in_time_restore_replays_the_log_to_its_point(void **state)
{
    struct world w;
    struct rows at_point, restored;
    (void)state;

    build_with(&w, "  backup: {retention_days: 1, log_upload_interval: 5m}\n",
               "  - {at: 400s, action: restore, name: r1, az: us-east-1b, to: 200s}\n"
               "  - {at: 700s, action: restore, name: r2, az: us-east-1b, to: latest}\n");
    rdsim_sim_run_until(w.sim, 100 * RDSIM_S);
    write_keys(&w, 0, 30, 1, 100 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 250 * RDSIM_S);
    rows_of(rdsim_cluster_db(w.c, 0), &at_point);
    write_keys(&w, 20, 60, 1000, 250 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 650 * RDSIM_S);
    /* After the upload at 600 s, before the restore to latest. */
    write_keys(&w, 70, 80, 5000, 650 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 20 * 60 * RDSIM_S - 1);

    const struct rdsim_restore_info *r = rdsim_cluster_restore_at(w.c, 0);
    assert_true(r->done);
    assert_null(r->from);
    assert_int_equal(r->restore_point, 200 * RDSIM_S);
    assert_int_equal(r->latest_restorable, 300 * RDSIM_S);
    rows_of(rdsim_cluster_db(w.c, 1), &restored);
    assert_rows_equal(&restored, &at_point);
    /* latest: the upload at 600 s, so the writes at 250 s but not 650 s. */
    r = rdsim_cluster_restore_at(w.c, 1);
    assert_int_equal(r->restore_point, 600 * RDSIM_S);
    assert_int_equal(r->latest_restorable, 600 * RDSIM_S);
    rows_of(rdsim_cluster_db(w.c, 2), &restored);
    assert_int_equal(restored.r[40].ver, 1040);
    assert_int_equal(restored.r[75].cnt, 0);
    world_teardown(&w);
}

static void test_backup_uploads_stop_while_the_writer_is_cut_off(void **state)
{
    struct world w;
    (void)state;

    build_with(&w, "  backup: {retention_days: 1, log_upload_interval: 1m}\n",
               "  - {at: 150s, action: az-outage, az: us-east-1a}\n"
               "  - {at: 400s, action: restore, name: r1, az: us-east-1b, to: latest}\n");
    rdsim_sim_run_until(w.sim, 130 * RDSIM_S);
    write_keys(&w, 0, 10, 1, 130 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 20 * 60 * RDSIM_S - 1);
    const struct rdsim_restore_info *r = rdsim_cluster_restore_at(w.c, 0);
    /* The last upload before the AZ went: 120 s; the writes at 130 s are lost. */
    assert_int_equal(r->latest_restorable, 120 * RDSIM_S);
    struct rows restored;
    rows_of(rdsim_cluster_db(w.c, 1), &restored);
    assert_int_equal(restored.r[5].cnt, 0);
    /* The backups are regional: the restore comes up in another AZ. */
    assert_true(r->available > 0);
    world_teardown(&w);
}

/* Snapshots in memory are bounded: past the limit the run fails and says
 * how to keep them on disk. */
static void test_backup_snapshots_past_the_memory_limit_fail_the_run(void **state)
{
    static const char yaml[] =
        "name: t\nduration: 20m\ncluster:\n  deployment: single-az\n"
        "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
        "workload: {rows: 10000, reads: 10/s, writes: 10/s}\nevents:\n"
        "  - {at: 10s, action: snapshot, name: s1}\n"
        "  - {at: 20s, action: snapshot, name: s2}\n";
    struct world w;
    struct rdsim_err err;
    (void)state;

    memset(&w, 0, sizeof(w));
    assert_int_equal(rdsim_scenario_load_buffer("t.yaml", yaml, strlen(yaml), &w.sc, &err), 0);
    assert_int_equal(rdsim_sim_create(&w.sim, NULL), 0);
    /* Room for one snapshot of 10,000 unwritten rows (108 KiB), not two. */
    assert_int_equal(rdsim_cluster_create(w.sim,
                                          &(struct rdsim_cluster_config){
                                              .scenario = w.sc, .seed = 1,
                                              .backup_memory_max = 160 * 1024},
                                          &w.c, &err),
                     0);
    assert_int_equal(rdsim_cluster_start(w.c, &err), 0);
    rdsim_sim_run_until(w.sim, 15 * RDSIM_S);
    assert_false(rdsim_sim_failed(w.sim));
    assert_in_range(rdsim_cluster_snapshot_at(w.c, 0)->bytes, 100 * 1024, 150 * 1024);
    rdsim_sim_run_until(w.sim, 25 * RDSIM_S);
    assert_true(rdsim_sim_failed(w.sim));
    assert_int_equal(rdsim_sim_error(w.sim)->code, RDSIM_ENOMEM);
    assert_non_null(strstr(rdsim_sim_error(w.sim)->msg,
                           "snapshot s2: snapshots and backups would hold"));
    assert_non_null(strstr(rdsim_sim_error(w.sim)->msg,
                           "MiB limit; run with --keep-db DIR to keep snapshots on disk"));
    world_teardown(&w);
}

/* A deployment `deployment` with a writer, `second` (an instance line) and
 * `events`. */
static void build_deployment(struct world *w, const char *deployment, const char *second,
                             const char *events)
{
    char yaml[2048];

    snprintf(yaml, sizeof(yaml),
             "name: t\nduration: 30m\ncluster:\n  deployment: %s\n  instances:\n"
             "    - {name: db, role: writer, az: us-east-1a}\n%s"
             "workload: {rows: %d, reads: 10/s, writes: 10/s}\nevents:\n%s",
             deployment, second, ROWS, events);
    world_build(w, yaml, NULL);
}

/* Where a snapshot comes from, and whether it suspends the writer's I/O
 * (RDS UG, "Creating a DB snapshot"). */
static void test_backup_snapshot_source_and_io_pause_by_deployment(void **state)
{
    static const struct {
        const char *deployment, *second, *source;
        bool pauses;
    } cases[] = {
        {"single-az", "", "instance", true},
        {"multi-az-instance", "    - {name: sb, role: standby, az: us-east-1b}\n", "standby",
         false},
        {"aurora", "    - {name: rp, role: replica, az: us-east-1b}\n", "storage", false},
    };
    (void)state;

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct world w;
        build_deployment(&w, cases[k].deployment, cases[k].second,
                         "  - {at: 10s, action: snapshot, name: s1}\n");
        rdsim_sim_run_until(w.sim, 10 * RDSIM_S);
        const struct rdsim_snapshot_info *s = rdsim_cluster_snapshot_at(w.c, 0);
        assert_true(s->taken);
        assert_string_equal(s->source, cases[k].source);
        if (cases[k].pauses) {
            /* 2..6 s, plus well under a second for 100 rows. */
            assert_in_range(s->io_pause, 2 * RDSIM_S, 6 * RDSIM_S + RDSIM_S / 10);
            /* A write arriving now waits for the I/O to resume. */
            uint32_t epoch;
            rdsim_time_t done =
                rdsim_instance_serve(w.c, 0, RDSIM_OP_WRITE, rdsim_sim_now(w.sim), &epoch);
            assert_true(done >= s->at + s->io_pause);
        } else {
            assert_int_equal(s->io_pause, 0);
            uint32_t epoch;
            rdsim_time_t done =
                rdsim_instance_serve(w.c, 0, RDSIM_OP_WRITE, rdsim_sim_now(w.sim), &epoch);
            assert_true(done < s->at + RDSIM_S / 10);
        }
        world_teardown(&w);
    }
}

/* Once the application writes to a restored instance, the old Aurora
 * cluster's failovers (asked for, or after an AZ is lost) do not move the
 * writer endpoint back to one of its replicas, nor does its old writer
 * rejoin as a reader of the restored instance. */
static void test_backup_old_deployment_no_longer_owns_the_writer_endpoint(void **state)
{
    struct world w;
    (void)state;

    build_deployment(&w, "aurora",
                     "    - {name: sb, role: replica, az: us-east-1b}\n",
                     "  - {at: 10s, action: snapshot, name: s1}\n"
                     "  - {at: 20s, action: restore, name: r1, az: us-east-1c, from: s1, "
                     "become_writer: true}\n"
                     "  - {at: 20m, action: failover}\n"
                     "  - {at: 22m, action: reboot, target: db, failover: true}\n"
                     "  - {at: 25m, action: az-outage, az: us-east-1a, for: 1m}\n"
                     "  - {at: 27m, action: az-outage, az: us-east-1b, for: 1m}\n");
    rdsim_sim_run_until(w.sim, 19 * 60 * RDSIM_S);
    assert_int_equal(rdsim_cluster_writer(w.c), 2);
    rdsim_sim_run_until(w.sim, 30 * 60 * RDSIM_S - 1);
    assert_int_equal(rdsim_cluster_failover_count(w.c), 0);
    assert_int_equal(rdsim_cluster_writer(w.c), 2);
    assert_string_equal(rdsim_cluster_state_name(w.c, 2), "writer");
    assert_int_equal(rdsim_cluster_health(w.c, 2), RDSIM_HEALTH_UP);
    assert_string_equal(rdsim_cluster_state_name(w.c, 0), "detached");
    world_teardown(&w);
}

/* An Aurora MySQL writer and one Aurora Replica, and `events`. */
static void build_aurora(struct world *w, const char *events)
{
    char yaml[2048];

    snprintf(yaml, sizeof(yaml),
             "name: t\nduration: 20m\ncluster:\n  deployment: aurora\n  engine: aurora-mysql\n"
             "  instances:\n    - {name: w, role: writer, az: us-east-1a}\n"
             "    - {name: r, role: replica, az: us-east-1b}\n"
             "workload: {rows: %d, reads: 10/s, writes: 10/s}\nevents:\n%s",
             ROWS, events);
    world_build(w, yaml, NULL);
}

static void test_backtrack_rewinds_writer_and_replica_to_the_point(void **state)
{
    struct world w;
    struct rows at_point, writer, replica;
    (void)state;

    build_aurora(&w, "  - {at: 30s, action: backtrack, to: 10s}\n");
    write_keys(&w, 0, 30, 1, 5 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 10 * RDSIM_S);
    rows_of(rdsim_cluster_db(w.c, 0), &at_point);
    rdsim_sim_run_until(w.sim, 15 * RDSIM_S);
    /* After the point, over rows written before it and fresh ones. */
    write_keys(&w, 20, 60, 1000, 15 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 25 * RDSIM_S);
    write_keys(&w, 50, 70, 2000, 25 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 30 * RDSIM_S + RDSIM_MS);

    const struct rdsim_backtrack_info *b = rdsim_cluster_backtrack_at(w.c, 0);
    assert_int_equal(rdsim_cluster_backtrack_count(w.c), 1);
    assert_true(b->done);
    assert_int_equal(b->to, 10 * RDSIM_S);
    assert_int_equal(b->undone_writes, 60);
    rows_of(rdsim_cluster_db(w.c, 0), &writer);
    rows_of(rdsim_cluster_db(w.c, 1), &replica);
    assert_rows_equal(&writer, &at_point);
    assert_rows_equal(&replica, &at_point);
    assert_int_equal(writer.r[25].cnt, 1);
    assert_int_equal(writer.r[55].cnt, 0);
    /* Paused: both refuse connections until it is done. */
    assert_int_equal(rdsim_cluster_health(w.c, 0), RDSIM_HEALTH_STARTING);
    assert_int_equal(rdsim_cluster_health(w.c, 1), RDSIM_HEALTH_STARTING);
    rdsim_sim_run_until(w.sim, 3 * 60 * RDSIM_S);
    assert_in_range(b->available - b->at, 60 * RDSIM_S, 121 * RDSIM_S);
    assert_int_equal(rdsim_cluster_health(w.c, 0), RDSIM_HEALTH_UP);
    assert_int_equal(rdsim_cluster_health(w.c, 1), RDSIM_HEALTH_UP);
    assert_int_equal(rdsim_cluster_writer(w.c), 0);
    /* New writes replicate from the rewound rows. */
    write_keys(&w, 55, 56, 3000, 3 * 60 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 3 * 60 * RDSIM_S + RDSIM_S);
    rows_of(rdsim_cluster_db(w.c, 1), &replica);
    assert_int_equal(replica.r[55].cnt, 1);
    world_teardown(&w);
}

static void test_backtrack_with_the_writer_out_does_nothing(void **state)
{
    struct world w;
    struct rows before, after;
    (void)state;

    build_aurora(&w, "  - {at: 20s, action: az-outage, az: us-east-1a, for: 30s}\n"
                     "  - {at: 21s, action: backtrack, to: 10s}\n");
    write_keys(&w, 0, 30, 1, 5 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 15 * RDSIM_S);
    write_keys(&w, 20, 40, 1000, 15 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 19 * RDSIM_S);
    rows_of(rdsim_cluster_db(w.c, 0), &before);
    rdsim_sim_run_until(w.sim, 22 * RDSIM_S);
    const struct rdsim_backtrack_info *b = rdsim_cluster_backtrack_at(w.c, 0);
    assert_false(b->done);
    assert_int_equal(b->available, -1);
    rows_of(rdsim_cluster_db(w.c, 0), &after);
    assert_rows_equal(&after, &before);
    world_teardown(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_restore_holds_the_source_rows_at_the_snapshot),
        cmocka_unit_test(test_backup_snapshot_of_an_unreachable_instance_is_not_taken),
        cmocka_unit_test(test_backup_restore_without_become_writer_stays_standalone),
        cmocka_unit_test(test_backup_point_in_time_restore_replays_the_log_to_its_point),
        cmocka_unit_test(test_backup_uploads_stop_while_the_writer_is_cut_off),
        cmocka_unit_test(test_backup_snapshots_past_the_memory_limit_fail_the_run),
        cmocka_unit_test(test_backup_snapshot_source_and_io_pause_by_deployment),
        cmocka_unit_test(test_backup_old_deployment_no_longer_owns_the_writer_endpoint),
        cmocka_unit_test(test_backtrack_rewinds_writer_and_replica_to_the_point),
        cmocka_unit_test(test_backtrack_with_the_writer_out_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
