/* The pool API end to end in-process: pool_server_start with a temporary
 * SQLite store and a fake chain, every endpoint over real HTTP (libcurl)
 * on an ephemeral 127.0.0.1 port, exact JSON and hostile inputs. */
#include "testutil.h"
#include "testfarmer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>

#include "http/pool_server.h"
#include "pool/token.h"
#include "util/hex.h"
#include "util/log.h"

static struct pool_server *srv;
static struct tf_farmer farmer;
static struct chain fake = { &tf_chain_ops, NULL };
static char dir[64];
static uint16_t port;

#define TARGET_PH "0x4bc6435b409bcbabe53870dae0f03755f6aabb4594c5915ec983acf12a5d1fba"

static const char cfg_yaml[] =
  "pool_info:\n"
  "  name: \"Test Pool\"\n"
  "  logo_url: \"https://example.org/logo.png\"\n"
  "  description: \"A pool for tests\"\n"
  "welcome_message: \"hello farmer\"\n"
  "pool_fee: 0.015\n"
  "min_difficulty: 1\n"
  "default_difficulty: 1\n"
  "relative_lock_height: 100\n"
  "authentication_token_timeout: 5\n"
  "network: simulator\n"
  "test_mode: true\n"
  "default_target_puzzle_hash: \"" TARGET_PH "\"\n"
  "server:\n"
  "  rate_limit_per_ip: 0\n"
  "store:\n"
  "  path: \"pool.sqlite\"\n"
  "logging:\n"
  "  log_level: \"error\"\n";

/* --- client --- */

struct reply {
  long status;
  char *body;
  size_t len;
  char ctype[128];
  CURLcode cc;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  struct reply *r = ud;
  size_t len = size * n;
  char *nb = realloc(r->body, r->len + len + 1);
  if (!nb)
    return 0;
  r->body = nb;
  memcpy(r->body + r->len, p, len);
  r->len += len;
  r->body[r->len] = 0;
  return len;
}

static void req(const char *method, const char *path, const char *body, long blen,
                struct reply *r)
{
  CURL *h = curl_easy_init();
  struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
  char url[1024];
  char *ct = NULL;

  memset(r, 0, sizeof *r);
  r->body = calloc(1, 1);
  snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
  hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  if (body) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, blen < 0 ? (long)strlen(body) : blen);
  }
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  r->cc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
    snprintf(r->ctype, sizeof r->ctype, "%s", ct);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
}

static void done(struct reply *r)
{
  free(r->body);
  r->body = NULL;
}

/* HTTP 200 with a protocol error of this code; returns the message. */
static void expect_error(struct reply *r, int code, const char *msg_part)
{
  json_t *j;
  json_error_t e;
  assert_int_equal(r->cc, CURLE_OK);
  assert_int_equal(r->status, 200);
  j = json_loads(r->body, 0, &e);
  if (!j)
    fail_msg("not JSON: %s", r->body);
  if (json_integer_value(json_object_get(j, "error_code")) != code)
    fail_msg("want error %d, got %s", code, r->body);
  assert_true(json_is_string(json_object_get(j, "error_message")));
  if (msg_part && !strstr(json_string_value(json_object_get(j, "error_message")), msg_part))
    fail_msg("message lacks \"%s\": %s", msg_part, r->body);
  json_decref(j);
}

static void call_error(const char *method, const char *path, const char *body, int code,
                       const char *msg_part)
{
  struct reply r;
  req(method, path, body, -1, &r);
  expect_error(&r, code, msg_part);
  done(&r);
}

/* --- fixture --- */

