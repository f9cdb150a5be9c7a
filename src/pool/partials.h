/* The partial pipeline (pool-protocol.md §5-6): every check in the
 * reference pool's order, plus membership and replay checks; accepted
 * partials go to the store's persisted pending queue and are credited after
 * partial_confirmation_delay once their signage point is still in the chain.
 *
 * Threads: partials_submit never blocks on BLS, proofs or the node; the work
 * runs on the shared worker pool (signatures verified in batches) and the
 * reply callback fires exactly once, from a worker thread (or inline, before
 * partials_submit returns, for rejections that need no work; or from the
 * store's writer thread for a replay caught by the enqueue itself, or the
 * pipeline's retry timer when the worker pool refuses a job). Keep the
 * callback short and never call partials_free from it (that waits for the
 * callback). partials_submit reads the farmer record on the calling thread
 * (a store read, no write).
 *
 * Check order and codes:
 *   token (12) -> farmer known (10) -> aggregate signature of plot key and
 *   stored authentication key (7) -> proof's pool contract puzzle hash ==
 *   farmer's p2_singleton_puzzle_hash (9) -> farmer is a current member (14)
 *   -> signage point / end of sub-slot known and not reverted, one retry
 *   after sp_retry_ms (3) -> not later than partial_time_limit after the
 *   node saw it (2) -> proof, plot filter at peak + 1 (4) -> required
 *   iterations at the farmer's difficulty (5) -> not a replay of a proof
 *   already pending or credited (4, "duplicate") -> enqueue -> difficulty
 *   update -> POOL_OK with new_difficulty. */
#ifndef CP_POOL_PARTIALS_H
#define CP_POOL_PARTIALS_H

#include <stdint.h>

#include "chia/constants.h"
#include "chia/types.h"
#include "pool/chain.h"
#include "pool/config.h"
#include "pool/protocol.h"
#include "store/store.h"
#include "util/metrics.h"
#include "util/workq.h"

struct partials;

/* Worker pool classes the pipeline submits to: signature batches and the
 * difficulty update are CPU work; signage point lookups (with the proof
 * check and the store write that follow them) wait on the node. Give the
 * node class a cap below the thread count (workq_options.class_limit) so
 * a slow node cannot starve verification. */
#define PARTIALS_CLASS_CPU 0
#define PARTIALS_CLASS_NODE 1

struct partials_deps {
  const struct pool_config *cfg;
  const struct chia_consts *net;
  struct store *store;
  struct chain *chain;
  struct workq *workq;      /* shared worker pool */
  struct metrics *metrics;  /* may be NULL */
  uint32_t sp_retry_ms;     /* reference: 10000; tests use less */
  struct leader *leader;    /* NULL: always confirm (one front end) */
};

struct partial_reply {
  enum pool_code code;      /* POOL_OK or the protocol error */
  uint64_t new_difficulty;  /* valid when code == POOL_OK */
  char message[256];        /* error_message for the farmer */
};

typedef void (*partials_reply_fn)(void *ctx, const struct partial_reply *r);

/* lifecycle */
cp_err partials_new(const struct partials_deps *d, struct partials **out);
/* Stops the confirmer, waits for in-flight submissions (their replies fire
 * with POOL_SERVER_EXCEPTION if cancelled), frees. */
void partials_free(struct partials *p);

/* Submit one parsed request received at `received_at` (unix seconds). The
 * request is copied. CP_OK if a reply will come; CP_QUEUE_FULL /
 * CP_SHUTDOWN if the pipeline is saturated or closing (then no reply). */
cp_err partials_submit(struct partials *p, const struct chia_partial_request *req,
                       uint64_t received_at, partials_reply_fn fn, void *ctx);

/* Delayed confirmation: one pass over pending partials due at `now`:
 * credited (points += difficulty, partial recorded, exactly once) or
 * dropped (signage point reverted/unknown, farmer left). Idempotent and
 * crash-safe: the store's transactions decide. */
cp_err partials_confirm_due(struct partials *p, uint64_t now, size_t *credited,
                            size_t *dropped);
/* Background thread calling partials_confirm_due every second. */
cp_err partials_start_confirmer(struct partials *p);

/* queries: pipeline counters (benchmarks, tests, logs) */
struct partials_stats {
  uint64_t sig_items;      /* signatures verified */
  uint64_t sig_batches;    /* verification jobs that verified something */
  uint64_t sig_max_batch;  /* largest batch */
  uint64_t sig_fallbacks;  /* batches that failed and were re-checked alone */
  uint64_t sig_waits;      /* batches that waited for more items */
  uint64_t key_hits;       /* decoded-key cache */
  uint64_t key_misses;
};
void partials_stats(struct partials *p, struct partials_stats *out);
/* Retune signature batching at run time (see sigbatch_set_tuning); for
 * benchmarks that compare settings under the same load. */
void partials_set_sig_tuning(struct partials *p, size_t parallel_min, uint64_t wait_us);

#endif
