/* The simulated wallet behind its mutual-TLS RPC server, driven by the
 * project's own wallet RPC client (node/wallet.h), which must parse every
 * answer. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "node/rpc.h"
#include "node/wallet.h"
#include "plotnft/absorb.h"
#include "plotnft/puzzles.h"
#include "plotnft/state.h"
#include "sim/certs.h"
#include "sim/chain.h"
#include "sim/stdtx.h"
#include "sim/wallet.h"
#include "util/hex.h"
#include "testtls.h"

struct fx {
  struct testtls dir;        /* only for its temp dir and cleanup */
  struct sim_chain *chain;
  struct sim_wallet *w;
  struct node_client *c;
};

static int setup(void **state)
{
  struct fx *fx = calloc(1, sizeof *fx);
  struct sim_chain_config cc;
  struct sim_wallet_config wc;
  struct node_config nc;
  uint8_t ph[32];

  if (!fx)
    return 1;
  snprintf(fx->dir.root, sizeof fx->dir.root, "/tmp/cp_simwallet_XXXXXX");
  if (!mkdtemp(fx->dir.root) || sim_certs_ensure(fx->dir.root))
    return 1;
  sim_chain_config_init(&cc);
  cc.seed = 7;
  if (sim_chain_new(&cc, &fx->chain))
    return 1;
  sim_wallet_config_init(&wc);
  wc.chain = fx->chain;
  memset(wc.seed, 0x5a, sizeof wc.seed);
  wc.chia_root = fx->dir.root;
  if (sim_wallet_new(&wc, &fx->w))
    return 1;
  /* two coins at different receive addresses */
  sim_wallet_puzzle_hash(fx->w, 0, ph);
  if (sim_chain_give(fx->chain, ph, 700000, NULL))
    return 1;
  sim_wallet_puzzle_hash(fx->w, 3, ph);
  if (sim_chain_give(fx->chain, ph, 500000, NULL))
    return 1;
  node_config_init(&nc);
  if (node_config_chia_root(&nc, fx->dir.root, NODE_SERVICE_WALLET))
    return 1;
  snprintf(nc.host, sizeof nc.host, "127.0.0.1");
  nc.port = sim_wallet_port(fx->w);
  nc.retries = 0;
  if (node_new(&nc, &fx->c))
    return 1;
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fx *fx = *state;

  node_free(fx->c);
  sim_wallet_free(fx->w);
  sim_chain_free(fx->chain);
  testtls_destroy(&fx->dir);
  free(fx);
  return 0;
}

/* The receive address is the standard puzzle of the unhardened key. */
static void test_keys_and_fingerprint(void **state)
{
  struct fx *fx = *state;
  struct bls_sk master, sk;
  struct bls_pk mpk, pk;
  uint8_t seed[32], ph[32], want[32], h[32];
  const uint32_t path[] = { KEYS_PURPOSE, KEYS_COIN_TYPE, 2, 3 };

  memset(seed, 0x5a, sizeof seed);
  assert_int_equal(keys_gen(&master, seed, sizeof seed), CP_OK);
  keys_derive_path_unhardened_sk(&sk, &master, path, 4);
  bls_sk_to_pk(&sk, &pk);
  stdtx_puzzle_hash(&pk, want);
  sim_wallet_puzzle_hash(fx->w, 3, ph);
  assert_memory_equal(ph, want, 32);
  bls_sk_to_pk(&master, &mpk);
  sha256(h, mpk.bytes, 48);
  assert_int_equal(sim_wallet_fingerprint(fx->w),
                   (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]);
}

