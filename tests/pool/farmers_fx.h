/* The fixture of the POST/GET/PUT /farmer tests (test_farmers.c) and the
 * refresh tests (test_farmers_refresh.c): a SQLite store, a fake chain with
 * one plot NFT farming to the pool, and request builders. Header-only
 * (static inline) so each test file takes only what it uses. */
#ifndef CP_TEST_FARMERS_FX_H
#define CP_TEST_FARMERS_FX_H

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

static inline int group_setup(void **state)
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

static inline int setup(void **state)
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

static inline int teardown(void **state)
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

static inline uint64_t tok(void)
{
  return token_current(NOW, 5);
}

static inline void sign32(struct bls_sig *sig, const struct bls_sk *sk, const uint8_t msg[32])
{
  bls_sign(sig, sk, msg, 32);
}

static inline json_t *post_body(const uint8_t lid[32], uint64_t token, const uint8_t auth[48],
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
static inline json_t *put_body(const uint8_t lid[32], uint64_t token, const uint8_t *auth,
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

static inline void get_query(struct query *q, const char *method, const uint8_t lid[32],
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

static inline void expect_json(json_t *resp, const char *want)
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

static inline void expect_code(json_t *resp, int code)
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

static inline json_t *do_post(struct fx *x, json_t *body)
{
  json_t *resp = NULL;
  assert_int_equal(farmers_post(x->f, body, NOW, &resp), CP_OK);
  json_decref(body);
  return resp;
}

static inline json_t *do_put(struct fx *x, json_t *body, uint64_t now)
{
  json_t *resp = NULL;
  assert_int_equal(farmers_put(x->f, body, now, &resp), CP_OK);
  json_decref(body);
  return resp;
}

static inline json_t *do_get(struct fx *x, const struct query *q)
{
  json_t *resp = NULL;
  assert_int_equal(farmers_get(x->f, q->lid, q->token, q->sig, NOW, &resp), CP_OK);
  return resp;
}

static inline void register_ok(struct fx *x)
{
  expect_json(do_post(x, post_body(x->fc.id.launcher_id, tok(), auth_pk.bytes, payout_hex,
                                   -1, &owner_sk)),
              "{\"welcome_message\":\"" WELCOME "\"}");
}
static inline void stored(struct fx *x, const uint8_t lid[32], struct store_farmer *rec)
{
  assert_int_equal(store_farmer_get(x->store, lid, rec), CP_OK);
}

static inline void expect_get(struct fx *x, const struct query *q, const struct bls_pk *auth,
                              const char *payout, uint64_t diff)
{
  char want[512], pk[100];
  hex_encode0x(pk, auth->bytes, 48);
  snprintf(want, sizeof want, "{\"authentication_public_key\":\"%s\",\"current_difficulty\""
           ":%llu,\"current_points\":0,\"payout_instructions\":\"%s\"}", pk,
           (unsigned long long)diff, payout);
  expect_json(do_get(x, q), want);
}

#endif
