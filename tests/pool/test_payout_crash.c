/* Crash test for the payout engine: a child process runs payout passes on
 * a SQLite store and is SIGKILLed at random moments, again and again; the
 * fake wallet's state is a fsync'd file the parent audits (fake_wallet.h).
 * Between runs the parent credits partials (always in the same ratio
 * between farmers) and absorbs a reward. At the end one child runs until
 * everything is settled, and the parent checks:
 *   - the pool fee address got 1% of what was distributed (to rounding);
 *   - no idempotency key was sent twice; every sent key is a confirmed
 *     batch with exactly the batch's outputs and fee; no failed batch sent;
 *   - absorbed = wallet outputs + wallet fees + balances + undistributed;
 *   - each farmer's (received + balance) is exactly its weight's share of
 *     everything the farmers earned (so nobody got more than its due).
 * CHIAPOOL_CRASH_KILLS overrides the number of kills (default 60, 50 under
 * ASan, which is slower: each test stays under a minute). */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

#include "pool/payouts.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "fake_wallet.h"

#define NF 4
static const uint64_t weight[NF] = { 1, 2, 3, 5 };
static const uint64_t fee_ppm = 10000;
static const uint64_t payout_fee = 7;

static char dir[64], db_path[128], wallet_path[128];

static void farmer_ids(int i, uint8_t launcher[32], uint8_t p2[32], uint8_t ph[32])
{
  memset(launcher, 0x10 + i, 32);
  memset(p2, 0x20 + i, 32);
  memset(ph, 0x30 + i, 32);
}

static struct store *open_store(void)
{
  struct store_options o = { .backend = STORE_BACKEND_SQLITE, .path = db_path };
  struct store *s = NULL;
  cp_err rc = store_open(&o, &s);
  if (rc)
    fail_msg("store_open: %s", cp_errname(rc));
  return s;
}

static void config(struct pool_config *c)
{
  config_defaults(c);
  c->payout_scheme = PAYOUT_PROP;
  c->pool_fee_ppm = fee_ppm;
  c->payout_fee = payout_fee;
  c->min_payout = 400000000000ull;
  c->max_additions_per_transaction = 2;
  memset(c->pool_fee_puzzle_hash, 0xee, 32);
}

/* The child: payout passes until killed, or (settle) until nothing is
 * left planned or submitted and a pass plans nothing. */
static void child(int settle, unsigned seed)
{
  struct pool_config cfg;
  struct payouts_options o = { 0 };
  struct fake_wallet w;
  struct payouts *p;
  struct store *s;
  int quiet = 0;

  log_set_level(LOG_OFF);
  config(&cfg);
  fw_init(&w, &o.wallet, wallet_path);
  w.refuse_hash = settle ? 0 : 24 + (int)(seed % 16);  /* ~10% refused */
  w.polls_to_confirm = 1;
  /* besides the parent's random kills, die right after some sends: the
   * narrowest window (the wallet paid, the store does not know yet) */
  w.die_after_send = settle ? 0 : 10;
  srand(seed);
  s = open_store();
  o.cfg = &cfg;
  o.store = s;
  if (payouts_new(&o, &p))
    _exit(3);
  if (getenv("CRASH_DEBUG"))
    fprintf(stderr, "pid %d open t=%llu\n", (int)getpid(), (unsigned long long)clock_mono_ms());
  for (unsigned pass = 0; pass < 100000; pass++) {
    struct payouts_report r;
    cp_err rc = payouts_run_once(p, clock_unix_s(), &r);
    if (getenv("CRASH_DEBUG"))
      fprintf(stderr, "pid %d pass %u t=%llu rc=%s planned %u sent %u found %u conf %u failed %u unsettled %u\n",
              (int)getpid(), pass, (unsigned long long)clock_mono_ms(), cp_errname(rc), r.planned, r.sent,
              r.found, r.confirmed, r.failed, r.unsettled);
    if (rc)
      _exit(4);
    if (settle) {
      quiet = (!r.planned && !r.unsettled) ? quiet + 1 : 0;
      if (quiet >= 2)
        break;
    }
  }
  payouts_free(p);
  store_close(s);
  _exit(0);
}

