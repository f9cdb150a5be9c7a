#include "chia/cjson.h"

#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/parse.h"

/* A tag is a JSON string whose first character is U+0000, then the literal's
 * sign and digits. Input documents may not contain U+0000, so only the
 * pre-pass can produce one. */
#define TAG_CHAR '\0'

static int is_num_char(char c)
{
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
         c == 'e' || c == 'E';
}

static int is_hex4_zero(const char *s, size_t left)
{
  return left >= 4 && s[0] == '0' && s[1] == '0' && s[2] == '0' && s[3] == '0';
}

/* Integer literal outside int64? (token already checked to be -?digits) */
static int outside_i64(const char *s, size_t len)
{
  int64_t v;
  return parse_i64(s, len, INT64_MIN, INT64_MAX, &v) != CP_OK;
}

/* Rewrite big integer literals into tags; refuse U+0000 in strings. */
static cp_err prepass(const char *s, size_t n, struct buf *out)
{
  size_t i = 0;
  cp_err rc = CP_OK;

  while (i < n && !rc) {
    char c = s[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < n && s[j] != '"') {
        if (s[j] == '\\') {
          if (j + 1 < n && s[j + 1] == 'u' && is_hex4_zero(s + j + 2, n - j - 2))
            return CP_BAD_JSON;
          j++;
        }
        j++;
      }
      if (j >= n)
        return CP_BAD_JSON;
      rc = buf_append(out, s + i, j + 1 - i);
      i = j + 1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i, d0;
      int integer = 1;
      while (j < n && is_num_char(s[j]))
        j++;
      d0 = i + (c == '-');
      if (d0 == j)
        integer = 0;
      for (size_t k = d0; k < j && integer; k++)
        if (s[k] < '0' || s[k] > '9')
          integer = 0;
      if (!integer || !outside_i64(s + i, j - i)) {
        rc = buf_append(out, s + i, j - i);
      } else {
        /* JSON forbids leading zeros; jansson would have said so too */
        if (j - d0 > CJSON_MAX_DIGITS || (s[d0] == '0' && j - d0 > 1))
          return CP_BAD_JSON;
        rc = buf_append(out, "\"\\u0000", 7);
        if (!rc)
          rc = buf_append(out, s + i, j - i);
        if (!rc)
          rc = buf_append_u8(out, '"');
      }
      i = j;
    } else {
      rc = buf_append_u8(out, (uint8_t)c);
      i++;
    }
  }
  return rc;
}

cp_err cjson_loadb(const char *s, size_t n, size_t max, json_t **out)
{
  struct buf pre;
  json_error_t err;
  cp_err rc;

  *out = NULL;
  if (n > max)
    return CP_TOO_BIG;
  /* each rewritten literal grows by 8 bytes and is at least 20 long */
  buf_init(&pre, n + n / 2 + 16);
  rc = prepass(s, n, &pre);
  if (rc)
    goto out;
  *out = json_loadb(pre.len ? (const char *)pre.data : "", pre.len,
                    JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                    &err);
  if (!*out)
    rc = CP_BAD_JSON;
out:
  buf_release(&pre);
  return rc;
}

cp_err cjson_dump(const json_t *j, struct buf *b)
{
  char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
  size_t n, i = 0;
  cp_err rc = CP_OK;

  if (!s)
    return CP_NOMEM;
  n = strlen(s);
  while (i < n && !rc) {
    if (s[i] != '"') {
      size_t j = i;
      while (j < n && s[j] != '"')
        j++;
      rc = buf_append(b, s + i, j - i);
      i = j;
      continue;
    }
    if (n - i > 7 && !memcmp(s + i + 1, "\\u0000", 6)) {
      /* a tag: only sign and digits up to the closing quote */
      size_t j = i + 7;
      while (j < n && s[j] != '"')
        j++;
      rc = buf_append(b, s + i + 7, j - i - 7);
      i = j + 1;
      continue;
    }
    {
      size_t j = i + 1;
      while (j < n && s[j] != '"') {
        if (s[j] == '\\')
          j++;
        j++;
      }
      if (j >= n) {
        rc = CP_INTERNAL;
        break;
      }
      rc = buf_append(b, s + i, j + 1 - i);
      i = j + 1;
    }
  }
  free(s);
  return rc;
}

size_t cjson_u128_fmt(chia_u128 v, char *out)
{
  char tmp[40];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++)
    out[i] = tmp[n - 1 - i];
  out[n] = 0;
  return n;
}

static json_t *tagged(chia_u128 v)
{
  char s[48];
  size_t n;
  s[0] = TAG_CHAR;
  n = cjson_u128_fmt(v, s + 1);
  return json_stringn_nocheck(s, n + 1);
}

json_t *cjson_u64(uint64_t v)
{
  if (v <= (uint64_t)INT64_MAX)
    return json_integer((json_int_t)v);
  return tagged(v);
}

json_t *cjson_u128(chia_u128 v)
{
  if (v <= (chia_u128)INT64_MAX)
    return json_integer((json_int_t)v);
  return tagged(v);
}

static int is_tag(const json_t *v, const char **digits, size_t *len)
{
  const char *s;
  size_t n;
  if (!json_is_string(v))
    return 0;
  s = json_string_value(v);
  n = json_string_length(v);
  if (n < 2 || s[0] != TAG_CHAR)
    return 0;
  *digits = s + 1;
  *len = n - 1;
  return 1;
}

cp_err cjson_u64_value(const json_t *v, uint64_t max, uint64_t *out)
{
  const char *d;
  size_t n;

  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if (i < 0 || (uint64_t)i > max)
      return CP_BAD_NUMBER;
    *out = (uint64_t)i;
    return CP_OK;
  }
  if (is_tag(v, &d, &n))
    return parse_u64(d, n, max, out);
  return CP_BAD_NUMBER;
}

