/* The farmer refresher: members whose plot NFT left the pool (or came
 * back, or whose tip is gone) are found on chain and the store follows. */
#include "farmers_fx.h"

static void test_refresh_leave_and_return(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  struct chia_pool_state leaving, back;
  struct store_farmer rec;
  struct query q;
  size_t changed = 99;

  register_ok(x);
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 0);
  /* an absorb deep enough becomes the stored tip */
  fc_step(&x->fc, NULL, 150);
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1);
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 0);

  /* leaving at 210: bound to the pool until 242 */
  fc_pool_state(&leaving, PLOTNFT_LEAVING_POOL, pool_target, &owner_pk, 32);
  fc_step(&x->fc, &leaving, 210);
  x->fc.peak = 230;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 0);
  x->fc.peak = 242;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1); /* the leaving spend is buried now */
  stored(x, lid, &rec);
  assert_int_equal(rec.is_pool_member, 1);
  store_farmer_release(&rec);
  x->fc.peak = 243;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1);
  stored(x, lid, &rec);
  assert_int_equal(rec.is_pool_member, 0);
  store_farmer_release(&rec);
  /* non-members are not walked by the refresher */
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 0);

  /* back to this pool: the farmer's own GET notices */
  fc_pool_state(&back, PLOTNFT_FARMING_TO_POOL, pool_target, &owner_pk, 32);
  fc_step(&x->fc, &back, 250);
  x->fc.peak = 300;
  get_query(&q, "get_farmer", lid, tok(), &auth_sk, 0);
  expect_get(x, &q, &auth_pk, payout_hex, 20);
  stored(x, lid, &rec);
  assert_int_equal(rec.is_pool_member, 1);
  store_farmer_release(&rec);

  /* node down: the refresh reports it */
  x->fc.fail = CP_TIMEOUT;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_TIMEOUT);
  x->fc.fail = CP_OK;
}

/* Through the worker pool (bounded in flight): every member is followed
 * once, the counts add up, and a member whose stored tip does not parse
 * (invalid lineage) stops being one while the valid one stays. */
static void test_refresh_concurrent(void **state)
{
  struct fx *x = *state;
  struct workq_options wo = { .threads = 3, .max_queued = 64 };
  struct farmers_deps d;
  struct farmers *conc = NULL;
  struct workq *q = NULL;
  struct store_farmer rec;
  static uint8_t junk[] = { 0xff, 0x00, 0x13 };
  size_t changed = 99;

  register_ok(x);
  for (uint32_t i = 0; i < 20; i++) {
    memset(&rec, 0, sizeof rec);
    memset(rec.launcher_id, 0x60, 32);
    rec.launcher_id[0] = (uint8_t)i;
    memset(rec.p2_singleton_puzzle_hash, 0x61, 32);
    rec.p2_singleton_puzzle_hash[0] = (uint8_t)i;
    rec.singleton_tip = junk;
    rec.singleton_tip_len = sizeof junk;
    rec.singleton_tip_state = junk;
    rec.singleton_tip_state_len = sizeof junk;
    rec.difficulty = 20;
    rec.is_pool_member = 1;
    assert_int_equal(store_farmer_add(x->store, &rec), CP_OK);
  }
  assert_int_equal(workq_new(&wo, &q), CP_OK);
  memset(&d, 0, sizeof d);
  d.cfg = &x->cfg;
  d.net = consts_get("testnet11");
  d.store = x->store;
  d.chain = &x->ch;
  d.workq = q;
  assert_int_equal(farmers_new(&d, &conc), CP_OK);
  assert_int_equal(farmers_refresh(conc, &changed), CP_OK);
  assert_int_equal(changed, 20);
  stored(x, x->fc.id.launcher_id, &rec);
  assert_int_equal(rec.is_pool_member, 1);
  store_farmer_release(&rec);
  {
    struct store_farmer_list l;
    assert_int_equal(store_farmer_list_members(x->store, &l), CP_OK);
    assert_int_equal(l.n, 1);
    store_farmer_list_release(&l);
  }
  assert_int_equal(farmers_refresh(conc, &changed), CP_OK);
  assert_int_equal(changed, 0);
  farmers_free(conc);
  workq_free(q);
}

/* Self pooling and switching pools end membership at once. */
static void test_refresh_other_pool(void **state)
{
  struct fx *x = *state;
  const uint8_t *lid = x->fc.id.launcher_id;
  struct chia_pool_state leaving, other;
  struct store_farmer rec;
  size_t changed;

  register_ok(x);
  fc_pool_state(&leaving, PLOTNFT_LEAVING_POOL, pool_target, &owner_pk, 32);
  fc_step(&x->fc, &leaving, 150);
  fc_pool_state(&other, PLOTNFT_FARMING_TO_POOL, other_target, &owner_pk, 32);
  fc_step(&x->fc, &other, 190);
  x->fc.peak = 195;
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1);
  stored(x, lid, &rec);
  assert_int_equal(rec.is_pool_member, 0);
  store_farmer_release(&rec);
}

/* The stored tip vanished from the chain (deep reorg, wrong node): the
 * farmer can no longer be validated and stops being a member. */
static void test_refresh_tip_gone(void **state)
{
  struct fx *x = *state;
  struct store_farmer rec;
  size_t changed;

  register_ok(x);
  x->fc.coins[0].id[0] ^= 1; /* the launcher coin the stored tip spends */
  assert_int_equal(farmers_refresh(x->f, &changed), CP_OK);
  assert_int_equal(changed, 1);
  stored(x, x->fc.id.launcher_id, &rec);
  assert_int_equal(rec.is_pool_member, 0);
  store_farmer_release(&rec);
}

static void test_refresher_thread(void **state)
{
  struct fx *x = *state;

  assert_int_equal(farmers_start_refresher(x->f, 0), CP_INVAL);
  assert_int_equal(farmers_start_refresher(x->f, 3600), CP_OK);
  assert_int_equal(farmers_start_refresher(x->f, 3600), CP_INVAL);
  /* teardown's farmers_free stops and joins it without waiting an hour */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_refresh_leave_and_return),
    T(test_refresh_other_pool),
    T(test_refresh_concurrent),
    T(test_refresh_tip_gone),
    T(test_refresher_thread),
  };
#undef T
  return cmocka_run_group_tests(tests, group_setup, NULL);
}
