/* Partial submission: the checks of partials.h in order, as a chain of
 * jobs. The HTTP thread does the cheap checks (token, farmer record) and
 * queues the signature for batched verification; the signature callback
 * does the farmer checks and queues a node-class job for the signage
 * point, which also checks the proof and queues the store write; the
 * write's callback hands the difficulty update back to the worker pool.
 * Every path ends in pj_finish, which replies once and frees the job. */
#include "pool/partials.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool/partials_int.h"
#include "pool/proof_check.h"
#include "pool/token.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Farmers send the payload as JSON; its streamable form is what we keep
 * for the pending queue. A k50 proof is 400 bytes; the cap is generous. */
#define PJ_PAYLOAD_MAX (CHIA_POS_PROOF_MAX + 1024)

struct pjob {
  struct partials *p;
  struct chia_partial_request req;
  uint64_t received_at;
  uint64_t t0_ms;
  partials_reply_fn fn;
  void *ctx;

  /* from the farmer record at submission */
  uint8_t p2[32];
  int member;
  uint64_t difficulty;

  struct sigbatch_item sig;
  int sp_tries;
  uint64_t retry_due_ms;
  struct pjob *next;          /* retry list */

  uint8_t proof_hash[32];
  struct store_pending pend;
  struct store_job sjob;
  struct buf payload;
};

/* ---- replies ---- */

static void pj_finish(struct pjob *pj, enum pool_code code, uint64_t diff,
                      const char *msg)
{
  struct partials *p = pj->p;
  struct partial_reply r;

  memset(&r, 0, sizeof r);
  r.code = code;
  r.new_difficulty = code == POOL_OK ? diff : 0;
  if (msg)
    snprintf(r.message, sizeof r.message, "%s", msg);
  if ((unsigned)code < POOL_CODE_LAST)
    metric_add(p->m_result[code], 1);
  metric_observe(p->m_latency, (double)(clock_mono_ms() - pj->t0_ms) / 1000.0);
  if (code != POOL_OK)
    log_debug("partials", "rejected", "code=%d msg=\"%s\"", (int)code, r.message);
  pj->fn(pj->ctx, &r);
  buf_release(&pj->payload);
  free(pj);
  pthread_mutex_lock(&p->lock);
  if (--p->inflight == 0)
    pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->lock);
}

