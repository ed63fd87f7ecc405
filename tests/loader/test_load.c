/*
 * test_load.c - loading whole scenarios: every field of a full file, the
 * defaults of a minimal one, event order, the good files under good/, the
 * buffer entry point, unreadable files, and robustness against hostile
 * input (deep nesting, huge strings, aliases, mutated and truncated files).
 *
 * Runs in tests/loader (meson workdir), so paths are relative to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/scenario.h"

static struct rdsim_scenario *load_ok(const char *path)
{
    struct rdsim_scenario *sc = NULL;
    struct rdsim_err err = {0};
    int rc = rdsim_scenario_load(path, &sc, &err);
    if (rc != 0)
        fail_msg("%s: %s", path, err.msg);
    assert_non_null(sc);
    assert_int_equal(err.code, RDSIM_OK);
    return sc;
}

static struct rdsim_scenario *load_text(const char *text, struct rdsim_err *err)
{
    struct rdsim_scenario *sc = NULL;
    int rc = rdsim_scenario_load_buffer("t.yaml", text, strlen(text), &sc, err);
    assert_int_equal(rc == 0, sc != NULL);
    return sc;
}

static void test_full_file_sets_every_field(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/full.yaml");

    assert_string_equal(sc->path, "good/full.yaml");
    assert_string_equal(sc->name, "full-scenario-1");
    assert_string_equal(sc->description, "Every key.\nTwo lines.\n");
    assert_true(sc->seed == INT64_MAX);
    assert_int_equal(sc->duration, 2 * 3600 * RDSIM_S);
    assert_int_equal(sc->sample_interval, 250 * RDSIM_MS);

    const struct rdsim_topology *t = &sc->topology;
    assert_int_equal(t->n_regions, 2);
    assert_string_equal(t->regions[0].name, "us-east-1");
    assert_int_equal(t->regions[0].n_azs, 3);
    assert_string_equal(t->regions[0].azs[2], "us-east-1c");
    assert_string_equal(t->regions[1].name, "eu-west-1");
    assert_int_equal(t->regions[1].n_azs, 1);
    assert_string_equal(t->regions[1].azs[0], "eu-west-1a");
    assert_int_equal(t->rtt_same_az.lo, 200 * RDSIM_US);
    assert_int_equal(t->rtt_same_az.hi, 400 * RDSIM_US);
    assert_int_equal(t->rtt_cross_az.lo, RDSIM_MS);
    assert_int_equal(t->rtt_cross_az.hi, RDSIM_MS);
    assert_int_equal(t->rtt_cross_region.lo, 70 * RDSIM_MS);
    assert_int_equal(t->rtt_cross_region.hi, 90 * RDSIM_MS);

    const struct rdsim_cluster_cfg *c = &sc->cluster;
    assert_int_equal(c->deployment, RDSIM_DEPLOY_AURORA);
    assert_int_equal(c->engine, RDSIM_ENGINE_AURORA_POSTGRES);
    assert_string_equal(c->instance_class, "db.r7g.xlarge");
    assert_true(c->min_acu == 0.5);
    assert_true(c->max_acu == 128.0);
    assert_int_equal(c->n_instances, 3);
    assert_int_equal(c->writer, 0);
    assert_string_equal(c->instances[0].name, "w");
    assert_int_equal(c->instances[0].role, RDSIM_ROLE_WRITER);
    assert_string_equal(c->instances[0].az, "us-east-1a");
    assert_int_equal(c->instances[0].region, 0);
    assert_string_equal(c->instances[0].instance_class, "db.r7g.xlarge");
    assert_int_equal(c->instances[0].tier, 0);
    assert_int_equal(c->instances[0].loc.line, 27);
    assert_int_equal(c->instances[0].loc.col, 7);
    /* Tags in file order; a plain number is a string like any other. */
    assert_int_equal(c->instances[0].n_tags, 3);
    assert_string_equal(c->instances[0].tags[0].key, "team");
    assert_string_equal(c->instances[0].tags[0].value, "payments");
    assert_string_equal(c->instances[0].tags[1].key, "cost center");
    assert_string_equal(c->instances[0].tags[1].value, "");
    assert_string_equal(c->instances[0].tags[2].key, "n");
    assert_string_equal(c->instances[0].tags[2].value, "7");
    assert_int_equal(c->instances[1].n_tags, 0);
    assert_null(c->instances[1].tags);
    assert_string_equal(c->instances[1].name, "a1");
    assert_int_equal(c->instances[1].role, RDSIM_ROLE_REPLICA);
    assert_string_equal(c->instances[1].instance_class, "serverless");
    assert_int_equal(c->instances[1].tier, 15);
    assert_string_equal(c->instances[2].name, "eu1");
    assert_string_equal(c->instances[2].az, "eu-west-1a");
    assert_int_equal(c->instances[2].region, 1);
    assert_int_equal(c->instances[2].tier, 1);
    assert_string_equal(c->instances[2].instance_class, "db.r7g.xlarge");
    assert_int_equal(c->instances[2].loc.line, 29);
    assert_true(c->has_detection && c->has_promotion && c->has_dns_update);
    assert_int_equal(c->detection.lo, 10 * RDSIM_S);
    assert_int_equal(c->detection.hi, 30 * RDSIM_S);
    assert_int_equal(c->promotion.lo, 30 * RDSIM_S);
    assert_int_equal(c->promotion.hi, 30 * RDSIM_S);
    assert_int_equal(c->dns_update.lo, 2 * RDSIM_S);
    assert_int_equal(c->dns_update.hi, 10 * RDSIM_S);
    assert_int_equal(c->dns_ttl, RDSIM_S);

    const struct rdsim_workload_cfg *w = &sc->workload;
    assert_true(w->present);
    assert_int_equal(w->rows, 250000);
    assert_int_equal(w->keys, RDSIM_KEYS_ZIPF);
    assert_true(w->zipf_s == 0.99);
    assert_true(w->reads_per_s == 1.0);
    assert_true(w->writes_per_s == 2.0);
    assert_int_equal(w->read_from, RDSIM_READ_FROM_WRITER);

    const struct rdsim_clients_cfg *cl = &sc->clients;
    assert_int_equal(cl->timeout, 500 * RDSIM_MS);
    assert_int_equal(cl->retry_backoff.lo, 50 * RDSIM_MS);
    assert_int_equal(cl->retry_backoff.hi, 2 * RDSIM_S);
    assert_int_equal(cl->give_up_after, 60 * RDSIM_S);
    assert_int_equal(cl->dns_cache, RDSIM_DNS_CACHE_FIXED);
    assert_int_equal(cl->dns_cache_for, 30 * RDSIM_S);
    assert_int_equal(cl->connection, RDSIM_CONN_SMART_DRIVER);

    /* Sorted by at; the two at 10m keep file order (failover, then reboot). */
    assert_int_equal(sc->n_events, 4);
    const struct rdsim_event_cfg *e = sc->events;
    assert_int_equal(e[0].action, RDSIM_ACT_STORAGE_FAILURE);
    assert_int_equal(e[0].at, 0);
    assert_string_equal(e[0].az, "us-east-1c");
    assert_int_equal(e[0].copies, 1);
    assert_false(e[0].has_for);
    assert_int_equal(e[0].loc.line, 53);
    assert_int_equal(e[1].action, RDSIM_ACT_FAILOVER);
    assert_int_equal(e[1].at, 600 * RDSIM_S);
    assert_null(e[1].target);
    assert_int_equal(e[1].loc.line, 51);
    assert_int_equal(e[2].action, RDSIM_ACT_REBOOT);
    assert_int_equal(e[2].at, 600 * RDSIM_S);
    assert_string_equal(e[2].target, "w");
    assert_true(e[2].failover);
    assert_int_equal(e[2].loc.line, 52);
    assert_int_equal(e[3].action, RDSIM_ACT_LOAD);
    assert_int_equal(e[3].at, 1800 * RDSIM_S);
    assert_true(e[3].has_reads);
    assert_false(e[3].has_writes);
    assert_true(e[3].reads_per_s == 10.0);

    const struct rdsim_expect_cfg *x = &sc->expect;
    assert_true(x->has_max_writer_downtime && x->has_lost_writes && x->has_max_stale_read_ratio);
    assert_true(x->has_min_avail_writer && x->has_min_avail_reader);
    assert_int_equal(x->max_writer_downtime, 90 * RDSIM_S);
    assert_int_equal(x->lost_writes, 3);
    assert_true(x->max_stale_read_ratio == 0.05);
    assert_true(x->min_avail_writer == 0.95);
    assert_true(x->min_avail_reader == 0.999);

    rdsim_scenario_free(sc);
}

