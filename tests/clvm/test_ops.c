/* Operator conformance: cases transcribed from clvm_rs op-tests
 * (test-core-ops.txt, test-more-ops.txt; `/` lines updated to the floor
 * semantics of the current dialect) plus the worked examples of
 * docs/clvm.md. Each case applies the operator directly to its argument
 * list (no evaluation), so the cost is the operator's own, as upstream. */
#include "testutil.h"

#include <stdio.h>

#include "clvm/clvm.h"
#include "optest.h"
#include "util/parse.h"

struct opname {
  const char *name;
  uint8_t op;
};

static const struct opname ops[] = {
  { "i", 3 }, { "c", 4 }, { "f", 5 }, { "r", 6 }, { "l", 7 }, { "x", 8 },
  { "=", 9 }, { ">s", 10 }, { "sha256", 11 }, { "substr", 12 },
  { "strlen", 13 }, { "concat", 14 }, { "+", 16 }, { "-", 17 }, { "*", 18 },
  { "/", 19 }, { "divmod", 20 }, { ">", 21 }, { "ash", 22 }, { "lsh", 23 },
  { "logand", 24 }, { "logior", 25 }, { "logxor", 26 }, { "lognot", 27 },
  { "point_add", 29 }, { "pubkey_for_exp", 30 }, { "not", 32 }, { "any", 33 },
  { "all", 34 }, { "coinid", 48 }, { "g1_subtract", 49 }, { "g1_multiply", 50 },
  { "g1_negate", 51 }, { "g2_add", 52 }, { "g2_negate", 55 }, { "g1_map", 56 },
  { "modpow", 60 }, { "%", 61 }, { "g2_subtract", 53 }, { "g2_multiply", 54 },
  { "g2_map", 57 }, { "bls_pairing_identity", 58 }, { "bls_verify", 59 },
  { "keccak256", 62 },
};

/* points used by clvm_rs' test-bls-ops.txt */
#define G1 "0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"
#define G1N "0xb7f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"
#define G1X2 "0xa572cbea904d67468808c8eb50a9450c9721db309128012543902d0ac358a62ae28f75bb8f1c7c42c39a8c5529bf0f4e"
#define G1INF "0xc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
#define G2 "0x93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
#define G2N "0xb3e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
#define G2X2 "0xaa4edef9c1ed7f729f520e47730a124fd70662a904ba1074728114d1031e1572c6c886f6b57ec72a6178288c47c335771638533957d540a9d2370f17cc7ed5863bc0b995b8825e0ee1ea1e1e4d00dbae81f14b0bf3611b78c952aacab827a053"
#define G2INF "0xc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
#define PKA "0x8b202593319bce41b090f3309986de59861ab1e2ff32aef871d83f9aac232c7253c01f1f649c6f69879c441286319de4"
#define Q2A "0x942adad4dbeadcfd75aaa11940a5e5e16a8d8e91742029a3944610635ccc0572eceeb1c89d8a0e904c5d30b9497e700312dee7b833535effef24953dbf8f8aa770e2f1a8e01d3b6f6844e01a635ed95664babe9d62a2572651d0258461c8ba00"
#define SIGA "0x80c37921e62092ef55f85f9eccb21bd80cfaafc0bce9cbdd6999b1a8cabadc8f23720f0261efafaf53cbcc74580b9432007b66d824668900a94934f184bc41bf9ccf9ec141c6f7da610aa7296cd0a181ae8fe176b607aa4c367f15ee0cb985d7"
#define SIGBAD "0xa173a7ee88614d012b24c56ea34bf6f3cd163b1ad2681beaad13242e52080729e542f7c5e4e995635affee2fc7bd65100a41bc61ca11dc51e16613a23fc27390d4c9cede94d780f670c43e2e5637d0808fdb6816e871920ddfdd3b18e452f732"
#define MSGA "0x39cb1950dba19a7bee9924b5bd2b29f190ffe4ef"
#define ORDER "0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"
#define K1PK "0x02888b0c110ef0b4962e3fc6929cbba7a8bb25b4b2c885f55c76365018c909b439"
#define K1MSG "0x74c2941eb2ebe5aa4f2287a4c5e506a6290c045004058de97a7edf0122548668"
#define K1SIG "0x1acb7a6e062e78ccd4237b12c22f02b5a8d9b33cb3ba13c35e88e036baa1cbca75253bb9a96ffc48b43196c69c2972d8f965b1baa4e52348d8081cde65e6c018"
#define R1PK "0x0437a1674f3883b7171a11a20140eee014947b433723cf9f181a18fee4fcf96056103b3ff2318f00cca605e6f361d18ff0d2d6b817b1fa587e414f8bb1ab60d2b9"
#define R1MSG "0x9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define R1SIG "0xe8de121f4cceca12d97527cc957cca64a4bcfc685cffdee051b38ee81cb22d7e2c187fec82c731018ed2d56f08a4a5cbc40c5bfe9ae18c02295bb65e7f605ffc"
#define BIGK "0xdeadbeefbaadc0decafebabefeedfaced00ddeadbeefbaadc0decafebabefeedfaced00d"

