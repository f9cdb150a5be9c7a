/* BLAKE3 (unkeyed hash mode, 32-byte output), portable C.
 *
 * The full chunk tree is implemented so any input length hashes correctly;
 * proof of space only ever hashes <= 64 bytes, which takes a single
 * compression (blake3_small), the hot path of the verifier and plotter. */
#ifndef CP_CRYPTO_BLAKE3_H
#define CP_CRYPTO_BLAKE3_H

#include <stddef.h>
#include <stdint.h>

#define BLAKE3_OUT_LEN 32
#define BLAKE3_BLOCK_LEN 64
#define BLAKE3_CHUNK_LEN 1024

/* Incremental hasher; lives on the stack (about 1.9 KB), no allocation.
 * The CV stack depth of 54 covers 2^64 bytes of input. */
struct blake3_hasher {
  uint32_t cv[8];          /* chaining value of the chunk being filled */
  uint64_t chunk_counter;
  uint8_t block[BLAKE3_BLOCK_LEN];
  uint8_t block_len;
  uint8_t blocks_done;     /* compressed blocks in the current chunk */
  uint8_t stack_len;
  uint32_t stack[54][8];
};

/* lifecycle */
void blake3_init(struct blake3_hasher *h);
/* mutations */
void blake3_update(struct blake3_hasher *h, const void *data, size_t n);
/* queries: does not modify h, so more input may follow */
void blake3_final(const struct blake3_hasher *h, uint8_t out[BLAKE3_OUT_LEN]);

/* One-shot hash of any length. */
void blake3(uint8_t out[BLAKE3_OUT_LEN], const void *data, size_t n);
/* One-shot hash of n <= 64 bytes (one compression); n > 64 is a bug and
 * falls back to blake3(). */
void blake3_small(uint8_t out[BLAKE3_OUT_LEN], const void *data, size_t n);

#endif
