/* Arithmetic operators of the Chia dialect (classic cost model), the
 * shared operator helpers, and the opcode dispatch.
 *
 * Integers are two's-complement big-endian atoms of any length. Values that
 * fit 64 bits take an __int128 fast path (every operand of a pool puzzle
 * does); anything larger goes through OpenSSL BIGNUM. Costs are computed
 * from atom lengths first and checked against the budget before any big
 * computation, so a hostile operand cannot buy work it has not paid for. */
#include "clvm/clvm_int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "util/xalloc.h"

#define MALLOC_COST 10

typedef __int128 i128;

cp_err clvm__fail(struct clvm_alloc *a, clvm_node n, const char *msg)
{
  a->err_node = n;
  a->err_msg = msg;
  return CP_CLVM_EVAL;
}

cp_err clvm__over_cost(uint64_t cost, uint64_t max)
{
  return cost > max ? CP_CLVM_COST : CP_OK;
}

cp_err clvm__args(struct clvm_alloc *a, clvm_node args, size_t n, clvm_node *out,
                  const char *msg)
{
  size_t k = 0;
  clvm_node l = args;
  while (clvm_is_pair(l)) {
    if (k == n)
      return clvm__fail(a, args, msg);
    out[k++] = clvm__pair(a, l)->first;
    l = clvm__pair(a, l)->rest;
  }
  if (k != n || clvm__atom(a, l)->len)
    return clvm__fail(a, args, msg);
  return CP_OK;
}

cp_err clvm__atom_arg(struct clvm_alloc *a, clvm_node n, const uint8_t **p,
                      size_t *len, const char *msg)
{
  const struct clvm_atom_ent *e;
  if (clvm_is_pair(n))
    return clvm__fail(a, n, msg);
  e = clvm__atom(a, n);
  *p = e->p;
  *len = e->len;
  return CP_OK;
}

/* Advance over a variadic argument list; an improper end is an error. */
cp_err clvm__next_arg(struct clvm_alloc *a, clvm_node *l, clvm_node *arg, int *more)
{
  if (clvm_is_pair(*l)) {
    *arg = clvm__pair(a, *l)->first;
    *l = clvm__pair(a, *l)->rest;
    *more = 1;
    return CP_OK;
  }
  *more = 0;
  if (clvm__atom(a, *l)->len)
    return clvm__fail(a, *l, "argument list not nil-terminated");
  return CP_OK;
}

cp_err clvm__new_atom_cost(struct clvm_alloc *a, const uint8_t *p, size_t n,
                           clvm_node *out, uint64_t *cost)
{
  *cost += MALLOC_COST * (uint64_t)n;
  if (n == 0) {
    *out = CLVM_NIL;
    return CP_OK;
  }
  if (n == 1 && p[0] == 1) {
    *out = CLVM_ONE;
    return CP_OK;
  }
  return clvm_new_atom(a, p, n, out);
}

/* Minimal two's complement: drop redundant sign bytes. */
static size_t trim(const uint8_t **pp, size_t n)
{
  const uint8_t *p = *pp;
  while (n && p[0] == 0 && (n == 1 || !(p[1] & 0x80))) {
    p++;
    n--;
  }
  while (n > 1 && p[0] == 0xff && (p[1] & 0x80)) {
    p++;
    n--;
  }
  *pp = p;
  return n;
}

static cp_err new_int_bytes(struct clvm_alloc *a, const uint8_t *p, size_t n,
                            clvm_node *out, uint64_t *cost)
{
  n = trim(&p, n);
  return clvm__new_atom_cost(a, p, n, out, cost);
}

/* Fits in an int64 (after dropping redundant sign bytes)? */
static int small_int(const uint8_t *p, size_t n, int64_t *v)
{
  uint64_t x;
  n = trim(&p, n);
  if (n > 8)
    return 0;
  x = (n && (p[0] & 0x80)) ? UINT64_MAX : 0;
  for (size_t i = 0; i < n; i++)
    x = x << 8 | p[i];
  *v = (int64_t)x;
  return 1;
}

static size_t i128_encode(i128 v, uint8_t out[17])
{
  uint8_t b[17];
  const uint8_t *p = b;
  unsigned __int128 u = (unsigned __int128)v;
  b[0] = v < 0 ? 0xff : 0;
  for (int i = 16; i >= 1; i--) {
    b[i] = (uint8_t)u;
    u >>= 8;
  }
  size_t n = trim(&p, 17);
  memcpy(out, p, n);
  return n;
}

