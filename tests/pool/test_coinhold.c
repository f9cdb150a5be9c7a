/* Coins held out of payouts: put / replace / drop by key, expiry, the
 * listing cap. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pool/coinhold.h"

static void ids(uint8_t (*v)[32], size_t n, uint8_t base)
{
  for (size_t i = 0; i < n; i++)
    memset(v[i], base + (uint8_t)i, 32);
}

static size_t listed(struct coinhold *h, uint64_t now, uint8_t (**out)[32])
{
  size_t n = 12345;
  assert_int_equal(coinhold_list(h, now, out, &n), CP_OK);
  return n;
}

static void test_put_replace_drop_expire(void **state)
{
  struct coinhold *h = coinhold_new();
  uint8_t a[32], b[32], coins[3][32], (*out)[32] = NULL;
  (void)state;
  memset(a, 0xa0, 32);
  memset(b, 0xb0, 32);
  ids(coins, 3, 1);
  assert_int_equal(listed(h, 100, &out), 0);
  assert_null(out);

  coinhold_put(h, a, (const uint8_t (*)[32])coins, 2, 200);
  coinhold_put(h, b, (const uint8_t (*)[32])coins + 2, 1, 150);
  assert_int_equal(listed(h, 100, &out), 3);
  assert_memory_equal(out[0], coins[0], 32);
  assert_memory_equal(out[1], coins[1], 32);
  assert_memory_equal(out[2], coins[2], 32);
  free(out);

  /* b expires at 150: gone from then on, a stays */
  assert_int_equal(listed(h, 150, &out), 2);
  free(out);
  assert_int_equal(listed(h, 149, &out), 2); /* dropped for good */
  free(out);

  /* a rebuilt bundle under the same key replaces its coins */
  coinhold_put(h, a, (const uint8_t (*)[32])coins + 2, 1, 300);
  assert_int_equal(listed(h, 160, &out), 1);
  assert_memory_equal(out[0], coins[2], 32);
  free(out);

  coinhold_drop(h, b); /* unknown key: nothing happens */
  coinhold_drop(h, a);
  assert_int_equal(listed(h, 160, &out), 0);
  assert_null(out);
  coinhold_free(h);
}

static void test_cap(void **state)
{
  struct coinhold *h = coinhold_new();
  uint8_t (*many)[32] = calloc(COINHOLD_MAX_COINS + 5, 32), key[32], (*out)[32];
  (void)state;
  assert_non_null(many);
  for (size_t i = 0; i < COINHOLD_MAX_COINS + 5; i++)
    memset(many[i], (int)(i & 0xff), 32);
  memset(key, 1, 32);
  coinhold_put(h, key, (const uint8_t (*)[32])many, COINHOLD_MAX_COINS + 5, 10);
  assert_int_equal(listed(h, 5, &out), COINHOLD_MAX_COINS);
  assert_memory_equal(out[COINHOLD_MAX_COINS - 1], many[COINHOLD_MAX_COINS - 1], 32);
  free(out);
  /* an empty put is a drop */
  coinhold_put(h, key, NULL, 0, 10);
  assert_int_equal(listed(h, 5, &out), 0);
  free(many);
  coinhold_free(h);
  coinhold_free(NULL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_put_replace_drop_expire),
    cmocka_unit_test(test_cap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
