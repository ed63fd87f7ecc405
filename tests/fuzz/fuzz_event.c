/*
 * fuzz_event.c - libFuzzer harness: the live mode's event parser
 * (rdsim_scenario_parse_event, what POST /api/actions runs).
 *
 * The first byte picks the scenario the event is checked against (an RDS
 * cluster with a cross-region replica, or an Aurora Global Database, from
 * tests/loader/good/); the rest is the request body. It must be refused
 * with one "request:LINE:COL: ..." line, or accepted; an accepted request
 * that is a JSON object (what the server takes) must survive the session
 * file: appended to the scenario, it loads again as the same event.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/scenario.h"

#include "fuzz.h"
#include "live_impl.h"

static const char *const files[] = {
    FUZZ_SOURCE_ROOT "/tests/loader/good/every-event-rds.yaml",
    FUZZ_SOURCE_ROOT "/tests/loader/good/every-event-aurora.yaml",
};
static struct rdsim_scenario *scenarios[2];
static char *texts[2];
static size_t lens[2];

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(1 << 16) : NULL;

    if (!buf)
        fuzz_fail("cannot read %s", path);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t k = 0; k < 2; k++) {
        struct rdsim_err err = {0};
        texts[k] = slurp(files[k], &lens[k]);
        if (rdsim_scenario_load_buffer(files[k], texts[k], lens[k], &scenarios[k], &err) != 0)
            fuzz_fail("%s", err.msg);
    }
    return 0;
}

/* The accepted event, recorded as live mode records it, in a session that
 * must load back with it as its last event. */
static void replay(size_t k, const struct rdsim_event_cfg *ev, json_t *request)
{
    const struct rdsim_scenario *sc = scenarios[k];
    struct live_record rec = {.at = sc->duration - RDSIM_MS, .request = request};
    struct rdsim_scenario *again = NULL;
    struct rdsim_err err = {0};
    const struct rdsim_event_cfg *last;
    char *text = NULL;
    size_t len;

    if (rdsim_live_session_yaml(texts[k], lens[k], &rec, 1, &text, &len, &err) != 0) {
        if (err.code != RDSIM_ENOMEM)
            fuzz_fail("an accepted event cannot be saved: %s", err.msg);
        return;
    }
    if (rdsim_scenario_load_buffer("session.yaml", text, len, &again, &err) != 0) {
        if (err.code != RDSIM_ENOMEM)
            fuzz_fail("a session with an accepted event does not load: %s\n%.*s", err.msg,
                      (int)len, text);
        free(text);
        return;
    }
    last = &again->events[again->n_events - 1];
    if (again->n_events != sc->n_events + 1 || last->action != ev->action ||
        last->at != rec.at || last->has_for != ev->has_for || last->for_ != ev->for_ ||
        last->delay != ev->delay || last->copies != ev->copies ||
        last->reads_per_s != ev->reads_per_s || last->writes_per_s != ev->writes_per_s ||
        (ev->target && (!last->target || strcmp(ev->target, last->target) != 0)))
        fuzz_fail("the saved event reads back differently\n%.*s", (int)len, text);
    rdsim_scenario_free(again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rdsim_event_cfg ev = {0}, copy = {0};
    struct rdsim_err err = {0};
    size_t k;
    json_t *request;
    int rc;

    if (size == 0)
        return 0;
    k = data[0] & 1;
    rc = rdsim_scenario_parse_event(scenarios[k], "request", (const char *)data + 1, size - 1,
                                    &ev, &err);
    if (rc) {
        if (rc != RDSIM_EINVAL && rc != RDSIM_ENOMEM)
            fuzz_fail("refused with code %d: %s", rc, err.msg);
        if (rc == RDSIM_EINVAL && (strncmp(err.msg, "request:", 8) != 0 || strchr(err.msg, '\n')))
            fuzz_fail("a refusal that names no place or spans lines: %s", err.msg);
        rdsim_event_clear(&ev);
        return 0;
    }
    if (rdsim_event_copy(&copy, &ev, &err) == 0 && copy.action != ev.action)
        fuzz_fail("an event copy differs");
    rdsim_event_clear(&copy);
    /* The server takes JSON objects only (duplicate keys refused). */
    request = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(request) && json_is_string(json_object_get(request, "action")))
        replay(k, &ev, request);
    json_decref(request);
    rdsim_event_clear(&ev);
    return 0;
}
