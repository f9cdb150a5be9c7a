/* Node RPC client against a fake Chia RPC server: HTTPS with mutual TLS on
 * 127.0.0.1, built directly on OpenSSL, answering canned JSON shaped like
 * chia-blockchain 2.7.3's responses. The wallet endpoints' tests are in
 * test_wallet_rpc.c. */
#include "fakenode.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "chia/cjson.h"
#include "node/fullnode.h"
#include "node/rpc.h"
#include "util/clock.h"
#include "util/parse.h"

/* --- canned responses --- */

#define BLOCK_RECORD(height, tx)                                              \
  "{\"header_hash\": \"" H32("a") "\", \"prev_hash\": \"" H32("b") "\","     \
  "\"height\": " #height ", \"weight\": 340282366920938463463374607431768211455," \
  "\"total_iters\": 18446744073709551616, \"signage_point_index\": 63,"      \
  "\"challenge_vdf_output\": {\"data\": \"0x00\"},"                           \
  "\"infused_challenge_vdf_output\": null,"                                  \
  "\"reward_infusion_new_challenge\": \"" H32("c") "\","                      \
  "\"challenge_block_info_hash\": \"" H32("d") "\","                          \
  "\"sub_slot_iters\": 147849216, \"pool_puzzle_hash\": \"" H32("e") "\","   \
  "\"farmer_puzzle_hash\": \"" H32("f") "\", \"required_iters\": 1234567,"   \
  "\"deficit\": 16, \"overflow\": true, \"prev_transaction_block_height\": 99," \
  tx                                                                          \
  "\"sub_epoch_summary_included\": null}"
#define TX_FIELDS                                                            \
  "\"timestamp\": 1700000000, \"prev_transaction_block_hash\": \"" H32("1") "\"," \
  "\"fees\": 9223372036854775808, \"reward_claims_incorporated\": [],"       \
  "\"finished_challenge_slot_hashes\": [\"" H32("2") "\"],"                   \
  "\"finished_infused_challenge_slot_hashes\": null,"                        \
  "\"finished_reward_slot_hashes\": [\"" H32("3") "\"],"
#define NONTX_FIELDS                                                         \
  "\"timestamp\": null, \"prev_transaction_block_hash\": null, \"fees\": null," \
  "\"reward_claims_incorporated\": null, \"finished_challenge_slot_hashes\": null," \
  "\"finished_infused_challenge_slot_hashes\": null,"                        \
  "\"finished_reward_slot_hashes\": null,"


static void assert_block(const struct node_block_record *b, uint32_t height, bool tx)
{
  uint8_t h[32];
  fill(h, 'a');
  assert_memory_equal(b->header_hash, h, 32);
  fill(h, 'b');
  assert_memory_equal(b->prev_hash, h, 32);
  assert_int_equal(b->height, height);
  assert_true(b->weight == ~(chia_u128)0);
  assert_true(b->total_iters == (chia_u128)1 << 64);
  assert_int_equal(b->signage_point_index, 63);
  assert_int_equal(b->sub_slot_iters, 147849216);
  fill(h, 'e');
  assert_memory_equal(b->pool_puzzle_hash, h, 32);
  fill(h, 'f');
  assert_memory_equal(b->farmer_puzzle_hash, h, 32);
  assert_int_equal(b->required_iters, 1234567);
  assert_int_equal(b->deficit, 16);
  assert_true(b->overflow);
  assert_int_equal(b->prev_transaction_block_height, 99);
  assert_int_equal(b->is_transaction_block, tx);
  assert_int_equal(b->first_in_sub_slot, tx);
  if (tx) {
    assert_int_equal(b->timestamp, 1700000000);
    assert_true(b->fees == 9223372036854775808ull);
    fill(h, '1');
    assert_memory_equal(b->prev_transaction_block_hash, h, 32);
  }
}

/* --- tests --- */

