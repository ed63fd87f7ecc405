/*
 * db.c - one instance's SQLite database: the kv table, transactions, change
 * capture, reads, scans and copies. A replica's apply is apply.c's, the live
 * SQL console console.c's; db_impl.h holds what the three share.
 *
 * This is the simulator's hot path (tens of millions of row applies and point
 * reads per simulated hour), so every statement is prepared once at open and
 * kept until close, each database has its own connection without a
 * connection mutex (the simulator is single-threaded), and a transaction is
 * kept open between calls: the first write, read or scan opens one, and only
 * flush, apply, copy and close commit. A point read inside an open
 * transaction costs about a quarter less than one in autocommit mode.
 *
 * Invariants:
 *  - db->in_txn is true exactly when this connection has a transaction open.
 *  - db->session exists only on capture databases, from the first write
 *    after a flush until the next flush; it sees writes only, never applied
 *    changesets (it is disabled while one is applied): a replica forwards what
 *    it applies by forwarding the changeset itself.
 *  - Every statement is reset after use, so none holds a cursor between calls
 *    (a backup into the database needs that).
 *
 * The journal lives in memory (not OFF) so that a changeset that turns out
 * corrupt halfway can still be rolled back. Nothing here is durable: the file
 * kept with a path is for looking at after the run.
 *
 * Deliberately absent: reading the clock, schema changes, tables other than
 * kv. INSERT and DELETE changes come only from the live mode's SQL console
 * (rdsim_db_query, console.c, which keeps the workload's rows 0..rows-1 in
 * place); they take the slow apply path (apply.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db_impl.h"


int db_pend_settle(struct rdsim_db *db, struct rdsim_err *err);
int db_commit(struct rdsim_db *db, struct rdsim_err *err);

/* Which statement goes in which slot, so open and close walk one table. */
static const struct {
    size_t offset;
    const char *sql;
} statements[] = {
    {offsetof(struct rdsim_db, st_begin), "BEGIN"},
    {offsetof(struct rdsim_db, st_commit), "COMMIT"},
    /* Apply runs inside a savepoint so it nests in an open tick as well. */
    {offsetof(struct rdsim_db, st_savepoint), "SAVEPOINT rdsim_apply"},
    {offsetof(struct rdsim_db, st_release), "RELEASE rdsim_apply"},
    {offsetof(struct rdsim_db, st_rollback_to), "ROLLBACK TO rdsim_apply"},
    {offsetof(struct rdsim_db, st_read),
     "SELECT ver, cnt, committed_ns FROM kv WHERE k = ?1"},
    /* Both write and apply set a row's image. */
    {offsetof(struct rdsim_db, st_set),
     "UPDATE kv SET ver = ?1, cnt = ?2, committed_ns = ?3 WHERE k = ?4"},
    /* A change that leaves a column out (it did not change) binds NULL: the
     * columns are NOT NULL, so coalesce() keeps the current value. */
    {offsetof(struct rdsim_db, st_set_partial),
     "UPDATE kv SET ver = coalesce(?1, ver), cnt = coalesce(?2, cnt),"
     " committed_ns = coalesce(?3, committed_ns) WHERE k = ?4"},
    {offsetof(struct rdsim_db, st_scan),
     "SELECT k, ver, cnt, committed_ns FROM kv ORDER BY k"},
};

#define N_STATEMENTS (sizeof statements / sizeof statements[0])

static sqlite3_stmt **stmt_slot(struct rdsim_db *db, size_t i)
{
    return (sqlite3_stmt **)((char *)db + statements[i].offset);
}

/* Report the connection's last error; the message is copied at once. */
int db_fail(struct rdsim_db *db, struct rdsim_err *err, const char *what)
{
    return rdsim_err_set(err, RDSIM_EDB, "%s: %s: %s", db->name, what,
                         sqlite3_errmsg(db->conn));
}

/* Run a prepared statement that returns no rows (BEGIN, COMMIT, ...). */
int db_run(struct rdsim_db *db, sqlite3_stmt *st, struct rdsim_err *err)
{
    int rc = sqlite3_step(st);
    int ret = 0;

    if (rc != SQLITE_DONE)
        ret = db_fail(db, err, sqlite3_sql(st));
    sqlite3_reset(st);
    return ret;
}

