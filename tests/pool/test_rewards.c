/* Reward finder and absorber against the fake chain of plotnft_chain.h
 * (real plot-NFT puzzles), extended with block records per height, coin
 * queries by puzzle hash and push_tx: scan + idempotency, reorg rollback
 * and rescan, absorb pushed once / not rebuilt while pending / retried
 * after a refusal / rebuilt when the singleton moved (waiting room), and
 * absorbed once the reward coin is spent. */
#include "testutil.h"

#include <stdio.h>
#include <unistd.h>

#include "chia/coin.h"
#include "crypto/sha256.h"
#include "plotnft/absorb.h"
#include "pool/coinhold.h"
#include "pool/payouts.h"
#include "pool/rewards.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "plotnft_chain.h"

#define REWARD 1750000000000ull

/* The pool wallet's side of the fee: records what it was asked, answers
 * one signed spend (or fails). */
struct fake_fee {
  unsigned calls;
  uint64_t fee;
  size_t n;
  uint8_t ids[8][32];
  cp_err fail;
  struct bls_sig sig;
};

struct world {
  struct fake_fee ff;
  struct chia_spend_bundle last_sb; /* the last bundle pushed */
  struct fake_chain fc;
  struct chain ch;
  uint8_t variant[256];   /* header hash of height h = sha256(h, variant[h]) */
  unsigned pushes, refuse_next;
  size_t last_spends;
  char dir[64], db[128];
  struct store *s;
  struct pool_config cfg;
  struct rewards *r;
  struct coinhold *hold;
  uint8_t genesis[32], target[32], p2[32];
  struct bls_sk sk;
  struct bls_pk pk;
};

static struct world W;

static void header(uint32_t h, uint8_t out[32])
{
  uint8_t in[5];
  be32_store(in, h);
  in[4] = W.variant[h];
  sha256(out, in, sizeof in);
}

static cp_err w_block(void *ctx, uint32_t h, struct node_block_record *out)
{
  (void)ctx;
  if (h > W.fc.peak)
    return CP_NOT_FOUND;
  memset(out, 0, sizeof *out);
  out->height = h;
  header(h, out->header_hash);
  return CP_OK;
}

static cp_err w_coins(void *ctx, const uint8_t (*phs)[32], size_t n,
                      const struct node_coin_query *q, struct node_coin_records *out)
{
  struct fake_chain *fc = ctx;
  out->v = calloc(fc->n + 1, sizeof *out->v);
  out->n = 0;
  for (size_t i = 0; i < fc->n; i++) {
    const struct node_coin_record *c = &fc->coins[i].rec;
    int match = 0;
    for (size_t k = 0; k < n; k++)
      match |= !memcmp(c->coin.puzzle_hash, phs[k], 32);
    if (!match || (!q->include_spent_coins && c->spent) ||
        c->confirmed_block_index < q->start_height ||
        (q->end_height && c->confirmed_block_index >= q->end_height))
      continue;
    out->v[out->n++] = *c;
  }
  return CP_OK;
}

static cp_err w_push(void *ctx, const json_t *sb, enum node_tx_status *st, char *why,
                     size_t wl)
{
  (void)ctx;
  W.pushes++;
  W.last_spends = json_array_size(json_object_get(sb, "coin_spends"));
  chia_spend_bundle_release(&W.last_sb);
  assert_int_equal(chia_spend_bundle_from_json(sb, &W.last_sb), CP_OK);
  if (W.refuse_next) {
    W.refuse_next--;
    snprintf(why, wl, "MEMPOOL_CONFLICT");
    return CP_RPC_ERROR;
  }
  *st = NODE_TX_SUCCESS;
  return CP_OK;
}

static cp_err w_state(void *ctx, struct node_blockchain_state *out)
{
  cp_err rc = fc_state(ctx, out);
  if (!rc)
    header(out->peak.height, out->peak.header_hash);
  return rc;
}

static const struct chain_ops w_ops = {
  .state = w_state,
  .coin_record = fc_coin_record,
  .puzzle_and_solution = fc_pas,
  .coins_by_puzzle_hashes = w_coins,
  .block_record_by_height = w_block,
  .push_tx = w_push,
};

