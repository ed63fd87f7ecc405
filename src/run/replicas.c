/*
 * replicas.c - the replicas a run created and auto scaling's actions,
 * copied from the cluster into its results (summary.json
 * `replicas_created` and `autoscaling`).
 */
#include <stdlib.h>

#include "run_impl.h"

int run_collect_replicas(const struct rdsim_cluster *c, struct rdsim_results *res,
                         struct rdsim_err *err)
{
    size_t nr = rdsim_cluster_new_replica_count(c), na = rdsim_cluster_scaling_count(c);

    if (nr && !(res->new_replicas = calloc(nr, sizeof(*res->new_replicas))))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    if (na && !(res->scaling = calloc(na, sizeof(*res->scaling))))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (size_t k = 0; k < nr; k++) {
        const struct rdsim_replica_info *x = rdsim_cluster_new_replica_at(c, k);
        res->new_replicas[k] = (struct rdsim_replica_result){
            .name = x->name, .az = x->az, .at = x->at, .built = x->built,
            .available = x->available, .removed = x->removed,
            .backlog_writes = x->backlog_writes, .reads_served = x->reads_served,
            .first_read = x->first_read, .autoscaled = x->autoscaled};
    }
    res->n_new_replicas = nr;
    for (size_t k = 0; k < na; k++) {
        const struct rdsim_scaling_info *x = rdsim_cluster_scaling_at(c, k);
        res->scaling[k] = (struct rdsim_scaling_result){
            .at = x->at, .out = x->out, .from = x->from, .to = x->to, .metric = x->metric};
    }
    res->n_scaling = na;
    return 0;
}
