#include "farmers_fx.h"

/* ---- POST /farmer ---- */

static void test_post_happy(void **state)
{
  struct fx *x = *state;
  struct store_farmer rec;
  struct chia_coin_spend cs;
  struct chia_pool_state ps;
  uint8_t p2[32], id[32];

  register_ok(x);
  assert_int_equal(store_farmer_get(x->store, x->fc.id.launcher_id, &rec), CP_OK);
  plotnft_p2_hash(&x->fc.id, p2);
  assert_memory_equal(rec.p2_singleton_puzzle_hash, p2, 32);
  assert_int_equal(rec.delay_time, 604800);
  assert_memory_equal(rec.delay_puzzle_hash, delay_ph, 32);
  assert_memory_equal(rec.authentication_public_key, auth_pk.bytes, 48);
  assert_int_equal(rec.difficulty, 20);
  assert_int_equal(rec.points, 0);
  assert_string_equal(rec.payout_instructions, payout_hex);
  assert_int_equal(rec.is_pool_member, 1);
  assert_int_equal(rec.joined_at, NOW);
  /* the stored tip is the launcher spend (nothing newer is buried) */
  assert_int_equal(chia_coin_spend_parse(rec.singleton_tip, rec.singleton_tip_len, &cs),
                   CP_OK);
  coin_id(&cs.coin, id);
  assert_memory_equal(id, x->fc.id.launcher_id, 32);
  chia_coin_spend_release(&cs);
  assert_int_equal(chia_pool_state_parse(rec.singleton_tip_state,
                                         rec.singleton_tip_state_len, &ps), CP_OK);
  assert_int_equal(ps.state, PLOTNFT_FARMING_TO_POOL);
  assert_memory_equal(ps.owner_pubkey, owner_pk.bytes, 48);
  store_farmer_release(&rec);
}

/* One broken thing per case, in the reference's order. */
static void test_post_errors_in_order(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  uint8_t bad_g1[48], unknown[32];
  char xch[100];
  json_t *b;

  /* malformed: no signature */
  b = post_body(lid, tok(), auth_pk.bytes, payout_hex, -1, &owner_sk);
  json_object_del(b, "signature");
  expect_code(do_post(x, b), POOL_SERVER_EXCEPTION);
  /* not a JSON object at all */
  expect_code(do_post(x, json_string("x")), POOL_SERVER_EXCEPTION);
  /* authentication key that is not a G1 point */
  memset(bad_g1, 0x11, 48);
  expect_code(do_post(x, post_body(lid, tok(), bad_g1, payout_hex, -1, &owner_sk)),
              POOL_SERVER_EXCEPTION);
  /* the point at infinity never verifies a partial: refused too */
  memset(bad_g1, 0, 48);
  bad_g1[0] = 0xc0;
  expect_code(do_post(x, post_body(lid, tok(), bad_g1, payout_hex, -1, &owner_sk)),
              POOL_SERVER_EXCEPTION);
  /* token outside +-5 */
  expect_code(do_post(x, post_body(lid, tok() + 6, auth_pk.bytes, payout_hex, -1,
                                   &owner_sk)), POOL_INVALID_AUTHENTICATION_TOKEN);
  expect_code(do_post(x, post_body(lid, tok() - 6, auth_pk.bytes, payout_hex, -1,
                                   &owner_sk)), POOL_INVALID_AUTHENTICATION_TOKEN);
  /* launcher that does not exist */
  memset(unknown, 0x42, 32);
  expect_code(do_post(x, post_body(unknown, tok(), auth_pk.bytes, payout_hex, -1,
                                   &owner_sk)), POOL_INVALID_SINGLETON);
  /* payout: garbage, a mainnet address on testnet11, 31 bytes of hex */
  expect_code(do_post(x, post_body(lid, tok(), auth_pk.bytes, "not an address", -1,
                                   &owner_sk)), POOL_INVALID_PAYOUT_INSTRUCTIONS);
  assert_int_equal(bech32m_encode_ph("xch", pool_target, xch, sizeof xch), CP_OK);
  expect_code(do_post(x, post_body(lid, tok(), auth_pk.bytes, xch, -1, &owner_sk)),
              POOL_INVALID_PAYOUT_INSTRUCTIONS);
  expect_code(do_post(x, post_body(lid, tok(), auth_pk.bytes, payout_hex + 2, -1,
                                   &owner_sk)), POOL_INVALID_PAYOUT_INSTRUCTIONS);
  expect_code(do_post(x, post_body(lid, tok(), auth_pk.bytes, "", -1, &owner_sk)),
              POOL_INVALID_PAYOUT_INSTRUCTIONS);
  /* signed by the authentication key, not the owner */
  expect_code(do_post(x, post_body(lid, tok(), auth_pk.bytes, payout_hex, -1, &auth_sk)),
              POOL_INVALID_SIGNATURE);
  /* a signature for other fields (suggested difficulty changed after signing) */
  b = post_body(lid, tok(), auth_pk.bytes, payout_hex, -1, &owner_sk);
  json_object_set_new(json_object_get(b, "payload"), "suggested_difficulty",
                      json_integer(1000));
  expect_code(do_post(x, b), POOL_INVALID_SIGNATURE);
  /* nothing was stored by any of these */
  {
    struct store_farmer rec;
    assert_int_equal(store_farmer_get(x->store, lid, &rec), CP_NOT_FOUND);
  }
  register_ok(x);
  /* known: 11, checked after the token and before everything else */
  expect_code(do_post(x, post_body(lid, tok(), auth_pk.bytes, "bad payout", -1,
                                   &auth_sk)), POOL_FARMER_ALREADY_KNOWN);
  expect_code(do_post(x, post_body(lid, tok() + 6, auth_pk.bytes, payout_hex, -1,
                                   &owner_sk)), POOL_INVALID_AUTHENTICATION_TOKEN);
}

