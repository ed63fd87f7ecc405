/*
 * apply.c - a replica applies its source's changesets: the fast path (the
 * hand-written changesets of changeset.h, row images bound into prepared
 * UPDATEs), the general path (sqlite3changeset_apply's iterator, for the
 * console's INSERTs and DELETEs) and the deferred apply that writes a
 * replica's changes into SQLite only when something looks at the rows.
 *
 * rdsim_db_revert applies a changeset's inverse the same way (a backtrack).
 *
 * Deliberately not here: when a batch is applied (src/cluster/replication.c
 * decides, by the replication lag).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db_impl.h"

/* Set one row's image; has[i] false leaves column i+1 as it is. */
static int set_row(struct rdsim_db *db, int64_t key, const bool has[3],
                   const int64_t val[3], struct rdsim_err *err)
{
    bool partial = !has[0] || !has[1] || !has[2];
    sqlite3_stmt *st = partial ? db->st_set_partial : db->st_set;
    int ret = 0;

    for (int i = 0; i < 3; i++) {
        if (has[i])
            sqlite3_bind_int64(st, i + 1, val[i]);
        else
            sqlite3_bind_null(st, i + 1);
    }
    sqlite3_bind_int64(st, 4, key);
    if (sqlite3_step(st) != SQLITE_DONE)
        ret = db_fail(db, err, "apply");
    sqlite3_reset(st);
    /* Rows are never deleted, so a missing one means the changeset came from
     * a database with more rows. */
    if (!ret && sqlite3_changes(db->conn) != 1)
        ret = rdsim_err_set(err, RDSIM_EDB, "%s: apply: row %lld missing", db->name,
                            (long long)key);
    return ret;
}

/* The general path: SQLite's iterator, which also names what is wrong with a
 * changeset the fast reader would not take. */
/* An INSERT or DELETE from the SQL console, replayed as such (rare: the
 * statement is prepared for this one change). An INSERT of a key the replica
 * has, or a DELETE of one it lacks, means the two have diverged: an error. */
static int apply_row_change(struct rdsim_db *db, sqlite3_changeset_iter *it, int op,
                            struct rdsim_err *err)
{
    sqlite3_stmt *st = NULL;
    sqlite3_value *v = NULL;
    long long key = 0;
    int ret = 0;

    if (sqlite3_prepare_v2(db->conn,
                           op == SQLITE_INSERT ? "INSERT INTO kv(k, ver, cnt, committed_ns)"
                                                 " VALUES (?1, ?2, ?3, ?4)"
                                               : "DELETE FROM kv WHERE k = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "apply: prepare");
    for (int col = 0; col < (op == SQLITE_INSERT ? 4 : 1); col++) {
        v = NULL;
        if (op == SQLITE_INSERT)
            sqlite3changeset_new(it, col, &v);
        else
            sqlite3changeset_old(it, col, &v);
        if (v)
            sqlite3_bind_value(st, col + 1, v);
        if (v && col == 0)
            key = sqlite3_value_int64(v);
    }
    if (op == SQLITE_DELETE && key >= 0 && key < db->rows)
        ret = rdsim_err_set(err, RDSIM_EDB,
                            "%s: apply: unexpected change (DELETE of key %lld: the workload's "
                            "rows stay)",
                            db->name, key);
    else if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db->conn) != 1)
        ret = rdsim_err_set(err, RDSIM_EDB, "%s: apply: unexpected change (%s of key %lld: %s)",
                            db->name, op == SQLITE_INSERT ? "INSERT" : "DELETE", key,
                            op == SQLITE_INSERT ? "the row exists" : "no such row");
    sqlite3_finalize(st);
    return ret;
}

static int apply_iter(struct rdsim_db *db, const struct rdsim_changeset *cs,
                      struct rdsim_err *err)
{
    sqlite3_changeset_iter *it = NULL;
    const char *table;
    int ncol, op, indirect, rc, ret = 0;

