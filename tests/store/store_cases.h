/* Store test cases that use only the public API, so they run unchanged on
 * every backend: test_sqlite.c and test_pg.c include this file after
 * setting fx_backend. */
#ifndef CP_TEST_STORE_CASES_H
#define CP_TEST_STORE_CASES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "store_fixture.h"
#include "util/err.h"

static void case_migrations_idempotent(void **state)
{
  struct fx f;
  struct store *s;
  int64_t v = -1;
  (void)state;
  fx_init(&f);
  assert_int_equal(store_schema_version_code(), 2);
  for (int i = 0; i < 3; i++) {
    s = fx_open(&f);
    assert_int_equal(store_schema_version(s, &v), CP_OK);
    assert_int_equal(v, 2);
    store_close(s);
  }
  /* one row per migration applied, none applied twice */
  assert_int_equal(fx_raw_int(&f, "SELECT COUNT(*) FROM schema_version"), 2);
  fx_cleanup(&f);
}

static void case_newer_schema_refused(void **state)
{
  struct fx f;
  struct store *s;
  struct store_options o;
  (void)state;
  fx_init(&f);
  store_close(fx_open(&f));
  fx_raw_exec(&f, "INSERT INTO schema_version (version) VALUES (3)");
  o = fx_options(&f);
  s = (struct store *)&o; /* must be overwritten with NULL */
  assert_int_equal(store_open(&o, &s), CP_DB_SCHEMA);
  assert_null(s);
  /* Refusing must not have touched the file. */
  assert_int_equal(fx_raw_int(&f, "SELECT MAX(version) FROM schema_version"),
                   3);
  fx_cleanup(&f);
}

static void assert_farmer_equal(const struct store_farmer *a,
                                const struct store_farmer *b)
{
  assert_memory_equal(a->launcher_id, b->launcher_id, 32);
  assert_memory_equal(a->p2_singleton_puzzle_hash, b->p2_singleton_puzzle_hash,
                      32);
  assert_true(a->delay_time == b->delay_time);
  assert_memory_equal(a->delay_puzzle_hash, b->delay_puzzle_hash, 32);
  assert_memory_equal(a->authentication_public_key,
                      b->authentication_public_key, 48);
  assert_int_equal(a->singleton_tip_len, b->singleton_tip_len);
  assert_memory_equal(a->singleton_tip, b->singleton_tip, a->singleton_tip_len);
  assert_int_equal(a->singleton_tip_state_len, b->singleton_tip_state_len);
  assert_memory_equal(a->singleton_tip_state, b->singleton_tip_state,
                      a->singleton_tip_state_len);
  assert_true(a->points == b->points);
  assert_true(a->difficulty == b->difficulty);
  assert_string_equal(a->payout_instructions, b->payout_instructions);
  assert_int_equal(a->is_pool_member, b->is_pool_member);
  assert_true(a->joined_at == b->joined_at);
  assert_true(a->last_difficulty_change_at == b->last_difficulty_change_at);
}

static void case_farmer_crud(void **state)
{
  struct fx f;
  struct store *s;
  struct store_farmer a, b, got;
  struct store_farmer_list l;
  uint8_t unknown[32], pk[48];
  static const uint8_t tip2[] = { 9, 8, 7 };
  (void)state;
  fx_init(&f);
  s = fx_open(&f);

  fx_farmer(&a, 1);
  assert_int_equal(store_farmer_add(s, &a), CP_OK);
  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_farmer_equal(&got, &a);
  store_farmer_release(&got);
  assert_int_equal(store_farmer_get_by_p2(s, a.p2_singleton_puzzle_hash, &got),
                   CP_OK);
  assert_farmer_equal(&got, &a);
  store_farmer_release(&got);

  /* Same launcher, and another launcher with the same p2 puzzle hash. */
  assert_int_equal(store_farmer_add(s, &a), CP_EXISTS);
  fx_farmer(&b, 2);
  memcpy(b.p2_singleton_puzzle_hash, a.p2_singleton_puzzle_hash, 32);
  assert_int_equal(store_farmer_add(s, &b), CP_EXISTS);
  fx_farmer(&b, 2);
  b.is_pool_member = 0;
  b.singleton_tip_len = 0; /* empty blobs round-trip as empty */
  b.singleton_tip_state_len = 0;
  assert_int_equal(store_farmer_add(s, &b), CP_OK);
  assert_int_equal(store_farmer_get(s, b.launcher_id, &got), CP_OK);
  assert_int_equal(got.singleton_tip_len, 0);
  assert_null(got.singleton_tip);
  assert_int_equal(got.is_pool_member, 0);
  store_farmer_release(&got);

  fx_hash(unknown, 'X', 1);
  assert_int_equal(store_farmer_get(s, unknown, &got), CP_NOT_FOUND);
  assert_int_equal(store_farmer_get_by_p2(s, unknown, &got), CP_NOT_FOUND);

  /* Bounded payout instructions. */
  fx_farmer(&b, 3);
  memset(b.payout_instructions, 'x', sizeof b.payout_instructions);
  assert_int_equal(store_farmer_add(s, &b), CP_TOO_BIG);
  b.payout_instructions[STORE_PAYOUT_INSTRUCTIONS_MAX] = '\0';
  assert_int_equal(store_farmer_add(s, &b), CP_OK);
  assert_int_equal(store_farmer_get(s, b.launcher_id, &got), CP_OK);
  assert_int_equal(strlen(got.payout_instructions), 128);
  store_farmer_release(&got);

  /* Updates. */
  assert_int_equal(store_farmer_set_difficulty(s, a.launcher_id, 77, 1700001000),
                   CP_OK);
  assert_int_equal(store_farmer_set_difficulty(s, unknown, 77, 1), CP_NOT_FOUND);
  assert_int_equal(store_farmer_set_auth(s, a.launcher_id, "xch1new", NULL),
                   CP_OK);
  memset(pk, 0x99, sizeof pk);
  assert_int_equal(store_farmer_set_auth(s, a.launcher_id, NULL, pk), CP_OK);
  assert_int_equal(store_farmer_set_auth(s, a.launcher_id, NULL, NULL), CP_INVAL);
  assert_int_equal(store_farmer_set_auth(s, unknown, "x", NULL), CP_NOT_FOUND);
  assert_int_equal(store_farmer_set_singleton(s, a.launcher_id, tip2, 3, NULL,
                                              0, 0),
                   CP_OK);
  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.difficulty == 77);
  assert_true(got.last_difficulty_change_at == 1700001000);
  assert_string_equal(got.payout_instructions, "xch1new");
  assert_memory_equal(got.authentication_public_key, pk, 48);
  assert_int_equal(got.singleton_tip_len, 3);
  assert_memory_equal(got.singleton_tip, tip2, 3);
  assert_int_equal(got.singleton_tip_state_len, 0);
  assert_int_equal(got.is_pool_member, 0);
  assert_true(got.joined_at == a.joined_at);
  store_farmer_release(&got);

  /* Members: farmer 3 only now (1 left, 2 never joined). */
  assert_int_equal(store_farmer_list_members(s, &l), CP_OK);
  assert_int_equal(l.n, 1);
  assert_memory_equal(l.items[0].launcher_id, b.launcher_id, 32);
  store_farmer_list_release(&l);
  assert_int_equal(store_farmer_set_singleton(s, a.launcher_id, tip2, 3,
                                              fx_state, sizeof fx_state, 1),
                   CP_OK);
  assert_int_equal(store_farmer_list_members(s, &l), CP_OK);
  assert_int_equal(l.n, 2);
  assert_memory_equal(l.items[0].launcher_id, a.launcher_id, 32);
  assert_memory_equal(l.items[1].launcher_id, b.launcher_id, 32);
  store_farmer_list_release(&l);

  store_close(s);
  fx_cleanup(&f);
}

