#include "sim/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "clvm/clvm.h"
#include "clvm/conditions.h"
#include "crypto/bls.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* AGG_SIG messages are at most 1024 bytes plus a 32+32+9+32 suffix. */
#define MSG_MAX (1024 + 105)

struct spend {
  const struct chia_coin_spend *cs;
  uint8_t id[32];
  struct clvm_conds conds;
  struct sim_coin_record rec;     /* filled by the coin-set pass */
  bool ephemeral;
};

struct check {
  const struct chia_spend_bundle *sb;
  const struct sim_view *view;
  struct spend *sp;
  uint32_t n;
  struct clvm_alloc *a;
  uint64_t cost, max_cost;
  struct chia_coin *adds;
  size_t n_adds;
  const char *why;
};

static cp_err fail(struct check *k, const char *why)
{
  k->why = why;
  return CP_TX_FAILED;
}

/* Serialized size of a coin amount atom in the solution generator. */
static size_t amount_atom_len(uint64_t amount)
{
  uint8_t b[9];
  size_t n = clvm_u64_encode(amount, b);
  if (n == 0 || (n == 1 && b[0] < 0x80))
    return 1;
  return 1 + n;
}

/* chia_rs calculate_generator_length, times cost_per_byte. */
static uint64_t byte_cost(const struct chia_spend_bundle *sb)
{
  uint64_t len = 3;
  for (uint32_t i = 0; i < sb->coin_spends.count; i++) {
    const struct chia_coin_spend *cs = chia_spend_bundle_at(sb, i);
    len += 39 + cs->puzzle_reveal.len + cs->solution.len +
           amount_atom_len(cs->coin.amount);
  }
  return len * SIM_COST_PER_BYTE;
}

static cp_err run_spend(struct check *k, struct spend *s)
{
  const struct chia_coin_spend *cs = s->cs;
  clvm_node puz, sol, res;
  uint8_t h[32];
  uint64_t c = 0;
  cp_err rc;

  if (clvm_deserialize(k->a, cs->puzzle_reveal.data, cs->puzzle_reveal.len, 0, &puz, NULL) ||
      clvm_deserialize(k->a, cs->solution.data, cs->solution.len, 0, &sol, NULL))
    return fail(k, "INVALID_SPEND_BUNDLE");
  clvm_tree_hash(k->a, puz, h);
  if (memcmp(h, cs->coin.puzzle_hash, 32))
    return fail(k, "WRONG_PUZZLE_HASH");
  rc = clvm_run(k->a, puz, sol, k->max_cost - k->cost, CLVM_F_MEMPOOL, &res, &c);
  if (rc == CP_CLVM_COST)
    return fail(k, "BLOCK_COST_EXCEEDS_MAX");
  if (rc == CP_NOMEM)
    return rc;
  if (rc)
    return fail(k, "GENERATOR_RUNTIME_ERROR");
  k->cost += c;
  rc = clvm_conds_parse(k->a, res, CLVM_COND_STRICT, k->max_cost - k->cost, &s->conds);
  if (rc == CP_CLVM_COST)
    return fail(k, "BLOCK_COST_EXCEEDS_MAX");
  if (rc)
    return fail(k, "INVALID_CONDITION");
  k->cost += s->conds.cost;
  return CP_OK;
}