static const char *const cases[] = {
  /* test-secp-verify.txt */
  "secp256k1_verify " K1PK " " K1MSG " " K1SIG " => 0 | 1300000",
  "secp256k1_verify " K1PK " " K1MSG " 0x1acb7a6e062e78ccd4237b12c22f02b5a8d9b33cb3ba13c35e88e036baa1cbca75253bb9a96ffc48b43196c69c2972d8f965b1baa4e52348d8081cde65e6c019 => FAIL",
  "secp256k1_verify 0x0102888b0c110ef0b4962e3fc6929cbba7a8bb25b4b2c885f55c76365018c909b439 " K1MSG " " K1SIG " => FAIL",
  "secp256k1_verify " K1PK " 0x1074c2941eb2ebe5aa4f2287a4c5e506a6290c045004058de97a7edf0122548668 " K1SIG " => FAIL",
  "secp256k1_verify 0x888b0c110ef0b4962e3fc6929cbba7a8bb25b4b2c885f55c76365018c909b439 " K1MSG " " K1SIG " => FAIL",
  "secp256k1_verify " K1PK " " K1MSG " => FAIL", "secp256k1_verify => FAIL",
  "secp256k1_verify " K1PK " " K1MSG " " K1SIG " 0 => FAIL",
  "secp256k1_verify " K1PK " " K1MSG " ( 0 1 2 ) => FAIL",
  "secp256r1_verify " R1PK " " R1MSG " " R1SIG " => 0 | 1850000",
  "secp256r1_verify " R1PK " " R1MSG " 0xe8de121f4cceca12d97527cc957cca64a4bcfc685cffdee051b38ee81cb22d7e2c187fec82c731018ed2d56f08a4a5cbc40c5bfe9ae18c02295bb65e7f605ffd => FAIL",
  "secp256r1_verify " R1PK " " R1MSG " " R1SIG " 0 => FAIL",
  "secp256r1_verify ( 1 2 3 ) " R1MSG " " R1SIG " => FAIL",
  /* test-bls-ops.txt: coinid, %, modpow, g1/g2 ops, maps, pairing, verify */
  "coinid 0x0000000000000000000000000000000000000000000000000000000000000000 0x0000000000000000000000000000000000000000000000000000000000000000 0 => 0xf5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b | 800",
  "coinid 0x1234500000000000000000000000000000000000000000000000000000000000 0x6789abcdef000000000000000000000000000000000000000000000000000000 123456789 => 0x69bfe81b052bfc6bd7f3fb9167fec61793175b897c16a35827f947d5cc98e4bc | 800",
  "coinid 0x1234500000000000000000000000000000000000000000000000000000000000 0x6789abcdef000000000000000000000000000000000000000000000000000000 0x00ffffffffffffffff => 0x609d2d5e3081fbc1106950950f3ea3dbb4eaec96a57a544ba83b8a762b457168 | 800",
  "coinid 0x1234500000000000000000000000000000000000000000000000000000000000 0x6789abcdef000000000000000000000000000000000000000000000000000000 0x00001234 => FAIL",
  "modpow 2 64 31 => 16 | 17072", "modpow 0 6789 4444 => 0 | 17096",
  "% 1 -3 => -2 | 1006", "% -10 3 => 2 | 1006", "% 3 3 => 0 | 996",
  "% 1 -1000000000000 => -999999999999 | 1076", "% -80001 -73 => -66 | 1014",
  "% 0x000000000000000000000000000000000000000000000000000000000000013881 0x000000000000000000000000000000000000000000000000000049 => 66 | 1238",
  "% 3 0 => FAIL", "% 3 => FAIL", "% 1 2 3 => FAIL",
  "g1_subtract " G1 " " G1X2 " => " G1N " | 2789534",
  "g1_subtract " G1 " => " G1 " | 1445554", "g1_subtract => " G1INF " | 101574",
  "g1_subtract 0 => FAIL", "g1_subtract ( 1 2 3 ) => FAIL",
  "g1_multiply " G1 " 2 => " G1X2 " | 705990",
  "g1_multiply " G1 " 0 => " G1INF " | 705980",
  "g1_multiply " G1 " " ORDER " => " G1INF " | 706300",
  "g1_multiply " G1 " " BIGK " => 0x868376d1a91e5af646e077395c3ad0a9eb1e97b5a3f34376fc4d1997ff83323dc17e0649ce2ab8bbb1acbf35b4cef6df | 706340",
  "g1_multiply " G1 " => FAIL", "g1_multiply " G1 " 2 3 => FAIL", "g1_multiply 0 => FAIL",
  "g1_negate " G1N " => " G1 " | 1396", "g1_negate " G1INF " => " G1INF " | 1396",
  "g1_negate 0xb7f1d3a7319092346345638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb => FAIL",
  "g1_negate " G1N " " G1N " => FAIL", "g1_negate 0 => FAIL",
  "g2_add " G2 " " G2 " => " G2X2 " | 3980960", "g2_add " G2 " => " G2 " | 2030960",
  "g2_add => " G2INF " | 80960", "g2_add 0 => FAIL",
  "g2_subtract " G2X2 " " G2 " => " G2 " | 3980960", "g2_subtract => " G2INF " | 80960",
  "g2_multiply " G2 " 2 => " G2X2 " | 2100965",
  "g2_multiply " G2 " " ORDER " => " G2INF " | 2101120",
  "g2_multiply " G2 " " BIGK " => 0x974f5b7983115901c27f8de193fbe7fb5971207814e9a3ae1abf3bcf48dae92f6b6527988f869ccf45db3737a71cfbdd17b486dd8da0b6dd0f935094edcf02045e2335ac02169db03db1588adce90d69ee58685fa63c7ee2e32631976e59e82f | 2101140",
  "g2_multiply " G2 " => FAIL",
  "g2_negate " G2N " => " G2 " | 2164", "g2_negate " G2INF " => " G2INF " | 2164",
  "g2_negate 0xb3e02b6052719f624359072893758937457903459920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8 => FAIL",
  "g1_map \"abcdef0123456789\" => 0x88e7302bf1fa8fcdecfb96f6b81475c3564d3bcaf552ccb338b1c48b9ba18ab7195c5067fe94fb216478188c0a3bef4a | 195716",
  "g1_map \"abcdef0123456789\" \"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_\" => 0x8dd8e3a9197ddefdc25dde980d219004d6aa130d1af9b1808f8b2b004ae94484ac62a08a739ec7843388019a79c437b0 | 195716",
  "g1_map => FAIL", "g1_map 1337 42 10 => FAIL", "g1_map ( \"hello\" ) => FAIL",
  "g2_map \"abcdef0123456789\" => 0x92596412844e12c4733b5a6bfc5727cde4c20b345665d2de99de163266f3ba6a944c6c0fdd9d9fe57b9a4acb769bf3780456f8aab4cd41a70836dba57a5278a85fbd18eb96a2b56cfbda853186c9d190c43e63bc3e6a181aed692e97bbdb1944 | 816196",
  "g2_map \"abcdef0123456789\" \"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_\" => 0x8ee1ff66094b8975401c86ad424076d97fed9c2025db5f9dfde6ed455c7bff34b55e96379c1f9ee3c173633587f425e50aed3e807c6c7cd7bed35d40542eee99891955b2ea5321ebde37172e2c01155138494c2d725b03c02765828679bf011e | 816196",
  "g2_map => FAIL",
  "bls_pairing_identity " PKA " " Q2A " " G1N " " SIGA " => 0 | 5400000",
  "bls_pairing_identity => 0 | 3000000",
  "bls_pairing_identity " PKA " " Q2A " " G1N " " SIGBAD " => FAIL",
  "bls_pairing_identity " PKA " " Q2A " " G1N " => FAIL",
  "bls_pairing_identity ( 1 2 3 ) => FAIL",
  "bls_verify " SIGA " " PKA " " MSGA " => 0 | 4200252",
  "bls_verify " G2INF " => 0 | 3000000",
  "bls_verify 0x883e8b618955bcfcd7e3b2c33eafbd5e8e2c54d9f6e2f219060e5d47a3f004f3c16bf41dc1865965aa33b1181bd63c111246cfe558550376199e23b731ab493e31718c18691d54b20cf07514dc1af66eacfc51eebc33d28ea23712cfba20dc70 " PKA " " MSGA " => FAIL",
  "bls_verify " SIGA " 0xa061cdfcf9339ffd4e7996adcf12e1776882629dc084254f74faf150c718420e4b34940f173aca1c32d0dc6d6a776fb4 " MSGA " => FAIL",
  "bls_verify " SIGA " " PKA " => FAIL", "bls_verify " PKA " " MSGA " => FAIL",
  "bls_verify => FAIL", "bls_verify ( 1 2 3 ) => FAIL", "bls_verify 1 => FAIL",
  /* core ops */
  "i ( ) => FAIL", "i ( 1 ) => FAIL", "i => FAIL", "i 1 1 => FAIL",
  "i 1 1 1 1 => FAIL",
  "i 1 \"true\" \"false\" => \"true\" | 33",
  "i 0 \"true\" \"false\" => \"false\" | 33",
  "i -1 \"true\" \"false\" => \"true\" | 33",
  "i ( 1 2 ) \"true\" \"false\" => \"true\" | 33",
  "i ( ) \"true\" \"false\" => \"false\" | 33",
  "c => FAIL", "c 1 => FAIL", "c 1 ( 2 ) \"garbage\" => FAIL",
  "c 100 ( ) => ( 100 ) | 50", "c 1 2 => ( 1 . 2 ) | 50",
  "c ( 1 2 3 ) ( 4 5 6 ) => ( ( 1 2 3 ) 4 5 6 ) | 50",
  "f 0 => FAIL", "f 1 => FAIL", "f ( ) => FAIL", "f ( 1 2 3 ) 1 => FAIL",
  "f ( 1 2 3 ) => 1 | 30", "f ( ( 1 2 ) 3 ) => ( 1 2 ) | 30",
  "r 1 => FAIL", "r => FAIL", "r 0 => FAIL", "r ( 1 2 3 ) => ( 2 3 ) | 30",
  "r ( 1 . 2 ) => 2 | 30", "r ( 100 ) => ( ) | 30",
  "l => FAIL", "l ( 1 2 ) 1 => FAIL", "l ( 1 2 3 ) => 1 | 19", "l 1 => 0 | 19",
  "l ( 0 . 0 ) => 1 | 19",
  "x => FAIL", "x ( \"msg\" ) => FAIL", "x \"error_message\" => FAIL",
  "= => FAIL", "= 0x00 => FAIL", "= 0x00 0x00 0x00 => FAIL",
  "= ( \"foo\" ) \"foo\" => FAIL", "= 0 0 => 1 | 117", "= 1 1 => 1 | 119",
  "= 0 0x00 => 0 | 118", "= 0xff 0xffff => 0 | 120", "= 255 -1 => 0 | 120",
  "= 65535 65535 => 1 | 123", "= 4294967296 4294967296 => 1 | 127",
  /* more ops */
  "lognot ( 1 2 3 ) => FAIL", "lognot 0xff => 0 | 334",
  "lognot 0xffffff => 0 | 340", "lognot 0x0000ff => 0xff00 | 360",
  "lognot 0x0000000001 => 0xfe | 356", "lognot 0xff00 => 0x00ff | 357",
  "lognot 0 => 0xff | 341", "lognot 0xcccccc => 0x333333 | 370",
  "lognot 0x00 0x00 => FAIL", "lognot => FAIL", "lognot 12 => -13 | 344",
  "lognot 734671943749191 => 0xfd63d1dbc431b8 | 422",
  "logior ( 1 2 3 ) => FAIL", "logior => 0 | 100",
  "logior 0xbaadf00d => 0xbaadf00d | 416", "logior 0xf0 0x0f => 0xff | 644",
  "logior 0x800000 0x01 => 0x800001 | 670", "logior 0x000080 0x01 => 0x0081 | 660",
  "logior 0x000080 0xff => 0xff | 650", "logior 0xffff80 0x01 => 0x81 | 650",
  "logior 0x01 0x02 0x04 0x08 0x10 0x20 0x40 0x80 => 0xff | 2246",
  "logior -128 0x07ffff => -1 | 650",
  "logxor => 0 | 100", "logxor 0x000080 0xff => 0xff7f | 660",
  "logxor 0x000070 0xff => 0x8f | 650", "logxor 0x01 0x01 => 0 | 634",
  "logxor 12 5 7 => 14 | 911", "logxor -128 0x07ffff => 0xf8007f | 670",
  "logand => 0xff | 110", "logand 0xf0 0x0f => 0 | 634",
  "logand 0x000080 0xff => 0x0080 | 660", "logand 0x000070 0xff => 0x70 | 650",
  "logand 13 12 4 => 4 | 911", "logand -128 0x07ffff => 0x07ff80 | 670",
  "ash => FAIL", "ash ( 1 2 3 ) 1 => FAIL", "ash 0xffff ( 1 2 3 ) => FAIL",
  "ash 0xff => FAIL", "ash 0xff 1 => 0xfe | 612", "ash 0xff 1 1 => FAIL",
  "ash 0xff -1 => 0xff | 612", "ash 0x80 -1 => 0xc0 | 612",
  "ash 0x80 -8 => 0xff | 612", "ash 0x7f -1 => 0x3f | 612",
  "ash 0x7f -7 => 0 | 599", "ash 0x80 1 => 0xff00 | 625",
  "ash 0x80 8 => 0x8000 | 625", "ash 0x7f 1 => 0x00fe | 622",
  "ash 0x7f 8 => 0x7f00 | 625",
  "ash 0x90000000000000000000000000 -100 => -7 | 648",
  "ash 7 100 => 0x70000000000000000000000000 | 768",
  "ash -7 100 => 0x90000000000000000000000000 | 768",
  "ash 0xcc 2 => 0xff30 | 622", "ash 0xcc -6 => 0xff | 612",
  "ash 0xcc -214783648 => FAIL", "ash 0xcc 65536 => FAIL",
  "ash 0xcc -65536 => FAIL",
  "ash 0xcc 256 => 0xcc0000000000000000000000000000000000000000000000000000000000000000 | 1028",
  "ash 0xcc -256 => 0xff | 612", "ash 0xcc 0x0000000001 => FAIL",
  "ash 0xcc \"foo\" => FAIL" /* "foo" = 6713199 > 65535 */,
  "lsh 0xff => FAIL", "lsh 0xff 1 => 0x01fe | 306", "lsh 0xff -1 => 0x7f | 293",
  "lsh 0x80 -8 => 0 | 280", "lsh 0x80 8 => 0x008000 | 316",
  "lsh 0x7f 1 => 0x00fe | 303",
  "lsh 0x90000000000000000000000000 -100 => 0x09 | 329",
  "lsh 0xf9 100 => 0x0f90000000000000000000000000 | 462",
  "lsh 0xcc 256 => 0x00cc0000000000000000000000000000000000000000000000000000000000000000 | 719",
  "lsh 0xcc -256 => 0 | 280", "lsh 0xcc 65536 => FAIL",
  "not => FAIL", "not 1 2 => FAIL", "not 0 => 1 | 200", "not 0x00 => 0 | 200",
  "not ( 1 2 3 ) => 0 | 200",
  "any => 0 | 200", "any 0 => 0 | 500", "any 0 1 => 1 | 800",
  "any ( ) ( 1 2 ) => 1 | 800",
  "all => 1 | 200", "all 1 2 3 => 1 | 1100", "all 0x00 0 => 0 | 800",
  "all ( 1 ) 2 ( ) => 0 | 1100",
  "> => FAIL", "> 0 => FAIL", "> 0 0 => 0 | 498", "> ( 1 ) 0 => FAIL",
  "> 0 -1 => 1 | 500", "> -1 0 => 0 | 500",
  "> 0x0000000000000000000000000000000000000000000000000000000000000000000493e0 0x000000000000000000000000000000000000000000000000000000000000005a => 1 | 634",
  "> \"foobar\" \"foo\" => 1 | 516", "> \"bar\" \"foo\" => 0 | 510",
  ">s => FAIL", ">s 0x00 0x00 => 0 | 119", ">s ( 1 ) ( 2 ) => FAIL",
  ">s -1 0 => 1 | 118", ">s 0x1001 0x1000 => 1 | 121", ">s \"foo\" \"foo\" => 0 | 123",
  "+ ( 1 ) => FAIL", "+ 1 ( 2 ) => FAIL", "+ => 0 | 99", "+ 0 => 0 | 419",
  "+ 0 0 0 => 0 | 1059", "+ -1 1 => 0 | 745", "+ 32768 32768 => 65536 | 787",
  "+ -32768 -32768 => -65536 | 781", "+ 2147483648 2147483648 => 4294967296 | 819",
  "+ 0x010000000000000000 0x010000000000000000 => 0x020000000000000000 | 883",
  "+ 18446744073709551616 18446744073709551616 => 36893488147419103232 | 883",
  "+ -18446744073709551616 -18446744073709551616 => -36893488147419103232 | 883",
  "+ 18446744073709551616 -18446744073709551616 => 0 | 793",
  "+ 0x00cccccccc 0x33333333 => 0x00ffffffff | 816",
  "+ 0xcccccccc 0x33333333 => 0xff | 773",
  "+ 0x00000000000000000000000000000003 0x00000000000000000000000000000002 => 5 | 845",
  "- => 0 | 99", "- -1 1 => -2 | 755", "- 32768 -32768 => 65536 | 784",
  "- 0 18446744073709551616 18446744073709551616 => -36893488147419103232 | 1203",
  "- 0xcccccccc 0x33333333 => 0x99999999 | 803",
  "- 0 18446744073709551616 => -18446744073709551616 | 856",
  "* ( 2 ) => FAIL", "* 1 ( 2 ) => FAIL", "* => 1 | 102", "* 0 => 0 | 92",
  "* \"foobar\" => \"foobar\" | 152", "* 7 2 => 14 | 999",
  "* 2 2 2 2 2 2 2 2 => 256 | 6391", "* 10 10 10 10 => 10000 | 2809",
  "* 1337 -1 => -1337 | 1015", "* -1 -1 -1 -1 -1 -1 -1 -1 -1 => -1 | 7278",
  "* 0x000000000000000007 0xffffffffffffffffff => -7 | 1095",
  "* 0x000000000000000007 0xffffffffffffffffff 0 => 0 | 1976",
  "* 0x0100000000 0x0100000000 => 0x010000000000000000 | 1127",
  "* 4294967296 4294967296 -4294967296 => -79228162514264337593543950336 | 2136",
  "* 65536 -65536 -65536 => 281474976710656 | 2016",
  "/ => FAIL", "/ 1 2 3 => FAIL", "/ 10 0 => FAIL", "/ -10 0 => FAIL",
  "/ 10 3 => 3 | 1006", "/ -10 3 => -4 | 1006", "/ -10 -3 => 3 | 1006",
  "/ 10 -3 => -4 | 1006", "/ 80001 73 => 1095 | 1024",
  "/ -80001 73 => -1096 | 1024",
  "/ 0x00000000000000000a 0x000000000000000005 => 2 | 1070",
  "/ 1 10 => 0 | 996", "/ 0 -1 => 0 | 992", "/ -1 10 => -1 | 1006",
  "/ 1 -10 => -1 | 1006",
  "divmod => FAIL", "divmod 1 ( 2 ) => FAIL", "divmod 1 2 3 => FAIL",
  "divmod 0 0 => FAIL", "divmod 10 3 => ( 3 . 1 ) | 1148",
  "divmod -10 3 => ( -4 . 2 ) | 1148", "divmod -10 -3 => ( 3 . -1 ) | 1148",
  "divmod 10 -3 => ( -4 . -2 ) | 1148", "divmod 1 3 => ( 0 . 1 ) | 1138",
  "divmod -1 -3 => ( 0 . -1 ) | 1138", "divmod 1 -10 => ( -1 . -9 ) | 1148",
  "divmod 1 -1000000000000 => ( -1 . -999999999999 ) | 1228",
  "divmod -80001 73 => ( -1096 . 7 ) | 1170",
  "divmod 0x00000000000000000a 0x000000000000000005 => ( 2 . 0 ) | 1234",
  /* docs/clvm.md worked examples (operator cost only) */
  "* 255 255 => 65025 | 1031", "divmod -7 2 => ( -4 . 1 ) | 1148",
  "lsh 0x80 1 => 0x0100 | 306", "ash -1 -3 => -1 | 612", "concat => 0 | 142",
  "sha256 => 0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 | 407",
  /* remaining operators, costs from the formulas */
  "% -7 2 => 1 | 1006", "% 7 -2 => -1 | 1006", "% 7 0 => FAIL",
  "strlen \"foo\" => 3 | 186", "strlen 0 => 0 | 173", "strlen ( 1 ) => FAIL",
  "concat \"foo\" \"bar\" => \"foobar\" | 490", "concat ( 1 ) => FAIL",
  "substr \"foobar\" 1 => \"oobar\" | 1", "substr \"foobar\" 1 3 => \"oo\" | 1",
  "substr \"foobar\" 6 => 0 | 1", "substr \"foobar\" 7 => FAIL",
  "substr \"foobar\" 3 2 => FAIL", "substr \"foobar\" -1 => FAIL",
  "substr \"foobar\" => FAIL", "substr \"foobar\" 0x0000000001 => FAIL",
  "sha256 \"foo\" => 0x2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae | 547",
  "sha256 \"fo\" \"o\" => 0x2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae | 681",
  "sha256 ( 1 ) => FAIL",
  "coinid 0x0000000000000000000000000000000000000000000000000000000000000000 0x0000000000000000000000000000000000000000000000000000000000000000 0x00 => FAIL",
  "coinid 0x0000000000000000000000000000000000000000000000000000000000000000 0x0000000000000000000000000000000000000000000000000000000000000000 -1 => FAIL",
  "coinid 0x00 0x0000000000000000000000000000000000000000000000000000000000000000 1 => FAIL",
  "coinid 0x0000000000000000000000000000000000000000000000000000000000000000 0x0000000000000000000000000000000000000000000000000000000000000000 0x010000000000000000 => FAIL",
  "modpow 2 10 1000 => 24 | 17135", "modpow 2 10 -1000 => -976 | 17145",
  "modpow 2 -1 7 => FAIL", "modpow 2 3 0 => FAIL", "modpow -2 3 5 => 2 | 17072",
  "pubkey_for_exp 1 => 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb | 1326248",
  "pubkey_for_exp 0 => 0xc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 | 1326210",
  "point_add => 0xc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 | 101574",
  "point_add 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb => 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb | 1445554",
  "point_add 0x97f1d3 => FAIL",
  "g1_negate 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb => 0xb7f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb | 1396",
  "g1_subtract 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb => 0xc00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 | 2789534",
  "g1_multiply 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb 1 => 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb | 705990",
  "g1_multiply 0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb -1 => 0xb7f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb | 705990",
};

