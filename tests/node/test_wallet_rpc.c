/* Wallet RPC client (node/wallet.h) against the fake Chia RPC server:
 * exact requests, strict parsing of 2.7.3-shaped answers. */
#include "fakenode.h"

#include <string.h>

#include "chia/types.h"
#include "node/rpc.h"
#include "node/wallet.h"

#define TX_RECORD(amount)                                                    \
  "{\"confirmed_at_height\": 4000020, \"created_at_time\": 1710000100,"      \
  " \"to_puzzle_hash\": \"" H32("5") "\", \"amount\": " #amount ","           \
  " \"fee_amount\": 0, \"confirmed\": true, \"sent\": 2, \"spend_bundle\": null," \
  " \"additions\": [{}, {}], \"removals\": [{}], \"wallet_id\": 1,"          \
  " \"sent_to\": [], \"trade_id\": null, \"type\": 1, \"name\": \"" H32("d") "\"," \
  " \"memos\": {}, \"valid_times\": {}, \"to_address\": \"xch1\"}"

static void assert_tx(const struct node_tx_record *t, uint64_t amount)
{
  uint8_t h[32];
  fill(h, 'd');
  assert_memory_equal(t->name, h, 32);
  fill(h, '5');
  assert_memory_equal(t->to_puzzle_hash, h, 32);
  assert_true(t->amount == amount);
  assert_int_equal(t->confirmed_at_height, 4000020);
  assert_int_equal(t->created_at_time, 1710000100);
  assert_int_equal(t->fee_amount, 0);
  assert_true(t->confirmed);
  assert_int_equal(t->sent, 2);
  assert_int_equal(t->wallet_id, 1);
  assert_int_equal(t->type, 1);
  assert_int_equal(t->n_additions, 2);
  assert_int_equal(t->n_removals, 1);
}

