/* The absorb fee paid by the real pool wallet (see rewards.h). */
#include <string.h>

#include "node/wallet.h"
#include "plotnft/absorb.h"
#include "pool/rewards.h"

/* The reward coin's announcement message, as the absorb makes it. */
static const uint8_t reward_ann_msg[] = { '$' };

static cp_err node_sign(void *ctx, uint64_t fee, const uint8_t (*ids)[32], size_t n,
                        struct chia_spend_bundle *out, char *why, size_t whylen)
{
  struct rewards_node_fee *nf = ctx;
  struct node_coin_announcement anns[PLOTNFT_ABSORB_MAX];
  struct node_signed_tx_opts o;
  struct node_payment pay;
  struct node_error e;
  cp_err rc;

  memset(out, 0, sizeof *out);
  if (n > PLOTNFT_ABSORB_MAX)
    return CP_INVAL;
  memset(&o, 0, sizeof o);
  memset(&pay, 0, sizeof pay);
  memset(&e, 0, sizeof e);
  for (size_t i = 0; i < n; i++) {
    memcpy(anns[i].coin_id, ids[i], 32);
    anns[i].message = reward_ann_msg;
    anns[i].message_len = sizeof reward_ann_msg;
  }
  /* The wallet wants at least one output; 1 mojo back to the pool target,
   * as the reference pool does, so the spend moves no money but the fee. */
  memcpy(pay.puzzle_hash, nf->target_ph, 32);
  pay.amount = 1;
  o.wallet_id = nf->wallet_id;
  o.fee = fee;
  o.coin_announcements = anns;
  o.n_coin_announcements = n;
  rc = wallet_create_signed_transaction(nf->wallet, &o, &pay, 1, out, &e);
  if (rc)
    node_error_format(&e, why, whylen);
  return rc;
}

void rewards_fee_source_from_node(struct rewards_fee_source *out, struct rewards_node_fee *ctx)
{
  out->sign = node_sign;
  out->ctx = ctx;
}
