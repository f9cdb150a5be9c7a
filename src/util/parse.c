#include "util/parse.h"

#include <string.h>

cp_err parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
  uint64_t v = 0;

  if (len == 0 || len > 20)
    return CP_BAD_NUMBER;
  for (size_t i = 0; i < len; i++) {
    unsigned d;
    if (s[i] < '0' || s[i] > '9')
      return CP_BAD_NUMBER;
    d = (unsigned)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10)
      return CP_BAD_NUMBER;
    v = v * 10 + d;
  }
  if (v > max)
    return CP_BAD_NUMBER;
  *out = v;
  return CP_OK;
}

cp_err parse_u64_cstr(const char *s, uint64_t max, uint64_t *out)
{
  if (!s)
    return CP_BAD_NUMBER;
  return parse_u64(s, strlen(s), max, out);
}

cp_err parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
  uint64_t mag;
  int neg = 0;
  cp_err rc;

  if (len && s[0] == '-') {
    neg = 1;
    s++;
    len--;
  }
  rc = parse_u64(s, len, (uint64_t)INT64_MAX + 1, &mag);
  if (rc)
    return rc;
  if (neg) {
    int64_t v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    if (v < min || v > max)
      return CP_BAD_NUMBER;
    *out = v;
  } else {
    if (mag > (uint64_t)INT64_MAX || (int64_t)mag < min || (int64_t)mag > max)
      return CP_BAD_NUMBER;
    *out = (int64_t)mag;
  }
  return CP_OK;
}

cp_err parse_fixed(const char *s, size_t len, uint64_t scale, uint64_t max,
                   uint64_t *out)
{
  size_t dot = len;
  uint64_t ip = 0, fp = 0, div = 1;
  cp_err rc;

  for (size_t i = 0; i < len; i++)
    if (s[i] == '.') {
      dot = i;
      break;
    }
  rc = parse_u64(s, dot, UINT64_MAX / (scale ? scale : 1), &ip);
  if (rc)
    return rc;
  if (dot < len) {
    size_t flen = len - dot - 1;
    if (flen == 0 || flen > 18)
      return CP_BAD_NUMBER;
    rc = parse_u64(s + dot + 1, flen, UINT64_MAX, &fp);
    if (rc)
      return rc;
    for (size_t i = 0; i < flen; i++)
      div *= 10;
    /* digits finer than the scale must be zero, so nothing is rounded away */
    if (div > scale) {
      uint64_t q = div / scale;
      if (fp % q)
        return CP_BAD_NUMBER;
      fp /= q;
      div = scale;
    }
    fp = fp * (scale / div);
  }
  if (ip * scale > UINT64_MAX - fp || ip * scale + fp > max)
    return CP_BAD_NUMBER;
  *out = ip * scale + fp;
  return CP_OK;
}