static void test_session_and_balance(void **state)
{
  struct fx *fx = *state;
  struct node_wallet_balance b;
  struct node_error e;
  uint32_t fp = 0;
  bool synced = false, syncing = true;

  assert_int_equal(wallet_log_in(fx->c, sim_wallet_fingerprint(fx->w), &fp, &e), CP_OK);
  assert_int_equal(fp, sim_wallet_fingerprint(fx->w));
  assert_int_equal(wallet_log_in(fx->c, sim_wallet_fingerprint(fx->w) ^ 1, &fp, &e),
                   CP_RPC_ERROR);
  assert_int_equal(wallet_get_sync_status(fx->c, &synced, &syncing, &e), CP_OK);
  assert_true(synced);
  assert_false(syncing);
  assert_int_equal(wallet_get_wallet_balance(fx->c, 1, &b, &e), CP_OK);
  assert_int_equal(b.wallet_id, 1);
  assert_int_equal(b.wallet_type, 0);
  assert_int_equal(b.confirmed_wallet_balance, 1200000);
  assert_int_equal(b.spendable_balance, 1200000);
  assert_int_equal(b.unspent_coin_count, 2);
  assert_true(b.has_fingerprint);
  assert_int_equal(b.fingerprint, sim_wallet_fingerprint(fx->w));
}

static void test_send_confirm_and_list(void **state)
{
  struct fx *fx = *state;
  struct node_payment pay[2];
  struct node_send_opts o;
  struct node_tx_record tx, got;
  struct node_tx_records list;
  struct node_wallet_balance b;
  struct node_error e;
  struct sim_coin_record *recs = NULL;
  size_t n = 0;
  uint8_t dest[2][32];

  memset(pay, 0, sizeof pay);
  memset(dest[0], 0xd1, 32);
  memset(dest[1], 0xd2, 32);
  memcpy(pay[0].puzzle_hash, dest[0], 32);
  pay[0].amount = 800000; /* needs both coins */
  pay[0].memo = "payout 1";
  memcpy(pay[1].puzzle_hash, dest[1], 32);
  pay[1].amount = 1000;
  memset(&o, 0, sizeof o);
  o.fee = 50;
  o.exclude_zero_coins = true;
  assert_int_equal(wallet_send_transaction_multi(fx->c, &o, pay, 2, &tx, &e), CP_OK);
  assert_int_equal(tx.amount, 801000);
  assert_int_equal(tx.fee_amount, 50);
  assert_false(tx.confirmed);
  assert_int_equal(tx.n_removals, 2);
  assert_int_equal(tx.n_additions, 3); /* two payments and change */
  assert_memory_equal(tx.to_puzzle_hash, dest[0], 32);

  /* spent coins are no longer spendable while pending */
  assert_int_equal(wallet_get_wallet_balance(fx->c, 1, &b, &e), CP_OK);
  assert_int_equal(b.spendable_balance, 0);
  assert_int_equal(b.pending_change, 1200000 - 801000 - 50);
  assert_int_equal(b.pending_coin_removal_count, 2);
  /* and a second payment cannot find coins */
  assert_int_equal(wallet_send_transaction_multi(fx->c, &o, pay, 1, &got, &e), CP_RPC_ERROR);

  assert_int_equal(sim_chain_farm_block(fx->chain, dest[0], dest[0], NULL), CP_OK);
  assert_int_equal(wallet_get_transaction(fx->c, tx.name, &got, &e), CP_OK);
  assert_true(got.confirmed);
  assert_true(got.confirmed_at_height > 0);
  assert_memory_equal(got.name, tx.name, 32);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(fx->chain, (const uint8_t(*)[32])dest[1],
                                                    1, false, 0, 0, &recs, &n),
                   CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(recs[0].coin.amount, 1000);
  free(recs);

  assert_int_equal(wallet_get_wallet_balance(fx->c, 1, &b, &e), CP_OK);
  assert_int_equal(b.confirmed_wallet_balance, 1200000 - 801000 - 50);
  assert_int_equal(b.spendable_balance, 1200000 - 801000 - 50);
  assert_int_equal(b.pending_change, 0);
  assert_int_equal(b.unspent_coin_count, 1);

  assert_int_equal(wallet_get_transactions(fx->c, 1, 0, 50, &list, &e), CP_OK);
  assert_int_equal(list.n, 1);
  assert_memory_equal(list.v[0].name, tx.name, 32);
  assert_true(list.v[0].confirmed);
  node_tx_records_free(&list);

  /* memos as the real wallet shows them, {coin id: memo hex}: the pool
   * finds a payout it sent by them (before, "{}" made it pay twice) */
  {
    json_t *req = json_pack("{s:i,s:i,s:i}", "wallet_id", 1, "start", 0, "end", 50);
    json_t *resp = NULL, *memos;
    char id_hex[65];
    uint8_t id[32];
    assert_int_equal(sim_chain_coins_by_puzzle_hashes(fx->chain,
                                                      (const uint8_t(*)[32])dest[0], 1,
                                                      true, 0, 0, &recs, &n), CP_OK);
    for (size_t i = 0; i < n; i++)
      if (recs[i].coin.amount == 800000)
        memcpy(id, recs[i].id, 32);
    free(recs);
    hex_encode(id_hex, id, 32);
    assert_int_equal(node_call(fx->c, "get_transactions", req, &resp, NULL), CP_OK);
    memos = json_object_get(json_array_get(json_object_get(resp, "transactions"), 0), "memos");
    assert_int_equal(json_object_size(memos), 1);
    assert_string_equal(json_string_value(json_object_get(memos, id_hex)),
                        "7061796f75742031"); /* "payout 1" */
    json_decref(req);
    json_decref(resp);
  }

  {
    uint8_t unknown[32];
    memset(unknown, 0xee, 32);
    assert_int_equal(wallet_get_transaction(fx->c, unknown, &got, &e), CP_RPC_ERROR);
  }
}

