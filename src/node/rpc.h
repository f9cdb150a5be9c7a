/* JSON-RPC client for a Chia full node or wallet (HTTPS POST + mutual TLS).
 *
 * Chia's RPC servers require a client certificate signed by the node's
 * private CA and present a certificate whose CN is not the host name, so we
 * verify the chain against private_ca.crt and skip the host name check, as
 * Chia's own clients do.
 *
 * Every call is bounded: a connect timeout, a total timeout and a response
 * size cap. Transport failures are retried only when no request byte left
 * this process (connection refused, DNS, TLS handshake before the request),
 * so a non-idempotent call such as send_transaction_multi is never sent
 * twice. RPC errors ("success": false) are never retried.
 *
 * A client serialises its calls on one connection (libcurl keeps it alive);
 * make one client per thread that needs parallel calls. */
#ifndef CP_NODE_RPC_H
#define CP_NODE_RPC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util/err.h"

#define NODE_PORT_FULL_NODE 8555
#define NODE_PORT_WALLET 9256
#define NODE_PATH_MAX 512
#define NODE_HOST_MAX 256
/* Default response cap: a get_block_records range of a few hundred records
 * or a large coin record list stays far below this. */
#define NODE_DEFAULT_MAX_RESPONSE (32u << 20)

enum node_service { NODE_SERVICE_FULL_NODE, NODE_SERVICE_WALLET };

struct node_config {
  char host[NODE_HOST_MAX];      /* default "localhost" */
  uint16_t port;                 /* default 8555 */
  char ca_cert[NODE_PATH_MAX];   /* PEM; empty = refuse to connect */
  char cert[NODE_PATH_MAX];      /* client cert PEM; empty = none */
  char key[NODE_PATH_MAX];
  uint32_t connect_timeout_ms;   /* default 5000 */
  uint32_t timeout_ms;           /* whole call, default 30000 */
  size_t max_response;           /* bytes, default NODE_DEFAULT_MAX_RESPONSE */
  unsigned retries;              /* extra attempts, default 2 */
  uint32_t retry_delay_ms;       /* first delay, doubles; default 250 */
};

/* What went wrong in a failed call, for logs and for callers that branch on
 * the node's error code (SP_NOT_IN_CACHE, COIN_RECORD_NOT_FOUND, ...). */
struct node_error {
  cp_err err;
  long http_status;      /* 0 if no HTTP response */
  char code[64];         /* structuredError.code, "" for older nodes */
  char message[256];     /* node "error" text or transport detail */
};

struct node_client;

/* configuration */
void node_config_init(struct node_config *cfg);
/* Fill ca_cert/cert/key from a Chia root (e.g. ~/.chia/mainnet) using
 * config/ssl/ca/private_ca.crt and config/ssl/<svc>/private_<svc>.{crt,key};
 * sets the service's default port. CP_TOO_BIG if a path does not fit. */
cp_err node_config_chia_root(struct node_config *cfg, const char *root,
                             enum node_service svc);

/* lifecycle */
cp_err node_new(const struct node_config *cfg, struct node_client **out);
void node_free(struct node_client *c);
/* Release libcurl's global state (tests and process exit). */
void node_global_cleanup(void);

/* POST req (NULL = {}) to /<endpoint>. On CP_OK *resp is the response
 * object (new reference; big integers as cjson tags). On CP_RPC_ERROR
 * *resp is the error body too, so callers can read "error"; on any other
 * error *resp is NULL. err may be NULL. */
cp_err node_call(struct node_client *c, const char *endpoint, const json_t *req,
                 json_t **resp, struct node_error *err);

/* Describe e in out for a log line ("RPC_ERROR: SP_NOT_IN_CACHE: ..."). */
void node_error_format(const struct node_error *e, char *out, size_t cap);

#endif