/* test-keccak256.txt, run with keccak enabled */
static const char *const keccak_cases[] = {
  "keccak256 \"foobar\" => 0x38d18acb67d25c8bb9942764b62f18e17054f66a817bd4295423adf9ed98873e | 542",
  "keccak256 \"f\" \"oobar\" => 0x38d18acb67d25c8bb9942764b62f18e17054f66a817bd4295423adf9ed98873e | 702",
  "keccak256 \"f\" \"o\" \"o\" \"b\" \"a\" \"r\" => 0x38d18acb67d25c8bb9942764b62f18e17054f66a817bd4295423adf9ed98873e | 1342",
  "keccak256 \"foo\" => 0x41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d | 536",
  "keccak256 => 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470 | 370",
  "keccak256 ( 1 ) => FAIL",
};

/* test-unknown-ops.txt (consensus mode: unknown operators are costed) */
static const char *const unknown_cases[] = {
  "unknown => ( ) | 1", "unknown 1 2 3 => ( ) | 1", "unknown ( 1 2 ) => ( ) | 1",
  "unknown_x2 => ( ) | 2", "unknown_x2 ( 1 2 ) => ( ) | 2",
  "unknown_add => ( ) | 99", "unknown_add 1 => ( ) | 422", "unknown_add 0 => ( ) | 419",
  "unknown_add 1 2 3 4 => ( ) | 1391", "unknown_add 0x1234 0x56 => ( ) | 748",
  "unknown_add 0x00 0x00 0x7f0000 0x00 => ( ) | 1397",
  "unknown_add 0x010000000000000000 0x010000000000000000 => ( ) | 793",
  "unknown_add ( 1 ) => FAIL", "unknown_add 1 ( 2 ) => FAIL",
  "unknown_add_x2 => ( ) | 198", "unknown_add_x2 1 2 3 4 => ( ) | 2782",
  "unknown_add_x2 \"foobar\" => ( ) | 874",
  "unknown_mul => ( ) | 92", "unknown_mul 1 => ( ) | 92", "unknown_mul 7 2 => ( ) | 989",
  "unknown_mul 1 2 3 4 => ( ) | 2801", "unknown_mul \"ab\" \"cd\" => ( ) | 1001",
  "unknown_mul 0x010000 0x010000 => ( ) | 1013",
  "unknown_mul 0x000000000000000007 0x000000000000000002 => ( ) | 1085",
  "unknown_mul ( 1 ) => FAIL", "unknown_mul_x2 1 2 3 4 => ( ) | 5602",
  "unknown_concat => ( ) | 142", "unknown_concat \"\" => ( ) | 277",
  "unknown_concat \"a\" \"b\" \"c\" => ( ) | 556", "unknown_concat \"foo\" \"bar\" => ( ) | 430",
  "unknown_concat \"a\" ( 2 ) => FAIL", "unknown_concat_x2 \"foo\" \"bar\" => ( ) | 860",
};

