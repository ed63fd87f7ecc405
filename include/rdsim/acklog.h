/*
 * acklog.h - what the clients know about their acknowledged writes.
 *
 * Every write the database applies gets a position in its row's history (the
 * row's `cnt` after the write, see db.h). When a client receives the
 * acknowledgement it records that position here. Later, any instance's
 * SQLite data can be checked against this record: an acknowledged position
 * above the row's `cnt` is a write that instance lacks. That is how
 * lost_writes is measured, from the data, not from the model's bookkeeping.
 *
 * Memory is fixed by the table size: per row, the highest acknowledged
 * position and a 64-bit mask of which of the 64 positions up to it were
 * acknowledged (writes that committed but whose acknowledgement never
 * reached a client leave their bit clear). A row that lacks more than 64 of
 * its latest positions counts every position below the window as lost:
 * an upper bound, reported as such by rdsim_acklog_check().
 */
#ifndef RDSIM_ACKLOG_H
#define RDSIM_ACKLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "rdsim/db.h"
#include "rdsim/err.h"

struct rdsim_acklog;

struct rdsim_acklog_result {
    uint64_t lost;          /* acknowledged writes the database lacks */
    uint64_t rows_affected; /* rows with at least one */
    bool bounded;           /* some row lacked more than the 64-write window */
};

int rdsim_acklog_create(int64_t rows, struct rdsim_acklog **out, struct rdsim_err *err);
void rdsim_acklog_destroy(struct rdsim_acklog *log);

/* A client got the acknowledgement of the write at `position` of row `key`. */
void rdsim_acklog_ack(struct rdsim_acklog *log, int64_t key, int64_t position);

/* Total acknowledged writes recorded. */
uint64_t rdsim_acklog_acked(const struct rdsim_acklog *log);

/*
 * Compare the record with db's rows. With `rebase`, the record then forgets
 * the writes db lacks, because db becomes the writer and its positions are
 * the ones new writes will continue from.
 */
int rdsim_acklog_check(struct rdsim_acklog *log, struct rdsim_db *db, bool rebase,
                       struct rdsim_acklog_result *out, struct rdsim_err *err);

#endif
