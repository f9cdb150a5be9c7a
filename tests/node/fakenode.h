/* A fake Chia RPC server for the node and wallet RPC client tests: HTTPS
 * with mutual TLS on 127.0.0.1, built directly on OpenSSL, answering one
 * canned JSON body and recording the last request. Header-only (static
 * inline) since cp_testutil links only util and this needs node. */
#ifndef CP_TEST_FAKENODE_H
#define CP_TEST_FAKENODE_H

#include "testutil.h"
#include "testtls.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "node/rpc.h"
#include "util/clock.h"
#include "util/parse.h"

#define H32(c) "0x" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
  c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static struct testtls certs;

struct fake {
  SSL_CTX *ctx;
  int lfd;
  uint16_t port;
  pthread_t th;
  atomic_int stop;
  pthread_mutex_t mu;
  const char *resp;          /* body to send; NULL = 404 */
  size_t resp_len;
  int delay_ms;
  char endpoint[128];        /* last request */
  char body[65536];
  int requests;              /* HTTP requests answered */
  int handshakes_failed;
};

static inline SSL_CTX *fake_ctx(const char *cert_rel, const char *ca_rel)
{
  char crt[512], key[512], ca[512], rel[256];
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  assert_non_null(ctx);
  snprintf(rel, sizeof rel, "%s.crt", cert_rel);
  testtls_path(&certs, rel, crt, sizeof crt);
  snprintf(rel, sizeof rel, "%s.key", cert_rel);
  testtls_path(&certs, rel, key, sizeof key);
  testtls_path(&certs, ca_rel, ca, sizeof ca);
  /* what Chia's RPC server demands: TLS 1.3 and a client cert from its CA */
  assert_int_equal(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION), 1);
  assert_int_equal(SSL_CTX_use_certificate_file(ctx, crt, SSL_FILETYPE_PEM), 1);
  assert_int_equal(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM), 1);
  assert_int_equal(SSL_CTX_load_verify_locations(ctx, ca, NULL), 1);
  /* needed for TLS session resumption when client certs are verified */
  assert_int_equal(SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"cp", 2), 1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  return ctx;
}

