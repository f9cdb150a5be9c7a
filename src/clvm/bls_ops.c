/* BLS12-381 operators (on blst), coinid, and the secp opcodes (OpenSSL).
 *
 * Points are validated on every use (on-curve and subgroup), as chia_rs
 * does: a point atom that decodes but is not in the group is an error. */
/* the EC_KEY API is deprecated in OpenSSL 3 but is the shortest way to a
 * prehashed ECDSA verify; see crypto/sha256.c for the same choice */
#define OPENSSL_API_COMPAT 0x10100000L
#include "clvm/clvm_int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "blst.h"
#include "crypto/sha256.h"
#include "util/xalloc.h"

#define MALLOC_COST 10

/* streaming API: the one-shot sha256() refetches the digest in OpenSSL 3 */
static void hash(uint8_t out[32], const void *p, size_t n)
{
  struct sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, p, n);
  sha256_final(&c, out);
}

static const uint8_t dst_g1[] = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_AUG_";
static const uint8_t dst_g2[] = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_AUG_";
#define DST_LEN 43

/* Group order r, for reducing scalars. */
static const uint8_t group_order[32] = {
  0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8,
  0x08, 0x09, 0xa1, 0xd8, 0x05, 0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe,
  0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01 };

static cp_err over(uint64_t cost, uint64_t max)
{
  return cost > max ? CP_CLVM_COST : CP_OK;
}

static cp_err g1_arg(struct clvm_alloc *a, clvm_node n, blst_p1 *out)
{
  blst_p1_affine aff;
  const uint8_t *p;
  size_t len;
  cp_err rc = clvm__atom_arg(a, n, &p, &len, "G1 atom expected, got pair");
  if (rc)
    return rc;
  if (len != 48)
    return clvm__fail(a, n, "atom is not G1 size, 48 bytes");
  if (blst_p1_uncompress(&aff, p) != BLST_SUCCESS || !blst_p1_affine_in_g1(&aff))
    return clvm__fail(a, n, "atom is not a G1 point");
  blst_p1_from_affine(out, &aff);
  return CP_OK;
}

static cp_err g2_arg(struct clvm_alloc *a, clvm_node n, blst_p2 *out)
{
  blst_p2_affine aff;
  const uint8_t *p;
  size_t len;
  cp_err rc = clvm__atom_arg(a, n, &p, &len, "G2 atom expected, got pair");
  if (rc)
    return rc;
  if (len != 96)
    return clvm__fail(a, n, "atom is not G2 size, 96 bytes");
  if (blst_p2_uncompress(&aff, p) != BLST_SUCCESS || !blst_p2_affine_in_g2(&aff))
    return clvm__fail(a, n, "atom is not a G2 point");
  blst_p2_from_affine(out, &aff);
  return CP_OK;
}

/* Scalar (any-length signed int) reduced into [0, r) as blst wants it. */
static void scalar_mod_r(const uint8_t *p, size_t n, blst_scalar *out)
{
  BIGNUM *x = clvm__bn_from(p, n), *r = BN_bin2bn(group_order, 32, NULL);
  BN_CTX *ctx = BN_CTX_new();
  uint8_t be[32];
  if (!r || !ctx)
    abort();
  BN_nnmod(x, x, r, ctx);
  BN_bn2binpad(x, be, 32);
  blst_scalar_from_bendian(out, be);
  BN_free(x);
  BN_free(r);
  BN_CTX_free(ctx);
}

static cp_err new_g1(struct clvm_alloc *a, const blst_p1 *p, clvm_node *out,
                     uint64_t *cost)
{
  uint8_t b[48];
  blst_p1_compress(b, p);
  return clvm__new_atom_cost(a, b, 48, out, cost);
}

static cp_err new_g2(struct clvm_alloc *a, const blst_p2 *p, clvm_node *out,
                     uint64_t *cost)
{
  uint8_t b[96];
  blst_p2_compress(b, p);
  return clvm__new_atom_cost(a, b, 96, out, cost);
}

