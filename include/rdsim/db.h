/*
 * db.h - one instance's SQLite database.
 *
 * Every simulated instance owns a real SQLite database holding the workload
 * table
 *
 *     kv(k INTEGER PRIMARY KEY,       -- key, 0..rows-1
 *        ver INTEGER NOT NULL,        -- id of the last write op applied (0: never written)
 *        cnt INTEGER NOT NULL,        -- how many write ops this row has taken
 *        committed_ns INTEGER NOT NULL) -- simulated commit time of that write
 *
 * Writes run on the writer inside a transaction that stays open until
 * rdsim_db_flush() (one replication tick), with the SQLite session extension
 * recording the net change of every row; flush commits and hands back that
 * changeset. Replicas apply such changesets in commit order with
 * rdsim_db_apply(), one transaction per batch.
 *
 * `cnt` gives each applied write a position in its row's history; the clients
 * remember which positions they saw acknowledged (rdsim/acklog.h), which is how
 * lost writes are found from the data rather than from the model's own
 * bookkeeping.
 *
 * Durability is modelled, not performed: databases live in memory, or in a
 * file with synchronous=OFF when the user asks to keep them.
 */
#ifndef RDSIM_DB_H
#define RDSIM_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdsim/err.h"
#include "rdsim/sim.h"

struct rdsim_db;

struct rdsim_db_config {
    const char *path;   /* NULL: in memory; else a file, replaced if it exists */
    int64_t rows;       /* rows created, keys 0..rows-1, all at ver 0 */
    bool capture;       /* record changesets (the instance can be a source) */
    struct rdsim_db *like; /* NULL, or a database whose rows (same count) the new
                            * one starts as a copy of, instead of creating them */
    bool verify;        /* check every row image kept in memory against SQLite's
                         * on every use (slow; a debugging aid, rdsim run --verify) */
};

struct rdsim_row {
    uint64_t ver;
    int64_t cnt;
    rdsim_time_t committed_ns;
};

/* A changeset produced by rdsim_db_flush(); free with rdsim_changeset_free(). */
struct rdsim_changeset {
    void *data;
    size_t len;
    uint64_t n_writes;   /* write ops captured in it (before net-effect merging) */
};

int rdsim_db_open(const struct rdsim_db_config *cfg, struct rdsim_db **out,
                  struct rdsim_err *err);
/* Commit anything open and close; NULL does nothing. */
void rdsim_db_close(struct rdsim_db *db);

/*
 * Apply write op `opid` to row `key` at simulated time `t`, as a real
 * UPDATE would: in commit order, whatever the op ids, and again if a client
 * retries an op that had already committed. *position is the row's new cnt
 * (the write's place in the row's history). Opens the tick's transaction if
 * needed.
 */
int rdsim_db_write(struct rdsim_db *db, int64_t key, uint64_t opid, rdsim_time_t t,
                   int64_t *position, struct rdsim_err *err);

/* Point read of one row. */
int rdsim_db_read(struct rdsim_db *db, int64_t key, struct rdsim_row *out,
                  struct rdsim_err *err);

/*
 * The row's cnt, from the copy of the rows a database that takes writes
 * keeps in memory (built by one scan when it is missing): what the stale
 * check compares a replica's row with, without a second SQLite read. With
 * verify, SQLite's row is read too and a difference is RDSIM_EINTERNAL.
 */
int rdsim_db_count(struct rdsim_db *db, int64_t key, int64_t *cnt, struct rdsim_err *err);

/*
 * Commit the open transaction. When the database captures changes and `out`
 * is not NULL, *out receives the changeset of everything written since the
 * last flush (len 0 when nothing changed). The caller owns out->data.
 */
int rdsim_db_flush(struct rdsim_db *db, struct rdsim_changeset *out, struct rdsim_err *err);

void rdsim_changeset_free(struct rdsim_changeset *cs);

/*
 * Apply a changeset from the source in one transaction (replica apply).
 * Rows are overwritten with the source's images: replicas are read-only.
 */
int rdsim_db_apply(struct rdsim_db *db, const struct rdsim_changeset *cs,
                   struct rdsim_err *err);

/*
 * Undo cs on db: apply its inverse (sqlite3changeset_invert: every row back
 * to its image before cs), as rdsim_db_apply does, rows overwritten. Undoing
 * a database's own changesets newest first rewinds it (an Aurora MySQL
 * backtrack). The undo is not captured: nothing ships it. 0, RDSIM_ENOMEM
 * or RDSIM_EDB.
 */
int rdsim_db_revert(struct rdsim_db *db, const struct rdsim_changeset *cs,
                    struct rdsim_err *err);