static void pj_fail(struct pjob *pj, enum pool_code code, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
static void pj_fail(struct pjob *pj, enum pool_code code, const char *fmt, ...)
{
  char msg[sizeof ((struct partial_reply *)0)->message];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pj_finish(pj, code, 0, msg);
}

static void pj_ok(struct pjob *pj, uint64_t diff)
{
  pj_finish(pj, POOL_OK, diff, NULL);
}

/* ---- chain state ---- */

/* Peak height, cached for PARTIALS_PEAK_TTL_MS; a stale value is better
 * than none when the node stops answering for a moment. */
static cp_err peak_height(struct partials *p, uint32_t *out)
{
  struct node_blockchain_state st;
  uint64_t now = clock_mono_ms();
  cp_err rc;

  pthread_mutex_lock(&p->peak_lock);
  if (p->have_peak && now - p->peak_at_ms < PARTIALS_PEAK_TTL_MS) {
    *out = p->peak_height;
    pthread_mutex_unlock(&p->peak_lock);
    return CP_OK;
  }
  pthread_mutex_unlock(&p->peak_lock);
  memset(&st, 0, sizeof st);
  rc = p->d.chain->ops->state(p->d.chain->ctx, &st);
  if (rc == CP_OK && !st.has_peak)
    rc = CP_NOT_FOUND;
  pthread_mutex_lock(&p->peak_lock);
  if (rc == CP_OK) {
    p->have_peak = 1;
    p->peak_height = st.peak.height;
    p->peak_at_ms = now;
  } else if (p->have_peak) {
    log_warn("partials", "peak_stale", "err=%s", cp_errname(rc));
    rc = CP_OK;
  }
  *out = p->peak_height;
  pthread_mutex_unlock(&p->peak_lock);
  return rc;
}

/* ---- stage 4: difficulty (worker pool, after the enqueue committed) ---- */

static void diff_work(void *ctx)
{
  struct pjob *pj = ctx;
  struct partials *p = pj->p;
  const uint8_t *lid = pj->req.payload.launcher_id;
  pthread_mutex_t *lk = &p->diff_lock[lid[0] % PARTIALS_DIFF_STRIPES];
  struct store_partial_point *pts = NULL;
  struct recent_partial *recent = NULL;
  struct store_farmer f;
  uint64_t cur = pj->difficulty, next;
  size_t want = (size_t)p->dp.partials_target, n = 0;
  cp_err rc;

  pthread_mutex_lock(lk);
  /* re-read: another partial of this farmer may have moved it */
  rc = store_farmer_get(p->d.store, lid, &f);
  if (rc)
    goto out;
  cur = f.difficulty;
  store_farmer_release(&f);
  pts = xcalloc(want, sizeof *pts);
  recent = xcalloc(want, sizeof *recent);
  rc = store_partial_recent(p->d.store, lid, want, pts, &n);
  if (rc)
    goto out;
  for (size_t i = 0; i < n; i++) {
    recent[i].timestamp = pts[i].timestamp;
    recent[i].difficulty = pts[i].difficulty;
  }
  next = difficulty_next(&p->dp, cur, recent, n, pj->received_at);
  if (next != cur) {
    /* diff_lock serialises this process only; the compare-and-set keeps
     * another front end that read the same difficulty from moving it a
     * second time (then the stored value stands). */
    int changed = 0;
    rc = store_farmer_cas_difficulty(p->d.store, lid, cur, next, pj->received_at,
                                     &changed);
    if (rc == CP_OK && changed) {
      log_info("partials", "difficulty", "from=%llu to=%llu", (unsigned long long)cur,
               (unsigned long long)next);
      cur = next;
    } else if (rc == CP_OK && !store_farmer_get(p->d.store, lid, &f)) {
      cur = f.difficulty;
      store_farmer_release(&f);
    }
  }
out:
  pthread_mutex_unlock(lk);
  if (rc)
    log_warn("partials", "difficulty_update_failed", "err=%s", cp_errname(rc));
  free(pts);
  free(recent);
  /* the partial is queued whatever happened to the difficulty update */
  pj_ok(pj, cur);
}

static void diff_done(void *ctx, cp_err status)
{
  if (status == CP_SHUTDOWN) {
    struct pjob *pj = ctx;
    pj_ok(pj, pj->difficulty);
  }
}

/* ---- stage 3b: the enqueue committed (store writer thread) ---- */

static void on_enqueued(struct store_job *job, void *ctx)
{
  struct pjob *pj = ctx;
  struct partials *p = pj->p;
  cp_err rc = job->rc;

  if (rc == CP_DUPLICATE) {
    pj_fail(pj, POOL_INVALID_PROOF, "duplicate partial: this proof of space was already "
            "submitted");
    return;
  }
  if (rc) {
    log_error("partials", "enqueue_failed", "err=%s", cp_errname(rc));
    pj_fail(pj, POOL_SERVER_EXCEPTION, "could not store the partial (%s)", cp_strerror(rc));
    return;
  }
  metric_gauge_add(p->m_pending, 1);
  rc = workq_submit(p->d.workq, PARTIALS_CLASS_CPU, diff_work, diff_done, pj);
  if (rc)
    pj_ok(pj, pj->difficulty);
}

/* ---- stage 3: signage point, time, proof, replay (node class) ---- */

static void sp_schedule_retry(struct pjob *pj)
{
  struct partials *p = pj->p;

  pj->retry_due_ms = clock_mono_ms() + p->d.sp_retry_ms;
  pthread_mutex_lock(&p->lock);
  if (p->closing) {
    /* the timer thread is gone or going */
    pthread_mutex_unlock(&p->lock);
    pj_fail(pj, POOL_SERVER_EXCEPTION, "the pool is shutting down");
    return;
  }
  pj->next = p->retries;
  p->retries = pj;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->lock);
}

