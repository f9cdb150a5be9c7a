#include "testutil.h"

#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/parse.h"

static void test_err_table(void **state)
{
  (void)state;
  assert_string_equal(cp_errname(CP_OK), "OK");
  assert_string_equal(cp_strerror(CP_TOO_BIG), "input exceeds its size limit");
  for (int e = 0; e < CP_ERR_LAST; e++) {
    assert_true(strlen(cp_strerror((cp_err)e)) > 0);
    assert_true(strlen(cp_errname((cp_err)e)) > 0);
    for (int f = 0; f < e; f++)
      assert_string_not_equal(cp_errname((cp_err)e), cp_errname((cp_err)f));
  }
  assert_string_equal(cp_strerror(CP_ERR_LAST), "unknown error");
}

static void test_buf_bounded(void **state)
{
  struct buf b;
  const char *s;
  (void)state;
  buf_init(&b, 10);
  assert_int_equal(buf_append_u32(&b, 0x01020304), CP_OK);
  assert_int_equal(buf_append_u16(&b, 0xa0b0), CP_OK);
  assert_int_equal(buf_append_str(&b, "abcd"), CP_OK);
  assert_int_equal(b.len, 10);
  assert_int_equal(buf_append_u8(&b, 1), CP_TOO_BIG);
  assert_int_equal(b.len, 10);
  assert_int_equal(buf_cstr(&b, &s), CP_OK);
  assert_memory_equal(b.data, "\x01\x02\x03\x04\xa0\xb0" "abcd", 10);
  buf_reset(&b);
  assert_int_equal(buf_appendf(&b, "%d-%s", 42, "xyzwv"), CP_OK);
  assert_int_equal(buf_cstr(&b, &s), CP_OK);
  assert_string_equal(s, "42-xyzwv");
  assert_int_equal(buf_appendf(&b, "%s", "toolong"), CP_TOO_BIG);
  buf_release(&b);
}

static void test_reader(void **state)
{
  const uint8_t in[] = { 1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 9 };
  struct rd r;
  uint8_t a;
  uint16_t b;
  uint32_t c;
  uint64_t d;
  (void)state;
  rd_init(&r, in, sizeof in);
  assert_int_equal(rd_u8(&r, &a), CP_OK);
  assert_int_equal(rd_u16(&r, &b), CP_OK);
  assert_int_equal(rd_u32(&r, &c), CP_OK);
  assert_int_equal(rd_u64(&r, &d), CP_OK);
  assert_int_equal(a, 1);
  assert_int_equal(b, 2);
  assert_int_equal(c, 3);
  assert_int_equal(d, 4);
  assert_int_equal(rd_end(&r), CP_TRAILING);
  assert_int_equal(rd_u16(&r, &b), CP_TRUNCATED);
  assert_int_equal(rd_u8(&r, &a), CP_OK);
  assert_int_equal(rd_end(&r), CP_OK);
}

static void test_hex(void **state)
{
  uint8_t out[4];
  char enc[16];
  size_t n;
  (void)state;
  assert_int_equal(hex_decode_exact(out, 4, "0xDEADbeef", 10), CP_OK);
  assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
  assert_int_equal(hex_decode_exact(out, 4, "deadbeef", 8), CP_OK);
  assert_int_equal(hex_decode_exact(out, 4, "deadbee", 7), CP_BAD_HEX);
  assert_int_equal(hex_decode_exact(out, 4, "deadbeef00", 10), CP_BAD_HEX);
  assert_int_equal(hex_decode_exact(out, 4, "deadbeeg", 8), CP_BAD_HEX);
  assert_int_equal(hex_decode(out, 4, &n, "0x", 2), CP_OK);
  assert_int_equal(n, 0);
  assert_int_equal(hex_decode(out, 2, &n, "aabbcc", 6), CP_TOO_BIG);
  hex_encode0x(enc, (const uint8_t *)"\x00\xff\x10", 3);
  assert_string_equal(enc, "0x00ff10");
}

static void test_parse(void **state)
{
  uint64_t v;
  int64_t i;
  (void)state;
  assert_int_equal(parse_u64_cstr("18446744073709551615", UINT64_MAX, &v), CP_OK);
  assert_true(v == UINT64_MAX);
  assert_int_equal(parse_u64_cstr("18446744073709551616", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(parse_u64_cstr("", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(parse_u64_cstr("+1", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(parse_u64_cstr(" 1", UINT64_MAX, &v), CP_BAD_NUMBER);
  assert_int_equal(parse_u64_cstr("256", 255, &v), CP_BAD_NUMBER);
  assert_int_equal(parse_u64_cstr("255", 255, &v), CP_OK);
  assert_int_equal(v, 255);
  assert_int_equal(parse_i64("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &i), CP_OK);
  assert_true(i == INT64_MIN);
  assert_int_equal(parse_i64("9223372036854775808", 19, INT64_MIN, INT64_MAX, &i), CP_BAD_NUMBER);
  assert_int_equal(parse_fixed("0.01", 4, 1000000, 1000000, &v), CP_OK);
  assert_int_equal(v, 10000);
  assert_int_equal(parse_fixed("1", 1, 1000000, 1000000, &v), CP_OK);
  assert_int_equal(v, 1000000);
  assert_int_equal(parse_fixed("0.0000001", 9, 1000000, 1000000, &v), CP_BAD_NUMBER);
  assert_int_equal(parse_fixed("1.5", 3, 1000000, 1000000, &v), CP_BAD_NUMBER);
  assert_int_equal(parse_fixed("0.", 2, 1000000, 1000000, &v), CP_BAD_NUMBER);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_err_table), cmocka_unit_test(test_buf_bounded),
    cmocka_unit_test(test_reader),    cmocka_unit_test(test_hex),
    cmocka_unit_test(test_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
