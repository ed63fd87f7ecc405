/*
 * stats.c - the two statistics a sweep's tables rest on.
 *
 * Quantiles use the nearest-rank rule (the ceil(q*n)-th smallest value):
 * every percentile in points.csv is a figure some run actually had, which a
 * reader can find in runs.csv; no interpolation between runs.
 *
 * The probability of meeting the SLO is a binomial proportion; its 95%
 * interval is Wilson's score interval, which stays inside 0..1 and is
 * honest at 0 or n successes, where the textbook p +- 1.96 sqrt(p(1-p)/n)
 * collapses to a width of zero (Brown, Cai and DasGupta, "Interval
 * Estimation for a Binomial Proportion", Statistical Science 16(2), 2001).
 */
#include <math.h>

#include "rdsim/sweep.h"

double rdsim_sweep_quantile(const double *sorted, size_t n, double q)
{
    double r = ceil(q * (double)n);
    size_t i = r < 1.0 ? 0 : (size_t)r - 1;
    return sorted[i < n ? i : n - 1];
}

void rdsim_sweep_wilson(size_t k, size_t n, double z, double *lo, double *hi)
{
    if (n == 0) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / denom;
    double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
    *lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
    *hi = k == n ? 1.0 : fmin(1.0, centre + half);
}
