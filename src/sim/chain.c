#include "sim/chain.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "crypto/sha256.h"
#include "pos/quality.h"
#include "pos/verify.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* A block proof may come this many signage points after its own: a farmer
 * needs a moment to look its plots up, and the ticker does not wait. */
#define PROOF_WINDOW 16

struct coin_entry {
  struct sim_coin_record r;
  bool has_spend;
  struct chia_coin_spend spend;   /* owned copy once spent */
};

struct sim_chain {
  pthread_mutex_t mu;
  const struct chia_consts *net;
  uint64_t difficulty;
  uint64_t ssi;
  uint64_t seed;
  struct sim_sp sps[SIM_SP_CACHE];  /* sps[seq % SIM_SP_CACHE] */
  uint64_t next_seq;
  uint8_t slot_challenge[32];       /* of the latest sub-slot */
  struct sim_block *blocks;
  size_t n_blocks, cap_blocks;
  struct coin_entry *coins;
  size_t n_coins, cap_coins;
  struct sim_tx *pending;
  size_t n_pending;
  uint64_t gifts;
  sim_sp_fn on_sp;
  void *on_sp_ud;
};

void sim_chain_config_init(struct sim_chain_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
}

const struct chia_consts *sim_chain_net(const struct sim_chain *c)
{
  return c->net;
}

/* --- deterministic hashes --- */

/* sha256 in counter mode over (tag, seed, a, b): stands in for VDF outputs
 * and header hashes, which nobody but the simulator ever recomputes. */
static void expand(uint8_t *out, size_t n, const char *tag, uint64_t seed, uint64_t a,
                   uint64_t b)
{
  uint8_t in[64], h[32];
  size_t tl = strlen(tag), off = 0;
  uint32_t ctr = 0;

  memcpy(in, tag, tl);
  be64_store(in + tl, seed);
  be64_store(in + tl + 8, a);
  be64_store(in + tl + 16, b);
  while (off < n) {
    size_t take = n - off < 32 ? n - off : 32;
    be32_store(in + tl + 24, ctr++);
    sha256(h, in, tl + 28);
    memcpy(out + off, h, take);
    off += take;
  }
}

/* sha256 of a streamable ChallengeChainSubSlot whose Optionals are all
 * absent: VDFInfo (challenge, iterations u64, 100-byte output) then four
 * zero flags. */
static void cc_sub_slot_hash(const struct sim_vdf *v, uint8_t out[32])
{
  uint8_t b[32 + 8 + SIM_VDF_OUTPUT_LEN + 4];

  memcpy(b, v->challenge, 32);
  be64_store(b + 32, v->iters);
  memcpy(b + 40, v->output, SIM_VDF_OUTPUT_LEN);
  memset(b + 40 + SIM_VDF_OUTPUT_LEN, 0, 4);
  sha256(out, b, sizeof b);
}

/* Make signage point next_seq; caller holds the lock. */
static void make_sp_locked(struct sim_chain *c, struct sim_sp *copy)
{
  uint64_t seq = c->next_seq++;
  struct sim_sp *sp = &c->sps[seq % SIM_SP_CACHE];
  uint32_t per = c->net->num_sps_sub_slot;

  memset(sp, 0, sizeof *sp);
  sp->seq = seq;
  sp->slot = seq / per;
  sp->index = (uint8_t)(seq % per);
  if (sp->index == 0) {
    /* the previous slot ends: its end-of-slot VDF fixes the new challenge */
    memcpy(sp->cc_vdf.challenge, c->slot_challenge, 32);
    sp->cc_vdf.iters = c->ssi;
    expand(sp->cc_vdf.output, SIM_VDF_OUTPUT_LEN, "sim-cc-eos", c->seed, sp->slot, 0);
    cc_sub_slot_hash(&sp->cc_vdf, c->slot_challenge);
    memcpy(sp->sp_hash, c->slot_challenge, 32);
  } else {
    memcpy(sp->cc_vdf.challenge, c->slot_challenge, 32);
    sp->cc_vdf.iters = c->ssi / per * sp->index;
    expand(sp->cc_vdf.output, SIM_VDF_OUTPUT_LEN, "sim-cc-sp", c->seed, sp->slot,
           sp->index);
    sha256(sp->sp_hash, sp->cc_vdf.output, SIM_VDF_OUTPUT_LEN);
  }
  memcpy(sp->challenge_hash, c->slot_challenge, 32);
  expand(sp->rc_vdf.challenge, 32, "sim-rc-chal", c->seed, sp->slot, 0);
  sp->rc_vdf.iters = sp->cc_vdf.iters;
  expand(sp->rc_vdf.output, SIM_VDF_OUTPUT_LEN, "sim-rc", c->seed, sp->slot, sp->index);
  sp->time_received_ms = clock_unix_ms();
  *copy = *sp;
}

