/* Payout ledger views for the payout engine: a round's batches recorded in
 * one transaction, the carried balances, and what live batches commit.
 * Sums happen in C with overflow checks (amounts are uint64 bit patterns
 * in signed columns, see store_int.h). */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/xalloc.h"

/* Each plan runs the single-plan operation inside this job's transaction;
 * store__begin nests as a savepoint, so a failing plan undoes the round. */
cp_err store__op_payout_plan_multi(struct store_conn *c, struct store_job *job)
{
  const struct store_payout_plan *plans = job->in.plans.plans;
  size_t n = job->in.plans.n;
  cp_err rc;

  if (!n || n > STORE_PLANS_MAX || !plans || !job->in.plans.ids)
    return CP_INVAL;
  for (size_t i = 0; i < n; i++)
    job->in.plans.ids[i] = 0;
  rc = store__begin(c);
  if (rc)
    return rc;
  for (size_t i = 0; i < n && !rc; i++) {
    struct store_job one = { .kind = STORE_JOB_PAYOUT_PLAN };
    one.in.plan = &plans[i];
    rc = store__op_payout_plan(c, &one);
    if (!rc)
      job->in.plans.ids[i] = one.out.id;
  }
  rc = store__finish(c, rc);
  if (rc)
    for (size_t i = 0; i < n; i++)
      job->in.plans.ids[i] = 0;
  return rc;
}

cp_err store_payout_plan_multi(struct store *s,
                               const struct store_payout_plan *plans, size_t n,
                               int64_t *ids)
{
  struct store_job job = { .kind = STORE_JOB_PAYOUT_PLAN_MULTI };
  job.in.plans.plans = plans;
  job.in.plans.n = n;
  job.in.plans.ids = ids;
  return store__write_sync(s, &job);
}

static cp_err balance_row(struct store_stmt *st, void *item)
{
  struct store_balance *b = item;
  cp_err rc = store__col_fixed(st, 0, b->launcher_id, STORE_HASH_LEN);
  if (!rc)
    b->amount = store__col_u64(st, 1);
  return rc;
}

cp_err store_balance_list(struct store *s, struct store_balance_list *out)
{
  struct store_conn *c;
  struct store_stmt *st;
  cp_err rc;

  out->items = NULL;
  out->n = 0;
  c = store__reader_acquire(s);
  rc = store__prepare(c, STORE_SQL_BALANCE_ALL, &st);
  if (rc)
    goto out;
  {
    void *items = out->items;
    rc = store__collect_rows(st, &items, &out->n, sizeof *out->items, balance_row, NULL);
    out->items = items;
  }
out:
  store__reader_release(s, c);
  if (rc)
    store_balance_list_release(out);
  return rc;
}

void store_balance_list_release(struct store_balance_list *l)
{
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

cp_err store_payout_live_total(struct store *s, uint64_t *total)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  int row;
  cp_err rc;

  *total = 0;
  rc = store__prepare(c, STORE_SQL_BATCH_LIVE_TOTALS, &st);
  if (rc)
    goto out;
  for (;;) {
    uint64_t v;
    rc = st->db->step(st, &row);
    if (rc || !row)
      break;
    v = store__col_u64(st, 0);
    if (v > UINT64_MAX - *total) {
      rc = CP_INVAL;
      break;
    }
    *total += v;
  }
  st->db->reset(st);
out:
  store__reader_release(s, c);
  if (rc)
    *total = 0;
  return rc;
}

cp_err store_payout_find_key(struct store *s, const char *key, int64_t *batch_id)
{
  struct store_conn *c;
  struct store_stmt *st;
  size_t n = key ? strnlen(key, STORE_KEY_MAX + 1) : 0;
  cp_err rc;

  *batch_id = 0;
  if (!n || n > STORE_KEY_MAX)
    return CP_INVAL;
  c = store__reader_acquire(s);
  rc = store__prepare(c, STORE_SQL_BATCH_FIND_KEY, &st);
  if (rc)
    goto out;
  st->db->bind_text(st, 1, key);
  rc = store__step_one(st);
  if (!rc)
    *batch_id = st->db->col_i64(st, 0);
  st->db->reset(st);
out:
  store__reader_release(s, c);
  return rc;
}
