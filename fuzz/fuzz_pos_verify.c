/* libFuzzer harness for the proof-of-space verifier: input = k selector
 * (1 byte), plot id (32), challenge (32), proof (rest). Any k, length or
 * content must be answered with an error code, never a crash; an accepted
 * proof must round-trip through pos_proof_xs/pos_proof_encode and give the
 * same quality from its x-values alone. Any mismatch aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pos/verify.h"

#define CHECK(x)                                                              \
  do {                                                                        \
    if (!(x))                                                                 \
      abort();                                                                \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t q[32], q2[32], enc[8 * 50];
  uint64_t xs[64];
  if (size < 65)
    return 0;
  /* 16..51: a little outside the valid 18..50 on both sides */
  unsigned k = 16 + data[0] % 36;
  const uint8_t *id = data + 1, *ch = data + 33, *proof = data + 65;
  size_t n = size - 65;

  cp_err rc = pos_verify(k, id, ch, proof, n, q);
  if (k < 18 || k > 50) {
    CHECK(rc == CP_BAD_K);
    return 0;
  }
  if (n != 8 * k) {
    CHECK(rc == CP_BAD_PROOF);
    return 0;
  }
  CHECK(rc == CP_OK || rc == CP_BAD_PROOF);
  CHECK(pos_proof_xs(k, proof, n, xs) == CP_OK);
  CHECK(pos_proof_encode(k, xs, enc, sizeof enc) == CP_OK);
  CHECK(!memcmp(enc, proof, n));
  if (rc == CP_OK) {
    pos_quality_string(k, ch, xs, q2);
    CHECK(!memcmp(q, q2, 32));
  }
  return 0;
}
