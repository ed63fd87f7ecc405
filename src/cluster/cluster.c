/*
 * cluster.c - instances, their health and the fault machinery (what the
 * clients reach through the endpoints is endpoints.c's).
 *
 * Faults from the scenario change instance and AZ health here, the same way
 * for every deployment; the deployment (ops) then decides what follows. An
 * instance's health is derived, never stored twice: unreachable while its
 * host is down or its AZ is out, refusing connections while its engine
 * starts, up otherwise.
 *
 * Scheduled events name instances by index and AZs by index (the event's
 * argument), never by pointer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

static const struct rdsim_deployment_ops *ops_for(enum rdsim_deployment d)
{
    switch (d) {
    case RDSIM_DEPLOY_AURORA:
        return &aurora_ops;
    case RDSIM_DEPLOY_SINGLE_AZ:
    case RDSIM_DEPLOY_MULTI_AZ_INSTANCE:
    case RDSIM_DEPLOY_MULTI_AZ_CLUSTER:
        break;
    }
    return &rds_ops;
}

void cluster_log(struct rdsim_cluster *c, const char *kind, const char *subject,
                       const char *fmt, ...)
{
    char detail[512];
    va_list ap;

    if (!c->obs.event)
        return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    c->obs.event(c->obs.ctx, rdsim_sim_now(c->sim), kind, subject, detail);
}

rdsim_time_t cluster_draw(struct rdsim_cluster *c, struct rdsim_range r)
{
    return rdsim_rng_range(&c->rng_faults, r.lo, r.hi);
}

int cluster_find_az(const struct rdsim_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->n_az; i++)
        if (strcmp(c->az_names[i], name) == 0)
            return (int)i;
    return -1;
}

static size_t find_region(const struct rdsim_cluster *c, const char *name)
{
    size_t r = 0;

    while (r < c->sc->topology.n_regions && strcmp(c->sc->topology.regions[r].name, name) != 0)
        r++;
    return r;
}

int cluster_find_instance(const struct rdsim_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->n_inst; i++)
        if (strcmp(c->inst[i].cfg->name, name) == 0)
            return (int)i;
    return -1;
}

int rdsim_cluster_create(struct rdsim_sim *sim, const struct rdsim_cluster_config *cfg,
                         struct rdsim_cluster **out, struct rdsim_err *err)
{
    const struct rdsim_scenario *sc = cfg->scenario;
    struct rdsim_cluster *c;
    size_t n_az = 0, k = 0;
    int rc;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    c->sim = sim;
    c->sc = sc;
    c->obs = cfg->observer;
    c->keep_db_dir = cfg->keep_db_dir;
    c->verify = cfg->verify;
    c->backup_memory_max = cfg->backup_memory_max > 0 ? cfg->backup_memory_max
                                                       : RDSIM_SNAPSHOT_MEMORY_MAX;
    c->ops = ops_for(sc->cluster.deployment);
    rdsim_rng_init(&c->rng_net, cfg->seed, "network");
    rdsim_rng_init(&c->rng_service, cfg->seed, "service");
    rdsim_rng_init(&c->rng_faults, cfg->seed, "faults");
    rdsim_rng_init(&c->rng_routing, cfg->seed, "routing");

    for (size_t r = 0; r < sc->topology.n_regions; r++)
        n_az += sc->topology.regions[r].n_azs;
    c->az_names = calloc(n_az, sizeof(*c->az_names));
    c->az_region = calloc(n_az, sizeof(*c->az_region));
    c->az_out = calloc(n_az, sizeof(*c->az_out));
    c->inst = calloc(sc->cluster.n_instances, sizeof(*c->inst));
    c->readers = calloc(sc->cluster.n_instances, sizeof(*c->readers));
    if (!c->az_names || !c->az_region || !c->az_out || !c->inst || !c->readers) {
        rc = rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t r = 0; r < sc->topology.n_regions; r++) {
        for (size_t a = 0; a < sc->topology.regions[r].n_azs; a++, k++) {
            c->az_names[k] = sc->topology.regions[r].azs[a];
            c->az_region[k] = r;
        }
    }
    c->n_az = n_az;
    rc = repl_init(c, cfg->seed, err);
    if (rc)
        goto fail;

    c->n_inst = c->n_slots = sc->cluster.n_instances;
    for (size_t i = 0; i < c->n_inst; i++) {
        /* Every instance starts with the same rows: copy the first's. */
        rc = instance_open(c, i, &sc->cluster.instances[i], i > 0 ? c->inst[0].db : NULL, err);
        if (rc)
            goto fail;
    }
    c->writer = c->dns_writer = c->proxy_writer = c->topo_writer = sc->cluster.writer;

    /* Clients live in the writer's region, spread over its AZs. */
    for (size_t a = 0; a < c->n_az; a++) {
        if (c->az_region[a] == c->inst[c->writer].region) {
            if (c->n_client_az == 0)
                c->client_az0 = a;
            c->n_client_az++;
        }
    }

    rc = c->ops->init(c, err);
    if (rc == 0)
        rc = backup_init(c, err);
    if (rc == 0)
        rc = backtrack_init(c, err);
    if (rc == 0)
        rc = replicas_init(c, err);
    if (rc)
        goto fail;
    *out = c;
    return 0;
