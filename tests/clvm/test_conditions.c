/* Condition parsing: argument sanitising, costs, strict vs consensus, the
 * AGG_SIG message derivation, and the absorb spends' conditions. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clvm/clvm.h"
#include "clvm/conditions.h"
#include "optest.h"
#include "util/hex.h"
#include "util/parse.h"

#define PH "0x7546cdc14c6bc19db91584f18e8317da721986606c9bf217e686712c17328540"
#define PK "0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"

struct cond_case {
  const char *list; /* op-test notation of the whole condition list */
  unsigned flags;
  cp_err rc;
  size_t n;         /* records kept */
  uint64_t cost;
};

static const struct cond_case cases[] = {
  { "( )", 0, CP_OK, 0, 0 },
  { "( ( 51 " PH " 100 ) )", 0, CP_OK, 1, 1800000 },
  { "( ( 51 " PH " 100 ( " PH " ) ) )", CLVM_COND_STRICT, CP_OK, 1, 1800000 },
  { "( ( 51 " PH " 100 ) ( 51 " PH " 101 ) )", 0, CP_OK, 2, 3600000 },
  /* duplicate output */
  { "( ( 51 " PH " 100 ) ( 51 " PH " 100 ) )", 0, CP_CLVM_COND, 0, 0 },
  /* bad puzzle hash length, negative / non-minimal / too large amounts */
  { "( ( 51 0x7546 100 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 51 " PH " -1 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 51 " PH " 0x0064 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 51 " PH " 0x00 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 51 " PH " 0x00ffffffffffffffff ) )", 0, CP_OK, 1, 1800000 },
  { "( ( 51 " PH " 0x010000000000000000 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 51 " PH " ) )", 0, CP_CLVM_COND, 0, 0 },
  /* extra args: ignored in consensus, refused in strict mode */
  { "( ( 52 10 99 ) )", 0, CP_OK, 1, 0 },
  { "( ( 52 10 99 ) )", CLVM_COND_STRICT, CP_CLVM_COND, 0, 0 },
  { "( ( 52 10 . 5 ) )", CLVM_COND_STRICT, CP_CLVM_COND, 0, 0 },
  /* unknown conditions: skipped (2-byte ones costed) or refused */
  { "( ( 2 ) ( 0x0100 ) ( 0x01ff ) )", 0, CP_OK, 0, 517000100 },
  { "( ( 2 ) )", CLVM_COND_STRICT, CP_CLVM_COND, 0, 0 },
  { "( ( 1 \"anything\" 7 ) )", CLVM_COND_STRICT, CP_OK, 0, 0 },
  /* list shape */
  { "( 5 )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 1 ) . 5 )", 0, CP_CLVM_COND, 0, 0 },
  /* AGG_SIG: valid key, infinity and junk keys */
  { "( ( 50 " PK " \"hello\" ) ( 43 " PK " 0 ) )", 0, CP_OK, 2, 2400000 },
  { "( ( 50 0xc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 \"m\" ) )",
    0, CP_CLVM_COND, 0, 0 },
  { "( ( 49 0x97f1d3 \"m\" ) )", 0, CP_CLVM_COND, 0, 0 },
  /* announcements */
  { "( ( 60 \"$\" ) ( 61 " PH " ) ( 62 0x00 ) ( 63 " PH " ) )", CLVM_COND_STRICT,
    CP_OK, 4, 0 },
  { "( ( 61 0x00 ) )", 0, CP_CLVM_COND, 0, 0 },
  /* time asserts: after-negative and before-too-large are dropped */
  { "( ( 80 -5 ) ( 87 0x0100000000 ) ( 83 100 ) ( 84 5 ) )", 0, CP_OK, 4, 0 },
  { "( ( 82 0x0100000000 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 86 -1 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 73 -1 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 75 0x0100000000 ) )", 0, CP_CLVM_COND, 0, 0 },
  { "( ( 70 " PH " ) ( 71 " PH " ) ( 72 " PH " ) ( 73 1 ) ( 74 2 ) ( 75 3 ) ( 76 ) )",
    CLVM_COND_STRICT, CP_OK, 7, 0 },
  /* messages: mode 0x3f both sides coin ids; mode 0x40 invalid */
  { "( ( 66 0x3f \"msg\" " PH " ) ( 67 0x3f \"msg\" " PH " ) )", CLVM_COND_STRICT,
    CP_OK, 2, 0 },
  { "( ( 66 0x25 \"msg\" " PH " 7 ) )", CLVM_COND_STRICT, CP_OK, 1, 0 },
  { "( ( 66 0x40 \"msg\" ) )", 0, CP_CLVM_COND, 0, 0 },
  /* softfork condition: 3 units = 30000; refused in strict mode */
  { "( ( 90 3 ) )", 0, CP_OK, 0, 30000 },
  { "( ( 90 3 ) )", CLVM_COND_STRICT, CP_CLVM_COND, 0, 0 },
  /* hard-fork-2 costs */
  { "( ( 51 " PH " 100 ) ( 60 \"x\" ) ( 80 1 ) )", CLVM_COND_COST_CONDITIONS, CP_OK, 3,
    1350000 + 700 + 200 },
};

