/*
 * fuzz_sql.c - libFuzzer harness: the live SQL console's statement path
 * (rdsim_db_query), on a writer that captures and a replica that applies.
 *
 * The first byte chooses the instance (bit 0: the read-only replica) and
 * how soon the caller's budget stops the statement (bits 1-4); the rest is
 * the statement. Each input starts from fresh databases, so a finding
 * replays from its file alone. Whatever the statement, afterwards: the
 * workload's rows are all there with integer values in range, at most
 * RDSIM_DB_QUERY_MAX_ADDED_ROWS others, and the writer's changeset applies
 * on the replica, which then holds the same rows. Errors are the documented
 * codes only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/db.h"

#include "fuzz.h"

#define ROWS 20

struct budget {
    int calls_left;
};

static bool stop(void *ctx)
{
    struct budget *b = ctx;
    return --b->calls_left < 0;
}

static int on_row(void *ctx, int n, const struct rdsim_sql_value *v)
{
    (void)ctx;
    for (int i = 0; i < n; i++)
        if (v[i].type == RDSIM_SQL_TEXT && !v[i].text)
            fuzz_fail("a text value without text");
    return 0;
}

struct tally {
    int64_t rows, sum_ver, sum_cnt;
};

static int count_row(void *ctx, int64_t key, const struct rdsim_row *row)
{
    struct tally *t = ctx;
    (void)key;
    if (row->cnt < 0 || row->committed_ns < 0)
        fuzz_fail("row %lld holds a negative cnt or committed_ns", (long long)key);
    t->rows++;
    t->sum_ver += (int64_t)(row->ver & 0xffff);
    t->sum_cnt += row->cnt & 0xffff;
    return 0;
}

static struct tally tally(struct rdsim_db *db)
{
    struct tally t = {0};
    struct rdsim_err err = {0};

    if (rdsim_db_scan(db, count_row, &t, &err) != 0)
        fuzz_fail("scan: %s", err.msg);
    return t;
}

static int first_int(void *ctx, int n, const struct rdsim_sql_value *v)
{
    if (n > 0 && v[0].type == RDSIM_SQL_INTEGER)
        *(int64_t *)ctx = v[0].i;
    return 0;
}

/* Every row of kv, console rows too. */
static int64_t all_rows(struct rdsim_db *db)
{
    struct rdsim_db_query_result res;
    struct rdsim_err err = {0};
    int64_t n = -1;

    if (rdsim_db_query(db, "SELECT count(*) FROM kv", &(struct rdsim_db_query_opts){.read_only = true},
                       &(struct rdsim_db_query_sink){.ctx = &n, .row = first_int}, &res,
                       &err) != 0)
        fuzz_fail("count: %s", err.msg);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rdsim_db *w = NULL, *r = NULL;
    struct rdsim_db_query_result res;
    struct rdsim_changeset cs = {0};
    struct rdsim_err err = {0};
    struct budget b;
    struct tally tw, tr;
    char *sql;
    bool on_replica;
    int rc;

    if (size == 0 || size > 4096)
        return 0;
    sql = malloc(size);
    if (!sql)
        return 0;
    memcpy(sql, data + 1, size - 1);
    sql[size - 1] = '\0';
    on_replica = data[0] & 1;
    b.calls_left = 1 << ((data[0] >> 1) & 15);
    if (rdsim_db_open(&(struct rdsim_db_config){.rows = ROWS, .capture = true}, &w, &err) ||
        rdsim_db_open(&(struct rdsim_db_config){.rows = ROWS}, &r, &err))
        fuzz_fail("open: %s", err.msg);

    rc = rdsim_db_query(on_replica ? r : w, sql,
                        &(struct rdsim_db_query_opts){.read_only = on_replica,
                                                      .max_steps = 200000,
                                                      .max_rows = 50,
                                                      .should_stop = stop,
                                                      .stop_ctx = &b,
                                                      .stop_reason = "budget"},
                        &(struct rdsim_db_query_sink){.row = on_row}, &res, &err);
    if (rc != 0 && rc != RDSIM_EINVAL && rc != RDSIM_EPERM && rc != RDSIM_ENOMEM)
        fuzz_fail("code %d: %s", rc, err.msg);
    if (rc != 0 && res.wrote)
        fuzz_fail("a failed statement says it wrote");
    if (on_replica && res.wrote)
        fuzz_fail("the read-only replica took a write");

    tw = tally(w);
    if (tw.rows != ROWS)
        fuzz_fail("the writer has %lld workload rows, not %d", (long long)tw.rows, ROWS);
    if (rdsim_db_flush(w, &cs, &err) != 0)
        fuzz_fail("flush: %s", err.msg);
    if (rdsim_db_apply(r, &cs, &err) != 0)
        fuzz_fail("the replica cannot apply the console's changes: %s", err.msg);
    rdsim_changeset_free(&cs);
    tr = tally(r);
    if (memcmp(&tw, &tr, sizeof(tw)) != 0)
        fuzz_fail("the replica's workload rows differ from the writer's after apply");
    if (all_rows(w) != all_rows(r) || all_rows(w) > ROWS + RDSIM_DB_QUERY_MAX_ADDED_ROWS)
        fuzz_fail("writer and replica hold %lld and %lld rows", (long long)all_rows(w),
                  (long long)all_rows(r));
    rdsim_db_close(w);
    rdsim_db_close(r);
    free(sql);
    return 0;
}
