/*
 * workload.c - arrivals, clients, attempts, retries.
 *
 * One attempt costs at most two events: the request's completion on the
 * instance (job_done), and, only when the client will not get its answer in
 * time, the client's timeout (attempt_failed). The instance's queue decides
 * the completion time when the attempt is sent, so a late answer is known
 * then; only a crash in between changes the outcome, which the instance's
 * epoch reveals at completion.
 *
 * With workload.regions a client lives in a Region: an attempt to an
 * instance in another Region costs one more event, its arrival there, so
 * that the instance queues requests in the order they reach it.
 *
 * Operations and jobs live in pools addressed by index; events carry the
 * index. An operation has exactly one pending outcome at a time (its next
 * attempt, its arrival in another Region, its timeout, or its job's
 * completion), so a slot is only freed
 * once nothing refers to it; orphaned jobs copy what they need.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdsim/rng.h"
#include "rdsim/workload.h"

struct op {
    uint64_t opid;
    rdsim_time_t t0;      /* arrival: latency is measured from here */
    int64_t key;
    uint32_t attempt;     /* 1 for the first attempt */
    uint8_t kind, ep, client_az; /* client_az: over every AZ of the topology */
    uint16_t region;      /* workload.regions: the client's Region */
    uint16_t client;
    /* A cross-Region attempt on its way: where to, when sent, the delay. */
    int32_t inst;
    rdsim_time_t sent, in;
    uint32_t next_free;
};

/*
 * The application's clients: each keeps its own DNS cache per endpoint, as a
 * connection pool or a JVM does, so after a DNS flip they move to the new
 * writer one by one as their cached answers expire.
 */
#define N_CLIENTS 64

struct client {
    int inst[RDSIM_EP_COUNT];
    rdsim_time_t expires[RDSIM_EP_COUNT];
    uint32_t gen[RDSIM_EP_COUNT]; /* endpoint generation each answer is for */
};

struct job {
    uint64_t opid;
    int64_t key;
    rdsim_time_t sent, reply;
    uint32_t op, attempt, inst, epoch;
    uint8_t kind;
    bool orphan;          /* the client stopped waiting: execute, answer nobody */
    uint32_t next_free;
};

#define NIL UINT32_MAX

struct rdsim_workload {
    struct rdsim_sim *sim;
    const struct rdsim_scenario *sc;
    struct rdsim_cluster *cluster;
    struct rdsim_stats *stats;
    struct rdsim_acklog *acklog;
    void (*log)(void *, rdsim_time_t, const char *, const char *, const char *);
    void *log_ctx;

    struct rdsim_rng rng_arrival[RDSIM_OP_KIND_COUNT], rng_keys, rng_client, rng_backoff;
    struct rdsim_rng rng_region;
    struct rdsim_zipf zipf;
    double rate[RDSIM_OP_KIND_COUNT];
    rdsim_event_id next_arrival[RDSIM_OP_KIND_COUNT];
    int read_ep;

    struct client clients[N_CLIENTS];
    /* workload.regions: Region k's clients are [first[k], first[k] + count[k]). */
    uint16_t region_first[N_CLIENTS], region_count[N_CLIENTS];
    struct op *ops;
    uint32_t n_ops, cap_ops, free_ops;
    struct job *jobs;
    uint32_t n_jobs, cap_jobs, free_jobs;

    uint64_t next_opid, issued, in_flight;
};

/* ---- pools -------------------------------------------------------------- */

/* Grow-by-doubling pools: indices stay valid across growth. */
#define POOL_ALLOC(w, arr, n, cap, freelist, out)                                          \
    do {                                                                                   \
        if ((w)->freelist != NIL) {                                                        \
            (out) = (w)->freelist;                                                         \
            (w)->freelist = (w)->arr[out].next_free;                                       \
        } else {                                                                           \
            if ((w)->n == (w)->cap) {                                                      \
                uint32_t c2 = (w)->cap ? 2 * (w)->cap : 1024;                              \
                void *p = realloc((w)->arr, (size_t)c2 * sizeof(*(w)->arr));               \
                if (!p) {                                                                  \
                    (out) = NIL;                                                           \
                    break;                                                                 \
                }                                                                          \
                (w)->arr = p;                                                              \
                (w)->cap = c2;                                                             \
            }                                                                              \
            (out) = (w)->n++;                                                              \
        }                                                                                  \
    } while (0)

