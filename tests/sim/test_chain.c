/* The simulated chain: signage point hashes, sub-slot challenges, the
 * cache, genesis rewards, blocks won with real k18 proofs, reorgs. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "pos/plotter.h"
#include "pos/quality.h"
#include "pos/verify.h"
#include "sim/chain.h"
#include "util/buf.h"

static const struct chia_consts *net;
static struct pos_plot *plot;
static uint8_t plot_pk[48], contract_ph[32], plot_id[32];
static uint8_t farmer_ph[32], pool_ph[32];

static struct sim_chain *new_chain(uint64_t seed, uint64_t difficulty)
{
  struct sim_chain_config cfg;
  struct sim_chain *c = NULL;
  sim_chain_config_init(&cfg);
  cfg.seed = seed;
  cfg.difficulty = difficulty;
  memset(cfg.genesis_farmer_ph, 0xf0, 32);
  memset(cfg.genesis_pool_ph, 0x0f, 32);
  assert_int_equal(sim_chain_new(&cfg, &c), CP_OK);
  return c;
}

static void test_signage_points(void **state)
{
  struct sim_chain *c = new_chain(7, 0), *same = new_chain(7, 0), *other = new_chain(8, 0);
  struct sim_sp sp, first, eos, x;
  uint8_t b[32 + 8 + 100 + 4], h[32], prev[32];

  (void)state;
  /* the chain starts at the end of slot 0: its challenge follows the
   * genesis challenge as sha256(ChallengeChainSubSlot) */
  sim_chain_current_sp(c, &first);
  assert_int_equal(first.seq, 0);
  assert_int_equal(first.index, 0);
  assert_memory_equal(first.cc_vdf.challenge, net->genesis_challenge, 32);
  assert_int_equal(first.cc_vdf.iters, 1ULL << 26);
  memcpy(b, first.cc_vdf.challenge, 32);
  be64_store(b + 32, first.cc_vdf.iters);
  memcpy(b + 40, first.cc_vdf.output, 100);
  memset(b + 140, 0, 4);
  sha256(h, b, sizeof b);
  assert_memory_equal(first.challenge_hash, h, 32);
  assert_memory_equal(first.sp_hash, h, 32);
  assert_false(first.reverted);

  sim_chain_advance(c, 1);
  sim_chain_current_sp(c, &sp);
  assert_int_equal(sp.seq, 1);
  assert_int_equal(sp.index, 1);
  assert_int_equal(sp.slot, 0);
  assert_memory_equal(sp.challenge_hash, first.challenge_hash, 32);
  assert_memory_equal(sp.cc_vdf.challenge, first.challenge_hash, 32);
  assert_int_equal(sp.cc_vdf.iters, (1ULL << 26) / 64);
  sha256(h, sp.cc_vdf.output, 100);
  assert_memory_equal(sp.sp_hash, h, 32);

  /* determinism: the same seed gives the same points, another does not */
  sim_chain_advance(same, 1);
  sim_chain_current_sp(same, &x);
  assert_memory_equal(x.sp_hash, sp.sp_hash, 32);
  sim_chain_advance(other, 1);
  sim_chain_current_sp(other, &x);
  assert_memory_not_equal(x.sp_hash, sp.sp_hash, 32);

  /* the next sub-slot: index 0 ends slot 1 with a new challenge */
  sim_chain_advance(c, 63);
  sim_chain_current_sp(c, &eos);
  assert_int_equal(eos.seq, 64);
  assert_int_equal(eos.index, 0);
  assert_int_equal(eos.slot, 1);
  assert_memory_equal(eos.cc_vdf.challenge, first.challenge_hash, 32);
  memcpy(prev, first.challenge_hash, 32);
  memcpy(b, prev, 32);
  be64_store(b + 32, eos.cc_vdf.iters);
  memcpy(b + 40, eos.cc_vdf.output, 100);
  sha256(h, b, sizeof b);
  assert_memory_equal(eos.challenge_hash, h, 32);

  /* look-ups: by sp hash, by challenge (end of slot only) */
  assert_int_equal(sim_chain_get_sp(c, sp.sp_hash, false, &x), CP_OK);
  assert_int_equal(x.seq, 1);
  assert_int_equal(sim_chain_get_sp(c, sp.sp_hash, true, &x), CP_NOT_FOUND);
  assert_int_equal(sim_chain_get_sp(c, eos.challenge_hash, true, &x), CP_OK);
  assert_int_equal(x.seq, 64);
  assert_int_equal(sim_chain_get_sp(c, first.challenge_hash, true, &x), CP_OK);
  assert_int_equal(x.seq, 0);
  memset(h, 0x33, sizeof h);
  assert_int_equal(sim_chain_get_sp(c, h, false, &x), CP_NOT_FOUND);

  /* the cache keeps the last SIM_SP_CACHE points */
  sim_chain_advance(c, SIM_SP_CACHE - 64);
  assert_int_equal(sim_chain_get_sp(c, sp.sp_hash, false, &x), CP_OK);
  sim_chain_advance(c, 1);
  assert_int_equal(sim_chain_get_sp(c, sp.sp_hash, false, &x), CP_NOT_FOUND);
  sim_chain_free(c);
  sim_chain_free(same);
  sim_chain_free(other);
}

