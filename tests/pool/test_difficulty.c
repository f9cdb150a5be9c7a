#include "testutil.h"

#include "pool/difficulty.h"
#include "pool/token.h"

#define NOW 1700000000u

/* n partials at difficulty d, newest `age` seconds before NOW, spread evenly
 * over `span` seconds (newest first). */
static struct recent_partial *mk(size_t n, uint64_t d, uint64_t age, uint64_t span)
{
  struct recent_partial *r = test_calloc(n ? n : 1, sizeof *r);
  for (size_t i = 0; i < n; i++) {
    r[i].timestamp = NOW - age - (n > 1 ? span * i / (n - 1) : 0);
    r[i].difficulty = d;
  }
  return r;
}

static uint64_t next(uint64_t cur, size_t n, uint64_t d, uint64_t age, uint64_t span)
{
  struct difficulty_params p;
  struct recent_partial *r = mk(n, d, age, span);
  uint64_t v;
  difficulty_params_default(&p);
  v = difficulty_next(&p, cur, r, n, NOW);
  test_free(r);
  return v;
}

static void test_seed_rules(void **state)
{
  (void)state;
  /* no partials: keep */
  assert_int_equal(next(100, 0, 100, 0, 0), 100);
  /* newest more than 3 h old: divide by 5 */
  assert_int_equal(next(100, 5, 100, 10801, 100), 20);
  /* exactly 3 h is not "more than 3 h": falls to the 45 min rule, /1.5 */
  assert_int_equal(next(100, 5, 100, 10800, 100), 66);
  /* more than 45 min: divide by 1.5, floored */
  assert_int_equal(next(100, 5, 100, 2701, 100), 66);
  assert_int_equal(next(7, 5, 7, 2701, 100), 4);
  /* exactly 45 min: not slow; few partials in a short span: keep */
  assert_int_equal(next(100, 5, 100, 2700, 100), 100);
  /* fewer than 300 partials spanning less than a day: keep */
  assert_int_equal(next(100, 299, 100, 10, 80000), 100);
  /* 300 partials in 12 h: twice as fast as targeted, difficulty doubles */
  assert_int_equal(next(100, 300, 100, 10, 43200), 200);
  /* 300 partials in 2 h: x 24*3600/7200 = x12 */
  assert_int_equal(next(100, 300, 100, 10, 7200), 1200);
  /* 300 partials in 48 h: halves */
  assert_int_equal(next(100, 300, 100, 10, 172800), 50);
  /* 200 partials over 100000 s (more than a day): scaled as if 300 */
  assert_int_equal(next(100, 200, 100, 10, 100000), 57);
  /* a burst inside one second does not divide by zero */
  assert_int_equal(next(100, 300, 100, 10, 0), 8640000);
}

static void test_changed_recently_and_bounds(void **state)
{
  struct difficulty_params p;
  struct recent_partial *r = mk(300, 100, 10, 43200);
  (void)state;
  difficulty_params_default(&p);
  r[150].difficulty = 50; /* one partial from before the last change */
  assert_int_equal(difficulty_next(&p, 100, r, 300, NOW), 100);
  r[150].difficulty = 100;
  p.max_difficulty = 150;
  assert_int_equal(difficulty_next(&p, 100, r, 300, NOW), 150);
  /* only the newest partials_target entries count */
  p.max_difficulty = 0;
  p.partials_target = 100;
  /* first 100 of 300 evenly spread over 43200 s span 43200*99/299 s */
  assert_int_equal(difficulty_next(&p, 100, r, 300, NOW),
                   (uint64_t)(100ull * 86400 * 100 / (43200ull * 99 / 299 * 100)));
  test_free(r);
  /* slow-down never goes below the minimum */
  difficulty_params_default(&p);
  p.min_difficulty = 30;
  r = mk(5, 100, 20000, 100);
  assert_int_equal(difficulty_next(&p, 100, r, 5, NOW), 30);
  test_free(r);
}

static void test_token(void **state)
{
  (void)state;
  /* 1700000000 s = 28333333 whole minutes; / 5 = 5666666 */
  assert_int_equal(token_current(NOW, 5), 5666666);
  assert_int_equal(token_current(NOW, 1), 28333333);
  assert_true(token_valid(5666666, NOW, 5));
  assert_true(token_valid(5666661, NOW, 5));
  assert_false(token_valid(5666660, NOW, 5));
  assert_true(token_valid(5666671, NOW, 5));
  assert_false(token_valid(5666672, NOW, 5));
  assert_false(token_valid(0, NOW, 5));
  assert_false(token_valid(UINT64_MAX, NOW, 5));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_seed_rules),
    cmocka_unit_test(test_changed_recently_and_bounds),
    cmocka_unit_test(test_token),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
