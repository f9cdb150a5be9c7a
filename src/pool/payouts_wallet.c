/* The payout engine's wallet port on the real wallet RPC (node/wallet.h).
 *
 * Idempotency: every output carries the batch's key as its memo, so the
 * key is on chain and in the wallet's transaction records; find() scans the
 * newest records' "memos" for it.
 *
 * Status. The wallet has no "failed" state for an outgoing transaction,
 * and its "confirmed" means only that one of the removals was spent (by
 * anyone: a double spend confirms too), so status() asks the chain (rules
 * in payouts.h). The mempool errors a record's sent_to may carry (e.g.
 * DOUBLE_SPEND) are not used: a conflict with a bundle that is itself
 * still pending proves nothing. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "chia/coin.h"
#include "pool/payouts.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"

#define TX_TYPE_OUTGOING 1 /* chia TransactionType.OUTGOING_TX */

struct wallet_port {
  struct node_client *c;
  uint32_t wallet_id;
  struct chain chain;
  uint32_t threshold;
  struct coinhold *hold;
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

  uint8_t (*held)[32] = NULL;
  size_t n_held = 0;

  rc = coinhold_list(w->hold, clock_unix_s(), &held, &n_held);
  if (rc)
    return rc;
  o.excluded_coin_ids = (const uint8_t (*)[32])held;
  o.n_excluded = n_held;
  rc = wallet_send_transaction_multi(w->c, &o, pay, n, &rec, &err);
  free(held);
  if (rc == CP_RPC_ERROR) {
    /* the wallet answered no: nothing was sent; say why, the engine only
     * sees the refusal */
    char why[320];
    node_error_format(&err, why, sizeof why);
    log_warn("payouts", "wallet_refused", "key=%s outputs=%zu fee=%llu why=\"%s\"", key ? key : "", n,
             (unsigned long long)fee, why);
    return CP_TX_FAILED;
  }
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
  size_t klen = strnlen(key, STORE_KEY_MAX + 1), outgoing = 0, with_memos = 0;
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
    const json_t *t = json_array_get(arr, i), *m = json_object_get(t, "memos");
    uint64_t type;
    if (!cjson_get_u64(t, "type", UINT32_MAX, &type) && type == TX_TYPE_OUTGOING)
      outgoing++;
    if (json_object_size(m) || json_array_size(m))
      with_memos++;
    if (!memo_has(m, hexkey, 0))
      continue;
    rc = cjson_get_hex(t, "name", tx_id, 32);
    break;
  }
  /* Outgoing transactions shown without a single memo: this wallet does not
   * report memos, so it cannot say a key was never sent, and "not found"
   * would pay the batch a second time after a crash (the engine holds it
   * for the operator instead). */
  if (rc == CP_NOT_FOUND && outgoing && !with_memos)
    rc = CP_UNSUPPORTED;
out:
  json_decref(req);
  json_decref(resp);
  return rc;
}

static void node_coin_id(const struct node_coin *c, uint8_t id[32])
{
  struct chia_coin cc;
  fullnode_coin_to_chia(c, &cc);
  coin_id(&cc, id);
}

/* Height at which the first spent removal was spent, 0 if none is. A
 * removal the node does not know (a reorg took its creation away) is no
 * evidence either way. */
static cp_err removal_spent_at(struct wallet_port *w, const struct node_tx_coins *tc,
                               uint32_t *height)
{
  *height = 0;
  for (size_t i = 0; i < tc->n_removals; i++) {
    struct node_coin_record r;
    uint8_t id[32];
    cp_err rc;
    node_coin_id(&tc->removals[i], id);
    rc = w->chain.ops->coin_record(w->chain.ctx, id, &r);
    if (rc == CP_NOT_FOUND)
      continue;
    if (rc)
      return rc;
    if (r.spent_block_index) {
      *height = r.spent_block_index;
      return CP_OK;
    }
  }
  return CP_OK;
}

