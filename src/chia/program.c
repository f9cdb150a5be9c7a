#include "chia/program.h"

/* Skip one atom whose first byte is b at p[*i-1]; *i indexes the next byte.
 * Returns CP_OK with *i past the atom. */
static cp_err skip_atom(const uint8_t *p, size_t n, uint8_t b, size_t *i)
{
  unsigned ones = 0;
  uint64_t len;

  if (b < 0x80)
    return CP_OK;
  while (ones < 8 && (b & (0x80u >> ones)))
    ones++;
  /* 0xfe (7 ones) and 0xff (8) are not atoms */
  if (ones > 6)
    return CP_CLVM_SERIAL;
  len = b & (0xffu >> (ones + 1));
  if (n - *i < ones - 1)
    return CP_TRUNCATED;
  for (unsigned k = 1; k < ones; k++)
    len = len << 8 | p[(*i)++];
  if (len > n - *i)
    return CP_TRUNCATED;
  *i += (size_t)len;
  return CP_OK;
}

cp_err chia_program_len(const uint8_t *p, size_t n, size_t max_len,
                        size_t *len)
{
  size_t i = 0;
  size_t pending = 1;
  cp_err rc;

  if (n > max_len)
    n = max_len + 1; /* reading past max_len only ever reports the limit */
  while (pending) {
    uint8_t b;
    if (i >= n)
      return i > max_len ? CP_CLVM_LIMIT : CP_TRUNCATED;
    b = p[i++];
    pending--;
    if (b == 0xff) {
      if (pending + 2 > CHIA_PROGRAM_MAX_PENDING)
        return CP_CLVM_LIMIT;
      pending += 2;
      continue;
    }
    if (b == 0xfe) {
      if (i >= n)
        return i > max_len ? CP_CLVM_LIMIT : CP_TRUNCATED;
      b = p[i++];
    }
    rc = skip_atom(p, n, b, &i);
    if (rc == CP_TRUNCATED && n > max_len)
      return CP_CLVM_LIMIT;
    if (rc)
      return rc;
  }
  if (i > max_len)
    return CP_CLVM_LIMIT;
  *len = i;
  return CP_OK;
}
