#include "sim/wallet.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/bech32m.h"
#include "chia/coin.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "http/server.h"
#include "sim/certs.h"
#include "sim/stdtx.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

#define BODY_MAX (1u << 20)
#define TX_TYPE_OUTGOING 1    /* TransactionType.OUTGOING_TX */
#define WALLET_TYPE_STANDARD 0

struct wtx {
  uint8_t name[32];
  uint64_t created;
  uint8_t to_ph[32];
  uint64_t amount;             /* paid to others */
  uint64_t fee;
  struct chia_coin *adds;
  size_t n_adds;
  char **memos;                /* per addition, NULL = none */
  struct chia_coin *rems;
  size_t n_rems;
  uint8_t (*rem_ids)[32];
  bool confirmed;
  uint32_t confirmed_height;
};

struct sim_wallet {
  struct sim_chain *chain;
  const struct chia_consts *net;
  struct bls_sk master;
  unsigned n_keys;
  struct bls_sk sk[SIM_WALLET_MAX_KEYS];
  uint8_t ph[SIM_WALLET_MAX_KEYS][32];
  uint32_t fingerprint;
  pthread_mutex_t mu;          /* txs, and one send at a time */
  struct wtx *txs;
  size_t n_txs, cap_txs;
  struct http_server *http;
};

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

/* Refresh confirmation of pending transactions; caller holds mu. Like
 * the Chia wallet, any spend of a removal confirms, whoever made it. */
static void update_confirmed__(struct sim_wallet *w)
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
  update_confirmed__(w);
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

static void wtx_release(struct wtx *t)
{
  for (size_t i = 0; t->memos && i < t->n_adds; i++)
    free(t->memos[i]);
  free(t->memos);
  free(t->adds);
  free(t->rems);
  free(t->rem_ids);
  memset(t, 0, sizeof *t);
}

cp_err sim_wallet_send(struct sim_wallet *w, const struct node_payment *pay, size_t n,
                       uint64_t fee, uint8_t tx_id[32], const char **why)
{
  struct sim_coin_record *v = NULL, *sel = NULL;
  struct chia_spend_bundle sb;
  struct wtx t;
  size_t nv = 0, nsel = 0;
  uint64_t need = fee, have = 0;
  cp_err rc;

  *why = NULL;
  if (!n || n > WALLET_MAX_ADDITIONS)
    return CP_INVAL;
  for (size_t i = 0; i < n; i++) {
    if (!pay[i].amount || need + pay[i].amount < need)
      return CP_INVAL;
    need += pay[i].amount;
  }
  memset(&sb, 0, sizeof sb);
  memset(&t, 0, sizeof t);
  pthread_mutex_lock(&w->mu);
  update_confirmed__(w);
  rc = unspent(w, &v, &nv);
  if (rc)
    goto out;
  qsort(v, nv, sizeof *v, by_amount_desc);
  sel = xcalloc(nv ? nv : 1, sizeof *sel);
  for (size_t i = 0; i < nv && have < need && nsel < SIM_WALLET_MAX_INPUTS; i++) {
    if (pending_removal__(w, v[i].id) || !v[i].coin.amount ||
        sim_chain_spent_in_mempool(w->chain, v[i].id))
      continue;
    sel[nsel++] = v[i];
    have += v[i].coin.amount;
  }
  if (have < need) {
    rc = CP_NOT_FOUND;
    goto out;
  }
  rc = build_bundle(w, sel, nsel, pay, n, have - need, fee, &sb, &t);
  if (!rc)
    rc = chia_spend_bundle_hash(&sb, t.name);
  if (!rc)
    rc = sim_chain_push_tx(w->chain, &sb, why);
  if (rc)
    goto out;
  t.created = clock_unix_s();
  memcpy(t.to_ph, pay[0].puzzle_hash, 32);
  for (size_t i = 0; i < n; i++)
    t.amount += pay[i].amount;
  t.fee = fee;
  t.rems = xcalloc(nsel, sizeof *t.rems);
  t.rem_ids = xcalloc(nsel, sizeof *t.rem_ids);
  for (size_t i = 0; i < nsel; i++) {
    t.rems[i] = sel[i].coin;
    memcpy(t.rem_ids[i], sel[i].id, 32);
  }
  t.n_rems = nsel;
  if (w->n_txs == w->cap_txs) {
    w->cap_txs = w->cap_txs ? 2 * w->cap_txs : 16;
    w->txs = xrealloc(w->txs, w->cap_txs * sizeof *w->txs);
  }
  w->txs[w->n_txs++] = t;
  memset(&t, 0, sizeof t);
  memcpy(tx_id, w->txs[w->n_txs - 1].name, 32);
out:
  pthread_mutex_unlock(&w->mu);
  wtx_release(&t);
  chia_spend_bundle_release(&sb);
  free(v);
  free(sel);
  return rc;
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
  wtx_release(&scratch);
  chia_spend_bundle_release(&sb);
  return rc;
}

