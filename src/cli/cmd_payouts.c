/* chiapool payouts list|show ID|retry ID --config FILE [--yes]
 *
 * The payout ledger of the store named in the config: batches (one per
 * wallet transaction) with their state and lines. `retry` settles a batch
 * the engine holds (planned but possibly sent by a wallet that cannot look
 * keys up, or submitted and never confirmed): the operator has checked the
 * wallet and the transaction did not land, so the batch is failed, its
 * member lines go back to the balances and the next round pays them.
 * Saying so needs --yes; marking a batch that did land as failed would pay
 * it twice. A submitted batch whose input another transaction spent fails
 * by itself once that spend is buried (payouts.h); retry is for the rest,
 * e.g. a transaction the wallet forgot while its bundle may still land. */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pool/config.h"
#include "pool/payouts.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/parse.h"

#define LIST_MAX 10000

static const char *const state_names[] = { "planned", "submitted", "confirmed",
                                           "failed" };

static int usage(void)
{
  fprintf(stderr, "usage: chiapool payouts list --config FILE\n"
                  "       chiapool payouts show ID --config FILE\n"
                  "       chiapool payouts retry ID --config FILE --yes\n");
  return 2;
}

/* Shared with cmd_balances.c through cli__open_store below. */
int cli__open_store(const char *cmd, int argc, char **argv, struct store **out);

int cli__open_store(const char *cmd, int argc, char **argv, struct store **out)
{
  static struct pool_config cfg;
  struct store_options o = { 0 };
  const char *path = cli_opt(argc, argv, "--config");
  char err[256] = "";
  cp_err rc;

  if (!path)
    return cli_fail(cmd, "--config FILE is required");
  config_defaults(&cfg);
  rc = config_load_file(&cfg, path, err, sizeof err);
  if (rc)
    return cli_fail(cmd, "%s: %s", path, err[0] ? err : cp_strerror(rc));
  o.backend = cfg.store_backend == STORE_POSTGRES ? STORE_BACKEND_PG
                                                  : STORE_BACKEND_SQLITE;
  o.path = cfg.store_backend == STORE_POSTGRES ? cfg.store_dsn : cfg.store_path;
  log_set_level(LOG_WARN);
  rc = store_open(&o, out);
  if (rc)
    return cli_fail(cmd, "store %s: %s", o.path, cp_strerror(rc));
  return 0;
}

static void print_batch(const struct store_payout_batch *b)
{
  char tx[65] = "-";
  if (b->has_tx)
    hex_encode(tx, b->tx_id, 32);
  printf("%" PRId64 " %-9s total=%" PRIu64 " created=%" PRIu64 " updated=%" PRIu64
         " key=%s tx=%s\n", b->id, state_names[b->state], b->total_amount,
         b->created_at, b->updated_at, b->idempotency_key, tx);
}

static int do_list(struct store *s)
{
  static int64_t ids[LIST_MAX];
  for (int st = STORE_PAYOUT_PLANNED; st <= STORE_PAYOUT_FAILED; st++) {
    size_t n;
    cp_err rc = store_payout_list(s, (enum store_payout_state)st, ids, LIST_MAX, &n);
    if (rc)
      return cli_fail("payouts", "list: %s", cp_strerror(rc));
    for (size_t i = 0; i < n; i++) {
      struct store_payout_batch b;
      rc = store_payout_get(s, ids[i], &b, NULL);
      if (rc)
        return cli_fail("payouts", "batch %" PRId64 ": %s", ids[i], cp_strerror(rc));
      print_batch(&b);
    }
  }
  return 0;
}

static int do_show(struct store *s, int64_t id)
{
  struct store_payout_batch b;
  struct store_payout_line_list l;
  cp_err rc = store_payout_get(s, id, &b, &l);
  if (rc)
    return cli_fail("payouts", "batch %" PRId64 ": %s", id, cp_strerror(rc));
  print_batch(&b);
  for (size_t i = 0; i < l.n; i++) {
    char ph[65], la[65] = "pool";
    hex_encode(ph, l.items[i].puzzle_hash, 32);
    if (l.items[i].has_launcher)
      hex_encode(la, l.items[i].launcher_id, 32);
    else if (!memcmp(l.items[i].puzzle_hash, PAYOUTS_FEE_PH, 32))
      snprintf(la, sizeof la, "blockchain-fee");
    printf("  %s %" PRIu64 " %s\n", ph, l.items[i].amount, la);
  }
  store_payout_line_list_release(&l);
  return 0;
}

static int do_retry(struct store *s, int64_t id, int yes)
{
  struct store_payout_batch b;
  cp_err rc = store_payout_get(s, id, &b, NULL);
  if (rc)
    return cli_fail("payouts", "batch %" PRId64 ": %s", id, cp_strerror(rc));
  if (b.state == STORE_PAYOUT_CONFIRMED)
    return cli_fail("payouts", "batch %" PRId64 " is confirmed: nothing to retry", id);
  if (b.state == STORE_PAYOUT_FAILED) {
    printf("batch %" PRId64 " already failed; its lines are back in the balances "
           "and the next round pays them\n", id);
    return 0;
  }
  if (!yes)
    return cli_fail("payouts", "check in the wallet that key %s was never sent "
                    "(or its transaction will never confirm), then add --yes",
                    b.idempotency_key);
  rc = store_payout_set_state(s, id, STORE_PAYOUT_FAILED, NULL, clock_unix_s());
  if (rc)
    return cli_fail("payouts", "retry %" PRId64 ": %s", id, cp_strerror(rc));
  printf("batch %" PRId64 " failed; the next round re-plans its lines\n", id);
  return 0;
}

int cmd_payouts(int argc, char **argv)
{
  static const char *const flags[] = { "--yes", NULL };
  const char *verb = cli_pos(argc, argv, 0, flags);
  const char *ids = cli_pos(argc, argv, 1, flags);
  struct store *s = NULL;
  uint64_t id = 0;
  int ret;

  if (!verb)
    return usage();
  if (!strcmp(verb, "show") || !strcmp(verb, "retry")) {
    if (!ids || parse_u64_cstr(ids, INT64_MAX, &id))
      return usage();
  } else if (strcmp(verb, "list")) {
    return usage();
  }
  if ((ret = cli__open_store("payouts", argc, argv, &s)))
    return ret;
  if (!strcmp(verb, "list"))
    ret = do_list(s);
  else if (!strcmp(verb, "show"))
    ret = do_show(s, (int64_t)id);
  else
    ret = do_retry(s, (int64_t)id, cli_flag(argc, argv, "--yes"));
  store_close(s);
  return ret;
}
