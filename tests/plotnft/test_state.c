#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "chia/types.h"
#include "clvm/clvm.h"
#include "plotnft/absorb.h"
#include "plotnft/puzzles.h"
#include "plotnft/state.h"
#include "util/hex.h"
#include "util/parse.h"

static json_t *vec;
static uint8_t mainnet_gc[32];

static int setup(void **state)
{
  (void)state;
  vec = tv_load("puzzles.json");
  tv_hex_exact(tv_get(vec, "constants"), "mainnet_genesis_challenge",
               mainnet_gc, 32);
  return plotnft_init() != CP_OK;
}

static int teardown(void **state)
{
  (void)state;
  json_decref(vec);
  return 0;
}

static json_t *cv0(void)
{
  return json_array_get(tv_get(vec, "curry_vectors"), 0);
}

static json_t *pool_state_example(int i)
{
  return json_array_get(tv_get(tv_get(vec, "pool_state"), "examples"), (size_t)i);
}

static void blob_from_hex(struct st_blob *b, const char *hex)
{
  size_t n = strlen(hex) / 2;
  b->data = malloc(n ? n : 1);
  assert_non_null(b->data);
  assert_int_equal(hex_decode(b->data, n, &b->len, hex, strlen(hex)), CP_OK);
}

static void coin_set(struct chia_coin *c, const char *parent, const char *ph,
                     uint64_t amount)
{
  assert_int_equal(hex_decode_exact(c->parent_coin_info, 32, parent, 64), CP_OK);
  assert_int_equal(hex_decode_exact(c->puzzle_hash, 32, ph, 64), CP_OK);
  c->amount = amount;
}

static void spend_set(struct chia_coin_spend *cs, const struct chia_coin *c,
                      const char *puz_hex, const char *sol_hex)
{
  memset(cs, 0, sizeof *cs);
  cs->coin = *c;
  blob_from_hex(&cs->puzzle_reveal, puz_hex);
  blob_from_hex(&cs->solution, sol_hex);
}

static const char *mainnet_cv0(const char *key)
{
  return tv_str(tv_get(tv_get(cv0(), "by_network"), "mainnet"), key);
}

static const char *launcher_hex(void)
{
  json_t *puz = tv_get(vec, "puzzles"), *p;
  size_t i;
  json_array_foreach(puz, i, p)
    if (!strcmp(tv_str(p, "name"), "singleton_launcher"))
      return tv_str(p, "hex");
  fail();
  return NULL;
}

/* The launcher spend of curry vector 0 on mainnet, farming to a pool:
 * (full_ph 1 key_value_list) with pool_state example 0's list. */
static void launcher_spend(struct chia_coin_spend *cs)
{
  struct chia_coin c;
  char sol[2048];

  coin_set(&c, tv_str(cv0(), "launcher_parent_coin_id"),
           tv_str(tv_get(vec, "constants"), "singleton_launcher_hash"), 1);
  snprintf(sol, sizeof sol, "ffa0%sff01ff%s80",
           mainnet_cv0("full_singleton_puzzle_hash_farming_to_pool_state"),
           tv_str(pool_state_example(0), "launcher_extra_data_key_value_list"));
  spend_set(cs, &c, launcher_hex(), sol);
}

static void assert_state_is(const struct chia_pool_state *ps, json_t *ex)
{
  assert_int_equal(ps->version, json_integer_value(tv_get(ex, "version")));
  assert_int_equal(ps->state, json_integer_value(tv_get(ex, "state")));
  tv_assert_hex(ps->target_puzzle_hash, 32, tv_str(ex, "target_puzzle_hash"));
  tv_assert_hex(ps->owner_pubkey, 48, tv_str(ex, "owner_pubkey"));
  assert_int_equal(ps->relative_lock_height,
                   json_integer_value(tv_get(ex, "relative_lock_height")));
  if (json_is_null(tv_get(ex, "pool_url")))
    assert_false(ps->has_pool_url);
  else
    assert_string_equal(ps->pool_url, tv_str(ex, "pool_url"));
}

