/*
 * duration.c - ISO 8601 durations as FIS writes them: "PT5M", "PT1H30M",
 * "PT0.5S", "P1D".
 *
 * The form read is P[nD][T[nH][nM][n[.f]S]]: designators upper case and in
 * that order, at least one component, a T only with a time component after
 * it, a fraction on the seconds only (up to nine digits: nanoseconds).
 * Years, months and weeks are refused: a month has no fixed length, and FIS
 * actions last at most 12 hours anyway. Values above 100000 hours are
 * refused so that sums never overflow.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define MAX_DURATION ((rdsim_time_t)100000 * 3600 * RDSIM_S)

static int bad(const char **why, const char *reason)
{
    if (why != NULL)
        *why = reason;
    return RDSIM_EINVAL;
}

int rdsim_fis_parse_duration(const char *text, rdsim_time_t *out, const char **why)
{
    static const struct {
        char unit;
        bool time; /* after the T */
        rdsim_time_t ns;
    } units[] = {
        {'D', false, 86400 * RDSIM_S},
        {'H', true, 3600 * RDSIM_S},
        {'M', true, 60 * RDSIM_S},
        {'S', true, RDSIM_S},
    };
    const char *p = text;
    size_t next = 0; /* the first unit still allowed */
    bool in_time = false, any = false;
    rdsim_time_t total = 0;

    if (p == NULL || *p != 'P')
        return bad(why, "an ISO 8601 duration starts with P");
    p++;
    while (*p != '\0') {
        if (*p == 'T') {
            if (in_time)
                return bad(why, "a second T");
            in_time = true;
            p++;
            if (*p == '\0')
                return bad(why, "nothing after T");
            continue;
        }
        if (*p < '0' || *p > '9')
            return bad(why, "a number was expected");
        uint64_t whole = 0;
        while (*p >= '0' && *p <= '9') {
            whole = whole * 10 + (uint64_t)(*p - '0');
            if (whole > 1000000000000ull)
                return bad(why, "too long (at most 100000 hours)");
            p++;
        }
        rdsim_time_t frac_ns = 0;
        bool has_frac = false;
        if (*p == '.' || *p == ',') {
            rdsim_time_t scale = RDSIM_S / 10;
            has_frac = true;
            p++;
            if (*p < '0' || *p > '9')
                return bad(why, "a digit was expected after the decimal point");
            while (*p >= '0' && *p <= '9') {
                if (scale == 0)
                    return bad(why, "finer than a nanosecond");
                frac_ns += (rdsim_time_t)(*p - '0') * scale;
                scale /= 10;
                p++;
            }
        }
        if (*p == 'Y' || *p == 'W' || (*p == 'M' && !in_time))
            return bad(why,
                       "years, months and weeks have no fixed length; use days, hours, "
                       "minutes or seconds");
        size_t u = next;
        while (u < sizeof units / sizeof units[0] && units[u].unit != *p)
            u++;
        if (u == sizeof units / sizeof units[0]) {
            for (size_t k = 0; k < next; k++)
                if (units[k].unit == *p)
                    return bad(why,
                               "components out of order (days, then T, hours, minutes, "
                               "seconds)");
            return bad(why, *p == '\0' ? "a number without a unit (D, H, M or S)"
                                       : "an unknown unit (D, H, M or S)");
        }
        if (units[u].time != in_time)
            return bad(why, in_time ? "days go before the T"
                                    : "hours, minutes and seconds go "
                                      "after a T (PT5M)");
        if (has_frac && units[u].unit != 'S')
            return bad(why, "a fraction is allowed on the seconds only");
        if (whole > (uint64_t)(MAX_DURATION / units[u].ns))
            return bad(why, "too long (at most 100000 hours)");
        total += (rdsim_time_t)whole * units[u].ns + frac_ns;
        if (total > MAX_DURATION)
            return bad(why, "too long (at most 100000 hours)");
        next = u + 1;
        any = true;
        p++;
    }
    if (!any)
        return bad(why, "no component (PT5M, PT1H, P1D)");
    *out = total;
    return 0;
}
