/* Shared helpers for cmocka tests: vector files, hex. */
#ifndef CP_TESTUTIL_H
#define CP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>
#include <jansson.h>

/* Load tests/vectors/<name>; fails the test if missing or malformed. */
json_t *tv_load(const char *name);
/* Object member that must exist (fails the test otherwise). */
json_t *tv_get(json_t *obj, const char *key);
const char *tv_str(json_t *obj, const char *key);
/* Decode hex member into a malloc'd buffer; *n gets its length. */
uint8_t *tv_hex(json_t *obj, const char *key, size_t *n);
/* Decode hex member of exactly n bytes into out. */
void tv_hex_exact(json_t *obj, const char *key, uint8_t *out, size_t n);
/* Run the chiapool binary with `args` (passed through the shell: keep them
 * shell-safe). stdout goes into out (NUL-terminated, at most cap-1 bytes),
 * the first stderr line into err (may be NULL; err == out merges stderr
 * into out). Fails the test unless the
 * process exits normally; returns its exit code. */
int tv_run(const char *args, char *out, size_t cap, char *err, size_t errcap);
/* Start `chiapool serve --config cfg --data-dir dir` on 127.0.0.1 and an
 * ephemeral port, stderr appended to errlog. With port != NULL, waits up
 * to timeout_ms for its "listening" line (*port = 0 if none came); stdout
 * then stays readable at *out_fd when out_fd != NULL, else is closed.
 * Without port, stdout goes to /dev/null. Only async-signal-safe calls
 * run between fork and exec, so a caller with threads may use it. */
pid_t tv_serve_spawn(const char *cfg, const char *dir, const char *errlog, int timeout_ms,
                     uint16_t *port, int *out_fd);
/* Assert memory equals the hex string. */
void tv_assert_hex(const uint8_t *got, size_t n, const char *hex);
/* Member that must be a non-empty array (a vector group). */
json_t *tv_array(json_t *obj, const char *key);
/* Decode a hex string of at most cap bytes into out; returns its length.
 * Fails the test on bad hex. */
size_t tv_unhex(const char *hex, uint8_t *out, size_t cap);
/* Decode a hex string of exactly n bytes into out. */
void tv_unhex_exact(const char *hex, uint8_t *out, size_t n);
/* xorshift64 step: deterministic pseudo-random input, so a failure
 * reproduces from its seed. *s must not be 0. */
uint64_t tv_rng_next(uint64_t *s);

/* Group fixtures for a test file whose tests read one vector file through
 * a file-level json_t pointer: defines static setup() and teardown() for
 * cmocka_run_group_tests that load tests/vectors/<file> into var and
 * release it. */
#define TV_VECTOR_FIXTURES(var, file)                                         \
  static json_t *var;                                                         \
  static int setup(void **state)                                              \
  {                                                                           \
    (void)state;                                                              \
    var = tv_load(file);                                                      \
    return 0;                                                                 \
  }                                                                           \
  static int teardown(void **state)                                           \
  {                                                                           \
    (void)state;                                                              \
    json_decref(var);                                                         \
    return 0;                                                                 \
  }

#endif
