/*
 * test_fis.c - AWS FIS experiment templates replayed as scenarios: ISO 8601
 * durations, what each action becomes, target resolution and selection,
 * the startAfter timing, the file written (loaded back with the real
 * loader, and run), stop conditions, warnings and determinism.
 *
 * Templates under templates/ are written as AWS documents them (the FIS
 * User Guide's template syntax, the scenario library's AZ Availability:
 * Power Interruption); the clusters under clusters/ are small scenarios.
 * Runs in tests/fis (meson workdir), so paths are relative to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/fis.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

/* ---- helpers ------------------------------------------------------------ */

static struct rdsim_fis_result *convert_opt(const char *tpl, const char *cluster,
                                            const struct rdsim_fis_options *opt)
{
    struct rdsim_fis_result *res = NULL;
    struct rdsim_err err = {0};
    if (rdsim_fis_convert_files(tpl, cluster, opt, &res, &err) != 0)
        fail_msg("%s on %s: %s", tpl, cluster, err.msg);
    assert_non_null(res);
    assert_non_null(res->yaml);
    assert_int_equal(strlen(res->yaml), res->yaml_len);
    return res;
}

static struct rdsim_fis_result *convert(const char *tpl, const char *cluster)
{
    return convert_opt(tpl, cluster, NULL);
}

/* The template, written to a temporary file, converted; NULL and the
 * message in err when it fails. */
static struct rdsim_fis_result *convert_text(const char *json, const char *cluster,
                                             const struct rdsim_fis_options *opt,
                                             struct rdsim_err *err)
{
    char path[] = "/tmp/rdsim-fis-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
    struct rdsim_fis_result *res = NULL;
    int rc = rdsim_fis_convert_files(path, cluster, opt, &res, err);
    remove(path);
    assert_int_equal(rc == 0, res != NULL);
    return res;
}

static struct rdsim_scenario *load(const struct rdsim_fis_result *res)
{
    struct rdsim_scenario *sc = NULL;
    struct rdsim_err err = {0};
    if (rdsim_scenario_load_buffer("written.yaml", res->yaml, res->yaml_len, &sc, &err) !=
        0)
        fail_msg("the written scenario does not load: %s\n%s", err.msg, res->yaml);
    return sc;
}

static struct rdsim_results *run(const struct rdsim_scenario *sc)
{
    struct rdsim_run_options opt = {0};
    struct rdsim_results *res = NULL;
    struct rdsim_err err = {0};
    if (rdsim_run(sc, &opt, &res, &err) != 0)
        fail_msg("run failed: %s", err.msg);
    return res;
}

/* The comments' text with their wrapping undone ("\n# " is a space), for
 * checks that must not depend on where a line breaks. New string. */
