/* A simulated farmer: one real BLS master key, a plot NFT on the simulated
 * chain, a few small in-memory plots, and the pool-protocol client side of
 * chia's farmer (2.7.3 farmer_api.py / farmer.py), talking HTTP to a pool.
 *
 * Keys (chia/wallet/derive_keys.py): farmer m/12381/8444/0/0, plot local
 * keys m/12381/8444/3/i, wallet m/12381/8444/2/0 (unhardened, as the wallet
 * derives receive addresses), singleton owner m/12381/8444/5/0,
 * authentication m/12381/8444/6/0. Plots are farmed to the plot NFT's
 * p2_singleton puzzle hash, so their plot key includes the taproot key.
 *
 * Plot NFT (pool_wallet.py create_new_pool_wallet_transaction): a standard
 * coin given at start spends into the launcher (amount 1) and its change,
 * asserting the launcher's announcement; the launcher solution is
 * (full_puzzle_hash 1 ((p . PoolState) (t . delay_time) (h . delay_ph)))
 * with state FARMING_TO_POOL straight away, so the eve singleton carries
 * the pool-member inner puzzle.
 *
 * Signage points: every plot passing the filter is looked up; each proof
 * good enough for the farmer's pool difficulty becomes a partial, signed
 * like the real farmer (plot-key shares with the plot key as prefix,
 * aggregated with the authentication key's signature over the same
 * message), and a proof that also wins a block at the chain's difficulty
 * is handed to the chain so the pool reward goes to the p2_singleton.
 *
 * One farmer is driven by one thread (sim_farmer_start, or a caller that
 * calls the step functions); the counters may be read from any thread. */
#ifndef CP_SIM_FARMER_H
#define CP_SIM_FARMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pool/protocol.h"
#include "sim/chain.h"
#include "util/err.h"

#define SIM_FARMER_NAME_MAX 32
#define SIM_FARMER_URL_MAX 256
#define SIM_FARMER_MAX_PLOTS 64
/* Standard coin each farmer starts with (1 XCH). */
#define SIM_FARMER_GIFT 1000000000000ULL

/* Misbehaviour on command. */
enum sim_farmer_mode {
  SIM_FARMER_HONEST = 0,
  SIM_FARMER_STALE,      /* hold partials back past the pool's time limit */
  SIM_FARMER_FORGED,     /* flip a bit of the proof (then sign it) */
  SIM_FARMER_WRONG_KEY,  /* sign with an authentication key the pool lacks */
};

struct sim_farmer_config {
  struct sim_chain *chain;        /* not owned */
  const char *name;               /* for logs; copied */
  uint8_t seed[32];               /* master key seed */
  unsigned n_plots;               /* default 2 */
  unsigned k;                     /* default 18 */
  const char *pool_url;           /* "http://127.0.0.1:PORT", copied */
  bool test_mode;                 /* the pool's test_mode iterations bound */
  uint32_t stale_delay_ms;        /* SIM_FARMER_STALE hold time; default 30000 */
  uint32_t refresh_ms;            /* GET /farmer period; default 300000 */
};

/* What the pool said, and what the farmer did. */
struct sim_farmer_stats {
  uint64_t signage_points;
  uint64_t proofs;                /* passed filter and looked up */
  uint64_t partials_sent;
  uint64_t accepted;
  uint64_t rejected[POOL_CODE_LAST]; /* by pool error code */
  uint64_t transport_errors;
  uint64_t points_acknowledged;   /* sum of new_difficulty on success */
  uint64_t difficulty;            /* current difficulty */
  uint64_t difficulty_changes;
  uint64_t blocks_won;
  uint64_t blocks_refused;
};

struct sim_farmer;

/* lifecycle */
void sim_farmer_config_init(struct sim_farmer_config *cfg);
/* Derives keys and receives the starting coin on the chain. */
cp_err sim_farmer_new(const struct sim_farmer_config *cfg, struct sim_farmer **out);
void sim_farmer_free(struct sim_farmer *f);

/* set-up steps, in order; a block must confirm step 2 before step 4
 * (the pool follows the singleton on chain) */
/* 1. GET /pool_info: target puzzle hash, lock height, min difficulty. */
cp_err sim_farmer_fetch_pool_info(struct sim_farmer *f);
/* 2. Push the plot NFT creation bundle to the chain's mempool; the next
 * block confirms it. *why gets the mempool's reason on CP_TX_FAILED. */
cp_err sim_farmer_create_plotnft(struct sim_farmer *f, const char **why);
/* 3. Build the plots (k from the config) for the plot NFT's p2 address. */
cp_err sim_farmer_make_plots(struct sim_farmer *f);
/* 4. POST /farmer, then GET /farmer. CP_RPC_ERROR if the pool refused
 * (code in *code, may be NULL). */
cp_err sim_farmer_join(struct sim_farmer *f, enum pool_code *code);

/* 5. Leave the pool (chia's self_pool from FARMING_TO_POOL): spend the
 * singleton from the pool-member inner puzzle to the waiting room with
 * PoolState LEAVING_POOL, signed by the owner key; the pool keeps it a
 * member until relative_lock_height blocks have passed. Pushed to the
 * mempool; the next block confirms it. */
cp_err sim_farmer_leave(struct sim_farmer *f, const char **why);

/* running */
/* Handle one signage point (partials, block proofs). */
void sim_farmer_on_sp(struct sim_farmer *f, const struct sim_sp *sp);
/* Send held-back partials that are due, refresh GET /farmer when due. */
void sim_farmer_tick(struct sim_farmer *f);
/* A thread polling the chain every poll_ms for new signage points. */
cp_err sim_farmer_start(struct sim_farmer *f, uint32_t poll_ms);
void sim_farmer_stop(struct sim_farmer *f);
void sim_farmer_set_mode(struct sim_farmer *f, enum sim_farmer_mode m);

/* queries */
const char *sim_farmer_name(const struct sim_farmer *f);
void sim_farmer_stats(struct sim_farmer *f, struct sim_farmer_stats *out);
/* Launcher id (valid after create_plotnft) and p2_singleton puzzle hash. */
const uint8_t *sim_farmer_launcher_id(const struct sim_farmer *f);
const uint8_t *sim_farmer_p2_ph(const struct sim_farmer *f);
const uint8_t *sim_farmer_wallet_ph(const struct sim_farmer *f);

/* Build and sign the partial for a proof of the plot `plot` at signage
 * point sp (no HTTP): for tests and for checking what the pool receives.
 * *found = false if the plot has no proof there. */
struct chia_partial_request;
cp_err sim_farmer_partial_for(struct sim_farmer *f, unsigned plot, const struct sim_sp *sp,
                              struct chia_partial_request *out, bool *found);

#endif
