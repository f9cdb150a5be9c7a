/* POST /farmer, PUT /farmer, GET /farmer, GET /login: parsing at the edge,
 * the work (owner and authentication signatures, singleton lookups, store
 * writes) in pool/farmers on a worker thread. */
#include "http/api_int.h"

#include "util/clock.h"

enum { P_LAUNCHER, P_TOKEN, P_SIG };

static int need_farmers(struct api *a, struct http_request *r)
{
  if (a->d.farmers)
    return 1;
  http_respond_error(r, POOL_SERVER_EXCEPTION, "farmer registry unavailable");
  return 0;
}

static void work_post(struct api_job *j)
{
  j->rc = farmers_post(j->a->d.farmers, j->body, clock_unix_s(), &j->resp);
}

static void work_put(struct api_job *j)
{
  j->rc = farmers_put(j->a->d.farmers, j->body, clock_unix_s(), &j->resp);
}

static void work_get(struct api_job *j)
{
  j->rc = farmers_get(j->a->d.farmers, j->has[P_LAUNCHER] ? j->p[P_LAUNCHER] : NULL,
                      j->has[P_TOKEN] ? j->p[P_TOKEN] : NULL,
                      j->has[P_SIG] ? j->p[P_SIG] : NULL, clock_unix_s(), &j->resp);
}

static void work_login(struct api_job *j)
{
  j->rc = farmers_login(j->a->d.farmers, j->has[P_LAUNCHER] ? j->p[P_LAUNCHER] : NULL,
                        j->has[P_TOKEN] ? j->p[P_TOKEN] : NULL,
                        j->has[P_SIG] ? j->p[P_SIG] : NULL, clock_unix_s(), &j->resp);
}

/* The body must be a JSON object with an object "payload"; the rest of
 * the shape is the farmers module's to judge (it answers with codes). */
static void with_body(struct http_request *r, struct api *a,
                      void (*work)(struct api_job *j))
{
  struct api_job *j;
  json_t *body = NULL;

  if (!need_farmers(a, r))
    return;
  if (http_request_json(r, &body)) {
    http_respond_error(r, POOL_SERVER_EXCEPTION,
                       "malformed request: body must be a JSON object");
    return;
  }
  if (!json_is_object(json_object_get(body, "payload"))) {
    json_decref(body);
    http_respond_error(r, POOL_SERVER_EXCEPTION,
                       "malformed request: \"payload\" must be a JSON object");
    return;
  }
  j = api__job_new(a, r, work);
  j->body = body;
  api__submit(j);
}

static void with_query(struct http_request *r, struct api *a,
                       void (*work)(struct api_job *j))
{
  struct api_job *j;

  if (!need_farmers(a, r))
    return;
  j = api__job_new(a, r, work);
  if (api__job_param(j, P_LAUNCHER, "launcher_id") ||
      api__job_param(j, P_TOKEN, "authentication_token") ||
      api__job_param(j, P_SIG, "signature"))
    return;
  api__submit(j);
}

void api__farmer_post(struct http_request *r, void *ud)
{
  with_body(r, ud, work_post);
}

void api__farmer_put(struct http_request *r, void *ud)
{
  with_body(r, ud, work_put);
}

void api__farmer_get(struct http_request *r, void *ud)
{
  with_query(r, ud, work_get);
}

void api__login(struct http_request *r, void *ud)
{
  with_query(r, ud, work_login);
}
