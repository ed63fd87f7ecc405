/*
 * instance_class.c - the DB instance classes a scenario may name.
 *
 * vCPUs and memory (GiB) are as AWS publishes them for RDS and Aurora
 * ("DB instance classes", hardware specifications table). The service
 * times are NOT AWS figures: they are the model's assumptions. On a
 * Graviton2 or Skylake/Cascade Lake vCPU (r5, m5, r6g, m6g) a point read by
 * primary key is taken to cost 120 us of CPU and a single-row commit 450 us
 * in all on RDS for MySQL, CPU and log write (the cluster splits it by
 * engine, src/cluster/params.h); other families run at a relative speed and
 * service = base / speed:
 *   r7g, m7g  1.25  (Graviton3)
 *   t4g       0.6   sustained baseline of a burstable class, as if its CPU
 *   t3        0.5   credits were spent: what a long run sees
 *   serverless 1.0
 * "serverless" (Aurora Serverless v2) has vcpus 0 and memory_gib 0: its
 * capacity is not fixed but comes from cluster.min_acu..max_acu, 1 ACU being
 * about 2 GiB of memory with matching CPU; the model turns ACUs into servers.
 *
 * The table is in a fixed order (family, then size) and never changes at
 * run time.
 */
#include <string.h>

#include "rdsim/instance_class.h"

#define BASE_READ (120 * RDSIM_US)
#define BASE_WRITE (450 * RDSIM_US)
/* base / (num/den), exact in ns for every speed used here */
#define SVC(num, den) (BASE_READ * (den) / (num)), (BASE_WRITE * (den) / (num))
#define SPEED_1 SVC(1, 1)
#define SPEED_G3 SVC(5, 4)
#define SPEED_T4G SVC(3, 5)
#define SPEED_T3 SVC(1, 2)

static const struct rdsim_instance_class classes[] = {
    {"db.t3.micro", 2, 1, SPEED_T3},
    {"db.t3.small", 2, 2, SPEED_T3},
    {"db.t3.medium", 2, 4, SPEED_T3},
    {"db.t3.large", 2, 8, SPEED_T3},
    {"db.t3.xlarge", 4, 16, SPEED_T3},
    {"db.t3.2xlarge", 8, 32, SPEED_T3},

    {"db.t4g.micro", 2, 1, SPEED_T4G},
    {"db.t4g.small", 2, 2, SPEED_T4G},
    {"db.t4g.medium", 2, 4, SPEED_T4G},
    {"db.t4g.large", 2, 8, SPEED_T4G},
    {"db.t4g.xlarge", 4, 16, SPEED_T4G},
    {"db.t4g.2xlarge", 8, 32, SPEED_T4G},

    {"db.m5.large", 2, 8, SPEED_1},
    {"db.m5.xlarge", 4, 16, SPEED_1},
    {"db.m5.2xlarge", 8, 32, SPEED_1},
    {"db.m5.4xlarge", 16, 64, SPEED_1},
    {"db.m5.8xlarge", 32, 128, SPEED_1},
    {"db.m5.12xlarge", 48, 192, SPEED_1},
    {"db.m5.16xlarge", 64, 256, SPEED_1},
    {"db.m5.24xlarge", 96, 384, SPEED_1},

    {"db.m6g.large", 2, 8, SPEED_1},
    {"db.m6g.xlarge", 4, 16, SPEED_1},
    {"db.m6g.2xlarge", 8, 32, SPEED_1},
    {"db.m6g.4xlarge", 16, 64, SPEED_1},
    {"db.m6g.8xlarge", 32, 128, SPEED_1},
    {"db.m6g.12xlarge", 48, 192, SPEED_1},
    {"db.m6g.16xlarge", 64, 256, SPEED_1},

    {"db.m7g.large", 2, 8, SPEED_G3},
    {"db.m7g.xlarge", 4, 16, SPEED_G3},
    {"db.m7g.2xlarge", 8, 32, SPEED_G3},
    {"db.m7g.4xlarge", 16, 64, SPEED_G3},
    {"db.m7g.8xlarge", 32, 128, SPEED_G3},
    {"db.m7g.12xlarge", 48, 192, SPEED_G3},
    {"db.m7g.16xlarge", 64, 256, SPEED_G3},

    {"db.r5.large", 2, 16, SPEED_1},
    {"db.r5.xlarge", 4, 32, SPEED_1},
    {"db.r5.2xlarge", 8, 64, SPEED_1},
    {"db.r5.4xlarge", 16, 128, SPEED_1},
    {"db.r5.8xlarge", 32, 256, SPEED_1},
    {"db.r5.12xlarge", 48, 384, SPEED_1},
    {"db.r5.16xlarge", 64, 512, SPEED_1},
    {"db.r5.24xlarge", 96, 768, SPEED_1},

    {"db.r6g.large", 2, 16, SPEED_1},
    {"db.r6g.xlarge", 4, 32, SPEED_1},
    {"db.r6g.2xlarge", 8, 64, SPEED_1},
    {"db.r6g.4xlarge", 16, 128, SPEED_1},
    {"db.r6g.8xlarge", 32, 256, SPEED_1},
    {"db.r6g.12xlarge", 48, 384, SPEED_1},
    {"db.r6g.16xlarge", 64, 512, SPEED_1},

    {"db.r7g.large", 2, 16, SPEED_G3},
    {"db.r7g.xlarge", 4, 32, SPEED_G3},
    {"db.r7g.2xlarge", 8, 64, SPEED_G3},
    {"db.r7g.4xlarge", 16, 128, SPEED_G3},
    {"db.r7g.8xlarge", 32, 256, SPEED_G3},
    {"db.r7g.12xlarge", 48, 384, SPEED_G3},
    {"db.r7g.16xlarge", 64, 512, SPEED_G3},

    {"serverless", 0, 0, SPEED_1},
};

const struct rdsim_instance_class *rdsim_instance_class_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(classes[i].name, name) == 0)
            return &classes[i];
    return NULL;
}

size_t rdsim_instance_class_count(void)
{
    return sizeof classes / sizeof classes[0];
}

const struct rdsim_instance_class *rdsim_instance_class_at(size_t i)
{
    return i < rdsim_instance_class_count() ? &classes[i] : NULL;
}

int rdsim_instance_class_compare(const struct rdsim_instance_class *a,
                                 const struct rdsim_instance_class *b)
{
    if (a->vcpus != b->vcpus)
        return a->vcpus < b->vcpus ? -1 : 1;
    if (a->memory_gib != b->memory_gib)
        return a->memory_gib < b->memory_gib ? -1 : 1;
    return 0;
}
