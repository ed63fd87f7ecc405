/*
 * test_failover.c - the failover module (failover.c) through the cluster's
 * public API: causes and their names, one record per failover with its
 * phases in order, the deployment's decisions (Aurora by tier, RDS's
 * synchronous standby), what each deployment supports, and replication
 * (lag while a replica-lag event holds changes back, none once applied).
 * The cluster runs on the engine alone, with a pump for writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/cluster.h"
#include "rdsim/failover.h"
#include "rdsim/scenario.h"

#define S(x) ((rdsim_time_t)(x) * RDSIM_S)
#define MS(x) ((rdsim_time_t)(x) * RDSIM_MS)

struct world {
    struct rdsim_scenario *sc;
    struct rdsim_sim *sim;
    struct rdsim_cluster *c;
    int writer_down;
    enum rdsim_failover_cause first_cause;
    int writes_per_ms;
    uint64_t opid;
};

static void on_writer_down(void *ctx, rdsim_time_t t, enum rdsim_failover_cause cause)
{
    struct world *w = ctx;
    (void)t;

    if (w->writer_down++ == 0)
        w->first_cause = cause;
}

static void pump(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct world *w = ctx;
    rdsim_time_t now = rdsim_sim_now(sim);
    size_t wr = rdsim_cluster_writer(w->c);
    struct rdsim_err err;
    (void)arg;

    if (rdsim_cluster_health(w->c, wr) == RDSIM_HEALTH_UP) {
        for (int k = 0; k < w->writes_per_ms; k++) {
            int64_t pos;
            w->opid++;
            assert_int_equal(rdsim_db_write(rdsim_cluster_db(w->c, wr), 0 /* rows: 1 */,
                                            w->opid, now, &pos, &err),
                             0);
        }
        rdsim_cluster_committed(w->c, now);
    }
    assert_int_not_equal(rdsim_sim_after(sim, RDSIM_MS, pump, w, 0), 0);
}

static struct world *build(const char *yaml, int writes_per_ms)
{
    struct world *w = calloc(1, sizeof(*w));
    struct rdsim_err err;

    assert_non_null(w);
    if (rdsim_scenario_load_buffer("t.yaml", yaml, strlen(yaml), &w->sc, &err) != 0)
        fail_msg("scenario: %s", err.msg);
    assert_int_equal(rdsim_sim_create(&w->sim, NULL), 0);
    if (rdsim_cluster_create(w->sim,
                             &(struct rdsim_cluster_config){
                                 .scenario = w->sc,
                                 .seed = 7,
                                 .observer = {.ctx = w, .writer_down = on_writer_down},
                             },
                             &w->c, &err) != 0)
        fail_msg("cluster: %s", err.msg);
    assert_int_equal(rdsim_cluster_start(w->c, NULL), 0);
    w->writes_per_ms = writes_per_ms;
    if (writes_per_ms > 0)
        assert_int_not_equal(rdsim_sim_after(w->sim, RDSIM_MS, pump, w, 0), 0);
    return w;
}

static void run_to(struct world *w, rdsim_time_t t)
{
    rdsim_sim_run_until(w->sim, t);
    assert_null(rdsim_sim_error(w->sim));
}

static void destroy(struct world *w)
{
    rdsim_cluster_destroy(w->c);
    rdsim_sim_destroy(w->sim);
    rdsim_scenario_free(w->sc);
    free(w);
}

static size_t index_of(const struct world *w, const char *name)
{
    for (size_t i = 0; i < rdsim_cluster_instance_count(w->c); i++)
        if (strcmp(rdsim_cluster_instance_name(w->c, i), name) == 0)
            return i;
    fail_msg("no instance %s", name);
    return 0;
}

#define MAZI(events)                                                                       \
    "name: t\nduration: 10m\ncluster:\n  deployment: multi-az-instance\n"                  \
    "  instances:\n    - {name: w, role: writer, az: us-east-1a}\n"                         \
    "    - {name: s, role: standby, az: us-east-1b}\n" events

#define AURORA(events)                                                                     \
    "name: t\nduration: 10m\ncluster:\n  deployment: aurora\n  engine: aurora-mysql\n"     \
    "  instances:\n    - {name: w, role: writer, az: us-east-1a}\n"                         \
    "    - {name: low, role: replica, az: us-east-1b, tier: 15}\n"                          \
    "    - {name: best, role: replica, az: us-east-1c, tier: 0}\n" events

