/* Reading a plot NFT's state from chain data: the launcher spend, each
 * singleton spend (as the node's get_puzzle_and_solution returns it), and
 * the walk from a launcher id to the current (unspent) singleton coin.
 *
 * Nothing here evaluates CLVM. Both inner puzzles are fixed, known code, so
 * what a spend does follows from its curried values and the shape of its
 * solution: an absorb recreates the same inner puzzle, a member travel goes
 * to the curried waiting-room hash, a waiting-room travel goes to the
 * destination in its solution; the singleton layer wraps each in the full
 * puzzle. The PoolState is read where chia's solution_to_pool_state reads
 * it (the "p" entry of a key-value list), so there is no untrusted code to
 * run, and the end of the walk is checked the way pool-reference does:
 * the tip's puzzle hash must equal the hash rebuilt from the latest
 * PoolState. */
#ifndef CP_PLOTNFT_STATE_H
#define CP_PLOTNFT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chia/types.h"
#include "plotnft/puzzles.h"
#include "util/err.h"

/* PoolState.state values (chia/pools/pool_wallet_info.py). */
#define PLOTNFT_SELF_POOLING 1
#define PLOTNFT_LEAVING_POOL 2
#define PLOTNFT_FARMING_TO_POOL 3

/* Spends followed at most by default before giving up on a lineage: a
 * plot NFT absorbing every few hours for years stays far below this, and a
 * hostile chain of spends cannot keep the walker busy forever. */
#define PLOTNFT_FOLLOW_MAX_DEFAULT 1000000u

/* Lineage proof for spending a singleton coin. */
struct plotnft_lineage {
  bool eve;                       /* the coin's parent is the launcher */
  uint8_t parent_parent[32];      /* eve: the launcher's parent coin id */
  uint8_t parent_inner_hash[32];  /* not used for eve */
  uint64_t parent_amount;         /* eve: the launcher's amount */
};

/* What the launcher spend says. */
struct plotnft_launch {
  struct plotnft_id id;           /* launcher id and the "t"/"h" entries */
  uint8_t launcher_parent[32];
  uint64_t launcher_amount;
  struct chia_pool_state state;   /* the "p" entry: initial PoolState */
  struct chia_coin eve;           /* the first singleton coin */
};

enum plotnft_action {
  PLOTNFT_ABSORB = 1,             /* pool collected a reward */
  PLOTNFT_TRAVEL = 2              /* owner moved the singleton */
};

/* What one singleton spend says. */
struct plotnft_spend {
  uint8_t launcher_id[32];
  uint8_t coin_id[32];            /* of the spent coin */
  enum plotnft_inner_kind kind;   /* inner puzzle of the spent coin */
  struct plotnft_inner_args args; /* its curried values; lock_height is
                                     only known for the waiting room */
  uint8_t waitingroom_hash[32];   /* member only: its escape destination */
  uint8_t inner_hash[32];         /* tree hash of the spent inner puzzle */
  enum plotnft_action action;
  bool has_reward;                /* absorb with decodable amount/height */
  uint64_t reward_amount;
  uint64_t reward_height;
  bool has_state;                 /* travel carrying a readable PoolState */
  struct chia_pool_state state;
  uint8_t next_inner_hash[32];
  struct chia_coin next;          /* the singleton coin this spend creates */
};

/* Fetch callback for plotnft_follow: look a coin up by id. Set *spent; if
 * spent, fill *spend with its CoinSpend (the walker releases it). Return
 * CP_NOT_FOUND if the coin does not exist, any other error to abort. */
typedef cp_err (*plotnft_fetch_fn)(void *ctx, const uint8_t coin_id[32],
                                   bool *spent, struct chia_coin_spend *spend);

/* Where a lineage walk ended. */
struct plotnft_tip {
  struct plotnft_launch launch;
  struct chia_pool_state state;   /* latest PoolState */
  enum plotnft_inner_kind kind;   /* inner puzzle of the tip */
  uint8_t inner_hash[32];
  uint8_t p2_ph[32];              /* the plot NFT's reward address */
  struct chia_coin coin;          /* current unspent singleton coin */
  uint8_t coin_id[32];
  struct plotnft_lineage lineage; /* proof for spending coin */
  uint32_t spends;                /* singleton spends walked */
};

/* --- PoolState -> puzzles --- */
/* Which inner puzzle a PoolState selects (pool_state_to_inner_puzzle:
 * self pooling and leaving use the waiting room, anything else member). */
enum plotnft_inner_kind plotnft_state_kind(const struct chia_pool_state *ps);
void plotnft_state_args(const struct plotnft_id *id,
                        const uint8_t genesis_challenge[32],
                        const struct chia_pool_state *ps,
                        struct plotnft_inner_args *out);
/* Inner and full puzzle hash a PoolState puts the singleton at; either
 * output may be NULL. */
void plotnft_state_hashes(const struct plotnft_id *id,
                          const uint8_t genesis_challenge[32],
                          const struct chia_pool_state *ps,
                          uint8_t inner[32], uint8_t full[32]);

/* --- reading spends --- */
/* Launcher spend: coin at the launcher puzzle hash, solution
 * (full_ph amount key_value_list). CP_BAD_SINGLETON if it is not a plot-NFT
 * launch (no readable "p", "t" or "h"), CP_CLVM_SERIAL on bad bytes. */
cp_err plotnft_launch_parse(const struct chia_coin_spend *cs,
                            struct plotnft_launch *out);
/* Singleton spend of a plot NFT (v1.0 top layer around a pool member or
 * waiting-room inner puzzle). CP_BAD_SINGLETON if it is anything else or
 * its puzzle reveal does not hash to the coin's puzzle hash. */
cp_err plotnft_spend_parse(const struct chia_coin_spend *cs,
                           struct plotnft_spend *out);
/* Lineage proof for spending the coin a parsed spend created. */
void plotnft_spend_lineage(const struct chia_coin_spend *cs,
                           const struct plotnft_spend *sp,
                           struct plotnft_lineage *out);

/* --- walking --- */
/* From the launcher to the unspent tip, at most max_spends singleton
 * spends (0 = PLOTNFT_FOLLOW_MAX_DEFAULT; more is CP_TOO_BIG). The tip's
 * puzzle hash must match the latest PoolState (CP_BAD_SINGLETON). */
cp_err plotnft_follow(const uint8_t launcher_id[32],
                      const uint8_t genesis_challenge[32],
                      plotnft_fetch_fn fetch, void *ctx, uint32_t max_spends,
                      struct plotnft_tip *out);

#endif
