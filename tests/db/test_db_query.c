/*
 * test_db_query.c - rdsim_db_query, the live SQL console: what the
 * authorizer lets through, what it refuses and with which code and message
 * (in the console's words: the statement or function typed, not SQLite's
 * internals), how a statement is stopped, what a write may leave in kv, and
 * that console writes replicate like the workload's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/db.h"

#define ROWS 100

struct sink {
    int ncol, nrows;
    int64_t first;
};

static int on_columns(void *ctx, int n, const char *const *names)
{
    struct sink *s = ctx;
    (void)names;
    s->ncol = n;
    return 0;
}

static int on_row(void *ctx, int n, const struct rdsim_sql_value *v)
{
    struct sink *s = ctx;

    if (s->nrows++ == 0 && n > 0 && v[0].type == RDSIM_SQL_INTEGER)
        s->first = v[0].i;
    return 0;
}

static struct rdsim_db *open_mem(bool capture)
{
    struct rdsim_db_config cfg = {.rows = ROWS, .capture = capture};
    struct rdsim_db *db = NULL;

    assert_int_equal(rdsim_db_open(&cfg, &db, NULL), 0);
    return db;
}

static int query(struct rdsim_db *db, const char *sql, bool read_only, struct sink *s,
                 struct rdsim_db_query_result *res, struct rdsim_err *err)
{
    struct rdsim_db_query_opts o = {.read_only = read_only, .max_steps = 1000000, .max_rows = 10};
    struct rdsim_db_query_sink k = {.ctx = s, .columns = on_columns, .row = on_row};

    memset(s, 0, sizeof(*s));
    return rdsim_db_query(db, sql, &o, &k, res, err);
}

static void test_query_select_returns_rows_and_truncates(void **state)
{
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    (void)state;

    assert_int_equal(query(db, "SELECT k, ver FROM kv WHERE k = 3", true, &s, &res, &err), 0);
    assert_int_equal(s.ncol, 2);
    assert_int_equal(s.nrows, 1);
    assert_int_equal(s.first, 3);
    assert_false(res.wrote);
    assert_int_equal(query(db, "SELECT k FROM kv ORDER BY k", true, &s, &res, &err), 0);
    assert_int_equal(res.rows, 10);
    assert_true(res.truncated);
    rdsim_db_close(db);
}

static void test_query_refuses_what_is_not_dml_on_kv_with_eperm(void **state)
{
    /* Each statement and the words its refusal ends with. */
    static const char *const refused[][2] = {
        {"DROP TABLE kv", "not DROP TABLE"},
        {"CREATE TABLE t(x)", "not CREATE TABLE"},
        {"CREATE INDEX i ON kv(ver)", "not CREATE INDEX"},
        {"PRAGMA journal_mode", "not PRAGMA"},
        {"BEGIN", "not BEGIN, COMMIT or ROLLBACK"},
        {"SELECT * FROM sqlite_master", "not table sqlite_master"},
        {"ATTACH DATABASE ':memory:' AS x", "not ATTACH"},
        {"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c",
         "not a recursive query"},
        /* No authorizer action for these: refused by their first word. */
        {"REINDEX", "not REINDEX"},
        {"  /* a comment */ -- and another\n vacuum", "not VACUUM"},
        {"ANALYZE", "not ANALYZE"},
        {"EXPLAIN SELECT * FROM kv", "not EXPLAIN"},
        {"EXPLAIN QUERY PLAN SELECT * FROM kv", "not EXPLAIN"},
    };
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    (void)state;

    for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
        const char *want = refused[k][1];
        size_t n, m = strlen(want);
        assert_int_equal(query(db, refused[k][0], false, &s, &res, &err), RDSIM_EPERM);
        n = strlen(err.msg);
        assert_non_null(strstr(err.msg, "refused: the console runs only SELECT, INSERT, UPDATE "
                                        "and DELETE on table kv"));
        if (n < m || strcmp(err.msg + n - m, want) != 0)
            fail_msg("\"%s\": message \"%s\" does not end with \"%s\"", refused[k][0], err.msg,
                     want);
        /* The console's words, not what SQLite would have done for it. */
        if (strstr(refused[k][0], "sqlite_master") == NULL)
            assert_null(strstr(err.msg, "sqlite_"));
    }
    /* The table is still there. */
    assert_int_equal(query(db, "SELECT count(*) FROM kv", true, &s, &res, &err), 0);
    assert_int_equal(s.first, ROWS);
    rdsim_db_close(db);
}

