/* JSON plumbing shared by the full node and wallet calls (node_int.h):
 * request building, strict member parsing and the "call, then parse one
 * member of the response" step every typed call ends with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "node/node_int.h"
#include "util/xalloc.h"

cp_err node__bad(struct node_error *e, const char *endpoint, const char *what)
{
  if (e) {
    e->err = CP_RPC_RESPONSE;
    snprintf(e->message, sizeof e->message, "%s: bad or missing %s", endpoint, what);
  }
  return CP_RPC_RESPONSE;
}

cp_err node__u32(const json_t *o, const char *key, uint32_t *out)
{
  uint64_t v;
  cp_err rc = cjson_get_u64(o, key, UINT32_MAX, &v);
  if (!rc)
    *out = (uint32_t)v;
  return rc;
}

cp_err node__u8(const json_t *o, const char *key, uint8_t *out)
{
  uint64_t v;
  cp_err rc = cjson_get_u64(o, key, UINT8_MAX, &v);
  if (!rc)
    *out = (uint8_t)v;
  return rc;
}

/* Optional member present (non-null)? Errors only on a non-object. */
bool node__has(const json_t *o, const char *key)
{
  const json_t *v = json_object_get(o, key);
  return v && !json_is_null(v);
}

cp_err node__req(json_t **req)
{
  *req = json_object();
  return *req ? CP_OK : CP_NOMEM;
}

cp_err node__req_hash(json_t **req, const char *key, const uint8_t hash[32])
{
  cp_err rc = node__req(req);
  if (!rc)
    rc = cjson_set_hex(*req, key, hash, 32);
  return rc;
}

cp_err node__req_u64(json_t **req, const char *key, uint64_t v)
{
  cp_err rc = node__req(req);
  if (!rc)
    rc = cjson_set_u64(*req, key, v);
  return rc;
}

cp_err node__list(const json_t *arr, size_t max, size_t size, node_parse_fn parse,
                  void **v, size_t *n, bool *bad_item)
{
  size_t len = json_array_size(arr);
  unsigned char *items;

  *v = NULL;
  *n = 0;
  if (bad_item)
    *bad_item = false;
  if (!json_is_array(arr) || len > max)
    return CP_RPC_RESPONSE;
  items = xcalloc(len ? len : 1, size);
  for (size_t i = 0; i < len; i++) {
    if (parse(json_array_get(arr, i), items + i * size)) {
      free(items);
      if (bad_item)
        *bad_item = true;
      return CP_RPC_RESPONSE;
    }
  }
  *v = items;
  *n = len;
  return CP_OK;
}

cp_err node__call_parse(struct node_client *c, const char *ep, const json_t *req,
                        const char *key, node_parse_fn parse, void *out,
                        struct node_error *err)
{
  json_t *resp = NULL;
  cp_err rc = node_call(c, ep, req, &resp, err);
  if (!rc && parse(json_object_get(resp, key), out))
    rc = node__bad(err, ep, key);
  json_decref(resp);
  return rc;
}

cp_err node__call_list(struct node_client *c, const char *ep, const json_t *req,
                       const char *key, size_t max, size_t size, node_parse_fn parse,
                       void **v, size_t *n, struct node_error *err)
{
  json_t *resp = NULL;
  bool bad_item;
  char what[64];
  cp_err rc;

  *v = NULL;
  *n = 0;
  rc = node_call(c, ep, req, &resp, err);
  if (!rc && node__list(json_object_get(resp, key), max, size, parse, v, n,
                        &bad_item)) {
    /* the item/array distinction is kept in the message for the logs */
    snprintf(what, sizeof what, "%s%s", key, bad_item ? " item" : "");
    rc = node__bad(err, ep, what);
  }
  json_decref(resp);
  return rc;
}
