/* A payout transaction that can never land, end to end: the payout engine
 * on a real SQLite store, talking to the simulated wallet and the
 * simulated full node over their RPC servers exactly as to real ones. The
 * batch's input coin is spent by another bundle first (sim_wallet_
 * double_spend); the wallet then calls the payout "confirmed", as Chia's
 * does, but the port sees on chain that none of its outputs exist, and
 * once the other spend is buried the batch fails, the members' lines go
 * back to their balances and the pool fee is re-planned; the next round
 * pays everyone exactly once, to the mojo, on chain. */
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/fullnode.h"
#include "node/rpc.h"
#include "plotnft/puzzles.h"
#include "pool/chain.h"
#include "pool/payouts.h"
#include "sim/chain.h"
#include "sim/node.h"
#include "sim/wallet.h"
#include "store/store.h"
#include "util/hex.h"
#include "util/log.h"

#define T0 1700000000ull

struct env {
  char root[64], db[128];
  struct sim_node *node;
  struct sim_chain *chain;
  struct sim_wallet *w;
  struct node_client *fullnode, *wallet;
  struct chain ch;
  struct store *s;
  struct pool_config cfg;
  struct payouts *p;
  uint8_t farmer_ph[32], pool_ph[32];
};

static void lid(int i, uint8_t out[32]) { memset(out, 0x10 + i, 32); }
static void member_ph(int i, uint8_t out[32]) { memset(out, 0x30 + i, 32); }

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

static struct node_client *client(struct env *e, enum node_service svc, uint16_t port)
{
  struct node_config nc;
  struct node_client *c = NULL;

  node_config_init(&nc);
  assert_int_equal(node_config_chia_root(&nc, e->root, svc), CP_OK);
  snprintf(nc.host, sizeof nc.host, "127.0.0.1");
  nc.port = port;
  nc.timeout_ms = 10000;
  nc.retries = 0;
  assert_int_equal(node_new(&nc, &c), CP_OK);
  return c;
}

static void env_open(struct env *e)
{
  struct sim_node_config snc;
  struct sim_wallet_config wc;
  struct store_options so = { .backend = STORE_BACKEND_SQLITE };
  struct payouts_options po = { 0 };
  struct payout_wallet pw;
  uint8_t ph[32];

  memset(e, 0, sizeof *e);
  log_set_level(getenv("PAY_DEBUG") ? LOG_INFO : LOG_OFF);
  snprintf(e->root, sizeof e->root, "/tmp/cp_payds_XXXXXX");
  assert_non_null(mkdtemp(e->root));
  sim_node_config_init(&snc);
  snc.data_dir = e->root;
  snc.seed = 9;
  assert_int_equal(sim_node_new(&snc, &e->node), CP_OK);
  e->chain = sim_node_chain(e->node);
  sim_wallet_config_init(&wc);
  wc.chain = e->chain;
  memset(wc.seed, 0x77, sizeof wc.seed);
  wc.chia_root = e->root;
  assert_int_equal(sim_wallet_new(&wc, &e->w), CP_OK);
  /* the pool wallet's coins: one for each transaction in flight */
  sim_wallet_puzzle_hash(e->w, 0, ph);
  assert_int_equal(sim_chain_give(e->chain, ph, 2000000000, NULL), CP_OK);
  assert_int_equal(sim_chain_give(e->chain, ph, 1500000000, NULL), CP_OK);
  memset(e->farmer_ph, 0xfa, 32);
  memset(e->pool_ph, 0x90, 32);
  assert_int_equal(sim_chain_farm_block(e->chain, e->farmer_ph, e->pool_ph, NULL), CP_OK);

  e->fullnode = client(e, NODE_SERVICE_FULL_NODE, sim_node_port(e->node));
  e->wallet = client(e, NODE_SERVICE_WALLET, sim_wallet_port(e->w));
  chain_from_node(&e->ch, e->fullnode);

  snprintf(e->db, sizeof e->db, "%s/pool.db", e->root);
  so.path = e->db;
  assert_int_equal(store_open(&so, &e->s), CP_OK);
  config_defaults(&e->cfg);
  e->cfg.payout_scheme = PAYOUT_PROP;
  e->cfg.pool_fee_ppm = 10000;
  e->cfg.payout_fee = 5;
  e->cfg.min_payout = 0;
  e->cfg.max_additions_per_transaction = 100;
  e->cfg.confirmation_security_threshold = 2;
  memset(e->cfg.pool_fee_puzzle_hash, 0xee, 32);
  payout_wallet_from_node(&pw, e->wallet, 1, &e->ch,
                          e->cfg.confirmation_security_threshold);
  po.cfg = &e->cfg;
  po.store = e->s;
  po.wallet = pw;
  assert_int_equal(payouts_new(&po, &e->p), CP_OK);
  for (int i = 0; i < 2; i++) {
    struct store_farmer f = { 0 };
    lid(i, f.launcher_id);
    memset(f.p2_singleton_puzzle_hash, 0x20 + i, 32);
    member_ph(i, ph);
    hex_encode(f.payout_instructions, ph, 32);
    f.difficulty = 1;
    f.is_pool_member = 1;
    assert_int_equal(store_farmer_add(e->s, &f), CP_OK);
  }
}

