#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

void buf_release(struct buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void buf_reset(struct buf *b)
{
  b->len = 0;
}

uint8_t *buf_detach(struct buf *b, size_t *len)
{
  uint8_t *p = b->data;
  if (len)
    *len = b->len;
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return p;
}

/* Ensure room for n more bytes plus a spare one for buf_cstr. */
static cp_err buf_grow(struct buf *b, size_t n)
{
  size_t need, cap;
  uint8_t *p;

  if (n > b->max || b->len > b->max - n)
    return CP_TOO_BIG;
  need = b->len + n + 1;
  if (need <= b->cap)
    return CP_OK;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  if (cap > b->max + 1)
    cap = b->max + 1;
  p = realloc(b->data, cap);
  if (!p)
    return CP_NOMEM;
  b->data = p;
  b->cap = cap;
  return CP_OK;
}

cp_err buf_append(struct buf *b, const void *p, size_t n)
{
  cp_err rc = buf_grow(b, n);
  if (rc)
    return rc;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  return CP_OK;
}

cp_err buf_append_u8(struct buf *b, uint8_t v)
{
  return buf_append(b, &v, 1);
}

cp_err buf_append_u16(struct buf *b, uint16_t v)
{
  uint8_t t[2] = { (uint8_t)(v >> 8), (uint8_t)v };
  return buf_append(b, t, 2);
}

cp_err buf_append_u32(struct buf *b, uint32_t v)
{
  uint8_t t[4];
  be32_store(t, v);
  return buf_append(b, t, 4);
}

cp_err buf_append_u64(struct buf *b, uint64_t v)
{
  uint8_t t[8];
  be64_store(t, v);
  return buf_append(b, t, 8);
}

cp_err buf_append_str(struct buf *b, const char *s)
{
  return buf_append(b, s, strlen(s));
}

cp_err buf_appendf(struct buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  cp_err rc;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return CP_INVAL;
  rc = buf_grow(b, (size_t)n);
  if (rc)
    return rc;
  va_start(ap, fmt);
  vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return CP_OK;
}

cp_err buf_cstr(struct buf *b, const char **out)
{
  cp_err rc = buf_grow(b, 0);
  if (rc)
    return rc;
  b->data[b->len] = 0;
  *out = (const char *)b->data;
  return CP_OK;
}

cp_err rd_bytes(struct rd *r, void *out, size_t n)
{
  if (r->left < n)
    return CP_TRUNCATED;
  if (n)
    memcpy(out, r->p, n);
  r->p += n;
  r->left -= n;
  return CP_OK;
}

cp_err rd_ptr(struct rd *r, const uint8_t **out, size_t n)
{
  if (r->left < n)
    return CP_TRUNCATED;
  *out = r->p;
  r->p += n;
  r->left -= n;
  return CP_OK;
}

cp_err rd_u8(struct rd *r, uint8_t *v)
{
  return rd_bytes(r, v, 1);
}

cp_err rd_u16(struct rd *r, uint16_t *v)
{
  uint8_t t[2];
  cp_err rc = rd_bytes(r, t, 2);
  if (!rc)
    *v = (uint16_t)(t[0] << 8 | t[1]);
  return rc;
}

cp_err rd_u32(struct rd *r, uint32_t *v)
{
  uint8_t t[4];
  cp_err rc = rd_bytes(r, t, 4);
  if (!rc)
    *v = be32_load(t);
  return rc;
}

cp_err rd_u64(struct rd *r, uint64_t *v)
{
  uint8_t t[8];
  cp_err rc = rd_bytes(r, t, 8);
  if (!rc)
    *v = be64_load(t);
  return rc;
}

cp_err rd_end(const struct rd *r)
{
  return r->left ? CP_TRAILING : CP_OK;
}
