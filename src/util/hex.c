#include "util/hex.h"

static const char hexdig[] = "0123456789abcdef";

void hex_encode(char *out, const uint8_t *in, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hexdig[in[i] >> 4];
    out[2 * i + 1] = hexdig[in[i] & 15];
  }
  out[2 * n] = 0;
}

void hex_encode0x(char *out, const uint8_t *in, size_t n)
{
  out[0] = '0';
  out[1] = 'x';
  hex_encode(out + 2, in, n);
}

static int hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

cp_err hex_decode(uint8_t *out, size_t cap, size_t *n, const char *s, size_t len)
{
  if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2;
    len -= 2;
  }
  if (len % 2)
    return CP_BAD_HEX;
  if (len / 2 > cap)
    return CP_TOO_BIG;
  for (size_t i = 0; i < len / 2; i++) {
    int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return CP_BAD_HEX;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  *n = len / 2;
  return CP_OK;
}

cp_err hex_decode_exact(uint8_t *out, size_t n, const char *s, size_t len)
{
  size_t got;
  size_t body = len;
  cp_err rc;

  if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    body -= 2;
  if (body != 2 * n)
    return CP_BAD_HEX;
  rc = hex_decode(out, n, &got, s, len);
  return rc == CP_TOO_BIG ? CP_BAD_HEX : rc;
}
