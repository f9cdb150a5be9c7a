/* Coins held out of payouts (see coinhold.h). A handful of absorbs are in
 * flight at a time, so flat arrays and linear scans are the right size. */
#include "pool/coinhold.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct hold {
  uint8_t key[32];
  uint8_t (*coins)[32];
  size_t n;
  uint64_t expires;
};

struct coinhold {
  pthread_mutex_t mu;
  struct hold *v;
  size_t n, cap;
};

struct coinhold *coinhold_new(void)
{
  struct coinhold *h = xcalloc(1, sizeof *h);
  pthread_mutex_init(&h->mu, NULL);
  return h;
}

void coinhold_free(struct coinhold *h)
{
  if (!h)
    return;
  for (size_t i = 0; i < h->n; i++)
    free(h->v[i].coins);
  free(h->v);
  pthread_mutex_destroy(&h->mu);
  free(h);
}

/* Caller holds mu. */
static void drop_at(struct coinhold *h, size_t i)
{
  free(h->v[i].coins);
  h->v[i] = h->v[--h->n];
}

static void drop_locked(struct coinhold *h, const uint8_t key[32])
{
  for (size_t i = 0; i < h->n; i++)
    if (!memcmp(h->v[i].key, key, 32)) {
      drop_at(h, i);
      return;
    }
}

void coinhold_put(struct coinhold *h, const uint8_t key[32], const uint8_t (*coins)[32],
                  size_t n, uint64_t expires)
{
  struct hold *x;
  if (!h)
    return;
  pthread_mutex_lock(&h->mu);
  drop_locked(h, key);
  if (n) {
    if (h->n == h->cap) {
      h->cap = h->cap ? h->cap * 2 : 8;
      h->v = xrealloc(h->v, h->cap * sizeof *h->v);
    }
    x = &h->v[h->n++];
    memcpy(x->key, key, 32);
    x->coins = xcalloc(n, sizeof *x->coins);
    memcpy(x->coins, coins, n * sizeof *x->coins);
    x->n = n;
    x->expires = expires;
  }
  pthread_mutex_unlock(&h->mu);
}

void coinhold_drop(struct coinhold *h, const uint8_t key[32])
{
  if (!h)
    return;
  pthread_mutex_lock(&h->mu);
  drop_locked(h, key);
  pthread_mutex_unlock(&h->mu);
}

cp_err coinhold_list(struct coinhold *h, uint64_t now, uint8_t (**out)[32], size_t *n)
{
  size_t total = 0, k = 0;
  *out = NULL;
  *n = 0;
  if (!h)
    return CP_OK;
  pthread_mutex_lock(&h->mu);
  for (size_t i = 0; i < h->n;) {
    if (h->v[i].expires <= now) {
      drop_at(h, i);
      continue;
    }
    total += h->v[i].n;
    i++;
  }
  if (total > COINHOLD_MAX_COINS)
    total = COINHOLD_MAX_COINS;
  if (total) {
    *out = xcalloc(total, sizeof **out);
    for (size_t i = 0; i < h->n && k < total; i++)
      for (size_t j = 0; j < h->v[i].n && k < total; j++)
        memcpy((*out)[k++], h->v[i].coins[j], 32);
  }
  *n = k;
  pthread_mutex_unlock(&h->mu);
  return CP_OK;
}
