/*
 * failover.c - the failover module: one failover's record, its phases, the
 * explanation line and the one code path that crowns a new writer.
 *
 * A failover goes: the fault or the request (failover_begin opens the
 * record), detection (the `detected` event here: if the writer came back
 * meanwhile and nobody asked for a failover, nothing happens), the target
 * chosen (the deployment's decision: ops->failover_detected picks a
 * candidate, says why in the explanation and schedules its promotion, or
 * deals with having none), the promotion (the deployment checks that the
 * candidate is still fit, then calls failover_crown), endpoints
 * switching (failover_follow_writer: driver, RDS Proxy, then DNS) and
 * writes resuming (seen by the clients, measured by the run). A read
 * replica's promotion and a Global Database failover use the same record
 * and the same crowning. Once the application writes to a restored
 * instance (backup.c), none opens or crowns: the old deployment no longer
 * owns the writer endpoint.
 *
 * Invariants: only this file creates records and stamps `detected`,
 * `promoted` and `dns_updated`; a record is never removed, so an event
 * names its failover by index (fo_arg) and a stale event recognises
 * that the writer changed since. Deliberately not here: which candidate
 * wins and how long a phase takes (rds.c, aurora.c), and how long clients
 * saw the writer down (src/run, from the workload's writes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

static const char *const cause_names[RDSIM_CAUSE_COUNT] = {
    [RDSIM_CAUSE_AZ_OUTAGE] = "az-outage",
    [RDSIM_CAUSE_REGION_OUTAGE] = "region-outage",
    [RDSIM_CAUSE_INSTANCE_FAILURE] = "instance-failure",
    [RDSIM_CAUSE_STORAGE_FAILURE] = "storage-failure",
    [RDSIM_CAUSE_NO_WRITE_QUORUM] = "no-write-quorum",
    [RDSIM_CAUSE_REBOOT] = "reboot",
    [RDSIM_CAUSE_FAILOVER] = "failover",
    [RDSIM_CAUSE_PROMOTE] = "promote",
    [RDSIM_CAUSE_GLOBAL_SWITCHOVER] = "global-switchover",
    [RDSIM_CAUSE_GLOBAL_FAILOVER] = "global-failover",
    [RDSIM_CAUSE_STANDBY_BACK] = "standby-back",
    [RDSIM_CAUSE_GLOBAL_DB_RPO] = "global-db-rpo",
    [RDSIM_CAUSE_BACKTRACK] = "backtrack",
};

const char *rdsim_failover_cause_name(enum rdsim_failover_cause cause)
{
    return (unsigned)cause < RDSIM_CAUSE_COUNT ? cause_names[cause] : "?";
}

bool rdsim_failover_cause_is_requested(enum rdsim_failover_cause cause)
{
    return cause == RDSIM_CAUSE_FAILOVER || cause == RDSIM_CAUSE_REBOOT;
}

enum rdsim_failover_cause failover_cause_of(enum rdsim_action a)
{
    switch (a) {
    case RDSIM_ACT_AZ_OUTAGE:
        return RDSIM_CAUSE_AZ_OUTAGE;
    case RDSIM_ACT_REGION_OUTAGE:
        return RDSIM_CAUSE_REGION_OUTAGE;
    case RDSIM_ACT_INSTANCE_FAILURE:
        return RDSIM_CAUSE_INSTANCE_FAILURE;
    case RDSIM_ACT_REBOOT:
        return RDSIM_CAUSE_REBOOT;
    case RDSIM_ACT_FAILOVER:
        return RDSIM_CAUSE_FAILOVER;
    case RDSIM_ACT_PROMOTE:
        return RDSIM_CAUSE_PROMOTE;
    case RDSIM_ACT_STORAGE_FAILURE:
        return RDSIM_CAUSE_STORAGE_FAILURE;
    case RDSIM_ACT_GLOBAL_FAILOVER:
        return RDSIM_CAUSE_GLOBAL_FAILOVER;
    case RDSIM_ACT_REPLICA_LAG:
    case RDSIM_ACT_LOAD:
    case RDSIM_ACT_SNAPSHOT:
    case RDSIM_ACT_RESTORE:
    case RDSIM_ACT_CREATE_REPLICA:
        break;
    case RDSIM_ACT_BACKTRACK:
        return RDSIM_CAUSE_BACKTRACK;
    }
    return RDSIM_CAUSE_COUNT; /* these never take the writer away */
}

/* ---- the record ------------------------------------------------------------ */

size_t rdsim_cluster_failover_count(const struct rdsim_cluster *c)
{
    return c->n_failovers;
}

