/* Reward finder and absorber (see rewards.h for the state machine). */
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/coin.h"
#include "plotnft/absorb.h"
#include "plotnft/state.h"
#include "pool/coinhold.h"
#include "pool/rewards.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

/* A pushed absorb this process is waiting for: not re-examined before
 * peak reaches `due` (a restart forgets these and re-examines at once,
 * which is safe: re-examining never pushes a different spend of a coin
 * that may still be spent by the pending one). */
struct pending {
  uint8_t tx[32];
  uint32_t due;
};

struct rewards {
  const struct pool_config *cfg;
  struct store *store;
  struct chain chain;
  uint8_t genesis[32];
  struct pending *pend;
  size_t n_pend, cap_pend;
  /* launchers with a bundle in flight this pass: their singleton coin is
   * spoken for, so no second bundle may spend it */
  uint8_t (*busy)[32];
  size_t n_busy, cap_busy;
  struct rewards_fee_source fee;
  struct coinhold *hold; /* not owned; may be NULL */
  int fee_warned;
};

static int busy_has(const struct rewards *r, const uint8_t *launcher)
{
  for (size_t i = 0; i < r->n_busy; i++)
    if (!memcmp(r->busy[i], launcher, 32))
      return 1;
  return 0;
}

static void busy_add(struct rewards *r, const uint8_t *launcher)
{
  if (busy_has(r, launcher))
    return;
  if (r->n_busy == r->cap_busy) {
    r->cap_busy = r->cap_busy ? r->cap_busy * 2 : 16;
    r->busy = xrealloc(r->busy, r->cap_busy * sizeof *r->busy);
  }
  memcpy(r->busy[r->n_busy++], launcher, 32);
}

cp_err rewards_new(const struct rewards_options *o, struct rewards **out)
{
  struct rewards *r;
  *out = NULL;
  if (!o || !o->cfg || !o->store || !o->chain.ops)
    return CP_INVAL;
  r = xcalloc(1, sizeof *r);
  r->cfg = o->cfg;
  r->store = o->store;
  r->chain = o->chain;
  r->fee = o->fee;
  r->hold = o->hold;
  memcpy(r->genesis, o->genesis_challenge, 32);
  *out = r;
  return CP_OK;
}

void rewards_free(struct rewards *r)
{
  if (!r)
    return;
  free(r->pend);
  free(r->busy);
  free(r);
}

static struct pending *pend_find(struct rewards *r, const uint8_t tx[32])
{
  for (size_t i = 0; i < r->n_pend; i++)
    if (!memcmp(r->pend[i].tx, tx, 32))
      return &r->pend[i];
  return NULL;
}

static void pend_set(struct rewards *r, const uint8_t tx[32], uint32_t due)
{
  struct pending *p = pend_find(r, tx);
  if (!p) {
    if (r->n_pend == r->cap_pend) {
      r->cap_pend = r->cap_pend ? r->cap_pend * 2 : 16;
      r->pend = xrealloc(r->pend, r->cap_pend * sizeof *r->pend);
    }
    p = &r->pend[r->n_pend++];
    memcpy(p->tx, tx, 32);
  }
  p->due = due;
}

static void pend_drop(struct rewards *r, const uint8_t tx[32])
{
  struct pending *p = pend_find(r, tx);
  coinhold_drop(r->hold, tx); /* landed or refused: its fee coin is free */
  if (p)
    *p = r->pend[--r->n_pend];
}

/* ---- scan ---- */

/* Where to roll back to on a reorg: REWARDS_REORG_DEPTH below the cursor,
 * but above every reward already being absorbed (rollback deletes rewards
 * by height, and those have left "found"). */
static cp_err rollback_height(struct rewards *r, uint64_t cursor, uint64_t *to)
{
  static const enum store_reward_state busy[] = { STORE_REWARD_ABSORBING,
                                                  STORE_REWARD_ABSORBED };
  uint64_t h = cursor > REWARDS_REORG_DEPTH ? cursor - REWARDS_REORG_DEPTH : 0;
  if (h < r->cfg->scan_start_height)
    h = r->cfg->scan_start_height;
  for (size_t k = 0; k < 2; k++) {
    struct store_reward_list l;
    cp_err rc = store_reward_list(r->store, busy[k], &l);
    if (rc)
      return rc;
    for (size_t i = 0; i < l.n; i++)
      if (l.items[i].height > h)
        h = l.items[i].height;
    store_reward_list_release(&l);
  }
  *to = h < cursor ? h : cursor;
  return CP_OK;
}

