/* Mutual TLS in the HTTP server (tls_client_ca_file): a request is served
 * only over a connection whose client certificate verifies against the
 * configured CA, as a Chia node's RPC server requires. libcurl as client. */
#include "testutil.h"
#include "testtls.h"

#include <string.h>
#include <curl/curl.h>

#include "http/server.h"

static struct testtls certs;

struct reply {
  CURLcode cc;
  long status;
  char body[1024];
  size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  struct reply *r = ud;
  size_t take = size * n;
  if (take > sizeof r->body - 1 - r->len)
    take = sizeof r->body - 1 - r->len;
  memcpy(r->body + r->len, p, take);
  r->len += take;
  r->body[r->len] = '\0';
  return size * n;
}

/* POST {} to /ping; cert_rel NULL = no client certificate. */
static void post(uint16_t port, const char *ca_rel, const char *cert_rel, struct reply *r)
{
  CURL *h = curl_easy_init();
  char url[128], ca[512], crt[512], key[512], rel[256];

  memset(r, 0, sizeof *r);
  snprintf(url, sizeof url, "https://127.0.0.1:%u/ping", (unsigned)port);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(h, CURLOPT_CAINFO, testtls_path(&certs, ca_rel, ca, sizeof ca));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  /* a fresh handshake per request: the certificate decides each time */
  curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  if (cert_rel) {
    snprintf(rel, sizeof rel, "%s.crt", cert_rel);
    curl_easy_setopt(h, CURLOPT_SSLCERT, testtls_path(&certs, rel, crt, sizeof crt));
    snprintf(rel, sizeof rel, "%s.key", cert_rel);
    curl_easy_setopt(h, CURLOPT_SSLKEY, testtls_path(&certs, rel, key, sizeof key));
  }
  r->cc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
  curl_easy_cleanup(h);
}

static void h_ping(struct http_request *r, void *ud)
{
  (void)ud;
  http_respond_raw(r, 200, "application/json", "{\"success\":true}", 16);
}

static struct http_server *start(int mutual)
{
  static const struct http_route routes[] = {
    { "POST", "/ping", h_ping, NULL, 0, 0 },
  };
  struct http_config cfg;
  struct http_server *s = NULL;
  char crt[512], key[512], ca[512];

  http_config_init(&cfg);
  cfg.bind_addr = "127.0.0.1";
  cfg.tls_cert_file = testtls_path(&certs, "config/ssl/daemon/private_daemon.crt", crt,
                                   sizeof crt);
  cfg.tls_key_file = testtls_path(&certs, "config/ssl/daemon/private_daemon.key", key,
                                  sizeof key);
  if (mutual)
    cfg.tls_client_ca_file = testtls_path(&certs, "config/ssl/ca/private_ca.crt", ca,
                                          sizeof ca);
  assert_int_equal(http_server_new(&cfg, routes, 1, &s), CP_OK);
  return s;
}

static void test_client_cert_required(void **state)
{
  struct http_server *s = start(1);
  uint16_t port = http_server_port(s);
  struct reply r;

  (void)state;
  /* no certificate: refused with 403 and the transport error body */
  post(port, "config/ssl/ca/private_ca.crt", NULL, &r);
  assert_int_equal(r.cc, CURLE_OK);
  assert_int_equal(r.status, 403);
  assert_string_equal(r.body,
                      "{\"error_code\":16,\"error_message\":\"client certificate required\"}");

  /* a certificate from another CA: the handshake completes (the server
   * only asks for a certificate) but the request is refused */
  post(port, "config/ssl/ca/private_ca.crt", "other/server", &r);
  assert_int_equal(r.cc, CURLE_OK);
  assert_int_equal(r.status, 403);
  assert_null(strstr(r.body, "success"));

  /* certificates from the private CA: served */
  post(port, "config/ssl/ca/private_ca.crt", "config/ssl/wallet/private_wallet", &r);
  assert_int_equal(r.cc, CURLE_OK);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"success\":true}");
  post(port, "config/ssl/ca/private_ca.crt", "config/ssl/full_node/private_full_node", &r);
  assert_int_equal(r.status, 200);

  /* and again without: a served connection does not whitelist the client */
  post(port, "config/ssl/ca/private_ca.crt", NULL, &r);
  assert_int_equal(r.status, 403);
  http_server_free(s);
}

static void test_plain_tls_unchanged(void **state)
{
  struct http_server *s = start(0);
  struct reply r;

  (void)state;
  post(http_server_port(s), "config/ssl/ca/private_ca.crt", NULL, &r);
  assert_int_equal(r.cc, CURLE_OK);
  assert_int_equal(r.status, 200);
  http_server_free(s);
}

static void test_config(void **state)
{
  struct http_config cfg;
  struct http_server *s = NULL;
  char ca[512], crt[512], key[512];

  (void)state;
  http_config_init(&cfg);
  cfg.bind_addr = "127.0.0.1";
  /* a client CA without a server certificate is meaningless */
  cfg.tls_client_ca_file = testtls_path(&certs, "config/ssl/ca/private_ca.crt", ca,
                                        sizeof ca);
  assert_int_equal(http_server_new(&cfg, NULL, 0, &s), CP_CONFIG);
  assert_null(s);
  /* a client CA file that does not exist */
  cfg.tls_cert_file = testtls_path(&certs, "config/ssl/daemon/private_daemon.crt", crt,
                                   sizeof crt);
  cfg.tls_key_file = testtls_path(&certs, "config/ssl/daemon/private_daemon.key", key,
                                  sizeof key);
  cfg.tls_client_ca_file = "/nonexistent/ca.crt";
  assert_int_not_equal(http_server_new(&cfg, NULL, 0, &s), CP_OK);
  assert_null(s);
}

static int setup(void **state)
{
  (void)state;
  curl_global_init(CURL_GLOBAL_DEFAULT);
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
    cmocka_unit_test(test_client_cert_required),
    cmocka_unit_test(test_plain_tls_unchanged),
    cmocka_unit_test(test_config),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