static cp_err new_i128(struct clvm_alloc *a, i128 v, clvm_node *out, uint64_t *cost)
{
  uint8_t b[17];
  size_t n = i128_encode(v, b);
  return clvm__new_atom_cost(a, b, n, out, cost);
}

static size_t limbs_i128(i128 v)
{
  unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
  size_t n = 0;
  while (u) {
    n++;
    u >>= 8;
  }
  return n;
}

/* --- BIGNUM bridge --- */

BIGNUM *clvm__bn_from(const uint8_t *p, size_t n)
{
  BIGNUM *b = BN_new();
  if (!b)
    abort();
  if (n && (p[0] & 0x80)) {
    uint8_t *t = xmalloc(n);
    for (size_t i = 0; i < n; i++)
      t[i] = (uint8_t)~p[i];
    for (size_t i = n; i-- > 0;)
      if (++t[i])
        break;
    BN_bin2bn(t, (int)n, b);
    BN_set_negative(b, 1);
    free(t);
  } else if (n) {
    BN_bin2bn(p, (int)n, b);
  }
  return b;
}

cp_err clvm__bn_atom(struct clvm_alloc *a, const BIGNUM *b, clvm_node *out,
                     uint64_t *cost)
{
  size_t m = (size_t)BN_num_bytes(b);
  uint8_t *t;
  cp_err rc;
  if (BN_is_zero(b))
    return clvm__new_atom_cost(a, NULL, 0, out, cost);
  t = xmalloc(m + 1);
  t[0] = 0;
  BN_bn2binpad(b, t + 1, (int)m);
  if (BN_is_negative(b)) {
    for (size_t i = 0; i <= m; i++)
      t[i] = (uint8_t)~t[i];
    for (size_t i = m + 1; i-- > 0;)
      if (++t[i])
        break;
  }
  rc = new_int_bytes(a, t, m + 1, out, cost);
  free(t);
  return rc;
}

static BIGNUM *bn_or_die(void)
{
  BIGNUM *b = BN_new();
  if (!b)
    abort();
  return b;
}

static BN_CTX *bn_ctx(void)
{
  BN_CTX *c = BN_CTX_new();
  if (!c)
    abort();
  return c;
}

/* --- simple ops --- */

/* --- arithmetic --- */

static cp_err op_add_sub(struct clvm_alloc *a, clvm_node args, int sub,
                         uint64_t max, clvm_node *out, uint64_t *cost)
{
  clvm_node l = args, v;
  int more, first = 1;
  i128 acc = 0;
  BIGNUM *bacc = NULL, *t;
  cp_err rc = CP_OK;
  *cost = 99;
  for (;;) {
    const uint8_t *p;
    size_t n;
    int64_t x;
    if ((rc = clvm__next_arg(a, &l, &v, &more)))
      goto out;
    if (!more)
      break;
    if ((rc = clvm__atom_arg(a, v, &p, &n, sub ? "- requires int args"
                                               : "+ requires int args")))
      goto out;
    *cost += 320 + 3 * (uint64_t)n;
    if ((rc = clvm__over_cost(*cost, max)))
      goto out;
    if (!bacc && small_int(p, n, &x)) {
      acc += (sub && !first) ? -(i128)x : (i128)x;
      /* leave the fast path long before an int128 could overflow */
      if (acc > ((i128)1 << 120) || acc < -((i128)1 << 120)) {
        uint8_t b[17];
        size_t bl = i128_encode(acc, b);
        bacc = clvm__bn_from(b, bl);
      }
    } else {
      if (!bacc) {
        uint8_t b[17];
        size_t bl = i128_encode(acc, b);
        bacc = clvm__bn_from(b, bl);
      }
      t = clvm__bn_from(p, n);
      if (sub && !first)
        BN_sub(bacc, bacc, t);
      else
        BN_add(bacc, bacc, t);
      BN_free(t);
    }
    first = 0;
  }
  if (bacc)
    rc = clvm__bn_atom(a, bacc, out, cost);
  else
    rc = new_i128(a, acc, out, cost);
out:
  BN_free(bacc);
  return rc;
}