static cp_err record_coin(struct rewards *r, const struct node_coin_record *cr,
                          struct rewards_report *rep)
{
  struct chia_coin coin;
  struct plotnft_reward rw;
  struct store_reward sr = { 0 }, old;
  struct store_farmer f;
  cp_err rc;

  fullnode_coin_to_chia(&cr->coin, &coin);
  if (plotnft_reward_from_coin(&coin, r->genesis, &rw))
    return CP_OK; /* a payment to the address, not a pool reward */
  coin_id(&coin, sr.coin_id);
  rc = store_reward_get(r->store, sr.coin_id, &old);
  if (rc != CP_NOT_FOUND)
    return rc; /* known (any state): idempotent */
  rc = store_farmer_get_by_p2(r->store, coin.puzzle_hash, &f);
  if (rc)
    return rc == CP_NOT_FOUND ? CP_OK : rc;
  memcpy(sr.launcher_id, f.launcher_id, 32);
  store_farmer_release(&f);
  sr.height = rw.height;
  sr.amount = rw.amount;
  sr.state = STORE_REWARD_FOUND;
  rc = store_reward_upsert(r->store, &sr);
  if (!rc) {
    rep->found++;
    log_info("rewards", "found", "height=%u amount=%llu", rw.height,
             (unsigned long long)rw.amount);
  }
  return rc;
}

/* Reward coins confirmed in (from, to] at members' addresses. */
static cp_err scan_range(struct rewards *r, uint32_t from, uint32_t to,
                         struct rewards_report *rep)
{
  struct store_farmer_list fl;
  uint8_t (*phs)[32] = NULL;
  cp_err rc = store_farmer_list_members(r->store, &fl);
  if (rc)
    return rc;
  if (fl.n)
    phs = xcalloc(fl.n, sizeof *phs);
  for (size_t i = 0; i < fl.n; i++)
    memcpy(phs[i], fl.items[i].p2_singleton_puzzle_hash, 32);
  for (size_t i = 0; i < fl.n && !rc; i += REWARDS_PH_BATCH) {
    size_t n = fl.n - i < REWARDS_PH_BATCH ? fl.n - i : REWARDS_PH_BATCH;
    struct node_coin_query q = { .include_spent_coins = true,
                                 .start_height = from + 1,
                                 .end_height = to + 1 };
    struct node_coin_records recs = { 0 };
    rc = r->chain.ops->coins_by_puzzle_hashes(r->chain.ctx,
                                              (const uint8_t (*)[32])phs + i,
                                              n, &q, &recs);
    for (size_t k = 0; !rc && k < recs.n; k++)
      if (recs.v[k].confirmed_block_index > from &&
          recs.v[k].confirmed_block_index <= to)
        rc = record_coin(r, &recs.v[k], rep);
    node_coin_records_free(&recs);
  }
  free(phs);
  store_farmer_list_release(&fl);
  return rc;
}

cp_err rewards_scan(struct rewards *r, struct rewards_report *rep)
{
  struct node_blockchain_state st;
  struct node_block_record br;
  uint8_t hash[32];
  uint64_t cur;
  cp_err rc;

  rc = r->chain.ops->state(r->chain.ctx, &st);
  if (rc)
    return rc;
  if (!st.has_peak)
    return CP_OK;
  rep->peak = st.peak.height;
  rc = store_chain_get(r->store, &cur, hash);
  if (rc == CP_NOT_FOUND) {
    cur = r->cfg->scan_start_height ? r->cfg->scan_start_height - 1 : 0;
    rc = CP_OK;
  } else if (!rc && cur <= st.peak.height) {
    rc = r->chain.ops->block_record_by_height(r->chain.ctx, (uint32_t)cur, &br);
    if (!rc && memcmp(br.header_hash, hash, 32)) {
      uint64_t to, deleted = 0;
      rc = rollback_height(r, cur, &to);
      if (!rc)
        rc = r->chain.ops->block_record_by_height(r->chain.ctx, (uint32_t)to, &br);
      if (!rc)
        rc = store_chain_rollback(r->store, to, br.header_hash, &deleted);
      if (rc)
        return rc;
      log_warn("rewards", "reorg", "cursor=%llu back_to=%llu dropped=%llu",
               (unsigned long long)cur, (unsigned long long)to,
               (unsigned long long)deleted);
      rep->reorgs++;
      rep->rolled_back += deleted;
      cur = to;
    }
  } else if (!rc) {
    /* The node's peak is below our cursor: a reorg to a shorter chain or
     * a node still syncing; wait until it catches up. */
    return CP_OK;
  }
  if (rc)
    return rc;
  if (cur >= st.peak.height) {
    rep->scanned_to = (uint32_t)cur;
    return CP_OK;
  }
  rc = scan_range(r, (uint32_t)cur, st.peak.height, rep);
  if (!rc)
    rc = r->chain.ops->block_record_by_height(r->chain.ctx, st.peak.height, &br);
  /* The cursor moves only after every reward below it is recorded. */
  if (!rc)
    rc = store_chain_set(r->store, st.peak.height, br.header_hash);
  if (!rc)
    rep->scanned_to = st.peak.height;
  return rc;
}