fail:
    rdsim_cluster_destroy(c);
    return rc;
}

void rdsim_cluster_destroy(struct rdsim_cluster *c)
{
    if (!c)
        return;
    repl_free(c);
    backtrack_free(c);
    backup_free(c);
    replicas_free(c);
    if (c->ops)
        c->ops->destroy(c);
    for (size_t i = 0; c->inst && i < c->n_slots; i++)
        instance_free(&c->inst[i]);
    free(c->inst);
    free(c->slot_names);
    free(c->readers);
    free(c->failovers);
    free(c->az_names);
    free(c->az_region);
    free(c->az_out);
    free(c);
}

size_t rdsim_cluster_instance_count(const struct rdsim_cluster *c)
{
    return c->n_inst;
}

const char *rdsim_cluster_instance_name(const struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].cfg->name;
}

const struct rdsim_instance_cfg *rdsim_cluster_instance_cfg(const struct rdsim_cluster *c,
                                                            size_t i)
{
    return c->inst[i].cfg;
}

size_t rdsim_cluster_writer(const struct rdsim_cluster *c)
{
    return c->writer;
}

struct rdsim_db *rdsim_cluster_db(struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].db;
}

bool instance_serving(const struct rdsim_cluster *c, size_t i)
{
    return instance_reachable(c, i) && !c->inst[i].starting;
}

bool instance_reachable(const struct rdsim_cluster *c, size_t i)
{
    const struct rdsim_instance *in = &c->inst[i];
    return !in->host_down && !in->fenced && !in->creating && !in->removed &&
           c->az_out[in->az] == 0;
}

enum rdsim_health rdsim_cluster_health(const struct rdsim_cluster *c, size_t i)
{
    if (!instance_reachable(c, i))
        return RDSIM_HEALTH_UNREACHABLE;
    return c->inst[i].starting ? RDSIM_HEALTH_STARTING : RDSIM_HEALTH_UP;
}

const char *rdsim_cluster_state_name(const struct rdsim_cluster *c, size_t i)
{
    const struct rdsim_instance *in = &c->inst[i];

    if (i >= c->n_inst || in->removed)
        return "absent"; /* not created yet, or removed by auto scaling */
    if (in->creating || (in->joining && instance_reachable(c, i)))
        return "creating";
    if (!instance_reachable(c, i))
        return "down";
    if (in->starting)
        return "starting";
    if (in->detached)
        return "detached";
    if (in->standalone && i != c->writer)
        return "standalone";
    return rdsim_role_name(in->role);
}

/* Percent of the class's write_service a commit spends on a vCPU and on the
 * storage path, by engine (params.h). */
