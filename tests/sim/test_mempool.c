/* Mempool validation of the simulated chain: real standard-transaction
 * spends signed with real keys and a real plot-NFT absorb built by the
 * plotnft layer go in; each tampered part is refused with the node's
 * error name. */
#include "testutil.h"

#include <string.h>

#include "chia/coin.h"
#include "clvm/conditions.h"
#include "plotnft/absorb.h"
#include "plotnft/state.h"
#include "sim/chain.h"
#include "simtest.h"

static const struct chia_consts *net;
static struct st_wallet alice, bob;
static uint8_t farmer_ph[32], pool_ph[32];

static struct sim_chain *new_chain(void)
{
  struct sim_chain_config cfg;
  struct sim_chain *c = NULL;
  sim_chain_config_init(&cfg);
  cfg.seed = 42;
  assert_int_equal(sim_chain_new(&cfg, &c), CP_OK);
  return c;
}

/* A one-spend bundle from w of coin with the given conditions. */
static void one_spend(const struct st_wallet *w, const struct chia_coin *coin,
                      struct st_conds *c, struct chia_spend_bundle *sb)
{
  struct chia_coin_spend cs;
  struct bls_sig sig;
  st_infinity(&sig);
  st_spend(w, coin, c, net, &cs, &sig);
  st_bundle(sb, &cs, 1, &sig);
}

/* Push and expect a refusal named why (NULL = accepted). */
static void expect(struct sim_chain *c, struct chia_spend_bundle *sb, const char *why)
{
  const char *got = NULL;
  cp_err rc = sim_chain_push_tx(c, sb, &got);
  if (!why) {
    assert_int_equal(rc, CP_OK);
    assert_null(got);
  } else {
    assert_int_equal(rc, CP_TX_FAILED);
    assert_non_null(got);
    assert_string_equal(got, why);
  }
  chia_spend_bundle_release(sb);
}

static void test_standard_spend(void **state)
{
  struct sim_chain *c = new_chain();
  struct chia_coin coin, out;
  struct st_conds k;
  struct chia_spend_bundle sb;
  struct sim_coin_record rec;
  struct sim_chain_state st;
  struct sim_block b;
  uint8_t id[32];
  uint32_t h = 0;

  (void)state;
  assert_int_equal(sim_chain_give(c, alice.ph, 1000, &coin), CP_OK);
  coin_id(&coin, id);
  assert_int_equal(sim_chain_coin(c, id, &rec), CP_OK);
  assert_int_equal(rec.confirmed_height, 0);
  assert_int_equal(rec.coinbase, false);

  /* 900 to bob, 100 fee reserved */
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 900);
  st_cond_u64(&k, 52, 100);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, NULL);
  st_conds_release(&k);
  sim_chain_state(c, &st);
  assert_int_equal(st.mempool_size, 1);
  assert_int_equal(st.mempool_fees, 100);
  assert_true(st.mempool_cost > 0);

  assert_int_equal(sim_chain_farm_block(c, farmer_ph, pool_ph, &h), CP_OK);
  assert_int_equal(h, 1);
  assert_int_equal(sim_chain_coin(c, id, &rec), CP_OK);
  assert_int_equal(rec.spent_height, 1);
  memcpy(out.parent_coin_info, id, 32);
  memcpy(out.puzzle_hash, bob.ph, 32);
  out.amount = 900;
  coin_id(&out, id);
  assert_int_equal(sim_chain_coin(c, id, &rec), CP_OK);
  assert_int_equal(rec.confirmed_height, 1);
  assert_int_equal(rec.coin.amount, 900);
  /* the fee went to the farmer coin */
  assert_int_equal(sim_chain_block_by_height(c, 1, &b), CP_OK);
  assert_int_equal(b.fees, 100);
  coin_farmer_parent_id(net->genesis_challenge, 1, out.parent_coin_info);
  memcpy(out.puzzle_hash, farmer_ph, 32);
  out.amount = coin_farmer_reward(1) + 100;
  coin_id(&out, id);
  assert_int_equal(sim_chain_coin(c, id, &rec), CP_OK);
  assert_true(rec.coinbase);
  sim_chain_state(c, &st);
  assert_int_equal(st.mempool_size, 0);

  /* the spent coin again */
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 1000);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "DOUBLE_SPEND");
  st_conds_release(&k);
  sim_chain_free(c);
}

