/* chiapool plot --k K --plot-id HEX --challenge HEX
 *
 * Builds a small plot in memory and prints, one line per proof in chiapos'
 * proof-index order, "proof_index=I quality=HEX proof=HEX". A challenge
 * without proofs prints nothing (exit 0); the build summary goes to stderr
 * so stdout stays machine-readable. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pos/plotter.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/parse.h"

/* More than this many proofs for one challenge has never been seen even at
 * k32; the plotter reports the true count if it happens. */
#define MAX_PROOFS 64

int cmd_plot(int argc, char **argv)
{
  const char *ks = cli_opt(argc, argv, "--k");
  uint8_t id[32], challenge[32], (*quals)[32] = NULL;
  uint8_t *proofs = NULL;
  char *hex = NULL;
  struct pos_plot *p = NULL;
  uint64_t k, t0;
  size_t n;
  cp_err rc;
  int ret = 1;

  if (!ks)
    return cli_fail("plot", "missing --k");
  if (parse_u64_cstr(ks, 255, &k) || k < POS_PLOT_K_MIN || k > POS_PLOT_K_MAX)
    return cli_fail("plot", "--k must be %d..%d", POS_PLOT_K_MIN, POS_PLOT_K_MAX);
  if (cli_hex_exact("--plot-id", cli_opt(argc, argv, "--plot-id"), id, 32) ||
      cli_hex_exact("--challenge", cli_opt(argc, argv, "--challenge"),
                    challenge, 32))
    return 1;

  t0 = clock_mono_ms();
  if ((rc = pos_plot_new((unsigned)k, id, &p))) {
    ret = cli_fail("plot", "cannot build plot: %s", cp_strerror(rc));
    goto out;
  }
  fprintf(stderr, "chiapool plot: k=%u built in %llu ms (%zu MB)\n",
          (unsigned)k, (unsigned long long)(clock_mono_ms() - t0),
          pos_plot_bytes(p) >> 20);
  quals = malloc(MAX_PROOFS * sizeof *quals);
  proofs = malloc(MAX_PROOFS * 8 * k);
  hex = malloc(2 * 8 * k + 1);
  if (!quals || !proofs || !hex) {
    ret = cli_fail("plot", "%s", cp_strerror(CP_NOMEM));
    goto out;
  }
  rc = pos_plot_full_proofs(p, challenge, proofs, quals, MAX_PROOFS, &n);
  if (rc) {
    ret = cli_fail("plot", "cannot answer challenge: %s (%zu proofs)",
                   cp_strerror(rc), n);
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    printf("proof_index=%zu quality=", i);
    hex_encode(hex, quals[i], 32);
    printf("%s proof=", hex);
    hex_encode(hex, proofs + i * 8 * k, 8 * k);
    printf("%s\n", hex);
  }
  fprintf(stderr, "chiapool plot: %zu proof%s\n", n, n == 1 ? "" : "s");
  ret = 0;
out:
  free(quals);
  free(proofs);
  free(hex);
  pos_plot_free(p);
  return ret;
}
