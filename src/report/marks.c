/*
 * marks.c - the marks of the figures: fault windows shaded (a storage
 * failure's until its repair, a backtrack's pause), a backtrack's point,
 * failover phases as dashed lines (requests labelled as requests), quorum
 * lost and regained and the milestones of snapshots and restores from
 * events.csv (by kind: timeline_kinds), and
 * labels placed in rows so that they do not overlap.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/failover.h"
#include "rdsim/report.h"

#include "plot_impl.h"

/* ---- marks ------------------------------------------------------------ */

static void add_mark(struct marks *ms, double at_s, double until_s, const char *rgb,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_mark(struct marks *ms, double at_s, double until_s, const char *rgb,
                     const char *fmt, ...)
{
    struct mark *m;
    va_list ap;

    if (ms->n == MAX_MARKS || !isfinite(at_s))
        return;
    m = &ms->m[ms->n++];
    m->at_s = at_s;
    m->until_s = until_s;
    m->rgb = rgb;
    va_start(ap, fmt);
    vsnprintf(m->label, sizeof(m->label), fmt, ap);
    va_end(ap);
}

/* ---- events.csv: what the cluster did, for marks the summary lacks ------- */

/*
 * The events.csv kinds drawn as a dashed line each, labelled with the row's
 * detail up to its first " (" (the figures in brackets are the story's).
 * A module that logs a new milestone gives it its own kind, its detail a
 * short label first, and a line here.
 */
static const struct {
    const char *kind, *rgb;
} timeline_kinds[] = {
    {"snapshot", "backup_rgb"},   /* snapshot NAME ready */
    {"io-resumed", "resume_rgb"}, /* a Single-AZ snapshot's I/O suspension ends */
    {"restored", "backup_rgb"},   /* NAME available */
    {"repointed", "resume_rgb"},  /* writes go to NAME */
};

static const char *timeline_rgb(const char *kind)
{
    for (size_t k = 0; k < sizeof(timeline_kinds) / sizeof(timeline_kinds[0]); k++)
        if (strcmp(kind, timeline_kinds[k].kind) == 0)
            return timeline_kinds[k].rgb;
    return NULL;
}

/* The scenario's events that are operations, not faults (their own colour). */
static bool backup_action(const char *action)
{
    return strcmp(action, "snapshot") == 0 || strcmp(action, "restore") == 0;
}


/* Split one events.csv line into its four fields (CSV quoting undone). */
static bool split_row(const char *line, struct timeline_row *row)
{
    int k = 0;
    size_t len = 0;
    bool quoted = false;

    memset(row, 0, sizeof(*row));
    for (const char *p = line; *p && *p != '\n' && k < 4; p++) {
        if (quoted && *p == '"' && p[1] == '"') {
            p++;
        } else if (*p == '"') {
            quoted = !quoted;
            continue;
        } else if (!quoted && *p == ',') {
            k++;
            len = 0;
            continue;
        }
        if (k < 4 && len + 1 < sizeof(row->field[0]))
            row->field[k][len++] = *p;
    }
    row->t_s = atof(row->field[0]);
    return k == 3;
}

/* Read the repaired, quorum and timeline_kinds rows of DIR/events.csv;
 * none when it is missing (marks from the summary alone). */
void plot_read_timeline(const char *dir, struct timeline *tl)
{
    char path[4096], *line = NULL;
    size_t cap = 0, room = 0;
    FILE *f;

    memset(tl, 0, sizeof(*tl));
    snprintf(path, sizeof(path), "%s/events.csv", dir);
    f = fopen(path, "r");
    if (!f)
        return;
    while (getline(&line, &cap, f) > 0) {
        struct timeline_row row;
        if (!split_row(line, &row) ||
            (strcmp(ROW_KIND(&row), "repaired") != 0 && strcmp(ROW_KIND(&row), "quorum") != 0 &&
             !timeline_rgb(ROW_KIND(&row))))
            continue;
        if (tl->n == room) {
            size_t r2 = room ? 2 * room : 16;
            void *p = realloc(tl->rows, r2 * sizeof(*tl->rows));
            if (!p)
                break;
            tl->rows = p;
            room = r2;
        }
        tl->rows[tl->n++] = row;
    }
    free(line);
    fclose(f);
}

/* A storage failure's window ends when its AZ's copy is rebuilt. */
static double repaired_at(const struct timeline *tl, const char *az, double at_s, double until_s)
{
    for (size_t k = 0; tl && k < tl->n; k++)
        if (strcmp(ROW_KIND(&tl->rows[k]), "repaired") == 0 &&
            strcmp(ROW_SUBJECT(&tl->rows[k]), az) == 0 &&
            tl->rows[k].t_s >= at_s && tl->rows[k].t_s < until_s)
            return tl->rows[k].t_s;
    return until_s;
}

/* A backtrack: its pause shaded (the cluster serves again at available_s,
 * or the end), and a line at the point its data went back to. Returns
 * where the shade ends. */
static double backtrack_mark(struct marks *ms, json_t *bt, double at, double end)
{
    double to = plot_jnum(bt, "to_s", NAN), until = plot_jnum(bt, "available_s", end);

    if (!json_is_true(json_object_get(bt, "done")))
        return at;
    add_mark(ms, to, to, "fault_rgb", "data rewound to here (%.0f acknowledged writes discarded)",
             plot_jnum(bt, "discarded_writes", 0));
    return until;
}

/* What the failover's first phase was: detected, or (a request) asked for;
 * `name` is the cause as summary.json spells it. */
static const char *first_phase(const char *name)
{
    enum rdsim_failover_cause cause = RDSIM_CAUSE_COUNT;

    for (int k = 0; k < RDSIM_CAUSE_COUNT; k++)
        if (strcmp(name, rdsim_failover_cause_name((enum rdsim_failover_cause)k)) == 0)
            cause = (enum rdsim_failover_cause)k;
    switch (cause) {
    case RDSIM_CAUSE_PROMOTE: return "promotion requested";
    case RDSIM_CAUSE_FAILOVER:
    case RDSIM_CAUSE_REBOOT: return "failover requested";
    case RDSIM_CAUSE_GLOBAL_SWITCHOVER: return "switchover requested";
    case RDSIM_CAUSE_GLOBAL_FAILOVER: return "global failover requested";
    default: return "detected";
    }
}

/* The scenario's events, and each failover's phases, of one run; `who`
 * prefixes the labels in a comparison ("A: "); tl (may be NULL) adds the
 * quorum changes and the repairs. */
void plot_collect_marks(struct marks *ms, json_t *s, const char *who, const char *phase_rgb,
                        bool faults, const struct timeline *tl)
{
    json_t *v;
    size_t i, k_bt = 0;

    json_array_foreach(faults ? json_object_get(s, "scenario_events") : NULL, i, v) {
        const char *action = plot_jstr(v, "action", "");
        bool load = strcmp(action, "load") == 0;
        double at = plot_jnum(v, "at_s", NAN), until = plot_jnum(v, "until_s", at);
        const char *label = plot_jstr(v, "label", "fault"), *az = strrchr(label, ' ');
        if (strcmp(action, "storage-failure") == 0 && az)
            until = repaired_at(tl, az + 1, at, until);
        if (strcmp(action, "backtrack") == 0)
            until = backtrack_mark(ms, json_array_get(json_object_get(s, "backtracks"), k_bt++),
                                   at, plot_jnum(s, "simulated_s", at));
        add_mark(ms, at, until,
                 load ? "offered_rgb" : backup_action(action) ? "backup_rgb" : "fault_rgb", "%s",
                 label);
    }
    for (size_t k = 0; faults && tl && k < tl->n; k++) {
        const struct timeline_row *row = &tl->rows[k];
        const char *d = ROW_DETAIL(row);
        bool lost = strstr(d, "no write quorum") || strstr(d, "no read quorum");
        bool reads = strstr(d, "read quorum") || strstr(d, "reads resume");
        /* A region outage loses (and regains) both in one row. */
        bool both = strstr(d, "writes and reads") || strstr(d, "reads and writes");
        const char *rgb = timeline_rgb(ROW_KIND(row));
        if (rgb) {
            const char *end = strstr(d, " (");
            int len = (int)(end ? end - d : (ptrdiff_t)strlen(d));
            add_mark(ms, row->t_s, row->t_s, rgb, "%.*s", len, d);
            continue;
        }
        if (strcmp(ROW_KIND(row), "quorum") != 0)
            continue;
        add_mark(ms, row->t_s, row->t_s, lost ? "fault_rgb" : "resume_rgb", "%s quorum %s",
                 both ? "write and read" : reads ? "read" : "write", lost ? "lost" : "regained");
    }
    json_array_foreach(json_object_get(s, "failovers"), i, v) {
        const char *to = plot_jstr(v, "to", "");
        double at = plot_jnum(v, "detected_s", NAN);
        add_mark(ms, at, at, phase_rgb, "%s%s%s", who, first_phase(plot_jstr(v, "cause", "")),
                 *to ? "" : ", nothing to promote");
        at = plot_jnum(v, "promoted_s", NAN);
        add_mark(ms, at, at, phase_rgb, "%spromoted %s", who, to);
        at = plot_jnum(v, "dns_updated_s", NAN);
        add_mark(ms, at, at, phase_rgb, "%sDNS -> %s", who, to);
    }
    json_array_foreach(json_object_get(s, "writer_outages"), i, v) {
        double at = plot_jnum(v, "recovered_s", NAN);
        add_mark(ms, at, at, "resume_rgb", "%swrites resume", who);
    }
    /* New replicas: when each joins the readers, when auto scaling acts. */
    json_array_foreach(json_object_get(s, "replicas_created"), i, v) {
        double at = plot_jnum(v, "available_s", NAN), gone = plot_jnum(v, "removed_s", NAN);
        add_mark(ms, at, at, "resume_rgb", "%s%s joins the readers", who, plot_jstr(v, "name", ""));
        add_mark(ms, gone, gone, phase_rgb, "%s%s removed", who, plot_jstr(v, "name", ""));
    }
    json_array_foreach(json_object_get(json_object_get(s, "autoscaling"), "actions"), i, v) {
        double at = plot_jnum(v, "at_s", NAN);
        add_mark(ms, at, at, phase_rgb, "%s%s %d -> %d", who, plot_jstr(v, "action", ""),
                 (int)plot_jnum(v, "replicas_before", 0), (int)plot_jnum(v, "replicas_after", 0));
    }
}

/* A comparison: a phase both runs have at the same time (within 50 ms) is
 * drawn once, labelled "A, B: ...", rather than twice on one line. */
void plot_merge_marks(struct marks *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        struct mark *b = &ms->m[i];
        if (strncmp(b->label, "B: ", 3) != 0)
            continue;
        for (size_t j = 0; j < ms->n; j++) {
            struct mark *a = &ms->m[j];
            if (strncmp(a->label, "A: ", 3) != 0 || strcmp(a->label + 3, b->label + 3) != 0 ||
                fabs(a->at_s - b->at_s) > 0.05)
                continue;
            char label[sizeof(a->label)];
            snprintf(label, sizeof(label), "A, B: %.*s", (int)(sizeof(label) - 7), a->label + 3);
            memcpy(a->label, label, sizeof(label));
            a->rgb = "phase_rgb";
            ms->m[i] = ms->m[--ms->n];
            i--;
            break;
        }
    }
}

