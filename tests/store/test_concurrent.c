/* Two store handles on one database behave like two `chiapool serve`
 * front ends (each its own writer connection): the racy operations run
 * from both at once and the totals must be exact. Every case runs on
 * SQLite, then on PostgreSQL when CHIAPOOL_PG_DSN names a throwaway
 * database (skipped otherwise, like test_pg.c). */
#include "testutil.h"

#include <pthread.h>

#include "store_fixture.h"
#include "util/log.h"

#define RACE_PROOFS 150   /* enqueued and completed by both handles */
#define RACE_OWN 60       /* credited directly by one handle each */
#define RACE_KEYS 40      /* cooldowns, batches, difficulty cells */

/* Both threads start together, so their transactions overlap. */
struct race {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int waiting;
};

static void race_wait(struct race *r)
{
  pthread_mutex_lock(&r->mu);
  if (++r->waiting == 2)
    pthread_cond_broadcast(&r->cv);
  while (r->waiting < 2)
    pthread_cond_wait(&r->cv, &r->mu);
  pthread_mutex_unlock(&r->mu);
}

struct side {
  struct race *race;
  struct store *s;
  int who; /* 0 or 1 */
  /* results */
  unsigned enq_ok, enq_dup, credited, taken, cas_changed, errors;
  int64_t *batch_ids;
};

static uint64_t proof_difficulty(uint32_t i)
{
  return 1 + (uint64_t)i * 7;
}

static void *credit_side(void *arg)
{
  struct side *d = arg;
  race_wait(d->race);
  for (uint32_t k = 0; k < RACE_PROOFS; k++) {
    /* opposite orders, so each proof is hit by both at some point */
    uint32_t i = d->who ? RACE_PROOFS - 1 - k : k;
    struct store_pending p;
    struct store_partial own;
    int credited = 0;
    cp_err rc;

    fx_pending(&p, 1, i, proof_difficulty(i), 1000);
    rc = store_pending_enqueue(d->s, &p, NULL);
    if (rc == CP_OK)
      d->enq_ok++;
    else if (rc == CP_DUPLICATE)
      d->enq_dup++;
    else
      d->errors++;
    rc = store_pending_complete(d->s, p.proof_hash, 2000, &credited);
    if (rc == CP_OK)
      d->credited += (unsigned)credited;
    else
      d->errors++;
    if (k < RACE_OWN) {
      memset(&own, 0, sizeof own);
      fx_hash(own.launcher_id, 'L', 1);
      fx_hash(own.proof_hash, d->who ? 'B' : 'A', k);
      fx_hash(own.sp_hash, 'S', k);
      own.timestamp = 3000 + k;
      own.difficulty = 1000;
      if (store_partial_add(d->s, &own))
        d->errors++;
    }
  }
  return NULL;
}

static void open_pair(struct fx *f, struct store **a, struct store **b)
{
  fx_init(f);
  *a = fx_open(f);
  *b = fx_open(f);
}

static void run_pair(struct side *d, void *(*fn)(void *), struct store *a,
                     struct store *b)
{
  struct race r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
  pthread_t t[2];
  d[0].race = d[1].race = &r;
  d[0].s = a;
  d[1].s = b;
  d[0].who = 0;
  d[1].who = 1;
  for (int i = 0; i < 2; i++)
    assert_int_equal(pthread_create(&t[i], NULL, fn, &d[i]), 0);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  assert_int_equal(d[0].errors, 0);
  assert_int_equal(d[1].errors, 0);
}

/* A partial submitted to both front ends is queued once and credited
 * once; points from both writers add up exactly (no lost update). */
