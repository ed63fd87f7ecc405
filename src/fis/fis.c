/*
 * fis.c - an FIS experiment template to a scenario, start to end.
 *
 * The checks run in this order, so the same template always gives the same
 * first error: the JSON and its shape (template.c); then each action in
 * file order: its actionId, parameters, durations and target references;
 * then the startAfter graph (order.c); then each target an action uses,
 * against the scenario (targets.c); then the time of each event against
 * the scenario's duration. The written text is loaded back with the real
 * loader before it is returned, so what rdsim fis writes, rdsim run reads.
 *
 * What maps to what (docs/fis.md says why):
 *   aws:rds:failover-db-cluster      -> failover (the deployment's rule:
 *                                       Aurora by tier, Multi-AZ DB cluster)
 *   aws:rds:reboot-db-instances      -> reboot of each DB instance picked,
 *                                       failover: true with forceFailover
 *   aws:network:disrupt-connectivity -> az-outage of each AZ picked, for
 *                                       the action's duration
 *   aws:fis:wait                     -> nothing: it only delays what
 *                                       starts after it
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* ---- messages and small helpers ---------------------------------------- */

const char *fis_one_line(const char *text, char *buf, size_t size)
{
    size_t n = 0;

    for (const unsigned char *c = (const unsigned char *)text; *c && n + 5 < size; c++) {
        if (*c >= 0x20 && *c != 0x7f)
            buf[n++] = (char)*c;
        else
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", *c);
    }
    buf[n] = '\0';
    return buf;
}