static void test_config_root(void **state)
{
  struct node_config cfg;
  (void)state;
  node_config_init(&cfg);
  assert_string_equal(cfg.host, "localhost");
  assert_int_equal(cfg.port, 8555);
  assert_int_equal(node_config_chia_root(&cfg, "/r", NODE_SERVICE_WALLET), CP_OK);
  assert_int_equal(cfg.port, 9256);
  assert_string_equal(cfg.ca_cert, "/r/config/ssl/ca/private_ca.crt");
  assert_string_equal(cfg.cert, "/r/config/ssl/wallet/private_wallet.crt");
  assert_string_equal(cfg.key, "/r/config/ssl/wallet/private_wallet.key");
  assert_int_equal(node_config_chia_root(&cfg, "/r", NODE_SERVICE_FULL_NODE), CP_OK);
  assert_int_equal(cfg.port, 8555);
  assert_string_equal(cfg.cert, "/r/config/ssl/full_node/private_full_node.crt");
  assert_string_equal(cfg.key, "/r/config/ssl/full_node/private_full_node.key");
  char longroot[600];
  memset(longroot, 'x', sizeof longroot - 1);
  longroot[sizeof longroot - 1] = '\0';
  assert_int_equal(node_config_chia_root(&cfg, longroot, NODE_SERVICE_WALLET), CP_TOO_BIG);
  cfg.ca_cert[0] = '\0';
  struct node_client *c = NULL;
  assert_int_equal(node_new(&cfg, &c), CP_CONFIG);
  assert_null(c);
}

static void test_generic_call(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_FULL_NODE);
  struct node_error e;
  json_t *req, *resp = NULL;
  uint64_t v;
  (void)state;

  fake_reply(f, "{\"network_name\": \"mainnet\", \"network_prefix\": \"xch\","
                " \"big\": 18446744073709551615, \"success\": true}");
  req = json_object();
  assert_int_equal(cjson_set_u64(req, "x", UINT64_MAX), CP_OK);
  assert_int_equal(node_call(c, "get_network_info", req, &resp, &e), CP_OK);
  assert_request(f, "get_network_info", "{\"x\":18446744073709551615}");
  assert_string_equal(json_string_value(json_object_get(resp, "network_name")), "mainnet");
  assert_int_equal(cjson_get_u64(resp, "big", UINT64_MAX, &v), CP_OK);
  assert_true(v == UINT64_MAX);
  assert_int_equal(e.err, CP_OK);
  assert_int_equal(e.http_status, 200);
  json_decref(resp);
  json_decref(req);

  /* typed form; genesis_challenge is plain hex there */
  {
    struct node_network_info ni;
    fake_reply(f, "{\"network_name\": \"mainnet\", \"network_prefix\": \"xch\","
                  " \"genesis_challenge\": \"ccd5bb71183532bff220ba46c268991a3ff07eb358e8255a6"
                  "5c30a2dce0e5fbb\", \"success\": true}");
    assert_int_equal(fullnode_get_network_info(c, &ni, NULL), CP_OK);
    assert_string_equal(ni.network_name, "mainnet");
    assert_string_equal(ni.network_prefix, "xch");
    tv_assert_hex(ni.genesis_challenge, 32,
                  "ccd5bb71183532bff220ba46c268991a3ff07eb358e8255a65c30a2dce0e5fbb");
  }

  /* no request object: "{}" */
  assert_int_equal(node_call(c, "get_network_info", NULL, &resp, NULL), CP_OK);
  assert_request(f, "get_network_info", "{}");
  json_decref(resp);

  /* endpoint names are checked before anything is sent */
  assert_int_equal(node_call(c, "../x", NULL, &resp, &e), CP_INVAL);
  assert_null(resp);
  node_free(c);
  fake_stop(f);
}

