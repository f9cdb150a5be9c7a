/* Serialisation, back-references, limits, canonical form, tree hashes of
 * the puzzles in tests/vectors/puzzles.json, curry/uncurry, integers. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "clvm/clvm.h"
#include "util/buf.h"
#include "util/hex.h"

/* Deserialise hex, serialise again, expect `want` hex back. */
static void roundtrip(const char *in, const char *want)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  uint8_t b[256];
  size_t n = tv_unhex(in, b, sizeof b);
  struct buf out;
  clvm_node node;
  buf_init(&out, 1 << 20);
  assert_int_equal(clvm_deserialize(a, b, n, 0, &node, NULL), CP_OK);
  assert_int_equal(clvm_serialize(a, node, &out), CP_OK);
  tv_assert_hex(out.data, out.len, want);
  buf_release(&out);
  clvm_alloc_free(a);
}

static void test_roundtrip(void **state)
{
  (void)state;
  roundtrip("80", "80");
  roundtrip("01", "01");
  roundtrip("7f", "7f");
  roundtrip("8180", "8180");
  roundtrip("81ff", "81ff");
  roundtrip("820102", "820102");
  roundtrip("ff0180", "ff0180");
  roundtrip("ff01ff02ff0380", "ff01ff02ff0380");
  roundtrip("ffff0102ff0380", "ffff0102ff0380");
  /* non-canonical prefixes are accepted and re-encoded minimally */
  roundtrip("8105", "05");
  roundtrip("c00105", "05");
  roundtrip("e0000105", "05");
  roundtrip("f000000105", "05");
  roundtrip("f80000000105", "05");
  roundtrip("fc000000000105", "05");
  roundtrip("c000", "80");
}

static void test_sizes(void **state)
{
  /* every prefix length, at both ends of its canonical range */
  static const size_t lens[] = { 0x3f, 0x40, 0x1fff, 0x2000, 0xfffff, 0x100000 };
  static const uint8_t hdr[][4] = { { 0xbf }, { 0xc0, 0x40 }, { 0xdf, 0xff },
                                    { 0xe0, 0x20, 0x00 }, { 0xef, 0xff, 0xff },
                                    { 0xf0, 0x10, 0x00, 0x00 } };
  static const size_t hlen[] = { 1, 2, 2, 3, 3, 4 };
  (void)state;
  for (size_t i = 0; i < 6; i++) {
    struct clvm_alloc *a = clvm_alloc_new(0);
    uint8_t *atom = malloc(lens[i]);
    struct buf out;
    clvm_node node;
    size_t used;
    memset(atom, 0xab, lens[i]);
    buf_init(&out, 1 << 22);
    assert_int_equal(clvm_new_atom(a, atom, lens[i], &node), CP_OK);
    assert_int_equal(clvm_serialize(a, node, &out), CP_OK);
    assert_int_equal(out.len, hlen[i] + lens[i]);
    assert_memory_equal(out.data, hdr[i], hlen[i]);
    assert_true(clvm_is_canonical(out.data, out.len));
    assert_int_equal(clvm_serialized_length(out.data, out.len, &used), CP_OK);
    assert_int_equal(used, out.len);
    assert_int_equal(clvm_deserialize(a, out.data, out.len, 0, &node, NULL), CP_OK);
    assert_int_equal(clvm_atom_len(a, node), lens[i]);
    /* one byte short */
    assert_int_equal(clvm_deserialize(a, out.data, out.len - 1, 0, &node, NULL),
                     CP_CLVM_SERIAL);
    buf_release(&out);
    free(atom);
    clvm_alloc_free(a);
  }
}

static void expect_bad(const char *hex, unsigned flags)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  uint8_t b[64];
  size_t n = tv_unhex(hex, b, sizeof b);
  clvm_node node;
  assert_int_equal(clvm_deserialize(a, b, n, flags, &node, NULL), CP_CLVM_SERIAL);
  /* a failed parse leaves nothing behind */
  assert_int_equal(clvm_alloc_atoms(a), 2);
  assert_int_equal(clvm_alloc_pairs(a), 0);
  clvm_alloc_free(a);
}

