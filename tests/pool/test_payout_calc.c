#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pool/payout_calc.h"

static void mk(struct payout_member *m, uint8_t ph, uint64_t points, uint64_t balance)
{
  memset(m, 0, sizeof *m);
  m->launcher_id[0] = ph;
  memset(m->puzzle_hash, ph, 32);
  m->points = points;
  m->balance = balance;
}

static void params(struct payout_params *p, uint64_t fee_ppm, uint64_t fee_per_tx,
                   uint64_t min_payout, uint32_t max_add)
{
  memset(p, 0, sizeof *p);
  p->fee_ppm = fee_ppm;
  p->fee_per_tx = fee_per_tx;
  p->min_payout = min_payout;
  p->max_additions = max_add;
  memset(p->pool_fee_puzzle_hash, 0xfe, 32);
}

/* Money is conserved: what came in (total + carried balances) equals what
 * went out (fees, payments), what is still carried, and the remainder. */
static void assert_conserved(const struct payout_member *m, size_t n, uint64_t total,
                             const struct payout_plan *pl)
{
  unsigned __int128 in = total, out = pl->pool_fee + pl->blockchain_fee + pl->remainder;
  uint64_t outputs = 0, paid = 0;
  for (size_t i = 0; i < n; i++) {
    in += m[i].balance;
    out += pl->paid_to[i] + pl->new_balance[i];
    paid += pl->paid_to[i];
    /* nobody gets more than their due */
    assert_true(pl->paid_to[i] + pl->new_balance[i] == m[i].balance + pl->earned[i]);
  }
  for (size_t k = 0; k < pl->noutputs; k++)
    outputs += pl->outputs[k].amount;
  assert_true(in == out);
  assert_int_equal(paid, pl->paid);
  assert_int_equal(outputs, pl->paid + pl->pool_fee);
}

/* The reference's arithmetic on one 1.75 XCH block: fee int(total*0.01),
 * mojo_per_point = floor(rest / points). */
static void test_prop_reference(void **state)
{
  struct payout_member m[2];
  struct payout_params p;
  struct payout_plan pl;
  (void)state;
  mk(&m[0], 0xa1, 300, 0);
  mk(&m[1], 0xb2, 100, 0);
  params(&p, 10000, 0, 0, 400);
  assert_int_equal(payout_plan_shares(m, 2, 1750000000000ull, &p, &pl), CP_OK);
  assert_int_equal(pl.pool_fee, 17500000000ull);
  assert_int_equal(pl.mojo_per_point, 4331250000ull);
  assert_int_equal(pl.earned[0], 1299375000000ull);
  assert_int_equal(pl.earned[1], 433125000000ull);
  assert_int_equal(pl.remainder, 0);
  assert_int_equal(pl.noutputs, 3);
  assert_memory_equal(pl.outputs[0].puzzle_hash, p.pool_fee_puzzle_hash, 32);
  assert_int_equal(pl.outputs[0].amount, 17500000000ull);
  assert_int_equal(pl.ntx, 1);
  assert_conserved(m, 2, 1750000000000ull, &pl);
  payout_plan_release(&pl);
}

static void test_remainder_fee_min_payout(void **state)
{
  struct payout_member m[3];
  struct payout_params p;
  struct payout_plan pl;
  (void)state;
  mk(&m[0], 1, 3, 0);
  mk(&m[1], 2, 3, 0);
  mk(&m[2], 3, 1, 0);
  /* fee floor(1001 * 1%) = 10, one tx at 3 mojos, 988 over 7 points */
  params(&p, 10000, 3, 0, 400);
  assert_int_equal(payout_plan_shares(m, 3, 1001, &p, &pl), CP_OK);
  assert_int_equal(pl.pool_fee, 10);
  assert_int_equal(pl.blockchain_fee, 3);
  assert_int_equal(pl.mojo_per_point, 141);
  assert_int_equal(pl.paid, 987);
  assert_int_equal(pl.remainder, 1);
  assert_conserved(m, 3, 1001, &pl);
  payout_plan_release(&pl);

  /* 141 is below a 200 minimum: carried, not paid */
  params(&p, 10000, 3, 200, 400);
  assert_int_equal(payout_plan_shares(m, 3, 1001, &p, &pl), CP_OK);
  assert_int_equal(pl.paid_to[2], 0);
  assert_int_equal(pl.new_balance[2], 141);
  assert_int_equal(pl.paid, 846);
  assert_int_equal(pl.noutputs, 3);
  assert_conserved(m, 3, 1001, &pl);
  payout_plan_release(&pl);

  /* next round the carried 141 plus a new share crosses the minimum */
  mk(&m[2], 3, 1, 141);
  assert_int_equal(payout_plan_shares(m, 3, 1001, &p, &pl), CP_OK);
  assert_int_equal(pl.paid_to[2], 282);
  assert_int_equal(pl.new_balance[2], 0);
  assert_conserved(m, 3, 1001, &pl);
  payout_plan_release(&pl);
}

