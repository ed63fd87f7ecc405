/*
 * test_sweep_load.c - the sweep file loader: every file in bad/ is refused
 * with exactly the message of its .expected twin, and good files give the
 * points, seeds and point scenarios they say.
 *
 * Runs in tests/sweep (meson workdir), so messages start "bad/NAME...".
 * To add a bad case: write bad/NAME.sweep.yaml, run the test, check the
 * message it prints and save it as bad/NAME.expected.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/scenario.h"
#include "rdsim/sweep.h"

#define MIN_BAD_CASES 45

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_every_bad_file_gives_its_expected_message(void **state)
{
    (void)state;
    DIR *d = opendir("bad");
    char *names[256];
    size_t n = 0, failures = 0;
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l > 11 && strcmp(e->d_name + l - 11, ".sweep.yaml") == 0 && n < 256)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    assert_true(n >= MIN_BAD_CASES);
    for (size_t i = 0; i < n; i++) {
        char path[512], exp_path[512], expected[2048] = "";
        snprintf(path, sizeof path, "bad/%s", names[i]);
        snprintf(exp_path, sizeof exp_path, "bad/%.*s.expected",
                 (int)(strlen(names[i]) - 11), names[i]);
        FILE *f = fopen(exp_path, "r");
        if (f) {
            if (!fgets(expected, sizeof expected, f))
                expected[0] = '\0';
            fclose(f);
            expected[strcspn(expected, "\n")] = '\0';
        }
        struct rdsim_sweep *sw = NULL;
        struct rdsim_err err = {0};
        int rc = rdsim_sweep_load(path, &sw, &err);
        int want = strstr(expected, "cannot read") && !strstr(expected, ": scenario: ")
                       ? RDSIM_EIO : RDSIM_EINVAL;
        if (rc != want || sw != NULL || err.code != rc || strcmp(err.msg, expected) != 0) {
            fprintf(stderr, "%s: rc %d (want %d)\n  got:      %s\n  expected: %s\n", path, rc,
                    want, err.msg, expected[0] ? expected : "(no .expected file)");
            failures++;
        }
        rdsim_sweep_free(sw);
        free(names[i]);
    }
    assert_int_equal(failures, 0);
}

static struct rdsim_sweep *load_text(const char *text)
{
    struct rdsim_sweep *sw = NULL;
    struct rdsim_err err = {0};
    int rc = rdsim_sweep_load_buffer("good.sweep.yaml", text, strlen(text), &sw, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    return sw;
}

static struct rdsim_scenario *point_scenario(const struct rdsim_sweep *sw, size_t p)
{
    char *text;
    size_t len;
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc = NULL;
    assert_int_equal(rdsim_sweep_point_yaml(sw, p, &text, &len, &err), 0);
    assert_int_equal(strlen(text), len);
    if (rdsim_scenario_load_buffer("point", text, len, &sc, &err) != 0)
        fail_msg("%s\n%s", err.msg, text);
    free(text);
    return sc;
}

static void test_three_points_of_eight_seeds(void **state)
{
    (void)state;
    struct rdsim_sweep *sw = NULL;
    struct rdsim_err err = {0};
    assert_int_equal(rdsim_sweep_load("three.sweep.yaml", &sw, &err), 0);
    assert_int_equal(sw->n_points, 3);
    assert_int_equal(sw->n_seeds, 8);
    assert_int_equal(sw->seeds[0], 1);
    assert_int_equal(sw->seeds[7], 8);
    assert_string_equal(sw->name, "sweep-test-base");
    assert_string_equal(sw->scenario_path, "base.yaml");
    assert_true(sw->has_slo);
    assert_string_equal(sw->slo_text, "max_writer_downtime: 70s, lost_writes: 0");
    assert_int_equal(sw->n_axes, 1);
    assert_string_equal(sw->axes[0].path, "clients.dns_cache");
    assert_int_equal(sw->axes[0].loc.line, 5);
    assert_string_equal(sw->axes[0].labels[2], "forever");

    struct rdsim_scenario *sc = point_scenario(sw, 1);
    assert_int_equal(sc->clients.dns_cache, RDSIM_DNS_CACHE_FIXED);
    assert_int_equal(sc->clients.dns_cache_for, 30 * RDSIM_S);
    /* the slo replaced the base's expect */
    assert_true(sc->expect.has_max_writer_downtime);
    assert_int_equal(sc->expect.max_writer_downtime, 70 * RDSIM_S);
    rdsim_scenario_free(sc);
    sc = point_scenario(sw, 2);
    assert_int_equal(sc->clients.dns_cache, RDSIM_DNS_CACHE_FOREVER);
    rdsim_scenario_free(sc);
    rdsim_sweep_free(sw);
}

