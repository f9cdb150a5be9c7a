/* The simulated full node: certificates, chain (with its mempool), the
 * mutual-TLS RPC server and a ticker thread that makes a signage point
 * every ms_per_sp. In-process farmers and wallets use sim_node_chain()
 * directly; the pool talks to it over RPC like to a real node, with a
 * client certificate from <data_dir>/config/ssl (node_config_chia_root). */
#ifndef CP_SIM_NODE_H
#define CP_SIM_NODE_H

#include <stdint.h>

#include "sim/chain.h"
#include "util/err.h"

struct sim_node_config {
  const char *data_dir;        /* Chia root for the certificates (required) */
  const char *bind_addr;       /* default "127.0.0.1" */
  uint16_t port;               /* 0 = ephemeral */
  uint32_t ms_per_sp;          /* real ms per signage point; 0 = no ticker
                                  (tests call sim_chain_advance) */
  uint64_t difficulty;         /* 0 = SIM_DEFAULT_DIFFICULTY */
  uint64_t seed;
  uint8_t genesis_farmer_ph[32];
  uint8_t genesis_pool_ph[32];
};

struct sim_node;

/* lifecycle */
void sim_node_config_init(struct sim_node_config *cfg);
cp_err sim_node_new(const struct sim_node_config *cfg, struct sim_node **out);
/* Stops the ticker and the server, then frees the chain. */
void sim_node_free(struct sim_node *n);

/* queries */
struct sim_chain *sim_node_chain(struct sim_node *n);
uint16_t sim_node_port(const struct sim_node *n);

#endif
