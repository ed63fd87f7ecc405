/*
 * corpus.h - reading a folder of bad inputs and their .expected twins, for
 * the tests that check every refusal message (tests/loader's scenarios,
 * tests/fis's templates). Paths are relative to the test's working folder.
 * Failures to read the folder fail the calling cmocka test.
 */
#ifndef RDSIM_TEST_CORPUS_H
#define RDSIM_TEST_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

/* Names of the files in dir ending in suffix, sorted; *n gets the count.
 * Free with corpus_free. */
char **corpus_list(const char *dir, const char *suffix, size_t *n);
void corpus_free(char **names, size_t n);

/* The one line of dir/BASE.EXT without its newline into buf; false when the
 * file is missing, empty or holds more than one line. */
bool corpus_read_line(const char *dir, const char *base, const char *ext, char *buf,
                      size_t size);

/* Files dir/NAME.EXT that have no dir/NAME.TWIN_EXT, each printed; returns
 * how many. */
size_t corpus_orphans(const char *dir, const char *ext, const char *twin_ext);

#endif
