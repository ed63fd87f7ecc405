/*
 * cmd_sweep.c - rdsim sweep: many runs of one scenario over seeds and a grid
 * of parameter points, on this machine, on GNU parallel or on Slurm.
 *
 * A sweep folder is self-contained: sweep.json (the plan: axes, values,
 * seeds, SLO), points/NNNN.yaml (each point's scenario), jobs.txt (one
 * "POINT SEED" line per run, in plan order) and rows/P-SEED.row (one line
 * per finished run). Every engine runs the same internal command,
 * `rdsim sweep run-one DIR POINT SEED` (or run-chunk for a Slurm array
 * task), which runs one scenario in its own process and writes its row;
 * the aggregate is then made from the rows alone (src/sweep/aggregate.c),
 * so it is the same bytes whichever engine ran them, with however many
 * workers, in whatever order.
 *
 * There is no scheduler here beyond "keep N children busy" for --jobs: GNU
 * parallel and Slurm do their own, and rdsim only hands them the job list.
 */
/* realpath() is XSI. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "rdsim/report.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"
#include "rdsim/sweep.h"

#include "commands.h"
#include "gnuplot.h"
#include "outdir.h"

extern char **environ;

#define SWEEP_MARK ".rdsim-sweep"

static const char usage_sweep[] =
    "Usage: rdsim sweep SWEEP.yaml [-o DIR] [--jobs N] [--engine local|parallel|slurm]\n"
    "                              [--emit] [--force] [--quiet] [--no-plots] [--format F]\n"
    "       rdsim sweep collect DIR [--no-plots] [--format F]\n"
    "\n"
    "Run the base scenario of SWEEP.yaml once per seed and point of its vary grid, and\n"
    "sum the runs up in DIR (docs/sweeps.md):\n"
    "  runs.csv        one row per point and seed: exit status and the run's figures\n"
    "  points.csv      per point: runs, SLO met, P(SLO) with its 95% Wilson interval,\n"
    "                  and mean, p50, p90, p99, max of each figure\n"
    "  sweep.sqlite    the same two tables (sqlite3 DIR/sweep.sqlite)\n"
    "  report.md       points ranked by P(SLO); which parameter moves downtime most\n"
    "  plots/          CDFs of writer downtime and lost writes, one line per point\n"
    "\n"
    "Engines:\n"
    "  --engine local      worker processes on this machine (the default)\n"
    "  -j, --jobs N        how many at once (default: the number of cores); a\n"
    "                      progress line on a terminal\n"
    "  --engine parallel   hand the runs to GNU parallel (-j N, and these are passed on:)\n"
    "      --sshlogin S    run on other machines (DIR must be on a shared file system\n"
    "                      at the same path, and rdsim installed there)\n"
    "      --sshloginfile F, --joblog F, --resume   as for GNU parallel\n"
    "  --engine slurm      write DIR/slurm/sweep.sbatch, a job array of chunks of runs,\n"
    "                      and submit it with sbatch; collect when it has finished\n"
    "      --chunk N       runs per array task (default: at most 1000 tasks)\n"
    "      --throttle N    at most N tasks at once (--array=...%N)\n"
    "      --sbatch-arg A  pass A to sbatch (repeatable: --sbatch-arg=--partition=x)\n"
    "      --wait          wait for the job to finish (sbatch --wait), then collect\n"
    "      --emit          write the script but do not submit it\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR    sweep folder (default: results/sweeps/<name>)\n"
    "  -f, --force         write into DIR even if it holds files rdsim did not write\n"
    "  -q, --quiet         print nothing but errors\n"
    "      --resume        keep the rows of an earlier, identical sweep in DIR and run\n"
    "                      only what is missing\n"
    "      --no-plots      write the CDF scripts but do not run gnuplot\n"
    "      --format F      figures as png, svg or both (default: png)\n"
    "      --rdsim PATH    the rdsim the workers run (default: this one)\n"
    "  -h, --help          show this help\n"
    "\n"
    "  collect DIR         aggregate whatever runs have finished in DIR and say which\n"
    "                      are missing (after a Slurm job, or to look at one in flight)\n"
    "\n"
    "Exit status: 0 every run finished (met its SLO or not), 1 internal error or runs\n"
    "failed or missing, 2 bad input.\n";

/* ---- small helpers -------------------------------------------------------- */

static int write_text(const char *path, const char *text, size_t len, struct rdsim_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    size_t n = fwrite(text, 1, len, f);
    if (fclose(f) != 0 || n != len || rename(tmp, path) != 0) {
        unlink(tmp);
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", path);
    }
    return 0;
}

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (*len + 1 >= cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 4096);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + *len, 1, cap - *len - 1, f);
        *len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

/* This executable's absolute path, for the workers. */
static int self_path(char *buf, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", buf, n - 1);
    if (k <= 0)
        return -1;
    buf[k] = '\0';
    return 0;
}