/* A plot NFT farming to target whose singleton is on fx's chain, and a
 * pool reward at its p2_singleton address farmed into the next block. */
static void plotnft_with_reward(struct fx *fx, const uint8_t target[32],
                                struct plotnft_absorb_in *in, struct plotnft_reward *rw,
                                uint8_t reward_id[32])
{
  struct bls_sk sk;
  struct bls_pk pk;
  struct chia_coin launcher, reward;
  uint8_t seed[32], p2[32], farmer_ph[32];
  uint32_t h = 0;

  memset(seed, 0x31, sizeof seed);
  assert_int_equal(keys_gen(&sk, seed, sizeof seed), CP_OK);
  bls_sk_to_pk(&sk, &pk);
  memset(in, 0, sizeof *in);
  memset(launcher.parent_coin_info, 0x11, 32);
  memcpy(launcher.puzzle_hash, plotnft_puzzle(PLOTNFT_PUZ_LAUNCHER)->hash, 32);
  launcher.amount = 1;
  coin_id(&launcher, in->id.launcher_id);
  in->id.delay_time = PLOTNFT_DEFAULT_DELAY_TIME;
  memset(in->id.delay_ph, 0x44, 32);
  memcpy(in->genesis_challenge, sim_chain_net(fx->chain)->genesis_challenge, 32);
  in->state.version = 1;
  in->state.state = PLOTNFT_FARMING_TO_POOL;
  memcpy(in->state.target_puzzle_hash, target, 32);
  memcpy(in->state.owner_pubkey, pk.bytes, 48);
  in->state.has_pool_url = true;
  memcpy(in->state.pool_url, "https://pool.example", 21);
  in->state.relative_lock_height = 100;
  memcpy(in->singleton.parent_coin_info, in->id.launcher_id, 32);
  plotnft_state_hashes(&in->id, in->genesis_challenge, &in->state, NULL,
                       in->singleton.puzzle_hash);
  in->singleton.amount = 1;
  in->lineage.eve = true;
  memcpy(in->lineage.parent_parent, launcher.parent_coin_info, 32);
  in->lineage.parent_amount = 1;
  assert_int_equal(sim_chain_add_coin(fx->chain, &in->singleton), CP_OK);
  plotnft_p2_hash(&in->id, p2);
  memset(farmer_ph, 0xfa, 32);
  assert_int_equal(sim_chain_farm_block(fx->chain, farmer_ph, p2, &h), CP_OK);
  rw->height = h;
  rw->amount = coin_pool_reward(h);
  plotnft_reward_coin(in, rw, &reward, reward_id);
  bls_sk_wipe(&sk);
}

/* create_signed_transaction: a signed, unpushed spend that pays the fee and
 * asserts the reward coin's "$" announcement: refused alone, accepted
 * with the absorb that makes the announcement; the target gets the whole
 * reward and the wallet pays exactly the fee. */