/* Magnitude byte length of a two's complement value (clvm_rs "limbs"). */
static size_t limbs_bytes(const uint8_t *p, size_t n)
{
  int64_t x;
  size_t r;
  BIGNUM *b;
  if (small_int(p, n, &x))
    return limbs_i128(x);
  b = clvm__bn_from(p, n);
  r = (size_t)BN_num_bytes(b);
  BN_free(b);
  return r;
}

static cp_err op_mul(struct clvm_alloc *a, clvm_node args, uint64_t max,
                     unsigned flags, clvm_node *out, uint64_t *cost)
{
  clvm_node l = args, v;
  int more, first = 1, big = 0;
  i128 acc = 1;
  size_t l0 = 0;
  BIGNUM *bacc = NULL, *t;
  BN_CTX *ctx = NULL;
  cp_err rc = CP_OK;
  *cost = 92;
  for (;;) {
    const uint8_t *p;
    size_t n;
    int64_t x;
    if ((rc = clvm__next_arg(a, &l, &v, &more)))
      goto out;
    if (!more)
      break;
    if ((rc = clvm__atom_arg(a, v, &p, &n, "* requires int args")))
      goto out;
    if ((flags & CLVM_F_LIMITS) && n > 256) {
      rc = clvm__fail(a, v, "* operand too large");
      goto out;
    }
    if (first) {
      l0 = n;
      first = 0;
      if (small_int(p, n, &x)) {
        acc = x;
      } else {
        big = 1;
        bacc = clvm__bn_from(p, n);
      }
      continue;
    }
    *cost += 885 + 6 * (uint64_t)(l0 + n) + (uint64_t)l0 * n / 128;
    if ((rc = clvm__over_cost(*cost, max)))
      goto out;
    if (!big && small_int(p, n, &x) && !__builtin_mul_overflow(acc, (i128)x, &acc)) {
      l0 = limbs_i128(acc);
    } else {
      if (!big) {
        uint8_t b[17];
        size_t bl = i128_encode(acc, b);
        bacc = clvm__bn_from(b, bl);
        big = 1;
      }
      if (!ctx)
        ctx = bn_ctx();
      t = clvm__bn_from(p, n);
      BN_mul(bacc, bacc, t, ctx);
      BN_free(t);
      l0 = (size_t)BN_num_bytes(bacc);
    }
    if ((flags & CLVM_F_LIMITS) && l0 > 1024) {
      rc = clvm__fail(a, v, "* result too large");
      goto out;
    }
  }
  rc = big ? clvm__bn_atom(a, bacc, out, cost) : new_i128(a, acc, out, cost);
out:
  BN_free(bacc);
  BN_CTX_free(ctx);
  return rc;
}

enum { DIV_Q = 1, DIV_R = 2 };