static void test_launch_parse(void **state)
{
  struct chia_coin_spend cs;
  struct plotnft_launch l;
  (void)state;

  launcher_spend(&cs);
  assert_int_equal(plotnft_launch_parse(&cs, &l), CP_OK);
  tv_assert_hex(l.id.launcher_id, 32, tv_str(cv0(), "launcher_id"));
  assert_int_equal(l.id.delay_time, 604800);
  tv_assert_hex(l.id.delay_ph, 32, tv_str(cv0(), "delayed_puzzle_hash"));
  tv_assert_hex(l.launcher_parent, 32, tv_str(cv0(), "launcher_parent_coin_id"));
  assert_int_equal(l.launcher_amount, 1);
  assert_state_is(&l.state, pool_state_example(0));
  tv_assert_hex(l.eve.parent_coin_info, 32, tv_str(cv0(), "launcher_id"));
  tv_assert_hex(l.eve.puzzle_hash, 32,
                mainnet_cv0("full_singleton_puzzle_hash_farming_to_pool_state"));
  assert_int_equal(l.eve.amount, 1);

  /* The state the launcher names puts the eve coin where it is. */
  {
    uint8_t inner[32], full[32];
    plotnft_state_hashes(&l.id, mainnet_gc, &l.state, inner, full);
    tv_assert_hex(inner, 32, mainnet_cv0("pool_member_inner_puzzle_hash"));
    assert_memory_equal(full, l.eve.puzzle_hash, 32);
  }

  /* A launcher coin that is not at the launcher puzzle hash. */
  cs.coin.puzzle_hash[0] ^= 1;
  assert_int_equal(plotnft_launch_parse(&cs, &l), CP_BAD_SINGLETON);
  chia_coin_spend_release(&cs);
}

static void test_launch_rejects(void **state)
{
  struct chia_coin_spend cs;
  struct plotnft_launch l;
  struct chia_coin c;
  char sol[512];
  (void)state;

  coin_set(&c, tv_str(cv0(), "launcher_parent_coin_id"),
           tv_str(tv_get(vec, "constants"), "singleton_launcher_hash"), 1);
  /* key-value list without "p" */
  snprintf(sol, sizeof sol, "ffa0%sff01ffffff7483093a80ffff68a0%s8080",
           mainnet_cv0("full_singleton_puzzle_hash_farming_to_pool_state"),
           tv_str(cv0(), "delayed_puzzle_hash"));
  spend_set(&cs, &c, launcher_hex(), sol);
  assert_int_equal(plotnft_launch_parse(&cs, &l), CP_BAD_SINGLETON);
  chia_coin_spend_release(&cs);
  /* truncated solution bytes */
  spend_set(&cs, &c, launcher_hex(), "ffa0");
  assert_int_equal(plotnft_launch_parse(&cs, &l), CP_CLVM_SERIAL);
  chia_coin_spend_release(&cs);
}

/* Every absorb vector's singleton spend reads as an absorb that recreates
 * the same singleton. */
