#include "http/server.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "chia/cjson.h"
#include "http/ratelimit.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define TLS_FILE_MAX (1u << 20)
#define SHUTDOWN_WAIT_MS 2000

struct route {
  char *method;
  char *path;
  http_handler_fn fn;
  void *ud;
  size_t max_body;
  unsigned flags;
};

/* State shared by the server and its requests. It outlives the server while
 * requests are still referenced (a worker may answer after shutdown), so a
 * late http_respond_* never touches freed memory. */
struct hub {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  unsigned refs;
  bool stopping;
  struct http_request *suspended;   /* doubly linked */
  size_t n_suspended;
};

enum req_state {
  RS_READING,      /* receiving the body */
  RS_HANDLER,      /* handler running on the MHD thread */
  RS_SUSPENDED,    /* waiting for http_respond_* from elsewhere */
  RS_RESUMING,     /* response set, connection resumed, not yet queued */
  RS_QUEUED,
};

struct kv {
  bool header;
  char *key;
  char *val;
};

struct http_request {
  struct hub *hub;
  struct http_server *srv;
  struct MHD_Connection *conn;
  unsigned refs;                 /* hub->mu: MHD's + the handler's */
  enum req_state state;          /* hub->mu */
  bool responded;                /* hub->mu */
  const struct route *route;
  char method[16];
  char *path;
  char ip[INET6_ADDRSTRLEN];
  struct buf body;
  struct kv *kv;
  size_t n_kv;
  bool kv_overflow;
  /* the response, built by whichever thread answers */
  unsigned status;
  char ctype[48];
  uint8_t *resp;
  size_t resp_len;
  char hdr_name[16];             /* one extra header: Allow or Retry-After */
  char hdr_val[64];
  struct http_request *prev, *next;
};

struct http_server {
  struct http_config cfg;
  struct MHD_Daemon *d;
  struct hub *hub;
  struct route *routes;
  size_t n_routes;
  struct ratelimit *rl;
  char *tls_cert;
  char *tls_key;
  char *tls_ca;                  /* client CA: mutual TLS when set */
  char *root_text;
  struct route root;             /* GET / when root_text is set */
  uint16_t port;
};

void http_config_init(struct http_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->bind_addr = "0.0.0.0";
  cfg->threads = 2;
  cfg->conn_timeout_s = 30;
  cfg->max_connections = 1000;
  cfg->max_conn_per_ip = 50;
  cfg->default_max_body = HTTP_DEFAULT_MAX_BODY;
  cfg->rate_max_clients = 65536;
}

/* --- hub and request lifetime --- */

static void hub_unref(struct hub *h)
{
  bool last;
  pthread_mutex_lock(&h->mu);
  last = --h->refs == 0;
  pthread_mutex_unlock(&h->mu);
  if (!last)
    return;
  pthread_cond_destroy(&h->cv);
  pthread_mutex_destroy(&h->mu);
  free(h);
}

static void req_free(struct http_request *r)
{
  for (size_t i = 0; i < r->n_kv; i++) {
    free(r->kv[i].key);
    free(r->kv[i].val);
  }
  free(r->kv);
  free(r->path);
  free(r->resp);
  buf_release(&r->body);
  hub_unref(r->hub);
  free(r);
}

/* Drop one reference; caller holds hub->mu. True if r must be freed. */
static bool req_unref_locked(struct http_request *r)
{
  return --r->refs == 0;
}

static void unlink_locked(struct http_request *r)
{
  struct hub *h = r->hub;
  if (r->prev)
    r->prev->next = r->next;
  else if (h->suspended == r)
    h->suspended = r->next;
  else
    return;   /* not linked */
  if (r->next)
    r->next->prev = r->prev;
  r->prev = r->next = NULL;
  h->n_suspended--;
  pthread_cond_broadcast(&h->cv);
}

/* Store the response (first one wins) and wake a suspended connection.
 * Caller holds hub->mu, or owns r exclusively on the MHD thread. Takes
 * ownership of body. */
