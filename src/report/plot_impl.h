/*
 * plot_impl.h - what plot.c and marks.c share: the marks of a figure (fault
 * windows, failover phases, their labels) and the timeline they are read from.
 */
#ifndef RDSIM_PLOT_IMPL_H
#define RDSIM_PLOT_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum { MAX_MARKS = 256, MAX_ROWS = 8 };

/* Width of one label character as a fraction of the plot's width, and
 * height of one label row as a fraction of its height (1280x720, labels
 * at 11 pt: see style.gp). Used only to keep labels from overlapping. */
#define CHAR_FRAC 0.0068
#define ROW_FRAC 0.045

/* A vertical mark (a fault's start, a phase) or a shaded window. */
struct mark {
    double at_s, until_s;  /* until_s > at_s: a window */
    char label[192];
    const char *rgb;       /* a colour variable of style.gp */
    int row;               /* label row, from 1 at the top */
    bool right;            /* too near the right edge: the label ends at the line */
};

struct marks {
    struct mark m[MAX_MARKS];
    size_t n;
    int rows;
};

/* The timeline's rows that the marks use: volume copies repaired, quorum
 * lost and regained, and the kinds of marks.c's timeline_kinds. */
struct timeline_row {
    double t_s;
    char field[4][256]; /* t_s, kind, subject, detail */
};

#define ROW_KIND(r) ((r)->field[1])
#define ROW_SUBJECT(r) ((r)->field[2])
#define ROW_DETAIL(r) ((r)->field[3])

struct timeline {
    struct timeline_row *rows;
    size_t n;
};

/* plot.c: a summary's number or string at `key` (dflt when missing). */
double plot_jnum(json_t *o, const char *key, double dflt);
const char *plot_jstr(json_t *o, const char *key, const char *dflt);

/* marks.c: events.csv's rows the marks use (tl->rows is the caller's to
 * free); the scenario's events and each failover's phases of one run (`who`
 * prefixes the labels, tl may be NULL); the marks two runs share made one;
 * labels placed in rows; marks.gp's text; a gnuplot string literal. */
void plot_read_timeline(const char *dir, struct timeline *tl);
void plot_collect_marks(struct marks *ms, json_t *s, const char *who, const char *phase_rgb,
                        bool faults, const struct timeline *tl);
void plot_merge_marks(struct marks *ms);
void plot_place_labels(struct marks *ms, double end_s);
void plot_write_marks(FILE *f, const struct marks *ms);
void plot_gp_string(FILE *f, const char *s);

#endif
