#include "node/fullnode.h"

#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "node/node_int.h"
#include "util/xalloc.h"

/* --- parsing --- */

cp_err fullnode_parse_coin(const json_t *j, struct node_coin *out)
{
  cp_err rc = cjson_get_hex(j, "parent_coin_info", out->parent_coin_info, 32);
  if (!rc)
    rc = cjson_get_hex(j, "puzzle_hash", out->puzzle_hash, 32);
  if (!rc)
    rc = cjson_get_u64(j, "amount", UINT64_MAX, &out->amount);
  return rc ? CP_RPC_RESPONSE : CP_OK;
}

cp_err fullnode_parse_coin_record(const json_t *j, struct node_coin_record *out)
{
  uint64_t ts;
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = fullnode_parse_coin(json_object_get(j, "coin"), &out->coin);
  if (!rc)
    rc = node__u32(j, "confirmed_block_index", &out->confirmed_block_index);
  if (!rc)
    rc = node__u32(j, "spent_block_index", &out->spent_block_index);
  if (!rc)
    rc = cjson_get_bool(j, "coinbase", &out->coinbase);
  if (!rc)
    rc = cjson_get_u64(j, "timestamp", UINT64_MAX, &ts);
  if (rc)
    return CP_RPC_RESPONSE;
  out->timestamp = ts;
  /* "spent" is a back-compat key; derive it when absent */
  if (cjson_get_bool(j, "spent", &out->spent) != CP_OK)
    out->spent = out->spent_block_index > 0;
  return CP_OK;
}

cp_err fullnode_parse_block_record(const json_t *j, struct node_block_record *out)
{
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = cjson_get_hex(j, "header_hash", out->header_hash, 32);
  if (!rc)
    rc = cjson_get_hex(j, "prev_hash", out->prev_hash, 32);
  if (!rc)
    rc = node__u32(j, "height", &out->height);
  if (!rc)
    rc = cjson_get_u128(j, "weight", &out->weight);
  if (!rc)
    rc = cjson_get_u128(j, "total_iters", &out->total_iters);
  if (!rc)
    rc = node__u8(j, "signage_point_index", &out->signage_point_index);
  if (!rc)
    rc = cjson_get_u64(j, "sub_slot_iters", UINT64_MAX, &out->sub_slot_iters);
  if (!rc)
    rc = cjson_get_hex(j, "pool_puzzle_hash", out->pool_puzzle_hash, 32);
  if (!rc)
    rc = cjson_get_hex(j, "farmer_puzzle_hash", out->farmer_puzzle_hash, 32);
  if (!rc)
    rc = cjson_get_u64(j, "required_iters", UINT64_MAX, &out->required_iters);
  if (!rc)
    rc = node__u8(j, "deficit", &out->deficit);
  if (!rc)
    rc = cjson_get_bool(j, "overflow", &out->overflow);
  if (!rc)
    rc = node__u32(j, "prev_transaction_block_height",
                   &out->prev_transaction_block_height);
  if (rc)
    return CP_RPC_RESPONSE;
  out->is_transaction_block = node__has(j, "timestamp");
  if (out->is_transaction_block) {
    rc = cjson_get_u64(j, "timestamp", UINT64_MAX, &out->timestamp);
    if (!rc)
      rc = cjson_get_u64(j, "fees", UINT64_MAX, &out->fees);
    if (!rc)
      rc = cjson_get_hex(j, "prev_transaction_block_hash",
                         out->prev_transaction_block_hash, 32);
    if (rc)
      return CP_RPC_RESPONSE;
  }
  out->first_in_sub_slot = node__has(j, "finished_challenge_slot_hashes");
  return CP_OK;
}

void fullnode_coin_to_chia(const struct node_coin *in, struct chia_coin *out)
{
  memcpy(out->parent_coin_info, in->parent_coin_info, 32);
  memcpy(out->puzzle_hash, in->puzzle_hash, 32);
  out->amount = in->amount;
}

