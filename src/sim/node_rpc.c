#include "sim/node_rpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/coin.h"
#include "chia/types.h"
#include "crypto/sha256.h"
#include "http/server.h"
#include "node/fullnode.h"
#include "sim/certs.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

#define BODY_MAX (1u << 20)
#define PUSH_TX_BODY_MAX (8u << 20)
/* get_block_records: a bound on one answer (the pool asks for <= 1000). */
#define RANGE_MAX 10000u
#define PH_LIST_MAX 10000u

struct sim_rpc {
  struct sim_chain *chain;
  struct http_server *http;
};

void sim_rpc_config_init(struct sim_rpc_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->bind_addr = "127.0.0.1";
  cfg->threads = 2;
}

/* --- answers --- */

static void ok(struct http_request *r, json_t *body)
{
  if (!body || json_object_set_new(body, "success", json_true())) {
    json_decref(body);
    http_respond_text(r, 500, "out of memory");
    return;
  }
  http_respond_json(r, 200, body);
  json_decref(body);
}

/* {"success": false, "error": msg} and, when code is set, the 2.x
 * structuredError next to it. */
static void err(struct http_request *r, const char *code, json_t *data, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
static void err(struct http_request *r, const char *code, json_t *data, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  json_t *o = json_object(), *se;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_object_set_new(o, "success", json_false());
  json_object_set_new(o, "error", json_string(msg));
  if (code) {
    se = json_object();
    json_object_set_new(se, "code", json_string(code));
    json_object_set_new(se, "message", json_string(msg));
    json_object_set_new(se, "data", data ? data : json_object());
    json_object_set_new(o, "structuredError", se);
  } else {
    json_decref(data);
  }
  http_respond_json(r, 200, o);
  json_decref(o);
}

static void hex_plain(char *out, const uint8_t *p, size_t n)
{
  hex_encode(out, p, n);
}

/* --- JSON of chain objects --- */

static json_t *coin_json(const struct chia_coin *c)
{
  struct node_coin nc;
  memcpy(nc.parent_coin_info, c->parent_coin_info, 32);
  memcpy(nc.puzzle_hash, c->puzzle_hash, 32);
  nc.amount = c->amount;
  return fullnode_coin_json(&nc);
}

static json_t *coin_record_json(const struct sim_coin_record *r)
{
  json_t *o = json_object();
  json_object_set_new(o, "coin", coin_json(&r->coin));
  cjson_set_u64(o, "confirmed_block_index", r->confirmed_height);
  cjson_set_u64(o, "spent_block_index", r->spent_height);
  cjson_set_bool(o, "spent", r->spent_height > 0);
  cjson_set_bool(o, "coinbase", r->coinbase);
  cjson_set_u64(o, "timestamp", r->timestamp);
  return o;
}

static json_t *coin_records_json(const struct sim_coin_record *v, size_t n)
{
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, coin_record_json(&v[i]));
  return a;
}

static json_t *vdf_json(const struct sim_vdf *v)
{
  json_t *o = json_object(), *out = json_object();
  cjson_set_hex(o, "challenge", v->challenge, 32);
  cjson_set_u64(o, "number_of_iterations", v->iters);
  cjson_set_hex(out, "data", v->output, SIM_VDF_OUTPUT_LEN);
  json_object_set_new(o, "output", out);
  return o;
}

static json_t *proof_json(void)
{
  json_t *o = json_object();
  cjson_set_u64(o, "witness_type", 0);
  cjson_set_hex(o, "witness", NULL, 0);
  cjson_set_bool(o, "normalized_to_identity", false);
  return o;
}

