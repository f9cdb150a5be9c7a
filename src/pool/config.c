#include "pool/config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chia/bech32m.h"
#include "chia/constants.h"
#include "pool/yaml_tree.h"
#include "util/hex.h"
#include "util/parse.h"

enum ktype { K_IGNORE, K_STR, K_U64, K_U32, K_U16, K_U8, K_BOOL, K_FEE, K_NETWORK,
             K_SCHEME, K_BACKEND, K_LOGLEVEL, K_TARGET };

/* One row per accepted key. Paths with a dot are nested mappings
 * (reference: pool_info.name, server.server_port, logging.log_level). */
struct key {
  const char *path;
  enum ktype type;
  size_t off;
  uint64_t min, max;   /* numbers; for strings max is the length cap */
  size_t aux;          /* K_TARGET: offset of the 32-byte hash; K_FEE: text */
};

#define OFF(f) offsetof(struct pool_config, f)
#define SMAX (CONFIG_STR_MAX - 1)

static const struct key keys[] = {
  { "pool_info.name", K_STR, OFF(name), 0, 200, 0 },
  { "pool_info.logo_url", K_STR, OFF(logo_url), 0, SMAX, 0 },
  { "pool_info.description", K_STR, OFF(description), 0, SMAX, 0 },
  { "pool_info.default_res", K_IGNORE, 0, 0, 0, 0 },
  { "welcome_message", K_STR, OFF(welcome_message), 0, SMAX, 0 },
  { "pool_url", K_STR, OFF(pool_url), 1, SMAX, 0 },
  { "pool_fee", K_FEE, OFF(pool_fee_ppm), 0, 1000000, OFF(pool_fee_text) },
  /* per absorbed reward; at most the smallest pool reward there will ever
   * be (7/8 of 0.125 XCH), so a fee can never eat a whole reward */
  { "block_claim_fee", K_U64, OFF(block_claim_fee), 0, 109375000000ull, 0 },
  { "payout_fee", K_U64, OFF(payout_fee), 0, UINT64_MAX, 0 },
  { "network", K_NETWORK, OFF(network), 0, 0, 0 },
  { "test_mode", K_BOOL, OFF(test_mode), 0, 1, 0 },
  { "default_target_address", K_TARGET, OFF(default_target), 0, SMAX,
    OFF(default_target_puzzle_hash) },
  { "default_target_puzzle_hash", K_TARGET, OFF(default_target), 0, SMAX,
    OFF(default_target_puzzle_hash) },
  { "pool_fee_address", K_TARGET, OFF(pool_fee_target), 0, SMAX,
    OFF(pool_fee_puzzle_hash) },
  { "pool_fee_puzzle_hash", K_TARGET, OFF(pool_fee_target), 0, SMAX,
    OFF(pool_fee_puzzle_hash) },
  { "wallet_fingerprint", K_U64, OFF(wallet_fingerprint), 0, UINT32_MAX, 0 },
  { "wallet_id", K_U32, OFF(wallet_id), 1, UINT32_MAX, 0 },
  { "node_rpc_host", K_STR, OFF(node_rpc_host), 1, 255, 0 },
  { "node_rpc_port", K_U16, OFF(node_rpc_port), 1, 65535, 0 },
  { "wallet_rpc_host", K_STR, OFF(wallet_rpc_host), 1, 255, 0 },
  { "wallet_rpc_port", K_U16, OFF(wallet_rpc_port), 1, 65535, 0 },
  { "chia_root", K_STR, OFF(chia_root), 0, SMAX, 0 },
  { "min_difficulty", K_U64, OFF(min_difficulty), 1, UINT64_MAX, 0 },
  { "default_difficulty", K_U64, OFF(default_difficulty), 1, UINT64_MAX, 0 },
  { "max_difficulty", K_U64, OFF(max_difficulty), 0, UINT64_MAX, 0 },
  { "accept_suggested_difficulty", K_BOOL, OFF(accept_suggested_difficulty), 0, 1, 0 },
  /* the farmer stores it as uint8 and multiplies minutes with it */
  { "authentication_token_timeout", K_U8, OFF(authentication_token_timeout), 1, 255, 0 },
  { "partial_time_limit", K_U32, OFF(partial_time_limit), 1, 600, 0 },
  { "partial_confirmation_delay", K_U32, OFF(partial_confirmation_delay), 0, 86400, 0 },
  /* the spec requires < 4608; the wallet refuses to join above 1000 */
  { "relative_lock_height", K_U32, OFF(relative_lock_height), 1, 1000, 0 },
  { "confirmation_security_threshold", K_U32, OFF(confirmation_security_threshold), 0, 10000, 0 },
  { "farmer_update_cooldown_seconds", K_U32, OFF(farmer_update_cooldown), 0, 86400, 0 },
  { "number_of_partials_target", K_U64, OFF(number_of_partials_target), 1, 100000, 0 },
  { "time_target", K_U64, OFF(time_target), 60, 30u * 86400, 0 },
  { "difficulty_slow_after", K_U64, OFF(difficulty_slow_after), 60, 7u * 86400, 0 },
  { "difficulty_very_slow_after", K_U64, OFF(difficulty_very_slow_after), 60, 30u * 86400, 0 },
  { "scan_start_height", K_U32, OFF(scan_start_height), 0, UINT32_MAX, 0 },
  { "collect_pool_rewards_interval", K_U32, OFF(collect_pool_rewards_interval), 1, 86400, 0 },
  { "payment_interval", K_U32, OFF(payment_interval), 1, 30u * 86400, 0 },
  { "max_additions_per_transaction", K_U32, OFF(max_additions_per_transaction), 1, 2000, 0 },
  { "payout_scheme", K_SCHEME, OFF(payout_scheme), 0, 0, 0 },
  { "pplns_window_points", K_U64, OFF(pplns_window_points), 0, UINT64_MAX, 0 },
  { "pplns_window_seconds", K_U64, OFF(pplns_window_seconds), 0, 365u * 86400, 0 },
  { "pps_mojo_per_point", K_U64, OFF(pps_mojo_per_point), 0, UINT64_MAX, 0 },
  { "min_payout", K_U64, OFF(min_payout), 0, UINT64_MAX, 0 },
  { "server.server_host", K_STR, OFF(server_host), 1, 255, 0 },
  { "server.server_port", K_U16, OFF(server_port), 0, 65535, 0 },
  { "server.server_use_ssl", K_BOOL, OFF(server_use_ssl), 0, 1, 0 },
  { "server.server_ssl_crt", K_STR, OFF(server_ssl_crt), 0, SMAX, 0 },
  { "server.server_ssl_key", K_STR, OFF(server_ssl_key), 0, SMAX, 0 },
  { "server.max_body_bytes", K_U32, OFF(max_body_bytes), 1024, 1u << 20, 0 },
  { "server.rate_limit_per_ip", K_U32, OFF(rate_limit_per_ip), 0, 1000000, 0 },
  { "server.rate_limit_burst", K_U32, OFF(rate_limit_burst), 1, 1000000, 0 },
  { "server.partial_rate_per_launcher", K_U32, OFF(partial_rate_per_launcher), 0, 1000000, 0 },
  { "server.partial_burst_per_launcher", K_U32, OFF(partial_burst_per_launcher), 1, 1000000, 0 },
  { "server.worker_threads", K_U32, OFF(worker_threads), 0, 256, 0 },
  { "server.http_threads", K_U32, OFF(http_threads), 0, 64, 0 },
  { "server.max_connections", K_U32, OFF(max_connections), 1, 1000000, 0 },
  { "server.max_conn_per_ip", K_U32, OFF(max_conn_per_ip), 0, 1000000, 0 },
  { "server.sig_batch_wait_us", K_U32, OFF(sig_batch_wait_us), 0, 20000, 0 },
  { "server.sig_batch_parallel_min", K_U32, OFF(sig_batch_parallel_min), 0, 1024, 0 },
  { "store.backend", K_BACKEND, OFF(store_backend), 0, 0, 0 },
  { "store.path", K_STR, OFF(store_path), 1, SMAX, 0 },
  { "store.dsn", K_STR, OFF(store_dsn), 0, SMAX, 0 },
  { "logging.log_level", K_LOGLEVEL, OFF(log_level), 0, 0, 0 },
  { "logging.log_json", K_BOOL, OFF(log_json), 0, 1, 0 },
  { "logging.log_path", K_STR, OFF(log_path), 0, SMAX, 0 },
  /* reference keys we accept for compatibility but do not use */
  { "logging.log_filename", K_IGNORE, 0, 0, 0, 0 },
  { "logging.log_maxfilesrotation", K_IGNORE, 0, 0, 0, 0 },
  { "logging.log_stdout", K_IGNORE, 0, 0, 0, 0 },
  { "store", K_IGNORE, 0, 0, 0, 0 }, /* reference: a backend class name */
};

