/*
 * sim.c - simulated clock and event queue.
 *
 * Pending events live in a slot array (callback, context, argument, key)
 * recycled through a free list. They are ordered by a radix heap with
 * 256-way digits: simulated time never goes back, so every pending event is
 * later than the last one taken out (`last`). Read (time, key) as one
 * 128-bit number of 16 digits of 8 bits; an entry sits in the bucket
 * named by the highest digit in which it differs from last and by its own
 * value of that digit. Buckets are ordered as their entries are (a higher
 * differing digit, or the same one with a larger value, means a later
 * event), so the lowest non-empty bucket holds the earliest event: one
 * bit per bucket and one summary bit per word of those find it with two
 * count-trailing-zeros. To take the next event, that bucket is scanned for
 * its earliest entry, which is taken out and becomes last, and the
 * bucket's other entries move to lower buckets relative to it. An entry
 * moves at most once per digit, in practice about once in its life, always
 * by sequential appends.
 * Measured with tests/engine/bench_sim (best of interleaved runs): 16-way
 * digits made about twice the moves and ran about 0.9x as fast with 1,000
 * pending events, the same with 100,000; one bucket per bit, about 0.65x;
 * 256-way digits without the summary word, about 0.6x (the bitmap took
 * too long to scan). A 4-ary heap ran 0.9x with 1,000 and 0.35x with
 * 100,000.
 *
 * The key is (seq << SLOT_BITS) | slot: ordering by (time, key) is ordering
 * by (time, seq), since seq is unique and increasing, so ties run in
 * scheduling order. The key is also the event's handle.
 *
 * Cancellation is lazy: it frees the slot and leaves the bucket entry, which
 * is dropped when a scan meets it (its slot no longer holds its key). When
 * dead entries outnumber live ones, schedule sweeps them out, so memory stays
 * within about twice the pending events.
 *
 * Moving entries down can need a bucket to grow; if that fails, run_until
 * stops and the simulation has failed for good, as when an event reports a
 * failure through rdsim_sim_fail(): one error slot, the first error kept.
 * A schedule that fails leaves the queue usable and fails nothing: its
 * caller decides (normally by failing the simulation).
 *
 * Invariants: last < every entry, and last is never later than the clock
 * (it moves only to an event about to run), so every event scheduled is
 * later than last; every entry e in bucket b has bucket_of(e, last) == b;
 * the clock never moves backwards. Buckets grow by doubling and
 * are never shrunk, so a warmed-up simulation does no allocation per event.
 *
 * Deliberately not here: wall time, threads, anything about what events mean.
 * rdsim_sim_stop() only affects a run_until already in progress: each call to
 * run_until starts with the stop request cleared.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "rdsim/sim.h"

/* Slot indices take the low SLOT_BITS of a key, the sequence number the
 * rest: 16.7 million pending events and 10^12 events per simulation. */
#define SLOT_BITS 24
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define MAX_SLOTS ((uint32_t)1 << SLOT_BITS)
#define MAX_SEQ (UINT64_MAX >> SLOT_BITS)
#define NO_SLOT UINT32_MAX
#define DIGIT_BITS 8
#define DIGITS (1u << DIGIT_BITS)
#define N_BUCKETS (128 / DIGIT_BITS * DIGITS)
#define N_WORDS ((N_BUCKETS + 63) / 64)
_Static_assert(N_WORDS <= 64, "the summary word has one bit per bitmap word");
#define INITIAL_CAPACITY 64u
/* Sweep dead entries out once they are this many more than the live ones. */
#define DEAD_SLACK 1024u

struct entry {
    rdsim_time_t time;
    uint64_t key; /* seq << SLOT_BITS | slot */
};

struct bucket {
    struct entry *e;
    uint32_t len, cap;
};

struct slot {
    rdsim_event_fn fn;
    void *ctx;
    uint64_t arg;
    uint64_t key;  /* of the pending event; 0 while the slot is free */
    uint32_t next; /* free list link while free */
};

struct rdsim_sim {
    rdsim_time_t now;
    uint64_t next_seq;
    uint64_t events_run;
    bool stop;
    struct rdsim_err error; /* the first failure; code 0 while none */

