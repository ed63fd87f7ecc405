/*
 * db_test.h - what the database tests share (test_db.c, test_db_apply.c):
 * small databases in memory, snapshots compared through rdsim_db_scan, and
 * changesets rdsim never produces, made with a raw SQLite session.
 */
#ifndef RDSIM_TEST_DB_H
#define RDSIM_TEST_DB_H

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

static inline int snap_row(void *ctx, int64_t key, const struct rdsim_row *row)
{
    struct snapshot *s = ctx;

    assert_true(s->n < ROWS * 2);
    s->keys[s->n] = key;
    s->rows[s->n] = *row;
    s->n++;
    return 0;
}

static inline void snap(struct rdsim_db *db, struct snapshot *s)
{
    struct rdsim_err err;

    memset(s, 0, sizeof *s);
    assert_int_equal(rdsim_db_scan(db, snap_row, s, &err), 0);
}

static inline void assert_same(struct rdsim_db *a, struct rdsim_db *b)
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

static inline struct rdsim_db *open_mem(int64_t rows, bool capture)
{
    struct rdsim_db_config cfg = {.path = NULL, .rows = rows, .capture = capture};
    struct rdsim_db *db = NULL;
    struct rdsim_err err;

    assert_int_equal(rdsim_db_open(&cfg, &db, &err), 0);
    assert_non_null(db);
    return db;
}

static inline int64_t write1(struct rdsim_db *db, int64_t key, uint64_t opid, rdsim_time_t t)
{
    struct rdsim_err err;
    int64_t pos = -1;

    assert_int_equal(rdsim_db_write(db, key, opid, t, &pos, &err), 0);
    return pos;
}

static inline struct rdsim_row read1(struct rdsim_db *db, int64_t key)
{
    struct rdsim_err err;
    struct rdsim_row row;

    assert_int_equal(rdsim_db_read(db, key, &row, &err), 0);
    return row;
}

static inline int count_changes(const struct rdsim_changeset *cs)
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
static inline void raw_changes(const char *setup, const char *change, bool patchset,
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

static inline void raw_changeset(const char *setup, const char *change,
                          struct rdsim_changeset *out)
{
    raw_changes(setup, change, false, out);
}

/* a followed by b, as one buffer; frees both. */
static inline struct rdsim_changeset concat(struct rdsim_changeset *a, struct rdsim_changeset *b)
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

#endif
