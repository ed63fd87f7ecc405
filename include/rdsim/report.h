/*
 * report.h - output formats: CSV rows, summary.json, and the story of a run
 * (report.md and the terminal tell the same one).
 *
 * Numbers are printed with fixed precision so that the same run gives the
 * same bytes on every machine.
 */
#ifndef RDSIM_REPORT_H
#define RDSIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rdsim/err.h"
#include "rdsim/run.h"

/* Create (truncate) DIR/NAME for writing. NULL with RDSIM_EIO in err (the
 * path and the system's reason) when it cannot be. */
FILE *rdsim_report_create_file(const char *dir, const char *name, struct rdsim_err *err);

/* Write s as one CSV field, quoted when it holds a comma, quote or newline. */
void rdsim_csv_field(FILE *f, const char *s);

/* Write the results as summary.json at `path`. */
int rdsim_report_write_summary(const struct rdsim_results *r, const char *path,
                               struct rdsim_err *err);

/*
 * The story of the run in plain sentences, one paragraph: the setup, each
 * injected event in order, each failover phase by phase with the rule that
 * chose its target, when the clients wrote again, lost and discarded writes,
 * stale reads, notable replica lag, Serverless capacity and the verdict on
 * the expectations. On success *out is a new NUL-terminated string the
 * caller frees. Returns 0 or RDSIM_ENOMEM.
 */
int rdsim_report_story(const struct rdsim_results *r, char **out, struct rdsim_err *err);

/*
 * Write text wrapped at `width` columns, every line starting with `indent`.
 * Runs of white space are one space; a blank line separates paragraphs.
 * With `markdown`, characters that Markdown would read as formatting are
 * escaped, so that the text renders as written.
 */
void rdsim_report_wrap(FILE *f, const char *text, const char *indent, size_t width,
                       bool markdown);

/* A short label for an injected event: "AZ outage us-east-1a",
 * "primary fails", "load: 5000 reads/s". */
void rdsim_report_event_label(const struct rdsim_event_cfg *ev, char *buf, size_t n);

/* Does the event last (a fault window: outages, failures, lag, storage)?
 * *until is its end, clamped to the run's duration (the end when it never
 * heals); for an instant (failover, promote, load...) it is ev->at. */
bool rdsim_report_event_window(const struct rdsim_event_cfg *ev, rdsim_time_t duration,
                               rdsim_time_t *until);

/* Operations of one kind (RDSIM_OP_READ, RDSIM_OP_WRITE) over every
 * endpoint: counts and merged latency. */
void rdsim_report_kind_total(const struct rdsim_results *r, int kind, struct rdsim_counts *out);

/* A latency as the reports print it: "0.96 ms", or "27.72 s" from 1 s up. */
void rdsim_report_latency_text(char *buf, size_t n, rdsim_time_t latency);

/* An expectation's actual value and what was expected, as the reports
 * print them: actual "82.576 s", "0", "true", "large-t0", or why nothing
 * was measured ("no failover"); limit "at most 120 s", "at least 0.999",
 * "false", "large-t0". */
void rdsim_report_expect_text(const struct rdsim_expectation *x, char *actual, char *limit,
                              size_t n);

/*
 * Write DIR/report.md: the scenario, the command that reproduces the run,
 * the story, key figures, the plots found in DIR/plots (rendered before this
 * is called), the expectations and what each file holds. It names no
 * folder, so the same run gives the same bytes wherever it is written.
 * Returns 0, RDSIM_ENOMEM, or RDSIM_EIO when the file cannot be written.
 */
int rdsim_report_write_markdown(const struct rdsim_results *r, const char *out_dir,
                                struct rdsim_err *err);

#endif
