#include "sim/stdtx.h"

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "clvm/clvm.h"
#include "crypto/sha256.h"
#include "plotnft/puzzles.h"

/* sha256tree of (=), the opcode-9 atom in a one-item list: ff 09 80. */
const uint8_t STDTX_DEFAULT_HIDDEN_PUZZLE_HASH[32] = {
  0x71, 0x1d, 0x6c, 0x4e, 0x32, 0xc9, 0x2e, 0x53, 0x17, 0x9b, 0x19, 0x94,
  0x84, 0xcf, 0x8c, 0x89, 0x75, 0x42, 0xbc, 0x57, 0xf2, 0xb2, 0x25, 0x82,
  0x79, 0x9f, 0x9d, 0x65, 0x7e, 0xec, 0x46, 0x99,
};

/* -(2^256) mod r, big-endian: added to OS2IP(h) mod r when h's top bit is
 * set, so the offset equals Python's int_from_bytes(h, signed) % r. */
static const uint8_t neg_2_256_mod_r[32] = {
  0x5b, 0xc8, 0xf5, 0xf9, 0x7c, 0xd8, 0x77, 0xd8, 0x99, 0xad, 0x88, 0x18,
  0x1c, 0xe5, 0x88, 0x0f, 0xfb, 0x38, 0xec, 0x08, 0xff, 0xfb, 0x13, 0xfc,
  0xff, 0xff, 0xff, 0xfd, 0x00, 0x00, 0x00, 0x03,
};

#define PUZZLE_MAX 1024
#define SOLUTION_MAX (STDTX_CONDS_MAX + 64)

static void synthetic_offset(const struct bls_pk *pk, const uint8_t hidden_ph[32],
                             struct bls_sk *off)
{
  struct sha256_ctx c;
  uint8_t h[32];

  sha256_init(&c);
  sha256_update(&c, pk->bytes, BLS_PK_SIZE);
  sha256_update(&c, hidden_ph, 32);
  sha256_final(&c, h);
  bls_sk_from_bytes_mod_r(off, h, sizeof h);
  if (h[0] & 0x80) {
    struct bls_sk neg;
    /* a constant below r: cannot fail */
    (void)bls_sk_decode(&neg, neg_2_256_mod_r, sizeof neg_2_256_mod_r);
    bls_sk_add(off, off, &neg);
  }
}

void stdtx_synthetic_pk(const struct bls_pk *pk, const uint8_t hidden_ph[32],
                        struct bls_pk *out)
{
  struct bls_sk off;

  synthetic_offset(pk, hidden_ph, &off);
  bls_pk_add_sk(out, pk, &off);
  bls_sk_wipe(&off);
}

void stdtx_synthetic_sk(const struct bls_sk *sk, const uint8_t hidden_ph[32],
                        struct bls_sk *out)
{
  struct bls_pk pk;
  struct bls_sk off;

  bls_sk_to_pk(sk, &pk);
  synthetic_offset(&pk, hidden_ph, &off);
  bls_sk_add(out, sk, &off);
  bls_sk_wipe(&off);
}

void stdtx_puzzle_hash_synthetic(const struct bls_pk *synthetic_pk, uint8_t out[32])
{
  uint8_t arg[1][32];

  clvm_tree_hash_atom(synthetic_pk->bytes, BLS_PK_SIZE, arg[0]);
  clvm_curry_tree_hash(plotnft_puzzle(PLOTNFT_PUZ_P2_DELEGATED)->hash, arg, 1, out);
}

void stdtx_puzzle_hash(const struct bls_pk *pk, uint8_t out[32])
{
  struct bls_pk syn;

  stdtx_synthetic_pk(pk, STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, &syn);
  stdtx_puzzle_hash_synthetic(&syn, out);
}

cp_err stdtx_put_atom(struct buf *b, const uint8_t *p, size_t n)
{
  cp_err rc;

  if (n == 1 && p[0] < 0x80)
    return buf_append_u8(b, p[0]);
  if (n < 0x40)
    rc = buf_append_u8(b, (uint8_t)(0x80 | n));
  else if (n < 0x2000)
    rc = buf_append_u16(b, (uint16_t)(0xc000 | n));
  else
    return CP_TOO_BIG;
  return rc ? rc : buf_append(b, p, n);
}

cp_err stdtx_put_u64(struct buf *b, uint64_t v)
{
  uint8_t enc[9];
  size_t n = coin_amount_clvm(v, enc);

  return stdtx_put_atom(b, enc, n);
}

cp_err stdtx_puzzle(const struct bls_pk *synthetic_pk, struct buf *out)
{
  const struct plotnft_puzzle *mod = plotnft_puzzle(PLOTNFT_PUZ_P2_DELEGATED);
  cp_err rc;

  /* (a (q . MOD) (c (q . PK) 1)) */
  rc = buf_append(out, "\xff\x02\xff\xff\x01", 5);
  if (!rc)
    rc = buf_append(out, mod->bytes, mod->len);
  if (!rc)
    rc = buf_append(out, "\xff\xff\x04\xff\xff\x01", 6);
  if (!rc)
    rc = stdtx_put_atom(out, synthetic_pk->bytes, BLS_PK_SIZE);
  if (!rc)
    rc = buf_append(out, "\xff\x01\x80\x80", 4);
  return rc;
}

void stdtx_conds_init(struct stdtx_conds *c)
{
  buf_init(&c->items, STDTX_CONDS_MAX);
  c->n = 0;
}

