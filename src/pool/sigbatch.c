#include "pool/sigbatch.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "crypto/bls_batch.h"
#include "util/xalloc.h"

/* Arrival gaps above this count as this: one idle minute must not take
 * minutes of traffic to forget. */
#define SB_GAP_CAP_US 1000000u

struct sigbatch {
  struct workq *q;
  unsigned cls;
  unsigned max_jobs;
  size_t max_batch;
  struct keycache *kc;

  size_t parallel_min;        /* queued items that justify another job */
  uint64_t wait_us;           /* longest wait of a lone job for more items */

  pthread_mutex_t lock;
  pthread_cond_t idle;        /* jobs dropped to 0 */
  pthread_cond_t more;        /* a waiting job's batch filled up */
  struct sigbatch_item *head, *tail;
  size_t queued;              /* items on the list */
  unsigned jobs;              /* scheduled or running verification jobs */
  unsigned running;           /* of which taking or verifying items */
  unsigned waiting;           /* jobs waiting for a fuller batch */
  uint64_t last_submit_us;
  uint64_t gap_us;            /* moving mean of the time between submits */
  struct sigbatch_stats st;
};

static uint64_t sb_now_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

cp_err sigbatch_new(struct workq *q, unsigned cls, unsigned max_jobs, size_t max_batch,
                    struct keycache *kc, struct sigbatch **out)
{
  struct sigbatch *sb;
  pthread_condattr_t ca;

  *out = NULL;
  if (!q || !kc || cls >= WORKQ_MAX_CLASSES || max_batch > SIGBATCH_MAX_BATCH)
    return CP_INVAL;
  sb = xcalloc(1, sizeof *sb);
  sb->q = q;
  sb->cls = cls;
  sb->max_jobs = max_jobs ? max_jobs : workq_threads(q);
  sb->max_batch = max_batch ? max_batch : SIGBATCH_DEFAULT_BATCH;
  sb->kc = kc;
  sb->parallel_min = 1;
  sb->gap_us = SB_GAP_CAP_US;
  pthread_mutex_init(&sb->lock, NULL);
  pthread_cond_init(&sb->idle, NULL);
  /* the batch wait's deadline is monotonic, like every interval here */
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&sb->more, &ca);
  pthread_condattr_destroy(&ca);
  *out = sb;
  return CP_OK;
}

void sigbatch_free(struct sigbatch *sb)
{
  if (!sb)
    return;
  pthread_mutex_lock(&sb->lock);
  while (sb->jobs)
    pthread_cond_wait(&sb->idle, &sb->lock);
  pthread_mutex_unlock(&sb->lock);
  pthread_cond_destroy(&sb->more);
  pthread_cond_destroy(&sb->idle);
  pthread_mutex_destroy(&sb->lock);
  free(sb);
}

/* Detach the whole queue. Caller holds the lock. */
static struct sigbatch_item *sb_take_all_locked(struct sigbatch *sb)
{
  struct sigbatch_item *all = sb->head;
  sb->head = sb->tail = NULL;
  sb->queued = 0;
  return all;
}

static void sb_fail_list(struct sigbatch_item *it, cp_err rc)
{
  while (it) {
    struct sigbatch_item *next = it->next_;
    it->done(it, rc);
    it = next;
  }
}

/* Decode keys and signature of one item: a bad encoding is the farmer's
 * bad signature, not a server fault. */
static cp_err sb_decode(struct sigbatch *sb, const struct sigbatch_item *it,
                        struct bls_pk *pks, struct bls_sig *sig)
{
  for (size_t i = 0; i < it->npk; i++)
    if (keycache_get(sb->kc, it->pk[i], &pks[i]))
      return CP_VERIFY_FAILED;
  if (bls_sig_decode(sig, it->sig, BLS_SIG_SIZE))
    return CP_VERIFY_FAILED;
  return CP_OK;
}

static cp_err sb_verify_one(struct sigbatch *sb, const struct sigbatch_item *it)
{
  struct bls_pk pks[SIGBATCH_MAX_KEYS];
  struct bls_pair pairs[SIGBATCH_MAX_KEYS];
  struct bls_sig sig;
  cp_err rc = sb_decode(sb, it, pks, &sig);

  if (rc)
    return rc;
  for (size_t i = 0; i < it->npk; i++)
    pairs[i] = (struct bls_pair){ .pk = &pks[i], .msg = it->msg, .len = 32 };
  return bls_aggregate_verify(pairs, it->npk, &sig);
}

