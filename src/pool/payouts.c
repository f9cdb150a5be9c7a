/* Payout engine (see payouts.h for the money model and the exactly-once
 * rules). The arithmetic is payout_calc's; this file gathers its inputs,
 * records the result and drives the wallet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chia/bech32m.h"
#include "pool/payout_calc.h"
#include "pool/payouts.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

const uint8_t PAYOUTS_FEE_PH[32] = { 0 };

#define BATCHES_PER_PASS 1000

/* What this process knows about a batch beyond the store: it planned it
 * (so it was never sent before) and whether it has tried to send it. */
struct seen {
  int64_t id;
  int own;
  int tried;
};

struct payouts {
  const struct pool_config *cfg;
  struct store *store;
  struct payout_wallet w;
  struct seen *seen;
  size_t n_seen, cap_seen;
  uint64_t seq; /* makes keys unique within one second */
};

static struct seen *seen_get(struct payouts *p, int64_t id, int add)
{
  for (size_t i = 0; i < p->n_seen; i++)
    if (p->seen[i].id == id)
      return &p->seen[i];
  if (!add)
    return NULL;
  if (p->n_seen == p->cap_seen) {
    p->cap_seen = p->cap_seen ? p->cap_seen * 2 : 16;
    p->seen = xrealloc(p->seen, p->cap_seen * sizeof *p->seen);
  }
  p->seen[p->n_seen] = (struct seen){ .id = id };
  return &p->seen[p->n_seen++];
}

/* Settled batches need no memory. */
static void seen_drop(struct payouts *p, int64_t id)
{
  for (size_t i = 0; i < p->n_seen; i++)
    if (p->seen[i].id == id) {
      p->seen[i] = p->seen[--p->n_seen];
      return;
    }
}

cp_err payouts_new(const struct payouts_options *o, struct payouts **out)
{
  struct payouts *p;
  *out = NULL;
  if (!o || !o->cfg || !o->store || !o->wallet.ops)
    return CP_INVAL;
  p = xcalloc(1, sizeof *p);
  p->cfg = o->cfg;
  p->store = o->store;
  p->w = o->wallet;
  *out = p;
  return CP_OK;
}

void payouts_free(struct payouts *p)
{
  if (!p)
    return;
  free(p->seen);
  free(p);
}

cp_err payouts_instructions_ph(const char *instr, uint8_t ph[32])
{
  char hrp[BECH32M_HRP_MAX + 1];
  size_t n = strnlen(instr, STORE_PAYOUT_INSTRUCTIONS_MAX + 1);
  if (n == 0 || n > STORE_PAYOUT_INSTRUCTIONS_MAX)
    return CP_INVAL;
  if (!hex_decode_exact(ph, 32, instr, n))
    return CP_OK;
  return bech32m_decode_ph(instr, n, hrp, sizeof hrp, ph);
}

cp_err payouts_undistributed(struct store *s, uint64_t *out)
{
  struct store_reward_list rl;
  struct store_balance_list bl;
  uint64_t absorbed = 0, live, held = 0;
  cp_err rc;

  *out = 0;
  rc = store_reward_list(s, STORE_REWARD_ABSORBED, &rl);
  if (rc)
    return rc;
  for (size_t i = 0; i < rl.n; i++) {
    /* the claim fee left the pool wallet with the absorb */
    uint64_t net = rl.items[i].amount - rl.items[i].claim_fee;
    if (rl.items[i].claim_fee > rl.items[i].amount || net > UINT64_MAX - absorbed) {
      store_reward_list_release(&rl);
      return CP_INVAL;
    }
    absorbed += net;
  }
  store_reward_list_release(&rl);
  rc = store_payout_live_total(s, &live);
  if (rc)
    return rc;
  rc = store_balance_list(s, &bl);
  if (rc)
    return rc;
  for (size_t i = 0; i < bl.n && !rc; i++) {
    if (bl.items[i].amount > UINT64_MAX - held)
      rc = CP_INVAL;
    else
      held += bl.items[i].amount;
  }
  store_balance_list_release(&bl);
  if (rc)
    return rc;
  if (live > absorbed || held > absorbed - live) {
    /* Possible under PPS (the pool owes more than it absorbed); otherwise
     * a ledger bug: never pay out of thin air. */
    log_warn("payouts", "overcommitted", "absorbed=%llu live=%llu held=%llu",
             (unsigned long long)absorbed, (unsigned long long)live,
             (unsigned long long)held);
    return CP_INVAL;
  }
  *out = absorbed - live - held;
  return CP_OK;
}