static void set_response_locked(struct http_request *r, unsigned status,
                                const char *ctype, uint8_t *body, size_t len,
                                const char *hname, const char *hval)
{
  if (r->responded) {
    free(body);
    return;
  }
  r->responded = true;
  r->status = status;
  snprintf(r->ctype, sizeof r->ctype, "%s", ctype);
  r->resp = body;
  r->resp_len = len;
  if (hname) {
    snprintf(r->hdr_name, sizeof r->hdr_name, "%s", hname);
    snprintf(r->hdr_val, sizeof r->hdr_val, "%s", hval);
  }
  if (r->state == RS_SUSPENDED) {
    r->state = RS_RESUMING;
    MHD_resume_connection(r->conn);
  }
}

/* {"error_code": code, "error_message": msg} as a malloc'd string. */
static uint8_t *error_body(unsigned code, const char *msg, size_t *len)
{
  json_t *o = json_object(), *m = json_string(msg);
  struct buf b;
  uint8_t *out = NULL;

  buf_init(&b, 64 + 6 * strlen(msg));
  if (!m)   /* not UTF-8: never echo it */
    m = json_string("(message is not valid UTF-8)");
  if (o && m && !json_object_set_new(o, "error_code", json_integer(code)) &&
      !json_object_set(o, "error_message", m) && !cjson_dump(o, &b))
    out = buf_detach(&b, len);
  json_decref(m);
  json_decref(o);
  buf_release(&b);
  if (!out) {
    static const char oom[] = "{\"error_code\":8,\"error_message\":\"out of memory\"}";
    out = (uint8_t *)xstrdup(oom);
    *len = sizeof oom - 1;
  }
  return out;
}

static void set_error_locked(struct http_request *r, unsigned status, unsigned code,
                             const char *msg, const char *hname, const char *hval)
{
  size_t len = 0;
  uint8_t *body = error_body(code, msg, &len);
  set_response_locked(r, status, "application/json", body, len, hname, hval);
}

static enum MHD_Result queue(struct http_request *r)
{
  struct MHD_Response *resp;
  enum MHD_Result ok;

  resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_COPY);
  if (!resp)
    return MHD_NO;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
  MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
  if (r->hdr_name[0])
    MHD_add_response_header(resp, r->hdr_name, r->hdr_val);
  ok = MHD_queue_response(r->conn, r->status, resp);
  MHD_destroy_response(resp);
  r->state = RS_QUEUED;
  return ok;
}

/* --- request intake --- */

static enum MHD_Result collect_kv(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *val)
{
  struct http_request *r = cls;
  if (!key)
    return MHD_YES;
  if (r->n_kv >= HTTP_MAX_KV) {
    r->kv_overflow = true;
    return MHD_NO;
  }
  r->kv[r->n_kv].header = kind == MHD_HEADER_KIND;
  r->kv[r->n_kv].key = xstrdup(key);
  r->kv[r->n_kv].val = xstrdup(val ? val : "");
  r->n_kv++;
  return MHD_YES;
}

static const struct route *find_route(const struct http_server *s, const char *method,
                                      const char *path, char *allow, size_t allow_cap)
{
  size_t used = 0;
  bool path_seen = false;

  if (!strcmp(method, "HEAD"))
    method = "GET";
  allow[0] = '\0';
  for (size_t i = 0; i < s->n_routes; i++) {
    const struct route *rt = &s->routes[i];
    int n;
    if (strcmp(rt->path, path))
      continue;
    if (!strcmp(rt->method, method))
      return rt;
    path_seen = true;
    n = snprintf(allow + used, allow_cap - used, "%s%s", used ? ", " : "", rt->method);
    if (n > 0 && (size_t)n < allow_cap - used)
      used += (size_t)n;
  }
  if (!path_seen)
    allow[0] = '\0';
  return NULL;
}

static void root_handler(struct http_request *r, void *ud)
{
  http_respond_text(r, 200, ud);
}

/* Did the client present a certificate that verifies against the trust
 * list MHD_OPTION_HTTPS_MEM_TRUST installed? (libmicrohttpd only asks for
 * one; it does not refuse a handshake without it.) */
