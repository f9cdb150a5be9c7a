#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/hex.h"

const char *cli_opt(int argc, char **argv, const char *name)
{
  size_t n = strlen(name);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], name))
      return i + 1 < argc ? argv[i + 1] : NULL;
    if (!strncmp(argv[i], name, n) && argv[i][n] == '=')
      return argv[i] + n + 1;
  }
  return NULL;
}

int cli_flag(int argc, char **argv, const char *name)
{
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], name))
      return 1;
  return 0;
}

static int is_flag(const char *a, const char *const *flags)
{
  for (; flags && *flags; flags++)
    if (!strcmp(a, *flags))
      return 1;
  return 0;
}

const char *cli_pos(int argc, char **argv, int want, const char *const *flags)
{
  int seen = 0;
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "--", 2)) {
      if (!strchr(argv[i], '=') && !is_flag(argv[i], flags))
        i++;
      continue;
    }
    if (seen++ == want)
      return argv[i];
  }
  return NULL;
}

int cli_hex_exact(const char *what, const char *hex, uint8_t *out, size_t n)
{
  if (!hex) {
    fprintf(stderr, "chiapool: missing %s\n", what);
    return 1;
  }
  if (hex_decode_exact(out, n, hex, strlen(hex))) {
    fprintf(stderr, "chiapool: %s must be %zu bytes of hex (%zu hex digits)\n",
            what, n, 2 * n);
    return 1;
  }
  return 0;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "chiapool %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 1;
}
