/* The evaluator. Iterative, with three explicit stacks (values, environments,
 * pending operations) as clvm_rs: a program controls how deep evaluation
 * goes, so recursion on the C stack would let it crash us. Arguments are
 * evaluated last-to-first, which is what builds the argument list without
 * a reversal, and is the order clvm_rs uses (so errors surface alike). */
#include "clvm/clvm_int.h"

#include <stdlib.h>

#include "util/xalloc.h"

#define QUOTE_COST 20
#define APPLY_COST 90
#define OP_COST 1
#define GUARD_COST 140
#define TRAVERSE_BASE 40
#define TRAVERSE_PER_ZERO 4
#define TRAVERSE_PER_BIT 4
#define STACK_LIMIT 20000000u
#define SOFTFORK_DEPTH 20

enum { OP_EVAL, OP_SWAP_EVAL, OP_CONS, OP_APPLY, OP_EXIT_GUARD };

struct guard {
  uint64_t start_cost, expected, max_cost;
  unsigned ext;
  struct clvm_mark mark;
};

struct vm {
  struct clvm_alloc *a;
  unsigned flags;
  uint64_t cost, max_cost;
  clvm_node *vals, *envs;
  size_t nvals, nenvs, vcap, ecap;
  uint8_t *ops;
  size_t nops, ocap;
  struct guard guards[SOFTFORK_DEPTH + 1];
  struct guard *extra; /* guards beyond the fixed array (no LIMIT_SOFTFORK) */
  size_t nguards, xcap;
};

static cp_err grow(void **p, size_t *cap, size_t n, size_t elem)
{
  if (n < *cap)
    return CP_OK;
  if (*cap >= STACK_LIMIT)
    return CP_CLVM_LIMIT;
  *cap = *cap ? 2 * *cap : 256;
  if (*cap > STACK_LIMIT)
    *cap = STACK_LIMIT;
  *p = xrealloc(*p, *cap * elem);
  return CP_OK;
}

static cp_err push_val(struct vm *m, clvm_node v)
{
  cp_err rc = grow((void **)&m->vals, &m->vcap, m->nvals, sizeof *m->vals);
  if (!rc)
    m->vals[m->nvals++] = v;
  return rc;
}

static cp_err push_env(struct vm *m, clvm_node v)
{
  cp_err rc = grow((void **)&m->envs, &m->ecap, m->nenvs, sizeof *m->envs);
  if (!rc)
    m->envs[m->nenvs++] = v;
  return rc;
}

static cp_err push_op(struct vm *m, uint8_t op)
{
  cp_err rc = grow((void **)&m->ops, &m->ocap, m->nops, 1);
  if (!rc)
    m->ops[m->nops++] = op;
  return rc;
}

static struct guard *guard_at(struct vm *m, size_t i)
{
  return i <= SOFTFORK_DEPTH ? &m->guards[i] : &m->extra[i - SOFTFORK_DEPTH - 1];
}

static cp_err traverse(struct vm *m, clvm_node path, clvm_node env, uint64_t *cost)
{
  const struct clvm_atom_ent *e = clvm__atom(m->a, path);
  size_t z = 0, i;
  clvm_node cur = env;
  while (z < e->len && e->p[z] == 0)
    z++;
  *cost = TRAVERSE_BASE + TRAVERSE_PER_ZERO * (uint64_t)z + TRAVERSE_PER_BIT;
  if (z == e->len)
    return push_val(m, CLVM_NIL);
  /* bits below the top set bit, least significant first */
  for (i = e->len; i-- > z;) {
    uint8_t byte = e->p[i];
    unsigned nb = 8;
    if (i == z) {
      nb = 0;
      for (uint8_t t = byte; t > 1; t >>= 1)
        nb++;
    }
    for (unsigned b = 0; b < nb; b++) {
      if (clvm_is_atom(cur)) {
        m->a->err_node = cur;
        m->a->err_msg = "path into atom";
        return CP_CLVM_EVAL;
      }
      cur = (byte >> b & 1) ? clvm__pair(m->a, cur)->rest : clvm__pair(m->a, cur)->first;
      *cost += TRAVERSE_PER_BIT;
    }
  }
  return push_val(m, cur);
}

static int is_byte_atom(const struct clvm_alloc *a, clvm_node n, uint8_t v)
{
  const struct clvm_atom_ent *e;
  if (clvm_is_pair(n))
    return 0;
  e = clvm__atom(a, n);
  return e->len == 1 && e->p[0] == v;
}

