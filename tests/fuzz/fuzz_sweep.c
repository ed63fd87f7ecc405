/*
 * fuzz_sweep.c - libFuzzer harness: the sweep file loader and the points
 * it builds.
 *
 * The input is a sweep file, read as tests/sweep/fuzz.sweep.yaml so that
 * `scenario: base.yaml` (or ../../scenarios/...) names a real scenario. The
 * loader must refuse it with one located line (RDSIM_EINVAL starting with
 * the file's name, or RDSIM_EIO for a scenario that cannot be read) or
 * load it; then every point's scenario text must load as a scenario (the
 * loader promised as much) and be the same bytes when built twice.
 * Anything else is a finding: abort() shows the input.
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/scenario.h"
#include "rdsim/sweep.h"

#include "fuzz.h"

#define SWEEP_PATH FUZZ_SOURCE_ROOT "/tests/sweep/fuzz.sweep.yaml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rdsim_sweep *sw = NULL;
    struct rdsim_err err = {0};
    int rc = rdsim_sweep_load_buffer(SWEEP_PATH, (const char *)data, size, &sw, &err);

    if (rc != 0) {
        if (rc != RDSIM_EINVAL && rc != RDSIM_EIO && rc != RDSIM_ENOMEM)
            fuzz_fail("refused with code %d: %s", rc, err.msg);
        if (strncmp(err.msg, SWEEP_PATH, strlen(SWEEP_PATH)) != 0 || strchr(err.msg, '\n'))
            fuzz_fail("a refusal that names no place or spans lines: %s", err.msg);
        if (sw != NULL)
            fuzz_fail("a refusal that returned a sweep");
        return 0;
    }
    if (sw->n_points < 1 || sw->n_points > RDSIM_SWEEP_MAX_POINTS || sw->n_seeds < 1)
        fuzz_fail("a sweep of %zu points and %zu seeds", sw->n_points, sw->n_seeds);
    for (size_t p = 0; p < sw->n_points; p++) {
        char *a = NULL, *b = NULL;
        size_t la = 0, lb = 0;
        struct rdsim_scenario *sc = NULL;
        if (rdsim_sweep_point_yaml(sw, p, &a, &la, &err) != 0 ||
            rdsim_sweep_point_yaml(sw, p, &b, &lb, &err) != 0)
            fuzz_fail("point %zu of a loaded sweep cannot be built: %s", p + 1, err.msg);
        if (la != lb || memcmp(a, b, la) != 0)
            fuzz_fail("point %zu is not the same text twice", p + 1);
        if (rdsim_scenario_load_buffer("point", a, la, &sc, &err) != 0)
            fuzz_fail("point %zu of a loaded sweep does not load: %s\n%s", p + 1, err.msg, a);
        rdsim_scenario_free(sc);
        free(a);
        free(b);
    }
    rdsim_sweep_free(sw);
    return 0;
}