static json_t *block_record_json(struct sim_chain *c, const struct sim_block *b)
{
  const struct chia_consts *net = sim_chain_net(c);
  json_t *o = json_object(), *v, *claims;
  struct chia_coin reward;
  uint8_t h[32];
  struct sim_block prev;
  bool has_prev = b->height > 0 && !sim_chain_block_by_height(c, b->height - 1, &prev);

  cjson_set_hex(o, "header_hash", b->header_hash, 32);
  cjson_set_hex(o, "prev_hash", b->prev_hash, 32);
  cjson_set_u64(o, "height", b->height);
  cjson_set_u128(o, "weight", b->weight);
  cjson_set_u128(o, "total_iters", b->total_iters);
  cjson_set_u64(o, "signage_point_index", b->sp_index);
  v = json_object();
  cjson_set_hex(v, "data", b->cc_output, SIM_VDF_OUTPUT_LEN);
  json_object_set_new(o, "challenge_vdf_output", v);
  cjson_set_null(o, "infused_challenge_vdf_output");
  sha256(h, b->header_hash, 32);
  cjson_set_hex(o, "reward_infusion_new_challenge", h, 32);
  sha256(h, b->challenge_hash, 32);
  cjson_set_hex(o, "challenge_block_info_hash", h, 32);
  cjson_set_u64(o, "sub_slot_iters", b->sub_slot_iters);
  cjson_set_hex(o, "pool_puzzle_hash", b->pool_ph, 32);
  cjson_set_hex(o, "farmer_puzzle_hash", b->farmer_ph, 32);
  cjson_set_u64(o, "required_iters", b->required_iters);
  cjson_set_u64(o, "deficit", 0);
  cjson_set_bool(o, "overflow", false);
  /* every simulated block is a transaction block */
  cjson_set_u64(o, "prev_transaction_block_height", has_prev ? prev.height : 0);
  cjson_set_u64(o, "timestamp", b->timestamp);
  cjson_set_hex(o, "prev_transaction_block_hash",
                has_prev ? prev.header_hash : net->genesis_challenge, 32);
  cjson_set_u64(o, "fees", b->fees);
  claims = json_array();
  coin_pool_parent_id(net->genesis_challenge, b->height, reward.parent_coin_info);
  memcpy(reward.puzzle_hash, b->pool_ph, 32);
  reward.amount = coin_pool_reward(b->height);
  json_array_append_new(claims, coin_json(&reward));
  coin_farmer_parent_id(net->genesis_challenge, b->height, reward.parent_coin_info);
  memcpy(reward.puzzle_hash, b->farmer_ph, 32);
  reward.amount = coin_farmer_reward(b->height) + b->fees;
  json_array_append_new(claims, coin_json(&reward));
  json_object_set_new(o, "reward_claims_incorporated", claims);
  if (b->first_in_sub_slot) {
    v = json_array();
    json_array_append_new(v, cjson_hex(b->challenge_hash, 32));
    json_object_set_new(o, "finished_challenge_slot_hashes", v);
    json_object_set_new(o, "finished_infused_challenge_slot_hashes", json_array());
    v = json_array();
    sha256(h, b->challenge_hash, 32);
    json_array_append_new(v, cjson_hex(h, 32));
    json_object_set_new(o, "finished_reward_slot_hashes", v);
  } else {
    cjson_set_null(o, "finished_challenge_slot_hashes");
    cjson_set_null(o, "finished_infused_challenge_slot_hashes");
    cjson_set_null(o, "finished_reward_slot_hashes");
  }
  cjson_set_null(o, "sub_epoch_summary_included");
  return o;
}

/* --- request helpers --- */

/* The body as an object; answers the error itself and returns NULL. */
static json_t *body(struct http_request *r)
{
  json_t *j = NULL;
  if (http_request_json(r, &j)) {
    err(r, NULL, NULL, "request body is not a JSON object");
    return NULL;
  }
  return j;
}

static bool get_hash(struct http_request *r, json_t *j, const char *key, uint8_t out[32])
{
  if (!json_object_get(j, key)) {
    err(r, NULL, NULL, "No %s in request", key);
    return false;
  }
  if (cjson_get_hex(j, key, out, 32)) {
    err(r, NULL, NULL, "%s is not a 32-byte hex string", key);
    return false;
  }
  return true;
}

static bool get_u32(struct http_request *r, json_t *j, const char *key, bool required,
                    uint32_t *out)
{
  uint64_t v;
  if (!json_object_get(j, key) || json_is_null(json_object_get(j, key))) {
    if (required)
      err(r, NULL, NULL, "No %s in request", key);
    return !required;
  }
  if (cjson_get_u64(j, key, UINT32_MAX, &v)) {
    err(r, NULL, NULL, "%s is not a uint32", key);
    return false;
  }
  *out = (uint32_t)v;
  return true;
}

/* --- endpoints --- */

