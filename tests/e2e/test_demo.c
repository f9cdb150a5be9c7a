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

/* The final report line of one farmer, NUL-terminated into line. */
static void farmer_line(const char *out, const char *farmer, char *line, size_t cap)
{
  const char *fin = strstr(out, "final "), *p, *e;
  char key[64];
  assert_non_null(fin);
  snprintf(key, sizeof key, "  %s: ", farmer);
  p = strstr(fin, key);
  assert_non_null(p);
  e = strchr(p, '\n');
  assert_non_null(e);
  assert_true((size_t)(e - p) < cap);
  memcpy(line, p, (size_t)(e - p));
  line[e - p] = 0;
}

/* The rejections of a report line are exactly "(CODE=N)": one code only. */
static void assert_only_code(const char *line, const char *code)
{
  char key[64];
  const char *p;
  snprintf(key, sizeof key, "(%s=", code);
  p = strstr(line, key);
  assert_non_null(p);
  p += strlen(key);
  assert_true(*p >= '1' && *p <= '9');
  while (*p >= '0' && *p <= '9')
    p++;
  assert_int_equal(*p, ')');
}

/* Misbehaving farmers are refused with exactly their fault's code and never
 * credited; the honest one is credited (points after confirmation). */
static void test_demo_misbehaving_farmers(void **state)
{
  char dir[] = "/tmp/cp_demo_XXXXXX", args[256], err[512], line[512];
  char *out = malloc(1 << 20);
  (void)state;

  assert_non_null(out);
  assert_non_null(mkdtemp(dir));
  snprintf(args, sizeof args,
           "demo --farmers 4 --plots 1 --speed 4 --duration 40 --misbehave --data-dir %s",
           dir);
  assert_int_equal(tv_run(args, out, 1 << 20, err, sizeof err), 0);
  assert_non_null(strstr(out, "farmer-1  misbehaves: stale"));
  assert_non_null(strstr(out, "farmer-2  misbehaves: forged proofs"));
  assert_non_null(strstr(out, "farmer-3  misbehaves: wrong key"));

  farmer_line(out, "farmer-0", line, sizeof line);
  assert_true(accepted(out, "farmer-0") > 0);
  assert_non_null(strstr(line, " rejected=0 "));
  assert_null(strstr(line, " points=0 "));

  farmer_line(out, "farmer-1", line, sizeof line);
  assert_non_null(strstr(line, "accepted=0 "));
  assert_only_code(line, "TOO_LATE");
  assert_non_null(strstr(line, " points=0 "));

  farmer_line(out, "farmer-2", line, sizeof line);
  assert_non_null(strstr(line, "accepted=0 "));
  assert_only_code(line, "INVALID_PROOF");
  assert_non_null(strstr(line, " points=0 "));

  farmer_line(out, "farmer-3", line, sizeof line);
  assert_non_null(strstr(line, "accepted=0 "));
  assert_only_code(line, "INVALID_SIGNATURE");
  assert_non_null(strstr(line, " points=0 "));
  nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  free(out);
}

/* A number right after `key` in s (the first occurrence). */
static uint64_t number_after(const char *s, const char *key)
{
  const char *p = strstr(s, key), *e;
  uint64_t n = 0;
  assert_non_null(p);
  p += strlen(key);
  for (e = p; *e >= '0' && *e <= '9'; e++)
    ;
  assert_int_equal(parse_u64(p, (size_t)(e - p), UINT64_MAX, &n), CP_OK);
  return n;
}

/* The first absorb lands some 20-45 s into the run (blocks won, confirmed,
 * collected every 10 s, the absorb confirmed); the demo's payout pass
 * follows within 10 s. ASan on a loaded machine slows the chain itself,
 * so give it half a minute more. */
#ifdef __SANITIZE_ADDRESS__
#define DEMO_MONEY_S 90u
#else
#define DEMO_MONEY_S 60u
#endif

/* The money path in a minute: blocks won by the farmers pay the pool
 * reward to their p2_singleton puzzle hashes, the pool finds and absorbs
 * them into its target (the pool wallet grows past its 100 XCH start), a
 * payout batch goes out, and fast farmers' difficulty goes up. At 20 s the
 * chain reverts its last 16 signage points: the partials accepted on them
 * are dropped at confirmation instead of credited. */
static void test_demo_rewards_and_payouts(void **state)
{
  char dir[] = "/tmp/cp_demo_XXXXXX", args[256], err[512];
  char *out = malloc(1 << 20);
  const char *fin;
  (void)state;

  assert_non_null(out);
  assert_non_null(mkdtemp(dir));
  snprintf(args, sizeof args,
           "demo --farmers 3 --plots 2 --speed 4 --duration %u --revert-at 20 "
           "--data-dir %s", DEMO_MONEY_S, dir);
  assert_int_equal(tv_run(args, out, 1 << 20, err, sizeof err), 0);
  fin = strstr(out, "final ");
  assert_non_null(fin);
  assert_true(number_after(fin, " absorbed=") > 0);
  assert_true(number_after(fin, "pool wallet=") > 100000000000000ull);
  assert_true(number_after(fin, " submitted=") + number_after(fin, " confirmed=") > 0);
  assert_int_equal(number_after(fin, " failed="), 0);
  assert_non_null(strstr(out, "reorg: the chain reverted its last 16 signage points"));
  assert_true(number_after(fin, " dropped=") > 0);
  assert_true(number_after(fin, "pool partials credited=") > 0);
  /* some farmer's difficulty went up from the starting 1 */
  assert_non_null(strstr(out, " difficulty 1 -> "));
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
    cmocka_unit_test(test_demo_misbehaving_farmers),
    cmocka_unit_test(test_demo_rewards_and_payouts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
