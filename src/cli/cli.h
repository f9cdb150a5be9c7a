/* chiapool subcommands. Each command NAME lives in src/cli/cmd_NAME.c as
 * `int cmd_NAME(int argc, char **argv)` (argv[0] is the command name) and
 * returns the process exit code: 0 success, 1 bad input/failure, 2 usage. */
#ifndef CP_CLI_H
#define CP_CLI_H

#include <stdint.h>
#include <stddef.h>
#include "util/err.h"

/* Add a line here for a new command (keep alphabetical). */
#define CLI_COMMANDS(X)                                                       \
  X(addr, "encode/decode bech32m addresses")                                  \
  X(balances, "carried farmer balances and undistributed funds")              \
  X(clvm, "run or hash serialized CLVM programs")                             \
  X(demo, "run the pool against a simulated chain and farmers")               \
  X(keys, "derive Chia keys from a seed")                                     \
  X(payouts, "payout batches: list, show, retry")                             \
  X(plot, "build a small in-memory plot and print proofs for a challenge")    \
  X(plotnft, "plot-NFT puzzle hashes for a launcher id")                      \
  X(serve, "run the pool server")                                             \
  X(verify_proof, "verify a v1 proof of space, print its quality")            \
  X(version, "print version and build information")

#define CLI_DECLARE(name, help) int cmd_##name(int argc, char **argv);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* --- small argument helpers shared by commands --- */

/* Value of "--name VALUE" or "--name=VALUE" in argv[1..], NULL if absent. */
const char *cli_opt(int argc, char **argv, const char *name);
/* 1 if the flag "--name" is present. */
int cli_flag(int argc, char **argv, const char *name);
/* The i-th positional argument (0-based, after argv[0]; options and their
 * values skipped: every "--x" takes the next word unless it is in
 * `flags`, a NULL-terminated list of value-less flags). */
const char *cli_pos(int argc, char **argv, int i, const char *const *flags);
/* Decode a hex option of exactly n bytes; prints a one-line reason. */
int cli_hex_exact(const char *what, const char *hex, uint8_t *out, size_t n);
/* Print "chiapool NAME: MSG" to stderr and return 1. */
int cli_fail(const char *cmd, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

#endif