static void case_uint64_round_trip(void **state)
{
  struct fx f;
  struct store *s;
  struct store_farmer a, got;
  struct store_reward r, rg;
  struct store_payout_line line;
  struct store_payout_farmer pf;
  struct store_payout_plan plan;
  struct store_payout_batch batch;
  struct store_payout_line_list lines;
  struct store_partial p;
  uint64_t bal = 0;
  int64_t id = 0;
  (void)state;
  fx_init(&f);
  s = fx_open(&f);

  fx_farmer(&a, 1);
  a.points = UINT64_MAX;
  a.difficulty = UINT64_MAX;
  a.delay_time = UINT64_MAX - 1;
  assert_int_equal(store_farmer_add(s, &a), CP_OK);
  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.points == UINT64_MAX);
  assert_true(got.difficulty == UINT64_MAX);
  assert_true(got.delay_time == UINT64_MAX - 1);
  store_farmer_release(&got);

  /* Ordered columns refuse what would sort wrong. */
  fx_farmer(&a, 2);
  a.joined_at = (uint64_t)INT64_MAX + 1;
  assert_int_equal(store_farmer_add(s, &a), CP_INVAL);
  a.joined_at = (uint64_t)INT64_MAX;
  assert_int_equal(store_farmer_add(s, &a), CP_OK);
  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.joined_at == (uint64_t)INT64_MAX);
  store_farmer_release(&got);

  /* Points saturate instead of wrapping. */
  fx_farmer(&a, 1);
  memset(&p, 0, sizeof p);
  memcpy(p.launcher_id, a.launcher_id, 32);
  p.timestamp = 5;
  p.difficulty = 3;
  fx_hash(p.proof_hash, 'Q', 1);
  assert_int_equal(store_partial_add(s, &p), CP_OK);
  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.points == UINT64_MAX);
  store_farmer_release(&got);

  memset(&r, 0, sizeof r);
  fx_hash(r.coin_id, 'C', 1);
  memcpy(r.launcher_id, a.launcher_id, 32);
  r.height = (uint64_t)INT64_MAX;
  r.amount = UINT64_MAX;
  assert_int_equal(store_reward_upsert(s, &r), CP_OK);
  assert_int_equal(store_reward_get(s, r.coin_id, &rg), CP_OK);
  assert_true(rg.amount == UINT64_MAX);
  assert_true(rg.height == (uint64_t)INT64_MAX);

  memset(&line, 0, sizeof line);
  fx_hash(line.puzzle_hash, 'T', 1);
  line.amount = UINT64_MAX;
  line.has_launcher = 1;
  memcpy(line.launcher_id, a.launcher_id, 32);
  memcpy(pf.launcher_id, a.launcher_id, 32);
  pf.points_used = UINT64_MAX;
  pf.balance = UINT64_MAX;
  plan = (struct store_payout_plan){
    .idempotency_key = "max", .created_at = 10, .window_end = 9,
    .points_mode = STORE_POINTS_SUBTRACT, .lines = &line, .n_lines = 1,
    .farmers = &pf, .n_farmers = 1 };
  assert_int_equal(store_payout_plan(s, &plan, &id), CP_OK);
  assert_int_equal(store_payout_get(s, id, &batch, &lines), CP_OK);
  assert_true(batch.total_amount == UINT64_MAX);
  assert_int_equal(lines.n, 1);
  assert_true(lines.items[0].amount == UINT64_MAX);
  store_payout_line_list_release(&lines);
  assert_int_equal(store_balance_get(s, a.launcher_id, &bal), CP_OK);
  assert_true(bal == UINT64_MAX);
  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.points == 0);
  store_farmer_release(&got);

  /* Two max lines overflow the batch total. */
  struct store_payout_line two[2] = { line, line };
  plan.idempotency_key = "overflow";
  plan.lines = two;
  plan.n_lines = 2;
  plan.n_farmers = 0;
  assert_int_equal(store_payout_plan(s, &plan, &id), CP_INVAL);
  assert_int_equal(id, 0);

  store_close(s);
  fx_cleanup(&f);
}

