#include "chia/coin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/sha256.h"
#include "util/parse.h"

size_t coin_amount_clvm(uint64_t amount, uint8_t out[9])
{
  uint8_t be[9];
  size_t i = 0;

  if (amount == 0)
    return 0;
  be[0] = 0;
  be64_store(be + 1, amount);
  /* drop leading zero bytes, but keep one if the next byte has its top bit
   * set, or the value would read as negative */
  while (i < 8 && be[i] == 0 && !(be[i + 1] & 0x80))
    i++;
  memcpy(out, be + i, 9 - i);
  return 9 - i;
}

void coin_id(const struct chia_coin *c, uint8_t out[32])
{
  struct sha256_ctx ctx;
  uint8_t amt[9];
  size_t n = coin_amount_clvm(c->amount, amt);

  sha256_init(&ctx);
  sha256_update(&ctx, c->parent_coin_info, 32);
  sha256_update(&ctx, c->puzzle_hash, 32);
  sha256_update(&ctx, amt, n);
  sha256_final(&ctx, out);
}

cp_err coin_mojo_format(uint64_t mojo, char *out, size_t cap)
{
  uint64_t whole = mojo / CHIA_MOJO_PER_XCH, frac = mojo % CHIA_MOJO_PER_XCH;
  char fs[16];
  int n;

  if (frac == 0) {
    n = snprintf(out, cap, "%llu", (unsigned long long)whole);
  } else {
    size_t fl;
    snprintf(fs, sizeof fs, "%012llu", (unsigned long long)frac);
    fl = 12;
    while (fl > 1 && fs[fl - 1] == '0')
      fl--;
    fs[fl] = 0;
    n = snprintf(out, cap, "%llu.%s", (unsigned long long)whole, fs);
  }
  if (n < 0 || (size_t)n >= cap)
    return CP_TOO_BIG;
  return CP_OK;
}

cp_err coin_xch_parse(const char *s, size_t len, uint64_t *mojo)
{
  return parse_fixed(s, len, CHIA_MOJO_PER_XCH, UINT64_MAX, mojo);
}

/* Block reward before the 7/8 : 1/8 split, in mojo; height 0 (the
 * 21,000,000 XCH prefarm, 2.1e19 mojo) does not fit a uint64 and is split
 * by the callers. */
static uint64_t block_reward(uint32_t height)
{
  const uint64_t y = CHIA_BLOCKS_PER_YEAR;

  if (height < 3 * y)
    return 2 * CHIA_MOJO_PER_XCH;
  if (height < 6 * y)
    return CHIA_MOJO_PER_XCH;
  if (height < 9 * y)
    return CHIA_MOJO_PER_XCH / 2;
  if (height < 12 * y)
    return CHIA_MOJO_PER_XCH / 4;
  return CHIA_MOJO_PER_XCH / 8;
}

uint64_t coin_pool_reward(uint32_t height)
{
  if (height == 0)
    return 18375000ULL * CHIA_MOJO_PER_XCH;
  /* every reward is a multiple of 8 mojo, so this is exact */
  return block_reward(height) / 8 * 7;
}

uint64_t coin_farmer_reward(uint32_t height)
{
  if (height == 0)
    return 2625000ULL * CHIA_MOJO_PER_XCH;
  return block_reward(height) / 8;
}

static void parent_id(const uint8_t half[16], uint32_t height, uint8_t out[32])
{
  memmove(out, half, 16); /* out may alias the genesis challenge */
  memset(out + 16, 0, 12);
  be32_store(out + 28, height);
}

void coin_pool_parent_id(const uint8_t genesis[32], uint32_t height,
                         uint8_t out[32])
{
  parent_id(genesis, height, out);
}

void coin_farmer_parent_id(const uint8_t genesis[32], uint32_t height,
                           uint8_t out[32])
{
  parent_id(genesis + 16, height, out);
}

cp_err coin_bundle_merge(struct chia_spend_bundle *into, struct chia_spend_bundle *from)
{
  struct bls_sig sigs[2], sum;
  size_t na = into->coin_spends.count, nb = from->coin_spends.count;
  struct chia_coin_spend *v;
  cp_err rc;

  /* both decoded first, so a bad signature leaves both bundles intact */
  rc = bls_sig_decode(&sigs[0], into->aggregated_signature, CHIA_G2_LEN);
  if (!rc)
    rc = bls_sig_decode(&sigs[1], from->aggregated_signature, CHIA_G2_LEN);
  if (rc)
    return rc;
  if (nb > UINT32_MAX - na)
    return CP_TOO_BIG;
  if (nb) {
    v = realloc(into->coin_spends.items, (na + nb) * sizeof *v);
    if (!v)
      return CP_NOMEM;
    memcpy(v + na, from->coin_spends.items, nb * sizeof *v);
    into->coin_spends.items = v;
    into->coin_spends.count = (uint32_t)(na + nb);
  }
  free(from->coin_spends.items);
  from->coin_spends.items = NULL;
  from->coin_spends.count = 0;
  bls_aggregate(&sum, sigs, 2);
  memcpy(into->aggregated_signature, sum.bytes, CHIA_G2_LEN);
  return CP_OK;
}
