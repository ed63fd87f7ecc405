/*
 * outdir.c - results folders.
 *
 * A folder holding files that rdsim did not write may be someone's work:
 * `-o ~/` must never scatter CSV files over a home directory. A folder that
 * holds only rdsim's own outputs (a finished result, or what a failed run
 * left) is reused; the mark file says the result in it is complete.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rdsim/report.h"

#include "commands.h"
#include "outdir.h"

int rdsim_outdir_make(const char *dir, struct rdsim_err *err)
{
    char path[4096];
    size_t len = strlen(dir);
    struct stat st;

    if (len == 0 || len >= sizeof(path))
        return rdsim_err_set(err, RDSIM_EINVAL, "invalid folder name \"%s\"", dir);
    memcpy(path, dir, len + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot create folder: %s", path,
                                 strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot create folder: %s", path,
                             strerror(errno));
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: exists and is not a folder", dir);
    /* A folder we cannot write into is the user's choice of folder, found
     * now rather than after the whole run. */
    if (access(path, W_OK | X_OK) != 0)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot write into this folder: %s", dir,
                             strerror(errno));
    return 0;
}

/* Files rdsim itself writes into a results folder. */
static bool is_result_file(const char *name)
{
    static const char *const ours[] = {RDSIM_RESULT_MARK, "summary.json", "timeseries.csv",
                                       "events.csv", "report.md", "plots"};

    for (size_t k = 0; k < sizeof(ours) / sizeof(ours[0]); k++)
        if (strcmp(name, ours[k]) == 0)
            return true;
    return false;
}

/* Files rdsim writes into a --keep-db folder. */
static bool is_db_file(const char *name)
{
    size_t n = strlen(name);

    return (n > 7 && strcmp(name + n - 7, ".sqlite") == 0) ||
           (n > 15 && strcmp(name + n - 15, ".sqlite-journal") == 0);
}

/* Refuse a folder holding anything `ours` does not recognise. */
static int check_folder(const char *dir, bool (*ours)(const char *), const char *flag,
                        struct rdsim_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char stranger[256] = "";

    if (!d)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot read folder: %s", dir,
                             strerror(errno));
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || ours(e->d_name))
            continue;
        snprintf(stranger, sizeof(stranger), "%s", e->d_name);
        break;
    }
    closedir(d);
    if (stranger[0])
        return rdsim_err_set(err, RDSIM_EINVAL,
                             "%s: folder holds files rdsim did not write (%s); choose another "
                             "with %s, or pass --force to write into it",
                             dir, stranger, flag);
    return 0;
}

int rdsim_outdir_prepare(const char *dir, bool force, struct rdsim_err *err)
{
    char mark[4096];
    int rc = rdsim_outdir_make(dir, err);

    if (rc)
        return rc;
    if (!force) {
        rc = check_folder(dir, is_result_file, "-o", err);
        if (rc)
            return rc;
    }
    /* The mark says "complete result": it comes back when this run is. */
    snprintf(mark, sizeof(mark), "%s/%s", dir, RDSIM_RESULT_MARK);
    if (remove(mark) != 0 && errno != ENOENT)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot remove: %s", mark, strerror(errno));
    return 0;
}

int rdsim_outdir_prepare_db(const char *dir, bool force, struct rdsim_err *err)
{
    int rc = rdsim_outdir_make(dir, err);

    if (rc == 0 && !force)
        rc = check_folder(dir, is_db_file, "--keep-db", err);
    return rc;
}

/* Files rdsim plot --compare writes: the two series, scripts, figures. */
static bool is_compare_file(const char *name)
{
    size_t n = strlen(name);

    return strcmp(name, "a.csv") == 0 || strcmp(name, "b.csv") == 0 ||
           strcmp(name, "gnuplot.log") == 0 ||
           (n > 3 && strcmp(name + n - 3, ".gp") == 0) ||
           (strncmp(name, "compare-", 8) == 0 && n > 4 &&
            (strcmp(name + n - 4, ".png") == 0 || strcmp(name + n - 4, ".svg") == 0));
}

int rdsim_outdir_prepare_compare(const char *dir, bool force, struct rdsim_err *err)
{
    int rc = rdsim_outdir_make(dir, err);

    if (rc == 0 && !force)
        rc = check_folder(dir, is_compare_file, "-o", err);
    return rc;
}

int rdsim_outdir_mark(const char *dir, struct rdsim_err *err)
{
    char mark[4096];
    FILE *f;

    snprintf(mark, sizeof(mark), "%s/%s", dir, RDSIM_RESULT_MARK);
    f = fopen(mark, "w");
    if (!f)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", mark, strerror(errno));
    fputs("This folder holds the results of an rdsim run; rdsim may overwrite it.\n", f);
    if (fclose(f) != 0)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", mark);
    return 0;
}

int rdsim_cli_write_results(const char *dir, const struct rdsim_results *res,
                            const char *formats, bool render,
                            enum rdsim_plots_outcome *plots, struct rdsim_err *err)
{
    char path[4096];
    int rc;

    *plots = RDSIM_PLOTS_NOT_ASKED;
    snprintf(path, sizeof(path), "%s/summary.json", dir);
    rc = rdsim_report_write_summary(res, path, err);
    if (rc == 0) {
        /* Figures before report.md, which embeds those that exist. */
        rc = rdsim_plots_make(dir, formats, render, plots, err);
        /* A figure gnuplot could not draw costs the run nothing else. */
        if (rc == 0 && *plots == RDSIM_PLOTS_GNUPLOT_FAILED)
            fprintf(stderr, "rdsim: warning: %s\n", err->msg);
    }
    if (rc == 0)
        rc = rdsim_report_write_markdown(res, dir, err);
    if (rc == 0)
        rc = rdsim_outdir_mark(dir, err);
    return rc;
}
