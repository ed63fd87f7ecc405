/*
 * cmd_lessons.c - rdsim lessons: the workshop curriculum built into the
 * binary.
 *
 * The lesson files are scenarios/NN[x]-NAME.yaml, compiled in by
 * tools/embed.py (scenarios/meson.build), so the command works from any
 * folder and on a machine that has only the binary. The table is sorted by
 * file name, which is the teaching order. Each lesson's one-line question
 * is the first paragraph of its description, which starts "Question:"
 * (docs/workshop.md); a description without one shows its first line.
 *
 * It lists, prints one file (--show) or writes them all into a folder
 * (--write); only --handout (handout.c) runs them, through rdsim run.
 */
#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rdsim/asset.h"
#include "rdsim/scenario.h"

#include "commands.h"

/* Generated from the lesson files by tools/embed.py (scenarios/meson.build). */
extern const struct rdsim_asset rdsim_lesson_files[];

static const char usage_lessons[] =
    "Usage: rdsim lessons [--show N | --write DIR [--force] | --handout DIR [--force]]\n"
    "\n"
    "List the workshop lessons built into rdsim, in teaching order: one line\n"
    "each with the lesson's number, its scenario name and the question it asks.\n"
    "docs/workshop.md is the instructor's guide.\n"
    "\n"
    "Options:\n"
    "  --show N       print lesson N's scenario file (N: 1, 01, 3a, 03a or the\n"
    "                 full name), e.g. rdsim lessons --show 01 > 01.yaml\n"
    "  --write DIR    write every lesson file into DIR (created if missing), then\n"
    "                 rdsim run DIR/01-multi-az-instance-failover.yaml\n"
    "  --handout DIR  the students' handout: run every lesson with its shipped seed\n"
    "                 into DIR/runs/ and write DIR/handout.md (docs/handout.md with\n"
    "                 each run's figures), and handout.pdf when pandoc is installed\n"
    "  --force        with --write, replace lesson files already in DIR; with\n"
    "                 --handout, make it again over an earlier one\n"
    "  -h, --help     show this help\n"
    "\n"
    "Exit status: 0 success, 1 internal error, 2 bad arguments or no such lesson,\n"
    "3 (--handout) a lesson did not meet its expectations.\n";

/* The lesson's scenario name: its file name without ".yaml". */
static void lesson_name(const struct rdsim_asset *a, char *out, size_t size)
{
    size_t n = strlen(a->name);

    if (n > 5 && strcmp(a->name + n - 5, ".yaml") == 0)
        n -= 5;
    snprintf(out, size, "%.*s", (int)n, a->name);
}

/* The number part of a name, "03a" of "03a-dns-cache-ttl". */
static void lesson_number(const char *name, char *out, size_t size)
{
    size_t n = strcspn(name, "-");

    snprintf(out, size, "%.*s", (int)n, name);
}

/*
 * The one-line question of a description: the paragraph that starts with
 * "Question:" (without the word), or else the first line, joined into one
 * line in `out`.
 */