static void test_genesis(void **state)
{
  struct sim_chain *c = new_chain(1, 0);
  struct sim_chain_state st;
  struct sim_block b;
  struct sim_coin_record *recs = NULL;
  uint8_t ph[32];
  size_t n = 0;

  (void)state;
  sim_chain_state(c, &st);
  assert_int_equal(st.peak.height, 0);
  assert_int_equal(st.difficulty, SIM_DEFAULT_DIFFICULTY);
  assert_int_equal(st.sub_slot_iters, 1ULL << 26);
  assert_true(st.peak.weight == SIM_DEFAULT_DIFFICULTY);
  assert_memory_equal(st.peak.prev_hash, net->genesis_challenge, 32);
  assert_true(st.peak.first_in_sub_slot);
  assert_int_equal(sim_chain_block_by_height(c, 0, &b), CP_OK);
  assert_memory_equal(b.header_hash, st.peak.header_hash, 32);
  assert_int_equal(sim_chain_block_by_hash(c, b.header_hash, &b), CP_OK);
  assert_int_equal(sim_chain_block_by_height(c, 1, &b), CP_NOT_FOUND);

  /* the prefarm: 7/8 to the pool puzzle hash, 1/8 to the farmer's */
  memset(ph, 0x0f, sizeof ph);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(c, (const uint8_t (*)[32])ph, 1, true,
                                                    0, 0, &recs, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(recs[0].coin.amount, coin_pool_reward(0));
  assert_int_equal(recs[0].coin.amount, 18375000000000000000ULL);
  coin_pool_parent_id(net->genesis_challenge, 0, ph);
  assert_memory_equal(recs[0].coin.parent_coin_info, ph, 32);
  assert_true(recs[0].coinbase);
  assert_int_equal(recs[0].confirmed_height, 0);
  free(recs);
  memset(ph, 0xf0, sizeof ph);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(c, (const uint8_t (*)[32])ph, 1, true,
                                                    0, 0, &recs, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(recs[0].coin.amount, 2625000000000000000ULL);
  free(recs);
  /* a height window that excludes it */
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(c, (const uint8_t (*)[32])ph, 1, true,
                                                    1, 0, &recs, &n), CP_OK);
  assert_int_equal(n, 0);
  free(recs);
  sim_chain_free(c);
}

/* The first proof of the plot for sp, if it passes the filter. */
static int proof_for(const struct sim_sp *sp, struct chia_pos *pos)
{
  size_t n = 0;

  memset(pos, 0, sizeof *pos);
  if (!pos_passes_plot_filter_at(net, 1, plot_id, sp->challenge_hash, sp->sp_hash))
    return 0;
  pos_challenge(plot_id, sp->challenge_hash, sp->sp_hash, pos->challenge);
  if (pos_plot_full_proofs(plot, pos->challenge, pos->proof, NULL, 1, &n) == CP_TOO_BIG)
    n = 1;
  if (n == 0)
    return 0;
  pos->has_pool_contract_puzzle_hash = true;
  memcpy(pos->pool_contract_puzzle_hash, contract_ph, 32);
  memcpy(pos->plot_public_key, plot_pk, 48);
  pos->size = 18;
  pos->proof_len = 8 * 18;
  return 1;
}

static void test_block_proofs(void **state)
{
  /* difficulty 1: about half of all proofs win */
  struct sim_chain *c = new_chain(3, 1);
  struct sim_sp sp;
  struct chia_pos pos, bad;
  struct sim_block b;
  struct sim_coin_record *recs = NULL;
  const char *why;
  int wins = 0, losses = 0;
  uint32_t h = 0;
  size_t n = 0;

  (void)state;
  for (int i = 0; i < 400 && (!wins || !losses); i++) {
    uint8_t q[32];
    uint64_t iters;
    sim_chain_advance(c, 1);
    sim_chain_current_sp(c, &sp);
    if (!proof_for(&sp, &pos))
      continue;
    assert_int_equal(pos_verify(18, plot_id, pos.challenge, pos.proof, pos.proof_len, q),
                     CP_OK);
    assert_int_equal(pos_required_iters(net->difficulty_constant_factor, q, 18, 1,
                                        sp.sp_hash, &iters), CP_OK);
    if (iters >= (1ULL << 26) / 64) {
      assert_int_equal(sim_chain_submit_block_proof(c, &pos, sp.sp_hash, farmer_ph,
                                                    contract_ph, &h, &why),
                       CP_SIM_NOT_WINNING);
      losses++;
      continue;
    }
    if (wins)
      continue;
    /* hostile variants first: the block must not exist after them */
    bad = pos;
    bad.proof[7] ^= 0x10;
    assert_int_equal(sim_chain_submit_block_proof(c, &bad, sp.sp_hash, farmer_ph,
                                                  contract_ph, &h, &why), CP_BAD_PROOF);
    assert_string_equal(why, "invalid proof of space");
    bad = pos;
    bad.challenge[0] ^= 1;
    assert_int_equal(sim_chain_submit_block_proof(c, &bad, sp.sp_hash, farmer_ph,
                                                  contract_ph, &h, &why), CP_BAD_PROOF);
    assert_string_equal(why, "proof challenge does not belong to this signage point");
    bad = pos;
    bad.has_pool_public_key = true;
    assert_int_equal(sim_chain_submit_block_proof(c, &bad, sp.sp_hash, farmer_ph,
                                                  contract_ph, &h, &why), CP_BAD_PROOF);
    assert_int_equal(sim_chain_submit_block_proof(c, &pos, sp.sp_hash, farmer_ph, pool_ph,
                                                  &h, &why), CP_INVAL);
    bad = pos;
    bad.size = 17;
    assert_int_equal(sim_chain_submit_block_proof(c, &bad, sp.sp_hash, farmer_ph,
                                                  contract_ph, &h, &why), CP_BAD_PROOF);

    assert_int_equal(sim_chain_submit_block_proof(c, &pos, sp.sp_hash, farmer_ph,
                                                  contract_ph, &h, &why), CP_OK);
    assert_int_equal(h, 1);
    assert_int_equal(sim_chain_block_by_height(c, 1, &b), CP_OK);
    assert_int_equal(b.required_iters, iters);
    assert_int_equal(b.sp_index, sp.index);
    assert_memory_equal(b.pool_ph, contract_ph, 32);
    assert_true(b.weight == 2);
    /* one block per signage point */
    assert_int_equal(sim_chain_submit_block_proof(c, &pos, sp.sp_hash, farmer_ph,
                                                  contract_ph, &h, &why), CP_SIM_STALE);
    /* the rewards of height 1 */
    assert_int_equal(sim_chain_coins_by_puzzle_hashes(c, (const uint8_t (*)[32])contract_ph,
                                                      1, false, 1, 2, &recs, &n), CP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(recs[0].coin.amount, 1750000000000ULL);
    free(recs);
    assert_int_equal(sim_chain_coins_by_puzzle_hashes(c, (const uint8_t (*)[32])farmer_ph,
                                                      1, false, 0, 0, &recs, &n), CP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(recs[0].coin.amount, 250000000000ULL);
    free(recs);
    wins++;
  }
  assert_true(wins == 1);
  assert_true(losses > 0);

  /* a signage point more than a few points old */
  sim_chain_advance(c, 17);
  assert_int_equal(sim_chain_submit_block_proof(c, &pos, sp.sp_hash, farmer_ph, contract_ph,
                                                &h, &why), CP_SIM_STALE);
  /* unknown signage point */
  memset(sp.sp_hash, 0x42, 32);
  assert_int_equal(sim_chain_submit_block_proof(c, &pos, sp.sp_hash, farmer_ph, contract_ph,
                                                &h, &why), CP_NOT_FOUND);
  sim_chain_free(c);
}

static void test_filter_refusal(void **state)
{
  struct sim_chain *c = new_chain(5, 1);
  struct sim_sp sp;
  struct chia_pos pos;
  const char *why = NULL;
  uint32_t h;

  (void)state;
  /* find a signage point the plot fails, submit right away */
  for (int i = 0; i < 100; i++) {
    sim_chain_advance(c, 1);
    sim_chain_current_sp(c, &sp);
    if (!pos_passes_plot_filter_at(net, 1, plot_id, sp.challenge_hash, sp.sp_hash))
      break;
  }
  assert_false(pos_passes_plot_filter_at(net, 1, plot_id, sp.challenge_hash, sp.sp_hash));
  memset(&pos, 0, sizeof pos);
  pos_challenge(plot_id, sp.challenge_hash, sp.sp_hash, pos.challenge);
  pos.has_pool_contract_puzzle_hash = true;
  memcpy(pos.pool_contract_puzzle_hash, contract_ph, 32);
  memcpy(pos.plot_public_key, plot_pk, 48);
  pos.size = 18;
  pos.proof_len = 144;
  assert_int_equal(sim_chain_submit_block_proof(c, &pos, sp.sp_hash, farmer_ph, contract_ph,
                                                &h, &why), CP_BAD_PROOF);
  assert_string_equal(why, "plot does not pass the plot filter");
  sim_chain_free(c);
}

static void test_revert(void **state)
{
  struct sim_chain *c = new_chain(9, 0);
  struct sim_sp sp, x;
  struct sim_chain_state st;
  struct sim_coin_record *recs = NULL, r;
  struct chia_coin gift;
  uint8_t id[32];
  size_t n = 0;
  uint32_t h = 0;

  (void)state;
  sim_chain_give(c, farmer_ph, 5, &gift);
  sim_chain_advance(c, 5);
  assert_int_equal(sim_chain_farm_block(c, farmer_ph, pool_ph, &h), CP_OK);
  assert_int_equal(h, 1);
  sim_chain_current_sp(c, &sp);
  sim_chain_advance(c, 2);
  assert_int_equal(sim_chain_farm_block(c, farmer_ph, pool_ph, &h), CP_OK);
  assert_int_equal(h, 2);

  /* mark only: flags set, blocks stay */
  sim_chain_revert_signage_points(c, 1, false);
  sim_chain_state(c, &st);
  assert_int_equal(st.peak.height, 2);
  sim_chain_current_sp(c, &x);
  assert_true(x.reverted);
  assert_int_equal(sim_chain_get_sp(c, sp.sp_hash, false, &x), CP_OK);
  assert_false(x.reverted);

  /* three back, with the blocks: block 2 (made 2 points later) goes,
   * block 1 (made at sp) goes too */
  sim_chain_revert_signage_points(c, 3, true);
  assert_int_equal(sim_chain_get_sp(c, sp.sp_hash, false, &x), CP_OK);
  assert_true(x.reverted);
  sim_chain_state(c, &st);
  assert_int_equal(st.peak.height, 0);
  assert_int_equal(sim_chain_block_by_height(c, 1, &st.peak), CP_NOT_FOUND);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(c, (const uint8_t (*)[32])pool_ph, 1,
                                                    true, 0, 0, &recs, &n), CP_OK);
  assert_int_equal(n, 0);
  free(recs);
  /* the genesis allocation survives, and genesis is never reverted */
  coin_id(&gift, id);
  assert_int_equal(sim_chain_coin(c, id, &r), CP_OK);
  sim_chain_revert_signage_points(c, 10000, true);
  sim_chain_state(c, &st);
  assert_int_equal(st.peak.height, 0);
  /* new points after a revert are fresh */
  sim_chain_advance(c, 1);
  sim_chain_current_sp(c, &x);
  assert_false(x.reverted);
  assert_int_equal(sim_chain_farm_block(c, farmer_ph, pool_ph, &h), CP_OK);
  assert_int_equal(h, 1);
  sim_chain_free(c);
}

static int setup(void **state)
{
  struct bls_sk sk;
  struct bls_pk pk;
  uint8_t seed[32];

  (void)state;
  net = consts_get("simulator");
  memset(seed, 9, sizeof seed);
  if (keys_gen(&sk, seed, sizeof seed))
    return -1;
  bls_sk_to_pk(&sk, &pk);
  memcpy(plot_pk, pk.bytes, 48);
  memset(contract_ph, 0xcc, sizeof contract_ph);
  memset(farmer_ph, 0xfa, sizeof farmer_ph);
  memset(pool_ph, 0x90, sizeof pool_ph);
  pos_plot_id_ph(contract_ph, plot_pk, plot_id);
  return pos_plot_new(18, plot_id, &plot) ? -1 : 0;
}

static int teardown(void **state)
{
  (void)state;
  pos_plot_free(plot);
  return 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_signage_points),
    cmocka_unit_test(test_genesis),
    cmocka_unit_test(test_block_proofs),
    cmocka_unit_test(test_filter_refusal),
    cmocka_unit_test(test_revert),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
