#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chia/bech32m.h"
#include "chia/constants.h"
#include "crypto/sha256.h"
#include "pool/farmers.h"
#include "pool/protocol.h"
#include "pool/singleton.h"
#include "pool/token.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/workq.h"

#include "plotnft_chain.h"

#define NOW 1700000000ull
#define WELCOME "Welcome to the test pool"

static const struct chia_consts *net;
static uint8_t pool_target[32], other_target[32], delay_ph[32];
static struct bls_sk owner_sk, auth_sk, auth2_sk, stranger_sk;
static struct bls_pk owner_pk, auth_pk, auth2_pk, stranger_pk;
static char payout_hex[65];

struct fx {
  char dir[64];
  char path[96];
  struct store *store;
  struct pool_config cfg;
  struct fake_chain fc;
  struct chain ch;
  struct farmers *f;
};

static int group_setup(void **state)
{
  (void)state;
  log_set_level(LOG_ERROR);
  net = consts_get("testnet11");
  memset(pool_target, 0xaa, 32);
  memset(other_target, 0xbb, 32);
  memset(delay_ph, 0xdd, 32);
  fc_key(7, &owner_sk, &owner_pk);
  fc_key(8, &auth_sk, &auth_pk);
  fc_key(9, &auth2_sk, &auth2_pk);
  fc_key(10, &stranger_sk, &stranger_pk);
  memset(payout_hex, 'e', 64);
  payout_hex[64] = 0;
  return net == NULL || plotnft_init() != CP_OK;
}

static int setup(void **state)
{
  struct fx *x = calloc(1, sizeof *x);
  struct store_options o = { .backend = STORE_BACKEND_SQLITE, .read_conns = 2 };
  struct farmers_deps d;
  struct chia_pool_state ps;

  assert_non_null(x);
  snprintf(x->dir, sizeof x->dir, "/tmp/cp_farmers_XXXXXX");
  assert_non_null(mkdtemp(x->dir));
  snprintf(x->path, sizeof x->path, "%s/pool.db", x->dir);
  o.path = x->path;
  assert_int_equal(store_open(&o, &x->store), CP_OK);
  config_defaults(&x->cfg);
  memcpy(x->cfg.network, "testnet11", 10);
  memcpy(x->cfg.default_target_puzzle_hash, pool_target, 32);
  x->cfg.have_default_target = 1;
  x->cfg.min_difficulty = 10;
  x->cfg.default_difficulty = 20;
  x->cfg.max_difficulty = 0;
  x->cfg.accept_suggested_difficulty = 1;
  x->cfg.relative_lock_height = 32;
  x->cfg.confirmation_security_threshold = 32;
  x->cfg.farmer_update_cooldown = 600;
  x->cfg.authentication_token_timeout = 5;
  snprintf(x->cfg.welcome_message, sizeof x->cfg.welcome_message, "%s", WELCOME);

  fc_init(&x->fc, &x->ch, net->genesis_challenge);
  fc_pool_state(&ps, PLOTNFT_FARMING_TO_POOL, pool_target, &owner_pk, 32);
  fc_launch(&x->fc, 0x11, &ps, 604800, delay_ph, 100);
  x->fc.peak = 200;

  memset(&d, 0, sizeof d);
  d.cfg = &x->cfg;
  d.net = net;
  d.store = x->store;
  d.chain = &x->ch;
  assert_int_equal(farmers_new(&d, &x->f), CP_OK);
  *state = x;
  return 0;
}