static char *unwrapped(const char *yaml)
{
    char *s = strdup(yaml);
    assert_non_null(s);
    char *o = s;
    for (const char *p = yaml; *p != '\0';) {
        if (strncmp(p, "\n# ", 3) == 0 && p[3] != ' ') {
            *o++ = ' ';
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return s;
}

/* A template of one action; `action` and `targets` are JSON members. */
#define TEMPLATE(targets, actions)                                                       \
    "{\"description\": \"t\", \"targets\": {" targets "}, \"actions\": {" actions "},"   \
    " \"stopConditions\": [{\"source\": \"none\"}],"                                     \
    " \"roleArn\": \"arn:aws:iam::123456789012:role/r\"}"

#define DB_TARGET(name, extra)                                                           \
    "\"" name "\": {\"resourceType\": \"aws:rds:db\", " extra                            \
    ", \"selectionMode\": \"ALL\"}"

#define REBOOT(name, target, params)                                                     \
    "\"" name                                                                            \
    "\": {\"actionId\": \"aws:rds:reboot-db-instances\", \"parameters\": {" params       \
    "}, \"targets\": {\"DBInstances\": \"" target "\"}}"

/* ---- ISO 8601 durations ------------------------------------------------- */

static void test_iso_durations_parse_as_fis_writes_them(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        rdsim_time_t ns;
    } cases[] = {
        {"PT1M", 60 * RDSIM_S},
        {"PT5M", 300 * RDSIM_S},
        {"PT2M", 120 * RDSIM_S},
        {"PT30S", 30 * RDSIM_S},
        {"PT12H", 12 * 3600 * RDSIM_S},
        {"PT1H30M", 5400 * RDSIM_S},
        {"PT1M30.25S", 90 * RDSIM_S + 250 * RDSIM_MS},
        {"PT0.000000001S", 1},
        {"PT0,5S", 500 * RDSIM_MS},
        {"P1D", 86400 * RDSIM_S},
        {"P1DT2H", 93600 * RDSIM_S},
        {"PT0S", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rdsim_time_t t = -1;
        const char *why = NULL;
        if (rdsim_fis_parse_duration(cases[i].text, &t, &why) != 0)
            fail_msg("%s refused: %s", cases[i].text, why);
        if (t != cases[i].ns)
            fail_msg("%s = %lld ns, expected %lld", cases[i].text, (long long)t,
                     (long long)cases[i].ns);
    }
}

static void
test_iso_durations_that_fis_would_refuse_are_refused_with_a_reason(void **state)
{
    (void)state;
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"5m", "starts with P"},
        {"pt5m", "starts with P"},
        {"", "starts with P"},
        {"P", "no component"},
        {"PT", "nothing after T"},
        {"PT5", "without a unit"},
        {"P1M", "no fixed length"},
        {"P1Y", "no fixed length"},
        {"P2W", "no fixed length"},
        {"PT1.5M", "seconds only"},
        {"PT5M1H", "out of order"},
        {"PT5M5M", "out of order"},
        {"P1H", "after a T"},
        {"PT1D", "before the T"},
        {"PTT1M", "a second T"},
        {"PT-1M", "a number was expected"},
        {"PT1.S", "a digit was expected"},
        {"PT0.0000000001S", "finer than a nanosecond"},
        {"PT100001H", "too long"},
        {"PT99999999999999999999H", "too long"},
        {"PT5X", "an unknown unit"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rdsim_time_t t = 0;
        const char *why = NULL;
        if (rdsim_fis_parse_duration(cases[i].text, &t, &why) == 0)
            fail_msg("\"%s\" accepted as %lld ns", cases[i].text, (long long)t);
        assert_non_null(why);
        if (strstr(why, cases[i].why) == NULL)
            fail_msg("\"%s\": reason \"%s\", expected \"%s\"", cases[i].text, why,
                     cases[i].why);
    }
    assert_int_equal(rdsim_fis_parse_duration(NULL, &(rdsim_time_t){0}, NULL),
                     RDSIM_EINVAL);
}

/* ---- what each action becomes, run ------------------------------------- */

/* FIS: forceFailover "true" on a Multi-AZ instance "forces failover from one
 * Availability Zone to another". */
static void test_reboot_with_force_failover_fails_a_multi_az_instance_over_to_its_standby(
    void **state)
{
    (void)state;
    struct rdsim_fis_result *res = convert("templates/reboot-force-failover.json",
                                           "clusters/multi-az-instance.yaml");
    assert_int_equal(res->n_warnings, 0);
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 1);
    assert_int_equal(sc->events[0].action, RDSIM_ACT_REBOOT);
    assert_int_equal(sc->events[0].at, 0);
    assert_string_equal(sc->events[0].target, "primary");
    assert_true(sc->events[0].failover);

    struct rdsim_results *r = run(sc);
    assert_int_equal(r->n_failovers, 1);
    assert_string_equal(r->failovers[0].fo.from, "primary");
    assert_string_equal(r->failovers[0].fo.to, "standby");
    assert_string_equal(r->final_writer, "standby");
    assert_int_equal(r->lost_writes, 0);
    rdsim_results_free(r);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

/* The wait completes at 120 s, then the subnets of us-east-1a are cut off
 * for the action's three minutes: the writer's AZ is lost, and the Multi-AZ
 * instance fails over. */
static void
test_disrupt_connectivity_after_a_two_minute_wait_is_an_az_outage_at_120_s(void **state)
{
    (void)state;
    struct rdsim_fis_result *res =
        convert("templates/az-outage-after-wait.json", "clusters/multi-az-instance.yaml");
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 1);
    const struct rdsim_event_cfg *e = &sc->events[0];
    assert_int_equal(e->action, RDSIM_ACT_AZ_OUTAGE);
    assert_string_equal(e->az, "us-east-1a");
    assert_int_equal(e->at, 120 * RDSIM_S);
    assert_true(e->has_for);
    assert_int_equal(e->for_, 180 * RDSIM_S);

    struct rdsim_results *r = run(sc);
    assert_true(r->n_outages >= 1);
    assert_int_equal(r->outages[0].at, 120 * RDSIM_S);
    assert_int_equal(r->n_failovers, 1);
    assert_int_equal(r->failovers[0].fo.at, 120 * RDSIM_S);
    assert_string_equal(r->failovers[0].fo.to, "standby");
    rdsim_results_free(r);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

/* FailoverDBCluster on Aurora promotes by tier: tier 0 before the rest, the
 * largest within a tier (big, db.r6g.4xlarge, over small and the larger
 * tier-2 spare). */
static void test_failover_db_cluster_on_aurora_fails_over_by_tier(void **state)
{
    (void)state;
    struct rdsim_fis_result *res =
        convert("templates/aurora-failover.json", "clusters/aurora.yaml");
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 1);
    assert_int_equal(sc->events[0].action, RDSIM_ACT_FAILOVER);
    assert_null(sc->events[0].target);

    struct rdsim_results *r = run(sc);
    assert_int_equal(r->n_failovers, 1);
    assert_string_equal(r->failovers[0].fo.from, "writer");
    assert_string_equal(r->failovers[0].fo.to, "big");
    assert_string_equal(r->final_writer, "big");
    rdsim_results_free(r);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

static void
test_failover_db_cluster_on_a_multi_az_db_cluster_promotes_a_standby(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_fis_result *res = convert_text(
        TEMPLATE("\"C\": {\"resourceType\": \"aws:rds:cluster\", \"resourceArns\": "
                 "[\"arn:aws:rds:us-east-1:123456789012:cluster:inventory\"], "
                 "\"selectionMode\": \"ALL\"}",
                 "\"F\": {\"actionId\": \"aws:rds:failover-db-cluster\", \"targets\": "
                 "{\"Clusters\": \"C\"}}"),
        "clusters/multi-az-cluster.yaml", NULL, &err);
    if (res == NULL)
        fail_msg("%s", err.msg);
    struct rdsim_scenario *sc = load(res);
    struct rdsim_results *r = run(sc);
    assert_int_equal(r->n_failovers, 1);
    assert_true(strcmp(r->failovers[0].fo.to, "s1") == 0 ||
                strcmp(r->failovers[0].fo.to, "s2") == 0);
    rdsim_results_free(r);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

/* The scenario library's AZ Availability: Power Interruption, RDS part: the
 * cluster found by its tag and its writer's AZ fails over, and the AZ's
 * subnets lose connectivity for two minutes; both at the start. */
static void test_az_power_interruption_rds_part_works_as_a_template(void **state)
{
    (void)state;
    struct rdsim_fis_result *res =
        convert("templates/az-power-interruption-rds.json", "clusters/aurora.yaml");
    assert_int_equal(res->n_warnings, 0);
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 2);
    assert_int_equal(sc->events[0].action, RDSIM_ACT_FAILOVER);
    assert_int_equal(sc->events[0].at, 0);
    assert_int_equal(sc->events[1].action, RDSIM_ACT_AZ_OUTAGE);
    assert_string_equal(sc->events[1].az, "us-east-1a");
    assert_int_equal(sc->events[1].for_, 120 * RDSIM_S);
    struct rdsim_results *r = run(sc);
    assert_true(r->n_failovers >= 1);
    assert_string_equal(r->failovers[0].fo.to, "big");
    rdsim_results_free(r);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);

    /* On a Multi-AZ DB instance there is no DB cluster: with
     * emptyTargetResolutionMode "skip" the failover is skipped, as on AWS,
     * with a warning saying what to use instead. */
    res = convert("templates/az-power-interruption-rds.json",
                  "clusters/multi-az-instance.yaml");
    assert_int_equal(res->n_warnings, 1);
    assert_non_null(strstr(res->warnings[0], "actions.Failover-RDS: skipped"));
    assert_non_null(strstr(res->warnings[0], "forceFailover"));
    sc = load(res);
    assert_int_equal(sc->n_events, 1);
    assert_int_equal(sc->events[0].action, RDSIM_ACT_AZ_OUTAGE);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

/* The whole scenario, as get-experiment-template prints it: the actions on
 * EC2, EBS and IAM are refused, or dropped with --skip-unsupported (one
 * warning each), and their durations still time what starts after them. */
static void
test_az_power_interruption_needs_skip_unsupported_for_its_other_actions(void **state)
{
    (void)state;
    struct rdsim_fis_result *res = NULL;
    struct rdsim_err err = {0};
    assert_int_equal(rdsim_fis_convert_files("templates/az-power-interruption.json",
                                             "clusters/aurora.yaml", NULL, &res, &err),
                     RDSIM_EINVAL);
    assert_null(res);
    assert_non_null(strstr(err.msg,
                           "experimentTemplate.actions.Stop-Instances.actionId: "
                           "aws:ec2:stop-instances cannot be simulated by rdsim"));
    assert_non_null(strstr(err.msg, "--skip-unsupported"));

    struct rdsim_fis_options opt = {.skip_unsupported = true};
    res =
        convert_opt("templates/az-power-interruption.json", "clusters/aurora.yaml", &opt);
    assert_int_equal(res->n_warnings, 3);
    assert_non_null(
        strstr(res->warnings[0], "Stop-Instances: aws:ec2:stop-instances dropped"));
    assert_non_null(
        strstr(res->warnings[2], "Pause-EBS-IO: aws:ebs:pause-volume-io dropped"));
    assert_non_null(strstr(res->yaml, "EXT1a2b3c4d5e6f7"));
    /* Wait-for-recovery starts after the 30 minutes of the dropped EBS
     * action. */
    assert_non_null(
        strstr(res->yaml, "Wait-for-recovery (aws:fis:wait): from 30m to 1h"));
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 2);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

/* ---- targets ------------------------------------------------------------ */

static void test_resource_tags_match_every_tag_of_an_instance(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_fis_result *res = convert_text(
        TEMPLATE(DB_TARGET("T", "\"resourceTags\": {\"team\": \"payments\", \"role\": "
                                "\"reporting\"}"),
                 REBOOT("R", "T", "")),
        "clusters/multi-az-instance.yaml", NULL, &err);
    if (res == NULL)
        fail_msg("%s", err.msg);
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 1);
    assert_string_equal(sc->events[0].target, "replica1");
    assert_false(sc->events[0].failover);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);

    /* team=payments alone: the writer and the replica (the standby has no
     * identifier of its own on AWS), one reboot each. */
    res = convert_text(
        TEMPLATE(DB_TARGET("T", "\"resourceTags\": {\"team\": \"payments\"}"),
                 REBOOT("R", "T", "")),
        "clusters/multi-az-instance.yaml", NULL, &err);
    if (res == NULL)
        fail_msg("%s", err.msg);
    sc = load(res);
    assert_int_equal(sc->n_events, 2);
    assert_string_equal(sc->events[0].target, "primary");
    assert_string_equal(sc->events[1].target, "replica1");
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

