/* Consensus constants per network, looked up by name: "mainnet",
 * "testnet11", "simulator".
 *
 * Sources: chia/consensus/default_constants.py (mainnet), the testnet11
 * overrides in chia/util/initial-config.yaml (mirrored in chia_rs'
 * TESTNET11 constants), docs/plotnft.md §4, docs/pool-protocol.md §5.
 *
 * simulator: our own local network for the demo and e2e tests. It is
 * testnet11 with
 *   - genesis_challenge = sha256("chiapool simulator") (ASCII, no NUL),
 *     so its signatures and coin ids can never be replayed on a real chain;
 *     agg_sig_me_additional_data = the same value, as on testnet11;
 *   - a constant 2-bit plot filter (1 plot in 4 passes per signage point):
 *     a demo farm is a handful of k18 plots, and 9 bits would leave it
 *     without a partial for many minutes, while 0 bits would never exercise
 *     the filter check; 2 bits gives partials every few signage points and
 *     still rejects proofs that fail the filter. No filter reductions. */
#ifndef CP_CHIA_CONSTANTS_H
#define CP_CHIA_CONSTANTS_H

#include <stdint.h>

#include "chia/streamable.h"
#include "util/err.h"

/* AGG_SIG_* condition opcodes whose additional data is
 * sha256(agg_sig_me_additional_data || opcode). */
enum chia_agg_sig {
  CHIA_AGG_SIG_PARENT = 43,
  CHIA_AGG_SIG_PUZZLE = 44,
  CHIA_AGG_SIG_AMOUNT = 45,
  CHIA_AGG_SIG_PUZZLE_AMOUNT = 46,
  CHIA_AGG_SIG_PARENT_AMOUNT = 47,
  CHIA_AGG_SIG_PARENT_PUZZLE = 48,
  CHIA_AGG_SIG_ME = 50
};

struct chia_consts {
  const char *name;
  const char *address_prefix; /* "xch" / "txch" */
  uint8_t genesis_challenge[32];
  uint8_t agg_sig_me_additional_data[32];
  uint8_t min_plot_size; /* v1 k */
  uint8_t max_plot_size;
  /* plot filter: number_zero_bits at genesis, minus one at each height */
  uint8_t plot_filter_bits;
  uint32_t hard_fork_height;
  uint32_t plot_filter_128_height;
  uint32_t plot_filter_64_height;
  uint32_t plot_filter_32_height;
  uint64_t pool_sub_slot_iters;
  chia_u128 difficulty_constant_factor;
  uint32_t num_sps_sub_slot;
  uint32_t sub_slot_time_target; /* seconds */
  uint64_t sub_slot_iters_starting;
  uint64_t difficulty_starting;
  uint64_t max_block_cost_clvm;
  uint32_t blocks_per_year; /* reward halving period unit (x3) */
};

/* NULL when the name is unknown. */
const struct chia_consts *consts_get(const char *name);
/* NULL-terminated list of every network. */
extern const struct chia_consts *const consts_all[];

/* Zero bits the v1 plot filter demands at this height. */
unsigned consts_plot_filter_bits(const struct chia_consts *c, uint32_t height);
/* Additional data for an AGG_SIG_* opcode (43..48, 50); CP_INVAL else. */
cp_err consts_agg_sig_data(const struct chia_consts *c, enum chia_agg_sig op,
                           uint8_t out[32]);
/* Pool reward coin parent prefix: genesis[0..16] || 16 zero bytes. */
void consts_pool_reward_prefix(const struct chia_consts *c, uint8_t out[32]);

#endif
