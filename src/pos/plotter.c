#include "pos/plotter.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "pos/pos_f.h"
#include "util/buf.h"

#define PROOF_XS 64
/* chiapos gives up on a bucket pair with this many matches; with ~236
 * entries per bucket the expectation is ~236, so it never happens. */
#define MATCH_CAP 10000

struct meta128 {
  uint64_t lo, hi;
};

struct pos_plot {
  unsigned k;
  uint8_t id[32];
  uint64_t n[8];     /* entries of table t, index 1..7 */
  uint32_t *x1;      /* table 1 in y order: its x values */
  uint32_t *ptr[8];  /* tables 2..7 in y order: (left, right) positions */
  uint32_t *f7;      /* table 7 in y order: top k bits of f7 */
};

/* ---- sorting ------------------------------------------------------------ */

/* LSD radix sort of keys on bits [lo, lo + nbits); stable, so the low bits
 * (an index) break ties deterministically. Returns whichever of keys/tmp
 * holds the result. */
static uint64_t *radix_sort(uint64_t *keys, uint64_t *tmp, size_t n,
                            unsigned lo, unsigned nbits)
{
  enum { MAX_DIGIT = 12 };
  size_t count[1u << MAX_DIGIT];
  unsigned passes = (nbits + MAX_DIGIT - 1) / MAX_DIGIT;
  unsigned width = (nbits + passes - 1) / passes;
  uint64_t mask = (1u << width) - 1;

  for (unsigned p = 0; p < passes; p++) {
    unsigned shift = lo + p * width;
    size_t sum = 0;
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
      count[(keys[i] >> shift) & mask]++;
    for (size_t d = 0; d <= mask; d++) {
      size_t c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++)
      tmp[count[(keys[i] >> shift) & mask]++] = keys[i];
    uint64_t *s = keys;
    keys = tmp;
    tmp = s;
  }
  return keys;
}

/* ---- building ----------------------------------------------------------- */

/* The table being produced: unsorted entries in match order. */
struct grow {
  size_t n, cap;
  uint64_t *y;
  struct meta128 *meta; /* NULL for table 7 */
  uint32_t *ptr;
};

static cp_err grow_reserve(struct grow *g, size_t want)
{
  size_t cap;
  void *p;

  if (want <= g->cap)
    return CP_OK;
  cap = g->cap + g->cap / 2;
  if (cap < want)
    cap = want;
  if (!(p = realloc(g->y, cap * sizeof *g->y)))
    return CP_NOMEM;
  g->y = p;
  if (g->meta) {
    if (!(p = realloc(g->meta, cap * sizeof *g->meta)))
      return CP_NOMEM;
    g->meta = p;
  }
  if (!(p = realloc(g->ptr, cap * 2 * sizeof *g->ptr)))
    return CP_NOMEM;
  g->ptr = p;
  g->cap = cap;
  return CP_OK;
}

static void meta_load(struct pos_meta *m, const struct meta128 *s)
{
  m->w[0] = s->lo;
  m->w[1] = s->hi;
  m->w[2] = 0;
  m->w[3] = 0;
}

/* Table 1: every x in [0, 2^k) sorted by f1(x). Leaves the y-sorted ys in
 * *y_out and x (the metadata) in *meta_out. */
static cp_err build_table1(struct pos_plot *p, uint64_t **y_out,
                           struct meta128 **meta_out)
{
  enum { CHUNK = 4096 };
  uint64_t ys[CHUNK];
  size_t n = (size_t)1 << p->k;
  uint64_t *keys = NULL, *tmp = NULL, *sorted;
  struct meta128 *meta = NULL;
  struct pos_f1 f1;
  cp_err rc;

  if ((rc = pos_f1_init(&f1, p->k, p->id)))
    return rc;
  keys = malloc(n * sizeof *keys);
  tmp = malloc(n * sizeof *tmp);
  p->x1 = malloc(n * sizeof *p->x1);
  meta = malloc(n * sizeof *meta);
  if (!keys || !tmp || !p->x1 || !meta) {
    rc = CP_NOMEM;
    goto out;
  }
  for (size_t x0 = 0; x0 < n; x0 += CHUNK) {
    size_t m = n - x0 < CHUNK ? n - x0 : CHUNK;
    pos_f1_range(&f1, x0, m, ys);
    for (size_t i = 0; i < m; i++)
      keys[x0 + i] = ys[i] << 32 | (x0 + i);
  }
  sorted = radix_sort(keys, tmp, n, 32, p->k + POS_EXTRA_BITS);
  for (size_t i = 0; i < n; i++) {
    p->x1[i] = (uint32_t)sorted[i];
    meta[i].lo = p->x1[i];
    meta[i].hi = 0;
    sorted[i] >>= 32;
  }
  p->n[1] = n;
  *y_out = sorted;
  *meta_out = meta;
  meta = NULL;
  free(sorted == keys ? tmp : keys);
  keys = tmp = NULL;
out:
  free(keys);
  free(tmp);
  free(meta);
  return rc;
}

