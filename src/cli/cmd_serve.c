/* `chiapool serve --config FILE [--data-dir DIR] [--host H] [--port N]`:
 * run the pool server until SIGINT or SIGTERM. Exit 0 after a clean stop,
 * 1 when the config or a start-up step fails (one line naming the cause),
 * 2 on usage errors. */
#include "cli/cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/pool_server.h"
#include "pool/config.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

static int usage(void)
{
  fprintf(stderr, "usage: chiapool serve --config FILE [--data-dir DIR] "
                  "[--host ADDR] [--port N]\n");
  return 2;
}

static FILE *open_log(const struct pool_config *c, const char *dir)
{
  char path[1024];
  int n;
  if (!c->log_path[0])
    return NULL;
  if (dir && c->log_path[0] != '/')
    n = snprintf(path, sizeof path, "%s/%s", dir, c->log_path);
  else
    n = snprintf(path, sizeof path, "%s", c->log_path);
  if (n < 0 || (size_t)n >= sizeof path)
    return NULL;
  return fopen(path, "a");
}

int cmd_serve(int argc, char **argv)
{
  const char *file = cli_opt(argc, argv, "--config");
  const char *dir = cli_opt(argc, argv, "--data-dir");
  const char *port = cli_opt(argc, argv, "--port");
  struct pool_server_options o;
  struct pool_server *srv = NULL;
  struct pool_config *cfg;
  FILE *logf = NULL;
  sigset_t sigs;
  uint64_t p = 0;
  char err[512];
  int sig = 0, code = 1;

  if (!file || cli_flag(argc, argv, "--help"))
    return usage();
  memset(&o, 0, sizeof o);
  o.data_dir = dir;
  o.host = cli_opt(argc, argv, "--host");
  if (port) {
    if (parse_u64_cstr(port, 65535, &p))
      return cli_fail("serve", "--port must be a number from 0 to 65535");
    o.has_port = 1;
    o.port = (uint16_t)p;
  }
  cfg = xmalloc(sizeof *cfg);
  config_defaults(cfg);
  if (config_load_file(cfg, file, err, sizeof err)) {
    cli_fail("serve", "config %s: %s", file, err);
    goto out;
  }
  log_set_level(log_level_parse(cfg->log_level));
  log_set_json(cfg->log_json);
  if (cfg->log_path[0]) {
    logf = open_log(cfg, dir);
    if (!logf) {
      cli_fail("serve", "logging.log_path: cannot open %s", cfg->log_path);
      goto out;
    }
    setvbuf(logf, NULL, _IOLBF, 0);
    log_set_stream(logf);
  }

  /* Block the stop signals before any thread starts, so every thread
   * inherits the mask and only sigwait below ever sees them. */
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (pool_server_start(cfg, &o, &srv, err, sizeof err)) {
    cli_fail("serve", "%s", err);
    goto out;
  }
  printf("chiapool serve: listening on %s://%s:%u\n", cfg->server_use_ssl ? "https" : "http",
         o.host ? o.host : cfg->server_host, (unsigned)pool_server_port(srv));
  fflush(stdout);
  if (sigwait(&sigs, &sig) == 0)
    log_info("serve", "signal", "signal=%d", sig);
  pool_server_stop(srv);
  code = 0;
out:
  if (logf) {
    log_set_stream(NULL);
    fclose(logf);
  }
  free(cfg);
  return code;
}
