/* Node arena: atoms and pairs in growable index-addressed arrays, atom bytes
 * in a chunked heap. The heap never moves existing bytes (new chunks are
 * added instead of reallocating), so pointers returned by clvm_atom() stay
 * valid while operators allocate their results. */
#include "clvm/clvm_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define CHUNK_FIRST (4u * 1024u)
#define EQUAL_WALK_MAX 1000000u

static const uint8_t one_byte = 1;

struct clvm_alloc *clvm_alloc_new(size_t heap_limit)
{
  struct clvm_alloc *a = xcalloc(1, sizeof *a);
  a->heap_limit = heap_limit ? heap_limit : CLVM_HEAP_LIMIT_DEFAULT;
  a->atom_cap = 64;
  a->atoms = xmalloc(a->atom_cap * sizeof *a->atoms);
  a->pair_cap = 64;
  a->pairs = xmalloc(a->pair_cap * sizeof *a->pairs);
  a->atoms[0].p = &one_byte; /* any non-NULL pointer; length 0 */
  a->atoms[0].len = 0;
  a->atoms[1].p = &one_byte;
  a->atoms[1].len = 1;
  a->natoms = 2;
  a->err_msg = "";
  return a;
}

void clvm_alloc_free(struct clvm_alloc *a)
{
  if (!a)
    return;
  for (size_t i = 0; i < a->nchunks; i++)
    free(a->chunks[i].p);
  free(a->chunks);
  free(a->atoms);
  free(a->pairs);
  free(a->hcache);
  free(a->hvalid);
  free(a);
}

void clvm_alloc_mark(const struct clvm_alloc *a, struct clvm_mark *m)
{
  m->atoms = a->natoms;
  m->pairs = a->npairs;
  m->heap = a->heap;
  m->chunks = a->nchunks;
  m->chunk_used = a->nchunks ? a->chunks[a->nchunks - 1].used : 0;
}

void clvm_alloc_restore(struct clvm_alloc *a, const struct clvm_mark *m)
{
  while (a->nchunks > m->chunks)
    free(a->chunks[--a->nchunks].p);
  if (a->nchunks)
    a->chunks[a->nchunks - 1].used = m->chunk_used;
  a->natoms = m->atoms;
  if (a->hvalid && a->npairs > m->pairs) {
    uint32_t end = a->npairs < a->hcap ? a->npairs : a->hcap;
    for (uint32_t i = m->pairs; i < end; i++)
      a->hvalid[i >> 3] &= (uint8_t)~(1u << (i & 7));
  }
  a->npairs = m->pairs;
  a->heap = m->heap;
}

size_t clvm_alloc_atoms(const struct clvm_alloc *a) { return a->natoms; }
size_t clvm_alloc_pairs(const struct clvm_alloc *a) { return a->npairs; }
size_t clvm_alloc_heap(const struct clvm_alloc *a) { return a->heap; }

/* Reserve n heap bytes (n > 0) that never move. */
static cp_err heap_take(struct clvm_alloc *a, size_t n, uint8_t **out)
{
  struct clvm_chunk *c;
  if (n > a->heap_limit - a->heap)
    return CP_CLVM_LIMIT;
  c = a->nchunks ? &a->chunks[a->nchunks - 1] : NULL;
  if (!c || c->cap - c->used < n) {
    /* start small (most arenas hold one puzzle) and double up to 256 KiB */
    size_t cap = (size_t)CHUNK_FIRST << (a->nchunks < 6 ? a->nchunks : 6);
    if (cap < n)
      cap = n;
    if (a->nchunks == a->chunk_cap) {
      a->chunk_cap = a->chunk_cap ? 2 * a->chunk_cap : 16;
      a->chunks = xrealloc(a->chunks, a->chunk_cap * sizeof *a->chunks);
    }
    c = &a->chunks[a->nchunks++];
    c->p = xmalloc(cap);
    c->cap = cap;
    c->used = 0;
  }
  *out = c->p + c->used;
  c->used += n;
  a->heap += n;
  return CP_OK;
}

static cp_err atom_slot(struct clvm_alloc *a, clvm_node *out)
{
  if (a->natoms >= CLVM_MAX_ATOMS)
    return CP_CLVM_LIMIT;
  if (a->natoms == a->atom_cap) {
    a->atom_cap *= 2;
    a->atoms = xrealloc(a->atoms, a->atom_cap * sizeof *a->atoms);
  }
  *out = (clvm_node)a->natoms << 1;
  return CP_OK;
}

