/* A bounded, thread-safe cache of decoded BLS public keys, keyed by their
 * 48-byte compressed encoding.
 *
 * Decompressing a G1 point and checking its subgroup costs about as much as
 * a third of a pairing; plot keys and authentication keys repeat on every
 * partial a farmer sends, so the pool decodes each once. Only keys that
 * decode are cached: a hostile key costs its decode every time, which is
 * no more than the uncached path. Set-associative (4 ways) with per-set
 * least-recently-used eviction; the table never grows past its capacity. */
#ifndef CP_POOL_KEYCACHE_H
#define CP_POOL_KEYCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bls.h"
#include "util/err.h"

#define KEYCACHE_DEFAULT_CAPACITY 16384
#define KEYCACHE_MAX_CAPACITY (1u << 22)

struct keycache;

struct keycache_stats {
  uint64_t hits;
  uint64_t misses;
  uint64_t evictions;
};

/* lifecycle */
/* capacity 0 = KEYCACHE_DEFAULT_CAPACITY; rounded up to a power of two;
 * CP_INVAL above KEYCACHE_MAX_CAPACITY. */
cp_err keycache_new(size_t capacity, struct keycache **out);
void keycache_free(struct keycache *kc);

/* queries */
/* The decoded key for these 48 bytes, from the cache or decoded (and then
 * cached). CP_BAD_KEY for an encoding bls_pk_decode rejects. */
cp_err keycache_get(struct keycache *kc, const uint8_t bytes[BLS_PK_SIZE],
                    struct bls_pk *out);
void keycache_stats(struct keycache *kc, struct keycache_stats *out);
size_t keycache_capacity(const struct keycache *kc);

#endif
