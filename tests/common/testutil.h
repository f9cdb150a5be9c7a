/* Shared helpers for cmocka tests: vector files, hex. */
#ifndef CP_TESTUTIL_H
#define CP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
/* Assert memory equals the hex string. */
void tv_assert_hex(const uint8_t *got, size_t n, const char *hex);

#endif