static uint32_t op_alloc(struct rdsim_workload *w)
{
    uint32_t i;
    POOL_ALLOC(w, ops, n_ops, cap_ops, free_ops, i);
    return i;
}

static void op_free(struct rdsim_workload *w, uint32_t i)
{
    w->ops[i].next_free = w->free_ops;
    w->ops[i].attempt = 0;
    w->free_ops = i;
    w->in_flight--;
}

static uint32_t job_alloc(struct rdsim_workload *w)
{
    uint32_t i;
    POOL_ALLOC(w, jobs, n_jobs, cap_jobs, free_jobs, i);
    return i;
}

static void job_free(struct rdsim_workload *w, uint32_t i)
{
    w->jobs[i].next_free = w->free_jobs;
    w->free_jobs = i;
}

static void out_of_memory(struct rdsim_workload *w)
{
    rdsim_sim_failf(w->sim, RDSIM_ENOMEM, "out of memory");
}

/* ---- attempts ------------------------------------------------------------ */

static void send_attempt(struct rdsim_sim *sim, void *ctx, uint64_t op);

static uint64_t outcome_arg(uint32_t op, uint32_t attempt)
{
    return (uint64_t)attempt << 32 | op;
}

/* The client saw attempt `attempt` of op fail (timeout, refusal): back off
 * and retry, or give up when the next try would start too late. */
static void attempt_failed(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_workload *w = ctx;
    uint32_t i = (uint32_t)arg, attempt = (uint32_t)(arg >> 32);
    struct op *op = &w->ops[i];
    const struct rdsim_clients_cfg *cl = &w->sc->clients;
    rdsim_time_t now = rdsim_sim_now(sim), backoff;

    /* One outcome is pending per operation: this one is for its attempt. */
    assert(op->attempt == attempt);
    rdsim_stats_attempt_error(w->stats, op->ep, op->kind);
    if (attempt == 1)
        rdsim_stats_first_attempt(w->stats, op->ep, op->kind, op->t0, false, now);

    /* Exponential backoff from first to cap, with equal jitter so that
     * clients that failed together do not retry together. */
    backoff = cl->retry_backoff.lo;
    for (uint32_t k = 1; k < attempt && backoff < cl->retry_backoff.hi; k++)
        backoff *= 2;
    if (backoff > cl->retry_backoff.hi)
        backoff = cl->retry_backoff.hi;
    backoff = backoff / 2 + rdsim_rng_range(&w->rng_backoff, 0, backoff / 2);

    if (now + backoff - op->t0 >= cl->give_up_after) {
        /* Its latency is how long the client waited before giving up. */
        rdsim_stats_op_failed(w->stats, op->ep, op->kind, now - op->t0);
        rdsim_stats_region_op(w->stats, op->region, op->kind, false, now - op->t0);
        op_free(w, i);
        return;
    }
    op->attempt++;
    if (!rdsim_sim_after(sim, backoff, send_attempt, w, i))
        out_of_memory(w);
}

static void fail_at(struct rdsim_workload *w, uint32_t i, rdsim_time_t t)
{
    if (!rdsim_sim_schedule(w->sim, t, attempt_failed, w, outcome_arg(i, w->ops[i].attempt)))
        out_of_memory(w);
}

static void succeed(struct rdsim_workload *w, const struct job *j)
{
    struct op *op = &w->ops[j->op];

    rdsim_stats_op_ok(w->stats, op->ep, op->kind, j->reply - op->t0);
    rdsim_stats_region_op(w->stats, op->region, op->kind, true, j->reply - op->t0);
    if (op->attempt == 1)
        rdsim_stats_first_attempt(w->stats, op->ep, op->kind, op->t0, true, j->reply);
    if (op->kind == RDSIM_OP_WRITE)
        rdsim_stats_write_ok(w->stats, op->client, j->sent, j->reply);
    op_free(w, j->op);
}