/* Cached signage point by sequence number, NULL when evicted or future. */
static struct sim_sp *sp_at_locked(struct sim_chain *c, uint64_t seq)
{
  if (seq >= c->next_seq || c->next_seq - seq > SIM_SP_CACHE)
    return NULL;
  return &c->sps[seq % SIM_SP_CACHE];
}

static struct sim_sp *find_sp_locked(struct sim_chain *c, const uint8_t hash[32], bool eos)
{
  uint64_t first = c->next_seq > SIM_SP_CACHE ? c->next_seq - SIM_SP_CACHE : 0;

  /* newest first: a hash seen again after a revert is its latest copy */
  for (uint64_t s = c->next_seq; s-- > first;) {
    struct sim_sp *sp = &c->sps[s % SIM_SP_CACHE];
    if (eos && sp->index != 0)
      continue;
    if (!memcmp(sp->sp_hash, hash, 32))
      return sp;
  }
  return NULL;
}

/* --- coins --- */

static struct coin_entry *find_coin_locked(struct sim_chain *c, const uint8_t id[32])
{
  /* linear: a simulated chain holds thousands of coins, not millions */
  for (size_t i = 0; i < c->n_coins; i++)
    if (!memcmp(c->coins[i].r.id, id, 32))
      return &c->coins[i];
  return NULL;
}

static void add_coin_locked(struct sim_chain *c, const struct chia_coin *coin,
                            uint32_t height, uint64_t ts, bool coinbase)
{
  struct coin_entry *e;

  if (c->n_coins == c->cap_coins) {
    c->cap_coins = c->cap_coins ? 2 * c->cap_coins : 64;
    c->coins = xrealloc(c->coins, c->cap_coins * sizeof *c->coins);
  }
  e = &c->coins[c->n_coins++];
  memset(e, 0, sizeof *e);
  e->r.coin = *coin;
  coin_id(coin, e->r.id);
  e->r.confirmed_height = height;
  e->r.coinbase = coinbase;
  e->r.timestamp = ts;
}

static cp_err view_coin(void *ctx, const uint8_t id[32], struct sim_coin_record *out)
{
  struct coin_entry *e = find_coin_locked(ctx, id);
  if (!e)
    return CP_NOT_FOUND;
  *out = e->r;
  return CP_OK;
}

static struct sim_block *peak_locked(struct sim_chain *c)
{
  return &c->blocks[c->n_blocks - 1];
}

static void view_locked(struct sim_chain *c, struct sim_view *v)
{
  v->net = c->net;
  v->peak_height = peak_locked(c)->height;
  v->peak_timestamp = peak_locked(c)->timestamp;
  v->coin = view_coin;
  v->ctx = c;
}

static cp_err copy_spend(const struct chia_coin_spend *in, struct chia_coin_spend *out)
{
  struct buf b;
  cp_err rc;

  buf_init(&b, ST_WRITE_MAX);
  rc = chia_coin_spend_write(in, &b);
  if (!rc)
    rc = chia_coin_spend_parse(b.data, b.len, out);
  buf_release(&b);
  return rc;
}