static void test_spend_parse_absorb(void **state)
{
  json_t *avs = tv_get(vec, "absorb_spends"), *av;
  size_t i;
  (void)state;

  json_array_foreach(avs, i, av) {
    json_t *sc = tv_get(av, "singleton_coin");
    struct chia_coin_spend cs;
    struct plotnft_spend sp;
    struct plotnft_lineage lin;
    struct chia_coin c;
    uint64_t amount;
    uint8_t id[32];

    coin_set(&c, tv_str(sc, "parent_coin_info"), tv_str(sc, "puzzle_hash"), 1);
    spend_set(&cs, &c, tv_str(av, "singleton_puzzle_reveal"),
              tv_str(av, "singleton_solution"));
    assert_int_equal(plotnft_spend_parse(&cs, &sp), CP_OK);
    tv_assert_hex(sp.launcher_id, 32, tv_str(av, "launcher_id"));
    tv_assert_hex(sp.coin_id, 32, tv_str(sc, "coin_id"));
    assert_int_equal(sp.kind, strcmp(tv_str(av, "inner_state"), "pool_member")
                                  ? PLOTNFT_INNER_WAITINGROOM
                                  : PLOTNFT_INNER_MEMBER);
    assert_int_equal(sp.action, PLOTNFT_ABSORB);
    assert_true(sp.has_reward);
    assert_int_equal(parse_u64_cstr(tv_str(av, "reward_amount"), UINT64_MAX,
                                    &amount), CP_OK);
    assert_int_equal(sp.reward_amount, amount);
    assert_int_equal(sp.reward_height,
                     json_integer_value(tv_get(av, "reward_height")));
    assert_false(sp.has_state);
    tv_assert_hex(sp.inner_hash, 32, tv_str(av, "singleton_inner_puzzle_hash"));
    assert_memory_equal(sp.next_inner_hash, sp.inner_hash, 32);
    /* next = the CREATE_COIN of amount 1 in the vector's conditions */
    assert_memory_equal(sp.next.parent_coin_info, sp.coin_id, 32);
    tv_assert_hex(sp.next.puzzle_hash, 32, tv_str(sc, "puzzle_hash"));
    assert_int_equal(sp.next.amount, 1);
    tv_assert_hex(sp.next.puzzle_hash, 32,
                  json_string_value(json_array_get(tv_get(json_array_get(
                    tv_get(av, "singleton_conditions"), 1), "args"), 0)));
    coin_id(&c, id);
    assert_memory_equal(id, sp.coin_id, 32);
    plotnft_spend_lineage(&cs, &sp, &lin);
    assert_false(lin.eve);
    assert_memory_equal(lin.parent_parent, c.parent_coin_info, 32);
    assert_memory_equal(lin.parent_inner_hash, sp.inner_hash, 32);
    assert_int_equal(lin.parent_amount, 1);

    /* The reveal must be the coin's puzzle. */
    cs.coin.puzzle_hash[5] ^= 0x10;
    assert_int_equal(plotnft_spend_parse(&cs, &sp), CP_BAD_SINGLETON);
    cs.coin.puzzle_hash[5] ^= 0x10;
    /* my_amount must be the coin's amount. */
    cs.coin.amount = 3;
    assert_int_equal(plotnft_spend_parse(&cs, &sp), CP_BAD_SINGLETON);
    chia_coin_spend_release(&cs);
  }
}

/* A reward coin's spend is not a singleton spend. */
static void test_spend_parse_not_singleton(void **state)
{
  json_t *av = json_array_get(tv_get(vec, "absorb_spends"), 0);
  json_t *rc = tv_get(av, "reward_coin");
  struct chia_coin_spend cs;
  struct plotnft_spend sp;
  struct chia_coin c;
  uint64_t amount;
  (void)state;

  assert_int_equal(parse_u64_cstr(tv_str(rc, "amount"), UINT64_MAX, &amount),
                   CP_OK);
  coin_set(&c, tv_str(rc, "parent_coin_info"), tv_str(rc, "puzzle_hash"), amount);
  spend_set(&cs, &c, tv_str(av, "p2_singleton_puzzle_reveal"),
            tv_str(av, "p2_singleton_solution"));
  assert_int_equal(plotnft_spend_parse(&cs, &sp), CP_BAD_SINGLETON);
  chia_coin_spend_release(&cs);
}