/* A read served by a replica or standby really reads its SQLite row, and is
 * stale when the writer's row has taken writes it lacks. A read served by
 * the writer cannot be stale and its result is not used: it skips SQLite
 * (measured: 40% of a read-heavy single-instance run). */
static void read_row(struct rdsim_workload *w, const struct job *j)
{
    struct rdsim_row row;
    int64_t latest;
    struct rdsim_err err;
    size_t writer = rdsim_cluster_writer(w->cluster);
    size_t region = w->ops[j->op].region;
    bool stale = false;

    rdsim_stats_read_served(w->stats);
    if (j->inst == writer) {
        rdsim_stats_region_read(w->stats, region, false);
        return;
    }
    if (rdsim_db_read(rdsim_cluster_db(w->cluster, j->inst), j->key, &row, &err) != 0 ||
        rdsim_db_count(rdsim_cluster_db(w->cluster, writer), j->key, &latest, &err) != 0) {
        rdsim_sim_fail(w->sim, &err);
        return;
    }
    /* How far behind the serving instance is. */
    if (latest > row.cnt) {
        stale = true;
        rdsim_stats_stale_read(w->stats, rdsim_cluster_staleness(w->cluster, j->inst));
    }
    rdsim_stats_region_read(w->stats, region, stale);
}

/* The instance finished the request: run it against SQLite, then answer the
 * client unless the instance died meanwhile or the client stopped waiting. */
static void job_done(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_workload *w = ctx;
    uint32_t ji = (uint32_t)arg;
    struct job j = w->jobs[ji];
    struct rdsim_err err;
    int64_t position = 0;
    (void)sim;

    job_free(w, ji);
    if (rdsim_instance_epoch(w->cluster, j.inst) != j.epoch) {
        /* Lost with the instance: the client learns by timing out. */
        if (!j.orphan)
            fail_at(w, j.op, j.sent + w->sc->clients.timeout);
        return;
    }
    if (j.kind == RDSIM_OP_WRITE) {
        if (!rdsim_cluster_can_commit(w->cluster)) {
            /* No write quorum: it never commits; the client times out. */
            if (!j.orphan)
                fail_at(w, j.op, j.sent + w->sc->clients.timeout);
            return;
        }
        if (rdsim_db_write(rdsim_cluster_db(w->cluster, j.inst), j.key, j.opid,
                           rdsim_sim_now(w->sim), &position, &err) != 0) {
            rdsim_sim_fail(w->sim, &err);
            return;
        }
        rdsim_cluster_committed(w->cluster, rdsim_sim_now(w->sim));
    } else if (!j.orphan) {
        read_row(w, &j);
    }
    if (j.orphan)
        return;
    if (j.kind == RDSIM_OP_WRITE)
        rdsim_acklog_ack(w->acklog, j.key, position);
    succeed(w, &j);
}

/* Which instance this attempt reaches, by the clients' connection style. */
static int resolve(struct rdsim_workload *w, const struct op *op, rdsim_time_t now)
{
    const struct rdsim_clients_cfg *cl = &w->sc->clients;
    struct client *c = &w->clients[op->client];
    uint32_t gen;

    int local = -1;

    /* A client with a reader in its own Region reads there (asked afresh
     * at each attempt or DNS lookup, so failovers and outages move it). */
    if (w->sc->workload.n_regions && op->ep == RDSIM_EP_READER &&
        cl->connection != RDSIM_CONN_DIRECT)
        local = rdsim_cluster_region_reader(w->cluster, op->region, &w->rng_client);
    switch (cl->connection) {
    case RDSIM_CONN_RDS_PROXY:
        return local >= 0 ? local
                          : rdsim_cluster_proxy_route(w->cluster, op->ep, &w->rng_client);
    case RDSIM_CONN_SMART_DRIVER:
        return local >= 0 ? local
                          : rdsim_cluster_topology_route(w->cluster, op->ep, &w->rng_client);
    case RDSIM_CONN_DIRECT:
        break;
    }
    gen = rdsim_cluster_endpoint_generation(w->cluster);
    if (now >= c->expires[op->ep] || c->gen[op->ep] != gen) {
        if (w->sc->workload.n_regions && op->ep == RDSIM_EP_READER)
            local = rdsim_cluster_region_reader(w->cluster, op->region, &w->rng_client);
        c->inst[op->ep] =
            local >= 0 ? local : rdsim_cluster_lookup(w->cluster, op->ep, &w->rng_client);
        c->gen[op->ep] = gen;
        switch (cl->dns_cache) {
        case RDSIM_DNS_CACHE_TTL:
            c->expires[op->ep] = now + w->sc->cluster.dns_ttl;
            break;
        case RDSIM_DNS_CACHE_FIXED:
            c->expires[op->ep] = now + cl->dns_cache_for;
            break;
        case RDSIM_DNS_CACHE_FOREVER:
            c->expires[op->ep] = RDSIM_TIME_MAX;
            break;
        }
    }
    return c->inst[op->ep];
}

