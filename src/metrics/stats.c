/*
 * stats.c - counters, histograms, writer-downtime episodes and uptime.
 */
#include <stdlib.h>
#include <string.h>

#include "rdsim/stats.h"

int rdsim_stats_create(struct rdsim_stats **out, struct rdsim_err *err)
{
    struct rdsim_stats *s = calloc(1, sizeof(*s));

    *out = s;
    if (!s)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        for (int k = 0; k < RDSIM_STATS_KIND; k++) {
            rdsim_hist_reset(&s->total[e][k].lat);
            rdsim_hist_reset(&s->total[e][k].ok_lat);
            rdsim_hist_reset(&s->interval[e][k].lat);
            rdsim_hist_reset(&s->interval[e][k].ok_lat);
        }
    }
    return 0;
}

void rdsim_stats_destroy(struct rdsim_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_episodes; i++)
        free(s->episodes[i].client_back);
    free(s->episodes);
    free(s->up.ring);
    free(s->regions);
    free(s);
}

void rdsim_stats_op_ok(struct rdsim_stats *s, enum rdsim_endpoint ep, enum rdsim_op_kind kind,
                       rdsim_time_t latency)
{
    s->total[ep][kind].ok++;
    s->interval[ep][kind].ok++;
    rdsim_hist_add(&s->total[ep][kind].lat, latency);
    rdsim_hist_add(&s->interval[ep][kind].lat, latency);
    rdsim_hist_add(&s->total[ep][kind].ok_lat, latency);
    rdsim_hist_add(&s->interval[ep][kind].ok_lat, latency);
}

void rdsim_stats_op_failed(struct rdsim_stats *s, enum rdsim_endpoint ep,
                           enum rdsim_op_kind kind, rdsim_time_t latency)
{
    s->total[ep][kind].failed++;
    s->interval[ep][kind].failed++;
    rdsim_hist_add(&s->total[ep][kind].lat, latency);
    rdsim_hist_add(&s->interval[ep][kind].lat, latency);
}

void rdsim_stats_attempt_error(struct rdsim_stats *s, enum rdsim_endpoint ep,
                               enum rdsim_op_kind kind)
{
    s->total[ep][kind].attempt_errors++;
    s->interval[ep][kind].attempt_errors++;
}

void rdsim_stats_use(struct rdsim_stats *s, enum rdsim_endpoint ep,
                     enum rdsim_op_kind kind)
{
    s->used[ep][kind] = true;
}

void rdsim_stats_read_served(struct rdsim_stats *s)
{
    s->stale.reads++;
}

void rdsim_stats_stale_read(struct rdsim_stats *s, rdsim_time_t staleness)
{
    s->stale.stale++;
    if (staleness > s->stale.max_staleness)
        s->stale.max_staleness = staleness;
}

int rdsim_stats_writer_down(struct rdsim_stats *s, rdsim_time_t t,
                            enum rdsim_failover_cause cause)
{
    struct rdsim_episode *e;

    /* Overlapping faults extend one episode rather than open a second. */
    if (s->n_episodes > 0 && !s->episodes[s->n_episodes - 1].closed)
        return 0;
    if (s->n_episodes == s->cap_episodes) {
        size_t cap = s->cap_episodes ? 2 * s->cap_episodes : 8;
        void *p = realloc(s->episodes, cap * sizeof(*s->episodes));
        if (!p)
            return RDSIM_ENOMEM;
        s->episodes = p;
        s->cap_episodes = cap;
    }
    e = &s->episodes[s->n_episodes];
    memset(e, 0, sizeof(*e));
    if (s->n_clients) {
        e->client_back = malloc(s->n_clients * sizeof(*e->client_back));
        if (!e->client_back)
            return RDSIM_ENOMEM;
        for (size_t c = 0; c < s->n_clients; c++)
            e->client_back[c] = -1;
    }
    s->n_episodes++;
    e->start = t;
    e->cause = cause;
    return 0;
}

