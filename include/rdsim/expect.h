/*
 * expect.h - a run's figures by name, and the scenario's expectations
 * checked against them.
 *
 * rdsim_figure_value gives the number summary.json prints for a figure
 * of rdsim/figures.h, rounded as summary.json rounds it, so that a bound
 * (`max: {p99_write_ms: 50}`, or a sweep's SLO) is checked against the
 * figure as the reader sees it. rdsim_expect_check fills the results'
 * expectations from the scenario's expect: section, in the order
 * docs/scenario-format.md §7 gives.
 */
#ifndef RDSIM_EXPECT_H
#define RDSIM_EXPECT_H

#include <stdbool.h>

#include "rdsim/figures.h"
#include "rdsim/run.h"

/*
 * The figure `f` of results `r` into *out. Returns false when the run
 * measured nothing for it (no operations sent to that endpoint, no read
 * served, no operation of that kind that succeeded for a latency): a
 * bound on it is then not met. *why (may be NULL) gets a short reason
 * ("no reads served") when it returns false.
 */
bool rdsim_figure_value(const struct rdsim_results *r, enum rdsim_figure f, double *out,
                        const char **why);

/* Evaluate r->sc's expectations into r->expect, r->n_expect and
 * r->expectations_ok (true when there are none). */
void rdsim_expect_check(struct rdsim_results *r);

#endif
