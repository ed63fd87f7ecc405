/*
 * test_db.c - the per-instance SQLite database: writes and their positions,
 * tick changesets, copy, file databases, the in-memory images and every
 * error the public functions return (replica apply: test_db_apply.c).
 *
 * Databases are compared through rdsim_db_scan(), so "identical" means the
 * same (k, ver, cnt, committed_ns) for every row. Changesets that rdsim never
 * produces (INSERTs, partial images) are made with a raw SQLite session.
 */
#include "db_test.h"

static void test_open_in_memory_creates_rows_at_version_zero(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, false);
    struct snapshot s;

    snap(db, &s);
    assert_int_equal(s.n, ROWS);
    for (int64_t i = 0; i < ROWS; i++) {
        assert_int_equal(s.keys[i], i);
        assert_int_equal(s.rows[i].ver, 0);
        assert_int_equal(s.rows[i].cnt, 0);
        assert_int_equal(s.rows[i].committed_ns, 0);
    }
    rdsim_db_close(db);
}

static void test_in_memory_databases_are_separate(void **state)
{
    struct rdsim_db *a = open_mem(ROWS, false);
    struct rdsim_db *b = open_mem(ROWS, false);

    assert_int_equal(write1(a, 3, 7, 100), 1);
    assert_int_equal(rdsim_db_flush(a, NULL, NULL), 0);
    assert_int_equal(read1(b, 3).ver, 0);
    rdsim_db_close(a);
    rdsim_db_close(b);
}

static void test_open_negative_rows_is_einval(void **state)
{
    struct rdsim_db_config cfg = {.rows = -1};
    struct rdsim_db *db = (struct rdsim_db *)&cfg;
    struct rdsim_err err;

    assert_int_equal(rdsim_db_open(&cfg, &db, &err), RDSIM_EINVAL);
    assert_int_equal(err.code, RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "rows"));
    assert_null(db);
    assert_int_equal(rdsim_db_open(NULL, &db, &err), RDSIM_EINVAL);
}

static void test_open_in_missing_directory_names_the_path(void **state)
{
    const char *path = "/nonexistent-rdsim-dir/sub/db.sqlite";
    struct rdsim_db_config cfg = {.path = path, .rows = 4};
    struct rdsim_db *db = NULL;
    struct rdsim_err err;
    int rc = rdsim_db_open(&cfg, &db, &err);

    assert_true(rc == RDSIM_EIO || rc == RDSIM_EDB);
    assert_int_equal(err.code, rc);
    assert_non_null(strstr(err.msg, path));
    assert_null(db);
}

static void test_close_null_does_nothing(void **state)
{
    rdsim_db_close(NULL);
    rdsim_changeset_free(NULL);
}

/* --- write and read ---------------------------------------------------- */

static void test_write_returns_positions_one_two_three(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, true);
    struct rdsim_row row;

    assert_int_equal(write1(db, 5, 1, 1000), 1);
    assert_int_equal(write1(db, 5, 2, 2000), 2);
    assert_int_equal(rdsim_db_flush(db, NULL, NULL), 0);
    assert_int_equal(write1(db, 5, 3, 3000), 3);
    row = read1(db, 5);
    assert_int_equal(row.ver, 3);
    assert_int_equal(row.cnt, 3);
    assert_int_equal(row.committed_ns, 3000);
    assert_int_equal(read1(db, 4).cnt, 0);
    rdsim_db_close(db);
}

static void test_write_retry_of_same_op_applies_again(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, true);
    struct rdsim_row row;

    /* A client that timed out retries a write that had committed: the
     * database cannot tell, and the row takes a second position. */
    assert_int_equal(write1(db, 9, 42, 1000), 1);
    assert_int_equal(rdsim_db_flush(db, NULL, NULL), 0);
    assert_int_equal(write1(db, 9, 42, 5000), 2);
    row = read1(db, 9);
    assert_int_equal(row.ver, 42);
    assert_int_equal(row.cnt, 2);
    assert_int_equal(row.committed_ns, 5000);
    rdsim_db_close(db);
}

