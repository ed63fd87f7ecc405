/*
 * sim.c - simulated clock and event queue.
 *
 * Pending events live in a slot array (callback, context, argument, heap
 * position, generation) recycled through a free list; a binary min-heap of
 * small (time, sequence, slot) entries orders them. Keeping the heap entries
 * small keeps sifting cache-friendly; the slot indirection gives O(log n)
 * cancellation by handle. A handle is (generation << 32) | (slot + 1):
 * freeing a slot bumps its generation, so a stale handle (event already run
 * or cancelled) never matches, even after the slot is reused.
 *
 * Invariants: heap[i].slot's slots[].heap_idx == i for every i < heap_len;
 * the heap is ordered by (time, seq), and seq is unique and increasing, so
 * ties run in scheduling order; the clock never moves backwards. Both arrays
 * grow by doubling and are never shrunk, so a warmed-up simulation does no
 * allocation per event.
 *
 * Deliberately not here: wall time, threads, anything about what events mean.
 * rdsim_sim_stop() only affects a run_until already in progress: each call to
 * run_until starts with the stop request cleared.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "rdsim/sim.h"

#define INITIAL_CAPACITY 64u
/* Slot indices and heap positions are 32-bit; handles keep slot + 1 there. */
#define MAX_CAPACITY UINT32_MAX

struct heap_entry {
    rdsim_time_t time;
    uint64_t seq;
    uint32_t slot;
};

struct slot {
    rdsim_event_fn fn;
    void *ctx;
    uint64_t arg;
    /* Position in the heap while pending; next free slot while free. */
    uint32_t heap_idx;
    uint32_t gen;
};

struct rdsim_sim {
    rdsim_time_t now;
    uint64_t next_seq;
    uint64_t events_run;
    bool stop;

    struct heap_entry *heap;
    uint32_t heap_len;

    struct slot *slots;
    uint32_t slots_used; /* high-water mark: slots[0..slots_used) initialised */
    uint32_t capacity;   /* of both arrays */
    uint32_t free_head;  /* UINT32_MAX when the free list is empty */
};

#define NO_SLOT UINT32_MAX

int rdsim_sim_create(struct rdsim_sim **out, struct rdsim_err *err)
{
    struct rdsim_sim *sim = calloc(1, sizeof(*sim));

    *out = NULL;
    if (sim == NULL)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory creating the simulation");
    sim->free_head = NO_SLOT;
    *out = sim;
    return RDSIM_OK;
}

void rdsim_sim_destroy(struct rdsim_sim *sim)
{
    if (sim == NULL)
        return;
    free(sim->heap);
    free(sim->slots);
    free(sim);
}

rdsim_time_t rdsim_sim_now(const struct rdsim_sim *sim)
{
    return sim->now;
}

rdsim_time_t rdsim_sim_next_time(const struct rdsim_sim *sim)
{
    return sim->heap_len > 0 ? sim->heap[0].time : RDSIM_TIME_MAX;
}

uint64_t rdsim_sim_pending(const struct rdsim_sim *sim)
{
    return sim->heap_len;
}

uint64_t rdsim_sim_events_run(const struct rdsim_sim *sim)
{
    return sim->events_run;
}

void rdsim_sim_stop(struct rdsim_sim *sim)
{
    sim->stop = true;
}

