/* Condition list parsing with chia_rs' sanitising rules and costs. */
#include "clvm/conditions.h"

#include <stdlib.h>
#include <string.h>

#include "blst.h"
#include "clvm/clvm_int.h"
#include "crypto/sha256.h"
#include "util/xalloc.h"

#define MAX_MSG 1024

/* streaming API: the one-shot sha256() refetches the digest in OpenSSL 3 */
static void hash(uint8_t out[32], const void *p, size_t n)
{
  struct sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, p, n);
  sha256_final(&c, out);
}
#define MAX_ANNOUNCEMENTS 1024
#define CC_CREATE_COIN_COST 1350000u
#define CC_MESSAGE_COST 700u
#define CC_GENERIC_COST 200u

void clvm_conds_init(struct clvm_conds *c)
{
  memset(c, 0, sizeof *c);
}

void clvm_conds_release(struct clvm_conds *c)
{
  free(c->items);
  memset(c, 0, sizeof *c);
}

uint64_t clvm_cond_unknown_cost(uint32_t op)
{
  /* 100 * (17/16)^idx kept as a fraction; both halves are rescaled by the
   * same shift when the numerator grows large, and each value is cut
   * (not rounded) to three significant digits, as chia_rs does. */
  uint64_t num = 100, den = 1, v = 0;
  uint32_t idx;
  if (op < 256 || op > 0xffff)
    return 0;
  idx = op & 0xff;
  for (uint32_t i = 0; i <= idx; i++) {
    uint64_t p10 = 1000;
    v = num / den;
    while (p10 < v)
      p10 *= 10;
    p10 /= 1000;
    v = v / p10 * p10;
    num *= 17;
    den *= 16;
    while (num > (1ull << 59)) {
      num >>= 5;
      den >>= 5;
    }
  }
  return v;
}

void clvm_announcement_id(const uint8_t who[32], const uint8_t *msg, size_t n,
                          uint8_t out[32])
{
  struct sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, who, 32);
  if (n)
    sha256_update(&c, msg, n);
  sha256_final(&c, out);
}

enum { SAN_OK, SAN_NEG, SAN_BIG, SAN_BAD };

/* chia_rs sanitize_uint: nil = 0, top bit = negative, one leading 00 only
 * when needed, then at most `size` bytes. */
static int san_uint(const struct clvm_alloc *a, clvm_node n, size_t size, uint64_t *v)
{
  const uint8_t *p;
  size_t len;
  uint64_t x = 0;
  if (clvm_is_pair(n))
    return SAN_BAD;
  p = clvm_atom(a, n, &len);
  *v = 0;
  if (!len)
    return SAN_OK;
  if (p[0] & 0x80)
    return SAN_NEG;
  if (p[0] == 0) {
    if (len == 1 || !(p[1] & 0x80))
      return SAN_BAD;
    p++;
    len--;
  }
  if (len > size)
    return SAN_BIG;
  for (size_t i = 0; i < len; i++)
    x = x << 8 | p[i];
  *v = x;
  return SAN_OK;
}

struct pc {
  const struct clvm_alloc *a;
  clvm_node args;
  unsigned flags;
};

/* Next argument; CP_CLVM_COND if the list has ended. */
static cp_err arg(struct pc *c, clvm_node *out)
{
  if (!clvm_is_pair(c->args))
    return CP_CLVM_COND;
  *out = clvm_first(c->a, c->args);
  c->args = clvm_rest(c->a, c->args);
  return CP_OK;
}

/* In strict mode nothing may follow the expected arguments. */
static cp_err args_end(struct pc *c)
{
  if ((c->flags & CLVM_COND_STRICT) && !clvm_is_nil(c->a, c->args))
    return CP_CLVM_COND;
  return CP_OK;
}

static cp_err hash_arg(struct pc *c, uint8_t out[32])
{
  clvm_node n;
  const uint8_t *p;
  size_t len;
  cp_err rc = arg(c, &n);
  if (rc)
    return rc;
  p = clvm_atom(c->a, n, &len);
  if (!p || len != 32)
    return CP_CLVM_COND;
  memcpy(out, p, 32);
  return CP_OK;
}

static cp_err msg_arg(struct pc *c, const uint8_t **msg, size_t *len)
{
  clvm_node n;
  cp_err rc = arg(c, &n);
  if (rc)
    return rc;
  *msg = clvm_atom(c->a, n, len);
  if (!*msg || *len > MAX_MSG)
    return CP_CLVM_COND;
  return CP_OK;
}

/* A u64/u32 argument where both negative and too large fail. */
static cp_err uint_arg(struct pc *c, size_t size, uint64_t *v)
{
  clvm_node n;
  cp_err rc = arg(c, &n);
  if (rc)
    return rc;
  return san_uint(c->a, n, size, v) == SAN_OK ? CP_OK : CP_CLVM_COND;
}

