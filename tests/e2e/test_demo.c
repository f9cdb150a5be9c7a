/* `chiapool demo` end to end: the real binary runs a pool against the
 * simulated chain, wallet and two farmers (one k18 plot each, two signage
 * points a second) for 15 s, exits 0 and reports accepted partials for
 * every farmer. One plot each keeps set-up short under ASan; the seeds are
 * fixed, so the signage points and proofs are the same on every run. */
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

/* The count after "<farmer>: accepted=" in the final report. */
static uint64_t accepted(const char *out, const char *farmer)
{
  const char *fin = strstr(out, "final ");
  char key[64];
  const char *p, *e;
  uint64_t n = 0;

  assert_non_null(fin);
  snprintf(key, sizeof key, "%s: accepted=", farmer);
  p = strstr(fin, key);
  assert_non_null(p);
  p += strlen(key);
  for (e = p; *e >= '0' && *e <= '9'; e++)
    ;
  assert_int_equal(parse_u64(p, (size_t)(e - p), UINT64_MAX, &n), CP_OK);
  return n;
}

static void test_demo_runs(void **state)
{
  char dir[] = "/tmp/cp_demo_XXXXXX", args[256], err[512];
  char *out = malloc(1 << 20);
  (void)state;

  assert_non_null(out);
  assert_non_null(mkdtemp(dir));
  snprintf(args, sizeof args,
           "demo --farmers 2 --plots 1 --speed 2 --duration 15 --data-dir %s", dir);
  assert_int_equal(tv_run(args, out, 1 << 20, err, sizeof err), 0);
  assert_non_null(strstr(out, "sim node  https://127.0.0.1:"));
  assert_non_null(strstr(out, "farmer-0  plot NFT "));
  assert_non_null(strstr(out, "farmer-1  plot NFT "));
  assert_true(accepted(out, "farmer-0") > 0);
  assert_true(accepted(out, "farmer-1") > 0);
  assert_non_null(strstr(out, "demo stopped"));
  nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  free(out);
}

static void test_demo_usage(void **state)
{
  char out[4096];
  (void)state;
  assert_int_equal(tv_run("demo --farmers 0", out, sizeof out, NULL, 0), 2);
  assert_int_equal(tv_run("demo --speed fast", out, sizeof out, NULL, 0), 2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_demo_usage),
    cmocka_unit_test(test_demo_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
