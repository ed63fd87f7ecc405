/*
 * test_expect.c - the scenario's expectations evaluated against real runs
 * of small scenarios (src/run/expect.c), and every figure of
 * rdsim/figures.h equal to the number summary.json prints at its path.
 *
 * Scenarios: a Multi-AZ instance whose writer reboots with failover (one
 * failover to the standby, recovered), and a Single-AZ instance whose AZ
 * goes dark for good (an outage that never recovers, no failover). A
 * restore's bounds (expect.restores) against restores[] of a short run.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rdsim/expect.h"
#include "rdsim/figures.h"
#include "rdsim/report.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

#define MAZ                                                                              \
    "name: maz\n"                                                                        \
    "duration: 3m\n"                                                                     \
    "cluster:\n"                                                                         \
    "  deployment: multi-az-instance\n"                                                  \
    "  instances:\n"                                                                     \
    "    - {name: primary, role: writer, az: us-east-1a}\n"                              \
    "    - {name: standby, role: standby, az: us-east-1b}\n"                             \
    "    - {name: r1, role: replica, az: us-east-1c}\n"                                  \
    "workload: {rows: 200, reads: 50/s, writes: 20/s}\n"                                 \
    "events:\n"                                                                          \
    "  - {at: 20s, action: reboot, target: primary, failover: true}\n"

#define DARK                                                                             \
    "name: dark\n"                                                                       \
    "duration: 3m\n"                                                                     \
    "cluster:\n"                                                                         \
    "  deployment: single-az\n"                                                          \
    "  instances: [{name: db, role: writer, az: us-east-1b}]\n"                          \
    "workload: {rows: 100, reads: 50/s, writes: 50/s, read_from: writer}\n"              \
    "events:\n"                                                                          \
    "  - {at: 1m, action: az-outage, az: us-east-1b}\n"

static struct rdsim_results *run_yaml(const char *yaml, struct rdsim_scenario **sc)
{
    struct rdsim_run_options opt = {0};
    struct rdsim_results *res = NULL;
    struct rdsim_err err = {0};

    if (rdsim_scenario_load_buffer("test.yaml", yaml, strlen(yaml), sc, &err) != 0)
        fail_msg("scenario did not load: %s", err.msg);
    if (rdsim_run(*sc, &opt, &res, &err) != 0)
        fail_msg("run failed: %s", err.msg);
    return res;
}

static const struct rdsim_expectation *find(const struct rdsim_results *r,
                                            const char *name)
{
    for (size_t i = 0; i < r->n_expect; i++)
        if (strcmp(r->expect[i].name, name) == 0)
            return &r->expect[i];
    fail_msg("no expectation %s", name);
    return NULL;
}

static void test_figure_names_match_the_table_and_are_found(void **state)
{
    enum rdsim_figure f;
    (void)state;

    for (int i = 0; i < RDSIM_FIG_COUNT; i++) {
        assert_non_null(rdsim_figure_names[i]);
        assert_string_equal(rdsim_figure_names[i], rdsim_figures[i].name);
        assert_true(rdsim_figure_find(rdsim_figures[i].name, &f));
        assert_int_equal(f, i);
    }
    assert_null(rdsim_figure_names[RDSIM_FIG_COUNT]);
    assert_true(rdsim_figure_find("uptime_writer", &f));
    assert_int_equal(f, RDSIM_FIG_UPTIME_WRITER);
    assert_false(rdsim_figure_find("uptime", &f));
}

/* The value at a summary.json path ("a.b.c", or "a[]" for a length). */
static bool json_at(json_t *root, const char *path, double *out)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    size_t n = strlen(buf);
    bool length = n > 2 && strcmp(buf + n - 2, "[]") == 0;
    if (length)
        buf[n - 2] = '\0';
    json_t *v = root;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v;
         k = strtok_r(NULL, ".", &save))
        v = json_object_get(v, k);
    if (v == NULL)
        fail_msg("summary.json has no %s", path);
    if (length) {
        *out = (double)json_array_size(v);
        return true;
    }
    if (json_is_null(v))
        return false;
    assert_true(json_is_number(v));
    *out = json_number_value(v);
    return true;
}

