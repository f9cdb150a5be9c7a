#include "crypto/keys.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "crypto/sha256.h"
#include "util/buf.h" /* be32_store */

/* EIP-2333 Lamport keys: 255 chunks of 32 bytes from one HKDF expansion. */
#define LAMPORT_CHUNKS 255
#define LAMPORT_BYTES (LAMPORT_CHUNKS * 32)

cp_err keys_gen(struct bls_sk *sk, const uint8_t *seed, size_t n)
{
  if (!seed || n < KEYS_SEED_MIN)
    return CP_INVAL;
  /* v3 = salt used raw, IKM || 0x00, info 0x0030, no loop: Chia's key_gen */
  blst_keygen_v3(&sk->s, seed, n, NULL, 0);
  return CP_OK;
}

/* HKDF-SHA256(salt, ikm, info = "") with an 8160-byte output. */
static cp_err lamport_expand(uint8_t out[LAMPORT_BYTES], const uint8_t ikm[32],
                             const uint8_t salt[4])
{
  EVP_KDF *kdf;
  EVP_KDF_CTX *ctx = NULL;
  OSSL_PARAM params[4];
  cp_err rc = CP_INTERNAL;

  kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
  if (!kdf)
    return CP_INTERNAL;
  ctx = EVP_KDF_CTX_new(kdf);
  if (!ctx)
    goto out;
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                               (char *)"SHA256", 0);
  params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                (void *)ikm, 32);
  params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                (void *)salt, 4);
  params[3] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx, out, LAMPORT_BYTES, params) == 1)
    rc = CP_OK;
out:
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return rc;
}

/* Hash every chunk of one Lamport key into the running compressed key. */
static cp_err lamport_absorb(struct sha256_ctx *acc, uint8_t *scratch,
                             const uint8_t ikm[32], const uint8_t salt[4])
{
  uint8_t h[32];
  cp_err rc = lamport_expand(scratch, ikm, salt);
  if (rc)
    return rc;
  for (size_t i = 0; i < LAMPORT_CHUNKS; i++) {
    sha256(h, scratch + 32 * i, 32);
    sha256_update(acc, h, sizeof h);
  }
  return CP_OK;
}

cp_err keys_derive_hardened(struct bls_sk *child, const struct bls_sk *parent,
                            uint32_t index)
{
  uint8_t ikm[32], not_ikm[32], salt[4], compressed[32];
  static _Thread_local uint8_t scratch[LAMPORT_BYTES];
  struct sha256_ctx acc;
  cp_err rc;

  bls_sk_encode(parent, ikm);
  for (size_t i = 0; i < sizeof ikm; i++)
    not_ikm[i] = (uint8_t)~ikm[i];
  be32_store(salt, index);
  sha256_init(&acc);
  rc = lamport_absorb(&acc, scratch, ikm, salt);
  if (rc)
    goto out;
  rc = lamport_absorb(&acc, scratch, not_ikm, salt);
  if (rc)
    goto out;
  sha256_final(&acc, compressed);
  rc = keys_gen(child, compressed, sizeof compressed);
out:
  OPENSSL_cleanse(ikm, sizeof ikm);
  OPENSSL_cleanse(not_ikm, sizeof not_ikm);
  OPENSSL_cleanse(scratch, sizeof scratch);
  OPENSSL_cleanse(&acc, sizeof acc);
  return rc;
}

/* sha256(pk || I2OSP(index, 4)) mod r: the offset of an unhardened child. */
static void unhardened_offset(struct bls_sk *off, const struct bls_pk *pk,
                              uint32_t index)
{
  uint8_t in[BLS_PK_SIZE + 4], h[32];
  memcpy(in, pk->bytes, BLS_PK_SIZE);
  be32_store(in + BLS_PK_SIZE, index);
  sha256(h, in, sizeof in);
  bls_sk_from_bytes_mod_r(off, h, sizeof h);
}

void keys_derive_unhardened_sk(struct bls_sk *child,
                               const struct bls_sk *parent, uint32_t index)
{
  struct bls_pk pk;
  struct bls_sk off;
  bls_sk_to_pk(parent, &pk);
  unhardened_offset(&off, &pk, index);
  bls_sk_add(child, parent, &off);
  bls_sk_wipe(&off);
}

void keys_derive_unhardened_pk(struct bls_pk *child,
                               const struct bls_pk *parent, uint32_t index)
{
  struct bls_sk off;
  unhardened_offset(&off, parent, index);
  bls_pk_add_sk(child, parent, &off);
}

cp_err keys_derive_path(struct bls_sk *out, const struct bls_sk *master,
                        const uint32_t *path, size_t n)
{
  struct bls_sk cur = *master;
  cp_err rc = CP_OK;
  for (size_t i = 0; i < n && !rc; i++)
    rc = keys_derive_hardened(&cur, &cur, path[i]);
  if (!rc)
    *out = cur;
  bls_sk_wipe(&cur);
  return rc;
}

