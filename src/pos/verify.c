#include "pos/verify.h"

#include <string.h>

#include "crypto/sha256.h"
#include "pos/pos_f.h"
#include "util/buf.h"

cp_err pos_proof_xs(unsigned k, const uint8_t *proof, size_t proof_len,
                    uint64_t xs[POS_PROOF_XS])
{
  if (k < POS_K_MIN || k > POS_K_MAX)
    return CP_BAD_K;
  /* 64k bits is always a whole number of bytes: no padding to check */
  if (!proof || proof_len != (size_t)8 * k)
    return CP_BAD_PROOF;
  /* a padded copy lets every x come from one 64-bit load (x's bit offset
   * within its first byte + k <= 7 + 50 bits) */
  uint8_t buf[8 * POS_K_MAX + 8];
  memcpy(buf, proof, proof_len);
  memset(buf + proof_len, 0, 8);
  for (size_t i = 0; i < POS_PROOF_XS; i++) {
    size_t pos = i * k;
    xs[i] = be64_load(buf + pos / 8) << (pos % 8) >> (64 - k);
  }
  return CP_OK;
}

cp_err pos_proof_encode(unsigned k, const uint64_t xs[POS_PROOF_XS],
                        uint8_t *out, size_t cap)
{
  if (k < POS_K_MIN || k > POS_K_MAX)
    return CP_BAD_K;
  if (cap < (size_t)8 * k)
    return CP_TOO_BIG;
  for (size_t i = 0; i < POS_PROOF_XS; i++)
    if (xs[i] >> k)
      return CP_INVAL;
  memset(out, 0, (size_t)8 * k);
  for (size_t i = 0; i < POS_PROOF_XS; i++)
    pos_bits_put(out, i * k, xs[i], k);
  return CP_OK;
}

/* chiapos' CompareProofBits: 1 iff group a goes before group b, comparing
 * element-wise from the last one backwards; ties put b first. */
static int group_first(const uint64_t *a, const uint64_t *b, size_t n)
{
  for (size_t i = n; i-- > 0;) {
    if (a[i] != b[i])
      return a[i] < b[i];
  }
  return 0;
}

void pos_quality_string(unsigned k, const uint8_t challenge[32],
                        const uint64_t xs[POS_PROOF_XS],
                        uint8_t quality_out[POS_QUALITY_LEN])
{
  uint64_t cur[POS_PROOF_XS];
  memcpy(cur, xs, sizeof cur);
  /* proof order -> plot order, one tree level at a time, swapping the two
   * halves of a group in place when the right one sorts first */
  for (size_t g = 1; g < POS_PROOF_XS; g *= 2) {
    for (size_t j = 0; j < POS_PROOF_XS; j += 2 * g) {
      uint64_t *l = cur + j, *r = cur + j + g;
      if (group_first(l, r, g))
        continue;
      for (size_t i = 0; i < g; i++) {
        uint64_t t = l[i];
        l[i] = r[i];
        r[i] = t;
      }
    }
  }
  size_t qi = (size_t)(challenge[31] & 0x1f) * 2;
  uint8_t pair[(2 * POS_K_MAX + 7) / 8] = { 0 };
  pos_bits_put(pair, 0, cur[qi], k);
  pos_bits_put(pair, k, cur[qi + 1], k);
  struct sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, challenge, 32);
  sha256_update(&c, pair, (2 * k + 7) / 8);
  sha256_final(&c, quality_out);
}

cp_err pos_verify(unsigned k, const uint8_t plot_id[32],
                  const uint8_t challenge[32], const uint8_t *proof,
                  size_t proof_len, uint8_t quality_out[POS_QUALITY_LEN])
{
  uint64_t xs[POS_PROOF_XS], y[POS_PROOF_XS];
  struct pos_meta meta[POS_PROOF_XS];
  struct pos_f1 f1;
  cp_err rc;

  if ((rc = pos_proof_xs(k, proof, proof_len, xs)))
    return rc;
  if ((rc = pos_f1_init(&f1, k, plot_id)))
    return rc;

  /* Table 1, checking each pair as soon as both halves exist: most forged
   * proofs fail here, before any hashing. */
  for (size_t i = 0; i < POS_PROOF_XS; i += 2) {
    y[i] = pos_f1(&f1, xs[i]);
    y[i + 1] = pos_f1(&f1, xs[i + 1]);
    if (!pos_match(y[i], y[i + 1]))
      return CP_BAD_PROOF;
  }
  for (size_t i = 0; i < POS_PROOF_XS; i++) {
    memset(&meta[i], 0, sizeof meta[i]);
    meta[i].w[0] = xs[i];
  }

  /* Positions are fixed: the left element of every pair must be the one in
   * the lower bucket, the verifier never swaps. */
  size_t n = POS_PROOF_XS;
  for (unsigned t = 2; t <= 7; t++) {
    for (size_t i = 0; i < n; i += 2) {
      if (t > 2 && !pos_match(y[i], y[i + 1]))
        return CP_BAD_PROOF;
      y[i / 2] = pos_fx(t, k, y[i], &meta[i], &meta[i + 1], &meta[i / 2]);
    }
    n /= 2;
  }
  if (y[0] >> POS_EXTRA_BITS != pos_bits_get(challenge, 0, k))
    return CP_BAD_PROOF;

  pos_quality_string(k, challenge, xs, quality_out);
  return CP_OK;
}