static void test_rpc_errors(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_FULL_NODE);
  struct node_error e;
  struct node_sp_or_eos sp;
  uint8_t h[32];
  json_t *resp = NULL;
  char line[400];
  (void)state;

  fill(h, '7');
  fake_reply(f, "{\"success\": false, \"error\": \"Did not find sp 0x77 in cache\","
                " \"traceback\": \"Traceback...\", \"structuredError\": {\"code\":"
                " \"SP_NOT_IN_CACHE\", \"message\": \"Did not find sp\", \"data\": {}}}");
  assert_int_equal(fullnode_get_signage_point_or_eos(c, h, NULL, &sp, &e), CP_RPC_ERROR);
  assert_int_equal(e.err, CP_RPC_ERROR);
  assert_string_equal(e.code, "SP_NOT_IN_CACHE");
  assert_string_equal(e.message, "Did not find sp 0x77 in cache");
  node_error_format(&e, line, sizeof line);
  assert_string_equal(line, "RPC_ERROR: SP_NOT_IN_CACHE: Did not find sp 0x77 in cache");

  /* older nodes: only success + error; the body is still handed back */
  fake_reply(f, "{\"success\": false, \"error\": \"boom\"}");
  assert_int_equal(node_call(c, "get_network_info", NULL, &resp, &e), CP_RPC_ERROR);
  assert_non_null(resp);
  assert_string_equal(e.code, "");
  assert_string_equal(e.message, "boom");
  json_decref(resp);

  /* malformed answers */
  fake_reply(f, "not json");
  assert_int_equal(node_call(c, "x", NULL, &resp, &e), CP_RPC_RESPONSE);
  assert_null(resp);
  fake_reply(f, "[true]");
  assert_int_equal(node_call(c, "x", NULL, &resp, &e), CP_RPC_RESPONSE);
  fake_reply(f, "{\"success\": \"yes\"}");
  assert_int_equal(node_call(c, "x", NULL, &resp, &e), CP_RPC_RESPONSE);
  fake_reply(f, "{\"blockchain_state\": {}, \"success\": true}");
  struct node_blockchain_state bs;
  assert_int_equal(fullnode_get_blockchain_state(c, &bs, &e), CP_RPC_RESPONSE);
  assert_string_equal(e.message, "get_blockchain_state: bad or missing blockchain_state field");
  fake_reply(f, NULL);
  assert_int_equal(node_call(c, "nope", NULL, &resp, &e), CP_RPC_RESPONSE);
  assert_int_equal(e.http_status, 404);
  node_free(c);
  fake_stop(f);
}

static void test_blockchain_state(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_FULL_NODE);
  struct node_blockchain_state bs;
  struct node_error e;
  (void)state;

  fake_reply(f, "{\"blockchain_state\": {\"peak\": " BLOCK_RECORD(5000000, TX_FIELDS) ","
                "\"genesis_challenge_initialized\": true, \"sync\": {\"sync_mode\": false,"
                " \"synced\": true, \"sync_tip_height\": 0, \"sync_progress_height\": 0},"
                " \"difficulty\": 2048, \"sub_slot_iters\": 147849216,"
                " \"space\": 36893488147419103232, \"average_block_time\": 18,"
                " \"mempool_size\": 7, \"mempool_cost\": 1, \"mempool_fees\": 0,"
                " \"mempool_min_fees\": {\"cost_5000000\": 0.5},"
                " \"mempool_max_total_cost\": 1, \"block_max_cost\": 11000000000,"
                " \"node_id\": \"abcd\"}, \"success\": true}");
  assert_int_equal(fullnode_get_blockchain_state(c, &bs, &e), CP_OK);
  assert_request(f, "get_blockchain_state", "{}");
  assert_true(bs.has_peak);
  assert_block(&bs.peak, 5000000, true);
  assert_true(bs.synced);
  assert_false(bs.sync_mode);
  assert_true(bs.genesis_challenge_initialized);
  assert_int_equal(bs.difficulty, 2048);
  assert_int_equal(bs.sub_slot_iters, 147849216);
  assert_true(bs.space == (chia_u128)2 << 64);
  assert_int_equal(bs.mempool_size, 7);

  /* a fresh node: no peak, syncing */
  fake_reply(f, "{\"blockchain_state\": {\"peak\": null, \"genesis_challenge_initialized\":"
                " true, \"sync\": {\"sync_mode\": true, \"synced\": false, \"sync_tip_height\":"
                " 100, \"sync_progress_height\": 5}, \"difficulty\": 7, \"sub_slot_iters\": 1,"
                " \"space\": 0, \"mempool_size\": 0}, \"success\": true}");
  assert_int_equal(fullnode_get_blockchain_state(c, &bs, &e), CP_OK);
  assert_false(bs.has_peak);
  assert_true(bs.sync_mode);
  assert_int_equal(bs.sync_tip_height, 100);
  assert_int_equal(bs.sync_progress_height, 5);
  node_free(c);
  fake_stop(f);
}

