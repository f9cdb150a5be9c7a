#include "testutil.h"

#include <string.h>

#include "chia/cjson.h"
#include "util/buf.h"

static json_t *load(const char *s, cp_err want)
{
  json_t *j = NULL;
  assert_int_equal(cjson_loadb(s, strlen(s), 1 << 16, &j), want);
  return j;
}

static void dump_eq(const json_t *j, const char *want)
{
  struct buf b;
  const char *s;
  buf_init(&b, 1 << 16);
  assert_int_equal(cjson_dump(j, &b), CP_OK);
  assert_int_equal(buf_cstr(&b, &s), CP_OK);
  assert_string_equal(s, want);
  buf_release(&b);
}

static void test_big_u64(void **state)
{
  json_t *j = load("{\"a\": 18446744073709551615, \"b\": 21000000000000000000,"
                   " \"c\": 9223372036854775807, \"d\": 9223372036854775808,"
                   " \"e\": 0, \"s\": \"x\"}", CP_OK);
  uint64_t v;
  json_t *o;
  (void)state;

  assert_int_equal(cjson_get_u64(j, "a", UINT64_MAX, &v), CP_OK);
  assert_true(v == UINT64_MAX);
  /* 21,000,000 XCH in mojo is above 2^64: a uint128, never a uint64 */
  assert_int_equal(cjson_get_u64(j, "b", UINT64_MAX, &v), CP_BAD_NUMBER);
  {
    chia_u128 w;
    assert_int_equal(cjson_get_u128(j, "b", &w), CP_OK);
    assert_true(w == (chia_u128)21000000ULL * 1000000000000ULL);
  }
  assert_int_equal(cjson_get_u64(j, "c", UINT64_MAX, &v), CP_OK);
  assert_true(v == 9223372036854775807ULL);
  assert_int_equal(cjson_get_u64(j, "d", UINT64_MAX, &v), CP_OK);
  assert_true(v == 9223372036854775808ULL);
  assert_int_equal(cjson_get_u64(j, "b", 1000, &v), CP_BAD_NUMBER);
  assert_int_equal(cjson_get_u64(j, "s", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(cjson_get_u64(j, "missing", UINT64_MAX, &v), CP_BAD_JSON);
  /* a tag is a number, never a string */
  {
    char out[64];
    assert_int_equal(cjson_get_str(j, "b", out, sizeof out, NULL), CP_BAD_JSON);
  }
  /* and it dumps back as a bare number, keys in order */
  dump_eq(j, "{\"a\":18446744073709551615,\"b\":21000000000000000000,"
             "\"c\":9223372036854775807,\"d\":9223372036854775808,\"e\":0,\"s\":\"x\"}");
  json_decref(j);

  o = json_object();
  assert_int_equal(cjson_set_u128(o, "amount", (chia_u128)21000000ULL * 1000000000000ULL), CP_OK);
  assert_int_equal(cjson_set_u64(o, "small", 5), CP_OK);
  assert_int_equal(cjson_set_u64(o, "max", UINT64_MAX), CP_OK);
  assert_int_equal(cjson_set_u128(o, "w", ((chia_u128)1 << 100)), CP_OK);
  assert_int_equal(cjson_set_hex(o, "h", (const uint8_t *)"\x01\xab", 2), CP_OK);
  dump_eq(o, "{\"amount\":21000000000000000000,\"small\":5,"
             "\"max\":18446744073709551615,"
             "\"w\":1267650600228229401496703205376,\"h\":\"0x01ab\"}");
  json_decref(o);
}

static void test_u128(void **state)
{
  json_t *j = load("[340282366920938463463374607431768211455,"
                   " 340282366920938463463374607431768211456, 7, -1]", CP_OK);
  chia_u128 v;
  char s[48];
  (void)state;

  assert_int_equal(cjson_u128_value(json_array_get(j, 0), &v), CP_OK);
  assert_true(v == ~(chia_u128)0);
  cjson_u128_fmt(v, s);
  assert_string_equal(s, "340282366920938463463374607431768211455");
  assert_int_equal(cjson_u128_value(json_array_get(j, 1), &v), CP_BAD_NUMBER);
  assert_int_equal(cjson_u128_value(json_array_get(j, 2), &v), CP_OK);
  assert_true(v == 7);
  assert_int_equal(cjson_u128_value(json_array_get(j, 3), &v), CP_BAD_NUMBER);
  json_decref(j);
}

static void test_hostile(void **state)
{
  json_t *j;
  uint64_t v;
  (void)state;

  /* U+0000 in any string would collide with tags */
  assert_null(load("{\"a\": \"x\\u0000y\"}", CP_BAD_JSON));
  assert_null(load("{\"a\\u0000\": 1}", CP_BAD_JSON));
  /* but an escaped backslash before u0000 is just text */
  j = load("{\"a\": \"\\\\u0000\"}", CP_OK);
  json_decref(j);
  /* leading zeros, over-long literals, bad numbers */
  assert_null(load("{\"a\": 018446744073709551615}", CP_BAD_JSON));
  assert_null(load("{\"a\": 01}", CP_BAD_JSON));
  assert_null(load("{\"a\": 1234567890123456789012345678901234567890123}", CP_BAD_JSON));
  assert_null(load("{\"a\": -}", CP_BAD_JSON));
  assert_null(load("{\"a\": 1, \"a\": 2}", CP_BAD_JSON));
  assert_null(load("{\"a\": \"unterminated}", CP_BAD_JSON));
  assert_null(load("", CP_BAD_JSON));
  {
    json_t *o = NULL;
    assert_int_equal(cjson_loadb("{}", 2, 1, &o), CP_TOO_BIG);
    assert_null(o);
  }
  /* negative and float values are not uint64 */
  j = load("{\"n\": -5, \"bn\": -18446744073709551615, \"f\": 1.5, \"e\": 1e3,"
           " \"t\": true}", CP_OK);
  assert_int_equal(cjson_get_u64(j, "n", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(cjson_get_u64(j, "bn", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(cjson_get_u64(j, "f", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(cjson_get_u64(j, "e", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(cjson_get_u64(j, "t", UINT64_MAX, &v), CP_BAD_NUMBER);
  json_decref(j);
}

static void test_fields(void **state)
{
  json_t *j = load("{\"h\": \"0xAbCd\", \"h2\": \"abcd\", \"s\": \"h\\u00e9\","
                   " \"o\": null, \"b\": true, \"i\": 1}", CP_OK);
  uint8_t out[4];
  size_t n;
  char s[8];
  bool b, present;
  const json_t *val;
  (void)state;

  assert_int_equal(cjson_get_hex(j, "h", out, 2), CP_OK);
  assert_memory_equal(out, "\xab\xcd", 2);
  assert_int_equal(cjson_get_hex(j, "h2", out, 2), CP_OK);
  assert_int_equal(cjson_get_hex(j, "h", out, 3), CP_BAD_HEX);
  assert_int_equal(cjson_get_hex(j, "i", out, 2), CP_BAD_JSON);
  assert_int_equal(cjson_get_hexvar(j, "h", out, 4, &n), CP_OK);
  assert_int_equal(n, 2);
  assert_int_equal(cjson_get_hexvar(j, "h", out, 1, &n), CP_TOO_BIG);
  assert_int_equal(cjson_get_str(j, "s", s, sizeof s, &n), CP_OK);
  assert_string_equal(s, "h\xc3\xa9");
  assert_int_equal(cjson_get_str(j, "s", s, 3, &n), CP_TOO_BIG);
  assert_int_equal(cjson_get_bool(j, "b", &b), CP_OK);
  assert_true(b);
  assert_int_equal(cjson_get_bool(j, "i", &b), CP_BAD_JSON);
  assert_int_equal(cjson_get_opt(j, "o", &present, &val), CP_OK);
  assert_false(present);
  assert_int_equal(cjson_get_opt(j, "nope", &present, &val), CP_OK);
  assert_false(present);
  assert_int_equal(cjson_get_opt(j, "b", &present, &val), CP_OK);
  assert_true(present);
  assert_true(json_is_true(val));
  json_decref(j);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_big_u64),
    cmocka_unit_test(test_u128),
    cmocka_unit_test(test_hostile),
    cmocka_unit_test(test_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
