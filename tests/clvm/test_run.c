/* Evaluator: whole programs with exact results and costs (docs/clvm.md
 * worked examples and hand-derived ones), paths, apply, softfork, error
 * kinds, and the plot-NFT absorb spends of tests/vectors/puzzles.json. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clvm/clvm.h"
#include "util/buf.h"
#include "util/hex.h"

struct prog_case {
  const char *prog, *env;
  unsigned flags;
  cp_err rc;
  const char *result; /* serialised hex */
  uint64_t cost;
};

static const struct prog_case cases[] = {
  /* docs/clvm.md §7 */
  { "ff10ffff0102ffff010380", "80", 0, CP_OK, "05", 796 },
  { "ff12ffff018200ffffff018200ff80", "80", 0, CP_OK, "8300fe01", 1072 },
  { "ff14ffff0181f9ffff010280", "80", 0, CP_OK, "ff81fc01", 1189 },
  /* paths (traverse_path costs) */
  { "80", "ff0580", 0, CP_OK, "80", 44 },
  { "01", "ff0580", 0, CP_OK, "ff0580", 44 },
  { "02", "ff0580", 0, CP_OK, "05", 48 },
  { "03", "ff0580", 0, CP_OK, "80", 48 },
  { "05", "ff05ff0680", 0, CP_OK, "06", 52 },
  { "07", "ff05ff0680", 0, CP_OK, "80", 52 },
  { "8100", "ff0580", 0, CP_OK, "80", 48 },
  { "820002", "ff0580", 0, CP_OK, "05", 52 },
  { "04", "ff0580", 0, CP_CLVM_EVAL, NULL, 0 },
  { "02", "05", 0, CP_CLVM_EVAL, NULL, 0 },
  /* quote */
  { "ff0105", "80", 0, CP_OK, "05", 20 },
  { "ff01ff0203", "80", 0, CP_OK, "ff0203", 20 },
  /* apply: (a (q . (+ 2 5)) (q . (3 4))) */
  { "ff02ffff01ff10ff02ff0580ffff01ff03ff048080", "80", 0, CP_OK, "07", 987 },
  /* (a (q . 1) 1) = the env; 1 + 20 + 44 + 90 + 44 */
  { "ff02ffff0101ff0180", "ff0580", 0, CP_OK, "ff0580", 199 },
  { "ff02ffff010180", "80", 0, CP_CLVM_EVAL, NULL, 0 }, /* (a (q . 1)): arity */
  /* ((X) . ARGS): + applied to the raw (5 6) */
  { "ffff1080ff05ff0680", "80", 0, CP_OK, "0b", 845 },
  { "ffffff108080ff05ff0680", "80", 0, CP_CLVM_BAD_OP, NULL, 0 },
  /* lazy if: (a (i (q . 1) (q . (q . 7)) (q . (x))) 1) */
  { "ff02ffff03ffff0101ffff01ff0107ffff01ff088080ff0180", "80", 0, CP_OK, "07", 0 },
  /* raise */
  { "ff08ffff010580", "80", 0, CP_CLVM_RAISE, NULL, 0 },
  /* operand list not nil-terminated */
  { "ff10ffff010205", "80", 0, CP_CLVM_EVAL, NULL, 0 },
  /* unknown op 0x40 with args (1 ()): strict refuses, consensus charges 742 */
  { "ff40ffff0101ffff018080", "80", 0, CP_OK, "80", 783 },
  { "ff40ffff0101ffff018080", "80", CLVM_F_MEMPOOL, CP_CLVM_BAD_OP, NULL, 0 },
  /* softfork (cost 160 = guard 140 + (q . 1) 20), ext 0 */
  { "ff24ffff018200a0ffff0180ffff01ff0101ffff018080", "80", 0, CP_OK, "80", 241 },
  { "ff24ffff018200a0ffff0180ffff01ff0101ffff018080", "80", CLVM_F_MEMPOOL, CP_OK, "80", 241 },
  /* declared 161: mismatch */
  { "ff24ffff018200a1ffff0180ffff01ff0101ffff018080", "80", 0, CP_CLVM_EVAL, NULL, 0 },
  /* unknown extension 5: consensus returns nil for the declared cost */
  { "ff24ffff018200a1ffff0105ffff01ff0101ffff018080", "80", 0, CP_OK, "80", 242 },
  { "ff24ffff018200a1ffff0105ffff01ff0101ffff018080", "80", CLVM_F_MEMPOOL,
    CP_CLVM_BAD_OP, NULL, 0 },
  /* cost 0 */
  { "ff24ffff0180ffff0180ffff01ff0101ffff018080", "80", 0, CP_CLVM_COST, NULL, 0 },
  /* keccak256 inside a softfork guard with extension 1: 140 + 1 + 20 + 536 */
  { "ff24ffff018202b9ffff0101ffff01ff3effff0183666f6f80ffff018080", "80", CLVM_F_MEMPOOL,
    CP_OK, "80", 778 },
  /* ... but not with extension 0 */
  { "ff24ffff018202b9ffff0180ffff01ff3effff0183666f6f80ffff018080", "80", CLVM_F_MEMPOOL,
    CP_CLVM_BAD_OP, NULL, 0 },
  /* a failing program inside the guard fails the whole run */
  { "ff24ffff018200a0ffff0180ffff01ff0880ffff018080", "80", 0, CP_CLVM_RAISE, NULL, 0 },
};