/* ---- step 1: reconcile and send ---- */

static cp_err batch_payments(const struct store_payout_line_list *l,
                             struct node_payment **pay, size_t *n, uint64_t *fee,
                             const char *memo)
{
  struct node_payment *v = l->n ? xcalloc(l->n, sizeof *v) : NULL;
  size_t k = 0;

  *fee = 0;
  for (size_t i = 0; i < l->n; i++) {
    const struct store_payout_line *ln = &l->items[i];
    size_t j;
    if (!memcmp(ln->puzzle_hash, PAYOUTS_FEE_PH, 32) && !ln->has_launcher) {
      *fee += ln->amount;
      continue;
    }
    /* Two lines to one address are one output: identical outputs of one
     * transaction would be the same coin. */
    for (j = 0; j < k; j++)
      if (!memcmp(v[j].puzzle_hash, ln->puzzle_hash, 32))
        break;
    if (j == k) {
      memcpy(v[k].puzzle_hash, ln->puzzle_hash, 32);
      v[k].memo = memo;
      k++;
    }
    if (v[j].amount > UINT64_MAX - ln->amount) {
      free(v);
      return CP_INVAL;
    }
    v[j].amount += ln->amount;
  }
  *pay = v;
  *n = k;
  return CP_OK;
}

static cp_err set_state(struct payouts *p, int64_t id, enum store_payout_state st,
                        const uint8_t *tx, uint64_t now)
{
  cp_err rc = store_payout_set_state(p->store, id, st, tx, now);
  if (rc)
    log_error("payouts", "set_state_failed", "batch=%lld state=%d err=%s",
              (long long)id, (int)st, cp_errname(rc));
  return rc;
}

static cp_err send_planned(struct payouts *p, int64_t id, uint64_t now,
                           struct payouts_report *r)
{
  struct store_payout_batch b;
  struct store_payout_line_list l = { 0 };
  struct node_payment *pay = NULL;
  struct seen *sn;
  uint8_t tx[32];
  uint64_t fee;
  size_t n;
  cp_err rc;

  rc = store_payout_get(p->store, id, &b, &l);
  if (rc || b.state != STORE_PAYOUT_PLANNED)
    goto out;
  if (l.n == 0) {
    /* A round that paid nobody (all carried) only moved the ledger: there
     * is no transaction; the null tx id marks it. */
    memset(tx, 0, sizeof tx);
    rc = set_state(p, id, STORE_PAYOUT_SUBMITTED, tx, now);
    if (!rc)
      rc = set_state(p, id, STORE_PAYOUT_CONFIRMED, NULL, now);
    goto out;
  }
  sn = seen_get(p, id, 1);
  rc = p->w.ops->find(p->w.ctx, b.idempotency_key, tx);
  if (rc == CP_OK) {
    log_info("payouts", "found_sent", "batch=%lld key=%s", (long long)id,
             b.idempotency_key);
    r->found++;
    rc = set_state(p, id, STORE_PAYOUT_SUBMITTED, tx, now);
    goto out;
  }
  if (rc == CP_UNSUPPORTED && (!sn->own || sn->tried)) {
    /* Cannot tell whether an earlier attempt (or process) sent it. */
    log_warn("payouts", "held", "batch=%lld key=%s", (long long)id,
             b.idempotency_key);
    r->held++;
    rc = CP_OK;
    goto out;
  }
  if (rc != CP_NOT_FOUND && rc != CP_UNSUPPORTED)
    goto out; /* wallet unreachable: ask again next pass */

