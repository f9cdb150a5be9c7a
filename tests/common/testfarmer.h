/* A test farmer: Chia-style keys, one k=18 plot farmed to a pool contract,
 * and partials signed the way Chia's farmer signs them (plot-key shares
 * from the local and farmer keys, each prefixed with the aggregate plot
 * key, aggregated with the authentication key's signature). Also a fake
 * chain whose every signage point exists, so a test or benchmark can make
 * any number of distinct valid partials without a node.
 *
 * Header-only (static inline) because cp_testutil links only util; used by
 * tests/http and bench/partials.c. No cmocka: functions return cp_err. */
#ifndef CP_TESTFARMER_H
#define CP_TESTFARMER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/types.h"
#include "crypto/bls.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "pool/chain.h"
#include "pos/plotter.h"
#include "pos/quality.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"

struct tf_farmer {
  uint8_t launcher_id[32];
  uint8_t contract_ph[32];   /* p2_singleton_puzzle_hash */
  struct bls_sk auth_sk, local_sk, farmer_sk;
  struct bls_pk auth_pk, local_pk, farmer_pk, plot_pk;
  struct pos_plot *plot;
  uint32_t next;             /* search cursor for tf_find_proof */
};

/* The fake chain's signage points: every sp hash exists, and its cc
 * challenge is derived from it, so proofs can be made for fresh points. */
static inline void tf_cc_for_sp(const uint8_t sp[32], uint8_t cc[32])
{
  uint8_t in[40];
  memcpy(in, "tf-cc-sp", 8);
  memcpy(in + 8, sp, 32);
  sha256(cc, in, sizeof in);
}

#define TF_PEAK_HEIGHT 99u

static inline cp_err tf__state(void *ctx, struct node_blockchain_state *out)
{
  (void)ctx;
  memset(out, 0, sizeof *out);
  out->has_peak = true;
  out->peak.height = TF_PEAK_HEIGHT;
  out->synced = true;
  out->genesis_challenge_initialized = true;
  out->difficulty = 1;
  out->sub_slot_iters = 1u << 27;
  return CP_OK;
}

static inline cp_err tf__sp(void *ctx, const uint8_t hash[32], bool eos,
                            struct node_sp_or_eos *out)
{
  (void)ctx;
  memset(out, 0, sizeof *out);
  out->is_eos = eos;
  out->time_received = (double)clock_unix_s();
  tf_cc_for_sp(hash, out->cc_vdf.challenge);
  return CP_OK;
}

static inline cp_err tf__coin(void *ctx, const uint8_t id[32], struct node_coin_record *out)
{
  (void)ctx, (void)id, (void)out;
  return CP_NOT_FOUND;
}

static inline cp_err tf__pas(void *ctx, const uint8_t id[32], uint32_t h,
                             struct node_coin_spend *out)
{
  (void)ctx, (void)id, (void)h, (void)out;
  return CP_NOT_FOUND;
}

static inline cp_err tf__by_ph(void *ctx, const uint8_t (*phs)[32], size_t n,
                               const struct node_coin_query *q, struct node_coin_records *out)
{
  (void)ctx, (void)phs, (void)n, (void)q;
  memset(out, 0, sizeof *out);
  return CP_OK;
}

static inline cp_err tf__block(void *ctx, uint32_t h, struct node_block_record *out)
{
  (void)ctx, (void)h, (void)out;
  return CP_NOT_FOUND;
}

static inline cp_err tf__push(void *ctx, const json_t *sb, enum node_tx_status *st,
                              char *why, size_t whylen)
{
  (void)ctx, (void)sb, (void)st;
  if (why && whylen)
    snprintf(why, whylen, "fake chain");
  return CP_RPC_ERROR;
}

static const struct chain_ops tf_chain_ops = {
  tf__state, tf__sp, tf__coin, tf__pas, tf__by_ph, tf__block, tf__push,
};

/* Keys from a numbered seed; builds the plot (about a second for k=18). */
static inline cp_err tf_farmer_init(struct tf_farmer *f, uint32_t n)
{
  uint8_t seed[32], master_seed[32], plot_id[32];
  struct bls_sk master;
  cp_err rc;

  memset(f, 0, sizeof *f);
  snprintf((char *)seed, sizeof seed, "chiapool tf farmer %u", n);
  sha256(master_seed, seed, sizeof seed);
  rc = keys_gen(&master, master_seed, 32);
  if (!rc)
    rc = keys_role_sk(&f->farmer_sk, &master, KEYS_FARMER, 0, 0);
  if (!rc)
    rc = keys_role_sk(&f->local_sk, &master, KEYS_LOCAL, 0, 0);
  if (!rc)
    rc = keys_role_sk(&f->auth_sk, &master, KEYS_POOL_AUTH, 0, 0);
  if (rc)
    return rc;
  bls_sk_to_pk(&f->farmer_sk, &f->farmer_pk);
  bls_sk_to_pk(&f->local_sk, &f->local_pk);
  bls_sk_to_pk(&f->auth_sk, &f->auth_pk);
  /* the share signing below covers local + farmer; no taproot share */
  keys_plot_pk(&f->plot_pk, &f->local_pk, &f->farmer_pk, 0);
  seed[0] ^= 0x55;
  sha256(f->launcher_id, seed, sizeof seed);
  seed[0] ^= 0xaa;
  sha256(f->contract_ph, seed, sizeof seed);
  pos_plot_id_ph(f->contract_ph, f->plot_pk.bytes, plot_id);
  return pos_plot_new(18, plot_id, &f->plot);
}

