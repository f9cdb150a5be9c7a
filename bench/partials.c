/* bench_partials: end-to-end POST /partial throughput against the naive
 * BLS floor.
 *
 *   bench_partials [--farmers N] [--per-farmer M] [--clients C]
 *                  [--same-process] [--url URL] [--max-conn-per-ip K]
 *                  [--worker-threads W] [--http-threads H]
 *                  [--sig-batch-wait-us U] [--sig-batch-parallel-min P]
 *                  [--compare P:U[,P:U...] [--rounds R]] [--no-floor]
 *
 * N farmers with real k=18 plots and Chia-style keys; M distinct valid
 * partials each, signed as the farmer signs them. By default the pool runs
 * in this process (pool_server_start, temporary SQLite store, a fake chain
 * on which every signage point exists, max_difficulty 1 so every proof
 * stays good enough) and the load generator is this binary re-executed
 * with --client: its C threads post over keep-alive connections from
 * another process, so the server's CPU time (getrusage of this process
 * while the generator runs; the main thread only waits) is not mixed with
 * curl's. --same-process runs the generator as threads of this process,
 * as earlier runs did. --url sends to a running server instead (its store
 * must know the farmers; no server CPU figure then). --compare splits the
 * partials into R rounds of one chunk per signature batching setting and
 * switches the running server between them, so the settings are compared
 * under the same machine load (a shared machine drifts within minutes).
 *
 * Printed: accepted partials/s, p50/p99 latency, answers by code, server
 * CPU-seconds per 1,000 partials and partials per server CPU-second,
 * generator CPU, signature batch sizes and key cache hits, RSS, and for the
 * same partials the naive floor: one aggregate_verify per partial
 * including key and signature decoding with subgroup checks, on 1 thread
 * and on every core, so end-to-end / floor shows what the pipeline costs
 * or saves. */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "../tests/common/testfarmer.h"
#include "http/pool_server.h"
#include "pool/partials.h"
#include "pool/token.h"
#include "util/log.h"
#include "util/parse.h"

extern char **environ;

struct item {
  struct chia_partial_request *req;
  const uint8_t *auth_pk;   /* the farmer's stored authentication key */
  char *json;
  double latency_ms;
  int code;         /* 0 ok, protocol code, -1 transport */
};

/* What the --client process writes back, in item order after a header. */
struct wire_head {
  uint64_t n;
  uint64_t wall_us;         /* first request sent to last answer */
};
struct wire_res {
  int32_t code;
  uint32_t latency_us;
};

struct client {
  pthread_t t;
  const char *url;
  struct item *items;
  size_t n;
};