static cp_err op_coinid(struct clvm_alloc *a, clvm_node args, clvm_node *out,
                        uint64_t *cost)
{
  clvm_node v[3];
  const uint8_t *pp, *ph, *am;
  size_t lp, lh, la;
  uint8_t buf[32 + 32 + 9], h[32];
  cp_err rc;
  if ((rc = clvm__args(a, args, 3, v, "coinid takes exactly 3 arguments")) ||
      (rc = clvm__atom_arg(a, v[0], &pp, &lp, "coinid on list")) ||
      (rc = clvm__atom_arg(a, v[1], &ph, &lh, "coinid on list")) ||
      (rc = clvm__atom_arg(a, v[2], &am, &la, "coinid on list")))
    return rc;
  if (lp != 32)
    return clvm__fail(a, v[0], "coinid: invalid parent coin id (must be 32 bytes)");
  if (lh != 32)
    return clvm__fail(a, v[1], "coinid: invalid puzzle hash (must be 32 bytes)");
  if (la && (am[0] & 0x80))
    return clvm__fail(a, v[2], "coinid: invalid amount (may not be negative");
  if (la && am[0] == 0 && (la == 1 || !(am[1] & 0x80)))
    return clvm__fail(a, v[2], "coinid: invalid amount (may not have redundant leading zero)");
  if (la > 9 || (la == 9 && am[0] != 0))
    return clvm__fail(a, v[2], "coinid: invalid amount (may not exceed max coin amount)");
  memcpy(buf, pp, 32);
  memcpy(buf + 32, ph, 32);
  if (la)
    memcpy(buf + 64, am, la);
  hash(h, buf, 64 + la);
  *cost = 480;
  return clvm__new_atom_cost(a, h, 32, out, cost);
}

/* point_add (sum) and g1_subtract (first minus the rest). */
static cp_err op_g1_sum(struct clvm_alloc *a, clvm_node args, int sub,
                        uint64_t max, clvm_node *out, uint64_t *cost)
{
  blst_p1 acc, p;
  int first = 1;
  cp_err rc;
  memset(&acc, 0, sizeof acc); /* all-zero is blst's point at infinity */
  *cost = 101094;
  for (; clvm_is_pair(args); args = clvm__pair(a, args)->rest) {
    if ((rc = g1_arg(a, clvm__pair(a, args)->first, &p)))
      return rc;
    *cost += 1343980;
    if ((rc = over(*cost, max)))
      return rc;
    if (sub && !first)
      blst_p1_cneg(&p, 1);
    blst_p1_add_or_double(&acc, &acc, &p);
    first = 0;
  }
  if (!clvm_is_nil(a, args))
    return clvm__fail(a, args, "argument list not nil-terminated");
  return new_g1(a, &acc, out, cost);
}

static cp_err op_g2_sum(struct clvm_alloc *a, clvm_node args, int sub,
                        uint64_t max, clvm_node *out, uint64_t *cost)
{
  blst_p2 acc, p;
  int first = 1;
  cp_err rc;
  memset(&acc, 0, sizeof acc);
  *cost = 80000;
  for (; clvm_is_pair(args); args = clvm__pair(a, args)->rest) {
    if ((rc = g2_arg(a, clvm__pair(a, args)->first, &p)))
      return rc;
    *cost += 1950000;
    if ((rc = over(*cost, max)))
      return rc;
    if (sub && !first)
      blst_p2_cneg(&p, 1);
    blst_p2_add_or_double(&acc, &acc, &p);
    first = 0;
  }
  if (!clvm_is_nil(a, args))
    return clvm__fail(a, args, "argument list not nil-terminated");
  return new_g2(a, &acc, out, cost);
}

static cp_err op_pubkey_for_exp(struct clvm_alloc *a, clvm_node args,
                                uint64_t max, clvm_node *out, uint64_t *cost)
{
  clvm_node v;
  const uint8_t *p;
  size_t n;
  blst_scalar s;
  blst_p1 r;
  cp_err rc;
  if ((rc = clvm__args(a, args, 1, &v, "pubkey_for_exp takes exactly 1 argument")) ||
      (rc = clvm__atom_arg(a, v, &p, &n, "pubkey_for_exp requires int args")))
    return rc;
  *cost = 1325730 + 38 * (uint64_t)n;
  if ((rc = over(*cost, max)))
    return rc;
  scalar_mod_r(p, n, &s);
  blst_p1_mult(&r, blst_p1_generator(), s.b, 255);
  return new_g1(a, &r, out, cost);
}

