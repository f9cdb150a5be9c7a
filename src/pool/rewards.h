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
 * Blockchain fee: block_claim_fee needs a spend signed by the pool wallet
 * added to the bundle; the wallet RPC cannot sign such a spend, so absorbs
 * are sent without a fee (the supported path) and a configured fee is
 * logged once and ignored. */
#ifndef CP_POOL_REWARDS_H
#define CP_POOL_REWARDS_H

#include <stddef.h>
#include <stdint.h>

#include "pool/chain.h"
#include "pool/config.h"
#include "store/store.h"
#include "util/err.h"

#define REWARDS_REORG_DEPTH 32   /* blocks rolled back on a cursor mismatch */
#define REWARDS_PH_BATCH 100     /* puzzle hashes per coin query */
#define REWARDS_RETRY_BLOCKS 10  /* before a pending absorb is re-examined */

struct rewards;

struct rewards_options {
  const struct pool_config *cfg; /* must outlive the engine */
  struct store *store;
  struct chain chain;
  uint8_t genesis_challenge[32];
};

struct rewards_report {
  uint32_t peak;
  uint32_t scanned_to;
  unsigned reorgs;
  uint64_t rolled_back;  /* rewards dropped by reorgs */
  unsigned found;        /* new rewards recorded */
  unsigned pushed;       /* absorb bundles pushed */
  unsigned refused;
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
