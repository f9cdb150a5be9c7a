/* chiapool: one binary, subcommands dispatched from a table (cli/cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *help;
};

static const struct command commands[] = {
#define CLI_ENTRY(name, help) { #name, cmd_##name, help },
  CLI_COMMANDS(CLI_ENTRY)
#undef CLI_ENTRY
};

static void usage(FILE *f)
{
  fprintf(f, "usage: chiapool COMMAND [ARGS]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    char name[32];
    size_t j;
    /* command identifiers use '_' where the CLI word uses '-' */
    for (j = 0; commands[i].name[j] && j + 1 < sizeof name; j++)
      name[j] = commands[i].name[j] == '_' ? '-' : commands[i].name[j];
    name[j] = 0;
    fprintf(f, "  %-14s %s\n", name, commands[i].help);
  }
}

int main(int argc, char **argv)
{
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    const char *a = argv[1], *n = commands[i].name;
    size_t j;
    for (j = 0; a[j] && n[j]; j++)
      if (a[j] != n[j] && !(a[j] == '-' && n[j] == '_'))
        break;
    if (!a[j] && !n[j])
      return commands[i].fn(argc - 1, argv + 1);
  }
  fprintf(stderr, "chiapool: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