static int write_cpu_pct(const struct rdsim_cluster *c)
{
    switch (c->sc->cluster.engine) {
    case RDSIM_ENGINE_AURORA_MYSQL:
        return RDSIM_WRITE_CPU_PCT_AURORA_MYSQL;
    case RDSIM_ENGINE_AURORA_POSTGRES:
        return RDSIM_WRITE_CPU_PCT_AURORA_POSTGRES;
    case RDSIM_ENGINE_MYSQL:
    case RDSIM_ENGINE_POSTGRES:
    case RDSIM_ENGINE_MARIADB:
        break;
    }
    return RDSIM_WRITE_CPU_PCT_RDS;
}

/* A write's share of the storage path (params.h), which the instance's
 * vCPUs share: booked in arrival order (`t`, as the vCPUs are), it may
 * overlap the write's CPU work; the write is ready to flush when both are
 * done. The flush latency itself is rdsim_cluster_commit_delay's: group
 * commit makes commits waiting together share one flush, so the latency adds
 * to each commit but never queues them. */
static rdsim_time_t storage_path(struct rdsim_cluster *c, size_t i, rdsim_time_t t,
                                 rdsim_time_t cpu_done)
{
    struct rdsim_instance *in = &c->inst[i];
    int pct = c->sc->cluster.deployment == RDSIM_DEPLOY_AURORA ? RDSIM_WRITE_IO_PCT_AURORA
                                                               : RDSIM_WRITE_IO_PCT_RDS;
    rdsim_time_t io =
        in->cls->write_service * pct / 100 / (in->vcpus > 0 ? in->vcpus : 1);

    in->log_free_at = (in->log_free_at > t ? in->log_free_at : t) + io;
    return in->log_free_at > cpu_done ? in->log_free_at : cpu_done;
}

rdsim_time_t rdsim_instance_serve(struct rdsim_cluster *c, size_t i, enum rdsim_op_kind kind,
                                  rdsim_time_t t, uint32_t *epoch)
{
    struct rdsim_instance *in = &c->inst[i];
    rdsim_time_t mean = kind == RDSIM_OP_WRITE
                            ? in->cls->write_service * write_cpu_pct(c) / 100
                            : in->cls->read_service;
    int best = 0;
    rdsim_time_t start, service;

    /* FIFO over identical servers: the request takes the vCPU that frees
     * up first, which is exact for a first-come first-served M/G/c queue. */
    for (int s = 1; s < in->vcpus; s++)
        if (in->free_at[s] < in->free_at[best])
            best = s;
    start = in->free_at[best] > t ? in->free_at[best] : t;
    service = rdsim_rng_exp(&c->rng_service, mean);
    if (in->acu > 0) {
        service = (rdsim_time_t)((double)service * serverless_slowdown(in));
        in->busy += service;
    }
    in->free_at[best] = start + service;
    in->cpu_busy += service;
    in->resident += in->free_at[best] - t;
    if (kind == RDSIM_OP_READ && in->reads_served++ == 0)
        in->first_read = t;
    *epoch = in->epoch;
    if (kind == RDSIM_OP_WRITE)
        return storage_path(c, i, t, in->free_at[best]);
    return in->free_at[best];
}

uint32_t rdsim_instance_epoch(const struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].epoch;
}

rdsim_time_t rdsim_cluster_commit_delay(struct rdsim_cluster *c)
{
    return c->ops->commit_delay(c);
}

rdsim_time_t rdsim_cluster_commit_gate(struct rdsim_cluster *c, rdsim_time_t done,
                                       rdsim_time_t deadline)
{
    return c->ops->commit_gate ? c->ops->commit_gate(c, done, deadline) : done;
}

enum rdsim_action_support rdsim_cluster_supports(const struct rdsim_cluster *c,
                                                 enum rdsim_action a)
{
    return c->ops->supports(c, a);
}

bool rdsim_cluster_has_tiers(const struct rdsim_cluster *c)
{
    return c->ops->tiers;
}

void rdsim_cluster_committed(struct rdsim_cluster *c, rdsim_time_t t)
{
    repl_committed(c, t);
}

