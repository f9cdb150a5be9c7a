/* `chiapool clvm` end to end: run and treehash through the real binary. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX 8192

/* Runs the binary with args (shell-safe), stdout into out, the first
 * stderr line into err; returns the exit code. */
static int run(const char *args, char *out, char *err)
{
  char cmd[8192], errfile[] = "/tmp/cp_clvm_cli_XXXXXX";
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

static void test_run(void **state)
{
  char out[OUT_MAX], err[OUT_MAX];
  (void)state;
  /* (+ (q . 2) (q . 3)) */
  assert_int_equal(run("clvm run ff10ffff0102ffff010380", out, err), 0);
  assert_string_equal(out, "cost 796\nresult 05\n");
  /* path 2 in env (5) */
  assert_int_equal(run("clvm run 02 ff0580", out, err), 0);
  assert_string_equal(out, "cost 48\nresult 05\n");
  /* over cost, raise, unknown operator in strict mode, bad hex, usage */
  assert_int_equal(run("clvm run ff10ffff0102ffff010380 --max-cost 795", out, err), 1);
  assert_non_null(strstr(err, "CLVM_COST"));
  assert_int_equal(run("clvm run ff08ffff010580", out, err), 1);
  assert_non_null(strstr(err, "CLVM_RAISE"));
  assert_string_equal(out, "raised 05\n");
  assert_int_equal(run("clvm run ff40ffff0101ffff018080", out, err), 1);
  assert_non_null(strstr(err, "CLVM_BAD_OP"));
  assert_int_equal(run("clvm run ff40ffff0101ffff018080 --consensus", out, err), 0);
  assert_string_equal(out, "cost 783\nresult 80\n");
  assert_int_equal(run("clvm run ff01", out, err), 1);
  assert_int_equal(run("clvm run zz", out, err), 1);
  assert_int_equal(run("clvm", out, err), 2);
}

static void test_treehash(void **state)
{
  json_t *v = tv_load("puzzles.json"), *puzzles = tv_get(v, "puzzles");
  json_t *p = json_array_get(puzzles, 0);
  char *args, out[OUT_MAX], err[OUT_MAX], want[80];
  const char *hex = tv_str(p, "hex");
  (void)state;
  args = malloc(strlen(hex) + 32);
  assert_non_null(args);
  sprintf(args, "clvm treehash %s", hex);
  assert_int_equal(run(args, out, err), 0);
  snprintf(want, sizeof want, "%s\n", tv_str(p, "tree_hash"));
  assert_string_equal(out, want);
  free(args);
  assert_int_equal(run("clvm treehash 80", out, err), 0);
  assert_string_equal(out, "4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a\n");
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_run),
    cmocka_unit_test(test_treehash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