static void test_post_delay_too_short(void **state)
{
  struct fx *x = *state;
  struct chia_pool_state ps;
  uint8_t short_lid[32];

  fc_pool_state(&ps, PLOTNFT_FARMING_TO_POOL, pool_target, &owner_pk, 32);
  fc_launch(&x->fc, 0x12, &ps, 3599, delay_ph, 120);
  memcpy(short_lid, x->fc.id.launcher_id, 32);
  expect_code(do_post(x, post_body(short_lid, tok(), auth_pk.bytes, payout_hex, -1,
                                   &owner_sk)), POOL_DELAY_TIME_TOO_SHORT);
  /* a wrong signature is reported before the delay */
  expect_code(do_post(x, post_body(short_lid, tok(), auth_pk.bytes, payout_hex, -1,
                                   &stranger_sk)), POOL_INVALID_SIGNATURE);
  fc_launch(&x->fc, 0x13, &ps, 3600, delay_ph, 120);
  expect_json(do_post(x, post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, payout_hex,
                                   -1, &owner_sk)),
              "{\"welcome_message\":\"" WELCOME "\"}");
}


static void test_post_difficulty_and_payout_forms(void **state)
{
  struct fx *x = *state;
  struct chia_pool_state ps;
  struct store_farmer rec;
  char addr[100], hex0x[80];
  uint8_t ph[32];

  /* suggested >= min is taken */
  expect_json(do_post(x, post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, payout_hex,
                                   50, &owner_sk)),
              "{\"welcome_message\":\"" WELCOME "\"}");
  stored(x, x->fc.id.launcher_id, &rec);
  assert_int_equal(rec.difficulty, 50);
  store_farmer_release(&rec);

  /* below min: default; and an address, kept verbatim */
  fc_pool_state(&ps, PLOTNFT_FARMING_TO_POOL, pool_target, &owner_pk, 32);
  fc_launch(&x->fc, 0x14, &ps, 604800, delay_ph, 130);
  assert_int_equal(bech32m_encode_ph("txch", other_target, addr, sizeof addr), CP_OK);
  expect_json(do_post(x, post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, addr, 9,
                                   &owner_sk)),
              "{\"welcome_message\":\"" WELCOME "\"}");
  stored(x, x->fc.id.launcher_id, &rec);
  assert_int_equal(rec.difficulty, 20);
  assert_string_equal(rec.payout_instructions, addr);
  assert_int_equal(farmers_payout_puzzle_hash(rec.payout_instructions, net, ph), CP_OK);
  assert_memory_equal(ph, other_target, 32);
  store_farmer_release(&rec);

  /* suggestions off: default; 0x hex kept verbatim */
  x->cfg.accept_suggested_difficulty = 0;
  fc_launch(&x->fc, 0x15, &ps, 604800, delay_ph, 130);
  hex_encode0x(hex0x, other_target, 32);
  hex0x[1] = 'X';
  expect_json(do_post(x, post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, hex0x, 50,
                                   &owner_sk)),
              "{\"welcome_message\":\"" WELCOME "\"}");
  stored(x, x->fc.id.launcher_id, &rec);
  assert_int_equal(rec.difficulty, 20);
  assert_string_equal(rec.payout_instructions, hex0x);
  store_farmer_release(&rec);

  /* the payout parser on its own */
  assert_int_equal(farmers_payout_puzzle_hash(payout_hex, net, ph), CP_OK);
  assert_int_equal(farmers_payout_puzzle_hash("0x", net, ph), CP_INVAL);
  assert_int_equal(farmers_payout_puzzle_hash(NULL, net, ph), CP_INVAL);
}

