/*
 * gnuplot.h - find gnuplot and run a results folder's scripts with it.
 *
 * gnuplot is a tool of the machine's, not a library: rdsim writes the
 * scripts (src/report/plot.c) and, when gnuplot is on PATH, runs them. A
 * run without gnuplot still succeeds and says how to render later.
 */
#ifndef RDSIM_CLI_GNUPLOT_H
#define RDSIM_CLI_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "rdsim/err.h"

/* Look gnuplot up on PATH; on success its path is in buf. */
bool rdsim_gnuplot_find(char *buf, size_t n);

/*
 * Run `gnuplot -e "formats='FORMATS'" SCRIPT` inside DIR, its messages into
 * DIR/gnuplot.log. `formats` is "png", "svg" or "png svg". Returns 0, or
 * RDSIM_EIO with gnuplot's first error line in err.
 */
int rdsim_gnuplot_run(const char *gnuplot, const char *dir, const char *script,
                      const char *formats, struct rdsim_err *err);

/* Print on stderr that the scripts in DIR wait for gnuplot, and the
 * command that renders them once it is installed. */
void rdsim_gnuplot_missing(const char *dir, const char *command);

#endif