static int by_time(const void *a, const void *b)
{
    const struct mark *x = a, *y = b;

    return (x->at_s > y->at_s) - (x->at_s < y->at_s);
}

/*
 * Give each label a row: the one just below every label that still
 * extends over its time. Lines reach up to their own label, so in a burst
 * of marks (fault, detected, promoted, DNS) the labels step down like
 * stairs and no line crosses an earlier label.
 */
void plot_place_labels(struct marks *ms, double end_s)
{
    double row_end[MAX_ROWS + 1];

    for (int r = 0; r <= MAX_ROWS; r++)
        row_end[r] = -1;
    /* Insertion sort: stable, so equal times keep the collection order
     * (the fault first, then its phases). */
    for (size_t i = 1; i < ms->n; i++)
        for (size_t j = i; j > 0 && by_time(&ms->m[j - 1], &ms->m[j]) > 0; j--) {
            struct mark t = ms->m[j - 1];
            ms->m[j - 1] = ms->m[j];
            ms->m[j] = t;
        }
    ms->rows = 0;
    for (size_t i = 0; i < ms->n; i++) {
        struct mark *m = &ms->m[i];
        double x = end_s > 0 ? m->at_s / end_s : 0;
        double w = (double)(strlen(m->label) + 2) * CHAR_FRAC;
        double from = x, to = x + w;
        int row = 1;
        if (to > 1) {
            m->right = true;
            from = x - w;
            to = x;
        }
        for (int r = 1; r <= MAX_ROWS; r++)
            if (row_end[r] >= from)
                row = r + 1;
        /* Every row is taken here: the row that frees up first overlaps
         * least (a line may then cross a label; rare, and still legible). */
        if (row > MAX_ROWS)
            for (int r = row = 1; r <= MAX_ROWS; r++)
                if (row_end[r] < row_end[row])
                    row = r;
        m->row = row;
        row_end[row] = to;
        if (row > ms->rows)
            ms->rows = row;
    }
}

