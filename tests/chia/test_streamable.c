#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/program.h"
#include "chia/streamable.h"
#include "chia/types.h"
#include "crypto/sha256.h"
#include "util/buf.h"
#include "util/hex.h"

static json_t *jparse(const char *s)
{
  json_t *j;
  assert_int_equal(cjson_loadb(s, strlen(s), 1 << 20, &j), CP_OK);
  return j;
}

/* Every proper prefix must be TRUNCATED and one extra byte TRAILING. */
static void assert_strict(const struct st_type *t, const uint8_t *p, size_t n,
                          void *obj)
{
  uint8_t *ext = malloc(n + 1);
  assert_non_null(ext);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(st_parse(t, p, i, obj), CP_TRUNCATED);
  memcpy(ext, p, n);
  ext[n] = 0;
  assert_int_equal(st_parse(t, ext, n + 1, obj), CP_TRAILING);
  free(ext);
}

static void test_primitives(void **state)
{
  struct buf b;
  struct rd r;
  chia_u128 v = ((chia_u128)0x0102030405060708ULL << 64) | 0x090a0b0c0d0e0f10ULL, w;
  bool f;
  uint32_t n;
  const uint8_t flags[] = { 0, 1, 2, 0xff };
  (void)state;

  buf_init(&b, 64);
  assert_int_equal(st_put_u128(&b, v), CP_OK);
  assert_memory_equal(b.data, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
                              "\x0d\x0e\x0f\x10", 16);
  rd_init(&r, b.data, b.len);
  assert_int_equal(st_get_u128(&r, &w), CP_OK);
  assert_true(w == v);
  assert_int_equal(st_get_u128(&r, &w), CP_TRUNCATED);
  buf_release(&b);

  rd_init(&r, flags, sizeof flags);
  assert_int_equal(st_get_bool(&r, &f), CP_OK);
  assert_false(f);
  assert_int_equal(st_get_opt(&r, &f), CP_OK);
  assert_true(f);
  assert_int_equal(st_get_bool(&r, &f), CP_BAD_STREAMABLE);
  assert_int_equal(st_get_opt(&r, &f), CP_BAD_STREAMABLE);
  assert_int_equal(st_get_opt(&r, &f), CP_TRUNCATED);

  /* list count: over max, impossible for what is left, fine */
  {
    const uint8_t l1[] = { 0, 0, 0, 5, 1, 2, 3, 4, 5 };
    rd_init(&r, l1, sizeof l1);
    assert_int_equal(st_get_list_len(&r, &n, 4, 1), CP_TOO_BIG);
    rd_init(&r, l1, sizeof l1);
    assert_int_equal(st_get_list_len(&r, &n, 10, 2), CP_TRUNCATED);
    rd_init(&r, l1, sizeof l1);
    assert_int_equal(st_get_list_len(&r, &n, 10, 1), CP_OK);
    assert_int_equal(n, 5);
  }
}

static void test_utf8(void **state)
{
  static const struct { const char *s; bool ok; } cases[] = {
    { "plain", true },
    { "\xe2\x82\xac \xf0\x9f\x8c\xb1 \xc3\xa9", true }, /* euro, seedling, e-acute */
    { "\xf4\x8f\xbf\xbf", true },                       /* U+10FFFF */
    { "\xc0\x80", false },                              /* overlong NUL */
    { "\xe0\x80\xaf", false },                          /* overlong '/' */
    { "\xed\xa0\x80", false },                          /* surrogate */
    { "\xf4\x90\x80\x80", false },                      /* > U+10FFFF */
    { "\xe2\x82", false },                              /* truncated */
    { "\x80", false },                                  /* lone continuation */
    { "\xff", false },
  };
  struct buf b;
  char out[16];
  struct rd r;
  (void)state;

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_int_equal(st_utf8_valid((const uint8_t *)cases[i].s,
                                   strlen(cases[i].s)), cases[i].ok);
  assert_false(st_utf8_valid((const uint8_t *)"a\0b", 3));

  buf_init(&b, 64);
  assert_int_equal(st_put_str(&b, "\xed\xa0\x80", 3), CP_BAD_UTF8);
  assert_int_equal(st_put_str(&b, "h\xc3\xa9", 3), CP_OK);
  assert_memory_equal(b.data, "\x00\x00\x00\x03h\xc3\xa9", 7);
  rd_init(&r, b.data, b.len);
  assert_int_equal(st_get_str(&r, out, 3, NULL), CP_TOO_BIG);
  rd_init(&r, b.data, b.len);
  assert_int_equal(st_get_str(&r, out, sizeof out, NULL), CP_OK);
  assert_string_equal(out, "h\xc3\xa9");
  buf_release(&b);
  {
    const uint8_t bad[] = { 0, 0, 0, 2, 0xc0, 0x80 };
    rd_init(&r, bad, sizeof bad);
    assert_int_equal(st_get_str(&r, out, sizeof out, NULL), CP_BAD_UTF8);
  }
}

