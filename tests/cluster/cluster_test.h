/*
 * cluster_test.h - what the cluster tests' harnesses start from: the
 * scenario in a YAML string and a started cluster on an engine of its own,
 * reporting to the test's observer. rds_test.h (test_rds.c, test_rds_mazc.c)
 * and test_failover.c add their write pumps and records on top.
 */
#ifndef RDSIM_TEST_CLUSTER_H
#define RDSIM_TEST_CLUSTER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/cluster.h"
#include "rdsim/scenario.h"

/* Load `yaml` into *sc and start a cluster of it (random streams from
 * `seed`) on a new engine *sim; fails the test on any error. */
static inline void start_cluster(const char *yaml, uint64_t seed,
                                 struct rdsim_cluster_observer observer,
                                 struct rdsim_scenario **sc, struct rdsim_sim **sim,
                                 struct rdsim_cluster **c)
{
    struct rdsim_err err;

    if (rdsim_scenario_load_buffer("t.yaml", yaml, strlen(yaml), sc, &err) != 0)
        fail_msg("scenario: %s", err.msg);
    assert_int_equal(rdsim_sim_create(sim, NULL), 0);
    if (rdsim_cluster_create(*sim,
                             &(struct rdsim_cluster_config){
                                 .scenario = *sc, .seed = seed, .observer = observer},
                             c, &err) != 0)
        fail_msg("cluster: %s", err.msg);
    assert_int_equal(rdsim_cluster_start(*c, NULL), 0);
}

#endif
