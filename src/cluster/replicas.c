/*
 * replicas.c - replicas created during a run (issue 15): the create-replica
 * event, and Aurora Auto Scaling of Aurora Replicas.
 *
 * A new replica is planned as a slot before the run (instance.c), so its
 * columns exist from the first row. When it is asked for, its database is
 * a copy of the writer's at that moment (RDS: the snapshot it is built
 * from; Aurora: the shared volume), taken after the writer ships what it
 * has committed, and it is attached to the writer at once: every batch
 * shipped from then on queues up for it (its backlog) while it is built,
 * unreachable ("creating", no lag reported), for the deployment's build
 * time (ops->replica_build_time). Then it is up and applies the backlog
 * through the ordinary apply path (an Aurora Replica at once: the volume
 * has it all), still outside the readers ("creating"); once it
 * has applied everything committed before it came up, it joins the readers
 * (available): reads reach it from then on, and an Aurora failover may
 * pick it (by its tier).
 *
 * Auto scaling (cluster.replica_autoscaling) is target tracking as
 * Application Auto Scaling does it for Aurora: every minute one datapoint,
 * the readers' average CPU (service booked on their vCPUs over the minute,
 * over their vCPUs) or connections (requests in them, queued or served,
 * averaged over the minute: one connection per request in flight). Three
 * datapoints in a row above the target scale out to ceil(readers x
 * metric / target) replicas; fifteen in a row below 90 % of it scale in to
 * that, never below min, removing only replicas it added. It acts only
 * while no replica is being created or removed (AWS scales a cluster only
 * when it is available), and not within the scale-out cooldown of the last
 * scale-out's completion or the scale-in cooldown of the last scale-in. Its
 * replicas take the slots autoscaled-1.. in order (AWS names them
 * application-autoscaling-<uuid>; rdsim wants readable, deterministic
 * names), the lowest free one first, so a removed replica's slot (and
 * name) is used again: memory stays bounded by max. They have the
 * writer's class and tier 15, in the writer region's AZ with the fewest
 * readers. A removed replica leaves the reader endpoint at once, answers
 * what still reaches it (clients whose DNS cache names it) for
 * RDSIM_REPLICA_DRAIN, then is deleted: requests in it then fail, and later
 * ones time out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"
#include "params.h"

/* Names outlive the cluster and the results (plan_instance's rule). */
static const char *const auto_names[RDSIM_MAX_REPLICAS_PER_SOURCE] = {
    "autoscaled-1",  "autoscaled-2",  "autoscaled-3",  "autoscaled-4",  "autoscaled-5",
    "autoscaled-6",  "autoscaled-7",  "autoscaled-8",  "autoscaled-9",  "autoscaled-10",
    "autoscaled-11", "autoscaled-12", "autoscaled-13", "autoscaled-14", "autoscaled-15",
};

struct made {
    struct rdsim_replica_info info;
    size_t slot;
    rdsim_time_t catch_up_to;  /* commit time of the newest write it had when built */
};

struct replicas {
    struct made *made;
    size_t n_made, cap_made;
    /* auto scaling */
    size_t first_auto, n_auto;  /* its slots */
    int high_points, low_points;
    rdsim_time_t last_out, last_in; /* completion of the last scale-out, scale-in; -1 */
    rdsim_time_t *busy_prev, *resident_prev; /* per slot, at the last datapoint */
    struct rdsim_scaling_info *acts;
    size_t n_acts, cap_acts;
};

static const struct rdsim_autoscaling_cfg *policy(const struct rdsim_cluster *c)
{
    return &c->sc->cluster.autoscaling;
}

/* Grow *p (n used of *cap, elements of `size`) by one; false: no memory. */
static bool grow(void **p, size_t n, size_t *cap, size_t size)
{
    void *q;

    if (n < *cap)
        return true;
    if (!(q = realloc(*p, (*cap ? 2 * *cap : 8) * size)))
        return false;
    *p = q;
    *cap = *cap ? 2 * *cap : 8;
    return true;
}

/* Aurora Replicas of the writer's region (RDS: read replicas), pending ones
 * (created, not removed) included. */
static int replica_count(const struct rdsim_cluster *c)
{
    int n = 0;

    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        n += i != c->writer && in->role == RDSIM_ROLE_REPLICA && !in->detached &&
             !in->removing && !in->removed && in->region == c->inst[c->writer].region;
    }
    return n;
}