static void test_malformed(void **state)
{
  (void)state;
  expect_bad("", 0);            /* empty */
  expect_bad("ff", 0);          /* pair without children */
  expect_bad("ff01", 0);        /* pair without right child */
  expect_bad("81", 0);          /* prefix without body */
  expect_bad("82ab", 0);        /* body short */
  expect_bad("c0", 0);          /* two-byte prefix cut */
  expect_bad("c040", 0);        /* length 64, no body */
  expect_bad("e000", 0);        /* three-byte prefix cut */
  expect_bad("fe01", 0);        /* back-reference in plain format */
  expect_bad("fe", CLVM_DE_BACKREFS);
  expect_bad("feff", CLVM_DE_BACKREFS);
  expect_bad("fdffffffffff", 0); /* 6-byte prefix over the 2^34 limit */
  expect_bad("0102", 0);        /* trailing bytes */
  expect_bad("ff8080ff", 0);
}

static void test_prefix_and_length(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  uint8_t b[] = { 0xff, 0x01, 0x80, 0x02, 0x03 };
  clvm_node node;
  size_t used;
  (void)state;
  assert_int_equal(clvm_deserialize(a, b, sizeof b, CLVM_DE_PREFIX, &node, &used), CP_OK);
  assert_int_equal(used, 3);
  assert_int_equal(clvm_serialized_length(b, sizeof b, &used), CP_OK);
  assert_int_equal(used, 3);
  assert_int_equal(clvm_serialized_length(b, 2, &used), CP_CLVM_SERIAL);
  assert_int_equal(clvm_serialized_length((const uint8_t *)"\xfe\x01", 2, &used),
                   CP_CLVM_SERIAL);
  clvm_alloc_free(a);
}

static void test_canonical(void **state)
{
  uint8_t b[16];
  (void)state;
  assert_true(clvm_is_canonical(b, tv_unhex("80", b, sizeof b)));
  assert_true(clvm_is_canonical(b, tv_unhex("ff0180", b, sizeof b)));
  assert_true(clvm_is_canonical(b, tv_unhex("8180", b, sizeof b)));
  assert_false(clvm_is_canonical(b, tv_unhex("8105", b, sizeof b)));
  assert_false(clvm_is_canonical(b, tv_unhex("c03f", b, sizeof b)));
  assert_false(clvm_is_canonical(b, tv_unhex("ff018080", b, sizeof b)));
  assert_false(clvm_is_canonical(b, tv_unhex("ff01", b, sizeof b)));
  /* back-references are allowed; their path atom must be minimal too */
  assert_true(clvm_is_canonical(b, tv_unhex("ff01fe02", b, sizeof b)));
  assert_false(clvm_is_canonical(b, tv_unhex("ff01fe8102", b, sizeof b)));
}

