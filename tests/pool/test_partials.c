#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "partials_fixture.h"
#include "pool/config.h"
#include "pool/partials.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/metrics.h"
#include "util/workq.h"

#define T0 UINT64_C(1800000000) /* received_at of most partials */
#define PEAK 1000u
#define NCASES 10

/* Built once: farmer A has a plot and precomputed good cases; farmer B is
 * a second registered farmer without a plot. */
static struct fx_farmer fa, fb;
static struct fx_case cases[NCASES];
static struct fx_case eos_case;
static const struct chia_consts *net;

/* Per test: a fresh store, worker pool, fake chain and pipeline. */
struct ts {
  char dir[64];
  char path[96];
  struct store *store;
  struct workq *wq;
  struct fx_chain chain_impl;
  struct chain chain;
  struct pool_config cfg;
  struct metrics *metrics;
  struct partials *p;
};

static uint64_t pool_ssi(void)
{
  return net->pool_sub_slot_iters * POOL_TEST_MODE_ITERS_FACTOR;
}

static int group_setup(void **state)
{
  uint32_t cursor = 0;
  (void)state;
  net = consts_get("simulator");
  if (!net || fx_farmer_init(&fa, 1) || fx_farmer_init(&fb, 2) || fx_farmer_plot(&fa))
    return -1;
  for (int i = 0; i < NCASES; i++)
    if (fx_find_case(&fa, net, pool_ssi(), PEAK + 1, 1, false, &cursor, &cases[i]))
      return -1;
  if (fx_find_case(&fa, net, pool_ssi(), PEAK + 1, 1, true, &cursor, &eos_case))
    return -1;
  return 0;
}

static int group_teardown(void **state)
{
  (void)state;
  fx_farmer_release(&fa);
  return 0;
}

static void ts_store_open(struct ts *t)
{
  struct store_options o = { .backend = STORE_BACKEND_SQLITE, .path = t->path };
  assert_int_equal(store_open(&o, &t->store), CP_OK);
}

static void ts_partials_new_retry(struct ts *t, uint32_t sp_retry_ms)
{
  struct partials_deps d = {
    .cfg = &t->cfg, .net = net, .store = t->store, .chain = &t->chain,
    .workq = t->wq, .metrics = t->metrics, .sp_retry_ms = sp_retry_ms,
  };
  assert_int_equal(partials_new(&d, &t->p), CP_OK);
}

static void ts_partials_new(struct ts *t)
{
  ts_partials_new_retry(t, 20);
}

static struct ts *ts_new(unsigned threads)
{
  struct ts *t = calloc(1, sizeof *t);
  struct workq_options wo = { .threads = threads, .max_queued = 1000 };
  struct store_farmer fr;

  assert_non_null(t);
  snprintf(t->dir, sizeof t->dir, "/tmp/cppartials.XXXXXX");
  assert_non_null(mkdtemp(t->dir));
  snprintf(t->path, sizeof t->path, "%s/pool.db", t->dir);
  ts_store_open(t);
  wo.class_limit[PARTIALS_CLASS_NODE] = threads > 1 ? threads - 1 : 1;
  assert_int_equal(workq_new(&wo, &t->wq), CP_OK);
  fxc_init(&t->chain_impl, &t->chain, PEAK);
  for (int i = 0; i < NCASES; i++)
    fxc_put(&t->chain_impl, cases[i].sp, false, cases[i].cc, (double)T0 - 3.5);
  fxc_put(&t->chain_impl, eos_case.sp, true, eos_case.cc, (double)T0 - 3.5);
  config_defaults(&t->cfg);
  t->cfg.test_mode = 1;
  t->metrics = metrics_new();
  fr = fx_farmer_record(&fa, 1, T0 - 86400);
  assert_int_equal(store_farmer_add(t->store, &fr), CP_OK);
  fr = fx_farmer_record(&fb, 1, T0 - 86400);
  assert_int_equal(store_farmer_add(t->store, &fr), CP_OK);
  return t;
}

static void ts_free(struct ts *t)
{
  char p[128];
  static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };

  partials_free(t->p);
  workq_free(t->wq);
  store_close(t->store);
  metrics_free(t->metrics);
  fxc_release(&t->chain_impl);
  for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
    snprintf(p, sizeof p, "%s%s", t->path, sfx[i]);
    unlink(p);
  }
  rmdir(t->dir);
  free(t);
}

