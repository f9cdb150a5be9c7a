/* Pool configuration: config.yaml with the reference pool's keys and
 * meanings (pool-protocol.md §11) plus chiapool's own, validated once at
 * start into an immutable struct. Runtime modules get the struct, never the
 * YAML. Every key has a default, so an empty file is a valid (demo) config. */
#ifndef CP_POOL_CONFIG_H
#define CP_POOL_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define CONFIG_STR_MAX 512

enum payout_scheme { PAYOUT_PROP, PAYOUT_PPLNS, PAYOUT_PPS };
enum config_store_backend { STORE_SQLITE, STORE_POSTGRES };

struct pool_config {
  /* pool_info (GET /pool_info) */
  char name[CONFIG_STR_MAX];
  char logo_url[CONFIG_STR_MAX];
  char description[CONFIG_STR_MAX];
  char welcome_message[CONFIG_STR_MAX];
  char pool_url[CONFIG_STR_MAX];
  uint64_t pool_fee_ppm;              /* pool_fee as parts per million */
  char pool_fee_text[32];             /* pool_fee as written: pool_info.fee */
  uint64_t block_claim_fee;           /* mojos per absorbed reward, paid
                                         by the pool wallet (rewards.h) */
  uint64_t payout_fee;                /* mojos of blockchain fee per payout tx */

  /* network */
  char network[32];                   /* mainnet | testnet11 | simulator */
  int test_mode;                      /* POOL_SUB_SLOT_ITERS x 2^11 */

  /* addresses: as written (address or hex) and as puzzle hashes */
  char default_target[CONFIG_STR_MAX];
  char pool_fee_target[CONFIG_STR_MAX];
  uint8_t default_target_puzzle_hash[32];
  uint8_t pool_fee_puzzle_hash[32];
  int have_default_target;
  int have_pool_fee_target;

  /* wallet and node */
  uint64_t wallet_fingerprint;
  uint32_t wallet_id;
  char node_rpc_host[CONFIG_STR_MAX];
  uint16_t node_rpc_port;
  char wallet_rpc_host[CONFIG_STR_MAX];
  uint16_t wallet_rpc_port;
  char chia_root[CONFIG_STR_MAX];     /* for config/ssl/... client certs */

  /* protocol knobs */
  uint64_t min_difficulty;
  uint64_t default_difficulty;
  uint64_t max_difficulty;            /* 0 = none */
  int accept_suggested_difficulty;
  uint8_t authentication_token_timeout;
  uint32_t partial_time_limit;
  uint32_t partial_confirmation_delay;
  uint32_t relative_lock_height;
  uint32_t confirmation_security_threshold;
  uint32_t farmer_update_cooldown;
  uint64_t number_of_partials_target;
  uint64_t time_target;
  uint64_t difficulty_slow_after;     /* seed: 45 min */
  uint64_t difficulty_very_slow_after;/* seed: 3 h */

  /* rewards and payouts */
  uint32_t scan_start_height;
  uint32_t collect_pool_rewards_interval;
  uint32_t payment_interval;
  uint32_t max_additions_per_transaction;
  enum payout_scheme payout_scheme;
  uint64_t pplns_window_points;       /* 0 = use time window */
  uint64_t pplns_window_seconds;
  uint64_t pps_mojo_per_point;
  uint64_t min_payout;                /* mojos; smaller balances carry over */

  /* server */
  char server_host[CONFIG_STR_MAX];
  uint16_t server_port;
  int server_use_ssl;
  char server_ssl_crt[CONFIG_STR_MAX];
  char server_ssl_key[CONFIG_STR_MAX];
  uint32_t max_body_bytes;
  uint32_t rate_limit_per_ip;         /* requests per second, 0 = off */
  uint32_t rate_limit_burst;
  uint32_t partial_rate_per_launcher; /* partials per second, 0 = off */
  uint32_t partial_burst_per_launcher;
  uint32_t worker_threads;            /* 0 = number of cores */
  uint32_t http_threads;              /* libmicrohttpd polling threads, 0 = 2 */
  uint32_t max_connections;
  uint32_t max_conn_per_ip;           /* 0 = unlimited */
  uint32_t sig_batch_wait_us;         /* longest wait for a fuller signature batch */
  uint32_t sig_batch_parallel_min;    /* queued signatures that start another job */

  /* store */
  enum config_store_backend store_backend;
  char store_path[CONFIG_STR_MAX];    /* sqlite file */
  char store_dsn[CONFIG_STR_MAX];     /* postgres conninfo */

  /* logging */
  char log_level[16];
  int log_json;
  char log_path[CONFIG_STR_MAX];      /* empty = stderr */
};

/* Fill every field with its default (seed values where the seed has one). */
void config_defaults(struct pool_config *c);

/* Parse YAML text over the defaults. On error returns CP_CONFIG (or
 * CP_TOO_BIG) and writes a one-line reason naming the key to err. Unknown
 * keys are errors too: a typo in a money setting must not pass silently. */
cp_err config_parse(struct pool_config *c, const char *yaml, size_t len,
                    char *err, size_t errlen);
cp_err config_load_file(struct pool_config *c, const char *path, char *err,
                        size_t errlen);

#endif
