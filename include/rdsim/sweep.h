/*
 * sweep.h - many runs of one scenario: seeds times a grid of parameter
 * points, and the tables that sum them up (docs/sweeps.md).
 *
 * A sweep file names a base scenario, the seeds, a `vary` grid of dotted
 * paths into the scenario and an `slo` (the keys of `expect:`). The loader
 * checks the file with the scenario loader's error style
 *
 *     FILE:LINE:COL: PATH: what was expected, got what
 *
 * and loads every point's scenario once, so that a value which would make
 * an invalid scenario is refused before anything runs ("point N (...): the
 * scenario's own message").
 *
 * A point's scenario is the base scenario's YAML document with the point's
 * values put in at their paths and the slo as its `expect:`; it is written
 * out as YAML text (rdsim_sweep_point_yaml) which the runs load like any
 * scenario file. A run is therefore a pure function of that text and a
 * seed, and the aggregate (rdsim_sweep_aggregate) a pure function of the
 * rows the runs wrote: it never depends on which engine ran them, how many
 * workers there were or in which order they finished.
 *
 * Library code: nothing here starts processes, reads the clock or prints.
 */
#ifndef RDSIM_SWEEP_H
#define RDSIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rdsim/err.h"
#include "rdsim/scenario.h"

/* Bounds that keep a sweep's bookkeeping small next to its runs. */
#define RDSIM_SWEEP_MAX_POINTS 1000
#define RDSIM_SWEEP_MAX_SEEDS 1000000
#define RDSIM_SWEEP_MAX_RUNS 10000000
#define RDSIM_SWEEP_MAX_AXES 8

/* One varied parameter: a dotted path and the values it takes. */
struct rdsim_sweep_axis {
    char *path;            /* as written: "clients.dns_cache" */
    struct rdsim_loc loc;  /* of its key in the sweep file */
    size_t n_values;
    char **labels;         /* each value as tables show it: "30s", "{a: 1}" */
};

struct rdsim_sweep_priv;

struct rdsim_sweep {
    char *path;            /* the sweep file, as given */
    char *name;            /* `name:`, default the base scenario's name */
    char *description;     /* NULL when absent */
    char *scenario_path;   /* the base scenario, relative to the sweep file resolved */
    uint64_t *seeds;       /* in file order, distinct */
    size_t n_seeds;
    struct rdsim_sweep_axis *axes; /* in file order; the last varies fastest */
    size_t n_axes;
    size_t n_points;       /* the product of the axes' n_values (1 without vary) */
    bool has_slo;          /* false: the base scenario's expect: is the SLO */
    char *slo_text;        /* the SLO as written, in one line ("max_writer_downtime:
                            * 90s, lost_writes: 0"); NULL when there is none */
    struct rdsim_sweep_priv *priv;
};

/*
 * Load and check the sweep file at `path`, its base scenario and every
 * point's scenario. On success *out owns a new sweep (free with
 * rdsim_sweep_free). Returns RDSIM_EINVAL (bad sweep, base or point),
 * RDSIM_EIO (a file cannot be read) or RDSIM_ENOMEM, with the message in err.
 */
int rdsim_sweep_load(const char *path, struct rdsim_sweep **out, struct rdsim_err *err);
/* The same from a buffer; `path` names it in messages and is the folder
 * that a relative `scenario:` is taken from. */
int rdsim_sweep_load_buffer(const char *path, const char *buf, size_t len,
                            struct rdsim_sweep **out, struct rdsim_err *err);
void rdsim_sweep_free(struct rdsim_sweep *sw);

/* The value index along each axis of point `p` (0-based; idx has n_axes). */
void rdsim_sweep_point_coords(const struct rdsim_sweep *sw, size_t p, size_t *idx);

/*
 * The YAML text of point p's scenario (0-based). On success *text is a new
 * NUL-terminated string of *len bytes that the caller frees. Returns 0,
 * RDSIM_EINVAL or RDSIM_ENOMEM.
 */
int rdsim_sweep_point_yaml(const struct rdsim_sweep *sw, size_t p, char **text, size_t *len,
                           struct rdsim_err *err);

/* ---- rows and the aggregate --------------------------------------------- */

/* The figures of a run, in the order of the tables' columns. */
enum {
    RDSIM_SWEEP_FIG_DOWNTIME,     /* max_writer_downtime_s */
    RDSIM_SWEEP_FIG_LOST,         /* lost_writes */
    RDSIM_SWEEP_FIG_AVAIL_WRITER, /* availability.writer */
    RDSIM_SWEEP_FIG_UPTIME_WRITER, /* uptime.writer */
    RDSIM_SWEEP_FIG_STALE_RATIO,  /* stale_reads.ratio */
    RDSIM_SWEEP_FIG_WRITE_P99,    /* requests.write.p99_ms */
    RDSIM_SWEEP_N_FIGS,
};
/* The figures' names in summary.json (dotted) and as column stems. */
extern const char *const rdsim_sweep_fig_names[RDSIM_SWEEP_N_FIGS];
extern const char *const rdsim_sweep_fig_columns[RDSIM_SWEEP_N_FIGS];

