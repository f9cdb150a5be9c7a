#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "chia/types.h"
#include "clvm/clvm.h"
#include "crypto/sha256.h"
#include "plotnft/absorb.h"
#include "plotnft/puzzles.h"
#include "plotnft/state.h"
#include "util/hex.h"
#include "util/parse.h"

static json_t *vec;

static int setup(void **state)
{
  (void)state;
  vec = tv_load("puzzles.json");
  return plotnft_init() != CP_OK;
}

static int teardown(void **state)
{
  (void)state;
  json_decref(vec);
  return 0;
}

static uint64_t num(json_t *o, const char *key)
{
  json_t *v = tv_get(o, key);
  uint64_t x = 0;
  if (json_is_integer(v))
    return (uint64_t)json_integer_value(v);
  assert_true(json_is_string(v)); /* big amounts are strings */
  assert_int_equal(parse_u64_cstr(json_string_value(v), UINT64_MAX, &x), CP_OK);
  return x;
}

static json_t *curry_vector_for(const char *launcher_hex)
{
  json_t *cvs = tv_get(vec, "curry_vectors"), *cv;
  size_t i;
  json_array_foreach(cvs, i, cv)
    if (!strcmp(tv_str(cv, "launcher_id"), launcher_hex))
      return cv;
  fail_msg("no curry vector for %s", launcher_hex);
  return NULL;
}

static void genesis(const char *net, uint8_t gc[32])
{
  char key[64];
  snprintf(key, sizeof key, "%s_genesis_challenge", net);
  tv_hex_exact(tv_get(vec, "constants"), key, gc, 32);
}

static void load_coin(json_t *o, struct chia_coin *c)
{
  tv_hex_exact(o, "parent_coin_info", c->parent_coin_info, 32);
  tv_hex_exact(o, "puzzle_hash", c->puzzle_hash, 32);
  c->amount = num(o, "amount");
}

/* The absorb input an absorb_spends vector describes. The vectors name the
 * inner puzzle; the PoolState that selects it is rebuilt from the curry
 * vector of the same launcher (waiting room: LEAVING_POOL). */
static void load_in(json_t *av, struct plotnft_absorb_in *in,
                    struct plotnft_reward *r)
{
  json_t *cv = curry_vector_for(tv_str(av, "launcher_id"));
  bool member = !strcmp(tv_str(av, "inner_state"), "pool_member");

  memset(in, 0, sizeof *in);
  tv_hex_exact(cv, "launcher_id", in->id.launcher_id, 32);
  in->id.delay_time = num(cv, "seconds_delay");
  tv_hex_exact(cv, "delayed_puzzle_hash", in->id.delay_ph, 32);
  genesis(tv_str(av, "network"), in->genesis_challenge);
  in->state.version = 1;
  in->state.state = member ? PLOTNFT_FARMING_TO_POOL : PLOTNFT_LEAVING_POOL;
  tv_hex_exact(cv, "target_puzzle_hash", in->state.target_puzzle_hash, 32);
  tv_hex_exact(cv, "owner_pubkey", in->state.owner_pubkey, 48);
  in->state.relative_lock_height = (uint32_t)num(cv, "relative_lock_height");
  load_coin(tv_get(av, "singleton_coin"), &in->singleton);
  if (json_is_true(tv_get(av, "eve_spend"))) {
    in->lineage.eve = true;
    tv_hex_exact(av, "launcher_parent", in->lineage.parent_parent, 32);
    in->lineage.parent_amount = 1;
  } else {
    /* The parent is the eve singleton (same inner puzzle), whose parent
     * is the launcher. */
    struct chia_coin eve;
    uint8_t id[32];
    tv_hex_exact(av, "launcher_id", eve.parent_coin_info, 32);
    memcpy(eve.puzzle_hash, in->singleton.puzzle_hash, 32);
    eve.amount = 1;
    coin_id(&eve, id);
    assert_memory_equal(id, in->singleton.parent_coin_info, 32);
    memcpy(in->lineage.parent_parent, eve.parent_coin_info, 32);
    tv_hex_exact(av, "singleton_inner_puzzle_hash",
                 in->lineage.parent_inner_hash, 32);
    in->lineage.parent_amount = 1;
  }
  r->height = (uint32_t)num(av, "reward_height");
  r->amount = num(av, "reward_amount");
}

