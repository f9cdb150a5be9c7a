#include "testutil.h"

#include <string.h>

#include "chia/coin.h"
#include "chia/constants.h"
#include "clvm/clvm.h"
#include "clvm/conditions.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "plotnft/puzzles.h"
#include "sim/stdtx.h"
#include "util/hex.h"

static void pk_from_hex(struct bls_pk *pk, const char *hex)
{
  uint8_t b[48];
  assert_int_equal(hex_decode_exact(b, 48, hex, strlen(hex)), CP_OK);
  assert_int_equal(bls_pk_decode(pk, b, 48), CP_OK);
}

static void test_hidden_puzzle_hash(void **state)
{
  static const uint8_t eq_list[] = { 0xff, 0x09, 0x80 };
  uint8_t h[32];

  (void)state;
  assert_int_equal(clvm_tree_hash_bytes(eq_list, sizeof eq_list, h), CP_OK);
  assert_memory_equal(h, STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, 32);
  tv_assert_hex(STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, 32,
                "711d6c4e32c92e53179b199484cf8c897542bc57f2b22582799f9d657eec4699");
}

/* No official synthetic-key vector is in tests/vectors; this pair is what
 * chia-dev-tools prints (`cdv inspect keys --synthetic --public-key ...`
 * with the default hidden puzzle hash), as published in
 * kimsk/try-chia programming/chialisp/by-example/synthetic-keys. */
static void test_synthetic_pk_vector(void **state)
{
  struct bls_pk pk, syn;

  (void)state;
  pk_from_hex(&pk, "a4d7da9a1c5210352e4487abc45cc09ca7e523630740e208087c4eb5f0c7ea85"
                   "819c7affae1b1c846feabf49b071ad1d");
  stdtx_synthetic_pk(&pk, STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, &syn);
  tv_assert_hex(syn.bytes, 48, "ab29ecd3b1425ee081a371ac4b819fd0b1f94de7517cb519"
                               "37e268e1ebda958ce19bf0b7d3eebbf26ba9c5283f7df6a5");
}

/* The secret side must match the public side for both signs of the
 * offset hash (top bit set = negative int_from_bytes). */
static void test_synthetic_sk_matches(void **state)
{
  uint8_t seed[32];
  unsigned neg = 0;

  (void)state;
  for (unsigned i = 0; i < 16; i++) {
    struct bls_sk sk, syn_sk;
    struct bls_pk pk, syn_pk, pk2;
    uint8_t in[80], h[32];
    memset(seed, (int)i + 1, sizeof seed);
    assert_int_equal(keys_gen(&sk, seed, sizeof seed), CP_OK);
    bls_sk_to_pk(&sk, &pk);
    stdtx_synthetic_pk(&pk, STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, &syn_pk);
    stdtx_synthetic_sk(&sk, STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, &syn_sk);
    bls_sk_to_pk(&syn_sk, &pk2);
    assert_true(bls_pk_equal(&syn_pk, &pk2));
    memcpy(in, pk.bytes, 48);
    memcpy(in + 48, STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, 32);
    sha256(h, in, sizeof in);
    neg += h[0] >> 7;
  }
  /* both branches of the signed reading were exercised */
  assert_true(neg > 0 && neg < 16);
}