static void sp_work(void *ctx)
{
  struct pjob *pj = ctx;
  struct partials *p = pj->p;
  const struct chia_partial_payload *pl = &pj->req.payload;
  struct node_sp_or_eos sp;
  struct proof_result pr;
  char sphex[65];
  uint8_t challenge[32];
  uint32_t height;
  uint64_t seen_at;
  enum pool_code code;
  int where = 0;
  cp_err rc;

  hex_encode(sphex, pl->sp_hash, 32);
  memset(&sp, 0, sizeof sp);
  rc = p->d.chain->ops->signage_point(p->d.chain->ctx, pl->sp_hash, pl->end_of_sub_slot, &sp);
  if ((rc == CP_NOT_FOUND || (rc == CP_OK && sp.reverted)) && pj->sp_tries++ == 0) {
    /* the farmer may have seen it before our node did: ask once more */
    sp_schedule_retry(pj);
    return;
  }
  if (rc == CP_NOT_FOUND || (rc == CP_OK && sp.reverted)) {
    pj_fail(pj, POOL_NOT_FOUND, "Did not find signage point or EOS %s%s", sphex,
            rc == CP_OK ? " (reverted)" : "");
    return;
  }
  if (rc) {
    log_warn("partials", "node_unreachable", "err=%s", cp_errname(rc));
    pj_fail(pj, POOL_NOT_FOUND, "Could not look up signage point or EOS %s: the pool's "
            "full node is unreachable (%s)", sphex, cp_strerror(rc));
    return;
  }

  /* whole seconds, as the reference (int time) minus the node's float time */
  seen_at = sp.time_received > 0 ? (uint64_t)sp.time_received : 0;
  if (pj->received_at > seen_at && pj->received_at - seen_at > p->d.cfg->partial_time_limit) {
    pj_fail(pj, POOL_TOO_LATE, "Received partial in %llu. Make sure your proof of space "
            "lookups are fast, and network connectivity is good.Response must happen in "
            "less than %u seconds. NAS or network farming can be an issue",
            (unsigned long long)(pj->received_at - seen_at), p->d.cfg->partial_time_limit);
    return;
  }

  /* for an end of sub-slot the farmer's sp_hash is the sub-slot challenge
   * hash, which is what the reference gets from hashing the returned EOS */
  memcpy(challenge, pl->end_of_sub_slot ? pl->sp_hash : sp.cc_vdf.challenge, 32);
  rc = peak_height(p, &height);
  if (rc) {
    pj_fail(pj, POOL_NOT_FOUND, "Could not get the blockchain state: the pool's full node "
            "is unreachable (%s)", cp_strerror(rc));
    return;
  }
  /* The plot filter is taken at the height of the block this partial
   * would have made: peak + 1 (the reference's peak + 2 counts the +1
   * twice; the two differ only at a filter-schedule boundary). */
  code = proof_check(p->d.net, p->pool_ssi, &pl->proof_of_space, challenge, pl->sp_hash,
                     height + 1, pj->difficulty, &pr);
  if (code == POOL_INVALID_PROOF) {
    pj_fail(pj, code, "Invalid proof of space %s (%s)", sphex, pr.why ? pr.why : "invalid");
    return;
  }
  if (code == POOL_PROOF_NOT_GOOD_ENOUGH) {
    pj_fail(pj, code, "Proof of space has required iters %llu, too high for difficulty %llu",
            (unsigned long long)pr.required_iters, (unsigned long long)pj->difficulty);
    return;
  }
  if (code != POOL_OK) {
    pj_fail(pj, code, "%s", pool_code_message(code));
    return;
  }

  /* replay: the same proof may not count twice, pending or credited */
  rc = chia_pos_hash(&pl->proof_of_space, pj->proof_hash);
  if (rc == CP_OK)
    rc = store_proof_seen(p->d.store, pj->proof_hash, &where);
  if (rc) {
    pj_fail(pj, POOL_SERVER_EXCEPTION, "could not check the partial (%s)", cp_strerror(rc));
    return;
  }
  if (where) {
    pj_fail(pj, POOL_INVALID_PROOF, "duplicate partial: this proof of space was already "
            "submitted");
    return;
  }

  buf_init(&pj->payload, PJ_PAYLOAD_MAX);
  rc = chia_partial_request_write(&pj->req, &pj->payload);
  if (rc) {
    pj_fail(pj, POOL_SERVER_EXCEPTION, "could not serialise the partial (%s)",
            cp_strerror(rc));
    return;
  }
  memcpy(pj->pend.launcher_id, pl->launcher_id, 32);
  memcpy(pj->pend.proof_hash, pj->proof_hash, 32);
  memcpy(pj->pend.sp_hash, pl->sp_hash, 32);
  memcpy(pj->pend.harvester_id, pl->harvester_id, 32);
  pj->pend.difficulty = pj->difficulty;
  pj->pend.received_at = pj->received_at;
  pj->pend.due_at = pj->received_at + p->d.cfg->partial_confirmation_delay;
  pj->pend.payload = pj->payload.data;
  pj->pend.payload_len = pj->payload.len;
  memset(&pj->sjob, 0, sizeof pj->sjob);
  pj->sjob.kind = STORE_JOB_PENDING_ENQUEUE;
  pj->sjob.in.pending = &pj->pend;
  /* asynchronous, so concurrent partials share one commit */
  rc = store_submit(p->d.store, &pj->sjob, on_enqueued, pj);
  if (rc)
    pj_fail(pj, POOL_SERVER_EXCEPTION, "could not store the partial (%s)", cp_strerror(rc));
}

