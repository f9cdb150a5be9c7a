/* In-process throughput of the partial pipeline (partials_submit through
 * reply: token, farmer record, batched signature check, signage point from
 * a fake chain, proof of space, replay check, pending-queue write and
 * difficulty update) with real k=18 proofs and real signatures, against
 * the naive floor measured in the same run: decode both keys and the
 * signature, then aggregate_verify, one partial at a time.
 *
 * usage: bench_partials_core [farmers] [partials per farmer] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tests/pool/partials_fixture.h"
#include "crypto/bls_batch.h"
#include "pool/config.h"
#include "pool/partials.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/workq.h"

#define T0 UINT64_C(1800000000)
#define PEAK 1000u

static struct chia_partial_request *reqs;
static size_t nreq;

static double clock_s(clockid_t id)
{
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
  return clock_s(CLOCK_MONOTONIC);
}

/* CPU seconds of every thread of the process (workers, store writer,
 * submitter): on a shared machine partials per CPU-second is the figure
 * that survives other load; wall-clock rates are printed alongside. */
static double cpu(void)
{
  return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

struct rate {
  double per_cpu_s;
  double per_wall_s;
};

static void die(const char *what, cp_err rc)
{
  fprintf(stderr, "bench_partials_core: %s: %s\n", what, cp_strerror(rc));
  exit(1);
}

/* ---- naive: everything decoded and verified per partial ---- */

struct naive_arg {
  size_t from, to;
  int cached;                 /* keys decoded once up front (keycache-like) */
  const struct bls_pk *plot_pks, *auth_pks;
  size_t per_farmer;
  size_t ok;
};

static void *naive_main(void *arg)
{
  struct naive_arg *a = arg;
  for (size_t i = a->from; i < a->to; i++) {
    const struct chia_partial_request *r = &reqs[i];
    struct bls_pk pk[2];
    struct bls_sig sig;
    struct bls_pair pairs[2];
    uint8_t m[32];
    if (a->cached) {
      pk[0] = a->plot_pks[i / a->per_farmer];
      pk[1] = a->auth_pks[i / a->per_farmer];
    } else if (bls_pk_decode(&pk[0], r->payload.proof_of_space.plot_public_key, 48) ||
               bls_pk_decode(&pk[1], a->auth_pks[i / a->per_farmer].bytes, 48)) {
      continue;
    }
    if (chia_partial_payload_hash(&r->payload, m) || bls_sig_decode(&sig, r->aggregate_signature, 96))
      continue;
    pairs[0] = (struct bls_pair){ &pk[0], m, 32 };
    pairs[1] = (struct bls_pair){ &pk[1], m, 32 };
    if (bls_aggregate_verify(pairs, 2, &sig) == CP_OK)
      a->ok++;
  }
  return NULL;
}

static struct rate run_naive(unsigned threads, int cached, const struct bls_pk *plot_pks,
                             const struct bls_pk *auth_pks, size_t per_farmer)
{
  pthread_t th[8];
  struct naive_arg args[8];
  size_t ok = 0;
  double t0 = wall(), c0 = cpu();
  struct rate r;

  for (unsigned i = 0; i < threads; i++) {
    args[i] = (struct naive_arg){ .from = nreq * i / threads, .to = nreq * (i + 1) / threads,
                                  .cached = cached, .plot_pks = plot_pks,
                                  .auth_pks = auth_pks, .per_farmer = per_farmer };
    pthread_create(&th[i], NULL, naive_main, &args[i]);
  }
  for (unsigned i = 0; i < threads; i++) {
    pthread_join(th[i], NULL);
    ok += args[i].ok;
  }
  r.per_wall_s = (double)nreq / (wall() - t0);
  r.per_cpu_s = (double)nreq / (cpu() - c0);
  if (ok != nreq)
    die("naive verification rejected a partial", CP_VERIFY_FAILED);
  return r;
}

/* The signature-only bound of the pipeline: cached keys, batches of 64, one
 * thread (what sigbatch does, without proofs, store or scheduling). */
static struct rate run_batch_bound(const struct bls_pk *plot_pks, const struct bls_pk *auth_pks,
                                   size_t per_farmer)
{
  struct bls_batch *b = bls_batch_new(64);
  cp_err res[64];
  double t0 = wall(), c0 = cpu();
  struct rate r;

  for (size_t i = 0; i < nreq; i += 64) {
    size_t n = nreq - i < 64 ? nreq - i : 64;
    bls_batch_reset(b);
    for (size_t j = i; j < i + n; j++) {
      struct bls_sig sig;
      struct bls_pair pairs[2];
      uint8_t m[32];
      if (chia_partial_payload_hash(&reqs[j].payload, m) ||
          bls_sig_decode(&sig, reqs[j].aggregate_signature, 96))
        die("decode", CP_BAD_SIGNATURE);
      pairs[0] = (struct bls_pair){ &plot_pks[j / per_farmer], m, 32 };
      pairs[1] = (struct bls_pair){ &auth_pks[j / per_farmer], m, 32 };
      if (bls_batch_add(b, pairs, 2, &sig))
        die("batch add", CP_INTERNAL);
    }
    if (bls_batch_verify(b, res))
      die("batch verify", CP_VERIFY_FAILED);
  }
  r.per_wall_s = (double)nreq / (wall() - t0);
  r.per_cpu_s = (double)nreq / (cpu() - c0);
  bls_batch_free(b);
  return r;
}

/* ---- the pipeline ---- */

struct counter {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  size_t done, ok;
};

static void on_reply(void *ctx, const struct partial_reply *r)
{
  struct counter *c = ctx;
  pthread_mutex_lock(&c->lock);
  c->done++;
  if (r->code == POOL_OK)
    c->ok++;
  else if (c->done - c->ok <= 3)
    fprintf(stderr, "rejected: %d %s\n", (int)r->code, r->message);
  if (c->done == nreq)
    pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->lock);
}

