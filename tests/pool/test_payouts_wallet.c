/* The payout engine's real wallet port (payouts_wallet.c) through the real
 * wallet RPC client, against a TLS fake of the Chia wallet that answers
 * with canned bodies: memos carry the idempotency key, a wallet error is a
 * refusal, find() matches the key's hex in a record's memos; status()
 * decides on a fake chain from the record's removals and additions (the
 * wallet's own "confirmed" is set by any spend of a removal). */
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

#include "chia/coin.h"
#include "node/rpc.h"
#include "pool/chain.h"
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

/* --- a chain with a few coin records --- */

struct fchain {
  struct {
    uint8_t id[32];
    uint32_t confirmed, spent;
  } coins[8];
  size_t n;
  uint32_t peak;
  cp_err fail;
};

static cp_err fc_state(void *ctx, struct node_blockchain_state *out)
{
  struct fchain *fc = ctx;
  if (fc->fail)
    return fc->fail;
  memset(out, 0, sizeof *out);
  out->has_peak = true;
  out->peak.height = fc->peak;
  return CP_OK;
}

static cp_err fc_coin(void *ctx, const uint8_t id[32], struct node_coin_record *out)
{
  struct fchain *fc = ctx;
  if (fc->fail)
    return fc->fail;
  for (size_t i = 0; i < fc->n; i++)
    if (!memcmp(fc->coins[i].id, id, 32)) {
      memset(out, 0, sizeof *out);
      out->confirmed_block_index = fc->coins[i].confirmed;
      out->spent_block_index = fc->coins[i].spent;
      out->spent = fc->coins[i].spent > 0;
      return CP_OK;
    }
  return CP_NOT_FOUND;
}

static const struct chain_ops fc_ops = { .state = fc_state, .coin_record = fc_coin };

static void fc_put(struct fchain *fc, const struct chia_coin *c, uint32_t confirmed,
                   uint32_t spent)
{
  coin_id(c, fc->coins[fc->n].id);
  fc->coins[fc->n].confirmed = confirmed;
  fc->coins[fc->n++].spent = spent;
}