static void case_credit_race(void **state)
{
  struct side d[2];
  struct store *a, *b;
  struct store_farmer fa, got;
  uint64_t want = 0, n = 9;
  struct fx f;
  (void)state;

  memset(d, 0, sizeof d);
  open_pair(&f, &a, &b);
  fx_farmer(&fa, 1);
  assert_int_equal(store_farmer_add(a, &fa), CP_OK);
  run_pair(d, credit_side, a, b);

  for (uint32_t i = 0; i < RACE_PROOFS; i++)
    want += proof_difficulty(i);
  want += 2 * RACE_OWN * 1000;
  assert_int_equal(d[0].enq_ok + d[1].enq_ok, RACE_PROOFS);
  assert_int_equal(d[0].enq_dup + d[1].enq_dup, RACE_PROOFS);
  assert_int_equal(d[0].credited + d[1].credited, RACE_PROOFS);
  assert_int_equal(store_farmer_get(b, fa.launcher_id, &got), CP_OK);
  assert_int_equal(got.points, want);
  store_farmer_release(&got);
  assert_int_equal(fx_raw_int(&f, "SELECT COUNT(*) FROM partials"),
                   RACE_PROOFS + 2 * RACE_OWN);
  assert_int_equal(store_pending_count(a, &n), CP_OK);
  assert_int_equal(n, 0);
  store_close(a);
  store_close(b);
  fx_cleanup(&f);
}

static void *cooldown_side(void *arg)
{
  struct side *d = arg;
  race_wait(d->race);
  for (uint32_t i = 0; i < RACE_KEYS; i++) {
    uint8_t id[32];
    int taken = 0;
    fx_hash(id, 'L', i);
    /* expired at 500 for the first half (pre-seeded until=400) */
    if (store_cooldown_take(d->s, id, 500, 1100 + d->who, &taken))
      d->errors++;
    d->taken += (unsigned)taken;
  }
  return NULL;
}

/* PUT /farmer cooldowns: one winner per launcher across front ends; an
 * expired one can be taken again; the stored end is the winner's. */
static void case_cooldown_race(void **state)
{
  struct side d[2];
  struct store *a, *b;
  uint64_t until = 7;
  uint8_t id[32];
  int taken = 9;
  struct fx f;
  (void)state;

  memset(d, 0, sizeof d);
  open_pair(&f, &a, &b);
  fx_hash(id, 'L', 0);
  assert_int_equal(store_cooldown_get(a, id, &until), CP_OK);
  assert_int_equal(until, 0);
  for (uint32_t i = 0; i < RACE_KEYS / 2; i++) {
    fx_hash(id, 'L', i);
    assert_int_equal(store_cooldown_take(a, id, 100, 400, &taken), CP_OK);
    assert_int_equal(taken, 1);
  }
  /* still running at 399: refused, unchanged */
  fx_hash(id, 'L', 0);
  assert_int_equal(store_cooldown_take(b, id, 399, 900, &taken), CP_OK);
  assert_int_equal(taken, 0);
  assert_int_equal(store_cooldown_get(b, id, &until), CP_OK);
  assert_int_equal(until, 400);

  run_pair(d, cooldown_side, a, b);
  assert_int_equal(d[0].taken + d[1].taken, RACE_KEYS);
  for (uint32_t i = 0; i < RACE_KEYS; i++) {
    fx_hash(id, 'L', i);
    assert_int_equal(store_cooldown_get(a, id, &until), CP_OK);
    assert_true(until == 1100 || until == 1101);
  }
  store_close(a);
  store_close(b);
  fx_cleanup(&f);
}

static void *refund_side(void *arg)
{
  struct side *d = arg;
  race_wait(d->race);
  for (uint32_t i = 0; i < RACE_KEYS; i++)
    if (store_payout_set_state(d->s, d->batch_ids[i], STORE_PAYOUT_FAILED, NULL,
                               5000))
      d->errors++;
  return NULL;
}

/* Failing a batch from two processes at once (the leader and an
 * operator's `payouts retry`) refunds its lines once. */