static void sp_done(void *ctx, cp_err status)
{
  if (status == CP_SHUTDOWN)
    pj_fail(ctx, POOL_SERVER_EXCEPTION, "the pool is shutting down");
}

static void pj_queue_sp(struct pjob *pj)
{
  cp_err rc = workq_submit(pj->p->d.workq, PARTIALS_CLASS_NODE, sp_work, sp_done, pj);
  if (rc)
    pj_fail(pj, POOL_SERVER_EXCEPTION, "the pool is overloaded (%s)", cp_strerror(rc));
}

/* The second signage point lookup, after sp_retry_ms: a timer thread, so
 * the wait does not hold a worker. */
static void *retry_main(void *arg)
{
  struct partials *p = arg;

  pthread_mutex_lock(&p->lock);
  while (!p->closing) {
    uint64_t now = clock_mono_ms(), next = now + 1000;
    struct pjob *due = NULL, **pp = &p->retries;
    struct timespec ts;

    while (*pp) {
      struct pjob *pj = *pp;
      if (pj->retry_due_ms <= now) {
        *pp = pj->next;
        pj->next = due;
        due = pj;
      } else {
        if (pj->retry_due_ms < next)
          next = pj->retry_due_ms;
        pp = &pj->next;
      }
    }
    if (due) {
      pthread_mutex_unlock(&p->lock);
      while (due) {
        struct pjob *pj = due;
        due = pj->next;
        pj_queue_sp(pj);
      }
      pthread_mutex_lock(&p->lock);
      continue;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    {
      uint64_t wait = next - now;
      ts.tv_sec += (time_t)(wait / 1000);
      ts.tv_nsec += (long)(wait % 1000) * 1000000L;
      if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
      }
    }
    pthread_cond_timedwait(&p->cond, &p->lock, &ts);
  }
  {
    struct pjob *left = p->retries;
    p->retries = NULL;
    pthread_mutex_unlock(&p->lock);
    while (left) {
      struct pjob *pj = left;
      left = pj->next;
      pj_fail(pj, POOL_SERVER_EXCEPTION, "the pool is shutting down");
    }
  }
  return NULL;
}

/* ---- stage 2: signature verified (worker pool) ---- */

static void on_sig(struct sigbatch_item *it, cp_err rc)
{
  struct pjob *pj = it->ctx;
  const struct chia_pos *pos = &pj->req.payload.proof_of_space;
  char hex[2 * CHIA_G2_LEN + 1];

  if (rc == CP_VERIFY_FAILED) {
    hex_encode(hex, pj->req.aggregate_signature, CHIA_G2_LEN);
    pj_fail(pj, POOL_INVALID_SIGNATURE, "The aggregate signature is invalid %s", hex);
    return;
  }
  if (rc) {
    pj_fail(pj, POOL_SERVER_EXCEPTION, "could not verify the signature (%s)", cp_strerror(rc));
    return;
  }
  if (!pos->has_pool_contract_puzzle_hash ||
      memcmp(pos->pool_contract_puzzle_hash, pj->p2, 32) != 0) {
    if (pos->has_pool_contract_puzzle_hash)
      hex_encode(hex, pos->pool_contract_puzzle_hash, 32);
    pj_fail(pj, POOL_INVALID_P2_SINGLETON_PUZZLE_HASH, "Invalid pool contract puzzle hash %s",
            pos->has_pool_contract_puzzle_hash ? hex : "None");
    return;
  }
  if (!pj->member) {
    pj_fail(pj, POOL_INVALID_SINGLETON, "not a member of this pool");
    return;
  }
  pj_queue_sp(pj);
}

