/*
 * endpoints.c - what a client reaches: whether an instance answers a
 * request, where the writer and reader endpoints (DNS, RDS Proxy, a
 * topology-aware driver) send it, the network between clients and
 * instances, and the replication figures the clients' reads are judged by.
 *
 * Nothing here changes the cluster's state but the routing streams the
 * callers pass in; faults and failovers (cluster.c, failover.c) move the
 * endpoints, this file only reads them.
 */
#include "cluster_impl.h"

enum rdsim_answer rdsim_cluster_can_answer(const struct rdsim_cluster *c, size_t i,
                                           enum rdsim_op_kind kind)
{
    switch (rdsim_cluster_health(c, i)) {
    case RDSIM_HEALTH_UNREACHABLE:
        return RDSIM_ANSWER_TIMEOUT;
    case RDSIM_HEALTH_STARTING:
        return RDSIM_ANSWER_REFUSED;
    case RDSIM_HEALTH_UP:
        break;
    }
    if (kind == RDSIM_OP_READ && !rdsim_cluster_can_read(c, i))
        return RDSIM_ANSWER_NO_QUORUM;
    if (kind == RDSIM_OP_WRITE && i != c->writer)
        return RDSIM_ANSWER_READ_ONLY;
    if (!rdsim_cluster_serves_reads(c, i))
        return RDSIM_ANSWER_NOT_SERVING;
    return RDSIM_ANSWER_YES;
}

bool rdsim_cluster_serves_reads(const struct rdsim_cluster *c, size_t i)
{
    /* A standalone instance has its own storage and answers everything. */
    if (c->inst[i].standalone)
        return true;
    return !c->ops->serves_reads || c->ops->serves_reads(c, i);
}

/* A read replica at random: the application spreads reads over the
 * replicas' instance endpoints. -1 when there is none. */
static int any_replica(struct rdsim_cluster *c, struct rdsim_rng *rng)
{
    size_t n = 0, k;

    for (size_t i = 0; i < c->n_inst; i++)
        n += c->inst[i].role == RDSIM_ROLE_REPLICA && instance_is_member(&c->inst[i]);
    if (n == 0)
        return -1;
    k = rdsim_rng_below(rng, n);
    for (size_t i = 0; i < c->n_inst; i++)
        if (c->inst[i].role == RDSIM_ROLE_REPLICA && instance_is_member(&c->inst[i]) && k-- == 0)
            return (int)i;
    return -1;
}

static int reader_for(struct rdsim_cluster *c, size_t writer, struct rdsim_rng *rng)
{
    int r;

    if (c->has_reader_endpoint)
        return c->n_readers ? c->readers[rdsim_rng_below(rng, c->n_readers)] : (int)writer;
    r = any_replica(c, rng);
    return r >= 0 ? r : (int)writer;
}

int rdsim_cluster_lookup(struct rdsim_cluster *c, enum rdsim_endpoint ep, struct rdsim_rng *rng)
{
    return ep == RDSIM_EP_WRITER ? (int)c->dns_writer : reader_for(c, c->dns_writer, rng);
}

int rdsim_cluster_proxy_route(struct rdsim_cluster *c, enum rdsim_endpoint ep,
                              struct rdsim_rng *rng)
{
    return ep == RDSIM_EP_WRITER ? (int)c->proxy_writer : reader_for(c, c->proxy_writer, rng);
}

int rdsim_cluster_topology_route(struct rdsim_cluster *c, enum rdsim_endpoint ep,
                                 struct rdsim_rng *rng)
{
    return ep == RDSIM_EP_WRITER ? (int)c->topo_writer : reader_for(c, c->topo_writer, rng);
}

bool rdsim_cluster_can_commit(const struct rdsim_cluster *c)
{
    return !c->ops->can_commit || c->ops->can_commit(c);
}

bool rdsim_cluster_can_read(const struct rdsim_cluster *c, size_t i)
{
    if (c->inst[i].standalone)
        return true;
    return !c->ops->can_read || c->ops->can_read(c, i);
}

uint32_t rdsim_cluster_endpoint_generation(const struct rdsim_cluster *c)
{
    return c->writer_endpoint_gen;
}

rdsim_time_t rdsim_cluster_lag(const struct rdsim_cluster *c, size_t i)
{
    return repl_lag(c, i);
}

rdsim_time_t rdsim_cluster_staleness(const struct rdsim_cluster *c, size_t i)
{
    return repl_staleness(c, i);
}

