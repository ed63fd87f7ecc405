/*
 * test_report.c - the report module: the story of a run, report.md, the
 * words they share, and the gnuplot scripts of a results folder (plot.c),
 * with every error a results folder can provoke.
 *
 * One small Multi-AZ failover is simulated in process; the tests read what
 * it tells and writes. Rendering with gnuplot is the CLI's and is tested
 * there (tests/cli).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rdsim/plot.h"
#include "rdsim/report.h"
#include "rdsim/run.h"
#include "rdsim/scenario.h"

static const char failover_yaml[] =
    "name: small-failover\n"
    "description: A test of the story.\n"
    "seed: 7\n"
    "duration: 4m\n"
    "cluster:\n"
    "  deployment: multi-az-instance\n"
    "  instances:\n"
    "    - {name: primary, role: writer, az: us-east-1a}\n"
    "    - {name: standby, role: standby, az: us-east-1b}\n"
    "    - {name: r1, role: replica, az: us-east-1c}\n"
    "workload: {rows: 200, reads: 40/s, writes: 20/s}\n"
    "events:\n"
    "  - {at: 30s, action: az-outage, az: us-east-1a, for: 150s}\n"
    "  - {at: 200s, action: load, reads: 80/s}\n"
    "expect: {lost_writes: 0, max_writer_downtime: 1s}\n";

struct fixture {
    char dir[64];
    struct rdsim_scenario *sc;
    struct rdsim_results *res;
};

static char *slurp(const char *dir, const char *name)
{
    char path[512];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        fail_msg("short read of %s", path);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

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

static void rm_rf(const char *dir)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fail_msg("cannot remove %s", dir);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct rdsim_err err = {0};
    char path[128];

    snprintf(fx->dir, sizeof(fx->dir), "/tmp/rdsim-report-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    if (rdsim_scenario_load_buffer("story.yaml", failover_yaml, strlen(failover_yaml), &fx->sc,
                                   &err) != 0)
        fail_msg("%s", err.msg);
    struct rdsim_run_options opt = {.out_dir = fx->dir};
    if (rdsim_run(fx->sc, &opt, &fx->res, &err) != 0)
        fail_msg("%s", err.msg);
    snprintf(path, sizeof(path), "%s/summary.json", fx->dir);
    if (rdsim_report_write_summary(fx->res, path, &err) != 0)
        fail_msg("%s", err.msg);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    rm_rf(fx->dir);
    rdsim_results_free(fx->res);
    rdsim_scenario_free(fx->sc);
    free(fx);
    return 0;
}

/* ---- the story ------------------------------------------------------------ */

static void test_story_tells_setup_fault_phases_and_verdict(void **state)
{
    struct fixture *fx = *state;
    char *story = NULL;

    assert_int_equal(rdsim_report_story(fx->res, &story, NULL), 0);
    assert_non_null(strstr(story, "A Multi-AZ DB instance deployment (mysql, db.r6g.large): "
                                  "writer primary in us-east-1a, standby in "
                                  "us-east-1b, 1 replica (r1 in us-east-1c)"));
    assert_null(strstr(story, "standby standby"));
    assert_non_null(strstr(story, "seed 7."));
    assert_non_null(strstr(story, "At 30 s: AZ outage us-east-1a, for 150 s."));
    assert_non_null(strstr(story, "At 200 s: load: 80 reads/s."));
    assert_non_null(strstr(story, "Failover primary to standby after the AZ outage at 30.0 s: "
                                  "detected at "));
    assert_non_null(strstr(story, "promoted at "));
    assert_non_null(strstr(story, "DNS updated at "));
    assert_non_null(strstr(story, "Why standby: candidates: standby"));
    /* The first client, then the median and the last (DNS caches). */
    assert_non_null(strstr(story, "The first client wrote again at "));
    assert_non_null(strstr(story, "half of the 64 clients by "));
    assert_non_null(strstr(story, "acknowledged writes were lost (checked against standby's "
                                  "SQLite data)"));
    /* 1 s of downtime cannot hold across a Multi-AZ failover. */
    assert_non_null(strstr(story, "1 of 2 expectations failed: max_writer_downtime was "));
    assert_non_null(strstr(story, "(expected at most 1 s)."));
    free(story);
}

