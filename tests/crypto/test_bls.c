#include "testbls.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/bls_batch.h"
#include "util/hex.h"

TV_VECTOR_FIXTURES(vec, "bls.json")

/* Every g1_decode case: accept exactly what Chia (oracle W) accepts, and a
 * point that decodes re-encodes to the same bytes. */
static void test_g1_decode(void **state)
{
  json_t *g = tv_array(vec, "g1_decode"), *e;
  size_t i, ok = 0, bad = 0;
  (void)state;
  json_array_foreach(g, i, e) {
    uint8_t in[128], out[BLS_PK_SIZE];
    size_t n;
    struct bls_pk pk;
    int valid = json_is_true(tv_get(e, "valid"));
    cp_err rc;
    n = tv_unhex(tv_str(e, "hex"), in, sizeof in);
    rc = bls_pk_decode(&pk, in, n);
    if (rc != (valid ? CP_OK : CP_BAD_KEY))
      fail_msg("%s: got %s", tv_str(e, "label"), cp_errname(rc));
    if (valid) {
      blst_p1_affine_compress(out, &pk.point);
      assert_memory_equal(out, in, BLS_PK_SIZE);
      assert_memory_equal(pk.bytes, in, BLS_PK_SIZE);
      assert_int_equal(bls_pk_is_infinity(&pk),
                       !strcmp(tv_str(e, "label"), "g1_infinity_canonical"));
      ok++;
    } else {
      bad++;
    }
  }
  assert_int_equal(ok, 5);
  assert_int_equal(bad, 15);
}

static void test_g2_decode(void **state)
{
  json_t *g = tv_array(vec, "g2_decode"), *e;
  size_t i, ok = 0, bad = 0;
  (void)state;
  json_array_foreach(g, i, e) {
    uint8_t in[256], out[BLS_SIG_SIZE];
    size_t n;
    struct bls_sig sig;
    int valid = json_is_true(tv_get(e, "valid"));
    cp_err rc;
    n = tv_unhex(tv_str(e, "hex"), in, sizeof in);
    rc = bls_sig_decode(&sig, in, n);
    if (rc != (valid ? CP_OK : CP_BAD_SIGNATURE))
      fail_msg("%s: got %s", tv_str(e, "label"), cp_errname(rc));
    if (valid) {
      blst_p2_affine_compress(out, &sig.point);
      assert_memory_equal(out, in, BLS_SIG_SIZE);
      assert_int_equal(bls_sig_is_infinity(&sig),
                       !strcmp(tv_str(e, "label"), "g2_infinity_canonical"));
      ok++;
    } else {
      bad++;
    }
  }
  assert_int_equal(ok, 5);
  assert_int_equal(bad, 16);
}

/* Secret keys: r - 1 is the largest valid scalar, r and above are refused,
 * zero is allowed (chia_rs), lengths other than 32 are refused. */
static void test_sk_decode(void **state)
{
  static const char *r_hex =
    "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
  uint8_t b[33], out[32];
  struct bls_sk sk;
  struct bls_pk pk;
  (void)state;
  assert_int_equal(hex_decode_exact(b, 32, r_hex, 64), CP_OK);
  assert_int_equal(bls_sk_decode(&sk, b, 32), CP_BAD_KEY);
  b[31] = 0x02;
  assert_int_equal(bls_sk_decode(&sk, b, 32), CP_BAD_KEY);
  memset(b, 0xff, 32);
  assert_int_equal(bls_sk_decode(&sk, b, 32), CP_BAD_KEY);
  assert_int_equal(hex_decode_exact(b, 32, r_hex, 64), CP_OK);
  b[31] = 0x00; /* r - 1 */
  assert_int_equal(bls_sk_decode(&sk, b, 32), CP_OK);
  bls_sk_encode(&sk, out);
  assert_memory_equal(out, b, 32);
  memset(b, 0, sizeof b);
  assert_int_equal(bls_sk_decode(&sk, b, 32), CP_OK);
  bls_sk_to_pk(&sk, &pk);
  assert_true(bls_pk_is_infinity(&pk));
  assert_int_equal(bls_sk_decode(&sk, b, 31), CP_BAD_KEY);
  assert_int_equal(bls_sk_decode(&sk, b, 33), CP_BAD_KEY);
  assert_int_equal(bls_pk_decode(&pk, b, 0), CP_BAD_KEY);
}

