/* The simulated farmer against a minimal stand-in pool (an HTTP server
 * answering /pool_info, /farmer and /partial and keeping what it gets):
 * its plot NFT passes the sim mempool and reads back as a pool member of
 * the right target; its POST /farmer is signed by the owner key; its
 * partials pass the pool's proof check and aggregate signature check; the
 * misbehaving modes fail exactly those checks. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/types.h"
#include "crypto/bls.h"
#include "http/server.h"
#include "node/rpc.h"
#include "plotnft/puzzles.h"
#include "plotnft/state.h"
#include "pool/proof_check.h"
#include "sim/chain.h"
#include "sim/farmer.h"
#include "util/hex.h"

#define LOCK_HEIGHT 100

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *last_post_farmer;
static json_t *partials; /* array of request bodies */
static const uint8_t target_ph[32] = { 0x7a, 0x7a, 0x7a, 0x01 };

static void h_pool_info(struct http_request *r, void *ud)
{
  json_t *o = json_object();
  (void)ud;
  cjson_set_str(o, "name", "stand-in", 8);
  cjson_set_u64(o, "minimum_difficulty", 1);
  cjson_set_u64(o, "relative_lock_height", LOCK_HEIGHT);
  cjson_set_u64(o, "protocol_version", 1);
  cjson_set_str(o, "fee", "0.01", 4);
  cjson_set_hex(o, "target_puzzle_hash", target_ph, 32);
  cjson_set_u64(o, "authentication_token_timeout", 5);
  http_respond_json(r, 200, o);
  json_decref(o);
}

static void h_post_farmer(struct http_request *r, void *ud)
{
  json_t *j = NULL, *o;
  (void)ud;
  assert_int_equal(http_request_json(r, &j), CP_OK);
  pthread_mutex_lock(&mu);
  json_decref(last_post_farmer);
  last_post_farmer = j;
  pthread_mutex_unlock(&mu);
  o = json_pack("{s:s}", "welcome_message", "hi");
  http_respond_json(r, 200, o);
  json_decref(o);
}

static void h_get_farmer(struct http_request *r, void *ud)
{
  json_t *o = json_object();
  (void)ud;
  /* a stand-in: the fields the farmer reads */
  cjson_set_u64(o, "current_difficulty", 1);
  cjson_set_u64(o, "current_points", 0);
  cjson_set_str(o, "payout_instructions", "", 0);
  http_respond_json(r, 200, o);
  json_decref(o);
}

static void h_partial(struct http_request *r, void *ud)
{
  json_t *j = NULL, *o;
  (void)ud;
  assert_int_equal(http_request_json(r, &j), CP_OK);
  assert_string_equal(http_request_header(r, "User-Agent"), "Chia Blockchain v.2.7.3");
  assert_string_equal(http_request_header(r, "chia-farmer-version"), "2.7.3");
  pthread_mutex_lock(&mu);
  json_array_append_new(partials, j);
  pthread_mutex_unlock(&mu);
  o = json_pack("{s:i}", "new_difficulty", 1);
  http_respond_json(r, 200, o);
  json_decref(o);
}

struct fx {
  struct http_server *http;
  struct sim_chain *chain;
  struct sim_farmer *f;
  const struct chia_consts *net;
};

/* Coin lookups for plotnft_follow, straight from the chain. */
static cp_err fetch(void *ctx, const uint8_t id[32], bool *spent, struct chia_coin_spend *cs)
{
  struct sim_chain *c = ctx;
  struct sim_coin_record r;
  uint32_t h;
  cp_err rc = sim_chain_coin(c, id, &r);

  if (rc)
    return rc;
  *spent = r.spent_height != 0;
  return *spent ? sim_chain_coin_spend(c, id, cs, &h) : CP_OK;
}

static int setup(void **state)
{
  static const struct http_route routes[] = {
    { "GET", "/pool_info", h_pool_info, NULL, 0, 0 },
    { "POST", "/farmer", h_post_farmer, NULL, 0, 0 },
    { "GET", "/farmer", h_get_farmer, NULL, 0, 0 },
    { "POST", "/partial", h_partial, NULL, 0, 0 },
  };
  struct fx *fx = calloc(1, sizeof *fx);
  struct http_config hc;
  struct sim_chain_config cc;
  struct sim_farmer_config fc;
  char url[64];

  if (!fx || plotnft_init())
    return 1;
  partials = json_array();
  http_config_init(&hc);
  hc.bind_addr = "127.0.0.1";
  if (http_server_new(&hc, routes, 4, &fx->http))
    return 1;
  snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)http_server_port(fx->http));
  sim_chain_config_init(&cc);
  cc.seed = 11;
  if (sim_chain_new(&cc, &fx->chain))
    return 1;
  fx->net = sim_chain_net(fx->chain);
  sim_farmer_config_init(&fc);
  fc.chain = fx->chain;
  fc.name = "f0";
  memset(fc.seed, 0x42, sizeof fc.seed);
  fc.n_plots = 2;
  fc.pool_url = url;
  fc.test_mode = true;
  if (sim_farmer_new(&fc, &fx->f))
    return 1;
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fx *fx = *state;

  sim_farmer_free(fx->f);
  sim_chain_free(fx->chain);
  http_server_free(fx->http);
  json_decref(last_post_farmer);
  json_decref(partials);
  free(fx);
  node_global_cleanup();
  return 0;
}

