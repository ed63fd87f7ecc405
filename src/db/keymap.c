/*
 * keymap.c - key -> index map for the db module (see keymap.h).
 *
 * Invariants: cap is 0 or a power of two with n <= cap / 2; every key sits
 * in the run of occupied slots that starts at its home slot, with no empty
 * slot between (deletion shifts later entries back to keep that true, so no
 * tombstones are needed).
 */
#include <stdlib.h>
#include <string.h>

#include "keymap.h"

static inline uint32_t home(const struct keymap *m, int64_t key)
{
    /* Fibonacci hashing: consecutive keys spread over the table. */
    return (uint32_t)(((uint64_t)key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (m->cap - 1);
}

int32_t keymap_get(const struct keymap *m, int64_t key)
{
    if (m->n == 0)
        return -1;
    for (uint32_t i = home(m, key);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == key)
            return m->slots[i].val;
        if (m->slots[i].key < 0)
            return -1;
    }
}

static bool grow(struct keymap *m)
{
    struct keymap big = {.cap = m->cap ? 2 * m->cap : 64};

    big.slots = malloc((size_t)big.cap * sizeof(*big.slots));
    if (!big.slots)
        return false;
    for (uint32_t i = 0; i < big.cap; i++)
        big.slots[i].key = -1;
    for (uint32_t i = 0; i < m->cap; i++)
        if (m->slots[i].key >= 0)
            keymap_put(&big, m->slots[i].key, m->slots[i].val);
    keymap_free(m);
    *m = big;
    return true;
}

bool keymap_put(struct keymap *m, int64_t key, int32_t val)
{
    uint32_t i;

    if (2 * (m->n + 1) > m->cap && !grow(m))
        return false;
    for (i = home(m, key); m->slots[i].key >= 0; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].key == key) {
            m->slots[i].val = val;
            return true;
        }
    m->slots[i] = (struct keymap_slot){.key = key, .val = val};
    m->n++;
    return true;
}

void keymap_del(struct keymap *m, int64_t key)
{
    const uint32_t mask = m->cap - 1;
    uint32_t i, j;

    if (m->n == 0)
        return;
    for (i = home(m, key); m->slots[i].key != key; i = (i + 1) & mask)
        if (m->slots[i].key < 0)
            return;
    /* Shift back each later entry of the run that may move into the hole. */
    for (j = (i + 1) & mask; m->slots[j].key >= 0; j = (j + 1) & mask) {
        uint32_t h = home(m, m->slots[j].key);

        /* Entry j stays when its home lies cyclically in (i, j]. */
        if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
            continue;
        m->slots[i] = m->slots[j];
        i = j;
    }
    m->slots[i].key = -1;
    m->n--;
}

void keymap_clear(struct keymap *m)
{
    if (m->n)
        for (uint32_t i = 0; i < m->cap; i++)
            m->slots[i].key = -1;
    m->n = 0;
}

void keymap_free(struct keymap *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}