/* Each tampered bundle of a 1000-mojo coin of alice's. */
static void test_refusals(void **state)
{
  struct sim_chain *c = new_chain();
  struct chia_coin coin, other, ghost;
  struct st_conds k;
  struct chia_spend_bundle sb;
  struct chia_coin_spend cs[2];
  struct bls_sig sig;
  uint8_t id[32], wrong[32], ann[32];

  (void)state;
  sim_chain_give(c, alice.ph, 1000, &coin);
  sim_chain_give(c, alice.ph, 500, &other);
  coin_id(&coin, id);

  /* minting */
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 1001);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "MINTING_COIN");
  st_conds_release(&k);

  /* fee below the reserve */
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 950);
  st_cond_u64(&k, 52, 51);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "RESERVE_FEE_CONDITION_FAILED");
  st_conds_release(&k);

  /* signed by the wrong key: bob's signature over alice's spend */
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 1000);
  st_infinity(&sig);
  st_spend(&alice, &coin, &k, net, &cs[0], &sig);
  {
    uint8_t m[32] = { 1 };
    bls_sign(&sig, &bob.sk, m, sizeof m);
  }
  st_bundle(&sb, cs, 1, &sig);
  expect(c, &sb, "BAD_AGGREGATE_SIGNATURE");
  /* the identity signature on a spend that needs one */
  st_infinity(&sig);
  st_spend(&alice, &coin, &k, net, &cs[0], &sig);
  st_infinity(&sig);
  st_bundle(&sb, cs, 1, &sig);
  expect(c, &sb, "BAD_AGGREGATE_SIGNATURE");
  /* a signature that is not a G2 point */
  st_infinity(&sig);
  st_spend(&alice, &coin, &k, net, &cs[0], &sig);
  st_bundle(&sb, cs, 1, &sig);
  sb.aggregated_signature[5] ^= 0x40;
  expect(c, &sb, "BAD_AGGREGATE_SIGNATURE");
  st_conds_release(&k);

  /* puzzle reveal of someone else: bob's puzzle on alice's coin */
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 1000);
  st_infinity(&sig);
  st_spend(&bob, &coin, &k, net, &cs[0], &sig);
  st_bundle(&sb, cs, 1, &sig);
  expect(c, &sb, "WRONG_PUZZLE_HASH");
  /* a coin that does not exist (1000 out of 1001: no minting) */
  ghost = coin;
  ghost.amount = 1001;
  st_infinity(&sig);
  st_spend(&alice, &ghost, &k, net, &cs[0], &sig);
  st_bundle(&sb, cs, 1, &sig);
  expect(c, &sb, "UNKNOWN_UNSPENT");
  /* the same coin twice in one bundle */
  st_infinity(&sig);
  st_spend(&alice, &coin, &k, net, &cs[0], &sig);
  st_spend(&alice, &coin, &k, net, &cs[1], &sig);
  st_bundle(&sb, cs, 2, &sig);
  expect(c, &sb, "DOUBLE_SPEND");
  st_conds_release(&k);

  /* time locks against the peak (height 0, timestamp now) */
  st_conds_init(&k);
  st_cond_u64(&k, 83, 5);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_HEIGHT_ABSOLUTE_FAILED");
  st_conds_release(&k);
  st_conds_init(&k);
  st_cond_u64(&k, 82, 1);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_HEIGHT_RELATIVE_FAILED");
  st_conds_release(&k);
  st_conds_init(&k);
  st_cond_u64(&k, 81, 4000000000ULL);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_SECONDS_ABSOLUTE_FAILED");
  st_conds_release(&k);
  st_conds_init(&k);
  st_cond_u64(&k, 87, 0);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_BEFORE_HEIGHT_ABSOLUTE_FAILED");
  st_conds_release(&k);
  st_conds_init(&k);
  st_cond_u64(&k, 75, 1);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_MY_BIRTH_HEIGHT_FAILED");
  st_conds_release(&k);

  /* ASSERT_MY_* */
  memset(wrong, 0x77, sizeof wrong);
  st_conds_init(&k);
  st_cond_bytes(&k, 70, wrong, 32, NULL, 0);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_MY_COIN_ID_FAILED");
  st_conds_release(&k);
  st_conds_init(&k);
  st_cond_bytes(&k, 72, wrong, 32, NULL, 0);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_MY_PUZZLEHASH_FAILED");
  st_conds_release(&k);
  st_conds_init(&k);
  st_cond_u64(&k, 73, 999);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_MY_AMOUNT_FAILED");
  st_conds_release(&k);
  st_conds_init(&k);
  st_cond_u64(&k, 76, 0);
  k.n--;   /* ASSERT_EPHEMERAL takes no argument: rebuild it bare */
  st_cond_bytes(&k, 76, NULL, 0, NULL, 0);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "ASSERT_EPHEMERAL_FAILED");
  st_conds_release(&k);

  /* an announcement nobody made, then the same one made by a second spend */
  clvm_announcement_id(id, (const uint8_t *)"hi", 2, ann);
  st_conds_init(&k);
  st_cond_bytes(&k, 61, ann, 32, NULL, 0);
  one_spend(&alice, &other, &k, &sb);
  expect(c, &sb, "ASSERT_ANNOUNCE_CONSUMED_FAILED");
  st_infinity(&sig);
  st_spend(&alice, &other, &k, net, &cs[0], &sig);
  st_conds_release(&k);
  st_conds_init(&k);
  st_cond_bytes(&k, 60, (const uint8_t *)"hi", 2, NULL, 0);
  st_create_coin(&k, bob.ph, 1500);
  st_spend(&alice, &coin, &k, net, &cs[1], &sig);
  st_bundle(&sb, cs, 2, &sig);
  expect(c, &sb, NULL);
  st_conds_release(&k);

  /* a conflicting spend of a pending coin */
  st_conds_init(&k);
  st_create_coin(&k, alice.ph, 1000);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "MEMPOOL_CONFLICT");
  st_conds_release(&k);
  sim_chain_free(c);
}

