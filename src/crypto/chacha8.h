/* ChaCha keystream (DJB's original variant: 64-bit block counter, 64-bit
 * nonce) with 8 rounds, as chiapos uses it for F1. No encryption API: proof of
 * space only ever reads the raw keystream.
 *
 * The keystream of block i is chacha_core(rounds) applied to the state
 * { "expand 32-byte k", key, counter = i (words 12..13), nonce (14..15) }. */
#ifndef CP_CRYPTO_CHACHA8_H
#define CP_CRYPTO_CHACHA8_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA_BLOCK_SIZE 64

struct chacha8_ctx {
  uint32_t state[16]; /* counter words are overwritten per block */
};

/* lifecycle: nonce may be NULL (all zero, which is what chiapos passes) */
void chacha8_init(struct chacha8_ctx *c, const uint8_t key[32],
                  const uint8_t nonce[8]);

/* queries: n consecutive keystream blocks starting at block index `block`,
 * 64*n bytes into out. */
void chacha8_blocks(const struct chacha8_ctx *c, uint64_t block, size_t n,
                    uint8_t *out);

/* The bare permutation-plus-feed-forward on an explicit state, with a
 * selectable (even) round count: lets tests prove the core against ChaCha20
 * vectors that use the IETF state layout. */
void chacha_core(uint8_t out[CHACHA_BLOCK_SIZE], const uint32_t in[16],
                 unsigned rounds);

#endif
