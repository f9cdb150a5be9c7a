#include "testbls.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"
#include "crypto/keys.h"
#include "util/hex.h"

TV_VECTOR_FIXTURES(vec, "bls.json")

static void assert_sk(const struct bls_sk *sk, const char *hex)
{
  uint8_t b[BLS_SK_SIZE];
  bls_sk_encode(sk, b);
  tv_assert_hex(b, sizeof b, hex);
}

/* sk and its public key against an object's "sk"/"pk" (or given keys). */
static void assert_pair(const struct bls_sk *sk, json_t *e, const char *skk,
                        const char *pkk)
{
  struct bls_pk pk;
  assert_sk(sk, tv_str(e, skk));
  bls_sk_to_pk(sk, &pk);
  tv_assert_hex(pk.bytes, BLS_PK_SIZE, tv_str(e, pkk));
}

static uint32_t idx(json_t *e, const char *key)
{
  json_int_t v = json_integer_value(tv_get(e, key));
  assert_true(v >= 0 && v <= 0xffffffffLL);
  return (uint32_t)v;
}

static void test_keygen(void **state)
{
  json_t *g = tv_array(vec, "keygen"), *e;
  size_t i;
  (void)state;
  json_array_foreach(g, i, e) {
    size_t n;
    uint8_t *seed = tv_hex(e, "seed", &n);
    struct bls_sk sk;
    assert_int_equal(keys_gen(&sk, seed, n), CP_OK);
    assert_pair(&sk, e, "sk", "pk");
    /* one byte short of the minimum is refused */
    assert_int_equal(keys_gen(&sk, seed, 31), CP_INVAL);
    free(seed);
  }
  assert_int_equal(keys_gen(NULL, NULL, 0), CP_INVAL);
}

static void test_derive_hardened(void **state)
{
  json_t *g = tv_array(vec, "derive_hardened"), *e;
  size_t i;
  (void)state;
  json_array_foreach(g, i, e) {
    struct bls_sk parent, child;
    tv_bls_sk(&parent, tv_str(e, "parent_sk"));
    assert_int_equal(keys_derive_hardened(&child, &parent, idx(e, "index")),
                     CP_OK);
    assert_pair(&child, e, "child_sk", "child_pk");
  }
}

static void test_derive_unhardened(void **state)
{
  json_t *g = tv_array(vec, "derive_unhardened"), *e;
  size_t i;
  (void)state;
  json_array_foreach(g, i, e) {
    struct bls_sk parent, child;
    struct bls_pk ppk, cpk;
    tv_bls_sk(&parent, tv_str(e, "parent_sk"));
    tv_bls_pk(&ppk, tv_str(e, "parent_pk"));
    keys_derive_unhardened_sk(&child, &parent, idx(e, "index"));
    assert_pair(&child, e, "child_sk", "child_pk");
    /* the public side alone reaches the same child key */
    keys_derive_unhardened_pk(&cpk, &ppk, idx(e, "index"));
    tv_assert_hex(cpk.bytes, BLS_PK_SIZE, tv_str(e, "child_pk"));
  }
}

static void check_role(const struct bls_sk *m, json_t *e, enum keys_role role,
                       uint32_t pwi, uint32_t index)
{
  struct bls_sk sk;
  uint32_t path[KEYS_PATH_MAX];
  size_t n;
  char s[64];
  assert_int_equal(keys_role_sk(&sk, m, role, pwi, index), CP_OK);
  assert_pair(&sk, e, "sk", "pk");
  assert_int_equal(keys_role_path(role, pwi, index, path, &n), CP_OK);
  assert_int_equal(keys_path_str(s, sizeof s, path, n), CP_OK);
  assert_string_equal(s, tv_str(e, "path"));
}

static void test_chia_paths(void **state)
{
  json_t *g = tv_array(vec, "chia_paths"), *e, *x;
  size_t i, j;
  (void)state;
  json_array_foreach(g, i, e) {
    struct bls_sk m;
    struct bls_pk mpk;
    tv_bls_sk(&m, tv_str(e, "master_sk"));
    bls_sk_to_pk(&m, &mpk);
    tv_assert_hex(mpk.bytes, BLS_PK_SIZE, tv_str(e, "master_pk"));
    check_role(&m, tv_get(e, "farmer"), KEYS_FARMER, 0, 0);
    check_role(&m, tv_get(e, "pool"), KEYS_POOL, 0, 0);
    json_array_foreach(tv_get(e, "local"), j, x)
      check_role(&m, x, KEYS_LOCAL, 0, idx(x, "index"));
    json_array_foreach(tv_get(e, "wallet"), j, x)
      check_role(&m, x, KEYS_WALLET, 0, idx(x, "index"));
    json_array_foreach(tv_get(e, "singleton_owner"), j, x)
      check_role(&m, x, KEYS_SINGLETON_OWNER, 0, idx(x, "pool_wallet_index"));
    json_array_foreach(tv_get(e, "pooling_authentication"), j, x)
      check_role(&m, x, KEYS_POOL_AUTH, idx(x, "pool_wallet_index"),
                 idx(x, "index"));
    /* wallet keys derived entirely unhardened, from either side */
    json_array_foreach(tv_get(e, "wallet_unhardened"), j, x) {
      uint32_t path[4] = { KEYS_PURPOSE, KEYS_COIN_TYPE, 2, idx(x, "index") };
      struct bls_sk sk;
      struct bls_pk pk, mid;
      keys_derive_path_unhardened_sk(&sk, &m, path, 4);
      assert_pair(&sk, x, "sk", "pk");
      keys_derive_path_unhardened_pk(&mid, &mpk, path, 3);
      tv_assert_hex(mid.bytes, BLS_PK_SIZE, tv_str(x, "intermediate_pk"));
      keys_derive_path_unhardened_pk(&pk, &mpk, path, 4);
      tv_assert_hex(pk.bytes, BLS_PK_SIZE, tv_str(x, "pk"));
    }
  }
}