/* Only functions linear in their arguments: nothing that loops inside one
 * step (printf's %.*c, trim), reveals a pointer (fts3_tokenizer) or loads
 * code. */
static void test_query_allows_only_the_console_functions(void **state)
{
    static const char *const refused[][2] = {
        {"SELECT fts3_tokenizer('simple')", "fts3_tokenizer()"},
        {"SELECT printf('%.*c', 2147483647, 'x')", "printf()"},
        {"SELECT format('%d', 1)", "format()"},
        {"SELECT trim('abc', 'a')", "trim()"},
        {"SELECT load_extension('x')", "load_extension()"},
        {"SELECT sqlite_compileoption_get(0)", "sqlite_compileoption_get()"},
        {"SELECT random()", "random()"},
        {"UPDATE kv SET ver = instr('a', 'a') WHERE k = 1", "instr()"},
    };
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    char want[96];
    (void)state;

    for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
        assert_int_equal(query(db, refused[k][0], false, &s, &res, &err), RDSIM_EPERM);
        snprintf(want, sizeof want, "refused: function %s is not allowed; the console's functions "
                                    "are abs, ", refused[k][1]);
        if (strncmp(err.msg, want, strlen(want)) != 0)
            fail_msg("\"%s\": message \"%s\"", refused[k][0], err.msg);
    }
    assert_int_equal(query(db,
                           "SELECT abs(-1), coalesce(NULL, 2), count(*), max(k), min(k), sum(k), "
                           "total(k), avg(k), typeof(k), length(k), hex(k), quote(k), upper('a'), "
                           "lower('A'), substr('abc', 2), round(1.5), ifnull(NULL, 1), "
                           "iif(1, 2, 3), nullif(1, 2), unicode('a'), char(65), "
                           "group_concat(k), 'a' LIKE 'A', 'a' GLOB 'a' FROM kv",
                           true, &s, &res, &err),
                     0);
    assert_int_equal(s.ncol, 24);
    assert_int_equal(query(db, "SELECT k, row_number() OVER (ORDER BY k DESC) FROM kv", true, &s,
                           &res, &err),
                     0);
    assert_int_equal(s.first, ROWS - 1);
    rdsim_db_close(db);
}

static int calls_left;

static bool stop_after_some_calls(void *ctx)
{
    int *calls = ctx;
    ++*calls;
    return --calls_left < 0;
}

/* The caller's budget stops a statement; asked often enough that a cheap
 * one is not stopped and a costly one is stopped soon. */
static void test_query_should_stop_interrupts_the_statement(void **state)
{
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    int calls = 0;
    struct rdsim_db_query_opts o = {.should_stop = stop_after_some_calls,
                                    .stop_ctx = &calls,
                                    .stop_reason = "it ran longer than 250 ms"};
    struct rdsim_db_query_sink k = {.ctx = &s, .columns = on_columns, .row = on_row};
    (void)state;

    calls_left = 1000;
    assert_int_equal(rdsim_db_query(db, "SELECT ver FROM kv WHERE k = 3", &o, &k, &res, &err), 0);
    assert_true(calls < 5);
    calls = 0;
    calls_left = 3;
    assert_int_equal(rdsim_db_query(db, "SELECT count(*) FROM kv a, kv b, kv c", &o, &k, &res, &err),
                     RDSIM_EINVAL);
    assert_string_equal(err.msg, "statement stopped: it ran longer than 250 ms");
    assert_int_equal(calls, 4);
    /* A write stopped half-way leaves nothing. */
    calls_left = 3;
    assert_int_equal(rdsim_db_query(db, "UPDATE kv SET ver = 5 WHERE k IN (SELECT a.k FROM kv a, "
                                        "kv b, kv c WHERE a.k + b.k + c.k >= 0)",
                                    &o, &k, &res, &err),
                     RDSIM_EINVAL);
    calls_left = 1000;
    assert_int_equal(query(db, "SELECT count(*) FROM kv WHERE ver = 5", true, &s, &res, &err), 0);
    assert_int_equal(s.first, 0);
    rdsim_db_close(db);
}

