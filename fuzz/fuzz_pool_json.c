/* libFuzzer harness for the pool's request parsing, the way the HTTP layer
 * does it: hostile body bytes through cjson_loadb under a body cap, then
 * every request type's from_json (POST /partial, POST /farmer, PUT /farmer
 * in either form, the authentication payload, and each payload alone).
 *
 * A request that parses must
 *   - write streamable bytes that parse back and write the same bytes, with
 *     the same hash (the signature is checked over these);
 *   - go to JSON, through text and back to the same bytes, and give the
 *     same JSON again (GET /farmer echoes what PUT /farmer stored);
 * and every document that loads must dump and reload to an equal one.
 * Any mismatch aborts.
 *
 * Seeds: fuzz/seeds/pool_json (valid requests; see its README). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/types.h"

/* The largest body a pool route accepts (HTTP_DEFAULT_MAX_BODY); the
 * request routes use less, so this covers them all. */
#define BODY_MAX (64u << 10)
/* Dumped text of a loaded body: numbers may grow ("1e1" -> "10.0"). */
#define TEXT_MAX (1u << 20)

#define CHECK(x)                                                              \
  do {                                                                        \
    if (!(x))                                                                 \
      abort();                                                                \
  } while (0)

static int same(const struct buf *a, const struct buf *b)
{
  return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/* Every round trip of one parsed object of type t (see the top). */
static void check_round_trips(const struct st_type *t, const void *obj)
{
  void *back = calloc(1, t->size);
  struct buf bytes, again, text;
  uint8_t h1[32], h2[32];
  json_t *j1 = NULL, *j2 = NULL, *j3 = NULL;

  CHECK(back);
  buf_init(&bytes, ST_WRITE_MAX);
  buf_init(&again, ST_WRITE_MAX);
  buf_init(&text, TEXT_MAX);

  /* streamable: write, parse, write */
  CHECK(st_write(t, obj, &bytes) == CP_OK);
  CHECK(st_parse(t, bytes.data, bytes.len, back) == CP_OK);
  CHECK(st_write(t, back, &again) == CP_OK);
  CHECK(same(&bytes, &again));
  CHECK(st_hash(t, obj, h1) == CP_OK);
  CHECK(st_hash(t, back, h2) == CP_OK);
  CHECK(!memcmp(h1, h2, 32));
  st_release(t, back);

  /* JSON through text, so big integers go through the tag machinery */
  CHECK(st_to_json(t, obj, &j1) == CP_OK);
  CHECK(cjson_dump(j1, &text) == CP_OK);
  CHECK(cjson_loadb((const char *)text.data, text.len, TEXT_MAX, &j2) == CP_OK);
  CHECK(json_equal(j1, j2));
  CHECK(st_from_json(t, j2, back) == CP_OK);
  buf_reset(&again);
  CHECK(st_write(t, back, &again) == CP_OK);
  CHECK(same(&bytes, &again));
  CHECK(st_to_json(t, back, &j3) == CP_OK);
  CHECK(json_equal(j1, j3));

  st_release(t, back);
  free(back);
  buf_release(&bytes);
  buf_release(&again);
  buf_release(&text);
  json_decref(j1);
  json_decref(j2);
  json_decref(j3);
}

/* A parsed string field is NUL-terminated inside its array. */
#define CHECK_STR(field) CHECK(memchr((field), 0, sizeof(field)) != NULL)

static void fuzz_partial(const json_t *j)
{
  struct chia_partial_request r;

  if (chia_partial_request_from_json(j, &r) != CP_OK)
    return;
  CHECK(r.payload.proof_of_space.proof_len <= CHIA_POS_PROOF_MAX);
  check_round_trips(&chia_partial_request_type, &r);
}

static void fuzz_post_farmer(const json_t *j)
{
  struct chia_post_farmer_request r;

  if (chia_post_farmer_request_from_json(j, &r) != CP_OK)
    return;
  CHECK_STR(r.payload.payout_instructions);
  check_round_trips(&chia_post_farmer_request_type, &r);
}

static void fuzz_put_farmer(const json_t *j)
{
  struct chia_put_farmer_request r, back;
  const struct st_type *t;
  json_t *out = NULL;
  bool v2, v2_back;

  if (chia_put_farmer_request_from_json_any(j, &r, &v2) != CP_OK)
    return;
  CHECK_STR(r.payload.payout_instructions);
  CHECK_STR(r.payload.authentication_token_v2);
  t = v2 ? &chia_put_farmer_request_v2_type : &chia_put_farmer_request_type;
  check_round_trips(t, &r);
  /* the form survives its own JSON: the signature covers the form's bytes */
  CHECK(st_to_json(t, &r, &out) == CP_OK);
  CHECK(chia_put_farmer_request_from_json_any(out, &back, &v2_back) == CP_OK);
  CHECK(v2_back == v2);
  json_decref(out);
}

static void fuzz_auth(const json_t *j)
{
  struct chia_auth_payload a;

  if (chia_auth_payload_from_json(j, &a) != CP_OK)
    return;
  CHECK_STR(a.method_name);
  check_round_trips(&chia_auth_payload_type, &a);
}

/* The payloads alone: what the signatures are over. */
static void fuzz_payloads(const json_t *j)
{
  static const struct st_type *const types[] = {
    &chia_partial_payload_type,     &chia_post_farmer_payload_type,
    &chia_put_farmer_payload_type,  &chia_put_farmer_payload_v2_type,
    &chia_pos_type,                 &chia_error_response_type,
  };

  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    void *obj = calloc(1, types[i]->size);
    CHECK(obj);
    if (st_from_json(types[i], j, obj) == CP_OK) {
      check_round_trips(types[i], obj);
      st_release(types[i], obj);
    }
    free(obj);
  }
}

/* Any loaded document dumps and reloads to an equal one. */
static void check_document(const json_t *j)
{
  struct buf text;
  json_t *back = NULL;

  buf_init(&text, TEXT_MAX);
  CHECK(cjson_dump(j, &text) == CP_OK);
  CHECK(cjson_loadb((const char *)text.data, text.len, TEXT_MAX, &back) == CP_OK);
  CHECK(json_equal(j, back));
  json_decref(back);
  buf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
  json_t *j = NULL;
  cp_err rc;

  rc = cjson_loadb((const char *)data, n, BODY_MAX, &j);
  if (n > BODY_MAX)
    CHECK(rc == CP_TOO_BIG);
  if (rc)
    return 0;
  check_document(j);
  /* the server takes objects only; the parsers must refuse the rest alone */
  fuzz_partial(j);
  fuzz_post_farmer(j);
  fuzz_put_farmer(j);
  fuzz_auth(j);
  fuzz_payloads(j);
  json_decref(j);
  return 0;
}
