/* Crash test of the money path against the simulator (issue #9): the real
 * `chiapool serve` binary is SIGKILLed at random moments of its reward and
 * payout cycle, again and again, and the simulated chain's coin set is then
 * audited to the mojo.
 *
 * The parent hosts the simulated full node and wallet (mutual-TLS RPC with
 * the simulator's CA under a Chia-like root), so the chain outlives every
 * kill. Four farmers with weights 1:2:3:5 launch real plot NFTs on it
 * pointing at the pool's target and join through POST /farmer against the
 * first child. Then, ~60 times: while no child runs, the parent credits
 * partials in the weight ratio (store API) and farms a block whose pool
 * reward goes to one farmer's p2_singleton; it starts the child, farms a
 * block every few hundred ms while it runs (so absorbs and payouts confirm)
 * and SIGKILLs it either after a random delay or right after the child's
 * next push to the mempool (the narrowest window: the wallet or node took
 * the transaction, the store may not know yet). A last child runs until
 * everything settles; then, from the chain alone:
 *   - absorbed = the reward coins at the p2_singleton puzzle hashes, all
 *     spent, and exactly that arrived at the pool's target;
 *   - paid, pool fee and blockchain fees = the outputs and fees of the pool
 *     wallet's spends; every output carries its batch's idempotency key as
 *     memo, no key landed in two transactions, and each key's outputs are
 *     exactly its batch's lines;
 *   - absorbed = paid + pool fee + blockchain fees + balances + the
 *     ledger's undistributed funds, exactly;
 *   - each farmer's received + balance is exactly its weight's share.
 * CHIAPOOL_CRASH_KILLS sets the number of kills (default 60, 50 under
 * ASan), CHIAPOOL_CRASH_SEED replays the kill timing, CHIAPOOL_CRASH_KEEP=1
 * keeps the directory (pool.log, stderr.txt) after a pass. */
#include "testutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chia/coin.h"
#include "clvm/clvm.h"
#include "clvm/conditions.h"
#include "crypto/sha256.h"
#include "plotnft/puzzles.h"
#include "pool/payouts.h"
#include "sim/certs.h"
#include "sim/farmer.h"
#include "sim/node.h"
#include "sim/wallet.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/parse.h"

#define NF 4
static const uint64_t weight[NF] = { 1, 2, 3, 5 };
#define POOL_FEE_PPM 10000u           /* pool_fee: 0.01 */
#define PAYOUT_FEE 1000u              /* mojos per payout transaction */
#define MIN_PAYOUT 300000000000ull    /* 0.3 XCH: small shares carry */
#define CONFIRM_DEPTH 2               /* confirmation_security_threshold */
/* block_claim_fee: the pool wallet pays it with a spend of its own next
 * to each absorb (rewards.h), so it needs coins before the first absorb:
 * WALLET_SEED, a gift the audit accounts for. */
#define CLAIM_FEE 5000u
#define WALLET_SEED 10000000000ull
#define WALLET_KEYS 10
#define MAX_OUT 4096

#ifdef __SANITIZE_ADDRESS__
#define DEFAULT_KILLS 50
#define SLOW 2 /* everything takes about twice as long */
#else
#define DEFAULT_KILLS 60
#define SLOW 1
#endif

struct rig {
  char dir[64], cfg[128], db[128], errlog[128];
  struct sim_node *node;
  struct sim_chain *chain;
  struct sim_wallet *wallet;
  uint8_t wallet_ph[WALLET_KEYS][32];
  uint8_t fee_ph[32], nobody[32], seed_coin[32];
  uint8_t launcher[NF][32], p2[NF][32], pay_ph[NF][32];
  uint64_t rng;
  unsigned feeds, reward_blocks, blocks;
};

static uint64_t rnd(struct rig *r, uint64_t n)
{
  return tv_rng_next(&r->rng) % n;
}

static void write_text(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_true(fputs(text, f) >= 0);
  assert_int_equal(fclose(f), 0);
}

static void farm(struct rig *r, const uint8_t pool_ph[32])
{
  sim_chain_advance(r->chain, 1);
  assert_int_equal(sim_chain_farm_block(r->chain, r->nobody, pool_ph, NULL), CP_OK);
  r->blocks++;
}

