/*
 * db.c - one instance's SQLite database: the kv table, transactions, change
 * capture with the session extension and replica apply.
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
 * (rdsim_db_query, which keeps the workload's rows 0..rows-1 in place); they
 * take the slow apply path.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* Deferred apply (defined with the apply path, below). */
static int pend_settle_key(struct rdsim_db *db, int64_t key, struct rdsim_err *err);
static int pend_settle(struct rdsim_db *db, struct rdsim_err *err);
static int commit(struct rdsim_db *db, struct rdsim_err *err);

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
static int db_fail(struct rdsim_db *db, struct rdsim_err *err, const char *what)
{
    return rdsim_err_set(err, RDSIM_EDB, "%s: %s: %s", db->name, what,
                         sqlite3_errmsg(db->conn));
}

/* Run a prepared statement that returns no rows (BEGIN, COMMIT, ...). */
static int run(struct rdsim_db *db, sqlite3_stmt *st, struct rdsim_err *err)
{
    int rc = sqlite3_step(st);
    int ret = 0;

    if (rc != SQLITE_DONE)
        ret = db_fail(db, err, sqlite3_sql(st));
    sqlite3_reset(st);
    return ret;
}

static int exec(struct rdsim_db *db, const char *sql, struct rdsim_err *err)
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

    ret = exec(db,
               "CREATE TABLE kv(k INTEGER PRIMARY KEY, ver INTEGER NOT NULL,"
               " cnt INTEGER NOT NULL, committed_ns INTEGER NOT NULL)",
               err);
    if (ret)
        return ret;
    ret = exec(db, "BEGIN", err);
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
    return exec(db, "COMMIT", err);

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
    ret = pend_settle(like, err);
    if (!ret)
        ret = commit(like, err);
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
    ret = exec(db,
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
        pend_settle(db, NULL);
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
static int ensure_txn(struct rdsim_db *db, struct rdsim_err *err)
{
    int ret;

    if (db->in_txn)
        return 0;
    ret = run(db, db->st_begin, err);
    if (!ret)
        db->in_txn = true;
    return ret;
}

static int commit(struct rdsim_db *db, struct rdsim_err *err)
{
    if (!db->in_txn)
        return 0;
    db->in_txn = false;
    return run(db, db->st_commit, err);
}

/* Make sure a session records the writes of a capture database. */
static int ensure_session(struct rdsim_db *db, struct rdsim_err *err)
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
static void shadow_drop(struct rdsim_db *db)
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
        shadow_drop(db);
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
    ret = pend_settle(db, err);
    if (!ret)
        ret = ensure_txn(db, err);
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
        ret = ensure_txn(db, err);
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
        ret = ensure_txn(db, err);
    if (!ret)
        ret = pend_settle_key(db, key, err);
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
    ret = commit(db, err);
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
static int pend_settle_key(struct rdsim_db *db, int64_t key, struct rdsim_err *err)
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
static int pend_settle(struct rdsim_db *db, struct rdsim_err *err)
{
    int ret = 0;

    if (!db->n_pend)
        return 0;
    ret = ensure_txn(db, err);
    if (ret)
        return ret;
    qsort(db->pend, db->n_pend, sizeof(*db->pend), pend_cmp);
    for (size_t i = 0; i < db->n_pend && !ret; i++)
        ret = set_row(db, db->pend[i].key, db->pend[i].has, db->pend[i].val, err);
    if (ret)
        return ret;
    keymap_clear(&db->pend_of);
    db->n_pend = 0;
    return db->session ? 0 : commit(db, err);
}

/* Forget the deferred changes: the rows are about to be replaced. */
static void pend_drop(struct rdsim_db *db)
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
        ret = pend_settle(db, err);
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

    ret = ensure_txn(db, err);
    if (ret)
        return ret;
    shadow_drop(db);
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
        ret = pend_settle(db, err);
        if (!ret)
            ret = run(db, db->st_savepoint, err);
        if (!ret)
            ret = apply_iter(db, cs, err);
        if (ret) {
            /* ROLLBACK TO keeps the savepoint; RELEASE then ends it. */
            sqlite3_step(db->st_rollback_to);
            sqlite3_reset(db->st_rollback_to);
            sqlite3_step(db->st_release);
            sqlite3_reset(db->st_release);
        } else {
            ret = run(db, db->st_release, err);
        }
    }
    if (db->session)
        sqlite3session_enable(db->session, 1);
    return ret;
}

