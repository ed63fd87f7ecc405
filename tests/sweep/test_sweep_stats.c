/*
 * test_sweep_stats.c - the sweep's statistics and tables: nearest-rank
 * quantiles, the Wilson interval against published values, numbers and
 * rows as text, and the aggregate's independence from the order of rows.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rdsim/sweep.h"

#define Z95 1.959963984540054

static void test_quantiles_are_nearest_rank(void **state)
{
    (void)state;
    const double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_true(rdsim_sweep_quantile(v, 10, 0.50) == 5);
    assert_true(rdsim_sweep_quantile(v, 10, 0.90) == 9);
    assert_true(rdsim_sweep_quantile(v, 10, 0.99) == 10);
    assert_true(rdsim_sweep_quantile(v, 10, 1.00) == 10);
    assert_true(rdsim_sweep_quantile(v, 10, 0.01) == 1);
    assert_true(rdsim_sweep_quantile(v, 1, 0.5) == 1);
    /* 0.05 * 100 = 5: the 5th value, not an interpolation */
    double h[100];
    for (int i = 0; i < 100; i++)
        h[i] = i * 10;
    assert_true(rdsim_sweep_quantile(h, 100, 0.05) == 40);
    assert_true(rdsim_sweep_quantile(h, 100, 0.99) == 980);
}

/* Newcombe, "Two-sided confidence intervals for the single proportion",
 * Statistics in Medicine 17 (1998), Table II, method 3 (score interval
 * without continuity correction), to the 4 decimals printed there. */
static void test_wilson_matches_newcombe_1998(void **state)
{
    (void)state;
    static const struct {
        size_t k, n;
        double lo, hi;
    } cases[] = {
        {81, 263, 0.2553, 0.3662},
        {15, 148, 0.0624, 0.1605},
        {0, 20, 0.0000, 0.1611},
        {1, 29, 0.0061, 0.1718},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double lo, hi;
        rdsim_sweep_wilson(cases[i].k, cases[i].n, Z95, &lo, &hi);
        assert_true(fabs(lo - cases[i].lo) < 0.00005);
        assert_true(fabs(hi - cases[i].hi) < 0.00005);
    }
}

static void test_wilson_edges_stay_in_zero_one(void **state)
{
    (void)state;
    double lo, hi;
    rdsim_sweep_wilson(10, 10, Z95, &lo, &hi);
    assert_true(hi == 1.0);
    assert_true(fabs(lo - 0.7225) < 0.00005);
    rdsim_sweep_wilson(0, 10, Z95, &lo, &hi);
    assert_true(lo == 0.0);
    assert_true(fabs(hi - 0.2775) < 0.00005);
    rdsim_sweep_wilson(5, 10, Z95, &lo, &hi);
    assert_true(fabs(lo - 0.2366) < 0.00005 && fabs(hi - 0.7634) < 0.00005);
    rdsim_sweep_wilson(0, 0, Z95, &lo, &hi);
    assert_true(lo == 0.0 && hi == 1.0);
}

static void test_numbers_print_without_trailing_zeros(void **state)
{
    (void)state;
    char b[64];
    rdsim_sweep_format_number(82.576, b, sizeof b);
    assert_string_equal(b, "82.576");
    rdsim_sweep_format_number(80, b, sizeof b);
    assert_string_equal(b, "80");
    rdsim_sweep_format_number(-0.0000001, b, sizeof b);
    assert_string_equal(b, "0");
    rdsim_sweep_format_number(0.1234567, b, sizeof b);
    assert_string_equal(b, "0.123457");
    rdsim_sweep_format_number(NAN, b, sizeof b);
    assert_string_equal(b, "");
}

static void test_row_round_trips_and_bad_lines_are_refused(void **state)
{
    (void)state;
    struct rdsim_sweep_row r = {.point = 3, .seed = 42, .exit_code = 3}, back;
    r.has[0] = true;
    r.fig[0] = 82.576;
    r.has[2] = true;
    r.fig[2] = 0.5;
    char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    rdsim_sweep_row_write(f, &r);
    fclose(f);
    assert_string_equal(buf, "3,42,3,82.576,,0.5,,,\n");
    assert_int_equal(rdsim_sweep_row_parse(buf, &back, NULL), 0);
    assert_int_equal(back.point, 3);
    assert_int_equal(back.seed, 42);
    assert_int_equal(back.exit_code, 3);
    assert_true(back.has[0] && back.fig[0] == 82.576);
    assert_false(back.has[1]);
    assert_true(back.has[2] && back.fig[2] == 0.5);

    struct rdsim_err err = {0};
    const char *bad[] = {"", "0,1,0,,,,,,\n", "1,1,0,,,,,\n", "1,1,0,,,,,,,\n", "1,x,0,,,,,,\n",
                         "1,1,300,,,,,,\n", "1,1,0,abc,,,,,\n", "1,1,0,,,,,,junk\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rdsim_sweep_row_parse(bad[i], &back, &err), RDSIM_EINVAL);
        assert_non_null(strstr(err.msg, "not a sweep row"));
    }
}

