/* A fake chain for the farmer and singleton tests: coin records and coin
 * spends held in memory behind struct chain_ops, and builders that launch a
 * plot NFT and spend it (absorb, travel) with the real puzzles from the
 * plotnft layer, so walks parse exactly what a node would return.
 * Header-only so each test stays one executable. */
#ifndef CP_TEST_PLOTNFT_CHAIN_H
#define CP_TEST_PLOTNFT_CHAIN_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "chia/types.h"
#include "crypto/bls.h"
#include "crypto/keys.h"
#include "plotnft/puzzles.h"
#include "plotnft/state.h"
#include "pool/chain.h"

#define FC_MAX_COINS 256

struct fc_coin {
  uint8_t id[32];
  struct node_coin_record rec;
  uint8_t *puz, *sol;
  size_t puz_len, sol_len;
};

struct fake_chain {
  struct fc_coin coins[FC_MAX_COINS];
  size_t n;
  uint32_t peak;
  cp_err fail;                /* every call answers this when set */
  unsigned calls;
  uint8_t last_lookup[32];    /* id of the last coin_record call */
  const uint8_t *genesis;
  /* the plot NFT being built */
  struct plotnft_id id;
  uint8_t launcher_parent[32];
  struct chia_coin tip;
  enum plotnft_inner_kind kind;
  struct plotnft_inner_args args; /* of the tip's inner puzzle */
  uint8_t tip_inner_hash[32];
  struct plotnft_lineage lin;
};

static struct fc_coin *fc_find(struct fake_chain *fc, const uint8_t id[32])
{
  for (size_t i = 0; i < fc->n; i++)
    if (!memcmp(fc->coins[i].id, id, 32))
      return &fc->coins[i];
  return NULL;
}

/* The chain port must be callable from several threads (chain.h). */
static pthread_mutex_t fc_mu = PTHREAD_MUTEX_INITIALIZER;

static cp_err fc_state(void *ctx, struct node_blockchain_state *out)
{
  struct fake_chain *fc = ctx;
  cp_err rc = CP_OK;
  pthread_mutex_lock(&fc_mu);
  fc->calls++;
  if (fc->fail) {
    rc = fc->fail;
  } else {
    memset(out, 0, sizeof *out);
    out->has_peak = true;
    out->peak.height = fc->peak;
    out->synced = true;
  }
  pthread_mutex_unlock(&fc_mu);
  return rc;
}

static cp_err fc_coin_record(void *ctx, const uint8_t id[32], struct node_coin_record *out)
{
  struct fake_chain *fc = ctx;
  struct fc_coin *c;
  cp_err rc = CP_OK;
  pthread_mutex_lock(&fc_mu);
  fc->calls++;
  if (fc->fail) {
    rc = fc->fail;
  } else {
    memcpy(fc->last_lookup, id, 32);
    if (!(c = fc_find(fc, id)))
      rc = CP_NOT_FOUND;
    else
      *out = c->rec;
  }
  pthread_mutex_unlock(&fc_mu);
  return rc;
}

static cp_err fc_pas(void *ctx, const uint8_t id[32], uint32_t height,
                     struct node_coin_spend *out)
{
  struct fake_chain *fc = ctx;
  struct fc_coin *c;
  pthread_mutex_lock(&fc_mu);
  fc->calls++;
  if (fc->fail) {
    cp_err rc = fc->fail;
    pthread_mutex_unlock(&fc_mu);
    return rc;
  }
  c = fc_find(fc, id);
  pthread_mutex_unlock(&fc_mu);
  /* spends are never changed once made, so the copy needs no lock */
  if (!c || !c->rec.spent || c->rec.spent_block_index != height)
    return CP_NOT_FOUND;
  memset(out, 0, sizeof *out);
  out->coin = c->rec.coin;
  out->puzzle_reveal = malloc(c->puz_len);
  out->solution = malloc(c->sol_len);
  memcpy(out->puzzle_reveal, c->puz, c->puz_len);
  memcpy(out->solution, c->sol, c->sol_len);
  out->puzzle_reveal_len = c->puz_len;
  out->solution_len = c->sol_len;
  return CP_OK;
}

static const struct chain_ops fc_ops = {
  .state = fc_state,
  .coin_record = fc_coin_record,
  .puzzle_and_solution = fc_pas,
};

static void fc_init(struct fake_chain *fc, struct chain *ch, const uint8_t *genesis)
{
  memset(fc, 0, sizeof *fc);
  fc->genesis = genesis;
  ch->ops = &fc_ops;
  ch->ctx = fc;
}

static void fc_free(struct fake_chain *fc)
{
  for (size_t i = 0; i < fc->n; i++) {
    free(fc->coins[i].puz);
    free(fc->coins[i].sol);
  }
  fc->n = 0;
}

