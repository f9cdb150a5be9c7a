#include "util/workq.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/xalloc.h"

struct job {
  struct job *next;
  workq_work_fn work;
  workq_done_fn done;
  void *ctx;
  unsigned cls;
};

struct workq {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  /* one FIFO per class, so a capped class's backlog never blocks others */
  struct job *head[WORKQ_MAX_CLASSES];
  struct job *tail[WORKQ_MAX_CLASSES];
  unsigned running[WORKQ_MAX_CLASSES];
  unsigned limit[WORKQ_MAX_CLASSES];
  size_t queued;
  size_t max_queued;
  int stopping;
  unsigned nthreads;
  pthread_t *threads;
};

/* Next runnable job, round-robin from the class after the last served so
 * a busy class cannot monopolise the pool. Caller holds the lock. */
static struct job *take_locked(struct workq *q, unsigned *rr)
{
  for (unsigned i = 0; i < WORKQ_MAX_CLASSES; i++) {
    unsigned c = (*rr + i) % WORKQ_MAX_CLASSES;
    struct job *j = q->head[c];
    if (!j || (q->limit[c] && q->running[c] >= q->limit[c]))
      continue;
    q->head[c] = j->next;
    if (!q->head[c])
      q->tail[c] = NULL;
    q->queued--;
    q->running[c]++;
    *rr = c + 1;
    return j;
  }
  return NULL;
}

static void *worker_main(void *arg)
{
  struct workq *q = arg;
  unsigned rr = 0;

  pthread_mutex_lock(&q->lock);
  for (;;) {
    struct job *j = take_locked(q, &rr);
    if (!j) {
      if (q->stopping)
        break;
      pthread_cond_wait(&q->cond, &q->lock);
      continue;
    }
    pthread_mutex_unlock(&q->lock);
    j->work(j->ctx);
    if (j->done)
      j->done(j->ctx, CP_OK);
    pthread_mutex_lock(&q->lock);
    q->running[j->cls]--;
    free(j);
    /* a capped class may have become runnable for a sleeping thread */
    pthread_cond_broadcast(&q->cond);
  }
  pthread_mutex_unlock(&q->lock);
  return NULL;
}

cp_err workq_new(const struct workq_options *opt, struct workq **out)
{
  struct workq *q;
  long ncpu;

  *out = NULL;
  q = xcalloc(1, sizeof *q);
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->cond, NULL);
  ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  q->nthreads = opt && opt->threads ? opt->threads : (ncpu > 0 ? (unsigned)ncpu : 1);
  q->max_queued = opt && opt->max_queued ? opt->max_queued : 10000;
  for (unsigned c = 0; c < WORKQ_MAX_CLASSES; c++)
    q->limit[c] = opt ? opt->class_limit[c] : 0;
  q->threads = xcalloc(q->nthreads, sizeof *q->threads);
  for (unsigned i = 0; i < q->nthreads; i++) {
    if (pthread_create(&q->threads[i], NULL, worker_main, q)) {
      q->nthreads = i;
      workq_free(q);
      return CP_INTERNAL;
    }
  }
  *out = q;
  return CP_OK;
}

void workq_free(struct workq *q)
{
  struct job *cancelled = NULL;

  if (!q)
    return;
  pthread_mutex_lock(&q->lock);
  q->stopping = 1;
  for (unsigned c = 0; c < WORKQ_MAX_CLASSES; c++) {
    while (q->head[c]) {
      struct job *j = q->head[c];
      q->head[c] = j->next;
      j->next = cancelled;
      cancelled = j;
    }
    q->tail[c] = NULL;
  }
  q->queued = 0;
  pthread_cond_broadcast(&q->cond);
  pthread_mutex_unlock(&q->lock);
  /* done callbacks run without the lock: they may do anything but submit */
  while (cancelled) {
    struct job *j = cancelled;
    cancelled = j->next;
    if (j->done)
      j->done(j->ctx, CP_SHUTDOWN);
    free(j);
  }
  for (unsigned i = 0; i < q->nthreads; i++)
    pthread_join(q->threads[i], NULL);
  free(q->threads);
  pthread_cond_destroy(&q->cond);
  pthread_mutex_destroy(&q->lock);
  free(q);
}

cp_err workq_submit(struct workq *q, unsigned cls, workq_work_fn work,
                    workq_done_fn done, void *ctx)
{
  struct job *j;

  if (cls >= WORKQ_MAX_CLASSES || !work)
    return CP_INVAL;
  j = xmalloc(sizeof *j);
  j->next = NULL;
  j->work = work;
  j->done = done;
  j->ctx = ctx;
  j->cls = cls;
  pthread_mutex_lock(&q->lock);
  if (q->stopping || q->queued >= q->max_queued) {
    cp_err rc = q->stopping ? CP_SHUTDOWN : CP_QUEUE_FULL;
    pthread_mutex_unlock(&q->lock);
    free(j);
    return rc;
  }
  if (q->tail[cls])
    q->tail[cls]->next = j;
  else
    q->head[cls] = j;
  q->tail[cls] = j;
  q->queued++;
  pthread_cond_signal(&q->cond);
  pthread_mutex_unlock(&q->lock);
  return CP_OK;
}

unsigned workq_threads(const struct workq *q)
{
  return q->nthreads;
}

size_t workq_pending(struct workq *q)
{
  size_t n;
  pthread_mutex_lock(&q->lock);
  n = q->queued;
  pthread_mutex_unlock(&q->lock);
  return n;
}
