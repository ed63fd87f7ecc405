/*
 * world.h - a cluster built from scenario text and driven by the engine
 * alone (no workload): test_instance.c and test_backup.c. Include after
 * cmocka.h.
 */
#ifndef RDSIM_TEST_CLUSTER_WORLD_H
#define RDSIM_TEST_CLUSTER_WORLD_H

#include <string.h>

#include "rdsim/cluster.h"
#include "rdsim/scenario.h"

struct world {
    struct rdsim_scenario *sc;
    struct rdsim_sim *sim;
    struct rdsim_cluster *c;
};

/* Load yaml, create its cluster with seed 1, plan the instances of
 * `planned` (NULL-terminated; NULL: none) and start it. */
static inline void world_build(struct world *w, const char *yaml, const char *const *planned)
{
    struct rdsim_err err;

    memset(w, 0, sizeof(*w));
    if (rdsim_scenario_load_buffer("t.yaml", yaml, strlen(yaml), &w->sc, &err))
        fail_msg("scenario: %s", err.msg);
    assert_int_equal(rdsim_sim_create(&w->sim, NULL), 0);
    assert_int_equal(rdsim_cluster_create(w->sim,
                                          &(struct rdsim_cluster_config){.scenario = w->sc,
                                                                         .seed = 1},
                                          &w->c, &err),
                     0);
    for (size_t k = 0; planned && planned[k]; k++)
        assert_int_equal(rdsim_cluster_plan_instance(w->c, planned[k], &err), 0);
    assert_int_equal(rdsim_cluster_start(w->c, &err), 0);
}

static inline void world_teardown(struct world *w)
{
    rdsim_cluster_destroy(w->c);
    rdsim_sim_destroy(w->sim);
    rdsim_scenario_free(w->sc);
}

#endif
