/*
 * instances.c - a run's figures per instance, copied from the cluster into
 * its results: replication lag (summary.json `replica_lag_ms`) and Aurora
 * Serverless v2 capacity (`serverless`).
 */
#include <stdlib.h>

#include "run_impl.h"

int run_collect_lags(const struct rdsim_cluster *c, struct rdsim_results *res, struct rdsim_err *err)
{
    size_t n = rdsim_cluster_instance_slots(c);

    res->lags = calloc(n, sizeof(*res->lags));
    if (!res->lags)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const struct rdsim_hist *h = rdsim_cluster_lag_hist(c, i);
        struct rdsim_lag_result *l;
        if (!rdsim_cluster_tracks_lag(c))
            continue;
        l = &res->lags[res->n_lags++];
        l->name = rdsim_cluster_instance_name(c, i);
        l->has_lag = h && h->count;
        if (l->has_lag) {
            l->mean_ms = rdsim_hist_mean(h) / RDSIM_MS;
            l->p99_ms = (double)rdsim_hist_quantile(h, 0.99) / RDSIM_MS;
            l->max_ms = (double)h->max / RDSIM_MS;
        }
    }
    return 0;
}

int run_collect_acus(const struct rdsim_cluster *c, const double *acu_peak, rdsim_time_t duration,
                     struct rdsim_results *res, struct rdsim_err *err)
{
    size_t n = rdsim_cluster_instance_count(c);

    res->acus = calloc(n, sizeof(*res->acus));
    if (!res->acus)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct rdsim_acu_result *a;
        if (rdsim_cluster_acu(c, i) <= 0)
            continue;
        a = &res->acus[res->n_acus++];
        a->name = rdsim_cluster_instance_name(c, i);
        a->acu_seconds = rdsim_cluster_acu_seconds(c, i);
        a->mean_acu = a->acu_seconds / ((double)duration / RDSIM_S);
        a->peak_acu = acu_peak ? acu_peak[i] : 0;
    }
    return 0;
}
