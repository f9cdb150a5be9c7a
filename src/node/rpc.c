#include "node/rpc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "chia/cjson.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Request bodies are ours (spend bundles, payout lists); a few MB is already
 * far beyond any pool transaction. */
#define NODE_MAX_REQUEST (8u << 20)
#define NODE_ENDPOINT_MAX 64

struct node_client {
  struct node_config cfg;
  CURL *curl;
  struct curl_slist *headers;
  pthread_mutex_t lock;   /* one transfer at a time on curl */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
  global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void node_global_cleanup(void)
{
  if (global_rc == CURLE_OK)
    curl_global_cleanup();
}

void node_config_init(struct node_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  snprintf(cfg->host, sizeof cfg->host, "localhost");
  cfg->port = NODE_PORT_FULL_NODE;
  cfg->connect_timeout_ms = 5000;
  cfg->timeout_ms = 30000;
  cfg->max_response = NODE_DEFAULT_MAX_RESPONSE;
  cfg->retries = 2;
  cfg->retry_delay_ms = 250;
}

static cp_err path_set(char *out, size_t cap, const char *root, const char *rel)
{
  int n = snprintf(out, cap, "%s/%s", root, rel);
  return n < 0 || (size_t)n >= cap ? CP_TOO_BIG : CP_OK;
}

cp_err node_config_chia_root(struct node_config *cfg, const char *root,
                             enum node_service svc)
{
  const char *crt, *key;
  cp_err rc;

