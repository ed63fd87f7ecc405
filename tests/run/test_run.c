/*
 * test_run.c - whole simulations of small scenarios, in process: the
 * single-AZ fault model, queueing, load changes, determinism, expectations.
 *
 * Bounds on simulated durations come from src/cluster/params.h and the
 * clients' retry settings; each test says where its numbers come from.
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

#include "rdsim/report.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

static struct rdsim_scenario *load(const char *yaml)
{
    struct rdsim_scenario *sc = NULL;
    struct rdsim_err err = {0};
    int rc = rdsim_scenario_load_buffer("test.yaml", yaml, strlen(yaml), &sc, &err);

    if (rc)
        fail_msg("scenario did not load: %s", err.msg);
    return sc;
}

static struct rdsim_results *run(const struct rdsim_scenario *sc, const char *dir, bool has_seed,
                                 uint64_t seed)
{
    struct rdsim_run_options opt = {.has_seed = has_seed, .seed = seed, .out_dir = dir};
    struct rdsim_results *res = NULL;
    struct rdsim_err err = {0};
    char path[512];

    if (rdsim_run(sc, &opt, &res, &err) != 0)
        fail_msg("run failed: %s", err.msg);
    if (dir) {
        snprintf(path, sizeof(path), "%s/summary.json", dir);
        if (rdsim_report_write_summary(res, path, &err) != 0)
            fail_msg("summary failed: %s", err.msg);
    }
    return res;
}

static char *slurp(const char *dir, const char *name, size_t *len)
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
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static bool same_file(const char *a, const char *b, const char *name)
{
    size_t la, lb;
    char *x = slurp(a, name, &la), *y = slurp(b, name, &lb);
    bool same = la == lb && memcmp(x, y, la) == 0;

    free(x);
    free(y);
    return same;
}

static void make_dir(char *tmpl)
{
    assert_non_null(mkdtemp(tmpl));
}

static const char crash_60s[] =
    "name: crash\n"
    "duration: 4m\n"
    "cluster:\n"
    "  deployment: single-az\n"
    "  instances:\n"
    "    - {name: db, role: writer, az: us-east-1a}\n"
    "workload: {rows: 1000, reads: 400/s, writes: 100/s}\n"
    "events:\n"
    "  - {at: 60s, action: instance-failure, target: db, for: 60s}\n";

static void test_run_same_seed_gives_identical_files(void **state)
{
    struct rdsim_scenario *sc = load(crash_60s);
    char a[] = "/tmp/rdsim-run-a-XXXXXX", b[] = "/tmp/rdsim-run-b-XXXXXX",
         c[] = "/tmp/rdsim-run-c-XXXXXX";
    (void)state;

    make_dir(a);
    make_dir(b);
    make_dir(c);
    rdsim_results_free(run(sc, a, false, 0));
    rdsim_results_free(run(sc, b, false, 0));
    rdsim_results_free(run(sc, c, true, 99));
    assert_true(same_file(a, b, "summary.json"));
    assert_true(same_file(a, b, "timeseries.csv"));
    assert_true(same_file(a, b, "events.csv"));
    assert_false(same_file(a, c, "summary.json"));
    assert_false(same_file(a, c, "timeseries.csv"));
    assert_false(same_file(a, c, "events.csv"));
    rdsim_scenario_free(sc);
}

static void test_run_instance_failure_for_60s_stops_writes_until_recovery(void **state)
{
    struct rdsim_scenario *sc = load(crash_60s);
    (void)state;

    for (uint64_t seed = 1; seed <= 5; seed++) {
        struct rdsim_results *res = run(sc, NULL, true, seed);
        const struct rdsim_outage *o;
        double down;

        assert_int_equal(res->n_outages, 1);
        o = &res->outages[0];
        assert_true(o->recovered);
        assert_int_equal(o->at, 60 * RDSIM_S);
        /* 60 s dead host + crash recovery (10..30 s) + at most one backoff
         * (cap 5 s) and one client timeout (2 s) before a retry succeeds. */
        down = (double)o->downtime / RDSIM_S;
        assert_true(down >= 70.0);
        assert_true(down <= 60.0 + 30.0 + 5.0 + 2.0 + 0.1);
        /* The volume survives: nothing acknowledged is missing. Every
         * successful write was acknowledged with its position. */
        assert_int_equal(res->acked_writes, res->stats->total[0][1].ok);
        assert_true(res->acked_writes > 15000);
        assert_int_equal(res->lost_writes, 0);
        /* Writes sent during the outage failed after give_up_after. */
        assert_true(res->stats->total[0][1].failed > 1000);
        assert_true(res->availability[0] < 0.9);
        rdsim_results_free(res);
    }
    rdsim_scenario_free(sc);
}

static void test_run_writes_fail_in_the_time_series_during_the_outage(void **state)
{
    struct rdsim_scenario *sc = load(crash_60s);
    char dir[] = "/tmp/rdsim-run-ts-XXXXXX";
    size_t len;
    char *csv, *line;
    int ok_during = 0, rows = 0;
    (void)state;

    make_dir(dir);
    rdsim_results_free(run(sc, dir, false, 0));
    csv = slurp(dir, "timeseries.csv", &len);
    /* Columns: t_s,writer,writer_up,offered reads,offered writes,
     * writer_writes_ok,... The writer endpoint carries writes only here. */
    assert_non_null(strstr(csv, "t_s,writer,writer_up,"));
    line = strchr(csv, '\n') + 1;
    while (*line) {
        double t;
        char name[16];
        int up;
        double r, w;
        unsigned long long wok;
        assert_int_equal(sscanf(line, "%lf,%15[^,],%d,%lf,%lf,%llu", &t, name, &up, &r, &w, &wok),
                         6);
        if (t > 61.0 && t <= 120.0) {
            ok_during += (int)wok;
            assert_int_equal(up, 0);
        }
        rows++;
        line = strchr(line, '\n') + 1;
    }
    assert_int_equal(rows, 240);
    assert_int_equal(ok_during, 0);
    free(csv);
    rdsim_scenario_free(sc);
}