int rdsim_db_scan(struct rdsim_db *db, rdsim_db_row_fn fn, void *ctx,
                  struct rdsim_err *err)
{
    sqlite3_stmt *st = db->st_scan;
    struct rdsim_row row;
    int rc, ret;

    ret = pend_settle(db, err);
    if (!ret)
        ret = ensure_txn(db, err);
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
    pend_drop(dst);
    ret = pend_settle(src, err);
    if (ret)
        return ret;
    shadow_drop(dst);
    dst->n_writes = 0;
    ret = commit(dst, err);
    if (!ret)
        ret = commit(src, err);
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

/* ---- the live mode's SQL console ------------------------------------------ */

/*
 * A statement typed by a person runs on the simulator's own connection, so
 * it is fenced on every side:
 *  - what it may do: its first word must be one of console_statements (a
 *    bare REINDEX or VACUUM reaches no authorizer action), and the
 *    authorizer allows only table kv of the main database and the functions
 *    of console_functions;
 *  - how long it may run: the progress handler runs every PROGRESS_OPS
 *    virtual machine steps and stops the statement past max_steps or when
 *    the caller's should_stop says so (the live server's wall-clock budget:
 *    nothing here reads a clock). That only bounds time if no single step
 *    runs long, so the functions allowed are those linear in their
 *    arguments, which SQLITE_LIMIT_LENGTH caps, with LIKE and GLOB patterns
 *    capped too. Left out on purpose: printf() and format()
 *    (printf('%.*c', 2147483647, 'x') loops 2^31 times inside one step:
 *    about 7 s), trim() and its kin (the two-argument form compares every
 *    character of the set with each of the value's: 0.5 s a call), instr()
 *    and replace() (quadratic in one step), and anything that reveals or
 *    takes a pointer (fts3_tokenizer) or the library's build;
 *  - how much it may make: RDSIM_DB_QUERY_MAX_VALUE per value,
 *    RDSIM_DB_QUERY_MAX_RESULT per result; a write no value longer than an
 *    integer (so a blob fails when made, not after) and no more than
 *    RDSIM_DB_QUERY_MAX_CHANGE_BYTES of changes, watched while it runs;
 *  - what it may leave: kv keeps integers (ver, cnt and committed_ns within
 *    0..RDSIM_DB_QUERY_MAX_INT, so the workload's counters never overflow),
 *    every workload row, and at most RDSIM_DB_QUERY_MAX_ADDED_ROWS others
 *    (every instance keeps a copy). That is checked on the statement's own
 *    changeset (a second session that lives for the statement), so its cost
 *    follows the rows the statement changed, not the size of the table.
 */

#define PROGRESS_OPS 16 /* virtual machine steps between two progress checks */

/* The statements the console runs, by their first word. */
static const char *const console_statements[] = {
    "SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "VALUES", "WITH", NULL,
};

/* The functions it may call: each linear in its arguments (see above). */
static const char *const console_functions[] = {
    "abs",         "avg",         "char",         "coalesce",   "count",      "cume_dist",
    "dense_rank",  "first_value", "glob",         "group_concat", "hex",      "ifnull",
    "iif",         "lag",         "last_value",   "lead",       "length",     "like",
    "likelihood",  "likely",      "lower",        "max",        "min",        "nth_value",
    "ntile",       "nullif",      "percent_rank", "quote",      "rank",       "round",
    "row_number",  "substr",      "substring",    "sum",        "total",      "typeof",
    "unicode",     "unlikely",    "upper",        "zeroblob",   NULL,
};

struct guard {
    char statement[48]; /* a kind of statement the authorizer refused */
    char function[48];  /* a function it refused */
    char object[96];    /* a table or a recursive query it refused */
    uint64_t steps, max_steps;
    bool (*should_stop)(void *ctx);
    void *stop_ctx;
    bool stopped;           /* by should_stop */
    sqlite3_session *mine;  /* a write's own changes, or NULL */
    bool too_many;          /* stopped: they passed RDSIM_DB_QUERY_MAX_CHANGE_BYTES */
};

static bool in_list(const char *const *list, const char *word)
{
    for (; *list; list++)
        if (strcasecmp(*list, word) == 0)
            return true;
    return false;
}

/* The statement an authorizer action stands for, in SQL's own words. */
static const char *statement_name(int action)
{
    switch (action) {
    case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TEMP_INDEX: return "CREATE INDEX";
    case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TEMP_TABLE: return "CREATE TABLE";
    case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TRIGGER";
    case SQLITE_CREATE_VIEW: case SQLITE_CREATE_TEMP_VIEW: return "CREATE VIEW";
    case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_INDEX: case SQLITE_DROP_TEMP_INDEX: return "DROP INDEX";
    case SQLITE_DROP_TABLE: case SQLITE_DROP_TEMP_TABLE: case SQLITE_DROP_VTABLE:
        return "DROP TABLE";
    case SQLITE_DROP_TRIGGER: case SQLITE_DROP_TEMP_TRIGGER: return "DROP TRIGGER";
    case SQLITE_DROP_VIEW: case SQLITE_DROP_TEMP_VIEW: return "DROP VIEW";
    case SQLITE_ALTER_TABLE: return "ALTER TABLE";
    case SQLITE_PRAGMA: return "PRAGMA";
    case SQLITE_TRANSACTION: return "BEGIN, COMMIT or ROLLBACK";
    case SQLITE_SAVEPOINT: return "SAVEPOINT";
    case SQLITE_ATTACH: return "ATTACH";
    case SQLITE_DETACH: return "DETACH";
    case SQLITE_REINDEX: return "REINDEX";
    case SQLITE_ANALYZE: return "ANALYZE";
    default: return "this statement";
    }
}

/* SELECT, INSERT, UPDATE and DELETE on kv of the main database with the
 * console's functions; nothing else. What is refused is noted by kind, so
 * the message can name what the person typed (CREATE TABLE), not what SQLite
 * would have done for it (an INSERT into sqlite_master). */
static int authorize(void *ctx, int action, const char *a1, const char *a2,
                     const char *dbname, const char *trigger)
{
    struct guard *g = ctx;
    (void)trigger;

    switch (action) {
    case SQLITE_SELECT:
        return SQLITE_OK;
    case SQLITE_FUNCTION:
        if (a2 && in_list(console_functions, a2))
            return SQLITE_OK;
        if (!g->function[0])
            snprintf(g->function, sizeof g->function, "%s", a2 ? a2 : "?");
        return SQLITE_DENY;
    case SQLITE_READ:
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
        if (a1 && strcmp(a1, "kv") == 0 && (!dbname || strcmp(dbname, "main") == 0))
            return SQLITE_OK;
        if (!g->object[0])
            snprintf(g->object, sizeof g->object, "table %s", a1 ? a1 : "?");
        return SQLITE_DENY;
    case SQLITE_RECURSIVE:
        if (!g->object[0])
            snprintf(g->object, sizeof g->object, "a recursive query");
        return SQLITE_DENY;
    default:
        if (!g->statement[0])
            snprintf(g->statement, sizeof g->statement, "%s", statement_name(action));
        return SQLITE_DENY;
    }
}

/* Runs every PROGRESS_OPS steps; non-zero interrupts the statement. */
static int progress(void *ctx)
{
    struct guard *g = ctx;

    g->steps += PROGRESS_OPS;
    if (g->max_steps && g->steps > g->max_steps)
        return 1;
    /* What a write has changed so far, as its session holds it (the old
     * image of each row it touched). */
    if (g->mine && sqlite3session_memory_used(g->mine) > RDSIM_DB_QUERY_MAX_CHANGE_BYTES) {
        g->too_many = true;
        return 1;
    }
    if (g->should_stop && g->should_stop(g->stop_ctx)) {
        g->stopped = true;
        return 1;
    }
    return 0;
}

/* Past blanks and comments. */
static const char *skip_blank(const char *s)
{
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f')
            s++;
        if (s[0] == '-' && s[1] == '-') {
            s = strchr(s, '\n');
            if (!s)
                s = "";
        } else if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : "";
        } else {
            return s;
        }
    }
}

