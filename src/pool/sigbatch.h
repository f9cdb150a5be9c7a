/* Batched AugSchemeMPL verification on the worker pool.
 *
 * Callers queue items (up to two public keys over one 32-byte message and
 * an aggregate signature, the shape of a pool partial). Verification jobs
 * on the worker pool take whatever has queued up, up to max_batch items,
 * and check them with one final exponentiation (crypto/bls_batch.h); when
 * the combined check fails every item is re-checked alone, so a bad
 * signature fails only its own item. Under light load a job takes one item
 * and verifies it directly: batching adds no latency, it only appears when
 * items wait anyway. Keys are decoded through the key cache.
 *
 * Batch size is what pays: the final exponentiation and the signature-side
 * pairing are shared, so a batch of 16 costs about two thirds per item of what
 * one alone does. A second concurrent job therefore starts only once
 * parallel_min items queue (a long queue is split between the jobs), and
 * optionally a lone job waits up to wait_us for parallel_min items when
 * submits come faster than that (sigbatch_set_tuning).
 *
 * Each verification job handles one batch and then requeues itself if more
 * items wait, so other job classes interleave on the shared pool. */
#ifndef CP_POOL_SIGBATCH_H
#define CP_POOL_SIGBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/bls.h"
#include "pool/keycache.h"
#include "util/err.h"
#include "util/workq.h"

#define SIGBATCH_MAX_KEYS 2
#define SIGBATCH_DEFAULT_BATCH 64
#define SIGBATCH_MAX_BATCH 1024

struct sigbatch;
struct sigbatch_item;

/* rc: CP_OK (valid), CP_VERIFY_FAILED (bad signature or key encoding),
 * CP_SHUTDOWN (the worker pool closed first), CP_NOMEM / CP_INTERNAL.
 * Runs on a worker thread; the item may be freed from here. */
typedef void (*sigbatch_done_fn)(struct sigbatch_item *it, cp_err rc);

/* Filled by the caller; must stay valid until done runs. */
struct sigbatch_item {
  uint8_t pk[SIGBATCH_MAX_KEYS][BLS_PK_SIZE];
  size_t npk;                 /* 1..SIGBATCH_MAX_KEYS */
  uint8_t msg[32];            /* every key signs this message */
  uint8_t sig[BLS_SIG_SIZE];
  sigbatch_done_fn done;
  void *ctx;
  struct sigbatch_item *next_; /* owned by the queue */
};

struct sigbatch_stats {
  uint64_t items;
  uint64_t batches;     /* verification jobs that verified something */
  uint64_t max_batch;   /* largest batch seen */
  uint64_t fallbacks;   /* batches whose combined check failed */
  uint64_t waits;       /* jobs that waited for a fuller batch */
};

/* lifecycle */
/* cls: the worker pool class of the verification jobs; jobs run at most
 * max_jobs at once (0 = the pool's thread count). max_batch 0 = default. */
cp_err sigbatch_new(struct workq *q, unsigned cls, unsigned max_jobs, size_t max_batch,
                    struct keycache *kc, struct sigbatch **out);
/* Waits for queued items to be verified (or cancelled), then frees. */
void sigbatch_free(struct sigbatch *sb);

/* mutations */
/* Queue an item. CP_INVAL for npk out of range; CP_QUEUE_FULL / CP_SHUTDOWN
 * if no verification job could be scheduled (then done is NOT called). */
cp_err sigbatch_submit(struct sigbatch *sb, struct sigbatch_item *it);

/* Any time; jobs that start later use it. parallel_min (0 = 1, every job may start at once):
 * queued items that justify another concurrent job. wait_us (0 = never):
 * the longest a lone job waits for parallel_min items. */
void sigbatch_set_tuning(struct sigbatch *sb, size_t parallel_min, uint64_t wait_us);

/* queries */
void sigbatch_stats(struct sigbatch *sb, struct sigbatch_stats *out);

#endif