static inline int ssl_write_all(SSL *s, const char *p, size_t n)
{
  while (n) {
    int w = SSL_write(s, p, n > 65536 ? 65536 : (int)n);
    if (w <= 0)
      return 0;
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

/* Read one request: headers, then Content-Length bytes of body. */
static inline int read_request(struct fake *f, SSL *s)
{
  char buf[70000];
  size_t len = 0, hlen, clen = 0;
  char *end, *line, *sp;
  uint64_t v;

  for (;;) {
    int r;
    buf[len] = '\0';
    end = strstr(buf, "\r\n\r\n");
    if (end)
      break;
    if (len >= sizeof buf - 1)
      return 0;
    r = SSL_read(s, buf + len, (int)(sizeof buf - 1 - len));
    if (r <= 0)
      return 0;
    len += (size_t)r;
  }
  hlen = (size_t)(end - buf) + 4;
  for (line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
    if (!strncasecmp(line + 2, "Content-Length:", 15)) {
      char *p = line + 17, *q = strstr(p, "\r\n");
      while (*p == ' ')
        p++;
      if (parse_u64(p, (size_t)(q - p), sizeof f->body - 1, &v))
        return 0;
      clen = (size_t)v;
    }
  }
  while (len < hlen + clen) {
    int r = SSL_read(s, buf + len, (int)(sizeof buf - 1 - len));
    if (r <= 0)
      return 0;
    len += (size_t)r;
  }
  pthread_mutex_lock(&f->mu);
  /* "POST /endpoint HTTP/1.1" */
  sp = strchr(buf + 6, ' ');
  snprintf(f->endpoint, sizeof f->endpoint, "%.*s",
           sp ? (int)(sp - buf - 6) : 0, buf + 6);
  memcpy(f->body, buf + hlen, clen);
  f->body[clen] = '\0';
  pthread_mutex_unlock(&f->mu);
  return 1;
}

static inline void serve_one(struct fake *f, int fd)
{
  SSL *s = SSL_new(f->ctx);
  char head[256];
  const char *resp;
  size_t resp_len;
  int delay;

  SSL_set_fd(s, fd);
  if (SSL_accept(s) != 1 || !read_request(f, s)) {
    pthread_mutex_lock(&f->mu);
    f->handshakes_failed++;
    pthread_mutex_unlock(&f->mu);
    goto out;
  }
  pthread_mutex_lock(&f->mu);
  resp = f->resp;
  resp_len = f->resp_len;
  delay = f->delay_ms;
  f->requests++;
  pthread_mutex_unlock(&f->mu);
  for (int t = 0; t < delay && !atomic_load(&f->stop); t += 10)
    clock_sleep_ms(10);
  if (resp)
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n", resp_len);
  else
    snprintf(head, sizeof head, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n");
  if (ssl_write_all(s, head, strlen(head)) && resp)
    ssl_write_all(s, resp, resp_len);
  SSL_shutdown(s);
out:
  SSL_free(s);
  close(fd);
}

static inline void *fake_main(void *arg)
{
  struct fake *f = arg;
  while (!atomic_load(&f->stop)) {
    struct pollfd p = { .fd = f->lfd, .events = POLLIN };
    int fd;
    if (poll(&p, 1, 20) <= 0)
      continue;
    fd = accept(f->lfd, NULL, NULL);
    if (fd >= 0)
      serve_one(f, fd);
  }
  return NULL;
}

static inline int listen_local(uint16_t *port)
{
  struct sockaddr_in a;
  socklen_t alen = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

  assert_true(fd >= 0);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(fd, 16), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
  *port = ntohs(a.sin_port);
  return fd;
}

static inline struct fake *fake_start(const char *cert_rel, const char *ca_rel)
{
  struct fake *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->ctx = fake_ctx(cert_rel, ca_rel);
  pthread_mutex_init(&f->mu, NULL);
  f->lfd = listen_local(&f->port);
  assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
  return f;
}

static inline void fake_stop(struct fake *f)
{
  atomic_store(&f->stop, 1);
  pthread_join(f->th, NULL);
  close(f->lfd);
  SSL_CTX_free(f->ctx);
  pthread_mutex_destroy(&f->mu);
  free(f);
}

static inline void fake_reply(struct fake *f, const char *json)
{
  pthread_mutex_lock(&f->mu);
  f->resp = json;
  f->resp_len = json ? strlen(json) : 0;
  pthread_mutex_unlock(&f->mu);
}

/* Client for f using the Chia root layout (full_node or wallet cert). */
static inline struct node_client *client_for(struct fake *f, enum node_service svc)
{
  struct node_config cfg;
  struct node_client *c;
  node_config_init(&cfg);
  assert_int_equal(node_config_chia_root(&cfg, certs.root, svc), CP_OK);
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = f ? f->port : 1;
  cfg.timeout_ms = 5000;
  cfg.retry_delay_ms = 10;
  assert_int_equal(node_new(&cfg, &c), CP_OK);
  return c;
}

static inline void assert_request(struct fake *f, const char *endpoint, const char *body)
{
  pthread_mutex_lock(&f->mu);
  assert_string_equal(f->endpoint, endpoint);
  assert_string_equal(f->body, body);
  pthread_mutex_unlock(&f->mu);
}

static inline void fill(uint8_t *p, char hexdigit)
{
  uint8_t v = (uint8_t)(hexdigit <= '9' ? hexdigit - '0' : hexdigit - 'a' + 10);
  memset(p, v << 4 | v, 32);
}

static inline int fake_group_setup(void **state)
{
  (void)state;
  signal(SIGPIPE, SIG_IGN);
  return testtls_create(&certs) ? 0 : -1;
}

static inline int fake_group_teardown(void **state)
{
  (void)state;
  testtls_destroy(&certs);
  node_global_cleanup();
  return 0;
}

#endif
