/*
 * lesson_diff.c - when a run's expectations fail, is it a lesson that the
 * student changed?
 *
 * The lessons are compiled into the binary (scenarios/meson.build, as for
 * rdsim lessons), so the lesson as shipped is found by the scenario's name
 * wherever the student's copy lives and whatever it is called. The
 * scenario file is read again and compared with the lesson by dotted path
 * (rdsim_scenario_diff); a --seed that is not the lesson's counts as a
 * change too, since the lesson's expectations were checked for its own
 * seed (and five others, tests/scenarios/test_lesson.sh), not for every
 * seed. The reports then say what differs, so that an experiment does not
 * read as a broken lesson.
 *
 * Only the CLI does this: it owns the embedded lessons and reads files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/asset.h"
#include "rdsim/scenario.h"

#include "commands.h"

/* Generated from the lesson files by tools/embed.py (scenarios/meson.build). */
extern const struct rdsim_asset rdsim_lesson_files[];

#define LESSON_FILE_MAX (16u << 20) /* the loader's own limit */

static const struct rdsim_asset *find_lesson(const char *name)
{
    char file[160];
    snprintf(file, sizeof file, "%s.yaml", name);
    return rdsim_asset_find(rdsim_lesson_files, file);
}

static int nomem(struct rdsim_err *err)
{
    return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
}

/* Replace (or drop, when `here` is NULL) the change at `path`; add it when
 * missing. Returns 0 or RDSIM_ENOMEM. */
static int set_change(struct rdsim_results *res, const char *path, const char *shipped,
                      const char *here, struct rdsim_err *err)
{
    size_t k = 0;
    while (k < res->n_lesson_changes && strcmp(res->lesson_changes[k].path, path) != 0)
        k++;
    if (k < res->n_lesson_changes) {
        struct rdsim_param_change *c = &res->lesson_changes[k];
        free(c->path);
        free(c->shipped);
        free(c->here);
        memmove(c, c + 1, (res->n_lesson_changes - k - 1) * sizeof *c);
        res->n_lesson_changes--;
    }
    if (here == NULL)
        return 0;
    struct rdsim_param_change *v =
        realloc(res->lesson_changes, (res->n_lesson_changes + 1) * sizeof *v);
    if (v == NULL)
        return nomem(err);
    res->lesson_changes = v;
    struct rdsim_param_change *c = &v[res->n_lesson_changes];
    c->path = strdup(path);
    c->shipped = strdup(shipped);
    c->here = strdup(here);
    res->n_lesson_changes++;
    return c->path && c->shipped && c->here ? 0 : nomem(err);
}

int rdsim_cli_compare_lesson(struct rdsim_results *res, bool has_seed,
                             struct rdsim_err *err)
{
    const struct rdsim_scenario *sc = res->sc;
    const struct rdsim_asset *a;
    struct rdsim_scenario *lesson = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (res->expectations_ok || sc->path == NULL || (a = find_lesson(sc->name)) == NULL)
        return 0;
    /* A file that cannot be read again (gone since it loaded) is simply
     * not compared: the run's verdict stands without the note. */
    if ((text = rdsim_cli_read_file(sc->path, LESSON_FILE_MAX, &len, NULL)) == NULL)
        return 0;
    rc = rdsim_scenario_diff((const char *)a->data, a->size, text, len,
                             &res->lesson_changes, &res->n_lesson_changes, err);
    free(text);
    if (rc == RDSIM_EINVAL) /* it loaded, so it is YAML; be safe all the same */
        return 0;
    if (rc == 0)
        rc = rdsim_scenario_load_buffer(a->name, (const char *)a->data, a->size, &lesson,
                                        err);
    if (rc == 0 && has_seed) {
        /* The run's seed is --seed's, whatever either file says. */
        char shipped[32], here[48];
        snprintf(shipped, sizeof shipped, "%llu", (unsigned long long)lesson->seed);
        snprintf(here, sizeof here, "%llu (--seed)", (unsigned long long)res->seed);
        rc = set_change(res, "seed", shipped, res->seed != lesson->seed ? here : NULL,
                        err);
    }
    if (rc == 0 && (res->lesson = strdup(sc->name)) == NULL)
        rc = nomem(err);
    rdsim_scenario_free(lesson);
    return rc;
}