static cp_err pk_arg(struct pc *c, uint8_t out[48])
{
  clvm_node n;
  const uint8_t *p;
  size_t len;
  blst_p1_affine aff;
  cp_err rc = arg(c, &n);
  if (rc)
    return rc;
  p = clvm_atom(c->a, n, &len);
  if (!p || len != 48)
    return CP_CLVM_COND;
  if (blst_p1_uncompress(&aff, p) != BLST_SUCCESS || !blst_p1_affine_in_g1(&aff) ||
      blst_p1_affine_is_inf(&aff))
    return CP_CLVM_COND;
  memcpy(out, p, 48);
  return CP_OK;
}

/* Time asserts: "after" kinds are true when negative, "before" kinds when
 * too large; the other extreme fails. */
static cp_err time_arg(struct pc *c, size_t size, int before, struct clvm_cond *out)
{
  clvm_node n;
  cp_err rc = arg(c, &n);
  int s;
  if (rc)
    return rc;
  s = san_uint(c->a, n, size, &out->value);
  if (s == SAN_BAD || s == (before ? SAN_NEG : SAN_BIG))
    return CP_CLVM_COND;
  out->dropped = s != SAN_OK;
  return CP_OK;
}

static cp_err message_args(struct pc *c, int send, struct clvm_cond *out)
{
  clvm_node n;
  const uint8_t *p;
  size_t len;
  unsigned spec;
  uint8_t h[32];
  uint64_t amt;
  cp_err rc = arg(c, &n);
  if (rc)
    return rc;
  p = clvm_atom(c->a, n, &len);
  if (!p || !clvm_int_is_canonical(p, len) || len > 1 || (len && (p[0] & 0xc0)))
    return CP_CLVM_COND;
  out->value = len ? p[0] : 0;
  if ((rc = msg_arg(c, &out->msg, &out->msg_len)))
    return rc;
  /* the other side's commitment: receiver bits for SEND, sender for RECEIVE */
  spec = send ? (out->value & 7) : (out->value >> 3 & 7);
  out->memos = c->args;
  if (spec == 7)
    return hash_arg(c, out->hash);
  if ((spec & 4) && (rc = hash_arg(c, h)))
    return rc;
  if ((spec & 2) && (rc = hash_arg(c, h)))
    return rc;
  if ((spec & 1) && (rc = arg(c, &n)))
    return rc;
  if ((spec & 1) && san_uint(c->a, n, 8, &amt) != SAN_OK)
    return CP_CLVM_COND;
  return CP_OK;
}

static int is_known(uint32_t op)
{
  return op == 1 || (op >= 43 && op <= 52) || (op >= 60 && op <= 67) ||
         (op >= 70 && op <= 76) || (op >= 80 && op <= 87) || op == 90;
}

static cp_err add_cost(struct clvm_conds *out, uint64_t c, uint64_t max)
{
  if (c > max - out->cost)
    return CP_CLVM_COST;
  out->cost += c;
  return CP_OK;
}

