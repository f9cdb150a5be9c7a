/* libFuzzer: BLS decoding from hostile bytes.
 *
 * The whole input goes to each decoder (length checks), then fixed slices:
 * [0] selects, [1..49) a public key, [49..145) a signature, [145..177) a
 * secret key, the rest a message. Anything that decodes must re-encode to
 * the same bytes, and a decoded key and signature must verify without
 * crashing. A decoded secret key's public key must decode again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bls.h"

#define PK_AT 1
#define SIG_AT (PK_AT + BLS_PK_SIZE)
#define SK_AT (SIG_AT + BLS_SIG_SIZE)
#define MSG_AT (SK_AT + BLS_SK_SIZE)

static void check_pk(const uint8_t *in, size_t n)
{
  struct bls_pk pk;
  uint8_t out[BLS_PK_SIZE];
  if (bls_pk_decode(&pk, in, n))
    return;
  if (n != BLS_PK_SIZE)
    abort();
  blst_p1_affine_compress(out, &pk.point);
  if (memcmp(out, in, n) || memcmp(pk.bytes, in, n))
    abort();
}

static void check_sig(const uint8_t *in, size_t n)
{
  struct bls_sig sig;
  uint8_t out[BLS_SIG_SIZE];
  if (bls_sig_decode(&sig, in, n))
    return;
  if (n != BLS_SIG_SIZE)
    abort();
  blst_p2_affine_compress(out, &sig.point);
  if (memcmp(out, in, n) || memcmp(sig.bytes, in, n))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct bls_pk pk, back;
  struct bls_sig sig;
  struct bls_sk sk;
  int have_pk, have_sig;

  check_pk(data, size);
  check_sig(data, size);
  if (!bls_sk_decode(&sk, data, size) && size != BLS_SK_SIZE)
    abort();
  if (size < MSG_AT)
    return 0;

  check_pk(data + PK_AT, BLS_PK_SIZE);
  check_sig(data + SIG_AT, BLS_SIG_SIZE);
  have_pk = !bls_pk_decode(&pk, data + PK_AT, BLS_PK_SIZE);
  have_sig = !bls_sig_decode(&sig, data + SIG_AT, BLS_SIG_SIZE);
  if (have_pk && have_sig) {
    cp_err rc = bls_verify(&pk, data + MSG_AT, size - MSG_AT, &sig);
    if (rc != CP_OK && rc != CP_VERIFY_FAILED)
      abort();
    /* an infinite key never verifies (Chia) */
    if (rc == CP_OK && bls_pk_is_infinity(&pk))
      abort();
  }
  if (!bls_sk_decode(&sk, data + SK_AT, BLS_SK_SIZE)) {
    uint8_t enc[BLS_SK_SIZE];
    bls_sk_encode(&sk, enc);
    if (memcmp(enc, data + SK_AT, BLS_SK_SIZE))
      abort();
    /* only sometimes: deriving a key costs a scalar multiplication */
    if (data[0] & 1) {
      struct bls_pk derived;
      bls_sk_to_pk(&sk, &derived);
      if (bls_pk_decode(&back, derived.bytes, BLS_PK_SIZE) ||
          !bls_pk_equal(&back, &derived))
        abort();
    }
  }
  return 0;
}