void instance_cut(struct rdsim_cluster *c, size_t i)
{
    c->inst[i].lost_at = rdsim_sim_now(c->sim);
    repl_source_cut(c, i);
}

void instance_reset(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];

    in->epoch++;
    memset(in->free_at, 0, (size_t)in->max_vcpus * sizeof(*in->free_at));
    in->log_free_at = 0;
}

static void instance_ready(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    c->inst[i].recovery = 0;
    c->inst[i].starting = false;
    if (!instance_reachable(c, i))
        return;
    c->inst[i].engine_down = false;
    cluster_log(c, "recovered", c->inst[i].cfg->name, "instance accepts connections");
    c->ops->instance_back(c, i);
}

void instance_start(struct rdsim_cluster *c, size_t i, rdsim_time_t recovery,
                          const char *why)
{
    struct rdsim_instance *in = &c->inst[i];

    if (in->recovery)
        rdsim_sim_cancel(c->sim, in->recovery);
    instance_reset(c, i);
    in->starting = true;
    cluster_log(c, "restarting", in->cfg->name, "%s; engine recovery %.1f s", why,
                      (double)recovery / RDSIM_S);
    in->recovery = cluster_after(c, recovery, instance_ready, i);
    if (i == c->writer && c->ops->writer_restarting)
        c->ops->writer_restarting(c, recovery);
}

void instance_fence(struct rdsim_cluster *c, size_t i)
{
    struct rdsim_instance *in = &c->inst[i];

    if (in->recovery) {
        rdsim_sim_cancel(c->sim, in->recovery);
        in->recovery = 0;
    }
    if (instance_reachable(c, i))
        instance_cut(c, i);
    instance_reset(c, i);
    in->fenced = true;
    in->engine_down = true;
    in->starting = false;
}

void instance_unfence(struct rdsim_cluster *c, size_t i, rdsim_time_t restart,
                            const char *why)
{
    struct rdsim_instance *in = &c->inst[i];

    if (!in->fenced)
        return;
    in->fenced = false;
    /* A host that failed meanwhile stays down: only the fence is lifted. */
    if (instance_reachable(c, i))
        instance_start(c, i, restart, why);
}

void instance_host_back(struct rdsim_cluster *c, size_t i, rdsim_time_t recovery,
                              const char *why)
{
    struct rdsim_instance *in = &c->inst[i];

    in->host_down = false;
    in->host_gen++;
    if (in->recovery) {
        rdsim_sim_cancel(c->sim, in->recovery);
        in->recovery = 0;
    }
    if (instance_reachable(c, i))
        instance_start(c, i, recovery, why);
}

void instance_replaced(struct rdsim_cluster *c, size_t i, const char *how, rdsim_time_t recovery,
                       const char *why)
{
    c->inst[i].recovery = 0;
    cluster_log(c, "replaced", c->inst[i].cfg->name, "new host in %s, %s",
                c->az_names[c->inst[i].az], how);
    instance_host_back(c, i, recovery, why);
}

rdsim_event_id cluster_after(struct rdsim_cluster *c, rdsim_time_t delay,
                                   rdsim_event_fn fn, uint64_t arg)
{
    rdsim_event_id id = rdsim_sim_after(c->sim, delay, fn, c, arg);

    if (!id)
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
    return id;
}

/* ---- faults from the scenario ------------------------------------------ */

static const struct rdsim_event_cfg *event_of(const struct rdsim_cluster *c, uint64_t e)
{
    return &c->sc->events[e];
}

/* AZ az is reachable again (its last outage ended): its instances serve
 * again. The deployment has been told (az_changed) already. */
