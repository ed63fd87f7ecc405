/*
 * corpus.c - the shared reader of the bad-input corpora (corpus.h).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corpus.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

char **corpus_list(const char *dir, const char *suffix, size_t *n)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;

    if (d == NULL)
        fail_msg("cannot open %s/ (is the test running in its own folder?)", dir);
    *n = 0;
    while ((e = readdir(d)) != NULL) {
        if (!ends_with(e->d_name, suffix))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[*n] = strdup(e->d_name);
        assert_non_null(names[*n]);
        (*n)++;
    }
    closedir(d);
    qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

void corpus_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

bool corpus_read_line(const char *dir, const char *base, const char *ext, char *buf,
                      size_t size)
{
    char path[512];
    FILE *f;
    size_t len;

    snprintf(path, sizeof path, "%s/%s%s", dir, base, ext);
    if ((f = fopen(path, "rb")) == NULL)
        return false;
    len = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[len] = '\0';
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    return len > 0 && strchr(buf, '\n') == NULL;
}

size_t corpus_orphans(const char *dir, const char *ext, const char *twin_ext)
{
    size_t n, orphans = 0;
    char **names = corpus_list(dir, ext, &n);

    for (size_t i = 0; i < n; i++) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof path, "%s/%.*s%s", dir, (int)(strlen(names[i]) - strlen(ext)),
                 names[i], twin_ext);
        if ((f = fopen(path, "rb")) == NULL) {
            print_error("%s/%s has no %s\n", dir, names[i], path);
            orphans++;
        } else {
            fclose(f);
        }
    }
    corpus_free(names, n);
    return orphans;
}
