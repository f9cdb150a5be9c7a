/* chiapool demo: the pool against a simulated chain, wallet and farmers,
 * in one process, with no configuration.
 *
 *   sim node (chain + mempool + mutual-TLS RPC, ticker)
 *   sim wallet (mutual-TLS wallet RPC, the pool's payout wallet)
 *   pool (pool_server_start on SQLite under the data dir, talking to the
 *         node and wallet over their RPC like to real ones)
 *   N farmers (plot NFT on the chain, k18 plots, HTTP partials)
 *
 * Time runs --speed times faster than one signage point per second
 * (default 4). */
#include "cli/cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/sha256.h"
#include "http/pool_server.h"
#include "plotnft/puzzles.h"
#include "pool/config.h"
#include "sim/certs.h"
#include "sim/farmer.h"
#include "sim/node.h"
#include "sim/wallet.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define DEMO_MAX_FARMERS 64
#define DEMO_MAX_PLOTS 16
#define DEMO_POOL_FUNDS (100ULL * 1000000000000ULL)
/* Each absorb's claim fee spends the wallet's largest coin until a block
 * confirms it; with the funds in one coin a payout pass that meets an
 * absorb in flight finds too little spendable and the wallet refuses the
 * batch (as Chia's would). Several coins leave some to pay from. */
#define DEMO_POOL_COINS 10

static volatile sig_atomic_t demo_stop;

static void on_sigint(int sig)
{
  (void)sig;
  demo_stop = 1;
}

#define DEMO_REVERT_SPS 16

struct demo {
  unsigned n_farmers, n_plots, duration_s;
  uint64_t speed_milli;   /* speed * 1000 */
  bool misbehave;
  int leaver;             /* farmer that leaves the pool at t=20 s, or -1 */
  unsigned revert_at_s;   /* reorg the last DEMO_REVERT_SPS signage points then */
  char dir[512];
  struct sim_node *node;
  struct sim_chain *chain;
  struct sim_wallet *wallet;
  struct pool_server *pool;
  struct sim_farmer *farmers[DEMO_MAX_FARMERS];
  unsigned n_started;
  uint64_t last_diff[DEMO_MAX_FARMERS];
};

static int usage(void)
{
  fprintf(stderr, "usage: chiapool demo [--farmers N] [--plots N] [--duration S]\n"
                  "                     [--data-dir DIR] [--speed X] [--misbehave]\n"
                  "                     [--revert-at S]\n"
                  "--speed X: signage points per second (default 4; the real chain: 1)\n"
                  "--misbehave (4+ farmers): the last three send stale partials, forged\n"
                  "proofs and wrong-key signatures; with 5+ one more leaves the pool\n"
                  "at t=20 s\n"
                  "--revert-at S: at S seconds the chain reverts its last 16 signage\n"
                  "points; partials on them are dropped at confirmation, not credited\n");
  return 2;
}

static int opt_u(int argc, char **argv, const char *name, uint64_t max, unsigned *out)
{
  const char *v = cli_opt(argc, argv, name);
  uint64_t x;

  if (!v)
    return 0;
  if (parse_u64_cstr(v, max, &x))
    return -1;
  *out = (unsigned)x;
  return 0;
}