static uint64_t mono_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double ru_cpu_s(const struct rusage *ru)
{
  return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
         (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

static double self_cpu_s(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru_cpu_s(&ru);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  char *b = ud;
  size_t len = size * n, have = strlen(b), room = 1023 - have;
  memcpy(b + have, p, len < room ? len : room);
  b[have + (len < room ? len : room)] = 0;
  return len;
}

static int parse_code(const char *body)
{
  const char *e = strstr(body, "\"error_code\":");
  uint64_t v = 0;
  size_t i = 0;
  if (!e)
    return strstr(body, "new_difficulty") ? 0 : -1;
  e += 13;
  while (e[i] >= '0' && e[i] <= '9' && i < 4)
    i++;
  return parse_u64(e, i, 100, &v) ? -1 : (int)v;
}

static void *client_main(void *arg)
{
  struct client *c = arg;
  CURL *h = curl_easy_init();
  struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
  char body[1024];

  hdrs = curl_slist_append(hdrs, "Expect:");
  curl_easy_setopt(h, CURLOPT_URL, c->url);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
  for (size_t i = 0; i < c->n; i++) {
    uint64_t t0 = mono_us();
    long status = 0;
    body[0] = 0;
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->items[i].json);
    if (curl_easy_perform(h) == CURLE_OK)
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    c->items[i].latency_ms = (double)(mono_us() - t0) / 1000.0;
    c->items[i].code = status == 200 ? parse_code(body) : -1;
  }
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  return NULL;
}

/* Spread n items over nc threads and post them all; wall time in µs. */
static uint64_t post_all(const char *url, struct item *items, size_t n, unsigned nc)
{
  struct client *cl = calloc(nc, sizeof *cl);
  uint64_t t0;
  size_t at = 0;

  if (!cl)
    exit(1);
  t0 = mono_us();
  for (unsigned c = 0; c < nc; c++) {
    size_t share = n / nc + (c < n % nc);
    cl[c].url = url;
    cl[c].items = items + at;
    cl[c].n = share;
    at += share;
    pthread_create(&cl[c].t, NULL, client_main, &cl[c]);
  }
  for (unsigned c = 0; c < nc; c++)
    pthread_join(cl[c].t, NULL);
  t0 = mono_us() - t0;
  free(cl);
  return t0;
}

/* --- the generator process: bench_partials --client URL IN OUT C --- */

static char *read_all(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  long sz;

  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
    goto out;
  data = malloc((size_t)sz + 1);
  if (data && fread(data, 1, (size_t)sz, f) != (size_t)sz) {
    free(data);
    data = NULL;
    goto out;
  }
  if (data) {
    data[sz] = 0;
    *len = (size_t)sz;
  }
out:
  fclose(f);
  return data;
}

/* Bodies come NUL-separated, so the child needs no JSON of its own. */
static int client_mode(int argc, char **argv)
{
  struct wire_head head;
  struct wire_res *res = NULL;
  struct item *items = NULL;
  char *data;
  size_t len = 0, n = 0, at = 0;
  uint64_t nc = 0;
  FILE *out = NULL;
  int rc = 1;

  if (argc != 6 || parse_u64_cstr(argv[5], 10000, &nc) || !nc) {
    fprintf(stderr, "usage: bench_partials --client URL IN OUT CLIENTS\n");
    return 2;
  }
  data = read_all(argv[3], &len);
  if (!data)
    return 1;
  for (size_t i = 0; i < len; i++)
    n += data[i] == 0;
  items = calloc(n ? n : 1, sizeof *items);
  res = calloc(n ? n : 1, sizeof *res);
  if (!items || !res)
    goto out;
  for (size_t i = 0; i < n; i++) {
    items[i].json = data + at;
    at += strlen(data + at) + 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  head.n = n;
  head.wall_us = post_all(argv[2], items, n, (unsigned)nc);
  curl_global_cleanup();
  for (size_t i = 0; i < n; i++) {
    res[i].code = items[i].code;
    res[i].latency_us = (uint32_t)(items[i].latency_ms * 1000.0);
  }
  out = fopen(argv[4], "wb");
  if (out && fwrite(&head, sizeof head, 1, out) == 1 &&
      fwrite(res, sizeof *res, n, out) == n)
    rc = 0;
out:
  if (out && fclose(out))
    rc = 1;
  free(res);
  free(items);
  free(data);
  return rc;
}

/* Run the generator as a child process on the items; fills their codes and
 * latencies. Returns the generator's wall time in µs (0 on failure) and
 * its CPU time. */
static uint64_t post_from_child(const char *self, const char *dir, const char *url,
                                struct item *items, size_t n, unsigned nc,
                                double *child_cpu)
{
  char in[128], out[128], ncs[16];
  char *args[7];
  struct wire_head head;
  struct rusage ru;
  FILE *f;
  pid_t pid;
  int st = 0;
  uint64_t wall = 0;

  *child_cpu = 0;
  snprintf(in, sizeof in, "%s/partials.bin", dir);
  snprintf(out, sizeof out, "%s/results.bin", dir);
  snprintf(ncs, sizeof ncs, "%u", nc);
  f = fopen(in, "wb");
  if (!f)
    return 0;
  for (size_t i = 0; i < n; i++)
    fwrite(items[i].json, 1, strlen(items[i].json) + 1, f);
  if (fclose(f))
    return 0;
  args[0] = (char *)self;
  args[1] = (char *)"--client";
  args[2] = (char *)url;
  args[3] = in;
  args[4] = out;
  args[5] = ncs;
  args[6] = NULL;
  if (posix_spawn(&pid, self, NULL, NULL, args, environ))
    return 0;
  if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
    return 0;
  *child_cpu = ru_cpu_s(&ru);
  f = fopen(out, "rb");
  if (!f)
    return 0;
  if (fread(&head, sizeof head, 1, f) == 1 && head.n == n) {
    wall = head.wall_us;
    for (size_t i = 0; i < n; i++) {
      struct wire_res r;
      if (fread(&r, sizeof r, 1, f) != 1) {
        wall = 0;
        break;
      }
      items[i].code = r.code;
      items[i].latency_ms = (double)r.latency_us / 1000.0;
    }
  }
  fclose(f);
  return wall;
}

/* --- naive floor --- */

struct floor_job {
  pthread_t t;
  struct item *items;
  size_t n;
  size_t ok;
};

/* What one partial costs with no batching and no key cache: hash the
 * payload, decode and subgroup-check both keys and the signature, one
 * aggregate_verify (3 Miller loops' worth of pairings). */
static void *floor_main(void *arg)
{
  struct floor_job *j = arg;
  for (size_t i = 0; i < j->n; i++) {
    const struct chia_partial_request *r = j->items[i].req;
    struct bls_pk plot, auth;
    struct bls_sig sig;
    struct bls_pair pairs[2];
    uint8_t m[32];
    if (chia_partial_payload_hash(&r->payload, m) ||
        bls_pk_decode(&plot, r->payload.proof_of_space.plot_public_key, 48) ||
        bls_pk_decode(&auth, j->items[i].auth_pk, 48) ||
        bls_sig_decode(&sig, r->aggregate_signature, 96))
      continue;
    pairs[0].pk = &plot;
    pairs[0].msg = m;
    pairs[0].len = 32;
    pairs[1].pk = &auth;
    pairs[1].msg = m;
    pairs[1].len = 32;
    if (bls_aggregate_verify(pairs, 2, &sig) == CP_OK)
      j->ok++;
  }
  return NULL;
}

/* Partials/s of wall time; *per_cpu gets partials per CPU-second. */
static double floor_rate(struct item *items, size_t n, unsigned threads, size_t *ok,
                         double *per_cpu)
{
  struct floor_job *jobs = calloc(threads, sizeof *jobs);
  uint64_t t0 = mono_us(), dt;
  double c0 = self_cpu_s(), dc;
  size_t at = 0;

  *ok = 0;
  for (unsigned i = 0; i < threads; i++) {
    size_t share = n / threads + (i < n % threads);
    jobs[i].items = items + at;
    jobs[i].n = share;
    at += share;
    pthread_create(&jobs[i].t, NULL, floor_main, &jobs[i]);
  }
  for (unsigned i = 0; i < threads; i++) {
    pthread_join(jobs[i].t, NULL);
    *ok += jobs[i].ok;
  }
  dt = mono_us() - t0;
  dc = self_cpu_s() - c0;
  free(jobs);
  *per_cpu = dc > 0 ? (double)n / dc : 0;
  return dt ? (double)n * 1e6 / (double)dt : 0;
}

/* --- helpers --- */

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static long rss_kib(const char *field)
{
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  size_t n = strlen(field);
  if (!f)
    return -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, field, n)) {
      uint64_t x = 0;
      const char *p = line + n;
      size_t len = 0;
      while (*p == ' ' || *p == '\t' || *p == ':')
        p++;
      while (p[len] >= '0' && p[len] <= '9')
        len++;
      if (!parse_u64(p, len, UINT64_MAX, &x))
        v = (long)x;
    }
  fclose(f);
  return v;
}