/* The statement's first word in upper case ("" when it starts with anything
 * else), with the next one for CREATE, DROP and ALTER: what a refusal names
 * when the authorizer saw only SQLite's side of it (DROP TABLE deletes from
 * the schema table before it asks about dropping). */
static void first_word(const char *s, char *buf, size_t size)
{
    size_t n = 0;

    for (int words = 0; words < 2; words++) {
        size_t start = n;
        s = skip_blank(s);
        if (words > 0 && n + 1 < size)
            buf[n++] = ' ';
        while (n + 1 < size &&
               ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) {
            buf[n++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
            s++;
        }
        buf[n] = '\0';
        if (words > 0 && n == start + 1)
            buf[--n] = '\0'; /* no second word */
        if (words == 0 && strcmp(buf, "CREATE") != 0 && strcmp(buf, "DROP") != 0 &&
            strcmp(buf, "ALTER") != 0)
            break;
    }
}

static int refuse(struct rdsim_err *err, const struct guard *g, const char *word)
{
    char list[512];
    size_t o = 0;

    if (g->statement[0] || (word[0] && !in_list(console_statements, word)))
        return rdsim_err_set(err, RDSIM_EPERM,
                             "refused: the console runs only SELECT, INSERT, UPDATE and DELETE "
                             "on table kv, not %s",
                             g->statement[0] ? g->statement : word);
    if (g->function[0]) {
        list[0] = '\0';
        for (size_t k = 0; console_functions[k] && o < sizeof list; k++) {
            int w = snprintf(list + o, sizeof list - o, "%s%s", k ? ", " : "",
                             console_functions[k]);
            o += w > 0 ? (size_t)w : 0;
        }
        return rdsim_err_set(err, RDSIM_EPERM,
                             "refused: function %s() is not allowed; the console's functions are "
                             "%s",
                             g->function, list);
    }
    return rdsim_err_set(err, RDSIM_EPERM,
                         "refused: the console runs only SELECT, INSERT, UPDATE and DELETE on "
                         "table kv, not %s",
                         g->object[0] ? g->object : "this statement");
}

/* A value as a message shows it, cut short. */
static void show_value(sqlite3_value *v, char *buf, size_t size)
{
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        snprintf(buf, size, "%lld", (long long)sqlite3_value_int64(v));
        break;
    case SQLITE_FLOAT:
        snprintf(buf, size, "%.17g", sqlite3_value_double(v));
        break;
    case SQLITE_NULL:
        snprintf(buf, size, "NULL");
        break;
    default:
        snprintf(buf, size, "the %s of %d bytes",
                 sqlite3_value_type(v) == SQLITE_TEXT ? "text" : "blob",
                 sqlite3_value_bytes(v));
        break;
    }
}