static void test_wallet(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_WALLET);
  struct node_wallet_balance wb;
  struct node_tx_record tx;
  struct node_tx_records txs;
  struct node_payment pay[2];
  struct node_coin coin;
  uint8_t excluded[2][32];
  struct node_send_opts opts = { 0, 5, &coin, 1, true, NULL, 0 };
  struct node_error e;
  uint32_t fp;
  bool synced, syncing;
  (void)state;

  fake_reply(f, "{\"fingerprint\": 3000000001, \"success\": true}");
  assert_int_equal(wallet_log_in(c, 3000000001u, &fp, NULL), CP_OK);
  assert_request(f, "log_in", "{\"fingerprint\":3000000001}");
  assert_int_equal(fp, 3000000001u);
  fake_reply(f, "{\"success\": false, \"error\": \"Unknown fingerprint\"}");
  assert_int_equal(wallet_log_in(c, 1, &fp, &e), CP_RPC_ERROR);
  assert_string_equal(e.message, "Unknown fingerprint");

  fake_reply(f, "{\"synced\": true, \"syncing\": false, \"genesis_initialized\": true,"
                " \"success\": true}");
  assert_int_equal(wallet_get_sync_status(c, &synced, &syncing, NULL), CP_OK);
  assert_true(synced);
  assert_false(syncing);

  fake_reply(f, "{\"wallet_balance\": {\"confirmed_wallet_balance\": 18446744073709551615,"
                " \"unconfirmed_wallet_balance\": 2, \"spendable_balance\": 3,"
                " \"pending_change\": 4, \"max_send_amount\": 5, \"unspent_coin_count\": 6,"
                " \"pending_coin_removal_count\": 7, \"wallet_id\": 1, \"wallet_type\": 0,"
                " \"fingerprint\": 3000000001, \"asset_id\": null,"
                " \"pending_approval_balance\": null}, \"wallet_id\": 1, \"success\": true}");
  assert_int_equal(wallet_get_wallet_balance(c, 1, &wb, NULL), CP_OK);
  assert_request(f, "get_wallet_balance", "{\"wallet_id\":1}");
  assert_true(wb.confirmed_wallet_balance == UINT64_MAX);
  assert_int_equal(wb.unconfirmed_wallet_balance, 2);
  assert_int_equal(wb.spendable_balance, 3);
  assert_int_equal(wb.pending_change, 4);
  assert_int_equal(wb.max_send_amount, 5);
  assert_int_equal(wb.unspent_coin_count, 6);
  assert_int_equal(wb.pending_coin_removal_count, 7);
  assert_true(wb.has_fingerprint);
  assert_int_equal(wb.fingerprint, 3000000001u);
  fake_reply(f, "{\"wallet_balance\": {\"confirmed_wallet_balance\": 18446744073709551616,"
                " \"unconfirmed_wallet_balance\": 2, \"spendable_balance\": 3,"
                " \"pending_change\": 4, \"max_send_amount\": 5, \"unspent_coin_count\": 6,"
                " \"pending_coin_removal_count\": 7, \"wallet_id\": 1, \"wallet_type\": 0,"
                " \"fingerprint\": null}, \"success\": true}");
  assert_int_equal(wallet_get_wallet_balance(c, 1, &wb, NULL), CP_RPC_RESPONSE);

  memset(pay, 0, sizeof pay);
  fill(pay[0].puzzle_hash, '5');
  pay[0].amount = 18446744073709551615ull;
  pay[0].memo = "payout 1";
  fill(pay[1].puzzle_hash, '6');
  pay[1].amount = 1;
  fill(coin.parent_coin_info, '1');
  fill(coin.puzzle_hash, '2');
  coin.amount = 9223372036854775808ull;
  fake_reply(f, "{\"transaction\": " TX_RECORD(18446744073709551615) ", \"transaction_id\": \""
                H32("d") "\", \"transactions\": [], \"unsigned_transactions\": [],"
                " \"success\": true}");
  assert_int_equal(wallet_send_transaction_multi(c, &opts, pay, 2, &tx, NULL), CP_OK);
  assert_request(f, "send_transaction_multi",
                 "{\"wallet_id\":1,\"fee\":5,\"additions\":[{\"puzzle_hash\":\"" H32("5") "\","
                 "\"amount\":18446744073709551615,\"memos\":[\"payout 1\"]},"
                 "{\"puzzle_hash\":\"" H32("6") "\",\"amount\":1}],"
                 "\"coins\":[{\"parent_coin_info\":\"" H32("1") "\",\"puzzle_hash\":\""
                 H32("2") "\",\"amount\":9223372036854775808}],"
                 "\"excluded_coin_amounts\":[0]}");
  assert_tx(&tx, UINT64_MAX);
  assert_int_equal(wallet_send_transaction_multi(c, &opts, pay, 0, &tx, NULL), CP_INVAL);
  /* coins held for an absorb's fee spend go out as excluded_coin_ids */
  fill(excluded[0], '7');
  fill(excluded[1], '8');
  opts.excluded_coin_ids = (const uint8_t (*)[32])excluded;
  opts.n_excluded = 2;
  opts.n_coins = 0;
  fake_reply(f, "{\"transaction\": " TX_RECORD(18446744073709551615) ", \"transaction_id\": \""
                H32("d") "\", \"success\": true}");
  assert_int_equal(wallet_send_transaction_multi(c, &opts, pay + 1, 1, &tx, NULL), CP_OK);
  assert_request(f, "send_transaction_multi",
                 "{\"wallet_id\":1,\"fee\":5,\"additions\":[{\"puzzle_hash\":\"" H32("6") "\","
                 "\"amount\":1}],\"excluded_coin_amounts\":[0],"
                 "\"excluded_coin_ids\":[\"" H32("7") "\",\"" H32("8") "\"]}");
  opts.excluded_coin_ids = NULL;
  assert_int_equal(wallet_send_transaction_multi(c, &opts, pay, 1, &tx, NULL), CP_INVAL);
  opts.n_excluded = 0;
  opts.n_coins = 1;

  fake_reply(f, "{\"transaction\": " TX_RECORD(7) ", \"transaction_id\": \"" H32("d") "\","
                " \"success\": true}");
  /* the id may alias the output record */
  assert_int_equal(wallet_get_transaction(c, tx.name, &tx, NULL), CP_OK);
  assert_request(f, "get_transaction", "{\"transaction_id\":\"" H32("d") "\"}");
  assert_tx(&tx, 7);

  fake_reply(f, "{\"transactions\": [" TX_RECORD(8) "," TX_RECORD(9) "], \"wallet_id\": 1,"
                " \"success\": true}");
  assert_int_equal(wallet_get_transactions(c, 1, 0, 50, &txs, NULL), CP_OK);
  assert_request(f, "get_transactions", "{\"wallet_id\":1,\"start\":0,\"end\":50}");
  assert_int_equal(txs.n, 2);
  assert_tx(&txs.v[0], 8);
  assert_tx(&txs.v[1], 9);
  node_tx_records_free(&txs);
  node_free(c);
  fake_stop(f);
}

#define G2_IDENTITY                                                          \
  "0xc00000000000000000000000000000000000000000000000000000000000000000"     \
  "000000000000000000000000000000000000000000000000000000000000000000"     \
  "000000000000000000000000000000000000000000000000000000000000"
#define SIGNED_BUNDLE                                                        \
  "{\"coin_spends\": [{\"coin\": {\"parent_coin_info\": \"" H32("1") "\","       \
  " \"puzzle_hash\": \"" H32("2") "\", \"amount\": 18446744073709551615},"      \
  " \"puzzle_reveal\": \"0x80\", \"solution\": \"0xff8080\"}],"                 \
  " \"aggregated_signature\": \"" G2_IDENTITY "\"}"

/* create_signed_transaction: the exact request (push false, announcements
 * as hex) and strict parsing of the signed bundle. */
