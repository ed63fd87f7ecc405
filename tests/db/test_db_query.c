/*
 * test_db_query.c - rdsim_db_query, the live SQL console: what the
 * authorizer lets through, what it refuses and with which code and message,
 * and that console writes replicate like the workload's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
    static const char *const refused[] = {
        "DROP TABLE kv", "CREATE TABLE t(x)", "PRAGMA journal_mode", "BEGIN",
        "SELECT * FROM sqlite_master", "ATTACH DATABASE ':memory:' AS x",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c",
    };
    struct rdsim_db *db = open_mem(true);
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    struct sink s;
    (void)state;

    for (size_t k = 0; k < sizeof(refused) / sizeof(refused[0]); k++) {
        assert_int_equal(query(db, refused[k], false, &s, &res, &err), RDSIM_EPERM);
        assert_non_null(strstr(err.msg, "only SELECT, INSERT, UPDATE and DELETE on table kv"));
    }
    /* The table is still there. */
    assert_int_equal(query(db, "SELECT count(*) FROM kv", true, &s, &res, &err), 0);
    assert_int_equal(s.first, ROWS);
    rdsim_db_close(db);
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
    assert_int_equal(query(db,
                           "SELECT printf('%.*c', 60000, 'x'), printf('%.*c', 60000, 'y'), "
                           "printf('%.*c', 60000, 'z'), printf('%.*c', 60000, 'w'), "
                           "printf('%.*c', 60000, 'v'), printf('%.*c', 60000, 'u'), "
                           "printf('%.*c', 60000, 't'), printf('%.*c', 60000, 's') FROM kv",
                           true, &s, &res, &err),
                     RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "the result is larger than 4194304 bytes"));
    /* Small values still pass. */
    assert_int_equal(query(db, "SELECT printf('%.*c', 1000, 'x') FROM kv", true, &s, &res, &err),
                     0);
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
    assert_int_equal(rdsim_db_apply(r, &cs, &err), 0);
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
        cmocka_unit_test(test_query_read_only_refuses_writes_with_eperm),
        cmocka_unit_test(test_query_keeps_the_workload_rows),
        cmocka_unit_test(test_query_bad_statements_are_einval),
        cmocka_unit_test(test_query_huge_values_and_results_are_einval),
        cmocka_unit_test(test_query_writes_replicate_through_the_changeset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