static cp_err eval(struct vm *m, clvm_node prog, clvm_node env, uint64_t *cost)
{
  struct clvm_alloc *a = m->a;
  clvm_node opn, args, l;
  cp_err rc;
  if (clvm_is_atom(prog))
    return traverse(m, prog, env, cost);
  opn = clvm__pair(a, prog)->first;
  args = clvm__pair(a, prog)->rest;
  if (clvm_is_pair(opn)) {
    /* ((X) . ARGS): operator X applied to the unevaluated ARGS */
    clvm_node x = clvm__pair(a, opn)->first;
    if (!clvm_is_nil(a, clvm__pair(a, opn)->rest) || clvm_is_pair(x)) {
      a->err_node = prog;
      a->err_msg = "in ((X)...) syntax X must be lone atom";
      return CP_CLVM_BAD_OP;
    }
    if ((rc = push_val(m, x)) || (rc = push_val(m, args)) ||
        (rc = push_env(m, env)) || (rc = push_op(m, OP_APPLY)))
      return rc;
    *cost = APPLY_COST;
    return CP_OK;
  }
  if (is_byte_atom(a, opn, 1)) {
    *cost = QUOTE_COST;
    return push_val(m, args);
  }
  if ((rc = push_op(m, OP_APPLY)) || (rc = push_env(m, env)) ||
      (rc = push_val(m, opn)))
    return rc;
  for (l = args; clvm_is_pair(l); l = clvm__pair(a, l)->rest) {
    if ((rc = push_op(m, OP_CONS)) || (rc = push_val(m, clvm__pair(a, l)->first)) ||
        (rc = push_env(m, env)) || (rc = push_op(m, OP_SWAP_EVAL)))
      return rc;
  }
  if (!clvm_is_nil(a, l)) {
    a->err_node = l;
    a->err_msg = "bad operand list";
    return CP_CLVM_EVAL;
  }
  *cost = OP_COST;
  return push_val(m, CLVM_NIL);
}

/* uint_atom<size>: non-negative, fits size bytes after leading zeros. */
static int uint_arg(const struct clvm_alloc *a, clvm_node n, size_t size,
                    unsigned flags, uint64_t *out)
{
  const struct clvm_atom_ent *e;
  const uint8_t *p;
  size_t len;
  uint64_t v = 0;
  if (clvm_is_pair(n))
    return 0;
  e = clvm__atom(a, n);
  p = e->p;
  len = e->len;
  if (len && (p[0] & 0x80))
    return 0;
  if ((flags & CLVM_F_CANONICAL_INTS) && len && p[0] == 0 &&
      (len == 1 || !(p[1] & 0x80)))
    return 0;
  while (len && p[0] == 0) {
    p++;
    len--;
  }
  if (len > size)
    return 0;
  for (size_t i = 0; i < len; i++)
    v = v << 8 | p[i];
  *out = v;
  return 1;
}

static cp_err softfork(struct vm *m, clvm_node args, uint64_t max, uint64_t *cost)
{
  struct clvm_alloc *a = m->a;
  clvm_node v[4];
  uint64_t expected, ext;
  struct guard *g;
  cp_err rc;
  if (!clvm_is_pair(args) ||
      !uint_arg(a, clvm__pair(a, args)->first, 8, m->flags, &expected)) {
    a->err_node = args;
    a->err_msg = "softfork requires a cost";
    return CP_CLVM_EVAL;
  }
  if (expected == 0 || expected > max - m->cost) {
    a->err_node = args;
    a->err_msg = "cost exceeded";
    return CP_CLVM_COST;
  }
  if (clvm__args(a, args, 4, v, "softfork takes exactly 4 arguments") ||
      !uint_arg(a, v[1], 4, m->flags, &ext) || ext > 1) {
    /* extensions: 0 = the BLS set (now in the main table), 1 = keccak */
    if (m->flags & CLVM_F_NO_UNKNOWN_OPS) {
      a->err_node = args;
      a->err_msg = "unknown softfork extension";
      return CP_CLVM_BAD_OP;
    }
    *cost = expected;
    return push_val(m, CLVM_NIL);
  }
  if ((m->flags & CLVM_F_LIMIT_SOFTFORK) && m->nguards >= SOFTFORK_DEPTH) {
    a->err_node = args;
    a->err_msg = "too many softfork levels";
    return CP_CLVM_LIMIT;
  }
  if (m->nguards > SOFTFORK_DEPTH) {
    size_t i = m->nguards - SOFTFORK_DEPTH - 1;
    if ((rc = grow((void **)&m->extra, &m->xcap, i, sizeof *m->extra)))
      return rc;
  }
  g = guard_at(m, m->nguards++);
  g->start_cost = m->cost;
  g->expected = expected;
  g->max_cost = m->cost + expected;
  g->ext = (unsigned)ext;
  clvm_alloc_mark(a, &g->mark);
  if ((rc = push_op(m, OP_EXIT_GUARD)) || (rc = push_val(m, v[2])) ||
      (rc = push_env(m, v[3])) || (rc = push_op(m, OP_EVAL)))
    return rc;
  *cost = GUARD_COST;
  return CP_OK;
}

