/* Bounded number parsing: replaces atoi/strtol/sscanf everywhere.
 * The whole of s[0..len) must be the number: no sign, no spaces, no
 * leading '+', decimal digits only, value <= max. */
#ifndef CP_UTIL_PARSE_H
#define CP_UTIL_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

cp_err parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
/* Same on a NUL-terminated string. */
cp_err parse_u64_cstr(const char *s, uint64_t max, uint64_t *out);
/* Signed decimal with optional leading '-', |value| bounded by min..max. */
cp_err parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);
/* Decimal fraction like "0.01" or "1" into parts-per-`scale` (e.g. 1e6). */
cp_err parse_fixed(const char *s, size_t len, uint64_t scale, uint64_t max,
                   uint64_t *out);

#endif
