#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "chia/constants.h"
#include "crypto/bls.h"
#include "crypto/keys.h"
#include "util/parse.h"

static uint64_t u64_of(json_t *v, const char *key)
{
  uint64_t x;
  assert_int_equal(parse_u64_cstr(tv_str(v, key), UINT64_MAX, &x), CP_OK);
  return x;
}

/* puzzles.json coin_ids: CLVM amount bytes and the id. */
static void test_coin_ids(void **state)
{
  json_t *tv = tv_load("puzzles.json");
  json_t *arr = tv_get(tv, "coin_ids");
  size_t i;
  json_t *v;
  (void)state;

  assert_true(json_array_size(arr) >= 10);
  json_array_foreach(arr, i, v) {
    struct chia_coin c;
    uint8_t amt[9], id[32];
    size_t n;
    tv_hex_exact(v, "parent_coin_info", c.parent_coin_info, 32);
    tv_hex_exact(v, "puzzle_hash", c.puzzle_hash, 32);
    c.amount = u64_of(v, "amount");
    n = coin_amount_clvm(c.amount, amt);
    tv_assert_hex(amt, n, tv_str(v, "amount_clvm_bytes"));
    coin_id(&c, id);
    tv_assert_hex(id, 32, tv_str(v, "coin_id"));
  }
  json_decref(tv);
}

static void test_rewards(void **state)
{
  json_t *tv = tv_load("puzzles.json");
  json_t *arr = tv_get(tv_get(tv, "block_rewards"), "heights");
  size_t i;
  json_t *v;
  (void)state;

  assert_true(json_array_size(arr) >= 14);
  json_array_foreach(arr, i, v) {
    uint32_t h = (uint32_t)json_integer_value(tv_get(v, "height"));
    assert_true(coin_pool_reward(h) == u64_of(v, "pool_reward"));
    assert_true(coin_farmer_reward(h) == u64_of(v, "base_farmer_reward"));
  }
  assert_true(coin_pool_reward(UINT32_MAX) == 109375000000ULL);
  json_decref(tv);
}

static void test_reward_parents(void **state)
{
  json_t *tv = tv_load("puzzles.json");
  json_t *arr = tv_get(tv_get(tv, "reward_coin_parents"), "vectors");
  size_t i;
  json_t *v;
  (void)state;

  assert_true(json_array_size(arr) >= 4);
  json_array_foreach(arr, i, v) {
    uint8_t gc[32], out[32];
    const struct chia_consts *c = consts_get(tv_str(v, "network"));
    uint32_t h = (uint32_t)json_integer_value(tv_get(v, "height"));
    assert_non_null(c);
    tv_hex_exact(v, "genesis_challenge", gc, 32);
    assert_memory_equal(gc, c->genesis_challenge, 32);
    coin_pool_parent_id(gc, h, out);
    tv_assert_hex(out, 32, tv_str(v, "pool_parent_id"));
    coin_farmer_parent_id(gc, h, out);
    tv_assert_hex(out, 32, tv_str(v, "farmer_parent_id"));
  }
  json_decref(tv);
}

/* The absorb vectors' reward coin: parent from height, id from the coin. */
static void test_absorb_reward_coin(void **state)
{
  json_t *tv = tv_load("puzzles.json");
  json_t *arr = tv_get(tv, "absorb_spends");
  size_t i;
  json_t *v;
  (void)state;

  json_array_foreach(arr, i, v) {
    json_t *rc = tv_get(v, "reward_coin");
    const struct chia_consts *c = consts_get(tv_str(v, "network"));
    uint32_t h = (uint32_t)json_integer_value(tv_get(v, "reward_height"));
    struct chia_coin coin;
    uint8_t parent[32], id[32];
    assert_non_null(c);
    coin_pool_parent_id(c->genesis_challenge, h, parent);
    tv_hex_exact(rc, "parent_coin_info", coin.parent_coin_info, 32);
    assert_memory_equal(parent, coin.parent_coin_info, 32);
    tv_hex_exact(rc, "puzzle_hash", coin.puzzle_hash, 32);
    coin.amount = u64_of(v, "reward_amount");
    assert_true(coin.amount == coin_pool_reward(h));
    if (json_object_get(rc, "coin_id")) {
      coin_id(&coin, id);
      tv_assert_hex(id, 32, tv_str(rc, "coin_id"));
    }
  }
  json_decref(tv);
}

static void test_mojo_text(void **state)
{
  static const struct { uint64_t mojo; const char *s; } cases[] = {
    { 0, "0" },
    { 1, "0.000000000001" },
    { 1750000000000ULL, "1.75" },
    { 1000000000000ULL, "1" },
    { 18375000000000000000ULL, "18375000" },
    { UINT64_MAX, "18446744.073709551615" },
  };
  char out[CHIA_XCH_STR_MAX];
  uint64_t m;
  (void)state;

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_int_equal(coin_mojo_format(cases[i].mojo, out, sizeof out), CP_OK);
    assert_string_equal(out, cases[i].s);
    assert_int_equal(coin_xch_parse(cases[i].s, strlen(cases[i].s), &m), CP_OK);
    assert_true(m == cases[i].mojo);
  }
  assert_int_equal(coin_mojo_format(UINT64_MAX, out, 10), CP_TOO_BIG);
  assert_int_equal(coin_xch_parse("1.0000000000001", 15, &m), CP_BAD_NUMBER);
  assert_int_equal(coin_xch_parse("1.50", 4, &m), CP_OK);
  assert_true(m == 1500000000000ULL);
  assert_int_equal(coin_xch_parse("18446744.073709551616", 21, &m), CP_BAD_NUMBER);
  assert_int_equal(coin_xch_parse("21000000", 8, &m), CP_BAD_NUMBER);
  assert_int_equal(coin_xch_parse("-1", 2, &m), CP_BAD_NUMBER);
  assert_int_equal(coin_xch_parse("1e3", 3, &m), CP_BAD_NUMBER);
  assert_int_equal(coin_xch_parse("", 0, &m), CP_BAD_NUMBER);
  assert_int_equal(coin_xch_parse("1.", 2, &m), CP_BAD_NUMBER);
}

