#include "sim/wallet_int.h"

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "sim/stdtx.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xalloc.h"

void sim_wallet_config_init(struct sim_wallet_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->n_keys = 10;
}

uint32_t sim_wallet_fingerprint(const struct sim_wallet *w)
{
  return w->fingerprint;
}

uint16_t sim_wallet_port(const struct sim_wallet *w)
{
  return w->http ? http_server_port(w->http) : 0;
}

void sim_wallet_puzzle_hash(const struct sim_wallet *w, unsigned i, uint8_t out[32])
{
  memcpy(out, w->ph[i < w->n_keys ? i : 0], 32);
}

static int key_of(const struct sim_wallet *w, const uint8_t ph[32])
{
  for (unsigned i = 0; i < w->n_keys; i++)
    if (!memcmp(w->ph[i], ph, 32))
      return (int)i;
  return -1;
}

/* --- transactions --- */

/* Like the Chia wallet, any spend of a removal confirms, whoever made it. */
void wallet__update_confirmed(struct sim_wallet *w)
{
  for (size_t i = 0; i < w->n_txs; i++) {
    struct wtx *t = &w->txs[i];
    for (size_t j = 0; !t->confirmed && j < t->n_rems; j++) {
      struct sim_coin_record r;
      if (!sim_chain_coin(w->chain, t->rem_ids[j], &r) && r.spent_height) {
        t->confirmed = true;
        t->confirmed_height = r.spent_height;
      }
    }
  }
}

/* 1 if coin id is a removal of a pending transaction; caller holds mu. */
static int pending_removal__(const struct sim_wallet *w, const uint8_t id[32])
{
  for (size_t i = 0; i < w->n_txs; i++) {
    const struct wtx *t = &w->txs[i];
    if (t->confirmed)
      continue;
    for (size_t j = 0; j < t->n_rems; j++)
      if (!memcmp(t->rem_ids[j], id, 32))
        return 1;
  }
  return 0;
}

static cp_err unspent(struct sim_wallet *w, struct sim_coin_record **v, size_t *n)
{
  return sim_chain_coins_by_puzzle_hashes(w->chain, (const uint8_t(*)[32])w->ph, w->n_keys,
                                          false, 0, 0, v, n);
}

void sim_wallet_balance(struct sim_wallet *w, struct sim_wallet_balance *out)
{
  struct sim_coin_record *v = NULL;
  size_t n = 0;

  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&w->mu);
  wallet__update_confirmed(w);
  if (!unspent(w, &v, &n)) {
    for (size_t i = 0; i < n; i++) {
      out->confirmed += v[i].coin.amount;
      out->unspent_coins++;
      if (pending_removal__(w, v[i].id))
        out->pending_removals++;
      else
        out->spendable += v[i].coin.amount;
    }
  }
  for (size_t i = 0; i < w->n_txs; i++) {
    const struct wtx *t = &w->txs[i];
    for (size_t j = 0; !t->confirmed && j < t->n_adds; j++)
      if (key_of(w, t->adds[j].puzzle_hash) >= 0)
        out->pending_change += t->adds[j].amount;
  }
  pthread_mutex_unlock(&w->mu);
  free(v);
}

static int by_amount_desc(const void *a, const void *b)
{
  const struct sim_coin_record *x = a, *y = b;

  return x->coin.amount < y->coin.amount ? 1 : x->coin.amount > y->coin.amount ? -1 : 0;
}

/* Build the bundle for the selected coins; the first spend makes every
 * output and announces, the others assert its announcement. The first
 * also asserts asserts[0..n_asserts) (create_signed_transaction's
 * coin_announcements), which ties the bundle to spends outside it. */
