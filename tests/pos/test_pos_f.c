/* F1 / Fx / matching against the worked values of chiapos a388902b on the
 * vectors' k18 plot (docs/pos-v1.md section 9) and against each other. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pos/pos_f.h"
#include "util/hex.h"

static const char *PLOT18 =
  "88fe0c0048d87ce3bd0c52d8c1e4f4b45d0eb60fe3d09a84ad1d17bbf60bc979";

static void f1_init18(struct pos_f1 *f)
{
  uint8_t id[32];
  assert_int_equal(hex_decode_exact(id, 32, PLOT18, 64), CP_OK);
  assert_int_equal(pos_f1_init(f, 18, id), CP_OK);
}

static void test_f1_worked(void **state)
{
  struct pos_f1 f;
  uint8_t id[32] = { 0 };
  (void)state;
  assert_int_equal(pos_f1_init(&f, 17, id), CP_BAD_K);
  assert_int_equal(pos_f1_init(&f, 51, id), CP_BAD_K);
  f1_init18(&f);
  assert_int_equal(pos_f1(&f, 127176), 2259615);
  assert_int_equal(pos_f1(&f, 85066), 2279892);
  assert_int_equal(2259615 / POS_BC, 149);
  assert_int_equal(2279892 / POS_BC, 150);
}

/* The batch form must equal the single form everywhere, including x's whose
 * k bits straddle two keystream blocks and batch-buffer boundaries. */
static void test_f1_range(void **state)
{
  struct pos_f1 f;
  size_t n = 5000;
  uint64_t *y = malloc(n * sizeof *y);
  (void)state;
  assert_non_null(y);
  f1_init18(&f);
  pos_f1_range(&f, 0, n, y);
  for (size_t i = 0; i < n; i++)
    assert_true(y[i] == pos_f1(&f, i));
  pos_f1_range(&f, (1u << 18) - 777, 777, y); /* up to the last x */
  for (size_t i = 0; i < 777; i++)
    assert_true(y[i] == pos_f1(&f, (1u << 18) - 777 + i));
  free(y);
}

static void test_fx_worked(void **state)
{
  struct pos_f1 f;
  struct pos_meta ml = { { 127176 } }, mr = { { 85066 } }, out;
  (void)state;
  f1_init18(&f);
  assert_int_equal(pos_fx(2, 18, 2259615, &ml, &mr, &out), 14977095);
  assert_true(out.w[0] == 0x7c3214c4aULL); /* x0 || x1, 36 bits */
  assert_true(out.w[1] == 0 && out.w[2] == 0 && out.w[3] == 0);
  assert_int_equal(pos_meta_bits(1, 18), 18);
  assert_int_equal(pos_meta_bits(3, 18), 72);
  assert_int_equal(pos_meta_bits(6, 33), 66);
  assert_int_equal(pos_meta_bits(7, 33), 0);
}

static void test_match_rule(void **state)
{
  (void)state;
  assert_true(pos_match(2259615, 2279892));
  assert_false(pos_match(2279892, 2259615));  /* never the other way */
  assert_false(pos_match(2259615, 2259615));  /* never the same bucket */
  assert_false(pos_match(2259615, 2279892 + POS_BC)); /* two buckets on */
  assert_false(pos_match(2259615, 2279892 + 1));
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The table-driven bucket matcher finds exactly the pairs the O(1) rule
 * accepts, for both bucket parities. */
static void test_matcher_vs_rule(void **state)
{
  struct pos_matcher *m;
  uint64_t seed = 12345, yl[300], yr[300];
  uint32_t il[4096], ir[4096];
  size_t n;
  (void)state;
  assert_int_equal(pos_matcher_new(&m), CP_OK);
  for (int round = 0; round < 6; round++) {
    uint64_t b = 1000 + (uint64_t)round;
    for (int i = 0; i < 300; i++) {
      yl[i] = b * POS_BC + tv_rng_next(&seed) % POS_BC;
      yr[i] = (b + 1) * POS_BC + tv_rng_next(&seed) % POS_BC;
    }
    qsort(yr, 300, sizeof yr[0], cmp_u64);
    assert_int_equal(pos_matcher_run(m, yl, 300, yr, 300, sizeof yl[0], il,
                                     ir, 4096, &n), CP_OK);
    size_t want = 0;
    for (int i = 0; i < 300; i++)
      for (int j = 0; j < 300; j++)
        want += (size_t)pos_match(yl[i], yr[j]);
    assert_int_equal(n, want);
    assert_true(n > 0);
    for (size_t q = 0; q < n; q++)
      assert_true(pos_match(yl[il[q]], yr[ir[q]]));
    if (n > 1) {
      assert_int_equal(pos_matcher_run(m, yl, 300, yr, 300, sizeof yl[0], il,
                                       ir, n - 1, &n), CP_TOO_BIG);
      assert_int_equal(n, want - 1);
    }
  }
  /* wrong buckets or unsorted R are refused */
  yr[0] = yl[0];
  assert_int_equal(pos_matcher_run(m, yl, 10, yr, 10, 8, il, ir, 4096, &n),
                   CP_INVAL);
  assert_int_equal(pos_matcher_run(m, yr + 1, 10, yr + 1, 10, 8, il, ir, 4096, &n),
                   CP_INVAL);
  pos_matcher_free(m);
}

static void test_bits(void **state)
{
  uint8_t b[9] = { 0 };
  (void)state;
  pos_bits_put(b, 3, 0x1ffffffffffffULL, 49);
  assert_true(pos_bits_get(b, 3, 49) == 0x1ffffffffffffULL);
  assert_int_equal(b[0], 0x1f);
  assert_int_equal(b[6], 0xf0);
  assert_int_equal(b[7], 0);
  pos_bits_put(b, 60, UINT64_MAX, 12);
  assert_true(pos_bits_get(b, 0, 64) == 0x1ffffffffffff00fULL);
  assert_int_equal(b[7], 0x0f);
  assert_int_equal(b[8], 0xff);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_f1_worked),   cmocka_unit_test(test_f1_range),
    cmocka_unit_test(test_fx_worked),   cmocka_unit_test(test_match_rule),
    cmocka_unit_test(test_matcher_vs_rule), cmocka_unit_test(test_bits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