static void test_cases(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct clvm_alloc *a = clvm_alloc_new(0);
    const char *s = cases[i].list;
    clvm_node l = clvm_first(a, ot_seq(a, &s, ""));
    struct clvm_conds c;
    cp_err rc;
    clvm_conds_init(&c);
    rc = clvm_conds_parse(a, l, cases[i].flags, 0, &c);
    if (rc != cases[i].rc)
      fail_msg("case %zu: %s, want %s", i, cp_errname(rc), cp_errname(cases[i].rc));
    if (!rc) {
      if (c.n != cases[i].n || c.cost != cases[i].cost)
        fail_msg("case %zu: n %zu cost %llu", i, c.n, (unsigned long long)c.cost);
    }
    clvm_conds_release(&c);
    clvm_alloc_free(a);
  }
}

static void test_fields(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  const char *s = "( ( 51 " PH " 0x00ff ( " PH " 0x01 ) ) ( 52 7 ) ( 52 8 ) "
                  "( 80 -1 ) ( 50 " PK " \"hi\" ) )";
  clvm_node l = clvm_first(a, ot_seq(a, &s, ""));
  struct clvm_conds c;
  (void)state;
  clvm_conds_init(&c);
  assert_int_equal(clvm_conds_parse(a, l, 0, 0, &c), CP_OK);
  assert_int_equal(c.n, 5);
  assert_int_equal(c.items[0].op, COND_CREATE_COIN);
  assert_int_equal(c.items[0].value, 255);
  assert_int_equal(c.items[0].hint_len, 32);
  tv_assert_hex(c.items[0].hint, 32, PH + 2);
  tv_assert_hex(c.items[0].hash, 32, PH + 2);
  assert_int_equal(c.reserve_fee, 15);
  assert_int_equal(c.created, 255);
  assert_true(c.items[3].dropped);
  assert_int_equal(c.items[4].msg_len, 2);
  tv_assert_hex(c.items[4].pk, 48, PK + 2);
  /* over the condition budget */
  clvm_conds_release(&c);
  clvm_conds_init(&c);
  assert_int_equal(clvm_conds_parse(a, l, 0, 2999999, &c), CP_CLVM_COST);
  assert_int_equal(c.err_index, 4);
  clvm_conds_release(&c);
  clvm_alloc_free(a);
}

static void test_unknown_cost_table(void **state)
{
  static const uint64_t first[] = { 100, 106, 112, 119, 127, 135 };
  (void)state;
  for (unsigned i = 0; i < 6; i++)
    assert_int_equal(clvm_cond_unknown_cost(0x0100 + i), first[i]);
  assert_int_equal(clvm_cond_unknown_cost(0xffff), 517000000);
  assert_int_equal(clvm_cond_unknown_cost(0x01ff), 517000000);
  assert_int_equal(clvm_cond_unknown_cost(0x42), 0);
}

