/* The store front: lifecycle, the writer thread and its queue, the read
 * connection pool, and synchronous wrappers over store_submit().
 *
 * Locking: `mu` guards the write queue and `stopping`; `rmu` guards the free
 * list of read connections. Neither is held while a database call runs. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/xalloc.h"

#define STORE_DEFAULT_READERS 4
#define STORE_MAX_READERS 64
#define STORE_DEFAULT_QUEUE 65536
#define STORE_DEFAULT_BUSY_MS 5000
#define STORE_BATCH_MAX 128 /* jobs per writer transaction */

struct store {
  const struct store_db *db;
  struct store_options opt;
  char *path;

  struct store_conn *writer;
  pthread_t thread;
  int thread_started;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct store_job *head, *tail;
  size_t queued;
  int stopping;

  pthread_mutex_t rmu;
  pthread_cond_t rcv;
  struct store_conn **readers; /* all of them, for close */
  struct store_conn **free_readers;
  size_t n_readers, n_free;
};

static const store__op_fn store_ops[STORE_JOB__COUNT] = {
  [STORE_JOB_FARMER_ADD] = store__op_farmer_add,
  [STORE_JOB_FARMER_SET_DIFFICULTY] = store__op_farmer_set_difficulty,
  [STORE_JOB_FARMER_SET_AUTH] = store__op_farmer_set_auth,
  [STORE_JOB_FARMER_SET_SINGLETON] = store__op_farmer_set_singleton,
  [STORE_JOB_PARTIAL_ADD] = store__op_partial_add,
  [STORE_JOB_PENDING_ENQUEUE] = store__op_pending_enqueue,
  [STORE_JOB_PENDING_CLAIM] = store__op_pending_claim,
  [STORE_JOB_PENDING_COMPLETE] = store__op_pending_complete,
  [STORE_JOB_PENDING_DROP] = store__op_pending_drop,
  [STORE_JOB_REWARD_UPSERT] = store__op_reward_upsert,
  [STORE_JOB_CHAIN_SET] = store__op_chain_set,
  [STORE_JOB_CHAIN_ROLLBACK] = store__op_chain_rollback,
  [STORE_JOB_PAYOUT_PLAN] = store__op_payout_plan,
  [STORE_JOB_PAYOUT_SET_STATE] = store__op_payout_set_state,
  [STORE_JOB_PAYOUT_PLAN_MULTI] = store__op_payout_plan_multi,
  [STORE_JOB_COOLDOWN_TAKE] = store__op_cooldown_take,
  [STORE_JOB_LEASE_TRY] = store__op_lease_try,
  [STORE_JOB_PENDING_UNCLAIM] = store__op_pending_unclaim,
};

int64_t store_schema_version_code(void)
{
  return (int64_t)store__sqlite.n_migrations;
}

/* Runs a batch of jobs in one transaction, each in its own savepoint, and
 * reports them only after the commit: a job seen as done is durable. */
static void store_run_batch(struct store *s, struct store_job *batch)
{
  struct store_job *job, *next;
  /* A connection lost by an earlier batch is re-established here, between
   * transactions; if it cannot be, the whole batch fails back (CP_DB_LOST)
   * rather than waiting: nothing of it ran. */
  cp_err rc = s->db->revive ? s->db->revive(s->writer) : CP_OK;

  if (!rc)
    rc = store__begin(s->writer);

  for (job = batch; job; job = job->next_)
    job->rc = rc ? rc : store_ops[job->kind](s->writer, job);
  if (!rc)
    rc = store__finish(s->writer, CP_OK);
  for (job = batch; job; job = next) {
    next = job->next_;
    job->next_ = NULL;
    if (rc && !job->rc) {
      /* The commit failed: what the job did is gone. */
      job->rc = rc;
      if (job->kind == STORE_JOB_PENDING_CLAIM)
        store_pending_list_release(&job->out.claimed);
    }
    if (job->done_)
      job->done_(job, job->ctx_);
  }
}

