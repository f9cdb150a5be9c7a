/* Typed full node RPC calls (chia/full_node/full_node_rpc_api.py, 2.7.3).
 *
 * Each call fills plain structs from the node's JSON and checks every field
 * it reads: a missing key, a wrong type or an out-of-range integer is
 * CP_RPC_RESPONSE (a node we do not understand must not be half-trusted).
 * Keys we do not read are ignored. Lists are malloc'd; free them with the
 * matching *_free. err (may be NULL) gets the details of any failure, e.g.
 * err->code "SP_NOT_IN_CACHE" with CP_RPC_ERROR. Outputs are unspecified
 * after a failure (lists are left empty); inputs may point into outputs. */
#ifndef CP_NODE_FULLNODE_H
#define CP_NODE_FULLNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "chia/streamable.h"
#include "chia/types.h"
#include "node/rpc.h"

/* Lists longer than this are refused (the response cap bounds them too). */
#define FULLNODE_MAX_LIST 200000
/* get_block_records: we ask for at most this many heights per call */
#define FULLNODE_MAX_RANGE 1000
/* puzzle_reveal / solution bytes */
#define FULLNODE_MAX_PROGRAM (1u << 20)

struct node_coin {
  uint8_t parent_coin_info[32];
  uint8_t puzzle_hash[32];
  uint64_t amount;
};

struct node_coin_record {
  struct node_coin coin;
  uint32_t confirmed_block_index;
  uint32_t spent_block_index;      /* 0 while unspent */
  bool spent;
  bool coinbase;
  uint64_t timestamp;
};

struct node_coin_records {
  struct node_coin_record *v;
  size_t n;
};

struct node_block_record {
  uint8_t header_hash[32];
  uint8_t prev_hash[32];
  uint32_t height;
  chia_u128 weight;
  chia_u128 total_iters;
  uint8_t signage_point_index;
  uint64_t sub_slot_iters;
  uint8_t pool_puzzle_hash[32];
  uint8_t farmer_puzzle_hash[32];
  uint64_t required_iters;
  uint8_t deficit;
  bool overflow;
  uint32_t prev_transaction_block_height;
  bool is_transaction_block;       /* timestamp/fees/prev tx hash present */
  uint64_t timestamp;
  uint64_t fees;
  uint8_t prev_transaction_block_hash[32];
  bool first_in_sub_slot;          /* finished_challenge_slot_hashes non-null */
};

struct node_block_records {
  struct node_block_record *v;
  size_t n;
};

struct node_blockchain_state {
  bool has_peak;
  struct node_block_record peak;
  bool genesis_challenge_initialized;
  bool sync_mode;
  bool synced;
  uint32_t sync_tip_height;
  uint32_t sync_progress_height;
  uint64_t difficulty;
  uint64_t sub_slot_iters;
  chia_u128 space;
  uint64_t mempool_size;
};

struct node_vdf_info {
  uint8_t challenge[32];
  uint64_t number_of_iterations;
  uint8_t output[100];             /* ClassgroupElement data */
};

/* get_recent_signage_point_or_eos: SP fields or EOS fields by is_eos. */
struct node_sp_or_eos {
  bool is_eos;
  bool reverted;
  double time_received;            /* unix seconds */
  struct node_vdf_info cc_vdf;     /* SP: signage_point.cc_vdf;
                                      EOS: challenge_chain_end_of_slot_vdf */
  struct node_vdf_info rc_vdf;     /* SP only: signage_point.rc_vdf */
  bool has_new_difficulty;         /* EOS only */
  uint64_t new_difficulty;
  bool has_new_sub_slot_iters;
  uint64_t new_sub_slot_iters;
};

struct node_coin_spend {
  struct node_coin coin;
  uint8_t *puzzle_reveal;          /* serialized CLVM */
  size_t puzzle_reveal_len;
  uint8_t *solution;
  size_t solution_len;
};

enum node_tx_status { NODE_TX_SUCCESS, NODE_TX_PENDING };

