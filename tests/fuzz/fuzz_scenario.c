/*
 * fuzz_scenario.c - libFuzzer harness: the scenario loader, and a save and
 * reload of every scenario that loads.
 *
 * The input is a scenario file. The loader must refuse it with one located
 * message (RDSIM_EINVAL, "fuzz.yaml:LINE:COL: ...", one line) or load it;
 * a scenario that loads is written back as a live session (the file as
 * parsed, plus one injected `load` action when the scenario takes it), and
 * that must load again, to the same scenario with that one event more.
 * Anything else is a finding: abort() shows the input.
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README.md).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/scenario.h"

#include "fuzz.h"
#include "live_impl.h"

static void check_refusal(int rc, const struct rdsim_err *err)
{
    if (rc != RDSIM_EINVAL && rc != RDSIM_ENOMEM)
        fuzz_fail("refused with code %d: %s", rc, err->msg);
    if (rc == RDSIM_EINVAL && (strncmp(err->msg, "fuzz.yaml:", 10) != 0 || strchr(err->msg, '\n')))
        fuzz_fail("a refusal that names no place or spans lines: %s", err->msg);
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_event(const struct rdsim_event_cfg *a, const struct rdsim_event_cfg *b)
{
    return a->at == b->at && a->action == b->action && same_text(a->az, b->az) &&
           same_text(a->region, b->region) && same_text(a->target, b->target) &&
           a->has_for == b->has_for && a->for_ == b->for_ && a->failover == b->failover &&
           a->delay == b->delay && a->copies == b->copies && a->mode == b->mode &&
           a->has_reads == b->has_reads && a->has_writes == b->has_writes &&
           a->reads_per_s == b->reads_per_s && a->writes_per_s == b->writes_per_s;
}

/* expect: as the run reads it: failover_target is a string (compared as
 * text) and a bound's place in the file does not matter. */
static bool same_expect(const struct rdsim_expect_cfg *a, const struct rdsim_expect_cfg *b)
{
    struct rdsim_expect_cfg x = *a, y = *b;

    if (!same_text(a->failover_target, b->failover_target) || a->n_min != b->n_min ||
        a->n_max != b->n_max)
        return false;
    x.failover_target = y.failover_target = NULL;
    if (a->n_restores != b->n_restores)
        return false;
    for (size_t i = 0; i < a->n_restores; i++) {
        if (!same_text(a->restores[i].name, b->restores[i].name))
            return false;
        x.restores[i].name = y.restores[i].name = NULL;
    }
    for (size_t i = 0; i < RDSIM_FIG_COUNT; i++) {
        memset(&x.min[i].loc, 0, sizeof x.min[i].loc);
        memset(&y.min[i].loc, 0, sizeof y.min[i].loc);
        memset(&x.max[i].loc, 0, sizeof x.max[i].loc);
        memset(&y.max[i].loc, 0, sizeof y.max[i].loc);
    }
    return memcmp(&x, &y, sizeof x) == 0;
}

/* workload: as the run reads it: its Regions compared by value. */
static bool same_workload(const struct rdsim_workload_cfg *a, const struct rdsim_workload_cfg *b)
{
    struct rdsim_workload_cfg x = *a, y = *b;

    if (a->n_regions != b->n_regions ||
        (a->n_regions && memcmp(a->regions, b->regions, a->n_regions * sizeof(*a->regions))))
        return false;
    x.regions = y.regions = NULL;
    return memcmp(&x, &y, sizeof x) == 0;
}

