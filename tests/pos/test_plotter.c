#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "pos/plotter.h"
#include "pos/verify.h"
#include "util/clock.h"
#include "util/hex.h"

#define MAXP 16

static json_t *vectors;
/* built once per run, on first use: plots[k - 18] */
static struct pos_plot *plots[2];
static uint8_t plot_ids[2][32];

static int setup(void **state)
{
  (void)state;
  vectors = tv_load("pos_v1.json");
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  for (size_t i = 0; i < 2; i++)
    pos_plot_free(plots[i]);
  json_decref(vectors);
  return 0;
}

/* The plot id the vectors use for size k (from the qualities section). */
static const char *plot_id_for(unsigned k)
{
  json_t *q = tv_get(vectors, "qualities"), *e;
  size_t i;
  json_array_foreach(q, i, e)
    if (json_integer_value(tv_get(e, "k")) == (json_int_t)k)
      return tv_str(e, "plot_id");
  fail_msg("no k%u plot in the vectors", k);
  return NULL;
}

static struct pos_plot *build(unsigned k, uint8_t id[32])
{
  struct pos_plot *p;
  uint64_t t0 = clock_mono_ms();
  const char *hex = plot_id_for(k);

  if (plots[k - 18]) {
    memcpy(id, plot_ids[k - 18], 32);
    return plots[k - 18];
  }
  assert_int_equal(hex_decode_exact(id, 32, hex, strlen(hex)), CP_OK);
  assert_int_equal(pos_plot_new(k, id, &p), CP_OK);
  print_message("k%u plot built in %llu ms; entries t1..t7:", k,
                (unsigned long long)(clock_mono_ms() - t0));
  for (unsigned t = 1; t <= 7; t++) {
    uint64_t n = pos_plot_entries(p, t);
    /* every table holds about 2^k entries */
    assert_true(n > ((uint64_t)1 << k) * 8 / 10 && n < ((uint64_t)1 << k) * 12 / 10);
    print_message(" %llu", (unsigned long long)n);
  }
  print_message("\n");
  assert_int_equal(pos_plot_k(p), k);
  assert_memory_equal(pos_plot_id(p), id, 32);
  memcpy(plot_ids[k - 18], id, 32);
  plots[k - 18] = p;
  return p;
}

/* Every proof the plot has for the challenge verifies, with the quality the
 * plotter reports. Returns the number of proofs. */
static size_t check_challenge(const struct pos_plot *p, const uint8_t id[32],
                              const uint8_t challenge[32],
                              uint8_t (*quals)[32], uint8_t *proofs)
{
  unsigned k = pos_plot_k(p);
  size_t n, n2;
  uint8_t q2[MAXP][32], vq[32];

  assert_int_equal(pos_plot_full_proofs(p, challenge, proofs, quals, MAXP, &n),
                   CP_OK);
  assert_int_equal(pos_plot_qualities(p, challenge, q2, MAXP, &n2), CP_OK);
  assert_int_equal(n2, n);
  for (size_t i = 0; i < n; i++) {
    const uint8_t *proof = proofs + i * 8 * k;
    uint8_t one[8 * POS_PLOT_K_MAX];

    assert_memory_equal(q2[i], quals[i], 32);
    assert_int_equal(pos_verify(k, id, challenge, proof, 8 * k, vq), CP_OK);
    assert_memory_equal(vq, quals[i], 32);
    assert_int_equal(pos_plot_full_proof(p, challenge, i, one), CP_OK);
    assert_memory_equal(one, proof, 8 * k);
  }
  return n;
}

