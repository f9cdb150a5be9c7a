/* `chiapool plot` end to end: the real binary prints chiapos' proofs. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int run(const char *args, char *out, size_t cap)
{
  return tv_run(args, out, cap, NULL, 0);
}

static void test_plot_vectors(void **state)
{
  json_t *v = tv_load("pos_v1.json"), *e, *multi = NULL;
  char args[512], *out = malloc(1 << 16), line[1024];
  size_t i;
  (void)state;

  assert_non_null(out);
  /* the k18 challenge with the most proofs */
  json_array_foreach(tv_get(v, "qualities"), i, e)
    if (json_integer_value(tv_get(e, "k")) == 18 &&
        (!multi || json_object_size(tv_get(e, "qualities")) >
                     json_object_size(tv_get(multi, "qualities"))))
      multi = e;
  assert_non_null(multi);
  snprintf(args, sizeof args, "plot --k 18 --plot-id %s --challenge %s",
           tv_str(multi, "plot_id"), tv_str(multi, "challenge"));
  assert_int_equal(run(args, out, 1 << 16), 0);
  /* one line per quality, in index order; the valid vectors give proofs */
  for (size_t j = 0; j < json_object_size(tv_get(multi, "qualities")); j++) {
    char key[24];
    snprintf(key, sizeof key, "%zu", j);
    snprintf(line, sizeof line, "proof_index=%zu quality=%s proof=", j,
             tv_str(tv_get(multi, "qualities"), key));
    assert_non_null(strstr(out, line));
  }
  json_array_foreach(tv_get(v, "valid"), i, e)
    if (!strcmp(tv_str(e, "challenge"), tv_str(multi, "challenge"))) {
      snprintf(line, sizeof line, "quality=%s proof=%s\n",
               tv_str(e, "quality"), tv_str(e, "proof"));
      assert_non_null(strstr(out, line));
    }

  assert_int_equal(run("plot --k 17 --plot-id 00 --challenge 00", out, 1 << 16), 1);
  snprintf(args, sizeof args, "plot --k 18 --plot-id %s --challenge 00",
           tv_str(multi, "plot_id"));
  assert_int_equal(run(args, out, 1 << 16), 1);
  assert_int_equal(run("plot", out, 1 << 16), 1);
  free(out);
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plot_vectors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