/* Every match between consecutive buckets of the y-sorted table t-1, in
 * table order. The left entry is always the one in the lower bucket, which
 * makes the back pointers already proof-ordered. */
static cp_err match_table(const struct pos_plot *p, unsigned t,
                          struct pos_matcher *mt, const uint64_t *y,
                          const struct meta128 *meta, size_t n, struct grow *g,
                          uint32_t *il, uint32_t *ir)
{
  size_t i = 0;
  cp_err rc;

  while (i < n) {
    uint64_t b = y[i] / POS_BC;
    size_t j = i, e, nm;

    while (j < n && y[j] / POS_BC == b)
      j++;
    if (j == n || y[j] / POS_BC != b + 1) {
      i = j;
      continue;
    }
    e = j;
    while (e < n && y[e] / POS_BC == b + 1)
      e++;
    rc = pos_matcher_run(mt, y + i, j - i, y + j, e - j, sizeof *y, il, ir,
                         MATCH_CAP, &nm);
    if (rc)
      return rc == CP_TOO_BIG ? CP_INTERNAL : rc;
    if ((rc = grow_reserve(g, g->n + nm)))
      return rc;
    for (size_t m = 0; m < nm; m++) {
      size_t l = i + il[m], r = j + ir[m];
      struct pos_meta ml, mr, mo;

      meta_load(&ml, &meta[l]);
      meta_load(&mr, &meta[r]);
      g->y[g->n] = pos_fx(t, p->k, y[l], &ml, &mr, &mo);
      if (g->meta) {
        g->meta[g->n].lo = mo.w[0];
        g->meta[g->n].hi = mo.w[1];
      }
      g->ptr[2 * g->n] = (uint32_t)l;
      g->ptr[2 * g->n + 1] = (uint32_t)r;
      g->n++;
    }
    i = j;
  }
  return CP_OK;
}

/* Builds table t from the y-sorted table t-1 (*y, *meta, n entries; both
 * consumed) and replaces them with table t's, y-sorted. */
static cp_err build_table(struct pos_plot *p, unsigned t, struct pos_matcher *mt,
                          uint64_t **y, struct meta128 **meta)
{
  struct grow g = { 0 };
  uint64_t *tmp = NULL, *sorted;
  struct meta128 *smeta = NULL;
  uint32_t *il = NULL, *ir = NULL;
  size_t n = p->n[t - 1];
  cp_err rc;

  il = malloc(MATCH_CAP * sizeof *il);
  ir = malloc(MATCH_CAP * sizeof *ir);
  if (t < 7 && !(g.meta = malloc(sizeof *g.meta)))
    rc = CP_NOMEM;
  else if (!il || !ir)
    rc = CP_NOMEM;
  else
    rc = grow_reserve(&g, n + n / 8 + 4096);
  if (rc)
    goto out;
  if ((rc = match_table(p, t, mt, *y, *meta, n, &g, il, ir)))
    goto out;
  free(*y);
  free(*meta);
  *y = NULL;
  *meta = NULL;

  /* sort keys y << 32 | unsorted index, then gather by the index */
  if (!(tmp = malloc((g.n ? g.n : 1) * sizeof *tmp))) {
    rc = CP_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < g.n; i++)
    g.y[i] = g.y[i] << 32 | i;
  sorted = radix_sort(g.y, tmp, g.n, 32, p->k + POS_EXTRA_BITS);
  p->ptr[t] = malloc((g.n ? g.n : 1) * 2 * sizeof *p->ptr[t]);
  if (!p->ptr[t] ||
      (g.meta && !(smeta = malloc((g.n ? g.n : 1) * sizeof *smeta)))) {
    rc = CP_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < g.n; i++) {
    uint32_t src = (uint32_t)sorted[i];
    p->ptr[t][2 * i] = g.ptr[2 * src];
    p->ptr[t][2 * i + 1] = g.ptr[2 * src + 1];
    if (smeta)
      smeta[i] = g.meta[src];
    sorted[i] >>= 32;
  }
  p->n[t] = g.n;
  if (t == 7) {
    if (!(p->f7 = malloc((g.n ? g.n : 1) * sizeof *p->f7))) {
      rc = CP_NOMEM;
      goto out;
    }
    for (size_t i = 0; i < g.n; i++)
      p->f7[i] = (uint32_t)(sorted[i] >> POS_EXTRA_BITS);
  }
  *y = sorted;
  *meta = smeta;
  smeta = NULL;
  if (sorted == g.y)
    g.y = NULL;
  else
    tmp = NULL;
out:
  free(g.y);
  free(g.meta);
  free(g.ptr);
  free(tmp);
  free(smeta);
  free(il);
  free(ir);
  return rc;
}

