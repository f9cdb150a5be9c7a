/* Payout engine, to the mojo, on a real SQLite store and the file-backed
 * fake wallet: PROP (pool fee, blockchain fee per transaction, remainder,
 * max_additions batching, min_payout carry-forward), PPLNS by time and by
 * points, PPS, refusals, held batches, latest payout instructions. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool/payouts.h"
#include "store/store.h"
#include "util/log.h"
#include "fake_wallet.h"

#define T0 1700000000ull

struct env {
  char dir[64], db[128], wal[128];
  struct store *s;
  struct pool_config cfg;
  struct fake_wallet w;
  struct payout_wallet pw;
  struct payouts *p;
  unsigned proofs;
  unsigned coins;
};

static void lid(int i, uint8_t out[32]) { memset(out, 0x10 + i, 32); }
static void fph(int i, uint8_t out[32]) { memset(out, 0x30 + i, 32); }

static void env_open(struct env *e, enum payout_scheme scheme)
{
  struct store_options o = { .backend = STORE_BACKEND_SQLITE };
  struct payouts_options po = { 0 };
  memset(e, 0, sizeof *e);
  log_set_level(getenv("PAY_DEBUG") ? LOG_INFO : LOG_OFF);
  snprintf(e->dir, sizeof e->dir, "/tmp/cp_payouts_XXXXXX");
  assert_non_null(mkdtemp(e->dir));
  snprintf(e->db, sizeof e->db, "%s/pool.db", e->dir);
  snprintf(e->wal, sizeof e->wal, "%s/wallet.txt", e->dir);
  o.path = e->db;
  assert_int_equal(store_open(&o, &e->s), CP_OK);
  config_defaults(&e->cfg);
  e->cfg.payout_scheme = scheme;
  e->cfg.pool_fee_ppm = 10000;
  e->cfg.payout_fee = 5;
  e->cfg.min_payout = 0;
  e->cfg.max_additions_per_transaction = 2;
  memset(e->cfg.pool_fee_puzzle_hash, 0xee, 32);
  fw_init(&e->w, &e->pw, e->wal);
  e->w.polls_to_confirm = 1;
  po.cfg = &e->cfg;
  po.store = e->s;
  po.wallet = e->pw;
  assert_int_equal(payouts_new(&po, &e->p), CP_OK);
  for (int i = 0; i < 3; i++) {
    struct store_farmer f = { 0 };
    uint8_t ph[32];
    lid(i, f.launcher_id);
    memset(f.p2_singleton_puzzle_hash, 0x20 + i, 32);
    fph(i, ph);
    hex_encode(f.payout_instructions, ph, 32);
    f.difficulty = 1;
    f.is_pool_member = 1;
    assert_int_equal(store_farmer_add(e->s, &f), CP_OK);
  }
}

static void env_close(struct env *e)
{
  char p[160];
  payouts_free(e->p);
  store_close(e->s);
  unlink(e->db);
  unlink(e->wal);
  snprintf(p, sizeof p, "%s-wal", e->db);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", e->db);
  unlink(p);
  rmdir(e->dir);
}

static void credit(struct env *e, int i, uint64_t diff, uint64_t ts)
{
  struct store_partial pa = { 0 };
  lid(i, pa.launcher_id);
  pa.timestamp = ts;
  pa.difficulty = diff;
  be32_store(pa.proof_hash, ++e->proofs);
  assert_int_equal(store_partial_add(e->s, &pa), CP_OK);
}

/* An absorbed reward whose absorb cost claim_fee of blockchain fee. */
static void absorb_fee(struct env *e, uint64_t amount, uint64_t claim_fee)
{
  struct store_reward r = { 0 };
  be32_store(r.coin_id, ++e->coins);
  lid(0, r.launcher_id);
  r.height = 100 + e->coins;
  r.amount = amount;
  r.claim_fee = claim_fee;
  r.state = STORE_REWARD_ABSORBED;
  assert_int_equal(store_reward_upsert(e->s, &r), CP_OK);
}

