/*
 * internal.h - what the sweep module's files share, not part of the API.
 *
 * load.c reads the sweep file into a struct rdsim_sweep and keeps its
 * libyaml document (the vary values and the slo are copied out of it into
 * each point); point.c builds a point's scenario document from the base
 * scenario's text and writes it out as YAML; stats.c has the quantiles and
 * the Wilson interval; rows.c a run's row; aggregate.c the tables, the
 * SQLite file and the CDF plots, and report.c the report.md beside them;
 * manifest.c the plan as a sweep folder's sweep.json keeps it.
 */
#ifndef RDSIM_SWEEP_INTERNAL_H
#define RDSIM_SWEEP_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include <yaml.h>

#include "rdsim/sweep.h"

struct rdsim_sweep_priv {
    yaml_document_t doc;   /* the sweep file */
    int **values;          /* values[axis][j]: node index in doc */
    int slo;               /* node index of slo:, 0 when absent */
    char *base;            /* the base scenario's text */
    size_t base_len;
};

/* Why a point could not be built: the axis whose path failed (or SIZE_MAX)
 * and the reason, without file or position. */
struct sw_why {
    size_t axis;
    char msg[512];
};

/* point.c: the YAML text of point p (see rdsim_sweep_point_yaml); a path
 * that does not fit the base scenario fills *why and returns RDSIM_EINVAL. */
int sw_build_point(const struct rdsim_sweep *sw, size_t p, char **text, size_t *len,
                   struct sw_why *why);
/* point.c: a node of the sweep file in one line, as tables show it. */
void sw_label(yaml_document_t *doc, int index, char *buf, size_t n);

/* aggregate.c: a number as every table prints it (rdsim_sweep_format_number). */
void sw_num(FILE *f, double v);
/* aggregate.c: the value index along each axis of point p (0-based). */
void sw_point_labels(const struct rdsim_sweep_plan *pl, size_t p, size_t *idx);

/* A file of the sweep folder, written under a temporary name and renamed
 * into place by sw_out_close, so a reader never sees half of one. */
struct sw_out {
    char tmp[4200], final[4200];
    FILE *f;
};
/* aggregate.c: open DIR/NAME's temporary file; 0 or RDSIM_EIO. */
int sw_out_open(struct sw_out *o, const char *dir, const char *name, struct rdsim_err *err);
/* aggregate.c: close and rename into place; 0 or RDSIM_EIO (the temporary
 * file is removed when it could not be written). */
int sw_out_close(struct sw_out *o, struct rdsim_err *err);

/* report.c: DIR/report.md from the per-point statistics `ps` (n_points of
 * them), `n_rows` rows found and `missing` runs without one. 0, RDSIM_EIO
 * or RDSIM_ENOMEM. */
int sw_write_report(const struct rdsim_sweep_plan *pl, const struct rdsim_sweep_point_stats *ps,
                    size_t n_rows, size_t missing, const char *dir, struct rdsim_err *err);

#endif
