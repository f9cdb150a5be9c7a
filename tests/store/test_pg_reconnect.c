/* The PostgreSQL store survives a dropped connection. A second, raw
 * connection ends the store's sessions with pg_terminate_backend; then the
 * next call either fails with CP_DB_LOST or runs on a transparently
 * re-established session (the store reads a goodbye already in the socket
 * before it starts an operation), the call after it works, the data is
 * intact and nothing is applied twice, and a lease the writer held is
 * reported lost before it can be held again. Skipped without
 * CHIAPOOL_PG_DSN, like test_pg.c. */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "store_fixture.h"
#include "util/log.h"

#define RC_APP "cp_reconnect_test"
#define RC_LEASE_CLASS "1668312113" /* store_pg.c PG_LEASE_CLASS */
#define RC_READERS 2
#define RC_THREADS 4

struct rc {
  struct fx f;
  char dsn[512]; /* the store's: tagged with RC_APP */
  PGconn *admin; /* raw, untagged */
};

static void rc_sleep_ms(unsigned ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

static void rc_init(struct rc *r)
{
  fx_init(&r->f); /* skips without CHIAPOOL_PG_DSN */
  snprintf(r->dsn, sizeof r->dsn, "%s application_name=%s", r->f.dsn, RC_APP);
  r->admin = PQconnectdb(r->f.dsn);
  assert_int_equal(PQstatus(r->admin), CONNECTION_OK);
}

static void rc_done(struct rc *r)
{
  PQfinish(r->admin);
  fx_cleanup(&r->f);
}

static struct store *rc_open(struct rc *r, unsigned busy_ms)
{
  struct store_options o = { .backend = STORE_BACKEND_PG, .path = r->dsn,
                             .read_conns = RC_READERS, .busy_timeout_ms = busy_ms };
  struct store *s = NULL;
  assert_int_equal(store_open(&o, &s), CP_OK);
  return s;
}

static void rc_exec(struct rc *r, const char *sql)
{
  PGresult *res = PQexec(r->admin, sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQresultErrorMessage(res));
  PQclear(res);
}

/* Every row's first column as integers; returns how many. */
static int rc_ints(struct rc *r, const char *sql, int64_t *out, int max)
{
  PGresult *res = PQexec(r->admin, sql);
  int n;
  if (PQresultStatus(res) != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQresultErrorMessage(res));
  n = PQntuples(res);
  for (int i = 0; i < n && i < max; i++)
    out[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
  PQclear(res);
  return n < max ? n : max;
}

static int64_t rc_int(struct rc *r, const char *sql)
{
  int64_t v = -1;
  assert_int_equal(rc_ints(r, sql, &v, 1), 1);
  return v;
}

/* Ends the sessions and waits until the server has let them go. Its own
 * connection: the admin one may be inside a transaction, whose view of
 * pg_stat_activity does not change. */
static void rc_kill(struct rc *r, const int64_t *pids, int n)
{
  struct rc k = { .admin = PQconnectdb(r->f.dsn) };
  char sql[128];
  assert_int_equal(PQstatus(k.admin), CONNECTION_OK);
  for (int i = 0; i < n; i++) {
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)", (long long)pids[i]);
    rc_exec(&k, sql);
  }
  for (int i = 0; i < n; i++) {
    int tries = 0;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %lld",
             (long long)pids[i]);
    while (rc_int(&k, sql) != 0) {
      assert_true(++tries < 500);
      rc_sleep_ms(10);
    }
    /* its locks (the lease) can outlive the stats entry by a moment on a
     * loaded machine: wait for them too */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM pg_locks WHERE pid = %lld",
             (long long)pids[i]);
    while (rc_int(&k, sql) != 0) {
      assert_true(++tries < 1000);
      rc_sleep_ms(10);
    }
  }
  PQfinish(k.admin);
  rc_sleep_ms(50); /* the socket closes just after the stats entry goes */
}

static int rc_sessions(struct rc *r, int64_t *pids, int max)
{
  return rc_ints(r, "SELECT pid FROM pg_stat_activity WHERE application_name = '"
                 RC_APP "' ORDER BY backend_start, pid", pids, max);
}

static void rc_partial(struct store_partial *p, uint32_t farmer, uint32_t n)
{
  memset(p, 0, sizeof *p);
  fx_hash(p->launcher_id, 'L', farmer);
  fx_hash(p->proof_hash, 'Q', n);
  fx_hash(p->sp_hash, 'S', n);
  fx_hash(p->harvester_id, 'H', farmer);
  p->timestamp = 5000 + n;
  p->difficulty = 100 + n;
}

/* The call right after a drop: the retryable error at most once. */
static cp_err rc_farmer_add(struct store *s, uint32_t n)
{
  struct store_farmer f;
  cp_err rc;
  fx_farmer(&f, n);
  rc = store_farmer_add(s, &f);
  if (rc == CP_DB_LOST)
    rc = store_farmer_add(s, &f); /* it failed before anything committed */
  return rc;
}