static void h_blockchain_state(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  struct sim_chain_state st;
  json_t *bs = json_object(), *sync = json_object(), *fees = json_object(), *o;
  const struct chia_consts *net = sim_chain_net(c);
  char node_id[65];

  sim_chain_state(c, &st);
  json_object_set_new(bs, "peak", block_record_json(c, &st.peak));
  cjson_set_bool(bs, "genesis_challenge_initialized", true);
  cjson_set_bool(sync, "sync_mode", false);
  cjson_set_bool(sync, "synced", true);
  cjson_set_u64(sync, "sync_tip_height", 0);
  cjson_set_u64(sync, "sync_progress_height", 0);
  json_object_set_new(bs, "sync", sync);
  cjson_set_u64(bs, "difficulty", st.difficulty);
  cjson_set_u64(bs, "sub_slot_iters", st.sub_slot_iters);
  cjson_set_u128(bs, "space", st.space);
  cjson_set_null(bs, "average_block_time");
  cjson_set_u64(bs, "mempool_size", st.mempool_size);
  cjson_set_u64(bs, "mempool_cost", st.mempool_cost);
  cjson_set_u64(bs, "mempool_fees", st.mempool_fees);
  json_object_set_new(fees, "cost_5000000", json_real(0));
  json_object_set_new(bs, "mempool_min_fees", fees);
  cjson_set_u64(bs, "mempool_max_total_cost", net->max_block_cost_clvm * 10);
  cjson_set_u64(bs, "block_max_cost", net->max_block_cost_clvm);
  hex_plain(node_id, net->genesis_challenge, 32);
  json_object_set_new(bs, "node_id", json_string(node_id));
  o = json_object();
  json_object_set_new(o, "blockchain_state", bs);
  ok(r, o);
}

static void h_network_info(struct http_request *r, void *ud)
{
  const struct chia_consts *net = sim_chain_net(ud);
  char g[65];
  json_t *o = json_object();

  hex_plain(g, net->genesis_challenge, 32);
  json_object_set_new(o, "network_name", json_string(net->name));
  json_object_set_new(o, "network_prefix", json_string(net->address_prefix));
  json_object_set_new(o, "genesis_challenge", json_string(g));
  ok(r, o);
}

static void h_aggsig_data(struct http_request *r, void *ud)
{
  const struct chia_consts *net = sim_chain_net(ud);
  char g[65];
  json_t *o = json_object();

  hex_plain(g, net->agg_sig_me_additional_data, 32);
  json_object_set_new(o, "additional_data", json_string(g));
  ok(r, o);
}

static void h_sp_or_eos(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  json_t *j = body(r), *o, *inner, *cc, *rc;
  bool eos;
  uint8_t hash[32];
  char hx[65];
  struct sim_sp sp;

  if (!j)
    return;
  eos = !json_object_get(j, "sp_hash") && json_object_get(j, "challenge_hash");
  if (!json_object_get(j, "sp_hash") && !eos) {
    err(r, NULL, NULL, "No sp_hash or challenge_hash in request");
    goto out;
  }
  if (!get_hash(r, j, eos ? "challenge_hash" : "sp_hash", hash))
    goto out;
  hex_plain(hx, hash, 32);
  /* an sp hash that is a slot's challenge is the end of slot, asked as an
   * sp: the node's signage point cache has no such entry */
  if (sim_chain_get_sp(c, hash, eos, &sp) || (!eos && sp.index == 0)) {
    if (eos)
      err(r, "EOS_NOT_IN_CACHE", NULL, "Did not find eos %s in cache", hx);
    else
      err(r, "SP_NOT_IN_CACHE", NULL, "Did not find sp %s in cache", hx);
    goto out;
  }
  o = json_object();
  if (eos) {
    inner = json_object();
    cc = json_object();
    json_object_set_new(cc, "challenge_chain_end_of_slot_vdf", vdf_json(&sp.cc_vdf));
    cjson_set_null(cc, "infused_challenge_chain_sub_slot_hash");
    cjson_set_null(cc, "subepoch_summary_hash");
    cjson_set_null(cc, "new_sub_slot_iters");
    cjson_set_null(cc, "new_difficulty");
    json_object_set_new(inner, "challenge_chain", cc);
    cjson_set_null(inner, "infused_challenge_chain");
    rc = json_object();
    json_object_set_new(rc, "end_of_slot_vdf", vdf_json(&sp.rc_vdf));
    cjson_set_hex(rc, "challenge_chain_sub_slot_hash", sp.challenge_hash, 32);
    cjson_set_null(rc, "infused_challenge_chain_sub_slot_hash");
    cjson_set_u64(rc, "deficit", 16);
    json_object_set_new(inner, "reward_chain", rc);
    cc = json_object();
    json_object_set_new(cc, "challenge_chain_slot_proof", proof_json());
    cjson_set_null(cc, "infused_challenge_chain_slot_proof");
    json_object_set_new(cc, "reward_chain_slot_proof", proof_json());
    json_object_set_new(inner, "proofs", cc);
    json_object_set_new(o, "eos", inner);
  } else {
    inner = json_object();
    json_object_set_new(inner, "cc_vdf", vdf_json(&sp.cc_vdf));
    json_object_set_new(inner, "cc_proof", proof_json());
    json_object_set_new(inner, "rc_vdf", vdf_json(&sp.rc_vdf));
    json_object_set_new(inner, "rc_proof", proof_json());
    json_object_set_new(o, "signage_point", inner);
  }
  json_object_set_new(o, "time_received", json_real((double)sp.time_received_ms / 1000.0));
  cjson_set_bool(o, "reverted", sp.reverted);
  ok(r, o);
out:
  json_decref(j);
}

