#include "crypto/bls_batch.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "util/buf.h"
#include "util/xalloc.h"

#define SCALAR_BITS 64

struct batch_item {
  struct bls_pk pks[BLS_BATCH_MAX_PAIRS];
  size_t msg_off[BLS_BATCH_MAX_PAIRS];
  size_t msg_len[BLS_BATCH_MAX_PAIRS];
  size_t npairs;
  struct bls_sig sig;
};

struct bls_batch {
  struct batch_item *items;
  size_t count;
  size_t max;
  struct buf msgs;          /* all message bytes, items index into it */
  blst_pairing *ctx;
};

static const uint8_t aug_dst[] = BLS_AUG_DST;
#define AUG_DST_LEN (sizeof aug_dst - 1)

struct bls_batch *bls_batch_new(size_t max_items)
{
  struct bls_batch *b;
  if (max_items == 0 || max_items > BLS_BATCH_MAX_ITEMS)
    return NULL;
  b = xcalloc(1, sizeof *b);
  b->items = xcalloc(max_items, sizeof *b->items);
  b->max = max_items;
  buf_init(&b->msgs, max_items * BLS_BATCH_MAX_PAIRS * BLS_BATCH_MAX_MSG);
  b->ctx = xmalloc(blst_pairing_sizeof());
  return b;
}

void bls_batch_free(struct bls_batch *b)
{
  if (!b)
    return;
  buf_release(&b->msgs);
  free(b->items);
  free(b->ctx);
  free(b);
}

void bls_batch_reset(struct bls_batch *b)
{
  b->count = 0;
  buf_reset(&b->msgs);
}

size_t bls_batch_count(const struct bls_batch *b)
{
  return b->count;
}

cp_err bls_batch_add(struct bls_batch *b, const struct bls_pair *pairs,
                     size_t n, const struct bls_sig *sig)
{
  /* staged so the shared buffer takes the whole item or nothing */
  uint8_t staged[BLS_BATCH_MAX_PAIRS * BLS_BATCH_MAX_MSG];
  struct batch_item *it;
  size_t at = 0;
  cp_err rc;

  if (b->count >= b->max)
    return CP_QUEUE_FULL;
  if (n > BLS_BATCH_MAX_PAIRS)
    return CP_TOO_BIG;
  for (size_t i = 0; i < n; i++)
    if (pairs[i].len > BLS_BATCH_MAX_MSG)
      return CP_TOO_BIG;
  it = &b->items[b->count];
  for (size_t i = 0; i < n; i++) {
    it->pks[i] = *pairs[i].pk;
    it->msg_off[i] = b->msgs.len + at;
    it->msg_len[i] = pairs[i].len;
    if (pairs[i].len)
      memcpy(staged + at, pairs[i].msg, pairs[i].len);
    at += pairs[i].len;
  }
  rc = buf_append(&b->msgs, staged, at);
  if (rc)
    return rc;
  it->npairs = n;
  it->sig = *sig;
  b->count++;
  return CP_OK;
}

static const uint8_t *item_msg(const struct bls_batch *b,
                               const struct batch_item *it, size_t i)
{
  return it->msg_len[i] ? b->msgs.data + it->msg_off[i] : (const uint8_t *)"";
}

static cp_err verify_one(const struct bls_batch *b, const struct batch_item *it)
{
  struct bls_pair pairs[BLS_BATCH_MAX_PAIRS];
  for (size_t i = 0; i < it->npairs; i++) {
    pairs[i].pk = &it->pks[i];
    pairs[i].msg = item_msg(b, it, i);
    pairs[i].len = it->msg_len[i];
  }
  return bls_aggregate_verify(pairs, it->npairs, &it->sig);
}

/* Items whose answer needs no pairing: no pairs (Chia: valid only with the
 * identity signature) or an infinite key (never valid). blst would reject
 * an infinite key only after folding the item's signature into the shared
 * accumulator, so such items must not enter the combined check. */
static int decided_alone(const struct batch_item *it, cp_err *res)
{
  if (it->npairs == 0) {
    *res = bls_sig_is_infinity(&it->sig) ? CP_OK : CP_VERIFY_FAILED;
    return 1;
  }
  for (size_t i = 0; i < it->npairs; i++)
    if (bls_pk_is_infinity(&it->pks[i])) {
      *res = CP_VERIFY_FAILED;
      return 1;
    }
  return 0;
}