/* Apply a validated bundle at height h; caller holds the lock. */
static void apply_tx_locked(struct sim_chain *c, const struct sim_tx *tx, uint32_t h,
                            uint64_t ts)
{
  for (size_t i = 0; i < tx->n_additions; i++)
    add_coin_locked(c, &tx->additions[i], h, ts, false);
  for (uint32_t i = 0; i < tx->sb.coin_spends.count; i++) {
    const struct chia_coin_spend *cs = chia_spend_bundle_at(&tx->sb, i);
    struct coin_entry *e = find_coin_locked(c, tx->removals[i]);
    if (!e)
      continue;   /* validated just before: cannot happen */
    e->r.spent_height = h;
    if (copy_spend(cs, &e->spend) == CP_OK)
      e->has_spend = true;
  }
}

/* --- blocks --- */

static void push_block_locked(struct sim_chain *c, const struct sim_block *b)
{
  if (c->n_blocks == c->cap_blocks) {
    c->cap_blocks = c->cap_blocks ? 2 * c->cap_blocks : 64;
    c->blocks = xrealloc(c->blocks, c->cap_blocks * sizeof *c->blocks);
  }
  c->blocks[c->n_blocks++] = *b;
}

/* Build the next block at sp; caller holds the lock. Pending bundles are
 * validated again against the new height and applied in arrival order;
 * any that no longer validate are dropped. */
static void make_block_locked(struct sim_chain *c, const struct sim_sp *sp,
                              const uint8_t farmer_ph[32], const uint8_t pool_ph[32],
                              uint64_t required_iters, uint32_t *height_out)
{
  struct sim_block b, *prev = c->n_blocks ? peak_locked(c) : NULL;
  uint8_t hin[32 + 32 + 32 + 32 + 16];
  struct chia_coin reward;
  struct sim_view view;
  uint64_t now = clock_unix_s();

  memset(&b, 0, sizeof b);
  b.height = prev ? prev->height + 1 : 0;
  if (prev)
    memcpy(b.prev_hash, prev->header_hash, 32);
  else
    memcpy(b.prev_hash, c->net->genesis_challenge, 32);
  memcpy(hin, b.prev_hash, 32);
  memcpy(hin + 32, sp->sp_hash, 32);
  memcpy(hin + 64, farmer_ph, 32);
  memcpy(hin + 96, pool_ph, 32);
  be64_store(hin + 128, c->seed);
  be64_store(hin + 136, sp->seq);
  sha256(b.header_hash, hin, sizeof hin);
  b.weight = (prev ? prev->weight : 0) + c->difficulty;
  b.total_iters = (chia_u128)sp->slot * c->ssi + sp->cc_vdf.iters % c->ssi + required_iters;
  b.sp_seq = sp->seq;
  b.sp_index = sp->index;
  memcpy(b.challenge_hash, sp->challenge_hash, 32);
  b.first_in_sub_slot = !prev || prev->sp_seq / c->net->num_sps_sub_slot != sp->slot;
  b.sub_slot_iters = c->ssi;
  b.required_iters = required_iters;
  memcpy(b.farmer_ph, farmer_ph, 32);
  memcpy(b.pool_ph, pool_ph, 32);
  /* transaction block timestamps never go backwards */
  b.timestamp = prev && prev->timestamp > now ? prev->timestamp : now;
  memcpy(b.cc_output, sp->cc_vdf.output, SIM_VDF_OUTPUT_LEN);

  if (prev)
    view_locked(c, &view);
  for (size_t i = 0; i < c->n_pending; i++) {
    struct sim_tx again;
    const char *why = NULL;
    if (prev && sim_tx_check(&c->pending[i].sb, &view, &again, &why) == CP_OK) {
      apply_tx_locked(c, &again, b.height, b.timestamp);
      b.fees += again.fee;
      sim_tx_release(&again);
    } else {
      log_info("sim", "tx_dropped", "height=%u why=%s", b.height, why ? why : "-");
    }
    sim_tx_release(&c->pending[i]);
  }
  c->n_pending = 0;

  coin_pool_parent_id(c->net->genesis_challenge, b.height, reward.parent_coin_info);
  memcpy(reward.puzzle_hash, pool_ph, 32);
  reward.amount = coin_pool_reward(b.height);
  add_coin_locked(c, &reward, b.height, b.timestamp, true);
  coin_farmer_parent_id(c->net->genesis_challenge, b.height, reward.parent_coin_info);
  memcpy(reward.puzzle_hash, farmer_ph, 32);
  reward.amount = coin_farmer_reward(b.height) + b.fees;
  add_coin_locked(c, &reward, b.height, b.timestamp, true);
  push_block_locked(c, &b);
  if (height_out)
    *height_out = b.height;
  log_info("sim", "block", "height=%u sp_index=%u fees=%llu", b.height,
           (unsigned)b.sp_index, (unsigned long long)b.fees);
}