int db_exec(struct rdsim_db *db, const char *sql, struct rdsim_err *err)
{
    char *msg = NULL;
    int ret = 0;

    if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK)
        ret = rdsim_err_set(err, RDSIM_EDB, "%s: %s: %s", db->name, sql,
                            msg ? msg : sqlite3_errmsg(db->conn));
    sqlite3_free(msg);
    return ret;
}

static int check_key(const struct rdsim_db *db, int64_t key, struct rdsim_err *err)
{
    if (key < 0 || key >= db->rows)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: key %lld out of range 0..%lld",
                             db->name, (long long)key, (long long)db->rows - 1);
    return 0;
}

/* Remove a stale file and any journal beside it, so nothing is replayed into
 * the new database. */
static int remove_file(const char *path, struct rdsim_err *err)
{
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    size_t len = strlen(path);
    char *buf = malloc(len + sizeof "-journal");
    int ret = 0;

    if (!buf)
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        memcpy(buf, path, len);
        strcpy(buf + len, suffixes[i]);
        if (unlink(buf) != 0 && errno != ENOENT) {
            ret = rdsim_err_set(err, RDSIM_EIO, "%s: cannot replace: %s", buf,
                                strerror(errno));
            break;
        }
    }
    free(buf);
    return ret;
}

static int create_rows(struct rdsim_db *db, struct rdsim_err *err)
{
    sqlite3_stmt *ins = NULL;
    int ret;

    ret = db_exec(db,
               "CREATE TABLE kv(k INTEGER PRIMARY KEY, ver INTEGER NOT NULL,"
               " cnt INTEGER NOT NULL, committed_ns INTEGER NOT NULL)",
               err);
    if (ret)
        return ret;
    ret = db_exec(db, "BEGIN", err);
    if (ret)
        return ret;
    if (sqlite3_prepare_v2(db->conn, "INSERT INTO kv VALUES (?1, 0, 0, 0)", -1, &ins,
                           NULL) != SQLITE_OK) {
        ret = db_fail(db, err, "prepare insert");
        goto cleanup;
    }
    for (int64_t k = 0; k < db->rows; k++) {
        sqlite3_bind_int64(ins, 1, k);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            ret = db_fail(db, err, "insert rows");
            goto cleanup;
        }
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    ins = NULL;
    return db_exec(db, "COMMIT", err);

cleanup:
    sqlite3_finalize(ins);
    sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
    return ret;
}

/* The rows of a new database as a page-by-page copy of `like`'s (the
 * backup API): 17 databases of a million rows took 5 s to fill row by row,
 * and a copy of one takes a few milliseconds. */
static int copy_rows(struct rdsim_db *db, struct rdsim_db *like, struct rdsim_err *err)
{
    sqlite3_backup *b;
    int rc, ret;

    if (like->rows != db->rows)
        return rdsim_err_set(err, RDSIM_EINVAL, "db open: %s has %lld rows, not %lld",
                             like->name, (long long)like->rows, (long long)db->rows);
    /* The source must be between transactions; it has all its rows. */
    ret = db_pend_settle(like, err);
    if (!ret)
        ret = db_commit(like, err);
    if (ret)
        return ret;
    b = sqlite3_backup_init(db->conn, "main", like->conn, "main");
    if (!b)
        return db_fail(db, err, "copy rows");
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return rdsim_err_set(err, RDSIM_EDB, "%s: copy rows from %s: %s", db->name, like->name,
                             sqlite3_errstr(rc));
    return 0;
}

int rdsim_db_open(const struct rdsim_db_config *cfg, struct rdsim_db **out,
                  struct rdsim_err *err)
{
    struct rdsim_db *db = NULL;
    const char *name;
    int rc, ret;