/* One random linear combination over the undecided items: 1 if it holds,
 * -1 if out of memory. The pairing side gets r_k * pk; the signatures are
 * combined as sum r_k * sig_k by one Pippenger multi-scalar multiplication,
 * which costs far less per item than a G2 multiplication each. */
static int combined_check(struct bls_batch *b, const uint8_t *rnd,
                          const uint8_t *decided)
{
  const blst_p2_affine **pts = NULL;
  const uint8_t **scalars = NULL;
  limb_t *scratch = NULL;
  size_t added = 0, nsig = 0;
  blst_p2 agg;
  blst_p2_affine agg_aff;
  blst_fp12 gt;
  int ok = -1;

  pts = malloc(b->count * sizeof *pts);
  scalars = malloc(b->count * sizeof *scalars);
  if (!pts || !scalars)
    goto out;
  blst_pairing_init(b->ctx, 1, aug_dst, AUG_DST_LEN);
  for (size_t k = 0; k < b->count; k++) {
    const struct batch_item *it = &b->items[k];
    if (decided[k])
      continue;
    /* an infinite signature adds nothing to the sum */
    if (!bls_sig_is_infinity(&it->sig)) {
      pts[nsig] = &it->sig.point;
      scalars[nsig++] = rnd + 8 * k;
    }
    for (size_t i = 0; i < it->npairs; i++) {
      /* group membership was established when keys were decoded */
      if (blst_pairing_chk_n_mul_n_aggr_pk_in_g1(
              b->ctx, &it->pks[i].point, 0, NULL, 0, rnd + 8 * k, SCALAR_BITS,
              item_msg(b, it, i), it->msg_len[i], it->pks[i].bytes,
              BLS_PK_SIZE) != BLST_SUCCESS) {
        ok = 0;
        goto out;
      }
      added++;
    }
  }
  if (!added) {
    ok = 1;
    goto out;
  }
  blst_pairing_commit(b->ctx);
  memset(&agg, 0, sizeof agg);
  if (nsig) {
    scratch = malloc(blst_p2s_mult_pippenger_scratch_sizeof(nsig));
    if (!scratch)
      goto out;
    blst_p2s_mult_pippenger(&agg, pts, nsig, scalars, SCALAR_BITS, scratch);
  }
  if (blst_p2_is_inf(&agg)) {
    ok = blst_pairing_finalverify(b->ctx, NULL);
  } else {
    blst_p2_to_affine(&agg_aff, &agg);
    blst_aggregated_in_g2(&gt, &agg_aff);
    ok = blst_pairing_finalverify(b->ctx, &gt);
  }
out:
  free(pts);
  free(scalars);
  free(scratch);
  return ok;
}

cp_err bls_batch_verify(struct bls_batch *b, cp_err *results)
{
  uint8_t *rnd = NULL, *decided = NULL;
  cp_err rc = CP_OK;
  size_t pending = 0;
  int fallback = 0;

  if (b->count == 0)
    return CP_OK;
  rnd = malloc(8 * b->count);
  decided = calloc(b->count, 1);
  if (!rnd || !decided) {
    rc = CP_NOMEM;
    goto out;
  }
  if (RAND_bytes(rnd, (int)(8 * b->count)) != 1) {
    rc = CP_INTERNAL;
    goto out;
  }
  for (size_t k = 0; k < b->count; k++) {
    static const uint8_t zero[8];
    /* a zero weight would drop the item from the check entirely */
    while (!memcmp(rnd + 8 * k, zero, 8))
      if (RAND_bytes(rnd + 8 * k, 8) != 1) {
        rc = CP_INTERNAL;
        goto out;
      }
    results[k] = CP_OK;
    if (decided_alone(&b->items[k], &results[k]))
      decided[k] = 1;
    else
      pending++;
  }
  if (pending) {
    int ok = combined_check(b, rnd, decided);
    if (ok < 0) {
      rc = CP_NOMEM;
      goto out;
    }
    /* the combined check failed: find the bad items one by one */
    fallback = !ok;
  }
  if (fallback) {
    for (size_t k = 0; k < b->count; k++) {
      if (decided[k])
        continue;
      results[k] = verify_one(b, &b->items[k]);
      if (results[k] == CP_NOMEM) {
        rc = CP_NOMEM;
        goto out;
      }
    }
  }
  for (size_t k = 0; k < b->count; k++)
    if (results[k] != CP_OK)
      rc = CP_VERIFY_FAILED;
out:
  free(rnd);
  free(decided);
  return rc;
}
