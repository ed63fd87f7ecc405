/*
 * acklog.c - per-row record of acknowledged write positions.
 *
 * top[k] is the highest acknowledged position of row k; bit j of mask[k]
 * says position top[k] - j was acknowledged. Positions only grow on one
 * lineage, so an acknowledgement older than the window (a very late reply)
 * is dropped: it can no longer be told apart from the data anyway.
 */
#include <stdlib.h>

#include "rdsim/acklog.h"

struct rdsim_acklog {
    int64_t rows;
    uint64_t acked;
    uint32_t *top;
    uint64_t *mask;
};

int rdsim_acklog_create(int64_t rows, struct rdsim_acklog **out, struct rdsim_err *err)
{
    struct rdsim_acklog *log = calloc(1, sizeof(*log));

    *out = NULL;
    if (!log)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    log->rows = rows;
    log->top = calloc((size_t)rows, sizeof(*log->top));
    log->mask = calloc((size_t)rows, sizeof(*log->mask));
    if (!log->top || !log->mask) {
        rdsim_acklog_destroy(log);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    *out = log;
    return 0;
}

void rdsim_acklog_destroy(struct rdsim_acklog *log)
{
    if (!log)
        return;
    free(log->top);
    free(log->mask);
    free(log);
}

void rdsim_acklog_ack(struct rdsim_acklog *log, int64_t key, int64_t position)
{
    uint32_t top, pos = (uint32_t)position;

    if (position <= 0 || key < 0 || key >= log->rows)
        return;
    top = log->top[key];
    log->acked++;
    if (pos > top) {
        uint32_t shift = pos - top;
        log->mask[key] = shift >= 64 ? 0 : log->mask[key] << shift;
        log->mask[key] |= 1;
        log->top[key] = pos;
    } else if (top - pos < 64) {
        log->mask[key] |= UINT64_C(1) << (top - pos);
    }
}

uint64_t rdsim_acklog_acked(const struct rdsim_acklog *log)
{
    return log->acked;
}

struct check {
    struct rdsim_acklog *log;
    bool rebase;
    struct rdsim_acklog_result res;
};

static int check_row(void *ctx, int64_t key, const struct rdsim_row *row)
{
    struct check *ck = ctx;
    struct rdsim_acklog *log = ck->log;
    uint32_t top, missing;
    uint64_t lost;

    if (key < 0 || key >= log->rows)
        return 0;
    top = log->top[key];
    if (row->cnt >= (int64_t)top)
        return 0;
    missing = top - (uint32_t)row->cnt;
    if (missing >= 64) {
        /* Positions below the window: assume acknowledged (upper bound). */
        lost = (uint64_t)__builtin_popcountll(log->mask[key]) + (missing - 64);
        ck->res.bounded = true;
    } else {
        lost = (uint64_t)__builtin_popcountll(log->mask[key] & ((UINT64_C(1) << missing) - 1));
    }
    if (lost) {
        ck->res.lost += lost;
        ck->res.rows_affected++;
    }
    if (ck->rebase) {
        log->top[key] = (uint32_t)row->cnt;
        log->mask[key] = missing >= 64 ? 0 : log->mask[key] >> missing;
    }
    return 0;
}

int rdsim_acklog_check(struct rdsim_acklog *log, struct rdsim_db *db, bool rebase,
                       struct rdsim_acklog_result *out, struct rdsim_err *err)
{
    struct check ck = {.log = log, .rebase = rebase};
    int rc = rdsim_db_scan(db, check_row, &ck, err);

    if (rc == 0)
        *out = ck.res;
    return rc;
}
