#include "sim/farmer_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/coin.h"
#include "clvm/clvm.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "plotnft/state.h"
#include "pool/proof_check.h"
#include "pool/token.h"
#include "pos/quality.h"
#include "sim/stdtx.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

#define PARTIAL_JSON_MAX (16u << 10)
#define PROOFS_PER_PLOT 8

void sim_farmer_config_init(struct sim_farmer_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->n_plots = 2;
  cfg->k = 18;
  cfg->stale_delay_ms = 30000;
  cfg->refresh_ms = 300000;
}

static cp_err derive(struct sim_farmer *f)
{
  struct bls_sk wallet_root;
  static const uint32_t wallet_path[] = { KEYS_PURPOSE, KEYS_COIN_TYPE, 2, 0 };
  uint8_t rogue_seed[32];
  cp_err rc;

  rc = keys_gen(&f->master, f->cfg.seed, sizeof f->cfg.seed);
  if (!rc)
    rc = keys_role_sk(&f->farmer_sk, &f->master, KEYS_FARMER, 0, 0);
  if (!rc)
    rc = keys_role_sk(&f->owner_sk, &f->master, KEYS_SINGLETON_OWNER, 0, 0);
  if (!rc)
    rc = keys_role_sk(&f->auth_sk, &f->master, KEYS_POOL_AUTH, 0, 0);
  if (rc)
    return rc;
  /* the wallet's receive addresses come from its unhardened (observer)
   * keys, as chia's wallet derives them by default */
  keys_derive_path_unhardened_sk(&wallet_root, &f->master, wallet_path, 4);
  f->wallet_sk = wallet_root;
  bls_sk_to_pk(&f->farmer_sk, &f->farmer_pk);
  bls_sk_to_pk(&f->wallet_sk, &f->wallet_pk);
  bls_sk_to_pk(&f->owner_sk, &f->owner_pk);
  bls_sk_to_pk(&f->auth_sk, &f->auth_pk);
  stdtx_puzzle_hash(&f->wallet_pk, f->wallet_ph);
  /* a key the pool has never seen, for SIM_FARMER_WRONG_KEY */
  sha256(rogue_seed, f->cfg.seed, sizeof f->cfg.seed);
  return keys_gen(&f->rogue_sk, rogue_seed, sizeof rogue_seed);
}

cp_err sim_farmer_new(const struct sim_farmer_config *cfg, struct sim_farmer **out)
{
  struct sim_farmer *f;
  cp_err rc;

  *out = NULL;
  if (!cfg->chain || !cfg->pool_url || cfg->n_plots > SIM_FARMER_MAX_PLOTS ||
      strlen(cfg->pool_url) > SIM_FARMER_URL_MAX)
    return CP_INVAL;
  f = xcalloc(1, sizeof *f);
  f->cfg = *cfg;
  if (!f->cfg.k)
    f->cfg.k = 18;
  if (!f->cfg.stale_delay_ms)
    f->cfg.stale_delay_ms = 30000;
  if (!f->cfg.refresh_ms)
    f->cfg.refresh_ms = 300000;
  snprintf(f->name, sizeof f->name, "%s", cfg->name ? cfg->name : "farmer");
  snprintf(f->url, sizeof f->url, "%s", cfg->pool_url);
  f->cfg.name = f->name;
  f->cfg.pool_url = f->url;
  f->chain = cfg->chain;
  f->net = sim_chain_net(cfg->chain);
  pthread_mutex_init(&f->mu, NULL);
  sha256(f->harvester_id, f->name, strlen(f->name));
  rc = derive(f);
  if (!rc)
    rc = sim_chain_give(f->chain, f->wallet_ph, SIM_FARMER_GIFT, &f->gift);
  if (rc) {
    sim_farmer_free(f);
    return rc;
  }
  *out = f;
  return CP_OK;
}

