/* The simulated full node over real mutual TLS on 127.0.0.1, read with the
 * project's own node RPC client (src/node) and the pool's chain adapter:
 * every call parses, and errors come back the way the client expects. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <math.h>
#include <pthread.h>

#include "chia/cjson.h"
#include "crypto/sha256.h"
#include "node/fullnode.h"
#include "node/rpc.h"
#include "pool/chain.h"
#include "sim/certs.h"
#include "sim/node.h"
#include "util/clock.h"
#include "simtest.h"

static char root[64];
static struct sim_node *node;
static struct sim_chain *chain;
static const struct chia_consts *net;
static struct st_wallet alice, bob;
static uint8_t farmer_ph[32], pool_ph[32];

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

static struct node_client *client(const char *cert_root, bool with_cert)
{
  struct node_config cfg;
  struct node_client *c = NULL;

  node_config_init(&cfg);
  assert_int_equal(node_config_chia_root(&cfg, cert_root, NODE_SERVICE_FULL_NODE), CP_OK);
  /* always trust our CA; the client certificate may come from elsewhere */
  assert_int_equal(sim_certs_path(root, "ca", "crt", cfg.ca_cert, sizeof cfg.ca_cert),
                   CP_OK);
  if (!with_cert)
    cfg.cert[0] = cfg.key[0] = '\0';
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = sim_node_port(node);
  cfg.timeout_ms = 10000;
  cfg.retries = 0;
  assert_int_equal(node_new(&cfg, &c), CP_OK);
  return c;
}