static cp_err pool_config(struct demo *d, struct pool_config *cfg, char *err, size_t errlen)
{
  uint8_t ph[32];
  char hex[65];
  struct buf y;
  const char *s;
  uint64_t delay = 30000 / d->speed_milli;
  cp_err rc;

  sim_wallet_puzzle_hash(d->wallet, 0, ph);
  hex_encode(hex, ph, 32);
  buf_init(&y, 8192);
  rc = buf_appendf(&y,
                   "network: simulator\n"
                   "test_mode: true\n"
                   "default_target_puzzle_hash: %s\n"
                   "pool_fee_puzzle_hash: %s\n"
                   "wallet_fingerprint: %u\n"
                   "node_rpc_host: 127.0.0.1\n"
                   "node_rpc_port: %u\n"
                   "wallet_rpc_host: 127.0.0.1\n"
                   "wallet_rpc_port: %u\n"
                   "chia_root: %s\n"
                   "min_difficulty: 1\n"
                   "default_difficulty: 1\n"
                   /* a short window, so a minute shows the difficulty
                    * algorithm at work (the seed's 300 per day is a day) */
                   "number_of_partials_target: 12\n"
                   "time_target: 600\n"
                   "partial_confirmation_delay: %llu\n"
                   "confirmation_security_threshold: 2\n"
                   "scan_start_height: 0\n"
                   "collect_pool_rewards_interval: 10\n"
                   /* as often as rewards are collected: payout passes
                    * run on a fixed clock from pool start (before the
                    * plots are made), so with a longer interval the first
                    * absorb can land just after a pass and the next one
                    * falls outside a one-minute run */
                   "payment_interval: 10\n"
                   /* every absorb carries a wallet-paid fee, so the demo
                    * runs the fee path (rewards.h) */
                   "block_claim_fee: 1000\n"
                   "store:\n  backend: sqlite\n  path: pool.sqlite\n"
                   "logging:\n  log_level: warn\n",
                   hex, hex, (unsigned)sim_wallet_fingerprint(d->wallet),
                   (unsigned)sim_node_port(d->node), (unsigned)sim_wallet_port(d->wallet),
                   d->dir, (unsigned long long)(delay ? delay : 1));
  if (!rc)
    rc = buf_cstr(&y, &s);
  config_defaults(cfg);
  if (!rc)
    rc = config_parse(cfg, s, y.len, err, errlen);
  buf_release(&y);
  return rc;
}

struct plot_job {
  struct sim_farmer *f;
  cp_err rc;
};

static void *plot_main(void *arg)
{
  struct plot_job *j = arg;

  j->rc = sim_farmer_make_plots(j->f);
  return NULL;
}

/* Plots of all farmers at once: k18 plotting is CPU-bound and the farmers
 * are independent, so a two-core machine halves the set-up time. */
static cp_err make_all_plots(struct demo *d)
{
  struct plot_job jobs[DEMO_MAX_FARMERS];
  pthread_t th[DEMO_MAX_FARMERS];
  bool started[DEMO_MAX_FARMERS] = { false };
  cp_err rc = CP_OK;

  for (unsigned i = 0; i < d->n_farmers; i++) {
    jobs[i].f = d->farmers[i];
    jobs[i].rc = CP_OK;
    started[i] = !pthread_create(&th[i], NULL, plot_main, &jobs[i]);
    if (!started[i])
      plot_main(&jobs[i]);
  }
  for (unsigned i = 0; i < d->n_farmers; i++) {
    if (started[i])
      pthread_join(th[i], NULL);
    if (jobs[i].rc && !rc)
      rc = jobs[i].rc;
  }
  return rc;
}