    struct entry last;        /* every pending entry is later than this */
    struct bucket b[N_BUCKETS];
    uint64_t nonempty[N_WORDS]; /* bit b: bucket b has entries */
    uint64_t summary; /* bit w: nonempty[w] != 0 */
    uint32_t entries;         /* in buckets, live and dead */
    uint32_t live;            /* pending events */

    struct slot *slots;
    uint32_t slots_used; /* high-water mark: slots[0..slots_used) initialised */
    uint32_t slots_cap;
    uint32_t free_head;  /* NO_SLOT when the free list is empty */
};

int rdsim_sim_create(struct rdsim_sim **out, struct rdsim_err *err)
{
    struct rdsim_sim *sim = calloc(1, sizeof(*sim));

    *out = NULL;
    if (sim == NULL)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory creating the simulation");
    sim->free_head = NO_SLOT;
    sim->next_seq = 1; /* keys, and so handles, are never 0 */
    *out = sim;
    return RDSIM_OK;
}

void rdsim_sim_destroy(struct rdsim_sim *sim)
{
    if (sim == NULL)
        return;
    for (unsigned i = 0; i < N_BUCKETS; i++)
        free(sim->b[i].e);
    free(sim->slots);
    free(sim);
}

rdsim_time_t rdsim_sim_now(const struct rdsim_sim *sim)
{
    return sim->now;
}

uint64_t rdsim_sim_pending(const struct rdsim_sim *sim)
{
    return sim->live;
}

uint64_t rdsim_sim_events_run(const struct rdsim_sim *sim)
{
    return sim->events_run;
}

bool rdsim_sim_failed(const struct rdsim_sim *sim)
{
    return sim->error.code != 0;
}

const struct rdsim_err *rdsim_sim_error(const struct rdsim_sim *sim)
{
    return sim->error.code ? &sim->error : NULL;
}

void rdsim_sim_fail(struct rdsim_sim *sim, const struct rdsim_err *err)
{
    if (!sim->error.code) {
        sim->error = *err;
        if (!sim->error.code)
            sim->error.code = RDSIM_EINTERNAL;
    }
    sim->stop = true;
}

int rdsim_sim_failf(struct rdsim_sim *sim, int code, const char *fmt, ...)
{
    va_list ap;

    if (!sim->error.code) {
        va_start(ap, fmt);
        rdsim_err_setv(&sim->error, code ? code : RDSIM_EINTERNAL, fmt, ap);
        va_end(ap);
    }
    sim->stop = true;
    return code;
}

void rdsim_sim_stop(struct rdsim_sim *sim)
{
    sim->stop = true;
}

/* (time, key) as one number: the time's bits above the key's (times are
 * never negative). */
__extension__ typedef unsigned __int128 wide_t;

static inline wide_t wide(const struct entry *e)
{
    return (wide_t)(uint64_t)e->time << 64 | e->key;
}

/* DIGITS x the highest digit in which e (never last itself) differs from last
 * + e's value of that digit. */
static inline unsigned bucket_of(const struct entry *e, const struct entry *last)
{
    const wide_t v = wide(e), d = v ^ wide(last);
    const uint64_t hi = (uint64_t)(d >> 64), lo = (uint64_t)d;
    unsigned bit, digit;

    assert(d != 0);
    if (hi)
        bit = 127 - (unsigned)__builtin_clzll(hi);
    else
        bit = 63 - (unsigned)__builtin_clzll(lo);
    digit = bit / DIGIT_BITS;
    return digit * DIGITS + (unsigned)((v >> (digit * DIGIT_BITS)) & (DIGITS - 1));
}

static inline bool entry_before(const struct entry *a, const struct entry *b)
{
    return wide(a) < wide(b);
}

static inline bool entry_dead(const struct rdsim_sim *sim, const struct entry *e)
{
    return sim->slots[e->key & SLOT_MASK].key != e->key;
}

static inline void mark(struct rdsim_sim *sim, unsigned b, bool nonempty)
{
    if (nonempty) {
        sim->nonempty[b >> 6] |= UINT64_C(1) << (b & 63);
        sim->summary |= UINT64_C(1) << (b >> 6);
    } else {
        sim->nonempty[b >> 6] &= ~(UINT64_C(1) << (b & 63));
        if (!sim->nonempty[b >> 6])
            sim->summary &= ~(UINT64_C(1) << (b >> 6));
    }
}