/* One run: the point (1-based), the seed, the exit status and, for exit 0
 * and 3, its figures (has[k] false: summary.json had none, e.g. no writes). */
struct rdsim_sweep_row {
    size_t point;
    uint64_t seed;
    int exit_code;         /* 0, 3; 1, 2; 128+N when killed by signal N */
    bool has[RDSIM_SWEEP_N_FIGS];
    double fig[RDSIM_SWEEP_N_FIGS];
};

/*
 * The row of a finished run from its summary.json text. Returns 0 or
 * RDSIM_EINVAL when the text is not a summary.
 */
int rdsim_sweep_row_from_summary(const char *json, size_t len, struct rdsim_sweep_row *row,
                                 struct rdsim_err *err);
/* A row as one line of text (with its newline), and back. */
void rdsim_sweep_row_write(FILE *f, const struct rdsim_sweep_row *row);
int rdsim_sweep_row_parse(const char *line, struct rdsim_sweep_row *row, struct rdsim_err *err);

/* A number as the tables print it: at most 6 decimals, no trailing zeros. */
void rdsim_sweep_format_number(double v, char *buf, size_t n);

/*
 * The q-quantile (0 < q <= 1) of n sorted values by the nearest-rank rule:
 * the ceil(q*n)-th smallest, always one of the values. n > 0.
 */
double rdsim_sweep_quantile(const double *sorted, size_t n, double q);
/*
 * Wilson score interval for k successes in n trials at z (1.96 for 95%):
 * *lo and *hi in 0..1. n == 0 gives 0..1.
 */
void rdsim_sweep_wilson(size_t k, size_t n, double z, double *lo, double *hi);

/* What one point's runs came to. */
struct rdsim_sweep_point_stats {
    size_t runs;           /* rows found */
    size_t errors;         /* runs that exited 1, 2 or by a signal: no figures */
    size_t completed;      /* runs with figures (exit 0 or 3) */
    size_t slo_met;        /* runs that exited 0 */
    double slo_p, slo_lo, slo_hi; /* slo_met / completed and its 95% Wilson interval */
    size_t n[RDSIM_SWEEP_N_FIGS];  /* runs that had the figure */
    double mean[RDSIM_SWEEP_N_FIGS], p50[RDSIM_SWEEP_N_FIGS], p90[RDSIM_SWEEP_N_FIGS],
        p99[RDSIM_SWEEP_N_FIGS], max[RDSIM_SWEEP_N_FIGS];
};

/* What the aggregate is built from: the axes (labels) and the expected
 * runs, as a sweep or a results folder's manifest knows them. */
struct rdsim_sweep_plan {
    const char *name;
    size_t n_axes;
    const char *const *axis_paths;
    const char *const *const *labels; /* labels[axis][value] */
    const size_t *n_values;
    size_t n_points;
    const uint64_t *seeds;
    size_t n_seeds;
    const char *slo_text;  /* the SLO in one line, for report.md; may be NULL */
    double slo_downtime_s; /* the downtime limit, drawn on its CDF; < 0: none */
    double slo_lost;       /* the lost-writes limit; < 0: none */
};

/*
 * Write DIR/runs.csv, DIR/points.csv, DIR/sweep.sqlite, DIR/report.md and
 * DIR/plots/ (gnuplot scripts and data; rendering is the CLI's) from `rows`
 * (any order; sorted here by point and seed position, duplicates refused).
 * *missing gets the planned runs that have no row. Returns 0, RDSIM_EIO,
 * RDSIM_EDB, RDSIM_EINVAL (a row outside the plan) or RDSIM_ENOMEM.
 */
int rdsim_sweep_aggregate(const struct rdsim_sweep_plan *plan, struct rdsim_sweep_row *rows,
                          size_t n_rows, const char *dir, size_t *missing,
                          struct rdsim_err *err);

/* ---- the sweep folder's manifest (sweep.json) ---------------------------- */

/*
 * sweep.json's text for `sw`, whose first point's scenario `p0` gives the
 * SLO's limits drawn on the CDFs. On success *text is a new NUL-terminated
 * string of *len bytes (ending in a line break) that the caller frees.
 * Returns 0 or RDSIM_ENOMEM.
 */
int rdsim_sweep_manifest_text(const struct rdsim_sweep *sw, const struct rdsim_scenario *p0,
                              char **text, size_t *len, struct rdsim_err *err);

struct rdsim_sweep_manifest_priv;
/* The plan as DIR/sweep.json holds it; `plan` points into `priv`. */
struct rdsim_sweep_manifest {
    struct rdsim_sweep_plan plan;
    struct rdsim_sweep_manifest_priv *priv;
};
/*
 * Read DIR/sweep.json into *m. Returns 0, or RDSIM_EINVAL (no manifest, or
 * not one rdsim wrote) or RDSIM_ENOMEM with the message in err. Free *m
 * with rdsim_sweep_manifest_free on success and failure alike.
 */
int rdsim_sweep_manifest_read(const char *dir, struct rdsim_sweep_manifest *m,
                              struct rdsim_err *err);
void rdsim_sweep_manifest_free(struct rdsim_sweep_manifest *m);

#endif