static int setup(struct demo *d)
{
  struct sim_node_config nc;
  struct sim_wallet_config wc;
  struct pool_config pc;
  struct pool_server_options po;
  char err[256] = "", url[64];
  uint32_t ms_per_sp = (uint32_t)(1000000 / d->speed_milli);
  cp_err rc;

  if ((rc = plotnft_init()))
    return cli_fail("demo", "embedded puzzles: %s", cp_strerror(rc));
  if ((rc = sim_certs_ensure(d->dir)))
    return cli_fail("demo", "certificates under %s: %s", d->dir, cp_strerror(rc));
  printf("data dir  %s\ncerts     %s/config/ssl (private CA + daemon/full_node/wallet)\n",
         d->dir, d->dir);

  sim_node_config_init(&nc);
  nc.data_dir = d->dir;
  nc.ms_per_sp = ms_per_sp ? ms_per_sp : 1;
  nc.seed = 1;
  /* ten k18 plots then win a block about every 13 signage points, so
   * rewards, absorbs and payouts all happen within the first minutes */
  nc.difficulty = 16;
  if ((rc = sim_node_new(&nc, &d->node)))
    return cli_fail("demo", "sim node: %s", cp_strerror(rc));
  d->chain = sim_node_chain(d->node);
  printf("sim node  https://127.0.0.1:%u (mutual TLS), %u ms per signage point\n",
         (unsigned)sim_node_port(d->node), (unsigned)nc.ms_per_sp);

  sim_wallet_config_init(&wc);
  wc.chain = d->chain;
  sha256(wc.seed, "chiapool demo pool wallet", 25);
  wc.chia_root = d->dir;
  if ((rc = sim_wallet_new(&wc, &d->wallet)))
    return cli_fail("demo", "sim wallet: %s", cp_strerror(rc));
  {
    uint8_t ph[32];
    sim_wallet_puzzle_hash(d->wallet, 0, ph);
    for (unsigned i = 0; i < DEMO_POOL_COINS; i++)
      sim_chain_give(d->chain, ph, DEMO_POOL_FUNDS / DEMO_POOL_COINS, NULL);
  }
  printf("wallet    https://127.0.0.1:%u fingerprint %u\n",
         (unsigned)sim_wallet_port(d->wallet), (unsigned)sim_wallet_fingerprint(d->wallet));

  if ((rc = pool_config(d, &pc, err, sizeof err)))
    return cli_fail("demo", "pool config: %s", err);
  memset(&po, 0, sizeof po);
  po.data_dir = d->dir;
  po.host = "127.0.0.1";
  po.has_port = 1;
  po.port = 0;
  po.sp_retry_ms = 500;
  po.refresh_interval_s = 10;
  if ((rc = pool_server_start(&pc, &po, &d->pool, err, sizeof err)))
    return cli_fail("demo", "pool: %s (%s)", err, cp_strerror(rc));
  snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)pool_server_port(d->pool));
  printf("pool      %s (SQLite %s/pool.sqlite, test_mode, confirmation delay %u s)\n", url,
         d->dir, (unsigned)pc.partial_confirmation_delay);
  fflush(stdout);

  for (unsigned i = 0; i < d->n_farmers; i++) {
    struct sim_farmer_config fc;
    char name[32], seed_text[64];
    const char *why = NULL;

    snprintf(name, sizeof name, "farmer-%u", i);
    snprintf(seed_text, sizeof seed_text, "chiapool demo farmer %u", i);
    sim_farmer_config_init(&fc);
    fc.chain = d->chain;
    fc.name = name;
    sha256(fc.seed, seed_text, strlen(seed_text));
    fc.n_plots = d->n_plots;
    fc.pool_url = url;
    fc.test_mode = true;
    fc.stale_delay_ms = 30000; /* past the pool's 25 s partial_time_limit */
    fc.refresh_ms = 60000;
    if ((rc = sim_farmer_new(&fc, &d->farmers[i])))
      return cli_fail("demo", "%s: %s", name, cp_strerror(rc));
    if ((rc = sim_farmer_fetch_pool_info(d->farmers[i])))
      return cli_fail("demo", "%s: GET /pool_info: %s", name, cp_strerror(rc));
    if ((rc = sim_farmer_create_plotnft(d->farmers[i], &why)))
      return cli_fail("demo", "%s: plot NFT refused: %s %s", name, cp_strerror(rc),
                      why ? why : "");
  }
  static const uint8_t zero[32];
  if ((rc = sim_chain_farm_block(d->chain, zero, zero, NULL)))
    return cli_fail("demo", "farming the plot NFT block: %s", cp_strerror(rc));
  printf("plotting  %u x %u k18 plots\n", d->n_farmers, d->n_plots);
  fflush(stdout);
  if ((rc = make_all_plots(d)))
    return cli_fail("demo", "plots: %s", cp_strerror(rc));
  for (unsigned i = 0; i < d->n_farmers; i++) {
    struct sim_farmer *f = d->farmers[i];
    enum pool_code code = POOL_OK;
    char lid[65];

    if ((rc = sim_farmer_join(f, &code)))
      return cli_fail("demo", "%s: join: %s %s", sim_farmer_name(f), cp_strerror(rc),
                      pool_code_name(code));
    hex_encode(lid, sim_farmer_launcher_id(f), 32);
    printf("%s  plot NFT %s, %u plots k18, joined\n", sim_farmer_name(f), lid, d->n_plots);
    if (d->misbehave && d->n_farmers >= 4 && i + 3 >= d->n_farmers) {
      static const enum sim_farmer_mode modes[] = { SIM_FARMER_STALE, SIM_FARMER_FORGED,
                                                    SIM_FARMER_WRONG_KEY };
      static const char *const names[] = { "stale", "forged proofs", "wrong key" };
      unsigned m = i + 3 - d->n_farmers;
      sim_farmer_set_mode(f, modes[m]);
      printf("%s  misbehaves: %s\n", sim_farmer_name(f), names[m]);
    }
  }
  if (d->misbehave && d->n_farmers >= 5)
    d->leaver = (int)d->n_farmers - 4;
  for (unsigned i = 0; i < d->n_farmers; i++) {
    if ((rc = sim_farmer_start(d->farmers[i], 50)))
      return cli_fail("demo", "farmer thread: %s", cp_strerror(rc));
    d->n_started++;
  }
  fflush(stdout);
  return 0;
}