static void test_filters_and_parameters_narrow_db_targets(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_fis_result *res = convert_text(
        TEMPLATE(DB_TARGET(
                     "T", "\"resourceTags\": {\"team\": \"payments\"}, \"parameters\": "
                          "{\"availabilityZoneIdentifiers\": \"us-east-1b,us-east-1c\"}"),
                 REBOOT("R", "T", "")),
        "clusters/multi-az-instance.yaml", NULL, &err);
    if (res == NULL)
        fail_msg("%s", err.msg);
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 1);
    assert_string_equal(sc->events[0].target, "replica1");
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);

    res = convert_text(
        TEMPLATE(
            "\"T\": {\"resourceType\": \"aws:rds:db\", \"filters\": [{\"path\": "
            "\"DBInstanceIdentifier\", \"values\": [\"PRIMARY\"]}], \"selectionMode\": "
            "\"ALL\"}",
            REBOOT("R", "T", "")),
        "clusters/multi-az-instance.yaml", NULL, &err);
    if (res == NULL)
        fail_msg("%s", err.msg);
    sc = load(res);
    assert_int_equal(sc->n_events, 1);
    assert_string_equal(sc->events[0].target, "primary"); /* identifiers ignore case */
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

/* COUNT(n) draws from the scenario's seed: the same pick every time. */
static void test_count_selection_is_random_but_the_same_for_the_same_seed(void **state)
{
    (void)state;
    static const char json[] =
        TEMPLATE("\"T\": {\"resourceType\": \"aws:rds:db\", \"resourceTags\": {\"team\": "
                 "\"payments\"}, \"selectionMode\": \"COUNT(1)\"}",
                 REBOOT("R", "T", ""));
    struct rdsim_err err = {0};
    struct rdsim_fis_result *a =
        convert_text(json, "clusters/multi-az-instance.yaml", NULL, &err);
    struct rdsim_fis_result *b =
        convert_text(json, "clusters/multi-az-instance.yaml", NULL, &err);
    assert_non_null(a);
    assert_non_null(b);
    struct rdsim_scenario *sc = load(a);
    assert_int_equal(sc->n_events, 1);
    assert_true(strcmp(sc->events[0].target, "primary") == 0 ||
                strcmp(sc->events[0].target, "replica1") == 0);
    assert_non_null(strstr(a->yaml, "chosen at random by COUNT(1)"));
    rdsim_scenario_free(sc);
    /* The temporary template's name differs; the events do not. */
    assert_string_equal(strstr(a->yaml, "\nevents:"), strstr(b->yaml, "\nevents:"));
    rdsim_fis_result_free(a);
    rdsim_fis_result_free(b);
}

