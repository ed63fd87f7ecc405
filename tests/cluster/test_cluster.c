/*
 * test_cluster.c - instances, health and the single-AZ fault model, driven
 * by the engine without any workload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/cluster.h"
#include "rdsim/scenario.h"

struct timeline {
    char lines[32][160];
    int n, writer_down;
};

static void on_event(void *ctx, rdsim_time_t t, const char *kind, const char *subject,
                     const char *detail)
{
    struct timeline *tl = ctx;
    (void)detail;

    if (tl->n < 32)
        snprintf(tl->lines[tl->n++], sizeof(tl->lines[0]), "%s %s", kind, subject);
    (void)t;
}

static void on_writer_down(void *ctx, rdsim_time_t t, enum rdsim_failover_cause cause)
{
    struct timeline *tl = ctx;
    (void)t;
    (void)cause;
    tl->writer_down++;
}

struct world {
    struct rdsim_scenario *sc;
    struct rdsim_sim *sim;
    struct rdsim_cluster *c;
    struct timeline tl;
};

static int build(struct world *w, const char *yaml, struct rdsim_err *err)
{
    int rc;

    memset(w, 0, sizeof(*w));
    rc = rdsim_scenario_load_buffer("t.yaml", yaml, strlen(yaml), &w->sc, err);
    if (rc)
        fail_msg("scenario: %s", err->msg);
    assert_int_equal(rdsim_sim_create(&w->sim, NULL), 0);
    rc = rdsim_cluster_create(w->sim,
                              &(struct rdsim_cluster_config){
                                  .scenario = w->sc,
                                  .seed = 1,
                                  .observer = {.ctx = &w->tl, .event = on_event,
                                               .writer_down = on_writer_down},
                              },
                              &w->c, err);
    if (rc == 0)
        assert_int_equal(rdsim_cluster_start(w->c, NULL), 0);
    return rc;
}

static void teardown_world(struct world *w)
{
    rdsim_cluster_destroy(w->c);
    rdsim_sim_destroy(w->sim);
    rdsim_scenario_free(w->sc);
}

static enum rdsim_health health_at(struct world *w, rdsim_time_t t)
{
    rdsim_sim_run_until(w->sim, t);
    return rdsim_cluster_health(w->c, 0);
}

#define ONE_INSTANCE(events)                                                               \
    "name: t\nduration: 20m\ncluster:\n  deployment: single-az\n"                          \
    "  instances: [{name: db, role: writer, az: us-east-1a}]\n" events

static void test_cluster_instance_failure_with_for_heals_then_recovers(void **state)
{
    struct world w;
    struct rdsim_err err;
    (void)state;

    assert_int_equal(build(&w, ONE_INSTANCE("events:\n  - {at: 10s, action: instance-failure, "
                                            "target: db, for: 60s}\n"),
                           &err),
                     0);
    assert_int_equal(health_at(&w, 9 * RDSIM_S), RDSIM_HEALTH_UP);
    assert_int_equal(health_at(&w, 10 * RDSIM_S), RDSIM_HEALTH_UNREACHABLE);
    assert_int_equal(w.tl.writer_down, 1);
    assert_int_equal(health_at(&w, 69 * RDSIM_S), RDSIM_HEALTH_UNREACHABLE);
    /* Back at 70 s, then crash recovery of 10..30 s refuses connections. */
    assert_int_equal(health_at(&w, 71 * RDSIM_S), RDSIM_HEALTH_STARTING);
    assert_int_equal(health_at(&w, 101 * RDSIM_S), RDSIM_HEALTH_UP);
    assert_string_equal(w.tl.lines[w.tl.n - 1], "recovered db");
    teardown_world(&w);
}

