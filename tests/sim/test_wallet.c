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
#include "plotnft/puzzles.h"
#include "sim/certs.h"
#include "sim/chain.h"
#include "sim/stdtx.h"
#include "sim/wallet.h"
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

  {
    uint8_t unknown[32];
    memset(unknown, 0xee, 32);
    assert_int_equal(wallet_get_transaction(fx->c, unknown, &got, &e), CP_RPC_ERROR);
  }
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
    cmocka_unit_test(test_needs_client_cert),
  };
  int rc;

  if (plotnft_init())
    return 1;
  rc = cmocka_run_group_tests(tests, setup, teardown);
  node_global_cleanup();
  return rc;
}