/*
 * Check one statement's changes (its own session): integers within range in
 * kv's value columns, no workload row deleted. *inserted says whether it
 * added a row.
 */
static int check_changes(struct rdsim_db *db, sqlite3_session *s, bool *inserted,
                         struct rdsim_err *err)
{
    static const char *const cols[] = {"k", "ver", "cnt", "committed_ns"};
    sqlite3_changeset_iter *it = NULL;
    void *data = NULL;
    int n = 0, rc, ret = 0;

    *inserted = false;
    if (sqlite3session_changeset(s, &n, &data) != SQLITE_OK) {
        sqlite3_free(data);
        return db_fail(db, err, "console changes");
    }
    if (n == 0) {
        sqlite3_free(data);
        return 0;
    }
    if (sqlite3changeset_start(&it, n, data) != SQLITE_OK) {
        sqlite3_free(data);
        return rdsim_err_set(err, RDSIM_EDB, "%s: console changes: cannot read", db->name);
    }
    while (ret == 0 && (rc = sqlite3changeset_next(it)) == SQLITE_ROW) {
        const char *table;
        int ncol, op, indirect;
        sqlite3_value *v = NULL;
        int64_t key;

        sqlite3changeset_op(it, &table, &ncol, &op, &indirect);
        if (op == SQLITE_INSERT)
            sqlite3changeset_new(it, 0, &v);
        else
            sqlite3changeset_old(it, 0, &v);
        key = v ? sqlite3_value_int64(v) : 0;
        if (op == SQLITE_DELETE) {
            if (key >= 0 && key < db->rows)
                ret = rdsim_err_set(err, RDSIM_EPERM,
                                    "refused: the workload's rows (k = 0..%lld) must stay; insert "
                                    "and delete rows with k >= %lld",
                                    (long long)db->rows - 1, (long long)db->rows);
            continue;
        }
        *inserted |= op == SQLITE_INSERT;
        for (int col = 1; col < ncol && col < 4 && ret == 0; col++) {
            char shown[64];
            v = NULL;
            if (sqlite3changeset_new(it, col, &v) != SQLITE_OK || !v)
                continue; /* an UPDATE that left this column alone */
            if (sqlite3_value_type(v) == SQLITE_INTEGER && sqlite3_value_int64(v) >= 0 &&
                sqlite3_value_int64(v) <= RDSIM_DB_QUERY_MAX_INT)
                continue;
            show_value(v, shown, sizeof shown);
            ret = rdsim_err_set(err, RDSIM_EPERM,
                                "refused: kv's ver, cnt and committed_ns take integers "
                                "0..%lld, not %s (%s of k = %lld)",
                                (long long)RDSIM_DB_QUERY_MAX_INT, shown, cols[col],
                                (long long)key);
        }
    }
    sqlite3changeset_finalize(it);
    sqlite3_free(data);
    return ret;
}