    /* The iterator only reads the buffer; the API just lacks the const. */
    rc = sqlite3changeset_start(&it, (int)cs->len, (void *)cs->data);
    if (rc != SQLITE_OK)
        return rdsim_err_set(err, RDSIM_EDB, "%s: apply: %s", db->name,
                             sqlite3_errstr(rc));
    while ((rc = sqlite3changeset_next(it)) == SQLITE_ROW) {
        sqlite3_value *v = NULL;
        int64_t key, val[3] = {0, 0, 0};
        bool has[3];

        sqlite3changeset_op(it, &table, &ncol, &op, &indirect);
        if ((op == SQLITE_INSERT || op == SQLITE_DELETE) && ncol == 4 &&
            strcmp(table, "kv") == 0) {
            ret = apply_row_change(db, it, op, err);
            if (ret)
                break;
            continue;
        }
        if (op != SQLITE_UPDATE || ncol != 4 || strcmp(table, "kv") != 0) {
            ret = rdsim_err_set(
                err, RDSIM_EDB,
                "%s: apply: unexpected change (%s on table %s, %d columns)", db->name,
                op == SQLITE_INSERT   ? "INSERT"
                : op == SQLITE_DELETE ? "DELETE"
                                      : "UPDATE",
                table, ncol);
            break;
        }
        /* The key never changes, so its image is the old one. */
        if (sqlite3changeset_old(it, 0, &v) != SQLITE_OK || !v ||
            sqlite3_value_type(v) != SQLITE_INTEGER) {
            ret = rdsim_err_set(err, RDSIM_EDB,
                                "%s: apply: change without an integer key", db->name);
            break;
        }
        key = sqlite3_value_int64(v);
        for (int col = 1; col < 4; col++) {
            v = NULL;
            sqlite3changeset_new(it, col, &v);
            has[col - 1] = v != NULL;
            if (v)
                val[col - 1] = sqlite3_value_int64(v);
        }
        ret = set_row(db, key, has, val, err);
        if (ret)
            break;
    }
    /* finalize reports what made next() stop early (SQLITE_CORRUPT, ...). */
    rc = sqlite3changeset_finalize(it);
    if (!ret && rc != SQLITE_OK)
        ret =
            rdsim_err_set(err, RDSIM_EDB, "%s: apply: %s", db->name, sqlite3_errstr(rc));
    return ret;
}

/*
 * The fast path for changesets of the shape rdsim writes. Returns 1, having
 * rolled back what it applied, when it meets anything else: the caller then
 * starts over with apply_iter().
 */
/* Can the fast path take this changeset whole? Decoding it once first means
 * the apply itself cannot fail half-way, so it needs no savepoint. */
static bool fast_path_ok(const struct rdsim_db *db, const struct rdsim_changeset *cs)
{
    struct rdsim_cs_reader r;
    struct rdsim_kv_change c;
    int rc;

    rdsim_cs_reader_init(&r, cs->data, cs->len);
    while ((rc = rdsim_cs_reader_next(&r, &c)) == 1)
        if (c.key < 0 || c.key >= db->rows)
            return false;
    return rc == 0;
}

/*
 * Deferred apply. A replica's applied changes are kept in memory, net per
 * row, and written into SQLite when something looks at the row: a read of
 * it writes that row first, anything else (a scan, a copy, a write, the SQL
 * console, close) writes them all first, and so does a backlog of
 * PEND_MAX rows. SQLite therefore holds every applied change whenever it is
 * read, while a hot row updated by ten ticks between two reads is written
 * once, not ten times: the writes of a Zipf workload mostly land on rows
 * the replicas read.
 */
/* Measured on 30 s of the 17-instance benchmark (callgrind): deferring at
 * most 1,024 rows cut the run's instructions by 14%, 4,096 by 26%, 16,384
 * by 31%. A row costs 44 bytes, so this is at most 720 KiB a replica. */
#define PEND_MAX 16384

static int pend_put(struct rdsim_db *db, const struct rdsim_kv_change *c, struct rdsim_err *err)
{
    struct rdsim_kv_change *p;
    int32_t at = keymap_get(&db->pend_of, c->key);

    if (at >= 0) {
        p = &db->pend[at];
        for (int col = 0; col < 3; col++)
            if (c->has[col]) {
                p->has[col] = true;
                p->val[col] = c->val[col];
            }
        return 0;
    }
    if (db->n_pend == db->cap_pend) {
        size_t cap = db->cap_pend ? 2 * db->cap_pend : 64;
        void *q = realloc(db->pend, cap * sizeof(*db->pend));
        if (!q)
            return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", db->name);
        db->pend = q;
        db->cap_pend = cap;
    }
    if (!keymap_put(&db->pend_of, c->key, (int32_t)db->n_pend))
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", db->name);
    db->pend[db->n_pend++] = *c;
    return 0;
}

/* Write row `key`'s deferred change, if it has one, into SQLite. */
int db_pend_settle_key(struct rdsim_db *db, int64_t key, struct rdsim_err *err)
{
    int32_t i;
    int ret;

    if (!db->n_pend || (i = keymap_get(&db->pend_of, key)) < 0)
        return 0;
    ret = set_row(db, key, db->pend[i].has, db->pend[i].val, err);
    if (ret)
        return ret;
    keymap_del(&db->pend_of, key);
    if ((size_t)i != --db->n_pend) {
        db->pend[i] = db->pend[db->n_pend];
        keymap_put(&db->pend_of, db->pend[i].key, i); /* replaces: cannot fail */
    }
    return 0;
}

