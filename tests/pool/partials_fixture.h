/* Shared by tests/pool/test_partials.c and bench/partials_core.c: a fake
 * chain (signage points we define, reverted / unknown / unreachable on
 * demand), farmers with real Chia keys and a real in-memory k=18 plot
 * keyed to their p2_singleton_puzzle_hash, and partials signed the way
 * Chia's harvester and farmer sign them. Header-only and free of cmocka,
 * so the benchmark can use it; functions return cp_err. */
#ifndef CP_TEST_PARTIALS_FIXTURE_H
#define CP_TEST_PARTIALS_FIXTURE_H

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "chia/types.h"
#include "crypto/bls.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "pool/chain.h"
#include "pool/partials.h"
#include "pool/proof_check.h"
#include "pool/token.h"
#include "pos/plotter.h"
#include "pos/quality.h"
#include "store/store.h"

/* ---- fake chain ---- */

#define FXC_MAX_SP 4096

struct fxc_sp {
  uint8_t hash[32];
  bool eos;
  uint8_t cc[32];
  double time_received;
  bool reverted;
  unsigned hide_calls; /* answer NOT_FOUND this many more times */
};

struct fx_chain {
  pthread_mutex_t lock;
  struct fxc_sp sps[FXC_MAX_SP];
  size_t n;
  uint32_t peak;
  int unreachable;
  unsigned sp_calls;
  unsigned state_calls;
};

static inline struct fxc_sp *fxc_find_locked(struct fx_chain *c, const uint8_t h[32], bool eos)
{
  for (size_t i = 0; i < c->n; i++)
    if (c->sps[i].eos == eos && !memcmp(c->sps[i].hash, h, 32))
      return &c->sps[i];
  return NULL;
}

static inline cp_err fxc_state(void *ctx, struct node_blockchain_state *out)
{
  struct fx_chain *c = ctx;
  cp_err rc = CP_OK;
  pthread_mutex_lock(&c->lock);
  c->state_calls++;
  if (c->unreachable) {
    rc = CP_RPC_TRANSPORT;
  } else {
    memset(out, 0, sizeof *out);
    out->has_peak = true;
    out->synced = true;
    out->peak.height = c->peak;
  }
  pthread_mutex_unlock(&c->lock);
  return rc;
}

static inline cp_err fxc_sp(void *ctx, const uint8_t hash[32], bool eos,
                            struct node_sp_or_eos *out)
{
  struct fx_chain *c = ctx;
  struct fxc_sp *s;
  cp_err rc = CP_OK;
  pthread_mutex_lock(&c->lock);
  c->sp_calls++;
  s = fxc_find_locked(c, hash, eos);
  if (c->unreachable) {
    rc = CP_RPC_TRANSPORT;
  } else if (!s) {
    rc = CP_NOT_FOUND;
  } else if (s->hide_calls) {
    s->hide_calls--;
    rc = CP_NOT_FOUND;
  } else {
    memset(out, 0, sizeof *out);
    out->is_eos = eos;
    out->reverted = s->reverted;
    out->time_received = s->time_received;
    memcpy(out->cc_vdf.challenge, s->cc, 32);
  }
  pthread_mutex_unlock(&c->lock);
  return rc;
}

static const struct chain_ops fxc_ops = {
  .state = fxc_state,
  .signage_point = fxc_sp,
};

static inline void fxc_init(struct fx_chain *c, struct chain *out, uint32_t peak)
{
  memset(c, 0, sizeof *c);
  pthread_mutex_init(&c->lock, NULL);
  c->peak = peak;
  out->ops = &fxc_ops;
  out->ctx = c;
}

static inline void fxc_release(struct fx_chain *c)
{
  pthread_mutex_destroy(&c->lock);
}

/* Add (or update) a signage point / end of sub-slot. */
static inline void fxc_put(struct fx_chain *c, const uint8_t hash[32], bool eos,
                           const uint8_t cc[32], double time_received)
{
  struct fxc_sp *s;
  pthread_mutex_lock(&c->lock);
  s = fxc_find_locked(c, hash, eos);
  if (!s && c->n < FXC_MAX_SP)
    s = &c->sps[c->n++];
  if (s) {
    memset(s, 0, sizeof *s);
    memcpy(s->hash, hash, 32);
    s->eos = eos;
    memcpy(s->cc, cc, 32);
    s->time_received = time_received;
  }
  pthread_mutex_unlock(&c->lock);
}

static inline void fxc_set(struct fx_chain *c, const uint8_t hash[32], bool eos,
                           int reverted, unsigned hide_calls)
{
  struct fxc_sp *s;
  pthread_mutex_lock(&c->lock);
  s = fxc_find_locked(c, hash, eos);
  if (s) {
    s->reverted = reverted;
    s->hide_calls = hide_calls;
  }
  pthread_mutex_unlock(&c->lock);
}