static void test_spend_parse_travel(void **state)
{
  json_t *ts = tv_get(vec, "travel_spends");
  struct chia_coin_spend cs;
  struct plotnft_spend sp;
  struct chia_coin c;
  (void)state;

  /* waiting room (eve) -> self pooling: destination from the solution */
  {
    json_t *t = json_array_get(ts, 0);
    json_t *conds = tv_get(t, "conditions");
    assert_string_equal(tv_str(t, "from"), "waiting_room");
    coin_set(&c, tv_str(t, "launcher_id"),
             mainnet_cv0("full_singleton_puzzle_hash_waiting_room_state"), 1);
    spend_set(&cs, &c, tv_str(t, "puzzle_reveal"), tv_str(t, "solution"));
    assert_int_equal(plotnft_spend_parse(&cs, &sp), CP_OK);
    tv_assert_hex(sp.coin_id, 32, json_string_value(json_array_get(
                    tv_get(json_array_get(conds, 0), "args"), 0)));
    assert_int_equal(sp.kind, PLOTNFT_INNER_WAITINGROOM);
    assert_int_equal(sp.action, PLOTNFT_TRAVEL);
    assert_int_equal(sp.args.lock_height, 100);
    assert_true(sp.has_state);
    assert_state_is(&sp.state, pool_state_example(1));
    tv_assert_hex(sp.inner_hash, 32, mainnet_cv0("waiting_room_inner_puzzle_hash"));
    tv_assert_hex(sp.next.puzzle_hash, 32, json_string_value(json_array_get(
                    tv_get(json_array_get(conds, 2), "args"), 0)));
    assert_memory_equal(sp.next.parent_coin_info, sp.coin_id, 32);
    assert_int_equal(sp.next.amount, 1);
    chia_coin_spend_release(&cs);
  }
  /* member (eve) -> its curried waiting room */
  {
    json_t *t = json_array_get(ts, 1);
    json_t *conds = tv_get(t, "conditions");
    assert_string_equal(tv_str(t, "from"), "pool_member");
    coin_set(&c, tv_str(t, "launcher_id"),
             mainnet_cv0("full_singleton_puzzle_hash_farming_to_pool_state"), 1);
    spend_set(&cs, &c, tv_str(t, "puzzle_reveal"), tv_str(t, "solution"));
    assert_int_equal(plotnft_spend_parse(&cs, &sp), CP_OK);
    tv_assert_hex(sp.coin_id, 32, json_string_value(json_array_get(
                    tv_get(json_array_get(conds, 0), "args"), 0)));
    assert_int_equal(sp.kind, PLOTNFT_INNER_MEMBER);
    assert_int_equal(sp.action, PLOTNFT_TRAVEL);
    assert_true(sp.has_state);
    assert_state_is(&sp.state, pool_state_example(1));
    tv_assert_hex(sp.waitingroom_hash, 32,
                  mainnet_cv0("waiting_room_inner_puzzle_hash"));
    tv_assert_hex(sp.next.puzzle_hash, 32, json_string_value(json_array_get(
                    tv_get(json_array_get(conds, 2), "args"), 0)));
    tv_assert_hex(sp.next.puzzle_hash, 32,
                  mainnet_cv0("full_singleton_puzzle_hash_waiting_room_state"));
    chia_coin_spend_release(&cs);
  }
}

/* --- lineage walking over a fake chain --- */

#define CHAIN_MAX 8

struct chain {
  size_t n;
  uint8_t ids[CHAIN_MAX][32];
  struct chia_coin_spend spends[CHAIN_MAX];
  unsigned calls;
};

static void chain_add(struct chain *ch, struct chia_coin_spend *cs)
{
  assert_true(ch->n < CHAIN_MAX);
  coin_id(&cs->coin, ch->ids[ch->n]);
  ch->spends[ch->n++] = *cs;
}

static void chain_release(struct chain *ch)
{
  for (size_t i = 0; i < ch->n; i++)
    chia_coin_spend_release(&ch->spends[i]);
}

static cp_err chain_fetch(void *ctx, const uint8_t id[32], bool *spent,
                          struct chia_coin_spend *out)
{
  struct chain *ch = ctx;
  ch->calls++;
  for (size_t i = 0; i < ch->n; i++) {
    if (memcmp(ch->ids[i], id, 32))
      continue;
    *spent = true;
    out->coin = ch->spends[i].coin;
    out->puzzle_reveal.len = ch->spends[i].puzzle_reveal.len;
    out->puzzle_reveal.data = malloc(out->puzzle_reveal.len);
    memcpy(out->puzzle_reveal.data, ch->spends[i].puzzle_reveal.data,
           out->puzzle_reveal.len);
    out->solution.len = ch->spends[i].solution.len;
    out->solution.data = malloc(out->solution.len);
    memcpy(out->solution.data, ch->spends[i].solution.data, out->solution.len);
    return CP_OK;
  }
  *spent = false; /* every other coin exists, unspent */
  return CP_OK;
}