/* What a console write may leave: integers 0..2^62-1 in ver, cnt and
 * committed_ns (so the workload's cnt + 1 cannot overflow), and at most
 * RDSIM_DB_QUERY_MAX_ADDED_ROWS rows beyond the workload's (each instance
 * keeps a copy: one INSERT of 100 blobs of 60 kB each took 6 MB per
 * instance). */
static void test_query_writes_keep_kv_small_and_integral(void **state)
{
    static const char *const refused[][2] = {
        {"INSERT INTO kv VALUES (500, 'text', 1, 1)", "not the text of 4 bytes (ver of k = 500)"},
        {"INSERT INTO kv VALUES (501, 'a long text, with more than 32 bytes', 1, 1)",
         "not text or blobs"},
        {"INSERT INTO kv SELECT k + 1000, zeroblob(60000), 0, 0 FROM kv", "not text or blobs"},
        {"INSERT INTO kv VALUES (502, x'00', 1, 1)", "not the blob of 1 bytes (ver of k = 502)"},
        {"UPDATE kv SET cnt = 9223372036854775807 WHERE k = 1",
         "not 9223372036854775807 (cnt of k = 1)"},
        {"UPDATE kv SET committed_ns = -1 WHERE k = 2", "not -1 (committed_ns of k = 2)"},
        {"UPDATE kv SET ver = 1.5 WHERE k = 3", "not 1.5 (ver of k = 3)"},
    };
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    int64_t position;
    (void)state;

    for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
        assert_int_equal(query(db, refused[k][0], false, &s, &res, &err), RDSIM_EPERM);
        assert_non_null(strstr(err.msg, "refused: kv's ver, cnt and committed_ns take integers "
                                        "0..4611686018427387903, "));
        if (!strstr(err.msg, refused[k][1]))
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", refused[k][0], err.msg,
                     refused[k][1]);
        assert_int_equal(res.changes, 0);
    }
    /* Nothing of it stayed: the workload still writes row 1 from cnt 0. */
    assert_int_equal(query(db, "SELECT count(*) FROM kv", true, &s, &res, &err), 0);
    assert_int_equal(s.first, ROWS);
    assert_int_equal(rdsim_db_write(db, 1, 7, 0, &position, &err), 0);
    assert_int_equal(position, 1);
    /* The largest value is fine. */
    assert_int_equal(query(db, "UPDATE kv SET cnt = 4611686018427387903 WHERE k = 4", false, &s,
                           &res, &err),
                     0);

    /* Exactly the bound of added rows: 100 x 100. */
    assert_int_equal(query(db, "INSERT INTO kv SELECT 1000 + 100 * a.k + b.k, 1, 1, 1 "
                               "FROM kv a, kv b", false, &s, &res, &err),
                     0);
    assert_int_equal(res.changes, RDSIM_DB_QUERY_MAX_ADDED_ROWS);
    assert_int_equal(query(db, "INSERT INTO kv VALUES (-5, 1, 1, 1)", false, &s, &res, &err),
                     RDSIM_EPERM);
    assert_string_equal(err.msg, "refused: kv would hold 10001 rows beyond the workload's; the "
                                 "console may add at most 10000 (delete some with k >= 100 first)");
    /* Updates of them are fine, and room comes back with a delete. */
    assert_int_equal(query(db, "UPDATE kv SET ver = ver + 1 WHERE k >= 1000", false, &s, &res,
                           &err),
                     0);
    assert_int_equal(query(db, "DELETE FROM kv WHERE k = 1000", false, &s, &res, &err), 0);
    assert_int_equal(query(db, "INSERT INTO kv VALUES (-5, 1, 1, 1)", false, &s, &res, &err), 0);
    rdsim_db_close(db);
}

/* A DELETE without WHERE is seen too (SQLite compiles it into a truncate
 * that no session sees unless one exists when it is prepared), and one
 * write may change only so much, stopped while it runs. */