static bool peer_verified(struct MHD_Connection *conn)
{
  const union MHD_ConnectionInfo *ci;
  gnutls_session_t tls;
  unsigned status = 0, n = 0;

  ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (!ci || !ci->tls_session)
    return false;
  tls = (gnutls_session_t)ci->tls_session;
  if (!gnutls_certificate_get_peers(tls, &n) || n == 0)
    return false;
  return gnutls_certificate_verify_peers2(tls, &status) == GNUTLS_E_SUCCESS && status == 0;
}

/* Everything decided from the request line and headers; may set an error
 * response so the body is never read. */
static void admit(struct http_server *s, struct http_request *r)
{
  const union MHD_ConnectionInfo *ci;
  const struct sockaddr *sa = NULL;
  const char *cl;
  char allow[128];
  uint64_t len = 0;
  size_t max;

  ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci && ci->client_addr) {
    sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->ip, sizeof r->ip);
    else if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->ip, sizeof r->ip);
  }
  r->kv = xcalloc(HTTP_MAX_KV, sizeof *r->kv);
  if (s->tls_ca && !peer_verified(r->conn)) {
    log_info("http", "client_cert_refused", "path=%s ip=%s", r->path, r->ip);
    set_error_locked(r, 403, HTTP_TRANSPORT_ERROR_CODE, "client certificate required",
                     NULL, NULL);
    return;
  }
  MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_kv, r);
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_kv, r);
  if (r->kv_overflow) {
    set_error_locked(r, 400, HTTP_TRANSPORT_ERROR_CODE, "too many headers or arguments",
                     NULL, NULL);
    return;
  }
  r->route = find_route(s, r->method, r->path, allow, sizeof allow);
  if (!r->route && s->root_text && !strcmp(r->path, "/") &&
      (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")))
    r->route = &s->root;
  if (!r->route && allow[0]) {
    set_error_locked(r, 405, HTTP_TRANSPORT_ERROR_CODE, "method not allowed", "Allow", allow);
    return;
  }
  if (!r->route) {
    set_error_locked(r, 404, HTTP_TRANSPORT_ERROR_CODE, "not found", NULL, NULL);
    return;
  }
  if (s->rl && !(r->route->flags & HTTP_ROUTE_NO_RATE_LIMIT)) {
    uint32_t wait_s = 0;
    if (!ratelimit_take(s->rl, sa, clock_mono_ms(), &wait_s)) {
      char v[16];
      snprintf(v, sizeof v, "%u", wait_s);
      set_error_locked(r, 429, HTTP_TRANSPORT_ERROR_CODE, "rate limited", "Retry-After", v);
      return;
    }
  }
  max = r->route->max_body ? r->route->max_body : s->cfg.default_max_body;
  cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl && (parse_u64_cstr(cl, UINT64_MAX, &len) || len > max)) {
    set_error_locked(r, 413, HTTP_TRANSPORT_ERROR_CODE, "request body too large", NULL, NULL);
    return;
  }
  buf_init(&r->body, max);
}

static struct http_request *req_new(struct http_server *s, struct MHD_Connection *conn,
                                    const char *url, const char *method)
{
  struct http_request *r = xcalloc(1, sizeof *r);
  r->srv = s;
  r->hub = s->hub;
  r->conn = conn;
  r->refs = 1;   /* libmicrohttpd's, dropped in on_completed */
  r->state = RS_READING;
  snprintf(r->method, sizeof r->method, "%s", method);
  r->path = xstrdup(url);
  buf_init(&r->body, 0);
  pthread_mutex_lock(&s->hub->mu);
  s->hub->refs++;
  pthread_mutex_unlock(&s->hub->mu);
  return r;
}

static enum MHD_Result run_handler(struct http_request *r)
{
  struct hub *h = r->hub;
  enum MHD_Result rc = MHD_YES;

  pthread_mutex_lock(&h->mu);
  r->state = RS_HANDLER;
  r->refs++;   /* the handler's, dropped by http_respond_* */
  pthread_mutex_unlock(&h->mu);

  r->route->fn(r, r->route->ud);