void sim_farmer_free(struct sim_farmer *f)
{
  if (!f)
    return;
  sim_farmer_stop(f);
  for (unsigned i = 0; i < f->n_plots; i++) {
    pos_plot_free(f->plots[i].plot);
    bls_sk_wipe(&f->plots[i].local_sk);
  }
  for (size_t i = 0; i < f->n_held; i++)
    free(f->held[i].body);
  if (f->curl)
    farmer__http(f, NULL, NULL, NULL, NULL, false, NULL); /* closes the handle */
  bls_sk_wipe(&f->master);
  bls_sk_wipe(&f->farmer_sk);
  bls_sk_wipe(&f->wallet_sk);
  bls_sk_wipe(&f->owner_sk);
  bls_sk_wipe(&f->auth_sk);
  bls_sk_wipe(&f->rogue_sk);
  pthread_mutex_destroy(&f->mu);
  free(f);
}

/* --- queries --- */

const char *sim_farmer_name(const struct sim_farmer *f)
{
  return f->name;
}

void sim_farmer_stats(struct sim_farmer *f, struct sim_farmer_stats *out)
{
  pthread_mutex_lock(&f->mu);
  *out = f->st;
  pthread_mutex_unlock(&f->mu);
}

const uint8_t *sim_farmer_launcher_id(const struct sim_farmer *f)
{
  return f->id.launcher_id;
}

const uint8_t *sim_farmer_p2_ph(const struct sim_farmer *f)
{
  return f->p2_ph;
}

const uint8_t *sim_farmer_wallet_ph(const struct sim_farmer *f)
{
  return f->wallet_ph;
}

void sim_farmer_set_mode(struct sim_farmer *f, enum sim_farmer_mode m)
{
  pthread_mutex_lock(&f->mu);
  f->mode = m;
  pthread_mutex_unlock(&f->mu);
}

static enum sim_farmer_mode mode_get(struct sim_farmer *f)
{
  enum sim_farmer_mode m;

  pthread_mutex_lock(&f->mu);
  m = f->mode;
  pthread_mutex_unlock(&f->mu);
  return m;
}

/* --- the plot NFT --- */

static cp_err blob_of(struct st_blob *dst, const uint8_t *p, size_t n)
{
  dst->data = malloc(n ? n : 1);
  if (!dst->data)
    return CP_NOMEM;
  memcpy(dst->data, p, n);
  dst->len = n;
  return CP_OK;
}

/* (full_ph 1 ((p . STATE) (t . DELAY) (h . DELAY_PH))), pool_puzzles.py's
 * launcher solution with the key/value list pool_wallet.py puts in it. */
static cp_err launcher_solution(const uint8_t full_ph[32], const struct buf *state,
                                const struct plotnft_id *id, struct buf *out)
{
  static const uint8_t p = 'p', t = 't', h = 'h';
  cp_err rc;

  rc = buf_append_u8(out, 0xff);
  if (!rc)
    rc = stdtx_put_atom(out, full_ph, 32);
  if (!rc)
    rc = buf_append_u8(out, 0xff);
  if (!rc)
    rc = stdtx_put_u64(out, PLOTNFT_SINGLETON_AMOUNT);
  if (!rc)
    rc = buf_append(out, "\xff\xff\xff", 3);
  if (!rc)
    rc = stdtx_put_atom(out, &p, 1);
  if (!rc)
    rc = stdtx_put_atom(out, state->data, state->len);
  if (!rc)
    rc = buf_append(out, "\xff\xff", 2);
  if (!rc)
    rc = stdtx_put_atom(out, &t, 1);
  if (!rc)
    rc = stdtx_put_u64(out, id->delay_time);
  if (!rc)
    rc = buf_append(out, "\xff\xff", 2);
  if (!rc)
    rc = stdtx_put_atom(out, &h, 1);
  if (!rc)
    rc = stdtx_put_atom(out, id->delay_ph, 32);
  if (!rc)
    rc = buf_append(out, "\x80\x80", 2);
  return rc;
}

