/*
 * test_run_step.c - the steppable run (rdsim_run_create / advance / inject /
 * finish) that live mode drives: stepping changes nothing, an injected
 * event acts at the time it is given and a scenario carrying it at that
 * time replays the run exactly, and the errors each call can return.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rdsim/cluster.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

/* A Multi-AZ instance with a replica; 4 minutes, no scheduled fault. */
static const char quiet[] =
    "name: quiet\n"
    "seed: 3\n"
    "duration: 4m\n"
    "cluster:\n"
    "  deployment: multi-az-instance\n"
    "  instances:\n"
    "    - {name: primary, role: writer, az: us-east-1a}\n"
    "    - {name: standby, role: standby, az: us-east-1b}\n"
    "    - {name: r1, role: replica, az: us-east-1c}\n"
    "workload: {rows: 500, reads: 200/s, writes: 50/s}\n";

static struct rdsim_scenario *load(const char *yaml)
{
    struct rdsim_scenario *sc = NULL;
    struct rdsim_err err = {0};

    if (rdsim_scenario_load_buffer("test.yaml", yaml, strlen(yaml), &sc, &err) != 0)
        fail_msg("scenario did not load: %s", err.msg);
    return sc;
}

static struct rdsim_run *create(const struct rdsim_scenario *sc, const char *dir)
{
    struct rdsim_run_options opt = {.out_dir = dir};
    struct rdsim_run *r = NULL;
    struct rdsim_err err = {0};

    if (rdsim_run_create(sc, &opt, &r, &err) != 0)
        fail_msg("create failed: %s", err.msg);
    return r;
}

static void event_of(const struct rdsim_scenario *sc, const char *json, struct rdsim_event_cfg *ev)
{
    struct rdsim_err err = {0};

    memset(ev, 0, sizeof(*ev));
    if (rdsim_scenario_parse_event(sc, "test", json, strlen(json), ev, &err) != 0)
        fail_msg("event did not parse: %s", err.msg);
}