static int setup(void **state)
{
  struct pool_config cfg;
  struct pool_server_options o;
  char err[256];
  (void)state;

  log_set_level(LOG_WARN);
  snprintf(dir, sizeof dir, "/tmp/cp_api_XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  config_defaults(&cfg);
  if (config_parse(&cfg, cfg_yaml, sizeof cfg_yaml - 1, err, sizeof err)) {
    fprintf(stderr, "config: %s\n", err);
    return -1;
  }
  memset(&o, 0, sizeof o);
  o.data_dir = dir;
  o.chain = &fake;
  o.host = "127.0.0.1";
  o.has_port = 1;
  o.port = 0;
  o.sp_retry_ms = 50;
  o.no_background = 1;
  if (pool_server_start(&cfg, &o, &srv, err, sizeof err)) {
    fprintf(stderr, "start: %s\n", err);
    return -1;
  }
  port = pool_server_port(srv);
  if (tf_farmer_init(&farmer, 1) || tf_store_add(pool_server_store(srv), &farmer, 1))
    return -1;
  return 0;
}

static int teardown(void **state)
{
  char cmd[128];
  (void)state;
  pool_server_stop(srv);
  tf_farmer_free(&farmer);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0)
    return -1;
  return 0;
}

/* --- tests --- */

static void test_pool_info(void **state)
{
  struct reply r;
  (void)state;
  req("GET", "/pool_info", NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.ctype, "application/json"));
  assert_string_equal(r.body,
    "{\"name\":\"Test Pool\",\"logo_url\":\"https://example.org/logo.png\","
    "\"minimum_difficulty\":1,\"relative_lock_height\":100,\"protocol_version\":1,"
    "\"fee\":\"0.015\",\"description\":\"A pool for tests\","
    "\"target_puzzle_hash\":\"" TARGET_PH "\",\"authentication_token_timeout\":5}");
  done(&r);
}

static void test_transport(void **state)
{
  struct reply r;
  char *big;
  (void)state;
  req("GET", "/", NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "chiapool"));
  done(&r);
  req("GET", "/nope", NULL, 0, &r);
  assert_int_equal(r.status, 404);
  done(&r);
  req("DELETE", "/farmer", NULL, 0, &r);
  assert_int_equal(r.status, 405);
  done(&r);
  req("GET", "/partial", NULL, 0, &r);
  assert_int_equal(r.status, 405);
  done(&r);
  /* partial bodies are capped at 16 KiB */
  big = malloc(20000);
  memset(big, ' ', 20000);
  big[0] = '{';
  big[19999] = '}';
  req("POST", "/partial", big, 20000, &r);
  assert_int_equal(r.status, 413);
  done(&r);
  free(big);
}

static void test_web(void **state)
{
  struct reply r;
  (void)state;
  req("GET", "/web/", NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.ctype, "text/html"));
  assert_non_null(strstr(r.body, "/web/app.js"));
  done(&r);
  req("GET", "/web/app.js", NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "/api/farmer"));
  done(&r);
  req("GET", "/metrics", NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.ctype, "text/plain"));
  assert_non_null(strstr(r.body, "chiapool_api_partials_total{result=\"accepted\"}"));
  done(&r);
}