/* bls.json auth_payload: serialization and get_hash byte for byte. */
static void test_auth_payload_vectors(void **state)
{
  json_t *tv = tv_load("bls.json");
  json_t *arr = tv_get(tv, "auth_payload");
  size_t i;
  json_t *v;
  (void)state;

  assert_true(json_array_size(arr) >= 2);
  json_array_foreach(arr, i, v) {
    struct chia_auth_payload a, back;
    uint8_t ser[256], h[32];
    size_t n = tv_unhex(tv_str(v, "serialized"), ser, sizeof ser);
    struct buf b;

    memset(&a, 0, sizeof a);
    snprintf(a.method_name, sizeof a.method_name, "%s", tv_str(v, "method_name"));
    tv_hex_exact(v, "launcher_id", a.launcher_id, 32);
    tv_hex_exact(v, "target_puzzle_hash", a.target_puzzle_hash, 32);
    a.authentication_token =
      (uint64_t)json_integer_value(tv_get(v, "authentication_token"));
    buf_init(&b, 1024);
    assert_int_equal(chia_auth_payload_write(&a, &b), CP_OK);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, ser, n);
    assert_int_equal(chia_auth_payload_hash(&a, h), CP_OK);
    tv_assert_hex(h, 32, tv_str(v, "message_hash"));
    assert_int_equal(chia_auth_payload_parse(ser, n, &back), CP_OK);
    assert_string_equal(back.method_name, a.method_name);
    assert_memory_equal(back.launcher_id, a.launcher_id, 32);
    assert_int_equal(back.authentication_token, a.authentication_token);
    assert_strict(&chia_auth_payload_type, ser, n, &back);
    /* a length prefix past the method-name limit */
    ser[3] = CHIA_METHOD_MAX + 1;
    assert_int_equal(chia_auth_payload_parse(ser, n, &back), CP_TOO_BIG);
    buf_release(&b);
  }
  json_decref(tv);
}