static void case_partials(void **state)
{
  struct fx f;
  struct store *s;
  struct store_farmer a, got;
  struct store_partial p;
  struct store_partial_point pts[8];
  size_t n = 99;
  uint64_t count = 99;
  int where = -1;
  (void)state;
  fx_init(&f);
  s = fx_open(&f);
  fx_farmer(&a, 1);
  assert_int_equal(store_farmer_add(s, &a), CP_OK);

  memset(&p, 0, sizeof p);
  memcpy(p.launcher_id, a.launcher_id, 32);
  fx_hash(p.harvester_id, 'H', 1);
  for (uint32_t i = 0; i < 5; i++) {
    p.timestamp = 1000 + 10 * i;
    p.difficulty = 10 + i;
    fx_hash(p.proof_hash, 'Q', i);
    fx_hash(p.sp_hash, 'S', i);
    assert_int_equal(store_partial_add(s, &p), CP_OK);
  }
  /* The same proof counts once. */
  fx_hash(p.proof_hash, 'Q', 2);
  p.timestamp = 2000;
  assert_int_equal(store_partial_add(s, &p), CP_DUPLICATE);
  assert_int_equal(store_proof_seen(s, p.proof_hash, &where), CP_OK);
  assert_int_equal(where, 1);
  fx_hash(p.proof_hash, 'Q', 77);
  assert_int_equal(store_proof_seen(s, p.proof_hash, &where), CP_OK);
  assert_int_equal(where, 0);
  /* Unknown farmer. */
  fx_hash(p.launcher_id, 'X', 1);
  assert_int_equal(store_partial_add(s, &p), CP_NOT_FOUND);

  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.points == 10 + 11 + 12 + 13 + 14);
  store_farmer_release(&got);

  assert_int_equal(store_partial_recent(s, a.launcher_id, 3, pts, &n), CP_OK);
  assert_int_equal(n, 3);
  assert_true(pts[0].timestamp == 1040 && pts[0].difficulty == 14);
  assert_true(pts[1].timestamp == 1030 && pts[1].difficulty == 13);
  assert_true(pts[2].timestamp == 1020 && pts[2].difficulty == 12);
  assert_int_equal(store_partial_recent(s, a.launcher_id, 8, pts, &n), CP_OK);
  assert_int_equal(n, 5);
  assert_true(pts[4].timestamp == 1000 && pts[4].difficulty == 10);
  assert_int_equal(store_partial_recent(s, p.launcher_id, 8, pts, &n), CP_OK);
  assert_int_equal(n, 0);

  assert_int_equal(store_partial_count_since(s, a.launcher_id, 1020, &count),
                   CP_OK);
  assert_true(count == 3);
  assert_int_equal(store_partial_count_since(s, a.launcher_id, 0, &count),
                   CP_OK);
  assert_true(count == 5);
  assert_int_equal(store_partial_count_since(s, a.launcher_id, 5000, &count),
                   CP_OK);
  assert_true(count == 0);
  store_close(s);
  fx_cleanup(&f);
}

