/* Internals shared by farmer.c (keys, plot NFT, proofs) and farmer_pool.c
 * (the HTTP side of the pool protocol). */
#ifndef CP_SIM_FARMER_INT_H
#define CP_SIM_FARMER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <jansson.h>

#include "chia/types.h"
#include "crypto/bls.h"
#include "plotnft/puzzles.h"
#include "pos/plotter.h"
#include "sim/farmer.h"
#include "util/buf.h"

#define FARMER_HELD_MAX 64
#define FARMER_HTTP_MAX (1u << 20)

struct farmer_plot {
  struct pos_plot *plot;
  struct bls_sk local_sk;
  struct bls_pk local_pk;
  struct bls_pk plot_pk;
  uint8_t id[32];
};

/* A partial body held back (stale mode) until due_ms. */
struct farmer_held {
  uint64_t due_ms;
  char *body;
};

struct sim_farmer {
  struct sim_farmer_config cfg;
  char name[SIM_FARMER_NAME_MAX + 1];
  char url[SIM_FARMER_URL_MAX + 1];
  struct sim_chain *chain;
  const struct chia_consts *net;

  struct bls_sk master, farmer_sk, wallet_sk, owner_sk, auth_sk, rogue_sk;
  struct bls_pk farmer_pk, wallet_pk, owner_pk, auth_pk;
  uint8_t wallet_ph[32];
  struct chia_coin gift;
  uint8_t harvester_id[32];

  /* from GET /pool_info */
  bool have_pool_info;
  uint8_t target_ph[32];
  uint32_t lock_height;
  uint64_t min_difficulty;
  uint8_t token_timeout;

  /* the plot NFT */
  bool have_nft;
  struct plotnft_id id;
  uint8_t p2_ph[32];

  struct farmer_plot plots[SIM_FARMER_MAX_PLOTS];
  unsigned n_plots;

  void *curl;                     /* CURL *, used by the driving thread */
  uint64_t next_refresh_ms;
  struct farmer_held held[FARMER_HELD_MAX];
  size_t n_held;
  bool have_last_seq;
  uint64_t last_seq;

  pthread_mutex_t mu;             /* guards st and mode */
  struct sim_farmer_stats st;
  enum sim_farmer_mode mode;

  pthread_t thread;
  bool running;
  uint32_t poll_ms;
  atomic_int stop;
};

/* farmer_pool.c: HTTP. *resp is a new reference on CP_OK (a JSON object,
 * possibly with error_code). CP_RPC_TRANSPORT for connection failures or
 * HTTP status >= 400; CP_BAD_JSON for a body that is not an object. */
cp_err farmer__http(struct sim_farmer *f, const char *method, const char *path,
                    const char *query, const char *body, bool partial_headers,
                    json_t **resp);
/* The error code of a protocol error body, POOL_OK for success bodies. */
enum pool_code farmer__code(const json_t *resp);
/* GET /farmer: difficulty from the pool; POST /farmer if unknown. */
void farmer__refresh(struct sim_farmer *f);
/* Send one partial body and count the answer. */
void farmer__send_partial(struct sim_farmer *f, const char *body);

#endif