static void test_paths_reach_instances_by_name_and_create_mappings(void **state)
{
    (void)state;
    struct rdsim_sweep *sw = load_text("scenario: base.yaml\n"
                                       "seeds: [42, 7]\n"
                                       "name: paths\n"
                                       "vary:\n"
                                       "  cluster.instances.standby.az: [us-east-1b, us-east-1c]\n"
                                       "  cluster.failover.detection: [5s..10s, 20s]\n"
                                       "  workload: [{reads: 10/s, writes: 5/s}]\n");
    assert_int_equal(sw->n_points, 4);
    assert_false(sw->has_slo);
    assert_string_equal(sw->name, "paths");
    assert_int_equal(sw->seeds[0], 42);
    assert_int_equal(sw->seeds[1], 7);
    assert_string_equal(sw->axes[2].labels[0], "{reads: 10/s, writes: 5/s}");

    size_t idx[3];
    rdsim_sweep_point_coords(sw, 2, idx); /* the last axis varies fastest */
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    assert_int_equal(idx[2], 0);

    struct rdsim_scenario *sc = point_scenario(sw, 3);
    assert_string_equal(sc->cluster.instances[1].name, "standby");
    assert_string_equal(sc->cluster.instances[1].az, "us-east-1c");
    assert_true(sc->cluster.has_detection);
    assert_int_equal(sc->cluster.detection.lo, 20 * RDSIM_S);
    assert_int_equal(sc->cluster.detection.hi, 20 * RDSIM_S);
    assert_true(sc->workload.reads_per_s == 10.0);
    assert_int_equal(sc->workload.rows, 10000); /* the whole mapping was replaced */
    /* without slo the base's expect stays */
    assert_true(sc->expect.has_lost_writes);
    assert_false(sc->expect.has_max_writer_downtime);
    rdsim_scenario_free(sc);
    sc = point_scenario(sw, 0);
    assert_string_equal(sc->cluster.instances[1].az, "us-east-1b");
    assert_int_equal(sc->cluster.detection.lo, 5 * RDSIM_S);
    assert_int_equal(sc->cluster.detection.hi, 10 * RDSIM_S);
    rdsim_scenario_free(sc);
    rdsim_sweep_free(sw);
}

static void test_labelled_values_name_their_points(void **state)
{
    (void)state;
    struct rdsim_sweep *sw = load_text("scenario: base.yaml\nseeds: 1..2\n"
                                       "vary:\n"
                                       "  clients:\n"
                                       "    patient: {timeout: 5s, give_up_after: 60s}\n"
                                       "    hasty: {timeout: 500ms}\n");
    assert_int_equal(sw->n_points, 2);
    assert_string_equal(sw->axes[0].labels[0], "patient");
    assert_string_equal(sw->axes[0].labels[1], "hasty");
    struct rdsim_scenario *sc = point_scenario(sw, 0);
    assert_int_equal(sc->clients.timeout, 5 * RDSIM_S);
    assert_int_equal(sc->clients.give_up_after, 60 * RDSIM_S);
    rdsim_scenario_free(sc);
    sc = point_scenario(sw, 1);
    assert_int_equal(sc->clients.timeout, 500 * RDSIM_MS);
    assert_int_equal(sc->clients.give_up_after, 30 * RDSIM_S); /* the default again */
    rdsim_scenario_free(sc);
    rdsim_sweep_free(sw);
}

static void test_no_vary_is_one_point(void **state)
{
    (void)state;
    struct rdsim_sweep *sw = load_text("scenario: base.yaml\nseeds: 3..5\n");
    assert_int_equal(sw->n_points, 1);
    assert_int_equal(sw->n_axes, 0);
    assert_string_equal(sw->slo_text, "lost_writes: 0"); /* the base's expect: */
    assert_int_equal(sw->n_seeds, 3);
    assert_int_equal(sw->seeds[2], 5);
    struct rdsim_scenario *sc = point_scenario(sw, 0);
    assert_string_equal(sc->name, "sweep-test-base");
    rdsim_scenario_free(sc);
    rdsim_sweep_free(sw);
}

static void test_point_text_is_the_same_every_time(void **state)
{
    (void)state;
    struct rdsim_sweep *sw = load_text("scenario: base.yaml\nseeds: 1..2\n"
                                       "vary: {clients.timeout: [1s, 3s]}\n");
    char *a, *b;
    size_t la, lb;
    assert_int_equal(rdsim_sweep_point_yaml(sw, 1, &a, &la, NULL), 0);
    assert_int_equal(rdsim_sweep_point_yaml(sw, 1, &b, &lb, NULL), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    assert_non_null(strstr(a, "timeout: 3s"));
    free(a);
    free(b);
    rdsim_sweep_free(sw);
}

/* The workshop's sweep files (scenarios/sweeps) load, every point. */
static void test_workshop_sweeps_load(void **state)
{
    (void)state;
    const char *const files[] = {"01-failover-seeds", "03-dns-cache", "04-proxy-vs-direct",
                                 "08-deployments"};
    const size_t points[] = {1, 3, 4, 3}, seeds[] = {1000, 100, 100, 50};
    for (size_t i = 0; i < 4; i++) {
        char path[256];
        struct rdsim_sweep *sw = NULL;
        struct rdsim_err err = {0};
        snprintf(path, sizeof path, "../../scenarios/sweeps/%s.sweep.yaml", files[i]);
        if (rdsim_sweep_load(path, &sw, &err) != 0)
            fail_msg("%s", err.msg);
        assert_int_equal(sw->n_points, points[i]);
        assert_int_equal(sw->n_seeds, seeds[i]);
        assert_true(sw->has_slo);
        rdsim_sweep_free(sw);
    }
}

static void test_unreadable_sweep_file_is_eio(void **state)
{
    (void)state;
    struct rdsim_sweep *sw = NULL;
    struct rdsim_err err = {0};
    assert_int_equal(rdsim_sweep_load("no-such.sweep.yaml", &sw, &err), RDSIM_EIO);
    assert_null(sw);
    assert_string_equal(err.msg, "no-such.sweep.yaml: cannot read: No such file or directory");
    assert_int_equal(rdsim_sweep_load(NULL, &sw, &err), RDSIM_EINVAL);
    rdsim_sweep_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_file_gives_its_expected_message),
        cmocka_unit_test(test_three_points_of_eight_seeds),
        cmocka_unit_test(test_paths_reach_instances_by_name_and_create_mappings),
        cmocka_unit_test(test_labelled_values_name_their_points),
        cmocka_unit_test(test_no_vary_is_one_point),
        cmocka_unit_test(test_point_text_is_the_same_every_time),
        cmocka_unit_test(test_workshop_sweeps_load),
        cmocka_unit_test(test_unreadable_sweep_file_is_eio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
