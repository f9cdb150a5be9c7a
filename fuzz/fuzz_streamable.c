/* libFuzzer harness for the chia layer's parsers: every streamable type
 * from raw bytes (a successful parse must re-serialize to the same bytes,
 * and survive a JSON round trip), the JSON front end, the CLVM length
 * scanner and bech32m. Any mismatch aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chia/bech32m.h"
#include "chia/cjson.h"
#include "chia/program.h"
#include "chia/types.h"

#define CHECK(x)                                                              \
  do {                                                                        \
    if (!(x))                                                                 \
      abort();                                                                \
  } while (0)

static void *obj_new(const struct st_type *t)
{
  void *p = calloc(1, t->size);
  CHECK(p);
  return p;
}

/* JSON of obj, parsed back, must serialize to the same bytes. */
static void json_round_trip(const struct st_type *t, const void *obj,
                            const struct buf *want)
{
  json_t *j = NULL;
  void *back = obj_new(t);
  struct buf b, text;
  json_t *j2 = NULL;

  CHECK(st_to_json(t, obj, &j) == CP_OK);
  /* through text too, so big integers go through the tag machinery */
  buf_init(&text, ST_WRITE_MAX);
  CHECK(cjson_dump(j, &text) == CP_OK);
  CHECK(cjson_loadb((const char *)text.data, text.len, ST_WRITE_MAX, &j2) == CP_OK);
  CHECK(st_from_json(t, j2, back) == CP_OK);
  buf_init(&b, ST_WRITE_MAX);
  CHECK(st_write(t, back, &b) == CP_OK);
  CHECK(b.len == want->len && !memcmp(b.data, want->data, b.len));
  buf_release(&b);
  buf_release(&text);
  st_release(t, back);
  free(back);
  json_decref(j);
  json_decref(j2);
}

static void fuzz_binary(const struct st_type *t, const uint8_t *data, size_t n)
{
  void *obj = obj_new(t);
  struct buf b;

  if (st_parse(t, data, n, obj) == CP_OK) {
    buf_init(&b, ST_WRITE_MAX);
    CHECK(st_write(t, obj, &b) == CP_OK);
    CHECK(b.len == n && !memcmp(b.data, data, n));
    json_round_trip(t, obj, &b);
    buf_release(&b);
    st_release(t, obj);
  }
  free(obj);
}

static void fuzz_json(const json_t *j)
{
  for (size_t i = 0; chia_all_types[i]; i++) {
    const struct st_type *t = chia_all_types[i];
    void *obj = obj_new(t);
    if (st_from_json(t, j, obj) == CP_OK) {
      struct buf b;
      void *back = obj_new(t);
      buf_init(&b, ST_WRITE_MAX);
      CHECK(st_write(t, obj, &b) == CP_OK);
      CHECK(st_parse(t, b.data, b.len, back) == CP_OK);
      json_round_trip(t, back, &b);
      st_release(t, back);
      free(back);
      buf_release(&b);
      st_release(t, obj);
    }
    free(obj);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
  size_t len;
  json_t *j;

  if (n == 0)
    return 0;
  /* first byte picks a type for the binary parse; all types get a go at
   * the rest too, since most inputs are short */
  {
    size_t ntypes = 0;
    while (chia_all_types[ntypes])
      ntypes++;
    fuzz_binary(chia_all_types[data[0] % ntypes], data + 1, n - 1);
    for (size_t i = 0; i < ntypes; i++)
      fuzz_binary(chia_all_types[i], data, n);
  }

  if (chia_program_len(data, n, CHIA_PROGRAM_MAX, &len) == CP_OK)
    CHECK(len >= 1 && len <= n);

  {
    char hrp[BECH32M_HRP_MAX + 1], out[BECH32M_MAX_LEN + 1];
    uint8_t ph[32];
    if (bech32m_decode_ph((const char *)data, n, hrp, sizeof hrp, ph) == CP_OK &&
        bech32m_encode_ph(hrp, ph, out, sizeof out) == CP_OK) {
      /* decoding is case-insensitive only for all-upper input */
      for (size_t i = 0; i < n; i++) {
        char c = (char)data[i];
        if (c >= 'A' && c <= 'Z')
          c = (char)(c - 'A' + 'a');
        CHECK(out[i] == c);
      }
      CHECK(strlen(out) == n);
    }
  }

  if (cjson_loadb((const char *)data, n, 1 << 20, &j) == CP_OK) {
    fuzz_json(j);
    json_decref(j);
  }
  return 0;
}