static void write_config(struct rig *r)
{
  char text[4096], target[65], fee[65];

  hex_encode(target, r->wallet_ph[0], 32);
  hex_encode(fee, r->fee_ph, 32);
  snprintf(text, sizeof text,
           "network: simulator\n"
           "test_mode: true\n"
           "default_target_puzzle_hash: %s\n"
           "pool_fee_puzzle_hash: %s\n"
           "pool_fee: 0.01\n"
           "payout_fee: %u\n"
           "block_claim_fee: %u\n"
           "wallet_fingerprint: %u\n"
           "node_rpc_host: 127.0.0.1\n"
           "node_rpc_port: %u\n"
           "wallet_rpc_host: 127.0.0.1\n"
           "wallet_rpc_port: %u\n"
           "chia_root: %s\n"
           "confirmation_security_threshold: %u\n"
           "scan_start_height: 0\n"
           /* the minimums: a pass of each right at start-up, then every
            * second, so a short-lived child still does something */
           "collect_pool_rewards_interval: 1\n"
           "payment_interval: 1\n"
           "max_additions_per_transaction: 2\n"
           "payout_scheme: prop\n"
           "min_payout: %llu\n"
           "store:\n  backend: sqlite\n  path: pool.sqlite\n"
           "logging:\n  log_level: info\n  log_path: pool.log\n",
           target, fee, PAYOUT_FEE, CLAIM_FEE, (unsigned)sim_wallet_fingerprint(r->wallet),
           (unsigned)sim_node_port(r->node), (unsigned)sim_wallet_port(r->wallet), r->dir,
           CONFIRM_DEPTH, (unsigned long long)MIN_PAYOUT);
  write_text(r->cfg, text);
}

/* `chiapool serve` on an ephemeral port; with port != NULL, waits for its
 * "listening" line. Only async-signal-safe calls between fork and exec:
 * the parent runs the simulator's threads. */
static pid_t spawn(struct rig *r, uint16_t *port)
{
  pid_t pid = tv_serve_spawn(r->cfg, r->dir, r->errlog, 60000, port, NULL);
  if (port && !*port)
    fail_msg("chiapool serve did not report its port (see %s)", r->errlog);
  return pid;
}

/* 1 if the child was killed, 0 if it had exited by itself (a failure
 * unless expected). */