static void test_role_limits(void **state)
{
  uint32_t path[KEYS_PATH_MAX];
  size_t n;
  char s[64];
  struct bls_sk m, sk;
  (void)state;
  tv_bls_sk(&m, tv_str(json_array_get(tv_array(vec, "keygen"), 0), "sk"));
  assert_int_equal(keys_role_path(KEYS_POOL_AUTH, 9999, 9999, path, &n), CP_OK);
  assert_int_equal(path[3], 99999999u);
  assert_int_equal(keys_role_path(KEYS_POOL_AUTH, 10000, 0, path, &n), CP_INVAL);
  assert_int_equal(keys_role_path(KEYS_POOL_AUTH, 0, 10000, path, &n), CP_INVAL);
  assert_int_equal(keys_role_sk(&sk, &m, KEYS_POOL_AUTH, 0, 10000), CP_INVAL);
  assert_int_equal(keys_role_path((enum keys_role)7, 0, 0, path, &n), CP_INVAL);
  assert_int_equal(keys_role_path(KEYS_BACKUP, 0, 5, path, &n), CP_OK);
  assert_int_equal(keys_path_str(s, sizeof s, path, n), CP_OK);
  assert_string_equal(s, "m/12381/8444/4/0");
  assert_int_equal(keys_role_path(KEYS_WALLET, 0, 0xffffffffu, path, &n), CP_OK);
  assert_int_equal(keys_path_str(s, sizeof s, path, n), CP_OK);
  assert_string_equal(s, "m/12381/8444/2/4294967295");
  /* the text form must fit, NUL included */
  assert_int_equal(keys_path_str(s, 25, path, n), CP_TOO_BIG);
  assert_int_equal(keys_path_str(s, 26, path, n), CP_OK);
  assert_int_equal(keys_path_str(s, 1, path, 0), CP_TOO_BIG);
}

static void test_plot_keys(void **state)
{
  json_t *g = tv_array(vec, "plot_keys"), *e;
  size_t i, tap = 0, plain = 0;
  (void)state;
  json_array_foreach(g, i, e) {
    struct bls_sk lsk, fsk, psk;
    struct bls_pk lpk, fpk, ppk, from_sk;
    int t = json_is_true(tv_get(e, "include_taproot"));
    tv_bls_sk(&lsk, tv_str(e, "local_sk"));
    tv_bls_sk(&fsk, tv_str(e, "farmer_sk"));
    tv_bls_pk(&lpk, tv_str(e, "local_pk"));
    tv_bls_pk(&fpk, tv_str(e, "farmer_pk"));
    keys_plot_pk(&ppk, &lpk, &fpk, t);
    tv_assert_hex(ppk.bytes, BLS_PK_SIZE, tv_str(e, "plot_pk"));
    keys_plot_sk(&psk, &lsk, &fsk, t);
    assert_sk(&psk, tv_str(e, "plot_sk_sum"));
    bls_sk_to_pk(&psk, &from_sk);
    assert_true(bls_pk_equal(&from_sk, &ppk));
    if (t) {
      struct bls_sk tsk;
      keys_taproot_sk(&tsk, &lpk, &fpk);
      assert_pair(&tsk, e, "taproot_sk", "taproot_pk");
      tap++;
    } else {
      plain++;
    }
  }
  assert_true(tap > 0);
  assert_true(plain > 0);
}

/* Signing with the plot secret equals the aggregate of the three shares. */
static void test_plot_sk_signs(void **state)
{
  json_t *e = json_array_get(tv_array(vec, "pool_partial"), 0);
  struct bls_sk lsk, fsk, psk;
  struct bls_pk ppk;
  struct bls_sig sig;
  uint8_t msg[32];
  (void)state;
  tv_bls_sk(&lsk, tv_str(e, "local_sk"));
  tv_bls_sk(&fsk, tv_str(e, "farmer_sk"));
  tv_hex_exact(e, "message", msg, sizeof msg);
  keys_plot_sk(&psk, &lsk, &fsk, 1);
  bls_sk_to_pk(&psk, &ppk);
  tv_assert_hex(ppk.bytes, BLS_PK_SIZE, tv_str(e, "plot_pk"));
  bls_sign(&sig, &psk, msg, sizeof msg);
  tv_assert_hex(sig.bytes, BLS_SIG_SIZE, tv_str(e, "plot_sig"));
  assert_int_equal(bls_verify(&ppk, msg, sizeof msg, &sig), CP_OK);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_keygen),
    cmocka_unit_test(test_derive_hardened),
    cmocka_unit_test(test_derive_unhardened),
    cmocka_unit_test(test_chia_paths),
    cmocka_unit_test(test_role_limits),
    cmocka_unit_test(test_plot_keys),
    cmocka_unit_test(test_plot_sk_signs),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