int replicas_init(struct rdsim_cluster *c, struct rdsim_err *err)
{
    const struct rdsim_autoscaling_cfg *a = policy(c);
    struct replicas *r = calloc(1, sizeof(*r));
    int rc;

    if (!r)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    c->replicas = r;
    r->last_out = r->last_in = -1;
    /* Slots in event order, which is the order the events fire in. */
    for (size_t e = 0; e < c->sc->n_events; e++) {
        enum rdsim_action act = c->sc->events[e].action;
        if (act != RDSIM_ACT_RESTORE && act != RDSIM_ACT_CREATE_REPLICA)
            continue;
        if ((rc = rdsim_cluster_plan_instance(c, c->sc->events[e].name, err)) != 0)
            return rc;
    }
    if (!a->present)
        return 0;
    r->first_auto = c->n_slots;
    if (a->max > replica_count(c))
        r->n_auto = (size_t)(a->max - replica_count(c));
    for (size_t k = 0; k < r->n_auto; k++)
        if ((rc = rdsim_cluster_plan_instance(c, auto_names[k], err)) != 0)
            return rc;
    r->busy_prev = calloc(c->n_slots, sizeof(*r->busy_prev));
    r->resident_prev = calloc(c->n_slots, sizeof(*r->resident_prev));
    if (!r->busy_prev || !r->resident_prev)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    return 0;
}

void replicas_free(struct rdsim_cluster *c)
{
    struct replicas *r = c->replicas;

    if (!r)
        return;
    free(r->made);
    free(r->busy_prev);
    free(r->resident_prev);
    free(r->acts);
    free(r);
    c->replicas = NULL;
}

static void joined(struct rdsim_sim *sim, void *ctx, uint64_t k);

/* Replica k is built: up, applying its backlog, not yet a reader. */
static void built(struct rdsim_sim *sim, void *ctx, uint64_t k)
{
    struct rdsim_cluster *c = ctx;
    struct made *m = &c->replicas->made[k];
    struct rdsim_instance *in = &c->inst[m->slot];
    rdsim_time_t wait;

    m->info.built = rdsim_sim_now(sim);
    m->info.backlog_writes = repl_queued_writes(c, m->slot);
    m->catch_up_to = repl_received_up_to(c, m->slot);
    /* An Aurora Replica reads the shared volume, which has every write:
     * its view of it catches up at once (no lag: it is still creating). */
    if (in->mode == REPL_VOLUME)
        repl_drain(c, m->slot);
    in->creating = false;
    in->joining = true;
    cluster_log(c, "replica-catching-up", m->info.name,
                in->mode == REPL_VOLUME
                    ? "built; the shared volume holds the %llu write%s since it was asked for"
                    : "built; applies its backlog of %llu write%s before it joins the readers",
                (unsigned long long)m->info.backlog_writes,
                m->info.backlog_writes == 1 ? "" : "s");
    repl_resume(c, m->slot);
    wait = repl_backlog_time(c, m->slot);
    cluster_after(c, wait > 0 ? wait : 0, joined, k);
}

/* Has replica k applied what it had when built? Then it is a reader. */
static void joined(struct rdsim_sim *sim, void *ctx, uint64_t k)
{
    struct rdsim_cluster *c = ctx;
    struct made *m = &c->replicas->made[k];
    struct rdsim_instance *in = &c->inst[m->slot];
    rdsim_time_t wait;

    if (!in->joining)
        return;
    if (!instance_serving(c, m->slot) || in->applied_commit < m->catch_up_to) {
        /* Not yet (its applier is behind, or it is cut off): look again
         * when the backlog it has now should be done. */
        wait = repl_backlog_time(c, m->slot);
        cluster_after(c, wait > 100 * RDSIM_MS ? wait : 100 * RDSIM_MS, joined, k);
        return;
    }
    in->joining = false;
    m->info.available = rdsim_sim_now(sim);
    c->ops->refresh_readers(c);
    if (in->autoscaled)
        c->replicas->last_out = m->info.available;
    cluster_log(c, "replica-available", m->info.name,
                "joins the readers, %.1f s after it was asked for (backlog applied in %.1f s)",
                (double)(m->info.available - m->info.at) / RDSIM_S,
                (double)(m->info.available - m->info.built) / RDSIM_S);
}