cp_err sim_farmer_create_plotnft(struct sim_farmer *f, const char **why)
{
  const struct plotnft_puzzle *launcher = plotnft_puzzle(PLOTNFT_PUZ_LAUNCHER);
  struct chia_pool_state ps;
  struct chia_spend_bundle sb;
  struct chia_coin_spend *cs;
  struct chia_coin lcoin;
  struct stdtx_conds cl;
  struct buf state, sol, conds;
  struct bls_sig sig;
  uint8_t gift_id[32], full[32], sol_hash[32], ann[32], pre[64];
  cp_err rc;

  *why = NULL;
  if (!f->have_pool_info)
    return CP_INVAL;
  memset(&sb, 0, sizeof sb);
  buf_init(&state, 4096);
  buf_init(&sol, 8192);
  buf_init(&conds, STDTX_CONDS_MAX);
  stdtx_conds_init(&cl);

  memset(&ps, 0, sizeof ps);
  ps.version = 1;
  ps.state = PLOTNFT_FARMING_TO_POOL;
  memcpy(ps.target_puzzle_hash, f->target_ph, 32);
  memcpy(ps.owner_pubkey, f->owner_pk.bytes, 48);
  ps.has_pool_url = true;
  snprintf(ps.pool_url, sizeof ps.pool_url, "%s", f->url);
  ps.relative_lock_height = f->lock_height;

  coin_id(&f->gift, gift_id);
  memcpy(lcoin.parent_coin_info, gift_id, 32);
  memcpy(lcoin.puzzle_hash, launcher->hash, 32);
  lcoin.amount = PLOTNFT_SINGLETON_AMOUNT;
  coin_id(&lcoin, f->id.launcher_id);
  f->id.delay_time = PLOTNFT_DEFAULT_DELAY_TIME;
  memcpy(f->id.delay_ph, f->wallet_ph, 32);
  plotnft_state_hashes(&f->id, f->net->genesis_challenge, &ps, NULL, full);

  rc = chia_pool_state_write(&ps, &state);
  if (!rc)
    rc = launcher_solution(full, &state, &f->id, &sol);
  if (!rc)
    rc = clvm_tree_hash_bytes(sol.data, sol.len, sol_hash);
  if (rc)
    goto out;
  /* the launcher announces its solution's hash; the funding spend asserts
   * it, so the launcher cannot be spent with another solution */
  memcpy(pre, f->id.launcher_id, 32);
  memcpy(pre + 32, sol_hash, 32);
  sha256(ann, pre, sizeof pre);
  rc = stdtx_conds_create_coin(&cl, launcher->hash, PLOTNFT_SINGLETON_AMOUNT, NULL, 0);
  if (!rc)
    rc = stdtx_conds_create_coin(&cl, f->wallet_ph, f->gift.amount - PLOTNFT_SINGLETON_AMOUNT,
                                 NULL, 0);
  if (!rc)
    rc = stdtx_conds_assert_coin_ann(&cl, ann);
  if (!rc)
    rc = stdtx_conds_serialize(&cl, &conds);
  if (rc)
    goto out;

  cs = xcalloc(2, sizeof *cs);
  sb.coin_spends.items = cs;
  sb.coin_spends.count = 2;
  rc = stdtx_spend(&f->gift, &f->wallet_sk, conds.data, conds.len,
                   f->net->agg_sig_me_additional_data, &cs[0], &sig);
  if (rc)
    goto out;
  cs[1].coin = lcoin;
  rc = blob_of(&cs[1].puzzle_reveal, launcher->bytes, launcher->len);
  if (!rc)
    rc = blob_of(&cs[1].solution, sol.data, sol.len);
  if (rc)
    goto out;
  memcpy(sb.aggregated_signature, sig.bytes, BLS_SIG_SIZE);
  rc = sim_chain_push_tx(f->chain, &sb, why);
  if (!rc) {
    f->have_nft = true;
    plotnft_p2_hash(&f->id, f->p2_ph);
  }
out:
  chia_spend_bundle_release(&sb);
  stdtx_conds_release(&cl);
  buf_release(&state);
  buf_release(&sol);
  buf_release(&conds);
  return rc;
}