  pthread_mutex_lock(&h->mu);
  if (!r->responded && h->stopping)
    set_error_locked(r, 503, HTTP_TRANSPORT_ERROR_CODE, "shutting down", NULL, NULL);
  if (r->responded) {
    rc = queue(r);
  } else {
    r->state = RS_SUSPENDED;
    r->next = h->suspended;
    if (r->next)
      r->next->prev = r;
    h->suspended = r;
    h->n_suspended++;
    MHD_suspend_connection(r->conn);
  }
  pthread_mutex_unlock(&h->mu);
  return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
  struct http_server *s = cls;
  struct http_request *r = *con_cls;
  (void)version;
  if (!r) {
    r = req_new(s, conn, url, method);
    *con_cls = r;
    admit(s, r);
    return r->responded ? queue(r) : MHD_YES;
  }
  if (r->state == RS_READING && *upload_size) {
    if (buf_append(&r->body, upload, *upload_size) != CP_OK) {
      /* A chunked body past the cap (a declared length was refused in
       * admit). libmicrohttpd 0.9.75 cannot queue an answer mid-upload, and
       * reading on to answer 413 would let a client stream without bound:
       * drop the connection instead. */
      log_info("http", "body_too_large", "path=%s ip=%s", r->path, r->ip);
      return MHD_NO;
    }
    *upload_size = 0;
    return MHD_YES;
  }
  if (r->state == RS_READING)
    return run_handler(r);
  if (r->state == RS_QUEUED)
    return MHD_YES;
  /* resumed after an asynchronous answer; it stays on the hub's list until
   * on_completed, so shutdown can wait for the answer to be sent */
  return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
  struct http_request *r = *con_cls;
  bool last;

  (void)cls;
  (void)conn;
  if (!r)
    return;
  *con_cls = NULL;
  if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
    log_debug("http", "request_aborted", "path=%s ip=%s code=%d", r->path, r->ip, (int)toe);
  pthread_mutex_lock(&r->hub->mu);
  unlink_locked(r);
  last = req_unref_locked(r);
  pthread_mutex_unlock(&r->hub->mu);
  if (last)
    req_free(r);
}

/* --- responses (public) --- */

void http_respond_raw(struct http_request *r, unsigned status, const char *content_type,
                      const void *body, size_t len)
{
  struct hub *h = r->hub;
  uint8_t *copy = xmalloc(len ? len : 1);
  bool last;

  if (len)
    memcpy(copy, body, len);
  pthread_mutex_lock(&h->mu);
  set_response_locked(r, status, content_type, copy, len, NULL, NULL);
  last = req_unref_locked(r);
  pthread_mutex_unlock(&h->mu);
  if (last)
    req_free(r);
}

void http_respond_json(struct http_request *r, unsigned status, const json_t *body)
{
  struct buf b;
  buf_init(&b, HTTP_MAX_RESPONSE);
  if (cjson_dump(body, &b) == CP_OK) {
    http_respond_raw(r, status, "application/json", b.data, b.len);
  } else {
    log_error("http", "response_encode_failed", "path=%s", r->path);
    http_respond_error(r, 8, "response could not be encoded");
  }
  buf_release(&b);
}

void http_respond_error(struct http_request *r, unsigned code, const char *msg)
{
  size_t len = 0;
  uint8_t *body = error_body(code, msg ? msg : "", &len);
  http_respond_raw(r, 200, "application/json", body, len);
  free(body);
}