  rc = batch_payments(&l, &pay, &n, &fee, b.idempotency_key);
  if (rc)
    goto out;
  sn->tried = 1;
  rc = p->w.ops->send(p->w.ctx, pay, n, fee, b.idempotency_key, tx);
  if (rc == CP_OK) {
    r->sent++;
    log_info("payouts", "sent", "batch=%lld key=%s total=%llu",
             (long long)id, b.idempotency_key,
             (unsigned long long)b.total_amount);
    rc = set_state(p, id, STORE_PAYOUT_SUBMITTED, tx, now);
  } else if (rc == CP_TX_FAILED) {
    /* Refused outright: nothing left the wallet, so the batch can fail
     * and its members' lines go back to their balances. */
    log_warn("payouts", "refused", "batch=%lld key=%s", (long long)id,
             b.idempotency_key);
    r->failed++;
    rc = set_state(p, id, STORE_PAYOUT_FAILED, NULL, now);
    seen_drop(p, id);
  } else {
    log_warn("payouts", "send_unknown", "batch=%lld err=%s", (long long)id,
             cp_errname(rc));
  }
out:
  free(pay);
  store_payout_line_list_release(&l);
  return rc;
}

static cp_err poll_submitted(struct payouts *p, int64_t id, uint64_t now,
                             struct payouts_report *r)
{
  static const uint8_t none[32];
  struct store_payout_batch b;
  enum payout_tx_state st;
  uint32_t height = 0;
  cp_err rc;

  rc = store_payout_get(p->store, id, &b, NULL);
  if (rc || b.state != STORE_PAYOUT_SUBMITTED)
    return rc;
  if (!memcmp(b.tx_id, none, 32))
    st = PAYOUT_TX_CONFIRMED; /* ledger-only round */
  else if ((rc = p->w.ops->status(p->w.ctx, b.tx_id, &st, &height)))
    return rc;
  if (st == PAYOUT_TX_CONFIRMED) {
    r->confirmed++;
    rc = set_state(p, id, STORE_PAYOUT_CONFIRMED, NULL, now);
  } else if (st == PAYOUT_TX_FAILED) {
    log_warn("payouts", "tx_failed", "batch=%lld", (long long)id);
    r->failed++;
    rc = set_state(p, id, STORE_PAYOUT_FAILED, NULL, now);
  }
  if (!rc && st != PAYOUT_TX_PENDING)
    seen_drop(p, id);
  return rc;
}

static cp_err count_unsettled(struct payouts *p, unsigned *out)
{
  int64_t ids[BATCHES_PER_PASS];
  size_t n1, n2;
  cp_err rc = store_payout_list(p->store, STORE_PAYOUT_PLANNED, ids,
                                BATCHES_PER_PASS, &n1);
  if (!rc)
    rc = store_payout_list(p->store, STORE_PAYOUT_SUBMITTED, ids,
                           BATCHES_PER_PASS, &n2);
  *out = rc ? 0 : (unsigned)(n1 + n2);
  return rc;
}

cp_err payouts_reconcile(struct payouts *p, uint64_t now, struct payouts_report *r)
{
  int64_t *ids = xmalloc(BATCHES_PER_PASS * sizeof *ids);
  cp_err rc, first = CP_OK;
  size_t n;

  rc = store_payout_list(p->store, STORE_PAYOUT_PLANNED, ids, BATCHES_PER_PASS, &n);
  for (size_t i = 0; !rc && i < n; i++) {
    cp_err e = send_planned(p, ids[i], now, r);
    if (e && !first)
      first = e;
  }
  if (!rc)
    rc = store_payout_list(p->store, STORE_PAYOUT_SUBMITTED, ids,
                           BATCHES_PER_PASS, &n);
  for (size_t i = 0; !rc && i < n; i++) {
    cp_err e = poll_submitted(p, ids[i], now, r);
    if (e && !first)
      first = e;
  }
  free(ids);
  if (!rc)
    rc = count_unsettled(p, &r->unsettled);
  return rc ? rc : first;
}

/* ---- step 2: plan ---- */

struct round {
  struct payout_member *m;
  size_t n, cap;
  uint64_t points_total;
};

static struct payout_member *round_add(struct round *rd)
{
  if (rd->n == rd->cap) {
    rd->cap = rd->cap ? rd->cap * 2 : 16;
    rd->m = xrealloc(rd->m, rd->cap * sizeof *rd->m);
  }
  memset(&rd->m[rd->n], 0, sizeof rd->m[rd->n]);
  return &rd->m[rd->n++];
}

static struct payout_member *round_find(struct round *rd, const uint8_t *launcher)
{
  for (size_t i = 0; i < rd->n; i++)
    if (!memcmp(rd->m[i].launcher_id, launcher, 32))
      return &rd->m[i];
  return NULL;
}

struct win_item {
  uint64_t ts;
  uint64_t diff;
  size_t member;
};