static void test_partial_hostile(void **state)
{
  static const struct {
    const char *body;
    const char *msg;
  } cases[] = {
    { "", "JSON object" },
    { "not json", "JSON object" },
    { "[1,2]", "JSON object" },
    { "{\"payload\": 5}", "payload must be an object" },
    { "{\"aggregate_signature\": \"0x00\"}", "missing payload" },
    { "{\"payload\": {}, \"aggregate_signature\": \"0x00\"}", "payload.launcher_id" },
    { "{\"payload\": {\"launcher_id\": 1}, \"aggregate_signature\": \"\"}",
      "launcher_id must be a string" },
    { "{\"payload\": {\"launcher_id\": \"0x00\", \"authentication_token\": 1.5,"
      "\"proof_of_space\": {}, \"sp_hash\": \"\", \"end_of_sub_slot\": false,"
      "\"harvester_id\": \"\"}, \"aggregate_signature\": \"\"}", "authentication_token" },
    { "{\"payload\": {\"launcher_id\": \"0xzz\", \"authentication_token\": 1,"
      "\"proof_of_space\": {}, \"sp_hash\": \"\", \"end_of_sub_slot\": false,"
      "\"harvester_id\": \"\"}, \"aggregate_signature\": \"\"}", "invalid partial" },
    { "{\"payload\": {\"launcher_id\": \"0x00\", \"authentication_token\": "
      "123456789012345678901234567890,"
      "\"proof_of_space\": {}, \"sp_hash\": \"\", \"end_of_sub_slot\": \"no\","
      "\"harvester_id\": \"\"}, \"aggregate_signature\": \"\"}", "end_of_sub_slot" },
    { "{\"payload\": {\"payload\": {\"payload\": [[[[[[[[[[[[[[[]]]]]]]]]]]]]]]}}}",
      "invalid partial" },
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    call_error("POST", "/partial", cases[i].body, 8, cases[i].msg);
  /* nesting far past the parser's depth limit, inside the body cap */
  {
    char *deep = malloc(16001);
    assert_non_null(deep);
    memset(deep, '[', 8000);
    memset(deep + 8000, ']', 8000);
    deep[16000] = 0;
    call_error("POST", "/partial", deep, 8, "JSON object");
    /* the farmer routes cap bodies at 8 KiB */
    memmove(deep + 4000, deep + 12000, 4001);
    call_error("POST", "/farmer", deep, 8, "JSON object");
    free(deep);
  }
}

static char *signed_partial(uint64_t token, int break_sig)
{
  struct chia_partial_request *pr = malloc(sizeof *pr);
  struct chia_pos pos;
  uint8_t sp[32];
  char *json = NULL;

  assert_non_null(pr);
  assert_int_equal(tf_find_proof(&farmer, consts_get("simulator"), sp, &pos), CP_OK);
  assert_int_equal(tf_partial(&farmer, &pos, sp, token, pr), CP_OK);
  if (break_sig) /* a valid signature over another message */
    pr->payload.harvester_id[0] ^= 1;
  assert_int_equal(tf_partial_json(pr, &json), CP_OK);
  free(pr);
  return json;
}

static void test_partial_valid(void **state)
{
  uint64_t token = token_current(clock_unix_s(), 5);
  struct reply r;
  char *p, lid[65], path[160];
  (void)state;

  p = signed_partial(token, 0);
  req("POST", "/partial", p, -1, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "{\"new_difficulty\":1}");
  done(&r);
  /* the same proof again: a replay */
  req("POST", "/partial", p, -1, &r);
  expect_error(&r, 4, "duplicate");
  done(&r);
  free(p);

  p = signed_partial(token, 1);
  call_error("POST", "/partial", p, 7, NULL);
  free(p);
  p = signed_partial(token - 100, 0);
  call_error("POST", "/partial", p, 12, NULL);
  free(p);

  /* the stats API sees the farmer and the pending partial */
  req("GET", "/api/pool", NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"members\":1"));
  assert_non_null(strstr(r.body, "\"pending_partials\":1"));
  done(&r);
  hex_encode(lid, farmer.launcher_id, 32);
  snprintf(path, sizeof path, "/api/farmer?launcher_id=0x%s", lid);
  req("GET", path, NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"difficulty\":1"));
  assert_non_null(strstr(r.body, "\"is_pool_member\":true"));
  done(&r);
  /* a confirmed payout shows up in the farmer's history */
  {
    struct store *st = pool_server_store(srv);
    struct store_payout_line line;
    struct store_payout_plan plan;
    uint8_t tx[32];
    int64_t batch = 0;
    memset(&line, 0, sizeof line);
    memset(line.puzzle_hash, 0x33, 32);
    line.amount = 123456789;
    line.has_launcher = 1;
    memcpy(line.launcher_id, farmer.launcher_id, 32);
    memset(&plan, 0, sizeof plan);
    plan.idempotency_key = "api-test-1";
    plan.created_at = clock_unix_s();
    plan.window_end = plan.created_at;
    plan.points_mode = STORE_POINTS_KEEP;
    plan.lines = &line;
    plan.n_lines = 1;
    memset(tx, 0x44, 32);
    assert_int_equal(store_payout_plan(st, &plan, &batch), CP_OK);
    assert_int_equal(store_payout_set_state(st, batch, STORE_PAYOUT_SUBMITTED, tx,
                                            plan.created_at), CP_OK);
    assert_int_equal(store_payout_set_state(st, batch, STORE_PAYOUT_CONFIRMED, NULL,
                                            plan.created_at + 1), CP_OK);
    snprintf(path, sizeof path, "/api/farmer?launcher_id=%s", lid);
    req("GET", path, NULL, 0, &r);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, "\"amount\":123456789,\"tx_id\":\"0x4444"))
      fail_msg("payout missing: %s", r.body);
    done(&r);
  }
  call_error("GET", "/api/farmer?launcher_id=00", NULL, 8, "launcher_id");
  lid[0] = lid[0] == 'f' ? 'e' : 'f';
  snprintf(path, sizeof path, "/api/farmer?launcher_id=%s", lid);
  call_error("GET", path, NULL, 10, NULL);

  req("GET", "/metrics", NULL, 0, &r);
  assert_non_null(strstr(r.body, "chiapool_api_partials_total{result=\"accepted\"} 1\n"));
  done(&r);
}

