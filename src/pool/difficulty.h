/* Per-farmer difficulty adjustment: the seed's algorithm (pool-reference
 * README) with the reference implementation's details, every threshold a
 * parameter. Pure functions: no I/O, no clock. */
#ifndef CP_POOL_DIFFICULTY_H
#define CP_POOL_DIFFICULTY_H

#include <stddef.h>
#include <stdint.h>

struct difficulty_params {
  uint64_t min_difficulty;
  uint64_t max_difficulty;      /* 0 = no cap */
  uint64_t partials_target;     /* partials per time_target (seed: 300) */
  uint64_t time_target_s;       /* seed: 24 h */
  uint64_t slow_after_s;        /* seed: 45 min (reference code: 1 h) */
  uint64_t very_slow_after_s;   /* seed: 3 h */
};

/* Seed defaults: min 1, no cap, 300 per 86400 s, 2700 s, 10800 s. */
void difficulty_params_default(struct difficulty_params *p);

struct recent_partial {
  uint64_t timestamp; /* unix seconds */
  uint64_t difficulty;
};

/* New difficulty for a farmer at `now`, given its most recent confirmed
 * partials NEWEST FIRST (at most partials_target are looked at).
 *
 * - no partials, or any of them at another difficulty (it changed recently):
 *   keep current;
 * - newest older than very_slow_after_s: current / 5;
 * - newest older than slow_after_s: current / 1.5;
 * - fewer than partials_target partials spanning less than time_target:
 *   keep current;
 * - otherwise scale so partials_target partials take time_target:
 *   current * time_target * n / (span * partials_target).
 * Results are clamped to [min_difficulty, max_difficulty]. Exact integer
 * arithmetic (the reference uses floats; this is the exact quotient, floored). */
uint64_t difficulty_next(const struct difficulty_params *p, uint64_t current,
                         const struct recent_partial *recent, size_t n,
                         uint64_t now);

#endif
