/*
 * db_impl.h - what db.c (the instance database: rows, ticks, apply, copy)
 * and console.c (the live mode's SQL console on it) share: the struct and
 * the few helpers the console needs. Nothing outside src/db includes it.
 */
#ifndef RDSIM_DB_IMPL_H
#define RDSIM_DB_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "rdsim/db.h"

#include "changeset.h"
#include "keymap.h"

struct rdsim_db {
    sqlite3 *conn;
    char *name; /* path or ":memory:", for messages */
    int64_t rows;
    bool capture;
    bool verify;              /* compare every in-memory image with SQLite's */
    bool in_txn;              /* a transaction is open on conn */
    sqlite3_session *session; /* the SQL console's writes, from its first one in a
                               * tick until the tick's flush; NULL otherwise */
    uint64_t n_writes;        /* ops applied since the last flush */

    /* The rows as SQLite holds them, for a database that takes writes: NULL
     * until a write or rdsim_db_count needs them, dropped whenever anything
     * but rdsim_db_write changes a row (rebuilt by a scan when needed). */
    struct rdsim_row *shadow;
    /* This tick's workload writes, net per row, captured by hand (see
     * changeset.h): tick_of maps a row's key to its index in tick. */
    struct rdsim_kv_update *tick;
    size_t n_tick, cap_tick;
    struct keymap tick_of;

    /* Changes applied from a source but not yet written into SQLite, net
     * per row (see "deferred apply" below): pend_of maps a row's key to
     * its index in pend. */
    struct rdsim_kv_change *pend;
    size_t n_pend, cap_pend;
    struct keymap pend_of;

    sqlite3_stmt *st_begin;
    sqlite3_stmt *st_commit;
    sqlite3_stmt *st_savepoint;
    sqlite3_stmt *st_release;
    sqlite3_stmt *st_rollback_to;
    sqlite3_stmt *st_read;
    sqlite3_stmt *st_set;
    sqlite3_stmt *st_set_partial;
    sqlite3_stmt *st_scan;
};

/* Step st to its end and reset it; 0 or RDSIM_EDB with SQLite's message. */
int db_run(struct rdsim_db *db, sqlite3_stmt *st, struct rdsim_err *err);
/* Run SQL text (no rows expected). */
int db_exec(struct rdsim_db *db, const char *sql, struct rdsim_err *err);
/* Fill err with SQLite's message for `what`; returns RDSIM_EDB. */
int db_fail(struct rdsim_db *db, struct rdsim_err *err, const char *what);
/* Open the tick's transaction if none is; commit it. */
int db_ensure_txn(struct rdsim_db *db, struct rdsim_err *err);
int db_commit(struct rdsim_db *db, struct rdsim_err *err);
/* Start the console's capture session if none is running. */
int db_ensure_session(struct rdsim_db *db, struct rdsim_err *err);
/* Write every deferred applied change into SQLite. */
int db_pend_settle(struct rdsim_db *db, struct rdsim_err *err);
/* Forget the in-memory row images (something else changed rows). */
void db_shadow_drop(struct rdsim_db *db);
/* Deferred apply (apply.c): write row key's pending change into SQLite
 * now; forget every pending change (the database is being replaced). */
int db_pend_settle_key(struct rdsim_db *db, int64_t key, struct rdsim_err *err);
void db_pend_drop(struct rdsim_db *db);

#endif
