#include "chia/bech32m.h"

#include <string.h>

#define BECH32M_CONST 0x2bc830a3u

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t chk, uint8_t v)
{
  static const uint32_t gen[5] = { 0x3b6a57b2u, 0x26508e6du, 0x1ea119fau,
                                   0x3d4233ddu, 0x2a1462b3u };
  uint8_t top = (uint8_t)(chk >> 25);
  chk = (chk & 0x1ffffffu) << 5 ^ v;
  for (int i = 0; i < 5; i++)
    if ((top >> i) & 1)
      chk ^= gen[i];
  return chk;
}

/* Checksum state after the expanded HRP (high bits, 0, low bits). */
static uint32_t hrp_polymod(const char *hrp, size_t n)
{
  uint32_t chk = 1;
  for (size_t i = 0; i < n; i++)
    chk = polymod_step(chk, (uint8_t)((unsigned char)hrp[i] >> 5));
  chk = polymod_step(chk, 0);
  for (size_t i = 0; i < n; i++)
    chk = polymod_step(chk, (uint8_t)(hrp[i] & 31));
  return chk;
}

static int charset_val(char c)
{
  const char *p = c ? strchr(charset, c) : NULL;
  return p ? (int)(p - charset) : -1;
}

cp_err bech32m_encode_ph(const char *hrp, const uint8_t ph[32], char *out,
                         size_t cap)
{
  uint8_t data[52 + 6];
  size_t hn = strlen(hrp), nd = 0, o = 0;
  uint32_t acc = 0, chk;
  int bits = 0;

  if (hn == 0 || hn > BECH32M_HRP_MAX || hn + 1 + 58 > BECH32M_MAX_LEN)
    return CP_INVAL;
  for (size_t i = 0; i < hn; i++)
    if (hrp[i] < 33 || hrp[i] > 126 || (hrp[i] >= 'A' && hrp[i] <= 'Z'))
      return CP_INVAL;
  if (cap < hn + 1 + 58 + 1)
    return CP_TOO_BIG;
  /* 8-bit bytes to 5-bit groups, zero-padded at the end */
  for (int i = 0; i < 32; i++) {
    acc = acc << 8 | ph[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data[nd++] = (uint8_t)((acc >> bits) & 31);
    }
  }
  if (bits)
    data[nd++] = (uint8_t)((acc << (5 - bits)) & 31);
  chk = hrp_polymod(hrp, hn);
  for (size_t i = 0; i < nd; i++)
    chk = polymod_step(chk, data[i]);
  for (int i = 0; i < 6; i++)
    chk = polymod_step(chk, 0);
  chk ^= BECH32M_CONST;
  for (int i = 0; i < 6; i++)
    data[nd++] = (uint8_t)((chk >> (5 * (5 - i))) & 31);
  memcpy(out, hrp, hn);
  o = hn;
  out[o++] = '1';
  for (size_t i = 0; i < nd; i++)
    out[o++] = charset[data[i]];
  out[o] = 0;
  return CP_OK;
}

cp_err bech32m_decode_ph(const char *s, size_t len, char *hrp_out,
                         size_t hrp_cap, uint8_t ph[32])
{
  char lower[BECH32M_MAX_LEN];
  uint8_t out[33];
  int has_lower = 0, has_upper = 0;
  size_t sep = 0, nd, nb = 0;
  uint32_t chk, acc = 0;
  int bits = 0;

  if (len < 8 || len > BECH32M_MAX_LEN)
    return CP_BAD_ADDRESS;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c < 33 || c > 126)
      return CP_BAD_ADDRESS;
    if (c >= 'a' && c <= 'z')
      has_lower = 1;
    if (c >= 'A' && c <= 'Z') {
      has_upper = 1;
      c = (char)(c - 'A' + 'a');
    }
    lower[i] = c;
    if (c == '1')
      sep = i;
  }
  if (has_lower && has_upper)
    return CP_BAD_ADDRESS;
  /* separator is the last '1'; hrp non-empty; 6 checksum chars */
  if (sep == 0 || len - sep - 1 < 6 || sep > BECH32M_HRP_MAX || sep + 1 > hrp_cap)
    return CP_BAD_ADDRESS;
  nd = len - sep - 1;
  /* 32 bytes = 52 groups of 5 bits (4 padding bits) + 6 checksum groups */
  if (nd != 52 + 6)
    return CP_BAD_ADDRESS;
  chk = hrp_polymod(lower, sep);
  for (size_t i = 0; i < nd; i++) {
    int v = charset_val(lower[sep + 1 + i]);
    if (v < 0)
      return CP_BAD_ADDRESS;
    chk = polymod_step(chk, (uint8_t)v);
    if (i < nd - 6) {
      acc = acc << 5 | (uint32_t)v;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out[nb++] = (uint8_t)(acc >> bits);
      }
      acc &= (1u << bits) - 1;
    }
  }
  if (chk != BECH32M_CONST)
    return CP_BAD_ADDRESS;
  /* leftover must be under 5 bits and all zero (no pad=False slack) */
  if (nb != 32 || bits >= 5 || acc != 0)
    return CP_BAD_ADDRESS;
  memcpy(hrp_out, lower, sep);
  hrp_out[sep] = 0;
  memcpy(ph, out, 32);
  return CP_OK;
}

cp_err bech32m_decode_ph_expect(const char *s, size_t len, const char *prefix,
                                uint8_t ph[32])
{
  char hrp[BECH32M_HRP_MAX + 1];
  uint8_t tmp[32];
  cp_err rc = bech32m_decode_ph(s, len, hrp, sizeof hrp, tmp);

  if (rc)
    return rc;
  if (strcmp(hrp, prefix))
    return CP_BAD_ADDRESS;
  memcpy(ph, tmp, 32);
  return CP_OK;
}
