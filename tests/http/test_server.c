/* HTTP server framework over real sockets on 127.0.0.1, driven by libcurl. */
#include "testutil.h"
#include "testtls.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <curl/curl.h>

#include "http/server.h"
#include "util/buf.h"
#include "util/clock.h"

static struct testtls certs;

/* --- client side --- */

struct reply {
  long status;
  char body[8192];
  size_t body_len;
  char headers[4096];
  size_t headers_len;
  CURLcode cc;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  struct reply *r = ud;
  size_t len = size * n, room = sizeof r->body - 1 - r->body_len;
  memcpy(r->body + r->body_len, p, len < room ? len : room);
  r->body_len += len < room ? len : room;
  r->body[r->body_len] = '\0';
  return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
  struct reply *r = ud;
  size_t len = size * n, room = sizeof r->headers - 1 - r->headers_len;
  memcpy(r->headers + r->headers_len, p, len < room ? len : room);
  r->headers_len += len < room ? len : room;
  r->headers[r->headers_len] = '\0';
  return len;
}

struct req_opts {
  const char *method;        /* NULL = GET */
  const char *body;
  long body_len;             /* -1 = chunked upload of body */
  const char *ca;            /* https: CA file */
  const char *header;        /* one extra request header */
};

static size_t chunk_read(char *dst, size_t size, size_t n, void *ud)
{
  const char **p = ud;
  size_t want = size * n, have = strlen(*p);
  size_t take = have < want ? have : want;
  if (take > 7)
    take = 7;   /* many small chunks */
  memcpy(dst, *p, take);
  *p += take;
  return take;
}

static void fetch(const char *url, const struct req_opts *o, struct reply *r)
{
  CURL *h = curl_easy_init();
  struct curl_slist *hdrs = NULL;
  const char *cursor = o && o->body ? o->body : "";

  memset(r, 0, sizeof *r);
  assert_non_null(h);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
  hdrs = curl_slist_append(hdrs, "Expect:");
  if (o && o->header)
    hdrs = curl_slist_append(hdrs, o->header);
  if (o && o->body && o->body_len < 0) {
    hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, chunk_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &cursor);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, o->method ? o->method : "POST");
  } else if (o && o->body) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, o->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, o->body_len);
  }
  if (o && o->method && !(o->body && o->body_len < 0))
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, o->method);
  if (o && o->ca) {
    curl_easy_setopt(h, CURLOPT_CAINFO, o->ca);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  r->cc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
}

static void assert_header(const struct reply *r, const char *line)
{
  if (!strcasestr(r->headers, line))
    fail_msg("header \"%s\" missing in:\n%s", line, r->headers);
}

static void url(char *out, size_t cap, const struct http_server *s, const char *path)
{
  snprintf(out, cap, "http://127.0.0.1:%u%s", (unsigned)http_server_port(s), path);
}

/* --- handlers --- */

static atomic_int served;

static void h_info(struct http_request *r, void *ud)
{
  (void)ud;
  atomic_fetch_add(&served, 1);
  json_t *j = json_pack("{s:s,s:i}", "name", "test pool", "fee", 1);
  http_respond_json(r, 200, j);
  json_decref(j);
}

/* Echo: method, path, query "launcher_id", header "X-Test", JSON body key "a". */
static void h_echo(struct http_request *r, void *ud)
{
  json_t *body = NULL, *out;
  const char *q = http_request_query(r, "launcher_id");
  const char *hv = http_request_header(r, "x-test");
  (void)ud;
  if (http_request_json(r, &body) != CP_OK) {
    http_respond_error(r, 8, "bad JSON body");
    return;
  }
  out = json_pack("{s:s,s:s,s:s*,s:s*,s:O*}", "method", http_request_method(r),
                  "path", http_request_path(r), "q", q, "h", hv, "a",
                  json_object_get(body, "a"));
  http_respond_json(r, 200, out);
  json_decref(out);
  json_decref(body);
}

static void h_farmer_unknown(struct http_request *r, void *ud)
{
  (void)ud;
  http_respond_error(r, 10, "Farmer 0xab not known.");
}