static int pend_cmp(const void *a, const void *b)
{
    const struct rdsim_kv_change *x = a, *y = b;

    return (x->key > y->key) - (x->key < y->key);
}

/* Write every deferred change into SQLite, in key order (neighbouring rows
 * share pages), then commit, which empties the in-memory journal. */
int db_pend_settle(struct rdsim_db *db, struct rdsim_err *err)
{
    int ret = 0;

    if (!db->n_pend)
        return 0;
    ret = db_ensure_txn(db, err);
    if (ret)
        return ret;
    qsort(db->pend, db->n_pend, sizeof(*db->pend), pend_cmp);
    for (size_t i = 0; i < db->n_pend && !ret; i++)
        ret = set_row(db, db->pend[i].key, db->pend[i].has, db->pend[i].val, err);
    if (ret)
        return ret;
    keymap_clear(&db->pend_of);
    db->n_pend = 0;
    return db->session ? 0 : db_commit(db, err);
}

/* Forget the deferred changes: the rows are about to be replaced. */
void db_pend_drop(struct rdsim_db *db)
{
    keymap_clear(&db->pend_of);
    db->n_pend = 0;
}

static int apply_fast(struct rdsim_db *db, const struct rdsim_changeset *cs,
                      struct rdsim_err *err)
{
    struct rdsim_cs_reader r;
    struct rdsim_kv_change c;
    int ret = 0;

    rdsim_cs_reader_init(&r, cs->data, cs->len);
    while (ret == 0 && rdsim_cs_reader_next(&r, &c) == 1)
        ret = pend_put(db, &c, err);
    if (!ret && db->n_pend >= PEND_MAX)
        ret = db_pend_settle(db, err);
    return ret;
}

int rdsim_db_apply(struct rdsim_db *db, const struct rdsim_changeset *cs,
                   struct rdsim_err *err)
{
    int ret;

    if (!cs || (cs->len > 0 && !cs->data))
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: apply: no changeset", db->name);
    if (cs->len == 0)
        return 0;
    if (cs->len > INT_MAX)
        return rdsim_err_set(err, RDSIM_EINVAL,
                             "%s: apply: changeset of %zu bytes too large", db->name,
                             cs->len);

    ret = db_ensure_txn(db, err);
    if (ret)
        return ret;
    db_shadow_drop(db);
    if (db->session)
        sqlite3session_enable(db->session, 0);
    if (fast_path_ok(db, cs)) {
        /* The hot path: our own changesets, one replication tick each,
         * deferred (see pend_put). */
        ret = apply_fast(db, cs, err);
    } else {
        /* Anything else goes through SQLite's iterator in a savepoint, so
         * a changeset that fails half-way leaves the rows as they were;
         * what is deferred goes first, to keep the order of changes. */
        ret = db_pend_settle(db, err);
        if (!ret)
            ret = db_run(db, db->st_savepoint, err);
        if (!ret)
            ret = apply_iter(db, cs, err);
        if (ret) {
            /* ROLLBACK TO keeps the savepoint; RELEASE then ends it. */
            sqlite3_step(db->st_rollback_to);
            sqlite3_reset(db->st_rollback_to);
            sqlite3_step(db->st_release);
            sqlite3_reset(db->st_release);
        } else {
            ret = db_run(db, db->st_release, err);
        }
    }
    if (db->session)
        sqlite3session_enable(db->session, 1);
    return ret;
}


int rdsim_db_revert(struct rdsim_db *db, const struct rdsim_changeset *cs,
                    struct rdsim_err *err)
{
    struct rdsim_changeset inv = {.n_writes = cs ? cs->n_writes : 0};
    int n = 0, rc, ret;

    if (!cs || (cs->len > 0 && !cs->data))
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: revert: no changeset", db->name);
    if (cs->len == 0)
        return 0;
    if (cs->len > INT_MAX)
        return rdsim_err_set(err, RDSIM_EINVAL,
                             "%s: revert: changeset of %zu bytes too large", db->name, cs->len);
    /* The inverse has the same shape (UPDATEs of kv, the key in the old
     * record), so it takes the fast path. */
    rc = sqlite3changeset_invert((int)cs->len, cs->data, &n, &inv.data);
    if (rc != SQLITE_OK)
        return rdsim_err_set(err, rc == SQLITE_NOMEM ? RDSIM_ENOMEM : RDSIM_EDB,
                             "%s: revert: %s", db->name, sqlite3_errstr(rc));
    inv.len = (size_t)n;
    ret = rdsim_db_apply(db, &inv, err);
    sqlite3_free(inv.data);
    return ret;
}
