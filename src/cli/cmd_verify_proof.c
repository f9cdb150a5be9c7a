#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "pos/pos_f.h"
#include "pos/verify.h"
#include "util/hex.h"
#include "util/parse.h"

#define CMD "verify-proof"

static int usage(void)
{
  fprintf(stderr, "usage: chiapool " CMD
          " --k K --plot-id HEX --challenge HEX --proof HEX\n");
  return 2;
}

int cmd_verify_proof(int argc, char **argv)
{
  const char *ks = cli_opt(argc, argv, "--k");
  const char *id_hex = cli_opt(argc, argv, "--plot-id");
  const char *ch_hex = cli_opt(argc, argv, "--challenge");
  const char *proof_hex = cli_opt(argc, argv, "--proof");
  uint8_t id[32], ch[32], proof[8 * POS_K_MAX], q[POS_QUALITY_LEN];
  char out[2 * POS_QUALITY_LEN + 1];
  size_t n;
  uint64_t k;
  cp_err rc;

  if (cli_flag(argc, argv, "--help") || cli_flag(argc, argv, "-h"))
    return usage() - 2;
  if (!ks || !id_hex || !ch_hex || !proof_hex)
    return usage();
  if (parse_u64_cstr(ks, 255, &k))
    return cli_fail(CMD, "--k must be a number (%d..%d)", POS_K_MIN, POS_K_MAX);
  if (k < POS_K_MIN || k > POS_K_MAX)
    return cli_fail(CMD, "k %llu out of range %d..%d", (unsigned long long)k,
                    POS_K_MIN, POS_K_MAX);
  if (cli_hex_exact("--plot-id", id_hex, id, sizeof id) ||
      cli_hex_exact("--challenge", ch_hex, ch, sizeof ch))
    return 1;
  if (hex_decode(proof, sizeof proof, &n, proof_hex, strlen(proof_hex)))
    return cli_fail(CMD, "--proof must be hex of at most %zu bytes",
                    sizeof proof);
  if (n != 8 * k)
    return cli_fail(CMD, "proof is %zu bytes, a k=%llu proof is %llu", n,
                    (unsigned long long)k, (unsigned long long)(8 * k));
  rc = pos_verify((unsigned)k, id, ch, proof, n, q);
  if (rc)
    return cli_fail(CMD, "%s", cp_strerror(rc));
  hex_encode(out, q, sizeof q);
  printf("%s\n", out);
  return 0;
}