/* excluded_coin_ids: the coins the pool holds for an absorb's fee spend are
 * never chosen, even when they are the best fit. Its own fresh wallet: the
 * group's has spent its coins by now. */
static void test_send_excluding(void **state)
{
  struct fx *fx;
  void *st = NULL;
  struct node_payment pay;
  struct node_send_opts o;
  struct node_tx_record tx;
  struct node_wallet_balance b;
  struct node_error e;
  struct sim_coin_record *recs = NULL;
  size_t n = 0;
  uint8_t ph[32], big[2][32];
  (void)state;

  assert_int_equal(setup(&st), 0);
  fx = st;
  sim_wallet_puzzle_hash(fx->w, 0, ph);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(fx->chain, (const uint8_t(*)[32])ph, 1,
                                                    false, 0, 0, &recs, &n),
                   CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(recs[0].coin.amount, 700000);
  memcpy(big[0], recs[0].id, 32);
  free(recs);
  sim_wallet_puzzle_hash(fx->w, 3, ph);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(fx->chain, (const uint8_t(*)[32])ph, 1,
                                                    false, 0, 0, &recs, &n),
                   CP_OK);
  assert_int_equal(n, 1);
  memcpy(big[1], recs[0].id, 32);
  free(recs);

  memset(&pay, 0, sizeof pay);
  memset(pay.puzzle_hash, 0xd3, 32);
  pay.amount = 1000;
  memset(&o, 0, sizeof o);
  o.fee = 7;
  o.excluded_coin_ids = (const uint8_t (*)[32])big;
  o.n_excluded = 1;
  /* largest first would take the 700000 coin; it is excluded */
  assert_int_equal(wallet_send_transaction_multi(fx->c, &o, &pay, 1, &tx, &e), CP_OK);
  assert_int_equal(tx.n_removals, 1);
  assert_int_equal(wallet_get_wallet_balance(fx->c, 1, &b, &e), CP_OK);
  assert_int_equal(b.spendable_balance, 700000);
  assert_int_equal(b.pending_change, 500000 - 1000 - 7);
  /* with both excluded nothing is left to pay from */
  o.n_excluded = 2;
  assert_int_equal(wallet_send_transaction_multi(fx->c, &o, &pay, 1, &tx, &e), CP_RPC_ERROR);
  teardown(&st);
}