static void test_plotnft_and_join(void **state)
{
  struct fx *fx = *state;
  struct plotnft_tip tip;
  struct chia_post_farmer_request req;
  struct bls_pk owner;
  struct bls_sig sig;
  const char *why = NULL;
  uint8_t m[32];
  char hex[65];
  enum pool_code code;

  assert_int_equal(sim_farmer_fetch_pool_info(fx->f), CP_OK);
  assert_int_equal(sim_farmer_create_plotnft(fx->f, &why), CP_OK);
  assert_int_equal(sim_chain_farm_block(fx->chain, target_ph, target_ph, NULL), CP_OK);

  assert_int_equal(plotnft_follow(sim_farmer_launcher_id(fx->f), fx->net->genesis_challenge,
                                  fetch, fx->chain, 0, &tip),
                   CP_OK);
  assert_int_equal(tip.spends, 0); /* the eve singleton is the tip */
  assert_int_equal(tip.kind, PLOTNFT_INNER_MEMBER);
  assert_int_equal(tip.state.state, PLOTNFT_FARMING_TO_POOL);
  assert_int_equal(tip.state.version, 1);
  assert_memory_equal(tip.state.target_puzzle_hash, target_ph, 32);
  assert_int_equal(tip.state.relative_lock_height, LOCK_HEIGHT);
  assert_true(tip.state.has_pool_url);
  assert_int_equal(tip.launch.id.delay_time, 604800);
  assert_memory_equal(tip.launch.id.delay_ph, sim_farmer_wallet_ph(fx->f), 32);
  assert_memory_equal(tip.p2_ph, sim_farmer_p2_ph(fx->f), 32);
  assert_int_equal(tip.coin.amount, 1);

  assert_int_equal(sim_farmer_make_plots(fx->f), CP_OK);
  assert_int_equal(sim_farmer_join(fx->f, &code), CP_OK);
  assert_int_equal(code, POOL_OK);
  /* POST /farmer: signed by the owner key the chain's PoolState names */
  assert_non_null(last_post_farmer);
  assert_int_equal(chia_post_farmer_request_from_json(last_post_farmer, &req), CP_OK);
  assert_memory_equal(req.payload.launcher_id, sim_farmer_launcher_id(fx->f), 32);
  hex_encode(hex, sim_farmer_wallet_ph(fx->f), 32);
  assert_string_equal(req.payload.payout_instructions, hex);
  assert_false(req.payload.has_suggested_difficulty);
  assert_int_equal(chia_post_farmer_payload_hash(&req.payload, m), CP_OK);
  assert_int_equal(bls_pk_decode(&owner, tip.state.owner_pubkey, 48), CP_OK);
  assert_int_equal(bls_sig_decode(&sig, req.signature, 96), CP_OK);
  assert_int_equal(bls_verify(&owner, m, 32, &sig), CP_OK);
}

/* The pool's two checks on a partial; returns the proof check's code and
 * sets *sig_ok. */
static enum pool_code pool_checks(struct fx *fx, const struct chia_partial_request *req,
                                  const struct sim_sp *sp, int *sig_ok)
{
  struct chia_post_farmer_request reg;
  struct proof_result res;
  struct bls_pk plot_pk, auth_pk;
  struct bls_sig sig;
  struct bls_pair pairs[2];
  struct sim_chain_state cs;
  uint8_t m[32];

  assert_int_equal(chia_post_farmer_request_from_json(last_post_farmer, &reg), CP_OK);
  assert_int_equal(chia_partial_payload_hash(&req->payload, m), CP_OK);
  assert_int_equal(bls_pk_decode(&plot_pk, req->payload.proof_of_space.plot_public_key, 48),
                   CP_OK);
  assert_int_equal(bls_pk_decode(&auth_pk, reg.payload.authentication_public_key, 48), CP_OK);
  assert_int_equal(bls_sig_decode(&sig, req->aggregate_signature, 96), CP_OK);
  pairs[0] = (struct bls_pair){ &plot_pk, m, 32 };
  pairs[1] = (struct bls_pair){ &auth_pk, m, 32 };
  *sig_ok = bls_aggregate_verify(pairs, 2, &sig) == CP_OK;
  assert_memory_equal(req->payload.proof_of_space.pool_contract_puzzle_hash,
                      sim_farmer_p2_ph(fx->f), 32);
  sim_chain_state(fx->chain, &cs);
  return proof_check(fx->net, fx->net->pool_sub_slot_iters * POOL_TEST_MODE_ITERS_FACTOR,
                     &req->payload.proof_of_space, sp->challenge_hash, sp->sp_hash,
                     cs.peak.height, 1, &res);
}