static void reward_coin(uint32_t height, struct chia_coin *c, uint8_t id[32])
{
  coin_pool_parent_id(W.genesis, height, c->parent_coin_info);
  memcpy(c->puzzle_hash, W.p2, 32);
  c->amount = REWARD;
  coin_id(c, id);
}

static struct fc_coin *add_reward(uint32_t height, uint8_t id[32])
{
  struct chia_coin c;
  reward_coin(height, &c, id);
  return fc_add(&W.fc, &c, height);
}

static cp_err ff_sign(void *ctx, uint64_t fee, const uint8_t (*ids)[32], size_t n,
                      struct chia_spend_bundle *out, char *why, size_t whylen)
{
  struct fake_fee *f = ctx;
  struct chia_coin_spend *cs;
  f->calls++;
  f->fee = fee;
  f->n = n;
  for (size_t i = 0; i < n && i < 8; i++)
    memcpy(f->ids[i], ids[i], 32);
  if (f->fail) {
    snprintf(why, whylen, "Can't select amount higher than our spendable balance");
    return f->fail;
  }
  cs = calloc(1, sizeof *cs);
  assert_non_null(cs);
  memset(cs->coin.parent_coin_info, 0xfe, 32);
  memcpy(cs->coin.puzzle_hash, W.target, 32);
  cs->coin.amount = 5000000;
  cs->puzzle_reveal.data = malloc(1);
  cs->solution.data = malloc(1);
  assert_non_null(cs->puzzle_reveal.data);
  assert_non_null(cs->solution.data);
  cs->puzzle_reveal.data[0] = cs->solution.data[0] = 0x80;
  cs->puzzle_reveal.len = cs->solution.len = 1;
  out->coin_spends.items = cs;
  out->coin_spends.count = 1;
  memcpy(out->aggregated_signature, f->sig.bytes, 96);
  return CP_OK;
}

static void world_open_fee(uint64_t block_claim_fee, int with_wallet);

static void world_open(void)
{
  world_open_fee(0, 0);
}

/* with_wallet: the engine gets the fake fee source */
static void world_open_fee(uint64_t block_claim_fee, int with_wallet)
{
  struct store_options so = { .backend = STORE_BACKEND_SQLITE };
  struct rewards_options ro = { 0 };
  struct chia_pool_state ps;
  struct store_farmer f = { 0 };
  uint8_t delay_ph[32];

  memset(&W, 0, sizeof W);
  log_set_level(LOG_OFF);
  memset(W.genesis, 0xab, 32);
  memset(W.target, 0x77, 32);
  memset(delay_ph, 0x55, 32);
  fc_init(&W.fc, &W.ch, W.genesis);
  W.ch.ops = &w_ops;
  fc_key(3, &W.sk, &W.pk);
  fc_pool_state(&ps, PLOTNFT_FARMING_TO_POOL, W.target, &W.pk, 100);
  fc_launch(&W.fc, 9, &ps, 604800, delay_ph, 5);
  plotnft_p2_hash(&W.fc.id, W.p2);
  W.fc.peak = 10;

  snprintf(W.dir, sizeof W.dir, "/tmp/cp_rewards_XXXXXX");
  assert_non_null(mkdtemp(W.dir));
  snprintf(W.db, sizeof W.db, "%s/pool.db", W.dir);
  so.path = W.db;
  assert_int_equal(store_open(&so, &W.s), CP_OK);
  memcpy(f.launcher_id, W.fc.id.launcher_id, 32);
  memcpy(f.p2_singleton_puzzle_hash, W.p2, 32);
  f.difficulty = 1;
  f.is_pool_member = 1;
  assert_int_equal(store_farmer_add(W.s, &f), CP_OK);

  config_defaults(&W.cfg);
  W.cfg.scan_start_height = 1;
  W.cfg.confirmation_security_threshold = 3;
  memcpy(W.cfg.default_target_puzzle_hash, W.target, 32);
  W.cfg.have_default_target = 1;
  W.cfg.block_claim_fee = block_claim_fee;
  ro.cfg = &W.cfg;
  ro.store = W.s;
  ro.chain = W.ch;
  memcpy(ro.genesis_challenge, W.genesis, 32);
  bls_sign(&W.ff.sig, &W.sk, (const uint8_t *)"fee", 3);
  if (with_wallet) {
    ro.fee.sign = ff_sign;
    ro.fee.ctx = &W.ff;
  }
  W.hold = coinhold_new();
  ro.hold = W.hold;
  assert_int_equal(rewards_new(&ro, &W.r), CP_OK);
}