static cp_err build_bundle_ann(struct sim_wallet *w, const struct sim_coin_record *in,
                               size_t n_in, const struct node_payment *pay, size_t n,
                               uint64_t change, uint64_t fee,
                               const uint8_t (*asserts)[32], size_t n_asserts,
                               struct chia_spend_bundle *sb, struct wtx *t)
{
  struct chia_coin_spend *cs = xcalloc(n_in, sizeof *cs);
  struct bls_sig *sigs = xcalloc(n_in, sizeof *sigs), agg;
  struct stdtx_conds first, rest;
  struct buf c0, c1;
  uint8_t first_id[32], ann[32], pre[33];
  static const uint8_t ann_msg = '$';
  cp_err rc = CP_OK;

  sb->coin_spends.items = cs;
  sb->coin_spends.count = (uint32_t)n_in;
  stdtx_conds_init(&first);
  stdtx_conds_init(&rest);
  buf_init(&c0, STDTX_CONDS_MAX);
  buf_init(&c1, STDTX_CONDS_MAX);
  t->adds = xcalloc(n + 1, sizeof *t->adds);
  t->memos = xcalloc(n + 1, sizeof *t->memos);
  coin_id(&in[0].coin, first_id);
  for (size_t i = 0; i < n && !rc; i++) {
    rc = stdtx_conds_create_coin(&first, pay[i].puzzle_hash, pay[i].amount,
                                 (const uint8_t *)pay[i].memo,
                                 pay[i].memo ? strlen(pay[i].memo) : 0);
    if (pay[i].memo)
      t->memos[i] = xstrdup(pay[i].memo);
    memcpy(t->adds[i].parent_coin_info, first_id, 32);
    memcpy(t->adds[i].puzzle_hash, pay[i].puzzle_hash, 32);
    t->adds[i].amount = pay[i].amount;
  }
  t->n_adds = n;
  if (!rc && change) {
    rc = stdtx_conds_create_coin(&first, w->ph[0], change, NULL, 0);
    memcpy(t->adds[n].parent_coin_info, first_id, 32);
    memcpy(t->adds[n].puzzle_hash, w->ph[0], 32);
    t->adds[n].amount = change;
    t->n_adds++;
  }
  if (!rc && fee)
    rc = stdtx_conds_reserve_fee(&first, fee);
  for (size_t i = 0; i < n_asserts && !rc; i++)
    rc = stdtx_conds_assert_coin_ann(&first, asserts[i]);
  if (!rc && n_in > 1)
    rc = stdtx_conds_create_coin_ann(&first, &ann_msg, 1);
  memcpy(pre, first_id, 32);
  pre[32] = ann_msg;
  sha256(ann, pre, sizeof pre);
  if (!rc)
    rc = stdtx_conds_assert_coin_ann(&rest, ann);
  if (!rc)
    rc = stdtx_conds_serialize(&first, &c0);
  if (!rc)
    rc = stdtx_conds_serialize(&rest, &c1);
  for (size_t i = 0; i < n_in && !rc; i++) {
    int k = key_of(w, in[i].coin.puzzle_hash);
    const struct buf *c = i ? &c1 : &c0;
    rc = k < 0 ? CP_INTERNAL
               : stdtx_spend(&in[i].coin, &w->sk[k], c->data, c->len,
                             w->net->agg_sig_me_additional_data, &cs[i], &sigs[i]);
  }
  if (!rc) {
    bls_aggregate(&agg, sigs, n_in);
    memcpy(sb->aggregated_signature, agg.bytes, BLS_SIG_SIZE);
  }
  free(sigs);
  stdtx_conds_release(&first);
  stdtx_conds_release(&rest);
  buf_release(&c0);
  buf_release(&c1);
  return rc;
}

static cp_err build_bundle(struct sim_wallet *w, const struct sim_coin_record *in, size_t n_in,
                           const struct node_payment *pay, size_t n, uint64_t change,
                           uint64_t fee, struct chia_spend_bundle *sb, struct wtx *t)
{
  return build_bundle_ann(w, in, n_in, pay, n, change, fee, NULL, 0, sb, t);
}