int fis_fail(struct fis_ctx *ctx, const char *path, const char *fmt, ...)
{
    char msg[RDSIM_ERR_MSG_MAX], line[RDSIM_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rdsim_err_set(ctx->err, RDSIM_EINVAL, "%s: %s: %s", ctx->file,
                  path != NULL && path[0] != '\0' ? path : "(top level)", msg);
    /* Names and values come from the template as they are: keep the message
     * one line even when they hold a newline. */
    if (ctx->err)
        snprintf(ctx->err->msg, sizeof ctx->err->msg, "%s",
                 fis_one_line(ctx->err->msg, line, sizeof line));
    return RDSIM_EINVAL;
}

int fis_nomem(struct fis_ctx *ctx)
{
    return rdsim_err_set(ctx->err, RDSIM_ENOMEM, "%s: out of memory", ctx->file);
}

char *fis_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int fis_warn(struct fis_ctx *ctx, const char *fmt, ...)
{
    struct rdsim_fis_result *r = ctx->res;
    char msg[RDSIM_ERR_MSG_MAX], line[RDSIM_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char **w = realloc(r->warnings, (r->n_warnings + 1) * sizeof *w);
    if (w == NULL)
        return fis_nomem(ctx);
    r->warnings = w;
    if ((w[r->n_warnings] = fis_printf("%s: %s", ctx->file,
                                           fis_one_line(msg, line, sizeof line))) == NULL)
        return fis_nomem(ctx);
    r->n_warnings++;
    return 0;
}

char *fis_path_key(char *buf, const char *base, const char *key)
{
    bool plain = key[0] != '\0' && strlen(key) <= 40;
    for (const char *p = key; plain && *p != '\0'; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
    char q[96];
    snprintf(buf, FIS_PATH_MAX, "%s%s%s", base, base[0] ? "." : "",
             plain ? key : rdsim_quote(key, q, sizeof q));
    return buf;
}

char *fis_path_index(char *buf, const char *base, size_t i)
{
    char b[FIS_PATH_MAX - 24]; /* room for "[index]": a long base is cut */
    snprintf(b, sizeof b, "%s", base);
    snprintf(buf, FIS_PATH_MAX, "%s[%zu]", b, i);
    return buf;
}

const char *fis_base_name(const char *path)
{
    if (path == NULL)
        return "the scenario";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* ---- actions ------------------------------------------------------------ */

static const struct action_spec {
    const char *id;
    enum fis_kind kind;
    const char *target_key;    /* the key of the action's targets, NULL: none */
    const char *resource_type; /* what that target must be */
    enum fis_resource resource;
    const char *params[4]; /* NULL-terminated */
} specs[] = {
    {"aws:rds:failover-db-cluster",
     FIS_ACT_FAILOVER_CLUSTER,
     "Clusters",
     "aws:rds:cluster",
     FIS_RES_CLUSTER,
     {NULL}},
    {"aws:rds:reboot-db-instances",
     FIS_ACT_REBOOT,
     "DBInstances",
     "aws:rds:db",
     FIS_RES_DB,
     {"forceFailover", NULL}},
    {"aws:network:disrupt-connectivity",
     FIS_ACT_DISRUPT,
     "Subnets",
     "aws:ec2:subnet",
     FIS_RES_SUBNET,
     {"duration", "scope", "prefixListIdentifier", NULL}},
    {"aws:fis:wait", FIS_ACT_WAIT, NULL, NULL, FIS_RES_OTHER, {"duration", NULL}},
};

static const char supported_list[] =
    "aws:rds:failover-db-cluster, aws:rds:reboot-db-instances, "
    "aws:network:disrupt-connectivity and aws:fis:wait";

/* Why rdsim cannot simulate an action, by its family. */
static const char *unsupported_reason(const char *id)
{
    static const struct {
        const char *prefix, *why;
    } reasons[] = {
        {"aws:ec2:",
         "it acts on EC2 instances, Auto Scaling groups or capacity, which rdsim "
         "does not model (its clients are not instances)"},
        {"aws:ecs:", "it acts on ECS tasks, which rdsim does not model"},
        {"aws:eks:", "it acts on EKS clusters and pods, which rdsim does not model"},
        {"aws:ebs:", "it pauses EBS volumes; rdsim models RDS storage only through the "
                     "instances"},
        {"aws:elasticache:", "it acts on ElastiCache, which rdsim does not model"},
        {"aws:memorydb:", "it acts on MemoryDB, which rdsim does not model"},
        {"aws:dynamodb:", "it acts on DynamoDB, which rdsim does not model"},
        {"aws:s3:", "it acts on Amazon S3, which rdsim does not model"},
        {"aws:lambda:", "it acts on Lambda functions, which rdsim does not model"},
        {"aws:ssm:",
         "it runs Systems Manager documents on instances, which rdsim cannot run"},
        {"aws:arc:",
         "it shifts load-balancer traffic away from an AZ (zonal autoshift), which "
         "rdsim does not model"},
        {"aws:fis:inject-api",
         "it injects errors into AWS API calls, which rdsim does not make"},
        {"aws:cloudwatch:",
         "it reads CloudWatch alarms, which cannot be evaluated offline"},
        {"aws:network:route-table-disrupt-cross-region-connectivity",
         "it isolates a Region by route tables; rdsim's region-outage event is the "
         "nearest, but "
         "a template cannot say which side the clients are on"},
        {"aws:network:transit-gateway-disrupt-cross-region-connectivity",
         "it isolates a Region at a transit gateway, which rdsim does not model"},
        {"aws:network:disrupt-vpc-endpoint",
         "it blocks VPC endpoints, which rdsim does not "
         "model"},
        {"aws:directconnect:", "it acts on Direct Connect, which rdsim does not model"},
        {"aws:dsql:", "it acts on Aurora DSQL, which rdsim does not model"},
        {"aws:kinesis:", "it acts on Kinesis, which rdsim does not model"},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (strncmp(id, reasons[i].prefix, strlen(reasons[i].prefix)) == 0)
            return reasons[i].why;
    return "it is not one of the actions rdsim maps to its events";
}

/* Drop an action rdsim cannot simulate (--skip-unsupported) or refuse it. */
static int unsupported(struct fis_ctx *ctx, const struct rdsim_fis_options *opt,
                       struct fis_action *a, const char *path, const char *what,
                       const char *why)
{
    if (opt == NULL || !opt->skip_unsupported)
        return fis_fail(ctx, path,
                        "%s cannot be simulated by rdsim: %s; rdsim simulates %s "
                        "(--skip-unsupported drops the others)",
                        what, why, supported_list);
    a->skipped = true;
    if ((a->why_skipped = fis_printf("dropped (--skip-unsupported): %s", why)) == NULL)
        return fis_nomem(ctx);
    return fis_warn(ctx, "%s: %s %s", a->path, what, a->why_skipped);
}

static int check_duration_range(struct fis_ctx *ctx, const struct fis_action *a,
                                const char *path)
{
    /* FIS: "The duration, from one minute to 12 hours." */
    if (a->duration < 60 * RDSIM_S || a->duration > 12 * 3600 * RDSIM_S) {
        char q[96];
        return fis_fail(
            ctx, path,
            "must be from one minute to 12 hours (PT1M..PT12H), as FIS "
            "allows for %s, got %s",
            a->action_id,
            rdsim_quote(fis_param(a->params, a->n_params, "duration"), q, sizeof q));
    }
    return 0;
}

/* The action's one target: the key FIS expects, naming a target of the
 * right resource type. */
static int check_action_target(struct fis_ctx *ctx, struct fis_template *t,
                               struct fis_action *a, const struct action_spec *spec)
{
    char p[FIS_PATH_MAX], q[96];
    snprintf(p, sizeof p, "%s.targets", a->path);
    if (spec->target_key == NULL) {
        if (a->n_targets > 0)
            return fis_fail(ctx, p, "%s takes no targets", a->action_id);
        return 0;
    }
    if (a->n_targets == 0)
        return fis_fail(ctx, a->n_targets == 0 && a->targets == NULL ? a->path : p,
                        "%s needs its target: \"targets\": {\"%s\": \"TARGET\"}",
                        a->action_id, spec->target_key);
    for (size_t k = 0; k < a->n_targets; k++)
        if (strcmp(a->targets[k].key, spec->target_key) != 0) {
            char pk[FIS_PATH_MAX];
            return fis_fail(ctx, fis_path_key(pk, p, a->targets[k].key),
                            "%s takes its target as \"%s\", not %s", a->action_id,
                            spec->target_key,
                            rdsim_quote(a->targets[k].key, q, sizeof q));
        }
    const char *name = a->targets[0].value;
    char pk[FIS_PATH_MAX];
    fis_path_key(pk, p, spec->target_key);
    for (size_t i = 0; i < t->n_targets; i++) {
        struct fis_target *g = &t->targets[i];
        if (strcmp(g->name, name) != 0)
            continue;
        if (strcmp(g->resource_type, spec->resource_type) != 0)
            return fis_fail(ctx, pk,
                            "names the target %s, of type %s; %s needs an %s target",
                            g->name, g->resource_type, a->action_id, spec->resource_type);
        g->kind = spec->resource;
        a->target = g;
        return 0;
    }
    const char *names[FIS_MAX_ITEMS + 1];
    char list[1024];
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < t->n_targets; i++) {
        names[i] = t->targets[i].name;
        int w = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", names[i]);
        o += w > 0 && o + (size_t)w < sizeof list ? (size_t)w : 0;
    }
    names[t->n_targets] = NULL;
    const char *s = rdsim_suggest(name, names);
    if (s != NULL)
        return fis_fail(ctx, pk, "no target named %s; did you mean \"%s\"?",
                        rdsim_quote(name, q, sizeof q), s);
    return fis_fail(ctx, pk, "no target named %s; %s", rdsim_quote(name, q, sizeof q),
                    t->n_targets ? list : "the template has no targets");
}

static int check_action(struct fis_ctx *ctx, struct fis_template *t, struct fis_action *a,
                        const struct rdsim_fis_options *opt)
{
    char p[FIS_PATH_MAX], q[96];
    const char *why;

    /* Any action's duration sets when the actions after it start, even one
     * that is dropped. */
    const char *dur = fis_param(a->params, a->n_params, "duration");
    snprintf(p, sizeof p, "%s.parameters.duration", a->path);
    if (dur != NULL) {
        if (rdsim_fis_parse_duration(dur, &a->duration, &why) != 0)
            return fis_fail(ctx, p,
                            "must be an ISO 8601 duration such as PT5M or PT1H30M, got "
                            "%s: %s",
                            rdsim_quote(dur, q, sizeof q), why);
        a->has_duration = true;
    }
    const struct action_spec *spec = NULL;
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (strcmp(specs[i].id, a->action_id) == 0)
            spec = &specs[i];
    if (spec == NULL) {
        snprintf(p, sizeof p, "%s.actionId", a->path);
        return unsupported(ctx, opt, a, p, a->action_id,
                           unsupported_reason(a->action_id));
    }
    a->kind = spec->kind;
    for (size_t k = 0; k < a->n_params; k++) {
        size_t i = 0;
        while (spec->params[i] != NULL && strcmp(spec->params[i], a->params[k].key) != 0)
            i++;
        if (spec->params[i] != NULL)
            continue;
        char pk[FIS_PATH_MAX], list[128];
        snprintf(pk, sizeof pk, "%s.parameters", a->path);
        fis_path_key(p, pk, a->params[k].key);
        const char *s = rdsim_suggest(a->params[k].key, spec->params);
        if (s != NULL)
            return fis_fail(ctx, p, "unknown parameter; did you mean \"%s\"?", s);
        size_t o = 0;
        list[0] = '\0';
        for (size_t j = 0; spec->params[j] != NULL; j++)
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", j ? ", " : "",
                                  spec->params[j]);
        return fis_fail(ctx, p, "unknown parameter; %s takes %s", a->action_id,
                        o ? list : "no parameters");
    }
    if (spec->kind == FIS_ACT_WAIT || spec->kind == FIS_ACT_DISRUPT) {
        snprintf(p, sizeof p, "%s.parameters", a->path);
        if (!a->has_duration)
            return fis_fail(ctx, a->params ? p : a->path,
                            "%s needs the parameter \"duration\" "
                            "(PT1M..PT12H)",
                            a->action_id);
        snprintf(p, sizeof p, "%s.parameters.duration", a->path);
        int rc = check_duration_range(ctx, a, p);
        if (rc != 0)
            return rc;
    }
    if (spec->kind == FIS_ACT_DISRUPT) {
        static const char *const other[] = {"dynamodb",  "prefix-list", "s3",
                                            "s3express", "vpc",         NULL};
        const char *scope = fis_param(a->params, a->n_params, "scope");
        snprintf(p, sizeof p, "%s.parameters", a->path);
        if (scope == NULL)
            return fis_fail(ctx, p,
                            "%s needs the parameter \"scope\" (all or "
                            "availability-zone)",
                            a->action_id);
        snprintf(p, sizeof p, "%s.parameters.scope", a->path);
        if ((a->scope = strdup(scope)) == NULL)
            return fis_nomem(ctx);
        if (strcmp(scope, "all") != 0 && strcmp(scope, "availability-zone") != 0) {
            for (size_t i = 0; other[i] != NULL; i++)
                if (strcmp(scope, other[i]) == 0) {
                    char what[160];
                    snprintf(what, sizeof what, "%s with scope %s", a->action_id, scope);
                    return unsupported(
                        ctx, opt, a, p, what,
                        strcmp(scope, "vpc") == 0
                            ? "it cuts the VPC off from outside, and rdsim's "
                              "clients and database are all inside it"
                            : "it denies traffic to AWS services the database "
                              "does not need (S3, DynamoDB, a prefix list)");
                }
            return fis_fail(ctx, p,
                            "must be all, availability-zone, dynamodb, prefix-list, s3, "
                            "s3express or vpc, got %s",
                            rdsim_quote(scope, q, sizeof q));
        }
        if (fis_param(a->params, a->n_params, "prefixListIdentifier") != NULL) {
            snprintf(p, sizeof p, "%s.parameters.prefixListIdentifier", a->path);
            return fis_fail(ctx, p, "only with scope prefix-list, scope is %s", scope);
        }
    }
    if (spec->kind == FIS_ACT_REBOOT) {
        const char *ff = fis_param(a->params, a->n_params, "forceFailover");
        snprintf(p, sizeof p, "%s.parameters.forceFailover", a->path);
        if (ff != NULL && strcasecmp(ff, "true") != 0 && strcasecmp(ff, "false") != 0)
            return fis_fail(ctx, p, "must be \"true\" or \"false\", got %s",
                            rdsim_quote(ff, q, sizeof q));
        a->force_failover = ff != NULL && strcasecmp(ff, "true") == 0;
    }
    return check_action_target(ctx, t, a, spec);
}

/* forceFailover: RebootDBInstance refuses it on an instance that is not a
 * Multi-AZ DB instance, so FIS's action fails there. */
static int check_force_failover(struct fis_ctx *ctx, const struct rdsim_scenario *sc,
                                const struct fis_action *a)
{
    const struct rdsim_cluster_cfg *c = &sc->cluster;
    char p[FIS_PATH_MAX];
    snprintf(p, sizeof p, "%s.parameters.forceFailover", a->path);
    for (size_t k = 0; k < a->target->n_picked; k++) {
        size_t i = a->target->picked[k];
        const char *name = c->instances[i].name;
        if (c->deployment == RDSIM_DEPLOY_MULTI_AZ_INSTANCE && i == c->writer)
            continue;
        const char *what =
            c->deployment == RDSIM_DEPLOY_AURORA
                ? "an Aurora DB instance (fail the cluster over with "
                  "aws:rds:failover-db-cluster)"
            : c->deployment == RDSIM_DEPLOY_MULTI_AZ_CLUSTER
                ? "an instance of a Multi-AZ DB cluster (fail the cluster over with "
                  "aws:rds:failover-db-cluster)"
            : c->deployment == RDSIM_DEPLOY_SINGLE_AZ && i == c->writer
                ? "a Single-AZ DB instance"
                : "a read replica, a Single-AZ DB instance of its own";
        return fis_fail(ctx, p,
                        "\"true\", but %s is %s: RebootDBInstance refuses "
                        "ForceFailover on an instance that is not Multi-AZ",
                        name, what);
    }
    return 0;
}

/* Resolve the targets of the actions that run; an empty target fails, or
 * skips its action under emptyTargetResolutionMode "skip". */
static int resolve(struct fis_ctx *ctx, struct fis_template *t,
                   const struct rdsim_scenario *sc, const struct rdsim_fis_options *opt)
{
    for (size_t i = 0; i < t->n_actions; i++) {
        struct fis_action *a = &t->actions[i];
        if (a->skipped || a->target == NULL)
            continue;
        struct fis_target *g = a->target;
        int rc = fis_target_resolve(ctx, sc, opt, g);
        if (rc != 0)
            return rc;
        bool empty = g->kind == FIS_RES_CLUSTER ? !g->cluster
                     : g->kind == FIS_RES_DB    ? g->n_picked == 0
                                                : g->n_azs == 0;
        if (!empty) {
            if (a->kind == FIS_ACT_REBOOT && a->force_failover &&
                (rc = check_force_failover(ctx, sc, a)) != 0)
                return rc;
            continue;
        }
        if (!t->empty_target_skip)
            return fis_fail(ctx, g->path,
                            "%s, and FIS fails an experiment whose target "
                            "resolves to nothing (experimentOptions."
                            "emptyTargetResolutionMode \"skip\" skips the action "
                            "instead)",
                            g->note);
        /* FIS: the action "will complete immediately with status 'skipped'". */
        a->skipped = true;
        a->has_duration = false;
        if ((a->why_skipped =
                 fis_printf("skipped (emptyTargetResolutionMode skip): %s %s", g->path,
                            g->note)) == NULL)
            return fis_nomem(ctx);
        if ((rc = fis_warn(ctx, "%s: %s", a->path, a->why_skipped)) != 0)
            return rc;
    }
    return 0;
}

/* The events of every action that runs, by start time (file order for
 * ties), each before the end of the scenario. */
static int build_events(struct fis_ctx *ctx, struct fis_template *t,
                        const struct rdsim_scenario *sc, struct fis_event **out,
                        size_t *n_out)
{
    size_t cap = 0, n = 0;
    struct fis_event *ev = NULL;
    size_t *order = calloc(t->n_actions, sizeof *order);
    if (order == NULL)
        return fis_nomem(ctx);
    for (size_t i = 0; i < t->n_actions; i++) {
        size_t j = i;
        while (j > 0 && t->actions[order[j - 1]].start > t->actions[i].start) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    int rc = 0;
    for (size_t k = 0; k < t->n_actions && rc == 0; k++) {
        struct fis_action *a = &t->actions[order[k]];
        const struct fis_target *g = a->target;
        size_t count = a->skipped || g == NULL               ? 0
                       : a->kind == FIS_ACT_FAILOVER_CLUSTER ? 1
                       : a->kind == FIS_ACT_REBOOT           ? g->n_picked
                                                             : g->n_azs;
        a->first_event = n;
        a->n_events = count;
        if (count == 0)
            continue;
        if (a->start >= sc->duration) {
            char at[32], dur[32];
            rdsim_format_duration(a->start, at, sizeof at);
            rdsim_format_duration(sc->duration, dur, sizeof dur);
            rc = fis_fail(ctx, a->path,
                          "starts at %s, at or after the end of %s (duration %s); "
                          "make the scenario's duration longer",
                          at, fis_base_name(sc->path), dur);
            break;
        }
        if (n + count > cap) {
            size_t ncap = (n + count) * 2;
            struct fis_event *nev = realloc(ev, ncap * sizeof *ev);
            if (nev == NULL) {
                rc = fis_nomem(ctx);
                break;
            }
            ev = nev;
            cap = ncap;
        }
        for (size_t e = 0; e < count; e++) {
            struct fis_event *x = &ev[n++];
            memset(x, 0, sizeof *x);
            x->at = a->start;
            if (a->kind == FIS_ACT_FAILOVER_CLUSTER) {
                x->action = RDSIM_ACT_FAILOVER;
            } else if (a->kind == FIS_ACT_REBOOT) {
                x->action = RDSIM_ACT_REBOOT;
                x->target = sc->cluster.instances[g->picked[e]].name;
                x->failover = a->force_failover;
            } else {
                x->action = RDSIM_ACT_AZ_OUTAGE;
                x->az = g->azs[e];
                x->for_ = a->duration;
            }
        }
    }
    free(order);
    if (rc != 0) {
        free(ev);
        return rc;
    }
    *out = ev;
    *n_out = n;
    return 0;
}

/* ---- the whole conversion ----------------------------------------------- */

int rdsim_fis_convert(const char *template_path, const char *template_text,
                      size_t template_len, const struct rdsim_scenario *sc,
                      const char *scenario_text, size_t scenario_len,
                      const struct rdsim_fis_options *opt, struct rdsim_fis_result **out,
                      struct rdsim_err *err)
{
    struct fis_template t = {0};
    struct fis_event *events = NULL;
    size_t n_events = 0;
    struct rdsim_scenario *check = NULL;
    int rc;

    *out = NULL;
    if (template_path == NULL)
        template_path = "(template)";
    struct rdsim_fis_result *res = calloc(1, sizeof *res);
    struct fis_ctx ctx = {.file = template_path, .err = err, .res = res};
    if (res == NULL)
        return fis_nomem(&ctx);
    rc = fis_template_read(&ctx, template_text ? template_text : "", template_len, &t);
    for (size_t i = 0; rc == 0 && i < t.n_actions; i++)
        rc = check_action(&ctx, &t, &t.actions[i], opt);
    if (rc == 0)
        rc = fis_order_check(&ctx, &t);
    if (rc == 0 && t.skip_all) {
        for (size_t i = 0; i < t.n_actions; i++)
            t.actions[i].skipped = true;
        rc = fis_warn(&ctx,
                      "experimentOptions.actionsMode is \"skip-all\": every action is "
                      "skipped, and the scenario has no events");
    }
    if (rc == 0)
        rc = resolve(&ctx, &t, sc, opt);
    if (rc == 0) {
        fis_order_times(&t);
        rc = build_events(&ctx, &t, sc, &events, &n_events);
    }
    if (rc == 0)
        rc = fis_write(&ctx, &t, sc, fis_base_name(template_path), scenario_text,
                       scenario_len, events, n_events, &res->yaml, &res->yaml_len);
    if (rc == 0) {
        /* What rdsim fis writes, rdsim run must read. */
        struct rdsim_err lerr = {0};
        if (rdsim_scenario_load_buffer(sc->path, res->yaml, res->yaml_len, &check,
                                       &lerr) != 0)
            rc = rdsim_err_set(
                err, lerr.code == RDSIM_ENOMEM ? RDSIM_ENOMEM : RDSIM_EINTERNAL,
                "%s: internal error: the scenario written does not load: %s",
                template_path, lerr.msg);
        rdsim_scenario_free(check);
    }
    free(events);
    fis_template_clear(&t);
    if (rc != 0) {
        rdsim_fis_result_free(res);
        return rc;
    }
    rdsim_err_clear(err);
    *out = res;
    return 0;
}

/* The whole file, NUL-terminated, at most FIS_MAX_FILE_BYTES + 1 bytes read
 * (enough to know it is too large). */
static int read_file(const char *path, char **out, size_t *len, struct rdsim_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    if (f == NULL)
        goto io_error;
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > FIS_MAX_FILE_BYTES)
                break;
            size_t ncap = cap ? cap * 2 : 8192;
            char *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                free(buf);
                fclose(f);
                return rdsim_err_set(err, RDSIM_ENOMEM, "%s: out of memory", path);
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                goto io_error;
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
io_error : {
    int e = errno;
    free(buf);
    if (f != NULL)
        fclose(f);
    return rdsim_err_set(err, RDSIM_EIO, "%s: cannot read: %s", path, strerror(e));
}
}

int rdsim_fis_convert_files(const char *template_path, const char *scenario_path,
                            const struct rdsim_fis_options *opt,
                            struct rdsim_fis_result **out, struct rdsim_err *err)
{
    char *tpl = NULL, *text = NULL;
    size_t tpl_len = 0, text_len = 0;
    struct rdsim_scenario *sc = NULL;
    int rc;

    *out = NULL;
    if (template_path == NULL || scenario_path == NULL)
        return rdsim_err_set(err, RDSIM_EINVAL, "no template or scenario path given");
    rc = read_file(template_path, &tpl, &tpl_len, err);
    if (rc == 0)
        rc = read_file(scenario_path, &text, &text_len, err);
    if (rc == 0)
        rc = rdsim_scenario_load_buffer(scenario_path, text, text_len, &sc, err);
    if (rc == 0)
        rc = rdsim_fis_convert(template_path, tpl, tpl_len, sc, text, text_len, opt, out,
                               err);
    rdsim_scenario_free(sc);
    free(tpl);
    free(text);
    return rc;
}

void rdsim_fis_result_free(struct rdsim_fis_result *r)
{
    if (r == NULL)
        return;
    free(r->yaml);
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    free(r);
}