static void copy_str(char *dst, size_t cap, const char *src)
{
  snprintf(dst, cap, "%s", src);
}

void config_defaults(struct pool_config *c)
{
  memset(c, 0, sizeof *c);
  copy_str(c->name, sizeof c->name, "chiapool");
  copy_str(c->logo_url, sizeof c->logo_url, "https://www.chia.net/img/chia_logo.svg");
  copy_str(c->description, sizeof c->description,
           "A Chia pool (protocol v1) run by chiapool.");
  copy_str(c->welcome_message, sizeof c->welcome_message, "Welcome to chiapool!");
  copy_str(c->pool_url, sizeof c->pool_url, "http://127.0.0.1:8080");
  c->pool_fee_ppm = 10000;
  copy_str(c->pool_fee_text, sizeof c->pool_fee_text, "0.01");
  copy_str(c->network, sizeof c->network, "simulator");
  c->wallet_id = 1;
  copy_str(c->node_rpc_host, sizeof c->node_rpc_host, "127.0.0.1");
  c->node_rpc_port = 8555;
  copy_str(c->wallet_rpc_host, sizeof c->wallet_rpc_host, "127.0.0.1");
  c->wallet_rpc_port = 9256;
  c->min_difficulty = 1;
  c->default_difficulty = 1;
  c->authentication_token_timeout = 5;
  c->partial_time_limit = 25;
  c->partial_confirmation_delay = 300;
  c->relative_lock_height = 32;
  c->confirmation_security_threshold = 32;
  c->farmer_update_cooldown = 600;
  c->number_of_partials_target = 300;
  c->time_target = 86400;
  c->difficulty_slow_after = 2700;        /* seed: 45 minutes */
  c->difficulty_very_slow_after = 10800;  /* seed: 3 hours */
  c->scan_start_height = 1000;
  c->collect_pool_rewards_interval = 600;
  c->payment_interval = 600;
  c->max_additions_per_transaction = 400;
  c->payout_scheme = PAYOUT_PROP;
  copy_str(c->server_host, sizeof c->server_host, "0.0.0.0");
  c->server_port = 8080;
  c->max_body_bytes = 16384;
  c->rate_limit_per_ip = 50;
  c->rate_limit_burst = 200;
  /* a farmer at its pool difficulty sends a few partials a minute; a burst
   * of hundreds from one launcher is a broken or hostile client */
  c->partial_rate_per_launcher = 5;
  c->partial_burst_per_launcher = 100;
  /* a farm is a handful of connections; a NAT of many farms needs more */
  c->max_connections = 1000;
  c->max_conn_per_ip = 50;
  /* bench_partials: a second signature job for fewer queued items costs
   * more CPU per partial (smaller batches) than it gains in parallelism */
  c->sig_batch_parallel_min = 8;
  copy_str(c->store_path, sizeof c->store_path, "chiapool.sqlite");
  copy_str(c->log_level, sizeof c->log_level, "info");
}

