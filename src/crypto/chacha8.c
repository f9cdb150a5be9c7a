#include "crypto/chacha8.h"

#include <string.h>

static inline uint32_t rotl32(uint32_t v, unsigned n)
{
  return v << n | v >> (32 - n);
}

static inline uint32_t le32_load(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static inline void le32_store(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

#define QR(a, b, c, d)                                                        \
  do {                                                                        \
    a += b; d = rotl32(d ^ a, 16);                                            \
    c += d; b = rotl32(b ^ c, 12);                                            \
    a += b; d = rotl32(d ^ a, 8);                                             \
    c += d; b = rotl32(b ^ c, 7);                                             \
  } while (0)

void chacha_core(uint8_t out[CHACHA_BLOCK_SIZE], const uint32_t in[16],
                 unsigned rounds)
{
  /* locals rather than an array so the compiler keeps them in registers */
  uint32_t x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3];
  uint32_t x4 = in[4], x5 = in[5], x6 = in[6], x7 = in[7];
  uint32_t x8 = in[8], x9 = in[9], x10 = in[10], x11 = in[11];
  uint32_t x12 = in[12], x13 = in[13], x14 = in[14], x15 = in[15];

  for (unsigned r = 0; r < rounds; r += 2) {
    QR(x0, x4, x8, x12);
    QR(x1, x5, x9, x13);
    QR(x2, x6, x10, x14);
    QR(x3, x7, x11, x15);
    QR(x0, x5, x10, x15);
    QR(x1, x6, x11, x12);
    QR(x2, x7, x8, x13);
    QR(x3, x4, x9, x14);
  }
  le32_store(out + 0, x0 + in[0]);
  le32_store(out + 4, x1 + in[1]);
  le32_store(out + 8, x2 + in[2]);
  le32_store(out + 12, x3 + in[3]);
  le32_store(out + 16, x4 + in[4]);
  le32_store(out + 20, x5 + in[5]);
  le32_store(out + 24, x6 + in[6]);
  le32_store(out + 28, x7 + in[7]);
  le32_store(out + 32, x8 + in[8]);
  le32_store(out + 36, x9 + in[9]);
  le32_store(out + 40, x10 + in[10]);
  le32_store(out + 44, x11 + in[11]);
  le32_store(out + 48, x12 + in[12]);
  le32_store(out + 52, x13 + in[13]);
  le32_store(out + 56, x14 + in[14]);
  le32_store(out + 60, x15 + in[15]);
}

void chacha8_init(struct chacha8_ctx *c, const uint8_t key[32],
                  const uint8_t nonce[8])
{
  /* "expand 32-byte k" as little-endian words */
  c->state[0] = 0x61707865;
  c->state[1] = 0x3320646e;
  c->state[2] = 0x79622d32;
  c->state[3] = 0x6b206574;
  for (int i = 0; i < 8; i++)
    c->state[4 + i] = le32_load(key + 4 * i);
  c->state[12] = 0;
  c->state[13] = 0;
  c->state[14] = nonce ? le32_load(nonce) : 0;
  c->state[15] = nonce ? le32_load(nonce + 4) : 0;
}

void chacha8_blocks(const struct chacha8_ctx *c, uint64_t block, size_t n,
                    uint8_t *out)
{
  uint32_t st[16];
  memcpy(st, c->state, sizeof st);
  for (size_t i = 0; i < n; i++, block++) {
    st[12] = (uint32_t)block;
    st[13] = (uint32_t)(block >> 32);
    chacha_core(out + i * CHACHA_BLOCK_SIZE, st, 8);
  }
}