/* A plot NFT pointing at another pool can register but is not a member. */
static void test_post_nonmember(void **state)
{
  struct fx *x = *state;
  struct chia_pool_state ps;
  struct store_farmer rec;

  fc_pool_state(&ps, PLOTNFT_FARMING_TO_POOL, other_target, &owner_pk, 32);
  fc_launch(&x->fc, 0x16, &ps, 604800, delay_ph, 130);
  expect_json(do_post(x, post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, payout_hex,
                                   -1, &owner_sk)),
              "{\"welcome_message\":\"" WELCOME "\"}");
  stored(x, x->fc.id.launcher_id, &rec);
  assert_int_equal(rec.is_pool_member, 0);
  store_farmer_release(&rec);
}

static void test_post_node_down(void **state)
{
  struct fx *x = *state;
  json_t *b = post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, payout_hex, -1,
                        &owner_sk), *resp = NULL;

  x->fc.fail = CP_RPC_TRANSPORT;
  assert_int_equal(farmers_post(x->f, b, NOW, &resp), CP_RPC_TRANSPORT);
  assert_null(resp);
  json_decref(b);
}

/* ---- GET /farmer ---- */


static void test_get(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  struct query q, bad;
  json_t *resp;
  uint8_t unknown[32];

  register_ok(x);
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 0);
  expect_get(x, &q, &auth_pk, payout_hex, 20);
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 1);
  expect_get(x, &q, &auth_pk, payout_hex, 20);
  /* upper-case hex, token at the edge of the window */
  get_query(&q, "get_farmer", lid, tok() - 5, &auth_sk, 1);
  for (char *p = q.sig + 2; *p; p++)
    if (*p >= 'a' && *p <= 'f')
      *p = (char)(*p - 32);
  expect_get(x, &q, &auth_pk, payout_hex, 20);

  /* parse errors: 8 */
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 0);
  resp = NULL;
  assert_int_equal(farmers_get(x->f, NULL, q.token, q.sig, NOW, &resp), CP_OK);
  expect_code(resp, POOL_SERVER_EXCEPTION);
  assert_int_equal(farmers_get(x->f, q.lid, NULL, q.sig, NOW, &resp), CP_OK);
  expect_code(resp, POOL_SERVER_EXCEPTION);
  assert_int_equal(farmers_get(x->f, q.lid, q.token, NULL, NOW, &resp), CP_OK);
  expect_code(resp, POOL_SERVER_EXCEPTION);
  bad = q;
  bad.lid[63] = 0;
  expect_code(do_get(x, &bad), POOL_SERVER_EXCEPTION);
  bad = q;
  bad.lid[5] = 'g';
  expect_code(do_get(x, &bad), POOL_SERVER_EXCEPTION);
  bad = q;
  snprintf(bad.token, sizeof bad.token, "-%.30s", q.token);
  expect_code(do_get(x, &bad), POOL_SERVER_EXCEPTION);
  snprintf(bad.token, sizeof bad.token, "%.30s ", q.token);
  expect_code(do_get(x, &bad), POOL_SERVER_EXCEPTION);
  snprintf(bad.token, sizeof bad.token, "99999999999999999999999");
  expect_code(do_get(x, &bad), POOL_SERVER_EXCEPTION);
  bad = q;
  bad.sig[10] = 0;
  expect_code(do_get(x, &bad), POOL_SERVER_EXCEPTION);

  /* token 12 -> unknown 10 -> signature 7 */
  get_query(&q, "get_farmer", lid, tok() + 6, &auth_sk, 0);
  expect_code(do_get(x, &q), POOL_INVALID_AUTHENTICATION_TOKEN);
  memset(unknown, 0x42, 32);
  get_query(&q, "get_farmer", unknown, tok(), &auth_sk, 0);
  expect_code(do_get(x, &q), POOL_FARMER_NOT_KNOWN);
  get_query(&q, "get_farmer", lid, tok(), &owner_sk, 0);
  expect_code(do_get(x, &q), POOL_INVALID_SIGNATURE);
  get_query(&q, "get_login", lid, tok(), &auth_sk, 0);
  expect_code(do_get(x, &q), POOL_INVALID_SIGNATURE);
  /* a valid signature for another token */
  get_query(&q, "get_farmer", lid, tok() - 1, &auth_sk, 0);
  snprintf(q.token, sizeof q.token, "%llu", (unsigned long long)tok());
  expect_code(do_get(x, &q), POOL_INVALID_SIGNATURE);
  /* not a G2 point */
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 0);
  memset(q.sig, '1', 192);
  expect_code(do_get(x, &q), POOL_INVALID_SIGNATURE);
}

