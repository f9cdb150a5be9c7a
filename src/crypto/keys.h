/* Chia key derivation on top of bls.h.
 *
 * key_gen is the one Chia has used since launch: draft-irtf-cfrg-bls-
 * signature-03 (HKDF salt "BLS-SIG-KEYGEN-SALT-" unhashed, no retry loop),
 * not the later EIP-2333 text. Hardened children use EIP-2333's Lamport
 * construction feeding that same key_gen; unhardened children add
 * sha256(parent_pk || index) mod r, so they can be derived from a public key.
 *
 * Paths below are chia/wallet/derive_keys.py: all hardened from the master
 * key m, purpose 12381, coin type 8444. */
#ifndef CP_CRYPTO_KEYS_H
#define CP_CRYPTO_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bls.h"
#include "util/err.h"

#define KEYS_SEED_MIN 32
#define KEYS_PURPOSE 12381u
#define KEYS_COIN_TYPE 8444u
/* derive_keys.py packs (pool_wallet_index, index) into one path element as
 * pool_wallet_index * 10000 + index, so both must stay below 10000. */
#define KEYS_AUTH_INDEX_LIMIT 10000u
#define KEYS_PATH_MAX 8

enum keys_role {
  KEYS_FARMER,           /* m/12381/8444/0/0 */
  KEYS_POOL,             /* m/12381/8444/1/0 */
  KEYS_WALLET,           /* m/12381/8444/2/index */
  KEYS_LOCAL,            /* m/12381/8444/3/index (plot local keys) */
  KEYS_BACKUP,           /* m/12381/8444/4/0 */
  KEYS_SINGLETON_OWNER,  /* m/12381/8444/5/pool_wallet_index */
  KEYS_POOL_AUTH,        /* m/12381/8444/6/pool_wallet_index*10000+index */
};

/* --- key generation and single steps --- */

/* CP_INVAL if the seed is shorter than 32 bytes. */
cp_err keys_gen(struct bls_sk *sk, const uint8_t *seed, size_t n);
cp_err keys_derive_hardened(struct bls_sk *child, const struct bls_sk *parent,
                            uint32_t index);
void keys_derive_unhardened_sk(struct bls_sk *child,
                               const struct bls_sk *parent, uint32_t index);
void keys_derive_unhardened_pk(struct bls_pk *child,
                               const struct bls_pk *parent, uint32_t index);

/* --- paths --- */

cp_err keys_derive_path(struct bls_sk *out, const struct bls_sk *master,
                        const uint32_t *path, size_t n);
void keys_derive_path_unhardened_sk(struct bls_sk *out,
                                    const struct bls_sk *master,
                                    const uint32_t *path, size_t n);
void keys_derive_path_unhardened_pk(struct bls_pk *out,
                                    const struct bls_pk *master,
                                    const uint32_t *path, size_t n);

/* The path of a role as numbers (*n elements, at most KEYS_PATH_MAX) and as
 * text ("m/12381/8444/6/10002"). `index` is the wallet / local index, or
 * for KEYS_SINGLETON_OWNER the pool wallet index; `pool_wallet_index` is
 * used by KEYS_POOL_AUTH only. CP_INVAL for an index out of range. */
cp_err keys_role_path(enum keys_role role, uint32_t pool_wallet_index,
                      uint32_t index, uint32_t path[KEYS_PATH_MAX], size_t *n);
cp_err keys_path_str(char *out, size_t cap, const uint32_t *path, size_t n);
cp_err keys_role_sk(struct bls_sk *out, const struct bls_sk *master,
                    enum keys_role role, uint32_t pool_wallet_index,
                    uint32_t index);

/* --- plot keys --- */

/* Chia's generate_taproot_sk: key_gen(sha256(bytes(local_pk + farmer_pk) ||
 * local_pk || farmer_pk)). */
void keys_taproot_sk(struct bls_sk *out, const struct bls_pk *local_pk,
                     const struct bls_pk *farmer_pk);
/* Plot public key: local_pk + farmer_pk, plus the taproot key for plots
 * farmed to a pool contract (include_taproot != 0). */
void keys_plot_pk(struct bls_pk *out, const struct bls_pk *local_pk,
                  const struct bls_pk *farmer_pk, int include_taproot);
/* The matching secret: local_sk + farmer_sk (+ taproot_sk), so that
 * bls_sign with it equals the aggregate of the three prefixed shares. */
void keys_plot_sk(struct bls_sk *out, const struct bls_sk *local_sk,
                  const struct bls_sk *farmer_sk, int include_taproot);

#endif
