#include "crypto/blake3.h"

#include <string.h>

enum {
  CHUNK_START = 1 << 0,
  CHUNK_END = 1 << 1,
  PARENT = 1 << 2,
  ROOT = 1 << 3,
};

static const uint32_t IV[8] = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t rotr32(uint32_t v, unsigned n)
{
  return v >> n | v << (32 - n);
}

static inline uint32_t le32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

#define G(a, b, c, d, x, y)                                                   \
  do {                                                                        \
    s[a] += s[b] + (x); s[d] = rotr32(s[d] ^ s[a], 16);                       \
    s[c] += s[d];       s[b] = rotr32(s[b] ^ s[c], 12);                       \
    s[a] += s[b] + (y); s[d] = rotr32(s[d] ^ s[a], 8);                        \
    s[c] += s[d];       s[b] = rotr32(s[b] ^ s[c], 7);                        \
  } while (0)

#define ROUND(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13,   \
              a14, a15)                                                       \
  do {                                                                        \
    G(0, 4, 8, 12, m[a0], m[a1]);                                             \
    G(1, 5, 9, 13, m[a2], m[a3]);                                             \
    G(2, 6, 10, 14, m[a4], m[a5]);                                            \
    G(3, 7, 11, 15, m[a6], m[a7]);                                            \
    G(0, 5, 10, 15, m[a8], m[a9]);                                            \
    G(1, 6, 11, 12, m[a10], m[a11]);                                          \
    G(2, 7, 8, 13, m[a12], m[a13]);                                           \
    G(3, 4, 9, 14, m[a14], m[a15]);                                           \
  } while (0)

/* The compression function; writes the 8-word truncated output (all that the
 * 32-byte hash and the chaining values need). */
static void compress(uint32_t out[8], const uint32_t cv[8],
                     const uint8_t block[BLAKE3_BLOCK_LEN], uint32_t block_len,
                     uint64_t counter, uint32_t flags)
{
  uint32_t m[16], s[16];
  for (int i = 0; i < 16; i++)
    m[i] = le32(block + 4 * i);
  for (int i = 0; i < 8; i++)
    s[i] = cv[i];
  s[8] = IV[0];
  s[9] = IV[1];
  s[10] = IV[2];
  s[11] = IV[3];
  s[12] = (uint32_t)counter;
  s[13] = (uint32_t)(counter >> 32);
  s[14] = block_len;
  s[15] = flags;
  /* Message word order per round: the spec's permutation applied 0..6
   * times, written out with literal indices so m[] stays in registers. */
  ROUND(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  ROUND(2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8);
  ROUND(3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1);
  ROUND(10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6);
  ROUND(12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4);
  ROUND(9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7);
  ROUND(11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13);
  for (int i = 0; i < 8; i++)
    out[i] = s[i] ^ s[i + 8];
}

static void words_out(uint8_t out[BLAKE3_OUT_LEN], const uint32_t w[8])
{
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)w[i];
    out[4 * i + 1] = (uint8_t)(w[i] >> 8);
    out[4 * i + 2] = (uint8_t)(w[i] >> 16);
    out[4 * i + 3] = (uint8_t)(w[i] >> 24);
  }
}

static void parent_cv(uint32_t out[8], const uint32_t l[8], const uint32_t r[8],
                      uint32_t flags)
{
  uint8_t block[BLAKE3_BLOCK_LEN];
  for (int i = 0; i < 8; i++) {
    for (int j = 0; j < 4; j++) {
      block[4 * i + j] = (uint8_t)(l[i] >> (8 * j));
      block[32 + 4 * i + j] = (uint8_t)(r[i] >> (8 * j));
    }
  }
  compress(out, IV, block, BLAKE3_BLOCK_LEN, 0, PARENT | flags);
}

void blake3_init(struct blake3_hasher *h)
{
  memcpy(h->cv, IV, sizeof h->cv);
  h->chunk_counter = 0;
  memset(h->block, 0, sizeof h->block);
  h->block_len = 0;
  h->blocks_done = 0;
  h->stack_len = 0;
}