static void test_query_big_writes_are_caught(void **state)
{
    struct rdsim_db_config cfg = {.rows = 100000, .capture = true};
    struct rdsim_db *db = NULL, *small = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    (void)state;

    assert_int_equal(query(small, "DELETE FROM kv", false, &s, &res, &err), RDSIM_EPERM);
    assert_non_null(strstr(err.msg, "workload's rows"));
    assert_int_equal(query(small, "SELECT count(*) FROM kv", true, &s, &res, &err), 0);
    assert_int_equal(s.first, ROWS);
    rdsim_db_close(small);

    assert_int_equal(rdsim_db_open(&cfg, &db, NULL), 0);
    assert_int_equal(query(db, "UPDATE kv SET ver = 1 WHERE k < 50000", false, &s, &res, &err), 0);
    assert_int_equal(res.changes, 50000);
    assert_int_equal(query(db, "UPDATE kv SET ver = 2", false, &s, &res, &err), RDSIM_EPERM);
    assert_string_equal(err.msg, "refused: the statement changes too many rows at once (more than "
                                 "8 MiB of changes, about 83886 rows); change fewer at a time");
    assert_int_equal(query(db, "SELECT count(*) FROM kv WHERE ver = 2", true, &s, &res, &err), 0);
    assert_int_equal(s.first, 0);
    rdsim_db_close(db);
}

/* A console write stopped half-way breaks nothing: the capture session,
 * whose first change it was (the session then reads the table's layout with
 * a query of its own, which the stop used to interrupt, failing every
 * changeset after: found by fuzz_sql), still ships the tick's workload
 * writes to the replica. */
static void test_query_stopped_write_keeps_the_ticks_workload_writes(void **state)
{
    struct rdsim_db *w = open_mem(true), *r = open_mem(false);
    struct rdsim_db_query_result res;
    struct rdsim_changeset cs;
    struct rdsim_err err = {0};
    struct rdsim_row row;
    struct sink s;
    int64_t position;
    int calls = 0;
    struct rdsim_db_query_opts o = {.should_stop = stop_after_some_calls, .stop_ctx = &calls};
    struct rdsim_db_query_sink k = {.ctx = &s, .columns = on_columns, .row = on_row};
    (void)state;

    calls_left = 0;
    assert_int_equal(rdsim_db_query(w, "UPDATE kv SET k = k + 100 WHERE k = 2", &o, &k, &res, &err),
                     RDSIM_EINVAL);
    assert_int_equal(rdsim_db_write(w, 9, 41, 5, &position, &err), 0);
    assert_int_equal(rdsim_db_write(w, 10, 42, 6, &position, &err), 0);
    if (rdsim_db_flush(w, &cs, &err) != 0)
        fail_msg("flush: %s", err.msg);
    assert_int_equal(rdsim_db_apply(r, &cs, &err), 0);
    rdsim_changeset_free(&cs);
    assert_int_equal(rdsim_db_read(r, 9, &row, &err), 0);
    assert_int_equal(row.ver, 41);
    assert_int_equal(rdsim_db_read(r, 10, &row, &err), 0);
    assert_int_equal(row.ver, 42);
    assert_int_equal(rdsim_db_read(w, 2, &row, &err), 0);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

static void test_query_read_only_refuses_writes_with_eperm(void **state)
{
    struct rdsim_db *db = open_mem(false);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    (void)state;

    assert_int_equal(query(db, "UPDATE kv SET ver = 1 WHERE k = 1", true, &s, &res, &err),
                     RDSIM_EPERM);
    assert_non_null(strstr(err.msg, "read-only"));
    rdsim_db_close(db);
}

static void test_query_keeps_the_workload_rows(void **state)
{
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    (void)state;

    assert_int_equal(query(db, "DELETE FROM kv WHERE k < 5", false, &s, &res, &err), RDSIM_EPERM);
    assert_non_null(strstr(err.msg, "workload's rows"));
    assert_int_equal(query(db, "UPDATE kv SET k = k + 1000 WHERE k = 0", false, &s, &res, &err),
                     RDSIM_EPERM);
    assert_int_equal(res.changes, 0);
    assert_int_equal(query(db, "SELECT count(*) FROM kv", true, &s, &res, &err), 0);
    assert_int_equal(s.first, ROWS);
    rdsim_db_close(db);
}

static void test_query_bad_statements_are_einval(void **state)
{
    static const char *const bad[] = {"", "  ;  ", "-- nothing", "SELEC 1", "SELECT 1; SELECT 2",
                                      "SELECT * FROM nosuch",
                                      "SELECT count(*) FROM kv a, kv b, kv c, kv d"};
    static const char *const why[] = {"empty", "empty", "empty", "syntax error", "one statement",
                                      "no such table", "limit"};
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    (void)state;

    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        assert_int_equal(query(db, bad[k], false, &s, &res, &err), RDSIM_EINVAL);
        if (!strstr(err.msg, why[k]))
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[k], err.msg, why[k]);
    }
    rdsim_db_close(db);
}