static void test_mutual_tls(void **state)
{
  char other[64];
  struct node_client *c;
  struct node_blockchain_state bs;
  struct node_error e;

  (void)state;
  c = client(root, false);
  assert_int_not_equal(fullnode_get_blockchain_state(c, &bs, &e), CP_OK);
  node_free(c);
  /* a certificate from another simulator's CA */
  snprintf(other, sizeof other, "/tmp/cp_simother_XXXXXX");
  assert_non_null(mkdtemp(other));
  assert_int_equal(sim_certs_ensure(other), CP_OK);
  c = client(other, true);
  assert_int_not_equal(fullnode_get_blockchain_state(c, &bs, &e), CP_OK);
  node_free(c);
  c = client(root, true);
  assert_int_equal(fullnode_get_blockchain_state(c, &bs, &e), CP_OK);
  node_free(c);
  nftw(other, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_certs_idempotent(void **state)
{
  char path[SIM_CERTS_PATH_MAX], before[4096], after[4096];
  FILE *f;
  size_t n1, n2;

  (void)state;
  assert_int_equal(sim_certs_path(root, "ca", "crt", path, sizeof path), CP_OK);
  f = fopen(path, "r");
  assert_non_null(f);
  n1 = fread(before, 1, sizeof before, f);
  fclose(f);
  assert_int_equal(sim_certs_ensure(root), CP_OK);
  f = fopen(path, "r");
  n2 = fread(after, 1, sizeof after, f);
  fclose(f);
  assert_int_equal(n1, n2);
  assert_memory_equal(before, after, n1);
  assert_int_equal(sim_certs_path(root, "wallet", "key", path, sizeof path), CP_OK);
  assert_string_equal(path + strlen(root), "/config/ssl/wallet/private_wallet.key");
  assert_int_equal(sim_certs_path(root, "ca", "key", path, 10), CP_TOO_BIG);
}

static void test_state_and_network(void **state)
{
  struct node_client *c = client(root, true);
  struct node_blockchain_state bs;
  struct node_network_info ni;
  struct sim_chain_state st;

  (void)state;
  sim_chain_state(chain, &st);
  assert_int_equal(fullnode_get_blockchain_state(c, &bs, NULL), CP_OK);
  assert_true(bs.has_peak);
  assert_true(bs.synced);
  assert_false(bs.sync_mode);
  assert_true(bs.genesis_challenge_initialized);
  assert_int_equal(bs.peak.height, st.peak.height);
  assert_memory_equal(bs.peak.header_hash, st.peak.header_hash, 32);
  assert_true(bs.peak.is_transaction_block);
  assert_int_equal(bs.difficulty, SIM_DEFAULT_DIFFICULTY);
  assert_int_equal(bs.sub_slot_iters, 1ULL << 26);
  assert_true(bs.space > 0);
  assert_int_equal(fullnode_get_network_info(c, &ni, NULL), CP_OK);
  assert_string_equal(ni.network_name, "simulator");
  assert_string_equal(ni.network_prefix, "txch");
  assert_memory_equal(ni.genesis_challenge, net->genesis_challenge, 32);
  node_free(c);
}

static void test_signage_points(void **state)
{
  struct node_client *c = client(root, true);
  struct node_sp_or_eos out;
  struct node_error e;
  struct sim_sp sp, eos;
  struct chain ch;
  uint8_t x[32];

  (void)state;
  sim_chain_advance(chain, 3);
  sim_chain_current_sp(chain, &sp);
  assert_int_equal(fullnode_get_signage_point_or_eos(c, sp.sp_hash, NULL, &out, &e), CP_OK);
  assert_false(out.is_eos);
  assert_false(out.reverted);
  assert_memory_equal(out.cc_vdf.challenge, sp.challenge_hash, 32);
  assert_int_equal(out.cc_vdf.number_of_iterations, sp.cc_vdf.iters);
  assert_memory_equal(out.cc_vdf.output, sp.cc_vdf.output, 100);
  assert_memory_equal(out.rc_vdf.output, sp.rc_vdf.output, 100);
  assert_true(fabs(out.time_received - (double)sp.time_received_ms / 1000.0) < 0.002);
  sha256(x, out.cc_vdf.output, 100);
  assert_memory_equal(x, sp.sp_hash, 32);

  /* the end of the current sub-slot, by challenge hash */
  assert_int_equal(fullnode_get_signage_point_or_eos(c, NULL, sp.challenge_hash, &out, &e),
                   CP_OK);
  assert_true(out.is_eos);
  assert_false(out.has_new_difficulty);
  assert_false(out.has_new_sub_slot_iters);
  assert_int_equal(sim_chain_get_sp(chain, sp.challenge_hash, true, &eos), CP_OK);
  assert_memory_equal(out.cc_vdf.challenge, eos.cc_vdf.challenge, 32);
  assert_memory_equal(out.cc_vdf.output, eos.cc_vdf.output, 100);
  /* ... which is not a signage point */
  assert_int_equal(fullnode_get_signage_point_or_eos(c, sp.challenge_hash, NULL, &out, &e),
                   CP_RPC_ERROR);
  assert_string_equal(e.code, "SP_NOT_IN_CACHE");

  memset(x, 0xab, sizeof x);
  assert_int_equal(fullnode_get_signage_point_or_eos(c, x, NULL, &out, &e), CP_RPC_ERROR);
  assert_string_equal(e.code, "SP_NOT_IN_CACHE");
  assert_string_equal(e.message, "Did not find sp "
                      "abababababababababababababababababababababababababababababababab"
                      " in cache");
  assert_int_equal(fullnode_get_signage_point_or_eos(c, NULL, x, &out, &e), CP_RPC_ERROR);
  assert_string_equal(e.code, "EOS_NOT_IN_CACHE");

  /* the pool's adapter maps the node's codes */
  chain_from_node(&ch, c);
  assert_int_equal(ch.ops->signage_point(ch.ctx, x, false, &out), CP_NOT_FOUND);
  assert_int_equal(ch.ops->signage_point(ch.ctx, sp.sp_hash, false, &out), CP_OK);

  /* a reorg: the same point now says reverted */
  sim_chain_revert_signage_points(chain, 1, false);
  assert_int_equal(fullnode_get_signage_point_or_eos(c, sp.sp_hash, NULL, &out, &e), CP_OK);
  assert_true(out.reverted);
  sim_chain_advance(chain, 1);
  node_free(c);
}

static void test_coins_blocks_and_push(void **state)
{
  struct node_client *c = client(root, true);
  struct node_coin_record rec;
  struct node_coin_records recs, adds, rems;
  struct node_block_record br, br2;
  struct node_block_records brs;
  struct node_coin_spend ncs;
  struct node_coin_query q = { false, 0, 0 };
  struct node_error e;
  enum node_tx_status status;
  struct chia_coin coin, out;
  struct chia_coin_spend cs;
  struct chia_spend_bundle sb;
  struct st_conds k;
  struct bls_sig sig;
  struct sim_chain_state st;
  struct chain ch;
  json_t *j = NULL;
  uint8_t id[32], phs[2][32];
  uint32_t h = 0;

  (void)state;
  sim_chain_give(chain, alice.ph, 5000, &coin);
  coin_id(&coin, id);
  assert_int_equal(fullnode_get_coin_record_by_name(c, id, &rec, &e), CP_OK);
  assert_memory_equal(rec.coin.puzzle_hash, alice.ph, 32);
  assert_int_equal(rec.coin.amount, 5000);
  assert_false(rec.spent);
  assert_false(rec.coinbase);
  memset(id, 0xee, sizeof id);
  assert_int_equal(fullnode_get_coin_record_by_name(c, id, &rec, &e), CP_RPC_ERROR);
  assert_string_equal(e.code, "COIN_RECORD_NOT_FOUND");
  chain_from_node(&ch, c);
  assert_int_equal(ch.ops->coin_record(ch.ctx, id, &rec), CP_NOT_FOUND);

  /* a bad bundle: signed by the wrong key */
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 4000);
  st_cond_u64(&k, 52, 1000);
  st_infinity(&sig);
  st_spend(&bob, &coin, &k, net, &cs, &sig);
  st_bundle(&sb, &cs, 1, &sig);
  assert_int_equal(chia_spend_bundle_to_json(&sb, &j), CP_OK);
  chia_spend_bundle_release(&sb);
  assert_int_equal(fullnode_push_tx(c, j, &status, &e), CP_RPC_ERROR);
  assert_string_equal(e.code, "TRANSACTION_FAILED");
  assert_non_null(strstr(e.message, "error WRONG_PUZZLE_HASH"));
  assert_int_equal(strncmp(e.message, "Failed to include transaction ", 30), 0);
  json_decref(j);

  /* the real one */
  st_infinity(&sig);
  st_spend(&alice, &coin, &k, net, &cs, &sig);
  st_bundle(&sb, &cs, 1, &sig);
  assert_int_equal(chia_spend_bundle_to_json(&sb, &j), CP_OK);
  assert_int_equal(fullnode_push_tx(c, j, &status, &e), CP_OK);
  assert_int_equal(status, NODE_TX_SUCCESS);
  /* again: already pending, still SUCCESS */
  assert_int_equal(fullnode_push_tx(c, j, &status, &e), CP_OK);
  json_decref(j);
  chia_spend_bundle_release(&sb);
  st_conds_release(&k);
  sim_chain_state(chain, &st);
  assert_int_equal(st.mempool_size, 1);
  assert_int_equal(sim_chain_farm_block(chain, farmer_ph, pool_ph, &h), CP_OK);

  /* blocks */
  assert_int_equal(fullnode_get_block_record_by_height(c, h, &br, &e), CP_OK);
  assert_int_equal(br.height, h);
  assert_int_equal(br.fees, 1000);
  assert_memory_equal(br.farmer_puzzle_hash, farmer_ph, 32);
  assert_memory_equal(br.pool_puzzle_hash, pool_ph, 32);
  assert_true(br.is_transaction_block);
  assert_int_equal(br.prev_transaction_block_height, h - 1);
  assert_true(br.weight == (chia_u128)SIM_DEFAULT_DIFFICULTY * (h + 1));
  assert_int_equal(fullnode_get_block_record(c, br.header_hash, &br2, &e), CP_OK);
  assert_memory_equal(&br, &br2, sizeof br);
  assert_int_equal(fullnode_get_block_record_by_height(c, h + 1, &br2, &e), CP_RPC_ERROR);
  memset(id, 0x12, sizeof id);
  assert_int_equal(fullnode_get_block_record(c, id, &br2, &e), CP_RPC_ERROR);
  assert_string_equal(e.code, "BLOCK_NOT_FOUND");
  assert_int_equal(fullnode_get_block_records(c, 0, h + 1, &brs, &e), CP_OK);
  assert_int_equal(brs.n, h + 1);
  assert_int_equal(brs.v[0].height, 0);
  assert_true(brs.v[0].first_in_sub_slot);
  assert_memory_equal(brs.v[h].header_hash, br.header_hash, 32);
  node_block_records_free(&brs);
  assert_int_equal(fullnode_get_block_records(c, 0, h + 5, &brs, &e), CP_RPC_ERROR);
  assert_int_equal(ch.ops->block_record_by_height(ch.ctx, h, &br2), CP_OK);

  /* the spend, as the pool reads singletons */
  coin_id(&coin, id);
  assert_int_equal(fullnode_get_coin_record_by_name(c, id, &rec, &e), CP_OK);
  assert_true(rec.spent);
  assert_int_equal(rec.spent_block_index, h);
  assert_int_equal(fullnode_get_puzzle_and_solution(c, id, h, &ncs, &e), CP_OK);
  assert_int_equal(ncs.puzzle_reveal_len, alice.puzzle_len);
  assert_memory_equal(ncs.puzzle_reveal, alice.puzzle, alice.puzzle_len);
  assert_memory_equal(ncs.coin.parent_coin_info, coin.parent_coin_info, 32);
  node_coin_spend_release(&ncs);
  assert_int_equal(fullnode_get_puzzle_and_solution(c, id, h - 1, &ncs, &e), CP_RPC_ERROR);
  assert_string_equal(e.code, "INVALID_HEIGHT_FOR_COIN");

  /* coins by puzzle hash, with and without spent ones */
  assert_int_equal(fullnode_get_coin_records_by_puzzle_hash(c, alice.ph, &q, &recs, &e),
                   CP_OK);
  assert_int_equal(recs.n, 0);
  node_coin_records_free(&recs);
  q.include_spent_coins = true;
  assert_int_equal(fullnode_get_coin_records_by_puzzle_hash(c, alice.ph, &q, &recs, &e),
                   CP_OK);
  assert_int_equal(recs.n, 1);
  node_coin_records_free(&recs);
  memcpy(phs[0], bob.ph, 32);
  memcpy(phs[1], farmer_ph, 32);
  q.start_height = h;
  q.end_height = h + 1;
  assert_int_equal(fullnode_get_coin_records_by_puzzle_hashes(c, (const uint8_t (*)[32])phs,
                                                              2, &q, &recs, &e), CP_OK);
  assert_int_equal(recs.n, 2);
  node_coin_records_free(&recs);
  assert_int_equal(ch.ops->coins_by_puzzle_hashes(ch.ctx, (const uint8_t (*)[32])phs, 2, &q,
                                                  &recs), CP_OK);
  assert_int_equal(recs.n, 2);
  node_coin_records_free(&recs);

  /* what the block did */
  assert_int_equal(fullnode_get_additions_and_removals(c, br.header_hash, &adds, &rems, &e),
                   CP_OK);
  assert_int_equal(adds.n, 3);   /* bob's coin, the pool and farmer rewards */
  assert_int_equal(rems.n, 1);
  assert_memory_equal(rems.v[0].coin.parent_coin_info, coin.parent_coin_info, 32);
  coin_id(&coin, out.parent_coin_info);
  memcpy(out.puzzle_hash, bob.ph, 32);
  out.amount = 4000;
  assert_memory_equal(adds.v[0].coin.parent_coin_info, out.parent_coin_info, 32);
  assert_int_equal(adds.v[0].coin.amount, 4000);
  assert_int_equal(adds.v[2].coin.amount, 250000000000ULL + 1000);
  assert_true(adds.v[2].coinbase);
  node_coin_records_free(&adds);
  node_coin_records_free(&rems);
  node_free(c);
}

/* Raw bodies a node would refuse: all answer success false, never crash. */
static void test_hostile_requests(void **state)
{
  static const char *const cases[][2] = {
    { "get_recent_signage_point_or_eos", "{}" },
    { "get_recent_signage_point_or_eos", "{\"sp_hash\": \"0xzz\"}" },
    { "get_recent_signage_point_or_eos", "{\"sp_hash\": 5}" },
    { "get_block_record_by_height", "{\"height\": -1}" },
    { "get_block_record_by_height", "{\"height\": 4294967296}" },
    { "get_block_record_by_height", "{\"height\": \"1\"}" },
    { "get_block_records", "{\"start\": 5, \"end\": 1}" },
    { "get_block_records", "{\"start\": 0, \"end\": 4000000000}" },
    { "get_coin_record_by_name", "{\"name\": \"0x00\"}" },
    { "get_coin_records_by_puzzle_hashes", "{\"puzzle_hashes\": [\"0x12\"]}" },
    { "get_coin_records_by_puzzle_hashes", "{\"puzzle_hashes\": 7}" },
    { "get_coin_records_by_puzzle_hash", "{\"include_spent_coins\": true}" },
    { "get_puzzle_and_solution", "{\"coin_id\": \"0x01\", \"height\": 1}" },
    { "push_tx", "{}" },
    { "push_tx", "{\"spend_bundle\": {\"coin_spends\": 5}}" },
    { "push_tx", "{\"spend_bundle\": {\"coin_spends\": [], \"aggregated_signature\": "
                 "\"0xc0\"}}" },
    { "get_additions_and_removals", "{\"header_hash\": []}" },
  };
  struct node_client *c = client(root, true);

  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *req = NULL, *resp = NULL;
    struct node_error e;
    assert_int_equal(cjson_loadb(cases[i][1], strlen(cases[i][1]), 1 << 16, &req), CP_OK);
    assert_int_equal(node_call(c, cases[i][0], req, &resp, &e), CP_RPC_ERROR);
    assert_true(json_is_false(json_object_get(resp, "success")));
    assert_true(json_is_string(json_object_get(resp, "error")));
    json_decref(req);
    json_decref(resp);
  }
  /* an empty bundle is well-formed JSON but not a bundle a node takes */
  {
    json_t *req = NULL, *resp = NULL;
    struct node_error e;
    char s[512];
    char sig[2 * 96 + 1];
    memset(sig, '0', sizeof sig - 1);
    sig[sizeof sig - 1] = '\0';
    sig[0] = 'c';
    snprintf(s, sizeof s, "{\"spend_bundle\": {\"coin_spends\": [], "
             "\"aggregated_signature\": \"0x%s\"}}", sig);
    assert_int_equal(cjson_loadb(s, strlen(s), 1 << 16, &req), CP_OK);
    assert_int_equal(node_call(c, "push_tx", req, &resp, &e), CP_RPC_ERROR);
    assert_string_equal(e.code, "TRANSACTION_FAILED");
    assert_non_null(strstr(e.message, "INVALID_SPEND_BUNDLE"));
    json_decref(req);
    json_decref(resp);
  }
  node_free(c);
}