static void add_absorb(struct chain *ch, int i)
{
  json_t *av = json_array_get(tv_get(vec, "absorb_spends"), (size_t)i);
  json_t *sc = tv_get(av, "singleton_coin");
  struct chia_coin_spend cs;
  struct chia_coin c;

  coin_set(&c, tv_str(sc, "parent_coin_info"), tv_str(sc, "puzzle_hash"), 1);
  spend_set(&cs, &c, tv_str(av, "singleton_puzzle_reveal"),
            tv_str(av, "singleton_solution"));
  chain_add(ch, &cs);
}

/* launcher -> eve (absorb) -> second (absorb) -> tip */
static void test_follow_absorbs(void **state)
{
  struct chain ch = { 0 };
  struct chia_coin_spend cs;
  struct plotnft_tip tip;
  uint8_t lid[32], id[32];
  (void)state;

  launcher_spend(&cs);
  chain_add(&ch, &cs);
  add_absorb(&ch, 0);
  add_absorb(&ch, 1);
  tv_hex_exact(cv0(), "launcher_id", lid, 32);

  assert_int_equal(plotnft_follow(lid, mainnet_gc, chain_fetch, &ch, 0, &tip),
                   CP_OK);
  assert_int_equal(tip.spends, 2);
  assert_int_equal(ch.calls, 4);
  assert_state_is(&tip.state, pool_state_example(0));
  assert_int_equal(tip.kind, PLOTNFT_INNER_MEMBER);
  tv_assert_hex(tip.inner_hash, 32, mainnet_cv0("pool_member_inner_puzzle_hash"));
  tv_assert_hex(tip.p2_ph, 32, tv_str(cv0(), "p2_singleton_puzzle_hash"));
  tv_assert_hex(tip.coin.parent_coin_info, 32,
                tv_str(tv_get(json_array_get(tv_get(vec, "absorb_spends"), 1),
                              "singleton_coin"), "coin_id"));
  tv_assert_hex(tip.coin.puzzle_hash, 32,
                mainnet_cv0("full_singleton_puzzle_hash_farming_to_pool_state"));
  coin_id(&tip.coin, id);
  assert_memory_equal(id, tip.coin_id, 32);
  assert_false(tip.lineage.eve);
  tv_assert_hex(tip.lineage.parent_parent, 32,
                tv_str(tv_get(json_array_get(tv_get(vec, "absorb_spends"), 0),
                              "singleton_coin"), "coin_id"));
  tv_assert_hex(tip.lineage.parent_inner_hash, 32,
                mainnet_cv0("pool_member_inner_puzzle_hash"));
  assert_int_equal(tip.lineage.parent_amount, 1);

  /* Absorbing from the tip: the singleton spend built from the walk reads
   * back as an absorb of exactly that coin, and moves the tip one on. */
  {
    struct plotnft_absorb_in in;
    struct plotnft_absorb_out after;
    struct plotnft_reward r = { 5058105, 875000000000ULL };
    struct chia_coin_spend s[2];
    struct plotnft_spend sp;

    plotnft_absorb_in_from_tip(&tip, mainnet_gc, &in);
    assert_int_equal(plotnft_absorb_spends(&in, &r, 1, s, &after), CP_OK);
    assert_memory_equal(&s[0].coin, &tip.coin, sizeof tip.coin);
    assert_int_equal(plotnft_spend_parse(&s[0], &sp), CP_OK);
    assert_int_equal(sp.action, PLOTNFT_ABSORB);
    assert_int_equal(sp.reward_amount, r.amount);
    assert_int_equal(sp.reward_height, r.height);
    assert_memory_equal(&sp.next, &after.singleton, sizeof sp.next);
    tv_assert_hex(s[1].coin.puzzle_hash, 32, tv_str(cv0(), "p2_singleton_puzzle_hash"));
    chia_coin_spend_release(&s[0]);
    chia_coin_spend_release(&s[1]);
  }

  /* A walk bounded below the chain's length stops. */
  assert_int_equal(plotnft_follow(lid, mainnet_gc, chain_fetch, &ch, 1, &tip),
                   CP_TOO_BIG);
  /* On another network the same singleton is not a valid plot NFT. */
  {
    uint8_t gc[32];
    tv_hex_exact(tv_get(vec, "constants"), "testnet11_genesis_challenge", gc, 32);
    assert_int_equal(plotnft_follow(lid, gc, chain_fetch, &ch, 0, &tip),
                     CP_BAD_SINGLETON);
  }
  chain_release(&ch);
}