static void test_run_host_replacement_takes_minutes(void **state)
{
    struct rdsim_scenario *sc = load("name: replace\n"
                                     "duration: 15m\n"
                                     "cluster:\n"
                                     "  deployment: single-az\n"
                                     "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
                                     "workload: {rows: 100, reads: 10/s, writes: 20/s}\n"
                                     "events:\n"
                                     "  - {at: 1m, action: instance-failure, target: db}\n");
    (void)state;

    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct rdsim_results *res = run(sc, NULL, true, seed);
        double down;

        assert_int_equal(res->n_outages, 1);
        assert_true(res->outages[0].recovered);
        down = (double)res->outages[0].downtime / RDSIM_S;
        /* detection 10..30 s + replacement 240..480 s + recovery 10..30 s. */
        assert_true(down >= 260.0);
        assert_true(down <= 540.0 + 7.1);
        assert_int_equal(res->lost_writes, 0);
        rdsim_results_free(res);
    }
    rdsim_scenario_free(sc);
}

static void test_run_az_outage_without_end_never_recovers(void **state)
{
    struct rdsim_scenario *sc = load("name: dark\n"
                                     "duration: 3m\n"
                                     "cluster:\n"
                                     "  deployment: single-az\n"
                                     "  instances: [{name: db, role: writer, az: us-east-1b}]\n"
                                     "workload: {rows: 100, reads: 50/s, writes: 50/s}\n"
                                     "events:\n"
                                     "  - {at: 1m, action: az-outage, az: us-east-1b}\n"
                                     "expect: {max_writer_downtime: 30s, lost_writes: 0}\n");
    struct rdsim_results *res;
    (void)state;

    res = run(sc, NULL, false, 0);
    assert_int_equal(res->n_outages, 1);
    assert_false(res->outages[0].recovered);
    assert_int_equal(res->outages[0].downtime, 120 * RDSIM_S);
    assert_false(res->expectations_ok);
    assert_int_equal(res->n_expect, 2);
    assert_false(res->expect[0].ok); /* max_writer_downtime */
    assert_true(res->expect[1].ok);  /* lost_writes */
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static double p99_read_ms(const char *rate)
{
    char yaml[1024];
    struct rdsim_scenario *sc;
    struct rdsim_results *res;
    double p99;

    snprintf(yaml, sizeof(yaml),
             "name: queue\n"
             "duration: 30s\n"
             "cluster:\n"
             "  deployment: single-az\n"
             "  instance_class: db.t4g.medium\n"
             "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
             "workload: {rows: 1000, reads: %s, writes: 0/s, read_from: writer}\n",
             rate);
    sc = load(yaml);
    res = run(sc, NULL, false, 0);
    p99 = (double)rdsim_hist_quantile(&res->stats->total[0][0].lat, 0.99) / RDSIM_MS;
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
    return p99;
}

static void test_run_latency_grows_as_the_instance_saturates(void **state)
{
    double light = p99_read_ms("1000/s"), busy = p99_read_ms("9500/s");
    (void)state;

    /* db.t4g.medium: 2 vCPUs at 0.2 ms a read, 10,000 reads/s at most.
     * At 10% load p99 is about a service time plus the network; at 95%
     * requests queue. */
    assert_true(light < 2.0);
    assert_true(busy > 3.0 * light);
}

static void test_run_load_event_changes_the_rate(void **state)
{
    struct rdsim_scenario *sc = load("name: load\n"
                                     "duration: 20s\n"
                                     "cluster:\n"
                                     "  deployment: single-az\n"
                                     "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
                                     "workload: {rows: 100, reads: 100/s, writes: 10/s}\n"
                                     "events:\n"
                                     "  - {at: 10s, action: load, reads: 1000/s}\n");
    struct rdsim_results *res = run(sc, NULL, false, 0);
    double issued = (double)res->ops_issued;
    (void)state;

    /* 10 s x 110/s + 10 s x 1010/s = 11,200 operations, Poisson noise ~1%. */
    assert_true(issued > 11200 * 0.95);
    assert_true(issued < 11200 * 1.05);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_run_output_folder_must_exist(void **state)
{
    struct rdsim_scenario *sc = load(crash_60s);
    struct rdsim_run_options opt = {.out_dir = "/nonexistent/rdsim"};
    struct rdsim_results *res = NULL;
    struct rdsim_err err = {0};
    (void)state;

    assert_int_equal(rdsim_run(sc, &opt, &res, &err), RDSIM_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/rdsim/events.csv: cannot write"));
    rdsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_same_seed_gives_identical_files),
        cmocka_unit_test(test_run_instance_failure_for_60s_stops_writes_until_recovery),
        cmocka_unit_test(test_run_writes_fail_in_the_time_series_during_the_outage),
        cmocka_unit_test(test_run_host_replacement_takes_minutes),
        cmocka_unit_test(test_run_az_outage_without_end_never_recovers),
        cmocka_unit_test(test_run_latency_grows_as_the_instance_saturates),
        cmocka_unit_test(test_run_load_event_changes_the_rate),
        cmocka_unit_test(test_run_output_folder_must_exist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
