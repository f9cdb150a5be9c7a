/* The store on SQLite: every backend-independent case (store_cases.h) plus
 * what only SQLite has (WAL mode, a file another connection abandoned
 * mid-transaction). SIGKILL tests are in test_crash.c. */
#include "testutil.h"

#include <sqlite3.h>

#include "store_cases.h"
#include "util/log.h"

static void test_wal_mode(void **state)
{
  struct fx f;
  (void)state;
  fx_init(&f);
  store_close(fx_open(&f));
  assert_int_equal(fx_raw_int(&f, "SELECT journal_mode = 'wal' FROM "
                                  "pragma_journal_mode"),
                   1);
  fx_cleanup(&f);
}

/* A transaction that never commits leaves no trace after reopen, and the
 * store opens cleanly over a file another connection abandoned. */
static void test_uncommitted_is_gone(void **state)
{
  struct fx f;
  struct store *s;
  struct store_farmer a, got;
  sqlite3 *db = NULL;
  (void)state;
  fx_init(&f);
  s = fx_open(&f);
  fx_farmer(&a, 1);
  assert_int_equal(store_farmer_add(s, &a), CP_OK);
  store_close(s);

  assert_int_equal(sqlite3_open(f.path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "BEGIN IMMEDIATE;"
                                "UPDATE farmers SET points = 999;"
                                "DELETE FROM schema_version;",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK); /* rolls back */

  s = fx_open(&f);
  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.points == 0);
  store_farmer_release(&got);
  store_close(s);
  assert_int_equal(fx_raw_int(&f, "SELECT COUNT(*) FROM schema_version"), 2);
  fx_cleanup(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    STORE_CASES,
    cmocka_unit_test(test_wal_mode),
    cmocka_unit_test(test_uncommitted_is_gone),
  };
  log_set_level(LOG_WARN);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