/* FIS rounds PERCENT down and fails when that selects nothing. */
static void test_percent_selection_rounds_down(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_fis_result *res = convert_text(
        TEMPLATE("\"T\": {\"resourceType\": \"aws:rds:db\", \"resourceTags\": {\"team\": "
                 "\"payments\"}, \"selectionMode\": \"PERCENT(50)\"}",
                 REBOOT("R", "T", "")),
        "clusters/multi-az-instance.yaml", NULL, &err);
    assert_non_null(res);
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 1);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);

    res = convert_text(
        TEMPLATE("\"T\": {\"resourceType\": \"aws:rds:db\", \"resourceTags\": {\"team\": "
                 "\"payments\"}, \"selectionMode\": \"PERCENT(40)\"}",
                 REBOOT("R", "T", "")),
        "clusters/multi-az-instance.yaml", NULL, &err);
    assert_null(res);
    assert_int_equal(err.code, RDSIM_EINVAL);
    assert_non_null(strstr(err.msg,
                           ": targets.T.selectionMode: PERCENT(40) of 2 DB instances "
                           "selects none"));
}

/* Subnets named by ARN need --subnet to say their AZ. */
static void test_subnet_arns_take_their_az_from_the_subnet_option(void **state)
{
    (void)state;
    static const char json[] = TEMPLATE(
        "\"S\": {\"resourceType\": \"aws:ec2:subnet\", \"resourceArns\": "
        "[\"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0b1\", "
        "\"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0b2\"], \"selectionMode\": "
        "\"ALL\"}",
        "\"D\": {\"actionId\": \"aws:network:disrupt-connectivity\", \"parameters\": "
        "{\"duration\": \"PT1M\", \"scope\": \"availability-zone\"}, \"targets\": "
        "{\"Subnets\": "
        "\"S\"}}");
    struct rdsim_err err = {0};
    struct rdsim_fis_result *res =
        convert_text(json, "clusters/multi-az-instance.yaml", NULL, &err);
    assert_null(res);
    assert_non_null(strstr(err.msg,
                           ": targets.S.resourceArns[0]: rdsim cannot tell which AZ "
                           "the subnet \"subnet-0b1\" is in; pass --subnet "
                           "subnet-0b1=AZ"));

    /* Two subnets of one AZ: one outage. */
    struct rdsim_fis_subnet subnets[] = {{"subnet-0b1", "us-east-1b"},
                                         {"subnet-0b2", "us-east-1b"}};
    struct rdsim_fis_options opt = {.subnets = subnets, .n_subnets = 2};
    res = convert_text(json, "clusters/multi-az-instance.yaml", &opt, &err);
    if (res == NULL)
        fail_msg("%s", err.msg);
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 1);
    assert_string_equal(sc->events[0].az, "us-east-1b");
    assert_int_equal(sc->events[0].for_, 60 * RDSIM_S);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);

    subnets[1].az = "us-east-1z";
    res = convert_text(json, "clusters/multi-az-instance.yaml", &opt, &err);
    assert_null(res);
    assert_non_null(strstr(err.msg,
                           ": targets.S.resourceArns[1]: unknown AZ \"us-east-1z\"; "
                           "multi-az-instance.yaml's topology has us-east-1a, "
                           "us-east-1b, us-east-1c"));
}

