#include "http/api_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chia/cjson.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* One table for every route: method, path, handler, body cap. Bodies of
 * GET routes are never read, so their cap only bounds what a client may
 * push before being refused. */
static const struct {
  const char *method;
  const char *path;
  http_handler_fn fn;
  size_t max_body;
  unsigned flags;
} route_table[] = {
  { "GET", "/pool_info", api__pool_info, 1024, 0 },
  { "POST", "/farmer", api__farmer_post, API_MAX_BODY_FARMER, 0 },
  { "PUT", "/farmer", api__farmer_put, API_MAX_BODY_FARMER, 0 },
  { "GET", "/farmer", api__farmer_get, 1024, 0 },
  { "GET", "/login", api__login, 1024, 0 },
  { "POST", "/partial", api__partial, API_MAX_BODY_PARTIAL, 0 },
  { "GET", "/metrics", api__metrics, 1024, HTTP_ROUTE_NO_RATE_LIMIT },
  { "GET", "/api/pool", api__stats_pool, 1024, 0 },
  { "GET", "/api/farmer", api__stats_farmer, 1024, 0 },
  { "GET", "/web", api__web, 1024, 0 },
  { "GET", "/web/", api__web, 1024, 0 },
  { "GET", "/web/index.html", api__web, 1024, 0 },
  { "GET", "/web/app.js", api__web, 1024, 0 },
};

#define N_ROUTES (sizeof route_table / sizeof route_table[0])
_Static_assert(N_ROUTES <= API_MAX_ROUTES, "raise API_MAX_ROUTES");

const char *api_root_text(void)
{
  return "chiapool: a Chia pool (protocol v1). Pool info: /pool_info; "
         "farmer page: /web/\n";
}

size_t api_routes(struct api *a, struct http_route *out, size_t cap)
{
  size_t n = 0;
  for (size_t i = 0; i < N_ROUTES && n < cap; i++, n++) {
    out[n].method = route_table[i].method;
    out[n].path = route_table[i].path;
    out[n].fn = route_table[i].fn;
    out[n].ud = a;
    out[n].max_body = route_table[i].max_body;
    out[n].flags = route_table[i].flags;
  }
  return n;
}

/* GetPoolInfoResponse, in the reference's field order. fee is the text as
 * configured: the farmer parses a string, and "0.01" must stay "0.01". */
static cp_err render_pool_info(struct api *a)
{
  const struct pool_config *c = a->d.cfg;
  json_t *j = json_object();
  struct buf b;
  const char *s;
  cp_err rc = CP_NOMEM;

  buf_init(&b, 64u << 10);
  if (!j)
    goto out;
  if (json_object_set_new(j, "name", json_string(c->name)) ||
      json_object_set_new(j, "logo_url", json_string(c->logo_url)) ||
      cjson_set_u64(j, "minimum_difficulty", c->min_difficulty) ||
      cjson_set_u64(j, "relative_lock_height", c->relative_lock_height) ||
      cjson_set_u64(j, "protocol_version", 1) ||
      json_object_set_new(j, "fee", json_string(c->pool_fee_text)) ||
      json_object_set_new(j, "description", json_string(c->description)) ||
      cjson_set_hex(j, "target_puzzle_hash", c->default_target_puzzle_hash, 32) ||
      cjson_set_u64(j, "authentication_token_timeout", c->authentication_token_timeout))
    goto out;
  rc = cjson_dump(j, &b);
  if (!rc)
    rc = buf_cstr(&b, &s);
  if (rc)
    goto out;
  a->pool_info_json = xstrdup(s);
  a->pool_info_len = strlen(s);
out:
  json_decref(j);
  buf_release(&b);
  return rc;
}

static void register_metrics(struct api *a)
{
  static const double lat[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                0.25, 0.5, 1, 2.5, 5, 10, 30 };
  struct metrics *m = a->d.metrics;
  const char *h = "POST /partial answers by result";
  if (!m)
    return;
  a->m_accepted = metrics_counter(m, "chiapool_api_partials_total", h, "result", "accepted");
  a->m_rejected = metrics_counter(m, "chiapool_api_partials_total", h, "result", "rejected");
  a->m_bad_request = metrics_counter(m, "chiapool_api_partials_total", h, "result",
                                     "bad_request");
  a->m_busy = metrics_counter(m, "chiapool_api_partials_total", h, "result", "busy");
  a->m_latency = metrics_histogram(m, "chiapool_api_partial_seconds",
                                   "POST /partial time from request to answer", lat,
                                   sizeof lat / sizeof lat[0]);
  a->m_jobs = metrics_gauge(m, "chiapool_api_inflight",
                            "requests handed to workers and not yet answered", NULL, NULL);
}

cp_err api_new(const struct api_deps *d, struct api **out)
{
  struct api *a;
  cp_err rc;

  *out = NULL;
  if (!d || !d->cfg || !d->net || !d->workq)
    return CP_INVAL;
  a = xcalloc(1, sizeof *a);
  a->d = *d;
  pthread_mutex_init(&a->lock, NULL);
  pthread_cond_init(&a->idle, NULL);
  rc = render_pool_info(a);
  if (!rc && d->cfg->partial_rate_per_launcher)
    rc = ratelimit_new(d->cfg->partial_rate_per_launcher,
                       d->cfg->partial_burst_per_launcher, 65536, &a->launcher_rl);
  if (rc) {
    api_free(a);
    return rc;
  }
  register_metrics(a);
  *out = a;
  return CP_OK;
}