static cp_err apply(struct vm *m, uint64_t max, uint64_t *cost)
{
  struct clvm_alloc *a = m->a;
  clvm_node args = m->vals[--m->nvals], opn = m->vals[--m->nvals], res, v[2];
  unsigned flags;
  cp_err rc;
  m->nenvs--; /* the environment this form was evaluated in */
  if (is_byte_atom(a, opn, 2)) {
    if ((rc = clvm__args(a, args, 2, v, "apply requires exactly 2 parameters")))
      return rc;
    if ((rc = push_val(m, v[0])) || (rc = push_env(m, v[1])) ||
        (rc = push_op(m, OP_EVAL)))
      return rc;
    *cost = APPLY_COST;
    return CP_OK;
  }
  if (is_byte_atom(a, opn, 36))
    return softfork(m, args, max, cost);
  if (is_byte_atom(a, opn, 1)) {
    /* quote reached as an applied operator: not in the operator table */
    if (m->flags & CLVM_F_NO_UNKNOWN_OPS) {
      a->err_node = opn;
      a->err_msg = "unimplemented operator";
      return CP_CLVM_BAD_OP;
    }
    *cost = 1;
    return push_val(m, CLVM_NIL);
  }
  flags = m->flags;
  if (m->nguards && guard_at(m, m->nguards - 1)->ext == 1)
    flags |= CLVM_F__KECCAK_EXT;
  if ((rc = clvm__apply_op(a, opn, args, max - m->cost, flags, &res, cost)))
    return rc;
  return push_val(m, res);
}

static cp_err exit_guard(struct vm *m)
{
  struct guard *g = guard_at(m, --m->nguards);
  if (m->cost - g->start_cost != g->expected) {
    m->a->err_node = CLVM_NIL;
    m->a->err_msg = "softfork specified cost mismatch";
    return CP_CLVM_EVAL;
  }
  /* the guarded program's value and allocations are discarded */
  m->nvals--;
  clvm_alloc_restore(m->a, &g->mark);
  return push_val(m, CLVM_NIL);
}

cp_err clvm_run(struct clvm_alloc *a, clvm_node program, clvm_node env,
                uint64_t max_cost, unsigned flags, clvm_node *result,
                uint64_t *cost)
{
  struct vm m = { 0 };
  cp_err rc;
  m.a = a;
  m.flags = flags;
  m.max_cost = max_cost ? max_cost : UINT64_MAX;
  a->err_node = CLVM_NIL;
  a->err_msg = "";
  if ((rc = push_val(&m, program)) || (rc = push_env(&m, env)) ||
      (rc = push_op(&m, OP_EVAL)))
    goto out;
  while (m.nops) {
    uint64_t max = m.nguards ? guard_at(&m, m.nguards - 1)->max_cost : m.max_cost;
    uint64_t c = 0;
    clvm_node x, y, p;
    if (m.cost > max) {
      rc = CP_CLVM_COST;
      goto out;
    }
    switch (m.ops[--m.nops]) {
    case OP_EVAL:
      x = m.vals[--m.nvals];
      y = m.envs[--m.nenvs];
      rc = eval(&m, x, y, &c);
      break;
    case OP_SWAP_EVAL:
      p = m.vals[--m.nvals];
      x = m.vals[--m.nvals];
      y = m.envs[--m.nenvs];
      if (!(rc = push_val(&m, p)))
        rc = eval(&m, x, y, &c);
      break;
    case OP_CONS:
      x = m.vals[--m.nvals];
      y = m.vals[--m.nvals];
      if (!(rc = clvm_new_pair(a, x, y, &p)))
        rc = push_val(&m, p);
      break;
    case OP_APPLY:
      rc = apply(&m, max, &c);
      break;
    case OP_EXIT_GUARD:
      rc = exit_guard(&m);
      break;
    default:
      rc = CP_INTERNAL;
      break;
    }
    if (rc)
      goto out;
    m.cost += c;
  }
  if (m.cost > m.max_cost) {
    rc = CP_CLVM_COST;
    goto out;
  }
  *result = m.vals[0];
out:
  if (cost)
    *cost = m.cost;
  free(m.vals);
  free(m.envs);
  free(m.ops);
  free(m.extra);
  return rc;
}
