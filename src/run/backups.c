/*
 * backups.c - the snapshots, restores and backtracks of a run, copied from
 * the cluster into its results (summary.json `snapshots`, `restores` and
 * `backtracks`); then the new replicas' (replicas.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "run_impl.h"

int run_collect_backups(const struct rdsim_cluster *c, struct rdsim_results *res,
                        struct rdsim_err *err)
{
    size_t ns = rdsim_cluster_snapshot_count(c), nr = rdsim_cluster_restore_count(c), nb;

    if (ns && !(res->snapshots = calloc(ns, sizeof(*res->snapshots))))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    if (nr && !(res->restores = calloc(nr, sizeof(*res->restores))))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (size_t k = 0; k < ns; k++) {
        const struct rdsim_snapshot_info *s = rdsim_cluster_snapshot_at(c, k);
        struct rdsim_snapshot_result *o = &res->snapshots[k];
        snprintf(o->name, sizeof(o->name), "%s", s->name);
        o->target = s->target;
        o->at = s->at;
        o->ready = s->ready;
        o->source = s->source;
        o->io_pause = s->io_pause;
        o->bytes = s->bytes;
        o->taken = s->taken;
    }
    res->n_snapshots = ns;
    for (size_t k = 0; k < nr; k++) {
        const struct rdsim_restore_info *r = rdsim_cluster_restore_at(c, k);
        res->restores[k] = (struct rdsim_restore_result){
            .name = r->name, .from = r->from, .at = r->at, .restore_point = r->restore_point,
            .latest_restorable = r->latest_restorable, .available = r->available,
            .writer_at = r->writer_at, .become_writer = r->become_writer, .done = r->done,
            .lost_writes = r->lost_writes, .lost_writes_bounded = r->lost_writes_bounded};
    }
    res->n_restores = nr;
    nb = rdsim_cluster_backtrack_count(c);
    if (nb && !(res->backtracks = calloc(nb, sizeof(*res->backtracks))))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (size_t k = 0; k < nb; k++) {
        const struct rdsim_backtrack_info *b = rdsim_cluster_backtrack_at(c, k);
        res->backtracks[k] = (struct rdsim_backtrack_result){
            .at = b->at, .to = b->to, .available = b->available, .done = b->done,
            .undone_writes = b->undone_writes, .discarded_writes = b->discarded_writes,
            .discarded_writes_bounded = b->discarded_writes_bounded};
    }
    res->n_backtracks = nb;
    return run_collect_replicas(c, res, err);
}