static void h_block_by_height(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  json_t *j = body(r), *o;
  uint32_t h = 0;
  struct sim_block b;

  if (!j)
    return;
  if (!get_u32(r, j, "height", true, &h))
    goto out;
  if (sim_chain_block_by_height(c, h, &b)) {
    err(r, "BLOCK_NOT_FOUND", NULL, "Block height %u not found in chain", h);
    goto out;
  }
  o = json_object();
  json_object_set_new(o, "block_record", block_record_json(c, &b));
  ok(r, o);
out:
  json_decref(j);
}

static void h_block_record(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  json_t *j = body(r), *o;
  uint8_t hash[32];
  char hx[65];
  struct sim_block b;

  if (!j)
    return;
  if (!get_hash(r, j, "header_hash", hash))
    goto out;
  if (sim_chain_block_by_hash(c, hash, &b)) {
    hex_plain(hx, hash, 32);
    err(r, "BLOCK_NOT_FOUND", NULL, "Block %s not found", hx);
    goto out;
  }
  o = json_object();
  json_object_set_new(o, "block_record", block_record_json(c, &b));
  ok(r, o);
out:
  json_decref(j);
}

static void h_block_records(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  json_t *j = body(r), *o, *a;
  uint32_t start = 0, end = 0;
  struct sim_block *v = NULL;
  size_t n = 0;

  if (!j)
    return;
  if (!get_u32(r, j, "start", true, &start) || !get_u32(r, j, "end", true, &end))
    goto out;
  if (end < start || end - start > RANGE_MAX) {
    err(r, NULL, NULL, "Invalid range [%u, %u)", start, end);
    goto out;
  }
  sim_chain_blocks(c, start, end, &v, &n);
  if (n != end - start) {
    err(r, NULL, NULL, "Height not in blockchain: %u", start + (uint32_t)n);
    goto out;
  }
  a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, block_record_json(c, &v[i]));
  o = json_object();
  json_object_set_new(o, "block_records", a);
  ok(r, o);
out:
  free(v);
  json_decref(j);
}

static void h_coin_by_name(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  json_t *j = body(r), *o;
  uint8_t id[32];
  char hx[65];
  struct sim_coin_record rec;

  if (!j)
    return;
  if (!get_hash(r, j, "name", id))
    goto out;
  if (sim_chain_coin(c, id, &rec)) {
    hex_plain(hx, id, 32);
    err(r, "COIN_RECORD_NOT_FOUND", NULL, "Coin record 0x%s not found", hx);
    goto out;
  }
  o = json_object();
  json_object_set_new(o, "coin_record", coin_record_json(&rec));
  ok(r, o);
out:
  json_decref(j);
}

/* Shared by the two puzzle hash queries: phs already read. */
static void coin_query(struct http_request *r, struct sim_chain *c, json_t *j,
                       const uint8_t (*phs)[32], size_t n)
{
  bool spent = false;
  uint32_t start = 0, end = 0;
  struct sim_coin_record *v = NULL;
  size_t cnt = 0;
  json_t *o;

  if (json_object_get(j, "include_spent_coins") &&
      cjson_get_bool(j, "include_spent_coins", &spent)) {
    err(r, NULL, NULL, "include_spent_coins is not a bool");
    return;
  }
  if (!get_u32(r, j, "start_height", false, &start) ||
      !get_u32(r, j, "end_height", false, &end))
    return;
  sim_chain_coins_by_puzzle_hashes(c, phs, n, spent, start, end, &v, &cnt);
  o = json_object();
  json_object_set_new(o, "coin_records", coin_records_json(v, cnt));
  free(v);
  ok(r, o);
}

