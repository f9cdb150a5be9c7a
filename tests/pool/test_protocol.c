#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pool/protocol.h"

/* Codes are the wire values of chia's PoolErrorCode: they must never move. */
static void test_codes(void **state)
{
  (void)state;
  assert_int_equal(POOL_REVERTED_SIGNAGE_POINT, 1);
  assert_int_equal(POOL_TOO_LATE, 2);
  assert_int_equal(POOL_NOT_FOUND, 3);
  assert_int_equal(POOL_INVALID_PROOF, 4);
  assert_int_equal(POOL_PROOF_NOT_GOOD_ENOUGH, 5);
  assert_int_equal(POOL_INVALID_DIFFICULTY, 6);
  assert_int_equal(POOL_INVALID_SIGNATURE, 7);
  assert_int_equal(POOL_SERVER_EXCEPTION, 8);
  assert_int_equal(POOL_INVALID_P2_SINGLETON_PUZZLE_HASH, 9);
  assert_int_equal(POOL_FARMER_NOT_KNOWN, 10);
  assert_int_equal(POOL_FARMER_ALREADY_KNOWN, 11);
  assert_int_equal(POOL_INVALID_AUTHENTICATION_TOKEN, 12);
  assert_int_equal(POOL_INVALID_PAYOUT_INSTRUCTIONS, 13);
  assert_int_equal(POOL_INVALID_SINGLETON, 14);
  assert_int_equal(POOL_DELAY_TIME_TOO_SHORT, 15);
  assert_int_equal(POOL_REQUEST_FAILED, 16);
  assert_int_equal(POOL_CODE_LAST, 17);
  for (int c = 0; c < POOL_CODE_LAST; c++) {
    assert_string_not_equal(pool_code_name((enum pool_code)c), "UNKNOWN");
    assert_true(strlen(pool_code_message((enum pool_code)c)) > 0);
  }
  assert_string_equal(pool_code_name(POOL_INVALID_SIGNATURE), "INVALID_SIGNATURE");
  assert_string_equal(pool_code_name((enum pool_code)17), "UNKNOWN");
  assert_string_equal(pool_code_name((enum pool_code)-1), "UNKNOWN");
}

static void test_error_json(void **state)
{
  json_t *j;
  char *s;
  (void)state;
  j = pool_error_json(POOL_INVALID_AUTHENTICATION_TOKEN, "authentication_token 5 invalid");
  s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
  assert_string_equal(s, "{\"error_code\":12,\"error_message\":\"authentication_token 5 invalid\"}");
  free(s);
  json_decref(j);
  j = pool_error_json(POOL_TOO_LATE, NULL);
  s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
  assert_string_equal(s, "{\"error_code\":2,\"error_message\":\"partial received too late\"}");
  free(s);
  json_decref(j);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_codes),
                                      cmocka_unit_test(test_error_json) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
