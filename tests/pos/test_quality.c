/* Chia-level wrappers: plot id, plot filter, PoS challenge, required
 * iterations (chia-blockchain proof_of_space.py / pot_iterations.py). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "chia/constants.h"
#include "crypto/sha256.h"
#include "pos/quality.h"
#include "util/hex.h"

/* The three mainnet vectors carry their block's keys: both plot-id rules
 * reproduce the plot id chiapos verified the proof against. */
static void test_plot_id_mainnet(void **state)
{
  json_t *all = tv_load("pos_v1.json"), *valid = tv_get(all, "valid"), *v;
  size_t i, pk = 0, ph = 0;
  (void)state;
  json_array_foreach(valid, i, v) {
    uint8_t pool[48], plot[48], want[32], got[32];
    if (!json_object_get(v, "plot_public_key"))
      continue;
    tv_hex_exact(v, "plot_public_key", plot, 48);
    tv_hex_exact(v, "plot_id", want, 32);
    if (json_is_string(tv_get(v, "pool_public_key"))) {
      tv_hex_exact(v, "pool_public_key", pool, 48);
      pos_plot_id_pk(pool, plot, got);
      pk++;
    } else {
      tv_hex_exact(v, "pool_contract_puzzle_hash", pool, 32);
      pos_plot_id_ph(pool, plot, got);
      ph++;
    }
    assert_memory_equal(got, want, 32);
    got[0] ^= 1; /* and the check can fail */
    assert_memory_not_equal(got, want, 32);
  }
  assert_int_equal(pk, 2);
  assert_int_equal(ph, 1);
  json_decref(all);
}

/* Filter input / challenge values computed with python3 hashlib:
 * plot_id = mainnet height-7 plot, challenge_hash = sha256("chiapool cc 0"),
 * sp_hash = sha256("chiapool sp 2821"), whose filter input has exactly 12
 * leading zero bits (000d8c...). */
static void test_plot_filter(void **state)
{
  uint8_t id[32], ch[32], sp[32], out[32];
  (void)state;
  tv_unhex_exact("93e138dbc294e782f8af58762ad929820e38a93903c9ce6b607572f6974b34aa",
                 id, 32);
  tv_unhex_exact("9187bfb8e82e87faf352f4ebd28d0c6633adbec76ed1fbbd8e6c5a3fef46fd40",
                 ch, 32);
  tv_unhex_exact("28af40f4956c19ca1358dc6608009504abd1021d4febabc7dd8c5aa10eba9f03",
                 sp, 32);
  pos_plot_filter_input(id, ch, sp, out);
  tv_assert_hex(out, 32, "000d8cd3e06f883b477f0ccf8b7e32dfd8c4ceef869a69c81440cd0a8a75227e");
  pos_challenge(id, ch, sp, out);
  tv_assert_hex(out, 32, "b73d66229998b8c41f221ba38a122d3c7b9f232d5ce5d215d61cf44ab4911203");
  for (unsigned b = 0; b <= 12; b++)
    assert_true(pos_passes_plot_filter(id, ch, sp, b));
  assert_false(pos_passes_plot_filter(id, ch, sp, 13));
  assert_false(pos_passes_plot_filter(id, ch, sp, 256));
  assert_false(pos_passes_plot_filter(id, ch, sp, 1000));

  /* sp_hash = sha256("chiapool sp 0"): filter input 8a3832... has no
   * leading zero bit, so only the 0-bit filter passes */
  tv_unhex_exact("f5d21d93e7052ace3aeceb81fd5d7f4f15fc1440f7cdaa3630e5edd68cc1e2bb",
                 sp, 32);
  pos_plot_filter_input(id, ch, sp, out);
  tv_assert_hex(out, 32, "8a3832fbe0eb709dcdcc6598688b709cfa693902b8a2c53d4239abf2fd2eabda");
  pos_challenge(id, ch, sp, out);
  tv_assert_hex(out, 32, "dc7e0e78ff3c536150c128f63945663e928d3885c50199759044cf85129e7f21");
  assert_true(pos_passes_plot_filter(id, ch, sp, 0));
  assert_false(pos_passes_plot_filter(id, ch, sp, 1));
}