static int win_newest_first(const void *a, const void *b)
{
  const struct win_item *x = a, *y = b;
  return x->ts < y->ts ? 1 : x->ts > y->ts ? -1 : 0;
}

/* PPLNS: points of the last N points (across the pool) or the last T
 * seconds of credited partials; nothing is consumed. */
static cp_err pplns_points(struct payouts *p, struct round *rd, uint64_t now)
{
  struct store_partial_point *pts = xmalloc(PAYOUTS_WINDOW_PARTIALS_MAX * sizeof *pts);
  struct win_item *all = NULL;
  size_t nall = 0, capall = 0;
  uint64_t since = 0, acc = 0;
  cp_err rc = CP_OK;

  if (p->cfg->pplns_window_seconds && now > p->cfg->pplns_window_seconds)
    since = now - p->cfg->pplns_window_seconds;
  for (size_t i = 0; i < rd->n && !rc; i++) {
    size_t n = 0;
    rd->m[i].points = 0;
    rc = store_partial_recent(p->store, rd->m[i].launcher_id,
                              PAYOUTS_WINDOW_PARTIALS_MAX, pts, &n);
    for (size_t j = 0; !rc && j < n; j++) {
      if (pts[j].timestamp <= since || pts[j].timestamp > now)
        continue;
      if (nall == capall) {
        capall = capall ? capall * 2 : 256;
        all = xrealloc(all, capall * sizeof *all);
      }
      all[nall++] = (struct win_item){ pts[j].timestamp, pts[j].difficulty, i };
    }
  }
  if (!rc && p->cfg->pplns_window_points && nall)
    qsort(all, nall, sizeof *all, win_newest_first);
  for (size_t j = 0; !rc && j < nall; j++) {
    struct payout_member *m = &rd->m[all[j].member];
    if (p->cfg->pplns_window_points && acc >= p->cfg->pplns_window_points)
      break;
    if (all[j].diff > UINT64_MAX - acc) {
      rc = CP_INVAL;
      break;
    }
    acc += all[j].diff;
    m->points += all[j].diff;
  }
  rd->points_total = acc;
  free(all);
  free(pts);
  return rc;
}

/* Members with their points, plus anyone else holding a balance. */
static cp_err round_gather(struct payouts *p, struct round *rd, uint64_t now)
{
  struct store_farmer_list fl = { 0 };
  struct store_balance_list bl = { 0 };
  cp_err rc;

  rc = store_farmer_list_members(p->store, &fl);
  if (rc)
    return rc;
  for (size_t i = 0; i < fl.n; i++) {
    const struct store_farmer *f = &fl.items[i];
    struct payout_member *m;
    uint8_t ph[32];
    if (payouts_instructions_ph(f->payout_instructions, ph)) {
      /* Left out: its points stay for a round it can be paid in. */
      log_warn("payouts", "bad_instructions", "farmer_points=%llu",
               (unsigned long long)f->points);
      continue;
    }
    m = round_add(rd);
    memcpy(m->launcher_id, f->launcher_id, 32);
    memcpy(m->puzzle_hash, ph, 32);
    m->points = f->points;
  }
  store_farmer_list_release(&fl);
  if (p->cfg->payout_scheme == PAYOUT_PPLNS)
    rc = pplns_points(p, rd, now);
  else
    for (size_t i = 0; i < rd->n && !rc; i++) {
      if (rd->m[i].points > UINT64_MAX - rd->points_total)
        rc = CP_INVAL;
      else
        rd->points_total += rd->m[i].points;
    }
  if (!rc)
    rc = store_balance_list(p->store, &bl);
  for (size_t i = 0; i < bl.n && !rc; i++) {
    struct payout_member *m = round_find(rd, bl.items[i].launcher_id);
    struct store_farmer f;
    uint8_t ph[32];
    if (m) {
      m->balance = bl.items[i].amount;
      continue;
    }
    if (!bl.items[i].amount)
      continue;
    /* A farmer who left still gets what it earned while a member. */
    rc = store_farmer_get(p->store, bl.items[i].launcher_id, &f);
    if (rc)
      break;
    if (!payouts_instructions_ph(f.payout_instructions, ph)) {
      m = round_add(rd);
      memcpy(m->launcher_id, f.launcher_id, 32);
      memcpy(m->puzzle_hash, ph, 32);
      m->balance = bl.items[i].amount;
    }
    store_farmer_release(&f);
  }
  store_balance_list_release(&bl);
  return rc;
}