struct reader_arg {
  struct store *s;
  atomic_int *lost;
  int bad; /* any error other than CP_DB_LOST, or a wrong row */
};

static void *reader_main(void *arg)
{
  struct reader_arg *a = arg;
  for (int i = 0; i < 20; i++) {
    struct store_farmer got;
    uint8_t id[STORE_HASH_LEN];
    cp_err rc;
    fx_hash(id, 'L', 1);
    rc = store_farmer_get(a->s, id, &got);
    if (rc == CP_DB_LOST) {
      atomic_fetch_add(a->lost, 1);
      continue;
    }
    if (rc || got.delay_time != 3601)
      a->bad = 1;
    if (!rc)
      store_farmer_release(&got);
  }
  return NULL;
}

/* Writer and both readers dropped at once, while idle. */
static void test_idle_drop(void **state)
{
  struct rc r;
  struct store *s;
  struct store_partial p;
  struct store_farmer got;
  uint8_t id[STORE_HASH_LEN];
  int64_t pids[8], now[8];
  int n, m;
  atomic_int lost;
  pthread_t th[RC_THREADS];
  struct reader_arg args[RC_THREADS];
  (void)state;

  rc_init(&r);
  s = rc_open(&r, 0);
  assert_int_equal(rc_farmer_add(s, 1), CP_OK);
  assert_int_equal(rc_farmer_add(s, 2), CP_OK);
  rc_partial(&p, 1, 1);
  assert_int_equal(store_partial_add(s, &p), CP_OK);

  n = rc_sessions(&r, pids, 8);
  assert_int_equal(n, 1 + RC_READERS);
  rc_kill(&r, pids, n);

  /* writes: the first may fail retryably, then they work */
  assert_int_equal(rc_farmer_add(s, 3), CP_OK);
  rc_partial(&p, 2, 2);
  assert_int_equal(store_partial_add(s, &p), CP_OK);
  /* the partial written before the drop is still credited: once */
  rc_partial(&p, 1, 1);
  assert_int_equal(store_partial_add(s, &p), CP_DUPLICATE);

  /* reads, from every reader connection at once: each dead reader fails
   * at most one call, and the pool serves the rest */
  atomic_init(&lost, 0);
  for (int i = 0; i < RC_THREADS; i++) {
    args[i] = (struct reader_arg){ .s = s, .lost = &lost };
    assert_int_equal(pthread_create(&th[i], NULL, reader_main, &args[i]), 0);
  }
  for (int i = 0; i < RC_THREADS; i++) {
    pthread_join(th[i], NULL);
    assert_false(args[i].bad);
  }
  assert_true(atomic_load(&lost) <= RC_READERS);
  fx_hash(id, 'L', 1);
  assert_int_equal(store_farmer_get(s, id, &got), CP_OK);
  assert_int_equal(got.points, 101);
  store_farmer_release(&got);

  /* nothing written twice, nothing lost */
  assert_int_equal(rc_int(&r, "SELECT COUNT(*) FROM farmers"), 3);
  assert_int_equal(rc_int(&r, "SELECT COUNT(*) FROM partials"), 2);
  /* every session is a new one */
  m = rc_sessions(&r, now, 8);
  assert_true(m >= 2 && m <= 1 + RC_READERS);
  for (int i = 0; i < m; i++)
    for (int k = 0; k < n; k++)
      assert_true(now[i] != pids[k]);

  store_close(s);
  rc_done(&r);
}

struct waitjob {
  struct store_job job;
  atomic_int done;
};

static void waitjob_done(struct store_job *job, void *ctx)
{
  (void)job;
  atomic_store(&((struct waitjob *)ctx)->done, 1);
}

static void waitjob_wait(struct waitjob *w)
{
  int tries = 0;
  while (!atomic_load(&w->done)) {
    assert_true(++tries < 2000);
    rc_sleep_ms(10);
  }
}

/* The writer's session dies in the middle of a batch: its jobs are failed
 * back (none lost, none run again), the next batch works. */