static struct partial_reply submit(struct ts *t, const struct chia_partial_request *req,
                                   uint64_t at)
{
  struct fx_reply w;
  struct partial_reply r;
  fx_reply_init(&w);
  assert_int_equal(partials_submit(t->p, req, at, fx_reply_fn, &w), CP_OK);
  fx_reply_wait(&w);
  r = w.r;
  /* exactly one reply, even a moment later */
  usleep(1000);
  assert_int_equal(w.done, 1);
  fx_reply_release(&w);
  return r;
}

static uint64_t tok(uint64_t at)
{
  return token_current(at, 5);
}

static void good(struct chia_partial_request *req, int i)
{
  assert_int_equal(fx_partial(&fa, &cases[i], tok(T0), req), CP_OK);
}

static void expect(const struct partial_reply *r, enum pool_code code, const char *msg)
{
  if (r->code != code)
    fail_msg("code %d (%s), want %d", (int)r->code, r->message, (int)code);
  assert_string_equal(r->message, msg);
}

static uint64_t farmer_points(struct ts *t, const struct fx_farmer *f)
{
  struct store_farmer r;
  uint64_t pts;
  assert_int_equal(store_farmer_get(t->store, f->launcher_id, &r), CP_OK);
  pts = r.points;
  store_farmer_release(&r);
  return pts;
}

static size_t pending_count(struct ts *t)
{
  struct store_pending_list l;
  size_t n;
  assert_int_equal(store_pending_list(t->store, &l), CP_OK);
  n = l.n;
  store_pending_list_release(&l);
  return n;
}

/* ---- the happy path ---- */

static void test_accepted(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct store_pending_list l;
  struct partial_reply r;
  struct buf b;
  uint8_t ph[32];
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  assert_int_equal(r.new_difficulty, 1);

  assert_int_equal(store_pending_list(t->store, &l), CP_OK);
  assert_int_equal(l.n, 1);
  assert_memory_equal(l.items[0].launcher_id, fa.launcher_id, 32);
  assert_memory_equal(l.items[0].sp_hash, cases[0].sp, 32);
  assert_memory_equal(l.items[0].harvester_id, req.payload.harvester_id, 32);
  assert_int_equal(l.items[0].difficulty, 1);
  assert_int_equal(l.items[0].received_at, T0);
  assert_int_equal(l.items[0].due_at, T0 + 300);
  assert_int_equal(chia_pos_hash(&req.payload.proof_of_space, ph), CP_OK);
  assert_memory_equal(l.items[0].proof_hash, ph, 32);
  buf_init(&b, 8192);
  assert_int_equal(chia_partial_request_write(&req, &b), CP_OK);
  assert_int_equal(l.items[0].payload_len, b.len);
  assert_memory_equal(l.items[0].payload, b.data, b.len);
  buf_release(&b);
  store_pending_list_release(&l);
  /* nothing credited before confirmation */
  assert_int_equal(farmer_points(t, &fa), 0);
  ts_free(t);
}

static void test_end_of_sub_slot(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  (void)state;
  ts_partials_new(t);
  assert_int_equal(fx_partial(&fa, &eos_case, tok(T0), &req), CP_OK);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  /* the same hash as a signage point is a different item: unknown */
  req.payload.end_of_sub_slot = false;
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  r = submit(t, &req, T0);
  assert_int_equal(r.code, POOL_NOT_FOUND);
  ts_free(t);
}

/* ---- every error, in check order ---- */

static void test_token(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  char msg[256], lid[65];
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  req.payload.authentication_token = tok(T0) + 6; /* window is +-5 */
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  hex_encode(lid, fa.launcher_id, 32);
  snprintf(msg, sizeof msg, "authentication_token %llu invalid for farmer %s.",
           (unsigned long long)(tok(T0) + 6), lid);
  r = submit(t, &req, T0);
  expect(&r, POOL_INVALID_AUTHENTICATION_TOKEN, msg);
  /* the edge of the window is accepted */
  req.payload.authentication_token = tok(T0) - 5;
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  ts_free(t);
}

static void test_farmer_unknown(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  char msg[256], lid[65];
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  req.payload.launcher_id[31] ^= 1;
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  hex_encode(lid, req.payload.launcher_id, 32);
  snprintf(msg, sizeof msg, "Farmer with launcher_id %s not known.", lid);
  r = submit(t, &req, T0);
  expect(&r, POOL_FARMER_NOT_KNOWN, msg);
  ts_free(t);
}