/* ---- the startAfter graph ----------------------------------------------- */

static void
test_start_after_starts_an_action_once_all_it_waits_for_have_completed(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_fis_result *res =
        convert_text(
            TEMPLATE(DB_TARGET("Rep", "\"resourceArns\": "
                                      "[\"arn:aws:rds:us-east-1:123456789012:db:"
                                      "replica1\"]") ","
                                                     "\"AzB\": {\"resourceType\": "
                                                     "\"aws:ec2:subnet\", \"filters\": "
                                                     "[{\"path\": "
                                                     "\"AvailabilityZone\", \"values\": "
                                                     "[\"us-east-1b\"]}], "
                                                     "\"selectionMode\": "
                                                     "\"ALL\"}",
                     "\"Late\": {\"actionId\": \"aws:rds:reboot-db-instances\", "
                     "\"targets\": "
                     "{\"DBInstances\": \"Rep\"}, \"startAfter\": [\"One\", \"Two\"]},"
                     "\"One\": {\"actionId\": \"aws:fis:wait\", \"parameters\": "
                     "{\"duration\": "
                     "\"PT1M\"}},"
                     "\"Two\": {\"actionId\": \"aws:fis:wait\", \"parameters\": "
                     "{\"duration\": "
                     "\"PT2M30S\"}, \"startAfter\": [\"One\"]},"
                     "\"Cut\": {\"actionId\": \"aws:network:disrupt-connectivity\", "
                     "\"parameters\": "
                     "{\"duration\": \"PT1M\", \"scope\": \"all\"}, \"targets\": "
                     "{\"Subnets\": "
                     "\"AzB\"}, \"startAfter\": [\"One\"]}"),
            "clusters/multi-az-instance.yaml", NULL, &err);
    if (res == NULL)
        fail_msg("%s", err.msg);
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 2);
    /* Cut after One (1 min); Late after One and Two (1 + 2.5 min). */
    assert_int_equal(sc->events[0].action, RDSIM_ACT_AZ_OUTAGE);
    assert_int_equal(sc->events[0].at, 60 * RDSIM_S);
    assert_int_equal(sc->events[1].action, RDSIM_ACT_REBOOT);
    assert_int_equal(sc->events[1].at, 210 * RDSIM_S);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

