/* `chiapool clvm` end to end: run and treehash through the real binary. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX 8192

static int run(const char *args, char *out, char *err)
{
  return tv_run(args, out, OUT_MAX, err, OUT_MAX);
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
  snprintf(args, strlen(hex) + 32, "clvm treehash %s", hex);
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