static void test_minimal_file_gets_every_default(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/single-az.yaml");
    assert_null(sc->description);
    assert_int_equal(sc->seed, 1);
    assert_int_equal(sc->duration, 300 * RDSIM_S);
    assert_int_equal(sc->sample_interval, RDSIM_S);

    const struct rdsim_topology *t = &sc->topology;
    assert_int_equal(t->n_regions, 1);
    assert_string_equal(t->regions[0].name, "us-east-1");
    assert_int_equal(t->regions[0].n_azs, 3);
    assert_string_equal(t->regions[0].azs[0], "us-east-1a");
    assert_string_equal(t->regions[0].azs[1], "us-east-1b");
    assert_string_equal(t->regions[0].azs[2], "us-east-1c");
    assert_int_equal(t->rtt_same_az.lo, 100 * RDSIM_US);
    assert_int_equal(t->rtt_same_az.hi, 500 * RDSIM_US);
    assert_int_equal(t->rtt_cross_az.lo, 500 * RDSIM_US);
    assert_int_equal(t->rtt_cross_az.hi, 1500 * RDSIM_US);
    assert_int_equal(t->rtt_cross_region.lo, 60 * RDSIM_MS);
    assert_int_equal(t->rtt_cross_region.hi, 75 * RDSIM_MS);

    const struct rdsim_cluster_cfg *c = &sc->cluster;
    assert_int_equal(c->deployment, RDSIM_DEPLOY_SINGLE_AZ);
    assert_int_equal(c->engine, RDSIM_ENGINE_MYSQL);
    assert_string_equal(c->instance_class, "db.r6g.large");
    assert_string_equal(c->instances[0].instance_class, "db.r6g.large");
    assert_int_equal(c->instances[0].tier, 1);
    assert_false(c->has_detection || c->has_promotion || c->has_dns_update);
    assert_int_equal(c->dns_ttl, 5 * RDSIM_S);
    assert_int_equal(c->target_apply_lag, 120 * RDSIM_S); /* AWS's default */

    const struct rdsim_workload_cfg *w = &sc->workload;
    assert_false(w->present);
    assert_int_equal(w->rows, 10000);
    assert_int_equal(w->keys, RDSIM_KEYS_UNIFORM);
    assert_true(w->reads_per_s == 0.0 && w->writes_per_s == 0.0);
    assert_int_equal(w->read_from, RDSIM_READ_FROM_READER);

    const struct rdsim_clients_cfg *cl = &sc->clients;
    assert_int_equal(cl->timeout, 2 * RDSIM_S);
    assert_int_equal(cl->retry_backoff.lo, 100 * RDSIM_MS);
    assert_int_equal(cl->retry_backoff.hi, 5 * RDSIM_S);
    assert_int_equal(cl->give_up_after, 30 * RDSIM_S);
    assert_int_equal(cl->dns_cache, RDSIM_DNS_CACHE_TTL);
    assert_int_equal(cl->connection, RDSIM_CONN_DIRECT);

    assert_int_equal(sc->n_events, 0);
    assert_null(sc->events);
    const struct rdsim_expect_cfg *x = &sc->expect;
    assert_false(x->has_max_writer_downtime || x->has_lost_writes || x->has_max_stale_read_ratio ||
                 x->has_min_avail_writer || x->has_min_avail_reader);
    rdsim_scenario_free(sc);
}