/* Conditions about the spend itself, and the additions it makes. */
static cp_err own_conditions(struct check *k, struct spend *s)
{
  const struct chia_coin *coin = &s->cs->coin;

  for (size_t i = 0; i < s->conds.n; i++) {
    const struct clvm_cond *cd = &s->conds.items[i];
    struct chia_coin *add;
    switch (cd->op) {
    case COND_ASSERT_MY_COIN_ID:
      if (memcmp(cd->hash, s->id, 32))
        return fail(k, "ASSERT_MY_COIN_ID_FAILED");
      break;
    case COND_ASSERT_MY_PARENT_ID:
      if (memcmp(cd->hash, coin->parent_coin_info, 32))
        return fail(k, "ASSERT_MY_PARENT_ID_FAILED");
      break;
    case COND_ASSERT_MY_PUZZLEHASH:
      if (memcmp(cd->hash, coin->puzzle_hash, 32))
        return fail(k, "ASSERT_MY_PUZZLEHASH_FAILED");
      break;
    case COND_ASSERT_MY_AMOUNT:
      if (cd->value != coin->amount)
        return fail(k, "ASSERT_MY_AMOUNT_FAILED");
      break;
    case COND_SEND_MESSAGE: case COND_RECEIVE_MESSAGE:
      return fail(k, "MESSAGE_NOT_SENT_OR_RECEIVED");
    case COND_CREATE_COIN:
      k->adds = xrealloc(k->adds, (k->n_adds + 1) * sizeof *k->adds);
      add = &k->adds[k->n_adds++];
      memcpy(add->parent_coin_info, s->id, 32);
      memcpy(add->puzzle_hash, cd->hash, 32);
      add->amount = cd->value;
      break;
    default:
      break;
    }
  }
  return CP_OK;
}

static bool has_ann(struct check *k, uint16_t create_op, const uint8_t want[32])
{
  uint8_t id[32];
  for (uint32_t i = 0; i < k->n; i++) {
    const struct spend *s = &k->sp[i];
    for (size_t j = 0; j < s->conds.n; j++) {
      const struct clvm_cond *cd = &s->conds.items[j];
      if (cd->op != create_op)
        continue;
      clvm_announcement_id(create_op == COND_CREATE_COIN_ANNOUNCEMENT ? s->id
                                                                      : s->cs->coin.puzzle_hash,
                           cd->msg, cd->msg_len, id);
      if (!memcmp(id, want, 32))
        return true;
    }
  }
  return false;
}

/* Checks across the bundle: announcements, concurrent spends, amounts. */
static cp_err bundle_conditions(struct check *k, uint64_t *fee)
{
  chia_u128 in = 0, out = 0, reserve = 0;

  for (uint32_t i = 0; i < k->n; i++) {
    const struct spend *s = &k->sp[i];
    in += s->cs->coin.amount;
    out += s->conds.created;
    reserve += s->conds.reserve_fee;
    for (size_t j = 0; j < s->conds.n; j++) {
      const struct clvm_cond *cd = &s->conds.items[j];
      bool ok = true;
      if (cd->op == COND_ASSERT_COIN_ANNOUNCEMENT)
        ok = has_ann(k, COND_CREATE_COIN_ANNOUNCEMENT, cd->hash);
      else if (cd->op == COND_ASSERT_PUZZLE_ANNOUNCEMENT)
        ok = has_ann(k, COND_CREATE_PUZZLE_ANNOUNCEMENT, cd->hash);
      if (!ok)
        return fail(k, "ASSERT_ANNOUNCE_CONSUMED_FAILED");
      if (cd->op == COND_ASSERT_CONCURRENT_SPEND || cd->op == COND_ASSERT_CONCURRENT_PUZZLE) {
        ok = false;
        for (uint32_t m = 0; m < k->n && !ok; m++)
          ok = !memcmp(cd->hash, cd->op == COND_ASSERT_CONCURRENT_SPEND
                                     ? k->sp[m].id : k->sp[m].cs->coin.puzzle_hash, 32);
        if (!ok)
          return fail(k, cd->op == COND_ASSERT_CONCURRENT_SPEND
                             ? "ASSERT_CONCURRENT_SPEND_FAILED"
                             : "ASSERT_CONCURRENT_PUZZLE_FAILED");
      }
    }
  }
  if (out > in)
    return fail(k, "MINTING_COIN");
  if (in - out < reserve)
    return fail(k, "RESERVE_FEE_CONDITION_FAILED");
  if (in - out > UINT64_MAX)
    return fail(k, "INVALID_BLOCK_FEE_AMOUNT");
  *fee = (uint64_t)(in - out);
  return CP_OK;
}

