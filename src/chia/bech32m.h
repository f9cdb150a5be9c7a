/* bech32m (BIP-350) addresses for 32-byte puzzle hashes, as Chia uses them
 * ("xch1..." on mainnet, "txch1..." on testnets; chia/util/bech32m.py).
 *
 * Decoding is strict: all-lower or all-upper case only, printable ASCII,
 * at most 90 characters, bech32m (not bech32) checksum, exactly 32 bytes of
 * payload with zero padding bits. The prefix (HRP) is returned lower-cased
 * so the caller can check it; chia's own decoder ignores it, a pool must
 * not (use bech32m_decode_ph_expect). */
#ifndef CP_CHIA_BECH32M_H
#define CP_CHIA_BECH32M_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define BECH32M_MAX_LEN 90
#define BECH32M_HRP_MAX 83

/* Encode: out needs strlen(hrp) + 60 bytes (address + NUL). hrp must be
 * 1..83 lower-case printable ASCII characters. */
cp_err bech32m_encode_ph(const char *hrp, const uint8_t ph[32], char *out,
                         size_t cap);
/* Decode s[0..len): hrp (NUL-terminated, lower case) into hrp_out
 * (hrp_cap >= BECH32M_HRP_MAX + 1), payload into ph. CP_BAD_ADDRESS on any
 * failure. */
cp_err bech32m_decode_ph(const char *s, size_t len, char *hrp_out,
                         size_t hrp_cap, uint8_t ph[32]);
/* Same, and the prefix must equal `prefix` (e.g. "xch"). */
cp_err bech32m_decode_ph_expect(const char *s, size_t len, const char *prefix,
                                uint8_t ph[32]);

#endif