static void test_backrefs(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  uint8_t b[64];
  size_t n;
  clvm_node node, want;
  struct buf out;
  (void)state;
  buf_init(&out, 1024);
  /* (x . x) with x = (1 2): right half refers to the top of the stack */
  n = tv_unhex("ffff01ff0280fe02", b, sizeof b);
  assert_int_equal(clvm_deserialize(a, b, n, CLVM_DE_BACKREFS, &node, NULL), CP_OK);
  assert_int_equal(clvm_serialize(a, node, &out), CP_OK);
  tv_assert_hex(out.data, out.len, "ffff01ff0280ff01ff0280");
  assert_int_equal(clvm_first(a, node), clvm_rest(a, node)); /* shared */
  /* path 5 = second from the top: in (a b . ref) at ref the stack is b, a */
  n = tv_unhex("ff81aaff81bbfe05", b, sizeof b);
  assert_int_equal(clvm_deserialize(a, b, n, CLVM_DE_BACKREFS, &node, NULL), CP_OK);
  buf_reset(&out);
  assert_int_equal(clvm_serialize(a, node, &out), CP_OK);
  tv_assert_hex(out.data, out.len, "ff81aaff81bb81aa");
  /* path 1 = the whole stack as a list (top first) */
  n = tv_unhex("ff81aafe01", b, sizeof b);
  assert_int_equal(clvm_deserialize(a, b, n, CLVM_DE_BACKREFS, &node, NULL), CP_OK);
  buf_reset(&out);
  assert_int_equal(clvm_serialize(a, node, &out), CP_OK);
  tv_assert_hex(out.data, out.len, "ff81aaff81aa80");
  /* path 0 / nil = nil */
  n = tv_unhex("ff81aafe80", b, sizeof b);
  assert_int_equal(clvm_deserialize(a, b, n, CLVM_DE_BACKREFS, &node, NULL), CP_OK);
  assert_true(clvm_is_nil(a, clvm_rest(a, node)));
  /* into an atom, and past the bottom of the stack */
  expect_bad("ff81aafe04", CLVM_DE_BACKREFS);
  expect_bad("fe02", CLVM_DE_BACKREFS);
  expect_bad("ff81aafe07", CLVM_DE_BACKREFS);
  /* a DAG of exponential tree size hashes in linear time thanks to sharing */
  {
    uint8_t big[3 + 40 * 4];
    size_t k = 0;
    uint8_t h[32];
    /* x0 = 1; x_{i+1} = (x_i . x_i): "ff" * 40 + "01" + "fe02" * 40 */
    for (int i = 0; i < 40; i++)
      big[k++] = 0xff;
    big[k++] = 0x01;
    for (int i = 0; i < 40; i++) {
      big[k++] = 0xfe;
      big[k++] = 0x02;
    }
    assert_int_equal(clvm_deserialize(a, big, k, CLVM_DE_BACKREFS, &node, NULL), CP_OK);
    clvm_tree_hash(a, node, h);
    /* the same hash computed level by level */
    {
      uint8_t x[32];
      const uint8_t one = 1;
      clvm_tree_hash_atom(&one, 1, x);
      for (int i = 0; i < 40; i++)
        clvm_tree_hash_pair(x, x, x);
      assert_memory_equal(h, x, 32);
    }
    /* equality against an independently built copy of the same DAG */
    {
      clvm_node other;
      assert_int_equal(clvm_deserialize(a, big, k, CLVM_DE_BACKREFS, &other, NULL), CP_OK);
      assert_true(other != node);
      assert_true(clvm_equal(a, node, other));
      assert_false(clvm_equal(a, node, clvm_first(a, other)));
    }
    /* and its plain serialisation is too big for a bounded buffer */
    buf_release(&out);
    buf_init(&out, 1 << 16);
    assert_int_equal(clvm_serialize(a, node, &out), CP_TOO_BIG);
  }
  (void)want;
  buf_release(&out);
  clvm_alloc_free(a);
}

static void test_limits(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(100);
  uint8_t b[200];
  clvm_node node;
  struct clvm_mark m;
  (void)state;
  memset(b, 7, sizeof b);
  assert_int_equal(clvm_new_atom(a, b, 100, &node), CP_OK);
  assert_int_equal(clvm_new_atom(a, b, 1, &node), CP_CLVM_LIMIT);
  clvm_alloc_free(a);
  a = clvm_alloc_new(0);
  clvm_alloc_mark(a, &m);
  /* a 150-byte atom behind a 2-byte prefix, heap limited to 100 */
  clvm_alloc_free(a);
  a = clvm_alloc_new(100);
  b[0] = 0xc0;
  b[1] = 150;
  assert_int_equal(clvm_deserialize(a, b, 152, 0, &node, NULL), CP_CLVM_LIMIT);
  clvm_alloc_free(a);
  /* deep nesting does not touch the C stack: 1M nested pairs */
  {
    size_t depth = 1000000, k = 0;
    uint8_t *deep = malloc(2 * depth + 1);
    uint8_t h[32];
    a = clvm_alloc_new(0);
    for (size_t i = 0; i < depth; i++)
      deep[k++] = 0xff;
    deep[k++] = 0x80;
    for (size_t i = 0; i < depth; i++)
      deep[k++] = 0x80;
    assert_int_equal(clvm_deserialize(a, deep, k, 0, &node, NULL), CP_OK);
    clvm_tree_hash(a, node, h);
    assert_int_equal(clvm_tree_hash_bytes(deep, k, h), CP_OK);
    free(deep);
    clvm_alloc_free(a);
  }
  /* restore drops nodes made after the mark */
  a = clvm_alloc_new(0);
  clvm_alloc_mark(a, &m);
  assert_int_equal(clvm_new_atom(a, "abc", 3, &node), CP_OK);
  assert_int_equal(clvm_new_pair(a, node, node, &node), CP_OK);
  assert_int_equal(clvm_alloc_heap(a), 3);
  clvm_alloc_restore(a, &m);
  assert_int_equal(clvm_alloc_heap(a), 0);
  assert_int_equal(clvm_alloc_pairs(a), 0);
  clvm_alloc_free(a);
}