static struct fc_coin *fc_add(struct fake_chain *fc, const struct chia_coin *c,
                              uint32_t confirmed)
{
  struct fc_coin *e;
  assert_true(fc->n < FC_MAX_COINS);
  e = &fc->coins[fc->n++];
  memset(e, 0, sizeof *e);
  coin_id(c, e->id);
  memcpy(e->rec.coin.parent_coin_info, c->parent_coin_info, 32);
  memcpy(e->rec.coin.puzzle_hash, c->puzzle_hash, 32);
  e->rec.coin.amount = c->amount;
  e->rec.confirmed_block_index = confirmed;
  return e;
}

static void fc_spend_coin(struct fc_coin *e, uint32_t height, struct buf *puz,
                          struct buf *sol)
{
  e->rec.spent = true;
  e->rec.spent_block_index = height;
  e->puz = buf_detach(puz, &e->puz_len);
  e->sol = buf_detach(sol, &e->sol_len);
}

/* --- CLVM serialisation for solutions --- */
static void fc_cons(struct buf *b) { assert_int_equal(buf_append_u8(b, 0xff), CP_OK); }
static void fc_nil(struct buf *b) { assert_int_equal(buf_append_u8(b, 0x80), CP_OK); }
static void fc_atom(struct buf *b, const void *p, size_t n)
{
  assert_int_equal(plotnft__put_atom(b, p, n), CP_OK);
}
static void fc_int(struct buf *b, uint64_t v)
{
  assert_int_equal(plotnft__put_u64(b, v), CP_OK);
}

/* ("p" . serialized PoolState) */
static void fc_state_pair(struct buf *b, const struct chia_pool_state *ps)
{
  struct buf s;
  buf_init(&s, 4096);
  assert_int_equal(chia_pool_state_write(ps, &s), CP_OK);
  fc_cons(b);
  fc_atom(b, "p", 1);
  fc_atom(b, s.data, s.len);
  buf_release(&s);
}

static void fc_set_tip_puzzle(struct fake_chain *fc, const struct chia_pool_state *ps)
{
  fc->kind = plotnft_state_kind(ps);
  plotnft_state_args(&fc->id, fc->genesis, ps, &fc->args);
  plotnft_inner_hash(fc->kind, &fc->args, fc->tip_inner_hash);
}

/* Launch a plot NFT in state ps: the launcher coin (created at height - 1,
 * spent at height) and the eve coin (created at height, unspent). */
static void fc_launch(struct fake_chain *fc, uint8_t seed, const struct chia_pool_state *ps,
                      uint64_t delay_time, const uint8_t delay_ph[32], uint32_t height)
{
  const struct plotnft_puzzle *lp = plotnft_puzzle(PLOTNFT_PUZ_LAUNCHER);
  struct chia_coin launcher;
  struct fc_coin *e;
  struct buf puz, sol;
  uint8_t full[32];

  memset(fc->launcher_parent, seed, 32);
  memcpy(launcher.parent_coin_info, fc->launcher_parent, 32);
  memcpy(launcher.puzzle_hash, lp->hash, 32);
  launcher.amount = 1;
  coin_id(&launcher, fc->id.launcher_id);
  fc->id.delay_time = delay_time;
  memcpy(fc->id.delay_ph, delay_ph, 32);
  fc_set_tip_puzzle(fc, ps);
  plotnft_full_hash(fc->id.launcher_id, fc->tip_inner_hash, full);

  buf_init(&puz, 1 << 16);
  buf_init(&sol, 1 << 16);
  assert_int_equal(buf_append(&puz, lp->bytes, lp->len), CP_OK);
  /* (full_ph 1 (("p" . state) ("t" . delay) ("h" . delay_ph))) */
  fc_cons(&sol); fc_atom(&sol, full, 32);
  fc_cons(&sol); fc_int(&sol, 1);
  fc_cons(&sol);
  fc_cons(&sol); fc_state_pair(&sol, ps);
  fc_cons(&sol); fc_cons(&sol); fc_atom(&sol, "t", 1); fc_int(&sol, delay_time);
  fc_cons(&sol); fc_cons(&sol); fc_atom(&sol, "h", 1); fc_atom(&sol, delay_ph, 32);
  fc_nil(&sol);
  fc_nil(&sol);
  e = fc_add(fc, &launcher, height ? height - 1 : 0);
  fc_spend_coin(e, height, &puz, &sol);

  memcpy(fc->tip.parent_coin_info, fc->id.launcher_id, 32);
  memcpy(fc->tip.puzzle_hash, full, 32);
  fc->tip.amount = 1;
  fc_add(fc, &fc->tip, height);
  memset(&fc->lin, 0, sizeof fc->lin);
  fc->lin.eve = true;
  memcpy(fc->lin.parent_parent, fc->launcher_parent, 32);
  fc->lin.parent_amount = 1;
}

/* Spend the tip at `height`. new_state NULL: absorb a reward (the same
 * singleton is recreated). Otherwise travel: from the member puzzle to its
 * waiting room (new_state should be LEAVING_POOL with the same target and
 * lock), from the waiting room to the puzzle new_state selects. */