/* A failed batch's pool fee line: the store refunds only member lines (to
 * their balances), so the pool's cut would otherwise melt back into the
 * funds and be shared out to members. Each is re-planned once, in its own
 * batch keyed "payout-refee-<failed id>": the unique key makes the
 * re-plan exactly once even across crashes. */
struct refee {
  char key[STORE_KEY_MAX + 1];
  struct store_payout_line line;
};

#define REFEE_SCAN_MAX 100000 /* failed batches examined per round */

static cp_err refee_gather(struct payouts *p, struct refee **out, size_t *n,
                           uint64_t *total)
{
  int64_t *ids = xmalloc(REFEE_SCAN_MAX * sizeof *ids);
  struct refee *v = NULL;
  size_t nids, cap = 0;
  cp_err rc;

  *out = NULL;
  *n = 0;
  *total = 0;
  rc = store_payout_list(p->store, STORE_PAYOUT_FAILED, ids, REFEE_SCAN_MAX, &nids);
  for (size_t i = 0; !rc && i < nids; i++) {
    struct store_payout_batch b;
    struct store_payout_line_list l;
    struct refee rf = { 0 };
    int64_t other;
    snprintf(rf.key, sizeof rf.key, PAYOUTS_KEY_PREFIX "refee-%lld", (long long)ids[i]);
    rc = store_payout_find_key(p->store, rf.key, &other);
    if (rc != CP_NOT_FOUND)
      continue; /* already re-planned (or a read error: next round) */
    rc = store_payout_get(p->store, ids[i], &b, &l);
    if (rc)
      break;
    for (size_t k = 0; k < l.n; k++) {
      const struct store_payout_line *ln = &l.items[k];
      if (ln->has_launcher || !memcmp(ln->puzzle_hash, PAYOUTS_FEE_PH, 32))
        continue;
      memcpy(rf.line.puzzle_hash, ln->puzzle_hash, 32);
      rf.line.amount += ln->amount; /* <= the batch total */
    }
    store_payout_line_list_release(&l);
    if (!rf.line.amount || rf.line.amount > UINT64_MAX - *total)
      continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 8;
      v = xrealloc(v, cap * sizeof *v);
    }
    v[(*n)++] = rf;
    *total += rf.line.amount;
  }
  free(ids);
  if (rc) {
    free(v);
    *n = 0;
    *total = 0;
    return rc;
  }
  *out = v;
  return CP_OK;
}

/* Store plans for re-planned pool fee lines, one batch each. */
static void refee_plans(struct store_payout_plan *plans, const struct refee *rf, size_t nrf,
                        uint64_t now)
{
  for (size_t i = 0; i < nrf; i++) {
    plans[i].idempotency_key = rf[i].key;
    plans[i].created_at = now;
    plans[i].window_end = now;
    plans[i].points_mode = STORE_POINTS_KEEP;
    plans[i].lines = &rf[i].line;
    plans[i].n_lines = 1;
  }
}

/* Only the pool fee re-plans, when no member round is due: otherwise a fee
 * whose re-plan was refused again would wait for new points, and until
 * then look like undistributed funds that a later round shares out. */
static cp_err refee_record(struct payouts *p, const struct refee *rf, size_t nrf,
                           uint64_t now, struct payouts_report *r)
{
  struct store_payout_plan *plans;
  int64_t *ids;
  cp_err rc;

  if (!nrf)
    return CP_OK;
  plans = xcalloc(nrf, sizeof *plans);
  ids = xcalloc(nrf, sizeof *ids);
  refee_plans(plans, rf, nrf, now);
  rc = store_payout_plan_multi(p->store, plans, nrf, ids);
  if (rc == CP_DUPLICATE) {
    rc = CP_OK; /* a crashed pass planned them already */
  } else if (!rc) {
    for (size_t i = 0; i < nrf; i++)
      seen_get(p, ids[i], 1)->own = 1;
    r->planned += (unsigned)nrf;
  }
  free(ids);
  free(plans);
  return rc;
}

/* Transaction of the output to ph, looking from output `from` (members
 * start after the pool fee output, which may share their address). */
