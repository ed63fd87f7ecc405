/*
 * handout.c - rdsim lessons --handout DIR: the students' handout, printable.
 *
 * The handout's text is docs/handout.md, compiled into the binary
 * (src/cli/meson.build), so a machine with only the binary can print it.
 * Every lesson is written to DIR/lessons/ and run with its shipped seed
 * into DIR/runs/NAME/ exactly as `rdsim run` does (the same function, in
 * this process); each "<!-- figures: NAME -->" line of the text becomes
 * that run's figures, on a page after the one students write their
 * prediction on. DIR/handout.md is the result; when pandoc is on PATH it is
 * also made into handout.html, and into handout.pdf by the first PDF maker
 * found (weasyprint or wkhtmltopdf through pandoc, else a headless
 * Chromium).
 *
 * The runs are the simulator's, so the figures are byte-for-byte those a
 * student's `rdsim run` draws. The tools' messages go to DIR/tools.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rdsim/asset.h"

#include "commands.h"

/* Generated from docs/handout.md by tools/embed.py (src/cli/meson.build). */
extern const struct rdsim_asset rdsim_handout_files[];

/* The figures a lesson page shows, in reading order, when the run has them. */
static const char *const figures[] = {"availability", "latency", "throughput",
                                      "lag",          "roles",   "capacity"};

/* Look `name` up on PATH; its path into buf. */
static bool on_path(const char *name, char *buf, size_t n)
{
    const char *path = getenv("PATH");

    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, n, "%.*s/%s", (int)len, len ? path : ".", name);
        if (access(buf, X_OK) == 0)
            return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* Run argv (argv[0] a path) inside dir, output appended to dir/tools.log;
 * true when it exits 0. */
