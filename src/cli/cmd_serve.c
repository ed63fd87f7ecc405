/*
 * cmd_serve.c - rdsim serve: run a scenario live for a workshop (docs/live.md).
 *
 * Parses the options, loads the scenario from its bytes (kept for the saved
 * session), prints the address once the port is bound (tests read the port
 * from that line) and hands over to src/live until SIGINT or SIGTERM; then
 * writes the session file if --save asked for one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rdsim/live.h"
#include "rdsim/replay.h"
#include "rdsim/report.h"
#include "rdsim/scenario.h"

#include "commands.h"
#include "outdir.h"

static const char usage_serve[] =
    "Usage: rdsim serve SCENARIO [--port N] [--bind ADDR] [--speed X] [--paused]\n"
    "                            [--save FILE] [-o DIR] [--force] [--present]\n"
    "                            [--max-connections N] [--max-streams N] [--timeout S]\n"
    "       rdsim serve --replay DIR [--port N] [--bind ADDR] [--present]\n"
    "\n"
    "Run SCENARIO live: simulated time follows the wall clock at X simulated seconds\n"
    "per second, and a dashboard at http://ADDR:N/ shows the cluster, live charts\n"
    "and the timeline, injects the scenario format's actions now, and runs SQL on\n"
    "the writer and reader endpoints (API and limits: docs/live.md).\n"
    "\n"
    "Options:\n"
    "  -p, --port N      TCP port (default 8080; 0 picks a free one); the address is\n"
    "                    printed as http://ADDR:PORT/ once listening\n"
    "  -b, --bind ADDR   address to listen on (default 127.0.0.1: this machine only;\n"
    "                    0.0.0.0 lets a room connect, without any authentication)\n"
    "  -s, --speed X     simulated seconds per wall second, above 0 and at most 10000\n"
    "                    (default 1); the page can change it, and pause and resume\n"
    "      --paused      start paused\n"
    "      --present     print the address of presenter mode (large type, every chart\n"
    "                    on one screen, the lesson's question; also the page's\n"
    "                    Presenter button or the P key)\n"
    "      --save FILE   on exit, write the session as a scenario file: the scenario\n"
    "                    plus every injected action at its simulated time; `rdsim run\n"
    "                    FILE` replays the same failovers (also GET /api/session)\n"
    "  -o, --output DIR  write the results into DIR as rdsim run does (summary.json,\n"
    "                    timeseries.csv, events.csv, figures, report.md), complete\n"
    "                    once the simulated duration is reached\n"
    "  -f, --force       write into DIR even if it holds files rdsim did not write\n"
    "      --max-connections N  connections open at once besides event streams\n"
    "                    (default 64); past it a request gets 503\n"
    "      --max-streams N  event streams (live dashboards) at once (default 64);\n"
    "                    past it the page polls instead\n"
    "      --timeout S   a request must arrive whole within S seconds, a reply or\n"
    "                    stream must be read within S seconds, or the connection\n"
    "                    is closed (default 30)\n"
    "      --replay DIR  play a finished results folder (rdsim run -o DIR) in the same\n"
    "                    page, with a time slider, play/pause, speed and next phase;\n"
    "                    read from DIR's own files, nothing is simulated\n"
    "  -h, --help        show this help\n"
    "\n"
    "Stop with Ctrl+C (SIGINT) or SIGTERM. Exit status: 0 success, 1 internal error,\n"
    "2 bad input.\n";

struct serve_ctx {
    const char *out_dir;
};

static void finished(void *ctx, const struct rdsim_results *res)
{
    struct serve_ctx *s = ctx;
    struct rdsim_err err = {0};

    printf("rdsim serve: the simulation reached its end (%.0f s simulated)\n",
           (double)res->simulated / RDSIM_S);
    if (s->out_dir) {
        enum rdsim_plots_outcome plots;
        /* As rdsim run does, figures drawn when gnuplot is there. */
        int rc = rdsim_cli_write_results(s->out_dir, res, "png svg", true, &plots, &err);

        if (rc == 0)
            printf("rdsim serve: results in %s/\n", s->out_dir);
        else
            fprintf(stderr, "rdsim: %s\n", err.msg);
    }
    fflush(stdout);
}

static void log_line(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "rdsim serve: %s\n", msg);
}

/* A whole number lo..hi, or -1. */
static long parse_count(const char *s, long lo, long hi)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || !*s || *s < '0' || *s > '9' || v < lo || v > hi)
        return -1;
    return v;
}

