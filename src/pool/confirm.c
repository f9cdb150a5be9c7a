/* Delayed confirmation (pool-protocol.md §6): after
 * partial_confirmation_delay a pending partial's signage point must still
 * be in the node's view and not reverted, and its farmer still a member;
 * then the store credits it in one transaction (exactly once: completing
 * an already credited proof is a no-op). Items whose check cannot be made
 * (node or database down) stay claimed in memory and are retried on the
 * next pass; a restart releases the claims, so nothing is lost. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool/leader.h"
#include "pool/partials_int.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

enum verdict { V_CREDIT, V_DROP, V_HOLD };

/* What to do with one pending partial. `why` names a drop's reason. */
static enum verdict judge(struct partials *p, const struct store_pending *it,
                          int *node_down, const char **why)
{
  struct chia_partial_request req;
  struct node_sp_or_eos sp;
  struct store_farmer f;
  int member, p2_ok;
  cp_err rc;

  if (chia_partial_request_parse(it->payload, it->payload_len, &req)) {
    *why = "stored payload does not parse";
    return V_DROP;
  }
  rc = store_farmer_get(p->d.store, it->launcher_id, &f);
  if (rc == CP_NOT_FOUND) {
    *why = "farmer unknown";
    return V_DROP;
  }
  if (rc)
    return V_HOLD;
  member = f.is_pool_member;
  p2_ok = req.payload.proof_of_space.has_pool_contract_puzzle_hash &&
          !memcmp(req.payload.proof_of_space.pool_contract_puzzle_hash,
                  f.p2_singleton_puzzle_hash, 32);
  store_farmer_release(&f);
  if (!member) {
    *why = "farmer is no longer a member";
    return V_DROP;
  }
  if (!p2_ok) {
    *why = "pool contract puzzle hash changed";
    return V_DROP;
  }
  if (*node_down)
    return V_HOLD;
  memset(&sp, 0, sizeof sp);
  rc = p->d.chain->ops->signage_point(p->d.chain->ctx, it->sp_hash,
                                      req.payload.end_of_sub_slot, &sp);
  if (rc == CP_NOT_FOUND) {
    *why = "signage point no longer known";
    return V_DROP;
  }
  if (rc) {
    /* don't ask again for the rest of this pass */
    *node_down = 1;
    log_warn("partials", "confirm_node_unreachable", "err=%s", cp_errname(rc));
    return V_HOLD;
  }
  if (sp.reverted) {
    *why = "signage point reverted";
    return V_DROP;
  }
  return V_CREDIT;
}

static void hold(struct partials *p, struct store_pending *it)
{
  struct store_pending_list *h = &p->held;
  h->items = xrealloc(h->items, (h->n + 1) * sizeof *h->items);
  h->items[h->n++] = *it;
  it->payload = NULL; /* now owned by the held list */
}

/* Resolve one item; returns 1 if it is finished (credited or dropped). */
static int resolve(struct partials *p, struct store_pending *it, uint64_t now,
                   int *node_down, size_t *credited, size_t *dropped)
{
  const char *why = "";
  char ph[65];
  int c = 0;
  cp_err rc;

  hex_encode(ph, it->proof_hash, 32);
  switch (judge(p, it, node_down, &why)) {
  case V_CREDIT:
    rc = store_pending_complete(p->d.store, it->proof_hash, now, &c);
    if (rc == CP_NOT_FOUND)
      return 1; /* dropped by someone else meanwhile */
    if (rc)
      return 0;
    if (c) {
      (*credited)++;
      metric_add(p->m_credited, 1);
      metric_gauge_add(p->m_pending, -1);
    }
    return 1;
  case V_DROP:
    rc = store_pending_drop(p->d.store, it->proof_hash);
    if (rc && rc != CP_NOT_FOUND)
      return 0;
    if (rc == CP_OK) {
      (*dropped)++;
      metric_add(p->m_dropped, 1);
      metric_gauge_add(p->m_pending, -1);
    }
    log_info("partials", "dropped", "proof=%s why=\"%s\"", ph, why);
    return 1;
  case V_HOLD:
    break;
  }
  return 0;
}

cp_err partials_confirm_due(struct partials *p, uint64_t now, size_t *credited,
                            size_t *dropped)
{
  struct store_pending_list list = { 0 }, held;
  size_t cr = 0, dr = 0;
  int node_down = 0;
  cp_err rc = CP_OK;

  if (!p)
    return CP_INVAL;
  pthread_mutex_lock(&p->confirm_lock);
  /* first what earlier passes could not decide */
  held = p->held;
  memset(&p->held, 0, sizeof p->held);
  for (size_t i = 0; i < held.n; i++)
    if (!resolve(p, &held.items[i], now, &node_down, &cr, &dr))
      hold(p, &held.items[i]);
  store_pending_list_release(&held);

  /* with the node down nothing more can be decided: leave the rest
   * unclaimed in the store rather than pull it all into memory */
  while (!node_down) {
    rc = store_pending_claim(p->d.store, now, PARTIALS_CLAIM_BATCH, &list);
    if (rc || list.n == 0)
      break;
    for (size_t i = 0; i < list.n; i++)
      if (!resolve(p, &list.items[i], now, &node_down, &cr, &dr))
        hold(p, &list.items[i]);
    {
      size_t n = list.n;
      store_pending_list_release(&list);
      if (n < PARTIALS_CLAIM_BATCH)
        break;
    }
  }
  store_pending_list_release(&list);
  pthread_mutex_unlock(&p->confirm_lock);
  if (cr || dr)
    log_info("partials", "confirmed", "credited=%zu dropped=%zu", cr, dr);
  if (credited)
    *credited = cr;
  if (dropped)
    *dropped = dr;
  return rc;
}

static void *confirmer_main(void *arg)
{
  struct partials *p = arg;

  pthread_mutex_lock(&p->lock);
  while (!p->confirmer_stop) {
    struct timespec ts;
    pthread_mutex_unlock(&p->lock);
    /* followers only queue: crediting is the leader's */
    if (leader_is(p->d.leader))
      (void)partials_confirm_due(p, clock_unix_s(), NULL, NULL);
    pthread_mutex_lock(&p->lock);
    if (p->confirmer_stop)
      break;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    pthread_cond_timedwait(&p->cond, &p->lock, &ts);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

cp_err partials_start_confirmer(struct partials *p)
{
  if (!p)
    return CP_INVAL;
  pthread_mutex_lock(&p->lock);
  if (p->confirmer_started || p->closing) {
    pthread_mutex_unlock(&p->lock);
    return p->closing ? CP_SHUTDOWN : CP_EXISTS;
  }
  p->confirmer_stop = 0;
  if (pthread_create(&p->confirmer, NULL, confirmer_main, p)) {
    pthread_mutex_unlock(&p->lock);
    return CP_INTERNAL;
  }
  p->confirmer_started = 1;
  pthread_mutex_unlock(&p->lock);
  return CP_OK;
}

void partials__confirm_stop(struct partials *p)
{
  int started;

  pthread_mutex_lock(&p->lock);
  started = p->confirmer_started;
  p->confirmer_stop = 1;
  p->confirmer_started = 0;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->lock);
  if (started)
    pthread_join(p->confirmer, NULL);
}

void partials__confirm_release(struct partials *p)
{
  store_pending_list_release(&p->held);
}