/* Coin lookups for plotnft_follow, straight from the simulated chain. */
static cp_err fetch_coin(void *ctx, const uint8_t id[32], bool *spent,
                         struct chia_coin_spend *cs)
{
  struct sim_chain *c = ctx;
  struct sim_coin_record r;
  uint32_t h;
  cp_err rc = sim_chain_coin(c, id, &r);

  if (rc)
    return rc;
  *spent = r.spent_height != 0;
  return *spent ? sim_chain_coin_spend(c, id, cs, &h) : CP_OK;
}

/* singleton v1.0 lineage proof: eve (launcher_parent launcher_amount),
 * later ones (parent_parent parent_inner_hash parent_amount) */
static cp_err put_lineage(struct buf *b, const struct plotnft_lineage *l)
{
  cp_err rc = buf_append_u8(b, 0xff);

  if (!rc)
    rc = stdtx_put_atom(b, l->parent_parent, 32);
  if (!rc && !l->eve)
    rc = buf_append_u8(b, 0xff);
  if (!rc && !l->eve)
    rc = stdtx_put_atom(b, l->parent_inner_hash, 32);
  if (!rc)
    rc = buf_append_u8(b, 0xff);
  if (!rc)
    rc = stdtx_put_u64(b, l->parent_amount);
  return rc ? rc : buf_append_u8(b, 0x80);
}

cp_err sim_farmer_leave(struct sim_farmer *f, const char **why)
{
  struct plotnft_tip tip;
  struct plotnft_inner_args args;
  struct chia_pool_state leave;
  struct chia_spend_bundle sb;
  struct chia_coin_spend *cs;
  struct buf inner, full, state, extra, sol, msg;
  struct bls_sig sig;
  uint8_t extra_hash[32];
  static const uint8_t p = 'p';
  cp_err rc;

  *why = NULL;
  if (!f->have_nft)
    return CP_INVAL;
  memset(&sb, 0, sizeof sb);
  buf_init(&inner, 8192);
  buf_init(&full, 16384);
  buf_init(&state, 4096);
  buf_init(&extra, 4096);
  buf_init(&sol, 8192);
  buf_init(&msg, 128);
  rc = plotnft_follow(f->id.launcher_id, f->net->genesis_challenge, fetch_coin, f->chain, 0,
                      &tip);
  if (rc)
    goto out;
  if (tip.kind != PLOTNFT_INNER_MEMBER) {
    rc = CP_INVAL;
    goto out;
  }
  plotnft_state_args(&f->id, f->net->genesis_challenge, &tip.state, &args);
  leave = tip.state;
  leave.state = PLOTNFT_LEAVING_POOL;
  /* key/value list ((p . LEAVING_STATE)); inner solution (kv 0) */
  rc = plotnft_inner_puzzle(PLOTNFT_INNER_MEMBER, &args, &inner);
  if (!rc)
    rc = plotnft_full_puzzle(f->id.launcher_id, inner.data, inner.len, &full);
  if (!rc)
    rc = chia_pool_state_write(&leave, &state);
  if (!rc)
    rc = buf_append(&extra, "\xff\xff", 2);
  if (!rc)
    rc = stdtx_put_atom(&extra, &p, 1);
  if (!rc)
    rc = stdtx_put_atom(&extra, state.data, state.len);
  if (!rc)
    rc = buf_append_u8(&extra, 0x80);
  if (!rc)
    rc = clvm_tree_hash_bytes(extra.data, extra.len, extra_hash);
  /* full solution (lineage amount inner_solution) */
  if (!rc)
    rc = buf_append_u8(&sol, 0xff);
  if (!rc)
    rc = put_lineage(&sol, &tip.lineage);
  if (!rc)
    rc = buf_append_u8(&sol, 0xff);
  if (!rc)
    rc = stdtx_put_u64(&sol, tip.coin.amount);
  if (!rc)
    rc = buf_append(&sol, "\xff\xff", 2);
  if (!rc)
    rc = buf_append(&sol, extra.data, extra.len);
  if (!rc)
    rc = buf_append(&sol, "\xff\x80\x80\x80", 4);
  /* the member puzzle asks AGG_SIG_ME owner_pk sha256tree(kv list) */
  if (!rc)
    rc = buf_append(&msg, extra_hash, 32);
  if (!rc)
    rc = buf_append(&msg, tip.coin_id, 32);
  if (!rc)
    rc = buf_append(&msg, f->net->agg_sig_me_additional_data, 32);
  if (rc)
    goto out;
  bls_sign(&sig, &f->owner_sk, msg.data, msg.len);
  cs = xcalloc(1, sizeof *cs);
  sb.coin_spends.items = cs;
  sb.coin_spends.count = 1;
  cs->coin = tip.coin;
  rc = blob_of(&cs->puzzle_reveal, full.data, full.len);
  if (!rc)
    rc = blob_of(&cs->solution, sol.data, sol.len);
  if (rc)
    goto out;
  memcpy(sb.aggregated_signature, sig.bytes, BLS_SIG_SIZE);
  rc = sim_chain_push_tx(f->chain, &sb, why);
  if (!rc)
    log_info("farmer", "leaving_pool", "farmer=%s", f->name);
out:
  chia_spend_bundle_release(&sb);
  buf_release(&inner);
  buf_release(&full);
  buf_release(&state);
  buf_release(&extra);
  buf_release(&sol);
  buf_release(&msg);
  return rc;
}