/* puzzles.json pool_state: parse, re-serialize, JSON round trip. */
static void test_pool_state_vectors(void **state)
{
  json_t *tv = tv_load("puzzles.json");
  json_t *arr = tv_get(tv_get(tv, "pool_state"), "examples");
  size_t i;
  json_t *v;
  (void)state;

  assert_true(json_array_size(arr) >= 2);
  json_array_foreach(arr, i, v) {
    struct chia_pool_state ps, back;
    uint8_t ser[512], th[32], pk[48];
    size_t n = tv_unhex(tv_str(v, "streamable_hex"), ser, sizeof ser);
    json_t *url = tv_get(v, "pool_url"), *js;
    struct buf b;

    assert_int_equal(chia_pool_state_parse(ser, n, &ps), CP_OK);
    assert_int_equal(ps.version, json_integer_value(tv_get(v, "version")));
    assert_int_equal(ps.state, json_integer_value(tv_get(v, "state")));
    tv_hex_exact(v, "target_puzzle_hash", th, 32);
    tv_hex_exact(v, "owner_pubkey", pk, 48);
    assert_memory_equal(ps.target_puzzle_hash, th, 32);
    assert_memory_equal(ps.owner_pubkey, pk, 48);
    assert_int_equal(ps.relative_lock_height,
                     json_integer_value(tv_get(v, "relative_lock_height")));
    assert_int_equal(ps.has_pool_url, !json_is_null(url));
    if (ps.has_pool_url)
      assert_string_equal(ps.pool_url, json_string_value(url));
    buf_init(&b, 4096);
    assert_int_equal(chia_pool_state_write(&ps, &b), CP_OK);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, ser, n);
    assert_strict(&chia_pool_state_type, ser, n, &back);

    assert_int_equal(chia_pool_state_to_json(&ps, &js), CP_OK);
    assert_int_equal(chia_pool_state_from_json(js, &back), CP_OK);
    assert_memory_equal(&back, &ps, sizeof ps);
    json_decref(js);

    /* Optional flag byte for pool_url sits at 2 + 32 + 48 */
    ser[82] = 2;
    assert_int_equal(chia_pool_state_parse(ser, n, &back), CP_BAD_STREAMABLE);
    buf_release(&b);
  }
  json_decref(tv);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(seed + i * 7);
}

/* A plot-NFT proof: 00 (no pool pk), 01 + contract ph, k32, 256-byte proof. */
static size_t pos_bytes(uint8_t *out)
{
  size_t o = 0;
  fill(out, 32, 1);
  o = 32;
  out[o++] = 0;
  out[o++] = 1;
  fill(out + o, 32, 2);
  o += 32;
  fill(out + o, 48, 3);
  o += 48;
  out[o++] = 32;
  be32_store(out + o, 256);
  o += 4;
  fill(out + o, 256, 4);
  return o + 256;
}

static void test_proof_of_space(void **state)
{
  uint8_t ser[512], h[32], h2[32];
  size_t n = pos_bytes(ser);
  struct chia_pos pos, back;
  struct buf b;
  json_t *j;
  (void)state;

  assert_int_equal(chia_pos_parse(ser, n, &pos), CP_OK);
  assert_false(pos.has_pool_public_key);
  assert_true(pos.has_pool_contract_puzzle_hash);
  assert_int_equal(pos.size, 32);
  assert_int_equal(pos.proof_len, 256);
  buf_init(&b, 4096);
  assert_int_equal(chia_pos_write(&pos, &b), CP_OK);
  assert_int_equal(b.len, n);
  assert_memory_equal(b.data, ser, n);
  assert_int_equal(chia_pos_hash(&pos, h), CP_OK);
  sha256(h2, ser, n);
  assert_memory_equal(h, h2, 32);
  assert_strict(&chia_pos_type, ser, n, &back);

  /* JSON: chia_rs key set, 0x hex, v2 keys as 0 */
  assert_int_equal(chia_pos_to_json(&pos, &j), CP_OK);
  assert_int_equal(json_integer_value(json_object_get(j, "version")), 0);
  assert_int_equal(json_integer_value(json_object_get(j, "plot_index")), 0);
  assert_true(json_is_null(json_object_get(j, "pool_public_key")));
  assert_int_equal(strncmp(json_string_value(json_object_get(j, "challenge")),
                           "0x0108", 6), 0);
  assert_int_equal(chia_pos_from_json(j, &back), CP_OK);
  assert_memory_equal(&back, &pos, sizeof pos);
  /* older farmers omit the v2 keys */
  json_object_del(j, "version");
  json_object_del(j, "plot_index");
  json_object_del(j, "meta_group");
  json_object_del(j, "strength");
  assert_int_equal(chia_pos_from_json(j, &back), CP_OK);
  assert_memory_equal(&back, &pos, sizeof pos);
  json_object_set_new(j, "version", json_integer(1));
  assert_int_equal(chia_pos_from_json(j, &back), CP_UNSUPPORTED);
  json_object_set_new(j, "version", json_integer(0));
  json_object_set_new(j, "plot_index", json_integer(65536));
  assert_int_equal(chia_pos_from_json(j, &back), CP_BAD_NUMBER);
  json_object_set_new(j, "plot_index", json_integer(0));
  json_object_set_new(j, "size", json_integer(256));
  assert_int_equal(chia_pos_from_json(j, &back), CP_BAD_NUMBER);
  json_object_set_new(j, "size", json_string("32"));
  assert_int_equal(chia_pos_from_json(j, &back), CP_BAD_NUMBER);
  json_object_set_new(j, "size", json_integer(32));
  json_object_set_new(j, "challenge", json_string("0x0102"));
  assert_int_equal(chia_pos_from_json(j, &back), CP_BAD_HEX);
  json_decref(j);

  /* flag bytes: 2/3 mean v2 (not yet), anything else is malformed */
  ser[33] = 3;
  assert_int_equal(chia_pos_parse(ser, n, &back), CP_UNSUPPORTED);
  ser[33] = 2;
  assert_int_equal(chia_pos_parse(ser, n, &back), CP_UNSUPPORTED);
  ser[33] = 4;
  assert_int_equal(chia_pos_parse(ser, n, &back), CP_BAD_STREAMABLE);
  ser[33] = 1;
  ser[32] = 2; /* pool_public_key flag is a plain Optional */
  assert_int_equal(chia_pos_parse(ser, n, &back), CP_BAD_STREAMABLE);
  ser[32] = 0;
  /* proof length over the limit */
  be32_store(ser + 32 + 2 + 32 + 48 + 1, CHIA_POS_PROOF_MAX + 1);
  assert_int_equal(chia_pos_parse(ser, n, &back), CP_TOO_BIG);
  buf_release(&b);
}

