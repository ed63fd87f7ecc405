/*
 * console.c - the live mode's SQL console: one statement typed by a person,
 * run on an instance's own connection (rdsim_db_query, rdsim/db.h).
 *
 * Deliberately not here: which instance may answer (the caller asks the
 * cluster, rdsim_cluster_can_answer) and the wall-clock budget (the caller's
 * should_stop: nothing here reads a clock).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "db_impl.h"

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
    int ret = db_exec(db, "UPDATE kv SET ver = ver WHERE k = (SELECT k FROM kv LIMIT 1)", err);

    if (!ret && sqlite3_changes(db->conn) == 0)
        ret = db_exec(db,
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
    ret = db_pend_settle(db, err); /* a statement may read any row */
    if (!ret)
        ret = db_ensure_txn(db, err);
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
        ret = db_ensure_session(db, err);
        db_shadow_drop(db); /* the statement may change any row */
        if (!ret)
            ret = db_commit(db, err);
        if (!ret)
            ret = db_ensure_txn(db, err);
        if (!ret)
            ret = db_run(db, db->st_savepoint, err);
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
