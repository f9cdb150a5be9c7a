/* The absorb fee end to end on the simulator: a farmer's real plot NFT wins
 * a block, the pool's rewards engine (pool/rewards.h) finds the reward
 * through the simulated full node's RPC, asks the simulated wallet over its
 * RPC for the fee spend (create_signed_transaction), pushes absorb + fee
 * as one bundle, and the next block lands it: the target gets the whole
 * reward, the wallet pays exactly the fee, the ledger records it and the
 * payout funds are the reward minus the fee, to the mojo. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chia/cjson.h"
#include "chia/coin.h"
#include "http/server.h"
#include "node/rpc.h"
#include "node/wallet.h"
#include "plotnft/puzzles.h"
#include "pool/payouts.h"
#include "pool/rewards.h"
#include "sim/certs.h"
#include "sim/chain.h"
#include "sim/farmer.h"
#include "sim/node.h"
#include "sim/wallet.h"
#include "store/store.h"
#include "testtls.h"
#include "util/log.h"

#define WALLET_FUNDS 5000000000ull
#define CLAIM_FEE 250000ull

static uint8_t target_ph[32]; /* the pool wallet's first address */

static void h_pool_info(struct http_request *r, void *ud)
{
  json_t *o = json_object();
  (void)ud;
  cjson_set_str(o, "name", "fee pool", 8);
  cjson_set_u64(o, "minimum_difficulty", 1);
  cjson_set_u64(o, "relative_lock_height", 100);
  cjson_set_u64(o, "protocol_version", 1);
  cjson_set_str(o, "fee", "0.01", 4);
  cjson_set_hex(o, "target_puzzle_hash", target_ph, 32);
  cjson_set_u64(o, "authentication_token_timeout", 5);
  http_respond_json(r, 200, o);
  json_decref(o);
}

static struct node_client *client(const char *root, enum node_service svc, uint16_t port)
{
  struct node_config nc;
  struct node_client *c;
  node_config_init(&nc);
  assert_int_equal(node_config_chia_root(&nc, root, svc), CP_OK);
  snprintf(nc.host, sizeof nc.host, "127.0.0.1");
  nc.port = port;
  nc.retries = 0;
  assert_int_equal(node_new(&nc, &c), CP_OK);
  return c;
}