static void case_pending(void **state)
{
  struct fx f;
  struct store *s;
  struct store_farmer a, got;
  struct store_pending p[4];
  struct store_pending_list l;
  int64_t id = 0;
  int credited = -1, where = -1;
  (void)state;
  fx_init(&f);
  s = fx_open(&f);
  fx_farmer(&a, 1);
  assert_int_equal(store_farmer_add(s, &a), CP_OK);

  for (uint32_t i = 0; i < 3; i++) {
    fx_pending(&p[i], 1, i, 5 + i, 100 * (i + 1));
    assert_int_equal(store_pending_enqueue(s, &p[i], &id), CP_OK);
    assert_true(id > 0);
  }
  assert_int_equal(store_pending_enqueue(s, &p[0], &id), CP_DUPLICATE);
  assert_int_equal(id, 0);
  fx_pending(&p[3], 9, 3, 1, 1); /* farmer 9 does not exist */
  assert_int_equal(store_pending_enqueue(s, &p[3], NULL), CP_NOT_FOUND);
  assert_int_equal(store_proof_seen(s, p[1].proof_hash, &where), CP_OK);
  assert_int_equal(where, 2);

  assert_int_equal(store_pending_claim(s, 250, 10, &l), CP_OK);
  assert_int_equal(l.n, 2);
  assert_memory_equal(l.items[0].proof_hash, p[0].proof_hash, 32);
  assert_memory_equal(l.items[1].proof_hash, p[1].proof_hash, 32);
  assert_true(l.items[0].difficulty == 5);
  assert_true(l.items[1].due_at == 200);
  assert_true(l.items[1].received_at == 0);
  assert_memory_equal(l.items[0].sp_hash, p[0].sp_hash, 32);
  assert_memory_equal(l.items[0].harvester_id, p[0].harvester_id, 32);
  assert_int_equal(l.items[0].payload_len, p[0].payload_len);
  assert_memory_equal(l.items[0].payload, p[0].payload, p[0].payload_len);
  store_pending_list_release(&l);
  /* Claimed items are not handed out twice. */
  assert_int_equal(store_pending_claim(s, 250, 10, &l), CP_OK);
  assert_int_equal(l.n, 0);
  store_pending_list_release(&l);

  assert_int_equal(store_pending_complete(s, p[0].proof_hash, 400, &credited),
                   CP_OK);
  assert_int_equal(credited, 1);
  assert_int_equal(store_pending_complete(s, p[0].proof_hash, 401, &credited),
                   CP_OK);
  assert_int_equal(credited, 0);
  assert_int_equal(store_pending_enqueue(s, &p[0], NULL), CP_DUPLICATE);
  assert_int_equal(store_pending_drop(s, p[1].proof_hash), CP_OK);
  assert_int_equal(store_pending_drop(s, p[1].proof_hash), CP_NOT_FOUND);
  assert_int_equal(store_pending_complete(s, p[1].proof_hash, 402, &credited),
                   CP_NOT_FOUND);
  assert_int_equal(credited, 0);

  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.points == 5);
  store_farmer_release(&got);
  {
    struct store_partial_point pt;
    size_t n = 0;
    assert_int_equal(store_partial_recent(s, a.launcher_id, 1, &pt, &n), CP_OK);
    assert_int_equal(n, 1);
    assert_true(pt.timestamp == 400 && pt.difficulty == 5);
  }

  assert_int_equal(store_pending_list(s, &l), CP_OK);
  assert_int_equal(l.n, 1);
  assert_memory_equal(l.items[0].proof_hash, p[2].proof_hash, 32);
  store_pending_list_release(&l);
  {
    uint64_t n = 9;
    assert_int_equal(store_pending_count(s, &n), CP_OK);
    assert_int_equal(n, 1);
  }

  /* Claim, then "crash" (close without completing): the claim is released
   * on reopen and the item comes back. */
  assert_int_equal(store_pending_claim(s, 1000, 10, &l), CP_OK);
  assert_int_equal(l.n, 1);
  store_pending_list_release(&l);
  store_close(s);
  s = fx_open(&f);
  assert_int_equal(store_pending_claim(s, 1000, 10, &l), CP_OK);
  assert_int_equal(l.n, 1);
  assert_memory_equal(l.items[0].proof_hash, p[2].proof_hash, 32);
  assert_int_equal(store_pending_complete(s, l.items[0].proof_hash, 1001,
                                          &credited),
                   CP_OK);
  assert_int_equal(credited, 1);
  store_pending_list_release(&l);
  assert_int_equal(store_farmer_get(s, a.launcher_id, &got), CP_OK);
  assert_true(got.points == 5 + 7);
  store_farmer_release(&got);
  assert_int_equal(store_pending_claim(s, 1000, 0, &l), CP_OK);
  assert_int_equal(l.n, 0);
  store_close(s);
  fx_cleanup(&f);
}

static void case_rewards_and_chain(void **state)
{
  struct fx f;
  struct store *s;
  struct store_reward r, got;
  struct store_reward_list l;
  uint8_t hh[32], out[32];
  uint64_t h = 0, deleted = 99;
  (void)state;
  fx_init(&f);
  s = fx_open(&f);

  assert_int_equal(store_chain_get(s, &h, out), CP_NOT_FOUND);
  for (uint32_t i = 0; i < 4; i++) {
    memset(&r, 0, sizeof r);
    fx_hash(r.coin_id, 'C', i);
    fx_hash(r.launcher_id, 'L', i % 2);
    r.height = 100 + i * 10;
    r.amount = 1750000000000ULL / 8 * 7;
    r.state = STORE_REWARD_FOUND;
    assert_int_equal(store_reward_upsert(s, &r), CP_OK);
    assert_int_equal(store_reward_upsert(s, &r), CP_OK); /* idempotent */
  }
  fx_hash(r.coin_id, 'C', 1);
  r.state = STORE_REWARD_ABSORBING;
  r.has_absorb_tx = 1;
  fx_hash(r.absorb_tx_id, 'A', 1);
  r.claim_fee = UINT64_MAX - 7; /* stored with the int64 bit pattern */
  assert_int_equal(store_reward_upsert(s, &r), CP_OK);
  assert_int_equal(store_reward_get(s, r.coin_id, &got), CP_OK);
  assert_true(got.claim_fee == UINT64_MAX - 7);
  r.claim_fee = 5000; /* the fee follows the bundle in flight */
  assert_int_equal(store_reward_upsert(s, &r), CP_OK);
  assert_int_equal(store_reward_get(s, r.coin_id, &got), CP_OK);
  assert_true(got.claim_fee == 5000);
  assert_int_equal(got.state, STORE_REWARD_ABSORBING);
  assert_int_equal(got.has_absorb_tx, 1);
  assert_memory_equal(got.absorb_tx_id, r.absorb_tx_id, 32);
  assert_true(got.height == 110);
  assert_true(got.amount == 1531250000000ULL);
  r.state = (enum store_reward_state)7;
  assert_int_equal(store_reward_upsert(s, &r), CP_INVAL);

  assert_int_equal(store_reward_list(s, STORE_REWARD_FOUND, &l), CP_OK);
  assert_int_equal(l.n, 3);
  assert_true(l.items[0].height == 100);
  assert_true(l.items[1].height == 120);
  assert_true(l.items[2].height == 130);
  assert_int_equal(l.items[2].has_absorb_tx, 0);
  assert_true(l.items[2].claim_fee == 0);
  store_reward_list_release(&l);

  fx_hash(hh, 'B', 140);
  assert_int_equal(store_chain_set(s, 140, hh), CP_OK);
  assert_int_equal(store_chain_get(s, &h, out), CP_OK);
  assert_true(h == 140);
  assert_memory_equal(out, hh, 32);

  fx_hash(hh, 'B', 115);
  assert_int_equal(store_chain_rollback(s, 115, hh, &deleted), CP_OK);
  assert_true(deleted == 2); /* heights 120 and 130 */
  assert_int_equal(store_chain_get(s, &h, out), CP_OK);
  assert_true(h == 115);
  assert_memory_equal(out, hh, 32);
  fx_hash(r.coin_id, 'C', 2);
  assert_int_equal(store_reward_get(s, r.coin_id, &got), CP_NOT_FOUND);
  fx_hash(r.coin_id, 'C', 1);
  assert_int_equal(store_reward_get(s, r.coin_id, &got), CP_OK);
  assert_int_equal(store_chain_rollback(s, 115, hh, &deleted), CP_OK);
  assert_true(deleted == 0);
  store_close(s);
  fx_cleanup(&f);
}

