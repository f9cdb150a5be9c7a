/* Helpers shared by the node layer's typed calls; not for other layers.
 * Defined in node_json.c except node__coin_records (fullnode.c). */
#ifndef CP_NODE_NODE_INT_H
#define CP_NODE_NODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "node/fullnode.h"
#include "node/rpc.h"

/* Fills out (a typed struct) from j; any error means "malformed". */
typedef cp_err (*node_parse_fn)(const json_t *j, void *out);

/* --- response members --- */
/* Record a malformed response in e; returns CP_RPC_RESPONSE. */
cp_err node__bad(struct node_error *e, const char *endpoint, const char *what);
cp_err node__u32(const json_t *o, const char *key, uint32_t *out);
cp_err node__u8(const json_t *o, const char *key, uint8_t *out);
/* Member present and not null. */
bool node__has(const json_t *o, const char *key);
/* arr as a fresh array (*v, *n) of at most max items of size bytes, each
 * filled by parse. CP_RPC_RESPONSE for a non-array, an over-long array or
 * a bad item (then *bad_item, if given, is true); nothing is left
 * allocated on error. */
cp_err node__list(const json_t *arr, size_t max, size_t size, node_parse_fn parse,
                  void **v, size_t *n, bool *bad_item);
cp_err node__coin_records(const json_t *arr, struct node_coin_records *out);

/* --- requests --- */
/* New empty request object. */
cp_err node__req(json_t **req);
/* New request object with one member: a 32-byte hash or an integer. */
cp_err node__req_hash(json_t **req, const char *key, const uint8_t hash[32]);
cp_err node__req_u64(json_t **req, const char *key, uint64_t v);

/* --- calls --- */
/* node_call, then parse resp[key] into out; a member parse rejects is
 * recorded in err as "<ep>: bad or missing <key>". */
cp_err node__call_parse(struct node_client *c, const char *ep, const json_t *req,
                        const char *key, node_parse_fn parse, void *out,
                        struct node_error *err);
/* node_call, then node__list on resp[key]; err says "<key>" or
 * "<key> item". */
cp_err node__call_list(struct node_client *c, const char *ep, const json_t *req,
                       const char *key, size_t max, size_t size, node_parse_fn parse,
                       void **v, size_t *n, struct node_error *err);

#endif