/* ---- stage 1: submission (caller's thread) ---- */

cp_err partials_submit(struct partials *p, const struct chia_partial_request *req,
                       uint64_t received_at, partials_reply_fn fn, void *ctx)
{
  const struct chia_partial_payload *pl;
  struct store_farmer f;
  struct pjob *pj;
  char lid[65];
  cp_err rc;

  if (!p || !req || !fn)
    return CP_INVAL;
  pl = &req->payload;
  pthread_mutex_lock(&p->lock);
  if (p->closing) {
    pthread_mutex_unlock(&p->lock);
    return CP_SHUTDOWN;
  }
  p->inflight++;
  pthread_mutex_unlock(&p->lock);

  pj = xcalloc(1, sizeof *pj);
  pj->p = p;
  pj->req = *req;
  pj->received_at = received_at;
  pj->t0_ms = clock_mono_ms();
  pj->fn = fn;
  pj->ctx = ctx;
  hex_encode(lid, pl->launcher_id, 32);

  if (!token_valid(pl->authentication_token, received_at,
                   p->d.cfg->authentication_token_timeout)) {
    pj_fail(pj, POOL_INVALID_AUTHENTICATION_TOKEN,
            "authentication_token %llu invalid for farmer %s.",
            (unsigned long long)pl->authentication_token, lid);
    return CP_OK;
  }
  rc = store_farmer_get(p->d.store, pl->launcher_id, &f);
  if (rc == CP_NOT_FOUND) {
    pj_fail(pj, POOL_FARMER_NOT_KNOWN, "Farmer with launcher_id %s not known.", lid);
    return CP_OK;
  }
  if (rc) {
    pj_fail(pj, POOL_SERVER_EXCEPTION, "could not read the farmer record (%s)",
            cp_strerror(rc));
    return CP_OK;
  }
  memcpy(pj->p2, f.p2_singleton_puzzle_hash, 32);
  pj->member = f.is_pool_member;
  pj->difficulty = f.difficulty;
  memcpy(pj->sig.pk[1], f.authentication_public_key, BLS_PK_SIZE);
  store_farmer_release(&f);

  rc = chia_partial_payload_hash(pl, pj->sig.msg);
  if (rc) {
    pj_fail(pj, POOL_INVALID_PROOF, "malformed partial payload (%s)", cp_strerror(rc));
    return CP_OK;
  }
  memcpy(pj->sig.pk[0], pl->proof_of_space.plot_public_key, BLS_PK_SIZE);
  pj->sig.npk = 2;
  memcpy(pj->sig.sig, req->aggregate_signature, BLS_SIG_SIZE);
  pj->sig.done = on_sig;
  pj->sig.ctx = pj;
  rc = sigbatch_submit(p->sb, &pj->sig);
  if (rc) {
    /* no reply will come: undo the accounting without calling fn */
    free(pj);
    pthread_mutex_lock(&p->lock);
    if (--p->inflight == 0)
      pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    return rc;
  }
  return CP_OK;
}

/* ---- lifecycle ---- */

static void register_metrics(struct partials *p)
{
  static const double bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25, 0.5, 1, 2.5, 5, 10, 30 };
  struct metrics *m = p->d.metrics;

  if (!m)
    return;
  for (unsigned c = 0; c < POOL_CODE_LAST; c++) {
    const char *name = pool_code_name((enum pool_code)c);
    char lower[48];
    size_t i;
    if (!strcmp(name, "UNKNOWN"))
      continue;
    for (i = 0; name[i] && i + 1 < sizeof lower; i++)
      lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    lower[i] = 0;
    p->m_result[c] = metrics_counter(m, "chiapool_partials_total",
                                     "Partials answered, by result", "result", lower);
  }
  p->m_latency = metrics_histogram(m, "chiapool_partial_latency_seconds",
                                   "Time from receipt to reply of a partial", bounds,
                                   sizeof bounds / sizeof bounds[0]);
  p->m_pending = metrics_gauge(m, "chiapool_partials_pending",
                               "Accepted partials waiting for confirmation", NULL, NULL);
  p->m_credited = metrics_counter(m, "chiapool_partials_credited_total",
                                  "Partials confirmed and credited", NULL, NULL);
  p->m_dropped = metrics_counter(m, "chiapool_partials_dropped_total",
                                 "Pending partials dropped at confirmation", NULL, NULL);
}