static void h_coins_by_ph(struct http_request *r, void *ud)
{
  json_t *j = body(r);
  uint8_t ph[1][32];

  if (!j)
    return;
  if (get_hash(r, j, "puzzle_hash", ph[0]))
    coin_query(r, ud, j, (const uint8_t (*)[32])ph, 1);
  json_decref(j);
}

static void h_coins_by_phs(struct http_request *r, void *ud)
{
  json_t *j = body(r), *a;
  uint8_t (*phs)[32] = NULL;
  size_t n;

  if (!j)
    return;
  a = json_object_get(j, "puzzle_hashes");
  n = json_array_size(a);
  if (!json_is_array(a) || n > PH_LIST_MAX) {
    err(r, NULL, NULL, "No puzzle_hashes in request");
    goto out;
  }
  phs = xmalloc((n ? n : 1) * sizeof *phs);
  for (size_t i = 0; i < n; i++) {
    const char *s = json_string_value(json_array_get(a, i));
    if (!s || hex_decode_exact(phs[i], 32, s, strlen(s))) {
      err(r, NULL, NULL, "puzzle_hashes[%zu] is not a 32-byte hex string", i);
      goto out;
    }
  }
  coin_query(r, ud, j, (const uint8_t (*)[32])phs, n);
out:
  free(phs);
  json_decref(j);
}

static void h_puzzle_and_solution(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  json_t *j = body(r), *o, *cs;
  uint8_t id[32];
  uint32_t height = 0, spent_at = 0;
  struct sim_coin_record rec;
  struct chia_coin_spend spend;
  char hx[65];

  memset(&spend, 0, sizeof spend);
  if (!j)
    return;
  if (!get_hash(r, j, "coin_id", id) || !get_u32(r, j, "height", true, &height))
    goto out;
  hex_plain(hx, id, 32);
  if (sim_chain_coin(c, id, &rec)) {
    err(r, "COIN_RECORD_NOT_FOUND", NULL, "Not found %s", hx);
    goto out;
  }
  if (!rec.spent_height || rec.spent_height != height ||
      sim_chain_coin_spend(c, id, &spend, &spent_at) || spent_at != height) {
    err(r, "INVALID_HEIGHT_FOR_COIN", NULL, "Invalid height %u. coin record 0x%s", height,
        hx);
    goto out;
  }
  cs = json_object();
  json_object_set_new(cs, "coin", coin_json(&spend.coin));
  cjson_set_hex(cs, "puzzle_reveal", spend.puzzle_reveal.data, spend.puzzle_reveal.len);
  cjson_set_hex(cs, "solution", spend.solution.data, spend.solution.len);
  o = json_object();
  json_object_set_new(o, "coin_solution", cs);
  ok(r, o);
out:
  chia_coin_spend_release(&spend);
  json_decref(j);
}

static void h_push_tx(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  json_t *j = body(r), *o, *data;
  struct chia_spend_bundle sb;
  uint8_t name[32];
  char hx[65];
  const char *why = NULL;
  cp_err rc;

  memset(&sb, 0, sizeof sb);
  if (!j)
    return;
  if (!json_is_object(json_object_get(j, "spend_bundle"))) {
    err(r, NULL, NULL, "Spend bundle not in request");
    goto out;
  }
  if (chia_spend_bundle_from_json(json_object_get(j, "spend_bundle"), &sb)) {
    err(r, NULL, NULL, "Invalid spend bundle");
    goto out;
  }
  chia_spend_bundle_hash(&sb, name);
  hex_plain(hx, name, 32);
  rc = sim_chain_push_tx(c, &sb, &why);
  if (rc) {
    if (!why)
      why = cp_errname(rc);
    data = json_object();
    json_object_set_new(data, "spend_name", cjson_hex(name, 32));
    json_object_set_new(data, "error", json_string(why));
    err(r, "TRANSACTION_FAILED", data, "Failed to include transaction %s, error %s", hx, why);
    goto out;
  }
  o = json_object();
  json_object_set_new(o, "status", json_string("SUCCESS"));
  ok(r, o);
out:
  chia_spend_bundle_release(&sb);
  json_decref(j);
}

