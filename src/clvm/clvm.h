/* CLVM: node allocator, serialisation, tree hash, curry, integers and the
 * interpreter (consensus-exact with clvm_rs' classic cost model; see
 * docs/clvm.md).
 *
 * Nodes live in an arena (struct clvm_alloc) and are named by integer handles
 * (clvm_node), like clvm_rs: no per-node malloc, no reference counting, the
 * whole arena is freed at once. A handle is only meaningful with the arena
 * that made it. Atoms are immutable byte strings; pairs hold two handles.
 * Every allocation is bounded (atom count, pair count, heap bytes), so an
 * untrusted program or serialisation fails with CP_CLVM_LIMIT instead of
 * exhausting memory.
 *
 * Error codes: CP_CLVM_SERIAL (malformed bytes), CP_CLVM_LIMIT (arena or
 * stack limits), CP_CLVM_RAISE (`x`), CP_CLVM_COST (over max cost),
 * CP_CLVM_BAD_OP (unknown/disabled operator in strict mode, reserved
 * opcodes), CP_CLVM_EVAL (any other evaluation error: wrong argument count
 * or type, path into atom, division by zero, failed BLS check, ...). */
#ifndef CP_CLVM_CLVM_H
#define CP_CLVM_CLVM_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* Handle: bit 0 set = pair, clear = atom; the rest is an index. */
typedef uint32_t clvm_node;

struct clvm_alloc;

/* The two atoms every arena starts with. */
#define CLVM_NIL ((clvm_node)0) /* the empty atom */
#define CLVM_ONE ((clvm_node)2) /* the atom 01 */

/* Arena limits (clvm_rs: 62.5M atoms, 62.5M pairs, heap u32::MAX or 500 MB
 * with LIMIT_HEAP). heap_limit 0 selects CLVM_HEAP_LIMIT_DEFAULT. */
#define CLVM_MAX_ATOMS 62500000u
#define CLVM_MAX_PAIRS 62500000u
#define CLVM_HEAP_LIMIT_DEFAULT 500000000u

/* --- lifecycle --- */
struct clvm_alloc *clvm_alloc_new(size_t heap_limit);
void clvm_alloc_free(struct clvm_alloc *a);
/* Drop every node made after the arena was in state `mark` (from
 * clvm_alloc_mark); handles made later become invalid. */
struct clvm_mark {
  uint32_t atoms, pairs;
  size_t heap;
  size_t chunks, chunk_used; /* internal */
};
void clvm_alloc_mark(const struct clvm_alloc *a, struct clvm_mark *m);
void clvm_alloc_restore(struct clvm_alloc *a, const struct clvm_mark *m);
/* Counters (for tests and limits in callers). */
size_t clvm_alloc_atoms(const struct clvm_alloc *a);
size_t clvm_alloc_pairs(const struct clvm_alloc *a);
size_t clvm_alloc_heap(const struct clvm_alloc *a);

/* --- construction --- */
cp_err clvm_new_atom(struct clvm_alloc *a, const void *p, size_t n, clvm_node *out);
cp_err clvm_new_pair(struct clvm_alloc *a, clvm_node first, clvm_node rest,
                     clvm_node *out);
/* A view of bytes [start, end) of an existing atom (no copy). */
cp_err clvm_new_substr(struct clvm_alloc *a, clvm_node atom, size_t start,
                       size_t end, clvm_node *out);
/* Minimal signed big-endian encoding (0 -> nil, 128 -> 0080, -1 -> ff). */
cp_err clvm_new_int(struct clvm_alloc *a, int64_t v, clvm_node *out);
cp_err clvm_new_u64(struct clvm_alloc *a, uint64_t v, clvm_node *out);
/* A proper (nil-terminated) list of n items. */
cp_err clvm_new_list(struct clvm_alloc *a, const clvm_node *items, size_t n,
                     clvm_node *out);

/* --- queries --- */
static inline int clvm_is_pair(clvm_node n) { return (int)(n & 1u); }
static inline int clvm_is_atom(clvm_node n) { return !(n & 1u); }
/* first/rest of a pair; of an atom they return CLVM_NIL (callers that care
 * check clvm_is_pair first). */
