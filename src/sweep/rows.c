/*
 * rows.c - one run as one row: its figures taken from the run's
 * summary.json (so a figure means in a sweep what it means in the run's own
 * report), written as one line of text and read back.
 *
 * A row line is "POINT,SEED,EXIT,F1,...,F6" with the figures in the order
 * of rdsim_sweep_fig_names and empty fields for figures the run did not
 * have. Numbers go through rdsim_sweep_format_number, so the same run gives
 * the same line on every machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rdsim/sweep.h"

const char *const rdsim_sweep_fig_names[RDSIM_SWEEP_N_FIGS] = {
    "max_writer_downtime_s", "lost_writes",       "availability.writer",
    "uptime.writer",         "stale_reads.ratio", "requests.write.p99_ms",
};
const char *const rdsim_sweep_fig_columns[RDSIM_SWEEP_N_FIGS] = {
    "max_writer_downtime_s", "lost_writes",       "availability_writer",
    "uptime_writer",         "stale_reads_ratio", "write_p99_ms",
};

void rdsim_sweep_format_number(double v, char *buf, size_t n)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "%s", "");
        return;
    }
    snprintf(buf, n, "%.6f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf);
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *dot = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, n, "0");
}

/* The value at a dotted path of objects, or NULL. */
static json_t *at_path(json_t *root, const char *path)
{
    char part[64];
    json_t *cur = root;
    while (cur && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (len >= sizeof part)
            return NULL;
        memcpy(part, path, len);
        part[len] = '\0';
        cur = json_is_object(cur) ? json_object_get(cur, part) : NULL;
        path += len + (dot ? 1 : 0);
    }
    return cur;
}

int rdsim_sweep_row_from_summary(const char *text, size_t len, struct rdsim_sweep_row *row,
                                 struct rdsim_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return rdsim_err_set(err, RDSIM_EINVAL, "summary.json:%d:%d: %s", je.line, je.column,
                             root ? "not an object" : je.text);
    }
    for (int k = 0; k < RDSIM_SWEEP_N_FIGS; k++) {
        json_t *v = at_path(root, rdsim_sweep_fig_names[k]);
        row->has[k] = json_is_number(v);
        row->fig[k] = row->has[k] ? json_number_value(v) : 0.0;
    }
    json_decref(root);
    return 0;
}

void rdsim_sweep_row_write(FILE *f, const struct rdsim_sweep_row *row)
{
    char num[64];
    fprintf(f, "%zu,%llu,%d", row->point, (unsigned long long)row->seed, row->exit_code);
    for (int k = 0; k < RDSIM_SWEEP_N_FIGS; k++) {
        num[0] = '\0';
        if (row->has[k])
            rdsim_sweep_format_number(row->fig[k], num, sizeof num);
        fprintf(f, ",%s", num);
    }
    fputc('\n', f);
}

int rdsim_sweep_row_parse(const char *line, struct rdsim_sweep_row *row, struct rdsim_err *err)
{
    const char *p = line;
    char *end;
    memset(row, 0, sizeof *row);

    unsigned long long point = strtoull(p, &end, 10);
    if (end == p || *end != ',' || point == 0)
        goto bad;
    p = end + 1;
    unsigned long long seed = strtoull(p, &end, 10);
    if (end == p || *end != ',')
        goto bad;
    p = end + 1;
    long code = strtol(p, &end, 10);
    if (end == p || code < 0 || code > 255)
        goto bad;
    p = end;
    row->point = (size_t)point;
    row->seed = (uint64_t)seed;
    row->exit_code = (int)code;
    for (int k = 0; k < RDSIM_SWEEP_N_FIGS; k++) {
        if (*p != ',')
            goto bad;
        p++;
        if (*p == ',' || *p == '\n' || *p == '\0')
            continue;
        row->fig[k] = strtod(p, &end);
        /* No figure of a run comes near 1e15 (seconds, counts, ratios); a
         * larger one would not fit the row's number format. */
        if (end == p || !isfinite(row->fig[k]) || fabs(row->fig[k]) >= 1e15)
            goto bad;
        row->has[k] = true;
        p = end;
    }
    if (*p == '\n')
        p++;
    if (*p != '\0')
        goto bad;
    return 0;
bad:
    return rdsim_err_set(err, RDSIM_EINVAL, "not a sweep row: \"%.80s\"", line);
}
