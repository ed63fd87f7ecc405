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
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rdsim/fis.h"

#include "corpus.h"

#define CORPUS "bad"
#define MIN_CASES 50
#define DEFAULT_CLUSTER "clusters/multi-az-instance.yaml"

static void test_every_bad_template_gives_its_expected_message(void **state)
{
    (void)state;
    size_t n, failures = 0;
    char **names = corpus_list(CORPUS, ".json", &n);
    for (size_t i = 0; i < n; i++) {
        char base[256], expected[2048], cluster[256], path[512];
        snprintf(base, sizeof base, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        snprintf(path, sizeof path, "%s/%s", CORPUS, names[i]);
        if (!corpus_read_line(CORPUS, base, ".cluster", cluster, sizeof cluster))
            snprintf(cluster, sizeof cluster, "%s", DEFAULT_CLUSTER);
        struct rdsim_fis_result *res = NULL;
        struct rdsim_err err = {0};
        int rc = rdsim_fis_convert_files(path, cluster, NULL, &res, &err);
        if (!corpus_read_line(CORPUS, base, ".expected", expected, sizeof expected)) {
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
    corpus_free(names, n);
    assert_int_equal(failures, 0);
    if (n < MIN_CASES)
        fail_msg("only %zu cases in %s/, expected at least %d", n, CORPUS, MIN_CASES);
}

static void test_every_expected_file_has_a_template(void **state)
{
    (void)state;
    assert_int_equal(corpus_orphans(CORPUS, ".expected", ".json"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_template_gives_its_expected_message),
        cmocka_unit_test(test_every_expected_file_has_a_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