static bool on_path(const char *prog)
{
    char buf[4096];
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? path : ".", prog);
        if (access(buf, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* Run argv (looked up on PATH) and wait: its exit status, 127 when it could
 * not start, 128+N when killed by signal N. */
static int spawn_wait(char *const *argv)
{
    pid_t pid;
    int status;
    fflush(NULL);
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return 127;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int parse_count(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* ---- the plan on disk --------------------------------------------------------- */

/* The plan as the aggregate needs it, read back from sweep.json. */
struct plan_store {
    json_t *root;
    struct rdsim_sweep_plan plan;
    const char **paths;
    const char ***labels;
    size_t *n_values;
    uint64_t *seeds;
};

static void plan_store_free(struct plan_store *ps)
{
    if (ps->labels)
        for (size_t a = 0; a < ps->plan.n_axes; a++)
            free(ps->labels[a]);
    free(ps->labels);
    free(ps->paths);
    free(ps->n_values);
    free(ps->seeds);
    json_decref(ps->root);
    memset(ps, 0, sizeof *ps);
}

static int manifest_write(const struct rdsim_sweep *sw, const struct rdsim_scenario *p0,
                          const char *slo_text, const char *dir, struct rdsim_err *err)
{
    json_t *root = json_object(), *axes = json_array(), *seeds = json_array();
    char path[4200];
    for (size_t a = 0; a < sw->n_axes; a++) {
        json_t *vals = json_array();
        for (size_t j = 0; j < sw->axes[a].n_values; j++)
            json_array_append_new(vals, json_string(sw->axes[a].labels[j]));
        json_array_append_new(axes, json_pack("{s:s, s:o}", "path", sw->axes[a].path, "values",
                                              vals));
    }
    for (size_t i = 0; i < sw->n_seeds; i++)
        json_array_append_new(seeds, json_integer((json_int_t)sw->seeds[i]));
    json_object_set_new(root, "name", json_string(sw->name));
    json_object_set_new(root, "points", json_integer((json_int_t)sw->n_points));
    json_object_set_new(root, "axes", axes);
    json_object_set_new(root, "seeds", seeds);
    json_object_set_new(root, "slo", slo_text ? json_string(slo_text) : json_null());
    const struct rdsim_expect_cfg *x = &p0->expect;
    json_object_set_new(root, "slo_max_writer_downtime_s",
                        x->has_max_writer_downtime
                            ? json_real((double)x->max_writer_downtime / RDSIM_S)
                            : json_null());
    json_object_set_new(root, "slo_lost_writes",
                        x->has_lost_writes ? json_integer(x->lost_writes) : json_null());
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    char *text = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    if (text == NULL)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    size_t len = strlen(text);
    text[len] = '\0';
    char *full = malloc(len + 2);
    if (full == NULL) {
        free(text);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    memcpy(full, text, len);
    full[len] = '\n';
    full[len + 1] = '\0';
    free(text);
    int rc = write_text(path, full, len + 1, err);
    free(full);
    return rc;
}

static int manifest_read(const char *dir, struct plan_store *ps, struct rdsim_err *err)
{
    char path[4200];
    json_error_t je;
    memset(ps, 0, sizeof *ps);
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    ps->root = json_load_file(path, 0, &je);
    if (ps->root == NULL)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: not a sweep folder (%s: %s)", dir, path,
                             je.text);
    json_t *axes = json_object_get(ps->root, "axes"), *seeds = json_object_get(ps->root, "seeds");
    json_t *name = json_object_get(ps->root, "name"), *pts = json_object_get(ps->root, "points");
    if (!json_is_array(axes) || !json_is_array(seeds) || !json_is_string(name) ||
        !json_is_integer(pts) || json_array_size(axes) > RDSIM_SWEEP_MAX_AXES)
        goto bad;
    size_t na = json_array_size(axes), ns = json_array_size(seeds);
    ps->paths = calloc(na + 1, sizeof *ps->paths);
    ps->labels = calloc(na + 1, sizeof *ps->labels);
    ps->n_values = calloc(na + 1, sizeof *ps->n_values);
    ps->seeds = calloc(ns + 1, sizeof *ps->seeds);
    if (!ps->paths || !ps->labels || !ps->n_values || !ps->seeds)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    size_t points = 1;
    for (size_t a = 0; a < na; a++) {
        json_t *ax = json_array_get(axes, a), *vals = json_object_get(ax, "values");
        json_t *p = json_object_get(ax, "path");
        if (!json_is_string(p) || !json_is_array(vals) || json_array_size(vals) == 0)
            goto bad;
        ps->paths[a] = json_string_value(p);
        ps->n_values[a] = json_array_size(vals);
        points *= ps->n_values[a];
        ps->labels[a] = calloc(ps->n_values[a], sizeof *ps->labels[a]);
        if (ps->labels[a] == NULL)
            return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        ps->plan.n_axes = a + 1;
        for (size_t j = 0; j < ps->n_values[a]; j++) {
            json_t *v = json_array_get(vals, j);
            if (!json_is_string(v))
                goto bad;
            ps->labels[a][j] = json_string_value(v);
        }
    }
    if ((json_int_t)points != json_integer_value(pts))
        goto bad;
    for (size_t i = 0; i < ns; i++) {
        json_t *v = json_array_get(seeds, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            goto bad;
        ps->seeds[i] = (uint64_t)json_integer_value(v);
    }
    json_t *slo = json_object_get(ps->root, "slo");
    json_t *dt = json_object_get(ps->root, "slo_max_writer_downtime_s");
    json_t *lw = json_object_get(ps->root, "slo_lost_writes");
    ps->plan = (struct rdsim_sweep_plan){
        .name = json_string_value(name),
        .n_axes = na,
        .axis_paths = ps->paths,
        .labels = (const char *const *const *)ps->labels,
        .n_values = ps->n_values,
        .n_points = points,
        .seeds = ps->seeds,
        .n_seeds = ns,
        .slo_text = json_is_string(slo) ? json_string_value(slo) : NULL,
        .slo_downtime_s = json_is_number(dt) ? json_number_value(dt) : -1,
        .slo_lost = json_is_number(lw) ? json_number_value(lw) : -1,
    };
    return 0;
bad:
    return rdsim_err_set(err, RDSIM_EINVAL, "%s: not a sweep plan written by rdsim sweep", path);
}

/* ---- one run ---------------------------------------------------------------------- */

static void row_path(char *buf, size_t n, const char *dir, size_t point, uint64_t seed)
{
    snprintf(buf, n, "%s/rows/%zu-%llu.row", dir, point, (unsigned long long)seed);
}

static int write_row(const char *dir, const struct rdsim_sweep_row *row, struct rdsim_err *err)
{
    char path[4200], tmp[4300];
    row_path(path, sizeof path, dir, row->point, row->seed);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    rdsim_sweep_row_write(f, row);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", path);
    }
    return 0;
}

/* Run point `point` (1-based) with `seed` in this process and write its
 * row. The run's own failure (a bad point, an internal error) is a row with
 * its exit status; only a row that cannot be written is an error here. */
static int run_one(const char *dir, size_t point, uint64_t seed, struct rdsim_err *err)
{
    struct rdsim_sweep_row row = {.point = point, .seed = seed};
    struct rdsim_scenario *sc = NULL;
    struct rdsim_results *res = NULL;
    struct rdsim_err e = {0};
    struct rdsim_run_options opt = {.has_seed = true, .seed = seed};
    char path[4200], sum[4300];
    int rc;

    snprintf(path, sizeof path, "%s/points/%04zu.yaml", dir, point);
    rc = rdsim_scenario_load(path, &sc, &e);
    if (rc == 0)
        rc = rdsim_run(sc, &opt, &res, &e);
    if (rc == 0) {
        /* The figures as the run's summary.json has them. */
        snprintf(sum, sizeof sum, "%s/rows/.%zu-%llu.%ld.json", dir, point,
                 (unsigned long long)seed, (long)getpid());
        rc = rdsim_report_write_summary(res, sum, &e);
        size_t len = 0;
        char *text = rc == 0 ? read_text(sum, &len) : NULL;
        unlink(sum);
        if (rc == 0 && text == NULL)
            rc = rdsim_err_set(&e, RDSIM_EIO, "%s: cannot read back", sum);
        if (rc == 0)
            rc = rdsim_sweep_row_from_summary(text, len, &row, &e);
        free(text);
    }
    if (rc == 0) {
        row.exit_code = res->expectations_ok ? RDSIM_EXIT_OKAY : RDSIM_EXIT_EXPECT;
    } else {
        row.exit_code = sc == NULL ? rdsim_exit_for_load(rc) : rdsim_exit_for(rc);
        fprintf(stderr, "rdsim: point %zu, seed %llu: %s\n", point, (unsigned long long)seed,
                e.msg);
    }
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
    return write_row(dir, &row, err);
}

static int parse_point_seed(const char *p, const char *s, size_t *point, uint64_t *seed)
{
    long v;
    if (parse_count(p, 1, RDSIM_SWEEP_MAX_POINTS, &v) != 0 || rdsim_parse_seed(s, seed) != 0)
        return -1;
    *point = (size_t)v;
    return 0;
}

static int cmd_run_one(int argc, char **argv)
{
    struct rdsim_err err = {0};
    size_t point;
    uint64_t seed;
    if (argc != 4 || parse_point_seed(argv[2], argv[3], &point, &seed) != 0)
        return rdsim_bad_usage("sweep run-one: expected DIR POINT SEED (used by the engines)",
                               usage_sweep);
    if (run_one(argv[1], point, seed, &err) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return RDSIM_EXIT_INTERNAL;
    }
    return RDSIM_EXIT_OKAY;
}

/* A Slurm array task: lines TASK*CHUNK+1 .. (TASK+1)*CHUNK of jobs.txt,
 * skipping runs whose row exists (a requeued task picks up where it was). */
static int cmd_run_chunk(int argc, char **argv)
{
    struct rdsim_err err = {0};
    long task, chunk;
    char path[4200], line[128], row[4200];
    int status = RDSIM_EXIT_OKAY;
    if (argc != 4 || parse_count(argv[2], 0, RDSIM_SWEEP_MAX_RUNS, &task) != 0 ||
        parse_count(argv[3], 1, RDSIM_SWEEP_MAX_RUNS, &chunk) != 0)
        return rdsim_bad_usage("sweep run-chunk: expected DIR TASK CHUNK (used by the Slurm "
                               "script)", usage_sweep);
    snprintf(path, sizeof path, "%s/jobs.txt", argv[1]);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "rdsim: %s: cannot read: %s\n", path, strerror(errno));
        return RDSIM_EXIT_BAD_INPUT;
    }
    long first = task * chunk, k = 0;
    while (fgets(line, sizeof line, f) && k < first + chunk) {
        if (k++ < first)
            continue;
        char ps[32], ss[32];
        size_t point;
        uint64_t seed;
        if (sscanf(line, "%31s %31s", ps, ss) != 2 || parse_point_seed(ps, ss, &point, &seed)) {
            fprintf(stderr, "rdsim: %s:%ld: not a POINT SEED line\n", path, k);
            status = RDSIM_EXIT_BAD_INPUT;
            break;
        }
        row_path(row, sizeof row, argv[1], point, seed);
        if (access(row, F_OK) == 0)
            continue;
        if (run_one(argv[1], point, seed, &err) != 0) {
            fprintf(stderr, "rdsim: %s\n", err.msg);
            status = RDSIM_EXIT_INTERNAL;
            break;
        }
    }
    fclose(f);
    return status;
}

/* ---- collecting ------------------------------------------------------------------- */

/* A seed and its place in the sweep's list, to find the place by seed. */
struct seed_at {
    uint64_t seed;
    size_t pos;
};

static int cmp_seed_at(const void *a, const void *b)
{
    const struct seed_at *x = a, *y = b;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Read every row in DIR/rows. *rows is allocated; rows that do not parse
 * are reported and skipped (they count as missing). */
static int read_rows(const char *dir, struct rdsim_sweep_row **rows, size_t *n, bool quiet,
                     struct rdsim_err *err)
{
    char path[4200], file[4500];
    size_t cap = 0;
    *rows = NULL;
    *n = 0;
    snprintf(path, sizeof path, "%s/rows", dir);
    DIR *d = opendir(path);
    if (d == NULL)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot read: %s", path, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 5 || strcmp(e->d_name + l - 4, ".row") != 0)
            continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        size_t len;
        char *text = read_text(file, &len);
        if (text == NULL)
            continue;
        if (*n == cap) {
            struct rdsim_sweep_row *nr = realloc(*rows, (cap = cap ? cap * 2 : 1024) * sizeof **rows);
            if (nr == NULL) {
                free(text);
                closedir(d);
                return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
            }
            *rows = nr;
        }
        struct rdsim_err pe = {0};
        if (rdsim_sweep_row_parse(text, &(*rows)[*n], &pe) == 0)
            (*n)++;
        else if (!quiet)
            fprintf(stderr, "rdsim: warning: %s: %s (counted as missing)\n", file, pe.msg);
        free(text);
    }
    closedir(d);
    return 0;
}

static void render_plots(const char *dir, const char *formats, bool render, bool quiet)
{
    char gp[4096], pdir[4200];
    struct rdsim_err err = {0};
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    if (!render)
        return;
    if (!rdsim_gnuplot_find(gp, sizeof gp)) {
        if (!quiet)
            fprintf(stderr, "rdsim: gnuplot is not installed: the CDF scripts in %s wait for "
                    "it (cd %s && gnuplot cdf-downtime.gp cdf-lost-writes.gp)\n", pdir, pdir);
        return;
    }
    if (rdsim_gnuplot_run(gp, pdir, "cdf-downtime.gp", formats, &err) != 0 ||
        rdsim_gnuplot_run(gp, pdir, "cdf-lost-writes.gp", formats, &err) != 0)
        fprintf(stderr, "rdsim: warning: %s\n", err.msg);
}

/* Aggregate DIR and say what is missing. Returns the exit status. */
static int collect(const char *dir, const char *formats, bool render, bool quiet)
{
    struct plan_store ps;
    struct rdsim_err err = {0};
    struct rdsim_sweep_row *rows = NULL;
    size_t n = 0, missing = 0, errors = 0;
    int status = RDSIM_EXIT_OKAY;

    if (manifest_read(dir, &ps, &err) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        plan_store_free(&ps);
        return rdsim_exit_for(err.code);
    }
    if (read_rows(dir, &rows, &n, quiet, &err) != 0 ||
        rdsim_sweep_aggregate(&ps.plan, rows, n, dir, &missing, &err) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        status = rdsim_exit_for(err.code);
        goto out;
    }
    render_plots(dir, formats, render, quiet);
    for (size_t i = 0; i < n; i++)
        if (rows[i].exit_code != 0 && rows[i].exit_code != 3)
            errors++;
    if (missing) {
        /* Which: the planned runs without a row, in plan order. */
        size_t ns = ps.plan.n_seeds, shown = 0;
        struct seed_at *sorted = malloc(ns * sizeof *sorted);
        bool *have = calloc(ps.plan.n_points * ns, sizeof *have);
        if (sorted && have) {
            for (size_t s = 0; s < ns; s++)
                sorted[s] = (struct seed_at){ps.plan.seeds[s], s};
            qsort(sorted, ns, sizeof *sorted, cmp_seed_at);
            for (size_t i = 0; i < n; i++) {
                struct seed_at key = {rows[i].seed, 0};
                struct seed_at *hit = bsearch(&key, sorted, ns, sizeof *sorted, cmp_seed_at);
                if (hit && rows[i].point >= 1 && rows[i].point <= ps.plan.n_points)
                    have[(rows[i].point - 1) * ns + hit->pos] = true;
            }
            fprintf(stderr, "rdsim: %zu of %zu runs missing (not finished yet, or lost):",
                    missing, ps.plan.n_points * ns);
            for (size_t p = 0; p < ps.plan.n_points && shown < 10; p++)
                for (size_t s = 0; s < ns && shown < 10; s++)
                    if (!have[p * ns + s])
                        fprintf(stderr, "%s point %zu seed %llu", shown++ ? "," : "", p + 1,
                                (unsigned long long)ps.plan.seeds[s]);
            fprintf(stderr, "%s\n", missing > shown ? ", ..." : "");
        }
        free(sorted);
        free(have);
        status = RDSIM_EXIT_INTERNAL;
    }
    if (errors) {
        fprintf(stderr, "rdsim: %zu run%s failed without figures (exit status in runs.csv; "
                "their messages are in the engine's logs)\n", errors, errors == 1 ? "" : "s");
        status = RDSIM_EXIT_INTERNAL;
    }
    if (!quiet)
        printf("sweep %s: %zu of %zu runs in %s/points.csv, report.md, sweep.sqlite\n",
               ps.plan.name, n, ps.plan.n_points * ps.plan.n_seeds, dir);
out:
    free(rows);
    plan_store_free(&ps);
    return status;
}

static int cmd_collect(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"no-plots", no_argument, NULL, 'P'}, {"format", required_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'q'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *formats = "png";
    bool render = true, quiet = false;
    char msg[256];
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'P':
            render = false;
            break;
        case 'F':
            if ((formats = rdsim_parse_formats(optarg)) == NULL)
                return rdsim_bad_usage("--format: must be png, svg or both", usage_sweep);
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(usage_sweep, stdout);
            return RDSIM_EXIT_OKAY;
        default:
            snprintf(msg, sizeof msg, "sweep collect: unknown option %s", argv[optind - 1]);
            return rdsim_bad_usage(msg, usage_sweep);
        }
    }
    if (optind + 1 != argc)
        return rdsim_bad_usage("sweep collect: expected one sweep folder", usage_sweep);
    return collect(argv[optind], formats, render, quiet);
}

