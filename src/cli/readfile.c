/*
 * readfile.c - a whole file into memory, for the commands that read one
 * before handing it on (rdsim serve's scenario, a lesson's text to compare,
 * a sweep's plan and rows).
 *
 * The text is NUL-terminated so that parsers may treat it as a string; the
 * length is given too because a file may hold a NUL. A size limit keeps a
 * stray multi-gigabyte file from being read whole. It does not map files
 * or read standard input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

char *rdsim_cli_read_file(const char *path, size_t max, size_t *len, struct rdsim_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    *len = 0;
    if (f == NULL) {
        rdsim_err_set(err, RDSIM_EIO, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *p = realloc(buf, cap = (cap + 4096) * 2);
            if (p == NULL) {
                rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
                goto fail;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (max > 0 && n > max) {
            rdsim_err_set(err, RDSIM_EINVAL, "%s: larger than %zu bytes", path, max);
            goto fail;
        }
        if (got < 4096)
            break;
    }
    if (ferror(f)) {
        rdsim_err_set(err, RDSIM_EIO, "%s: read failed", path);
        goto fail;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}
