#include "pool/token.h"

uint64_t token_current(uint64_t unix_s, uint8_t timeout_min)
{
  return unix_s / 60 / (timeout_min ? timeout_min : 1);
}

int token_valid(uint64_t token, uint64_t unix_s, uint8_t timeout_min)
{
  uint64_t cur = token_current(unix_s, timeout_min);
  uint64_t d = token > cur ? token - cur : cur - token;
  return d <= timeout_min;
}
