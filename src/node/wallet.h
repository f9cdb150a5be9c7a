/* Typed wallet RPC calls (chia/wallet/wallet_rpc_api.py, 2.7.3), used by
 * the payout loop. Same conventions as node/fullnode.h: strict parsing of
 * what we read (CP_RPC_RESPONSE otherwise), unknown keys ignored, err may
 * be NULL. Balances are uint128 on the wire; one that does not fit in
 * uint64 is CP_RPC_RESPONSE rather than a truncated number. */
#ifndef CP_NODE_WALLET_H
#define CP_NODE_WALLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chia/types.h"
#include "node/fullnode.h"
#include "node/rpc.h"

#define WALLET_MAX_ADDITIONS 1000  /* payments per transaction */
#define WALLET_MAX_MEMO 1024       /* bytes per memo string */
#define WALLET_MAX_TXS 10000       /* get_transactions page */
#define WALLET_MAX_TX_COINS 10000  /* additions or removals read per record */

struct node_wallet_balance {
  uint32_t wallet_id;
  uint32_t wallet_type;
  uint64_t confirmed_wallet_balance;
  uint64_t unconfirmed_wallet_balance;
  uint64_t spendable_balance;
  uint64_t pending_change;
  uint64_t max_send_amount;
  uint32_t unspent_coin_count;
  uint32_t pending_coin_removal_count;
  bool has_fingerprint;              /* null when no key is logged in */
  uint32_t fingerprint;
};

struct node_tx_record {
  uint8_t name[32];                  /* transaction id */
  uint32_t confirmed_at_height;
  uint64_t created_at_time;
  uint8_t to_puzzle_hash[32];
  uint64_t amount;
  uint64_t fee_amount;
  bool confirmed;
  uint32_t sent;
  uint32_t wallet_id;
  uint32_t type;
  size_t n_additions;
  size_t n_removals;
};

struct node_tx_records {
  struct node_tx_record *v;
  size_t n;
};

/* A record's coins: "additions" (every coin its spend bundle creates,
 * change included) and "removals" (the coins it spends). Kept apart from
 * node_tx_record so records stay plain values that need no release;
 * malloc'd, free with node_tx_coins_release. */
struct node_tx_coins {
  struct node_coin *additions;
  size_t n_additions;
  struct node_coin *removals;
  size_t n_removals;
};

/* One output of send_transaction_multi. */
struct node_payment {
  uint8_t puzzle_hash[32];
  uint64_t amount;
  const char *memo;                  /* NULL for none; UTF-8 */
};

struct node_send_opts {
  uint32_t wallet_id;                /* 0 means 1 (the XCH wallet) */
  uint64_t fee;
  const struct node_coin *coins;     /* coins to spend; NULL = wallet picks */
  size_t n_coins;
  bool exclude_zero_coins;           /* excluded_coin_amounts [0], as the
                                        reference pool does */
  const uint8_t (*excluded_coin_ids)[32]; /* excluded_coin_ids; coins the
                                             wallet must not spend */
  size_t n_excluded;
};

/* A coin announcement the wallet's spend asserts: ASSERT_COIN_ANNOUNCEMENT
 * sha256(coin_id || message), so the spend is valid only in a bundle that
 * spends coin_id and has it announce message. */
struct node_coin_announcement {
  uint8_t coin_id[32];
  const uint8_t *message;
  size_t message_len;                /* <= WALLET_MAX_ANN_MSG */
};

#define WALLET_MAX_ANNOUNCEMENTS 1000 /* per create_signed_transaction */
#define WALLET_MAX_ANN_MSG 1024      /* the condition's message limit */

struct node_signed_tx_opts {
  uint32_t wallet_id;                /* 0 means 1 (the XCH wallet) */
  uint64_t fee;
  const struct node_coin_announcement *coin_announcements;
  size_t n_coin_announcements;
};

/* session */
cp_err wallet_log_in(struct node_client *c, uint32_t fingerprint,
                     uint32_t *logged_in, struct node_error *err);
cp_err wallet_get_sync_status(struct node_client *c, bool *synced, bool *syncing,
                              struct node_error *err);

/* queries */
cp_err wallet_get_wallet_balance(struct node_client *c, uint32_t wallet_id,
                                 struct node_wallet_balance *out,
                                 struct node_error *err);
cp_err wallet_get_transaction(struct node_client *c, const uint8_t tx_id[32],
                              struct node_tx_record *out, struct node_error *err);
/* The same with the record's coins (coins is empty after a failure). An
 * unknown id is CP_RPC_ERROR, err->message "Transaction 0x... not found". */
cp_err wallet_get_transaction_coins(struct node_client *c, const uint8_t tx_id[32],
                                    struct node_tx_record *out,
                                    struct node_tx_coins *coins,
                                    struct node_error *err);
/* Records [start, end) of wallet_id, newest last as the wallet sorts them. */
cp_err wallet_get_transactions(struct node_client *c, uint32_t wallet_id,
                               uint32_t start, uint32_t end,
                               struct node_tx_records *out, struct node_error *err);

/* payments: one transaction paying n outputs; out gets its record. Never
 * retried after the request left (see node/rpc.h), so a timeout here means
 * "unknown": look the transaction up before paying again. */
cp_err wallet_send_transaction_multi(struct node_client *c,
                                     const struct node_send_opts *opts,
                                     const struct node_payment *pay, size_t n,
                                     struct node_tx_record *out,
                                     struct node_error *err);

/* A spend of the wallet's coins paying n outputs plus fee, signed but NOT
 * pushed ("push": false; the wallet does not mark its coins as pending
 * either, so the caller must push it, or nothing happened): *out gets
 * signed_tx.spend_bundle (signed_txs[0] when signed_tx is absent). The
 * pool uses it to pay an absorb's blockchain fee (pool-reference
 * create_absorb_transaction). out is the caller's to release. */
cp_err wallet_create_signed_transaction(struct node_client *c,
                                        const struct node_signed_tx_opts *opts,
                                        const struct node_payment *pay, size_t n,
                                        struct chia_spend_bundle *out,
                                        struct node_error *err);

/* parsing and cleanup */
cp_err wallet_parse_tx_record(const json_t *j, struct node_tx_record *out);
/* A TransactionRecord's coin lists, at most WALLET_MAX_TX_COINS each. */
cp_err wallet_parse_tx_coins(const json_t *j, struct node_tx_coins *out);
void node_tx_records_free(struct node_tx_records *l);
void node_tx_coins_release(struct node_tx_coins *c);

#endif
