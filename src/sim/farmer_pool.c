/* The HTTP side of the simulated farmer: GET /pool_info, POST /farmer,
 * GET /farmer and POST /partial, with the headers and reactions of chia's
 * 2.7.3 farmer (pool-protocol.md §0, §10). */
#include "sim/farmer_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "chia/cjson.h"
#include "pool/token.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"

#define CHIA_VERSION "2.7.3"
#define HARVESTER_PROTOCOL_VERSION "0.0.36"

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
  struct buf *b = ud;

  return buf_append(b, p, sz * n) ? 0 : sz * n;
}

cp_err farmer__http(struct sim_farmer *f, const char *method, const char *path,
                    const char *query, const char *body, bool partial_headers,
                    json_t **resp)
{
  CURL *c = f->curl;
  struct curl_slist *hdr = NULL;
  char url[SIM_FARMER_URL_MAX + 1024];
  struct buf b;
  long status = 0;
  cp_err rc = CP_OK;

  if (!method) { /* close */
    curl_easy_cleanup(c);
    f->curl = NULL;
    return CP_OK;
  }
  *resp = NULL;
  if (!c && !(c = f->curl = curl_easy_init()))
    return CP_NOMEM;
  curl_easy_reset(c);
  if ((size_t)snprintf(url, sizeof url, "%s%s%s%s", f->url, path, query ? "?" : "",
                       query ? query : "") >= sizeof url)
    return CP_TOO_BIG;
  buf_init(&b, FARMER_HTTP_MAX);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  if (partial_headers) {
    hdr = curl_slist_append(hdr, "User-Agent: Chia Blockchain v." CHIA_VERSION);
    hdr = curl_slist_append(hdr, "chia-farmer-version: " CHIA_VERSION);
    hdr = curl_slist_append(hdr, "chia-harvester-version: " HARVESTER_PROTOCOL_VERSION);
  } else {
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Python/3.11 aiohttp/3.10.11");
  }
  if (body) {
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
  if (curl_easy_perform(c) != CURLE_OK) {
    rc = CP_RPC_TRANSPORT;
    goto out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 400) {
    rc = CP_RPC_TRANSPORT;
    goto out;
  }
  rc = cjson_loadb((const char *)b.data, b.len, FARMER_HTTP_MAX, resp);
  if (!rc && !json_is_object(*resp)) {
    json_decref(*resp);
    *resp = NULL;
    rc = CP_BAD_JSON;
  }
out:
  curl_slist_free_all(hdr);
  buf_release(&b);
  return rc;
}

enum pool_code farmer__code(const json_t *resp)
{
  uint64_t code;

  if (!json_object_get(resp, "error_code"))
    return POOL_OK;
  if (cjson_get_u64(resp, "error_code", POOL_CODE_LAST - 1, &code) || !code)
    return POOL_SERVER_EXCEPTION;
  return (enum pool_code)code;
}

static const char *err_msg(const json_t *resp)
{
  const char *m = json_string_value(json_object_get(resp, "error_message"));

  return m ? m : "";
}

cp_err sim_farmer_fetch_pool_info(struct sim_farmer *f)
{
  json_t *r = NULL;
  uint64_t lock, timeout;
  cp_err rc = farmer__http(f, "GET", "/pool_info", NULL, NULL, false, &r);

  if (rc)
    return rc;
  if (cjson_get_hex(r, "target_puzzle_hash", f->target_ph, 32) ||
      cjson_get_u64(r, "relative_lock_height", UINT32_MAX, &lock) ||
      cjson_get_u64(r, "minimum_difficulty", UINT64_MAX, &f->min_difficulty) ||
      cjson_get_u64(r, "authentication_token_timeout", 255, &timeout) || !timeout) {
    rc = CP_RPC_RESPONSE;
  } else {
    f->lock_height = (uint32_t)lock;
    f->token_timeout = (uint8_t)timeout;
    f->have_pool_info = true;
    pthread_mutex_lock(&f->mu);
    if (!f->st.difficulty)
      f->st.difficulty = f->min_difficulty ? f->min_difficulty : 1;
    pthread_mutex_unlock(&f->mu);
  }
  json_decref(r);
  return rc;
}

static uint64_t token_of(const struct sim_farmer *f)
{
  return token_current(clock_unix_s(), f->token_timeout ? f->token_timeout : 5);
}

static cp_err post_farmer(struct sim_farmer *f, enum pool_code *code)
{
  struct chia_post_farmer_request req;
  struct bls_sig sig;
  json_t *j = NULL, *r = NULL;
  struct buf b;
  const char *s;
  uint8_t m[32];
  cp_err rc;

  memset(&req, 0, sizeof req);
  memcpy(req.payload.launcher_id, f->id.launcher_id, 32);
  req.payload.authentication_token = token_of(f);
  memcpy(req.payload.authentication_public_key, f->auth_pk.bytes, 48);
  /* chia's default payout instructions: a puzzle hash as bare hex */
  hex_encode(req.payload.payout_instructions, f->wallet_ph, 32);
  rc = chia_post_farmer_payload_hash(&req.payload, m);
  if (rc)
    return rc;
  bls_sign(&sig, &f->owner_sk, m, 32);
  memcpy(req.signature, sig.bytes, BLS_SIG_SIZE);
  buf_init(&b, 64u << 10);
  rc = chia_post_farmer_request_to_json(&req, &j);
  if (!rc)
    rc = cjson_dump(j, &b);
  if (!rc)
    rc = buf_cstr(&b, &s);
  if (!rc)
    rc = farmer__http(f, "POST", "/farmer", NULL, s, false, &r);
  if (!rc) {
    *code = farmer__code(r);
    if (*code && *code != POOL_FARMER_ALREADY_KNOWN) {
      log_warn("farmer", "join_refused", "farmer=%s code=%s msg=\"%s\"", f->name,
               pool_code_name(*code), err_msg(r));
      rc = CP_RPC_ERROR;
    } else {
      log_info("farmer", "joined", "farmer=%s", f->name);
    }
  }
  json_decref(j);
  json_decref(r);
  buf_release(&b);
  return rc;
}

/* GET /farmer; *code gets the pool's answer. */
static cp_err get_farmer(struct sim_farmer *f, enum pool_code *code)
{
  struct chia_auth_payload ap;
  struct bls_sig sig;
  char q[512], lid[65], sh[2 * BLS_SIG_SIZE + 1];
  json_t *r = NULL;
  uint8_t m[32];
  uint64_t diff;
  cp_err rc;

  memset(&ap, 0, sizeof ap);
  snprintf(ap.method_name, sizeof ap.method_name, "get_farmer");
  memcpy(ap.launcher_id, f->id.launcher_id, 32);
  memcpy(ap.target_puzzle_hash, f->target_ph, 32);
  ap.authentication_token = token_of(f);
  rc = chia_auth_payload_hash(&ap, m);
  if (rc)
    return rc;
  bls_sign(&sig, &f->auth_sk, m, 32);
  hex_encode(lid, f->id.launcher_id, 32);
  hex_encode(sh, sig.bytes, BLS_SIG_SIZE);
  snprintf(q, sizeof q, "launcher_id=%s&authentication_token=%llu&signature=%s", lid,
           (unsigned long long)ap.authentication_token, sh);
  rc = farmer__http(f, "GET", "/farmer", q, NULL, false, &r);
  if (rc)
    return rc;
  *code = farmer__code(r);
  if (!*code) {
    if (cjson_get_u64(r, "current_difficulty", UINT64_MAX, &diff) || !diff) {
      rc = CP_RPC_RESPONSE;
    } else {
      pthread_mutex_lock(&f->mu);
      if (f->st.difficulty != diff)
        f->st.difficulty_changes++;
      f->st.difficulty = diff;
      pthread_mutex_unlock(&f->mu);
    }
  }
  json_decref(r);
  return rc;
}

void farmer__refresh(struct sim_farmer *f)
{
  enum pool_code code = POOL_OK;
  cp_err rc = get_farmer(f, &code);

  f->next_refresh_ms = clock_unix_ms() + f->cfg.refresh_ms;
  if (rc) {
    log_warn("farmer", "get_farmer_failed", "farmer=%s err=%s", f->name, cp_errname(rc));
    return;
  }
  /* 2.7.3: unknown -> register again; other errors are logged */
  if (code == POOL_FARMER_NOT_KNOWN && !post_farmer(f, &code))
    (void)get_farmer(f, &code);
  else if (code)
    log_warn("farmer", "get_farmer_refused", "farmer=%s code=%s", f->name,
             pool_code_name(code));
}

cp_err sim_farmer_join(struct sim_farmer *f, enum pool_code *code)
{
  enum pool_code c = POOL_OK;
  cp_err rc;

  if (!f->have_nft || !f->have_pool_info)
    return CP_INVAL;
  rc = post_farmer(f, &c);
  if (!rc) {
    rc = get_farmer(f, &c);
    if (!rc && c)
      rc = CP_RPC_ERROR;
  }
  f->next_refresh_ms = clock_unix_ms() + f->cfg.refresh_ms;
  if (code)
    *code = c;
  return rc;
}

void farmer__send_partial(struct sim_farmer *f, const char *body)
{
  json_t *r = NULL;
  enum pool_code code;
  uint64_t nd = 0;
  cp_err rc;

  pthread_mutex_lock(&f->mu);
  f->st.partials_sent++;
  pthread_mutex_unlock(&f->mu);
  rc = farmer__http(f, "POST", "/partial", NULL, body, true, &r);
  if (rc) {
    pthread_mutex_lock(&f->mu);
    f->st.transport_errors++;
    pthread_mutex_unlock(&f->mu);
    log_warn("farmer", "partial_transport", "farmer=%s err=%s", f->name, cp_errname(rc));
    return;
  }
  code = farmer__code(r);
  if (!code && cjson_get_u64(r, "new_difficulty", UINT64_MAX, &nd))
    code = POOL_SERVER_EXCEPTION;
  pthread_mutex_lock(&f->mu);
  if (code) {
    f->st.rejected[code]++;
  } else {
    f->st.accepted++;
    f->st.points_acknowledged += nd;
    if (nd && nd != f->st.difficulty) {
      f->st.difficulty = nd;
      f->st.difficulty_changes++;
    }
  }
  pthread_mutex_unlock(&f->mu);
  if (code) {
    log_info("farmer", "partial_rejected", "farmer=%s code=%s msg=\"%s\"", f->name,
             pool_code_name(code), err_msg(r));
    /* 2.7.3: not good enough -> pick up the pool's difficulty now */
    if (code == POOL_PROOF_NOT_GOOD_ENOUGH)
      farmer__refresh(f);
  }
  json_decref(r);
}
