#include "pos/pos_f.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/blake3.h"
#include "util/buf.h"

const uint8_t pos_vector_lens[9] = { 0, 0, 1, 2, 4, 4, 3, 2, 0 };

uint64_t pos_bits_get(const uint8_t *buf, size_t pos, unsigned n)
{
  if (n == 0)
    return 0;
  size_t first = pos / 8, last = (pos + n - 1) / 8;
  unsigned __int128 acc = 0;
  for (size_t i = first; i <= last; i++)
    acc = acc << 8 | buf[i];
  /* acc holds (last-first+1)*8 bits; drop the tail past pos+n */
  unsigned tail = (unsigned)((last + 1) * 8 - (pos + n));
  acc >>= tail;
  return n == 64 ? (uint64_t)acc : (uint64_t)acc & ((UINT64_C(1) << n) - 1);
}

void pos_bits_put(uint8_t *buf, size_t pos, uint64_t v, unsigned n)
{
  if (n == 0)
    return;
  if (n < 64)
    v &= (UINT64_C(1) << n) - 1;
  size_t first = pos / 8, last = (pos + n - 1) / 8;
  unsigned tail = (unsigned)((last + 1) * 8 - (pos + n));
  unsigned __int128 acc = (unsigned __int128)v << tail;
  for (size_t i = last + 1; i-- > first;) {
    buf[i] |= (uint8_t)acc;
    acc >>= 8;
  }
}

/* ---- F1 ---------------------------------------------------------------- */

cp_err pos_f1_init(struct pos_f1 *f, unsigned k,
                   const uint8_t plot_id[POS_ID_LEN])
{
  uint8_t key[32];
  if (k < POS_K_MIN || k > POS_K_MAX)
    return CP_BAD_K;
  /* chiapos prefixes the table index (1); plot_id[31] never enters v1 */
  key[0] = 1;
  memcpy(key + 1, plot_id, 31);
  f->k = k;
  chacha8_init(&f->chacha, key, NULL);
  return CP_OK;
}

/* k <= 50 bits at bit offset off of buf, with at least 8 readable bytes
 * from off/8: off % 8 + k <= 57 so one 64-bit load holds them all. */
static inline uint64_t ks_bits(const uint8_t *buf, size_t off, unsigned k)
{
  return be64_load(buf + off / 8) << (off % 8) >> (64 - k);
}

uint64_t pos_f1(const struct pos_f1 *f, uint64_t x)
{
  /* two blocks plus 8 bytes of slack for the 64-bit load in ks_bits */
  uint8_t ks[2 * CHACHA_BLOCK_SIZE + 8];
  unsigned k = f->k;
  uint64_t p = x * k;
  uint64_t block = p / 512;
  unsigned off = (unsigned)(p % 512);
  if (off + k > 512) {
    chacha8_blocks(&f->chacha, block, 2, ks);
  } else {
    chacha8_blocks(&f->chacha, block, 1, ks);
    memset(ks + CHACHA_BLOCK_SIZE, 0, 8); /* bits read here are discarded */
  }
  uint64_t r = ks_bits(ks, off, k);
  return r << POS_EXTRA_BITS | x >> (k - POS_EXTRA_BITS);
}

#define F1_BATCH_BLOCKS 32

void pos_f1_range(const struct pos_f1 *f, uint64_t x0, size_t n, uint64_t *y)
{
  uint8_t ks[F1_BATCH_BLOCKS * CHACHA_BLOCK_SIZE + 8];
  unsigned k = f->k;
  uint64_t x = x0, end = x0 + n;
  while (x < end) {
    uint64_t start = x * k / 512;
    /* last x whose k bits still end inside the buffer's blocks */
    uint64_t last = ((start + F1_BATCH_BLOCKS) * 512 - k) / k;
    uint64_t stop = last + 1 < end ? last + 1 : end;
    uint64_t nblocks = (stop * k + 511) / 512 - start;
    chacha8_blocks(&f->chacha, start, (size_t)nblocks, ks);
    memset(ks + nblocks * CHACHA_BLOCK_SIZE, 0, 8);
    for (; x < stop; x++) {
      uint64_t r = ks_bits(ks, (size_t)(x * k - start * 512), k);
      *y++ = r << POS_EXTRA_BITS | x >> (k - POS_EXTRA_BITS);
    }
  }
}