/* What the session must keep of the scenario: everything the run reads. */
static void compare(const struct rdsim_scenario *a, const struct rdsim_scenario *b, size_t extra)
{
    if (!same_text(a->name, b->name) || !same_text(a->description, b->description) ||
        a->seed != b->seed || a->duration != b->duration ||
        a->sample_interval != b->sample_interval)
        fuzz_fail("the reloaded session differs at the top (name, seed, duration, ...)");
    if (a->topology.n_regions != b->topology.n_regions ||
        memcmp(&a->topology.rtt_same_az, &b->topology.rtt_same_az, 3 * sizeof(struct rdsim_range)))
        fuzz_fail("the reloaded session differs in its topology");
    for (size_t r = 0; r < a->topology.n_regions; r++) {
        if (!same_text(a->topology.regions[r].name, b->topology.regions[r].name) ||
            a->topology.regions[r].n_azs != b->topology.regions[r].n_azs)
            fuzz_fail("the reloaded session differs in region %zu", r);
    }
    if (a->cluster.deployment != b->cluster.deployment || a->cluster.engine != b->cluster.engine ||
        a->cluster.n_instances != b->cluster.n_instances || a->cluster.writer != b->cluster.writer ||
        a->cluster.dns_ttl != b->cluster.dns_ttl || a->cluster.min_acu != b->cluster.min_acu ||
        a->cluster.max_acu != b->cluster.max_acu)
        fuzz_fail("the reloaded session differs in its cluster");
    for (size_t i = 0; i < a->cluster.n_instances; i++) {
        const struct rdsim_instance_cfg *x = &a->cluster.instances[i], *y = &b->cluster.instances[i];
        if (!same_text(x->name, y->name) || x->role != y->role || !same_text(x->az, y->az) ||
            !same_text(x->instance_class, y->instance_class) || x->tier != y->tier)
            fuzz_fail("the reloaded session differs in instance %zu", i);
    }
    if (!same_workload(&a->workload, &b->workload) ||
        memcmp(&a->clients, &b->clients, sizeof(a->clients)) != 0 ||
        !same_expect(&a->expect, &b->expect))
        fuzz_fail("the reloaded session differs in workload, clients or expect");
    if (b->n_events != a->n_events + extra)
        fuzz_fail("the reloaded session has %zu events, not %zu", b->n_events,
                  a->n_events + extra);
    /* The injected event sorts after the file's (latest time, then file
     * order), so the file's come first in the same order. */
    for (size_t k = 0; k < a->n_events; k++)
        if (!same_event(&a->events[k], &b->events[k]))
            fuzz_fail("the reloaded session differs in event %zu", k);
}

static void round_trip(const struct rdsim_scenario *sc, const uint8_t *data, size_t size)
{
    static const char load[] = "{\"action\": \"load\", \"reads\": \"7/s\"}";
    struct rdsim_event_cfg ev = {0};
    struct rdsim_err err = {0};
    struct live_record rec = {0};
    struct rdsim_scenario *again = NULL;
    size_t n = 0, len = 0;
    char *text = NULL;
    int rc;

    /* The last millisecond before the end, as live mode would inject. */
    if (sc->duration > RDSIM_MS &&
        rdsim_scenario_parse_event(sc, "request", load, strlen(load), &ev, &err) == 0) {
        rec.at = (sc->duration - 1) / RDSIM_MS * RDSIM_MS;
        rec.request = json_loads(load, 0, NULL);
        n = rec.request ? 1 : 0;
    }
    rdsim_event_clear(&ev);
    rc = rdsim_live_session_yaml((const char *)data, size, &rec, n, &text, &len, &err);
    if (rc == RDSIM_ENOMEM)
        goto out;
    if (rc)
        fuzz_fail("a scenario that loads cannot be saved: %s", err.msg);
    rc = rdsim_scenario_load_buffer("session.yaml", text, len, &again, &err);
    if (rc == RDSIM_ENOMEM)
        goto out;
    if (rc)
        fuzz_fail("the saved session does not load: %s\n--- session:\n%.*s", err.msg, (int)len,
                  text);
    compare(sc, again, n);
out:
    rdsim_scenario_free(again);
    free(text);
    json_decref(rec.request);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rdsim_scenario *sc = NULL;
    struct rdsim_err err = {0};
    int rc = rdsim_scenario_load_buffer("fuzz.yaml", (const char *)data, size, &sc, &err);

    if (rc) {
        check_refusal(rc, &err);
        return 0;
    }
    round_trip(sc, data, size);
    rdsim_scenario_free(sc);
    return 0;
}
