/*
 * order.c - the startAfter graph: references, cycles, and when each action
 * starts and ends.
 *
 * FIS starts an action when every action in its startAfter has completed,
 * and at the start of the experiment when it has none. An action with a
 * duration completes when it has elapsed; the RDS actions complete when
 * their API call returns, which rdsim takes as at once (on AWS a few
 * seconds pass); a skipped action completes at once (FIS's "skipped"
 * state). Times are exact sums of nanoseconds: no rounding anywhere.
 *
 * The graph is checked in file order, so the same template always names the
 * same first problem; a cycle is reported at the startAfter entry that
 * closes it, with the whole loop spelled out.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

enum { UNSEEN, ON_PATH, DONE };

static struct fis_action *find(struct fis_template *t, const char *name)
{
    for (size_t i = 0; i < t->n_actions; i++)
        if (strcmp(t->actions[i].name, name) == 0)
            return &t->actions[i];
    return NULL;
}

static int check_refs(struct fis_ctx *ctx, struct fis_template *t)
{
    const char *names[FIS_MAX_ITEMS + 1];
    for (size_t i = 0; i < t->n_actions; i++)
        names[i] = t->actions[i].name;
    names[t->n_actions] = NULL;
    for (size_t i = 0; i < t->n_actions; i++) {
        struct fis_action *a = &t->actions[i];
        for (size_t k = 0; k < a->n_start_after; k++) {
            if (find(t, a->start_after[k]) != NULL)
                continue;
            char p[FIS_PATH_MAX], q[96], list[1024];
            size_t o = 0;
            list[0] = '\0';
            for (size_t j = 0; j < t->n_actions && o < sizeof list; j++) {
                int w =
                    snprintf(list + o, sizeof list - o, "%s%s", j ? ", " : "", names[j]);
                o += w > 0 ? (size_t)w : 0;
            }
            snprintf(p, sizeof p, "%s.startAfter[%zu]", a->path, k);
            const char *s = rdsim_suggest(a->start_after[k], names);
            if (s != NULL)
                return fis_fail(ctx, p, "no action named %s; did you mean \"%s\"?",
                                rdsim_quote(a->start_after[k], q, sizeof q), s);
            return fis_fail(ctx, p, "no action named %s; the actions are %s",
                            rdsim_quote(a->start_after[k], q, sizeof q), list);
        }
    }
    return 0;
}

/* Depth-first from `a`; `stack` holds the path so far (depth entries). */
static int visit(struct fis_ctx *ctx, struct fis_template *t, struct fis_action *a,
                 struct fis_action **stack, size_t depth)
{
    a->state = ON_PATH;
    stack[depth] = a;
    for (size_t k = 0; k < a->n_start_after; k++) {
        struct fis_action *b = find(t, a->start_after[k]);
        if (b->state == DONE)
            continue;
        if (b->state == ON_PATH) {
            /* a starts after b, b after the next on the path, ..., up to a. */
            char loop[1024], p[FIS_PATH_MAX];
            size_t from = 0;
            while (stack[from] != b)
                from++;
            size_t o = (size_t)snprintf(loop, sizeof loop, "%s", a->name);
            for (size_t i = from; i <= depth && o < sizeof loop; i++) {
                int w = snprintf(loop + o, sizeof loop - o, " starts after %s",
                                 stack[i]->name);
                o += w > 0 ? (size_t)w : 0;
            }
            snprintf(p, sizeof p, "%s.startAfter[%zu]", a->path, k);
            if (b == a)
                return fis_fail(ctx, p, "%s starts after itself, so it never starts",
                                a->name);
            return fis_fail(
                ctx, p, "a startAfter cycle: %s; none of them would ever start", loop);
        }
        int rc = visit(ctx, t, b, stack, depth + 1);
        if (rc != 0)
            return rc;
    }
    a->state = DONE;
    return 0;
}

static rdsim_time_t end_of(struct fis_template *t, struct fis_action *a);

static rdsim_time_t start_of(struct fis_template *t, struct fis_action *a)
{
    rdsim_time_t start = 0;
    for (size_t k = 0; k < a->n_start_after; k++) {
        rdsim_time_t e = end_of(t, find(t, a->start_after[k]));
        if (e > start)
            start = e;
    }
    return start;
}

/* Memoised through a->state: DONE + 1 once timed. */
static rdsim_time_t end_of(struct fis_template *t, struct fis_action *a)
{
    if (a->state != DONE + 1) {
        a->start = start_of(t, a);
        a->end = a->start + (a->has_duration ? a->duration : 0);
        a->state = DONE + 1;
    }
    return a->end;
}

int fis_order_check(struct fis_ctx *ctx, struct fis_template *t)
{
    struct fis_action *stack[FIS_MAX_ITEMS];
    int rc = check_refs(ctx, t);
    for (size_t i = 0; rc == 0 && i < t->n_actions; i++)
        t->actions[i].state = UNSEEN;
    for (size_t i = 0; rc == 0 && i < t->n_actions; i++)
        if (t->actions[i].state == UNSEEN)
            rc = visit(ctx, t, &t->actions[i], stack, 0);
    return rc;
}

void fis_order_times(struct fis_template *t)
{
    for (size_t i = 0; i < t->n_actions; i++)
        end_of(t, &t->actions[i]);
}