/* Each removal exists unspent, or is created by this bundle. */
static cp_err coin_set(struct check *k)
{
  for (uint32_t i = 0; i < k->n; i++) {
    struct spend *s = &k->sp[i];
    cp_err rc = k->view->coin(k->view->ctx, s->id, &s->rec);
    if (rc == CP_NOT_FOUND) {
      for (size_t j = 0; j < k->n_adds && !s->ephemeral; j++) {
        uint8_t id[32];
        coin_id(&k->adds[j], id);
        s->ephemeral = !memcmp(id, s->id, 32);
      }
      if (!s->ephemeral)
        return fail(k, "UNKNOWN_UNSPENT");
      memset(&s->rec, 0, sizeof s->rec);
      s->rec.coin = s->cs->coin;
      s->rec.confirmed_height = k->view->peak_height + 1;
      s->rec.timestamp = k->view->peak_timestamp;
      continue;
    }
    if (rc)
      return rc;
    if (s->rec.spent_height)
      return fail(k, "DOUBLE_SPEND");
  }
  return CP_OK;
}

static bool is_relative(uint16_t op)
{
  return op == COND_ASSERT_SECONDS_RELATIVE || op == COND_ASSERT_HEIGHT_RELATIVE ||
         op == COND_ASSERT_BEFORE_SECONDS_RELATIVE ||
         op == COND_ASSERT_BEFORE_HEIGHT_RELATIVE || op == COND_ASSERT_MY_BIRTH_HEIGHT ||
         op == COND_ASSERT_MY_BIRTH_SECONDS;
}

/* chia_rs check_time_locks against the peak (the previous transaction
 * block of the block the bundle would go into). */
static cp_err time_locks(struct check *k)
{
  uint64_t h = k->view->peak_height, t = k->view->peak_timestamp;

  for (uint32_t i = 0; i < k->n; i++) {
    const struct spend *s = &k->sp[i];
    uint64_t ch = s->rec.confirmed_height, ct = s->rec.timestamp;
    for (size_t j = 0; j < s->conds.n; j++) {
      const struct clvm_cond *cd = &s->conds.items[j];
      uint64_t v = cd->value;
      if (cd->op == COND_ASSERT_EPHEMERAL && !s->ephemeral)
        return fail(k, "ASSERT_EPHEMERAL_FAILED");
      if (s->ephemeral && is_relative(cd->op))
        return fail(k, "EPHEMERAL_RELATIVE_CONDITION");
      if (cd->dropped)
        continue;
      switch (cd->op) {
      case COND_ASSERT_HEIGHT_ABSOLUTE:
        if (h < v)
          return fail(k, "ASSERT_HEIGHT_ABSOLUTE_FAILED");
        break;
      case COND_ASSERT_HEIGHT_RELATIVE:
        if (h < ch + v)
          return fail(k, "ASSERT_HEIGHT_RELATIVE_FAILED");
        break;
      case COND_ASSERT_SECONDS_ABSOLUTE:
        if (t < v)
          return fail(k, "ASSERT_SECONDS_ABSOLUTE_FAILED");
        break;
      case COND_ASSERT_SECONDS_RELATIVE:
        if (v > UINT64_MAX - ct || t < ct + v)
          return fail(k, "ASSERT_SECONDS_RELATIVE_FAILED");
        break;
      case COND_ASSERT_BEFORE_HEIGHT_ABSOLUTE:
        if (h >= v)
          return fail(k, "ASSERT_BEFORE_HEIGHT_ABSOLUTE_FAILED");
        break;
      case COND_ASSERT_BEFORE_HEIGHT_RELATIVE:
        if (h >= ch + v)
          return fail(k, "ASSERT_BEFORE_HEIGHT_RELATIVE_FAILED");
        break;
      case COND_ASSERT_BEFORE_SECONDS_ABSOLUTE:
        if (t >= v)
          return fail(k, "ASSERT_BEFORE_SECONDS_ABSOLUTE_FAILED");
        break;
      case COND_ASSERT_BEFORE_SECONDS_RELATIVE:
        if (v <= UINT64_MAX - ct && t >= ct + v)
          return fail(k, "ASSERT_BEFORE_SECONDS_RELATIVE_FAILED");
        break;
      case COND_ASSERT_MY_BIRTH_HEIGHT:
        if (ch != v)
          return fail(k, "ASSERT_MY_BIRTH_HEIGHT_FAILED");
        break;
      case COND_ASSERT_MY_BIRTH_SECONDS:
        if (ct != v)
          return fail(k, "ASSERT_MY_BIRTH_SECONDS_FAILED");
        break;
      default:
        break;
      }
    }
  }
  return CP_OK;
}

