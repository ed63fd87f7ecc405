/*
 * test_acklog.c - the clients' record of acknowledged writes, checked
 * against real SQLite data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rdsim/acklog.h"
#include "rdsim/db.h"

struct fixture {
    struct rdsim_db *writer, *replica;
    struct rdsim_acklog *log;
};

static int setup(void **state)
{
    static struct fixture f;
    struct rdsim_db_config cfg = {.path = NULL, .rows = 100, .capture = true};

    assert_int_equal(rdsim_db_open(&cfg, &f.writer, NULL), 0);
    assert_int_equal(rdsim_db_open(&cfg, &f.replica, NULL), 0);
    assert_int_equal(rdsim_acklog_create(100, &f.log, NULL), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    rdsim_db_close(f->writer);
    rdsim_db_close(f->replica);
    rdsim_acklog_destroy(f->log);
    return 0;
}

/* Write op `opid` on the writer and acknowledge it to the client. */
static void write_acked(struct fixture *f, int64_t key, uint64_t opid)
{
    int64_t pos = 0;

    assert_int_equal(rdsim_db_write(f->writer, key, opid, (rdsim_time_t)opid, &pos, NULL), 0);
    assert_true(pos > 0);
    rdsim_acklog_ack(f->log, key, pos);
}

/* Ship everything written so far to the replica. */
static void replicate(struct fixture *f)
{
    struct rdsim_changeset cs = {0};

    assert_int_equal(rdsim_db_flush(f->writer, &cs, NULL), 0);
    assert_int_equal(rdsim_db_apply(f->replica, &cs, NULL), 0);
    rdsim_changeset_free(&cs);
}

static void test_acklog_writer_lacks_nothing(void **state)
{
    struct fixture *f = *state;
    struct rdsim_acklog_result res;

    for (uint64_t op = 1; op <= 50; op++)
        write_acked(f, (int64_t)(op % 7), op);
    assert_int_equal(rdsim_acklog_check(f->log, f->writer, false, &res, NULL), 0);
    assert_int_equal(res.lost, 0);
    assert_int_equal(rdsim_acklog_acked(f->log), 50);
}

static void test_acklog_counts_writes_a_lagging_replica_lacks(void **state)
{
    struct fixture *f = *state;
    struct rdsim_acklog_result res;

    for (uint64_t op = 1; op <= 30; op++)
        write_acked(f, (int64_t)(op % 3), op);
    replicate(f);
    /* 12 more acknowledged writes over 4 rows that never reach the replica. */
    for (uint64_t op = 31; op <= 42; op++)
        write_acked(f, (int64_t)(op % 4), op);
    assert_int_equal(rdsim_acklog_check(f->log, f->replica, false, &res, NULL), 0);
    assert_int_equal(res.lost, 12);
    assert_int_equal(res.rows_affected, 4);
    assert_false(res.bounded);
}

static void test_acklog_unacknowledged_commits_are_not_lost_writes(void **state)
{
    struct fixture *f = *state;
    struct rdsim_acklog_result res;
    int64_t pos;

    write_acked(f, 5, 1);
    replicate(f);
    /* Committed, but the client never heard back (timeout, crash). */
    assert_int_equal(rdsim_db_write(f->writer, 5, 2, 2, &pos, NULL), 0);
    write_acked(f, 5, 3);
    assert_int_equal(rdsim_acklog_check(f->log, f->replica, false, &res, NULL), 0);
    assert_int_equal(res.lost, 1);
}

static void test_acklog_rebase_forgets_what_the_new_writer_lacks(void **state)
{
    struct fixture *f = *state;
    struct rdsim_acklog_result res;
    int64_t pos;

    write_acked(f, 9, 1);
    replicate(f);
    write_acked(f, 9, 2);
    write_acked(f, 9, 3);
    assert_int_equal(rdsim_acklog_check(f->log, f->replica, true, &res, NULL), 0);
    assert_int_equal(res.lost, 2);
    /* The replica is promoted: new writes continue from its positions. */
    assert_int_equal(rdsim_db_write(f->replica, 9, 4, 4, &pos, NULL), 0);
    assert_int_equal(pos, 2);
    rdsim_acklog_ack(f->log, 9, pos);
    assert_int_equal(rdsim_acklog_check(f->log, f->replica, false, &res, NULL), 0);
    assert_int_equal(res.lost, 0);
}

static void test_acklog_beyond_the_window_is_an_upper_bound(void **state)
{
    struct fixture *f = *state;
    struct rdsim_acklog_result res;

    for (uint64_t op = 1; op <= 100; op++)
        write_acked(f, 0, op);
    assert_int_equal(rdsim_acklog_check(f->log, f->replica, false, &res, NULL), 0);
    assert_int_equal(res.lost, 100);
    assert_true(res.bounded);
}

static void test_acklog_ignores_keys_outside_the_table(void **state)
{
    struct fixture *f = *state;

    rdsim_acklog_ack(f->log, -1, 1);
    rdsim_acklog_ack(f->log, 100, 1);
    rdsim_acklog_ack(f->log, 3, 0); /* a write that was not applied */
    assert_int_equal(rdsim_acklog_acked(f->log), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_acklog_writer_lacks_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acklog_counts_writes_a_lagging_replica_lacks,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_acklog_unacknowledged_commits_are_not_lost_writes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_acklog_rebase_forgets_what_the_new_writer_lacks,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_acklog_beyond_the_window_is_an_upper_bound, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_acklog_ignores_keys_outside_the_table, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
