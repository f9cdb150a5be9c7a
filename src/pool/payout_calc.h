/* Payout arithmetic: who gets how many mojos from one payout round. Pure
 * integer functions (no I/O, no floating point) so the money rules can be
 * tested to the mojo; the payout engine records the plan in the store's
 * ledger atomically with the points reset / window advance.
 *
 * Proportional (the reference's PROP) and PPLNS share the same split; they
 * differ only in which points the caller passes (all points since the last
 * payout, or the last N points / T seconds of partials):
 *   pool_fee        = floor(total * fee_ppm / 1e6)
 *   blockchain_fee  = fee_per_tx * transactions needed for every member
 *   distributable   = total - pool_fee - blockchain_fee
 *   mojo_per_point  = floor(distributable / total_points)
 *   share_i         = points_i * mojo_per_point
 *   remainder       = distributable - sum(share_i)   (stays with the pool for
 *                                                   the next round)
 * PPS pays points_i * rate from the pool's own funds (the pool carries the
 * luck); the pool's block rewards are its income, not the farmers'.
 *
 * Both then add each member's carried balance: a due amount of at least
 * min_payout is paid (balance becomes 0), anything smaller is carried to
 * the next round. Outputs to the same puzzle hash are merged, because two
 * identical outputs of one transaction would be the same coin.
 *
 * Invariant (tested): pool_fee + blockchain_fee + paid + carried_increase +
 * remainder == total (PROP/PPLNS). */
#ifndef CP_POOL_PAYOUT_CALC_H
#define CP_POOL_PAYOUT_CALC_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct payout_member {
  uint8_t launcher_id[32];
  uint8_t puzzle_hash[32];  /* from the farmer's latest payout instructions */
  uint64_t points;          /* in this round's window */
  uint64_t balance;         /* carried from earlier rounds (mojos) */
};

struct payout_params {
  uint64_t fee_ppm;         /* pool fee, parts per million (PROP/PPLNS) */
  uint64_t fee_per_tx;      /* blockchain fee per payout transaction */
  uint64_t min_payout;      /* smaller dues are carried forward */
  uint32_t max_additions;   /* outputs per transaction (>= 2) */
  uint8_t pool_fee_puzzle_hash[32];
  uint64_t pps_rate;        /* PPS: mojos per point */
};

/* One transaction output (merged by puzzle hash). */
struct payout_output {
  uint8_t puzzle_hash[32];
  uint64_t amount;
  uint32_t tx;              /* which transaction (0-based) carries it */
};

struct payout_plan {
  uint64_t total;           /* PROP/PPLNS: the funds being distributed */
  uint64_t pool_fee;
  uint64_t blockchain_fee;
  uint64_t mojo_per_point;
  uint64_t remainder;       /* undistributed, stays with the pool */
  uint64_t paid;            /* sum of member payments this round */
  /* per member, same order as the input */
  uint64_t *earned;         /* share (or PPS credit) this round */
  uint64_t *paid_to;        /* paid this round (0 if carried) */
  uint64_t *new_balance;    /* carried after this round */
  /* outputs: the pool fee first (as the reference), then members */
  struct payout_output *outputs;
  size_t noutputs;
  uint32_t ntx;
};

/* PROP / PPLNS split of `total` mojos. CP_INVAL for bad parameters
 * (max_additions < 2, fee_ppm > 1e6); CP_BAD_NUMBER if the fees exceed the
 * total (nothing to distribute: the caller waits for more funds). With no
 * points at all the whole distributable amount is the remainder. */
cp_err payout_plan_shares(const struct payout_member *m, size_t n, uint64_t total,
                          const struct payout_params *p, struct payout_plan *out);

/* PPS: credit points * pps_rate; the pool pays outputs and blockchain fee
 * from `funds`. CP_BAD_NUMBER if funds cannot cover them (nothing planned)
 * or on overflow. */
cp_err payout_plan_pps(const struct payout_member *m, size_t n, uint64_t funds,
                       const struct payout_params *p, struct payout_plan *out);

void payout_plan_release(struct payout_plan *plan);

#endif
