/*
 * test_db_apply.c - a replica applies changesets (src/db/apply.c): ticks in
 * order reproduce the writer, a bad or truncated changeset changes nothing,
 * INSERTs and other tables are refused, partial images keep the columns
 * they leave out, patchsets go through SQLite's iterator, and the fast
 * reader decodes rdsim's own changesets exactly. Reverting ticks newest
 * first rewinds the writer to its rows between them (a backtrack).
 */
#include "db_test.h"

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

/* A backtrack: the writer's ticks after a point undone newest first give
 * back its rows at that point, and it goes on taking writes from there. */
static void test_revert_of_ticks_newest_first_rewinds_the_writer(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *at_point = open_mem(ROWS, false);
    struct rdsim_db *r = open_mem(ROWS, false);
    struct rdsim_changeset cs[6];
    uint64_t opid = 1, x = 99;

    for (int tick = 0; tick < 6; tick++) {
        for (int i = 0; i < 25; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            write1(w, (int64_t)((x >> 33) % 16), opid, (rdsim_time_t)opid * 10);
            opid++;
        }
        assert_int_equal(rdsim_db_flush(w, &cs[tick], NULL), 0);
        if (tick == 2)
            assert_int_equal(rdsim_db_copy(at_point, w, NULL), 0);
    }
    for (int tick = 5; tick > 2; tick--)
        assert_int_equal(rdsim_db_revert(w, &cs[tick], NULL), 0);
    /* Reverting is not captured: nothing ships it. */
    struct rdsim_changeset none;
    assert_int_equal(rdsim_db_flush(w, &none, NULL), 0);
    assert_int_equal(none.len, 0);
    rdsim_changeset_free(&none);
    assert_same(w, at_point);
    int64_t cnt;
    assert_int_equal(rdsim_db_count(w, 3, &cnt, NULL), 0);
    struct rdsim_row row;
    assert_int_equal(rdsim_db_read(at_point, 3, &row, NULL), 0);
    assert_int_equal(cnt, row.cnt);
    /* New writes continue from the rewound rows, and ship as before. */
    assert_int_equal(rdsim_db_copy(r, w, NULL), 0);
    write1(w, 3, opid, 1000000);
    rdsim_changeset_free(&cs[0]);
    assert_int_equal(rdsim_db_flush(w, &cs[0], NULL), 0);
    assert_int_equal(rdsim_db_apply(r, &cs[0], NULL), 0);
    assert_same(w, r);
    assert_int_equal(rdsim_db_read(r, 3, &row, NULL), 0);
    assert_int_equal(row.cnt, cnt + 1);
    for (int tick = 0; tick < 6; tick++)
        rdsim_changeset_free(&cs[tick]);
    rdsim_db_close(w);
    rdsim_db_close(at_point);
    rdsim_db_close(r);
}

static void test_revert_of_garbage_is_edb_and_of_nothing_is_a_no_op(void **state)
{
    struct rdsim_db *w = open_mem(ROWS, true);
    struct rdsim_db *before = open_mem(ROWS, false);
    unsigned char junk[40];
    struct rdsim_changeset bad = {.data = junk, .len = sizeof junk}, empty = {0};
    struct rdsim_err err;

    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 53 + 7);
    assert_int_equal(rdsim_db_revert(w, &bad, &err), RDSIM_EDB);
    assert_non_null(strstr(err.msg, "revert"));
    assert_int_equal(rdsim_db_revert(w, &empty, NULL), 0);
    assert_int_equal(rdsim_db_revert(w, NULL, &err), RDSIM_EINVAL);
    assert_same(w, before);
    rdsim_db_close(w);
    rdsim_db_close(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_restarts_whole_changeset_when_a_late_change_is_unusual),
        cmocka_unit_test(test_apply_of_ticks_in_order_reproduces_writer),
        cmocka_unit_test(test_apply_of_garbage_is_edb_and_leaves_db_unchanged),
        cmocka_unit_test(test_apply_of_truncated_changeset_rolls_back_applied_rows),
        cmocka_unit_test(test_apply_of_insert_is_unexpected_change),
        cmocka_unit_test(test_apply_of_other_table_is_unexpected_change),
        cmocka_unit_test(test_apply_keeps_columns_a_change_leaves_out),
        cmocka_unit_test(test_apply_of_concatenated_changesets_takes_both),
        cmocka_unit_test(test_apply_of_patchset_goes_through_sqlite_iterator),
        cmocka_unit_test(test_apply_rolls_back_good_changes_before_an_insert),
        cmocka_unit_test(test_apply_of_missing_row_is_edb),
        cmocka_unit_test(test_apply_null_changeset_is_einval),
        cmocka_unit_test(test_apply_inside_open_tick_is_not_captured),
        cmocka_unit_test(test_failed_apply_inside_open_tick_keeps_the_tick),
        cmocka_unit_test(test_reader_decodes_rdsim_changesets_exactly),
        cmocka_unit_test(test_reader_refuses_what_it_does_not_know),
        cmocka_unit_test(test_revert_of_ticks_newest_first_rewinds_the_writer),
        cmocka_unit_test(test_revert_of_garbage_is_edb_and_of_nothing_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
