#include "testutil.h"

#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "http/ratelimit.h"

static struct sockaddr_storage v4(const char *ip)
{
  struct sockaddr_storage ss;
  struct sockaddr_in *a = (struct sockaddr_in *)&ss;
  memset(&ss, 0, sizeof ss);
  a->sin_family = AF_INET;
  assert_int_equal(inet_pton(AF_INET, ip, &a->sin_addr), 1);
  return ss;
}

static struct sockaddr_storage v6(const char *ip)
{
  struct sockaddr_storage ss;
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
  memset(&ss, 0, sizeof ss);
  a->sin6_family = AF_INET6;
  assert_int_equal(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
  return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static void test_bucket(void **state)
{
  struct ratelimit *rl;
  struct sockaddr_storage a = v4("10.0.0.1"), b = v4("10.0.0.2");
  uint32_t wait;
  (void)state;

  assert_int_equal(ratelimit_new(0, 1, 1, &rl), CP_INVAL);
  assert_int_equal(ratelimit_new(2, 3, 16, &rl), CP_OK);
  /* burst of 3, then empty */
  for (int i = 0; i < 3; i++)
    assert_true(ratelimit_take(rl, SA(a), 1000, &wait));
  assert_false(ratelimit_take(rl, SA(a), 1000, &wait));
  assert_int_equal(wait, 1);
  /* other clients are independent */
  assert_true(ratelimit_take(rl, SA(b), 1000, NULL));
  /* 2 per second: one token after 500 ms, not before */
  assert_false(ratelimit_take(rl, SA(a), 1499, NULL));
  assert_true(ratelimit_take(rl, SA(a), 1500, NULL));
  assert_false(ratelimit_take(rl, SA(a), 1500, NULL));
  /* a long idle refills only up to the burst */
  for (int i = 0; i < 3; i++)
    assert_true(ratelimit_take(rl, SA(a), 100000, NULL));
  assert_false(ratelimit_take(rl, SA(a), 100000, NULL));
  /* a clock that steps back does not mint tokens */
  assert_false(ratelimit_take(rl, SA(a), 50, NULL));
  assert_int_equal(ratelimit_clients(rl), 2);
  ratelimit_free(rl);
}

static void test_keys(void **state)
{
  struct ratelimit *rl;
  struct sockaddr_storage p1 = v6("2001:db8:1:2::1"), p2 = v6("2001:db8:1:2:ffff::9");
  struct sockaddr_storage other = v6("2001:db8:1:3::1");
  struct sockaddr_storage mapped = v6("::ffff:10.0.0.7"), plain = v4("10.0.0.7");
  struct sockaddr unix_sa = { .sa_family = AF_UNIX };
  (void)state;

  assert_int_equal(ratelimit_new(1, 1, 16, &rl), CP_OK);
  /* one /64 is one client */
  assert_true(ratelimit_take(rl, SA(p1), 0, NULL));
  assert_false(ratelimit_take(rl, SA(p2), 0, NULL));
  assert_true(ratelimit_take(rl, SA(other), 0, NULL));
  /* IPv4-mapped IPv6 is the IPv4 client */
  assert_true(ratelimit_take(rl, SA(mapped), 0, NULL));
  assert_false(ratelimit_take(rl, SA(plain), 0, NULL));
  /* non-IP peers are not limited */
  assert_true(ratelimit_take(rl, &unix_sa, 0, NULL));
  assert_true(ratelimit_take(rl, &unix_sa, 0, NULL));
  assert_int_equal(ratelimit_clients(rl), 3);
  ratelimit_free(rl);
}

static void test_table_full(void **state)
{
  struct ratelimit *rl;
  char ip[32];
  struct sockaddr_storage a;
  (void)state;

  assert_int_equal(ratelimit_new(1, 1, 4, &rl), CP_OK);
  for (int i = 0; i < 4; i++) {
    snprintf(ip, sizeof ip, "10.1.0.%d", i);
    a = v4(ip);
    assert_true(ratelimit_take(rl, SA(a), 0, NULL));
  }
  assert_int_equal(ratelimit_clients(rl), 4);
  /* full and nothing refilled: a new client passes untracked */
  a = v4("10.2.0.1");
  assert_true(ratelimit_take(rl, SA(a), 0, NULL));
  assert_true(ratelimit_take(rl, SA(a), 0, NULL));
  assert_int_equal(ratelimit_clients(rl), 4);
  /* a second later every bucket is full again: swept, new client tracked */
  assert_true(ratelimit_take(rl, SA(a), 1000, NULL));
  assert_false(ratelimit_take(rl, SA(a), 1000, NULL));
  assert_int_equal(ratelimit_clients(rl), 1);
  ratelimit_free(rl);
}

/* Arbitrary keys (launcher ids): separate buckets, refill with time. */
static void test_take_key(void **state)
{
  struct ratelimit *rl;
  uint8_t a[32], b[32];
  uint32_t retry = 0;
  (void)state;
  memset(a, 0xaa, 32);
  memset(b, 0xaa, 32);
  b[15] = 0; /* differs within the first 16 bytes: another bucket */
  assert_int_equal(ratelimit_new(2, 3, 16, &rl), CP_OK);
  for (int i = 0; i < 3; i++)
    assert_true(ratelimit_take_key(rl, a, 32, 1000, NULL));
  assert_false(ratelimit_take_key(rl, a, 32, 1000, &retry));
  assert_int_equal(retry, 1);
  assert_true(ratelimit_take_key(rl, b, 32, 1000, NULL));
  /* half a second at 2/s gives one token back */
  assert_true(ratelimit_take_key(rl, a, 32, 1500, NULL));
  assert_false(ratelimit_take_key(rl, a, 32, 1500, NULL));
  assert_int_equal(ratelimit_clients(rl), 2);
  ratelimit_free(rl);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_take_key),
    cmocka_unit_test(test_bucket),
    cmocka_unit_test(test_keys),
    cmocka_unit_test(test_table_full),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