/* Asynchronous: a worker thread answers after ud milliseconds. */
struct job {
  struct http_request *r;
  int delay_ms;
};

static void *worker(void *arg)
{
  struct job *j = arg;
  char msg[64];
  clock_sleep_ms((uint64_t)j->delay_ms);
  snprintf(msg, sizeof msg, "{\"async\":true,\"delay\":%d}", j->delay_ms);
  /* count first: once answered, the client (and the test) may move on */
  atomic_fetch_add(&served, 1);
  http_respond_raw(j->r, 200, "application/json", msg, strlen(msg));
  free(j);
  return NULL;
}

static void h_async(struct http_request *r, void *ud)
{
  struct job *j = malloc(sizeof *j);
  pthread_t t;
  assert_non_null(j);
  j->r = r;
  j->delay_ms = (int)(intptr_t)ud;
  assert_int_equal(pthread_create(&t, NULL, worker, j), 0);
  pthread_detach(t);
}

static const struct http_route routes[] = {
  { "GET", "/pool_info", h_info, NULL, 0, 0 },
  { "POST", "/echo", h_echo, NULL, 64, 0 },
  { "PUT", "/echo", h_echo, NULL, 64, 0 },
  { "GET", "/farmer", h_farmer_unknown, NULL, 0, 0 },
  { "GET", "/health", h_info, NULL, 0, HTTP_ROUTE_NO_RATE_LIMIT },
  { "POST", "/partial", h_async, (void *)(intptr_t)1000, 0, 0 },
  { "GET", "/quick_async", h_async, (void *)(intptr_t)5, 0, 0 },
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static struct http_server *start(unsigned threads, uint32_t rate, uint32_t burst)
{
  struct http_config cfg;
  struct http_server *s = NULL;
  http_config_init(&cfg);
  cfg.bind_addr = "127.0.0.1";
  cfg.port = 0;
  cfg.threads = threads;
  cfg.rate_per_s = rate;
  cfg.rate_burst = burst;
  cfg.root_text = "Chia reference pool";
  assert_int_equal(http_server_new(&cfg, routes, N_ROUTES, &s), CP_OK);
  assert_true(http_server_port(s) > 0);
  return s;
}

/* --- tests --- */

static void test_routing(void **state)
{
  struct http_server *s = start(2, 0, 0);
  struct reply r;
  char u[128];
  static const char body[] = "{\"a\": 18446744073709551615, \"b\": [1]}";
  struct req_opts post = { "POST", body, sizeof body - 1, NULL, "X-Test: yes" };
  (void)state;

  url(u, sizeof u, s, "/pool_info");
  fetch(u, NULL, &r);
  assert_int_equal(r.cc, CURLE_OK);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"name\":\"test pool\",\"fee\":1}");
  assert_header(&r, "Content-Type: application/json\r\n");
  assert_header(&r, "Access-Control-Allow-Origin: *\r\n");

  url(u, sizeof u, s, "/echo?launcher_id=0xab%20cd&x");
  fetch(u, &post, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"method\":\"POST\",\"path\":\"/echo\",\"q\":\"0xab cd\","
                              "\"h\":\"yes\",\"a\":18446744073709551615}");
  post.method = "PUT";
  post.header = NULL;
  url(u, sizeof u, s, "/echo");
  fetch(u, &post, &r);
  assert_string_equal(r.body, "{\"method\":\"PUT\",\"path\":\"/echo\","
                              "\"a\":18446744073709551615}");

  /* protocol errors are HTTP 200 with error_code / error_message */
  url(u, sizeof u, s, "/farmer?launcher_id=0xab");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"error_code\":10,\"error_message\":\"Farmer 0xab not known.\"}");
  assert_header(&r, "Content-Type: application/json\r\n");
  assert_header(&r, "Access-Control-Allow-Origin: *\r\n");

  url(u, sizeof u, s, "/");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "Chia reference pool");
  assert_header(&r, "Content-Type: text/plain; charset=utf-8\r\n");
  assert_header(&r, "Access-Control-Allow-Origin: *\r\n");
  http_server_free(s);
}