/* By-height wrapper: mainnet needs 9 bits before the hard fork, 8 after
 * (5,496,000), 5 from PLOT_FILTER_32_HEIGHT (20,643,000): the 12-zero-bit
 * input passes all of them, the 0-bit one none. */
static void test_plot_filter_at(void **state)
{
  const struct chia_consts *c = consts_get("mainnet");
  uint8_t id[32], ch[32], sp[32];
  (void)state;
  assert_non_null(c);
  tv_unhex_exact("93e138dbc294e782f8af58762ad929820e38a93903c9ce6b607572f6974b34aa",
                 id, 32);
  tv_unhex_exact("9187bfb8e82e87faf352f4ebd28d0c6633adbec76ed1fbbd8e6c5a3fef46fd40",
                 ch, 32);
  tv_unhex_exact("28af40f4956c19ca1358dc6608009504abd1021d4febabc7dd8c5aa10eba9f03",
                 sp, 32);
  assert_true(pos_passes_plot_filter_at(c, 0, id, ch, sp));
  assert_true(pos_passes_plot_filter_at(c, 20643000, id, ch, sp));
  tv_unhex_exact("f5d21d93e7052ace3aeceb81fd5d7f4f15fc1440f7cdaa3630e5edd68cc1e2bb",
                 sp, 32);
  assert_false(pos_passes_plot_filter_at(c, 0, id, ch, sp));
  assert_false(pos_passes_plot_filter_at(c, 20643000, id, ch, sp));
}

static void test_expected_plot_size(void **state)
{
  (void)state;
  /* (2k+1) * 2^(k-1) */
  assert_true(pos_expected_plot_size(32) == 65ULL << 31);
  assert_true(pos_expected_plot_size(18) == 37ULL * 131072);
  assert_true(pos_expected_plot_size(50) == 101ULL << 49);
  assert_true(pos_expected_plot_size(0) == 0);
  assert_true(pos_expected_plot_size(51) == 0);
}

#define DCF_MAINNET ((unsigned __int128)1 << 67)

/* By hand. quality = sp_hash = 32 zero bytes, so sp_quality =
 * sha256(64 zero bytes) = f5a5fd42d16a2030...759fb4b =: Q (a well-known
 * constant: the level-1 zero hash of SSZ / the eth2 deposit tree).
 *  k = 32, difficulty 1, dcf 2^67:
 *    iters = 2^67 * Q // (2^256 * 65 * 2^31) = (Q >> 220) // 65
 *          = 0xf5a5fd42d // 65 = 65940739117 // 65 = 1014472909
 *  k = 18: iters = (Q >> (256 - 67 + 17)) // 37 = (Q >> 206) // 37
 *          = 0x3d697f50b45a8 // 37 = 1080373069694376 // 37 = 29199272153902
 *  dcf 1, difficulty 1: Q < 2^256 so the quotient is 0 -> max(0, 1) = 1. */
static void test_required_iters_by_hand(void **state)
{
  uint8_t zero[32] = { 0 };
  uint64_t it;
  (void)state;
  assert_int_equal(pos_required_iters(DCF_MAINNET, zero, 32, 1, zero, &it), CP_OK);
  assert_true(it == 1014472909ULL);
  assert_int_equal(pos_required_iters(DCF_MAINNET, zero, 18, 1, zero, &it), CP_OK);
  assert_true(it == 29199272153902ULL);
  assert_int_equal(pos_required_iters(1, zero, 18, 1, zero, &it), CP_OK);
  assert_true(it == 1);
  assert_int_equal(pos_required_iters(DCF_MAINNET, zero, 17, 1, zero, &it), CP_BAD_K);
  assert_int_equal(pos_required_iters(DCF_MAINNET, zero, 51, 1, zero, &it), CP_BAD_K);
  /* 2^64-1 * 2^127 * Q / (2^256 * 37 * 2^17) is far past uint64 */
  assert_int_equal(pos_required_iters((unsigned __int128)1 << 127, zero, 18,
                                      UINT64_MAX, zero, &it), CP_BAD_NUMBER);
}