/* --- plots --- */

cp_err sim_farmer_make_plots(struct sim_farmer *f)
{
  cp_err rc = CP_OK;

  if (!f->have_nft)
    return CP_INVAL;
  for (unsigned i = f->n_plots; i < f->cfg.n_plots; i++) {
    struct farmer_plot *p = &f->plots[i];
    rc = keys_role_sk(&p->local_sk, &f->master, KEYS_LOCAL, 0, i);
    if (rc)
      break;
    bls_sk_to_pk(&p->local_sk, &p->local_pk);
    keys_plot_pk(&p->plot_pk, &p->local_pk, &f->farmer_pk, 1);
    pos_plot_id_ph(f->p2_ph, p->plot_pk.bytes, p->id);
    rc = pos_plot_new(f->cfg.k, p->id, &p->plot);
    if (rc)
      break;
    f->n_plots = i + 1;
  }
  return rc;
}

/* --- signage points --- */

static uint64_t pool_ssi(const struct sim_farmer *f)
{
  return f->net->pool_sub_slot_iters * (f->cfg.test_mode ? POOL_TEST_MODE_ITERS_FACTOR : 1);
}

/* The proof of space for proof `index` of plot p at the signage point. */
static cp_err build_pos(struct sim_farmer *f, const struct farmer_plot *p,
                        const struct sim_sp *sp, size_t index, struct chia_pos *pos)
{
  unsigned k = pos_plot_k(p->plot);

  memset(pos, 0, sizeof *pos);
  pos_challenge(p->id, sp->challenge_hash, sp->sp_hash, pos->challenge);
  pos->has_pool_contract_puzzle_hash = true;
  memcpy(pos->pool_contract_puzzle_hash, f->p2_ph, 32);
  memcpy(pos->plot_public_key, p->plot_pk.bytes, 48);
  pos->size = (uint8_t)k;
  pos->proof_len = 8u * k;
  return pos_plot_full_proof(p->plot, pos->challenge, index, pos->proof);
}

static uint64_t token_now(const struct sim_farmer *f)
{
  return token_current(clock_unix_s(), f->token_timeout ? f->token_timeout : 5);
}

/* Fill req's payload and signature the way chia's farmer does. */
static cp_err sign_partial(struct sim_farmer *f, const struct farmer_plot *p,
                           const struct sim_sp *sp, const struct chia_pos *pos,
                           enum sim_farmer_mode mode, struct chia_partial_request *req)
{
  struct chia_partial_payload *pl = &req->payload;
  struct bls_sk taproot;
  struct bls_sig sigs[4], agg;
  uint8_t m[32];
  cp_err rc;