/* AGG_SIG_UNSAFE may not sign a message ending in any additional data. */
static bool unsafe_msg_ok(const struct chia_consts *net, const struct clvm_cond *cd)
{
  static const enum chia_agg_sig ops[] = {
    CHIA_AGG_SIG_PARENT, CHIA_AGG_SIG_PUZZLE, CHIA_AGG_SIG_AMOUNT,
    CHIA_AGG_SIG_PUZZLE_AMOUNT, CHIA_AGG_SIG_PARENT_AMOUNT,
    CHIA_AGG_SIG_PARENT_PUZZLE, CHIA_AGG_SIG_ME
  };
  uint8_t d[32];

  if (cd->msg_len < 32)
    return true;
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (consts_agg_sig_data(net, ops[i], d))
      return false;
    if (!memcmp(cd->msg + cd->msg_len - 32, d, 32))
      return false;
  }
  return true;
}

static cp_err signature(struct check *k)
{
  const struct chia_consts *net = k->view->net;
  struct bls_pk *pks = NULL;
  struct bls_pair *pairs = NULL;
  size_t *offs = NULL, *lens = NULL, n = 0, cap = 0;
  struct bls_sig sig;
  struct buf msgs;
  cp_err rc = CP_OK;

  buf_init(&msgs, (size_t)64 << 20);
  for (uint32_t i = 0; i < k->n && !rc; i++) {
    const struct spend *s = &k->sp[i];
    const struct chia_coin *coin = &s->cs->coin;
    for (size_t j = 0; j < s->conds.n && !rc; j++) {
      const struct clvm_cond *cd = &s->conds.items[j];
      size_t before = msgs.len;
      if (cd->op < COND_AGG_SIG_PARENT || cd->op > COND_AGG_SIG_ME)
        continue;
      if (cd->op == COND_AGG_SIG_UNSAFE && !unsafe_msg_ok(net, cd)) {
        rc = fail(k, "INVALID_CONDITION");
        break;
      }
      if (n == cap) {
        cap = cap ? 2 * cap : 8;
        pks = xrealloc(pks, cap * sizeof *pks);
        offs = xrealloc(offs, cap * sizeof *offs);
        lens = xrealloc(lens, cap * sizeof *lens);
      }
      if (bls_pk_decode(&pks[n], cd->pk, sizeof cd->pk) || bls_pk_is_infinity(&pks[n])) {
        rc = fail(k, "INVALID_CONDITION");
        break;
      }
      if (cd->op == COND_AGG_SIG_UNSAFE)
        rc = buf_append(&msgs, cd->msg, cd->msg_len);
      else
        rc = clvm_cond_agg_sig_msg(cd, coin->parent_coin_info, coin->puzzle_hash,
                                   coin->amount, net->agg_sig_me_additional_data, &msgs);
      offs[n] = before;
      lens[n] = msgs.len - before;
      n++;
    }
  }
  if (rc)
    goto out;
  if (bls_sig_decode(&sig, k->sb->aggregated_signature, CHIA_G2_LEN)) {
    rc = fail(k, "BAD_AGGREGATE_SIGNATURE");
    goto out;
  }
  pairs = xcalloc(n ? n : 1, sizeof *pairs);
  for (size_t i = 0; i < n; i++) {
    pairs[i].pk = &pks[i];
    pairs[i].msg = msgs.data + offs[i];
    pairs[i].len = lens[i];
  }
  rc = bls_aggregate_verify(pairs, n, &sig);
  if (rc == CP_VERIFY_FAILED)
    rc = fail(k, "BAD_AGGREGATE_SIGNATURE");
out:
  free(pairs);
  free(pks);
  free(offs);
  free(lens);
  buf_release(&msgs);
  return rc;
}