struct node_network_info {
  char network_name[64];           /* "mainnet", "testnet11", ... */
  char network_prefix[16];         /* address prefix: "xch", "txch" */
  uint8_t genesis_challenge[32];
};

/* coin record queries: heights 0 mean "no bound" */
struct node_coin_query {
  bool include_spent_coins;
  uint32_t start_height;
  uint32_t end_height;
};

/* chain state */
/* Which chain the node follows: check it against the pool's constants. */
cp_err fullnode_get_network_info(struct node_client *c, struct node_network_info *out,
                                 struct node_error *err);
cp_err fullnode_get_blockchain_state(struct node_client *c,
                                     struct node_blockchain_state *out,
                                     struct node_error *err);
/* Exactly one of sp_hash / challenge_hash non-NULL (SP or end of slot). */
cp_err fullnode_get_signage_point_or_eos(struct node_client *c,
                                         const uint8_t sp_hash[32],
                                         const uint8_t challenge_hash[32],
                                         struct node_sp_or_eos *out,
                                         struct node_error *err);
cp_err fullnode_get_block_record_by_height(struct node_client *c, uint32_t height,
                                           struct node_block_record *out,
                                           struct node_error *err);
cp_err fullnode_get_block_record(struct node_client *c, const uint8_t header_hash[32],
                                 struct node_block_record *out,
                                 struct node_error *err);
/* Heights [start, end); end - start <= FULLNODE_MAX_RANGE. */
cp_err fullnode_get_block_records(struct node_client *c, uint32_t start, uint32_t end,
                                  struct node_block_records *out,
                                  struct node_error *err);

/* coins */
cp_err fullnode_get_coin_records_by_puzzle_hash(struct node_client *c,
                                                const uint8_t puzzle_hash[32],
                                                const struct node_coin_query *q,
                                                struct node_coin_records *out,
                                                struct node_error *err);
cp_err fullnode_get_coin_records_by_puzzle_hashes(struct node_client *c,
                                                  const uint8_t (*puzzle_hashes)[32],
                                                  size_t n,
                                                  const struct node_coin_query *q,
                                                  struct node_coin_records *out,
                                                  struct node_error *err);
/* Unknown coin: CP_RPC_ERROR with err->code "COIN_RECORD_NOT_FOUND". */
cp_err fullnode_get_coin_record_by_name(struct node_client *c, const uint8_t name[32],
                                        struct node_coin_record *out,
                                        struct node_error *err);
/* height must be the coin's spent_block_index. */
cp_err fullnode_get_puzzle_and_solution(struct node_client *c, const uint8_t coin_id[32],
                                        uint32_t height, struct node_coin_spend *out,
                                        struct node_error *err);
cp_err fullnode_get_additions_and_removals(struct node_client *c,
                                           const uint8_t header_hash[32],
                                           struct node_coin_records *additions,
                                           struct node_coin_records *removals,
                                           struct node_error *err);

/* mempool: spend_bundle is the SpendBundle JSON object. A FAILED bundle is
 * CP_RPC_ERROR with the node's reason in err->message. */
cp_err fullnode_push_tx(struct node_client *c, const json_t *spend_bundle,
                        enum node_tx_status *status, struct node_error *err);

/* parsing (exposed for the wallet calls and tests) */
cp_err fullnode_parse_coin(const json_t *j, struct node_coin *out);
cp_err fullnode_parse_coin_record(const json_t *j, struct node_coin_record *out);
cp_err fullnode_parse_block_record(const json_t *j, struct node_block_record *out);
/* Coin as JSON ("0x" hex, amount as an exact integer); NULL on OOM. */
json_t *fullnode_coin_json(const struct node_coin *coin);
/* The same coin as the chia layer's type (coin ids, puzzles). */
void fullnode_coin_to_chia(const struct node_coin *in, struct chia_coin *out);

/* cleanup */
void node_coin_records_free(struct node_coin_records *l);
void node_block_records_free(struct node_block_records *l);
void node_coin_spend_release(struct node_coin_spend *s);

#endif