static void assert_blob_hex(const struct st_blob *b, const char *hex)
{
  assert_int_equal(b->len, strlen(hex) / 2);
  tv_assert_hex(b->data, b->len, hex);
}

static void check_pair(json_t *av, const struct chia_coin_spend *s)
{
  struct chia_coin c;
  uint8_t id[32];

  load_coin(tv_get(av, "singleton_coin"), &c);
  assert_memory_equal(&s[0].coin.parent_coin_info, c.parent_coin_info, 32);
  assert_memory_equal(&s[0].coin.puzzle_hash, c.puzzle_hash, 32);
  assert_int_equal(s[0].coin.amount, c.amount);
  coin_id(&s[0].coin, id);
  tv_assert_hex(id, 32, tv_str(tv_get(av, "singleton_coin"), "coin_id"));
  assert_blob_hex(&s[0].puzzle_reveal, tv_str(av, "singleton_puzzle_reveal"));
  assert_blob_hex(&s[0].solution, tv_str(av, "singleton_solution"));

  load_coin(tv_get(av, "reward_coin"), &c);
  assert_memory_equal(&s[1].coin.parent_coin_info, c.parent_coin_info, 32);
  assert_memory_equal(&s[1].coin.puzzle_hash, c.puzzle_hash, 32);
  assert_int_equal(s[1].coin.amount, c.amount);
  coin_id(&s[1].coin, id);
  tv_assert_hex(id, 32, tv_str(tv_get(av, "reward_coin"), "coin_id"));
  assert_blob_hex(&s[1].puzzle_reveal, tv_str(av, "p2_singleton_puzzle_reveal"));
  assert_blob_hex(&s[1].solution, tv_str(av, "p2_singleton_solution"));
}

static void test_absorb_vectors(void **state)
{
  json_t *avs = tv_get(vec, "absorb_spends"), *av;
  size_t i;
  (void)state;

  assert_int_equal(json_array_size(avs), 8);
  json_array_foreach(avs, i, av) {
    struct plotnft_absorb_in in;
    struct plotnft_reward r;
    struct plotnft_absorb_out after;
    struct chia_coin_spend s[2];
    uint8_t id[32];

    load_in(av, &in, &r);
    assert_int_equal(plotnft_absorb_spends(&in, &r, 1, s, &after), CP_OK);
    check_pair(av, s);
    /* The singleton after the absorb: same puzzle hash, child of this one. */
    coin_id(&in.singleton, id);
    assert_memory_equal(after.singleton.parent_coin_info, id, 32);
    assert_memory_equal(after.singleton.puzzle_hash, in.singleton.puzzle_hash, 32);
    assert_int_equal(after.singleton.amount, 1);
    assert_false(after.lineage.eve);
    assert_memory_equal(after.lineage.parent_parent,
                        in.singleton.parent_coin_info, 32);
    tv_assert_hex(after.lineage.parent_inner_hash, 32,
                  tv_str(av, "singleton_inner_puzzle_hash"));
    chia_coin_spend_release(&s[0]);
    chia_coin_spend_release(&s[1]);
  }
}

/* Two rewards from the eve singleton: the second pair is the non-eve
 * vector, which spends the coin the first absorb made. */
static void test_absorb_chain(void **state)
{
  json_t *avs = tv_get(vec, "absorb_spends");
  (void)state;

  for (size_t i = 0; i + 1 < json_array_size(avs); i += 2) {
    json_t *eve = json_array_get(avs, i), *next = json_array_get(avs, i + 1);
    struct plotnft_absorb_in in;
    struct plotnft_reward r[2];
    struct chia_coin_spend s[4];

    assert_true(json_is_true(tv_get(eve, "eve_spend")));
    assert_false(json_is_true(tv_get(next, "eve_spend")));
    load_in(eve, &in, &r[0]);
    r[1] = r[0];
    assert_int_equal(plotnft_absorb_spends(&in, r, 2, s, NULL), CP_OK);
    check_pair(eve, s);
    check_pair(next, s + 2);
    for (int k = 0; k < 4; k++)
      chia_coin_spend_release(&s[k]);
  }
}

