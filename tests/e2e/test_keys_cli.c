/* `chiapool keys derive` end to end: the real binary against the BLS
 * vectors (tests/vectors/bls.json keygen and chia_paths), in both output
 * forms, and its refusals: a bad seed exits 1 with one line saying why, a
 * malformed command line exits 2. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_MAX 8192
/* Rows in output order, as chia/wallet/derive_keys.py names the keys. */
static const char *const roles[] = {
  "master", "farmer", "pool", "local", "wallet", "singleton_owner",
  "pooling_authentication",
};
#define NROLES (sizeof roles / sizeof roles[0])

TV_VECTOR_FIXTURES(vec, "bls.json")

/* `keys derive --seed SEED --json`, which must succeed, as a JSON object. */
static json_t *derive_json(const char *seed)
{
  char args[512], out[OUT_MAX], err[OUT_MAX];
  json_error_t jerr;
  json_t *j;

  snprintf(args, sizeof args, "keys derive --seed %s --json", seed);
  assert_int_equal(tv_run(args, out, sizeof out, err, sizeof err), 0);
  j = json_loads(out, 0, &jerr);
  if (!j)
    fail_msg("keys --json output is not JSON: %s\n%s", jerr.text, out);
  assert_true(json_is_object(j));
  assert_int_equal(json_object_size(j), NROLES);
  return j;
}

/* The keygen vector whose master sk is sk: chia_paths name the master key,
 * keygen gives the seed it comes from. */
static const char *seed_for(const char *sk)
{
  json_t *e;
  size_t i;

  json_array_foreach(tv_array(vec, "keygen"), i, e) {
    if (!strcmp(tv_str(e, "sk"), sk))
      return tv_str(e, "seed");
  }
  fail_msg("no keygen vector for master sk %s", sk);
  return NULL;
}

/* Index 0 of a path list: the first local/wallet key, the first pool
 * wallet's singleton owner and authentication keys, which is what the
 * command prints. */
static json_t *first_key(json_t *list)
{
  json_t *e;
  size_t i;

  json_array_foreach(list, i, e) {
    json_t *idx = json_object_get(e, "index");
    json_t *pw = json_object_get(e, "pool_wallet_index");
    if ((!idx || json_integer_value(idx) == 0) && (!pw || json_integer_value(pw) == 0))
      return e;
  }
  fail_msg("vector list has no index 0 entry");
  return NULL;
}

static void assert_role(json_t *got, const char *role, const char *path,
                        const char *sk, const char *pk)
{
  json_t *r = tv_get(got, role);
  assert_true(json_is_object(r));
  assert_string_equal(tv_str(r, "path"), path);
  assert_string_equal(tv_str(r, "sk"), sk);
  assert_string_equal(tv_str(r, "pk"), pk);
}

static void assert_vector_role(json_t *got, const char *role, json_t *want)
{
  assert_role(got, role, tv_str(want, "path"), tv_str(want, "sk"), tv_str(want, "pk"));
}

/* Every keygen seed: the master key (path "m") is key_gen(seed). */
static void test_keygen(void **state)
{
  json_t *e;
  size_t i;
  (void)state;

  json_array_foreach(tv_array(vec, "keygen"), i, e) {
    json_t *got = derive_json(tv_str(e, "seed"));
    assert_role(got, "master", "m", tv_str(e, "sk"), tv_str(e, "pk"));
    json_decref(got);
  }
}

/* Every chia_paths master: each role's key at index 0, path and all. */
static void test_chia_paths(void **state)
{
  json_t *e;
  size_t i;
  (void)state;

  json_array_foreach(tv_array(vec, "chia_paths"), i, e) {
    json_t *got = derive_json(seed_for(tv_str(e, "master_sk")));
    assert_role(got, "master", "m", tv_str(e, "master_sk"), tv_str(e, "master_pk"));
    assert_vector_role(got, "farmer", tv_get(e, "farmer"));
    assert_vector_role(got, "pool", tv_get(e, "pool"));
    assert_vector_role(got, "local", first_key(tv_get(e, "local")));
    assert_vector_role(got, "wallet", first_key(tv_get(e, "wallet")));
    assert_vector_role(got, "singleton_owner", first_key(tv_get(e, "singleton_owner")));
    assert_vector_role(got, "pooling_authentication",
                       first_key(tv_get(e, "pooling_authentication")));
    json_decref(got);
  }
}

/* The text form says the same as the JSON form, one row per key in role
 * order; the seed may carry 0x and upper-case digits. */