static void test_ephemeral_and_runtime(void **state)
{
  struct sim_chain *c = new_chain();
  struct chia_coin coin, child;
  struct st_conds k;
  struct chia_spend_bundle sb;
  struct chia_coin_spend cs[2];
  struct bls_sig sig;
  uint8_t id[32];

  (void)state;
  sim_chain_give(c, alice.ph, 1000, &coin);
  coin_id(&coin, id);

  /* a coin created and spent in the same bundle */
  st_conds_init(&k);
  st_create_coin(&k, alice.ph, 1000);
  st_infinity(&sig);
  st_spend(&alice, &coin, &k, net, &cs[0], &sig);
  st_conds_release(&k);
  memcpy(child.parent_coin_info, id, 32);
  memcpy(child.puzzle_hash, alice.ph, 32);
  child.amount = 1000;
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 1000);
  st_spend(&alice, &child, &k, net, &cs[1], &sig);
  st_bundle(&sb, cs, 2, &sig);
  expect(c, &sb, NULL);
  st_conds_release(&k);

  /* a solution the puzzle rejects: not a list of three */
  st_conds_init(&k);
  st_create_coin(&k, bob.ph, 1);
  st_infinity(&sig);
  sim_chain_give(c, alice.ph, 7, &coin);
  st_spend(&alice, &coin, &k, net, &cs[0], &sig);
  free(cs[0].solution.data);
  cs[0].solution.data = malloc(1);
  cs[0].solution.data[0] = 0x80;
  cs[0].solution.len = 1;
  st_bundle(&sb, cs, 1, &sig);
  expect(c, &sb, "GENERATOR_RUNTIME_ERROR");
  /* truncated serialization */
  st_infinity(&sig);
  st_spend(&alice, &coin, &k, net, &cs[0], &sig);
  cs[0].solution.len--;
  st_bundle(&sb, cs, 1, &sig);
  expect(c, &sb, "INVALID_SPEND_BUNDLE");
  st_conds_release(&k);

  /* over half a block in bytes alone: 12000 per generator byte */
  {
    struct clvm_alloc *a = clvm_alloc_new(0);
    uint8_t *big = calloc(1, 460000);
    clvm_node atom;
    struct buf b;
    size_t len;
    assert_int_equal(clvm_new_atom(a, big, 460000, &atom), CP_OK);
    buf_init(&b, 1 << 20);
    assert_int_equal(clvm_serialize(a, atom, &b), CP_OK);
    st_conds_init(&k);
    st_infinity(&sig);
    st_spend(&alice, &coin, &k, net, &cs[0], &sig);
    free(cs[0].solution.data);
    cs[0].solution.data = buf_detach(&b, &len);
    cs[0].solution.len = len;
    st_bundle(&sb, cs, 1, &sig);
    expect(c, &sb, "BLOCK_COST_EXCEEDS_MAX");
    st_conds_release(&k);
    clvm_alloc_free(a);
    free(big);
  }

  /* a malformed condition: CREATE_COIN with a 31-byte puzzle hash */
  st_conds_init(&k);
  st_cond_bytes(&k, 51, bob.ph, 31, (const uint8_t *)"\x01", 1);
  one_spend(&alice, &coin, &k, &sb);
  expect(c, &sb, "INVALID_CONDITION");
  st_conds_release(&k);
  sim_chain_free(c);
}