static int lookup(const char *name, uint8_t *op)
{
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(ops[i].name, name)) {
      *op = ops[i].op;
      return 1;
    }
  return 0;
}

static void run_case_flags(const char *line, unsigned flags)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  char name[32];
  const char *s = ot_next(line, name, sizeof name), *arrow;
  uint8_t opc;
  clvm_node op, args, res = CLVM_NIL, want;
  uint64_t cost = 0, want_cost;
  cp_err rc;
  if (!strncmp(name, "unknown", 7)) {
    /* test-unknown-ops.txt names: cost function in the top bits of the
     * last byte (31, 79, 143, 207 are unassigned), _x2 = multiplier 1 */
    uint8_t u[2];
    size_t un = 0;
    const char *kind = name + 7;
    int x2 = strstr(name, "_x2") != NULL;
    if (x2)
      u[un++] = 1;
    u[un++] = !strncmp(kind, "_add", 4) ? 0x4f : !strncmp(kind, "_mul", 4) ? 0x8f
              : !strncmp(kind, "_concat", 7) ? 0xcf : 0x1f;
    assert_int_equal(clvm_new_atom(a, u, un, &op), CP_OK);
  } else if (!strcmp(name, "secp256k1_verify")) {
    assert_int_equal(clvm_new_atom(a, "\x13\xd6\x1f\x00", 4, &op), CP_OK);
  } else if (!strcmp(name, "secp256r1_verify")) {
    assert_int_equal(clvm_new_atom(a, "\x1c\x3a\x8f\x00", 4, &op), CP_OK);
  } else {
    assert_true(lookup(name, &opc));
    assert_int_equal(clvm_new_atom(a, &opc, 1, &op), CP_OK);
  }
  args = ot_seq(a, &s, "=>");
  rc = clvm_apply_op(a, op, args, 10000000000ull, flags, &res, &cost);
  arrow = s;
  while (*arrow == ' ')
    arrow++;
  if (!strncmp(arrow, "FAIL", 4)) {
    if (rc == CP_OK)
      fail_msg("expected failure: %s", line);
  } else {
    const char *bar = strstr(arrow, " | ");
    assert_non_null(bar);
    want = ot_seq(a, &arrow, "|");
    /* ot_seq made a list of the single expected value */
    want = clvm_first(a, want);
    {
      const char *e = bar + 3;
      while (*e >= '0' && *e <= '9')
        e++;
      assert_int_equal(parse_u64(bar + 3, (size_t)(e - bar - 3), UINT64_MAX, &want_cost),
                       CP_OK);
    }
    if (rc != CP_OK)
      fail_msg("unexpected %s: %s", cp_errname(rc), line);
    if (!clvm_equal(a, res, want))
      fail_msg("wrong result: %s", line);
    if (cost != want_cost)
      fail_msg("cost %llu != %llu: %s", (unsigned long long)cost,
               (unsigned long long)want_cost, line);
  }
  clvm_alloc_free(a);
}