static inline void fxc_unreachable(struct fx_chain *c, int on)
{
  pthread_mutex_lock(&c->lock);
  c->unreachable = on;
  pthread_mutex_unlock(&c->lock);
}

static inline unsigned fxc_sp_calls(struct fx_chain *c)
{
  unsigned n;
  pthread_mutex_lock(&c->lock);
  n = c->sp_calls;
  pthread_mutex_unlock(&c->lock);
  return n;
}

/* ---- farmers ---- */

struct fx_farmer {
  uint8_t launcher_id[32];
  uint8_t p2[32];
  struct bls_sk farmer_sk, local_sk, taproot_sk, auth_sk;
  struct bls_pk farmer_pk, local_pk, auth_pk, plot_pk;
  struct pos_plot *plot; /* NULL until fx_farmer_plot */
};

static inline void fx_tag_hash(uint8_t out[32], const char *tag, uint32_t i, uint32_t j)
{
  struct sha256_ctx c;
  uint8_t b[8] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i,
                   (uint8_t)(j >> 24), (uint8_t)(j >> 16), (uint8_t)(j >> 8), (uint8_t)j };
  sha256_init(&c);
  sha256_update(&c, tag, strlen(tag));
  sha256_update(&c, b, sizeof b);
  sha256_final(&c, out);
}

/* Keys from a seed fixed by `index`, as a Chia wallet derives them. */
static inline cp_err fx_farmer_init(struct fx_farmer *f, uint32_t index)
{
  struct bls_sk master;
  uint8_t seed[32];
  cp_err rc;

  memset(f, 0, sizeof *f);
  fx_tag_hash(seed, "chiapool fx farmer seed", index, 0);
  if ((rc = keys_gen(&master, seed, sizeof seed)) ||
      (rc = keys_role_sk(&f->farmer_sk, &master, KEYS_FARMER, 0, 0)) ||
      (rc = keys_role_sk(&f->local_sk, &master, KEYS_LOCAL, 0, index)) ||
      (rc = keys_role_sk(&f->auth_sk, &master, KEYS_POOL_AUTH, 0, 0)))
    return rc;
  bls_sk_wipe(&master);
  bls_sk_to_pk(&f->farmer_sk, &f->farmer_pk);
  bls_sk_to_pk(&f->local_sk, &f->local_pk);
  bls_sk_to_pk(&f->auth_sk, &f->auth_pk);
  keys_taproot_sk(&f->taproot_sk, &f->local_pk, &f->farmer_pk);
  keys_plot_pk(&f->plot_pk, &f->local_pk, &f->farmer_pk, 1);
  fx_tag_hash(f->launcher_id, "chiapool fx launcher", index, 0);
  fx_tag_hash(f->p2, "chiapool fx p2 singleton", index, 0);
  return CP_OK;
}

/* A k=18 plot for the farmer's plot key, farmed to its pool contract. */
static inline cp_err fx_farmer_plot(struct fx_farmer *f)
{
  uint8_t id[32];
  pos_plot_id_ph(f->p2, f->plot_pk.bytes, id);
  return pos_plot_new(18, id, &f->plot);
}

static inline void fx_farmer_release(struct fx_farmer *f)
{
  pos_plot_free(f->plot);
  f->plot = NULL;
}

static inline struct store_farmer fx_farmer_record(const struct fx_farmer *f,
                                                   uint64_t difficulty, uint64_t joined)
{
  struct store_farmer r;
  memset(&r, 0, sizeof r);
  memcpy(r.launcher_id, f->launcher_id, 32);
  memcpy(r.p2_singleton_puzzle_hash, f->p2, 32);
  r.delay_time = 604800;
  memcpy(r.delay_puzzle_hash, f->p2, 32);
  memcpy(r.authentication_public_key, f->auth_pk.bytes, 48);
  r.difficulty = difficulty;
  r.is_pool_member = 1;
  r.joined_at = joined;
  snprintf(r.payout_instructions, sizeof r.payout_instructions, "%s",
           "0000000000000000000000000000000000000000000000000000000000000001");
  return r;
}

/* ---- proofs and partials ---- */

/* One signage point this farmer's plot has a good-enough proof for. */
struct fx_case {
  uint8_t sp[32];
  uint8_t cc[32];  /* cc_vdf challenge; = sp for an end of sub-slot */
  bool eos;
  struct chia_pos pos;
};

/* Search signage points derived from (farmer tag, *cursor, ...) for one
 * whose proof passes every check of proof_check at `difficulty`. */
