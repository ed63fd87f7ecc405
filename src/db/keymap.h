/*
 * keymap.h - internal to src/db: a small hash map from a row's key to an
 * index (open addressing, linear probing, backward-shift deletion).
 *
 * The db module keeps per-tick and per-replica lists of rows (changes
 * captured for the next changeset, applied changes not yet written into
 * SQLite) and needs each row's place in them. An array indexed by key did
 * that in one load but cost 4 bytes per row per instance: 64 MiB for 16
 * replicas of a million rows, a third of the databases' own size. This map
 * grows with the list instead. Keys are never negative (workload rows).
 */
#ifndef RDSIM_DB_KEYMAP_H
#define RDSIM_DB_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

/* Key and index side by side: a hit costs one cache line, not two. */
struct keymap_slot {
    int64_t key;    /* -1: empty */
    int32_t val;
};

struct keymap {
    struct keymap_slot *slots;
    uint32_t cap;   /* a power of two, or 0 */
    uint32_t n;
};

/* The index stored for key, or -1. */
int32_t keymap_get(const struct keymap *m, int64_t key);
/* Store (or replace) key's index; false when memory ran out (m unchanged). */
bool keymap_put(struct keymap *m, int64_t key, int32_t val);
/* Remove key if present. */
void keymap_del(struct keymap *m, int64_t key);
/* Remove every key, keeping the memory. */
void keymap_clear(struct keymap *m);
void keymap_free(struct keymap *m);

#endif
