#include "plotnft/absorb.h"

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "crypto/sha256.h"

/* A full singleton reveal is ~1.9 KB, a p2_singleton ~0.7 KB; solutions are
 * a few dozen bytes. The caps only bound the buffers. */
#define PUZZLE_MAX 8192
#define SOLUTION_MAX 512

void plotnft_absorb_in_from_tip(const struct plotnft_tip *tip,
                                const uint8_t genesis_challenge[32],
                                struct plotnft_absorb_in *in)
{
  memset(in, 0, sizeof *in);
  in->id = tip->launch.id;
  memcpy(in->genesis_challenge, genesis_challenge, 32);
  in->state = tip->state;
  in->singleton = tip->coin;
  in->lineage = tip->lineage;
}

cp_err plotnft_reward_from_coin(const struct chia_coin *coin,
                                const uint8_t genesis_challenge[32],
                                struct plotnft_reward *r)
{
  const uint8_t *p = coin->parent_coin_info;
  static const uint8_t zero[12];

  /* Cheaper than pool-reference's search over 128 candidate heights: the
   * parent id spells its height out. */
  if (memcmp(p, genesis_challenge, 16) || memcmp(p + 16, zero, 12))
    return CP_NOT_FOUND;
  r->height = be32_load(p + 28);
  r->amount = coin->amount;
  return CP_OK;
}

void plotnft_reward_coin(const struct plotnft_absorb_in *in,
                         const struct plotnft_reward *r,
                         struct chia_coin *coin, uint8_t id[32])
{
  coin_pool_parent_id(in->genesis_challenge, r->height, coin->parent_coin_info);
  plotnft_p2_hash(&in->id, coin->puzzle_hash);
  coin->amount = r->amount;
  coin_id(coin, id);
}

void plotnft_absorb_fee_announcement(const uint8_t reward_coin_id[32],
                                     uint8_t out[32])
{
  struct sha256_ctx c;

  sha256_init(&c);
  sha256_update(&c, reward_coin_id, 32);
  sha256_update(&c, "$", 1);
  sha256_final(&c, out);
}

/* Condition opcodes used here (chia_rs opcodes.rs). */
#define COND_CREATE_COIN 51
#define COND_RESERVE_FEE 52
#define COND_ASSERT_COIN_ANNOUNCEMENT 61

cp_err plotnft_absorb_fee_conditions(const uint8_t reward_coin_id[32],
                                     const uint8_t change_ph[32],
                                     uint64_t change, uint64_t fee,
                                     struct buf *out)
{
  uint8_t ann[32];
  cp_err rc;

  if (!fee)
    return CP_INVAL;
  plotnft_absorb_fee_announcement(reward_coin_id, ann);
  if ((rc = buf_append_u8(out, 0xff)) || (rc = buf_append_u8(out, 0xff)) ||
      (rc = buf_append_u8(out, COND_ASSERT_COIN_ANNOUNCEMENT)) ||
      (rc = buf_append_u8(out, 0xff)) || (rc = plotnft__put_atom(out, ann, 32)) ||
      (rc = buf_append_u8(out, 0x80)))
    return rc;
  if (change &&
      ((rc = buf_append_u8(out, 0xff)) || (rc = buf_append_u8(out, 0xff)) ||
       (rc = buf_append_u8(out, COND_CREATE_COIN)) ||
       (rc = buf_append_u8(out, 0xff)) ||
       (rc = plotnft__put_atom(out, change_ph, 32)) ||
       (rc = buf_append_u8(out, 0xff)) || (rc = plotnft__put_u64(out, change)) ||
       (rc = buf_append_u8(out, 0x80))))
    return rc;
  if ((rc = buf_append_u8(out, 0xff)) || (rc = buf_append_u8(out, 0xff)) ||
      (rc = buf_append_u8(out, COND_RESERVE_FEE)) ||
      (rc = buf_append_u8(out, 0xff)) || (rc = plotnft__put_u64(out, fee)) ||
      (rc = buf_append_u8(out, 0x80)) || (rc = buf_append_u8(out, 0x80)))
    return rc;
  return CP_OK;
}

static cp_err put_hash(struct buf *b, const uint8_t h[32])
{
  return plotnft__put_atom(b, h, 32);
}

/* (lineage_proof my_amount inner_solution), inner solution by kind:
 * member (amount height), waiting room (0 amount height). */
static cp_err singleton_solution(struct buf *b, const struct plotnft_lineage *l,
                                 uint64_t my_amount,
                                 enum plotnft_inner_kind kind,
                                 const struct plotnft_reward *r)
{
  cp_err rc;

  if ((rc = buf_append_u8(b, 0xff)) || (rc = buf_append_u8(b, 0xff)) ||
      (rc = put_hash(b, l->parent_parent)) || (rc = buf_append_u8(b, 0xff)))
    return rc;
  if (!l->eve &&
      ((rc = put_hash(b, l->parent_inner_hash)) || (rc = buf_append_u8(b, 0xff))))
    return rc;
  if ((rc = plotnft__put_u64(b, l->parent_amount)) ||
      (rc = buf_append_u8(b, 0x80)) || (rc = buf_append_u8(b, 0xff)) ||
      (rc = plotnft__put_u64(b, my_amount)) || (rc = buf_append_u8(b, 0xff)) ||
      (rc = buf_append_u8(b, 0xff)))
    return rc;
  if (kind == PLOTNFT_INNER_WAITINGROOM &&
      ((rc = buf_append_u8(b, 0x80)) || (rc = buf_append_u8(b, 0xff))))
    return rc;
  if ((rc = plotnft__put_u64(b, r->amount)) || (rc = buf_append_u8(b, 0xff)) ||
      (rc = plotnft__put_u64(b, r->height)) || (rc = buf_append_u8(b, 0x80)) ||
      (rc = buf_append_u8(b, 0x80)))
    return rc;
  return CP_OK;
}