static cp_err op_div(struct clvm_alloc *a, clvm_node args, int which,
                     uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost)
{
  clvm_node v[2], q, r;
  const uint8_t *p0, *p1;
  size_t n0, n1;
  int64_t x, y;
  const char *name = which == DIV_Q ? "/" : which == DIV_R ? "%" : "divmod";
  cp_err rc;
  if ((rc = clvm__args(a, args, 2, v, which == DIV_Q ? "/ takes exactly 2 arguments"
                       : which == DIV_R ? "% takes exactly 2 arguments"
                                        : "divmod takes exactly 2 arguments")) ||
      (rc = clvm__atom_arg(a, v[0], &p0, &n0, "div requires int args")) ||
      (rc = clvm__atom_arg(a, v[1], &p1, &n1, "div requires int args")))
    return rc;
  (void)name;
  if (which == (DIV_Q | DIV_R))
    *cost = 1116 + 6 * (uint64_t)(n0 + n1);
  else
    *cost = 988 + 4 * (uint64_t)(n0 + n1);
  if ((rc = clvm__over_cost(*cost, max)))
    return rc;
  if ((flags & CLVM_F_DISABLE_OP) && n0 > 2048)
    return clvm__fail(a, v[0], "dividend too large");
  if ((flags & CLVM_F_LIMITS) && (n0 > 256 || n1 > 1024))
    return clvm__fail(a, v[0], "division operand too large");
  if (small_int(p0, n0, &x) && small_int(p1, n1, &y)) {
    i128 qq, rr;
    if (y == 0)
      return clvm__fail(a, v[1], "div with 0");
    qq = (i128)x / y;
    rr = (i128)x % y;
    if (rr != 0 && ((rr < 0) != (y < 0))) {
      qq -= 1;
      rr += y;
    }
    if ((which & DIV_Q) && (rc = new_i128(a, qq, &q, cost)))
      return rc;
    if ((which & DIV_R) && (rc = new_i128(a, rr, &r, cost)))
      return rc;
  } else {
    BIGNUM *bx = clvm__bn_from(p0, n0), *by = clvm__bn_from(p1, n1);
    BIGNUM *bq = bn_or_die(), *br = bn_or_die();
    BN_CTX *ctx = bn_ctx();
    rc = CP_OK;
    if (BN_is_zero(by)) {
      rc = clvm__fail(a, v[1], "div with 0");
    } else {
      BN_div(bq, br, bx, by, ctx);
      if (!BN_is_zero(br) && BN_is_negative(br) != BN_is_negative(by)) {
        BN_sub_word(bq, 1);
        BN_add(br, br, by);
      }
      if (which & DIV_Q)
        rc = clvm__bn_atom(a, bq, &q, cost);
      if (!rc && (which & DIV_R))
        rc = clvm__bn_atom(a, br, &r, cost);
    }
    BN_free(bx);
    BN_free(by);
    BN_free(bq);
    BN_free(br);
    BN_CTX_free(ctx);
    if (rc)
      return rc;
  }
  if (which == DIV_Q)
    *out = q;
  else if (which == DIV_R)
    *out = r;
  else
    return clvm_new_pair(a, q, r, out);
  return CP_OK;
}

/* Signed compare of two's complement byte strings. */
static int int_cmp(const uint8_t *p0, size_t n0, const uint8_t *p1, size_t n1)
{
  size_t m = n0 > n1 ? n0 : n1;
  uint8_t s0 = (n0 && (p0[0] & 0x80)) ? 0xff : 0, s1 = (n1 && (p1[0] & 0x80)) ? 0xff : 0;
  if (s0 != s1)
    return s0 ? -1 : 1;
  for (size_t i = 0; i < m; i++) {
    uint8_t b0 = i + n0 >= m ? p0[i + n0 - m] : s0;
    uint8_t b1 = i + n1 >= m ? p1[i + n1 - m] : s1;
    if (b0 != b1)
      return b0 < b1 ? -1 : 1;
  }
  return 0;
}

static cp_err op_gr(struct clvm_alloc *a, clvm_node args, clvm_node *out, uint64_t *cost)
{
  clvm_node v[2];
  const uint8_t *p0, *p1;
  size_t n0, n1;
  cp_err rc;
  if ((rc = clvm__args(a, args, 2, v, "> takes exactly 2 arguments")) ||
      (rc = clvm__atom_arg(a, v[0], &p0, &n0, "> requires int args")) ||
      (rc = clvm__atom_arg(a, v[1], &p1, &n1, "> requires int args")))
    return rc;
  *cost = 498 + 2 * (uint64_t)(n0 + n1);
  *out = int_cmp(p0, n0, p1, n1) > 0 ? CLVM_ONE : CLVM_NIL;
  return CP_OK;
}

/* Signed 32-bit argument: at most 4 raw bytes (leading zeros count). */
cp_err clvm__i32_arg(struct clvm_alloc *a, clvm_node n, int32_t *out)
{
  const uint8_t *p;
  size_t len;
  uint32_t x;
  cp_err rc = clvm__atom_arg(a, n, &p, &len, "expected atom, got pair");
  if (rc)
    return rc;
  if (len > 4)
    return clvm__fail(a, n, "value must fit in an i32");
  x = (len && (p[0] & 0x80)) ? UINT32_MAX : 0;
  for (size_t i = 0; i < len; i++)
    x = x << 8 | p[i];
  *out = (int32_t)x;
  return CP_OK;
}

/* Byte i (little-endian index) of a value, sign-extended forever. */
static uint8_t le_byte(const uint8_t *p, size_t n, uint8_t sign, ptrdiff_t i)
{
  if (i < 0)
    return 0;
  if ((size_t)i >= n)
    return sign;
  return p[n - 1 - (size_t)i];
}