static void *store_writer_main(void *arg)
{
  struct store *s = arg;
  for (;;) {
    struct store_job *batch, *last;
    size_t n = 1;
    pthread_mutex_lock(&s->mu);
    while (!s->head && !s->stopping)
      pthread_cond_wait(&s->cv, &s->mu);
    batch = s->head;
    if (!batch) { /* stopping and drained */
      pthread_mutex_unlock(&s->mu);
      break;
    }
    for (last = batch; last->next_ && n < STORE_BATCH_MAX; last = last->next_)
      n++;
    s->head = last->next_;
    if (!s->head)
      s->tail = NULL;
    s->queued -= n;
    last->next_ = NULL;
    pthread_mutex_unlock(&s->mu);
    store_run_batch(s, batch);
  }
  return NULL;
}

cp_err store_submit(struct store *s, struct store_job *job, store_done_fn done,
                    void *ctx)
{
  cp_err rc = CP_OK;
  if ((unsigned)job->kind >= STORE_JOB__COUNT)
    return CP_INVAL;
  job->done_ = done;
  job->ctx_ = ctx;
  job->next_ = NULL;
  job->rc = CP_OK;
  memset(&job->out, 0, sizeof job->out);
  pthread_mutex_lock(&s->mu);
  if (s->stopping) {
    rc = CP_SHUTDOWN;
  } else if (s->queued >= s->opt.queue_max) {
    rc = CP_QUEUE_FULL;
  } else {
    if (s->tail)
      s->tail->next_ = job;
    else
      s->head = job;
    s->tail = job;
    s->queued++;
    pthread_cond_signal(&s->cv);
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}

struct store_waiter {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done;
};

static void store_wake(struct store_job *job, void *ctx)
{
  struct store_waiter *w = ctx;
  (void)job;
  pthread_mutex_lock(&w->mu);
  w->done = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

cp_err store__write_sync(struct store *s, struct store_job *job)
{
  struct store_waiter w = { .done = 0 };
  cp_err rc;
  if (s->thread_started && pthread_equal(pthread_self(), s->thread)) {
    log_error("store", "sync_from_writer", "kind=%d", (int)job->kind);
    return CP_INTERNAL; /* would wait on itself forever */
  }
  pthread_mutex_init(&w.mu, NULL);
  pthread_cond_init(&w.cv, NULL);
  rc = store_submit(s, job, store_wake, &w);
  if (!rc) {
    pthread_mutex_lock(&w.mu);
    while (!w.done)
      pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    rc = job->rc;
  }
  pthread_cond_destroy(&w.cv);
  pthread_mutex_destroy(&w.mu);
  return rc;
}

struct store_conn *store__reader_acquire(struct store *s)
{
  struct store_conn *c;
  pthread_mutex_lock(&s->rmu);
  while (!s->n_free)
    pthread_cond_wait(&s->rcv, &s->rmu);
  c = s->free_readers[--s->n_free];
  pthread_mutex_unlock(&s->rmu);
  /* If this fails the connection stays marked lost: the read fails with
   * CP_DB_LOST on its own and a later acquire tries again. */
  if (s->db->revive)
    (void)s->db->revive(c);
  return c;
}

void store__reader_release(struct store *s, struct store_conn *c)
{
  pthread_mutex_lock(&s->rmu);
  s->free_readers[s->n_free++] = c;
  pthread_cond_signal(&s->rcv);
  pthread_mutex_unlock(&s->rmu);
}

static void store_free_conns(struct store *s)
{
  for (size_t i = 0; i < s->n_readers; i++)
    s->db->close(s->readers[i]);
  if (s->writer)
    s->db->close(s->writer);
}

cp_err store_open(const struct store_options *opt, struct store **out)
{
  struct store *s;
  cp_err rc;

  *out = NULL;
  if (!opt || !opt->path || !*opt->path)
    return CP_INVAL;
  if (opt->backend != STORE_BACKEND_SQLITE && opt->backend != STORE_BACKEND_PG)
    return CP_INVAL;
  s = xcalloc(1, sizeof *s);
  s->db = opt->backend == STORE_BACKEND_PG ? &store__pg : &store__sqlite;
  s->opt = *opt;
  s->path = xstrdup(opt->path);
  s->opt.path = s->path;
  if (!s->opt.read_conns)
    s->opt.read_conns = STORE_DEFAULT_READERS;
  if (s->opt.read_conns > STORE_MAX_READERS)
    s->opt.read_conns = STORE_MAX_READERS;
  if (!s->opt.queue_max)
    s->opt.queue_max = STORE_DEFAULT_QUEUE;
  if (!s->opt.busy_timeout_ms)
    s->opt.busy_timeout_ms = STORE_DEFAULT_BUSY_MS;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  pthread_mutex_init(&s->rmu, NULL);
  pthread_cond_init(&s->rcv, NULL);
  if (s->db->n_migrations != (size_t)store_schema_version_code()) {
    rc = CP_INTERNAL; /* backends disagree on the schema version */
    goto out;
  }

  rc = s->db->open(&s->opt, 1, &s->writer);
  if (rc)
    goto out;
  rc = store__migrate(s->writer);
  if (rc)
    goto out;
  {
    /* Claims belong to the leader's confirmer: release them on a restart,
     * but not when a second front end opens while the leader runs. */
    int nobody = 0;
    uint64_t n;
    rc = s->db->lease(s->writer, STORE_LEASE_LEADER, STORE_LEASE_PROBE, &nobody);
    if (!rc && nobody)
      rc = store__pending_unclaim_all(s->writer, &n);
    if (rc)
      goto out;
  }

  s->readers = xcalloc(s->opt.read_conns, sizeof *s->readers);
  s->free_readers = xcalloc(s->opt.read_conns, sizeof *s->free_readers);
  for (unsigned i = 0; i < s->opt.read_conns; i++) {
    rc = s->db->open(&s->opt, 0, &s->readers[i]);
    if (rc)
      goto out;
    s->free_readers[i] = s->readers[i];
    s->n_readers = s->n_free = i + 1;
  }
  if (pthread_create(&s->thread, NULL, store_writer_main, s) != 0) {
    rc = CP_INTERNAL;
    goto out;
  }
  s->thread_started = 1;
  /* A PostgreSQL conninfo may hold a password: log the backend only. */
  log_info("store", "opened", "backend=%s readers=%u", s->db->name,
           s->opt.read_conns);
out:
  if (rc) {
    store_close(s);
    return rc;
  }
  *out = s;
  return CP_OK;
}

void store_close(struct store *s)
{
  if (!s)
    return;
  if (s->thread_started) {
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
  }
  store_free_conns(s);
  free(s->readers);
  free(s->free_readers);
  pthread_cond_destroy(&s->rcv);
  pthread_mutex_destroy(&s->rmu);
  pthread_cond_destroy(&s->cv);
  pthread_mutex_destroy(&s->mu);
  free(s->path);
  free(s);
}

cp_err store_schema_version(struct store *s, int64_t *out)
{
  struct store_conn *c = store__reader_acquire(s);
  cp_err rc = store__version(c, out);
  store__reader_release(s, c);
  return rc;
}

/* ---- leases ---- */

static int lease_name_ok(const char *name)
{
  size_t n = name ? strnlen(name, STORE_LEASE_NAME_MAX + 1) : 0;
  if (!n || n > STORE_LEASE_NAME_MAX)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = name[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
      return 0;
  }
  return 1;
}

/* Runs on the writer thread because PostgreSQL's lock lives in the
 * writer's session; the batch transaction around it does not matter (a
 * session-level advisory lock ignores commit and rollback). */
cp_err store__op_lease_try(struct store_conn *c, struct store_job *job)
{
  int held = 0;
  /* in a savepoint of its own, so a failed query spoils no other job */
  cp_err rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__finish(c, c->db->lease(c, job->in.lease, STORE_LEASE_TRY, &held));
  job->out.held = rc ? 0 : held;
  return rc;
}

cp_err store_lease_try(struct store *s, const char *name, int *held)
{
  struct store_job job = { .kind = STORE_JOB_LEASE_TRY };
  cp_err rc;
  *held = 0;
  if (!lease_name_ok(name))
    return CP_INVAL;
  job.in.lease = name;
  rc = store__write_sync(s, &job);
  if (!rc)
    *held = job.out.held;
  return rc;
}

cp_err store__op_pending_unclaim(struct store_conn *c, struct store_job *job)
{
  return store__pending_unclaim_all(c, &job->out.count);
}

cp_err store_pending_unclaim(struct store *s, uint64_t *n)
{
  struct store_job job = { .kind = STORE_JOB_PENDING_UNCLAIM };
  cp_err rc = store__write_sync(s, &job);
  if (n)
    *n = rc ? 0 : job.out.count;
  return rc;
}