/* ---- absorb ---- */

static cp_err fetch_spend(void *ctx, const uint8_t coin_id[32], bool *spent,
                          struct chia_coin_spend *spend)
{
  struct chain *ch = ctx;
  struct node_coin_record cr;
  struct node_coin_spend ns;
  cp_err rc = ch->ops->coin_record(ch->ctx, coin_id, &cr);
  if (rc)
    return rc;
  *spent = cr.spent;
  if (!cr.spent)
    return CP_OK;
  rc = ch->ops->puzzle_and_solution(ch->ctx, coin_id, cr.spent_block_index, &ns);
  if (rc)
    return rc;
  memset(spend, 0, sizeof *spend);
  fullnode_coin_to_chia(&ns.coin, &spend->coin);
  /* ownership of the CLVM bytes moves to the walker's spend */
  spend->puzzle_reveal.data = ns.puzzle_reveal;
  spend->puzzle_reveal.len = ns.puzzle_reveal_len;
  spend->solution.data = ns.solution;
  spend->solution.len = ns.solution_len;
  return CP_OK;
}

static cp_err set_reward(struct rewards *r, const struct store_reward *in,
                         enum store_reward_state st, const uint8_t *tx)
{
  struct store_reward sr = *in;
  sr.state = st;
  if (tx) {
    sr.has_absorb_tx = 1;
    memcpy(sr.absorb_tx_id, tx, 32);
  }
  return store_reward_upsert(r->store, &sr);
}

/* Follow the farmer's singleton and build the bundle absorbing rw[0..n).
 * CP_NOT_FOUND if the singleton no longer pays the pool. */
static cp_err build(struct rewards *r, const uint8_t launcher[32],
                    const struct store_reward *rw, size_t n,
                    struct chia_spend_bundle *sb, uint8_t txid[32])
{
  struct plotnft_tip tip;
  struct plotnft_absorb_in in;
  struct plotnft_absorb_out after;
  struct plotnft_reward pr[PLOTNFT_ABSORB_MAX];
  cp_err rc;

  rc = plotnft_follow(launcher, r->genesis, fetch_spend, &r->chain, 0, &tip);
  if (rc)
    return rc;
  /* Absorbing pays PoolState.target: only absorb while that is us (member,
   * or leaving through the waiting room, which still has our target). */
  if (tip.state.state == PLOTNFT_SELF_POOLING ||
      (r->cfg->have_default_target &&
       memcmp(tip.state.target_puzzle_hash, r->cfg->default_target_puzzle_hash, 32)))
    return CP_NOT_FOUND;
  plotnft_absorb_in_from_tip(&tip, r->genesis, &in);
  for (size_t i = 0; i < n; i++) {
    pr[i].height = (uint32_t)rw[i].height;
    pr[i].amount = rw[i].amount;
  }
  rc = plotnft_absorb_bundle(&in, pr, n, sb, &after);
  if (!rc)
    rc = chia_spend_bundle_hash(sb, txid);
  return rc;
}

static cp_err push(struct rewards *r, const struct chia_spend_bundle *sb,
                   int *refused)
{
  enum node_tx_status status;
  char why[256] = "";
  json_t *j = NULL;
  cp_err rc = chia_spend_bundle_to_json(sb, &j);
  *refused = 0;
  if (rc)
    return rc;
  rc = r->chain.ops->push_tx(r->chain.ctx, j, &status, why, sizeof why);
  json_decref(j);
  if (rc == CP_RPC_ERROR || rc == CP_TX_FAILED) {
    log_warn("rewards", "absorb_refused", "why=\"%s\"", why);
    *refused = 1;
    rc = CP_OK;
  }
  return rc;
}

/* A reward's share of the blockchain fee: block_claim_fee, never more than
 * the reward itself (so amount - claim_fee cannot wrap). 0 without a fee
 * source, since nothing could pay it. */
static uint64_t claim_fee_of(const struct rewards *r, const struct store_reward *x)
{
  uint64_t f = r->cfg->block_claim_fee;
  if (!r->fee.sign)
    return 0;
  return f < x->amount ? f : x->amount;
}

