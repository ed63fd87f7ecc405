/*
 * harness.c - see harness.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

const char *harness_rdsim, *harness_root;

int harness_main(int argc, char **argv, const char *name, const struct CMUnitTest *tests,
                 size_t n)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s RDSIM_BINARY SOURCE_ROOT\n", argv[0]);
        return 2;
    }
    harness_rdsim = argv[1];
    harness_root = argv[2];
    return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

struct run_result run_scenario(const char *scenario, uint64_t seed)
{
    return run_scenario_with(scenario, seed, "");
}

struct run_result run_scenario_with(const char *scenario, uint64_t seed, const char *extra)
{
    struct run_result r = {.dir = "/tmp/rdsim-scn-XXXXXX"};
    char cmd[2048], path[1024], seedarg[64] = "", file[1024];
    json_error_t jerr;
    int status;

    assert_non_null(mkdtemp(r.dir));
    if (scenario[0] == '@')
        snprintf(file, sizeof(file), "%s/scenarios/%s.yaml", harness_root, scenario + 1);
    else
        snprintf(file, sizeof(file), "%s", scenario);
    if (seed)
        snprintf(seedarg, sizeof(seedarg), "--seed %llu", (unsigned long long)seed);
    snprintf(cmd, sizeof(cmd), "'%s' run '%s' -o '%s' --quiet --force --no-plots %s %s",
             harness_rdsim, file, r.dir, seedarg, extra);
    status = system(cmd);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) > 3)
        fail_msg("%s: exit status %d", cmd, WEXITSTATUS(status));
    r.exit_status = WEXITSTATUS(status);
    snprintf(path, sizeof(path), "%s/summary.json", r.dir);
    r.summary = json_load_file(path, 0, &jerr);
    if (!r.summary)
        fail_msg("%s: %s", path, jerr.text);
    return r;
}

void run_free(struct run_result *r)
{
    char cmd[128];

    json_decref(r->summary);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
    if (system(cmd) != 0)
        fail_msg("cannot remove %s", r->dir);
}

void write_scenario(const char *yaml, char out[64])
{
    FILE *f;
    int fd;

    snprintf(out, 64, "/tmp/rdsim-scn-XXXXXX");
    fd = mkstemp(out);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(yaml, f);
    fclose(f);
}

static json_t *at(json_t *root, const char *path)
{
    char buf[256], *save = NULL;
    json_t *node = root;

    snprintf(buf, sizeof(buf), "%s", path);
    for (char *tok = strtok_r(buf, ".", &save); tok && node; tok = strtok_r(NULL, ".", &save))
        node = json_is_array(node) ? json_array_get(node, (size_t)atoi(tok))
                                   : json_object_get(node, tok);
    if (!node)
        fail_msg("summary.json has no %s", path);
    return node;
}

double num(json_t *root, const char *path)
{
    json_t *node = at(root, path);

    if (json_is_true(node))
        return 1;
    if (json_is_false(node))
        return 0;
    if (!json_is_number(node))
        fail_msg("summary.json %s is not a number", path);
    return json_number_value(node);
}

const char *str(json_t *root, const char *key, size_t index, const char *field)
{
    const char *s = json_string_value(
        json_object_get(json_array_get(json_object_get(root, key), index), field));
    if (!s)
        fail_msg("summary.json has no string %s.%zu.%s", key, index, field);
    return s;
}

bool is_null(json_t *root, const char *path)
{
    return json_is_null(at(root, path));
}

size_t series(const struct run_result *r, const char *column, double **t, double **v)
{
    char path[128], line[8192];
    FILE *f;
    int col = -1, header_fields = 1;
    size_t n = 0, cap = 1024;

    snprintf(path, sizeof(path), "%s/timeseries.csv", r->dir);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    line[strcspn(line, "\n")] = '\0';
    for (const char *q = line; *q; q++)
        header_fields += *q == ',';
    {
        int k = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save), k++)
            if (strcmp(tok, column) == 0)
                col = k;
    }
    if (col < 0)
        fail_msg("timeseries.csv has no column %s", column);
    *t = malloc(cap * sizeof(**t));
    *v = malloc(cap * sizeof(**v));
    while (fgets(line, sizeof(line), f)) {
        char *p = line;
        int fields = 1;
        for (const char *q = line; *q; q++)
            fields += *q == ',';
        if (fields != header_fields)
            fail_msg("timeseries.csv row %zu has %d fields, the header %d", n + 1, fields,
                     header_fields);
        if (n == cap) {
            cap *= 2;
            *t = realloc(*t, cap * sizeof(**t));
            *v = realloc(*v, cap * sizeof(**v));
        }
        (*t)[n] = atof(line);
        for (int k = 0; k < col && p; k++) {
            p = strchr(p, ',');
            if (p)
                p++;
        }
        (*v)[n] = (p && *p != ',' && *p != '\n') ? atof(p) : NAN;
        n++;
    }
    fclose(f);
    return n;
}