static void test_absorb_bundle(void **state)
{
  json_t *av = json_array_get(tv_get(vec, "absorb_spends"), 0);
  struct plotnft_absorb_in in;
  struct plotnft_reward r[3];
  struct chia_spend_bundle sb;
  struct buf b;
  uint8_t zero[95] = { 0 };
  (void)state;

  load_in(av, &in, &r[0]);
  r[1] = r[0];
  r[2] = r[0];
  r[1].height++;
  assert_int_equal(plotnft_absorb_bundle(&in, r, 3, &sb, NULL), CP_OK);
  assert_int_equal(sb.coin_spends.count, 6);
  assert_int_equal(sb.aggregated_signature[0], 0xc0);
  assert_memory_equal(sb.aggregated_signature + 1, zero, 95);
  check_pair(av, chia_spend_bundle_at(&sb, 0));
  /* The second reward coin sits at another height. */
  assert_memory_not_equal(chia_spend_bundle_at(&sb, 3)->coin.parent_coin_info,
                          chia_spend_bundle_at(&sb, 1)->coin.parent_coin_info, 32);
  buf_init(&b, ST_WRITE_MAX);
  assert_int_equal(chia_spend_bundle_write(&sb, &b), CP_OK);
  assert_true(b.len > 6 * 64);
  buf_release(&b);
  chia_spend_bundle_release(&sb);
}

static void test_absorb_rejects(void **state)
{
  json_t *av = json_array_get(tv_get(vec, "absorb_spends"), 0);
  struct plotnft_absorb_in in, bad;
  struct plotnft_reward r;
  struct chia_coin_spend s[2 * (PLOTNFT_ABSORB_MAX + 1)];
  struct plotnft_reward many[PLOTNFT_ABSORB_MAX + 1];
  (void)state;

  load_in(av, &in, &r);
  assert_int_equal(plotnft_absorb_spends(&in, &r, 0, s, NULL), CP_INVAL);
  for (size_t i = 0; i <= PLOTNFT_ABSORB_MAX; i++)
    many[i] = r;
  assert_int_equal(plotnft_absorb_spends(&in, many, PLOTNFT_ABSORB_MAX + 1, s,
                                         NULL), CP_INVAL);
  /* A PoolState that does not match the coin (farmer moved on). */
  bad = in;
  bad.state.state = PLOTNFT_SELF_POOLING;
  assert_int_equal(plotnft_absorb_spends(&bad, &r, 1, s, NULL), CP_INVAL);
  bad = in;
  bad.state.relative_lock_height++;
  assert_int_equal(plotnft_absorb_spends(&bad, &r, 1, s, NULL), CP_INVAL);
  /* An odd reward amount would be taken for the singleton itself; the
   * failure comes after the first pair was built, which must be freed
   * (ASan checks). */
  many[1].amount |= 1;
  assert_int_equal(plotnft_absorb_spends(&in, many, 2, s, NULL), CP_INVAL);
  many[0].amount = 0;
  assert_int_equal(plotnft_absorb_spends(&in, many, 1, s, NULL), CP_INVAL);
}

static void test_fee_announcement(void **state)
{
  json_t *avs = tv_get(vec, "absorb_spends"), *av;
  size_t i;
  (void)state;

  json_array_foreach(avs, i, av) {
    json_t *conds = tv_get(av, "singleton_conditions");
    json_t *last = json_array_get(conds, 4);
    uint8_t rid[32], ann[32];

    assert_string_equal(tv_str(last, "name"), "ASSERT_COIN_ANNOUNCEMENT");
    tv_hex_exact(tv_get(av, "reward_coin"), "coin_id", rid, 32);
    plotnft_absorb_fee_announcement(rid, ann);
    tv_assert_hex(ann, 32, json_string_value(json_array_get(tv_get(last, "args"), 0)));
  }
}

/* --- running the spends through the interpreter --- */

#define CONDS_MAX 8
#define COND_ARGS 3