/* A puzzle hash as 64 hex digits (optional 0x) or an address with the
 * network's prefix. Resolved after parsing, once the network is known. */
static cp_err resolve_target(const char *s, const char *network, uint8_t out[32])
{
  const struct chia_consts *net = consts_get(network);
  if (hex_decode_exact(out, 32, s, strlen(s)) == CP_OK)
    return CP_OK;
  if (!net)
    return CP_CONFIG;
  return bech32m_decode_ph_expect(s, strlen(s), net->address_prefix, out);
}

static cp_err set_key(struct pool_config *c, const struct key *k,
                      const struct ynode *v, char *err, size_t errlen)
{
  char *base = (char *)c;
  const char *s;
  uint64_t u;

  if (v->kind != YNODE_SCALAR) {
    snprintf(err, errlen, "line %d: %s must be a single value", v->line, k->path);
    return CP_CONFIG;
  }
  s = v->scalar;
  switch (k->type) {
  case K_IGNORE: /* reference keys accepted for compatibility */
    return CP_OK;
  case K_STR:
  case K_TARGET:
    if (strlen(s) < k->min || strlen(s) > k->max) {
      snprintf(err, errlen, "line %d: %s must be %llu to %llu characters", v->line,
               k->path, (unsigned long long)k->min, (unsigned long long)k->max);
      return CP_CONFIG;
    }
    copy_str(base + k->off, CONFIG_STR_MAX, s);
    if (k->type == K_TARGET) {
      int *have = k->aux == OFF(default_target_puzzle_hash) ? &c->have_default_target
                                                          : &c->have_pool_fee_target;
      *have = 1;
    }
    return CP_OK;
  case K_U64:
  case K_U32:
  case K_U16:
  case K_U8:
    if (v->quoted || parse_u64_cstr(s, k->max, &u) || u < k->min) {
      snprintf(err, errlen, "line %d: %s must be a whole number from %llu to %llu",
               v->line, k->path, (unsigned long long)k->min, (unsigned long long)k->max);
      return CP_CONFIG;
    }
    if (k->type == K_U64)
      *(uint64_t *)(void *)(base + k->off) = u;
    else if (k->type == K_U32)
      *(uint32_t *)(void *)(base + k->off) = (uint32_t)u;
    else if (k->type == K_U16)
      *(uint16_t *)(void *)(base + k->off) = (uint16_t)u;
    else
      *(uint8_t *)(base + k->off) = (uint8_t)u;
    return CP_OK;
  case K_BOOL:
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes"))
      *(int *)(void *)(base + k->off) = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no"))
      *(int *)(void *)(base + k->off) = 0;
    else {
      snprintf(err, errlen, "line %d: %s must be true or false", v->line, k->path);
      return CP_CONFIG;
    }
    return CP_OK;
  case K_FEE:
    if (parse_fixed(s, strlen(s), 1000000, 1000000, &u) || strlen(s) >= 32) {
      snprintf(err, errlen,
               "line %d: %s must be a fraction from 0 to 1 with at most 6 decimals",
               v->line, k->path);
      return CP_CONFIG;
    }
    *(uint64_t *)(void *)(base + k->off) = u;
    copy_str(base + k->aux, 32, s);
    return CP_OK;
  case K_NETWORK:
    if (strcmp(s, "mainnet") && strcmp(s, "testnet11") && strcmp(s, "simulator")) {
      snprintf(err, errlen, "line %d: network must be mainnet, testnet11 or simulator",
               v->line);
      return CP_CONFIG;
    }
    copy_str(base + k->off, 32, s);
    return CP_OK;
  case K_SCHEME:
    if (!strcmp(s, "prop") || !strcmp(s, "proportional"))
      c->payout_scheme = PAYOUT_PROP;
    else if (!strcmp(s, "pplns"))
      c->payout_scheme = PAYOUT_PPLNS;
    else if (!strcmp(s, "pps"))
      c->payout_scheme = PAYOUT_PPS;
    else {
      snprintf(err, errlen, "line %d: payout_scheme must be prop, pplns or pps", v->line);
      return CP_CONFIG;
    }
    return CP_OK;
  case K_BACKEND:
    if (!strcmp(s, "sqlite"))
      c->store_backend = STORE_SQLITE;
    else if (!strcmp(s, "postgres") || !strcmp(s, "postgresql"))
      c->store_backend = STORE_POSTGRES;
    else {
      snprintf(err, errlen, "line %d: store.backend must be sqlite or postgres", v->line);
      return CP_CONFIG;
    }
    return CP_OK;
  case K_LOGLEVEL:
    if (strcmp(s, "debug") && strcmp(s, "info") && strcmp(s, "warn") &&
        strcmp(s, "error") && strcmp(s, "DEBUG") && strcmp(s, "INFO") &&
        strcmp(s, "WARNING") && strcmp(s, "ERROR")) {
      snprintf(err, errlen, "line %d: logging.log_level must be debug, info, warn or error",
               v->line);
      return CP_CONFIG;
    }
    /* the reference writes Python's upper-case names */
    if (!strcmp(s, "WARNING"))
      s = "warn";
    copy_str(c->log_level, sizeof c->log_level, s);
    for (char *p = c->log_level; *p; p++)
      if (*p >= 'A' && *p <= 'Z')
        *p = (char)(*p - 'A' + 'a');
    return CP_OK;
  }
  return CP_INTERNAL;
}

