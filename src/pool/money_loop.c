#include "pool/money_loop.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/wallet.h"
#include "pool/leader.h"
#include "pool/coinhold.h"
#include "pool/payouts.h"
#include "pool/rewards.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

struct money_loop {
  struct money_loop_options o;
  struct rewards *rewards;
  struct rewards_node_fee fee_wallet; /* the rewards engine's fee source */
  struct coinhold *hold;              /* fee coins kept out of payouts */
  struct payouts *payouts;
  int logged_in;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  int stop;
  struct metric *m_found, *m_absorbed, *m_paid_batches, *m_confirmed, *m_claim_fees;
};

static int wallet_ready(struct money_loop *m)
{
  struct node_error e;
  uint32_t fp = 0;
  if (m->logged_in || !m->o.cfg->wallet_fingerprint)
    return 1;
  if (wallet_log_in(m->o.wallet, (uint32_t)m->o.cfg->wallet_fingerprint, &fp, &e)) {
    char why[320];
    node_error_format(&e, why, sizeof why);
    log_warn("money", "wallet_login_failed", "fingerprint=%llu why=\"%s\"",
             (unsigned long long)m->o.cfg->wallet_fingerprint, why);
    return 0;
  }
  m->logged_in = 1;
  return 1;
}

static void collect(struct money_loop *m)
{
  struct rewards_report r;
  cp_err rc;
  memset(&r, 0, sizeof r);
  rc = rewards_run_once(m->rewards, &r);
  metric_add(m->m_found, r.found);
  metric_add(m->m_absorbed, r.absorbed);
  metric_add(m->m_claim_fees, r.claim_fees);
  if (rc)
    log_warn("money", "collect_failed", "err=%s", cp_errname(rc));
  if (r.found || r.pushed || r.absorbed || r.refused || r.orphaned || r.reorgs ||
      r.fee_failed)
    log_info("money", "collect", "peak=%u found=%u pushed=%u refused=%u absorbed=%u "
             "orphaned=%u reorgs=%u claim_fees=%llu fee_failed=%u", r.peak, r.found,
             r.pushed, r.refused, r.absorbed, r.orphaned, r.reorgs,
             (unsigned long long)r.claim_fees, r.fee_failed);
}

static void pay(struct money_loop *m)
{
  struct payouts_report r;
  cp_err rc;
  if (!m->payouts || !wallet_ready(m))
    return;
  memset(&r, 0, sizeof r);
  rc = payouts_run_once(m->payouts, clock_unix_s(), &r);
  metric_add(m->m_paid_batches, r.sent);
  metric_add(m->m_confirmed, r.confirmed);
  if (rc)
    log_warn("money", "payout_failed", "err=%s", cp_errname(rc));
  if (r.planned || r.sent || r.confirmed || r.failed || r.held)
    log_info("money", "payout", "planned=%u sent=%u confirmed=%u failed=%u held=%u "
             "distributed=%llu", r.planned, r.sent, r.confirmed, r.failed, r.held,
             (unsigned long long)r.round_total);
}

static void *loop_main(void *arg)
{
  struct money_loop *m = arg;
  uint64_t next_collect = clock_mono_ms(), next_pay = next_collect;

  pthread_mutex_lock(&m->lock);
  while (!m->stop) {
    uint64_t now = clock_mono_ms(), wait_until;
    struct timespec ts;
    pthread_mutex_unlock(&m->lock);
    if (!leader_is(m->o.leader)) {
      /* a follower: look again in a second, run both once it takes over */
      next_collect = next_pay = now + 1000;
    } else {
      if (now >= next_collect) {
        collect(m);
        next_collect = clock_mono_ms() +
                       (uint64_t)m->o.cfg->collect_pool_rewards_interval * 1000;
      }
      if (now >= next_pay) {
        pay(m);
        next_pay = clock_mono_ms() + (uint64_t)m->o.cfg->payment_interval * 1000;
      }
    }
    wait_until = next_collect < next_pay ? next_collect : next_pay;
    now = clock_mono_ms();
    /* condvar on CLOCK_REALTIME: sleep the remaining interval, capped */
    clock_gettime(CLOCK_REALTIME, &ts);
    {
      uint64_t ms = wait_until > now ? wait_until - now : 0;
      if (ms > 1000)
        ms = 1000;
      ts.tv_sec += (time_t)(ms / 1000);
      ts.tv_nsec += (long)(ms % 1000) * 1000000L;
      if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
      }
    }
    pthread_mutex_lock(&m->lock);
    if (!m->stop)
      pthread_cond_timedwait(&m->wake, &m->lock, &ts);
  }
  pthread_mutex_unlock(&m->lock);
  return NULL;
}