static void test_failover_causes_have_their_output_names(void **state)
{
    (void)state;
    assert_string_equal(rdsim_failover_cause_name(RDSIM_CAUSE_AZ_OUTAGE), "az-outage");
    assert_string_equal(rdsim_failover_cause_name(RDSIM_CAUSE_INSTANCE_FAILURE),
                        "instance-failure");
    assert_string_equal(rdsim_failover_cause_name(RDSIM_CAUSE_NO_WRITE_QUORUM),
                        "no-write-quorum");
    assert_string_equal(rdsim_failover_cause_name(RDSIM_CAUSE_GLOBAL_SWITCHOVER),
                        "global-switchover");
    assert_string_equal(rdsim_failover_cause_name(RDSIM_CAUSE_STANDBY_BACK), "standby-back");
    assert_string_equal(rdsim_failover_cause_name(RDSIM_CAUSE_COUNT), "?");
    for (int k = 0; k < RDSIM_CAUSE_COUNT; k++)
        assert_int_equal(rdsim_failover_cause_is_requested((enum rdsim_failover_cause)k),
                         k == RDSIM_CAUSE_FAILOVER || k == RDSIM_CAUSE_REBOOT);
}

static void test_failover_multi_az_instance_records_one_failover_phase_by_phase(void **state)
{
    struct world *w =
        build(MAZI("events:\n  - {at: 10s, action: instance-failure, target: w}\n"), 5);
    const struct rdsim_failover *f;
    (void)state;

    run_to(w, S(5));
    assert_int_equal(rdsim_cluster_failover_count(w->c), 0);
    run_to(w, S(300));
    assert_int_equal(w->writer_down, 1);
    assert_int_equal(w->first_cause, RDSIM_CAUSE_INSTANCE_FAILURE);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_int_equal(f->cause, RDSIM_CAUSE_INSTANCE_FAILURE);
    assert_string_equal(f->from, "w");
    assert_string_equal(f->to, "s");
    assert_int_equal(f->at, S(10));
    assert_true(f->detected > f->at);
    assert_true(f->promoted >= f->detected);
    assert_true(f->dns_updated >= f->promoted);
    assert_non_null(strstr(f->explanation, "synchronous standby"));
    assert_int_equal(rdsim_cluster_writer(w->c), index_of(w, "s"));
    destroy(w);
}

static void test_failover_aurora_promotes_the_best_tier(void **state)
{
    struct world *w =
        build(AURORA("events:\n  - {at: 10s, action: instance-failure, target: w}\n"), 5);
    const struct rdsim_failover *f;
    (void)state;

    run_to(w, S(120));
    assert_int_equal(rdsim_cluster_failover_count(w->c), 1);
    f = rdsim_cluster_failover_at(w->c, 0);
    assert_string_equal(f->to, "best");
    assert_true(f->promoted > f->detected && f->detected > f->at);
    assert_int_equal(rdsim_cluster_writer(w->c), index_of(w, "best"));
    assert_int_equal(rdsim_cluster_role(w->c, index_of(w, "best")), RDSIM_ROLE_WRITER);
    destroy(w);
}

static void test_failover_aurora_lost_write_quorum_is_a_writer_outage_of_its_own(void **state)
{
    /* Two copies go with the AZ, a third with the storage failure: 3 of 6
     * are left, below the write quorum of 4 (the writer's AZ is fine). */
    struct world *w = build(AURORA("events:\n"
                                   "  - {at: 10s, action: az-outage, az: us-east-1b, for: 60s}\n"
                                   "  - {at: 11s, action: storage-failure, az: us-east-1c, "
                                   "copies: 1, for: 30s}\n"),
                            0);
    (void)state;

    run_to(w, S(10) + MS(500));
    assert_int_equal(w->writer_down, 0);
    assert_true(rdsim_cluster_commit_delay(w->c) < RDSIM_S);
    run_to(w, S(12));
    assert_int_equal(w->writer_down, 1);
    assert_int_equal(w->first_cause, RDSIM_CAUSE_NO_WRITE_QUORUM);
    assert_true(rdsim_cluster_commit_delay(w->c) > S(1000));
    /* Reads keep their quorum of 3. */
    assert_int_equal(rdsim_cluster_can_answer(w->c, 0, RDSIM_OP_READ), RDSIM_ANSWER_YES);
    assert_int_equal(rdsim_cluster_failover_count(w->c), 0);
    destroy(w);
}