/* Two farmers with 100 and 50 points. */
static void payout_setup(struct store *s, struct store_farmer *a,
                         struct store_farmer *b)
{
  struct store_partial p;
  fx_farmer(a, 1);
  fx_farmer(b, 2);
  assert_int_equal(store_farmer_add(s, a), CP_OK);
  assert_int_equal(store_farmer_add(s, b), CP_OK);
  memset(&p, 0, sizeof p);
  memcpy(p.launcher_id, a->launcher_id, 32);
  p.difficulty = 100;
  fx_hash(p.proof_hash, 'Q', 1);
  assert_int_equal(store_partial_add(s, &p), CP_OK);
  memcpy(p.launcher_id, b->launcher_id, 32);
  p.difficulty = 50;
  fx_hash(p.proof_hash, 'Q', 2);
  assert_int_equal(store_partial_add(s, &p), CP_OK);
}

static uint64_t points_of(struct store *s, const uint8_t *launcher_id)
{
  struct store_farmer got;
  uint64_t v;
  assert_int_equal(store_farmer_get(s, launcher_id, &got), CP_OK);
  v = got.points;
  store_farmer_release(&got);
  return v;
}

static uint64_t balance_of(struct store *s, const uint8_t *launcher_id)
{
  uint64_t v = 12345;
  assert_int_equal(store_balance_get(s, launcher_id, &v), CP_OK);
  return v;
}