/* ---- PUT /farmer ---- */

static void test_put_all_keys(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  char addr[100];
  struct query q;

  register_ok(x);
  assert_int_equal(bech32m_encode_ph("txch", other_target, addr, sizeof addr), CP_OK);
  expect_json(do_put(x, put_body(lid, tok(), auth2_pk.bytes, addr, 50, &owner_sk, 0), NOW),
              "{\"authentication_public_key\":true,\"payout_instructions\":true,"
              "\"suggested_difficulty\":true}");
  /* the old authentication key no longer works; the new one does */
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 0);
  expect_code(do_get(x, &q), POOL_INVALID_SIGNATURE);
  get_query(&q, "get_farmer", lid, tok(), &auth2_sk, 1);
  expect_get(x, &q, &auth2_pk, addr, 50);

  /* in the cooldown after a difficulty change */
  expect_code(do_put(x, put_body(lid, tok(), NULL, addr, -1, &owner_sk, 0), NOW + 599),
              POOL_REQUEST_FAILED);
  /* after it: same values are not changes; absent inputs are null */
  expect_json(do_put(x, put_body(lid, token_current(NOW + 600, 5), NULL, addr, -1,
                                 &owner_sk, 0), NOW + 600),
              "{\"authentication_public_key\":null,\"payout_instructions\":false,"
              "\"suggested_difficulty\":null}");
  expect_json(do_put(x, put_body(lid, token_current(NOW + 600, 5), auth2_pk.bytes, NULL, 50,
                                 &owner_sk, 0), NOW + 600),
              "{\"authentication_public_key\":false,\"payout_instructions\":null,"
              "\"suggested_difficulty\":false}");
  /* below the minimum: refused, no cooldown */
  expect_json(do_put(x, put_body(lid, token_current(NOW + 600, 5), NULL, NULL, 9,
                                 &owner_sk, 0), NOW + 600),
              "{\"authentication_public_key\":null,\"payout_instructions\":null,"
              "\"suggested_difficulty\":false}");
  expect_json(do_put(x, put_body(lid, token_current(NOW + 600, 5), NULL, NULL, -1,
                                 &owner_sk, 0), NOW + 600),
              "{\"authentication_public_key\":null,\"payout_instructions\":null,"
              "\"suggested_difficulty\":null}");
}

