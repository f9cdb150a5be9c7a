/* `chiapool serve` end to end: the real binary with a config file and no
 * full node. It must serve /pool_info, answer partials it cannot check
 * with the right protocol code, stop cleanly on SIGTERM (exit 0), and
 * refuse a bad config with exit 1 and a message naming the key. */
#include "testutil.h"
#include "testfarmer.h"
#include "testtls.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <curl/curl.h>

#include "pool/token.h"

static char dir[64];
static struct testtls certs;
static const char *ca_file; /* https: trust this CA */

static void write_file(const char *name, const char *text)
{
  char path[256];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  fclose(f);
}

/* Start `chiapool serve`; returns the pid, port from its "listening" line. */
static pid_t start(const char *config, uint16_t *port, int *out_fd)
{
  char cfg[256], errp[256];
  snprintf(cfg, sizeof cfg, "%s/%s", dir, config);
  snprintf(errp, sizeof errp, "%s/stderr.txt", dir);
  unlink(errp); /* one log per start */
  return tv_serve_spawn(cfg, dir, errp, 30000, port, out_fd);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  char *b = ud;
  size_t len = size * n, have = strlen(b), room = 8191 - have;
  memcpy(b + have, p, len < room ? len : room);
  b[have + (len < room ? len : room)] = 0;
  return len;
}