/* Undo the peak (never genesis); caller holds the lock. */
static void pop_block_locked(struct sim_chain *c)
{
  uint32_t h = peak_locked(c)->height;
  size_t j = 0;

  for (size_t i = 0; i < c->n_coins; i++) {
    struct coin_entry *e = &c->coins[i];
    if (e->r.confirmed_height == h) {
      if (e->has_spend)
        chia_coin_spend_release(&e->spend);
      continue;
    }
    if (e->r.spent_height == h) {
      e->r.spent_height = 0;
      if (e->has_spend)
        chia_coin_spend_release(&e->spend);
      e->has_spend = false;
    }
    c->coins[j++] = *e;
  }
  c->n_coins = j;
  c->n_blocks--;
}

/* --- lifecycle --- */

cp_err sim_chain_new(const struct sim_chain_config *cfg, struct sim_chain **out)
{
  struct sim_chain *c;
  struct sim_sp sp;
  const struct chia_consts *net = cfg->net ? cfg->net : consts_get("simulator");

  *out = NULL;
  if (!net || !net->num_sps_sub_slot || net->num_sps_sub_slot > 255)
    return CP_CONFIG;
  c = xcalloc(1, sizeof *c);
  pthread_mutex_init(&c->mu, NULL);
  c->net = net;
  c->difficulty = cfg->difficulty ? cfg->difficulty : SIM_DEFAULT_DIFFICULTY;
  c->ssi = cfg->sub_slot_iters ? cfg->sub_slot_iters : net->sub_slot_iters_starting;
  if (c->ssi < net->num_sps_sub_slot) {
    sim_chain_free(c);
    return CP_CONFIG;
  }
  c->seed = cfg->seed;
  memcpy(c->slot_challenge, net->genesis_challenge, 32);
  make_sp_locked(c, &sp);
  make_block_locked(c, &sp, cfg->genesis_farmer_ph, cfg->genesis_pool_ph, 0, NULL);
  *out = c;
  return CP_OK;
}

void sim_chain_free(struct sim_chain *c)
{
  if (!c)
    return;
  for (size_t i = 0; i < c->n_coins; i++)
    if (c->coins[i].has_spend)
      chia_coin_spend_release(&c->coins[i].spend);
  for (size_t i = 0; i < c->n_pending; i++)
    sim_tx_release(&c->pending[i]);
  free(c->pending);
  free(c->coins);
  free(c->blocks);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

void sim_chain_on_signage_point(struct sim_chain *c, sim_sp_fn fn, void *ud)
{
  pthread_mutex_lock(&c->mu);
  c->on_sp = fn;
  c->on_sp_ud = ud;
  pthread_mutex_unlock(&c->mu);
}

/* --- queries --- */

void sim_chain_state(struct sim_chain *c, struct sim_chain_state *out)
{
  unsigned bits;

  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&c->mu);
  out->peak = *peak_locked(c);
  out->difficulty = c->difficulty;
  out->sub_slot_iters = c->ssi;
  out->mempool_size = c->n_pending;
  for (size_t i = 0; i < c->n_pending; i++) {
    out->mempool_cost += c->pending[i].cost;
    out->mempool_fees += c->pending[i].fee;
  }
  bits = consts_plot_filter_bits(c->net, out->peak.height + 1);
  /* Order of magnitude only, as the node's own estimate: the plot-size
   * units (expected_plot_size) that win one block per signage point. */
  out->space = (chia_u128)c->difficulty * c->net->difficulty_constant_factor /
               (c->ssi / c->net->num_sps_sub_slot) << bits;
  pthread_mutex_unlock(&c->mu);
}