/* The cooldown lives in the store: a second front end on the same
 * database (or this one after a restart) refuses a PUT during it. */
static void test_put_cooldown_shared(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  struct store_options o = { .backend = STORE_BACKEND_SQLITE, .read_conns = 2 };
  struct farmers_deps d;
  struct farmers *mine = x->f, *other = NULL;
  struct store *s2 = NULL;
  uint64_t until = 0;

  register_ok(x);
  expect_json(do_put(x, put_body(lid, tok(), NULL, NULL, 50, &owner_sk, 0), NOW),
              "{\"authentication_public_key\":null,\"payout_instructions\":null,"
              "\"suggested_difficulty\":true}");
  assert_int_equal(store_cooldown_get(x->store, lid, &until), CP_OK);
  assert_int_equal(until, NOW + 600);

  o.path = x->path;
  assert_int_equal(store_open(&o, &s2), CP_OK);
  memset(&d, 0, sizeof d);
  d.cfg = &x->cfg;
  d.net = consts_get("testnet11");
  d.store = s2;
  d.chain = &x->ch;
  assert_int_equal(farmers_new(&d, &other), CP_OK);
  x->f = other;
  expect_code(do_put(x, put_body(lid, tok(), NULL, NULL, 60, &owner_sk, 0), NOW + 1),
              POOL_REQUEST_FAILED);
  /* over once it ends, wherever the next PUT lands */
  expect_json(do_put(x, put_body(lid, token_current(NOW + 600, 5), NULL, NULL, 60,
                                 &owner_sk, 0), NOW + 600),
              "{\"authentication_public_key\":null,\"payout_instructions\":null,"
              "\"suggested_difficulty\":true}");
  x->f = mine;
  expect_code(do_put(x, put_body(lid, token_current(NOW + 600, 5), NULL, NULL, 70,
                                 &owner_sk, 0), NOW + 601),
              POOL_REQUEST_FAILED);
  farmers_free(other);
  store_close(s2);
}