static cp_err op_shift(struct clvm_alloc *a, clvm_node args, int logical,
                       uint64_t max, clvm_node *out, uint64_t *cost)
{
  clvm_node v[2];
  const uint8_t *p;
  size_t n, outn, rn;
  int32_t s;
  uint8_t sign, *buf;
  const uint8_t *rp;
  cp_err rc;
  if ((rc = clvm__args(a, args, 2, v, logical ? "lsh takes exactly 2 arguments"
                                               : "ash takes exactly 2 arguments")) ||
      (rc = clvm__atom_arg(a, v[0], &p, &n, logical ? "lsh requires int args"
                                                    : "ash requires int args")) ||
      (rc = clvm__i32_arg(a, v[1], &s)))
    return rc;
  if (s > 65535 || s < -65535)
    return clvm__fail(a, v[1], "shift too large");
  sign = (!logical && n && (p[0] & 0x80)) ? 0xff : 0;
  if (s >= 0) {
    size_t B = (size_t)s / 8;
    unsigned b = (unsigned)s % 8;
    outn = n + B + 2;
    buf = xmalloc(outn);
    for (size_t i = 0; i < outn; i++) {
      ptrdiff_t j = (ptrdiff_t)i - (ptrdiff_t)B;
      unsigned hi = le_byte(p, n, sign, j), lo = le_byte(p, n, sign, j - 1);
      buf[outn - 1 - i] = (uint8_t)(b ? (hi << b | lo >> (8 - b)) : hi);
    }
  } else {
    size_t B = (size_t)(-(int64_t)s) / 8;
    unsigned b = (unsigned)(-(int64_t)s) % 8;
    outn = (n > B ? n - B : 0) + 1;
    buf = xmalloc(outn);
    for (size_t i = 0; i < outn; i++) {
      ptrdiff_t j = (ptrdiff_t)(i + B);
      unsigned lo = le_byte(p, n, sign, j), hi = le_byte(p, n, sign, j + 1);
      buf[outn - 1 - i] = (uint8_t)(b ? (lo >> b | hi << (8 - b)) : lo);
    }
  }
  /* the unsigned logical value needs a 00 sign byte: outn has room for it */
  rp = buf;
  rn = trim(&rp, outn);
  *cost = (logical ? 277 : 596) + 3 * (uint64_t)(n + limbs_bytes(rp, rn));
  rc = clvm__over_cost(*cost + MALLOC_COST * (uint64_t)rn, max);
  if (!rc)
    rc = clvm__new_atom_cost(a, rp, rn, out, cost);
  free(buf);
  return rc;
}

enum { LOG_AND, LOG_IOR, LOG_XOR };

static cp_err op_logic(struct clvm_alloc *a, clvm_node args, int kind,
                       uint64_t max, clvm_node *out, uint64_t *cost)
{
  clvm_node l = args, v;
  size_t m = 1;
  uint8_t *acc;
  int more;
  cp_err rc;
  *cost = 100;
  for (;;) {
    const uint8_t *p;
    size_t n;
    if ((rc = clvm__next_arg(a, &l, &v, &more)))
      return rc;
    if (!more)
      break;
    if ((rc = clvm__atom_arg(a, v, &p, &n, "logic op requires int args")))
      return rc;
    *cost += 264 + 3 * (uint64_t)n;
    if ((rc = clvm__over_cost(*cost, max)))
      return rc;
    if (n > m)
      m = n;
  }
  acc = xmalloc(m);
  memset(acc, kind == LOG_AND ? 0xff : 0, m);
  for (l = args; clvm_is_pair(l); l = clvm__pair(a, l)->rest) {
    const struct clvm_atom_ent *e = clvm__atom(a, clvm__pair(a, l)->first);
    uint8_t sign = (e->len && (e->p[0] & 0x80)) ? 0xff : 0;
    for (size_t i = 0; i < m; i++) {
      uint8_t b = le_byte(e->p, e->len, sign, (ptrdiff_t)i);
      uint8_t *d = &acc[m - 1 - i];
      *d = kind == LOG_AND ? (*d & b) : kind == LOG_IOR ? (*d | b) : (*d ^ b);
    }
  }
  rc = new_int_bytes(a, acc, m, out, cost);
  free(acc);
  return rc;
}