void sim_chain_current_sp(struct sim_chain *c, struct sim_sp *out)
{
  pthread_mutex_lock(&c->mu);
  *out = *sp_at_locked(c, c->next_seq - 1);
  pthread_mutex_unlock(&c->mu);
}

cp_err sim_chain_get_sp(struct sim_chain *c, const uint8_t hash[32], bool eos,
                        struct sim_sp *out)
{
  struct sim_sp *sp;
  cp_err rc = CP_NOT_FOUND;

  pthread_mutex_lock(&c->mu);
  sp = find_sp_locked(c, hash, eos);
  if (sp) {
    *out = *sp;
    rc = CP_OK;
  }
  pthread_mutex_unlock(&c->mu);
  return rc;
}

cp_err sim_chain_block_by_height(struct sim_chain *c, uint32_t height,
                                 struct sim_block *out)
{
  cp_err rc = CP_NOT_FOUND;

  pthread_mutex_lock(&c->mu);
  if (height < c->n_blocks) {
    *out = c->blocks[height];
    rc = CP_OK;
  }
  pthread_mutex_unlock(&c->mu);
  return rc;
}

cp_err sim_chain_block_by_hash(struct sim_chain *c, const uint8_t hash[32],
                               struct sim_block *out)
{
  cp_err rc = CP_NOT_FOUND;

  pthread_mutex_lock(&c->mu);
  for (size_t i = c->n_blocks; i-- > 0;) {
    if (!memcmp(c->blocks[i].header_hash, hash, 32)) {
      *out = c->blocks[i];
      rc = CP_OK;
      break;
    }
  }
  pthread_mutex_unlock(&c->mu);
  return rc;
}

cp_err sim_chain_blocks(struct sim_chain *c, uint32_t start, uint32_t end,
                        struct sim_block **out, size_t *n)
{
  size_t hi;

  *out = NULL;
  *n = 0;
  if (end < start)
    return CP_INVAL;
  pthread_mutex_lock(&c->mu);
  hi = end < c->n_blocks ? end : c->n_blocks;
  if (start < hi) {
    *out = xmalloc((hi - start) * sizeof **out);
    memcpy(*out, c->blocks + start, (hi - start) * sizeof **out);
    *n = hi - start;
  }
  pthread_mutex_unlock(&c->mu);
  return CP_OK;
}

bool sim_chain_spent_in_mempool(struct sim_chain *c, const uint8_t id[32])
{
  bool found = false;
  pthread_mutex_lock(&c->mu);
  for (size_t i = 0; i < c->n_pending && !found; i++)
    for (size_t k = 0; k < c->pending[i].n_removals && !found; k++)
      found = !memcmp(c->pending[i].removals[k], id, 32);
  pthread_mutex_unlock(&c->mu);
  return found;
}

cp_err sim_chain_coin(struct sim_chain *c, const uint8_t id[32],
                      struct sim_coin_record *out)
{
  cp_err rc;

  pthread_mutex_lock(&c->mu);
  rc = view_coin(c, id, out);
  pthread_mutex_unlock(&c->mu);
  return rc;
}

