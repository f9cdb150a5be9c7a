/* HTTP(S) server framework on libmicrohttpd: a route table, bounded
 * request bodies, per-IP rate limiting, JSON responses the way the pool
 * protocol wants them, and requests that complete asynchronously.
 *
 * Status codes. The pool protocol answers every request it understands
 * with HTTP 200 and a JSON body; protocol failures are
 * {"error_code": N, "error_message": "..."} (http_respond_error). Problems
 * below the protocol are real HTTP errors, which a farmer counts as
 * connection failures rather than parsing: 404 unknown path, 405 wrong
 * method (with Allow), 413 body over the route's cap (refused from
 * Content-Length before the body is read; a chunked body that passes the
 * cap gets its connection closed instead, as libmicrohttpd cannot answer
 * mid-upload), 429 rate limited (with Retry-After), 503 shutting down;
 * each still carries a JSON error body with error_code 16 (REQUEST_FAILED)
 * so a human with curl sees why. Malformed HTTP gets libmicrohttpd's 400.
 * Every response has Access-Control-Allow-Origin: *.
 *
 * Threads and async completion. Handlers run on the server's polling
 * threads and must not block (no BLS, no proof checks, no node RPC, no
 * database round trips). A handler either responds before it returns, or
 * hands the request to another thread and returns; the connection is then
 * suspended (no thread waits on it) until some thread calls one of the
 * http_respond_* functions, which may happen from any thread, once.
 *
 * Lifetime. A request stays valid until it is responded to; every accessor
 * may be used from any thread until then (query arguments, headers and the
 * body are copied out of libmicrohttpd when the handler is called). If the
 * server is freed while requests are still pending, they are answered 503
 * for the client and the late http_respond_* call becomes a no-op. */
#ifndef CP_HTTP_SERVER_H
#define CP_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <jansson.h>

#include "util/err.h"

#define HTTP_DEFAULT_MAX_BODY (64u << 10)
#define HTTP_MAX_KV 128          /* query arguments + headers per request */
#define HTTP_MAX_RESPONSE (16u << 20)
/* error_code used in the JSON of transport-level errors (REQUEST_FAILED) */
#define HTTP_TRANSPORT_ERROR_CODE 16

struct http_config {
  const char *bind_addr;       /* IPv4 or IPv6 literal; default "0.0.0.0" */
  uint16_t port;               /* 0 = ephemeral (see http_server_port) */
  const char *tls_cert_file;   /* PEM; both set = HTTPS (GnuTLS in MHD) */
  const char *tls_key_file;
  /* PEM CA (needs TLS): every request must come over a connection whose
   * client certificate verifies against it, else 403 - mutual TLS as a
   * Chia node's RPC server demands. NULL = no client certificates. */
  const char *tls_client_ca_file;
  unsigned threads;            /* polling threads, default 2 */
  unsigned conn_timeout_s;     /* idle connection timeout, default 30 */
  unsigned max_connections;    /* default 1000 */
  unsigned max_conn_per_ip;    /* default 50, 0 = unlimited */
  size_t default_max_body;     /* for routes with max_body 0 */
  uint32_t rate_per_s;         /* requests per second per IP; 0 = no limit */
  uint32_t rate_burst;         /* default 4 * rate_per_s */
  size_t rate_max_clients;     /* default 65536 */
  const char *root_text;       /* GET / text/plain body; NULL = 404 */
};

struct http_request;
struct http_server;

typedef void (*http_handler_fn)(struct http_request *r, void *ud);

enum http_route_flags {
  HTTP_ROUTE_NO_RATE_LIMIT = 1 << 0,   /* e.g. health checks */
};

struct http_route {
  const char *method;          /* "GET", "POST", "PUT", ...; HEAD maps to GET */
  const char *path;            /* exact match, query string excluded */
  http_handler_fn fn;
  void *ud;
  size_t max_body;             /* bytes; 0 = config default_max_body */
  unsigned flags;              /* enum http_route_flags */
};

/* lifecycle */
void http_config_init(struct http_config *cfg);
/* Copy the route table and start listening. CP_UNSUPPORTED if TLS is asked
 * for and libmicrohttpd lacks it; CP_IO if the address cannot be bound. */
cp_err http_server_new(const struct http_config *cfg, const struct http_route *routes,
                       size_t n_routes, struct http_server **out);
uint16_t http_server_port(const struct http_server *s);
void http_server_free(struct http_server *s);

/* request access (any thread, until responded) */
const char *http_request_method(const struct http_request *r);
const char *http_request_path(const struct http_request *r);
/* Decoded query argument; NULL if absent, "" if present without value. */
const char *http_request_query(const struct http_request *r, const char *key);
/* Header by case-insensitive name; NULL if absent. */
const char *http_request_header(const struct http_request *r, const char *name);
const uint8_t *http_request_body(const struct http_request *r, size_t *len);
/* Body as a JSON object (big-int safe, see chia/cjson.h); new reference.
 * CP_BAD_JSON if it is not a JSON object. */
cp_err http_request_json(const struct http_request *r, json_t **out);
/* Client address as text ("127.0.0.1", "::1"). */
const char *http_request_ip(const struct http_request *r);

/* responses: exactly one per request, from any thread; r is gone after */
void http_respond_json(struct http_request *r, unsigned status, const json_t *body);
/* Pool protocol error: HTTP 200 {"error_code": code, "error_message": msg}. */
void http_respond_error(struct http_request *r, unsigned code, const char *msg);
void http_respond_text(struct http_request *r, unsigned status, const char *text);
void http_respond_raw(struct http_request *r, unsigned status, const char *content_type,
                      const void *body, size_t len);

#endif
