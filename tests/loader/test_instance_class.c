/*
 * test_instance_class.c - the instance class table: lookups, published
 * sizes, the service-time assumptions and the size order Aurora uses to pick
 * a failover target.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/instance_class.h"

static void test_find_exact_name(void **state)
{
    (void)state;
    const struct rdsim_instance_class *c = rdsim_instance_class_find("db.r6g.large");
    assert_non_null(c);
    assert_string_equal(c->name, "db.r6g.large");
    assert_int_equal(c->vcpus, 2);
    assert_int_equal(c->memory_gib, 16);
    assert_null(rdsim_instance_class_find("db.r6g.Large"));
    assert_null(rdsim_instance_class_find("db.r6g"));
    assert_null(rdsim_instance_class_find(""));
    assert_null(rdsim_instance_class_find(NULL));
}

static void test_published_sizes(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int vcpus, mem;
    } want[] = {
        {"db.t3.micro", 2, 1},      {"db.t3.2xlarge", 8, 32},   {"db.t4g.medium", 2, 4},
        {"db.m5.24xlarge", 96, 384}, {"db.m6g.16xlarge", 64, 256}, {"db.m7g.large", 2, 8},
        {"db.r5.24xlarge", 96, 768}, {"db.r5.12xlarge", 48, 384}, {"db.r6g.4xlarge", 16, 128},
        {"db.r7g.16xlarge", 64, 512},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct rdsim_instance_class *c = rdsim_instance_class_find(want[i].name);
        assert_non_null(c);
        assert_int_equal(c->vcpus, want[i].vcpus);
        assert_int_equal(c->memory_gib, want[i].mem);
    }
}

static void test_service_times_scale_by_family_speed(void **state)
{
    (void)state;
    const struct rdsim_instance_class *r6g = rdsim_instance_class_find("db.r6g.large");
    const struct rdsim_instance_class *r5 = rdsim_instance_class_find("db.r5.xlarge");
    const struct rdsim_instance_class *r7g = rdsim_instance_class_find("db.r7g.large");
    const struct rdsim_instance_class *t3 = rdsim_instance_class_find("db.t3.medium");
    const struct rdsim_instance_class *t4g = rdsim_instance_class_find("db.t4g.large");
    assert_int_equal(r6g->read_service, 120 * RDSIM_US);
    assert_int_equal(r6g->write_service, 450 * RDSIM_US);
    assert_int_equal(r5->read_service, 120 * RDSIM_US);
    assert_int_equal(r7g->read_service, 96 * RDSIM_US);   /* 1.25x faster */
    assert_int_equal(r7g->write_service, 360 * RDSIM_US);
    assert_int_equal(t3->read_service, 240 * RDSIM_US);   /* 0.5x */
    assert_int_equal(t3->write_service, 900 * RDSIM_US);
    assert_int_equal(t4g->read_service, 200 * RDSIM_US);  /* 0.6x */
    assert_int_equal(t4g->write_service, 750 * RDSIM_US);
}

static void test_serverless_has_no_fixed_size(void **state)
{
    (void)state;
    const struct rdsim_instance_class *s = rdsim_instance_class_find("serverless");
    assert_non_null(s);
    assert_int_equal(s->vcpus, 0);
    assert_int_equal(s->memory_gib, 0);
    assert_true(s->read_service > 0);
}

static void test_table_iteration_is_complete_and_unique(void **state)
{
    (void)state;
    size_t n = rdsim_instance_class_count();
    assert_int_equal(n, 57);
    for (size_t i = 0; i < n; i++) {
        const struct rdsim_instance_class *c = rdsim_instance_class_at(i);
        assert_non_null(c);
        assert_ptr_equal(rdsim_instance_class_find(c->name), c);
        assert_true(c->read_service > 0 && c->write_service > c->read_service);
    }
    assert_null(rdsim_instance_class_at(n));
    assert_string_equal(rdsim_instance_class_at(0)->name, "db.t3.micro");
}

static void test_compare_orders_by_vcpus_then_memory(void **state)
{
    (void)state;
    const struct rdsim_instance_class *m5l = rdsim_instance_class_find("db.m5.large");
    const struct rdsim_instance_class *r5l = rdsim_instance_class_find("db.r5.large");
    const struct rdsim_instance_class *r6gl = rdsim_instance_class_find("db.r6g.large");
    const struct rdsim_instance_class *m5xl = rdsim_instance_class_find("db.m5.xlarge");
    const struct rdsim_instance_class *sl = rdsim_instance_class_find("serverless");
    assert_true(rdsim_instance_class_compare(m5l, r5l) < 0);   /* same vCPUs, less memory */
    assert_true(rdsim_instance_class_compare(r5l, m5l) > 0);
    assert_true(rdsim_instance_class_compare(r5l, m5xl) < 0);  /* vCPUs first */
    assert_int_equal(rdsim_instance_class_compare(r5l, r6gl), 0);
    assert_true(rdsim_instance_class_compare(sl, m5l) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_exact_name),
        cmocka_unit_test(test_published_sizes),
        cmocka_unit_test(test_service_times_scale_by_family_speed),
        cmocka_unit_test(test_serverless_has_no_fixed_size),
        cmocka_unit_test(test_table_iteration_is_complete_and_unique),
        cmocka_unit_test(test_compare_orders_by_vcpus_then_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