static cp_err op_g_multiply(struct clvm_alloc *a, clvm_node args, int g2,
                            uint64_t max, clvm_node *out, uint64_t *cost)
{
  clvm_node v[2];
  const uint8_t *p;
  size_t n;
  blst_scalar s;
  blst_p1 p1;
  blst_p2 p2;
  cp_err rc;
  if ((rc = clvm__args(a, args, 2, v, g2 ? "g2_multiply takes exactly 2 arguments"
                                          : "g1_multiply takes exactly 2 arguments")))
    return rc;
  *cost = g2 ? 2100000 : 705500;
  if ((rc = over(*cost, max)))
    return rc;
  if ((rc = g2 ? g2_arg(a, v[0], &p2) : g1_arg(a, v[0], &p1)) ||
      (rc = clvm__atom_arg(a, v[1], &p, &n, "multiply requires int scalar")))
    return rc;
  *cost += (g2 ? 5 : 10) * (uint64_t)n;
  if ((rc = over(*cost, max)))
    return rc;
  scalar_mod_r(p, n, &s);
  if (g2) {
    blst_p2_mult(&p2, &p2, s.b, 255);
    return new_g2(a, &p2, out, cost);
  }
  blst_p1_mult(&p1, &p1, s.b, 255);
  return new_g1(a, &p1, out, cost);
}

static cp_err op_negate(struct clvm_alloc *a, clvm_node args, int g2,
                        unsigned flags, clvm_node *out, uint64_t *cost)
{
  clvm_node v;
  const uint8_t *p;
  size_t n, want = g2 ? 96 : 48;
  uint8_t b[96];
  blst_p1 p1;
  blst_p2 p2;
  cp_err rc;
  if ((rc = clvm__args(a, args, 1, &v, g2 ? "g2_negate takes exactly 1 argument"
                                           : "g1_negate takes exactly 1 argument")) ||
      (rc = clvm__atom_arg(a, v, &p, &n, "negate requires a point")))
    return rc;
  if (!(flags & CLVM_F_RELAXED_BLS)) {
    if ((rc = g2 ? g2_arg(a, v, &p2) : g1_arg(a, v, &p1)))
      return rc;
  } else if (n != want) {
    return clvm__fail(a, v, g2 ? "atom is not G2 size, 96 bytes"
                               : "atom is not G1 size, 48 bytes");
  }
  *cost = g2 ? 2164 - 960 : 1396 - 480;
  if ((p[0] & 0xe0) == 0xc0) {
    /* infinity negates to itself; the allocation is charged anyway */
    *cost += MALLOC_COST * (uint64_t)want;
    *out = v;
    return CP_OK;
  }
  memcpy(b, p, want);
  b[0] ^= 0x20;
  return clvm__new_atom_cost(a, b, want, out, cost);
}

static cp_err op_map(struct clvm_alloc *a, clvm_node args, int g2, uint64_t max,
                     clvm_node *out, uint64_t *cost)
{
  clvm_node v[2];
  const uint8_t *msg, *dst = g2 ? dst_g2 : dst_g1;
  size_t k = 0, lm, ld = DST_LEN;
  clvm_node l = args;
  cp_err rc;
  while (clvm_is_pair(l) && k < 2) {
    v[k++] = clvm__pair(a, l)->first;
    l = clvm__pair(a, l)->rest;
  }
  if (k < 1 || clvm_is_pair(l) || !clvm_is_nil(a, l))
    return clvm__fail(a, args, g2 ? "g2_map takes exactly 1 or 2 arguments"
                                  : "g1_map takes exactly 1 or 2 arguments");
  *cost = g2 ? 815000 : 195000;
  if ((rc = over(*cost, max)) ||
      (rc = clvm__atom_arg(a, v[0], &msg, &lm, "map requires atoms")))
    return rc;
  if (k == 2 && (rc = clvm__atom_arg(a, v[1], &dst, &ld, "map requires atoms")))
    return rc;
  *cost += 4 * (uint64_t)lm + 4 * (uint64_t)ld;
  if ((rc = over(*cost, max)))
    return rc;
  if (g2) {
    blst_p2 p;
    blst_hash_to_g2(&p, msg, lm, dst, ld, NULL, 0);
    return new_g2(a, &p, out, cost);
  } else {
    blst_p1 p;
    blst_hash_to_g1(&p, msg, lm, dst, ld, NULL, 0);
    return new_g1(a, &p, out, cost);
  }
}