/* Every figure, read by name, is the number summary.json prints. */
static void check_figures_equal_summary(const char *yaml)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *res = run_yaml(yaml, &sc);
    struct rdsim_err err = {0};
    char path[] = "/tmp/rdsim-test-expect-XXXXXX";
    char file[600];

    assert_non_null(mkdtemp(path));
    snprintf(file, sizeof file, "%s/summary.json", path);
    assert_int_equal(rdsim_report_write_summary(res, file, &err), 0);
    json_t *root = json_load_file(file, 0, NULL);
    assert_non_null(root);
    for (int i = 0; i < RDSIM_FIG_COUNT; i++) {
        double mine = -1, theirs = -1;
        const char *why = NULL;
        bool has = rdsim_figure_value(res, (enum rdsim_figure)i, &mine, &why);
        bool json_has = json_at(root, rdsim_figures[i].json_path, &theirs);
        if (has && !(json_has && mine == theirs))
            fail_msg("%s: %.9g here, %.9g in summary.json", rdsim_figures[i].name, mine,
                     theirs);
        if (!has)
            assert_non_null(why);
    }
    json_decref(root);
    unlink(file);
    rmdir(path);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_every_figure_equals_summary_json_after_a_failover(void **state)
{
    (void)state;
    check_figures_equal_summary(MAZ);
}

static void test_every_figure_equals_summary_json_in_an_outage_without_end(void **state)
{
    (void)state;
    check_figures_equal_summary(DARK);
}