/* ---- Fx ---------------------------------------------------------------- */

/* MSB-first bit writer over 64-bit words (word 0 holds bits 0..63). */
struct bitw {
  uint64_t w[BLAKE3_BLOCK_LEN / 8];
  unsigned pos;
};

/* n in 1..64, v < 2^n; the message never exceeds 456 bits so w[idx + 1]
 * is always inside the block. */
static inline void bitw_put(struct bitw *b, uint64_t v, unsigned n)
{
  unsigned idx = b->pos / 64, off = b->pos % 64;
  if (off + n <= 64) {
    b->w[idx] |= v << (64 - off - n);
  } else {
    b->w[idx] |= v >> (off + n - 64);
    b->w[idx + 1] |= v << (128 - off - n);
  }
  b->pos += n;
}

static void bitw_meta(struct bitw *b, const struct pos_meta *m, unsigned bits)
{
  if (bits == 0)
    return;
  int top = (int)((bits - 1) / 64);
  bitw_put(b, m->w[top], bits - 64 * (unsigned)top);
  for (int i = top - 1; i >= 0; i--)
    bitw_put(b, m->w[i], 64);
}

/* n in 1..64 bits at bit pos of a word string h (with a zero word after
 * the last one that can be touched). */
static inline uint64_t words_bits(const uint64_t *h, unsigned pos, unsigned n)
{
  unsigned idx = pos / 64, off = pos % 64;
  unsigned __int128 two = (unsigned __int128)h[idx] << 64 | h[idx + 1];
  return (uint64_t)((two << off) >> (128 - n));
}

/* out = (l << rbits) | r, every value < 2^256. */
static void meta_concat(struct pos_meta *out, const struct pos_meta *l,
                        const struct pos_meta *r, unsigned rbits)
{
  struct pos_meta res = *r;
  unsigned limb = rbits / 64, sh = rbits % 64;
  for (unsigned i = 0; i + limb < POS_META_WORDS; i++) {
    res.w[i + limb] |= l->w[i] << sh;
    if (sh && i + limb + 1 < POS_META_WORDS)
      res.w[i + limb + 1] |= l->w[i] >> (64 - sh);
  }
  *out = res;
}

uint64_t pos_fx(unsigned t, unsigned k, uint64_t yl, const struct pos_meta *ml,
                const struct pos_meta *mr, struct pos_meta *out)
{
  /* yl (k+6) + 2 * at most 4k bits: 9k+6 <= 456 bits, one BLAKE3 block */
  struct bitw b = { { 0 }, 0 };
  uint8_t msg[BLAKE3_BLOCK_LEN], h[BLAKE3_OUT_LEN];
  uint64_t hw[5];
  unsigned in_bits = pos_meta_bits(t - 1, k);
  unsigned ybits = k + POS_EXTRA_BITS;

  bitw_put(&b, yl, ybits);
  bitw_meta(&b, ml, in_bits);
  bitw_meta(&b, mr, in_bits);
  for (int i = 0; i < BLAKE3_BLOCK_LEN / 8; i++)
    be64_store(msg + 8 * i, b.w[i]);
  blake3_small(h, msg, (b.pos + 7) / 8);
  for (int i = 0; i < 4; i++)
    hw[i] = be64_load(h + 8 * i);
  hw[4] = 0;

  uint64_t y = hw[0] >> (64 - ybits);
  if (t <= 3) {
    meta_concat(out, ml, mr, in_bits);
  } else if (t <= 6) {
    unsigned ob = pos_meta_bits(t, k);
    struct pos_meta res = { { 0 } };
    unsigned end = ybits + ob; /* <= 256 */
    unsigned i = 0;
    /* limbs from the least significant end of the bit range upwards */
    for (; ob >= 64; ob -= 64, end -= 64)
      res.w[i++] = words_bits(hw, end - 64, 64);
    if (ob)
      res.w[i] = words_bits(hw, end - ob, ob);
    *out = res;
  } else if (out) {
    memset(out, 0, sizeof *out);
  }
  return y;
}

