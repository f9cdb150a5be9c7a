/* Internals shared by the clvm source files (not part of the API). */
#ifndef CP_CLVM_CLVM_INT_H
#define CP_CLVM_CLVM_INT_H

#include "clvm/clvm.h"

#include <openssl/bn.h>

struct clvm_atom_ent {
  const uint8_t *p;
  uint32_t len;
};

struct clvm_pair_ent {
  clvm_node first, rest;
};

struct clvm_chunk {
  uint8_t *p;
  size_t cap, used;
};

struct clvm_alloc {
  struct clvm_atom_ent *atoms;
  uint32_t natoms, atom_cap;
  struct clvm_pair_ent *pairs;
  uint32_t npairs, pair_cap;
  struct clvm_chunk *chunks;
  size_t nchunks, chunk_cap;
  size_t heap, heap_limit;
  /* tree-hash cache per pair index: nodes are immutable, so a hash stays
   * valid until the pair is dropped by clvm_alloc_restore */
  uint8_t (*hcache)[32];
  uint8_t *hvalid;
  uint32_t hcap;
  clvm_node err_node;
  const char *err_msg;
};

/* New atom of n bytes whose contents the caller fills through *buf. */
cp_err clvm__new_atom_buf(struct clvm_alloc *a, size_t n, uint8_t **buf,
                          clvm_node *out);

/* keccak256 (keccak.c) */
struct clvm_keccak {
  uint64_t st[25];
  uint8_t buf[136];
  size_t fill;
};
void clvm__keccak_init(struct clvm_keccak *k);
void clvm__keccak_update(struct clvm_keccak *k, const uint8_t *p, size_t n);
void clvm__keccak_final(struct clvm_keccak *k, uint8_t out[32]);

/* Internal dialect flag: set by the evaluator inside a softfork guard
 * with extension 1, where keccak256 is available. */
#define CLVM_F__KECCAK_EXT (1u << 30)

/* --- operator helpers (ops.c) --- */
/* Record the node and reason, return CP_CLVM_EVAL. */
cp_err clvm__fail(struct clvm_alloc *a, clvm_node n, const char *msg);
/* Exactly n arguments into out[] (error msg otherwise). */
cp_err clvm__args(struct clvm_alloc *a, clvm_node args, size_t n, clvm_node *out,
                  const char *msg);
cp_err clvm__atom_arg(struct clvm_alloc *a, clvm_node n, const uint8_t **p,
                      size_t *len, const char *msg);
cp_err clvm__i32_arg(struct clvm_alloc *a, clvm_node n, int32_t *out);
/* Next item of a variadic argument list (*more = 0 at its end); an
 * improper end is an error. */
cp_err clvm__next_arg(struct clvm_alloc *a, clvm_node *l, clvm_node *arg, int *more);
cp_err clvm__over_cost(uint64_t cost, uint64_t max);
/* core_ops.c: control, list, compare, hash and string operators. */
cp_err clvm__core_op(struct clvm_alloc *a, uint8_t op, clvm_node args,
                     uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost);
/* New atom charging 10 per byte to *cost. */
cp_err clvm__new_atom_cost(struct clvm_alloc *a, const uint8_t *p, size_t n,
                           clvm_node *out, uint64_t *cost);
BIGNUM *clvm__bn_from(const uint8_t *p, size_t n);
cp_err clvm__bn_atom(struct clvm_alloc *a, const BIGNUM *b, clvm_node *out,
                     uint64_t *cost);
/* clvm_apply_op with a raw budget (0 means none left). */
cp_err clvm__apply_op(struct clvm_alloc *a, clvm_node op, clvm_node args,
                      uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost);
/* BLS and coinid operators (bls_ops.c); CP_CLVM_BAD_OP if not one. */
cp_err clvm__bls_op(struct clvm_alloc *a, uint8_t op, clvm_node args,
                    uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost);
/* 4-byte secp opcodes (bls_ops.c). */
cp_err clvm__secp_op(struct clvm_alloc *a, clvm_node op, clvm_node args,
                     uint64_t max, unsigned flags, clvm_node *out, uint64_t *cost);

static inline const struct clvm_atom_ent *clvm__atom(const struct clvm_alloc *a,
                                                     clvm_node n)
{
  return &a->atoms[n >> 1];
}

static inline const struct clvm_pair_ent *clvm__pair(const struct clvm_alloc *a,
                                                     clvm_node n)
{
  return &a->pairs[n >> 1];
}

#endif