static void test_spend_runs_and_verifies(void **state)
{
  const struct chia_consts *net = consts_get("simulator");
  struct stdtx_conds cl;
  struct buf conds, puz;
  struct chia_coin coin, out_coin;
  struct chia_coin_spend cs;
  struct bls_sk sk;
  struct bls_pk pk, syn;
  struct bls_sig sig;
  uint8_t seed[32], ph[32], ph2[32], dest[32], hint[32], h[32];
  struct clvm_alloc *a;
  clvm_node p, s, result;
  uint64_t cost;
  struct clvm_conds cd;

  (void)state;
  assert_non_null(net);
  memset(seed, 7, sizeof seed);
  assert_int_equal(keys_gen(&sk, seed, sizeof seed), CP_OK);
  bls_sk_to_pk(&sk, &pk);
  stdtx_puzzle_hash(&pk, ph);
  stdtx_synthetic_pk(&pk, STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, &syn);
  buf_init(&puz, 4096);
  assert_int_equal(stdtx_puzzle(&syn, &puz), CP_OK);
  assert_int_equal(clvm_tree_hash_bytes(puz.data, puz.len, ph2), CP_OK);
  assert_memory_equal(ph, ph2, 32);
  buf_release(&puz);

  memset(&coin, 0, sizeof coin);
  memset(coin.parent_coin_info, 0x11, 32);
  memcpy(coin.puzzle_hash, ph, 32);
  coin.amount = 1000000;
  memset(dest, 0x22, 32);
  memset(hint, 0x33, 32);
  stdtx_conds_init(&cl);
  assert_int_equal(stdtx_conds_create_coin(&cl, dest, 600000, hint, 32), CP_OK);
  assert_int_equal(stdtx_conds_create_coin(&cl, ph, 399000, NULL, 0), CP_OK);
  assert_int_equal(stdtx_conds_reserve_fee(&cl, 1000), CP_OK);
  buf_init(&conds, STDTX_CONDS_MAX);
  assert_int_equal(stdtx_conds_serialize(&cl, &conds), CP_OK);
  assert_int_equal(stdtx_spend(&coin, &sk, conds.data, conds.len,
                               net->agg_sig_me_additional_data, &cs, &sig), CP_OK);

  a = clvm_alloc_new(0);
  assert_non_null(a);
  assert_int_equal(clvm_deserialize(a, cs.puzzle_reveal.data, cs.puzzle_reveal.len, 0,
                                    &p, NULL), CP_OK);
  assert_int_equal(clvm_deserialize(a, cs.solution.data, cs.solution.len, 0, &s, NULL),
                   CP_OK);
  assert_int_equal(clvm_run(a, p, s, 11000000000ULL, CLVM_F_MEMPOOL, &result, &cost),
                   CP_OK);
  clvm_conds_init(&cd);
  assert_int_equal(clvm_conds_parse(a, result, CLVM_COND_STRICT, 0, &cd), CP_OK);
  assert_int_equal(cd.n, 4);
  assert_int_equal(cd.items[0].op, COND_AGG_SIG_ME);
  assert_memory_equal(cd.items[0].pk, syn.bytes, 48);
  /* the AGG_SIG_ME message is the delegated puzzle's tree hash */
  {
    struct buf dp;
    buf_init(&dp, STDTX_CONDS_MAX + 2);
    assert_int_equal(buf_append(&dp, "\xff\x01", 2), CP_OK);
    assert_int_equal(buf_append(&dp, conds.data, conds.len), CP_OK);
    assert_int_equal(clvm_tree_hash_bytes(dp.data, dp.len, h), CP_OK);
    assert_int_equal(cd.items[0].msg_len, 32);
    assert_memory_equal(cd.items[0].msg, h, 32);
    buf_release(&dp);
  }
  assert_int_equal(cd.items[1].op, COND_CREATE_COIN);
  assert_memory_equal(cd.items[1].hash, dest, 32);
  assert_int_equal(cd.items[1].value, 600000);
  assert_int_equal(cd.items[1].hint_len, 32);
  assert_memory_equal(cd.items[1].hint, hint, 32);
  assert_int_equal(cd.items[2].op, COND_CREATE_COIN);
  assert_int_equal(cd.items[2].value, 399000);
  assert_int_equal(cd.items[3].op, COND_RESERVE_FEE);
  assert_int_equal(cd.items[3].value, 1000);
  assert_int_equal(cd.reserve_fee, 1000);

  /* signature over the message the node derives from the condition */
  {
    struct buf m;
    buf_init(&m, 256);
    assert_int_equal(clvm_cond_agg_sig_msg(&cd.items[0], coin.parent_coin_info,
                                           coin.puzzle_hash, coin.amount,
                                           net->agg_sig_me_additional_data, &m),
                     CP_OK);
    assert_int_equal(bls_verify(&syn, m.data, m.len, &sig), CP_OK);
    /* a different coin does not verify */
    out_coin = coin;
    out_coin.amount++;
    buf_reset(&m);
    assert_int_equal(clvm_cond_agg_sig_msg(&cd.items[0], out_coin.parent_coin_info,
                                           out_coin.puzzle_hash, out_coin.amount,
                                           net->agg_sig_me_additional_data, &m),
                     CP_OK);
    assert_int_equal(bls_verify(&syn, m.data, m.len, &sig), CP_VERIFY_FAILED);
    buf_release(&m);
  }
  clvm_conds_release(&cd);
  clvm_alloc_free(a);
  chia_coin_spend_release(&cs);
  buf_release(&conds);
  stdtx_conds_release(&cl);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hidden_puzzle_hash),
    cmocka_unit_test(test_synthetic_pk_vector),
    cmocka_unit_test(test_synthetic_sk_matches),
    cmocka_unit_test(test_spend_runs_and_verifies),
  };
  if (plotnft_init())
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
