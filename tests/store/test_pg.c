/* The store on PostgreSQL: the same cases as test_sqlite.c, run against the
 * database named by CHIAPOOL_PG_DSN (its public schema is dropped and
 * recreated per test, so point it at a throwaway database); every test is
 * skipped when the variable is unset. */
#include "testutil.h"

#include "store_cases.h"
#include "util/log.h"

int main(void)
{
  const struct CMUnitTest tests[] = {
    STORE_CASES,
  };
  fx_backend = STORE_BACKEND_PG;
  log_set_level(LOG_WARN);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