static const char partial_json[] =
  "{\"payload\": {\"launcher_id\": \"0x1324c891236585bd71cdc350f14ee736ff5d5426565f607edaa7e19acb37fb0b\","
  " \"authentication_token\": 28000000,"
  " \"proof_of_space\": {\"challenge\": \"0x" "11111111111111111111111111111111" "11111111111111111111111111111111\","
  "   \"pool_public_key\": null,"
  "   \"pool_contract_puzzle_hash\": \"4047f7b2daf0abeb76655d78f9dcdf737c698b8f869b0b2eca1482634e7639cb\","
  "   \"plot_public_key\": \"0xa2e130db5ddbc3e282d94d47a662f42ad7866b01d281f2f9de2dcb7d90f554415d1922e56ea2deaf88cdb7a6040f0462\","
  "   \"size\": 32, \"proof\": \"0x00ff10\", \"extra\": [1,2]},"
  " \"sp_hash\": \"0x2222222222222222222222222222222222222222222222222222222222222222\","
  " \"end_of_sub_slot\": false,"
  " \"harvester_id\": \"0x3333333333333333333333333333333333333333333333333333333333333333\"},"
  " \"aggregate_signature\": \"0xc0" "0000000000000000000000000000000000000000000000000000000000000000"
  "0000000000000000000000000000000000000000000000000000000000000000"
  "00000000000000000000000000000000000000000000000000000000000000\","
  " \"authentication_token_v2\": \"28000000\"}";

