/*
 * err.h - error reporting shared by every rdsim module.
 *
 * Fallible functions return 0 or a negative RDSIM_E* code and, when the
 * caller passes a non-NULL struct rdsim_err, fill it with the same code and a
 * human-readable message. Library code never prints and never exits: only
 * src/cli decides what reaches the terminal and with which exit status.
 */
#ifndef RDSIM_ERR_H
#define RDSIM_ERR_H

#include <stdarg.h>

enum {
    RDSIM_OK = 0,
    RDSIM_EINVAL = -1,  /* bad input: scenario, arguments (exit 2) */
    RDSIM_ENOMEM = -2,  /* allocation failed */
    RDSIM_EIO = -3,     /* file could not be read or written */
    RDSIM_EDB = -4,     /* SQLite reported an error */
    RDSIM_EINTERNAL = -5,
    RDSIM_EPERM = -6,   /* refused by policy (the live SQL console's authorizer) */
};

#define RDSIM_ERR_MSG_MAX 1024

struct rdsim_err {
    int code;
    char msg[RDSIM_ERR_MSG_MAX];
};

/*
 * Fill err (if not NULL) with code and a printf-style message; returns code
 * so that callers can write `return rdsim_err_set(err, RDSIM_EINVAL, ...)`.
 */
int rdsim_err_set(struct rdsim_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int rdsim_err_setv(struct rdsim_err *err, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Reset err to RDSIM_OK with an empty message; NULL is allowed. */
void rdsim_err_clear(struct rdsim_err *err);

#endif