static void world_close(void)
{
  char p[160];
  rewards_free(W.r);
  coinhold_free(W.hold);
  chia_spend_bundle_release(&W.last_sb);
  store_close(W.s);
  fc_free(&W.fc);
  unlink(W.db);
  snprintf(p, sizeof p, "%s-wal", W.db);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", W.db);
  unlink(p);
  rmdir(W.dir);
}

static enum store_reward_state state_of(const uint8_t id[32], struct store_reward *out)
{
  assert_int_equal(store_reward_get(W.s, id, out), CP_OK);
  return out->state;
}

static void test_scan_idempotent(void **state)
{
  struct rewards_report rep = { 0 };
  struct store_reward sr;
  uint8_t id[32], other[32], h[32];
  uint64_t ch;
  struct chia_coin pay;
  (void)state;
  world_open();
  add_reward(8, id);
  /* a plain payment to the same address is not a reward */
  memset(pay.parent_coin_info, 0x42, 32);
  memcpy(pay.puzzle_hash, W.p2, 32);
  pay.amount = 1000;
  coin_id(&pay, other);
  fc_add(&W.fc, &pay, 9);
  assert_int_equal(rewards_scan(W.r, &rep), CP_OK);
  assert_int_equal(rep.found, 1);
  assert_int_equal(rep.scanned_to, 10);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_FOUND);
  assert_memory_equal(sr.launcher_id, W.fc.id.launcher_id, 32);
  assert_int_equal(sr.height, 8);
  assert_int_equal(sr.amount, REWARD);
  assert_int_equal(store_reward_get(W.s, other, &sr), CP_NOT_FOUND);
  assert_int_equal(store_chain_get(W.s, &ch, h), CP_OK);
  assert_int_equal(ch, 10);
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_scan(W.r, &rep), CP_OK);
  assert_int_equal(rep.found, 0);
  world_close();
}

static void test_reorg(void **state)
{
  struct rewards_report rep = { 0 };
  struct store_reward sr;
  struct fc_coin *old;
  uint8_t id20[32], id22[32];
  (void)state;
  world_open();
  W.fc.peak = 25;
  old = add_reward(20, id20);
  assert_int_equal(rewards_scan(W.r, &rep), CP_OK);
  assert_int_equal(rep.found, 1);
  /* blocks from 18 up are replaced: the old reward is gone, the new chain
   * has one at 22 */
  for (int h = 18; h <= 30; h++)
    W.variant[h] = 1;
  memset(old->rec.coin.puzzle_hash, 0, 32);
  old->rec.confirmed_block_index = 0;
  add_reward(22, id22);
  W.fc.peak = 26;
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_scan(W.r, &rep), CP_OK);
  assert_int_equal(rep.reorgs, 1);
  assert_int_equal(rep.rolled_back, 1);
  assert_int_equal(rep.found, 1);
  assert_int_equal(store_reward_get(W.s, id20, &sr), CP_NOT_FOUND);
  assert_int_equal(state_of(id22, &sr), STORE_REWARD_FOUND);
  assert_int_equal(sr.height, 22);
  /* the cursor follows the new chain: no further reorg */
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_scan(W.r, &rep), CP_OK);
  assert_int_equal(rep.reorgs, 0);
  world_close();
}

