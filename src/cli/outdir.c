/*
 * outdir.c - results folders.
 *
 * A folder holding files that rdsim did not write may be someone's work:
 * `-o ~/` must never scatter CSV files over a home directory. A folder with
 * the mark file is an earlier result and is reused.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
            return rdsim_err_set(err, RDSIM_EIO, "%s: cannot create: %s", path, strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot create: %s", path, strerror(errno));
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: exists and is not a folder", dir);
    return 0;
}

int rdsim_outdir_prepare(const char *dir, bool force, struct rdsim_err *err)
{
    char mark[4096];
    struct stat st;
    DIR *d;
    struct dirent *e;
    bool empty = true;
    int rc = rdsim_outdir_make(dir, err);

    if (rc)
        return rc;
    snprintf(mark, sizeof(mark), "%s/%s", dir, RDSIM_RESULT_MARK);
    if (force || stat(mark, &st) == 0)
        return 0;
    d = opendir(dir);
    if (!d)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot read: %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = false;
            break;
        }
    }
    closedir(d);
    if (!empty)
        return rdsim_err_set(err, RDSIM_EINVAL,
                             "%s: folder is not empty and holds no earlier rdsim result; "
                             "choose another with -o, or pass --force to write into it",
                             dir);
    return 0;
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
