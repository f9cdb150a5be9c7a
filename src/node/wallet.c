#include "node/wallet.h"

#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "node/node_int.h"

cp_err wallet_parse_tx_record(const json_t *j, struct node_tx_record *out)
{
  const json_t *add, *rem;
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = cjson_get_hex(j, "name", out->name, 32);
  if (!rc)
    rc = node__u32(j, "confirmed_at_height", &out->confirmed_at_height);
  if (!rc)
    rc = cjson_get_u64(j, "created_at_time", UINT64_MAX, &out->created_at_time);
  if (!rc)
    rc = cjson_get_hex(j, "to_puzzle_hash", out->to_puzzle_hash, 32);
  if (!rc)
    rc = cjson_get_u64(j, "amount", UINT64_MAX, &out->amount);
  if (!rc)
    rc = cjson_get_u64(j, "fee_amount", UINT64_MAX, &out->fee_amount);
  if (!rc)
    rc = cjson_get_bool(j, "confirmed", &out->confirmed);
  if (!rc)
    rc = node__u32(j, "sent", &out->sent);
  if (!rc)
    rc = node__u32(j, "wallet_id", &out->wallet_id);
  if (!rc)
    rc = node__u32(j, "type", &out->type);
  if (rc)
    return CP_RPC_RESPONSE;
  add = json_object_get(j, "additions");
  rem = json_object_get(j, "removals");
  if (!json_is_array(add) || !json_is_array(rem))
    return CP_RPC_RESPONSE;
  out->n_additions = json_array_size(add);
  out->n_removals = json_array_size(rem);
  return CP_OK;
}

static cp_err parse_coin_any(const json_t *j, void *out)
{
  return fullnode_parse_coin(j, out);
}

cp_err wallet_parse_tx_coins(const json_t *j, struct node_tx_coins *out)
{
  void *add = NULL, *rem = NULL;
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = node__list(json_object_get(j, "additions"), WALLET_MAX_TX_COINS,
                  sizeof *out->additions, parse_coin_any, &add, &out->n_additions, NULL);
  if (!rc)
    rc = node__list(json_object_get(j, "removals"), WALLET_MAX_TX_COINS,
                    sizeof *out->removals, parse_coin_any, &rem, &out->n_removals, NULL);
  out->additions = add;
  out->removals = rem;
  if (rc) {
    node_tx_coins_release(out);
    return CP_RPC_RESPONSE;
  }
  return CP_OK;
}

void node_tx_coins_release(struct node_tx_coins *c)
{
  free(c->additions);
  free(c->removals);
  memset(c, 0, sizeof *c);
}

/* node_parse_fn adapter for the call helpers */
static cp_err parse_tx_record_any(const json_t *j, void *out)
{
  return wallet_parse_tx_record(j, out);
}

struct tx_with_coins {
  struct node_tx_record *rec;
  struct node_tx_coins *coins;
};

static cp_err parse_tx_with_coins(const json_t *j, void *out)
{
  struct tx_with_coins *t = out;
  cp_err rc = wallet_parse_tx_record(j, t->rec);
  return rc ? rc : wallet_parse_tx_coins(j, t->coins);
}

cp_err wallet_log_in(struct node_client *c, uint32_t fingerprint,
                     uint32_t *logged_in, struct node_error *err)
{
  static const char ep[] = "log_in";
  json_t *req = NULL, *resp = NULL;
  cp_err rc = node__req_u64(&req, "fingerprint", fingerprint);

  if (!rc)
    rc = node_call(c, ep, req, &resp, err);
  if (!rc && node__u32(resp, "fingerprint", logged_in))
    rc = node__bad(err, ep, "fingerprint");
  json_decref(req);
  json_decref(resp);
  return rc;
}

cp_err wallet_get_sync_status(struct node_client *c, bool *synced, bool *syncing,
                              struct node_error *err)
{
  static const char ep[] = "get_sync_status";
  json_t *resp = NULL;
  cp_err rc = node_call(c, ep, NULL, &resp, err);

  if (!rc && (cjson_get_bool(resp, "synced", synced) ||
              cjson_get_bool(resp, "syncing", syncing)))
    rc = node__bad(err, ep, "synced/syncing");
  json_decref(resp);
  return rc;
}