static int opt_has(int argc, char **argv, const char *name)
{
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], name))
      return 1;
  return 0;
}

/* min 0 allows an explicit 0 (e.g. "no cap"). */
static unsigned opt_u(int argc, char **argv, const char *name, unsigned def, unsigned min)
{
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], name)) {
      uint64_t v;
      if (parse_u64_cstr(argv[i + 1], 1000000, &v) || v < min) {
        fprintf(stderr, "bench_partials: %s needs a number >= %u\n", name, min);
        exit(2);
      }
      return (unsigned)v;
    }
  return def;
}

static const char *opt_s(int argc, char **argv, const char *name)
{
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], name))
      return argv[i + 1];
  return NULL;
}

static const char bench_cfg[] =
  "network: simulator\n"
  "test_mode: true\n"
  "min_difficulty: 1\n"
  "default_difficulty: 1\n"
  "max_difficulty: 1\n"
  "server:\n"
  "  rate_limit_per_ip: 0\n"
  "  partial_rate_per_launcher: 0\n"
  "store:\n"
  "  path: \"bench.sqlite\"\n"
  "logging:\n"
  "  log_level: \"error\"\n";

struct knobs {
  unsigned max_conn_per_ip, worker_threads, http_threads, batch_wait_us, parallel_min;
};