struct cond {
  uint8_t op;
  size_t nargs;
  const uint8_t *arg[COND_ARGS];
  size_t len[COND_ARGS];
};

/* Run puzzle with solution (mempool flags, a block's cost) and split the
 * result into conditions of atoms. */
static size_t run_conds(struct clvm_alloc *a, const struct st_blob *puz,
                        const struct st_blob *sol, struct cond *out)
{
  clvm_node p, s, res, c;
  uint64_t cost;
  size_t n = 0;

  assert_int_equal(clvm_deserialize(a, puz->data, puz->len, 0, &p, NULL), CP_OK);
  assert_int_equal(clvm_deserialize(a, sol->data, sol->len, 0, &s, NULL), CP_OK);
  assert_int_equal(clvm_run(a, p, s, 11000000000ULL, CLVM_F_MEMPOOL, &res, &cost),
                   CP_OK);
  assert_true(cost > 0);
  for (; clvm_is_pair(res); res = clvm_rest(a, res)) {
    size_t len;
    const uint8_t *op;
    assert_true(n < CONDS_MAX);
    c = clvm_first(a, res);
    assert_true(clvm_is_pair(c));
    op = clvm_atom(a, clvm_first(a, c), &len);
    assert_int_equal(len, 1);
    out[n].op = op[0];
    out[n].nargs = 0;
    for (c = clvm_rest(a, c); clvm_is_pair(c); c = clvm_rest(a, c)) {
      assert_true(out[n].nargs < COND_ARGS);
      out[n].arg[out[n].nargs] = clvm_atom(a, clvm_first(a, c),
                                           &out[n].len[out[n].nargs]);
      assert_non_null(out[n].arg[out[n].nargs]);
      out[n].nargs++;
    }
    n++;
  }
  assert_true(clvm_is_nil(a, res));
  return n;
}

/* Conditions equal the vector's (opcode as a hex byte, args as hex). */
static void assert_conds(const struct cond *c, size_t n, json_t *want)
{
  json_t *w;
  size_t i;

  assert_int_equal(n, json_array_size(want));
  json_array_foreach(want, i, w) {
    json_t *args = tv_get(w, "args"), *x;
    uint8_t op;
    size_t k;
    assert_int_equal(hex_decode_exact(&op, 1, tv_str(w, "opcode"), 2), CP_OK);
    assert_int_equal(c[i].op, op);
    assert_int_equal(c[i].nargs, json_array_size(args));
    json_array_foreach(args, k, x) {
      assert_int_equal(c[i].len[k], strlen(json_string_value(x)) / 2);
      tv_assert_hex(c[i].arg[k], c[i].len[k], json_string_value(x));
    }
  }
}

static uint64_t cond_u64(const struct cond *c, size_t k)
{
  uint64_t v = 0;
  assert_true(c->len[k] <= 9);
  for (size_t i = 0; i < c->len[k]; i++)
    v = v << 8 | c->arg[k][i];
  return v;
}

/* Run every absorb we build: the conditions are the vector's, and they say
 * what an absorb must: one new singleton of the same launcher (odd amount,
 * same puzzle hash), the reward paid to the target, and announcements
 * that bind the two spends to each other. */