static void test_row_from_summary_reads_the_figures(void **state)
{
    (void)state;
    const char *json = "{\"max_writer_downtime_s\": 61.5, \"lost_writes\": 2,"
                       " \"availability\": {\"writer\": 0.9, \"reader\": null},"
                       " \"stale_reads\": {\"ratio\": 0.01},"
                       " \"requests\": {\"write\": {\"p99_ms\": 3.25}}}";
    struct rdsim_sweep_row r = {0};
    assert_int_equal(rdsim_sweep_row_from_summary(json, strlen(json), &r, NULL), 0);
    assert_true(r.has[RDSIM_SWEEP_FIG_DOWNTIME] && r.fig[RDSIM_SWEEP_FIG_DOWNTIME] == 61.5);
    assert_true(r.has[RDSIM_SWEEP_FIG_LOST] && r.fig[RDSIM_SWEEP_FIG_LOST] == 2);
    assert_true(r.has[RDSIM_SWEEP_FIG_AVAIL_WRITER]);
    assert_false(r.has[RDSIM_SWEEP_FIG_UPTIME_WRITER]);
    assert_true(r.fig[RDSIM_SWEEP_FIG_WRITE_P99] == 3.25);
    struct rdsim_err err = {0};
    assert_int_equal(rdsim_sweep_row_from_summary("[1]", 3, &r, &err), RDSIM_EINVAL);
    assert_int_equal(rdsim_sweep_row_from_summary("{", 1, &r, &err), RDSIM_EINVAL);
}

/* ---- the aggregate -------------------------------------------------------- */

static const char *const paths[] = {"clients.dns_cache"};
static const char *const vals0[] = {"ttl", "forever"};
static const char *const *const labels[] = {vals0};
static const size_t n_values[] = {2};
static const uint64_t seeds[] = {5, 1, 9};

static struct rdsim_sweep_plan plan(void)
{
    return (struct rdsim_sweep_plan){
        .name = "t", .n_axes = 1, .axis_paths = paths, .labels = labels,
        .n_values = n_values, .n_points = 2, .seeds = seeds, .n_seeds = 3,
        .slo_text = "max_writer_downtime <= 60s", .slo_downtime_s = 60, .slo_lost = 0,
    };
}

