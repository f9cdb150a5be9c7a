/* CLVM serialisation: the plain format, the back-reference format used by
 * compressed block generators, canonical-form checks. All parsing loops are
 * iterative with heap stacks, so nesting depth is bounded by input length
 * and not by the C stack. */
#include "clvm/clvm_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* The size decoder refuses lengths of 2^34 and above (clvm_rs' limit). */
#define MAX_ATOM_LEN 0x400000000ull

/* Decode an atom whose first byte b was at p[*pos - 1]. *prefix gets the
 * number of prefix bytes (0 for a bare byte) for canonical checks. */
static cp_err read_atom(const uint8_t *p, size_t n, size_t *pos, uint8_t b,
                        const uint8_t **data, size_t *len, unsigned *prefix)
{
  unsigned ones = 0;
  uint64_t l;
  if (b < 0x80) {
    *data = p + *pos - 1;
    *len = 1;
    *prefix = 0;
    return CP_OK;
  }
  while (ones < 8 && (b & (0x80u >> ones)))
    ones++;
  if (ones > 6)
    return CP_CLVM_SERIAL;
  l = b & (0xffu >> ones);
  if (n - *pos < ones - 1)
    return CP_CLVM_SERIAL;
  for (unsigned i = 1; i < ones; i++)
    l = l << 8 | p[(*pos)++];
  if (l >= MAX_ATOM_LEN || l > n - *pos)
    return CP_CLVM_SERIAL;
  *data = p + *pos;
  *len = (size_t)l;
  *pos += (size_t)l;
  *prefix = ones;
  return CP_OK;
}

static int prefix_minimal(unsigned prefix, size_t len, const uint8_t *data)
{
  static const uint64_t min_len[7] = { 0, 0, 0x40, 0x2000, 0x100000, 0x8000000,
                                       UINT64_MAX };
  if (prefix == 0)
    return 1;
  if (prefix == 1)
    return len != 1 || data[0] >= 0x80;
  return len >= min_len[prefix];
}

struct stk {
  clvm_node *v;
  size_t n, cap;
};

static void stk_push(struct stk *s, clvm_node x)
{
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 64;
    s->v = xrealloc(s->v, s->cap * sizeof *s->v);
  }
  s->v[s->n++] = x;
}

/* Resolve a back-reference path against the value stack seen as a list
 * whose first element is the top of the stack. */
static cp_err backref(struct clvm_alloc *a, const struct stk *vals,
                      const uint8_t *path, size_t len, clvm_node *out)
{
  size_t k = 0, nbits, i;
  int in_stack = 1;
  clvm_node cur = CLVM_NIL;
  cp_err rc;
  while (len && path[0] == 0) {
    path++;
    len--;
  }
  if (!len) {
    *out = CLVM_NIL;
    return CP_OK;
  }
  /* steps = every bit below the highest set bit, LSB first */
  nbits = 8 * (len - 1);
  for (uint8_t t = path[0]; t > 1; t >>= 1)
    nbits++;
  for (i = 0; i < nbits; i++) {
    int bit = path[len - 1 - i / 8] >> (i % 8) & 1;
    if (in_stack) {
      if (k >= vals->n)
        return CP_CLVM_SERIAL; /* stepping into the nil that ends the stack */
      if (bit) {
        k++;
      } else {
        cur = vals->v[vals->n - 1 - k];
        in_stack = 0;
      }
    } else {
      if (clvm_is_atom(cur))
        return CP_CLVM_SERIAL;
      cur = bit ? clvm__pair(a, cur)->rest : clvm__pair(a, cur)->first;
    }
  }
  if (in_stack) {
    /* the rest of the stack as a fresh list, built from its bottom up */
    cur = CLVM_NIL;
    for (size_t j = 0; j + k < vals->n; j++)
      if ((rc = clvm_new_pair(a, vals->v[j], cur, &cur)))
        return rc;
  }
  *out = cur;
  return CP_OK;
}

enum { DE_PARSE, DE_CONS };

