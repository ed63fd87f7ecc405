/*
 * units.c - the text forms of scenario values: durations, ranges, rates,
 * integers and decimal numbers.
 *
 * Durations are converted with integer arithmetic only, so "1.1ms" is
 * exactly 1100000 ns and the same text always gives the same time; a
 * duration that is not a whole number of nanoseconds is refused rather than
 * rounded. Numbers are parsed by hand, not with strtod, so the result never
 * depends on the C locale. Every parser reports why it refused (syntax, sign,
 * size) and leaves the wording of the message to read.c.
 *
 * Deliberately not accepted: exponents ("1e3"), a leading '+', a leading or
 * trailing '.', spaces inside a value, hexadecimal or '_' digit groups.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Nanoseconds per unit; the longer spelling first so "ms" is not "m". */
static const struct {
    const char *name;
    rdsim_time_t ns;
} units[] = {
    {"us", RDSIM_US}, {"ms", RDSIM_MS}, {"s", RDSIM_S}, {"m", 60 * RDSIM_S}, {"h", 3600 * RDSIM_S},
};

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

enum sc_unit_status sc_parse_duration(const char *s, rdsim_time_t *out)
{
    bool negative = false;
    if (*s == '-') {
        negative = true;
        s++;
    }
    const char *int_start = s;
    while (is_digit(*s))
        s++;
    size_t int_len = (size_t)(s - int_start);
    if (int_len == 0)
        return SC_UNIT_SYNTAX;
    const char *frac_start = NULL;
    size_t frac_len = 0;
    if (*s == '.') {
        frac_start = ++s;
        while (is_digit(*s))
            s++;
        frac_len = (size_t)(s - frac_start);
        if (frac_len == 0)
            return SC_UNIT_SYNTAX;
    }
    rdsim_time_t unit = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(s, units[i].name) == 0) {
            unit = units[i].ns;
            break;
        }
    }
    if (unit == 0)
        return SC_UNIT_SYNTAX;
    if (negative)
        return SC_UNIT_NEGATIVE;

    /* Integer part, stopping as soon as it exceeds the limit. */
    uint64_t whole = 0;
    for (size_t i = 0; i < int_len; i++) {
        whole = whole * 10 + (uint64_t)(int_start[i] - '0');
        if (whole > (uint64_t)(SC_MAX_DURATION / unit))
            return SC_UNIT_TOO_LARGE;
    }
    rdsim_time_t ns = (rdsim_time_t)whole * unit;

    /* Fraction F/10^k of a unit: trailing zeros say nothing; beyond 15
     * significant digits no unit here yields whole nanoseconds. */
    while (frac_len > 0 && frac_start[frac_len - 1] == '0')
        frac_len--;
    if (frac_len > 15)
        return SC_UNIT_RESOLUTION;
    if (frac_len > 0) {
        uint64_t f = 0, pow10 = 1;
        for (size_t i = 0; i < frac_len; i++) {
            f = f * 10 + (uint64_t)(frac_start[i] - '0');
            pow10 *= 10;
        }
        /* F*unit/10^k is whole iff (10^k/g) divides F, g = gcd(unit, 10^k);
         * the quotient form cannot overflow since the result is < unit. */
        uint64_t g = gcd_u64((uint64_t)unit, pow10);
        uint64_t den = pow10 / g;
        if (f % den != 0)
            return SC_UNIT_RESOLUTION;
        ns += (rdsim_time_t)((f / den) * ((uint64_t)unit / g));
    }
    if (ns > SC_MAX_DURATION)
        return SC_UNIT_TOO_LARGE;
    *out = ns;
    return SC_UNIT_OK;
}

int rdsim_parse_duration(const char *s, rdsim_time_t *out)
{
    rdsim_time_t t;
    if (s == NULL || out == NULL || sc_parse_duration(s, &t) != SC_UNIT_OK)
        return RDSIM_EINVAL;
    *out = t;
    return RDSIM_OK;
}

