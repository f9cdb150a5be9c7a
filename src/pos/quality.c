#include "pos/quality.h"

#include <string.h>

#include "crypto/sha256.h"
#include "pos/pos_f.h"

/* NUM_SPS_SUB_SLOT: fixed by the pool protocol (pool_sub_slot_iters / 64) */
#define POOL_SPS_SUB_SLOT 64

static void hash2(uint8_t out[32], const uint8_t *a, size_t na,
                  const uint8_t *b, size_t nb)
{
  struct sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, a, na);
  sha256_update(&c, b, nb);
  sha256_final(&c, out);
}

void pos_plot_id_pk(const uint8_t pool_pk[POS_G1_LEN],
                    const uint8_t plot_pk[POS_G1_LEN], uint8_t out[32])
{
  hash2(out, pool_pk, POS_G1_LEN, plot_pk, POS_G1_LEN);
}

void pos_plot_id_ph(const uint8_t pool_ph[32],
                    const uint8_t plot_pk[POS_G1_LEN], uint8_t out[32])
{
  hash2(out, pool_ph, 32, plot_pk, POS_G1_LEN);
}

void pos_plot_filter_input(const uint8_t plot_id[32],
                           const uint8_t challenge_hash[32],
                           const uint8_t sp_hash[32], uint8_t out[32])
{
  uint8_t msg[96];
  memcpy(msg, plot_id, 32);
  memcpy(msg + 32, challenge_hash, 32);
  memcpy(msg + 64, sp_hash, 32);
  sha256(out, msg, sizeof msg);
}

int pos_passes_plot_filter(const uint8_t plot_id[32],
                           const uint8_t challenge_hash[32],
                           const uint8_t sp_hash[32], unsigned zero_bits)
{
  uint8_t h[32];
  pos_plot_filter_input(plot_id, challenge_hash, sp_hash, h);
  if (zero_bits > 256)
    zero_bits = 256;
  unsigned i = 0;
  for (; i + 8 <= zero_bits; i += 8)
    if (h[i / 8])
      return 0;
  if (i < zero_bits && h[i / 8] >> (8 - (zero_bits - i)))
    return 0;
  return 1;
}

int pos_passes_plot_filter_at(const struct chia_consts *c, uint32_t height,
                              const uint8_t plot_id[32],
                              const uint8_t challenge_hash[32],
                              const uint8_t sp_hash[32])
{
  return pos_passes_plot_filter(plot_id, challenge_hash, sp_hash,
                                consts_plot_filter_bits(c, height));
}

void pos_challenge(const uint8_t plot_id[32], const uint8_t challenge_hash[32],
                   const uint8_t sp_hash[32], uint8_t out[32])
{
  uint8_t in[32];
  pos_plot_filter_input(plot_id, challenge_hash, sp_hash, in);
  sha256(out, in, 32);
}

uint64_t pos_expected_plot_size(unsigned k)
{
  if (k < 1 || k > POS_K_MAX)
    return 0;
  return (uint64_t)(2 * k + 1) << (k - 1);
}

/* Little-endian 32-bit limbs: out[0..na+nb) = a * b. */
static void mp_mul(uint32_t *out, const uint32_t *a, size_t na,
                   const uint32_t *b, size_t nb)
{
  memset(out, 0, (na + nb) * sizeof *out);
  for (size_t i = 0; i < na; i++) {
    uint64_t carry = 0;
    for (size_t j = 0; j < nb; j++) {
      uint64_t t = (uint64_t)a[i] * b[j] + out[i + j] + carry;
      out[i + j] = (uint32_t)t;
      carry = t >> 32;
    }
    out[i + nb] = (uint32_t)carry;
  }
}

cp_err pos_required_iters(unsigned __int128 difficulty_constant_factor,
                          const uint8_t quality[32], unsigned k,
                          uint64_t difficulty, const uint8_t sp_hash[32],
                          uint64_t *iters)
{
  uint8_t spq[32];
  uint32_t q[8], df[6], d[2], f[4], p[14], r[14];

  if (k < POS_K_MIN || k > POS_K_MAX)
    return CP_BAD_K;
  hash2(spq, quality, 32, sp_hash, 32);
  for (int i = 0; i < 8; i++) {
    const uint8_t *s = spq + 28 - 4 * i; /* big-endian hash, LE limbs */
    q[i] = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 |
           s[3];
  }
  d[0] = (uint32_t)difficulty;
  d[1] = (uint32_t)(difficulty >> 32);
  for (int i = 0; i < 4; i++)
    f[i] = (uint32_t)(difficulty_constant_factor >> (32 * i));
  mp_mul(df, d, 2, f, 4);
  mp_mul(p, df, 6, q, 8); /* < 2^448 */

  /* // (2^256 * (2k+1) * 2^(k-1)): nested floors of exact divisions equal
   * the single floor, so shift by 256 + k - 1 bits, then divide by 2k+1 */
  unsigned shift = 256 + k - 1, limb = shift / 32, bit = shift % 32;
  size_t n = 14 - limb;
  for (size_t i = 0; i < n; i++) {
    uint64_t lo = p[limb + i] >> bit;
    uint64_t hi = bit && limb + i + 1 < 14
                    ? (uint64_t)p[limb + i + 1] << (32 - bit) : 0;
    r[i] = (uint32_t)(lo | hi);
  }
  uint64_t rem = 0, div = 2 * k + 1;
  for (size_t i = n; i-- > 0;) {
    uint64_t cur = rem << 32 | r[i];
    r[i] = (uint32_t)(cur / div);
    rem = cur % div;
  }
  for (size_t i = 2; i < n; i++)
    if (r[i])
      return CP_BAD_NUMBER;
  uint64_t v = (uint64_t)r[1] << 32 | r[0];
  *iters = v ? v : 1;
  return CP_OK;
}

int pos_pool_iters_ok(uint64_t required_iters, uint64_t pool_sub_slot_iters)
{
  return required_iters < pool_sub_slot_iters / POOL_SPS_SUB_SLOT;
}
