/*
 * suggest.c - "did you mean" for misspelt keys, values and names.
 *
 * A candidate is close when its Damerau-Levenshtein distance (optimal
 * string alignment: insertions, deletions, substitutions and adjacent
 * transpositions, each costing 1) is at most 2, or at most 1 for words of
 * up to 5 characters (else "zone" would suggest "role"), or when the word
 * is a prefix of it (at least 3 characters typed).
 * Only a single best candidate is offered: when two are equally close
 * ("us-east-1d" against a, b and c) the message lists the valid values
 * instead of guessing. Comparison ignores ASCII case.
 *
 * Words longer than SUGGEST_MAX are never matched: no valid key or name is
 * that long, and it bounds the work on hostile input.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define SUGGEST_MAX 64

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t sc_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
        return (size_t)-1;
    /* Three rolling rows of the (la+1) x (lb+1) table. */
    size_t rows[3][SUGGEST_MAX + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) && prev2[j - 2] + 1 < cur[j])
                cur[j] = prev2[j - 2] + 1;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

static bool is_prefix(const char *word, const char *cand)
{
    size_t n = strlen(word);
    if (n < 3 || n >= strlen(cand))
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(word[i]) != lower(cand[i]))
            return false;
    return true;
}

const char *sc_suggest(const char *word, const void *base, size_t n, size_t stride)
{
    size_t wlen = strlen(word);
    if (wlen == 0 || wlen > SUGGEST_MAX)
        return NULL;
    /* A prefix counts as distance 1: "inst" suggests "instances" unless a
     * second candidate is as close. */
    size_t best_d = (size_t)-1;
    const char *best = NULL;
    bool tie = false;
    for (size_t i = 0; i < n; i++) {
        const char *cand = *(const char *const *)(const void *)((const char *)base + i * stride);
        size_t d = sc_edit_distance(word, cand);
        if (d == 0 && strcmp(word, cand) == 0)
            return NULL; /* the word is valid: nothing to suggest */
        if (is_prefix(word, cand) && d > 1)
            d = 1;
        if (d > (wlen <= 5 ? 1u : 2u))
            continue;
        if (d < best_d) {
            best_d = d;
            best = cand;
            tie = false;
        } else if (d == best_d && strcmp(cand, best) != 0) {
            tie = true;
        }
    }
    return tie ? NULL : best;
}

const char *sc_suggest_list(const char *word, const char *const *list)
{
    size_t n = 0;
    while (list[n] != NULL)
        n++;
    return sc_suggest(word, list, n, sizeof list[0]);
}

const char *rdsim_suggest(const char *word, const char *const *list)
{
    return sc_suggest_list(word, list);
}

void sc_join_names(char *buf, size_t size, const void *base, size_t n, size_t stride)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < size; i++) {
        const char *name = *(const char *const *)(const void *)((const char *)base + i * stride);
        int w = snprintf(buf + o, size - o, "%s%s", i > 0 ? ", " : "", name);
        o += w > 0 ? (size_t)w : 0;
    }
}