static void test_aurora_engine_defaults_to_aurora_mysql(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/aurora-serverless.yaml");
    assert_int_equal(sc->cluster.engine, RDSIM_ENGINE_AURORA_MYSQL);
    assert_string_equal(sc->cluster.instances[0].instance_class, "serverless");
    assert_string_equal(sc->cluster.instances[2].instance_class, "db.r6g.large");
    assert_true(sc->cluster.min_acu == 0.0 && sc->cluster.max_acu == 64.0);
    rdsim_scenario_free(sc);
}

static void test_multi_az_cluster_reads_its_flow_control_target(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/multi-az-cluster.yaml");
    assert_int_equal(sc->cluster.target_apply_lag, 30 * RDSIM_S);
    rdsim_scenario_free(sc);
}

static void test_aurora_reads_its_engine_version(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/aurora-engine-version.yaml");
    assert_string_equal(sc->cluster.engine_version, "2.07.9");
    assert_int_equal(sc->cluster.version_major, 2);
    assert_int_equal(sc->cluster.version_minor, 7);
    rdsim_scenario_free(sc);
    sc = load_ok("good/aurora.yaml");
    assert_null(sc->cluster.engine_version);
    assert_int_equal(sc->cluster.version_major, -1);
    rdsim_scenario_free(sc);
}