static void test_not_found_and_method(void **state)
{
  struct http_server *s = start(1, 0, 0);
  struct reply r;
  char u[128];
  struct req_opts del = { "DELETE", NULL, 0, NULL, NULL };
  (void)state;

  url(u, sizeof u, s, "/nope");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 404);
  assert_string_equal(r.body, "{\"error_code\":16,\"error_message\":\"not found\"}");
  assert_header(&r, "Access-Control-Allow-Origin: *\r\n");
  url(u, sizeof u, s, "/pool_info/");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 404);

  url(u, sizeof u, s, "/echo");
  fetch(u, &del, &r);
  assert_int_equal(r.status, 405);
  assert_header(&r, "Allow: POST, PUT\r\n");
  assert_string_equal(r.body, "{\"error_code\":16,\"error_message\":\"method not allowed\"}");
  url(u, sizeof u, s, "/pool_info");
  fetch(u, &del, &r);
  assert_int_equal(r.status, 405);
  assert_header(&r, "Allow: GET\r\n");
  http_server_free(s);
}

static void test_body_cap(void **state)
{
  struct http_server *s = start(2, 0, 0);
  struct reply r;
  char u[128], big[200], fits[65];
  struct req_opts o = { "POST", NULL, 0, NULL, NULL };
  (void)state;

  url(u, sizeof u, s, "/echo");
  /* exactly the cap (64) is accepted */
  memset(fits, ' ', 64);
  memcpy(fits, "{\"a\":1}", 7);
  fits[64] = '\0';
  o.body = fits;
  o.body_len = 64;
  fetch(u, &o, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"method\":\"POST\",\"path\":\"/echo\",\"a\":1}");
  /* one more byte: refused from Content-Length */
  memset(big, ' ', sizeof big - 1);
  memcpy(big, "{\"a\":1}", 7);
  big[sizeof big - 1] = '\0';
  o.body = big;
  o.body_len = 65;
  fetch(u, &o, &r);
  assert_int_equal(r.status, 413);
  assert_string_equal(r.body, "{\"error_code\":16,\"error_message\":\"request body too large\"}");
  /* chunked, no Content-Length: the connection is dropped once the body
   * passes the cap */
  o.body_len = -1;
  fetch(u, &o, &r);
  assert_int_not_equal(r.cc, CURLE_OK);
  assert_int_equal(r.status, 0);
  /* small chunked body is fine */
  o.body = "{\"a\":2}";
  fetch(u, &o, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"method\":\"POST\",\"path\":\"/echo\",\"a\":2}");
  /* the server is still healthy */
  url(u, sizeof u, s, "/pool_info");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 200);
  http_server_free(s);
}

