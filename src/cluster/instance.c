/*
 * instance.c - opening an instance, and instances created during a run.
 *
 * Instances the scenario declares are opened at create. Others (a restored
 * instance, issue 15) are planned by name before the run starts, so that
 * every output has their column from the first row, and created when their
 * event fires: a slot is a zeroed instance whose only content is its name,
 * and the instance count grows as slots fill, in slot order. Nothing in the
 * deployments' loops (which stop at n_inst) sees a slot before it is
 * created.
 *
 * A created instance is standalone (role writer): its own database,
 * outside replication and failovers (a restored DB instance is a new
 * instance, facts 5); it has no replicas and takes no deployment decision
 * when its AZ goes out. Or it is a replica (role replica, replicas.c): a
 * member of the cluster once its creator attaches it to the writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_impl.h"

int instance_open(struct rdsim_cluster *c, size_t i, const struct rdsim_instance_cfg *ic,
                  struct rdsim_db *like, struct rdsim_err *err)
{
    struct rdsim_instance *in = &c->inst[i];
    char path[4096];
    struct rdsim_db_config dbc = {
        .path = NULL,
        .rows = c->sc->workload.present ? c->sc->workload.rows : 1,
        .capture = true,
        .verify = c->verify,
        .like = like,
    };

    in->cfg = ic;
    in->role = ic->role;
    in->source = -1;
    in->missed_since = in->lag_max = in->lag_last = -1;
    in->cls = rdsim_instance_class_find(ic->instance_class);
    if (!in->cls)
        return rdsim_err_set(err, RDSIM_EINTERNAL, "instance class %s vanished",
                             ic->instance_class);
    in->az = (size_t)cluster_find_az(c, ic->az);
    in->region = c->az_region[in->az];
    /* Serverless: one vCPU per 4 ACUs (1 ACU is about 2 GiB, facts 4.7;
     * an r6g has 8 GiB per vCPU), so max_acu sets the most servers. */
    in->max_vcpus = in->cls->vcpus > 0 ? in->cls->vcpus
                                       : (int)(c->sc->cluster.max_acu / 4.0) + 1;
    in->vcpus = in->max_vcpus;
    in->free_at = calloc((size_t)in->max_vcpus, sizeof(*in->free_at));
    if (!in->free_at)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    serverless_init(c, i);
    if (c->keep_db_dir) {
        int n = snprintf(path, sizeof(path), "%s/%s.sqlite", c->keep_db_dir, ic->name);
        if (n < 0 || (size_t)n >= sizeof(path))
            return rdsim_err_set(err, RDSIM_EINVAL, "--keep-db: path too long");
        dbc.path = path;
    }
    return rdsim_db_open(&dbc, &in->db, err);
}

void instance_free(struct rdsim_instance *in)
{
    rdsim_db_close(in->db);
    free(in->free_at);
    if (in->owns_cfg) {
        free(in->own_cfg.az);
        free(in->own_cfg.instance_class);
    }
}

size_t rdsim_cluster_instance_slots(const struct rdsim_cluster *c)
{
    return c->n_slots;
}

int rdsim_cluster_plan_instance(struct rdsim_cluster *c, const char *name,
                                struct rdsim_err *err)
{
    struct rdsim_instance *grown;
    struct rdsim_instance *in;
    int *readers;

    if (!name || !*name)
        return rdsim_err_set(err, RDSIM_EINVAL, "a planned instance needs a name");
    for (size_t i = 0; i < c->n_slots; i++)
        if (strcmp(c->inst[i].cfg->name, name) == 0)
            return rdsim_err_set(err, RDSIM_EINVAL, "instance %s exists already", name);
    /* Failover events carry an instance index in 8 bits (fo_arg). */
    if (c->n_slots >= 0xff)
        return rdsim_err_set(err, RDSIM_EINVAL, "at most 254 instances in a run");
    grown = realloc(c->inst, (c->n_slots + 1) * sizeof(*grown));
    if (!grown)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    c->inst = grown;
    /* The move broke the planned slots' pointers to their own config. */
    for (size_t i = 0; i < c->n_slots; i++)
        if (c->inst[i].owns_cfg)
            c->inst[i].cfg = &c->inst[i].own_cfg;
    readers = realloc(c->readers, (c->n_slots + 1) * sizeof(*readers));
    if (!readers)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    c->readers = readers;
    in = &c->inst[c->n_slots];
    memset(in, 0, sizeof(*in));
    in->own_cfg.name = (char *)name; /* the caller's, for good */
    in->owns_cfg = true;
    in->cfg = &in->own_cfg;
    in->source = -1;
    in->missed_since = in->lag_max = in->lag_last = -1;
    c->n_slots++;
    return 0;
}

int rdsim_cluster_add_instance(struct rdsim_cluster *c, const struct rdsim_instance_cfg *cfg,
                               struct rdsim_db *copy_of, size_t *index, struct rdsim_err *err)
{
    struct rdsim_instance *in;
    struct rdsim_instance_cfg *own;
    const char *cls;
    int rc;

    if (c->n_inst >= c->n_slots || strcmp(c->inst[c->n_inst].cfg->name, cfg->name) != 0)
        return rdsim_err_set(err, RDSIM_EINVAL, "instance %s was not planned next", cfg->name);
    if (cluster_find_az(c, cfg->az) < 0)
        return rdsim_err_set(err, RDSIM_EINVAL, "instance %s: unknown AZ %s", cfg->name, cfg->az);
    if (cfg->role == RDSIM_ROLE_STANDBY)
        return rdsim_err_set(err, RDSIM_EINVAL,
                             "instance %s: a standby cannot be created during a run (only a "
                             "standalone instance, role writer, or a replica)", cfg->name);
    cls = cfg->instance_class ? cfg->instance_class : c->sc->cluster.instance_class;
    if (!rdsim_instance_class_find(cls))
        return rdsim_err_set(err, RDSIM_EINVAL, "instance %s: unknown instance class %s",
                             cfg->name, cls);
    in = &c->inst[c->n_inst];
    own = &in->own_cfg;
    own->role = cfg->role;
    own->tier = cfg->tier;
    own->region = cfg->region;
    own->az = strdup(cfg->az);
    own->instance_class = strdup(cls);
    if (!own->az || !own->instance_class)
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    rc = instance_open(c, c->n_inst, own, copy_of, err);
    if (rc)
        return rc;
    own->region = in->region;
    /* A replica stays outside replication until replicas.c attaches it. */
    in->standalone = cfg->role == RDSIM_ROLE_WRITER;
    *index = c->n_inst++;
    return 0;
}
