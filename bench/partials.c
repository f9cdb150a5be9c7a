/* bench_partials: end-to-end POST /partial throughput against the naive
 * BLS floor.
 *
 *   bench_partials [--farmers N] [--per-farmer M] [--clients C] [--url URL]
 *
 * N farmers with real k=18 plots and Chia-style keys; M distinct valid
 * partials each, signed as the farmer signs them. By default the pool runs
 * in-process (pool_server_start, temporary SQLite store, a fake chain on
 * which every signage point exists, max_difficulty 1 so every proof stays
 * good enough); --url sends to a running server instead (its store must
 * know the farmers). C client threads post over keep-alive connections.
 *
 * Printed: accepted partials/s, p50/p99 latency, answers by code, process
 * RSS (server + clients, plots freed before sending), and for the same
 * partials the naive floor: one aggregate_verify per partial including key
 * and signature decoding with subgroup checks, on 1 thread and on every
 * core, so end-to-end / floor shows what the pipeline costs or saves. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>

#include "../tests/common/testfarmer.h"
#include "http/pool_server.h"
#include "pool/token.h"
#include "util/log.h"
#include "util/parse.h"

struct item {
  struct chia_partial_request *req;
  const uint8_t *auth_pk;   /* the farmer's stored authentication key */
  char *json;
  double latency_ms;
  int code;         /* 0 ok, protocol code, -1 transport */
};

struct client {
  pthread_t t;
  const char *url;
  struct item *items;
  size_t n;
};

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
    uint64_t t0 = clock_mono_ms();
    long status = 0;
    body[0] = 0;
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->items[i].json);
    if (curl_easy_perform(h) == CURLE_OK)
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    c->items[i].latency_ms = (double)(clock_mono_ms() - t0);
    c->items[i].code = status == 200 ? parse_code(body) : -1;
  }
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  return NULL;
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

static double floor_rate(struct item *items, size_t n, unsigned threads, size_t *ok)
{
  struct floor_job *jobs = calloc(threads, sizeof *jobs);
  uint64_t t0 = clock_mono_ms(), dt;
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
  dt = clock_mono_ms() - t0;
  free(jobs);
  return dt ? (double)n * 1000.0 / (double)dt : 0;
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

static unsigned opt_u(int argc, char **argv, const char *name, unsigned def)
{
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], name)) {
      uint64_t v;
      if (parse_u64_cstr(argv[i + 1], 1000000, &v) || !v) {
        fprintf(stderr, "bench_partials: %s needs a positive number\n", name);
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

int main(int argc, char **argv)
{
  unsigned nf = opt_u(argc, argv, "--farmers", 4);
  unsigned per = opt_u(argc, argv, "--per-farmer", 250);
  unsigned nc = opt_u(argc, argv, "--clients", 8);
  const char *ext = opt_s(argc, argv, "--url");
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const struct chia_consts *net = consts_get("simulator");
  size_t n = (size_t)nf * per, ok1 = 0, okn = 0, codes[20] = { 0 }, transport = 0;
  struct tf_farmer *farmers = calloc(nf, sizeof *farmers);
  struct item *items = calloc(n, sizeof *items);
  struct client *cl = calloc(nc, sizeof *cl);
  struct pool_server *srv = NULL;
  struct chain fake = { &tf_chain_ops, NULL };
  double *lat = calloc(n, sizeof *lat), floor1, floorn, e2e;
  char dir[64] = "", url[256], err[256];
  uint64_t t0, dt, token = token_current(clock_unix_s(), 5);
  size_t accepted = 0, at = 0;

  if (!farmers || !items || !cl || !lat)
    return 1;
  log_set_level(LOG_ERROR);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (cores < 1)
    cores = 1;

  if (!ext) {
    struct pool_config cfg;
    struct pool_server_options o;
    snprintf(dir, sizeof dir, "/tmp/cp_bench_XXXXXX");
    if (!mkdtemp(dir))
      return 1;
    config_defaults(&cfg);
    if (config_parse(&cfg, bench_cfg, sizeof bench_cfg - 1, err, sizeof err)) {
      fprintf(stderr, "config: %s\n", err);
      return 1;
    }
    memset(&o, 0, sizeof o);
    o.data_dir = dir;
    o.chain = &fake;
    o.host = "127.0.0.1";
    o.has_port = 1;
    o.no_background = 1;
    if (pool_server_start(&cfg, &o, &srv, err, sizeof err)) {
      fprintf(stderr, "start: %s\n", err);
      return 1;
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%u/partial", (unsigned)pool_server_port(srv));
  } else {
    snprintf(url, sizeof url, "%s/partial", ext);
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

  /* end to end over HTTP */
  t0 = clock_mono_ms();
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
  dt = clock_mono_ms() - t0;
  for (size_t i = 0; i < n; i++) {
    lat[i] = items[i].latency_ms;
    if (items[i].code == 0)
      accepted++;
    else if (items[i].code > 0 && items[i].code < 20)
      codes[items[i].code]++;
    else
      transport++;
  }
  qsort(lat, n, sizeof *lat, cmp_double);
  e2e = dt ? (double)accepted * 1000.0 / (double)dt : 0;
  printf("end to end: %zu partials from %u client threads in %.2f s: %zu accepted, "
         "%.0f accepted/s\n", n, nc, (double)dt / 1000.0, accepted, e2e);
  printf("  latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", lat[n / 2],
         lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], lat[n - 1]);
  for (int c = 1; c < 20; c++)
    if (codes[c])
      printf("  error_code %d: %zu\n", c, codes[c]);
  if (transport)
    printf("  transport failures: %zu\n", transport);
  printf("  process RSS %ld KiB (peak %ld KiB): server + %u clients, plots freed\n",
         rss_kib("VmRSS"), rss_kib("VmHWM"), nc);

  /* the floor on the same partials */
  floor1 = floor_rate(items, n, 1, &ok1);
  floorn = floor_rate(items, n, (unsigned)cores, &okn);
  printf("naive BLS floor (decode + subgroup checks + aggregate_verify per partial): "
         "%.0f/s on 1 thread, %.0f/s on %ld threads (%zu/%zu verified)\n",
         floor1, floorn, cores, okn, n);
  printf("ratio end to end / naive floor: %.2f (1 thread), %.2f (%ld threads)\n",
         floor1 ? e2e / floor1 : 0, floorn ? e2e / floorn : 0, cores);

  pool_server_stop(srv);
  for (size_t i = 0; i < n; i++) {
    free(items[i].req);
    free(items[i].json);
  }
  free(items);
  free(farmers);
  free(cl);
  free(lat);
  curl_global_cleanup();
  if (dir[0]) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
      return 1;
  }
  return accepted == n ? 0 : 1;
}
