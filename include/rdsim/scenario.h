/*
 * scenario.h - a scenario file, parsed and validated into plain structs.
 *
 * The loader reads YAML (libyaml) and checks every rule of the contract
 * (../shared/scenario-format.md, docs/scenario-format.md): types, units,
 * ranges, names, cross references and deployment rules. A scenario that
 * loads is valid; the model never has to re-check it. Errors read
 *
 *     FILE:LINE:COL: path: what was expected, got what
 *
 * with a "did you mean" hint for misspelt keys.
 *
 * Every string and array below is owned by the struct rdsim_scenario and
 * freed by rdsim_scenario_free().
 */
#ifndef RDSIM_SCENARIO_H
#define RDSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdsim/err.h"
#include "rdsim/figures.h"
#include "rdsim/sim.h"

#define RDSIM_MAX_REPLICAS_PER_SOURCE 15

/* Where a node sits in the scenario file (1-based, as editors count). */
struct rdsim_loc {
    int line, col;
};

/* A duration range; lo == hi for a fixed value. */
struct rdsim_range {
    rdsim_time_t lo, hi;
};

struct rdsim_region {
    char *name;
    char **azs;
    size_t n_azs;
};

struct rdsim_topology {
    struct rdsim_region *regions;
    size_t n_regions;
    struct rdsim_range rtt_same_az, rtt_cross_az, rtt_cross_region;
};

enum rdsim_deployment {
    RDSIM_DEPLOY_SINGLE_AZ,
    RDSIM_DEPLOY_MULTI_AZ_INSTANCE,
    RDSIM_DEPLOY_MULTI_AZ_CLUSTER,
    RDSIM_DEPLOY_AURORA,
};

enum rdsim_engine {
    RDSIM_ENGINE_MYSQL,
    RDSIM_ENGINE_POSTGRES,
    RDSIM_ENGINE_MARIADB,
    RDSIM_ENGINE_AURORA_MYSQL,
    RDSIM_ENGINE_AURORA_POSTGRES,
};

enum rdsim_role {
    RDSIM_ROLE_WRITER,
    RDSIM_ROLE_STANDBY,
    RDSIM_ROLE_REPLICA,
};

/* An AWS resource tag, as on the instance (rdsim fis matches FIS targets'
 * resourceTags against them). */
struct rdsim_tag {
    char *key;
    char *value;           /* may be "" */
};

struct rdsim_instance_cfg {
    char *name;
    enum rdsim_role role;
    char *az;
    size_t region;         /* index into topology.regions, resolved by the loader */
    char *instance_class;  /* never NULL: the cluster default when not given */
    int tier;              /* aurora promotion tier, default 1 */
    struct rdsim_tag *tags; /* in file order, keys distinct; NULL when none */
    size_t n_tags;
    struct rdsim_loc loc;
};

/* cluster.backup: automated backups (issue 15). */
struct rdsim_backup_cfg {
    int retention_days;            /* 0..35 (aurora 1..35); default 0, aurora 1 */
    rdsim_time_t log_upload_interval; /* RDS: default 5m; aurora uploads continuously */
    char *replicate_to;            /* a region, or NULL */
};

/* cluster.replica_autoscaling (aurora only, issue 15): Application Auto
 * Scaling target tracking on the readers' average CPU or connections. */
struct rdsim_autoscaling_cfg {
    bool present;
    int min, max;                  /* Aurora Replicas, 0 <= min <= max <= 15 */
    bool by_connections;           /* target_connections, else target_cpu */
    double target;                 /* percent CPU, or connections per reader */
    rdsim_time_t scale_out_cooldown, scale_in_cooldown; /* default 300s each */
};