static inline cp_err fx_find_case(const struct fx_farmer *f, const struct chia_consts *net,
                                  uint64_t pool_ssi, uint32_t height, uint64_t difficulty,
                                  bool eos, uint32_t *cursor, struct fx_case *out)
{
  const uint8_t *id = pos_plot_id(f->plot);
  uint32_t tag = (uint32_t)f->launcher_id[0] << 8 | f->launcher_id[1];

  for (uint32_t tries = 0; tries < 200000; tries++) {
    uint32_t i = (*cursor)++;
    uint8_t pc[32], q[32];
    struct proof_result pr;
    size_t n = 0;

    memset(out, 0, sizeof *out);
    fx_tag_hash(out->sp, "chiapool fx sp", tag, i);
    if (eos)
      memcpy(out->cc, out->sp, 32);
    else
      fx_tag_hash(out->cc, "chiapool fx cc", tag, i);
    out->eos = eos;
    if (!pos_passes_plot_filter_at(net, height, id, out->cc, out->sp))
      continue;
    pos_challenge(id, out->cc, out->sp, pc);
    if (pos_plot_qualities(f->plot, pc, (uint8_t(*)[32])q, 1, &n) == CP_TOO_BIG)
      n = 1;
    if (n == 0)
      continue;
    memcpy(out->pos.challenge, pc, 32);
    out->pos.has_pool_contract_puzzle_hash = true;
    memcpy(out->pos.pool_contract_puzzle_hash, f->p2, 32);
    memcpy(out->pos.plot_public_key, f->plot_pk.bytes, 48);
    out->pos.size = 18;
    out->pos.proof_len = 18 * 8;
    if (pos_plot_full_proof(f->plot, pc, 0, out->pos.proof))
      continue;
    if (proof_check(net, pool_ssi, &out->pos, out->cc, out->sp, height, difficulty, &pr) ==
        POOL_OK)
      return CP_OK;
  }
  return CP_NOT_FOUND;
}

/* Sign as Chia does: the harvester's local key, the farmer key and the
 * taproot key each sign with the plot key as augmentation prefix (their
 * sum verifies under plot_pk), and the farmer adds its pool authentication
 * key's signature over the same payload hash. */
static inline cp_err fx_sign(const struct fx_farmer *plot_owner, const struct bls_sk *auth_sk,
                             struct chia_partial_request *req)
{
  struct bls_sig parts[4], agg;
  uint8_t m[32];
  cp_err rc = chia_partial_payload_hash(&req->payload, m);
  if (rc)
    return rc;
  bls_sign_prepend(&parts[0], &plot_owner->local_sk, m, 32, &plot_owner->plot_pk);
  bls_sign_prepend(&parts[1], &plot_owner->farmer_sk, m, 32, &plot_owner->plot_pk);
  bls_sign_prepend(&parts[2], &plot_owner->taproot_sk, m, 32, &plot_owner->plot_pk);
  bls_sign(&parts[3], auth_sk, m, 32);
  bls_aggregate(&agg, parts, 4);
  memcpy(req->aggregate_signature, agg.bytes, 96);
  return CP_OK;
}

/* A complete, validly signed partial of farmer f for case c. */
static inline cp_err fx_partial(const struct fx_farmer *f, const struct fx_case *c,
                                uint64_t token, struct chia_partial_request *req)
{
  memset(req, 0, sizeof *req);
  memcpy(req->payload.launcher_id, f->launcher_id, 32);
  req->payload.authentication_token = token;
  req->payload.proof_of_space = c->pos;
  memcpy(req->payload.sp_hash, c->sp, 32);
  req->payload.end_of_sub_slot = c->eos;
  fx_tag_hash(req->payload.harvester_id, "chiapool fx harvester", f->launcher_id[0], 0);
  return fx_sign(f, &f->auth_sk, req);
}

/* ---- waiting for a reply ---- */

struct fx_reply {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int done;
  struct partial_reply r;
};

static inline void fx_reply_init(struct fx_reply *w)
{
  memset(w, 0, sizeof *w);
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->cond, NULL);
}

static inline void fx_reply_release(struct fx_reply *w)
{
  pthread_cond_destroy(&w->cond);
  pthread_mutex_destroy(&w->lock);
}

/* partials_reply_fn: counts replies (a second one is a bug the tests see) */
static inline void fx_reply_fn(void *ctx, const struct partial_reply *r)
{
  struct fx_reply *w = ctx;
  pthread_mutex_lock(&w->lock);
  w->r = *r;
  w->done++;
  pthread_cond_broadcast(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

static inline void fx_reply_wait(struct fx_reply *w)
{
  pthread_mutex_lock(&w->lock);
  while (!w->done)
    pthread_cond_wait(&w->cond, &w->lock);
  pthread_mutex_unlock(&w->lock);
}

#endif