cp_err clvm__new_atom_buf(struct clvm_alloc *a, size_t n, uint8_t **buf,
                          clvm_node *out)
{
  cp_err rc;
  uint8_t *p = (uint8_t *)&one_byte;
  if (n > UINT32_MAX)
    return CP_CLVM_LIMIT;
  if ((rc = atom_slot(a, out)))
    return rc;
  if (n && (rc = heap_take(a, n, &p)))
    return rc;
  a->atoms[a->natoms].p = p;
  a->atoms[a->natoms].len = (uint32_t)n;
  a->natoms++;
  *buf = p;
  return CP_OK;
}

cp_err clvm_new_atom(struct clvm_alloc *a, const void *p, size_t n, clvm_node *out)
{
  uint8_t *dst;
  cp_err rc = clvm__new_atom_buf(a, n, &dst, out);
  if (!rc && n)
    memcpy(dst, p, n);
  return rc;
}

cp_err clvm_new_pair(struct clvm_alloc *a, clvm_node first, clvm_node rest,
                     clvm_node *out)
{
  if (a->npairs >= CLVM_MAX_PAIRS)
    return CP_CLVM_LIMIT;
  if (a->npairs == a->pair_cap) {
    a->pair_cap *= 2;
    a->pairs = xrealloc(a->pairs, a->pair_cap * sizeof *a->pairs);
  }
  a->pairs[a->npairs].first = first;
  a->pairs[a->npairs].rest = rest;
  *out = (clvm_node)a->npairs << 1 | 1u;
  a->npairs++;
  return CP_OK;
}

cp_err clvm_new_substr(struct clvm_alloc *a, clvm_node atom, size_t start,
                       size_t end, clvm_node *out)
{
  const struct clvm_atom_ent *e;
  cp_err rc;
  if (clvm_is_pair(atom))
    return CP_INVAL;
  e = &a->atoms[atom >> 1];
  if (start > end || end > e->len)
    return CP_INVAL;
  if ((rc = atom_slot(a, out)))
    return rc;
  /* re-read: atom_slot may have moved the table */
  e = &a->atoms[atom >> 1];
  a->atoms[a->natoms].p = e->p + start;
  a->atoms[a->natoms].len = (uint32_t)(end - start);
  a->natoms++;
  return CP_OK;
}

cp_err clvm_new_int(struct clvm_alloc *a, int64_t v, clvm_node *out)
{
  uint8_t b[9];
  size_t n = clvm_int_encode(v, b);
  return clvm_new_atom(a, b, n, out);
}

cp_err clvm_new_u64(struct clvm_alloc *a, uint64_t v, clvm_node *out)
{
  uint8_t b[9];
  size_t n = clvm_u64_encode(v, b);
  return clvm_new_atom(a, b, n, out);
}

cp_err clvm_new_list(struct clvm_alloc *a, const clvm_node *items, size_t n,
                     clvm_node *out)
{
  clvm_node acc = CLVM_NIL;
  cp_err rc;
  while (n--)
    if ((rc = clvm_new_pair(a, items[n], acc, &acc)))
      return rc;
  *out = acc;
  return CP_OK;
}

clvm_node clvm_first(const struct clvm_alloc *a, clvm_node n)
{
  return clvm_is_pair(n) ? a->pairs[n >> 1].first : CLVM_NIL;
}

clvm_node clvm_rest(const struct clvm_alloc *a, clvm_node n)
{
  return clvm_is_pair(n) ? a->pairs[n >> 1].rest : CLVM_NIL;
}

const uint8_t *clvm_atom(const struct clvm_alloc *a, clvm_node n, size_t *len)
{
  if (clvm_is_pair(n)) {
    if (len)
      *len = 0;
    return NULL;
  }
  if (len)
    *len = a->atoms[n >> 1].len;
  return a->atoms[n >> 1].p;
}

size_t clvm_atom_len(const struct clvm_alloc *a, clvm_node n)
{
  return clvm_is_pair(n) ? 0 : a->atoms[n >> 1].len;
}

int clvm_is_nil(const struct clvm_alloc *a, clvm_node n)
{
  return clvm_is_atom(n) && a->atoms[n >> 1].len == 0;
}