/* Add the pool wallet's fee spend to the absorb bundle sb; 0 (logged)
 * when the wallet could not sign it, so there is nothing to push. */
static int add_fee(struct rewards *r, const struct store_reward *rw, size_t n, uint64_t fee,
                   struct chia_spend_bundle *sb, uint8_t (*held)[32], size_t *n_held)
{
  struct chia_spend_bundle fsb;
  uint8_t ids[PLOTNFT_ABSORB_MAX][32];
  char why[256] = "";
  cp_err rc;

  for (size_t i = 0; i < n; i++)
    memcpy(ids[i], rw[i].coin_id, 32);
  memset(&fsb, 0, sizeof fsb);
  rc = r->fee.sign(r->fee.ctx, fee, (const uint8_t (*)[32])ids, n, &fsb, why, sizeof why);
  *n_held = 0;
  if (!rc) {
    const struct chia_coin_spend *cs = fsb.coin_spends.items;
    for (uint32_t i = 0; i < fsb.coin_spends.count && *n_held < REWARDS_FEE_COINS_MAX; i++)
      coin_id(&cs[i].coin, held[(*n_held)++]);
    rc = coin_bundle_merge(sb, &fsb);
  }
  chia_spend_bundle_release(&fsb);
  if (rc) {
    /* an absorb without its fee could sit in the mempool behind paying
     * spends; retried on the next pass instead */
    log_warn("rewards", "claim_fee_unavailable", "rewards=%zu fee=%llu err=%s why=\"%s\"",
             n, (unsigned long long)fee, cp_errname(rc), why);
    return 0;
  }
  return 1;
}

/* Absorb one farmer's rewards rw[0..n) (all found, or all one pending
 * bundle when `pending`). */
static cp_err absorb_group(struct rewards *r, const uint8_t launcher[32],
                           const struct store_reward *rw, size_t n, int pending,
                           uint32_t peak, struct rewards_report *rep)
{
  struct chia_spend_bundle sb;
  uint8_t txid[32], held[REWARDS_FEE_COINS_MAX][32];
  size_t n_held = 0;
  uint64_t fee = 0;
  int refused;
  cp_err rc;

  memset(&sb, 0, sizeof sb);
  rc = build(r, launcher, rw, n, &sb, txid);
  if (rc == CP_NOT_FOUND) {
    log_warn("rewards", "not_ours_to_absorb", "rewards=%zu", n);
    return CP_OK;
  }
  if (rc)
    return rc;
  if (pending && memcmp(txid, rw[0].absorb_tx_id, 32))
    log_info("rewards", "singleton_moved", "rebuilding=%zu", n);
  for (size_t i = 0; i < n; i++)
    fee += claim_fee_of(r, &rw[i]); /* n * fee <= the rewards: no overflow */
  if (fee && !add_fee(r, rw, n, fee, &sb, held, &n_held)) {
    rep->fee_failed++;
    chia_spend_bundle_release(&sb);
    return CP_OK; /* found stays found, absorbing stays absorbing */
  }
  /* Recorded before the push: after a crash the rewards are absorbing
   * with this id, so nothing builds a second bundle while it may land. */
  for (size_t i = 0; i < n && !rc; i++) {
    struct store_reward x = rw[i];
    x.claim_fee = claim_fee_of(r, &rw[i]);
    rc = set_reward(r, &x, STORE_REWARD_ABSORBING, txid);
  }
  if (!rc)
    rc = push(r, &sb, &refused);
  if (!rc && refused) {
    rep->refused++;
    /* the fee stays recorded: a refused bundle may still be in some
     * mempool, and if it lands the wallet has paid it */
    for (size_t i = 0; i < n && !rc; i++) {
      struct store_reward x = rw[i];
      x.claim_fee = claim_fee_of(r, &rw[i]);
      rc = set_reward(r, &x, STORE_REWARD_FOUND, txid);
    }
    pend_drop(r, txid);
  } else if (!rc) {
    rep->pushed++;
    rep->claim_fees += fee;
    pend_set(r, txid, peak + REWARDS_RETRY_BLOCKS);
    coinhold_put(r->hold, txid, (const uint8_t (*)[32])held, n_held,
                 clock_unix_s() + REWARDS_HOLD_SECONDS);
  }
  chia_spend_bundle_release(&sb);
  return rc;
}

static int by_launcher_height(const void *a, const void *b)
{
  const struct store_reward *x = a, *y = b;
  int c = memcmp(x->launcher_id, y->launcher_id, 32);
  if (c)
    return c;
  c = memcmp(x->absorb_tx_id, y->absorb_tx_id, 32);
  if (c)
    return c;
  if (x->height != y->height)
    return x->height < y->height ? -1 : 1;
  return memcmp(x->coin_id, y->coin_id, 32);
}

