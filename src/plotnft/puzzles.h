/* Plot-NFT puzzles: the embedded consensus puzzles and the curried puzzles
 * (and their hashes) of one plot NFT.
 *
 * A plot NFT is a singleton on the OLD top layer v1.0 (24e04410...), never
 * v1.1: chia's pool_puzzles.py builds it from singleton_top_layer.py. It
 * wraps one of two inner puzzles, pool member (farming to a pool) or waiting
 * room (self pooling or leaving a pool). Block rewards go to a separate
 * p2_singleton_or_delayed_puzhash address that only depends on the launcher
 * id and the delay parameters, so it survives every change of pool.
 *
 * Hashes are computed with curry-and-treehash from the mod hashes and the
 * argument hashes, without building trees: that is what a pool checking
 * thousands of farmers needs. The *_puzzle() builders emit the serialized
 * programs, byte-identical to chia's, for spends. */
#ifndef CP_PLOTNFT_PUZZLES_H
#define CP_PLOTNFT_PUZZLES_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

enum plotnft_puzzle_id {
  PLOTNFT_PUZ_SINGLETON,     /* singleton_top_layer v1.0 */
  PLOTNFT_PUZ_LAUNCHER,      /* singleton_launcher */
  PLOTNFT_PUZ_P2_SINGLETON,  /* p2_singleton_or_delayed_puzhash */
  PLOTNFT_PUZ_MEMBER,        /* pool_member_innerpuz */
  PLOTNFT_PUZ_WAITINGROOM,   /* pool_waitingroom_innerpuz */
  PLOTNFT_PUZ_P2_DELEGATED,  /* standard wallet puzzle, for fee coins */
  PLOTNFT_PUZ_COUNT
};

struct plotnft_puzzle {
  const char *name;          /* as in tests/vectors/puzzles.json */
  const uint8_t *bytes;      /* serialized program */
  size_t len;
  uint8_t hash[32];          /* its tree hash (the mod hash) */
};

/* Generated table (src/plotnft/puzzle_data.c, scripts/gen-puzzles). */
extern const struct plotnft_puzzle plotnft_puzzle_table[PLOTNFT_PUZ_COUNT];

/* Default SECONDS_DELAY of the p2_singleton (7 days, pool_wallet.py). */
#define PLOTNFT_DEFAULT_DELAY_TIME 604800u
/* The launcher always creates an amount-1 singleton. */
#define PLOTNFT_SINGLETON_AMOUNT 1u

/* What fixes a plot NFT's addresses, apart from its PoolState: the
 * launcher id and the delay parameters from the launcher spend. */
struct plotnft_id {
  uint8_t launcher_id[32];
  uint64_t delay_time;        /* seconds before the farmer may sweep */
  uint8_t delay_ph[32];       /* where the sweep goes */
};

/* The values both inner puzzles are curried with. The member puzzle
 * commits to lock_height only through the waiting-room hash. */
struct plotnft_inner_args {
  uint8_t target_ph[32];      /* PoolState.target_puzzle_hash */
  uint8_t p2_ph[32];          /* plotnft_p2_hash() */
  uint8_t owner_pk[48];       /* PoolState.owner_pubkey (G1, compressed) */
  uint8_t reward_prefix[32];  /* plotnft_reward_prefix() */
  uint32_t lock_height;       /* PoolState.relative_lock_height */
};

enum plotnft_inner_kind {
  PLOTNFT_INNER_MEMBER = 1,
  PLOTNFT_INNER_WAITINGROOM = 2
};

/* --- lifecycle --- */
/* Check every embedded puzzle against its tree hash (and that the v1.0
 * singleton is the one in use). CP_BAD_SINGLETON on any mismatch; call once
 * at start-up before trusting any spend built here. */
cp_err plotnft_init(void);
const struct plotnft_puzzle *plotnft_puzzle(enum plotnft_puzzle_id id);

/* --- hashes (pure; no allocation, cannot fail) --- */
/* First 16 bytes of the genesis challenge, then 16 zero bytes. */
void plotnft_reward_prefix(const uint8_t genesis_challenge[32],
                           uint8_t out[32]);
/* Tree hash of (SINGLETON_MOD_HASH . (launcher_id . LAUNCHER_HASH)). */
void plotnft_struct_hash(const uint8_t launcher_id[32], uint8_t out[32]);
/* Full singleton puzzle hash around an inner puzzle hash. */
void plotnft_full_hash(const uint8_t launcher_id[32],
                       const uint8_t inner_hash[32], uint8_t out[32]);
/* The p2_singleton_or_delayed_puzhash address of a plot NFT. */
void plotnft_p2_hash(const struct plotnft_id *id, uint8_t out[32]);
void plotnft_waitingroom_hash(const struct plotnft_inner_args *a,
                              uint8_t out[32]);
void plotnft_member_hash(const struct plotnft_inner_args *a, uint8_t out[32]);
/* Either of the two by kind. */
void plotnft_inner_hash(enum plotnft_inner_kind kind,
                        const struct plotnft_inner_args *a, uint8_t out[32]);

/* --- serialized programs (appended to out; CP_TOO_BIG past its max) --- */
/* The singleton struct as a CLVM value. */
cp_err plotnft_struct_serialize(const uint8_t launcher_id[32], struct buf *out);
cp_err plotnft_p2_puzzle(const struct plotnft_id *id, struct buf *out);
cp_err plotnft_inner_puzzle(enum plotnft_inner_kind kind,
                            const struct plotnft_inner_args *a,
                            struct buf *out);
/* curry(SINGLETON v1.0, struct, inner) around an already serialized inner
 * puzzle (not checked here beyond being copied verbatim). */
cp_err plotnft_full_puzzle(const uint8_t launcher_id[32], const uint8_t *inner,
                           size_t inner_len, struct buf *out);

/* --- small CLVM serialisation helpers shared by the plotnft modules --- */
/* Append one atom in serialized form (any length the format allows). */
cp_err plotnft__put_atom(struct buf *out, const uint8_t *p, size_t n);
/* Append a u64 as its minimal CLVM integer atom. */
cp_err plotnft__put_u64(struct buf *out, uint64_t v);

#endif
