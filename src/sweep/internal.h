/*
 * internal.h - what the sweep module's files share, not part of the API.
 *
 * load.c reads the sweep file into a struct rdsim_sweep and keeps its
 * libyaml document (the vary values and the slo are copied out of it into
 * each point); point.c builds a point's scenario document from the base
 * scenario's text and writes it out as YAML; stats.c has the quantiles and
 * the Wilson interval; rows.c a run's row; aggregate.c the tables, the
 * SQLite file, report.md and the CDF plots.
 */
#ifndef RDSIM_SWEEP_INTERNAL_H
#define RDSIM_SWEEP_INTERNAL_H

#include <stddef.h>

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

#endif