void api_free(struct api *a)
{
  if (!a)
    return;
  pthread_cond_destroy(&a->idle);
  pthread_mutex_destroy(&a->lock);
  if (a->launcher_rl)
    ratelimit_free(a->launcher_rl);
  free(a->pool_info_json);
  free(a->stats_json);
  free(a);
}

/* --- inflight accounting --- */

void api__inflight_add(struct api *a)
{
  pthread_mutex_lock(&a->lock);
  a->inflight++;
  pthread_mutex_unlock(&a->lock);
  metric_gauge_add(a->m_jobs, 1);
}

void api__inflight_done(struct api *a)
{
  metric_gauge_add(a->m_jobs, -1);
  pthread_mutex_lock(&a->lock);
  if (a->inflight && --a->inflight == 0)
    pthread_cond_broadcast(&a->idle);
  pthread_mutex_unlock(&a->lock);
}

size_t api_inflight(struct api *a)
{
  size_t n;
  pthread_mutex_lock(&a->lock);
  n = a->inflight;
  pthread_mutex_unlock(&a->lock);
  return n;
}

size_t api_drain(struct api *a, uint64_t timeout_ms)
{
  struct timespec ts;
  size_t n;

  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += (time_t)(timeout_ms / 1000);
  ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&a->lock);
  while (a->inflight && pthread_cond_timedwait(&a->idle, &a->lock, &ts) == 0)
    ;
  n = a->inflight;
  pthread_mutex_unlock(&a->lock);
  return n;
}

/* --- accepted-partial rate --- */

void api__rate_note(struct api *a, uint64_t sec)
{
  struct api_rate_slot *s = &a->rate[sec % API_RATE_SLOTS];
  pthread_mutex_lock(&a->lock);
  if (s->sec != sec) {
    s->sec = sec;
    s->n = 0;
  }
  s->n++;
  pthread_mutex_unlock(&a->lock);
}

/* Average over the last full API_RATE_WINDOW seconds (the current second
 * is still filling, so it is left out). */
double api__rate_recent(struct api *a, uint64_t now_sec)
{
  uint64_t total = 0;
  pthread_mutex_lock(&a->lock);
  for (uint64_t i = 1; i <= API_RATE_WINDOW && i <= now_sec; i++) {
    const struct api_rate_slot *s = &a->rate[(now_sec - i) % API_RATE_SLOTS];
    if (s->sec == now_sec - i)
      total += s->n;
  }
  pthread_mutex_unlock(&a->lock);
  return (double)total / API_RATE_WINDOW;
}

/* --- worker jobs --- */

struct api_job *api__job_new(struct api *a, struct http_request *r,
                             void (*work)(struct api_job *j))
{
  struct api_job *j = xcalloc(1, sizeof *j);
  j->a = a;
  j->r = r;
  j->work = work;
  return j;
}

static void job_free(struct api_job *j)
{
  json_decref(j->body);
  json_decref(j->resp);
  free(j->raw);
  free(j);
}

int api__job_param(struct api_job *j, int i, const char *key)
{
  const char *v = http_request_query(j->r, key);
  size_t n;
  char msg[96];

  if (!v)
    return 0;
  n = strlen(v);
  if (n > API_PARAM_MAX) {
    snprintf(msg, sizeof msg, "query parameter %s is too long", key);
    http_respond_error(j->r, POOL_SERVER_EXCEPTION, msg);
    job_free(j);
    return -1;
  }
  memcpy(j->p[i], v, n + 1);
  j->has[i] = 1;
  return 0;
}

static void job_work(void *ctx)
{
  struct api_job *j = ctx;
  j->work(j);
}

static void job_done(void *ctx, cp_err status)
{
  struct api_job *j = ctx;
  struct api *a = j->a;

  if (status)
    http_respond_error(j->r, POOL_SERVER_EXCEPTION, "server is shutting down");
  else if (j->rc)
    http_respond_error(j->r, POOL_SERVER_EXCEPTION, cp_strerror(j->rc));
  else if (j->raw)
    http_respond_raw(j->r, 200, "application/json", j->raw, strlen(j->raw));
  else if (j->resp)
    http_respond_json(j->r, 200, j->resp);
  else
    http_respond_error(j->r, POOL_SERVER_EXCEPTION, "no response");
  job_free(j);
  api__inflight_done(a);
}

void api__submit(struct api_job *j)
{
  struct api *a = j->a;
  cp_err rc;

  api__inflight_add(a);
  rc = workq_submit(a->d.workq, API_WORKQ_CLASS, job_work, job_done, j);
  if (rc) {
    log_warn("api", "busy", "path=%s err=%s", http_request_path(j->r), cp_errname(rc));
    http_respond_error(j->r, POOL_SERVER_EXCEPTION,
                       rc == CP_QUEUE_FULL ? "server busy, retry later"
                                           : "server is shutting down");
    job_free(j);
    api__inflight_done(a);
  }
}