static bool run_tool(const char *dir, char *const argv[])
{
    char log[4096];
    int status;
    pid_t pid;

    snprintf(log, sizeof(log), "%s/tools.log", dir);
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);
        int null = open("/dev/null", O_RDONLY);
        if (fd < 0 || null < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(null, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        close(null);
        execv(argv[0], argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "rdsim: lessons: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "rdsim: lessons: cannot write %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

/* Run one lesson file into DIR/runs/NAME with PNG figures, as rdsim run
 * does; returns rdsim run's exit status. */
static int run_lesson(const char *dir, const char *name)
{
    char file[4096], out[4096];
    snprintf(file, sizeof(file), "%s/lessons/%s.yaml", dir, name);
    snprintf(out, sizeof(out), "%s/runs/%s", dir, name);
    char *argv[] = {"run",     file,       "-o",  out, "--quiet",
                    "--force", "--format", "png", NULL};
    return rdsim_cmd_run((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

/* The figures of lesson `name`'s run, as a page of Markdown into f. */
static void write_figures(FILE *f, const char *dir, const char *name, int *n_figures)
{
    int shown = 0;

    fprintf(f,
            "<div style=\"page-break-before: always\"></div>\n\n"
            "### %s: the shipped run\n\n"
            "What `rdsim run lessons/%s.yaml` draws (results in `runs/%s/`). Look at it "
            "after you wrote your prediction.\n\n",
            name, name, name);
    for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
        char png[4096];
        snprintf(png, sizeof(png), "%s/runs/%s/plots/%s.png", dir, name, figures[i]);
        if (access(png, R_OK) != 0)
            continue;
        fprintf(f, "![%s](runs/%s/plots/%s.png)\n\n", figures[i], name, figures[i]);
        shown++;
    }
    if (shown == 0)
        fprintf(f, "(No figures: gnuplot was not installed when this handout was made; "
                   "`apt-get install gnuplot-nox`, then run `rdsim lessons --handout` "
                   "again.)\n\n");
    *n_figures += shown;
}

/* handout.md from the embedded text, each figures marker replaced. */
static int write_markdown(const char *dir, int *n_figures)
{
    const struct rdsim_asset *a = rdsim_asset_find(rdsim_handout_files, "handout.md");
    const char *p = (const char *)a->data, *end = p + a->size;
    const char marker[] = "<!-- figures: ";
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/handout.md", dir);
    if (!(f = fopen(path, "w"))) {
        fprintf(stderr, "rdsim: lessons: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        if (strncmp(p, marker, sizeof(marker) - 1) == 0) {
            char name[128];
            const char *q = p + sizeof(marker) - 1;
            size_t n = strcspn(q, " \n");
            snprintf(name, sizeof(name), "%.*s", (int)n, q);
            write_figures(f, dir, name, n_figures);
        } else {
            fwrite(p, 1, len, f);
        }
        p += len;
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "rdsim: lessons: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static const char handout_css[] =
    "/* The printed handout's look (rdsim lessons --handout). */\n"
    "body { font-family: 'DejaVu Sans', sans-serif; max-width: 46em; margin: auto; "
    "line-height: 1.45; }\n"
    "img { width: 100%; margin: 0.4em 0; }\n"
    "table { border-collapse: collapse; font-size: 0.9em; }\n"
    "td, th { border: 1px solid #bbb; padding: 0.2em 0.5em; vertical-align: top; }\n"
    "code, pre { font-size: 0.9em; }\n"
    "@page { size: A4; margin: 16mm; }\n";

/* handout.html and handout.pdf when the tools are there; what was made is
 * printed. Missing tools are not an error: the Markdown is the handout. */
static void write_print_versions(const char *dir)
{
    char pandoc[4096], engine[4096], chromium[4096];
    char css[4096];

    if (!on_path("pandoc", pandoc, sizeof(pandoc))) {
        printf("pandoc is not installed: no PDF (apt-get install pandoc, then run this "
               "again)\n");
        return;
    }
    snprintf(css, sizeof(css), "%s/handout.css", dir);
    if (write_file(css, handout_css, sizeof(handout_css) - 1) != 0)
        return;
    char *html[] = {pandoc,
                    "handout.md",
                    "--standalone",
                    "--css",
                    "handout.css",
                    "--metadata",
                    "pagetitle=rdsim workshop handout",
                    "-o",
                    "handout.html",
                    NULL};
    if (!run_tool(dir, html)) {
        printf("pandoc failed (see %s/tools.log): no HTML, no PDF\n", dir);
        return;
    }
    printf("%s/handout.html\n", dir);
    const char *engines[] = {"weasyprint", "wkhtmltopdf"};
    for (size_t i = 0; i < 2; i++) {
        if (!on_path(engines[i], engine, sizeof(engine)))
            continue;
        char opt[4200];
        snprintf(opt, sizeof(opt), "--pdf-engine=%s", engine);
        char *pdf[] = {pandoc,        "handout.md", "--css",
                       "handout.css", "--metadata", "pagetitle=rdsim workshop handout",
                       opt,           "-o",         "handout.pdf",
                       NULL};
        if (run_tool(dir, pdf)) {
            printf("%s/handout.pdf\n", dir);
            return;
        }
    }
    const char *browsers[] = {"chromium", "chromium-browser", "google-chrome"};
    for (size_t i = 0; i < 3; i++) {
        if (!on_path(browsers[i], chromium, sizeof(chromium)))
            continue;
        /* Headless Chromium prints the HTML with its images; as root it
         * needs --no-sandbox. */
        char *pdf[] = {chromium,
                       "--headless",
                       "--no-sandbox",
                       "--disable-gpu",
                       "--no-pdf-header-footer",
                       "--print-to-pdf-no-header",
                       "--print-to-pdf=handout.pdf",
                       "handout.html",
                       NULL};
        if (run_tool(dir, pdf)) {
            printf("%s/handout.pdf\n", dir);
            return;
        }
    }
    printf(
        "no PDF maker found (weasyprint, wkhtmltopdf or chromium): print %s/handout.html "
        "from a browser\n",
        dir);
}

int rdsim_lessons_handout(const struct rdsim_asset *lessons, const char *dir, bool force)
{
    char path[4096];
    int n_lessons = 0, n_figures = 0, status = RDSIM_EXIT_OKAY;

    if (make_dir(dir) != 0)
        return RDSIM_EXIT_BAD_INPUT;
    snprintf(path, sizeof(path), "%s/handout.md", dir);
    if (!force && access(path, F_OK) == 0) {
        fprintf(stderr,
                "rdsim: lessons: %s exists; pass --force to make the handout again\n",
                path);
        return RDSIM_EXIT_BAD_INPUT;
    }
    snprintf(path, sizeof(path), "%s/lessons", dir);
    if (make_dir(path) != 0)
        return RDSIM_EXIT_BAD_INPUT;
    snprintf(path, sizeof(path), "%s/runs", dir);
    if (make_dir(path) != 0)
        return RDSIM_EXIT_BAD_INPUT;
    for (const struct rdsim_asset *a = lessons; a->name; a++) {
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(strlen(a->name) - 5), a->name);
        snprintf(path, sizeof(path), "%s/lessons/%s", dir, a->name);
        if (write_file(path, a->data, a->size) != 0)
            return RDSIM_EXIT_BAD_INPUT;
        int rc = run_lesson(dir, name);
        /* Exit 3 (an expectation failed) still draws the run's figures. */
        if (rc != RDSIM_EXIT_OKAY && rc != RDSIM_EXIT_EXPECT)
            return rc;
        if (rc == RDSIM_EXIT_EXPECT) {
            fprintf(stderr, "rdsim: lessons: warning: %s did not meet its expectations\n",
                    name);
            status = RDSIM_EXIT_EXPECT;
        }
        fprintf(stderr, "%s: run\n", name);
        n_lessons++;
    }
    if (write_markdown(dir, &n_figures) != 0)
        return RDSIM_EXIT_BAD_INPUT;
    printf("%s/handout.md (%d lessons, %d figures)\n", dir, n_lessons, n_figures);
    write_print_versions(dir);
    return status;
}
