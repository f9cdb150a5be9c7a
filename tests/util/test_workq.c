#include "testutil.h"

#include <stdatomic.h>
#include <string.h>

#include "util/clock.h"
#include "util/workq.h"

struct counter {
  atomic_int ran;
  atomic_int done_ok;
  atomic_int done_cancelled;
  atomic_int active_cls1;
  atomic_int max_active_cls1;
  int sleep_ms;
};

struct item {
  struct counter *c;
  unsigned cls;
};

static void work(void *ctx)
{
  struct item *it = ctx;
  if (it->cls == 1) {
    int a = atomic_fetch_add(&it->c->active_cls1, 1) + 1;
    int m = atomic_load(&it->c->max_active_cls1);
    while (a > m && !atomic_compare_exchange_weak(&it->c->max_active_cls1, &m, a))
      ;
  }
  if (it->c->sleep_ms)
    clock_sleep_ms((uint64_t)it->c->sleep_ms);
  if (it->cls == 1)
    atomic_fetch_sub(&it->c->active_cls1, 1);
  atomic_fetch_add(&it->c->ran, 1);
}

static void done(void *ctx, cp_err st)
{
  struct item *it = ctx;
  if (st == CP_OK)
    atomic_fetch_add(&it->c->done_ok, 1);
  else if (st == CP_SHUTDOWN)
    atomic_fetch_add(&it->c->done_cancelled, 1);
}

static void test_all_jobs_run_once(void **state)
{
  struct workq_options o;
  struct workq *q;
  struct counter c;
  static struct item items[2000];
  (void)state;
  memset(&o, 0, sizeof o);
  memset(&c, 0, sizeof c);
  o.threads = 4;
  o.max_queued = 5000;
  assert_int_equal(workq_new(&o, &q), CP_OK);
  assert_int_equal(workq_threads(q), 4);
  for (int i = 0; i < 2000; i++) {
    items[i].c = &c;
    items[i].cls = (unsigned)(i % 3);
    assert_int_equal(workq_submit(q, items[i].cls, work, done, &items[i]), CP_OK);
  }
  while (atomic_load(&c.done_ok) < 2000)
    clock_sleep_ms(1);
  workq_free(q);
  assert_int_equal(atomic_load(&c.ran), 2000);
  assert_int_equal(atomic_load(&c.done_ok), 2000);
  assert_int_equal(atomic_load(&c.done_cancelled), 0);
}

static void test_class_limit(void **state)
{
  struct workq_options o;
  struct workq *q;
  struct counter c;
  static struct item items[12];
  (void)state;
  memset(&o, 0, sizeof o);
  memset(&c, 0, sizeof c);
  o.threads = 4;
  o.class_limit[1] = 1;
  c.sleep_ms = 5;
  assert_int_equal(workq_new(&o, &q), CP_OK);
  for (int i = 0; i < 12; i++) {
    items[i].c = &c;
    items[i].cls = 1;
    assert_int_equal(workq_submit(q, 1, work, done, &items[i]), CP_OK);
  }
  while (atomic_load(&c.done_ok) < 12)
    clock_sleep_ms(1);
  workq_free(q);
  assert_int_equal(atomic_load(&c.max_active_cls1), 1);
}

static void test_full_and_shutdown(void **state)
{
  struct workq_options o;
  struct workq *q;
  struct counter c;
  static struct item items[8];
  int queued = 0;
  (void)state;
  memset(&o, 0, sizeof o);
  memset(&c, 0, sizeof c);
  o.threads = 1;
  o.max_queued = 3;
  c.sleep_ms = 50;
  assert_int_equal(workq_new(&o, &q), CP_OK);
  for (int i = 0; i < 8; i++) {
    items[i].c = &c;
    items[i].cls = 0;
    if (workq_submit(q, 0, work, done, &items[i]) == CP_OK)
      queued++;
  }
  /* one may be taken by the thread already, then at most 3 wait */
  assert_true(queued >= 3 && queued <= 4);
  assert_int_equal(workq_submit(q, 9, work, done, &items[0]), CP_INVAL);
  workq_free(q);
  assert_int_equal(atomic_load(&c.done_ok) + atomic_load(&c.done_cancelled), queued);
  assert_true(atomic_load(&c.done_cancelled) >= 2);
  assert_int_equal(atomic_load(&c.ran), atomic_load(&c.done_ok));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_all_jobs_run_once),
    cmocka_unit_test(test_class_limit),
    cmocka_unit_test(test_full_and_shutdown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