/* Walk a mapping; `prefix` is the dotted path of the mapping itself. */
static cp_err walk(struct pool_config *c, const struct ynode *map, const char *prefix,
                   char *err, size_t errlen)
{
  for (size_t i = 0; i < map->n; i++) {
    char path[128];
    const struct key *k = NULL;
    cp_err rc;

    snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", map->keys[i]);
    for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
      if (!strcmp(keys[j].path, path)) {
        k = &keys[j];
        break;
      }
    if (map->items[i]->kind == YNODE_MAP && !*prefix) {
      rc = walk(c, map->items[i], path, err, errlen);
      if (rc)
        return rc;
      continue;
    }
    if (!k) {
      snprintf(err, errlen, "line %d: unknown config key '%s'", map->items[i]->line, path);
      return CP_CONFIG;
    }
    rc = set_key(c, k, map->items[i], err, errlen);
    if (rc)
      return rc;
  }
  return CP_OK;
}

static cp_err check(struct pool_config *c, char *err, size_t errlen)
{
  if (c->default_difficulty < c->min_difficulty) {
    snprintf(err, errlen, "default_difficulty (%llu) is below min_difficulty (%llu)",
             (unsigned long long)c->default_difficulty,
             (unsigned long long)c->min_difficulty);
    return CP_CONFIG;
  }
  if (c->max_difficulty && c->max_difficulty < c->default_difficulty) {
    snprintf(err, errlen, "max_difficulty is below default_difficulty");
    return CP_CONFIG;
  }
  if (c->difficulty_slow_after >= c->difficulty_very_slow_after) {
    snprintf(err, errlen, "difficulty_slow_after must be below difficulty_very_slow_after");
    return CP_CONFIG;
  }
  if (strncmp(c->pool_url, "https://", 8) && strncmp(c->pool_url, "http://", 7)) {
    snprintf(err, errlen, "pool_url must start with https:// (or http:// for local use)");
    return CP_CONFIG;
  }
  if (c->pool_url[strlen(c->pool_url) - 1] == '/') {
    snprintf(err, errlen, "pool_url must not end with '/': farmers compare it exactly");
    return CP_CONFIG;
  }
  if (c->server_use_ssl && (!c->server_ssl_crt[0] || !c->server_ssl_key[0])) {
    snprintf(err, errlen, "server.server_use_ssl needs server_ssl_crt and server_ssl_key");
    return CP_CONFIG;
  }
  if (c->store_backend == STORE_POSTGRES && !c->store_dsn[0]) {
    snprintf(err, errlen, "store.backend postgres needs store.dsn");
    return CP_CONFIG;
  }
  if (c->payout_scheme == PAYOUT_PPS && !c->pps_mojo_per_point) {
    snprintf(err, errlen, "payout_scheme pps needs pps_mojo_per_point");
    return CP_CONFIG;
  }
  if (c->payout_scheme == PAYOUT_PPLNS && !c->pplns_window_points &&
      !c->pplns_window_seconds) {
    snprintf(err, errlen, "payout_scheme pplns needs pplns_window_points or "
                          "pplns_window_seconds");
    return CP_CONFIG;
  }
  if (!strcmp(c->network, "mainnet") && c->test_mode) {
    snprintf(err, errlen, "test_mode cannot be used on mainnet");
    return CP_CONFIG;
  }
  if (c->have_default_target &&
      resolve_target(c->default_target, c->network, c->default_target_puzzle_hash)) {
    snprintf(err, errlen, "default_target_address is neither a %s address nor a "
                          "32-byte hex puzzle hash", c->network);
    return CP_CONFIG;
  }
  if (c->have_pool_fee_target &&
      resolve_target(c->pool_fee_target, c->network, c->pool_fee_puzzle_hash)) {
    snprintf(err, errlen, "pool_fee_address is neither a %s address nor a "
                          "32-byte hex puzzle hash", c->network);
    return CP_CONFIG;
  }
  return CP_OK;
}

