/*
 * test_diff.c - rdsim_scenario_diff: the parameters in which two scenario
 * texts differ, by dotted path, compared as the loader reads values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/scenario.h"

static const char lesson[] = "name: lesson\n"
                             "description: the words\n"
                             "seed: 5\n"
                             "duration: 6m\n"
                             "cluster:\n"
                             "  deployment: multi-az-instance\n"
                             "  instances:\n"
                             "    - {name: primary, role: writer, az: us-east-1a}\n"
                             "    - {name: standby, role: standby, az: us-east-1b}\n"
                             "workload: {rows: 10000, reads: 400/s, writes: 100/s}\n"
                             "clients: {give_up_after: 30s, dns_cache: forever}\n"
                             "events:\n"
                             "  - {at: 1m, action: instance-failure, target: primary}\n"
                             "expect:\n"
                             "  lost_writes: 0\n";

struct diff {
    struct rdsim_param_change *c;
    size_t n;
};

static struct diff diff(const char *a, const char *b)
{
    struct diff d = {0};
    struct rdsim_err err = {0};
    int rc = rdsim_scenario_diff(a, strlen(a), b, strlen(b), &d.c, &d.n, &err);
    if (rc != 0)
        fail_msg("diff failed: %s", err.msg);
    return d;
}

/* The change at `path`, or a failed test. */
static const struct rdsim_param_change *at(const struct diff *d, const char *path)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->c[i].path, path) == 0)
            return &d->c[i];
    for (size_t i = 0; i < d->n; i++)
        print_message("change: %s\n", d->c[i].path);
    fail_msg("no change at %s", path);
    return NULL;
}

static void test_identical_texts_have_no_change(void **state)
{
    (void)state;
    struct diff d = diff(lesson, lesson);
    assert_int_equal(d.n, 0);
    assert_null(d.c);
}

static void test_values_the_loader_reads_alike_are_equal(void **state)
{
    (void)state;
    /* 6m = 360s, 1m = 60s, 400/s = 24000/m, quoting and key order, another
     * name and description: all the same parameters. */
    static const char same[] =
        "name: my-copy\n"
        "description: other words\n"
        "seed: 5\n"
        "duration: 360s\n"
        "cluster:\n"
        "  deployment: \"multi-az-instance\"\n"
        "  instances:\n"
        "    - {name: standby, role: standby, az: us-east-1b}\n"
        "    - {az: us-east-1a, role: writer, name: primary}\n"
        "workload: {writes: 100/s, reads: 24000/m, rows: 10000}\n"
        "clients: {give_up_after: 0.5m, dns_cache: forever}\n"
        "events:\n"
        "  - {at: 60s, action: instance-failure, target: primary}\n"
        "expect:\n"
        "  lost_writes: 0\n";
    struct diff d = diff(lesson, same);
    for (size_t i = 0; i < d.n; i++)
        print_message("unexpected change: %s\n", d.c[i].path);
    assert_int_equal(d.n, 0);
}

static void test_a_changed_value_is_named_by_its_path_with_both_values(void **state)
{
    (void)state;
    char copy[sizeof lesson + 64];
    const char *p = strstr(lesson, "dns_cache: forever");
    snprintf(copy, sizeof copy, "%.*sdns_cache: ttl%s", (int)(p - lesson), lesson,
             p + strlen("dns_cache: forever"));
    struct diff d = diff(lesson, copy);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.c[0].path, "clients.dns_cache");
    assert_string_equal(d.c[0].shipped, "forever");
    assert_string_equal(d.c[0].here, "ttl");
    rdsim_param_changes_free(d.c, d.n);
}

static void test_instances_are_matched_and_named_by_name(void **state)
{
    (void)state;
    static const char a[] = "cluster:\n  instances:\n"
                            "    - {name: primary, az: us-east-1a}\n"
                            "    - {name: standby, az: us-east-1b}\n";
    static const char b[] = "cluster:\n  instances:\n"
                            "    - {name: standby, az: us-east-1c}\n"
                            "    - {name: primary, az: us-east-1a}\n"
                            "    - {name: r1, az: us-east-1c}\n";
    struct diff d = diff(a, b);
    assert_int_equal(d.n, 2);
    const struct rdsim_param_change *c = at(&d, "cluster.instances.standby.az");
    assert_string_equal(c->shipped, "us-east-1b");
    assert_string_equal(c->here, "us-east-1c");
    c = at(&d, "cluster.instances.r1");
    assert_null(c->shipped);
    assert_string_equal(c->here, "{name: r1, az: us-east-1c}");
    rdsim_param_changes_free(d.c, d.n);
}

static void test_events_are_compared_by_position_and_keys_set_on_one_side(void **state)
{
    (void)state;
    static const char a[] = "seed: 5\nevents:\n  - {at: 1m, action: failover}\n";
    static const char b[] = "events:\n  - {at: 2m, action: failover}\n"
                            "  - {at: 3m, action: failover}\n"
                            "expect: {writer_recovers: false}\n";
    struct diff d = diff(a, b);
    assert_int_equal(d.n, 4);
    assert_string_equal(d.c[0].path, "seed"); /* in the shipped file's order */
    assert_string_equal(d.c[0].shipped, "5");
    assert_null(d.c[0].here);
    const struct rdsim_param_change *c = at(&d, "events[0].at");
    assert_string_equal(c->shipped, "1m");
    assert_string_equal(c->here, "2m");
    c = at(&d, "events[1]");
    assert_null(c->shipped);
    assert_string_equal(c->here, "{at: 3m, action: failover}");
    c = at(&d, "expect");
    assert_null(c->shipped);
    assert_string_equal(c->here, "{writer_recovers: false}");
    rdsim_param_changes_free(d.c, d.n);
}

static void test_a_value_of_another_shape_is_one_change(void **state)
{
    (void)state;
    struct diff d = diff("workload: {rows: 10}\n", "workload: [rows, 10]\n");
    assert_int_equal(d.n, 1);
    assert_string_equal(d.c[0].path, "workload");
    assert_string_equal(d.c[0].shipped, "{rows: 10}");
    assert_string_equal(d.c[0].here, "[rows, 10]");
    rdsim_param_changes_free(d.c, d.n);
}

static void test_text_that_is_not_yaml_is_einval(void **state)
{
    (void)state;
    struct rdsim_param_change *c = NULL;
    size_t n = 7;
    struct rdsim_err err = {0};
    static const char bad[] = "a: [1, 2\n";
    assert_int_equal(
        rdsim_scenario_diff(lesson, strlen(lesson), bad, strlen(bad), &c, &n, &err),
        RDSIM_EINVAL);
    assert_null(c);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err.msg, "not YAML"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_texts_have_no_change),
        cmocka_unit_test(test_values_the_loader_reads_alike_are_equal),
        cmocka_unit_test(test_a_changed_value_is_named_by_its_path_with_both_values),
        cmocka_unit_test(test_instances_are_matched_and_named_by_name),
        cmocka_unit_test(test_events_are_compared_by_position_and_keys_set_on_one_side),
        cmocka_unit_test(test_a_value_of_another_shape_is_one_change),
        cmocka_unit_test(test_text_that_is_not_yaml_is_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
