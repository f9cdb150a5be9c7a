#include "http/pool_server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chia/constants.h"
#include "http/api.h"
#include "http/server.h"
#include "node/rpc.h"
#include "plotnft/puzzles.h"
#include "pool/farmers.h"
#include "pool/leader.h"
#include "pool/money_loop.h"
#include "pool/partials.h"
#include "util/log.h"
#include "util/workq.h"
#include "util/xalloc.h"

#define PATH_CAP 1024
#define DRAIN_MS 5000
#define DEFAULT_REFRESH_S 600
#define DEFAULT_SP_RETRY_MS 10000
#define WORKQ_MAX_QUEUED 65536

struct pool_server {
  struct pool_config cfg;
  const struct chia_consts *net;
  struct store *store;
  struct node_client *node;
  struct node_client *wallet;
  struct chain node_chain;
  struct chain *chain;
  struct workq *workq;
  struct metrics *metrics;
  struct farmers *farmers;
  struct partials *partials;
  struct api *api;
  struct http_server *http;
  struct money_loop *money;
  struct leader *leader; /* NULL without background work */
};

static cp_err fail(char *err, size_t errlen, cp_err rc, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

static cp_err fail(char *err, size_t errlen, cp_err rc, const char *fmt, ...)
{
  va_list ap;
  if (err && errlen) {
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return rc;
}

/* dir/path unless path is absolute or there is no dir. */
static cp_err join_path(char *out, size_t cap, const char *dir, const char *path)
{
  int n;
  if (!dir || !dir[0] || path[0] == '/')
    n = snprintf(out, cap, "%s", path);
  else
    n = snprintf(out, cap, "%s/%s", dir, path);
  return n < 0 || (size_t)n >= cap ? CP_TOO_BIG : CP_OK;
}

/* The reference pool reads certificates from the Chia root the node runs
 * from; an unset chia_root means Chia's own default, ~/.chia/mainnet. */
static cp_err chia_root_path(const struct pool_config *c, const char *data_dir, char *out,
                             size_t cap)
{
  const char *env = getenv("CHIA_ROOT"), *home = getenv("HOME");
  int n;
  if (c->chia_root[0])
    return join_path(out, cap, data_dir, c->chia_root);
  if (env && env[0])
    n = snprintf(out, cap, "%s", env);
  else
    n = snprintf(out, cap, "%s/.chia/mainnet", home ? home : "");
  return n < 0 || (size_t)n >= cap ? CP_TOO_BIG : CP_OK;
}

static cp_err open_rpc(struct pool_server *s, const char *root, enum node_service svc,
                       struct node_client **out, char *err, size_t errlen)
{
  struct node_config nc;
  const char *what = svc == NODE_SERVICE_WALLET ? "wallet" : "full node", *host;
  cp_err rc;

  node_config_init(&nc);
  rc = node_config_chia_root(&nc, root, svc);
  if (rc)
    return fail(err, errlen, rc, "chia_root: path too long for the %s certificates", what);
  host = svc == NODE_SERVICE_WALLET ? s->cfg.wallet_rpc_host : s->cfg.node_rpc_host;
  /* config.c caps hosts at 255 bytes, so this always fits */
  if (strlen(host) >= sizeof nc.host)
    return fail(err, errlen, CP_CONFIG, "%s RPC host name too long", what);
  memcpy(nc.host, host, strlen(host) + 1);
  nc.port = svc == NODE_SERVICE_WALLET ? s->cfg.wallet_rpc_port : s->cfg.node_rpc_port;
  rc = node_new(&nc, out);
  if (rc)
    return fail(err, errlen, rc, "%s RPC client (%s:%u): %s", what, nc.host,
                (unsigned)nc.port, cp_strerror(rc));
  return CP_OK;
}

static cp_err open_store(struct pool_server *s, const char *data_dir, char *err,
                         size_t errlen)
{
  struct store_options so;
  char path[PATH_CAP];
  cp_err rc;

  memset(&so, 0, sizeof so);
  if (s->cfg.store_backend == STORE_POSTGRES) {
    so.backend = STORE_BACKEND_PG;
    so.path = s->cfg.store_dsn;
  } else {
    so.backend = STORE_BACKEND_SQLITE;
    rc = join_path(path, sizeof path, data_dir, s->cfg.store_path);
    if (rc)
      return fail(err, errlen, rc, "store.path: too long under the data directory");
    so.path = path;
  }
  rc = store_open(&so, &s->store);
  if (rc)
    return fail(err, errlen, rc, "store (%s): %s",
                so.backend == STORE_BACKEND_PG ? "postgres" : so.path, cp_strerror(rc));
  return CP_OK;
}

static cp_err start_workers(struct pool_server *s, char *err, size_t errlen)
{
  struct workq_options wo;
  unsigned threads = s->cfg.worker_threads;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned half;
  cp_err rc;

  if (!threads)
    threads = cores > 0 ? (unsigned)cores : 2;
  half = threads > 1 ? threads / 2 : 1;
  memset(&wo, 0, sizeof wo);
  wo.threads = threads;
  wo.max_queued = WORKQ_MAX_QUEUED;
  /* node waits and API queries each get at most half the pool, so neither
   * a dead node nor a burst of page views starves signature checks */
  wo.class_limit[PARTIALS_CLASS_NODE] = half;
  wo.class_limit[API_WORKQ_CLASS] = half;
  rc = workq_new(&wo, &s->workq);
  if (rc)
    return fail(err, errlen, rc, "worker pool: %s", cp_strerror(rc));
  return CP_OK;
}

static cp_err start_core(struct pool_server *s, const struct pool_server_options *o,
                         char *err, size_t errlen)
{
  struct farmers_deps fd = { &s->cfg, s->net, s->store, s->chain, s->metrics, NULL,
                             s->workq };
  struct partials_deps pd;
  cp_err rc;

  /* Several front ends may share the database: only the lease holder
   * runs the confirmer, money loop and refresher (pool/leader.h). */
  if (!o->no_background) {
    struct leader_options lo = { s->store, s->metrics, 0 };
    rc = leader_new(&lo, &s->leader);
    if (rc)
      return fail(err, errlen, rc, "leader election: %s", cp_strerror(rc));
    fd.leader = s->leader;
  }

  rc = farmers_new(&fd, &s->farmers);
  if (rc)
    return fail(err, errlen, rc, "farmers: %s", cp_strerror(rc));
  memset(&pd, 0, sizeof pd);
  pd.cfg = &s->cfg;
  pd.net = s->net;
  pd.store = s->store;
  pd.chain = s->chain;
  pd.workq = s->workq;
  pd.metrics = s->metrics;
  pd.sp_retry_ms = o->sp_retry_ms ? o->sp_retry_ms : DEFAULT_SP_RETRY_MS;
  pd.leader = s->leader;
  rc = partials_new(&pd, &s->partials);
  if (rc)
    return fail(err, errlen, rc, "partials: %s", cp_strerror(rc));
  if (o->no_background)
    return CP_OK;
  rc = farmers_start_refresher(s->farmers,
                               o->refresh_interval_s ? o->refresh_interval_s
                                                     : DEFAULT_REFRESH_S);
  if (rc)
    return fail(err, errlen, rc, "singleton refresher: %s", cp_strerror(rc));
  rc = partials_start_confirmer(s->partials);
  if (rc)
    return fail(err, errlen, rc, "partial confirmer: %s", cp_strerror(rc));
  {
    struct money_loop_options mo;
    memset(&mo, 0, sizeof mo);
    mo.cfg = &s->cfg;
    mo.net = s->net;
    mo.store = s->store;
    mo.chain = *s->chain;
    mo.wallet = s->wallet;
    mo.metrics = s->metrics;
    mo.leader = s->leader;
    rc = money_loop_start(&mo, &s->money);
    if (rc)
      return fail(err, errlen, rc, "reward/payout loop: %s", cp_strerror(rc));
  }
  return CP_OK;
}

static cp_err start_http(struct pool_server *s, const struct pool_server_options *o,
                         const char *data_dir, char *err, size_t errlen)
{
  struct api_deps ad = { &s->cfg, s->net, s->store, s->farmers, s->partials, s->workq,
                         s->metrics };
  struct http_route routes[API_MAX_ROUTES];
  struct http_config hc;
  char crt[PATH_CAP], key[PATH_CAP];
  size_t n;
  cp_err rc;

  rc = api_new(&ad, &s->api);
  if (rc)
    return fail(err, errlen, rc, "api: %s", cp_strerror(rc));
  n = api_routes(s->api, routes, API_MAX_ROUTES);
  http_config_init(&hc);
  hc.bind_addr = o->host ? o->host : s->cfg.server_host;
  hc.port = o->has_port ? o->port : s->cfg.server_port;
  if (s->cfg.http_threads)
    hc.threads = s->cfg.http_threads;
  if (o->http_threads)
    hc.threads = o->http_threads;
  hc.max_connections = s->cfg.max_connections ? s->cfg.max_connections : hc.max_connections;
  hc.max_conn_per_ip = s->cfg.max_conn_per_ip;
  hc.default_max_body = s->cfg.max_body_bytes;
  hc.rate_per_s = s->cfg.rate_limit_per_ip;
  hc.rate_burst = s->cfg.rate_limit_burst;
  hc.root_text = api_root_text();
  if (s->cfg.server_use_ssl) {
    if (join_path(crt, sizeof crt, data_dir, s->cfg.server_ssl_crt) ||
        join_path(key, sizeof key, data_dir, s->cfg.server_ssl_key))
      return fail(err, errlen, CP_TOO_BIG, "server.server_ssl_crt/key: path too long");
    if (!crt[0] || !key[0])
      return fail(err, errlen, CP_CONFIG,
                  "server.server_use_ssl needs server.server_ssl_crt and server_ssl_key");
    hc.tls_cert_file = crt;
    hc.tls_key_file = key;
  }
  rc = http_server_new(&hc, routes, n, &s->http);
  if (rc)
    return fail(err, errlen, rc, "HTTP server on %s:%u: %s", hc.bind_addr,
                (unsigned)hc.port, cp_strerror(rc));
  return CP_OK;
}

cp_err pool_server_start(const struct pool_config *cfg, const struct pool_server_options *o,
                         struct pool_server **out, char *err, size_t errlen)
{
  static const struct pool_server_options none;
  struct pool_server *s;
  const char *dir;
  char root[PATH_CAP];
  cp_err rc;

  *out = NULL;
  if (err && errlen)
    err[0] = 0;
  if (!o)
    o = &none;
  dir = o->data_dir;
  s = xcalloc(1, sizeof *s);
  s->cfg = *cfg;
  s->net = consts_get(s->cfg.network);
  if (!s->net) {
    rc = fail(err, errlen, CP_CONFIG, "network: unknown network %s", s->cfg.network);
    goto out;
  }
  rc = plotnft_init();
  if (rc) {
    fail(err, errlen, rc, "plot-NFT puzzles do not match their hashes: %s",
         cp_strerror(rc));
    goto out;
  }
  rc = open_store(s, dir, err, errlen);
  if (rc)
    goto out;
  if (o->chain) {
    s->chain = o->chain;
  } else {
    rc = chia_root_path(&s->cfg, dir, root, sizeof root);
    if (rc) {
      fail(err, errlen, rc, "chia_root: path too long");
      goto out;
    }
    rc = open_rpc(s, root, NODE_SERVICE_FULL_NODE, &s->node, err, errlen);
    if (rc)
      goto out;
    chain_from_node(&s->node_chain, s->node);
    s->chain = &s->node_chain;
    /* the wallet is for payouts only: the pool serves farmers without it */
    if (open_rpc(s, root, NODE_SERVICE_WALLET, &s->wallet, NULL, 0))
      log_warn("server", "wallet_unavailable", "chia_root=%s", root);
  }
  rc = start_workers(s, err, errlen);
  if (rc)
    goto out;
  s->metrics = metrics_new();
  rc = start_core(s, o, err, errlen);
  if (rc)
    goto out;
  rc = start_http(s, o, dir, err, errlen);
  if (rc)
    goto out;
  log_info("server", "listening", "host=%s port=%u network=%s workers=%u tls=%d",
           o->host ? o->host : s->cfg.server_host, (unsigned)http_server_port(s->http),
           s->cfg.network, workq_threads(s->workq), s->cfg.server_use_ssl);
  *out = s;
out:
  if (rc)
    pool_server_stop(s);
  return rc;
}

/* Teardown order follows the references between parts: nothing may be
 * freed while something that still runs points at it. The HTTP server
 * goes first (no new work), partials before the worker pool (its
 * in-flight jobs run there), the worker pool before farmers and the API
 * (queued API jobs use both), the store and RPC clients last. */
void pool_server_stop(struct pool_server *s)
{
  size_t left = 0;
  if (!s)
    return;
  if (s->api && s->http)
    left = api_drain(s->api, DRAIN_MS);
  if (left)
    log_warn("server", "drain_timeout", "unanswered=%zu", left);
  http_server_free(s->http);
  money_loop_stop(s->money);
  farmers_stop_refresher(s->farmers); /* it submits to the worker pool */
  partials_free(s->partials);
  workq_free(s->workq);
  farmers_free(s->farmers);
  api_free(s->api);
  leader_free(s->leader);
  metrics_free(s->metrics);
  store_close(s->store);
  node_free(s->node);
  node_free(s->wallet);
  log_info("server", "stopped", "%s", "");
  free(s);
}

uint16_t pool_server_port(const struct pool_server *s)
{
  return http_server_port(s->http);
}

struct store *pool_server_store(struct pool_server *s)
{
  return s->store;
}

struct metrics *pool_server_metrics(struct pool_server *s)
{
  return s->metrics;
}

struct partials *pool_server_partials(struct pool_server *s)
{
  return s->partials;
}

const struct pool_config *pool_server_config(const struct pool_server *s)
{
  return &s->cfg;
}