cp_err wallet_get_wallet_balance(struct node_client *c, uint32_t wallet_id,
                                 struct node_wallet_balance *out,
                                 struct node_error *err)
{
  static const char ep[] = "get_wallet_balance";
  json_t *req = NULL, *resp = NULL;
  const json_t *b;
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = node__req_u64(&req, "wallet_id", wallet_id);
  if (!rc)
    rc = node_call(c, ep, req, &resp, err);
  if (rc)
    goto out;
  b = json_object_get(resp, "wallet_balance");
  if (node__u32(b, "wallet_id", &out->wallet_id) ||
      node__u32(b, "wallet_type", &out->wallet_type) ||
      cjson_get_u64(b, "confirmed_wallet_balance", UINT64_MAX,
                    &out->confirmed_wallet_balance) ||
      cjson_get_u64(b, "unconfirmed_wallet_balance", UINT64_MAX,
                    &out->unconfirmed_wallet_balance) ||
      cjson_get_u64(b, "spendable_balance", UINT64_MAX, &out->spendable_balance) ||
      cjson_get_u64(b, "pending_change", UINT64_MAX, &out->pending_change) ||
      cjson_get_u64(b, "max_send_amount", UINT64_MAX, &out->max_send_amount) ||
      node__u32(b, "unspent_coin_count", &out->unspent_coin_count) ||
      node__u32(b, "pending_coin_removal_count", &out->pending_coin_removal_count)) {
    rc = node__bad(err, ep, "wallet_balance field");
    goto out;
  }
  out->has_fingerprint = node__has(b, "fingerprint");
  if (out->has_fingerprint && node__u32(b, "fingerprint", &out->fingerprint))
    rc = node__bad(err, ep, "fingerprint");
out:
  json_decref(req);
  json_decref(resp);
  return rc;
}

cp_err wallet_get_transaction(struct node_client *c, const uint8_t tx_id[32],
                              struct node_tx_record *out, struct node_error *err)
{
  json_t *req = NULL;
  cp_err rc;

  /* out is written only after the call: tx_id may point into it */
  rc = node__req_hash(&req, "transaction_id", tx_id);
  if (!rc)
    rc = node__call_parse(c, "get_transaction", req, "transaction",
                          parse_tx_record_any, out, err);
  json_decref(req);
  return rc;
}

cp_err wallet_get_transaction_coins(struct node_client *c, const uint8_t tx_id[32],
                                    struct node_tx_record *out,
                                    struct node_tx_coins *coins,
                                    struct node_error *err)
{
  struct tx_with_coins t = { out, coins };
  json_t *req = NULL;
  cp_err rc;

  memset(coins, 0, sizeof *coins);
  rc = node__req_hash(&req, "transaction_id", tx_id);
  if (!rc)
    rc = node__call_parse(c, "get_transaction", req, "transaction",
                          parse_tx_with_coins, &t, err);
  json_decref(req);
  return rc;
}

cp_err wallet_get_transactions(struct node_client *c, uint32_t wallet_id,
                               uint32_t start, uint32_t end,
                               struct node_tx_records *out, struct node_error *err)
{
  json_t *req = NULL;
  void *v = NULL;
  cp_err rc;

  out->v = NULL;
  out->n = 0;
  if (end < start || end - start > WALLET_MAX_TXS)
    return CP_INVAL;
  rc = node__req_u64(&req, "wallet_id", wallet_id);
  if (!rc)
    rc = cjson_set_u64(req, "start", start);
  if (!rc)
    rc = cjson_set_u64(req, "end", end);
  if (!rc)
    rc = node__call_list(c, "get_transactions", req, "transactions", WALLET_MAX_TXS,
                         sizeof *out->v, parse_tx_record_any, &v, &out->n, err);
  out->v = v;
  json_decref(req);
  return rc;
}

static cp_err additions_json(const struct node_payment *pay, size_t n, json_t **out)
{
  json_t *arr = json_array();
  cp_err rc = arr ? CP_OK : CP_NOMEM;

  for (size_t i = 0; i < n && !rc; i++) {
    json_t *o = json_object(), *memos = NULL;
    if (!o || json_array_append_new(arr, o)) {
      rc = CP_NOMEM;
      break;
    }
    rc = cjson_set_hex(o, "puzzle_hash", pay[i].puzzle_hash, 32);
    if (!rc)
      rc = cjson_set_u64(o, "amount", pay[i].amount);
    if (!rc && pay[i].memo) {
      size_t len = strnlen(pay[i].memo, WALLET_MAX_MEMO + 1);
      if (len > WALLET_MAX_MEMO)
        rc = CP_TOO_BIG;
      else if (!(memos = json_array()) || json_object_set_new(o, "memos", memos))
        rc = CP_NOMEM;
      if (!rc) {
        json_t *s = json_stringn(pay[i].memo, len);  /* NULL if not UTF-8 */
        if (!s || json_array_append_new(memos, s))
          rc = CP_INVAL;
      }
    }
  }
  if (rc) {
    json_decref(arr);
    arr = NULL;
  }
  *out = arr;
  return rc;
}

cp_err wallet_send_transaction_multi(struct node_client *c,
                                     const struct node_send_opts *opts,
                                     const struct node_payment *pay, size_t n,
                                     struct node_tx_record *out,
                                     struct node_error *err)
{
  json_t *req = NULL, *adds = NULL, *coins = NULL, *zero = NULL;
  cp_err rc;