static rdsim_time_t later(rdsim_time_t a, rdsim_time_t b)
{
    return a > b ? a : b;
}

/*
 * Attempt `op->attempt` of op i, sent at `sent`, reaches instance inst now:
 * the instance answers, refuses or keeps silent, and its queue decides when
 * the answer leaves. `in` is the one-way delay it took to get here when it
 * was drawn on sending (the attempt then arrives later than it was sent),
 * or -1: it is drawn here, and the instance is treated as reached at once
 * (same-Region delays are below a millisecond).
 */
static void attempt_on(struct rdsim_workload *w, uint32_t i, int inst, rdsim_time_t sent,
                       rdsim_time_t in)
{
    struct op *op = &w->ops[i];
    rdsim_time_t now = rdsim_sim_now(w->sim), done, reply;
    const rdsim_time_t timeout = w->sc->clients.timeout;
    uint32_t epoch, ji;
    struct job *j;

    switch (rdsim_cluster_can_answer(w->cluster, (size_t)inst, op->kind)) {
    case RDSIM_ANSWER_TIMEOUT:   /* no answer: the client waits it out */
    case RDSIM_ANSWER_NO_QUORUM: /* storage without a read quorum: it hangs */
        fail_at(w, i, later(sent + timeout, now));
        return;
    case RDSIM_ANSWER_REFUSED:     /* the engine is starting */
    case RDSIM_ANSWER_READ_ONLY:   /* a reader answers a write at once with an error */
    case RDSIM_ANSWER_NOT_SERVING: /* a Multi-AZ standby refuses connections */
        fail_at(w, i,
                now + (in >= 0 ? in
                               : 2 * rdsim_cluster_one_way_az(w->cluster, op->client_az,
                                                              (size_t)inst, &w->rng_client)));
        return;
    case RDSIM_ANSWER_YES:
        break;
    }

    done = rdsim_instance_serve(w->cluster, (size_t)inst, op->kind,
                                in >= 0 ? now
                                        : now + rdsim_cluster_one_way_az(w->cluster,
                                                                         op->client_az,
                                                                         (size_t)inst,
                                                                         &w->rng_client),
                                &epoch);
    /* reply: first the time from commit to the client's hearing of it */
    reply = rdsim_cluster_one_way_az(w->cluster, op->client_az, (size_t)inst, &w->rng_client);
    if (op->kind == RDSIM_OP_WRITE) {
        reply += rdsim_cluster_commit_delay(w->cluster);
        done = rdsim_cluster_commit_gate(w->cluster, done, sent + timeout - reply);
        if (done < 0) { /* flow control would hold it past the timeout */
            fail_at(w, i, later(sent + timeout, now));
            return;
        }
    }
    reply += done;

    ji = job_alloc(w);
    if (ji == NIL) {
        out_of_memory(w);
        return;
    }
    j = &w->jobs[ji];
    j->opid = op->opid;
    j->key = op->key;
    j->sent = sent;
    j->reply = reply;
    j->op = i;
    j->attempt = op->attempt;
    j->inst = (uint32_t)inst;
    j->epoch = epoch;
    j->kind = op->kind;
    j->orphan = reply - sent > timeout;
    if (j->orphan) {
        fail_at(w, i, later(sent + timeout, now));
        if (op->kind == RDSIM_OP_READ) {
            /* Nobody waits for this read and it changes nothing: its vCPU
             * time is already booked, so skip the event. */
            job_free(w, ji);
            return;
        }
    }
    if (!rdsim_sim_schedule(w->sim, done, job_done, w, ji))
        out_of_memory(w);
}