static void lesson_question(const char *description, char *out, size_t size)
{
    const char *p = description ? description : "", *end;
    const char *q = strstr(p, "Question:");
    size_t k = 0;

    if (q) {
        p = q + strlen("Question:");
        end = strstr(p, "\n\n");
        if (!end)
            end = p + strlen(p);
    } else {
        end = p + strcspn(p, "\n");
    }
    for (; p < end && k + 1 < size; p++) {
        char c = *p == '\n' ? ' ' : *p;
        if (c == ' ' && (k == 0 || out[k - 1] == ' '))
            continue;
        out[k++] = c;
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

static int list_lessons(void)
{
    int width = 0;

    for (const struct rdsim_asset *a = rdsim_lesson_files; a->name; a++) {
        int n = (int)strlen(a->name) - 5;
        if (n > width)
            width = n;
    }
    for (const struct rdsim_asset *a = rdsim_lesson_files; a->name; a++) {
        char name[128], number[16], question[512];
        struct rdsim_scenario *sc;
        struct rdsim_err err = {0};

        lesson_name(a, name, sizeof(name));
        lesson_number(name, number, sizeof(number));
        if (rdsim_scenario_load_buffer(a->name, (const char *)a->data, a->size, &sc, &err)) {
            /* Our own file: the build's tests check every lesson loads. */
            fprintf(stderr, "rdsim: built-in lesson %s\n", err.msg);
            return RDSIM_EXIT_INTERNAL;
        }
        lesson_question(sc->description, question, sizeof(question));
        printf("%-4s %-*s  %s\n", number, width, name, question);
        rdsim_scenario_free(sc);
    }
    if (isatty(STDOUT_FILENO))
        printf("\nrdsim lessons --show N prints one; rdsim lessons --write DIR writes them "
               "all.\n");
    return RDSIM_EXIT_OKAY;
}

/* `want` as a lesson number: "3a" becomes "03a"; other text is kept. */
static void pad_number(const char *want, char *out, size_t size)
{
    int one_digit = isdigit((unsigned char)want[0]) && !isdigit((unsigned char)want[1]);

    snprintf(out, size, "%s%s", one_digit ? "0" : "", want);
}

/*
 * Does `want` name lesson `name`? The full name, or its number with or
 * without the leading zero, any case ("3a", "03A").
 */
static int lesson_matches(const char *name, const char *want)
{
    char number[16], padded[64];

    if (strcmp(name, want) == 0)
        return 1;
    lesson_number(name, number, sizeof(number));
    pad_number(want, padded, sizeof(padded));
    return strcasecmp(number, padded) == 0;
}

static int show_lesson(const char *want)
{
    const struct rdsim_asset *found = NULL;
    char name[128], padded[64], parts[256] = "";
    size_t n_found = 0, len = 0;

    for (const struct rdsim_asset *a = rdsim_lesson_files; a->name; a++) {
        lesson_name(a, name, sizeof(name));
        if (lesson_matches(name, want)) {
            found = a;
            n_found++;
        }
    }
    if (n_found == 1) {
        fwrite(found->data, 1, found->size, stdout);
        return RDSIM_EXIT_OKAY;
    }
    /* "3" when there are 03a and 03b: name the parts. */
    pad_number(want, padded, sizeof(padded));
    for (const struct rdsim_asset *a = rdsim_lesson_files; a->name; a++) {
        char number[16];
        lesson_name(a, name, sizeof(name));
        lesson_number(name, number, sizeof(number));
        if (isdigit((unsigned char)want[0]) && strncasecmp(number, padded, strlen(padded)) == 0 &&
            len < sizeof(parts))
            len += (size_t)snprintf(parts + len, sizeof(parts) - len, "%s%s", len ? ", " : "",
                                    number);
    }
    if (len)
        fprintf(stderr, "rdsim: lessons: lesson \"%s\" has parts %s: pick one\n", want, parts);
    else
        fprintf(stderr, "rdsim: lessons: no lesson \"%s\" (rdsim lessons lists them)\n", want);
    return RDSIM_EXIT_BAD_INPUT;
}

static int write_lessons(const char *dir, int force)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "rdsim: lessons: cannot create %s: %s\n", dir, strerror(errno));
        return RDSIM_EXIT_BAD_INPUT;
    }
    /* Check first, so a refusal leaves the folder as it was. */
    for (const struct rdsim_asset *a = rdsim_lesson_files; a->name && !force; a++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, a->name);
        if (access(path, F_OK) == 0) {
            fprintf(stderr, "rdsim: lessons: %s exists; pass --force to replace the lesson files\n",
                    path);
            return RDSIM_EXIT_BAD_INPUT;
        }
    }
    for (const struct rdsim_asset *a = rdsim_lesson_files; a->name; a++) {
        char path[4096];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, a->name);
        f = fopen(path, "w");
        if (!f || fwrite(a->data, 1, a->size, f) != a->size || fclose(f) != 0) {
            fprintf(stderr, "rdsim: lessons: cannot write %s: %s\n", path, strerror(errno));
            return RDSIM_EXIT_BAD_INPUT;
        }
        printf("%s\n", path);
    }
    return RDSIM_EXIT_OKAY;
}

int rdsim_cmd_lessons(int argc, char **argv)
{
    const char *show = NULL, *dir = NULL, *handout = NULL;
    int force = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_lessons, stdout);
            return RDSIM_EXIT_OKAY;
        } else if (strcmp(argv[i], "--show") == 0 && i + 1 < argc) {
            show = argv[++i];
        } else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--handout") == 0 && i + 1 < argc) {
            handout = argv[++i];
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else if (strcmp(argv[i], "--show") == 0 || strcmp(argv[i], "--write") == 0 ||
                   strcmp(argv[i], "--handout") == 0) {
            char msg[64];
            snprintf(msg, sizeof(msg), "lessons: %s needs a value", argv[i]);
            return rdsim_bad_usage(msg, usage_lessons);
        } else {
            char msg[256];
            snprintf(msg, sizeof(msg), "lessons: unknown argument \"%s\"", argv[i]);
            return rdsim_bad_usage(msg, usage_lessons);
        }
    }
    if ((show != NULL) + (dir != NULL) + (handout != NULL) > 1)
        return rdsim_bad_usage("lessons: give one of --show, --write and --handout",
                               usage_lessons);
    if (force && !dir && !handout)
        return rdsim_bad_usage("lessons: --force goes with --write or --handout",
                               usage_lessons);
    if (handout)
        return rdsim_lessons_handout(rdsim_lesson_files, handout, force);
    if (show)
        return show_lesson(show);
    if (dir)
        return write_lessons(dir, force);
    return list_lessons();
}