cp_err partials_new(const struct partials_deps *d, struct partials **out)
{
  struct partials *p;
  struct store_pending_list pend;
  cp_err rc;

  *out = NULL;
  if (!d || !d->cfg || !d->net || !d->store || !d->chain || !d->chain->ops || !d->workq)
    return CP_INVAL;
  p = xcalloc(1, sizeof *p);
  p->d = *d;
  p->dp.min_difficulty = d->cfg->min_difficulty;
  p->dp.max_difficulty = d->cfg->max_difficulty;
  p->dp.partials_target = d->cfg->number_of_partials_target;
  p->dp.time_target_s = d->cfg->time_target;
  p->dp.slow_after_s = d->cfg->difficulty_slow_after;
  p->dp.very_slow_after_s = d->cfg->difficulty_very_slow_after;
  p->pool_ssi = d->net->pool_sub_slot_iters *
                (d->cfg->test_mode ? POOL_TEST_MODE_ITERS_FACTOR : 1);
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->cond, NULL);
  pthread_mutex_init(&p->peak_lock, NULL);
  pthread_mutex_init(&p->confirm_lock, NULL);
  for (int i = 0; i < PARTIALS_DIFF_STRIPES; i++)
    pthread_mutex_init(&p->diff_lock[i], NULL);
  register_metrics(p);
  rc = keycache_new(0, &p->kc);
  if (rc)
    goto fail;
  rc = sigbatch_new(d->workq, PARTIALS_CLASS_CPU, 0, 0, p->kc, &p->sb);
  if (rc)
    goto fail;
  sigbatch_set_tuning(p->sb, d->cfg->sig_batch_parallel_min, d->cfg->sig_batch_wait_us);
  if (pthread_create(&p->timer, NULL, retry_main, p)) {
    rc = CP_INTERNAL;
    goto fail;
  }
  p->timer_started = 1;
  /* the gauge starts from what survived the last run */
  if (p->m_pending && store_pending_list(d->store, &pend) == CP_OK) {
    metric_set(p->m_pending, (int64_t)pend.n);
    store_pending_list_release(&pend);
  }
  *out = p;
  return CP_OK;
fail:
  partials_free(p);
  return rc;
}

void partials_free(struct partials *p)
{
  if (!p)
    return;
  partials__confirm_stop(p);
  pthread_mutex_lock(&p->lock);
  p->closing = 1;
  pthread_cond_broadcast(&p->cond);
  pthread_mutex_unlock(&p->lock);
  if (p->timer_started)
    pthread_join(p->timer, NULL);
  pthread_mutex_lock(&p->lock);
  while (p->inflight)
    pthread_cond_wait(&p->cond, &p->lock);
  pthread_mutex_unlock(&p->lock);
  sigbatch_free(p->sb);
  keycache_free(p->kc);
  partials__confirm_release(p);
  for (int i = 0; i < PARTIALS_DIFF_STRIPES; i++)
    pthread_mutex_destroy(&p->diff_lock[i]);
  pthread_mutex_destroy(&p->confirm_lock);
  pthread_mutex_destroy(&p->peak_lock);
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->lock);
  free(p);
}

void partials_set_sig_tuning(struct partials *p, size_t parallel_min, uint64_t wait_us)
{
  sigbatch_set_tuning(p->sb, parallel_min, wait_us);
}

void partials_stats(struct partials *p, struct partials_stats *out)
{
  struct sigbatch_stats s;
  struct keycache_stats k;

  memset(out, 0, sizeof *out);
  sigbatch_stats(p->sb, &s);
  keycache_stats(p->kc, &k);
  out->sig_items = s.items;
  out->sig_batches = s.batches;
  out->sig_max_batch = s.max_batch;
  out->sig_fallbacks = s.fallbacks;
  out->sig_waits = s.waits;
  out->key_hits = k.hits;
  out->key_misses = k.misses;
}
