/* BLS throughput on one core: what bounds partials per second.
 *
 * Prints ops/s for sign, verify, the pool's partial check (aggregate_verify
 * of the plot key and the authentication key over one 32-byte message)
 * with and without cached decoded keys, and batch verification per item.
 * Compare with the 284-409/s floor in docs/benchmarks.md. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/bls.h"
#include "crypto/bls_batch.h"
#include "crypto/keys.h"

#define MAX_ITEMS 256
#define MIN_SECONDS 1.0

struct item {
  uint8_t msg[32];
  uint8_t sig[BLS_SIG_SIZE];
};

static struct bls_pk pks[2];
static uint8_t pk_bytes[2][BLS_PK_SIZE];
static struct bls_sk sks[2];
static struct item items[MAX_ITEMS];
static volatile int sink;

static double clock_s(clockid_t id)
{
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Thread CPU time, so that other processes sharing the core do not count
 * against us; wall time is printed alongside for comparison. */
static double now(void)
{
  return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static void die(const char *what)
{
  fprintf(stderr, "bench_bls: %s\n", what);
  exit(1);
}

/* --- the measured operations; each returns the number of items done --- */

static size_t op_sign(size_t i)
{
  struct bls_sig s;
  bls_sign(&s, &sks[0], items[i % MAX_ITEMS].msg, 32);
  sink += s.bytes[5];
  return 1;
}

static size_t op_sign_cached_pk(size_t i)
{
  struct bls_sig s;
  bls_sign_prepend(&s, &sks[0], items[i % MAX_ITEMS].msg, 32, &pks[0]);
  sink += s.bytes[5];
  return 1;
}

static size_t op_pk_decode(size_t i)
{
  struct bls_pk pk;
  if (bls_pk_decode(&pk, pk_bytes[i & 1], BLS_PK_SIZE))
    die("pk decode");
  return 1;
}

static size_t op_sig_decode(size_t i)
{
  struct bls_sig s;
  if (bls_sig_decode(&s, items[i % MAX_ITEMS].sig, BLS_SIG_SIZE))
    die("sig decode");
  return 1;
}

static struct bls_sig single_sig;

static size_t op_verify(size_t i)
{
  (void)i;
  if (bls_verify(&pks[0], items[0].msg, 32, &single_sig))
    die("verify");
  return 1;
}

/* The naive floor: everything from wire bytes, every time. */
static size_t op_partial_naive(size_t i)
{
  struct bls_pk a, b;
  struct bls_sig s;
  const struct item *it = &items[i % MAX_ITEMS];
  if (bls_pk_decode(&a, pk_bytes[0], BLS_PK_SIZE) ||
      bls_pk_decode(&b, pk_bytes[1], BLS_PK_SIZE) ||
      bls_sig_decode(&s, it->sig, BLS_SIG_SIZE))
    die("decode");
  struct bls_pair p[2] = { { &a, it->msg, 32 }, { &b, it->msg, 32 } };
  if (bls_aggregate_verify(p, 2, &s))
    die("partial verify");
  return 1;
}

/* Keys decoded once and cached; the signature is new with every partial. */
static size_t op_partial_cached(size_t i)
{
  struct bls_sig s;
  const struct item *it = &items[i % MAX_ITEMS];
  if (bls_sig_decode(&s, it->sig, BLS_SIG_SIZE))
    die("decode");
  struct bls_pair p[2] = { { &pks[0], it->msg, 32 }, { &pks[1], it->msg, 32 } };
  if (bls_aggregate_verify(p, 2, &s))
    die("partial verify");
  return 1;
}

static struct bls_batch *batch;
static size_t batch_n;
static cp_err results[MAX_ITEMS];

static size_t op_batch(size_t i)
{
  (void)i;
  bls_batch_reset(batch);
  for (size_t k = 0; k < batch_n; k++) {
    struct bls_sig s;
    const struct item *it = &items[k];
    if (bls_sig_decode(&s, it->sig, BLS_SIG_SIZE))
      die("decode");
    struct bls_pair p[2] = { { &pks[0], it->msg, 32 },
                             { &pks[1], it->msg, 32 } };
    if (bls_batch_add(batch, p, 2, &s))
      die("batch add");
  }
  if (bls_batch_verify(batch, results))
    die("batch verify");
  return batch_n;
}

/* Rate of the naive partial check in this run: machines are noisy, so the
 * other partial figures are also given as a ratio to it. */
static double floor_rate;

static double run(const char *name, size_t (*op)(size_t))
{
  size_t done = 0, calls = 0;
  double t0 = now(), w0 = clock_s(CLOCK_MONOTONIC), t, w;
  do {
    done += op(calls++);
    t = now() - t0;
  } while (t < MIN_SECONDS);
  w = clock_s(CLOCK_MONOTONIC) - w0;
  printf("%-52s %8.0f /s %9.1f us  (wall %6.0f /s)", name,
         (double)done / t, t * 1e6 / (double)done, (double)done / w);
  if (floor_rate > 0)
    printf("  %.2fx floor", (double)done / t / floor_rate);
  printf("\n");
  return (double)done / t;
}

static void setup(void)
{
  uint8_t seed[32];
  for (int k = 0; k < 2; k++) {
    memset(seed, 0x11 * (k + 1), sizeof seed);
    if (keys_gen(&sks[k], seed, sizeof seed))
      die("keygen");
    bls_sk_to_pk(&sks[k], &pks[k]);
    memcpy(pk_bytes[k], pks[k].bytes, BLS_PK_SIZE);
  }
  for (size_t i = 0; i < MAX_ITEMS; i++) {
    struct bls_sig two[2], agg;
    for (int j = 0; j < 32; j++)
      items[i].msg[j] = (uint8_t)(i * 31 + (size_t)j * 7);
    bls_sign(&two[0], &sks[0], items[i].msg, 32);
    bls_sign(&two[1], &sks[1], items[i].msg, 32);
    bls_aggregate(&agg, two, 2);
    memcpy(items[i].sig, agg.bytes, BLS_SIG_SIZE);
  }
  bls_sign(&single_sig, &sks[0], items[0].msg, 32);
}

int main(void)
{
  cpu_set_t set;
  static const size_t sizes[] = { 16, 64, 256 };

  CPU_ZERO(&set);
  CPU_SET(0, &set);
  if (sched_setaffinity(0, sizeof set, &set))
    fprintf(stderr, "bench_bls: could not pin to CPU 0, continuing\n");
  setup();
  printf("BLS12-381 AugSchemeMPL on blst, one thread pinned to CPU 0; "
         "rates from thread CPU time\n");
  run("sign (incl. sk->pk)", op_sign);
  run("sign with cached pk", op_sign_cached_pk);
  run("G1 decode (pk, incl. subgroup check)", op_pk_decode);
  run("G2 decode (sig, incl. subgroup check)", op_sig_decode);
  run("verify (decoded pk and sig)", op_verify);
  floor_rate = run("partial: 2-key aggregate_verify, all decoded (floor)",
                   op_partial_naive);
  run("partial: cached keys, sig decoded", op_partial_cached);
  batch = bls_batch_new(MAX_ITEMS);
  if (!batch)
    die("batch");
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    char name[80];
    batch_n = sizes[i];
    snprintf(name, sizeof name, "partial: batch of %zu, cached keys (per item)",
             batch_n);
    run(name, op_batch);
  }
  bls_batch_free(batch);
  return sink == 0x7fffffff;
}
