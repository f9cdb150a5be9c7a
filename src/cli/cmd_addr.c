/* chiapool addr encode PUZZLE_HASH [--prefix xch|txch]
 * chiapool addr decode ADDRESS */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "chia/bech32m.h"
#include "util/hex.h"

static int usage(void)
{
  fprintf(stderr, "usage: chiapool addr encode PUZZLE_HASH [--prefix xch|txch]\n"
                  "       chiapool addr decode ADDRESS\n");
  return 2;
}

static int addr_encode(int argc, char **argv)
{
  const char *hex = cli_pos(argc, argv, 1, NULL);
  const char *prefix = cli_opt(argc, argv, "--prefix");
  uint8_t ph[32];
  char out[BECH32M_MAX_LEN + 1];

  if (!hex || cli_pos(argc, argv, 2, NULL))
    return usage();
  if (!prefix) {
    if (cli_flag(argc, argv, "--prefix"))
      return cli_fail("addr", "--prefix needs a value (xch or txch)");
    prefix = "xch";
  }
  if (strcmp(prefix, "xch") && strcmp(prefix, "txch"))
    return cli_fail("addr", "prefix must be xch or txch, not '%s'", prefix);
  if (hex_decode_exact(ph, sizeof ph, hex, strlen(hex)))
    return cli_fail("addr", "puzzle hash must be 32 bytes of hex (64 hex digits)");
  if (bech32m_encode_ph(prefix, ph, out, sizeof out))
    return cli_fail("addr", "cannot encode address");
  printf("%s\n", out);
  return 0;
}

static int addr_decode(int argc, char **argv)
{
  const char *addr = cli_pos(argc, argv, 1, NULL);
  char hrp[BECH32M_HRP_MAX + 1];
  char hex[2 * 32 + 3];
  uint8_t ph[32];

  if (!addr || cli_pos(argc, argv, 2, NULL))
    return usage();
  if (bech32m_decode_ph(addr, strlen(addr), hrp, sizeof hrp, ph))
    return cli_fail("addr", "not a valid bech32m puzzle-hash address");
  hex_encode0x(hex, ph, sizeof ph);
  printf("%s\nprefix: %s\n", hex, hrp);
  return 0;
}

int cmd_addr(int argc, char **argv)
{
  const char *verb = cli_pos(argc, argv, 0, NULL);

  if (!verb)
    return usage();
  if (!strcmp(verb, "encode"))
    return addr_encode(argc, argv);
  if (!strcmp(verb, "decode"))
    return addr_decode(argc, argv);
  return usage();
}