static void test_cluster_dead_host_is_detected_and_replaced(void **state)
{
    struct world w;
    struct rdsim_err err;
    const char *expected[] = {"fault db", "detected db", "replaced db", "restarting db",
                              "recovered db"};
    (void)state;

    assert_int_equal(
        build(&w, ONE_INSTANCE("events:\n  - {at: 10s, action: instance-failure, target: db}\n"),
              &err),
        0);
    /* detection <= 30 s, replacement >= 4 min: still down at 4 min 30 s. */
    assert_int_equal(health_at(&w, 270 * RDSIM_S), RDSIM_HEALTH_UNREACHABLE);
    /* 10 s + 30 s + 8 min + 30 s at most. */
    assert_int_equal(health_at(&w, 551 * RDSIM_S), RDSIM_HEALTH_UP);
    assert_int_equal(w.tl.n, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(w.tl.lines[i], expected[i]);
    teardown_world(&w);
}

static void test_cluster_overlapping_az_outages_end_with_the_last(void **state)
{
    struct world w;
    struct rdsim_err err;
    (void)state;

    assert_int_equal(build(&w, ONE_INSTANCE("events:\n"
                                            "  - {at: 10s, action: az-outage, az: us-east-1a, "
                                            "for: 60s}\n"
                                            "  - {at: 30s, action: az-outage, az: us-east-1a, "
                                            "for: 60s}\n"),
                           &err),
                     0);
    assert_int_equal(health_at(&w, 75 * RDSIM_S), RDSIM_HEALTH_UNREACHABLE);
    /* A network cut, not a crash: up as soon as the last outage ends. */
    assert_int_equal(health_at(&w, 90 * RDSIM_S), RDSIM_HEALTH_UP);
    assert_int_equal(w.tl.writer_down, 1);
    teardown_world(&w);
}

static void test_cluster_outage_elsewhere_changes_nothing(void **state)
{
    struct world w;
    struct rdsim_err err;
    (void)state;

    assert_int_equal(build(&w, ONE_INSTANCE("events:\n  - {at: 10s, action: az-outage, az: "
                                            "us-east-1b}\n"),
                           &err),
                     0);
    assert_int_equal(health_at(&w, 60 * RDSIM_S), RDSIM_HEALTH_UP);
    assert_int_equal(w.tl.writer_down, 0);
    teardown_world(&w);
}

static void test_cluster_reboot_refuses_connections_for_a_while(void **state)
{
    struct world w;
    struct rdsim_err err;
    (void)state;

    assert_int_equal(
        build(&w, ONE_INSTANCE("events:\n  - {at: 10s, action: reboot, target: db}\n"), &err), 0);
    assert_int_equal(health_at(&w, 11 * RDSIM_S), RDSIM_HEALTH_STARTING);
    assert_int_equal(health_at(&w, 71 * RDSIM_S), RDSIM_HEALTH_UP);
    assert_int_equal(w.tl.writer_down, 1);
    teardown_world(&w);
}

static void test_cluster_failure_bumps_the_epoch_of_work_in_flight(void **state)
{
    struct world w;
    struct rdsim_err err;
    uint32_t before, after;
    (void)state;

    assert_int_equal(build(&w, ONE_INSTANCE("events:\n  - {at: 10s, action: instance-failure, "
                                            "target: db, for: 5s}\n"),
                           &err),
                     0);
    rdsim_instance_serve(w.c, 0, RDSIM_OP_READ, 9 * RDSIM_S, &before);
    rdsim_sim_run_until(w.sim, 10 * RDSIM_S);
    after = rdsim_instance_epoch(w.c, 0);
    assert_int_not_equal(before, after);
    teardown_world(&w);
}

static void test_cluster_requests_queue_for_busy_vcpus(void **state)
{
    struct world w;
    struct rdsim_err err;
    rdsim_time_t done[3];
    uint32_t epoch;
    (void)state;

    /* db.r6g.large: 2 vCPUs. Three requests at once: the third waits for
     * the first vCPU to free. */
    assert_int_equal(build(&w, ONE_INSTANCE(""), &err), 0);
    for (int i = 0; i < 3; i++)
        done[i] = rdsim_instance_serve(w.c, 0, RDSIM_OP_WRITE, RDSIM_S, &epoch);
    assert_true(done[2] > (done[0] < done[1] ? done[0] : done[1]));
    assert_true(done[0] > RDSIM_S && done[1] > RDSIM_S);
    teardown_world(&w);
}

static void test_cluster_one_way_delay_follows_the_topology(void **state)
{
    struct world w;
    struct rdsim_err err;
    struct rdsim_rng rng;
    (void)state;

    assert_int_equal(build(&w, ONE_INSTANCE(""), &err), 0);
    rdsim_rng_init(&rng, 1, "test");
    assert_int_equal(rdsim_cluster_client_azs(w.c), 3);
    for (int i = 0; i < 1000; i++) {
        /* client AZ 0 is us-east-1a, the instance's: same-AZ RTT 0.1..0.5 ms. */
        rdsim_time_t same = rdsim_cluster_one_way(w.c, 0, 0, &rng);
        rdsim_time_t cross = rdsim_cluster_one_way(w.c, 1, 0, &rng);
        assert_true(same >= 50 * RDSIM_US && same <= 250 * RDSIM_US);
        assert_true(cross >= 250 * RDSIM_US && cross <= 750 * RDSIM_US);
    }
    teardown_world(&w);
}

static void test_cluster_serverless_starts_at_its_minimum_capacity(void **state)
{
    struct world w;
    struct rdsim_err err;
    (void)state;

    assert_int_equal(build(&w,
                           "name: t\nduration: 1m\ncluster:\n  deployment: aurora\n"
                           "  instance_class: serverless\n  min_acu: 1.5\n  max_acu: 8\n"
                           "  instances:\n"
                           "    - {name: db, role: writer, az: us-east-1a}\n"
                           "    - {name: r, role: replica, az: us-east-1b,\n"
                           "       instance_class: db.r6g.large}\n",
                           &err),
                     0);
    assert_true(rdsim_cluster_acu(w.c, 0) == 1.5);
    assert_true(rdsim_cluster_acu(w.c, 1) == 0.0); /* provisioned */
    /* Idle for a minute: it stays at its minimum, and bills for it. */
    rdsim_sim_run_until(w.sim, 60 * RDSIM_S);
    assert_true(rdsim_cluster_acu(w.c, 0) == 1.5);
    assert_true(rdsim_cluster_acu_seconds(w.c, 0) == 1.5 * 60);
    teardown_world(&w);
}

static void test_cluster_aurora_reader_endpoint_balances_over_replicas(void **state)
{
    struct world w;
    struct rdsim_err err;
    struct rdsim_rng rng;
    int seen[3] = {0};
    (void)state;

    assert_int_equal(build(&w,
                           "name: t\nduration: 1m\ncluster:\n  deployment: aurora\n"
                           "  instances:\n"
                           "    - {name: w, role: writer, az: us-east-1a}\n"
                           "    - {name: r1, role: replica, az: us-east-1b}\n"
                           "    - {name: r2, role: replica, az: us-east-1c}\n",
                           &err),
                     0);
    rdsim_rng_init(&rng, 1, "test");
    for (int k = 0; k < 1000; k++)
        seen[rdsim_cluster_lookup(w.c, RDSIM_EP_READER, &rng)]++;
    assert_int_equal(seen[0], 0);
    assert_true(seen[1] > 400 && seen[2] > 400);
    assert_int_equal(rdsim_cluster_lookup(w.c, RDSIM_EP_WRITER, &rng), 0);
    teardown_world(&w);
}

static void test_cluster_aurora_reader_endpoint_without_replicas_is_the_writer(void **state)
{
    struct world w;
    struct rdsim_err err;
    struct rdsim_rng rng;
    (void)state;

    assert_int_equal(build(&w,
                           "name: t\nduration: 1m\ncluster:\n  deployment: aurora\n"
                           "  instances: [{name: w, role: writer, az: us-east-1a}]\n",
                           &err),
                     0);
    rdsim_rng_init(&rng, 1, "test");
    assert_int_equal(rdsim_cluster_lookup(w.c, RDSIM_EP_READER, &rng), 0);
    teardown_world(&w);
}

static void test_cluster_aurora_all_in_the_failed_az_promotes_nothing(void **state)
{
    struct world w;
    struct rdsim_err err;
    const struct rdsim_failover *f;
    (void)state;

    assert_int_equal(build(&w,
                           "name: t\nduration: 20m\ncluster:\n  deployment: aurora\n"
                           "  instances:\n"
                           "    - {name: w, role: writer, az: us-east-1a}\n"
                           "    - {name: r1, role: replica, az: us-east-1a}\n"
                           "events:\n  - {at: 10s, action: az-outage, az: us-east-1a}\n",
                           &err),
                     0);
    rdsim_sim_run_until(w.sim, 15 * 60 * RDSIM_S);
    assert_int_equal(rdsim_cluster_failover_count(w.c), 1);
    f = rdsim_cluster_failover_at(w.c, 0);
    assert_string_equal(f->to, "");
    assert_non_null(strstr(f->explanation, "r1 (tier 1, db.r6g.large, us-east-1a, unreachable)"));
    assert_non_null(strstr(f->explanation, "nothing is promoted or recreated"));
    assert_int_equal(rdsim_cluster_writer(w.c), 0);
    assert_int_equal(rdsim_cluster_health(w.c, 0), RDSIM_HEALTH_UNREACHABLE);
    teardown_world(&w);
}

static void test_cluster_aurora_volume_quorums(void **state)
{
    struct world w;
    struct rdsim_err err;
    (void)state;

    /* An AZ (2 copies) and 1 more: 3 left, reads only; 2 more: 2 left,
     * neither; after the ~10 s repair of the lone copy in us-east-1b: reads. */
    assert_int_equal(build(&w,
                           "name: t\nduration: 5m\ncluster:\n  deployment: aurora\n"
                           "  instances: [{name: w, role: writer, az: us-east-1a}]\n"
                           "events:\n"
                           "  - {at: 10s, action: az-outage, az: us-east-1c}\n"
                           "  - {at: 20s, action: storage-failure, az: us-east-1b, copies: 1}\n"
                           "  - {at: 21s, action: storage-failure, az: us-east-1a, copies: 1}\n",
                           &err),
                     0);
    rdsim_sim_run_until(w.sim, 15 * RDSIM_S);
    assert_true(rdsim_cluster_can_read(w.c, 0));
    assert_true(rdsim_cluster_commit_delay(w.c) < RDSIM_S);
    rdsim_sim_run_until(w.sim, 20 * RDSIM_S + 1);
    assert_true(rdsim_cluster_can_read(w.c, 0));
    assert_true(rdsim_cluster_commit_delay(w.c) > 1000 * RDSIM_S);
    rdsim_sim_run_until(w.sim, 21 * RDSIM_S + 1);
    assert_false(rdsim_cluster_can_read(w.c, 0));
    rdsim_sim_run_until(w.sim, 34 * RDSIM_S);
    assert_true(rdsim_cluster_can_read(w.c, 0));
    assert_true(rdsim_cluster_commit_delay(w.c) < RDSIM_S);
    teardown_world(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_instance_failure_with_for_heals_then_recovers),
        cmocka_unit_test(test_cluster_dead_host_is_detected_and_replaced),
        cmocka_unit_test(test_cluster_overlapping_az_outages_end_with_the_last),
        cmocka_unit_test(test_cluster_outage_elsewhere_changes_nothing),
        cmocka_unit_test(test_cluster_reboot_refuses_connections_for_a_while),
        cmocka_unit_test(test_cluster_failure_bumps_the_epoch_of_work_in_flight),
        cmocka_unit_test(test_cluster_requests_queue_for_busy_vcpus),
        cmocka_unit_test(test_cluster_one_way_delay_follows_the_topology),
        cmocka_unit_test(test_cluster_serverless_starts_at_its_minimum_capacity),
        cmocka_unit_test(test_cluster_aurora_reader_endpoint_balances_over_replicas),
        cmocka_unit_test(test_cluster_aurora_reader_endpoint_without_replicas_is_the_writer),
        cmocka_unit_test(test_cluster_aurora_all_in_the_failed_az_promotes_nothing),
        cmocka_unit_test(test_cluster_aurora_volume_quorums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
