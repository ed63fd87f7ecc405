/*
 * test_histogram.c - the log-linear latency histogram: exactness below 256,
 * bounded relative error everywhere else, quantile rank rules, merge, reset.
 *
 * Single-value histograms report the value exactly because quantiles are
 * clamped to [min, max]; the error sweep therefore brackets each value with
 * 0 and INT64_MAX so the reported number is the bucket midpoint itself.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/histogram.h"
#include "rdsim/rng.h"

static struct rdsim_hist *new_hist(void)
{
    struct rdsim_hist *h = malloc(sizeof(*h));

    assert_non_null(h);
    /* Garbage first, so the test relies on reset, not on calloc. */
    memset(h, 0xa5, sizeof(*h));
    rdsim_hist_reset(h);
    return h;
}

static double rel_err(int64_t got, int64_t want)
{
    return fabs((double)got - (double)want) / (double)want;
}

static void test_hist_empty_quantiles_and_mean_are_zero(void **state)
{
    struct rdsim_hist *h = new_hist();

    assert_int_equal(h->count, 0);
    assert_int_equal(rdsim_hist_quantile(h, 0.0), 0);
    assert_int_equal(rdsim_hist_quantile(h, 0.5), 0);
    assert_int_equal(rdsim_hist_quantile(h, 1.0), 0);
    assert_true(rdsim_hist_mean(h) == 0.0);
    free(h);
}

static void test_hist_single_value_is_every_quantile(void **state)
{
    struct rdsim_hist *h = new_hist();

    rdsim_hist_add(h, 123456789);
    assert_int_equal(h->count, 1);
    assert_int_equal(h->min, 123456789);
    assert_int_equal(h->max, 123456789);
    assert_int_equal(rdsim_hist_quantile(h, 0.0), 123456789);
    assert_int_equal(rdsim_hist_quantile(h, 0.5), 123456789);
    assert_int_equal(rdsim_hist_quantile(h, 0.999), 123456789);
    assert_int_equal(rdsim_hist_quantile(h, 1.0), 123456789);
    assert_true(rdsim_hist_mean(h) == 123456789.0);
    free(h);
}

static void test_hist_small_values_give_exact_percentiles(void **state)
{
    struct rdsim_hist *h = new_hist();

    /* 0..255 each once (exact buckets), shuffled order does not matter. */
    for (int64_t v = 255; v >= 0; v--)
        rdsim_hist_add(h, v);
    for (int k = 1; k <= 256; k++)
        assert_int_equal(rdsim_hist_quantile(h, k / 256.0), k - 1);

    /* 1..100: the k-th percentile is k, including ranks whose q * count is
     * not exact in binary (0.07 * 100 = 7.000000000000001). */
    rdsim_hist_reset(h);
    for (int64_t v = 1; v <= 100; v++)
        rdsim_hist_add(h, v);
    for (int k = 1; k <= 100; k++)
        assert_int_equal(rdsim_hist_quantile(h, k / 100.0), k);
    assert_int_equal(rdsim_hist_quantile(h, 0.505), 51);
    assert_int_equal(rdsim_hist_quantile(h, 0.0), 1);
    free(h);
}

static void test_hist_out_of_range_q_clamps_to_min_and_max(void **state)
{
    struct rdsim_hist *h = new_hist();

    rdsim_hist_add(h, 10);
    rdsim_hist_add(h, 20);
    assert_int_equal(rdsim_hist_quantile(h, -1.0), 10);
    assert_int_equal(rdsim_hist_quantile(h, 2.0), 20);
    assert_int_equal(rdsim_hist_quantile(h, NAN), 10);
    free(h);
}

static void check_midpoint_error(struct rdsim_hist *h, int64_t v, double *worst)
{
    int64_t got;
    double e;

    rdsim_hist_reset(h);
    rdsim_hist_add(h, v);
    assert_int_equal(rdsim_hist_quantile(h, 0.5), v);
    /* Bracketed: the median is v's bucket midpoint, unclamped. */
    rdsim_hist_add(h, 0);
    rdsim_hist_add(h, INT64_MAX);
    got = rdsim_hist_quantile(h, 0.5);
    e = rel_err(got, v);
    if (e > *worst)
        *worst = e;
    if (e >= 0.01)
        fail_msg("value %lld reported as %lld (%.4f%%)", (long long)v, (long long)got,
                 100 * e);
}

static void test_hist_relative_error_under_one_percent_from_1ns_to_1e12ns(void **state)
{
    struct rdsim_hist *h = new_hist();
    double worst = 0;

    for (double x = 1; x <= 1e12; x *= 1.0123)
        check_midpoint_error(h, (int64_t)x, &worst);
    /* Bucket edges of every octave up to the top of int64. */
    for (int k = 1; k < 63; k++) {
        int64_t p = INT64_C(1) << k;

        check_midpoint_error(h, p - 1, &worst);
        check_midpoint_error(h, p, &worst);
        check_midpoint_error(h, p + 1, &worst);
        check_midpoint_error(h, p + p / 2 - 1, &worst);
    }
    /* Values below 256 are exact, so the worst case is the layout's bound
     * of half a bucket: 1/256. */
    assert_true(worst <= 1.0 / 256 + 1e-12);
    assert_true(worst > 1.0 / 300); /* the sweep really hit wide buckets */
    free(h);
}