/* One signature batching setting and what the partials sent under it got. */
struct tally {
  unsigned parallel_min, wait_us;
  uint64_t wall_us;
  double srv_cpu, gen_cpu;
  long vcsw, ivcsw;         /* server context switches: waits, preemptions */
  size_t n, accepted, codes[20], transport;
  double *lat;
  uint64_t batches, sig_items, waits;
};

/* "P:W,P:W,...": parallel_min and wait_us per setting. */
static size_t parse_compare(const char *s, struct tally *t, size_t cap)
{
  size_t n = 0;
  while (*s && n < cap) {
    size_t a = 0, b;
    uint64_t pm, w;
    while (s[a] >= '0' && s[a] <= '9')
      a++;
    if (s[a] != ':' || parse_u64(s, a, 1024, &pm))
      return 0;
    s += a + 1;
    for (b = 0; s[b] >= '0' && s[b] <= '9'; b++)
      ;
    if (parse_u64(s, b, 20000, &w))
      return 0;
    t[n].parallel_min = (unsigned)pm;
    t[n++].wait_us = (unsigned)w;
    s += b;
    if (*s == ',')
      s++;
    else if (*s)
      return 0;
  }
  return *s ? 0 : n;
}

static int run_chunk(const char *self, const char *dir, const char *url, struct item *items,
                     size_t n, unsigned nc, int same, struct pool_server *srv,
                     struct tally *t)
{
  struct partials_stats a, b;
  struct rusage r0, r1;
  double c0, gen = 0;
  uint64_t dt;

  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  if (srv)
    partials_stats(pool_server_partials(srv), &a);
  getrusage(RUSAGE_SELF, &r0);
  c0 = ru_cpu_s(&r0);
  dt = same ? post_all(url, items, n, nc) : post_from_child(self, dir, url, items, n, nc, &gen);
  if (!dt)
    return -1;
  getrusage(RUSAGE_SELF, &r1);
  t->srv_cpu += ru_cpu_s(&r1) - c0;
  t->vcsw += r1.ru_nvcsw - r0.ru_nvcsw;
  t->ivcsw += r1.ru_nivcsw - r0.ru_nivcsw;
  t->gen_cpu += gen;
  t->wall_us += dt;
  if (srv)
    partials_stats(pool_server_partials(srv), &b);
  t->batches += b.sig_batches - a.sig_batches;
  t->sig_items += b.sig_items - a.sig_items;
  t->waits += b.sig_waits - a.sig_waits;
  for (size_t i = 0; i < n; i++) {
    t->lat[t->n++] = items[i].latency_ms;
    if (items[i].code == 0)
      t->accepted++;
    else if (items[i].code > 0 && items[i].code < 20)
      t->codes[items[i].code]++;
    else
      t->transport++;
  }
  return 0;
}

static double tally_rate(const struct tally *t)
{
  return t->wall_us ? (double)t->accepted * 1e6 / (double)t->wall_us : 0;
}

