/* An in-memory simulated chain on a network's constants (default
 * "simulator"): signage points, blocks, the coin set and the mempool.
 *
 * Signage points. Sub-slots of num_sps_sub_slot (64) signage points. Index
 * 0 of a sub-slot is its end-of-sub-slot bundle: its sp hash is the slot's
 * challenge, which is sha256 of the previous slot's ChallengeChainSubSlot
 * (streamable: the end-of-slot VDFInfo and four absent Optionals), as on a
 * real chain, so the pool may take an EOS partial's sp_hash as the
 * challenge. Index i > 0 has cc_vdf = (slot challenge, i * ssi / 64,
 * output) and sp hash = sha256(output), as Chia's cc_vdf.output.get_hash().
 * VDF outputs are sha256 expansions of (seed, slot, index): deterministic
 * for a seed, never real VDFs. The last SIM_SP_CACHE points are kept, like
 * the node's signage point cache; older ones are "not in cache".
 *
 * Time. The chain has no clock of its own: sim_chain_advance() makes the
 * next signage points (the node's ticker calls it every ms_per_sp, tests
 * call it directly) and stamps them with clock_unix_ms(), so time_received
 * is comparable with the pool's clock (which tests may override).
 *
 * Blocks. Every block is a transaction block carrying its own rewards:
 * the pool coin (7/8) and the farmer coin (1/8 + the fees of its bundles)
 * with Chia's coinbase parent ids for its height, confirmed at that height
 * (a real chain confirms them one transaction block later; the pool finds
 * them by puzzle hash and height from the parent id either way). Height 0
 * is made at creation with the genesis puzzle hashes of the config.
 *
 * Winning. sim_chain_submit_block_proof() checks a real v1 proof of space
 * for a recent signage point (filter, challenge, pos_verify) and its
 * required iterations at the chain difficulty against the sp interval
 * (ssi / 64), as consensus does; a win makes the next block at that signage
 * point with every pending mempool bundle that still validates.
 *
 * Locking. One mutex guards everything; every call takes it and copies its
 * results out, so the RPC server, the ticker and in-process farmers may
 * call from any thread. Callbacks run without the lock held. */
#ifndef CP_SIM_CHAIN_H
#define CP_SIM_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chia/constants.h"
#include "chia/types.h"
#include "sim/mempool.h"
#include "util/err.h"

#define SIM_SP_CACHE 500
#define SIM_VDF_OUTPUT_LEN 100
/* With the simulator's constants (ssi 2^26, its difficulty constant factor)
 * one k18 proof wins with probability about 0.5 / difficulty, and the 2-bit
 * filter gives about one proof per plot in four per signage point: four
 * k18 plots win about every 2 * difficulty signage points, so 64 is a block
 * every ~2 simulated sub-slots (about two minutes at 1 s per signage point). */
#define SIM_DEFAULT_DIFFICULTY 64
/* Pending bundles at most (the demo sends a few per block). */
#define SIM_MAX_PENDING 1000

struct sim_chain_config {
  const struct chia_consts *net;  /* NULL = consts_get("simulator") */
  uint64_t difficulty;            /* 0 = SIM_DEFAULT_DIFFICULTY */
  uint64_t sub_slot_iters;        /* 0 = net->sub_slot_iters_starting */
  uint64_t seed;                  /* signage point and header hashes */
  uint8_t genesis_farmer_ph[32];  /* rewards of height 0 */
  uint8_t genesis_pool_ph[32];
};

struct sim_vdf {
  uint8_t challenge[32];
  uint64_t iters;
  uint8_t output[SIM_VDF_OUTPUT_LEN];
};

struct sim_sp {
  uint64_t seq;                  /* signage points since the chain began */
  uint64_t slot;
  uint8_t index;                 /* 0 = end of sub-slot */
  uint8_t challenge_hash[32];    /* the sub-slot's challenge */
  uint8_t sp_hash[32];           /* == challenge_hash at index 0 */
  struct sim_vdf cc_vdf;         /* index 0: the previous slot's end VDF */
  struct sim_vdf rc_vdf;
  uint64_t time_received_ms;     /* unix ms */
  bool reverted;
};

struct sim_block {
  uint32_t height;
  uint8_t header_hash[32];
  uint8_t prev_hash[32];
  chia_u128 weight;
  chia_u128 total_iters;
  uint64_t sp_seq;               /* signage point it was made at */
  uint8_t sp_index;
  uint8_t challenge_hash[32];    /* of its sub-slot */
  bool first_in_sub_slot;
  uint64_t sub_slot_iters;
  uint64_t required_iters;
  uint8_t farmer_ph[32];
  uint8_t pool_ph[32];
  uint64_t timestamp;            /* unix seconds */
  uint64_t fees;
  uint8_t cc_output[SIM_VDF_OUTPUT_LEN];
};

struct sim_chain_state {
  struct sim_block peak;
  uint64_t difficulty;
  uint64_t sub_slot_iters;
  chia_u128 space;               /* bytes, estimated from the win rate */
  size_t mempool_size;           /* bundles */
  uint64_t mempool_cost;
  uint64_t mempool_fees;
};

struct sim_chain;

typedef void (*sim_sp_fn)(const struct sim_sp *sp, void *ud);