/* Send raw bytes, return what comes back (until close or 2 s). */
static void raw_exchange(uint16_t port, const char *req, size_t len, char *out, size_t cap)
{
  struct sockaddr_in a;
  struct timeval tv = { 2, 0 };
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  size_t got = 0;

  assert_true(fd >= 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  assert_int_equal(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
  while (got < cap - 1) {
    ssize_t n = recv(fd, out + got, cap - 1 - got, 0);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  out[got] = '\0';
  close(fd);
}

static void test_malformed(void **state)
{
  struct http_server *s = start(2, 0, 0);
  struct reply r;
  char u[128], resp[4096];
  struct req_opts o = { "POST", "{\"a\": ", 6, NULL, NULL };
  static const char garbage[] = "GARBAGE\x01\x02 / HTTP/9.9\r\n\r\n";
  static const char nohost[] = "GET /pool_info HTTP/1.1\r\n\r\n";
  static const char badlen[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n";
  static const char hugelen[] = "POST /echo HTTP/1.1\r\nHost: x\r\n"
                                "Content-Length: 99999999999999999999999\r\n\r\n";
  (void)state;

  /* a body that is not JSON reaches the handler, which answers code 8 */
  url(u, sizeof u, s, "/echo");
  fetch(u, &o, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"error_code\":8,\"error_message\":\"bad JSON body\"}");
  o.body = "[1,2]";
  o.body_len = 5;
  fetch(u, &o, &r);
  assert_string_equal(r.body, "{\"error_code\":8,\"error_message\":\"bad JSON body\"}");

  raw_exchange(http_server_port(s), garbage, sizeof garbage - 1, resp, sizeof resp);
  assert_true(!strncmp(resp, "HTTP/1.1 400", 12) || !strncmp(resp, "HTTP/1.1 505", 12) ||
              resp[0] == '\0');
  raw_exchange(http_server_port(s), nohost, sizeof nohost - 1, resp, sizeof resp);
  assert_true(!strncmp(resp, "HTTP/1.1 400", 12));
  raw_exchange(http_server_port(s), badlen, sizeof badlen - 1, resp, sizeof resp);
  assert_true(!strncmp(resp, "HTTP/1.1 400", 12) || !strncmp(resp, "HTTP/1.1 413", 12));
  raw_exchange(http_server_port(s), hugelen, sizeof hugelen - 1, resp, sizeof resp);
  assert_true(!strncmp(resp, "HTTP/1.1 400", 12) || !strncmp(resp, "HTTP/1.1 413", 12));

  url(u, sizeof u, s, "/pool_info");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 200);
  http_server_free(s);
}

static void test_rate_limit(void **state)
{
  struct http_server *s = start(2, 1, 3);
  struct reply r;
  char u[128];
  (void)state;

  url(u, sizeof u, s, "/pool_info");
  for (int i = 0; i < 3; i++) {
    fetch(u, NULL, &r);
    assert_int_equal(r.status, 200);
  }
  /* normally the 4th; a slow machine may have earned one more token */
  for (int i = 0; i < 3 && r.status != 429; i++)
    fetch(u, NULL, &r);
  assert_int_equal(r.status, 429);
  assert_header(&r, "Retry-After: 1\r\n");
  assert_string_equal(r.body, "{\"error_code\":16,\"error_message\":\"rate limited\"}");
  /* unknown paths spend tokens too */
  url(u, sizeof u, s, "/nope");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 404);
  /* exempt route */
  url(u, sizeof u, s, "/health");
  for (int i = 0; i < 5; i++) {
    fetch(u, NULL, &r);
    assert_int_equal(r.status, 200);
  }
  /* a token comes back after a second */
  clock_sleep_ms(1100);
  url(u, sizeof u, s, "/pool_info");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 200);
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 429);
  http_server_free(s);
}

struct bg {
  pthread_t t;
  char url[128];
  struct req_opts o;
  struct reply r;
  uint64_t done_ms;
};

static void *bg_main(void *arg)
{
  struct bg *b = arg;
  fetch(b->url, &b->o, &b->r);
  b->done_ms = clock_mono_ms();
  return NULL;
}

static void test_async_completion(void **state)
{
  /* one polling thread: if a handler blocked it, the quick request would
   * wait for the slow one */
  struct http_server *s = start(1, 0, 0);
  struct bg slow = { .o = { "POST", "{}", 2, NULL, NULL } };
  struct reply r;
  char u[128];
  uint64_t t0, quick_ms;
  (void)state;

  url(slow.url, sizeof slow.url, s, "/partial");
  t0 = clock_mono_ms();
  assert_int_equal(pthread_create(&slow.t, NULL, bg_main, &slow), 0);
  clock_sleep_ms(100);   /* the slow request is now suspended */
  url(u, sizeof u, s, "/pool_info");
  fetch(u, NULL, &r);
  quick_ms = clock_mono_ms();
  assert_int_equal(r.status, 200);
  url(u, sizeof u, s, "/quick_async");
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"async\":true,\"delay\":5}");
  pthread_join(slow.t, NULL);
  assert_int_equal(slow.r.status, 200);
  assert_string_equal(slow.r.body, "{\"async\":true,\"delay\":1000}");
  assert_header(&slow.r, "Access-Control-Allow-Origin: *\r\n");
  assert_true(slow.done_ms - t0 >= 1000);
  assert_true(quick_ms < slow.done_ms);
  assert_true(quick_ms - t0 < 1000);
  http_server_free(s);
}