/* A cross-Region attempt reaches its instance (arg: the op). */
static void attempt_arrives(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_workload *w = ctx;
    struct op *op = &w->ops[(uint32_t)arg];
    (void)sim;

    attempt_on(w, (uint32_t)arg, op->inst, op->sent, op->in);
}

static void send_attempt(struct rdsim_sim *sim, void *ctx, uint64_t arg)
{
    struct rdsim_workload *w = ctx;
    uint32_t i = (uint32_t)arg;
    struct op *op = &w->ops[i];
    rdsim_time_t now = rdsim_sim_now(sim);
    int inst = resolve(w, op, now);

    if (inst < 0) {
        fail_at(w, i, now + w->sc->clients.timeout);
        return;
    }
    /* An instance's queue is decided when a request reaches it, in the
     * order requests arrive: tens of milliseconds across Regions would let
     * a far client's request overtake the near ones sent after it. So a
     * cross-Region attempt is taken up when it arrives. */
    if (w->sc->workload.n_regions && rdsim_cluster_is_remote(w->cluster, op->client_az,
                                                             (size_t)inst)) {
        op->inst = inst;
        op->sent = now;
        op->in = rdsim_cluster_one_way_az(w->cluster, op->client_az, (size_t)inst,
                                          &w->rng_client);
        if (!rdsim_sim_after(sim, op->in, attempt_arrives, w, i))
            out_of_memory(w);
        return;
    }
    attempt_on(w, i, inst, now, -1);
}

/* ---- arrivals ------------------------------------------------------------ */

static void arrival(struct rdsim_sim *sim, void *ctx, uint64_t kind);

static void schedule_arrival(struct rdsim_workload *w, int kind)
{
    rdsim_time_t gap;

    w->next_arrival[kind] = 0;
    if (w->rate[kind] <= 0)
        return;
    gap = rdsim_rng_exp(&w->rng_arrival[kind], (rdsim_time_t)(1e9 / w->rate[kind]));
    w->next_arrival[kind] = rdsim_sim_after(w->sim, gap, arrival, w, (uint64_t)kind);
    if (!w->next_arrival[kind])
        out_of_memory(w);
}

/* Which client sends a new operation, and from where. Without
 * workload.regions the clients are spread evenly over the AZs of the
 * writer's region. With it the Region is drawn by its share of the load
 * (its own stream, so the other draws keep their order), then one of its
 * clients; they go round the Region's AZs. */
static void pick_client(struct rdsim_workload *w, struct op *op)
{
    const struct rdsim_workload_cfg *wl = &w->sc->workload;
    size_t k = 0, n = wl->n_regions < N_CLIENTS ? wl->n_regions : N_CLIENTS;

    if (n == 0) {
        op->client = (uint16_t)rdsim_rng_below(&w->rng_client, N_CLIENTS);
        op->region = 0;
        op->client_az = (uint8_t)rdsim_cluster_client_az(w->cluster, -1, op->client);
        return;
    }
    double u = rdsim_rng_unit(&w->rng_region), acc = wl->regions[0].share;
    while (k + 1 < n && u >= acc)
        acc += wl->regions[++k].share;
    op->region = (uint16_t)wl->regions[k].region;
    op->client = (uint16_t)(w->region_first[k] +
                            rdsim_rng_below(&w->rng_client, w->region_count[k]));
    op->client_az = (uint8_t)rdsim_cluster_client_az(w->cluster, (int)op->region,
                                                     (size_t)(op->client - w->region_first[k]));
}