static void absorb(struct env *e, uint64_t amount)
{
  absorb_fee(e, amount, 0);
}

/* What the wallet file says: per S line. */
struct sent {
  unsigned n;
  uint64_t fee[16];
  size_t nout[16];
  uint8_t ph[16][8][32];
  uint64_t amt[16][8];
};

static void collect(void *ctx, const char *key, uint64_t fee,
                    const uint8_t (*ph)[32], const uint64_t *amt, size_t n)
{
  struct sent *s = ctx;
  (void)key;
  assert_true(s->n < 16 && n <= 8);
  s->fee[s->n] = fee;
  s->nout[s->n] = n;
  for (size_t i = 0; i < n; i++) {
    memcpy(s->ph[s->n][i], ph[i], 32);
    s->amt[s->n][i] = amt[i];
  }
  s->n++;
}

static uint64_t paid_to(const struct sent *s, uint8_t b)
{
  uint64_t t = 0;
  for (unsigned k = 0; k < s->n; k++)
    for (size_t i = 0; i < s->nout[k]; i++)
      if (s->ph[k][i][0] == b)
        t += s->amt[k][i];
  return t;
}

static uint64_t balance(struct env *e, int i)
{
  uint8_t l[32];
  uint64_t b;
  lid(i, l);
  assert_int_equal(store_balance_get(e->s, l, &b), CP_OK);
  return b;
}

static uint64_t points(struct env *e, int i)
{
  struct store_farmer f;
  uint8_t l[32];
  uint64_t p;
  lid(i, l);
  assert_int_equal(store_farmer_get(e->s, l, &f), CP_OK);
  p = f.points;
  store_farmer_release(&f);
  return p;
}

static void settle(struct env *e, uint64_t now)
{
  struct payouts_report r;
  for (int i = 0; i < 6; i++)
    assert_int_equal(payouts_run_once(e->p, now, &r), CP_OK);
  assert_int_equal(r.unsettled, 0);
}

static void test_prop(void **state)
{
  struct env e;
  struct sent s = { 0 };
  struct payouts_report r;
  uint64_t und;
  (void)state;
  env_open(&e, PAYOUT_PROP);
  e.cfg.min_payout = 150000000;
  credit(&e, 0, 100, T0);
  credit(&e, 1, 200, T0);
  credit(&e, 2, 700, T0);
  absorb(&e, 1000000003);

  assert_int_equal(payouts_run_once(e.p, T0 + 10, &r), CP_OK);
  /* pool fee 10,000,000; farmer 0 (98,999,900) is below min_payout and
   * carried: 3 outputs, max 2 per tx -> 2 txs, blockchain fee 2 * 5.
   * distributable 989,999,993, 989,999 per point, remainder 993. */
  assert_int_equal(r.planned, 2);
  assert_int_equal(r.sent, 2);
  settle(&e, T0 + 20);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.fee[0] + s.fee[1], 10);
  assert_int_equal(paid_to(&s, 0xee), 10000000);
  assert_int_equal(paid_to(&s, 0x30), 0);
  assert_int_equal(paid_to(&s, 0x31), 197999800);
  assert_int_equal(paid_to(&s, 0x32), 692999300);
  assert_int_equal(balance(&e, 0), 98999900);
  assert_int_equal(points(&e, 0) + points(&e, 1) + points(&e, 2), 0);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 993);

  /* Round 2: farmer 0 earns 60 points of 100; its carry makes it due.
   * total 500,000,993: pool fee 5,000,009, 3 outputs -> fee 10,
   * distributable 495,000,974 -> 4,950,009 per point, remainder 74. */
  credit(&e, 0, 60, T0 + 30);
  credit(&e, 1, 40, T0 + 30);
  absorb(&e, 500000000);
  /* farmer 0: 60 * 4,950,009 = 297,000,540 + 98,999,900 carried */
  settle(&e, T0 + 40);
  memset(&s, 0, sizeof s);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(s.n, 4);
  assert_int_equal(paid_to(&s, 0x30), 396000440);
  assert_int_equal(paid_to(&s, 0x31), 197999800 + 198000360);
  assert_int_equal(paid_to(&s, 0xee), 10000000 + 5000009);
  assert_int_equal(balance(&e, 0), 0);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 74);
  env_close(&e);
}