static void tally_print(struct tally *t, unsigned nc, int same, int ext)
{
  size_t n = t->n;

  qsort(t->lat, n, sizeof *t->lat, cmp_double);
  printf("end to end, sig_batch_parallel_min %u, sig_batch_wait_us %u: %zu partials from %u "
         "client threads (%s) in %.2f s: %zu accepted, %.0f accepted/s\n",
         t->parallel_min, t->wait_us, n, nc, same ? "same process" : "generator process",
         (double)t->wall_us / 1e6, t->accepted, tally_rate(t));
  printf("  latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", t->lat[n / 2],
         t->lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], t->lat[n - 1]);
  for (int c = 1; c < 20; c++)
    if (t->codes[c])
      printf("  error_code %d: %zu\n", c, t->codes[c]);
  if (t->transport)
    printf("  transport failures: %zu\n", t->transport);
  if (ext) {
    /* the server is elsewhere: its CPU is not ours to read */
  } else if (same) {
    printf("  CPU (server + generator threads): %.2f s, %.3f s per 1,000 partials, "
           "%.0f partials per CPU-second\n", t->srv_cpu, t->srv_cpu * 1000.0 / (double)n,
           t->srv_cpu > 0 ? (double)t->accepted / t->srv_cpu : 0);
  } else {
    printf("  server CPU %.2f s: %.3f CPU-s per 1,000 partials, %.0f accepted per server "
           "CPU-second; generator CPU %.2f s (%.3f per 1,000)\n", t->srv_cpu,
           t->srv_cpu * 1000.0 / (double)n,
           t->srv_cpu > 0 ? (double)t->accepted / t->srv_cpu : 0, t->gen_cpu,
           t->gen_cpu * 1000.0 / (double)n);
  }
  if (!ext)
    printf("  signature batches %llu for %llu items (mean %.1f, waited %llu); context "
           "switches per partial %.1f voluntary, %.1f preempted\n",
           (unsigned long long)t->batches, (unsigned long long)t->sig_items,
           t->batches ? (double)t->sig_items / (double)t->batches : 0,
           (unsigned long long)t->waits, (double)t->vcsw / (double)n,
           (double)t->ivcsw / (double)n);
}

static struct pool_server *start_server(const char *dir, struct chain *chain,
                                        const struct knobs *k)
{
  struct pool_config cfg;
  struct pool_server_options o;
  struct pool_server *srv = NULL;
  char err[256];

  config_defaults(&cfg);
  if (config_parse(&cfg, bench_cfg, sizeof bench_cfg - 1, err, sizeof err)) {
    fprintf(stderr, "config: %s\n", err);
    return NULL;
  }
  /* the generator is one IP: the per-IP cap must admit all its clients */
  cfg.max_conn_per_ip = k->max_conn_per_ip;
  cfg.worker_threads = k->worker_threads;
  cfg.http_threads = k->http_threads;
  cfg.sig_batch_wait_us = k->batch_wait_us;
  if (k->parallel_min)
    cfg.sig_batch_parallel_min = k->parallel_min;
  memset(&o, 0, sizeof o);
  o.data_dir = dir;
  o.chain = chain;
  o.host = "127.0.0.1";
  o.has_port = 1;
  o.no_background = 1;
  if (pool_server_start(&cfg, &o, &srv, err, sizeof err)) {
    fprintf(stderr, "start: %s\n", err);
    return NULL;
  }
  return srv;
}

#define MAX_COMPARE 8

