/* Spend conditions: parse the list a puzzle returns into typed records, with
 * chia_rs' argument sanitising and condition costs (docs/clvm.md §5).
 *
 * This is the per-spend part only. Checks that need the whole bundle or
 * the chain (announcements matched, fees, time locks against the peak,
 * ASSERT_MY_* against the spent coin, signatures) are the caller's, using
 * the records and the helpers below. Errors: CP_CLVM_COND for a malformed
 * or failing condition (clvm_conds.err_index says which), CP_CLVM_COST when
 * condition costs run past the budget. */
#ifndef CP_CLVM_CONDITIONS_H
#define CP_CLVM_CONDITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "clvm/clvm.h"
#include "util/buf.h"
#include "util/err.h"

enum clvm_cond_op {
  COND_REMARK = 1,
  COND_AGG_SIG_PARENT = 43,
  COND_AGG_SIG_PUZZLE = 44,
  COND_AGG_SIG_AMOUNT = 45,
  COND_AGG_SIG_PUZZLE_AMOUNT = 46,
  COND_AGG_SIG_PARENT_AMOUNT = 47,
  COND_AGG_SIG_PARENT_PUZZLE = 48,
  COND_AGG_SIG_UNSAFE = 49,
  COND_AGG_SIG_ME = 50,
  COND_CREATE_COIN = 51,
  COND_RESERVE_FEE = 52,
  COND_CREATE_COIN_ANNOUNCEMENT = 60,
  COND_ASSERT_COIN_ANNOUNCEMENT = 61,
  COND_CREATE_PUZZLE_ANNOUNCEMENT = 62,
  COND_ASSERT_PUZZLE_ANNOUNCEMENT = 63,
  COND_ASSERT_CONCURRENT_SPEND = 64,
  COND_ASSERT_CONCURRENT_PUZZLE = 65,
  COND_SEND_MESSAGE = 66,
  COND_RECEIVE_MESSAGE = 67,
  COND_ASSERT_MY_COIN_ID = 70,
  COND_ASSERT_MY_PARENT_ID = 71,
  COND_ASSERT_MY_PUZZLEHASH = 72,
  COND_ASSERT_MY_AMOUNT = 73,
  COND_ASSERT_MY_BIRTH_SECONDS = 74,
  COND_ASSERT_MY_BIRTH_HEIGHT = 75,
  COND_ASSERT_EPHEMERAL = 76,
  COND_ASSERT_SECONDS_RELATIVE = 80,
  COND_ASSERT_SECONDS_ABSOLUTE = 81,
  COND_ASSERT_HEIGHT_RELATIVE = 82,
  COND_ASSERT_HEIGHT_ABSOLUTE = 83,
  COND_ASSERT_BEFORE_SECONDS_RELATIVE = 84,
  COND_ASSERT_BEFORE_SECONDS_ABSOLUTE = 85,
  COND_ASSERT_BEFORE_HEIGHT_RELATIVE = 86,
  COND_ASSERT_BEFORE_HEIGHT_ABSOLUTE = 87,
  COND_SOFTFORK = 90,
};

/* One parsed condition. Which fields are set depends on op:
 *  AGG_SIG_*: pk, msg.   CREATE_COIN: hash (puzzle hash), value (amount),
 *  hint (if a memo list starts with an atom of <= 32 bytes), memos (the
 *  memo list node or CLVM_NIL).   RESERVE_FEE, ASSERT_MY_AMOUNT, time and
 *  height asserts, ASSERT_MY_BIRTH_*: value.   announcements and messages:
 *  msg (CREATE_*) or hash (ASSERT_*, the 32-byte announcement id).
 *  ASSERT_MY_COIN_ID/PARENT_ID/PUZZLEHASH, ASSERT_CONCURRENT_*: hash.
 *  SEND/RECEIVE_MESSAGE: mode in value, msg, the other side's args node in
 *  memos. Pointers point into the arena. */
struct clvm_cond {
  uint16_t op;
  uint8_t hash[32];
  uint8_t pk[48];
  uint64_t value;
  const uint8_t *msg;
  size_t msg_len;
  uint8_t hint[32];
  size_t hint_len; /* 0 = no hint */
  clvm_node memos;
  /* a time assert that is trivially true (negative "after", too large
   * "before"): kept so relative ones still count for ASSERT_EPHEMERAL */
  int dropped;
};

struct clvm_conds {
  struct clvm_cond *items;
  size_t n, cap;
  uint64_t cost;         /* condition cost of this spend */
  uint64_t reserve_fee;  /* sum of RESERVE_FEE */
  uint64_t created;      /* sum of CREATE_COIN amounts (saturating: see rc) */
  size_t err_index;      /* index in the list of the failing condition */
};

enum {
  CLVM_COND_STRICT = 1u << 0,  /* mempool: unknown conditions, extra args and
                                  improper argument lists are errors */
  CLVM_COND_COST_CONDITIONS = 1u << 1, /* hard fork 2 costs (not active) */
};

#define CLVM_CREATE_COIN_COST 1800000u
#define CLVM_AGG_SIG_COST 1200000u

/* --- lifecycle --- */
void clvm_conds_init(struct clvm_conds *c);
void clvm_conds_release(struct clvm_conds *c);

/* Parse the result of running a puzzle. max_cost (0 = unlimited) bounds the
 * condition cost alone; callers subtract execution cost first. */
cp_err clvm_conds_parse(const struct clvm_alloc *a, clvm_node result,
                        unsigned flags, uint64_t max_cost, struct clvm_conds *out);

/* --- helpers --- */
/* Cost of an unknown 2-byte condition opcode (256..65535; 0 below). */
uint64_t clvm_cond_unknown_cost(uint32_t op);
/* sha256(coin_id || msg) or sha256(puzzle_hash || msg). */
void clvm_announcement_id(const uint8_t who[32], const uint8_t *msg, size_t n,
                          uint8_t out[32]);
/* The message an AGG_SIG_* condition signs (docs/clvm.md §5.3), appended to
 * out: msg || suffix. additional_data is the network's genesis challenge
 * (AGG_SIG_ME's data; the others are derived from it). */
cp_err clvm_cond_agg_sig_msg(const struct clvm_cond *c, const uint8_t parent[32],
                             const uint8_t puzzle_hash[32], uint64_t amount,
                             const uint8_t additional_data[32], struct buf *out);

/* AGG_SIG_UNSAFE may not sign a message (>= 32 bytes) ending in any of the
 * seven additional-data values (AGG_SIG_ME's and the six derived ones):
 * 1 if c's message is acceptable. Needs the network, so it is not part of
 * clvm_conds_parse. */
int clvm_cond_unsafe_msg_ok(const struct clvm_cond *c,
                            const uint8_t additional_data[32]);

#endif
