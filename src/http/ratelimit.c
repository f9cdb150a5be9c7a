#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "util/xalloc.h"

/* kind byte + IPv4 (4), IPv6 /64 (8), or the first 16 bytes of a key */
#define KEY_LEN 17
#define KIND_KEY 0x4b
#define NIL UINT32_MAX
#define MILLI 1000u

struct bucket {
  uint8_t key[KEY_LEN];
  uint32_t next;           /* chain, or free list */
  uint64_t tokens;         /* thousandths of a token */
  uint64_t last_ms;
};

struct ratelimit {
  pthread_mutex_t mu;
  uint64_t rate;           /* tokens per second */
  uint64_t cap;            /* burst, in thousandths */
  size_t max;
  size_t used;
  uint32_t *heads;
  size_t nheads;           /* power of two */
  struct bucket *b;
  uint32_t free;
  uint64_t seed;           /* keyed hash: clients cannot aim at one chain */
  uint64_t last_sweep_ms;
};

cp_err ratelimit_new(uint32_t rate_per_s, uint32_t burst, size_t max_clients,
                     struct ratelimit **out)
{
  struct ratelimit *rl;

  *out = NULL;
  if (!rate_per_s || !burst || !max_clients || max_clients >= NIL)
    return CP_INVAL;
  rl = xcalloc(1, sizeof *rl);
  pthread_mutex_init(&rl->mu, NULL);
  rl->rate = rate_per_s;
  rl->cap = (uint64_t)burst * MILLI;
  rl->max = max_clients;
  rl->nheads = 16;
  while (rl->nheads < max_clients)
    rl->nheads *= 2;
  rl->heads = xmalloc(rl->nheads * sizeof *rl->heads);
  for (size_t i = 0; i < rl->nheads; i++)
    rl->heads[i] = NIL;
  rl->b = xcalloc(max_clients, sizeof *rl->b);
  for (size_t i = 0; i < max_clients; i++)
    rl->b[i].next = i + 1 < max_clients ? (uint32_t)(i + 1) : NIL;
  rl->free = 0;
  if (getentropy(&rl->seed, sizeof rl->seed) != 0)
    rl->seed = (uint64_t)(uintptr_t)rl ^ 0x9e3779b97f4a7c15ull;
  *out = rl;
  return CP_OK;
}

void ratelimit_free(struct ratelimit *rl)
{
  if (!rl)
    return;
  pthread_mutex_destroy(&rl->mu);
  free(rl->heads);
  free(rl->b);
  free(rl);
}

static bool make_key(const struct sockaddr *a, uint8_t key[KEY_LEN])
{
  memset(key, 0, KEY_LEN);
  if (a && a->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)a;
    key[0] = 4;
    memcpy(key + 1, &in->sin_addr, 4);
    return true;
  }
  if (a && a->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
    const uint8_t *p = in6->sin6_addr.s6_addr;
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (!memcmp(p, mapped, sizeof mapped)) {   /* ::ffff:a.b.c.d is IPv4 */
      key[0] = 4;
      memcpy(key + 1, p + 12, 4);
    } else {
      key[0] = 6;
      memcpy(key + 1, p, 8);
    }
    return true;
  }
  return false;
}

static size_t slot(const struct ratelimit *rl, const uint8_t key[KEY_LEN])
{
  uint64_t h = 0xcbf29ce484222325ull ^ rl->seed;
  for (size_t i = 0; i < KEY_LEN; i++) {
    h ^= key[i];
    h *= 0x100000001b3ull;
  }
  h ^= h >> 29;
  return (size_t)(h & (rl->nheads - 1));
}

static void refill(const struct ratelimit *rl, struct bucket *b, uint64_t now)
{
  uint64_t dt = now > b->last_ms ? now - b->last_ms : 0;
  /* dt * rate thousandths per ms; clamp dt so the product cannot overflow */
  if (dt > rl->cap / rl->rate + 1)
    dt = rl->cap / rl->rate + 1;
  b->tokens += dt * rl->rate;
  if (b->tokens > rl->cap)
    b->tokens = rl->cap;
  if (now > b->last_ms)
    b->last_ms = now;
}

/* Drop buckets that have refilled to the brim. Caller holds mu. */
static void sweep_locked(struct ratelimit *rl, uint64_t now)
{
  for (size_t h = 0; h < rl->nheads; h++) {
    uint32_t *link = &rl->heads[h];
    while (*link != NIL) {
      struct bucket *b = &rl->b[*link];
      refill(rl, b, now);
      if (b->tokens >= rl->cap) {
        uint32_t idx = *link;
        *link = b->next;
        b->next = rl->free;
        rl->free = idx;
        rl->used--;
      } else {
        link = &b->next;
      }
    }
  }
  rl->last_sweep_ms = now;
}

static bool take(struct ratelimit *rl, const uint8_t key[KEY_LEN], uint64_t now_ms,
                 uint32_t *retry_after_s)
{
  struct bucket *b = NULL;
  uint32_t idx;
  size_t h;
  bool ok;

  h = slot(rl, key);
  pthread_mutex_lock(&rl->mu);
  for (idx = rl->heads[h]; idx != NIL; idx = rl->b[idx].next)
    if (!memcmp(rl->b[idx].key, key, KEY_LEN)) {
      b = &rl->b[idx];
      break;
    }
  if (!b) {
    /* sweeping is O(max): at most once a second, however many new clients */
    if (rl->free == NIL && now_ms - rl->last_sweep_ms >= 1000)
      sweep_locked(rl, now_ms);
    if (rl->free == NIL) {
      pthread_mutex_unlock(&rl->mu);
      return true;
    }
    idx = rl->free;
    b = &rl->b[idx];
    rl->free = b->next;
    memcpy(b->key, key, KEY_LEN);
    b->tokens = rl->cap;
    b->last_ms = now_ms;
    b->next = rl->heads[h];
    rl->heads[h] = idx;
    rl->used++;
  }
  refill(rl, b, now_ms);
  ok = b->tokens >= MILLI;
  if (ok)
    b->tokens -= MILLI;
  else if (retry_after_s)
    *retry_after_s = (uint32_t)(((MILLI - b->tokens) / rl->rate + 999) / 1000);
  pthread_mutex_unlock(&rl->mu);
  if (!ok && retry_after_s && *retry_after_s == 0)
    *retry_after_s = 1;
  return ok;
}

bool ratelimit_take(struct ratelimit *rl, const struct sockaddr *addr,
                    uint64_t now_ms, uint32_t *retry_after_s)
{
  uint8_t key[KEY_LEN];

  if (retry_after_s)
    *retry_after_s = 0;
  if (!make_key(addr, key))
    return true;   /* unix sockets etc.: local, not limited */
  return take(rl, key, now_ms, retry_after_s);
}

bool ratelimit_take_key(struct ratelimit *rl, const uint8_t *k, size_t n,
                        uint64_t now_ms, uint32_t *retry_after_s)
{
  uint8_t key[KEY_LEN];

  if (retry_after_s)
    *retry_after_s = 0;
  memset(key, 0, KEY_LEN);
  key[0] = KIND_KEY;
  memcpy(key + 1, k, n < KEY_LEN - 1 ? n : KEY_LEN - 1);
  return take(rl, key, now_ms, retry_after_s);
}

size_t ratelimit_clients(struct ratelimit *rl)
{
  size_t n;
  pthread_mutex_lock(&rl->mu);
  n = rl->used;
  pthread_mutex_unlock(&rl->mu);
  return n;
}
