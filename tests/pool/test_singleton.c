#include "testutil.h"

#include <string.h>

#include "chia/constants.h"
#include "pool/singleton.h"
#include "clvm/clvm.h"
#include "util/buf.h"
#include "util/hex.h"

#include "plotnft_chain.h"

static const struct chia_consts *net;
static uint8_t pool_target[32], other_target[32], own_target[32], delay_ph[32];
static struct bls_sk owner_sk;
static struct bls_pk owner_pk;

static int setup(void **state)
{
  (void)state;
  net = consts_get("testnet11");
  memset(pool_target, 0xaa, 32);
  memset(other_target, 0xbb, 32);
  memset(own_target, 0xcc, 32);
  memset(delay_ph, 0xdd, 32);
  fc_key(7, &owner_sk, &owner_pk);
  return net == NULL || plotnft_init() != CP_OK;
}

static void walk_at(struct singleton_walk *w, uint32_t peak)
{
  memset(w, 0, sizeof *w);
  w->peak = peak;
  w->confirm_threshold = 32;
  w->genesis = net->genesis_challenge;
}

static void launch_member(struct fake_chain *fc, struct chain *ch, uint32_t lock)
{
  struct chia_pool_state ps;
  fc_init(fc, ch, net->genesis_challenge);
  fc_pool_state(&ps, PLOTNFT_FARMING_TO_POOL, pool_target, &owner_pk, lock);
  fc_launch(fc, 0x11, &ps, 604800, delay_ph, 100);
}

static void test_launch_only(void **state)
{
  struct fake_chain fc;
  struct chain ch;
  struct singleton_walk w;
  struct singleton_result r;
  uint8_t id[32];
  (void)state;

  launch_member(&fc, &ch, 32);
  walk_at(&w, 200);
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r), CP_OK);
  assert_memory_equal(r.id.launcher_id, fc.id.launcher_id, 32);
  assert_int_equal(r.id.delay_time, 604800);
  assert_memory_equal(r.id.delay_ph, delay_ph, 32);
  assert_int_equal(r.steps, 0);
  /* the buried tip is the launcher spend itself */
  coin_id(&r.buried_tip.coin, id);
  assert_memory_equal(id, fc.id.launcher_id, 32);
  assert_int_equal(r.buried_tip_confirmed, 99);
  assert_int_equal(r.latest_state.state, PLOTNFT_FARMING_TO_POOL);
  assert_memory_equal(r.buried_state.owner_pubkey, owner_pk.bytes, 48);
  assert_memory_equal(&r.tip, &fc.tip, sizeof r.tip);
  assert_int_equal(r.tip_confirmed, 100);
  assert_true(singleton_is_member(&r.latest_state, r.tip_confirmed, 200,
                                  pool_target, 32));
  assert_false(singleton_is_member(&r.latest_state, r.tip_confirmed, 200,
                                   pool_target, 33));
  assert_false(singleton_is_member(&r.latest_state, r.tip_confirmed, 200,
                                   other_target, 32));
  singleton_result_release(&r);
  fc_free(&fc);
}

/* Absorbs: the buried tip stops at the last spend at least 32 blocks deep. */
static void test_absorbs_buried(void **state)
{
  struct fake_chain fc;
  struct chain ch;
  struct singleton_walk w;
  struct singleton_result r;
  uint8_t id[32];
  (void)state;

  launch_member(&fc, &ch, 32);
  fc_step(&fc, NULL, 110);
  fc_step(&fc, NULL, 120);
  fc_step(&fc, NULL, 150);
  /* peak 152: 110 and 120 are buried (<= 120), 150 is not */
  walk_at(&w, 152);
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r), CP_OK);
  assert_int_equal(r.steps, 3);
  coin_id(&r.buried_tip.coin, id);
  assert_memory_equal(id, fc.coins[2].id, 32); /* spent at 120 */
  assert_int_equal(r.buried_tip_confirmed, 110);
  assert_memory_equal(&r.tip, &fc.tip, sizeof r.tip);
  singleton_result_release(&r);
  /* everything deep: the buried tip is the last spend */
  walk_at(&w, 182);
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r), CP_OK);
  coin_id(&r.buried_tip.coin, id);
  assert_memory_equal(id, fc.coins[3].id, 32);
  assert_int_equal(r.buried_tip_confirmed, 120);
  singleton_result_release(&r);
  fc_free(&fc);
}