cp_err sim_chain_coins_by_puzzle_hashes(struct sim_chain *c, const uint8_t (*phs)[32],
                                        size_t n, bool include_spent, uint32_t start,
                                        uint32_t end, struct sim_coin_record **out,
                                        size_t *count)
{
  size_t k = 0, cap = 0;

  *out = NULL;
  *count = 0;
  pthread_mutex_lock(&c->mu);
  for (size_t i = 0; i < c->n_coins; i++) {
    const struct sim_coin_record *r = &c->coins[i].r;
    bool match = false;
    if (r->spent_height && !include_spent)
      continue;
    if (r->confirmed_height < start || (end && r->confirmed_height >= end))
      continue;
    for (size_t j = 0; j < n && !match; j++)
      match = !memcmp(r->coin.puzzle_hash, phs[j], 32);
    if (!match)
      continue;
    if (k == cap) {
      cap = cap ? 2 * cap : 16;
      *out = xrealloc(*out, cap * sizeof **out);
    }
    (*out)[k++] = *r;
  }
  pthread_mutex_unlock(&c->mu);
  *count = k;
  return CP_OK;
}

cp_err sim_chain_coin_spend(struct sim_chain *c, const uint8_t id[32],
                            struct chia_coin_spend *out, uint32_t *spent_height)
{
  struct coin_entry *e;
  cp_err rc = CP_NOT_FOUND;

  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&c->mu);
  e = find_coin_locked(c, id);
  if (e && e->has_spend) {
    rc = copy_spend(&e->spend, out);
    *spent_height = e->r.spent_height;
  }
  pthread_mutex_unlock(&c->mu);
  return rc;
}

static void append_rec(struct sim_coin_record **v, size_t *n, size_t *cap,
                       const struct sim_coin_record *r)
{
  if (*n == *cap) {
    *cap = *cap ? 2 * *cap : 8;
    *v = xrealloc(*v, *cap * sizeof **v);
  }
  (*v)[(*n)++] = *r;
}

cp_err sim_chain_additions_removals(struct sim_chain *c, const uint8_t header_hash[32],
                                    struct sim_coin_record **adds, size_t *n_adds,
                                    struct sim_coin_record **rems, size_t *n_rems)
{
  size_t ca = 0, cr = 0;
  uint32_t h = 0;
  bool found = false;

  *adds = *rems = NULL;
  *n_adds = *n_rems = 0;
  pthread_mutex_lock(&c->mu);
  for (size_t i = 0; i < c->n_blocks && !found; i++) {
    if (!memcmp(c->blocks[i].header_hash, header_hash, 32)) {
      found = true;
      h = c->blocks[i].height;
    }
  }
  for (size_t i = 0; found && i < c->n_coins; i++) {
    if (c->coins[i].r.confirmed_height == h)
      append_rec(adds, n_adds, &ca, &c->coins[i].r);
    if (c->coins[i].r.spent_height == h)
      append_rec(rems, n_rems, &cr, &c->coins[i].r);
  }
  pthread_mutex_unlock(&c->mu);
  return found ? CP_OK : CP_NOT_FOUND;
}

/* --- mutations --- */

void sim_chain_advance(struct sim_chain *c, unsigned n)
{
  for (unsigned i = 0; i < n; i++) {
    struct sim_sp sp;
    sim_sp_fn fn;
    void *ud;

    pthread_mutex_lock(&c->mu);
    make_sp_locked(c, &sp);
    fn = c->on_sp;
    ud = c->on_sp_ud;
    pthread_mutex_unlock(&c->mu);
    if (fn)
      fn(&sp, ud);
  }
}

void sim_chain_revert_signage_points(struct sim_chain *c, unsigned n,
                                     bool rollback_blocks)
{
  uint64_t first;

  pthread_mutex_lock(&c->mu);
  if (n > SIM_SP_CACHE)
    n = SIM_SP_CACHE;
  if (n > c->next_seq)
    n = (unsigned)c->next_seq;
  first = c->next_seq - n;
  for (uint64_t s = first; s < c->next_seq; s++)
    sp_at_locked(c, s)->reverted = true;
  while (rollback_blocks && c->n_blocks > 1 && peak_locked(c)->sp_seq >= first) {
    log_info("sim", "block_reverted", "height=%u", peak_locked(c)->height);
    pop_block_locked(c);
  }
  pthread_mutex_unlock(&c->mu);
}