/* Start creating a replica in slot i (the next new slot, or a removed
 * autoscaled one) from cfg. Logs why when the writer cannot be copied. */
static void begin(struct rdsim_cluster *c, size_t i, const struct rdsim_instance_cfg *cfg,
                  bool autoscaled)
{
    struct replicas *r = c->replicas;
    size_t w = c->writer;
    struct rdsim_instance *in;
    struct rdsim_err err;
    struct made *m;
    int64_t bytes = 0;
    rdsim_time_t took;
    int rc;

    if (!instance_serving(c, w)) {
        cluster_log(c, "ignored", cfg->name, "new replica: the writer %s is not available",
                    c->inst[w].cfg->name);
        return;
    }
    if (!grow((void **)&r->made, r->n_made, &r->cap_made, sizeof(*r->made))) {
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
        return;
    }
    /* What the writer has committed is shipped first: the copy holds it,
     * and every later write reaches the new replica as its backlog. */
    repl_ship(c, false);
    if (rdsim_sim_failed(c->sim))
        return;
    if (i == c->n_inst) {
        rc = rdsim_cluster_add_instance(c, cfg, c->inst[w].db, &i, &err);
    } else {
        in = &c->inst[i];
        rc = rdsim_db_copy(in->db, c->inst[w].db, &err);
        instance_reset(c, i);
        /* It comes back where a new one would go. */
        free(in->own_cfg.az);
        if (!(in->own_cfg.az = strdup(cfg->az))) {
            rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
            return;
        }
        in->az = (size_t)cluster_find_az(c, cfg->az);
        in->removed = in->needs_resync = false;
        in->applied_commit = 0;
    }
    if (rc == 0)
        rc = rdsim_db_bytes(c->inst[i].db, &bytes, &err);
    if (rc != 0) {
        rdsim_sim_fail(c->sim, &err);
        return;
    }
    in = &c->inst[i];
    in->creating = true;
    in->autoscaled = autoscaled;
    in->reads_served = 0;
    in->first_read = -1;
    repl_attach(c, i, (int)w, c->ops->new_replica_mode);
    took = c->ops->replica_build_time(c, bytes);
    m = &r->made[r->n_made];
    *m = (struct made){.slot = i,
                       .info = {.name = in->cfg->name, .az = c->az_names[in->az],
                                .at = rdsim_sim_now(c->sim), .built = -1, .available = -1,
                                .removed = -1, .first_read = -1, .autoscaled = autoscaled}};
    r->n_made++;
    cluster_log(c, "replica-creating", m->info.name,
                "new %s of %s in %s (%s, a copy of %.1f KiB), built in about %.0f s",
                c->ops->new_replica_mode == REPL_VOLUME ? "Aurora Replica" : "read replica",
                c->inst[w].cfg->name, m->info.az, in->cls->name, (double)bytes / 1024,
                (double)took / RDSIM_S);
    cluster_after(c, took, built, r->n_made - 1);
}

void replicas_create(struct rdsim_cluster *c, const struct rdsim_event_cfg *ev)
{
    struct rdsim_instance_cfg cfg = {.name = ev->name, .role = RDSIM_ROLE_REPLICA,
                                     .az = ev->az, .instance_class = ev->instance_class,
                                     .tier = ev->tier};

    begin(c, c->n_inst, &cfg, false);
}

/* ---- auto scaling ---------------------------------------------------------- */

/* Does instance i count as a reader for the metric: an Aurora Replica of
 * the reader endpoint that serves? */
static bool metered(const struct rdsim_cluster *c, size_t i)
{
    const struct rdsim_instance *in = &c->inst[i];

    return i != c->writer && in->role == RDSIM_ROLE_REPLICA && instance_is_member(in) &&
           in->region == c->inst[c->writer].region && instance_serving(c, i);
}

/* The readers' average over the last period; *n: how many; -1 with none. */
static double datapoint(struct rdsim_cluster *c, int *n)
{
    struct replicas *r = c->replicas;
    double sum = 0;

    *n = 0;
    for (size_t i = 0; i < c->n_inst; i++) {
        const struct rdsim_instance *in = &c->inst[i];
        double busy = (double)(in->cpu_busy - r->busy_prev[i]);
        double resident = (double)(in->resident - r->resident_prev[i]);
        r->busy_prev[i] = in->cpu_busy;
        r->resident_prev[i] = in->resident;
        if (!metered(c, i))
            continue;
        (*n)++;
        if (policy(c)->by_connections)
            sum += resident / (double)RDSIM_AUTOSCALE_PERIOD;
        else /* work booked ahead of time still counts once: at most 100 % */
            sum += fmin(100.0, 100.0 * busy / ((double)RDSIM_AUTOSCALE_PERIOD * in->vcpus));
    }
    return *n ? sum / *n : -1;
}