/* Can the session be written to path at exit? Checked at start, so a
 * missing folder or a typo costs nothing but a retry, not the session. */
static int check_save_path(const char *path, struct rdsim_err *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    struct stat st;

    if (!*path)
        return rdsim_err_set(err, RDSIM_EINVAL, "--save: no file name given");
    if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else if (slash)
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof(dir), ".");
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return rdsim_err_set(err, RDSIM_EINVAL, "--save %s: exists and is not a file", path);
        if (access(path, W_OK) != 0)
            return rdsim_err_set(err, RDSIM_EINVAL, "--save %s: cannot write: %s", path,
                                 strerror(errno));
        return 0;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return rdsim_err_set(err, RDSIM_EINVAL, "--save %s: no folder %s to write it in", path,
                             dir);
    if (access(dir, W_OK | X_OK) != 0)
        return rdsim_err_set(err, RDSIM_EINVAL, "--save %s: cannot write into %s: %s", path, dir,
                             strerror(errno));
    return 0;
}

static int save_session(struct rdsim_live *lv, const char *path, struct rdsim_err *err)
{
    char *text;
    size_t len;
    FILE *f;
    int rc = rdsim_live_session(lv, &text, &len, err);

    if (rc)
        return rc;
    f = fopen(path, "w");
    if (!f) {
        free(text);
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    fwrite(text, 1, len, f);
    free(text);
    if (ferror(f) | fclose(f))
        return rdsim_err_set(err, RDSIM_EIO, "%s: write failed", path);
    return 0;
}

/* rdsim serve --replay DIR (src/live/replay.c). */
static int serve_replay(const char *dir, const char *bind, int port, bool present)
{
    struct rdsim_replay *rp = NULL;
    struct rdsim_err err = {0};
    int rc = rdsim_replay_create(
        &(struct rdsim_replay_config){.dir = dir, .bind = bind, .port = port}, &rp, &err);
    if (rc) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        return rc == RDSIM_EINVAL || rc == RDSIM_EIO ? RDSIM_EXIT_BAD_INPUT
                                                     : RDSIM_EXIT_INTERNAL;
    }
    printf("rdsim serve: replay of %s (%s) at http://%s:%d/%s (Ctrl+C stops)\n",
           rdsim_replay_name(rp), dir, bind ? bind : "127.0.0.1", rdsim_replay_port(rp),
           present ? "?present" : "");
    fflush(stdout);
    rc = rdsim_replay_loop(rp, &err);
    if (rc)
        fprintf(stderr, "rdsim: %s\n", err.msg);
    printf("rdsim serve: stopped\n");
    rdsim_replay_destroy(rp);
    return rc ? RDSIM_EXIT_INTERNAL : RDSIM_EXIT_OKAY;
}