static cp_err op_lognot(struct clvm_alloc *a, clvm_node args, clvm_node *out,
                        uint64_t *cost)
{
  clvm_node v;
  const uint8_t *p;
  size_t n;
  uint8_t *t;
  cp_err rc;
  if ((rc = clvm__args(a, args, 1, &v, "lognot takes exactly 1 argument")) ||
      (rc = clvm__atom_arg(a, v, &p, &n, "lognot requires int args")))
    return rc;
  *cost = 331 + 3 * (uint64_t)n;
  t = xmalloc(n + 1);
  t[0] = (n && (p[0] & 0x80)) ? 0 : 0xff;
  for (size_t i = 0; i < n; i++)
    t[i + 1] = (uint8_t)~p[i];
  rc = new_int_bytes(a, t, n + 1, out, cost);
  free(t);
  return rc;
}

static cp_err op_modpow(struct clvm_alloc *a, clvm_node args, uint64_t max,
                        unsigned flags, clvm_node *out, uint64_t *cost)
{
  clvm_node v[3];
  const uint8_t *pb, *pe, *pm;
  size_t lb, le, lm;
  BIGNUM *b = NULL, *e = NULL, *m = NULL, *r = NULL;
  BN_CTX *ctx = NULL;
  cp_err rc;
  if (flags & CLVM_F_DISABLE_OP)
    return CP_CLVM_BAD_OP;
  if ((rc = clvm__args(a, args, 3, v, "modpow takes exactly 3 arguments")) ||
      (rc = clvm__atom_arg(a, v[0], &pb, &lb, "modpow requires int args")) ||
      (rc = clvm__atom_arg(a, v[1], &pe, &le, "modpow requires int args")) ||
      (rc = clvm__atom_arg(a, v[2], &pm, &lm, "modpow requires int args")))
    return rc;
  *cost = 17000 + 38 * (uint64_t)lb + 3 * (uint64_t)le * le + 21 * (uint64_t)lm * lm;
  if ((rc = clvm__over_cost(*cost, max)))
    return rc;
  if ((flags & CLVM_F_LIMITS) && (lb > 256 || le > 256 || lm > 256))
    return clvm__fail(a, args, "modpow operand too large");
  if (le && (pe[0] & 0x80))
    return clvm__fail(a, v[1], "modpow with negative exponent");
  m = clvm__bn_from(pm, lm);
  if (BN_is_zero(m)) {
    rc = clvm__fail(a, v[2], "modpow with 0 modulus");
    goto out;
  }
  b = clvm__bn_from(pb, lb);
  e = clvm__bn_from(pe, le);
  r = bn_or_die();
  ctx = bn_ctx();
  {
    int neg = BN_is_negative(m);
    BN_set_negative(m, 0);
    BN_nnmod(b, b, m, ctx);
    BN_mod_exp(r, b, e, m, ctx);
    /* floor semantics: the result takes the modulus' sign */
    if (neg && !BN_is_zero(r))
      BN_sub(r, r, m);
  }
  rc = clvm__bn_atom(a, r, out, cost);
out:
  BN_free(b);
  BN_free(e);
  BN_free(m);
  BN_free(r);
  BN_CTX_free(ctx);
  return rc;
}

