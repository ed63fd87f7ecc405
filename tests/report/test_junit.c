/*
 * test_junit.c - the JUnit XML writer: the exact bytes of a small document
 * (element order, required attributes, escaping), several suites as a sweep
 * would write them, and a run's suite built from its expectations.
 * test_verdicts.py checks rdsim run's file with a real XML parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/junit.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

static char *write_to_string(const struct rdsim_junit_suite *s, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct rdsim_err err = {0};
    assert_non_null(f);
    assert_int_equal(rdsim_junit_write(f, s, n, &err), 0);
    fclose(f);
    return buf;
}

static void
test_a_suite_is_written_in_the_schemas_order_with_every_required_attribute(void **state)
{
    (void)state;
    const struct rdsim_junit_case cases[] = {
        {.name = "lost_writes", .classname = "demo", .time_s = 0},
        {.name = "max_writer_downtime",
         .classname = "demo",
         .time_s = 0.25,
         .failure = "max_writer_downtime: 90 s, expected at most 60 s",
         .failure_type = "expectation",
         .detail = "90 > 60"},
    };
    const struct rdsim_junit_property props[] = {{"seed", "42"}};
    const struct rdsim_junit_suite s = {
        .name = "demo",
        .timestamp = "2024-05-01T12:00:00",
        .hostname = "ci-7",
        .time_s = 1.5,
        .properties = props,
        .n_properties = 1,
        .cases = cases,
        .n_cases = 2,
        .system_out = "the story",
    };
    char *xml = write_to_string(&s, 1);
    assert_string_equal(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites>\n"
        "  <testsuite name=\"demo\" package=\"rdsim\" id=\"0\" "
        "timestamp=\"2024-05-01T12:00:00\" "
        "hostname=\"ci-7\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"1.500\">\n"
        "    <properties>\n"
        "      <property name=\"seed\" value=\"42\"/>\n"
        "    </properties>\n"
        "    <testcase name=\"lost_writes\" classname=\"demo\" time=\"0.000\"/>\n"
        "    <testcase name=\"max_writer_downtime\" classname=\"demo\" time=\"0.250\">\n"
        "      <failure message=\"max_writer_downtime: 90 s, expected at most 60 s\" "
        "type=\"expectation\">90 &gt; 60</failure>\n"
        "    </testcase>\n"
        "    <system-out>the story</system-out>\n"
        "    <system-err></system-err>\n"
        "  </testsuite>\n"
        "</testsuites>\n");
    free(xml);
}

/* Markup characters are escaped, line breaks in attributes kept as
 * references, and characters XML 1.0 cannot hold replaced. */
static void test_text_is_escaped_for_xml(void **state)
{
    (void)state;
    const struct rdsim_junit_case c = {.name = "a&b<c>\"d\"",
                                       .classname = "x\ty\nz",
                                       .failure = "1 < 2 & \x01",
                                       .detail = "\"q\" <&>\n"};
    const struct rdsim_junit_suite s = {
        .name = "n", .cases = &c, .n_cases = 1, .system_out = "x\x1fy"};
    char *xml = write_to_string(&s, 1);
    assert_non_null(strstr(xml, "<testcase name=\"a&amp;b&lt;c&gt;&quot;d&quot;\" "
                                "classname=\"x&#9;y&#10;z\""));
    assert_non_null(strstr(xml,
                           "message=\"1 &lt; 2 &amp; \xef\xbf\xbd\" type=\"failure\">"
                           "\"q\" &lt;&amp;&gt;\n</failure>"));
    assert_non_null(strstr(xml, "<system-out>x\xef\xbf\xbdy</system-out>"));
    /* Defaults the schema requires: a host and a timestamp. */
    assert_non_null(
        strstr(xml, "timestamp=\"1970-01-01T00:00:00\" hostname=\"localhost\""));
    free(xml);
}

/* A sweep writes one suite per point: ids count from 0. */
static void test_several_suites_are_numbered_from_zero(void **state)
{
    (void)state;
    const struct rdsim_junit_suite s[] = {{.name = "point-1"}, {.name = "point-2"}};
    char *xml = write_to_string(s, 2);
    assert_non_null(strstr(xml, "name=\"point-1\" package=\"rdsim\" id=\"0\""));
    assert_non_null(strstr(xml, "name=\"point-2\" package=\"rdsim\" id=\"1\""));
    assert_non_null(strstr(xml, "tests=\"0\" failures=\"0\""));
    free(xml);
}

static void test_an_unwritable_path_is_eio_and_named(void **state)
{
    (void)state;
    const struct rdsim_junit_suite s = {.name = "n"};
    struct rdsim_err err = {0};
    assert_int_equal(rdsim_junit_write_file("/nonexistent/dir/j.xml", &s, 1, &err),
                     RDSIM_EIO);
    assert_string_equal(
        err.msg, "/nonexistent/dir/j.xml: cannot write: No such file or directory");
}

/* A run's suite: one case per expectation the results hold, whatever they
 * are, failed where the results say. */
static void test_a_runs_suite_has_a_case_per_expectation(void **state)
{
    (void)state;
    static const char yaml[] =
        "name: small\n"
        "duration: 30s\n"
        "cluster:\n"
        "  deployment: single-az\n"
        "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
        "workload: {rows: 100, reads: 20/s, writes: 10/s}\n"
        "events:\n"
        "  - {at: 10s, action: instance-failure, target: db, for: 5s}\n"
        "expect: {max_writer_downtime: 1s, lost_writes: 0}\n";
    struct rdsim_scenario *sc = NULL;
    struct rdsim_results *res = NULL;
    struct rdsim_junit_run *j = NULL;
    struct rdsim_err err = {0};
    struct rdsim_run_options opt = {0};
    assert_int_equal(
        rdsim_scenario_load_buffer("dir/small.yaml", yaml, strlen(yaml), &sc, &err), 0);
    assert_int_equal(rdsim_run(sc, &opt, &res, &err), 0);
    assert_int_equal(rdsim_junit_run_suite(res, &j, &err), 0);
    assert_int_equal(j->suite.n_cases, res->n_expect);
    assert_int_equal(j->suite.n_cases, 2);
    assert_string_equal(j->suite.cases[0].name, "max_writer_downtime");
    assert_non_null(j->suite.cases[0].failure);
    assert_true(strncmp(j->suite.cases[0].failure, "max_writer_downtime: ", 21) == 0);
    assert_non_null(strstr(j->suite.cases[0].failure, ", expected at most 1 s"));
    assert_non_null(strstr(j->suite.cases[0].detail, "(scenario small.yaml, seed 1)"));
    assert_string_equal(j->suite.cases[1].name, "lost_writes");
    assert_null(j->suite.cases[1].failure);
    assert_string_equal(j->suite.cases[1].classname, "small");
    assert_non_null(strstr(j->suite.system_out, "db fails"));
    rdsim_junit_run_free(j);
    rdsim_junit_run_free(NULL);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_a_suite_is_written_in_the_schemas_order_with_every_required_attribute),
        cmocka_unit_test(test_text_is_escaped_for_xml),
        cmocka_unit_test(test_several_suites_are_numbered_from_zero),
        cmocka_unit_test(test_an_unwritable_path_is_eio_and_named),
        cmocka_unit_test(test_a_runs_suite_has_a_case_per_expectation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