#define Z20 "00000000000000000000"
/* ClassgroupElement: 100 bytes = 200 hex digits */
#define VDF(ch, iters) "{\"challenge\": \"" H32(ch) "\", \"number_of_iterations\": " \
  #iters ", \"output\": {\"data\": \"0x0300" "0000000000000000" Z20 Z20 Z20 Z20 Z20 \
  Z20 Z20 Z20 Z20 "\"}}"

static void test_signage_point_or_eos(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_FULL_NODE);
  struct node_sp_or_eos sp;
  uint8_t h[32], want[32];
  (void)state;

  fill(h, '9');
  fake_reply(f, "{\"signage_point\": {\"cc_vdf\": " VDF("8", 1000) ", \"cc_proof\": {},"
                " \"rc_vdf\": " VDF("6", 2000) ", \"rc_proof\": {}},"
                " \"time_received\": 1700000000.25, \"reverted\": false, \"success\": true}");
  assert_int_equal(fullnode_get_signage_point_or_eos(c, h, NULL, &sp, NULL), CP_OK);
  assert_request(f, "get_recent_signage_point_or_eos", "{\"sp_hash\":" "\"" H32("9") "\"}");
  assert_false(sp.is_eos);
  assert_false(sp.reverted);
  assert_true(sp.time_received == 1700000000.25);
  fill(want, '8');
  assert_memory_equal(sp.cc_vdf.challenge, want, 32);
  assert_int_equal(sp.cc_vdf.number_of_iterations, 1000);
  assert_int_equal(sp.cc_vdf.output[0], 3);
  fill(want, '6');
  assert_memory_equal(sp.rc_vdf.challenge, want, 32);
  assert_int_equal(sp.rc_vdf.number_of_iterations, 2000);

  fake_reply(f, "{\"eos\": {\"challenge_chain\": {\"challenge_chain_end_of_slot_vdf\": "
                VDF("5", 147849216) ", \"infused_challenge_chain_sub_slot_hash\": null,"
                " \"subepoch_summary_hash\": null, \"new_sub_slot_iters\": null,"
                " \"new_difficulty\": 3000}, \"infused_challenge_chain\": null,"
                " \"reward_chain\": {}, \"proofs\": {}}, \"time_received\": 17,"
                " \"reverted\": true, \"success\": true}");
  assert_int_equal(fullnode_get_signage_point_or_eos(c, NULL, h, &sp, NULL), CP_OK);
  assert_request(f, "get_recent_signage_point_or_eos",
                 "{\"challenge_hash\":" "\"" H32("9") "\"}");
  assert_true(sp.is_eos);
  assert_true(sp.reverted);
  assert_true(sp.time_received == 17.0);
  fill(want, '5');
  assert_memory_equal(sp.cc_vdf.challenge, want, 32);
  assert_int_equal(sp.cc_vdf.number_of_iterations, 147849216);
  assert_true(sp.has_new_difficulty);
  assert_int_equal(sp.new_difficulty, 3000);
  assert_false(sp.has_new_sub_slot_iters);

  assert_int_equal(fullnode_get_signage_point_or_eos(c, h, h, &sp, NULL), CP_INVAL);
  node_free(c);
  fake_stop(f);
}