static inline bool entry_before(const struct heap_entry *a, const struct heap_entry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Move e up from hole i until its parent is earlier, then place it there. */
static void sift_up(struct rdsim_sim *sim, uint32_t i, struct heap_entry e)
{
    struct heap_entry *heap = sim->heap;

    while (i > 0) {
        const uint32_t parent = (i - 1) / 2;

        if (!entry_before(&e, &heap[parent]))
            break;
        heap[i] = heap[parent];
        sim->slots[heap[i].slot].heap_idx = i;
        i = parent;
    }
    heap[i] = e;
    sim->slots[e.slot].heap_idx = i;
}

/* Move e down from hole i until no child is earlier, then place it there. */
static void sift_down(struct rdsim_sim *sim, uint32_t i, struct heap_entry e)
{
    struct heap_entry *heap = sim->heap;
    const uint32_t len = sim->heap_len;

    for (;;) {
        /* 64-bit so that 2i + 1 cannot wrap for a heap near 2^32 entries. */
        uint64_t child = 2 * (uint64_t)i + 1;

        if (child >= len)
            break;
        if (child + 1 < len && entry_before(&heap[child + 1], &heap[child]))
            child++;
        if (!entry_before(&heap[child], &e))
            break;
        heap[i] = heap[child];
        sim->slots[heap[i].slot].heap_idx = i;
        i = (uint32_t)child;
    }
    heap[i] = e;
    sim->slots[e.slot].heap_idx = i;
}

/* Take heap[i] out of the heap, keeping the heap property. */
static void heap_remove(struct rdsim_sim *sim, uint32_t i)
{
    const struct heap_entry last = sim->heap[--sim->heap_len];

    if (i == sim->heap_len)
        return;
    if (i > 0 && entry_before(&last, &sim->heap[(i - 1) / 2]))
        sift_up(sim, i, last);
    else
        sift_down(sim, i, last);
}

static void slot_free(struct rdsim_sim *sim, uint32_t s)
{
    struct slot *slot = &sim->slots[s];

    slot->gen++; /* invalidates every handle issued for this use */
    slot->heap_idx = sim->free_head;
    sim->free_head = s;
}

static bool grow(struct rdsim_sim *sim)
{
    uint32_t cap;
    struct slot *slots;
    struct heap_entry *heap;

    if (sim->capacity == MAX_CAPACITY)
        return false;
    if (sim->capacity == 0)
        cap = INITIAL_CAPACITY;
    else if (sim->capacity > MAX_CAPACITY / 2)
        cap = MAX_CAPACITY;
    else
        cap = sim->capacity * 2;
    /* Each array is kept as soon as it is reallocated, so a failure of the
     * second leaves a consistent (if partly oversized) simulation. */
    slots = realloc(sim->slots, (size_t)cap * sizeof(*slots));
    if (slots == NULL)
        return false;
    sim->slots = slots;
    heap = realloc(sim->heap, (size_t)cap * sizeof(*heap));
    if (heap == NULL)
        return false;
    sim->heap = heap;
    sim->capacity = cap;
    return true;
}

rdsim_event_id rdsim_sim_schedule(struct rdsim_sim *sim, rdsim_time_t at,
                                  rdsim_event_fn fn, void *ctx, uint64_t arg)
{
    uint32_t s;
    struct slot *slot;

    assert(fn != NULL);
    if (sim->free_head != NO_SLOT) {
        s = sim->free_head;
        sim->free_head = sim->slots[s].heap_idx;
    } else {
        if (sim->slots_used == sim->capacity && !grow(sim))
            return 0;
        s = sim->slots_used++;
        sim->slots[s].gen = 0;
    }
    if (at < sim->now)
        at = sim->now;
    slot = &sim->slots[s];
    slot->fn = fn;
    slot->ctx = ctx;
    slot->arg = arg;
    sim->heap_len++;
    sift_up(sim, sim->heap_len - 1,
            (struct heap_entry){.time = at, .seq = sim->next_seq++, .slot = s});
    return ((uint64_t)slot->gen << 32) | ((uint64_t)s + 1);
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
    const uint32_t low = (uint32_t)id;
    uint32_t s, i;

    if (low == 0 || low > sim->slots_used)
        return false;
    s = low - 1;
    if (sim->slots[s].gen != (uint32_t)(id >> 32))
        return false;
    /* A free slot's heap_idx is a free-list link; checking the heap entry
     * back-reference makes even a forged handle harmless. */
    i = sim->slots[s].heap_idx;
    if (i >= sim->heap_len || sim->heap[i].slot != s)
        return false;
    heap_remove(sim, i);
    slot_free(sim, s);
    return true;
}

uint64_t rdsim_sim_run_until(struct rdsim_sim *sim, rdsim_time_t until)
{
    uint64_t ran = 0;

    sim->stop = false;
    while (sim->heap_len > 0 && sim->heap[0].time <= until) {
        const struct heap_entry top = sim->heap[0];
        const struct slot *slot = &sim->slots[top.slot];
        const rdsim_event_fn fn = slot->fn;
        void *const ctx = slot->ctx;
        const uint64_t arg = slot->arg;

        assert(top.time >= sim->now);
        /* Free before calling: the callback may schedule into this slot, and
         * cancelling its own handle must report "already run". */
        heap_remove(sim, 0);
        slot_free(sim, top.slot);
        sim->now = top.time;
        sim->events_run++;
        ran++;
        fn(sim, ctx, arg);
        if (sim->stop) {
            sim->stop = false;
            return ran;
        }
    }
    if (until > sim->now)
        sim->now = until;
    return ran;
}