static char *slurp(const char *dir, const char *name)
{
    char path[512];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

static void assert_same_files(const char *a, const char *b)
{
    static const char *const names[] = {"timeseries.csv", "events.csv"};

    for (size_t k = 0; k < 2; k++) {
        char *x = slurp(a, names[k]), *y = slurp(b, names[k]);
        if (strcmp(x, y) != 0)
            fail_msg("%s differs between %s and %s", names[k], a, b);
        free(x);
        free(y);
    }
}

static void assert_same_results(const struct rdsim_results *a, const struct rdsim_results *b)
{
    assert_int_equal(a->events_run, b->events_run);
    assert_int_equal(a->ops_issued, b->ops_issued);
    assert_int_equal(a->acked_writes, b->acked_writes);
    assert_int_equal(a->lost_writes, b->lost_writes);
    assert_int_equal(a->n_failovers, b->n_failovers);
    for (size_t k = 0; k < a->n_failovers; k++) {
        assert_int_equal(a->failovers[k].fo.at, b->failovers[k].fo.at);
        assert_int_equal(a->failovers[k].fo.detected, b->failovers[k].fo.detected);
        assert_int_equal(a->failovers[k].fo.promoted, b->failovers[k].fo.promoted);
        assert_int_equal(a->failovers[k].fo.dns_updated, b->failovers[k].fo.dns_updated);
        assert_string_equal(a->failovers[k].fo.to, b->failovers[k].fo.to);
    }
    assert_string_equal(a->final_writer, b->final_writer);
}

static void test_run_stepped_in_odd_steps_equals_one_go(void **state)
{
    struct rdsim_scenario *sc = load(quiet);
    char d1[] = "/tmp/rdsim-step-XXXXXX", d2[] = "/tmp/rdsim-step-XXXXXX";
    struct rdsim_run_options opt = {.out_dir = d1};
    struct rdsim_results *one = NULL, *stepped = NULL;
    struct rdsim_err err = {0};
    struct rdsim_run *r;
    (void)state;

    assert_non_null(mkdtemp(d1));
    assert_non_null(mkdtemp(d2));
    assert_int_equal(rdsim_run(sc, &opt, &one, &err), 0);

    r = create(sc, d2);
    for (rdsim_time_t t = 0; t < sc->duration; t += 1234567891) {
        assert_int_equal(rdsim_run_advance(r, t, &err), 0);
        assert_int_equal(rdsim_run_now(r), t);
    }
    /* Going back is a no-op. */
    assert_int_equal(rdsim_run_advance(r, RDSIM_S, &err), 0);
    assert_false(rdsim_run_is_finished(r));
    assert_int_equal(rdsim_run_finish(r, &stepped, &err), 0);
    assert_true(rdsim_run_is_finished(r));
    assert_same_results(one, stepped);
    assert_same_files(d1, d2);
    rdsim_results_free(one);
    rdsim_results_free(stepped);
    rdsim_run_destroy(r);
    rdsim_scenario_free(sc);
}

static void test_run_inject_az_outage_fails_over_at_the_given_time(void **state)
{
    struct rdsim_scenario *sc = load(quiet);
    struct rdsim_event_cfg ev;
    struct rdsim_results *res = NULL;
    struct rdsim_err err = {0};
    struct rdsim_run *r = create(sc, NULL);
    const struct rdsim_failover *fo;
    rdsim_time_t at = -1;
    (void)state;

    assert_int_equal(rdsim_run_advance(r, 60 * RDSIM_S + 123456, &err), 0);
    event_of(sc, "{\"action\": \"az-outage\", \"az\": \"us-east-1a\", \"for\": \"2m\"}", &ev);
    assert_int_equal(rdsim_run_inject(r, &ev, &at, &err), 0);
    /* The next whole millisecond after now, or a later one. */
    assert_true(at > 60 * RDSIM_S + 123456);
    assert_int_equal(at % RDSIM_MS, 0);
    assert_true(at < 61 * RDSIM_S);
    assert_int_equal(rdsim_run_now(r), at);
    assert_int_equal(rdsim_run_injected_count(r), 1);
    assert_int_equal(rdsim_run_injected(r, 0)->at, at);
    assert_int_equal(rdsim_run_injected(r, 0)->action, RDSIM_ACT_AZ_OUTAGE);
    assert_null(rdsim_run_injected(r, 1));
    /* The copy is the run's: the caller's event may go. */
    rdsim_event_clear(&ev);
    assert_false(rdsim_cluster_az_is_up(rdsim_run_cluster(r), "us-east-1a"));

    assert_int_equal(rdsim_run_finish(r, &res, &err), 0);
    assert_int_equal(res->n_failovers, 1);
    fo = &res->failovers[0].fo;
    assert_int_equal(fo->at, at);
    assert_string_equal(fo->from, "primary");
    assert_string_equal(fo->to, "standby");
    assert_true(fo->dns_updated > fo->promoted && fo->promoted > at);
    assert_string_equal(res->final_writer, "standby");
    rdsim_results_free(res);
    rdsim_run_destroy(r);
    rdsim_scenario_free(sc);
}

/* The scenario text with the injected events appended at their times. */
static char *with_events(const char *base, const struct rdsim_run *r)
{
    size_t cap = strlen(base) + 4096, n;
    char *s = malloc(cap), at[64];

    assert_non_null(s);
    n = (size_t)snprintf(s, cap, "%sevents:\n", base);
    for (size_t k = 0; k < rdsim_run_injected_count(r); k++) {
        const struct rdsim_event_cfg *ev = rdsim_run_injected(r, k);
        rdsim_format_duration(ev->at, at, sizeof(at));
        if (ev->action == RDSIM_ACT_LOAD)
            n += (size_t)snprintf(s + n, cap - n, "  - {at: %s, action: load, writes: 200/s}\n",
                                  at);
        else if (ev->action == RDSIM_ACT_REPLICA_LAG)
            n += (size_t)snprintf(s + n, cap - n,
                                  "  - {at: %s, action: replica-lag, target: r1, delay: 5s, "
                                  "for: 30s}\n",
                                  at);
        else
            n += (size_t)snprintf(s + n, cap - n,
                                  "  - {at: %s, action: az-outage, az: us-east-1a}\n", at);
    }
    return s;
}

static void test_run_replaying_injected_events_gives_the_same_run(void **state)
{
    struct rdsim_scenario *sc = load(quiet), *replay;
    char d1[] = "/tmp/rdsim-step-XXXXXX", d2[] = "/tmp/rdsim-step-XXXXXX";
    struct rdsim_run_options opt = {.out_dir = d2};
    struct rdsim_results *live = NULL, *again = NULL;
    struct rdsim_event_cfg ev;
    struct rdsim_err err = {0};
    struct rdsim_run *r;
    char *text;
    (void)state;

    assert_non_null(mkdtemp(d1));
    assert_non_null(mkdtemp(d2));
    r = create(sc, d1);
    assert_int_equal(rdsim_run_advance(r, 20 * RDSIM_S + 7, &err), 0);
    event_of(sc, "{action: replica-lag, target: r1, delay: 5s, for: 30s}", &ev);
    assert_int_equal(rdsim_run_inject(r, &ev, NULL, &err), 0);
    rdsim_event_clear(&ev);
    /* Two injections in a row get two distinct times. */
    event_of(sc, "{action: load, writes: 200/s}", &ev);
    assert_int_equal(rdsim_run_inject(r, &ev, NULL, &err), 0);
    rdsim_event_clear(&ev);
    assert_true(rdsim_run_injected(r, 1)->at > rdsim_run_injected(r, 0)->at);
    assert_int_equal(rdsim_run_advance(r, 95 * RDSIM_S + 999, &err), 0);
    event_of(sc, "{action: az-outage, az: us-east-1a}", &ev);
    assert_int_equal(rdsim_run_inject(r, &ev, NULL, &err), 0);
    rdsim_event_clear(&ev);
    assert_int_equal(rdsim_run_finish(r, &live, &err), 0);
    assert_int_equal(live->n_failovers, 1);

    text = with_events(quiet, r);
    replay = load(text);
    assert_int_equal(replay->n_events, 3);
    assert_int_equal(rdsim_run(replay, &opt, &again, &err), 0);
    assert_same_results(live, again);
    assert_same_files(d1, d2);

    free(text);
    rdsim_results_free(live);
    rdsim_results_free(again);
    rdsim_run_destroy(r);
    rdsim_scenario_free(replay);
    rdsim_scenario_free(sc);
}

static void test_run_inject_too_late_or_after_the_end_is_einval(void **state)
{
    struct rdsim_scenario *sc = load(quiet);
    struct rdsim_event_cfg ev;
    struct rdsim_results *res = NULL, *again = (void *)1;
    struct rdsim_err err = {0};
    struct rdsim_run *r = create(sc, NULL);
    (void)state;

    event_of(sc, "{action: az-outage, az: us-east-1b}", &ev);
    /* Within the last millisecond nothing fits any more. */
    assert_int_equal(rdsim_run_advance(r, sc->duration - RDSIM_MS + 1, &err), 0);
    assert_int_equal(rdsim_run_inject(r, &ev, NULL, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "too late"));
    assert_int_equal(rdsim_run_injected_count(r), 0);

    assert_int_equal(rdsim_run_finish(r, &res, &err), 0);
    assert_int_equal(rdsim_run_inject(r, &ev, NULL, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "finished"));
    assert_int_equal(rdsim_run_advance(r, sc->duration, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "finished"));
    assert_int_equal(rdsim_run_finish(r, &again, &err), RDSIM_EINVAL);
    assert_null(again);
    rdsim_results_free(res);
    rdsim_event_clear(&ev);
    rdsim_run_destroy(r);
    rdsim_scenario_free(sc);
}

static void test_run_columns_match_the_time_series_header(void **state)
{
    struct rdsim_scenario *sc = load(quiet);
    char d[] = "/tmp/rdsim-step-XXXXXX";
    struct rdsim_run *r;
    struct rdsim_results *res = NULL;
    struct rdsim_err err = {0};
    char *ts;
    (void)state;

    assert_non_null(mkdtemp(d));
    r = create(sc, d);
    assert_int_equal(rdsim_run_finish(r, &res, &err), 0);
    ts = slurp(d, "timeseries.csv");
    assert_int_equal(strncmp(ts, rdsim_run_columns(r), strlen(rdsim_run_columns(r))), 0);
    assert_int_equal(ts[strlen(rdsim_run_columns(r))], '\n');
    free(ts);
    rdsim_results_free(res);
    rdsim_run_destroy(r);
    rdsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_stepped_in_odd_steps_equals_one_go),
        cmocka_unit_test(test_run_inject_az_outage_fails_over_at_the_given_time),
        cmocka_unit_test(test_run_replaying_injected_events_gives_the_same_run),
        cmocka_unit_test(test_run_inject_too_late_or_after_the_end_is_einval),
        cmocka_unit_test(test_run_columns_match_the_time_series_header),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
