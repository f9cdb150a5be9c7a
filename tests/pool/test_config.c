#include "testutil.h"

#include <string.h>

#include "pool/config.h"

static cp_err parse(struct pool_config *c, const char *y, char *err)
{
  config_defaults(c);
  return config_parse(c, y, strlen(y), err, 256);
}

static void test_defaults_and_empty(void **state)
{
  struct pool_config c;
  char err[256];
  (void)state;
  assert_int_equal(parse(&c, "", err), CP_OK);
  assert_string_equal(c.network, "simulator");
  assert_int_equal(c.pool_fee_ppm, 10000);
  assert_string_equal(c.pool_fee_text, "0.01");
  assert_int_equal(c.partial_time_limit, 25);
  assert_int_equal(c.partial_confirmation_delay, 300);
  assert_int_equal(c.difficulty_slow_after, 2700);
  assert_int_equal(c.difficulty_very_slow_after, 10800);
  assert_int_equal(c.max_additions_per_transaction, 400);
  assert_int_equal(c.authentication_token_timeout, 5);
  assert_false(c.have_default_target);
  assert_true(c.block_claim_fee == 0);
  /* the largest block_claim_fee: the smallest pool reward ever */
  assert_int_equal(parse(&c, "block_claim_fee: 109375000000\n", err), CP_OK);
  assert_true(c.block_claim_fee == 109375000000ull);
  /* HTTP and signature batching knobs */
  assert_int_equal(c.max_conn_per_ip, 50);
  assert_int_equal(c.max_connections, 1000);
  assert_int_equal(c.http_threads, 0);
  assert_int_equal(c.sig_batch_parallel_min, 8);
  assert_int_equal(c.sig_batch_wait_us, 0);
  assert_int_equal(parse(&c, "server:\n  max_conn_per_ip: 0\n  http_threads: 4\n"
                             "  sig_batch_parallel_min: 16\n  sig_batch_wait_us: 2000\n",
                         err), CP_OK);
  assert_int_equal(c.max_conn_per_ip, 0);
  assert_int_equal(c.http_threads, 4);
  assert_int_equal(c.sig_batch_parallel_min, 16);
  assert_int_equal(c.sig_batch_wait_us, 2000);
  assert_int_equal(parse(&c, "server:\n  sig_batch_wait_us: 20001\n", err), CP_CONFIG);
  assert_int_equal(parse(&c, "server:\n  max_connections: 0\n", err), CP_CONFIG);
}

/* The reference pool's config-example.yaml shape. */
static const char reference_yaml[] =
  "pool_info:\n"
  "  default_res: \"Chia reference pool\"\n"
  "  name: \"The Reference Pool\"\n"
  "  logo_url: https://www.chia.net/img/chia_logo.svg\n"
  "  description: \"(example) The Reference Pool allows you to pool with low fees.\"\n"
  "welcome_message: \"Welcome to the reference pool!\"\n"
  "pool_fee: 0.01\n"
  "pool_url: https://pool.example.com\n"
  "min_difficulty: 10\n"
  "default_difficulty: 10\n"
  "default_target_puzzle_hash: "
  "\"0x344587cf06a39db471d2cc027504e8688a0a67cce961253500c956c73603fd58\"\n"
  "pool_fee_puzzle_hash: "
  "\"1b9d1eaa3c6a9b27cd90ad9070eb012794a74b277446417bc7b904145010c087\"\n"
  "wallet_fingerprint: 3967641394\n"
  "authentication_token_timeout: 5\n"
  "wallet_id: 1\n"
  "node_rpc_port: 8555\n"
  "wallet_rpc_port: 9256\n"
  "partial_time_limit: 25\n"
  "partial_confirmation_delay: 300\n"
  "scan_start_height: 1000\n"
  "collect_pool_rewards_interval: 600\n"
  "confirmation_security_threshold: 32\n"
  "payment_interval: 600\n"
  "max_additions_per_transaction: 400\n"
  "number_of_partials_target: 300\n"
  "time_target: 86400\n"
  "relative_lock_height: 32\n"
  "logging:\n"
  "  log_path: \"\"\n"
  "  log_filename: \"pool-server.log\"\n"
  "  log_level: \"INFO\"\n"
  "  log_maxfilesrotation: 7\n"
  "  log_stdout: false\n"
  "server:\n"
  "  server_host: \"0.0.0.0\"\n"
  "  server_port: 80\n"
  "  server_use_ssl: False\n"
  "  server_ssl_crt: \"\"\n"
  "  server_ssl_key: \"\"\n"
  "network: testnet11\n";