static int teardown(void **state)
{
  struct fx *x = *state;
  char p[128];

  farmers_free(x->f);
  store_close(x->store);
  fc_free(&x->fc);
  unlink(x->path);
  snprintf(p, sizeof p, "%s-wal", x->path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", x->path);
  unlink(p);
  rmdir(x->dir);
  free(x);
  return 0;
}

/* ---- request builders ---- */

static uint64_t tok(void)
{
  return token_current(NOW, 5);
}

static void sign32(struct bls_sig *sig, const struct bls_sk *sk, const uint8_t msg[32])
{
  bls_sign(sig, sk, msg, 32);
}

static json_t *post_body(const uint8_t lid[32], uint64_t token, const uint8_t auth[48],
                         const char *payout, int64_t suggested, const struct bls_sk *signer)
{
  struct chia_post_farmer_request r;
  struct bls_sig sig;
  uint8_t msg[32];
  json_t *j = NULL;

  memset(&r, 0, sizeof r);
  memcpy(r.payload.launcher_id, lid, 32);
  r.payload.authentication_token = token;
  memcpy(r.payload.authentication_public_key, auth, 48);
  snprintf(r.payload.payout_instructions, sizeof r.payload.payout_instructions, "%s",
           payout);
  if (suggested >= 0) {
    r.payload.has_suggested_difficulty = true;
    r.payload.suggested_difficulty = (uint64_t)suggested;
  }
  assert_int_equal(chia_post_farmer_payload_hash(&r.payload, msg), CP_OK);
  sign32(&sig, signer, msg);
  memcpy(r.signature, sig.bytes, 96);
  assert_int_equal(chia_post_farmer_request_to_json(&r, &j), CP_OK);
  return j;
}

/* v2: 0 = five-field payload, 1 = six fields signed, 2 = six fields sent
 * but five signed */
static json_t *put_body(const uint8_t lid[32], uint64_t token, const uint8_t *auth,
                        const char *payout, int64_t suggested, const struct bls_sk *signer,
                        int v2)
{
  struct chia_put_farmer_request r;
  struct bls_sig sig;
  uint8_t msg[32];
  json_t *j = NULL;

  memset(&r, 0, sizeof r);
  memcpy(r.payload.launcher_id, lid, 32);
  r.payload.authentication_token = token;
  if (auth) {
    r.payload.has_authentication_public_key = true;
    memcpy(r.payload.authentication_public_key, auth, 48);
  }
  if (payout) {
    r.payload.has_payout_instructions = true;
    snprintf(r.payload.payout_instructions, sizeof r.payload.payout_instructions, "%s",
             payout);
  }
  if (suggested >= 0) {
    r.payload.has_suggested_difficulty = true;
    r.payload.suggested_difficulty = (uint64_t)suggested;
  }
  snprintf(r.payload.authentication_token_v2, sizeof r.payload.authentication_token_v2,
           "%llu", (unsigned long long)token);
  if (v2 == 1)
    assert_int_equal(chia_put_farmer_payload_v2_hash(&r.payload, msg), CP_OK);
  else
    assert_int_equal(chia_put_farmer_payload_hash(&r.payload, msg), CP_OK);
  sign32(&sig, signer, msg);
  memcpy(r.signature, sig.bytes, 96);
  if (v2)
    assert_int_equal(chia_put_farmer_request_v2_to_json(&r, &j), CP_OK);
  else
    assert_int_equal(chia_put_farmer_request_to_json(&r, &j), CP_OK);
  return j;
}

/* GET /farmer or /login query values: lid and signature as hex (0x if
 * with0x), the signature by `signer` over method's AuthenticationPayload. */
struct query {
  char lid[80];
  char token[48];
  char sig[200];
};

static void get_query(struct query *q, const char *method, const uint8_t lid[32],
                      uint64_t token, const struct bls_sk *signer, int with0x)
{
  struct chia_auth_payload ap;
  struct bls_sig sig;
  uint8_t msg[32];

  memset(&ap, 0, sizeof ap);
  snprintf(ap.method_name, sizeof ap.method_name, "%s", method);
  memcpy(ap.launcher_id, lid, 32);
  memcpy(ap.target_puzzle_hash, pool_target, 32);
  ap.authentication_token = token;
  assert_int_equal(chia_auth_payload_hash(&ap, msg), CP_OK);
  sign32(&sig, signer, msg);
  if (with0x) {
    hex_encode0x(q->lid, lid, 32);
    hex_encode0x(q->sig, sig.bytes, 96);
  } else {
    hex_encode(q->lid, lid, 32);
    hex_encode(q->sig, sig.bytes, 96);
  }
  snprintf(q->token, sizeof q->token, "%llu", (unsigned long long)token);
}

/* ---- response checks ---- */

static void expect_json(json_t *resp, const char *want)
{
  char *got;
  assert_non_null(resp);
  got = json_dumps(resp, JSON_COMPACT | JSON_SORT_KEYS);
  assert_non_null(got);
  if (strcmp(got, want))
    fail_msg("got  %s\nwant %s", got, want);
  free(got);
  json_decref(resp);
}

static void expect_code(json_t *resp, int code)
{
  json_t *c;
  assert_non_null(resp);
  c = json_object_get(resp, "error_code");
  if (!json_is_integer(c) || json_integer_value(c) != code) {
    char *s = json_dumps(resp, JSON_COMPACT);
    fail_msg("want error %d, got %s", code, s);
  }
  assert_true(json_is_string(json_object_get(resp, "error_message")));
  assert_int_equal(json_object_size(resp), 2);
  json_decref(resp);
}

static json_t *do_post(struct fx *x, json_t *body)
{
  json_t *resp = NULL;
  assert_int_equal(farmers_post(x->f, body, NOW, &resp), CP_OK);
  json_decref(body);
  return resp;
}

static json_t *do_put(struct fx *x, json_t *body, uint64_t now)
{
  json_t *resp = NULL;
  assert_int_equal(farmers_put(x->f, body, now, &resp), CP_OK);
  json_decref(body);
  return resp;
}

static json_t *do_get(struct fx *x, const struct query *q)
{
  json_t *resp = NULL;
  assert_int_equal(farmers_get(x->f, q->lid, q->token, q->sig, NOW, &resp), CP_OK);
  return resp;
}

static void register_ok(struct fx *x)
{
  expect_json(do_post(x, post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, payout_hex,
                                   -1, &owner_sk)),
              "{\"welcome_message\":\"" WELCOME "\"}");
}

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

