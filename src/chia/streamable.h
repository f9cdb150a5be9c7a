/* Chia "streamable" serialization: primitives and a descriptor-driven engine.
 *
 * Encoding (chia/util/streamable.py, chia_rs chia-traits): integers are
 * fixed-width big-endian, bool is one byte 0/1, fixed bytes are raw, str and
 * variable bytes carry a uint32 BE length, Optional is a 0/1 flag byte then
 * the value, List is a uint32 BE count then the items, nested structs are
 * their fields in order. get_hash() is sha256 of those bytes.
 *
 * Every reader is length-checked; whole-object parses reject trailing bytes.
 * Errors: CP_TRUNCATED (short), CP_TRAILING, CP_TOO_BIG (over a named limit),
 * CP_BAD_STREAMABLE (flag byte not 0/1, bad program), CP_BAD_UTF8.
 *
 * The engine describes each C struct with a table of fields (offset, kind,
 * size) so serialize / parse / hash / JSON in and out / release are written
 * once and the per-type code is only a table (see chia/types.c). */
#ifndef CP_CHIA_STREAMABLE_H
#define CP_CHIA_STREAMABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

__extension__ typedef unsigned __int128 chia_u128;

/* --- primitives: writing (append to a bounded struct buf) --- */
cp_err st_put_u128(struct buf *b, chia_u128 v);
cp_err st_put_bool(struct buf *b, bool v);
cp_err st_put_opt(struct buf *b, bool present);
/* uint32 length prefix + bytes; CP_TOO_BIG above UINT32_MAX. */
cp_err st_put_bytes(struct buf *b, const uint8_t *p, size_t n);
/* Same for a string; must be valid UTF-8 without NUL (CP_BAD_UTF8). */
cp_err st_put_str(struct buf *b, const char *s, size_t n);
cp_err st_put_list_len(struct buf *b, size_t n);

/* --- primitives: reading (struct rd from util/buf.h for u8..u64) --- */
cp_err st_get_u128(struct rd *r, chia_u128 *v);
cp_err st_get_bool(struct rd *r, bool *v);     /* 0/1 only */
cp_err st_get_opt(struct rd *r, bool *present); /* flag 0/1 only */
/* Variable bytes copied into out (cap bytes); longer is CP_TOO_BIG. */
cp_err st_get_bytes(struct rd *r, uint8_t *out, size_t cap, size_t *len);
/* Variable bytes without copying, at most max. */
cp_err st_get_bytes_ptr(struct rd *r, const uint8_t **p, size_t *len, size_t max);
/* String into out (cap includes the NUL, so at most cap-1 bytes). */
cp_err st_get_str(struct rd *r, char *out, size_t cap, size_t *len);
/* List count: CP_TOO_BIG above max; CP_TRUNCATED when count*min_item
 * cannot fit in what is left, so a hostile count never drives allocation. */
cp_err st_get_list_len(struct rd *r, uint32_t *n, uint32_t max, size_t min_item);

/* Strict UTF-8 (no overlongs, no surrogates, <= U+10FFFF); U+0000 is
 * refused too because these strings travel as C strings. */
bool st_utf8_valid(const uint8_t *p, size_t n);

/* --- descriptor engine --- */

enum st_kind {
  ST_U8,
  ST_U16,
  ST_U32,
  ST_U64,
  ST_BOOL,
  ST_FIXED,   /* uint8_t[size] */
  ST_STR,     /* char[size], NUL-terminated (size includes the NUL) */
  ST_BYTES,   /* uint8_t[size] with a size_t length at aux */
  ST_PROGRAM, /* struct st_blob: serialized CLVM, no length prefix */
  ST_STRUCT,  /* nested struct described by sub */
  ST_LIST,    /* struct st_list of sub items */
  ST_JSON_U8, /* JSON only, emitted as 0, accepted 0..255 if present */
  ST_JSON_U16 /* JSON only, emitted as 0, accepted 0..65535 if present */
};

enum st_flag {
  STF_OPT = 1,       /* Optional: presence bool at aux */
  STF_POS_FLAG = 2,  /* Optional whose flag 2/3 marks a v2 proof */
  STF_ZERO_ONLY = 4  /* JSON-only field that must be 0 (else UNSUPPORTED) */
};

struct st_type;

struct st_field {
  const char *name;
  uint8_t kind;
  uint8_t flags;
  size_t off;
  size_t size; /* FIXED/STR/BYTES capacity; LIST max items; PROGRAM max */
  size_t aux;  /* BYTES: offset of size_t len; OPT: offset of bool */
  const struct st_type *sub;
};

struct st_type {
  const char *name;
  size_t size; /* sizeof the C struct */
  const struct st_field *fields;
  size_t nfields;
};

/* Heap-owned serialized CLVM program. */
struct st_blob {
  uint8_t *data;
  size_t len;
};

/* Heap-owned array of `count` structs of the field's sub type. */
struct st_list {
  void *items;
  uint32_t count;
};

/* serialize / parse */
cp_err st_write(const struct st_type *t, const void *obj, struct buf *b);
/* Streaming read of one object (for nesting); obj is zeroed first and
 * released again on failure. */
cp_err st_read(const struct st_type *t, struct rd *r, void *obj);
/* Whole-buffer parse: trailing bytes are CP_TRAILING. */
cp_err st_parse(const struct st_type *t, const uint8_t *p, size_t n, void *obj);
/* Chia's get_hash(): sha256 of the streamable bytes. */
cp_err st_hash(const struct st_type *t, const void *obj, uint8_t out[32]);
/* Free heap members (programs, lists) and zero them; obj stays usable. */
void st_release(const struct st_type *t, void *obj);

/* JSON (Chia conventions, see chia/cjson.h) */
cp_err st_to_json(const struct st_type *t, const void *obj, json_t **out);
/* Unknown keys ignored; obj zeroed first and released on failure. */
cp_err st_from_json(const struct st_type *t, const json_t *j, void *obj);

/* Upper bound on one serialized object, so writers never grow unbounded. */
#define ST_WRITE_MAX ((size_t)64 << 20)

#endif
