/*
 * sweep_collect.c - rdsim sweep collect DIR, and the collect that ends a
 * sweep: read every row in DIR/rows, aggregate them with the plan from
 * DIR/sweep.json (src/sweep/aggregate.c), draw the CDFs and say which
 * planned runs are missing or failed.
 *
 * It needs nothing but the folder, so it can look at a Slurm job in flight
 * or after it finished on another machine; a row that does not parse is
 * reported and counted as missing, never guessed at.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/sweep.h"

#include "commands.h"
#include "gnuplot.h"
#include "sweep_cli.h"

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
        char *text = rdsim_cli_read_file(file, 0, &len, NULL);
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
int sweep_collect(const char *dir, const char *formats, bool render, bool quiet)
{
    struct rdsim_sweep_manifest ps;
    struct rdsim_err err = {0};
    struct rdsim_sweep_row *rows = NULL;
    size_t n = 0, missing = 0, errors = 0;
    int status = RDSIM_EXIT_OKAY;

    if (rdsim_sweep_manifest_read(dir, &ps, &err) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        rdsim_sweep_manifest_free(&ps);
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
    rdsim_sweep_manifest_free(&ps);
    return status;
}

int sweep_cmd_collect(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"no-plots", no_argument, NULL, 'P'}, {"format", required_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'q'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *formats = "png";
    bool render = true, quiet = false;
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
                return rdsim_bad_usage("--format: must be png, svg or both", sweep_usage);
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(sweep_usage, stdout);
            return RDSIM_EXIT_OKAY;
        default:
            return rdsim_bad_option("sweep collect", c, argv[optind - 1], sweep_usage);
        }
    }
    if (optind + 1 != argc)
        return rdsim_bad_usage("sweep collect: expected one sweep folder", sweep_usage);
    return sweep_collect(argv[optind], formats, render, quiet);
}
