/*
 * rng.h - seeded random streams (xoshiro256**).
 *
 * Each component owns its own stream, derived from the scenario seed and a
 * stream name with SplitMix64, so adding draws in one component never shifts
 * the numbers another component sees. Nothing here reads the clock, the
 * environment or rand().
 */
#ifndef RDSIM_RNG_H
#define RDSIM_RNG_H

#include <stdint.h>

#include "rdsim/sim.h"

struct rdsim_rng {
    uint64_t s[4];
};

/* Seed a stream from the scenario seed and a stream name ("workload", "net"). */
void rdsim_rng_init(struct rdsim_rng *rng, uint64_t seed, const char *stream);

/* Uniform 64-bit value. */
uint64_t rdsim_rng_next(struct rdsim_rng *rng);
/* Uniform double in [0, 1). */
double rdsim_rng_unit(struct rdsim_rng *rng);
/* Uniform integer in [0, n); n > 0. */
uint64_t rdsim_rng_below(struct rdsim_rng *rng, uint64_t n);
/* Uniform time in [lo, hi]; returns lo when hi <= lo. */
rdsim_time_t rdsim_rng_range(struct rdsim_rng *rng, rdsim_time_t lo, rdsim_time_t hi);
/* Exponentially distributed time with the given mean (Poisson gaps). */
rdsim_time_t rdsim_rng_exp(struct rdsim_rng *rng, rdsim_time_t mean);

/*
 * Zipf over ranks 0..n-1 with exponent s (s > 0), by rejection-inversion
 * (Hormann & Derflinger), O(1) per draw with no table, so memory does not
 * depend on n.
 */
struct rdsim_zipf {
    uint64_t n;
    double s, h_x1, h_n, threshold;
};
void rdsim_zipf_init(struct rdsim_zipf *z, uint64_t n, double s);
uint64_t rdsim_zipf_draw(const struct rdsim_zipf *z, struct rdsim_rng *rng);

#endif
