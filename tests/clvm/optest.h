/* Reader for clvm_rs op-test notation, shared by the clvm tests:
 *   OPNAME ARG ARG ... => EXPECTED | COST     or     ... => FAIL
 * ARG: decimal (minimal encoding, 0 = nil), 0x.. raw bytes, "text",
 * ( ... ) lists with an optional " . " tail. Header-only (static) so each
 * test executable stays a single source file as CMake expects. */
#ifndef CP_TEST_CLVM_OPTEST_H
#define CP_TEST_CLVM_OPTEST_H

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "clvm/clvm.h"
#include "util/hex.h"

struct ot_tok {
  char t[8192];
};

static const char *ot_next(const char *s, char *out, size_t cap)
{
  size_t n = 0;
  while (*s == ' ')
    s++;
  while (*s && *s != ' ' && n + 1 < cap)
    out[n++] = *s++;
  out[n] = 0;
  return s;
}

/* Decimal string to a minimal atom (via BIGNUM). */
static clvm_node ot_dec(struct clvm_alloc *a, const char *s)
{
  BIGNUM *b = NULL;
  size_t m;
  uint8_t buf[512];
  clvm_node out;
  int neg = s[0] == '-';
  if (!BN_dec2bn(&b, neg ? s + 1 : s))
    abort();
  m = (size_t)BN_num_bytes(b);
  if (m + 1 > sizeof buf)
    abort();
  buf[0] = 0;
  BN_bn2binpad(b, buf + 1, (int)m);
  if (neg) {
    for (size_t i = 0; i <= m; i++)
      buf[i] = (uint8_t)~buf[i];
    for (size_t i = m + 1; i-- > 0;)
      if (++buf[i])
        break;
  }
  BN_free(b);
  {
    const uint8_t *p = buf;
    size_t n = m + 1;
    while (n && p[0] == 0 && (n == 1 || !(p[1] & 0x80))) {
      p++;
      n--;
    }
    while (n > 1 && p[0] == 0xff && (p[1] & 0x80)) {
      p++;
      n--;
    }
    if (clvm_new_atom(a, p, n, &out))
      abort();
  }
  return out;
}

static clvm_node ot_value(struct clvm_alloc *a, const char **s);

static clvm_node ot_list(struct clvm_alloc *a, const char **s)
{
  char tok[16];
  const char *peek;
  clvm_node first, rest;
  peek = ot_next(*s, tok, sizeof tok);
  if (!strcmp(tok, ")")) {
    *s = peek;
    return CLVM_NIL;
  }
  if (!strcmp(tok, ".")) {
    clvm_node tail;
    *s = peek;
    tail = ot_value(a, s);
    *s = ot_next(*s, tok, sizeof tok); /* the closing ")" */
    return tail;
  }
  first = ot_value(a, s);
  rest = ot_list(a, s);
  if (clvm_new_pair(a, first, rest, &first))
    abort();
  return first;
}

static clvm_node ot_value(struct clvm_alloc *a, const char **s)
{
  static char tok[8192];
  static uint8_t bytes[4096];
  clvm_node out;
  size_t n;
  *s = ot_next(*s, tok, sizeof tok);
  if (!strcmp(tok, "("))
    return ot_list(a, s);
  if (!strncmp(tok, "0x", 2)) {
    if (hex_decode(bytes, sizeof bytes, &n, tok + 2, strlen(tok + 2)))
      abort();
    if (clvm_new_atom(a, bytes, n, &out))
      abort();
    return out;
  }
  if (tok[0] == '"') {
    n = strlen(tok);
    if (clvm_new_atom(a, tok + 1, n - 2, &out))
      abort();
    return out;
  }
  return ot_dec(a, tok);
}

/* Parse a whitespace-separated sequence up to `stop` (or end) as a list. */
static clvm_node ot_seq(struct clvm_alloc *a, const char **s, const char *stop)
{
  char tok[16];
  const char *peek = ot_next(*s, tok, sizeof tok);
  clvm_node first, rest;
  if (!tok[0] || !strcmp(tok, stop)) {
    *s = peek;
    return CLVM_NIL;
  }
  first = ot_value(a, s);
  rest = ot_seq(a, s, stop);
  if (clvm_new_pair(a, first, rest, &first))
    abort();
  return first;
}

#endif
