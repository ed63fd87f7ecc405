/*
 * test_bad_corpus.c - every file in bad/ is refused with exactly the
 * message in its .expected twin.
 *
 * Runs in tests/loader (meson workdir) and loads "bad/NAME.yaml", so the
 * messages, which start with the path as given, are stable. Each NAME.yaml
 * needs NAME.expected holding one line: the whole message. The code is
 * RDSIM_EINVAL, or RDSIM_EIO when the message says "cannot read". Files are
 * taken in sorted order and every mismatch is printed before the test
 * fails, so one run shows the whole picture. To add a case, write the YAML,
 * run the test, check the message it prints, and save it as .expected.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/scenario.h"

#define CORPUS "bad"
#define MIN_CASES 40

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Names in CORPUS ending in suffix, sorted; *n gets the count. */
static char **list_dir(const char *suffix, size_t *n)
{
    DIR *d = opendir(CORPUS);
    if (d == NULL)
        fail_msg("cannot open %s/ (is the test running in tests/loader?)", CORPUS);
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
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

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The one-line message of NAME.expected, without its newline; false when
 * the file is missing or holds more than one line. */
static bool read_expected(const char *yaml_name, char *buf, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%.*s.expected", CORPUS, (int)(strlen(yaml_name) - 5),
             yaml_name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t len = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[len] = '\0';
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    return len > 0 && strchr(buf, '\n') == NULL;
}

static void test_every_bad_file_gives_its_expected_message(void **state)
{
    (void)state;
    size_t n;
    char **names = list_dir(".yaml", &n);
    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        char expected[2048], path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS, names[i]);
        struct rdsim_scenario *sc = NULL;
        struct rdsim_err err = {0};
        int rc = rdsim_scenario_load(path, &sc, &err);
        if (!read_expected(names[i], expected, sizeof expected)) {
            print_error("%s: no one-line .expected; the loader says:\n  %s\n", path,
                        rc != 0 ? err.msg : "(loaded without error)");
            failures++;
        } else if (rc == 0) {
            print_error("%s: loaded without error, expected:\n  %s\n", path, expected);
            failures++;
        } else {
            int want = strstr(expected, ": cannot read: ") != NULL ? RDSIM_EIO : RDSIM_EINVAL;
            if (rc != want || err.code != rc || strcmp(err.msg, expected) != 0) {
                print_error("%s: code %d, message\n  %s\nexpected code %d, message\n  %s\n", path,
                            rc, err.msg, want, expected);
                failures++;
            }
        }
        if (sc != NULL) {
            print_error("%s: a scenario was returned with an error\n", path);
            rdsim_scenario_free(sc);
            failures++;
        }
    }
    free_list(names, n);
    assert_int_equal(failures, 0);
    if (n < MIN_CASES)
        fail_msg("only %zu cases in %s/, expected at least %d", n, CORPUS, MIN_CASES);
}

static void test_every_expected_file_has_a_yaml_file(void **state)
{
    (void)state;
    size_t n;
    char **names = list_dir(".expected", &n);
    size_t orphans = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%.*s.yaml", CORPUS, (int)(strlen(names[i]) - 9), names[i]);
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            print_error("%s/%s has no %s\n", CORPUS, names[i], path);
            orphans++;
        } else {
            fclose(f);
        }
    }
    free_list(names, n);
    assert_int_equal(orphans, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_file_gives_its_expected_message),
        cmocka_unit_test(test_every_expected_file_has_a_yaml_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
