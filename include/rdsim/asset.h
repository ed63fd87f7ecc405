/*
 * asset.h - files compiled into the binary (gnuplot scripts, web pages).
 *
 * tools/embed.py generates one table per set at build time; a table ends
 * with an entry whose name is NULL. Each asset's data is followed by a NUL.
 */
#ifndef RDSIM_ASSET_H
#define RDSIM_ASSET_H

#include <stddef.h>
#include <string.h>

struct rdsim_asset {
    const char *name; /* base name of the source file */
    const unsigned char *data;
    size_t size;
};

/* The asset called `name` in `set`, or NULL. */
static inline const struct rdsim_asset *rdsim_asset_find(const struct rdsim_asset *set,
                                                         const char *name)
{
    for (; set->name; set++)
        if (strcmp(set->name, name) == 0)
            return set;
    return NULL;
}

/* The HTTP Content-Type of an asset called `name`, by its extension. */
static inline const char *rdsim_asset_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (dot && strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (dot && strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    return "application/octet-stream";
}

#endif