static void test_every_good_file_loads(void **state)
{
    (void)state;
    static const char *const files[] = {
        "good/single-az.yaml",        "good/multi-az-instance.yaml", "good/multi-az-cluster.yaml",
        "good/aurora.yaml",           "good/aurora-serverless.yaml", "good/every-event-rds.yaml",
        "good/every-event-aurora.yaml", "good/full.yaml", "good/expect-every-key.yaml",
        "good/aurora-engine-version.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        rdsim_scenario_free(load_ok(files[i]));
}

static void test_every_expect_key_is_read(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/expect-every-key.yaml");
    const struct rdsim_expect_cfg *x = &sc->expect;

    assert_false(rdsim_expect_cfg_is_empty(x));
    assert_int_equal(x->max_writer_downtime, 120 * RDSIM_S);
    assert_true(x->has_lost_writes && x->lost_writes_as_max);
    assert_int_equal(x->lost_writes, 0);
    assert_true(x->has_writer_recovers && x->writer_recovers);
    assert_string_equal(x->failover_target, "standby");
    assert_true(x->has_min_uptime_writer && x->min_uptime_writer == 0.8);
    assert_true(x->has_min_uptime_reader && x->min_uptime_reader == 0.95);
    assert_int_equal(x->n_min, 2);
    assert_int_equal(x->min[0].figure, RDSIM_FIG_WRITES_OK);
    assert_true(x->min[0].limit == 100.0);
    assert_int_equal(x->min[0].loc.line, 20);
    assert_int_equal(x->min[0].loc.col, 5);
    assert_int_equal(x->min[1].figure, RDSIM_FIG_AVAILABILITY_READER);
    assert_true(x->min[1].limit == 0.5);
    assert_int_equal(x->n_max, 3);
    assert_int_equal(x->max[0].figure, RDSIM_FIG_P99_WRITE_MS);
    assert_true(x->max[0].limit == 50.5);
    assert_int_equal(x->max[2].figure, RDSIM_FIG_FAILOVER_COUNT);
    rdsim_scenario_free(sc);
}

static void test_every_action_appears_in_the_event_files(void **state)
{
    (void)state;
    bool seen[RDSIM_ACT_CREATE_REPLICA + 1] = {false};
    /* Snapshot and restore are in good/backup.yaml, which
     * test_backup_keys_and_restore_events_are_read checks. Loading it here,
     * before the mutation test, left the heap such that libyaml's reallocs
     * under meson's MALLOC_PERTURB_ made that test 15 times slower. */
    seen[RDSIM_ACT_SNAPSHOT] = seen[RDSIM_ACT_RESTORE] = true;
    /* create-replica: good/replicas.yaml (test_replica_events_and_autoscaling_are_read);
     * backtrack: good/backtrack.yaml (test_backtrack_event_is_read). */
    seen[RDSIM_ACT_CREATE_REPLICA] = seen[RDSIM_ACT_BACKTRACK] = true;
    const char *files[] = {"good/every-event-rds.yaml", "good/every-event-aurora.yaml"};
    for (size_t f = 0; f < 2; f++) {
        struct rdsim_scenario *sc = load_ok(files[f]);
        for (size_t i = 0; i < sc->n_events; i++) {
            seen[sc->events[i].action] = true;
            if (i > 0)
                assert_true(sc->events[i - 1].at <= sc->events[i].at);
        }
        rdsim_scenario_free(sc);
    }
    for (int a = 0; a <= RDSIM_ACT_CREATE_REPLICA; a++)
        if (!seen[a])
            fail_msg("no event file uses action %s", rdsim_action_name((enum rdsim_action)a));
}

static void test_rds_event_values(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/every-event-rds.yaml");
    assert_int_equal(sc->cluster.engine, RDSIM_ENGINE_MARIADB);
    assert_int_equal(sc->n_events, 11);
    const struct rdsim_event_cfg *e = sc->events;
    assert_int_equal(e[0].action, RDSIM_ACT_AZ_OUTAGE);
    assert_true(e[0].has_for);
    assert_int_equal(e[0].for_, 120 * RDSIM_S);
    assert_int_equal(e[1].action, RDSIM_ACT_REGION_OUTAGE);
    assert_string_equal(e[1].region, "us-west-2");
    assert_int_equal(e[2].action, RDSIM_ACT_INSTANCE_FAILURE);
    assert_string_equal(e[2].target, "r1");
    assert_int_equal(e[3].action, RDSIM_ACT_REBOOT);
    assert_true(e[3].failover);
    assert_int_equal(e[4].action, RDSIM_ACT_REBOOT);
    assert_false(e[4].failover);
    assert_int_equal(e[5].action, RDSIM_ACT_FAILOVER);
    assert_null(e[5].target);
    assert_int_equal(e[6].action, RDSIM_ACT_FAILOVER);
    assert_string_equal(e[6].target, "standby");
    assert_int_equal(e[7].action, RDSIM_ACT_REPLICA_LAG);
    assert_int_equal(e[7].delay, 5 * RDSIM_S);
    assert_int_equal(e[7].for_, 120 * RDSIM_S);
    assert_int_equal(e[9].action, RDSIM_ACT_LOAD);
    assert_true(e[9].has_writes && !e[9].has_reads);
    assert_true(e[9].writes_per_s == 1.0 / 60.0);
    /* The promote written first in the file sorts last. */
    assert_int_equal(e[10].action, RDSIM_ACT_PROMOTE);
    assert_string_equal(e[10].target, "dr");
    assert_int_equal(e[10].at, 50 * 60 * RDSIM_S);
    sc = (rdsim_scenario_free(sc), load_ok("good/aurora.yaml"));
    assert_int_equal(sc->events[1].action, RDSIM_ACT_GLOBAL_FAILOVER);
    assert_int_equal(sc->events[1].mode, RDSIM_GLOBAL_UNPLANNED);
    assert_string_equal(sc->events[1].region, "eu-west-1");
    rdsim_scenario_free(sc);
}

static void test_load_buffer_reads_text_and_names_it(void **state)
{
    (void)state;
    static const char good[] = "name: b\nduration: 1m\ncluster:\n  deployment: single-az\n"
                               "  instances: [{name: w, role: writer, az: us-east-1b}]\n";
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc = load_text(good, &err);
    assert_non_null(sc);
    assert_string_equal(sc->path, "t.yaml");
    assert_string_equal(sc->cluster.instances[0].az, "us-east-1b");
    rdsim_scenario_free(sc);

    sc = load_text("name: b\nduration: 30\ncluster: {}\n", &err);
    assert_null(sc);
    assert_int_equal(err.code, RDSIM_EINVAL);
    assert_string_equal(err.msg, "t.yaml:2:11: duration: must be a duration with a unit (250us, "
                                 "1.5ms, 30s, 2m, 1h), got \"30\"");

    /* Not NUL-terminated: only len bytes count. */
    char buf[sizeof good + 8];
    memcpy(buf, good, sizeof good - 1);
    memcpy(buf + sizeof good - 1, "garbage:", 8);
    assert_int_equal(rdsim_scenario_load_buffer("u.yaml", buf, sizeof good - 1, &sc, &err), 0);
    rdsim_scenario_free(sc);

    assert_int_equal(rdsim_scenario_load_buffer(NULL, "", 0, &sc, &err), RDSIM_EINVAL);
    assert_null(sc);
    assert_string_equal(err.msg, "(buffer):1:1: (yaml): the file is empty; expected a mapping "
                                 "with at least name, duration and cluster");
}

static void test_missing_file_is_eio(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = (struct rdsim_scenario *)&sc; /* overwritten with NULL */
    struct rdsim_err err = {0};
    assert_int_equal(rdsim_scenario_load("bad/no-such-file.yaml", &sc, &err), RDSIM_EIO);
    assert_null(sc);
    assert_int_equal(err.code, RDSIM_EIO);
    assert_string_equal(err.msg, "bad/no-such-file.yaml: cannot read: No such file or directory");
}

static void test_directory_is_eio(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = NULL;
    struct rdsim_err err = {0};
    assert_int_equal(rdsim_scenario_load("good", &sc, &err), RDSIM_EIO);
    assert_null(sc);
    assert_string_equal(err.msg, "good: cannot read: Is a directory");
}

static void test_null_err_is_allowed(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = NULL;
    assert_int_equal(rdsim_scenario_load("bad/duration-bare-number.yaml", &sc, NULL),
                     RDSIM_EINVAL);
    assert_null(sc);
    assert_int_equal(rdsim_scenario_load("bad/no-such-file.yaml", &sc, NULL), RDSIM_EIO);
    rdsim_scenario_free(NULL);
}

static void test_plain_aliases_are_resolved(void **state)
{
    (void)state;
    static const char text[] =
        "name: a\nduration: &d 10m\ncluster:\n  deployment: multi-az-instance\n"
        "  instances:\n    - {name: w, role: writer, az: &az us-east-1a}\n"
        "    - {name: s, role: standby, az: us-east-1b}\n"
        "    - {name: r, role: replica, az: *az}\n"
        "events:\n  - &ev {at: 1m, action: reboot, target: r}\n  - *ev\n";
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc = load_text(text, &err);
    if (sc == NULL)
        fail_msg("%s", err.msg);
    assert_string_equal(sc->cluster.instances[2].az, "us-east-1a");
    assert_int_equal(sc->n_events, 2);
    assert_string_equal(sc->events[1].target, "r");
    rdsim_scenario_free(sc);

    /* An anchor reused where a name must be unique is a duplicate; the
     * error points at the anchored node, which is the alias's content. */
    sc = load_text("name: a\nduration: 1m\ncluster:\n  deployment: single-az\n  instances:\n"
                   "    - &i {name: w, role: writer, az: us-east-1a}\n    - *i\n",
                   &err);
    assert_null(sc);
    assert_string_equal(err.msg, "t.yaml:6:17: cluster.instances[1].name: duplicate instance "
                                 "name \"w\" (first at line 6)");
}

static void test_cyclic_alias_does_not_loop(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc =
        load_text("name: a\nduration: 1m\ncluster: &c {deployment: single-az, failover: *c, "
                  "instances: [{name: w, role: writer, az: us-east-1a}]}\n",
                  &err);
    assert_null(sc);
    assert_int_equal(err.code, RDSIM_EINVAL);
    sc = load_text("name: a\nduration: 1m\nevents: &e [*e]\ncluster: {deployment: single-az, "
                   "instances: [{name: w, role: writer, az: us-east-1a}]}\n",
                   &err);
    assert_null(sc);
    assert_int_equal(err.code, RDSIM_EINVAL);
}

static void test_deep_nesting_is_an_error_not_a_crash(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *text = malloc(2 * depth + 32);
    if (text == NULL) {
        fail_msg("out of memory");
        return; /* for the compiler: cmocka's fail is not declared noreturn */
    }
    size_t o = (size_t)sprintf(text, "name: ");
    memset(text + o, '[', depth);
    memset(text + o + depth, ']', depth);
    text[o + 2 * depth] = '\0';
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc = load_text(text, &err);
    assert_null(sc);
    assert_int_equal(err.code, RDSIM_EINVAL);
    assert_string_equal(err.msg, "t.yaml:1:26: (yaml): nested more than 20 levels deep; a "
                                 "scenario needs at most 4");
    free(text);
}

static void test_huge_values_are_cut_in_messages(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *text = malloc(n + 64);
    if (text == NULL) {
        fail_msg("out of memory");
        return;
    }
    size_t o = (size_t)sprintf(text, "name: ");
    memset(text + o, 'x', n);
    strcpy(text + o + n, "\nduration: 1m\ncluster: {}\n");
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc = load_text(text, &err);
    assert_null(sc);
    assert_true(strlen(err.msg) < 300);
    assert_non_null(strstr(err.msg, "got 1048576 characters (\"xxxx"));
    assert_non_null(strstr(err.msg, "...\")"));
    free(text);

    sc = load_text("name: a\nduration: 1m\ncluster: {}\n"
                   "seed: 999999999999999999999999999999999999999999\n",
                   &err);
    assert_null(sc);
    assert_non_null(strstr(err.msg, "seed: must be an integer 0..9223372036854775807"));
}

static void test_wide_and_long_inputs_stay_fast(void **state)
{
    (void)state;
    /* 200000 distinct keys in one mapping: refused at the first unknown
     * key, without comparing every pair of keys. */
    size_t n = 200000;
    char *text = malloc(n * 16 + 256);
    assert_non_null(text);
    size_t o = (size_t)sprintf(text, "name: a\nduration: 1h\n");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(text + o, "k%zu: 1\n", i);
    struct rdsim_err err = {0};
    assert_null(load_text(text, &err));
    assert_string_equal(err.msg, "t.yaml:3:1: k0: unknown key; expected one of name, description, "
                                 "seed, duration, sample_interval, topology, cluster, workload, "
                                 "clients, events, expect");
    free(text);

    /* 50000 events load, sorted, in well under a second. */
    n = 50000;
    text = malloc(n * 64 + 512);
    assert_non_null(text);
    o = (size_t)sprintf(text, "name: a\nduration: 100h\ncluster:\n  deployment: single-az\n"
                              "  instances: [{name: w, role: writer, az: us-east-1a}]\nevents:\n");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(text + o, "  - {at: %zus, action: reboot, target: w}\n", n - i);
    struct rdsim_scenario *sc = load_text(text, &err);
    if (sc == NULL)
        fail_msg("%s", err.msg);
    assert_int_equal(sc->n_events, n);
    assert_int_equal(sc->events[0].at, RDSIM_S);
    assert_int_equal(sc->events[n - 1].at, (rdsim_time_t)n * RDSIM_S);
    rdsim_scenario_free(sc);
    free(text);
}

static void test_name_of_63_characters_is_accepted(void **state)
{
    (void)state;
    char text[512];
    snprintf(text, sizeof text,
             "name: %s\nduration: 1m\ncluster:\n  deployment: single-az\n"
             "  instances: [{name: w, role: writer, az: us-east-1a}]\n",
             "n23456789012345678901234567890123456789012345678901234567890123");
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc = load_text(text, &err);
    assert_non_null(sc);
    assert_int_equal(strlen(sc->name), 63);
    rdsim_scenario_free(sc);
}

static void test_short_scenario_gets_a_short_sample_interval(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc =
        load_text("name: a\nduration: 500ms\ncluster:\n  deployment: single-az\n"
                  "  instances: [{name: w, role: writer, az: us-east-1a}]\n"
                  "clients: {dns_cache: forever}\n",
                  &err);
    assert_non_null(sc);
    assert_int_equal(sc->sample_interval, 500 * RDSIM_MS);
    assert_int_equal(sc->clients.dns_cache, RDSIM_DNS_CACHE_FOREVER);
    rdsim_scenario_free(sc);
}

static void test_quoted_strings_work_where_text_is_expected(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_scenario *sc =
        load_text("\"name\": 'q'\nduration: \"10m\"\ncluster:\n  deployment: \"single-az\"\n"
                  "  instances: [{name: \"w\", role: writer, az: 'us-east-1a'}]\n"
                  "workload: {reads: '5/s'}\n",
                  &err);
    if (sc == NULL)
        fail_msg("%s", err.msg);
    assert_string_equal(sc->name, "q");
    assert_true(sc->workload.reads_per_s == 5.0);
    rdsim_scenario_free(sc);
}

static void test_enum_names(void **state)
{
    (void)state;
    assert_string_equal(rdsim_deployment_name(RDSIM_DEPLOY_MULTI_AZ_CLUSTER), "multi-az-cluster");
    assert_string_equal(rdsim_engine_name(RDSIM_ENGINE_AURORA_POSTGRES), "aurora-postgres");
    assert_string_equal(rdsim_role_name(RDSIM_ROLE_STANDBY), "standby");
    assert_string_equal(rdsim_action_name(RDSIM_ACT_GLOBAL_FAILOVER), "global-failover");
    assert_string_equal(rdsim_action_name(RDSIM_ACT_LOAD), "load");
    assert_string_equal(rdsim_action_name((enum rdsim_action)99), "?");
}

/* A small deterministic generator for the mutation test (no rand()). */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static void check_outcome(int rc, struct rdsim_scenario *sc, const struct rdsim_err *err)
{
    if (rc == 0) {
        assert_non_null(sc);
        rdsim_scenario_free(sc);
        return;
    }
    assert_null(sc);
    assert_int_equal(rc, RDSIM_EINVAL);
    assert_int_equal(err->code, RDSIM_EINVAL);
    assert_true(strncmp(err->msg, "m.yaml", 6) == 0);
    assert_null(strchr(err->msg, '\n'));
}

static void test_mutated_and_truncated_files_never_crash(void **state)
{
    (void)state;
    static const char *const files[] = {"good/full.yaml", "good/every-event-rds.yaml",
                                        "good/every-event-aurora.yaml"};
    static const char noise[] = "\0\xff\xc3:[]{}-,&*!|>'\"#\n \t.0123456789zs";
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t len;
        char *orig = read_all(files[f], &len);
        char *buf = malloc(len);
        assert_non_null(buf);
        /* Every prefix. */
        for (size_t cut = 0; cut <= len; cut++) {
            struct rdsim_scenario *sc = NULL;
            struct rdsim_err err = {0};
            int rc = rdsim_scenario_load_buffer("m.yaml", orig, cut, &sc, &err);
            check_outcome(rc, sc, &err);
        }
        /* Random 1..3 byte changes. */
        for (int iter = 0; iter < 1500; iter++) {
            memcpy(buf, orig, len);
            int k = 1 + (int)(next_rand(&seed) % 3);
            for (int j = 0; j < k; j++)
                buf[next_rand(&seed) % len] = noise[next_rand(&seed) % (sizeof noise - 1)];
            struct rdsim_scenario *sc = NULL;
            struct rdsim_err err = {0};
            int rc = rdsim_scenario_load_buffer("m.yaml", buf, len, &sc, &err);
            check_outcome(rc, sc, &err);
        }
        free(buf);
        free(orig);
    }
}

