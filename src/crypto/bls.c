#include "crypto/bls.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static const uint8_t aug_dst[] = BLS_AUG_DST;
#define AUG_DST_LEN (sizeof aug_dst - 1)

static int all_zero(const uint8_t *p, size_t n)
{
  uint8_t acc = 0;
  for (size_t i = 0; i < n; i++)
    acc |= p[i];
  return acc == 0;
}

/* --- secret keys --- */

cp_err bls_sk_decode(struct bls_sk *sk, const uint8_t *in, size_t n)
{
  if (n != BLS_SK_SIZE)
    return CP_BAD_KEY;
  blst_scalar_from_bendian(&sk->s, in);
  /* blst_sk_check also refuses zero, which chia_rs accepts as a key */
  if (!all_zero(in, n) && !blst_sk_check(&sk->s)) {
    bls_sk_wipe(sk);
    return CP_BAD_KEY;
  }
  return CP_OK;
}

void bls_sk_encode(const struct bls_sk *sk, uint8_t out[BLS_SK_SIZE])
{
  blst_bendian_from_scalar(out, &sk->s);
}

void bls_sk_from_bytes_mod_r(struct bls_sk *sk, const uint8_t *in, size_t n)
{
  /* the return value only reports a zero result, which is a valid scalar */
  (void)blst_scalar_from_be_bytes(&sk->s, in, n);
}

void bls_sk_add(struct bls_sk *out, const struct bls_sk *a,
                const struct bls_sk *b)
{
  /* false only when the sum is zero mod r; still the right scalar */
  (void)blst_sk_add_n_check(&out->s, &a->s, &b->s);
}

static void pk_from_p1(struct bls_pk *pk, const blst_p1 *p)
{
  blst_p1_to_affine(&pk->point, p);
  blst_p1_affine_compress(pk->bytes, &pk->point);
}

static void sig_from_p2(struct bls_sig *sig, const blst_p2 *p)
{
  blst_p2_to_affine(&sig->point, p);
  blst_p2_affine_compress(sig->bytes, &sig->point);
}

void bls_sk_to_pk(const struct bls_sk *sk, struct bls_pk *pk)
{
  blst_p1 p;
  blst_sk_to_pk_in_g1(&p, &sk->s);
  pk_from_p1(pk, &p);
}

void bls_sk_wipe(struct bls_sk *sk)
{
  OPENSSL_cleanse(sk, sizeof *sk);
}

/* --- public keys --- */

cp_err bls_pk_decode(struct bls_pk *pk, const uint8_t *in, size_t n)
{
  if (n != BLS_PK_SIZE)
    return CP_BAD_KEY;
  /* blst_p1_uncompress enforces Chia's flag rules itself: the compression
   * bit, infinity only as 0xc0 00..00, no sign bit on infinity, x < p */
  if (blst_p1_uncompress(&pk->point, in) != BLST_SUCCESS)
    return CP_BAD_KEY;
  if (!blst_p1_affine_in_g1(&pk->point))
    return CP_BAD_KEY;
  /* the accepted encoding is unique, so the input is the canonical form */
  memcpy(pk->bytes, in, BLS_PK_SIZE);
  return CP_OK;
}

int bls_pk_is_infinity(const struct bls_pk *pk)
{
  return blst_p1_affine_is_inf(&pk->point);
}

int bls_pk_equal(const struct bls_pk *a, const struct bls_pk *b)
{
  return !memcmp(a->bytes, b->bytes, BLS_PK_SIZE);
}

void bls_pk_add(struct bls_pk *out, const struct bls_pk *a,
                const struct bls_pk *b)
{
  blst_p1 p;
  blst_p1_from_affine(&p, &a->point);
  blst_p1_add_or_double_affine(&p, &p, &b->point);
  pk_from_p1(out, &p);
}

void bls_pk_add_sk(struct bls_pk *out, const struct bls_pk *pk,
                   const struct bls_sk *sk)
{
  blst_p1 p;
  blst_sk_to_pk_in_g1(&p, &sk->s);
  blst_p1_add_or_double_affine(&p, &p, &pk->point);
  pk_from_p1(out, &p);
}

