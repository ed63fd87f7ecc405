/*
 * err.c - filling struct rdsim_err.
 *
 * The message is formatted into the caller's fixed buffer; a message longer
 * than RDSIM_ERR_MSG_MAX - 1 bytes is truncated, never allocated. A NULL err
 * is allowed everywhere so that callers who only want the code need not
 * declare one. Nothing here prints.
 */
#include <stdarg.h>
#include <stdio.h>

#include "rdsim/err.h"

int rdsim_err_setv(struct rdsim_err *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL)
        return code;
    err->code = code;
    err->msg[0] = '\0';
    if (fmt != NULL)
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

int rdsim_err_set(struct rdsim_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    rdsim_err_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void rdsim_err_clear(struct rdsim_err *err)
{
    if (err == NULL)
        return;
    err->code = RDSIM_OK;
    err->msg[0] = '\0';
}
