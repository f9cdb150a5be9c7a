/* The simulated wallet: one master key (keys_gen of a seed) whose standard
 * coins live on the simulated chain, spending through the chain's mempool,
 * and serving the wallet RPC endpoints a pool uses (docs/node-rpc.md,
 * chia/wallet/wallet_rpc_api.py 2.7.3 shapes) over HTTPS with mutual TLS
 * like the real wallet: the daemon certificate of the simulator's Chia root
 * as server certificate, a client certificate signed by its CA required.
 *
 * Endpoints: log_in, get_sync_status, get_wallet_balance,
 * send_transaction_multi, create_signed_transaction, get_transaction,
 * get_transactions.
 *
 * Keys: receive addresses are the standard puzzle of the unhardened
 * (observer) keys m/12381/8444/2/i, i < n_keys, as chia's wallet derives
 * them; change goes to index 0. The fingerprint is chia's: the first four
 * bytes of sha256(master public key), big-endian.
 *
 * Transactions: one spend per selected coin (largest first); the first
 * carries every output, the change and RESERVE_FEE and announces itself,
 * the others assert that announcement, so the bundle cannot be split.
 * Coins that a pending transaction or a bundle in the chain's mempool
 * spends are not selected (the real wallet hears of its coins' mempool
 * spends from its node). A transaction is confirmed once any of its removals is spent on chain, by
 * whichever bundle, as the Chia wallet does (so a double-spent transaction
 * reads "confirmed" too). */
#ifndef CP_SIM_WALLET_H
#define CP_SIM_WALLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/wallet.h"
#include "sim/chain.h"
#include "util/err.h"

#define SIM_WALLET_MAX_KEYS 100
#define SIM_WALLET_MAX_TXS 10000
#define SIM_WALLET_MAX_INPUTS 500

struct sim_wallet_config {
  struct sim_chain *chain;   /* not owned */
  uint8_t seed[32];
  unsigned n_keys;           /* default 10 */
  /* RPC server: chia_root NULL = in-process only */
  const char *chia_root;     /* sim_certs_ensure must have run */
  const char *bind_addr;     /* default "127.0.0.1" */
  uint16_t port;             /* 0 = ephemeral */
};

struct sim_wallet_balance {
  uint64_t confirmed;
  uint64_t spendable;
  uint64_t pending_change;
  uint32_t unspent_coins;
  uint32_t pending_removals;
};

struct sim_wallet;

/* create_signed_transaction */
struct sim_wallet_sign_opts {
  const struct node_payment *pay;
  size_t n;
  uint64_t fee;
  const struct node_coin_announcement *anns; /* asserted by the first spend */
  size_t n_anns;
  bool push;                 /* the RPC's default is false */
  const uint8_t (*excluded)[32]; /* excluded_coin_ids: never selected */
  size_t n_excluded;
};

/* lifecycle */
void sim_wallet_config_init(struct sim_wallet_config *cfg);
cp_err sim_wallet_new(const struct sim_wallet_config *cfg, struct sim_wallet **out);
void sim_wallet_free(struct sim_wallet *w);

/* queries */
uint32_t sim_wallet_fingerprint(const struct sim_wallet *w);
uint16_t sim_wallet_port(const struct sim_wallet *w);
/* Receive address i (< n_keys). */
void sim_wallet_puzzle_hash(const struct sim_wallet *w, unsigned i, uint8_t out[32]);
void sim_wallet_balance(struct sim_wallet *w, struct sim_wallet_balance *out);

/* mutations */
/* Pay n outputs plus fee in one bundle pushed to the chain's mempool;
 * tx_id gets the transaction id (the spend bundle's hash). CP_INVAL for
 * bad input, CP_NOT_FOUND when spendable coins do not cover it,
 * CP_TX_FAILED with *why from the mempool. */
cp_err sim_wallet_send(struct sim_wallet *w, const struct node_payment *pay, size_t n,
                       uint64_t fee, uint8_t tx_id[32], const char **why);
/* The same, never spending the coins excluded[0..n_excluded). */
cp_err sim_wallet_send_excluding(struct sim_wallet *w, const struct node_payment *pay, size_t n,
                                 uint64_t fee, const uint8_t (*excluded)[32], size_t n_excluded,
                                 uint8_t tx_id[32], const char **why);
/* Make transaction tx_id impossible: spend its first removal with another
 * bundle (all of it to receive address 1, no fee) that replaces it in the
 * mempool, as a conflicting spend with a higher fee, or one another farmer
 * included first, would. The next block confirms the other bundle; the
 * wallet keeps tx_id's record. new_tx_id gets the other bundle's id.
 * CP_NOT_FOUND for an unknown tx_id, CP_TX_FAILED with *why. */
cp_err sim_wallet_double_spend(struct sim_wallet *w, const uint8_t tx_id[32],
                               uint8_t new_tx_id[32], const char **why);
/* A signed bundle paying o->pay plus o->fee whose first spend also asserts
 * every announcement in o->anns (so it lands only with the spends that
 * make them). Without push it is only returned: no record, the coins stay
 * spendable (the real wallet's push=false). With push it goes to the
 * mempool and is recorded like sim_wallet_send. *out is the caller's to
 * release; tx_id gets its hash. Errors as sim_wallet_send. */
cp_err sim_wallet_sign(struct sim_wallet *w, const struct sim_wallet_sign_opts *o,
                       struct chia_spend_bundle *out, uint8_t tx_id[32], const char **why);

#endif