/* Unknown operator in consensus mode: a costed no-op returning nil. */
static cp_err op_unknown(struct clvm_alloc *a, clvm_node op, clvm_node args,
                         uint64_t max, clvm_node *out, uint64_t *cost)
{
  const struct clvm_atom_ent *e = clvm__atom(a, op);
  uint64_t c, mult = 0, l0 = 0;
  unsigned fn;
  clvm_node l = args, v;
  int more, first = 1;
  cp_err rc;
  if (e->len == 0 || (e->len >= 2 && e->p[0] == 0xff && e->p[1] == 0xff)) {
    a->err_node = op;
    a->err_msg = "reserved operator";
    return CP_CLVM_BAD_OP;
  }
  if (e->len > 5) {
    a->err_node = op;
    a->err_msg = "invalid operator";
    return CP_CLVM_BAD_OP;
  }
  for (size_t i = 0; i + 1 < e->len; i++)
    mult = mult << 8 | e->p[i];
  fn = e->p[e->len - 1] >> 6;
  c = fn == 0 ? 1 : fn == 1 ? 99 : fn == 2 ? 92 : 142;
  if (fn) {
    for (;;) {
      const uint8_t *p;
      size_t n;
      if ((rc = clvm__next_arg(a, &l, &v, &more)))
        return rc;
      if (!more)
        break;
      if ((rc = clvm__atom_arg(a, v, &p, &n, "unknown op on list")))
        return rc;
      if (fn == 1) {
        c += 320 + 3 * (uint64_t)n;
      } else if (fn == 3) {
        c += 135 + 3 * (uint64_t)n;
      } else if (first) {
        l0 = n;
      } else {
        c += 885 + 6 * (l0 + n) + l0 * n / 128;
        l0 += n;
      }
      first = 0;
      if ((rc = clvm__over_cost(c, max)))
        return rc;
    }
  }
  /* both factors fit 32 bits before multiplying, so the product cannot wrap */
  if (c > UINT32_MAX || (c *= mult + 1) > UINT32_MAX) {
    a->err_node = op;
    a->err_msg = "invalid operator";
    return CP_CLVM_BAD_OP;
  }
  *cost = c;
  *out = CLVM_NIL;
  return CP_OK;
}

cp_err clvm__apply_op(struct clvm_alloc *a, clvm_node op, clvm_node args,
                      uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost)
{
  const struct clvm_atom_ent *e;
  uint64_t c = 0;
  cp_err rc;
  if (clvm_is_pair(op))
    return clvm__fail(a, op, "operator is a pair");
  e = clvm__atom(a, op);
  if (e->len != 1) {
    if (e->len == 4)
      rc = clvm__secp_op(a, op, args, max, flags, out, &c);
    else
      rc = CP_CLVM_BAD_OP;
  } else {
    switch (e->p[0]) {
    case 16: rc = op_add_sub(a, args, 0, max, out, &c); break;
    case 17: rc = op_add_sub(a, args, 1, max, out, &c); break;
    case 18: rc = op_mul(a, args, max, flags, out, &c); break;
    case 19: rc = op_div(a, args, DIV_Q, max, flags, out, &c); break;
    case 20: rc = op_div(a, args, DIV_Q | DIV_R, max, flags, out, &c); break;
    case 21: rc = op_gr(a, args, out, &c); break;
    case 22: rc = op_shift(a, args, 0, max, out, &c); break;
    case 23: rc = op_shift(a, args, 1, max, out, &c); break;
    case 24: rc = op_logic(a, args, LOG_AND, max, out, &c); break;
    case 25: rc = op_logic(a, args, LOG_IOR, max, out, &c); break;
    case 26: rc = op_logic(a, args, LOG_XOR, max, out, &c); break;
    case 27: rc = op_lognot(a, args, out, &c); break;
    case 60: rc = op_modpow(a, args, max, flags, out, &c); break;
    case 61: rc = op_div(a, args, DIV_R, max, flags, out, &c); break;
    case 29: case 30: case 48: case 49: case 50: case 51: case 52: case 53:
    case 54: case 55: case 56: case 57: case 58: case 59:
      rc = clvm__bls_op(a, e->p[0], args, max, flags, out, &c);
      break;
    default: rc = clvm__core_op(a, e->p[0], args, max, flags, out, &c); break;
    }
  }
  if (rc == CP_CLVM_BAD_OP && !(flags & CLVM_F_NO_UNKNOWN_OPS) &&
      !(e->len == 1 && e->p[0] == 60)) {
    /* not in the table: consensus charges it as an unknown operator */
    c = 0;
    rc = op_unknown(a, op, args, max, out, &c);
  } else if (rc == CP_CLVM_BAD_OP) {
    a->err_node = op;
    a->err_msg = "unimplemented operator";
  }
  if (!rc && c > max)
    rc = CP_CLVM_COST;
  if (cost)
    *cost = c;
  return rc;
}

cp_err clvm_apply_op(struct clvm_alloc *a, clvm_node op, clvm_node args,
                     uint64_t max_cost, unsigned flags, clvm_node *result,
                     uint64_t *cost)
{
  a->err_node = CLVM_NIL;
  a->err_msg = "";
  return clvm__apply_op(a, op, args, max_cost ? max_cost : UINT64_MAX, flags,
                        result, cost);
}