static void test_block_records(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_FULL_NODE);
  struct node_block_record br;
  struct node_block_records l;
  uint8_t h[32];
  (void)state;

  fake_reply(f, "{\"block_record\": " BLOCK_RECORD(12, NONTX_FIELDS) ", \"success\": true}");
  assert_int_equal(fullnode_get_block_record_by_height(c, 12, &br, NULL), CP_OK);
  assert_request(f, "get_block_record_by_height", "{\"height\":12}");
  assert_block(&br, 12, false);
  fill(h, 'a');
  assert_int_equal(fullnode_get_block_record(c, h, &br, NULL), CP_OK);
  assert_request(f, "get_block_record", "{\"header_hash\":\"" H32("a") "\"}");

  fake_reply(f, "{\"block_records\": [" BLOCK_RECORD(10, TX_FIELDS) ","
                BLOCK_RECORD(11, NONTX_FIELDS) "], \"success\": true}");
  assert_int_equal(fullnode_get_block_records(c, 10, 12, &l, NULL), CP_OK);
  assert_request(f, "get_block_records", "{\"start\":10,\"end\":12}");
  assert_int_equal(l.n, 2);
  assert_block(&l.v[0], 10, true);
  assert_block(&l.v[1], 11, false);
  node_block_records_free(&l);
  assert_int_equal(fullnode_get_block_records(c, 0, 1001, &l, NULL), CP_INVAL);

  /* a weight beyond uint128 is refused, not wrapped */
  fake_reply(f, "{\"block_record\": {\"header_hash\": \"" H32("a") "\", \"prev_hash\": \""
                H32("b") "\", \"height\": 1, \"weight\": 340282366920938463463374607431768211456}"
                ", \"success\": true}");
  assert_int_equal(fullnode_get_block_record_by_height(c, 1, &br, NULL), CP_RPC_RESPONSE);
  node_free(c);
  fake_stop(f);
}

static void assert_coin_record(const struct node_coin_record *r, uint64_t amount,
                               uint32_t spent_idx)
{
  uint8_t h[32];
  fill(h, '4');
  assert_memory_equal(r->coin.parent_coin_info, h, 32);
  fill(h, '5');
  assert_memory_equal(r->coin.puzzle_hash, h, 32);
  assert_true(r->coin.amount == amount);
  assert_int_equal(r->confirmed_block_index, 4000000);
  assert_int_equal(r->spent_block_index, spent_idx);
  assert_int_equal(r->spent, spent_idx != 0);
  assert_true(r->coinbase);
  assert_int_equal(r->timestamp, 1710000000);
}

