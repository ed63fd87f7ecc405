/*
 * cmd_plot.c - rdsim plot: draw a finished run's figures again, or overlay
 * two runs; and the plotting step that rdsim run shares.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rdsim/plot.h"

#include "commands.h"
#include "gnuplot.h"
#include "outdir.h"

static const char usage_plot[] =
    "Usage: rdsim plot DIR [--format png|svg|both]\n"
    "       rdsim plot --compare DIR_A DIR_B [-o OUT] [--format png|svg|both]\n"
    "\n"
    "Draw the figures of the finished run in DIR again (after installing gnuplot,\n"
    "say): DIR/plots/ gets fresh scripts and latency, availability, throughput\n"
    "and roles figures, plus lag and capacity where the run has them. PNG for\n"
    "slides, SVG for print. To keep edited scripts, run gnuplot render.gp in\n"
    "DIR/plots instead.\n"
    "\n"
    "With --compare, overlay two runs (say TTL 5 s against caching forever, or RDS\n"
    "Proxy against direct) on one latency and one availability figure, written to\n"
    "OUT (default: results/compare-<A>-vs-<B>, by folder name).\n"
    "\n"
    "Options:\n"
    "  -c, --compare      compare two results folders\n"
    "  -o, --output OUT   folder for the comparison (created if missing; refused if\n"
    "                     it holds other files, unless --force)\n"
    "  -f, --force        write the comparison into OUT whatever it holds\n"
    "      --format F     png, svg or both (default: both)\n"
    "  -h, --help         show this help\n"
    "\n"
    "Needs gnuplot on PATH (Debian: gnuplot-nox). Exit status: 0 success, 1 gnuplot\n"
    "failed or is missing, 2 bad arguments or DIR is not a results folder.\n";

const char *rdsim_parse_formats(const char *opt)
{
    if (strcmp(opt, "png") == 0)
        return "png";
    if (strcmp(opt, "svg") == 0)
        return "svg";
    if (strcmp(opt, "both") == 0)
        return "png svg";
    return NULL;
}

int rdsim_plots_make(const char *run_dir, const char *formats, bool render,
                     enum rdsim_plots_outcome *outcome, struct rdsim_err *err)
{
    char gnuplot[4096], dir[4096];
    int rc = rdsim_plot_write(run_dir, err);

    *outcome = RDSIM_PLOTS_NOT_ASKED;
    if (rc || !render)
        return rc;
    *outcome = RDSIM_PLOTS_NO_GNUPLOT;
    if (!rdsim_gnuplot_find(gnuplot, sizeof(gnuplot)))
        return 0;
    snprintf(dir, sizeof(dir), "%s/plots", run_dir);
    *outcome = rdsim_gnuplot_run(gnuplot, dir, "render.gp", formats, err) == 0
                   ? RDSIM_PLOTS_DRAWN
                   : RDSIM_PLOTS_GNUPLOT_FAILED;
    return 0;
}

/* The default comparison folder: results/compare-<base A>-vs-<base B>. */
static void compare_dir(char *out, size_t n, const char *a, const char *b)
{
    char ca[1024], cb[1024];
    const char *ba, *bb;

    snprintf(ca, sizeof(ca), "%s", a);
    snprintf(cb, sizeof(cb), "%s", b);
    for (char *p = ca + strlen(ca); p > ca && p[-1] == '/';)
        *--p = '\0';
    for (char *p = cb + strlen(cb); p > cb && p[-1] == '/';)
        *--p = '\0';
    ba = strrchr(ca, '/') ? strrchr(ca, '/') + 1 : ca;
    bb = strrchr(cb, '/') ? strrchr(cb, '/') + 1 : cb;
    snprintf(out, n, "results/compare-%s-vs-%s", ba, bb);
}

static int plot_compare(const char *a, const char *b, const char *out, const char *formats,
                        bool force)
{
    struct rdsim_err err = {0};
    char gnuplot[4096], cmd[8192];
    int rc = rdsim_outdir_prepare_compare(out, force, &err);

    if (rc == 0)
        rc = rdsim_plot_write_compare(a, b, out, &err);
    if (rc) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return rdsim_exit_for(rc);
    }
    if (!rdsim_gnuplot_find(gnuplot, sizeof(gnuplot))) {
        snprintf(cmd, sizeof(cmd), "cd %s && gnuplot compare-render.gp", out);
        rdsim_gnuplot_missing(out, cmd);
        return RDSIM_EXIT_INTERNAL;
    }
    rc = rdsim_gnuplot_run(gnuplot, out, "compare-render.gp", formats, &err);
    if (rc) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return RDSIM_EXIT_INTERNAL;
    }
    printf("A = %s, B = %s: %s/compare-latency.%s and compare-availability.%s\n\n", a, b, out,
           strcmp(formats, "svg") == 0 ? "svg" : "png", strcmp(formats, "svg") == 0 ? "svg" : "png");
    if (rdsim_plot_compare_figures(a, b, stdout, &err) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return rdsim_exit_for(RDSIM_EINVAL);
    }
    return RDSIM_EXIT_OKAY;
}

int rdsim_cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"compare", no_argument, NULL, 'c'}, {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'F'}, {"help", no_argument, NULL, 'h'},
        {"force", no_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    struct rdsim_err err = {0};
    const char *formats = "png svg", *out = NULL;
    char msg[4200], cmd[4200], default_out[2200];
    enum rdsim_plots_outcome outcome;
    bool compare = false, force = false;
    int c, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":co:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = true;
            break;
        case 'c':
            compare = true;
            break;
        case 'o':
            out = optarg;
            break;
        case 'F':
            formats = rdsim_parse_formats(optarg);
            if (!formats) {
                snprintf(msg, sizeof(msg), "--format: must be png, svg or both, got \"%s\"",
                         optarg);
                return rdsim_bad_usage(msg, usage_plot);
            }
            break;
        case 'h':
            fputs(usage_plot, stdout);
            return RDSIM_EXIT_OKAY;
        default:
            return rdsim_bad_option("plot", c, argv[optind - 1], usage_plot);
        }
    }
    if (compare) {
        if (argc - optind != 2)
            return rdsim_bad_usage("plot --compare: give two results folders, A and B",
                                   usage_plot);
        if (!out) {
            compare_dir(default_out, sizeof(default_out), argv[optind], argv[optind + 1]);
            out = default_out;
        }
        return plot_compare(argv[optind], argv[optind + 1], out, formats, force);
    }
    if (out)
        return rdsim_bad_usage("plot: -o goes with --compare (a run's figures go into "
                               "DIR/plots)", usage_plot);
    if (argc - optind != 1)
        return rdsim_bad_usage(optind >= argc ? "plot: no results folder given"
                                              : "plot: one results folder at a time (two "
                                                "with --compare)",
                               usage_plot);
    rc = rdsim_plots_make(argv[optind], formats, true, &outcome, &err);
    if (rc) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return rdsim_exit_for(rc);
    }
    if (outcome == RDSIM_PLOTS_NO_GNUPLOT) {
        snprintf(cmd, sizeof(cmd), "rdsim plot %s", argv[optind]);
        snprintf(msg, sizeof(msg), "%s/plots", argv[optind]);
        rdsim_gnuplot_missing(msg, cmd);
        return RDSIM_EXIT_INTERNAL;
    }
    if (outcome == RDSIM_PLOTS_GNUPLOT_FAILED) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return RDSIM_EXIT_INTERNAL;
    }
    printf("figures: %s/plots/ (report.md links them; render.gp draws them again)\n",
           argv[optind]);
    return RDSIM_EXIT_OKAY;
}
