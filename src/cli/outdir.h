/*
 * outdir.h - the results folder: create it, refuse to clobber strangers' files.
 */
#ifndef RDSIM_CLI_OUTDIR_H
#define RDSIM_CLI_OUTDIR_H

#include <stdbool.h>

#include "rdsim/err.h"

/* The file that marks a folder as an rdsim result. */
#define RDSIM_RESULT_MARK ".rdsim-result"

/*
 * Make sure `dir` can take a run's results: create it (and its parents) if
 * missing; refuse (RDSIM_EINVAL) a folder holding files rdsim did not write,
 * unless `force`. Removes the mark of an earlier result.
 */
int rdsim_outdir_prepare(const char *dir, bool force, struct rdsim_err *err);
/* The same for a --keep-db folder, whose own files are *.sqlite. */
int rdsim_outdir_prepare_db(const char *dir, bool force, struct rdsim_err *err);
/* The same for an rdsim plot --compare folder (two series, scripts and
 * figures). */
int rdsim_outdir_prepare_compare(const char *dir, bool force, struct rdsim_err *err);
/* Create dir and its parents if missing. */
int rdsim_outdir_make(const char *dir, struct rdsim_err *err);
/* Write the result mark once the run is complete. */
int rdsim_outdir_mark(const char *dir, struct rdsim_err *err);

#endif