/* The absorbs' blockchain fees left with the absorbs: a round shares out
 * the rewards minus their claim fees, to the mojo (test_prop's first round,
 * with 3,000 + 1,000 mojo more absorbed and paid as claim fees). */
static void test_prop_claim_fees(void **state)
{
  struct env e;
  struct sent s = { 0 };
  struct payouts_report r;
  uint64_t und;
  (void)state;
  env_open(&e, PAYOUT_PROP);
  e.cfg.min_payout = 150000000;
  credit(&e, 0, 100, T0);
  credit(&e, 1, 200, T0);
  credit(&e, 2, 700, T0);
  absorb_fee(&e, 600000003 + 3000, 3000);
  absorb_fee(&e, 400000000 + 1000, 1000);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 1000000003);
  assert_int_equal(payouts_run_once(e.p, T0 + 10, &r), CP_OK);
  assert_int_equal(r.round_total, 1000000003);
  settle(&e, T0 + 20);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.fee[0] + s.fee[1], 10);
  assert_int_equal(paid_to(&s, 0xee), 10000000);
  assert_int_equal(paid_to(&s, 0x31), 197999800);
  assert_int_equal(paid_to(&s, 0x32), 692999300);
  assert_int_equal(balance(&e, 0), 98999900);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 993);
  /* a reward whose whole amount went to its fee adds nothing */
  absorb_fee(&e, 1750000000000ull, 1750000000000ull);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 993);
  /* a fee above the reward is a ledger bug: no funds at all */
  absorb_fee(&e, 1000, 1001);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_INVAL);
  assert_int_equal(und, 0);
  env_close(&e);
}

static void test_pplns_seconds(void **state)
{
  struct env e;
  struct sent s = { 0 };
  (void)state;
  env_open(&e, PAYOUT_PPLNS);
  e.cfg.pplns_window_seconds = 100;
  e.cfg.pool_fee_ppm = 0;
  e.cfg.payout_fee = 0;
  credit(&e, 0, 500, T0);        /* outside the window at T0 + 200 */
  credit(&e, 0, 100, T0 + 150);
  credit(&e, 1, 300, T0 + 190);
  absorb(&e, 4000003);
  settle(&e, T0 + 200);
  fw_audit(e.wal, collect, &s);
  /* 400 points in the window: 10,000 per point, remainder 3 */
  assert_int_equal(paid_to(&s, 0x30), 1000000);
  assert_int_equal(paid_to(&s, 0x31), 3000000);
  assert_int_equal(paid_to(&s, 0x32), 0);
  assert_int_equal(s.fee[0], 0);
  /* the window keeps points */
  assert_int_equal(points(&e, 0), 600);
  env_close(&e);
}

static void test_pplns_points(void **state)
{
  struct env e;
  struct sent s = { 0 };
  (void)state;
  env_open(&e, PAYOUT_PPLNS);
  e.cfg.pplns_window_points = 300;
  e.cfg.pool_fee_ppm = 0;
  e.cfg.payout_fee = 0;
  credit(&e, 2, 1000, T0);       /* older than the last 300 points */
  credit(&e, 0, 100, T0 + 10);
  credit(&e, 1, 200, T0 + 20);
  absorb(&e, 3000000);
  settle(&e, T0 + 30);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(paid_to(&s, 0x30), 1000000);
  assert_int_equal(paid_to(&s, 0x31), 2000000);
  assert_int_equal(paid_to(&s, 0x32), 0);
  env_close(&e);
}