/* ---- the local engine ----------------------------------------------------------------- */

struct job {
    size_t point;
    uint64_t seed;
};

struct progress {
    bool on;
    const char *name;
    double start, last;
};

static void progress_draw(struct progress *pg, size_t done, size_t total, bool final)
{
    if (!pg->on)
        return;
    double now = rdsim_cli_mono_now();
    if (!final && now - pg->last < 0.25)
        return;
    pg->last = now;
    double el = now - pg->start, rate = el > 0 ? (double)done / el : 0;
    char left[32] = "?";
    if (rate > 0) {
        long s = (long)((double)(total - done) / rate + 0.5);
        if (s >= 3600)
            snprintf(left, sizeof left, "%ldh%02ldm", s / 3600, s % 3600 / 60);
        else
            snprintf(left, sizeof left, "%ldm%02lds", s / 60, s % 60);
    }
    fprintf(stderr, "\r\033[K%s: %zu/%zu runs (%3.0f%%), %.2f runs/s, %s left", pg->name, done,
            total, 100.0 * (double)done / (double)total, rate, left);
    if (final)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* SIGINT or SIGTERM to the sweep: stop starting runs, pass it on to the
 * running ones (a Ctrl+C reaches them anyway; a kill of the parent alone
 * must not leave them orphaned) and wait for them. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static int run_local(const char *self, const char *dir, const struct job *jobs, size_t n,
                     long workers, bool show, const char *name)
{
    pid_t *pids = calloc((size_t)workers, sizeof *pids);
    size_t *slot_job = calloc((size_t)workers, sizeof *slot_job);
    size_t next = 0, done = 0, running = 0;
    struct progress pg = {show, name, rdsim_cli_mono_now(), 0};
    int status = RDSIM_EXIT_OKAY;
    if (pids == NULL || slot_job == NULL) {
        free(pids);
        free(slot_job);
        fprintf(stderr, "rdsim: out of memory\n");
        return RDSIM_EXIT_INTERNAL;
    }
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    fflush(NULL);
    while (done < n) {
        if (stop_signal) {
            for (long w = 0; w < workers; w++)
                if (pids[w] != 0)
                    kill(pids[w], (int)stop_signal);
            next = n;
        }
        while (running < (size_t)workers && next < n) {
            char ps[32], ss[32];
            snprintf(ps, sizeof ps, "%zu", jobs[next].point);
            snprintf(ss, sizeof ss, "%llu", (unsigned long long)jobs[next].seed);
            char *argv[] = {(char *)self, "sweep", "run-one", (char *)dir, ps, ss, NULL};
            long w = 0;
            while (pids[w] != 0)
                w++;
            if (posix_spawn(&pids[w], self, NULL, NULL, argv, environ) != 0) {
                fprintf(stderr, "rdsim: cannot start a worker: %s\n", strerror(errno));
                status = RDSIM_EXIT_INTERNAL;
                pids[w] = 0;
                next = n; /* start no more; wait for the running ones */
                break;
            }
            slot_job[w] = next++;
            running++;
        }
        if (running == 0)
            break;
        int ws;
        pid_t pid = waitpid(-1, &ws, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            status = RDSIM_EXIT_INTERNAL;
            break;
        }
        if (stop_signal) {
            /* A run stopped by the user has no verdict: leave it missing. */
            for (long w = 0; w < workers; w++)
                if (pids[w] == pid)
                    pids[w] = 0;
            running--;
            continue;
        }
        long w = 0;
        while (w < workers && pids[w] != pid)
            w++;
        if (w == workers)
            continue; /* not ours */
        pids[w] = 0;
        running--;
        done++;
        const struct job *j = &jobs[slot_job[w]];
        char row[4200];
        row_path(row, sizeof row, dir, j->point, j->seed);
        if (access(row, F_OK) != 0) {
            /* Killed, or could not write: still a row, never a gap. */
            struct rdsim_sweep_row r = {.point = j->point, .seed = j->seed};
            r.exit_code = WIFEXITED(ws) ? (WEXITSTATUS(ws) ? WEXITSTATUS(ws) : 1)
                                        : 128 + WTERMSIG(ws);
            struct rdsim_err err = {0};
            if (write_row(dir, &r, &err) != 0) {
                fprintf(stderr, "rdsim: %s\n", err.msg);
                status = RDSIM_EXIT_INTERNAL;
            }
        }
        progress_draw(&pg, done, n, false);
    }
    progress_draw(&pg, done, n, true);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(pids);
    free(slot_job);
    if (stop_signal) {
        fprintf(stderr, "rdsim: stopped by signal %d after %zu of %zu runs; the same command "
                "with --resume runs the rest\n", (int)stop_signal, done, n);
        return RDSIM_EXIT_INTERNAL;
    }
    return status;
}

/* ---- the sweep folder --------------------------------------------------------------------- */

static bool is_sweep_file(const char *name)
{
    static const char *const ours[] = {SWEEP_MARK, "sweep.json", "jobs.txt", "jobs-todo.txt",
                                       "points", "rows",
                                       "runs.csv", "points.csv", "sweep.sqlite", "report.md",
                                       "plots", "slurm", "joblog"};
    for (size_t k = 0; k < sizeof ours / sizeof ours[0]; k++)
        if (strcmp(name, ours[k]) == 0)
            return true;
    return false;
}

static int prepare_dir(const char *dir, bool force, struct rdsim_err *err)
{
    int rc = rdsim_outdir_make(dir, err);
    if (rc)
        return rc;
    DIR *d = opendir(dir);
    if (d == NULL)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s: cannot read folder: %s", dir,
                             strerror(errno));
    struct dirent *e;
    char stranger[256] = "";
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !is_sweep_file(e->d_name) &&
            !stranger[0])
            snprintf(stranger, sizeof stranger, "%s", e->d_name);
    closedir(d);
    if (stranger[0] && !force)
        return rdsim_err_set(err, RDSIM_EINVAL, "%s holds \"%s\", which rdsim sweep did not "
                             "write; choose another folder with -o, or --force", dir, stranger);
    char sub[4200];
    const char *subs[] = {"points", "rows", "plots"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
        if (mkdir(sub, 0777) != 0 && errno != EEXIST)
            return rdsim_err_set(err, RDSIM_EIO, "%s: cannot create folder: %s", sub,
                                 strerror(errno));
    }
    snprintf(sub, sizeof sub, "%s/%s", dir, SWEEP_MARK);
    return write_text(sub, "", 0, err);
}