cp_err clvm_deserialize(struct clvm_alloc *a, const uint8_t *p, size_t n,
                        unsigned flags, clvm_node *out, size_t *used)
{
  struct stk vals = { 0 };
  uint8_t *ops = NULL;
  size_t nops = 0, ops_cap = 64, pos = 0;
  struct clvm_mark mark;
  cp_err rc = CP_OK;
  clvm_alloc_mark(a, &mark);
  ops = xmalloc(ops_cap);
  ops[nops++] = DE_PARSE;
  while (nops) {
    uint8_t op = ops[--nops], b;
    const uint8_t *data;
    size_t len;
    unsigned prefix;
    clvm_node node;
    if (op == DE_CONS) {
      clvm_node r = vals.v[--vals.n], l = vals.v[--vals.n];
      if ((rc = clvm_new_pair(a, l, r, &node)))
        goto out;
      stk_push(&vals, node);
      continue;
    }
    if (pos >= n) {
      rc = CP_CLVM_SERIAL;
      goto out;
    }
    b = p[pos++];
    if (b == 0xff) {
      if (nops + 3 > ops_cap) {
        ops_cap *= 2;
        ops = xrealloc(ops, ops_cap);
      }
      ops[nops++] = DE_CONS;
      ops[nops++] = DE_PARSE; /* right, parsed second */
      ops[nops++] = DE_PARSE; /* left, parsed first */
      continue;
    }
    if (b == 0xfe) {
      if (!(flags & CLVM_DE_BACKREFS) || pos >= n) {
        rc = CP_CLVM_SERIAL;
        goto out;
      }
      b = p[pos++];
      if (b == 0xff || b == 0xfe) {
        rc = CP_CLVM_SERIAL;
        goto out;
      }
      if ((rc = read_atom(p, n, &pos, b, &data, &len, &prefix)) ||
          (rc = backref(a, &vals, data, len, &node)))
        goto out;
      stk_push(&vals, node);
      continue;
    }
    if ((rc = read_atom(p, n, &pos, b, &data, &len, &prefix)))
      goto out;
    if (len == 0)
      node = CLVM_NIL;
    else if ((rc = clvm_new_atom(a, data, len, &node)))
      goto out;
    stk_push(&vals, node);
  }
  if (!(flags & CLVM_DE_PREFIX) && pos != n) {
    rc = CP_CLVM_SERIAL;
    goto out;
  }
  *out = vals.v[0];
  if (used)
    *used = pos;
out:
  if (rc)
    clvm_alloc_restore(a, &mark);
  free(vals.v);
  free(ops);
  return rc;
}

/* Walk one object; with backrefs allowed, also check canonical prefixes. */
static cp_err walk(const uint8_t *p, size_t n, int canon, size_t *len_out)
{
  size_t pending = 1, pos = 0;
  while (pending) {
    const uint8_t *data;
    size_t len;
    unsigned prefix;
    uint8_t b;
    if (pos >= n)
      return CP_CLVM_SERIAL;
    b = p[pos++];
    if (b == 0xff) {
      pending++;
      continue;
    }
    if (b == 0xfe) {
      if (!canon || pos >= n)
        return CP_CLVM_SERIAL;
      b = p[pos++];
      if (b == 0xff || b == 0xfe)
        return CP_CLVM_SERIAL;
    }
    if (read_atom(p, n, &pos, b, &data, &len, &prefix))
      return CP_CLVM_SERIAL;
    if (canon && !prefix_minimal(prefix, len, data))
      return CP_CLVM_SERIAL;
    pending--;
  }
  *len_out = pos;
  return CP_OK;
}

cp_err clvm_serialized_length(const uint8_t *p, size_t n, size_t *len)
{
  return walk(p, n, 0, len);
}

int clvm_is_canonical(const uint8_t *p, size_t n)
{
  size_t len;
  return !walk(p, n, 1, &len) && len == n;
}

static cp_err write_atom(struct buf *out, const uint8_t *p, size_t len)
{
  uint8_t h[5];
  size_t hn;
  cp_err rc;
  if (len == 0)
    return buf_append_u8(out, 0x80);
  if (len == 1 && p[0] < 0x80)
    return buf_append_u8(out, p[0]);
  if (len < 0x40) {
    h[0] = (uint8_t)(0x80 | len);
    hn = 1;
  } else if (len < 0x2000) {
    h[0] = (uint8_t)(0xc0 | len >> 8);
    h[1] = (uint8_t)len;
    hn = 2;
  } else if (len < 0x100000) {
    h[0] = (uint8_t)(0xe0 | len >> 16);
    h[1] = (uint8_t)(len >> 8);
    h[2] = (uint8_t)len;
    hn = 3;
  } else if (len < 0x8000000) {
    h[0] = (uint8_t)(0xf0 | len >> 24);
    h[1] = (uint8_t)(len >> 16);
    h[2] = (uint8_t)(len >> 8);
    h[3] = (uint8_t)len;
    hn = 4;
  } else {
    uint64_t l = len;
    if (l >= MAX_ATOM_LEN)
      return CP_TOO_BIG;
    h[0] = (uint8_t)(0xf8 | l >> 32);
    h[1] = (uint8_t)(l >> 24);
    h[2] = (uint8_t)(l >> 16);
    h[3] = (uint8_t)(l >> 8);
    h[4] = (uint8_t)l;
    hn = 5;
  }
  if ((rc = buf_append(out, h, hn)))
    return rc;
  return buf_append(out, p, len);
}

cp_err clvm_serialize(const struct clvm_alloc *a, clvm_node root, struct buf *out)
{
  struct stk st = { 0 };
  cp_err rc = CP_OK;
  stk_push(&st, root);
  while (st.n) {
    clvm_node x = st.v[--st.n];
    if (clvm_is_pair(x)) {
      if ((rc = buf_append_u8(out, 0xff)))
        goto out;
      stk_push(&st, clvm__pair(a, x)->rest);
      stk_push(&st, clvm__pair(a, x)->first);
    } else {
      const struct clvm_atom_ent *e = clvm__atom(a, x);
      if ((rc = write_atom(out, e->p, e->len)))
        goto out;
    }
  }
out:
  free(st.v);
  return rc;
}