struct rdsim_cluster_cfg {
    enum rdsim_deployment deployment;
    enum rdsim_engine engine;
    /* cluster.engine_version (aurora only): NULL when absent (the newest
     * version's behaviour); its first two numbers, -1 when absent */
    char *engine_version;
    int version_major, version_minor;
    char *instance_class;  /* default db.r6g.large */
    struct rdsim_instance_cfg *instances;
    size_t n_instances;
    size_t writer;         /* index of the writer in instances */
    /* failover phase overrides; has_* false means "deployment default" */
    bool has_detection, has_promotion, has_dns_update;
    struct rdsim_range detection, promotion, dns_update;
    rdsim_time_t dns_ttl;  /* default 5s */
    /* Multi-AZ DB cluster flow control: a standby's apply lag past this
     * throttles the writer's commits; default 120s */
    rdsim_time_t target_apply_lag;
    /* Aurora Serverless v2 capacity (instance_class: serverless) */
    double min_acu, max_acu;
    /* Aurora PostgreSQL managed RPO (rds.global_db_rpo); 0: not set */
    rdsim_time_t global_db_rpo;
    struct rdsim_backup_cfg backup;
    struct rdsim_autoscaling_cfg autoscaling;
};

enum rdsim_keys { RDSIM_KEYS_UNIFORM, RDSIM_KEYS_ZIPF };
enum rdsim_read_from { RDSIM_READ_FROM_READER, RDSIM_READ_FROM_WRITER };

/* workload.regions: the clients of one Region and their share of the load. */
struct rdsim_region_share {
    size_t region;         /* index into topology.regions */
    double share;          /* 0 < share <= 1; the shares add up to 1 */
};

struct rdsim_workload_cfg {
    bool present;
    int64_t rows;          /* default 10000 */
    enum rdsim_keys keys;
    double zipf_s;         /* exponent for keys: zipf:S */
    double reads_per_s, writes_per_s;
    enum rdsim_read_from read_from;
    /* Where the clients are; none: every client in the writer's Region. */
    struct rdsim_region_share *regions;
    size_t n_regions;
};

enum rdsim_dns_cache { RDSIM_DNS_CACHE_TTL, RDSIM_DNS_CACHE_FOREVER, RDSIM_DNS_CACHE_FIXED };
enum rdsim_connection {
    RDSIM_CONN_DIRECT,
    RDSIM_CONN_RDS_PROXY,
    RDSIM_CONN_SMART_DRIVER,
};

struct rdsim_clients_cfg {
    rdsim_time_t timeout;           /* default 2s */
    struct rdsim_range retry_backoff; /* default 100ms..5s: first..cap */
    rdsim_time_t give_up_after;     /* default 30s */
    enum rdsim_dns_cache dns_cache;
    rdsim_time_t dns_cache_for;     /* when dns_cache is RDSIM_DNS_CACHE_FIXED */
    enum rdsim_connection connection;
};

enum rdsim_action {
    RDSIM_ACT_AZ_OUTAGE,
    RDSIM_ACT_REGION_OUTAGE,
    RDSIM_ACT_INSTANCE_FAILURE,
    RDSIM_ACT_REBOOT,
    RDSIM_ACT_FAILOVER,
    RDSIM_ACT_PROMOTE,
    RDSIM_ACT_REPLICA_LAG,
    RDSIM_ACT_STORAGE_FAILURE,
    RDSIM_ACT_GLOBAL_FAILOVER,
    RDSIM_ACT_LOAD,
    RDSIM_ACT_SNAPSHOT,        /* a manual DB snapshot (issue 15) */
    RDSIM_ACT_RESTORE,         /* a new instance from a snapshot */
    RDSIM_ACT_BACKTRACK,       /* Aurora MySQL: rewind the cluster in place */
    RDSIM_ACT_CREATE_REPLICA,  /* a new read replica or Aurora Replica */
};

enum rdsim_global_mode { RDSIM_GLOBAL_SWITCHOVER, RDSIM_GLOBAL_UNPLANNED };

