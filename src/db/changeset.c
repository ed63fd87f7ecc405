/*
 * changeset.c - decodes and writes rdsim's kv changesets without SQLite's
 * iterator or a session (see changeset.h for why, and for what the reader
 * refuses).
 *
 * The layout read here, from sqlite3session.c:
 *   table header: 'T', varint column count, one PK flag byte per column,
 *                 the table name NUL-terminated;
 *   each change:  op byte (SQLITE_UPDATE = 23), indirect flag byte, the old
 *                 record, the new record;
 *   a record:     one field per column, a type byte then its value: 0 is
 *                 "undefined" (column not part of the change, or the unchanged
 *                 key in the new record), SQLITE_INTEGER is followed by 8 bytes
 *                 big-endian. Other types are left to SQLite's iterator.
 * A changeset may repeat the table header (concatenated changesets).
 */
#include <stddef.h>
#include <string.h>

#include <sqlite3.h>

#include "changeset.h"

/* 'T', 4 columns, only the first is the primary key, "kv". */
static const unsigned char kv_header[] = {'T', 4, 1, 0, 0, 0, 'k', 'v', 0};

void rdsim_cs_reader_init(struct rdsim_cs_reader *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
    r->in_kv = false;
}

/* One field: *defined says whether it carried an integer. False when it is
 * not undefined-or-integer or runs past the end. */
static inline bool read_field(struct rdsim_cs_reader *r, bool *defined, int64_t *v)
{
    const unsigned char *b = r->p + 1;
    uint64_t u;

    if (r->p >= r->end)
        return false;
    if (*r->p == 0) {
        r->p++;
        *defined = false;
        return true;
    }
    if (*r->p != SQLITE_INTEGER || r->end - r->p < 9)
        return false;
    /* Written out so the compiler makes it one load and a byte swap. */
    u = (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 | (uint64_t)b[2] << 40 |
        (uint64_t)b[3] << 32 | (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
        (uint64_t)b[6] << 8 | (uint64_t)b[7];
    r->p += 9;
    *defined = true;
    *v = (int64_t)u;
    return true;
}

int rdsim_cs_reader_next(struct rdsim_cs_reader *r, struct rdsim_kv_change *c)
{
    bool defined;
    int64_t ignored;

    if (r->p == r->end)
        return 0;
    if (*r->p == 'T') {
        if ((size_t)(r->end - r->p) < sizeof kv_header ||
            memcmp(r->p, kv_header, sizeof kv_header) != 0)
            return -1;
        r->p += sizeof kv_header;
        r->in_kv = true;
        if (r->p == r->end)
            return -1; /* a header with no change: SQLite never writes one */
    }
    if (!r->in_kv || r->end - r->p < 2 || r->p[0] != SQLITE_UPDATE)
        return -1;
    r->p += 2; /* op and the indirect flag, which does not matter here */

    /* Old record: the key must be there; old values are not needed. */
    if (!read_field(r, &defined, &c->key) || !defined)
        return -1;
    for (int col = 0; col < 3; col++)
        if (!read_field(r, &defined, &ignored))
            return -1;
    /* New record: the key never changes, so it must be undefined. */
    if (!read_field(r, &defined, &ignored) || defined)
        return -1;
    for (int col = 0; col < 3; col++) {
        c->val[col] = 0;
        if (!read_field(r, &c->has[col], &c->val[col]))
            return -1;
    }
    return 1;
}

/* A field record of one integer: type byte, 8 bytes big-endian. */
static inline unsigned char *put_int(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;

    *p++ = SQLITE_INTEGER;
    for (int shift = 56; shift >= 0; shift -= 8)
        *p++ = (unsigned char)(u >> shift);
    return p;
}

size_t rdsim_cs_encoded_max(size_t n)
{
    /* op and indirect bytes, then two records of four fields of 9 bytes. */
    return sizeof kv_header + n * (2 + 8 * 9);
}

size_t rdsim_cs_encode(unsigned char *out, const struct rdsim_kv_update *u, size_t n)
{
    unsigned char *p = out;

    memcpy(p, kv_header, sizeof kv_header);
    p += sizeof kv_header;
    for (size_t i = 0; i < n; i++) {
        bool changed[3];

        for (int col = 0; col < 3; col++)
            changed[col] = u[i].old[col] != u[i].new_[col];
        if (!changed[0] && !changed[1] && !changed[2])
            continue;
        *p++ = SQLITE_UPDATE;
        *p++ = 0; /* not indirect */
        /* Old record: the key, and the old value of each changed column. */
        p = put_int(p, u[i].key);
        for (int col = 0; col < 3; col++)
            if (changed[col])
                p = put_int(p, u[i].old[col]);
            else
                *p++ = 0;
        /* New record: the key is unchanged, so undefined. */
        *p++ = 0;
        for (int col = 0; col < 3; col++)
            if (changed[col])
                p = put_int(p, u[i].new_[col]);
            else
                *p++ = 0;
    }
    /* Nothing changed: no header either (SQLite never writes a bare one). */
    return p - out == (ptrdiff_t)sizeof kv_header ? 0 : (size_t)(p - out);
}