static void test_partial_request(void **state)
{
  json_t *j = jparse(partial_json), *out;
  struct chia_partial_request req, back;
  struct buf b, d;
  uint8_t h[32], h2[32];
  const char *s;
  (void)state;

  assert_int_equal(chia_partial_request_from_json(j, &req), CP_OK);
  assert_int_equal(req.payload.authentication_token, 28000000);
  assert_true(req.payload.proof_of_space.has_pool_contract_puzzle_hash);
  assert_int_equal(req.payload.proof_of_space.proof_len, 3);
  assert_int_equal(req.aggregate_signature[0], 0xc0);

  /* binary: payload bytes = launcher || token || pos || sp || eos || harvester */
  buf_init(&b, 8192);
  assert_int_equal(chia_partial_payload_write(&req.payload, &b), CP_OK);
  assert_int_equal(b.len, 32 + 8 + (32 + 1 + 33 + 48 + 1 + 4 + 3) + 32 + 1 + 32);
  assert_memory_equal(b.data + 32, "\x00\x00\x00\x00\x01\xab\x3f\x00", 8);
  assert_int_equal(chia_partial_payload_hash(&req.payload, h), CP_OK);
  sha256(h2, b.data, b.len);
  assert_memory_equal(h, h2, 32);
  assert_int_equal(chia_partial_payload_parse(b.data, b.len, &back.payload), CP_OK);
  assert_memory_equal(&back.payload, &req.payload, sizeof req.payload);
  /* end_of_sub_slot must be 0/1 */
  b.data[b.len - 33] = 2;
  assert_int_equal(chia_partial_payload_parse(b.data, b.len, &back.payload),
                   CP_BAD_STREAMABLE);
  buf_release(&b);

  /* JSON out and back */
  assert_int_equal(chia_partial_request_to_json(&req, &out), CP_OK);
  buf_init(&d, 1 << 16);
  assert_int_equal(cjson_dump(out, &d), CP_OK);
  assert_int_equal(buf_cstr(&d, &s), CP_OK);
  assert_non_null(strstr(s, "\"pool_contract_puzzle_hash\":\"0x4047f7b2"));
  assert_non_null(strstr(s, "\"end_of_sub_slot\":false"));
  assert_int_equal(chia_partial_request_from_json(out, &back), CP_OK);
  assert_memory_equal(&back, &req, sizeof req);
  buf_release(&d);
  json_decref(out);

  /* hostile: wrong types and lengths */
  json_object_set_new(json_object_get(j, "payload"), "end_of_sub_slot", json_integer(0));
  assert_int_equal(chia_partial_request_from_json(j, &back), CP_BAD_JSON);
  json_object_set_new(json_object_get(j, "payload"), "end_of_sub_slot", json_false());
  json_object_set_new(json_object_get(j, "payload"), "authentication_token", json_integer(-1));
  assert_int_equal(chia_partial_request_from_json(j, &back), CP_BAD_NUMBER);
  json_object_set_new(json_object_get(j, "payload"), "authentication_token", json_real(1.0));
  assert_int_equal(chia_partial_request_from_json(j, &back), CP_BAD_NUMBER);
  json_object_set_new(json_object_get(j, "payload"), "authentication_token", json_integer(5));
  json_object_set_new(j, "aggregate_signature", json_string("0xc0"));
  assert_int_equal(chia_partial_request_from_json(j, &back), CP_BAD_HEX);
  json_object_del(j, "aggregate_signature");
  assert_int_equal(chia_partial_request_from_json(j, &back), CP_BAD_JSON);
  json_decref(j);
}

