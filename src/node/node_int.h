/* Helpers shared by the node layer's typed calls; not for other layers. */
#ifndef CP_NODE_NODE_INT_H
#define CP_NODE_NODE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "node/fullnode.h"
#include "node/rpc.h"

/* Record a malformed response in e; returns CP_RPC_RESPONSE. */
cp_err node__bad(struct node_error *e, const char *endpoint, const char *what);
cp_err node__u32(const json_t *o, const char *key, uint32_t *out);
cp_err node__u8(const json_t *o, const char *key, uint8_t *out);
/* Member present and not null. */
bool node__has(const json_t *o, const char *key);
/* New empty request object. */
cp_err node__req(json_t **req);
cp_err node__coin_records(const json_t *arr, struct node_coin_records *out);

#endif