static void stored(struct fx *x, const uint8_t lid[32], struct store_farmer *rec)
{
  assert_int_equal(store_farmer_get(x->store, lid, rec), CP_OK);
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

static void expect_get(struct fx *x, const struct query *q, const struct bls_pk *auth,
                       const char *payout, uint64_t diff)
{
  char want[512], pk[100];
  hex_encode0x(pk, auth->bytes, 48);
  snprintf(want, sizeof want, "{\"authentication_public_key\":\"%s\",\"current_difficulty\""
           ":%llu,\"current_points\":0,\"payout_instructions\":\"%s\"}", pk,
           (unsigned long long)diff, payout);
  expect_json(do_get(x, q), want);
}

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

/* ---- refresh ---- */

static void test_refresh_leave_and_return(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  struct chia_pool_state leaving, back;
  struct store_farmer rec;
  struct query q;
  size_t changed = 99;

  register_ok(x);
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 0);
  /* an absorb deep enough becomes the stored tip */
  fc_step(&x->fc, NULL, 150);
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1);
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 0);

  /* leaving at 210: bound to the pool until 242 */
  fc_pool_state(&leaving, PLOTNFT_LEAVING_POOL, pool_target, &owner_pk, 32);
  fc_step(&x->fc, &leaving, 210);
  x->fc.peak = 230;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 0);
  x->fc.peak = 242;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1); /* the leaving spend is buried now */
  stored(x, lid, &rec);
  assert_int_equal(rec.is_pool_member, 1);
  store_farmer_release(&rec);
  x->fc.peak = 243;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1);
  stored(x, lid, &rec);
  assert_int_equal(rec.is_pool_member, 0);
  store_farmer_release(&rec);
  /* non-members are not walked by the refresher */
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 0);

  /* back to this pool: the farmer's own GET notices */
  fc_pool_state(&back, PLOTNFT_FARMING_TO_POOL, pool_target, &owner_pk, 32);
  fc_step(&x->fc, &back, 250);
  x->fc.peak = 300;
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 0);
  expect_get(x, &q, &auth_pk, payout_hex, 20);
  stored(x, lid, &rec);
  assert_int_equal(rec.is_pool_member, 1);
  store_farmer_release(&rec);

  /* node down: the refresh reports it */
  x->fc.fail = CP_TIMEOUT;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_TIMEOUT);
  x->fc.fail = CP_OK;
}

/* Through the worker pool (bounded in flight): every member is followed
 * once, the counts add up, and a member whose stored tip does not parse
 * (invalid lineage) stops being one while the valid one stays. */