/* A live action goes through the same event reader: an unknown key followed
 * by a key that is a list is reported, never read as a string (found by
 * fuzzing; ASan saw the over-read). */
static void test_live_event_with_a_list_key_after_an_unknown_one(void **state)
{
    (void)state;
    static const char text[] = "{action: failover, bogus: 1, []: 2}";
    struct rdsim_scenario *sc = load_ok("good/multi-az-instance.yaml");
    struct rdsim_event_cfg ev = {0};
    struct rdsim_err err = {0};

    assert_int_equal(rdsim_scenario_parse_event(sc, "request", text, strlen(text), &ev, &err),
                     RDSIM_EINVAL);
    assert_string_equal(err.msg, "request:1:20: bogus: unknown key; the keys of action failover are "
                                 "at, action, target");
    rdsim_event_clear(&ev);
    rdsim_scenario_free(sc);
}

static void test_replica_events_and_autoscaling_are_read(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/replicas.yaml");
    const struct rdsim_event_cfg *e = sc->events;

    assert_false(sc->cluster.autoscaling.present);
    assert_int_equal(sc->n_events, 2);
    /* Sorted by time: r2 (2 min, default tier 1) before r3. */
    assert_int_equal(e[0].action, RDSIM_ACT_CREATE_REPLICA);
    assert_string_equal(e[0].name, "r2");
    assert_string_equal(e[0].az, "us-east-1c");
    assert_null(e[0].instance_class);
    assert_false(e[0].has_tier);
    assert_int_equal(e[0].tier, 1);
    assert_string_equal(e[1].name, "r3");
    assert_string_equal(e[1].instance_class, "db.r6g.xlarge");
    assert_true(e[1].has_tier);
    assert_int_equal(e[1].tier, 0);
    rdsim_scenario_free(sc);

    sc = load_ok("good/autoscaling.yaml");
    const struct rdsim_autoscaling_cfg *a = &sc->cluster.autoscaling;
    assert_true(a->present);
    assert_int_equal(a->min, 1);
    assert_int_equal(a->max, 5);
    assert_true(a->by_connections);
    assert_true(a->target == 40.0);
    assert_int_equal(a->scale_out_cooldown, 300 * RDSIM_S); /* AWS's default */
    assert_int_equal(a->scale_in_cooldown, 600 * RDSIM_S);
    rdsim_scenario_free(sc);
}

