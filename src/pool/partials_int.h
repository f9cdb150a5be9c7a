/* Internals shared by partials.c (submission) and confirm.c (delayed
 * confirmation). Not for other modules. */
#ifndef CP_POOL_PARTIALS_INT_H
#define CP_POOL_PARTIALS_INT_H

#include <pthread.h>

#include "pool/difficulty.h"
#include "pool/keycache.h"
#include "pool/partials.h"
#include "pool/sigbatch.h"

/* Difficulty updates of one farmer are serialised (the reference holds its
 * store lock there); farmers are spread over stripes. */
#define PARTIALS_DIFF_STRIPES 16
/* The peak height for the plot filter is refreshed at most this often. */
#define PARTIALS_PEAK_TTL_MS 5000
/* Pending items claimed per store round trip when confirming. */
#define PARTIALS_CLAIM_BATCH 512

struct pjob;

struct partials {
  struct partials_deps d;
  struct difficulty_params dp;
  uint64_t pool_ssi;          /* pool_sub_slot_iters incl. test mode */
  struct keycache *kc;
  struct sigbatch *sb;

  pthread_mutex_t lock;       /* inflight, closing, retries */
  pthread_cond_t cond;
  size_t inflight;
  int closing;
  struct pjob *retries;       /* waiting for their second SP lookup */
  pthread_t timer;
  int timer_started;

  pthread_mutex_t peak_lock;
  int have_peak;
  uint32_t peak_height;
  uint64_t peak_at_ms;

  pthread_mutex_t diff_lock[PARTIALS_DIFF_STRIPES];

  /* confirmation */
  pthread_mutex_t confirm_lock; /* one pass at a time; guards `held` */
  struct store_pending_list held; /* claimed, node unreachable: retry */
  pthread_t confirmer;
  int confirmer_started;
  int confirmer_stop;           /* under lock */

  /* metrics (NULL when deps->metrics is NULL) */
  struct metric *m_result[POOL_CODE_LAST];
  struct metric *m_latency;
  struct metric *m_pending;
  struct metric *m_credited;
  struct metric *m_dropped;
};

/* confirm.c */
void partials__confirm_stop(struct partials *p);
void partials__confirm_release(struct partials *p);

#endif
