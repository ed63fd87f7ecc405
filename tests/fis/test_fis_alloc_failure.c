/*
 * test_fis_alloc_failure.c - running out of memory at any allocation the
 * FIS converter (or the scenario loader under it) makes gives RDSIM_ENOMEM,
 * no result, and (under ASan) no leak.
 *
 * malloc, calloc, realloc and strdup are wrapped at link time
 * (-Wl,--wrap): the static libraries' calls go through the wrappers, which
 * fail the Nth call once armed. jansson's and libyaml's own allocations are
 * not wrapped (shared libraries), nor open_memstream's buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/fis.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
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

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
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

static void run_until_success(const char *tpl, const char *cluster,
                              const struct rdsim_fis_options *opt)
{
    for (long k = 0;; k++) {
        struct rdsim_fis_result *res = NULL;
        struct rdsim_err err = {0};
        armed = true;
        countdown = k;
        int rc = rdsim_fis_convert_files(tpl, cluster, opt, &res, &err);
        armed = false;
        if (rc == 0) {
            assert_non_null(res);
            rdsim_fis_result_free(res);
            assert_true(k > 20); /* it did allocate, and each failure was seen */
            return;
        }
        if (rc != RDSIM_ENOMEM)
            fail_msg("allocation %ld failing gave %d: %s", k, rc, err.msg);
        assert_null(res);
        assert_non_null(strstr(err.msg, "out of memory"));
    }
}

static void test_every_allocation_failure_is_enomem_without_leaks(void **state)
{
    (void)state;
    struct rdsim_fis_options skip = {.skip_unsupported = true};
    run_until_success("templates/az-power-interruption.json", "clusters/aurora.yaml", &skip);
    run_until_success("templates/az-outage-after-wait.json", "clusters/multi-az-instance.yaml",
                      NULL);
    run_until_success("templates/reboot-force-failover.json", "clusters/multi-az-instance.yaml",
                      NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_failure_is_enomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
