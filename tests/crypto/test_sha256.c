#include "testutil.h"

#include <string.h>

#include "crypto/sha256.h"

/* FIPS 180-2 examples. */
static void test_sha256_fips(void **state)
{
  uint8_t out[32];
  struct sha256_ctx c;
  (void)state;
  sha256(out, "", 0);
  tv_assert_hex(out, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  sha256(out, "abc", 3);
  tv_assert_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  sha256_init(&c);
  for (int i = 0; i < 1000; i++) {
    char a[1000];
    memset(a, 'a', sizeof a);
    sha256_update(&c, a, sizeof a);
  }
  sha256_final(&c, out);
  tv_assert_hex(out, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_sha256_fips) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