static void test_create_signed_with_absorb(void **state)
{
  void *own = NULL;
  struct fx *fx;
  struct plotnft_absorb_in in;
  struct plotnft_absorb_out after;
  struct plotnft_reward rw;
  struct node_signed_tx_opts o;
  struct node_coin_announcement ann;
  struct node_payment pay;
  struct node_wallet_balance b;
  struct node_tx_records list;
  struct node_error e;
  struct chia_spend_bundle absorb, fee_sb;
  struct sim_coin_record r;
  const char *why = NULL;
  uint8_t target[32], rid[32], farmer_ph[32];
  const uint64_t fee = 12345;

  (void)state; /* a fresh wallet: the group's has paid already */
  assert_int_equal(setup(&own), 0);
  fx = own;
  sim_wallet_puzzle_hash(fx->w, 0, target);
  plotnft_with_reward(fx, target, &in, &rw, rid);
  memset(&o, 0, sizeof o);
  memset(&pay, 0, sizeof pay);
  memcpy(pay.puzzle_hash, target, 32);
  pay.amount = 1;
  memcpy(ann.coin_id, rid, 32);
  ann.message = (const uint8_t *)"$";
  ann.message_len = 1;
  o.fee = fee;
  o.coin_announcements = &ann;
  o.n_coin_announcements = 1;
  assert_int_equal(wallet_create_signed_transaction(fx->c, &o, &pay, 1, &fee_sb, &e), CP_OK);
  assert_int_equal(fee_sb.coin_spends.count, 1); /* the 700000 coin covers it */
  assert_true(chia_spend_bundle_at(&fee_sb, 0)->coin.amount == 700000);

  /* not pushed: nothing pending, no record */
  assert_int_equal(wallet_get_wallet_balance(fx->c, 1, &b, &e), CP_OK);
  assert_int_equal(b.spendable_balance, 1200000);
  assert_int_equal(b.pending_coin_removal_count, 0);
  assert_int_equal(wallet_get_transactions(fx->c, 1, 0, 50, &list, &e), CP_OK);
  assert_int_equal(list.n, 0);
  node_tx_records_free(&list);

  /* alone it asserts an announcement nobody makes */
  assert_int_equal(sim_chain_push_tx(fx->chain, &fee_sb, &why), CP_TX_FAILED);
  assert_string_equal(why, "ASSERT_ANNOUNCE_CONSUMED_FAILED");
  /* a wrong message is another announcement */
  ann.message = (const uint8_t *)"#";
  {
    struct chia_spend_bundle other, ab;
    assert_int_equal(wallet_create_signed_transaction(fx->c, &o, &pay, 1, &other, &e), CP_OK);
    assert_int_equal(plotnft_absorb_bundle(&in, &rw, 1, &ab, &after), CP_OK);
    assert_int_equal(coin_bundle_merge(&ab, &other), CP_OK);
    why = NULL;
    assert_int_equal(sim_chain_push_tx(fx->chain, &ab, &why), CP_TX_FAILED);
    assert_string_equal(why, "ASSERT_ANNOUNCE_CONSUMED_FAILED");
    chia_spend_bundle_release(&ab);
    chia_spend_bundle_release(&other);
  }

  /* with the absorb: accepted, and it lands */
  assert_int_equal(plotnft_absorb_bundle(&in, &rw, 1, &absorb, &after), CP_OK);
  assert_int_equal(coin_bundle_merge(&absorb, &fee_sb), CP_OK);
  assert_int_equal(absorb.coin_spends.count, 3);
  why = NULL;
  assert_int_equal(sim_chain_push_tx(fx->chain, &absorb, &why), CP_OK);
  /* a payment meanwhile leaves the coin the mempool spends alone (else it
   * would conflict with the absorb and be refused) */
  {
    struct node_send_opts so;
    struct node_payment p2;
    struct node_tx_record tx;
    memset(&so, 0, sizeof so);
    memset(&p2, 0, sizeof p2);
    memset(p2.puzzle_hash, 0xd9, 32);
    p2.amount = 1000;
    struct node_tx_coins coins;
    assert_int_equal(wallet_send_transaction_multi(fx->c, &so, &p2, 1, &tx, &e), CP_OK);
    assert_int_equal(tx.n_removals, 1);
    assert_int_equal(wallet_get_transaction_coins(fx->c, tx.name, &tx, &coins, &e), CP_OK);
    assert_int_equal(coins.n_removals, 1);
    assert_true(coins.removals[0].amount == 500000);
    node_tx_coins_release(&coins);
  }
  memset(farmer_ph, 0xfa, 32);
  assert_int_equal(sim_chain_farm_block(fx->chain, farmer_ph, farmer_ph, NULL), CP_OK);
  assert_int_equal(sim_chain_coin(fx->chain, rid, &r), CP_OK);
  assert_true(r.spent_height > 0);
  assert_int_equal(wallet_get_wallet_balance(fx->c, 1, &b, &e), CP_OK);
  /* reward + the 1-mojo output back to the target - (1 + fee) spent, and
   * the 1000 paid away */
  assert_true(b.confirmed_wallet_balance == 1200000 + rw.amount - fee - 1000);
  assert_true(b.spendable_balance == 1200000 + rw.amount - fee - 1000);
  assert_int_equal(b.unspent_coin_count, 4); /* 2 changes, 1 mojo, reward */
  chia_spend_bundle_release(&absorb);
  chia_spend_bundle_release(&fee_sb);
  teardown(&own);
}

/* push: true goes to the mempool and is recorded like a payment; the
 * simulator refuses what it cannot do (explicit coins, morphed
 * announcements) rather than ignore it. */
