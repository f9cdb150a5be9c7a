/* Pool rewards: finding them on chain and absorbing them into the pool
 * wallet (pool-reference collect_pool_rewards_loop, as a state machine in
 * the store so a restart or a reorg loses and doubles nothing).
 *
 * Scan (rewards_scan): from the persisted chain cursor (or
 * scan_start_height) to the peak. The cursor's header hash is checked
 * first; if the node's block at that height differs, a reorg happened: the
 * cursor moves back REWARDS_REORG_DEPTH blocks (never below a reward that
 * is already absorbing or absorbed) with store_chain_rollback, which drops
 * the rewards found above it, and the range is scanned again. Reward coins
 * are the coins at members' p2_singleton addresses whose parent is a pool
 * reward parent id (plotnft_reward_from_coin); each is recorded once
 * (state found) with the farmer that won it. Coins at the address of a
 * farmer that is not a member are the owner's to claim, not ours.
 *
 * Absorb (rewards_absorb): found rewards buried under
 * confirmation_security_threshold blocks are absorbed per farmer, up to
 * PLOTNFT_ABSORB_MAX per bundle: follow the singleton to its tip, check it
 * still pays the pool's target (member, or leaving through the waiting
 * room, which accepts absorbs too), build the bundle, record every reward
 * as absorbing with the bundle's id BEFORE pushing it, then push. An
 * absorbing reward is never rebuilt while its bundle may still land:
 *   - its coin is spent                      -> absorbed
 *   - the node refused the bundle            -> found again (retried)
 *   - unspent after REWARDS_RETRY_BLOCKS     -> rebuilt against the current
 *     tip: the same bundle id means nothing moved (pushed again, the same
 *     spend); another id means the singleton moved, so the old bundle spent
 *     a coin that no longer exists and can never land.
 * A found reward whose coin is gone without our absorb (or never existed
 * on the current chain) becomes orphaned.
 *
 * Blockchain fee (pool-reference create_absorb_transaction): the absorb
 * spends put nothing aside for a fee, so with block_claim_fee > 0 the pool
 * wallet adds a spend of its own (rewards_fee_source) paying
 * block_claim_fee per absorbed reward, capped at the reward's amount (the
 * config already refuses more than the smallest pool reward), with one
 * output of 1 mojo to the pool target and an ASSERT_COIN_ANNOUNCEMENT of
 * every reward coin's "$": the wallet's spend is valid only next to the
 * absorb, so the fee cannot be taken without the reward landing. The two
 * are pushed as one bundle (spends concatenated, signatures aggregated).
 * The tracked id stays the hash of the absorb spends alone: the wallet's
 * coin choice changes the whole bundle's hash, not whether the singleton
 * moved. Each reward records its share of the fee (claim_fee) with the
 * absorbing state, before the push, and keeps it if the node refuses (a
 * refused push may still be in a mempool and land); payouts count
 * amount - claim_fee. When the wallet cannot sign (error, not enough
 * coins) nothing is pushed: the rewards stay as they are, a warning says
 * why, and the next pass tries again. Without a fee source (no wallet) a
 * configured fee cannot be paid: absorbs go out without one (claim_fee 0)
 * and a warning says so once. */
#ifndef CP_POOL_REWARDS_H
#define CP_POOL_REWARDS_H

#include <stddef.h>
#include <stdint.h>

#include "chia/types.h"
#include "node/rpc.h"
#include "pool/chain.h"
#include "pool/coinhold.h"
#include "pool/config.h"
#include "store/store.h"
#include "util/err.h"

#define REWARDS_REORG_DEPTH 32   /* blocks rolled back on a cursor mismatch */
#define REWARDS_PH_BATCH 100     /* puzzle hashes per coin query */
#define REWARDS_RETRY_BLOCKS 10  /* before a pending absorb is re-examined */
#define REWARDS_FEE_COINS_MAX 64 /* wallet coins held per fee spend */
#define REWARDS_HOLD_SECONDS 3600 /* a fee coin is held from payouts at most */

struct rewards;

/* The pool wallet's fee spend for one absorb bundle: a signed, unpushed
 * spend bundle paying `fee` and asserting the coin announcement "$" of
 * each reward coin id (the absorb makes them). why (>= 1 byte) gets a
 * reason on failure; *out is the engine's to release. */
struct rewards_fee_source {
  cp_err (*sign)(void *ctx, uint64_t fee, const uint8_t (*reward_coin_ids)[32], size_t n,
                 struct chia_spend_bundle *out, char *why, size_t whylen);
  void *ctx;
};

/* The real wallet (node/wallet.h create_signed_transaction), one 1-mojo
 * output to target_ph; the caller keeps this alive while the engine runs. */
struct rewards_node_fee {
  struct node_client *wallet;  /* not owned */
  uint32_t wallet_id;
  uint8_t target_ph[32];
};
void rewards_fee_source_from_node(struct rewards_fee_source *out, struct rewards_node_fee *ctx);

struct rewards_options {
  const struct pool_config *cfg; /* must outlive the engine */
  struct store *store;
  struct chain chain;
  uint8_t genesis_challenge[32];
  struct rewards_fee_source fee; /* sign NULL: no wallet, no fee */
  /* Where a pushed absorb's fee-spend coins are held out of payouts until
   * it lands or is refused (pool/coinhold.h); NULL: not held. */
  struct coinhold *hold;
};

struct rewards_report {
  uint32_t peak;
  uint32_t scanned_to;
  unsigned reorgs;
  uint64_t rolled_back;  /* rewards dropped by reorgs */
  unsigned found;        /* new rewards recorded */
  unsigned pushed;       /* absorb bundles pushed */
  unsigned refused;
  unsigned fee_failed;   /* bundles held back: the wallet could not pay */
  uint64_t claim_fees;   /* blockchain fees in the bundles pushed */
  unsigned absorbed;     /* rewards that reached absorbed */
  unsigned orphaned;
};

/* lifecycle */
cp_err rewards_new(const struct rewards_options *o, struct rewards **out);
void rewards_free(struct rewards *r);

/* One scan pass: reorg check, then cursor..peak. */
cp_err rewards_scan(struct rewards *r, struct rewards_report *rep);
/* One absorb pass over found and absorbing rewards. */
cp_err rewards_absorb(struct rewards *r, struct rewards_report *rep);
/* Both, as the collect loop runs them every collect_pool_rewards_interval:
 * the absorb pass runs even when the scan failed (it needs no cursor). */
cp_err rewards_run_once(struct rewards *r, struct rewards_report *rep);

#endif
