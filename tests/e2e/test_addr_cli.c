/* `chiapool addr` end to end: the real binary against the bech32m vectors. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX 4096

static int run(const char *args, char *out, char *err)
{
  return tv_run(args, out, OUT_MAX, err, OUT_MAX);
}

static void test_vectors(void **state)
{
  json_t *tv = tv_load("bls.json");
  json_t *arr = tv_get(tv, "bech32m");
  char args[512], out[OUT_MAX], err[OUT_MAX], want[256];
  size_t i;
  json_t *v;
  (void)state;

  json_array_foreach(arr, i, v) {
    const char *ph = tv_str(v, "puzzle_hash"), *addr = tv_str(v, "address");
    const char *prefix = tv_str(v, "prefix");
    snprintf(args, sizeof args, "addr encode %s --prefix %s", ph, prefix);
    assert_int_equal(run(args, out, err), 0);
    snprintf(want, sizeof want, "%s\n", addr);
    assert_string_equal(out, want);
    snprintf(args, sizeof args, "addr decode %s", addr);
    assert_int_equal(run(args, out, err), 0);
    snprintf(want, sizeof want, "0x%s\nprefix: %s\n", ph, prefix);
    assert_string_equal(out, want);
  }
  json_decref(tv);
}

static void test_failures(void **state)
{
  char out[OUT_MAX], err[OUT_MAX];
  (void)state;

  /* default prefix is xch; 0x accepted on input */
  assert_int_equal(run("addr encode 0x0000000000000000000000000000000000000000000000000000000000000000",
                       out, err), 0);
  assert_string_equal(out, "xch1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq2u30kz\n");
  assert_int_equal(run("addr encode 00 --prefix xch", out, err), 1);
  assert_string_equal(out, "");
  assert_non_null(strstr(err, "32 bytes"));
  assert_int_equal(run("addr encode 0000000000000000000000000000000000000000000000000000000000000000"
                       " --prefix bc", out, err), 1);
  assert_non_null(strstr(err, "prefix"));
  assert_int_equal(run("addr decode xch1lllllllllllllllllllllllllllllllllllllllllllllllllllsgzj7lk",
                       out, err), 1);
  assert_string_equal(out, "");
  assert_non_null(strstr(err, "chiapool addr:"));
  assert_int_equal(run("addr decode", out, err), 2);
  assert_int_equal(run("addr frobnicate x", out, err), 2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_vectors),
    cmocka_unit_test(test_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
