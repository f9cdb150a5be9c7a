#include "pool/proof_check.h"

#include <string.h>

#include "pos/quality.h"
#include "pos/verify.h"

enum pool_code proof_check(const struct chia_consts *net, uint64_t pool_sub_slot_iters,
                           const struct chia_pos *pos,
                           const uint8_t challenge_hash[32], const uint8_t sp_hash[32],
                           uint32_t height, uint64_t difficulty,
                           struct proof_result *out)
{
  uint8_t want_challenge[32];

  memset(out, 0, sizeof *out);
  /* a plot is keyed either to a pool key (solo/old pooling) or to a
   * contract; a partial must use the contract, and never both */
  if (pos->has_pool_public_key == pos->has_pool_contract_puzzle_hash) {
    out->why = "proof must name exactly one of pool_public_key and "
               "pool_contract_puzzle_hash";
    return POOL_INVALID_PROOF;
  }
  if (pos->size < net->min_plot_size || pos->size > net->max_plot_size) {
    out->why = "plot size k is not allowed on this network";
    return POOL_INVALID_PROOF;
  }
  if (pos->has_pool_contract_puzzle_hash)
    pos_plot_id_ph(pos->pool_contract_puzzle_hash, pos->plot_public_key, out->plot_id);
  else
    pos_plot_id_pk(pos->pool_public_key, pos->plot_public_key, out->plot_id);
  pos_challenge(out->plot_id, challenge_hash, sp_hash, want_challenge);
  if (memcmp(want_challenge, pos->challenge, 32)) {
    out->why = "proof challenge does not belong to this signage point";
    return POOL_INVALID_PROOF;
  }
  if (!pos_passes_plot_filter_at(net, height, out->plot_id, challenge_hash, sp_hash)) {
    out->why = "plot does not pass the plot filter";
    return POOL_INVALID_PROOF;
  }
  if (pos_verify(pos->size, out->plot_id, pos->challenge, pos->proof, pos->proof_len,
                 out->quality)) {
    out->why = "proof of space does not verify";
    return POOL_INVALID_PROOF;
  }
  if (pos_required_iters(net->difficulty_constant_factor, out->quality, pos->size,
                         difficulty, sp_hash, &out->required_iters) ||
      !pos_pool_iters_ok(out->required_iters, pool_sub_slot_iters)) {
    out->why = "required iterations not below the pool's limit at this difficulty";
    return POOL_PROOF_NOT_GOOD_ENOUGH;
  }
  return POOL_OK;
}
