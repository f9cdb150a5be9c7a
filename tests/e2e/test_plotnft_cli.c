/* `chiapool plotnft puzzles` end to end: the real binary prints the curry
 * vectors' hashes. */
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

static void expect_line(const char *out, const char *label, const char *hex)
{
  char line[256];
  snprintf(line, sizeof line, "%s: 0x%s\n", label, hex);
  if (!strstr(out, line))
    fail_msg("missing '%s' in:\n%s", line, out);
}

static void test_curry_vectors(void **state)
{
  json_t *v = tv_load("puzzles.json"), *cv;
  static const char *const nets[] = { "mainnet", "testnet11" };
  char args[1024], out[OUT_MAX], err[OUT_MAX];
  size_t i;
  (void)state;

  json_array_foreach(tv_get(v, "curry_vectors"), i, cv) {
    for (int k = 0; k < 2; k++) {
      json_t *n = tv_get(tv_get(cv, "by_network"), nets[k]);
      snprintf(args, sizeof args,
               "plotnft puzzles --launcher-id %s --delay-time %lld "
               "--delay-ph %s --target-ph %s --owner-pk %s "
               "--relative-lock-height %lld --network %s",
               tv_str(cv, "launcher_id"),
               json_integer_value(tv_get(cv, "seconds_delay")),
               tv_str(cv, "delayed_puzzle_hash"),
               tv_str(cv, "target_puzzle_hash"), tv_str(cv, "owner_pubkey"),
               json_integer_value(tv_get(cv, "relative_lock_height")), nets[k]);
      assert_int_equal(run(args, out, err), 0);
      expect_line(out, "p2_singleton_puzzle_hash",
                  tv_str(cv, "p2_singleton_puzzle_hash"));
      expect_line(out, "pool_member_inner_puzzle_hash",
                  tv_str(n, "pool_member_inner_puzzle_hash"));
      expect_line(out, "waiting_room_inner_puzzle_hash",
                  tv_str(n, "waiting_room_inner_puzzle_hash"));
      expect_line(out, "singleton_puzzle_hash_farming_to_pool",
                  tv_str(n, "full_singleton_puzzle_hash_farming_to_pool_state"));
      expect_line(out, "singleton_puzzle_hash_waiting_room",
                  tv_str(n, "full_singleton_puzzle_hash_waiting_room_state"));
    }
  }

  /* Only the p2 address without a PoolState; the delay defaults to 7 days. */
  cv = json_array_get(tv_get(v, "curry_vectors"), 0);
  snprintf(args, sizeof args, "plotnft puzzles --launcher-id %s --delay-ph %s",
           tv_str(cv, "launcher_id"), tv_str(cv, "delayed_puzzle_hash"));
  assert_int_equal(run(args, out, err), 0);
  expect_line(out, "p2_singleton_puzzle_hash",
              tv_str(cv, "p2_singleton_puzzle_hash"));
  assert_null(strstr(out, "inner_puzzle_hash"));
  json_decref(v);
}

static void test_bad_input(void **state)
{
  static const char lid[] =
    "076ab5c3a7ab799d3d37f79fbb77bd2d801b1c178dffe266e9beb703c88ced84";
  char args[1024], out[OUT_MAX], err[OUT_MAX];
  (void)state;

  assert_int_equal(run("plotnft", out, err), 2);
  assert_int_equal(run("plotnft frobnicate", out, err), 2);
  assert_int_equal(run("plotnft puzzles --launcher-id 00 --delay-ph 00", out, err), 1);
  assert_non_null(strstr(err, "--launcher-id"));
  snprintf(args, sizeof args, "plotnft puzzles --launcher-id %s", lid);
  assert_int_equal(run(args, out, err), 1);
  assert_non_null(strstr(err, "missing --delay-ph"));
  snprintf(args, sizeof args,
           "plotnft puzzles --launcher-id %s --delay-ph %s --network devnet", lid, lid);
  assert_int_equal(run(args, out, err), 1);
  assert_non_null(strstr(err, "unknown network"));
  snprintf(args, sizeof args,
           "plotnft puzzles --launcher-id %s --delay-ph %s --delay-tme 5", lid, lid);
  assert_int_equal(run(args, out, err), 1);
  assert_non_null(strstr(err, "unknown option"));
  snprintf(args, sizeof args,
           "plotnft puzzles --launcher-id %s --delay-ph %s --delay-time -1", lid, lid);
  assert_int_equal(run(args, out, err), 1);
  snprintf(args, sizeof args,
           "plotnft puzzles --launcher-id %s --delay-ph %s --target-ph %s", lid, lid, lid);
  assert_int_equal(run(args, out, err), 1);
  assert_non_null(strstr(err, "go together"));
  /* 48 bytes that are not a point on the curve */
  snprintf(args, sizeof args,
           "plotnft puzzles --launcher-id %s --delay-ph %s --target-ph %s "
           "--owner-pk 8%095d", lid, lid, lid, 1);
  assert_int_equal(run(args, out, err), 1);
  assert_non_null(strstr(err, "BLS"));
  snprintf(args, sizeof args,
           "plotnft puzzles --launcher-id %s --delay-ph %s --target-ph %s "
           "--owner-pk c%095d --relative-lock-height 4294967296", lid, lid, lid, 0);
  assert_int_equal(run(args, out, err), 1);
  /* every failure is one line on stderr and nothing on stdout */
  assert_string_equal(out, "");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_curry_vectors),
    cmocka_unit_test(test_bad_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
