/*
 * replicas.c - the replicas a run created (create-replica events, Aurora
 * Auto Scaling) and auto scaling's actions, in summary.json, report.md and
 * the story. The same figure is the same number in each: a replica's
 * available time is when it joined the readers.
 */
#include <math.h>
#include <stdbool.h>

#include "replicas_impl.h"

static json_t *time_or_null(rdsim_time_t t)
{
    return t >= 0 ? json_real(round((double)t / RDSIM_S * 1e3) / 1e3) : json_null();
}

static bool has_replicas(const struct rdsim_results *r)
{
    for (size_t e = 0; e < r->sc->n_events; e++)
        if (r->sc->events[e].action == RDSIM_ACT_CREATE_REPLICA)
            return true;
    return r->n_new_replicas > 0 || r->sc->cluster.autoscaling.present;
}

void report_replicas_json(json_t *root, const struct rdsim_results *r)
{
    const struct rdsim_autoscaling_cfg *a = &r->sc->cluster.autoscaling;
    json_t *list, *acts;

    if (!has_replicas(r))
        return;
    list = json_array();
    for (size_t i = 0; i < r->n_new_replicas; i++) {
        const struct rdsim_replica_result *x = &r->new_replicas[i];
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:o}", "name",
                            x->name, "az", x->az, "by", x->autoscaled ? "autoscaling" : "event",
                            "at_s", time_or_null(x->at), "built_s", time_or_null(x->built),
                            "available_s", time_or_null(x->available), "removed_s",
                            time_or_null(x->removed), "backlog_writes",
                            (json_int_t)x->backlog_writes, "reads_served",
                            (json_int_t)x->reads_served, "first_read_s",
                            time_or_null(x->first_read)));
    }
    json_object_set_new(root, "replicas_created", list);
    if (!a->present)
        return;
    acts = json_array();
    for (size_t i = 0; i < r->n_scaling; i++) {
        const struct rdsim_scaling_result *x = &r->scaling[i];
        json_array_append_new(
            acts, json_pack("{s:o, s:s, s:i, s:i, s:o}", "at_s", time_or_null(x->at), "action",
                            x->out ? "scale-out" : "scale-in", "replicas_before", x->from,
                            "replicas_after", x->to, "metric",
                            json_real(round(x->metric * 10) / 10)));
    }
    json_object_set_new(
        root, "autoscaling",
        json_pack("{s:s, s:f, s:i, s:i, s:o, s:o, s:o}", "metric",
                  a->by_connections ? "connections" : "cpu", "target", a->target, "min", a->min, "max",
                  a->max, "scale_out_cooldown_s", time_or_null(a->scale_out_cooldown),
                  "scale_in_cooldown_s", time_or_null(a->scale_in_cooldown), "actions", acts));
}

static void cell(FILE *f, rdsim_time_t t)
{
    if (t >= 0)
        fprintf(f, " %.1f s |", (double)t / RDSIM_S);
    else
        fputs(" - |", f);
}

void report_replicas_markdown(FILE *f, const struct rdsim_results *r)
{
    const struct rdsim_autoscaling_cfg *a = &r->sc->cluster.autoscaling;

    if (!has_replicas(r))
        return;
    fputs("## New replicas\n\n", f);
    if (r->n_new_replicas == 0)
        fputs("No replica was created.\n\n", f);
    else
        fputs("| replica | by | AZ | asked for | built | joined the readers | backlog writes "
              "| removed |\n|---|---|---|---|---|---|---|---|\n",
              f);
    for (size_t i = 0; i < r->n_new_replicas; i++) {
        const struct rdsim_replica_result *x = &r->new_replicas[i];
        fprintf(f, "| %s | %s | %s |", x->name, x->autoscaled ? "auto scaling" : "event", x->az);
        cell(f, x->at);
        cell(f, x->built);
        cell(f, x->available);
        fprintf(f, " %llu |", (unsigned long long)x->backlog_writes);
        cell(f, x->removed);
        fputc('\n', f);
    }
    if (r->n_new_replicas)
        fputs("\nA replica serves reads only once it has joined the readers: built, then "
              "caught up on the writes made since it was asked for.\n\n",
              f);
    if (!a->present)
        return;
    fprintf(f, "Auto scaling: %d to %d Aurora Replicas, target %g%s, cooldowns %.0f s out and "
               "%.0f s in.\n\n",
            a->min, a->max, a->target,
            a->by_connections ? " connections per reader" : " % CPU (readers' average)",
            (double)a->scale_out_cooldown / RDSIM_S, (double)a->scale_in_cooldown / RDSIM_S);
    for (size_t i = 0; i < r->n_scaling; i++) {
        const struct rdsim_scaling_result *x = &r->scaling[i];
        fprintf(f, "- %.1f s: %s %d -> %d (readers' average %.1f%s)\n", (double)x->at / RDSIM_S,
                x->out ? "scale out" : "scale in", x->from, x->to, x->metric,
                a->by_connections ? " connections" : " %");
    }
    if (r->n_scaling == 0)
        fputs("- no action\n", f);
    fputc('\n', f);
}

void report_replicas_story(FILE *f, const struct rdsim_results *r)
{
    for (size_t i = 0; i < r->n_new_replicas; i++) {
        const struct rdsim_replica_result *x = &r->new_replicas[i];
        if (x->available >= 0)
            fprintf(f, "%s %s joined the readers at %.0f s, %.0f s after it was asked for%s. ",
                    x->autoscaled ? "Autoscaled replica" : "New replica", x->name,
                    (double)x->available / RDSIM_S, (double)(x->available - x->at) / RDSIM_S,
                    x->removed >= 0 ? "" : "");
        else
            fprintf(f, "%s %s, asked for at %.0f s, had not joined the readers by the end. ",
                    x->autoscaled ? "Autoscaled replica" : "New replica", x->name,
                    (double)x->at / RDSIM_S);
        if (x->removed >= 0)
            fprintf(f, "Auto scaling removed %s at %.0f s. ", x->name,
                    (double)x->removed / RDSIM_S);
    }
    if (r->sc->cluster.autoscaling.present && r->n_scaling == 0)
        fputs("Auto scaling took no action. ", f);
}
