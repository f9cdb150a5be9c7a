/* Pool-protocol authentication tokens: minutes since the epoch divided by
 * the pool's authentication_token_timeout (pool-protocol.md §3). */
#ifndef CP_POOL_TOKEN_H
#define CP_POOL_TOKEN_H

#include <stdint.h>

/* floor(floor(unix_s / 60) / timeout_min); timeout_min >= 1. */
uint64_t token_current(uint64_t unix_s, uint8_t timeout_min);

/* 1 iff |token - current| <= timeout_min, as the reference validates
 * (a window of +-timeout tokens, i.e. +-timeout^2 minutes). */
int token_valid(uint64_t token, uint64_t unix_s, uint8_t timeout_min);

#endif