static cp_err op_pairing_identity(struct clvm_alloc *a, clvm_node args,
                                  uint64_t max, clvm_node *out, uint64_t *cost)
{
  blst_fp12 acc = *blst_fp12_one(), f;
  cp_err rc;
  *cost = 3000000;
  while (!clvm_is_nil(a, args)) {
    blst_p1 p;
    blst_p2 q;
    blst_p1_affine pa;
    blst_p2_affine qa;
    *cost += 1200000;
    if ((rc = over(*cost, max)))
      return rc;
    if (!clvm_is_pair(args))
      return clvm__fail(a, args, "bls_pairing_identity: first of non-cons");
    if ((rc = g1_arg(a, clvm__pair(a, args)->first, &p)))
      return rc;
    args = clvm__pair(a, args)->rest;
    if (!clvm_is_pair(args))
      return clvm__fail(a, args, "bls_pairing_identity: first of non-cons");
    if ((rc = g2_arg(a, clvm__pair(a, args)->first, &q)))
      return rc;
    args = clvm__pair(a, args)->rest;
    /* a pairing with the point at infinity is 1: skip it */
    if (blst_p1_is_inf(&p) || blst_p2_is_inf(&q))
      continue;
    blst_p1_to_affine(&pa, &p);
    blst_p2_to_affine(&qa, &q);
    blst_miller_loop(&f, &qa, &pa);
    blst_fp12_mul(&acc, &acc, &f);
  }
  blst_final_exp(&f, &acc);
  if (!blst_fp12_is_one(&f))
    return clvm__fail(a, args, "bls_pairing_identity failed");
  *out = CLVM_NIL;
  return CP_OK;
}

static cp_err op_bls_verify(struct clvm_alloc *a, clvm_node args, uint64_t max,
                            clvm_node *out, uint64_t *cost)
{
  blst_p2 sig;
  blst_p2_affine sig_aff;
  blst_pairing *ctx = NULL;
  clvm_node l;
  int npairs = 0, ok;
  cp_err rc;
  *cost = 3000000;
  if ((rc = over(*cost, max)))
    return rc;
  if (!clvm_is_pair(args))
    return clvm__fail(a, args, "bls_verify: first of non-cons");
  if ((rc = g2_arg(a, clvm__pair(a, args)->first, &sig)))
    return rc;
  blst_p2_to_affine(&sig_aff, &sig);
  /* validate all pairs and charge for them before any pairing work */
  for (l = clvm__pair(a, args)->rest; !clvm_is_nil(a, l);) {
    blst_p1 pk;
    const uint8_t *m;
    size_t lm;
    if (!clvm_is_pair(l))
      return clvm__fail(a, l, "bls_verify: first of non-cons");
    if ((rc = g1_arg(a, clvm__pair(a, l)->first, &pk)))
      return rc;
    l = clvm__pair(a, l)->rest;
    if (!clvm_is_pair(l))
      return clvm__fail(a, l, "bls_verify: first of non-cons");
    if ((rc = clvm__atom_arg(a, clvm__pair(a, l)->first, &m, &lm,
                             "bls_verify message")))
      return rc;
    l = clvm__pair(a, l)->rest;
    *cost += 1200000 + 4 * (uint64_t)lm + 4 * DST_LEN;
    if ((rc = over(*cost, max)))
      return rc;
    npairs++;
  }
  if (!npairs) {
    ok = blst_p2_is_inf(&sig);
  } else {
    ctx = xmalloc(blst_pairing_sizeof());
    blst_pairing_init(ctx, 1, dst_g2, DST_LEN);
    ok = 1;
    for (l = clvm__pair(a, args)->rest; ok && !clvm_is_nil(a, l);) {
      blst_p1_affine pka;
      const uint8_t *pkb = clvm__atom(a, clvm__pair(a, l)->first)->p;
      const struct clvm_atom_ent *m;
      l = clvm__pair(a, l)->rest;
      m = clvm__atom(a, clvm__pair(a, l)->first);
      l = clvm__pair(a, l)->rest;
      blst_p1_uncompress(&pka, pkb);
      /* augmented scheme: the message is prefixed with the public key */
      ok = blst_pairing_aggregate_pk_in_g1(ctx, &pka, npairs > 0 ? &sig_aff : NULL,
                                           m->p, m->len, pkb, 48) == BLST_SUCCESS;
      npairs = -1; /* the signature goes in with the first pair only */
    }
    if (ok) {
      blst_pairing_commit(ctx);
      ok = blst_pairing_finalverify(ctx, NULL);
    }
    free(ctx);
  }
  if (!ok)
    return clvm__fail(a, args, "bls_verify failed");
  *out = CLVM_NIL;
  return CP_OK;
}

