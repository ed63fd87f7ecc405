/*
 * sweep_folder.c - the sweep folder on disk for rdsim sweep: make it (and
 * refuse a stranger's), write the plan (points/NNNN.yaml, jobs.txt,
 * sweep.json), each run's row, and the list of runs still to do.
 *
 * Every file is written under a temporary name and renamed into place, so
 * an engine or a collect running beside a sweep never reads half a file;
 * rows carry the writer's pid in their temporary name because workers on
 * several machines may write into one shared folder. What the files mean
 * is sweep.h's (the manifest's text is rdsim_sweep_manifest_text); this
 * file only puts them on disk. It starts no process.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rdsim/scenario.h"
#include "rdsim/sweep.h"

#include "commands.h"
#include "outdir.h"
#include "sweep_cli.h"

#define SWEEP_MARK ".rdsim-sweep"

int sweep_write_text(const char *path, const char *text, size_t len, struct rdsim_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    size_t n = fwrite(text, 1, len, f);
    if (fclose(f) != 0 || n != len || rename(tmp, path) != 0) {
        unlink(tmp);
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", path);
    }
    return 0;
}

int sweep_parse_count(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

void sweep_row_path(char *buf, size_t n, const char *dir, size_t point, uint64_t seed)
{
    snprintf(buf, n, "%s/rows/%zu-%llu.row", dir, point, (unsigned long long)seed);
}

int sweep_write_row(const char *dir, const struct rdsim_sweep_row *row, struct rdsim_err *err)
{
    char path[4200], tmp[4300];
    sweep_row_path(path, sizeof path, dir, row->point, row->seed);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    rdsim_sweep_row_write(f, row);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", path);
    }
    return 0;
}

static bool is_sweep_file(const char *name)
{
    static const char *const ours[] = {SWEEP_MARK, "sweep.json", "jobs.txt", "jobs-todo.txt",
                                       "points", "rows",
                                       "runs.csv", "points.csv", "sweep.sqlite", "report.md",
                                       "plots", "slurm", "joblog"};
    for (size_t k = 0; k < sizeof ours / sizeof ours[0]; k++)
        if (strcmp(name, ours[k]) == 0)
            return true;
    return false;
}

int sweep_prepare_dir(const char *dir, bool force, struct rdsim_err *err)
{
    int rc = rdsim_outdir_make(dir, err);
    if (rc)
        return rc;
    DIR *d = opendir(dir);
    if (d == NULL)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot read folder: %s", dir,
                             strerror(errno));
    struct dirent *e;
    char stranger[256] = "";
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !is_sweep_file(e->d_name) &&
            !stranger[0])
            snprintf(stranger, sizeof stranger, "%s", e->d_name);
    closedir(d);
    if (stranger[0] && !force)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s holds \"%s\", which rdsim sweep did not "
                             "write; choose another folder with -o, or --force", dir, stranger);
    char sub[4200];
    const char *subs[] = {"points", "rows", "plots"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
        if (mkdir(sub, 0777) != 0 && errno != EEXIST)
            return rdsim_err_set(err, RDSIM_EIO, "%s: cannot create folder: %s", sub,
                                 strerror(errno));
    }
    snprintf(sub, sizeof sub, "%s/%s", dir, SWEEP_MARK);
    return sweep_write_text(sub, "", 0, err);
}

/* Remove the files of `sub` ending in `suffix` (an earlier sweep's rows). */
static void clear_dir(const char *dir, const char *sub, const char *suffix)
{
    char path[4200], file[4500];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    struct dirent *e;
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name), s = strlen(suffix);
        if (l >= s && strcmp(e->d_name + l - s, suffix) == 0) {
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            unlink(file);
        }
    }
    closedir(d);
}

static bool same_file(const char *path, const char *text, size_t len)
{
    size_t have;
    char *old = rdsim_cli_read_file(path, 0, &have, NULL);
    bool same = old && have == len && memcmp(old, text, len) == 0;
    free(old);
    return same;
}

/* Write points/, jobs.txt and sweep.json; with `resume`, keep the rows of
 * an earlier sweep when its plan and points are byte-identical. */
int sweep_write_plan(const struct rdsim_sweep *sw, const char *dir, bool resume, bool *kept,
                      struct rdsim_err *err)
{
    char path[4200];
    struct rdsim_scenario *p0 = NULL;
    bool same = resume;
    int rc = 0;

    for (size_t p = 0; p < sw->n_points && rc == 0; p++) {
        char *text;
        size_t len;
        if ((rc = rdsim_sweep_point_yaml(sw, p, &text, &len, err)) != 0)
            break;
        snprintf(path, sizeof path, "%s/points/%04zu.yaml", dir, p + 1);
        if (same && !same_file(path, text, len))
            same = false;
        if (p == 0)
            rc = rdsim_scenario_load_buffer(path, text, len, &p0, err);
        if (rc == 0)
            rc = sweep_write_text(path, text, len, err);
        free(text);
    }
    if (rc)
        goto out;
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    char *manifest;
    size_t manifest_len;
    if ((rc = rdsim_sweep_manifest_text(sw, p0, &manifest, &manifest_len, err)) != 0)
        goto out;
    /* Compared with the earlier sweep's before it is written over. */
    if (same && !same_file(path, manifest, manifest_len))
        same = false;
    rc = sweep_write_text(path, manifest, manifest_len, err);
    free(manifest);
    if (rc != 0)
        goto out;
    if (!same)
        clear_dir(dir, "rows", ".row");
    *kept = same;

    /* jobs.txt: point by point, seeds in file order */
    snprintf(path, sizeof path, "%s/jobs.txt", dir);
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        goto out;
    }
    for (size_t p = 0; p < sw->n_points; p++)
        for (size_t s = 0; s < sw->n_seeds; s++)
            fprintf(f, "%zu %llu\n", p + 1, (unsigned long long)sw->seeds[s]);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", path);
out:
    rdsim_scenario_free(p0);
    return rc;
}

/* The runs of the plan that have no row yet, as jobs.txt lines. */
int sweep_write_todo(const struct rdsim_sweep *sw, const char *dir, const char *path,
                      struct rdsim_err *err)
{
    char row[4200];
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", path, strerror(errno));
    for (size_t p = 0; p < sw->n_points; p++)
        for (size_t s = 0; s < sw->n_seeds; s++) {
            sweep_row_path(row, sizeof row, dir, p + 1, sw->seeds[s]);
            if (access(row, F_OK) != 0)
                fprintf(f, "%zu %llu\n", p + 1, (unsigned long long)sw->seeds[s]);
        }
    if (fclose(f) != 0)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", path);
    return 0;
}