/* A finished (non-root) chunk CV joins the tree: merge with the stack as
 * many times as the chunk count has trailing zero bits (the lazy merging of
 * the reference implementation, which keeps the stack = the binary digits). */
static void push_chunk_cv(struct blake3_hasher *h, const uint32_t cv[8])
{
  uint32_t cur[8];
  uint64_t total = h->chunk_counter + 1;
  memcpy(cur, cv, sizeof cur);
  while ((total & 1) == 0) {
    h->stack_len--;
    parent_cv(cur, h->stack[h->stack_len], cur, 0);
    total >>= 1;
  }
  memcpy(h->stack[h->stack_len], cur, sizeof cur);
  h->stack_len++;
}

void blake3_update(struct blake3_hasher *h, const void *data, size_t n)
{
  const uint8_t *p = data;
  while (n > 0) {
    /* A full buffered block is only compressed once more input proves it is
     * not the chunk's (or the message's) last block. */
    if (h->block_len == BLAKE3_BLOCK_LEN) {
      uint32_t flags = h->blocks_done == 0 ? CHUNK_START : 0;
      if (h->blocks_done == BLAKE3_CHUNK_LEN / BLAKE3_BLOCK_LEN - 1) {
        uint32_t cv[8];
        compress(cv, h->cv, h->block, BLAKE3_BLOCK_LEN, h->chunk_counter,
                 flags | CHUNK_END);
        push_chunk_cv(h, cv);
        h->chunk_counter++;
        memcpy(h->cv, IV, sizeof h->cv);
        h->blocks_done = 0;
      } else {
        compress(h->cv, h->cv, h->block, BLAKE3_BLOCK_LEN, h->chunk_counter,
                 flags);
        h->blocks_done++;
      }
      h->block_len = 0;
      memset(h->block, 0, sizeof h->block);
    }
    size_t take = BLAKE3_BLOCK_LEN - h->block_len;
    if (take > n)
      take = n;
    memcpy(h->block + h->block_len, p, take);
    h->block_len = (uint8_t)(h->block_len + take);
    p += take;
    n -= take;
  }
}

void blake3_final(const struct blake3_hasher *h, uint8_t out[BLAKE3_OUT_LEN])
{
  uint32_t flags = (h->blocks_done == 0 ? CHUNK_START : 0) | CHUNK_END;
  uint32_t w[8];
  if (h->stack_len == 0) {
    compress(w, h->cv, h->block, h->block_len, h->chunk_counter, flags | ROOT);
    words_out(out, w);
    return;
  }
  /* The last chunk's CV, then fold the stack from the top; only the very
   * last parent compression carries ROOT. */
  uint32_t cur[8];
  compress(cur, h->cv, h->block, h->block_len, h->chunk_counter, flags);
  for (int i = h->stack_len - 1; i >= 0; i--)
    parent_cv(cur, h->stack[i], cur, i == 0 ? ROOT : 0);
  words_out(out, cur);
}

void blake3(uint8_t out[BLAKE3_OUT_LEN], const void *data, size_t n)
{
  struct blake3_hasher h;
  if (n <= BLAKE3_BLOCK_LEN) {
    blake3_small(out, data, n);
    return;
  }
  blake3_init(&h);
  blake3_update(&h, data, n);
  blake3_final(&h, out);
}

void blake3_small(uint8_t out[BLAKE3_OUT_LEN], const void *data, size_t n)
{
  uint8_t block[BLAKE3_BLOCK_LEN] = { 0 };
  uint32_t w[8];
  if (n > BLAKE3_BLOCK_LEN) {
    blake3(out, data, n);
    return;
  }
  if (n)
    memcpy(block, data, n);
  compress(w, IV, block, (uint32_t)n, 0, CHUNK_START | CHUNK_END | ROOT);
  words_out(out, w);
}