static void test_failover_deployments_say_which_actions_they_take(void **state)
{
    struct world *a = build(AURORA(""), 0);
    struct world *m = build(MAZI(""), 0);
    struct world *one = build("name: t\nduration: 1m\ncluster:\n  deployment: single-az\n"
                              "  instances: [{name: db, role: writer, az: us-east-1a}]\n",
                              0);
    (void)state;

    assert_true(rdsim_cluster_has_tiers(a->c));
    assert_false(rdsim_cluster_has_tiers(m->c));
    assert_int_equal(rdsim_cluster_supports(a->c, RDSIM_ACT_FAILOVER), RDSIM_ACTION_TARGETED);
    assert_int_equal(rdsim_cluster_supports(a->c, RDSIM_ACT_PROMOTE),
                     RDSIM_ACTION_UNSUPPORTED);
    assert_int_equal(rdsim_cluster_supports(a->c, RDSIM_ACT_STORAGE_FAILURE),
                     RDSIM_ACTION_SUPPORTED);
    assert_int_equal(rdsim_cluster_supports(m->c, RDSIM_ACT_FAILOVER), RDSIM_ACTION_SUPPORTED);
    assert_int_equal(rdsim_cluster_supports(m->c, RDSIM_ACT_STORAGE_FAILURE),
                     RDSIM_ACTION_UNSUPPORTED);
    assert_int_equal(rdsim_cluster_supports(one->c, RDSIM_ACT_FAILOVER),
                     RDSIM_ACTION_UNSUPPORTED);
    /* A Multi-AZ instance's standby answers nothing; a write on a reader
     * is refused. */
    assert_int_equal(rdsim_cluster_can_answer(m->c, 1, RDSIM_OP_READ),
                     RDSIM_ANSWER_NOT_SERVING);
    assert_int_equal(rdsim_cluster_can_answer(a->c, 1, RDSIM_OP_WRITE),
                     RDSIM_ANSWER_READ_ONLY);
    assert_int_equal(rdsim_cluster_can_answer(a->c, 1, RDSIM_OP_READ), RDSIM_ANSWER_YES);
    assert_false(rdsim_cluster_tracks_lag(one->c));
    assert_true(rdsim_cluster_tracks_lag(m->c));
    destroy(a);
    destroy(m);
    destroy(one);
}

static void test_replication_lag_follows_a_replica_lag_event_then_catches_up(void **state)
{
    struct world *w = build(AURORA("events:\n  - {at: 5s, action: replica-lag, target: best, "
                                   "delay: 2s, for: 5s}\n"),
                            2);
    size_t best;
    (void)state;

    best = index_of(w, "best");
    run_to(w, S(4));
    assert_true(rdsim_cluster_lag(w->c, best) < MS(100));
    run_to(w, S(8));
    assert_true(rdsim_cluster_lag(w->c, best) >= MS(1500));
    /* The histogram holds the sample intervals' maxima: one sample here. */
    assert_true(rdsim_cluster_lag_sample(w->c, best) >= MS(1500));
    run_to(w, S(15));
    assert_true(rdsim_cluster_lag(w->c, best) < MS(100));
    assert_int_equal(rdsim_cluster_lag_hist(w->c, best)->count, 1);
    /* The writer has no source: no lag (-1, an empty cell). */
    assert_int_equal(rdsim_cluster_lag(w->c, rdsim_cluster_writer(w->c)), -1);
    destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failover_causes_have_their_output_names),
        cmocka_unit_test(test_failover_multi_az_instance_records_one_failover_phase_by_phase),
        cmocka_unit_test(test_failover_aurora_promotes_the_best_tier),
        cmocka_unit_test(test_failover_aurora_lost_write_quorum_is_a_writer_outage_of_its_own),
        cmocka_unit_test(test_failover_deployments_say_which_actions_they_take),
        cmocka_unit_test(test_replication_lag_follows_a_replica_lag_event_then_catches_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