void rdsim_stats_write_ok(struct rdsim_stats *s, size_t client, rdsim_time_t sent,
                          rdsim_time_t t)
{
    struct rdsim_episode *e;

    if (s->n_episodes == 0)
        return;
    e = &s->episodes[s->n_episodes - 1];
    if (sent < e->start)
        return;
    if (!e->closed) {
        e->closed = true;
        e->end = t;
    }
    if (e->client_back && client < s->n_clients && e->client_back[client] < 0) {
        e->client_back[client] = t;
        e->n_back++;
    }
}

/* ---- uptime ------------------------------------------------------------- */

int rdsim_stats_uptime_init(struct rdsim_stats *s, rdsim_time_t horizon, size_t n_clients,
                            struct rdsim_err *err)
{
    struct rdsim_uptime *u = &s->up;

    u->horizon = horizon;
    u->n_ring = (size_t)(horizon / RDSIM_STATS_SLOT) + 2;
    u->ring = calloc(u->n_ring, sizeof(*u->ring));
    if (!u->ring)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    s->n_clients = n_clients;
    return 0;
}

/* Decide slot u->next and move on. */
static void decide_slot(struct rdsim_stats *s, rdsim_time_t end)
{
    struct rdsim_uptime *u = &s->up;
    struct rdsim_slot *sl = &u->ring[(size_t)(u->next % (int64_t)u->n_ring)];
    rdsim_time_t from = u->next * RDSIM_STATS_SLOT, to = from + RDSIM_STATS_SLOT;

    if (to > end)
        to = end;
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        bool down = false;
        for (int k = 0; k < RDSIM_STATS_KIND; k++) {
            if (sl->ok[e][k])
                u->down[e][k] = false;
            else if (sl->failed[e][k])
                u->down[e][k] = true;
            down |= u->down[e][k];
        }
        if (!down || to <= from)
            continue;
        u->unavailable[e] += to - from;
        if (u->n_windows[e] && u->windows[e][u->n_windows[e] - 1].to == from)
            u->windows[e][u->n_windows[e] - 1].to = to;
        else if (u->n_windows[e] < RDSIM_STATS_MAX_WINDOWS)
            u->windows[e][u->n_windows[e]++] = (struct rdsim_window){from, to};
        else
            u->more_windows[e] = true;
    }
    memset(sl, 0, sizeof(*sl));
    u->next++;
}

void rdsim_stats_first_attempt(struct rdsim_stats *s, enum rdsim_endpoint ep,
                               enum rdsim_op_kind kind, rdsim_time_t sent, bool ok,
                               rdsim_time_t now)
{
    struct rdsim_uptime *u = &s->up;
    int64_t slot = sent / RDSIM_STATS_SLOT;
    struct rdsim_slot *sl;

    if (!u->ring)
        return;
    /* Slots that ended more than a horizon ago can get no more outcomes. */
    while ((u->next + 1) * RDSIM_STATS_SLOT + u->horizon <= now)
        decide_slot(s, RDSIM_TIME_MAX);
    /* Outside the window only if the horizon was wrong: keep the ring sound. */
    if (slot < u->next)
        return;
    while (slot >= u->next + (int64_t)u->n_ring)
        decide_slot(s, RDSIM_TIME_MAX);
    sl = &u->ring[(size_t)(slot % (int64_t)u->n_ring)];
    if (ok)
        sl->ok[ep][kind]++;
    else
        sl->failed[ep][kind]++;
}

void rdsim_stats_uptime_finish(struct rdsim_stats *s, rdsim_time_t end)
{
    if (!s->up.ring)
        return;
    while (s->up.next * RDSIM_STATS_SLOT < end)
        decide_slot(s, end);
}

void rdsim_stats_interval_reset(struct rdsim_stats *s)
{
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        for (int k = 0; k < RDSIM_STATS_KIND; k++) {
            struct rdsim_counts *c = &s->interval[e][k];
            c->ok = c->failed = c->attempt_errors = 0;
            if (c->lat.count) /* an empty histogram is already reset: skip 58 KB */
                rdsim_hist_reset(&c->lat);
            if (c->ok_lat.count)
                rdsim_hist_reset(&c->ok_lat);
        }
    }
}

rdsim_time_t rdsim_episode_downtime(const struct rdsim_episode *e, rdsim_time_t end_of_run)
{
    return (e->closed ? e->end : end_of_run) - e->start;
}
