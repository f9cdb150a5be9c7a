/* The payout engine's real wallet port (payouts_wallet.c) through the real
 * wallet RPC client, against a TLS fake of the Chia wallet that answers
 * with canned bodies: memos carry the idempotency key, a wallet error is a
 * refusal, find() matches the key's hex in a record's memos, status maps
 * "confirmed". */
#include "testutil.h"
#include "testtls.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include "node/rpc.h"
#include "pool/payouts.h"
#include "util/hex.h"
#include "util/log.h"

static struct testtls certs;

struct fakew {
  SSL_CTX *ctx;
  int lfd;
  uint16_t port;
  pthread_t th;
  atomic_int stop;
  pthread_mutex_t mu;
  char reply[8192];
  char endpoint[64];
  char body[16384];
};

static void fw_serve(struct fakew *f, int fd)
{
  SSL *s = SSL_new(f->ctx);
  char buf[20000], head[256];
  size_t len = 0, clen = 0;
  char *end = NULL, *cl;

  SSL_set_fd(s, fd);
  if (SSL_accept(s) != 1)
    goto out;
  for (;;) {
    int r = SSL_read(s, buf + len, (int)(sizeof buf - 1 - len));
    if (r <= 0)
      goto out;
    len += (size_t)r;
    buf[len] = 0;
    if (!end && (end = strstr(buf, "\r\n\r\n"))) {
      cl = strcasestr(buf, "Content-Length:");
      clen = cl ? strtoul(cl + 15, NULL, 10) : 0;
    }
    if (end && len >= (size_t)(end + 4 - buf) + clen)
      break;
    if (len >= sizeof buf - 1)
      goto out;
  }
  pthread_mutex_lock(&f->mu);
  snprintf(f->endpoint, sizeof f->endpoint, "%.*s",
           (int)(strchr(buf + 6, ' ') - (buf + 6)), buf + 6);
  snprintf(f->body, sizeof f->body, "%.*s", (int)clen, end + 4);
  snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
           "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(f->reply));
  SSL_write(s, head, (int)strlen(head));
  SSL_write(s, f->reply, (int)strlen(f->reply));
  pthread_mutex_unlock(&f->mu);
  SSL_shutdown(s);
out:
  SSL_free(s);
  close(fd);
}

static void *fw_main(void *arg)
{
  struct fakew *f = arg;
  while (!atomic_load(&f->stop)) {
    struct pollfd p = { .fd = f->lfd, .events = POLLIN };
    int fd;
    if (poll(&p, 1, 20) <= 0)
      continue;
    if ((fd = accept(f->lfd, NULL, NULL)) >= 0)
      fw_serve(f, fd);
  }
  return NULL;
}

static void fw_start(struct fakew *f)
{
  char crt[512], key[512], ca[512];
  struct sockaddr_in a = { 0 };
  socklen_t alen = sizeof a;
  int one = 1;

  memset(f, 0, sizeof *f);
  pthread_mutex_init(&f->mu, NULL);
  testtls_path(&certs, "config/ssl/daemon/private_daemon.crt", crt, sizeof crt);
  testtls_path(&certs, "config/ssl/daemon/private_daemon.key", key, sizeof key);
  testtls_path(&certs, "config/ssl/ca/private_ca.crt", ca, sizeof ca);
  f->ctx = SSL_CTX_new(TLS_server_method());
  assert_int_equal(SSL_CTX_use_certificate_file(f->ctx, crt, SSL_FILETYPE_PEM), 1);
  assert_int_equal(SSL_CTX_use_PrivateKey_file(f->ctx, key, SSL_FILETYPE_PEM), 1);
  assert_int_equal(SSL_CTX_load_verify_locations(f->ctx, ca, NULL), 1);
  SSL_CTX_set_session_id_context(f->ctx, (const unsigned char *)"cp", 2);
  SSL_CTX_set_verify(f->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  f->lfd = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(f->lfd, 8), 0);
  assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &alen), 0);
  f->port = ntohs(a.sin_port);
  assert_int_equal(pthread_create(&f->th, NULL, fw_main, f), 0);
}

static void fw_stop(struct fakew *f)
{
  atomic_store(&f->stop, 1);
  pthread_join(f->th, NULL);
  close(f->lfd);
  SSL_CTX_free(f->ctx);
  pthread_mutex_destroy(&f->mu);
}

static void fw_reply(struct fakew *f, const char *json)
{
  pthread_mutex_lock(&f->mu);
  snprintf(f->reply, sizeof f->reply, "%s", json);
  pthread_mutex_unlock(&f->mu);
}