/* Remove the files of `sub` ending in `suffix` (an earlier sweep's rows). */
static void clear_dir(const char *dir, const char *sub, const char *suffix)
{
    char path[4200], file[4500];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    struct dirent *e;
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name), s = strlen(suffix);
        if (l >= s && strcmp(e->d_name + l - s, suffix) == 0) {
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            unlink(file);
        }
    }
    closedir(d);
}

static bool same_file(const char *path, const char *text, size_t len)
{
    size_t have;
    char *old = read_text(path, &have);
    bool same = old && have == len && memcmp(old, text, len) == 0;
    free(old);
    return same;
}

/* Write points/, jobs.txt and sweep.json; with `resume`, keep the rows of
 * an earlier sweep when its plan and points are byte-identical. */
static int write_plan(const struct rdsim_sweep *sw, const char *dir, bool resume, bool *kept,
                      struct rdsim_err *err)
{
    char path[4200];
    struct rdsim_scenario *p0 = NULL;
    bool same = resume;
    int rc = 0;

    for (size_t p = 0; p < sw->n_points && rc == 0; p++) {
        char *text;
        size_t len;
        if ((rc = rdsim_sweep_point_yaml(sw, p, &text, &len, err)) != 0)
            break;
        snprintf(path, sizeof path, "%s/points/%04zu.yaml", dir, p + 1);
        if (same && !same_file(path, text, len))
            same = false;
        if (p == 0)
            rc = rdsim_scenario_load_buffer(path, text, len, &p0, err);
        if (rc == 0)
            rc = write_text(path, text, len, err);
        free(text);
    }
    if (rc)
        goto out;
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    size_t old_len;
    char *old = read_text(path, &old_len);
    if ((rc = manifest_write(sw, p0, sw->slo_text, dir, err)) != 0)
        goto out;
    if (same) {
        size_t len;
        char *now = read_text(path, &len);
        same = old && now && len == old_len && memcmp(old, now, len) == 0;
        free(now);
    }
    free(old);
    if (!same)
        clear_dir(dir, "rows", ".row");
    *kept = same;

