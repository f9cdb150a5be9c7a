/* Payout ledger views (store_ledger.c) on SQLite: a round's batches in one
 * transaction (all or nothing, first key decides), balance listing, and
 * the committed total of batches not failed. */
#include "testutil.h"

#include "store_fixture.h"

static void plan_line(struct store_payout_line *l, uint8_t tag, uint64_t amount,
                      const uint8_t *launcher)
{
  memset(l, 0, sizeof *l);
  fx_hash(l->puzzle_hash, tag, 1);
  l->amount = amount;
  if (launcher) {
    l->has_launcher = 1;
    memcpy(l->launcher_id, launcher, STORE_HASH_LEN);
  }
}

static void test_plan_multi(void **state)
{
  struct fx f;
  struct store *s;
  struct store_farmer a, b;
  struct store_payout_line l1[2], l2[1];
  struct store_payout_farmer fs[2];
  struct store_payout_plan p[2];
  struct store_balance_list bl;
  int64_t ids[2];
  uint64_t live, pts;
  (void)state;

  fx_init(&f);
  s = fx_open(&f);
  fx_farmer(&a, 1);
  fx_farmer(&b, 2);
  a.points = b.points = 0;
  assert_int_equal(store_farmer_add(s, &a), CP_OK);
  assert_int_equal(store_farmer_add(s, &b), CP_OK);
  {
    struct store_partial pa = { 0 };
    memcpy(pa.launcher_id, a.launcher_id, 32);
    pa.difficulty = 10;
    fx_hash(pa.proof_hash, 9, 1);
    assert_int_equal(store_partial_add(s, &pa), CP_OK);
  }
  plan_line(&l1[0], 1, 100, NULL);
  plan_line(&l1[1], 2, 200, a.launcher_id);
  plan_line(&l2[0], 3, 300, b.launcher_id);
  memcpy(fs[0].launcher_id, a.launcher_id, 32);
  fs[0].points_used = 10;
  fs[0].balance = 7;
  memcpy(fs[1].launcher_id, b.launcher_id, 32);
  fs[1].points_used = 0;
  fs[1].balance = 0;
  memset(p, 0, sizeof p);
  p[0] = (struct store_payout_plan){ .idempotency_key = "r1-0", .created_at = 5,
                                     .window_end = 5,
                                     .points_mode = STORE_POINTS_SUBTRACT,
                                     .lines = l1, .n_lines = 2, .farmers = fs,
                                     .n_farmers = 2 };
  p[1] = (struct store_payout_plan){ .idempotency_key = "r1-0", .created_at = 5,
                                     .window_end = 5,
                                     .points_mode = STORE_POINTS_KEEP,
                                     .lines = l2, .n_lines = 1 };
  /* the second batch reuses the key: the whole round is undone */
  assert_int_equal(store_payout_plan_multi(s, p, 2, ids), CP_DUPLICATE);
  assert_int_equal(ids[0], 0);
  assert_int_equal(store_payout_live_total(s, &live), CP_OK);
  assert_int_equal(live, 0);
  assert_int_equal(store_balance_list(s, &bl), CP_OK);
  assert_int_equal(bl.n, 0);
  store_balance_list_release(&bl);

  p[1].idempotency_key = "r1-1";
  assert_int_equal(store_payout_plan_multi(s, p, 2, ids), CP_OK);
  assert_true(ids[0] > 0 && ids[1] > ids[0]);
  assert_int_equal(store_payout_live_total(s, &live), CP_OK);
  assert_int_equal(live, 600);
  {
    struct store_farmer g;
    assert_int_equal(store_farmer_get(s, a.launcher_id, &g), CP_OK);
    pts = g.points;
    store_farmer_release(&g);
    assert_int_equal(pts, 0);
  }
  assert_int_equal(store_balance_list(s, &bl), CP_OK);
  assert_int_equal(bl.n, 2);
  assert_int_equal(bl.items[0].amount + bl.items[1].amount, 7);
  store_balance_list_release(&bl);
  /* replaying the round changes nothing */
  assert_int_equal(store_payout_plan_multi(s, p, 2, ids), CP_DUPLICATE);
  assert_int_equal(store_payout_live_total(s, &live), CP_OK);
  assert_int_equal(live, 600);
  /* a failed batch stops counting; its member line is refunded */
  assert_int_equal(store_payout_plan_multi(s, p, 0, ids), CP_INVAL);
  {
    int64_t id2;
    size_t n;
    assert_int_equal(store_payout_list(s, STORE_PAYOUT_PLANNED, &id2, 1, &n), CP_OK);
    assert_int_equal(store_payout_set_state(s, id2, STORE_PAYOUT_FAILED, NULL, 6), CP_OK);
  }
  assert_int_equal(store_payout_live_total(s, &live), CP_OK);
  assert_int_equal(live, 300);
  assert_int_equal(store_balance_list(s, &bl), CP_OK);
  assert_int_equal(bl.items[0].amount + bl.items[1].amount, 207);
  store_balance_list_release(&bl);
  store_close(s);
  fx_cleanup(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plan_multi),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