static void test_ticker(void **state)
{
  struct sim_node_config cfg;
  struct sim_node *n = NULL;
  struct sim_sp a, b;

  (void)state;
  sim_node_config_init(&cfg);
  cfg.data_dir = root;
  cfg.ms_per_sp = 20;
  cfg.seed = 99;
  assert_int_equal(sim_node_new(&cfg, &n), CP_OK);
  sim_chain_current_sp(sim_node_chain(n), &a);
  clock_sleep_ms(300);
  sim_chain_current_sp(sim_node_chain(n), &b);
  assert_true(b.seq > a.seq + 3);
  sim_node_free(n);
  cfg.data_dir = NULL;
  assert_int_equal(sim_node_new(&cfg, &n), CP_CONFIG);
}

struct worker {
  struct sim_node *n;
  int failures;
  int calls;
};

static void *worker_main(void *arg)
{
  struct worker *w = arg;
  struct node_config cfg;
  struct node_client *c = NULL;

  node_config_init(&cfg);
  node_config_chia_root(&cfg, root, NODE_SERVICE_WALLET);
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = sim_node_port(w->n);
  cfg.retries = 0;
  if (node_new(&cfg, &c))
    return NULL;
  for (int i = 0; i < 40; i++) {
    struct node_blockchain_state bs;
    struct node_sp_or_eos out;
    struct sim_sp sp;
    sim_chain_current_sp(sim_node_chain(w->n), &sp);
    if (fullnode_get_blockchain_state(c, &bs, NULL))
      w->failures++;
    /* index 0 is only reachable as an end of slot */
    if (fullnode_get_signage_point_or_eos(c, sp.index ? sp.sp_hash : NULL,
                                          sp.index ? NULL : sp.challenge_hash, &out, NULL))
      w->failures++;
    w->calls += 2;
  }
  node_free(c);
  return NULL;
}