    /* jobs.txt: point by point, seeds in file order */
    snprintf(path, sizeof path, "%s/jobs.txt", dir);
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        goto out;
    }
    for (size_t p = 0; p < sw->n_points; p++)
        for (size_t s = 0; s < sw->n_seeds; s++)
            fprintf(f, "%zu %llu\n", p + 1, (unsigned long long)sw->seeds[s]);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        rc = rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", path);
out:
    rdsim_scenario_free(p0);
    return rc;
}

/* The runs of the plan that have no row yet, as jobs.txt lines. */
static int write_todo(const struct rdsim_sweep *sw, const char *dir, const char *path,
                      struct rdsim_err *err)
{
    char row[4200];
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", path, strerror(errno));
    for (size_t p = 0; p < sw->n_points; p++)
        for (size_t s = 0; s < sw->n_seeds; s++) {
            row_path(row, sizeof row, dir, p + 1, sw->seeds[s]);
            if (access(row, F_OK) != 0)
                fprintf(f, "%zu %llu\n", p + 1, (unsigned long long)sw->seeds[s]);
        }
    if (fclose(f) != 0)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", path);
    return 0;
}

/* ---- slurm ------------------------------------------------------------------------------------ */

static void sh_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

static int write_sbatch(const char *self, const char *dir, const char *name, size_t runs,
                        long chunk, long throttle, char *script, size_t script_n,
                        struct rdsim_err *err)
{
    char sdir[4200];
    size_t tasks = (runs + (size_t)chunk - 1) / (size_t)chunk;
    snprintf(sdir, sizeof sdir, "%s/slurm", dir);
    if (mkdir(sdir, 0777) != 0 && errno != EEXIST)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot create folder: %s", sdir,
                             strerror(errno));
    snprintf(script, script_n, "%s/sweep.sbatch", sdir);
    FILE *f = fopen(script, "w");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", script, strerror(errno));
    fprintf(f, "#!/bin/sh\n"
               "# rdsim sweep %s: %zu runs in %zu array tasks of %ld (the lines of jobs.txt).\n"
               "# Submit with: sbatch %s\n"
               "# When it has finished (or to look while it runs): rdsim sweep collect %s\n",
            name, runs, tasks, chunk, script, dir);
    fprintf(f, "#SBATCH --job-name=rdsim-sweep\n#SBATCH --array=0-%zu", tasks - 1);
    if (throttle > 0)
        fprintf(f, "%%%ld", throttle);
    fprintf(f, "\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
               "#SBATCH --output=%s/task-%%a.out\n", sdir);
    fputs("exec ", f);
    sh_quote(f, self);
    fputs(" sweep run-chunk ", f);
    sh_quote(f, dir);
    fprintf(f, " \"$SLURM_ARRAY_TASK_ID\" %ld\n", chunk);
    if (fclose(f) != 0)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write", script);
    chmod(script, 0755);
    return 0;
}