static void test_pps(void **state)
{
  struct env e;
  struct sent s = { 0 };
  uint64_t und;
  (void)state;
  env_open(&e, PAYOUT_PPS);
  e.cfg.pps_mojo_per_point = 1000;
  e.cfg.max_additions_per_transaction = 10;
  credit(&e, 0, 100, T0);
  credit(&e, 1, 200, T0);
  credit(&e, 2, 700, T0);
  absorb(&e, 10000000);
  settle(&e, T0 + 10);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.fee[0], 5);
  assert_int_equal(paid_to(&s, 0x30), 100000);
  assert_int_equal(paid_to(&s, 0x31), 200000);
  assert_int_equal(paid_to(&s, 0x32), 700000);
  assert_int_equal(paid_to(&s, 0xee), 0);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 10000000 - 1000000 - 5);
  env_close(&e);
}

static void test_refused_then_repaid(void **state)
{
  struct env e;
  struct sent s = { 0 };
  struct payouts_report r;
  (void)state;
  env_open(&e, PAYOUT_PROP);
  e.cfg.pool_fee_ppm = 0;
  e.cfg.payout_fee = 0;
  e.cfg.max_additions_per_transaction = 10;
  credit(&e, 0, 1, T0);
  credit(&e, 1, 1, T0);
  absorb(&e, 2000);
  e.w.refuse_next = 1;
  /* refused -> failed, lines back to the balances; the next pass
   * re-plans from the balances and pays once */
  assert_int_equal(payouts_run_once(e.p, T0, &r), CP_OK);
  assert_int_equal(r.failed, 1);
  assert_int_equal(r.sent, 0);
  assert_int_equal(balance(&e, 0), 1000);
  assert_int_equal(balance(&e, 1), 1000);
  settle(&e, T0 + 1);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(s.n, 1);
  assert_int_equal(paid_to(&s, 0x30), 1000);
  assert_int_equal(paid_to(&s, 0x31), 1000);
  assert_int_equal(balance(&e, 0), 0);
  env_close(&e);
}

/* A refused batch's pool fee is re-planned once, not shared out. */
static void test_refused_pool_fee(void **state)
{
  struct env e;
  struct sent s = { 0 };
  struct payouts_report r;
  uint64_t und;
  (void)state;
  env_open(&e, PAYOUT_PROP);
  e.cfg.payout_fee = 0;
  e.cfg.max_additions_per_transaction = 10;
  credit(&e, 0, 1, T0);
  credit(&e, 1, 1, T0);
  absorb(&e, 100000);
  /* pool fee 1,000; 49,500 each */
  e.w.refuse_next = 1;
  assert_int_equal(payouts_run_once(e.p, T0, &r), CP_OK);
  assert_int_equal(r.failed, 1);
  settle(&e, T0 + 1);
  settle(&e, T0 + 2);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(s.n, 2); /* members' repayment, the pool fee's */
  assert_int_equal(paid_to(&s, 0xee), 1000);
  assert_int_equal(paid_to(&s, 0x30), 49500);
  assert_int_equal(paid_to(&s, 0x31), 49500);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 0);
  env_close(&e);
}

/* The same when nobody has points or a balance due afterwards: the pool's
 * re-planned fee must not wait for a round with points (and meanwhile look
 * like undistributed funds a later round would share out). */
