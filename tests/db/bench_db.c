/*
 * bench_db.c - wall-clock throughput of the db module's hot paths: writes with
 * a flush every 1000 (one tick), replica apply of those changesets, and point
 * reads; sqlite3changeset_apply() is timed alongside for reference.
 *
 * Usage: bench_db [-s] [writes [rows]]   (defaults 1000000 and 10000)
 *   -s  configure SQLite single-threaded without memory statistics first
 *       (process-wide settings, which only a program's main() may choose)
 *
 * A tool run by hand, not a test: it asserts nothing about timings. It reads
 * the wall clock, which only tools and src/cli may do.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "rdsim/db.h"

#define TICK 1000

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static int die(const char *what, const struct rdsim_err *err)
{
    fprintf(stderr, "bench_db: %s: %s\n", what, err->msg);
    return 1;
}

static void line(const char *what, double n, double secs, const char *unit)
{
    printf("%-34s %12.0f %-8s %8.3f s %10.0f %s/s %8.3f us/%s\n", what, n, unit, secs,
           n / secs, unit, secs * 1e6 / n, unit);
}

static int count_changes(const struct rdsim_changeset *cs)
{
    sqlite3_changeset_iter *it;
    int n = 0;

    if (cs->len == 0)
        return 0;
    if (sqlite3changeset_start(&it, (int)cs->len, cs->data) != SQLITE_OK)
        return 0;
    while (sqlite3changeset_next(it) == SQLITE_ROW)
        n++;
    sqlite3changeset_finalize(it);
    return n;
}

static int on_conflict(void *ctx, int kind, sqlite3_changeset_iter *it)
{
    return SQLITE_CHANGESET_REPLACE;
}

/* The reference path: sqlite3changeset_apply() into a plain connection. */
static double bench_sqlite_apply(int64_t rows, struct rdsim_changeset *cs, size_t n_cs)
{
    sqlite3 *conn;
    sqlite3_stmt *ins;
    double t0, t1;

    sqlite3_open(":memory:", &conn);
    sqlite3_exec(conn,
                 "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;"
                 "CREATE TABLE kv(k INTEGER PRIMARY KEY, ver INTEGER NOT NULL,"
                 " cnt INTEGER NOT NULL, committed_ns INTEGER NOT NULL); BEGIN",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(conn, "INSERT INTO kv VALUES (?1, 0, 0, 0)", -1, &ins, NULL);
    for (int64_t k = 0; k < rows; k++) {
        sqlite3_bind_int64(ins, 1, k);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL);
    t0 = now_s();
    for (size_t i = 0; i < n_cs; i++)
        sqlite3changeset_apply(conn, (int)cs[i].len, cs[i].data, NULL, on_conflict, NULL);
    t1 = now_s();
    sqlite3_close(conn);
    return t1 - t0;
}

int main(int argc, char **argv)
{
    bool single = argc > 1 && strcmp(argv[1], "-s") == 0;
    int64_t n_writes = argc > 1 + single ? atoll(argv[1 + single]) : 1000000;
    int64_t rows = argc > 2 + single ? atoll(argv[2 + single]) : 10000;
    struct rdsim_db_config wcfg = {.rows = rows, .capture = true};
    struct rdsim_db_config rcfg = {.rows = rows, .capture = false};
    struct rdsim_db *w = NULL, *r = NULL, *plain = NULL;
    struct rdsim_changeset *cs;
    size_t n_cs = (size_t)((n_writes + TICK - 1) / TICK);
    struct rdsim_err err;
    struct rdsim_row row;
    uint64_t x = 88172645463325252ULL;
    uint64_t applied_rows = 0, bytes = 0;
    int64_t pos, sum = 0;
    double t0, t1;
    int rc = 1;

    if (n_writes <= 0 || rows <= 0) {
        fprintf(stderr, "usage: bench_db [writes [rows]]\n");
        return 2;
    }
    if (single && (sqlite3_config(SQLITE_CONFIG_SINGLETHREAD) != SQLITE_OK ||
                   sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)) {
        fprintf(stderr, "bench_db: sqlite3_config failed\n");
        return 1;
    }
    cs = calloc(n_cs, sizeof *cs);
    if (!cs)
        return 1;
    if (rdsim_db_open(&wcfg, &w, &err) || rdsim_db_open(&rcfg, &r, &err) ||
        rdsim_db_open(&rcfg, &plain, &err)) {
        rc = die("open", &err);
        goto cleanup;
    }
    printf("bench_db: %lld writes, %lld rows, flush every %d writes, sqlite %s%s\n\n",
           (long long)n_writes, (long long)rows, TICK, sqlite3_libversion(),
           single ? ", single-threaded, no memstatus" : "");

    t0 = now_s();
    for (int64_t i = 0; i < n_writes; i++) {
        int64_t key = (int64_t)(next_rand(&x) % (uint64_t)rows);
        if (rdsim_db_write(w, key, (uint64_t)i + 1, i * 1000, &pos, &err))
            return die("write", &err);
        if ((i + 1) % TICK == 0 || i + 1 == n_writes) {
            if (rdsim_db_flush(w, &cs[i / TICK], &err))
                return die("flush", &err);
        }
    }
    t1 = now_s();
    line("write+flush (capture)", (double)n_writes, t1 - t0, "write");

    t0 = now_s();
    for (int64_t i = 0; i < n_writes; i++) {
        int64_t key = (int64_t)(next_rand(&x) % (uint64_t)rows);
        if (rdsim_db_write(plain, key, (uint64_t)i + 1, i * 1000, &pos, &err))
            return die("write", &err);
        if ((i + 1) % TICK == 0 && rdsim_db_flush(plain, NULL, &err))
            return die("flush", &err);
    }
    rdsim_db_flush(plain, NULL, &err);
    t1 = now_s();
    line("write+commit (no capture)", (double)n_writes, t1 - t0, "write");

    for (size_t i = 0; i < n_cs; i++) {
        applied_rows += (uint64_t)count_changes(&cs[i]);
        bytes += cs[i].len;
    }

    t0 = now_s();
    for (size_t i = 0; i < n_cs; i++) {
        if (rdsim_db_apply(r, &cs[i], &err)) {
            rc = die("apply", &err);
            goto cleanup;
        }
    }
    t1 = now_s();
    line("rdsim_db_apply", (double)applied_rows, t1 - t0, "row");
    line("  (same, per tick)", (double)n_cs, t1 - t0, "tick");

    line("sqlite3changeset_apply (ref)", (double)applied_rows,
         bench_sqlite_apply(rows, cs, n_cs), "row");

    t0 = now_s();
    for (int64_t i = 0; i < n_writes; i++) {
        int64_t key = (int64_t)(next_rand(&x) % (uint64_t)rows);
        if (rdsim_db_read(r, key, &row, &err)) {
            rc = die("read", &err);
            goto cleanup;
        }
        sum += row.cnt;
    }
    t1 = now_s();
    line("rdsim_db_read", (double)n_writes, t1 - t0, "read");

    printf(
        "\nchangesets: %zu, %.1f rows and %.0f bytes each on average (checksum %lld)\n",
        n_cs, (double)applied_rows / (double)n_cs, (double)bytes / (double)n_cs,
        (long long)sum);
    rc = 0;

cleanup:
    for (size_t i = 0; i < n_cs; i++)
        rdsim_changeset_free(&cs[i]);
    free(cs);
    rdsim_db_close(w);
    rdsim_db_close(r);
    rdsim_db_close(plain);
    return rc;
}