static void test_writer_recovers_false_holds_when_the_outage_never_ends(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *res = run_yaml(DARK "expect: {writer_recovers: false}\n", &sc);
    (void)state;

    const struct rdsim_expectation *x = find(res, "writer_recovers");
    assert_int_equal(x->kind, RDSIM_EXPECT_BOOL);
    assert_true(x->has_actual);
    assert_true(x->actual == 0.0);
    assert_true(x->ok);
    assert_true(res->expectations_ok);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);

    res = run_yaml(DARK "expect: {writer_recovers: true}\n", &sc);
    x = find(res, "writer_recovers");
    assert_false(x->ok);
    assert_false(res->expectations_ok);
    char actual[64], limit[64];
    rdsim_report_expect_text(x, actual, limit, sizeof actual);
    assert_string_equal(actual, "false");
    assert_string_equal(limit, "true");
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_writer_recovers_after_a_failover_and_needs_an_outage(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *res = run_yaml(MAZ "expect: {writer_recovers: true}\n", &sc);
    (void)state;

    assert_true(find(res, "writer_recovers")->ok);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);

    /* No fault: nothing to recover from is no evidence. */
    static const char quiet[] =
        "name: quiet\nduration: 30s\ncluster:\n"
        "  deployment: single-az\n"
        "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
        "workload: {rows: 100, reads: 10/s, writes: 10/s}\n"
        "expect: {writer_recovers: true}\n";
    res = run_yaml(quiet, &sc);
    const struct rdsim_expectation *x = find(res, "writer_recovers");
    assert_false(x->has_actual);
    assert_false(x->ok);
    char actual[64], limit[64];
    rdsim_report_expect_text(x, actual, limit, sizeof actual);
    assert_string_equal(actual, "no writer outage");
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_failover_target_names_the_promoted_instance(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *res = run_yaml(MAZ "expect: {failover_target: standby}\n", &sc);
    (void)state;

    const struct rdsim_expectation *x = find(res, "failover_target");
    assert_int_equal(x->kind, RDSIM_EXPECT_NAME);
    assert_string_equal(x->actual_name, "standby");
    assert_true(x->ok);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);

    res = run_yaml(MAZ "expect: {failover_target: r1}\n", &sc);
    x = find(res, "failover_target");
    assert_false(x->ok);
    assert_string_equal(x->actual_name, "standby");
    assert_string_equal(x->limit_name, "r1");
    rdsim_results_free(res);
    rdsim_scenario_free(sc);

    res = run_yaml(DARK "expect: {failover_target: db}\n", &sc);
    x = find(res, "failover_target");
    assert_false(x->has_actual);
    assert_false(x->ok);
    assert_string_equal(x->nothing, "no failover");
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_min_and_max_bound_figures_with_their_actual_values(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *res =
        run_yaml(MAZ "expect:\n"
                     "  max_lost_writes: 0\n"
                     "  min: {writes_ok: 1, failover_count: 1}\n"
                     "  max: {p99_write_ms: 0.001, failover_count: 1}\n",
                 &sc);
    double p99;
    (void)state;

    assert_string_equal(res->expect[0].name, "max_lost_writes");
    assert_true(res->expect[0].ok);
    assert_true(rdsim_figure_value(res, RDSIM_FIG_P99_WRITE_MS, &p99, NULL));
    const struct rdsim_expectation *x = find(res, "max.p99_write_ms");
    assert_int_equal(x->op, RDSIM_EXPECT_AT_MOST);
    assert_true(x->has_actual);
    assert_true(x->actual == p99);
    assert_true(p99 > 0.001);
    assert_false(x->ok);
    assert_string_equal(x->unit, "ms");
    assert_true(find(res, "min.writes_ok")->ok);
    assert_int_equal(find(res, "min.writes_ok")->op, RDSIM_EXPECT_AT_LEAST);
    assert_true(find(res, "min.failover_count")->ok);
    assert_true(find(res, "max.failover_count")->ok);
    assert_true(find(res, "max.failover_count")->integer);
    assert_false(res->expectations_ok);
    /* Order: the keys of expect:, then min:, then max:, each in file order. */
    assert_int_equal(res->n_expect, 5);
    assert_string_equal(res->expect[1].name, "min.writes_ok");
    assert_string_equal(res->expect[4].name, "max.failover_count");
    char actual[64], limit[64];
    rdsim_report_expect_text(x, actual, limit, sizeof actual);
    assert_string_equal(limit, "at most 0.001 ms");
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_a_bound_on_a_latency_nothing_measured_fails(void **state)
{
    /* Only writes are sent: no read succeeds, none is served. */
    struct rdsim_scenario *sc;
    struct rdsim_results *res =
        run_yaml("name: writes-only\nduration: 30s\ncluster:\n"
                 "  deployment: single-az\n"
                 "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
                 "workload: {rows: 100, reads: 0/s, writes: 10/s}\n"
                 "expect:\n  max: {p99_read_ms: 1000, ok_p99_read_ms: 1000, "
                 "stale_reads_ratio: 1, attempt_success_reader: 1}\n",
                 &sc);
    (void)state;

    /* p99 counts every operation that ended, ok_p99 the successes. */
    const struct rdsim_expectation *x = find(res, "max.p99_read_ms");
    assert_false(x->has_actual);
    assert_false(x->ok);
    assert_string_equal(x->nothing, "no read ended");
    x = find(res, "max.ok_p99_read_ms");
    assert_false(x->has_actual);
    assert_string_equal(x->nothing, "no read succeeded");
    /* Nothing went to the reader endpoint: it has no uptime figures. */
    x = find(res, "max.attempt_success_reader");
    assert_false(x->ok);
    assert_string_equal(x->nothing, "no operation sent to the reader endpoint");
    assert_false(find(res, "max.stale_reads_ratio")->ok);
    assert_false(res->expectations_ok);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

/* min_uptime bounds the share of time served: the writer that goes dark
 * for its last two minutes of three is up a third of the time, whatever
 * the share of operations that succeeded. */
static void test_min_uptime_bounds_the_share_of_time_served(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *res =
        run_yaml(DARK "expect:\n  min_uptime: {writer: 0.5}\n", &sc);
    double up;
    (void)state;

    const struct rdsim_expectation *x = find(res, "min_uptime.writer");
    assert_int_equal(x->op, RDSIM_EXPECT_AT_LEAST);
    assert_true(x->has_actual);
    assert_true(rdsim_figure_value(res, RDSIM_FIG_UPTIME_WRITER, &up, NULL));
    assert_true(x->actual == up);
    assert_true(up > 0.3 && up < 0.34);
    assert_false(x->ok);
    assert_false(res->expectations_ok);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);

    /* A reboot with failover: down for seconds of three minutes. */
    res = run_yaml(MAZ "expect:\n  min_uptime: {writer: 0.5, reader: 0.99}\n", &sc);
    assert_true(find(res, "min_uptime.writer")->ok);
    assert_true(find(res, "min_uptime.writer")->actual < 1.0);
    assert_true(find(res, "min_uptime.reader")->ok);
    assert_true(res->expectations_ok);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_no_expectations_is_a_pass(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *res = run_yaml(DARK, &sc);
    (void)state;

    assert_true(rdsim_expect_cfg_is_empty(&sc->expect));
    assert_int_equal(res->n_expect, 0);
    assert_true(res->expectations_ok);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_summary_json_holds_booleans_and_names(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *res =
        run_yaml(MAZ "expect: {writer_recovers: true, failover_target: standby}\n", &sc);
    struct rdsim_err err = {0};
    char path[] = "/tmp/rdsim-test-expect-XXXXXX";
    char file[600];
    (void)state;

    assert_non_null(mkdtemp(path));
    snprintf(file, sizeof file, "%s/summary.json", path);
    assert_int_equal(rdsim_report_write_summary(res, file, &err), 0);
    json_t *root = json_load_file(file, 0, NULL);
    assert_non_null(root);
    json_t *a = json_object_get(root, "expectations");
    assert_int_equal(json_array_size(a), 2);
    json_t *rec = json_array_get(a, 0), *target = json_array_get(a, 1);
    assert_string_equal(json_string_value(json_object_get(rec, "name")),
                        "writer_recovers");
    assert_true(json_is_true(json_object_get(rec, "actual")));
    assert_true(json_is_true(json_object_get(rec, "limit")));
    assert_string_equal(json_string_value(json_object_get(target, "actual")), "standby");
    assert_string_equal(json_string_value(json_object_get(target, "limit")), "standby");
    assert_null(json_object_get(root, "lesson")); /* only when a lesson failed */
    json_decref(root);
    unlink(file);
    rmdir(path);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

/* expect.restores: lost writes between the bounds hold; one that is not
 * available by the end fails with the reason, not with a made-up 0. */
static void test_restore_bounds_check_lost_writes_and_time_to_available(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_results *r;
    (void)state;

    r = run_yaml("name: rst\nduration: 12m\ncluster:\n  deployment: single-az\n"
                 "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
                 "workload: {rows: 100, reads: 10/s, writes: 20/s}\n"
                 "events:\n"
                 "  - {at: 30s, action: snapshot, name: s1}\n"
                 "  - {at: 60s, action: restore, name: copy, az: us-east-1b, from: s1}\n"
                 "expect:\n  restores:\n"
                 "    copy: {min_lost_writes: 400, max_lost_writes: 800,\n"
                 "           max_time_to_available: 1m}\n",
                 &sc);
    const struct rdsim_expectation *lo = find(r, "restores.copy.min_lost_writes");
    const struct rdsim_expectation *hi = find(r, "restores.copy.max_lost_writes");
    const struct rdsim_expectation *t = find(r, "restores.copy.max_time_to_available");
    /* 30 s of writes at 20/s after the snapshot, before the request. */
    assert_true(lo->has_actual && lo->ok);
    assert_true(hi->ok);
    assert_int_equal((long)lo->actual, (long)r->restores[0].lost_writes);
    /* 8-12 min to come up: not by the end of a 12 min run, or past 1 min. */
    assert_false(t->ok);
    if (!t->has_actual)
        assert_string_equal(t->nothing, "not available by the end");
    else
        assert_true(t->actual > 60);
    assert_false(r->expectations_ok);
    rdsim_results_free(r);
    rdsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figure_names_match_the_table_and_are_found),
        cmocka_unit_test(test_every_figure_equals_summary_json_after_a_failover),
        cmocka_unit_test(test_every_figure_equals_summary_json_in_an_outage_without_end),
        cmocka_unit_test(test_writer_recovers_false_holds_when_the_outage_never_ends),
        cmocka_unit_test(test_writer_recovers_after_a_failover_and_needs_an_outage),
        cmocka_unit_test(test_failover_target_names_the_promoted_instance),
        cmocka_unit_test(test_min_and_max_bound_figures_with_their_actual_values),
        cmocka_unit_test(test_a_bound_on_a_latency_nothing_measured_fails),
        cmocka_unit_test(test_min_uptime_bounds_the_share_of_time_served),
        cmocka_unit_test(test_no_expectations_is_a_pass),
        cmocka_unit_test(test_summary_json_holds_booleans_and_names),
        cmocka_unit_test(test_restore_bounds_check_lost_writes_and_time_to_available),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