    if (out)
        *out = NULL;
    if (!cfg || !out)
        return rdsim_err_set(err, RDSIM_EINVAL, "db open: no config or result pointer");
    if (cfg->rows < 0)
        return rdsim_err_set(err, RDSIM_EINVAL, "db open: rows %lld is negative",
                             (long long)cfg->rows);
    name = cfg->path ? cfg->path : ":memory:";

    db = calloc(1, sizeof *db);
    if (!db || !(db->name = strdup(name))) {
        ret = rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", name);
        goto fail;
    }
    db->rows = cfg->rows;
    db->capture = cfg->capture;
    db->verify = cfg->verify;

    if (cfg->path) {
        ret = remove_file(cfg->path, err);
        if (ret)
            goto fail;
    }
    rc = sqlite3_open_v2(name, &db->conn,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        ret = rdsim_err_set(err, rc == SQLITE_CANTOPEN ? RDSIM_EIO : RDSIM_EDB,
                            "%s: cannot open database: %s", name,
                            db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
        goto fail;
    }
    /* Durability is modelled, not performed. EXCLUSIVE keeps the file lock for
     * the whole run instead of taking it per transaction. Debian builds SQLite
     * with SECURE_DELETE, which zeroes the old image of every updated row. */
    ret = db_exec(db,
               "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
               " PRAGMA locking_mode=EXCLUSIVE; PRAGMA temp_store=MEMORY;"
               " PRAGMA secure_delete=OFF; PRAGMA cache_size=-65536",
               err);
    if (ret)
        goto fail;
    ret = cfg->like ? copy_rows(db, cfg->like, err) : create_rows(db, err);
    if (ret)
        goto fail;

    for (size_t i = 0; i < N_STATEMENTS; i++) {
        if (sqlite3_prepare_v3(db->conn, statements[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
                               stmt_slot(db, i), NULL) != SQLITE_OK) {
            ret = db_fail(db, err, statements[i].sql);
            goto fail;
        }
    }
    *out = db;
    return 0;

fail:
    rdsim_db_close(db);
    return ret;
}

void rdsim_db_close(struct rdsim_db *db)
{
    if (!db)
        return;
    /* A kept file holds every applied change (best effort: nothing to
     * report to); in memory they die with the database anyway. */
    if (db->n_pend && strcmp(db->name, ":memory:") != 0)
        db_pend_settle(db, NULL);
    if (db->in_txn)
        sqlite3_step(db->st_commit);
    if (db->session)
        sqlite3session_delete(db->session);
    for (size_t i = 0; i < N_STATEMENTS; i++)
        sqlite3_finalize(*stmt_slot(db, i));
    sqlite3_close_v2(db->conn);
    free(db->shadow);
    free(db->tick);
    keymap_free(&db->tick_of);
    free(db->pend);
    keymap_free(&db->pend_of);
    free(db->name);
    free(db);
}

/* Open a transaction unless one is open. */
int db_ensure_txn(struct rdsim_db *db, struct rdsim_err *err)
{
    int ret;

    if (db->in_txn)
        return 0;
    ret = db_run(db, db->st_begin, err);
    if (!ret)
        db->in_txn = true;
    return ret;
}

int db_commit(struct rdsim_db *db, struct rdsim_err *err)
{
    if (!db->in_txn)
        return 0;
    db->in_txn = false;
    return db_run(db, db->st_commit, err);
}

/* Make sure a session records the writes of a capture database. */
int db_ensure_session(struct rdsim_db *db, struct rdsim_err *err)
{
    int ret;

    if (!db->capture || db->session)
        return 0;
    if (sqlite3session_create(db->conn, "main", &db->session) != SQLITE_OK) {
        db->session = NULL;
        return db_fail(db, err, "create session");
    }
    if (sqlite3session_attach(db->session, "kv") != SQLITE_OK) {
        ret = db_fail(db, err, "attach session");
        sqlite3session_delete(db->session);
        db->session = NULL;
        return ret;
    }
    return 0;
}

/* Look a row up with st_read; leaves the statement reset. */
static int get_row(struct rdsim_db *db, int64_t key, struct rdsim_row *out,
                   struct rdsim_err *err)
{
    sqlite3_stmt *st = db->st_read;
    int rc, ret = 0;

    sqlite3_bind_int64(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->ver = (uint64_t)sqlite3_column_int64(st, 0);
        out->cnt = sqlite3_column_int64(st, 1);
        out->committed_ns = sqlite3_column_int64(st, 2);
    } else if (rc == SQLITE_DONE) {
        ret = rdsim_err_set(err, RDSIM_EDB, "%s: row %lld missing", db->name,
                            (long long)key);
    } else {
        ret = db_fail(db, err, "read");
    }
    sqlite3_reset(st);
    return ret;
}

/* Forget the in-memory rows: something other than a workload write is
 * about to change SQLite's (an apply, a copy, the SQL console). The tick's
 * captured changes stay: they are what was written. */
void db_shadow_drop(struct rdsim_db *db)
{
    free(db->shadow);
    db->shadow = NULL;
}

static int shadow_row(void *ctx, int64_t key, const struct rdsim_row *row)
{
    struct rdsim_db *db = ctx;

    db->shadow[key] = *row;
    return 0;
}

/* Make db->shadow hold SQLite's rows (one scan, the first time after a
 * drop: a new writer, or a write after the console's). */
static int shadow_ensure(struct rdsim_db *db, struct rdsim_err *err)
{
    int ret;

    if (db->shadow)
        return 0;
    db->shadow = malloc((size_t)(db->rows > 0 ? db->rows : 1) * sizeof(*db->shadow));
    if (!db->shadow)
        return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", db->name);
    ret = rdsim_db_scan(db, shadow_row, db, err);
    if (ret)
        db_shadow_drop(db);
    return ret;
}

/* The verify mode: the in-memory image of `key` must be SQLite's. */
static int shadow_verify(struct rdsim_db *db, int64_t key, struct rdsim_err *err)
{
    struct rdsim_row row;
    int ret = get_row(db, key, &row, err);

    if (!ret && (row.ver != db->shadow[key].ver || row.cnt != db->shadow[key].cnt ||
                 row.committed_ns != db->shadow[key].committed_ns))
        ret = rdsim_err_set(err, RDSIM_EINTERNAL,
                            "%s: row %lld in memory (ver %llu, cnt %lld) differs from "
                            "SQLite's (ver %llu, cnt %lld)",
                            db->name, (long long)key,
                            (unsigned long long)db->shadow[key].ver,
                            (long long)db->shadow[key].cnt, (unsigned long long)row.ver,
                            (long long)row.cnt);
    return ret;
}

/* Record a workload write in the tick's capture: the row's first old image
 * and its latest new one. */
static int capture_write(struct rdsim_db *db, int64_t key, const struct rdsim_row *old,
                         const struct rdsim_row *now, struct rdsim_err *err)
{
    struct rdsim_kv_update *u;
    int32_t at = keymap_get(&db->tick_of, key);

    if (at >= 0) {
        u = &db->tick[at];
    } else {
        if (db->n_tick == db->cap_tick) {
            size_t cap = db->cap_tick ? 2 * db->cap_tick : 64;
            void *p = realloc(db->tick, cap * sizeof(*db->tick));
            if (!p)
                return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", db->name);
            db->tick = p;
            db->cap_tick = cap;
        }
        if (!keymap_put(&db->tick_of, key, (int32_t)db->n_tick))
            return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", db->name);
        u = &db->tick[db->n_tick++];
        u->key = key;
        u->old[0] = (int64_t)old->ver;
        u->old[1] = old->cnt;
        u->old[2] = old->committed_ns;
    }
    u->new_[0] = (int64_t)now->ver;
    u->new_[1] = now->cnt;
    u->new_[2] = now->committed_ns;
    return 0;
}

static void capture_reset(struct rdsim_db *db)
{
    keymap_clear(&db->tick_of);
    db->n_tick = 0;
}

int rdsim_db_write(struct rdsim_db *db, int64_t key, uint64_t opid, rdsim_time_t t,
                   int64_t *position, struct rdsim_err *err)
{
    sqlite3_stmt *st = db->st_set;
    struct rdsim_row old, now;
    int ret;

    *position = 0;
    ret = check_key(db, key, err);
    if (ret)
        return ret;
    /* ver is stored signed: a larger id would compare as older than 0. */
    if (opid > INT64_MAX)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: op id %llu too large", db->name,
                             (unsigned long long)opid);
    ret = db_pend_settle(db, err);
    if (!ret)
        ret = db_ensure_txn(db, err);
    if (!ret)
        ret = shadow_ensure(db, err);
    if (ret)
        return ret;

    /* The row's current cnt comes from memory: the connection is ours
     * alone, so the image is SQLite's (the verify mode checks it), and
     * reading it back cost as much as the UPDATE. */
    old = db->shadow[key];
    now = (struct rdsim_row){.ver = opid, .cnt = old.cnt + 1, .committed_ns = t};
    sqlite3_bind_int64(st, 1, (sqlite3_int64)opid);
    sqlite3_bind_int64(st, 2, now.cnt);
    sqlite3_bind_int64(st, 3, t);
    sqlite3_bind_int64(st, 4, key);
    if (sqlite3_step(st) != SQLITE_DONE)
        ret = db_fail(db, err, "write");
    sqlite3_reset(st);
    /* Once the console has written in this tick, its session records
     * everything after it, workload writes included. */
    if (!ret && db->capture && !db->session)
        ret = capture_write(db, key, &old, &now, err);
    if (ret)
        return ret;
    db->shadow[key] = now;
    if (db->verify && (ret = shadow_verify(db, key, err)) != 0)
        return ret;
    *position = now.cnt;
    db->n_writes++;
    return 0;
}

int rdsim_db_count(struct rdsim_db *db, int64_t key, int64_t *cnt, struct rdsim_err *err)
{
    int ret = check_key(db, key, err);

    if (!ret)
        ret = db_ensure_txn(db, err);
    if (!ret)
        ret = shadow_ensure(db, err);
    if (!ret && db->verify)
        ret = shadow_verify(db, key, err);
    *cnt = ret ? 0 : db->shadow[key].cnt;
    return ret;
}

int rdsim_db_read(struct rdsim_db *db, int64_t key, struct rdsim_row *out,
                  struct rdsim_err *err)
{
    int ret = check_key(db, key, err);

