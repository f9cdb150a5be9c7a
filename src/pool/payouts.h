/* The payout engine: turns absorbed rewards into wallet transactions,
 * exactly once, across crashes.
 *
 * Money model. Nothing "undistributed" is stored; it is derived from the
 * ledger so it cannot drift:
 *   undistributed = sum(absorbed rewards' amount - claim_fee)
 *                   - sum(batches not failed) - sum(carried balances)
 * (claim_fee: the absorb's blockchain fee, which the pool wallet paid; see
 * rewards.h).
 * A batch is one wallet transaction; its lines are the outputs (member
 * lines carry the launcher id, the pool fee line does not) plus, when the
 * round pays a blockchain fee, one fee line at PAYOUTS_FEE_PH (32 zero
 * bytes: no one can spend that puzzle hash, so it is never a real output).
 * A failed batch stops counting and the store returns its member lines to
 * their balances; its blockchain fee flows back to undistributed, and its
 * pool fee line is re-planned once by the next round in a batch keyed
 * "payout-refee-<failed batch id>" (the unique key makes that exactly
 * once), so a refused transaction costs the pool nothing.
 *
 * A round (payouts_run_once, every payment_interval):
 *   1. reconcile: every planned batch is looked up in the wallet by its
 *      idempotency key before anything is sent; found -> submitted with
 *      that tx id, "never sent" -> sent now. Submitted batches are polled
 *      to confirmed / failed; failed only when the wallet port is certain
 *      the transaction can never land (a double-spent input, see
 *      payout_wallet_from_node), otherwise it stays submitted and the
 *      operator settles it (`chiapool payouts retry`).
 *   2. plan, only when no batch is left planned: members and their points
 *      for the scheme (PROP and PPS: points since the last payout, then
 *      subtracted; PPLNS: the last pplns_window_points points or
 *      pplns_window_seconds of partials, kept), carried balances,
 *      payout_calc, then ONE store transaction (store_payout_plan_multi)
 *      records every batch, the new balances and the points consumed.
 *   3. send the planned batches (step 1's rules).
 * Exactly once: a batch is sent only if the wallet says it has never seen
 * its key. With a wallet that cannot answer that (find = CP_UNSUPPORTED) a
 * planned batch is sent only by the process that planned it and only once;
 * one found at start-up is held for the operator (`chiapool payouts`). A
 * send whose outcome is unknown (timeout) is never repeated blindly: the
 * next pass asks the wallet.
 *
 * Payouts go to each farmer's latest payout_instructions (hex puzzle hash
 * or address), read when the round is planned. */
#ifndef CP_POOL_PAYOUTS_H
#define CP_POOL_PAYOUTS_H

#include <stddef.h>
#include <stdint.h>

#include "node/wallet.h"
#include "pool/chain.h"
#include "pool/coinhold.h"
#include "pool/config.h"
#include "store/store.h"
#include "util/err.h"

#define PAYOUTS_KEY_PREFIX "payout-"
#define PAYOUTS_WINDOW_PARTIALS_MAX 100000 /* PPLNS: partials read per farmer */

extern const uint8_t PAYOUTS_FEE_PH[32];

enum payout_tx_state {
  PAYOUT_TX_PENDING,
  PAYOUT_TX_CONFIRMED,
  PAYOUT_TX_FAILED,     /* certain never to land: paying the lines again
                           cannot pay anyone twice */
};

/* The pool wallet as the engine sees it (tests supply fakes). */
struct payout_wallet_ops {
  /* One transaction paying pay[0..n) and fee, tagged with key (memo).
   * CP_OK with *tx_id: accepted. CP_TX_FAILED: refused, nothing sent.
   * Anything else: the outcome is unknown. */
  cp_err (*send)(void *ctx, const struct node_payment *pay, size_t n,
                 uint64_t fee, const char *key, uint8_t tx_id[32]);
  /* The transaction sent with key: CP_OK with *tx_id, CP_NOT_FOUND if the
   * wallet never sent one (authoritative), CP_UNSUPPORTED if it cannot
   * tell. */
  cp_err (*find)(void *ctx, const char *key, uint8_t tx_id[32]);
  /* PAYOUT_TX_FAILED only when it is certain never to land (the engine
   * then pays the lines again); when unsure, PAYOUT_TX_PENDING. An error
   * is "could not ask", retried next pass. */
  cp_err (*status)(void *ctx, const uint8_t tx_id[32],
                   enum payout_tx_state *st, uint32_t *height);
  cp_err (*balance)(void *ctx, uint64_t *spendable);
};

struct payout_wallet {
  const struct payout_wallet_ops *ops;
  void *ctx;
};

/* The real wallet (node/wallet.h): memo = idempotency key on every output;
 * find scans the newest WALLET_MAX_TXS records' memos. A wallet RPC error
 * on send is a refusal (CP_TX_FAILED). status() does not trust the
 * wallet's "confirmed" (the Chia wallet sets it as soon as any of the
 * transaction's removals is spent, by whoever spent it) and decides on
 * chain, through chain:
 *   confirmed: every addition of the record exists and the spend is
 *              buried deeper than confirm_threshold blocks (the reference
 *              pool's peak - confirmed height > threshold): confirmed is
 *              final, and a shallow reorg could still take it out;
 *   failed:    a removal is spent, none of the additions exists, and the
 *              spend is buried under confirm_threshold blocks (the same
 *              confirmation_security_threshold as rewards), so the
 *              transaction is a double spend that can never be included;
 *   pending:   anything else, including a record the wallet no longer
 *              knows: its bundle may still sit in some mempool, and
 *              without its removals nothing on chain can rule that out
 *              (`chiapool payouts retry` settles such a batch).
 * The client and the chain are not owned. */
void payout_wallet_from_node(struct payout_wallet *out, struct node_client *wallet,
                             uint32_t wallet_id, const struct chain *chain,
                             uint32_t confirm_threshold);
/* Coins the port's sends must leave alone (excluded_coin_ids): the fee
 * spends of absorbs still in the mempool (pool/coinhold.h). Not owned. */
void payout_wallet_hold_coins(struct payout_wallet *w, struct coinhold *hold);

struct payouts;

struct payouts_options {
  const struct pool_config *cfg; /* must outlive the engine */
  struct store *store;
  struct payout_wallet wallet;
};

/* What one pass did. */
struct payouts_report {
  unsigned planned;     /* batches recorded this pass */
  unsigned sent;        /* accepted by the wallet */
  unsigned found;       /* planned batches the wallet had already sent */
  unsigned confirmed;
  unsigned failed;
  unsigned held;        /* planned, unknown, waiting for the operator */
  unsigned unsettled;   /* planned or submitted after the pass */
  uint64_t round_total; /* funds the plan distributed (0 if none) */
};

/* lifecycle */
cp_err payouts_new(const struct payouts_options *o, struct payouts **out);
void payouts_free(struct payouts *p);

/* One pass (steps 1-3) at wall time now (unix seconds). */
cp_err payouts_run_once(struct payouts *p, uint64_t now, struct payouts_report *r);
/* Step 1 only (also run first by payouts_run_once). */
cp_err payouts_reconcile(struct payouts *p, uint64_t now, struct payouts_report *r);

/* queries */
/* Undistributed funds per the money model above; CP_INVAL if the ledger
 * commits more than was absorbed (*out = 0 then). */
cp_err payouts_undistributed(struct store *s, uint64_t *out);
/* Payout instructions (hex puzzle hash, optional 0x, or a bech32m address
 * of any prefix) to a puzzle hash. */
cp_err payouts_instructions_ph(const char *instr, uint8_t ph[32]);

#endif
