/*
 * scenario.c - the loaded scenario's lifetime, the names of its enums, and
 * lookups over a topology and cluster.
 *
 * The name tables are the spellings scenario files use; they are indexed by
 * the enums of scenario.h and NULL-terminated for the readers' error lists.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *const sc_deployment_names[] = {
    "single-az", "multi-az-instance", "multi-az-cluster", "aurora", NULL,
};
const char *const sc_engine_names[] = {
    "mysql", "postgres", "mariadb", "aurora-mysql", "aurora-postgres", NULL,
};
const char *const sc_role_names[] = {"writer", "standby", "replica", NULL};
const char *const sc_action_names[] = {
    "az-outage", "region-outage",   "instance-failure", "reboot",          "failover",
    "promote",   "replica-lag",     "storage-failure",  "global-failover", "load",
    "snapshot",  "restore",         "backtrack",        "create-replica",
    NULL,
};

/* Names in a NULL-terminated table of this file. */
#define NAMES(t) (sizeof(t) / sizeof((t)[0]) - 1)

static const char *name_at(const char *const *names, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? names[i] : "?";
}

const char *rdsim_deployment_name(enum rdsim_deployment d)
{
    return name_at(sc_deployment_names, NAMES(sc_deployment_names), (int)d);
}

const char *rdsim_engine_name(enum rdsim_engine e)
{
    return name_at(sc_engine_names, NAMES(sc_engine_names), (int)e);
}

const char *rdsim_role_name(enum rdsim_role r)
{
    return name_at(sc_role_names, NAMES(sc_role_names), (int)r);
}

const char *rdsim_action_name(enum rdsim_action a)
{
    return name_at(sc_action_names, NAMES(sc_action_names), (int)a);
}

bool sc_find_az(const struct rdsim_topology *t, const char *az, size_t *region)
{
    for (size_t r = 0; r < t->n_regions; r++)
        for (size_t i = 0; i < t->regions[r].n_azs; i++)
            if (t->regions[r].azs[i] != NULL && strcmp(t->regions[r].azs[i], az) == 0) {
                if (region != NULL)
                    *region = r;
                return true;
            }
    return false;
}

bool sc_find_region(const struct rdsim_topology *t, const char *name, size_t *region)
{
    for (size_t r = 0; r < t->n_regions; r++)
        if (t->regions[r].name != NULL && strcmp(t->regions[r].name, name) == 0) {
            if (region != NULL)
                *region = r;
            return true;
        }
    return false;
}

bool sc_find_instance(const struct rdsim_cluster_cfg *c, const char *name, size_t *index)
{
    for (size_t i = 0; i < c->n_instances; i++)
        if (c->instances[i].name != NULL && strcmp(c->instances[i].name, name) == 0) {
            if (index != NULL)
                *index = i;
            return true;
        }
    return false;
}

void rdsim_event_clear(struct rdsim_event_cfg *ev)
{
    free(ev->az);
    free(ev->region);
    free(ev->target);
    free(ev->name);
    free(ev->from);
    free(ev->instance_class);
    ev->az = ev->region = ev->target = ev->name = ev->from = ev->instance_class = NULL;
}

static int dup_or_null(const char *s, char **out)
{
    *out = NULL;
    if (s != NULL && (*out = strdup(s)) == NULL)
        return RDSIM_ENOMEM;
    return 0;
}

int rdsim_event_copy(struct rdsim_event_cfg *dst, const struct rdsim_event_cfg *src,
                     struct rdsim_err *err)
{
    *dst = *src;
    if (dup_or_null(src->az, &dst->az) != 0 || dup_or_null(src->region, &dst->region) != 0 ||
        dup_or_null(src->target, &dst->target) != 0 || dup_or_null(src->name, &dst->name) != 0 ||
        dup_or_null(src->from, &dst->from) != 0 ||
        dup_or_null(src->instance_class, &dst->instance_class) != 0) {
        rdsim_event_clear(dst);
        return rdsim_err_set(err, RDSIM_ENOMEM, "out of memory");
    }
    return 0;
}

void rdsim_scenario_free(struct rdsim_scenario *sc)
{
    if (sc == NULL)
        return;
    free(sc->path);
    free(sc->name);
    free(sc->description);
    for (size_t r = 0; r < sc->topology.n_regions; r++) {
        free(sc->topology.regions[r].name);
        for (size_t i = 0; i < sc->topology.regions[r].n_azs; i++)
            free(sc->topology.regions[r].azs[i]);
        free(sc->topology.regions[r].azs);
    }
    free(sc->topology.regions);
    free(sc->workload.regions);
    free(sc->cluster.instance_class);
    free(sc->cluster.engine_version);
    for (size_t i = 0; i < sc->cluster.n_instances; i++) {
        free(sc->cluster.instances[i].name);
        free(sc->cluster.instances[i].az);
        free(sc->cluster.instances[i].instance_class);
        for (size_t t = 0; t < sc->cluster.instances[i].n_tags; t++) {
            free(sc->cluster.instances[i].tags[t].key);
            free(sc->cluster.instances[i].tags[t].value);
        }
        free(sc->cluster.instances[i].tags);
    }
    free(sc->cluster.instances);
    free(sc->cluster.backup.replicate_to);
    for (size_t i = 0; i < sc->n_events; i++)
        rdsim_event_clear(&sc->events[i]);
    free(sc->events);
    free(sc->expect.failover_target);
    for (size_t k = 0; k < sc->expect.n_restores; k++)
        free(sc->expect.restores[k].name);
    free(sc);
}

const char *rdsim_quote(const char *s, char *buf, size_t size)
{
    return sc_quote(s, buf, size);
}