cp_err clvm__bls_op(struct clvm_alloc *a, uint8_t op, clvm_node args,
                    uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost)
{
  switch (op) {
  case 29: return op_g1_sum(a, args, 0, max, out, cost);
  case 30: return op_pubkey_for_exp(a, args, max, out, cost);
  case 48: return op_coinid(a, args, out, cost);
  case 49: return op_g1_sum(a, args, 1, max, out, cost);
  case 50: return op_g_multiply(a, args, 0, max, out, cost);
  case 51: return op_negate(a, args, 0, flags, out, cost);
  case 52: return op_g2_sum(a, args, 0, max, out, cost);
  case 53: return op_g2_sum(a, args, 1, max, out, cost);
  case 54: return op_g_multiply(a, args, 1, max, out, cost);
  case 55: return op_negate(a, args, 1, flags, out, cost);
  case 56: return op_map(a, args, 0, max, out, cost);
  case 57: return op_map(a, args, 1, max, out, cost);
  case 58: return op_pairing_identity(a, args, max, out, cost);
  case 59: return op_bls_verify(a, args, max, out, cost);
  default: return CP_CLVM_BAD_OP;
  }
}

/* secp256k1_verify / secp256r1_verify (4-byte opcodes): ECDSA over a
 * 32-byte prehashed message with OpenSSL. The cost is charged before any
 * parsing, and any failure (bad key, bad signature) is an error. */
static cp_err op_secp(struct clvm_alloc *a, clvm_node args, int k1, uint64_t max,
                      clvm_node *out, uint64_t *cost)
{
  clvm_node v[3];
  const uint8_t *pk, *msg, *sig;
  size_t lpk, lmsg, lsig;
  EC_GROUP *grp = NULL;
  EC_POINT *pt = NULL;
  EC_KEY *key = NULL;
  ECDSA_SIG *es = NULL;
  BIGNUM *r = NULL, *s = NULL, *half = NULL;
  int ok = 0;
  cp_err rc;
  *cost = k1 ? 1300000 : 1850000;
  if ((rc = over(*cost, max)))
    return rc;
  if ((rc = clvm__args(a, args, 3, v, "secp verify takes exactly 3 arguments")) ||
      (rc = clvm__atom_arg(a, v[0], &pk, &lpk, "secp verify: pubkey is a pair")) ||
      (rc = clvm__atom_arg(a, v[1], &msg, &lmsg, "secp verify: message is a pair")) ||
      (rc = clvm__atom_arg(a, v[2], &sig, &lsig, "secp verify: signature is a pair")))
    return rc;
  if ((lpk != 33 && lpk != 65) || lmsg != 32 || lsig != 64)
    return clvm__fail(a, args, "secp verify: invalid argument size");
  grp = EC_GROUP_new_by_curve_name(k1 ? NID_secp256k1 : NID_X9_62_prime256v1);
  pt = grp ? EC_POINT_new(grp) : NULL;
  key = EC_KEY_new();
  es = ECDSA_SIG_new();
  r = BN_bin2bn(sig, 32, NULL);
  s = BN_bin2bn(sig + 32, 32, NULL);
  if (!grp || !pt || !key || !es || !r || !s)
    abort();
  if (EC_POINT_oct2point(grp, pt, pk, lpk, NULL) != 1 || EC_KEY_set_group(key, grp) != 1 ||
      EC_KEY_set_public_key(key, pt) != 1)
    goto out;
  if (k1) {
    /* secp256k1 verification refuses the malleable high-S form */
    half = BN_dup(EC_GROUP_get0_order(grp));
    if (!half || !BN_rshift1(half, half))
      abort();
    if (BN_cmp(s, half) > 0)
      goto out;
  }
  if (ECDSA_SIG_set0(es, r, s) != 1)
    goto out;
  r = s = NULL; /* owned by es now */
  ok = ECDSA_do_verify(msg, 32, es, key) == 1;
out:
  BN_free(r);
  BN_free(s);
  BN_free(half);
  ECDSA_SIG_free(es);
  EC_KEY_free(key);
  EC_POINT_free(pt);
  EC_GROUP_free(grp);
  if (!ok)
    return clvm__fail(a, args, k1 ? "secp256k1_verify failed" : "secp256r1_verify failed");
  *out = CLVM_NIL;
  return CP_OK;
}

cp_err clvm__secp_op(struct clvm_alloc *a, clvm_node op, clvm_node args,
                     uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost)
{
  const struct clvm_atom_ent *e = clvm__atom(a, op);
  (void)flags;
  if (e->len == 4 && !memcmp(e->p, "\x13\xd6\x1f\x00", 4))
    return op_secp(a, args, 1, max, out, cost);
  if (e->len == 4 && !memcmp(e->p, "\x1c\x3a\x8f\x00", 4))
    return op_secp(a, args, 0, max, out, cost);
  return CP_CLVM_BAD_OP;
}