static void expect_bad_sig(struct ts *t, struct chia_partial_request *req)
{
  char msg[256], hex[193];
  struct partial_reply r;
  hex_encode(hex, req->aggregate_signature, 96);
  snprintf(msg, sizeof msg, "The aggregate signature is invalid %s", hex);
  r = submit(t, req, T0);
  expect(&r, POOL_INVALID_SIGNATURE, msg);
}

static void test_signature(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct bls_sig inf;
  (void)state;
  ts_partials_new(t);
  /* signed by another authentication key than the stored one */
  good(&req, 0);
  assert_int_equal(fx_sign(&fa, &fb.auth_sk, &req), CP_OK);
  expect_bad_sig(t, &req);
  /* the signature of another payload */
  good(&req, 0);
  req.payload.harvester_id[0] ^= 1;
  expect_bad_sig(t, &req);
  /* not a point */
  good(&req, 0);
  memset(req.aggregate_signature, 0x11, 96);
  expect_bad_sig(t, &req);
  /* the point at infinity */
  good(&req, 0);
  bls_aggregate(&inf, NULL, 0);
  memcpy(req.aggregate_signature, inf.bytes, 96);
  expect_bad_sig(t, &req);
  /* a plot key that is not a point */
  good(&req, 0);
  memset(req.payload.proof_of_space.plot_public_key, 0xff, 48);
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  expect_bad_sig(t, &req);
  assert_int_equal(pending_count(t), 0);
  ts_free(t);
}

static void test_p2_singleton(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  char msg[256], hex[65];
  (void)state;
  ts_partials_new(t);
  /* A's proof (contract = A's p2) sent as farmer B, validly signed */
  good(&req, 0);
  memcpy(req.payload.launcher_id, fb.launcher_id, 32);
  assert_int_equal(fx_sign(&fa, &fb.auth_sk, &req), CP_OK);
  hex_encode(hex, fa.p2, 32);
  snprintf(msg, sizeof msg, "Invalid pool contract puzzle hash %s", hex);
  r = submit(t, &req, T0);
  expect(&r, POOL_INVALID_P2_SINGLETON_PUZZLE_HASH, msg);
  ts_free(t);
}

static void test_not_member(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  uint8_t blob = 1;
  (void)state;
  ts_partials_new(t);
  assert_int_equal(store_farmer_set_singleton(t->store, fa.launcher_id, &blob, 1, &blob, 1, 0),
                   CP_OK);
  good(&req, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_INVALID_SINGLETON, "not a member of this pool");
  ts_free(t);
}

static void test_sp_not_found(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  char msg[256], hex[65];
  unsigned before;
  (void)state;
  ts_partials_new(t);
  hex_encode(hex, cases[0].sp, 32);

  /* unknown: asked twice (one retry), then 3 */
  fxc_set(&t->chain_impl, cases[0].sp, false, 0, 1000);
  good(&req, 0);
  before = fxc_sp_calls(&t->chain_impl);
  snprintf(msg, sizeof msg, "Did not find signage point or EOS %s", hex);
  r = submit(t, &req, T0);
  expect(&r, POOL_NOT_FOUND, msg);
  assert_int_equal(fxc_sp_calls(&t->chain_impl) - before, 2);

  /* reverted */
  fxc_set(&t->chain_impl, cases[0].sp, false, 1, 0);
  snprintf(msg, sizeof msg, "Did not find signage point or EOS %s (reverted)", hex);
  r = submit(t, &req, T0);
  expect(&r, POOL_NOT_FOUND, msg);

  /* unknown at first, known on the retry: accepted */
  fxc_set(&t->chain_impl, cases[0].sp, false, 0, 1);
  before = fxc_sp_calls(&t->chain_impl);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  assert_int_equal(fxc_sp_calls(&t->chain_impl) - before, 2);
  ts_free(t);
}