static void test_op_table(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run_case_flags(cases[i], 0);
}

static void test_unknown_ops(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof unknown_cases / sizeof unknown_cases[0]; i++)
    run_case_flags(unknown_cases[i], 0);
}

static void test_keccak(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  clvm_node op, args, res;
  uint64_t cost;
  uint8_t b = 62, big[300];
  (void)state;
  for (size_t i = 0; i < sizeof keccak_cases / sizeof keccak_cases[0]; i++)
    run_case_flags(keccak_cases[i], CLVM_F_KECCAK);
  /* without the flag (and outside a softfork guard) it is an unknown op */
  assert_int_equal(clvm_new_atom(a, &b, 1, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, CLVM_F_MEMPOOL, &res, &cost),
                   CP_CLVM_BAD_OP);
  /* multi-block input: one atom or split across two gives the same hash */
  {
    clvm_node x, y, l1, l2, items[2];
    memset(big, 'a', sizeof big);
    assert_int_equal(clvm_new_atom(a, big, 300, &x), CP_OK);
    assert_int_equal(clvm_new_list(a, &x, 1, &l1), CP_OK);
    assert_int_equal(clvm_new_atom(a, big, 137, &items[0]), CP_OK);
    assert_int_equal(clvm_new_atom(a, big, 163, &items[1]), CP_OK);
    assert_int_equal(clvm_new_list(a, items, 2, &l2), CP_OK);
    assert_int_equal(clvm_apply_op(a, op, l1, 0, CLVM_F_KECCAK, &x, &cost), CP_OK);
    assert_int_equal(clvm_apply_op(a, op, l2, 0, CLVM_F_KECCAK, &y, &cost), CP_OK);
    assert_true(clvm_equal(a, x, y));
    (void)args;
  }
  clvm_alloc_free(a);
}

