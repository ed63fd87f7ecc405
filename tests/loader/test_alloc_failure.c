/*
 * test_alloc_failure.c - running out of memory at any allocation the loader
 * makes gives RDSIM_ENOMEM, no scenario, and (under ASan) no leak.
 *
 * calloc, realloc and strdup are wrapped at link time (-Wl,--wrap): the
 * loader's static library calls the wrappers, which fail the Nth call once
 * armed. libyaml's own allocations are not wrapped (it is a shared library);
 * its out-of-memory path is libyaml's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/scenario.h"

void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

/* Test-only state: the wrappers have no other way to learn the plan. */
static bool armed;
static long countdown;

static bool should_fail(void)
{
    return armed && countdown-- == 0;
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

static void run_until_success(const char *path)
{
    for (long k = 0;; k++) {
        struct rdsim_scenario *sc = NULL;
        struct rdsim_err err = {0};
        armed = true;
        countdown = k;
        int rc = rdsim_scenario_load(path, &sc, &err);
        armed = false;
        if (rc == 0) {
            assert_non_null(sc);
            rdsim_scenario_free(sc);
            assert_true(k > 10); /* the loader did allocate, and each failure was seen */
            return;
        }
        assert_int_equal(rc, RDSIM_ENOMEM);
        assert_null(sc);
        char want[256];
        snprintf(want, sizeof want, "%s: out of memory", path);
        assert_string_equal(err.msg, want);
    }
}

static void test_every_allocation_failure_is_enomem_without_leaks(void **state)
{
    (void)state;
    run_until_success("good/full.yaml");
    run_until_success("good/every-event-rds.yaml");
    run_until_success("good/single-az.yaml"); /* default topology */
    run_until_success("good/expect-every-key.yaml");
}

static void test_allocation_failure_on_error_paths_is_clean(void **state)
{
    (void)state;
    /* Unknown AZ builds a temporary list for its suggestion. */
    for (long k = 0;; k++) {
        struct rdsim_scenario *sc = NULL;
        struct rdsim_err err = {0};
        armed = true;
        countdown = k;
        int rc = rdsim_scenario_load("bad/unknown-az-suggest.yaml", &sc, &err);
        armed = false;
        assert_null(sc);
        if (rc == RDSIM_EINVAL)
            break;
        assert_int_equal(rc, RDSIM_ENOMEM);
    }
}

/* The scenario diff (diff.c) allocates its changes with realloc and
 * strdup: any failure is ENOMEM with no change list and no leak. */
static void test_diff_allocation_failure_is_enomem_without_leaks(void **state)
{
    static const char a[] = "seed: 5\nclients: {dns_cache: forever}\n"
                            "cluster: {instances: [{name: w, az: a}, {name: s, az: b}]}\n";
    static const char b[] = "seed: 6\nclients: {dns_cache: ttl}\n"
                            "cluster: {instances: [{name: w, az: c}, {name: r, az: b}]}\n";
    (void)state;
    for (long k = 0;; k++) {
        struct rdsim_param_change *c = NULL;
        size_t n = 0;
        struct rdsim_err err = {0};
        armed = true;
        countdown = k;
        int rc = rdsim_scenario_diff(a, sizeof a - 1, b, sizeof b - 1, &c, &n, &err);
        armed = false;
        if (rc == 0) {
            assert_int_equal(n, 5);
            rdsim_param_changes_free(c, n);
            assert_true(k > 5);
            return;
        }
        assert_int_equal(rc, RDSIM_ENOMEM);
        assert_null(c);
        assert_int_equal(n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_failure_is_enomem_without_leaks),
        cmocka_unit_test(test_allocation_failure_on_error_paths_is_clean),
        cmocka_unit_test(test_diff_allocation_failure_is_enomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
