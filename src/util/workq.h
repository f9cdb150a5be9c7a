/* A worker pool shaped like libuv's uv_queue_work: submit (work, done, ctx);
 * `work` runs on a pool thread and touches only ctx; `done` runs afterwards
 * with a status (CP_OK, or CP_SHUTDOWN when the pool closed before the job
 * ran). Unlike libuv there is no event loop to return to, so `done` runs on
 * the worker thread right after `work`; callers that need another thread
 * hand the result over through their own queue.
 *
 * Jobs belong to classes, each with a cap on how many pool threads it may
 * occupy at once, so one slow class (node RPC calls) cannot starve another
 * (proof and signature checks): libuv's "slow I/O uses at most half". The
 * queue is bounded: submit fails with CP_QUEUE_FULL instead of growing. */
#ifndef CP_UTIL_WORKQ_H
#define CP_UTIL_WORKQ_H

#include <stddef.h>
#include "util/err.h"

struct workq;

typedef void (*workq_work_fn)(void *ctx);
typedef void (*workq_done_fn)(void *ctx, cp_err status);

#define WORKQ_MAX_CLASSES 4

struct workq_options {
  unsigned threads;                        /* 0 = number of online CPUs */
  size_t max_queued;                       /* total pending jobs */
  unsigned class_limit[WORKQ_MAX_CLASSES]; /* 0 = no cap beyond threads */
};

/* lifecycle */
cp_err workq_new(const struct workq_options *opt, struct workq **out);
/* Stops accepting jobs, cancels queued ones (done(ctx, CP_SHUTDOWN)),
 * waits for running ones, joins the threads, frees. */
void workq_free(struct workq *q);

/* Queue a job of class cls (< WORKQ_MAX_CLASSES). CP_QUEUE_FULL or
 * CP_SHUTDOWN if it was not queued (then done is NOT called). */
cp_err workq_submit(struct workq *q, unsigned cls, workq_work_fn work,
                    workq_done_fn done, void *ctx);

/* queries */
unsigned workq_threads(const struct workq *q);
size_t workq_pending(struct workq *q);

#endif
