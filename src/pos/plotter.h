/* In-memory proof-of-space v1 plotter and prover for small k, for tests,
 * benchmarks and the simulator. It answers challenges exactly like a chiapos
 * plot file of the same plot id and k: the same qualities, in the same
 * order, and the same full proofs (DiskProver::GetQualitiesForChallenge and
 * GetFullProof). See docs/pos-v1.md §7.
 *
 * Only chiapos' phase 1 (forward propagation) is done. Phases 2-4 (pruning
 * unreachable entries, re-sorting by line point, compression) change neither
 * which proofs exist nor their order: the order of several proofs for one
 * challenge is recomputed from their x values (§7.3), so pruning is skipped.
 *
 * Memory: a built plot keeps 53-57 bytes per 2^k (pos_plot_bytes): the
 * y-sorted x of table 1 (4 B), two uint32 back pointers per entry of tables
 * 2..7 (6 * 8 B; later tables shrink a little at small k) and the k-bit f7
 * of table 7 (4 B). Building table t adds at most ~64 B/entry on top (first
 * table t-1's y and 128-bit metadata with table t's unsorted y, metadata
 * and back pointers; then those of table t plus their sorted copies and
 * sort scratch) and a 4 MB matcher: the peak is about 100 B per 2^k.
 * Measured with bench_plotter (one core, RSS of the whole process; CPU
 * seconds, as the machine was shared):
 *
 *   k   build (CPU)   peak RSS   kept
 *   18     0.6 s        33 MB    13 MB   (chiapos: 1.1-1.4 s, ~20 MB)
 *   19     1.1 s        59 MB    27 MB
 *   20     2.3 s       110 MB    54 MB   (chiapos: 4 s)
 *   21     5.8 s       205 MB   109 MB
 *   22    18 s         410 MB   225 MB
 *   23    45 s         812 MB   450 MB
 *   25   218 s        3.2 GB    1.8 GB  (chiapos: 269 s)
 *
 * A plot is immutable once built: queries may run concurrently. */
#ifndef CP_POS_PLOTTER_H
#define CP_POS_PLOTTER_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* k range the in-memory plotter accepts (CP_BAD_K outside). The upper bound
 * keeps y (k+6 bits) and positions within 32 bits and metadata within 128. */
#define POS_PLOT_K_MIN 18
#define POS_PLOT_K_MAX 25

struct pos_plot;

/* lifecycle */
cp_err pos_plot_new(unsigned k, const uint8_t plot_id[32], struct pos_plot **out);
void pos_plot_free(struct pos_plot *p);

/* queries: plot properties */
unsigned pos_plot_k(const struct pos_plot *p);
const uint8_t *pos_plot_id(const struct pos_plot *p); /* 32 bytes */
/* Entries in table t (1..7), 0 for any other t. */
uint64_t pos_plot_entries(const struct pos_plot *p, unsigned t);
/* Bytes the built plot holds (excluding the struct itself). */
size_t pos_plot_bytes(const struct pos_plot *p);

/* queries: challenges. *n is always set to the number of proofs the plot has
 * for the challenge (usually 0 or 1); at most max of them are written, and
 * CP_TOO_BIG is returned if *n > max. */

/* 32-byte qualities in chiapos' proof-index order. */
cp_err pos_plot_qualities(const struct pos_plot *p, const uint8_t challenge[32],
                          uint8_t (*out)[32], size_t max, size_t *n);
/* Full proofs, each 8k bytes (64 k-bit x values MSB-first, proof order),
 * back to back in out (max * 8k bytes); qualities_out (max entries) may be
 * NULL. */
cp_err pos_plot_full_proofs(const struct pos_plot *p, const uint8_t challenge[32],
                            uint8_t *out, uint8_t (*qualities_out)[32],
                            size_t max, size_t *n);
/* The proof with this index (8k bytes into proof_out); CP_NOT_FOUND if the
 * plot has no more than index proofs for the challenge. */
cp_err pos_plot_full_proof(const struct pos_plot *p, const uint8_t challenge[32],
                           size_t index, uint8_t *proof_out);

#endif
