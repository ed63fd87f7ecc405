/*
 * results.c - the results of a run: freeing them, their event list, and the
 * file helpers shared by every writer of a results folder.
 *
 * Deliberately not here: computing the figures (src/run) and formatting
 * them (src/report).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/results.h"

void rdsim_results_free(struct rdsim_results *r)
{
    if (!r)
        return;
    for (size_t k = 0; k < r->n_events; k++)
        rdsim_event_clear(&r->events[k]);
    free(r->events);
    rdsim_stats_destroy(r->stats);
    free(r->outages);
    free(r->failovers);
    free(r->lags);
    free(r->acus);
    free(r->snapshots);
    free(r->restores);
    free(r->backtracks);
    free(r->new_replicas);
    free(r->scaling);
    free(r->lesson);
    rdsim_param_changes_free(r->lesson_changes, r->n_lesson_changes);
    free(r);
}

const struct rdsim_event_cfg *rdsim_results_events(const struct rdsim_results *r,
                                                   size_t *n)
{
    *n = r->events ? r->n_events : r->sc->n_events;
    return r->events ? r->events : r->sc->events;
}

FILE *rdsim_report_create_file(const char *dir, const char *name, struct rdsim_err *err)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f)
        rdsim_err_set(err, RDSIM_EIO, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

void rdsim_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void rdsim_results_kind_total(const struct rdsim_results *r, enum rdsim_op_kind kind,
                             struct rdsim_counts *out)
{
    memset(out, 0, sizeof(*out));
    rdsim_hist_reset(&out->lat);
    rdsim_hist_reset(&out->ok_lat);
    for (int e = 0; e < RDSIM_STATS_EP; e++) {
        out->ok += r->stats->total[e][kind].ok;
        out->failed += r->stats->total[e][kind].failed;
        out->attempt_errors += r->stats->total[e][kind].attempt_errors;
        rdsim_hist_merge(&out->lat, &r->stats->total[e][kind].lat);
        rdsim_hist_merge(&out->ok_lat, &r->stats->total[e][kind].ok_lat);
    }
}

void rdsim_sample_write_csv(FILE *f, const struct rdsim_sample *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct rdsim_sample_value *v = &s->v[i];
        if (i > 0)
            fputc(',', f);
        if (v->kind == RDSIM_SAMPLE_NUMBER)
            fprintf(f, "%.*f", v->decimals, v->number);
        else if (v->kind == RDSIM_SAMPLE_NAME)
            rdsim_csv_field(f, v->name);
    }
}

double rdsim_sample_printed(const struct rdsim_sample_value *v)
{
    /* printf's rounding (to nearest, ties to even on the exact binary
     * value) is what the file holds; recomputing it by arithmetic differs
     * on ties, so take it from the same conversion. */
    char buf[512];
    snprintf(buf, sizeof buf, "%.*f", v->decimals, v->number);
    return strtod(buf, NULL);
}

uint64_t rdsim_results_discarded(const struct rdsim_results *r)
{
    uint64_t n = 0;

    for (size_t i = 0; i < r->n_backtracks; i++)
        n += r->backtracks[i].discarded_writes;
    return n;
}
