/*
 * changeset.h - internal to src/db: a fast reader and writer for the
 * changesets of rdsim's own writes.
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

/*
 * The writer side. A workload write sets every column of a kv row from an
 * image the db module already holds in memory, so the changeset of a tick
 * can be written from those images without a SQLite session (a session per
 * tick compiled its SQL afresh every tick: most of an Aurora run's time,
 * whose tick is 1 ms). The bytes are what a session would write for the
 * same net changes: sqlite3changeset_apply() takes them, with the old
 * images checked against the target's rows.
 */
struct rdsim_kv_update {
    int64_t key;
    int64_t old[3]; /* ver, cnt, committed_ns before the tick's first write */
    int64_t new_[3]; /* after its last */
};

/* Bytes rdsim_cs_encode() may need for n updates. */
size_t rdsim_cs_encoded_max(size_t n);
/* Write the kv table header and one UPDATE per element of u (columns whose
 * value did not change are left undefined, as the session does; an update
 * that changes nothing is left out) into out; returns the bytes written. */
size_t rdsim_cs_encode(unsigned char *out, const struct rdsim_kv_update *u, size_t n);

#endif
