/* sha256 tree hash, curry and uncurry.
 *
 * Hashes of pairs are cached per arena (nodes are immutable), so a DAG made
 * by back-references is hashed in time linear in its distinct nodes, not in
 * its exponential tree size, and a puzzle hashed twice costs nothing. */
#include "clvm/clvm_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "util/xalloc.h"

/* sha256(0x01 || k) for k = 0 (nil) .. 4 are the atoms curried forms use
 * most; nil and 1 appear in every curried program. */
static const uint8_t hash_nil[32] = {
  0x4b, 0xf5, 0x12, 0x2f, 0x34, 0x45, 0x54, 0xc5, 0x3b, 0xde, 0x2e,
  0xbb, 0x8c, 0xd2, 0xb7, 0xe3, 0xd1, 0x60, 0x0a, 0xd6, 0x31, 0xc3,
  0x85, 0xa5, 0xd7, 0xcc, 0xe2, 0x3c, 0x77, 0x85, 0x45, 0x9a };

/* Hashes of all 1-byte atoms: operators and short paths are most of the
 * atoms in a puzzle. Filled once; the values never change. */
static uint8_t byte_hash[256][32];
static pthread_once_t byte_hash_once = PTHREAD_ONCE_INIT;

static void byte_hash_init(void)
{
  for (unsigned i = 0; i < 256; i++) {
    struct sha256_ctx c;
    uint8_t b[2] = { 1, (uint8_t)i };
    sha256_init(&c);
    sha256_update(&c, b, 2);
    sha256_final(&c, byte_hash[i]);
  }
}

void clvm_tree_hash_atom(const void *p, size_t n, uint8_t out[32])
{
  struct sha256_ctx c;
  static const uint8_t tag = 1;
  if (!n) {
    memcpy(out, hash_nil, 32);
    return;
  }
  if (n == 1) {
    pthread_once(&byte_hash_once, byte_hash_init);
    memcpy(out, byte_hash[*(const uint8_t *)p], 32);
    return;
  }
  sha256_init(&c);
  sha256_update(&c, &tag, 1);
  sha256_update(&c, p, n);
  sha256_final(&c, out);
}

void clvm_tree_hash_pair(const uint8_t first[32], const uint8_t rest[32],
                         uint8_t out[32])
{
  /* not the one-shot sha256(): in OpenSSL 3 it fetches the digest by name
   * on every call, which made tree hashing several times slower */
  struct sha256_ctx c;
  uint8_t b[65];
  b[0] = 2;
  memcpy(b + 1, first, 32);
  memcpy(b + 33, rest, 32);
  sha256_init(&c);
  sha256_update(&c, b, sizeof b);
  sha256_final(&c, out);
}

static void cache_reserve(struct clvm_alloc *a)
{
  uint32_t cap;
  if (a->hcap >= a->npairs)
    return;
  cap = a->hcap ? a->hcap : 256;
  while (cap < a->npairs)
    cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
  a->hcache = xrealloc(a->hcache, (size_t)cap * 32);
  a->hvalid = xrealloc(a->hvalid, ((size_t)cap + 7) / 8);
  memset(a->hvalid + (a->hcap + 7) / 8, 0, ((size_t)cap + 7) / 8 - (a->hcap + 7) / 8);
  /* the byte holding bits hcap.. may be shared with old bits: clear them */
  if (a->hcap & 7)
    a->hvalid[a->hcap / 8] &= (uint8_t)((1u << (a->hcap & 7)) - 1);
  a->hcap = cap;
}

static int cached(const struct clvm_alloc *a, clvm_node n)
{
  uint32_t i = n >> 1;
  return a->hvalid[i >> 3] >> (i & 7) & 1;
}

static void node_hash(const struct clvm_alloc *a, clvm_node n, uint8_t out[32])
{
  if (clvm_is_pair(n)) {
    memcpy(out, a->hcache[n >> 1], 32);
  } else {
    const struct clvm_atom_ent *e = clvm__atom(a, n);
    clvm_tree_hash_atom(e->p, e->len, out);
  }
}

void clvm_tree_hash(const struct clvm_alloc *ca, clvm_node root, uint8_t out[32])
{
  /* the cache is not part of the arena's observable state */
  struct clvm_alloc *a = (struct clvm_alloc *)ca;
  clvm_node *st;
  size_t top = 0, cap = 64;
  if (clvm_is_atom(root)) {
    node_hash(a, root, out);
    return;
  }
  cache_reserve(a);
  st = xmalloc(cap * sizeof *st);
  st[top++] = root;
  /* a pair is popped once its children are cached; otherwise it is kept
   * and its uncached children are pushed above it */
  while (top) {
    clvm_node x = st[top - 1];
    const struct clvm_pair_ent *pe;
    int need = 0;
    if (cached(a, x)) {
      top--;
      continue;
    }
    pe = clvm__pair(a, x);
    if (top + 2 > cap) {
      cap *= 2;
      st = xrealloc(st, cap * sizeof *st);
    }
    if (clvm_is_pair(pe->rest) && !cached(a, pe->rest)) {
      st[top++] = pe->rest;
      need = 1;
    }
    if (clvm_is_pair(pe->first) && !cached(a, pe->first)) {
      st[top++] = pe->first;
      need = 1;
    }
    if (!need) {
      uint8_t h1[32], h2[32];
      uint32_t i = x >> 1;
      node_hash(a, pe->first, h1);
      node_hash(a, pe->rest, h2);
      clvm_tree_hash_pair(h1, h2, a->hcache[i]);
      a->hvalid[i >> 3] |= (uint8_t)(1u << (i & 7));
      top--;
    }
  }
  free(st);
  memcpy(out, a->hcache[root >> 1], 32);
}