/*
 * Call fn for every workload row (keys 0..rows-1; rows the SQL console
 * inserted are skipped) in key order (lost-write checks). Stops and returns
 * fn's value if it returns non-zero.
 */
typedef int (*rdsim_db_row_fn)(void *ctx, int64_t key, const struct rdsim_row *row);
int rdsim_db_scan(struct rdsim_db *db, rdsim_db_row_fn fn, void *ctx, struct rdsim_err *err);

/*
 * Replace dst's content with src's (re-seeding a replica or standby after a
 * rebuild). Both must have no open transaction of their own that matters:
 * pending writes on dst are discarded.
 */
int rdsim_db_copy(struct rdsim_db *dst, struct rdsim_db *src, struct rdsim_err *err);

/* The database's size in bytes (SQLite pages in use): what a snapshot
 * copies. 0 or RDSIM_EDB. */
int rdsim_db_bytes(struct rdsim_db *db, int64_t *out, struct rdsim_err *err);

/* ---- the live mode's SQL console ------------------------------------------ */

enum rdsim_sql_type { RDSIM_SQL_NULL, RDSIM_SQL_INTEGER, RDSIM_SQL_REAL, RDSIM_SQL_TEXT };

/* One value of a result row; text points into SQLite and is valid only
 * during the row callback. */
struct rdsim_sql_value {
    enum rdsim_sql_type type;
    int64_t i;
    double r;
    const char *text;
};

struct rdsim_db_query_sink {
    void *ctx;
    /* Once, before any row, when the statement returns columns. */
    int (*columns)(void *ctx, int n, const char *const *names);
    /* Each row; a non-zero return stops with RDSIM_ENOMEM. */
    int (*row)(void *ctx, int n, const struct rdsim_sql_value *v);
};

/* Console limits: the longest value a statement may make, the most bytes a
 * result may hold (larger ones fail with RDSIM_EINVAL), the longest LIKE or
 * GLOB pattern; the largest ver, cnt or committed_ns a write may set, and
 * the most rows beyond the workload's kv may hold (RDSIM_EPERM past either). */
#define RDSIM_DB_QUERY_MAX_VALUE (64 * 1024)
#define RDSIM_DB_QUERY_MAX_RESULT (4 * 1024 * 1024)
#define RDSIM_DB_QUERY_MAX_PATTERN 100
#define RDSIM_DB_QUERY_MAX_INT ((INT64_C(1) << 62) - 1)
#define RDSIM_DB_QUERY_MAX_ADDED_ROWS 10000
/* The most one write may change, as its change record holds it (about 100
 * bytes a row, so some 80 000 rows): RDSIM_EPERM past it, while it runs. */
#define RDSIM_DB_QUERY_MAX_CHANGE_BYTES (8 * 1024 * 1024)

struct rdsim_db_query_opts {
    bool read_only;     /* refuse statements that write (a replica, a standby) */
    uint64_t max_steps; /* interrupt after this many SQLite VM steps; 0: no limit */
    size_t max_rows;    /* rows handed to the sink; 0: no limit */
    /* Asked every few VM steps; true stops the statement with RDSIM_EINVAL
     * "statement stopped: <stop_reason>". The live server checks its
     * wall-clock budget here (this module reads no clock). NULL: never. */
    bool (*should_stop)(void *ctx);
    void *stop_ctx;
    const char *stop_reason;
};

struct rdsim_db_query_result {
    bool wrote;         /* a write statement that succeeded */
    int64_t changes;    /* rows it changed */
    size_t rows;        /* rows handed to the sink */
    bool truncated;     /* more rows than max_rows */
};

/*
 * Run one statement typed by a person (rdsim serve's SQL console). Only
 * SELECT, INSERT, UPDATE and DELETE on kv run, calling only a list of
 * functions each linear in its arguments (docs/live.md lists them); a write
 * runs in a savepoint inside the tick's transaction and is captured for
 * replication like the workload's; a write is rolled back when it removes
 * any of the workload's rows 0..rows-1, sets a value that is not an integer
 * 0..RDSIM_DB_QUERY_MAX_INT, or leaves more than
 * RDSIM_DB_QUERY_MAX_ADDED_ROWS other rows. Returns 0; RDSIM_EPERM for a
 * refused statement (kind, table, function, read_only, the write rules);
 * RDSIM_EINVAL for an empty, multiple, malformed or failing statement, one
 * over max_steps or stopped by should_stop, or one over the value or result
 * size; RDSIM_ENOMEM / RDSIM_EDB otherwise. *res is filled in every case.
 */
int rdsim_db_query(struct rdsim_db *db, const char *sql, const struct rdsim_db_query_opts *o,
                   const struct rdsim_db_query_sink *sink, struct rdsim_db_query_result *res,
                   struct rdsim_err *err);

#endif