json_t *fullnode_coin_json(const struct node_coin *coin)
{
  json_t *o = json_object();
  if (!o)
    return NULL;
  if (cjson_set_hex(o, "parent_coin_info", coin->parent_coin_info, 32) ||
      cjson_set_hex(o, "puzzle_hash", coin->puzzle_hash, 32) ||
      cjson_set_u64(o, "amount", coin->amount)) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* node_parse_fn adapters for the list and call helpers */
static cp_err parse_coin_record_any(const json_t *j, void *out)
{
  return fullnode_parse_coin_record(j, out);
}

static cp_err parse_block_record_any(const json_t *j, void *out)
{
  return fullnode_parse_block_record(j, out);
}

cp_err node__coin_records(const json_t *arr, struct node_coin_records *out)
{
  void *v;
  cp_err rc = node__list(arr, FULLNODE_MAX_LIST, sizeof *out->v, parse_coin_record_any,
                         &v, &out->n, NULL);
  out->v = v;
  return rc;
}

static cp_err parse_coin_records_any(const json_t *j, void *out)
{
  return node__coin_records(j, out);
}

static cp_err parse_vdf(const json_t *j, struct node_vdf_info *out)
{
  cp_err rc = cjson_get_hex(j, "challenge", out->challenge, 32);
  if (!rc)
    rc = cjson_get_u64(j, "number_of_iterations", UINT64_MAX,
                       &out->number_of_iterations);
  if (!rc)
    rc = cjson_get_hex(json_object_get(j, "output"), "data", out->output,
                       sizeof out->output);
  return rc ? CP_RPC_RESPONSE : CP_OK;
}

/* --- calls --- */

cp_err fullnode_get_network_info(struct node_client *c, struct node_network_info *out,
                                 struct node_error *err)
{
  static const char ep[] = "get_network_info";
  json_t *resp = NULL;
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = node_call(c, ep, NULL, &resp, err);
  /* genesis_challenge comes from config as plain hex; cjson takes both */
  if (!rc && (cjson_get_str(resp, "network_name", out->network_name,
                            sizeof out->network_name, NULL) ||
              cjson_get_str(resp, "network_prefix", out->network_prefix,
                            sizeof out->network_prefix, NULL) ||
              cjson_get_hex(resp, "genesis_challenge", out->genesis_challenge, 32)))
    rc = node__bad(err, ep, "network_name/network_prefix/genesis_challenge");
  json_decref(resp);
  return rc;
}

cp_err fullnode_get_blockchain_state(struct node_client *c,
                                     struct node_blockchain_state *out,
                                     struct node_error *err)
{
  static const char ep[] = "get_blockchain_state";
  json_t *resp = NULL;
  const json_t *bs, *sync;
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = node_call(c, ep, NULL, &resp, err);
  if (rc)
    goto out;
  bs = json_object_get(resp, "blockchain_state");
  sync = json_object_get(bs, "sync");
  if (cjson_get_bool(bs, "genesis_challenge_initialized",
                     &out->genesis_challenge_initialized) ||
      cjson_get_bool(sync, "sync_mode", &out->sync_mode) ||
      cjson_get_bool(sync, "synced", &out->synced) ||
      node__u32(sync, "sync_tip_height", &out->sync_tip_height) ||
      node__u32(sync, "sync_progress_height", &out->sync_progress_height) ||
      cjson_get_u64(bs, "difficulty", UINT64_MAX, &out->difficulty) ||
      cjson_get_u64(bs, "sub_slot_iters", UINT64_MAX, &out->sub_slot_iters) ||
      cjson_get_u128(bs, "space", &out->space) ||
      cjson_get_u64(bs, "mempool_size", UINT64_MAX, &out->mempool_size)) {
    rc = node__bad(err, ep, "blockchain_state field");
    goto out;
  }
  out->has_peak = node__has(bs, "peak");
  if (out->has_peak &&
      fullnode_parse_block_record(json_object_get(bs, "peak"), &out->peak))
    rc = node__bad(err, ep, "peak");
out:
  json_decref(resp);
  return rc;
}

cp_err fullnode_get_signage_point_or_eos(struct node_client *c,
                                         const uint8_t sp_hash[32],
                                         const uint8_t challenge_hash[32],
                                         struct node_sp_or_eos *out,
                                         struct node_error *err)
{
  static const char ep[] = "get_recent_signage_point_or_eos";
  json_t *req = NULL, *resp = NULL;
  const json_t *v, *cc;
  cp_err rc;

  if (!sp_hash == !challenge_hash)
    return CP_INVAL;
  rc = node__req(&req);
  if (!rc)
    rc = sp_hash ? cjson_set_hex(req, "sp_hash", sp_hash, 32)
                 : cjson_set_hex(req, "challenge_hash", challenge_hash, 32);
  if (!rc)
    rc = node_call(c, ep, req, &resp, err);
  if (rc)
    goto out;
  memset(out, 0, sizeof *out);
  v = json_object_get(resp, "time_received");
  if (!json_is_number(v) || cjson_get_bool(resp, "reverted", &out->reverted)) {
    rc = node__bad(err, ep, "time_received/reverted");
    goto out;
  }
  out->time_received = json_number_value(v);
  out->is_eos = challenge_hash != NULL;
  if (!out->is_eos) {
    v = json_object_get(resp, "signage_point");
    if (parse_vdf(json_object_get(v, "cc_vdf"), &out->cc_vdf) ||
        parse_vdf(json_object_get(v, "rc_vdf"), &out->rc_vdf))
      rc = node__bad(err, ep, "signage_point");
    goto out;
  }
  cc = json_object_get(json_object_get(resp, "eos"), "challenge_chain");
  if (parse_vdf(json_object_get(cc, "challenge_chain_end_of_slot_vdf"), &out->cc_vdf)) {
    rc = node__bad(err, ep, "eos.challenge_chain");
    goto out;
  }
  out->has_new_difficulty = node__has(cc, "new_difficulty");
  out->has_new_sub_slot_iters = node__has(cc, "new_sub_slot_iters");
  if ((out->has_new_difficulty &&
       cjson_get_u64(cc, "new_difficulty", UINT64_MAX, &out->new_difficulty)) ||
      (out->has_new_sub_slot_iters &&
       cjson_get_u64(cc, "new_sub_slot_iters", UINT64_MAX, &out->new_sub_slot_iters)))
    rc = node__bad(err, ep, "eos.challenge_chain");
out:
  json_decref(req);
  json_decref(resp);
  return rc;
}

cp_err fullnode_get_block_record_by_height(struct node_client *c, uint32_t height,
                                           struct node_block_record *out,
                                           struct node_error *err)
{
  json_t *req = NULL;
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = node__req_u64(&req, "height", height);
  if (!rc)
    rc = node__call_parse(c, "get_block_record_by_height", req, "block_record",
                          parse_block_record_any, out, err);
  json_decref(req);
  return rc;
}

cp_err fullnode_get_block_record(struct node_client *c, const uint8_t header_hash[32],
                                 struct node_block_record *out,
                                 struct node_error *err)
{
  json_t *req = NULL;
  cp_err rc;

  /* out is written only after the call: header_hash may point into it */
  rc = node__req_hash(&req, "header_hash", header_hash);
  if (!rc)
    rc = node__call_parse(c, "get_block_record", req, "block_record",
                          parse_block_record_any, out, err);
  json_decref(req);
  return rc;
}

cp_err fullnode_get_block_records(struct node_client *c, uint32_t start, uint32_t end,
                                  struct node_block_records *out,
                                  struct node_error *err)
{
  json_t *req = NULL;
  void *v = NULL;
  cp_err rc;

  out->v = NULL;
  out->n = 0;
  if (end < start || end - start > FULLNODE_MAX_RANGE)
    return CP_INVAL;
  rc = node__req_u64(&req, "start", start);
  if (!rc)
    rc = cjson_set_u64(req, "end", end);
  if (!rc)
    rc = node__call_list(c, "get_block_records", req, "block_records",
                         FULLNODE_MAX_RANGE, sizeof *out->v, parse_block_record_any,
                         &v, &out->n, err);
  out->v = v;
  json_decref(req);
  return rc;
}

static cp_err coin_query_set(json_t *req, const struct node_coin_query *q)
{
  cp_err rc;
  struct node_coin_query none = { false, 0, 0 };

  if (!q)
    q = &none;
  rc = cjson_set_bool(req, "include_spent_coins", q->include_spent_coins);
  if (!rc && q->start_height)
    rc = cjson_set_u64(req, "start_height", q->start_height);
  if (!rc && q->end_height)
    rc = cjson_set_u64(req, "end_height", q->end_height);
  return rc;
}

static cp_err coin_records_call(struct node_client *c, const char *ep, json_t *req,
                                struct node_coin_records *out,
                                struct node_error *err)
{
  return node__call_parse(c, ep, req, "coin_records", parse_coin_records_any, out, err);
}

cp_err fullnode_get_coin_records_by_puzzle_hash(struct node_client *c,
                                                const uint8_t puzzle_hash[32],
                                                const struct node_coin_query *q,
                                                struct node_coin_records *out,
                                                struct node_error *err)
{
  json_t *req = NULL;
  cp_err rc;

  out->v = NULL;
  out->n = 0;
  rc = node__req_hash(&req, "puzzle_hash", puzzle_hash);
  if (!rc)
    rc = coin_query_set(req, q);
  if (!rc)
    rc = coin_records_call(c, "get_coin_records_by_puzzle_hash", req, out, err);
  json_decref(req);
  return rc;
}

cp_err fullnode_get_coin_records_by_puzzle_hashes(struct node_client *c,
                                                  const uint8_t (*puzzle_hashes)[32],
                                                  size_t n,
                                                  const struct node_coin_query *q,
                                                  struct node_coin_records *out,
                                                  struct node_error *err)
{
  json_t *req = NULL, *arr = NULL;
  cp_err rc;

  out->v = NULL;
  out->n = 0;
  if (n > FULLNODE_MAX_LIST)
    return CP_INVAL;
  rc = node__req(&req);
  if (!rc && !(arr = json_array()))
    rc = CP_NOMEM;
  for (size_t i = 0; i < n && !rc; i++) {
    json_t *h = cjson_hex(puzzle_hashes[i], 32);
    if (!h || json_array_append_new(arr, h))
      rc = CP_NOMEM;
  }
  if (!rc && json_object_set(req, "puzzle_hashes", arr))
    rc = CP_NOMEM;
  if (!rc)
    rc = coin_query_set(req, q);
  if (!rc)
    rc = coin_records_call(c, "get_coin_records_by_puzzle_hashes", req, out, err);
  json_decref(arr);
  json_decref(req);
  return rc;
}

cp_err fullnode_get_coin_record_by_name(struct node_client *c, const uint8_t name[32],
                                        struct node_coin_record *out,
                                        struct node_error *err)
{
  json_t *req = NULL;
  cp_err rc;

  /* out is written only after the call: name may point into it */
  rc = node__req_hash(&req, "name", name);
  if (!rc)
    rc = node__call_parse(c, "get_coin_record_by_name", req, "coin_record",
                          parse_coin_record_any, out, err);
  json_decref(req);
  return rc;
}

/* Variable hex member into a fresh allocation of at most max bytes. */
static cp_err hex_alloc(const json_t *o, const char *key, size_t max,
                        uint8_t **out, size_t *len)
{
  const json_t *v = json_object_get(o, key);
  size_t cap;

  if (!json_is_string(v))
    return CP_RPC_RESPONSE;
  cap = json_string_length(v) / 2;
  if (cap > max)
    return CP_TOO_BIG;
  *out = xmalloc(cap ? cap : 1);
  if (cjson_get_hexvar(o, key, *out, cap, len)) {
    free(*out);
    *out = NULL;
    return CP_RPC_RESPONSE;
  }
  return CP_OK;
}

cp_err fullnode_get_puzzle_and_solution(struct node_client *c, const uint8_t coin_id[32],
                                        uint32_t height, struct node_coin_spend *out,
                                        struct node_error *err)
{
  static const char ep[] = "get_puzzle_and_solution";
  json_t *req = NULL, *resp = NULL;
  const json_t *cs;
  cp_err rc;

  rc = node__req_hash(&req, "coin_id", coin_id);
  if (!rc)
    rc = cjson_set_u64(req, "height", height);
  if (!rc)
    rc = node_call(c, ep, req, &resp, err);
  if (rc)
    goto out;
  /* the key is "coin_solution" for historical reasons */
  memset(out, 0, sizeof *out);
  cs = json_object_get(resp, "coin_solution");
  if (fullnode_parse_coin(json_object_get(cs, "coin"), &out->coin) ||
      hex_alloc(cs, "puzzle_reveal", FULLNODE_MAX_PROGRAM, &out->puzzle_reveal,
                &out->puzzle_reveal_len) ||
      hex_alloc(cs, "solution", FULLNODE_MAX_PROGRAM, &out->solution,
                &out->solution_len)) {
    node_coin_spend_release(out);
    rc = node__bad(err, ep, "coin_solution");
  }
out:
  json_decref(req);
  json_decref(resp);
  return rc;
}

cp_err fullnode_get_additions_and_removals(struct node_client *c,
                                           const uint8_t header_hash[32],
                                           struct node_coin_records *additions,
                                           struct node_coin_records *removals,
                                           struct node_error *err)
{
  static const char ep[] = "get_additions_and_removals";
  json_t *req = NULL, *resp = NULL;
  cp_err rc;

  additions->v = removals->v = NULL;
  additions->n = removals->n = 0;
  rc = node__req_hash(&req, "header_hash", header_hash);
  if (!rc)
    rc = node_call(c, ep, req, &resp, err);
  if (rc)
    goto out;
  if (node__coin_records(json_object_get(resp, "additions"), additions) ||
      node__coin_records(json_object_get(resp, "removals"), removals)) {
    node_coin_records_free(additions);
    rc = node__bad(err, ep, "additions/removals");
  }
out:
  json_decref(req);
  json_decref(resp);
  return rc;
}

cp_err fullnode_push_tx(struct node_client *c, const json_t *spend_bundle,
                        enum node_tx_status *status, struct node_error *err)
{
  static const char ep[] = "push_tx";
  json_t *req = NULL, *resp = NULL, *sb;
  const char *st;
  cp_err rc;

  if (!json_is_object(spend_bundle))
    return CP_INVAL;
  rc = node__req(&req);
  /* a private copy: the caller's object may be shared with other threads */
  if (!rc && (!(sb = json_deep_copy(spend_bundle)) ||
              json_object_set_new(req, "spend_bundle", sb)))
    rc = CP_NOMEM;
  if (!rc)
    rc = node_call(c, ep, req, &resp, err);
  if (rc)
    goto out;
  st = json_string_value(json_object_get(resp, "status"));
  if (st && !strcmp(st, "SUCCESS"))
    *status = NODE_TX_SUCCESS;
  else if (st && !strcmp(st, "PENDING"))
    *status = NODE_TX_PENDING;
  else
    rc = node__bad(err, ep, "status");
out:
  json_decref(req);
  json_decref(resp);
  return rc;
}

void node_coin_records_free(struct node_coin_records *l)
{
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

void node_block_records_free(struct node_block_records *l)
{
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

void node_coin_spend_release(struct node_coin_spend *s)
{
  free(s->puzzle_reveal);
  free(s->solution);
  s->puzzle_reveal = s->solution = NULL;
  s->puzzle_reveal_len = s->solution_len = 0;
}