static int kill_child(pid_t pid)
{
  int st = 0;
  kill(pid, SIGKILL);
  assert_int_equal(waitpid(pid, &st, 0), pid);
  return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

static void exited_early(struct rig *r, pid_t pid)
{
  int st = 0;
  if (waitpid(pid, &st, WNOHANG) == pid)
    fail_msg("chiapool serve exited by itself (status %d); see %s", st, r->errlog);
}

static struct store *open_store(struct rig *r)
{
  struct store_options o = { .backend = STORE_BACKEND_SQLITE, .path = r->db };
  struct store *s = NULL;
  cp_err rc = store_open(&o, &s);
  if (rc)
    fail_msg("store_open: %s", cp_errname(rc));
  return s;
}

/* ---- set-up: chain, wallet, farmers with plot NFTs, registration ---- */

static void setup(struct rig *r)
{
  struct sim_node_config nc;
  struct sim_wallet_config wc;
  struct sim_farmer *f[NF];
  uint16_t port;
  char url[64];
  pid_t pid;

  snprintf(r->dir, sizeof r->dir, "/tmp/cp_moneycrash_XXXXXX");
  assert_non_null(mkdtemp(r->dir));
  snprintf(r->cfg, sizeof r->cfg, "%s/pool.yaml", r->dir);
  snprintf(r->db, sizeof r->db, "%s/pool.sqlite", r->dir);
  snprintf(r->errlog, sizeof r->errlog, "%s/stderr.txt", r->dir);
  assert_int_equal(plotnft_init(), CP_OK);
  assert_int_equal(sim_certs_ensure(r->dir), CP_OK);
  sha256(r->fee_ph, "money crash pool fee", 20);
  sha256(r->nobody, "money crash nobody", 18);

  sim_node_config_init(&nc);
  nc.data_dir = r->dir;
  nc.ms_per_sp = 0; /* the parent makes time */
  nc.seed = 9;
  assert_int_equal(sim_node_new(&nc, &r->node), CP_OK);
  r->chain = sim_node_chain(r->node);
  sim_wallet_config_init(&wc);
  wc.chain = r->chain;
  wc.n_keys = WALLET_KEYS;
  sha256(wc.seed, "money crash pool wallet", 23);
  wc.chia_root = r->dir;
  assert_int_equal(sim_wallet_new(&wc, &r->wallet), CP_OK);
  for (unsigned i = 0; i < WALLET_KEYS; i++)
    sim_wallet_puzzle_hash(r->wallet, i, r->wallet_ph[i]);
  {
    struct chia_coin gift;
    assert_int_equal(sim_chain_give(r->chain, r->wallet_ph[0], WALLET_SEED, &gift), CP_OK);
    coin_id(&gift, r->seed_coin);
  }
  write_config(r);

  /* The first child only serves the farmers' registration. */
  pid = spawn(r, &port);
  snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)port);
  for (int i = 0; i < NF; i++) {
    struct sim_farmer_config fc;
    char name[32], seed[64];
    const char *why = NULL;
    cp_err rc;
    snprintf(name, sizeof name, "farmer-%d", i);
    snprintf(seed, sizeof seed, "money crash farmer %d", i);
    sim_farmer_config_init(&fc);
    fc.chain = r->chain;
    fc.name = name;
    sha256(fc.seed, seed, strlen(seed));
    fc.pool_url = url;
    fc.test_mode = true;
    assert_int_equal(sim_farmer_new(&fc, &f[i]), CP_OK);
    assert_int_equal(sim_farmer_fetch_pool_info(f[i]), CP_OK);
    rc = sim_farmer_create_plotnft(f[i], &why);
    if (rc)
      fail_msg("plot NFT %d: %s %s", i, cp_errname(rc), why ? why : "");
  }
  for (int i = 0; i <= CONFIRM_DEPTH; i++)
    farm(r, r->nobody);
  for (int i = 0; i < NF; i++) {
    enum pool_code code = POOL_OK;
    cp_err rc = sim_farmer_join(f[i], &code);
    if (rc)
      fail_msg("join %d: %s code %d", i, cp_errname(rc), (int)code);
    memcpy(r->launcher[i], sim_farmer_launcher_id(f[i]), 32);
    memcpy(r->p2[i], sim_farmer_p2_ph(f[i]), 32);
    memcpy(r->pay_ph[i], sim_farmer_wallet_ph(f[i]), 32);
    sim_farmer_free(f[i]);
  }
  assert_true(kill_child(pid));
}

/* ---- between runs (no child): points in the weight ratio, a reward ---- */

static void feed(struct rig *r)
{
  struct store *s = open_store(r);
  unsigned k = r->feeds++;

  for (int i = 0; i < NF; i++) {
    struct store_partial pa = { 0 };
    memcpy(pa.launcher_id, r->launcher[i], 32);
    pa.timestamp = clock_unix_s();
    pa.difficulty = weight[i] * (1 + k % 3);
    be32_store(pa.proof_hash, k);
    pa.proof_hash[4] = (uint8_t)i;
    pa.proof_hash[5] = 0x5a;
    assert_int_equal(store_partial_add(s, &pa), CP_OK);
  }
  store_close(s);
  farm(r, r->p2[k % NF]);
  r->reward_blocks++;
  farm(r, r->nobody);
}

/* ---- one child's life ---- */

struct run_stats {
  unsigned killed, on_push, on_push_hit;
};

static void run_and_kill(struct rig *r, struct run_stats *st)
{
  const uint64_t block_ms = 150 * SLOW;
  int on_push = rnd(r, 3) == 0;
  uint64_t t0 = clock_mono_ms(), next_block = t0 + block_ms;
  uint64_t until = t0 + (on_push ? 2500 * SLOW : 40 + rnd(r, 1200 * SLOW));
  struct sim_chain_state cs;
  size_t base;
  pid_t pid = spawn(r, NULL);

  sim_chain_state(r->chain, &cs);
  base = cs.mempool_size;
  for (;;) {
    uint64_t now = clock_mono_ms();
    if (now >= until)
      break;
    if (on_push) {
      sim_chain_state(r->chain, &cs);
      if (cs.mempool_size > base) {
        st->on_push_hit++;
        break;
      }
    }
    if (now >= next_block) {
      exited_early(r, pid);
      farm(r, r->nobody);
      next_block = now + block_ms;
      sim_chain_state(r->chain, &cs);
      base = cs.mempool_size;
    }
    clock_sleep_ms(on_push ? 1 : 5);
  }
  st->on_push += (unsigned)on_push;
  if (!kill_child(pid))
    fail_msg("chiapool serve was not running when killed; see %s", r->errlog);
  st->killed++;
}