struct rdsim_event_cfg {
    rdsim_time_t at;
    enum rdsim_action action;
    char *az;          /* az-outage, storage-failure */
    char *region;      /* region-outage, global-failover */
    char *target;      /* instance name; NULL when optional and absent */
    bool has_for;
    rdsim_time_t for_;
    bool failover;     /* reboot */
    rdsim_time_t delay; /* replica-lag */
    int copies;        /* storage-failure, 1..2 */
    enum rdsim_global_mode mode;
    bool has_reads, has_writes; /* load: only the rates given change */
    double reads_per_s, writes_per_s;
    char *name;        /* snapshot: the snapshot's; restore, create-replica: the new instance's */
    char *from;        /* restore: a snapshot an earlier event takes; NULL with `to` */
    bool has_to, to_latest; /* restore to a point in time: `to` or the latest;
                             * backtrack: the point it rewinds to */
    rdsim_time_t to;
    char *instance_class; /* restore, create-replica; NULL: the cluster's default */
    bool has_tier;     /* create-replica (aurora): promotion tier given */
    int tier;          /* 0..15, default 1 */
    bool become_writer; /* restore: the application is re-pointed to it */
    struct rdsim_loc loc;
};

/* One `min:` or `max:` entry: a figure of summary.json and its bound. */
struct rdsim_expect_bound {
    enum rdsim_figure figure;
    double limit;
    struct rdsim_loc loc;  /* the figure's key in the file */
};

/* expect.restores.NAME: bounds on one restore's figures (summary.json
 * restores[]: lost_writes, time_to_available_s). */
enum { RDSIM_MAX_EXPECT_RESTORES = 4 };
struct rdsim_expect_restore {
    char *name;                  /* a restore event's */
    bool has_min_lost, has_max_lost, has_max_time;
    int64_t min_lost_writes, max_lost_writes;
    rdsim_time_t max_time_to_available;
};

struct rdsim_expect_cfg {
    bool has_max_writer_downtime, has_lost_writes, has_max_stale_read_ratio;
    bool has_min_avail_writer, has_min_avail_reader;
    bool has_min_uptime_writer, has_min_uptime_reader;
    rdsim_time_t max_writer_downtime;
    int64_t lost_writes;   /* lost_writes: or max_lost_writes: (never both) */
    bool lost_writes_as_max; /* it was written max_lost_writes */
    double max_stale_read_ratio;
    double min_avail_writer, min_avail_reader;
    double min_uptime_writer, min_uptime_reader;
    bool has_writer_recovers, writer_recovers;
    char *failover_target; /* an instance's name; NULL when absent */
    /* min: and max:, in file order; each figure at most once per map */
    struct rdsim_expect_bound min[RDSIM_FIG_COUNT], max[RDSIM_FIG_COUNT];
    size_t n_min, n_max;
    struct rdsim_expect_restore restores[RDSIM_MAX_EXPECT_RESTORES]; /* in file order */
    size_t n_restores;
};

/* Does the scenario state no expectation at all? */
bool rdsim_expect_cfg_is_empty(const struct rdsim_expect_cfg *e);

struct rdsim_scenario {
    char *path;        /* as given to the loader */
    char *name;
    char *description; /* NULL when absent */
    uint64_t seed;     /* default 1 */
    rdsim_time_t duration;
    rdsim_time_t sample_interval; /* default 1s */
    struct rdsim_topology topology;
    struct rdsim_cluster_cfg cluster;
    struct rdsim_workload_cfg workload;
    struct rdsim_clients_cfg clients;
    struct rdsim_event_cfg *events; /* sorted by `at`, file order for ties */
    size_t n_events;
    struct rdsim_expect_cfg expect;
};

/*
 * Load and validate the scenario at `path`. On success *out owns a new
 * scenario; on failure returns RDSIM_EINVAL (bad scenario) or RDSIM_EIO
 * (unreadable file) with the message in err.
 */
int rdsim_scenario_load(const char *path, struct rdsim_scenario **out, struct rdsim_err *err);