static void test_absorb_run(void **state)
{
  json_t *avs = tv_get(vec, "absorb_spends"), *av;
  size_t i;
  (void)state;

  json_array_foreach(avs, i, av) {
    struct clvm_alloc *a = clvm_alloc_new(0);
    struct plotnft_absorb_in in;
    struct plotnft_reward r;
    struct chia_coin_spend s[2];
    struct cond c[CONDS_MAX], p[CONDS_MAX];
    uint8_t sid[32], rid[32], ann[32], full[32];
    size_t n, m, odd = 0;
    struct sha256_ctx h;

    load_in(av, &in, &r);
    assert_int_equal(plotnft_absorb_spends(&in, &r, 1, s, NULL), CP_OK);
    n = run_conds(a, &s[0].puzzle_reveal, &s[0].solution, c);
    m = run_conds(a, &s[1].puzzle_reveal, &s[1].solution, p);
    assert_conds(c, n, tv_get(av, "singleton_conditions"));
    assert_conds(p, m, tv_get(av, "p2_singleton_conditions"));

    coin_id(&s[0].coin, sid);
    coin_id(&s[1].coin, rid);
    plotnft_state_hashes(&in.id, in.genesis_challenge, &in.state, NULL, full);
    for (size_t k = 0; k < n; k++) {
      if (c[k].op != 51 || !(cond_u64(&c[k], 1) & 1))
        continue;
      odd++;
      assert_memory_equal(c[k].arg[0], full, 32);
      assert_int_equal(cond_u64(&c[k], 1), 1);
    }
    assert_int_equal(odd, 1);
    assert_int_equal(c[0].op, 70);               /* ASSERT_MY_COIN_ID */
    assert_memory_equal(c[0].arg[0], sid, 32);
    assert_int_equal(c[2].op, 51);               /* payout */
    assert_memory_equal(c[2].arg[0], in.state.target_puzzle_hash, 32);
    assert_int_equal(cond_u64(&c[2], 1), r.amount);
    assert_int_equal(c[3].op, 62);               /* CREATE_PUZZLE_ANNOUNCEMENT */
    assert_memory_equal(c[3].arg[0], rid, 32);
    assert_int_equal(c[4].op, 61);               /* ASSERT_COIN_ANNOUNCEMENT */
    plotnft_absorb_fee_announcement(rid, ann);   /* = what p2's "$" makes */
    assert_memory_equal(c[4].arg[0], ann, 32);
    assert_int_equal(p[1].op, 60);
    assert_int_equal(p[1].len[0], 1);
    assert_int_equal(p[1].arg[0][0], '$');
    assert_int_equal(p[0].op, 63);               /* singleton's announcement */
    sha256_init(&h);
    sha256_update(&h, s[0].coin.puzzle_hash, 32);
    sha256_update(&h, rid, 32);
    sha256_final(&h, ann);
    assert_memory_equal(p[0].arg[0], ann, 32);
    assert_int_equal(p[2].op, 70);
    assert_memory_equal(p[2].arg[0], rid, 32);

    chia_coin_spend_release(&s[0]);
    chia_coin_spend_release(&s[1]);
    clvm_alloc_free(a);
  }
}

/* The farmer's escape hatch on the p2 address, as in the vector. */
static void test_p2_delayed_run(void **state)
{
  json_t *d = tv_get(vec, "p2_singleton_delayed_spend");
  struct clvm_alloc *a = clvm_alloc_new(0);
  struct plotnft_absorb_in in;
  struct plotnft_reward r;
  struct st_blob puz = { 0 }, sol = { 0 };
  struct cond c[CONDS_MAX];
  struct buf b;
  uint8_t ph[32];
  size_t n;
  (void)state;

  load_in(json_array_get(tv_get(vec, "absorb_spends"), 0), &in, &r);
  plotnft_p2_hash(&in.id, ph);
  tv_assert_hex(ph, 32, tv_str(d, "p2_singleton_puzzle_hash"));
  buf_init(&b, 1 << 16);
  assert_int_equal(plotnft_p2_puzzle(&in.id, &b), CP_OK);
  puz.data = b.data;
  puz.len = b.len;
  sol.data = tv_hex(d, "solution", &sol.len);
  n = run_conds(a, &puz, &sol, c);
  assert_conds(c, n, tv_get(d, "conditions"));
  free(sol.data);
  buf_release(&b);
  clvm_alloc_free(a);
}

/* The fee spend's conditions, run as the delegated puzzle (q . LIST)
 * would: they assert the announcement the absorb's reward coin makes. */