static void check_vectors(unsigned k)
{
  uint8_t id[32], challenge[32], quals[MAXP][32];
  uint8_t *proofs = malloc(MAXP * 8 * POS_PLOT_K_MAX);
  struct pos_plot *p = build(k, id);
  const char *idhex = plot_id_for(k);
  json_t *e;
  size_t i, n, checked = 0, multi = 0;

  assert_non_null(proofs);
  /* qualities: all of them, in chiapos' index order */
  json_array_foreach(tv_get(vectors, "qualities"), i, e) {
    json_t *qs = tv_get(e, "qualities");
    if (strcmp(tv_str(e, "plot_id"), idhex))
      continue;
    tv_hex_exact(e, "challenge", challenge, 32);
    n = check_challenge(p, id, challenge, quals, proofs);
    assert_int_equal(n, json_object_size(qs));
    for (size_t j = 0; j < n; j++) {
      char key[24];
      snprintf(key, sizeof key, "%zu", j);
      tv_assert_hex(quals[j], 32, tv_str(qs, key));
    }
    multi += n > 1;
    checked++;
  }
  assert_true(checked >= 5);
  assert_true(multi >= 1);
  /* valid: the proof with that index, byte for byte */
  checked = 0;
  json_array_foreach(tv_get(vectors, "valid"), i, e) {
    size_t idx;
    if (strcmp(tv_str(e, "plot_id"), idhex))
      continue;
    idx = (size_t)json_integer_value(tv_get(e, "proof_index"));
    assert_int_equal(json_integer_value(tv_get(e, "k")), k);
    tv_hex_exact(e, "challenge", challenge, 32);
    n = check_challenge(p, id, challenge, quals, proofs);
    assert_true(idx < n);
    tv_assert_hex(proofs + idx * 8 * k, 8 * k, tv_str(e, "proof"));
    tv_assert_hex(quals[idx], 32, tv_str(e, "quality"));
    checked++;
  }
  assert_true(checked >= 30);
  print_message("k%u: %zu valid vectors match\n", k, checked);
  /* beyond the vectors: every proof for many challenges verifies */
  n = 0;
  for (uint32_t c = 0; c < 300; c++) {
    uint8_t seed[4] = { (uint8_t)(c >> 24), (uint8_t)(c >> 16),
                        (uint8_t)(c >> 8), (uint8_t)c };
    sha256(challenge, seed, sizeof seed);
    n += check_challenge(p, id, challenge, quals, proofs);
  }
  /* about one proof per challenge on average */
  assert_true(n > 150 && n < 600);
  print_message("k%u: %zu proofs for 300 random challenges verify\n", k, n);
  free(proofs);
}

static void test_k18_vectors(void **state)
{
  (void)state;
  check_vectors(18);
}

static void test_k19_vectors(void **state)
{
  (void)state;
  check_vectors(19);
}

static void test_bad_k(void **state)
{
  uint8_t id[32] = { 0 };
  struct pos_plot *p = (struct pos_plot *)id;
  (void)state;
  assert_int_equal(pos_plot_new(17, id, &p), CP_BAD_K);
  assert_null(p);
  assert_int_equal(pos_plot_new(POS_PLOT_K_MAX + 1, id, &p), CP_BAD_K);
  assert_null(p);
  pos_plot_free(NULL);
}

/* Limits of the query API, on the k18 plot: a challenge with two or more
 * proofs, one with none. */
static void test_query_limits(void **state)
{
  uint8_t id[32], challenge[32], quals[MAXP][32], proof[8 * 18];
  struct pos_plot *p = build(18, id);
  json_t *e, *multi = NULL, *none = NULL;
  size_t i, n;
  (void)state;

  json_array_foreach(tv_get(vectors, "qualities"), i, e) {
    if (json_integer_value(tv_get(e, "k")) != 18)
      continue;
    if (json_object_size(tv_get(e, "qualities")) >= 2)
      multi = e;
    if (json_object_size(tv_get(e, "qualities")) == 0)
      none = e;
  }
  assert_non_null(multi);
  assert_non_null(none);
  tv_hex_exact(multi, "challenge", challenge, 32);
  assert_int_equal(pos_plot_qualities(p, challenge, quals, 1, &n), CP_TOO_BIG);
  assert_int_equal(n, json_object_size(tv_get(multi, "qualities")));
  tv_assert_hex(quals[0], 32, tv_str(tv_get(multi, "qualities"), "0"));
  assert_int_equal(pos_plot_full_proof(p, challenge, n, proof), CP_NOT_FOUND);
  assert_int_equal(pos_plot_full_proof(p, challenge, n - 1, proof), CP_OK);
  tv_hex_exact(none, "challenge", challenge, 32);
  assert_int_equal(pos_plot_qualities(p, challenge, quals, MAXP, &n), CP_OK);
  assert_int_equal(n, 0);
  assert_int_equal(pos_plot_full_proof(p, challenge, 0, proof), CP_NOT_FOUND);
  assert_true(pos_plot_bytes(p) > 50 * ((size_t)1 << 18));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_k),
    cmocka_unit_test(test_query_limits),
    cmocka_unit_test(test_k18_vectors),
    cmocka_unit_test(test_k19_vectors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