#define CONC_THREADS 8
#define CONC_REQS 15

static void *conc_main(void *arg)
{
  struct http_server *s = arg;
  char u[128];
  struct reply r;
  int ok = 0;
  for (int i = 0; i < CONC_REQS; i++) {
    url(u, sizeof u, s, i % 3 ? "/pool_info" : "/quick_async");
    fetch(u, NULL, &r);
    if (r.status == 200 && (!strcmp(r.body, "{\"name\":\"test pool\",\"fee\":1}") ||
                            !strcmp(r.body, "{\"async\":true,\"delay\":5}")))
      ok++;
  }
  return (void *)(intptr_t)ok;
}

static void test_concurrent(void **state)
{
  struct http_server *s = start(2, 0, 0);
  pthread_t t[CONC_THREADS];
  int total = 0;
  (void)state;

  atomic_store(&served, 0);
  for (int i = 0; i < CONC_THREADS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, conc_main, s), 0);
  for (int i = 0; i < CONC_THREADS; i++) {
    void *ret;
    pthread_join(t[i], &ret);
    total += (int)(intptr_t)ret;
  }
  assert_int_equal(total, CONC_THREADS * CONC_REQS);
  assert_int_equal(atomic_load(&served), CONC_THREADS * CONC_REQS);
  http_server_free(s);
}

static void test_tls(void **state)
{
  struct http_config cfg;
  struct http_server *s = NULL;
  struct reply r;
  struct req_opts o = { NULL, NULL, 0, NULL, NULL };
  char u[128], crt[512], key[512], ca[512], other_ca[512];
  (void)state;

  http_config_init(&cfg);
  cfg.bind_addr = "127.0.0.1";
  cfg.tls_cert_file = testtls_path(&certs, "config/ssl/daemon/private_daemon.crt", crt,
                                   sizeof crt);
  cfg.tls_key_file = testtls_path(&certs, "config/ssl/daemon/private_daemon.key", key,
                                  sizeof key);
  cfg.root_text = "Chia reference pool";
  assert_int_equal(http_server_new(&cfg, routes, N_ROUTES, &s), CP_OK);
  o.ca = testtls_path(&certs, "config/ssl/ca/private_ca.crt", ca, sizeof ca);
  snprintf(u, sizeof u, "https://127.0.0.1:%u/pool_info", (unsigned)http_server_port(s));
  fetch(u, &o, &r);
  assert_int_equal(r.cc, CURLE_OK);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"name\":\"test pool\",\"fee\":1}");
  /* async completion over TLS */
  snprintf(u, sizeof u, "https://127.0.0.1:%u/quick_async", (unsigned)http_server_port(s));
  fetch(u, &o, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"async\":true,\"delay\":5}");
  /* a client trusting another CA refuses the server */
  o.ca = testtls_path(&certs, "other/ca.crt", other_ca, sizeof other_ca);
  fetch(u, &o, &r);
  assert_int_not_equal(r.cc, CURLE_OK);
  /* plain HTTP to the TLS port gets no HTTP answer */
  snprintf(u, sizeof u, "http://127.0.0.1:%u/pool_info", (unsigned)http_server_port(s));
  fetch(u, NULL, &r);
  assert_int_not_equal(r.status, 200);
  http_server_free(s);

  /* missing key file */
  cfg.tls_key_file = "/nonexistent/key.pem";
  assert_int_equal(http_server_new(&cfg, routes, N_ROUTES, &s), CP_IO);
  assert_null(s);
  cfg.tls_key_file = NULL;
  assert_int_equal(http_server_new(&cfg, routes, N_ROUTES, &s), CP_CONFIG);
  /* TLS off: plain HTTP works, HTTPS does not */
  cfg.tls_cert_file = NULL;
  assert_int_equal(http_server_new(&cfg, routes, N_ROUTES, &s), CP_OK);
  snprintf(u, sizeof u, "http://127.0.0.1:%u/", (unsigned)http_server_port(s));
  fetch(u, NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "Chia reference pool");
  o.ca = ca;
  snprintf(u, sizeof u, "https://127.0.0.1:%u/", (unsigned)http_server_port(s));
  fetch(u, &o, &r);
  assert_int_not_equal(r.cc, CURLE_OK);
  http_server_free(s);
}

