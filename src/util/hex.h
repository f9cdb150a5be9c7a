/* Hex encoding as Chia's JSON uses it: lower case, "0x" prefix on output;
 * on input an optional "0x"/"0X" prefix and either case. */
#ifndef CP_UTIL_HEX_H
#define CP_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

/* Writes 2*n hex digits and a NUL to out (size >= 2*n + 1). */
void hex_encode(char *out, const uint8_t *in, size_t n);
/* Same with a "0x" prefix (out size >= 2*n + 3). */
void hex_encode0x(char *out, const uint8_t *in, size_t n);

/* Decode exactly n bytes from s (len chars, optional 0x): any other length,
 * or a non-hex digit, is CP_BAD_HEX. */
cp_err hex_decode_exact(uint8_t *out, size_t n, const char *s, size_t len);

/* Decode a variable-length hex string into out (capacity cap), *n = bytes. */
cp_err hex_decode(uint8_t *out, size_t cap, size_t *n, const char *s, size_t len);

#endif