static void test_put_errors_in_order(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  uint8_t bad_g1[48], unknown[32];
  struct chia_pool_state bad;
  struct query q;
  json_t *b;

  memset(unknown, 0x42, 32);
  /* unknown before registration: 10 */
  expect_code(do_put(x, put_body(lid, tok(), auth2_pk.bytes, NULL, -1, &owner_sk, 0), NOW),
              POOL_FARMER_NOT_KNOWN);
  register_ok(x);
  b = put_body(lid, tok(), auth2_pk.bytes, NULL, -1, &owner_sk, 0);
  json_object_del(b, "payload");
  expect_code(do_put(x, b, NOW), POOL_SERVER_EXCEPTION);
  memset(bad_g1, 0x11, 48);
  expect_code(do_put(x, put_body(lid, tok(), bad_g1, NULL, -1, &owner_sk, 0), NOW),
              POOL_SERVER_EXCEPTION);
  expect_code(do_put(x, put_body(lid, tok() + 6, auth2_pk.bytes, NULL, -1, &owner_sk, 0),
                     NOW), POOL_INVALID_AUTHENTICATION_TOKEN);
  expect_code(do_put(x, put_body(unknown, tok(), auth2_pk.bytes, NULL, -1, &owner_sk, 0),
                     NOW), POOL_FARMER_NOT_KNOWN);
  /* only the owner key may change the authentication key or the payout */
  expect_code(do_put(x, put_body(lid, tok(), auth2_pk.bytes, NULL, -1, &auth_sk, 0), NOW),
              POOL_INVALID_SIGNATURE);
  expect_code(do_put(x, put_body(lid, tok(), NULL, payout_hex, -1, &auth2_sk, 0), NOW),
              POOL_INVALID_SIGNATURE);
  /* a bad payout changes nothing, even the valid key next to it */
  expect_code(do_put(x, put_body(lid, tok(), auth2_pk.bytes, "txch1nope", -1, &owner_sk, 0),
                     NOW), POOL_INVALID_PAYOUT_INSTRUCTIONS);
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 0);
  expect_get(x, &q, &auth_pk, payout_hex, 20);

  /* a singleton that no longer validates: 14 (before the signature) */
  fc_pool_state(&bad, PLOTNFT_LEAVING_POOL, pool_target, &owner_pk, 99);
  fc_step(&x->fc, &bad, 150);
  expect_code(do_put(x, put_body(lid, tok(), auth2_pk.bytes, NULL, -1, &auth_sk, 0), NOW),
              POOL_INVALID_SINGLETON);
}

static void test_put_v2(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;

  register_ok(x);
  /* six fields signed */
  expect_json(do_put(x, put_body(lid, tok(), auth2_pk.bytes, payout_hex, -1, &owner_sk, 1),
                     NOW),
              "{\"authentication_public_key\":true,\"payout_instructions\":false,"
              "\"suggested_difficulty\":null}");
  /* v2 key present, five fields signed */
  expect_json(do_put(x, put_body(lid, tok(), auth_pk.bytes, payout_hex, -1, &owner_sk, 2),
                     NOW),
              "{\"authentication_public_key\":true,\"payout_instructions\":false,"
              "\"suggested_difficulty\":null}");
  /* six fields signed by someone else */
  expect_code(do_put(x, put_body(lid, tok(), auth2_pk.bytes, NULL, -1, &stranger_sk, 1),
                     NOW), POOL_INVALID_SIGNATURE);
}

/* ---- GET /login ---- */

static void test_login(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  struct store_partial p;
  struct query q;
  json_t *resp = NULL, *fr, *rp;
  char *s;

  register_ok(x);
  for (int i = 0; i < 3; i++) {
    memset(&p, 0, sizeof p);
    memcpy(p.launcher_id, lid, 32);
    p.timestamp = NOW - 100 + (uint64_t)i;
    p.difficulty = 20 + (uint64_t)i;
    memset(p.proof_hash, i + 1, 32);
    assert_int_equal(store_partial_add(x->store, &p), CP_OK);
  }
  get_query(&q, "get_login", lid, tok(), &auth_sk, 0);
  assert_int_equal(farmers_login(x->f, q.lid, q.token, q.sig, NOW, &resp), CP_OK);
  assert_non_null(resp);
  rp = json_object_get(resp, "recent_partials");
  s = json_dumps(rp, JSON_COMPACT);
  assert_string_equal(s, "[[1699999902,22],[1699999901,21],[1699999900,20]]");
  free(s);
  fr = json_object_get(resp, "farmer_record");
  assert_int_equal(json_integer_value(json_object_get(fr, "points")), 63);
  assert_int_equal(json_integer_value(json_object_get(fr, "difficulty")), 20);
  assert_int_equal(json_integer_value(json_object_get(fr, "delay_time")), 604800);
  assert_true(json_is_true(json_object_get(fr, "is_pool_member")));
  assert_string_equal(json_string_value(json_object_get(fr, "payout_instructions")),
                      payout_hex);
  assert_true(json_is_object(json_object_get(fr, "singleton_tip")));
  assert_int_equal(json_integer_value(json_object_get(json_object_get(fr,
                   "singleton_tip_state"), "state")), PLOTNFT_FARMING_TO_POOL);
  assert_int_equal(json_object_size(fr), 11);
  assert_int_equal(json_object_size(resp), 2);
  json_decref(resp);
  /* the get_farmer signature does not open the login */
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 0);
  assert_int_equal(farmers_login(x->f, q.lid, q.token, q.sig, NOW, &resp), CP_OK);
  expect_code(resp, POOL_INVALID_SIGNATURE);
  get_query(&q, "get_login", lid, tok() + 6, &auth_sk, 0);
  assert_int_equal(farmers_login(x->f, q.lid, q.token, q.sig, NOW, &resp), CP_OK);
  expect_code(resp, POOL_INVALID_AUTHENTICATION_TOKEN);
}

