/* The pool's money loop: one thread that runs the reward collector
 * (rewards.h: find rewards, absorb them) every collect_pool_rewards_interval
 * and the payout engine (payouts.h) every payment_interval, as the
 * reference pool's collect and payment loops do. Both engines are
 * idempotent and crash-safe on their own; this module only schedules them,
 * so a slow node delays a pass but never overlaps two. */
#ifndef CP_POOL_MONEY_LOOP_H
#define CP_POOL_MONEY_LOOP_H

#include "chia/constants.h"
#include "node/rpc.h"
#include "pool/chain.h"
#include "pool/config.h"
#include "store/store.h"
#include "util/metrics.h"

struct money_loop;

struct money_loop_options {
  const struct pool_config *cfg;  /* must outlive the loop */
  const struct chia_consts *net;
  struct store *store;
  struct chain chain;
  struct node_client *wallet;     /* NULL: rewards only, no payouts */
  struct metrics *metrics;        /* may be NULL */
  struct leader *leader;          /* NULL: always run (one front end) */
};

/* lifecycle */
/* Logs the wallet in (cfg->wallet_fingerprint, if set) and starts the
 * thread; a failed login is logged and retried before each payout pass. */
cp_err money_loop_start(const struct money_loop_options *o, struct money_loop **out);
/* Stops after the pass in progress, joins, frees. */
void money_loop_stop(struct money_loop *m);

#endif