/* Is a replica being created or removed? */
static bool pending(const struct rdsim_cluster *c)
{
    for (size_t i = 0; i < c->n_inst; i++)
        if (c->inst[i].creating || c->inst[i].joining || c->inst[i].removing)
            return true;
    return false;
}

/* The lowest free autoscaled slot (never created, or removed), or
 * c->n_slots when every one is taken. */
static size_t free_slot(const struct rdsim_cluster *c)
{
    const struct replicas *r = c->replicas;

    for (size_t s = r->first_auto; s < r->first_auto + r->n_auto; s++)
        if (s >= c->n_inst || c->inst[s].removed)
            return s;
    return c->n_slots;
}

/* The AZ of the writer's region with the fewest readers (first on ties). */
static const char *quiet_az(const struct rdsim_cluster *c)
{
    size_t best = c->inst[c->writer].az;
    int best_n = -1;

    for (size_t a = 0; a < c->n_az; a++) {
        int n = 0;
        if (c->az_region[a] != c->inst[c->writer].region)
            continue;
        for (size_t i = 0; i < c->n_inst; i++)
            n += c->inst[i].az == a && c->inst[i].role == RDSIM_ROLE_REPLICA &&
                 !c->inst[i].removed && !c->inst[i].removing;
        if (best_n < 0 || n < best_n) {
            best = a;
            best_n = n;
        }
    }
    return c->az_names[best];
}

static void record(struct rdsim_cluster *c, bool out, int from, int to, double metric)
{
    struct replicas *r = c->replicas;

    if (!grow((void **)&r->acts, r->n_acts, &r->cap_acts, sizeof(*r->acts))) {
        rdsim_sim_failf(c->sim, RDSIM_ENOMEM, "out of memory");
        return;
    }
    r->acts[r->n_acts++] = (struct rdsim_scaling_info){
        .at = rdsim_sim_now(c->sim), .out = out, .from = from, .to = to, .metric = metric};
}

static void scale_out(struct rdsim_cluster *c, int from, int to, double metric, const char *why)
{
    cluster_log(c, "autoscaling", c->sc->name, "scale out %d -> %d Aurora Replicas: %s", from, to,
                why);
    record(c, true, from, to, metric);
    for (int k = from; k < to; k++) {
        size_t s = free_slot(c);
        /* The writer's class (AWS), as the writer's config names it. */
        struct rdsim_instance_cfg cfg = {.role = RDSIM_ROLE_REPLICA, .az = (char *)quiet_az(c),
                                         .instance_class = c->inst[c->writer].cfg->instance_class,
                                         .tier = RDSIM_AUTOSCALE_TIER};
        if (s == c->n_slots)
            break;
        cfg.name = (char *)auto_names[s - c->replicas->first_auto];
        begin(c, s, &cfg, true);
    }
}

static void removed(struct rdsim_sim *sim, void *ctx, uint64_t i)
{
    struct rdsim_cluster *c = ctx;
    struct replicas *r = c->replicas;
    struct rdsim_instance *in = &c->inst[i];

    in->removing = false;
    if (in->role != RDSIM_ROLE_REPLICA || i == c->writer)
        return; /* promoted meanwhile: it stays */
    repl_detach(c, i);
    instance_reset(c, i);
    in->removed = true;
    r->last_in = rdsim_sim_now(sim);
    for (size_t k = r->n_made; k-- > 0;)
        if (r->made[k].slot == i) {
            r->made[k].info.removed = r->last_in;
            r->made[k].info.reads_served = in->reads_served;
            r->made[k].info.first_read = in->first_read;
            break;
        }
    cluster_log(c, "replica-removed", in->cfg->name, "deleted by auto scaling");
}