static void test_sign(void **state)
{
  json_t *g = tv_array(vec, "sign"), *e;
  size_t i;
  (void)state;
  json_array_foreach(g, i, e) {
    struct bls_sk sk;
    struct bls_pk pk, want_pk;
    struct bls_sig sig;
    size_t n;
    uint8_t *msg = tv_hex(e, "msg", &n);
    tv_bls_sk(&sk, tv_str(e, "sk"));
    tv_bls_pk(&want_pk, tv_str(e, "pk"));
    bls_sk_to_pk(&sk, &pk);
    assert_true(bls_pk_equal(&pk, &want_pk));
    bls_sign(&sig, &sk, msg, n);
    tv_assert_hex(sig.bytes, BLS_SIG_SIZE, tv_str(e, "sig"));
    assert_int_equal(bls_verify(&pk, msg, n, &sig), CP_OK);
    /* the same bytes with a NULL pointer for the empty message */
    if (n == 0) {
      struct bls_sig s2;
      bls_sign(&s2, &sk, NULL, 0);
      assert_true(bls_sig_equal(&s2, &sig));
    }
    free(msg);
  }
}

static void test_verify(void **state)
{
  json_t *g = tv_array(vec, "verify"), *e;
  size_t i, yes = 0, no = 0;
  (void)state;
  json_array_foreach(g, i, e) {
    struct bls_pk pk;
    struct bls_sig sig;
    size_t n;
    uint8_t *msg = tv_hex(e, "msg", &n);
    int want = json_is_true(tv_get(e, "expected"));
    cp_err rc;
    tv_bls_pk(&pk, tv_str(e, "pk"));
    tv_bls_sig(&sig, tv_str(e, "sig"));
    rc = bls_verify(&pk, msg, n, &sig);
    if (rc != (want ? CP_OK : CP_VERIFY_FAILED))
      fail_msg("%s: got %s", tv_str(e, "label"), cp_errname(rc));
    want ? yes++ : no++;
    free(msg);
  }
  assert_int_equal(yes, 2);
  assert_int_equal(no, 8);
}

static void test_aggregate(void **state)
{
  json_t *g = tv_array(vec, "aggregate"), *e, *s;
  size_t i, j;
  struct bls_sig none;
  (void)state;
  json_array_foreach(g, i, e) {
    struct bls_sig sigs[8], agg;
    json_t *arr = tv_get(e, "sigs");
    assert_true(json_array_size(arr) <= 8);
    json_array_foreach(arr, j, s)
      tv_bls_sig(&sigs[j], json_string_value(s));
    bls_aggregate(&agg, sigs, json_array_size(arr));
    tv_assert_hex(agg.bytes, BLS_SIG_SIZE, tv_str(e, "agg"));
  }
  bls_aggregate(&none, NULL, 0);
  assert_true(bls_sig_is_infinity(&none));
  assert_int_equal(none.bytes[0], 0xc0);
}

/* Load an aggregate_verify-shaped case (pks, msgs, sig) into pairs. */
struct av_case {
  struct bls_pk pks[4];
  uint8_t *msgs[4];
  struct bls_pair pairs[4];
  size_t n;
  struct bls_sig sig;
};

static void av_load(struct av_case *c, json_t *e)
{
  json_t *pks = tv_get(e, "pks"), *msgs = tv_get(e, "msgs"), *v;
  size_t j;
  c->n = json_array_size(pks);
  assert_int_equal(c->n, json_array_size(msgs));
  assert_true(c->n >= 1 && c->n <= 4);
  json_array_foreach(pks, j, v)
    tv_bls_pk(&c->pks[j], json_string_value(v));
  json_array_foreach(msgs, j, v) {
    const char *h = json_string_value(v);
    size_t n;
    c->msgs[j] = malloc(strlen(h) / 2 + 1);
    n = tv_unhex(h, c->msgs[j], strlen(h) / 2 + 1);
    c->pairs[j].pk = &c->pks[j];
    c->pairs[j].msg = c->msgs[j];
    c->pairs[j].len = n;
  }
  tv_bls_sig(&c->sig, tv_str(e, "sig"));
}

static void av_free(struct av_case *c)
{
  for (size_t j = 0; j < c->n; j++)
    free(c->msgs[j]);
}