static void test_fee_conditions(void **state)
{
  json_t *av = json_array_get(tv_get(vec, "absorb_spends"), 0);
  struct clvm_alloc *a = clvm_alloc_new(0);
  struct st_blob puz = { 0 }, sol = { 0 };
  struct cond c[CONDS_MAX];
  struct buf b;
  uint8_t rid[32], ph[32], ann[32];
  size_t n;
  (void)state;

  tv_hex_exact(tv_get(av, "reward_coin"), "coin_id", rid, 32);
  memset(ph, 0x77, 32);
  buf_init(&b, 4096);
  assert_int_equal(buf_append_u8(&b, 0xff), CP_OK); /* (q . LIST) */
  assert_int_equal(buf_append_u8(&b, 0x01), CP_OK);
  assert_int_equal(plotnft_absorb_fee_conditions(rid, ph, 999000, 1000, &b), CP_OK);
  puz.data = b.data;
  puz.len = b.len;
  sol.data = (uint8_t *)"\x80";
  sol.len = 1;
  n = run_conds(a, &puz, &sol, c);
  assert_int_equal(n, 3);
  plotnft_absorb_fee_announcement(rid, ann);
  assert_int_equal(c[0].op, 61);
  assert_memory_equal(c[0].arg[0], ann, 32);
  tv_assert_hex(ann, 32, json_string_value(json_array_get(tv_get(json_array_get(
                  tv_get(av, "singleton_conditions"), 4), "args"), 0)));
  assert_int_equal(c[1].op, 51);
  assert_memory_equal(c[1].arg[0], ph, 32);
  assert_int_equal(cond_u64(&c[1], 1), 999000);
  assert_int_equal(c[2].op, 52);
  assert_int_equal(cond_u64(&c[2], 0), 1000);
  /* no change coin; and a zero fee is refused */
  buf_reset(&b);
  assert_int_equal(plotnft_absorb_fee_conditions(rid, ph, 0, 5, &b), CP_OK);
  tv_assert_hex(b.data, b.len, "ffff3dffa0"
                "0d819a2e991d03c9000ed73d2c318582333deb32303c9d29780f6218513f5b08"
                "80ffff34ff058080");
  assert_int_equal(plotnft_absorb_fee_conditions(rid, ph, 0, 0, &b), CP_INVAL);
  buf_release(&b);
  clvm_alloc_free(a);
}

/* Every vector's reward coin reads back as its height and amount, and
 * rebuilds to the same coin; other coins are not rewards. */
static void test_reward_from_coin(void **state)
{
  json_t *avs = tv_get(vec, "absorb_spends"), *av;
  size_t i;
  (void)state;

  json_array_foreach(avs, i, av) {
    struct plotnft_absorb_in in;
    struct plotnft_reward want, got;
    struct chia_coin c, back;
    uint8_t id[32], other[32];

    load_in(av, &in, &want);
    load_coin(tv_get(av, "reward_coin"), &c);
    assert_int_equal(plotnft_reward_from_coin(&c, in.genesis_challenge, &got),
                     CP_OK);
    assert_int_equal(got.height, want.height);
    assert_int_equal(got.amount, want.amount);
    plotnft_reward_coin(&in, &got, &back, id);
    assert_memory_equal(&back, &c, sizeof c);
    tv_assert_hex(id, 32, tv_str(tv_get(av, "reward_coin"), "coin_id"));
    /* the other network's prefix */
    genesis(strcmp(tv_str(av, "network"), "mainnet") ? "mainnet" : "testnet11",
            other);
    assert_int_equal(plotnft_reward_from_coin(&c, other, &got), CP_NOT_FOUND);
    /* a farmer reward coin of the same height */
    coin_farmer_parent_id(in.genesis_challenge, want.height, c.parent_coin_info);
    assert_int_equal(plotnft_reward_from_coin(&c, in.genesis_challenge, &got),
                     CP_NOT_FOUND);
    /* a height beyond 32 bits */
    coin_pool_parent_id(in.genesis_challenge, want.height, c.parent_coin_info);
    c.parent_coin_info[27] = 1;
    assert_int_equal(plotnft_reward_from_coin(&c, in.genesis_challenge, &got),
                     CP_NOT_FOUND);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_absorb_vectors),
    cmocka_unit_test(test_absorb_chain),
    cmocka_unit_test(test_absorb_bundle),
    cmocka_unit_test(test_absorb_rejects),
    cmocka_unit_test(test_fee_announcement),
    cmocka_unit_test(test_absorb_run),
    cmocka_unit_test(test_p2_delayed_run),
    cmocka_unit_test(test_fee_conditions),
    cmocka_unit_test(test_reward_from_coin),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
