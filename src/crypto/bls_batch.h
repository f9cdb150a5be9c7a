/* Batch verification of independent AugSchemeMPL aggregate signatures.
 *
 * Every item (a few pk/msg pairs and one signature, e.g. one pool partial)
 * is weighted by a fresh random 64-bit scalar from the OpenSSL CSPRNG and all
 * items share one Miller-loop accumulator and a single final
 * exponentiation. A forged item passes the combined check with probability
 * about 2^-64. If the combined check fails, every item is verified on its
 * own so each bad one is reported.
 *
 * Items are copied on add (keys, signature and message bytes), so callers
 * may reuse their buffers. Not thread-safe: one batch per thread. */
#ifndef CP_CRYPTO_BLS_BATCH_H
#define CP_CRYPTO_BLS_BATCH_H

#include <stddef.h>

#include "crypto/bls.h"
#include "util/err.h"

/* A pool partial has 2 pairs; allow a little more. */
#define BLS_BATCH_MAX_PAIRS 4
/* Partials sign 32-byte hashes; anything much longer is not ours. */
#define BLS_BATCH_MAX_MSG 1024
#define BLS_BATCH_MAX_ITEMS 65536

struct bls_batch;

/* lifecycle */
/* NULL if max_items is 0 or above BLS_BATCH_MAX_ITEMS. */
struct bls_batch *bls_batch_new(size_t max_items);
void bls_batch_free(struct bls_batch *b);
void bls_batch_reset(struct bls_batch *b);   /* empty, keep memory */

/* mutations */
/* CP_QUEUE_FULL when max_items are queued; CP_TOO_BIG for more than
 * BLS_BATCH_MAX_PAIRS pairs or a message above BLS_BATCH_MAX_MSG. */
cp_err bls_batch_add(struct bls_batch *b, const struct bls_pair *pairs,
                     size_t n, const struct bls_sig *sig);

/* queries */
size_t bls_batch_count(const struct bls_batch *b);
/* Verify everything queued. results (bls_batch_count() entries) gets CP_OK
 * or CP_VERIFY_FAILED per item, in add order. Returns CP_OK if all items
 * are valid, CP_VERIFY_FAILED if any is not, CP_INTERNAL if the random
 * number generator fails, CP_NOMEM. The batch keeps its items; reset it
 * before reuse. */
cp_err bls_batch_verify(struct bls_batch *b, cp_err *results);

#endif