static void case_payouts(void **state)
{
  struct fx f;
  struct store *s;
  struct store_farmer a, b;
  struct store_payout_line lines[3];
  struct store_payout_farmer pf[2];
  struct store_payout_plan plan;
  struct store_payout_batch batch;
  struct store_payout_line_list ll;
  uint8_t tx1[32], tx2[32];
  int64_t id = 0, id2 = 0, ids[4];
  size_t n = 0;
  uint64_t w = 99;
  (void)state;
  fx_init(&f);
  s = fx_open(&f);
  payout_setup(s, &a, &b);
  assert_int_equal(store_points_window(s, &w), CP_OK);
  assert_true(w == 0);

  memset(lines, 0, sizeof lines);
  fx_hash(lines[0].puzzle_hash, 'F', 0); /* pool fee */
  lines[0].amount = 1000;
  fx_hash(lines[1].puzzle_hash, 'T', 1);
  lines[1].amount = 60000;
  lines[1].has_launcher = 1;
  memcpy(lines[1].launcher_id, a.launcher_id, 32);
  fx_hash(lines[2].puzzle_hash, 'T', 2);
  lines[2].amount = 50000;
  lines[2].has_launcher = 1;
  memcpy(lines[2].launcher_id, b.launcher_id, 32);
  memcpy(pf[0].launcher_id, a.launcher_id, 32);
  pf[0].points_used = 60;
  pf[0].balance = 7;
  memcpy(pf[1].launcher_id, b.launcher_id, 32);
  pf[1].points_used = 50;
  pf[1].balance = 0;
  plan = (struct store_payout_plan){
    .idempotency_key = "payout-1", .created_at = 5000, .window_end = 4999,
    .points_mode = STORE_POINTS_SUBTRACT, .lines = lines, .n_lines = 3,
    .farmers = pf, .n_farmers = 2 };

  /* A farmer short of points makes the whole plan fail, nothing written. */
  pf[1].points_used = 51;
  assert_int_equal(store_payout_plan(s, &plan, &id), CP_INVAL);
  assert_true(points_of(s, a.launcher_id) == 100);
  assert_true(balance_of(s, a.launcher_id) == 0);
  pf[1].points_used = 50;
  /* A line for an unknown launcher, likewise. */
  fx_hash(lines[2].launcher_id, 'X', 9);
  assert_int_equal(store_payout_plan(s, &plan, &id), CP_NOT_FOUND);
  assert_true(points_of(s, a.launcher_id) == 100);
  memcpy(lines[2].launcher_id, b.launcher_id, 32);
  assert_int_equal(store_payout_list(s, STORE_PAYOUT_PLANNED, ids, 4, &n),
                   CP_OK);
  assert_int_equal(n, 0);

  assert_int_equal(store_payout_plan(s, &plan, &id), CP_OK);
  assert_true(id > 0);
  assert_true(points_of(s, a.launcher_id) == 40);
  assert_true(points_of(s, b.launcher_id) == 0);
  assert_true(balance_of(s, a.launcher_id) == 7);
  assert_true(balance_of(s, b.launcher_id) == 0);
  /* Same key again: nothing changes, the existing batch is reported. */
  assert_int_equal(store_payout_plan(s, &plan, &id2), CP_DUPLICATE);
  assert_int_equal(id2, id);
  assert_true(points_of(s, a.launcher_id) == 40);

  assert_int_equal(store_payout_get(s, id, &batch, &ll), CP_OK);
  assert_string_equal(batch.idempotency_key, "payout-1");
  assert_int_equal(batch.state, STORE_PAYOUT_PLANNED);
  assert_int_equal(batch.has_tx, 0);
  assert_true(batch.total_amount == 111000);
  assert_true(batch.window_end == 4999);
  assert_true(batch.created_at == 5000 && batch.updated_at == 5000);
  assert_int_equal(batch.points_mode, STORE_POINTS_SUBTRACT);
  assert_int_equal(ll.n, 3);
  assert_int_equal(ll.items[0].has_launcher, 0);
  assert_true(ll.items[0].amount == 1000);
  assert_memory_equal(ll.items[1].launcher_id, a.launcher_id, 32);
  assert_memory_equal(ll.items[2].puzzle_hash, lines[2].puzzle_hash, 32);
  store_payout_line_list_release(&ll);
  assert_int_equal(store_payout_get(s, id + 100, &batch, NULL), CP_NOT_FOUND);

  /* State machine. */
  fx_hash(tx1, 'X', 1);
  fx_hash(tx2, 'X', 2);
  assert_int_equal(store_payout_set_state(s, id, STORE_PAYOUT_CONFIRMED, NULL,
                                          5001),
                   CP_INVAL);
  assert_int_equal(store_payout_set_state(s, id, STORE_PAYOUT_SUBMITTED, NULL,
                                          5001),
                   CP_INVAL);
  assert_int_equal(store_payout_set_state(s, id, STORE_PAYOUT_SUBMITTED, tx1,
                                          5001),
                   CP_OK);
  assert_int_equal(store_payout_set_state(s, id, STORE_PAYOUT_SUBMITTED, tx1,
                                          5002),
                   CP_OK);
  assert_int_equal(store_payout_set_state(s, id, STORE_PAYOUT_SUBMITTED, tx2,
                                          5002),
                   CP_INVAL);
  assert_int_equal(store_payout_list(s, STORE_PAYOUT_SUBMITTED, ids, 4, &n),
                   CP_OK);
  assert_int_equal(n, 1);
  assert_int_equal(ids[0], id);
  assert_int_equal(store_payout_set_state(s, id, STORE_PAYOUT_CONFIRMED, NULL,
                                          5003),
                   CP_OK);
  assert_int_equal(store_payout_set_state(s, id, STORE_PAYOUT_FAILED, NULL,
                                          5004),
                   CP_INVAL);
  assert_int_equal(store_payout_set_state(s, id + 100, STORE_PAYOUT_FAILED,
                                          NULL, 5004),
                   CP_NOT_FOUND);
  assert_int_equal(store_payout_get(s, id, &batch, NULL), CP_OK);
  assert_int_equal(batch.state, STORE_PAYOUT_CONFIRMED);
  assert_int_equal(batch.has_tx, 1);
  assert_memory_equal(batch.tx_id, tx1, 32);
  assert_true(batch.updated_at == 5003);
  assert_int_equal(store_points_window(s, &w), CP_OK);
  assert_true(w == 4999);

  /* Second batch in RESET mode, then it fails: the farmer lines go back to
   * the balances; the window falls back to the confirmed batch. */
  plan.idempotency_key = "payout-2";
  plan.points_mode = STORE_POINTS_RESET;
  plan.window_end = 6000;
  plan.created_at = 6001;
  pf[0].balance = 3;
  pf[1].balance = 4;
  assert_int_equal(store_payout_plan(s, &plan, &id2), CP_OK);
  assert_true(id2 != id);
  assert_true(points_of(s, a.launcher_id) == 0);
  assert_int_equal(store_points_window(s, &w), CP_OK);
  assert_true(w == 6000);
  assert_int_equal(store_payout_set_state(s, id2, STORE_PAYOUT_SUBMITTED, tx2,
                                          6002),
                   CP_OK);
  assert_int_equal(store_payout_set_state(s, id2, STORE_PAYOUT_FAILED, NULL,
                                          6003),
                   CP_OK);
  assert_true(balance_of(s, a.launcher_id) == 3 + 60000);
  assert_true(balance_of(s, b.launcher_id) == 4 + 50000);
  /* Failing again is a no-op: no second refund. */
  assert_int_equal(store_payout_set_state(s, id2, STORE_PAYOUT_FAILED, NULL,
                                          6004),
                   CP_OK);
  assert_true(balance_of(s, a.launcher_id) == 3 + 60000);
  assert_int_equal(store_points_window(s, &w), CP_OK);
  assert_true(w == 4999);
  assert_int_equal(store_payout_get(s, id2, &batch, NULL), CP_OK);
  assert_memory_equal(batch.tx_id, tx2, 32);

  plan.idempotency_key = "";
  assert_int_equal(store_payout_plan(s, &plan, &id2), CP_INVAL);
  store_close(s);
  fx_cleanup(&f);
}