static void test_coin_records(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_FULL_NODE);
  struct node_coin_records l, l2;
  struct node_coin_record r;
  struct node_coin_query q = { true, 100, 200 };
  uint8_t phs[2][32];
  (void)state;

  fill(phs[0], '5');
  fill(phs[1], '6');
  fake_reply(f, "{\"coin_records\": [{\"coin\": {\"parent_coin_info\": \"" H32("4") "\","
                " \"puzzle_hash\": \"" H32("5") "\", \"amount\": 18446744073709551615},"
                " \"confirmed_block_index\": 4000000, \"spent_block_index\": 0,"
                " \"spent\": false, \"coinbase\": true, \"timestamp\": 1710000000},"
                " {\"coin\": {\"parent_coin_info\": \"" H32("4") "\","
                " \"puzzle_hash\": \"" H32("5") "\", \"amount\": 1750000000000},"
                " \"confirmed_block_index\": 4000000, \"spent_block_index\": 4000010,"
                " \"coinbase\": true, \"timestamp\": 1710000000}], \"success\": true}");
  assert_int_equal(fullnode_get_coin_records_by_puzzle_hash(c, phs[0], &q, &l, NULL), CP_OK);
  assert_request(f, "get_coin_records_by_puzzle_hash",
                 "{\"puzzle_hash\":\"" H32("5") "\",\"include_spent_coins\":true,"
                 "\"start_height\":100,\"end_height\":200}");
  assert_int_equal(l.n, 2);
  assert_coin_record(&l.v[0], UINT64_MAX, 0);
  assert_coin_record(&l.v[1], 1750000000000ull, 4000010);
  node_coin_records_free(&l);

  assert_int_equal(fullnode_get_coin_records_by_puzzle_hashes(c, (const uint8_t (*)[32])phs,
                                                              2, NULL, &l, NULL), CP_OK);
  assert_request(f, "get_coin_records_by_puzzle_hashes",
                 "{\"puzzle_hashes\":[\"" H32("5") "\",\"" H32("6") "\"],"
                 "\"include_spent_coins\":false}");
  assert_int_equal(l.n, 2);
  node_coin_records_free(&l);

  fake_reply(f, "{\"coin_record\": {\"coin\": {\"parent_coin_info\": \"" H32("4") "\","
                " \"puzzle_hash\": \"" H32("5") "\", \"amount\": 1},"
                " \"confirmed_block_index\": 4000000, \"spent_block_index\": 0,"
                " \"spent\": false, \"coinbase\": true, \"timestamp\": 1710000000},"
                " \"success\": true}");
  assert_int_equal(fullnode_get_coin_record_by_name(c, phs[1], &r, NULL), CP_OK);
  assert_request(f, "get_coin_record_by_name", "{\"name\":\"" H32("6") "\"}");
  assert_coin_record(&r, 1, 0);

  fake_reply(f, "{\"additions\": [{\"coin\": {\"parent_coin_info\": \"" H32("4") "\","
                " \"puzzle_hash\": \"" H32("5") "\", \"amount\": 2},"
                " \"confirmed_block_index\": 4000000, \"spent_block_index\": 0,"
                " \"spent\": false, \"coinbase\": true, \"timestamp\": 1710000000}],"
                " \"removals\": [], \"success\": true}");
  assert_int_equal(fullnode_get_additions_and_removals(c, phs[0], &l, &l2, NULL), CP_OK);
  assert_request(f, "get_additions_and_removals", "{\"header_hash\":\"" H32("5") "\"}");
  assert_int_equal(l.n, 1);
  assert_int_equal(l2.n, 0);
  assert_coin_record(&l.v[0], 2, 0);
  node_coin_records_free(&l);
  node_coin_records_free(&l2);

  /* negative or fractional amounts are malformed, never clamped */
  fake_reply(f, "{\"coin_records\": [{\"coin\": {\"parent_coin_info\": \"" H32("4") "\","
                " \"puzzle_hash\": \"" H32("5") "\", \"amount\": -1},"
                " \"confirmed_block_index\": 1, \"spent_block_index\": 0,"
                " \"coinbase\": false, \"timestamp\": 1}], \"success\": true}");
  assert_int_equal(fullnode_get_coin_records_by_puzzle_hash(c, phs[0], NULL, &l, NULL),
                   CP_RPC_RESPONSE);
  assert_null(l.v);
  fake_reply(f, "{\"coin_records\": [{\"coin\": {\"parent_coin_info\": \"" H32("4") "\","
                " \"puzzle_hash\": \"" H32("5") "\", \"amount\": 18446744073709551616},"
                " \"confirmed_block_index\": 1, \"spent_block_index\": 0,"
                " \"coinbase\": false, \"timestamp\": 1}], \"success\": true}");
  assert_int_equal(fullnode_get_coin_records_by_puzzle_hash(c, phs[0], NULL, &l, NULL),
                   CP_RPC_RESPONSE);
  node_free(c);
  fake_stop(f);
}