/* ---- settling ---- */

static int failed_fee_replanned(struct store *s)
{
  int64_t ids[1024];
  size_t n;
  assert_int_equal(store_payout_list(s, STORE_PAYOUT_FAILED, ids, 1024, &n), CP_OK);
  for (size_t i = 0; i < n; i++) {
    struct store_payout_batch b;
    struct store_payout_line_list l;
    char key[STORE_KEY_MAX + 1];
    int64_t other;
    int fee_line = 0;
    assert_int_equal(store_payout_get(s, ids[i], &b, &l), CP_OK);
    for (size_t k = 0; k < l.n; k++)
      fee_line |= !l.items[k].has_launcher &&
                  memcmp(l.items[k].puzzle_hash, PAYOUTS_FEE_PH, 32) && l.items[k].amount;
    store_payout_line_list_release(&l);
    snprintf(key, sizeof key, PAYOUTS_KEY_PREFIX "refee-%lld", (long long)ids[i]);
    if (fee_line && store_payout_find_key(s, key, &other) != CP_OK)
      return 0;
  }
  return 1;
}

/* Nothing left to do: every reward absorbed, no batch in flight, every
 * point paid for, every refused pool fee re-planned, mempool empty. */
static int settled(struct rig *r)
{
  struct store *s = open_store(r);
  struct sim_chain_state cs;
  int ok = 1;

  for (int st = STORE_REWARD_FOUND; st <= STORE_REWARD_ABSORBING; st++) {
    struct store_reward_list l;
    assert_int_equal(store_reward_list(s, (enum store_reward_state)st, &l), CP_OK);
    ok &= l.n == 0;
    store_reward_list_release(&l);
  }
  for (int st = STORE_PAYOUT_PLANNED; st <= STORE_PAYOUT_SUBMITTED; st++) {
    int64_t id;
    size_t n;
    assert_int_equal(store_payout_list(s, (enum store_payout_state)st, &id, 1, &n), CP_OK);
    ok &= n == 0;
  }
  for (int i = 0; i < NF && ok; i++) {
    struct store_farmer f;
    assert_int_equal(store_farmer_get(s, r->launcher[i], &f), CP_OK);
    ok &= f.points == 0;
    store_farmer_release(&f);
  }
  if (ok)
    ok = failed_fee_replanned(s);
  store_close(s);
  sim_chain_state(r->chain, &cs);
  return ok && cs.mempool_size == 0;
}

/* Returns the seconds it took. */
static double settle(struct rig *r)
{
  const uint64_t block_ms = 150 * SLOW;
  uint64_t t0 = clock_mono_ms(), next_check = t0 + 1000;
  pid_t pid = spawn(r, NULL);
  int quiet = 0, st = 0;

  for (;;) {
    uint64_t now = clock_mono_ms();
    if (now - t0 > 120000)
      fail_msg("not settled after 120 s; see %s/pool.log", r->dir);
    exited_early(r, pid);
    farm(r, r->nobody);
    if (now >= next_check) {
      quiet = settled(r) ? quiet + 1 : 0;
      if (quiet >= 3)
        break;
      next_check = clock_mono_ms() + 1000;
    }
    clock_sleep_ms(block_ms);
  }
  /* a clean stop; under ASan this also checks the child for leaks */
  assert_int_equal(kill(pid, SIGTERM), 0);
  assert_int_equal(waitpid(pid, &st, 0), pid);
  if (!WIFEXITED(st) || WEXITSTATUS(st))
    fail_msg("chiapool serve stopped with status %d; see %s", st, r->errlog);
  return (double)(clock_mono_ms() - t0) / 1000.0;
}

/* ---- the audit, from the chain's coin set ---- */

struct output {
  uint8_t parent[32];   /* the wallet coin whose spend created it */
  uint8_t ph[32];
  uint64_t amount;
  char memo[STORE_KEY_MAX + 1];
};

