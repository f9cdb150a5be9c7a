/* BLS12-381 signatures as Chia uses them: AugSchemeMPL (minimal public key
 * size: keys in G1, signatures in G2), on blst.
 *
 * Keys and signatures are fixed-size structs holding both the 48/96-byte
 * compressed encoding and the decoded affine point. Decoding checks the
 * encoding, the curve equation and the prime-order subgroup once, so a pool
 * can keep decoded farmer keys in a cache and verify against them without
 * paying for decompression and subgroup checks again.
 *
 * Decoding follows Chia (bls-signatures 2.x / chia_rs chia-bls): only the
 * compressed form, compression flag required, the point at infinity only as
 * exactly 0xc0 00..00 (accepted), coordinates must be < p, points must lie in
 * the r-order subgroup.
 *
 * Verification follows Chia too: an infinite public key never verifies; an
 * aggregate over zero pairs verifies only an infinite signature. */
#ifndef CP_CRYPTO_BLS_H
#define CP_CRYPTO_BLS_H

#include <stddef.h>
#include <stdint.h>

#include "blst.h"
#include "util/err.h"

#define BLS_SK_SIZE 32
#define BLS_PK_SIZE 48
#define BLS_SIG_SIZE 96

/* Ciphersuite of AugSchemeMPL: every message is prefixed with the signer's
 * (or, for plot-key shares, the aggregate) 48-byte public key. */
#define BLS_AUG_DST "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_AUG_"

/* Secret key: a scalar in [0, r). Zero is accepted like chia_rs does. */
struct bls_sk {
  blst_scalar s;          /* little-endian, as blst keeps it */
};

/* Public key (G1), already subgroup-checked. */
struct bls_pk {
  uint8_t bytes[BLS_PK_SIZE];
  blst_p1_affine point;
};

/* Signature (G2), already subgroup-checked. */
struct bls_sig {
  uint8_t bytes[BLS_SIG_SIZE];
  blst_p2_affine point;
};

/* One (public key, message) pair of an aggregate signature. */
struct bls_pair {
  const struct bls_pk *pk;
  const uint8_t *msg;
  size_t len;
};

/* --- secret keys --- */

/* 32 big-endian bytes; CP_BAD_KEY if n != 32 or the value is >= r. */
cp_err bls_sk_decode(struct bls_sk *sk, const uint8_t *in, size_t n);
void bls_sk_encode(const struct bls_sk *sk, uint8_t out[BLS_SK_SIZE]);
/* OS2IP(in) mod r: for hash-derived scalars (unhardened derivation). */
void bls_sk_from_bytes_mod_r(struct bls_sk *sk, const uint8_t *in, size_t n);
void bls_sk_add(struct bls_sk *out, const struct bls_sk *a,
                const struct bls_sk *b);
void bls_sk_to_pk(const struct bls_sk *sk, struct bls_pk *pk);
void bls_sk_wipe(struct bls_sk *sk);

/* --- public keys --- */

/* CP_BAD_KEY for any encoding Chia rejects (see top of file). */
cp_err bls_pk_decode(struct bls_pk *pk, const uint8_t *in, size_t n);
int bls_pk_is_infinity(const struct bls_pk *pk);
int bls_pk_equal(const struct bls_pk *a, const struct bls_pk *b);
void bls_pk_add(struct bls_pk *out, const struct bls_pk *a,
                const struct bls_pk *b);
/* out = pk + sk*G1 (unhardened child keys move both sides by a scalar). */
void bls_pk_add_sk(struct bls_pk *out, const struct bls_pk *pk,
                   const struct bls_sk *sk);

/* --- signatures --- */

/* CP_BAD_SIGNATURE for any encoding Chia rejects. */
cp_err bls_sig_decode(struct bls_sig *sig, const uint8_t *in, size_t n);
int bls_sig_is_infinity(const struct bls_sig *sig);
int bls_sig_equal(const struct bls_sig *a, const struct bls_sig *b);

/* AugSchemeMPL.sign: hash_to_G2(pk(sk) || msg) * sk. */
void bls_sign(struct bls_sig *sig, const struct bls_sk *sk,
              const uint8_t *msg, size_t len);
/* Same with a caller-chosen prefix key: Chia's sign(sk, msg, prepend_pk),
 * used for plot-key shares, which all prefix the aggregate plot key. */
void bls_sign_prepend(struct bls_sig *sig, const struct bls_sk *sk,
                      const uint8_t *msg, size_t len,
                      const struct bls_pk *prefix);
/* Sum of n signatures (n = 0 gives the point at infinity). */
void bls_aggregate(struct bls_sig *out, const struct bls_sig *sigs, size_t n);

/* --- verification: CP_OK, CP_VERIFY_FAILED, or CP_NOMEM --- */

cp_err bls_verify(const struct bls_pk *pk, const uint8_t *msg, size_t len,
                  const struct bls_sig *sig);
cp_err bls_aggregate_verify(const struct bls_pair *pairs, size_t n,
                            const struct bls_sig *sig);

#endif