static void fc_step(struct fake_chain *fc, const struct chia_pool_state *new_state,
                    uint32_t height)
{
  struct buf inner, puz, sol;
  struct fc_coin *e;
  uint8_t tid[32], next_inner[32];
  struct chia_coin next;

  buf_init(&inner, 1 << 16);
  buf_init(&puz, 1 << 16);
  buf_init(&sol, 1 << 16);
  assert_int_equal(plotnft_inner_puzzle(fc->kind, &fc->args, &inner), CP_OK);
  assert_int_equal(plotnft_full_puzzle(fc->id.launcher_id, inner.data, inner.len, &puz),
                   CP_OK);
  /* (lineage_proof my_amount inner_solution) */
  fc_cons(&sol);
  fc_cons(&sol); fc_atom(&sol, fc->lin.parent_parent, 32);
  if (!fc->lin.eve) {
    fc_cons(&sol); fc_atom(&sol, fc->lin.parent_inner_hash, 32);
  }
  fc_cons(&sol); fc_int(&sol, fc->lin.parent_amount); fc_nil(&sol);
  fc_cons(&sol); fc_int(&sol, fc->tip.amount);
  fc_cons(&sol);
  memcpy(next_inner, fc->tip_inner_hash, 32);
  if (!new_state && fc->kind == PLOTNFT_INNER_MEMBER) {
    /* (amount height) */
    fc_cons(&sol); fc_int(&sol, 1750000000000ull);
    fc_cons(&sol); fc_int(&sol, height); fc_nil(&sol);
  } else if (!new_state) {
    /* (0 amount height) */
    fc_cons(&sol); fc_int(&sol, 0);
    fc_cons(&sol); fc_int(&sol, 1750000000000ull);
    fc_cons(&sol); fc_int(&sol, height); fc_nil(&sol);
  } else if (fc->kind == PLOTNFT_INNER_MEMBER) {
    /* ((("p" . state)) 0): escape to the curried waiting room */
    fc_cons(&sol); fc_cons(&sol); fc_state_pair(&sol, new_state); fc_nil(&sol);
    fc_cons(&sol); fc_int(&sol, 0); fc_nil(&sol);
    plotnft_waitingroom_hash(&fc->args, next_inner);
  } else {
    /* (1 (("p" . state)) destination) */
    struct plotnft_inner_args a;
    plotnft_state_args(&fc->id, fc->genesis, new_state, &a);
    plotnft_inner_hash(plotnft_state_kind(new_state), &a, next_inner);
    fc_cons(&sol); fc_int(&sol, 1);
    fc_cons(&sol); fc_cons(&sol); fc_state_pair(&sol, new_state); fc_nil(&sol);
    fc_cons(&sol); fc_atom(&sol, next_inner, 32); fc_nil(&sol);
  }
  fc_nil(&sol);

  coin_id(&fc->tip, tid);
  e = fc_find(fc, tid);
  assert_non_null(e);
  fc_spend_coin(e, height, &puz, &sol);
  buf_release(&inner);

  memcpy(next.parent_coin_info, tid, 32);
  plotnft_full_hash(fc->id.launcher_id, next_inner, next.puzzle_hash);
  next.amount = fc->tip.amount;
  fc->lin.eve = false;
  memcpy(fc->lin.parent_parent, fc->tip.parent_coin_info, 32);
  memcpy(fc->lin.parent_inner_hash, fc->tip_inner_hash, 32);
  fc->lin.parent_amount = fc->tip.amount;
  fc->tip = next;
  fc_add(fc, &next, height);
  if (new_state && fc->kind != PLOTNFT_INNER_MEMBER)
    fc_set_tip_puzzle(fc, new_state);
  else if (new_state)
    fc->kind = PLOTNFT_INNER_WAITINGROOM; /* same args, waiting room */
  memcpy(fc->tip_inner_hash, next_inner, 32);
}

/* Deterministic BLS key from one byte. */
static void fc_key(uint8_t seed, struct bls_sk *sk, struct bls_pk *pk)
{
  uint8_t s[32];
  memset(s, seed, sizeof s);
  assert_int_equal(keys_gen(sk, s, sizeof s), CP_OK);
  bls_sk_to_pk(sk, pk);
}

static void fc_pool_state(struct chia_pool_state *ps, uint8_t state, const uint8_t target[32],
                          const struct bls_pk *owner, uint32_t lock)
{
  memset(ps, 0, sizeof *ps);
  ps->version = 1;
  ps->state = state;
  memcpy(ps->target_puzzle_hash, target, 32);
  memcpy(ps->owner_pubkey, owner->bytes, 48);
  ps->relative_lock_height = lock;
  if (state == PLOTNFT_FARMING_TO_POOL) {
    ps->has_pool_url = true;
    memcpy(ps->pool_url, "https://pool.example", 21);
  }
}

#endif