static void test_partial_unknown_farmer(void **state)
{
  struct tf_farmer other = farmer;
  struct chia_partial_request *pr = malloc(sizeof *pr);
  struct chia_pos pos;
  uint8_t sp[32];
  char *json = NULL;
  (void)state;
  other.launcher_id[0] ^= 0xff;
  assert_int_equal(tf_find_proof(&farmer, consts_get("simulator"), sp, &pos), CP_OK);
  assert_int_equal(tf_partial(&other, &pos, sp, token_current(clock_unix_s(), 5), pr),
                   CP_OK);
  assert_int_equal(tf_partial_json(pr, &json), CP_OK);
  call_error("POST", "/partial", json, 10, NULL);
  free(json);
  free(pr);
}

/* One launcher flooding POST /partial is cut off by the per-launcher limit
 * (default burst 100, 5/s) with error 16, before any signature work; the
 * farmer behind another launcher is unaffected. */
static void test_partial_launcher_flood(void **state)
{
  struct tf_farmer other = farmer;
  struct chia_partial_request *pr = malloc(sizeof *pr);
  struct chia_pos pos;
  uint8_t sp[32];
  char *json = NULL;
  int unknown = 0, limited = 0;
  (void)state;
  other.launcher_id[1] ^= 0x5a;
  assert_int_equal(tf_find_proof(&farmer, consts_get("simulator"), sp, &pos), CP_OK);
  assert_int_equal(tf_partial(&other, &pos, sp, token_current(clock_unix_s(), 5), pr),
                   CP_OK);
  assert_int_equal(tf_partial_json(pr, &json), CP_OK);
  for (int i = 0; i < 130; i++) {
    struct reply r;
    req("POST", "/partial", json, -1, &r);
    assert_int_equal(r.status, 200);
    if (strstr(r.body, "\"error_code\":10"))
      unknown++;
    else if (strstr(r.body, "\"error_code\":16") && strstr(r.body, "launcher"))
      limited++;
    done(&r);
  }
  assert_int_equal(unknown + limited, 130);
  assert_true(unknown >= 100 && unknown < 125);
  assert_true(limited >= 5);
  free(json);
  free(pr);
  /* a different launcher still gets through to the pipeline */
  json = signed_partial(token_current(clock_unix_s(), 5), 0);
  {
    struct reply r;
    req("POST", "/partial", json, -1, &r);
    assert_string_equal(r.body, "{\"new_difficulty\":1}");
    done(&r);
  }
  free(json);
}

/* Several clients at once: every answer arrives, each exactly once, and
 * all distinct valid partials are accepted. */
