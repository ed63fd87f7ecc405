/*
 * internal.h - what the FIS converter's files share, not part of the API.
 *
 * template.c reads the JSON (jansson) into the plain structs below and
 * checks its shape; duration.c parses ISO 8601 durations; targets.c
 * resolves a target to the scenario's cluster, instances or AZs; order.c
 * checks the startAfter graph and times every action; write.c writes the
 * scenario; fis.c runs them in that order and owns the result.
 *
 * Every fallible function returns 0 or a negative RDSIM_E* code with the
 * message already in ctx->err ("TEMPLATE: PATH: message"); the first error
 * wins. Paths are the JSON paths of the template as written
 * ("actions.Reboot.parameters.forceFailover", "targets.Db.resourceArns[1]").
 */
#ifndef RDSIM_FIS_INTERNAL_H
#define RDSIM_FIS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "rdsim/err.h"
#include "rdsim/fis.h"
#include "rdsim/scenario.h"
#include "rdsim/sim.h"

/* Far above what FIS allows, so that hostile input stays cheap. */
#define FIS_MAX_ITEMS 100
#define FIS_MAX_FILE_BYTES (16u << 20)

struct fis_ctx {
    const char *file; /* the template, as given */
    struct rdsim_err *err;
    struct rdsim_fis_result *res; /* warnings go here */
};

/* A string-to-string map entry, in file order. */
struct fis_kv {
    char *key, *value;
};

struct fis_filter {
    char *path;
    char **values;
    size_t n_values;
};

enum fis_selection { FIS_SELECT_ALL, FIS_SELECT_COUNT, FIS_SELECT_PERCENT };

/* Which scenario objects a target names, once resolved. */
enum fis_resource { FIS_RES_OTHER, FIS_RES_CLUSTER, FIS_RES_DB, FIS_RES_SUBNET };

struct fis_target {
    char *name;
    char *path; /* "targets.Db" */
    char *resource_type;
    enum fis_resource kind;
    char **arns;
    size_t n_arns;
    bool has_arns, has_tags, has_filters;
    struct fis_kv *tags, *params;
    size_t n_tags, n_params;
    struct fis_filter *filters;
    size_t n_filters;
    char *selection; /* as written: "ALL", "COUNT(1)" */
    enum fis_selection sel;
    long sel_n;
    /* Resolution (targets.c), done once: FIS picks targets at the start of
     * the experiment and keeps them. */
    bool resolved;
    size_t *picked;   /* db targets: instance indexes, in file order */
    const char **azs; /* subnet targets: the AZs picked, distinct; point into the
                       * scenario's topology */
    size_t n_picked, n_azs;
    bool cluster; /* cluster targets: the scenario's cluster was picked */
    char *note;   /* how it was read, for the written file's comments */
};

enum fis_kind {
    FIS_ACT_UNSUPPORTED,
    FIS_ACT_FAILOVER_CLUSTER,
    FIS_ACT_REBOOT,
    FIS_ACT_DISRUPT,
    FIS_ACT_WAIT,
};

struct fis_action {
    char *name;
    char *path; /* "actions.Reboot" */
    char *action_id;
    char *description;
    struct fis_kv *params, *targets;
    size_t n_params, n_targets;
    char **start_after;
    size_t n_start_after;
    enum fis_kind kind;
    /* Checked parameters */
    bool has_duration;
    rdsim_time_t duration;
    bool force_failover;
    char *scope;
    struct fis_target *target; /* the one target of an RDS or network action */
    /* Outcome */
    bool skipped;
    char *why_skipped;
    rdsim_time_t start, end;
    int state; /* order.c's depth-first search */
    size_t first_event, n_events;
};

struct fis_stop {
    char *source, *value;
};

struct fis_template {
    char *id; /* get-experiment-template output only */
    char *description;
    struct fis_target *targets;
    size_t n_targets;
    struct fis_action *actions;
    size_t n_actions;
    struct fis_stop *stops;
    size_t n_stops;
    bool empty_target_skip; /* experimentOptions.emptyTargetResolutionMode: skip */
    bool skip_all;          /* experimentOptions.actionsMode: skip-all */
};

/* ---- fis.c: messages and small helpers --------------------------------- */

/* text with control characters written as \xHH escapes, so that a
 * message quoting the template stays on one line; returns buf. */
const char *fis_one_line(const char *text, char *buf, size_t size);

/* "FILE: PATH: message"; returns RDSIM_EINVAL. */
int fis_fail(struct fis_ctx *ctx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int fis_nomem(struct fis_ctx *ctx);
/* Add one warning line to the result. Returns 0 or RDSIM_ENOMEM. */
int fis_warn(struct fis_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "BASE.KEY" into buf (FIS_PATH_MAX bytes): a key that is not a short
 * plain word is quoted and cut, so any path fits. Returns buf. */
#define FIS_PATH_MAX 512
char *fis_path_key(char *buf, const char *base, const char *key);
/* "BASE[I]" into buf. Returns buf. */
char *fis_path_index(char *buf, const char *base, size_t i);
/* The file name of a path without its folders ("the scenario" for NULL):
 * what the written file and messages name, wherever the file was read. */
const char *fis_base_name(const char *path);
/* printf into a new string; NULL when out of memory. */
char *fis_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- template.c --------------------------------------------------------- */

int fis_template_read(struct fis_ctx *ctx, const char *text, size_t len,
                      struct fis_template *t);
void fis_template_clear(struct fis_template *t);
/* The value of a parameter, or NULL. */
const char *fis_param(const struct fis_kv *kv, size_t n, const char *key);

/* ---- targets.c ---------------------------------------------------------- */

/* Resolve `t` against the scenario (once; later calls return at once),
 * for the action `a` that needs it. An empty result is not an error here:
 * the caller decides (t->n_picked, t->n_azs, t->cluster). */
int fis_target_resolve(struct fis_ctx *ctx, const struct rdsim_scenario *sc,
                       const struct rdsim_fis_options *opt, struct fis_target *t);

/* ---- order.c ------------------------------------------------------------ */

/* Check every startAfter name and that the graph has no cycle. */
int fis_order_check(struct fis_ctx *ctx, struct fis_template *t);
/* Then set each action's start and end (the graph must have passed). */
void fis_order_times(struct fis_template *t);

/* ---- write.c ------------------------------------------------------------ */

/* One scenario event an action became; strings point into the scenario. */
struct fis_event {
    rdsim_time_t at;
    enum rdsim_action action; /* failover, reboot or az-outage */
    const char *target;       /* reboot */
    bool failover;            /* reboot */
    const char *az;           /* az-outage */
    rdsim_time_t for_;        /* az-outage */
};

/* The scenario text: the header comments (the template, each action and
 * what it became), the scenario's YAML with its description and events
 * replaced, and the stop conditions' comment. `template_name` and
 * `scenario_name` are the files' base names. *out is a new string. */
int fis_write(struct fis_ctx *ctx, const struct fis_template *t,
              const struct rdsim_scenario *sc, const char *template_name,
              const char *scenario_text, size_t scenario_len,
              const struct fis_event *events, size_t n_events, char **out,
              size_t *out_len);

#endif