static void test_batches_and_fee_budget(void **state)
{
  struct payout_member m[5];
  struct payout_params p;
  struct payout_plan pl;
  (void)state;
  for (int i = 0; i < 5; i++)
    mk(&m[i], (uint8_t)(10 + i), 1, 0);
  /* 5 outputs, 2 per tx: 3 transactions at 7 mojos */
  params(&p, 0, 7, 0, 2);
  assert_int_equal(payout_plan_shares(m, 5, 10000, &p, &pl), CP_OK);
  assert_int_equal(pl.ntx, 3);
  assert_int_equal(pl.blockchain_fee, 21);
  assert_int_equal(pl.mojo_per_point, 1995);
  assert_int_equal(pl.remainder, 4);
  assert_int_equal(pl.noutputs, 5);
  assert_int_equal(pl.outputs[0].tx, 0);
  assert_int_equal(pl.outputs[1].tx, 0);
  assert_int_equal(pl.outputs[2].tx, 1);
  assert_int_equal(pl.outputs[3].tx, 1);
  assert_int_equal(pl.outputs[4].tx, 2);
  assert_conserved(m, 5, 10000, &pl);
  payout_plan_release(&pl);

  /* the fees alone exceed the funds: nothing to plan */
  params(&p, 0, 10, 0, 2);
  assert_int_equal(payout_plan_shares(m, 1, 5, &p, &pl), CP_BAD_NUMBER);
  params(&p, 1000001, 0, 0, 400);
  assert_int_equal(payout_plan_shares(m, 1, 5, &p, &pl), CP_INVAL);
  params(&p, 0, 0, 0, 1);
  assert_int_equal(payout_plan_shares(m, 1, 5, &p, &pl), CP_INVAL);
}

static void test_merge_and_no_points(void **state)
{
  struct payout_member m[3];
  struct payout_params p;
  struct payout_plan pl;
  (void)state;
  mk(&m[0], 7, 2, 0);
  mk(&m[1], 9, 1, 0);
  mk(&m[2], 7, 1, 0); /* same payout address as m[0] */
  params(&p, 0, 0, 0, 400);
  assert_int_equal(payout_plan_shares(m, 3, 400, &p, &pl), CP_OK);
  assert_int_equal(pl.noutputs, 2);
  assert_int_equal(pl.outputs[0].amount, 300); /* 0x07.. sorts first */
  assert_int_equal(pl.outputs[1].amount, 100);
  assert_conserved(m, 3, 400, &pl);
  payout_plan_release(&pl);

  /* no points: everything stays with the pool, carried balances still pay */
  mk(&m[0], 7, 0, 50);
  mk(&m[1], 9, 0, 0);
  params(&p, 0, 0, 10, 400);
  assert_int_equal(payout_plan_shares(m, 2, 1000, &p, &pl), CP_OK);
  assert_int_equal(pl.remainder, 1000);
  assert_int_equal(pl.paid_to[0], 50);
  assert_int_equal(pl.noutputs, 1);
  assert_conserved(m, 2, 1000, &pl);
  payout_plan_release(&pl);
}

static void test_pps(void **state)
{
  struct payout_member m[2];
  struct payout_params p;
  struct payout_plan pl;
  (void)state;
  mk(&m[0], 1, 10, 0);
  mk(&m[1], 2, 5, 0);
  params(&p, 0, 5, 0, 400);
  p.pps_rate = 100;
  assert_int_equal(payout_plan_pps(m, 2, 10000, &p, &pl), CP_OK);
  assert_int_equal(pl.earned[0], 1000);
  assert_int_equal(pl.earned[1], 500);
  assert_int_equal(pl.paid, 1500);
  assert_int_equal(pl.blockchain_fee, 5);
  assert_int_equal(pl.remainder, 8495);
  assert_int_equal(pl.pool_fee, 0);
  payout_plan_release(&pl);
  /* the pool cannot cover it: nothing planned */
  assert_int_equal(payout_plan_pps(m, 2, 1504, &p, &pl), CP_BAD_NUMBER);
  m[0].points = UINT64_MAX;
  assert_int_equal(payout_plan_pps(m, 2, UINT64_MAX, &p, &pl), CP_BAD_NUMBER);
}

/* Random rounds: conservation and "never more than due" always hold. */
static void test_random_conservation(void **state)
{
  struct payout_member m[50];
  struct payout_params p;
  struct payout_plan pl;
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  (void)state;
  for (int round = 0; round < 300; round++) {
    size_t n = 1 + round % 50;
    uint64_t total;
    for (size_t i = 0; i < n; i++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      mk(&m[i], (uint8_t)(seed >> 56), (seed >> 20) % 1000, (seed >> 8) % 5000);
    }
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    total = (seed >> 16) % 10000000;
    params(&p, (seed >> 4) % 100000, seed % 50, (seed >> 10) % 20000, 2 + round % 7);
    if (payout_plan_shares(m, n, total, &p, &pl) == CP_OK) {
      assert_conserved(m, n, total, &pl);
      for (size_t k = 0; k < pl.noutputs; k++)
        assert_true(pl.outputs[k].tx < pl.ntx);
      assert_int_equal(pl.blockchain_fee, pl.ntx * p.fee_per_tx);
      payout_plan_release(&pl);
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_prop_reference),
    cmocka_unit_test(test_remainder_fee_min_payout),
    cmocka_unit_test(test_batches_and_fee_budget),
    cmocka_unit_test(test_merge_and_no_points),
    cmocka_unit_test(test_pps),
    cmocka_unit_test(test_random_conservation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
