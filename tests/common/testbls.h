/* BLS keys and signatures from vector hex, for the crypto tests.
 * Header-only (static inline) because cp_testutil links only util. */
#ifndef CP_TESTBLS_H
#define CP_TESTBLS_H

#include <string.h>

#include "crypto/bls.h"
#include "testutil.h"
#include "util/hex.h"

/* Each fails the test unless hex is exactly one valid encoding. */
static inline void tv_bls_sk(struct bls_sk *sk, const char *hex)
{
  uint8_t b[BLS_SK_SIZE];
  assert_int_equal(hex_decode_exact(b, sizeof b, hex, strlen(hex)), CP_OK);
  assert_int_equal(bls_sk_decode(sk, b, sizeof b), CP_OK);
}

static inline void tv_bls_pk(struct bls_pk *pk, const char *hex)
{
  uint8_t b[BLS_PK_SIZE];
  assert_int_equal(hex_decode_exact(b, sizeof b, hex, strlen(hex)), CP_OK);
  assert_int_equal(bls_pk_decode(pk, b, sizeof b), CP_OK);
}

static inline void tv_bls_sig(struct bls_sig *sig, const char *hex)
{
  uint8_t b[BLS_SIG_SIZE];
  assert_int_equal(hex_decode_exact(b, sizeof b, hex, strlen(hex)), CP_OK);
  assert_int_equal(bls_sig_decode(sig, b, sizeof b), CP_OK);
}

#endif