#define TXID "0xdddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define REC(confirmed, memos)                                                 \
  "{\"confirmed_at_height\": 77, \"created_at_time\": 1710000100,"            \
  " \"to_puzzle_hash\": \"0x5555555555555555555555555555555555555555555555555555555555555555\"," \
  " \"amount\": 10, \"fee_amount\": 3, \"confirmed\": " confirmed ","         \
  " \"sent\": 1, \"spend_bundle\": null, \"additions\": [], \"removals\": [],"  \
  " \"wallet_id\": 1, \"sent_to\": [], \"trade_id\": null, \"type\": 1,"        \
  " \"name\": \"" TXID "\", \"memos\": " memos ", \"valid_times\": {},"       \
  " \"to_address\": \"xch1\"}"

static void test_wallet_port(void **state)
{
  struct fakew f;
  struct node_config cfg;
  struct node_client *c;
  struct payout_wallet w;
  struct node_payment pay = { .amount = 10, .memo = "payout-k1" };
  enum payout_tx_state st;
  uint8_t tx[32], want[32];
  uint32_t height;
  uint64_t bal;
  (void)state;

  log_set_level(LOG_OFF);
  assert_true(testtls_create(&certs));
  fw_start(&f);
  node_config_init(&cfg);
  assert_int_equal(node_config_chia_root(&cfg, certs.root, NODE_SERVICE_WALLET), CP_OK);
  snprintf(cfg.host, sizeof cfg.host, "127.0.0.1");
  cfg.port = f.port;
  cfg.retry_delay_ms = 10;
  assert_int_equal(node_new(&cfg, &c), CP_OK);
  payout_wallet_from_node(&w, c, 1);
  memset(pay.puzzle_hash, 0x55, 32);
  memset(want, 0xdd, 32);

  fw_reply(&f, "{\"transaction\": " REC("false", "{}") ", \"transaction_id\": \"" TXID
               "\", \"success\": true}");
  assert_int_equal(w.ops->send(w.ctx, &pay, 1, 3, "payout-k1", tx), CP_OK);
  assert_memory_equal(tx, want, 32);
  assert_string_equal(f.endpoint, "send_transaction_multi");
  assert_non_null(strstr(f.body, "\"memos\":[\"payout-k1\"]"));
  assert_non_null(strstr(f.body, "\"fee\":3"));

  fw_reply(&f, "{\"success\": false, \"error\": \"Can't send more than 0 mojos\"}");
  assert_int_equal(w.ops->send(w.ctx, &pay, 1, 3, "payout-k1", tx), CP_TX_FAILED);

  /* hex("payout-k1") = 7061796f75742d6b31 */
  fw_reply(&f, "{\"transactions\": [" REC("true", "{\"0xaa\": [\"0x7061796f75742d6b31\"]}")
               "], \"success\": true}");
  memset(tx, 0, sizeof tx);
  assert_int_equal(w.ops->find(w.ctx, "payout-k1", tx), CP_OK);
  assert_memory_equal(tx, want, 32);
  assert_string_equal(f.endpoint, "get_transactions");
  assert_int_equal(w.ops->find(w.ctx, "payout-k2", tx), CP_NOT_FOUND);

  fw_reply(&f, "{\"transaction\": " REC("true", "{}") ", \"transaction_id\": \"" TXID
               "\", \"success\": true}");
  assert_int_equal(w.ops->status(w.ctx, want, &st, &height), CP_OK);
  assert_int_equal(st, PAYOUT_TX_CONFIRMED);
  assert_int_equal(height, 77);
  fw_reply(&f, "{\"transaction\": " REC("false", "{}") ", \"transaction_id\": \"" TXID
               "\", \"success\": true}");
  assert_int_equal(w.ops->status(w.ctx, want, &st, &height), CP_OK);
  assert_int_equal(st, PAYOUT_TX_PENDING);

  fw_reply(&f, "{\"wallet_balance\": {\"confirmed_wallet_balance\": 9,"
               " \"unconfirmed_wallet_balance\": 9, \"spendable_balance\": 8,"
               " \"pending_change\": 0, \"max_send_amount\": 8, \"unspent_coin_count\": 1,"
               " \"pending_coin_removal_count\": 0, \"wallet_id\": 1, \"wallet_type\": 0,"
               " \"fingerprint\": 1}, \"wallet_id\": 1, \"success\": true}");
  assert_int_equal(w.ops->balance(w.ctx, &bal), CP_OK);
  assert_int_equal(bal, 8);

  node_free(c);
  fw_stop(&f);
  testtls_destroy(&certs);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_wallet_port),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