/* Verify a detached list of n items and report each. */
static void sb_verify_list(struct sigbatch *sb, struct sigbatch_item *list, size_t n)
{
  struct bls_batch *batch = NULL;
  struct sigbatch_item **items = NULL;
  cp_err *res = NULL, *pre = NULL, rc;
  size_t k = 0, nb = 0;
  int fallback = 0;

  if (n == 1) {
    rc = sb_verify_one(sb, list);
    list->done(list, rc);
    return;
  }
  items = xcalloc(n, sizeof *items);
  pre = xcalloc(n, sizeof *pre);
  res = xcalloc(n, sizeof *res);
  batch = bls_batch_new(n);
  for (struct sigbatch_item *it = list; it; it = it->next_)
    items[k++] = it;
  for (size_t i = 0; i < n; i++) {
    struct bls_pk pks[SIGBATCH_MAX_KEYS];
    struct bls_pair pairs[SIGBATCH_MAX_KEYS];
    struct bls_sig sig;
    pre[i] = batch ? sb_decode(sb, items[i], pks, &sig) : CP_NOMEM;
    if (pre[i])
      continue;
    for (size_t j = 0; j < items[i]->npk; j++)
      pairs[j] = (struct bls_pair){ .pk = &pks[j], .msg = items[i]->msg, .len = 32 };
    pre[i] = bls_batch_add(batch, pairs, items[i]->npk, &sig);
    if (!pre[i])
      nb++;
  }
  rc = nb ? bls_batch_verify(batch, res) : CP_OK;
  if (rc && rc != CP_VERIFY_FAILED) {
    /* the batch itself failed (RNG, memory): items are not judged */
    for (size_t i = 0; i < nb; i++)
      res[i] = rc;
  }
  fallback = rc == CP_VERIFY_FAILED;
  pthread_mutex_lock(&sb->lock);
  if (fallback)
    sb->st.fallbacks++;
  pthread_mutex_unlock(&sb->lock);
  /* results come in add order, which skips items that failed to decode */
  k = 0;
  for (size_t i = 0; i < n; i++) {
    cp_err r = pre[i] ? pre[i] : res[k++];
    items[i]->done(items[i], r);
  }
  bls_batch_free(batch);
  free(res);
  free(pre);
  free(items);
}

static void sb_done(void *ctx, cp_err status);

/* A lone job with a short queue, while items arrive faster than it would
 * wait, waits (bounded) for parallel_min of them: one final exponentiation
 * then serves several partials. Under light load the mean gap is long and
 * nothing waits. Caller holds the lock. */
static void sb_wait_for_batch_locked(struct sigbatch *sb)
{
  uint64_t deadline;
  struct timespec ts;

  if (!sb->wait_us || sb->jobs != 1 || sb->queued >= sb->parallel_min ||
      sb->gap_us >= sb->wait_us)
    return;
  deadline = sb_now_us() + sb->wait_us;
  ts.tv_sec = (time_t)(deadline / 1000000u);
  ts.tv_nsec = (long)(deadline % 1000000u) * 1000L;
  sb->waiting++;
  while (sb->queued < sb->parallel_min && sb_now_us() < deadline)
    if (pthread_cond_timedwait(&sb->more, &sb->lock, &ts))
      break;
  sb->waiting--;
  sb->st.waits++;
}

static void sb_work(void *ctx)
{
  struct sigbatch *sb = ctx;
  struct sigbatch_item *list, *last;
  size_t n = 0, take;
  unsigned slots;
  int spawn = 0;

  pthread_mutex_lock(&sb->lock);
  sb->running++;
  sb_wait_for_batch_locked(sb);
  take = sb->queued < sb->max_batch ? sb->queued : sb->max_batch;
  /* A long queue is split over this job and those that are scheduled or
   * may still start, so the other cores verify their share instead of
   * idling behind one long batch. */
  slots = sb->max_jobs - sb->running + 1;
  if (slots > 1 && sb->queued >= 2 * sb->parallel_min) {
    size_t share = (sb->queued + slots - 1) / slots;
    if (share < sb->parallel_min)
      share = sb->parallel_min;
    if (share < take)
      take = share;
  }
  list = sb->head;
  for (last = list; last && take; last = last->next_)
    if (++n == take)
      break;
  if (last) {
    sb->head = last->next_;
    if (!sb->head)
      sb->tail = NULL;
    last->next_ = NULL;
  } else {
    sb->head = sb->tail = NULL;
  }
  sb->queued -= n;
  if (n) {
    sb->st.items += n;
    sb->st.batches++;
    if (n > sb->st.max_batch)
      sb->st.max_batch = n;
  }
  if (sb->queued >= sb->parallel_min && sb->jobs < sb->max_jobs) {
    sb->jobs++;
    spawn = 1;
  }
  pthread_mutex_unlock(&sb->lock);
  /* a failed spawn leaves the rest to this job's requeue in sb_done */
  if (spawn && workq_submit(sb->q, sb->cls, sb_work, sb_done, sb) != CP_OK) {
    pthread_mutex_lock(&sb->lock);
    sb->jobs--;
    pthread_mutex_unlock(&sb->lock);
  }
  if (n)
    sb_verify_list(sb, list, n);
  pthread_mutex_lock(&sb->lock);
  sb->running--;
  pthread_mutex_unlock(&sb->lock);
}