static void test_programs(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct prog_case *c = &cases[i];
    struct clvm_alloc *a = clvm_alloc_new(0);
    uint8_t b[256];
    size_t n;
    clvm_node prog, env, res;
    uint64_t cost = 0;
    cp_err rc;
    n = tv_unhex(c->prog, b, sizeof b);
    assert_int_equal(clvm_deserialize(a, b, n, 0, &prog, NULL), CP_OK);
    n = tv_unhex(c->env, b, sizeof b);
    assert_int_equal(clvm_deserialize(a, b, n, 0, &env, NULL), CP_OK);
    rc = clvm_run(a, prog, env, 0, c->flags, &res, &cost);
    if (rc != c->rc)
      fail_msg("case %zu (%s): %s, want %s", i, c->prog, cp_errname(rc),
               cp_errname(c->rc));
    if (!rc) {
      struct buf out;
      buf_init(&out, 4096);
      assert_int_equal(clvm_serialize(a, res, &out), CP_OK);
      tv_assert_hex(out.data, out.len, c->result);
      if (c->cost && cost != c->cost)
        fail_msg("case %zu (%s): cost %llu, want %llu", i, c->prog,
                 (unsigned long long)cost, (unsigned long long)c->cost);
      /* the exact cost is enough budget; one less is not */
      assert_int_equal(clvm_run(a, prog, env, cost, c->flags, &res, NULL), CP_OK);
      assert_int_equal(clvm_run(a, prog, env, cost - 1, c->flags, &res, NULL),
                       CP_CLVM_COST);
      buf_release(&out);
    }
    clvm_alloc_free(a);
  }
}

static void test_raise_node(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  uint8_t b[] = { 0xff, 0x08, 0xff, 0xff, 0x01, 0x05, 0x80 };
  clvm_node prog, res;
  int64_t v;
  (void)state;
  assert_int_equal(clvm_deserialize(a, b, sizeof b, 0, &prog, NULL), CP_OK);
  assert_int_equal(clvm_run(a, prog, CLVM_NIL, 0, 0, &res, NULL), CP_CLVM_RAISE);
  assert_int_equal(clvm_to_i64(a, clvm_last_error_node(a), &v), CP_OK);
  assert_true(v == 5);
  clvm_alloc_free(a);
}

/* (a 1 1) run on itself loops forever without growing any stack; a cost
 * limit stops it. A program that nests (c 1 (a ...)) grows the value
 * stack instead and also stops cleanly. */
static void test_runaway(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  uint8_t loop[] = { 0xff, 0x02, 0xff, 0x01, 0xff, 0x01, 0x80 };
  /* (c 1 (a 1 1)) applied to itself: unbounded nesting of pending conses */
  uint8_t grow[] = { 0xff, 0x04, 0xff, 0x01, 0xff, 0xff, 0x02, 0xff, 0x01,
                     0xff, 0x01, 0x80, 0x80 };
  clvm_node prog, res;
  uint64_t cost;
  (void)state;
  assert_int_equal(clvm_deserialize(a, loop, sizeof loop, 0, &prog, NULL), CP_OK);
  assert_int_equal(clvm_run(a, prog, prog, 1000000, 0, &res, &cost), CP_CLVM_COST);
  assert_true(cost > 1000000);
  assert_int_equal(clvm_deserialize(a, grow, sizeof grow, 0, &prog, NULL), CP_OK);
  assert_int_equal(clvm_run(a, prog, prog, 5000000, 0, &res, &cost), CP_CLVM_COST);
  clvm_alloc_free(a);
}

static void test_heap_limit(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(200);
  uint8_t x[60], b = 14;
  clvm_node q, items[3], prog, res;
  (void)state;
  memset(x, 'x', sizeof x);
  /* (concat (q . x) (q . x)): the first 120-byte result fits in the 200-byte
   * heap next to the program, a second one does not */
  assert_int_equal(clvm_new_atom(a, x, sizeof x, &q), CP_OK);
  assert_int_equal(clvm_new_pair(a, CLVM_ONE, q, &q), CP_OK);
  assert_int_equal(clvm_new_atom(a, &b, 1, &items[0]), CP_OK);
  items[1] = items[2] = q;
  assert_int_equal(clvm_new_list(a, items, 3, &prog), CP_OK);
  assert_int_equal(clvm_run(a, prog, CLVM_NIL, 0, 0, &res, NULL), CP_OK);
  assert_int_equal(clvm_atom_len(a, res), 120);
  assert_int_equal(clvm_run(a, prog, CLVM_NIL, 0, 0, &res, NULL), CP_CLVM_LIMIT);
  clvm_alloc_free(a);
}