/* Coins covering need, largest first, skipping those a pending
 * transaction spends; caller holds mu. CP_NOT_FOUND when they fall short. */
static cp_err select_coins__(struct sim_wallet *w, uint64_t need, struct sim_coin_record **sel,
                             size_t *nsel, uint64_t *have)
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
    if (pending_removal__(w, v[i].id) || !v[i].coin.amount ||
        sim_chain_spent_in_mempool(w->chain, v[i].id))
      continue;
    (*sel)[(*nsel)++] = v[i];
    *have += v[i].coin.amount;
  }
  free(v);
  return *have < need ? CP_NOT_FOUND : CP_OK;
}

/* sim_wallet_sign; rec (may be NULL) gets the transaction's record, the
 * caller's to release with wtx_release. */
static cp_err sign__(struct sim_wallet *w, const struct sim_wallet_sign_opts *o,
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
      (o->n_anns && !o->anns))
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
  update_confirmed__(w);
  rc = select_coins__(w, need, &sel, &nsel, &have);
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
  wtx_release(&t);
  free(sel);
  free(ids);
  return rc;
}

cp_err sim_wallet_sign(struct sim_wallet *w, const struct sim_wallet_sign_opts *o,
                       struct chia_spend_bundle *out, uint8_t tx_id[32], const char **why)
{
  struct wtx rec;
  cp_err rc = sign__(w, o, out, &rec, why);
  if (!rc)
    memcpy(tx_id, rec.name, 32);
  wtx_release(&rec);
  return rc;
}

/* --- RPC --- */

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