static cp_err parse_one(struct pc *c, uint32_t op, struct clvm_cond *cd,
                        struct clvm_conds *out)
{
  cp_err rc;
  clvm_node n;
  switch (op) {
  case COND_REMARK:
    return CP_OK; /* arguments ignored even in strict mode */
  case COND_AGG_SIG_PARENT: case COND_AGG_SIG_PUZZLE: case COND_AGG_SIG_AMOUNT:
  case COND_AGG_SIG_PUZZLE_AMOUNT: case COND_AGG_SIG_PARENT_AMOUNT:
  case COND_AGG_SIG_PARENT_PUZZLE: case COND_AGG_SIG_UNSAFE: case COND_AGG_SIG_ME:
    if ((rc = pk_arg(c, cd->pk)) || (rc = msg_arg(c, &cd->msg, &cd->msg_len)))
      return rc;
    return args_end(c);
  case COND_CREATE_COIN:
    if ((rc = hash_arg(c, cd->hash)) || (rc = arg(c, &n)))
      return rc;
    if (san_uint(c->a, n, 8, &cd->value) != SAN_OK)
      return CP_CLVM_COND;
    cd->memos = CLVM_NIL;
    if (clvm_is_pair(c->args)) {
      cd->memos = clvm_first(c->a, c->args);
      c->args = clvm_rest(c->a, c->args);
      if (clvm_is_pair(cd->memos)) {
        size_t len;
        const uint8_t *p = clvm_atom(c->a, clvm_first(c->a, cd->memos), &len);
        if (p && len <= 32) {
          if (len)
            memcpy(cd->hint, p, len);
          cd->hint_len = len;
        }
      }
    }
    if (cd->value > UINT64_MAX - out->created)
      return CP_CLVM_COND;
    out->created += cd->value;
    /* one spend may not create the same (puzzle hash, amount) twice */
    for (size_t i = 0; i < out->n; i++)
      if (out->items[i].op == COND_CREATE_COIN && out->items[i].value == cd->value &&
          !memcmp(out->items[i].hash, cd->hash, 32))
        return CP_CLVM_COND;
    return args_end(c);
  case COND_RESERVE_FEE:
    if ((rc = uint_arg(c, 8, &cd->value)))
      return rc;
    if (cd->value > UINT64_MAX - out->reserve_fee)
      return CP_CLVM_COND;
    out->reserve_fee += cd->value;
    return args_end(c);
  case COND_CREATE_COIN_ANNOUNCEMENT: case COND_CREATE_PUZZLE_ANNOUNCEMENT:
    if ((rc = msg_arg(c, &cd->msg, &cd->msg_len)))
      return rc;
    return args_end(c);
  case COND_ASSERT_COIN_ANNOUNCEMENT: case COND_ASSERT_PUZZLE_ANNOUNCEMENT:
  case COND_ASSERT_CONCURRENT_SPEND: case COND_ASSERT_CONCURRENT_PUZZLE:
  case COND_ASSERT_MY_COIN_ID: case COND_ASSERT_MY_PARENT_ID:
  case COND_ASSERT_MY_PUZZLEHASH:
    if ((rc = hash_arg(c, cd->hash)))
      return rc;
    return args_end(c);
  case COND_SEND_MESSAGE: case COND_RECEIVE_MESSAGE:
    if ((rc = message_args(c, op == COND_SEND_MESSAGE, cd)))
      return rc;
    return args_end(c);
  case COND_ASSERT_MY_AMOUNT: case COND_ASSERT_MY_BIRTH_SECONDS:
    if ((rc = uint_arg(c, 8, &cd->value)))
      return rc;
    return args_end(c);
  case COND_ASSERT_MY_BIRTH_HEIGHT:
    if ((rc = uint_arg(c, 4, &cd->value)))
      return rc;
    return args_end(c);
  case COND_ASSERT_EPHEMERAL:
    return args_end(c);
  case COND_ASSERT_SECONDS_RELATIVE: case COND_ASSERT_SECONDS_ABSOLUTE:
    if ((rc = time_arg(c, 8, 0, cd)))
      return rc;
    return args_end(c);
  case COND_ASSERT_HEIGHT_RELATIVE: case COND_ASSERT_HEIGHT_ABSOLUTE:
    if ((rc = time_arg(c, 4, 0, cd)))
      return rc;
    return args_end(c);
  case COND_ASSERT_BEFORE_SECONDS_RELATIVE: case COND_ASSERT_BEFORE_SECONDS_ABSOLUTE:
    if ((rc = time_arg(c, 8, 1, cd)))
      return rc;
    return args_end(c);
  case COND_ASSERT_BEFORE_HEIGHT_RELATIVE: case COND_ASSERT_BEFORE_HEIGHT_ABSOLUTE:
    if ((rc = time_arg(c, 4, 1, cd)))
      return rc;
    return args_end(c);
  default:
    return CP_CLVM_COND;
  }
}