cp_err cjson_u128_value(const json_t *v, chia_u128 *out)
{
  const char *d;
  size_t n;
  chia_u128 acc = 0;
  const chia_u128 max = ~(chia_u128)0;

  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if (i < 0)
      return CP_BAD_NUMBER;
    *out = (chia_u128)i;
    return CP_OK;
  }
  if (!is_tag(v, &d, &n) || n > 39)
    return CP_BAD_NUMBER;
  for (size_t i = 0; i < n; i++) {
    unsigned dig;
    if (d[i] < '0' || d[i] > '9')
      return CP_BAD_NUMBER;
    dig = (unsigned)(d[i] - '0');
    if (acc > (max - dig) / 10)
      return CP_BAD_NUMBER;
    acc = acc * 10 + dig;
  }
  *out = acc;
  return CP_OK;
}

static cp_err member(const json_t *obj, const char *key, const json_t **v)
{
  if (!json_is_object(obj))
    return CP_BAD_JSON;
  *v = json_object_get(obj, key);
  return *v ? CP_OK : CP_BAD_JSON;
}

cp_err cjson_get_u64(const json_t *obj, const char *key, uint64_t max,
                     uint64_t *out)
{
  const json_t *v;
  cp_err rc = member(obj, key, &v);
  return rc ? rc : cjson_u64_value(v, max, out);
}

cp_err cjson_get_u128(const json_t *obj, const char *key, chia_u128 *out)
{
  const json_t *v;
  cp_err rc = member(obj, key, &v);
  return rc ? rc : cjson_u128_value(v, out);
}

cp_err cjson_get_bool(const json_t *obj, const char *key, bool *out)
{
  const json_t *v;
  cp_err rc = member(obj, key, &v);
  if (rc)
    return rc;
  if (!json_is_boolean(v))
    return CP_BAD_JSON;
  *out = json_is_true(v);
  return CP_OK;
}

/* A plain (non-tag) string value. */
static cp_err str_of(const json_t *v, const char **s, size_t *n)
{
  if (!json_is_string(v))
    return CP_BAD_JSON;
  *s = json_string_value(v);
  *n = json_string_length(v);
  if (*n && (*s)[0] == TAG_CHAR)
    return CP_BAD_JSON;
  return CP_OK;
}

cp_err cjson_get_str(const json_t *obj, const char *key, char *out,
                     size_t cap, size_t *len)
{
  const json_t *v;
  const char *s;
  size_t n;
  cp_err rc = member(obj, key, &v);

  if (!rc)
    rc = str_of(v, &s, &n);
  if (rc)
    return rc;
  if (n >= cap)
    return CP_TOO_BIG;
  if (!st_utf8_valid((const uint8_t *)s, n))
    return CP_BAD_UTF8;
  memcpy(out, s, n);
  out[n] = 0;
  if (len)
    *len = n;
  return CP_OK;
}

cp_err cjson_get_hex(const json_t *obj, const char *key, uint8_t *out,
                     size_t n)
{
  const json_t *v;
  const char *s;
  size_t len;
  cp_err rc = member(obj, key, &v);

  if (!rc)
    rc = str_of(v, &s, &len);
  return rc ? rc : hex_decode_exact(out, n, s, len);
}

cp_err cjson_get_hexvar(const json_t *obj, const char *key, uint8_t *out,
                        size_t cap, size_t *len)
{
  const json_t *v;
  const char *s;
  size_t n;
  cp_err rc = member(obj, key, &v);

  if (!rc)
    rc = str_of(v, &s, &n);
  return rc ? rc : hex_decode(out, cap, len, s, n);
}

cp_err cjson_get_opt(const json_t *obj, const char *key, bool *present,
                     const json_t **val)
{
  const json_t *v;

  if (!json_is_object(obj))
    return CP_BAD_JSON;
  v = json_object_get(obj, key);
  *present = v && !json_is_null(v);
  if (val)
    *val = v;
  return CP_OK;
}

static cp_err set_new(json_t *obj, const char *key, json_t *v)
{
  if (!v)
    return CP_NOMEM;
  return json_object_set_new(obj, key, v) ? CP_NOMEM : CP_OK;
}

cp_err cjson_set_u64(json_t *obj, const char *key, uint64_t v)
{
  return set_new(obj, key, cjson_u64(v));
}

cp_err cjson_set_u128(json_t *obj, const char *key, chia_u128 v)
{
  return set_new(obj, key, cjson_u128(v));
}

json_t *cjson_hex(const uint8_t *p, size_t n)
{
  char *s;
  json_t *v;

  if (n > (SIZE_MAX - 3) / 2)
    return NULL;
  s = malloc(2 * n + 3);
  if (!s)
    return NULL;
  hex_encode0x(s, n ? p : (const uint8_t *)"", n);
  v = json_stringn_nocheck(s, 2 * n + 2);
  free(s);
  return v;
}

cp_err cjson_set_hex(json_t *obj, const char *key, const uint8_t *p, size_t n)
{
  return set_new(obj, key, cjson_hex(p, n));
}

cp_err cjson_set_str(json_t *obj, const char *key, const char *s, size_t n)
{
  if (!st_utf8_valid((const uint8_t *)s, n))
    return CP_BAD_UTF8;
  return set_new(obj, key, json_stringn(s, n));
}

cp_err cjson_set_bool(json_t *obj, const char *key, bool v)
{
  return set_new(obj, key, json_boolean(v));
}

cp_err cjson_set_null(json_t *obj, const char *key)
{
  return set_new(obj, key, json_null());
}
