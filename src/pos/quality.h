/* Chia-level proof-of-space wrappers (chia-blockchain
 * chia/types/blockchain_format/proof_of_space.py, chia/consensus/
 * pot_iterations.py, pos_quality.py): plot id, plot filter, PoS challenge,
 * required iterations, and the pool's eligibility bound. All hashes are
 * SHA-256 (Chia's std_hash). */
#ifndef CP_POS_QUALITY_H
#define CP_POS_QUALITY_H

#include <stdint.h>

#include "chia/constants.h"
#include "util/err.h"

#define POS_G1_LEN 48 /* compressed BLS G1 public key */

/* queries: plot id */
/* sha256(pool_public_key || plot_public_key) (pool-key plots) */
void pos_plot_id_pk(const uint8_t pool_pk[POS_G1_LEN],
                    const uint8_t plot_pk[POS_G1_LEN], uint8_t out[32]);
/* sha256(pool_contract_puzzle_hash || plot_public_key) (plot-NFT plots) */
void pos_plot_id_ph(const uint8_t pool_ph[32],
                    const uint8_t plot_pk[POS_G1_LEN], uint8_t out[32]);

/* queries: filter and challenge */
/* sha256(plot_id || challenge_hash || sp_hash) */
void pos_plot_filter_input(const uint8_t plot_id[32],
                           const uint8_t challenge_hash[32],
                           const uint8_t sp_hash[32], uint8_t out[32]);
/* 1 iff the first zero_bits bits of the filter input are all zero (0 bits:
 * always passes; more than 256 behaves as 256). */
int pos_passes_plot_filter(const uint8_t plot_id[32],
                           const uint8_t challenge_hash[32],
                           const uint8_t sp_hash[32], unsigned zero_bits);
/* Same, with the zero-bit count of the network's schedule at this height. */
int pos_passes_plot_filter_at(const struct chia_consts *c, uint32_t height,
                              const uint8_t plot_id[32],
                              const uint8_t challenge_hash[32],
                              const uint8_t sp_hash[32]);
/* calculate_pos_challenge: sha256(filter input); a block's / partial's
 * ProofOfSpace.challenge must equal it. */
void pos_challenge(const uint8_t plot_id[32], const uint8_t challenge_hash[32],
                   const uint8_t sp_hash[32], uint8_t out[32]);

/* queries: iterations */
/* (2k + 1) * 2^(k-1); CP-free because every k <= 50 fits (< 2^57). Returns 0
 * for k outside 1..50. */
uint64_t pos_expected_plot_size(unsigned k);
/* calculate_iterations_quality, exact (no floating point):
 *   sp_quality = sha256(quality || sp_hash) as a 256-bit big-endian integer,
 *   iters = difficulty * dcf * sp_quality // (2^256 * expected_plot_size(k)),
 *   then max(iters, 1).
 * CP_BAD_K for k outside 18..50; CP_BAD_NUMBER if iters does not fit a
 * uint64 (chia's uint64() raises there). */
cp_err pos_required_iters(unsigned __int128 difficulty_constant_factor,
                          const uint8_t quality[32], unsigned k,
                          uint64_t difficulty, const uint8_t sp_hash[32],
                          uint64_t *iters);
/* The pool's rule: a partial counts iff required_iters is below one signage
 * point interval of the pool's sub-slot, pool_sub_slot_iters / 64. */
int pos_pool_iters_ok(uint64_t required_iters, uint64_t pool_sub_slot_iters);

#endif
