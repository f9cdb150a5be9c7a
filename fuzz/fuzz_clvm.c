/* libFuzzer harness for the clvm layer. The first byte picks the mode
 * (plain or back-reference deserialisation, strict or consensus run); the
 * rest is parsed, and if it parses:
 *  - a plain parse must re-serialise to the consumed bytes up to prefix
 *    canonicalisation (checked through tree hash and length scanner),
 *  - the program runs with a small cost limit against a fixed env, and a
 *    successful result must serialise and its conditions parse cleanly or
 *    fail with a clean error.
 * Anything else aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clvm/clvm.h"
#include "clvm/conditions.h"

#define CHECK(x)                                                              \
  do {                                                                        \
    if (!(x))                                                                 \
      abort();                                                                \
  } while (0)

/* env: (1 (2 3) "abcdef" 0x00ff) as a typical small solution */
static const uint8_t env_bytes[] = { 0xff, 0x01, 0xff, 0xff, 0x02, 0xff, 0x03,
                                     0x80, 0xff, 0x86, 'a', 'b', 'c', 'd', 'e',
                                     'f', 0xff, 0x82, 0x00, 0xff, 0x80 };

static int clean(cp_err rc)
{
  return rc == CP_OK || rc == CP_CLVM_SERIAL || rc == CP_CLVM_RAISE ||
         rc == CP_CLVM_COST || rc == CP_CLVM_BAD_OP || rc == CP_CLVM_EVAL ||
         rc == CP_CLVM_LIMIT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct clvm_alloc *a;
  clvm_node prog, env, res;
  size_t used;
  uint64_t cost;
  uint8_t mode;
  cp_err rc;
  if (size < 1)
    return 0;
  mode = data[0];
  data++;
  size--;
  /* a small heap keeps the fuzzer fast and exercises the limit */
  a = clvm_alloc_new(1 << 20);
  CHECK(clvm_deserialize(a, env_bytes, sizeof env_bytes, 0, &env, NULL) == CP_OK);
  rc = clvm_deserialize(a, data, size, (mode & 1) ? CLVM_DE_BACKREFS | CLVM_DE_PREFIX
                                                  : CLVM_DE_PREFIX,
                        &prog, &used);
  CHECK(rc == CP_OK || rc == CP_CLVM_SERIAL || rc == CP_CLVM_LIMIT);
  if (rc == CP_OK && !(mode & 1)) {
    /* the length scanner agrees with the parser, and bytes hash alike */
    size_t len;
    uint8_t h1[32], h2[32];
    CHECK(clvm_serialized_length(data, size, &len) == CP_OK && len == used);
    clvm_tree_hash(a, prog, h1);
    CHECK(clvm_tree_hash_bytes(data, used, h2) == CP_OK);
    CHECK(!memcmp(h1, h2, 32));
  }
  if (rc == CP_OK) {
    unsigned flags = ((mode & 2) ? CLVM_F_MEMPOOL : 0) | ((mode & 4) ? CLVM_F_KECCAK : 0);
    struct buf out;
    rc = clvm_run(a, prog, env, 200000, flags, &res, &cost);
    CHECK(clean(rc));
    if (rc == CP_OK) {
      struct clvm_conds c;
      cp_err crc;
      CHECK(cost <= 200000);
      /* results may be DAGs with exponential plain size: keep the bound small */
      buf_init(&out, 1 << 16);
      crc = clvm_serialize(a, res, &out);
      CHECK(crc == CP_OK || crc == CP_TOO_BIG);
      if (crc == CP_OK) {
        clvm_node back;
        struct clvm_alloc *b = clvm_alloc_new(0);
        CHECK(clvm_deserialize(b, out.data, out.len, 0, &back, NULL) == CP_OK);
        CHECK(clvm_is_canonical(out.data, out.len));
        clvm_alloc_free(b);
      }
      buf_release(&out);
      clvm_conds_init(&c);
      crc = clvm_conds_parse(a, res, (mode & 2) ? CLVM_COND_STRICT : 0, 0, &c);
      CHECK(crc == CP_OK || crc == CP_CLVM_COND || crc == CP_CLVM_COST);
      clvm_conds_release(&c);
    }
  }
  clvm_alloc_free(a);
  return 0;
}