/* --- signatures --- */

cp_err bls_sig_decode(struct bls_sig *sig, const uint8_t *in, size_t n)
{
  if (n != BLS_SIG_SIZE)
    return CP_BAD_SIGNATURE;
  /* same flag and canonical-coordinate rules as G1, x.c1 first */
  if (blst_p2_uncompress(&sig->point, in) != BLST_SUCCESS)
    return CP_BAD_SIGNATURE;
  if (!blst_p2_affine_in_g2(&sig->point))
    return CP_BAD_SIGNATURE;
  memcpy(sig->bytes, in, BLS_SIG_SIZE);
  return CP_OK;
}

int bls_sig_is_infinity(const struct bls_sig *sig)
{
  return blst_p2_affine_is_inf(&sig->point);
}

int bls_sig_equal(const struct bls_sig *a, const struct bls_sig *b)
{
  return !memcmp(a->bytes, b->bytes, BLS_SIG_SIZE);
}

void bls_sign_prepend(struct bls_sig *sig, const struct bls_sk *sk,
                      const uint8_t *msg, size_t len,
                      const struct bls_pk *prefix)
{
  blst_p2 h;
  if (!msg)
    msg = (const uint8_t *)"";
  /* blst hashes aug || msg, which is exactly Chia's pk-prefixed message */
  blst_hash_to_g2(&h, msg, len, aug_dst, AUG_DST_LEN, prefix->bytes,
                  BLS_PK_SIZE);
  blst_sign_pk_in_g1(&h, &h, &sk->s);
  sig_from_p2(sig, &h);
}

void bls_sign(struct bls_sig *sig, const struct bls_sk *sk,
              const uint8_t *msg, size_t len)
{
  struct bls_pk pk;
  bls_sk_to_pk(sk, &pk);
  bls_sign_prepend(sig, sk, msg, len, &pk);
}

void bls_aggregate(struct bls_sig *out, const struct bls_sig *sigs, size_t n)
{
  blst_p2 acc;
  memset(&acc, 0, sizeof acc); /* all-zero is blst's point at infinity */
  for (size_t i = 0; i < n; i++)
    blst_p2_add_or_double_affine(&acc, &acc, &sigs[i].point);
  sig_from_p2(out, &acc);
}

/* --- verification --- */

cp_err bls_aggregate_verify(const struct bls_pair *pairs, size_t n,
                            const struct bls_sig *sig)
{
  blst_pairing *ctx;
  cp_err rc = CP_VERIFY_FAILED;

  /* Chia: no signers at all is valid only with the identity signature */
  if (n == 0)
    return bls_sig_is_infinity(sig) ? CP_OK : CP_VERIFY_FAILED;
  ctx = malloc(blst_pairing_sizeof());
  if (!ctx)
    return CP_NOMEM;
  blst_pairing_init(ctx, 1, aug_dst, AUG_DST_LEN);
  for (size_t i = 0; i < n; i++) {
    const uint8_t *msg = pairs[i].msg ? pairs[i].msg : (const uint8_t *)"";
    /* keys and signature were subgroup-checked when decoded; blst still
     * refuses an infinite key, which is what Chia does */
    if (blst_pairing_chk_n_aggr_pk_in_g1(ctx, &pairs[i].pk->point, 0,
                                         i == 0 ? &sig->point : NULL, 0,
                                         msg, pairs[i].len,
                                         pairs[i].pk->bytes, BLS_PK_SIZE)
        != BLST_SUCCESS)
      goto out;
  }
  blst_pairing_commit(ctx);
  if (blst_pairing_finalverify(ctx, NULL))
    rc = CP_OK;
out:
  free(ctx);
  return rc;
}

cp_err bls_verify(const struct bls_pk *pk, const uint8_t *msg, size_t len,
                  const struct bls_sig *sig)
{
  struct bls_pair p = { pk, msg, len };
  return bls_aggregate_verify(&p, 1, sig);
}