static void env_close(struct env *e)
{
  payouts_free(e->p);
  store_close(e->s);
  node_free(e->wallet);
  node_free(e->fullnode);
  sim_wallet_free(e->w);
  sim_node_free(e->node);
  nftw(e->root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void credit(struct env *e, int i, uint64_t diff, uint32_t n)
{
  struct store_partial pa = { 0 };
  lid(i, pa.launcher_id);
  pa.timestamp = T0;
  pa.difficulty = diff;
  be32_store(pa.proof_hash, n);
  assert_int_equal(store_partial_add(e->s, &pa), CP_OK);
}

static void absorb(struct env *e, uint64_t amount)
{
  struct store_reward r = { 0 };
  memset(r.coin_id, 0xc1, 32);
  lid(0, r.launcher_id);
  r.height = 1;
  r.amount = amount;
  r.state = STORE_REWARD_ABSORBED;
  assert_int_equal(store_reward_upsert(e->s, &r), CP_OK);
}

static uint64_t balance(struct env *e, int i)
{
  uint8_t l[32];
  uint64_t b;
  lid(i, l);
  assert_int_equal(store_balance_get(e->s, l, &b), CP_OK);
  return b;
}

/* Every coin ever created at ph: count and total. */
static void on_chain(struct env *e, const uint8_t ph[32], size_t *n, uint64_t *total)
{
  struct sim_coin_record *v = NULL;
  size_t k = 0;

  assert_int_equal(sim_chain_coins_by_puzzle_hashes(e->chain, (const uint8_t(*)[32])ph, 1,
                                                    true, 0, 0, &v, &k),
                   CP_OK);
  *n = k;
  *total = 0;
  for (size_t i = 0; i < k; i++)
    *total += v[i].coin.amount;
  free(v);
}

static void farm(struct env *e, unsigned blocks)
{
  while (blocks--)
    assert_int_equal(sim_chain_farm_block(e->chain, e->farmer_ph, e->pool_ph, NULL), CP_OK);
}

static enum store_payout_state state_of(struct env *e, int64_t id)
{
  struct store_payout_batch b;
  assert_int_equal(store_payout_get(e->s, id, &b, NULL), CP_OK);
  return b.state;
}

static void test_double_spent_payout_fails_and_repays(void **state)
{
  struct env e;
  struct payouts_report r;
  struct store_payout_batch b;
  struct node_tx_record rec;
  struct node_error err;
  uint8_t ph[32], other[32];
  char key[STORE_KEY_MAX + 1];
  const char *why = NULL;
  int64_t ids[4], refee;
  size_t n;
  uint64_t total, und;
  (void)state;

  env_open(&e);
  credit(&e, 0, 100, 1);
  credit(&e, 1, 300, 2);
  absorb(&e, 1000000000);

  /* Round 1: pool fee 1% = 10,000,000, blockchain fee 5, 989,999,995 over
   * 400 points = 2,474,999 a point: 247,499,900 and 742,499,700, 395 left
   * undistributed. One transaction, sent. */
  assert_int_equal(payouts_run_once(e.p, T0 + 10, &r), CP_OK);
  assert_int_equal(r.planned, 1);
  assert_int_equal(r.sent, 1);
  assert_int_equal(store_payout_list(e.s, STORE_PAYOUT_SUBMITTED, ids, 4, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(store_payout_get(e.s, ids[0], &b, NULL), CP_OK);
  assert_int_equal(b.total_amount, 1000000000 - 395);
  assert_int_equal(balance(&e, 0), 0);
  assert_int_equal(balance(&e, 1), 0);

  /* Its input is spent by another bundle, which the next block includes. */
  assert_int_equal(sim_wallet_double_spend(e.w, b.tx_id, other, &why), CP_OK);
  farm(&e, 1);
  /* the wallet, like Chia's, now calls the payout confirmed */
  assert_int_equal(wallet_get_transaction(e.wallet, b.tx_id, &rec, &err), CP_OK);
  assert_true(rec.confirmed);
  /* the port does not: pending while the other spend is not buried */
  assert_int_equal(payouts_reconcile(e.p, T0 + 20, &r), CP_OK);
  assert_int_equal(r.confirmed, 0);
  assert_int_equal(r.failed, 0);
  assert_int_equal(state_of(&e, ids[0]), STORE_PAYOUT_SUBMITTED);
  farm(&e, 1);
  memset(&r, 0, sizeof r);
  assert_int_equal(payouts_reconcile(e.p, T0 + 30, &r), CP_OK);
  assert_int_equal(r.failed, 0);
  /* buried under confirmation_security_threshold (2) blocks: failed */
  farm(&e, 1);
  memset(&r, 0, sizeof r);
  assert_int_equal(payouts_reconcile(e.p, T0 + 40, &r), CP_OK);
  assert_int_equal(r.failed, 1);
  assert_int_equal(r.confirmed, 0);
  assert_int_equal(state_of(&e, ids[0]), STORE_PAYOUT_FAILED);
  /* the lines are back, exactly; pool fee and blockchain fee are funds */
  assert_int_equal(balance(&e, 0), 247499900);
  assert_int_equal(balance(&e, 1), 742499700);
  assert_int_equal(payouts_undistributed(e.s, &und), CP_OK);
  assert_int_equal(und, 10000000 + 5 + 395);
  for (int i = 0; i < 2; i++) {
    member_ph(i, ph);
    on_chain(&e, ph, &n, &total);
    assert_int_equal(n, 0);
  }

  /* Round 2 pays the balances (no new points: no pool fee on them) and
   * re-plans the pool fee once, in its own batch. */
  memset(&r, 0, sizeof r);
  assert_int_equal(payouts_run_once(e.p, T0 + 50, &r), CP_OK);
  assert_int_equal(r.planned, 2);
  assert_int_equal(r.sent, 2);
  snprintf(key, sizeof key, PAYOUTS_KEY_PREFIX "refee-%lld", (long long)ids[0]);
  assert_int_equal(store_payout_find_key(e.s, key, &refee), CP_OK);
  farm(&e, 4); /* included, then buried deeper than the threshold (2) */
  memset(&r, 0, sizeof r);
  assert_int_equal(payouts_run_once(e.p, T0 + 60, &r), CP_OK);
  assert_int_equal(r.confirmed, 2);
  assert_int_equal(r.planned, 0);
  assert_int_equal(r.unsettled, 0);
  assert_int_equal(state_of(&e, refee), STORE_PAYOUT_CONFIRMED);
  assert_int_equal(state_of(&e, ids[0]), STORE_PAYOUT_FAILED);

  /* Exactly once, on chain. */
  member_ph(0, ph);
  on_chain(&e, ph, &n, &total);
  assert_int_equal(n, 1);
  assert_int_equal(total, 247499900);
  member_ph(1, ph);
  on_chain(&e, ph, &n, &total);
  assert_int_equal(n, 1);
  assert_int_equal(total, 742499700);
  on_chain(&e, e.cfg.pool_fee_puzzle_hash, &n, &total);
  assert_int_equal(n, 1);
  assert_int_equal(total, 10000000);
  assert_int_equal(balance(&e, 0), 0);
  assert_int_equal(balance(&e, 1), 0);

  /* More passes change nothing. */
  farm(&e, 3);
  memset(&r, 0, sizeof r);
  assert_int_equal(payouts_run_once(e.p, T0 + 70, &r), CP_OK);
  assert_int_equal(r.planned + r.sent + r.failed + r.confirmed, 0);
  member_ph(0, ph);
  on_chain(&e, ph, &n, &total);
  assert_int_equal(n, 1);
  env_close(&e);
}

/* Spent by our own transaction: confirmed at once, never failed later. */
static void test_own_spend_confirms(void **state)
{
  struct env e;
  struct payouts_report r;
  uint8_t ph[32];
  int64_t ids[4];
  size_t n;
  uint64_t total;
  (void)state;

  env_open(&e);
  credit(&e, 0, 100, 1);
  credit(&e, 1, 300, 2);
  absorb(&e, 1000000000);
  assert_int_equal(payouts_run_once(e.p, T0 + 10, &r), CP_OK);
  assert_int_equal(r.sent, 1);
  assert_int_equal(payouts_reconcile(e.p, T0 + 15, &r), CP_OK);
  assert_int_equal(store_payout_list(e.s, STORE_PAYOUT_SUBMITTED, ids, 4, &n), CP_OK);
  assert_int_equal(n, 1);
  farm(&e, 4); /* included, then buried deeper than the threshold (2) */
  memset(&r, 0, sizeof r);
  assert_int_equal(payouts_reconcile(e.p, T0 + 20, &r), CP_OK);
  assert_int_equal(r.confirmed, 1);
  assert_int_equal(r.failed, 0);
  assert_int_equal(state_of(&e, ids[0]), STORE_PAYOUT_CONFIRMED);
  member_ph(1, ph);
  on_chain(&e, ph, &n, &total);
  assert_int_equal(n, 1);
  assert_int_equal(total, 742499700);
  env_close(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_double_spent_payout_fails_and_repays),
    cmocka_unit_test(test_own_spend_confirms),
  };
  int rc;

  if (plotnft_init())
    return 1;
  rc = cmocka_run_group_tests(tests, NULL, NULL);
  node_global_cleanup();
  return rc;
}
