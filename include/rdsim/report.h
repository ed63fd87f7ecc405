/*
 * report.h - output formats: CSV rows and summary.json.
 *
 * Numbers are printed with fixed precision so that the same run gives the
 * same bytes on every machine.
 */
#ifndef RDSIM_REPORT_H
#define RDSIM_REPORT_H

#include <stdio.h>

#include "rdsim/err.h"
#include "rdsim/run.h"

/* Write s as one CSV field, quoted when it holds a comma, quote or newline. */
void rdsim_csv_field(FILE *f, const char *s);

/* Write the results as summary.json at `path`. */
int rdsim_report_write_summary(const struct rdsim_results *r, const char *path,
                               struct rdsim_err *err);

#endif
