/* `chiapool addr` end to end: the real binary against the bech32m vectors. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX 4096

/* Runs the binary with args (shell-safe), stdout into out, the first
 * stderr line into err; returns the exit code. */
static int run(const char *args, char *out, char *err)
{
  char cmd[2048], errfile[] = "/tmp/cp_addr_cli_XXXXXX";
  size_t n = 0, r;
  FILE *f;
  int st, fd;

  fd = mkstemp(errfile);
  assert_true(fd >= 0);
  snprintf(cmd, sizeof cmd, "%s %s 2>%s", CHIAPOOL_BINARY, args, errfile);
  f = popen(cmd, "r");
  assert_non_null(f);
  while (n + 1 < OUT_MAX && (r = fread(out + n, 1, OUT_MAX - 1 - n, f)) > 0)
    n += r;
  out[n] = 0;
  st = pclose(f);
  f = fdopen(fd, "r");
  assert_non_null(f);
  err[0] = 0;
  if (!fgets(err, OUT_MAX, f))
    err[0] = 0;
  fclose(f);
  unlink(errfile);
  assert_true(WIFEXITED(st));
  return WEXITSTATUS(st);
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