static void test_wallet_port(void **state)
{
  struct fakew f;
  struct node_config cfg;
  struct node_client *c;
  struct payout_wallet w;
  struct fchain fc = { .peak = 100 };
  struct chain ch = { &fc_ops, &fc };
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
  payout_wallet_from_node(&w, c, 1, &ch, 32);
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
  /* outgoing records without any memo: the wallet cannot tell (the
   * simulator's wallet once showed "memos": {} and a restarted engine paid
   * a batch twice) */
  fw_reply(&f, "{\"transactions\": [" REC("true", "{}") "], \"success\": true}");
  assert_int_equal(w.ops->find(w.ctx, "payout-k1", tx), CP_UNSUPPORTED);
  fw_reply(&f, "{\"transactions\": [], \"success\": true}");
  assert_int_equal(w.ops->find(w.ctx, "payout-k1", tx), CP_NOT_FOUND);

  /* a record without coins: nothing to look up, the wallet's word stands */
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

/* --- status() on chain --- */

/* Inputs r[0], r[1]; outputs 10 to 0x55.. and change 4987 to 0x66... */
struct txc {
  struct chia_coin r[2], a[2];
};

static void txc_init(struct txc *t)
{
  uint8_t rid[32];

  memset(t, 0, sizeof *t);
  for (int i = 0; i < 2; i++) {
    memset(t->r[i].parent_coin_info, 0xb0 + i, 32);
    memset(t->r[i].puzzle_hash, 0x66, 32);
    t->r[i].amount = 2500;
  }
  coin_id(&t->r[0], rid);
  memcpy(t->a[0].parent_coin_info, rid, 32);
  memset(t->a[0].puzzle_hash, 0x55, 32);
  t->a[0].amount = 10;
  memcpy(t->a[1].parent_coin_info, rid, 32);
  memset(t->a[1].puzzle_hash, 0x66, 32);
  t->a[1].amount = 4987;
}

static void coin_js(char *out, size_t cap, const struct chia_coin *c)
{
  char p[65], ph[65];
  hex_encode(p, c->parent_coin_info, 32);
  hex_encode(ph, c->puzzle_hash, 32);
  snprintf(out, cap, "{\"parent_coin_info\": \"0x%s\", \"puzzle_hash\": \"0x%s\","
           " \"amount\": %llu}", p, ph, (unsigned long long)c->amount);
}

/* get_transaction's answer for t, as the wallet keeps it. */
static void reply_tx(struct fakew *f, const struct txc *t, int confirmed, uint32_t at)
{
  char body[4096], r0[256], r1[256], a0[256], a1[256];

  coin_js(r0, sizeof r0, &t->r[0]);
  coin_js(r1, sizeof r1, &t->r[1]);
  coin_js(a0, sizeof a0, &t->a[0]);
  coin_js(a1, sizeof a1, &t->a[1]);
  snprintf(body, sizeof body,
           "{\"transaction\": {\"confirmed_at_height\": %u, \"created_at_time\": 1710000100,"
           " \"to_puzzle_hash\": \"0x5555555555555555555555555555555555555555555555555555555555555555\","
           " \"amount\": 10, \"fee_amount\": 3, \"confirmed\": %s, \"sent\": 1,"
           " \"spend_bundle\": null, \"additions\": [%s, %s], \"removals\": [%s, %s],"
           " \"wallet_id\": 1, \"sent_to\": [], \"trade_id\": null, \"type\": 1,"
           " \"name\": \"" TXID "\", \"memos\": {}, \"valid_times\": {},"
           " \"to_address\": \"xch1\"}, \"transaction_id\": \"" TXID "\","
           " \"success\": true}",
           (unsigned)at, confirmed ? "true" : "false", a0, a1, r0, r1);
  fw_reply(f, body);
}

static void expect(struct payout_wallet *w, enum payout_tx_state want_st,
                   uint32_t want_height)
{
  enum payout_tx_state st = (enum payout_tx_state)99;
  uint32_t height = 99;
  uint8_t id[32];

  memset(id, 0xdd, 32);
  assert_int_equal(w->ops->status(w->ctx, id, &st, &height), CP_OK);
  assert_int_equal(st, want_st);
  assert_int_equal(height, want_height);
}

static void test_status_on_chain(void **state)
{
  struct fakew f;
  struct node_config cfg;
  struct node_client *c;
  struct payout_wallet w;
  struct fchain fc = { .peak = 81 };
  struct chain ch = { &fc_ops, &fc };
  struct txc t;
  enum payout_tx_state st;
  uint32_t height;
  uint8_t id[32];
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
  payout_wallet_from_node(&w, c, 1, &ch, 32);
  txc_init(&t);

  /* The wallet calls it confirmed at 50 (it saw r[0] spent), but the
   * node knows neither input: no evidence either way. */
  reply_tx(&f, &t, 1, 50);
  expect(&w, PAYOUT_TX_PENDING, 0);
  assert_string_equal(f.endpoint, "get_transaction");
  /* inputs unspent: pending, whatever the wallet says */
  fc_put(&fc, &t.r[0], 40, 0);
  fc_put(&fc, &t.r[1], 41, 0);
  expect(&w, PAYOUT_TX_PENDING, 0);

  /* spent by our own transaction: both outputs exist -> confirmed at the
   * spend's height once buried, even before the wallet noticed */
  fc.n = 0;
  fc_put(&fc, &t.r[0], 40, 50);
  fc_put(&fc, &t.r[1], 41, 50);
  fc_put(&fc, &t.a[0], 50, 0);
  fc_put(&fc, &t.a[1], 50, 60);   /* change already spent again */
  /* settled only when buried deeper than the threshold (32), as the
   * reference pool waits: at 82 it is 32 deep, still pending */
  fc.peak = 82;
  reply_tx(&f, &t, 0, 0);
  expect(&w, PAYOUT_TX_PENDING, 0);
  fc.peak = 83;
  reply_tx(&f, &t, 0, 0);
  expect(&w, PAYOUT_TX_CONFIRMED, 50);
  fc.peak = 81;

  /* r[1] spent at 50 by someone else, none of our outputs exist: failed
   * once the spend is buried under 32 blocks, not before */
  fc.n = 0;
  fc_put(&fc, &t.r[0], 40, 0);
  fc_put(&fc, &t.r[1], 41, 50);
  reply_tx(&f, &t, 1, 50);
  fc.peak = 81;
  expect(&w, PAYOUT_TX_PENDING, 0);
  fc.peak = 82;
  expect(&w, PAYOUT_TX_FAILED, 0);

  /* one of our outputs exists but not the other: someone else's spend made
   * an identical coin; never failed, however deep */
  fc_put(&fc, &t.a[0], 50, 0);
  fc.peak = 10000;
  expect(&w, PAYOUT_TX_PENDING, 0);

  /* a node that cannot be reached: an error, not a decision */
  fc.fail = CP_RPC_TRANSPORT;
  memset(id, 0xdd, 32);
  assert_int_equal(w.ops->status(w.ctx, id, &st, &height), CP_RPC_TRANSPORT);
  fc.fail = CP_OK;

  /* the wallet forgot it: pending (its bundle may still be in a mempool) */
  fw_reply(&f, "{\"success\": false, \"error\": \"Transaction " TXID " not found\"}");
  expect(&w, PAYOUT_TX_PENDING, 0);
  /* any other wallet error is an error */
  fw_reply(&f, "{\"success\": false, \"error\": \"not logged in\"}");
  /* "not logged in" has no "not found": the port must not take it for one */
  assert_int_equal(w.ops->status(w.ctx, id, &st, &height), CP_RPC_ERROR);

  node_free(c);
  fw_stop(&f);
  testtls_destroy(&certs);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_wallet_port),
    cmocka_unit_test(test_status_on_chain),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