static void case_refund_race(void **state)
{
  int64_t ids[RACE_KEYS];
  struct side d[2];
  struct store *a, *b;
  struct store_farmer fa;
  uint64_t bal = 0;
  struct fx f;
  (void)state;

  memset(d, 0, sizeof d);
  open_pair(&f, &a, &b);
  fx_farmer(&fa, 1);
  assert_int_equal(store_farmer_add(a, &fa), CP_OK);
  for (uint32_t i = 0; i < RACE_KEYS; i++) {
    struct store_payout_line line;
    struct store_payout_plan plan;
    char key[32];
    memset(&line, 0, sizeof line);
    fx_hash(line.puzzle_hash, 'P', 1);
    line.amount = 100 + i;
    line.has_launcher = 1;
    memcpy(line.launcher_id, fa.launcher_id, 32);
    memset(&plan, 0, sizeof plan);
    snprintf(key, sizeof key, "race-%u", i);
    plan.idempotency_key = key;
    plan.created_at = 4000;
    plan.window_end = 4000;
    plan.points_mode = STORE_POINTS_KEEP;
    plan.lines = &line;
    plan.n_lines = 1;
    assert_int_equal(store_payout_plan(a, &plan, &ids[i]), CP_OK);
  }
  d[0].batch_ids = d[1].batch_ids = ids;
  run_pair(d, refund_side, a, b);
  assert_int_equal(store_balance_get(a, fa.launcher_id, &bal), CP_OK);
  /* sum of 100 + i for i < RACE_KEYS */
  assert_int_equal(bal, 100 * RACE_KEYS + RACE_KEYS * (RACE_KEYS - 1) / 2);
  store_close(a);
  store_close(b);
  fx_cleanup(&f);
}

static void *cas_side(void *arg)
{
  struct side *d = arg;
  race_wait(d->race);
  for (uint32_t i = 0; i < RACE_KEYS; i++) {
    uint8_t id[32];
    int changed = 0;
    fx_hash(id, 'L', i);
    /* both read 10; each wants its own value */
    if (store_farmer_cas_difficulty(d->s, id, 10, 20 + (uint64_t)d->who, 6000,
                                    &changed))
      d->errors++;
    d->cas_changed += (unsigned)changed;
  }
  return NULL;
}

/* Two front ends adjusting one farmer from the same reading: one wins. */
static void case_difficulty_race(void **state)
{
  struct side d[2];
  struct store *a, *b;
  struct store_farmer fa, got;
  int changed = 9;
  struct fx f;
  (void)state;

  memset(d, 0, sizeof d);
  open_pair(&f, &a, &b);
  for (uint32_t i = 0; i < RACE_KEYS; i++) {
    fx_farmer(&fa, i);
    assert_int_equal(store_farmer_add(a, &fa), CP_OK);
  }
  run_pair(d, cas_side, a, b);
  assert_int_equal(d[0].cas_changed + d[1].cas_changed, RACE_KEYS);
  fx_farmer(&fa, 0);
  assert_int_equal(store_farmer_get(a, fa.launcher_id, &got), CP_OK);
  assert_true(got.difficulty == 20 || got.difficulty == 21);
  assert_int_equal(got.last_difficulty_change_at, 6000);
  store_farmer_release(&got);
  /* a stale expectation changes nothing */
  assert_int_equal(store_farmer_cas_difficulty(a, fa.launcher_id, 10, 99, 7000,
                                               &changed), CP_OK);
  assert_int_equal(changed, 0);
  store_close(a);
  store_close(b);
  fx_cleanup(&f);
}

/* One leader among handles; claims survive a second handle opening while
 * the leader lives, and are released once it is gone. */