static void test_absorb_lifecycle(void **state)
{
  struct rewards_report rep = { 0 };
  struct store_reward sr;
  struct fc_coin *rc;
  uint8_t id[32], tx1[32];
  (void)state;
  world_open();
  W.fc.peak = 20;
  rc = add_reward(19, id);
  assert_int_equal(rewards_scan(W.r, &rep), CP_OK);
  /* not buried under 3 blocks yet */
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.pushes, 0);
  W.fc.peak = 22;
  /* refused: back to found, retried on the next pass */
  W.refuse_next = 1;
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.pushes, 1);
  assert_int_equal(rep.refused, 1);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_FOUND);
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.pushes, 2);
  assert_int_equal(W.last_spends, 2); /* singleton + reward coin */
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  assert_true(sr.has_absorb_tx);
  memcpy(tx1, sr.absorb_tx_id, 32);
  /* pending: not rebuilt or pushed again */
  W.fc.peak = 23;
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.pushes, 2);
  /* still unspent when overdue, nothing moved: the same bundle again */
  W.fc.peak = 22 + REWARDS_RETRY_BLOCKS;
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.pushes, 3);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  assert_memory_equal(sr.absorb_tx_id, tx1, 32);
  /* lands */
  rc->rec.spent = true;
  rc->rec.spent_block_index = W.fc.peak;
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(rep.absorbed, 1);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBED);
  assert_int_equal(W.pushes, 3);
  world_close();
}

static void test_singleton_moved(void **state)
{
  struct rewards_report rep = { 0 };
  struct store_reward sr;
  struct chia_pool_state leaving;
  uint8_t id[32], tx1[32];
  (void)state;
  world_open();
  W.fc.peak = 20;
  add_reward(15, id);
  assert_int_equal(rewards_scan(W.r, &rep), CP_OK);
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.pushes, 1);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  memcpy(tx1, sr.absorb_tx_id, 32);
  /* the owner starts leaving: the singleton moves to the waiting room
   * (same target), so the pending bundle can never land */
  fc_pool_state(&leaving, PLOTNFT_LEAVING_POOL, W.target, &W.pk, 100);
  fc_step(&W.fc, &leaving, 21);
  W.fc.peak = 21 + REWARDS_RETRY_BLOCKS;
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.pushes, 2);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  assert_memory_not_equal(sr.absorb_tx_id, tx1, 32);
  world_close();
}

/* Rewards found together go in one bundle; one found while that bundle is
 * pending waits (the singleton coin is spoken for) until it lands. */
static void test_one_bundle_per_singleton(void **state)
{
  struct rewards_report rep = { 0 };
  struct store_reward sr;
  struct fc_coin *a, *b;
  uint8_t ida[32], idb[32], idc[32];
  (void)state;
  world_open();
  W.fc.peak = 20;
  a = add_reward(15, ida);
  b = add_reward(16, idb);
  assert_int_equal(rewards_run_once(W.r, &rep), CP_OK);
  assert_int_equal(rep.found, 2);
  assert_int_equal(rep.pushed, 1);
  assert_int_equal(W.pushes, 1);
  assert_int_equal(W.last_spends, 4);
  add_reward(21, idc);
  W.fc.peak = 25; /* buried; the first bundle is not overdue */
  assert_int_equal(rewards_scan(W.r, &rep), CP_OK);
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.pushes, 1);
  assert_int_equal(state_of(idc, &sr), STORE_REWARD_FOUND);
  /* the bundle lands (the chain now has the absorbs): the third goes */
  fc_step(&W.fc, NULL, 26);
  fc_step(&W.fc, NULL, 26);
  a->rec.spent = b->rec.spent = true;
  a->rec.spent_block_index = b->rec.spent_block_index = 26;
  W.fc.peak = 26;
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(state_of(ida, &sr), STORE_REWARD_ABSORBED);
  assert_int_equal(state_of(idb, &sr), STORE_REWARD_ABSORBED);
  assert_int_equal(W.pushes, 2);
  assert_int_equal(W.last_spends, 2);
  assert_int_equal(state_of(idc, &sr), STORE_REWARD_ABSORBING);
  world_close();
}

/* With block_claim_fee the wallet is asked for fee x N with exactly the N
 * reward coin ids; the pushed bundle is the absorb spends plus the fee
 * spend under the aggregated signature; the tracked id is the absorb's
 * alone; the rewards carry the fee and undistributed drops by it. */