static void test_refused_pool_fee_without_points(void **state)
{
  struct env e;
  struct sent s = { 0 };
  struct payouts_report r;
  uint64_t und;
  (void)state;
  env_open(&e, PAYOUT_PROP);
  e.cfg.payout_fee = 0;
  e.cfg.max_additions_per_transaction = 10;
  e.cfg.min_payout = 60000; /* both members' 49,500 are carried */
  credit(&e, 0, 1, T0);
  credit(&e, 1, 1, T0);
  absorb(&e, 100000);
  e.w.refuse_next = 1; /* the round's only output is the pool fee: refused */
  assert_int_equal(payouts_run_once(e.p, T0, &r), CP_OK);
  assert_int_equal(r.failed, 1);
  assert_int_equal(balance(&e, 0), 49500);
  assert_int_equal(balance(&e, 1), 49500);
  settle(&e, T0 + 1);
  settle(&e, T0 + 2);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(s.n, 1);
  assert_int_equal(paid_to(&s, 0xee), 1000);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 0);
  assert_int_equal(balance(&e, 0), 49500);
  env_close(&e);
}

/* A planned batch found at start-up is sent only if the wallet can say it
 * never sent it; otherwise it is held. Found ones are not sent again. */
static void test_restart_reconcile(void **state)
{
  struct env e;
  struct payouts_report r;
  struct payouts_options po = { 0 };
  struct payouts *p2;
  struct sent s = { 0 };
  int64_t id;
  size_t n;
  (void)state;
  env_open(&e, PAYOUT_PROP);
  e.cfg.pool_fee_ppm = 0;
  e.cfg.payout_fee = 0;
  e.cfg.max_additions_per_transaction = 10;
  credit(&e, 0, 1, T0);
  absorb(&e, 1000);
  /* plan with a wallet that is down: the batch stays planned */
  e.w.refuse_hash = 0;
  {
    struct fake_wallet dead = e.w;
    snprintf(dead.path, sizeof dead.path, "/nonexistent/dir/w");
    e.pw.ctx = &dead;
    po.cfg = &e.cfg;
    po.store = e.s;
    po.wallet = e.pw;
    assert_int_equal(payouts_new(&po, &p2), CP_OK);
    assert_int_not_equal(payouts_run_once(p2, T0, &r), CP_OK);
    payouts_free(p2);
  }
  assert_int_equal(store_payout_list(e.s, STORE_PAYOUT_PLANNED, &id, 1, &n), CP_OK);
  assert_int_equal(n, 1);
  /* a new process whose wallet cannot look keys up: held */
  e.w.find_unsupported = 1;
  assert_int_equal(payouts_run_once(e.p, T0 + 1, &r), CP_OK);
  assert_int_equal(r.held, 1);
  assert_int_equal(e.w.sends, 0);
  /* with lookups: sent once, then confirmed */
  e.w.find_unsupported = 0;
  settle(&e, T0 + 2);
  assert_int_equal(e.w.sends, 1);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(paid_to(&s, 0x30), 1000);
  env_close(&e);
}

static void test_latest_instructions(void **state)
{
  struct env e;
  struct sent s = { 0 };
  uint8_t l[32], ph[32];
  char instr[80];
  (void)state;
  env_open(&e, PAYOUT_PROP);
  e.cfg.pool_fee_ppm = 0;
  e.cfg.payout_fee = 0;
  credit(&e, 2, 1, T0);
  absorb(&e, 777);
  lid(2, l);
  memset(ph, 0x77, 32);
  hex_encode0x(instr, ph, 32);
  assert_int_equal(store_farmer_set_auth(e.s, l, instr, NULL), CP_OK);
  settle(&e, T0);
  fw_audit(e.wal, collect, &s);
  assert_int_equal(paid_to(&s, 0x77), 777);
  assert_int_equal(paid_to(&s, 0x32), 0);
  env_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_prop),
    cmocka_unit_test(test_prop_claim_fees),
    cmocka_unit_test(test_pplns_seconds),
    cmocka_unit_test(test_pplns_points),
    cmocka_unit_test(test_pps),
    cmocka_unit_test(test_refused_then_repaid),
    cmocka_unit_test(test_refused_pool_fee),
    cmocka_unit_test(test_refused_pool_fee_without_points),
    cmocka_unit_test(test_restart_reconcile),
    cmocka_unit_test(test_latest_instructions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
