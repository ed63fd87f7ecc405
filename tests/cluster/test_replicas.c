/*
 * test_replicas.c - replicas created during a run (cluster/replicas.c): a
 * create-replica's slot, its states ("absent", "creating", "replica"), when
 * it joins the readers, and auto scaling's slots and its min.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "world.h"

#define AURORA                                                                            \
    "name: t\nduration: 30m\ncluster:\n  deployment: aurora\n"                            \
    "  instances: [{name: w, role: writer, az: us-east-1a},\n"                            \
    "              {name: r1, role: replica, az: us-east-1b}]\n"

static bool is_reader(struct rdsim_cluster *c, size_t i)
{
    int readers[16];
    size_t n = rdsim_cluster_readers(c, readers, 16);

    for (size_t k = 0; k < n; k++)
        if (readers[k] == (int)i)
            return true;
    return false;
}

static void test_new_replica_is_creating_then_joins_the_readers(void **state)
{
    struct world w;
    const struct rdsim_replica_info *x;
    (void)state;

    world_build(&w, AURORA "events:\n"
                           "  - {at: 10s, action: create-replica, name: r2, az: us-east-1c}\n",
                NULL);
    /* Planned before the run: its column exists, nothing else does. */
    assert_int_equal(rdsim_cluster_instance_slots(w.c), 3);
    assert_string_equal(rdsim_cluster_instance_name(w.c, 2), "r2");
    assert_string_equal(rdsim_cluster_state_name(w.c, 2), "absent");
    rdsim_sim_run_until(w.sim, 11 * RDSIM_S);
    assert_int_equal(rdsim_cluster_new_replica_count(w.c), 1);
    assert_string_equal(rdsim_cluster_state_name(w.c, 2), "creating");
    assert_int_equal(rdsim_cluster_health(w.c, 2), RDSIM_HEALTH_UNREACHABLE);
    assert_false(is_reader(w.c, 2));
    assert_true(is_reader(w.c, 1));
    assert_int_equal(rdsim_cluster_lag(w.c, 2), -1); /* none reported while creating */
    x = rdsim_cluster_new_replica_at(w.c, 0);
    assert_int_equal(x->at, 10 * RDSIM_S);
    assert_int_equal(x->available, -1);
    assert_false(x->autoscaled);
    /* An Aurora Replica: 4..7 min, then a reader at once. */
    rdsim_sim_run_until(w.sim, (10 + 7 * 60 + 1) * RDSIM_S);
    x = rdsim_cluster_new_replica_at(w.c, 0);
    assert_true(x->available >= x->at + 4 * 60 * RDSIM_S);
    assert_int_equal(x->built, x->available);
    assert_string_equal(rdsim_cluster_state_name(w.c, 2), "replica");
    assert_int_equal(rdsim_cluster_health(w.c, 2), RDSIM_HEALTH_UP);
    assert_true(is_reader(w.c, 2));
    assert_int_equal(rdsim_cluster_instance_cfg(w.c, 2)->tier, 1);
    world_teardown(&w);
}

static void test_autoscaling_plans_its_slots_and_keeps_min(void **state)
{
    struct world w;
    const struct rdsim_scaling_info *a;
    (void)state;

    world_build(&w, AURORA "  replica_autoscaling: {min: 2, max: 3, target_cpu: 50}\n", NULL);
    /* max 3 with one replica declared: two slots of its own. */
    assert_int_equal(rdsim_cluster_instance_slots(w.c), 4);
    assert_string_equal(rdsim_cluster_instance_name(w.c, 2), "autoscaled-1");
    assert_string_equal(rdsim_cluster_instance_name(w.c, 3), "autoscaled-2");
    /* The first datapoint (1 min) finds one replica, under min. */
    rdsim_sim_run_until(w.sim, 61 * RDSIM_S);
    assert_int_equal(rdsim_cluster_scaling_count(w.c), 1);
    a = rdsim_cluster_scaling_at(w.c, 0);
    assert_true(a->out);
    assert_int_equal(a->at, 60 * RDSIM_S);
    assert_int_equal(a->from, 1);
    assert_int_equal(a->to, 2);
    assert_string_equal(rdsim_cluster_state_name(w.c, 2), "creating");
    assert_true(rdsim_cluster_new_replica_at(w.c, 0)->autoscaled);
    /* Autoscaled replicas have the lowest promotion priority (AWS). */
    assert_int_equal(rdsim_cluster_instance_cfg(w.c, 2)->tier, 15);
    /* Idle readers afterwards: never below min, so nothing more happens. */
    rdsim_sim_run_until(w.sim, 29 * 60 * RDSIM_S);
    assert_int_equal(rdsim_cluster_scaling_count(w.c), 1);
    assert_string_equal(rdsim_cluster_state_name(w.c, 2), "replica");
    assert_string_equal(rdsim_cluster_state_name(w.c, 3), "absent");
    world_teardown(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_replica_is_creating_then_joins_the_readers),
        cmocka_unit_test(test_autoscaling_plans_its_slots_and_keeps_min),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
