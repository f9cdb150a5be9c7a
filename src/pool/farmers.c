#include "pool/farmers.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chia/bech32m.h"
#include "chia/cjson.h"
#include "crypto/bls.h"
#include "plotnft/state.h"
#include "pool/leader.h"
#include "pool/partials.h"
#include "pool/protocol.h"
#include "pool/singleton.h"
#include "pool/token.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

/* pool_server.py refuses plot NFTs whose reward address can be swept back
 * by the farmer sooner than this. */
#define FARMERS_MIN_DELAY_TIME 3600u
/* GET /login lists at most this many recent partials (reference: 20). */
#define FARMERS_LOGIN_PARTIALS 20
struct farmers {
  struct farmers_deps d;
  pthread_mutex_t mu;         /* refresher state */
  pthread_cond_t cv;
  pthread_t thr;
  int thr_started;
  int stop;
  unsigned interval_s;
  struct metric *m_registered;
  struct metric *m_updated;
  struct metric *m_changed;
};

/* ---- small helpers ---- */

static json_t *errf(enum pool_code c, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
static json_t *errf(enum pool_code c, const char *fmt, ...)
{
  char msg[256];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return pool_error_json(c, msg);
}

/* Handlers hand back a body or an internal error: a NULL body is OOM. */
static cp_err reply(json_t **resp, json_t *body)
{
  *resp = body;
  return body ? CP_OK : CP_NOMEM;
}

static void hex32(char out[65], const uint8_t in[32])
{
  hex_encode(out, in, 32);
}

/* Chain answers that mean "this is not a valid plot NFT for us" (14), as
 * opposed to the node or the store failing (8). */
static int walk_invalid(cp_err rc)
{
  return rc == CP_NOT_FOUND || rc == CP_BAD_SINGLETON || rc == CP_TOO_BIG ||
         rc == CP_CLVM_SERIAL || rc == CP_BAD_STREAMABLE;
}

static int sig_ok(const uint8_t pk_bytes[48], const uint8_t msg[32],
                  const uint8_t sig_bytes[96])
{
  struct bls_pk pk;
  struct bls_sig sig;

  if (bls_pk_decode(&pk, pk_bytes, 48) || bls_sig_decode(&sig, sig_bytes, 96))
    return 0;
  return bls_verify(&pk, msg, 32, &sig) == CP_OK;
}

static int g1_valid(const uint8_t b[48])
{
  struct bls_pk pk;
  return !bls_pk_decode(&pk, b, 48) && !bls_pk_is_infinity(&pk);
}

cp_err farmers_payout_puzzle_hash(const char *payout, const struct chia_consts *net,
                                  uint8_t out[32])
{
  size_t len = payout ? strlen(payout) : 0;

  if (!len || len > STORE_PAYOUT_INSTRUCTIONS_MAX)
    return CP_INVAL;
  if (!bech32m_decode_ph_expect(payout, len, net->address_prefix, out))
    return CP_OK;
  if (!hex_decode_exact(out, 32, payout, len))
    return CP_OK;
  return CP_INVAL;
}

static void singleton_walk_init(const struct farmers *f, uint32_t peak,
                                struct singleton_walk *w)
{
  memset(w, 0, sizeof *w);
  w->peak = peak;
  w->confirm_threshold = f->d.cfg->confirmation_security_threshold;
  w->genesis = f->d.net->genesis_challenge;
}

static bool is_member(const struct farmers *f, const struct singleton_result *r,
                      uint32_t peak)
{
  return singleton_is_member(&r->latest_state, r->tip_confirmed, peak,
                             f->d.cfg->default_target_puzzle_hash,
                             f->d.cfg->relative_lock_height);
}

/* ---- lifecycle ---- */

cp_err farmers_new(const struct farmers_deps *d, struct farmers **out)
{
  struct farmers *f;

  *out = NULL;
  if (!d || !d->cfg || !d->net || !d->store || !d->chain || !d->chain->ops)
    return CP_INVAL;
  f = xcalloc(1, sizeof *f);
  f->d = *d;
  pthread_mutex_init(&f->mu, NULL);
  pthread_cond_init(&f->cv, NULL);
  if (d->metrics) {
    f->m_registered = metrics_counter(d->metrics, "farmers_registered_total",
                                      "Farmers registered by POST /farmer", NULL, NULL);
    f->m_updated = metrics_counter(d->metrics, "farmers_updated_total",
                                   "Accepted PUT /farmer requests", NULL, NULL);
    f->m_changed = metrics_counter(d->metrics, "farmers_singleton_changes_total",
                                   "Stored singleton tips or memberships changed",
                                   NULL, NULL);
  }
  *out = f;
  return CP_OK;
}

void farmers_stop_refresher(struct farmers *f)
{
  if (!f || !f->thr_started)
    return;
  pthread_mutex_lock(&f->mu);
  f->stop = 1;
  pthread_cond_broadcast(&f->cv);
  pthread_mutex_unlock(&f->mu);
  pthread_join(f->thr, NULL);
  f->thr_started = 0;
}

void farmers_free(struct farmers *f)
{
  if (!f)
    return;
  farmers_stop_refresher(f);
  pthread_cond_destroy(&f->cv);
  pthread_mutex_destroy(&f->mu);
  free(f);
}

/* ---- following known farmers ---- */

/* Re-follow one stored farmer and persist what changed (buried tip, state,
 * membership), as the reference does on every validation. *member gets the
 * current membership; an invalid lineage counts as not a member and keeps
 * the stored tip. *changed (may be NULL) says whether anything was written.
 * On CP_OK with res_out non-NULL the walk result is handed over (valid only
 * if *valid). */
static cp_err follow_known(struct farmers *f, const struct store_farmer *rec,
                           uint32_t peak, int *valid, int *member, int *changed,
                           struct singleton_result *res_out)
{
  struct singleton_walk w;
  struct singleton_result res;
  struct plotnft_id id;
  struct buf tip, st;
  cp_err rc;

  buf_init(&tip, STORE_BLOB_MAX);
  buf_init(&st, STORE_BLOB_MAX);
  memset(&res, 0, sizeof res);
  *valid = 0;
  *member = 0;
  if (changed)
    *changed = 0;
  memcpy(id.launcher_id, rec->launcher_id, 32);
  id.delay_time = rec->delay_time;
  memcpy(id.delay_ph, rec->delay_puzzle_hash, 32);
  singleton_walk_init(f, peak, &w);
  rc = singleton_follow_tip(f->d.chain, &id, rec->singleton_tip, rec->singleton_tip_len,
                            rec->singleton_tip_state, rec->singleton_tip_state_len,
                            &w, &res);
  if (rc && !walk_invalid(rc))
    goto out;
  if (rc == CP_TOO_BIG) {
    /* A history longer than one walk is not proof of leaving: keep the
     * stored membership and let the caller treat it as unverified. */
    *member = rec->is_pool_member != 0;
    rc = CP_OK;
    goto out;
  }
  if (rc) {
    char h[65];
    hex32(h, rec->launcher_id);
    log_warn("farmers", "singleton_invalid", "launcher_id=%s err=%s", h, cp_errname(rc));
    rc = CP_OK;
    if (rec->is_pool_member) {
      rc = store_farmer_set_singleton(f->d.store, rec->launcher_id, rec->singleton_tip,
                                      rec->singleton_tip_len, rec->singleton_tip_state,
                                      rec->singleton_tip_state_len, 0);
      if (!rc && changed)
        *changed = 1;
    }
    goto out;
  }
  *valid = 1;
  *member = is_member(f, &res, peak);
  if ((rc = chia_coin_spend_write(&res.buried_tip, &tip)) ||
      (rc = chia_pool_state_write(&res.buried_state, &st)))
    goto out;
  if (tip.len != rec->singleton_tip_len || st.len != rec->singleton_tip_state_len ||
      memcmp(tip.data, rec->singleton_tip, tip.len) ||
      memcmp(st.data, rec->singleton_tip_state, st.len) ||
      !*member != !rec->is_pool_member) {
    rc = store_farmer_set_singleton(f->d.store, rec->launcher_id, tip.data, tip.len,
                                    st.data, st.len, *member);
    if (rc)
      goto out;
    if (changed)
      *changed = 1;
  }
out:
  if (!rc && *valid && res_out) {
    *res_out = res;
    memset(&res, 0, sizeof res);
  }
  singleton_result_release(&res);
  buf_release(&tip);
  buf_release(&st);
  return rc;
}

/* ---- POST /farmer ---- */

cp_err farmers_post(struct farmers *f, const json_t *body, uint64_t now, json_t **resp)
{
  const struct pool_config *cfg = f->d.cfg;
  struct chia_post_farmer_request req;
  struct chia_post_farmer_payload *p = &req.payload;
  struct store_farmer rec, old;
  struct singleton_result res;
  struct singleton_walk w;
  struct buf tip, st;
  uint8_t msg[32], payout_ph[32];
  uint64_t difficulty;
  uint32_t peak;
  char lid[65];
  cp_err rc;

  *resp = NULL;
  memset(&res, 0, sizeof res);
  memset(&old, 0, sizeof old);
  buf_init(&tip, STORE_BLOB_MAX);
  buf_init(&st, STORE_BLOB_MAX);
  if (!body || chia_post_farmer_request_from_json(body, &req)) {
    rc = reply(resp, errf(POOL_SERVER_EXCEPTION, "malformed POST /farmer request: expected "
                          "{\"payload\": PostFarmerPayload, \"signature\": G2 hex}"));
    goto out;
  }
  hex32(lid, p->launcher_id);
  if (!g1_valid(p->authentication_public_key)) {
    rc = reply(resp, errf(POOL_SERVER_EXCEPTION,
                          "authentication_public_key is not a valid G1 point"));
    goto out;
  }
  if (!token_valid(p->authentication_token, now, cfg->authentication_token_timeout)) {
    rc = reply(resp, errf(POOL_INVALID_AUTHENTICATION_TOKEN,
                          "Invalid authentication token %llu",
                          (unsigned long long)p->authentication_token));
    goto out;
  }
  rc = store_farmer_get(f->d.store, p->launcher_id, &old);
  if (rc == CP_OK) {
    rc = reply(resp, errf(POOL_FARMER_ALREADY_KNOWN, "Farmer with launcher_id %s already "
                          "known.", lid));
    goto out;
  }
  if (rc != CP_NOT_FOUND)
    goto out;
  if ((rc = singleton_peak(f->d.chain, &peak)))
    goto out;
  singleton_walk_init(f, peak, &w);
  rc = singleton_follow_launcher(f->d.chain, p->launcher_id, &w, &res);
  if (rc && walk_invalid(rc)) {
    rc = reply(resp, errf(POOL_INVALID_SINGLETON, "Invalid singleton %s (%s)", lid,
                          cp_errname(rc)));
    goto out;
  }
  if (rc)
    goto out;
  difficulty = cfg->default_difficulty;
  if (p->has_suggested_difficulty && cfg->accept_suggested_difficulty &&
      p->suggested_difficulty >= cfg->min_difficulty &&
      (!cfg->max_difficulty || p->suggested_difficulty <= cfg->max_difficulty))
    difficulty = p->suggested_difficulty;
  if (farmers_payout_puzzle_hash(p->payout_instructions, f->d.net, payout_ph)) {
    rc = reply(resp, errf(POOL_INVALID_PAYOUT_INSTRUCTIONS, "Payout instructions must be "
                          "a %s address or a 32-byte puzzle hash in hex",
                          f->d.net->address_prefix));
    goto out;
  }
  if ((rc = chia_post_farmer_payload_hash(p, msg)))
    goto out;
  if (!sig_ok(res.buried_state.owner_pubkey, msg, req.signature)) {
    rc = reply(resp, errf(POOL_INVALID_SIGNATURE, "Invalid signature: not signed by the "
                          "singleton's owner key"));
    goto out;
  }
  if (res.id.delay_time < FARMERS_MIN_DELAY_TIME) {
    rc = reply(resp, errf(POOL_DELAY_TIME_TOO_SHORT, "Delay time too short, must be at "
                          "least %u seconds", FARMERS_MIN_DELAY_TIME));
    goto out;
  }
  if ((rc = chia_coin_spend_write(&res.buried_tip, &tip)) ||
      (rc = chia_pool_state_write(&res.buried_state, &st)))
    goto out;
  memset(&rec, 0, sizeof rec);
  memcpy(rec.launcher_id, p->launcher_id, 32);
  plotnft_p2_hash(&res.id, rec.p2_singleton_puzzle_hash);
  rec.delay_time = res.id.delay_time;
  memcpy(rec.delay_puzzle_hash, res.id.delay_ph, 32);
  memcpy(rec.authentication_public_key, p->authentication_public_key, 48);
  rec.singleton_tip = tip.data;
  rec.singleton_tip_len = tip.len;
  rec.singleton_tip_state = st.data;
  rec.singleton_tip_state_len = st.len;
  rec.difficulty = difficulty;
  /* Kept as sent: GET /farmer must echo it or the farmer PUTs forever. */
  memcpy(rec.payout_instructions, p->payout_instructions,
         strlen(p->payout_instructions) + 1);
  rec.is_pool_member = is_member(f, &res, peak);
  rec.joined_at = now;
  rec.last_difficulty_change_at = now;
  rc = store_farmer_add(f->d.store, &rec);
  if (rc == CP_EXISTS) {
    /* lost a race with another POST, or the p2 address is taken */
    rc = reply(resp, errf(POOL_FARMER_ALREADY_KNOWN, "Farmer with launcher_id %s already "
                          "known.", lid));
    goto out;
  }
  if (rc)
    goto out;
  metric_add(f->m_registered, 1);
  log_info("farmers", "registered", "launcher_id=%s difficulty=%llu member=%d", lid,
           (unsigned long long)difficulty, rec.is_pool_member);
  rc = reply(resp, json_pack("{s:s}", "welcome_message", cfg->welcome_message));
out:
  store_farmer_release(&old);
  singleton_result_release(&res);
  buf_release(&tip);
  buf_release(&st);
  return rc;
}

/* ---- PUT /farmer ---- */

static cp_err put_verify(const struct chia_put_farmer_request *req, bool v2,
                         const uint8_t owner[48], int *ok)
{
  uint8_t msg[32];
  cp_err rc;

  *ok = 0;
  if (v2) {
    /* main farmers sign all six fields */
    if ((rc = chia_put_farmer_payload_v2_hash(&req->payload, msg)))
      return rc;
    if (sig_ok(owner, msg, req->signature)) {
      *ok = 1;
      return CP_OK;
    }
  }
  /* released farmers sign five; a v2 payload may come from a farmer that
   * only forwards the extra key, so it falls back to five as well */
  if ((rc = chia_put_farmer_payload_hash(&req->payload, msg)))
    return rc;
  *ok = sig_ok(owner, msg, req->signature);
  return CP_OK;
}

static int set_tristate(json_t *o, const char *key, int present, int value)
{
  return json_object_set_new(o, key, present ? json_boolean(value) : json_null());
}

cp_err farmers_put(struct farmers *f, const json_t *body, uint64_t now, json_t **resp)
{
  const struct pool_config *cfg = f->d.cfg;
  struct chia_put_farmer_request req;
  struct chia_put_farmer_payload *p = &req.payload;
  struct singleton_result res;
  struct store_farmer rec;
  uint8_t payout_ph[32];
  uint64_t cool_until = 0;
  int valid = 0, member = 0, ok = 0;
  int auth_new = 0, payout_new = 0, diff_new = 0;
  uint32_t peak;
  bool v2 = false;
  char lid[65];
  json_t *o;
  cp_err rc;

  *resp = NULL;
  memset(&res, 0, sizeof res);
  memset(&rec, 0, sizeof rec);
  if (!body || chia_put_farmer_request_from_json_any(body, &req, &v2)) {
    rc = reply(resp, errf(POOL_SERVER_EXCEPTION, "malformed PUT /farmer request: expected "
                          "{\"payload\": PutFarmerPayload, \"signature\": G2 hex}"));
    goto out;
  }
  hex32(lid, p->launcher_id);
  if (p->has_authentication_public_key && !g1_valid(p->authentication_public_key)) {
    rc = reply(resp, errf(POOL_SERVER_EXCEPTION,
                          "authentication_public_key is not a valid G1 point"));
    goto out;
  }
  if (!token_valid(p->authentication_token, now, cfg->authentication_token_timeout)) {
    rc = reply(resp, errf(POOL_INVALID_AUTHENTICATION_TOKEN,
                          "Invalid authentication token %llu",
                          (unsigned long long)p->authentication_token));
    goto out;
  }
  /* In the store, not in memory: the cooldown holds across restarts and
   * whichever front end the farmer's next PUT reaches. */
  if ((rc = store_cooldown_get(f->d.store, p->launcher_id, &cool_until)))
    goto out;
  if (cool_until > now) {
    rc = reply(resp, errf(POOL_REQUEST_FAILED, "Cannot update farmer yet."));
    goto out;
  }
  rc = store_farmer_get(f->d.store, p->launcher_id, &rec);
  if (rc == CP_NOT_FOUND) {
    rc = reply(resp, errf(POOL_FARMER_NOT_KNOWN, "Farmer with launcher_id %s not known.",
                          lid));
    goto out;
  }
  if (rc || (rc = singleton_peak(f->d.chain, &peak)))
    goto out;
  if ((rc = follow_known(f, &rec, peak, &valid, &member, NULL, &res)))
    goto out;
  if (!valid) {
    rc = reply(resp, errf(POOL_INVALID_SINGLETON, "Invalid singleton %s", lid));
    goto out;
  }
  if ((rc = put_verify(&req, v2, res.buried_state.owner_pubkey, &ok)))
    goto out;
  if (!ok) {
    rc = reply(resp, errf(POOL_INVALID_SIGNATURE, "Invalid signature: not signed by the "
                          "singleton's owner key"));
    goto out;
  }
  /* Validate everything before writing anything: a 13 changes nothing. */
  if (p->has_payout_instructions &&
      farmers_payout_puzzle_hash(p->payout_instructions, f->d.net, payout_ph)) {
    rc = reply(resp, errf(POOL_INVALID_PAYOUT_INSTRUCTIONS, "Payout instructions must be "
                          "a %s address or a 32-byte puzzle hash in hex",
                          f->d.net->address_prefix));
    goto out;
  }
  auth_new = p->has_authentication_public_key &&
             memcmp(p->authentication_public_key, rec.authentication_public_key, 48);
  payout_new = p->has_payout_instructions &&
               strcmp(p->payout_instructions, rec.payout_instructions);
  diff_new = p->has_suggested_difficulty && cfg->accept_suggested_difficulty &&
             p->suggested_difficulty != rec.difficulty &&
             p->suggested_difficulty >= cfg->min_difficulty &&
             (!cfg->max_difficulty || p->suggested_difficulty <= cfg->max_difficulty);
  if (diff_new) {
    /* Taken before anything is written: of two PUTs racing on two front
     * ends one changes the difficulty, the other gets 16 and changes
     * nothing. */
    int taken = 0;
    if ((rc = store_cooldown_take(f->d.store, p->launcher_id, now,
                                  now + cfg->farmer_update_cooldown, &taken)))
      goto out;
    if (!taken) {
      rc = reply(resp, errf(POOL_REQUEST_FAILED, "Cannot update farmer yet."));
      goto out;
    }
  }
  if (auth_new || payout_new) {
    rc = store_farmer_set_auth(f->d.store, p->launcher_id,
                               payout_new ? p->payout_instructions : NULL,
                               auth_new ? p->authentication_public_key : NULL);
    if (rc)
      goto out;
  }
  if (diff_new) {
    if ((rc = store_farmer_set_difficulty(f->d.store, p->launcher_id,
                                          p->suggested_difficulty, now)))
      goto out;
  }
  metric_add(f->m_updated, 1);
  log_info("farmers", "updated", "launcher_id=%s auth=%d payout=%d difficulty=%d", lid,
           auth_new, payout_new, diff_new);
  o = json_object();
  if (!o || set_tristate(o, "authentication_public_key", p->has_authentication_public_key,
                         auth_new) ||
      set_tristate(o, "payout_instructions", p->has_payout_instructions, payout_new) ||
      set_tristate(o, "suggested_difficulty", p->has_suggested_difficulty, diff_new)) {
    json_decref(o);
    rc = CP_NOMEM;
    goto out;
  }
  rc = reply(resp, o);
out:
  singleton_result_release(&res);
  store_farmer_release(&rec);
  return rc;
}

/* ---- GET /farmer, GET /login ---- */

/* Query values, checked before anything else; an error body on failure. */
static json_t *parse_query(const char *launcher_id, const char *token, const char *signature,
                           uint8_t lid[32], uint64_t *tok, uint8_t sig[96])
{
  if (!launcher_id || !token || !signature)
    return errf(POOL_SERVER_EXCEPTION, "missing parameter: launcher_id, "
                "authentication_token and signature are required");
  if (strlen(launcher_id) > 66 || hex_decode_exact(lid, 32, launcher_id, strlen(launcher_id)))
    return errf(POOL_SERVER_EXCEPTION, "launcher_id must be 32 bytes of hex");
  if (parse_u64_cstr(token, UINT64_MAX, tok))
    return errf(POOL_SERVER_EXCEPTION, "authentication_token must be a decimal integer");
  if (strlen(signature) > 194 || hex_decode_exact(sig, 96, signature, strlen(signature)))
    return errf(POOL_SERVER_EXCEPTION, "signature must be 96 bytes of hex");
  return NULL;
}

/* Shared by GET /farmer and GET /login up to the signature check: *rec is
 * filled on CP_OK with *resp NULL; otherwise *resp is the error body. */
static cp_err auth_get(struct farmers *f, const char *method, const char *launcher_id,
                       const char *token, const char *signature, uint64_t now,
                       struct store_farmer *rec, json_t **resp)
{
  struct chia_auth_payload ap;
  uint8_t lid[32], sig[96], msg[32];
  uint64_t tok;
  json_t *e;
  char h[65];
  cp_err rc;

  *resp = NULL;
  memset(rec, 0, sizeof *rec);
  if ((e = parse_query(launcher_id, token, signature, lid, &tok, sig)))
    return reply(resp, e);
  if (!token_valid(tok, now, f->d.cfg->authentication_token_timeout))
    return reply(resp, errf(POOL_INVALID_AUTHENTICATION_TOKEN,
                            "Invalid authentication token %llu", (unsigned long long)tok));
  rc = store_farmer_get(f->d.store, lid, rec);
  if (rc == CP_NOT_FOUND) {
    hex32(h, lid);
    return reply(resp, errf(POOL_FARMER_NOT_KNOWN, "Farmer with launcher_id %s not known.",
                            h));
  }
  if (rc)
    return rc;
  memset(&ap, 0, sizeof ap);
  snprintf(ap.method_name, sizeof ap.method_name, "%s", method);
  memcpy(ap.launcher_id, lid, 32);
  memcpy(ap.target_puzzle_hash, f->d.cfg->default_target_puzzle_hash, 32);
  ap.authentication_token = tok;
  if ((rc = chia_auth_payload_hash(&ap, msg)))
    goto fail;
  if (!sig_ok(rec->authentication_public_key, msg, sig)) {
    rc = reply(resp, errf(POOL_INVALID_SIGNATURE, "Failed to verify signature %s for "
                          "launcher_id %s", signature, launcher_id));
    goto fail;
  }
  return CP_OK;
fail:
  store_farmer_release(rec);
  return rc;
}

/* A farmer who stopped being a member has nothing that re-follows it (the
 * refresher walks members only): its own authenticated GET, at most every
 * few minutes, notices a return to the pool. Failures are only logged. */
static void refollow_nonmember(struct farmers *f, const struct store_farmer *rec)
{
  int valid, member, changed;
  uint32_t peak;
  cp_err rc;

  if (rec->is_pool_member)
    return;
  rc = singleton_peak(f->d.chain, &peak);
  if (!rc)
    rc = follow_known(f, rec, peak, &valid, &member, &changed, NULL);
  if (rc) {
    char h[65];
    hex32(h, rec->launcher_id);
    log_warn("farmers", "refollow_failed", "launcher_id=%s err=%s", h, cp_errname(rc));
  } else if (changed) {
    metric_add(f->m_changed, 1);
  }
}

cp_err farmers_get(struct farmers *f, const char *launcher_id, const char *token,
                   const char *signature, uint64_t now, json_t **resp)
{
  struct store_farmer rec;
  json_t *o = NULL;
  cp_err rc;

  rc = auth_get(f, "get_farmer", launcher_id, token, signature, now, &rec, resp);
  if (rc || *resp)
    return rc;
  o = json_object();
  if (!o || cjson_set_hex(o, "authentication_public_key", rec.authentication_public_key,
                          48) ||
      cjson_set_str(o, "payout_instructions", rec.payout_instructions,
                    strlen(rec.payout_instructions)) ||
      cjson_set_u64(o, "current_difficulty", rec.difficulty) ||
      cjson_set_u64(o, "current_points", rec.points)) {
    json_decref(o);
    o = NULL;
    rc = CP_NOMEM;
    goto out;
  }
  refollow_nonmember(f, &rec);
  rc = reply(resp, o);
out:
  store_farmer_release(&rec);
  return rc;
}

/* FarmerRecord.to_json_dict() of the reference, from the stored record. */
static cp_err farmer_record_json(const struct store_farmer *rec, json_t **out)
{
  struct chia_coin_spend cs;
  struct chia_pool_state ps;
  json_t *o = json_object(), *v = NULL;
  cp_err rc = CP_NOMEM;

  memset(&cs, 0, sizeof cs);
  if (!o)
    goto out;
  if (cjson_set_hex(o, "launcher_id", rec->launcher_id, 32) ||
      cjson_set_hex(o, "p2_singleton_puzzle_hash", rec->p2_singleton_puzzle_hash, 32) ||
      cjson_set_u64(o, "delay_time", rec->delay_time) ||
      cjson_set_hex(o, "delay_puzzle_hash", rec->delay_puzzle_hash, 32) ||
      cjson_set_hex(o, "authentication_public_key", rec->authentication_public_key, 48))
    goto out;
  if (rec->singleton_tip &&
      !chia_coin_spend_parse(rec->singleton_tip, rec->singleton_tip_len, &cs)) {
    if ((rc = chia_coin_spend_to_json(&cs, &v)))
      goto out;
  } else {
    v = json_null();
  }
  if (json_object_set_new(o, "singleton_tip", v)) {
    rc = CP_NOMEM;
    goto out;
  }
  v = NULL;
  if (rec->singleton_tip_state &&
      !chia_pool_state_parse(rec->singleton_tip_state, rec->singleton_tip_state_len, &ps)) {
    if ((rc = chia_pool_state_to_json(&ps, &v)))
      goto out;
  } else {
    v = json_null();
  }
  rc = CP_NOMEM;
  if (json_object_set_new(o, "singleton_tip_state", v))
    goto out;
  if (cjson_set_u64(o, "points", rec->points) ||
      cjson_set_u64(o, "difficulty", rec->difficulty) ||
      cjson_set_str(o, "payout_instructions", rec->payout_instructions,
                    strlen(rec->payout_instructions)) ||
      cjson_set_bool(o, "is_pool_member", rec->is_pool_member != 0))
    goto out;
  rc = CP_OK;
out:
  chia_coin_spend_release(&cs);
  if (rc) {
    json_decref(o);
    o = NULL;
  }
  *out = o;
  return rc;
}

cp_err farmers_login(struct farmers *f, const char *launcher_id, const char *token,
                     const char *signature, uint64_t now, json_t **resp)
{
  struct store_partial_point pts[FARMERS_LOGIN_PARTIALS];
  struct store_farmer rec;
  json_t *o = NULL, *fr = NULL, *list = NULL;
  size_t n = 0;
  cp_err rc;

  rc = auth_get(f, "get_login", launcher_id, token, signature, now, &rec, resp);
  if (rc || *resp)
    return rc;
  if ((rc = store_partial_recent(f->d.store, rec.launcher_id, FARMERS_LOGIN_PARTIALS, pts,
                                 &n)))
    goto out;
  if ((rc = farmer_record_json(&rec, &fr)))
    goto out;
  rc = CP_NOMEM;
  if (!(list = json_array()))
    goto out;
  for (size_t i = 0; i < n; i++) {
    json_t *pair = json_array();
    if (!pair || json_array_append_new(pair, cjson_u64(pts[i].timestamp)) ||
        json_array_append_new(pair, cjson_u64(pts[i].difficulty)) ||
        json_array_append_new(list, pair))
      goto out;
  }
  if (!(o = json_object()) || json_object_set_new(o, "farmer_record", fr)) {
    fr = NULL;
    goto out;
  }
  fr = NULL;
  if (json_object_set_new(o, "recent_partials", list)) {
    list = NULL;
    goto out;
  }
  list = NULL;
  rc = reply(resp, o);
  o = NULL;
out:
  json_decref(o);
  json_decref(fr);
  json_decref(list);
  store_farmer_release(&rec);
  return rc;
}

/* ---- refresher ---- */

/* Members followed at once: each walk is mostly node round trips, so a
 * few in flight hide latency without crowding out partials' node jobs
 * (the node class is capped at half the worker pool anyway). */
#define FARMERS_REFRESH_INFLIGHT 8

/* One refresh pass shared by its jobs; mu guards everything below it. */
struct refresh_pass {
  struct farmers *f;
  uint32_t peak;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t inflight;
  size_t changed;
  cp_err rc; /* the first failure; no new jobs after it */
};

struct refresh_job {
  struct refresh_pass *pass;
  const struct store_farmer *rec;
  size_t changed;
  cp_err rc;
};

static cp_err refresh_one(struct farmers *f, const struct store_farmer *rec,
                          uint32_t peak, size_t *changed)
{
  int valid, member, ch;
  cp_err rc = follow_known(f, rec, peak, &valid, &member, &ch, NULL);
  if (rc)
    return rc;
  if (ch)
    (*changed)++;
  if (!member) {
    char h[65];
    hex32(h, rec->launcher_id);
    log_info("farmers", "left_pool", "launcher_id=%s valid=%d", h, valid);
  }
  return CP_OK;
}

static void refresh_work(void *ctx)
{
  struct refresh_job *j = ctx;
  j->rc = refresh_one(j->pass->f, j->rec, j->pass->peak, &j->changed);
}

static void refresh_done(void *ctx, cp_err status)
{
  struct refresh_job *j = ctx;
  struct refresh_pass *ps = j->pass;
  pthread_mutex_lock(&ps->mu);
  ps->changed += j->changed;
  if (!ps->rc)
    ps->rc = status ? status : j->rc;
  ps->inflight--;
  pthread_cond_signal(&ps->cv);
  pthread_mutex_unlock(&ps->mu);
  free(j);
}

/* Follows l's members through the worker pool, at most
 * FARMERS_REFRESH_INFLIGHT at a time; waits for all of them. */
static cp_err refresh_concurrent(struct farmers *f, const struct store_farmer_list *l,
                                 uint32_t peak, size_t *changed)
{
  struct refresh_pass ps = { .f = f, .peak = peak };
  cp_err rc;

  pthread_mutex_init(&ps.mu, NULL);
  pthread_cond_init(&ps.cv, NULL);
  pthread_mutex_lock(&ps.mu);
  for (size_t i = 0; i < l->n && !ps.rc; i++) {
    struct refresh_job *j;
    while (ps.inflight >= FARMERS_REFRESH_INFLIGHT)
      pthread_cond_wait(&ps.cv, &ps.mu);
    if (ps.rc)
      break;
    j = xcalloc(1, sizeof *j);
    j->pass = &ps;
    j->rec = &l->items[i];
    ps.inflight++;
    pthread_mutex_unlock(&ps.mu);
    rc = workq_submit(f->d.workq, PARTIALS_CLASS_NODE, refresh_work, refresh_done, j);
    if (rc) {
      /* queue full: this one on our own thread rather than skip it */
      refresh_work(j);
      refresh_done(j, CP_OK);
    }
    pthread_mutex_lock(&ps.mu);
  }
  while (ps.inflight)
    pthread_cond_wait(&ps.cv, &ps.mu);
  pthread_mutex_unlock(&ps.mu);
  pthread_cond_destroy(&ps.cv);
  pthread_mutex_destroy(&ps.mu);
  *changed = ps.changed;
  return ps.rc;
}

cp_err farmers_refresh(struct farmers *f, size_t *changed)
{
  struct store_farmer_list l;
  uint32_t peak;
  size_t n = 0;
  cp_err rc;

  if (changed)
    *changed = 0;
  memset(&l, 0, sizeof l);
  if ((rc = singleton_peak(f->d.chain, &peak)))
    return rc;
  if ((rc = store_farmer_list_members(f->d.store, &l)))
    return rc;
  if (f->d.workq) {
    rc = refresh_concurrent(f, &l, peak, &n);
  } else {
    for (size_t i = 0; i < l.n && !rc; i++)
      rc = refresh_one(f, &l.items[i], peak, &n);
  }
  store_farmer_list_release(&l);
  metric_add(f->m_changed, n);
  if (changed)
    *changed = n;
  return rc;
}

static void *refresher_main(void *arg)
{
  struct farmers *f = arg;
  struct timespec ts;
  size_t changed;
  cp_err rc;

  pthread_mutex_lock(&f->mu);
  while (!f->stop) {
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += f->interval_s;
    while (!f->stop && pthread_cond_timedwait(&f->cv, &f->mu, &ts) == 0)
      ;
    if (f->stop)
      break;
    pthread_mutex_unlock(&f->mu);
    /* one front end walks the members for all of them */
    changed = 0;
    rc = leader_is(f->d.leader) ? farmers_refresh(f, &changed) : CP_OK;
    if (rc)
      log_warn("farmers", "refresh_failed", "err=%s", cp_errname(rc));
    else if (changed)
      log_info("farmers", "refreshed", "changed=%zu", changed);
    pthread_mutex_lock(&f->mu);
  }
  pthread_mutex_unlock(&f->mu);
  return NULL;
}

cp_err farmers_start_refresher(struct farmers *f, unsigned interval_s)
{
  if (f->thr_started || !interval_s)
    return CP_INVAL;
  f->interval_s = interval_s;
  if (pthread_create(&f->thr, NULL, refresher_main, f))
    return CP_INTERNAL;
  f->thr_started = 1;
  return CP_OK;
}
