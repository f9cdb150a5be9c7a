#include "testutil.h"

#include <string.h>

#include "chia/constants.h"
#include "crypto/sha256.h"

static void test_lookup(void **state)
{
  (void)state;
  assert_non_null(consts_get("mainnet"));
  assert_non_null(consts_get("testnet11"));
  assert_non_null(consts_get("simulator"));
  assert_null(consts_get("testnet10"));
  assert_null(consts_get("Mainnet"));
  assert_null(consts_get(""));
  assert_null(consts_get(NULL));
  assert_string_equal(consts_get("mainnet")->address_prefix, "xch");
  assert_string_equal(consts_get("testnet11")->address_prefix, "txch");
  assert_string_equal(consts_get("simulator")->address_prefix, "txch");
}

/* puzzles.json constants: genesis challenges, AGG_SIG data, reward prefix. */
static void test_vectors(void **state)
{
  json_t *tv = tv_load("puzzles.json");
  json_t *k = tv_get(tv, "constants");
  const struct chia_consts *m = consts_get("mainnet"), *t = consts_get("testnet11");
  uint8_t out[32];
  char key[64];
  (void)state;

  tv_assert_hex(m->genesis_challenge, 32, tv_str(k, "mainnet_genesis_challenge"));
  tv_assert_hex(t->genesis_challenge, 32, tv_str(k, "testnet11_genesis_challenge"));
  tv_assert_hex(m->agg_sig_me_additional_data, 32,
                tv_str(k, "mainnet_agg_sig_me_additional_data"));
  tv_assert_hex(t->agg_sig_me_additional_data, 32,
                tv_str(k, "testnet11_agg_sig_me_additional_data"));
  consts_pool_reward_prefix(m, out);
  tv_assert_hex(out, 32, tv_str(k, "pool_reward_prefix_mainnet"));
  consts_pool_reward_prefix(t, out);
  tv_assert_hex(out, 32, tv_str(k, "pool_reward_prefix_testnet11"));
  for (int op = 43; op <= 48; op++) {
    snprintf(key, sizeof key, "mainnet_agg_sig_additional_data_opcode_%d", op);
    assert_int_equal(consts_agg_sig_data(m, (enum chia_agg_sig)op, out), CP_OK);
    tv_assert_hex(out, 32, tv_str(k, key));
  }
  assert_int_equal(json_integer_value(tv_get(k, "blocks_per_year")),
                   m->blocks_per_year);
  assert_int_equal(consts_agg_sig_data(m, CHIA_AGG_SIG_ME, out), CP_OK);
  assert_memory_equal(out, m->genesis_challenge, 32);
  assert_int_equal(consts_agg_sig_data(m, (enum chia_agg_sig)49, out), CP_INVAL);
  assert_int_equal(consts_agg_sig_data(m, (enum chia_agg_sig)42, out), CP_INVAL);
  json_decref(tv);
}

/* testnet11 AGG_SIG_PARENT..PARENT_PUZZLE as chia_rs lists them. */
static void test_testnet11_agg_sig(void **state)
{
  static const char *const want[] = {
    "c0754ae8602c47489b5394af8972c58238c4389d715f0585ca512d9428395e62",
    "2e63e4ca0796d9ef8e8a748d740f4b8632c4d994ad6cce51bd61a6612d602697",
    "cf15f86103bee6260b0e020a1ba02bcf61230fe209592543399dcf9267f8dfcc",
    "02c0ecb453e75bd77823dd0affd3f224d968012a8c6c6c423801cc30dd5eb347",
    "fc5eaa82087943fbee8683d42ae7a2a7aac0d4eecd4c98d71c228b9c62bf9497",
    "54c3ed8017f77354acca4000b40424396a369740e5a504467784f392b961ab37",
  };
  const struct chia_consts *t = consts_get("testnet11");
  uint8_t out[32];
  (void)state;

  for (int i = 0; i < 6; i++) {
    assert_int_equal(consts_agg_sig_data(t, (enum chia_agg_sig)(43 + i), out), CP_OK);
    tv_assert_hex(out, 32, want[i]);
  }
}

static void test_plot_filter(void **state)
{
  const struct chia_consts *m = consts_get("mainnet"), *t = consts_get("testnet11"),
                           *s = consts_get("simulator");
  static const struct { uint32_t h; unsigned bits; } mainnet[] = {
    { 0, 9 }, { 5495999, 9 }, { 5496000, 8 }, { 10541999, 8 }, { 10542000, 7 },
    { 15591999, 7 }, { 15592000, 6 }, { 20642999, 6 }, { 20643000, 5 },
    { UINT32_MAX, 5 },
  };
  static const struct { uint32_t h; unsigned bits; } testnet[] = {
    { 0, 8 }, { 6029567, 8 }, { 6029568, 7 }, { 11075328, 6 }, { 16121087, 6 },
    { 16121088, 5 },
  };
  (void)state;

  for (size_t i = 0; i < sizeof mainnet / sizeof mainnet[0]; i++)
    assert_int_equal(consts_plot_filter_bits(m, mainnet[i].h), mainnet[i].bits);
  for (size_t i = 0; i < sizeof testnet / sizeof testnet[0]; i++)
    assert_int_equal(consts_plot_filter_bits(t, testnet[i].h), testnet[i].bits);
  assert_int_equal(consts_plot_filter_bits(s, 0), 2);
  assert_int_equal(consts_plot_filter_bits(s, UINT32_MAX - 1), 2);
}

static void test_values(void **state)
{
  const struct chia_consts *m = consts_get("mainnet"), *t = consts_get("testnet11"),
                           *s = consts_get("simulator");
  uint8_t h[32];
  (void)state;

  assert_int_equal(m->min_plot_size, 32);
  assert_int_equal(t->min_plot_size, 18);
  assert_int_equal(s->min_plot_size, 18);
  assert_int_equal(m->max_plot_size, 50);
  assert_true(m->pool_sub_slot_iters == 37600000000ULL);
  assert_int_equal(m->pool_sub_slot_iters / m->num_sps_sub_slot, 587500000);
  assert_true(m->difficulty_constant_factor == (chia_u128)147573952589676412928.0L);
  assert_true(m->difficulty_constant_factor == ((chia_u128)1 << 67));
  assert_true(t->difficulty_constant_factor == 10052721566054ULL);
  assert_int_equal(m->sub_slot_time_target, 600);
  assert_int_equal(m->num_sps_sub_slot, 64);
  assert_true(m->sub_slot_iters_starting == 134217728ULL);
  assert_true(t->sub_slot_iters_starting == 67108864ULL);
  assert_true(m->max_block_cost_clvm == 11000000000ULL);
  /* simulator genesis is documented as sha256("chiapool simulator") */
  sha256(h, "chiapool simulator", strlen("chiapool simulator"));
  assert_memory_equal(s->genesis_challenge, h, 32);
  assert_memory_equal(s->agg_sig_me_additional_data, h, 32);
  /* the reward-prefix trick needs a first byte that is not 00 or ff */
  for (size_t i = 0; consts_all[i]; i++) {
    assert_true(consts_all[i]->genesis_challenge[0] != 0x00);
    assert_true(consts_all[i]->genesis_challenge[0] != 0xff);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lookup),
    cmocka_unit_test(test_vectors),
    cmocka_unit_test(test_testnet11_agg_sig),
    cmocka_unit_test(test_plot_filter),
    cmocka_unit_test(test_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