clvm_node clvm_first(const struct clvm_alloc *a, clvm_node n);
clvm_node clvm_rest(const struct clvm_alloc *a, clvm_node n);
/* Atom bytes (valid until the arena is freed or restored past it) and length;
 * a pair gives NULL and length 0. */
const uint8_t *clvm_atom(const struct clvm_alloc *a, clvm_node n, size_t *len);
size_t clvm_atom_len(const struct clvm_alloc *a, clvm_node n);
int clvm_is_nil(const struct clvm_alloc *a, clvm_node n); /* empty atom */
/* Tree equality (iterative); falls back to comparing tree hashes when the
 * walk gets long, so shared-subtree DAGs cannot make it exponential. */
int clvm_equal(const struct clvm_alloc *a, clvm_node x, clvm_node y);

/* --- integers (two's complement, big endian, any length accepted) --- */
/* CP_BAD_NUMBER if out of range, CP_INVAL for a pair. */
cp_err clvm_to_i64(const struct clvm_alloc *a, clvm_node n, int64_t *out);
/* Negative values are CP_BAD_NUMBER. */
cp_err clvm_to_u64(const struct clvm_alloc *a, clvm_node n, uint64_t *out);
/* Minimal encoding of v into out (>= 9 bytes); returns its length. */
size_t clvm_int_encode(int64_t v, uint8_t out[9]);
size_t clvm_u64_encode(uint64_t v, uint8_t out[9]);
/* 1 if the bytes are the minimal encoding of their value. */
int clvm_int_is_canonical(const uint8_t *p, size_t n);

/* --- lists --- */
/* Number of items of a proper list; CP_INVAL if not nil-terminated. */
cp_err clvm_list_len(const struct clvm_alloc *a, clvm_node list, size_t *n);
/* Copy up to cap items into items[]; CP_TOO_BIG if more, CP_INVAL if the
 * list is not nil-terminated. *n gets the count. */
cp_err clvm_list_items(const struct clvm_alloc *a, clvm_node list,
                       clvm_node *items, size_t cap, size_t *n);

/* --- serialisation --- */
enum {
  CLVM_DE_BACKREFS = 1u << 0, /* accept 0xfe back-references (generators) */
  CLVM_DE_PREFIX = 1u << 1,   /* ignore bytes after the first object */
};
/* Parse one object. Without CLVM_DE_PREFIX, trailing bytes are an error
 * (CP_CLVM_SERIAL). *used (may be NULL) gets the bytes consumed. Limits:
 * arena limits, atom length < 2^34 and <= remaining input. Iterative. */
cp_err clvm_deserialize(struct clvm_alloc *a, const uint8_t *p, size_t n,
                        unsigned flags, clvm_node *out, size_t *used);
/* Length of the first plain-format object in p without building it. */
cp_err clvm_serialized_length(const uint8_t *p, size_t n, size_t *len);
/* 1 iff p is exactly one object (back-refs allowed) with minimal prefixes. */
int clvm_is_canonical(const uint8_t *p, size_t n);
/* Plain format appended to out (bounded by out's max: CP_TOO_BIG). */
cp_err clvm_serialize(const struct clvm_alloc *a, clvm_node n, struct buf *out);

/* --- tree hash --- */
/* Pair hashes are cached in the arena (so shared subtrees and repeated
 * calls are cheap); an arena is single-threaded, clvm_tree_hash included. */
void clvm_tree_hash(const struct clvm_alloc *a, clvm_node n, uint8_t out[32]);
void clvm_tree_hash_atom(const void *p, size_t n, uint8_t out[32]);
void clvm_tree_hash_pair(const uint8_t first[32], const uint8_t rest[32],
                         uint8_t out[32]);
/* Hash of bytes that are one serialized object, without an arena. */
cp_err clvm_tree_hash_bytes(const uint8_t *p, size_t n, uint8_t out[32]);