static void sb_done(void *ctx, cp_err status)
{
  struct sigbatch *sb = ctx;
  struct sigbatch_item *orphans = NULL;
  cp_err rc = status;

  pthread_mutex_lock(&sb->lock);
  sb->jobs--;
  /* More waited meanwhile: requeue behind other classes' jobs. While
   * another job runs, a short queue is left to it, to grow into a batch. */
  if (status == CP_OK && sb->head && sb->jobs < sb->max_jobs &&
      (sb->jobs == 0 || sb->queued >= sb->parallel_min)) {
    sb->jobs++;
    pthread_mutex_unlock(&sb->lock);
    rc = workq_submit(sb->q, sb->cls, sb_work, sb_done, sb);
    if (rc == CP_OK)
      return;
    pthread_mutex_lock(&sb->lock);
    sb->jobs--;
  }
  if (rc && sb->jobs == 0)
    orphans = sb_take_all_locked(sb);
  if (sb->jobs == 0)
    pthread_cond_broadcast(&sb->idle);
  pthread_mutex_unlock(&sb->lock);
  sb_fail_list(orphans, rc);
}

cp_err sigbatch_submit(struct sigbatch *sb, struct sigbatch_item *it)
{
  int start = 0;
  cp_err rc;

  if (!it || it->npk == 0 || it->npk > SIGBATCH_MAX_KEYS || !it->done)
    return CP_INVAL;
  it->next_ = NULL;
  pthread_mutex_lock(&sb->lock);
  if (sb->tail)
    sb->tail->next_ = it;
  else
    sb->head = it;
  sb->tail = it;
  sb->queued++;
  {
    uint64_t now = sb_now_us(), gap = now - sb->last_submit_us;
    if (gap > SB_GAP_CAP_US)
      gap = SB_GAP_CAP_US;
    sb->gap_us = (sb->gap_us * 7 + gap) / 8;
    sb->last_submit_us = now;
  }
  if (sb->waiting) {
    /* the waiting job takes it; wake it once its batch is full */
    if (sb->queued >= sb->parallel_min)
      pthread_cond_signal(&sb->more);
  } else if (sb->jobs == 0 ||
             (sb->jobs < sb->max_jobs && sb->queued >= sb->parallel_min)) {
    sb->jobs++;
    start = 1;
  }
  pthread_mutex_unlock(&sb->lock);
  if (!start)
    return CP_OK;
  rc = workq_submit(sb->q, sb->cls, sb_work, sb_done, sb);
  if (rc == CP_OK)
    return CP_OK;
  pthread_mutex_lock(&sb->lock);
  sb->jobs--;
  if (sb->jobs == 0) {
    /* nobody will take it: unlink (it is still queued, no job ran since) */
    struct sigbatch_item **pp = &sb->head, *prev = NULL;
    while (*pp && *pp != it) {
      prev = *pp;
      pp = &(*pp)->next_;
    }
    if (*pp) {
      *pp = it->next_;
      if (sb->tail == it)
        sb->tail = prev;
      sb->queued--;
    }
    pthread_cond_broadcast(&sb->idle);
    pthread_mutex_unlock(&sb->lock);
    return rc;
  }
  pthread_mutex_unlock(&sb->lock);
  return CP_OK;
}

void sigbatch_set_tuning(struct sigbatch *sb, size_t parallel_min, uint64_t wait_us)
{
  pthread_mutex_lock(&sb->lock);
  sb->parallel_min = parallel_min ? parallel_min : 1;
  sb->wait_us = wait_us;
  pthread_mutex_unlock(&sb->lock);
}

void sigbatch_stats(struct sigbatch *sb, struct sigbatch_stats *out)
{
  pthread_mutex_lock(&sb->lock);
  *out = sb->st;
  pthread_mutex_unlock(&sb->lock);
}