  if (!root || !*root)
    return CP_INVAL;
  if (svc == NODE_SERVICE_WALLET) {
    crt = "config/ssl/wallet/private_wallet.crt";
    key = "config/ssl/wallet/private_wallet.key";
    cfg->port = NODE_PORT_WALLET;
  } else {
    crt = "config/ssl/full_node/private_full_node.crt";
    key = "config/ssl/full_node/private_full_node.key";
    cfg->port = NODE_PORT_FULL_NODE;
  }
  rc = path_set(cfg->ca_cert, sizeof cfg->ca_cert, root, "config/ssl/ca/private_ca.crt");
  if (!rc)
    rc = path_set(cfg->cert, sizeof cfg->cert, root, crt);
  if (!rc)
    rc = path_set(cfg->key, sizeof cfg->key, root, key);
  return rc;
}

/* curl write callback: returning less than asked aborts the transfer with
 * CURLE_WRITE_ERROR, which is how the size cap stops a runaway body. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
  struct buf *b = ud;
  size_t n = size * nmemb;
  if (buf_append(b, p, n) != CP_OK)
    return 0;
  return n;
}

static cp_err setup_handle(struct node_client *c)
{
  const struct node_config *cfg = &c->cfg;
  CURL *h = c->curl;
  CURLcode e = CURLE_OK;

#define SET(opt, val) do { if (!e) e = curl_easy_setopt(h, opt, val); } while (0)
  SET(CURLOPT_NOSIGNAL, 1L);               /* threads: no SIGALRM for DNS */
  SET(CURLOPT_PROTOCOLS_STR, "https");
  SET(CURLOPT_PROXY, "");                  /* never route the node via *_proxy */
  SET(CURLOPT_FOLLOWLOCATION, 0L);
  SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
  SET(CURLOPT_SSL_VERIFYPEER, 1L);
  SET(CURLOPT_SSL_VERIFYHOST, 0L);         /* Chia certs are not issued per host */
  SET(CURLOPT_CAINFO, cfg->ca_cert);
  SET(CURLOPT_CAPATH, (char *)NULL);       /* only the private CA, not the system store */
  if (cfg->cert[0]) {
    SET(CURLOPT_SSLCERT, cfg->cert);
    SET(CURLOPT_SSLCERTTYPE, "PEM");
    SET(CURLOPT_SSLKEY, cfg->key);
    SET(CURLOPT_SSLKEYTYPE, "PEM");
  }
  SET(CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
  SET(CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
  SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cfg->max_response);
  SET(CURLOPT_POST, 1L);
  SET(CURLOPT_HTTPHEADER, c->headers);
  SET(CURLOPT_WRITEFUNCTION, on_body);
#undef SET
  return e ? CP_RPC_TRANSPORT : CP_OK;
}

cp_err node_new(const struct node_config *cfg, struct node_client **out)
{
  struct node_client *c = NULL;
  cp_err rc = CP_OK;

  *out = NULL;
  if (!cfg->host[0] || !cfg->ca_cert[0] || !cfg->port || !cfg->max_response ||
      !cfg->timeout_ms || !cfg->connect_timeout_ms ||
      (cfg->cert[0] && !cfg->key[0]))
    return CP_CONFIG;
  pthread_once(&global_once, global_init);
  if (global_rc != CURLE_OK)
    return CP_INTERNAL;
  c = xcalloc(1, sizeof *c);
  c->cfg = *cfg;
  pthread_mutex_init(&c->lock, NULL);
  c->curl = curl_easy_init();
  if (!c->curl) {
    rc = CP_NOMEM;
    goto out;
  }
  /* no "Expect: 100-continue": the node answers only once, after the body */
  c->headers = curl_slist_append(NULL, "Content-Type: application/json");
  if (c->headers)
    c->headers = curl_slist_append(c->headers, "Expect:");
  if (!c->headers) {
    rc = CP_NOMEM;
    goto out;
  }
  rc = setup_handle(c);
out:
  if (rc) {
    node_free(c);
    return rc;
  }
  *out = c;
  return CP_OK;
}

void node_free(struct node_client *c)
{
  if (!c)
    return;
  if (c->curl)
    curl_easy_cleanup(c->curl);
  curl_slist_free_all(c->headers);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static void err_set(struct node_error *e, cp_err rc, const char *fmt, const char *detail)
{
  if (!e)
    return;
  e->err = rc;
  snprintf(e->message, sizeof e->message, fmt, detail ? detail : "");
}

/* Transport failures where the request certainly never reached the node. */
static bool safe_to_retry(CURLcode cc, curl_off_t sent)
{
  if (sent > 0)
    return false;
  switch (cc) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING:
    return true;
  default:
    return false;
  }
}

static cp_err map_curl(CURLcode cc, const struct buf *body)
{
  switch (cc) {
  case CURLE_OK:
    return CP_OK;
  case CURLE_OPERATION_TIMEDOUT:
    return CP_TIMEOUT;
  case CURLE_FILESIZE_EXCEEDED:
    return CP_TOO_BIG;
  case CURLE_WRITE_ERROR:
    /* our callback refuses only when the cap is reached */
    return body->len + CURL_MAX_WRITE_SIZE > body->max ? CP_TOO_BIG : CP_RPC_TRANSPORT;
  default:
    return CP_RPC_TRANSPORT;
  }
}

/* One HTTP exchange: fills body and the HTTP status, no JSON yet. */
static cp_err transfer(struct node_client *c, const char *url, const char *req,
                       size_t req_len, struct buf *body, long *status,
                       struct node_error *e)
{
  char errbuf[CURL_ERROR_SIZE];
  unsigned attempt = 0;
  uint64_t delay = c->cfg.retry_delay_ms;
  CURLcode cc;
  cp_err rc;

  for (;;) {
    curl_off_t sent = 0;
    errbuf[0] = '\0';
    buf_reset(body);
    *status = 0;
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, req);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req_len);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf);
    cc = curl_easy_perform(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, (char *)NULL);
    if (cc == CURLE_OK) {
      curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
      return CP_OK;
    }
    rc = map_curl(cc, body);
    curl_easy_getinfo(c->curl, CURLINFO_REQUEST_SIZE, &sent);
    err_set(e, rc, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
    if (rc == CP_TOO_BIG || attempt >= c->cfg.retries || !safe_to_retry(cc, sent))
      break;
    attempt++;
    log_warn("node", "rpc_retry", "url=%s attempt=%u err=\"%s\"", url, attempt,
             curl_easy_strerror(cc));
    clock_sleep_ms(delay);
    delay *= 2;
  }
  log_warn("node", "rpc_transport", "url=%s err=%s detail=\"%s\"", url,
           cp_errname(rc), errbuf[0] ? errbuf : curl_easy_strerror(cc));
  return rc;
}

