/*
 * manifest.c - sweep.json: the plan of a sweep folder (name, axes and their
 * labels, seeds, SLO), written when the sweep starts and read back by
 * `rdsim sweep collect`, which has only the folder.
 *
 * The aggregate is made from this plan and the rows alone, so the manifest
 * holds exactly what struct rdsim_sweep_plan needs and nothing that depends
 * on the engine. The text is jansson's, indented by one, with a final line
 * break; a resumed sweep compares it byte for byte with the one on disk.
 * Nothing here writes the file: the CLI does, under a temporary name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rdsim/sweep.h"

struct rdsim_sweep_manifest_priv {
    json_t *root;
    const char **paths;
    const char ***labels;
    size_t *n_values;
    uint64_t *seeds;
};

int rdsim_sweep_manifest_text(const struct rdsim_sweep *sw, const struct rdsim_scenario *p0,
                              char **text, size_t *len, struct rdsim_err *err)
{
    json_t *root = json_object(), *axes = json_array(), *seeds = json_array();
    for (size_t a = 0; a < sw->n_axes; a++) {
        json_t *vals = json_array();
        for (size_t j = 0; j < sw->axes[a].n_values; j++)
            json_array_append_new(vals, json_string(sw->axes[a].labels[j]));
        json_array_append_new(axes, json_pack("{s:s, s:o}", "path", sw->axes[a].path, "values",
                                              vals));
    }
    for (size_t i = 0; i < sw->n_seeds; i++)
        json_array_append_new(seeds, json_integer((json_int_t)sw->seeds[i]));
    json_object_set_new(root, "name", json_string(sw->name));
    json_object_set_new(root, "points", json_integer((json_int_t)sw->n_points));
    json_object_set_new(root, "axes", axes);
    json_object_set_new(root, "seeds", seeds);
    json_object_set_new(root, "slo", sw->slo_text ? json_string(sw->slo_text) : json_null());
    const struct rdsim_expect_cfg *x = &p0->expect;
    json_object_set_new(root, "slo_max_writer_downtime_s",
                        x->has_max_writer_downtime
                            ? json_real((double)x->max_writer_downtime / RDSIM_S)
                            : json_null());
    json_object_set_new(root, "slo_lost_writes",
                        x->has_lost_writes ? json_integer(x->lost_writes) : json_null());
    char *dumped = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    if (dumped == NULL)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    size_t n = strlen(dumped);
    char *full = malloc(n + 2);
    if (full == NULL) {
        free(dumped);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    memcpy(full, dumped, n);
    full[n] = '\n';
    full[n + 1] = '\0';
    free(dumped);
    *text = full;
    *len = n + 1;
    return 0;
}

int rdsim_sweep_manifest_read(const char *dir, struct rdsim_sweep_manifest *m,
                              struct rdsim_err *err)
{
    char path[4200];
    json_error_t je;
    memset(m, 0, sizeof *m);
    struct rdsim_sweep_manifest_priv *ps = calloc(1, sizeof *ps);
    if (ps == NULL)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    m->priv = ps;
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    ps->root = json_load_file(path, 0, &je);
    if (ps->root == NULL)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: not a sweep folder (%s: %s)", dir, path,
                             je.text);
    json_t *axes = json_object_get(ps->root, "axes"), *seeds = json_object_get(ps->root, "seeds");
    json_t *name = json_object_get(ps->root, "name"), *pts = json_object_get(ps->root, "points");
    if (!json_is_array(axes) || !json_is_array(seeds) || !json_is_string(name) ||
        !json_is_integer(pts) || json_array_size(axes) > RDSIM_SWEEP_MAX_AXES)
        goto bad;
    size_t na = json_array_size(axes), ns = json_array_size(seeds);
    ps->paths = calloc(na + 1, sizeof *ps->paths);
    ps->labels = calloc(na + 1, sizeof *ps->labels);
    ps->n_values = calloc(na + 1, sizeof *ps->n_values);
    ps->seeds = calloc(ns + 1, sizeof *ps->seeds);
    if (!ps->paths || !ps->labels || !ps->n_values || !ps->seeds)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    size_t points = 1;
    for (size_t a = 0; a < na; a++) {
        json_t *ax = json_array_get(axes, a), *vals = json_object_get(ax, "values");
        json_t *p = json_object_get(ax, "path");
        if (!json_is_string(p) || !json_is_array(vals) || json_array_size(vals) == 0)
            goto bad;
        ps->paths[a] = json_string_value(p);
        ps->n_values[a] = json_array_size(vals);
        points *= ps->n_values[a];
        ps->labels[a] = calloc(ps->n_values[a], sizeof *ps->labels[a]);
        if (ps->labels[a] == NULL)
            return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        m->plan.n_axes = a + 1;
        for (size_t j = 0; j < ps->n_values[a]; j++) {
            json_t *v = json_array_get(vals, j);
            if (!json_is_string(v))
                goto bad;
            ps->labels[a][j] = json_string_value(v);
        }
    }
    if ((json_int_t)points != json_integer_value(pts))
        goto bad;
    for (size_t i = 0; i < ns; i++) {
        json_t *v = json_array_get(seeds, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            goto bad;
        ps->seeds[i] = (uint64_t)json_integer_value(v);
    }
    json_t *slo = json_object_get(ps->root, "slo");
    json_t *dt = json_object_get(ps->root, "slo_max_writer_downtime_s");
    json_t *lw = json_object_get(ps->root, "slo_lost_writes");
    m->plan = (struct rdsim_sweep_plan){
        .name = json_string_value(name),
        .n_axes = na,
        .axis_paths = ps->paths,
        .labels = (const char *const *const *)ps->labels,
        .n_values = ps->n_values,
        .n_points = points,
        .seeds = ps->seeds,
        .n_seeds = ns,
        .slo_text = json_is_string(slo) ? json_string_value(slo) : NULL,
        .slo_downtime_s = json_is_number(dt) ? json_number_value(dt) : -1,
        .slo_lost = json_is_number(lw) ? json_number_value(lw) : -1,
    };
    return 0;
bad:
    return rdsim_err_set(err, RDSIM_EINVAL, "%s: not a sweep plan written by rdsim sweep", path);
}

void rdsim_sweep_manifest_free(struct rdsim_sweep_manifest *m)
{
    struct rdsim_sweep_manifest_priv *ps = m->priv;
    if (ps != NULL) {
        if (ps->labels)
            for (size_t a = 0; a < m->plan.n_axes; a++)
                free(ps->labels[a]);
        free(ps->labels);
        free(ps->paths);
        free(ps->n_values);
        free(ps->seeds);
        json_decref(ps->root);
        free(ps);
    }
    memset(m, 0, sizeof *m);
}