/* How many of the additions exist on chain (spent or not). */
static cp_err additions_on_chain(struct wallet_port *w, const struct node_tx_coins *tc,
                                 size_t *found)
{
  *found = 0;
  for (size_t i = 0; i < tc->n_additions; i++) {
    struct node_coin_record r;
    uint8_t id[32];
    cp_err rc;
    node_coin_id(&tc->additions[i], id);
    rc = w->chain.ops->coin_record(w->chain.ctx, id, &r);
    if (rc == CP_NOT_FOUND)
      continue;
    if (rc)
      return rc;
    (*found)++;
  }
  return CP_OK;
}

static cp_err wp_status(void *ctx, const uint8_t tx_id[32],
                        enum payout_tx_state *st, uint32_t *height)
{
  struct wallet_port *w = ctx;
  struct node_tx_record rec;
  struct node_tx_coins tc;
  struct node_blockchain_state bs;
  struct node_error e;
  uint32_t spent_at;
  size_t found;
  char hex[65];
  cp_err rc;

  *st = PAYOUT_TX_PENDING;
  *height = 0;
  hex_encode(hex, tx_id, 32);
  rc = wallet_get_transaction_coins(w->c, tx_id, &rec, &tc, &e);
  if (rc == CP_RPC_ERROR && strstr(e.message, "Transaction ") &&
      strstr(e.message, " not found")) {
    /* Forgotten (deleted unconfirmed, wallet resynced): without its
     * removals nothing proves it cannot land, so it stays pending rather
     * than blocking later rounds with an error. */
    log_warn("payouts", "tx_unknown_to_wallet", "tx=%s", hex);
    return CP_OK;
  }
  if (rc)
    return rc;
  if (!tc.n_removals || !tc.n_additions) {
    /* nothing of it to look for on chain: only the wallet can say */
    *st = rec.confirmed ? PAYOUT_TX_CONFIRMED : PAYOUT_TX_PENDING;
    *height = rec.confirmed_at_height;
    goto out;
  }
  /* If it landed, every removal is spent at one height and every addition
   * exists; removals first, so a block arriving between the two looks
   * confirmed rather than failed. */
  rc = removal_spent_at(w, &tc, &spent_at);
  if (rc || !spent_at)
    goto out;
  rc = additions_on_chain(w, &tc, &found);
  if (rc)
    goto out;
  if (found == tc.n_additions) {
    /* Settled only once buried, as the reference pool waits (peak -
     * confirmed height > confirmation_security_threshold): a confirmed
     * batch is final, and a shallow reorg may still take it out. */
    rc = w->chain.ops->state(w->chain.ctx, &bs);
    if (!rc && bs.has_peak && (uint64_t)spent_at + w->threshold < bs.peak.height) {
      *st = PAYOUT_TX_CONFIRMED;
      *height = spent_at;
    }
    goto out;
  }
  /* Some additions but not all: another spend made some of the same
   * coins, so some members may hold their payment; only the operator can
   * sort that out. */
  if (found) {
    log_warn("payouts", "tx_partly_on_chain", "tx=%s additions=%zu found=%zu", hex,
             tc.n_additions, found);
    goto out;
  }
  rc = w->chain.ops->state(w->chain.ctx, &bs);
  if (rc || !bs.has_peak)
    goto out;
  /* Buried like the rewards we absorb: a reorg deeper than this could
   * undo the other spend, and the rest of the pool assumes none. */
  if ((uint64_t)spent_at + w->threshold <= bs.peak.height) {
    log_warn("payouts", "tx_double_spent", "tx=%s removal_spent_at=%u peak=%u", hex,
             (unsigned)spent_at, (unsigned)bs.peak.height);
    *st = PAYOUT_TX_FAILED;
  }
out:
  node_tx_coins_release(&tc);
  return rc;
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
                             uint32_t wallet_id, const struct chain *chain,
                             uint32_t confirm_threshold)
{
  the_port.c = wallet;
  the_port.wallet_id = wallet_id;
  the_port.chain = *chain;
  the_port.threshold = confirm_threshold;
  the_port.hold = NULL;
  out->ops = &wp_ops;
  out->ctx = &the_port;
}

void payout_wallet_hold_coins(struct payout_wallet *w, struct coinhold *hold)
{
  struct wallet_port *p = w->ctx;
  p->hold = hold;
}
