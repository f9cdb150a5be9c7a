#include "util/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic uint64_t override_ms;

uint64_t clock_mono_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t clock_unix_ms(void)
{
  struct timespec ts;
  uint64_t o = atomic_load(&override_ms);
  if (o)
    return o;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t clock_unix_s(void)
{
  return clock_unix_ms() / 1000u;
}

void clock_set_override(uint64_t unix_ms)
{
  atomic_store(&override_ms, unix_ms);
}

void clock_sleep_ms(uint64_t ms)
{
  struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
  while (nanosleep(&ts, &ts) != 0)
    ;
}