cp_err sim_chain_give(struct sim_chain *c, const uint8_t puzzle_hash[32], uint64_t amount,
                      struct chia_coin *out)
{
  struct chia_coin coin;
  struct sim_block *peak;

  pthread_mutex_lock(&c->mu);
  expand(coin.parent_coin_info, 32, "sim-gift", c->seed, c->gifts++, 0);
  memcpy(coin.puzzle_hash, puzzle_hash, 32);
  coin.amount = amount;
  peak = peak_locked(c);
  add_coin_locked(c, &coin, peak->height, peak->timestamp, false);
  pthread_mutex_unlock(&c->mu);
  if (out)
    *out = coin;
  return CP_OK;
}

cp_err sim_chain_add_coin(struct sim_chain *c, const struct chia_coin *coin)
{
  struct sim_block *peak;
  uint8_t id[32];
  cp_err rc = CP_OK;

  coin_id(coin, id);
  pthread_mutex_lock(&c->mu);
  if (find_coin_locked(c, id)) {
    rc = CP_EXISTS;
  } else {
    peak = peak_locked(c);
    add_coin_locked(c, coin, peak->height, peak->timestamp, false);
  }
  pthread_mutex_unlock(&c->mu);
  return rc;
}

/* replace: evict the pending bundles sb conflicts with instead of
 * refusing sb */
static cp_err push_tx(struct sim_chain *c, const struct chia_spend_bundle *sb, bool replace,
                      const char **why)
{
  struct sim_view view;
  struct sim_tx tx;
  uint8_t name[32];
  cp_err rc;

  *why = NULL;
  rc = chia_spend_bundle_hash(sb, name);
  if (rc) {
    *why = "INVALID_SPEND_BUNDLE";
    return CP_TX_FAILED;
  }
  pthread_mutex_lock(&c->mu);
  for (size_t i = 0; i < c->n_pending; i++) {
    if (!memcmp(c->pending[i].name, name, 32))
      goto out;   /* ALREADY_INCLUDING_TRANSACTION: the node says SUCCESS */
  }
  if (c->n_pending >= SIM_MAX_PENDING) {
    /* what a full node's mempool answers a bundle that cannot outbid it */
    *why = "INVALID_FEE_LOW_FEE";
    rc = CP_TX_FAILED;
    goto out;
  }
  view_locked(c, &view);
  rc = sim_tx_check(sb, &view, &tx, why);
  if (rc)
    goto out;
  for (size_t i = 0; i < c->n_pending;) {
    if (!sim_tx_conflicts(&tx, &c->pending[i])) {
      i++;
      continue;
    }
    if (replace) {
      log_info("sim", "tx_replaced", "pending=%zu", i);
      sim_tx_release(&c->pending[i]);
      memmove(&c->pending[i], &c->pending[i + 1],
              (c->n_pending - i - 1) * sizeof *c->pending);
      c->n_pending--;
      continue;
    }
    /* a real node would replace by fee; the simulator keeps the first */
    sim_tx_release(&tx);
    *why = "MEMPOOL_CONFLICT";
    rc = CP_TX_FAILED;
    goto out;
  }
  c->pending = xrealloc(c->pending, (c->n_pending + 1) * sizeof *c->pending);
  c->pending[c->n_pending++] = tx;
out:
  pthread_mutex_unlock(&c->mu);
  return rc;
}

cp_err sim_chain_push_tx(struct sim_chain *c, const struct chia_spend_bundle *sb,
                         const char **why)
{
  return push_tx(c, sb, false, why);
}

cp_err sim_chain_replace_tx(struct sim_chain *c, const struct chia_spend_bundle *sb,
                            const char **why)
{
  return push_tx(c, sb, true, why);
}