struct audit {
  uint64_t rewards, rewards_unspent, absorbed, target_in;
  uint64_t wallet_in, wallet_out, wallet_left;
  uint64_t received[NF], pool_fee;
  struct output out[MAX_OUT];
  size_t n_out;
  unsigned stray;
};

static int is_wallet_ph(const struct rig *r, const uint8_t ph[32])
{
  for (unsigned i = 0; i < WALLET_KEYS; i++)
    if (!memcmp(r->wallet_ph[i], ph, 32))
      return 1;
  return 0;
}

/* Run a spent coin's puzzle on its solution; append its CREATE_COINs. */
static void spend_outputs(struct rig *r, const uint8_t id[32], struct audit *a,
                          uint64_t *created)
{
  struct chia_coin_spend cs;
  struct clvm_alloc *al = clvm_alloc_new(0);
  struct clvm_conds cc;
  clvm_node puz, sol, res;
  uint64_t cost;
  uint32_t h;

  assert_non_null(al);
  assert_int_equal(sim_chain_coin_spend(r->chain, id, &cs, &h), CP_OK);
  assert_int_equal(clvm_deserialize(al, cs.puzzle_reveal.data, cs.puzzle_reveal.len, 0,
                                    &puz, NULL), CP_OK);
  assert_int_equal(clvm_deserialize(al, cs.solution.data, cs.solution.len, 0, &sol, NULL),
                   CP_OK);
  assert_int_equal(clvm_run(al, puz, sol, 0, 0, &res, &cost), CP_OK);
  clvm_conds_init(&cc);
  assert_int_equal(clvm_conds_parse(al, res, 0, 0, &cc), CP_OK);
  *created = 0;
  for (size_t i = 0; i < cc.n; i++) {
    const struct clvm_cond *c = &cc.items[i];
    struct output *o;
    if (c->op != COND_CREATE_COIN)
      continue;
    *created += c->value;
    if (is_wallet_ph(r, c->hash))
      continue; /* change */
    assert_true(a->n_out < MAX_OUT);
    o = &a->out[a->n_out++];
    memset(o, 0, sizeof *o);
    memcpy(o->parent, id, 32);
    memcpy(o->ph, c->hash, 32);
    o->amount = c->value;
    if (clvm_is_pair(c->memos)) {
      size_t len;
      const uint8_t *m = clvm_atom(al, clvm_first(al, c->memos), &len);
      if (m && len <= STORE_KEY_MAX)
        memcpy(o->memo, m, len);
    }
  }
  clvm_conds_release(&cc);
  chia_coin_spend_release(&cs);
  clvm_alloc_free(al);
}

static void audit_chain(struct rig *r, struct audit *a)
{
  struct sim_coin_record *v = NULL;
  size_t n = 0;

  /* rewards: the pool coins at the farmers' p2_singleton puzzle hashes */
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(r->chain, (const uint8_t(*)[32])r->p2, NF,
                                                    true, 0, 0, &v, &n), CP_OK);
  for (size_t i = 0; i < n; i++) {
    if (!v[i].coinbase)
      continue;
    a->rewards++;
    if (v[i].spent_height)
      a->absorbed += v[i].coin.amount;
    else
      a->rewards_unspent++;
  }
  free(v);

  /* the pool wallet: what arrived from elsewhere (absorbs), what its
   * spends took in and created */
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(r->chain,
                                                    (const uint8_t(*)[32])r->wallet_ph,
                                                    WALLET_KEYS, true, 0, 0, &v, &n), CP_OK);
  for (size_t i = 0; i < n; i++) {
    struct sim_coin_record parent;
    if (memcmp(v[i].id, r->seed_coin, 32) &&
        (sim_chain_coin(r->chain, v[i].coin.parent_coin_info, &parent) ||
         !is_wallet_ph(r, parent.coin.puzzle_hash))) {
      /* the absorb's payment to the target (only ph 0 is the target) */
      if (memcmp(v[i].coin.puzzle_hash, r->wallet_ph[0], 32))
        a->stray++;
      a->target_in += v[i].coin.amount;
    }
    if (v[i].spent_height) {
      uint64_t created;
      a->wallet_in += v[i].coin.amount;
      spend_outputs(r, v[i].id, a, &created);
      a->wallet_out += created;
    } else {
      a->wallet_left += v[i].coin.amount;
    }
  }
  free(v);

  for (size_t i = 0; i < a->n_out; i++) {
    int who = -1;
    for (int f = 0; f < NF; f++)
      if (!memcmp(a->out[i].ph, r->pay_ph[f], 32))
        who = f;
    if (who >= 0)
      a->received[who] += a->out[i].amount;
    else if (!memcmp(a->out[i].ph, r->fee_ph, 32))
      a->pool_fee += a->out[i].amount;
    else
      a->stray++;
  }
}

