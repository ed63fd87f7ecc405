/*
 * plot.h - the gnuplot scripts of a results folder, and of a comparison.
 *
 * These functions only write scripts; they never run gnuplot (the CLI
 * does, when it finds it). They read what a finished run left in its
 * folder (summary.json, timeseries.csv), so they work the same for a run
 * just made and for one made earlier.
 */
#ifndef RDSIM_PLOT_H
#define RDSIM_PLOT_H

#include <stdio.h>

#include "rdsim/err.h"

/*
 * Write RUN_DIR/plots/: the figure scripts (render.gp draws them all:
 * latency, availability, throughput, roles, and lag and capacity where the
 * run has them), run.gp (the run's facts) and marks.gp (its faults and
 * failover phases). Returns 0; RDSIM_EINVAL when RUN_DIR holds no readable
 * rdsim results (the message says which file); RDSIM_EIO or RDSIM_ENOMEM.
 */
int rdsim_plot_write(const char *run_dir, struct rdsim_err *err);

/*
 * Write into OUT_DIR (which must exist) the scripts that overlay run A and
 * run B on one latency and one availability figure (compare-render.gp
 * draws both), with copies of their timeseries.csv as a.csv and b.csv so
 * the folder renders on its own. The faults shaded are A's. Errors as
 * rdsim_plot_write; RDSIM_EINVAL too when the runs share no series.
 */
int rdsim_plot_write_compare(const char *dir_a, const char *dir_b, const char *out_dir,
                             struct rdsim_err *err);

/*
 * Print run A's and run B's key figures side by side to `out` (uptime,
 * availability and attempt success per endpoint, writer downtime, when the
 * last client wrote again, latency, lost writes, stale reads), each row
 * named as docs/outputs.md names the figure; "-" where a run lacks it.
 * Errors as rdsim_plot_write.
 */
int rdsim_plot_compare_figures(const char *dir_a, const char *dir_b, FILE *out,
                               struct rdsim_err *err);

#endif