static void test_story_is_the_same_for_a_second_run_with_the_same_seed(void **state)
{
    struct fixture *fx = *state;
    struct rdsim_run_options opt = {0};
    struct rdsim_results *again = NULL;
    char *a = NULL, *b = NULL;

    assert_int_equal(rdsim_run(fx->sc, &opt, &again, NULL), 0);
    assert_int_equal(rdsim_report_story(fx->res, &a, NULL), 0);
    assert_int_equal(rdsim_report_story(again, &b, NULL), 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    rdsim_results_free(again);
}

static void test_story_without_writes_tells_no_downtime(void **state)
{
    static const char yaml[] = "name: reads-only\nduration: 30s\n"
                               "cluster:\n  deployment: single-az\n"
                               "  instances: [{name: db, role: writer, az: us-east-1a}]\n"
                               "workload: {rows: 50, reads: 20/s, writes: 0/s}\n"
                               "events: [{at: 10s, action: instance-failure, target: db}]\n";
    struct rdsim_scenario *sc = NULL;
    struct rdsim_results *res = NULL;
    struct rdsim_run_options opt = {0};
    char *story = NULL;
    (void)state;

    assert_int_equal(rdsim_scenario_load_buffer("r.yaml", yaml, strlen(yaml), &sc, NULL), 0);
    assert_int_equal(rdsim_run(sc, &opt, &res, NULL), 0);
    assert_int_equal(rdsim_report_story(res, &story, NULL), 0);
    assert_non_null(strstr(story, "At 10 s: db fails, for the rest of the run."));
    assert_null(strstr(story, "write succeeded"));
    assert_null(strstr(story, "never interrupted"));
    free(story);
    rdsim_results_free(res);
    rdsim_scenario_free(sc);
}

static void test_event_labels_and_windows(void **state)
{
    struct rdsim_event_cfg ev = {.action = RDSIM_ACT_INSTANCE_FAILURE, .target = "db",
                                 .at = 10 * RDSIM_S};
    rdsim_time_t until;
    char buf[128];
    (void)state;

    rdsim_report_event_label(&ev, buf, sizeof(buf));
    assert_string_equal(buf, "db fails");
    /* No `for`: the fault lasts to the end of the run. */
    assert_true(rdsim_report_event_window(&ev, 60 * RDSIM_S, &until));
    assert_int_equal(until, 60 * RDSIM_S);
    ev.has_for = true;
    ev.for_ = 5 * RDSIM_S;
    assert_true(rdsim_report_event_window(&ev, 60 * RDSIM_S, &until));
    assert_int_equal(until, 15 * RDSIM_S);
    /* A window past the end is clamped to it. */
    ev.for_ = 500 * RDSIM_S;
    assert_true(rdsim_report_event_window(&ev, 60 * RDSIM_S, &until));
    assert_int_equal(until, 60 * RDSIM_S);

    ev = (struct rdsim_event_cfg){.action = RDSIM_ACT_REPLICA_LAG, .target = "r1",
                                  .delay = 30 * RDSIM_S};
    rdsim_report_event_label(&ev, buf, sizeof(buf));
    assert_string_equal(buf, "r1 applies 30 s late");
    ev = (struct rdsim_event_cfg){.action = RDSIM_ACT_STORAGE_FAILURE, .az = "us-east-1b",
                                  .copies = 2};
    rdsim_report_event_label(&ev, buf, sizeof(buf));
    assert_string_equal(buf, "2 storage copies lost in us-east-1b");
    ev = (struct rdsim_event_cfg){.action = RDSIM_ACT_GLOBAL_FAILOVER, .region = "us-west-2",
                                  .mode = RDSIM_GLOBAL_SWITCHOVER};
    rdsim_report_event_label(&ev, buf, sizeof(buf));
    assert_string_equal(buf, "global switchover to us-west-2");
    /* Instants have no window. */
    assert_false(rdsim_report_event_window(&ev, 60 * RDSIM_S, &until));
    ev = (struct rdsim_event_cfg){.action = RDSIM_ACT_LOAD, .has_writes = true,
                                  .writes_per_s = 5000};
    rdsim_report_event_label(&ev, buf, sizeof(buf));
    assert_string_equal(buf, "load: 5000 writes/s");
}

static void test_latency_and_expectation_texts(void **state)
{
    struct rdsim_expectation x = {.has_actual = true, .actual = 82.5764, .limit = 120,
                                  .unit = "s"};
    char a[64], l[64];
    (void)state;

    rdsim_report_latency_text(a, sizeof(a), 960 * RDSIM_US);
    assert_string_equal(a, "0.96 ms");
    rdsim_report_latency_text(a, sizeof(a), 27720 * RDSIM_MS);
    assert_string_equal(a, "27.72 s");
    rdsim_report_expect_text(&x, a, l, sizeof(a));
    assert_string_equal(a, "82.5764 s");
    assert_string_equal(l, "at most 120 s");
    x = (struct rdsim_expectation){.has_actual = false, .limit = 0, .integer = true, .unit = ""};
    rdsim_report_expect_text(&x, a, l, sizeof(a));
    assert_string_equal(a, "nothing measured");
    assert_string_equal(l, "at most 0");
}

static void test_wrap_folds_lines_indents_and_escapes_markdown(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    rdsim_report_wrap(f, "one two three four five six seven", "> ", 14, false);
    rdsim_report_wrap(f, "a_b *c*\n\nnext  paragraph", "", 40, true);
    fclose(f);
    assert_string_equal(buf, "> one two\n> three four\n> five six\n> seven\n"
                             "a\\_b \\*c\\*\n\nnext paragraph\n");
    free(buf);
}

/* ---- report.md ------------------------------------------------------------ */

static void test_markdown_report_has_story_figures_failovers_and_expectations(void **state)
{
    struct fixture *fx = *state;
    char plots[128], *md;

    assert_int_equal(rdsim_report_write_markdown(fx->res, fx->dir, NULL), 0);
    md = slurp(fx->dir, "report.md");
    assert_non_null(md);
    assert_non_null(strstr(md, "# small-failover\n\n> A test of the story.\n"));
    assert_non_null(strstr(md, "Reproduce: `rdsim run story.yaml --seed 7`"));
    assert_non_null(strstr(md, "## What happened\n\nA Multi-AZ DB instance deployment"));
    /* Uptime and availability, each named for what it counts. */
    assert_non_null(strstr(md, "| uptime (time served), writer endpoint |"));
    assert_non_null(strstr(md, "| availability (operations that succeeded), writer endpoint |"));
    assert_non_null(strstr(md, "| attempt success (retries included), writer endpoint |"));
    assert_non_null(strstr(md, "| ok p50 | ok p99 |"));
    assert_non_null(strstr(md, "| clients wrote again: first, half, all |"));
    assert_non_null(strstr(md, "| az-outage | primary | standby | 30.0 s |"));
    assert_non_null(strstr(md, "| max_writer_downtime |"));
    assert_non_null(strstr(md, "| at most 1 s | **FAIL** |"));
    assert_non_null(strstr(md, "| lost_writes | 0 | at most 0 | pass |"));
    /* No figure was drawn: the report says how to draw them, and links the
     * figures this run has (lag: three instances; no Serverless capacity),
     * so that `rdsim plot` completes it. */
    assert_non_null(strstr(md, "No figure had been drawn when this report was written"));
    assert_non_null(strstr(md, "run `rdsim plot` on this folder"));
    assert_non_null(strstr(md, "(plots/latency.png)"));
    assert_non_null(strstr(md, "(plots/lag.png)"));
    assert_null(strstr(md, "(plots/capacity.png)"));
    assert_null(strstr(md, "SVG copies"));
    free(md);

    /* Drawn figures: no advice; a figure drawn only as SVG links its SVG. */
    snprintf(plots, sizeof(plots), "%s/plots", fx->dir);
    mkdir(plots, 0777);
    put(plots, "latency.png", "png");
    put(plots, "roles.svg", "svg");
    assert_int_equal(rdsim_report_write_markdown(fx->res, fx->dir, NULL), 0);
    md = slurp(fx->dir, "report.md");
    assert_null(strstr(md, "No figure had been drawn"));
    assert_non_null(strstr(md, "(plots/latency.png)"));
    assert_non_null(strstr(md, "(plots/roles.svg)"));
    assert_non_null(strstr(md, "SVG copies for print"));
    free(md);
}

static void set_lesson(struct rdsim_results *r, size_t n)
{
    static const char *const v[][3] = {{"clients.dns_cache", "forever", "ttl"},
                                       {"expect.max_writer_downtime", NULL, "1s|2s"}};
    r->lesson = strdup("03b-dns-cache-forever");
    r->lesson_changes = n ? calloc(n, sizeof *r->lesson_changes) : NULL;
    r->n_lesson_changes = n;
    for (size_t i = 0; i < n; i++) {
        r->lesson_changes[i].path = strdup(v[i][0]);
        r->lesson_changes[i].shipped = v[i][1] ? strdup(v[i][1]) : NULL;
        r->lesson_changes[i].here = strdup(v[i][2]);
    }
}

static void clear_lesson(struct rdsim_results *r)
{
    free(r->lesson);
    rdsim_param_changes_free(r->lesson_changes, r->n_lesson_changes);
    r->lesson = NULL;
    r->lesson_changes = NULL;
    r->n_lesson_changes = 0;
}

static void test_reports_name_what_differs_from_the_lesson(void **state)
{
    struct fixture *fx = *state;
    char *story = NULL, *md;

    set_lesson(fx->res, 2);
    assert_int_equal(rdsim_report_story(fx->res, &story, NULL), 0);
    assert_non_null(strstr(story, "The scenario differs from lesson 03b-dns-cache-forever as "
                                  "shipped in clients.dns_cache (forever there, ttl here); "
                                  "expect.max_writer_downtime (not set there, 1s|2s here): "));
    free(story);
    assert_int_equal(rdsim_report_write_markdown(fx->res, fx->dir, NULL), 0);
    md = slurp(fx->dir, "report.md");
    assert_non_null(strstr(md, "### Changed from lesson `03b-dns-cache-forever`\n"));
    assert_non_null(strstr(md, "| parameter | shipped | this run |\n|---|---|---|\n"
                               "| `clients.dns_cache` | `forever` | `ttl` |\n"
                               "| `expect.max_writer_downtime` | *not set* | `1s\\|2s` |\n"));
    free(md);
    clear_lesson(fx->res);

    /* The lesson exactly as shipped, and failing: that is rdsim's fault. */
    set_lesson(fx->res, 0);
    assert_int_equal(rdsim_report_story(fx->res, &story, NULL), 0);
    assert_non_null(strstr(story, "This is lesson 03b-dns-cache-forever exactly as shipped"));
    free(story);
    assert_int_equal(rdsim_report_write_markdown(fx->res, fx->dir, NULL), 0);
    md = slurp(fx->dir, "report.md");
    assert_non_null(strstr(md, "This is lesson `03b-dns-cache-forever` exactly as shipped"));
    assert_null(strstr(md, "### Changed from lesson"));
    free(md);
    clear_lesson(fx->res);

    /* Not a lesson: nothing said. */
    assert_int_equal(rdsim_report_story(fx->res, &story, NULL), 0);
    assert_null(strstr(story, "lesson"));
    free(story);
}

static void test_markdown_report_unwritable_folder_is_eio(void **state)
{
    struct fixture *fx = *state;
    struct rdsim_err err = {0};

    assert_int_equal(rdsim_report_write_markdown(fx->res, "/nonexistent/rdsim", &err),
                     RDSIM_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/rdsim/report.md: cannot write"));
}

/* ---- plot scripts ------------------------------------------------------------ */

static void test_plot_write_gives_columns_and_marks(void **state)
{
    struct fixture *fx = *state;
    char plots[128], *run, *marks, *style, *line;

    /* Figures of an earlier run in the folder are removed. */
    snprintf(plots, sizeof(plots), "%s/plots", fx->dir);
    mkdir(plots, 0777);
    put(plots, "capacity.png", "old");
    put(plots, "gnuplot.log", "old");
    assert_int_equal(rdsim_plot_write(fx->dir, NULL), 0);
    assert_null(slurp(plots, "capacity.png"));
    assert_null(slurp(plots, "gnuplot.log"));
    run = slurp(plots, "run.gp");
    marks = slurp(plots, "marks.gp");
    style = slurp(plots, "style.gp");
    assert_non_null(run);
    assert_non_null(marks);
    assert_non_null(style);
    assert_non_null(strstr(run, "ts = '../timeseries.csv'\n"));
    assert_non_null(strstr(run, "run_title = 'small-failover, seed 7, rdsim " RDSIM_VERSION));
    assert_non_null(strstr(run, "run_end_s = 240.000\nrun_interval_s = 1.000\n"));
    assert_non_null(strstr(run, "latency_cols = 'writer_write reader_read'\n"));
    assert_non_null(strstr(run, "role_cols = 'primary standby r1'\n"));
    assert_non_null(strstr(run, "acu_cols = ''\n"));
    /* The outage is a shaded window from 30 s to 180 s. */
    assert_non_null(strstr(marks, "rect from 30.000, graph 0 to 180.000, graph 1"));
    assert_non_null(strstr(marks, "'AZ outage us-east-1a' at 30.000"));
    assert_non_null(strstr(marks, "'load: 80 reads/s' at 200.000"));
    assert_non_null(strstr(marks, "'detected'"));
    assert_non_null(strstr(marks, "'promoted standby'"));
    assert_non_null(strstr(marks, "'DNS -> standby'"));
    assert_non_null(strstr(marks, "'writes resume'"));
    /* The phases follow the fault closely: their labels step down (row 2). */
    line = strstr(marks, "'detected' at");
    assert_non_null(line);
    *strchr(line, '\n') = '\0';
    assert_non_null(strstr(line, "offset char 0.4, char -2.15 left"));
    assert_non_null(strstr(style, "load 'marks.gp'"));
    free(run);
    free(marks);
    free(style);
}

/* A mark near the right edge ends its label at its line. */
static void test_plot_label_near_the_end_is_right_aligned(void **state)
{
    char dir[64] = "/tmp/rdsim-plot-XXXXXX", plots[128], *marks, *line;
    (void)state;

    assert_non_null(mkdtemp(dir));
    put(dir, "summary.json",
        "{\"scenario\": \"x\", \"simulated_s\": 180, \"scenario_events\": ["
        "{\"at_s\": 10, \"action\": \"failover\", \"until_s\": null, \"label\": \"early\"},"
        "{\"at_s\": 175, \"action\": \"failover\", \"until_s\": null,"
        " \"label\": \"manual failover\"}]}");
    put(dir, "timeseries.csv", "t_s,writer,role_db\n");
    assert_int_equal(rdsim_plot_write(dir, NULL), 0);
    snprintf(plots, sizeof(plots), "%s/plots", dir);
    marks = slurp(plots, "marks.gp");
    line = strstr(marks, "'manual failover' at 175.000");
    assert_non_null(line);
    *strchr(line, '\n') = '\0';
    assert_non_null(strstr(line, "offset char -0.4, char -0.90 right"));
    assert_non_null(strstr(marks, "'early' at 10.000, graph 1 offset char 0.4, char -0.90 left"));
    free(marks);
    rm_rf(dir);
}

static void test_plot_write_on_a_folder_without_results_is_einval(void **state)
{
    struct rdsim_err err = {0};
    char dir[64] = "/tmp/rdsim-plot-XXXXXX";
    (void)state;

    assert_non_null(mkdtemp(dir));
    assert_int_equal(rdsim_plot_write(dir, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "summary.json: unable to open"));
    assert_non_null(strstr(err.msg, "an rdsim results folder?"));

    put(dir, "summary.json", "{\"scenario\": \"x\",\n oops}");
    assert_int_equal(rdsim_plot_write(dir, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "summary.json:2:"));

    put(dir, "summary.json", "{\"seed\": 1}");
    assert_int_equal(rdsim_plot_write(dir, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "not an rdsim summary"));

    put(dir, "summary.json", "{\"scenario\": \"x\", \"simulated_s\": 10}");
    assert_int_equal(rdsim_plot_write(dir, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "timeseries.csv: cannot read"));

    put(dir, "timeseries.csv", "time,writer\n");
    assert_int_equal(rdsim_plot_write(dir, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "no timeseries header"));
    rm_rf(dir);
}

static void test_plot_compare_overlays_two_runs(void **state)
{
    struct fixture *fx = *state;
    struct rdsim_err err = {0};
    char out[64] = "/tmp/rdsim-cmp-XXXXXX", *run, *marks, *a;

    assert_non_null(mkdtemp(out));
    assert_int_equal(rdsim_plot_write_compare(fx->dir, fx->dir, out, &err), 0);
    run = slurp(out, "run.gp");
    marks = slurp(out, "marks.gp");
    a = slurp(out, "a.csv");
    assert_non_null(run);
    assert_non_null(strstr(run, "ts_a = 'a.csv'\nts_b = 'b.csv'\n"));
    assert_non_null(strstr(run, "run_title = 'A = small-failover, seed 7"));
    assert_non_null(strstr(run, "B = small-failover, seed 7"));
    /* A run against itself: every phase at the same moment, drawn once. */
    assert_non_null(strstr(marks, "'A, B: detected'"));
    assert_null(strstr(marks, "'A: detected'"));
    assert_null(strstr(marks, "'B: detected'"));
    assert_null(strstr(marks, "lc rgb run_b_rgb"));
    assert_non_null(a);
    assert_memory_equal(a, "t_s,", 4);
    /* The key figures side by side, each named for what it counts. */
    {
        char *text = NULL, row[128];
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        const char *line;
        assert_non_null(m);
        assert_int_equal(rdsim_plot_compare_figures(fx->dir, fx->dir, m, &err), 0);
        fclose(m);
        assert_non_null(strstr(text, "key figures"));
        line = strstr(text, "uptime (time served), writer");
        assert_non_null(line);
        assert_non_null(strstr(text, "availability (operations ok), writer"));
        assert_non_null(strstr(text, "write p99 (failed at give-up)"));
        assert_non_null(strstr(text, "all clients wrote again, after fault"));
        /* A and B hold the same number. */
        snprintf(row, sizeof(row), "%.*s", (int)strcspn(line, "\n"), line);
        {
            char *c1 = strstr(row, "%"), *c2 = c1 ? strstr(c1 + 1, "%") : NULL;
            assert_non_null(c2);
        }
        free(text);
        assert_int_equal(rdsim_plot_compare_figures(fx->dir, "/nonexistent", stdout, &err),
                         RDSIM_EINVAL);
    }
    free(run);
    free(marks);
    free(a);
    rm_rf(out);
}

static void test_plot_compare_without_common_series_is_einval(void **state)
{
    struct fixture *fx = *state;
    struct rdsim_err err = {0};
    char other[64] = "/tmp/rdsim-oth-XXXXXX", out[64] = "/tmp/rdsim-cmp-XXXXXX";

    assert_non_null(mkdtemp(other));
    assert_non_null(mkdtemp(out));
    put(other, "summary.json", "{\"scenario\": \"idle\", \"simulated_s\": 10}");
    put(other, "timeseries.csv", "t_s,writer,writer_up,role_db\n");
    assert_int_equal(rdsim_plot_write_compare(fx->dir, other, out, &err), RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "no series in common"));
    assert_int_equal(rdsim_plot_write_compare(fx->dir, "/nonexistent", out, &err),
                     RDSIM_EINVAL);
    assert_non_null(strstr(err.msg, "/nonexistent"));
    rm_rf(other);
    rm_rf(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_story_tells_setup_fault_phases_and_verdict),
        cmocka_unit_test(test_story_is_the_same_for_a_second_run_with_the_same_seed),
        cmocka_unit_test(test_story_without_writes_tells_no_downtime),
        cmocka_unit_test(test_event_labels_and_windows),
        cmocka_unit_test(test_latency_and_expectation_texts),
        cmocka_unit_test(test_wrap_folds_lines_indents_and_escapes_markdown),
        cmocka_unit_test(test_markdown_report_has_story_figures_failovers_and_expectations),
        cmocka_unit_test(test_markdown_report_unwritable_folder_is_eio),
        cmocka_unit_test(test_reports_name_what_differs_from_the_lesson),
        cmocka_unit_test(test_plot_write_gives_columns_and_marks),
        cmocka_unit_test(test_plot_label_near_the_end_is_right_aligned),
        cmocka_unit_test(test_plot_write_on_a_folder_without_results_is_einval),
        cmocka_unit_test(test_plot_compare_overlays_two_runs),
        cmocka_unit_test(test_plot_compare_without_common_series_is_einval),
    };
    return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
