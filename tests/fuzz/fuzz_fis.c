/*
 * fuzz_fis.c - libFuzzer harness: the FIS template reader (rdsim fis), from
 * the JSON text to the scenario it writes.
 *
 * The first byte chooses one of the clusters of tests/fis/clusters and
 * whether unsupported actions are skipped; the rest is the template. The
 * converter must refuse it with one message that names the template and a
 * place in it (RDSIM_EINVAL, "fuzz.json: ...", one line), or write a
 * scenario that the scenario loader accepts, with the cluster's instances
 * and its events (the template's actions; the cluster's own are dropped)
 * in time order. RDSIM_EINTERNAL (the written
 * scenario did not load) or any other code is a finding.
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/fis.h"
#include "rdsim/scenario.h"

#include "fuzz.h"

static const char *const cluster_files[] = {
    "aurora.yaml", "multi-az-cluster.yaml", "multi-az-instance.yaml", "single-az.yaml",
};
#define N_CLUSTERS (sizeof cluster_files / sizeof cluster_files[0])

struct cluster {
    struct rdsim_scenario *sc;
    char *text;
    size_t len;
};

static struct cluster clusters[N_CLUSTERS];

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fuzz_fail("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        fuzz_fail("cannot read %s", path);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < N_CLUSTERS; i++) {
        char path[4096];
        struct rdsim_err err;
        snprintf(path, sizeof path, "%s/tests/fis/clusters/%s", FUZZ_SOURCE_ROOT,
                 cluster_files[i]);
        clusters[i].text = slurp(path, &clusters[i].len);
        if (rdsim_scenario_load_buffer(path, clusters[i].text, clusters[i].len,
                                       &clusters[i].sc, &err) != 0)
            fuzz_fail("the cluster %s does not load: %s", path, err.msg);
    }
    return 0;
}

static void check_written(const struct cluster *c, const struct rdsim_fis_result *r)
{
    struct rdsim_scenario *out = NULL;
    struct rdsim_err err;

    if (!r->yaml || strlen(r->yaml) != r->yaml_len)
        fuzz_fail("the written scenario's length is not its text's");
    if (rdsim_scenario_load_buffer("written.yaml", r->yaml, r->yaml_len, &out, &err) != 0)
        fuzz_fail("the written scenario does not load: %s\n%s", err.msg, r->yaml);
    if (out->cluster.n_instances != c->sc->cluster.n_instances)
        fuzz_fail("the written scenario has %zu instances, the cluster %zu", out->cluster.n_instances,
                  c->sc->cluster.n_instances);
    for (size_t i = 1; i < out->n_events; i++)
        if (out->events[i].at < out->events[i - 1].at)
            fuzz_fail("the written events are out of time order at %zu", i);
    for (size_t i = 0; i < r->n_warnings; i++)
        if (!r->warnings[i] || strchr(r->warnings[i], '\n'))
            fuzz_fail("a warning that is missing or spans lines");
    rdsim_scenario_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct cluster *c = &clusters[data[0] % N_CLUSTERS];
    struct rdsim_fis_options opt = {.skip_unsupported = (data[0] & 0x80) != 0};
    struct rdsim_fis_result *r = NULL;
    struct rdsim_err err;

    int rc = rdsim_fis_convert("fuzz.json", (const char *)data + 1, size - 1, c->sc, c->text,
                               c->len, &opt, &r, &err);
    if (rc == 0) {
        check_written(c, r);
        rdsim_fis_result_free(r);
        return 0;
    }
    if (r)
        fuzz_fail("a refusal that still returned a result");
    if (rc != RDSIM_EINVAL && rc != RDSIM_ENOMEM)
        fuzz_fail("refused with code %d: %s", rc, err.msg);
    if (rc == RDSIM_EINVAL && (strncmp(err.msg, "fuzz.json", 9) != 0 || strchr(err.msg, '\n')))
        fuzz_fail("a refusal that does not name the template or spans lines: %s", err.msg);
    return 0;
}
