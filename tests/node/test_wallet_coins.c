/* TransactionRecord coin lists (node/wallet.h: wallet_parse_tx_coins):
 * "additions" and "removals" parsed exactly from a record shaped like
 * chia-blockchain 2.7.3's TransactionRecord.to_json_dict(), and refused
 * when malformed or longer than WALLET_MAX_TX_COINS. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "node/wallet.h"

#define H32(c) "0x" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
  c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

/* Two outputs (a payment, the change) from one input, and the mempool's
 * verdict in sent_to, as a wallet keeps it for a double spend. */
static const char record[] =
  "{\"confirmed_at_height\": 0, \"created_at_time\": 1710000100,"
  " \"to_puzzle_hash\": \"" H32("5") "\", \"amount\": 1000, \"fee_amount\": 7,"
  " \"confirmed\": false, \"sent\": 3, \"spend_bundle\": null,"
  " \"additions\": ["
  "   {\"parent_coin_info\": \"" H32("a") "\", \"puzzle_hash\": \"" H32("5") "\","
  "    \"amount\": 1000},"
  "   {\"parent_coin_info\": \"" H32("a") "\", \"puzzle_hash\": \"" H32("6") "\","
  "    \"amount\": 18446744073709551615}],"
  " \"removals\": ["
  "   {\"parent_coin_info\": \"" H32("b") "\", \"puzzle_hash\": \"" H32("6") "\","
  "    \"amount\": 18446744073709552622}],"
  " \"wallet_id\": 1,"
  " \"sent_to\": [[\"" H32("c") "\", 3, \"DOUBLE_SPEND\"]],"
  " \"trade_id\": null, \"type\": 1, \"name\": \"" H32("d") "\","
  " \"memos\": {}, \"valid_times\": {}, \"to_address\": \"xch1\"}";

static json_t *load(const char *s)
{
  json_t *j = NULL;
  assert_int_equal(cjson_loadb(s, strlen(s), 1 << 20, &j), CP_OK);
  return j;
}

static void assert_bytes(const uint8_t *p, uint8_t b)
{
  uint8_t want[32];
  memset(want, b, 32);
  assert_memory_equal(p, want, 32);
}

/* The removal's amount does not fit in uint64: the record is refused. */
static void test_removal_amount_too_big(void **state)
{
  json_t *j = load(record);
  struct node_tx_coins tc;
  (void)state;

  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_RPC_RESPONSE);
  assert_null(tc.additions);
  assert_null(tc.removals);
  assert_int_equal(tc.n_additions, 0);
  assert_int_equal(tc.n_removals, 0);
  json_decref(j);
}

static void test_parse_exact(void **state)
{
  json_t *j = load(record), *rem;
  struct node_tx_coins tc;
  struct node_tx_record rec;
  (void)state;

  rem = json_array_get(json_object_get(j, "removals"), 0);
  assert_int_equal(json_object_set_new(rem, "amount", cjson_u64(1750000000000ull)), 0);
  assert_int_equal(wallet_parse_tx_record(j, &rec), CP_OK);
  assert_int_equal(rec.n_additions, 2);
  assert_int_equal(rec.n_removals, 1);
  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_OK);
  assert_int_equal(tc.n_additions, 2);
  assert_int_equal(tc.n_removals, 1);
  assert_bytes(tc.additions[0].parent_coin_info, 0xaa);
  assert_bytes(tc.additions[0].puzzle_hash, 0x55);
  assert_int_equal(tc.additions[0].amount, 1000);
  assert_bytes(tc.additions[1].parent_coin_info, 0xaa);
  assert_bytes(tc.additions[1].puzzle_hash, 0x66);
  assert_true(tc.additions[1].amount == UINT64_MAX);
  assert_bytes(tc.removals[0].parent_coin_info, 0xbb);
  assert_bytes(tc.removals[0].puzzle_hash, 0x66);
  assert_int_equal(tc.removals[0].amount, 1750000000000ull);
  node_tx_coins_release(&tc);
  assert_null(tc.additions);
  assert_int_equal(tc.n_additions, 0);
  json_decref(j);
}

static void test_empty_lists(void **state)
{
  json_t *j = load(record);
  struct node_tx_coins tc;
  (void)state;

  assert_int_equal(json_object_set_new(j, "additions", json_array()), 0);
  assert_int_equal(json_object_set_new(j, "removals", json_array()), 0);
  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_OK);
  assert_int_equal(tc.n_additions, 0);
  assert_int_equal(tc.n_removals, 0);
  node_tx_coins_release(&tc);
  json_decref(j);
}

static void test_malformed(void **state)
{
  json_t *j = load(record);
  struct node_tx_coins tc;
  json_t *coin;
  (void)state;

  /* missing list */
  json_object_del(j, "removals");
  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_RPC_RESPONSE);
  assert_int_equal(tc.n_additions, 0);
  /* a list that is not one */
  assert_int_equal(json_object_set_new(j, "removals", json_object()), 0);
  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_RPC_RESPONSE);
  /* a coin with a short puzzle hash (additions parsed fine, then dropped) */
  assert_int_equal(json_object_set_new(j, "removals", json_array()), 0);
  coin = json_deep_copy(json_array_get(json_object_get(j, "additions"), 0));
  assert_int_equal(json_object_set_new(coin, "puzzle_hash", json_string("0x55")), 0);
  assert_int_equal(json_array_append_new(json_object_get(j, "removals"), coin), 0);
  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_RPC_RESPONSE);
  assert_null(tc.additions);
  assert_int_equal(tc.n_additions, 0);
  /* a negative amount */
  assert_int_equal(json_object_set_new(coin, "puzzle_hash", json_string(H32("5"))), 0);
  assert_int_equal(json_object_set_new(coin, "amount", json_integer(-1)), 0);
  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_RPC_RESPONSE);
  json_decref(j);
}

static void test_bounded(void **state)
{
  json_t *j = load(record), *adds, *one;
  struct node_tx_coins tc;
  (void)state;

  assert_int_equal(json_object_set_new(j, "removals", json_array()), 0);
  adds = json_object_get(j, "additions");
  one = json_array_get(adds, 0);
  while (json_array_size(adds) < WALLET_MAX_TX_COINS)
    assert_int_equal(json_array_append(adds, one), 0);
  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_OK);
  assert_int_equal(tc.n_additions, WALLET_MAX_TX_COINS);
  assert_int_equal(tc.additions[WALLET_MAX_TX_COINS - 1].amount, 1000);
  node_tx_coins_release(&tc);
  assert_int_equal(json_array_append(adds, one), 0);
  assert_int_equal(wallet_parse_tx_coins(j, &tc), CP_RPC_RESPONSE);
  assert_null(tc.additions);
  json_decref(j);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_removal_amount_too_big),
    cmocka_unit_test(test_parse_exact),
    cmocka_unit_test(test_empty_lists),
    cmocka_unit_test(test_malformed),
    cmocka_unit_test(test_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