/* Refuse a write that leaves more than RDSIM_DB_QUERY_MAX_ADDED_ROWS rows
 * beyond the workload's: every instance keeps a copy. Two range counts on
 * the primary key, so the cost follows those rows only. */
static int check_added_rows(struct rdsim_db *db, struct rdsim_err *err)
{
    sqlite3_stmt *st = NULL;
    int64_t n = 0;
    int ret = 0;

    if (sqlite3_prepare_v2(db->conn,
                           "SELECT (SELECT count(*) FROM kv WHERE k < 0) +"
                           " (SELECT count(*) FROM kv WHERE k >= ?1)",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "count console rows");
    sqlite3_bind_int64(st, 1, db->rows);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    else
        ret = db_fail(db, err, "count console rows");
    sqlite3_finalize(st);
    if (!ret && n > RDSIM_DB_QUERY_MAX_ADDED_ROWS)
        ret = rdsim_err_set(err, RDSIM_EPERM,
                            "refused: kv would hold %lld rows beyond the workload's; the console "
                            "may add at most %d (delete some with k >= %lld first)",
                            (long long)n, RDSIM_DB_QUERY_MAX_ADDED_ROWS, (long long)db->rows);
    return ret;
}

/*
 * A session reads its table's layout with a query of its own the first time
 * it sees a change, inside the statement making it. Under the progress
 * handler that query can be interrupted, and an interrupted session fails
 * every changeset after it: replication would stop for good. So both
 * sessions see one change that changes nothing (a row set to itself, or a
 * row added and removed) before the handler is installed.
 */
static int warm_sessions(struct rdsim_db *db, struct rdsim_err *err)
{
    int ret = exec(db, "UPDATE kv SET ver = ver WHERE k = (SELECT k FROM kv LIMIT 1)", err);

    if (!ret && sqlite3_changes(db->conn) == 0)
        ret = exec(db,
                   "INSERT INTO kv VALUES (-9223372036854775807 - 1, 0, 0, 0);"
                   " DELETE FROM kv WHERE k = -9223372036854775807 - 1",
                   err);
    return ret;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != ';')
            return false;
    return true;
}

int rdsim_db_query(struct rdsim_db *db, const char *sql, const struct rdsim_db_query_opts *o,
                   const struct rdsim_db_query_sink *sink, struct rdsim_db_query_result *res,
                   struct rdsim_err *err)
{
    struct guard g = {.max_steps = o->max_steps, .should_stop = o->should_stop,
                      .stop_ctx = o->stop_ctx};
    struct rdsim_sql_value *vals = NULL;
    sqlite3_session *mine = NULL;
    const char **names = NULL;
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    bool wrote = false, in_savepoint = false, inserted = false;
    int rc, ret = 0, ncol, old_length, old_pattern;
    char word[32];
    size_t bytes = 0;