void http_respond_text(struct http_request *r, unsigned status, const char *text)
{
  http_respond_raw(r, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* --- request access --- */

const char *http_request_method(const struct http_request *r)
{
  return r->method;
}

const char *http_request_path(const struct http_request *r)
{
  return r->path;
}

static const char *kv_find(const struct http_request *r, bool header, const char *key)
{
  for (size_t i = 0; i < r->n_kv; i++) {
    if (r->kv[i].header != header)
      continue;
    if (header ? !strcasecmp(r->kv[i].key, key) : !strcmp(r->kv[i].key, key))
      return r->kv[i].val;
  }
  return NULL;
}

const char *http_request_query(const struct http_request *r, const char *key)
{
  return kv_find(r, false, key);
}

const char *http_request_header(const struct http_request *r, const char *name)
{
  return kv_find(r, true, name);
}

const uint8_t *http_request_body(const struct http_request *r, size_t *len)
{
  *len = r->body.len;
  return r->body.len ? r->body.data : (const uint8_t *)"";
}

cp_err http_request_json(const struct http_request *r, json_t **out)
{
  json_t *j = NULL;
  cp_err rc;

  *out = NULL;
  rc = cjson_loadb(r->body.len ? (const char *)r->body.data : "", r->body.len,
                   r->body.max ? r->body.max : 1, &j);
  if (rc)
    return CP_BAD_JSON;
  if (!json_is_object(j)) {
    json_decref(j);
    return CP_BAD_JSON;
  }
  *out = j;
  return CP_OK;
}

const char *http_request_ip(const struct http_request *r)
{
  return r->ip;
}

/* --- server lifecycle --- */

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
  char msg[256];
  size_t n;
  (void)cls;
  vsnprintf(msg, sizeof msg, fmt, ap);
  n = strlen(msg);
  while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
    msg[--n] = '\0';
  for (size_t i = 0; i < n; i++)
    if (msg[i] == '"')
      msg[i] = '\'';
  log_warn("http", "mhd", "msg=\"%s\"", msg);
}

static cp_err read_file(const char *path, char **out)
{
  FILE *f = fopen(path, "rb");
  struct buf b;
  char chunk[4096];
  const char *s;
  size_t n;
  cp_err rc = CP_OK;

  *out = NULL;
  if (!f)
    return CP_IO;
  buf_init(&b, TLS_FILE_MAX);
  while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    rc = buf_append(&b, chunk, n);
  if (!rc && ferror(f))
    rc = CP_IO;
  fclose(f);
  if (!rc)
    rc = buf_cstr(&b, &s);
  if (!rc)
    *out = (char *)buf_detach(&b, NULL);
  buf_release(&b);
  return rc;
}

static cp_err check_config(const struct http_config *cfg, const struct http_route *routes,
                           size_t n)
{
  if (!cfg->bind_addr || !cfg->threads || !cfg->max_connections ||
      !cfg->default_max_body || (!cfg->tls_cert_file != !cfg->tls_key_file) ||
      (cfg->tls_client_ca_file && !cfg->tls_cert_file))
    return CP_CONFIG;
  for (size_t i = 0; i < n; i++)
    if (!routes[i].method || !routes[i].path || !routes[i].fn ||
        routes[i].path[0] != '/' || strlen(routes[i].method) >= 16)
      return CP_CONFIG;
  return CP_OK;
}

cp_err http_server_new(const struct http_config *cfg, const struct http_route *routes,
                       size_t n_routes, struct http_server **out)
{
  struct http_server *s;
  struct sockaddr_storage ss;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
                   MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  const union MHD_DaemonInfo *di;
  cp_err rc;

  *out = NULL;
  rc = check_config(cfg, routes, n_routes);
  if (rc)
    return rc;
  memset(&ss, 0, sizeof ss);
  if (inet_pton(AF_INET, cfg->bind_addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
    ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
    ((struct sockaddr_in *)&ss)->sin_port = htons(cfg->port);
  } else if (inet_pton(AF_INET6, cfg->bind_addr,
                       &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
    ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
    ((struct sockaddr_in6 *)&ss)->sin6_port = htons(cfg->port);
    flags |= MHD_USE_IPv6;
  } else {
    return CP_CONFIG;
  }
  if (cfg->tls_cert_file && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
    return CP_UNSUPPORTED;

  s = xcalloc(1, sizeof *s);
  s->cfg = *cfg;
  s->hub = xcalloc(1, sizeof *s->hub);
  pthread_mutex_init(&s->hub->mu, NULL);
  pthread_cond_init(&s->hub->cv, NULL);
  s->hub->refs = 1;
  s->routes = xcalloc(n_routes ? n_routes : 1, sizeof *s->routes);
  for (size_t i = 0; i < n_routes; i++) {
    s->routes[i].method = xstrdup(routes[i].method);
    s->routes[i].path = xstrdup(routes[i].path);
    s->routes[i].fn = routes[i].fn;
    s->routes[i].ud = routes[i].ud;
    s->routes[i].max_body = routes[i].max_body;
    s->routes[i].flags = routes[i].flags;
  }
  s->n_routes = n_routes;
  if (cfg->root_text) {
    s->root_text = xstrdup(cfg->root_text);
    s->root.fn = root_handler;
    s->root.ud = s->root_text;
    s->root.flags = HTTP_ROUTE_NO_RATE_LIMIT;
  }
  /* config strings are not ours to keep */
  s->cfg.bind_addr = NULL;
  s->cfg.tls_cert_file = s->cfg.tls_key_file = s->cfg.root_text = NULL;
  s->cfg.tls_client_ca_file = NULL;
  if (cfg->rate_per_s) {
    rc = ratelimit_new(cfg->rate_per_s, cfg->rate_burst ? cfg->rate_burst : 4 * cfg->rate_per_s,
                       cfg->rate_max_clients ? cfg->rate_max_clients : 65536, &s->rl);
    if (rc)
      goto out;
  }
  if (cfg->tls_cert_file) {
    rc = read_file(cfg->tls_cert_file, &s->tls_cert);
    if (!rc)
      rc = read_file(cfg->tls_key_file, &s->tls_key);
    if (!rc && cfg->tls_client_ca_file)
      rc = read_file(cfg->tls_client_ca_file, &s->tls_ca);
    if (rc)
      goto out;
    flags |= MHD_USE_TLS;
  }
  {
    struct MHD_OptionItem opts[14];
    size_t k = 0;
#define OPT(o, v, p) (opts[k++] = (struct MHD_OptionItem){ (o), (intptr_t)(v), (p) })
    OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL);   /* must come first */
    OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout_s, NULL);
    OPT(MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL);
    OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_conn_per_ip, NULL);
    /* RFC-strict parsing (Host required, no bare LF); farmers' aiohttp
     * clients are well-formed, so only junk is refused */
    OPT(MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL);
    if (cfg->threads > 1)
      OPT(MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, NULL);
    if (s->tls_cert) {
      OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert);
      OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key);
    }
    if (s->tls_ca)
      OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, s->tls_ca);
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
  }
  if (!s->d) {
    rc = CP_IO;
    goto out;
  }
  di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  s->port = di ? di->port : cfg->port;
  log_info("http", "listening", "addr=%s port=%u tls=%d", cfg->bind_addr,
           (unsigned)s->port, s->tls_cert != NULL);
