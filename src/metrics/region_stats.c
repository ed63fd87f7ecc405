/*
 * region_stats.c - what the clients of each Region saw (workload.regions):
 * operations, latency and stale reads per Region.
 *
 * A fixed array of histograms per topology Region, allocated once: memory
 * depends on the topology, never on the number of requests or the
 * simulated duration. Runs without workload.regions never allocate it.
 */
#include <stdlib.h>

#include "rdsim/stats.h"

int rdsim_stats_regions_init(struct rdsim_stats *s, size_t n, struct rdsim_err *err)
{
    free(s->regions);
    s->n_regions = 0;
    s->regions = calloc(n, sizeof(*s->regions));
    if (!s->regions)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (size_t r = 0; r < n; r++)
        for (int k = 0; k < RDSIM_STATS_KIND; k++)
            rdsim_hist_reset(&s->regions[r].op[k].lat);
    s->n_regions = n;
    return 0;
}

void rdsim_stats_region_op(struct rdsim_stats *s, size_t region, enum rdsim_op_kind kind,
                           bool ok, rdsim_time_t latency)
{
    struct rdsim_region_counts *c;

    if (region >= s->n_regions)
        return;
    c = &s->regions[region].op[kind];
    if (ok)
        c->ok++;
    else
        c->failed++;
    rdsim_hist_add(&c->lat, latency);
}

void rdsim_stats_region_read(struct rdsim_stats *s, size_t region, bool stale)
{
    if (region >= s->n_regions)
        return;
    s->regions[region].reads++;
    s->regions[region].stale += stale;
}
