/*
 * test_instance.c - instances created during a run (cluster/instance.c):
 * planned slots, a standalone instance with its own copy of the data, and
 * every refusal of rdsim_cluster_plan_instance and rdsim_cluster_add_instance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "world.h"

#define YAML                                                                              \
    "name: t\nduration: 20m\ncluster:\n  deployment: single-az\n"                         \
    "  instances: [{name: db, role: writer, az: us-east-1a}]\n"                           \
    "workload: {rows: 50, reads: 10/s, writes: 10/s}\n"

static void build(struct world *w, const char *const *planned)
{
    world_build(w, YAML, planned);
}

static struct rdsim_instance_cfg standalone(const char *name, const char *az)
{
    return (struct rdsim_instance_cfg){
        .name = (char *)name, .role = RDSIM_ROLE_WRITER, .az = (char *)az};
}

static void test_instance_planned_slot_is_named_but_absent_until_created(void **state)
{
    struct world w;
    struct rdsim_err err;
    struct rdsim_instance_cfg cfg = standalone("copy", "us-east-1b");
    size_t idx = 99;
    (void)state;

    build(&w, (const char *[]){"copy", NULL});
    assert_int_equal(rdsim_cluster_instance_count(w.c), 1);
    assert_int_equal(rdsim_cluster_instance_slots(w.c), 2);
    assert_string_equal(rdsim_cluster_instance_name(w.c, 1), "copy");
    assert_string_equal(rdsim_cluster_state_name(w.c, 1), "absent");
    /* One instance of its own, but a second is coming: lag columns. */
    assert_true(rdsim_cluster_tracks_lag(w.c));
    assert_int_equal(rdsim_cluster_lag_sample(w.c, 1), -1);
    assert_null(rdsim_cluster_lag_hist(w.c, 1));

    rdsim_sim_run_until(w.sim, 30 * RDSIM_S);
    assert_int_equal(rdsim_cluster_add_instance(w.c, &cfg, NULL, &idx, &err), 0);
    assert_int_equal(idx, 1);
    assert_int_equal(rdsim_cluster_instance_count(w.c), 2);
    assert_string_equal(rdsim_cluster_state_name(w.c, 1), "standalone");
    assert_int_equal(rdsim_cluster_health(w.c, 1), RDSIM_HEALTH_UP);
    assert_string_equal(rdsim_cluster_instance_cfg(w.c, 1)->az, "us-east-1b");
    assert_string_equal(rdsim_cluster_instance_cfg(w.c, 1)->instance_class,
                        w.sc->cluster.instance_class);
    /* Not part of the cluster: never the writer, never a reader. */
    assert_int_equal(rdsim_cluster_writer(w.c), 0);
    assert_int_equal(rdsim_cluster_can_answer(w.c, 1, RDSIM_OP_WRITE), RDSIM_ANSWER_READ_ONLY);
    assert_int_equal(rdsim_cluster_can_answer(w.c, 1, RDSIM_OP_READ), RDSIM_ANSWER_YES);
    int readers[4];
    assert_int_equal(rdsim_cluster_readers(w.c, readers, 4), 0);
    world_teardown(&w);
}

static void test_instance_created_from_a_database_holds_its_rows(void **state)
{
    struct world w;
    struct rdsim_err err;
    struct rdsim_instance_cfg cfg = standalone("copy", "us-east-1a");
    struct rdsim_row row;
    int64_t pos;
    size_t idx;
    (void)state;

    build(&w, (const char *[]){"copy", NULL});
    struct rdsim_db *src = rdsim_cluster_db(w.c, 0);
    for (int64_t k = 0; k < 10; k++)
        assert_int_equal(rdsim_db_write(src, k, (uint64_t)k + 1, RDSIM_S, &pos, &err), 0);
    assert_int_equal(rdsim_cluster_add_instance(w.c, &cfg, src, &idx, &err), 0);
    /* Writes after the copy stay on the source. */
    assert_int_equal(rdsim_db_write(src, 20, 77, 2 * RDSIM_S, &pos, &err), 0);
    for (int64_t k = 0; k < 10; k++) {
        assert_int_equal(rdsim_db_read(rdsim_cluster_db(w.c, idx), k, &row, &err), 0);
        assert_int_equal(row.ver, (uint64_t)k + 1);
        assert_int_equal(row.cnt, 1);
    }
    assert_int_equal(rdsim_db_read(rdsim_cluster_db(w.c, idx), 20, &row, &err), 0);
    assert_int_equal(row.cnt, 0);
    world_teardown(&w);
}