/* The lowest non-empty bucket, or N_BUCKETS. */
static inline unsigned lowest(const struct rdsim_sim *sim)
{
    unsigned w;

    if (!sim->summary)
        return N_BUCKETS;
    w = (unsigned)__builtin_ctzll(sim->summary);
    return 64 * w + (unsigned)__builtin_ctzll(sim->nonempty[w]);
}

static bool reserve(struct bucket *b, uint32_t more)
{
    uint32_t cap = b->cap ? b->cap : INITIAL_CAPACITY;
    struct entry *e;

    if (b->len + more <= b->cap)
        return true;
    while (cap < b->len + more)
        cap *= 2;
    e = realloc(b->e, (size_t)cap * sizeof(*e));
    if (e == NULL)
        return false;
    b->e = e;
    b->cap = cap;
    return true;
}

/* Drop bucket b's dead entries (order inside a bucket does not matter). */
static void sweep_bucket(struct rdsim_sim *sim, unsigned b)
{
    struct bucket *bk = &sim->b[b];

    for (uint32_t k = 0; k < bk->len;) {
        if (entry_dead(sim, &bk->e[k])) {
            bk->e[k] = bk->e[--bk->len];
            sim->entries--;
        } else {
            k++;
        }
    }
    mark(sim, b, bk->len > 0);
}

/*
 * If the earliest entry (live or dead) is due by `until`, take it out into
 * *top, make it last and return 1; return 0 when nothing is due, leaving
 * last alone (an event may still be scheduled between now and the earliest
 * one). Returns -1 when a bucket could not grow to take the entries moving
 * down: the queue is then inconsistent and the simulation has failed.
 */
static int take(struct rdsim_sim *sim, rdsim_time_t until, struct entry *top)
{
    const unsigned b = lowest(sim);
    struct bucket *bk;
    uint32_t best = 0;
    wide_t min;

    if (b == N_BUCKETS)
        return 0;
    bk = &sim->b[b];
    /* One 128-bit compare per entry: branch-free, where the two-field
     * compare mispredicted. */
    min = wide(&bk->e[0]);
    for (uint32_t k = 1; k < bk->len; k++) {
        const wide_t v = wide(&bk->e[k]);

        if (v < min) {
            min = v;
            best = k;
        }
    }
    if (bk->e[best].time > until)
        return 0;
    *top = sim->last = bk->e[best];
    bk->e[best] = bk->e[--bk->len];
    sim->entries--;
    for (uint32_t k = 0; k < bk->len; k++) {
        const unsigned t = bucket_of(&bk->e[k], &sim->last);
        struct bucket *to = &sim->b[t];

        if (to->len == to->cap && !reserve(to, 1))
            return -1;
        /* These are the next events to run: start loading their slots
         * (the pop reads them first thing, and waiting for that load was
         * most of a pop with 100,000 pending events). */
        __builtin_prefetch(&sim->slots[bk->e[k].key & SLOT_MASK]);
        to->e[to->len++] = bk->e[k];
        mark(sim, t, true);
    }
    bk->len = 0;
    mark(sim, b, false);
    return 1;
}

rdsim_time_t rdsim_sim_next_time(const struct rdsim_sim *sim)
{
    /* The earliest live entry of the lowest bucket that has one: buckets
     * are ordered, so no later bucket can hold an earlier event. */
    for (unsigned w = 0; w < N_WORDS; w++) {
        for (uint64_t bits = sim->nonempty[w]; bits; bits &= bits - 1) {
            const struct bucket *bk = &sim->b[64 * w + (unsigned)__builtin_ctzll(bits)];
            const struct entry *best = NULL;

            for (uint32_t k = 0; k < bk->len; k++)
                if (!entry_dead(sim, &bk->e[k]) &&
                    (best == NULL || entry_before(&bk->e[k], best)))
                    best = &bk->e[k];
            if (best != NULL)
                return best->time;
        }
    }
    return RDSIM_TIME_MAX;
}

static void slot_free(struct rdsim_sim *sim, uint32_t s)
{
    sim->slots[s].key = 0;
    sim->slots[s].next = sim->free_head;
    sim->free_head = s;
}