static uint64_t rng_state;
static uint64_t rng(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static uint64_t absorbed_total;

/* Parent, child dead: credit partials in the weight ratio, absorb a reward. */
static void feed(struct store *s, unsigned round)
{
  for (int i = 0; i < NF; i++) {
    struct store_partial pa = { 0 };
    uint8_t p2[32], ph[32];
    farmer_ids(i, pa.launcher_id, p2, ph);
    pa.timestamp = 1700000000 + round;
    pa.difficulty = weight[i] * (1 + round % 3);
    memset(pa.proof_hash, 0, 32);
    be32_store(pa.proof_hash, round);
    pa.proof_hash[4] = (uint8_t)i;
    assert_int_equal(store_partial_add(s, &pa), CP_OK);
  }
  {
    struct store_reward r = { 0 };
    memset(r.coin_id, 0xcc, 32);
    be32_store(r.coin_id, round);
    memset(r.launcher_id, 0x10, 32);
    r.height = 1000 + round;
    r.amount = 1000000000000ull + (rng() % 1000000000000ull);
    r.state = STORE_REWARD_ABSORBED;
    assert_int_equal(store_reward_upsert(s, &r), CP_OK);
    absorbed_total += r.amount;
  }
}

static void setup_farmers(struct store *s)
{
  for (int i = 0; i < NF; i++) {
    struct store_farmer f = { 0 };
    uint8_t ph[32];
    farmer_ids(i, f.launcher_id, f.p2_singleton_puzzle_hash, ph);
    hex_encode(f.payout_instructions, ph, 32);
    f.difficulty = 1;
    f.is_pool_member = 1;
    assert_int_equal(store_farmer_add(s, &f), CP_OK);
  }
}

/* ---- audit ---- */

struct audit {
  struct store *s;
  uint64_t out_total, fee_total;
  uint64_t received[NF], pool_fee_received;
  unsigned sends, bad;
  char keys[4096][STORE_KEY_MAX + 1];
  size_t nkeys;
};

static int64_t batch_by_key(struct store *s, const char *key, struct store_payout_batch *b)
{
  for (int st = STORE_PAYOUT_PLANNED; st <= STORE_PAYOUT_FAILED; st++) {
    int64_t ids[4096];
    size_t n;
    assert_int_equal(store_payout_list(s, st, ids, 4096, &n), CP_OK);
    for (size_t i = 0; i < n; i++) {
      assert_int_equal(store_payout_get(s, ids[i], b, NULL), CP_OK);
      if (!strcmp(b->idempotency_key, key))
        return ids[i];
    }
  }
  return 0;
}

static void visit(void *ctx, const char *key, uint64_t fee,
                  const uint8_t (*ph)[32], const uint64_t *amt, size_t n)
{
  struct audit *a = ctx;
  struct store_payout_batch b;
  struct store_payout_line_list l;
  uint64_t sum = 0, lines_fee = 0, lines_out = 0;
  int64_t id;

  a->sends++;
  for (size_t i = 0; i < a->nkeys; i++)
    if (!strcmp(a->keys[i], key)) {
      print_message("key sent twice: %s\n", key);
      a->bad++;
    }
  assert_true(a->nkeys < 4096);
  snprintf(a->keys[a->nkeys++], STORE_KEY_MAX + 1, "%.64s", key);
  id = batch_by_key(a->s, key, &b);
  if (!id || b.state != STORE_PAYOUT_CONFIRMED) {
    print_message("sent key %s is batch %lld state %d\n", key, (long long)id,
                  id ? (int)b.state : -1);
    a->bad++;
    return;
  }
  assert_int_equal(store_payout_get(a->s, id, &b, &l), CP_OK);
  for (size_t i = 0; i < l.n; i++) {
    if (!memcmp(l.items[i].puzzle_hash, PAYOUTS_FEE_PH, 32))
      lines_fee += l.items[i].amount;
    else
      lines_out += l.items[i].amount;
  }
  store_payout_line_list_release(&l);
  for (size_t i = 0; i < n; i++) {
    sum += amt[i];
    for (int f = 0; f < NF; f++) {
      uint8_t la[32], p2[32], fph[32];
      farmer_ids(f, la, p2, fph);
      if (!memcmp(ph[i], fph, 32))
        a->received[f] += amt[i];
    }
    if (ph[i][0] == 0xee)
      a->pool_fee_received += amt[i];
  }
  if (sum != lines_out || fee != lines_fee) {
    print_message("batch %s: wallet %llu+%llu, ledger %llu+%llu\n", key,
                  (unsigned long long)sum, (unsigned long long)fee,
                  (unsigned long long)lines_out, (unsigned long long)lines_fee);
    a->bad++;
  }
  a->out_total += sum;
  a->fee_total += fee;
}

static void test_crash(void **state)
{
  static struct audit a;
#ifdef __SANITIZE_ADDRESS__
  unsigned kills = 50, seed = (unsigned)time(NULL);
#else
  unsigned kills = 60, seed = (unsigned)time(NULL);
#endif
  const char *env = getenv("CHIAPOOL_CRASH_KILLS");
  struct store *s;
  uint64_t t0 = clock_mono_ms(), live, undist, held = 0, earned = 0;
  unsigned killed = 0, exited = 0, left_planned = 0, left_submitted = 0;
  unsigned left_sent_unrecorded = 0;
  int status;
  pid_t pid;
  (void)state;

  if (env && *env)
    kills = (unsigned)strtoull(env, NULL, 10);
  if (getenv("CHIAPOOL_CRASH_SEED"))
    seed = (unsigned)strtoull(getenv("CHIAPOOL_CRASH_SEED"), NULL, 10);
  print_message("seed %u (CHIAPOOL_CRASH_SEED to replay the kill timing)\n", seed);
  srand(seed);
  rng_state = 0x9e3779b97f4a7c15ull;
  snprintf(dir, sizeof dir, "/tmp/cp_paycrash_XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(db_path, sizeof db_path, "%s/pool.db", dir);
  snprintf(wallet_path, sizeof wallet_path, "%s/wallet.txt", dir);
  log_set_level(LOG_OFF);

  s = open_store();
  setup_farmers(s);
  store_close(s);

  for (unsigned k = 0; k < kills; k++) {
    unsigned delay_us;
    s = open_store();
    {
      /* where the previous kill landed */
      int64_t ids[64];
      size_t n;
      assert_int_equal(store_payout_list(s, STORE_PAYOUT_PLANNED, ids, 64, &n), CP_OK);
      left_planned += n > 0;
      {
        /* killed after the wallet sent, before the store recorded it */
        size_t len;
        char *txt = fw_read(wallet_path, &len);
        for (size_t i = 0; i < n; i++) {
          struct store_payout_batch b;
          assert_int_equal(store_payout_get(s, ids[i], &b, NULL), CP_OK);
          if (fw_count(txt, 'S', b.idempotency_key)) {
            left_sent_unrecorded++;
            break;
          }
        }
        free(txt);
      }
      assert_int_equal(store_payout_list(s, STORE_PAYOUT_SUBMITTED, ids, 64, &n), CP_OK);
      left_submitted += n > 0;
    }
    feed(s, k);
    store_close(s);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
      child(0, (unsigned)rand());
    if (getenv("CRASH_DEBUG"))
      fprintf(stderr, "fork t=%llu\n", (unsigned long long)clock_mono_ms());
    /* Mostly early kills (start-up, reconcile, plan, send), sometimes a
     * longer run so rounds complete and confirmations happen. */
#ifdef __SANITIZE_ADDRESS__
    /* everything is ~3x slower under ASan: give the child time to act */
    delay_us = 20000 + (unsigned)(rand() % 500000);
#else
    delay_us = 40000 + (unsigned)(rand() % 300000);
#endif
    usleep(delay_us);
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
      killed++;
    else
      exited++;
  }

  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    child(1, 0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);

  s = open_store();
  a.s = s;
  fw_audit(wallet_path, visit, &a);
  assert_int_equal(store_payout_live_total(s, &live), CP_OK);
  assert_int_equal(payouts_undistributed(s, &undist), CP_OK);
  for (int f = 0; f < NF; f++) {
    uint8_t la[32], p2[32], ph[32];
    uint64_t bal;
    farmer_ids(f, la, p2, ph);
    assert_int_equal(store_balance_get(s, la, &bal), CP_OK);
    held += bal;
    earned += a.received[f] + bal;
  }
  {
    int64_t ids[8];
    size_t n1, n2;
    assert_int_equal(store_payout_list(s, STORE_PAYOUT_PLANNED, ids, 8, &n1), CP_OK);
    assert_int_equal(store_payout_list(s, STORE_PAYOUT_SUBMITTED, ids, 8, &n2), CP_OK);
    assert_int_equal(n1 + n2, 0);
  }
  print_message("kills that left a batch planned %u (of which sent by the wallet "
                "but not recorded %u), submitted %u\n",
                left_planned, left_sent_unrecorded, left_submitted);
  print_message("kills %u (exited early %u), %.1f s, %u transactions sent, "
                "absorbed %llu = outputs %llu + fees %llu + balances %llu + "
                "undistributed %llu; pool fee %llu; farmers earned %llu\n",
                killed, exited, (double)(clock_mono_ms() - t0) / 1000.0, a.sends,
                (unsigned long long)absorbed_total,
                (unsigned long long)a.out_total, (unsigned long long)a.fee_total,
                (unsigned long long)held, (unsigned long long)undist,
                (unsigned long long)a.pool_fee_received,
                (unsigned long long)earned);
  assert_int_equal(a.bad, 0);
  /* The pool's cut: 1% of what was distributed (refused batches' fees are
   * re-planned, not lost), within one mojo per round of rounding, plus
   * 1% of the tiny remainders that were charged again. */
  {
    uint64_t want = (absorbed_total - undist) / 100;
    assert_true(a.pool_fee_received <= want + kills + 1);
    assert_true(a.pool_fee_received + 2 * kills + 2 >= want);
  }
  assert_true(a.sends > 0);
  assert_true(a.out_total + a.fee_total == live);
  assert_true(absorbed_total == a.out_total + a.fee_total + held + undist);
  for (int f = 0; f < NF; f++) {
    uint64_t bal, wsum = 0;
    uint8_t la[32], p2[32], ph[32];
    farmer_ids(f, la, p2, ph);
    assert_int_equal(store_balance_get(s, la, &bal), CP_OK);
    for (int g = 0; g < NF; g++)
      wsum += weight[g];
    /* exact: points were always credited in the weight ratio */
    assert_true((unsigned __int128)(a.received[f] + bal) * wsum ==
                (unsigned __int128)earned * weight[f]);
  }
  store_close(s);
  unlink(db_path);
  unlink(wallet_path);
  {
    char p[160];
    snprintf(p, sizeof p, "%s/pool.db-wal", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/pool.db-shm", dir);
    unlink(p);
  }
  rmdir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