const struct rdsim_failover *rdsim_cluster_failover_at(const struct rdsim_cluster *c,
                                                       size_t k)
{
    return &c->failovers[k];
}

struct rdsim_failover *failover_open(struct rdsim_cluster *c,
                                           enum rdsim_failover_cause cause)
{
    struct rdsim_failover *f;

    /* The application was re-pointed to a restored instance: no failover
     * of the old deployment's moves it back. */
    if (c->repointed) {
        cluster_log(c, "ignored", c->inst[c->writer].cfg->name,
                    "%s: the application writes to this restored instance; the old "
                    "deployment's failovers no longer move the writer endpoint",
                    rdsim_failover_cause_name(cause));
        return NULL;
    }
    if (c->n_failovers == c->cap_failovers) {
        size_t cap = c->cap_failovers ? 2 * c->cap_failovers : 4;
        void *p = realloc(c->failovers, cap * sizeof(*c->failovers));
        if (!p) {
            rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
            return NULL;
        }
        c->failovers = p;
        c->cap_failovers = cap;
    }
    f = &c->failovers[c->n_failovers++];
    memset(f, 0, sizeof(*f));
    f->at = rdsim_sim_now(c->sim);
    f->cause = cause;
    f->detected = f->promoted = f->dns_updated = -1;
    snprintf(f->from, sizeof(f->from), "%s", c->inst[c->writer].cfg->name);
    return f;
}

size_t failover_index(const struct rdsim_cluster *c, const struct rdsim_failover *f)
{
    return (size_t)(f - c->failovers);
}

void failover_explain(struct rdsim_failover *f, const char *fmt, ...)
{
    size_t len = strlen(f->explanation);
    va_list ap;

    if (len + 1 >= sizeof(f->explanation))
        return;
    va_start(ap, fmt);
    vsnprintf(f->explanation + len, sizeof(f->explanation) - len, fmt, ap);
    va_end(ap);
}

void failover_explain_anew(struct rdsim_failover *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(f->explanation, sizeof(f->explanation), fmt, ap);
    va_end(ap);
}

void failover_mark_detected(const struct rdsim_cluster *c, struct rdsim_failover *f)
{
    f->detected = rdsim_sim_now(c->sim);
}

void failover_set_unapplied(struct rdsim_failover *f, uint64_t writes)
{
    f->unapplied_writes = writes;
}

void failover_set_target(const struct rdsim_cluster *c, struct rdsim_failover *f,
                               int to)
{
    if (to < 0)
        f->to[0] = '\0';
    else
        snprintf(f->to, sizeof(f->to), "%s", c->inst[to].cfg->name);
}

void failover_abandon(struct rdsim_cluster *c, struct rdsim_failover *f, size_t to,
                            const char *fmt, ...)
{
    size_t len = strlen(f->explanation);
    va_list ap;

    if (len + 1 < sizeof(f->explanation)) {
        va_start(ap, fmt);
        vsnprintf(f->explanation + len, sizeof(f->explanation) - len, fmt, ap);
        va_end(ap);
    }
    f->to[0] = '\0';
    cluster_log(c, "abandoned", c->inst[to].cfg->name, "%s", f->explanation);
}

void failover_supersede(struct rdsim_cluster *c, struct rdsim_failover *f, const char *by)
{
    failover_explain(f, "%sabandoned at %.1f s: %s takes over", f->explanation[0] ? "; " : "",
                     (double)rdsim_sim_now(c->sim) / RDSIM_S, by);
    f->to[0] = '\0';
    f->superseded = true;
    cluster_log(c, "abandoned", f->from, "%s", f->explanation);
}

bool cluster_failover_running(const struct rdsim_cluster *c)
{
    const struct rdsim_failover *f;

    if (c->n_failovers == 0)
        return false;
    f = &c->failovers[c->n_failovers - 1];
    if (f->cause == RDSIM_CAUSE_PROMOTE)
        return false; /* a read replica's promotion runs beside failovers */
    if (f->detected < 0)
        return true;
    return f->to[0] != '\0' && f->promoted < 0;
}

/* ---- phases ---------------------------------------------------------------- */

static void detected(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t fi = arg >> 8;
    int wanted = (arg & 0xff) == 0xff ? -1 : (int)(arg & 0xff);
    struct rdsim_failover *f = &c->failovers[fi];

    if (f->superseded)
        return;
    f->detected = rdsim_sim_now(sim);
    if (instance_serving(c, c->writer) &&
        !rdsim_failover_cause_is_requested(f->cause)) {
        snprintf(f->explanation, sizeof(f->explanation),
                 "the writer was back before the failure was acted on: no failover");
        cluster_log(c, "detected", c->inst[c->writer].cfg->name, "%s",
                          f->explanation);
        return;
    }
    c->ops->failover_detected(c, f, wanted);
}