static void case_lease(void **state)
{
  struct store *a, *b, *c;
  struct store_pending p;
  struct store_pending_list l;
  struct store_farmer fa;
  uint64_t n = 9;
  int held = 9;
  struct fx f;
  (void)state;

  open_pair(&f, &a, &b);
  assert_int_equal(store_lease_try(a, "Bad-Name", &held), CP_INVAL);
  assert_int_equal(held, 0);
  assert_int_equal(store_lease_try(a, STORE_LEASE_LEADER, &held), CP_OK);
  assert_int_equal(held, 1);
  assert_int_equal(store_lease_try(b, STORE_LEASE_LEADER, &held), CP_OK);
  assert_int_equal(held, 0);
  assert_int_equal(store_lease_try(a, STORE_LEASE_LEADER, &held), CP_OK);
  assert_int_equal(held, 1); /* confirming does not stack or drop it */
  /* another name is independent */
  assert_int_equal(store_lease_try(b, "other", &held), CP_OK);
  assert_int_equal(held, 1);

  fx_farmer(&fa, 1);
  assert_int_equal(store_farmer_add(a, &fa), CP_OK);
  fx_pending(&p, 1, 1, 5, 100);
  assert_int_equal(store_pending_enqueue(b, &p, NULL), CP_OK);
  assert_int_equal(store_pending_claim(a, 100, 10, &l), CP_OK);
  assert_int_equal(l.n, 1);
  store_pending_list_release(&l);

  /* a front end starting while the leader runs leaves its claim alone */
  c = fx_open(&f);
  assert_int_equal(store_pending_claim(c, 100, 10, &l), CP_OK);
  assert_int_equal(l.n, 0);
  store_close(c);

  /* the leader goes: the follower takes the lease, releases the claim */
  store_close(a);
  /* PostgreSQL ends the closed session asynchronously: poll, as the
   * leader thread does */
  for (int i = 0; i < 100; i++) {
    assert_int_equal(store_lease_try(b, STORE_LEASE_LEADER, &held), CP_OK);
    if (held)
      break;
    usleep(50000);
  }
  assert_int_equal(held, 1);
  assert_int_equal(store_pending_unclaim(b, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(store_pending_claim(b, 100, 10, &l), CP_OK);
  assert_int_equal(l.n, 1);
  store_pending_list_release(&l);
  store_close(b);

  /* no leader left: opening releases claims (a restart) */
  for (int i = 0; i < 100; i++) {
    c = fx_open(&f);
    assert_int_equal(store_pending_claim(c, 100, 10, &l), CP_OK);
    if (l.n)
      break;
    store_close(c); /* b's session not gone yet */
    usleep(50000);
  }
  assert_int_equal(l.n, 1);
  store_pending_list_release(&l);
  store_close(c);
  fx_cleanup(&f);
}

static void *open_side(void *arg)
{
  struct side *d = arg;
  struct store_options o;
  struct fx *f = (struct fx *)d->batch_ids; /* borrowed: the fixture */
  race_wait(d->race);
  o = fx_options(f);
  if (store_open(&o, &d->s))
    d->errors++;
  return NULL;
}

/* Two front ends starting at once on an empty database both open (one
 * creates the schema, the other waits and finds it). */
static void case_open_race(void **state)
{
  struct race r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
  struct side d[2];
  pthread_t t[2];
  int64_t v = 0;
  struct fx f;
  (void)state;

  fx_init(&f);
  memset(d, 0, sizeof d);
  for (int i = 0; i < 2; i++) {
    d[i].race = &r;
    d[i].batch_ids = (int64_t *)(void *)&f;
    assert_int_equal(pthread_create(&t[i], NULL, open_side, &d[i]), 0);
  }
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  assert_int_equal(d[0].errors + d[1].errors, 0);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(store_schema_version(d[i].s, &v), CP_OK);
    assert_int_equal(v, store_schema_version_code());
    store_close(d[i].s);
  }
  assert_int_equal(fx_raw_int(&f, "SELECT COUNT(*) FROM schema_version"),
                   store_schema_version_code());
  fx_cleanup(&f);
}

#define CONCURRENT_CASES                                                      \
  cmocka_unit_test(case_credit_race), cmocka_unit_test(case_cooldown_race),  \
  cmocka_unit_test(case_refund_race), cmocka_unit_test(case_difficulty_race), \
  cmocka_unit_test(case_lease), cmocka_unit_test(case_open_race)

int main(void)
{
  const struct CMUnitTest tests[] = { CONCURRENT_CASES };
  int failed;
  log_set_level(LOG_WARN);
  fx_backend = STORE_BACKEND_SQLITE;
  failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
  fx_backend = STORE_BACKEND_PG;
  failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
  return failed;
}
