/*
 * fuzz.h - what the libFuzzer harnesses of tests/fuzz share: the entry point
 * libFuzzer calls, and how a harness reports a finding (a message, then
 * abort(), which libFuzzer turns into a crash file and a failure).
 */
#ifndef RDSIM_FUZZ_H
#define RDSIM_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

#endif
