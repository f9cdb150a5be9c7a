/* Bounded byte buffers (writer) and a length-checked cursor (reader).
 *
 * A struct buf always has a maximum size fixed at init: an append that would
 * exceed it fails with CP_TOO_BIG instead of growing, so hostile input can
 * never make us allocate without bound. Members are read-only for callers.
 *
 * A struct rd walks a byte range; every read checks the remaining length and
 * fails with CP_TRUNCATED rather than reading past the end. */
#ifndef CP_UTIL_BUF_H
#define CP_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

struct buf {
  uint8_t *data;
  size_t len;
  size_t cap;
  size_t max;
};

/* lifecycle */
void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);           /* frees contents, keeps max */
void buf_reset(struct buf *b);             /* len = 0, keeps memory */
uint8_t *buf_detach(struct buf *b, size_t *len); /* caller owns result */

/* appends (big-endian for integers, as Chia's streamable format) */
cp_err buf_append(struct buf *b, const void *p, size_t n);
cp_err buf_append_u8(struct buf *b, uint8_t v);
cp_err buf_append_u16(struct buf *b, uint16_t v);
cp_err buf_append_u32(struct buf *b, uint32_t v);
cp_err buf_append_u64(struct buf *b, uint64_t v);
cp_err buf_append_str(struct buf *b, const char *s); /* no NUL, no prefix */
/* printf-style append, bounded by max (no sprintf elsewhere). */
cp_err buf_appendf(struct buf *b, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
/* Make data NUL-terminated (the NUL is not counted in len). */
cp_err buf_cstr(struct buf *b, const char **out);

struct rd {
  const uint8_t *p;
  size_t left;
};

static inline void rd_init(struct rd *r, const void *p, size_t n)
{
  r->p = (const uint8_t *)p;
  r->left = n;
}
cp_err rd_bytes(struct rd *r, void *out, size_t n);
cp_err rd_ptr(struct rd *r, const uint8_t **out, size_t n); /* no copy */
cp_err rd_u8(struct rd *r, uint8_t *v);
cp_err rd_u16(struct rd *r, uint16_t *v);
cp_err rd_u32(struct rd *r, uint32_t *v);
cp_err rd_u64(struct rd *r, uint64_t *v);
/* CP_TRAILING if anything is left. */
cp_err rd_end(const struct rd *r);

/* Big-endian load/store helpers. */
static inline uint32_t be32_load(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t be64_load(const uint8_t *p)
{
  return (uint64_t)be32_load(p) << 32 | be32_load(p + 4);
}
static inline void be32_store(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}
static inline void be64_store(uint8_t *p, uint64_t v)
{
  be32_store(p, (uint32_t)(v >> 32));
  be32_store(p + 4, (uint32_t)v);
}

#endif