cp_err config_parse(struct pool_config *c, const char *yaml, size_t len, char *err,
                    size_t errlen)
{
  struct ynode *root = NULL;
  char *yerr = NULL;
  cp_err rc;

  rc = ytree_parse(yaml, len, &root, &yerr);
  if (rc) {
    snprintf(err, errlen, "%s", yerr ? yerr : "invalid YAML");
    free(yerr);
    return rc;
  }
  rc = walk(c, root, "", err, errlen);
  if (!rc)
    rc = check(c, err, errlen);
  ytree_free(root);
  return rc;
}

cp_err config_load_file(struct pool_config *c, const char *path, char *err, size_t errlen)
{
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  size_t n = 0;
  cp_err rc;

  if (!f) {
    snprintf(err, errlen, "cannot open %s", path);
    return CP_IO;
  }
  text = malloc(YAML_TREE_MAX_BYTES + 1);
  if (!text) {
    fclose(f);
    return CP_NOMEM;
  }
  n = fread(text, 1, YAML_TREE_MAX_BYTES + 1, f);
  fclose(f);
  if (n > YAML_TREE_MAX_BYTES) {
    snprintf(err, errlen, "%s is larger than 1 MiB", path);
    free(text);
    return CP_TOO_BIG;
  }
  rc = config_parse(c, text, n, err, errlen);
  free(text);
  return rc;
}
