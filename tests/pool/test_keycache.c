#include "testutil.h"

#include <pthread.h>
#include <string.h>

#include "crypto/keys.h"
#include "pool/keycache.h"

#define NKEYS 8

static struct bls_pk pks[NKEYS];

static int setup(void **state)
{
  (void)state;
  for (int i = 0; i < NKEYS; i++) {
    uint8_t seed[32];
    struct bls_sk sk;
    memset(seed, 0x40 + i, sizeof seed);
    if (keys_gen(&sk, seed, sizeof seed))
      return -1;
    bls_sk_to_pk(&sk, &pks[i]);
  }
  return 0;
}

static void test_capacity(void **state)
{
  struct keycache *kc;
  (void)state;
  assert_int_equal(keycache_new(0, &kc), CP_OK);
  assert_int_equal(keycache_capacity(kc), KEYCACHE_DEFAULT_CAPACITY);
  keycache_free(kc);
  assert_int_equal(keycache_new(5, &kc), CP_OK);
  assert_int_equal(keycache_capacity(kc), 8);
  keycache_free(kc);
  assert_int_equal(keycache_new(1, &kc), CP_OK);
  assert_int_equal(keycache_capacity(kc), 4); /* one set */
  keycache_free(kc);
  assert_int_equal(keycache_new(KEYCACHE_MAX_CAPACITY + 1, &kc), CP_INVAL);
  assert_null(kc);
  keycache_free(NULL);
}

static void test_hit_miss_and_bad_keys(void **state)
{
  struct keycache *kc;
  struct keycache_stats st;
  struct bls_pk out;
  uint8_t bad[48];
  (void)state;
  assert_int_equal(keycache_new(64, &kc), CP_OK);
  assert_int_equal(keycache_get(kc, pks[0].bytes, &out), CP_OK);
  assert_true(bls_pk_equal(&out, &pks[0]));
  assert_int_equal(keycache_get(kc, pks[0].bytes, &out), CP_OK);
  assert_true(bls_pk_equal(&out, &pks[0]));
  assert_memory_equal(out.bytes, pks[0].bytes, 48);
  keycache_stats(kc, &st);
  assert_int_equal(st.misses, 1);
  assert_int_equal(st.hits, 1);
  /* not a point, no compression flag, infinity with a stray bit: refused
   * every time, never cached */
  memset(bad, 0xff, sizeof bad);
  assert_int_equal(keycache_get(kc, bad, &out), CP_BAD_KEY);
  assert_int_equal(keycache_get(kc, bad, &out), CP_BAD_KEY);
  memcpy(bad, pks[1].bytes, 48);
  bad[0] &= 0x7f;
  assert_int_equal(keycache_get(kc, bad, &out), CP_BAD_KEY);
  memset(bad, 0, sizeof bad);
  bad[0] = 0xc0;
  bad[47] = 1;
  assert_int_equal(keycache_get(kc, bad, &out), CP_BAD_KEY);
  keycache_stats(kc, &st);
  assert_int_equal(st.misses, 1);
  assert_int_equal(st.hits, 1);
  keycache_free(kc);
}

static void test_eviction_lru(void **state)
{
  struct keycache *kc;
  struct keycache_stats st;
  struct bls_pk out;
  (void)state;
  /* one set of four ways: every key competes */
  assert_int_equal(keycache_new(4, &kc), CP_OK);
  for (int i = 0; i < 4; i++)
    assert_int_equal(keycache_get(kc, pks[i].bytes, &out), CP_OK);
  assert_int_equal(keycache_get(kc, pks[0].bytes, &out), CP_OK); /* 0 is recent */
  assert_int_equal(keycache_get(kc, pks[4].bytes, &out), CP_OK); /* evicts 1 */
  keycache_stats(kc, &st);
  assert_int_equal(st.misses, 5);
  assert_int_equal(st.hits, 1);
  assert_int_equal(st.evictions, 1);
  assert_int_equal(keycache_get(kc, pks[0].bytes, &out), CP_OK);
  assert_int_equal(keycache_get(kc, pks[2].bytes, &out), CP_OK);
  assert_int_equal(keycache_get(kc, pks[3].bytes, &out), CP_OK);
  assert_int_equal(keycache_get(kc, pks[4].bytes, &out), CP_OK);
  keycache_stats(kc, &st);
  assert_int_equal(st.hits, 5);
  assert_int_equal(st.misses, 5);
  assert_int_equal(keycache_get(kc, pks[1].bytes, &out), CP_OK); /* was evicted */
  assert_true(bls_pk_equal(&out, &pks[1]));
  keycache_stats(kc, &st);
  assert_int_equal(st.misses, 6);
  assert_int_equal(st.evictions, 2);
  keycache_free(kc);
}

struct thr {
  struct keycache *kc;
  int bad;
};

static void *hammer(void *arg)
{
  struct thr *t = arg;
  for (int i = 0; i < 2000; i++) {
    struct bls_pk out;
    int k = (i * 7 + 3) % NKEYS;
    if (keycache_get(t->kc, pks[k].bytes, &out) || !bls_pk_equal(&out, &pks[k]))
      t->bad++;
  }
  return NULL;
}

static void test_threads(void **state)
{
  struct keycache *kc;
  struct keycache_stats st;
  pthread_t th[4];
  struct thr a[4];
  (void)state;
  /* smaller than the key set, so threads also evict each other */
  assert_int_equal(keycache_new(4, &kc), CP_OK);
  for (int i = 0; i < 4; i++) {
    a[i] = (struct thr){ kc, 0 };
    assert_int_equal(pthread_create(&th[i], NULL, hammer, &a[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(a[i].bad, 0);
  }
  keycache_stats(kc, &st);
  assert_int_equal(st.hits + st.misses, 8000);
  keycache_free(kc);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_capacity),
    cmocka_unit_test(test_hit_miss_and_bad_keys),
    cmocka_unit_test(test_eviction_lru),
    cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
