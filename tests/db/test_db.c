/*
 * test_db.c - the per-instance SQLite database: writes and their positions,
 * tick changesets, replica apply, copy, file databases and every error the
 * public functions return.
 *
 * Databases are compared through rdsim_db_scan(), so "identical" means the
 * same (k, ver, cnt, committed_ns) for every row. Changesets that rdsim never
 * produces (INSERTs, partial images) are made with a raw SQLite session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "rdsim/db.h"

#include "changeset.h" /* src/db: the fast reader */

#define ROWS 64

struct snapshot {
    int64_t n;
    int64_t keys[ROWS * 2];
    struct rdsim_row rows[ROWS * 2];
};

static int snap_row(void *ctx, int64_t key, const struct rdsim_row *row)
{
    struct snapshot *s = ctx;

    assert_true(s->n < ROWS * 2);
    s->keys[s->n] = key;
    s->rows[s->n] = *row;
    s->n++;
    return 0;
}

static void snap(struct rdsim_db *db, struct snapshot *s)
{
    struct rdsim_err err;

    memset(s, 0, sizeof *s);
    assert_int_equal(rdsim_db_scan(db, snap_row, s, &err), 0);
}

static void assert_same(struct rdsim_db *a, struct rdsim_db *b)
{
    struct snapshot sa, sb;

    snap(a, &sa);
    snap(b, &sb);
    assert_int_equal(sa.n, sb.n);
    for (int64_t i = 0; i < sa.n; i++) {
        assert_int_equal(sa.keys[i], sb.keys[i]);
        assert_int_equal(sa.rows[i].ver, sb.rows[i].ver);
        assert_int_equal(sa.rows[i].cnt, sb.rows[i].cnt);
        assert_int_equal(sa.rows[i].committed_ns, sb.rows[i].committed_ns);
    }
}

static struct rdsim_db *open_mem(int64_t rows, bool capture)
{
    struct rdsim_db_config cfg = {.path = NULL, .rows = rows, .capture = capture};
    struct rdsim_db *db = NULL;
    struct rdsim_err err;

    assert_int_equal(rdsim_db_open(&cfg, &db, &err), 0);
    assert_non_null(db);
    return db;
}

static int64_t write1(struct rdsim_db *db, int64_t key, uint64_t opid, rdsim_time_t t)
{
    struct rdsim_err err;
    int64_t pos = -1;

    assert_int_equal(rdsim_db_write(db, key, opid, t, &pos, &err), 0);
    return pos;
}

static struct rdsim_row read1(struct rdsim_db *db, int64_t key)
{
    struct rdsim_err err;
    struct rdsim_row row;

    assert_int_equal(rdsim_db_read(db, key, &row, &err), 0);
    return row;
}

static int count_changes(const struct rdsim_changeset *cs)
{
    sqlite3_changeset_iter *it;
    int n = 0;

    assert_int_equal(sqlite3changeset_start(&it, (int)cs->len, cs->data), SQLITE_OK);
    while (sqlite3changeset_next(it) == SQLITE_ROW)
        n++;
    assert_int_equal(sqlite3changeset_finalize(it), SQLITE_OK);
    return n;
}

/*
 * A changeset made outside rdsim: `setup` builds the database, `change` runs
 * under a session on kv. The result is sqlite3_malloc'd like rdsim's own.
 */
static void raw_changes(const char *setup, const char *change, bool patchset,
                        struct rdsim_changeset *out)
{
    sqlite3 *conn;
    sqlite3_session *s;
    int n = 0;
    void *data = NULL;

    assert_int_equal(sqlite3_open(":memory:", &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn, setup, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3session_create(conn, "main", &s), SQLITE_OK);
    assert_int_equal(sqlite3session_attach(s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn, change, NULL, NULL, NULL), SQLITE_OK);
    if (patchset)
        assert_int_equal(sqlite3session_patchset(s, &n, &data), SQLITE_OK);
    else
        assert_int_equal(sqlite3session_changeset(s, &n, &data), SQLITE_OK);
    sqlite3session_delete(s);
    sqlite3_close(conn);
    assert_true(n > 0);
    out->data = data;
    out->len = (size_t)n;
    out->n_writes = 1;
}

static void raw_changeset(const char *setup, const char *change,
                          struct rdsim_changeset *out)
{
    raw_changes(setup, change, false, out);
}

/* a followed by b, as one buffer; frees both. */
static struct rdsim_changeset concat(struct rdsim_changeset *a, struct rdsim_changeset *b)
{
    struct rdsim_changeset cs = {.len = a->len + b->len,
                                 .n_writes = a->n_writes + b->n_writes};