static void test_puzzle_solution_push_tx(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_FULL_NODE);
  struct node_coin_spend cs;
  struct node_error e;
  enum node_tx_status st;
  uint8_t id[32];
  json_t *sb;
  (void)state;

  fill(id, 'c');
  fake_reply(f, "{\"coin_solution\": {\"coin\": {\"parent_coin_info\": \"" H32("4") "\","
                " \"puzzle_hash\": \"" H32("5") "\", \"amount\": 1}, \"puzzle_reveal\":"
                " \"0xff0180\", \"solution\": \"0x80\"}, \"success\": true}");
  assert_int_equal(fullnode_get_puzzle_and_solution(c, id, 4000010, &cs, NULL), CP_OK);
  assert_request(f, "get_puzzle_and_solution",
                 "{\"coin_id\":\"" H32("c") "\",\"height\":4000010}");
  assert_int_equal(cs.coin.amount, 1);
  assert_int_equal(cs.puzzle_reveal_len, 3);
  assert_memory_equal(cs.puzzle_reveal, "\xff\x01\x80", 3);
  assert_int_equal(cs.solution_len, 1);
  assert_memory_equal(cs.solution, "\x80", 1);
  node_coin_spend_release(&cs);

  sb = json_pack("{s:[],s:s}", "coin_spends", "aggregated_signature", "0xc0");
  fake_reply(f, "{\"status\": \"SUCCESS\", \"success\": true}");
  assert_int_equal(fullnode_push_tx(c, sb, &st, NULL), CP_OK);
  assert_request(f, "push_tx",
                 "{\"spend_bundle\":{\"coin_spends\":[],\"aggregated_signature\":\"0xc0\"}}");
  assert_int_equal(st, NODE_TX_SUCCESS);
  fake_reply(f, "{\"status\": \"PENDING\", \"success\": true}");
  assert_int_equal(fullnode_push_tx(c, sb, &st, NULL), CP_OK);
  assert_int_equal(st, NODE_TX_PENDING);
  fake_reply(f, "{\"success\": false, \"error\": \"Failed to include transaction 0xab,"
                " error DOUBLE_SPEND\", \"structuredError\": {\"code\": \"TRANSACTION_FAILED\","
                " \"message\": \"x\", \"data\": {\"spend_name\": \"0xab\", \"error\":"
                " \"DOUBLE_SPEND\"}}}");
  assert_int_equal(fullnode_push_tx(c, sb, &st, &e), CP_RPC_ERROR);
  assert_string_equal(e.code, "TRANSACTION_FAILED");
  assert_string_equal(e.message, "Failed to include transaction 0xab, error DOUBLE_SPEND");
  fake_reply(f, "{\"status\": \"FAILED\", \"success\": true}");
  assert_int_equal(fullnode_push_tx(c, sb, &st, &e), CP_RPC_RESPONSE);
  json_decref(sb);
  node_free(c);
  fake_stop(f);
}


static void test_oversized(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_config cfg;
  struct node_client *c;
  struct node_error e;
  json_t *resp = NULL;
  char *big = malloc(200001);
  (void)state;

  assert_non_null(big);
  memset(big, ' ', 200000);
  memcpy(big, "{\"success\": true, \"x\": \"", 24);
  memcpy(big + 200000 - 3, "\"}\n", 3);
  big[200000] = '\0';
  fake_reply(f, big);
  node_config_init(&cfg);
  assert_int_equal(node_config_chia_root(&cfg, certs.root, NODE_SERVICE_FULL_NODE), CP_OK);
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = f->port;
  cfg.max_response = 4096;
  assert_int_equal(node_new(&cfg, &c), CP_OK);
  assert_int_equal(node_call(c, "get_blockchain_state", NULL, &resp, &e), CP_TOO_BIG);
  assert_null(resp);
  assert_int_equal(e.err, CP_TOO_BIG);
  node_free(c);
  /* the same answer is fine under a larger cap */
  cfg.max_response = 300000;
  assert_int_equal(node_new(&cfg, &c), CP_OK);
  assert_int_equal(node_call(c, "get_blockchain_state", NULL, &resp, &e), CP_OK);
  json_decref(resp);
  node_free(c);
  fake_stop(f);
  free(big);
}

static void test_tls_refusals(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct fake *other = fake_start("other/server", "config/ssl/ca/private_ca.crt");
  struct node_config cfg;
  struct node_client *c;
  struct node_error e;
  json_t *resp = NULL;
  (void)state;

  fake_reply(f, "{\"success\": true}");
  fake_reply(other, "{\"success\": true}");
  /* no client certificate: the node refuses the handshake */
  node_config_init(&cfg);
  assert_int_equal(node_config_chia_root(&cfg, certs.root, NODE_SERVICE_FULL_NODE), CP_OK);
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = f->port;
  cfg.cert[0] = cfg.key[0] = '\0';
  cfg.retries = 0;
  assert_int_equal(node_new(&cfg, &c), CP_OK);
  assert_int_equal(node_call(c, "get_blockchain_state", NULL, &resp, &e), CP_RPC_TRANSPORT);
  assert_null(resp);
  assert_true(strlen(e.message) > 0);
  node_free(c);
  pthread_mutex_lock(&f->mu);
  assert_int_equal(f->requests, 0);
  assert_true(f->handshakes_failed >= 1);
  pthread_mutex_unlock(&f->mu);

  /* a server whose cert comes from another CA is not our node */
  node_config_init(&cfg);
  assert_int_equal(node_config_chia_root(&cfg, certs.root, NODE_SERVICE_FULL_NODE), CP_OK);
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = other->port;
  cfg.retries = 0;
  assert_int_equal(node_new(&cfg, &c), CP_OK);
  assert_int_equal(node_call(c, "get_blockchain_state", NULL, &resp, &e), CP_RPC_TRANSPORT);
  assert_null(resp);
  node_free(c);
  pthread_mutex_lock(&other->mu);
  assert_int_equal(other->requests, 0);
  pthread_mutex_unlock(&other->mu);

  /* the good pair still works ("localhost" is not checked against the cert) */
  c = client_for(f, NODE_SERVICE_WALLET);
  assert_int_equal(node_call(c, "get_blockchain_state", NULL, &resp, &e), CP_OK);
  json_decref(resp);
  node_free(c);
  fake_stop(other);
  fake_stop(f);
}

