#include "pool/difficulty.h"

void difficulty_params_default(struct difficulty_params *p)
{
  p->min_difficulty = 1;
  p->max_difficulty = 0;
  p->partials_target = 300;
  p->time_target_s = 86400;
  p->slow_after_s = 2700;
  p->very_slow_after_s = 10800;
}

static uint64_t clamp(const struct difficulty_params *p, unsigned __int128 v)
{
  if (v < p->min_difficulty)
    v = p->min_difficulty;
  if (p->max_difficulty && v > p->max_difficulty)
    v = p->max_difficulty;
  if (v > UINT64_MAX)
    v = UINT64_MAX;
  return (uint64_t)v;
}

uint64_t difficulty_next(const struct difficulty_params *p, uint64_t current,
                         const struct recent_partial *recent, size_t n,
                         uint64_t now)
{
  uint64_t newest, oldest, span, since;
  unsigned __int128 num, den;

  if (p->partials_target && n > p->partials_target)
    n = (size_t)p->partials_target;
  if (n == 0)
    return current;
  /* A window that mixes difficulties says nothing about the current one:
   * wait until a full set was earned at this difficulty. */
  for (size_t i = 0; i < n; i++)
    if (recent[i].difficulty != current)
      return current;

  newest = recent[0].timestamp;
  oldest = recent[n - 1].timestamp;
  since = now > newest ? now - newest : 0;
  if (since > p->very_slow_after_s)
    return clamp(p, current / 5);
  if (since > p->slow_after_s)
    return clamp(p, (unsigned __int128)current * 2 / 3);

  span = newest > oldest ? newest - oldest : 0;
  if (n < p->partials_target && span < p->time_target_s)
    return current;
  /* A burst inside one second would divide by zero (the reference crashes
   * there); one second is the resolution of the timestamps. */
  if (span == 0)
    span = 1;
  num = (unsigned __int128)current * p->time_target_s * n;
  den = (unsigned __int128)span * (p->partials_target ? p->partials_target : n);
  return clamp(p, num / den);
}
