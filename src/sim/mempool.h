/* Spend-bundle validation as a full node does it for mempool entry
 * (chia mempool_manager.py + chia_rs run_spendbundle / validate_conditions
 * / check_time_locks; docs/clvm.md §5):
 *
 *  - at most 6000 spends, no coin spent twice in the bundle;
 *  - byte cost + execution cost + condition cost <= max_block_cost / 2;
 *  - every puzzle reveal hashes to its coin's puzzle hash, runs in mempool
 *    mode on its solution, and returns a strictly valid condition list;
 *  - ASSERT_MY_*, announcements, concurrent spend/puzzle, ephemeral;
 *  - no minting (outputs <= inputs), fee >= the sum of RESERVE_FEE;
 *  - each removal exists unspent on chain (or is created by the bundle);
 *  - time locks against the peak (absolute) or the coin (relative);
 *  - the aggregated signature over every AGG_SIG_* (pk, msg || suffix).
 *
 * SEND_MESSAGE / RECEIVE_MESSAGE are refused: none of the puzzles the pool
 * and its farmers use emit them, and a half-checked message would accept
 * bundles a node refuses.
 *
 * Refusals carry the node's Err name (chia/util/errors.py), e.g.
 * "DOUBLE_SPEND", "BAD_AGGREGATE_SIGNATURE", which node_rpc reports the
 * way the real node does. */
#ifndef CP_SIM_MEMPOOL_H
#define CP_SIM_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chia/constants.h"
#include "chia/types.h"
#include "util/err.h"

#define SIM_MAX_SPENDS 6000
#define SIM_COST_PER_BYTE 12000u

/* A coin as the simulated chain records it. */
struct sim_coin_record {
  struct chia_coin coin;
  uint8_t id[32];
  uint32_t confirmed_height;
  uint32_t spent_height;      /* 0 while unspent */
  bool coinbase;
  uint64_t timestamp;         /* of the block that created it */
};

/* What validation needs from the chain. The coin callback returns
 * CP_NOT_FOUND for an unknown coin. */
struct sim_view {
  const struct chia_consts *net;
  uint32_t peak_height;
  uint64_t peak_timestamp;    /* unix seconds */
  cp_err (*coin)(void *ctx, const uint8_t id[32], struct sim_coin_record *out);
  void *ctx;
};

/* A validated bundle and what it does to the coin set. */
struct sim_tx {
  uint8_t name[32];                 /* spend bundle hash */
  struct chia_spend_bundle sb;      /* owned copy */
  uint64_t cost;
  uint64_t fee;
  struct chia_coin *additions;
  size_t n_additions;
  uint8_t (*removals)[32];          /* coin ids, in spend order */
  size_t n_removals;
};

/* Validate sb against view. On CP_OK *tx is filled (release it with
 * sim_tx_release). On CP_TX_FAILED *why is the node's Err name (static
 * text); CP_NOMEM or CP_INTERNAL on local failures. */
cp_err sim_tx_check(const struct chia_spend_bundle *sb, const struct sim_view *view,
                    struct sim_tx *tx, const char **why);
void sim_tx_release(struct sim_tx *tx);

/* 1 if the two validated bundles spend a common coin. */
int sim_tx_conflicts(const struct sim_tx *a, const struct sim_tx *b);

#endif
