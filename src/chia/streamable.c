#include "chia/streamable.h"

#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/program.h"
#include "crypto/sha256.h"
#include "util/hex.h"

/* ---------------------------------------------------------------------
 * primitives
 * ------------------------------------------------------------------- */

bool st_utf8_valid(const uint8_t *p, size_t n)
{
  size_t i = 0;

  while (i < n) {
    uint8_t c = p[i];
    size_t need;
    uint32_t cp, min;

    if (c == 0)
      return false;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      return false; /* continuation byte, overlong lead, or > U+10FFFF */
    }
    if (n - i - 1 < need)
      return false;
    for (size_t k = 1; k <= need; k++) {
      uint8_t cc = p[i + k];
      if ((cc & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += need + 1;
  }
  return true;
}

cp_err st_put_u128(struct buf *b, chia_u128 v)
{
  cp_err rc = buf_append_u64(b, (uint64_t)(v >> 64));
  return rc ? rc : buf_append_u64(b, (uint64_t)v);
}

cp_err st_put_bool(struct buf *b, bool v)
{
  return buf_append_u8(b, v ? 1 : 0);
}

cp_err st_put_opt(struct buf *b, bool present)
{
  return buf_append_u8(b, present ? 1 : 0);
}

cp_err st_put_bytes(struct buf *b, const uint8_t *p, size_t n)
{
  cp_err rc;
  if (n > UINT32_MAX)
    return CP_TOO_BIG;
  rc = buf_append_u32(b, (uint32_t)n);
  return rc ? rc : buf_append(b, p, n);
}

cp_err st_put_str(struct buf *b, const char *s, size_t n)
{
  if (!st_utf8_valid((const uint8_t *)s, n))
    return CP_BAD_UTF8;
  return st_put_bytes(b, (const uint8_t *)s, n);
}

cp_err st_put_list_len(struct buf *b, size_t n)
{
  if (n > UINT32_MAX)
    return CP_TOO_BIG;
  return buf_append_u32(b, (uint32_t)n);
}

cp_err st_get_u128(struct rd *r, chia_u128 *v)
{
  uint64_t hi, lo;
  cp_err rc = rd_u64(r, &hi);
  if (!rc)
    rc = rd_u64(r, &lo);
  if (!rc)
    *v = (chia_u128)hi << 64 | lo;
  return rc;
}

static cp_err get_flag(struct rd *r, bool *v)
{
  uint8_t b;
  cp_err rc = rd_u8(r, &b);
  if (rc)
    return rc;
  if (b > 1)
    return CP_BAD_STREAMABLE;
  *v = b == 1;
  return CP_OK;
}

cp_err st_get_bool(struct rd *r, bool *v)
{
  return get_flag(r, v);
}

cp_err st_get_opt(struct rd *r, bool *present)
{
  return get_flag(r, present);
}

cp_err st_get_bytes_ptr(struct rd *r, const uint8_t **p, size_t *len, size_t max)
{
  uint32_t n;
  cp_err rc = rd_u32(r, &n);
  if (rc)
    return rc;
  if (n > max)
    return CP_TOO_BIG;
  rc = rd_ptr(r, p, n);
  if (!rc)
    *len = n;
  return rc;
}

cp_err st_get_bytes(struct rd *r, uint8_t *out, size_t cap, size_t *len)
{
  const uint8_t *p;
  size_t n;
  cp_err rc = st_get_bytes_ptr(r, &p, &n, cap);
  if (rc)
    return rc;
  if (n)
    memcpy(out, p, n);
  *len = n;
  return CP_OK;
}

cp_err st_get_str(struct rd *r, char *out, size_t cap, size_t *len)
{
  const uint8_t *p;
  size_t n;
  cp_err rc;

  if (cap == 0)
    return CP_INVAL;
  rc = st_get_bytes_ptr(r, &p, &n, cap - 1);
  if (rc)
    return rc;
  if (!st_utf8_valid(p, n))
    return CP_BAD_UTF8;
  memcpy(out, p, n);
  out[n] = 0;
  if (len)
    *len = n;
  return CP_OK;
}

cp_err st_get_list_len(struct rd *r, uint32_t *n, uint32_t max, size_t min_item)
{
  uint32_t v;
  cp_err rc = rd_u32(r, &v);
  if (rc)
    return rc;
  if (v > max)
    return CP_TOO_BIG;
  if (min_item && v > r->left / min_item)
    return CP_TRUNCATED;
  *n = v;
  return CP_OK;
}

/* ---------------------------------------------------------------------
 * engine: field access helpers
 * ------------------------------------------------------------------- */

#define AT(obj, off, type) ((type *)((uint8_t *)(obj) + (off)))
#define CAT(obj, off, type) ((const type *)((const uint8_t *)(obj) + (off)))

static bool binary_field(const struct st_field *f)
{
  return f->kind != ST_JSON_U8 && f->kind != ST_JSON_U16;
}

static bool field_present(const struct st_field *f, const void *obj)
{
  if (!(f->flags & (STF_OPT | STF_POS_FLAG)))
    return true;
  return *CAT(obj, f->aux, bool);
}

/* Smallest serialized size of one object, to bound list counts. */
static size_t min_size(const struct st_type *t)
{
  size_t n = 0;
  for (size_t i = 0; i < t->nfields; i++) {
    const struct st_field *f = &t->fields[i];
    if (!binary_field(f))
      continue;
    if (f->flags & (STF_OPT | STF_POS_FLAG)) {
      n += 1;
      continue;
    }
    switch (f->kind) {
    case ST_U8: case ST_BOOL: n += 1; break;
    case ST_U16: n += 2; break;
    case ST_U32: n += 4; break;
    case ST_U64: n += 8; break;
    case ST_FIXED: n += f->size; break;
    case ST_STR: case ST_BYTES: case ST_LIST: n += 4; break;
    case ST_PROGRAM: n += 1; break;
    case ST_STRUCT: n += min_size(f->sub); break;
    default: break;
    }
  }
  return n;
}

/* ---------------------------------------------------------------------
 * engine: write
 * ------------------------------------------------------------------- */

static cp_err write_value(const struct st_field *f, const void *obj,
                          struct buf *b)
{
  switch (f->kind) {
  case ST_U8: return buf_append_u8(b, *CAT(obj, f->off, uint8_t));
  case ST_U16: return buf_append_u16(b, *CAT(obj, f->off, uint16_t));
  case ST_U32: return buf_append_u32(b, *CAT(obj, f->off, uint32_t));
  case ST_U64: return buf_append_u64(b, *CAT(obj, f->off, uint64_t));
  case ST_BOOL: return st_put_bool(b, *CAT(obj, f->off, bool));
  case ST_FIXED: return buf_append(b, CAT(obj, f->off, uint8_t), f->size);
  case ST_STR: {
    const char *s = CAT(obj, f->off, char);
    size_t n = strnlen(s, f->size);
    if (n == f->size)
      return CP_INVAL;
    return st_put_str(b, s, n);
  }
  case ST_BYTES: {
    size_t n = *CAT(obj, f->aux, size_t);
    if (n > f->size)
      return CP_INVAL;
    return st_put_bytes(b, CAT(obj, f->off, uint8_t), n);
  }
  case ST_PROGRAM: {
    const struct st_blob *bl = CAT(obj, f->off, struct st_blob);
    size_t len;
    /* an unmeasurable program would make the whole stream unparseable */
    if (chia_program_len(bl->data, bl->len, f->size, &len) || len != bl->len)
      return CP_BAD_STREAMABLE;
    return buf_append(b, bl->data, bl->len);
  }
  case ST_STRUCT: return st_write(f->sub, CAT(obj, f->off, void), b);
  case ST_LIST: {
    const struct st_list *l = CAT(obj, f->off, struct st_list);
    cp_err rc = st_put_list_len(b, l->count);
    for (uint32_t i = 0; i < l->count && !rc; i++)
      rc = st_write(f->sub, (const uint8_t *)l->items + (size_t)i * f->sub->size, b);
    return rc;
  }
  default: return CP_INTERNAL;
  }
}

cp_err st_write(const struct st_type *t, const void *obj, struct buf *b)
{
  cp_err rc = CP_OK;

  for (size_t i = 0; i < t->nfields && !rc; i++) {
    const struct st_field *f = &t->fields[i];
    bool present;
    if (!binary_field(f))
      continue;
    present = field_present(f, obj);
    if (f->flags & (STF_OPT | STF_POS_FLAG)) {
      rc = st_put_opt(b, present);
      if (rc || !present)
        continue;
    }
    rc = write_value(f, obj, b);
  }
  return rc;
}

/* ---------------------------------------------------------------------
 * engine: read
 * ------------------------------------------------------------------- */

static cp_err read_value(const struct st_field *f, struct rd *r, void *obj)
{
  switch (f->kind) {
  case ST_U8: return rd_u8(r, AT(obj, f->off, uint8_t));
  case ST_U16: return rd_u16(r, AT(obj, f->off, uint16_t));
  case ST_U32: return rd_u32(r, AT(obj, f->off, uint32_t));
  case ST_U64: return rd_u64(r, AT(obj, f->off, uint64_t));
  case ST_BOOL: return st_get_bool(r, AT(obj, f->off, bool));
  case ST_FIXED: return rd_bytes(r, AT(obj, f->off, uint8_t), f->size);
  case ST_STR: return st_get_str(r, AT(obj, f->off, char), f->size, NULL);
  case ST_BYTES:
    return st_get_bytes(r, AT(obj, f->off, uint8_t), f->size,
                        AT(obj, f->aux, size_t));
  case ST_PROGRAM: {
    struct st_blob *bl = AT(obj, f->off, struct st_blob);
    size_t len;
    cp_err rc = chia_program_len(r->p, r->left, f->size, &len);
    if (rc)
      return rc == CP_TRUNCATED ? rc : CP_BAD_STREAMABLE;
    bl->data = malloc(len ? len : 1);
    if (!bl->data)
      return CP_NOMEM;
    bl->len = len;
    return rd_bytes(r, bl->data, len);
  }
  case ST_STRUCT: return st_read(f->sub, r, AT(obj, f->off, void));
  case ST_LIST: {
    struct st_list *l = AT(obj, f->off, struct st_list);
    uint32_t n;
    cp_err rc = st_get_list_len(r, &n, (uint32_t)f->size, min_size(f->sub));
    if (rc)
      return rc;
    if (n) {
      l->items = calloc(n, f->sub->size);
      if (!l->items)
        return CP_NOMEM;
    }
    l->count = n;
    for (uint32_t i = 0; i < n && !rc; i++)
      rc = st_read(f->sub, r, (uint8_t *)l->items + (size_t)i * f->sub->size);
    return rc;
  }
  default: return CP_INTERNAL;
  }
}

cp_err st_read(const struct st_type *t, struct rd *r, void *obj)
{
  cp_err rc = CP_OK;

  memset(obj, 0, t->size);
  for (size_t i = 0; i < t->nfields && !rc; i++) {
    const struct st_field *f = &t->fields[i];
    if (!binary_field(f))
      continue;
    if (f->flags & STF_POS_FLAG) {
      /* bit 1 of this flag marks a v2 proof, bit 0 presence; v2 proofs
       * change the layout and are not accepted yet */
      uint8_t b;
      rc = rd_u8(r, &b);
      if (rc)
        break;
      if (b == 2 || b == 3) {
        rc = CP_UNSUPPORTED;
        break;
      }
      if (b > 1) {
        rc = CP_BAD_STREAMABLE;
        break;
      }
      *AT(obj, f->aux, bool) = b == 1;
      if (!b)
        continue;
    } else if (f->flags & STF_OPT) {
      bool present;
      rc = st_get_opt(r, &present);
      if (rc)
        break;
      *AT(obj, f->aux, bool) = present;
      if (!present)
        continue;
    }
    rc = read_value(f, r, obj);
  }
  if (rc)
    st_release(t, obj);
  return rc;
}

cp_err st_parse(const struct st_type *t, const uint8_t *p, size_t n, void *obj)
{
  struct rd r;
  cp_err rc;

  rd_init(&r, p, n);
  rc = st_read(t, &r, obj);
  if (!rc) {
    rc = rd_end(&r);
    if (rc)
      st_release(t, obj);
  }
  return rc;
}

cp_err st_hash(const struct st_type *t, const void *obj, uint8_t out[32])
{
  struct buf b;
  cp_err rc;

  buf_init(&b, ST_WRITE_MAX);
  rc = st_write(t, obj, &b);
  if (!rc)
    sha256(out, b.data ? b.data : (const uint8_t *)"", b.len);
  buf_release(&b);
  return rc;
}

void st_release(const struct st_type *t, void *obj)
{
  for (size_t i = 0; i < t->nfields; i++) {
    const struct st_field *f = &t->fields[i];
    if (f->kind == ST_PROGRAM) {
      struct st_blob *bl = AT(obj, f->off, struct st_blob);
      free(bl->data);
      bl->data = NULL;
      bl->len = 0;
    } else if (f->kind == ST_STRUCT) {
      st_release(f->sub, AT(obj, f->off, void));
    } else if (f->kind == ST_LIST) {
      struct st_list *l = AT(obj, f->off, struct st_list);
      for (uint32_t k = 0; k < l->count; k++)
        st_release(f->sub, (uint8_t *)l->items + (size_t)k * f->sub->size);
      free(l->items);
      l->items = NULL;
      l->count = 0;
    }
  }
}

/* ---------------------------------------------------------------------
 * engine: JSON
 * ------------------------------------------------------------------- */

static cp_err value_to_json(const struct st_field *f, const void *obj,
                            json_t **out)
{
  cp_err rc = CP_OK;
  json_t *v = NULL;

  switch (f->kind) {
  case ST_U8: v = json_integer(*CAT(obj, f->off, uint8_t)); break;
  case ST_U16: v = json_integer(*CAT(obj, f->off, uint16_t)); break;
  case ST_U32: v = json_integer(*CAT(obj, f->off, uint32_t)); break;
  case ST_U64: v = cjson_u64(*CAT(obj, f->off, uint64_t)); break;
  case ST_BOOL: v = json_boolean(*CAT(obj, f->off, bool)); break;
  case ST_JSON_U8: case ST_JSON_U16: v = json_integer(0); break;
  case ST_STR: {
    const char *s = CAT(obj, f->off, char);
    size_t n = strnlen(s, f->size);
    if (n == f->size || !st_utf8_valid((const uint8_t *)s, n))
      return CP_BAD_UTF8;
    v = json_stringn(s, n);
    break;
  }
  case ST_FIXED:
    v = cjson_hex(CAT(obj, f->off, uint8_t), f->size);
    break;
  case ST_BYTES:
    v = cjson_hex(CAT(obj, f->off, uint8_t), *CAT(obj, f->aux, size_t));
    break;
  case ST_PROGRAM: {
    const struct st_blob *bl = CAT(obj, f->off, struct st_blob);
    v = cjson_hex(bl->data, bl->len);
    break;
  }
  case ST_STRUCT:
    return st_to_json(f->sub, CAT(obj, f->off, void), out);
  case ST_LIST: {
    const struct st_list *l = CAT(obj, f->off, struct st_list);
    v = json_array();
    for (uint32_t i = 0; v && i < l->count && !rc; i++) {
      json_t *item;
      rc = st_to_json(f->sub, (const uint8_t *)l->items + (size_t)i * f->sub->size,
                      &item);
      if (!rc && json_array_append_new(v, item))
        rc = CP_NOMEM;
    }
    if (rc) {
      json_decref(v);
      return rc;
    }
    break;
  }
  default: return CP_INTERNAL;
  }
  if (!v)
    return CP_NOMEM;
  *out = v;
  return CP_OK;
}

cp_err st_to_json(const struct st_type *t, const void *obj, json_t **out)
{
  json_t *o = json_object();
  cp_err rc = CP_OK;

  if (!o)
    return CP_NOMEM;
  for (size_t i = 0; i < t->nfields && !rc; i++) {
    const struct st_field *f = &t->fields[i];
    json_t *v;
    if (!field_present(f, obj)) {
      rc = cjson_set_null(o, f->name);
      continue;
    }
    rc = value_to_json(f, obj, &v);
    if (!rc && json_object_set_new(o, f->name, v))
      rc = CP_NOMEM;
  }
  if (rc) {
    json_decref(o);
    return rc;
  }
  *out = o;
  return CP_OK;
}

static cp_err value_from_json(const struct st_field *f, const json_t *j,
                              void *obj)
{
  uint64_t v;
  cp_err rc;

  switch (f->kind) {
  case ST_U8:
    rc = cjson_get_u64(j, f->name, UINT8_MAX, &v);
    if (!rc)
      *AT(obj, f->off, uint8_t) = (uint8_t)v;
    return rc;
  case ST_U16:
    rc = cjson_get_u64(j, f->name, UINT16_MAX, &v);
    if (!rc)
      *AT(obj, f->off, uint16_t) = (uint16_t)v;
    return rc;
  case ST_U32:
    rc = cjson_get_u64(j, f->name, UINT32_MAX, &v);
    if (!rc)
      *AT(obj, f->off, uint32_t) = (uint32_t)v;
    return rc;
  case ST_U64:
    return cjson_get_u64(j, f->name, UINT64_MAX, AT(obj, f->off, uint64_t));
  case ST_BOOL:
    return cjson_get_bool(j, f->name, AT(obj, f->off, bool));
  case ST_FIXED:
    return cjson_get_hex(j, f->name, AT(obj, f->off, uint8_t), f->size);
  case ST_STR:
    return cjson_get_str(j, f->name, AT(obj, f->off, char), f->size, NULL);
  case ST_BYTES:
    return cjson_get_hexvar(j, f->name, AT(obj, f->off, uint8_t), f->size,
                            AT(obj, f->aux, size_t));
  case ST_PROGRAM: {
    struct st_blob *bl = AT(obj, f->off, struct st_blob);
    const json_t *s = json_object_get(j, f->name);
    size_t n, len;
    if (!json_is_string(s))
      return CP_BAD_JSON;
    n = json_string_length(s);
    if (n / 2 > f->size + 1)
      return CP_TOO_BIG;
    bl->data = malloc(n / 2 + 1);
    if (!bl->data)
      return CP_NOMEM;
    rc = cjson_get_hexvar(j, f->name, bl->data, n / 2 + 1, &bl->len);
    if (rc)
      return rc;
    rc = chia_program_len(bl->data, bl->len, f->size, &len);
    if (rc == CP_OK && len != bl->len)
      rc = CP_TRAILING;
    return rc ? CP_BAD_STREAMABLE : CP_OK;
  }
  case ST_STRUCT: {
    const json_t *sub = json_object_get(j, f->name);
    if (!json_is_object(sub))
      return CP_BAD_JSON;
    return st_from_json(f->sub, sub, AT(obj, f->off, void));
  }
  case ST_LIST: {
    struct st_list *l = AT(obj, f->off, struct st_list);
    const json_t *a = json_object_get(j, f->name);
    size_t n;
    if (!json_is_array(a))
      return CP_BAD_JSON;
    n = json_array_size(a);
    if (n > f->size)
      return CP_TOO_BIG;
    if (n) {
      l->items = calloc(n, f->sub->size);
      if (!l->items)
        return CP_NOMEM;
    }
    l->count = (uint32_t)n;
    rc = CP_OK;
    for (size_t i = 0; i < n && !rc; i++) {
      const json_t *item = json_array_get(a, i);
      if (!json_is_object(item))
        return CP_BAD_JSON;
      rc = st_from_json(f->sub, item, (uint8_t *)l->items + i * f->sub->size);
    }
    return rc;
  }
  case ST_JSON_U8: case ST_JSON_U16: {
    bool present;
    const json_t *val;
    cjson_get_opt(j, f->name, &present, &val);
    if (!present)
      return CP_OK;
    rc = cjson_u64_value(val, f->kind == ST_JSON_U8 ? UINT8_MAX : UINT16_MAX, &v);
    if (!rc && v && (f->flags & STF_ZERO_ONLY))
      rc = CP_UNSUPPORTED;
    return rc;
  }
  default: return CP_INTERNAL;
  }
}

cp_err st_from_json(const struct st_type *t, const json_t *j, void *obj)
{
  cp_err rc = CP_OK;

  memset(obj, 0, t->size);
  if (!json_is_object(j))
    return CP_BAD_JSON;
  for (size_t i = 0; i < t->nfields && !rc; i++) {
    const struct st_field *f = &t->fields[i];
    if (f->flags & (STF_OPT | STF_POS_FLAG)) {
      bool present;
      rc = cjson_get_opt(j, f->name, &present, NULL);
      if (rc)
        break;
      *AT(obj, f->aux, bool) = present;
      if (!present)
        continue;
    }
    rc = value_from_json(f, j, obj);
  }
  if (rc)
    st_release(t, obj);
  return rc;
}