  memset(req, 0, sizeof *req);
  memcpy(pl->launcher_id, f->id.launcher_id, 32);
  pl->authentication_token = token_now(f);
  pl->proof_of_space = *pos;
  memcpy(pl->sp_hash, sp->sp_hash, 32);
  pl->end_of_sub_slot = sp->index == 0;
  memcpy(pl->harvester_id, f->harvester_id, 32);
  if (mode == SIM_FARMER_FORGED)
    pl->proof_of_space.proof[pos->proof_len / 2] ^= 0x01;
  rc = chia_partial_payload_hash(pl, m);
  if (rc)
    return rc;
  /* harvester shares (local, taproot) and the farmer's share, each with
   * the plot key as prefix, then the authentication key's own signature */
  keys_taproot_sk(&taproot, &p->local_pk, &f->farmer_pk);
  bls_sign_prepend(&sigs[0], &p->local_sk, m, 32, &p->plot_pk);
  bls_sign_prepend(&sigs[1], &taproot, m, 32, &p->plot_pk);
  bls_sign_prepend(&sigs[2], &f->farmer_sk, m, 32, &p->plot_pk);
  bls_sign(&sigs[3], mode == SIM_FARMER_WRONG_KEY ? &f->rogue_sk : &f->auth_sk, m, 32);
  bls_aggregate(&agg, sigs, 4);
  memcpy(req->aggregate_signature, agg.bytes, BLS_SIG_SIZE);
  bls_sk_wipe(&taproot);
  return CP_OK;
}

cp_err sim_farmer_partial_for(struct sim_farmer *f, unsigned plot, const struct sim_sp *sp,
                              struct chia_partial_request *out, bool *found)
{
  struct chia_pos pos;
  cp_err rc;

  *found = false;
  if (plot >= f->n_plots)
    return CP_INVAL;
  rc = build_pos(f, &f->plots[plot], sp, 0, &pos);
  if (rc == CP_NOT_FOUND)
    return CP_OK;
  if (rc)
    return rc;
  *found = true;
  return sign_partial(f, &f->plots[plot], sp, &pos, SIM_FARMER_HONEST, out);
}

static void count(struct sim_farmer *f, uint64_t *field, uint64_t n)
{
  pthread_mutex_lock(&f->mu);
  *field += n;
  pthread_mutex_unlock(&f->mu);
}

static void try_block(struct sim_farmer *f, const struct sim_sp *sp,
                      const struct chia_pos *pos, const uint8_t quality[32])
{
  struct sim_chain_state cs;
  const char *why = NULL;
  uint64_t iters;
  uint32_t height;
  cp_err rc;

  sim_chain_state(f->chain, &cs);
  if (pos_required_iters(f->net->difficulty_constant_factor, quality, pos->size,
                         cs.difficulty, sp->sp_hash, &iters) ||
      iters >= cs.sub_slot_iters / f->net->num_sps_sub_slot)
    return;
  rc = sim_chain_submit_block_proof(f->chain, pos, sp->sp_hash, f->wallet_ph, f->p2_ph,
                                    &height, &why);
  if (rc) {
    count(f, &f->st.blocks_refused, 1);
    log_info("farmer", "block_refused", "farmer=%s err=%s why=%s", f->name,
             cp_errname(rc), why ? why : "-");
    return;
  }
  count(f, &f->st.blocks_won, 1);
  log_info("farmer", "block_won", "farmer=%s height=%u", f->name, (unsigned)height);
}

static void hold_or_send(struct sim_farmer *f, enum sim_farmer_mode mode, char *body)
{
  if (mode != SIM_FARMER_STALE) {
    farmer__send_partial(f, body);
    free(body);
    return;
  }
  if (f->n_held == FARMER_HELD_MAX) {
    free(body); /* a stale farmer with a full queue just drops */
    return;
  }
  f->held[f->n_held].due_ms = clock_unix_ms() + f->cfg.stale_delay_ms;
  f->held[f->n_held++].body = body;
}

