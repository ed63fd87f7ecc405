/*
 * test_scenarios.c - the shipped scenario files, run by the rdsim binary
 * with several seeds, checked through the numbers in their summary.json.
 *
 * Usage: test_scenarios RDSIM_BINARY SOURCE_ROOT
 *
 * The bounds come from the model's documented ranges (docs/model.md):
 * detection 10-30 s, host replacement 4-8 min, crash recovery 10-30 s, and
 * the clients' timeout (2 s) and backoff cap (5 s).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

static const char *rdsim, *root;
static const uint64_t seeds[] = {0, 2, 3, 4}; /* 0: the scenario's own seed */

/* Run a shipped scenario; return its parsed summary.json. */
static json_t *run(const char *scenario, uint64_t seed)
{
    char dir[] = "/tmp/rdsim-scn-XXXXXX", cmd[2048], path[1024], seedarg[64] = "";
    json_error_t jerr;
    json_t *summary;
    int status;

    assert_non_null(mkdtemp(dir));
    if (seed)
        snprintf(seedarg, sizeof(seedarg), "--seed %llu", (unsigned long long)seed);
    snprintf(cmd, sizeof(cmd), "'%s' run '%s/scenarios/%s.yaml' -o '%s' --quiet --force %s",
             rdsim, root, scenario, dir, seedarg);
    status = system(cmd);
    if (status == -1 || WEXITSTATUS(status) > 3)
        fail_msg("%s: exit status %d", cmd, WEXITSTATUS(status));
    snprintf(path, sizeof(path), "%s/summary.json", dir);
    summary = json_load_file(path, 0, &jerr);
    if (!summary)
        fail_msg("%s: %s", path, jerr.text);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fail_msg("cannot remove %s", dir);
    return summary;
}

static double num(json_t *root_obj, const char *path)
{
    char buf[256], *save = NULL;
    json_t *node = root_obj;

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(node))
            node = json_array_get(node, (size_t)atoi(tok));
        else
            node = json_object_get(node, tok);
        if (!node)
            fail_msg("summary.json has no %s", path);
    }
    if (json_is_true(node))
        return 1;
    if (json_is_false(node))
        return 0;
    if (!json_is_number(node))
        fail_msg("summary.json %s is not a number", path);
    return json_number_value(node);
}

#define assert_between(v, lo, hi)                                                          \
    do {                                                                                   \
        double v_ = (v);                                                                   \
        if (!(v_ >= (lo) && v_ <= (hi)))                                                   \
            fail_msg("%s = %g, expected %g..%g", #v, v_, (double)(lo), (double)(hi));       \
    } while (0)

static void test_instance_crash_downtime_is_outage_plus_recovery(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        json_t *s = run("single-az-instance-crash", seeds[i]);
        assert_int_equal(json_array_size(json_object_get(s, "writer_outages")), 1);
        assert_between(num(s, "writer_outages.0.at_s"), 60.0, 60.0);
        assert_between(num(s, "writer_outages.0.recovered"), 1, 1);
        /* 60 s dead + 10..30 s crash recovery + up to a timeout and a backoff. */
        assert_between(num(s, "writer_outages.0.writer_downtime_s"), 70.0, 97.1);
        assert_between(num(s, "lost_writes"), 0, 0);
        /* 30,000 writes in 5 min; those sent from the crash until 30 s
         * (give_up_after) before recovery fail: 40-67 s worth at 100/s,
         * give or take Poisson noise. */
        assert_between(num(s, "lost_writes_check.acknowledged_writes"), 30000 - 6700 - 600,
                       30000 - 4000 + 600);
        assert_between(num(s, "requests.write.failed"), 1000, 12000);
        assert_between(num(s, "availability.writer"), 0.6, 0.97);
        assert_between(num(s, "expectations_met"), 1, 1);
        json_decref(s);
    }
}

static void test_host_replacement_takes_minutes_and_loses_nothing(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        json_t *s = run("single-az-host-replacement", seeds[i]);
        assert_between(num(s, "writer_outages.0.recovered"), 1, 1);
        assert_between(num(s, "writer_outages.0.writer_downtime_s"), 260.0, 547.1);
        assert_between(num(s, "lost_writes"), 0, 0);
        assert_between(num(s, "expectations_met"), 1, 1);
        json_decref(s);
    }
}

static void test_az_outage_lasts_as_long_as_the_az(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        json_t *s = run("single-az-az-outage", seeds[i]);
        /* Nothing to recover but the AZ: 3 min, plus a timeout and a backoff. */
        assert_between(num(s, "writer_outages.0.writer_downtime_s"), 180.0, 187.1);
        /* About 3.5 of 8 minutes of operations fail (those sent in the
         * 30 s before the outage began retry into it and give up too). */
        assert_between(num(s, "availability.writer"), 0.5, 0.7);
        assert_between(num(s, "lost_writes"), 0, 0);
        json_decref(s);
    }
}

static void test_read_surge_raises_latency_without_a_fault(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        json_t *s = run("single-az-read-surge", seeds[i]);
        assert_int_equal(json_array_size(json_object_get(s, "writer_outages")), 0);
        /* The surge is 40% of the run at 95% load: the tail stretches far
         * beyond the median. */
        assert_true(num(s, "requests.read.p99_ms") > 5.0 * num(s, "requests.read.p50_ms"));
        assert_between(num(s, "lost_writes"), 0, 0);
        json_decref(s);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instance_crash_downtime_is_outage_plus_recovery),
        cmocka_unit_test(test_host_replacement_takes_minutes_and_loses_nothing),
        cmocka_unit_test(test_az_outage_lasts_as_long_as_the_az),
        cmocka_unit_test(test_read_surge_raises_latency_without_a_fault),
    };

    if (argc != 3) {
        fprintf(stderr, "usage: %s RDSIM_BINARY SOURCE_ROOT\n", argv[0]);
        return 2;
    }
    rdsim = argv[1];
    root = argv[2];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
