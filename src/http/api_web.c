/* The read-only side: GET /pool_info, GET /metrics, the farmer-facing JSON
 * API (GET /api/pool, GET /api/farmer) and the embedded web page. */
#include "http/api_int.h"

#include <stdlib.h>
#include <string.h>

#include "chia/cjson.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/xalloc.h"

#define RECENT_PARTIALS 20
#define DAY_S 86400u
/* Payout history: the newest confirmed batches scanned for the farmer's
 * lines. A farmer paid in every batch sees PAYOUT_HISTORY entries. */
#define PAYOUT_SCAN_IDS 4096
#define PAYOUT_HISTORY 10

void api__pool_info(struct http_request *r, void *ud)
{
  struct api *a = ud;
  http_respond_raw(r, 200, "application/json", a->pool_info_json, a->pool_info_len);
}

void api__metrics(struct http_request *r, void *ud)
{
  struct api *a = ud;
  struct buf b;

  buf_init(&b, 8u << 20);
  if (a->d.metrics && metrics_render(a->d.metrics, &b)) {
    http_respond_text(r, 500, "metrics unavailable\n");
  } else {
    http_respond_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8",
                     b.len ? (const char *)b.data : "", b.len);
  }
  buf_release(&b);
}

/* --- GET /api/pool --- */

static const char *scheme_name(enum payout_scheme s)
{
  switch (s) {
  case PAYOUT_PPLNS: return "pplns";
  case PAYOUT_PPS: return "pps";
  default: return "prop";
  }
}

static cp_err pool_stats(struct api *a, json_t *j)
{
  const struct pool_config *c = a->d.cfg;
  struct store_farmer_list members = { 0 };
  uint64_t points = 0, pending = 0;
  cp_err rc;

  rc = store_farmer_list_members(a->d.store, &members);
  if (rc)
    goto out;
  for (size_t i = 0; i < members.n; i++)
    points = points > UINT64_MAX - members.items[i].points ? UINT64_MAX
                                                           : points + members.items[i].points;
  rc = store_pending_count(a->d.store, &pending);
  if (rc)
    goto out;
  rc = CP_NOMEM;
  if (json_object_set_new(j, "name", json_string(c->name)) ||
      json_object_set_new(j, "network", json_string(c->network)) ||
      json_object_set_new(j, "fee", json_string(c->pool_fee_text)) ||
      json_object_set_new(j, "payout_scheme", json_string(scheme_name(c->payout_scheme))) ||
      cjson_set_u64(j, "minimum_difficulty", c->min_difficulty) ||
      cjson_set_u64(j, "members", members.n) ||
      cjson_set_u64(j, "total_points", points) ||
      cjson_set_u64(j, "pending_partials", pending) ||
      json_object_set_new(j, "partials_per_second",
                          json_real(api__rate_recent(a, clock_unix_s()))) ||
      cjson_set_u64(j, "time", clock_unix_s()))
    goto out;
  rc = CP_OK;
out:
  store_farmer_list_release(&members);
  return rc;
}

static void work_pool(struct api_job *j)
{
  struct api *a = j->a;
  struct buf b;
  const char *s;
  json_t *o = json_object();

  buf_init(&b, 64u << 10);
  j->rc = o ? pool_stats(a, o) : CP_NOMEM;
  if (!j->rc)
    j->rc = cjson_dump(o, &b);
  if (!j->rc)
    j->rc = buf_cstr(&b, &s);
  if (!j->rc) {
    j->raw = xstrdup(s);
    pthread_mutex_lock(&a->lock);
    free(a->stats_json);
    a->stats_json = xstrdup(s);
    a->stats_at_ms = clock_mono_ms();
    pthread_mutex_unlock(&a->lock);
  }
  json_decref(o);
  buf_release(&b);
}

/* Cached for a few seconds: a page left open by many farmers must not turn
 * into a table scan per view. */
void api__stats_pool(struct http_request *r, void *ud)
{
  struct api *a = ud;
  char *cached = NULL;

  pthread_mutex_lock(&a->lock);
  if (a->stats_json && clock_mono_ms() - a->stats_at_ms < API_STATS_TTL_MS)
    cached = xstrdup(a->stats_json);
  pthread_mutex_unlock(&a->lock);
  if (cached) {
    http_respond_raw(r, 200, "application/json", cached, strlen(cached));
    free(cached);
    return;
  }
  if (!a->d.store) {
    http_respond_error(r, POOL_SERVER_EXCEPTION, "store unavailable");
    return;
  }
  api__submit(api__job_new(a, r, work_pool));
}

/* --- GET /api/farmer?launcher_id=... --- */