void failover_begin(struct rdsim_cluster *c, enum rdsim_failover_cause cause,
                          int wanted, struct rdsim_range detection)
{
    struct rdsim_failover *f = failover_open(c, cause);

    if (!f)
        return;
    cluster_after(c, cluster_draw(c, detection), detected,
                        fo_arg(failover_index(c, f), wanted));
}

int failover_crown(struct rdsim_cluster *c, struct rdsim_failover *f, size_t from,
                         size_t to, bool replicas_follow)
{
    struct rdsim_err err;

    /* One begun before the application was re-pointed ends here. */
    if (c->repointed) {
        failover_abandon(c, f, to, "%sthe application writes to %s, a restored instance, now",
                         f->explanation[0] ? "; " : "", c->inst[c->writer].cfg->name);
        return RDSIM_EINVAL;
    }
    repl_detach(c, to);
    if (c->obs.new_writer &&
        c->obs.new_writer(c->obs.ctx, c->inst[to].db, &f->lost_writes,
                          &f->lost_writes_bounded, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return err.code;
    }
    f->promoted = rdsim_sim_now(c->sim);
    c->writer = to;
    c->inst[to].role = RDSIM_ROLE_WRITER;
    repl_writer_changed(c);
    if (replicas_follow) {
        /* The old writer's replicas switch to the new one, which holds its
         * log (facts 1) or its volume. */
        for (size_t i = 0; i < c->n_inst; i++) {
            if (c->inst[i].source == (int)from) {
                c->inst[i].source = (int)to;
                repl_resume(c, i);
            }
        }
    }
    return 0;
}

/* ---- endpoints follow the new writer ---------------------------------------- */

static void topology_switch(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    if (i == c->writer) /* else a later failover moved the writer again */
        c->topo_writer = i;
}

static void proxy_switch(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    if (i != c->writer)
        return;
    c->proxy_writer = i;
    if (c->sc->clients.connection == RDSIM_CONN_RDS_PROXY)
        cluster_log(c, "proxy", c->inst[i].cfg->name,
                          "RDS Proxy routes writes here");
}

static void dns_switch(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    struct rdsim_failover *f = &c->failovers[arg >> 8];
    size_t to = arg & 0xff;

    if (to != c->writer)
        return;
    f->dns_updated = rdsim_sim_now(sim);
    c->dns_writer = to;
    if (c->ops->refresh_readers)
        c->ops->refresh_readers(c);
    cluster_log(c, "dns", "writer endpoint", "now resolves to %s (TTL %.0f s)",
                      c->inst[to].cfg->name, (double)c->sc->cluster.dns_ttl / RDSIM_S);
}

void failover_follow_writer(struct rdsim_cluster *c, size_t fi, size_t to,
                                  struct rdsim_range dns_delay)
{
    cluster_after(c, cluster_draw(c, RDSIM_TOPOLOGY_NOTICE), topology_switch,
                        to);
    cluster_after(c, cluster_draw(c, RDSIM_PROXY_NOTICE), proxy_switch, to);
    cluster_after(c, cluster_draw(c, dns_delay), dns_switch,
                        fo_arg(fi, (int)to));
}

void failover_repoint(struct rdsim_cluster *c, struct rdsim_failover *f, size_t to)
{
    /* A new endpoint: no client has it cached. */
    f->dns_updated = rdsim_sim_now(c->sim);
    c->dns_writer = c->proxy_writer = c->topo_writer = to;
    c->writer_endpoint_gen++;
}

/* ---- what a promotion discards ---------------------------------------------- */

struct diverged {
    struct rdsim_db *other;
    uint64_t writes;
    struct rdsim_err *err;
};

static int count_diverged(void *ctx, int64_t key, const struct rdsim_row *row)
{
    struct diverged *d = ctx;
    struct rdsim_row o;

    if (rdsim_db_read(d->other, key, &o, d->err) != 0)
        return -1;
    if (row->cnt > o.cnt)
        d->writes += (uint64_t)(row->cnt - o.cnt);
    return 0;
}

int failover_diverged(struct rdsim_cluster *c, size_t from, size_t to,
                            uint64_t *writes)
{
    struct rdsim_err err;
    struct diverged d = {.other = c->inst[to].db, .err = &err};

    if (rdsim_db_flush(c->inst[from].db, NULL, &err) != 0 ||
        rdsim_db_scan(c->inst[from].db, count_diverged, &d, &err) != 0) {
        rdsim_sim_fail(c->sim, &err);
        return err.code;
    }
    *writes = d.writes;
    return 0;
}
