/* OpenSSL 3 deprecates the low-level SHA256_* calls in favour of EVP, but the
 * EVP path allocates a context per hash; CLVM tree hashing and the plot
 * filter do millions of tiny hashes, so we keep the direct, allocation-free
 * API. */
#define OPENSSL_API_COMPAT 0x10100000L
#include "crypto/sha256.h"

#include <openssl/sha.h>

_Static_assert(sizeof(SHA256_CTX) <= sizeof(struct sha256_ctx),
               "sha256_ctx too small for SHA256_CTX");

/* Not OpenSSL's one-shot SHA256(): in OpenSSL 3 it fetches the digest by
 * name on every call, which made tree hashing ~3x slower. */
void sha256(uint8_t out[32], const void *data, size_t n)
{
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, data, n);
  SHA256_Final(out, &c);
}

void sha256_init(struct sha256_ctx *c)
{
  SHA256_Init((SHA256_CTX *)(void *)c);
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t n)
{
  SHA256_Update((SHA256_CTX *)(void *)c, data, n);
}

void sha256_final(struct sha256_ctx *c, uint8_t out[32])
{
  SHA256_Final(out, (SHA256_CTX *)(void *)c);
}