static char *partial_json(const struct chia_partial_request *req)
{
  json_t *j = NULL;
  struct buf b;
  const char *s;
  char *out = NULL;

  buf_init(&b, PARTIAL_JSON_MAX);
  if (!chia_partial_request_to_json(req, &j) && !cjson_dump(j, &b) && !buf_cstr(&b, &s))
    out = xstrdup(s);
  json_decref(j);
  buf_release(&b);
  return out;
}

void sim_farmer_on_sp(struct sim_farmer *f, const struct sim_sp *sp)
{
  struct sim_chain_state cs;
  enum sim_farmer_mode mode = mode_get(f);
  uint64_t difficulty;

  count(f, &f->st.signage_points, 1);
  if (!f->have_nft || !f->have_pool_info)
    return;
  sim_chain_state(f->chain, &cs);
  pthread_mutex_lock(&f->mu);
  difficulty = f->st.difficulty;
  pthread_mutex_unlock(&f->mu);
  for (unsigned i = 0; i < f->n_plots; i++) {
    const struct farmer_plot *p = &f->plots[i];
    uint8_t challenge[32], q[PROOFS_PER_PLOT][32];
    size_t n = 0;

    if (!pos_passes_plot_filter_at(f->net, cs.peak.height, p->id, sp->challenge_hash,
                                   sp->sp_hash))
      continue;
    pos_challenge(p->id, sp->challenge_hash, sp->sp_hash, challenge);
    if (pos_plot_qualities(p->plot, challenge, q, PROOFS_PER_PLOT, &n) == CP_TOO_BIG)
      n = PROOFS_PER_PLOT;
    for (size_t j = 0; j < n; j++) {
      struct chia_partial_request req;
      struct chia_pos pos;
      uint64_t iters;
      char *body;

      count(f, &f->st.proofs, 1);
      if (build_pos(f, p, sp, j, &pos))
        continue;
      try_block(f, sp, &pos, q[j]);
      /* the farmer's own pre-check at the pool's difficulty */
      if (!difficulty ||
          pos_required_iters(f->net->difficulty_constant_factor, q[j], pos.size,
                             difficulty, sp->sp_hash, &iters) ||
          !pos_pool_iters_ok(iters, pool_ssi(f)))
        continue;
      if (sign_partial(f, p, sp, &pos, mode, &req))
        continue;
      body = partial_json(&req);
      if (body)
        hold_or_send(f, mode, body);
    }
  }
}

/* --- driving --- */

void sim_farmer_tick(struct sim_farmer *f)
{
  uint64_t now = clock_unix_ms();
  size_t keep = 0;

  for (size_t i = 0; i < f->n_held; i++) {
    if (f->held[i].due_ms <= now) {
      farmer__send_partial(f, f->held[i].body);
      free(f->held[i].body);
    } else {
      f->held[keep++] = f->held[i];
    }
  }
  f->n_held = keep;
  if (f->have_nft && f->next_refresh_ms && now >= f->next_refresh_ms)
    farmer__refresh(f);
}

static void *farmer_main(void *arg)
{
  struct sim_farmer *f = arg;

  while (!atomic_load(&f->stop)) {
    struct sim_sp sp;
    sim_chain_current_sp(f->chain, &sp);
    if (!f->have_last_seq || sp.seq != f->last_seq) {
      f->have_last_seq = true;
      f->last_seq = sp.seq;
      sim_farmer_on_sp(f, &sp);
    }
    sim_farmer_tick(f);
    clock_sleep_ms(f->poll_ms);
  }
  return NULL;
}

cp_err sim_farmer_start(struct sim_farmer *f, uint32_t poll_ms)
{
  if (f->running)
    return CP_EXISTS;
  f->poll_ms = poll_ms ? poll_ms : 50;
  atomic_store(&f->stop, 0);
  if (pthread_create(&f->thread, NULL, farmer_main, f))
    return CP_INTERNAL;
  f->running = true;
  return CP_OK;
}

void sim_farmer_stop(struct sim_farmer *f)
{
  if (!f->running)
    return;
  atomic_store(&f->stop, 1);
  pthread_join(f->thread, NULL);
  f->running = false;
}
