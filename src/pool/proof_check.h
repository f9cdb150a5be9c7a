/* The proof-of-space part of a partial's checks (pool-protocol.md §5 steps
 * 10-11): chia's verify_and_get_quality_string for v1 proofs, then the
 * pool's iterations rule at the farmer's difficulty. Pure: no I/O. */
#ifndef CP_POOL_PROOF_CHECK_H
#define CP_POOL_PROOF_CHECK_H

#include <stdint.h>

#include "chia/constants.h"
#include "chia/types.h"
#include "pool/protocol.h"

/* Test mode (seed step 6): small plots make partials at difficulty 1. */
#define POOL_TEST_MODE_ITERS_FACTOR 2048u

struct proof_result {
  uint8_t plot_id[32];
  uint8_t quality[32];
  uint64_t required_iters;
  const char *why; /* static text naming the failed rule */
};

/* POOL_OK, POOL_INVALID_PROOF or POOL_PROOF_NOT_GOOD_ENOUGH.
 * challenge_hash: the signage point's cc_vdf challenge (or the end of
 * sub-slot's challenge); height: the height the plot filter is taken at.
 * The pool's eligibility bound is pool_sub_slot_iters / 64. */
enum pool_code proof_check(const struct chia_consts *net, uint64_t pool_sub_slot_iters,
                           const struct chia_pos *pos,
                           const uint8_t challenge_hash[32], const uint8_t sp_hash[32],
                           uint32_t height, uint64_t difficulty,
                           struct proof_result *out);

#endif
