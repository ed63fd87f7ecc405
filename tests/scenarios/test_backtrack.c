/*
 * test_backtrack.c - Aurora MySQL backtrack run by the rdsim binary over
 * several seeds, checked through summary.json and the SQLite files that
 * --keep-db leaves.
 *
 * Usage: test_backtrack RDSIM_BINARY SOURCE_ROOT
 *
 * A snapshot at the backtrack point is the writer's data then: after the
 * backtrack the writer and its replica hold exactly those rows, and the
 * acknowledged writes it discarded are exactly the writes between the
 * point and the backtrack (a second snapshot just before it). With writes
 * going on, every row nobody wrote since the backtrack is as it was at the
 * point: the rewind discards the writes after it and no others.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"

static const uint64_t seeds[] = {1, 2, 3};

enum { ROWS = 10000 };

struct kv {
    int64_t ver[ROWS], cnt[ROWS], committed_ns[ROWS];
};

/* The kv rows of DIR/NAME.sqlite. */
static void read_rows(const char *dir, const char *name, struct kv *out)
{
    char path[256];
    sqlite3 *db;
    sqlite3_stmt *st;
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s.sqlite", dir, name);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT k, ver, cnt, committed_ns FROM kv "
                                        "WHERE k < 10000 ORDER BY k",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(st, 0);
        assert_int_equal(k, n);
        out->ver[k] = sqlite3_column_int64(st, 1);
        out->cnt[k] = sqlite3_column_int64(st, 2);
        out->committed_ns[k] = sqlite3_column_int64(st, 3);
        n++;
    }
    assert_int_equal(n, ROWS);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static bool same_row(const struct kv *a, const struct kv *b, int k)
{
    return a->ver[k] == b->ver[k] && a->cnt[k] == b->cnt[k] &&
           a->committed_ns[k] == b->committed_ns[k];
}

static const char header[] =
    "duration: 3m\n"
    "cluster:\n  deployment: aurora\n  engine: aurora-mysql\n"
    "  instances:\n    - {name: w, role: writer, az: us-east-1a}\n"
    "    - {name: r1, role: replica, az: us-east-1b}\n"
    "workload: {rows: 10000, reads: 200/s, writes: 100/s}\n";

static struct run_result run_kept(const char *path, uint64_t seed, char dir[32])
{
    char extra[64];

    strcpy(dir, "/tmp/rdsim-bt-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(extra, sizeof(extra), "--keep-db '%s'", dir);
    return run_scenario_with(path, seed, extra);
}

static void remove_dir(const char *dir)
{
    char cmd[64];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Writes stop at 35 s: after the backtrack at 40 s to 20 s the cluster
 * holds exactly the snapshot taken at 20 s. */
static void test_backtrack_returns_the_data_to_its_point(void **state)
{
    static struct kv good, bad, writer, replica;
    char path[64], yaml[1024], dir[32];
    (void)state;

    snprintf(yaml, sizeof(yaml),
             "name: backtrack-exact\n%s"
             "events:\n"
             "  - {at: 20s, action: snapshot, name: good}\n"
             "  - {at: 35s, action: load, writes: 0/s}\n"
             "  - {at: 40s, action: snapshot, name: bad}\n"
             "  - {at: 40s, action: backtrack, to: 20s}\n",
             header);
    write_scenario(yaml, path);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_kept(path, seeds[i], dir);
        json_t *s = r.summary;
        int64_t between = 0;

        read_rows(dir, "snapshot-good", &good);
        read_rows(dir, "snapshot-bad", &bad);
        read_rows(dir, "w", &writer);
        read_rows(dir, "r1", &replica);
        for (int k = 0; k < ROWS; k++) {
            assert_true(same_row(&writer, &good, k));
            assert_true(same_row(&replica, &good, k));
            between += bad.cnt[k] - good.cnt[k];
        }
        assert_int_equal(json_array_size(json_object_get(s, "backtracks")), 1);
        assert_between(num(s, "backtracks.0.done"), 1, 1);
        assert_between(num(s, "backtracks.0.at_s"), 40, 40);
        assert_between(num(s, "backtracks.0.to_s"), 20, 20);
        /* The writes in (20 s, 40 s], acknowledged all (a healthy cluster):
         * 15 s at 100/s, Poisson noise aside. */
        assert_between(num(s, "backtracks.0.discarded_writes"), (double)between,
                       (double)between);
        assert_between(num(s, "backtracks.0.undone_writes"), (double)between,
                       (double)between);
        assert_between((double)between, 1500 - 150, 1500 + 150);
        assert_between(num(s, "backtracks.0.discarded_writes_upper_bound"), 0, 0);
        /* They are gone from the final writer: lost writes of the run. */
        assert_between(num(s, "lost_writes"), (double)between, (double)between);
        /* Paused for a minute or two ("in minutes"). */
        assert_between(num(s, "backtracks.0.available_s") - 40, 60, 121);
        assert_string_equal(str(s, "writer_outages", 0, "cause"), "backtrack");
        run_free(&r);
        remove_dir(dir);
    }
}

/* Writes go on: the clients write again once the cluster serves, and every
 * row nobody wrote since is exactly as it was at the point. */
static void test_backtrack_discards_the_writes_after_its_point_and_no_others(void **state)
{
    static struct kv good, writer;
    char path[64], yaml[1024], dir[32];
    (void)state;

    snprintf(yaml, sizeof(yaml),
             "name: backtrack-ongoing\n%s"
             "events:\n"
             "  - {at: 20s, action: snapshot, name: good}\n"
             "  - {at: 50s, action: backtrack, to: 20s}\n",
             header);
    write_scenario(yaml, path);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct run_result r = run_kept(path, seeds[i], dir);
        json_t *s = r.summary;
        double available = num(s, "backtracks.0.available_s"), discarded;
        int untouched = 0;

        read_rows(dir, "snapshot-good", &good);
        read_rows(dir, "w", &writer);
        for (int k = 0; k < ROWS; k++) {
            double t = (double)writer.committed_ns[k] / 1e9;
            /* Nothing committed between the point and the end of the pause
             * survives. */
            assert_false(t > 20 && t < available);
            if (t <= 20) {
                assert_true(same_row(&writer, &good, k));
                untouched++;
            } else {
                /* Written again after the backtrack: from the rewound row. */
                assert_true(writer.cnt[k] > good.cnt[k]);
            }
        }
        assert_true(untouched > ROWS / 5);
        /* 30 s at 100/s. */
        discarded = num(s, "backtracks.0.discarded_writes");
        assert_between(discarded, 3000 - 250, 3000 + 250);
        assert_between(num(s, "lost_writes"), discarded, discarded + 5);
        /* The writer-downtime episode ends once the cluster serves again. */
        assert_between(num(s, "writer_outages.0.recovered_s"), available, available + 6);
        assert_between(num(s, "writer_outages.0.at_s"), 50, 50);
        run_free(&r);
        remove_dir(dir);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backtrack_returns_the_data_to_its_point),
        cmocka_unit_test(
            test_backtrack_discards_the_writes_after_its_point_and_no_others),
    };
    return HARNESS_MAIN(tests);
}
