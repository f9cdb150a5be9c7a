#include "pool/leader.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "util/log.h"
#include "util/xalloc.h"

#define LEADER_DEFAULT_CHECK_MS 1000
/* Failed checks in a row before a leader steps down: one busy or slow
 * database answer should not make it flap (and re-release claims). */
#define LEADER_ERRORS_MAX 3

struct leader {
  struct leader_options o;
  atomic_int is;
  int need_unclaim; /* leader thread only */
  unsigned errors;  /* leader thread only: failed checks in a row */
  struct metric *m_leader;
  pthread_t thr;
  int thr_started;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
};

static void check(struct leader *l)
{
  int held = 0, was = atomic_load(&l->is);
  cp_err rc = store_lease_try(l->o.store, STORE_LEASE_LEADER, &held);

  if (rc) {
    log_warn("leader", "lease_failed", "err=%s", cp_errname(rc));
    if (++l->errors < LEADER_ERRORS_MAX)
      return; /* keep what we were */
  } else {
    l->errors = 0;
  }
  if (held && !was) {
    l->need_unclaim = 1;
    log_info("leader", "acquired", "%s", "this front end runs the confirmer, "
             "money loop and refresher");
  } else if (!held && was) {
    log_warn("leader", "lost", "err=%s", cp_errname(rc));
  }
  if (held && l->need_unclaim) {
    /* The previous leader's claims: its confirmer is gone. Until this
     * succeeds those partials wait; nothing else is affected. */
    uint64_t n = 0;
    rc = store_pending_unclaim(l->o.store, &n);
    if (!rc) {
      l->need_unclaim = 0;
      if (n)
        log_info("leader", "claims_released", "n=%llu", (unsigned long long)n);
    }
  }
  atomic_store(&l->is, held);
  metric_set(l->m_leader, held);
}

static void *leader_main(void *arg)
{
  struct leader *l = arg;
  pthread_mutex_lock(&l->mu);
  while (!l->stop) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(l->o.check_ms / 1000);
    ts.tv_nsec += (long)(l->o.check_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&l->cv, &l->mu, &ts);
    if (l->stop)
      break;
    pthread_mutex_unlock(&l->mu);
    check(l);
    pthread_mutex_lock(&l->mu);
  }
  pthread_mutex_unlock(&l->mu);
  return NULL;
}

cp_err leader_new(const struct leader_options *o, struct leader **out)
{
  struct leader *l;

  *out = NULL;
  if (!o || !o->store)
    return CP_INVAL;
  l = xcalloc(1, sizeof *l);
  l->o = *o;
  if (!l->o.check_ms)
    l->o.check_ms = LEADER_DEFAULT_CHECK_MS;
  atomic_init(&l->is, 0);
  pthread_mutex_init(&l->mu, NULL);
  pthread_cond_init(&l->cv, NULL);
  if (o->metrics)
    l->m_leader = metrics_gauge(o->metrics, "chiapool_leader",
                                "1 if this front end holds the leader lease (runs the "
                                "confirmer, money loop and singleton refresher)",
                                NULL, NULL);
  check(l);
  if (pthread_create(&l->thr, NULL, leader_main, l)) {
    leader_free(l);
    return CP_INTERNAL;
  }
  l->thr_started = 1;
  *out = l;
  return CP_OK;
}

void leader_free(struct leader *l)
{
  if (!l)
    return;
  if (l->thr_started) {
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thr, NULL);
  }
  pthread_cond_destroy(&l->cv);
  pthread_mutex_destroy(&l->mu);
  free(l);
}

int leader_is(const struct leader *l)
{
  return !l || atomic_load(&((struct leader *)l)->is);
}
