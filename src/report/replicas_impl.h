/*
 * replicas_impl.h - the new replicas and auto scaling of a run, as
 * summary.c, markdown.c and story.c tell them (replicas.c). Nothing outside
 * src/report includes it.
 */
#ifndef RDSIM_REPORT_REPLICAS_IMPL_H
#define RDSIM_REPORT_REPLICAS_IMPL_H

#include <jansson.h>
#include <stdio.h>

#include "rdsim/results.h"

/* summary.json: `replicas_created` when the run created one or the
 * scenario asks for one, `autoscaling` with cluster.replica_autoscaling. */
void report_replicas_json(json_t *root, const struct rdsim_results *r);
/* report.md: the "New replicas" section (nothing without them). */
void report_replicas_markdown(FILE *f, const struct rdsim_results *r);
/* The story's sentences about them (nothing without them). */
void report_replicas_story(FILE *f, const struct rdsim_results *r);

#endif
