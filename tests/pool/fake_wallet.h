/* A fake pool wallet for the payout tests, behind struct payout_wallet.
 * Its whole state is one append-only text file, written with O_APPEND +
 * fsync under flock, so it survives a SIGKILL of the process using it and
 * the crash test's parent can audit what was "sent":
 *   S <key> <txid> <fee> <n> <ph>:<amount> ...   an accepted transaction
 *   C <txid>                                    one status poll seen
 * A send is never deduplicated: a payout engine that sends a key twice
 * leaves two S lines, which the audit counts. Header-only. */
#ifndef CP_TEST_FAKE_WALLET_H
#define CP_TEST_FAKE_WALLET_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "pool/payouts.h"
#include "util/hex.h"

struct fake_wallet {
  char path[256];
  int refuse_hash;      /* refuse keys whose sha256 starts below this byte */
  int refuse_next;      /* refuse the next N sends */
  int polls_to_confirm; /* C lines needed before a tx is confirmed */
  int fail_tx;          /* status of a polled tx: report it failed */
  int find_unsupported; /* find() answers CP_UNSUPPORTED */
  int die_after_send;   /* % of accepted sends after which the process
                           SIGKILLs itself: sent, but never recorded */
  unsigned sends, finds, statuses;
};

#define FW_LINE_MAX 65536

static char *fw_read(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  char *s;
  long len;
  *n = 0;
  if (!f)
    return calloc(1, 1);
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  fseek(f, 0, SEEK_SET);
  s = malloc((size_t)len + 1);
  *n = fread(s, 1, (size_t)len, f);
  s[*n] = 0;
  fclose(f);
  return s;
}

static int fw_lock(struct fake_wallet *w)
{
  int fd = open(w->path, O_RDWR | O_CREAT | O_APPEND, 0600);
  if (fd >= 0)
    flock(fd, LOCK_EX);
  return fd;
}

static void fw_unlock(int fd)
{
  flock(fd, LOCK_UN);
  close(fd);
}

static int fw_append(int fd, const char *s)
{
  size_t n = strlen(s);
  /* One write(2): a SIGKILL cannot leave half a line behind. */
  if (write(fd, s, n) != (ssize_t)n || fsync(fd))
    return -1;
  return 0;
}

static void fw_txid(const char *key, uint8_t tx[32])
{
  sha256(tx, key, strlen(key));
}

/* Count lines starting with `tag` whose second word is `word`. */
static int fw_count(const char *text, char tag, const char *word)
{
  size_t wl = strlen(word);
  int n = 0;
  for (const char *l = text; *l;) {
    const char *e = strchr(l, '\n');
    if (l[0] == tag && l[1] == ' ' && !strncmp(l + 2, word, wl) &&
        (l[2 + wl] == ' ' || l[2 + wl] == '\n'))
      n++;
    if (!e)
      break;
    l = e + 1;
  }
  return n;
}

static cp_err fw_send(void *ctx, const struct node_payment *pay, size_t n,
                      uint64_t fee, const char *key, uint8_t tx_id[32])
{
  struct fake_wallet *w = ctx;
  char *line = malloc(FW_LINE_MAX), hx[65];
  size_t len;
  int fd, bad;

  w->sends++;
  fw_txid(key, tx_id);
  if (w->refuse_next > 0) {
    w->refuse_next--;
    free(line);
    return CP_TX_FAILED;
  }
  if (tx_id[0] < w->refuse_hash) {
    free(line);
    return CP_TX_FAILED;
  }
  hex_encode(hx, tx_id, 32);
  len = (size_t)snprintf(line, FW_LINE_MAX, "S %s %s %llu %zu", key, hx,
                         (unsigned long long)fee, n);
  for (size_t i = 0; i < n && len < FW_LINE_MAX - 100; i++) {
    char ph[65];
    hex_encode(ph, pay[i].puzzle_hash, 32);
    len += (size_t)snprintf(line + len, FW_LINE_MAX - len, " %s:%llu", ph,
                            (unsigned long long)pay[i].amount);
  }
  snprintf(line + len, FW_LINE_MAX - len, "\n");
  fd = fw_lock(w);
  bad = fd < 0 || fw_append(fd, line);
  if (fd >= 0)
    fw_unlock(fd);
  free(line);
  if (!bad && w->die_after_send && rand() % 100 < w->die_after_send)
    raise(SIGKILL);
  return bad ? CP_IO : CP_OK;
}

