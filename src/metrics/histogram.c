/*
 * histogram.c - log-linear latency histogram (HdrHistogram's bucket layout).
 *
 * Layout, with B = RDSIM_HIST_SUB_BITS and S = 2^B:
 *   - values in [0, S) have one exact bucket each (index = value);
 *   - a value v >= S with highest set bit k falls in octave [2^k, 2^(k+1)),
 *     split into S linear buckets of width 2^(k-B): with shift = k - B,
 *     index = (shift << B) + (v >> shift), where v >> shift is in [S, 2S).
 * So octave [S, 2S) is still exact, and a bucket's width is at most 1/S of
 * its lowest value: the midpoint is within 1/(2S) = 1/256 of any value in it.
 * The top octave [2^62, 2^63) ends at index (RDSIM_HIST_OCTAVES + 1) * S - 1,
 * so every non-negative int64_t has a bucket; negative values count as 0.
 *
 * Memory is the fixed bucket array. Deliberately not here: time series,
 * windows, or anything that allocates.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rdsim/histogram.h"

#define SUB_COUNT (INT64_C(1) << RDSIM_HIST_SUB_BITS)

static inline uint32_t bucket_of(int64_t v)
{
    uint32_t k, shift, idx;

    if (v < SUB_COUNT)
        return (uint32_t)v;
    k = 63u - (uint32_t)__builtin_clzll((unsigned long long)v);
    shift = k - RDSIM_HIST_SUB_BITS;
    idx = (shift << RDSIM_HIST_SUB_BITS) + (uint32_t)(v >> shift);
    /* Unreachable for int64_t input with the header's constants; kept so a
     * smaller RDSIM_HIST_OCTAVES clamps instead of writing out of bounds. */
    return idx < RDSIM_HIST_BUCKETS ? idx : RDSIM_HIST_BUCKETS - 1;
}

/* The value reported for bucket idx: its lowest value plus half its width. */
static int64_t bucket_mid(uint32_t idx)
{
    uint32_t shift;
    uint64_t low;

    if (idx < 2 * SUB_COUNT)
        return idx;
    shift = (idx >> RDSIM_HIST_SUB_BITS) - 1;
    low = (uint64_t)(idx - (shift << RDSIM_HIST_SUB_BITS)) << shift;
    return (int64_t)(low + (UINT64_C(1) << shift) / 2);
}

void rdsim_hist_reset(struct rdsim_hist *h)
{
    memset(h, 0, sizeof(*h));
}

void rdsim_hist_add(struct rdsim_hist *h, int64_t value)
{
    if (value < 0)
        value = 0;
    if (h->count == 0) {
        h->min = value;
        h->max = value;
    } else if (value < h->min) {
        h->min = value;
    } else if (value > h->max) {
        h->max = value;
    }
    h->count++;
    h->sum += (double)value;
    h->buckets[bucket_of(value)]++;
}

void rdsim_hist_merge(struct rdsim_hist *dst, const struct rdsim_hist *src)
{
    if (src->count == 0)
        return;
    if (dst->count == 0) {
        dst->min = src->min;
        dst->max = src->max;
    } else {
        if (src->min < dst->min)
            dst->min = src->min;
        if (src->max > dst->max)
            dst->max = src->max;
    }
    dst->count += src->count;
    dst->sum += src->sum;
    for (uint32_t i = 0; i < RDSIM_HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
}

int64_t rdsim_hist_quantile(const struct rdsim_hist *h, double q)
{
    double x;
    uint64_t rank, seen = 0;

    if (h->count == 0)
        return 0;
    if (!(q > 0.0)) /* also catches NaN */
        return h->min;
    if (q >= 1.0)
        return h->max;
    /* q * count carries rounding error (0.07 * 100 = 7.000000000000001);
     * shaving a relative 1e-12 keeps an exact product from ceiling up. */
    x = q * (double)h->count;
    rank = (uint64_t)ceil(x - x * 1e-12);
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    for (uint32_t i = 0; i < RDSIM_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            int64_t v = bucket_mid(i);

            if (v < h->min)
                v = h->min;
            if (v > h->max)
                v = h->max;
            return v;
        }
    }
    return h->max; /* unreachable while count equals the bucket total */
}

double rdsim_hist_mean(const struct rdsim_hist *h)
{
    return h->count == 0 ? 0.0 : h->sum / (double)h->count;
}
