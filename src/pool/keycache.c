#include "pool/keycache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define KC_WAYS 4
/* Locks are striped over sets: enough stripes that two workers rarely meet,
 * few enough that the table stays small. */
#define KC_STRIPES 64

struct kc_slot {
  int used;
  uint64_t tick; /* last use, for eviction */
  struct bls_pk pk;
};

struct keycache {
  size_t nsets;
  struct kc_slot *slots; /* nsets * KC_WAYS */
  pthread_mutex_t locks[KC_STRIPES];
  uint64_t tick[KC_STRIPES];
  uint64_t hits, misses, evictions; /* atomics */
};

cp_err keycache_new(size_t capacity, struct keycache **out)
{
  struct keycache *kc;
  size_t slots = KC_WAYS;

  *out = NULL;
  if (capacity == 0)
    capacity = KEYCACHE_DEFAULT_CAPACITY;
  if (capacity > KEYCACHE_MAX_CAPACITY)
    return CP_INVAL;
  while (slots < capacity)
    slots <<= 1;
  kc = xcalloc(1, sizeof *kc);
  kc->nsets = slots / KC_WAYS;
  kc->slots = xcalloc(slots, sizeof *kc->slots);
  for (size_t i = 0; i < KC_STRIPES; i++)
    pthread_mutex_init(&kc->locks[i], NULL);
  *out = kc;
  return CP_OK;
}

void keycache_free(struct keycache *kc)
{
  if (!kc)
    return;
  for (size_t i = 0; i < KC_STRIPES; i++)
    pthread_mutex_destroy(&kc->locks[i]);
  free(kc->slots);
  free(kc);
}

/* The first byte carries the encoding flags; the x coordinate after it is
 * uniformly distributed for real keys. Hostile keys chosen to collide only
 * evict each other within one set. */
static size_t kc_set(const struct keycache *kc, const uint8_t *b)
{
  uint64_t h = 0;
  for (int i = 8; i < 16; i++)
    h = h << 8 | b[i];
  h ^= h >> 29;
  h *= UINT64_C(0xbf58476d1ce4e5b9);
  h ^= h >> 32;
  return (size_t)(h & (kc->nsets - 1));
}

static void kc_count(struct keycache *kc, int hit, int evicted)
{
  __atomic_fetch_add(hit ? &kc->hits : &kc->misses, 1, __ATOMIC_RELAXED);
  if (evicted)
    __atomic_fetch_add(&kc->evictions, 1, __ATOMIC_RELAXED);
}

cp_err keycache_get(struct keycache *kc, const uint8_t bytes[BLS_PK_SIZE],
                    struct bls_pk *out)
{
  size_t set = kc_set(kc, bytes);
  size_t stripe = set % KC_STRIPES;
  struct kc_slot *ways = kc->slots + set * KC_WAYS, *victim;
  struct bls_pk fresh;
  int evicted = 0;
  cp_err rc;

  pthread_mutex_lock(&kc->locks[stripe]);
  for (int i = 0; i < KC_WAYS; i++) {
    if (ways[i].used && !memcmp(ways[i].pk.bytes, bytes, BLS_PK_SIZE)) {
      ways[i].tick = ++kc->tick[stripe];
      *out = ways[i].pk;
      pthread_mutex_unlock(&kc->locks[stripe]);
      kc_count(kc, 1, 0);
      return CP_OK;
    }
  }
  pthread_mutex_unlock(&kc->locks[stripe]);

  /* decode outside the lock: it is the expensive part */
  rc = bls_pk_decode(&fresh, bytes, BLS_PK_SIZE);
  if (rc)
    return rc;
  pthread_mutex_lock(&kc->locks[stripe]);
  victim = &ways[0];
  for (int i = 0; i < KC_WAYS; i++) {
    if (ways[i].used && !memcmp(ways[i].pk.bytes, bytes, BLS_PK_SIZE)) {
      victim = &ways[i]; /* another thread inserted it meanwhile */
      break;
    }
    if (!ways[i].used) {
      victim = &ways[i];
      break;
    }
    if (ways[i].tick < victim->tick)
      victim = &ways[i];
  }
  evicted = victim->used && memcmp(victim->pk.bytes, bytes, BLS_PK_SIZE) != 0;
  victim->used = 1;
  victim->pk = fresh;
  victim->tick = ++kc->tick[stripe];
  pthread_mutex_unlock(&kc->locks[stripe]);
  kc_count(kc, 0, evicted);
  *out = fresh;
  return CP_OK;
}

void keycache_stats(struct keycache *kc, struct keycache_stats *out)
{
  out->hits = __atomic_load_n(&kc->hits, __ATOMIC_RELAXED);
  out->misses = __atomic_load_n(&kc->misses, __ATOMIC_RELAXED);
  out->evictions = __atomic_load_n(&kc->evictions, __ATOMIC_RELAXED);
}

size_t keycache_capacity(const struct keycache *kc)
{
  return kc->nsets * KC_WAYS;
}
