/* The whole pool server wired together: store, node and wallet RPC
 * clients, the chain view, the worker pool, metrics, farmers (with the
 * singleton refresher), partials (with the confirmer), the HTTP API. Used
 * by `chiapool serve`, and in-process by tests, benchmarks and the
 * simulator, which inject their own chain instead of a full node. */
#ifndef CP_HTTP_POOL_SERVER_H
#define CP_HTTP_POOL_SERVER_H

#include <stdint.h>

#include "pool/chain.h"
#include "pool/config.h"
#include "pool/partials.h"
#include "store/store.h"
#include "util/metrics.h"

struct pool_server;

struct pool_server_options {
  /* Relative store paths (and relative chia_root) are taken under this
   * directory; NULL = the current directory. */
  const char *data_dir;
  /* Chain to use instead of the full node RPC (not owned; must outlive the
   * server). NULL = connect to the node from cfg. */
  struct chain *chain;
  /* Overrides of cfg->server_host / server_port when set (tests use
   * "127.0.0.1" and port 0 = ephemeral). */
  const char *host;
  int has_port;
  uint16_t port;
  uint32_t sp_retry_ms;        /* 0 = the reference's 10000 */
  unsigned refresh_interval_s; /* singleton refresher; 0 = 600 */
  int no_background;           /* no refresher/confirmer threads (tests) */
  unsigned http_threads;       /* 0 = 2 */
};

/* lifecycle */
/* Start everything, listening when it returns. On failure a one-line
 * reason goes to err (may be NULL) and nothing is left running. cfg is
 * copied. */
cp_err pool_server_start(const struct pool_config *cfg, const struct pool_server_options *o,
                         struct pool_server **out, char *err, size_t errlen);
/* Stop accepting, answer what is in flight (bounded wait), stop the
 * background threads, close the store. */
void pool_server_stop(struct pool_server *s);

/* queries */
uint16_t pool_server_port(const struct pool_server *s);
struct store *pool_server_store(struct pool_server *s);
struct metrics *pool_server_metrics(struct pool_server *s);
struct partials *pool_server_partials(struct pool_server *s);
const struct pool_config *pool_server_config(const struct pool_server *s);

#endif
