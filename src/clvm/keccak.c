/* Keccak-256 (the original Keccak padding used by Ethereum, not SHA3-256),
 * for the keccak256 operator. OpenSSL 3.0 has no KECCAK-256, so this is a
 * small portable Keccak-f[1600]; it only runs on program data and has no
 * secret inputs, so constant time is not a concern. */
#include "clvm/clvm_int.h"

#include <string.h>

#define RATE 136 /* 1600 - 2*256 bits */

static const uint64_t rc[24] = {
  0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull,
  0x8000000080008000ull, 0x000000000000808bull, 0x0000000080000001ull,
  0x8000000080008081ull, 0x8000000000008009ull, 0x000000000000008aull,
  0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
  0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull,
  0x8000000000008003ull, 0x8000000000008002ull, 0x8000000000000080ull,
  0x000000000000800aull, 0x800000008000000aull, 0x8000000080008081ull,
  0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull };

/* rotation offsets and lane order of the combined rho and pi steps */
static const unsigned rotc[24] = { 1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                   27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44 };
static const unsigned piln[24] = { 10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                   15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1 };

static uint64_t rol(uint64_t x, unsigned n)
{
  return x << n | x >> (64 - n);
}

static void keccak_f(uint64_t st[25])
{
  uint64_t bc[5], t;
  for (int round = 0; round < 24; round++) {
    for (int i = 0; i < 5; i++)
      bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
    for (int i = 0; i < 5; i++) {
      t = bc[(i + 4) % 5] ^ rol(bc[(i + 1) % 5], 1);
      for (int j = 0; j < 25; j += 5)
        st[j + i] ^= t;
    }
    t = st[1];
    for (int i = 0; i < 24; i++) {
      unsigned j = piln[i];
      uint64_t tmp = st[j];
      st[j] = rol(t, rotc[i]);
      t = tmp;
    }
    for (int j = 0; j < 25; j += 5) {
      for (int i = 0; i < 5; i++)
        bc[i] = st[j + i];
      for (int i = 0; i < 5; i++)
        st[j + i] ^= ~bc[(i + 1) % 5] & bc[(i + 2) % 5];
    }
    st[0] ^= rc[round];
  }
}

static void absorb_block(uint64_t st[25], const uint8_t *p)
{
  for (int i = 0; i < RATE / 8; i++) {
    uint64_t lane = 0;
    for (int b = 7; b >= 0; b--)
      lane = lane << 8 | p[8 * i + b];
    st[i] ^= lane;
  }
  keccak_f(st);
}

void clvm__keccak_init(struct clvm_keccak *k)
{
  memset(k, 0, sizeof *k);
}

void clvm__keccak_update(struct clvm_keccak *k, const uint8_t *p, size_t n)
{
  while (n) {
    size_t take = RATE - k->fill < n ? RATE - k->fill : n;
    memcpy(k->buf + k->fill, p, take);
    k->fill += take;
    p += take;
    n -= take;
    if (k->fill == RATE) {
      absorb_block(k->st, k->buf);
      k->fill = 0;
    }
  }
}

void clvm__keccak_final(struct clvm_keccak *k, uint8_t out[32])
{
  memset(k->buf + k->fill, 0, RATE - k->fill);
  k->buf[k->fill] ^= 0x01;
  k->buf[RATE - 1] ^= 0x80;
  absorb_block(k->st, k->buf);
  for (int i = 0; i < 4; i++)
    for (int b = 0; b < 8; b++)
      out[8 * i + b] = (uint8_t)(k->st[i] >> (8 * b));
}