static void test_config_errors(void **state)
{
  struct http_config cfg;
  struct http_server *s = NULL, *s2 = NULL;
  struct http_route bad = { "GET", "no-slash", h_info, NULL, 0, 0 };
  (void)state;

  http_config_init(&cfg);
  cfg.bind_addr = "not an address";
  assert_int_equal(http_server_new(&cfg, routes, N_ROUTES, &s), CP_CONFIG);
  cfg.bind_addr = "127.0.0.1";
  assert_int_equal(http_server_new(&cfg, &bad, 1, &s), CP_CONFIG);
  /* a port in use cannot be bound twice */
  assert_int_equal(http_server_new(&cfg, routes, N_ROUTES, &s), CP_OK);
  cfg.port = http_server_port(s);
  assert_int_equal(http_server_new(&cfg, routes, N_ROUTES, &s2), CP_IO);
  assert_null(s2);
  http_server_free(s);
  /* IPv6 loopback, if the host has it */
  cfg.bind_addr = "::1";
  cfg.port = 0;
  if (http_server_new(&cfg, routes, N_ROUTES, &s) == CP_OK) {
    struct reply r;
    char u[128];
    snprintf(u, sizeof u, "http://[::1]:%u/pool_info", (unsigned)http_server_port(s));
    fetch(u, NULL, &r);
    assert_int_equal(r.status, 200);
    http_server_free(s);
  }
}

/* A handler that never answers before shutdown: the client gets 503, the
 * late answer is harmless. */
static struct http_request *parked;
static pthread_mutex_t parked_mu = PTHREAD_MUTEX_INITIALIZER;

static void h_park(struct http_request *r, void *ud)
{
  (void)ud;
  pthread_mutex_lock(&parked_mu);
  parked = r;
  pthread_mutex_unlock(&parked_mu);
}

static void test_shutdown_pending(void **state)
{
  struct http_route park = { "POST", "/park", h_park, NULL, 0, 0 };
  struct http_config cfg;
  struct http_server *s = NULL;
  struct bg b = { .o = { "POST", "{}", 2, NULL, NULL } };
  struct http_request *r;
  (void)state;

  http_config_init(&cfg);
  cfg.bind_addr = "127.0.0.1";
  assert_int_equal(http_server_new(&cfg, &park, 1, &s), CP_OK);
  snprintf(b.url, sizeof b.url, "http://127.0.0.1:%u/park", (unsigned)http_server_port(s));
  assert_int_equal(pthread_create(&b.t, NULL, bg_main, &b), 0);
  for (int i = 0; i < 200; i++) {
    pthread_mutex_lock(&parked_mu);
    r = parked;
    pthread_mutex_unlock(&parked_mu);
    if (r)
      break;
    clock_sleep_ms(10);
  }
  assert_non_null(r);
  clock_sleep_ms(50);
  http_server_free(s);
  pthread_join(b.t, NULL);
  assert_int_equal(b.r.status, 503);
  assert_string_equal(b.r.body, "{\"error_code\":16,\"error_message\":\"shutting down\"}");
  http_respond_error(r, 8, "too late");   /* must be a harmless no-op */
}

static int setup(void **state)
{
  (void)state;
  signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return -1;
  return testtls_create(&certs) ? 0 : -1;
}

static int teardown(void **state)
{
  (void)state;
  testtls_destroy(&certs);
  curl_global_cleanup();
  return 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_routing),
    cmocka_unit_test(test_not_found_and_method),
    cmocka_unit_test(test_body_cap),
    cmocka_unit_test(test_malformed),
    cmocka_unit_test(test_rate_limit),
    cmocka_unit_test(test_async_completion),
    cmocka_unit_test(test_concurrent),
    cmocka_unit_test(test_tls),
    cmocka_unit_test(test_config_errors),
    cmocka_unit_test(test_shutdown_pending),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