    memset(res, 0, sizeof *res);
    if (blank(sql))
        return rdsim_err_set(err, RDSIM_EINVAL, "empty statement");
    ret = pend_settle(db, err); /* a statement may read any row */
    if (!ret)
        ret = ensure_txn(db, err);
    if (ret)
        return ret;

    /* No console value may grow past RDSIM_DB_QUERY_MAX_VALUE (zeroblob(),
     * string concatenation would otherwise allocate up to a gigabyte), no
     * LIKE pattern past RDSIM_DB_QUERY_MAX_PATTERN; both restored below for
     * the replication path on the same connection. */
    old_length = sqlite3_limit(db->conn, SQLITE_LIMIT_LENGTH, RDSIM_DB_QUERY_MAX_VALUE);
    old_pattern = sqlite3_limit(db->conn, SQLITE_LIMIT_LIKE_PATTERN_LENGTH,
                                RDSIM_DB_QUERY_MAX_PATTERN);
    first_word(sql, word, sizeof word);
    /* The statement's own session exists before it is prepared: with a
     * preupdate hook in place SQLite compiles no truncate shortcut for a
     * DELETE without WHERE, which no session would see. */
    if (!o->read_only && (sqlite3session_create(db->conn, "main", &mine) != SQLITE_OK ||
                          sqlite3session_attach(mine, "kv") != SQLITE_OK)) {
        ret = db_fail(db, err, "console session");
        goto out;
    }
    sqlite3_set_authorizer(db->conn, authorize, &g);
    rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, &tail);
    sqlite3_set_authorizer(db->conn, NULL, NULL);
    if (rc != SQLITE_OK) {
        if (rc == SQLITE_AUTH || g.statement[0] || g.function[0] || g.object[0])
            ret = refuse(err, &g, word);
        else
            ret = rdsim_err_set(err, RDSIM_EINVAL, "SQL error: %s", sqlite3_errmsg(db->conn));
        goto out;
    }
    if (!st) {
        ret = rdsim_err_set(err, RDSIM_EINVAL, "empty statement");
        goto out;
    }
    if (!in_list(console_statements, word) || sqlite3_stmt_isexplain(st)) {
        ret = refuse(err, &g, word[0] ? word : "this statement");
        goto out;
    }
    if (tail && !blank(tail)) {
        ret = rdsim_err_set(err, RDSIM_EINVAL, "one statement at a time, found more after it");
        goto out;
    }
    wrote = !sqlite3_stmt_readonly(st);
    if (wrote && o->read_only) {
        ret = rdsim_err_set(err, RDSIM_EPERM,
                            "refused: this instance is read-only (only the writer takes "
                            "INSERT, UPDATE and DELETE)");
        goto out;
    }
    if (wrote) {
        /* SQLite may answer a write that fails half-way (out of memory)
         * by rolling back the whole transaction, which would take the
         * tick's workload writes with it. So those are committed first (the
         * session keeps them for the flush, as in rdsim_db_copy) and the
         * console's write gets a transaction of its own. */
        ret = ensure_session(db, err);
        shadow_drop(db); /* the statement may change any row */
        if (!ret)
            ret = commit(db, err);
        if (!ret)
            ret = ensure_txn(db, err);
        if (!ret)
            ret = run(db, db->st_savepoint, err);
        if (ret)
            goto out;
        in_savepoint = true;
        ret = warm_sessions(db, err);
        if (ret)
            goto out;
        g.mine = mine;
        /* Values a write sets are integers: anything longer than one fails
         * at once rather than after the statement has built it. */
        sqlite3_limit(db->conn, SQLITE_LIMIT_LENGTH, 32);
    }

    ncol = sqlite3_column_count(st);
    names = calloc((size_t)ncol + 1, sizeof *names);
    vals = calloc((size_t)ncol + 1, sizeof *vals);
    if (!names || !vals) {
        ret = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < ncol; i++)
        names[i] = sqlite3_column_name(st, i);
    if (ncol > 0 && sink->columns && sink->columns(sink->ctx, ncol, names) != 0) {
        ret = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto out;
    }

    sqlite3_progress_handler(db->conn, PROGRESS_OPS, progress, &g);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (o->max_rows && res->rows >= o->max_rows) {
            res->truncated = true;
            if (!wrote)
                break;
            continue; /* a write with RETURNING must still finish */
        }
        for (int i = 0; i < ncol; i++) {
            struct rdsim_sql_value *v = &vals[i];
            memset(v, 0, sizeof *v);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                v->type = RDSIM_SQL_INTEGER;
                v->i = sqlite3_column_int64(st, i);
                break;
            case SQLITE_FLOAT:
                v->type = RDSIM_SQL_REAL;
                v->r = sqlite3_column_double(st, i);
                break;
            case SQLITE_NULL:
                v->type = RDSIM_SQL_NULL;
                break;
            default: /* text; a blob is shown as its bytes */
                v->type = RDSIM_SQL_TEXT;
                v->text = (const char *)sqlite3_column_text(st, i);
                if (!v->text)
                    v->type = RDSIM_SQL_NULL;
                else
                    bytes += (size_t)sqlite3_column_bytes(st, i);
                break;
            }
            bytes += 16; /* a number or a null, as the reply will spell it */
        }
        if (bytes > RDSIM_DB_QUERY_MAX_RESULT) {
            ret = rdsim_err_set(err, RDSIM_EINVAL, "the result is larger than %d bytes: select "
                                "fewer rows or columns", RDSIM_DB_QUERY_MAX_RESULT);
            break;
        }
        res->rows++;
        if (sink->row && sink->row(sink->ctx, ncol, vals) != 0) {
            ret = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_progress_handler(db->conn, 0, NULL, NULL);
    sqlite3_limit(db->conn, SQLITE_LIMIT_LENGTH, RDSIM_DB_QUERY_MAX_VALUE);
    if (!ret && rc != SQLITE_ROW && rc != SQLITE_DONE) {
        if (rc == SQLITE_INTERRUPT && g.too_many)
            ret = rdsim_err_set(err, RDSIM_EPERM,
                                "refused: the statement changes too many rows at once (more than "
                                "%d MiB of changes, about %d rows); change fewer at a time",
                                RDSIM_DB_QUERY_MAX_CHANGE_BYTES >> 20,
                                RDSIM_DB_QUERY_MAX_CHANGE_BYTES / 100);
        else if (rc == SQLITE_TOOBIG && wrote)
            ret = rdsim_err_set(err, RDSIM_EPERM,
                                "refused: kv's ver, cnt and committed_ns take integers 0..%lld, "
                                "not text or blobs",
                                (long long)RDSIM_DB_QUERY_MAX_INT);
        else if (rc == SQLITE_INTERRUPT && g.stopped)
            ret = rdsim_err_set(err, RDSIM_EINVAL, "statement stopped: %s",
                                o->stop_reason ? o->stop_reason : "it ran out of time");
        else if (rc == SQLITE_INTERRUPT)
            ret = rdsim_err_set(err, RDSIM_EINVAL,
                                "statement stopped: it ran longer than the limit of %llu steps",
                                (unsigned long long)o->max_steps);
        else
            ret = rdsim_err_set(err, RDSIM_EINVAL, "SQL error: %s", sqlite3_errmsg(db->conn));
    }
    if (!ret && wrote) {
        res->changes = sqlite3_changes64(db->conn);
        ret = check_changes(db, mine, &inserted, err);
        if (!ret && inserted)
            ret = check_added_rows(db, err);
    }

out:
    sqlite3_finalize(st);
    if (mine)
        sqlite3session_delete(mine);
    sqlite3_limit(db->conn, SQLITE_LIMIT_LENGTH, old_length);
    sqlite3_limit(db->conn, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, old_pattern);
    if (in_savepoint && sqlite3_get_autocommit(db->conn)) {
        db->in_txn = false; /* SQLite rolled back the console's own transaction */
        res->changes = 0;
    } else if (in_savepoint) {
        if (ret) {
            sqlite3_step(db->st_rollback_to);
            sqlite3_reset(db->st_rollback_to);
            res->changes = 0;
        }
        sqlite3_step(db->st_release);
        sqlite3_reset(db->st_release);
        if (!ret)
            db->n_writes += (uint64_t)res->changes;
    }
    res->wrote = wrote && !ret;
    free(names);
    free(vals);
    return ret;
}
