/* The standard transaction: chia's p2_delegated_puzzle_or_hidden_puzzle
 * (the puzzle of every ordinary wallet coin) curried with a synthetic
 * public key, and spends through its delegated-puzzle path.
 *
 * Synthetic key (chia/wallet/puzzles/p2_delegated_puzzle_or_hidden_puzzle.py):
 *   offset = int_from_bytes(sha256(pk || hidden_puzzle_hash)) mod r
 *   synthetic_pk = pk + offset * G1,  synthetic_sk = sk + offset
 * where int_from_bytes is CLVM's SIGNED big-endian reading: a hash with the
 * top bit set is a negative number before the reduction mod r.
 * Wallets use DEFAULT_HIDDEN_PUZZLE (=), whose tree hash is
 * STDTX_DEFAULT_HIDDEN_PUZZLE_HASH.
 *
 * Spend: solution (() (q . CONDITIONS) ()), so the puzzle returns
 *   (AGG_SIG_ME synthetic_pk sha256tree((q . CONDITIONS))) : CONDITIONS
 * and the spend is signed with the synthetic secret key over
 *   sha256tree(delegated puzzle) || coin id || agg_sig_me_additional_data.
 *
 * Conditions are passed around serialized: a condition list is built with
 * struct stdtx_conds (or taken from elsewhere, e.g.
 * plotnft_absorb_fee_conditions). */
#ifndef CP_SIM_STDTX_H
#define CP_SIM_STDTX_H

#include <stddef.h>
#include <stdint.h>

#include "chia/types.h"
#include "crypto/bls.h"
#include "util/buf.h"
#include "util/err.h"

/* Serialized condition lists we build stay far below this. */
#define STDTX_CONDS_MAX (64u << 10)

extern const uint8_t STDTX_DEFAULT_HIDDEN_PUZZLE_HASH[32];

/* --- keys and puzzle hashes --- */
void stdtx_synthetic_pk(const struct bls_pk *pk, const uint8_t hidden_ph[32],
                        struct bls_pk *out);
void stdtx_synthetic_sk(const struct bls_sk *sk, const uint8_t hidden_ph[32],
                        struct bls_sk *out);
/* Puzzle hash of the standard puzzle for an already synthetic key. */
void stdtx_puzzle_hash_synthetic(const struct bls_pk *synthetic_pk, uint8_t out[32]);
/* Puzzle hash a wallet public key receives at (default hidden puzzle). */
void stdtx_puzzle_hash(const struct bls_pk *pk, uint8_t out[32]);
/* The serialized curried puzzle (the spend's puzzle reveal). */
cp_err stdtx_puzzle(const struct bls_pk *synthetic_pk, struct buf *out);

/* --- condition lists --- */
struct stdtx_conds {
  struct buf items;  /* "ff <condition>" per item, list end not yet added */
  size_t n;
};

void stdtx_conds_init(struct stdtx_conds *c);
void stdtx_conds_release(struct stdtx_conds *c);
/* (CREATE_COIN ph amount) or (CREATE_COIN ph amount (memo)) when memo is
 * non-NULL (memo_len <= 1024 bytes, e.g. a 32-byte hint). */
cp_err stdtx_conds_create_coin(struct stdtx_conds *c, const uint8_t ph[32],
                               uint64_t amount, const uint8_t *memo, size_t memo_len);
cp_err stdtx_conds_reserve_fee(struct stdtx_conds *c, uint64_t fee);
/* (ASSERT_COIN_ANNOUNCEMENT id) / (CREATE_COIN_ANNOUNCEMENT msg) */
cp_err stdtx_conds_assert_coin_ann(struct stdtx_conds *c, const uint8_t id[32]);
cp_err stdtx_conds_create_coin_ann(struct stdtx_conds *c, const uint8_t *msg,
                                   size_t len);
/* The list, serialized, appended to out. */
cp_err stdtx_conds_serialize(const struct stdtx_conds *c, struct buf *out);

/* --- CLVM serialisation helpers --- */
/* One atom (at most 8191 bytes: CP_TOO_BIG beyond) / a u64 as its minimal
 * CLVM integer, appended to b. */
cp_err stdtx_put_atom(struct buf *b, const uint8_t *p, size_t n);
cp_err stdtx_put_u64(struct buf *b, uint64_t v);

/* --- spends --- */
/* Spend of `coin` (which must be at stdtx_puzzle_hash(pk(sk))) whose
 * delegated puzzle is (q . conds); conds is one serialized CLVM list.
 * *sig gets the AGG_SIG_ME signature by the synthetic key; additional_data
 * is the network's agg_sig_me_additional_data. Release cs with
 * chia_coin_spend_release. */
cp_err stdtx_spend(const struct chia_coin *coin, const struct bls_sk *sk,
                   const uint8_t *conds, size_t conds_len,
                   const uint8_t additional_data[32], struct chia_coin_spend *cs,
                   struct bls_sig *sig);

#endif
