/*
 * changeset.h - internal to src/db: a fast reader for the changesets that
 * rdsim's own writers produce.
 *
 * SQLite's changeset iterator allocates an sqlite3_value for every field of
 * every change, which costs as much as the UPDATE that applies it. Our
 * changesets have one shape (UPDATEs of table kv, four integer columns, key
 * first), so this reader decodes that shape straight from the bytes, following
 * the format documented in SQLite's sqlite3session.c ("CHANGESET FORMAT").
 *
 * It does not judge: anything outside that shape (another table, an INSERT,
 * a patchset, a non-integer value, a truncated record) makes
 * rdsim_cs_reader_next() return -1, and the caller hands the whole changeset
 * to SQLite's own iterator, which applies it or says what is wrong with it.
 */
#ifndef RDSIM_DB_CHANGESET_H
#define RDSIM_DB_CHANGESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One UPDATE of kv: the key and, per non-key column, the new value if set. */
struct rdsim_kv_change {
    int64_t key;
    bool has[3]; /* ver, cnt, committed_ns changed */
    int64_t val[3];
};

struct rdsim_cs_reader {
    const unsigned char *p;
    const unsigned char *end;
    bool in_kv; /* a kv table header has been read */
};

void rdsim_cs_reader_init(struct rdsim_cs_reader *r, const void *data, size_t len);

/* 1: *c holds the next change; 0: end of the changeset; -1: not our shape. */
int rdsim_cs_reader_next(struct rdsim_cs_reader *r, struct rdsim_kv_change *c);

#endif