static void test_ints(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  static const struct { int64_t v; const char *hex; } iv[] = {
    { 0, "" }, { 1, "01" }, { 127, "7f" }, { 128, "0080" }, { -128, "80" },
    { -129, "ff7f" }, { 255, "00ff" }, { -256, "ff00" }, { -1, "ff" },
    { INT64_MAX, "7fffffffffffffff" }, { INT64_MIN, "8000000000000000" },
  };
  clvm_node n;
  int64_t v;
  uint64_t u;
  uint8_t enc[9];
  char hx[32];
  (void)state;
  for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
    size_t len = clvm_int_encode(iv[i].v, enc);
    hex_encode(hx, enc, len);
    assert_string_equal(hx, iv[i].hex);
    assert_true(clvm_int_is_canonical(enc, len));
    assert_int_equal(clvm_new_int(a, iv[i].v, &n), CP_OK);
    assert_int_equal(clvm_to_i64(a, n, &v), CP_OK);
    assert_true(v == iv[i].v);
  }
  assert_int_equal(clvm_u64_encode(UINT64_MAX, enc), 9);
  assert_int_equal(clvm_new_u64(a, UINT64_MAX, &n), CP_OK);
  assert_int_equal(clvm_to_u64(a, n, &u), CP_OK);
  assert_true(u == UINT64_MAX);
  assert_int_equal(clvm_to_i64(a, n, &v), CP_BAD_NUMBER);
  /* 875000000000 -> 00cbba106e00 (the absorb vectors' reward) */
  assert_int_equal(clvm_new_u64(a, 875000000000ull, &n), CP_OK);
  {
    size_t len;
    const uint8_t *p = clvm_atom(a, n, &len);
    tv_assert_hex(p, len, "00cbba106e00");
  }
  assert_false(clvm_int_is_canonical((const uint8_t *)"\x00", 1));
  assert_false(clvm_int_is_canonical((const uint8_t *)"\x00\x7f", 2));
  assert_false(clvm_int_is_canonical((const uint8_t *)"\xff\x80", 2));
  assert_true(clvm_int_is_canonical((const uint8_t *)"\x00\x80", 2));
  /* redundant sign bytes are accepted when reading */
  assert_int_equal(clvm_new_atom(a, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05", 10, &n), CP_OK);
  assert_int_equal(clvm_to_i64(a, n, &v), CP_OK);
  assert_true(v == 5);
  assert_int_equal(clvm_new_atom(a, "\xff", 1, &n), CP_OK);
  assert_int_equal(clvm_to_u64(a, n, &u), CP_BAD_NUMBER);
  assert_int_equal(clvm_new_atom(a, "\x01\x00\x00\x00\x00\x00\x00\x00\x00", 9, &n), CP_OK);
  assert_int_equal(clvm_to_u64(a, n, &u), CP_BAD_NUMBER);
  assert_int_equal(clvm_new_pair(a, n, n, &n), CP_OK);
  assert_int_equal(clvm_to_i64(a, n, &v), CP_INVAL);
  clvm_alloc_free(a);
}

static void test_lists(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  clvm_node items[3], l, got[3];
  size_t n;
  (void)state;
  for (int i = 0; i < 3; i++)
    assert_int_equal(clvm_new_int(a, i + 1, &items[i]), CP_OK);
  assert_int_equal(clvm_new_list(a, items, 3, &l), CP_OK);
  assert_int_equal(clvm_list_len(a, l, &n), CP_OK);
  assert_int_equal(n, 3);
  assert_int_equal(clvm_list_items(a, l, got, 3, &n), CP_OK);
  assert_memory_equal(got, items, sizeof items);
  assert_int_equal(clvm_list_items(a, l, got, 2, &n), CP_TOO_BIG);
  assert_int_equal(clvm_new_pair(a, items[0], items[1], &l), CP_OK);
  assert_int_equal(clvm_list_len(a, l, &n), CP_INVAL);
  clvm_alloc_free(a);
}

static void test_puzzle_hashes(void **state)
{
  json_t *v = tv_load("puzzles.json"), *puzzles = tv_get(v, "puzzles"), *p;
  size_t i;
  (void)state;
  assert_true(json_array_size(puzzles) >= 7);
  json_array_foreach(puzzles, i, p) {
    size_t n;
    uint8_t *bytes = tv_hex(p, "hex", &n), h[32];
    struct clvm_alloc *a = clvm_alloc_new(0);
    clvm_node node;
    struct buf out;
    assert_int_equal(clvm_tree_hash_bytes(bytes, n, h), CP_OK);
    tv_assert_hex(h, 32, tv_str(p, "tree_hash"));
    /* hashing twice from the arena (cache path) agrees */
    assert_int_equal(clvm_deserialize(a, bytes, n, 0, &node, NULL), CP_OK);
    clvm_tree_hash(a, node, h);
    clvm_tree_hash(a, node, h);
    tv_assert_hex(h, 32, tv_str(p, "tree_hash"));
    assert_true(clvm_is_canonical(bytes, n));
    buf_init(&out, 1 << 20);
    assert_int_equal(clvm_serialize(a, node, &out), CP_OK);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, bytes, n);
    buf_release(&out);
    clvm_alloc_free(a);
    free(bytes);
  }
  json_decref(v);
}