static void test_aggregate_verify(void **state)
{
  json_t *g = tv_array(vec, "aggregate_verify"), *e;
  size_t i, yes = 0, no = 0;
  (void)state;
  json_array_foreach(g, i, e) {
    struct av_case c;
    int want = json_is_true(tv_get(e, "expected"));
    cp_err rc;
    av_load(&c, e);
    rc = bls_aggregate_verify(c.pairs, c.n, &c.sig);
    if (rc != (want ? CP_OK : CP_VERIFY_FAILED))
      fail_msg("%s: got %s", tv_str(e, "label"), cp_errname(rc));
    want ? yes++ : no++;
    av_free(&c);
  }
  assert_int_equal(yes, 8);
  assert_int_equal(no, 8);
}

/* Chia's rule for zero pairs: only the identity signature verifies. */
static void test_aggregate_verify_empty(void **state)
{
  struct bls_sig inf, real;
  json_t *e = json_array_get(tv_array(vec, "sign"), 0);
  (void)state;
  bls_aggregate(&inf, NULL, 0);
  tv_bls_sig(&real, tv_str(e, "sig"));
  assert_int_equal(bls_aggregate_verify(NULL, 0, &inf), CP_OK);
  assert_int_equal(bls_aggregate_verify(NULL, 0, &real), CP_VERIFY_FAILED);
}

/* What the pool checks for a partial, and how the farmer side builds it:
 * three plot-key shares each prefixed with the plot key, plus the
 * authentication-key signature. */
static void test_pool_partial(void **state)
{
  json_t *g = tv_array(vec, "pool_partial"), *e;
  size_t i, yes = 0, no = 0;
  (void)state;
  json_array_foreach(g, i, e) {
    struct av_case c;
    struct bls_sk lsk, fsk, tsk, ask;
    struct bls_pk plot_pk;
    struct bls_sig shares[3], plot_sig, auth_sig, two[2], agg;
    uint8_t msg[32];
    int want = json_is_true(tv_get(e, "expected"));
    cp_err rc;

    av_load(&c, tv_get(e, "verify"));
    rc = bls_aggregate_verify(c.pairs, c.n, &c.sig);
    if (rc != (want ? CP_OK : CP_VERIFY_FAILED))
      fail_msg("%s: got %s", tv_str(e, "label"), cp_errname(rc));
    want ? yes++ : no++;
    av_free(&c);

    /* the signing side: shares, their sum, the auth signature */
    tv_bls_sk(&lsk, tv_str(e, "local_sk"));
    tv_bls_sk(&fsk, tv_str(e, "farmer_sk"));
    tv_bls_sk(&tsk, tv_str(e, "taproot_sk"));
    tv_bls_sk(&ask, tv_str(e, "auth_sk"));
    tv_bls_pk(&plot_pk, tv_str(e, "plot_pk"));
    tv_hex_exact(e, "message", msg, sizeof msg);
    bls_sign_prepend(&shares[0], &lsk, msg, sizeof msg, &plot_pk);
    bls_sign_prepend(&shares[1], &fsk, msg, sizeof msg, &plot_pk);
    bls_sign_prepend(&shares[2], &tsk, msg, sizeof msg, &plot_pk);
    tv_assert_hex(shares[0].bytes, BLS_SIG_SIZE, tv_str(e, "sig_local_prepend"));
    tv_assert_hex(shares[1].bytes, BLS_SIG_SIZE, tv_str(e, "sig_farmer_prepend"));
    tv_assert_hex(shares[2].bytes, BLS_SIG_SIZE, tv_str(e, "sig_taproot_prepend"));
    bls_aggregate(&plot_sig, shares, 3);
    tv_assert_hex(plot_sig.bytes, BLS_SIG_SIZE, tv_str(e, "plot_sig"));
    bls_sign(&auth_sig, &ask, msg, sizeof msg);
    tv_assert_hex(auth_sig.bytes, BLS_SIG_SIZE, tv_str(e, "auth_sig"));
    two[0] = plot_sig;
    two[1] = auth_sig;
    bls_aggregate(&agg, two, 2);
    tv_assert_hex(agg.bytes, BLS_SIG_SIZE, tv_str(e, "aggregate_sig"));
  }
  assert_int_equal(yes, 6);
  assert_int_equal(no, 10);
}

/* Build n valid partial-shaped items (2 keys, one 32-byte message). */
struct batch_fixture {
  struct bls_sk sks[2];
  struct bls_pk pks[2];
  uint8_t msgs[8][32];
  struct bls_sig sigs[8];
};