static struct rdsim_sweep_row row(size_t p, uint64_t s, int code, double downtime)
{
    struct rdsim_sweep_row r = {.point = p, .seed = s, .exit_code = code};
    if (code == 0 || code == 3) {
        r.has[RDSIM_SWEEP_FIG_DOWNTIME] = r.has[RDSIM_SWEEP_FIG_LOST] = true;
        r.fig[RDSIM_SWEEP_FIG_DOWNTIME] = downtime;
    }
    return r;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void aggregate_into(const char *dir, struct rdsim_sweep_row *rows, size_t n,
                           size_t *missing)
{
    struct rdsim_sweep_plan pl = plan();
    struct rdsim_err err = {0};
    if (rdsim_sweep_aggregate(&pl, rows, n, dir, missing, &err) != 0)
        fail_msg("%s", err.msg);
}

static void test_aggregate_ignores_row_order_and_counts_every_run(void **state)
{
    (void)state;
    char a[] = "/tmp/rdsim-agg-XXXXXX", b[] = "/tmp/rdsim-agg-XXXXXX";
    assert_non_null(mkdtemp(a));
    assert_non_null(mkdtemp(b));
    struct rdsim_sweep_row rows[] = {
        row(1, 5, 0, 50), row(1, 1, 3, 70), row(1, 9, 0, 40),
        row(2, 5, 3, 300), row(2, 1, 1, 0), /* point 2 seed 9 missing */
    };
    struct rdsim_sweep_row rev[5];
    for (int i = 0; i < 5; i++)
        rev[i] = rows[4 - i];
    size_t missing;
    aggregate_into(a, rows, 5, &missing);
    assert_int_equal(missing, 1);
    aggregate_into(b, rev, 5, &missing);
    const char *files[] = {"runs.csv", "points.csv", "report.md", "plots/cdf-downtime.dat",
                           "plots/cdf-downtime.gp"};
    char pa[256], pb[256];
    for (int i = 0; i < 5; i++) {
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        char *x = slurp(pa), *y = slurp(pb);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    snprintf(pa, sizeof pa, "%s/points.csv", a);
    char *pts = slurp(pa);
    /* point 1: 3 runs, none failed, 2 met (Wilson 2/3), downtime mean 53.33, p50 50 */
    assert_non_null(strstr(pts, "\n1,ttl,3,0,2,0.666667,0.20766,0.938508,53.333333,50,70,70,70,"));
    /* point 2: 2 runs, 1 error, 0 of 1 met */
    assert_non_null(strstr(pts, "\n2,forever,2,1,0,0,0,0.793451,300,300,300,300,300,"));
    free(pts);
    snprintf(pa, sizeof pa, "%s/runs.csv", a);
    char *runs = slurp(pa);
    /* seeds in the sweep's order (5, 1, 9), the exit-3 run kept */
    assert_non_null(strstr(runs, "seed,exit,max_writer_downtime_s,"));
    assert_non_null(strstr(runs, "\n1,ttl,5,0,50,0,"));
    assert_non_null(strstr(runs, "\n1,ttl,1,3,70,0,"));
    assert_true(strstr(runs, "\n1,ttl,5,") < strstr(runs, "\n1,ttl,1,"));
    assert_non_null(strstr(runs, "\n2,forever,1,1,,,,,,\n"));
    free(runs);
    snprintf(pa, sizeof pa, "%s/report.md", a);
    char *md = slurp(pa);
    assert_non_null(strstr(md, "**1 missing**"));
    assert_non_null(strstr(md, "**1 failed**"));
    assert_non_null(strstr(md, "| 1 | 1 | ttl | 3 | 2 | 0.666667 |"));
    assert_non_null(strstr(md, "Only `clients.dns_cache` is varied"));
    free(md);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", a, b);
    assert_int_equal(system(cmd), 0);
}

static void test_aggregate_refuses_rows_outside_the_plan_and_twins(void **state)
{
    (void)state;
    char a[] = "/tmp/rdsim-agg-XXXXXX";
    assert_non_null(mkdtemp(a));
    struct rdsim_sweep_plan pl = plan();
    struct rdsim_err err = {0};
    size_t missing;
    struct rdsim_sweep_row r1[] = {row(3, 5, 0, 1)};
    assert_int_equal(rdsim_sweep_aggregate(&pl, r1, 1, a, &missing, &err), RDSIM_EINVAL);
    assert_string_equal(err.msg, "a row for point 3, seed 5, which the sweep does not have");
    struct rdsim_sweep_row r2[] = {row(1, 2, 0, 1)};
    assert_int_equal(rdsim_sweep_aggregate(&pl, r2, 1, a, &missing, &err), RDSIM_EINVAL);
    struct rdsim_sweep_row r3[] = {row(1, 5, 0, 1), row(1, 5, 3, 2)};
    assert_int_equal(rdsim_sweep_aggregate(&pl, r3, 2, a, &missing, &err), RDSIM_EINVAL);
    assert_string_equal(err.msg, "two rows for point 1, seed 5");
    assert_int_equal(rdsim_sweep_aggregate(&pl, NULL, 0, "/nonexistent/dir", &missing, &err),
                     RDSIM_EIO);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", a);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_are_nearest_rank),
        cmocka_unit_test(test_wilson_matches_newcombe_1998),
        cmocka_unit_test(test_wilson_edges_stay_in_zero_one),
        cmocka_unit_test(test_numbers_print_without_trailing_zeros),
        cmocka_unit_test(test_row_round_trips_and_bad_lines_are_refused),
        cmocka_unit_test(test_row_from_summary_reads_the_figures),
        cmocka_unit_test(test_aggregate_ignores_row_order_and_counts_every_run),
        cmocka_unit_test(test_aggregate_refuses_rows_outside_the_plan_and_twins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