static void test_farmer_payloads(void **state)
{
  struct chia_post_farmer_payload post, pback;
  struct chia_put_farmer_payload put, back;
  struct chia_put_farmer_request preq;
  struct buf b;
  uint8_t h1[32], h2[32];
  bool v2;
  json_t *j;
  (void)state;

  memset(&post, 0, sizeof post);
  fill(post.launcher_id, 32, 9);
  post.authentication_token = 5800123;
  fill(post.authentication_public_key, 48, 10);
  snprintf(post.payout_instructions, sizeof post.payout_instructions, "%s",
           "xch1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq2u30kz");
  buf_init(&b, 4096);
  assert_int_equal(chia_post_farmer_payload_write(&post, &b), CP_OK);
  /* 32 + 8 + 48 + (4 + 62) + 1 (null suggested_difficulty) */
  assert_int_equal(b.len, 32 + 8 + 48 + 4 + 62 + 1);
  assert_int_equal(b.data[b.len - 1], 0);
  assert_memory_equal(b.data + 88, "\x00\x00\x00\x3exch1", 8);
  assert_int_equal(chia_post_farmer_payload_parse(b.data, b.len, &pback), CP_OK);
  assert_memory_equal(&pback, &post, sizeof post);
  buf_release(&b);

  memset(&put, 0, sizeof put);
  fill(put.launcher_id, 32, 11);
  put.authentication_token = 5800123;
  put.has_authentication_public_key = true;
  fill(put.authentication_public_key, 48, 12);
  put.has_payout_instructions = true;
  snprintf(put.payout_instructions, sizeof put.payout_instructions, "%s", "ab");
  snprintf(put.authentication_token_v2, sizeof put.authentication_token_v2,
           "%s", "5800123");
  buf_init(&b, 4096);
  assert_int_equal(chia_put_farmer_payload_write(&put, &b), CP_OK);
  assert_int_equal(b.len, 32 + 8 + 49 + 1 + 4 + 2 + 1);
  buf_reset(&b);
  assert_int_equal(chia_put_farmer_payload_v2_write(&put, &b), CP_OK);
  assert_int_equal(b.len, 32 + 8 + 49 + 1 + 4 + 2 + 1 + 4 + 7);
  assert_memory_equal(b.data + b.len - 11, "\x00\x00\x00\x07" "5800123", 11);
  assert_int_equal(chia_put_farmer_payload_v2_parse(b.data, b.len, &back), CP_OK);
  assert_memory_equal(&back, &put, sizeof put);
  assert_int_equal(chia_put_farmer_payload_parse(b.data, b.len, &back), CP_TRAILING);
  assert_int_equal(chia_put_farmer_payload_hash(&put, h1), CP_OK);
  assert_int_equal(chia_put_farmer_payload_v2_hash(&put, h2), CP_OK);
  assert_memory_not_equal(h1, h2, 32);
  buf_release(&b);

  j = jparse("{\"payload\": {\"launcher_id\": \"0x0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b\","
             "\"authentication_token\": 7, \"authentication_public_key\": null,"
             "\"payout_instructions\": null, \"suggested_difficulty\": 18446744073709551615},"
             "\"signature\": null}");
  {
    uint8_t sig[96] = { 0xc0 };
    assert_int_equal(chia_put_farmer_request_from_json_any(j, &preq, &v2), CP_BAD_JSON);
    assert_int_equal(cjson_set_hex(j, "signature", sig, 96), CP_OK);
  }
  assert_int_equal(chia_put_farmer_request_from_json_any(j, &preq, &v2), CP_OK);
  assert_false(v2);
  assert_true(preq.payload.has_suggested_difficulty);
  assert_true(preq.payload.suggested_difficulty == UINT64_MAX);
  assert_false(preq.payload.has_payout_instructions);
  json_object_set_new(json_object_get(j, "payload"), "authentication_token_v2",
                      json_string("7"));
  assert_int_equal(chia_put_farmer_request_from_json_any(j, &preq, &v2), CP_OK);
  assert_true(v2);
  assert_string_equal(preq.payload.authentication_token_v2, "7");
  json_object_set_new(json_object_get(j, "payload"), "authentication_token_v2",
                      json_integer(7));
  assert_int_equal(chia_put_farmer_request_from_json_any(j, &preq, &v2), CP_BAD_JSON);
  json_decref(j);
}

static void test_error_response(void **state)
{
  struct chia_error_response e;
  struct buf b;
  json_t *j;
  (void)state;

  j = jparse("{\"error_code\": 12, \"error_message\": \"authentication_token 1 invalid\"}");
  assert_int_equal(chia_error_response_from_json(j, &e), CP_OK);
  assert_int_equal(e.error_code, 12);
  assert_true(e.has_error_message);
  buf_init(&b, 1024);
  assert_int_equal(chia_error_response_write(&e, &b), CP_OK);
  assert_memory_equal(b.data, "\x00\x0c\x01\x00\x00\x00\x1e" "authentication_token", 27);
  buf_release(&b);
  json_decref(j);
  j = jparse("{\"error_code\": 70000, \"error_message\": null}");
  assert_int_equal(chia_error_response_from_json(j, &e), CP_BAD_NUMBER);
  json_object_set_new(j, "error_code", json_integer(8));
  assert_int_equal(chia_error_response_from_json(j, &e), CP_OK);
  assert_false(e.has_error_message);
  json_decref(j);
}

