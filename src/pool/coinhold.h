/* Wallet coins spoken for by a pushed but unconfirmed bundle.
 *
 * Why: the absorb fee spend is signed with push=false (the reference pool
 * does the same), so the wallet does not know its coin is taken. A payout
 * sent while that absorb waits in the mempool could pick the same coin and
 * be refused as a double spend, failing the batch and delaying the round
 * by a whole payment_interval. The rewards engine holds the fee spend's
 * coins here until its absorb lands or is refused; the payout wallet port
 * passes them to the wallet as excluded_coin_ids.
 *
 * Holds live in memory only: after a restart a collision is still
 * possible, and safe (the batch is refused, refunded and re-planned). Each
 * hold also expires, so a bundle forgotten by every code path cannot keep
 * a coin out of payouts forever. Thread-safe. */
#ifndef CP_POOL_COINHOLD_H
#define CP_POOL_COINHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define COINHOLD_MAX_COINS 1000 /* per wallet send: bounds the request */

struct coinhold;

struct coinhold *coinhold_new(void);
void coinhold_free(struct coinhold *h);

/* Hold coins[0..n) under key (a bundle id) until `expires` (unix s);
 * replaces what key held before. */
void coinhold_put(struct coinhold *h, const uint8_t key[32], const uint8_t (*coins)[32],
                  size_t n, uint64_t expires);
void coinhold_drop(struct coinhold *h, const uint8_t key[32]);
/* Coins held at `now` (expired holds are dropped), at most
 * COINHOLD_MAX_COINS; *out (malloc'd, NULL when none) is the caller's. */
cp_err coinhold_list(struct coinhold *h, uint64_t now, uint8_t (**out)[32], size_t *n);

#endif