cp_err clvm_tree_hash_bytes(const uint8_t *p, size_t n, uint8_t out[32])
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  clvm_node node;
  cp_err rc = clvm_deserialize(a, p, n, 0, &node, NULL);
  if (!rc)
    clvm_tree_hash(a, node, out);
  clvm_alloc_free(a);
  return rc;
}

/* --- curry --- */

static cp_err quote(struct clvm_alloc *a, clvm_node x, clvm_node *out)
{
  return clvm_new_pair(a, CLVM_ONE, x, out);
}

/* (op a b) as a list */
static cp_err form2(struct clvm_alloc *a, clvm_node op, clvm_node x, clvm_node y,
                    clvm_node *out)
{
  clvm_node items[3] = { op, x, y };
  return clvm_new_list(a, items, 3, out);
}

cp_err clvm_curry(struct clvm_alloc *a, clvm_node mod, const clvm_node *args,
                  size_t nargs, clvm_node *out)
{
  clvm_node env = CLVM_ONE, q, op_a, op_c;
  cp_err rc;
  uint8_t b2 = 2, b4 = 4;
  if ((rc = clvm_new_atom(a, &b2, 1, &op_a)) || (rc = clvm_new_atom(a, &b4, 1, &op_c)))
    return rc;
  for (size_t i = nargs; i-- > 0;) {
    if ((rc = quote(a, args[i], &q)) || (rc = form2(a, op_c, q, env, &env)))
      return rc;
  }
  if ((rc = quote(a, mod, &q)))
    return rc;
  return form2(a, op_a, q, env, out);
}

static int atom_is(const struct clvm_alloc *a, clvm_node n, uint8_t v)
{
  const struct clvm_atom_ent *e;
  if (clvm_is_pair(n))
    return 0;
  e = clvm__atom(a, n);
  return e->len == 1 && e->p[0] == v;
}

/* Match (OP x y) and return x, y. */
static int match2(const struct clvm_alloc *a, clvm_node n, uint8_t op,
                  clvm_node *x, clvm_node *y)
{
  clvm_node r1, r2;
  if (!clvm_is_pair(n) || !atom_is(a, clvm__pair(a, n)->first, op))
    return 0;
  r1 = clvm__pair(a, n)->rest;
  if (!clvm_is_pair(r1))
    return 0;
  r2 = clvm__pair(a, r1)->rest;
  if (!clvm_is_pair(r2) || !clvm_is_nil(a, clvm__pair(a, r2)->rest))
    return 0;
  *x = clvm__pair(a, r1)->first;
  *y = clvm__pair(a, r2)->first;
  return 1;
}

cp_err clvm_uncurry(const struct clvm_alloc *a, clvm_node prog, clvm_node *mod,
                    clvm_node *args, size_t cap, size_t *nargs)
{
  clvm_node qmod, env, qarg;
  size_t k = 0;
  if (!match2(a, prog, 2, &qmod, &env) || !clvm_is_pair(qmod) ||
      !atom_is(a, clvm__pair(a, qmod)->first, 1))
    return CP_NOT_FOUND;
  /* validate the whole shape before reporting anything */
  for (clvm_node e = env; !atom_is(a, e, 1);) {
    if (!match2(a, e, 4, &qarg, &e) || !clvm_is_pair(qarg) ||
        !atom_is(a, clvm__pair(a, qarg)->first, 1))
      return CP_NOT_FOUND;
    k++;
  }
  if (k > cap)
    return CP_TOO_BIG;
  k = 0;
  for (clvm_node e = env; !atom_is(a, e, 1);) {
    match2(a, e, 4, &qarg, &e);
    args[k++] = clvm__pair(a, qarg)->rest;
  }
  *mod = clvm__pair(a, qmod)->rest;
  *nargs = k;
  return CP_OK;
}

void clvm_curry_tree_hash(const uint8_t mod_hash[32],
                          const uint8_t (*arg_hashes)[32], size_t nargs,
                          uint8_t out[32])
{
  uint8_t h_one[32], h_a[32], h_c[32], env[32], t[32], qx[32];
  const uint8_t v1 = 1, v2 = 2, v4 = 4;
  clvm_tree_hash_atom(&v1, 1, h_one);
  clvm_tree_hash_atom(&v2, 1, h_a);
  clvm_tree_hash_atom(&v4, 1, h_c);
  memcpy(env, h_one, 32);
  for (size_t i = nargs; i-- > 0;) {
    /* (c (q . arg) env) */
    clvm_tree_hash_pair(h_one, arg_hashes[i], qx);
    clvm_tree_hash_pair(env, hash_nil, t);
    clvm_tree_hash_pair(qx, t, t);
    clvm_tree_hash_pair(h_c, t, env);
  }
  /* (a (q . mod) env) */
  clvm_tree_hash_pair(h_one, mod_hash, qx);
  clvm_tree_hash_pair(env, hash_nil, t);
  clvm_tree_hash_pair(qx, t, t);
  clvm_tree_hash_pair(h_a, t, out);
}