static uint32_t output_tx(const struct payout_plan *pl, size_t from, const uint8_t *ph)
{
  for (size_t i = from; i < pl->noutputs; i++)
    if (!memcmp(pl->outputs[i].puzzle_hash, ph, 32))
      return pl->outputs[i].tx;
  return 0;
}

/* The plan as store batches: one per transaction, in one store
 * transaction; the first batch carries the balances and points. */
static cp_err round_record(struct payouts *p, const struct round *rd,
                           const struct payout_plan *pl, const struct refee *rf,
                           size_t nrf, uint64_t now, struct payouts_report *r)
{
  enum store_points_mode mode = p->cfg->payout_scheme == PAYOUT_PPLNS
                                    ? STORE_POINTS_KEEP : STORE_POINTS_SUBTRACT;
  uint32_t ntx = pl->ntx ? pl->ntx : 1;
  struct store_payout_plan *plans = xcalloc(ntx + nrf, sizeof *plans);
  struct store_payout_line *lines = xcalloc(rd->n + 2 * (size_t)ntx, sizeof *lines);
  struct store_payout_farmer *fs = xcalloc(rd->n ? rd->n : 1, sizeof *fs);
  char (*keys)[STORE_KEY_MAX + 1] = xcalloc(ntx, sizeof *keys);
  int64_t *ids = xcalloc(ntx + nrf, sizeof *ids);
  uint64_t fee_per_tx = pl->ntx ? pl->blockchain_fee / pl->ntx : 0;
  size_t nl = 0;
  cp_err rc;

  for (size_t i = 0; i < rd->n; i++) {
    memcpy(fs[i].launcher_id, rd->m[i].launcher_id, 32);
    fs[i].points_used = mode == STORE_POINTS_SUBTRACT ? rd->m[i].points : 0;
    fs[i].balance = pl->new_balance[i];
  }
  p->seq++;
  for (uint32_t t = 0; t < ntx; t++) {
    size_t first = nl;
    /* Unique across restarts: a key is only ever created here, once, and
     * stored with its batch; ms clock, pid and a counter make a collision
     * (harmless: CP_DUPLICATE, re-planned next pass) practically absent. */
    snprintf(keys[t], sizeof keys[t], PAYOUTS_KEY_PREFIX "%llu-%llu-%ld-%llu-%u",
             (unsigned long long)now, (unsigned long long)clock_unix_ms(),
             (long)getpid(), (unsigned long long)p->seq, t);
    if (pl->ntx && pl->pool_fee &&
        output_tx(pl, 0, p->cfg->pool_fee_puzzle_hash) == t) {
      memcpy(lines[nl].puzzle_hash, p->cfg->pool_fee_puzzle_hash, 32);
      lines[nl++].amount = pl->pool_fee;
    }
    for (size_t i = 0; i < rd->n; i++) {
      if (!pl->paid_to[i] || output_tx(pl, pl->pool_fee ? 1 : 0, rd->m[i].puzzle_hash) != t)
        continue;
      memcpy(lines[nl].puzzle_hash, rd->m[i].puzzle_hash, 32);
      lines[nl].amount = pl->paid_to[i];
      lines[nl].has_launcher = 1;
      memcpy(lines[nl].launcher_id, rd->m[i].launcher_id, 32);
      nl++;
    }
    if (fee_per_tx) {
      memcpy(lines[nl].puzzle_hash, PAYOUTS_FEE_PH, 32);
      lines[nl++].amount = fee_per_tx;
    }
    plans[t].idempotency_key = keys[t];
    plans[t].created_at = now;
    plans[t].window_end = now;
    plans[t].points_mode = t ? STORE_POINTS_KEEP : mode;
    plans[t].lines = lines + first;
    plans[t].n_lines = nl - first;
    plans[t].farmers = t ? NULL : fs;
    plans[t].n_farmers = t ? 0 : rd->n;
  }
  refee_plans(plans + ntx, rf, nrf, now);
  rc = store_payout_plan_multi(p->store, plans, ntx + nrf, ids);
  if (rc == CP_DUPLICATE) {
    log_warn("payouts", "key_collision", "key=%s", keys[0]);
    rc = CP_OK;
  } else if (!rc) {
    for (size_t t = 0; t < ntx + nrf; t++)
      seen_get(p, ids[t], 1)->own = 1;
    r->planned += ntx + (unsigned)nrf;
    r->round_total = pl->total;
    log_info("payouts", "planned", "batches=%u total=%llu paid=%llu pool_fee=%llu "
             "blockchain_fee=%llu remainder=%llu", ntx,
             (unsigned long long)pl->total, (unsigned long long)pl->paid,
             (unsigned long long)pl->pool_fee,
             (unsigned long long)pl->blockchain_fee,
             (unsigned long long)pl->remainder);
  }
  free(ids);
  free(keys);
  free(fs);
  free(lines);
  free(plans);
  return rc;
}