static void test_write_applies_in_commit_order_not_op_order(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, true);
    struct rdsim_changeset cs;
    struct rdsim_row row;

    assert_int_equal(write1(db, 2, 100, 1000), 1);
    assert_int_equal(write1(db, 2, 99, 2000), 2);
    row = read1(db, 2);
    assert_int_equal(row.ver, 99);
    assert_int_equal(row.cnt, 2);
    assert_int_equal(row.committed_ns, 2000);
    assert_int_equal(rdsim_db_flush(db, &cs, NULL), 0);
    assert_int_equal(cs.n_writes, 2);
    rdsim_changeset_free(&cs);
    rdsim_db_close(db);
}

static void test_write_key_out_of_range_is_einval(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, true);
    struct rdsim_changeset cs;
    struct rdsim_err err;
    int64_t pos = -1;

    assert_int_equal(rdsim_db_write(db, ROWS, 1, 0, &pos, &err), RDSIM_EINVAL);
    assert_int_equal(err.code, RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "key 64 out of range 0..63"));
    assert_int_equal(pos, 0);
    assert_int_equal(rdsim_db_write(db, -1, 1, 0, &pos, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "key -1"));
    /* Nothing was opened or captured. */
    assert_int_equal(rdsim_db_flush(db, &cs, NULL), 0);
    assert_int_equal(cs.len, 0);
    rdsim_db_close(db);
}

static void test_write_op_id_beyond_int64_is_einval(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, false);
    struct rdsim_err err;
    int64_t pos = -1;

    assert_int_equal(rdsim_db_write(db, 1, (uint64_t)INT64_MAX + 1, 0, &pos, &err),
                     RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "op id"));
    assert_int_equal(read1(db, 1).cnt, 0);
    /* The largest allowed id works and is then never overtaken. */
    assert_int_equal(write1(db, 1, INT64_MAX, 1), 1);
    assert_int_equal(read1(db, 1).ver, (uint64_t)INT64_MAX);
    rdsim_db_close(db);
}

static void test_read_key_out_of_range_is_einval(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, false);
    struct rdsim_row row;
    struct rdsim_err err;

    assert_int_equal(rdsim_db_read(db, ROWS + 5, &row, &err), RDSIM_EINVAL);
    assert_int_equal(err.code, RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "key 69 out of range"));
    assert_int_equal(rdsim_db_read(db, -3, &row, NULL), RDSIM_EINVAL);
    rdsim_db_close(db);
}

static void test_non_capture_database_takes_writes(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, false);
    struct rdsim_changeset cs = {.len = 99};

    assert_int_equal(write1(db, 1, 1, 10), 1);
    assert_int_equal(rdsim_db_flush(db, &cs, NULL), 0);
    assert_int_equal(cs.len, 0);
    assert_null(cs.data);
    assert_int_equal(read1(db, 1).cnt, 1);
    rdsim_db_close(db);
}

/* --- flush and apply ----------------------------------------------------- */