static void error_fields(const json_t *resp, struct node_error *e)
{
  const json_t *v, *se;

  if (!e)
    return;
  v = json_object_get(resp, "error");
  if (json_is_string(v))
    snprintf(e->message, sizeof e->message, "%s", json_string_value(v));
  else
    snprintf(e->message, sizeof e->message, "node reported failure");
  se = json_object_get(resp, "structuredError");
  v = json_object_get(se, "code");
  if (json_is_string(v))
    snprintf(e->code, sizeof e->code, "%s", json_string_value(v));
}

static bool endpoint_ok(const char *ep)
{
  size_t n = 0;
  if (!ep)
    return false;
  for (; ep[n]; n++) {
    char ch = ep[n];
    if (n >= NODE_ENDPOINT_MAX ||
        !((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
      return false;
  }
  return n > 0;
}

cp_err node_call(struct node_client *c, const char *endpoint, const json_t *req,
                 json_t **resp, struct node_error *e)
{
  struct buf reqb, body;
  json_t *empty = NULL, *doc = NULL;
  const json_t *ok;
  const char *reqs;
  char url[NODE_HOST_MAX + NODE_ENDPOINT_MAX + 32];
  long status = 0;
  cp_err rc;

  *resp = NULL;
  if (e)
    memset(e, 0, sizeof *e);
  buf_init(&reqb, NODE_MAX_REQUEST);
  buf_init(&body, c->cfg.max_response);
  if (!endpoint_ok(endpoint) || (req && !json_is_object(req))) {
    rc = CP_INVAL;
    err_set(e, rc, "bad endpoint or request%s", NULL);
    goto out;
  }
  if (!req)
    req = empty = json_object();
  rc = cjson_dump(req, &reqb);
  if (!rc)
    rc = buf_cstr(&reqb, &reqs);
  if (rc) {
    err_set(e, rc, "request encoding failed%s", NULL);
    goto out;
  }
  /* brackets keep an IPv6 literal a host, not a port separator */
  snprintf(url, sizeof url, strchr(c->cfg.host, ':') ? "https://[%s]:%u/%s"
           : "https://%s:%u/%s", c->cfg.host, (unsigned)c->cfg.port, endpoint);

  pthread_mutex_lock(&c->lock);
  rc = transfer(c, url, reqs, reqb.len, &body, &status, e);
  pthread_mutex_unlock(&c->lock);
  if (e)
    e->http_status = status;
  if (rc)
    goto out;
  if (status != 200) {
    rc = CP_RPC_RESPONSE;
    if (e)
      snprintf(e->message, sizeof e->message, "HTTP status %ld", status);
    goto out;
  }
  rc = cjson_loadb((const char *)body.data, body.len, c->cfg.max_response, &doc);
  if (rc || !json_is_object(doc)) {
    rc = rc == CP_TOO_BIG ? CP_TOO_BIG : CP_RPC_RESPONSE;
    err_set(e, rc, "response is not a JSON object%s", NULL);
    goto out;
  }
  ok = json_object_get(doc, "success");
  if (!json_is_boolean(ok)) {
    rc = CP_RPC_RESPONSE;
    err_set(e, rc, "response has no boolean \"success\"%s", NULL);
    goto out;
  }
  if (!json_is_true(ok)) {
    rc = CP_RPC_ERROR;
    error_fields(doc, e);
    log_debug("node", "rpc_error", "endpoint=%s code=%s", endpoint,
              e && e->code[0] ? e->code : "-");
  }
  *resp = doc;
  doc = NULL;
out:
  if (e)
    e->err = rc;
  json_decref(doc);
  json_decref(empty);
  buf_release(&reqb);
  buf_release(&body);
  return rc;
}

void node_error_format(const struct node_error *e, char *out, size_t cap)
{
  if (!cap)
    return;
  if (e->code[0])
    snprintf(out, cap, "%s: %s: %s", cp_errname(e->err), e->code, e->message);
  else if (e->http_status && e->http_status != 200)
    snprintf(out, cap, "%s: HTTP %ld: %s", cp_errname(e->err), e->http_status, e->message);
  else
    snprintf(out, cap, "%s: %s", cp_errname(e->err), e->message);
}