cp_err clvm_conds_parse(const struct clvm_alloc *a, clvm_node result,
                        unsigned flags, uint64_t max_cost, struct clvm_conds *out)
{
  clvm_node l = result;
  size_t idx = 0, announcements = 0;
  int cc = !!(flags & CLVM_COND_COST_CONDITIONS);
  cp_err rc = CP_OK;
  if (!max_cost)
    max_cost = UINT64_MAX;
  for (; clvm_is_pair(l); l = clvm_rest(a, l), idx++) {
    clvm_node cond = clvm_first(a, l), opn;
    const uint8_t *p;
    size_t len;
    uint32_t op = 0;
    int known = 0;
    struct clvm_cond cd;
    struct pc c;
    out->err_index = idx;
    if (!clvm_is_pair(cond))
      return CP_CLVM_COND;
    opn = clvm_first(a, cond);
    p = clvm_atom(a, opn, &len);
    if (p && len == 1 && is_known(p[0])) {
      op = p[0];
      known = 1;
    } else if (p && len == 2 && p[0] != 0) {
      op = (uint32_t)p[0] << 8 | p[1];
    }
    if (!known) {
      if (flags & CLVM_COND_STRICT)
        return CP_CLVM_COND;
      if ((rc = add_cost(out, clvm_cond_unknown_cost(op) + (cc ? CC_GENERIC_COST : 0),
                         max_cost)))
        return rc;
      continue;
    }
    /* charge before looking at the arguments */
    if (op == COND_CREATE_COIN)
      rc = add_cost(out, cc ? CC_CREATE_COIN_COST : CLVM_CREATE_COIN_COST, max_cost);
    else if (op >= 43 && op <= 50)
      rc = add_cost(out, CLVM_AGG_SIG_COST, max_cost);
    else if (op >= 60 && op <= 67)
      rc = add_cost(out, cc ? CC_MESSAGE_COST : 0, max_cost);
    else if (op != COND_SOFTFORK)
      rc = add_cost(out, cc ? CC_GENERIC_COST : 0, max_cost);
    if (rc)
      return rc;
    if (op >= 60 && op <= 67 && !cc && ++announcements > MAX_ANNOUNCEMENTS)
      return CP_CLVM_COND;
    c.a = a;
    c.args = clvm_rest(a, cond);
    c.flags = flags;
    if ((flags & CLVM_COND_STRICT) && op != COND_REMARK) {
      /* the argument list itself must be proper */
      size_t dummy;
      if (clvm_list_len(a, c.args, &dummy))
        return CP_CLVM_COND;
    }
    if (op == COND_SOFTFORK) {
      uint64_t units;
      if (flags & CLVM_COND_STRICT)
        return CP_CLVM_COND;
      if ((rc = uint_arg(&c, 4, &units)))
        return rc;
      if ((rc = add_cost(out, units * 10000 + (cc ? CC_GENERIC_COST : 0), max_cost)))
        return rc;
      continue;
    }
    memset(&cd, 0, sizeof cd);
    cd.op = (uint16_t)op;
    cd.memos = CLVM_NIL;
    if ((rc = parse_one(&c, op, &cd, out)))
      return rc;
    if (op == COND_REMARK)
      continue;
    if (out->n == out->cap) {
      out->cap = out->cap ? 2 * out->cap : 16;
      out->items = xrealloc(out->items, out->cap * sizeof *out->items);
    }
    out->items[out->n++] = cd;
  }
  out->err_index = idx;
  if (!clvm_is_nil(a, l))
    return CP_CLVM_COND;
  return CP_OK;
}

cp_err clvm_cond_agg_sig_msg(const struct clvm_cond *c, const uint8_t parent[32],
                             const uint8_t puzzle_hash[32], uint64_t amount,
                             const uint8_t additional_data[32], struct buf *out)
{
  uint8_t amt[9], d[33], coin[32 + 32 + 9], id[32];
  size_t an = clvm_u64_encode(amount, amt);
  cp_err rc;
  if (c->op < COND_AGG_SIG_PARENT || c->op > COND_AGG_SIG_ME)
    return CP_INVAL;
  if ((rc = buf_append(out, c->msg, c->msg_len)))
    return rc;
  /* every kind but ME and UNSAFE signs a data value derived per opcode */
  memcpy(d, additional_data, 32);
  d[32] = (uint8_t)c->op;
  switch (c->op) {
  case COND_AGG_SIG_UNSAFE:
    return CP_OK;
  case COND_AGG_SIG_ME:
    memcpy(coin, parent, 32);
    memcpy(coin + 32, puzzle_hash, 32);
    memcpy(coin + 64, amt, an);
    hash(id, coin, 64 + an);
    if ((rc = buf_append(out, id, 32)))
      return rc;
    return buf_append(out, additional_data, 32);
  case COND_AGG_SIG_PARENT:
    rc = buf_append(out, parent, 32);
    break;
  case COND_AGG_SIG_PUZZLE:
    rc = buf_append(out, puzzle_hash, 32);
    break;
  case COND_AGG_SIG_AMOUNT:
    rc = buf_append(out, amt, an);
    break;
  case COND_AGG_SIG_PUZZLE_AMOUNT:
    if (!(rc = buf_append(out, puzzle_hash, 32)))
      rc = buf_append(out, amt, an);
    break;
  case COND_AGG_SIG_PARENT_AMOUNT:
    if (!(rc = buf_append(out, parent, 32)))
      rc = buf_append(out, amt, an);
    break;
  case COND_AGG_SIG_PARENT_PUZZLE:
    if (!(rc = buf_append(out, parent, 32)))
      rc = buf_append(out, puzzle_hash, 32);
    break;
  }
  if (rc)
    return rc;
  hash(id, d, 33);
  return buf_append(out, id, 32);
}

int clvm_cond_unsafe_msg_ok(const struct clvm_cond *c,
                            const uint8_t additional_data[32])
{
  const uint8_t *tail;
  uint8_t d[33], h[32];
  if (c->msg_len < 32)
    return 1;
  tail = c->msg + c->msg_len - 32;
  if (!memcmp(tail, additional_data, 32))
    return 0;
  memcpy(d, additional_data, 32);
  for (uint8_t op = COND_AGG_SIG_PARENT; op <= COND_AGG_SIG_PARENT_PUZZLE; op++) {
    d[32] = op;
    hash(h, d, 33);
    if (!memcmp(tail, h, 32))
      return 0;
  }
  return 1;
}