static void test_backup_keys_and_restore_events_are_read(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/backup.yaml");
    const struct rdsim_event_cfg *e = sc->events;

    assert_int_equal(sc->cluster.backup.retention_days, 7);
    assert_int_equal(sc->cluster.backup.log_upload_interval, 120 * RDSIM_S);
    assert_string_equal(sc->cluster.backup.replicate_to, "us-west-2");
    assert_int_equal(sc->n_events, 4);
    assert_int_equal(e[0].action, RDSIM_ACT_SNAPSHOT);
    assert_string_equal(e[0].name, "s1");
    assert_string_equal(e[0].target, "sb");
    assert_int_equal(e[1].action, RDSIM_ACT_RESTORE);
    assert_string_equal(e[1].from, "s1");
    assert_false(e[1].has_to);
    assert_string_equal(e[1].instance_class, "db.r6g.xlarge");
    assert_false(e[1].become_writer);
    assert_null(e[2].from);
    assert_true(e[2].has_to);
    assert_false(e[2].to_latest);
    assert_int_equal(e[2].to, 25 * 60 * RDSIM_S);
    assert_true(e[2].become_writer);
    assert_true(e[3].to_latest);
    rdsim_scenario_free(sc);
    /* Without backup: the defaults, none for RDS, a day for Aurora. */
    sc = load_ok("good/single-az.yaml");
    assert_int_equal(sc->cluster.backup.retention_days, 0);
    assert_int_equal(sc->cluster.backup.log_upload_interval, 300 * RDSIM_S);
    assert_null(sc->cluster.backup.replicate_to);
    rdsim_scenario_free(sc);
    sc = load_ok("good/aurora.yaml");
    assert_int_equal(sc->cluster.backup.retention_days, 1);
    rdsim_scenario_free(sc);
}

