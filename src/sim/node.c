#include "sim/node.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/certs.h"
#include "sim/node_rpc.h"
#include "util/log.h"
#include "util/xalloc.h"

struct sim_node {
  struct sim_chain *chain;
  struct sim_rpc *rpc;
  uint32_t ms_per_sp;
  pthread_t ticker;
  bool has_ticker;
  pthread_mutex_t mu;
  pthread_cond_t cv;           /* CLOCK_MONOTONIC: wakes the ticker to stop */
  bool stop;
};

void sim_node_config_init(struct sim_node_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->bind_addr = "127.0.0.1";
}

static void deadline_after(struct timespec *ts, uint32_t ms)
{
  clock_gettime(CLOCK_MONOTONIC, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

/* One signage point per period, on a fixed schedule: a slow callback
 * delays the next point but does not shift every later one. */
static void *ticker_main(void *arg)
{
  struct sim_node *n = arg;
  struct timespec next;

  deadline_after(&next, n->ms_per_sp);
  pthread_mutex_lock(&n->mu);
  while (!n->stop) {
    int rc = pthread_cond_timedwait(&n->cv, &n->mu, &next);
    if (n->stop)
      break;
    if (rc != ETIMEDOUT)
      continue;
    pthread_mutex_unlock(&n->mu);
    sim_chain_advance(n->chain, 1);
    pthread_mutex_lock(&n->mu);
    next.tv_sec += n->ms_per_sp / 1000;
    next.tv_nsec += (long)(n->ms_per_sp % 1000) * 1000000L;
    if (next.tv_nsec >= 1000000000L) {
      next.tv_sec++;
      next.tv_nsec -= 1000000000L;
    }
  }
  pthread_mutex_unlock(&n->mu);
  return NULL;
}

cp_err sim_node_new(const struct sim_node_config *cfg, struct sim_node **out)
{
  struct sim_chain_config cc;
  struct sim_rpc_config rc_cfg;
  pthread_condattr_t ca;
  struct sim_node *n;
  cp_err rc;

  *out = NULL;
  if (!cfg->data_dir)
    return CP_CONFIG;
  rc = sim_certs_ensure(cfg->data_dir);
  if (rc)
    return rc;
  n = xcalloc(1, sizeof *n);
  pthread_mutex_init(&n->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&n->cv, &ca);
  pthread_condattr_destroy(&ca);
  n->ms_per_sp = cfg->ms_per_sp;
  sim_chain_config_init(&cc);
  cc.difficulty = cfg->difficulty;
  cc.seed = cfg->seed;
  memcpy(cc.genesis_farmer_ph, cfg->genesis_farmer_ph, 32);
  memcpy(cc.genesis_pool_ph, cfg->genesis_pool_ph, 32);
  rc = sim_chain_new(&cc, &n->chain);
  if (rc)
    goto out;
  sim_rpc_config_init(&rc_cfg);
  rc_cfg.chia_root = cfg->data_dir;
  if (cfg->bind_addr)
    rc_cfg.bind_addr = cfg->bind_addr;
  rc_cfg.port = cfg->port;
  rc = sim_rpc_new(n->chain, &rc_cfg, &n->rpc);
  if (rc)
    goto out;
  if (n->ms_per_sp) {
    if (pthread_create(&n->ticker, NULL, ticker_main, n)) {
      rc = CP_INTERNAL;
      goto out;
    }
    n->has_ticker = true;
  }
  log_info("sim", "node_started", "port=%u ms_per_sp=%u", (unsigned)sim_rpc_port(n->rpc),
           n->ms_per_sp);
  *out = n;
out:
  if (rc)
    sim_node_free(n);
  return rc;
}

void sim_node_free(struct sim_node *n)
{
  if (!n)
    return;
  if (n->has_ticker) {
    pthread_mutex_lock(&n->mu);
    n->stop = true;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    pthread_join(n->ticker, NULL);
  }
  sim_rpc_free(n->rpc);
  sim_chain_free(n->chain);
  pthread_cond_destroy(&n->cv);
  pthread_mutex_destroy(&n->mu);
  free(n);
}

struct sim_chain *sim_node_chain(struct sim_node *n)
{
  return n->chain;
}

uint16_t sim_node_port(const struct sim_node *n)
{
  return sim_rpc_port(n->rpc);
}