/* Only the launcher is spent: the tip is the eve coin, eve lineage. */
static void test_follow_eve(void **state)
{
  struct chain ch = { 0 };
  struct chia_coin_spend cs;
  struct plotnft_tip tip;
  uint8_t lid[32];
  (void)state;

  launcher_spend(&cs);
  chain_add(&ch, &cs);
  tv_hex_exact(cv0(), "launcher_id", lid, 32);
  assert_int_equal(plotnft_follow(lid, mainnet_gc, chain_fetch, &ch, 0, &tip),
                   CP_OK);
  assert_int_equal(tip.spends, 0);
  assert_true(tip.lineage.eve);
  tv_assert_hex(tip.lineage.parent_parent, 32,
                tv_str(cv0(), "launcher_parent_coin_id"));
  assert_int_equal(tip.lineage.parent_amount, 1);
  tv_assert_hex(tip.coin.parent_coin_info, 32, tv_str(cv0(), "launcher_id"));
  /* An unknown launcher id: nothing spent under it. */
  lid[0] ^= 1;
  assert_int_equal(plotnft_follow(lid, mainnet_gc, chain_fetch, &ch, 0, &tip),
                   CP_BAD_SINGLETON);
  chain_release(&ch);
}

/* The member escape to the waiting room, as chia's wallet does it (the
 * key-value list names the LEAVING_POOL state with the same target), and as
 * in the travel vector (it names another state, which the tip's puzzle
 * hash then contradicts). */
static void test_follow_travel(void **state)
{
  json_t *t = json_array_get(tv_get(vec, "travel_spends"), 1);
  const char *inner = tv_str(pool_state_example(0), "member_travel_inner_solution");
  struct chain ch = { 0 };
  struct chia_coin_spend cs;
  struct chia_coin c;
  struct plotnft_tip tip;
  uint8_t lid[32];
  char sol[2048], *p;
  (void)state;

  tv_hex_exact(cv0(), "launcher_id", lid, 32);
  launcher_spend(&cs);
  chain_add(&ch, &cs);
  coin_set(&c, tv_str(cv0(), "launcher_id"),
           mainnet_cv0("full_singleton_puzzle_hash_farming_to_pool_state"), 1);
  snprintf(sol, sizeof sol, "ffffa0%sff0180ff01ff%s80",
           tv_str(cv0(), "launcher_parent_coin_id"), inner);
  p = strstr(sol, "c0730103"); /* PoolState atom: version 1, state 3 */
  assert_non_null(p);
  p[7] = '2';                  /* -> LEAVING_POOL */
  spend_set(&cs, &c, tv_str(t, "puzzle_reveal"), sol);
  chain_add(&ch, &cs);

  assert_int_equal(plotnft_follow(lid, mainnet_gc, chain_fetch, &ch, 0, &tip),
                   CP_OK);
  assert_int_equal(tip.spends, 1);
  assert_int_equal(tip.state.state, PLOTNFT_LEAVING_POOL);
  assert_int_equal(tip.kind, PLOTNFT_INNER_WAITINGROOM);
  tv_assert_hex(tip.inner_hash, 32, mainnet_cv0("waiting_room_inner_puzzle_hash"));
  tv_assert_hex(tip.coin.puzzle_hash, 32,
                mainnet_cv0("full_singleton_puzzle_hash_waiting_room_state"));
  tv_assert_hex(tip.lineage.parent_inner_hash, 32,
                mainnet_cv0("pool_member_inner_puzzle_hash"));
  chain_release(&ch);

  /* The vector's own spend: the state it carries does not match. */
  memset(&ch, 0, sizeof ch);
  launcher_spend(&cs);
  chain_add(&ch, &cs);
  spend_set(&cs, &c, tv_str(t, "puzzle_reveal"), tv_str(t, "solution"));
  chain_add(&ch, &cs);
  assert_int_equal(plotnft_follow(lid, mainnet_gc, chain_fetch, &ch, 0, &tip),
                   CP_BAD_SINGLETON);
  chain_release(&ch);
}