static void az_back(struct rdsim_cluster *c, size_t az)
{
    for (size_t i = 0; i < c->n_inst; i++) {
        struct rdsim_instance *in = &c->inst[i];
        if (in->az != az || !instance_reachable(c, i) || in->starting)
            continue;
        if (in->standalone && !in->engine_down) {
            cluster_log(c, "recovered", in->cfg->name, "instance reachable again");
            continue;
        }
        /* A host that came back (or was replaced) while the AZ was cut off
         * still has a crashed engine to recover. */
        if (in->engine_down)
            instance_start(c, i, cluster_draw(c, RDSIM_CRASH_RECOVERY),
                                 "host back after the failure");
        else
            c->ops->instance_back(c, i);
    }
}

/* One outage of AZ az ends; true when it is reachable again. */
static bool az_unmark(struct rdsim_cluster *c, size_t az)
{
    if (--c->az_out[az] > 0)
        return false;
    cluster_log(c, "recovered", c->az_names[az], "AZ reachable again");
    return true;
}

static void az_restore(struct rdsim_sim *sim, void *ctx, uint64_t az)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    if (!az_unmark(c, az))
        return;
    if (c->ops->az_changed)
        c->ops->az_changed(c);
    az_back(c, az);
}

/* A region outage ends (arg: the region): every AZ at once, so that the
 * deployment sees the region back in one step. An AZ of the region whose
 * count drops to 0 is one that this outage held. */
static void region_restore(struct rdsim_sim *sim, void *ctx, uint64_t r)
{
    struct rdsim_cluster *c = ctx;
    (void)sim;

    for (size_t a = 0; a < c->n_az; a++)
        if (c->az_region[a] == r)
            az_unmark(c, a);
    if (c->ops->az_changed)
        c->ops->az_changed(c);
    for (size_t a = 0; a < c->n_az; a++)
        if (c->az_region[a] == r && c->az_out[a] == 0)
            az_back(c, a);
}

/* Mark AZ az out; true when it was reachable until now. Marked first, for
 * every AZ of an outage, so that deployments see every instance in them as
 * unreachable when they pick a survivor, and count the volume once. */
static bool az_mark(struct rdsim_cluster *c, size_t az)
{
    return c->az_out[az]++ == 0;
}

/* The instances of AZ az, which has just gone out, are cut off. */
static void az_down(struct rdsim_cluster *c, size_t az, enum rdsim_failover_cause cause,
                    bool heals)
{
    for (size_t i = 0; i < c->n_inst; i++) {
        /* A replica being built is out of reach already; a removed one is
         * nobody's. */
        if (c->inst[i].az != az || c->inst[i].host_down || c->inst[i].creating ||
            c->inst[i].removed)
            continue;
        instance_cut(c, i);
        instance_reset(c, i);
        if (i == c->writer && c->obs.writer_down)
            c->obs.writer_down(c->obs.ctx, rdsim_sim_now(c->sim), cause);
        /* A standalone instance is nobody's to fail over: it waits. */
        if (!c->inst[i].standalone)
            c->ops->instance_lost(c, i, cause, heals);
    }
}

/* The `for:` of an instance-failure is over; arg is (host_gen << 32 | i). */
static void host_restore(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t i = (uint32_t)arg;
    (void)sim;

    /* A later failure or a replacement made this heal moot. */
    if (c->inst[i].host_gen != (uint32_t)(arg >> 32) || !c->inst[i].host_down)
        return;
    instance_host_back(c, i, cluster_draw(c, RDSIM_CRASH_RECOVERY),
                             "host back after the failure");
}

/* arg: (lag_gen << 32 | i): a later replica-lag event supersedes this end. */
static void lag_end(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    size_t i = (uint32_t)arg;
    (void)sim;

    if (c->inst[i].lag_gen != (uint32_t)(arg >> 32))
        return;
    c->inst[i].extra_delay = 0;
    cluster_log(c, "recovered", c->inst[i].cfg->name, "replica-lag ends");
}

static void fire(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev);

/* Once the application writes to a restored instance (backup.c), the old
 * deployment no longer owns the writer endpoint: what would move it (a
 * failover, a promotion) is refused, and said so. */
