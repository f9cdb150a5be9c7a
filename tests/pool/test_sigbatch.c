#include "testutil.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "crypto/keys.h"
#include "pool/sigbatch.h"

#define NITEMS 7

static struct bls_sk sks[2];
static struct bls_pk pks[2];

struct rec {
  struct sigbatch_item it;
  pthread_mutex_t *lock;
  pthread_cond_t *cond;
  int *ndone;
  cp_err rc;
  int calls;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ndone;

static void on_done(struct sigbatch_item *it, cp_err rc)
{
  struct rec *r = it->ctx;
  pthread_mutex_lock(&lock);
  r->rc = rc;
  r->calls++;
  ndone++;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
}

static void wait_done(int n)
{
  pthread_mutex_lock(&lock);
  while (ndone < n)
    pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
}

static int setup(void **state)
{
  (void)state;
  for (int i = 0; i < 2; i++) {
    uint8_t seed[32];
    memset(seed, 0x70 + i, sizeof seed);
    if (keys_gen(&sks[i], seed, sizeof seed))
      return -1;
    bls_sk_to_pk(&sks[i], &pks[i]);
  }
  return 0;
}

/* A partial-shaped item: both keys sign message i; bad = sign another. */
static void make(struct rec *r, int i, int bad)
{
  struct bls_sig s[2], agg;
  memset(r, 0, sizeof *r);
  memset(r->it.msg, i, 32);
  memcpy(r->it.pk[0], pks[0].bytes, 48);
  memcpy(r->it.pk[1], pks[1].bytes, 48);
  r->it.npk = 2;
  bls_sign(&s[0], &sks[0], r->it.msg, 32);
  r->it.msg[0] ^= (uint8_t)bad;
  bls_sign(&s[1], &sks[1], r->it.msg, 32);
  r->it.msg[0] ^= (uint8_t)bad;
  bls_aggregate(&agg, s, 2);
  memcpy(r->it.sig, agg.bytes, 96);
  r->it.done = on_done;
  r->it.ctx = r;
}

struct gate {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int open, entered;
};

static void gate_work(void *ctx)
{
  struct gate *g = ctx;
  pthread_mutex_lock(&g->lock);
  g->entered = 1;
  pthread_cond_broadcast(&g->cond);
  while (!g->open)
    pthread_cond_wait(&g->cond, &g->lock);
  pthread_mutex_unlock(&g->lock);
}

static void gate_done(void *ctx, cp_err st)
{
  (void)ctx;
  (void)st;
}

static void gate_close(struct workq *q, struct gate *g)
{
  assert_int_equal(workq_submit(q, 1, gate_work, gate_done, g), CP_OK);
  pthread_mutex_lock(&g->lock);
  while (!g->entered)
    pthread_cond_wait(&g->cond, &g->lock);
  pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct gate *g)
{
  pthread_mutex_lock(&g->lock);
  g->open = 1;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
}

static void test_batch_with_bad_items(void **state)
{
  struct workq_options o = { .threads = 1 };
  struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  struct workq *q;
  struct keycache *kc;
  struct sigbatch *sb;
  struct sigbatch_stats st;
  struct rec r[NITEMS];
  (void)state;
  ndone = 0;
  assert_int_equal(workq_new(&o, &q), CP_OK);
  assert_int_equal(keycache_new(0, &kc), CP_OK);
  assert_int_equal(sigbatch_new(q, 0, 0, 0, kc, &sb), CP_OK);
  gate_close(q, &g);
  for (int i = 0; i < NITEMS; i++) {
    make(&r[i], i, i == 2);
    if (i == 5)
      memset(r[i].it.pk[1], 0xff, 48); /* a key that is not a point */
    if (i == 6)
      r[i].it.sig[0] &= 0x7f;          /* an uncompressed-flag signature */
    assert_int_equal(sigbatch_submit(sb, &r[i].it), CP_OK);
  }
  gate_open(&g);
  wait_done(NITEMS);
  for (int i = 0; i < NITEMS; i++) {
    assert_int_equal(r[i].calls, 1);
    assert_int_equal(r[i].rc, (i == 2 || i >= 5) ? CP_VERIFY_FAILED : CP_OK);
  }
  sigbatch_stats(sb, &st);
  assert_int_equal(st.items, NITEMS);
  assert_int_equal(st.batches, 1);
  assert_int_equal(st.max_batch, NITEMS);
  assert_int_equal(st.fallbacks, 1);

  /* alone: verified directly, no batch */
  ndone = 0;
  make(&r[0], 9, 0);
  assert_int_equal(sigbatch_submit(sb, &r[0].it), CP_OK);
  wait_done(1);
  assert_int_equal(r[0].rc, CP_OK);
  sigbatch_stats(sb, &st);
  assert_int_equal(st.batches, 2);
  assert_int_equal(st.fallbacks, 1);

  r[0].it.npk = 0;
  assert_int_equal(sigbatch_submit(sb, &r[0].it), CP_INVAL);
  r[0].it.npk = 3;
  assert_int_equal(sigbatch_submit(sb, &r[0].it), CP_INVAL);
  sigbatch_free(sb);
  keycache_free(kc);
  workq_free(q);
}

static void test_max_batch(void **state)
{
  struct workq_options o = { .threads = 1 };
  struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  struct workq *q;
  struct keycache *kc;
  struct sigbatch *sb;
  struct sigbatch_stats st;
  struct rec r[NITEMS];
  (void)state;
  ndone = 0;
  assert_int_equal(workq_new(&o, &q), CP_OK);
  assert_int_equal(keycache_new(0, &kc), CP_OK);
  assert_int_equal(sigbatch_new(q, 0, 1, 3, kc, &sb), CP_OK);
  gate_close(q, &g);
  for (int i = 0; i < NITEMS; i++) {
    make(&r[i], i, 0);
    assert_int_equal(sigbatch_submit(sb, &r[i].it), CP_OK);
  }
  gate_open(&g);
  wait_done(NITEMS);
  for (int i = 0; i < NITEMS; i++)
    assert_int_equal(r[i].rc, CP_OK);
  sigbatch_stats(sb, &st);
  assert_int_equal(st.batches, 3); /* 3 + 3 + 1 */
  assert_int_equal(st.max_batch, 3);
  assert_int_equal(st.fallbacks, 0);
  sigbatch_free(sb);
  assert_int_equal(sigbatch_new(NULL, 0, 0, 0, kc, &sb), CP_INVAL);
  assert_null(sb);
  assert_int_equal(sigbatch_new(q, WORKQ_MAX_CLASSES, 0, 0, kc, &sb), CP_INVAL);
  assert_int_equal(sigbatch_new(q, 0, 0, SIGBATCH_MAX_BATCH + 1, kc, &sb), CP_INVAL);
  keycache_free(kc);
  workq_free(q);
}

/* A second job starts only for parallel_min queued items, and a long
 * queue is split between the jobs instead of going whole to the first. */
static void test_parallel_min_and_split(void **state)
{
  struct workq_options o = { .threads = 1 };
  struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  struct gate g2 = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  struct workq *q;
  struct keycache *kc;
  struct sigbatch *sb;
  struct sigbatch_stats st;
  struct rec r[6];
  (void)state;
  ndone = 0;
  assert_int_equal(workq_new(&o, &q), CP_OK);
  assert_int_equal(keycache_new(0, &kc), CP_OK);
  assert_int_equal(sigbatch_new(q, 0, 2, 0, kc, &sb), CP_OK);
  /* parallel_min 4: three items are one job and one batch */
  sigbatch_set_tuning(sb, 4, 0);
  gate_close(q, &g);
  for (int i = 0; i < 3; i++) {
    make(&r[i], i, 0);
    assert_int_equal(sigbatch_submit(sb, &r[i].it), CP_OK);
  }
  gate_open(&g);
  wait_done(3);
  sigbatch_stats(sb, &st);
  assert_int_equal(st.batches, 1);
  assert_int_equal(st.max_batch, 3);

  /* parallel_min 2: six queued items start a second job at the second
   * item, and the first job leaves it half of the queue */
  ndone = 0;
  sigbatch_set_tuning(sb, 2, 0);
  gate_close(q, &g2);
  for (int i = 0; i < 6; i++) {
    make(&r[i], 10 + i, i == 4);
    assert_int_equal(sigbatch_submit(sb, &r[i].it), CP_OK);
  }
  gate_open(&g2);
  wait_done(6);
  for (int i = 0; i < 6; i++) {
    assert_int_equal(r[i].calls, 1);
    assert_int_equal(r[i].rc, i == 4 ? CP_VERIFY_FAILED : CP_OK);
  }
  sigbatch_stats(sb, &st);
  assert_int_equal(st.items, 9);
  assert_int_equal(st.batches, 3);
  assert_int_equal(st.max_batch, 3);
  assert_int_equal(st.fallbacks, 1);
  assert_int_equal(st.waits, 0);

  /* submits have been far apart on the scale of wait_us (the mean gap
   * starts at a second): an isolated item does not wait for company */
  ndone = 0;
  sigbatch_set_tuning(sb, 8, 20000);
  make(&r[0], 30, 0);
  assert_int_equal(sigbatch_submit(sb, &r[0].it), CP_OK);
  wait_done(1);
  assert_int_equal(r[0].rc, CP_OK);
  sigbatch_stats(sb, &st);
  assert_int_equal(st.waits, 0);
  sigbatch_free(sb);
  keycache_free(kc);
  workq_free(q);
}

static void *free_pool(void *arg)
{
  workq_free(arg);
  return NULL;
}

static void test_shutdown_cancels(void **state)
{
  struct workq_options o = { .threads = 1 };
  struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  struct workq *q;
  struct keycache *kc;
  struct sigbatch *sb;
  struct rec r[3];
  pthread_t th;
  (void)state;
  ndone = 0;
  assert_int_equal(workq_new(&o, &q), CP_OK);
  assert_int_equal(keycache_new(0, &kc), CP_OK);
  assert_int_equal(sigbatch_new(q, 0, 0, 0, kc, &sb), CP_OK);
  gate_close(q, &g);
  for (int i = 0; i < 3; i++) {
    make(&r[i], i, 0);
    assert_int_equal(sigbatch_submit(sb, &r[i].it), CP_OK);
  }
  /* closing the pool cancels the queued verification job: every item is
   * answered CP_SHUTDOWN, once */
  assert_int_equal(pthread_create(&th, NULL, free_pool, q), 0);
  wait_done(3);
  gate_open(&g);
  assert_int_equal(pthread_join(th, NULL), 0);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(r[i].calls, 1);
    assert_int_equal(r[i].rc, CP_SHUTDOWN);
  }
  sigbatch_free(sb);
  keycache_free(kc);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_batch_with_bad_items),
    cmocka_unit_test(test_max_batch),
    cmocka_unit_test(test_parallel_min_and_split),
    cmocka_unit_test(test_shutdown_cancels),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
