/*
 * test_sim.c - the event queue and clock: ordering, cancellation by handle,
 * scheduling from callbacks, run_until boundaries, stop, and independence of
 * two simulations in one process.
 *
 * Callbacks append (time, arg) to a log owned by the test, so each test
 * checks the exact order events ran in and the clock each one saw. The
 * engine's error helper (err.c) is tested here too: it has no test file of
 * its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/rng.h"
#include "rdsim/sim.h"

#define LOG_MAX 20000

/*
 * Allocation failure injection: the test executable is linked with
 * -Wl,--wrap=calloc,--wrap=realloc, so calls from the engine library (and
 * from this file) come here. fail_countdown > 0 lets that many more calls
 * succeed and fails the next one; 0 means never fail.
 */
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static int fail_countdown;

static bool should_fail(void)
{
    if (fail_countdown == 0)
        return false;
    return --fail_countdown == 0;
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

static unsigned long reallocs; /* calls, to prove a warmed-up queue does none */

void *__wrap_realloc(void *p, size_t size)
{
    reallocs++;
    return should_fail() ? NULL : __real_realloc(p, size);
}

struct log {
    size_t n;
    rdsim_time_t time[LOG_MAX];
    uint64_t arg[LOG_MAX];
};

static void record(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct log *log = ctx;

    assert_true(log->n < LOG_MAX);
    log->time[log->n] = rdsim_sim_now(sim);
    log->arg[log->n] = arg;
    log->n++;
}

static struct rdsim_sim *new_sim(void)
{
    struct rdsim_sim *sim = NULL;
    struct rdsim_err err = {0};

    assert_int_equal(rdsim_sim_create(&sim, &err), RDSIM_OK);
    assert_non_null(sim);
    return sim;
}

static struct log *new_log(void)
{
    struct log *log = calloc(1, sizeof(*log));

    assert_non_null(log);
    return log;
}

static void test_err_set_fills_code_and_message_and_returns_code(void **state)
{
    struct rdsim_err err = {0};

    assert_int_equal(rdsim_err_set(&err, RDSIM_EINVAL, "bad %s at line %d", "key", 7),
                     RDSIM_EINVAL);
    assert_int_equal(err.code, RDSIM_EINVAL);
    assert_string_equal(err.msg, "bad key at line 7");
    /* NULL err: only the code comes back. */
    assert_int_equal(rdsim_err_set(NULL, RDSIM_EIO, "ignored %d", 1), RDSIM_EIO);
}

static void test_err_set_truncates_long_messages(void **state)
{
    struct rdsim_err err = {0};
    char *big = malloc(3 * RDSIM_ERR_MSG_MAX);

    assert_non_null(big);
    memset(big, 'x', 3 * RDSIM_ERR_MSG_MAX - 1);
    big[3 * RDSIM_ERR_MSG_MAX - 1] = '\0';
    rdsim_err_set(&err, RDSIM_EDB, "%s", big);
    assert_int_equal(err.code, RDSIM_EDB);
    assert_int_equal(strlen(err.msg), RDSIM_ERR_MSG_MAX - 1);
    free(big);
}

static void test_err_clear_resets_code_and_message(void **state)
{
    struct rdsim_err err = {0};

    rdsim_err_set(&err, RDSIM_EINTERNAL, "boom");
    rdsim_err_clear(&err);
    assert_int_equal(err.code, RDSIM_OK);
    assert_string_equal(err.msg, "");
    rdsim_err_clear(NULL);
}

static void test_sim_starts_empty_at_time_zero(void **state)
{
    struct rdsim_sim *sim = new_sim();

    assert_int_equal(rdsim_sim_now(sim), 0);
    assert_int_equal(rdsim_sim_pending(sim), 0);
    assert_int_equal(rdsim_sim_events_run(sim), 0);
    assert_int_equal(rdsim_sim_run_until(sim, 5 * RDSIM_S), 0);
    assert_int_equal(rdsim_sim_now(sim), 5 * RDSIM_S);
    rdsim_sim_destroy(sim);
}

static void test_sim_destroy_null_does_nothing(void **state)
{
    rdsim_sim_destroy(NULL);
}

static void test_sim_destroy_frees_pending_events(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    /* Enough to force several doublings; ASan reports any leak. */
    for (uint64_t i = 0; i < 1000; i++)
        assert_int_not_equal(rdsim_sim_schedule(sim, (rdsim_time_t)i, record, log, i), 0);
    assert_int_equal(rdsim_sim_pending(sim), 1000);
    rdsim_sim_destroy(sim);
    assert_int_equal(log->n, 0);
    free(log);
}

static void test_sim_create_out_of_memory_reports_enomem(void **state)
{
    struct rdsim_sim *sim = (struct rdsim_sim *)&sim; /* must be reset */
    struct rdsim_err err = {0};

    fail_countdown = 1;
    assert_int_equal(rdsim_sim_create(&sim, &err), RDSIM_ENOMEM);
    fail_countdown = 0;
    assert_null(sim);
    assert_int_equal(err.code, RDSIM_ENOMEM);
    assert_non_null(strstr(err.msg, "out of memory"));
    /* err may be NULL. */
    fail_countdown = 1;
    assert_int_equal(rdsim_sim_create(&sim, NULL), RDSIM_ENOMEM);
    fail_countdown = 0;
}

static void
test_schedule_returns_zero_when_growth_fails_and_sim_stays_usable(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();
    uint64_t i;

    /* The first schedule allocates the slot array, then the bucket the
     * event goes to: fail the first, then the second (the slot array grows
     * but the bucket does not). */
    fail_countdown = 1;
    assert_int_equal(rdsim_sim_schedule(sim, 1, record, log, 0), 0);
    fail_countdown = 2;
    assert_int_equal(rdsim_sim_schedule(sim, 1, record, log, 0), 0);
    fail_countdown = 0;
    assert_int_equal(rdsim_sim_pending(sim), 0);

    /* Fill the first block of slots, then fail the doubling. */
    for (i = 0; i < 64; i++)
        assert_int_not_equal(
            rdsim_sim_schedule(sim, (rdsim_time_t)(100 - i), record, log, i), 0);
    fail_countdown = 2;
    assert_int_equal(rdsim_sim_schedule(sim, 5, record, log, 999), 0);
    fail_countdown = 0;
    assert_int_equal(rdsim_sim_pending(sim), 64);
    for (; i < 200; i++)
        assert_int_not_equal(
            rdsim_sim_schedule(sim, (rdsim_time_t)(100 - i), record, log, i), 0);
    assert_int_equal(rdsim_sim_run_until(sim, 1000), 200);
    for (size_t k = 1; k < log->n; k++)
        assert_true(log->time[k - 1] <= log->time[k]);
    for (size_t k = 0; k < log->n; k++)
        assert_int_not_equal(log->arg[k], 999);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_queue_equal_times_run_in_insertion_order(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    /* Interleave with other times so the heap is really reshuffled. */
    for (uint64_t i = 0; i < 200; i++) {
        rdsim_sim_schedule(sim, 100, record, log, i);
        rdsim_sim_schedule(sim, (rdsim_time_t)(1000 - i), record, log, 1000 + i);
    }
    rdsim_sim_run_until(sim, 100);
    assert_int_equal(log->n, 200);
    for (uint64_t i = 0; i < 200; i++) {
        assert_int_equal(log->time[i], 100);
        assert_int_equal(log->arg[i], i);
    }
    rdsim_sim_destroy(sim);
    free(log);
}

struct keyed {
    rdsim_time_t time;
    uint64_t arg;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;

    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    /* arg is the insertion index: ties keep insertion order. */
    return x->arg < y->arg ? -1 : x->arg > y->arg;
}

static void test_queue_random_insertions_run_in_time_then_insertion_order(void **state)
{
    enum { N = 10000 };
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();
    struct keyed *want = calloc(N, sizeof(*want));
    struct rdsim_rng rng;

    assert_non_null(want);
    rdsim_rng_init(&rng, 42, "test_sim");
    for (uint64_t i = 0; i < N; i++) {
        /* A small range makes many ties. */
        want[i].time = rdsim_rng_range(&rng, 0, 2000);
        want[i].arg = i;
        assert_int_not_equal(rdsim_sim_schedule(sim, want[i].time, record, log, i), 0);
    }
    qsort(want, N, sizeof(*want), cmp_keyed);
    assert_int_equal(rdsim_sim_run_until(sim, 2000), N);
    assert_int_equal(log->n, N);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(log->time[i], want[i].time);
        assert_int_equal(log->arg[i], want[i].arg);
    }
    assert_int_equal(rdsim_sim_pending(sim), 0);
    assert_int_equal(rdsim_sim_events_run(sim), N);
    free(want);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_cancel_removes_exactly_that_event(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();
    rdsim_event_id ids[100];

    for (uint64_t i = 0; i < 100; i++)
        ids[i] = rdsim_sim_schedule(sim, (rdsim_time_t)(i % 7), record, log, i);
    /* Cancel from the top, the bottom and the middle of the heap. */
    assert_true(rdsim_sim_cancel(sim, ids[0]));
    assert_true(rdsim_sim_cancel(sim, ids[99]));
    assert_true(rdsim_sim_cancel(sim, ids[50]));
    assert_true(rdsim_sim_cancel(sim, ids[13]));
    assert_int_equal(rdsim_sim_pending(sim), 96);
    rdsim_sim_run_until(sim, 10);
    assert_int_equal(log->n, 96);
    for (size_t i = 0; i < log->n; i++) {
        assert_int_not_equal(log->arg[i], 0);
        assert_int_not_equal(log->arg[i], 99);
        assert_int_not_equal(log->arg[i], 50);
        assert_int_not_equal(log->arg[i], 13);
        if (i > 0)
            assert_true(log->time[i - 1] <= log->time[i]);
    }
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_cancel_many_random_keeps_order(void **state)
{
    enum { N = 5000 };
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();
    rdsim_event_id *ids = calloc(N, sizeof(*ids));
    bool *cancelled = calloc(N, sizeof(*cancelled));
    struct rdsim_rng rng;
    size_t expect = 0;

    assert_non_null(ids);
    assert_non_null(cancelled);
    rdsim_rng_init(&rng, 7, "cancel");
    for (uint64_t i = 0; i < N; i++)
        ids[i] =
            rdsim_sim_schedule(sim, rdsim_rng_range(&rng, 0, 100000), record, log, i);
    for (uint64_t i = 0; i < N; i++) {
        if (rdsim_rng_below(&rng, 3) == 0) {
            assert_true(rdsim_sim_cancel(sim, ids[i]));
            cancelled[i] = true;
        } else {
            expect++;
        }
    }
    assert_int_equal(rdsim_sim_pending(sim), expect);
    rdsim_sim_run_until(sim, 100000);
    assert_int_equal(log->n, expect);
    for (size_t i = 0; i < log->n; i++) {
        assert_false(cancelled[log->arg[i]]);
        if (i > 0)
            assert_true(log->time[i - 1] <= log->time[i]);
    }
    free(cancelled);
    free(ids);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_cancel_of_run_or_cancelled_or_zero_handle_returns_false(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();
    rdsim_event_id ran = rdsim_sim_schedule(sim, 10, record, log, 1);
    rdsim_event_id gone = rdsim_sim_schedule(sim, 20, record, log, 2);

    assert_true(rdsim_sim_cancel(sim, gone));
    assert_false(rdsim_sim_cancel(sim, gone));
    rdsim_sim_run_until(sim, 100);
    assert_int_equal(log->n, 1);
    assert_false(rdsim_sim_cancel(sim, ran));
    assert_false(rdsim_sim_cancel(sim, 0));
    /* A handle for a slot that was never handed out. */
    assert_false(rdsim_sim_cancel(sim, ((uint64_t)0 << 32) | 1000));
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_cancel_stale_handle_after_slot_reuse_keeps_new_event(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();
    rdsim_event_id old = rdsim_sim_schedule(sim, 10, record, log, 1);
    rdsim_event_id fresh;

    assert_true(rdsim_sim_cancel(sim, old));
    fresh = rdsim_sim_schedule(sim, 10, record, log, 2);
    /* Same slot (the handle's low 24 bits), newer sequence number. */
    assert_int_equal(fresh & 0xffffff, old & 0xffffff);
    assert_int_not_equal(fresh, old);
    assert_false(rdsim_sim_cancel(sim, old));
    assert_int_equal(rdsim_sim_pending(sim), 1);

    /* The same after the event ran rather than being cancelled. */
    rdsim_sim_run_until(sim, 10);
    assert_int_equal(log->n, 1);
    assert_int_equal(log->arg[0], 2);
    old = fresh;
    fresh = rdsim_sim_schedule(sim, 20, record, log, 3);
    assert_int_equal(fresh & 0xffffff, old & 0xffffff);
    assert_false(rdsim_sim_cancel(sim, old));
    rdsim_sim_run_until(sim, 20);
    assert_int_equal(log->n, 2);
    assert_int_equal(log->arg[1], 3);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_event_scheduled_after_a_run_until_gap_runs_before_later_ones(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    /* run_until stops short of the event at 100: one scheduled meanwhile
     * for 60 must still come first (the queue must not have moved on). */
    assert_int_not_equal(rdsim_sim_schedule(sim, 100, record, log, 1), 0);
    assert_int_equal(rdsim_sim_run_until(sim, 50), 0);
    assert_int_equal(rdsim_sim_next_time(sim), 100);
    assert_int_not_equal(rdsim_sim_schedule(sim, 60, record, log, 2), 0);
    assert_int_equal(rdsim_sim_next_time(sim), 60);
    assert_int_equal(rdsim_sim_run_until(sim, 200), 2);
    assert_int_equal(log->arg[0], 2);
    assert_int_equal(log->time[0], 60);
    assert_int_equal(log->arg[1], 1);
    assert_int_equal(log->time[1], 100);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_next_time_skips_cancelled_events(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();
    rdsim_event_id first = rdsim_sim_schedule(sim, 10, record, log, 1);

    assert_int_not_equal(rdsim_sim_schedule(sim, 30, record, log, 2), 0);
    assert_int_equal(rdsim_sim_next_time(sim), 10);
    assert_true(rdsim_sim_cancel(sim, first));
    assert_int_equal(rdsim_sim_next_time(sim), 30);
    assert_int_equal(rdsim_sim_pending(sim), 1);
    /* A cancelled event does not move the clock. */
    assert_int_equal(rdsim_sim_run_until(sim, 20), 0);
    assert_int_equal(rdsim_sim_now(sim), 20);
    assert_int_equal(rdsim_sim_run_until(sim, 40), 1);
    assert_int_equal(log->arg[0], 2);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_many_cancellations_keep_the_queue_usable(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    /* A timeout per request, cancelled when the request completes: the
     * dead entries are swept, and the order of the live ones holds. */
    for (int i = 0; i < 100000; i++) {
        rdsim_event_id t = rdsim_sim_after(sim, 1000 + i, record, log, 7);

        assert_int_not_equal(t, 0);
        assert_true(rdsim_sim_cancel(sim, t));
    }
    assert_int_equal(rdsim_sim_pending(sim), 0);
    assert_int_not_equal(rdsim_sim_schedule(sim, 5, record, log, 1), 0);
    assert_int_not_equal(rdsim_sim_schedule(sim, 3, record, log, 2), 0);
    assert_int_equal(rdsim_sim_run_until(sim, RDSIM_S), 2);
    assert_int_equal(log->arg[0], 2);
    assert_int_equal(log->arg[1], 1);
    assert_false(rdsim_sim_failed(sim));
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_run_until_fails_for_good_when_the_queue_cannot_grow(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();
    int i;

    /* Events close together and far from now land in one high bucket;
     * taking the first moves the rest down into buckets that have no room
     * yet. */
    const rdsim_time_t far = (rdsim_time_t)1 << 40;

    rdsim_event_id id = 0;

    for (i = 0; i < 200; i++)
        assert_int_not_equal(id = rdsim_sim_schedule(sim, far + i, record, log, (uint64_t)i), 0);
    fail_countdown = 1;
    assert_int_equal(rdsim_sim_run_until(sim, 2 * far), 0);
    fail_countdown = 0;
    assert_true(rdsim_sim_failed(sim));
    assert_int_equal(rdsim_sim_error(sim)->code, RDSIM_ENOMEM);
    assert_int_equal(rdsim_sim_run_until(sim, 2 * far), 0);
    assert_int_equal(log->n, 0);
    /* The pending events were dropped; the queue still takes events
     * (before the time that failed too), which never run. */
    assert_int_equal(rdsim_sim_pending(sim), 0);
    assert_false(rdsim_sim_cancel(sim, id));
    assert_int_not_equal(rdsim_sim_schedule(sim, 5, record, log, 1000), 0);
    assert_int_not_equal(rdsim_sim_after(sim, far, record, log, 1001), 0);
    assert_int_equal(rdsim_sim_pending(sim), 2);
    assert_int_equal(rdsim_sim_next_time(sim), 5);
    assert_int_equal(rdsim_sim_run_until(sim, 2 * far), 0);
    assert_int_equal(log->n, 0);
    rdsim_sim_destroy(sim); /* frees what it holds, consistent or not */
    free(log);
}

static void fail_at_arg(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    record(sim, ctx, arg);
    if (arg == 2)
        rdsim_sim_failf(sim, RDSIM_EDB, "event %d failed", (int)arg);
}

static void test_fail_inside_an_event_keeps_the_first_error_and_ends_the_run(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    assert_false(rdsim_sim_failed(sim));
    assert_null(rdsim_sim_error(sim));
    for (uint64_t i = 1; i <= 4; i++)
        assert_int_not_equal(rdsim_sim_schedule(sim, (rdsim_time_t)(10 * i), fail_at_arg, log, i),
                             0);
    assert_int_equal(rdsim_sim_run_until(sim, 100), 2);
    assert_int_equal(rdsim_sim_now(sim), 20);
    assert_true(rdsim_sim_failed(sim));
    assert_int_equal(rdsim_sim_error(sim)->code, RDSIM_EDB);
    assert_string_equal(rdsim_sim_error(sim)->msg, "event 2 failed");
    /* For good: nothing more runs, the clock stays, a later failure is
     * dropped. */
    assert_int_equal(rdsim_sim_run_until(sim, 100), 0);
    assert_int_equal(rdsim_sim_now(sim), 20);
    assert_int_equal(rdsim_sim_failf(sim, RDSIM_EIO, "again"), RDSIM_EIO);
    assert_string_equal(rdsim_sim_error(sim)->msg, "event 2 failed");
    assert_int_equal(log->n, 2);
    rdsim_sim_destroy(sim);
    free(log);
}

/* A callback that schedules follow-ups: arg 0 -> same time, arg 1 -> +5. */
struct chain {
    struct log log;
    int spawned;
};

static void spawn(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct chain *c = ctx;

    record(sim, &c->log, arg);
    if (c->spawned++ > 0)
        return;
    rdsim_sim_schedule(sim, rdsim_sim_now(sim), record, &c->log, 100);
    rdsim_sim_after(sim, 5, record, &c->log, 101);
}

static void test_schedule_from_callback_same_time_runs_after_queued_ties(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct chain *c = calloc(1, sizeof(*c));

    assert_non_null(c);
    rdsim_sim_schedule(sim, 10, spawn, c, 1);
    rdsim_sim_schedule(sim, 10, record, &c->log, 2);
    rdsim_sim_schedule(sim, 12, record, &c->log, 3);
    assert_int_equal(rdsim_sim_run_until(sim, 100), 5);
    assert_int_equal(c->log.n, 5);
    /* 1 at 10, then the already-queued tie 2, then the new same-time 100. */
    assert_int_equal(c->log.arg[0], 1);
    assert_int_equal(c->log.arg[1], 2);
    assert_int_equal(c->log.arg[2], 100);
    assert_int_equal(c->log.time[2], 10);
    assert_int_equal(c->log.arg[3], 3);
    assert_int_equal(c->log.arg[4], 101);
    assert_int_equal(c->log.time[4], 15);
    rdsim_sim_destroy(sim);
    free(c);
}

struct self_cancel {
    rdsim_event_id id;
    bool result;
};

static void cancel_self(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct self_cancel *c = ctx;

    c->result = rdsim_sim_cancel(sim, c->id);
}

static void test_cancel_own_handle_from_callback_returns_false(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct self_cancel c = {.result = true};

    c.id = rdsim_sim_schedule(sim, 5, cancel_self, &c, 0);
    assert_int_equal(rdsim_sim_run_until(sim, 5), 1);
    assert_false(c.result);
    rdsim_sim_destroy(sim);
}

static void test_run_until_stops_at_boundary_and_sets_clock(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    rdsim_sim_schedule(sim, 10, record, log, 1);
    rdsim_sim_schedule(sim, 20, record, log, 2);
    rdsim_sim_schedule(sim, 21, record, log, 3);
    assert_int_equal(rdsim_sim_run_until(sim, 20), 2);
    assert_int_equal(rdsim_sim_now(sim), 20);
    assert_int_equal(rdsim_sim_pending(sim), 1);
    assert_int_equal(log->time[0], 10);
    assert_int_equal(log->time[1], 20);
    assert_int_equal(rdsim_sim_run_until(sim, 20), 0);
    /* until in the past never moves the clock backwards. */
    assert_int_equal(rdsim_sim_run_until(sim, 3), 0);
    assert_int_equal(rdsim_sim_now(sim), 20);
    assert_int_equal(rdsim_sim_run_until(sim, 1000), 1);
    assert_int_equal(log->time[2], 21);
    assert_int_equal(rdsim_sim_now(sim), 1000);
    assert_int_equal(rdsim_sim_events_run(sim), 3);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_schedule_in_the_past_clamps_to_now(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    rdsim_sim_run_until(sim, 500);
    rdsim_sim_schedule(sim, 100, record, log, 1);
    rdsim_sim_after(sim, -50, record, log, 2);
    rdsim_sim_schedule(sim, INT64_MIN, record, log, 3);
    assert_int_equal(rdsim_sim_run_until(sim, 500), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(log->time[i], 500);
        assert_int_equal(log->arg[i], i + 1);
    }
    assert_int_equal(rdsim_sim_now(sim), 500);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_after_saturates_instead_of_overflowing(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    rdsim_sim_run_until(sim, 1000);
    rdsim_sim_after(sim, RDSIM_TIME_MAX, record, log, 1);
    rdsim_sim_after(sim, 7, record, log, 2);
    assert_int_equal(rdsim_sim_run_until(sim, RDSIM_TIME_MAX - 1), 1);
    assert_int_equal(log->time[0], 1007);
    assert_int_equal(rdsim_sim_run_until(sim, RDSIM_TIME_MAX), 1);
    assert_int_equal(log->time[1], RDSIM_TIME_MAX);
    rdsim_sim_destroy(sim);
    free(log);
}

static void stop_at_arg(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    record(sim, ctx, arg);
    if (arg == 2)
        rdsim_sim_stop(sim);
}

static void test_stop_returns_after_current_event_and_keeps_clock(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct log *log = new_log();

    for (uint64_t i = 1; i <= 4; i++)
        rdsim_sim_schedule(sim, (rdsim_time_t)(10 * i), stop_at_arg, log, i);
    assert_int_equal(rdsim_sim_run_until(sim, 100), 2);
    assert_int_equal(rdsim_sim_now(sim), 20);
    assert_int_equal(rdsim_sim_pending(sim), 2);
    /* The stop request does not outlive the run it stopped. */
    assert_int_equal(rdsim_sim_run_until(sim, 100), 2);
    assert_int_equal(rdsim_sim_now(sim), 100);
    assert_int_equal(log->n, 4);

    /* A stop before run_until has no effect on the next run. */
    rdsim_sim_schedule(sim, 150, record, log, 5);
    rdsim_sim_stop(sim);
    assert_int_equal(rdsim_sim_run_until(sim, 200), 1);
    assert_int_equal(rdsim_sim_now(sim), 200);
    rdsim_sim_destroy(sim);
    free(log);
}

static void test_two_simulations_keep_independent_clocks_and_queues(void **state)
{
    struct rdsim_sim *a = new_sim();
    struct rdsim_sim *b = new_sim();
    struct log *la = new_log();
    struct log *lb = new_log();
    rdsim_event_id ia, ib;

    ia = rdsim_sim_schedule(a, 10, record, la, 1);
    ib = rdsim_sim_schedule(b, 30, record, lb, 2);
    rdsim_sim_schedule(b, 40, record, lb, 3);
    /* Same slot and generation in both: a handle only means something to
     * its own simulation. */
    assert_int_equal(ia, ib);
    assert_int_equal(rdsim_sim_run_until(a, 35), 1);
    assert_int_equal(rdsim_sim_now(a), 35);
    assert_int_equal(rdsim_sim_now(b), 0);
    assert_int_equal(rdsim_sim_pending(b), 2);
    assert_true(rdsim_sim_cancel(b, ib));
    assert_int_equal(rdsim_sim_run_until(b, 100), 1);
    assert_int_equal(lb->n, 1);
    assert_int_equal(lb->arg[0], 3);
    assert_int_equal(la->n, 1);
    assert_int_equal(rdsim_sim_now(a), 35);
    assert_int_equal(rdsim_sim_now(b), 100);
    assert_int_equal(rdsim_sim_events_run(a), 1);
    assert_int_equal(rdsim_sim_events_run(b), 1);
    rdsim_sim_destroy(a);
    rdsim_sim_destroy(b);
    free(la);
    free(lb);
}

/* Steady state: one pending timer that reschedules itself, as a workload
 * generator does; the slot is recycled every time. */
static void tick(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    uint64_t *count = ctx;

    (*count)++;
    if (arg > 0)
        assert_int_not_equal(rdsim_sim_after(sim, 3, tick, ctx, arg - 1), 0);
}

static void test_self_rescheduling_event_counts(void **state)
{
    struct rdsim_sim *sim = new_sim();
    uint64_t count = 0;

    rdsim_sim_schedule(sim, 0, tick, &count, 99999);
    assert_int_equal(rdsim_sim_pending(sim), 1);
    assert_int_equal(rdsim_sim_run_until(sim, RDSIM_S), 100000);
    assert_int_equal(count, 100000);
    assert_int_equal(rdsim_sim_events_run(sim), 100000);
    assert_int_equal(rdsim_sim_pending(sim), 0);
    assert_int_equal(rdsim_sim_now(sim), RDSIM_S);
    rdsim_sim_destroy(sim);
}

/* Events scheduled from events, with delays from 0 ns to hours (so every
 * digit of the radix heap, time and key, is exercised), run in (time,
 * scheduling order). Each event's argument is its scheduling number. */
struct spread {
    struct rdsim_rng rng;
    uint64_t scheduled, ran, left;
    rdsim_time_t last_time;
    uint64_t last_arg;
};

static void spread_event(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct spread *s = ctx;
    const rdsim_time_t now = rdsim_sim_now(sim);

    assert_true(now >= s->last_time);
    if (s->ran > 0 && now == s->last_time)
        assert_true(arg > s->last_arg);
    s->last_time = now;
    s->last_arg = arg;
    s->ran++;
    for (uint64_t k = rdsim_rng_below(&s->rng, 3); k > 0 && s->left > 0; k--, s->left--) {
        /* log-uniform: a random bit length, then random bits below it */
        const unsigned bits = (unsigned)rdsim_rng_below(&s->rng, 45);
        const rdsim_time_t delay =
            bits ? (rdsim_time_t)rdsim_rng_below(&s->rng, UINT64_C(1) << bits) : 0;

        assert_int_not_equal(rdsim_sim_after(sim, delay, spread_event, s, s->scheduled++), 0);
    }
}

static void test_events_from_events_over_every_scale_run_in_order(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct spread s = {.left = 200000};

    rdsim_rng_init(&s.rng, 5, "spread");
    for (int i = 0; i < 1000; i++, s.left--)
        assert_int_not_equal(
            rdsim_sim_schedule(sim, (rdsim_time_t)rdsim_rng_below(&s.rng, RDSIM_S), spread_event,
                               &s, s.scheduled++),
            0);
    rdsim_sim_run_until(sim, RDSIM_TIME_MAX);
    assert_int_equal(s.ran, s.scheduled);
    assert_int_equal(s.left, 0);
    assert_int_equal(rdsim_sim_pending(sim), 0);
    rdsim_sim_destroy(sim);
}

/* Ties that reach the instant from a bucket, cancelled from inside it until
 * the dead entries are swept, and joined by new events at that instant:
 * the survivors still run in scheduling order, the new ones after them. */
enum { TIES = 3000 };

struct ties {
    struct log log;
    rdsim_event_id id[TIES];
};

static void tie_event(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct ties *t = ctx;

    record(sim, &t->log, arg);
    if (arg != 0)
        return;
    /* Cancel every tie but each tenth: 2,700 dead entries against 599
     * live ones, enough for a sweep. */
    for (uint64_t i = 1; i < TIES; i++)
        if (i % 10 != 0)
            assert_true(rdsim_sim_cancel(sim, t->id[i]));
    assert_int_equal(rdsim_sim_pending(sim), TIES / 10 - 1 + TIES / 10);
    assert_int_equal(rdsim_sim_next_time(sim), 10 * RDSIM_MS);
    for (uint64_t i = 0; i < 3; i++)
        assert_int_not_equal(rdsim_sim_after(sim, 0, record, &t->log, TIES + i), 0);
}

static void test_cancelled_ties_are_swept_and_the_rest_keep_their_order(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct ties *t = calloc(1, sizeof(*t));
    size_t k = 0;

    assert_non_null(t);
    /* Interleaved with later events, so the ties share buckets with them. */
    for (uint64_t i = 0; i < TIES; i++) {
        t->id[i] = rdsim_sim_schedule(sim, 10 * RDSIM_MS, tie_event, t, i);
        assert_int_not_equal(t->id[i], 0);
        if (i % 10 == 0)
            assert_int_not_equal(rdsim_sim_schedule(sim, 10 * RDSIM_MS + 1 + (rdsim_time_t)i,
                                                    record, &t->log, 10 * TIES + i),
                                 0);
    }
    assert_int_equal(rdsim_sim_run_until(sim, 10 * RDSIM_MS), TIES / 10 + 3);
    for (uint64_t i = 0; i < TIES; i += 10)
        assert_int_equal(t->log.arg[k++], i);
    for (uint64_t i = 0; i < 3; i++)
        assert_int_equal(t->log.arg[k++], TIES + i);
    assert_int_equal(k, t->log.n);
    assert_int_equal(rdsim_sim_pending(sim), TIES / 10);
    assert_int_equal(rdsim_sim_next_time(sim), 10 * RDSIM_MS + 1);
    assert_int_equal(rdsim_sim_run_until(sim, RDSIM_S), TIES / 10);
    for (uint64_t i = 0; i < TIES; i += 10)
        assert_int_equal(t->log.arg[k++], 10 * TIES + i);
    rdsim_sim_destroy(sim);
    free(t);
}

/* Two zero-delay chains at one instant: the instant reuses the room of the
 * events it has run, so a million hops allocate nothing once warmed up. */
struct hops {
    uint64_t n;
    unsigned long reallocs_warm;
};

static void hop(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct hops *h = ctx;

    if (++h->n == 1000)
        h->reallocs_warm = reallocs;
    if (h->n < 1000000)
        assert_int_not_equal(rdsim_sim_after(sim, 0, hop, h, arg), 0);
}

static void test_zero_delay_chains_do_not_grow_the_instant(void **state)
{
    struct rdsim_sim *sim = new_sim();
    struct hops h = {0};

    assert_int_not_equal(rdsim_sim_schedule(sim, 7, hop, &h, 0), 0);
    assert_int_not_equal(rdsim_sim_schedule(sim, 7, hop, &h, 1), 0);
    assert_int_equal(rdsim_sim_run_until(sim, 7), 1000001);
    assert_int_equal(rdsim_sim_now(sim), 7);
    assert_int_equal(reallocs, h.reallocs_warm);
    rdsim_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_set_fills_code_and_message_and_returns_code),
        cmocka_unit_test(test_err_set_truncates_long_messages),
        cmocka_unit_test(test_err_clear_resets_code_and_message),
        cmocka_unit_test(test_sim_starts_empty_at_time_zero),
        cmocka_unit_test(test_sim_destroy_null_does_nothing),
        cmocka_unit_test(test_sim_destroy_frees_pending_events),
        cmocka_unit_test(test_sim_create_out_of_memory_reports_enomem),
        cmocka_unit_test(
            test_schedule_returns_zero_when_growth_fails_and_sim_stays_usable),
        cmocka_unit_test(test_queue_equal_times_run_in_insertion_order),
        cmocka_unit_test(test_queue_random_insertions_run_in_time_then_insertion_order),
        cmocka_unit_test(test_cancel_removes_exactly_that_event),
        cmocka_unit_test(test_cancel_many_random_keeps_order),
        cmocka_unit_test(test_cancel_of_run_or_cancelled_or_zero_handle_returns_false),
        cmocka_unit_test(test_cancel_stale_handle_after_slot_reuse_keeps_new_event),
        cmocka_unit_test(test_event_scheduled_after_a_run_until_gap_runs_before_later_ones),
        cmocka_unit_test(test_next_time_skips_cancelled_events),
        cmocka_unit_test(test_many_cancellations_keep_the_queue_usable),
        cmocka_unit_test(test_run_until_fails_for_good_when_the_queue_cannot_grow),
        cmocka_unit_test(test_fail_inside_an_event_keeps_the_first_error_and_ends_the_run),
        cmocka_unit_test(test_schedule_from_callback_same_time_runs_after_queued_ties),
        cmocka_unit_test(test_cancel_own_handle_from_callback_returns_false),
        cmocka_unit_test(test_run_until_stops_at_boundary_and_sets_clock),
        cmocka_unit_test(test_schedule_in_the_past_clamps_to_now),
        cmocka_unit_test(test_after_saturates_instead_of_overflowing),
        cmocka_unit_test(test_stop_returns_after_current_event_and_keeps_clock),
        cmocka_unit_test(test_two_simulations_keep_independent_clocks_and_queues),
        cmocka_unit_test(test_self_rescheduling_event_counts),
        cmocka_unit_test(test_events_from_events_over_every_scale_run_in_order),
        cmocka_unit_test(test_cancelled_ties_are_swept_and_the_rest_keep_their_order),
        cmocka_unit_test(test_zero_delay_chains_do_not_grow_the_instant),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