void plot_gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

void plot_write_marks(FILE *f, const struct marks *ms)
{
    fputs("# marks.gp - the run's injected events (shaded windows) and failover phases\n"
          "# (dashed lines), each with its label in a row above the data. Written by\n"
          "# rdsim from summary.json; loaded by style.gp once the colours are set.\n",
          f);
    for (size_t i = 0; i < ms->n; i++) {
        const struct mark *m = &ms->m[i];
        /* A label's position is its vertical middle; its line reaches it. */
        double label_char = 1.25 * m->row - 0.35;
        double top = 1 - label_char * ROW_FRAC;
        int id = (int)i + 1;
        if (m->until_s > m->at_s)
            fprintf(f, "set object %d rect from %.3f, graph 0 to %.3f, graph 1 behind "
                       "fc rgb %s fs transparent solid 0.13 noborder\n",
                    id, m->at_s, m->until_s, m->rgb);
        fprintf(f, "set arrow %d from %.3f, graph 0 to %.3f, graph %.4f nohead front "
                   "lw 1.5 dt %d lc rgb %s\n",
                id, m->at_s, m->at_s, top, m->until_s > m->at_s ? 1 : 2, m->rgb);
        fprintf(f, "set label %d ", id);
        plot_gp_string(f, m->label);
        fprintf(f, " at %.3f, graph 1 offset char %.1f, char %.2f %s front font ',11' "
                   "tc rgb %s\n",
                m->at_s, m->right ? -0.4 : 0.4, -label_char, m->right ? "right" : "left", m->rgb);
    }
}

/* ---- writing a plots folder ------------------------------------------- */