cp_err pos_plot_new(unsigned k, const uint8_t plot_id[32], struct pos_plot **out)
{
  struct pos_plot *p = NULL;
  struct pos_matcher *mt = NULL;
  uint64_t *y = NULL;
  struct meta128 *meta = NULL;
  cp_err rc;

  *out = NULL;
  if (k < POS_PLOT_K_MIN || k > POS_PLOT_K_MAX)
    return CP_BAD_K;
  if (!(p = calloc(1, sizeof *p)))
    return CP_NOMEM;
  p->k = k;
  memcpy(p->id, plot_id, 32);
  if ((rc = pos_matcher_new(&mt)))
    goto out;
  if ((rc = build_table1(p, &y, &meta)))
    goto out;
  for (unsigned t = 2; t <= 7; t++)
    if ((rc = build_table(p, t, mt, &y, &meta)))
      goto out;
  *out = p;
  p = NULL;
out:
  free(y);
  free(meta);
  pos_matcher_free(mt);
  pos_plot_free(p);
  return rc;
}

void pos_plot_free(struct pos_plot *p)
{
  if (!p)
    return;
  free(p->x1);
  for (unsigned t = 0; t < 8; t++)
    free(p->ptr[t]);
  free(p->f7);
  free(p);
}

unsigned pos_plot_k(const struct pos_plot *p)
{
  return p->k;
}

const uint8_t *pos_plot_id(const struct pos_plot *p)
{
  return p->id;
}

uint64_t pos_plot_entries(const struct pos_plot *p, unsigned t)
{
  return t >= 1 && t <= 7 ? p->n[t] : 0;
}

size_t pos_plot_bytes(const struct pos_plot *p)
{
  size_t b = p->n[1] * sizeof *p->x1 + p->n[7] * sizeof *p->f7;
  for (unsigned t = 2; t <= 7; t++)
    b += p->n[t] * 2 * sizeof *p->ptr[t];
  return b;
}

/* ---- proving ------------------------------------------------------------ */

/* One table-7 entry answering the challenge, with its leaves in proof order
 * and the canonical form that fixes chiapos' proof index. */
struct cand {
  uint32_t xs[PROOF_XS];
  uint32_t canon[PROOF_XS];
};

static void leaves(const struct pos_plot *p, unsigned t, uint32_t pos,
                   uint32_t *out)
{
  if (t == 1) {
    out[0] = p->x1[pos];
    return;
  }
  leaves(p, t - 1, p->ptr[t][2 * pos], out);
  leaves(p, t - 1, p->ptr[t][2 * pos + 1], out + (1u << (t - 2)));
}

static int seq_cmp(const uint32_t *a, const uint32_t *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i])
      return a[i] < b[i] ? -1 : 1;
  return 0;
}

static void swap_groups(uint32_t *a, uint32_t *b, size_t g)
{
  for (size_t i = 0; i < g; i++) {
    uint32_t s = a[i];
    a[i] = b[i];
    b[i] = s;
  }
}

/* chiapos numbers proofs by their table-7 position after phase 3, which
 * sorts every table by the line point of its two back pointers, i.e. by
 * (larger child position, smaller child position), with table-1 positions
 * being the x values. Putting the larger child first at every node turns
 * that recursive order into plain lexicographic order of the leaves. */
