/*
 * internal.h - what the scenario loader's files share, not part of the API.
 *
 * units.c turns value text (durations, ranges, rates, integers, numbers)
 * into values and says why it could not; it knows nothing of YAML or of
 * messages. suggest.c finds the one valid word closest to a misspelt one.
 * load.c owns the libyaml document and the entry points; read.c the dotted
 * path of the node being read and the typed readers that turn a node into
 * a value or a located error; sections.c reads each section of the file,
 * events.c the event list, expect.c the expectations (figures.c names the
 * figures they bound) and tags.c an instance's tags, all through those
 * readers (load.c -> sections.c, events.c, expect.c -> read.c, one way);
 * validate.c checks the cluster rules that span several nodes; scenario.c
 * holds the enum names, lookups and the free.
 *
 * Every reader returns 0 or a negative RDSIM_E* code with the message
 * already in ctx->err, so callers only propagate. The first error wins.
 */
#ifndef RDSIM_SCENARIO_INTERNAL_H
#define RDSIM_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "rdsim/err.h"
#include "rdsim/scenario.h"
#include "rdsim/sim.h"

/* ---- units.c ------------------------------------------------------------ */

/* Why a value's text was refused. */
enum sc_unit_status {
    SC_UNIT_OK = 0,
    SC_UNIT_SYNTAX,     /* not of the expected form */
    SC_UNIT_NEGATIVE,   /* well formed but below zero */
    SC_UNIT_TOO_LARGE,  /* above the largest accepted value */
    SC_UNIT_RESOLUTION, /* a duration finer than 1 ns */
    SC_UNIT_ORDER,      /* a range whose minimum exceeds its maximum */
};

/* The longest duration a scenario may name: far beyond any useful run, and
 * small enough that sums of a few durations never overflow rdsim_time_t. */
#define SC_MAX_DURATION ((rdsim_time_t)100000 * 3600 * RDSIM_S)
#define SC_MAX_DURATION_TEXT "100000h"
/* The highest request rate a scenario may ask for, per second. */
#define SC_MAX_RATE 1000000.0
#define SC_MAX_RATE_TEXT "1000000/s"

/* "250us", "1.5ms", "30s", "2m", "1h" -> ns. A leading '-' parses and
 * returns SC_UNIT_NEGATIVE so that messages can say so. */
enum sc_unit_status sc_parse_duration(const char *s, rdsim_time_t *out);
/* "MIN..MAX" or a single duration (lo == hi). On failure *side says which
 * half was wrong: 0 the minimum (or the whole), 1 the maximum. */
enum sc_unit_status sc_parse_range(const char *s, struct rdsim_range *out, int *side);
/* "900/s", "60/m", "2/h" -> per second. */
enum sc_unit_status sc_parse_rate(const char *s, double *per_s);
/* Decimal integer, optional leading '-'. SC_UNIT_TOO_LARGE on overflow. */
enum sc_unit_status sc_parse_int(const char *s, int64_t *out);
/* Decimal integer 0..UINT64_MAX. */
enum sc_unit_status sc_parse_uint64(const char *s, uint64_t *out);
/* Decimal number: [-]DIGITS[.DIGITS], no exponent, at most 30 digits. */
enum sc_unit_status sc_parse_number(const char *s, double *out);
/* Format ns as the shortest exact duration text ("1.5ms", "10m"). */
void sc_format_duration(rdsim_time_t t, char *buf, size_t size);

/* ---- suggest.c ---------------------------------------------------------- */

/* Damerau-Levenshtein (optimal string alignment) distance. */
size_t sc_edit_distance(const char *a, const char *b);
/*
 * The candidate `word` was most likely meant as, or NULL when none is close
 * (distance <= 2, or `word` a prefix of it) or two are equally close.
 * Candidates are `n` strings, `stride` bytes apart starting at `base`, so
 * both arrays of names and arrays of structs with a name first can be passed.
 */
const char *sc_suggest(const char *word, const void *base, size_t n, size_t stride);
/* Same over a NULL-terminated array of strings. */
const char *sc_suggest_list(const char *word, const char *const *list);
/* The same candidates as one "a, b, c" list for a message, cut at `size`. */
void sc_join_names(char *buf, size_t size, const void *base, size_t n, size_t stride);

/* ---- read.c: the reading context and typed readers ---------------------- */

#define SC_PATH_MAX 256

struct sc_ctx {
    const char *file;        /* as given, used in messages */
    struct rdsim_err *err;
    yaml_document_t *doc;
    struct rdsim_scenario *sc;
    char path[SC_PATH_MAX];  /* dotted path of the node being read */
    size_t path_len;
    bool live;               /* one event injected now: `at` is refused */
};

/* One key a mapping may hold. */
struct sc_key {
    const char *name;
    bool required;
};

