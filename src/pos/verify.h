/* Proof of space v1 verifier, bit-exact with chiapos
 * Verifier::ValidateProof (a388902b), and the quality string it returns.
 *
 * A proof is 64 x-values of k bits each, MSB-first, in proof order: 8k
 * bytes. The verifier recomputes f1..f7 up the tree, requires every
 * (left, right) pair to match, the final f7 to equal the top k bits of the
 * challenge, and then hashes two x-values (chosen by the challenge's last 5
 * bits, in plot order) into the 32-byte quality string. */
#ifndef CP_POS_VERIFY_H
#define CP_POS_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define POS_PROOF_XS 64
#define POS_QUALITY_LEN 32

/* Validate a proof. CP_BAD_K for k outside 18..50, CP_BAD_PROOF for a
 * proof_len other than 8k or any proof chiapos rejects; on CP_OK the quality
 * string is in quality_out (untouched otherwise). No allocation. */
cp_err pos_verify(unsigned k, const uint8_t plot_id[32],
                  const uint8_t challenge[32], const uint8_t *proof,
                  size_t proof_len, uint8_t quality_out[POS_QUALITY_LEN]);

/* Split a proof into its 64 x-values (CP_BAD_K / CP_BAD_PROOF as above). */
cp_err pos_proof_xs(unsigned k, const uint8_t *proof, size_t proof_len,
                    uint64_t xs[POS_PROOF_XS]);

/* Encode 64 k-bit x-values (proof order) as a proof of 8k bytes into out
 * (capacity cap); CP_TOO_BIG if cap < 8k, CP_INVAL if an x has > k bits. */
cp_err pos_proof_encode(unsigned k, const uint64_t xs[POS_PROOF_XS],
                        uint8_t *out, size_t cap);

/* The quality string of an (already validated) proof given by its x-values
 * in proof order; what the prover returns for the same challenge. */
void pos_quality_string(unsigned k, const uint8_t challenge[32],
                        const uint64_t xs[POS_PROOF_XS],
                        uint8_t quality_out[POS_QUALITY_LEN]);

#endif
