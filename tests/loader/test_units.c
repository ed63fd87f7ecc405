/*
 * test_units.c - the text forms of scenario values (src/scenario/units.c)
 * and the "did you mean" matcher (suggest.c).
 *
 * Each parser is checked on good forms with their exact values, and on every
 * kind of refusal: syntax, sign, size, resolution and order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "rdsim/scenario.h"

static rdsim_time_t dur(const char *s)
{
    rdsim_time_t t = -1;
    assert_int_equal(sc_parse_duration(s, &t), SC_UNIT_OK);
    return t;
}

static void test_duration_every_unit(void **state)
{
    (void)state;
    assert_int_equal(dur("250us"), 250 * RDSIM_US);
    assert_int_equal(dur("1ms"), RDSIM_MS);
    assert_int_equal(dur("30s"), 30 * RDSIM_S);
    assert_int_equal(dur("2m"), 120 * RDSIM_S);
    assert_int_equal(dur("1h"), 3600 * RDSIM_S);
    assert_int_equal(dur("0s"), 0);
}

static void test_duration_decimals_are_exact(void **state)
{
    (void)state;
    assert_int_equal(dur("1.5ms"), 1500000);
    assert_int_equal(dur("1.1ms"), 1100000);
    assert_int_equal(dur("0.1ms"), 100000);
    assert_int_equal(dur("0.001us"), 1);
    assert_int_equal(dur("1.50000s"), 1500000000);
    assert_int_equal(dur("0.5h"), 1800 * RDSIM_S);
    assert_int_equal(dur("1.25m"), 75 * RDSIM_S);
    /* 1/3600 h is not a whole number of ns, 0.000000001s is 1 ns */
    assert_int_equal(dur("0.000000001s"), 1);
}

