/* `chiapool verify-proof` end to end: the real binary prints chiapos'
 * quality for valid proofs and exits 1 with one line for invalid ones. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* stdout and stderr both into out */
static int run(const char *args, char *out, size_t cap)
{
  return tv_run(args, out, cap, out, cap);
}

static int verify(json_t *v, long long k, char *out, size_t cap)
{
  char args[1536];
  assert_true((size_t)snprintf(args, sizeof args,
                               "verify-proof --k %lld --plot-id %s "
                               "--challenge %s --proof %s",
                               k, tv_str(v, "plot_id"), tv_str(v, "challenge"),
                               tv_str(v, "proof")) < sizeof args);
  return run(args, out, cap);
}

static void test_valid_and_invalid(void **state)
{
  json_t *all = tv_load("pos_v1.json"), *v;
  char out[1024], want[80];
  size_t i;
  (void)state;
  /* first k18 vector and the three mainnet ones */
  json_array_foreach(tv_get(all, "valid"), i, v) {
    long long k = json_integer_value(tv_get(v, "k"));
    if (i != 0 && k < 32)
      continue;
    assert_int_equal(verify(v, k, out, sizeof out), 0);
    snprintf(want, sizeof want, "%s\n", tv_str(v, "quality"));
    assert_string_equal(out, want);
    /* the same proof under the wrong k is refused on its length */
    assert_int_equal(verify(v, k + 1, out, sizeof out), 1);
    assert_non_null(strstr(out, "bytes"));
  }
  json_array_foreach(tv_get(all, "invalid"), i, v) {
    long long k = json_integer_value(tv_get(v, "k"));
    int rc = verify(v, k, out, sizeof out);
    assert_int_equal(rc, 1);
    /* one line naming the command */
    assert_non_null(strstr(out, "chiapool verify-proof: "));
    assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
  }
  json_decref(all);
}

static void test_usage(void **state)
{
  char out[1024];
  (void)state;
  assert_int_equal(run("verify-proof --k 18", out, sizeof out), 2);
  assert_non_null(strstr(out, "usage:"));
  assert_int_equal(run("verify-proof --k 17 --plot-id 00 --challenge 00 "
                       "--proof 00", out, sizeof out), 1);
  assert_non_null(strstr(out, "out of range"));
  assert_int_equal(run("verify-proof --k x --plot-id 00 --challenge 00 "
                       "--proof 00", out, sizeof out), 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_and_invalid),
    cmocka_unit_test(test_usage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