/* ---- rdsim sweep FILE ----------------------------------------------------------------------- */

enum engine { ENGINE_LOCAL, ENGINE_PARALLEL, ENGINE_SLURM };

#define MAX_PASS 32

int rdsim_cmd_sweep(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"engine", required_argument, NULL, 'e'}, {"emit", no_argument, NULL, 'E'},
        {"force", no_argument, NULL, 'f'},        {"quiet", no_argument, NULL, 'q'},
        {"no-plots", no_argument, NULL, 'P'},     {"format", required_argument, NULL, 'F'},
        {"sshlogin", required_argument, NULL, 'S'}, {"sshloginfile", required_argument, NULL, 'L'},
        {"joblog", required_argument, NULL, 'J'}, {"resume", no_argument, NULL, 'R'},
        {"chunk", required_argument, NULL, 'C'},  {"throttle", required_argument, NULL, 'T'},
        {"sbatch-arg", required_argument, NULL, 'A'}, {"wait", no_argument, NULL, 'W'},
        {"rdsim", required_argument, NULL, 'X'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rdsim_sweep *sw = NULL;
    struct rdsim_err err = {0};
    const char *out_dir = NULL, *formats = "png", *joblog = NULL, *sshloginfile = NULL;
    const char *sshlogins[MAX_PASS], *sbatch_args[MAX_PASS], *rdsim_cmd = NULL;
    size_t n_ssh = 0, n_sbatch = 0;
    char msg[512], default_dir[512], self[4096], dir[4096];
    bool emit = false, force = false, quiet = false, render = true, resume = false, wait = false;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN), chunk = 0, throttle = 0;
    enum engine engine = ENGINE_LOCAL;
    int c, status = RDSIM_EXIT_OKAY;

    if (argc >= 2 && strcmp(argv[1], "collect") == 0)
        return cmd_collect(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "run-one") == 0)
        return cmd_run_one(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "run-chunk") == 0)
        return cmd_run_chunk(argc - 1, argv + 1);
    if (jobs < 1)
        jobs = 1;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:j:fqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 'j':
            if (parse_count(optarg, 1, 1024, &jobs) != 0) {
                snprintf(msg, sizeof msg, "--jobs: must be a whole number 1..1024, got \"%s\"",
                         optarg);
                return rdsim_bad_usage(msg, usage_sweep);
            }
            break;
        case 'e':
            if (strcmp(optarg, "local") == 0)
                engine = ENGINE_LOCAL;
            else if (strcmp(optarg, "parallel") == 0)
                engine = ENGINE_PARALLEL;
            else if (strcmp(optarg, "slurm") == 0)
                engine = ENGINE_SLURM;
            else {
                snprintf(msg, sizeof msg, "--engine: must be local, parallel or slurm, got "
                         "\"%s\"", optarg);
                return rdsim_bad_usage(msg, usage_sweep);
            }
            break;
        case 'E':
            emit = true;
            break;
        case 'f':
            force = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'P':
            render = false;
            break;
        case 'F':
            if ((formats = rdsim_parse_formats(optarg)) == NULL) {
                snprintf(msg, sizeof msg, "--format: must be png, svg or both, got \"%s\"",
                         optarg);
                return rdsim_bad_usage(msg, usage_sweep);
            }
            break;
        case 'S':
            if (n_ssh == MAX_PASS)
                return rdsim_bad_usage("--sshlogin: at most 32 (use --sshloginfile)",
                                       usage_sweep);
            sshlogins[n_ssh++] = optarg;
            break;
        case 'L':
            sshloginfile = optarg;
            break;
        case 'J':
            joblog = optarg;
            break;
        case 'R':
            resume = true;
            break;
        case 'C':
            if (parse_count(optarg, 1, RDSIM_SWEEP_MAX_RUNS, &chunk) != 0)
                return rdsim_bad_usage("--chunk: must be a whole number of runs, 1 or more",
                                       usage_sweep);
            break;
        case 'T':
            if (parse_count(optarg, 1, 1000000, &throttle) != 0)
                return rdsim_bad_usage("--throttle: must be a whole number of tasks, 1 or more",
                                       usage_sweep);
            break;
        case 'A':
            if (n_sbatch == MAX_PASS)
                return rdsim_bad_usage("--sbatch-arg: at most 32", usage_sweep);
            sbatch_args[n_sbatch++] = optarg;
            break;
        case 'W':
            wait = true;
            break;
        case 'X':
            rdsim_cmd = optarg;
            break;
        case 'h':
            fputs(usage_sweep, stdout);
            return RDSIM_EXIT_OKAY;
        case ':':
            snprintf(msg, sizeof msg, "sweep: option %s needs a value", argv[optind - 1]);
            return rdsim_bad_usage(msg, usage_sweep);
        default:
            snprintf(msg, sizeof msg, "sweep: unknown option %s", argv[optind - 1]);
            return rdsim_bad_usage(msg, usage_sweep);
        }
    }
    if (optind >= argc)
        return rdsim_bad_usage("sweep: no sweep file given", usage_sweep);
    if (optind + 1 < argc) {
        snprintf(msg, sizeof msg, "sweep: one sweep file at a time, got \"%s\" too",
                 argv[optind + 1]);
        return rdsim_bad_usage(msg, usage_sweep);
    }
    if (engine != ENGINE_PARALLEL && (n_ssh || sshloginfile || joblog))
        return rdsim_bad_usage("sweep: --sshlogin, --sshloginfile and --joblog go with "
                               "--engine parallel", usage_sweep);
    if (engine != ENGINE_SLURM && (emit || chunk || throttle || n_sbatch || wait))
        return rdsim_bad_usage("sweep: --emit, --chunk, --throttle, --sbatch-arg and --wait go "
                               "with --engine slurm", usage_sweep);
    if (emit && wait)
        return rdsim_bad_usage("sweep: --emit writes the script without submitting it; "
                               "--wait cannot wait for it", usage_sweep);

    int rc = rdsim_sweep_load(argv[optind], &sw, &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return rdsim_exit_for_load(rc);
    }
    if (!out_dir) {
        snprintf(default_dir, sizeof default_dir, "results/sweeps/%s", sw->name);
        out_dir = default_dir;
    }
    if (rdsim_cmd)
        snprintf(self, sizeof self, "%s", rdsim_cmd);
    else if (self_path(self, sizeof self) != 0) {
        fprintf(stderr, "rdsim: cannot find this executable's path (/proc/self/exe); give it "
                "with --rdsim PATH\n");
        status = RDSIM_EXIT_INTERNAL;
        goto out;
    }
    bool kept = false;
    if ((rc = prepare_dir(out_dir, force, &err)) != 0 ||
        (rc = realpath(out_dir, dir) ? 0 : rdsim_err_set(&err, RDSIM_EIO, "%s: %s", out_dir,
                                                         strerror(errno))) != 0 ||
        (rc = write_plan(sw, dir, resume, &kept, &err)) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        status = rdsim_exit_for(rc);
        goto out;
    }
    size_t runs = sw->n_points * sw->n_seeds;
    if (resume && !kept && !quiet)
        fprintf(stderr, "rdsim: %s held a different sweep (or none): starting afresh\n",
                out_dir);
    if (!quiet)
        fprintf(stderr, "rdsim: sweep %s: %zu point%s x %zu seed%s = %zu runs into %s\n",
                sw->name, sw->n_points, sw->n_points == 1 ? "" : "s", sw->n_seeds,
                sw->n_seeds == 1 ? "" : "s", runs, out_dir);

    if (engine == ENGINE_LOCAL) {
        struct job *list = malloc(runs * sizeof *list);
        size_t n = 0;
        char row[4200];
        if (list == NULL) {
            fprintf(stderr, "rdsim: out of memory\n");
            status = RDSIM_EXIT_INTERNAL;
            goto out;
        }
        for (size_t p = 0; p < sw->n_points; p++)
            for (size_t s = 0; s < sw->n_seeds; s++) {
                row_path(row, sizeof row, dir, p + 1, sw->seeds[s]);
                if (kept && access(row, F_OK) == 0)
                    continue;
                list[n++] = (struct job){p + 1, sw->seeds[s]};
            }
        status = run_local(self, dir, list, n, jobs, !quiet && isatty(STDERR_FILENO),
                           sw->name);
        free(list);
    } else if (engine == ENGINE_PARALLEL) {
        if (!on_path("parallel")) {
            fprintf(stderr, "rdsim: --engine parallel needs GNU parallel (Debian package "
                    "parallel), which is not on PATH\n");
            status = RDSIM_EXIT_BAD_INPUT;
            goto out;
        }
        char jobs_s[32], jobs_file[4200];
        const char *av[64 + 2 * MAX_PASS];
        size_t k = 0;
        snprintf(jobs_s, sizeof jobs_s, "%ld", jobs);
        snprintf(jobs_file, sizeof jobs_file, "%s/jobs.txt", dir);
        av[k++] = "parallel";
        av[k++] = "--will-cite";
        av[k++] = "--colsep";
        av[k++] = " ";
        av[k++] = "--jobs";
        av[k++] = jobs_s;
        if (joblog) {
            av[k++] = "--joblog";
            av[k++] = joblog;
        }
        /* GNU parallel's --resume reads its joblog, whose sequence numbers
         * are lines of jobs.txt; without a joblog, rdsim resumes by
         * handing it only the runs that have no row. */
        if (resume && kept && joblog) {
            av[k++] = "--resume";
        } else if (kept) {
            snprintf(jobs_file, sizeof jobs_file, "%s/jobs-todo.txt", dir);
            if (write_todo(sw, dir, jobs_file, &err) != 0) {
                fprintf(stderr, "rdsim: %s\n", err.msg);
                status = RDSIM_EXIT_INTERNAL;
                goto out;
            }
        }
        for (size_t i = 0; i < n_ssh; i++) {
            av[k++] = "--sshlogin";
            av[k++] = sshlogins[i];
        }
        if (sshloginfile) {
            av[k++] = "--sshloginfile";
            av[k++] = sshloginfile;
        }
        if (!quiet && isatty(STDERR_FILENO))
            av[k++] = "--bar";
        av[k++] = self;
        av[k++] = "sweep";
        av[k++] = "run-one";
        av[k++] = dir;
        av[k++] = "{1}";
        av[k++] = "{2}";
        av[k++] = "::::";
        av[k++] = jobs_file;
        av[k] = NULL;
        int st = spawn_wait((char *const *)av);
        if (st != 0) {
            fprintf(stderr, "rdsim: GNU parallel exited with status %d%s\n", st,
                    st < 100 ? " (that many runs could not write their row)" : "");
            status = RDSIM_EXIT_INTERNAL;
        }
    } else {
        char script[4300];
        if (chunk == 0)
            chunk = (long)((runs + 999) / 1000);
        if ((rc = write_sbatch(self, dir, sw->name, runs, chunk, throttle, script,
                               sizeof script, &err)) != 0) {
            fprintf(stderr, "rdsim: %s\n", err.msg);
            status = rdsim_exit_for(rc);
            goto out;
        }
        if (emit) {
            if (!quiet)
                printf("wrote %s\nsubmit it with: sbatch %s\nthen: rdsim sweep collect %s\n",
                       script, script, out_dir);
            goto out;
        }
        if (!on_path("sbatch")) {
            fprintf(stderr, "rdsim: --engine slurm needs sbatch (Slurm's client, Debian "
                    "package slurm-client) on PATH; --emit writes the script only\n");
            status = RDSIM_EXIT_BAD_INPUT;
            goto out;
        }
        const char *av[8 + MAX_PASS];
        size_t k = 0;
        av[k++] = "sbatch";
        if (wait)
            av[k++] = "--wait";
        for (size_t i = 0; i < n_sbatch; i++)
            av[k++] = sbatch_args[i];
        av[k++] = script;
        av[k] = NULL;
        int st = spawn_wait((char *const *)av);
        if (st != 0) {
            fprintf(stderr, "rdsim: sbatch exited with status %d\n", st);
            status = RDSIM_EXIT_INTERNAL;
            if (!wait)
                goto out;
        }
        if (!wait) {
            if (!quiet)
                printf("when the job has finished: rdsim sweep collect %s\n", out_dir);
            goto out;
        }
    }
    int cs = collect(dir, formats, render, quiet);
    if (status == RDSIM_EXIT_OKAY)
        status = cs;
out:
    rdsim_sweep_free(sw);
    return status;
}