    cs.data = sqlite3_malloc64(cs.len);
    assert_non_null(cs.data);
    memcpy(cs.data, a->data, a->len);
    memcpy((char *)cs.data + a->len, b->data, b->len);
    rdsim_changeset_free(a);
    rdsim_changeset_free(b);
    return cs;
}

#define KV_SETUP                                                                         \
    "CREATE TABLE kv(k INTEGER PRIMARY KEY, ver INTEGER NOT NULL, cnt INTEGER NOT NULL," \
    " committed_ns INTEGER NOT NULL);"                                                   \
    "INSERT INTO kv VALUES (0,0,0,0),(1,0,0,0),(2,0,0,0);"

/* --- open ---------------------------------------------------------------- */

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

static void test_apply_of_ticks_in_order_reproduces_writer(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs[5];
    uint64_t opid = 1;
    uint64_t x = 12345;

    for (int tick = 0; tick < 5; tick++) {
        for (int i = 0; i < 30; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            write1(w, (int64_t)((x >> 33) % 16), opid, (rdsim_time_t)opid * 10);
            opid++;
        }
        assert_int_equal(rdsim_db_flush(w, &cs[tick], NULL), 0);
        assert_int_equal(cs[tick].n_writes, 30);
        assert_true(count_changes(&cs[tick]) <= 16);
    }
    for (int tick = 0; tick < 5; tick++) {
        assert_int_equal(rdsim_db_apply(r, &cs[tick], NULL), 0);
        rdsim_changeset_free(&cs[tick]);
    }
    assert_same(w, r);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_apply_of_garbage_is_edb_and_leaves_db_unchanged(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_db *before = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    unsigned char junk[64];
    struct rdsim_changeset bad = {.data = junk, .len = sizeof junk};
    struct rdsim_err err;

    write1(w, 1, 1, 1);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(before, &cs, NULL), 0);
    rdsim_changeset_free(&cs);

    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    assert_int_equal(rdsim_db_apply(r, &bad, &err), RDSIM_EDB);
    assert_int_equal(err.code, RDSIM_EDB);
    assert_non_null(strstr(err.msg, "apply"));
    assert_same(r, before);
    /* The replica still applies good changesets afterwards. */
    write1(w, 2, 2, 2);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    assert_same(r, w);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
    rdsim_db_close(r);
    rdsim_db_close(before);
}

static void test_apply_of_truncated_changeset_rolls_back_applied_rows(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_db *fresh = open_mem(ROWS, false);
    struct rdsim_changeset cs, half;
    struct rdsim_err err;

    for (int i = 0; i < ROWS; i++)
        write1(w, i, (uint64_t)i + 1, i);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    half = cs;
    half.len = cs.len / 2 + 3; /* cut inside a record, after many whole ones */
    assert_int_equal(rdsim_db_apply(r, &half, &err), RDSIM_EDB);
    assert_non_null(strstr(err.msg, "malformed"));
    assert_same(r, fresh);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
    rdsim_db_close(r);
    rdsim_db_close(fresh);
}

static void test_apply_of_insert_is_unexpected_change(void **state)
{
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_db *fresh = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    struct rdsim_err err;

    raw_changeset(KV_SETUP,
                  "UPDATE kv SET ver=5, cnt=1, committed_ns=9 WHERE k=1;"
                  "INSERT INTO kv VALUES (3, 1, 1, 1)",
                  &cs);
    assert_int_equal(rdsim_db_apply(r, &cs, &err), RDSIM_EDB);
    assert_non_null(strstr(err.msg, "unexpected change"));
    assert_non_null(strstr(err.msg, "INSERT"));
    assert_same(r, fresh);
    rdsim_changeset_free(&cs);

    raw_changeset(KV_SETUP, "DELETE FROM kv WHERE k=2", &cs);
    assert_int_equal(rdsim_db_apply(r, &cs, &err), RDSIM_EDB);
    assert_non_null(strstr(err.msg, "DELETE"));
    rdsim_changeset_free(&cs);
    rdsim_db_close(r);
    rdsim_db_close(fresh);
}

static void test_apply_of_other_table_is_unexpected_change(void **state)
{
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    struct rdsim_err err;

    raw_changeset("CREATE TABLE t(k INTEGER PRIMARY KEY, a, b, c);"
                  "INSERT INTO t VALUES (1, 1, 1, 1)",
                  "UPDATE t SET a = 2 WHERE k = 1", &cs);
    assert_int_equal(rdsim_db_apply(r, &cs, &err), RDSIM_EDB);
    assert_non_null(strstr(err.msg, "unexpected change"));
    assert_non_null(strstr(err.msg, "table t"));
    rdsim_changeset_free(&cs);
    rdsim_db_close(r);
}

static void test_apply_keeps_columns_a_change_leaves_out(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    struct rdsim_row row;

    /* Give row 1 cnt=1, committed_ns=100 on the replica... */
    write1(w, 1, 1, 100);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    rdsim_changeset_free(&cs);
    /* ...then apply a change that carries ver only (cnt, committed_ns NULL). */
    raw_changeset(KV_SETUP, "UPDATE kv SET ver = 7 WHERE k = 1", &cs);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    row = read1(r, 1);
    assert_int_equal(row.ver, 7);
    assert_int_equal(row.cnt, 1);
    assert_int_equal(row.committed_ns, 100);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_apply_of_concatenated_changesets_takes_both(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset a, b, both;

    write1(w, 1, 1, 10);
    write1(w, 2, 2, 20);
    assert_int_equal(rdsim_db_flush(w, &a, NULL), 0);
    write1(w, 2, 3, 30);
    write1(w, 3, 4, 40);
    assert_int_equal(rdsim_db_flush(w, &b, NULL), 0);
    both = concat(&a, &b); /* two table headers in one buffer */
    assert_int_equal(rdsim_db_apply(r, &both, NULL), 0);
    assert_same(w, r);
    assert_int_equal(read1(r, 2).cnt, 2);
    rdsim_changeset_free(&both);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_apply_of_patchset_goes_through_sqlite_iterator(void **state)
{
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    struct rdsim_row row;

    raw_changes(KV_SETUP, "UPDATE kv SET ver = 8, cnt = 3, committed_ns = 99 WHERE k = 2",
                true, &cs);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    row = read1(r, 2);
    assert_int_equal(row.ver, 8);
    assert_int_equal(row.cnt, 3);
    assert_int_equal(row.committed_ns, 99);
    rdsim_changeset_free(&cs);
    rdsim_db_close(r);
}

static void
test_apply_restarts_whole_changeset_when_a_late_change_is_unusual(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset a, b, both;
    struct rdsim_row row;

    for (int i = 0; i < 10; i++)
        write1(w, i, (uint64_t)i + 1, i);
    assert_int_equal(rdsim_db_flush(w, &a, NULL), 0);
    /* A real (not integer) value: only SQLite's iterator takes it. */
    raw_changeset(KV_SETUP, "UPDATE kv SET ver = 50, committed_ns = 2.0 WHERE k = 1", &b);
    both = concat(&a, &b);
    assert_int_equal(rdsim_db_apply(r, &both, NULL), 0);
    row = read1(r, 1);
    assert_int_equal(row.ver, 50);
    assert_int_equal(row.cnt, 1);
    assert_int_equal(row.committed_ns, 2);
    for (int i = 2; i < 10; i++)
        assert_int_equal(read1(r, i).ver, i + 1);
    rdsim_changeset_free(&both);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_apply_rolls_back_good_changes_before_an_insert(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_db *fresh = open_mem(ROWS, false);
    struct rdsim_changeset a, b, both;
    struct rdsim_err err;

    for (int i = 0; i < 10; i++)
        write1(w, i, (uint64_t)i + 1, i);
    assert_int_equal(rdsim_db_flush(w, &a, NULL), 0);
    raw_changeset(KV_SETUP, "INSERT INTO kv VALUES (3, 1, 1, 1)", &b);
    both = concat(&a, &b);
    assert_int_equal(rdsim_db_apply(r, &both, &err), RDSIM_EDB);
    assert_non_null(strstr(err.msg, "unexpected change"));
    assert_same(r, fresh);
    rdsim_changeset_free(&both);
    rdsim_db_close(w);
    rdsim_db_close(r);
    rdsim_db_close(fresh);
}

static void test_apply_of_missing_row_is_edb(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *small = open_mem(8, false);
    struct rdsim_db *fresh = open_mem(8, false);
    struct rdsim_changeset cs;
    struct rdsim_err err;

    write1(w, 2, 1, 1);
    write1(w, 50, 2, 2);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(small, &cs, &err), RDSIM_EDB);
    assert_non_null(strstr(err.msg, "row 50 missing"));
    assert_same(small, fresh);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
    rdsim_db_close(small);
    rdsim_db_close(fresh);
}

static void test_apply_null_changeset_is_einval(void **state)
{
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset nodata = {.data = NULL, .len = 10};
    struct rdsim_err err;

    assert_int_equal(rdsim_db_apply(r, NULL, &err), RDSIM_EINVAL);
    assert_int_equal(rdsim_db_apply(r, &nodata, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "no changeset"));
    rdsim_db_close(r);
}

static void test_apply_inside_open_tick_is_not_captured(void **state)
{
    struct rdsim_db *src = open_mem(ROWS, true);
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_changeset cs, out;

    write1(src, 20, 5, 5);
    assert_int_equal(rdsim_db_flush(src, &cs, NULL), 0);
    write1(w, 30, 9, 9); /* tick open on w */
    assert_int_equal(rdsim_db_apply(w, &cs, NULL), 0);
    assert_int_equal(read1(w, 20).ver, 5);
    assert_int_equal(rdsim_db_flush(w, &out, NULL), 0);
    assert_int_equal(count_changes(&out), 1);
    assert_int_equal(out.n_writes, 1);
    rdsim_changeset_free(&out);
    assert_int_equal(read1(w, 20).ver, 5);
    assert_int_equal(read1(w, 30).ver, 9);
    rdsim_changeset_free(&cs);
    rdsim_db_close(src);
    rdsim_db_close(w);
}

static void test_failed_apply_inside_open_tick_keeps_the_tick(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    unsigned char junk[16] = {'T', 3, 1, 'k', 'v', 0, 23, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    struct rdsim_changeset bad = {.data = junk, .len = sizeof junk};
    struct rdsim_changeset cs;

    write1(w, 30, 9, 9);
    assert_int_equal(rdsim_db_apply(w, &bad, NULL), RDSIM_EDB);
    assert_int_equal(read1(w, 30).ver, 9);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    assert_same(w, r);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

/* --- the fast changeset reader (src/db/changeset.c) ---------------------- */

static int reader_count(const struct rdsim_changeset *cs, struct rdsim_kv_change *last)
{
    struct rdsim_cs_reader r;
    struct rdsim_kv_change c;
    int n = 0, rc;

    rdsim_cs_reader_init(&r, cs->data, cs->len);
    while ((rc = rdsim_cs_reader_next(&r, &c)) == 1) {
        n++;
        if (last)
            *last = c;
    }
    return rc < 0 ? -1 : n;
}

static void test_reader_decodes_rdsim_changesets_exactly(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs;
    struct rdsim_kv_change c;

    assert_int_equal(write1(w, 63, INT64_MAX, (rdsim_time_t)1 << 40), 1);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(reader_count(&cs, &c), 1);
    assert_int_equal(c.key, 63);
    assert_true(c.has[0] && c.has[1] && c.has[2]);
    assert_int_equal(c.val[0], INT64_MAX);
    assert_int_equal(c.val[1], 1);
    assert_int_equal(c.val[2], (int64_t)1 << 40);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    assert_same(w, r);
    rdsim_changeset_free(&cs);

    /* First write at time 0 leaves committed_ns unchanged (0 -> 0). */
    assert_int_equal(write1(w, 5, 1, 0), 1);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(reader_count(&cs, &c), 1);
    assert_true(c.has[0] && c.has[1] && !c.has[2]);
    assert_int_equal(rdsim_db_apply(r, &cs, NULL), 0);
    assert_same(w, r);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_reader_refuses_what_it_does_not_know(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_changeset cs, cut;
    int n, whole;

    raw_changes(KV_SETUP, "UPDATE kv SET ver = 1, cnt = 1 WHERE k = 1", true, &cs);
    assert_int_equal(reader_count(&cs, NULL), -1); /* patchset */
    rdsim_changeset_free(&cs);
    raw_changeset(KV_SETUP, "UPDATE kv SET committed_ns = 1.5 WHERE k = 1", &cs);
    assert_int_equal(reader_count(&cs, NULL), -1); /* real value */
    rdsim_changeset_free(&cs);
    raw_changeset(KV_SETUP, "INSERT INTO kv VALUES (9, 1, 1, 1)", &cs);
    assert_int_equal(reader_count(&cs, NULL), -1);
    rdsim_changeset_free(&cs);
    raw_changeset("CREATE TABLE kw(k INTEGER PRIMARY KEY, a, b, c);"
                  "INSERT INTO kw VALUES (1, 1, 1, 1)",
                  "UPDATE kw SET a = 2 WHERE k = 1", &cs);
    assert_int_equal(reader_count(&cs, NULL), -1);
    rdsim_changeset_free(&cs);

    write1(w, 1, 1, 1);
    write1(w, 2, 2, 2);
    assert_int_equal(rdsim_db_flush(w, &cs, NULL), 0);
    assert_int_equal(reader_count(&cs, NULL), 2);
    /* Every cut is refused except the one between the two changes. */
    whole = 0;
    for (size_t len = 1; len < cs.len; len++) {
        cut = cs;
        cut.len = len;
        n = reader_count(&cut, NULL);
        assert_true(n == -1 || n == 1);
        whole += n == 1;
    }
    assert_int_equal(whole, 1);
    rdsim_changeset_free(&cs);
    rdsim_db_close(w);
}

/* --- scan ---------------------------------------------------------------- */

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
        cmocka_unit_test(
            test_counts_in_memory_equal_sqlites_through_writes_applies_and_copies),
        cmocka_unit_test(test_counts_follow_the_sql_console),
        cmocka_unit_test(
            test_stream_applies_with_sqlite3changeset_apply_and_equals_the_writer),
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
        cmocka_unit_test(test_apply_of_ticks_in_order_reproduces_writer),
        cmocka_unit_test(test_apply_of_garbage_is_edb_and_leaves_db_unchanged),
        cmocka_unit_test(test_apply_of_truncated_changeset_rolls_back_applied_rows),
        cmocka_unit_test(test_apply_of_insert_is_unexpected_change),
        cmocka_unit_test(test_apply_of_other_table_is_unexpected_change),
        cmocka_unit_test(test_apply_keeps_columns_a_change_leaves_out),
        cmocka_unit_test(test_apply_of_concatenated_changesets_takes_both),
        cmocka_unit_test(test_apply_of_patchset_goes_through_sqlite_iterator),
        cmocka_unit_test(
            test_apply_restarts_whole_changeset_when_a_late_change_is_unusual),
        cmocka_unit_test(test_apply_rolls_back_good_changes_before_an_insert),
        cmocka_unit_test(test_apply_of_missing_row_is_edb),
        cmocka_unit_test(test_apply_null_changeset_is_einval),
        cmocka_unit_test(test_apply_inside_open_tick_is_not_captured),
        cmocka_unit_test(test_failed_apply_inside_open_tick_keeps_the_tick),
        cmocka_unit_test(test_reader_decodes_rdsim_changesets_exactly),
        cmocka_unit_test(test_reader_refuses_what_it_does_not_know),
        cmocka_unit_test(test_scan_stops_with_the_callback_value),
        cmocka_unit_test(test_copy_makes_dst_equal_src_and_dst_keeps_working),
        cmocka_unit_test(test_copy_from_source_with_open_tick_keeps_its_changeset),
        cmocka_unit_test(test_copy_takes_the_source_row_count),
        cmocka_unit_test(test_copy_onto_itself_is_einval),
        cmocka_unit_test(test_file_database_is_kept_and_readable_after_close),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