cp_err sim_chain_farm_block(struct sim_chain *c, const uint8_t farmer_ph[32],
                            const uint8_t pool_ph[32], uint32_t *height)
{
  struct sim_sp sp;

  pthread_mutex_lock(&c->mu);
  sp = *sp_at_locked(c, c->next_seq - 1);
  make_block_locked(c, &sp, farmer_ph, pool_ph, 1, height);
  pthread_mutex_unlock(&c->mu);
  return CP_OK;
}

static cp_err check_proof(const struct chia_consts *net, const struct chia_pos *pos,
                          const struct sim_sp *sp, uint32_t height,
                          const uint8_t pool_ph[32], uint8_t quality[32],
                          const char **why)
{
  uint8_t plot_id[32], want[32];

  if (pos->has_pool_public_key == pos->has_pool_contract_puzzle_hash) {
    *why = "exactly one of pool key and pool contract must be set";
    return CP_BAD_PROOF;
  }
  if (pos->has_pool_contract_puzzle_hash &&
      memcmp(pos->pool_contract_puzzle_hash, pool_ph, 32)) {
    *why = "pool puzzle hash is not the plot's pool contract";
    return CP_INVAL;
  }
  if (pos->size < net->min_plot_size || pos->size > net->max_plot_size) {
    *why = "plot size out of range";
    return CP_BAD_PROOF;
  }
  if (pos->has_pool_contract_puzzle_hash)
    pos_plot_id_ph(pos->pool_contract_puzzle_hash, pos->plot_public_key, plot_id);
  else
    pos_plot_id_pk(pos->pool_public_key, pos->plot_public_key, plot_id);
  if (!pos_passes_plot_filter_at(net, height, plot_id, sp->challenge_hash, sp->sp_hash)) {
    *why = "plot does not pass the plot filter";
    return CP_BAD_PROOF;
  }
  pos_challenge(plot_id, sp->challenge_hash, sp->sp_hash, want);
  if (memcmp(want, pos->challenge, 32)) {
    *why = "proof challenge does not belong to this signage point";
    return CP_BAD_PROOF;
  }
  if (pos_verify(pos->size, plot_id, pos->challenge, pos->proof, pos->proof_len,
                 quality)) {
    *why = "invalid proof of space";
    return CP_BAD_PROOF;
  }
  return CP_OK;
}

cp_err sim_chain_submit_block_proof(struct sim_chain *c, const struct chia_pos *pos,
                                    const uint8_t sp_hash[32],
                                    const uint8_t farmer_ph[32],
                                    const uint8_t pool_ph[32], uint32_t *height,
                                    const char **why)
{
  struct sim_sp *sp, copy;
  uint8_t quality[32];
  uint64_t iters;
  cp_err rc;

  *why = NULL;
  pthread_mutex_lock(&c->mu);
  sp = find_sp_locked(c, sp_hash, false);
  if (!sp || sp->reverted) {
    *why = "signage point not in cache or reverted";
    rc = CP_NOT_FOUND;
    goto out;
  }
  if (sp->seq + PROOF_WINDOW < c->next_seq || peak_locked(c)->sp_seq >= sp->seq) {
    *why = "signage point is too old or already has a block";
    rc = CP_SIM_STALE;
    goto out;
  }
  copy = *sp;
  rc = check_proof(c->net, pos, &copy, peak_locked(c)->height + 1, pool_ph, quality, why);
  if (rc)
    goto out;
  rc = pos_required_iters(c->net->difficulty_constant_factor, quality, pos->size,
                          c->difficulty, sp_hash, &iters);
  if (rc || iters >= c->ssi / c->net->num_sps_sub_slot) {
    *why = "required iterations above the signage point interval";
    rc = CP_SIM_NOT_WINNING;
    goto out;
  }
  make_block_locked(c, &copy, farmer_ph, pool_ph, iters, height);
out:
  pthread_mutex_unlock(&c->mu);
  return rc;
}