/* A bundle of n spends of coins with amounts base, base+1, ... (one-byte
 * programs, heap-owned like a parsed bundle), signed by sig. */
static void mk_bundle(struct chia_spend_bundle *sb, uint32_t n, uint64_t base,
                      const uint8_t sig[96])
{
  struct chia_coin_spend *v = calloc(n ? n : 1, sizeof *v);
  assert_non_null(v);
  for (uint32_t i = 0; i < n; i++) {
    v[i].coin.amount = base + i;
    v[i].puzzle_reveal.data = malloc(1);
    v[i].solution.data = malloc(1);
    assert_non_null(v[i].puzzle_reveal.data);
    assert_non_null(v[i].solution.data);
    v[i].puzzle_reveal.data[0] = 0x80;
    v[i].solution.data[0] = 0x80;
    v[i].puzzle_reveal.len = v[i].solution.len = 1;
  }
  sb->coin_spends.items = v;
  sb->coin_spends.count = n;
  memcpy(sb->aggregated_signature, sig, 96);
}

/* SpendBundle.aggregate: spends concatenated in order, signatures summed;
 * a bad signature changes nothing. */
static void test_bundle_merge(void **state)
{
  static const uint8_t msg1[] = "fee spend", msg2[] = "other spend";
  struct bls_sk sk;
  struct bls_sig s1, s2, sum;
  struct chia_spend_bundle a, b;
  uint8_t seed[32], ident[96] = { 0xc0 }, bad[96];
  (void)state;

  memset(seed, 0x21, sizeof seed);
  assert_int_equal(keys_gen(&sk, seed, sizeof seed), CP_OK);
  bls_sign(&s1, &sk, msg1, sizeof msg1);
  bls_sign(&s2, &sk, msg2, sizeof msg2);

  /* the absorb (identity signature) + a signed wallet spend */
  mk_bundle(&a, 2, 100, ident);
  mk_bundle(&b, 1, 200, s1.bytes);
  assert_int_equal(coin_bundle_merge(&a, &b), CP_OK);
  assert_int_equal(a.coin_spends.count, 3);
  assert_true(chia_spend_bundle_at(&a, 0)->coin.amount == 100);
  assert_true(chia_spend_bundle_at(&a, 1)->coin.amount == 101);
  assert_true(chia_spend_bundle_at(&a, 2)->coin.amount == 200);
  assert_memory_equal(a.aggregated_signature, s1.bytes, 96);
  assert_int_equal(b.coin_spends.count, 0);
  assert_null(b.coin_spends.items);

  /* two real signatures: the G2 sum */
  mk_bundle(&b, 2, 300, s2.bytes);
  assert_int_equal(coin_bundle_merge(&a, &b), CP_OK);
  assert_int_equal(a.coin_spends.count, 5);
  assert_true(chia_spend_bundle_at(&a, 4)->coin.amount == 301);
  {
    struct bls_sig both[2] = { s1, s2 };
    bls_aggregate(&sum, both, 2);
  }
  assert_memory_equal(a.aggregated_signature, sum.bytes, 96);

  /* not a G2 point: refused, nothing moved */
  memset(bad, 0xff, sizeof bad);
  mk_bundle(&b, 1, 400, bad);
  assert_int_equal(coin_bundle_merge(&a, &b), CP_BAD_SIGNATURE);
  assert_int_equal(a.coin_spends.count, 5);
  assert_int_equal(b.coin_spends.count, 1);
  assert_memory_equal(a.aggregated_signature, sum.bytes, 96);
  assert_int_equal(coin_bundle_merge(&b, &a), CP_BAD_SIGNATURE);
  assert_int_equal(b.coin_spends.count, 1);

  /* an empty bundle with the identity signature is neutral */
  chia_spend_bundle_release(&b);
  memset(&b, 0, sizeof b);
  memcpy(b.aggregated_signature, ident, 96);
  assert_int_equal(coin_bundle_merge(&a, &b), CP_OK);
  assert_int_equal(a.coin_spends.count, 5);
  assert_memory_equal(a.aggregated_signature, sum.bytes, 96);
  chia_spend_bundle_release(&a);
  bls_sk_wipe(&sk);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_coin_ids),
    cmocka_unit_test(test_rewards),
    cmocka_unit_test(test_reward_parents),
    cmocka_unit_test(test_absorb_reward_coin),
    cmocka_unit_test(test_mojo_text),
    cmocka_unit_test(test_bundle_merge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