static void test_node_down(void **state)
{
  struct node_client *c;
  struct node_error e;
  struct node_blockchain_state bs;
  json_t *resp = NULL;
  uint16_t port;
  uint64_t t0;
  int fd;
  (void)state;

  /* a port that was just free: nothing listens there */
  fd = listen_local(&port);
  close(fd);
  {
    struct node_config cfg;
    node_config_init(&cfg);
    assert_int_equal(node_config_chia_root(&cfg, certs.root, NODE_SERVICE_FULL_NODE), CP_OK);
    snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
    cfg.port = port;
    cfg.retries = 2;
    cfg.retry_delay_ms = 100;
    assert_int_equal(node_new(&cfg, &c), CP_OK);
  }
  t0 = clock_mono_ms();
  assert_int_equal(node_call(c, "get_blockchain_state", NULL, &resp, &e), CP_RPC_TRANSPORT);
  /* two retries, 100 + 200 ms apart: refused is retried */
  assert_true(clock_mono_ms() - t0 >= 300);
  assert_null(resp);
  assert_int_equal(e.http_status, 0);
  assert_true(strlen(e.message) > 0);
  assert_int_equal(fullnode_get_blockchain_state(c, &bs, &e), CP_RPC_TRANSPORT);
  node_free(c);
}

static void test_timeout(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_config cfg;
  struct node_client *c;
  struct node_error e;
  json_t *resp = NULL;
  uint64_t t0, dt;
  (void)state;

  fake_reply(f, "{\"success\": true}");
  pthread_mutex_lock(&f->mu);
  f->delay_ms = 3000;
  pthread_mutex_unlock(&f->mu);
  node_config_init(&cfg);
  assert_int_equal(node_config_chia_root(&cfg, certs.root, NODE_SERVICE_FULL_NODE), CP_OK);
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = f->port;
  cfg.timeout_ms = 400;
  cfg.retries = 3;
  cfg.retry_delay_ms = 10;
  assert_int_equal(node_new(&cfg, &c), CP_OK);
  t0 = clock_mono_ms();
  assert_int_equal(node_call(c, "send_transaction_multi", NULL, &resp, &e), CP_TIMEOUT);
  dt = clock_mono_ms() - t0;
  assert_true(dt >= 400 && dt < 2000);
  assert_null(resp);
  /* the request reached the node, so it must not be sent again */
  pthread_mutex_lock(&f->mu);
  assert_int_equal(f->requests, 1);
  pthread_mutex_unlock(&f->mu);
  node_free(c);
  fake_stop(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_config_root),
    cmocka_unit_test(test_generic_call),
    cmocka_unit_test(test_rpc_errors),
    cmocka_unit_test(test_blockchain_state),
    cmocka_unit_test(test_signage_point_or_eos),
    cmocka_unit_test(test_block_records),
    cmocka_unit_test(test_coin_records),
    cmocka_unit_test(test_puzzle_solution_push_tx),
    cmocka_unit_test(test_oversized),
    cmocka_unit_test(test_tls_refusals),
    cmocka_unit_test(test_node_down),
    cmocka_unit_test(test_timeout),
  };
  return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