static struct rate run_pipeline(struct fx_chain *fc, struct chain *chain,
                           const struct chia_consts *net, struct fx_farmer *farmers,
                           size_t nf, unsigned threads, struct partials_stats *st)
{
  char dir[64], path[96], tmp[128];
  struct store_options so = { .backend = STORE_BACKEND_SQLITE };
  struct workq_options wo = { .threads = threads, .max_queued = 1000000 };
  struct pool_config cfg;
  struct store *store;
  struct workq *wq;
  struct partials *p;
  struct counter c = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  double t0, c0;
  struct rate r;
  cp_err rc;

  snprintf(dir, sizeof dir, "/tmp/cpbench.XXXXXX");
  if (!mkdtemp(dir))
    die("mkdtemp", CP_IO);
  snprintf(path, sizeof path, "%s/pool.db", dir);
  so.path = path;
  if ((rc = store_open(&so, &store)))
    die("store_open", rc);
  for (size_t i = 0; i < nf; i++) {
    struct store_farmer fr = fx_farmer_record(&farmers[i], 1, T0 - 86400);
    if ((rc = store_farmer_add(store, &fr)))
      die("store_farmer_add", rc);
  }
  wo.class_limit[PARTIALS_CLASS_NODE] = threads > 1 ? threads / 2 : 1;
  if ((rc = workq_new(&wo, &wq)))
    die("workq_new", rc);
  config_defaults(&cfg);
  cfg.test_mode = 1;
  {
    struct partials_deps d = { .cfg = &cfg, .net = net, .store = store, .chain = chain,
                               .workq = wq, .sp_retry_ms = 10000 };
    if ((rc = partials_new(&d, &p)))
      die("partials_new", rc);
  }
  (void)fc;
  t0 = wall();
  c0 = cpu();
  for (size_t i = 0; i < nreq; i++) {
    rc = partials_submit(p, &reqs[i], T0, on_reply, &c);
    if (rc)
      die("partials_submit", rc);
  }
  pthread_mutex_lock(&c.lock);
  while (c.done < nreq)
    pthread_cond_wait(&c.cond, &c.lock);
  pthread_mutex_unlock(&c.lock);
  r.per_wall_s = (double)nreq / (wall() - t0);
  r.per_cpu_s = (double)nreq / (cpu() - c0);
  partials_stats(p, st);
  if (c.ok != nreq) {
    fprintf(stderr, "only %zu of %zu accepted\n", c.ok, nreq);
    exit(1);
  }
  partials_free(p);
  workq_free(wq);
  store_close(store);
  for (int i = 0; i < 4; i++) {
    static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
    snprintf(tmp, sizeof tmp, "%s%s", path, sfx[i]);
    unlink(tmp);
  }
  rmdir(dir);
  return r;
}