static void arrival(struct rdsim_sim *sim, void *ctx, uint64_t kind)
{
    struct rdsim_workload *w = ctx;
    uint32_t i = op_alloc(w);
    struct op *op;
    const struct rdsim_workload_cfg *wl = &w->sc->workload;

    if (i == NIL) {
        out_of_memory(w);
        return;
    }
    op = &w->ops[i];
    op->opid = w->next_opid++;
    op->t0 = rdsim_sim_now(sim);
    op->key = wl->keys == RDSIM_KEYS_ZIPF
                  ? (int64_t)rdsim_zipf_draw(&w->zipf, &w->rng_keys)
                  : (int64_t)rdsim_rng_below(&w->rng_keys, (uint64_t)wl->rows);
    op->attempt = 1;
    op->kind = (uint8_t)kind;
    op->ep = kind == RDSIM_OP_WRITE ? RDSIM_EP_WRITER : (uint8_t)w->read_ep;
    pick_client(w, op);
    w->issued++;
    w->in_flight++;
    schedule_arrival(w, (int)kind);
    send_attempt(sim, w, i);
}

static void apply_load(struct rdsim_workload *w, const struct rdsim_event_cfg *ev);

static void load_change(struct rdsim_sim *sim, void *ctx, uint64_t e)
{
    struct rdsim_workload *w = ctx;
    (void)sim;
    apply_load(w, &w->sc->events[e]);
}

void rdsim_workload_inject(struct rdsim_workload *w, const struct rdsim_event_cfg *ev)
{
    if (ev->action == RDSIM_ACT_LOAD)
        apply_load(w, ev);
}

static void apply_load(struct rdsim_workload *w, const struct rdsim_event_cfg *ev)
{
    struct rdsim_sim *sim = w->sim;
    char detail[128];

    if (ev->has_reads)
        w->rate[RDSIM_OP_READ] = ev->reads_per_s;
    if (ev->has_writes)
        w->rate[RDSIM_OP_WRITE] = ev->writes_per_s;
    /* Poisson arrivals are memoryless: redrawing the next gap at the new
     * rate is exact. */
    for (int k = 0; k < RDSIM_OP_KIND_COUNT; k++) {
        if (w->next_arrival[k])
            rdsim_sim_cancel(sim, w->next_arrival[k]);
        schedule_arrival(w, k);
    }
    if (w->log) {
        snprintf(detail, sizeof(detail), "load: %.0f reads/s, %.0f writes/s",
                 w->rate[RDSIM_OP_READ], w->rate[RDSIM_OP_WRITE]);
        w->log(w->log_ctx, rdsim_sim_now(sim), "load", "workload", detail);
    }
}

/* ---- lifecycle ------------------------------------------------------------ */

/* Share the clients between the Regions by their share of the load
 * (largest remainder, at least one each), in the order of the file. */
static void share_clients(struct rdsim_workload *w)
{
    const struct rdsim_workload_cfg *wl = &w->sc->workload;
    size_t n = wl->n_regions < N_CLIENTS ? wl->n_regions : N_CLIENTS, given = 0;

    for (size_t k = 0; k < n; k++) {
        size_t c = (size_t)(wl->regions[k].share * N_CLIENTS);
        w->region_count[k] = (uint16_t)(c ? c : 1);
        given += w->region_count[k];
    }
    while (given < N_CLIENTS) { /* the largest remainders take the rest */
        size_t best = 0;
        double best_rem = -1.0;
        for (size_t k = 0; k < n; k++) {
            double rem = wl->regions[k].share * N_CLIENTS - w->region_count[k];
            if (rem > best_rem) {
                best = k;
                best_rem = rem;
            }
        }
        w->region_count[best]++;
        given++;
    }
    while (given > N_CLIENTS) { /* Regions with a tiny share took one each */
        size_t most = 0;
        for (size_t k = 1; k < n; k++)
            if (w->region_count[k] > w->region_count[most])
                most = k;
        w->region_count[most]--;
        given--;
    }
    for (size_t k = 1; k < n; k++)
        w->region_first[k] = (uint16_t)(w->region_first[k - 1] + w->region_count[k - 1]);
}