static void test_instance_lost_az_makes_a_standalone_instance_wait(void **state)
{
    struct world w;
    struct rdsim_err err;
    struct rdsim_instance_cfg cfg = standalone("copy", "us-east-1b");
    struct rdsim_event_cfg out = {.action = RDSIM_ACT_AZ_OUTAGE, .az = "us-east-1b",
                                  .has_for = true, .for_ = 60 * RDSIM_S};
    size_t idx;
    (void)state;

    build(&w, (const char *[]){"copy", NULL});
    assert_int_equal(rdsim_cluster_add_instance(w.c, &cfg, NULL, &idx, &err), 0);
    rdsim_cluster_inject(w.c, &out);
    assert_string_equal(rdsim_cluster_state_name(w.c, idx), "down");
    assert_int_equal(rdsim_cluster_failover_count(w.c), 0);
    rdsim_sim_run_until(w.sim, 61 * RDSIM_S);
    assert_string_equal(rdsim_cluster_state_name(w.c, idx), "standalone");
    assert_int_equal(rdsim_cluster_writer(w.c), 0);
    world_teardown(&w);
}

static void test_instance_refusals_say_why(void **state)
{
    struct world w;
    struct rdsim_err err;
    struct rdsim_instance_cfg cfg = standalone("b", "us-east-1a");
    size_t idx;
    (void)state;

    build(&w, (const char *[]){"a", "b", NULL});
    assert_int_equal(rdsim_cluster_plan_instance(w.c, "db", &err), RDSIM_EINVAL);
    assert_string_equal(err.msg, "instance db exists already");
    assert_int_equal(rdsim_cluster_plan_instance(w.c, "", &err), RDSIM_EINVAL);
    assert_string_equal(err.msg, "a planned instance needs a name");
    assert_int_equal(rdsim_cluster_add_instance(w.c, &cfg, NULL, &idx, &err), RDSIM_EINVAL);
    assert_string_equal(err.msg, "instance b was not planned next");
    cfg.name = "a";
    cfg.az = "mars-1a";
    assert_int_equal(rdsim_cluster_add_instance(w.c, &cfg, NULL, &idx, &err), RDSIM_EINVAL);
    assert_string_equal(err.msg, "instance a: unknown AZ mars-1a");
    cfg.az = "us-east-1a";
    cfg.role = RDSIM_ROLE_STANDBY;
    assert_int_equal(rdsim_cluster_add_instance(w.c, &cfg, NULL, &idx, &err), RDSIM_EINVAL);
    assert_string_equal(err.msg, "instance a: a standby cannot be created during a run (only a "
                                 "standalone instance, role writer, or a replica)");
    cfg.role = RDSIM_ROLE_WRITER;
    cfg.instance_class = "db.nope.large";
    assert_int_equal(rdsim_cluster_add_instance(w.c, &cfg, NULL, &idx, &err), RDSIM_EINVAL);
    assert_string_equal(err.msg, "instance a: unknown instance class db.nope.large");
    cfg.instance_class = NULL;
    assert_int_equal(rdsim_cluster_add_instance(w.c, &cfg, NULL, &idx, &err), 0);
    assert_int_equal(rdsim_cluster_instance_count(w.c), 2);
    world_teardown(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instance_planned_slot_is_named_but_absent_until_created),
        cmocka_unit_test(test_instance_created_from_a_database_holds_its_rows),
        cmocka_unit_test(test_instance_lost_az_makes_a_standalone_instance_wait),
        cmocka_unit_test(test_instance_refusals_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