int main(int argc, char **argv)
{
  const struct chia_consts *net = consts_get("simulator");
  uint64_t nf = 8, per = 150;
  uint64_t ssi = net->pool_sub_slot_iters * POOL_TEST_MODE_ITERS_FACTOR;
  struct fx_farmer *farmers;
  struct bls_pk *plot_pks, *auth_pks;
  struct fx_chain fc;
  struct chain chain;
  struct partials_stats st;
  struct rate naive1, naive2, cached1, bound1, pipe2;
  double t0;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned threads = ncpu > 0 && ncpu < 8 ? (unsigned)ncpu : 2;
  cp_err rc;

  log_set_level(LOG_WARN);
  if ((argc > 1 && parse_u64_cstr(argv[1], 64, &nf)) ||
      (argc > 2 && parse_u64_cstr(argv[2], 2000, &per)) || nf == 0 || per == 0)
    die("usage: bench_partials_core [farmers 1..64] [partials per farmer 1..2000]", CP_INVAL);
  farmers = calloc(nf, sizeof *farmers);
  plot_pks = calloc(nf, sizeof *plot_pks);
  auth_pks = calloc(nf, sizeof *auth_pks);
  nreq = nf * per;
  reqs = calloc(nreq, sizeof *reqs);
  fxc_init(&fc, &chain, PEAK);

  t0 = wall();
  for (size_t i = 0; i < nf; i++) {
    uint32_t cursor = 0;
    if ((rc = fx_farmer_init(&farmers[i], (uint32_t)i + 100)) ||
        (rc = fx_farmer_plot(&farmers[i])))
      die("farmer setup", rc);
    plot_pks[i] = farmers[i].plot_pk;
    auth_pks[i] = farmers[i].auth_pk;
    for (size_t j = 0; j < per; j++) {
      struct fx_case c;
      if ((rc = fx_find_case(&farmers[i], net, ssi, PEAK + 1, 1, false, &cursor, &c)))
        die("no proof found", rc);
      fxc_put(&fc, c.sp, false, c.cc, (double)T0 - 2);
      if ((rc = fx_partial(&farmers[i], &c, token_current(T0, 5), &reqs[i * per + j])))
        die("sign", rc);
    }
    fx_farmer_release(&farmers[i]);
  }
  printf("setup: %llu farmers x %llu partials (k=18 plots, real proofs) in %.1f s; %u worker "
         "threads\n", (unsigned long long)nf, (unsigned long long)per, wall() - t0, threads);

  naive1 = run_naive(1, 0, plot_pks, auth_pks, per);
  naive2 = run_naive(threads, 0, plot_pks, auth_pks, per);
  cached1 = run_naive(1, 1, plot_pks, auth_pks, per);
  bound1 = run_batch_bound(plot_pks, auth_pks, per);
  pipe2 = run_pipeline(&fc, &chain, net, farmers, nf, threads, &st);

  printf("partials/s per CPU-second (and per wall-second on this machine):\n");
  printf("  naive floor, 1 thread (decode keys+sig, aggregate_verify): %7.0f  (%7.0f)\n",
         naive1.per_cpu_s, naive1.per_wall_s);
  printf("  naive floor, %u threads:                                   %7.0f  (%7.0f)\n",
         threads, naive2.per_cpu_s, naive2.per_wall_s);
  printf("  cached keys, 1 thread, one at a time:                      %7.0f  (%7.0f)\n",
         cached1.per_cpu_s, cached1.per_wall_s);
  printf("  cached keys, 1 thread, batches of 64 (signatures only):   %7.0f  (%7.0f)\n",
         bound1.per_cpu_s, bound1.per_wall_s);
  printf("  partials_submit pipeline, %u workers, end to end, accepted: %7.0f  (%7.0f)\n",
         threads, pipe2.per_cpu_s, pipe2.per_wall_s);
  printf("  pipeline / naive floor: %.2fx per CPU-second, %.2fx wall (%u threads each)\n",
         pipe2.per_cpu_s / naive2.per_cpu_s, pipe2.per_wall_s / naive2.per_wall_s, threads);
  printf("  signature batches: %llu for %llu items (largest %llu, %llu fell back); key cache "
         "%llu hits / %llu misses\n",
         (unsigned long long)st.sig_batches, (unsigned long long)st.sig_items,
         (unsigned long long)st.sig_max_batch, (unsigned long long)st.sig_fallbacks,
         (unsigned long long)st.key_hits, (unsigned long long)st.key_misses);
  fxc_release(&fc);
  free(reqs);
  free(farmers);
  free(plot_pks);
  free(auth_pks);
  return 0;
}
