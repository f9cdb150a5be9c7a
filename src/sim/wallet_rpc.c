/* The simulated wallet's RPC endpoints (sim/wallet.h lists them): JSON in
 * and out in the shapes of chia/wallet/wallet_rpc_api.py 2.7.3. */
#include "sim/wallet_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/bech32m.h"
#include "chia/cjson.h"
#include "chia/coin.h"
#include "sim/certs.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

#define BODY_MAX (1u << 20)
#define TX_TYPE_OUTGOING 1    /* TransactionType.OUTGOING_TX */
#define WALLET_TYPE_STANDARD 0

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
  const json_t *ex;
  const char *why = NULL;
  uint8_t id[32], (*excluded)[32] = NULL;
  uint64_t fee = 0;
  size_t n = 0, n_ex = 0;
  cp_err rc;

  if (!j)
    return;
  pay = xcalloc(WALLET_MAX_ADDITIONS, sizeof *pay);
  /* coins the caller has spoken for elsewhere (the pool's absorb fee
   * spends, signed but not pushed through this wallet) */
  ex = json_object_get(j, "excluded_coin_ids");
  if (ex) {
    if (!json_is_array(ex) || json_array_size(ex) > WALLET_MAX_TX_COINS) {
      fail(r, "invalid excluded_coin_ids");
      goto out;
    }
    n_ex = json_array_size(ex);
    excluded = xcalloc(n_ex ? n_ex : 1, sizeof *excluded);
    for (size_t i = 0; i < n_ex; i++) {
      const json_t *e = json_array_get(ex, i);
      const char *hs = json_string_value(e);
      size_t hl = json_string_length(e);
      if (hs && hl >= 2 && hs[0] == '0' && (hs[1] == 'x' || hs[1] == 'X'))
        hs += 2, hl -= 2;
      if (!hs || hex_decode_exact(excluded[i], 32, hs, hl)) {
        fail(r, "invalid excluded_coin_ids");
        goto out;
      }
    }
  }
  if (json_object_get(j, "fee") && cjson_get_u64(j, "fee", UINT64_MAX, &fee)) {
    fail(r, "invalid fee");
    goto out;
  }
  if (parse_additions(json_object_get(j, "additions"), pay, &n)) {
    fail(r, "invalid additions");
    goto out;
  }
  rc = sim_wallet_send_excluding(w, pay, n, fee, (const uint8_t (*)[32])excluded, n_ex, id, &why);
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
  free(excluded);
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
  rc = wallet__sign(w, &o, &sb, &rec, &why);
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
  wallet__wtx_release(&rec);
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
  wallet__update_confirmed(w);
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
  wallet__update_confirmed(w);
  for (uint64_t i = start; arr && i < end && i < w->n_txs; i++)
    if (json_array_append_new(arr, tx_json__(w, &w->txs[i]))) {
      json_decref(arr);
      arr = NULL;
    }
  pthread_mutex_unlock(&w->mu);
  ok(r, arr ? json_pack("{s:o,s:i}", "transactions", arr, "wallet_id", 1) : NULL);
}

cp_err wallet__serve(struct sim_wallet *w, const struct sim_wallet_config *cfg)
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