/* ---- the file written --------------------------------------------------- */

static void
test_written_scenario_keeps_the_users_keys_and_names_the_template(void **state)
{
    (void)state;
    struct rdsim_fis_result *res = convert("templates/reboot-force-failover.json",
                                           "clusters/multi-az-instance.yaml");
    const char *y = res->yaml;
    char *flat = unwrapped(y);
    static const char opening[] = "# Written by rdsim fis from the AWS FIS experiment "
                                  "template reboot-force-failover.json "
                                  "(\"Reboot the primary DB instance with a forced "
                                  "failover to its standby\") and the "
                                  "cluster, workload and clients of "
                                  "multi-az-instance.yaml. Replay it with rdsim run on "
                                  "this file";
    if (strncmp(flat, opening, strlen(opening)) != 0)
        fail_msg("the file opens with:\n%.300s", flat);
    free(flat);
    assert_non_null(
        strstr(y, "#   RebootWithFailover (aws:rds:reboot-db-instances): at 0s"));
    assert_non_null(strstr(y, "#     targets.PrimaryDB: DB instance primary"));
    struct rdsim_scenario *sc = load(res);
    assert_string_equal(sc->name, "orders");
    assert_non_null(strstr(sc->description, "reboot-force-failover.json"));
    assert_non_null(strstr(sc->description, "multi-az-instance.yaml"));
    assert_true(sc->seed == 7);
    assert_int_equal(sc->duration, 360 * RDSIM_S);
    /* Tags, workload, clients and expect stay; the scenario's own event is
     * replaced by the template's. */
    assert_int_equal(sc->cluster.instances[0].n_tags, 2);
    assert_string_equal(sc->cluster.instances[0].tags[1].value, "DisruptRds");
    assert_true(sc->workload.writes_per_s == 20.0);
    assert_true(sc->expect.has_lost_writes);
    assert_int_equal(sc->n_events, 1);
    assert_int_equal(sc->events[0].action, RDSIM_ACT_REBOOT);
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

/* A CloudWatch alarm cannot be evaluated offline: the file says so and
 * offers the nearest expect: in a comment. */
static void
test_alarm_stop_conditions_become_a_comment_with_the_nearest_expect(void **state)
{
    (void)state;
    struct rdsim_fis_result *res = convert("templates/reboot-force-failover.json",
                                           "clusters/multi-az-instance.yaml");
    const char *c = strstr(res->yaml, "\n# Stop conditions: FIS stops this experiment");
    assert_non_null(c);
    assert_non_null(strstr(c, "#   arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
                              "orders-5xx-rate-high\n"));
    assert_non_null(strstr(c, "cannot evaluate a CloudWatch alarm"));
    assert_non_null(
        strstr(c, "\n# expect:\n#   max_writer_downtime: 120s\n#   lost_writes: 0\n"));
    rdsim_fis_result_free(res);

    res = convert("templates/aurora-failover.json", "clusters/aurora.yaml");
    assert_non_null(strstr(res->yaml, "# Stop conditions: none"));
    assert_null(strstr(res->yaml, "# expect:"));
    rdsim_fis_result_free(res);
}

static void test_conversion_gives_the_same_bytes_every_time(void **state)
{
    (void)state;
    struct rdsim_fis_options opt = {.skip_unsupported = true};
    struct rdsim_fis_result *a =
        convert_opt("templates/az-power-interruption.json", "clusters/aurora.yaml", &opt);
    struct rdsim_fis_result *b =
        convert_opt("templates/az-power-interruption.json", "clusters/aurora.yaml", &opt);
    assert_int_equal(a->yaml_len, b->yaml_len);
    assert_memory_equal(a->yaml, b->yaml, a->yaml_len);
    rdsim_fis_result_free(a);
    rdsim_fis_result_free(b);
}

/* Found by fuzz_fis: names and a description holding characters YAML does
 * not allow in a file (DEL, C1 controls, U+FFFF) were copied into the
 * written scenario's comments, which then did not load. */
static void test_control_characters_in_names_still_give_a_scenario_that_loads(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_fis_result *res = convert_text(
        "{\"description\": \"a\\u0085b\\u0080c\\uffff\\nd\\u007f\", \"targets\": {},"
        " \"actions\": {\"W\\u0080x\\u007fy\\u009f\": {\"actionId\": \"aws:fis:wait\","
        " \"parameters\": {\"duration\": \"PT1M\"}}},"
        " \"stopConditions\": [{\"source\": \"none\"}], \"roleArn\": \"arn:aws:iam::1:role/r\"}",
        "clusters/multi-az-instance.yaml", NULL, &err);
    if (res == NULL)
        fail_msg("refused: %s", err.msg);
    struct rdsim_scenario *sc = load(res);
    assert_non_null(strstr(res->yaml, "W x y "));
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

static void test_files_that_cannot_be_read_are_eio(void **state)
{
    (void)state;
    struct rdsim_fis_result *res = NULL;
    struct rdsim_err err = {0};
    assert_int_equal(rdsim_fis_convert_files("templates/missing.json",
                                             "clusters/aurora.yaml", NULL, &res, &err),
                     RDSIM_EIO);
    assert_string_equal(err.msg,
                        "templates/missing.json: cannot read: No such file or directory");
    assert_int_equal(rdsim_fis_convert_files("templates/aurora-failover.json",
                                             "clusters/missing.yaml", NULL, &res, &err),
                     RDSIM_EIO);
    assert_null(res);
    rdsim_fis_result_free(NULL);
}

/* A template of every action and no usable target still writes a scenario
 * that loads, with no events. */
static void
test_a_template_whose_actions_all_skip_writes_a_scenario_without_events(void **state)
{
    (void)state;
    struct rdsim_err err = {0};
    struct rdsim_fis_result *res = convert_text(
        "{\"targets\": {" DB_TARGET(
            "T",
            "\"resourceTags\": {\"team\": \"nobody\"}") "},"
                                                        " \"actions\": {" REBOOT(
                                                            "R", "T",
                                                            "") "},"
                                                                " \"experimentOptions\": "
                                                                "{\"emptyTargetResolution"
                                                                "Mode\": \"skip\"}}",
        "clusters/multi-az-instance.yaml", NULL, &err);
    if (res == NULL)
        fail_msg("%s", err.msg);
    assert_int_equal(res->n_warnings, 1);
    assert_non_null(strstr(res->warnings[0], "none carries the tags team=nobody"));
    struct rdsim_scenario *sc = load(res);
    assert_int_equal(sc->n_events, 0);
    assert_non_null(
        strstr(sc->description, "No action of the template became an event."));
    rdsim_scenario_free(sc);
    rdsim_fis_result_free(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_durations_parse_as_fis_writes_them),
        cmocka_unit_test(
            test_iso_durations_that_fis_would_refuse_are_refused_with_a_reason),
        cmocka_unit_test(
            test_reboot_with_force_failover_fails_a_multi_az_instance_over_to_its_standby),
        cmocka_unit_test(
            test_disrupt_connectivity_after_a_two_minute_wait_is_an_az_outage_at_120_s),
        cmocka_unit_test(test_failover_db_cluster_on_aurora_fails_over_by_tier),
        cmocka_unit_test(
            test_failover_db_cluster_on_a_multi_az_db_cluster_promotes_a_standby),
        cmocka_unit_test(test_az_power_interruption_rds_part_works_as_a_template),
        cmocka_unit_test(
            test_az_power_interruption_needs_skip_unsupported_for_its_other_actions),
        cmocka_unit_test(test_resource_tags_match_every_tag_of_an_instance),
        cmocka_unit_test(test_filters_and_parameters_narrow_db_targets),
        cmocka_unit_test(test_count_selection_is_random_but_the_same_for_the_same_seed),
        cmocka_unit_test(test_percent_selection_rounds_down),
        cmocka_unit_test(test_subnet_arns_take_their_az_from_the_subnet_option),
        cmocka_unit_test(
            test_start_after_starts_an_action_once_all_it_waits_for_have_completed),
        cmocka_unit_test(
            test_written_scenario_keeps_the_users_keys_and_names_the_template),
        cmocka_unit_test(
            test_alarm_stop_conditions_become_a_comment_with_the_nearest_expect),
        cmocka_unit_test(test_conversion_gives_the_same_bytes_every_time),
        cmocka_unit_test(test_control_characters_in_names_still_give_a_scenario_that_loads),
        cmocka_unit_test(test_files_that_cannot_be_read_are_eio),
        cmocka_unit_test(
            test_a_template_whose_actions_all_skip_writes_a_scenario_without_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