static bool repointed_refuses(struct rdsim_cluster *c, const char *what)
{
    if (!c->repointed)
        return false;
    cluster_log(c, "ignored", c->inst[c->writer].cfg->name,
                "%s: the application writes to this restored instance; the old deployment "
                "no longer owns the writer endpoint",
                what);
    return true;
}

static void fire_event(struct rdsim_sim *sim, void *ctx, uint64_t e)
{
    (void)sim;
    fire(ctx, event_of(ctx, e));
}

/* The event acts now; nothing keeps `ev` once this returns. */
static void fire(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev)
{
    struct rdsim_sim *sim = c->sim;
    const enum rdsim_failover_cause cause = failover_cause_of(ev->action);
    char span[64] = "until the end of the run";
    int i, az;

    if (ev->has_for)
        snprintf(span, sizeof(span), "for %.1f s", (double)ev->for_ / RDSIM_S);

    switch (ev->action) {
    case RDSIM_ACT_AZ_OUTAGE:
        az = cluster_find_az(c, ev->az);
        cluster_log(c, "fault", ev->az, "az-outage %s", span);
        if (az_mark(c, (size_t)az)) {
            if (c->ops->az_changed)
                c->ops->az_changed(c);
            az_down(c, (size_t)az, cause, ev->has_for);
        }
        if (ev->has_for)
            cluster_after(c, ev->for_, az_restore, (uint64_t)az);
        break;
    case RDSIM_ACT_REGION_OUTAGE: {
        size_t r = find_region(c, ev->region);

        cluster_log(c, "fault", ev->region, "region-outage %s", span);
        for (size_t a = 0; a < c->n_az; a++)
            if (c->az_region[a] == r)
                az_mark(c, a);
        /* One look at the volume with the whole region out: one log line
         * with the final count of reachable copies. */
        if (c->ops->az_changed)
            c->ops->az_changed(c);
        for (size_t a = 0; a < c->n_az; a++)
            if (c->az_region[a] == r && c->az_out[a] == 1) /* out from now */
                az_down(c, a, cause, ev->has_for);
        if (ev->has_for)
            cluster_after(c, ev->for_, region_restore, r);
        break;
    }
    case RDSIM_ACT_INSTANCE_FAILURE: {
        struct rdsim_instance *in;
        bool was_reachable;

        i = cluster_find_instance(c, ev->target);
        in = &c->inst[i];
        cluster_log(c, "fault", ev->target, "instance-failure %s", span);
        was_reachable = instance_reachable(c, (size_t)i);
        /* A failure on a dead host supersedes the earlier one's heal. */
        in->host_gen++;
        if (in->recovery) {
            rdsim_sim_cancel(sim, in->recovery);
            in->recovery = 0;
        }
        if (was_reachable)
            instance_cut(c, (size_t)i);
        in->host_down = true;
        in->engine_down = true;
        in->starting = false;
        instance_reset(c, (size_t)i);
        if (was_reachable && (size_t)i == c->writer && c->obs.writer_down)
            c->obs.writer_down(c->obs.ctx, rdsim_sim_now(sim), cause);
        /* Monitoring sees a host failure even inside an AZ outage. */
        c->ops->instance_lost(c, (size_t)i, cause, ev->has_for);
        if (ev->has_for)
            cluster_after(c, ev->for_, host_restore, (uint64_t)in->host_gen << 32 | (uint64_t)i);
        break;
    }
    case RDSIM_ACT_REBOOT:
        i = cluster_find_instance(c, ev->target);
        cluster_log(c, "fault", ev->target, "reboot%s",
                          ev->failover ? " with failover" : "");
        if (!instance_reachable(c, (size_t)i)) {
            cluster_log(c, "ignored", ev->target, "reboot of an unreachable instance");
            break;
        }
        if ((size_t)i == c->writer && c->obs.writer_down)
            c->obs.writer_down(c->obs.ctx, rdsim_sim_now(sim), cause);
        /* A plain reboot, then: no failover moves the writer endpoint. */
        c->ops->reboot(c, (size_t)i,
                       ev->failover && !repointed_refuses(c, "reboot with failover"));
        break;
    case RDSIM_ACT_FAILOVER:
        cluster_log(c, "fault", c->inst[c->writer].cfg->name, "manual failover%s%s",
                          ev->target ? " to " : "", ev->target ? ev->target : "");
        if (!repointed_refuses(c, "failover"))
            c->ops->failover(c, ev->target ? cluster_find_instance(c, ev->target) : -1);
        break;
    case RDSIM_ACT_PROMOTE:
        cluster_log(c, "fault", ev->target, "promote requested");
        if (!repointed_refuses(c, "promote"))
            c->ops->promote(c, (size_t)cluster_find_instance(c, ev->target));
        break;
    case RDSIM_ACT_REPLICA_LAG:
        i = cluster_find_instance(c, ev->target);
        cluster_log(c, "fault", ev->target, "replica-lag: changes arrive %.1f s late %s",
                          (double)ev->delay / RDSIM_S, span);
        c->inst[i].extra_delay = ev->delay;
        c->inst[i].lag_gen++;
        if (ev->has_for)
            cluster_after(c, ev->for_, lag_end,
                                (uint64_t)c->inst[i].lag_gen << 32 | (uint64_t)i);
        break;
    case RDSIM_ACT_LOAD:
        break; /* the workload's */
    case RDSIM_ACT_SNAPSHOT:
        backup_snapshot(c, ev);
        break;
    case RDSIM_ACT_RESTORE:
        backup_restore(c, ev);
        break;
    case RDSIM_ACT_BACKTRACK:
        backtrack_fire(c, ev);
        break;
    case RDSIM_ACT_CREATE_REPLICA:
        replicas_create(c, ev);
        break;
    case RDSIM_ACT_STORAGE_FAILURE:
        cluster_log(c, "fault", ev->az, "storage-failure: %d volume cop%s lost %s",
                          ev->copies, ev->copies == 1 ? "y" : "ies", span);
        if (c->ops->storage_failure)
            c->ops->storage_failure(c, (size_t)cluster_find_az(c, ev->az), ev->copies,
                                    ev->has_for, ev->for_);
        break;
    case RDSIM_ACT_GLOBAL_FAILOVER: {
        size_t r = 0;
        while (r < c->sc->topology.n_regions &&
               strcmp(c->sc->topology.regions[r].name, ev->region) != 0)
            r++;
        cluster_log(c, "fault", ev->region, "global-failover (%s)",
                          ev->mode == RDSIM_GLOBAL_SWITCHOVER ? "switchover" : "unplanned");
        if (c->ops->global_failover && !repointed_refuses(c, "global-failover"))
            c->ops->global_failover(c, r, ev->mode == RDSIM_GLOBAL_SWITCHOVER);
        break;
    }
    }
}

int rdsim_cluster_start(struct rdsim_cluster *c, struct rdsim_err *err)
{
    for (size_t e = 0; e < c->sc->n_events; e++) {
        if (c->sc->events[e].action == RDSIM_ACT_LOAD)
            continue;
        if (!rdsim_sim_schedule(c->sim, c->sc->events[e].at, fire_event, c, e))
            return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    if (serverless_start(c, err) != 0 || backtrack_start(c, err) != 0 ||
        replicas_start(c, err) != 0)
        return RDSIM_ENOMEM;
    return repl_start(c, err);
}

int rdsim_cluster_flush(struct rdsim_cluster *c, struct rdsim_err *err)
{
    return rdsim_db_flush(c->inst[c->writer].db, NULL, err);
}

void rdsim_cluster_inject(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev)
{
    if (ev->action != RDSIM_ACT_LOAD)
        fire(c, ev);
}

enum rdsim_role rdsim_cluster_role(const struct rdsim_cluster *c, size_t i)
{
    return c->inst[i].role;
}

bool rdsim_cluster_az_is_up(const struct rdsim_cluster *c, const char *az)
{
    int a = cluster_find_az(c, az);

    return a < 0 || c->az_out[a] == 0;
}
