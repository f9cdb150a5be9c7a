/* The pool's view of the blockchain: a small table of operations with a
 * context, like SQLite's VFS. The server uses the node RPC client behind it
 * (chain_from_node); unit tests and the simulator substitute their own, so
 * the partial pipeline, membership checks and reward finding can be tested
 * against reverted signage points or a dead node without TLS servers.
 *
 * Errors: CP_NOT_FOUND when the node answers that it does not know the item
 * (signage point not in its cache, unknown coin); CP_RPC_TRANSPORT /
 * CP_TIMEOUT when the node cannot be reached; CP_RPC_ERROR / CP_RPC_RESPONSE
 * otherwise. Implementations must be callable from several threads. */
#ifndef CP_POOL_CHAIN_H
#define CP_POOL_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "node/fullnode.h"
#include "node/rpc.h"

struct chain_ops {
  cp_err (*state)(void *ctx, struct node_blockchain_state *out);
  /* eos = the hash is an end-of-sub-slot challenge hash, else an sp hash */
  cp_err (*signage_point)(void *ctx, const uint8_t hash[32], bool eos,
                          struct node_sp_or_eos *out);
  cp_err (*coin_record)(void *ctx, const uint8_t coin_id[32],
                        struct node_coin_record *out);
  cp_err (*puzzle_and_solution)(void *ctx, const uint8_t coin_id[32], uint32_t height,
                                struct node_coin_spend *out);
  cp_err (*coins_by_puzzle_hashes)(void *ctx, const uint8_t (*phs)[32], size_t n,
                                   const struct node_coin_query *q,
                                   struct node_coin_records *out);
  cp_err (*block_record_by_height)(void *ctx, uint32_t height,
                                   struct node_block_record *out);
  /* why (may be NULL) gets the node's reason for a refused bundle */
  cp_err (*push_tx)(void *ctx, const json_t *spend_bundle, enum node_tx_status *status,
                    char *why, size_t whylen);
};

struct chain {
  const struct chain_ops *ops;
  void *ctx;
};

/* A chain backed by a full node RPC client (not owned; must outlive it).
 * Node error codes SP_NOT_IN_CACHE / COIN_RECORD_NOT_FOUND map to
 * CP_NOT_FOUND. */
void chain_from_node(struct chain *out, struct node_client *node);

#endif
