/* Core operators: control, lists, comparison, hashing and strings. Their
 * costs are flat or linear in the argument bytes; the arithmetic ones live
 * in ops.c. */
#include "clvm/clvm_int.h"

#include <string.h>

#include "crypto/sha256.h"

#define MALLOC_COST 10

static cp_err op_if(struct clvm_alloc *a, clvm_node args, clvm_node *out, uint64_t *cost)
{
  clvm_node v[3];
  cp_err rc = clvm__args(a, args, 3, v, "i takes exactly 3 arguments");
  if (rc)
    return rc;
  *out = clvm_is_nil(a, v[0]) ? v[2] : v[1];
  *cost = 33;
  return CP_OK;
}

static cp_err op_cons(struct clvm_alloc *a, clvm_node args, clvm_node *out, uint64_t *cost)
{
  clvm_node v[2];
  cp_err rc = clvm__args(a, args, 2, v, "c takes exactly 2 arguments");
  if (rc)
    return rc;
  *cost = 50;
  return clvm_new_pair(a, v[0], v[1], out);
}

static cp_err op_first_rest(struct clvm_alloc *a, clvm_node args, int rest,
                            clvm_node *out, uint64_t *cost)
{
  clvm_node v;
  cp_err rc = clvm__args(a, args, 1, &v, rest ? "r takes exactly 1 argument"
                                               : "f takes exactly 1 argument");
  if (rc)
    return rc;
  if (!clvm_is_pair(v))
    return clvm__fail(a, v, rest ? "rest of non-cons" : "first of non-cons");
  *out = rest ? clvm__pair(a, v)->rest : clvm__pair(a, v)->first;
  *cost = 30;
  return CP_OK;
}

static cp_err op_listp(struct clvm_alloc *a, clvm_node args, clvm_node *out, uint64_t *cost)
{
  clvm_node v;
  cp_err rc = clvm__args(a, args, 1, &v, "l takes exactly 1 argument");
  if (rc)
    return rc;
  *out = clvm_is_pair(v) ? CLVM_ONE : CLVM_NIL;
  *cost = 19;
  return CP_OK;
}

static cp_err op_raise(struct clvm_alloc *a, clvm_node args)
{
  clvm_node v;
  /* a single atom argument is raised as itself, anything else as the list */
  if (clvm_is_pair(args) && clvm_is_nil(a, clvm__pair(a, args)->rest) &&
      clvm_is_atom(clvm__pair(a, args)->first))
    v = clvm__pair(a, args)->first;
  else
    v = args;
  a->err_node = v;
  a->err_msg = "clvm raise";
  return CP_CLVM_RAISE;
}

static cp_err op_eq_grs(struct clvm_alloc *a, clvm_node args, int gr,
                        clvm_node *out, uint64_t *cost)
{
  clvm_node v[2];
  const uint8_t *p0, *p1;
  size_t n0, n1;
  int r;
  cp_err rc;
  if ((rc = clvm__args(a, args, 2, v, gr ? ">s takes exactly 2 arguments"
                                         : "= takes exactly 2 arguments")) ||
      (rc = clvm__atom_arg(a, v[0], &p0, &n0, gr ? ">s on list" : "= on list")) ||
      (rc = clvm__atom_arg(a, v[1], &p1, &n1, gr ? ">s on list" : "= on list")))
    return rc;
  *cost = 117 + n0 + n1;
  if (gr) {
    size_t m = n0 < n1 ? n0 : n1;
    int c = m ? memcmp(p0, p1, m) : 0;
    r = c > 0 || (c == 0 && n0 > n1);
  } else {
    r = n0 == n1 && (!n0 || !memcmp(p0, p1, n0));
  }
  *out = r ? CLVM_ONE : CLVM_NIL;
  return CP_OK;
}

static cp_err op_sha256(struct clvm_alloc *a, clvm_node args, uint64_t max,
                        clvm_node *out, uint64_t *cost)
{
  struct sha256_ctx c;
  uint8_t h[32];
  clvm_node l = args, v;
  int more;
  cp_err rc;
  *cost = 87;
  sha256_init(&c);
  for (;;) {
    const uint8_t *p;
    size_t n;
    if ((rc = clvm__next_arg(a, &l, &v, &more)))
      return rc;
    if (!more)
      break;
    if ((rc = clvm__atom_arg(a, v, &p, &n, "sha256 on list")))
      return rc;
    *cost += 134 + 2 * (uint64_t)n;
    if ((rc = clvm__over_cost(*cost, max)))
      return rc;
    sha256_update(&c, p, n);
  }
  sha256_final(&c, h);
  return clvm__new_atom_cost(a, h, 32, out, cost);
}

static cp_err op_keccak(struct clvm_alloc *a, clvm_node args, uint64_t max,
                        clvm_node *out, uint64_t *cost)
{
  struct clvm_keccak k;
  uint8_t h[32];
  clvm_node l = args, v;
  int more;
  cp_err rc;
  *cost = 50;
  clvm__keccak_init(&k);
  for (;;) {
    const uint8_t *p;
    size_t n;
    if ((rc = clvm__next_arg(a, &l, &v, &more)))
      return rc;
    if (!more)
      break;
    if ((rc = clvm__atom_arg(a, v, &p, &n, "keccak256 on list")))
      return rc;
    *cost += 160 + 2 * (uint64_t)n;
    if ((rc = clvm__over_cost(*cost, max)))
      return rc;
    clvm__keccak_update(&k, p, n);
  }
  clvm__keccak_final(&k, h);
  return clvm__new_atom_cost(a, h, 32, out, cost);
}