/* Independently computed with python3 big integers (the formula of
 * pot_iterations.py verbatim): the three mainnet qualities with sp_hash =
 * sha256("chiapool sp 0") under mainnet / testnet11 / simulator factors. */
static void test_required_iters_python(void **state)
{
  static const struct {
    const char *quality;
    unsigned k;
    unsigned __int128 dcf;
    uint64_t difficulty, iters;
  } c[] = {
    { "2879446681fe5856ff249de9c95789ed1117e69caf16d8d78a21f56557ddf146", 32,
      DCF_MAINNET, 1, 768231157ULL },
    { "2879446681fe5856ff249de9c95789ed1117e69caf16d8d78a21f56557ddf146", 32,
      DCF_MAINNET, 1000, 768231157196ULL },
    { "2879446681fe5856ff249de9c95789ed1117e69caf16d8d78a21f56557ddf146", 32,
      DCF_MAINNET, 1048576, 805548753888668ULL },
    { "2879446681fe5856ff249de9c95789ed1117e69caf16d8d78a21f56557ddf146", 32,
      10052721566054ULL, 1, 52 },
    { "ffb0a01bb5bd848b59f1b657263e22e9c7d08c7a58fc9e60f09f27dbcf2a984d", 33,
      DCF_MAINNET, 1000, 278006229559ULL },
    { "ffb0a01bb5bd848b59f1b657263e22e9c7d08c7a58fc9e60f09f27dbcf2a984d", 33,
      DCF_MAINNET, 1048576, 291510660166091ULL },
    { "ffb0a01bb5bd848b59f1b657263e22e9c7d08c7a58fc9e60f09f27dbcf2a984d", 33,
      10052721566054ULL, 1, 18 },
    { "7a581e377f6fc8c81c3bdab31177a727996b10cfe8f8cf1e9146902fc51d0f05", 32,
      DCF_MAINNET, 1, 41578438ULL },
    { "7a581e377f6fc8c81c3bdab31177a727996b10cfe8f8cf1e9146902fc51d0f05", 32,
      DCF_MAINNET, 1048576, 43598152558316ULL },
    { "7a581e377f6fc8c81c3bdab31177a727996b10cfe8f8cf1e9146902fc51d0f05", 32,
      33554432, 5000, 1 },
  };
  uint8_t sp[32];
  (void)state;
  tv_unhex_exact("f5d21d93e7052ace3aeceb81fd5d7f4f15fc1440f7cdaa3630e5edd68cc1e2bb",
                 sp, 32);
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    uint8_t q[32];
    uint64_t it = 0;
    tv_unhex_exact(c[i].quality, q, 32);
    assert_int_equal(pos_required_iters(c[i].dcf, q, c[i].k, c[i].difficulty,
                                        sp, &it), CP_OK);
    if (it != c[i].iters)
      fail_msg("case %zu: %llu != %llu", i, (unsigned long long)it,
               (unsigned long long)c[i].iters);
  }
}

/* POOL_SUB_SLOT_ITERS = 37,600,000,000: the bound is 587,500,000. */
static void test_pool_iters(void **state)
{
  (void)state;
  assert_true(pos_pool_iters_ok(0, 37600000000ULL));
  assert_true(pos_pool_iters_ok(587499999ULL, 37600000000ULL));
  assert_false(pos_pool_iters_ok(587500000ULL, 37600000000ULL));
  assert_false(pos_pool_iters_ok(1014472909ULL, 37600000000ULL));
  assert_false(pos_pool_iters_ok(0, 63));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plot_id_mainnet),
    cmocka_unit_test(test_plot_filter),
    cmocka_unit_test(test_plot_filter_at),
    cmocka_unit_test(test_expected_plot_size),
    cmocka_unit_test(test_required_iters_by_hand),
    cmocka_unit_test(test_required_iters_python),
    cmocka_unit_test(test_pool_iters),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
