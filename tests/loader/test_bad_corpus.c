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
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/scenario.h"

#include "corpus.h"

#define CORPUS "bad"
#define MIN_CASES 40

static void test_every_bad_file_gives_its_expected_message(void **state)
{
    (void)state;
    size_t n;
    char **names = corpus_list(CORPUS, ".yaml", &n);
    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        char base[256], expected[2048], path[512];
        snprintf(base, sizeof base, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        snprintf(path, sizeof path, "%s/%s", CORPUS, names[i]);
        struct rdsim_scenario *sc = NULL;
        struct rdsim_err err = {0};
        int rc = rdsim_scenario_load(path, &sc, &err);
        if (!corpus_read_line(CORPUS, base, ".expected", expected, sizeof expected)) {
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
    corpus_free(names, n);
    assert_int_equal(failures, 0);
    if (n < MIN_CASES)
        fail_msg("only %zu cases in %s/, expected at least %d", n, CORPUS, MIN_CASES);
}

static void test_every_expected_file_has_a_yaml_file(void **state)
{
    (void)state;
    assert_int_equal(corpus_orphans(CORPUS, ".expected", ".yaml"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_file_gives_its_expected_message),
        cmocka_unit_test(test_every_expected_file_has_a_yaml_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