static void fixture_init(struct batch_fixture *f)
{
  json_t *g = tv_array(vec, "keygen");
  for (int k = 0; k < 2; k++) {
    tv_bls_sk(&f->sks[k], tv_str(json_array_get(g, (size_t)k), "sk"));
    bls_sk_to_pk(&f->sks[k], &f->pks[k]);
  }
  for (int i = 0; i < 8; i++) {
    struct bls_sig two[2];
    memset(f->msgs[i], 0x30 + i, 32);
    bls_sign(&two[0], &f->sks[0], f->msgs[i], 32);
    bls_sign(&two[1], &f->sks[1], f->msgs[i], 32);
    bls_aggregate(&f->sigs[i], two, 2);
  }
}

static void add_item(struct bls_batch *b, struct batch_fixture *f, int i,
                     const struct bls_sig *sig)
{
  struct bls_pair p[2] = { { &f->pks[0], f->msgs[i], 32 },
                           { &f->pks[1], f->msgs[i], 32 } };
  assert_int_equal(bls_batch_add(b, p, 2, sig), CP_OK);
}

static void test_batch_all_good(void **state)
{
  struct batch_fixture f;
  struct bls_batch *b = bls_batch_new(8);
  cp_err res[8];
  (void)state;
  fixture_init(&f);
  for (int i = 0; i < 8; i++)
    add_item(b, &f, i, &f.sigs[i]);
  assert_int_equal(bls_batch_count(b), 8);
  assert_int_equal(bls_batch_verify(b, res), CP_OK);
  for (int i = 0; i < 8; i++)
    assert_int_equal(res[i], CP_OK);
  bls_batch_reset(b);
  assert_int_equal(bls_batch_count(b), 0);
  assert_int_equal(bls_batch_verify(b, res), CP_OK);
  bls_batch_free(b);
}

/* One bad signature in the middle: exactly that item is reported. */
static void test_batch_one_bad(void **state)
{
  struct batch_fixture f;
  struct bls_batch *b = bls_batch_new(8);
  cp_err res[8];
  (void)state;
  fixture_init(&f);
  for (int i = 0; i < 8; i++)
    add_item(b, &f, i, i == 4 ? &f.sigs[3] : &f.sigs[i]);
  assert_int_equal(bls_batch_verify(b, res), CP_VERIFY_FAILED);
  for (int i = 0; i < 8; i++)
    assert_int_equal(res[i], i == 4 ? CP_VERIFY_FAILED : CP_OK);
  bls_batch_free(b);
}

/* Two items whose errors cancel in the plain sum (signatures swapped
 * between them) must still fail: this is what the random weights are for. */
static void test_batch_swapped_sigs(void **state)
{
  struct batch_fixture f;
  struct bls_batch *b = bls_batch_new(4);
  cp_err res[4];
  (void)state;
  fixture_init(&f);
  add_item(b, &f, 0, &f.sigs[0]);
  add_item(b, &f, 1, &f.sigs[2]);
  add_item(b, &f, 2, &f.sigs[1]);
  add_item(b, &f, 3, &f.sigs[3]);
  assert_int_equal(bls_batch_verify(b, res), CP_VERIFY_FAILED);
  assert_int_equal(res[0], CP_OK);
  assert_int_equal(res[1], CP_VERIFY_FAILED);
  assert_int_equal(res[2], CP_VERIFY_FAILED);
  assert_int_equal(res[3], CP_OK);
  bls_batch_free(b);
}

/* Hostile items: infinite key with infinite signature, a real key with the
 * infinite signature, zero pairs, size limits, a full batch. */