static void test_drop_mid_batch(void **state)
{
  struct rc r;
  struct store *s;
  struct waitjob a, b;
  struct store_partial p;
  struct store_farmer got;
  uint8_t id1[STORE_HASH_LEN];
  int64_t pid = 0;
  int tries = 0;
  cp_err brc;
  (void)state;

  rc_init(&r);
  s = rc_open(&r, 30000); /* the blocked job must not time out first */
  assert_int_equal(rc_farmer_add(s, 1), CP_OK);
  assert_int_equal(rc_farmer_add(s, 2), CP_OK);
  fx_hash(id1, 'L', 1);

  /* hold farmer 1 so the writer blocks on it inside its transaction */
  rc_exec(&r, "BEGIN");
  rc_exec(&r, "SELECT 1 FROM farmers WHERE delay_time = 3601 FOR UPDATE");
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  rc_partial(&p, 2, 7); /* farmer 2: not blocked */
  b.job.kind = STORE_JOB_PARTIAL_ADD;
  b.job.in.partial = &p;
  a.job.kind = STORE_JOB_FARMER_SET_DIFFICULTY;
  a.job.in.difficulty.launcher_id = id1;
  a.job.in.difficulty.difficulty = 77;
  a.job.in.difficulty.at = 1800000000;
  assert_int_equal(store_submit(s, &b.job, waitjob_done, &b), CP_OK);
  assert_int_equal(store_submit(s, &a.job, waitjob_done, &a), CP_OK);
  while (rc_ints(&r, "SELECT pid FROM pg_stat_activity WHERE application_name = '"
                 RC_APP "' AND wait_event_type = 'Lock'", &pid, 1) != 1) {
    assert_true(++tries < 1000);
    rc_sleep_ms(10);
  }
  rc_kill(&r, &pid, 1);
  rc_exec(&r, "ROLLBACK");
  waitjob_wait(&a);
  waitjob_wait(&b);
  assert_int_equal(a.job.rc, CP_DB_LOST);
  brc = b.job.rc; /* OK if it committed in an earlier batch */
  assert_true(brc == CP_OK || brc == CP_DB_LOST);

  /* what failed did nothing; what succeeded is there once */
  assert_int_equal(rc_int(&r, "SELECT difficulty FROM farmers WHERE delay_time = 3601"), 10);
  assert_int_equal(rc_int(&r, "SELECT COUNT(*) FROM partials"), brc == CP_OK ? 1 : 0);

  /* the callers retry: the store works again */
  assert_int_equal(store_farmer_set_difficulty(s, id1, 77, 1800000000), CP_OK);
  assert_int_equal(store_partial_add(s, &p), brc == CP_OK ? CP_DUPLICATE : CP_OK);
  assert_int_equal(store_farmer_get(s, id1, &got), CP_OK);
  assert_int_equal(got.difficulty, 77);
  store_farmer_release(&got);
  assert_int_equal(rc_int(&r, "SELECT COUNT(*) FROM partials"), 1);
  assert_int_equal(rc_int(&r, "SELECT points FROM farmers WHERE delay_time = 3602"), 107);

  store_close(s);
  rc_done(&r);
}

static int64_t rc_lease_pid(struct rc *r)
{
  int64_t pid = 0;
  assert_int_equal(rc_ints(r, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' "
                           "AND classid = " RC_LEASE_CLASS " AND granted", &pid, 1), 1);
  return pid;
}

/* store_lease_try right after a drop: CP_DB_LOST at most once. */
static int rc_lease(struct store *s)
{
  int held = -1;
  cp_err rc = store_lease_try(s, STORE_LEASE_LEADER, &held);
  if (rc == CP_DB_LOST)
    rc = store_lease_try(s, STORE_LEASE_LEADER, &held);
  assert_int_equal(rc, CP_OK);
  return held;
}

/* A lock freed by a session that is ending (killed, or closed by its
 * client) is released by the server a moment later: poll for it. */
static int rc_lease_soon(struct store *s)
{
  for (int tries = 0; tries < 250; tries++) {
    if (rc_lease(s))
      return 1;
    rc_sleep_ms(20);
  }
  return 0;
}

/* The leader lease is the writer session's advisory lock: when that
 * session dies the lease is gone, and the store says so. */
static void test_lease_lost(void **state)
{
  struct rc r;
  struct store *s1, *s2;
  int64_t pid;
  (void)state;

  rc_init(&r);
  s1 = rc_open(&r, 0);
  s2 = rc_open(&r, 0);
  assert_int_equal(rc_lease(s1), 1);
  assert_int_equal(rc_lease(s2), 0);

  /* another front end takes it as soon as the session is gone */
  pid = rc_lease_pid(&r);
  rc_kill(&r, &pid, 1);
  assert_int_equal(rc_lease_soon(s2), 1);
  assert_int_equal(rc_lease(s1), 0);
  assert_int_equal(rc_lease(s1), 0);
  assert_int_equal(rc_int(&r, "SELECT COUNT(*) FROM pg_locks WHERE locktype = "
                          "'advisory' AND classid = " RC_LEASE_CLASS), 1);

  /* the old holder takes it again once it is free */
  store_close(s2);
  assert_int_equal(rc_lease_soon(s1), 1);

  /* lost even when nobody else took it: reported once, then re-acquired */
  pid = rc_lease_pid(&r);
  rc_kill(&r, &pid, 1);
  assert_int_equal(rc_int(&r, "SELECT COUNT(*) FROM pg_locks WHERE locktype = "
                          "'advisory' AND classid = " RC_LEASE_CLASS), 0);
  assert_int_equal(rc_lease(s1), 0);
  assert_int_equal(rc_lease(s1), 1);
  assert_true(rc_lease_pid(&r) != pid);
  assert_int_equal(rc_lease(s1), 1);

  store_close(s1);
  rc_done(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_idle_drop),
    cmocka_unit_test(test_drop_mid_batch),
    cmocka_unit_test(test_lease_lost),
  };
  fx_backend = STORE_BACKEND_PG;
  log_set_level(LOG_ERROR);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
