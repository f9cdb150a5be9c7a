/* Absorbing pool rewards: the coin spends that move a reward coin, sitting
 * at a plot NFT's p2_singleton address, to the pool's target puzzle hash.
 * Byte-identical to chia's create_absorb_spend (pool_puzzles.py), chained
 * like pool-reference's create_absorb_transaction.
 *
 * Each reward takes two spends: the singleton (its inner puzzle absorbs and
 * recreates it) and the reward coin (p2_singleton, released by the
 * singleton's puzzle announcement). They assert each other's announcements,
 * so neither can be spent alone, and nothing is signed: the bundle's
 * aggregated signature is the G2 identity. N rewards take N chained
 * singleton spends; each absorb spends the singleton the previous one made.
 *
 * Fees: the absorb pays the whole reward to the target and reserves nothing.
 * A fee comes from a third spend out of the pool's own wallet, added to the
 * same bundle: a standard wallet coin whose delegated puzzle creates its
 * change, reserves the fee and asserts plotnft_absorb_fee_announcement() of
 * one absorbed reward coin, so it cannot be replayed without this absorb
 * (pool-reference does the same). plotnft_absorb_fee_conditions() gives
 * that condition list; wrapping it in the wallet's puzzle and signing it
 * (AGG_SIG_ME; the signature then is the bundle's aggregate) is the
 * wallet's job, not this module's. */
#ifndef CP_PLOTNFT_ABSORB_H
#define CP_PLOTNFT_ABSORB_H

#include <stddef.h>
#include <stdint.h>

#include "chia/types.h"
#include "plotnft/state.h"
#include "util/err.h"

/* One bundle absorbs at most this many rewards. Each costs ~38M (clvm.md
 * §6), so 100 stays well inside the mempool's 5.5e9 per-bundle budget;
 * pool-reference has no cap and leaves a TODO about it. */
#define PLOTNFT_ABSORB_MAX 100

/* A pool reward coin, as found by puzzle hash: the height it was farmed at
 * (its parent id is pool_parent_id(height)) and its amount. */
struct plotnft_reward {
  uint32_t height;
  uint64_t amount;
};

/* The singleton to absorb with: its identity, current PoolState and
 * unspent coin, and the lineage proof for that coin (plotnft_follow gives
 * all of it). */
struct plotnft_absorb_in {
  struct plotnft_id id;
  uint8_t genesis_challenge[32];
  struct chia_pool_state state;
  struct chia_coin singleton;
  struct plotnft_lineage lineage;
};

/* Where the singleton is after the absorbs (for the next bundle). */
struct plotnft_absorb_out {
  struct chia_coin singleton;
  struct plotnft_lineage lineage;
};

/* The absorb input for the tip a lineage walk found. */
void plotnft_absorb_in_from_tip(const struct plotnft_tip *tip,
                                const uint8_t genesis_challenge[32],
                                struct plotnft_absorb_in *in);

/* Reading a coin found at the p2_singleton address as a pool reward: its
 * parent must be pool_parent_id(height) (genesis prefix, then the height as
 * 16 bytes big-endian) for a height that fits 32 bits. CP_NOT_FOUND for
 * any other coin (payments anyone can send to the address; farmer reward
 * coins), which the singleton cannot absorb. */
cp_err plotnft_reward_from_coin(const struct chia_coin *coin,
                                const uint8_t genesis_challenge[32],
                                struct plotnft_reward *r);

/* Reward coin of a height/amount at this plot NFT's p2_singleton address;
 * its id is what the absorb announces. */
void plotnft_reward_coin(const struct plotnft_absorb_in *in,
                         const struct plotnft_reward *r,
                         struct chia_coin *coin, uint8_t id[32]);

/* Build 2*n spends (singleton, reward; singleton, reward; ...) into
 * spends[0 .. 2n). CP_INVAL if n is 0 or above PLOTNFT_ABSORB_MAX, if the
 * singleton's puzzle hash does not match the PoolState, or if an amount is
 * 0 or odd (the singleton layer would take an odd one for the singleton
 * itself and the spend would fail). On failure nothing is left allocated.
 * Release each spend with chia_coin_spend_release(). */
cp_err plotnft_absorb_spends(const struct plotnft_absorb_in *in,
                             const struct plotnft_reward *rewards, size_t n,
                             struct chia_coin_spend *spends,
                             struct plotnft_absorb_out *after);

/* The same as a spend bundle with the identity signature; release with
 * chia_spend_bundle_release(). */
cp_err plotnft_absorb_bundle(const struct plotnft_absorb_in *in,
                             const struct plotnft_reward *rewards, size_t n,
                             struct chia_spend_bundle *sb,
                             struct plotnft_absorb_out *after);

/* Announcement id a fee-paying spend asserts (ASSERT_COIN_ANNOUNCEMENT) to
 * join an absorb: sha256(reward_coin_id || "$"). */
void plotnft_absorb_fee_announcement(const uint8_t reward_coin_id[32],
                                     uint8_t out[32]);

/* The condition list a fee-paying wallet spend emits (what its delegated
 * puzzle `(q . LIST)` returns), serialized into out:
 *   ((ASSERT_COIN_ANNOUNCEMENT ann) (CREATE_COIN change_ph change)
 *    (RESERVE_FEE fee))
 * with ann from plotnft_absorb_fee_announcement; the change coin is left
 * out when change is 0. The wallet coin must hold change + fee; wrapping
 * the list in its puzzle and signing (AGG_SIG_ME over the delegated
 * puzzle's hash) is the wallet's job. CP_INVAL if fee is 0. */
cp_err plotnft_absorb_fee_conditions(const uint8_t reward_coin_id[32],
                                     const uint8_t change_ph[32],
                                     uint64_t change, uint64_t fee,
                                     struct buf *out);

#endif