static int find_puzzle(json_t *v, const char *name, uint8_t **bytes, size_t *n)
{
  json_t *puzzles = tv_get(v, "puzzles"), *p;
  size_t i;
  json_array_foreach(puzzles, i, p) {
    if (!strcmp(tv_str(p, "name"), name)) {
      *bytes = tv_hex(p, "hex", n);
      return 1;
    }
  }
  return 0;
}

/* p2_singleton = curry(P2_SINGLETON_OR_DELAYED_MOD, SINGLETON_MOD_HASH,
 * launcher_id, SINGLETON_LAUNCHER_HASH, seconds_delay, delayed_ph); the
 * waiting room = curry(WAITINGROOM_MOD, target_ph, p2_singleton_ph,
 * owner_pubkey, pool_reward_prefix, relative_lock_height). */
static void test_curry_vectors(void **state)
{
  json_t *v = tv_load("puzzles.json"), *cv = tv_get(v, "curry_vectors"), *c;
  json_t *consts = tv_get(v, "constants");
  size_t i;
  (void)state;
  json_array_foreach(cv, i, c) {
    struct clvm_alloc *a = clvm_alloc_new(0);
    uint8_t *mod = NULL, *ref, h[32], ah[5][32], mh[32];
    size_t modn = 0, refn, nargs;
    clvm_node modnode, args[5], prog, um, uargs[8];
    struct buf out;
    uint8_t b32[32], b48[48];
    int64_t delay = json_integer_value(tv_get(c, "seconds_delay"));
    assert_true(find_puzzle(v, "p2_singleton_or_delayed_puzhash", &mod, &modn));
    assert_int_equal(clvm_deserialize(a, mod, modn, 0, &modnode, NULL), CP_OK);
    tv_hex_exact(consts, "singleton_mod_hash_used_by_plotnft", b32, 32);
    assert_int_equal(clvm_new_atom(a, b32, 32, &args[0]), CP_OK);
    tv_hex_exact(c, "launcher_id", b32, 32);
    assert_int_equal(clvm_new_atom(a, b32, 32, &args[1]), CP_OK);
    tv_hex_exact(consts, "singleton_launcher_hash", b32, 32);
    assert_int_equal(clvm_new_atom(a, b32, 32, &args[2]), CP_OK);
    assert_int_equal(clvm_new_int(a, delay, &args[3]), CP_OK);
    tv_hex_exact(c, "delayed_puzzle_hash", b32, 32);
    assert_int_equal(clvm_new_atom(a, b32, 32, &args[4]), CP_OK);
    assert_int_equal(clvm_curry(a, modnode, args, 5, &prog), CP_OK);
    clvm_tree_hash(a, prog, h);
    tv_assert_hex(h, 32, tv_str(c, "p2_singleton_puzzle_hash"));
    /* the serialised curried program equals the vector's bytes */
    ref = tv_hex(c, "p2_singleton_puzzle", &refn);
    buf_init(&out, 1 << 20);
    assert_int_equal(clvm_serialize(a, prog, &out), CP_OK);
    assert_int_equal(out.len, refn);
    assert_memory_equal(out.data, ref, refn);
    buf_release(&out);
    /* curry_and_treehash from hashes only */
    clvm_tree_hash(a, modnode, mh);
    for (int k = 0; k < 5; k++)
      clvm_tree_hash(a, args[k], ah[k]);
    clvm_curry_tree_hash(mh, (const uint8_t (*)[32])ah, 5, h);
    tv_assert_hex(h, 32, tv_str(c, "p2_singleton_puzzle_hash"));
    /* uncurry gives the pieces back */
    assert_int_equal(clvm_uncurry(a, prog, &um, uargs, 8, &nargs), CP_OK);
    assert_int_equal(nargs, 5);
    assert_int_equal(um, modnode);
    assert_memory_equal(uargs, args, sizeof args);
    assert_int_equal(clvm_uncurry(a, prog, &um, uargs, 4, &nargs), CP_TOO_BIG);
    /* compiled modules often look curried themselves (a (q . body) (c ...));
     * an atom and a plain list do not */
    assert_int_equal(clvm_uncurry(a, args[0], &um, uargs, 8, &nargs), CP_NOT_FOUND);
    assert_int_equal(clvm_uncurry(a, clvm_rest(a, prog), &um, uargs, 8, &nargs),
                     CP_NOT_FOUND);
    /* waiting room for each network */
    {
      json_t *nets = tv_get(c, "by_network"), *net;
      const char *key;
      uint8_t *wr = NULL;
      size_t wrn = 0;
      assert_true(find_puzzle(v, "pool_waitingroom_innerpuz", &wr, &wrn));
      json_object_foreach(nets, key, net) {
        clvm_node wmod, wargs[5], wprog;
        int64_t rlh = json_integer_value(tv_get(c, "relative_lock_height"));
        assert_int_equal(clvm_deserialize(a, wr, wrn, 0, &wmod, NULL), CP_OK);
        tv_hex_exact(c, "target_puzzle_hash", b32, 32);
        assert_int_equal(clvm_new_atom(a, b32, 32, &wargs[0]), CP_OK);
        tv_hex_exact(c, "p2_singleton_puzzle_hash", b32, 32);
        assert_int_equal(clvm_new_atom(a, b32, 32, &wargs[1]), CP_OK);
        tv_hex_exact(c, "owner_pubkey", b48, 48);
        assert_int_equal(clvm_new_atom(a, b48, 48, &wargs[2]), CP_OK);
        tv_hex_exact(net, "pool_reward_prefix", b32, 32);
        assert_int_equal(clvm_new_atom(a, b32, 32, &wargs[3]), CP_OK);
        assert_int_equal(clvm_new_int(a, rlh, &wargs[4]), CP_OK);
        assert_int_equal(clvm_curry(a, wmod, wargs, 5, &wprog), CP_OK);
        clvm_tree_hash(a, wprog, h);
        tv_assert_hex(h, 32, tv_str(net, "waiting_room_inner_puzzle_hash"));
      }
      free(wr);
    }
    free(ref);
    free(mod);
    clvm_alloc_free(a);
  }
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_roundtrip),
    cmocka_unit_test(test_sizes),
    cmocka_unit_test(test_malformed),
    cmocka_unit_test(test_prefix_and_length),
    cmocka_unit_test(test_canonical),
    cmocka_unit_test(test_backrefs),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_ints),
    cmocka_unit_test(test_lists),
    cmocka_unit_test(test_puzzle_hashes),
    cmocka_unit_test(test_curry_vectors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
