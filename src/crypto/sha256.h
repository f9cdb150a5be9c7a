/* SHA-256 (Chia's std_hash) on OpenSSL. */
#ifndef CP_CRYPTO_SHA256_H
#define CP_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Opaque-sized context: large enough for OpenSSL's SHA256_CTX, checked by a
 * static assertion in sha256.c, so callers can keep it on the stack. */
struct sha256_ctx {
  uint64_t opaque[16];
};

void sha256(uint8_t out[32], const void *data, size_t n);
void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
void sha256_final(struct sha256_ctx *c, uint8_t out[32]);

#endif
