/* chiapool clvm run PROGRAM_HEX [ENV_HEX] [--max-cost N] [--consensus]
 * chiapool clvm treehash HEX
 * Runs in mempool (strict) mode unless --consensus is given, since that is
 * what the pool uses for dry runs of spends it is about to push. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clvm/clvm.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/parse.h"

#define MAX_INPUT (16u << 20)

static const char *const flags[] = { "--consensus", NULL };

static int usage(void)
{
  fprintf(stderr, "usage: chiapool clvm run PROGRAM_HEX [ENV_HEX] [--max-cost N] "
                  "[--consensus]\n"
                  "       chiapool clvm treehash HEX\n");
  return 2;
}

/* Decode hex argument into a malloc'd buffer. */
static int read_hex(const char *what, const char *s, uint8_t **out, size_t *n)
{
  size_t len = strlen(s);
  if (len / 2 > MAX_INPUT)
    return cli_fail("clvm", "%s is too long", what);
  *out = malloc(len / 2 + 1);
  if (!*out)
    return cli_fail("clvm", "out of memory");
  if (hex_decode(*out, len / 2 + 1, n, s, len)) {
    free(*out);
    *out = NULL;
    return cli_fail("clvm", "%s is not valid hex", what);
  }
  return 0;
}

static int print_node(struct clvm_alloc *a, const char *label, clvm_node n)
{
  struct buf b;
  char *hex;
  buf_init(&b, MAX_INPUT * 4);
  if (clvm_serialize(a, n, &b)) {
    buf_release(&b);
    return cli_fail("clvm", "%s too large to print", label);
  }
  hex = malloc(2 * b.len + 1);
  if (!hex) {
    buf_release(&b);
    return cli_fail("clvm", "out of memory");
  }
  hex_encode(hex, b.data, b.len);
  printf("%s %s\n", label, hex);
  free(hex);
  buf_release(&b);
  return 0;
}

static int do_treehash(const char *hex)
{
  uint8_t *p, h[32];
  size_t n;
  char out[65];
  cp_err rc;
  if (read_hex("program", hex, &p, &n))
    return 1;
  rc = clvm_tree_hash_bytes(p, n, h);
  free(p);
  if (rc)
    return cli_fail("clvm", "%s", cp_strerror(rc));
  hex_encode(out, h, 32);
  printf("%s\n", out);
  return 0;
}

static int do_run(int argc, char **argv)
{
  const char *prog_hex = cli_pos(argc, argv, 1, flags);
  const char *env_hex = cli_pos(argc, argv, 2, flags);
  const char *mc = cli_opt(argc, argv, "--max-cost");
  unsigned fl = cli_flag(argc, argv, "--consensus") ? 0 : CLVM_F_MEMPOOL;
  uint64_t max_cost = 11000000000ull, cost = 0;
  uint8_t *pb = NULL, *eb = NULL;
  size_t pn, en;
  struct clvm_alloc *a = NULL;
  clvm_node prog, env = CLVM_NIL, res;
  int ret = 1;
  cp_err rc;
  if (!prog_hex)
    return usage();
  if (mc && parse_u64_cstr(mc, UINT64_MAX, &max_cost))
    return cli_fail("clvm", "--max-cost must be a non-negative integer");
  if (read_hex("program", prog_hex, &pb, &pn))
    goto out;
  if (env_hex && read_hex("env", env_hex, &eb, &en))
    goto out;
  a = clvm_alloc_new(0);
  if ((rc = clvm_deserialize(a, pb, pn, 0, &prog, NULL))) {
    cli_fail("clvm", "program: %s", cp_strerror(rc));
    goto out;
  }
  if (eb && (rc = clvm_deserialize(a, eb, en, 0, &env, NULL))) {
    cli_fail("clvm", "env: %s", cp_strerror(rc));
    goto out;
  }
  rc = clvm_run(a, prog, env, max_cost, fl, &res, &cost);
  if (rc) {
    const char *why = clvm_last_error_msg(a);
    cli_fail("clvm", "%s (%s)%s%s", cp_strerror(rc), cp_errname(rc),
             *why ? ": " : "", why);
    if (rc == CP_CLVM_RAISE)
      print_node(a, "raised", clvm_last_error_node(a));
    goto out;
  }
  printf("cost %llu\n", (unsigned long long)cost);
  if (print_node(a, "result", res))
    goto out;
  ret = 0;
out:
  clvm_alloc_free(a);
  free(pb);
  free(eb);
  return ret;
}

int cmd_clvm(int argc, char **argv)
{
  const char *sub = cli_pos(argc, argv, 0, flags);
  if (!sub)
    return usage();
  if (!strcmp(sub, "run"))
    return do_run(argc, argv);
  if (!strcmp(sub, "treehash")) {
    const char *hex = cli_pos(argc, argv, 1, flags);
    return hex ? do_treehash(hex) : usage();
  }
  return usage();
}