/*
 * The same from a buffer; `path` only names the source in messages.
 */
int rdsim_scenario_load_buffer(const char *path, const char *buf, size_t len,
                               struct rdsim_scenario **out, struct rdsim_err *err);

/* Free a scenario; NULL does nothing. */
void rdsim_scenario_free(struct rdsim_scenario *sc);

/*
 * Parse one event given as YAML text (a mapping like an `events:` item, but
 * without `at`: live mode injects it now), checked against `sc` with the
 * same rules and messages as a scenario file; `source` names the text in
 * messages. On success *out owns its strings (free with rdsim_event_clear).
 * Returns 0 or RDSIM_EINVAL / RDSIM_ENOMEM with the message in err.
 */
int rdsim_scenario_parse_event(const struct rdsim_scenario *sc, const char *source,
                               const char *text, size_t len, struct rdsim_event_cfg *out,
                               struct rdsim_err *err);
/* Free an event's strings (not the struct); the event is left empty. */
void rdsim_event_clear(struct rdsim_event_cfg *ev);
/* Deep copy of src into *dst. Returns 0 or RDSIM_ENOMEM. */
int rdsim_event_copy(struct rdsim_event_cfg *dst, const struct rdsim_event_cfg *src,
                     struct rdsim_err *err);

/* The one word of the NULL-terminated `list` that `word` was most likely
 * meant as, by the loader's "did you mean" rule (docs/scenario-format.md
 * §8), or NULL. For other readers of user input (rdsim fis). */
const char *rdsim_suggest(const char *word, const char *const *list);
/* `s` quoted for a one-line message, as the loader's messages quote values:
 * escaped, and cut with "..." when long. Returns buf. */
const char *rdsim_quote(const char *s, char *buf, size_t size);

/* A parameter in which two scenario files differ, by dotted path. */
struct rdsim_param_change {
    char *path;    /* "clients.dns_cache", "cluster.instances.standby.az", "events[0].at" */
    char *shipped; /* the first file's value as text; NULL: not set there */
    char *here;    /* the second file's; NULL: not set there */
};

/*
 * The parameters in which scenario text `here` differs from `shipped`
 * (say, a lesson as rdsim ships it and a student's copy): every value,
 * by dotted path, compared as the loader reads it (60s equals 1m, quoting
 * and key order do not matter); instances are matched by name
 * (cluster.instances.NAME.az, as sweeps name them), other list items by
 * position; `name` and `description` are not compared. A value that is a
 * mapping or list present on one side only is given as flow YAML text.
 * Both texts should be scenarios that load. On success *out is a new
 * array of *n changes in the order of the shipped file (free with
 * rdsim_param_changes_free), NULL when *n is 0. Returns 0, RDSIM_EINVAL
 * when a text is not YAML, or RDSIM_ENOMEM.
 */
int rdsim_scenario_diff(const char *shipped, size_t shipped_len, const char *here,
                        size_t here_len, struct rdsim_param_change **out, size_t *n,
                        struct rdsim_err *err);
void rdsim_param_changes_free(struct rdsim_param_change *c, size_t n);

/* Names as written in scenario files, for reports. */
const char *rdsim_deployment_name(enum rdsim_deployment d);
const char *rdsim_engine_name(enum rdsim_engine e);
const char *rdsim_role_name(enum rdsim_role r);
const char *rdsim_action_name(enum rdsim_action a);

/*
 * Parse a duration ("250us", "1.5ms", "30s", "2m", "1h") into ns. Returns 0
 * or RDSIM_EINVAL. Exposed for the CLI and tests.
 */
int rdsim_parse_duration(const char *s, rdsim_time_t *out);
/* The shortest text rdsim_parse_duration reads back as exactly t ("90s",
 * "1.5ms", "83.000000001s"). */
void rdsim_format_duration(rdsim_time_t t, char *buf, size_t size);

#endif
