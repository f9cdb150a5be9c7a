#include "testutil.h"

#include <string.h>

#include "crypto/sha256.h"
#include "pool/proof_check.h"
#include "pos/plotter.h"
#include "pos/quality.h"

/* One k=18 plot keyed to a pool contract, shared by the tests. */
static struct pos_plot *plot;
static uint8_t contract_ph[32];
static uint8_t plot_pk[48];

static int setup(void **state)
{
  uint8_t id[32];
  (void)state;
  sha256(contract_ph, "chiapool test contract", 22);
  for (int i = 0; i < 48; i++)
    plot_pk[i] = (uint8_t)(0xa0 + i);
  pos_plot_id_ph(contract_ph, plot_pk, id);
  return pos_plot_new(18, id, &plot) == CP_OK ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  pos_plot_free(plot);
  return 0;
}

/* Find the first i whose (challenge_hash, sp_hash) pair gives a proof and
 * whose plot-filter result is `want_pass` (simulator network: 2 bits). */
static void find_case(const struct chia_consts *net, int want_pass, uint8_t cc[32],
                      uint8_t sp[32], struct chia_pos *pos, uint8_t quality[32])
{
  const uint8_t *id = pos_plot_id(plot);
  for (uint32_t i = 0; i < 100000; i++) {
    uint8_t seed[8] = { 'c', 'c', 0, 0, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
                        (uint8_t)(i >> 8), (uint8_t)i };
    uint8_t pc[32];
    size_t n = 0;
    sha256(cc, seed, sizeof seed);
    seed[0] = 's';
    seed[1] = 'p';
    sha256(sp, seed, sizeof seed);
    if (pos_passes_plot_filter_at(net, 100, id, cc, sp) != want_pass)
      continue;
    pos_challenge(id, cc, sp, pc);
    if (pos_plot_qualities(plot, pc, (uint8_t(*)[32])quality, 1, &n) == CP_TOO_BIG)
      n = 1;
    if (n == 0)
      continue;
    memset(pos, 0, sizeof *pos);
    memcpy(pos->challenge, pc, 32);
    pos->has_pool_contract_puzzle_hash = true;
    memcpy(pos->pool_contract_puzzle_hash, contract_ph, 32);
    memcpy(pos->plot_public_key, plot_pk, 48);
    pos->size = 18;
    pos->proof_len = 18 * 8;
    assert_int_equal(pos_plot_full_proof(plot, pc, 0, pos->proof),
                     CP_OK);
    return;
  }
  fail_msg("no case found");
}

static void test_valid_and_iterations(void **state)
{
  const struct chia_consts *net = consts_get("simulator");
  uint64_t limit = net->pool_sub_slot_iters * POOL_TEST_MODE_ITERS_FACTOR;
  uint8_t cc[32], sp[32], q[32];
  struct chia_pos pos;
  struct proof_result r;
  uint64_t iters;
  (void)state;
  find_case(net, 1, cc, sp, &pos, q);
  assert_int_equal(proof_check(net, limit, &pos, cc, sp, 100, 1, &r), POOL_OK);
  assert_memory_equal(r.quality, q, 32);
  assert_int_equal(pos_required_iters(net->difficulty_constant_factor, q, 18, 1, sp, &iters),
                   CP_OK);
  assert_int_equal(r.required_iters, iters);
  assert_true(iters > 0);
  /* The limit is pool_sub_slot_iters / 64: find the difficulty where the
   * proof stops being good enough, and check both sides of it. */
  {
    uint64_t lo = 1, hi = UINT64_C(1) << 62;
    while (hi - lo > 1) {
      uint64_t mid = lo + (hi - lo) / 2;
      uint64_t it;
      if (pos_required_iters(net->difficulty_constant_factor, q, 18, mid, sp, &it) ||
          it >= limit / 64)
        hi = mid;
      else
        lo = mid;
    }
    assert_int_equal(proof_check(net, limit, &pos, cc, sp, 100, lo, &r), POOL_OK);
    assert_true(r.required_iters < limit / 64);
    assert_int_equal(proof_check(net, limit, &pos, cc, sp, 100, hi, &r),
                     POOL_PROOF_NOT_GOOD_ENOUGH);
  }
}

static void test_rejections(void **state)
{
  const struct chia_consts *net = consts_get("simulator");
  uint64_t limit = net->pool_sub_slot_iters * POOL_TEST_MODE_ITERS_FACTOR;
  uint8_t cc[32], sp[32], q[32];
  struct chia_pos pos, bad;
  struct proof_result r;
  (void)state;
  find_case(net, 1, cc, sp, &pos, q);

  /* k=18 is not a mainnet plot size */
  assert_int_equal(proof_check(consts_get("mainnet"), limit, &pos, cc, sp, 100, 1, &r),
                   POOL_INVALID_PROOF);
  assert_non_null(strstr(r.why, "plot size"));
  /* both keys named */
  bad = pos;
  bad.has_pool_public_key = true;
  assert_int_equal(proof_check(net, limit, &bad, cc, sp, 100, 1, &r), POOL_INVALID_PROOF);
  /* challenge from another signage point */
  bad = pos;
  bad.challenge[5] ^= 1;
  assert_int_equal(proof_check(net, limit, &bad, cc, sp, 100, 1, &r), POOL_INVALID_PROOF);
  assert_non_null(strstr(r.why, "challenge"));
  /* another contract changes the plot id, so the proof no longer verifies
   * (or the challenge no longer matches) */
  bad = pos;
  bad.pool_contract_puzzle_hash[0] ^= 1;
  assert_int_equal(proof_check(net, limit, &bad, cc, sp, 100, 1, &r), POOL_INVALID_PROOF);
  /* one flipped proof bit */
  bad = pos;
  bad.proof[17] ^= 0x10;
  assert_int_equal(proof_check(net, limit, &bad, cc, sp, 100, 1, &r), POOL_INVALID_PROOF);
  assert_non_null(strstr(r.why, "verify"));
  /* truncated proof */
  bad = pos;
  bad.proof_len -= 1;
  assert_int_equal(proof_check(net, limit, &bad, cc, sp, 100, 1, &r), POOL_INVALID_PROOF);

  /* a real proof whose plot does not pass the filter */
  find_case(net, 0, cc, sp, &pos, q);
  assert_int_equal(proof_check(net, limit, &pos, cc, sp, 100, 1, &r), POOL_INVALID_PROOF);
  assert_non_null(strstr(r.why, "filter"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_and_iterations),
    cmocka_unit_test(test_rejections),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