static cp_err op_substr(struct clvm_alloc *a, clvm_node args, clvm_node *out,
                        uint64_t *cost)
{
  clvm_node v[3];
  size_t k = 0, n;
  clvm_node l = args;
  const uint8_t *p;
  int32_t start, end;
  cp_err rc;
  while (clvm_is_pair(l) && k < 3) {
    v[k++] = clvm__pair(a, l)->first;
    l = clvm__pair(a, l)->rest;
  }
  if (k < 2 || clvm_is_pair(l) || clvm__atom(a, l)->len)
    return clvm__fail(a, args, "substr takes exactly 2 or 3 arguments");
  if ((rc = clvm__atom_arg(a, v[0], &p, &n, "substr on list")) ||
      (rc = clvm__i32_arg(a, v[1], &start)))
    return rc;
  if (k == 3) {
    if ((rc = clvm__i32_arg(a, v[2], &end)))
      return rc;
  } else {
    end = (int32_t)(n > INT32_MAX ? INT32_MAX : n);
  }
  if (start < 0 || end < start || (size_t)end > n)
    return clvm__fail(a, args, "invalid indices for substr");
  *cost = 1;
  return clvm_new_substr(a, v[0], (size_t)start, (size_t)end, out);
}

static cp_err op_strlen(struct clvm_alloc *a, clvm_node args, clvm_node *out,
                        uint64_t *cost)
{
  clvm_node v;
  const uint8_t *p;
  size_t n;
  cp_err rc;
  if ((rc = clvm__args(a, args, 1, &v, "strlen takes exactly 1 argument")) ||
      (rc = clvm__atom_arg(a, v, &p, &n, "strlen on list")))
    return rc;
  *cost = 173 + n;
  {
    uint8_t b[9];
    size_t bn = clvm_u64_encode(n, b);
    return clvm__new_atom_cost(a, b, bn, out, cost);
  }
}

static cp_err op_concat(struct clvm_alloc *a, clvm_node args, uint64_t max,
                        clvm_node *out, uint64_t *cost)
{
  clvm_node l = args, v;
  size_t total = 0;
  uint8_t *dst;
  int more;
  cp_err rc;
  *cost = 142;
  for (;;) {
    const uint8_t *p;
    size_t n;
    if ((rc = clvm__next_arg(a, &l, &v, &more)))
      return rc;
    if (!more)
      break;
    if ((rc = clvm__atom_arg(a, v, &p, &n, "concat on list")))
      return rc;
    *cost += 135 + 3 * (uint64_t)n;
    total += n;
    if ((rc = clvm__over_cost(*cost, max)))
      return rc;
  }
  *cost += MALLOC_COST * (uint64_t)total;
  if ((rc = clvm__over_cost(*cost, max)))
    return rc;
  if ((rc = clvm__new_atom_buf(a, total, &dst, out)))
    return rc;
  for (l = args; clvm_is_pair(l); l = clvm__pair(a, l)->rest) {
    const struct clvm_atom_ent *e = clvm__atom(a, clvm__pair(a, l)->first);
    if (e->len)
      memcpy(dst, e->p, e->len);
    dst += e->len;
  }
  return CP_OK;
}

static cp_err op_not(struct clvm_alloc *a, clvm_node args, clvm_node *out, uint64_t *cost)
{
  clvm_node v;
  cp_err rc = clvm__args(a, args, 1, &v, "not takes exactly 1 argument");
  if (rc)
    return rc;
  *cost = 200;
  *out = clvm_is_nil(a, v) ? CLVM_ONE : CLVM_NIL;
  return CP_OK;
}

static cp_err op_any_all(struct clvm_alloc *a, clvm_node args, int all,
                         clvm_node *out, uint64_t *cost)
{
  clvm_node l = args, v;
  int more, r = all;
  cp_err rc;
  *cost = 200;
  for (;;) {
    if ((rc = clvm__next_arg(a, &l, &v, &more)))
      return rc;
    if (!more)
      break;
    *cost += 300;
    if (all)
      r = r && !clvm_is_nil(a, v);
    else
      r = r || !clvm_is_nil(a, v);
  }
  *out = r ? CLVM_ONE : CLVM_NIL;
  return CP_OK;
}

cp_err clvm__core_op(struct clvm_alloc *a, uint8_t op, clvm_node args,
                     uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost)
{
  switch (op) {
  case 3: return op_if(a, args, out, cost);
  case 4: return op_cons(a, args, out, cost);
  case 5: return op_first_rest(a, args, 0, out, cost);
  case 6: return op_first_rest(a, args, 1, out, cost);
  case 7: return op_listp(a, args, out, cost);
  case 8: return op_raise(a, args);
  case 9: return op_eq_grs(a, args, 0, out, cost);
  case 10: return op_eq_grs(a, args, 1, out, cost);
  case 11: return op_sha256(a, args, max, out, cost);
  case 12: return op_substr(a, args, out, cost);
  case 13: return op_strlen(a, args, out, cost);
  case 14: return op_concat(a, args, max, out, cost);
  case 32: return op_not(a, args, out, cost);
  case 33: return op_any_all(a, args, 0, out, cost);
  case 34: return op_any_all(a, args, 1, out, cost);
  case 62:
    if (flags & (CLVM_F_KECCAK | CLVM_F__KECCAK_EXT))
      return op_keccak(a, args, max, out, cost);
    return CP_CLVM_BAD_OP;
  default: return CP_CLVM_BAD_OP;
  }
}
