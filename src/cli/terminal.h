/*
 * terminal.h - what rdsim run prints: a progress line and the closing summary.
 */
#ifndef RDSIM_CLI_TERMINAL_H
#define RDSIM_CLI_TERMINAL_H

#include <stdbool.h>
#include <stdio.h>

#include "rdsim/run.h"

struct rdsim_progress {
    bool enabled;      /* stderr is a terminal and not --quiet */
    const char *name;
    double last_wall;  /* wall-clock seconds of the last redraw */
    double start_wall;
    bool drawn;
};

void rdsim_progress_init(struct rdsim_progress *p, bool enabled, const char *name);
/* Run-progress callback (struct rdsim_run_options.progress). */
void rdsim_progress_update(void *ctx, rdsim_time_t now, rdsim_time_t duration);
/* Erase the progress line. */
void rdsim_progress_done(struct rdsim_progress *p);

/* The closing story of a run, in a few lines: the story report.md opens
 * with, the key figures, the expectations and where the files are
 * (`plotted`: the figures were drawn). */
void rdsim_print_summary(FILE *f, const struct rdsim_results *r, const char *out_dir,
                         bool plotted);

#endif
