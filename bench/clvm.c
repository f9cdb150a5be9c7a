/* CLVM throughput on one core: tree hashing the plot-NFT singleton puzzle
 * and dry-running an absorb spend, the two CLVM jobs the pool does per
 * reward. Prints ops/s (thread CPU time). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clvm/clvm.h"
#include "clvm/conditions.h"
#include "util/hex.h"

#define MIN_SECONDS 1.0

static volatile uint8_t sink;

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
  fprintf(stderr, "bench_clvm: %s\n", what);
  exit(1);
}

static uint8_t *hex_field(json_t *o, const char *k, size_t *n)
{
  const char *s = json_string_value(json_object_get(o, k));
  uint8_t *b;
  if (!s)
    die(k);
  b = malloc(strlen(s) / 2 + 1);
  if (!b || hex_decode(b, strlen(s) / 2 + 1, n, s, strlen(s)))
    die(k);
  return b;
}

static const uint8_t *puz, *sol;
static size_t puz_n, sol_n;
static struct clvm_alloc *arena;
static clvm_node prog_node, sol_node;

static void op_hash_bytes(void)
{
  uint8_t h[32];
  if (clvm_tree_hash_bytes(puz, puz_n, h))
    die("hash");
  sink ^= h[0];
}

static void op_hash_tree(void)
{
  /* a fresh arena each time so the per-arena hash cache does not help */
  struct clvm_alloc *a = clvm_alloc_new(0);
  clvm_node n;
  uint8_t h[32];
  if (clvm_deserialize(a, puz, puz_n, 0, &n, NULL))
    die("parse");
  clvm_tree_hash(a, n, h);
  sink ^= h[0];
  clvm_alloc_free(a);
}

static void op_curry_hash(void)
{
  uint8_t mod[32], args[2][32], h[32];
  memset(mod, 1, 32);
  memset(args, 2, sizeof args);
  clvm_curry_tree_hash(mod, (const uint8_t (*)[32])args, 2, h);
  sink ^= h[0];
}

static void op_run_absorb(void)
{
  struct clvm_mark m;
  clvm_node res;
  uint64_t cost;
  struct clvm_conds c;
  clvm_alloc_mark(arena, &m);
  if (clvm_run(arena, prog_node, sol_node, 0, CLVM_F_MEMPOOL, &res, &cost))
    die("run");
  clvm_conds_init(&c);
  if (clvm_conds_parse(arena, res, CLVM_COND_STRICT, 0, &c))
    die("conditions");
  sink ^= (uint8_t)c.n;
  clvm_conds_release(&c);
  clvm_alloc_restore(arena, &m);
}

static void op_full_absorb(void)
{
  struct clvm_alloc *a = clvm_alloc_new(0);
  clvm_node p, s, res;
  uint64_t cost;
  uint8_t h[32];
  if (clvm_deserialize(a, puz, puz_n, 0, &p, NULL) ||
      clvm_deserialize(a, sol, sol_n, 0, &s, NULL))
    die("parse");
  clvm_tree_hash(a, p, h);
  if (clvm_run(a, p, s, 0, CLVM_F_MEMPOOL, &res, &cost))
    die("run");
  sink ^= h[1];
  clvm_alloc_free(a);
}

static void measure(const char *name, void (*fn)(void))
{
  double t0 = now(), t;
  size_t n = 0;
  do {
    for (int i = 0; i < 64; i++)
      fn();
    n += 64;
    t = now() - t0;
  } while (t < MIN_SECONDS);
  printf("%-44s %12.0f ops/s  (%.2f us/op)\n", name, n / t, 1e6 * t / n);
}

int main(void)
{
  json_error_t err;
  json_t *v = json_load_file(CHIAPOOL_VECTORS_DIR "/puzzles.json", 0, &err), *s;
  uint64_t cost;
  clvm_node res;
  if (!v)
    die("cannot load puzzles.json");
  s = json_array_get(json_object_get(v, "absorb_spends"), 0);
  if (!s)
    die("no absorb spend");
  puz = hex_field(s, "singleton_puzzle_reveal", &puz_n);
  sol = hex_field(s, "singleton_solution", &sol_n);
  arena = clvm_alloc_new(0);
  if (clvm_deserialize(arena, puz, puz_n, 0, &prog_node, NULL) ||
      clvm_deserialize(arena, sol, sol_n, 0, &sol_node, NULL))
    die("parse");
  if (clvm_run(arena, prog_node, sol_node, 0, CLVM_F_MEMPOOL, &res, &cost))
    die("run");
  printf("singleton puzzle reveal %zu bytes, absorb spend cost %llu\n", puz_n,
         (unsigned long long)cost);
  measure("tree hash, from bytes (singleton reveal)", op_hash_bytes);
  measure("deserialize + tree hash (fresh arena)", op_hash_tree);
  measure("curry_tree_hash, 2 args (hashes only)", op_curry_hash);
  measure("run absorb spend + parse conditions", op_run_absorb);
  measure("deserialize + hash + run absorb spend", op_full_absorb);
  clvm_alloc_free(arena);
  free((void *)puz);
  free((void *)sol);
  json_decref(v);
  return sink == 0x5a && 0;
}