void wallet__wtx_release(struct wtx *t)
{
  for (size_t i = 0; t->memos && i < t->n_adds; i++)
    free(t->memos[i]);
  free(t->memos);
  free(t->adds);
  free(t->rems);
  free(t->rem_ids);
  memset(t, 0, sizeof *t);
}

cp_err sim_wallet_double_spend(struct sim_wallet *w, const uint8_t tx_id[32],
                               uint8_t new_tx_id[32], const char **why)
{
  struct chia_spend_bundle sb;
  struct sim_coin_record in;
  struct node_payment pay;
  struct wtx scratch;
  const struct wtx *t = NULL;
  cp_err rc;

  *why = NULL;
  memset(&sb, 0, sizeof sb);
  memset(&scratch, 0, sizeof scratch);
  pthread_mutex_lock(&w->mu);
  for (size_t i = 0; i < w->n_txs && !t; i++)
    if (!memcmp(w->txs[i].name, tx_id, 32))
      t = &w->txs[i];
  if (!t || !t->n_rems) {
    rc = CP_NOT_FOUND;
    goto out;
  }
  memset(&in, 0, sizeof in);
  in.coin = t->rems[0];
  memcpy(in.id, t->rem_ids[0], 32);
  /* to another receive address, so the bundle differs from any the
   * wallet would make for the same coin */
  memset(&pay, 0, sizeof pay);
  memcpy(pay.puzzle_hash, w->ph[w->n_keys > 1 ? 1 : 0], 32);
  pay.amount = in.coin.amount;
  rc = build_bundle(w, &in, 1, &pay, 1, 0, 0, &sb, &scratch);
  if (!rc)
    rc = chia_spend_bundle_hash(&sb, new_tx_id);
  if (!rc)
    rc = sim_chain_replace_tx(w->chain, &sb, why);
out:
  pthread_mutex_unlock(&w->mu);
  wallet__wtx_release(&scratch);
  chia_spend_bundle_release(&sb);
  return rc;
}

/* Coins covering need, largest first, skipping those a pending
 * transaction spends; caller holds mu. CP_NOT_FOUND when they fall short. */
static int excluded__(const struct sim_wallet_sign_opts *o, const uint8_t id[32])
{
  for (size_t i = 0; i < o->n_excluded; i++)
    if (!memcmp(o->excluded[i], id, 32))
      return 1;
  return 0;
}

static cp_err select_coins__(struct sim_wallet *w, const struct sim_wallet_sign_opts *o,
                             uint64_t need, struct sim_coin_record **sel, size_t *nsel,
                             uint64_t *have)
{
  struct sim_coin_record *v = NULL;
  size_t nv = 0;
  cp_err rc = unspent(w, &v, &nv);

  *sel = NULL;
  *nsel = 0;
  *have = 0;
  if (rc)
    return rc;
  qsort(v, nv, sizeof *v, by_amount_desc);
  *sel = xcalloc(nv ? nv : 1, sizeof **sel);
  for (size_t i = 0; i < nv && *have < need && *nsel < SIM_WALLET_MAX_INPUTS; i++) {
    /* a coin a bundle in the mempool spends (e.g. an absorb's fee spend
     * the pool pushed) would only make a conflicting transaction */
    if (pending_removal__(w, v[i].id) || !v[i].coin.amount || excluded__(o, v[i].id) ||
        sim_chain_spent_in_mempool(w->chain, v[i].id))
      continue;
    (*sel)[(*nsel)++] = v[i];
    *have += v[i].coin.amount;
  }
  free(v);
  return *have < need ? CP_NOT_FOUND : CP_OK;
}

cp_err wallet__sign(struct sim_wallet *w, const struct sim_wallet_sign_opts *o,
                     struct chia_spend_bundle *out, struct wtx *rec, const char **why)
{
  struct sim_coin_record *sel = NULL;
  uint8_t (*ids)[32] = NULL;
  struct wtx t;
  size_t nsel = 0;
  uint64_t need = o->fee, have = 0;
  cp_err rc;