static void test_claim_fee(void **state)
{
  struct rewards_report rep = { 0 };
  struct store_reward sr;
  struct fc_coin *a, *b;
  uint8_t ida[32], idb[32], tx_nofee[32];
  uint64_t funds = 0;
  (void)state;

  /* the same rewards absorbed without a fee: the id to compare with */
  world_open();
  W.fc.peak = 20;
  add_reward(15, ida);
  add_reward(16, idb);
  assert_int_equal(rewards_run_once(W.r, &rep), CP_OK);
  assert_int_equal(state_of(ida, &sr), STORE_REWARD_ABSORBING);
  memcpy(tx_nofee, sr.absorb_tx_id, 32);
  assert_true(sr.claim_fee == 0);
  assert_int_equal(W.last_sb.coin_spends.count, 4);
  world_close();

  world_open_fee(30000, 1);
  W.fc.peak = 20;
  a = add_reward(15, ida);
  b = add_reward(16, idb);
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_run_once(W.r, &rep), CP_OK);
  assert_int_equal(W.ff.calls, 1);
  assert_true(W.ff.fee == 60000);
  assert_int_equal(W.ff.n, 2);
  assert_memory_equal(W.ff.ids[0], ida, 32); /* by height */
  assert_memory_equal(W.ff.ids[1], idb, 32);
  assert_int_equal(rep.pushed, 1);
  assert_true(rep.claim_fees == 60000);
  assert_int_equal(W.pushes, 1);
  assert_int_equal(W.last_sb.coin_spends.count, 5);
  assert_true(chia_spend_bundle_at(&W.last_sb, 4)->coin.amount == 5000000);
  assert_memory_equal(chia_spend_bundle_at(&W.last_sb, 4)->coin.parent_coin_info,
                      "\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe"
                      "\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe\xfe", 32);
  /* identity (absorb) + the wallet's signature = the wallet's signature */
  assert_memory_equal(W.last_sb.aggregated_signature, W.ff.sig.bytes, 96);
  assert_int_equal(state_of(ida, &sr), STORE_REWARD_ABSORBING);
  assert_memory_equal(sr.absorb_tx_id, tx_nofee, 32);
  assert_true(sr.claim_fee == 30000);
  assert_int_equal(state_of(idb, &sr), STORE_REWARD_ABSORBING);
  assert_true(sr.claim_fee == 30000);
  /* the wallet coin the fee spends is held out of payouts meanwhile */
  {
    uint8_t (*held)[32] = NULL, want[32];
    size_t n_held = 0;
    coin_id(&chia_spend_bundle_at(&W.last_sb, 4)->coin, want);
    assert_int_equal(coinhold_list(W.hold, clock_unix_s(), &held, &n_held), CP_OK);
    assert_int_equal(n_held, 1);
    assert_memory_equal(held[0], want, 32);
    free(held);
  }

  /* lands: absorbed with the fee; the funds are the rewards minus it */
  fc_step(&W.fc, NULL, 21);
  fc_step(&W.fc, NULL, 21);
  a->rec.spent = b->rec.spent = true;
  a->rec.spent_block_index = b->rec.spent_block_index = 21;
  W.fc.peak = 21;
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(rep.absorbed, 2);
  assert_int_equal(state_of(ida, &sr), STORE_REWARD_ABSORBED);
  assert_true(sr.claim_fee == 30000);
  assert_int_equal(payouts_undistributed(W.s, &funds), CP_OK);
  assert_true(funds == 2 * REWARD - 60000);
  /* landed: the coin is free again */
  {
    uint8_t (*held)[32] = NULL;
    size_t n_held = 9;
    assert_int_equal(coinhold_list(W.hold, clock_unix_s(), &held, &n_held), CP_OK);
    assert_int_equal(n_held, 0);
    assert_null(held);
  }
  world_close();
}

/* The wallet cannot pay: nothing is pushed, the rewards stay found, the
 * next pass tries again; an overdue pending bundle is re-signed. */
