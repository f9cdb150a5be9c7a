/* Scale-out end to end: two `chiapool serve` processes on one PostgreSQL
 * database. Both serve the pool API from the shared state; exactly one
 * holds the leader lease (the gauge chiapool_leader in /metrics); after a
 * kill -9 of the leader the other takes over within a few seconds, and a
 * restarted process comes back as a follower. Skipped when
 * CHIAPOOL_PG_DSN is unset (point it at a throwaway database: its public
 * schema is dropped). */
#include "testutil.h"
#include "testfarmer.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <curl/curl.h>

#include "util/clock.h"

#define TAKEOVER_MAX_MS 10000 /* leader check is every second */

static char dir[64];
static const char *dsn;

/* Starts `chiapool serve` on a free port; returns the pid and the port from
 * its "listening" line. */
static pid_t start(const char *config, const char *tag, uint16_t *port)
{
  char cfg[256], errp[256];
  pid_t pid;
  snprintf(cfg, sizeof cfg, "%s/%s", dir, config);
  snprintf(errp, sizeof errp, "%s/stderr-%s.txt", dir, tag);
  unlink(errp);
  pid = tv_serve_spawn(cfg, dir, errp, 30000, port, NULL);
  assert_true(*port > 0);
  return pid;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  char *b = ud;
  size_t len = size * n, have = strlen(b), room = 16383 - have;
  memcpy(b + have, p, len < room ? len : room);
  b[have + (len < room ? len : room)] = 0;
  return len;
}

static long http_get(uint16_t port, const char *path, char out[16384])
{
  CURL *h = curl_easy_init();
  char url[256];
  long status = 0;

  out[0] = 0;
  snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
  assert_int_equal(curl_easy_perform(h), CURLE_OK);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  return status;
}

/* 1 or 0 from the front end's chiapool_leader gauge. */
static int leader_of(uint16_t port)
{
  char out[16384];
  assert_int_equal(http_get(port, "/metrics", out), 200);
  if (strstr(out, "\nchiapool_leader 1\n"))
    return 1;
  if (!strstr(out, "\nchiapool_leader 0\n"))
    fail_msg("no chiapool_leader gauge in /metrics");
  return 0;
}

static int stop(pid_t pid)
{
  int st = 0;
  assert_int_equal(kill(pid, SIGTERM), 0);
  for (int i = 0; i < 300; i++) {
    if (waitpid(pid, &st, WNOHANG) == pid)
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    usleep(100000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  fail_msg("chiapool serve did not stop within 30 s of SIGTERM");
  return -1;
}

static void pg_reset(void)
{
  PGconn *pg = PQconnectdb(dsn);
  PGresult *res;
  assert_int_equal(PQstatus(pg), CONNECTION_OK);
  res = PQexec(pg, "SET client_min_messages = warning;"
                   "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
  assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  PQfinish(pg);
}

static void test_two_front_ends(void **state)
{
  struct store_options so = { .backend = STORE_BACKEND_PG };
  struct store *st = NULL;
  struct tf_farmer f;
  char cfg[1024], out[16384];
  uint16_t pa, pb, pc;
  pid_t a, b, c;
  uint64_t t0, waited;
  int st_a = 0;
  FILE *fp;
  (void)state;

  dsn = getenv("CHIAPOOL_PG_DSN");
  if (!dsn || !*dsn) {
    print_message("CHIAPOOL_PG_DSN not set: skipping PostgreSQL scale-out test\n");
    skip();
  }
  pg_reset();
  /* a member farmer, written by neither front end */
  so.path = dsn;
  assert_int_equal(store_open(&so, &st), CP_OK);
  assert_int_equal(tf_farmer_init(&f, 11), CP_OK);
  assert_int_equal(tf_store_add(st, &f, 1), CP_OK);
  store_close(st);
  tf_farmer_free(&f);

  snprintf(cfg, sizeof cfg, "%s/pool.yaml", dir);
  fp = fopen(cfg, "w");
  assert_non_null(fp);
  fprintf(fp,
          "pool_info:\n  name: \"Scale Pool\"\n"
          "network: simulator\ntest_mode: true\n"
          "chia_root: \"no-such-chia-root\"\n"
          "node_rpc_host: \"127.0.0.1\"\nnode_rpc_port: 1\n"
          "store:\n  backend: postgres\n  dsn: \"%s\"\n"
          "logging:\n  log_level: \"info\"\n", dsn);
  fclose(fp);

  a = start("pool.yaml", "a", &pa);
  b = start("pool.yaml", "b", &pb);

  /* both serve from the shared state */
  assert_int_equal(http_get(pa, "/pool_info", out), 200);
  assert_non_null(strstr(out, "\"name\":\"Scale Pool\""));
  assert_int_equal(http_get(pb, "/pool_info", out), 200);
  assert_non_null(strstr(out, "\"name\":\"Scale Pool\""));
  assert_int_equal(http_get(pa, "/api/pool", out), 200);
  assert_non_null(strstr(out, "\"members\":1"));
  assert_int_equal(http_get(pb, "/api/pool", out), 200);
  assert_non_null(strstr(out, "\"members\":1"));

  /* A started first and leads at once; B follows */
  assert_int_equal(leader_of(pa), 1);
  assert_int_equal(leader_of(pb), 0);

  /* kill -9: no shutdown path runs; the server ends A's session */
  assert_int_equal(kill(a, SIGKILL), 0);
  assert_int_equal(waitpid(a, &st_a, 0), a);
  assert_true(WIFSIGNALED(st_a) && WTERMSIG(st_a) == SIGKILL);
  t0 = clock_mono_ms();
  while (!leader_of(pb)) {
    if (clock_mono_ms() - t0 > TAKEOVER_MAX_MS)
      fail_msg("follower did not take over within %d ms", TAKEOVER_MAX_MS);
    usleep(100000);
  }
  waited = clock_mono_ms() - t0;
  print_message("takeover after %llu ms\n", (unsigned long long)waited);
  assert_true(waited <= TAKEOVER_MAX_MS);

  /* a restarted front end joins as a follower; B keeps leading */
  c = start("pool.yaml", "c", &pc);
  assert_int_equal(leader_of(pc), 0);
  usleep(1500000); /* more than one lease check */
  assert_int_equal(leader_of(pc), 0);
  assert_int_equal(leader_of(pb), 1);
  assert_int_equal(http_get(pc, "/api/pool", out), 200);
  assert_non_null(strstr(out, "\"members\":1"));

  /* graceful stop of the leader hands over too */
  assert_int_equal(stop(b), 0);
  t0 = clock_mono_ms();
  while (!leader_of(pc)) {
    if (clock_mono_ms() - t0 > TAKEOVER_MAX_MS)
      fail_msg("follower did not take over after SIGTERM");
    usleep(100000);
  }
  assert_int_equal(stop(c), 0);
}

static int setup(void **state)
{
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/cp_scale_XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return 0;
}

static int teardown(void **state)
{
  char cmd[128];
  (void)state;
  curl_global_cleanup();
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_two_front_ends),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
