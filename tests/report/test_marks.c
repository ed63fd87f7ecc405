/*
 * test_marks.c - the marks of a results folder's figures (marks.c) for
 * snapshots and restores: the request from summary.json's scenario events,
 * the milestones from events.csv by kind (snapshot ready, I/O resumed,
 * restored instance available, writes re-pointed), each labelled with its
 * row's short text, in the operations' colour, in rows that do not overlap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rdsim/plot.h"

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *dir, const char *name)
{
    char path[512];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The line of marks.gp that sets the label `text` (cut at its end). */
static char *label_line(char *marks, const char *text)
{
    char needle[256], *line;

    snprintf(needle, sizeof(needle), "'%s' at", text);
    line = strstr(marks, needle);
    if (!line)
        fail_msg("no label %s in marks.gp", text);
    while (line > marks && line[-1] != '\n')
        line--;
    return line;
}

/* The label's row, from its vertical offset (1.25 * row - 0.35 chars). */
static int label_row(char *marks, const char *text)
{
    char *line = label_line(marks, text), *off = strstr(line, ", char -");
    char *end = strchr(line, '\n');

    assert_non_null(off);
    assert_true(end == NULL || off < end);
    return (int)((atof(off + 8) + 0.35) / 1.25 + 0.5);
}

static void assert_label_rgb(char *marks, const char *text, const char *rgb)
{
    char *line = label_line(marks, text), *end = strchr(line, '\n'), want[64];

    snprintf(want, sizeof(want), "tc rgb %s", rgb);
    if (end)
        *end = '\0';
    assert_non_null(strstr(line, want));
    if (end)
        *end = '\n';
}

static void test_marks_tell_a_restore_and_a_snapshot_by_kind(void **state)
{
    char dir[64] = "/tmp/rdsim-marks-XXXXXX", plots[128], cmd[160], *marks;
    (void)state;

    assert_non_null(mkdtemp(dir));
    put(dir, "summary.json",
        "{\"scenario\": \"x\", \"simulated_s\": 1800, \"scenario_events\": ["
        "{\"at_s\": 120, \"action\": \"snapshot\", \"until_s\": null, \"label\": \"snapshot s1\"},"
        "{\"at_s\": 750, \"action\": \"az-outage\", \"until_s\": 1800,"
        " \"label\": \"AZ outage us-east-1a\"},"
        "{\"at_s\": 780, \"action\": \"restore\", \"until_s\": null,"
        " \"label\": \"restore db2 from snapshot s1, then write to it\"}],"
        "\"writer_outages\": [{\"recovered_s\": 1382.5}]}");
    put(dir, "timeseries.csv", "t_s,writer_write_p99_ms,role_db,role_db2\n");
    put(dir, "events.csv",
        "t_s,kind,subject,detail\n"
        "120.000,fault,db,snapshot s1 requested\n"
        "123.100,io-resumed,db,db I/O resumes (snapshot s1: suspended 3.1 s)\n"
        "237.850,snapshot,db,\"snapshot s1 ready (152.0 KiB, taken at 120.0 s)\"\n"
        "750.000,fault,us-east-1a,az-outage until the end of the run\n"
        "780.000,fault,db2,restore from snapshot s1 requested in us-east-1b\n"
        "1382.434,restored,db2,\"db2 available (restored instance, data as of 120.0 s)\"\n"
        "1382.434,repointed,db2,writes go to db2 (the application is re-pointed; 9 "
        "acknowledged writes lacking)\n"
        "1382.434,recovered,db2,not a milestone of a kind the marks draw\n");
    assert_int_equal(rdsim_plot_write(dir, NULL), 0);
    snprintf(plots, sizeof(plots), "%s/plots", dir);
    marks = slurp(plots, "marks.gp");

    /* The requests are operations: their own colour, not a fault's. */
    assert_label_rgb(marks, "snapshot s1", "backup_rgb");
    assert_label_rgb(marks, "restore db2 from snapshot s1, then write to it", "backup_rgb");
    assert_label_rgb(marks, "AZ outage us-east-1a", "fault_rgb");
    /* The milestones, labelled with their detail up to " (". */
    assert_label_rgb(marks, "db I/O resumes", "resume_rgb");
    assert_label_rgb(marks, "snapshot s1 ready", "backup_rgb");
    assert_label_rgb(marks, "db2 available", "backup_rgb");
    assert_label_rgb(marks, "writes go to db2", "resume_rgb");
    assert_non_null(strstr(marks, "at 237.850, graph 1"));
    assert_null(strstr(marks, "not a milestone"));
    assert_null(strstr(marks, "KiB"));
    /* Close in time: each label in a row of its own. */
    assert_int_not_equal(label_row(marks, "snapshot s1"), label_row(marks, "db I/O resumes"));
    int available = label_row(marks, "db2 available"), to = label_row(marks, "writes go to db2"),
        resume = label_row(marks, "writes resume");
    assert_int_not_equal(available, to);
    assert_int_not_equal(available, resume);
    assert_int_not_equal(to, resume);
    free(marks);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_tell_a_restore_and_a_snapshot_by_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