static cp_err plan_round(struct payouts *p, uint64_t now, struct payouts_report *r)
{
  struct round rd = { 0 };
  struct payout_params prm = { 0 };
  struct payout_plan pl = { 0 };
  struct refee *rf = NULL;
  size_t nrf = 0;
  uint64_t funds, refee_total = 0;
  int due = 0;
  cp_err rc;

  rc = payouts_undistributed(p->store, &funds);
  if (rc == CP_INVAL && p->cfg->payout_scheme == PAYOUT_PPS)
    funds = 0, rc = CP_OK;
  if (rc)
    return rc;
  rc = refee_gather(p, &rf, &nrf, &refee_total);
  if (rc)
    return rc;
  if (refee_total > funds)
    nrf = 0, refee_total = 0; /* wait for funds; members come first */
  funds -= refee_total;
  rc = round_gather(p, &rd, now);
  if (rc)
    goto out;
  for (size_t i = 0; i < rd.n; i++)
    if (rd.m[i].balance && rd.m[i].balance >= p->cfg->min_payout)
      due = 1;
  /* Nothing earned and nothing owed: keep the funds for a round that has
   * points, instead of charging the pool fee on them twice. */
  if (!rd.points_total && !due) {
    rc = refee_record(p, rf, nrf, now, r);
    goto out;
  }
  prm.fee_ppm = rd.points_total ? p->cfg->pool_fee_ppm : 0;
  prm.fee_per_tx = p->cfg->payout_fee;
  prm.min_payout = p->cfg->min_payout;
  prm.max_additions = p->cfg->max_additions_per_transaction < 2
                          ? 2 : p->cfg->max_additions_per_transaction;
  memcpy(prm.pool_fee_puzzle_hash, p->cfg->pool_fee_puzzle_hash, 32);
  prm.pps_rate = p->cfg->pps_mojo_per_point;
  if (p->cfg->payout_scheme == PAYOUT_PPS) {
    prm.fee_ppm = 0; /* the rate already has the pool's cut */
    rc = payout_plan_pps(rd.m, rd.n, funds, &prm, &pl);
  } else {
    rc = payout_plan_shares(rd.m, rd.n, funds, &prm, &pl);
  }
  if (rc == CP_BAD_NUMBER) {
    log_info("payouts", "waiting_for_funds", "funds=%llu",
             (unsigned long long)funds);
    rc = CP_OK;
    goto out;
  }
  if (rc)
    goto out;
  if (!pl.paid && !pl.pool_fee) {
    int changed = 0;
    for (size_t i = 0; i < rd.n; i++)
      changed |= pl.new_balance[i] != rd.m[i].balance;
    /* Nothing moves (funds too small to earn a mojo): keep the points for
     * a round that can pay them instead of consuming them for nothing. */
    if (!changed) {
      rc = refee_record(p, rf, nrf, now, r);
      goto out;
    }
  }
  rc = round_record(p, &rd, &pl, rf, nrf, now, r);
out:
  free(rf);
  payout_plan_release(&pl);
  free(rd.m);
  return rc;
}

cp_err payouts_run_once(struct payouts *p, uint64_t now, struct payouts_report *r)
{
  int64_t id;
  size_t n;
  cp_err rc;

  memset(r, 0, sizeof *r);
  rc = payouts_reconcile(p, now, r);
  if (rc)
    return rc;
  /* Plan only on a clean slate: a planned batch still unsent would be
   * counted by the money model but not yet known to the wallet. */
  rc = store_payout_list(p->store, STORE_PAYOUT_PLANNED, &id, 1, &n);
  if (rc || n)
    return rc;
  rc = plan_round(p, now, r);
  if (rc || !r->planned)
    return rc;
  return payouts_reconcile(p, now, r);
}