/* --- curry (standard form: (a (q . MOD) (c (q . a1) ... (c (q . an) 1)))) --- */
cp_err clvm_curry(struct clvm_alloc *a, clvm_node mod, const clvm_node *args,
                  size_t nargs, clvm_node *out);
/* CP_NOT_FOUND if prog is not in curried form; CP_TOO_BIG if more than cap
 * args. *nargs gets the count. */
cp_err clvm_uncurry(const struct clvm_alloc *a, clvm_node prog, clvm_node *mod,
                    clvm_node *args, size_t cap, size_t *nargs);
/* Tree hash of curry(MOD, args) from MOD's hash and the args' tree hashes. */
void clvm_curry_tree_hash(const uint8_t mod_hash[32],
                          const uint8_t (*arg_hashes)[32], size_t nargs,
                          uint8_t out[32]);

/* --- interpreter --- */
/* Dialect flags (our own bit values; map chia_rs flags by name). */
enum {
  CLVM_F_NO_UNKNOWN_OPS = 1u << 0,  /* unknown op -> CP_CLVM_BAD_OP */
  CLVM_F_CANONICAL_INTS = 1u << 1,  /* no redundant 00 in uint args */
  CLVM_F_LIMIT_HEAP = 1u << 2,      /* caller should size the arena: 500 MB */
  CLVM_F_DISABLE_OP = 1u << 3,      /* modpow off, big dividends refused */
  CLVM_F_LIMIT_SOFTFORK = 1u << 4,  /* softfork nesting <= 20 */
  CLVM_F_RELAXED_BLS = 1u << 5,     /* g1/g2_negate length-only checks */
  CLVM_F_LIMITS = 1u << 6,          /* operand size caps for * / % divmod */
  CLVM_F_KECCAK = 1u << 7,          /* keccak256 outside softfork (hard fork 2) */
};
/* What the mempool (and so the pool, for dry runs) uses. */
#define CLVM_F_MEMPOOL                                                       \
  (CLVM_F_NO_UNKNOWN_OPS | CLVM_F_LIMIT_HEAP | CLVM_F_DISABLE_OP |           \
   CLVM_F_CANONICAL_INTS | CLVM_F_LIMIT_SOFTFORK)

/* Evaluate program in env: the full current Chia dialect (classic costs),
 * incl. BLS ops, coinid, modpow/% , keccak256 (softfork extension 1 or
 * CLVM_F_KECCAK) and the 4-byte secp256k1/r1_verify opcodes. Not
 * implemented: sha256tree (63) and the 1-byte secp opcodes (64/65), which
 * no deployed flag set enables; they are unknown operators here. Unknown
 * operators: CP_CLVM_BAD_OP with CLVM_F_NO_UNKNOWN_OPS (mempool, what the
 * pool uses), else a costed no-op returning nil (consensus).
 * max_cost 0 = unlimited. On success *result and
 * *cost are set; on failure *result is left alone and *cost (may be NULL)
 * gets the cost reached. clvm_last_error_node() names the node an error is
 * about (the raised value for CP_CLVM_RAISE), CLVM_NIL if none. */
cp_err clvm_run(struct clvm_alloc *a, clvm_node program, clvm_node env,
                uint64_t max_cost, unsigned flags, clvm_node *result,
                uint64_t *cost);
clvm_node clvm_last_error_node(const struct clvm_alloc *a);
/* Short reason for the last CP_CLVM_EVAL-type error ("path into atom"). */
const char *clvm_last_error_msg(const struct clvm_alloc *a);

/* Apply one operator (atom opcode) to an already-evaluated argument list,
 * as clvm_rs' op-tests do; *cost gets the operator's own cost only.
 * max_cost 0 = unlimited. `a` (2) and softfork (36) are evaluator forms,
 * not operators: here they are unknown opcodes. */
cp_err clvm_apply_op(struct clvm_alloc *a, clvm_node op, clvm_node args,
                     uint64_t max_cost, unsigned flags, clvm_node *result,
                     uint64_t *cost);

#endif