/* CoinSpend / SpendBundle from the absorb vectors (real puzzles). */
static void test_coin_spend(void **state)
{
  json_t *tv = tv_load("puzzles.json");
  json_t *sp = json_array_get(tv_get(tv, "absorb_spends"), 0);
  json_t *coin = tv_get(sp, "singleton_coin");
  struct chia_spend_bundle sb, back;
  struct chia_coin_spend *cs;
  struct buf b;
  json_t *j;
  size_t n;
  uint8_t *puz = tv_hex(sp, "singleton_puzzle_reveal", &n), *sol;
  size_t soln;
  (void)state;

  sol = tv_hex(sp, "singleton_solution", &soln);
  memset(&sb, 0, sizeof sb);
  sb.coin_spends.items = calloc(2, sizeof(struct chia_coin_spend));
  sb.coin_spends.count = 2;
  for (int k = 0; k < 2; k++) {
    cs = chia_spend_bundle_at(&sb, (uint32_t)k);
    tv_hex_exact(coin, "parent_coin_info", cs->coin.parent_coin_info, 32);
    tv_hex_exact(coin, "puzzle_hash", cs->coin.puzzle_hash, 32);
    cs->coin.amount = (uint64_t)json_integer_value(tv_get(coin, "amount")) + (uint64_t)k;
    cs->puzzle_reveal.data = malloc(n);
    memcpy(cs->puzzle_reveal.data, puz, n);
    cs->puzzle_reveal.len = n;
    cs->solution.data = malloc(soln);
    memcpy(cs->solution.data, sol, soln);
    cs->solution.len = soln;
  }
  sb.aggregated_signature[0] = 0xc0;
  buf_init(&b, 1 << 20);
  assert_int_equal(chia_spend_bundle_write(&sb, &b), CP_OK);
  assert_int_equal(b.len, 4 + 2 * (72 + n + soln) + 96);
  assert_int_equal(chia_spend_bundle_parse(b.data, b.len, &back), CP_OK);
  assert_int_equal(back.coin_spends.count, 2);
  cs = chia_spend_bundle_at(&back, 1);
  assert_int_equal(cs->puzzle_reveal.len, n);
  assert_memory_equal(cs->solution.data, sol, soln);
  assert_int_equal(cs->coin.amount, 2);
  chia_spend_bundle_release(&back);
  /* truncation anywhere, and a list count beyond what the bytes hold */
  for (size_t cut = 0; cut < b.len; cut += 97)
    assert_int_equal(chia_spend_bundle_parse(b.data, cut, &back), CP_TRUNCATED);
  b.data[0] = 0x7f;
  assert_int_equal(chia_spend_bundle_parse(b.data, b.len, &back), CP_TOO_BIG);
  b.data[0] = 0;
  b.data[2] = 0x1f; /* 8000 spends cannot fit in what follows */
  b.data[3] = 0x40;
  assert_int_equal(chia_spend_bundle_parse(b.data, b.len, &back), CP_TRUNCATED);
  buf_release(&b);

  /* JSON: keys as the node RPC uses them; programs as 0x hex */
  assert_int_equal(chia_spend_bundle_to_json(&sb, &j), CP_OK);
  assert_true(json_is_array(json_object_get(j, "coin_spends")));
  assert_int_equal(chia_spend_bundle_from_json(j, &back), CP_OK);
  cs = chia_spend_bundle_at(&back, 0);
  assert_int_equal(cs->puzzle_reveal.len, n);
  assert_memory_equal(cs->puzzle_reveal.data, puz, n);
  chia_spend_bundle_release(&back);
  /* a solution with a trailing byte is not one program */
  {
    json_t *c0 = json_array_get(json_object_get(j, "coin_spends"), 0);
    json_object_set_new(c0, "solution", json_string("0xff808080"));
    assert_int_equal(chia_spend_bundle_from_json(j, &back), CP_BAD_STREAMABLE);
    json_object_set_new(c0, "solution", json_string("0xff80"));
    assert_int_equal(chia_spend_bundle_from_json(j, &back), CP_BAD_STREAMABLE);
    json_object_set_new(c0, "solution", json_string("80"));
    assert_int_equal(chia_spend_bundle_from_json(j, &back), CP_OK);
    assert_int_equal(chia_spend_bundle_at(&back, 0)->solution.len, 1);
    chia_spend_bundle_release(&back);
  }
  json_decref(j);
  chia_spend_bundle_release(&sb);
  free(puz);
  free(sol);
  json_decref(tv);
}

