/*
 * test_bad_templates.c - every template in bad/ is refused with exactly the
 * message in its .expected twin, and exit-2 class (RDSIM_EINVAL).
 *
 * Runs in tests/fis (meson workdir) and converts "bad/NAME.json" for the
 * cluster named in NAME.cluster (one line), clusters/multi-az-instance.yaml
 * when there is none, so messages are stable. Files are taken in sorted
 * order and every mismatch is printed before the test fails. To add a case,
 * write the JSON, run the test, check the message it prints, and save it as
 * NAME.expected.
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

#include "rdsim/fis.h"

#define CORPUS "bad"
#define MIN_CASES 50
#define DEFAULT_CLUSTER "clusters/multi-az-instance.yaml"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char **list_dir(const char *suffix, size_t *n)
{
    DIR *d = opendir(CORPUS);
    if (d == NULL)
        fail_msg("cannot open %s/ (is the test running in tests/fis?)", CORPUS);
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

/* The first line of CORPUS/BASE.EXT without its newline; false when the
 * file is missing, empty or holds more than one line. */
static bool read_line(const char *base, const char *ext, char *buf, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s%s", CORPUS, base, ext);
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

static void test_every_bad_template_gives_its_expected_message(void **state)
{
    (void)state;
    size_t n, failures = 0;
    char **names = list_dir(".json", &n);
    for (size_t i = 0; i < n; i++) {
        char base[256], expected[2048], cluster[256], path[512];
        snprintf(base, sizeof base, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        snprintf(path, sizeof path, "%s/%s", CORPUS, names[i]);
        if (!read_line(base, ".cluster", cluster, sizeof cluster))
            snprintf(cluster, sizeof cluster, "%s", DEFAULT_CLUSTER);
        struct rdsim_fis_result *res = NULL;
        struct rdsim_err err = {0};
        int rc = rdsim_fis_convert_files(path, cluster, NULL, &res, &err);
        if (!read_line(base, ".expected", expected, sizeof expected)) {
            print_error("%s: no one-line .expected; the converter says:\n  %s\n", path,
                        rc != 0 ? err.msg : "(converted without error)");
            failures++;
        } else if (rc == 0) {
            print_error("%s: converted without error, expected:\n  %s\n", path, expected);
            failures++;
        } else if (rc != RDSIM_EINVAL || err.code != rc ||
                   strcmp(err.msg, expected) != 0) {
            print_error("%s: code %d, message\n  %s\nexpected code %d, message\n  %s\n",
                        path, rc, err.msg, RDSIM_EINVAL, expected);
            failures++;
        }
        if (res != NULL) {
            print_error("%s: a result was returned with an error\n", path);
            rdsim_fis_result_free(res);
            failures++;
        }
    }
    free_list(names, n);
    assert_int_equal(failures, 0);
    if (n < MIN_CASES)
        fail_msg("only %zu cases in %s/, expected at least %d", n, CORPUS, MIN_CASES);
}

static void test_every_expected_file_has_a_template(void **state)
{
    (void)state;
    size_t n, orphans = 0;
    char **names = list_dir(".expected", &n);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%.*s.json", CORPUS, (int)(strlen(names[i]) - 9),
                 names[i]);
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
        cmocka_unit_test(test_every_bad_template_gives_its_expected_message),
        cmocka_unit_test(test_every_expected_file_has_a_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