static void test_duration_bare_number_is_syntax_error(void **state)
{
    (void)state;
    rdsim_time_t t;
    const char *bad[] = {"30", "", "s", "1.s", ".5s", "1e3s", "+1s", "1 s", "1sec", "1S",
                         "1ns", "1..2s", "--1s", "1.5", "ms", "1m s", "0x10s", "1_000s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sc_parse_duration(bad[i], &t), SC_UNIT_SYNTAX);
}

static void test_duration_negative_is_refused_as_such(void **state)
{
    (void)state;
    rdsim_time_t t;
    assert_int_equal(sc_parse_duration("-5s", &t), SC_UNIT_NEGATIVE);
    assert_int_equal(sc_parse_duration("-0.5ms", &t), SC_UNIT_NEGATIVE);
}

static void test_duration_too_large_and_too_fine(void **state)
{
    (void)state;
    rdsim_time_t t;
    assert_int_equal(sc_parse_duration("100000h", &t), SC_UNIT_OK);
    assert_int_equal(t, SC_MAX_DURATION);
    assert_int_equal(sc_parse_duration("100001h", &t), SC_UNIT_TOO_LARGE);
    assert_int_equal(sc_parse_duration("100000.5h", &t), SC_UNIT_TOO_LARGE);
    assert_int_equal(sc_parse_duration("99999999999999999999999999s", &t), SC_UNIT_TOO_LARGE);
    assert_int_equal(sc_parse_duration("0.0001us", &t), SC_UNIT_RESOLUTION);
    assert_int_equal(sc_parse_duration("1.0000001ms", &t), SC_UNIT_RESOLUTION);
    assert_int_equal(sc_parse_duration("0.0000000000000001s", &t), SC_UNIT_RESOLUTION);
}

static void test_public_parse_duration(void **state)
{
    (void)state;
    rdsim_time_t t = 0;
    assert_int_equal(rdsim_parse_duration("1.5ms", &t), RDSIM_OK);
    assert_int_equal(t, 1500000);
    assert_int_equal(rdsim_parse_duration("30", &t), RDSIM_EINVAL);
    assert_int_equal(rdsim_parse_duration("-1s", &t), RDSIM_EINVAL);
    assert_int_equal(rdsim_parse_duration(NULL, &t), RDSIM_EINVAL);
    assert_int_equal(t, 1500000); /* untouched on failure */
}

static void test_format_duration_round_trips(void **state)
{
    (void)state;
    const char *forms[] = {"0s", "1h", "10m", "90s", "1.5ms", "250us", "0.5us", "1.000001s",
                           "3m"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char buf[32];
        sc_format_duration(dur(forms[i]), buf, sizeof buf);
        assert_string_equal(buf, forms[i]);
    }
    char buf[32];
    sc_format_duration(1, buf, sizeof buf);
    assert_string_equal(buf, "0.001us");
}

static void test_range_forms(void **state)
{
    (void)state;
    struct rdsim_range r;
    int side;
    assert_int_equal(sc_parse_range("60s..120s", &r, &side), SC_UNIT_OK);
    assert_int_equal(r.lo, 60 * RDSIM_S);
    assert_int_equal(r.hi, 120 * RDSIM_S);
    assert_int_equal(sc_parse_range("0.1ms..0.5ms", &r, &side), SC_UNIT_OK);
    assert_int_equal(r.lo, 100 * RDSIM_US);
    assert_int_equal(r.hi, 500 * RDSIM_US);
    assert_int_equal(sc_parse_range("5s", &r, &side), SC_UNIT_OK);
    assert_int_equal(r.lo, 5 * RDSIM_S);
    assert_int_equal(r.hi, 5 * RDSIM_S);
    assert_int_equal(sc_parse_range("10s .. 30s", &r, &side), SC_UNIT_OK);
    assert_int_equal(r.hi, 30 * RDSIM_S);
    assert_int_equal(sc_parse_range("1s..1s", &r, &side), SC_UNIT_OK);
}

static void test_range_refusals_say_which_side(void **state)
{
    (void)state;
    struct rdsim_range r;
    int side;
    assert_int_equal(sc_parse_range("30s..10s", &r, &side), SC_UNIT_ORDER);
    assert_int_equal(sc_parse_range("10..30s", &r, &side), SC_UNIT_SYNTAX);
    assert_int_equal(side, 0);
    assert_int_equal(sc_parse_range("10s..30", &r, &side), SC_UNIT_SYNTAX);
    assert_int_equal(side, 1);
    assert_int_equal(sc_parse_range("10s..", &r, &side), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_range("..10s", &r, &side), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_range("1s..2s..3s", &r, &side), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_range("-1s..2s", &r, &side), SC_UNIT_NEGATIVE);
    assert_int_equal(sc_parse_range("1s..200000h", &r, &side), SC_UNIT_TOO_LARGE);
    assert_int_equal(side, 1);
    assert_int_equal(sc_parse_range("", &r, &side), SC_UNIT_SYNTAX);
}

static void test_rate_forms(void **state)
{
    (void)state;
    double v;
    assert_int_equal(sc_parse_rate("900/s", &v), SC_UNIT_OK);
    assert_true(v == 900.0);
    assert_int_equal(sc_parse_rate("60/m", &v), SC_UNIT_OK);
    assert_true(v == 1.0);
    assert_int_equal(sc_parse_rate("7200/h", &v), SC_UNIT_OK);
    assert_true(v == 2.0);
    assert_int_equal(sc_parse_rate("0.5/s", &v), SC_UNIT_OK);
    assert_true(v == 0.5);
    assert_int_equal(sc_parse_rate("0/s", &v), SC_UNIT_OK);
    assert_true(v == 0.0);
    assert_int_equal(sc_parse_rate("1000000/s", &v), SC_UNIT_OK);
}

static void test_rate_refusals(void **state)
{
    (void)state;
    double v;
    const char *bad[] = {"900", "900/", "900/min", "/s", "900 /s", "9e2/s", "900/S", "1.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sc_parse_rate(bad[i], &v), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_rate("-5/s", &v), SC_UNIT_NEGATIVE);
    assert_int_equal(sc_parse_rate("1000001/s", &v), SC_UNIT_TOO_LARGE);
    assert_int_equal(sc_parse_rate("1234567890123456789012345678901/s", &v), SC_UNIT_TOO_LARGE);
}

static void test_integers(void **state)
{
    (void)state;
    int64_t v;
    uint64_t u;
    assert_int_equal(sc_parse_int("42", &v), SC_UNIT_OK);
    assert_int_equal(v, 42);
    assert_int_equal(sc_parse_int("-7", &v), SC_UNIT_OK);
    assert_int_equal(v, -7);
    assert_int_equal(sc_parse_int("9223372036854775807", &v), SC_UNIT_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(sc_parse_int("-9223372036854775808", &v), SC_UNIT_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(sc_parse_int("9223372036854775808", &v), SC_UNIT_TOO_LARGE);
    assert_int_equal(sc_parse_int("1.0", &v), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_int("0x10", &v), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_int("", &v), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_int("--1", &v), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_int("+1", &v), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_uint64("18446744073709551615", &u), SC_UNIT_OK);
    assert_true(u == UINT64_MAX);
    assert_int_equal(sc_parse_uint64("18446744073709551616", &u), SC_UNIT_TOO_LARGE);
    assert_int_equal(sc_parse_uint64("-1", &u), SC_UNIT_NEGATIVE);
    assert_int_equal(sc_parse_uint64("-", &u), SC_UNIT_SYNTAX);
}

static void test_numbers(void **state)
{
    (void)state;
    double v;
    assert_int_equal(sc_parse_number("0.05", &v), SC_UNIT_OK);
    assert_true(v == 0.05);
    assert_int_equal(sc_parse_number("1", &v), SC_UNIT_OK);
    assert_true(v == 1.0);
    assert_int_equal(sc_parse_number("-0.5", &v), SC_UNIT_OK);
    assert_true(v == -0.5);
    assert_int_equal(sc_parse_number("0.999", &v), SC_UNIT_OK);
    assert_true(v == 0.999);
    const char *bad[] = {"", ".5", "5.", "1e3", "1,5", "0.5x", ".inf", "nan", "+1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sc_parse_number(bad[i], &v), SC_UNIT_SYNTAX);
    assert_int_equal(sc_parse_number("1234567890123456789012345678901", &v), SC_UNIT_TOO_LARGE);
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(sc_edit_distance("duration", "duration"), 0);
    assert_int_equal(sc_edit_distance("duraton", "duration"), 1);
    assert_int_equal(sc_edit_distance("tagret", "target"), 1); /* transposition */
    assert_int_equal(sc_edit_distance("", "abc"), 3);
    assert_int_equal(sc_edit_distance("Tier", "tier"), 0);     /* ASCII case ignored */
    assert_int_equal(sc_edit_distance("ca", "abc"), 3);        /* OSA, not unrestricted DL */
}

static void test_suggest_picks_single_closest(void **state)
{
    (void)state;
    static const char *const keys[] = {"name", "role", "az", "instance_class", "tier", NULL};
    assert_string_equal(sc_suggest_list("instance_clas", keys), "instance_class");
    assert_string_equal(sc_suggest_list("tire", keys), "tier");
    assert_string_equal(sc_suggest_list("Name", keys), "name");
    assert_string_equal(sc_suggest_list("inst", keys), "instance_class"); /* prefix */
    assert_null(sc_suggest_list("zone", keys));  /* "role" is 2 away: too far for 4 letters */
    assert_null(sc_suggest_list("name", keys));  /* valid: nothing to suggest */
    assert_null(sc_suggest_list("", keys));
    static const char *const azs[] = {"us-east-1a", "us-east-1b", "us-east-1c", NULL};
    assert_null(sc_suggest_list("us-east-1d", azs)); /* three equally close */
    assert_string_equal(sc_suggest_list("us-east1c", azs), "us-east-1c");
    char longword[200];
    memset(longword, 'a', sizeof longword - 1);
    longword[sizeof longword - 1] = '\0';
    assert_null(sc_suggest_list(longword, keys));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_every_unit),
        cmocka_unit_test(test_duration_decimals_are_exact),
        cmocka_unit_test(test_duration_bare_number_is_syntax_error),
        cmocka_unit_test(test_duration_negative_is_refused_as_such),
        cmocka_unit_test(test_duration_too_large_and_too_fine),
        cmocka_unit_test(test_public_parse_duration),
        cmocka_unit_test(test_format_duration_round_trips),
        cmocka_unit_test(test_range_forms),
        cmocka_unit_test(test_range_refusals_say_which_side),
        cmocka_unit_test(test_rate_forms),
        cmocka_unit_test(test_rate_refusals),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_suggest_picks_single_closest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