out:
  if (rc) {
    http_server_free(s);
    return rc;
  }
  *out = s;
  return CP_OK;
}

uint16_t http_server_port(const struct http_server *s)
{
  return s->port;
}

void http_server_free(struct http_server *s)
{
  struct hub *h;

  if (!s)
    return;
  h = s->hub;
  if (s->d) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SHUTDOWN_WAIT_MS / 1000;
    pthread_mutex_lock(&h->mu);
    h->stopping = true;
    /* libmicrohttpd must not be stopped with suspended connections: answer
     * them ourselves; their handlers' late answers become no-ops */
    for (struct http_request *r = h->suspended; r; r = r->next)
      set_error_locked(r, 503, HTTP_TRANSPORT_ERROR_CODE, "shutting down", NULL, NULL);
    while (h->n_suspended &&
           pthread_cond_timedwait(&h->cv, &h->mu, &until) == 0)
      ;
    pthread_mutex_unlock(&h->mu);
    MHD_stop_daemon(s->d);
  }
  for (size_t i = 0; i < s->n_routes; i++) {
    free(s->routes[i].method);
    free(s->routes[i].path);
  }
  free(s->routes);
  ratelimit_free(s->rl);
  free(s->tls_cert);
  free(s->tls_key);
  free(s->tls_ca);
  free(s->root_text);
  free(s);
  hub_unref(h);
}
