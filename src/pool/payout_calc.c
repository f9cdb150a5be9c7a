#include "pool/payout_calc.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void payout_plan_release(struct payout_plan *plan)
{
  free(plan->earned);
  free(plan->paid_to);
  free(plan->new_balance);
  free(plan->outputs);
  memset(plan, 0, sizeof *plan);
}

static const struct payout_member *sort_base;

static int by_puzzle_hash(const void *a, const void *b)
{
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  int c = memcmp(sort_base[i].puzzle_hash, sort_base[j].puzzle_hash, 32);
  if (c)
    return c;
  return i < j ? -1 : i > j; /* stable: the member order decides ties */
}

/* Given each member's earnings, settle dues against min_payout and build the
 * merged outputs (pool fee first when pool_fee > 0). */
static cp_err settle(const struct payout_member *m, size_t n, const struct payout_params *p,
                     uint64_t pool_fee, struct payout_plan *out)
{
  size_t *order = NULL;
  size_t no = 0;

  out->paid = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned __int128 due = (unsigned __int128)m[i].balance + out->earned[i];
    if (due > UINT64_MAX)
      return CP_BAD_NUMBER;
    if (due > 0 && due >= p->min_payout) {
      out->paid_to[i] = (uint64_t)due;
      out->new_balance[i] = 0;
      if (out->paid + (uint64_t)due < out->paid)
        return CP_BAD_NUMBER;
      out->paid += (uint64_t)due;
    } else {
      out->paid_to[i] = 0;
      out->new_balance[i] = (uint64_t)due;
    }
  }

  free(out->outputs);
  out->outputs = xcalloc(n + 1, sizeof *out->outputs);
  if (pool_fee) {
    memcpy(out->outputs[0].puzzle_hash, p->pool_fee_puzzle_hash, 32);
    out->outputs[0].amount = pool_fee;
    no = 1;
  }
  /* qsort has no context argument in C11; the comparator reads sort_base.
   * Planning runs on one thread (the payout loop), so this is safe. */
  order = xcalloc(n ? n : 1, sizeof *order);
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  sort_base = m;
  qsort(order, n, sizeof *order, by_puzzle_hash);
  for (size_t k = 0; k < n; k++) {
    size_t i = order[k];
    if (!out->paid_to[i])
      continue;
    if (no > (pool_fee ? 1u : 0u) &&
        !memcmp(out->outputs[no - 1].puzzle_hash, m[i].puzzle_hash, 32)) {
      out->outputs[no - 1].amount += out->paid_to[i]; /* bounded by paid */
      continue;
    }
    memcpy(out->outputs[no].puzzle_hash, m[i].puzzle_hash, 32);
    out->outputs[no].amount = out->paid_to[i];
    no++;
  }
  free(order);
  for (size_t k = 0; k < no; k++)
    out->outputs[k].tx = (uint32_t)(k / p->max_additions);
  out->noutputs = no;
  out->ntx = (uint32_t)((no + p->max_additions - 1) / p->max_additions);
  return CP_OK;
}

static cp_err plan_alloc(size_t n, struct payout_plan *out)
{
  memset(out, 0, sizeof *out);
  out->earned = xcalloc(n ? n : 1, sizeof *out->earned);
  out->paid_to = xcalloc(n ? n : 1, sizeof *out->paid_to);
  out->new_balance = xcalloc(n ? n : 1, sizeof *out->new_balance);
  return CP_OK;
}

cp_err payout_plan_shares(const struct payout_member *m, size_t n, uint64_t total,
                          const struct payout_params *p, struct payout_plan *out)
{
  unsigned __int128 total_points = 0;
  uint64_t pool_fee;
  cp_err rc;

  if (!p || p->max_additions < 2 || p->fee_ppm > 1000000)
    return CP_INVAL;
  plan_alloc(n, out);
  for (size_t i = 0; i < n; i++)
    total_points += m[i].points;
  pool_fee = (uint64_t)((unsigned __int128)total * p->fee_ppm / 1000000);
  out->total = total;
  out->pool_fee = pool_fee;

  /* The blockchain fee depends on how many transactions the outputs need,
   * and the outputs depend on the fee (a smaller share may fall below
   * min_payout). Try fee budgets for 0, 1, 2... transactions and take the
   * first one that covers the transactions the plan really needs. */
  for (uint64_t budget = 0;; budget++) {
    unsigned __int128 fee = (unsigned __int128)budget * p->fee_per_tx;
    uint64_t dist, mpp = 0, shared = 0;
    if (fee > UINT64_MAX || (unsigned __int128)pool_fee + fee > total) {
      rc = CP_BAD_NUMBER;
      goto fail;
    }
    dist = total - pool_fee - (uint64_t)fee;
    if (total_points)
      mpp = (uint64_t)(dist / total_points);
    for (size_t i = 0; i < n; i++) {
      out->earned[i] = (uint64_t)((unsigned __int128)m[i].points * mpp);
      shared += out->earned[i]; /* <= dist by construction */
    }
    rc = settle(m, n, p, pool_fee, out);
    if (rc)
      goto fail;
    if (out->ntx <= budget || budget > n + 1) {
      out->mojo_per_point = mpp;
      out->blockchain_fee = out->ntx * p->fee_per_tx;
      /* any unused fee budget goes back to the pool with the remainder */
      out->remainder = total - pool_fee - out->blockchain_fee - shared;
      return CP_OK;
    }
  }
fail:
  payout_plan_release(out);
  return rc;
}

cp_err payout_plan_pps(const struct payout_member *m, size_t n, uint64_t funds,
                       const struct payout_params *p, struct payout_plan *out)
{
  unsigned __int128 cost;
  cp_err rc;

  if (!p || p->max_additions < 2)
    return CP_INVAL;
  plan_alloc(n, out);
  out->total = funds;
  for (size_t i = 0; i < n; i++) {
    unsigned __int128 c = (unsigned __int128)m[i].points * p->pps_rate;
    if (c > UINT64_MAX) {
      rc = CP_BAD_NUMBER;
      goto fail;
    }
    out->earned[i] = (uint64_t)c;
  }
  rc = settle(m, n, p, 0, out);
  if (rc)
    goto fail;
  out->blockchain_fee = out->ntx * p->fee_per_tx;
  cost = (unsigned __int128)out->paid + out->blockchain_fee;
  if (cost > funds) {
    rc = CP_BAD_NUMBER;
    goto fail;
  }
  out->mojo_per_point = p->pps_rate;
  out->remainder = funds - (uint64_t)cost;
  return CP_OK;
fail:
  payout_plan_release(out);
  return rc;
}
