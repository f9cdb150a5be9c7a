#include "pool/chain.h"

#include <stdio.h>
#include <string.h>

/* The node reports unknown items as RPC errors; the pool branches on them,
 * so they become CP_NOT_FOUND here and nowhere else. */
static cp_err map_err(cp_err rc, const struct node_error *e)
{
  if (rc == CP_RPC_ERROR &&
      (!strcmp(e->code, "SP_NOT_IN_CACHE") || !strcmp(e->code, "COIN_RECORD_NOT_FOUND") ||
       strstr(e->message, "not found") || strstr(e->message, "not in cache") ||
       strstr(e->message, "Did not find")))
    return CP_NOT_FOUND;
  return rc;
}

static cp_err n_state(void *ctx, struct node_blockchain_state *out)
{
  struct node_error e;
  return map_err(fullnode_get_blockchain_state(ctx, out, &e), &e);
}

static cp_err n_sp(void *ctx, const uint8_t hash[32], bool eos, struct node_sp_or_eos *out)
{
  struct node_error e;
  return map_err(fullnode_get_signage_point_or_eos(ctx, eos ? NULL : hash, eos ? hash : NULL,
                                                   out, &e), &e);
}

static cp_err n_coin(void *ctx, const uint8_t id[32], struct node_coin_record *out)
{
  struct node_error e;
  return map_err(fullnode_get_coin_record_by_name(ctx, id, out, &e), &e);
}

static cp_err n_pas(void *ctx, const uint8_t id[32], uint32_t height,
                    struct node_coin_spend *out)
{
  struct node_error e;
  return map_err(fullnode_get_puzzle_and_solution(ctx, id, height, out, &e), &e);
}

static cp_err n_coins(void *ctx, const uint8_t (*phs)[32], size_t n,
                      const struct node_coin_query *q, struct node_coin_records *out)
{
  struct node_error e;
  return map_err(fullnode_get_coin_records_by_puzzle_hashes(ctx, phs, n, q, out, &e), &e);
}

static cp_err n_block(void *ctx, uint32_t height, struct node_block_record *out)
{
  struct node_error e;
  return map_err(fullnode_get_block_record_by_height(ctx, height, out, &e), &e);
}

static cp_err n_push(void *ctx, const json_t *sb, enum node_tx_status *status, char *why,
                     size_t whylen)
{
  struct node_error e;
  cp_err rc = fullnode_push_tx(ctx, sb, status, &e);
  if (rc && why)
    snprintf(why, whylen, "%s", e.message);
  return rc;
}

static const struct chain_ops node_ops = {
  .state = n_state,
  .signage_point = n_sp,
  .coin_record = n_coin,
  .puzzle_and_solution = n_pas,
  .coins_by_puzzle_hashes = n_coins,
  .block_record_by_height = n_block,
  .push_tx = n_push,
};

void chain_from_node(struct chain *out, struct node_client *node)
{
  out->ops = &node_ops;
  out->ctx = node;
}
