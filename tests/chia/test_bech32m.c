#include "testutil.h"

#include <string.h>

#include "chia/bech32m.h"

/* bls.json bech32m: encode and decode every vector, both directions. */
static void test_vectors(void **state)
{
  json_t *tv = tv_load("bls.json");
  json_t *arr = tv_get(tv, "bech32m");
  size_t i;
  json_t *v;
  (void)state;

  assert_true(json_array_size(arr) >= 10);
  json_array_foreach(arr, i, v) {
    uint8_t ph[32], got[32];
    char out[BECH32M_MAX_LEN + 1], hrp[BECH32M_HRP_MAX + 1];
    const char *addr = tv_str(v, "address"), *prefix = tv_str(v, "prefix");

    tv_hex_exact(v, "puzzle_hash", ph, 32);
    assert_int_equal(bech32m_encode_ph(prefix, ph, out, sizeof out), CP_OK);
    assert_string_equal(out, addr);
    assert_int_equal(bech32m_decode_ph(addr, strlen(addr), hrp, sizeof hrp, got), CP_OK);
    assert_string_equal(hrp, prefix);
    assert_memory_equal(got, ph, 32);
    assert_int_equal(bech32m_decode_ph_expect(addr, strlen(addr), prefix, got), CP_OK);
    assert_int_equal(bech32m_decode_ph_expect(addr, strlen(addr),
                                              strcmp(prefix, "xch") ? "xch" : "txch",
                                              got), CP_BAD_ADDRESS);
  }
  json_decref(tv);
}

/* bech32m_invalid: rejected unless Chia's decoder accepts it; accepted ones
 * must give the oracle's hrp:hash and fail a pool's xch prefix check when
 * the hrp is not xch. */
static void test_invalid_vectors(void **state)
{
  json_t *tv = tv_load("bls.json");
  json_t *arr = tv_get(tv, "bech32m_invalid");
  size_t i, rejected = 0, accepted = 0;
  json_t *v;
  (void)state;

  assert_true(json_array_size(arr) >= 18);
  json_array_foreach(arr, i, v) {
    const char *addr = tv_str(v, "address");
    int accepts = json_is_true(tv_get(v, "chia_decode_puzzle_hash_accepts"));
    uint8_t ph[32];
    char hrp[BECH32M_HRP_MAX + 1];
    cp_err rc = bech32m_decode_ph(addr, strlen(addr), hrp, sizeof hrp, ph);

    if (!accepts) {
      assert_int_equal(rc, CP_BAD_ADDRESS);
      rejected++;
    } else {
      const char *want = json_string_value(
        tv_get(tv_get(v, "oracle_results"), "P"));
      char got[BECH32M_HRP_MAX + 70];
      char hex[65];
      assert_int_equal(rc, CP_OK);
      for (int k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", ph[k]);
      snprintf(got, sizeof got, "%s:%s", hrp, hex);
      assert_string_equal(got, want);
      assert_int_equal(bech32m_decode_ph_expect(addr, strlen(addr), "xch", ph),
                       strcmp(hrp, "xch") ? CP_BAD_ADDRESS : CP_OK);
      accepted++;
    }
  }
  assert_true(rejected >= 14);
  assert_true(accepted >= 3);
  json_decref(tv);
}

static void test_edges(void **state)
{
  uint8_t ph[32] = { 0 };
  char out[BECH32M_MAX_LEN + 1], hrp[BECH32M_HRP_MAX + 1];
  const char *good = "xch1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq2u30kz";
  char buf[128];
  (void)state;

  assert_int_equal(bech32m_encode_ph("XCH", ph, out, sizeof out), CP_INVAL);
  assert_int_equal(bech32m_encode_ph("", ph, out, sizeof out), CP_INVAL);
  assert_int_equal(bech32m_encode_ph("xch", ph, out, 20), CP_TOO_BIG);
  /* embedded NUL, length over 90, hrp buffer too small */
  memcpy(buf, good, strlen(good) + 1);
  buf[10] = 0;
  assert_int_equal(bech32m_decode_ph(buf, strlen(good), hrp, sizeof hrp, ph),
                   CP_BAD_ADDRESS);
  memset(buf, 'q', 100);
  assert_int_equal(bech32m_decode_ph(buf, 100, hrp, sizeof hrp, ph), CP_BAD_ADDRESS);
  assert_int_equal(bech32m_decode_ph(good, strlen(good), hrp, 3, ph), CP_BAD_ADDRESS);
  /* a valid decode must not touch ph on failure paths: checksum broken */
  memcpy(buf, good, strlen(good) + 1);
  buf[strlen(good) - 1] = 'q';
  memset(ph, 0xee, 32);
  assert_int_equal(bech32m_decode_ph(buf, strlen(buf), hrp, sizeof hrp, ph), CP_BAD_ADDRESS);
  assert_int_equal(ph[0], 0xee);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_vectors),
    cmocka_unit_test(test_invalid_vectors),
    cmocka_unit_test(test_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