cp_err money_loop_start(const struct money_loop_options *o, struct money_loop **out)
{
  struct money_loop *m;
  struct rewards_options ro;
  cp_err rc;

  *out = NULL;
  if (!o || !o->cfg || !o->net || !o->store || !o->chain.ops)
    return CP_INVAL;
  m = xcalloc(1, sizeof *m);
  m->o = *o;
  pthread_mutex_init(&m->lock, NULL);
  pthread_cond_init(&m->wake, NULL);
  memset(&ro, 0, sizeof ro);
  ro.cfg = o->cfg;
  ro.store = o->store;
  ro.chain = o->chain;
  m->hold = coinhold_new();
  ro.hold = m->hold;
  memcpy(ro.genesis_challenge, o->net->genesis_challenge, 32);
  /* the fee spend's 1-mojo output goes back to the pool target, so it
   * needs one (the rewards engine warns when a fee cannot be paid) */
  if (o->wallet && o->cfg->block_claim_fee && o->cfg->have_default_target) {
    m->fee_wallet.wallet = o->wallet;
    m->fee_wallet.wallet_id = o->cfg->wallet_id;
    memcpy(m->fee_wallet.target_ph, o->cfg->default_target_puzzle_hash, 32);
    rewards_fee_source_from_node(&ro.fee, &m->fee_wallet);
  }
  rc = rewards_new(&ro, &m->rewards);
  if (rc)
    goto fail;
  if (o->wallet) {
    struct payouts_options po;
    memset(&po, 0, sizeof po);
    po.cfg = o->cfg;
    po.store = o->store;
    payout_wallet_from_node(&po.wallet, o->wallet, o->cfg->wallet_id, &m->o.chain,
                            o->cfg->confirmation_security_threshold);
    payout_wallet_hold_coins(&po.wallet, m->hold);
    rc = payouts_new(&po, &m->payouts);
    if (rc)
      goto fail;
  }
  if (o->metrics) {
    m->m_found = metrics_counter(o->metrics, "chiapool_rewards_found_total",
                                 "Pool rewards found at members' p2_singleton puzzle hashes",
                                 NULL, NULL);
    m->m_absorbed = metrics_counter(o->metrics, "chiapool_rewards_absorbed_total",
                                    "Pool rewards absorbed to the target", NULL, NULL);
    m->m_claim_fees = metrics_counter(o->metrics, "chiapool_rewards_claim_fee_mojos_total",
                                      "Blockchain fees in the absorb bundles pushed (mojos)",
                                      NULL, NULL);
    m->m_paid_batches = metrics_counter(o->metrics, "chiapool_payout_batches_sent_total",
                                        "Payout transactions accepted by the wallet",
                                        NULL, NULL);
    m->m_confirmed = metrics_counter(o->metrics, "chiapool_payout_batches_confirmed_total",
                                     "Payout transactions confirmed", NULL, NULL);
  }
  if (o->wallet)
    wallet_ready(m);
  if (pthread_create(&m->thread, NULL, loop_main, m)) {
    rc = CP_INTERNAL;
    goto fail;
  }
  *out = m;
  return CP_OK;
fail:
  rewards_free(m->rewards);
  payouts_free(m->payouts);
  coinhold_free(m->hold);
  pthread_cond_destroy(&m->wake);
  pthread_mutex_destroy(&m->lock);
  free(m);
  return rc;
}

void money_loop_stop(struct money_loop *m)
{
  if (!m)
    return;
  pthread_mutex_lock(&m->lock);
  m->stop = 1;
  pthread_cond_signal(&m->wake);
  pthread_mutex_unlock(&m->lock);
  pthread_join(m->thread, NULL);
  rewards_free(m->rewards);
  payouts_free(m->payouts);
  coinhold_free(m->hold);
  pthread_cond_destroy(&m->wake);
  pthread_mutex_destroy(&m->lock);
  free(m);
}