struct async_ctx {
  int done;
  int ok;
};

static void async_done(struct store_job *job, void *ctx)
{
  struct async_ctx *c = ctx;
  c->done++;
  if (job->rc == CP_OK)
    c->ok++;
}

static void case_async_submit(void **state)
{
  struct fx f;
  struct store *s;
  struct store_farmer a;
  struct store_partial parts[50];
  struct store_job jobs[50];
  struct async_ctx ctx = { 0, 0 };
  struct store_job bad = { .kind = STORE_JOB__COUNT };
  (void)state;
  fx_init(&f);
  s = fx_open(&f);
  fx_farmer(&a, 1);
  assert_int_equal(store_farmer_add(s, &a), CP_OK);
  for (uint32_t i = 0; i < 50; i++) {
    memset(&parts[i], 0, sizeof parts[i]);
    memcpy(parts[i].launcher_id, a.launcher_id, 32);
    parts[i].timestamp = i;
    parts[i].difficulty = 2;
    fx_hash(parts[i].proof_hash, 'Q', i % 40); /* 10 duplicates */
    memset(&jobs[i], 0, sizeof jobs[i]);
    jobs[i].kind = STORE_JOB_PARTIAL_ADD;
    jobs[i].in.partial = &parts[i];
    assert_int_equal(store_submit(s, &jobs[i], async_done, &ctx), CP_OK);
  }
  assert_int_equal(store_submit(s, &bad, async_done, &ctx), CP_INVAL);
  /* close drains the queue before stopping the writer */
  store_close(s);
  assert_int_equal(ctx.done, 50);
  assert_int_equal(ctx.ok, 40);
  for (int i = 40; i < 50; i++)
    assert_int_equal(jobs[i].rc, CP_DUPLICATE);
  s = fx_open(&f);
  assert_true(points_of(s, a.launcher_id) == 80);
  store_close(s);
  fx_cleanup(&f);
}

/* Jobs queued together share one transaction, but each is reported only
 * after the commit: a done callback already sees its job from a reader. A
 * failing job in the middle undoes only itself. */
#define BATCH_JOBS 60

struct batch_ctx {
  struct store *s;
  int done, visible, sync_refused;
  pthread_mutex_t mu;
  pthread_cond_t cv;
};

static void batch_done(struct store_job *job, void *ctx)
{
  struct batch_ctx *c = ctx;
  int where = -1;
  cp_err rc = store_proof_seen(c->s, job->in.partial->proof_hash, &where);
  /* A synchronous write from the writer would wait on itself. */
  cp_err sync = store_chain_set(c->s, 1, job->in.partial->proof_hash);
  pthread_mutex_lock(&c->mu);
  if (!rc && ((job->rc == CP_OK && where == 1) ||
              (job->rc == CP_NOT_FOUND && where == 0)))
    c->visible++;
  if (sync == CP_INTERNAL)
    c->sync_refused++;
  if (++c->done == BATCH_JOBS)
    pthread_cond_signal(&c->cv);
  pthread_mutex_unlock(&c->mu);
}

static void case_done_after_commit(void **state)
{
  struct fx f;
  struct batch_ctx c;
  struct store_farmer a;
  struct store_partial *parts;
  struct store_job *jobs;
  uint64_t count = 0, h = 99;
  uint8_t hh[32];
  (void)state;
  fx_init(&f);
  parts = test_calloc(BATCH_JOBS, sizeof *parts);
  jobs = test_calloc(BATCH_JOBS, sizeof *jobs);
  memset(&c, 0, sizeof c);
  pthread_mutex_init(&c.mu, NULL);
  pthread_cond_init(&c.cv, NULL);
  c.s = fx_open(&f);
  fx_farmer(&a, 1);
  assert_int_equal(store_farmer_add(c.s, &a), CP_OK);
  for (uint32_t i = 0; i < BATCH_JOBS; i++) {
    memcpy(parts[i].launcher_id, a.launcher_id, 32);
    if (i % 10 == 5)
      fx_hash(parts[i].launcher_id, 'X', i); /* unknown farmer: fails */
    parts[i].timestamp = i;
    parts[i].difficulty = 1;
    fx_hash(parts[i].proof_hash, 'Q', i);
    jobs[i].kind = STORE_JOB_PARTIAL_ADD;
    jobs[i].in.partial = &parts[i];
    assert_int_equal(store_submit(c.s, &jobs[i], batch_done, &c), CP_OK);
  }
  pthread_mutex_lock(&c.mu);
  while (c.done < BATCH_JOBS)
    pthread_cond_wait(&c.cv, &c.mu);
  pthread_mutex_unlock(&c.mu);
  assert_int_equal(c.visible, BATCH_JOBS);
  assert_int_equal(c.sync_refused, BATCH_JOBS);
  for (uint32_t i = 0; i < BATCH_JOBS; i++)
    assert_int_equal(jobs[i].rc, i % 10 == 5 ? CP_NOT_FOUND : CP_OK);
  assert_true(points_of(c.s, a.launcher_id) == BATCH_JOBS - BATCH_JOBS / 10);
  assert_int_equal(store_partial_count_since(c.s, a.launcher_id, 0, &count),
                   CP_OK);
  assert_true(count == BATCH_JOBS - BATCH_JOBS / 10);
  assert_int_equal(store_chain_get(c.s, &h, hh), CP_NOT_FOUND);
  store_close(c.s);
  pthread_cond_destroy(&c.cv);
  pthread_mutex_destroy(&c.mu);
  test_free(parts);
  test_free(jobs);
  fx_cleanup(&f);
}

