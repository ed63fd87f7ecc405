/*
 * fuzz_sweep.c - libFuzzer harness: the sweep file reader (rdsim sweep), and
 * the row lines the engines write and collect reads back.
 *
 * The input is a sweep file, named as if it sat in tests/sweep/ of the
 * source tree, so that a relative `scenario:` finds that folder's base
 * scenarios and the lessons (../../scenarios/...). The loader must refuse
 * it with one located message ("PATH:LINE:COL: ...", one line; RDSIM_EINVAL,
 * or RDSIM_EIO for a base scenario that cannot be read) or load it; then,
 * for a sweep of at most 16 points, every point's YAML must load as a
 * scenario with the point's values in it. Each line of the input is also
 * fed to the row parser: a row it accepts, written, must read back and
 * write again to the same line.
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

#define PATH FUZZ_SOURCE_ROOT "/tests/sweep/fuzz.sweep.yaml"

static void check_points(const struct rdsim_sweep *sw)
{
    if (sw->n_points == 0 || sw->n_seeds == 0)
        fuzz_fail("a sweep with no point or no seed loaded");
    if (sw->n_points > 16)
        return;
    for (size_t p = 0; p < sw->n_points; p++) {
        char *text = NULL;
        size_t len = 0;
        struct rdsim_scenario *sc = NULL;
        struct rdsim_err err;

        int rc = rdsim_sweep_point_yaml(sw, p, &text, &len, &err);
        if (rc == RDSIM_ENOMEM)
            continue;
        if (rc != 0)
            fuzz_fail("point %zu of a loaded sweep has no scenario: %s", p + 1, err.msg);
        if (strlen(text) != len)
            fuzz_fail("point %zu's text is not %zu bytes", p + 1, len);
        if (rdsim_scenario_load_buffer("point.yaml", text, len, &sc, &err) != 0)
            fuzz_fail("point %zu of a loaded sweep does not load: %s\n%s", p + 1, err.msg,
                      text);
        rdsim_scenario_free(sc);
        free(text);
    }
}

/* A row as its line, without the newline, into buf. */
static void row_line(const struct rdsim_sweep_row *row, char *buf, size_t size)
{
    FILE *f = fmemopen(buf, size, "w");
    buf[0] = '\0';
    if (!f)
        return;
    rdsim_sweep_row_write(f, row);
    fclose(f);
    buf[size - 1] = '\0';
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
}

/* Every line of the input through the row parser; an accepted row, written
 * (figures at six decimals, as the tables print them), must read back and
 * write again to the same line. */
static void check_rows(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return;
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (char *line = copy, *next; line; line = next) {
        struct rdsim_sweep_row row, back;
        struct rdsim_err err;
        char once[4096], twice[4096];

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (rdsim_sweep_row_parse(line, &row, &err) != 0)
            continue;
        row_line(&row, once, sizeof once);
        if (rdsim_sweep_row_parse(once, &back, &err) != 0)
            fuzz_fail("a row written from an accepted one does not parse: %s: %s", once,
                      err.msg);
        row_line(&back, twice, sizeof twice);
        if (strcmp(once, twice) != 0 || row.point != back.point || row.seed != back.seed ||
            row.exit_code != back.exit_code)
            fuzz_fail("a row written and read again differs: %s / %s", once, twice);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rdsim_sweep *sw = NULL;
    struct rdsim_err err;

    check_rows(data, size);
    int rc = rdsim_sweep_load_buffer(PATH, (const char *)data, size, &sw, &err);
    if (rc == 0) {
        check_points(sw);
        rdsim_sweep_free(sw);
        return 0;
    }
    if (sw)
        fuzz_fail("a refusal that still returned a sweep");
    if (rc != RDSIM_EINVAL && rc != RDSIM_EIO && rc != RDSIM_ENOMEM)
        fuzz_fail("refused with code %d: %s", rc, err.msg);
    if (strchr(err.msg, '\n'))
        fuzz_fail("a refusal that spans lines: %s", err.msg);
    if (rc == RDSIM_EINVAL && strncmp(err.msg, PATH, strlen(PATH)) != 0 &&
        strstr(err.msg, ".yaml:") == NULL)
        fuzz_fail("a refusal that names no place: %s", err.msg);
    return 0;
}
