/* chiapool keys derive --seed HEX [--json]
 *
 * Prints the master key and the keys a farmer and a pool operator look at,
 * each with its path, derived exactly like chia/wallet/derive_keys.py.
 * The seed is the 64-byte BIP-39 seed Chia derives from a mnemonic (any
 * seed of at least 32 bytes is accepted, like Chia's key_gen). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "crypto/bls.h"
#include "crypto/keys.h"
#include "util/hex.h"

/* Chia's own seeds are 64 bytes; far longer input is a mistake. */
#define SEED_MAX 1024

struct role_row {
  const char *name;
  enum keys_role role;   /* ignored for the master row */
  int master;
};

static const struct role_row rows[] = {
  { "master", KEYS_FARMER, 1 },
  { "farmer", KEYS_FARMER, 0 },
  { "pool", KEYS_POOL, 0 },
  { "local", KEYS_LOCAL, 0 },
  { "wallet", KEYS_WALLET, 0 },
  { "singleton_owner", KEYS_SINGLETON_OWNER, 0 },
  { "pooling_authentication", KEYS_POOL_AUTH, 0 },
};
#define NROWS (sizeof rows / sizeof rows[0])

struct derived {
  char path[64];
  char sk[2 * BLS_SK_SIZE + 1];
  char pk[2 * BLS_PK_SIZE + 1];
};

static int usage(void)
{
  fprintf(stderr, "usage: chiapool keys derive --seed HEX [--json]\n");
  return 2;
}

/* Index 0 everywhere: local, wallet, singleton owner and auth key of the
 * first pool wallet. */
static cp_err derive_row(const struct role_row *r, const struct bls_sk *m,
                         struct derived *out)
{
  uint32_t path[KEYS_PATH_MAX];
  size_t n = 0;
  struct bls_sk sk;
  struct bls_pk pk;
  uint8_t b[BLS_SK_SIZE];
  cp_err rc = CP_OK;

  if (r->master) {
    sk = *m;
  } else {
    rc = keys_role_path(r->role, 0, 0, path, &n);
    if (!rc)
      rc = keys_derive_path(&sk, m, path, n);
    if (rc)
      return rc;
  }
  rc = keys_path_str(out->path, sizeof out->path, path, n);
  if (!rc) {
    bls_sk_encode(&sk, b);
    hex_encode(out->sk, b, sizeof b);
    bls_sk_to_pk(&sk, &pk);
    hex_encode(out->pk, pk.bytes, BLS_PK_SIZE);
  }
  OPENSSL_cleanse(b, sizeof b);
  bls_sk_wipe(&sk);
  return rc;
}

static int print_json(const struct derived *d)
{
  json_t *root = json_object();
  char *s;
  int rc = 1;

  if (!root)
    return cli_fail("keys", "out of memory");
  for (size_t i = 0; i < NROWS; i++) {
    json_t *o = json_pack("{s:s, s:s, s:s}", "path", d[i].path, "sk", d[i].sk,
                          "pk", d[i].pk);
    if (!o || json_object_set_new(root, rows[i].name, o)) {
      cli_fail("keys", "out of memory");
      goto out;
    }
  }
  s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (!s) {
    cli_fail("keys", "out of memory");
    goto out;
  }
  printf("%s\n", s);
  OPENSSL_cleanse(s, strlen(s));
  free(s);
  rc = 0;
out:
  json_decref(root);
  return rc;
}

/* An option we do not know is a usage error rather than something to
 * skip: a mistyped --json would otherwise print the text form. */
static int unknown_option(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seed")) {
      i++;  /* its value may start with "--" too */
      continue;
    }
    if (!strncmp(argv[i], "--", 2) && strcmp(argv[i], "--json") &&
        strncmp(argv[i], "--seed=", 7))
      return 1;
  }
  return 0;
}

static int cmd_derive(int argc, char **argv)
{
  static const char *const flags[] = { "--json", NULL };
  const char *hex = cli_opt(argc, argv, "--seed");
  uint8_t seed[SEED_MAX];
  size_t n = 0;
  struct bls_sk m = { 0 };
  struct derived d[NROWS];
  int ret = 1;
  cp_err rc;

  if (cli_pos(argc, argv, 1, flags) || unknown_option(argc, argv))
    return usage();
  if (!hex)
    return cli_fail("keys", "missing --seed HEX");
  rc = hex_decode(seed, sizeof seed, &n, hex, strlen(hex));
  if (rc == CP_TOO_BIG) {
    cli_fail("keys", "seed is longer than %d bytes", SEED_MAX);
    goto out;
  }
  if (rc) {
    cli_fail("keys", "seed is not a hex string");
    goto out;
  }
  if (n < KEYS_SEED_MIN) {
    cli_fail("keys", "seed must be at least %d bytes (got %zu)",
             KEYS_SEED_MIN, n);
    goto out;
  }
  rc = keys_gen(&m, seed, n);
  if (rc) {
    cli_fail("keys", "key generation failed: %s", cp_strerror(rc));
    goto out;
  }
  for (size_t i = 0; i < NROWS; i++) {
    rc = derive_row(&rows[i], &m, &d[i]);
    if (rc) {
      cli_fail("keys", "derivation failed: %s", cp_strerror(rc));
      goto out;
    }
  }
  if (cli_flag(argc, argv, "--json")) {
    ret = print_json(d);
  } else {
    for (size_t i = 0; i < NROWS; i++)
      printf("%-23s %-17s sk=%s pk=%s\n", rows[i].name, d[i].path, d[i].sk,
             d[i].pk);
    ret = 0;
  }
out:
  bls_sk_wipe(&m);
  OPENSSL_cleanse(seed, sizeof seed);
  OPENSSL_cleanse(d, sizeof d);
  return ret;
}

int cmd_keys(int argc, char **argv)
{
  static const char *const flags[] = { "--json", NULL };
  const char *sub = cli_pos(argc, argv, 0, flags);

  if (!sub)
    return usage();
  if (!strcmp(sub, "derive"))
    return cmd_derive(argc, argv);
  fprintf(stderr, "chiapool keys: unknown subcommand '%s'\n", sub);
  return usage();
}