/* ---- readers while the writer writes ---- */

#define CONC_JOBS 400
#define CONC_DIFF 3

struct conc {
  struct store *s;
  uint8_t launcher_id[32];
  atomic_int stop;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done;
  int failures;
  long reads;
};

static void *reader_main(void *arg)
{
  struct conc *c = arg;
  uint64_t last_count = 0;
  while (!c->stop) {
    struct store_farmer fa;
    struct store_partial_point pts[16];
    uint64_t count = 0;
    size_t n = 0;
    cp_err rc = store_farmer_get(c->s, c->launcher_id, &fa);
    if (!rc)
      rc = store_partial_count_since(c->s, c->launcher_id, 0, &count);
    if (!rc)
      rc = store_partial_recent(c->s, c->launcher_id, 16, pts, &n);
    pthread_mutex_lock(&c->mu);
    /* Points and partials commit together, and each read starts after the
     * one before, so a later read is never behind an earlier one. */
    if (rc || fa.points % CONC_DIFF || count * CONC_DIFF < fa.points ||
        count < last_count || n < (count < 16 ? count : 16) ||
        (n && pts[0].difficulty != CONC_DIFF))
      c->failures++;
    c->reads++;
    pthread_mutex_unlock(&c->mu);
    last_count = count;
    if (!rc)
      store_farmer_release(&fa);
  }
  return NULL;
}

static void conc_done(struct store_job *job, void *ctx)
{
  struct conc *c = ctx;
  pthread_mutex_lock(&c->mu);
  if (job->rc)
    c->failures++;
  if (++c->done == CONC_JOBS)
    pthread_cond_signal(&c->cv);
  pthread_mutex_unlock(&c->mu);
}

static void case_concurrent_readers(void **state)
{
  struct fx f;
  struct conc c;
  struct store_farmer fa;
  struct store_partial *parts;
  struct store_job *jobs;
  pthread_t th[3];
  uint64_t count = 0;
  (void)state;
  fx_init(&f); /* may skip: allocate after it */
  parts = test_calloc(CONC_JOBS, sizeof *parts);
  jobs = test_calloc(CONC_JOBS, sizeof *jobs);
  memset(&c, 0, sizeof c);
  pthread_mutex_init(&c.mu, NULL);
  pthread_cond_init(&c.cv, NULL);
  c.s = fx_open(&f);
  fx_farmer(&fa, 1);
  memcpy(c.launcher_id, fa.launcher_id, 32);
  assert_int_equal(store_farmer_add(c.s, &fa), CP_OK);
  for (int i = 0; i < 3; i++)
    assert_int_equal(pthread_create(&th[i], NULL, reader_main, &c), 0);

  for (uint32_t i = 0; i < CONC_JOBS; i++) {
    memcpy(parts[i].launcher_id, fa.launcher_id, 32);
    parts[i].timestamp = 1000 + i;
    parts[i].difficulty = CONC_DIFF;
    fx_hash(parts[i].proof_hash, 'Q', i);
    jobs[i].kind = STORE_JOB_PARTIAL_ADD;
    jobs[i].in.partial = &parts[i];
    assert_int_equal(store_submit(c.s, &jobs[i], conc_done, &c), CP_OK);
  }
  pthread_mutex_lock(&c.mu);
  while (c.done < CONC_JOBS)
    pthread_cond_wait(&c.cv, &c.mu);
  pthread_mutex_unlock(&c.mu);
  c.stop = 1;
  for (int i = 0; i < 3; i++)
    pthread_join(th[i], NULL);

  print_message("reads during %d writes: %ld\n", CONC_JOBS, c.reads);
  assert_int_equal(c.failures, 0);
  assert_true(c.reads > 0);
  assert_int_equal(store_farmer_get(c.s, c.launcher_id, &fa), CP_OK);
  assert_true(fa.points == CONC_JOBS * CONC_DIFF);
  store_farmer_release(&fa);
  assert_int_equal(store_partial_count_since(c.s, c.launcher_id, 0, &count),
                   CP_OK);
  assert_true(count == CONC_JOBS);
  store_close(c.s);
  pthread_cond_destroy(&c.cv);
  pthread_mutex_destroy(&c.mu);
  test_free(parts);
  test_free(jobs);
  fx_cleanup(&f);
}

#define STORE_CASES                                                           \
  cmocka_unit_test(case_migrations_idempotent),                               \
  cmocka_unit_test(case_newer_schema_refused),                                \
  cmocka_unit_test(case_farmer_crud),                                         \
  cmocka_unit_test(case_uint64_round_trip),                                   \
  cmocka_unit_test(case_partials),                                            \
  cmocka_unit_test(case_pending),                                             \
  cmocka_unit_test(case_rewards_and_chain),                                   \
  cmocka_unit_test(case_payouts),                                             \
  cmocka_unit_test(case_async_submit),                                        \
  cmocka_unit_test(case_done_after_commit),                                   \
  cmocka_unit_test(case_concurrent_readers)

#endif