static bool slot_take(struct rdsim_sim *sim, uint32_t *out)
{
    if (sim->free_head != NO_SLOT) {
        *out = sim->free_head;
        sim->free_head = sim->slots[*out].next;
        return true;
    }
    if (sim->slots_used == sim->slots_cap) {
        uint32_t cap = sim->slots_cap ? sim->slots_cap * 2 : INITIAL_CAPACITY;
        struct slot *slots;

        if (sim->slots_cap == MAX_SLOTS)
            return false;
        slots = realloc(sim->slots, (size_t)cap * sizeof(*slots));
        if (slots == NULL)
            return false;
        sim->slots = slots;
        sim->slots_cap = cap;
    }
    *out = sim->slots_used++;
    sim->slots[*out].key = 0;
    return true;
}

rdsim_event_id rdsim_sim_schedule(struct rdsim_sim *sim, rdsim_time_t at,
                                  rdsim_event_fn fn, void *ctx, uint64_t arg)
{
    struct entry e;
    unsigned b;
    uint32_t s;
    struct slot *slot;

    assert(fn != NULL);
    if (sim->next_seq > MAX_SEQ)
        return 0;
    if (sim->entries - sim->live > sim->live + DEAD_SLACK)
        for (unsigned k = 0; k < N_BUCKETS; k++)
            sweep_bucket(sim, k);
    if (at < sim->now)
        at = sim->now;
    e = (struct entry){.time = at};
    /* The key needs the slot, and the bucket needs the key; the bucket's
     * room depends on neither, so take it first. */
    if (!slot_take(sim, &s))
        return 0;
    e.key = sim->next_seq << SLOT_BITS | s;
    b = bucket_of(&e, &sim->last);
    if (!reserve(&sim->b[b], 1)) {
        slot_free(sim, s);
        return 0;
    }
    sim->next_seq++;
    sim->b[b].e[sim->b[b].len++] = e;
    mark(sim, b, true);
    slot = &sim->slots[s];
    slot->fn = fn;
    slot->ctx = ctx;
    slot->arg = arg;
    slot->key = e.key;
    sim->entries++;
    sim->live++;
    return e.key;
}

rdsim_event_id rdsim_sim_after(struct rdsim_sim *sim, rdsim_time_t delay,
                               rdsim_event_fn fn, void *ctx, uint64_t arg)
{
    rdsim_time_t at;

    if (delay <= 0)
        at = sim->now;
    else if (delay > RDSIM_TIME_MAX - sim->now)
        at = RDSIM_TIME_MAX;
    else
        at = sim->now + delay;
    return rdsim_sim_schedule(sim, at, fn, ctx, arg);
}

bool rdsim_sim_cancel(struct rdsim_sim *sim, rdsim_event_id id)
{
    const uint64_t s = id & SLOT_MASK;

    /* A free slot's key is 0 and a reused slot's key has a newer seq, so a
     * stale or forged handle never matches. */
    if (id == 0 || s >= sim->slots_used || sim->slots[s].key != id)
        return false;
    slot_free(sim, (uint32_t)s);
    sim->live--;
    return true;
}

uint64_t rdsim_sim_run_until(struct rdsim_sim *sim, rdsim_time_t until)
{
    uint64_t ran = 0;

    sim->stop = false;
    while (!sim->error.code) {
        struct entry top;
        const int due = take(sim, until, &top);
        const struct slot *slot;
        rdsim_event_fn fn;
        void *ctx;
        uint64_t arg;

        if (due < 0) {
            rdsim_err_set(&sim->error, RDSIM_ENOMEM,
                          "out of memory: the event queue could not grow");
            return ran;
        }
        if (due == 0)
            break;
        if (entry_dead(sim, &top))
            continue; /* cancelled */
        slot = &sim->slots[top.key & SLOT_MASK];
        fn = slot->fn;
        ctx = slot->ctx;
        arg = slot->arg;
        assert(top.time >= sim->now);
        /* Free before calling: the callback may schedule into this slot, and
         * cancelling its own handle must report "already run". */
        slot_free(sim, (uint32_t)(top.key & SLOT_MASK));
        sim->live--;
        sim->now = top.time;
        sim->events_run++;
        ran++;
        fn(sim, ctx, arg);
        if (sim->stop) {
            sim->stop = false;
            return ran;
        }
    }
    if (!sim->error.code && until > sim->now)
        sim->now = until;
    return ran;
}
