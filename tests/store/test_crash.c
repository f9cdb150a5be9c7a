/* Store durability: a child process writing in a loop is SIGKILLed at
 * random points, and after each kill the database is reopened and its
 * invariants checked, on SQLite and (with CHIAPOOL_PG_DSN) PostgreSQL. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_fixture.h"
#include "util/err.h"
#include "util/log.h"

#define ROUNDS 6
#define FARMERS 3
#define MAX_EVENTS (1 << 20)

/* What the child reports after each committed operation. */
struct event {
  char op; /* 'E' enqueued, 'C' completed, 'D' dropped, 'P' planned */
  uint32_t idx;
} __attribute__((packed));

static void report(int fd, char op, uint32_t idx)
{
  struct event e = { op, idx };
  if (write(fd, &e, sizeof e) != (ssize_t)sizeof e)
    _exit(3);
}

static uint32_t proof_idx(const uint8_t *h)
{
  return (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 |
         h[4];
}

/* Child: enqueue, claim, complete (sometimes twice) or drop, forever. */
static void child_partials(const struct fx *f, uint32_t round, int fd)
{
  struct store_options o = fx_options(f);
  struct store *s = NULL;
  if (store_open(&o, &s))
    _exit(2);
  for (uint32_t i = 0;; i++) {
    struct store_pending p;
    struct store_pending_list l;
    uint32_t idx = round * 1000000 + i;
    fx_pending(&p, 1 + idx % FARMERS, idx, 1 + idx % 7, 0);
    if (store_pending_enqueue(s, &p, NULL) == CP_OK)
      report(fd, 'E', idx);
    if (store_pending_claim(s, 1, 4, &l))
      _exit(4);
    for (size_t k = 0; k < l.n; k++) {
      uint32_t x = proof_idx(l.items[k].proof_hash);
      int credited;
      if (x % 11 == 0) {
        if (store_pending_drop(s, l.items[k].proof_hash) == CP_OK)
          report(fd, 'D', x);
        continue;
      }
      if (store_pending_complete(s, l.items[k].proof_hash, 10 + x,
                                 &credited) == CP_OK)
        report(fd, 'C', x);
      if (x % 5 == 0 &&
          store_pending_complete(s, l.items[k].proof_hash, 11 + x,
                                 &credited) != CP_OK)
        _exit(5);
      if (x % 5 == 0 && credited)
        _exit(6);
    }
    store_pending_list_release(&l);
  }
}

#define IDX_SPACE (ROUNDS * 1000000)

static void check_partials(struct fx *fx, const struct event *ev, size_t n)
{
  struct store_options o = fx_options(fx);
  struct store *s = NULL;
  struct store_pending_list l;
  uint8_t proof[32];
  uint8_t *dropped = test_calloc(IDX_SPACE / 8 + 1, 1);
  int64_t pending;

  /* Reopen first: it runs recovery and releases the dead child's claims. */
  assert_int_equal(store_open(&o, &s), CP_OK);

  for (uint32_t f = 1; f <= FARMERS; f++) {
    struct store_farmer fa;
    char sql[160];
    uint8_t id[32];
    fx_hash(id, 'L', f);
    assert_int_equal(store_farmer_get(s, id, &fa), CP_OK);
    snprintf(sql, sizeof sql,
             "SELECT COALESCE(SUM(p.difficulty), 0) FROM partials p JOIN "
             "farmers f USING (launcher_id) WHERE f.joined_at = %u",
             1700000000u + f);
    assert_true(fa.points == (uint64_t)fx_raw_int(fx, sql));
    store_farmer_release(&fa);
  }
  assert_int_equal(fx_raw_int(fx, "SELECT COUNT(*) FROM partials JOIN "
                                 "pending_partials USING (proof_hash)"),
                   0);
  for (size_t i = 0; i < n; i++)
    if (ev[i].op == 'D')
      dropped[ev[i].idx / 8] |= (uint8_t)(1u << (ev[i].idx % 8));
  for (size_t i = 0; i < n; i++) {
    int where = -1;
    assert_true(ev[i].idx < IDX_SPACE);
    fx_hash(proof, 'Q', ev[i].idx);
    assert_int_equal(store_proof_seen(s, proof, &where), CP_OK);
    switch (ev[i].op) {
    case 'C':
      assert_int_equal(where, 1);
      break;
    case 'D':
      assert_int_equal(where, 0);
      break;
    case 'E':
      if (dropped[ev[i].idx / 8] & (1u << (ev[i].idx % 8)))
        break;
      /* Never completed; it may have been dropped by a child killed
       * before it could report the drop. */
      if (ev[i].idx % 11 == 0 && where != 2)
        assert_int_equal(where, 0);
      else if (where != 1 && where != 2)
        fail_msg("idx %u lost (where %d)", ev[i].idx, where);
      break;
    default:
      fail();
    }
  }
  /* Every pending item is claimable again after the restart. */
  pending = fx_raw_int(fx, "SELECT COUNT(*) FROM pending_partials");
  assert_int_equal(store_pending_claim(s, 1, STORE_CLAIM_MAX, &l), CP_OK);
  assert_int_equal((int64_t)l.n, pending);
  store_pending_list_release(&l);
  store_close(s);
  test_free(dropped);
}

/* Child: payout plans in a loop, each consuming one point of farmer 1 and
 * carrying a balance equal to its sequence number. */
static void child_payouts(const struct fx *f, uint32_t round, int fd)
{
  struct store_options o = fx_options(f);
  struct store *s = NULL;
  if (store_open(&o, &s))
    _exit(2);
  for (uint32_t i = 0;; i++) {
    struct store_payout_farmer pf;
    struct store_payout_line line;
    struct store_payout_plan plan;
    char key[32];
    int64_t id;
    uint32_t idx = round * 1000000 + i;
    snprintf(key, sizeof key, "k%u", idx);
    memset(&line, 0, sizeof line);
    fx_hash(line.puzzle_hash, 'T', 1);
    line.amount = 1000;
    line.has_launcher = 1;
    fx_hash(line.launcher_id, 'L', 1);
    memcpy(pf.launcher_id, line.launcher_id, 32);
    pf.points_used = 1;
    pf.balance = idx;
    plan = (struct store_payout_plan){
      .idempotency_key = key, .created_at = 1, .window_end = idx,
      .points_mode = STORE_POINTS_SUBTRACT, .lines = &line, .n_lines = 1,
      .farmers = &pf, .n_farmers = 1 };
    if (store_payout_plan(s, &plan, &id) == CP_OK)
      report(fd, 'P', idx);
  }
}

static void check_payouts(struct fx *fx, const struct event *ev, size_t n)
{
  struct store_options o = fx_options(fx);
  struct store *s = NULL;
  struct store_farmer fa;
  uint8_t id[32];
  uint64_t bal = 0, window = 0;
  int64_t batches = fx_raw_int(fx, "SELECT COUNT(*) FROM payout_batches");
  int64_t lines = fx_raw_int(fx, "SELECT COUNT(*) FROM payout_lines");

  assert_int_equal(store_open(&o, &s), CP_OK);
  fx_hash(id, 'L', 1);
  assert_int_equal(store_farmer_get(s, id, &fa), CP_OK);
  assert_true(fa.points + (uint64_t)batches == 1000000);
  store_farmer_release(&fa);
  assert_int_equal(lines, batches);
  assert_int_equal(store_balance_get(s, id, &bal), CP_OK);
  assert_int_equal(store_points_window(s, &window), CP_OK);
  assert_true(bal == window); /* the balance of the newest batch */
  /* Everything reported is there (and maybe one more, killed before it
   * could report). */
  for (size_t i = 0; i < n; i++)
    assert_true(ev[i].op == 'P');
  if (n)
    assert_true(window >= ev[n - 1].idx);
  store_close(s);
}

/* Runs ROUNDS children, each killed after a random delay; collects what
 * each reported and checks the database after every kill. */
static void crash_rounds(struct fx *f,
                         void (*child)(const struct fx *, uint32_t, int),
                         void (*check)(struct fx *, const struct event *,
                                       size_t))
{
  struct event *ev = test_malloc(MAX_EVENTS * sizeof *ev);
  size_t n = 0;
  for (uint32_t round = 0; round < ROUNDS; round++) {
    int fds[2];
    pid_t pid;
    int status;
    struct timespec ts;
    ssize_t got;
    assert_int_equal(pipe(fds), 0);
    fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      child(f, round, fds[1]);
      _exit(1);
    }
    close(fds[1]);
    /* Wait for the first committed write, so the kill lands inside the
     * write loop rather than in store_open, then let it run a while. */
    size_t before = n;
    assert_int_equal(read(fds[0], &ev[n], sizeof *ev), (ssize_t)sizeof *ev);
    n++;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)(20 + rand() % 250) * 1000000L;
    nanosleep(&ts, NULL);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* Killed by us, not exited on a detected violation. */
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    while ((got = read(fds[0], (char *)ev + n * sizeof *ev,
                       (MAX_EVENTS - n) * sizeof *ev)) > 0) {
      assert_int_equal(got % (ssize_t)sizeof *ev, 0);
      n += (size_t)got / sizeof *ev;
    }
    close(fds[0]);
    print_message("round %u: %zu events\n", round, n - before);
    check(f, ev, n);
  }
  assert_true(n > 0);
  test_free(ev);
}