/* A live session cannot restore: the new instance has no column planned. */
static void test_live_restore_is_refused(void **state)
{
    (void)state;
    static const char text[] = "{action: restore, name: x, az: us-east-1b, from: s1}";
    struct rdsim_scenario *sc = load_ok("good/backup.yaml");
    struct rdsim_event_cfg ev = {0};
    struct rdsim_err err = {0};

    assert_int_equal(rdsim_scenario_parse_event(sc, "request", text, strlen(text), &ev, &err),
                     RDSIM_EINVAL);
    assert_string_equal(err.msg, "request:1:10: action: restore is not available live: the new "
                                 "instance must be known before the run (put it in the "
                                 "scenario's events)");
    rdsim_event_clear(&ev);
    static const char snap[] = "{action: snapshot, name: later}";
    assert_int_equal(rdsim_scenario_parse_event(sc, "request", snap, strlen(snap), &ev, &err), 0);
    assert_string_equal(ev.name, "later");
    rdsim_event_clear(&ev);
    rdsim_scenario_free(sc);
}

static void test_backtrack_event_is_read(void **state)
{
    (void)state;
    struct rdsim_scenario *sc = load_ok("good/backtrack.yaml");

    assert_int_equal(sc->n_events, 1);
    assert_int_equal(sc->events[0].action, RDSIM_ACT_BACKTRACK);
    assert_int_equal(sc->events[0].at, 20 * 60 * RDSIM_S);
    assert_int_equal(sc->events[0].to, 750 * RDSIM_S);
    rdsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_file_sets_every_field),
        cmocka_unit_test(test_minimal_file_gets_every_default),
        cmocka_unit_test(test_aurora_engine_defaults_to_aurora_mysql),
        cmocka_unit_test(test_multi_az_cluster_reads_its_flow_control_target),
        cmocka_unit_test(test_aurora_reads_its_engine_version),
        cmocka_unit_test(test_every_good_file_loads),
        cmocka_unit_test(test_every_action_appears_in_the_event_files),
        cmocka_unit_test(test_backtrack_event_is_read),
        cmocka_unit_test(test_rds_event_values),
        cmocka_unit_test(test_load_buffer_reads_text_and_names_it),
        cmocka_unit_test(test_every_expect_key_is_read),
        cmocka_unit_test(test_missing_file_is_eio),
        cmocka_unit_test(test_directory_is_eio),
        cmocka_unit_test(test_null_err_is_allowed),
        cmocka_unit_test(test_plain_aliases_are_resolved),
        cmocka_unit_test(test_cyclic_alias_does_not_loop),
        cmocka_unit_test(test_deep_nesting_is_an_error_not_a_crash),
        cmocka_unit_test(test_huge_values_are_cut_in_messages),
        cmocka_unit_test(test_wide_and_long_inputs_stay_fast),
        cmocka_unit_test(test_name_of_63_characters_is_accepted),
        cmocka_unit_test(test_short_scenario_gets_a_short_sample_interval),
        cmocka_unit_test(test_quoted_strings_work_where_text_is_expected),
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_mutated_and_truncated_files_never_crash),
        cmocka_unit_test(test_live_event_with_a_list_key_after_an_unknown_one),
        cmocka_unit_test(test_backup_keys_and_restore_events_are_read),
        cmocka_unit_test(test_replica_events_and_autoscaling_are_read),
        cmocka_unit_test(test_live_restore_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