int main(int argc, char **argv)
{
  unsigned nf, per, nc, rounds = 1;
  const char *ext, *cmp;
  int same = opt_has(argc, argv, "--same-process");
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const struct chia_consts *net = consts_get("simulator");
  size_t n, ok1 = 0, okn = 0, nt = 1, nchunks, at = 0, all_accepted = 0;
  struct tf_farmer *farmers;
  struct item *items;
  struct pool_server *srv = NULL;
  struct chain fake = { &tf_chain_ops, NULL };
  struct knobs k;
  struct tally tl[MAX_COMPARE];
  double floor1 = 0, floorn = 0, cpu1 = 0, cpun = 0;
  char dir[64] = "", url[256], self[1024];
  uint64_t t0, token = token_current(clock_unix_s(), 5);
  ssize_t sl;

  if (argc > 1 && !strcmp(argv[1], "--client"))
    return client_mode(argc, argv);
  nf = opt_u(argc, argv, "--farmers", 4, 1);
  per = opt_u(argc, argv, "--per-farmer", 250, 1);
  nc = opt_u(argc, argv, "--clients", 8, 1);
  ext = opt_s(argc, argv, "--url");
  k.max_conn_per_ip = opt_u(argc, argv, "--max-conn-per-ip", nc + 16, 0);
  k.worker_threads = opt_u(argc, argv, "--worker-threads", 0, 0);
  k.http_threads = opt_u(argc, argv, "--http-threads", 0, 0);
  k.batch_wait_us = opt_u(argc, argv, "--sig-batch-wait-us", 0, 0);
  k.parallel_min = opt_u(argc, argv, "--sig-batch-parallel-min", 0, 0);
  n = (size_t)nf * per;
  memset(tl, 0, sizeof tl);
  cmp = opt_s(argc, argv, "--compare");
  if (cmp) {
    nt = parse_compare(cmp, tl, MAX_COMPARE);
    rounds = opt_u(argc, argv, "--rounds", 3, 1);
    if (!nt || ext) {
      fprintf(stderr, "bench_partials: --compare P:W[,P:W...] (at most %d, not with --url)\n",
              MAX_COMPARE);
      return 2;
    }
  }
  nchunks = (size_t)rounds * nt;
  if (n < nchunks) {
    fprintf(stderr, "bench_partials: fewer partials than rounds x settings\n");
    return 2;
  }
  farmers = calloc(nf, sizeof *farmers);
  items = calloc(n, sizeof *items);
  for (size_t i = 0; i < nt; i++)
    tl[i].lat = calloc(n, sizeof *tl[i].lat);
  if (!farmers || !items || !tl[nt - 1].lat)
    return 1;
  sl = readlink("/proc/self/exe", self, sizeof self - 1);
  if (sl <= 0)
    return 1;
  self[sl] = 0;
  /* line by line, so a profiler can attach once setup is printed */
  setvbuf(stdout, NULL, _IOLBF, 0);
  log_set_level(LOG_ERROR);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (cores < 1)
    cores = 1;

  snprintf(dir, sizeof dir, "/tmp/cp_bench_XXXXXX");
  if (!mkdtemp(dir))
    return 1;
  if (!ext) {
    srv = start_server(dir, &fake, &k);
    if (!srv)
      return 1;
    snprintf(url, sizeof url, "http://127.0.0.1:%u/partial", (unsigned)pool_server_port(srv));
  } else {
    snprintf(url, sizeof url, "%s/partial", ext);
  }
  if (!cmp) {
    tl[0].parallel_min = srv ? pool_server_config(srv)->sig_batch_parallel_min : 0;
    tl[0].wait_us = srv ? pool_server_config(srv)->sig_batch_wait_us : 0;
  }

  /* farmers, plots and partials, all before the clock starts */
  t0 = clock_mono_ms();
  for (unsigned f = 0; f < nf; f++) {
    if (tf_farmer_init(&farmers[f], 1000 + f)) {
      fprintf(stderr, "farmer %u: plot failed\n", f);
      return 1;
    }
    if (srv && tf_store_add(pool_server_store(srv), &farmers[f], 1)) {
      fprintf(stderr, "farmer %u: store failed\n", f);
      return 1;
    }
    for (unsigned i = 0; i < per; i++) {
      struct item *it = &items[(size_t)i * nf + f]; /* interleave farmers */
      struct chia_pos pos;
      uint8_t sp[32];
      it->req = malloc(sizeof *it->req);
      it->auth_pk = farmers[f].auth_pk.bytes;
      if (!it->req || tf_find_proof(&farmers[f], net, sp, &pos) ||
          tf_partial(&farmers[f], &pos, sp, token, it->req) ||
          tf_partial_json(it->req, &it->json)) {
        fprintf(stderr, "farmer %u: partial %u failed\n", f, i);
        return 1;
      }
    }
    /* the plot is no longer needed: keep it out of the RSS figure */
    tf_farmer_free(&farmers[f]);
  }
  printf("setup: %u farmers x %u partials (k=18, real proofs and signatures) in %.1f s\n",
         nf, per, (double)(clock_mono_ms() - t0) / 1000.0);
  printf("server: %s, max_conn_per_ip %u, worker_threads %u, http_threads %u "
         "(0 = default)%s\n", ext ? ext : "in this process", k.max_conn_per_ip,
         k.worker_threads, k.http_threads,
         cmp ? "; settings alternate chunk by chunk, in reversed order every other round" : "");

  /* end to end over HTTP, chunk by chunk when comparing settings, so
   * every setting sees the same machine load */
  for (size_t c = 0; c < nchunks; c++) {
    size_t r = c / nt, j = c % nt, len = n / nchunks + (c < n % nchunks);
    struct tally *t = &tl[r % 2 ? nt - 1 - j : j];
    if (cmp)
      partials_set_sig_tuning(pool_server_partials(srv), t->parallel_min, t->wait_us);
    if (run_chunk(self, dir, url, items + at, len, nc, same, srv, t)) {
      fprintf(stderr, "bench_partials: the generator process failed\n");
      return 1;
    }
    at += len;
  }
  for (size_t i = 0; i < nt; i++) {
    tally_print(&tl[i], nc, same, ext != NULL);
    all_accepted += tl[i].accepted;
  }
  if (srv) {
    struct partials_stats st;
    partials_stats(pool_server_partials(srv), &st);
    printf("all settings: largest signature batch %llu, fallbacks %llu; key cache %llu hits, "
           "%llu misses\n", (unsigned long long)st.sig_max_batch,
           (unsigned long long)st.sig_fallbacks, (unsigned long long)st.key_hits,
           (unsigned long long)st.key_misses);
  }
  printf("RSS %ld KiB (peak %ld KiB, includes setup) of %s, plots freed\n",
         rss_kib("VmRSS"), rss_kib("VmHWM"),
         same ? "server + generator" : ext ? "the generator" : "the server process");

  /* the floor on the same partials */
  if (!opt_has(argc, argv, "--no-floor")) {
    floor1 = floor_rate(items, n, 1, &ok1, &cpu1);
    floorn = floor_rate(items, n, (unsigned)cores, &okn, &cpun);
    printf("naive BLS floor (decode + subgroup checks + aggregate_verify per partial): "
           "%.0f/s on 1 thread, %.0f/s on %ld threads (%zu/%zu verified); "
           "%.0f and %.0f per CPU-second\n",
           floor1, floorn, cores, okn, n, cpu1, cpun);
    for (size_t i = 0; i < nt; i++) {
      double e2e = tally_rate(&tl[i]);
      printf("ratios (%u:%u): end to end / naive floor %.2f (1 thread), %.2f (%ld threads)",
             tl[i].parallel_min, tl[i].wait_us, floor1 ? e2e / floor1 : 0,
             floorn ? e2e / floorn : 0, cores);
      if (srv && !same && tl[i].srv_cpu > 0 && cpu1 > 0)
        printf("; per CPU-second, server / naive floor %.2f",
               (double)tl[i].accepted / tl[i].srv_cpu / cpu1);
      printf("\n");
    }
  }

  pool_server_stop(srv);
  for (size_t i = 0; i < n; i++) {
    free(items[i].req);
    free(items[i].json);
  }
  free(items);
  free(farmers);
  for (size_t i = 0; i < nt; i++)
    free(tl[i].lat);
  curl_global_cleanup();
  {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
      return 1;
  }
  return all_accepted == n ? 0 : 1;
}