/* ---- matching ---------------------------------------------------------- */

int pos_match(uint64_t yl, uint64_t yr)
{
  uint64_t bl = yl / POS_BC;
  if (yr / POS_BC - bl != 1)
    return 0;
  unsigned l = (unsigned)(yl % POS_BC), r = (unsigned)(yr % POS_BC);
  unsigned lb = l / POS_C, rb = r / POS_C;
  /* the unique m with (lb + m) % B == rb; B > 64 so at most one m works */
  unsigned m = (rb + POS_B - lb) % POS_B;
  if (m >= POS_EXTRA_BITS_POW)
    return 0;
  unsigned v = 2 * m + (unsigned)(bl & 1);
  return r % POS_C == (v * v + l) % POS_C;
}

cp_err pos_matcher_new(struct pos_matcher **out)
{
  struct pos_matcher *m = calloc(1, sizeof *m);
  if (!m)
    return CP_NOMEM;
  for (unsigned parity = 0; parity < 2; parity++) {
    for (unsigned l = 0; l < POS_BC; l++) {
      unsigned lb = l / POS_C;
      for (unsigned i = 0; i < POS_EXTRA_BITS_POW; i++) {
        unsigned v = 2 * i + parity;
        m->target[parity][l][i] =
          (uint16_t)(((lb + i) % POS_B) * POS_C + (v * v + l) % POS_C);
      }
    }
  }
  *out = m;
  return CP_OK;
}

void pos_matcher_free(struct pos_matcher *m)
{
  free(m);
}

static inline uint64_t y_at(const uint64_t *base, size_t stride, size_t i)
{
  return *(const uint64_t *)((const uint8_t *)base + i * stride);
}

cp_err pos_matcher_run(struct pos_matcher *m, const uint64_t *yl, size_t nl,
                       const uint64_t *yr, size_t nr, size_t stride,
                       uint32_t *il, uint32_t *ir, size_t cap, size_t *n)
{
  cp_err rc = CP_OK;
  size_t cnt = 0;
  *n = 0;
  if (nl == 0 || nr == 0)
    return CP_OK;
  if (nl > UINT32_MAX || nr > UINT32_MAX || nr > UINT16_MAX)
    return CP_INVAL;
  uint64_t bl = y_at(yl, stride, 0) / POS_BC;
  for (size_t i = 0; i < nl; i++)
    if (y_at(yl, stride, i) / POS_BC != bl)
      return CP_INVAL;
  for (size_t j = 0; j < nr; j++) {
    uint64_t y = y_at(yr, stride, j);
    if (y / POS_BC != bl + 1 || (j && y < y_at(yr, stride, j - 1)))
      return CP_INVAL;
  }

  for (size_t j = 0; j < nr; j++) {
    unsigned r = (unsigned)(y_at(yr, stride, j) % POS_BC);
    if (m->r_count[r]++ == 0)
      m->r_first[r] = (uint32_t)j;
  }
  const uint16_t(*tg)[POS_EXTRA_BITS_POW] = m->target[bl & 1];
  for (size_t i = 0; i < nl; i++) {
    const uint16_t *t = tg[y_at(yl, stride, i) % POS_BC];
    for (unsigned q = 0; q < POS_EXTRA_BITS_POW; q++) {
      unsigned c = m->r_count[t[q]];
      for (unsigned j = 0; j < c; j++) {
        if (cnt == cap) {
          rc = CP_TOO_BIG;
          goto out;
        }
        il[cnt] = (uint32_t)i;
        ir[cnt] = m->r_first[t[q]] + j;
        cnt++;
      }
    }
  }
out:
  for (size_t j = 0; j < nr; j++)
    m->r_count[y_at(yr, stride, j) % POS_BC] = 0;
  *n = cnt;
  return rc;
}