static void test_refresh_concurrent(void **state)
{
  struct fx *x = *state;
  struct workq_options wo = { .threads = 3, .max_queued = 64 };
  struct farmers_deps d;
  struct farmers *conc = NULL;
  struct workq *q = NULL;
  struct store_farmer rec;
  static uint8_t junk[] = { 0xff, 0x00, 0x13 };
  size_t changed = 99;

  register_ok(x);
  for (uint32_t i = 0; i < 20; i++) {
    memset(&rec, 0, sizeof rec);
    memset(rec.launcher_id, 0x60, 32);
    rec.launcher_id[0] = (uint8_t)i;
    memset(rec.p2_singleton_puzzle_hash, 0x61, 32);
    rec.p2_singleton_puzzle_hash[0] = (uint8_t)i;
    rec.singleton_tip = junk;
    rec.singleton_tip_len = sizeof junk;
    rec.singleton_tip_state = junk;
    rec.singleton_tip_state_len = sizeof junk;
    rec.difficulty = 20;
    rec.is_pool_member = 1;
    assert_int_equal(store_farmer_add(x->store, &rec), CP_OK);
  }
  assert_int_equal(workq_new(&wo, &q), CP_OK);
  memset(&d, 0, sizeof d);
  d.cfg = &x->cfg;
  d.net = consts_get("testnet11");
  d.store = x->store;
  d.chain = &x->ch;
  d.workq = q;
  assert_int_equal(farmers_new(&d, &conc), CP_OK);
  assert_int_equal(farmers_refresh(conc, &changed), CP_OK);
  assert_int_equal(changed, 20);
  stored(x, x->fc.id.launcher_id, &rec);
  assert_int_equal(rec.is_pool_member, 1);
  store_farmer_release(&rec);
  {
    struct store_farmer_list l;
    assert_int_equal(store_farmer_list_members(x->store, &l), CP_OK);
    assert_int_equal(l.n, 1);
    store_farmer_list_release(&l);
  }
  assert_int_equal(farmers_refresh(conc, &changed), CP_OK);
  assert_int_equal(changed, 0);
  farmers_free(conc);
  workq_free(q);
}

/* Self pooling and switching pools end membership at once. */
static void test_refresh_other_pool(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  struct chia_pool_state leaving, other;
  struct store_farmer rec;
  size_t changed;

  register_ok(x);
  fc_pool_state(&leaving, PLOTNFT_LEAVING_POOL, pool_target, &owner_pk, 32);
  fc_step(&x->fc, &leaving, 150);
  fc_pool_state(&other, PLOTNFT_FARMING_TO_POOL, other_target, &owner_pk, 32);
  fc_step(&x->fc, &other, 190);
  x->fc.peak = 195;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1);
  stored(x, lid, &rec);
  assert_int_equal(rec.is_pool_member, 0);
  store_farmer_release(&rec);
}

/* The stored tip vanished from the chain (deep reorg, wrong node): the
 * farmer can no longer be validated and stops being a member. */
static void test_refresh_tip_gone(void **state)
{
  struct fx *x = *state;
  struct store_farmer rec;
  size_t changed;

  register_ok(x);
  x->fc.coins[0].id[0] ^= 1; /* the launcher coin the stored tip spends */
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1);
  stored(x, x->fc.id.launcher_id, &rec);
  assert_int_equal(rec.is_pool_member, 0);
  store_farmer_release(&rec);
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

static void test_refresher_thread(void **state)
{
  struct fx *x = *state;

  assert_int_equal(farmers_start_refresher(x->f, 0), CP_INVAL);
  assert_int_equal(farmers_start_refresher(x->f, 3600), CP_OK);
  assert_int_equal(farmers_start_refresher(x->f, 3600), CP_INVAL);
  /* teardown's farmers_free stops and joins it without waiting an hour */
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
    T(test_refresh_leave_and_return),
    T(test_refresh_other_pool),
    T(test_refresh_concurrent),
    T(test_refresh_tip_gone),
    T(test_metrics),
    T(test_refresher_thread),
  };
#undef T
  return cmocka_run_group_tests(tests, group_setup, NULL);
}