/* Running the travel spends gives the vector's conditions, and the one
 * odd CREATE_COIN is the next coin plotnft_spend_parse read off the
 * curried values and the solution without running anything. */
static void test_travel_run(void **state)
{
  json_t *ts = tv_get(vec, "travel_spends"), *t;
  size_t i;
  (void)state;

  json_array_foreach(ts, i, t) {
    struct clvm_alloc *a = clvm_alloc_new(0);
    bool member = !strcmp(tv_str(t, "from"), "pool_member");
    json_t *want = tv_get(t, "conditions"), *w;
    struct chia_coin_spend cs;
    struct plotnft_spend sp;
    struct chia_coin c;
    clvm_node p, sol, res;
    uint64_t cost;
    size_t k, odd = 0;

    coin_set(&c, tv_str(t, "launcher_id"),
             mainnet_cv0(member ? "full_singleton_puzzle_hash_farming_to_pool_state"
                                : "full_singleton_puzzle_hash_waiting_room_state"), 1);
    spend_set(&cs, &c, tv_str(t, "puzzle_reveal"), tv_str(t, "solution"));
    assert_int_equal(plotnft_spend_parse(&cs, &sp), CP_OK);
    assert_int_equal(clvm_deserialize(a, cs.puzzle_reveal.data,
                                      cs.puzzle_reveal.len, 0, &p, NULL), CP_OK);
    assert_int_equal(clvm_deserialize(a, cs.solution.data, cs.solution.len, 0,
                                      &sol, NULL), CP_OK);
    assert_int_equal(clvm_run(a, p, sol, 11000000000ULL, CLVM_F_MEMPOOL, &res,
                              &cost), CP_OK);
    json_array_foreach(want, k, w) {
      clvm_node cond, x;
      json_t *args = tv_get(w, "args"), *arg;
      size_t j, len;
      const uint8_t *op;
      uint8_t wop;

      assert_true(clvm_is_pair(res));
      cond = clvm_first(a, res);
      res = clvm_rest(a, res);
      op = clvm_atom(a, clvm_first(a, cond), &len);
      assert_int_equal(len, 1);
      assert_int_equal(hex_decode_exact(&wop, 1, tv_str(w, "opcode"), 2), CP_OK);
      assert_int_equal(op[0], wop);
      x = clvm_rest(a, cond);
      json_array_foreach(args, j, arg) {
        const uint8_t *v = clvm_atom(a, clvm_first(a, x), &len);
        assert_int_equal(len, strlen(json_string_value(arg)) / 2);
        tv_assert_hex(v, len, json_string_value(arg));
        if (op[0] == 51 && j == 1 && len && (v[len - 1] & 1)) {
          odd++;
          assert_memory_equal(clvm_atom(a, clvm_first(a, clvm_rest(a, cond)), &len),
                              sp.next.puzzle_hash, 32);
        }
        x = clvm_rest(a, x);
      }
    }
    assert_true(clvm_is_nil(a, res));
    assert_int_equal(odd, 1);
    chia_coin_spend_release(&cs);
    clvm_alloc_free(a);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_launch_parse),
    cmocka_unit_test(test_launch_rejects),
    cmocka_unit_test(test_spend_parse_absorb),
    cmocka_unit_test(test_spend_parse_not_singleton),
    cmocka_unit_test(test_spend_parse_travel),
    cmocka_unit_test(test_follow_absorbs),
    cmocka_unit_test(test_follow_eve),
    cmocka_unit_test(test_follow_travel),
    cmocka_unit_test(test_travel_run),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
