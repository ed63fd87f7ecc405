/*
 * serverless.c - Aurora Serverless v2 capacity: ACUs that follow the load.
 *
 * An instance of class "serverless" runs between cluster.min_acu and
 * max_acu. Its service model uses the current capacity: one vCPU for every
 * 4 ACUs (below 4 ACUs, one slower vCPU), so throughput grows with ACUs
 * and a load spike queues requests until capacity catches up. Every second
 * the capacity moves toward the level that would keep the instance 60%
 * busy, in 0.5 ACU steps, up by at most half and down by at most a tenth
 * of the current capacity (facts 4.7: measured every second, 0.5 ACU steps,
 * larger steps at larger capacity). Readers in promotion tiers 0 and 1
 * scale with the writer, so a failover target is never small.
 *
 * ACU-seconds (the basis of per-second billing) are integrated per instance.
 */
#include <math.h>

#include "cluster_impl.h"
#include "params.h"

static bool is_serverless(const struct rdsim_instance *in)
{
    return in->cls->vcpus == 0;
}

/* Servers and their speed at `acu`. */
static void apply_capacity(struct rdsim_instance *in, double acu)
{
    int n = (int)(acu / 4.0);

    in->acu = acu;
    in->vcpus = n < 1 ? 1 : (n > in->max_vcpus ? in->max_vcpus : n);
}

void serverless_init(struct rdsim_cluster *c, size_t i)
{
    if (is_serverless(&c->inst[i]))
        apply_capacity(&c->inst[i], fmax(0.5, c->sc->cluster.min_acu));
}

double serverless_slowdown(const struct rdsim_instance *in)
{
    /* Below 4 ACUs the single vCPU is only partly there. */
    return in->acu < 4.0 ? 4.0 / in->acu : 1.0;
}

static double half_steps(double acu)
{
    return ceil(acu * 2.0) / 2.0;
}

static void scale(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    const double lo = c->sc->cluster.min_acu, hi = c->sc->cluster.max_acu;
    double writer_acu = c->inst[c->writer].acu;
    (void)arg;

    for (size_t i = 0; i < c->n_inst; i++) {
        struct rdsim_instance *in = &c->inst[i];
        double capacity, busy, want, next = in->acu;

        if (!is_serverless(in))
            continue;
        in->acu_seconds += in->acu * ((double)RDSIM_ACU_TICK / RDSIM_S);
        capacity = (double)in->vcpus * (double)RDSIM_ACU_TICK;
        busy = (double)in->busy / capacity;
        if (busy > 1.0)
            busy = 1.0;
        in->busy = 0;
        want = in->acu * busy / RDSIM_ACU_TARGET;
        if (want > in->acu) {
            double step = fmax(0.5, in->acu * RDSIM_ACU_GROWTH);
            next = half_steps(in->acu + fmin(want - in->acu, step));
        } else if (want < in->acu * 0.5) {
            double step = fmax(0.5, floor(in->acu * RDSIM_ACU_SHRINK * 2.0) / 2.0);
            next = in->acu - step;
        }
        /* Tier 0-1 readers keep the writer's capacity (facts 4.7). */
        if (i != c->writer && in->cfg->tier <= 1 && is_serverless(&c->inst[c->writer]) &&
            next < writer_acu)
            next = writer_acu;
        next = fmin(hi, fmax(lo, next));
        if (next != in->acu) {
            cluster_log(c, "capacity", in->cfg->name, "%.1f -> %.1f ACU (%.0f%% busy)",
                              in->acu, next, 100.0 * busy);
            apply_capacity(in, next);
        }
    }
    cluster_after(c, RDSIM_ACU_TICK, scale, 0);
    (void)sim;
}

double rdsim_cluster_acu(const struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].acu;
}

double rdsim_cluster_acu_seconds(const struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].acu_seconds;
}

int serverless_start(struct rdsim_cluster *c, struct rdsim_err *err)
{
    bool any = false;

    for (size_t i = 0; i < c->n_inst; i++)
        any |= is_serverless(&c->inst[i]);
    if (any && !rdsim_sim_after(c->sim, RDSIM_ACU_TICK, scale, c, 0))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    return 0;
}