  if (!n || n > WALLET_MAX_ADDITIONS || (opts->n_coins && !opts->coins) ||
      (opts->n_excluded && !opts->excluded_coin_ids))
    return CP_INVAL;
  rc = node__req(&req);
  if (!rc)
    rc = cjson_set_u64(req, "wallet_id", opts->wallet_id ? opts->wallet_id : 1);
  if (!rc)
    rc = cjson_set_u64(req, "fee", opts->fee);
  if (!rc)
    rc = additions_json(pay, n, &adds);
  if (!rc && json_object_set_new(req, "additions", adds))
    rc = CP_NOMEM;
  if (!rc && opts->n_coins) {
    if (!(coins = json_array()) || json_object_set_new(req, "coins", coins))
      rc = CP_NOMEM;
    for (size_t i = 0; i < opts->n_coins && !rc; i++)
      if (json_array_append_new(coins, fullnode_coin_json(&opts->coins[i])))
        rc = CP_NOMEM;
  }
  if (!rc && opts->exclude_zero_coins &&
      (!(zero = json_pack("[i]", 0)) ||
       json_object_set_new(req, "excluded_coin_amounts", zero)))
    rc = CP_NOMEM;
  if (!rc && opts->n_excluded) {
    json_t *ex = json_array();
    if (!ex || json_object_set_new(req, "excluded_coin_ids", ex))
      rc = CP_NOMEM;
    for (size_t i = 0; i < opts->n_excluded && !rc; i++)
      if (json_array_append_new(ex, cjson_hex(opts->excluded_coin_ids[i], 32)))
        rc = CP_NOMEM;
  }
  if (!rc)
    rc = node__call_parse(c, "send_transaction_multi", req, "transaction",
                          parse_tx_record_any, out, err);
  json_decref(req);
  return rc;
}

static cp_err announcements_json(const struct node_coin_announcement *a, size_t n,
                                 json_t **out)
{
  json_t *arr = json_array();
  cp_err rc = arr ? CP_OK : CP_NOMEM;

  for (size_t i = 0; i < n && !rc; i++) {
    json_t *o = json_object();
    if (!o || json_array_append_new(arr, o)) {
      rc = CP_NOMEM;
      break;
    }
    if (a[i].message_len > WALLET_MAX_ANN_MSG || (a[i].message_len && !a[i].message))
      rc = CP_INVAL;
    if (!rc)
      rc = cjson_set_hex(o, "coin_id", a[i].coin_id, 32);
    if (!rc)
      rc = cjson_set_hex(o, "message", a[i].message, a[i].message_len);
  }
  if (rc) {
    json_decref(arr);
    arr = NULL;
  }
  *out = arr;
  return rc;
}

/* The signed spend bundle of a create_signed_transaction answer. */
static cp_err signed_bundle(const json_t *resp, struct chia_spend_bundle *out)
{
  const json_t *tx = json_object_get(resp, "signed_tx");
  const json_t *sb;

  if (!node__has(resp, "signed_tx")) {
    const json_t *all = json_object_get(resp, "signed_txs");
    if (!json_is_array(all) || !json_array_size(all))
      return CP_RPC_RESPONSE;
    tx = json_array_get(all, 0);
  }
  sb = json_object_get(tx, "spend_bundle");
  if (!json_is_object(sb))
    return CP_RPC_RESPONSE;
  return chia_spend_bundle_from_json(sb, out) ? CP_RPC_RESPONSE : CP_OK;
}

cp_err wallet_create_signed_transaction(struct node_client *c,
                                        const struct node_signed_tx_opts *opts,
                                        const struct node_payment *pay, size_t n,
                                        struct chia_spend_bundle *out,
                                        struct node_error *err)
{
  static const char ep[] = "create_signed_transaction";
  json_t *req = NULL, *resp = NULL, *adds = NULL, *anns = NULL;
  cp_err rc;

  memset(out, 0, sizeof *out);
  if (!n || n > WALLET_MAX_ADDITIONS ||
      opts->n_coin_announcements > WALLET_MAX_ANNOUNCEMENTS ||
      (opts->n_coin_announcements && !opts->coin_announcements))
    return CP_INVAL;
  rc = node__req(&req);
  if (!rc)
    rc = cjson_set_u64(req, "wallet_id", opts->wallet_id ? opts->wallet_id : 1);
  if (!rc)
    rc = cjson_set_u64(req, "fee", opts->fee);
  if (!rc)
    rc = additions_json(pay, n, &adds);
  if (!rc && json_object_set_new(req, "additions", adds))
    rc = CP_NOMEM;
  if (!rc && opts->n_coin_announcements) {
    rc = announcements_json(opts->coin_announcements, opts->n_coin_announcements, &anns);
    if (!rc && json_object_set_new(req, "coin_announcements", anns))
      rc = CP_NOMEM;
  }
  /* the default already, said anyway: a wallet that pushed would spend
   * its coins in a bundle that cannot land without ours */
  if (!rc)
    rc = cjson_set_bool(req, "push", false);
  if (!rc)
    rc = node_call(c, ep, req, &resp, err);
  if (!rc && signed_bundle(resp, out))
    rc = node__bad(err, ep, "signed_tx.spend_bundle");
  json_decref(req);
  json_decref(resp);
  return rc;
}

void node_tx_records_free(struct node_tx_records *l)
{
  free(l->v);
  l->v = NULL;
  l->n = 0;
}
