/* POST /partial: parse and shape-check at the edge (the farmer gets a
 * message naming the bad field), then hand the request to the partial
 * pipeline and answer from its reply callback, on whatever thread that
 * runs. Unknown keys (authentication_token_v2 at the top level, newer
 * proof_of_space fields) are ignored, as §9 requires. */
#include "http/api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "util/clock.h"
#include "util/xalloc.h"

struct partial_ctx {
  struct api *a;
  struct http_request *r;
  uint64_t t0_ms;
};

/* Required members and their JSON types, checked before the strict parse so
 * the error message names the field rather than just "malformed". */
static const struct {
  const char *parent; /* NULL = top level */
  const char *key;
  json_type type;
} shape[] = {
  { NULL, "payload", JSON_OBJECT },
  { NULL, "aggregate_signature", JSON_STRING },
  { "payload", "launcher_id", JSON_STRING },
  { "payload", "authentication_token", JSON_INTEGER },
  { "payload", "proof_of_space", JSON_OBJECT },
  { "payload", "sp_hash", JSON_STRING },
  { "payload", "end_of_sub_slot", JSON_TRUE },
  { "payload", "harvester_id", JSON_STRING },
};

static const char *type_name(json_type t)
{
  switch (t) {
  case JSON_OBJECT: return "an object";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "an integer";
  case JSON_TRUE: return "a boolean";
  default: return "another type";
  }
}

static int type_ok(const json_t *v, json_type want)
{
  if (want == JSON_TRUE)
    return json_is_boolean(v);
  /* cjson keeps integers beyond int64 as tagged strings; the strict parse
   * rejects them for a uint64 token, with the right message */
  if (want == JSON_INTEGER)
    return json_is_integer(v) || json_is_string(v);
  return json_typeof(v) == want;
}

static int check_shape(const json_t *body, char *msg, size_t cap)
{
  for (size_t i = 0; i < sizeof shape / sizeof shape[0]; i++) {
    const json_t *obj = shape[i].parent ? json_object_get(body, shape[i].parent) : body;
    const json_t *v = json_object_get(obj, shape[i].key);
    const char *dot = shape[i].parent ? "." : "";
    const char *par = shape[i].parent ? shape[i].parent : "";
    if (!v) {
      snprintf(msg, cap, "invalid partial: missing %s%s%s", par, dot, shape[i].key);
      return -1;
    }
    if (!type_ok(v, shape[i].type)) {
      snprintf(msg, cap, "invalid partial: %s%s%s must be %s", par, dot, shape[i].key,
               type_name(shape[i].type));
      return -1;
    }
  }
  return 0;
}

static void on_reply(void *ctx, const struct partial_reply *rep)
{
  struct partial_ctx *c = ctx;
  struct api *a = c->a;
  json_t *j;

  metric_observe(a->m_latency, (double)(clock_mono_ms() - c->t0_ms) / 1000.0);
  if (rep->code == POOL_OK) {
    metric_add(a->m_accepted, 1);
    api__rate_note(a, clock_unix_s());
    j = json_object();
    if (j && !cjson_set_u64(j, "new_difficulty", rep->new_difficulty))
      http_respond_json(c->r, 200, j);
    else
      http_respond_error(c->r, POOL_SERVER_EXCEPTION, "out of memory");
  } else {
    metric_add(a->m_rejected, 1);
    j = pool_error_json(rep->code, rep->message[0] ? rep->message : NULL);
    if (j)
      http_respond_json(c->r, 200, j);
    else
      http_respond_error(c->r, POOL_SERVER_EXCEPTION, "out of memory");
  }
  json_decref(j);
  free(c);
  api__inflight_done(a);
}

static void bad_request(struct api *a, struct http_request *r, const char *msg)
{
  metric_add(a->m_bad_request, 1);
  http_respond_error(r, POOL_SERVER_EXCEPTION, msg);
}

void api__partial(struct http_request *r, void *ud)
{
  struct api *a = ud;
  struct chia_partial_request *req = NULL;
  struct partial_ctx *c = NULL;
  json_t *body = NULL;
  uint64_t received = clock_unix_s();
  char msg[160];
  cp_err rc;

  if (http_request_json(r, &body)) {
    bad_request(a, r, "malformed request: body must be a JSON object");
    goto out;
  }
  if (check_shape(body, msg, sizeof msg)) {
    bad_request(a, r, msg);
    goto out;
  }
  req = xmalloc(sizeof *req);
  rc = chia_partial_request_from_json(body, req);
  if (rc) {
    snprintf(msg, sizeof msg, "invalid partial: %s", cp_strerror(rc));
    bad_request(a, r, msg);
    goto out;
  }
  if (!a->d.partials) {
    http_respond_error(r, POOL_SERVER_EXCEPTION, "partial pipeline unavailable");
    goto out;
  }
  /* Checked before any signature work, so one launcher's flood costs
   * almost nothing; an honest farmer at its difficulty never gets near. */
  if (a->launcher_rl && !ratelimit_take_key(a->launcher_rl, req->payload.launcher_id, 32,
                                            clock_mono_ms(), NULL)) {
    metric_add(a->m_busy, 1);
    http_respond_error(r, POOL_REQUEST_FAILED,
                       "too many partials for this launcher id: slow down");
    goto out;
  }
  c = xmalloc(sizeof *c);
  c->a = a;
  c->r = r;
  c->t0_ms = clock_mono_ms();
  /* counted before submitting: the reply may fire before submit returns */
  api__inflight_add(a);
  rc = partials_submit(a->d.partials, req, received, on_reply, c);
  if (rc) {
    metric_add(a->m_busy, 1);
    http_respond_error(r, POOL_SERVER_EXCEPTION,
                       rc == CP_SHUTDOWN ? "server is shutting down"
                                         : "server busy, retry later");
    free(c);
    api__inflight_done(a);
  }
out:
  free(req);
  json_decref(body);
}
