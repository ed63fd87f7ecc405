/*
 * stats.c - counters, histograms and writer-downtime episodes.
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
            rdsim_hist_reset(&s->interval[e][k].lat);
        }
    }
    return 0;
}

void rdsim_stats_destroy(struct rdsim_stats *s)
{
    if (!s)
        return;
    free(s->episodes);
    free(s);
}

void rdsim_stats_op_ok(struct rdsim_stats *s, enum rdsim_endpoint ep, enum rdsim_op_kind kind,
                       rdsim_time_t latency)
{
    s->total[ep][kind].ok++;
    s->interval[ep][kind].ok++;
    rdsim_hist_add(&s->total[ep][kind].lat, latency);
    rdsim_hist_add(&s->interval[ep][kind].lat, latency);
}

void rdsim_stats_op_failed(struct rdsim_stats *s, enum rdsim_endpoint ep,
                           enum rdsim_op_kind kind)
{
    s->total[ep][kind].failed++;
    s->interval[ep][kind].failed++;
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
    e = &s->episodes[s->n_episodes++];
    memset(e, 0, sizeof(*e));
    e->start = t;
    e->cause = cause;
    return 0;
}

void rdsim_stats_write_ok(struct rdsim_stats *s, rdsim_time_t sent, rdsim_time_t t)
{
    struct rdsim_episode *e;

    if (s->n_episodes == 0)
        return;
    e = &s->episodes[s->n_episodes - 1];
    if (!e->closed && sent >= e->start) {
        e->closed = true;
        e->end = t;
    }
}

void rdsim_stats_interval_reset(struct rdsim_stats *s)
{
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        for (int k = 0; k < RDSIM_STATS_KIND; k++) {
            struct rdsim_counts *c = &s->interval[e][k];
            c->ok = c->failed = c->attempt_errors = 0;
            if (c->lat.count) /* an empty histogram is already reset: skip 58 KB */
                rdsim_hist_reset(&c->lat);
        }
    }
}

rdsim_time_t rdsim_episode_downtime(const struct rdsim_episode *e, rdsim_time_t end_of_run)
{
    return (e->closed ? e->end : end_of_run) - e->start;
}