/* Drop rewards whose coin is spent or gone; returns how many are left
 * (compacted in place). */
static cp_err settle_spent(struct rewards *r, struct store_reward *v, size_t *n,
                           struct rewards_report *rep)
{
  size_t k = 0;
  for (size_t i = 0; i < *n; i++) {
    struct node_coin_record cr;
    cp_err rc = r->chain.ops->coin_record(r->chain.ctx, v[i].coin_id, &cr);
    if (rc == CP_NOT_FOUND || (!rc && cr.spent)) {
      /* Spent after we built an absorb: ours (a reward coin only leaves
       * through an absorb or, after the delay, to the owner's sweep). */
      int ours = !rc && v[i].has_absorb_tx;
      rc = set_reward(r, &v[i], ours ? STORE_REWARD_ABSORBED : STORE_REWARD_ORPHANED,
                      NULL);
      if (rc)
        return rc;
      if (ours)
        rep->absorbed++, pend_drop(r, v[i].absorb_tx_id);
      else
        rep->orphaned++;
      continue;
    }
    if (rc)
      return rc;
    v[k++] = v[i];
  }
  *n = k;
  return CP_OK;
}

static cp_err absorb_list(struct rewards *r, enum store_reward_state state,
                          uint32_t peak, struct rewards_report *rep)
{
  struct store_reward_list l;
  size_t n, i = 0;
  cp_err rc = store_reward_list(r->store, state, &l);
  if (rc)
    return rc;
  n = 0;
  for (size_t k = 0; k < l.n; k++) {
    const struct store_reward *x = &l.items[k];
    if (state == STORE_REWARD_FOUND &&
        x->height + r->cfg->confirmation_security_threshold > peak)
      continue; /* not buried deep enough yet */
    l.items[n++] = *x;
  }
  rc = settle_spent(r, l.items, &n, rep);
  if (n)
    qsort(l.items, n, sizeof *l.items, by_launcher_height);
  while (!rc && i < n) {
    size_t j = i + 1;
    int same_tx = state == STORE_REWARD_ABSORBING;
    struct pending *pd;
    while (j < n && j - i < PLOTNFT_ABSORB_MAX &&
           !memcmp(l.items[j].launcher_id, l.items[i].launcher_id, 32) &&
           (!same_tx || !memcmp(l.items[j].absorb_tx_id, l.items[i].absorb_tx_id, 32)))
      j++;
    /* a bundle this process pushed is only checked for landing (above)
     * until it is overdue */
    pd = same_tx ? pend_find(r, l.items[i].absorb_tx_id) : NULL;
    if (busy_has(r, l.items[i].launcher_id))
      ; /* one bundle per singleton at a time; the rest wait */
    else if (!pd || peak >= pd->due)
      rc = absorb_group(r, l.items[i].launcher_id, &l.items[i], j - i, same_tx,
                        peak, rep);
    /* pending (still unspent) or just pushed: the singleton is taken */
    busy_add(r, l.items[i].launcher_id);
    i = j;
  }
  store_reward_list_release(&l);
  return rc;
}

cp_err rewards_absorb(struct rewards *r, struct rewards_report *rep)
{
  struct node_blockchain_state st;
  cp_err rc;

  if (r->cfg->block_claim_fee && !r->fee.sign && !r->fee_warned) {
    log_warn("rewards", "claim_fee_no_wallet",
             "block_claim_fee=%llu absorbing without a fee: no wallet (or no "
             "default target) to pay it",
             (unsigned long long)r->cfg->block_claim_fee);
    r->fee_warned = 1;
  }
  rc = r->chain.ops->state(r->chain.ctx, &st);
  if (rc || !st.has_peak)
    return rc;
  rep->peak = st.peak.height;
  r->n_busy = 0;
  rc = absorb_list(r, STORE_REWARD_ABSORBING, st.peak.height, rep);
  if (!rc)
    rc = absorb_list(r, STORE_REWARD_FOUND, st.peak.height, rep);
  return rc;
}

cp_err rewards_run_once(struct rewards *r, struct rewards_report *rep)
{
  cp_err rc, rc2;
  memset(rep, 0, sizeof *rep);
  rc = rewards_scan(r, rep);
  if (rc)
    log_warn("rewards", "scan_failed", "err=%s", cp_errname(rc));
  rc2 = rewards_absorb(r, rep);
  return rc ? rc : rc2;
}