static void test_partial_verifies(void **state)
{
  struct fx *fx = *state;
  unsigned checked = 0;

  for (unsigned i = 0; i < 400 && checked < 2; i++) {
    struct chia_partial_request req;
    struct sim_sp sp;
    bool found;
    int sig_ok;

    sim_chain_advance(fx->chain, 1);
    sim_chain_current_sp(fx->chain, &sp);
    for (unsigned p = 0; p < 2; p++) {
      assert_int_equal(sim_farmer_partial_for(fx->f, p, &sp, &req, &found), CP_OK);
      if (!found)
        continue;
      assert_int_equal(req.payload.end_of_sub_slot, sp.index == 0);
      if (pool_checks(fx, &req, &sp, &sig_ok) != POOL_OK)
        continue; /* filter or iterations: another signage point */
      assert_true(sig_ok);
      checked++;
    }
  }
  assert_int_equal(checked, 2);
}

/* Partials sent over HTTP by on_sp, checked like the pool does. */
static void run_mode(struct fx *fx, enum sim_farmer_mode mode, enum pool_code want_code,
                     int want_sig)
{
  size_t before;
  unsigned got = 0;

  sim_farmer_set_mode(fx->f, mode);
  for (unsigned i = 0; i < 400 && !got; i++) {
    struct sim_sp sp;
    sim_chain_advance(fx->chain, 1);
    sim_chain_current_sp(fx->chain, &sp);
    pthread_mutex_lock(&mu);
    before = json_array_size(partials);
    pthread_mutex_unlock(&mu);
    sim_farmer_on_sp(fx->f, &sp);
    pthread_mutex_lock(&mu);
    for (size_t k = before; k < json_array_size(partials); k++) {
      struct chia_partial_request req;
      int sig_ok;
      assert_int_equal(chia_partial_request_from_json(json_array_get(partials, k), &req),
                       CP_OK);
      assert_int_equal(pool_checks(fx, &req, &sp, &sig_ok), want_code);
      assert_int_equal(sig_ok, want_sig);
      got++;
    }
    pthread_mutex_unlock(&mu);
  }
  assert_true(got > 0);
}

static void test_modes_over_http(void **state)
{
  struct fx *fx = *state;
  struct sim_farmer_stats st;

  run_mode(fx, SIM_FARMER_HONEST, POOL_OK, 1);
  run_mode(fx, SIM_FARMER_FORGED, POOL_INVALID_PROOF, 1);
  run_mode(fx, SIM_FARMER_WRONG_KEY, POOL_OK, 0);
  sim_farmer_stats(fx->f, &st);
  assert_true(st.accepted >= 3);
  assert_int_equal(st.accepted, st.partials_sent);
  assert_int_equal(st.difficulty, 1);
}

/* Leaving: the member singleton travels to the waiting room with
 * LEAVING_POOL, accepted by the mempool, and reads back that way. */
static void test_leave(void **state)
{
  struct fx *fx = *state;
  struct plotnft_tip tip;
  const char *why = NULL;

  assert_int_equal(sim_farmer_leave(fx->f, &why), CP_OK);
  assert_int_equal(sim_chain_farm_block(fx->chain, target_ph, target_ph, NULL), CP_OK);
  assert_int_equal(plotnft_follow(sim_farmer_launcher_id(fx->f), fx->net->genesis_challenge,
                                  fetch, fx->chain, 0, &tip),
                   CP_OK);
  assert_int_equal(tip.spends, 1);
  assert_int_equal(tip.kind, PLOTNFT_INNER_WAITINGROOM);
  assert_int_equal(tip.state.state, PLOTNFT_LEAVING_POOL);
  assert_memory_equal(tip.state.target_puzzle_hash, target_ph, 32);
  assert_memory_equal(tip.p2_ph, sim_farmer_p2_ph(fx->f), 32);
  /* a second leave is refused: the singleton is no longer a member */
  assert_int_equal(sim_farmer_leave(fx->f, &why), CP_INVAL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plotnft_and_join),
    cmocka_unit_test(test_partial_verifies),
    cmocka_unit_test(test_modes_over_http),
    cmocka_unit_test(test_leave),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