static void test_flushed_changeset_makes_replica_identical(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    struct rdsim_err err;

    for (int i = 0; i < 40; i++)
        write1(w, (i * 7) % ROWS, (uint64_t)i + 1, (rdsim_time_t)i * 1000);
    assert_int_equal(rdsim_db_flush(w, &cs, &err), 0);
    assert_true(cs.len > 0);
    assert_int_equal(cs.n_writes, 40);
    assert_int_equal(count_changes(&cs), 40);
    assert_int_equal(rdsim_db_apply(r, &cs, &err), 0);
    assert_same(w, r);
    assert_int_equal(read1(r, 7).ver, 2);
    rdsim_changeset_free(&cs);
    assert_null(cs.data);
    assert_int_equal(cs.len, 0);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_changeset_holds_net_effect_per_row(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    struct rdsim_row row;

    assert_int_equal(write1(w, 10, 1, 100), 1);
    assert_int_equal(write1(w, 10, 2, 200), 2);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(cs.n_writes, 2);
    assert_int_equal(count_changes(&cs), 1);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    row = read1(r, 10);
    assert_int_equal(row.ver, 2);
    assert_int_equal(row.cnt, 2);
    assert_int_equal(row.committed_ns, 200);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_empty_flush_returns_empty_changeset(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs = {.len = 5};

    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(cs.len, 0);
    assert_null(cs.data);
    /* A flush right after a flush is empty too. */
    write1(w, 1, 1, 1);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_true(cs.len > 0);
    rdsim_changeset_free(&cs);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(cs.len, 0);
    assert_int_equal(cs.n_writes, 0);
    /* Applying an empty changeset changes nothing. */
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    assert_int_equal(read1(r, 1).cnt, 0);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_flush_without_out_commits_and_drops_the_capture(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_changeset cs;

    write1(w, 3, 1, 1);
    assert_int_equal(rdsim_db_flush(w, NULL, NULL), 0);
    assert_int_equal(read1(w, 3).cnt, 1);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(cs.len, 0);
    /* The next write starts a fresh capture holding only itself. */
    write1(w, 4, 2, 2);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(count_changes(&cs), 1);
    assert_int_equal(cs.n_writes, 1);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
}

static int stop_at_key_3(void *ctx, int64_t key, const struct rdsim_row *row)
{
    int *seen = ctx;

    (*seen)++;
    return key == 3 ? 77 : 0;
}

static void test_scan_stops_with_the_callback_value(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, false);
    int seen = 0;

    assert_int_equal(rdsim_db_scan(db, stop_at_key_3, &seen, NULL), 77);
    assert_int_equal(seen, 4);
    /* The scan statement was reset: a new scan starts from key 0. */
    seen = 0;
    assert_int_equal(rdsim_db_scan(db, stop_at_key_3, &seen, NULL), 77);
    assert_int_equal(seen, 4);
    rdsim_db_close(db);
}

/* --- copy ---------------------------------------------------------------- */

static void test_copy_makes_dst_equal_src_and_dst_keeps_working(void **state)
{
    struct rdsim_db *src = open_mem(ROWS, true);
    struct rdsim_db *dst = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    struct rdsim_err err;

    for (int i = 0; i < 20; i++)
        write1(src, i, (uint64_t)i + 100, i);
    assert_int_equal(rdsim_db_flush(src, NULL, NULL), 0);
    write1(dst, 50, 1, 1); /* pending on dst: discarded by the copy */

    assert_int_equal(rdsim_db_copy(dst, src, &err), 0);
    assert_same(dst, src);
    assert_int_equal(read1(dst, 50).ver, 0);
    assert_int_equal(rdsim_db_flush(dst, &cs, NULL), 0);
    assert_int_equal(cs.len, 0);

    /* Writes on dst still work, and are captured afresh... */
    assert_int_equal(write1(dst, 5, 1000, 7), 2);
    assert_int_equal(rdsim_db_flush(dst, &cs, NULL), 0);
    assert_int_equal(count_changes(&cs), 1);
    rdsim_changeset_free(&cs);
    /* ...and so do applies from src. */
    write1(src, 6, 2000, 8);
    assert_int_equal(rdsim_db_flush(src, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(dst, &cs, NULL), 0);
    rdsim_changeset_free(&cs);
    assert_int_equal(read1(dst, 6).ver, 2000);
    assert_int_equal(read1(dst, 6).cnt, 2);

    /* A copy into a plain replica works the same way. */
    assert_int_equal(rdsim_db_copy(r, dst, NULL), 0);
    assert_same(r, dst);
    rdsim_db_close(src);
    rdsim_db_close(dst);
    rdsim_db_close(r);
}

static void test_copy_from_source_with_open_tick_keeps_its_changeset(void **state)
{
    struct rdsim_db *src = open_mem(ROWS, true);
    struct rdsim_db *dst = open_mem(ROWS, false);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs;

    write1(src, 1, 1, 1);
    assert_int_equal(rdsim_db_copy(dst, src, NULL), 0);
    assert_int_equal(read1(dst, 1).ver, 1);
    write1(src, 2, 2, 2);
    assert_int_equal(rdsim_db_flush(src, &cs, NULL), 0);
    assert_int_equal(count_changes(&cs), 2);
    assert_int_equal(cs.n_writes, 2);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(dst, &cs, NULL), 0);
    assert_same(r, src);
    assert_same(dst, src);
    rdsim_changeset_free(&cs);
    rdsim_db_close(src);
    rdsim_db_close(dst);
    rdsim_db_close(r);
}

static void test_copy_takes_the_source_row_count(void **state)
{
    struct rdsim_db *src = open_mem(ROWS, false);
    struct rdsim_db *dst = open_mem(8, false);
    struct rdsim_row row;

    assert_int_equal(rdsim_db_read(dst, 40, &row, NULL), RDSIM_EINVAL);
    /* Reads leave a transaction open on both sides; copy copes. */
    assert_int_equal(read1(dst, 1).ver, 0);
    assert_int_equal(read1(src, 1).ver, 0);
    assert_int_equal(rdsim_db_copy(dst, src, NULL), 0);
    assert_int_equal(rdsim_db_read(dst, 40, &row, NULL), 0);
    rdsim_db_close(src);
    rdsim_db_close(dst);
}

static void test_copy_onto_itself_is_einval(void **state)
{
    struct rdsim_db *db = open_mem(ROWS, false);
    struct rdsim_err err;

    assert_int_equal(rdsim_db_copy(db, db, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "itself"));
    rdsim_db_close(db);
}

/* --- files --------------------------------------------------------------- */

static void test_file_database_is_kept_and_readable_after_close(void **state)
{
    char dir[] = "/tmp/rdsim-test-db-XXXXXX";
    char path[sizeof dir + 16];
    struct rdsim_db_config cfg = {.rows = ROWS, .capture = true};
    struct rdsim_db *db = NULL;
    struct rdsim_err err;
    sqlite3 *conn;
    sqlite3_stmt *st;
    FILE *f;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/w.db", dir);
    /* An existing file (even garbage) is replaced. */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a database", f);
    fclose(f);

    cfg.path = path;
    assert_int_equal(rdsim_db_open(&cfg, &db, &err), 0);
    assert_int_equal(write1(db, 3, 11, 500), 1);
    assert_int_equal(rdsim_db_flush(db, NULL, NULL), 0);
    assert_int_equal(write1(db, 4, 12, 600), 1); /* left open: close commits it */
    rdsim_db_close(db);

    assert_int_equal(sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(conn,
                                        "SELECT count(*), sum(cnt), sum(ver),"
                                        " max(committed_ns) FROM kv",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), ROWS);
    assert_int_equal(sqlite3_column_int64(st, 1), 2);
    assert_int_equal(sqlite3_column_int64(st, 2), 23);
    assert_int_equal(sqlite3_column_int64(st, 3), 600);
    sqlite3_finalize(st);
    sqlite3_close(conn);

    /* Opening the same path again starts from fresh rows. */
    assert_int_equal(rdsim_db_open(&cfg, &db, &err), 0);
    assert_int_equal(read1(db, 3).ver, 0);
    rdsim_db_close(db);

    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* ---- in-memory images, hand-written changesets, deferred apply ---------- */

static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Every key's cnt as rdsim_db_count has it in memory equals SQLite's. */
static void assert_counts_are_sqlites(struct rdsim_db *db, int64_t rows)
{
    struct rdsim_err err;

    for (int64_t k = 0; k < rows; k++) {
        int64_t cnt = -1;

        assert_int_equal(rdsim_db_count(db, k, &cnt, &err), 0);
        assert_int_equal(cnt, read1(db, k).cnt);
    }
}

static void test_counts_in_memory_equal_sqlites_through_writes_applies_and_copies(void **state)
{
    struct rdsim_db_config vcfg = {.rows = ROWS, .capture = true, .verify = true};
    struct rdsim_db *w = NULL, *r = open_mem(ROWS, true);
    struct rdsim_changeset cs;
    struct rdsim_err err;
    uint64_t x = 7, op = 1;

    assert_int_equal(rdsim_db_open(&vcfg, &w, &err), 0);
    for (int tick = 0; tick < 50; tick++) {
        for (int i = 0; i < 20; i++)
            write1(w, (int64_t)(next_rand(&x) % ROWS), op++, tick * 10 + i);
        assert_counts_are_sqlites(w, ROWS);
        assert_int_equal(rdsim_db_flush(w, &cs, &err), 0);
        assert_int_equal(rdsim_db_apply(r, &cs, &err), 0);
        rdsim_changeset_free(&cs);
    }
    /* The replica never wrote: its images come from one scan, after the
     * applies, and are SQLite's too. */
    assert_counts_are_sqlites(r, ROWS);
    /* It takes writes when promoted, and its images follow. */
    write1(r, 5, op++, 1000);
    assert_counts_are_sqlites(r, ROWS);
    /* A copy replaces every row: w's images must be rebuilt from r's. */
    assert_int_equal(rdsim_db_copy(w, r, &err), 0);
    assert_counts_are_sqlites(w, ROWS);
    write1(w, 5, op++, 1001);
    assert_int_equal(read1(w, 5).cnt, read1(r, 5).cnt + 1);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static int count_sink_row(void *ctx, int n, const struct rdsim_sql_value *v)
{
    (void)ctx;
    (void)n;
    (void)v;
    return 0;
}

static void test_counts_follow_the_sql_console(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db_query_opts o = {0};
    struct rdsim_db_query_sink sink = {.row = count_sink_row};
    struct rdsim_db_query_result res;
    struct rdsim_err err;

    write1(w, 3, 1, 10);
    assert_counts_are_sqlites(w, ROWS);
    assert_int_equal(rdsim_db_query(w, "UPDATE kv SET cnt = cnt + 40 WHERE k = 3", &o, &sink,
                                    &res, &err), 0);
    assert_counts_are_sqlites(w, ROWS);
    assert_int_equal(write1(w, 3, 2, 20), 42);
    rdsim_db_close(w);
}

/* The changesets a writer ships are SQLite changesets: sqlite3changeset_apply
 * applies them to a plain database (checking every old value: a conflict
 * aborts) and gives the writer's rows. One tick holds a console write, so
 * its changeset is the hand-written part combined with the session's. */
static int no_conflict(void *ctx, int kind, sqlite3_changeset_iter *it)
{
    (void)ctx;
    (void)kind;
    (void)it;
    fail_msg("conflict %d applying the stream", kind);
    return SQLITE_CHANGESET_ABORT;
}

static void test_stream_applies_with_sqlite3changeset_apply_and_equals_the_writer(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db_query_opts o = {0};
    struct rdsim_db_query_sink sink = {.row = count_sink_row};
    struct rdsim_db_query_result res;
    struct rdsim_changeset cs;
    struct rdsim_err err;
    sqlite3 *plain;
    sqlite3_stmt *st;
    uint64_t x = 11, op = 1;
    int64_t rows_seen = 0;

    assert_int_equal(sqlite3_open(":memory:", &plain), SQLITE_OK);
    assert_int_equal(sqlite3_exec(plain,
                                  "CREATE TABLE kv(k INTEGER PRIMARY KEY, ver INTEGER NOT NULL,"
                                  " cnt INTEGER NOT NULL, committed_ns INTEGER NOT NULL);"
                                  "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n"
                                  " WHERE k + 1 < 64) INSERT INTO kv SELECT k, 0, 0, 0 FROM n",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    for (int tick = 0; tick < 40; tick++) {
        for (int i = 0; i < 15; i++)
            write1(w, (int64_t)(next_rand(&x) % ROWS), op++, tick * 100 + i);
        if (tick == 7) {
            assert_int_equal(rdsim_db_query(w, "UPDATE kv SET committed_ns = 5 WHERE k < 4", &o,
                                            &sink, &res, &err), 0);
            write1(w, 2, op++, tick * 100 + 50);
        }
        assert_int_equal(rdsim_db_flush(w, &cs, &err), 0);
        if (cs.len)
            assert_int_equal(sqlite3changeset_apply(plain, (int)cs.len, cs.data, NULL,
                                                    no_conflict, NULL),
                             SQLITE_OK);
        rdsim_changeset_free(&cs);
    }
    assert_int_equal(sqlite3_prepare_v2(plain, "SELECT k, ver, cnt, committed_ns FROM kv"
                                               " ORDER BY k", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct rdsim_row row = read1(w, sqlite3_column_int64(st, 0));

        assert_int_equal(sqlite3_column_int64(st, 1), (int64_t)row.ver);
        assert_int_equal(sqlite3_column_int64(st, 2), row.cnt);
        assert_int_equal(sqlite3_column_int64(st, 3), row.committed_ns);
        rows_seen++;
    }
    assert_int_equal(rows_seen, ROWS);
    sqlite3_finalize(st);
    sqlite3_close(plain);
    rdsim_db_close(w);
}

static void test_deferred_apply_is_seen_by_reads_scans_copies_and_the_console(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, true), *c = open_mem(ROWS, true);
    struct rdsim_db_query_opts o = {.read_only = true};
    struct rdsim_db_query_sink sink = {.row = count_sink_row};
    struct rdsim_db_query_result res;
    struct rdsim_changeset cs;
    struct rdsim_err err;

    for (int tick = 0; tick < 5; tick++) {
        write1(w, 9, (uint64_t)tick + 1, tick);
        write1(w, (int64_t)tick, (uint64_t)tick + 100, tick);
        assert_int_equal(rdsim_db_flush(w, &cs, &err), 0);
        assert_int_equal(rdsim_db_apply(r, &cs, &err), 0);
        rdsim_changeset_free(&cs);
    }
    /* A read of a row sees every change applied to it. */
    assert_int_equal(read1(r, 9).cnt, 5);
    assert_int_equal(read1(r, 9).ver, 5);
    /* A scan, then a copy, see every row's. */
    assert_same(r, w);
    write1(w, 20, 999, 77);
    assert_int_equal(rdsim_db_flush(w, &cs, &err), 0);
    assert_int_equal(rdsim_db_apply(r, &cs, &err), 0);
    rdsim_changeset_free(&cs);
    assert_int_equal(rdsim_db_copy(c, r, &err), 0);
    assert_same(c, w);
    /* The console reads SQLite directly: the deferred rows are there. */
    write1(w, 30, 1234, 88);
    assert_int_equal(rdsim_db_flush(w, &cs, &err), 0);
    assert_int_equal(rdsim_db_apply(r, &cs, &err), 0);
    rdsim_changeset_free(&cs);
    assert_int_equal(rdsim_db_query(r, "SELECT ver FROM kv WHERE k = 30 AND ver = 1234", &o,
                                    &sink, &res, &err), 0);
    assert_int_equal(res.rows, 1);
    rdsim_db_close(w);
    rdsim_db_close(r);
    rdsim_db_close(c);
}

static void test_open_like_copies_rows_and_refuses_another_row_count(void **state)
{
    struct rdsim_db *a = open_mem(ROWS, true), *b = NULL;
    struct rdsim_db_config cfg = {.rows = ROWS, .capture = true, .like = a};
    struct rdsim_err err;

    write1(a, 4, 7, 70);
    assert_int_equal(rdsim_db_flush(a, NULL, &err), 0);
    assert_int_equal(rdsim_db_open(&cfg, &b, &err), 0);
    assert_same(a, b);
    /* They stay separate databases. */
    write1(b, 4, 8, 80);
    assert_int_equal(read1(a, 4).cnt, 1);
    assert_int_equal(read1(b, 4).cnt, 2);
    rdsim_db_close(b);
    b = NULL;
    cfg.rows = ROWS + 1;
    assert_int_equal(rdsim_db_open(&cfg, &b, &err), RDSIM_EINVAL);
    assert_null(b);
    assert_non_null(strstr(err.msg, "rows"));
    rdsim_db_close(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_in_memory_creates_rows_at_version_zero),
        cmocka_unit_test(test_counts_in_memory_equal_sqlites_through_writes_applies_and_copies),
        cmocka_unit_test(test_counts_follow_the_sql_console),
        cmocka_unit_test(test_stream_applies_with_sqlite3changeset_apply_and_equals_the_writer),
        cmocka_unit_test(test_deferred_apply_is_seen_by_reads_scans_copies_and_the_console),
        cmocka_unit_test(test_open_like_copies_rows_and_refuses_another_row_count),
        cmocka_unit_test(test_in_memory_databases_are_separate),
        cmocka_unit_test(test_open_negative_rows_is_einval),
        cmocka_unit_test(test_open_in_missing_directory_names_the_path),
        cmocka_unit_test(test_close_null_does_nothing),
        cmocka_unit_test(test_write_returns_positions_one_two_three),
        cmocka_unit_test(test_write_retry_of_same_op_applies_again),
        cmocka_unit_test(test_write_applies_in_commit_order_not_op_order),
        cmocka_unit_test(test_write_key_out_of_range_is_einval),
        cmocka_unit_test(test_write_op_id_beyond_int64_is_einval),
        cmocka_unit_test(test_read_key_out_of_range_is_einval),
        cmocka_unit_test(test_non_capture_database_takes_writes),
        cmocka_unit_test(test_flushed_changeset_makes_replica_identical),
        cmocka_unit_test(test_changeset_holds_net_effect_per_row),
        cmocka_unit_test(test_empty_flush_returns_empty_changeset),
        cmocka_unit_test(test_flush_without_out_commits_and_drops_the_capture),
        cmocka_unit_test(test_scan_stops_with_the_callback_value),
        cmocka_unit_test(test_copy_makes_dst_equal_src_and_dst_keeps_working),
        cmocka_unit_test(test_copy_from_source_with_open_tick_keeps_its_changeset),
        cmocka_unit_test(test_copy_takes_the_source_row_count),
        cmocka_unit_test(test_copy_onto_itself_is_einval),
        cmocka_unit_test(test_file_database_is_kept_and_readable_after_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