static void fail(struct http_request *r, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
static void fail(struct http_request *r, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  json_t *o;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  o = json_pack("{s:b,s:s}", "success", 0, "error", msg);
  if (!o) {
    http_respond_text(r, 500, "out of memory");
    return;
  }
  http_respond_json(r, 200, o);
  json_decref(o);
}

static json_t *req_body(struct http_request *r)
{
  json_t *j = NULL;

  if (http_request_json(r, &j)) {
    fail(r, "request body is not a JSON object");
    return NULL;
  }
  return j;
}

static json_t *coin_json(const struct chia_coin *c)
{
  json_t *o = json_object();

  if (o && (cjson_set_hex(o, "parent_coin_info", c->parent_coin_info, 32) ||
            cjson_set_hex(o, "puzzle_hash", c->puzzle_hash, 32) ||
            cjson_set_u64(o, "amount", c->amount))) {
    json_decref(o);
    o = NULL;
  }
  return o;
}

static json_t *coins_json(const struct chia_coin *v, size_t n)
{
  json_t *a = json_array();

  for (size_t i = 0; a && i < n; i++)
    if (json_array_append_new(a, coin_json(&v[i]))) {
      json_decref(a);
      return NULL;
    }
  return a;
}

/* "memos" as the wallet's to_json_dict_convenience shows them: coin id hex
 * -> memo hex. A pool finds its payouts by these (payouts_wallet.c): an
 * empty object would tell it "never sent" and it would pay again. */
static json_t *memos_json(const struct wtx *t)
{
  json_t *o = json_object();

  for (size_t i = 0; o && t->memos && i < t->n_adds; i++) {
    size_t len = t->memos[i] ? strlen(t->memos[i]) : 0;
    char id_hex[65], *memo_hex;
    uint8_t id[32];
    if (!len)
      continue;
    coin_id(&t->adds[i], id);
    hex_encode(id_hex, id, 32);
    memo_hex = xmalloc(2 * len + 1);
    hex_encode(memo_hex, (const uint8_t *)t->memos[i], len);
    if (json_object_set_new(o, id_hex, json_string(memo_hex))) {
      json_decref(o);
      o = NULL;
    }
    free(memo_hex);
  }
  return o;
}

/* TransactionRecord JSON (2.7.3 keys); caller holds mu. */
static json_t *tx_json__(const struct sim_wallet *w, const struct wtx *t)
{
  char addr[128];
  json_t *o = json_object();
  int bad = !o;

  bad = bad || cjson_set_u64(o, "confirmed_at_height", t->confirmed ? t->confirmed_height : 0);
  bad = bad || cjson_set_u64(o, "created_at_time", t->created);
  bad = bad || cjson_set_hex(o, "to_puzzle_hash", t->to_ph, 32);
  bad = bad || cjson_set_u64(o, "amount", t->amount);
  bad = bad || cjson_set_u64(o, "fee_amount", t->fee);
  bad = bad || cjson_set_bool(o, "confirmed", t->confirmed);
  bad = bad || cjson_set_u64(o, "sent", 1);
  bad = bad || cjson_set_null(o, "spend_bundle");
  bad = bad || json_object_set_new(o, "additions", coins_json(t->adds, t->n_adds));
  bad = bad || json_object_set_new(o, "removals", coins_json(t->rems, t->n_rems));
  bad = bad || cjson_set_u64(o, "wallet_id", 1);
  bad = bad || json_object_set_new(o, "sent_to", json_array());
  bad = bad || cjson_set_null(o, "trade_id");
  bad = bad || cjson_set_u64(o, "type", TX_TYPE_OUTGOING);
  bad = bad || cjson_set_hex(o, "name", t->name, 32);
  bad = bad || json_object_set_new(o, "memos", memos_json(t));
  bad = bad || json_object_set_new(o, "valid_times", json_object());
  if (!bad && !bech32m_encode_ph(w->net->address_prefix, t->to_ph, addr, sizeof addr))
    bad = cjson_set_str(o, "to_address", addr, strlen(addr)) != CP_OK;
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static void h_log_in(struct http_request *r, void *ud)
{
  struct sim_wallet *w = ud;
  json_t *j = req_body(r);
  uint64_t fp;

  if (!j)
    return;
  if (cjson_get_u64(j, "fingerprint", UINT32_MAX, &fp))
    fail(r, "fingerprint missing or invalid");
  else if (fp != w->fingerprint)
    fail(r, "Unknown fingerprint %llu", (unsigned long long)fp);
  else
    ok(r, json_pack("{s:I}", "fingerprint", (json_int_t)fp));
  json_decref(j);
}

static void h_sync_status(struct http_request *r, void *ud)
{
  (void)ud;
  ok(r, json_pack("{s:b,s:b,s:b}", "synced", 1, "syncing", 0, "genesis_initialized", 1));
}

static void h_balance(struct http_request *r, void *ud)
{
  struct sim_wallet *w = ud;
  struct sim_wallet_balance b;
  json_t *j = req_body(r), *o;
  uint64_t id;

  if (!j)
    return;
  if (cjson_get_u64(j, "wallet_id", UINT32_MAX, &id) || id != 1) {
    fail(r, "wallet_id must be 1");
    json_decref(j);
    return;
  }
  json_decref(j);
  sim_wallet_balance(w, &b);
  o = json_object();
  if (o && (cjson_set_u64(o, "wallet_id", 1) ||
            cjson_set_u64(o, "wallet_type", WALLET_TYPE_STANDARD) ||
            cjson_set_u64(o, "confirmed_wallet_balance", b.confirmed) ||
            cjson_set_u64(o, "unconfirmed_wallet_balance", b.spendable + b.pending_change) ||
            cjson_set_u64(o, "spendable_balance", b.spendable) ||
            cjson_set_u64(o, "pending_change", b.pending_change) ||
            cjson_set_u64(o, "max_send_amount", b.spendable) ||
            cjson_set_u64(o, "unspent_coin_count", b.unspent_coins) ||
            cjson_set_u64(o, "pending_coin_removal_count", b.pending_removals) ||
            cjson_set_u64(o, "fingerprint", w->fingerprint) ||
            cjson_set_null(o, "asset_id") || cjson_set_null(o, "pending_approval_balance"))) {
    json_decref(o);
    o = NULL;
  }
  ok(r, o ? json_pack("{s:o}", "wallet_balance", o) : NULL);
}

/* "additions": [{"puzzle_hash", "amount", "memos"?: [str]}] */
static int parse_additions(const json_t *arr, struct node_payment *pay, size_t *n)
{
  size_t i;
  const json_t *a;

  if (!json_is_array(arr) || !json_array_size(arr) ||
      json_array_size(arr) > WALLET_MAX_ADDITIONS)
    return -1;
  json_array_foreach(arr, i, a) {
    const json_t *memos = json_object_get(a, "memos");
    memset(&pay[i], 0, sizeof pay[i]);
    if (cjson_get_hex(a, "puzzle_hash", pay[i].puzzle_hash, 32) ||
        cjson_get_u64(a, "amount", UINT64_MAX, &pay[i].amount))
      return -1;
    if (memos && !json_is_null(memos)) {
      if (!json_is_array(memos) || json_array_size(memos) > 1 ||
          (json_array_size(memos) && !json_is_string(json_array_get(memos, 0))))
        return -1;
      pay[i].memo = json_array_size(memos) ? json_string_value(json_array_get(memos, 0))
                                           : NULL;
    }
  }
  *n = json_array_size(arr);
  return 0;
}

static void h_send_multi(struct http_request *r, void *ud)
{
  struct sim_wallet *w = ud;
  struct node_payment *pay = NULL;
  json_t *j = req_body(r), *tx = NULL;
  const char *why = NULL;
  uint8_t id[32];
  uint64_t fee = 0;
  size_t n = 0;
  cp_err rc;

  if (!j)
    return;
  pay = xcalloc(WALLET_MAX_ADDITIONS, sizeof *pay);
  if (json_object_get(j, "fee") && cjson_get_u64(j, "fee", UINT64_MAX, &fee)) {
    fail(r, "invalid fee");
    goto out;
  }
  if (parse_additions(json_object_get(j, "additions"), pay, &n)) {
    fail(r, "invalid additions");
    goto out;
  }
  rc = sim_wallet_send(w, pay, n, fee, id, &why);
  if (rc) {
    fail(r, "send_transaction_multi failed: %s%s%s", cp_strerror(rc), why ? ": " : "",
         why ? why : "");
    goto out;
  }
  pthread_mutex_lock(&w->mu);
  tx = tx_json__(w, &w->txs[w->n_txs - 1]);
  pthread_mutex_unlock(&w->mu);
  if (tx) {
    json_t *o = json_object();
    if (o && !json_object_set(o, "transaction", tx) && !cjson_set_hex(o, "transaction_id", id, 32) &&
        !json_object_set_new(o, "transactions", json_pack("[O]", tx)) &&
        !json_object_set_new(o, "unsigned_transactions", json_array())) {
      ok(r, o);
    } else {
      json_decref(o);
      ok(r, NULL);
    }
  } else {
    ok(r, NULL);
  }
out:
  json_decref(tx);
  json_decref(j);
  free(pay);
}

/* "coin_announcements": [{"coin_id", "message" (hex), "morph_bytes"?}];
 * msgs holds n * WALLET_MAX_ANN_MSG bytes. NULL or missing is none. */
static int parse_announcements(const json_t *arr, struct node_coin_announcement *anns,
                               uint8_t *msgs, size_t *n)
{
  size_t i;
  const json_t *a;

  *n = 0;
  if (!arr || json_is_null(arr))
    return 0;
  if (!json_is_array(arr) || json_array_size(arr) > WALLET_MAX_ANNOUNCEMENTS)
    return -1;
  json_array_foreach(arr, i, a) {
    const json_t *morph = json_object_get(a, "morph_bytes");
    uint8_t *m = msgs + i * WALLET_MAX_ANN_MSG;
    memset(&anns[i], 0, sizeof anns[i]);
    /* a morphed announcement hashes differently; nothing here needs it */
    if (morph && !json_is_null(morph) &&
        !(json_is_string(morph) && !json_string_length(morph)))
      return -1;
    if (cjson_get_hex(a, "coin_id", anns[i].coin_id, 32) ||
        cjson_get_hexvar(a, "message", m, WALLET_MAX_ANN_MSG, &anns[i].message_len))
      return -1;
    anns[i].message = m;
  }
  *n = json_array_size(arr);
  return 0;
}

/* create_signed_transaction: the signed transaction, pushed only when
 * "push" is true (default false, as the real wallet's RPC). */
static void h_create_signed(struct http_request *r, void *ud)
{
  struct sim_wallet *w = ud;
  struct sim_wallet_sign_opts o;
  struct node_payment *pay = NULL;
  struct node_coin_announcement *anns = NULL;
  struct chia_spend_bundle sb;
  struct wtx rec;
  uint8_t *msgs = NULL;
  json_t *j = req_body(r), *tx = NULL, *bj = NULL, *resp = NULL;
  const json_t *v;
  const char *why = NULL;
  bool push = false;
  cp_err rc;

  memset(&o, 0, sizeof o);
  memset(&sb, 0, sizeof sb);
  memset(&rec, 0, sizeof rec);
  if (!j)
    return;
  pay = xcalloc(WALLET_MAX_ADDITIONS, sizeof *pay);
  if (json_object_get(j, "fee") && cjson_get_u64(j, "fee", UINT64_MAX, &o.fee)) {
    fail(r, "invalid fee");
    goto out;
  }
  if (parse_additions(json_object_get(j, "additions"), pay, &o.n)) {
    fail(r, "Specify additions list");
    goto out;
  }
  v = json_object_get(j, "coin_announcements");
  if (json_is_array(v) && json_array_size(v)) {
    size_t k = json_array_size(v) <= WALLET_MAX_ANNOUNCEMENTS ? json_array_size(v) : 1;
    anns = xcalloc(k, sizeof *anns);
    msgs = xcalloc(k, WALLET_MAX_ANN_MSG);
  }
  if (parse_announcements(v, anns, msgs, &o.n_anns)) {
    fail(r, "invalid coin_announcements");
    goto out;
  }
  v = json_object_get(j, "coins");
  if (v && !json_is_null(v) && (!json_is_array(v) || json_array_size(v))) {
    fail(r, "coins: not supported by the simulated wallet");
    goto out;
  }
  if (json_object_get(j, "push") && cjson_get_bool(j, "push", &push)) {
    fail(r, "invalid push");
    goto out;
  }
  o.pay = pay;
  o.anns = anns;
  o.push = push;
  rc = sign__(w, &o, &sb, &rec, &why);
  if (rc) {
    fail(r, "create_signed_transaction failed: %s%s%s", cp_strerror(rc), why ? ": " : "",
         why ? why : "");
    goto out;
  }
  /* rec is this call's copy: no lock needed to read it */
  tx = tx_json__(w, &rec);
  if (tx && !chia_spend_bundle_to_json(&sb, &bj) && !json_object_set_new(tx, "spend_bundle", bj))
    resp = json_pack("{s:[O],s:O,s:[O],s:[]}", "signed_txs", tx, "signed_tx", tx,
                     "transactions", tx, "unsigned_transactions");
  ok(r, resp);
out:
  json_decref(tx);
  json_decref(j);
  chia_spend_bundle_release(&sb);
  wtx_release(&rec);
  free(pay);
  free(anns);
  free(msgs);
}

static void h_get_tx(struct http_request *r, void *ud)
{
  struct sim_wallet *w = ud;
  json_t *j = req_body(r), *tx = NULL;
  uint8_t id[32];

  if (!j)
    return;
  if (cjson_get_hex(j, "transaction_id", id, 32)) {
    fail(r, "invalid transaction_id");
    json_decref(j);
    return;
  }
  json_decref(j);
  pthread_mutex_lock(&w->mu);
  update_confirmed__(w);
  for (size_t i = 0; i < w->n_txs && !tx; i++)
    if (!memcmp(w->txs[i].name, id, 32))
      tx = tx_json__(w, &w->txs[i]);
  pthread_mutex_unlock(&w->mu);
  if (!tx) {
    char hex[65];
    hex_encode(hex, id, 32);
    fail(r, "Transaction 0x%s not found", hex);
    return;
  }
  ok(r, json_pack("{s:o,s:O}", "transaction", tx, "transaction_id",
                  json_object_get(tx, "name")));
}

static void h_get_txs(struct http_request *r, void *ud)
{
  struct sim_wallet *w = ud;
  json_t *j = req_body(r), *arr;
  uint64_t start = 0, end = 50, id = 1;

  if (!j)
    return;
  if ((json_object_get(j, "wallet_id") && cjson_get_u64(j, "wallet_id", UINT32_MAX, &id)) ||
      (json_object_get(j, "start") && cjson_get_u64(j, "start", UINT32_MAX, &start)) ||
      (json_object_get(j, "end") && cjson_get_u64(j, "end", UINT32_MAX, &end)) || id != 1 ||
      end < start) {
    fail(r, "invalid wallet_id/start/end");
    json_decref(j);
    return;
  }
  json_decref(j);
  arr = json_array();
  pthread_mutex_lock(&w->mu);
  update_confirmed__(w);
  for (uint64_t i = start; arr && i < end && i < w->n_txs; i++)
    if (json_array_append_new(arr, tx_json__(w, &w->txs[i]))) {
      json_decref(arr);
      arr = NULL;
    }
  pthread_mutex_unlock(&w->mu);
  ok(r, arr ? json_pack("{s:o,s:i}", "transactions", arr, "wallet_id", 1) : NULL);
}

static cp_err serve(struct sim_wallet *w, const struct sim_wallet_config *cfg)
{
  const struct {
    const char *path;
    http_handler_fn fn;
  } eps[] = {
    { "/log_in", h_log_in },
    { "/get_sync_status", h_sync_status },
    { "/get_wallet_balance", h_balance },
    { "/send_transaction_multi", h_send_multi },
    { "/create_signed_transaction", h_create_signed },
    { "/get_transaction", h_get_tx },
    { "/get_transactions", h_get_txs },
  };
  enum { N = sizeof eps / sizeof eps[0] };
  struct http_route routes[N];
  struct http_config hc;
  char crt[SIM_CERTS_PATH_MAX], key[SIM_CERTS_PATH_MAX], ca[SIM_CERTS_PATH_MAX];
  cp_err rc;

  rc = sim_certs_path(cfg->chia_root, "daemon", "crt", crt, sizeof crt);
  if (!rc)
    rc = sim_certs_path(cfg->chia_root, "daemon", "key", key, sizeof key);
  if (!rc)
    rc = sim_certs_path(cfg->chia_root, "ca", "crt", ca, sizeof ca);
  if (rc)
    return rc;
  for (size_t i = 0; i < N; i++)
    routes[i] = (struct http_route){ "POST", eps[i].path, eps[i].fn, w, BODY_MAX,
                                     HTTP_ROUTE_NO_RATE_LIMIT };
  http_config_init(&hc);
  hc.bind_addr = cfg->bind_addr ? cfg->bind_addr : "127.0.0.1";
  hc.port = cfg->port;
  hc.tls_cert_file = crt;
  hc.tls_key_file = key;
  hc.tls_client_ca_file = ca;
  hc.threads = 1;
  hc.default_max_body = BODY_MAX;
  rc = http_server_new(&hc, routes, N, &w->http);
  if (!rc)
    log_info("sim", "wallet_rpc_listening", "port=%u fingerprint=%u",
             (unsigned)http_server_port(w->http), (unsigned)w->fingerprint);
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
  if (cfg->chia_root && (rc = serve(w, cfg)))
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
    wtx_release(&w->txs[i]);
  free(w->txs);
  for (unsigned i = 0; i < w->n_keys; i++)
    bls_sk_wipe(&w->sk[i]);
  bls_sk_wipe(&w->master);
  pthread_mutex_destroy(&w->mu);
  free(w);
}