int rdsim_cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"bind", required_argument, NULL, 'b'},
        {"speed", required_argument, NULL, 's'},
        {"paused", no_argument, NULL, 'P'},
        {"save", required_argument, NULL, 'S'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {"max-connections", required_argument, NULL, 'C'},
        {"max-streams", required_argument, NULL, 'T'},
        {"timeout", required_argument, NULL, 't'},
        {"present", no_argument, NULL, 'R'},
        {"replay", required_argument, NULL, 'Y'},
        {NULL, 0, NULL, 0},
    };
    struct rdsim_live_config cfg = {.port = 8080, .speed = 1.0};
    struct serve_ctx ctx = {0};
    struct rdsim_scenario *sc = NULL;
    struct rdsim_live *lv = NULL;
    struct rdsim_err err = {0};
    const char *save = NULL, *replay = NULL;
    char msg[512], *end, *text = NULL;
    bool force = false, present = false;
    size_t len = 0;
    long port;
    int c, rc, status = RDSIM_EXIT_OKAY;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:b:s:o:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            errno = 0;
            port = strtol(optarg, &end, 10);
            if (errno || *end || !*optarg || port < 0 || port > 65535) {
                snprintf(msg, sizeof(msg), "--port: must be 0..65535, got \"%s\"", optarg);
                return rdsim_bad_usage(msg, usage_serve);
            }
            cfg.port = (int)port;
            break;
        case 'b':
            cfg.bind = optarg;
            break;
        case 's':
            errno = 0;
            cfg.speed = strtod(optarg, &end);
            if (errno || *end || !*optarg || !(cfg.speed > 0) || cfg.speed > 10000) {
                snprintf(msg, sizeof(msg),
                         "--speed: must be a number above 0 and at most 10000, got \"%s\"",
                         optarg);
                return rdsim_bad_usage(msg, usage_serve);
            }
            break;
        case 'P':
            cfg.paused = true;
            break;
        case 'R':
            present = true;
            break;
        case 'Y':
            replay = optarg;
            break;
        case 'S':
            save = optarg;
            break;
        case 'o':
            ctx.out_dir = optarg;
            break;
        case 'f':
            force = true;
            break;
        case 'C':
        case 'T':
        case 't': {
            long hi = c == 't' ? 3600 : 10000;
            long v = parse_count(optarg, 1, hi);
            if (v < 0) {
                snprintf(msg, sizeof(msg), "--%s: must be a whole number 1..%ld, got \"%s\"",
                         c == 'C' ? "max-connections" : c == 'T' ? "max-streams" : "timeout",
                         hi, optarg);
                return rdsim_bad_usage(msg, usage_serve);
            }
            if (c == 'C')
                cfg.max_connections = (int)v;
            else if (c == 'T')
                cfg.max_streams = (int)v;
            else
                cfg.timeout_s = (int)v;
            break;
        }
        case 'h':
            fputs(usage_serve, stdout);
            return RDSIM_EXIT_OKAY;
        default:
            return rdsim_bad_option("serve", c, argv[optind - 1], usage_serve);
        }
    }
    if (replay) {
        if (optind < argc) {
            snprintf(msg, sizeof(msg),
                     "serve: give a scenario or --replay DIR, not both "
                     "(got \"%s\")",
                     argv[optind]);
            return rdsim_bad_usage(msg, usage_serve);
        }
        if (save || ctx.out_dir || cfg.paused || cfg.speed != 1.0)
            return rdsim_bad_usage("serve: --replay plays a finished run: --save, -o, "
                                   "--paused and --speed go with a scenario",
                                   usage_serve);
        return serve_replay(replay, cfg.bind, cfg.port, present);
    }
    if (optind >= argc)
        return rdsim_bad_usage("serve: no scenario file given", usage_serve);
    if (optind + 1 < argc) {
        snprintf(msg, sizeof(msg), "serve: one scenario at a time, got \"%s\" too",
                 argv[optind + 1]);
        return rdsim_bad_usage(msg, usage_serve);
    }

    text = rdsim_cli_read_file(argv[optind], 0, &len, &err);
    rc = text ? rdsim_scenario_load_buffer(argv[optind], text, len, &sc, &err) : err.code;
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        status = rdsim_exit_for_load(rc);
        goto out;
    }
    if (save && check_save_path(save, &err) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        status = RDSIM_EXIT_BAD_INPUT;
        goto out;
    }
    if (ctx.out_dir && rdsim_outdir_prepare(ctx.out_dir, force, &err) != 0) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        status = RDSIM_EXIT_BAD_INPUT;
        goto out;
    }
    cfg.scenario = sc;
    cfg.scenario_text = text;
    cfg.scenario_len = len;
    cfg.out_dir = ctx.out_dir;
    cfg.on_finish = finished;
    cfg.on_log = log_line;
    cfg.ctx = &ctx;
    rc = rdsim_live_create(&cfg, &lv, &err);
    if (rc) {
        fprintf(stderr, "rdsim: %s\n", err.msg);
        status = rc == RDSIM_EINVAL || rc == RDSIM_EIO ? RDSIM_EXIT_BAD_INPUT
                                                       : RDSIM_EXIT_INTERNAL;
        goto out;
    }
    printf("rdsim serve: %s at http://%s:%d/%s (speed %gx%s; Ctrl+C stops)\n", sc->name,
           cfg.bind ? cfg.bind : "127.0.0.1", rdsim_live_port(lv),
           present ? "?present" : "", cfg.speed, cfg.paused ? ", paused" : "");
    fflush(stdout);

    rc = rdsim_live_loop(lv, &err);
    if (rc) {
        fprintf(stderr, "rdsim: the simulation failed: %s\n", err.msg);
        status = RDSIM_EXIT_INTERNAL;
    }
    if (save) {
        if (save_session(lv, save, &err) == 0) {
            printf("rdsim serve: session saved to %s (replay: rdsim run %s)\n", save, save);
        } else {
            fprintf(stderr, "rdsim: %s\n", err.msg);
            status = RDSIM_EXIT_INTERNAL;
        }
    }
    printf("rdsim serve: stopped\n");
out:
    rdsim_live_destroy(lv);
    rdsim_scenario_free(sc);
    free(text);
    return status;
}