static void test_metrics(void **state)
{
  struct fx *x = *state;
  struct farmers_deps d;
  struct farmers *f;
  struct buf out;
  const char *txt;
  json_t *resp = NULL, *b;

  memset(&d, 0, sizeof d);
  d.cfg = &x->cfg;
  d.net = net;
  d.store = x->store;
  d.chain = &x->ch;
  d.metrics = metrics_new();
  assert_int_equal(farmers_new(&d, &f), CP_OK);
  b = post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, payout_hex, -1, &owner_sk);
  assert_int_equal(farmers_post(f, b, NOW, &resp), CP_OK);
  json_decref(b);
  expect_json(resp, "{\"welcome_message\":\"" WELCOME "\"}");
  buf_init(&out, 1 << 16);
  assert_int_equal(metrics_render(d.metrics, &out), CP_OK);
  assert_int_equal(buf_cstr(&out, &txt), CP_OK);
  assert_non_null(strstr(txt, "farmers_registered_total 1\n"));
  buf_release(&out);
  farmers_free(f);
  metrics_free(d.metrics);
  /* bad dependencies */
  d.chain = NULL;
  assert_int_equal(farmers_new(&d, &f), CP_INVAL);
  assert_null(f);
}

struct race {
  struct fx *x;
  json_t *body;
  json_t *resp;
  cp_err rc;
};

static void *race_post(void *arg)
{
  struct race *r = arg;
  r->rc = farmers_post(r->x->f, r->body, NOW, &r->resp);
  return NULL;
}

/* Concurrent registrations of one launcher: exactly one wins. */
static void test_post_race(void **state)
{
  struct fx *x = *state;
  struct race r[4];
  pthread_t t[4];
  int welcome = 0, known = 0;

  for (int i = 0; i < 4; i++) {
    r[i].x = x;
    r[i].resp = NULL;
    r[i].body = post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, payout_hex, -1,
                          &owner_sk);
  }
  for (int i = 0; i < 4; i++)
    assert_int_equal(pthread_create(&t[i], NULL, race_post, &r[i]), 0);
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(r[i].rc, CP_OK);
    if (json_object_get(r[i].resp, "welcome_message"))
      welcome++;
    else if (json_integer_value(json_object_get(r[i].resp, "error_code")) ==
             POOL_FARMER_ALREADY_KNOWN)
      known++;
    json_decref(r[i].resp);
    json_decref(r[i].body);
  }
  assert_int_equal(welcome, 1);
  assert_int_equal(known, 3);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_post_happy),
    T(test_post_errors_in_order),
    T(test_post_delay_too_short),
    T(test_post_difficulty_and_payout_forms),
    T(test_post_nonmember),
    T(test_post_node_down),
    T(test_post_race),
    T(test_get),
    T(test_put_all_keys),
    T(test_put_cooldown_shared),
    T(test_put_errors_in_order),
    T(test_put_v2),
    T(test_login),
    T(test_metrics),
  };
#undef T
  return cmocka_run_group_tests(tests, group_setup, NULL);
}