static void test_reference_config(void **state)
{
  struct pool_config c;
  char err[256] = "";
  (void)state;
  assert_int_equal(parse(&c, reference_yaml, err), CP_OK);
  assert_string_equal(c.name, "The Reference Pool");
  assert_string_equal(c.pool_url, "https://pool.example.com");
  assert_int_equal(c.min_difficulty, 10);
  assert_int_equal(c.wallet_fingerprint, 3967641394u);
  assert_int_equal(c.server_port, 80);
  assert_int_equal(c.server_use_ssl, 0);
  assert_string_equal(c.log_level, "info");
  assert_string_equal(c.network, "testnet11");
  assert_true(c.have_default_target);
  tv_assert_hex(c.default_target_puzzle_hash, 32,
                "344587cf06a39db471d2cc027504e8688a0a67cce961253500c956c73603fd58");
  tv_assert_hex(c.pool_fee_puzzle_hash, 32,
                "1b9d1eaa3c6a9b27cd90ad9070eb012794a74b277446417bc7b904145010c087");
}

struct bad_case {
  const char *yaml;
  const char *msg_part;
};

static void test_rejects(void **state)
{
  static const struct bad_case cases[] = {
    { "pool_fee: 1.5\n", "pool_fee" },
    { "pool_fee: 0.0000001\n", "pool_fee" },
    { "pool_fee: -0.1\n", "pool_fee" },
    { "min_difficulty: 0\n", "min_difficulty" },
    { "min_difficulty: 10\ndefault_difficulty: 5\n", "default_difficulty" },
    { "min_difficulty: abc\n", "min_difficulty" },
    { "min_difficulty: \"10\"\n", "min_difficulty" },
    { "server:\n  server_port: 70000\n", "server.server_port" },
    { "authentication_token_timeout: 256\n", "authentication_token_timeout" },
    { "relative_lock_height: 5000\n", "relative_lock_height" },
    { "block_claim_fee: 109375000001\n", "block_claim_fee" },
    { "pool_fee_typo: 0.01\n", "unknown config key 'pool_fee_typo'" },
    { "server:\n  bogus: 1\n", "unknown config key 'server.bogus'" },
    { "network: devnet\n", "network" },
    { "payout_scheme: pps\n", "pps_mojo_per_point" },
    { "payout_scheme: pplns\n", "pplns_window" },
    { "payout_scheme: best\n", "payout_scheme" },
    { "pool_url: ftp://x\n", "pool_url" },
    { "pool_url: https://x/\n", "pool_url" },
    { "network: mainnet\ntest_mode: true\n", "test_mode" },
    { "default_target_puzzle_hash: 0x1234\n", "default_target" },
    { "server:\n  server_use_ssl: true\n", "server_ssl_crt" },
    { "store:\n  backend: postgres\n", "store.dsn" },
    { "a: &x 1\nb: *x\n", "not allowed" },
    { "min_difficulty: 1\nmin_difficulty: 2\n", "duplicate key" },
    { "- 1\n- 2\n", "mapping" },
    { "pool_url: [1, 2]\n", "single value" },
    { "key: \"unterminated\n", "line" },
    { "--- 1\n--- 2\n", "" },
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct pool_config c;
    char err[256] = "";
    cp_err rc = parse(&c, cases[i].yaml, err);
    if (rc == CP_OK)
      fail_msg("case %zu accepted: %s", i, cases[i].yaml);
    if (!strstr(err, cases[i].msg_part))
      fail_msg("case %zu: message '%s' lacks '%s'", i, err, cases[i].msg_part);
  }
}

static void test_nesting_bomb_and_size(void **state)
{
  struct pool_config c;
  char err[256];
  char deep[200];
  size_t n = 0;
  char *big;
  (void)state;
  for (int i = 0; i < 40; i++)
    deep[n++] = '[';
  deep[n] = 0;
  assert_int_equal(parse(&c, deep, err), CP_CONFIG);
  big = test_malloc((1u << 20) + 2);
  memset(big, '#', (1u << 20) + 1);
  big[(1u << 20) + 1] = 0;
  config_defaults(&c);
  assert_int_equal(config_parse(&c, big, (1u << 20) + 1, err, sizeof err), CP_TOO_BIG);
  test_free(big);
}