void stdtx_conds_release(struct stdtx_conds *c)
{
  buf_release(&c->items);
  c->n = 0;
}

/* Append "ff (op a b ...)" built by the caller between begin and end. */
static cp_err cond_begin(struct stdtx_conds *c, uint8_t op)
{
  uint8_t hdr[3] = { 0xff, 0xff, op };

  return buf_append(&c->items, hdr, sizeof hdr);
}

static cp_err cond_arg_atom(struct stdtx_conds *c, const uint8_t *p, size_t n)
{
  cp_err rc = buf_append_u8(&c->items, 0xff);

  return rc ? rc : stdtx_put_atom(&c->items, p, n);
}

static cp_err cond_end(struct stdtx_conds *c, cp_err rc)
{
  if (!rc)
    rc = buf_append_u8(&c->items, 0x80);
  if (!rc)
    c->n++;
  return rc;
}

cp_err stdtx_conds_create_coin(struct stdtx_conds *c, const uint8_t ph[32],
                               uint64_t amount, const uint8_t *memo, size_t memo_len)
{
  cp_err rc = cond_begin(c, 51);

  if (!rc)
    rc = cond_arg_atom(c, ph, 32);
  if (!rc)
    rc = buf_append_u8(&c->items, 0xff);
  if (!rc)
    rc = stdtx_put_u64(&c->items, amount);
  if (!rc && memo) {
    if (memo_len > 1024)
      return CP_TOO_BIG;
    /* ff (ff memo 80) */
    rc = buf_append(&c->items, "\xff\xff", 2);
    if (!rc)
      rc = stdtx_put_atom(&c->items, memo, memo_len);
    if (!rc)
      rc = buf_append_u8(&c->items, 0x80);
  }
  return cond_end(c, rc);
}

cp_err stdtx_conds_reserve_fee(struct stdtx_conds *c, uint64_t fee)
{
  cp_err rc = cond_begin(c, 52);

  if (!rc)
    rc = buf_append_u8(&c->items, 0xff);
  if (!rc)
    rc = stdtx_put_u64(&c->items, fee);
  return cond_end(c, rc);
}

cp_err stdtx_conds_assert_coin_ann(struct stdtx_conds *c, const uint8_t id[32])
{
  cp_err rc = cond_begin(c, 61);

  return cond_end(c, rc ? rc : cond_arg_atom(c, id, 32));
}

cp_err stdtx_conds_create_coin_ann(struct stdtx_conds *c, const uint8_t *msg,
                                   size_t len)
{
  cp_err rc = cond_begin(c, 60);

  return cond_end(c, rc ? rc : cond_arg_atom(c, msg, len));
}

cp_err stdtx_conds_serialize(const struct stdtx_conds *c, struct buf *out)
{
  cp_err rc = buf_append(out, c->items.data, c->items.len);

  return rc ? rc : buf_append_u8(out, 0x80);
}

static cp_err blob_from(struct st_blob *dst, struct buf *src)
{
  dst->data = buf_detach(src, &dst->len);
  return dst->data || !dst->len ? CP_OK : CP_NOMEM;
}

cp_err stdtx_spend(const struct chia_coin *coin, const struct bls_sk *sk,
                   const uint8_t *conds, size_t conds_len,
                   const uint8_t additional_data[32], struct chia_coin_spend *cs,
                   struct bls_sig *sig)
{
  struct buf puz, sol, dp, msg;
  struct bls_sk syn_sk;
  struct bls_pk syn_pk;
  uint8_t dp_hash[32], id[32];
  cp_err rc;

  memset(cs, 0, sizeof *cs);
  buf_init(&puz, PUZZLE_MAX);
  buf_init(&sol, SOLUTION_MAX);
  buf_init(&dp, SOLUTION_MAX);
  buf_init(&msg, 128);
  stdtx_synthetic_sk(sk, STDTX_DEFAULT_HIDDEN_PUZZLE_HASH, &syn_sk);
  bls_sk_to_pk(&syn_sk, &syn_pk);

  /* delegated puzzle (q . conds), and the solution (() dp ()) */
  rc = buf_append(&dp, "\xff\x01", 2);
  if (!rc)
    rc = buf_append(&dp, conds, conds_len);
  if (!rc)
    rc = clvm_tree_hash_bytes(dp.data, dp.len, dp_hash);
  if (rc)
    goto out;
  rc = buf_append(&sol, "\xff\x80\xff", 3);
  if (!rc)
    rc = buf_append(&sol, dp.data, dp.len);
  if (!rc)
    rc = buf_append(&sol, "\xff\x80\x80", 3);
  if (!rc)
    rc = stdtx_puzzle(&syn_pk, &puz);
  if (rc)
    goto out;

  coin_id(coin, id);
  rc = buf_append(&msg, dp_hash, 32);
  if (!rc)
    rc = buf_append(&msg, id, 32);
  if (!rc)
    rc = buf_append(&msg, additional_data, 32);
  if (rc)
    goto out;
  bls_sign(sig, &syn_sk, msg.data, msg.len);

  cs->coin = *coin;
  rc = blob_from(&cs->puzzle_reveal, &puz);
  if (!rc)
    rc = blob_from(&cs->solution, &sol);
  if (rc)
    chia_coin_spend_release(cs);
out:
  bls_sk_wipe(&syn_sk);
  buf_release(&puz);
  buf_release(&sol);
  buf_release(&dp);
  buf_release(&msg);
  return rc;
}