static void test_wallet_create_signed(void **state)
{
  struct fake *f = fake_start("config/ssl/daemon/private_daemon",
                              "config/ssl/ca/private_ca.crt");
  struct node_client *c = client_for(f, NODE_SERVICE_WALLET);
  struct node_signed_tx_opts o;
  struct node_coin_announcement ann[2];
  struct node_payment pay;
  struct chia_spend_bundle sb;
  struct node_error e;
  uint8_t h[32];
  (void)state;

  memset(&o, 0, sizeof o);
  memset(&pay, 0, sizeof pay);
  memset(ann, 0, sizeof ann);
  fill(pay.puzzle_hash, '7');
  pay.amount = 1;
  fill(ann[0].coin_id, 'a');
  fill(ann[1].coin_id, 'b');
  ann[0].message = ann[1].message = (const uint8_t *)"$";
  ann[0].message_len = ann[1].message_len = 1;
  o.fee = 18446744073709551615ull;
  o.coin_announcements = ann;
  o.n_coin_announcements = 2;
  fake_reply(f, "{\"signed_txs\": [], \"signed_tx\": {\"name\": \"" H32("d") "\","
                " \"spend_bundle\": " SIGNED_BUNDLE "}, \"transactions\": [],"
                " \"unsigned_transactions\": [], \"success\": true}");
  assert_int_equal(wallet_create_signed_transaction(c, &o, &pay, 1, &sb, &e), CP_OK);
  assert_request(f, "create_signed_transaction",
                 "{\"wallet_id\":1,\"fee\":18446744073709551615,\"additions\":"
                 "[{\"puzzle_hash\":\"" H32("7") "\",\"amount\":1}],"
                 "\"coin_announcements\":[{\"coin_id\":\"" H32("a") "\",\"message\":\"0x24\"},"
                 "{\"coin_id\":\"" H32("b") "\",\"message\":\"0x24\"}],\"push\":false}");
  assert_int_equal(sb.coin_spends.count, 1);
  fill(h, '1');
  assert_memory_equal(chia_spend_bundle_at(&sb, 0)->coin.parent_coin_info, h, 32);
  assert_true(chia_spend_bundle_at(&sb, 0)->coin.amount == UINT64_MAX);
  assert_int_equal(chia_spend_bundle_at(&sb, 0)->solution.len, 3);
  assert_int_equal(sb.aggregated_signature[0], 0xc0);
  chia_spend_bundle_release(&sb);

  /* no signed_tx: the first of signed_txs; no announcements: no key */
  o.n_coin_announcements = 0;
  o.fee = 0;
  o.wallet_id = 2;
  fake_reply(f, "{\"signed_txs\": [{\"spend_bundle\": " SIGNED_BUNDLE "}], \"success\": true}");
  assert_int_equal(wallet_create_signed_transaction(c, &o, &pay, 1, &sb, &e), CP_OK);
  assert_request(f, "create_signed_transaction",
                 "{\"wallet_id\":2,\"fee\":0,\"additions\":"
                 "[{\"puzzle_hash\":\"" H32("7") "\",\"amount\":1}],\"push\":false}");
  assert_int_equal(sb.coin_spends.count, 1);
  chia_spend_bundle_release(&sb);

  /* malformed answers */
  fake_reply(f, "{\"signed_tx\": {\"spend_bundle\": null}, \"success\": true}");
  assert_int_equal(wallet_create_signed_transaction(c, &o, &pay, 1, &sb, &e), CP_RPC_RESPONSE);
  assert_int_equal(sb.coin_spends.count, 0);
  fake_reply(f, "{\"signed_txs\": [], \"success\": true}");
  assert_int_equal(wallet_create_signed_transaction(c, &o, &pay, 1, &sb, &e), CP_RPC_RESPONSE);
  fake_reply(f, "{\"signed_tx\": {\"spend_bundle\": {\"coin_spends\": [],"
                " \"aggregated_signature\": \"0xc0\"}}, \"success\": true}");
  assert_int_equal(wallet_create_signed_transaction(c, &o, &pay, 1, &sb, &e), CP_RPC_RESPONSE);
  /* the wallet's refusal (e.g. not enough coins) */
  fake_reply(f, "{\"success\": false, \"error\": \"Can't select amount higher than our"
                " spendable balance\"}");
  assert_int_equal(wallet_create_signed_transaction(c, &o, &pay, 1, &sb, &e), CP_RPC_ERROR);
  assert_int_equal(sb.coin_spends.count, 0);
  /* bad input never leaves */
  assert_int_equal(wallet_create_signed_transaction(c, &o, &pay, 0, &sb, &e), CP_INVAL);
  o.n_coin_announcements = 1;
  o.coin_announcements = NULL;
  assert_int_equal(wallet_create_signed_transaction(c, &o, &pay, 1, &sb, &e), CP_INVAL);
  node_free(c);
  fake_stop(f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_wallet),
    cmocka_unit_test(test_wallet_create_signed),
  };
  return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
