/* `chiapool payouts` and `chiapool balances` end to end on a SQLite store
 * prepared through the store API: list, show (lines, fee line), retry
 * (refuses without --yes, then fails the batch and refunds its member
 * line), balances. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool/payouts.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"

#define OUT_MAX 8192

static void test_payouts_cli(void **state)
{
  char dir[64] = "/tmp/cp_paycli_XXXXXX", db[128], cfg[128], args[512];
  char out[OUT_MAX], err[OUT_MAX], la[65];
  struct store_options o = { .backend = STORE_BACKEND_SQLITE };
  struct store_farmer f = { 0 };
  struct store_payout_line lines[3];
  struct store_payout_plan p = { 0 };
  struct store_reward r = { 0 };
  struct store *s;
  int64_t id;
  FILE *fp;
  (void)state;

  log_set_level(LOG_WARN);
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof db, "%s/pool.db", dir);
  snprintf(cfg, sizeof cfg, "%s/config.yaml", dir);
  fp = fopen(cfg, "w");
  assert_non_null(fp);
  fprintf(fp, "store:\n  backend: sqlite\n  path: %s\n", db);
  fclose(fp);

  o.path = db;
  assert_int_equal(store_open(&o, &s), CP_OK);
  memset(f.launcher_id, 0x11, 32);
  memset(f.p2_singleton_puzzle_hash, 0x22, 32);
  f.difficulty = 1;
  f.is_pool_member = 1;
  assert_int_equal(store_farmer_add(s, &f), CP_OK);
  memset(r.coin_id, 0xcc, 32);
  memcpy(r.launcher_id, f.launcher_id, 32);
  r.amount = 1000;
  r.state = STORE_REWARD_ABSORBED;
  assert_int_equal(store_reward_upsert(s, &r), CP_OK);
  memset(lines, 0, sizeof lines);
  memset(lines[0].puzzle_hash, 0xee, 32);
  lines[0].amount = 10;
  memset(lines[1].puzzle_hash, 0x33, 32);
  lines[1].amount = 900;
  lines[1].has_launcher = 1;
  memcpy(lines[1].launcher_id, f.launcher_id, 32);
  lines[2].amount = 5; /* PAYOUTS_FEE_PH: the blockchain fee */
  p.idempotency_key = "payout-test-0";
  p.created_at = 1700000000;
  p.window_end = 1700000000;
  p.points_mode = STORE_POINTS_KEEP;
  p.lines = lines;
  p.n_lines = 3;
  assert_int_equal(store_payout_plan(s, &p, &id), CP_OK);
  store_close(s);

  snprintf(args, sizeof args, "payouts list --config %s", cfg);
  assert_int_equal(tv_run(args, out, OUT_MAX, err, OUT_MAX), 0);
  assert_non_null(strstr(out, "planned   total=915"));
  assert_non_null(strstr(out, "key=payout-test-0"));

  snprintf(args, sizeof args, "payouts show %lld --config %s", (long long)id, cfg);
  assert_int_equal(tv_run(args, out, OUT_MAX, err, OUT_MAX), 0);
  hex_encode(la, f.launcher_id, 32);
  assert_non_null(strstr(out, la));
  assert_non_null(strstr(out, " 5 blockchain-fee"));
  assert_non_null(strstr(out, " 10 pool"));

  snprintf(args, sizeof args, "payouts retry %lld --config %s", (long long)id, cfg);
  assert_int_equal(tv_run(args, out, OUT_MAX, err, OUT_MAX), 1);
  assert_non_null(strstr(err, "--yes"));
  snprintf(args, sizeof args, "payouts retry %lld --config %s --yes", (long long)id, cfg);
  assert_int_equal(tv_run(args, out, OUT_MAX, err, OUT_MAX), 0);

  snprintf(args, sizeof args, "balances --config %s", cfg);
  assert_int_equal(tv_run(args, out, OUT_MAX, err, OUT_MAX), 0);
  assert_non_null(strstr(out, "total_balances 900"));
  /* 1000 absorbed, nothing live, 900 held */
  assert_non_null(strstr(out, "undistributed 100"));

  snprintf(args, sizeof args, "payouts frobnicate --config %s", cfg);
  assert_int_equal(tv_run(args, out, OUT_MAX, err, OUT_MAX), 2);

  snprintf(args, sizeof args, "%s-wal", db);
  unlink(args);
  snprintf(args, sizeof args, "%s-shm", db);
  unlink(args);
  unlink(db);
  unlink(cfg);
  rmdir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_payouts_cli),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