static void h_additions_removals(struct http_request *r, void *ud)
{
  struct sim_chain *c = ud;
  json_t *j = body(r), *o;
  uint8_t hash[32];
  char hx[65];
  struct sim_coin_record *adds = NULL, *rems = NULL;
  size_t na = 0, nr = 0;

  if (!j)
    return;
  if (!get_hash(r, j, "header_hash", hash))
    goto out;
  if (sim_chain_additions_removals(c, hash, &adds, &na, &rems, &nr)) {
    hex_plain(hx, hash, 32);
    err(r, "BLOCK_NOT_FOUND", NULL, "Block %s not found", hx);
    goto out;
  }
  o = json_object();
  json_object_set_new(o, "additions", coin_records_json(adds, na));
  json_object_set_new(o, "removals", coin_records_json(rems, nr));
  ok(r, o);
out:
  free(adds);
  free(rems);
  json_decref(j);
}

/* --- lifecycle --- */

cp_err sim_rpc_new(struct sim_chain *chain, const struct sim_rpc_config *cfg,
                   struct sim_rpc **out)
{
  const struct {
    const char *path;
    http_handler_fn fn;
    size_t max_body;
  } eps[] = {
    { "/get_blockchain_state", h_blockchain_state, BODY_MAX },
    { "/get_network_info", h_network_info, BODY_MAX },
    { "/get_aggsig_additional_data", h_aggsig_data, BODY_MAX },
    { "/get_recent_signage_point_or_eos", h_sp_or_eos, BODY_MAX },
    { "/get_block_record_by_height", h_block_by_height, BODY_MAX },
    { "/get_block_record", h_block_record, BODY_MAX },
    { "/get_block_records", h_block_records, BODY_MAX },
    { "/get_coin_record_by_name", h_coin_by_name, BODY_MAX },
    { "/get_coin_records_by_puzzle_hash", h_coins_by_ph, BODY_MAX },
    { "/get_coin_records_by_puzzle_hashes", h_coins_by_phs, BODY_MAX },
    { "/get_puzzle_and_solution", h_puzzle_and_solution, BODY_MAX },
    { "/push_tx", h_push_tx, PUSH_TX_BODY_MAX },
    { "/get_additions_and_removals", h_additions_removals, BODY_MAX },
  };
  enum { N = sizeof eps / sizeof eps[0] };
  struct http_route routes[N];
  struct http_config hc;
  char crt[SIM_CERTS_PATH_MAX], key[SIM_CERTS_PATH_MAX], ca[SIM_CERTS_PATH_MAX];
  struct sim_rpc *s;
  cp_err rc;

  *out = NULL;
  if (!cfg->chia_root)
    return CP_CONFIG;
  rc = sim_certs_path(cfg->chia_root, "daemon", "crt", crt, sizeof crt);
  if (!rc)
    rc = sim_certs_path(cfg->chia_root, "daemon", "key", key, sizeof key);
  if (!rc)
    rc = sim_certs_path(cfg->chia_root, "ca", "crt", ca, sizeof ca);
  if (rc)
    return rc;
  for (size_t i = 0; i < N; i++) {
    routes[i] = (struct http_route){ "POST", eps[i].path, eps[i].fn, chain,
                                     eps[i].max_body, HTTP_ROUTE_NO_RATE_LIMIT };
  }
  http_config_init(&hc);
  hc.bind_addr = cfg->bind_addr ? cfg->bind_addr : "127.0.0.1";
  hc.port = cfg->port;
  hc.tls_cert_file = crt;
  hc.tls_key_file = key;
  hc.tls_client_ca_file = ca;
  hc.threads = cfg->threads ? cfg->threads : 2;
  hc.default_max_body = BODY_MAX;
  s = xcalloc(1, sizeof *s);
  s->chain = chain;
  rc = http_server_new(&hc, routes, N, &s->http);
  if (rc) {
    free(s);
    return rc;
  }
  log_info("sim", "rpc_listening", "port=%u", (unsigned)http_server_port(s->http));
  *out = s;
  return CP_OK;
}

void sim_rpc_free(struct sim_rpc *s)
{
  if (!s)
    return;
  http_server_free(s->http);
  free(s);
}

uint16_t sim_rpc_port(const struct sim_rpc *s)
{
  return http_server_port(s->http);
}