/* RPC threads, the ticker and in-process writers at once. */
static void test_concurrent(void **state)
{
  struct sim_node_config cfg;
  struct sim_node *n = NULL;
  struct worker w[2];
  pthread_t th[2];
  uint32_t h = 0;

  (void)state;
  sim_node_config_init(&cfg);
  cfg.data_dir = root;
  cfg.ms_per_sp = 2;
  assert_int_equal(sim_node_new(&cfg, &n), CP_OK);
  for (int i = 0; i < 2; i++) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].n = n;
    assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
  }
  for (int i = 0; i < 20; i++) {
    sim_chain_give(sim_node_chain(n), alice.ph, 1 + (uint64_t)i, NULL);
    assert_int_equal(sim_chain_farm_block(sim_node_chain(n), farmer_ph, pool_ph, &h), CP_OK);
    clock_sleep_ms(5);
  }
  for (int i = 0; i < 2; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(w[i].failures, 0);
    assert_int_equal(w[i].calls, 80);
  }
  assert_int_equal(h, 20);
  sim_node_free(n);
}

static int setup(void **state)
{
  struct sim_node_config cfg;

  (void)state;
  net = consts_get("simulator");
  if (plotnft_init())
    return -1;
  snprintf(root, sizeof root, "/tmp/cp_simnode_XXXXXX");
  if (!mkdtemp(root))
    return -1;
  sim_node_config_init(&cfg);
  cfg.data_dir = root;
  cfg.seed = 1;
  if (sim_node_new(&cfg, &node))
    return -1;
  chain = sim_node_chain(node);
  st_wallet_init(&alice, 3);
  st_wallet_init(&bob, 4);
  memset(farmer_ph, 0xfa, sizeof farmer_ph);
  memset(pool_ph, 0x90, sizeof pool_ph);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  sim_node_free(node);
  st_wallet_release(&alice);
  st_wallet_release(&bob);
  nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
  node_global_cleanup();
  return 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_certs_idempotent),
    cmocka_unit_test(test_mutual_tls),
    cmocka_unit_test(test_state_and_network),
    cmocka_unit_test(test_signage_points),
    cmocka_unit_test(test_coins_blocks_and_push),
    cmocka_unit_test(test_hostile_requests),
    cmocka_unit_test(test_ticker),
    cmocka_unit_test(test_concurrent),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