static void test_batch_hostile(void **state)
{
  struct batch_fixture f;
  struct bls_batch *b = bls_batch_new(5);
  struct bls_pk inf_pk;
  struct bls_sig inf_sig;
  struct bls_pair p[BLS_BATCH_MAX_PAIRS + 1];
  uint8_t zero[BLS_SK_SIZE] = { 0 };
  static uint8_t big[BLS_BATCH_MAX_MSG + 1];
  struct bls_sk zsk;
  cp_err res[5];
  (void)state;
  fixture_init(&f);
  assert_null(bls_batch_new(0));
  assert_null(bls_batch_new(BLS_BATCH_MAX_ITEMS + 1));
  assert_int_equal(bls_sk_decode(&zsk, zero, sizeof zero), CP_OK);
  bls_sk_to_pk(&zsk, &inf_pk);
  bls_aggregate(&inf_sig, NULL, 0);
  for (size_t i = 0; i <= BLS_BATCH_MAX_PAIRS; i++) {
    p[i].pk = &f.pks[0];
    p[i].msg = f.msgs[0];
    p[i].len = 32;
  }
  assert_int_equal(bls_batch_add(b, p, BLS_BATCH_MAX_PAIRS + 1, &f.sigs[0]),
                   CP_TOO_BIG);
  p[0].msg = big;
  p[0].len = sizeof big;
  assert_int_equal(bls_batch_add(b, p, 1, &f.sigs[0]), CP_TOO_BIG);
  assert_int_equal(bls_batch_count(b), 0);

  add_item(b, &f, 0, &f.sigs[0]);
  p[0].pk = &inf_pk;
  p[0].msg = NULL;
  p[0].len = 0;
  assert_int_equal(bls_batch_add(b, p, 1, &inf_sig), CP_OK);
  assert_int_equal(bls_batch_add(b, NULL, 0, &inf_sig), CP_OK);
  add_item(b, &f, 1, &inf_sig);
  add_item(b, &f, 2, &f.sigs[2]);
  assert_int_equal(bls_batch_add(b, NULL, 0, &inf_sig), CP_QUEUE_FULL);
  assert_int_equal(bls_batch_verify(b, res), CP_VERIFY_FAILED);
  assert_int_equal(res[0], CP_OK);
  assert_int_equal(res[1], CP_VERIFY_FAILED);
  assert_int_equal(res[2], CP_OK);
  assert_int_equal(res[3], CP_VERIFY_FAILED);
  assert_int_equal(res[4], CP_OK);

  /* only infinite signatures left in the combined check */
  bls_batch_reset(b);
  add_item(b, &f, 1, &inf_sig);
  assert_int_equal(bls_batch_verify(b, res), CP_VERIFY_FAILED);
  assert_int_equal(res[0], CP_VERIFY_FAILED);
  bls_batch_free(b);
}

/* A larger batch (repeated items, bad ones at both ends and inside). */
static void test_batch_many(void **state)
{
  struct batch_fixture f;
  struct bls_batch *b = bls_batch_new(40);
  cp_err res[40];
  (void)state;
  fixture_init(&f);
  for (int i = 0; i < 40; i++) {
    int bad = i == 0 || i == 17 || i == 39;
    add_item(b, &f, i % 8, &f.sigs[bad ? (i + 1) % 8 : i % 8]);
  }
  assert_int_equal(bls_batch_verify(b, res), CP_VERIFY_FAILED);
  for (int i = 0; i < 40; i++)
    assert_int_equal(res[i], (i == 0 || i == 17 || i == 39) ? CP_VERIFY_FAILED
                                                            : CP_OK);
  bls_batch_reset(b);
  for (int i = 0; i < 40; i++)
    add_item(b, &f, i % 8, &f.sigs[i % 8]);
  assert_int_equal(bls_batch_verify(b, res), CP_OK);
  bls_batch_free(b);
}

/* The pool_partial vectors through the batch path give the same answers. */
static void test_batch_vectors(void **state)
{
  json_t *g = tv_array(vec, "pool_partial"), *e;
  size_t i, n = json_array_size(g);
  struct bls_batch *b = bls_batch_new(n);
  cp_err *res = calloc(n, sizeof *res);
  (void)state;
  json_array_foreach(g, i, e) {
    struct av_case c;
    av_load(&c, tv_get(e, "verify"));
    assert_int_equal(bls_batch_add(b, c.pairs, c.n, &c.sig), CP_OK);
    av_free(&c); /* the batch keeps its own copies */
  }
  assert_int_equal(bls_batch_verify(b, res), CP_VERIFY_FAILED);
  json_array_foreach(g, i, e) {
    int want = json_is_true(tv_get(e, "expected"));
    if (res[i] != (want ? CP_OK : CP_VERIFY_FAILED))
      fail_msg("%s: got %s", tv_str(e, "label"), cp_errname(res[i]));
  }
  free(res);
  bls_batch_free(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_g1_decode),
    cmocka_unit_test(test_g2_decode),
    cmocka_unit_test(test_sk_decode),
    cmocka_unit_test(test_sign),
    cmocka_unit_test(test_verify),
    cmocka_unit_test(test_aggregate),
    cmocka_unit_test(test_aggregate_verify),
    cmocka_unit_test(test_aggregate_verify_empty),
    cmocka_unit_test(test_pool_partial),
    cmocka_unit_test(test_batch_all_good),
    cmocka_unit_test(test_batch_one_bad),
    cmocka_unit_test(test_batch_swapped_sigs),
    cmocka_unit_test(test_batch_hostile),
    cmocka_unit_test(test_batch_many),
    cmocka_unit_test(test_batch_vectors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