/* Error kinds, not just failure. */
static void test_op_errors(void **state)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  clvm_node op, args, res, v;
  uint64_t cost;
  uint8_t b;
  (void)state;
  /* raise: the single atom argument is the error node */
  b = 8;
  assert_int_equal(clvm_new_atom(a, &b, 1, &op), CP_OK);
  assert_int_equal(clvm_new_int(a, 5, &v), CP_OK);
  assert_int_equal(clvm_new_list(a, &v, 1, &args), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, args, 0, 0, &res, &cost), CP_CLVM_RAISE);
  assert_int_equal(clvm_last_error_node(a), v);
  /* unknown operator: strict mode refuses, consensus charges it */
  b = 0x40;
  assert_int_equal(clvm_new_atom(a, &b, 1, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, CLVM_F_MEMPOOL, &res, &cost),
                   CP_CLVM_BAD_OP);
  {
    clvm_node items[2];
    assert_int_equal(clvm_new_int(a, 1, &items[0]), CP_OK);
    items[1] = CLVM_NIL;
    assert_int_equal(clvm_new_list(a, items, 2, &args), CP_OK);
  }
  assert_int_equal(clvm_apply_op(a, op, args, 0, 0, &res, &cost), CP_OK);
  assert_int_equal(cost, 742); /* docs/clvm.md §7 */
  assert_true(clvm_is_nil(a, res));
  /* opcode 0x00: cost 1; empty atom and ffff.. are reserved */
  b = 0;
  assert_int_equal(clvm_new_atom(a, &b, 1, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_OK);
  assert_int_equal(cost, 1);
  assert_int_equal(clvm_apply_op(a, CLVM_NIL, CLVM_NIL, 0, 0, &res, &cost),
                   CP_CLVM_BAD_OP);
  assert_int_equal(clvm_new_atom(a, "\xff\xff\x01", 3, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_CLVM_BAD_OP);
  /* 0xff: concat-like 142 with no args; multiplier 1 (0x01ff) doubles it */
  b = 0xff;
  assert_int_equal(clvm_new_atom(a, &b, 1, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_OK);
  assert_int_equal(cost, 142);
  assert_int_equal(clvm_new_atom(a, "\x01\xff", 2, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_OK);
  assert_int_equal(cost, 284);
  /* cost * (multiplier + 1) must stay within u32 */
  assert_int_equal(clvm_new_atom(a, "\x7f\xff\xff\xff\x00", 5, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_OK);
  assert_true(cost == 0x80000000ull);
  assert_int_equal(clvm_new_atom(a, "\x7f\xff\xff\xff\x40", 5, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_CLVM_BAD_OP);
  /* a multiplier of more than 4 bytes is invalid */
  assert_int_equal(clvm_new_atom(a, "\x01\x00\x00\x00\x00\x00", 6, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_CLVM_BAD_OP);
  /* modpow is disabled under DISABLE_OP even in consensus mode */
  b = 60;
  assert_int_equal(clvm_new_atom(a, &b, 1, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, CLVM_F_DISABLE_OP, &res, &cost),
                   CP_CLVM_BAD_OP);
  /* secp opcodes are always known: bad arguments are an error, not a no-op */
  assert_int_equal(clvm_new_atom(a, "\x13\xd6\x1f\x00", 4, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_CLVM_EVAL);
  /* other 4-byte opcodes are unknown: cost 1 for 0x00 cost function */
  assert_int_equal(clvm_new_atom(a, "\x00\x00\x00\x00", 4, &op), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, CLVM_NIL, 0, 0, &res, &cost), CP_OK);
  assert_int_equal(cost, 1);
  /* over budget inside a variadic op */
  b = 16;
  assert_int_equal(clvm_new_atom(a, &b, 1, &op), CP_OK);
  assert_int_equal(clvm_new_list(a, &v, 1, &args), CP_OK);
  assert_int_equal(clvm_apply_op(a, op, args, 400, 0, &res, &cost), CP_CLVM_COST);
  assert_int_equal(clvm_apply_op(a, op, args, 432, 0, &res, &cost), CP_OK);
  assert_int_equal(cost, 432);
  clvm_alloc_free(a);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_op_table),
    cmocka_unit_test(test_op_errors),
    cmocka_unit_test(test_keccak),
    cmocka_unit_test(test_unknown_ops),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