rdsim_time_t rdsim_cluster_lag_sample(struct rdsim_cluster *c, size_t i)
{
    return repl_lag_sample(c, i);
}

rdsim_time_t rdsim_cluster_lag_last(const struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].lag_last;
}

const struct rdsim_hist *rdsim_cluster_lag_hist(const struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].lag;
}

bool rdsim_cluster_tracks_lag(const struct rdsim_cluster *c)
{
    return c->n_slots > 1;
}

struct rdsim_range cluster_rtt_range(const struct rdsim_cluster *c, size_t a, size_t b)
{
    const struct rdsim_topology *t = &c->sc->topology;

    if (c->inst[a].region != c->inst[b].region)
        return t->rtt_cross_region;
    if (c->inst[a].az == c->inst[b].az)
        return t->rtt_same_az;
    return t->rtt_cross_az;
}

rdsim_time_t cluster_rtt(struct rdsim_cluster *c, size_t a, size_t b)
{
    struct rdsim_range r = cluster_rtt_range(c, a, b);

    return rdsim_rng_range(&c->rng_net, r.lo, r.hi);
}

size_t rdsim_cluster_client_azs(const struct rdsim_cluster *c)
{
    return c->n_client_az;
}

rdsim_time_t rdsim_cluster_one_way(struct rdsim_cluster *c, size_t client_az, size_t i,
                                   struct rdsim_rng *rng)
{
    return rdsim_cluster_one_way_az(c, c->client_az0 + client_az, i, rng);
}

bool rdsim_cluster_is_remote(const struct rdsim_cluster *c, size_t az, size_t i)
{
    return c->az_region[az] != c->inst[i].region;
}

rdsim_time_t rdsim_cluster_one_way_az(struct rdsim_cluster *c, size_t az, size_t i,
                                      struct rdsim_rng *rng)
{
    const struct rdsim_topology *t = &c->sc->topology;
    struct rdsim_range r;

    if (c->az_region[az] != c->inst[i].region)
        r = t->rtt_cross_region;
    else if (az == c->inst[i].az)
        r = t->rtt_same_az;
    else
        r = t->rtt_cross_az;
    return rdsim_rng_range(rng, r.lo, r.hi) / 2;
}

size_t rdsim_cluster_client_az(const struct rdsim_cluster *c, int region, size_t client)
{
    size_t first = 0, n = 0;

    if (region < 0)
        return c->client_az0 + client % c->n_client_az;
    for (size_t a = 0; a < c->n_az; a++) {
        if (c->az_region[a] != (size_t)region)
            continue;
        if (n++ == 0)
            first = a;
    }
    /* The topology's AZs are listed region by region: they are contiguous. */
    return n ? first + client % n : c->client_az0 + client % c->n_client_az;
}

/* Does instance i serve the reads of the clients in its Region? */
static bool regional_reader(const struct rdsim_cluster *c, size_t i)
{
    if (i == c->writer || !instance_is_member(&c->inst[i]))
        return false; /* a new replica reads only once it has joined */
    if (c->inst[i].role == RDSIM_ROLE_REPLICA)
        return true;
    for (size_t k = 0; c->has_reader_endpoint && k < c->n_readers; k++)
        if (c->readers[k] == (int)i)
            return true;
    return false;
}

int rdsim_cluster_region_reader(struct rdsim_cluster *c, size_t region, struct rdsim_rng *rng)
{
    size_t n = 0, k;

    for (size_t i = 0; i < c->n_inst; i++)
        n += c->inst[i].region == region && regional_reader(c, i);
    if (n == 0)
        return -1;
    k = rdsim_rng_below(rng, n);
    for (size_t i = 0; i < c->n_inst; i++)
        if (c->inst[i].region == region && regional_reader(c, i) && k-- == 0)
            return (int)i;
    return -1;
}

size_t rdsim_cluster_readers(const struct rdsim_cluster *c, int *out, size_t cap)
{
    size_t n = 0;

    if (c->has_reader_endpoint) {
        for (size_t k = 0; k < c->n_readers && n < cap; k++)
            out[n++] = c->readers[k];
        return n;
    }
    for (size_t i = 0; i < c->n_inst && n < cap; i++)
        if (c->inst[i].role == RDSIM_ROLE_REPLICA && instance_is_member(&c->inst[i]))
            out[n++] = (int)i;
    return n;
}