/* (singleton_inner_puzzle_hash reward_coin_id) */
static cp_err p2_solution(struct buf *b, const uint8_t inner_hash[32],
                          const uint8_t reward_id[32])
{
  cp_err rc;

  if ((rc = buf_append_u8(b, 0xff)) || (rc = put_hash(b, inner_hash)) ||
      (rc = buf_append_u8(b, 0xff)) || (rc = put_hash(b, reward_id)) ||
      (rc = buf_append_u8(b, 0x80)))
    return rc;
  return CP_OK;
}

static cp_err blob_copy(struct st_blob *dst, const struct buf *src)
{
  dst->data = malloc(src->len);
  if (!dst->data)
    return CP_NOMEM;
  memcpy(dst->data, src->data, src->len);
  dst->len = src->len;
  return CP_OK;
}

cp_err plotnft_absorb_spends(const struct plotnft_absorb_in *in,
                             const struct plotnft_reward *rewards, size_t n,
                             struct chia_coin_spend *spends,
                             struct plotnft_absorb_out *after)
{
  struct buf full, p2, inner, sol;
  struct plotnft_inner_args args;
  enum plotnft_inner_kind kind;
  struct chia_coin cur;
  struct plotnft_lineage lin;
  uint8_t inner_hash[32], ph[32], cur_id[32], rid[32];
  size_t done = 0;
  cp_err rc;

  if (!n || n > PLOTNFT_ABSORB_MAX)
    return CP_INVAL;
  memset(spends, 0, 2 * n * sizeof *spends);
  buf_init(&full, PUZZLE_MAX);
  buf_init(&p2, PUZZLE_MAX);
  buf_init(&inner, PUZZLE_MAX);
  buf_init(&sol, SOLUTION_MAX);

  kind = plotnft_state_kind(&in->state);
  plotnft_state_args(&in->id, in->genesis_challenge, &in->state, &args);
  plotnft_inner_hash(kind, &args, inner_hash);
  plotnft_full_hash(in->id.launcher_id, inner_hash, ph);
  /* create_absorb_spend asserts the same: a stale PoolState would build a
   * spend the chain rejects. */
  if (memcmp(ph, in->singleton.puzzle_hash, 32) || !(in->singleton.amount & 1)) {
    rc = CP_INVAL;
    goto out;
  }
  if ((rc = plotnft_inner_puzzle(kind, &args, &inner)) ||
      (rc = plotnft_full_puzzle(in->id.launcher_id, inner.data, inner.len,
                                &full)) ||
      (rc = plotnft_p2_puzzle(&in->id, &p2)))
    goto out;

  cur = in->singleton;
  lin = in->lineage;
  for (size_t i = 0; i < n; i++) {
    const struct plotnft_reward *r = &rewards[i];
    struct chia_coin_spend *s = &spends[2 * i];

    if (!r->amount || (r->amount & 1)) {
      rc = CP_INVAL;
      goto out;
    }
    buf_reset(&sol);
    s[0].coin = cur;
    if ((rc = singleton_solution(&sol, &lin, cur.amount, kind, r)) ||
        (rc = blob_copy(&s[0].puzzle_reveal, &full)) ||
        (rc = blob_copy(&s[0].solution, &sol)))
      goto out;
    done = 2 * i + 1;

    plotnft_reward_coin(in, r, &s[1].coin, rid);
    buf_reset(&sol);
    if ((rc = p2_solution(&sol, inner_hash, rid)) ||
        (rc = blob_copy(&s[1].puzzle_reveal, &p2)) ||
        (rc = blob_copy(&s[1].solution, &sol)))
      goto out;
    done = 2 * i + 2;

    /* The absorb recreates the singleton with the same inner puzzle; the
     * next absorb spends that coin, proving it by this one. */
    coin_id(&cur, cur_id);
    lin.eve = false;
    memcpy(lin.parent_parent, cur.parent_coin_info, 32);
    memcpy(lin.parent_inner_hash, inner_hash, 32);
    lin.parent_amount = cur.amount;
    memcpy(cur.parent_coin_info, cur_id, 32);
  }
  if (after) {
    after->singleton = cur;
    after->lineage = lin;
  }
  rc = CP_OK;
out:
  if (rc) {
    for (size_t i = 0; i < done + 1 && i < 2 * n; i++)
      chia_coin_spend_release(&spends[i]);
  }
  buf_release(&full);
  buf_release(&p2);
  buf_release(&inner);
  buf_release(&sol);
  return rc;
}

cp_err plotnft_absorb_bundle(const struct plotnft_absorb_in *in,
                             const struct plotnft_reward *rewards, size_t n,
                             struct chia_spend_bundle *sb,
                             struct plotnft_absorb_out *after)
{
  struct chia_coin_spend *items;
  cp_err rc;

  memset(sb, 0, sizeof *sb);
  if (!n || n > PLOTNFT_ABSORB_MAX)
    return CP_INVAL;
  items = calloc(2 * n, sizeof *items);
  if (!items)
    return CP_NOMEM;
  rc = plotnft_absorb_spends(in, rewards, n, items, after);
  if (rc) {
    free(items);
    return rc;
  }
  sb->coin_spends.items = items;
  sb->coin_spends.count = (uint32_t)(2 * n);
  /* No AGG_SIG in an absorb: only the identity verifies an empty
   * aggregate. */
  sb->aggregated_signature[0] = 0xc0;
  return CP_OK;
}
