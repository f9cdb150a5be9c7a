/* ChaCha core and the 8-round keystream chiapos uses for F1. */
#include "testutil.h"

#include <string.h>

#include "crypto/chacha8.h"
#include "util/hex.h"

/* RFC 7539 (= RFC 8439) section 2.3.2: the ChaCha20 block function with the
 * IETF state (32-bit counter 1, 96-bit nonce 000000090000004a00000000). Same
 * core at 20 rounds proves quarter round, round order and serialisation. */
static void test_core_rfc7539_chacha20(void **state)
{
  uint32_t st[16] = {
    0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
    0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
    0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c,
    0x00000001, 0x09000000, 0x4a000000, 0x00000000,
  };
  uint8_t out[64];
  (void)state;
  chacha_core(out, st, 20);
  tv_assert_hex(out, 64,
                "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
                "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

/* draft-strombergson-chacha-test-vectors-01, 8 rounds, 256-bit keys:
 * TC1 (zero key, zero IV, two blocks so the counter steps), TC2 (key bit 0
 * set: catches key byte order) and TC8 (random key and IV: nonce words). */
static void test_chacha8_strombergson(void **state)
{
  struct chacha8_ctx c;
  uint8_t key[32], iv[8], out[128];
  (void)state;

  memset(key, 0, sizeof key);
  chacha8_init(&c, key, NULL);
  chacha8_blocks(&c, 0, 2, out);
  tv_assert_hex(out, 128,
                "3e00ef2f895f40d67f5bb8e81f09a5a12c840ec3ce9a7f3b181be188ef711a1e"
                "984ce172b9216f419f445367456d5619314a42a3da86b001387bfdb80e0cfe42"
                "d2aefa0deaa5c151bf0adb6c01f2a5adc0fd581259f9a2aadcf20f8fd566a26b"
                "5032ec38bbc5da98ee0c6f568b872a65a08abf251deb21bb4b56e5d8821e68aa");
  /* block 1 alone equals the second half: random access by counter */
  chacha8_blocks(&c, 1, 1, out);
  tv_assert_hex(out, 64,
                "d2aefa0deaa5c151bf0adb6c01f2a5adc0fd581259f9a2aadcf20f8fd566a26b"
                "5032ec38bbc5da98ee0c6f568b872a65a08abf251deb21bb4b56e5d8821e68aa");

  key[0] = 1;
  chacha8_init(&c, key, NULL);
  chacha8_blocks(&c, 0, 2, out);
  tv_assert_hex(out, 128,
                "cf5ee9a0494aa9613e05d5ed725b804b12f4a465ee635acc3a311de8740489ea"
                "289d04f43c7518db56eb4433e498a1238cd8464d3763ddbb9222ee3bd8fae3c8"
                "b4355a7d93dd8867089ee643558b95754efa2bd1a8a1e2d75bcdb32015542638"
                "291941feb49965587c4fdfe219cf0ec132a6cd4dc067392e67982fe53278c0b4");

  tv_unhex_exact("c46ec1b18ce8a878725a37e780dfb7351f68ed2e194c79fbc6aebee1a667975d",
                 key, 32);
  tv_unhex_exact("1ada31d5cf688221", iv, 8);
  chacha8_init(&c, key, iv);
  chacha8_blocks(&c, 0, 2, out);
  tv_assert_hex(out, 128,
                "838751b42d8ddd8a3d77f48825a2ba752cf4047cb308a5978ef274973be374c9"
                "6ad848065871417b08f034e681fe46a93f7d5c61d1306614d4aaf257a7cff08b"
                "16f2fda170cc18a4b58a2667ed962774af792a6e7f3c77992540711a7a136d7e"
                "8a2f8d3f93816709d45a3fa5f8ce72fde15be7b841acba3a2abd557228d9fe4f");
}

/* chiapos usage (docs/pos-v1.md section 9, from chiapos a388902b): key =
 * 0x01 || plot_id[0..30] of the vectors' k18 plot; keystream block 0. */
static void test_chacha8_chiapos_key(void **state)
{
  struct chacha8_ctx c;
  uint8_t id[32], key[32], out[64];
  (void)state;
  tv_unhex_exact("88fe0c0048d87ce3bd0c52d8c1e4f4b45d0eb60fe3d09a84ad1d17bbf60bc979",
                 id, 32);
  key[0] = 1;
  memcpy(key + 1, id, 31);
  chacha8_init(&c, key, NULL);
  chacha8_blocks(&c, 0, 1, out);
  tv_assert_hex(out, 16, "3814cd5a9fa231b7d3a3fdebca4078d6");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_core_rfc7539_chacha20),
    cmocka_unit_test(test_chacha8_strombergson),
    cmocka_unit_test(test_chacha8_chiapos_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