static void test_create_signed_push_and_refusals(void **state)
{
  void *own = NULL;
  struct fx *fx;
  struct sim_wallet_sign_opts o;
  struct node_payment pay;
  struct node_wallet_balance b;
  struct node_error e;
  struct chia_spend_bundle sb;
  const char *why = NULL;
  uint8_t id[32];
  json_t *req, *resp = NULL;

  (void)state;
  assert_int_equal(setup(&own), 0);
  fx = own;
  memset(&o, 0, sizeof o);
  memset(&pay, 0, sizeof pay);
  memset(pay.puzzle_hash, 0xd3, 32);
  pay.amount = 1000;
  o.pay = &pay;
  o.n = 1;
  o.fee = 7;
  o.push = true;
  assert_int_equal(sim_wallet_sign(fx->w, &o, &sb, id, &why), CP_OK);
  chia_spend_bundle_release(&sb);
  assert_int_equal(wallet_get_wallet_balance(fx->c, 1, &b, &e), CP_OK);
  assert_int_equal(b.pending_coin_removal_count, 1);
  assert_int_equal(b.spendable_balance, 500000);
  {
    struct node_tx_record tx;
    assert_int_equal(wallet_get_transaction(fx->c, id, &tx, &e), CP_OK);
    assert_int_equal(tx.fee_amount, 7);
    assert_int_equal(tx.amount, 1000);
  }
  /* more than the spendable coins */
  o.push = false;
  pay.amount = 500000;
  assert_int_equal(sim_wallet_sign(fx->w, &o, &sb, id, &why), CP_NOT_FOUND);
  assert_int_equal(sb.coin_spends.count, 0);

  req = json_pack("{s:[{s:s,s:i}],s:i,s:[{s:s,s:s,s:s}]}", "additions", "puzzle_hash",
                  "0xd3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3",
                  "amount", 1, "fee", 0, "coin_announcements", "coin_id",
                  "0x0101010101010101010101010101010101010101010101010101010101010101",
                  "message", "24", "morph_bytes", "aa");
  assert_non_null(req);
  assert_int_equal(node_call(fx->c, "create_signed_transaction", req, &resp, &e), CP_RPC_ERROR);
  json_decref(resp);
  resp = NULL;
  json_object_del(req, "coin_announcements");
  assert_int_equal(json_object_set_new(req, "coins", json_pack("[{}]")), 0);
  assert_int_equal(node_call(fx->c, "create_signed_transaction", req, &resp, &e), CP_RPC_ERROR);
  json_decref(resp);
  resp = NULL;
  json_object_del(req, "coins");
  assert_int_equal(node_call(fx->c, "create_signed_transaction", req, &resp, &e), CP_OK);
  assert_non_null(json_object_get(json_object_get(resp, "signed_tx"), "spend_bundle"));
  assert_int_equal(json_array_size(json_object_get(resp, "signed_txs")), 1);
  json_decref(resp);
  json_decref(req);
  teardown(&own);
}

/* Records list their coins exactly; a transaction whose input another
 * bundle spends first reads "confirmed", as in Chia's wallet, though none
 * of its outputs exists. */