static void print_farmer(struct demo *d, unsigned i, bool final)
{
  struct sim_farmer *f = d->farmers[i];
  struct sim_farmer_stats st;
  struct store_farmer rec;
  char rej[256] = "";
  size_t off = 0;
  uint64_t rejected = 0, points = 0;

  sim_farmer_stats(f, &st);
  for (unsigned c = 1; c < POOL_CODE_LAST; c++) {
    if (!st.rejected[c])
      continue;
    rejected += st.rejected[c];
    if (off < sizeof rej)
      off += (size_t)snprintf(rej + off, sizeof rej - off, " %s=%llu", pool_code_name(c),
                              (unsigned long long)st.rejected[c]);
  }
  if (!store_farmer_get(pool_server_store(d->pool), sim_farmer_launcher_id(f), &rec)) {
    points = rec.points;
    store_farmer_release(&rec);
  }
  if (st.difficulty != d->last_diff[i] && d->last_diff[i] && !final)
    printf("  %s difficulty %llu -> %llu\n", sim_farmer_name(f),
           (unsigned long long)d->last_diff[i], (unsigned long long)st.difficulty);
  d->last_diff[i] = st.difficulty;
  printf("  %s: accepted=%llu rejected=%llu%s%s%s points=%llu difficulty=%llu blocks=%llu\n",
         sim_farmer_name(f), (unsigned long long)st.accepted, (unsigned long long)rejected,
         rejected ? " (" : "", rej + (rejected ? 1 : 0), rejected ? ")" : "",
         (unsigned long long)points, (unsigned long long)st.difficulty,
         (unsigned long long)st.blocks_won);
}

/* Rewards the pool has in each state, and payout batches by state. */
static void pool_money(struct demo *d, size_t rewards[4], size_t payouts[4])
{
  struct store *st = pool_server_store(d->pool);

  for (int i = 0; i < 4; i++) {
    struct store_reward_list l = { NULL, 0 };
    int64_t ids[256];
    size_t n = 0;
    rewards[i] = 0;
    payouts[i] = 0;
    if (!store_reward_list(st, (enum store_reward_state)i, &l)) {
      rewards[i] = l.n;
      store_reward_list_release(&l);
    }
    if (!store_payout_list(st, (enum store_payout_state)i, ids, 256, &n))
      payouts[i] = n;
  }
}

/* What the pool's confirmer did: credited after the delay, or dropped
 * (signage point reverted or gone, farmer left). */
static void pool_partials(struct demo *d)
{
  struct metrics *m = pool_server_metrics(d->pool);
  printf("  pool partials credited=%llu dropped=%llu pending=%llu\n",
         (unsigned long long)metric_value(
           metrics_find(m, "chiapool_partials_credited_total", NULL)),
         (unsigned long long)metric_value(
           metrics_find(m, "chiapool_partials_dropped_total", NULL)),
         (unsigned long long)metric_value(metrics_find(m, "chiapool_partials_pending", NULL)));
}

static void progress(struct demo *d, uint64_t t0, bool final)
{
  struct sim_chain_state cs;
  struct sim_wallet_balance wb;
  size_t rw[4], po[4];

  sim_chain_state(d->chain, &cs);
  sim_wallet_balance(d->wallet, &wb);
  pool_money(d, rw, po);
  printf("%s t=%llus height=%u pool wallet=%llu mojo (%u coins)\n"
         "  rewards found=%zu absorbing=%zu absorbed=%zu; payout batches planned=%zu "
         "submitted=%zu confirmed=%zu failed=%zu\n",
         final ? "final" : "---", (unsigned long long)((clock_mono_ms() - t0) / 1000),
         (unsigned)cs.peak.height, (unsigned long long)wb.confirmed,
         (unsigned)wb.unspent_coins, rw[STORE_REWARD_FOUND], rw[STORE_REWARD_ABSORBING],
         rw[STORE_REWARD_ABSORBED], po[0], po[1], po[2], po[3]);
  pool_partials(d);
  for (unsigned i = 0; i < d->n_farmers; i++)
    if (d->farmers[i])
      print_farmer(d, i, final);
  fflush(stdout);
}

