/*
 * instance_class.h - the DB instance classes a scenario may name.
 *
 * Each class gives the performance model its parallel servers (vCPUs) and
 * the CPU time one point read or one single-row write takes. AWS publishes
 * vCPUs and memory (see docs/model.md); the service times are our own
 * assumptions, scaled by a per-family speed factor, and are documented as such.
 * A scenario error names the class and suggests the closest known one.
 */
#ifndef RDSIM_INSTANCE_CLASS_H
#define RDSIM_INSTANCE_CLASS_H

#include <stddef.h>

#include "rdsim/sim.h"

struct rdsim_instance_class {
    const char *name;          /* "db.r6g.large"; "serverless" for Aurora Serverless v2 */
    int vcpus;                 /* parallel servers; serverless: per ACU, see model docs */
    int memory_gib;
    rdsim_time_t read_service; /* mean CPU time of one point read */
    rdsim_time_t write_service; /* mean cost of one single-row commit on RDS for MySQL,
                                 * CPU and storage (split by engine: cluster params.h) */
};

/* The class with that exact name, or NULL. */
const struct rdsim_instance_class *rdsim_instance_class_find(const char *name);

/* The table, in a stable order (family, then size). */
size_t rdsim_instance_class_count(void);
const struct rdsim_instance_class *rdsim_instance_class_at(size_t i);

/* Relative size for Aurora's "largest instance wins" rule: vCPUs, then memory. */
int rdsim_instance_class_compare(const struct rdsim_instance_class *a,
                                 const struct rdsim_instance_class *b);

#endif