static void test_agg_sig_msg(void **state)
{
  json_t *v = tv_load("puzzles.json"), *k = tv_get(v, "constants");
  uint8_t add[32], parent[32], ph[32];
  struct clvm_cond c;
  struct buf out;
  char key[64];
  (void)state;
  tv_hex_exact(k, "mainnet_agg_sig_me_additional_data", add, 32);
  memset(parent, 0x11, 32);
  memset(ph, 0x22, 32);
  memset(&c, 0, sizeof c);
  c.msg = (const uint8_t *)"m";
  c.msg_len = 1;
  buf_init(&out, 1024);
  /* the derived additional data for 43..48 is the last 32 bytes */
  for (int op = 43; op <= 48; op++) {
    uint8_t want[32];
    c.op = (uint16_t)op;
    buf_reset(&out);
    assert_int_equal(clvm_cond_agg_sig_msg(&c, parent, ph, 1, add, &out), CP_OK);
    snprintf(key, sizeof key, "mainnet_agg_sig_additional_data_opcode_%d", op);
    tv_hex_exact(k, key, want, 32);
    assert_memory_equal(out.data + out.len - 32, want, 32);
    assert_int_equal(out.data[0], 'm');
  }
  /* AMOUNT carries the minimal amount bytes: m || 01 || D45 */
  c.op = COND_AGG_SIG_AMOUNT;
  buf_reset(&out);
  assert_int_equal(clvm_cond_agg_sig_msg(&c, parent, ph, 1, add, &out), CP_OK);
  assert_int_equal(out.len, 1 + 1 + 32);
  /* ME: m || coin id || genesis challenge */
  c.op = COND_AGG_SIG_ME;
  buf_reset(&out);
  assert_int_equal(clvm_cond_agg_sig_msg(&c, parent, ph, 1, add, &out), CP_OK);
  assert_int_equal(out.len, 1 + 32 + 32);
  assert_memory_equal(out.data + 33, add, 32);
  c.op = COND_AGG_SIG_UNSAFE;
  buf_reset(&out);
  assert_int_equal(clvm_cond_agg_sig_msg(&c, parent, ph, 1, add, &out), CP_OK);
  assert_int_equal(out.len, 1);
  c.op = COND_CREATE_COIN;
  assert_int_equal(clvm_cond_agg_sig_msg(&c, parent, ph, 1, add, &out), CP_INVAL);
  /* UNSAFE messages may not end in any additional data */
  {
    uint8_t m[40];
    c.op = COND_AGG_SIG_UNSAFE;
    c.msg = m;
    c.msg_len = sizeof m;
    memset(m, 7, sizeof m);
    assert_true(clvm_cond_unsafe_msg_ok(&c, add));
    memcpy(m + 8, add, 32);
    assert_false(clvm_cond_unsafe_msg_ok(&c, add));
    tv_hex_exact(k, "mainnet_agg_sig_additional_data_opcode_46", m + 8, 32);
    assert_false(clvm_cond_unsafe_msg_ok(&c, add));
    c.msg_len = 20;
    assert_true(clvm_cond_unsafe_msg_ok(&c, add));
  }
  buf_release(&out);
  json_decref(v);
}

/* Run each absorb spend's singleton puzzle and parse its conditions. */
static void test_absorb_conditions(void **state)
{
  json_t *v = tv_load("puzzles.json"), *spends = tv_get(v, "absorb_spends"), *s;
  size_t i;
  (void)state;
  json_array_foreach(spends, i, s) {
    struct clvm_alloc *a = clvm_alloc_new(0);
    size_t pn, sn;
    uint8_t *pb = tv_hex(s, "singleton_puzzle_reveal", &pn);
    uint8_t *sb = tv_hex(s, "singleton_solution", &sn);
    clvm_node prog, env, res;
    uint64_t cost;
    struct clvm_conds c;
    uint8_t id[32], coin_id[32], reward_id[32];
    json_t *coin = tv_get(s, "singleton_coin");
    assert_int_equal(clvm_deserialize(a, pb, pn, 0, &prog, NULL), CP_OK);
    assert_int_equal(clvm_deserialize(a, sb, sn, 0, &env, NULL), CP_OK);
    assert_int_equal(clvm_run(a, prog, env, 0, CLVM_F_MEMPOOL, &res, &cost), CP_OK);
    clvm_conds_init(&c);
    assert_int_equal(clvm_conds_parse(a, res, CLVM_COND_STRICT, 0, &c), CP_OK);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.cost, 2 * CLVM_CREATE_COIN_COST);
    tv_hex_exact(coin, "coin_id", coin_id, 32);
    assert_int_equal(c.items[0].op, COND_ASSERT_MY_COIN_ID);
    assert_memory_equal(c.items[0].hash, coin_id, 32);
    assert_int_equal(c.items[1].op, COND_CREATE_COIN);
    assert_int_equal(c.items[1].value, 1);
    assert_int_equal(c.items[2].op, COND_CREATE_COIN);
    {
      uint64_t want;
      assert_int_equal(parse_u64_cstr(tv_str(s, "reward_amount"), UINT64_MAX, &want), CP_OK);
      assert_true(c.items[2].value == want);
    }
    /* the singleton asserts the reward coin's announcement of "$" */
    tv_hex_exact(tv_get(s, "reward_coin"), "coin_id", reward_id, 32);
    assert_int_equal(c.items[3].op, COND_CREATE_PUZZLE_ANNOUNCEMENT);
    assert_int_equal(c.items[4].op, COND_ASSERT_COIN_ANNOUNCEMENT);
    clvm_announcement_id(reward_id, (const uint8_t *)"$", 1, id);
    assert_memory_equal(c.items[4].hash, id, 32);
    assert_int_equal(c.created, 1 + c.items[2].value);
    clvm_conds_release(&c);
    free(pb);
    free(sb);
    clvm_alloc_free(a);
  }
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cases),
    cmocka_unit_test(test_fields),
    cmocka_unit_test(test_unknown_cost_table),
    cmocka_unit_test(test_agg_sig_msg),
    cmocka_unit_test(test_absorb_conditions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
