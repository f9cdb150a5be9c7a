/* Proof of space v1 (chiapos) f-functions and matching: the shared core of
 * the verifier (verify.c) and the in-memory plotter (plotter.c).
 *
 * Conventions (see docs/pos-v1.md):
 * - y values are k+6 bits (k <= 50, so <= 56 bits) in a uint64_t;
 * - metadata is an unsigned integer of pos_meta_bits(t, k) bits held in
 *   struct pos_meta as little-endian 64-bit limbs (w[0] = least significant
 *   64 bits); unused high bits and limbs are always zero. Table-1 metadata is
 *   x itself: w[0] = x. Its MSB-first bit string is what chiapos hashes.
 * - tables are numbered 1..7 like chiapos: f1 makes table 1, pos_fx(t, ...)
 *   makes table t from two matching table t-1 entries.
 * Nothing here allocates except pos_matcher_new. */
#ifndef CP_POS_POS_F_H
#define CP_POS_POS_F_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/chacha8.h"
#include "util/err.h"

#define POS_K_MIN 18
#define POS_K_MAX 50
#define POS_EXTRA_BITS 6
#define POS_EXTRA_BITS_POW 64 /* m values tried per left entry */
#define POS_B 119
#define POS_C 127
#define POS_BC 15113          /* POS_B * POS_C: bucket width in y-space */
#define POS_ID_LEN 32
#define POS_META_WORDS 4      /* 256 bits >= 4k for every k <= 50 */

/* kVectorLens: metadata length, in units of k bits, of the *inputs* of f_t
 * (index t = 2..7); entries of table t carry pos_vector_lens[t+1]*k bits. */
extern const uint8_t pos_vector_lens[9];

struct pos_meta {
  uint64_t w[POS_META_WORDS];
};

/* Bits of metadata carried by an entry of table t (1..7) for size k. */
static inline unsigned pos_meta_bits(unsigned t, unsigned k)
{
  return t >= 1 && t <= 7 ? pos_vector_lens[t + 1] * k : 0;
}

/* ---- F1 ---------------------------------------------------------------- */

struct pos_f1 {
  unsigned k;
  struct chacha8_ctx chacha; /* key = 0x01 || plot_id[0..30], nonce 0 */
};

/* lifecycle: k must be POS_K_MIN..POS_K_MAX (CP_BAD_K otherwise). */
cp_err pos_f1_init(struct pos_f1 *f, unsigned k,
                   const uint8_t plot_id[POS_ID_LEN]);

/* f1(x) for one x < 2^k: generates only the one or two keystream blocks
 * holding bits [x*k, x*k+k). */
uint64_t pos_f1(const struct pos_f1 *f, uint64_t x);

/* y[i] = f1(x0 + i) for i < n (x0 + n <= 2^k): bulk keystream generation,
 * amortised over the 512/k x's of each block. No allocation (works through a
 * fixed stack buffer). */
void pos_f1_range(const struct pos_f1 *f, uint64_t x0, size_t n, uint64_t *y);

/* ---- Fx (tables 2..7) -------------------------------------------------- */

/* Computes f_t (t = 2..7) from the left entry's y and both metadatas, which
 * must each be pos_meta_bits(t-1, k) bits. Returns the new y (k+6 bits) and,
 * for t <= 6, the new metadata (pos_meta_bits(t, k) bits) in *out, which may
 * alias ml or mr; for t = 7 *out is zeroed. out may be NULL when t == 7. */
uint64_t pos_fx(unsigned t, unsigned k, uint64_t yl, const struct pos_meta *ml,
                const struct pos_meta *mr, struct pos_meta *out);

/* ---- matching ---------------------------------------------------------- */

/* 1 iff (yl, yr) is a matching (left, right) pair: yr in the bucket right
 * after yl's and the local coordinates agree for some m < 64. O(1), no
 * tables: this is what the verifier uses. */
int pos_match(uint64_t yl, uint64_t yr);

/* For the plotter: precomputed targets (chiapos' load_tables) and scratch
 * for one bucket pair. target[parity][l][m] = local y (yr % kBC) of the
 * right entry that matches a left entry with local y l in a bucket of that
 * parity, for m = 0..63. About 3.9 MB + 90 KB; build once, reuse. Not
 * thread-safe: one matcher per thread. */
struct pos_matcher {
  uint16_t target[2][POS_BC][POS_EXTRA_BITS_POW];
  uint32_t r_first[POS_BC]; /* first index in the R bucket with this local y */
  uint16_t r_count[POS_BC]; /* entries with this local y (0 = none) */
};

/* lifecycle */
cp_err pos_matcher_new(struct pos_matcher **out);
void pos_matcher_free(struct pos_matcher *m);

/* All matches between a left bucket and the next bucket. yl/yr point at the
 * y of the first entry of each bucket, entries `stride` bytes apart (e.g.
 * sizeof(struct entry) with y as a uint64_t member; the y must be naturally
 * aligned). Every yl must lie in one bucket b and every yr in bucket b+1, and
 * the R entries must be sorted by y ascending (as in a y-sorted table), else
 * CP_INVAL. Matches go to (il[i], ir[i]) as indices into the two buckets, in
 * order of left index; at most cap of them: CP_TOO_BIG if more exist (the
 * first cap are written). *n = number written. */
cp_err pos_matcher_run(struct pos_matcher *m, const uint64_t *yl, size_t nl,
                       const uint64_t *yr, size_t nr, size_t stride,
                       uint32_t *il, uint32_t *ir, size_t cap, size_t *n);

/* ---- bit helpers shared with the verifier/plotter ---------------------- */

/* n <= 64 bits at bit offset pos (MSB-first) of buf, which must hold at
 * least cdiv(pos + n, 8) bytes. */
uint64_t pos_bits_get(const uint8_t *buf, size_t pos, unsigned n);
/* Writes n <= 64 low bits of v at bit offset pos (MSB-first) into buf; the
 * target bits must be zero beforehand (buf is OR-ed into). */
void pos_bits_put(uint8_t *buf, size_t pos, uint64_t v, unsigned n);

#endif
