/*
 * rng.c - seeded random streams: xoshiro256** plus the distributions the
 * simulator draws from (uniform, exponential, Zipf).
 *
 * A stream's state is derived from (scenario seed XOR FNV-1a-64 of the
 * stream name) through SplitMix64, as the xoshiro authors recommend, so two
 * streams of one seed are unrelated and a stream never changes when another
 * component draws more or fewer numbers. Every function is a pure function of
 * the stream state: no clock, no environment, no rand(), no globals.
 *
 * Deliberately not here: floating-point formatting or parsing, and any
 * distribution that would need a table proportional to its domain.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "rdsim/rng.h"

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (; s != NULL && *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void rdsim_rng_init(struct rdsim_rng *rng, uint64_t seed, const char *stream)
{
    uint64_t x = seed ^ fnv1a64(stream);

    /* Four consecutive SplitMix64 outputs are never all zero, which is the
     * one state xoshiro cannot leave. */
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

uint64_t rdsim_rng_next(struct rdsim_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rdsim_rng_unit(struct rdsim_rng *rng)
{
    /* The top 53 bits are xoshiro256**'s best, and exactly fill a double's
     * mantissa: the result is a multiple of 2^-53 in [0, 1). */
    return (double)(rdsim_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t rdsim_rng_below(struct rdsim_rng *rng, uint64_t n)
{
    __extension__ typedef unsigned __int128 u128;
    u128 m;
    uint64_t lo;

    if (n == 0)
        return 0;
    /* Lemire's multiply-and-reject: the high word of x*n is uniform in [0, n)
     * once the few x whose low word falls below 2^64 mod n are rejected. */
    m = (u128)rdsim_rng_next(rng) * n;
    lo = (uint64_t)m;
    if (lo < n) {
        const uint64_t threshold = (0 - n) % n;

        while (lo < threshold) {
            m = (u128)rdsim_rng_next(rng) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

rdsim_time_t rdsim_rng_range(struct rdsim_rng *rng, rdsim_time_t lo, rdsim_time_t hi)
{
    uint64_t span, r;

    if (hi <= lo)
        return lo;
    /* Unsigned arithmetic: hi - lo may not fit in int64_t. */
    span = (uint64_t)hi - (uint64_t)lo;
    r = span == UINT64_MAX ? rdsim_rng_next(rng) : rdsim_rng_below(rng, span + 1);
    return (rdsim_time_t)((uint64_t)lo + r);
}

rdsim_time_t rdsim_rng_exp(struct rdsim_rng *rng, rdsim_time_t mean)
{
    double x;

    if (mean <= 0)
        return 0;
    /* 1 - u is in (0, 1], so the logarithm is finite and x >= 0. */
    x = -log1p(-rdsim_rng_unit(rng)) * (double)mean;
    if (x >= 0x1.0p63)
        return RDSIM_TIME_MAX;
    return (rdsim_time_t)(x + 0.5);
}

/*
 * Zipf by rejection-inversion (W. Hormann, G. Derflinger, "Rejection-inversion
 * to generate variates from monotone discrete distributions", 1996), following
 * Apache Commons RNG's RejectionInversionZipfSampler. Ranks are 1-based inside
 * the algorithm and shifted to 0-based on return.
 *
 * H(x) is the integral of h(x) = x^-s. The helpers expm1(t)/t and log1p(t)/t
 * make H and its inverse continuous through s = 1, where H(x) = log(x), so no
 * special case is needed for the harmonic exponent.
 */

/* log1p(x) / x, tending to 1 as x -> 0. */
static double helper1(double x)
{
    if (fabs(x) > 1e-8)
        return log1p(x) / x;
    return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

/* expm1(x) / x, tending to 1 as x -> 0. */
static double helper2(double x)
{
    if (fabs(x) > 1e-8)
        return expm1(x) / x;
    return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

static double zipf_h(double s, double x)
{
    return exp(-s * log(x));
}

static double zipf_hint(double s, double x)
{
    const double log_x = log(x);

    return helper2((1.0 - s) * log_x) * log_x;
}

static double zipf_hint_inv(double s, double x)
{
    double t = x * (1.0 - s);

    /* Rounding can push t just below -1, where log1p is undefined. */
    if (t < -1.0)
        t = -1.0;
    return exp(helper1(t) * x);
}

void rdsim_zipf_init(struct rdsim_zipf *z, uint64_t n, double s)
{
    z->n = n;
    z->s = s;
    z->h_x1 = zipf_hint(s, 1.5) - 1.0;
    z->h_n = zipf_hint(s, (double)n + 0.5);
    z->threshold = 2.0 - zipf_hint_inv(s, zipf_hint(s, 2.5) - zipf_h(s, 2.0));
}

uint64_t rdsim_zipf_draw(const struct rdsim_zipf *z, struct rdsim_rng *rng)
{
    const double n = (double)z->n;

    if (z->n <= 1)
        return 0;
    for (;;) {
        /* u is uniform in (h_x1, h_n]. */
        const double u = z->h_n + rdsim_rng_unit(rng) * (z->h_x1 - z->h_n);
        const double x = zipf_hint_inv(z->s, u);
        double kd = floor(x + 0.5);

        /* Clamp in double: x can be out of [1, n] through rounding, and a
         * huge double must never reach an integer conversion. */
        if (kd < 1.0)
            kd = 1.0;
        else if (kd > n)
            kd = n;
        if (kd - x <= z->threshold || u >= zipf_hint(z->s, kd + 0.5) - zipf_h(z->s, kd)) {
            /* (double)n rounds up when n > 2^53. */
            uint64_t k = kd >= 0x1.0p64 ? z->n : (uint64_t)kd;

            return (k > z->n ? z->n : k) - 1;
        }
    }
}
