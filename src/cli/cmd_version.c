#include "cli/cli.h"

#include <stdio.h>


int cmd_version(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  printf("chiapool 0.1.0 (pool protocol v1; blst 0.3.10)\n");
  return 0;
}
