#include "testutil.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/hex.h"

json_t *tv_load(const char *name)
{
  char path[1024];
  json_error_t err;
  json_t *j;

  snprintf(path, sizeof path, "%s/%s", CHIAPOOL_VECTORS_DIR, name);
  j = json_load_file(path, JSON_DECODE_ANY, &err);
  if (!j)
    fail_msg("cannot load %s: %s (line %d)", path, err.text, err.line);
  return j;
}

json_t *tv_get(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  if (!v)
    fail_msg("vector lacks key '%s'", key);
  return v;
}

const char *tv_str(json_t *obj, const char *key)
{
  json_t *v = tv_get(obj, key);
  if (!json_is_string(v))
    fail_msg("vector key '%s' is not a string", key);
  return json_string_value(v);
}

uint8_t *tv_hex(json_t *obj, const char *key, size_t *n)
{
  const char *s = tv_str(obj, key);
  size_t len = strlen(s);
  uint8_t *out = malloc(len / 2 + 1);
  assert_non_null(out);
  if (hex_decode(out, len / 2 + 1, n, s, len))
    fail_msg("vector key '%s' is not hex", key);
  return out;
}

void tv_hex_exact(json_t *obj, const char *key, uint8_t *out, size_t n)
{
  const char *s = tv_str(obj, key);
  if (hex_decode_exact(out, n, s, strlen(s)))
    fail_msg("vector key '%s' is not %zu bytes of hex", key, n);
}

void tv_assert_hex(const uint8_t *got, size_t n, const char *hex)
{
  char *enc = malloc(2 * n + 1);
  assert_non_null(enc);
  hex_encode(enc, got, n);
  if (hex[0] == '0' && hex[1] == 'x')
    hex += 2;
  assert_string_equal(enc, hex);
  free(enc);
}

json_t *tv_array(json_t *obj, const char *key)
{
  json_t *g = tv_get(obj, key);
  assert_true(json_is_array(g));
  assert_true(json_array_size(g) > 0);
  return g;
}

size_t tv_unhex(const char *hex, uint8_t *out, size_t cap)
{
  size_t n;
  assert_int_equal(hex_decode(out, cap, &n, hex, strlen(hex)), CP_OK);
  return n;
}

void tv_unhex_exact(const char *hex, uint8_t *out, size_t n)
{
  assert_int_equal(hex_decode_exact(out, n, hex, strlen(hex)), CP_OK);
}

uint64_t tv_rng_next(uint64_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

int tv_run(const char *args, char *out, size_t cap, char *err, size_t errcap)
{
  char cmd[4096], errfile[] = "/tmp/chiapool_test_XXXXXX";
  size_t n = 0, r;
  FILE *f;
  int st, fd;

  int merge = err == out;

  fd = mkstemp(errfile);
  assert_true(fd >= 0);
  if (snprintf(cmd, sizeof cmd, "%s %s 2>%s", CHIAPOOL_BINARY, args,
               merge ? "&1" : errfile) >= (int)sizeof cmd)
    fail_msg("command too long: %s", args);
  f = popen(cmd, "r");
  assert_non_null(f);
  while (n + 1 < cap && (r = fread(out + n, 1, cap - 1 - n, f)) > 0)
    n += r;
  out[n] = 0;
  st = pclose(f);
  f = fdopen(fd, "r");
  assert_non_null(f);
  if (err && errcap && !merge) {
    err[0] = 0;
    if (!fgets(err, (int)errcap, f))
      err[0] = 0;
  }
  fclose(f);
  unlink(errfile);
  assert_true(WIFEXITED(st));
  return WEXITSTATUS(st);
}

pid_t tv_serve_spawn(const char *cfg, const char *dir, const char *errlog, int timeout_ms,
                     uint16_t *port, int *out_fd)
{
  int fds[2] = { -1, -1 }, null_fd = open("/dev/null", O_WRONLY);
  int err_fd = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
  char line[512];
  size_t n = 0;
  pid_t pid;

  assert_true(null_fd >= 0 && err_fd >= 0);
  if (port)
    assert_int_equal(pipe(fds), 0);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(port ? fds[1] : null_fd, 1);
    dup2(err_fd, 2);
    if (port)
      close(fds[0]);
    execl(CHIAPOOL_BINARY, CHIAPOOL_BINARY, "serve", "--config", cfg, "--data-dir", dir,
          "--host", "127.0.0.1", "--port", "0", (char *)NULL);
    _exit(127);
  }
  close(null_fd);
  close(err_fd);
  if (!port)
    return pid;
  close(fds[1]);
  *port = 0;
  for (;;) {
    struct pollfd p = { fds[0], POLLIN, 0 };
    const char *at;
    ssize_t got;
    if (poll(&p, 1, timeout_ms) <= 0)
      break;
    got = read(fds[0], line + n, sizeof line - 1 - n);
    if (got <= 0)
      break;
    n += (size_t)got;
    line[n] = 0;
    at = strstr(line, "127.0.0.1:");
    if (at && strchr(at, '\n')) {
      unsigned v = 0;
      for (at += 10; *at >= '0' && *at <= '9'; at++)
        v = v * 10 + (unsigned)(*at - '0');
      *port = (uint16_t)v;
      break;
    }
  }
  if (out_fd)
    *out_fd = fds[0];
  else
    close(fds[0]);
  return pid;
}