/* lifecycle */
void sim_chain_config_init(struct sim_chain_config *cfg);
cp_err sim_chain_new(const struct sim_chain_config *cfg, struct sim_chain **out);
void sim_chain_free(struct sim_chain *c);
/* Called (without the lock) for every new signage point; one listener,
 * NULL to remove. Set it before other threads use the chain. */
void sim_chain_on_signage_point(struct sim_chain *c, sim_sp_fn fn, void *ud);

/* queries */
const struct chia_consts *sim_chain_net(const struct sim_chain *c);
void sim_chain_state(struct sim_chain *c, struct sim_chain_state *out);
void sim_chain_current_sp(struct sim_chain *c, struct sim_sp *out);
/* By sp hash (eos = false) or by sub-slot challenge hash (eos = true, the
 * slot's index-0 point). CP_NOT_FOUND if not in the cache. */
cp_err sim_chain_get_sp(struct sim_chain *c, const uint8_t hash[32], bool eos,
                        struct sim_sp *out);
cp_err sim_chain_block_by_height(struct sim_chain *c, uint32_t height,
                                 struct sim_block *out);
cp_err sim_chain_block_by_hash(struct sim_chain *c, const uint8_t hash[32],
                               struct sim_block *out);
/* Blocks [start, end) that exist, at most max (malloc'd, caller frees). */
cp_err sim_chain_blocks(struct sim_chain *c, uint32_t start, uint32_t end,
                        struct sim_block **out, size_t *n);
cp_err sim_chain_coin(struct sim_chain *c, const uint8_t id[32],
                      struct sim_coin_record *out);
/* Whether a bundle waiting in the mempool spends coin id (a wallet learns
 * this from its node and does not pick that coin again). */
bool sim_chain_spent_in_mempool(struct sim_chain *c, const uint8_t id[32]);
/* Coins at any of the puzzle hashes, confirmed in [start, end) (end 0 = no
 * bound), spent ones only if include_spent. *out is malloc'd. */
cp_err sim_chain_coins_by_puzzle_hashes(struct sim_chain *c, const uint8_t (*phs)[32],
                                        size_t n, bool include_spent, uint32_t start,
                                        uint32_t end, struct sim_coin_record **out,
                                        size_t *count);
/* The spend of a spent coin, and the height it was spent at. CP_NOT_FOUND
 * for an unknown or unspent coin. Release with chia_coin_spend_release. */
cp_err sim_chain_coin_spend(struct sim_chain *c, const uint8_t id[32],
                            struct chia_coin_spend *out, uint32_t *spent_height);
/* Coins created and spent by a block (malloc'd). */
cp_err sim_chain_additions_removals(struct sim_chain *c, const uint8_t header_hash[32],
                                    struct sim_coin_record **adds, size_t *n_adds,
                                    struct sim_coin_record **rems, size_t *n_rems);

/* mutations: time */
/* Make the next n signage points. */
void sim_chain_advance(struct sim_chain *c, unsigned n);
/* Mark the last n signage points (at most those cached) reverted. With
 * rollback_blocks, also undo every block made at one of them: its coins
 * disappear, the coins it spent are unspent again, its bundles are gone. */
void sim_chain_revert_signage_points(struct sim_chain *c, unsigned n,
                                     bool rollback_blocks);

/* mutations: coins and blocks */
/* A coin at puzzle_hash confirmed at the peak's height, not coinbase, with
 * a parent id derived from a counter (a genesis-style allocation for the
 * demo's wallets). out may be NULL. */
cp_err sim_chain_give(struct sim_chain *c, const uint8_t puzzle_hash[32], uint64_t amount,
                      struct chia_coin *out);
/* An exact coin, confirmed at the peak's height (set-up of coins whose
 * parent matters, e.g. a singleton's lineage). CP_EXISTS if its id is
 * already in the coin set. */
cp_err sim_chain_add_coin(struct sim_chain *c, const struct chia_coin *coin);
/* Validate and queue a bundle for the next block. CP_OK when it is pending
 * (or was already); CP_TX_FAILED with *why the node's Err name. */
cp_err sim_chain_push_tx(struct sim_chain *c, const struct chia_spend_bundle *sb,
                         const char **why);
/* The same, but the pending bundles that spend one of sb's coins are
 * dropped rather than sb refused: what a real node's replace-by-fee does,
 * or another farmer including a conflicting bundle first. */
cp_err sim_chain_replace_tx(struct sim_chain *c, const struct chia_spend_bundle *sb,
                            const char **why);
/* A block at the current signage point without a proof (tests and demo
 * set-up: "farm a block"). height may be NULL. */
cp_err sim_chain_farm_block(struct sim_chain *c, const uint8_t farmer_ph[32],
                            const uint8_t pool_ph[32], uint32_t *height);
/* A block won with a v1 proof of space for one of the last few signage
 * points. The pool reward goes to pool_ph, which must equal the proof's
 * pool_contract_puzzle_hash for a plot-NFT plot. Errors: CP_NOT_FOUND (sp
 * unknown or reverted), CP_SIM_STALE (too old, or a block already exists at
 * or after it), CP_BAD_PROOF (invalid, fails the filter or the challenge;
 * *why says which), CP_SIM_NOT_WINNING (required iters too high), CP_INVAL. */
cp_err sim_chain_submit_block_proof(struct sim_chain *c, const struct chia_pos *pos,
                                    const uint8_t sp_hash[32],
                                    const uint8_t farmer_ph[32],
                                    const uint8_t pool_ph[32], uint32_t *height,
                                    const char **why);

#endif