static void test_hist_uniform_1_to_100000_percentiles_within_one_percent(void **state)
{
    struct rdsim_hist *h = new_hist();

    for (int64_t v = 1; v <= 100000; v++)
        rdsim_hist_add(h, v);
    assert_true(rel_err(rdsim_hist_quantile(h, 0.5), 50000) < 0.01);
    assert_true(rel_err(rdsim_hist_quantile(h, 0.99), 99000) < 0.01);
    assert_true(rel_err(rdsim_hist_quantile(h, 0.999), 99900) < 0.01);
    assert_true(rel_err(rdsim_hist_quantile(h, 0.1), 10000) < 0.01);
    assert_int_equal(rdsim_hist_quantile(h, 1.0), 100000);
    assert_int_equal(rdsim_hist_quantile(h, 0.0), 1);
    assert_true(fabs(rdsim_hist_mean(h) - 50000.5) < 1e-6);
    free(h);
}

static void test_hist_negative_values_count_as_zero(void **state)
{
    struct rdsim_hist *h = new_hist();

    rdsim_hist_add(h, -5);
    rdsim_hist_add(h, INT64_MIN);
    assert_int_equal(h->count, 2);
    assert_int_equal(h->min, 0);
    assert_int_equal(h->max, 0);
    assert_int_equal(h->buckets[0], 2);
    assert_int_equal(rdsim_hist_quantile(h, 0.5), 0);
    assert_true(rdsim_hist_mean(h) == 0.0);
    free(h);
}

static void test_hist_largest_values_land_in_last_bucket(void **state)
{
    struct rdsim_hist *h = new_hist();

    rdsim_hist_add(h, INT64_MAX);
    rdsim_hist_add(h, INT64_MAX - 1);
    assert_int_equal(h->buckets[RDSIM_HIST_BUCKETS - 1], 2);
    assert_int_equal(rdsim_hist_quantile(h, 1.0), INT64_MAX);
    assert_int_equal(rdsim_hist_quantile(h, 0.5), INT64_MAX - 1);
    free(h);
}

static void test_hist_merge_equals_adding_all(void **state)
{
    struct rdsim_hist *a = new_hist(), *b = new_hist(), *all = new_hist();
    struct rdsim_hist *empty = new_hist();
    struct rdsim_rng rng;

    rdsim_rng_init(&rng, 1, "hist");
    for (int i = 0; i < 50000; i++) {
        /* Integer-valued sums below 2^53 are exact, so sum compares equal. */
        int64_t v = rdsim_rng_exp(&rng, 2 * 1000 * 1000);

        rdsim_hist_add(i % 3 ? a : b, v);
        rdsim_hist_add(all, v);
    }
    rdsim_hist_add(b, 7); /* b holds the minimum */
    rdsim_hist_add(all, 7);
    rdsim_hist_merge(a, b);
    assert_int_equal(a->count, all->count);
    assert_int_equal(a->min, all->min);
    assert_int_equal(a->max, all->max);
    assert_true(a->sum == all->sum);
    assert_memory_equal(a->buckets, all->buckets, sizeof(a->buckets));
    for (double q = 0; q <= 1.0; q += 0.05)
        assert_int_equal(rdsim_hist_quantile(a, q), rdsim_hist_quantile(all, q));

    /* Merging an empty histogram changes nothing; merging into an empty one
     * copies, including min (an empty histogram's min of 0 must not win). */
    rdsim_hist_merge(a, empty);
    assert_int_equal(a->count, all->count);
    assert_int_equal(a->min, all->min);
    rdsim_hist_merge(empty, b);
    assert_int_equal(empty->count, b->count);
    assert_int_equal(empty->min, 7);
    assert_int_equal(empty->max, b->max);
    free(a);
    free(b);
    free(all);
    free(empty);
}

static void test_hist_reset_forgets_everything(void **state)
{
    struct rdsim_hist *h = new_hist();
    static const uint64_t zero[RDSIM_HIST_BUCKETS];

    for (int64_t v = 1000; v < 2000; v++)
        rdsim_hist_add(h, v);
    rdsim_hist_reset(h);
    assert_int_equal(h->count, 0);
    assert_true(h->sum == 0.0);
    assert_memory_equal(h->buckets, zero, sizeof(zero));
    assert_int_equal(rdsim_hist_quantile(h, 0.5), 0);
    /* The next value sets min and max afresh. */
    rdsim_hist_add(h, 5000);
    assert_int_equal(h->min, 5000);
    assert_int_equal(h->max, 5000);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_empty_quantiles_and_mean_are_zero),
        cmocka_unit_test(test_hist_single_value_is_every_quantile),
        cmocka_unit_test(test_hist_small_values_give_exact_percentiles),
        cmocka_unit_test(test_hist_out_of_range_q_clamps_to_min_and_max),
        cmocka_unit_test(test_hist_relative_error_under_one_percent_from_1ns_to_1e12ns),
        cmocka_unit_test(test_hist_uniform_1_to_100000_percentiles_within_one_percent),
        cmocka_unit_test(test_hist_negative_values_count_as_zero),
        cmocka_unit_test(test_hist_largest_values_land_in_last_bucket),
        cmocka_unit_test(test_hist_merge_equals_adding_all),
        cmocka_unit_test(test_hist_reset_forgets_everything),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