#define CONC_THREADS 4
#define CONC_EACH 6

struct conc {
  pthread_t t;
  char *json[CONC_EACH];
  int ok;
};

static void *conc_main(void *arg)
{
  struct conc *c = arg;
  for (int i = 0; i < CONC_EACH; i++) {
    struct reply r;
    req("POST", "/partial", c->json[i], -1, &r);
    if (r.cc == CURLE_OK && r.status == 200 && !strcmp(r.body, "{\"new_difficulty\":1}"))
      c->ok++;
    done(&r);
  }
  return NULL;
}

static void test_partial_concurrent(void **state)
{
  struct conc c[CONC_THREADS];
  uint64_t token = token_current(clock_unix_s(), 5);
  int ok = 0;
  (void)state;
  memset(c, 0, sizeof c);
  for (int t = 0; t < CONC_THREADS; t++)
    for (int i = 0; i < CONC_EACH; i++)
      c[t].json[i] = signed_partial(token, 0);
  for (int t = 0; t < CONC_THREADS; t++)
    assert_int_equal(pthread_create(&c[t].t, NULL, conc_main, &c[t]), 0);
  for (int t = 0; t < CONC_THREADS; t++) {
    pthread_join(c[t].t, NULL);
    ok += c[t].ok;
    for (int i = 0; i < CONC_EACH; i++)
      free(c[t].json[i]);
  }
  assert_int_equal(ok, CONC_THREADS * CONC_EACH);
}

static void test_farmer_get(void **state)
{
  struct chia_auth_payload ap;
  struct bls_sig sig;
  uint8_t m[32];
  char lid[65], sighex[193], path[512];
  uint64_t token = token_current(clock_unix_s(), 5);
  struct reply r;
  json_t *j;
  (void)state;

  memset(&ap, 0, sizeof ap);
  snprintf(ap.method_name, sizeof ap.method_name, "get_farmer");
  memcpy(ap.launcher_id, farmer.launcher_id, 32);
  assert_int_equal(hex_decode_exact(ap.target_puzzle_hash, 32, TARGET_PH,
                                    strlen(TARGET_PH)), CP_OK);
  ap.authentication_token = token;
  assert_int_equal(chia_auth_payload_hash(&ap, m), CP_OK);
  bls_sign(&sig, &farmer.auth_sk, m, 32);
  hex_encode(lid, farmer.launcher_id, 32);
  hex_encode(sighex, sig.bytes, 96);
  snprintf(path, sizeof path, "/farmer?launcher_id=%s&authentication_token=%llu&signature=%s",
           lid, (unsigned long long)token, sighex);
  req("GET", path, NULL, 0, &r);
  assert_int_equal(r.status, 200);
  j = json_loads(r.body, 0, NULL);
  assert_non_null(j);
  if (json_object_get(j, "error_code"))
    fail_msg("GET /farmer: %s", r.body);
  {
    char pk[99];
    hex_encode0x(pk, farmer.auth_pk.bytes, 48);
    assert_string_equal(json_string_value(json_object_get(j, "authentication_public_key")),
                        pk);
  }
  assert_true(json_is_integer(json_object_get(j, "current_difficulty")));
  assert_true(json_is_integer(json_object_get(j, "current_points")));
  assert_true(json_is_string(json_object_get(j, "payout_instructions")));
  json_decref(j);
  done(&r);

  /* the main farmer's form: 0x prefixes and an empty authentication_token_v2 */
  snprintf(path, sizeof path, "/farmer?launcher_id=0x%s&authentication_token=%llu"
           "&signature=0x%s&authentication_token_v2=", lid, (unsigned long long)token, sighex);
  req("GET", path, NULL, 0, &r);
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body, "error_code"));
  done(&r);

  /* GET /login: same parameters, method "get_login" */
  snprintf(ap.method_name, sizeof ap.method_name, "get_login");
  assert_int_equal(chia_auth_payload_hash(&ap, m), CP_OK);
  bls_sign(&sig, &farmer.auth_sk, m, 32);
  hex_encode(sighex, sig.bytes, 96);
  snprintf(path, sizeof path, "/login?launcher_id=%s&authentication_token=%llu&signature=%s",
           lid, (unsigned long long)token, sighex);
  req("GET", path, NULL, 0, &r);
  assert_int_equal(r.status, 200);
  if (strstr(r.body, "error_code"))
    fail_msg("GET /login: %s", r.body);
  done(&r);
  /* a login signature is not a get_farmer signature */
  snprintf(path, sizeof path, "/farmer?launcher_id=%s&authentication_token=%llu&signature=%s",
           lid, (unsigned long long)token, sighex);
  call_error("GET", path, NULL, 7, NULL);
  snprintf(ap.method_name, sizeof ap.method_name, "get_farmer");
  assert_int_equal(chia_auth_payload_hash(&ap, m), CP_OK);
  bls_sign(&sig, &farmer.auth_sk, m, 32);
  hex_encode(sighex, sig.bytes, 96);

  /* wrong token, wrong signature, unknown farmer, garbage */
  snprintf(path, sizeof path, "/farmer?launcher_id=%s&authentication_token=%llu&signature=%s",
           lid, (unsigned long long)token + 1, sighex);
  call_error("GET", path, NULL, 7, NULL);
  snprintf(path, sizeof path, "/farmer?launcher_id=%s&authentication_token=1&signature=%s",
           lid, sighex);
  call_error("GET", path, NULL, 12, NULL);
  lid[0] = lid[0] == 'f' ? 'e' : 'f';
  snprintf(path, sizeof path, "/farmer?launcher_id=%s&authentication_token=%llu&signature=%s",
           lid, (unsigned long long)token, sighex);
  call_error("GET", path, NULL, 10, NULL);
  call_error("GET", "/farmer?launcher_id=zz&authentication_token=x&signature=y", NULL, 8, NULL);
  call_error("GET", "/farmer", NULL, 8, NULL);
  call_error("GET", "/login", NULL, 8, NULL);
}