/* The owner spends the plot NFT to the waiting room (LEAVING_POOL). */
static void leave(struct demo *d, unsigned i)
{
  const char *why = NULL;
  cp_err rc = sim_farmer_leave(d->farmers[i], &why);

  if (rc)
    printf("  %s could not leave the pool: %s %s\n", sim_farmer_name(d->farmers[i]),
           cp_strerror(rc), why ? why : "");
  else
    printf("  %s leaves the pool: singleton to the waiting room, state LEAVING_POOL\n",
           sim_farmer_name(d->farmers[i]));
}

static void teardown(struct demo *d)
{
  for (unsigned i = 0; i < d->n_farmers; i++)
    if (d->farmers[i])
      sim_farmer_stop(d->farmers[i]);
  if (d->pool)
    pool_server_stop(d->pool);
  for (unsigned i = 0; i < d->n_farmers; i++)
    sim_farmer_free(d->farmers[i]);
  sim_wallet_free(d->wallet);
  sim_node_free(d->node);
}

int cmd_demo(int argc, char **argv)
{
  struct demo d;
  const char *dir = cli_opt(argc, argv, "--data-dir"), *speed = cli_opt(argc, argv, "--speed");
  struct sigaction sa;
  uint64_t t0, next_print;
  int ret;

  memset(&d, 0, sizeof d);
  d.n_farmers = 5;
  d.n_plots = 2;
  /* four signage points a second: rewards, absorbs and payouts within the
   * first minute; --speed 1 is the real chain's pace */
  d.speed_milli = 4000;
  d.misbehave = cli_flag(argc, argv, "--misbehave");
  d.leaver = -1;
  if (cli_flag(argc, argv, "--help") ||
      opt_u(argc, argv, "--farmers", DEMO_MAX_FARMERS, &d.n_farmers) ||
      opt_u(argc, argv, "--plots", DEMO_MAX_PLOTS, &d.n_plots) ||
      opt_u(argc, argv, "--duration", 86400 * 365, &d.duration_s) ||
      opt_u(argc, argv, "--revert-at", 86400 * 365, &d.revert_at_s) || !d.n_farmers ||
      !d.n_plots)
    return usage();
  if (speed && (parse_fixed(speed, strlen(speed), 1000, 1000000, &d.speed_milli) ||
                d.speed_milli < 100))
    return usage();
  if (dir) {
    snprintf(d.dir, sizeof d.dir, "%s", dir);
    mkdir(d.dir, 0700);
  } else {
    snprintf(d.dir, sizeof d.dir, "/tmp/chiapool-demo-XXXXXX");
    if (!mkdtemp(d.dir))
      return cli_fail("demo", "cannot make a data directory under /tmp");
  }
  log_set_level(LOG_WARN);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  ret = setup(&d);
  if (!ret) {
    t0 = clock_mono_ms();
    next_print = t0 + 5000;
    if (d.duration_s)
      printf("running for %u s; Ctrl-C stops\n", d.duration_s);
    else
      printf("running; Ctrl-C stops\n");
    while (!demo_stop && (!d.duration_s || clock_mono_ms() - t0 < d.duration_s * 1000ULL)) {
      clock_sleep_ms(100);
      if (d.leaver >= 0 && clock_mono_ms() - t0 >= 20000) {
        leave(&d, (unsigned)d.leaver);
        d.leaver = -1;
      }
      if (d.revert_at_s && clock_mono_ms() - t0 >= d.revert_at_s * 1000ULL) {
        sim_chain_revert_signage_points(d.chain, DEMO_REVERT_SPS, false);
        printf("  reorg: the chain reverted its last %u signage points; partials on them "
               "must not be credited\n", DEMO_REVERT_SPS);
        d.revert_at_s = 0;
      }
      if (clock_mono_ms() >= next_print) {
        progress(&d, t0, false);
        next_print += 5000;
      }
    }
    progress(&d, t0, true);
  }
  teardown(&d);
  printf("demo stopped%s\n", demo_stop ? " (signal)" : "");
  return ret;
}