/* Leaving: a member until more than lock blocks after the buried tip's
 * coin was confirmed; then self pooling, never a member. */
static void test_leave_then_self_pool(void **state)
{
  struct fake_chain fc;
  struct chain ch;
  struct singleton_walk w;
  struct singleton_result r;
  struct chia_pool_state leaving, self;
  (void)state;

  launch_member(&fc, &ch, 32);
  fc_pool_state(&leaving, PLOTNFT_LEAVING_POOL, pool_target, &owner_pk, 32);
  fc_step(&fc, &leaving, 110);
  walk_at(&w, 130);
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r), CP_OK);
  assert_int_equal(r.latest_state.state, PLOTNFT_LEAVING_POOL);
  assert_int_equal(r.buried_state.state, PLOTNFT_FARMING_TO_POOL); /* not buried */
  assert_int_equal(r.buried_tip_confirmed, 99);
  assert_int_equal(r.tip_confirmed, 110);
  /* counted from the waiting-room coin: 142 - 110 = 32 is still bound */
  assert_true(singleton_is_member(&r.latest_state, r.tip_confirmed, 130,
                                  pool_target, 32));
  assert_true(singleton_is_member(&r.latest_state, r.tip_confirmed, 142,
                                  pool_target, 32));
  assert_false(singleton_is_member(&r.latest_state, r.tip_confirmed, 143,
                                   pool_target, 32));
  singleton_result_release(&r);

  fc_pool_state(&self, PLOTNFT_SELF_POOLING, own_target, &owner_pk, 32);
  fc_step(&fc, &self, 150);
  walk_at(&w, 200);
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r), CP_OK);
  assert_int_equal(r.steps, 2);
  assert_int_equal(r.latest_state.state, PLOTNFT_SELF_POOLING);
  assert_int_equal(r.buried_state.state, PLOTNFT_SELF_POOLING);
  assert_int_equal(r.buried_tip_confirmed, 110);
  assert_false(singleton_is_member(&r.latest_state, r.tip_confirmed, 200,
                                   own_target, 32));
  singleton_result_release(&r);
  fc_free(&fc);
}

/* Waiting room to another pool, then following from a stored tip. */
static void test_other_pool_from_tip(void **state)
{
  struct fake_chain fc;
  struct chain ch;
  struct singleton_walk w;
  struct singleton_result r, r2;
  struct chia_pool_state leaving, other;
  struct buf tip, st;
  (void)state;

  launch_member(&fc, &ch, 32);
  fc_pool_state(&leaving, PLOTNFT_LEAVING_POOL, pool_target, &owner_pk, 32);
  fc_step(&fc, &leaving, 110);
  walk_at(&w, 150);
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r), CP_OK);
  buf_init(&tip, 1 << 16);
  buf_init(&st, 4096);
  assert_int_equal(chia_coin_spend_write(&r.buried_tip, &tip), CP_OK);
  assert_int_equal(chia_pool_state_write(&r.buried_state, &st), CP_OK);

  fc_pool_state(&other, PLOTNFT_FARMING_TO_POOL, other_target, &owner_pk, 64);
  fc_step(&fc, &other, 160);
  fc_step(&fc, NULL, 170); /* absorb at the other pool */
  walk_at(&w, 300);
  assert_int_equal(singleton_follow_tip(&ch, &r.id, tip.data, tip.len, st.data, st.len, &w,
                                        &r2), CP_OK);
  assert_int_equal(r2.steps, 2);
  assert_int_equal(r2.latest_state.state, PLOTNFT_FARMING_TO_POOL);
  assert_memory_equal(r2.latest_state.target_puzzle_hash, other_target, 32);
  assert_int_equal(r2.latest_state.relative_lock_height, 64);
  assert_memory_equal(&r2.tip, &fc.tip, sizeof r2.tip);
  assert_false(singleton_is_member(&r2.latest_state, r2.tip_confirmed, 300,
                                   pool_target, 32));
  assert_true(singleton_is_member(&r2.latest_state, r2.tip_confirmed, 300,
                                  other_target, 64));
  singleton_result_release(&r2);

  /* hostile stored data */
  assert_int_equal(singleton_follow_tip(&ch, &r.id, tip.data, tip.len - 1, st.data, st.len,
                                        &w, &r2), CP_BAD_SINGLETON);
  assert_int_equal(singleton_follow_tip(&ch, &r.id, NULL, 0, st.data, st.len, &w, &r2),
                   CP_BAD_SINGLETON);
  assert_int_equal(singleton_follow_tip(&ch, &r.id, tip.data, tip.len, st.data, 3, &w, &r2),
                   CP_BAD_SINGLETON);
  /* wrong delay parameters: the rebuilt tip puzzle hash cannot match */
  {
    struct plotnft_id bad = r.id;
    bad.delay_time++;
    assert_int_equal(singleton_follow_tip(&ch, &bad, tip.data, tip.len, st.data, st.len,
                                          &w, &r2), CP_BAD_SINGLETON);
  }
  buf_release(&tip);
  buf_release(&st);
  singleton_result_release(&r);
  fc_free(&fc);
}