static cp_err copy_bundle(const struct chia_spend_bundle *in, struct chia_spend_bundle *out)
{
  struct buf b;
  cp_err rc;

  buf_init(&b, ST_WRITE_MAX);
  rc = chia_spend_bundle_write(in, &b);
  if (!rc)
    rc = chia_spend_bundle_parse(b.data, b.len, out);
  buf_release(&b);
  return rc;
}

cp_err sim_tx_check(const struct chia_spend_bundle *sb, const struct sim_view *view,
                    struct sim_tx *tx, const char **why)
{
  struct check k;
  uint64_t fee = 0;
  cp_err rc = CP_OK;

  memset(tx, 0, sizeof *tx);
  memset(&k, 0, sizeof k);
  k.sb = sb;
  k.view = view;
  k.n = sb->coin_spends.count;
  k.max_cost = view->net->max_block_cost_clvm / 2;
  if (k.n == 0 || k.n > SIM_MAX_SPENDS) {
    rc = fail(&k, "INVALID_SPEND_BUNDLE");
    goto out;
  }
  k.cost = byte_cost(sb);
  if (k.cost > k.max_cost) {
    rc = fail(&k, "BLOCK_COST_EXCEEDS_MAX");
    goto out;
  }
  k.a = clvm_alloc_new(0);
  if (!k.a) {
    rc = CP_NOMEM;
    goto out;
  }
  k.sp = xcalloc(k.n, sizeof *k.sp);
  for (uint32_t i = 0; i < k.n; i++) {
    k.sp[i].cs = chia_spend_bundle_at(sb, i);
    clvm_conds_init(&k.sp[i].conds);
  }
  for (uint32_t i = 0; i < k.n && !rc; i++) {
    struct spend *s = &k.sp[i];
    coin_id(&s->cs->coin, s->id);
    for (uint32_t j = 0; j < i; j++)
      if (!memcmp(k.sp[j].id, s->id, 32))
        rc = fail(&k, "DOUBLE_SPEND");
    if (!rc)
      rc = run_spend(&k, s);
    if (!rc)
      rc = own_conditions(&k, s);
  }
  /* chia's order: conditions and signature (pre_validate_spendbundle),
   * then the coin records, then the time locks against them */
  if (!rc)
    rc = bundle_conditions(&k, &fee);
  if (!rc)
    rc = signature(&k);
  if (!rc)
    rc = coin_set(&k);
  if (!rc)
    rc = time_locks(&k);
  if (!rc)
    rc = chia_spend_bundle_hash(sb, tx->name);
  if (!rc)
    rc = copy_bundle(sb, &tx->sb);
  if (rc)
    goto out;
  tx->cost = k.cost;
  tx->fee = fee;
  tx->additions = k.adds;
  tx->n_additions = k.n_adds;
  k.adds = NULL;
  tx->removals = xmalloc(k.n * sizeof *tx->removals);
  for (uint32_t i = 0; i < k.n; i++)
    memcpy(tx->removals[i], k.sp[i].id, 32);
  tx->n_removals = k.n;
out:
  for (uint32_t i = 0; k.sp && i < k.n; i++)
    clvm_conds_release(&k.sp[i].conds);
  free(k.sp);
  free(k.adds);
  if (k.a)
    clvm_alloc_free(k.a);
  *why = rc == CP_TX_FAILED ? k.why : NULL;
  if (rc)
    sim_tx_release(tx);
  return rc;
}

void sim_tx_release(struct sim_tx *tx)
{
  chia_spend_bundle_release(&tx->sb);
  free(tx->additions);
  free(tx->removals);
  tx->additions = NULL;
  tx->removals = NULL;
  tx->n_additions = tx->n_removals = 0;
}

int sim_tx_conflicts(const struct sim_tx *a, const struct sim_tx *b)
{
  for (size_t i = 0; i < a->n_removals; i++)
    for (size_t j = 0; j < b->n_removals; j++)
      if (!memcmp(a->removals[i], b->removals[j], 32))
        return 1;
  return 0;
}
