/* BLAKE3 against the official BLAKE3-team/BLAKE3 test_vectors/test_vectors.json
 * (hash mode, first 32 bytes of each extended output; input byte i is
 * i % 251). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/blake3.h"

static const struct {
  size_t len;
  const char *hash;
} cases[] = {
  { 0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262" },
  { 1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213" },
  { 1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11" },
  { 1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7" },
  { 1025, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444" },
  { 2048, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a" },
  { 2049, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030" },
  { 3072, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2" },
  { 3073, "7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3" },
  { 4096, "015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969" },
  { 4097, "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995" },
  { 5121, "628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff" },
  { 7169, "a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817" },
  { 8193, "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b" },
  { 16384, "f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4" },
  { 31744, "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47" },
  { 102400, "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085" },
};

static uint8_t *pattern(size_t n)
{
  uint8_t *p = malloc(n ? n : 1);
  assert_non_null(p);
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(i % 251);
  return p;
}

static void test_official_oneshot(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t out[32];
    uint8_t *in = pattern(cases[i].len);
    blake3(out, in, cases[i].len);
    tv_assert_hex(out, 32, cases[i].hash);
    free(in);
  }
}

/* Same vectors fed in awkward pieces (1, 63, 64, 65, 1000 bytes) so block,
 * chunk and tree boundaries fall inside updates. */
static void test_official_incremental(void **state)
{
  static const size_t steps[] = { 1, 63, 64, 65, 1000 };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t *in = pattern(cases[i].len);
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
      struct blake3_hasher h;
      uint8_t out[32];
      blake3_init(&h);
      for (size_t off = 0; off < cases[i].len; off += steps[s]) {
        size_t n = cases[i].len - off < steps[s] ? cases[i].len - off : steps[s];
        blake3_update(&h, in + off, n);
      }
      blake3_final(&h, out);
      tv_assert_hex(out, 32, cases[i].hash);
    }
    free(in);
  }
}

/* The single-compression path agrees with the general one for every
 * length it accepts, and final() leaves the hasher usable. */
static void test_small_matches_general(void **state)
{
  uint8_t *in = pattern(65);
  (void)state;
  for (size_t n = 0; n <= 64; n++) {
    struct blake3_hasher h;
    uint8_t a[32], b[32];
    blake3_small(a, in, n);
    blake3_init(&h);
    blake3_update(&h, in, n);
    blake3_final(&h, b);
    assert_memory_equal(a, b, 32);
    blake3_update(&h, in + n, 1);
    blake3_final(&h, b);
    blake3(a, in, n + 1);
    assert_memory_equal(a, b, 32);
  }
  free(in);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_official_oneshot),
    cmocka_unit_test(test_official_incremental),
    cmocka_unit_test(test_small_matches_general),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
