/* Leader election between two front ends (two store handles on one SQLite
 * file here; tests/store/test_concurrent.c covers PostgreSQL's lease and
 * tests/e2e/test_scaleout.c two processes): exactly one leads, the gauge
 * says which, and the other takes over once the leader's handle goes,
 * releasing the claims it left. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool/leader.h"
#include "util/clock.h"
#include "util/log.h"

#define CHECK_MS 50

struct fx {
  char dir[64];
  char path[96];
};

static struct store *open_store(struct fx *x)
{
  struct store_options o = { .backend = STORE_BACKEND_SQLITE, .read_conns = 1 };
  struct store *s = NULL;
  o.path = x->path;
  assert_int_equal(store_open(&o, &s), CP_OK);
  return s;
}

static void cleanup(struct fx *x)
{
  static const char *const sfx[] = { "", "-wal", "-shm", "-lease-" STORE_LEASE_LEADER };
  char p[160];
  for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
    snprintf(p, sizeof p, "%s%s", x->path, sfx[i]);
    unlink(p);
  }
  assert_int_equal(rmdir(x->dir), 0);
}

static void farmer_and_pending(struct store *s)
{
  static uint8_t payload[] = "{}";
  struct store_farmer f;
  struct store_pending p;
  memset(&f, 0, sizeof f);
  memset(f.launcher_id, 0x11, 32);
  memset(f.p2_singleton_puzzle_hash, 0x22, 32);
  f.difficulty = 1;
  f.is_pool_member = 1;
  assert_int_equal(store_farmer_add(s, &f), CP_OK);
  memset(&p, 0, sizeof p);
  memset(p.launcher_id, 0x11, 32);
  memset(p.proof_hash, 0x33, 32);
  p.difficulty = 1;
  p.due_at = 10;
  p.payload = payload;
  p.payload_len = 2;
  assert_int_equal(store_pending_enqueue(s, &p, NULL), CP_OK);
}

static void test_one_leader_and_takeover(void **state)
{
  struct leader_options oa = { NULL, NULL, CHECK_MS }, ob = { NULL, NULL, CHECK_MS };
  struct store *sa, *sb;
  struct leader *la = NULL, *lb = NULL;
  struct metrics *ma = metrics_new(), *mb = metrics_new();
  struct store_pending_list l;
  uint64_t t0;
  struct fx x;
  (void)state;

  snprintf(x.dir, sizeof x.dir, "/tmp/cp_leader_XXXXXX");
  assert_non_null(mkdtemp(x.dir));
  snprintf(x.path, sizeof x.path, "%s/pool.db", x.dir);
  sa = open_store(&x);
  sb = open_store(&x);
  farmer_and_pending(sa);

  assert_true(leader_is(NULL)); /* no election: always leads */
  oa.store = sa;
  oa.metrics = ma;
  ob.store = sb;
  ob.metrics = mb;
  assert_int_equal(leader_new(&oa, &la), CP_OK);
  assert_int_equal(leader_new(&ob, &lb), CP_OK);
  assert_int_equal(leader_is(la), 1);
  assert_int_equal(leader_is(lb), 0);
  assert_int_equal(metric_value(metrics_find(ma, "chiapool_leader", NULL)), 1);
  assert_int_equal(metric_value(metrics_find(mb, "chiapool_leader", NULL)), 0);

  /* the leader's confirmer claims the item, then the leader dies */
  assert_int_equal(store_pending_claim(sa, 10, 10, &l), CP_OK);
  assert_int_equal(l.n, 1);
  store_pending_list_release(&l);
  usleep(3 * CHECK_MS * 1000);
  assert_int_equal(leader_is(lb), 0); /* still held: no flapping */
  leader_free(la);
  store_close(sa); /* its lease goes with its handle */

  t0 = clock_mono_ms();
  while (!leader_is(lb)) {
    assert_true(clock_mono_ms() - t0 < 20 * CHECK_MS);
    usleep(10000);
  }
  /* the unclaim runs right after the lease is taken, on the same thread */
  usleep(2 * CHECK_MS * 1000);
  assert_int_equal(metric_value(metrics_find(mb, "chiapool_leader", NULL)), 1);
  assert_int_equal(store_pending_claim(sb, 10, 10, &l), CP_OK);
  assert_int_equal(l.n, 1);
  store_pending_list_release(&l);

  leader_free(lb);
  store_close(sb);
  metrics_free(ma);
  metrics_free(mb);
  cleanup(&x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_one_leader_and_takeover),
  };
  log_set_level(LOG_WARN);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
