/*
 * verdict.c - rdsim run's machine-readable verdicts: summary.json on stdout
 * (--json) and JUnit XML (--junit FILE).
 *
 * The JUnit file's timestamp, hostname and time describe the machine and
 * the moment, which only the CLI may read; SOURCE_DATE_EPOCH, when set (the
 * reproducible-builds convention), replaces the clock, so that a pipeline
 * can make the file byte-identical from run to run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rdsim/junit.h"

#include "commands.h"

double rdsim_cli_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double rdsim_cli_mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int rdsim_cli_write_junit(const char *path, const struct rdsim_results *res,
                          double started_s, double wall_s, struct rdsim_err *err)
{
    struct rdsim_junit_run *j = NULL;
    char stamp[32], host[256];
    int rc = rdsim_junit_run_suite(res, &j, err);
    if (rc != 0)
        return rc;
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    long long fixed = epoch ? strtoll(epoch, &end, 10) : 0;
    bool reproducible = epoch != NULL && *epoch != '\0' && end != NULL && *end == '\0';
    time_t t = reproducible ? (time_t)fixed : (time_t)started_s;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(stamp, sizeof stamp, "1970-01-01T00:00:00");
    if (reproducible || gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    j->suite.timestamp = stamp;
    j->suite.hostname = host;
    j->suite.time_s = reproducible ? 0.0 : wall_s;
    rc = rdsim_junit_write_file(path, &j->suite, 1, err);
    rdsim_junit_run_free(j);
    return rc;
}

int rdsim_cli_print_file(const char *path, struct rdsim_err *err)
{
    char buf[65536];
    size_t n;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return rdsim_err_set(err, RDSIM_EIO, "%s: cannot read: %s", path,
                             strerror(errno));
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            break;
    int bad = ferror(f) || ferror(stdout) || fflush(stdout) != 0;
    fclose(f);
    return bad ? rdsim_err_set(err, RDSIM_EIO, "%s: cannot copy to standard output", path)
               : 0;
}