static long http(uint16_t port, const char *path, const char *body, char out[8192])
{
  CURL *h = curl_easy_init();
  char url[256];
  long status = 0;

  out[0] = 0;
  snprintf(url, sizeof url, "%s://127.0.0.1:%u%s", ca_file ? "https" : "http",
           (unsigned)port, path);
  if (ca_file) {
    curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
  if (body)
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  assert_int_equal(curl_easy_perform(h), CURLE_OK);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  return status;
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

static const char good_cfg[] =
  "pool_info:\n"
  "  name: \"E2E Pool\"\n"
  "network: simulator\n"
  "test_mode: true\n"
  "chia_root: \"no-such-chia-root\"\n"
  "node_rpc_host: \"127.0.0.1\"\n"
  "node_rpc_port: 1\n"
  "store:\n"
  "  path: \"pool.sqlite\"\n"
  "logging:\n"
  "  log_level: \"warn\"\n";

static void test_serve_without_node(void **state)
{
  struct tf_farmer f, stranger;
  struct store_options so = { 0 };
  struct store *st = NULL;
  struct chia_partial_request *pr = malloc(sizeof *pr);
  struct chia_pos pos;
  char path[256], out[8192], *json = NULL;
  uint8_t sp[32];
  uint16_t port;
  pid_t pid;
  int fd;
  (void)state;

  /* a member farmer in the store before the server starts */
  snprintf(path, sizeof path, "%s/pool.sqlite", dir);
  so.path = path;
  assert_int_equal(store_open(&so, &st), CP_OK);
  assert_int_equal(tf_farmer_init(&f, 7), CP_OK);
  assert_int_equal(tf_store_add(st, &f, 1), CP_OK);
  store_close(st);

  write_file("pool.yaml", good_cfg);
  pid = start("pool.yaml", &port, &fd);
  assert_true(port > 0);

  assert_int_equal(http(port, "/pool_info", NULL, out), 200);
  assert_non_null(strstr(out, "\"name\":\"E2E Pool\""));
  assert_non_null(strstr(out, "\"protocol_version\":1"));
  assert_non_null(strstr(out, "\"fee\":\"0.01\""));

  /* signed partial of a known farmer: the signage point cannot be looked
   * up without a node -> NOT_FOUND (3), not a crash or a hang */
  assert_int_equal(tf_find_proof(&f, consts_get("simulator"), sp, &pos), CP_OK);
  assert_int_equal(tf_partial(&f, &pos, sp, token_current(clock_unix_s(), 5), pr), CP_OK);
  assert_int_equal(tf_partial_json(pr, &json), CP_OK);
  assert_int_equal(http(port, "/partial", json, out), 200);
  if (!strstr(out, "\"error_code\":3"))
    fail_msg("want error 3, got %s", out);
  free(json);

  /* unknown farmer -> 10; garbage -> 8 */
  stranger = f;
  stranger.launcher_id[3] ^= 0x40;
  assert_int_equal(tf_partial(&stranger, &pos, sp, token_current(clock_unix_s(), 5), pr),
                   CP_OK);
  assert_int_equal(tf_partial_json(pr, &json), CP_OK);
  assert_int_equal(http(port, "/partial", json, out), 200);
  assert_non_null(strstr(out, "\"error_code\":10"));
  free(json);
  assert_int_equal(http(port, "/partial", "{{{", out), 200);
  assert_non_null(strstr(out, "\"error_code\":8"));
  assert_int_equal(http(port, "/api/pool", NULL, out), 200);
  assert_non_null(strstr(out, "\"members\":1"));

  assert_int_equal(stop(pid), 0);
  close(fd);
  tf_farmer_free(&f);
  free(pr);
}

/* server_use_ssl: HTTPS with the configured certificate, same API */
static void test_serve_tls(void **state)
{
  char cfg[2048], crt[512], key[512], ca[512], out[8192];
  uint16_t port;
  pid_t pid;
  int fd;
  (void)state;

  testtls_path(&certs, "config/ssl/daemon/private_daemon.crt", crt, sizeof crt);
  testtls_path(&certs, "config/ssl/daemon/private_daemon.key", key, sizeof key);
  testtls_path(&certs, "config/ssl/ca/private_ca.crt", ca, sizeof ca);
  snprintf(cfg, sizeof cfg,
           "pool_info:\n  name: \"TLS Pool\"\n"
           "chia_root: \"%s\"\nnode_rpc_host: \"127.0.0.1\"\nnode_rpc_port: 1\n"
           "server:\n  server_use_ssl: true\n  server_ssl_crt: \"%s\"\n"
           "  server_ssl_key: \"%s\"\n"
           "store:\n  path: \"tls.sqlite\"\nlogging:\n  log_level: \"warn\"\n",
           certs.root, crt, key);
  write_file("tls.yaml", cfg);
  pid = start("tls.yaml", &port, &fd);
  assert_true(port > 0);
  ca_file = ca;
  assert_int_equal(http(port, "/pool_info", NULL, out), 200);
  ca_file = NULL;
  assert_non_null(strstr(out, "\"name\":\"TLS Pool\""));
  assert_int_equal(stop(pid), 0);
  close(fd);
}

/* Exit code of `chiapool serve ARGS`, stderr into err. */
static int run(const char *args, char *err, size_t cap)
{
  char cmd[768], ep[256];
  FILE *f;
  size_t n;
  int st;

  snprintf(ep, sizeof ep, "%s/err.txt", dir);
  snprintf(cmd, sizeof cmd, "%s serve %s >/dev/null 2>%s", CHIAPOOL_BINARY, args, ep);
  st = system(cmd);
  f = fopen(ep, "r");
  assert_non_null(f);
  n = fread(err, 1, cap - 1, f);
  err[n] = 0;
  fclose(f);
  assert_true(WIFEXITED(st));
  return WEXITSTATUS(st);
}

static void test_bad_config(void **state)
{
  char args[512], err[1024];
  (void)state;

  write_file("bad1.yaml", "pool_fee: 2\n");
  snprintf(args, sizeof args, "--config %s/bad1.yaml", dir);
  assert_int_equal(run(args, err, sizeof err), 1);
  assert_non_null(strstr(err, "pool_fee"));
  /* one line */
  assert_true(strlen(err) > 0 && strchr(err, '\n') == err + strlen(err) - 1);

  write_file("bad2.yaml", "server:\n  server_prot: 80\n");
  snprintf(args, sizeof args, "--config %s/bad2.yaml", dir);
  assert_int_equal(run(args, err, sizeof err), 1);
  assert_non_null(strstr(err, "server_prot"));

  snprintf(args, sizeof args, "--config %s/missing.yaml", dir);
  assert_int_equal(run(args, err, sizeof err), 1);
  assert_non_null(strstr(err, "missing.yaml"));

  assert_int_equal(run("", err, sizeof err), 2);
  assert_non_null(strstr(err, "usage"));
}

static int setup(void **state)
{
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/cp_serve_XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return testtls_create(&certs) ? 0 : -1;
}

static int teardown(void **state)
{
  char cmd[128];
  (void)state;
  curl_global_cleanup();
  testtls_destroy(&certs);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_config),
    cmocka_unit_test(test_serve_without_node),
    cmocka_unit_test(test_serve_tls),
  };
  signal(SIGPIPE, SIG_IGN);
  return cmocka_run_group_tests(tests, setup, teardown);
}