static cp_err payout_history(struct api *a, const uint8_t id[32], json_t *arr)
{
  int64_t *ids = xcalloc(PAYOUT_SCAN_IDS, sizeof *ids);
  size_t n = 0, found = 0;
  cp_err rc;

  rc = store_payout_list(a->d.store, STORE_PAYOUT_CONFIRMED, ids, PAYOUT_SCAN_IDS, &n);
  /* oldest first: walk back from the newest */
  for (size_t i = n; !rc && i > 0 && found < PAYOUT_HISTORY; i--) {
    struct store_payout_batch b;
    struct store_payout_line_list lines = { 0 };
    rc = store_payout_get(a->d.store, ids[i - 1], &b, &lines);
    for (size_t l = 0; !rc && l < lines.n; l++) {
      const struct store_payout_line *ln = &lines.items[l];
      json_t *e;
      if (!ln->has_launcher || memcmp(ln->launcher_id, id, 32))
        continue;
      e = json_object();
      if (!e || json_array_append_new(arr, e) || cjson_set_u64(e, "time", b.updated_at) ||
          cjson_set_u64(e, "amount", ln->amount) ||
          (b.has_tx ? cjson_set_hex(e, "tx_id", b.tx_id, 32) : cjson_set_null(e, "tx_id")))
        rc = CP_NOMEM;
      found++;
    }
    store_payout_line_list_release(&lines);
  }
  free(ids);
  return rc;
}

static cp_err farmer_stats(struct api *a, const uint8_t id[32], json_t *j, int *known)
{
  struct store_farmer f;
  struct store_partial_point pts[RECENT_PARTIALS];
  size_t n = 0;
  uint64_t now = clock_unix_s(), day = 0, balance = 0;
  json_t *arr = NULL, *pays = NULL;
  int have_f = 0;
  cp_err rc;

  *known = 1;
  memset(&f, 0, sizeof f);
  rc = store_farmer_get(a->d.store, id, &f);
  if (rc == CP_NOT_FOUND) {
    *known = 0;
    return CP_OK;
  }
  if (rc)
    goto out;
  have_f = 1;
  rc = store_partial_recent(a->d.store, id, RECENT_PARTIALS, pts, &n);
  if (!rc)
    rc = store_partial_count_since(a->d.store, id, now > DAY_S ? now - DAY_S : 0, &day);
  if (!rc)
    rc = store_balance_get(a->d.store, id, &balance);
  if (rc)
    goto out;
  rc = CP_NOMEM;
  arr = json_array();
  pays = json_array();
  if (!arr || !pays)
    goto out;
  rc = payout_history(a, id, pays);
  if (rc)
    goto out;
  rc = CP_NOMEM;
  for (size_t i = 0; i < n; i++) {
    json_t *p = json_array();
    if (!p || json_array_append_new(arr, p) || json_array_append_new(p, cjson_u64(pts[i].timestamp)) ||
        json_array_append_new(p, cjson_u64(pts[i].difficulty)))
      goto out;
  }
  if (cjson_set_hex(j, "launcher_id", id, 32) ||
      cjson_set_u64(j, "difficulty", f.difficulty) ||
      cjson_set_u64(j, "points", f.points) ||
      cjson_set_bool(j, "is_pool_member", f.is_pool_member != 0) ||
      cjson_set_u64(j, "joined_at", f.joined_at) ||
      json_object_set_new(j, "payout_instructions", json_string(f.payout_instructions)) ||
      cjson_set_u64(j, "partials_24h", day) ||
      cjson_set_u64(j, "balance", balance) ||
      json_object_set(j, "recent_partials", arr) ||
      json_object_set(j, "payouts", pays))
    goto out;
  rc = CP_OK;
out:
  json_decref(arr);
  json_decref(pays);
  if (have_f)
    store_farmer_release(&f);
  return rc;
}

static void work_farmer(struct api_job *j)
{
  uint8_t id[32];
  int known = 0;

  /* validated in the handler; decoding again is cheaper than carrying it */
  if (hex_decode_exact(id, 32, j->p[0], strlen(j->p[0]))) {
    j->rc = CP_BAD_HEX;
    return;
  }
  j->resp = json_object();
  if (!j->resp) {
    j->rc = CP_NOMEM;
    return;
  }
  j->rc = farmer_stats(j->a, id, j->resp, &known);
  if (!j->rc && !known) {
    json_decref(j->resp);
    j->resp = pool_error_json(POOL_FARMER_NOT_KNOWN, NULL);
  }
}

void api__stats_farmer(struct http_request *r, void *ud)
{
  struct api *a = ud;
  const char *id = http_request_query(r, "launcher_id");
  uint8_t tmp[32];
  struct api_job *j;

  if (!id || hex_decode_exact(tmp, 32, id, strlen(id))) {
    http_respond_error(r, POOL_SERVER_EXCEPTION,
                       "launcher_id must be 32 bytes of hex (64 digits, optional 0x)");
    return;
  }
  if (!a->d.store) {
    http_respond_error(r, POOL_SERVER_EXCEPTION, "store unavailable");
    return;
  }
  j = api__job_new(a, r, work_farmer);
  if (api__job_param(j, 0, "launcher_id"))
    return;
  api__submit(j);
}

/* --- the page --- */

void api__web(struct http_request *r, void *ud)
{
  const char *path = http_request_path(r);
  (void)ud;
  if (!strcmp(path, "/web") || !strcmp(path, "/web/"))
    path = "/web/index.html";
  for (size_t i = 0; i < web_assets_count; i++)
    if (!strcmp(web_assets[i].path, path)) {
      http_respond_raw(r, 200, web_assets[i].content_type, web_assets[i].data,
                       web_assets[i].len);
      return;
    }
  http_respond_text(r, 404, "not found\n");
}
