/*
 * bench_sim.c - events per second of the engine alone (the "hold" model):
 * PENDING timers, each rescheduling itself at a uniformly drawn delay when it
 * runs, so the queue always holds PENDING events. With -c every event also
 * schedules a timeout and cancels the previous one, as a request does with
 * its deadline (twice the queue work per event).
 *
 * Usage: bench_sim [-c] [PENDING [EVENTS]]   (defaults 1000 and 20000000)
 *
 * The rate is per second of this process's CPU time, not of wall time:
 * these machines are shared, and time given to other processes is not the
 * engine's (on a quiet machine the two agree).
 *
 * A tool run by hand and by tools/bench.sh, never a test: it asserts nothing
 * about timings. It reads a clock, which only tools and src/cli may do.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdsim/rng.h"
#include "rdsim/sim.h"

struct bench {
    struct rdsim_rng rng;
    rdsim_time_t mean_delay;
    bool cancels;
    rdsim_event_id *timeout; /* per timer, with -c */
};

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_timeout(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

static void on_timer(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct bench *b = ctx;
    rdsim_time_t delay = 1 + (rdsim_time_t)rdsim_rng_below(&b->rng, 2 * (uint64_t)b->mean_delay);

    if (b->cancels) {
        rdsim_sim_cancel(sim, b->timeout[arg]);
        b->timeout[arg] = rdsim_sim_after(sim, 4 * b->mean_delay, on_timeout, b, arg);
    }
    if (rdsim_sim_after(sim, delay, on_timer, b, arg) == 0) {
        fprintf(stderr, "bench_sim: out of memory\n");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    struct bench b = {.mean_delay = RDSIM_MS};
    struct rdsim_sim *sim;
    struct rdsim_err err;
    uint64_t pending = 1000, events = 20000000, ran = 0;
    int a = 1;
    double t0, cpu;

    if (a < argc && strcmp(argv[a], "-c") == 0) {
        b.cancels = true;
        a++;
    }
    if (a < argc)
        pending = strtoull(argv[a++], NULL, 10);
    if (a < argc)
        events = strtoull(argv[a++], NULL, 10);
    if (pending == 0 || events == 0 || a != argc) {
        fprintf(stderr, "usage: bench_sim [-c] [PENDING [EVENTS]]\n");
        return 2;
    }
    rdsim_rng_init(&b.rng, 1, "bench");
    if (rdsim_sim_create(&sim, &err) != 0)
        return 1;
    if (b.cancels && (b.timeout = calloc(pending, sizeof(*b.timeout))) == NULL)
        return 1;
    for (uint64_t i = 0; i < pending; i++)
        if (rdsim_sim_after(sim, (rdsim_time_t)rdsim_rng_below(&b.rng, 2 * RDSIM_MS), on_timer,
                            &b, i) == 0)
            return 1;
    t0 = cpu_s();
    /* Run in simulated-time slices until enough events ran. */
    while (ran < events)
        ran += rdsim_sim_run_until(sim, rdsim_sim_now(sim) + 10 * RDSIM_MS);
    cpu = cpu_s() - t0;
    printf("engine%s: %llu pending, %llu events in %.3f s of CPU: %.2f M events/s\n",
           b.cancels ? " (timeout per event)" : "", (unsigned long long)pending,
           (unsigned long long)ran, cpu, (double)ran / cpu / 1e6);
    free(b.timeout);
    rdsim_sim_destroy(sim);
    return 0;
}
