/* chiapool plotnft puzzles --launcher-id HEX --delay-ph HEX [--delay-time N]
 *     [--target-ph HEX --owner-pk HEX [--relative-lock-height N]]
 *     [--network mainnet|testnet11|simulator]
 *
 * Prints the plot NFT's p2_singleton address (where its block rewards go)
 * and, given a PoolState's target and owner key, the inner and full
 * singleton puzzle hashes of both states, so an operator can check a
 * farmer's plot NFT by hand against a block explorer. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "chia/constants.h"
#include "crypto/bls.h"
#include "plotnft/puzzles.h"
#include "util/hex.h"
#include "util/parse.h"

static const char *const known_opts[] = {
  "--launcher-id", "--delay-time", "--delay-ph", "--target-ph", "--owner-pk",
  "--relative-lock-height", "--network", NULL
};

static int usage(void)
{
  fprintf(stderr,
          "usage: chiapool plotnft puzzles --launcher-id HEX --delay-ph HEX\n"
          "         [--delay-time SECONDS]   (default %u)\n"
          "         [--target-ph HEX --owner-pk HEX [--relative-lock-height N]]\n"
          "         [--network mainnet|testnet11|simulator]   (default mainnet)\n",
          PLOTNFT_DEFAULT_DELAY_TIME);
  return 2;
}

/* Reject typos instead of silently printing hashes for default values. */
static int check_opts(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    size_t n;
    int ok = 0;

    if (strncmp(a, "--", 2))
      continue;
    n = strcspn(a, "=");
    for (const char *const *k = known_opts; *k; k++)
      if (strlen(*k) == n && !strncmp(a, *k, n))
        ok = 1;
    if (!ok)
      return cli_fail("plotnft", "unknown option '%.*s'", (int)n, a);
    if (!a[n] && (i + 1 >= argc || !strncmp(argv[i + 1], "--", 2)))
      return cli_fail("plotnft", "%s needs a value", a);
    if (!a[n])
      i++;
  }
  return 0;
}

static int get_u64(const char *name, uint64_t max, uint64_t dflt,
                   int argc, char **argv, uint64_t *out)
{
  const char *v = cli_opt(argc, argv, name);

  *out = dflt;
  if (!v)
    return 0;
  if (parse_u64_cstr(v, max, out))
    return cli_fail("plotnft", "%s must be a whole number <= %llu", name,
                    (unsigned long long)max);
  return 0;
}

static int get_hash(const char *name, int argc, char **argv, uint8_t out[32])
{
  const char *v = cli_opt(argc, argv, name);

  if (!v)
    return cli_fail("plotnft", "missing %s", name);
  if (hex_decode_exact(out, 32, v, strlen(v)))
    return cli_fail("plotnft", "%s must be 32 bytes of hex (64 hex digits)", name);
  return 0;
}

static void print_hash(const char *label, const uint8_t h[32])
{
  char hex[2 * 32 + 3];
  hex_encode0x(hex, h, 32);
  printf("%s: %s\n", label, hex);
}

static int plotnft_puzzles(int argc, char **argv)
{
  const char *net = cli_opt(argc, argv, "--network");
  const char *target = cli_opt(argc, argv, "--target-ph");
  const char *owner = cli_opt(argc, argv, "--owner-pk");
  const struct chia_consts *c;
  struct plotnft_id id;
  struct plotnft_inner_args a;
  struct bls_pk pk;
  uint64_t v = 0;
  uint8_t member[32], wr[32], full[32];

  if (cli_pos(argc, argv, 1, NULL))
    return usage();
  if (check_opts(argc, argv))
    return 1;
  c = consts_get(net ? net : "mainnet");
  if (!c)
    return cli_fail("plotnft", "unknown network '%s' (mainnet, testnet11, "
                    "simulator)", net);
  if (get_hash("--launcher-id", argc, argv, id.launcher_id) ||
      get_hash("--delay-ph", argc, argv, id.delay_ph) ||
      get_u64("--delay-time", UINT64_MAX, PLOTNFT_DEFAULT_DELAY_TIME, argc, argv,
              &id.delay_time))
    return 1;
  if (!target != !owner)
    return cli_fail("plotnft", "--target-ph and --owner-pk go together");
  if (target &&
      (get_hash("--target-ph", argc, argv, a.target_ph) ||
       get_u64("--relative-lock-height", UINT32_MAX, 0, argc, argv, &v)))
    return 1;
  if (!target && cli_opt(argc, argv, "--relative-lock-height"))
    return cli_fail("plotnft", "--relative-lock-height needs --target-ph and "
                    "--owner-pk");
  if (owner) {
    if (hex_decode_exact(a.owner_pk, 48, owner, strlen(owner)))
      return cli_fail("plotnft", "--owner-pk must be 48 bytes of hex (96 hex "
                      "digits)");
    /* A puzzle hash for a key no one can sign with would lock the NFT. */
    if (bls_pk_decode(&pk, a.owner_pk, 48) || bls_pk_is_infinity(&pk))
      return cli_fail("plotnft", "--owner-pk is not a valid BLS public key");
  }
  if (plotnft_init())
    return cli_fail("plotnft", "embedded puzzles fail their hash check");

  printf("network: %s\n", c->name);
  print_hash("launcher_id", id.launcher_id);
  printf("delay_time: %llu\n", (unsigned long long)id.delay_time);
  print_hash("delay_puzzle_hash", id.delay_ph);
  plotnft_p2_hash(&id, a.p2_ph);
  print_hash("p2_singleton_puzzle_hash", a.p2_ph);
  if (!target)
    return 0;
  a.lock_height = (uint32_t)v;
  plotnft_reward_prefix(c->genesis_challenge, a.reward_prefix);
  printf("relative_lock_height: %u\n", a.lock_height);
  plotnft_member_hash(&a, member);
  plotnft_waitingroom_hash(&a, wr);
  print_hash("pool_member_inner_puzzle_hash", member);
  print_hash("waiting_room_inner_puzzle_hash", wr);
  plotnft_full_hash(id.launcher_id, member, full);
  print_hash("singleton_puzzle_hash_farming_to_pool", full);
  plotnft_full_hash(id.launcher_id, wr, full);
  print_hash("singleton_puzzle_hash_waiting_room", full);
  return 0;
}

int cmd_plotnft(int argc, char **argv)
{
  const char *verb = cli_pos(argc, argv, 0, NULL);

  if (!verb)
    return usage();
  if (!strcmp(verb, "puzzles"))
    return plotnft_puzzles(argc, argv);
  return usage();
}
