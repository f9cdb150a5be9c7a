/* Serialized CLVM programs as carried by Chia's SerializedProgram: the raw
 * CLVM serialization with no length prefix, so the only way to know where
 * one ends is to walk it. This module only measures; building and running
 * programs lives in the clvm layer.
 *
 * Grammar: 0xff = pair (two objects follow); 0xfe = back-reference (one
 * atom follows, the path); 0x80 = nil; 0x00..0x7f = one-byte atom; other
 * bytes start a length prefix whose leading one-bits give its byte count. */
#ifndef CP_CHIA_PROGRAM_H
#define CP_CHIA_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Objects still owed while walking (pairs nested to the left) - a policy
 * limit well above any real puzzle. */
#define CHIA_PROGRAM_MAX_PENDING 100000
/* Largest SerializedProgram we accept anywhere (block generator limit). */
#define CHIA_PROGRAM_MAX ((size_t)1 << 20)

/* Length of the one CLVM object at the start of p[0..n), without reading
 * past n. CP_TRUNCATED when it does not end within n, CP_CLVM_SERIAL on a
 * malformed prefix, CP_CLVM_LIMIT when deeper than max_pending or longer
 * than max_len. Iterative: constant stack. */
cp_err chia_program_len(const uint8_t *p, size_t n, size_t max_len,
                        size_t *len);

#endif