static void test_schemes(void **state)
{
  struct pool_config c;
  char err[256];
  (void)state;
  assert_int_equal(parse(&c, "payout_scheme: pplns\npplns_window_points: 1000\n", err), CP_OK);
  assert_int_equal(c.payout_scheme, PAYOUT_PPLNS);
  assert_int_equal(c.pplns_window_points, 1000);
  assert_int_equal(parse(&c, "payout_scheme: pps\npps_mojo_per_point: 7\nmin_payout: 5\n",
                         err), CP_OK);
  assert_int_equal(c.payout_scheme, PAYOUT_PPS);
  assert_int_equal(c.pps_mojo_per_point, 7);
  assert_int_equal(c.min_payout, 5);
  assert_int_equal(parse(&c, "pool_fee: 0.015\n", err), CP_OK);
  assert_int_equal(c.pool_fee_ppm, 15000);
  assert_string_equal(c.pool_fee_text, "0.015");
  assert_int_equal(parse(&c, "pool_fee: 0\n", err), CP_OK);
  assert_int_equal(c.pool_fee_ppm, 0);
}

/* Addresses resolve with the network's prefix (bls.json bech32m vectors). */
static void test_addresses(void **state)
{
  json_t *v = tv_load("bls.json");
  json_t *list = tv_get(v, "bech32m");
  size_t i;
  json_t *e;
  int tested = 0;
  (void)state;
  json_array_foreach(list, i, e) {
    struct pool_config c;
    char yaml[512], err[256] = "";
    uint8_t want[32];
    const char *prefix = tv_str(e, "prefix");
    const char *net = !strcmp(prefix, "xch") ? "mainnet" : "testnet11";
    const char *other = !strcmp(prefix, "xch") ? "testnet11" : "mainnet";
    tv_hex_exact(e, "puzzle_hash", want, 32);
    snprintf(yaml, sizeof yaml, "network: %s\ndefault_target_address: %s\n"
             "pool_fee_address: %s\n", net, tv_str(e, "address"), tv_str(e, "address"));
    assert_int_equal(parse(&c, yaml, err), CP_OK);
    assert_memory_equal(c.default_target_puzzle_hash, want, 32);
    assert_memory_equal(c.pool_fee_puzzle_hash, want, 32);
    /* the other network's prefix is refused: paying to it would lose funds */
    snprintf(yaml, sizeof yaml, "network: %s\ndefault_target_address: %s\n", other,
             tv_str(e, "address"));
    assert_int_equal(parse(&c, yaml, err), CP_CONFIG);
    assert_non_null(strstr(err, "default_target_address"));
    tested++;
  }
  assert_int_equal(tested, 10);
  json_decref(v);
}

/* The example shipped for operators must stay valid and mean what it says. */
static void test_example_file(void **state)
{
  struct pool_config c;
  char err[256] = "";
  uint8_t zero[32] = { 0 }, ones[32];
  (void)state;
  memset(ones, 0xff, 32);
  config_defaults(&c);
  assert_int_equal(config_load_file(&c, CHIAPOOL_VECTORS_DIR "/../../config.example.yaml",
                                    err, sizeof err), CP_OK);
  assert_string_equal(c.network, "testnet11");
  assert_string_equal(c.pool_url, "https://pool.example.com");
  assert_memory_equal(c.default_target_puzzle_hash, zero, 32);
  assert_memory_equal(c.pool_fee_puzzle_hash, ones, 32);
  assert_int_equal(c.pplns_window_seconds, 86400);
  assert_int_equal(c.farmer_update_cooldown, 600);
  assert_int_equal(c.store_backend, STORE_SQLITE);
  assert_int_equal(config_load_file(&c, "/nonexistent/config.yaml", err, sizeof err), CP_IO);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults_and_empty),
    cmocka_unit_test(test_reference_config),
    cmocka_unit_test(test_rejects),
    cmocka_unit_test(test_nesting_bomb_and_size),
    cmocka_unit_test(test_schemes),
    cmocka_unit_test(test_addresses),
    cmocka_unit_test(test_example_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