static void test_record_coins_and_double_spend(void **state)
{
  struct fx *fx = *state;
  struct node_payment pay;
  struct node_send_opts o;
  struct node_tx_record tx, got;
  struct node_tx_coins tc;
  struct node_error e;
  struct chia_coin in, c;
  struct sim_chain_state cs;
  struct sim_coin_record *recs = NULL;
  const char *why = NULL;
  uint8_t dest[32], ph0[32], ph1[32], in_id[32], other[32], unknown[32];
  uint32_t height;
  size_t n = 0;
  /* larger than any other coin of the wallet: the one it picks */
  const uint64_t BIG = 1000000000000000ull;

  sim_wallet_puzzle_hash(fx->w, 0, ph0);
  sim_wallet_puzzle_hash(fx->w, 1, ph1);
  sim_wallet_puzzle_hash(fx->w, 5, dest);
  assert_int_equal(sim_chain_give(fx->chain, dest, BIG, &in), CP_OK);
  coin_id(&in, in_id);
  memset(dest, 0xd3, 32);
  memset(&pay, 0, sizeof pay);
  memcpy(pay.puzzle_hash, dest, 32);
  pay.amount = 1000;
  memset(&o, 0, sizeof o);
  o.fee = 10;
  assert_int_equal(wallet_send_transaction_multi(fx->c, &o, &pay, 1, &tx, &e), CP_OK);
  assert_int_equal(wallet_get_transaction_coins(fx->c, tx.name, &got, &tc, &e), CP_OK);
  assert_memory_equal(got.name, tx.name, 32);
  assert_int_equal(tc.n_removals, 1);
  assert_memory_equal(tc.removals[0].parent_coin_info, in.parent_coin_info, 32);
  assert_memory_equal(tc.removals[0].puzzle_hash, in.puzzle_hash, 32);
  assert_int_equal(tc.removals[0].amount, BIG);
  assert_int_equal(tc.n_additions, 2);
  assert_memory_equal(tc.additions[0].parent_coin_info, in_id, 32);
  assert_memory_equal(tc.additions[0].puzzle_hash, dest, 32);
  assert_int_equal(tc.additions[0].amount, 1000);
  assert_memory_equal(tc.additions[1].parent_coin_info, in_id, 32);
  assert_memory_equal(tc.additions[1].puzzle_hash, ph0, 32);
  assert_int_equal(tc.additions[1].amount, BIG - 1000 - 10);
  node_tx_coins_release(&tc);

  memset(unknown, 0xee, 32);
  assert_int_equal(sim_wallet_double_spend(fx->w, unknown, other, &why), CP_NOT_FOUND);
  assert_int_equal(sim_wallet_double_spend(fx->w, tx.name, other, &why), CP_OK);
  sim_chain_state(fx->chain, &cs);
  assert_int_equal(cs.mempool_size, 1);   /* ours was replaced */
  assert_int_equal(sim_chain_farm_block(fx->chain, ph0, ph0, &height), CP_OK);
  assert_int_equal(wallet_get_transaction(fx->c, tx.name, &got, &e), CP_OK);
  assert_true(got.confirmed);
  assert_int_equal(got.confirmed_at_height, height);
  /* yet the payment does not exist; the input went to address 1 */
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(fx->chain, (const uint8_t(*)[32])dest, 1,
                                                    true, 0, 0, &recs, &n),
                   CP_OK);
  assert_int_equal(n, 0);
  free(recs);
  memcpy(c.parent_coin_info, in_id, 32);
  memcpy(c.puzzle_hash, ph1, 32);
  c.amount = BIG;
  coin_id(&c, other);
  {
    struct sim_coin_record r;
    assert_int_equal(sim_chain_coin(fx->chain, other, &r), CP_OK);
    assert_int_equal(r.confirmed_height, height);
  }
  /* a transaction already spent cannot be double spent again */
  assert_int_equal(sim_wallet_double_spend(fx->w, tx.name, other, &why), CP_TX_FAILED);
  assert_non_null(why);
}

/* Mutual TLS: a client without a certificate from the CA gets nothing. */
static void test_needs_client_cert(void **state)
{
  struct fx *fx = *state;
  struct node_config nc;
  struct node_client *c;
  struct node_error e;
  bool synced, syncing;

  node_config_init(&nc);
  assert_int_equal(node_config_chia_root(&nc, fx->dir.root, NODE_SERVICE_WALLET), CP_OK);
  snprintf(nc.host, sizeof nc.host, "127.0.0.1");
  nc.port = sim_wallet_port(fx->w);
  nc.retries = 0;
  nc.cert[0] = '\0';
  nc.key[0] = '\0';
  assert_int_equal(node_new(&nc, &c), CP_OK);
  assert_int_not_equal(wallet_get_sync_status(c, &synced, &syncing, &e), CP_OK);
  node_free(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_keys_and_fingerprint),
    cmocka_unit_test(test_session_and_balance),
    cmocka_unit_test(test_send_confirm_and_list),
    cmocka_unit_test(test_send_excluding),
    cmocka_unit_test(test_create_signed_with_absorb),
    cmocka_unit_test(test_create_signed_push_and_refusals),
    cmocka_unit_test(test_needs_client_cert),
    cmocka_unit_test(test_record_coins_and_double_spend),
  };
  int rc;

  if (plotnft_init())
    return 1;
  rc = cmocka_run_group_tests(tests, setup, teardown);
  node_global_cleanup();
  return rc;
}