/* Nested softfork guards: P0 = (q . 1); Pk = (softfork (q . Ck) (q . 0)
 * (q . Pk-1) (q . 0)) with Ck = 140 + cost(Pk-1) and cost(Pk) = 81 + Ck. */
static void test_softfork_nesting(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  clvm_node p = CLVM_NIL, res, items[5], zero_q;
  uint64_t cost = 20, got;
  uint8_t op = 36;
  (void)state;
  assert_int_equal(clvm_new_pair(a, CLVM_ONE, CLVM_ONE, &p), CP_OK);
  assert_int_equal(clvm_new_pair(a, CLVM_ONE, CLVM_NIL, &zero_q), CP_OK);
  for (int depth = 1; depth <= 21; depth++) {
    uint64_t ck = 140 + cost;
    assert_int_equal(clvm_new_atom(a, &op, 1, &items[0]), CP_OK);
    assert_int_equal(clvm_new_u64(a, ck, &items[1]), CP_OK);
    assert_int_equal(clvm_new_pair(a, CLVM_ONE, items[1], &items[1]), CP_OK);
    items[2] = zero_q;
    assert_int_equal(clvm_new_pair(a, CLVM_ONE, p, &items[3]), CP_OK);
    items[4] = zero_q;
    assert_int_equal(clvm_new_list(a, items, 5, &p), CP_OK);
    cost = 81 + ck;
    assert_int_equal(clvm_run(a, p, CLVM_NIL, 0, 0, &res, &got), CP_OK);
    assert_int_equal(got, cost);
    assert_int_equal(clvm_run(a, p, CLVM_NIL, 0, CLVM_F_MEMPOOL, &res, &got),
                     depth <= 20 ? CP_OK : CP_CLVM_LIMIT);
  }
  clvm_alloc_free(a);
}

/* Compare a run's condition list with the vector's {opcode, args}. */
static void check_conditions(struct clvm_alloc *a, clvm_node res, json_t *want)
{
  size_t i;
  json_t *c;
  json_array_foreach(want, i, c) {
    json_t *args = tv_get(c, "args"), *arg;
    clvm_node cond, item;
    size_t j, n;
    const uint8_t *p;
    uint8_t op;
    assert_true(clvm_is_pair(res));
    cond = clvm_first(a, res);
    res = clvm_rest(a, res);
    item = clvm_first(a, cond);
    p = clvm_atom(a, item, &n);
    assert_int_equal(n, 1);
    assert_int_equal(hex_decode_exact(&op, 1, tv_str(c, "opcode"), 2), CP_OK);
    assert_int_equal(p[0], op);
    cond = clvm_rest(a, cond);
    json_array_foreach(args, j, arg) {
      assert_true(clvm_is_pair(cond));
      p = clvm_atom(a, clvm_first(a, cond), &n);
      assert_non_null(p);
      tv_assert_hex(p, n, json_string_value(arg));
      cond = clvm_rest(a, cond);
    }
    assert_true(clvm_is_nil(a, cond));
  }
  assert_true(clvm_is_nil(a, res));
}

static void run_spend(json_t *s, const char *puz, const char *sol, const char *conds,
                      const char *js_cost)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  size_t pn, sn;
  uint8_t *pb = tv_hex(s, puz, &pn), *sb = tv_hex(s, sol, &sn);
  clvm_node prog, env, res;
  uint64_t cost;
  assert_int_equal(clvm_deserialize(a, pb, pn, 0, &prog, NULL), CP_OK);
  assert_int_equal(clvm_deserialize(a, sb, sn, 0, &env, NULL), CP_OK);
  assert_int_equal(clvm_run(a, prog, env, 11000000000ull, CLVM_F_MEMPOOL, &res, &cost),
                   CP_OK);
  check_conditions(a, res, tv_get(s, conds));
  /* clvm-js implements the same classic cost model */
  assert_int_equal(cost, json_integer_value(tv_get(s, js_cost)));
  free(pb);
  free(sb);
  clvm_alloc_free(a);
}

static void test_absorb_spends(void **state)
{
  json_t *v = tv_load("puzzles.json"), *spends = tv_get(v, "absorb_spends"), *s;
  size_t i;
  (void)state;
  assert_true(json_array_size(spends) > 0);
  json_array_foreach(spends, i, s) {
    run_spend(s, "singleton_puzzle_reveal", "singleton_solution",
              "singleton_conditions", "singleton_cost_clvm_js");
    run_spend(s, "p2_singleton_puzzle_reveal", "p2_singleton_solution",
              "p2_singleton_conditions", "p2_cost_clvm_js");
  }
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_programs),
    cmocka_unit_test(test_raise_node),
    cmocka_unit_test(test_runaway),
    cmocka_unit_test(test_heap_limit),
    cmocka_unit_test(test_softfork_nesting),
    cmocka_unit_test(test_absorb_spends),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