static void test_hostile(void **state)
{
  struct fake_chain fc;
  struct chain ch;
  struct singleton_walk w;
  struct singleton_result r;
  struct chia_pool_state bad;
  uint8_t unknown[32];
  (void)state;

  launch_member(&fc, &ch, 32);
  walk_at(&w, 200);
  memset(unknown, 0x42, 32);
  assert_int_equal(singleton_follow_launcher(&ch, unknown, &w, &r), CP_NOT_FOUND);
  /* an unspent "launcher" */
  fc.coins[0].rec.spent = false;
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r),
                   CP_BAD_SINGLETON);
  fc.coins[0].rec.spent = true;
  /* a node that cannot be reached */
  fc.fail = CP_RPC_TRANSPORT;
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r),
                   CP_RPC_TRANSPORT);
  fc.fail = CP_OK;
  /* the walk bound */
  fc_step(&fc, NULL, 110);
  fc_step(&fc, NULL, 111);
  w.max_steps = 1;
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r), CP_TOO_BIG);
  w.max_steps = 2;
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r), CP_OK);
  singleton_result_release(&r);
  /* a travel whose stated PoolState does not match where the coin went:
   * the tip check refuses it */
  fc_pool_state(&bad, PLOTNFT_LEAVING_POOL, pool_target, &owner_pk, 33);
  fc_step(&fc, &bad, 120);
  w.max_steps = 0;
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r),
                   CP_BAD_SINGLETON);
  /* the tip's coin record missing (node behind, reorg) */
  fc.n--;
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r),
                   CP_BAD_SINGLETON);
  fc.n++;
  /* a spend whose solution bytes are garbage */
  fc.coins[2].sol[0] = 0xff;
  fc.coins[2].sol_len = 1;
  assert_int_equal(singleton_follow_launcher(&ch, fc.id.launcher_id, &w, &r),
                   CP_CLVM_SERIAL);
  fc_free(&fc);
}

static void test_is_member_rules(void **state)
{
  struct chia_pool_state ps;
  (void)state;

  fc_pool_state(&ps, PLOTNFT_FARMING_TO_POOL, pool_target, &owner_pk, 32);
  assert_true(singleton_is_member(&ps, 100, 1000, pool_target, 32));
  ps.version = 2;
  assert_false(singleton_is_member(&ps, 100, 1000, pool_target, 32));
  ps.version = 1;
  ps.state = PLOTNFT_SELF_POOLING;
  assert_false(singleton_is_member(&ps, 100, 1000, pool_target, 32));
  ps.state = PLOTNFT_LEAVING_POOL;
  assert_true(singleton_is_member(&ps, 100, 132, pool_target, 32));
  assert_false(singleton_is_member(&ps, 100, 133, pool_target, 32));
  /* a peak below the tip (node behind) is not "past the lock" */
  assert_true(singleton_is_member(&ps, 100, 50, pool_target, 32));
}

/* chia's own travel spends (tests/vectors/puzzles.json) stored as a tip:
 * the walk must look up exactly the coin chia's CREATE_COIN made. */