/* Every batch the chain shows: its key in one transaction only, outputs
 * equal to the batch's lines, and the batch confirmed. Returns the sum of
 * the fee lines of the batches seen on chain. */
static uint64_t audit_batches(struct store *s, struct audit *a,
                              unsigned *txs, unsigned *bad)
{
  uint64_t fee_lines = 0;

  *txs = 0;
  for (size_t i = 0; i < a->n_out; i++) {
    struct store_payout_batch b;
    struct store_payout_line_list l;
    int64_t id;
    int first = 1;
    for (size_t j = 0; j < i; j++)
      if (!strcmp(a->out[j].memo, a->out[i].memo)) {
        first = 0;
        if (memcmp(a->out[j].parent, a->out[i].parent, 32)) {
          print_message("key %s landed in two transactions\n", a->out[i].memo);
          (*bad)++;
        }
        break;
      }
    if (!first)
      continue;
    (*txs)++;
    if (store_payout_find_key(s, a->out[i].memo, &id) != CP_OK) {
      print_message("output with unknown key \"%s\"\n", a->out[i].memo);
      (*bad)++;
      continue;
    }
    assert_int_equal(store_payout_get(s, id, &b, &l), CP_OK);
    if (b.state != STORE_PAYOUT_CONFIRMED) {
      print_message("batch %s on chain in state %d\n", b.idempotency_key, (int)b.state);
      (*bad)++;
    }
    /* merged by puzzle hash, as the engine sends them */
    for (size_t k = 0; k < l.n; k++) {
      uint64_t want = 0, got = 0;
      if (!memcmp(l.items[k].puzzle_hash, PAYOUTS_FEE_PH, 32)) {
        fee_lines += l.items[k].amount;
        continue;
      }
      for (size_t m = 0; m < l.n; m++)
        if (!memcmp(l.items[m].puzzle_hash, l.items[k].puzzle_hash, 32))
          want += l.items[m].amount;
      for (size_t j = i; j < a->n_out; j++)
        if (!strcmp(a->out[j].memo, a->out[i].memo) &&
            !memcmp(a->out[j].ph, l.items[k].puzzle_hash, 32))
          got += a->out[j].amount;
      if (want != got) {
        print_message("batch %s pays %llu on chain, %llu in the ledger\n",
                      b.idempotency_key, (unsigned long long)got, (unsigned long long)want);
        (*bad)++;
      }
    }
    store_payout_line_list_release(&l);
  }
  return fee_lines;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

static void test_money_crash(void **state)
{
  static struct rig r;
  static struct audit a;
  struct run_stats st = { 0 };
  const char *env = getenv("CHIAPOOL_CRASH_KILLS");
  unsigned kills = DEFAULT_KILLS, seed = (unsigned)time(NULL), txs = 0, bad = 0;
  double settle_s;
  uint64_t t0 = clock_mono_ms(), held = 0, undist, live, absorbed_store = 0, earned = 0;
  uint64_t fees, fee_lines, paid = 0, claim_fees = 0;
  struct store *s;
  (void)state;

  if (env && *env) {
    uint64_t v;
    assert_int_equal(parse_u64_cstr(env, 100000, &v), CP_OK);
    kills = (unsigned)v;
  }
  env = getenv("CHIAPOOL_CRASH_SEED");
  if (env && *env) {
    uint64_t v;
    assert_int_equal(parse_u64_cstr(env, UINT32_MAX, &v), CP_OK);
    seed = (unsigned)v;
  }
  print_message("seed %u (CHIAPOOL_CRASH_SEED=%u replays the kill timing)\n", seed, seed);
  r.rng = 0x9e3779b97f4a7c15ull ^ seed;
  log_set_level(LOG_OFF);
  signal(SIGPIPE, SIG_IGN);

  setup(&r);
  for (unsigned k = 0; k < kills; k++) {
    feed(&r);
    run_and_kill(&r, &st);
  }
  /* a last reward, so a round follows whatever points are left */
  farm(&r, r.p2[0]);
  r.reward_blocks++;
  settle_s = settle(&r);

  audit_chain(&r, &a);
  s = open_store(&r);
  fee_lines = audit_batches(s, &a, &txs, &bad);
  {
    struct store_reward_list l;
    assert_int_equal(store_reward_list(s, STORE_REWARD_ABSORBED, &l), CP_OK);
    for (size_t i = 0; i < l.n; i++) {
      absorbed_store += l.items[i].amount;
      claim_fees += l.items[i].claim_fee;
    }
    store_reward_list_release(&l);
  }
  assert_int_equal(store_payout_live_total(s, &live), CP_OK);
  assert_int_equal(payouts_undistributed(s, &undist), CP_OK);
  for (int f = 0; f < NF; f++) {
    uint64_t bal;
    assert_int_equal(store_balance_get(s, r.launcher[f], &bal), CP_OK);
    held += bal;
    earned += a.received[f] + bal;
    paid += a.received[f];
  }
  fees = a.wallet_in - a.wallet_out;

  print_message("money crash: kills %u (%u at the next mempool push, %u hit), %.1f s "
                "(settling %.1f s), %u blocks, %u rewards, %u payout transactions; "
                "absorbed %llu = paid %llu + pool fee %llu + blockchain fees %llu "
                "(claims %llu) + balances %llu + undistributed %llu\n",
                st.killed, st.on_push, st.on_push_hit,
                (double)(clock_mono_ms() - t0) / 1000.0, settle_s, r.blocks,
                r.reward_blocks, txs, (unsigned long long)a.absorbed,
                (unsigned long long)paid, (unsigned long long)a.pool_fee,
                (unsigned long long)fees, (unsigned long long)claim_fees,
                (unsigned long long)held, (unsigned long long)undist);

  assert_int_equal(bad, 0);
  assert_int_equal(a.stray, 0);
  assert_int_equal(st.killed, kills);
  /* every reward found and absorbed; the target got exactly those */
  assert_int_equal(a.rewards, r.reward_blocks);
  assert_int_equal(a.rewards_unspent, 0);
  assert_true(a.absorbed == absorbed_store);
  assert_true(a.target_in == a.absorbed);
  /* each absorb's fee was paid, once, by the wallet's spend next to it */
  assert_true(claim_fees == (uint64_t)CLAIM_FEE * a.rewards);
  assert_true(txs > 0);
  assert_true(fees == fee_lines + claim_fees);
  /* the wallet holds the gift plus the absorbs, less everything it paid */
  assert_true(a.wallet_left == WALLET_SEED + a.target_in - paid - a.pool_fee - fees);
  /* what left the wallet for payouts is what the ledger committed */
  assert_true(paid + a.pool_fee + fees - claim_fees == live);
  assert_true(a.absorbed == paid + a.pool_fee + fees + held + undist);
  /* the pool's cut: 1% of what was distributed; rounds charge it again on
   * the small remainders they carry (shares' rounding, unused fee budget) */
  {
    uint64_t want = (a.absorbed - claim_fees - undist) / (1000000 / POOL_FEE_PPM);
    uint64_t slack = 1 + txs * (1 + PAYOUT_FEE / 10);
    assert_true(a.pool_fee + slack >= want);
    assert_true(a.pool_fee <= want + slack);
  }
  for (int f = 0; f < NF; f++) {
    uint64_t bal, wsum = 0;
    assert_int_equal(store_balance_get(s, r.launcher[f], &bal), CP_OK);
    for (int g = 0; g < NF; g++)
      wsum += weight[g];
    /* exact: points were always credited in the weight ratio */
    if ((unsigned __int128)(a.received[f] + bal) * wsum !=
        (unsigned __int128)earned * weight[f])
      fail_msg("farmer %d: received %llu + balance %llu of %llu earned (weight %llu/%llu)",
               f, (unsigned long long)a.received[f], (unsigned long long)bal,
               (unsigned long long)earned, (unsigned long long)weight[f],
               (unsigned long long)wsum);
  }
  store_close(s);
  sim_wallet_free(r.wallet);
  sim_node_free(r.node);
  if (!getenv("CHIAPOOL_CRASH_KEEP"))
    nftw(r.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_money_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