static void test_absorb_with_fee(void **state)
{
  static const struct http_route routes[] = {
    { "GET", "/pool_info", h_pool_info, NULL, 0, 0 },
  };
  struct testtls dir;
  struct http_server *http;
  struct http_config hc;
  struct sim_node_config sc;
  struct sim_node *node;
  struct sim_chain *chain;
  struct sim_wallet_config wc;
  struct sim_wallet *w;
  struct sim_farmer_config fc;
  struct sim_farmer *f;
  struct sim_wallet_balance before, after;
  struct node_client *nodec, *walletc;
  struct store_options so = { .backend = STORE_BACKEND_SQLITE };
  struct store *s;
  struct store_farmer sf = { 0 };
  struct store_reward sr;
  struct pool_config cfg;
  struct rewards_options ro;
  struct rewards_node_fee nf;
  struct rewards *rw;
  struct rewards_report rep;
  struct sim_coin_record *recs = NULL;
  uint8_t farmer_ph[32], rid[32];
  char url[64], db[300];
  const char *why = NULL;
  size_t n = 0;
  uint64_t reward, funds = 0;
  uint32_t h = 0;
  (void)state;

  log_set_level(LOG_OFF);
  snprintf(dir.root, sizeof dir.root, "/tmp/cp_absorbfee_XXXXXX");
  assert_non_null(mkdtemp(dir.root));
  assert_int_equal(sim_certs_ensure(dir.root), CP_OK);
  sim_node_config_init(&sc);
  sc.data_dir = dir.root;
  sc.seed = 9;
  assert_int_equal(sim_node_new(&sc, &node), CP_OK);
  chain = sim_node_chain(node);
  sim_wallet_config_init(&wc);
  wc.chain = chain;
  memset(wc.seed, 0x6b, sizeof wc.seed);
  wc.chia_root = dir.root;
  assert_int_equal(sim_wallet_new(&wc, &w), CP_OK);
  sim_wallet_puzzle_hash(w, 0, target_ph);
  assert_int_equal(sim_chain_give(chain, target_ph, WALLET_FUNDS, NULL), CP_OK);

  /* a farmer launches a plot NFT that pays the pool's target */
  http_config_init(&hc);
  hc.bind_addr = "127.0.0.1";
  assert_int_equal(http_server_new(&hc, routes, 1, &http), CP_OK);
  snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)http_server_port(http));
  sim_farmer_config_init(&fc);
  fc.chain = chain;
  fc.name = "f0";
  memset(fc.seed, 0x43, sizeof fc.seed);
  fc.pool_url = url;
  fc.test_mode = true;
  assert_int_equal(sim_farmer_new(&fc, &f), CP_OK);
  assert_int_equal(sim_farmer_fetch_pool_info(f), CP_OK);
  assert_int_equal(sim_farmer_create_plotnft(f, &why), CP_OK);
  memset(farmer_ph, 0xfa, 32);
  assert_int_equal(sim_chain_farm_block(chain, farmer_ph, farmer_ph, NULL), CP_OK);
  /* ... and wins a block: the pool reward goes to its p2_singleton */
  assert_int_equal(sim_chain_farm_block(chain, farmer_ph, sim_farmer_p2_ph(f), &h), CP_OK);
  reward = coin_pool_reward(h);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(chain,
                                                    (const uint8_t(*)[32])sim_farmer_p2_ph(f),
                                                    1, false, 0, 0, &recs, &n),
                   CP_OK);
  assert_int_equal(n, 1);
  assert_true(recs[0].coin.amount == reward);
  memcpy(rid, recs[0].id, 32);
  free(recs);

  /* the pool: store with the farmer as a member, the rewards engine on
   * the node's RPC, the fee paid by the wallet's RPC */
  snprintf(db, sizeof db, "%s/pool.db", dir.root);
  so.path = db;
  assert_int_equal(store_open(&so, &s), CP_OK);
  memcpy(sf.launcher_id, sim_farmer_launcher_id(f), 32);
  memcpy(sf.p2_singleton_puzzle_hash, sim_farmer_p2_ph(f), 32);
  sf.difficulty = 1;
  sf.is_pool_member = 1;
  assert_int_equal(store_farmer_add(s, &sf), CP_OK);
  nodec = client(dir.root, NODE_SERVICE_FULL_NODE, sim_node_port(node));
  walletc = client(dir.root, NODE_SERVICE_WALLET, sim_wallet_port(w));
  config_defaults(&cfg);
  cfg.scan_start_height = 0;
  cfg.confirmation_security_threshold = 0;
  cfg.block_claim_fee = CLAIM_FEE;
  memcpy(cfg.default_target_puzzle_hash, target_ph, 32);
  cfg.have_default_target = 1;
  memset(&ro, 0, sizeof ro);
  ro.cfg = &cfg;
  ro.store = s;
  chain_from_node(&ro.chain, nodec);
  memcpy(ro.genesis_challenge, sim_chain_net(chain)->genesis_challenge, 32);
  nf.wallet = walletc;
  nf.wallet_id = 1;
  memcpy(nf.target_ph, target_ph, 32);
  rewards_fee_source_from_node(&ro.fee, &nf);
  assert_int_equal(rewards_new(&ro, &rw), CP_OK);

  sim_wallet_balance(w, &before);
  assert_true(before.confirmed == WALLET_FUNDS);
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_run_once(rw, &rep), CP_OK);
  assert_int_equal(rep.found, 1);
  assert_int_equal(rep.pushed, 1);
  assert_int_equal(rep.refused, 0);
  assert_int_equal(rep.fee_failed, 0);
  assert_true(rep.claim_fees == CLAIM_FEE);
  assert_int_equal(store_reward_get(s, rid, &sr), CP_OK);
  assert_int_equal(sr.state, STORE_REWARD_ABSORBING);
  assert_true(sr.claim_fee == CLAIM_FEE);

  /* the next block lands absorb and fee together */
  assert_int_equal(sim_chain_farm_block(chain, farmer_ph, farmer_ph, NULL), CP_OK);
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_run_once(rw, &rep), CP_OK);
  assert_int_equal(rep.absorbed, 1);
  assert_int_equal(store_reward_get(s, rid, &sr), CP_OK);
  assert_int_equal(sr.state, STORE_REWARD_ABSORBED);
  assert_true(sr.claim_fee == CLAIM_FEE);
  /* the whole reward reached the target (the wallet's address); the
   * wallet's own spend moved 1 mojo to it and paid the fee */
  sim_wallet_balance(w, &after);
  assert_true(after.confirmed == WALLET_FUNDS + reward - CLAIM_FEE);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(chain, (const uint8_t(*)[32])target_ph, 1,
                                                    false, 0, 0, &recs, &n),
                   CP_OK);
  {
    int seen_reward = 0, seen_one = 0;
    for (size_t i = 0; i < n; i++) {
      seen_reward += recs[i].coin.amount == reward;
      seen_one += recs[i].coin.amount == 1;
    }
    assert_int_equal(seen_reward, 1);
    assert_int_equal(seen_one, 1);
  }
  free(recs);
  assert_int_equal(payouts_undistributed(s, &funds), CP_OK);
  assert_true(funds == reward - CLAIM_FEE);

  rewards_free(rw);
  node_free(nodec);
  node_free(walletc);
  store_close(s);
  sim_farmer_free(f);
  http_server_free(http);
  sim_wallet_free(w);
  sim_node_free(node);
  testtls_destroy(&dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_absorb_with_fee),
  };
  int rc;

  if (plotnft_init())
    return 1;
  rc = cmocka_run_group_tests(tests, NULL, NULL);
  node_global_cleanup();
  return rc;
}
