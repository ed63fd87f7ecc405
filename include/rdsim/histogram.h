/*
 * histogram.h - log-linear latency histogram with bounded memory.
 *
 * Values (nanoseconds, >= 0) fall into buckets that are linear within each
 * power of two: 2^RDSIM_HIST_SUB_BITS sub-buckets per octave, so any
 * percentile is reported with a relative error under 1% (HdrHistogram's
 * layout). Memory is fixed: it depends neither on the number of values nor on
 * the simulated duration.
 */
#ifndef RDSIM_HISTOGRAM_H
#define RDSIM_HISTOGRAM_H

#include <stdint.h>

#define RDSIM_HIST_SUB_BITS 7 /* 128 sub-buckets: midpoint relative error <= 1/256 */
#define RDSIM_HIST_OCTAVES 56  /* above the exact [0, 128): 128 ns * 2^56 = 2^63, all of int64 */
#define RDSIM_HIST_BUCKETS (((RDSIM_HIST_OCTAVES) + 1) << RDSIM_HIST_SUB_BITS)

struct rdsim_hist {
    uint64_t count;
    int64_t min, max;
    double sum;
    uint64_t buckets[RDSIM_HIST_BUCKETS];
};

void rdsim_hist_reset(struct rdsim_hist *h);
void rdsim_hist_add(struct rdsim_hist *h, int64_t value);
/* Add every value of src into dst. */
void rdsim_hist_merge(struct rdsim_hist *dst, const struct rdsim_hist *src);
/*
 * The value at quantile q (0..1): the midpoint of the bucket holding the
 * ceil(q*count)-th value, clamped to [min, max]. 0 when empty.
 */
int64_t rdsim_hist_quantile(const struct rdsim_hist *h, double q);
double rdsim_hist_mean(const struct rdsim_hist *h);

#endif
