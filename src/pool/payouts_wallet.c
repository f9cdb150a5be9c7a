/* The payout engine's wallet port on the real wallet RPC (node/wallet.h).
 *
 * Idempotency: every output carries the batch's key as its memo, so the
 * key is on chain and in the wallet's transaction records; find() scans the
 * newest records' "memos" for it. The wallet has no "failed" state for an
 * outgoing transaction, so status() reports pending until it confirms;
 * an operator settles a stuck batch with `chiapool payouts retry`. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "pool/payouts.h"
#include "util/hex.h"
#include "util/log.h"

struct wallet_port {
  struct node_client *c;
  uint32_t wallet_id;
};

/* One port per process is all the server needs; the struct is tiny and
 * this keeps payout_wallet_from_node allocation-free. */
static struct wallet_port the_port;

static cp_err wp_send(void *ctx, const struct node_payment *pay, size_t n,
                      uint64_t fee, const char *key, uint8_t tx_id[32])
{
  struct wallet_port *w = ctx;
  struct node_send_opts o = { .wallet_id = w->wallet_id, .fee = fee,
                              .exclude_zero_coins = true };
  struct node_tx_record rec;
  struct node_error err;
  cp_err rc;

  (void)key; /* already the memo of every payment */
  rc = wallet_send_transaction_multi(w->c, &o, pay, n, &rec, &err);
  if (rc == CP_RPC_ERROR)
    return CP_TX_FAILED; /* the wallet answered no: nothing was sent */
  if (rc)
    return rc;
  memcpy(tx_id, rec.name, 32);
  return CP_OK;
}

/* Does any string under j (bounded depth) equal the hex of key? */
static int memo_has(const json_t *j, const char *hexkey, int depth)
{
  if (depth > 4 || !j)
    return 0;
  if (json_is_string(j)) {
    const char *s = json_string_value(j);
    size_t n = json_string_length(j), k = strlen(hexkey);
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
      s += 2, n -= 2;
    if (n != k)
      return 0;
    for (size_t i = 0; i < n; i++)
      if (tolower((unsigned char)s[i]) != hexkey[i])
        return 0;
    return 1;
  }
  if (json_is_array(j)) {
    for (size_t i = 0; i < json_array_size(j); i++)
      if (memo_has(json_array_get(j, i), hexkey, depth + 1))
        return 1;
    return 0;
  }
  if (json_is_object(j)) {
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)j, k, v)
      if (memo_has(v, hexkey, depth + 1))
        return 1;
  }
  return 0;
}

static cp_err wp_find(void *ctx, const char *key, uint8_t tx_id[32])
{
  struct wallet_port *w = ctx;
  char hexkey[2 * STORE_KEY_MAX + 1];
  json_t *req = json_object(), *resp = NULL;
  const json_t *arr;
  size_t klen = strnlen(key, STORE_KEY_MAX + 1);
  cp_err rc = CP_NOT_FOUND;

  if (!req)
    return CP_NOMEM;
  if (klen > STORE_KEY_MAX) {
    rc = CP_INVAL;
    goto out;
  }
  hex_encode(hexkey, (const uint8_t *)key, klen);
  if (cjson_set_u64(req, "wallet_id", w->wallet_id ? w->wallet_id : 1) ||
      cjson_set_u64(req, "start", 0) ||
      cjson_set_u64(req, "end", WALLET_MAX_TXS) ||
      cjson_set_bool(req, "reverse", true)) {
    rc = CP_NOMEM;
    goto out;
  }
  rc = node_call(w->c, "get_transactions", req, &resp, NULL);
  if (rc)
    goto out;
  arr = json_object_get(resp, "transactions");
  if (!json_is_array(arr)) {
    rc = CP_RPC_RESPONSE;
    goto out;
  }
  rc = CP_NOT_FOUND;
  for (size_t i = 0; i < json_array_size(arr) && i < WALLET_MAX_TXS; i++) {
    const json_t *t = json_array_get(arr, i);
    if (!memo_has(json_object_get(t, "memos"), hexkey, 0))
      continue;
    rc = cjson_get_hex(t, "name", tx_id, 32);
    break;
  }
out:
  json_decref(req);
  json_decref(resp);
  return rc;
}

static cp_err wp_status(void *ctx, const uint8_t tx_id[32],
                        enum payout_tx_state *st, uint32_t *height)
{
  struct wallet_port *w = ctx;
  struct node_tx_record rec;
  cp_err rc = wallet_get_transaction(w->c, tx_id, &rec, NULL);
  if (rc)
    return rc;
  *st = rec.confirmed ? PAYOUT_TX_CONFIRMED : PAYOUT_TX_PENDING;
  *height = rec.confirmed_at_height;
  return CP_OK;
}

static cp_err wp_balance(void *ctx, uint64_t *spendable)
{
  struct wallet_port *w = ctx;
  struct node_wallet_balance b;
  cp_err rc = wallet_get_wallet_balance(w->c, w->wallet_id ? w->wallet_id : 1,
                                        &b, NULL);
  if (!rc)
    *spendable = b.spendable_balance;
  return rc;
}

static const struct payout_wallet_ops wp_ops = {
  .send = wp_send,
  .find = wp_find,
  .status = wp_status,
  .balance = wp_balance,
};

void payout_wallet_from_node(struct payout_wallet *out, struct node_client *wallet,
                             uint32_t wallet_id)
{
  the_port.c = wallet;
  the_port.wallet_id = wallet_id;
  out->ops = &wp_ops;
  out->ctx = &the_port;
}
