/* Time sources. The pool never calls time() directly: tests and the
 * simulator substitute a clock so tokens, delays and difficulty windows are
 * reproducible. */
#ifndef CP_UTIL_CLOCK_H
#define CP_UTIL_CLOCK_H

#include <stdint.h>

uint64_t clock_mono_ms(void);   /* monotonic, for intervals */
uint64_t clock_unix_ms(void);   /* wall clock (or the override) */
uint64_t clock_unix_s(void);
/* Override the wall clock (ms since epoch; 0 restores the real one). */
void clock_set_override(uint64_t unix_ms);
void clock_sleep_ms(uint64_t ms);

#endif