/* A console statement cannot make the process allocate without bound: one
 * value is capped, and so is a whole result. */
static void test_query_huge_values_and_results_are_einval(void **state)
{
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    (void)state;

    assert_int_equal(query(db, "SELECT zeroblob(200000000)", true, &s, &res, &err),
                     RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "too big"));
    /* Ten rows of eight 60 kB values: 4.8 MB. */
    assert_int_equal(query(db, "SELECT length(hex(zeroblob(40000)))", true, &s, &res, &err),
                     RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "too big"));
    /* Ten rows of eight 60 kB values: 4.8 MB. */
    assert_int_equal(query(db,
                           "SELECT hex(zeroblob(30000)), hex(zeroblob(30000)), "
                           "hex(zeroblob(30000)), hex(zeroblob(30000)), hex(zeroblob(30000)), "
                           "hex(zeroblob(30000)), hex(zeroblob(30000)), hex(zeroblob(30000)) "
                           "FROM kv",
                           true, &s, &res, &err),
                     RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "the result is larger than 4194304 bytes"));
    /* Small values still pass. */
    assert_int_equal(query(db, "SELECT hex(zeroblob(1000)) FROM kv", true, &s, &res, &err), 0);
    /* A LIKE pattern is capped. */
    assert_int_equal(query(db, "SELECT 'a' LIKE hex(zeroblob(51))", true, &s, &res, &err),
                     RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "LIKE or GLOB pattern too complex"));
    assert_int_equal(query(db, "SELECT 'a' LIKE hex(zeroblob(50))", true, &s, &res, &err), 0);
    rdsim_db_close(db);
}

static void test_query_writes_replicate_through_the_changeset(void **state)
{
    struct rdsim_db *w = open_mem(true), *r = open_mem(false);
    struct rdsim_db_query_result res;
    struct rdsim_changeset cs;
    struct rdsim_err err = {0};
    struct rdsim_row row;
    struct sink s;
    (void)state;

    assert_int_equal(query(w, "UPDATE kv SET ver = 77 WHERE k = 5", false, &s, &res, &err), 0);
    assert_true(res.wrote);
    assert_int_equal(res.changes, 1);
    assert_int_equal(query(w, "INSERT INTO kv VALUES (500, 1, 1, 1)", false, &s, &res, &err), 0);
    assert_int_equal(rdsim_db_flush(w, &cs, &err), 0);
    if (rdsim_db_apply(r, &cs, &err) != 0)
        fail_msg("apply: %s", err.msg);
    rdsim_changeset_free(&cs);
    assert_int_equal(rdsim_db_read(r, 5, &row, &err), 0);
    assert_int_equal(row.ver, 77);
    assert_int_equal(query(r, "SELECT ver FROM kv WHERE k = 500", true, &s, &res, &err), 0);
    assert_int_equal(s.nrows, 1);
    /* And the delete of the console's own row. */
    assert_int_equal(query(w, "DELETE FROM kv WHERE k = 500", false, &s, &res, &err), 0);
    assert_int_equal(rdsim_db_flush(w, &cs, &err), 0);
    assert_int_equal(rdsim_db_apply(r, &cs, &err), 0);
    rdsim_changeset_free(&cs);
    assert_int_equal(query(r, "SELECT ver FROM kv WHERE k = 500", true, &s, &res, &err), 0);
    assert_int_equal(s.nrows, 0);
    rdsim_db_close(w);
    rdsim_db_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_select_returns_rows_and_truncates),
        cmocka_unit_test(test_query_refuses_what_is_not_dml_on_kv_with_eperm),
        cmocka_unit_test(test_query_allows_only_the_console_functions),
        cmocka_unit_test(test_query_should_stop_interrupts_the_statement),
        cmocka_unit_test(test_query_writes_keep_kv_small_and_integral),
        cmocka_unit_test(test_query_big_writes_are_caught),
        cmocka_unit_test(test_query_stopped_write_keeps_the_ticks_workload_writes),
        cmocka_unit_test(test_query_read_only_refuses_writes_with_eperm),
        cmocka_unit_test(test_query_keeps_the_workload_rows),
        cmocka_unit_test(test_query_bad_statements_are_einval),
        cmocka_unit_test(test_query_huge_values_and_results_are_einval),
        cmocka_unit_test(test_query_writes_replicate_through_the_changeset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