static void test_farmer_post_put_hostile(void **state)
{
  (void)state;
  call_error("POST", "/farmer", "nope", 8, "JSON object");
  call_error("POST", "/farmer", "{\"payload\": []}", 8, "payload");
  call_error("PUT", "/farmer", "{}", 8, "payload");
  /* well-formed, but the launcher does not exist on the (fake) chain */
  {
    struct reply r;
    char body[1024], lid[65];
    json_t *j;
    hex_encode(lid, farmer.launcher_id, 32);
    lid[0] = lid[0] == 'f' ? 'e' : 'f';
    snprintf(body, sizeof body,
             "{\"payload\": {\"launcher_id\": \"0x%s\", \"authentication_token\": %llu,"
             "\"authentication_public_key\": \"0x%096d\", \"payout_instructions\": \"%064d\","
             "\"suggested_difficulty\": null}, \"signature\": \"0x%0192d\"}",
             lid, (unsigned long long)token_current(clock_unix_s(), 5), 0, 0, 0);
    req("POST", "/farmer", body, -1, &r);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body, 0, NULL);
    assert_non_null(j);
    assert_true(json_integer_value(json_object_get(j, "error_code")) > 0);
    json_decref(j);
    done(&r);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pool_info),
    cmocka_unit_test(test_transport),
    cmocka_unit_test(test_web),
    cmocka_unit_test(test_partial_hostile),
    cmocka_unit_test(test_partial_valid),
    cmocka_unit_test(test_partial_unknown_farmer),
    cmocka_unit_test(test_partial_concurrent),
    cmocka_unit_test(test_partial_launcher_flood),
    cmocka_unit_test(test_farmer_get),
    cmocka_unit_test(test_farmer_post_put_hostile),
  };
  int rc;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  rc = cmocka_run_group_tests(tests, setup, teardown);
  curl_global_cleanup();
  return rc;
}
