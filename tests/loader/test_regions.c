/*
 * test_regions.c - `workload.regions`: Regions resolved to the topology's
 * indices in file order with their shares, sums that are 1 in decimal
 * accepted, and the errors (each also has a bad-corpus pair under bad/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/scenario.h"

#define HEAD                                                                                 \
    "name: t\n"                                                                              \
    "duration: 1m\n"                                                                         \
    "topology:\n"                                                                            \
    "  regions:\n"                                                                           \
    "    - {name: us-east-1, azs: [us-east-1a, us-east-1b]}\n"                               \
    "    - {name: eu-west-1, azs: [eu-west-1a]}\n"                                           \
    "    - {name: ap-south-1, azs: [ap-south-1a]}\n"                                         \
    "cluster:\n"                                                                             \
    "  deployment: single-az\n"                                                              \
    "  instances:\n"                                                                         \
    "    - {name: db, role: writer, az: us-east-1a}\n"                                       \
    "workload:\n"                                                                            \
    "  reads: 10/s\n"

static int load(const char *text, struct rdsim_scenario **sc, struct rdsim_err *err)
{
    *sc = NULL;
    return rdsim_scenario_load_buffer("t.yaml", text, strlen(text), sc, err);
}

static void test_regions_are_read_in_file_order(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_err err = {0};
    (void)state;

    assert_int_equal(load(HEAD "  regions: {eu-west-1: 0.25, us-east-1: 0.75}\n", &sc, &err), 0);
    assert_int_equal(sc->workload.n_regions, 2);
    assert_int_equal(sc->workload.regions[0].region, 1);
    assert_true(sc->workload.regions[0].share == 0.25);
    assert_int_equal(sc->workload.regions[1].region, 0);
    assert_true(sc->workload.regions[1].share == 0.75);
    rdsim_scenario_free(sc);
}

static void test_without_regions_there_are_none(void **state)
{
    struct rdsim_scenario *sc;
    struct rdsim_err err = {0};
    (void)state;

    assert_int_equal(load(HEAD, &sc, &err), 0);
    assert_int_equal(sc->workload.n_regions, 0);
    assert_null(sc->workload.regions);
    rdsim_scenario_free(sc);
}

static void test_decimal_sums_of_one_are_accepted(void **state)
{
    static const char *const ok[] = {
        HEAD "  regions: {us-east-1: 0.7, eu-west-1: 0.2, ap-south-1: 0.1}\n",
        HEAD "  regions: {us-east-1: 0.333333, eu-west-1: 0.333333, ap-south-1: 0.333334}\n",
        HEAD "  regions: {ap-south-1: 1}\n",
    };
    (void)state;

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct rdsim_scenario *sc;
        struct rdsim_err err = {0};
        if (load(ok[i], &sc, &err) != 0)
            fail_msg("%zu: %s", i, err.msg);
        rdsim_scenario_free(sc);
    }
}

static void expect_error(const char *text, const char *message)
{
    struct rdsim_scenario *sc;
    struct rdsim_err err = {0};

    assert_int_equal(load(text, &sc, &err), RDSIM_EINVAL);
    assert_null(sc);
    if (strstr(err.msg, message) == NULL)
        fail_msg("expected \"%s\" in: %s", message, err.msg);
}

static void test_bad_regions_are_errors(void **state)
{
    (void)state;
    expect_error(HEAD "  regions: {us-east-1: 0.5, eu-west-1: 0.4}\n",
                 "t.yaml:14:12: workload.regions: the shares add up to 0.9");
    expect_error(HEAD "  regions: {us-east-1: 0.6, eu-west-1: 0.6}\n", "add up to 1.2");
    expect_error(HEAD "  regions: {us-east-1: 1, mars-1: 0}\n",
                 "unknown region \"mars-1\"; the topology has");
    expect_error(HEAD "  regions: {us-east-1: 1, eu-west-1: -0.1}\n",
                 "workload.regions.eu-west-1: a share of the load must be > 0 and <= 1, got -0.1");
    expect_error(HEAD "  regions: {us-east-1: 1.01}\n", "got 1.01");
    expect_error(HEAD "  regions: {us-east-1: 0.5, us-east-1: 0.5}\n",
                 "duplicate region (first at line 14)");
    expect_error(HEAD "  regions: us-east-1\n", "must be a mapping of regions");
    expect_error(HEAD "  regions: {}\n", "must name at least one region");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions_are_read_in_file_order),
        cmocka_unit_test(test_without_regions_there_are_none),
        cmocka_unit_test(test_decimal_sums_of_one_are_accepted),
        cmocka_unit_test(test_bad_regions_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