static void canonicalise(uint32_t *s)
{
  for (size_t g = 1; g < PROOF_XS; g *= 2)
    for (size_t i = 0; i < PROOF_XS; i += 2 * g)
      if (seq_cmp(s + i, s + i + g, g) < 0)
        swap_groups(s + i, s + i + g, g);
}

/* The verifier's quality (§5.4): proof order is converted to plot order,
 * where at every node the child whose x values, compared from the last one
 * backwards, are smaller comes first; then two adjacent x values chosen by
 * the challenge are hashed with it. */
static void quality(const struct pos_plot *p, const uint8_t challenge[32],
                    const uint32_t *xs, uint8_t out[32])
{
  uint32_t s[PROOF_XS];
  uint8_t msg[32 + 2 * POS_PLOT_K_MAX / 8 + 1] = { 0 };
  unsigned qi = (challenge[31] & 0x1f) * 2u, k = p->k;

  memcpy(s, xs, sizeof s);
  for (size_t g = 1; g < PROOF_XS; g *= 2)
    for (size_t i = 0; i < PROOF_XS; i += 2 * g) {
      size_t j = g;
      while (j > 0 && s[i + j - 1] == s[i + g + j - 1])
        j--;
      if (!(j > 0 && s[i + j - 1] < s[i + g + j - 1]))
        swap_groups(s + i, s + i + g, g);
    }
  memcpy(msg, challenge, 32);
  pos_bits_put(msg + 32, 0, (uint64_t)s[qi] << k | s[qi + 1], 2 * k);
  sha256(out, msg, 32 + (2 * k + 7) / 8);
}

static int cand_cmp(const void *a, const void *b)
{
  return seq_cmp(((const struct cand *)a)->canon,
                 ((const struct cand *)b)->canon, PROOF_XS);
}

/* All candidates for the challenge, in proof-index order; *c is malloc'd. */
static cp_err find(const struct pos_plot *p, const uint8_t challenge[32],
                   struct cand **c, size_t *n)
{
  uint32_t target = (uint32_t)(be64_load(challenge) >> (64 - p->k));
  size_t lo = 0, hi = p->n[7], end;

  *c = NULL;
  *n = 0;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->f7[mid] < target)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (end = lo; end < p->n[7] && p->f7[end] == target; end++)
    ;
  if (end == lo)
    return CP_OK;
  if (!(*c = malloc((end - lo) * sizeof **c)))
    return CP_NOMEM;
  for (size_t i = lo; i < end; i++) {
    struct cand *d = &(*c)[i - lo];
    leaves(p, 7, (uint32_t)i, d->xs);
    memcpy(d->canon, d->xs, sizeof d->xs);
    canonicalise(d->canon);
  }
  *n = end - lo;
  qsort(*c, *n, sizeof **c, cand_cmp);
  return CP_OK;
}

static void serialise(unsigned k, const uint32_t *xs, uint8_t *out)
{
  memset(out, 0, 8 * (size_t)k);
  for (size_t i = 0; i < PROOF_XS; i++)
    pos_bits_put(out, i * k, xs[i], k);
}

cp_err pos_plot_full_proofs(const struct pos_plot *p, const uint8_t challenge[32],
                            uint8_t *out, uint8_t (*qualities_out)[32],
                            size_t max, size_t *n)
{
  struct cand *c;
  cp_err rc = find(p, challenge, &c, n);

  if (rc)
    return rc;
  for (size_t i = 0; i < *n && i < max; i++) {
    if (out)
      serialise(p->k, c[i].xs, out + i * 8 * (size_t)p->k);
    if (qualities_out)
      quality(p, challenge, c[i].xs, qualities_out[i]);
  }
  free(c);
  return *n > max ? CP_TOO_BIG : CP_OK;
}

cp_err pos_plot_qualities(const struct pos_plot *p, const uint8_t challenge[32],
                          uint8_t (*out)[32], size_t max, size_t *n)
{
  return pos_plot_full_proofs(p, challenge, NULL, out, max, n);
}

cp_err pos_plot_full_proof(const struct pos_plot *p, const uint8_t challenge[32],
                           size_t index, uint8_t *proof_out)
{
  struct cand *c;
  size_t n;
  cp_err rc = find(p, challenge, &c, &n);

  if (rc)
    return rc;
  if (index < n)
    serialise(p->k, c[index].xs, proof_out);
  else
    rc = CP_NOT_FOUND;
  free(c);
  return rc;
}