static inline void tf_farmer_free(struct tf_farmer *f)
{
  pos_plot_free(f->plot);
  f->plot = NULL;
}

/* Next signage point (from f->next on) where the plot passes the filter at
 * the fake chain's height and has a proof; fills pos and sp. */
static inline cp_err tf_find_proof(struct tf_farmer *f, const struct chia_consts *net,
                                   uint8_t sp[32], struct chia_pos *pos)
{
  const uint8_t *id = pos_plot_id(f->plot);
  for (uint32_t tries = 0; tries < 1000000; tries++) {
    uint8_t in[40], cc[32], pc[32], q[32];
    uint32_t i = f->next++;
    size_t n = 0;
    memcpy(in, f->launcher_id, 32);
    memcpy(in + 32, "sp", 2);
    in[34] = 0;
    in[35] = 0;
    in[36] = (uint8_t)(i >> 24);
    in[37] = (uint8_t)(i >> 16);
    in[38] = (uint8_t)(i >> 8);
    in[39] = (uint8_t)i;
    sha256(sp, in, sizeof in);
    tf_cc_for_sp(sp, cc);
    if (!pos_passes_plot_filter_at(net, TF_PEAK_HEIGHT + 1, id, cc, sp))
      continue;
    pos_challenge(id, cc, sp, pc);
    if (pos_plot_qualities(f->plot, pc, &q, 1, &n) == CP_TOO_BIG)
      n = 1;
    if (!n)
      continue;
    memset(pos, 0, sizeof *pos);
    memcpy(pos->challenge, pc, 32);
    pos->has_pool_contract_puzzle_hash = true;
    memcpy(pos->pool_contract_puzzle_hash, f->contract_ph, 32);
    memcpy(pos->plot_public_key, f->plot_pk.bytes, 48);
    pos->size = 18;
    pos->proof_len = 18 * 8;
    return pos_plot_full_proof(f->plot, pc, 0, pos->proof);
  }
  return CP_NOT_FOUND;
}

/* A PostPartialRequest signed as Chia's farmer does. */
static inline cp_err tf_partial(const struct tf_farmer *f, const struct chia_pos *pos,
                                const uint8_t sp[32], uint64_t token,
                                struct chia_partial_request *req)
{
  struct bls_sig sigs[3], agg;
  uint8_t m[32];
  cp_err rc;

  memset(req, 0, sizeof *req);
  memcpy(req->payload.launcher_id, f->launcher_id, 32);
  req->payload.authentication_token = token;
  req->payload.proof_of_space = *pos;
  memcpy(req->payload.sp_hash, sp, 32);
  req->payload.end_of_sub_slot = false;
  memset(req->payload.harvester_id, 0x11, 32);
  rc = chia_partial_payload_hash(&req->payload, m);
  if (rc)
    return rc;
  bls_sign_prepend(&sigs[0], &f->local_sk, m, 32, &f->plot_pk);
  bls_sign_prepend(&sigs[1], &f->farmer_sk, m, 32, &f->plot_pk);
  bls_sign(&sigs[2], &f->auth_sk, m, 32);
  bls_aggregate(&agg, sigs, 3);
  memcpy(req->aggregate_signature, agg.bytes, 96);
  return CP_OK;
}

/* JSON text of a request (malloc'd), with the extra keys newer farmers
 * send, which the pool must ignore. */
static inline cp_err tf_partial_json(const struct chia_partial_request *req, char **out)
{
  json_t *j = NULL;
  struct buf b;
  const char *s;
  cp_err rc;

  *out = NULL;
  buf_init(&b, 64u << 10);
  rc = chia_partial_request_to_json(req, &j);
  if (!rc) {
    char tok[24];
    snprintf(tok, sizeof tok, "%llu", (unsigned long long)req->payload.authentication_token);
    json_t *pos = json_object_get(json_object_get(j, "payload"), "proof_of_space");
    json_object_set_new(j, "authentication_token_v2", json_string(tok));
    /* what 2.7.3 farmers add to proof_of_space (pool-protocol.md §9) */
    json_object_set_new(pos, "version", json_integer(0));
    json_object_set_new(pos, "plot_index", json_integer(0));
    json_object_set_new(pos, "meta_group", json_integer(0));
    json_object_set_new(pos, "strength", json_integer(0));
    rc = cjson_dump(j, &b);
  }
  if (!rc)
    rc = buf_cstr(&b, &s);
  if (!rc) {
    *out = malloc(strlen(s) + 1);
    if (*out)
      memcpy(*out, s, strlen(s) + 1);
    else
      rc = CP_NOMEM;
  }
  json_decref(j);
  buf_release(&b);
  return rc;
}

/* Register the farmer directly in the store as a pool member. */
static inline cp_err tf_store_add(struct store *s, const struct tf_farmer *f,
                                  uint64_t difficulty)
{
  struct store_farmer r;
  memset(&r, 0, sizeof r);
  memcpy(r.launcher_id, f->launcher_id, 32);
  memcpy(r.p2_singleton_puzzle_hash, f->contract_ph, 32);
  r.delay_time = 604800;
  memset(r.delay_puzzle_hash, 0x22, 32);
  memcpy(r.authentication_public_key, f->auth_pk.bytes, 48);
  r.difficulty = difficulty;
  snprintf(r.payout_instructions, sizeof r.payout_instructions, "%064x", 0);
  r.is_pool_member = 1;
  r.joined_at = clock_unix_s();
  r.last_difficulty_change_at = r.joined_at;
  return store_farmer_add(s, &r);
}

#endif