static void test_node_unreachable(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  char msg[256], hex[65];
  (void)state;
  ts_partials_new(t);
  fxc_unreachable(&t->chain_impl, 1);
  good(&req, 0);
  hex_encode(hex, cases[0].sp, 32);
  snprintf(msg, sizeof msg, "Could not look up signage point or EOS %s: the pool's full "
           "node is unreachable (%s)", hex, cp_strerror(CP_RPC_TRANSPORT));
  r = submit(t, &req, T0);
  expect(&r, POOL_NOT_FOUND, msg);
  /* back: accepted */
  fxc_unreachable(&t->chain_impl, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  ts_free(t);
}

static void test_time_limit(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  (void)state;
  ts_partials_new(t);
  /* node saw it at T0-25.3: floor is T0-26 ... so use T0-24.7 -> T0-25 */
  fxc_put(&t->chain_impl, cases[0].sp, false, cases[0].cc, (double)T0 - 24.7);
  fxc_put(&t->chain_impl, cases[1].sp, false, cases[1].cc, (double)T0 - 25.7);
  good(&req, 0);
  r = submit(t, &req, T0); /* exactly partial_time_limit: accepted */
  expect(&r, POOL_OK, "");
  good(&req, 1);
  r = submit(t, &req, T0); /* one second more: too late */
  expect(&r, POOL_TOO_LATE,
         "Received partial in 26. Make sure your proof of space lookups are fast, and "
         "network connectivity is good.Response must happen in less than 25 seconds. NAS "
         "or network farming can be an issue");
  ts_free(t);
}

/* The expected 4 for a proof: proof_check's reason, in the reply. */
static void expect_invalid_proof(struct ts *t, const struct chia_partial_request *req,
                                 const struct fx_case *c)
{
  struct proof_result pr;
  struct partial_reply r;
  char msg[256], hex[65];
  assert_int_equal(proof_check(net, pool_ssi(), &req->payload.proof_of_space, c->cc, c->sp,
                               PEAK + 1, 1, &pr), POOL_INVALID_PROOF);
  hex_encode(hex, c->sp, 32);
  snprintf(msg, sizeof msg, "Invalid proof of space %s (%s)", hex, pr.why);
  r = submit(t, req, T0);
  expect(&r, POOL_INVALID_PROOF, msg);
}

static void test_invalid_proof(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  req.payload.proof_of_space.proof[17] ^= 0x10;
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  expect_invalid_proof(t, &req, &cases[0]);
  /* a proof for another signage point's challenge */
  good(&req, 0);
  req.payload.proof_of_space = cases[1].pos;
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  expect_invalid_proof(t, &req, &cases[0]);
  /* k=17 is below every network's minimum */
  good(&req, 0);
  req.payload.proof_of_space.size = 17;
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  expect_invalid_proof(t, &req, &cases[0]);
  assert_int_equal(pending_count(t), 0);
  ts_free(t);
}

static void test_not_good_enough(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct proof_result pr;
  struct partial_reply r;
  uint64_t diff = UINT64_C(1) << 40;
  char msg[256];
  (void)state;
  ts_partials_new(t);
  assert_int_equal(store_farmer_set_difficulty(t->store, fa.launcher_id, diff, T0 - 100),
                   CP_OK);
  assert_int_equal(proof_check(net, pool_ssi(), &cases[0].pos, cases[0].cc, cases[0].sp,
                               PEAK + 1, diff, &pr), POOL_PROOF_NOT_GOOD_ENOUGH);
  snprintf(msg, sizeof msg, "Proof of space has required iters %llu, too high for "
           "difficulty %llu", (unsigned long long)pr.required_iters,
           (unsigned long long)diff);
  good(&req, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_PROOF_NOT_GOOD_ENOUGH, msg);
  ts_free(t);
}

static void test_duplicate(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  size_t c, d;
  const char *dup = "duplicate partial: this proof of space was already submitted";
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  r = submit(t, &req, T0 + 1); /* replay while pending */
  expect(&r, POOL_INVALID_PROOF, dup);
  /* another harvester id does not make it another proof */
  req.payload.harvester_id[0] ^= 1;
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  r = submit(t, &req, T0 + 1);
  expect(&r, POOL_INVALID_PROOF, dup);
  assert_int_equal(partials_confirm_due(t->p, T0 + 300, &c, &d), CP_OK);
  assert_int_equal(c, 1);
  r = submit(t, &req, T0 + 2); /* replay once credited */
  expect(&r, POOL_INVALID_PROOF, dup);
  assert_int_equal(farmer_points(t, &fa), 1);
  ts_free(t);
}

/* ---- batching ---- */

struct gate {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int open, entered;
};

static void gate_work(void *ctx)
{
  struct gate *g = ctx;
  pthread_mutex_lock(&g->lock);
  g->entered = 1;
  pthread_cond_broadcast(&g->cond);
  while (!g->open)
    pthread_cond_wait(&g->cond, &g->lock);
  pthread_mutex_unlock(&g->lock);
}

static void gate_done(void *ctx, cp_err st)
{
  (void)ctx;
  (void)st;
}

static void test_batch_one_bad(void **state)
{
  struct ts *t = ts_new(1);
  struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  struct chia_partial_request req[6];
  struct fx_reply w[6];
  struct partials_stats st;
  (void)state;
  ts_partials_new(t);
  /* hold the only worker so all six signatures queue up together */
  assert_int_equal(workq_submit(t->wq, 3, gate_work, gate_done, &g), CP_OK);
  pthread_mutex_lock(&g.lock);
  while (!g.entered)
    pthread_cond_wait(&g.cond, &g.lock);
  pthread_mutex_unlock(&g.lock);
  for (int i = 0; i < 6; i++) {
    good(&req[i], i);
    if (i == 3)
      assert_int_equal(fx_sign(&fa, &fb.auth_sk, &req[i]), CP_OK);
    fx_reply_init(&w[i]);
    assert_int_equal(partials_submit(t->p, &req[i], T0, fx_reply_fn, &w[i]), CP_OK);
  }
  pthread_mutex_lock(&g.lock);
  g.open = 1;
  pthread_cond_broadcast(&g.cond);
  pthread_mutex_unlock(&g.lock);
  for (int i = 0; i < 6; i++) {
    fx_reply_wait(&w[i]);
    assert_int_equal(w[i].done, 1);
    assert_int_equal(w[i].r.code, i == 3 ? POOL_INVALID_SIGNATURE : POOL_OK);
    fx_reply_release(&w[i]);
  }
  partials_stats(t->p, &st);
  assert_int_equal(st.sig_items, 6);
  assert_int_equal(st.sig_batches, 1);
  assert_int_equal(st.sig_max_batch, 6);
  assert_int_equal(st.sig_fallbacks, 1);
  /* the plot key and the stored auth key, each decoded once */
  assert_int_equal(st.key_misses, 2);
  assert_int_equal(st.key_hits, 10);
  assert_int_equal(pending_count(t), 5);
  ts_free(t);
}

/* ---- confirmation ---- */

static void test_confirm_once(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct store_partial_point pts[4];
  struct partial_reply r;
  size_t c = 9, d = 9, n = 0;
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  assert_int_equal(partials_confirm_due(t->p, T0 + 299, &c, &d), CP_OK);
  assert_int_equal(c, 0);
  assert_int_equal(d, 0);
  assert_int_equal(partials_confirm_due(t->p, T0 + 300, &c, &d), CP_OK);
  assert_int_equal(c, 1);
  assert_int_equal(d, 0);
  assert_int_equal(partials_confirm_due(t->p, T0 + 301, &c, &d), CP_OK);
  assert_int_equal(c, 0);
  assert_int_equal(d, 0);
  assert_int_equal(farmer_points(t, &fa), 1);
  assert_int_equal(pending_count(t), 0);
  assert_int_equal(store_partial_recent(t->store, fa.launcher_id, 4, pts, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(pts[0].timestamp, T0 + 300); /* confirmation time */
  assert_int_equal(pts[0].difficulty, 1);
  ts_free(t);
}

static void test_confirm_drops(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  uint8_t blob = 1;
  size_t c, d;
  (void)state;
  ts_partials_new(t);
  for (int i = 0; i < 3; i++) {
    good(&req, i);
    r = submit(t, &req, T0);
    expect(&r, POOL_OK, "");
  }
  fxc_set(&t->chain_impl, cases[0].sp, false, 1, 0);    /* reverted */
  fxc_set(&t->chain_impl, cases[1].sp, false, 0, 1000); /* gone */
  assert_int_equal(partials_confirm_due(t->p, T0 + 300, &c, &d), CP_OK);
  assert_int_equal(c, 1);
  assert_int_equal(d, 2);
  assert_int_equal(farmer_points(t, &fa), 1);
  assert_int_equal(pending_count(t), 0);

  /* a farmer who left before confirmation */
  good(&req, 3);
  r = submit(t, &req, T0 + 10);
  expect(&r, POOL_OK, "");
  assert_int_equal(store_farmer_set_singleton(t->store, fa.launcher_id, &blob, 1, &blob, 1, 0),
                   CP_OK);
  assert_int_equal(partials_confirm_due(t->p, T0 + 310, &c, &d), CP_OK);
  assert_int_equal(c, 0);
  assert_int_equal(d, 1);
  assert_int_equal(farmer_points(t, &fa), 1);
  ts_free(t);
}

static void test_confirm_node_down(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  size_t c, d;
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  fxc_unreachable(&t->chain_impl, 1);
  assert_int_equal(partials_confirm_due(t->p, T0 + 300, &c, &d), CP_OK);
  assert_int_equal(c + d, 0);
  assert_int_equal(pending_count(t), 1);
  assert_int_equal(partials_confirm_due(t->p, T0 + 301, &c, &d), CP_OK);
  assert_int_equal(c + d, 0);
  fxc_unreachable(&t->chain_impl, 0);
  assert_int_equal(partials_confirm_due(t->p, T0 + 302, &c, &d), CP_OK);
  assert_int_equal(c, 1);
  assert_int_equal(d, 0);
  assert_int_equal(farmer_points(t, &fa), 1);
  ts_free(t);
}

static void test_restart(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  size_t c, d;
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  good(&req, 1);
  r = submit(t, &req, T0 + 1);
  expect(&r, POOL_OK, "");
  /* the first is claimed but cannot be decided (node down) when we stop */
  fxc_unreachable(&t->chain_impl, 1);
  assert_int_equal(partials_confirm_due(t->p, T0 + 300, &c, &d), CP_OK);
  assert_int_equal(c + d, 0);
  fxc_unreachable(&t->chain_impl, 0);
  partials_free(t->p);
  t->p = NULL;
  store_close(t->store);

  ts_store_open(t);
  ts_partials_new(t);
  assert_int_equal(pending_count(t), 2);
  assert_int_equal(partials_confirm_due(t->p, T0 + 301, &c, &d), CP_OK);
  assert_int_equal(c, 2);
  assert_int_equal(d, 0);
  assert_int_equal(partials_confirm_due(t->p, T0 + 302, &c, &d), CP_OK);
  assert_int_equal(c, 0);
  assert_int_equal(farmer_points(t, &fa), 2);
  ts_free(t);
}

static void test_confirmer_thread(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  uint64_t now = clock_unix_s();
  (void)state;
  ts_partials_new(t);
  /* a partial received "now", with no confirmation delay */
  t->cfg.partial_confirmation_delay = 0;
  fxc_put(&t->chain_impl, cases[0].sp, false, cases[0].cc, (double)now - 1);
  assert_int_equal(fx_partial(&fa, &cases[0], tok(now), &req), CP_OK);
  r = submit(t, &req, now);
  expect(&r, POOL_OK, "");
  assert_int_equal(partials_start_confirmer(t->p), CP_OK);
  assert_int_equal(partials_start_confirmer(t->p), CP_EXISTS);
  for (int i = 0; i < 500 && farmer_points(t, &fa) == 0; i++)
    usleep(10000);
  assert_int_equal(farmer_points(t, &fa), 1);
  ts_free(t);
}

/* ---- difficulty ---- */

static void test_difficulty_up(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  struct store_farmer f;
  size_t c, d;
  (void)state;
  t->cfg.number_of_partials_target = 3;
  ts_partials_new(t);
  for (int i = 0; i < 3; i++) {
    uint64_t at = T0 + 10 * (uint64_t)i;
    fxc_put(&t->chain_impl, cases[i].sp, false, cases[i].cc, (double)at - 2);
    assert_int_equal(fx_partial(&fa, &cases[i], tok(at), &req), CP_OK);
    r = submit(t, &req, at);
    expect(&r, POOL_OK, "");
    assert_int_equal(r.new_difficulty, 1);
    assert_int_equal(partials_confirm_due(t->p, at + 300, &c, &d), CP_OK);
    assert_int_equal(c, 1);
  }
  /* credited at T0+300, +310, +320: 3 partials in 20 s at target 3 per
   * 86400 s -> 1 * 86400 * 3 / (20 * 3) */
  fxc_put(&t->chain_impl, cases[3].sp, false, cases[3].cc, (double)T0 + 328);
  assert_int_equal(fx_partial(&fa, &cases[3], tok(T0 + 330), &req), CP_OK);
  r = submit(t, &req, T0 + 330);
  expect(&r, POOL_OK, "");
  assert_int_equal(r.new_difficulty, 4320);
  assert_int_equal(store_farmer_get(t->store, fa.launcher_id, &f), CP_OK);
  assert_int_equal(f.difficulty, 4320);
  store_farmer_release(&f);
  ts_free(t);
}

/* ---- metrics and lifecycle ---- */

static void test_metrics(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  struct buf out;
  const char *s;
  (void)state;
  ts_partials_new(t);
  good(&req, 0);
  r = submit(t, &req, T0);
  expect(&r, POOL_OK, "");
  r = submit(t, &req, T0);
  assert_int_equal(r.code, POOL_INVALID_PROOF);
  req.payload.authentication_token += 100;
  r = submit(t, &req, T0);
  assert_int_equal(r.code, POOL_INVALID_AUTHENTICATION_TOKEN);
  buf_init(&out, 1 << 20);
  assert_int_equal(metrics_render(t->metrics, &out), CP_OK);
  assert_int_equal(buf_cstr(&out, &s), CP_OK);
  assert_non_null(strstr(s, "chiapool_partials_total{result=\"ok\"} 1\n"));
  assert_non_null(strstr(s, "chiapool_partials_total{result=\"invalid_proof\"} 1\n"));
  assert_non_null(
    strstr(s, "chiapool_partials_total{result=\"invalid_authentication_token\"} 1\n"));
  assert_non_null(strstr(s, "chiapool_partials_pending 1\n"));
  assert_non_null(strstr(s, "chiapool_partial_latency_seconds_count 3\n"));
  buf_release(&out);
  ts_free(t);
}

/* Two submitters race every case against each other, plus bad
 * signatures: each proof is accepted exactly once, its twin is a
 * duplicate, and every request gets exactly one reply. */
struct racer {
  struct ts *t;
  struct chia_partial_request req[NCASES + 2];
  struct fx_reply w[NCASES + 2];
};

static void *race_main(void *arg)
{
  struct racer *rc = arg;
  for (int i = 0; i < NCASES + 2; i++)
    if (partials_submit(rc->t->p, &rc->req[i], T0, fx_reply_fn, &rc->w[i]))
      return arg; /* non-NULL: failure */
  return NULL;
}

static void test_concurrent_replays(void **state)
{
  struct ts *t = ts_new(2);
  struct racer *r = calloc(2, sizeof *r);
  pthread_t th[2];
  void *res;
  (void)state;
  assert_non_null(r);
  ts_partials_new(t);
  for (int k = 0; k < 2; k++) {
    r[k].t = t;
    for (int i = 0; i < NCASES + 2; i++) {
      good(&r[k].req[i], i % NCASES);
      if (i >= NCASES)
        assert_int_equal(fx_sign(&fa, &fb.auth_sk, &r[k].req[i]), CP_OK);
      fx_reply_init(&r[k].w[i]);
    }
  }
  for (int k = 0; k < 2; k++)
    assert_int_equal(pthread_create(&th[k], NULL, race_main, &r[k]), 0);
  for (int k = 0; k < 2; k++) {
    assert_int_equal(pthread_join(th[k], &res), 0);
    assert_null(res);
  }
  for (int i = 0; i < NCASES + 2; i++) {
    int ok = 0;
    for (int k = 0; k < 2; k++) {
      fx_reply_wait(&r[k].w[i]);
      usleep(100);
      assert_int_equal(r[k].w[i].done, 1);
      if (i >= NCASES) {
        assert_int_equal(r[k].w[i].r.code, POOL_INVALID_SIGNATURE);
      } else if (r[k].w[i].r.code == POOL_OK) {
        ok++;
      } else {
        assert_int_equal(r[k].w[i].r.code, POOL_INVALID_PROOF);
        assert_string_equal(r[k].w[i].r.message,
                            "duplicate partial: this proof of space was already submitted");
      }
    }
    if (i < NCASES)
      assert_int_equal(ok, 1);
  }
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < NCASES + 2; i++)
      fx_reply_release(&r[k].w[i]);
  assert_int_equal(pending_count(t), NCASES);
  free(r);
  ts_free(t);
}

static void *free_pool(void *q)
{
  workq_free(q);
  return NULL;
}

static void test_shutdown_with_work_in_flight(void **state)
{
  struct ts *t = ts_new(1);
  struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  struct chia_partial_request req[3];
  struct fx_reply w[3];
  pthread_t th;
  (void)state;
  ts_partials_new(t);
  assert_int_equal(workq_submit(t->wq, 3, gate_work, gate_done, &g), CP_OK);
  pthread_mutex_lock(&g.lock);
  while (!g.entered)
    pthread_cond_wait(&g.cond, &g.lock);
  pthread_mutex_unlock(&g.lock);
  for (int i = 0; i < 3; i++) {
    good(&req[i], i);
    fx_reply_init(&w[i]);
    assert_int_equal(partials_submit(t->p, &req[i], T0, fx_reply_fn, &w[i]), CP_OK);
  }
  /* the worker pool closes under queued signature checks: each partial is
   * answered once, with a server error, and nothing is stored */
  assert_int_equal(pthread_create(&th, NULL, free_pool, t->wq), 0);
  for (int i = 0; i < 3; i++)
    fx_reply_wait(&w[i]);
  pthread_mutex_lock(&g.lock);
  g.open = 1;
  pthread_cond_broadcast(&g.cond);
  pthread_mutex_unlock(&g.lock);
  assert_int_equal(pthread_join(th, NULL), 0);
  t->wq = NULL;
  for (int i = 0; i < 3; i++) {
    assert_int_equal(w[i].done, 1);
    assert_int_equal(w[i].r.code, POOL_SERVER_EXCEPTION);
    fx_reply_release(&w[i]);
  }
  assert_int_equal(pending_count(t), 0);
  ts_free(t);
}

static void test_free_during_sp_retry(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct fx_reply w;
  (void)state;
  ts_partials_new_retry(t, 60000);
  fxc_set(&t->chain_impl, cases[0].sp, false, 0, 1000);
  good(&req, 0);
  fx_reply_init(&w);
  assert_int_equal(partials_submit(t->p, &req, T0, fx_reply_fn, &w), CP_OK);
  for (int i = 0; i < 1000 && fxc_sp_calls(&t->chain_impl) == 0; i++)
    usleep(2000);
  assert_int_equal(fxc_sp_calls(&t->chain_impl), 1);
  /* waiting a minute for the retry must not hold up shutdown */
  partials_free(t->p);
  t->p = NULL;
  assert_int_equal(w.done, 1);
  assert_int_equal(w.r.code, POOL_SERVER_EXCEPTION);
  assert_string_equal(w.r.message, "the pool is shutting down");
  assert_int_equal(partials_submit(NULL, &req, T0, fx_reply_fn, &w), CP_INVAL);
  fx_reply_release(&w);
  ts_free(t);
}

static void test_hostile_inputs(void **state)
{
  struct ts *t = ts_new(2);
  struct chia_partial_request req;
  struct partial_reply r;
  (void)state;
  assert_int_equal(partials_submit(NULL, &req, T0, fx_reply_fn, NULL), CP_INVAL);
  ts_partials_new(t);
  assert_int_equal(partials_submit(t->p, NULL, T0, fx_reply_fn, NULL), CP_INVAL);
  /* a proof that claims to be longer than its buffer is refused, not read */
  good(&req, 0);
  req.payload.proof_of_space.proof_len = CHIA_POS_PROOF_MAX + 1;
  r = submit(t, &req, T0);
  assert_int_equal(r.code, POOL_INVALID_PROOF);
  assert_memory_equal(r.message, "malformed partial payload (", 27);
  /* a pool-public-key plot (no contract) is not ours */
  good(&req, 0);
  req.payload.proof_of_space.has_pool_contract_puzzle_hash = false;
  req.payload.proof_of_space.has_pool_public_key = true;
  assert_int_equal(fx_sign(&fa, &fa.auth_sk, &req), CP_OK);
  r = submit(t, &req, T0);
  expect(&r, POOL_INVALID_P2_SINGLETON_PUZZLE_HASH, "Invalid pool contract puzzle hash None");
  assert_int_equal(pending_count(t), 0);
  ts_free(t);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_accepted),
    cmocka_unit_test(test_end_of_sub_slot),
    cmocka_unit_test(test_token),
    cmocka_unit_test(test_farmer_unknown),
    cmocka_unit_test(test_signature),
    cmocka_unit_test(test_p2_singleton),
    cmocka_unit_test(test_not_member),
    cmocka_unit_test(test_sp_not_found),
    cmocka_unit_test(test_node_unreachable),
    cmocka_unit_test(test_time_limit),
    cmocka_unit_test(test_invalid_proof),
    cmocka_unit_test(test_not_good_enough),
    cmocka_unit_test(test_duplicate),
    cmocka_unit_test(test_batch_one_bad),
    cmocka_unit_test(test_confirm_once),
    cmocka_unit_test(test_confirm_drops),
    cmocka_unit_test(test_confirm_node_down),
    cmocka_unit_test(test_restart),
    cmocka_unit_test(test_confirmer_thread),
    cmocka_unit_test(test_difficulty_up),
    cmocka_unit_test(test_metrics),
    cmocka_unit_test(test_concurrent_replays),
    cmocka_unit_test(test_shutdown_with_work_in_flight),
    cmocka_unit_test(test_free_during_sp_retry),
    cmocka_unit_test(test_hostile_inputs),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
