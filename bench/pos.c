/* bench_pos: proof-of-space v1 verification throughput on one core, per
 * group of tests/vectors/pos_v1.json proofs (small-k chiapos plots and the
 * mainnet k32/k33 proofs; valid and invalid separately). Compare chiapos
 * a388902b on this machine kind: 6,800-11,400 valid/s, 23,000-37,000
 * invalid/s (docs/benchmarks.md). */
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pos/verify.h"
#include "util/hex.h"

#define MAX_PROOFS 128
#define MIN_SECONDS 1.0

struct proof {
  unsigned k;
  uint8_t id[32], ch[32], quality[32];
  uint8_t bytes[8 * 50 + 8];
  size_t len;
  int valid;
};

static struct proof proofs[MAX_PROOFS];
static size_t nproofs;
static volatile unsigned sink;

/* Thread CPU time, not wall time: the figures stay meaningful on a machine
 * shared with builds (wall-clock rates printed alongside for reference). */
static double now_clock(clockid_t id)
{
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
  fprintf(stderr, "bench_pos: %s\n", what);
  exit(1);
}

static void hexf(json_t *v, const char *key, uint8_t *out, size_t cap,
                 size_t *n)
{
  const char *s = json_string_value(json_object_get(v, key));
  if (!s || hex_decode(out, cap, n, s, strlen(s)))
    die("malformed vector");
}

static void load(json_t *arr, int valid)
{
  size_t i, n;
  json_t *v;
  json_array_foreach(arr, i, v) {
    struct proof *p = &proofs[nproofs];
    if (nproofs == MAX_PROOFS)
      die("too many vectors");
    p->k = (unsigned)json_integer_value(json_object_get(v, "k"));
    hexf(v, "plot_id", p->id, 32, &n);
    hexf(v, "challenge", p->ch, 32, &n);
    hexf(v, "proof", p->bytes, sizeof p->bytes, &p->len);
    if (valid)
      hexf(v, "quality", p->quality, 32, &n);
    p->valid = valid;
    nproofs++;
  }
}

/* Verifies the proofs of one group round-robin for MIN_SECONDS; checks every
 * outcome so a broken build cannot post a figure. */
static void run(const char *name, int valid, unsigned kmin, unsigned kmax)
{
  size_t sel[MAX_PROOFS], ns = 0, done = 0;
  for (size_t i = 0; i < nproofs; i++)
    if (proofs[i].valid == valid && proofs[i].k >= kmin && proofs[i].k <= kmax)
      sel[ns++] = i;
  if (!ns)
    return;
  double t0 = now_clock(CLOCK_THREAD_CPUTIME_ID), t;
  double w0 = now_clock(CLOCK_MONOTONIC);
  do {
    for (int rep = 0; rep < 256; rep++) {
      const struct proof *p = &proofs[sel[done++ % ns]];
      uint8_t q[32];
      cp_err rc = pos_verify(p->k, p->id, p->ch, p->bytes, p->len, q);
      if (valid ? rc != CP_OK || memcmp(q, p->quality, 32) : rc == CP_OK)
        die("wrong verification result");
      sink += q[0];
    }
    t = now_clock(CLOCK_THREAD_CPUTIME_ID) - t0;
  } while (t < MIN_SECONDS);
  double w = now_clock(CLOCK_MONOTONIC) - w0;
  printf("%-34s %3zu proofs  %8.0f /s cpu  %6.1f us  (%8.0f /s wall)\n",
         name, ns, (double)done / t, 1e6 * t / (double)done,
         (double)done / w);
}

int main(void)
{
  cpu_set_t set;
  json_error_t err;
  json_t *j = json_load_file(CHIAPOOL_VECTORS_DIR "/pos_v1.json", 0, &err);
  if (!j)
    die("cannot load pos_v1.json");
  load(json_object_get(j, "valid"), 1);
  load(json_object_get(j, "invalid"), 0);
  json_decref(j);

  CPU_ZERO(&set);
  CPU_SET(0, &set);
  if (sched_setaffinity(0, sizeof set, &set))
    fprintf(stderr, "bench_pos: could not pin to CPU 0\n");

  printf("pos_verify, one core (chiapos: 6,800-11,400 valid/s, "
         "23,000-37,000 invalid/s)\n");
  run("valid k18", 1, 18, 18);
  run("valid k19", 1, 19, 19);
  run("valid k25", 1, 25, 25);
  run("valid mainnet k32/k33", 1, 32, 33);
  run("invalid k18-k26 (all mutations)", 0, 18, 26);
  run("invalid mainnet k32/k33 (bit flip)", 0, 32, 33);
  return 0;
}