    if (!ret)
        ret = db_ensure_txn(db, err);
    if (!ret)
        ret = db_pend_settle_key(db, key, err);
    return ret ? ret : get_row(db, key, out, err);
}

/* The tick's changeset: the hand-captured writes, then what the console's
 * session recorded after them, combined by SQLite into net changes. */
static int tick_changeset(struct rdsim_db *db, struct rdsim_changeset *out,
                          struct rdsim_err *err)
{
    unsigned char *hand = NULL;
    size_t hand_len = 0;
    int n = 0, rc = SQLITE_OK;
    void *data = NULL;
    sqlite3_changegroup *g = NULL;

    if (db->n_tick > 0) {
        hand = sqlite3_malloc64(rdsim_cs_encoded_max(db->n_tick));
        if (!hand)
            return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", db->name);
        hand_len = rdsim_cs_encode(hand, db->tick, db->n_tick);
    }
    if (!db->session) {
        if (hand_len == 0) {
            sqlite3_free(hand);
            return 0;
        }
        out->data = hand;
        out->len = hand_len;
        return 0;
    }
    if (sqlite3session_changeset(db->session, &n, &data) != SQLITE_OK) {
        sqlite3_free(hand);
        sqlite3_free(data);
        return db_fail(db, err, "changeset");
    }
    if (hand_len == 0) {
        out->data = data;
        out->len = (size_t)n;
        return 0;
    }
    rc = sqlite3changegroup_new(&g);
    if (rc == SQLITE_OK)
        rc = sqlite3changegroup_add(g, (int)hand_len, hand);
    if (rc == SQLITE_OK && n > 0)
        rc = sqlite3changegroup_add(g, n, data);
    sqlite3_free(hand);
    sqlite3_free(data);
    data = NULL;
    n = 0;
    if (rc == SQLITE_OK)
        rc = sqlite3changegroup_output(g, &n, &data);
    sqlite3changegroup_delete(g);
    if (rc != SQLITE_OK) {
        sqlite3_free(data);
        return rdsim_err_set(err, rc == SQLITE_NOMEM ? RDSIM_ENOMEM : RDSIM_EDB,
                             "%s: changeset: %s", db->name, sqlite3_errstr(rc));
    }
    out->data = data;
    out->len = (size_t)n;
    return 0;
}

int rdsim_db_flush(struct rdsim_db *db, struct rdsim_changeset *out,
                   struct rdsim_err *err)
{
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (out) {
        /* On failure the capture stays intact: nothing is lost. */
        ret = tick_changeset(db, out, err);
        if (ret)
            return ret;
        if (out->len > 0)
            out->n_writes = db->n_writes;
    }
    capture_reset(db);
    if (db->session) {
        sqlite3session_delete(db->session);
        db->session = NULL;
    }
    db->n_writes = 0;
    ret = db_commit(db, err);
    if (ret && out)
        rdsim_changeset_free(out);
    return ret;
}

void rdsim_changeset_free(struct rdsim_changeset *cs)
{
    if (!cs)
        return;
    sqlite3_free(cs->data);
    memset(cs, 0, sizeof *cs);
}

int rdsim_db_scan(struct rdsim_db *db, rdsim_db_row_fn fn, void *ctx,
                  struct rdsim_err *err)
{
    sqlite3_stmt *st = db->st_scan;
    struct rdsim_row row;
    int rc, ret;

