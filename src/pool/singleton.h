/* Following a farmer's plot-NFT singleton through the chain port
 * (pool-protocol.md §7, pool-reference get_singleton_state): from the
 * launcher (a farmer we do not know yet) or from the buried tip we stored,
 * coin by coin to the unspent singleton, reading each spend with the plotnft
 * layer (no CLVM is run: both inner puzzles are fixed code).
 *
 * "Buried" means spent at a height <= peak - confirmation threshold: state
 * changes younger than that may still be reorged away, so the pool stores
 * the buried tip and state, and decides membership from the latest state.
 *
 * Errors: CP_NOT_FOUND for an unknown launcher coin; CP_BAD_SINGLETON when
 * the lineage is not a plot NFT (launcher unspent, a spend we cannot read,
 * a tip whose puzzle hash does not match the latest PoolState);
 * CP_TOO_BIG when the walk needs more than max_steps spends; chain errors
 * (CP_RPC_*, CP_TIMEOUT, CP_NOMEM) pass through unchanged. */
#ifndef CP_POOL_SINGLETON_H
#define CP_POOL_SINGLETON_H

#include <stdbool.h>
#include <stdint.h>

#include "chia/types.h"
#include "plotnft/puzzles.h"
#include "pool/chain.h"

/* Spends walked per call unless the caller says otherwise. A farmer's
 * stored tip is at most one refresh interval behind, so this only limits a
 * first registration: a plot NFT absorbing a reward every hour for a year
 * stays below it, and a hostile lineage cannot keep a request busy long. */
#define SINGLETON_MAX_STEPS 20000u

struct singleton_walk {
  uint32_t peak;                  /* chain height the walk was judged at */
  uint32_t confirm_threshold;     /* confirmation_security_threshold */
  uint32_t max_steps;             /* 0 = SINGLETON_MAX_STEPS */
  const uint8_t *genesis;         /* the network's genesis challenge */
};

struct singleton_result {
  struct plotnft_id id;           /* launcher id and delay parameters */
  struct chia_coin_spend buried_tip;   /* owned: singleton_result_release */
  uint32_t buried_tip_confirmed;  /* confirmed height of buried_tip's coin */
  struct chia_pool_state buried_state;
  struct chia_pool_state latest_state;
  struct chia_coin tip;           /* the unspent singleton coin */
  uint32_t tip_confirmed;         /* height tip was created at */
  uint32_t steps;                 /* spends walked in this call */
};

/* --- queries --- */
/* Peak height from the chain's state (CP_RPC_RESPONSE without a peak). */
cp_err singleton_peak(struct chain *c, uint32_t *peak);

/* Unknown farmer: the launcher coin must exist and be spent; its spend
 * gives the eve coin, the first PoolState and the delay parameters. */
cp_err singleton_follow_launcher(struct chain *c, const uint8_t launcher_id[32],
                                 const struct singleton_walk *w,
                                 struct singleton_result *out);
/* Known farmer: from its stored buried tip (a serialized CoinSpend, the
 * launcher spend or a singleton spend) and stored PoolState. */
cp_err singleton_follow_tip(struct chain *c, const struct plotnft_id *id,
                            const uint8_t *tip, size_t tip_len,
                            const uint8_t *state, size_t state_len,
                            const struct singleton_walk *w,
                            struct singleton_result *out);
void singleton_result_release(struct singleton_result *r);

/* Membership (§7) of a farmer whose latest state is `latest`: our target,
 * our lock height, version 1, not self pooling, and leaving only until more
 * than lock_height blocks have passed since `tip_confirmed`, the height the
 * current singleton coin (the one carrying the LEAVING state) was created.
 * The reference counts from the buried tip's coin instead, which can be far
 * older and would let a farmer out of the pool at once; the waiting room
 * puzzle cannot travel before lock_height blocks after its own coin, so
 * that coin's height is the one the farmer is really bound to. */
bool singleton_is_member(const struct chia_pool_state *latest, uint32_t tip_confirmed,
                         uint32_t peak, const uint8_t target_ph[32],
                         uint32_t lock_height);

#endif