/* A mapping's values (and keys, for "not allowed here" errors) indexed like
 * the struct sc_key array that described it; NULL when absent. */
#define SC_MAX_KEYS 16
struct sc_map {
    yaml_node_t *val[SC_MAX_KEYS];
    yaml_node_t *key[SC_MAX_KEYS];
    yaml_node_t *node;       /* the mapping */
    yaml_mark_t where;       /* where errors about it as a whole point */
};

yaml_node_t *sc_node(struct sc_ctx *ctx, int index);
/* Path stack: push returns the length to restore with sc_path_pop. */
size_t sc_path_key(struct sc_ctx *ctx, const char *key);
size_t sc_path_index(struct sc_ctx *ctx, size_t i);
void sc_path_pop(struct sc_ctx *ctx, size_t len);

/* Report "FILE:LINE:COL: PATH: message" at a mark or at a node's start. */
int sc_fail_mark(struct sc_ctx *ctx, yaml_mark_t mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sc_fail(struct sc_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sc_nomem(struct sc_ctx *ctx);
/* How a node reads in "got ...": "\"high\"", "a mapping", "null". */
const char *sc_describe(const yaml_node_t *node, char *buf, size_t size);
/* A string quoted and escaped for a one-line message, cut when long. */
const char *sc_quote(const char *s, char *buf, size_t size);

/*
 * Check that `node` is a mapping whose keys are distinct scalars drawn from
 * `keys` and that every required key is there; fill `m`. `where` is the
 * mark for errors about the mapping as a whole (its key, or its own start).
 */
int sc_map(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where, const struct sc_key *keys,
           size_t n_keys, struct sc_map *m);
/* Check that node is a mapping of distinct scalar keys, in file order up
 * to the first key not in `known` (NULL-terminated), which is returned in
 * *first_unknown (NULL when all are known) for the caller to report. */
int sc_map_shape(struct sc_ctx *ctx, yaml_node_t *node, const char *what, const char *const *known,
                 yaml_node_t **first_unknown);
/* Check that node is a sequence; its length goes to *n. */
int sc_seq(struct sc_ctx *ctx, yaml_node_t *node, const char *what, size_t *n);
yaml_node_t *sc_seq_item(struct sc_ctx *ctx, yaml_node_t *seq, size_t i);
/* The value node of `key` in the mapping `item`, else the item itself. */
yaml_node_t *sc_item_value(struct sc_ctx *ctx, yaml_node_t *item, const char *key);
/* Fail with msg at seq[i].key (at the item when key is NULL), for checks
 * made across a list once every item has loaded. */
int sc_fail_item(struct sc_ctx *ctx, yaml_node_t *seq, size_t i, const char *key, const char *msg);
/* The unknown-key error, with a suggestion among `valid` (NULL-terminated)
 * and otherwise the list of them. `valid_what` names the list in messages. */
int sc_unknown_key(struct sc_ctx *ctx, yaml_node_t *key, const char *const *valid,
                   const char *valid_what);
/* Text of a scalar for an error about a key (the key must be a scalar). */
const char *sc_key_text(const yaml_node_t *key);

/* Typed readers. The path must already name the node. */
int sc_read_name(struct sc_ctx *ctx, yaml_node_t *node, char **out);
int sc_read_text(struct sc_ctx *ctx, yaml_node_t *node, const char *what, const char **out);
int sc_read_string(struct sc_ctx *ctx, yaml_node_t *node, char **out);
/* positive: refuse 0 as well as negative values. */
int sc_read_duration(struct sc_ctx *ctx, yaml_node_t *node, bool positive, rdsim_time_t *out);
int sc_read_range(struct sc_ctx *ctx, yaml_node_t *node, bool positive, struct rdsim_range *out);
int sc_read_rate(struct sc_ctx *ctx, yaml_node_t *node, double *out);
int sc_read_int(struct sc_ctx *ctx, yaml_node_t *node, int64_t lo, int64_t hi, int64_t *out);
/* Decimal integer 0..hi. */
int sc_read_uint64(struct sc_ctx *ctx, yaml_node_t *node, uint64_t hi, uint64_t *out);
/* `expect` completes "must be ..." (e.g. "a number 0..1"). */
int sc_read_number(struct sc_ctx *ctx, yaml_node_t *node, double lo, double hi,
                   const char *expect, double *out);
int sc_read_bool(struct sc_ctx *ctx, yaml_node_t *node, bool *out);
/* One of NULL-terminated `values`; *out is its index. */
int sc_read_enum(struct sc_ctx *ctx, yaml_node_t *node, const char *const *values, int *out);

/* ---- sections.c, events.c, validate.c ----------------------------------- */

int sc_load_top(struct sc_ctx *ctx, yaml_node_t *root);
int sc_load_topology(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where);
int sc_load_cluster(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where);
int sc_load_events(struct sc_ctx *ctx, yaml_node_t *node);
/* An instance's `tags` mapping (tags.c); `where` is its key. */
int sc_load_tags(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where,
                 struct rdsim_instance_cfg *in);
/* The expect: section (expect.c); `where` is its key. */
/* workload.regions (regions.c). */
int sc_load_workload_regions(struct sc_ctx *ctx, yaml_node_t *node,
                             struct rdsim_workload_cfg *w);
int sc_load_expect(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where);
/* "unknown instance NAME" at node, with a suggestion or the list of the
 * cluster's instances (events.c). Returns RDSIM_EINVAL. */
/* An instance class, checked against the table and the deployment. */
int sc_read_class(struct sc_ctx *ctx, yaml_node_t *node, const struct rdsim_cluster_cfg *c,
                  char **out);
/* backup.c: cluster.backup (after the instances); absent: the defaults. */
int sc_load_backup(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where);
void sc_backup_defaults(struct rdsim_cluster_cfg *c);
/* A restore's `to`: a duration since the start, or latest; checked against
 * cluster.backup and the event's own `at` (ev->at read already). */
int sc_read_restore_point(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_event_cfg *ev);
/* A backtrack's cluster (Aurora MySQL, no Global Database, not live),
 * reported at the action's value; and its point `to`, within the 72-hour
 * window before the event. */
int sc_check_backtrack(struct sc_ctx *ctx, yaml_node_t *action);
int sc_read_backtrack_point(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_event_cfg *ev);
/* backup.c: the cross-event rules of snapshot and restore, over the events
 * in time order (order[k]: file index of the k-th; seq: the events list). */
int sc_check_backup_events(struct sc_ctx *ctx, yaml_node_t *seq, const size_t *order);
/* replicas.c: cluster.replica_autoscaling (after the instances; absent:
 * off), a create-replica's tier, and the rules of create-replica events
 * that span several events (names, the 15-replica limit), checked as
 * sc_check_backup_events is. */
int sc_load_autoscaling(struct sc_ctx *ctx, yaml_node_t *node, yaml_mark_t where);
int sc_read_replica_tier(struct sc_ctx *ctx, yaml_node_t *node, struct rdsim_event_cfg *ev);
int sc_check_replica_events(struct sc_ctx *ctx, yaml_node_t *seq, const size_t *order);
int sc_fail_unknown_instance(struct sc_ctx *ctx, yaml_node_t *node, const char *name);
/* One event mapping read with the rules of an `events:` item (ctx->live
 * set: without `at`). */
int sc_load_event(struct sc_ctx *ctx, yaml_node_t *item, struct rdsim_event_cfg *ev);

/* Positions of the cluster keys in their key table (sections.c). */
enum sc_cluster_key {
    SC_CK_DEPLOYMENT,
    SC_CK_ENGINE,
    SC_CK_ENGINE_VERSION,
    SC_CK_INSTANCE_CLASS,
    SC_CK_MIN_ACU,
    SC_CK_MAX_ACU,
    SC_CK_DNS_TTL,
    SC_CK_GLOBAL_DB_RPO,
    SC_CK_FAILOVER,
    SC_CK_TARGET_APPLY_LAG,
    SC_CK_INSTANCES,
    SC_CK_BACKUP,
    SC_CK_REPLICA_AUTOSCALING,
};

/* Per-instance nodes the cluster rules point their errors at. */
struct sc_inst_nodes {
    yaml_node_t *role, *az;
};
int sc_validate_cluster(struct sc_ctx *ctx, const struct sc_map *m,
                        const struct sc_inst_nodes *nodes, yaml_mark_t instances_where);

/* Lookups over the loaded topology and cluster. */
bool sc_find_az(const struct rdsim_topology *t, const char *az, size_t *region);
bool sc_find_region(const struct rdsim_topology *t, const char *name, size_t *region);
bool sc_find_instance(const struct rdsim_cluster_cfg *c, const char *name, size_t *index);

/* Names as written in files, NULL-terminated, indexed by the enums. */
extern const char *const sc_deployment_names[];
extern const char *const sc_engine_names[];
extern const char *const sc_role_names[];
extern const char *const sc_action_names[];

/* ---- yaml_hint.c -------------------------------------------------------- */

/* The likely cause of libyaml's scanner or parser error in p, in plain
 * words ("indentation: line 5 starts at column 2, ..."), written into out
 * (size bytes, NUL-terminated) from the text of buf. Returns its length, or
 * 0 (out empty) when the error is not one it recognises. */
size_t sc_yaml_hint(const yaml_parser_t *p, const char *buf, size_t len, char *out,
                    size_t size);

#endif
