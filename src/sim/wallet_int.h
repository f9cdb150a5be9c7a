/* Internals shared by wallet.c (keys, coin selection, signing) and
 * wallet_rpc.c (the HTTPS wallet RPC endpoints). */
#ifndef CP_SIM_WALLET_INT_H
#define CP_SIM_WALLET_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chia/types.h"
#include "crypto/bls.h"
#include "http/server.h"
#include "sim/wallet.h"

/* One transaction the wallet made: a TransactionRecord's worth. */
struct wtx {
  uint8_t name[32];
  uint64_t created;
  uint8_t to_ph[32];
  uint64_t amount;             /* paid to others */
  uint64_t fee;
  struct chia_coin *adds;
  size_t n_adds;
  char **memos;                /* per addition, NULL = none */
  struct chia_coin *rems;
  size_t n_rems;
  uint8_t (*rem_ids)[32];
  bool confirmed;
  uint32_t confirmed_height;
};

struct sim_wallet {
  struct sim_chain *chain;
  const struct chia_consts *net;
  struct bls_sk master;
  unsigned n_keys;
  struct bls_sk sk[SIM_WALLET_MAX_KEYS];
  uint8_t ph[SIM_WALLET_MAX_KEYS][32];
  uint32_t fingerprint;
  pthread_mutex_t mu;          /* txs, and one send at a time */
  struct wtx *txs;
  size_t n_txs, cap_txs;
  struct http_server *http;
};

/* wallet.c. Refresh confirmation of pending transactions; caller holds mu. */
void wallet__update_confirmed(struct sim_wallet *w);
/* sim_wallet_sign; rec (may be NULL) gets the transaction's record, the
 * caller's to release with wallet__wtx_release. */
cp_err wallet__sign(struct sim_wallet *w, const struct sim_wallet_sign_opts *o,
                    struct chia_spend_bundle *out, struct wtx *rec, const char **why);
void wallet__wtx_release(struct wtx *t);

/* wallet_rpc.c: start the RPC server of cfg into w->http. */
cp_err wallet__serve(struct sim_wallet *w, const struct sim_wallet_config *cfg);

#endif
