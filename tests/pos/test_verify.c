/* pos_verify against chiapos a388902b (tests/vectors/pos_v1.json): every
 * valid proof yields exactly chiapos' quality, every mutation chiapos
 * rejects is rejected, including the real mainnet k32/k33 proofs. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pos/verify.h"
#include "util/err.h"

TV_VECTOR_FIXTURES(vectors, "pos_v1.json")

static unsigned vec_k(json_t *v)
{
  json_t *k = tv_get(v, "k");
  assert_true(json_is_integer(k));
  return (unsigned)json_integer_value(k);
}

static void test_valid_vectors(void **state)
{
  json_t *valid = tv_get(vectors, "valid"), *v;
  size_t i, big = 0;
  (void)state;
  assert_int_equal(json_array_size(valid), 99);
  json_array_foreach(valid, i, v) {
    uint8_t id[32], ch[32], q[32], want[32];
    size_t n;
    unsigned k = vec_k(v);
    uint8_t *proof = tv_hex(v, "proof", &n);
    tv_hex_exact(v, "plot_id", id, 32);
    tv_hex_exact(v, "challenge", ch, 32);
    tv_hex_exact(v, "quality", want, 32);
    assert_int_equal(n, 8 * k);
    assert_int_equal(pos_verify(k, id, ch, proof, n, q), CP_OK);
    assert_memory_equal(q, want, 32);
    if (k >= 32)
      big++;
    free(proof);
  }
  assert_int_equal(big, 3); /* the mainnet k32, k32, k33 proofs ran */
}

/* The decoder agrees with the vectors' x_values, the encoder inverts it, and
 * the quality can be recomputed from the x-values alone (prover side). */
static void test_xs_roundtrip(void **state)
{
  json_t *valid = tv_get(vectors, "valid"), *v;
  size_t i;
  (void)state;
  json_array_foreach(valid, i, v) {
    uint64_t xs[64];
    uint8_t enc[8 * 50], ch[32], q[32], want[32];
    size_t n;
    unsigned k = vec_k(v);
    uint8_t *proof = tv_hex(v, "proof", &n);
    /* the mainnet vectors come without x_values: decode-only for them */
    json_t *xv = json_object_get(v, "x_values");
    tv_hex_exact(v, "challenge", ch, 32);
    tv_hex_exact(v, "quality", want, 32);
    assert_int_equal(pos_proof_xs(k, proof, n, xs), CP_OK);
    if (xv) {
      assert_int_equal(json_array_size(xv), 64);
      for (size_t j = 0; j < 64; j++)
        assert_true(xs[j] ==
                    (uint64_t)json_integer_value(json_array_get(xv, j)));
    } else {
      assert_true(k >= 32);
    }
    assert_int_equal(pos_proof_encode(k, xs, enc, sizeof enc), CP_OK);
    assert_memory_equal(enc, proof, n);
    pos_quality_string(k, ch, xs, q);
    assert_memory_equal(q, want, 32);
    free(proof);
  }
}

static void test_invalid_vectors(void **state)
{
  json_t *inv = tv_get(vectors, "invalid"), *v;
  size_t i;
  (void)state;
  assert_int_equal(json_array_size(inv), 29);
  json_array_foreach(inv, i, v) {
    uint8_t id[32], ch[32], q[32];
    size_t n;
    unsigned k = vec_k(v);
    uint8_t *proof = tv_hex(v, "proof", &n);
    tv_hex_exact(v, "plot_id", id, 32);
    tv_hex_exact(v, "challenge", ch, 32);
    assert_true(json_is_null(tv_get(v, "quality")));
    memset(q, 0xa5, sizeof q);
    if (pos_verify(k, id, ch, proof, n, q) != CP_BAD_PROOF)
      fail_msg("invalid[%zu] (%s) not rejected", i, tv_str(v, "reason"));
    for (size_t j = 0; j < 32; j++)
      assert_int_equal(q[j], 0xa5); /* output untouched on failure */
    free(proof);
  }
}

/* k range and proof length, on the first valid (k=18) vector. */
static void test_k_and_length(void **state)
{
  json_t *v = json_array_get(tv_get(vectors, "valid"), 0);
  uint8_t id[32], ch[32], q[32], big[8 * 51 + 1] = { 0 };
  size_t n;
  uint8_t *proof = tv_hex(v, "proof", &n);
  (void)state;
  tv_hex_exact(v, "plot_id", id, 32);
  tv_hex_exact(v, "challenge", ch, 32);
  assert_int_equal(n, 144);
  assert_int_equal(pos_verify(17, id, ch, big, 8 * 17, q), CP_BAD_K);
  assert_int_equal(pos_verify(51, id, ch, big, 8 * 51, q), CP_BAD_K);
  assert_int_equal(pos_verify(0, id, ch, big, 0, q), CP_BAD_K);
  assert_int_equal(pos_verify(18, id, ch, proof, n - 1, q), CP_BAD_PROOF);
  memcpy(big, proof, n);
  assert_int_equal(pos_verify(18, id, ch, big, n + 1, q), CP_BAD_PROOF);
  assert_int_equal(pos_verify(18, id, ch, NULL, n, q), CP_BAD_PROOF);
  assert_int_equal(pos_verify(18, id, ch, big, 0, q), CP_BAD_PROOF);
  /* a valid-length all-zero proof at the largest k is simply wrong */
  memset(big, 0, sizeof big);
  assert_int_equal(pos_verify(50, id, ch, big, 400, q), CP_BAD_PROOF);
  assert_int_equal(pos_verify(18, id, ch, proof, n, q), CP_OK);
  free(proof);
}