int rdsim_workload_create(struct rdsim_sim *sim, const struct rdsim_workload_config *cfg,
                          struct rdsim_workload **out, struct rdsim_err *err)
{
    const struct rdsim_scenario *sc = cfg->scenario;
    struct rdsim_workload *w = calloc(1, sizeof(*w));
    int rc;

    *out = NULL;
    if (!w)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    w->sim = sim;
    w->sc = sc;
    w->cluster = cfg->cluster;
    w->stats = cfg->stats;
    w->log = cfg->log;
    w->log_ctx = cfg->log_ctx;
    w->free_ops = w->free_jobs = NIL;
    w->next_opid = 1;
    rdsim_rng_init(&w->rng_arrival[RDSIM_OP_READ], cfg->seed, "arrivals.read");
    rdsim_rng_init(&w->rng_arrival[RDSIM_OP_WRITE], cfg->seed, "arrivals.write");
    rdsim_rng_init(&w->rng_keys, cfg->seed, "keys");
    rdsim_rng_init(&w->rng_client, cfg->seed, "clients");
    rdsim_rng_init(&w->rng_backoff, cfg->seed, "backoff");
    rdsim_rng_init(&w->rng_region, cfg->seed, "regions");
    if (sc->workload.present) {
        w->rate[RDSIM_OP_READ] = sc->workload.reads_per_s;
        w->rate[RDSIM_OP_WRITE] = sc->workload.writes_per_s;
        if (sc->workload.keys == RDSIM_KEYS_ZIPF)
            rdsim_zipf_init(&w->zipf, (uint64_t)sc->workload.rows, sc->workload.zipf_s);
    }
    w->read_ep = sc->workload.read_from == RDSIM_READ_FROM_WRITER ? RDSIM_EP_WRITER
                                                                 : RDSIM_EP_READER;
    rc = rdsim_acklog_create(sc->workload.present ? sc->workload.rows : 1, &w->acklog, err);
    /* A first attempt's outcome is known within the client's timeout (a
     * refusal sooner); the margin covers network delays on top. */
    if (rc == 0)
        rc = rdsim_stats_uptime_init(w->stats, sc->clients.timeout + 10 * RDSIM_S, N_CLIENTS,
                                     err);
    if (rc == 0 && sc->workload.n_regions) {
        share_clients(w);
        rc = rdsim_stats_regions_init(w->stats, sc->topology.n_regions, err);
    }
    if (rc) {
        rdsim_workload_destroy(w);
        return rc;
    }
    rdsim_stats_use(w->stats, RDSIM_EP_WRITER, RDSIM_OP_WRITE);
    rdsim_stats_use(w->stats, w->read_ep, RDSIM_OP_READ);
    *out = w;
    return 0;
}

void rdsim_workload_destroy(struct rdsim_workload *w)
{
    if (!w)
        return;
    rdsim_acklog_destroy(w->acklog);
    free(w->ops);
    free(w->jobs);
    free(w);
}

int rdsim_workload_start(struct rdsim_workload *w, struct rdsim_err *err)
{
    for (int k = 0; k < RDSIM_OP_KIND_COUNT; k++)
        schedule_arrival(w, k);
    for (size_t e = 0; e < w->sc->n_events; e++) {
        if (w->sc->events[e].action != RDSIM_ACT_LOAD)
            continue;
        if (!rdsim_sim_schedule(w->sim, w->sc->events[e].at, load_change, w, e))
            return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    if (rdsim_sim_failed(w->sim))
        return rdsim_err_set(err, rdsim_sim_error(w->sim)->code, "%s",
                             rdsim_sim_error(w->sim)->msg);
    return 0;
}

struct rdsim_acklog *rdsim_workload_acklog(struct rdsim_workload *w)
{
    return w->acklog;
}

uint64_t rdsim_workload_issued(const struct rdsim_workload *w)
{
    return w->issued;
}

uint64_t rdsim_workload_in_flight(const struct rdsim_workload *w)
{
    return w->in_flight;
}

double rdsim_workload_rate(const struct rdsim_workload *w, enum rdsim_op_kind kind)
{
    return w->rate[kind];
}
