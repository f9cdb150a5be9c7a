/* The simulated full node's RPC server: the endpoints a pool uses
 * (docs/node-rpc.md), answered from a sim_chain with the real node's JSON
 * shapes, over HTTPS with mutual TLS like chia's RPC server: the daemon
 * certificate of the simulator's Chia root as the server certificate, and
 * a client certificate signed by its private CA required on every
 * connection.
 *
 * Endpoints: get_blockchain_state, get_network_info,
 * get_aggsig_additional_data, get_recent_signage_point_or_eos,
 * get_block_record_by_height, get_block_record, get_block_records,
 * get_coin_record_by_name, get_coin_records_by_puzzle_hash,
 * get_coin_records_by_puzzle_hashes, get_puzzle_and_solution, push_tx,
 * get_additions_and_removals. Errors are {"success": false, "error": msg}
 * plus "structuredError" {code, message, data} where 2.7.3 has a code.
 *
 * Handlers answer on the HTTP polling threads; all of them are short
 * (a lock and a copy) except push_tx, which runs the bundle's puzzles and a
 * BLS check - milliseconds, acceptable for a simulator. */
#ifndef CP_SIM_NODE_RPC_H
#define CP_SIM_NODE_RPC_H

#include <stdint.h>

#include "sim/chain.h"
#include "util/err.h"

struct sim_rpc_config {
  const char *chia_root;   /* certs (sim_certs_ensure must have run) */
  const char *bind_addr;   /* default "127.0.0.1" */
  uint16_t port;           /* 0 = ephemeral */
  unsigned threads;        /* default 2 */
};

struct sim_rpc;

/* lifecycle */
void sim_rpc_config_init(struct sim_rpc_config *cfg);
/* chain is not owned and must outlive the server. */
cp_err sim_rpc_new(struct sim_chain *chain, const struct sim_rpc_config *cfg,
                   struct sim_rpc **out);
void sim_rpc_free(struct sim_rpc *s);

/* queries */
uint16_t sim_rpc_port(const struct sim_rpc *s);

#endif