static void test_text_form(void **state)
{
  json_t *e = json_array_get(tv_array(vec, "chia_paths"), 0);
  const char *seed = seed_for(tv_str(e, "master_sk"));
  char args[512], out[OUT_MAX], err[OUT_MAX], want[OUT_MAX], upper[256];
  json_t *got = derive_json(seed);
  size_t n = 0;
  (void)state;

  for (size_t i = 0; i < NROLES; i++) {
    json_t *r = tv_get(got, roles[i]);
    int w = snprintf(want + n, sizeof want - n, "%-23s %-17s sk=%s pk=%s\n", roles[i],
                     tv_str(r, "path"), tv_str(r, "sk"), tv_str(r, "pk"));
    assert_true(w > 0 && (size_t)w < sizeof want - n);
    n += (size_t)w;
  }
  snprintf(args, sizeof args, "keys derive --seed %s", seed);
  assert_int_equal(tv_run(args, out, sizeof out, err, sizeof err), 0);
  assert_string_equal(out, want);

  for (n = 0; seed[n] && n + 1 < sizeof upper; n++)
    upper[n] = (char)(seed[n] >= 'a' && seed[n] <= 'f' ? seed[n] - 'a' + 'A' : seed[n]);
  upper[n] = 0;
  snprintf(args, sizeof args, "keys derive --seed=0x%s", upper);
  assert_int_equal(tv_run(args, out, sizeof out, err, sizeof err), 0);
  assert_string_equal(out, want);
  json_decref(got);
}

/* Exit 1, nothing on stdout, exactly one stderr line containing why. */
static void expect_bad(const char *args, const char *why)
{
  char out[OUT_MAX];

  /* stderr merged into out: the whole of it must be that one line */
  assert_int_equal(tv_run(args, out, sizeof out, out, sizeof out), 1);
  if (strncmp(out, "chiapool keys: ", 15) || !strstr(out, why) ||
      strchr(out, '\n') != out + strlen(out) - 1)
    fail_msg("%s: want one line about '%s', got:\n%s", args, why, out);
}

static void test_bad_seeds(void **state)
{
  /* 31 bytes of a real seed */
  const char *s31 = "15616df367000a18c85370e461c56fa1d39d93d4705c0a42f79e35ef03d25a";
  char args[4096];
  size_t n;
  (void)state;

  expect_bad("keys derive --seed zz616df367000a18c85370e461c56fa1d39d93d4705c0a42f79e35ef03d25a51",
             "not a hex string");
  expect_bad("keys derive --seed 15616df367000a18c85370e461c56fa1d39d93d4705c0a42f79e35ef03d25a5",
             "not a hex string");  /* odd digit count */
  expect_bad("keys derive --seed 0x", "at least 32 bytes (got 0)");
  expect_bad("keys derive --seed=", "at least 32 bytes (got 0)");
  snprintf(args, sizeof args, "keys derive --seed %s --json", s31);
  expect_bad(args, "at least 32 bytes (got 31)");
  /* far longer than any seed Chia makes */
  n = (size_t)snprintf(args, sizeof args, "keys derive --seed ");
  while (n < 19 + 2 * 1025)
    args[n++] = 'a';
  args[n] = 0;
  expect_bad(args, "longer than 1024 bytes");
  /* a missing seed is bad input too, as for the other commands */
  expect_bad("keys derive", "missing --seed");
  expect_bad("keys derive --json", "missing --seed");
}

static void test_usage(void **state)
{
  const char *seed = "15616df367000a18c85370e461c56fa1d39d93d4705c0a42f79e35ef03d25a51";
  char args[512], out[OUT_MAX], err[OUT_MAX];
  (void)state;

  assert_int_equal(tv_run("keys", out, sizeof out, err, sizeof err), 2);
  assert_string_equal(out, "");
  assert_non_null(strstr(err, "usage: chiapool keys derive"));
  assert_int_equal(tv_run("keys frobnicate", out, sizeof out, err, sizeof err), 2);
  assert_string_equal(out, "");
  snprintf(args, sizeof args, "keys derive extra --seed %s", seed);
  assert_int_equal(tv_run(args, out, sizeof out, err, sizeof err), 2);
  assert_string_equal(out, "");
  /* a mistyped option is not ignored */
  snprintf(args, sizeof args, "keys derive --seed %s --jsno", seed);
  assert_int_equal(tv_run(args, out, sizeof out, err, sizeof err), 2);
  assert_string_equal(out, "");
  assert_non_null(strstr(err, "usage: chiapool keys derive"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_keygen),
    cmocka_unit_test(test_chia_paths),
    cmocka_unit_test(test_text_form),
    cmocka_unit_test(test_bad_seeds),
    cmocka_unit_test(test_usage),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