void keys_derive_path_unhardened_sk(struct bls_sk *out,
                                    const struct bls_sk *master,
                                    const uint32_t *path, size_t n)
{
  struct bls_sk cur = *master;
  for (size_t i = 0; i < n; i++)
    keys_derive_unhardened_sk(&cur, &cur, path[i]);
  *out = cur;
  bls_sk_wipe(&cur);
}

void keys_derive_path_unhardened_pk(struct bls_pk *out,
                                    const struct bls_pk *master,
                                    const uint32_t *path, size_t n)
{
  struct bls_pk cur = *master;
  for (size_t i = 0; i < n; i++)
    keys_derive_unhardened_pk(&cur, &cur, path[i]);
  *out = cur;
}

cp_err keys_role_path(enum keys_role role, uint32_t pool_wallet_index,
                      uint32_t index, uint32_t path[KEYS_PATH_MAX], size_t *n)
{
  uint32_t last;

  switch (role) {
  case KEYS_FARMER:
  case KEYS_POOL:
  case KEYS_BACKUP:
    last = 0;
    break;
  case KEYS_WALLET:
  case KEYS_LOCAL:
  case KEYS_SINGLETON_OWNER:
    last = index;
    break;
  case KEYS_POOL_AUTH:
    if (pool_wallet_index >= KEYS_AUTH_INDEX_LIMIT ||
        index >= KEYS_AUTH_INDEX_LIMIT)
      return CP_INVAL;
    last = pool_wallet_index * KEYS_AUTH_INDEX_LIMIT + index;
    break;
  default:
    return CP_INVAL;
  }
  /* the role enum is ordered like Chia's path numbers 0..6 */
  path[0] = KEYS_PURPOSE;
  path[1] = KEYS_COIN_TYPE;
  path[2] = (uint32_t)role;
  path[3] = last;
  *n = 4;
  return CP_OK;
}

cp_err keys_path_str(char *out, size_t cap, const uint32_t *path, size_t n)
{
  size_t at;
  int w;

  if (cap < 2)
    return CP_TOO_BIG;
  out[0] = 'm';
  out[1] = 0;
  at = 1;
  for (size_t i = 0; i < n; i++) {
    w = snprintf(out + at, cap - at, "/%u", (unsigned)path[i]);
    if (w < 0 || (size_t)w >= cap - at)
      return CP_TOO_BIG;
    at += (size_t)w;
  }
  return CP_OK;
}

cp_err keys_role_sk(struct bls_sk *out, const struct bls_sk *master,
                    enum keys_role role, uint32_t pool_wallet_index,
                    uint32_t index)
{
  uint32_t path[KEYS_PATH_MAX];
  size_t n;
  cp_err rc = keys_role_path(role, pool_wallet_index, index, path, &n);
  if (rc)
    return rc;
  return keys_derive_path(out, master, path, n);
}

void keys_taproot_sk(struct bls_sk *out, const struct bls_pk *local_pk,
                     const struct bls_pk *farmer_pk)
{
  struct bls_pk sum;
  struct sha256_ctx c;
  uint8_t h[32];

  bls_pk_add(&sum, local_pk, farmer_pk);
  sha256_init(&c);
  sha256_update(&c, sum.bytes, BLS_PK_SIZE);
  sha256_update(&c, local_pk->bytes, BLS_PK_SIZE);
  sha256_update(&c, farmer_pk->bytes, BLS_PK_SIZE);
  sha256_final(&c, h);
  /* 32 bytes always satisfies key_gen's minimum */
  (void)keys_gen(out, h, sizeof h);
}

void keys_plot_pk(struct bls_pk *out, const struct bls_pk *local_pk,
                  const struct bls_pk *farmer_pk, int include_taproot)
{
  struct bls_pk sum;
  bls_pk_add(&sum, local_pk, farmer_pk);
  if (include_taproot) {
    struct bls_sk tsk;
    struct bls_pk tpk;
    keys_taproot_sk(&tsk, local_pk, farmer_pk);
    bls_sk_to_pk(&tsk, &tpk);
    bls_sk_wipe(&tsk);
    bls_pk_add(&sum, &sum, &tpk);
  }
  *out = sum;
}

void keys_plot_sk(struct bls_sk *out, const struct bls_sk *local_sk,
                  const struct bls_sk *farmer_sk, int include_taproot)
{
  struct bls_sk sum;
  bls_sk_add(&sum, local_sk, farmer_sk);
  if (include_taproot) {
    struct bls_pk lpk, fpk;
    struct bls_sk tsk;
    bls_sk_to_pk(local_sk, &lpk);
    bls_sk_to_pk(farmer_sk, &fpk);
    keys_taproot_sk(&tsk, &lpk, &fpk);
    bls_sk_add(&sum, &sum, &tsk);
    bls_sk_wipe(&tsk);
  }
  *out = sum;
  bls_sk_wipe(&sum);
}