/* Reordering: swapping the two subtrees of any node of the proof tree (63
 * nodes) puts the higher-bucket child on the left, which chiapos rejects. */
static void test_swapped_subtrees(void **state)
{
  json_t *valid = tv_get(vectors, "valid");
  size_t pick[] = { 0, json_array_size(valid) - 1 }; /* a k18 and a k32/33 */
  (void)state;
  for (size_t p = 0; p < 2; p++) {
    json_t *v = json_array_get(valid, pick[p]);
    uint8_t id[32], ch[32], q[32], enc[8 * 50];
    uint64_t xs[64], sw[64];
    size_t n, nodes = 0;
    unsigned k = vec_k(v);
    uint8_t *proof = tv_hex(v, "proof", &n);
    tv_hex_exact(v, "plot_id", id, 32);
    tv_hex_exact(v, "challenge", ch, 32);
    assert_int_equal(pos_proof_xs(k, proof, n, xs), CP_OK);
    for (size_t g = 1; g < 64; g *= 2) {
      for (size_t j = 0; j < 64; j += 2 * g) {
        memcpy(sw, xs, sizeof sw);
        memcpy(sw + j, xs + j + g, g * sizeof xs[0]);
        memcpy(sw + j + g, xs + j, g * sizeof xs[0]);
        assert_int_equal(pos_proof_encode(k, sw, enc, sizeof enc), CP_OK);
        assert_int_equal(pos_verify(k, id, ch, enc, n, q), CP_BAD_PROOF);
        nodes++;
      }
    }
    assert_int_equal(nodes, 63);
    assert_int_equal(pos_proof_encode(k, xs, enc, 8 * k - 1), CP_TOO_BIG);
    xs[5] = (uint64_t)1 << k;
    assert_int_equal(pos_proof_encode(k, xs, enc, sizeof enc), CP_INVAL);
    free(proof);
  }
}

/* Property: flipping any single bit of a valid proof, or of its challenge's
 * first k bits, makes it invalid. 400 proof flips spread over all valid
 * vectors (every k, mainnet ones included). */
static void test_bit_flips(void **state)
{
  json_t *valid = tv_get(vectors, "valid");
  size_t nv = json_array_size(valid);
  uint64_t seed = 0x9e3779b97f4a7c15u;
  (void)state;
  for (int iter = 0; iter < 400; iter++) {
    size_t vi = iter < 3 ? nv - 1 - (size_t)iter : tv_rng_next(&seed) % nv;
    json_t *v = json_array_get(valid, vi);
    uint8_t id[32], ch[32], q[32];
    size_t n;
    unsigned k = vec_k(v);
    uint8_t *proof = tv_hex(v, "proof", &n);
    tv_hex_exact(v, "plot_id", id, 32);
    tv_hex_exact(v, "challenge", ch, 32);
    size_t bit = tv_rng_next(&seed) % (n * 8);
    proof[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
    if (pos_verify(k, id, ch, proof, n, q) != CP_BAD_PROOF)
      fail_msg("valid[%zu] with bit %zu flipped accepted", vi, bit);
    proof[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
    if (iter % 8 == 0) {
      size_t cb = tv_rng_next(&seed) % k;
      ch[cb / 8] ^= (uint8_t)(0x80 >> (cb % 8));
      assert_int_equal(pos_verify(k, id, ch, proof, n, q), CP_BAD_PROOF);
    }
    free(proof);
  }
}

/* The vectors' GetQualitiesForChallenge table agrees with what we compute
 * for each proof index. */
static void test_qualities_table(void **state)
{
  json_t *qs = tv_get(vectors, "qualities"), *valid = tv_get(vectors, "valid");
  json_t *e, *v;
  size_t i, j, checked = 0;
  (void)state;
  json_array_foreach(qs, i, e) {
    json_t *tab = tv_get(e, "qualities");
    const char *key;
    json_t *want;
    json_object_foreach(tab, key, want) {
      int found = 0;
      json_array_foreach(valid, j, v) {
        uint8_t id[32], ch[32], q[32];
        size_t n;
        char idx[16];
        json_t *pi = json_object_get(v, "proof_index");
        if (!pi)
          continue; /* mainnet proofs are not in the qualities table */
        snprintf(idx, sizeof idx, "%lld", (long long)json_integer_value(pi));
        if (strcmp(tv_str(v, "plot_id"), tv_str(e, "plot_id")) ||
            strcmp(tv_str(v, "challenge"), tv_str(e, "challenge")) ||
            strcmp(idx, key))
          continue;
        uint8_t *proof = tv_hex(v, "proof", &n);
        tv_hex_exact(v, "plot_id", id, 32);
        tv_hex_exact(v, "challenge", ch, 32);
        assert_int_equal(pos_verify(vec_k(v), id, ch, proof, n, q), CP_OK);
        tv_assert_hex(q, 32, json_string_value(want));
        free(proof);
        found = 1;
        checked++;
      }
      assert_true(found);
    }
  }
  assert_true(checked > 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_vectors),   cmocka_unit_test(test_xs_roundtrip),
    cmocka_unit_test(test_invalid_vectors), cmocka_unit_test(test_k_and_length),
    cmocka_unit_test(test_bit_flips),       cmocka_unit_test(test_qualities_table),
    cmocka_unit_test(test_swapped_subtrees),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
