#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"

json_t *tv_load(const char *name)
{
  char path[1024];
  json_error_t err;
  json_t *j;

  snprintf(path, sizeof path, "%s/%s", CHIAPOOL_VECTORS_DIR, name);
  j = json_load_file(path, JSON_DECODE_ANY, &err);
  if (!j)
    fail_msg("cannot load %s: %s (line %d)", path, err.text, err.line);
  return j;
}

json_t *tv_get(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  if (!v)
    fail_msg("vector lacks key '%s'", key);
  return v;
}

const char *tv_str(json_t *obj, const char *key)
{
  json_t *v = tv_get(obj, key);
  if (!json_is_string(v))
    fail_msg("vector key '%s' is not a string", key);
  return json_string_value(v);
}

uint8_t *tv_hex(json_t *obj, const char *key, size_t *n)
{
  const char *s = tv_str(obj, key);
  size_t len = strlen(s);
  uint8_t *out = malloc(len / 2 + 1);
  assert_non_null(out);
  if (hex_decode(out, len / 2 + 1, n, s, len))
    fail_msg("vector key '%s' is not hex", key);
  return out;
}

void tv_hex_exact(json_t *obj, const char *key, uint8_t *out, size_t n)
{
  const char *s = tv_str(obj, key);
  if (hex_decode_exact(out, n, s, strlen(s)))
    fail_msg("vector key '%s' is not %zu bytes of hex", key, n);
}

void tv_assert_hex(const uint8_t *got, size_t n, const char *hex)
{
  char *enc = malloc(2 * n + 1);
  assert_non_null(enc);
  hex_encode(enc, got, n);
  if (hex[0] == '0' && hex[1] == 'x')
    hex += 2;
  assert_string_equal(enc, hex);
  free(enc);
}