static void test_vector_travel(void **state)
{
  json_t *vec = tv_load("puzzles.json"), *tv, *cv = NULL, *c;
  const struct chia_consts *mainnet = consts_get("mainnet");
  size_t i, j;
  (void)state;

  json_array_foreach(tv_get(vec, "curry_vectors"), j, c)
    if (!strcmp(tv_str(c, "launcher_id"), tv_str(json_array_get(tv_get(vec,
                "travel_spends"), 0), "launcher_id")))
      cv = c;
  assert_non_null(cv);
  json_array_foreach(tv_get(vec, "travel_spends"), i, tv) {
    struct fake_chain fc;
    struct chain ch;
    struct chia_coin_spend cs;
    struct plotnft_spend sp;
    struct singleton_walk w;
    struct singleton_result r;
    struct plotnft_id id;
    struct chia_coin next;
    struct fc_coin *e;
    struct buf tip, st;
    json_t *conds = tv_get(tv, "conditions");
    const char *my_id = NULL, *create = NULL;
    size_t k;
    json_t *cond;
    uint8_t want_id[32], cid[32];

    fc_init(&fc, &ch, mainnet->genesis_challenge);
    memset(&cs, 0, sizeof cs);
    tv_hex_exact(tv, "launcher_id", cs.coin.parent_coin_info, 32);
    cs.puzzle_reveal.data = tv_hex(tv, "puzzle_reveal", &cs.puzzle_reveal.len);
    cs.solution.data = tv_hex(tv, "solution", &cs.solution.len);
    assert_int_equal(clvm_tree_hash_bytes(cs.puzzle_reveal.data, cs.puzzle_reveal.len,
                                          cs.coin.puzzle_hash), CP_OK);
    cs.coin.amount = 1;
    json_array_foreach(conds, k, cond) {
      const char *name = tv_str(cond, "name");
      const char *a0 = json_string_value(json_array_get(tv_get(cond, "args"), 0));
      if (!strcmp(name, "ASSERT_MY_COIN_ID"))
        my_id = a0;
      else if (!strcmp(name, "CREATE_COIN"))
        create = a0;
    }
    assert_non_null(my_id);
    assert_non_null(create);
    /* the eve coin: its id is what the spend asserts */
    assert_int_equal(hex_decode_exact(want_id, 32, my_id, strlen(my_id)), CP_OK);
    coin_id(&cs.coin, cid);
    assert_memory_equal(cid, want_id, 32);
    assert_int_equal(plotnft_spend_parse(&cs, &sp), CP_OK);
    assert_true(sp.has_state);

    /* the chain: that coin spent at 110, chia's CREATE_COIN unspent */
    memcpy(next.parent_coin_info, cid, 32);
    assert_int_equal(hex_decode_exact(next.puzzle_hash, 32, create, strlen(create)), CP_OK);
    next.amount = 1;
    e = fc_add(&fc, &cs.coin, 100);
    e->rec.spent = true;
    e->rec.spent_block_index = 110;
    fc_add(&fc, &next, 110);

    buf_init(&tip, 1 << 16);
    buf_init(&st, 4096);
    assert_int_equal(chia_coin_spend_write(&cs, &tip), CP_OK);
    assert_int_equal(chia_pool_state_write(&sp.state, &st), CP_OK);
    memcpy(id.launcher_id, sp.launcher_id, 32);
    id.delay_time = (uint64_t)json_integer_value(tv_get(cv, "seconds_delay"));
    tv_hex_exact(cv, "delayed_puzzle_hash", id.delay_ph, 32);
    memset(&w, 0, sizeof w);
    w.peak = 1000;
    w.confirm_threshold = 32;
    w.genesis = mainnet->genesis_challenge;
    /* The walk reaches the coin chia's CREATE_COIN made; the vector's
     * key-value list names a state other than its destination (see
     * tests/plotnft/test_state.c), so the tip check refuses it. */
    assert_int_equal(singleton_follow_tip(&ch, &id, tip.data, tip.len, st.data, st.len, &w,
                                          &r), CP_BAD_SINGLETON);
    coin_id(&next, cid);
    assert_memory_equal(fc.last_lookup, cid, 32);
    assert_non_null(fc_find(&fc, cid));
    buf_release(&tip);
    buf_release(&st);
    chia_coin_spend_release(&cs);
    fc_free(&fc);
  }
  json_decref(vec);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_launch_only),
    cmocka_unit_test(test_absorbs_buried),
    cmocka_unit_test(test_leave_then_self_pool),
    cmocka_unit_test(test_other_pool_from_tip),
    cmocka_unit_test(test_hostile),
    cmocka_unit_test(test_is_member_rules),
    cmocka_unit_test(test_vector_travel),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