static void test_claim_fee_wallet_fails(void **state)
{
  struct rewards_report rep = { 0 };
  struct store_reward sr;
  uint8_t id[32], tx1[32];
  (void)state;
  world_open_fee(1000, 1);
  W.fc.peak = 20;
  add_reward(15, id);
  W.ff.fail = CP_RPC_ERROR;
  assert_int_equal(rewards_run_once(W.r, &rep), CP_OK);
  assert_int_equal(W.ff.calls, 1);
  assert_int_equal(rep.fee_failed, 1);
  assert_int_equal(rep.pushed, 0);
  assert_int_equal(W.pushes, 0);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_FOUND);
  assert_false(sr.has_absorb_tx);
  assert_true(sr.claim_fee == 0);

  W.ff.fail = CP_OK;
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.ff.calls, 2);
  assert_true(W.ff.fee == 1000);
  assert_int_equal(W.ff.n, 1);
  assert_memory_equal(W.ff.ids[0], id, 32);
  assert_int_equal(W.pushes, 1);
  assert_int_equal(W.last_spends, 3);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  assert_true(sr.claim_fee == 1000);
  memcpy(tx1, sr.absorb_tx_id, 32);

  /* overdue and unspent: rebuilt, the wallet asked again; when it fails
   * the rewards stay absorbing with their bundle (it may still land) */
  W.fc.peak = 20 + REWARDS_RETRY_BLOCKS;
  W.ff.fail = CP_TIMEOUT;
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.ff.calls, 3);
  assert_int_equal(rep.fee_failed, 1);
  assert_int_equal(W.pushes, 1);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  assert_memory_equal(sr.absorb_tx_id, tx1, 32);
  assert_true(sr.claim_fee == 1000);
  W.ff.fail = CP_OK;
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(W.ff.calls, 4);
  assert_int_equal(W.pushes, 2);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  assert_memory_equal(sr.absorb_tx_id, tx1, 32);

  /* refused by the node: found again, the fee kept (that bundle may
   * still land somewhere) */
  W.fc.peak += REWARDS_RETRY_BLOCKS;
  W.refuse_next = 1;
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(rep.refused, 1);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_FOUND);
  assert_true(sr.claim_fee == 1000);
  world_close();
}

/* A fee above the reward is capped at the reward; without a wallet a fee
 * cannot be paid and the absorb goes out without one. */
static void test_claim_fee_cap_and_no_wallet(void **state)
{
  struct rewards_report rep = { 0 };
  struct store_reward sr;
  struct fc_coin *c;
  uint8_t id[32];
  uint64_t funds = 7;
  (void)state;
  world_open_fee(REWARD + 5, 1);
  W.fc.peak = 20;
  c = add_reward(15, id);
  assert_int_equal(rewards_run_once(W.r, &rep), CP_OK);
  assert_true(W.ff.fee == REWARD);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  assert_true(sr.claim_fee == REWARD);
  fc_step(&W.fc, NULL, 21);
  c->rec.spent = true;
  c->rec.spent_block_index = 21;
  W.fc.peak = 21;
  assert_int_equal(rewards_absorb(W.r, &rep), CP_OK);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBED);
  assert_int_equal(payouts_undistributed(W.s, &funds), CP_OK);
  assert_true(funds == 0);
  world_close();

  world_open_fee(1000, 0);
  W.fc.peak = 20;
  add_reward(15, id);
  memset(&rep, 0, sizeof rep);
  assert_int_equal(rewards_run_once(W.r, &rep), CP_OK);
  assert_int_equal(rep.pushed, 1);
  assert_true(rep.claim_fees == 0);
  assert_int_equal(W.last_spends, 2);
  assert_int_equal(state_of(id, &sr), STORE_REWARD_ABSORBING);
  assert_true(sr.claim_fee == 0);
  world_close();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_scan_idempotent),
    cmocka_unit_test(test_reorg),
    cmocka_unit_test(test_absorb_lifecycle),
    cmocka_unit_test(test_singleton_moved),
    cmocka_unit_test(test_one_bundle_per_singleton),
    cmocka_unit_test(test_claim_fee),
    cmocka_unit_test(test_claim_fee_wallet_fails),
    cmocka_unit_test(test_claim_fee_cap_and_no_wallet),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