static void setup_farmers(struct fx *f, uint64_t points)
{
  struct store *s = fx_open(f);
  for (uint32_t i = 1; i <= FARMERS; i++) {
    struct store_farmer fa;
    fx_farmer(&fa, i);
    fa.points = points;
    assert_int_equal(store_farmer_add(s, &fa), CP_OK);
  }
  store_close(s);
}

static void test_pending_survives_sigkill(void **state)
{
  struct fx f;
  struct store *s;
  struct store_pending_list l;
  (void)state;
  srand(12345);
  fx_init(&f);
  setup_farmers(&f, 0);
  crash_rounds(&f, child_partials, check_partials);

  /* After the last restart, finishing the queue leaves it empty and every
   * point accounted for. */
  s = fx_open(&f);
  assert_int_equal(store_pending_list(s, &l), CP_OK);
  for (size_t i = 0; i < l.n; i++)
    assert_int_equal(store_pending_complete(s, l.items[i].proof_hash, 1, NULL),
                     CP_OK);
  store_pending_list_release(&l);
  store_close(s);
  assert_int_equal(fx_raw_int(&f, "SELECT COUNT(*) FROM pending_partials"), 0);
  check_partials(&f, NULL, 0);
  fx_cleanup(&f);
}

static void test_payouts_survive_sigkill(void **state)
{
  struct fx f;
  (void)state;
  srand(54321);
  fx_init(&f);
  setup_farmers(&f, 1000000);
  crash_rounds(&f, child_payouts, check_payouts);
  fx_cleanup(&f);
}

static void test_pending_sigkill_sqlite(void **state)
{
  fx_backend = STORE_BACKEND_SQLITE;
  test_pending_survives_sigkill(state);
}

static void test_payouts_sigkill_sqlite(void **state)
{
  fx_backend = STORE_BACKEND_SQLITE;
  test_payouts_survive_sigkill(state);
}

/* Skipped unless CHIAPOOL_PG_DSN is set (see store_fixture.h). */
static void test_pending_sigkill_pg(void **state)
{
  fx_backend = STORE_BACKEND_PG;
  test_pending_survives_sigkill(state);
}

static void test_payouts_sigkill_pg(void **state)
{
  fx_backend = STORE_BACKEND_PG;
  test_payouts_survive_sigkill(state);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pending_sigkill_sqlite),
    cmocka_unit_test(test_payouts_sigkill_sqlite),
    cmocka_unit_test(test_pending_sigkill_pg),
    cmocka_unit_test(test_payouts_sigkill_pg),
  };
  log_set_level(LOG_WARN);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