int clvm_equal(const struct clvm_alloc *a, clvm_node x, clvm_node y)
{
  size_t cap = 64, top = 0, steps = 0;
  clvm_node *st = xmalloc(cap * sizeof *st);
  int eq = 1;
  st[top++] = x;
  st[top++] = y;
  while (top && eq) {
    if (++steps > EQUAL_WALK_MAX) {
      /* shared subtrees can make a small DAG an exponential tree: compare
       * the (cached, linear-time) tree hashes instead */
      uint8_t hx[32], hy[32];
      clvm_tree_hash(a, x, hx);
      clvm_tree_hash(a, y, hy);
      eq = !memcmp(hx, hy, 32);
      break;
    }
    clvm_node v = st[--top], u = st[--top];
    if (u == v)
      continue;
    if (clvm_is_pair(u) != clvm_is_pair(v)) {
      eq = 0;
    } else if (clvm_is_atom(u)) {
      size_t lu, lv;
      const uint8_t *pu = clvm_atom(a, u, &lu), *pv = clvm_atom(a, v, &lv);
      eq = lu == lv && (!lu || !memcmp(pu, pv, lu));
    } else {
      if (top + 4 > cap) {
        cap *= 2;
        st = xrealloc(st, cap * sizeof *st);
      }
      st[top++] = a->pairs[u >> 1].first;
      st[top++] = a->pairs[v >> 1].first;
      st[top++] = a->pairs[u >> 1].rest;
      st[top++] = a->pairs[v >> 1].rest;
    }
  }
  free(st);
  return eq;
}

/* --- integers --- */

size_t clvm_int_encode(int64_t v, uint8_t out[9])
{
  uint8_t b[8];
  size_t i = 0;
  if (!v)
    return 0;
  be64_store(b, (uint64_t)v);
  /* drop a leading byte while the next one carries the same sign */
  while (i < 7 && ((b[i] == 0 && !(b[i + 1] & 0x80)) ||
                   (b[i] == 0xff && (b[i + 1] & 0x80))))
    i++;
  memcpy(out, b + i, 8 - i);
  return 8 - i;
}

size_t clvm_u64_encode(uint64_t v, uint8_t out[9])
{
  if (v >> 63) {
    out[0] = 0;
    be64_store(out + 1, v);
    return 9;
  }
  return clvm_int_encode((int64_t)v, out);
}

int clvm_int_is_canonical(const uint8_t *p, size_t n)
{
  if (n == 0)
    return 1;
  if (n == 1)
    return p[0] != 0;
  if (p[0] == 0 && !(p[1] & 0x80))
    return 0;
  if (p[0] == 0xff && (p[1] & 0x80))
    return 0;
  return 1;
}

/* Strip redundant sign bytes so at most 9 bytes remain for 64-bit values. */
static size_t int_trim(const uint8_t **pp, size_t n)
{
  const uint8_t *p = *pp;
  while (n > 1 && ((p[0] == 0 && !(p[1] & 0x80)) ||
                   (p[0] == 0xff && (p[1] & 0x80)))) {
    p++;
    n--;
  }
  *pp = p;
  return n;
}

cp_err clvm_to_i64(const struct clvm_alloc *a, clvm_node n, int64_t *out)
{
  size_t len;
  const uint8_t *p = clvm_atom(a, n, &len);
  uint64_t v;
  if (!p)
    return CP_INVAL;
  if (!len) {
    *out = 0;
    return CP_OK;
  }
  len = int_trim(&p, len);
  if (len > 8)
    return CP_BAD_NUMBER;
  v = (p[0] & 0x80) ? UINT64_MAX : 0;
  for (size_t i = 0; i < len; i++)
    v = v << 8 | p[i];
  *out = (int64_t)v;
  return CP_OK;
}

cp_err clvm_to_u64(const struct clvm_alloc *a, clvm_node n, uint64_t *out)
{
  size_t len;
  const uint8_t *p = clvm_atom(a, n, &len);
  uint64_t v = 0;
  if (!p)
    return CP_INVAL;
  if (len && (p[0] & 0x80))
    return CP_BAD_NUMBER;
  while (len && p[0] == 0) {
    p++;
    len--;
  }
  if (len > 8)
    return CP_BAD_NUMBER;
  for (size_t i = 0; i < len; i++)
    v = v << 8 | p[i];
  *out = v;
  return CP_OK;
}

/* --- lists --- */

cp_err clvm_list_len(const struct clvm_alloc *a, clvm_node list, size_t *n)
{
  size_t k = 0;
  while (clvm_is_pair(list)) {
    k++;
    list = a->pairs[list >> 1].rest;
  }
  if (a->atoms[list >> 1].len)
    return CP_INVAL;
  *n = k;
  return CP_OK;
}

cp_err clvm_list_items(const struct clvm_alloc *a, clvm_node list,
                       clvm_node *items, size_t cap, size_t *n)
{
  size_t k = 0;
  while (clvm_is_pair(list)) {
    if (k == cap)
      return CP_TOO_BIG;
    items[k++] = a->pairs[list >> 1].first;
    list = a->pairs[list >> 1].rest;
  }
  if (a->atoms[list >> 1].len)
    return CP_INVAL;
  *n = k;
  return CP_OK;
}

clvm_node clvm_last_error_node(const struct clvm_alloc *a) { return a->err_node; }
const char *clvm_last_error_msg(const struct clvm_alloc *a) { return a->err_msg; }