static void test_program_len(void **state)
{
  json_t *tv = tv_load("puzzles.json");
  json_t *arr = tv_get(tv, "puzzles");
  size_t i, len;
  json_t *v;
  (void)state;

  json_array_foreach(arr, i, v) {
    size_t n;
    uint8_t *p = tv_hex(v, "hex", &n);
    uint8_t *ext = malloc(n + 3);
    assert_int_equal(chia_program_len(p, n, CHIA_PROGRAM_MAX, &len), CP_OK);
    assert_int_equal(len, n);
    for (size_t cut = 0; cut < n; cut++)
      assert_int_equal(chia_program_len(p, cut, CHIA_PROGRAM_MAX, &len), CP_TRUNCATED);
    memcpy(ext, p, n);
    memcpy(ext + n, "\xff\x01\x02", 3);
    assert_int_equal(chia_program_len(ext, n + 3, CHIA_PROGRAM_MAX, &len), CP_OK);
    assert_int_equal(len, n);
    assert_int_equal(chia_program_len(p, n, n - 1, &len), CP_CLVM_LIMIT);
    free(ext);
    free(p);
  }
  json_decref(tv);

  /* atoms with 1- and 2-byte prefixes, a back-reference, bad prefixes */
  {
    const uint8_t a[] = { 0x83, 'a', 'b', 'c' };
    const uint8_t big[] = { 0xc0, 0x40 }; /* 64-byte atom header */
    const uint8_t br[] = { 0xff, 0x01, 0xfe, 0x02 };
    const uint8_t brbad[] = { 0xfe, 0xff };
    const uint8_t huge[] = { 0xfc, 0xff, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(chia_program_len(a, sizeof a, 100, &len), CP_OK);
    assert_int_equal(len, 4);
    assert_int_equal(chia_program_len(big, sizeof big, 100, &len), CP_TRUNCATED);
    assert_int_equal(chia_program_len(br, sizeof br, 100, &len), CP_OK);
    assert_int_equal(len, 4);
    assert_int_equal(chia_program_len(brbad, sizeof brbad, 100, &len), CP_CLVM_SERIAL);
    assert_int_equal(chia_program_len(huge, sizeof huge, 100, &len), CP_TRUNCATED);
  }
  /* left-nested pairs past the pending limit */
  {
    size_t n = CHIA_PROGRAM_MAX_PENDING + 10;
    uint8_t *deep = malloc(n);
    memset(deep, 0xff, n);
    assert_int_equal(chia_program_len(deep, n, n, &len), CP_CLVM_LIMIT);
    free(deep);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_primitives),
    cmocka_unit_test(test_utf8),
    cmocka_unit_test(test_auth_payload_vectors),
    cmocka_unit_test(test_pool_state_vectors),
    cmocka_unit_test(test_proof_of_space),
    cmocka_unit_test(test_partial_request),
    cmocka_unit_test(test_farmer_payloads),
    cmocka_unit_test(test_error_response),
    cmocka_unit_test(test_coin_spend),
    cmocka_unit_test(test_program_len),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