static void scale_in(struct rdsim_cluster *c, int from, int to, double metric)
{
    struct replicas *r = c->replicas;
    int n = from - to;

    for (size_t s = r->first_auto + r->n_auto; s-- > r->first_auto && n > 0;) {
        struct rdsim_instance *in = &c->inst[s];
        if (s >= c->n_inst || s == c->writer || in->role != RDSIM_ROLE_REPLICA ||
            !instance_is_member(in))
            continue;
        if (n == from - to) {
            cluster_log(c, "autoscaling", c->sc->name,
                        "scale in %d -> %d Aurora Replicas: readers' average %.1f%s below "
                        "%.0f %% of the target for %d min",
                        from, to, metric, policy(c)->by_connections ? " connections" : " %",
                        100 * RDSIM_AUTOSCALE_LOW_FRACTION, RDSIM_AUTOSCALE_LOW_POINTS);
            record(c, false, from, to, metric);
        }
        in->removing = true;
        n--;
        c->ops->refresh_readers(c);
        cluster_log(c, "replica-removing", in->cfg->name,
                    "leaves the reader endpoint; answers what still reaches it for %.0f s",
                    (double)RDSIM_REPLICA_DRAIN / RDSIM_S);
        cluster_after(c, RDSIM_REPLICA_DRAIN, removed, s);
    }
}

/* The replicas that bring the metric to the target. */
static int desired(int readers, double metric, double target)
{
    return (int)ceil((double)readers * metric / target - 1e-9);
}

static void evaluate(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_cluster *c = ctx;
    struct replicas *r = c->replicas;
    const struct rdsim_autoscaling_cfg *a = policy(c);
    rdsim_time_t now = rdsim_sim_now(sim);
    int readers, current = replica_count(c), want;
    double metric = datapoint(c, &readers);
    char why[200];

    /* No readers: no data, and the alarms start over. */
    r->high_points = readers && metric > a->target ? r->high_points + 1 : 0;
    r->low_points = readers && metric < a->target * RDSIM_AUTOSCALE_LOW_FRACTION
                        ? r->low_points + 1
                        : 0;
    cluster_after(c, RDSIM_AUTOSCALE_PERIOD, evaluate, arg);
    if (pending(c) || !instance_serving(c, c->writer))
        return;
    if (current < a->min) {
        snprintf(why, sizeof(why), "below min %d", a->min);
        scale_out(c, current, a->min, metric, why);
    } else if (r->high_points >= RDSIM_AUTOSCALE_HIGH_POINTS && current < a->max &&
               (r->last_out < 0 || now - r->last_out >= a->scale_out_cooldown)) {
        want = desired(readers, metric, a->target);
        want = want <= current ? current + 1 : want > a->max ? a->max : want;
        snprintf(why, sizeof(why), "readers' average %.1f%s above the target %g for %d min",
                 metric, a->by_connections ? " connections" : " %", a->target,
                 RDSIM_AUTOSCALE_HIGH_POINTS);
        scale_out(c, current, want, metric, why);
    } else if (r->low_points >= RDSIM_AUTOSCALE_LOW_POINTS && current > a->min &&
               (r->last_in < 0 || now - r->last_in >= a->scale_in_cooldown)) {
        want = desired(readers, metric, a->target);
        want = want < a->min ? a->min : want;
        if (want < current)
            scale_in(c, current, want, metric);
    } else {
        return;
    }
    r->high_points = r->low_points = 0;
}

int replicas_start(struct rdsim_cluster *c, struct rdsim_err *err)
{
    if (!policy(c)->present)
        return 0;
    if (!rdsim_sim_after(c->sim, RDSIM_AUTOSCALE_PERIOD, evaluate, c, 0))
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    return 0;
}

size_t rdsim_cluster_new_replica_count(const struct rdsim_cluster *c)
{
    return c->replicas ? c->replicas->n_made : 0;
}

const struct rdsim_replica_info *rdsim_cluster_new_replica_at(const struct rdsim_cluster *c,
                                                             size_t k)
{
    struct made *m = &c->replicas->made[k];

    /* Its reads so far, unless removed (then frozen then). */
    if (m->info.removed < 0) {
        m->info.reads_served = c->inst[m->slot].reads_served;
        m->info.first_read = c->inst[m->slot].first_read;
    }
    return &m->info;
}

size_t rdsim_cluster_scaling_count(const struct rdsim_cluster *c)
{
    return c->replicas ? c->replicas->n_acts : 0;
}

const struct rdsim_scaling_info *rdsim_cluster_scaling_at(const struct rdsim_cluster *c,
                                                          size_t k)
{
    return &c->replicas->acts[k];
}
