/* chiapool balances --config FILE
 *
 * What the pool owes: each farmer's carried balance (below min_payout, or
 * returned by a failed batch), their sum, and the undistributed funds
 * (absorbed rewards not yet planned into a batch or a balance). */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>

#include "pool/payouts.h"
#include "store/store.h"
#include "util/hex.h"

int cli__open_store(const char *cmd, int argc, char **argv, struct store **out);

int cmd_balances(int argc, char **argv)
{
  struct store_balance_list l;
  struct store *s = NULL;
  uint64_t sum = 0, undist = 0;
  cp_err rc;
  int ret;

  if ((ret = cli__open_store("balances", argc, argv, &s)))
    return ret;
  rc = store_balance_list(s, &l);
  if (rc) {
    store_close(s);
    return cli_fail("balances", "%s", cp_strerror(rc));
  }
  for (size_t i = 0; i < l.n; i++) {
    char la[65];
    if (!l.items[i].amount)
      continue;
    hex_encode(la, l.items[i].launcher_id, 32);
    printf("%s %" PRIu64 "\n", la, l.items[i].amount);
    sum += l.items[i].amount;
  }
  store_balance_list_release(&l);
  rc = payouts_undistributed(s, &undist);
  printf("total_balances %" PRIu64 "\n", sum);
  if (rc)
    printf("undistributed unknown (%s)\n", cp_strerror(rc));
  else
    printf("undistributed %" PRIu64 "\n", undist);
  store_close(s);
  return 0;
}
