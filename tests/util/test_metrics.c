#include "testutil.h"

#include <string.h>

#include "util/metrics.h"

static void test_render(void **state)
{
  struct metrics *r = metrics_new();
  struct metric *ok, *bad, *g, *h, *other;
  static const double bounds[] = { 0.01, 0.1, 1 };
  struct buf b;
  const char *s;
  (void)state;
  ok = metrics_counter(r, "chiapool_partials_total", "Partials by result", "result", "ok");
  g = metrics_gauge(r, "chiapool_farmers", "Registered farmers", NULL, NULL);
  h = metrics_histogram(r, "chiapool_partial_seconds", "Partial latency", bounds, 3);
  bad = metrics_counter(r, "chiapool_partials_total", "Partials by result", "result",
                        "bad \"sig\"");
  assert_non_null(ok);
  assert_non_null(bad);
  assert_non_null(g);
  assert_non_null(h);
  /* duplicates, bad names, kind clashes and unsorted buckets are refused */
  assert_null(metrics_counter(r, "chiapool_partials_total", "", "result", "ok"));
  assert_null(metrics_gauge(r, "chiapool_partials_total", "", "result", "x"));
  assert_null(metrics_counter(r, "9bad", "", NULL, NULL));
  assert_null(metrics_counter(r, "bad-name", "", NULL, NULL));
  other = metrics_histogram(r, "h2", "", (const double[]){ 1, 1 }, 2);
  assert_null(other);

  metric_add(ok, 3);
  metric_add(bad, 1);
  metric_set(g, 7);
  metric_gauge_add(g, -2);
  metric_observe(h, 0.005);
  metric_observe(h, 0.5);
  metric_observe(h, 5);
  metric_add(NULL, 1); /* no-op */
  assert_int_equal(metric_value(ok), 3);
  assert_int_equal(metric_value(g), 5);
  assert_ptr_equal(metrics_find(r, "chiapool_partials_total", "ok"), ok);
  assert_ptr_equal(metrics_find(r, "chiapool_partials_total", "bad \"sig\""), bad);
  assert_ptr_equal(metrics_find(r, "chiapool_farmers", NULL), g);
  assert_null(metrics_find(r, "chiapool_partials_total", NULL));
  assert_null(metrics_find(r, "chiapool_farmers", "x"));
  assert_null(metrics_find(r, "nope", NULL));

  buf_init(&b, 1 << 16);
  assert_int_equal(metrics_render(r, &b), CP_OK);
  assert_int_equal(buf_cstr(&b, &s), CP_OK);
  assert_string_equal(s,
    "# HELP chiapool_partials_total Partials by result\n"
    "# TYPE chiapool_partials_total counter\n"
    "chiapool_partials_total{result=\"ok\"} 3\n"
    "chiapool_partials_total{result=\"bad \\\"sig\\\"\"} 1\n"
    "# HELP chiapool_farmers Registered farmers\n"
    "# TYPE chiapool_farmers gauge\n"
    "chiapool_farmers 5\n"
    "# HELP chiapool_partial_seconds Partial latency\n"
    "# TYPE chiapool_partial_seconds histogram\n"
    "chiapool_partial_seconds_bucket{le=\"0.01\"} 1\n"
    "chiapool_partial_seconds_bucket{le=\"0.1\"} 1\n"
    "chiapool_partial_seconds_bucket{le=\"1\"} 2\n"
    "chiapool_partial_seconds_bucket{le=\"+Inf\"} 3\n"
    "chiapool_partial_seconds_sum 5.505000\n"
    "chiapool_partial_seconds_count 3\n");
  buf_release(&b);
  metrics_free(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = { cmocka_unit_test(test_render) };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