/* Copy s[0..len) without surrounding spaces into buf; false if too long. */
static bool copy_trimmed(const char *s, size_t len, char *buf, size_t size)
{
    while (len > 0 && *s == ' ') {
        s++;
        len--;
    }
    while (len > 0 && s[len - 1] == ' ')
        len--;
    if (len >= size)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

enum sc_unit_status sc_parse_range(const char *s, struct rdsim_range *out, int *side)
{
    char lo_text[64], hi_text[64];
    const char *dots = strstr(s, "..");
    *side = 0;
    if (dots == NULL) {
        if (!copy_trimmed(s, strlen(s), lo_text, sizeof lo_text))
            return SC_UNIT_SYNTAX;
        enum sc_unit_status st = sc_parse_duration(lo_text, &out->lo);
        out->hi = out->lo;
        return st;
    }
    if (!copy_trimmed(s, (size_t)(dots - s), lo_text, sizeof lo_text))
        return SC_UNIT_SYNTAX;
    if (!copy_trimmed(dots + 2, strlen(dots + 2), hi_text, sizeof hi_text)) {
        *side = 1;
        return SC_UNIT_SYNTAX;
    }
    enum sc_unit_status st = sc_parse_duration(lo_text, &out->lo);
    if (st != SC_UNIT_OK)
        return st;
    *side = 1;
    st = sc_parse_duration(hi_text, &out->hi);
    if (st != SC_UNIT_OK)
        return st;
    *side = 0;
    if (out->lo > out->hi)
        return SC_UNIT_ORDER;
    return SC_UNIT_OK;
}

/* [-]DIGITS[.DIGITS] at s; *end is left after it. */
static enum sc_unit_status parse_decimal(const char *s, const char **end, double *out)
{
    bool negative = false;
    if (*s == '-') {
        negative = true;
        s++;
    }
    double mant = 0.0, scale = 1.0;
    size_t digits = 0;
    if (!is_digit(*s))
        return SC_UNIT_SYNTAX;
    while (is_digit(*s)) {
        mant = mant * 10.0 + (double)(*s++ - '0');
        digits++;
    }
    if (*s == '.') {
        s++;
        if (!is_digit(*s))
            return SC_UNIT_SYNTAX;
        while (is_digit(*s)) {
            mant = mant * 10.0 + (double)(*s++ - '0');
            scale *= 10.0;
            digits++;
        }
    }
    if (digits > 30)
        return SC_UNIT_TOO_LARGE;
    *end = s;
    /* Both operands are exact for up to 15 digits, so the quotient is the
     * correctly rounded value ("0.05" is the double nearest 0.05). */
    *out = negative ? -(mant / scale) : mant / scale;
    return SC_UNIT_OK;
}

enum sc_unit_status sc_parse_number(const char *s, double *out)
{
    const char *end;
    double v;
    enum sc_unit_status st = parse_decimal(s, &end, &v);
    if (st != SC_UNIT_OK)
        return st;
    if (*end != '\0')
        return SC_UNIT_SYNTAX;
    *out = v;
    return SC_UNIT_OK;
}

enum sc_unit_status sc_parse_rate(const char *s, double *per_s)
{
    const char *end;
    double v;
    enum sc_unit_status st = parse_decimal(s, &end, &v);
    if (st == SC_UNIT_TOO_LARGE)
        return st;
    if (st != SC_UNIT_OK)
        return SC_UNIT_SYNTAX;
    double per;
    if (strcmp(end, "/s") == 0)
        per = 1.0;
    else if (strcmp(end, "/m") == 0)
        per = 60.0;
    else if (strcmp(end, "/h") == 0)
        per = 3600.0;
    else
        return SC_UNIT_SYNTAX;
    if (s[0] == '-')
        return SC_UNIT_NEGATIVE;
    v /= per;
    if (v > SC_MAX_RATE)
        return SC_UNIT_TOO_LARGE;
    *per_s = v;
    return SC_UNIT_OK;
}

enum sc_unit_status sc_parse_uint64(const char *s, uint64_t *out)
{
    if (*s == '-') {
        const char *p = s + 1;
        if (!is_digit(*p))
            return SC_UNIT_SYNTAX;
        while (is_digit(*p))
            p++;
        return *p == '\0' ? SC_UNIT_NEGATIVE : SC_UNIT_SYNTAX;
    }
    if (!is_digit(*s))
        return SC_UNIT_SYNTAX;
    uint64_t v = 0;
    bool overflow = false;
    for (; is_digit(*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            v = v * 10 + d;
    }
    if (*s != '\0')
        return SC_UNIT_SYNTAX;
    if (overflow)
        return SC_UNIT_TOO_LARGE;
    *out = v;
    return SC_UNIT_OK;
}

enum sc_unit_status sc_parse_int(const char *s, int64_t *out)
{
    bool negative = *s == '-';
    uint64_t mag;
    enum sc_unit_status st = sc_parse_uint64(negative ? s + 1 : s, &mag);
    if (st == SC_UNIT_NEGATIVE)  /* "--5" */
        return SC_UNIT_SYNTAX;
    if (st != SC_UNIT_OK)
        return st;
    if (negative) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return SC_UNIT_TOO_LARGE;
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return SC_UNIT_TOO_LARGE;
        *out = (int64_t)mag;
    }
    return SC_UNIT_OK;
}

void sc_format_duration(rdsim_time_t t, char *buf, size_t size)
{
    /* Whole hours or minutes as such; anything else as a decimal of the
     * largest of s, ms, us that is not above it ("90s", "1.5ms", "0.5us"). */
    static const struct {
        const char *name;
        rdsim_time_t ns;
        int digits;
    } dec[] = {{"s", RDSIM_S, 9}, {"ms", RDSIM_MS, 6}, {"us", RDSIM_US, 3}};
    if (t <= 0) {
        snprintf(buf, size, "0s");
        return;
    }
    if (t % (3600 * RDSIM_S) == 0) {
        snprintf(buf, size, "%" PRId64 "h", t / (3600 * RDSIM_S));
        return;
    }
    if (t % (60 * RDSIM_S) == 0) {
        snprintf(buf, size, "%" PRId64 "m", t / (60 * RDSIM_S));
        return;
    }
    size_t u = 0;
    while (u + 1 < sizeof dec / sizeof dec[0] && t < dec[u].ns)
        u++;
    rdsim_time_t whole = t / dec[u].ns, rest = t % dec[u].ns;
    if (rest == 0) {
        snprintf(buf, size, "%" PRId64 "%s", whole, dec[u].name);
        return;
    }
    char frac[16];
    snprintf(frac, sizeof frac, "%0*" PRId64, dec[u].digits, rest);
    size_t len = strlen(frac);
    while (len > 1 && frac[len - 1] == '0')
        frac[--len] = '\0';
    snprintf(buf, size, "%" PRId64 ".%s%s", whole, frac, dec[u].name);
}

void rdsim_format_duration(rdsim_time_t t, char *buf, size_t size)
{
    sc_format_duration(t, buf, size);
}