/* A plot-NFT absorb built by plotnft, of a reward the chain really paid. */
static void test_absorb(void **state)
{
  struct sim_chain *c = new_chain();
  struct plotnft_absorb_in in;
  struct plotnft_absorb_out after;
  struct plotnft_reward rw;
  struct chia_spend_bundle sb;
  struct chia_coin launcher, reward;
  struct sim_coin_record *recs = NULL;
  size_t n = 0;
  uint8_t p2[32], target[32], rid[32], id[32];
  uint32_t h = 0;

  (void)state;
  memset(&in, 0, sizeof in);
  memset(target, 0x5a, sizeof target);
  memset(launcher.parent_coin_info, 0x11, 32);
  memcpy(launcher.puzzle_hash, plotnft_puzzle(PLOTNFT_PUZ_LAUNCHER)->hash, 32);
  launcher.amount = 1;
  coin_id(&launcher, in.id.launcher_id);
  in.id.delay_time = PLOTNFT_DEFAULT_DELAY_TIME;
  memcpy(in.id.delay_ph, alice.ph, 32);
  memcpy(in.genesis_challenge, net->genesis_challenge, 32);
  in.state.version = 1;
  in.state.state = PLOTNFT_FARMING_TO_POOL;
  memcpy(in.state.target_puzzle_hash, target, 32);
  memcpy(in.state.owner_pubkey, alice.pk.bytes, 48);
  in.state.has_pool_url = true;
  memcpy(in.state.pool_url, "https://pool.example", 21);
  in.state.relative_lock_height = 100;
  memcpy(in.singleton.parent_coin_info, in.id.launcher_id, 32);
  plotnft_state_hashes(&in.id, in.genesis_challenge, &in.state, NULL,
                       in.singleton.puzzle_hash);
  in.singleton.amount = 1;
  in.lineage.eve = true;
  memcpy(in.lineage.parent_parent, launcher.parent_coin_info, 32);
  in.lineage.parent_amount = 1;
  assert_int_equal(sim_chain_add_coin(c, &in.singleton), CP_OK);
  assert_int_equal(sim_chain_add_coin(c, &in.singleton), CP_EXISTS);

  /* the farmer wins block 1 with the pool reward at the p2_singleton */
  plotnft_p2_hash(&in.id, p2);
  assert_int_equal(sim_chain_farm_block(c, farmer_ph, p2, &h), CP_OK);
  assert_int_equal(h, 1);
  rw.height = 1;
  rw.amount = coin_pool_reward(1);
  assert_int_equal(rw.amount, 1750000000000ULL);
  plotnft_reward_coin(&in, &rw, &reward, rid);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(c, (const uint8_t (*)[32])p2, 1, false,
                                                    0, 0, &recs, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_memory_equal(recs[0].id, rid, 32);
  assert_true(recs[0].coinbase);
  free(recs);

  /* tampered: the signature is not the identity */
  assert_int_equal(plotnft_absorb_bundle(&in, &rw, 1, &sb, &after), CP_OK);
  sb.aggregated_signature[0] = 0xa0;
  expect(c, &sb, "BAD_AGGREGATE_SIGNATURE");
  /* tampered: the singleton spend alone (the reward's announcement missing) */
  assert_int_equal(plotnft_absorb_bundle(&in, &rw, 1, &sb, &after), CP_OK);
  chia_coin_spend_release(chia_spend_bundle_at(&sb, 1));
  sb.coin_spends.count = 1;
  expect(c, &sb, "ASSERT_ANNOUNCE_CONSUMED_FAILED");
  /* tampered: the launcher id inside the singleton's puzzle reveal */
  assert_int_equal(plotnft_absorb_bundle(&in, &rw, 1, &sb, &after), CP_OK);
  {
    struct st_blob *pr = &chia_spend_bundle_at(&sb, 0)->puzzle_reveal;
    uint8_t *at = memmem(pr->data, pr->len, in.id.launcher_id, 32);
    assert_non_null(at);
    at[31] ^= 1;
  }
  expect(c, &sb, "WRONG_PUZZLE_HASH");
  /* a reward the chain never paid (there is no height 7 yet) */
  rw.height = 7;
  rw.amount = coin_pool_reward(7);
  assert_int_equal(plotnft_absorb_bundle(&in, &rw, 1, &sb, &after), CP_OK);
  expect(c, &sb, "UNKNOWN_UNSPENT");

  /* the real one */
  rw.height = 1;
  rw.amount = coin_pool_reward(1);
  assert_int_equal(plotnft_absorb_bundle(&in, &rw, 1, &sb, &after), CP_OK);
  expect(c, &sb, NULL);
  assert_int_equal(sim_chain_farm_block(c, farmer_ph, pool_ph, &h), CP_OK);
  assert_int_equal(h, 2);
  assert_int_equal(sim_chain_coins_by_puzzle_hashes(c, (const uint8_t (*)[32])target, 1,
                                                    false, 0, 0, &recs, &n), CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(recs[0].coin.amount, 1750000000000ULL);
  assert_int_equal(recs[0].confirmed_height, 2);
  free(recs);
  coin_id(&after.singleton, id);
  {
    struct sim_coin_record r;
    struct chia_coin_spend spend;
    uint32_t at = 0;
    assert_int_equal(sim_chain_coin(c, id, &r), CP_OK);
    assert_int_equal(r.spent_height, 0);
    coin_id(&in.singleton, id);
    assert_int_equal(sim_chain_coin_spend(c, id, &spend, &at), CP_OK);
    assert_int_equal(at, 2);
    assert_memory_equal(&spend.coin, &in.singleton, sizeof spend.coin);
    chia_coin_spend_release(&spend);
  }
  sim_chain_free(c);
}

static int setup(void **state)
{
  (void)state;
  net = consts_get("simulator");
  if (plotnft_init())
    return -1;
  st_wallet_init(&alice, 1);
  st_wallet_init(&bob, 2);
  memset(farmer_ph, 0xfa, sizeof farmer_ph);
  memset(pool_ph, 0x90, sizeof pool_ph);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  st_wallet_release(&alice);
  st_wallet_release(&bob);
  return 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_standard_spend),
    cmocka_unit_test(test_refusals),
    cmocka_unit_test(test_ephemeral_and_runtime),
    cmocka_unit_test(test_absorb),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