static cp_err fw_find(void *ctx, const char *key, uint8_t tx_id[32])
{
  struct fake_wallet *w = ctx;
  size_t n;
  char *t;
  int hit;
  w->finds++;
  if (w->find_unsupported)
    return CP_UNSUPPORTED;
  t = fw_read(w->path, &n);
  hit = fw_count(t, 'S', key) > 0;
  free(t);
  if (!hit)
    return CP_NOT_FOUND;
  fw_txid(key, tx_id);
  return CP_OK;
}

static cp_err fw_status(void *ctx, const uint8_t tx_id[32],
                        enum payout_tx_state *st, uint32_t *height)
{
  struct fake_wallet *w = ctx;
  char hx[65], line[80];
  size_t n;
  char *t;
  int fd, sent = 0, polls;

  w->statuses++;
  hex_encode(hx, tx_id, 32);
  fd = fw_lock(w);
  if (fd < 0)
    return CP_IO;
  t = fw_read(w->path, &n);
  for (const char *l = t; (l = strstr(l, hx)); l++)
    if (l >= t + 2 && l[-1] == ' ' && l[-2] != 'C')
      sent = 1;
  polls = fw_count(t, 'C', hx);
  free(t);
  if (!sent) {
    fw_unlock(fd);
    return CP_NOT_FOUND;
  }
  *height = 100;
  if (w->fail_tx) {
    *st = PAYOUT_TX_FAILED;
  } else if (polls >= w->polls_to_confirm) {
    *st = PAYOUT_TX_CONFIRMED;
  } else {
    *st = PAYOUT_TX_PENDING;
    snprintf(line, sizeof line, "C %s\n", hx);
    fw_append(fd, line);
  }
  fw_unlock(fd);
  return CP_OK;
}

static cp_err fw_balance(void *ctx, uint64_t *spendable)
{
  (void)ctx;
  *spendable = UINT64_MAX;
  return CP_OK;
}

static const struct payout_wallet_ops fw_ops = {
  .send = fw_send, .find = fw_find, .status = fw_status, .balance = fw_balance,
};

static void fw_init(struct fake_wallet *w, struct payout_wallet *pw, const char *path)
{
  memset(w, 0, sizeof *w);
  snprintf(w->path, sizeof w->path, "%s", path);
  pw->ops = &fw_ops;
  pw->ctx = w;
}

/* Audit: per S line call fn(key, fee, outputs). */
typedef void (*fw_visit_fn)(void *ctx, const char *key, uint64_t fee,
                            const uint8_t (*ph)[32], const uint64_t *amt, size_t n);

static void fw_audit(const char *path, fw_visit_fn fn, void *ctx)
{
  size_t len;
  char *t = fw_read(path, &len);
  static uint8_t ph[64][32];
  static uint64_t amt[64];
  for (char *l = t; *l;) {
    char *e = strchr(l, '\n');
    if (e)
      *e = 0;
    if (l[0] == 'S') {
      char key[80], tx[80];
      unsigned long long fee;
      size_t n, k = 0;
      char *p;
      int used;
      if (sscanf(l, "S %79s %79s %llu %zu%n", key, tx, &fee, &n, &used) == 4) {
        p = l + used;
        while (k < n && k < 64 && *p == ' ') {
          char hx[65];
          unsigned long long a;
          if (sscanf(p, " %64[0-9a-f]:%llu%n", hx, &a, &used) != 2)
            break;
          hex_decode_exact(ph[k], 32, hx, 64);
          amt[k++] = a;
          p += used;
        }
        fn(ctx, key, fee, (const uint8_t (*)[32])ph, amt, k);
      }
    }
    if (!e)
      break;
    l = e + 1;
  }
  free(t);
}

#endif