  *why = NULL;
  memset(out, 0, sizeof *out);
  memset(&t, 0, sizeof t);
  if (rec)
    memset(rec, 0, sizeof *rec);
  if (!o->n || o->n > WALLET_MAX_ADDITIONS || o->n_anns > WALLET_MAX_ANNOUNCEMENTS ||
      (o->n_anns && !o->anns) || (o->n_excluded && !o->excluded))
    return CP_INVAL;
  for (size_t i = 0; i < o->n; i++) {
    if (!o->pay[i].amount || need + o->pay[i].amount < need)
      return CP_INVAL;
    need += o->pay[i].amount;
  }
  ids = xcalloc(o->n_anns ? o->n_anns : 1, sizeof *ids);
  for (size_t i = 0; i < o->n_anns; i++) {
    struct sha256_ctx h;
    if (o->anns[i].message_len > WALLET_MAX_ANN_MSG) {
      free(ids);
      return CP_INVAL;
    }
    sha256_init(&h);
    sha256_update(&h, o->anns[i].coin_id, 32);
    sha256_update(&h, o->anns[i].message, o->anns[i].message_len);
    sha256_final(&h, ids[i]);
  }
  pthread_mutex_lock(&w->mu);
  wallet__update_confirmed(w);
  rc = select_coins__(w, o, need, &sel, &nsel, &have);
  if (!rc)
    rc = build_bundle_ann(w, sel, nsel, o->pay, o->n, have - need, o->fee,
                          (const uint8_t(*)[32])ids, o->n_anns, out, &t);
  if (!rc)
    rc = chia_spend_bundle_hash(out, t.name);
  if (rc)
    goto out;
  t.created = clock_unix_s();
  memcpy(t.to_ph, o->pay[0].puzzle_hash, 32);
  for (size_t i = 0; i < o->n; i++)
    t.amount += o->pay[i].amount;
  t.fee = o->fee;
  t.rems = xcalloc(nsel, sizeof *t.rems);
  t.rem_ids = xcalloc(nsel, sizeof *t.rem_ids);
  for (size_t i = 0; i < nsel; i++) {
    t.rems[i] = sel[i].coin;
    memcpy(t.rem_ids[i], sel[i].id, 32);
  }
  t.n_rems = nsel;
  /* Like the real wallet: an unpushed transaction is not recorded and its
   * coins stay spendable, since nothing says it will ever be pushed. */
  if (!o->push) {
    if (rec) {
      *rec = t;
      memset(&t, 0, sizeof t);
    }
    goto out;
  }
  rc = sim_chain_push_tx(w->chain, out, why);
  if (rc)
    goto out;
  if (w->n_txs == w->cap_txs) {
    w->cap_txs = w->cap_txs ? 2 * w->cap_txs : 16;
    w->txs = xrealloc(w->txs, w->cap_txs * sizeof *w->txs);
  }
  w->txs[w->n_txs++] = t;
  if (rec) {
    /* the wallet keeps its own copy of the coin lists */
    *rec = t;
    rec->adds = xcalloc(t.n_adds ? t.n_adds : 1, sizeof *rec->adds);
    rec->rems = xcalloc(nsel ? nsel : 1, sizeof *rec->rems);
    rec->rem_ids = xcalloc(nsel ? nsel : 1, sizeof *rec->rem_ids);
    memcpy(rec->adds, t.adds, t.n_adds * sizeof *t.adds);
    memcpy(rec->rems, t.rems, nsel * sizeof *t.rems);
    memcpy(rec->rem_ids, t.rem_ids, nsel * sizeof *t.rem_ids);
    rec->memos = xcalloc(t.n_adds ? t.n_adds : 1, sizeof *rec->memos);
    for (size_t i = 0; t.memos && i < t.n_adds; i++)
      rec->memos[i] = t.memos[i] ? xstrdup(t.memos[i]) : NULL;
  }
  memset(&t, 0, sizeof t);
out:
  pthread_mutex_unlock(&w->mu);
  if (rc)
    chia_spend_bundle_release(out);
  wallet__wtx_release(&t);
  free(sel);
  free(ids);
  return rc;
}

