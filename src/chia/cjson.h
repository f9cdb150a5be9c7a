/* JSON as Chia speaks it, on top of jansson.
 *
 * jansson's integers are int64, but Chia's uint64 (amounts: the prefarm is
 * 2.1e19 mojo) and uint128 (weight, space) do not fit. cjson_loadb runs a
 * bounded pre-pass that rewrites every integer literal outside int64 into
 * a tagged string (NUL + digits) before json_loadb; documents that contain
 * a real U+0000 in a string are refused, so a tag can never come from input
 * text. cjson_dump turns tags back into bare JSON numbers. Use the accessors
 * below for every integer: they accept plain and tagged values alike.
 *
 * Byte fields are "0x" + lower-case hex on output; input takes an optional
 * 0x. Optional fields are null (or missing) when absent. Keys not asked
 * for are ignored. Every accessor type-checks strictly: a string where a
 * number belongs, a float, a negative or out-of-range value is an error. */
#ifndef CP_CHIA_CJSON_H
#define CP_CHIA_CJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "chia/streamable.h"
#include "util/buf.h"
#include "util/err.h"

/* Largest integer literal we keep (digits, sign excluded); longer is
 * BAD_JSON, so a 1 MB digit run cannot become a 1 MB tag. */
#define CJSON_MAX_DIGITS 40

/* --- documents --- */
/* Parse n bytes (at most max) of JSON text into *out (new reference).
 * CP_TOO_BIG over max; CP_BAD_JSON on syntax errors. */
cp_err cjson_loadb(const char *s, size_t n, size_t max, json_t **out);
/* Compact dump appended to b (bounded by b's max), tags as bare numbers. */
cp_err cjson_dump(const json_t *j, struct buf *b);

/* --- integer values --- */
json_t *cjson_u64(uint64_t v);   /* new reference, NULL on OOM */
json_t *cjson_u128(chia_u128 v);
/* "0x" + lower-case hex string, new reference, NULL on OOM. */
json_t *cjson_hex(const uint8_t *p, size_t n);
cp_err cjson_u64_value(const json_t *v, uint64_t max, uint64_t *out);
cp_err cjson_u128_value(const json_t *v, chia_u128 *out);

/* --- object members (key must exist unless it says opt) --- */
cp_err cjson_get_u64(const json_t *obj, const char *key, uint64_t max,
                     uint64_t *out);
cp_err cjson_get_u128(const json_t *obj, const char *key, chia_u128 *out);
cp_err cjson_get_bool(const json_t *obj, const char *key, bool *out);
/* String into out (cap includes NUL); CP_TOO_BIG when longer. */
cp_err cjson_get_str(const json_t *obj, const char *key, char *out,
                     size_t cap, size_t *len);
/* Hex of exactly n bytes, optional 0x. */
cp_err cjson_get_hex(const json_t *obj, const char *key, uint8_t *out,
                     size_t n);
/* Hex of at most cap bytes. */
cp_err cjson_get_hexvar(const json_t *obj, const char *key, uint8_t *out,
                        size_t cap, size_t *len);
/* *present = false when the key is missing or null; else the value. */
cp_err cjson_get_opt(const json_t *obj, const char *key, bool *present,
                     const json_t **val);

cp_err cjson_set_u64(json_t *obj, const char *key, uint64_t v);
cp_err cjson_set_u128(json_t *obj, const char *key, chia_u128 v);
cp_err cjson_set_hex(json_t *obj, const char *key, const uint8_t *p, size_t n);
cp_err cjson_set_str(json_t *obj, const char *key, const char *s, size_t n);
cp_err cjson_set_bool(json_t *obj, const char *key, bool v);
cp_err cjson_set_null(json_t *obj, const char *key);

/* Decimal text of a u128 into out (>= 40 bytes); returns the length. */
size_t cjson_u128_fmt(chia_u128 v, char *out);

#endif