    ret = db_pend_settle(db, err);
    if (!ret)
        ret = db_ensure_txn(db, err);
    if (ret)
        return ret;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        /* Rows the SQL console added are not the workload's. */
        if (sqlite3_column_int64(st, 0) < 0 || sqlite3_column_int64(st, 0) >= db->rows)
            continue;
        row.ver = (uint64_t)sqlite3_column_int64(st, 1);
        row.cnt = sqlite3_column_int64(st, 2);
        row.committed_ns = sqlite3_column_int64(st, 3);
        ret = fn(ctx, sqlite3_column_int64(st, 0), &row);
        if (ret)
            break;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = db_fail(db, err, "scan");
    sqlite3_reset(st);
    return ret;
}

int rdsim_db_copy(struct rdsim_db *dst, struct rdsim_db *src, struct rdsim_err *err)
{
    sqlite3_backup *b;
    int rc, ret;

    if (dst == src)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: copy onto itself", dst->name);

    /* dst's pending writes are about to be overwritten: drop their capture
     * so no later flush ships them. A backup needs both sides without an
     * open transaction of their connection (a write one on src, any on dst).
     * Committing src early is harmless (durability is modelled) and its
     * session stays, so its next flush still carries those writes. */
    if (dst->session) {
        sqlite3session_delete(dst->session);
        dst->session = NULL;
    }
    capture_reset(dst);
    db_pend_drop(dst);
    ret = db_pend_settle(src, err);
    if (ret)
        return ret;
    db_shadow_drop(dst);
    dst->n_writes = 0;
    ret = db_commit(dst, err);
    if (!ret)
        ret = db_commit(src, err);
    if (ret)
        return ret;

    b = sqlite3_backup_init(dst->conn, "main", src->conn, "main");
    if (!b)
        return db_fail(dst, err, "copy");
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return rdsim_err_set(err, RDSIM_EDB, "%s: copy from %s: %s", dst->name, src->name,
                             sqlite3_errstr(rc));
    dst->rows = src->rows;
    return 0;
}

int rdsim_db_bytes(struct rdsim_db *db, int64_t *out, struct rdsim_err *err)
{
    sqlite3_stmt *st;
    int rc;

    /* Pages in use, as SQLite's backup API copies them. */
    if (sqlite3_prepare_v2(db->conn,
                           "SELECT page_count * page_size FROM pragma_page_count(), "
                           "pragma_page_size()",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "size");
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rdsim_err_set(err, RDSIM_EDB, "%s: size: %s", db->name,
                                                 sqlite3_errstr(rc));
}