cp_err sim_wallet_sign(struct sim_wallet *w, const struct sim_wallet_sign_opts *o,
                       struct chia_spend_bundle *out, uint8_t tx_id[32], const char **why)
{
  struct wtx rec;
  cp_err rc = wallet__sign(w, o, out, &rec, why);
  if (!rc)
    memcpy(tx_id, rec.name, 32);
  wallet__wtx_release(&rec);
  return rc;
}

/* send_transaction_multi is create_signed_transaction with push and no
 * announcements: one path, so both select, sign and record alike. */
cp_err sim_wallet_send(struct sim_wallet *w, const struct node_payment *pay, size_t n,
                       uint64_t fee, uint8_t tx_id[32], const char **why)
{
  return sim_wallet_send_excluding(w, pay, n, fee, NULL, 0, tx_id, why);
}

cp_err sim_wallet_send_excluding(struct sim_wallet *w, const struct node_payment *pay, size_t n,
                                 uint64_t fee, const uint8_t (*excluded)[32], size_t n_excluded,
                                 uint8_t tx_id[32], const char **why)
{
  struct sim_wallet_sign_opts o;
  struct chia_spend_bundle sb;
  struct wtx rec;
  cp_err rc;

  memset(&o, 0, sizeof o);
  o.pay = pay;
  o.n = n;
  o.fee = fee;
  o.push = true;
  o.excluded = excluded;
  o.n_excluded = n_excluded;
  rc = wallet__sign(w, &o, &sb, &rec, why);
  if (!rc)
    memcpy(tx_id, rec.name, 32);
  wallet__wtx_release(&rec);
  chia_spend_bundle_release(&sb);
  return rc;
}

/* --- lifecycle --- */

cp_err sim_wallet_new(const struct sim_wallet_config *cfg, struct sim_wallet **out)
{
  struct sim_wallet *w;
  struct bls_pk mpk;
  uint8_t h[32];
  cp_err rc;

  *out = NULL;
  if (!cfg->chain || cfg->n_keys > SIM_WALLET_MAX_KEYS)
    return CP_INVAL;
  w = xcalloc(1, sizeof *w);
  w->chain = cfg->chain;
  w->net = sim_chain_net(cfg->chain);
  w->n_keys = cfg->n_keys ? cfg->n_keys : 10;
  pthread_mutex_init(&w->mu, NULL);
  rc = keys_gen(&w->master, cfg->seed, sizeof cfg->seed);
  if (rc)
    goto fail;
  bls_sk_to_pk(&w->master, &mpk);
  sha256(h, mpk.bytes, BLS_PK_SIZE);
  w->fingerprint = be32_load(h);
  for (unsigned i = 0; i < w->n_keys; i++) {
    const uint32_t path[] = { KEYS_PURPOSE, KEYS_COIN_TYPE, 2, i };
    struct bls_pk pk;
    keys_derive_path_unhardened_sk(&w->sk[i], &w->master, path, 4);
    bls_sk_to_pk(&w->sk[i], &pk);
    stdtx_puzzle_hash(&pk, w->ph[i]);
  }
  if (cfg->chia_root && (rc = wallet__serve(w, cfg)))
    goto fail;
  *out = w;
  return CP_OK;
fail:
  sim_wallet_free(w);
  return rc;
}

void sim_wallet_free(struct sim_wallet *w)
{
  if (!w)
    return;
  http_server_free(w->http);
  for (size_t i = 0; i < w->n_txs; i++)
    wallet__wtx_release(&w->txs[i]);
  free(w->txs);
  for (unsigned i = 0; i < w->n_keys; i++)
    bls_sk_wipe(&w->sk[i]);
  bls_sk_wipe(&w->master);
  pthread_mutex_destroy(&w->mu);
  free(w);
}
