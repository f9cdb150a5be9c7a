#include "plotnft/state.h"

#include <string.h>

#include "chia/coin.h"
#include "chia/program.h"
#include "clvm/clvm.h"

/* A spend's puzzle and solution are at most a block generator's size; the
 * arena cap keeps a hostile reveal from costing more than a few times that. */
#define STATE_ARENA_HEAP ((size_t)16 << 20)
/* Key-value lists written by chia hold three entries. The cap only bounds
 * the walk: a "p" hidden deeper reads as "no state", and the tip check then
 * fails closed (BAD_SINGLETON) instead of trusting a state we did not see. */
#define KV_MAX_ENTRIES 1024

#define MOD_HASH(id) (plotnft_puzzle_table[(id)].hash)

/* --- PoolState -> puzzles --- */

enum plotnft_inner_kind plotnft_state_kind(const struct chia_pool_state *ps)
{
  if (ps->state == PLOTNFT_SELF_POOLING || ps->state == PLOTNFT_LEAVING_POOL)
    return PLOTNFT_INNER_WAITINGROOM;
  return PLOTNFT_INNER_MEMBER;
}

void plotnft_state_args(const struct plotnft_id *id,
                        const uint8_t genesis_challenge[32],
                        const struct chia_pool_state *ps,
                        struct plotnft_inner_args *out)
{
  memcpy(out->target_ph, ps->target_puzzle_hash, 32);
  plotnft_p2_hash(id, out->p2_ph);
  memcpy(out->owner_pk, ps->owner_pubkey, 48);
  plotnft_reward_prefix(genesis_challenge, out->reward_prefix);
  out->lock_height = ps->relative_lock_height;
}

void plotnft_state_hashes(const struct plotnft_id *id,
                          const uint8_t genesis_challenge[32],
                          const struct chia_pool_state *ps,
                          uint8_t inner[32], uint8_t full[32])
{
  struct plotnft_inner_args a;
  uint8_t ih[32];

  plotnft_state_args(id, genesis_challenge, ps, &a);
  plotnft_inner_hash(plotnft_state_kind(ps), &a, ih);
  if (inner)
    memcpy(inner, ih, 32);
  if (full)
    plotnft_full_hash(id->launcher_id, ih, full);
}

/* --- tree walking helpers (all failures mean "not a plot NFT") --- */

static cp_err atom_exact(const struct clvm_alloc *a, clvm_node n, size_t len,
                         uint8_t *out)
{
  size_t got;
  const uint8_t *p;

  if (!clvm_is_atom(n))
    return CP_BAD_SINGLETON;
  p = clvm_atom(a, n, &got);
  if (got != len)
    return CP_BAD_SINGLETON;
  memcpy(out, p, len);
  return CP_OK;
}

static int atom_is(const struct clvm_alloc *a, clvm_node n,
                   const uint8_t *want, size_t len)
{
  size_t got;
  const uint8_t *p;

  if (!clvm_is_atom(n))
    return 0;
  p = clvm_atom(a, n, &got);
  return got == len && (len == 0 || !memcmp(p, want, len));
}

/* Item i of a list (walking rests); the list may be longer. */
static cp_err nth(const struct clvm_alloc *a, clvm_node list, unsigned i,
                  clvm_node *out)
{
  for (; i; i--) {
    if (!clvm_is_pair(list))
      return CP_BAD_SINGLETON;
    list = clvm_rest(a, list);
  }
  if (!clvm_is_pair(list))
    return CP_BAD_SINGLETON;
  *out = clvm_first(a, list);
  return CP_OK;
}

/* Value of the (key . value) entry with a one-byte key in a key-value
 * list. chia's pool_state_from_extra_data stops at the first "p", while
 * get_delayed_puz_info_from_launcher_spend keeps the last "t"/"h"; `last`
 * picks which. Entries that are not pairs are passed over. */
static int kv_find(const struct clvm_alloc *a, clvm_node kv, uint8_t key,
                   int last, clvm_node *value)
{
  int found = 0;

  for (unsigned i = 0; clvm_is_pair(kv) && i < KV_MAX_ENTRIES; i++) {
    clvm_node e = clvm_first(a, kv);
    kv = clvm_rest(a, kv);
    if (!clvm_is_pair(e) || !atom_is(a, clvm_first(a, e), &key, 1))
      continue;
    *value = clvm_rest(a, e);
    found = 1;
    if (!last)
      break;
  }
  return found;
}

/* The "p" entry decoded, as solution_to_pool_state does: absent or not a
 * valid PoolState reads as "no state" rather than an error. */
static int kv_pool_state(const struct clvm_alloc *a, clvm_node kv,
                         struct chia_pool_state *ps)
{
  clvm_node v;
  const uint8_t *p;
  size_t n;

  if (!kv_find(a, kv, 'p', 0, &v) || !clvm_is_atom(v))
    return 0;
  p = clvm_atom(a, v, &n);
  return chia_pool_state_parse(p, n, ps) == CP_OK;
}

static cp_err load(struct clvm_alloc *a, const struct st_blob *b,
                   clvm_node *out)
{
  if (!b->data || b->len > CHIA_PROGRAM_MAX)
    return CP_CLVM_SERIAL;
  return clvm_deserialize(a, b->data, b->len, 0, out, NULL);
}

static int is_mod(const struct clvm_alloc *a, clvm_node mod,
                  enum plotnft_puzzle_id id)
{
  uint8_t h[32];
  clvm_tree_hash(a, mod, h);
  return !memcmp(h, MOD_HASH(id), 32);
}

/* (a (q . SINGLETON_v1.0) (c (q . STRUCT) (c (q . INNER) 1))) */
static cp_err singleton_uncurry(const struct clvm_alloc *a, clvm_node puz,
                                uint8_t launcher_id[32], clvm_node *inner)
{
  clvm_node mod, args[2], s, t;
  size_t nargs;
  cp_err rc;

  rc = clvm_uncurry(a, puz, &mod, args, 2, &nargs);
  if (rc || nargs != 2 || !is_mod(a, mod, PLOTNFT_PUZ_SINGLETON))
    return CP_BAD_SINGLETON;
  s = args[0];
  if (!clvm_is_pair(s) ||
      !atom_is(a, clvm_first(a, s), MOD_HASH(PLOTNFT_PUZ_SINGLETON), 32))
    return CP_BAD_SINGLETON;
  t = clvm_rest(a, s);
  if (!clvm_is_pair(t) ||
      !atom_is(a, clvm_rest(a, t), MOD_HASH(PLOTNFT_PUZ_LAUNCHER), 32))
    return CP_BAD_SINGLETON;
  if ((rc = atom_exact(a, clvm_first(a, t), 32, launcher_id)))
    return rc;
  *inner = args[1];
  return CP_OK;
}

static cp_err inner_uncurry(const struct clvm_alloc *a, clvm_node inner,
                            struct plotnft_spend *sp)
{
  clvm_node mod, args[5];
  size_t nargs;
  uint64_t lock;
  cp_err rc;

  rc = clvm_uncurry(a, inner, &mod, args, 5, &nargs);
  if (rc || nargs != 5)
    return CP_BAD_SINGLETON;
  if (is_mod(a, mod, PLOTNFT_PUZ_MEMBER))
    sp->kind = PLOTNFT_INNER_MEMBER;
  else if (is_mod(a, mod, PLOTNFT_PUZ_WAITINGROOM))
    sp->kind = PLOTNFT_INNER_WAITINGROOM;
  else
    return CP_BAD_SINGLETON;
  if ((rc = atom_exact(a, args[0], 32, sp->args.target_ph)) ||
      (rc = atom_exact(a, args[1], 32, sp->args.p2_ph)) ||
      (rc = atom_exact(a, args[2], 48, sp->args.owner_pk)) ||
      (rc = atom_exact(a, args[3], 32, sp->args.reward_prefix)))
    return rc;
  if (sp->kind == PLOTNFT_INNER_MEMBER)
    return atom_exact(a, args[4], 32, sp->waitingroom_hash);
  if (clvm_to_u64(a, args[4], &lock) || lock > UINT32_MAX)
    return CP_BAD_SINGLETON;
  sp->args.lock_height = (uint32_t)lock;
  return CP_OK;
}

/* Reward fields of an absorb are informational: the spend already passed
 * consensus, so a value we cannot decode is not a reason to stop a walk. */
static void read_reward(const struct clvm_alloc *a, clvm_node amount,
                        clvm_node height, struct plotnft_spend *sp)
{
  sp->has_reward = !clvm_to_u64(a, amount, &sp->reward_amount) &&
                   !clvm_to_u64(a, height, &sp->reward_height);
  if (!sp->has_reward)
    sp->reward_amount = sp->reward_height = 0;
}

static cp_err inner_solution(const struct clvm_alloc *a, clvm_node sol,
                             struct plotnft_spend *sp)
{
  clvm_node x0, x1, x2;
  cp_err rc;

  if ((rc = nth(a, sol, 0, &x0)) || (rc = nth(a, sol, 1, &x1)))
    return rc;
  if (sp->kind == PLOTNFT_INNER_MEMBER) {
    /* (amount height) absorbs; (key_value_list ()) escapes. */
    if (!clvm_is_nil(a, x1)) {
      sp->action = PLOTNFT_ABSORB;
      read_reward(a, x0, x1, sp);
      memcpy(sp->next_inner_hash, sp->inner_hash, 32);
    } else {
      sp->action = PLOTNFT_TRAVEL;
      sp->has_state = clvm_is_pair(x0) && kv_pool_state(a, x0, &sp->state);
      memcpy(sp->next_inner_hash, sp->waitingroom_hash, 32);
    }
    return CP_OK;
  }
  /* (0 amount height) absorbs; (1 key_value_list destination) travels. */
  if ((rc = nth(a, sol, 2, &x2)))
    return rc;
  if (clvm_is_nil(a, x0)) {
    sp->action = PLOTNFT_ABSORB;
    read_reward(a, x1, x2, sp);
    memcpy(sp->next_inner_hash, sp->inner_hash, 32);
    return CP_OK;
  }
  sp->action = PLOTNFT_TRAVEL;
  sp->has_state = kv_pool_state(a, x1, &sp->state);
  return atom_exact(a, x2, 32, sp->next_inner_hash);
}

cp_err plotnft_spend_parse(const struct chia_coin_spend *cs,
                           struct plotnft_spend *out)
{
  struct clvm_alloc *a = clvm_alloc_new(STATE_ARENA_HEAP);
  clvm_node puz, sol, inner, x;
  uint64_t my_amount;
  uint8_t h[32];
  cp_err rc;

  memset(out, 0, sizeof *out);
  if ((rc = load(a, &cs->puzzle_reveal, &puz)) ||
      (rc = load(a, &cs->solution, &sol)))
    goto out;
  clvm_tree_hash(a, puz, h);
  if (memcmp(h, cs->coin.puzzle_hash, 32)) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  if ((rc = singleton_uncurry(a, puz, out->launcher_id, &inner)) ||
      (rc = inner_uncurry(a, inner, out)))
    goto out;
  clvm_tree_hash(a, inner, out->inner_hash);
  /* (lineage_proof my_amount inner_solution): the top layer asserts the
   * coin id it rebuilds from my_amount, so a spend that made it on chain
   * has my_amount equal to the coin's (odd) amount. */
  if ((rc = nth(a, sol, 1, &x)))
    goto out;
  if (clvm_to_u64(a, x, &my_amount) || my_amount != cs->coin.amount ||
      !(my_amount & 1)) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  if ((rc = nth(a, sol, 2, &x)) || (rc = inner_solution(a, x, out)))
    goto out;
  coin_id(&cs->coin, out->coin_id);
  memcpy(out->next.parent_coin_info, out->coin_id, 32);
  plotnft_full_hash(out->launcher_id, out->next_inner_hash,
                    out->next.puzzle_hash);
  out->next.amount = cs->coin.amount;
out:
  clvm_alloc_free(a);
  if (rc && rc != CP_CLVM_SERIAL && rc != CP_NOMEM)
    rc = CP_BAD_SINGLETON;
  return rc;
}

void plotnft_spend_lineage(const struct chia_coin_spend *cs,
                           const struct plotnft_spend *sp,
                           struct plotnft_lineage *out)
{
  memset(out, 0, sizeof *out);
  out->eve = false;
  memcpy(out->parent_parent, cs->coin.parent_coin_info, 32);
  memcpy(out->parent_inner_hash, sp->inner_hash, 32);
  out->parent_amount = cs->coin.amount;
}

cp_err plotnft_launch_parse(const struct chia_coin_spend *cs,
                            struct plotnft_launch *out)
{
  struct clvm_alloc *a = clvm_alloc_new(STATE_ARENA_HEAP);
  clvm_node puz, sol, x, kv, v;
  uint8_t h[32];
  cp_err rc;

  memset(out, 0, sizeof *out);
  if ((rc = load(a, &cs->puzzle_reveal, &puz)) ||
      (rc = load(a, &cs->solution, &sol)))
    goto out;
  clvm_tree_hash(a, puz, h);
  if (memcmp(h, MOD_HASH(PLOTNFT_PUZ_LAUNCHER), 32) ||
      memcmp(cs->coin.puzzle_hash, MOD_HASH(PLOTNFT_PUZ_LAUNCHER), 32)) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  coin_id(&cs->coin, out->id.launcher_id);
  memcpy(out->launcher_parent, cs->coin.parent_coin_info, 32);
  out->launcher_amount = cs->coin.amount;
  /* (full_ph amount key_value_list) */
  if ((rc = nth(a, sol, 0, &x)) ||
      (rc = atom_exact(a, x, 32, out->eve.puzzle_hash)) ||
      (rc = nth(a, sol, 1, &x)))
    goto out;
  if (clvm_to_u64(a, x, &out->eve.amount) || !(out->eve.amount & 1)) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  memcpy(out->eve.parent_coin_info, out->id.launcher_id, 32);
  if ((rc = nth(a, sol, 2, &kv)))
    goto out;
  if (!kv_pool_state(a, kv, &out->state) || !kv_find(a, kv, 't', 1, &v) ||
      clvm_to_u64(a, v, &out->id.delay_time) || !kv_find(a, kv, 'h', 1, &v)) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  rc = atom_exact(a, v, 32, out->id.delay_ph);
out:
  clvm_alloc_free(a);
  if (rc && rc != CP_CLVM_SERIAL && rc != CP_NOMEM)
    rc = CP_BAD_SINGLETON;
  return rc;
}

/* --- walking --- */

cp_err plotnft_follow(const uint8_t launcher_id[32],
                      const uint8_t genesis_challenge[32],
                      plotnft_fetch_fn fetch, void *ctx, uint32_t max_spends,
                      struct plotnft_tip *out)
{
  struct chia_coin_spend cs;
  struct plotnft_spend sp;
  uint8_t id[32], full[32];
  bool spent = false;
  cp_err rc;

  memset(out, 0, sizeof *out);
  memset(&cs, 0, sizeof cs);
  if (!max_spends)
    max_spends = PLOTNFT_FOLLOW_MAX_DEFAULT;

  if ((rc = fetch(ctx, launcher_id, &spent, &cs)))
    goto out;
  if (!spent) {
    rc = CP_BAD_SINGLETON; /* launched only when its coin is spent */
    goto out;
  }
  coin_id(&cs.coin, id);
  if (memcmp(id, launcher_id, 32)) {
    rc = CP_RPC_RESPONSE; /* the fetcher answered for another coin */
    goto out;
  }
  if ((rc = plotnft_launch_parse(&cs, &out->launch)))
    goto out;
  chia_coin_spend_release(&cs);
  out->state = out->launch.state;
  out->coin = out->launch.eve;
  out->lineage.eve = true;
  memcpy(out->lineage.parent_parent, out->launch.launcher_parent, 32);
  out->lineage.parent_amount = out->launch.launcher_amount;

  for (;;) {
    coin_id(&out->coin, out->coin_id);
    spent = false;
    if ((rc = fetch(ctx, out->coin_id, &spent, &cs)))
      goto out;
    if (!spent)
      break;
    if (out->spends >= max_spends) {
      rc = CP_TOO_BIG;
      goto out;
    }
    coin_id(&cs.coin, id);
    if (memcmp(id, out->coin_id, 32)) {
      rc = CP_RPC_RESPONSE;
      goto out;
    }
    if ((rc = plotnft_spend_parse(&cs, &sp)))
      goto out;
    if (memcmp(sp.launcher_id, launcher_id, 32)) {
      rc = CP_BAD_SINGLETON;
      goto out;
    }
    if (sp.has_state)
      out->state = sp.state;
    plotnft_spend_lineage(&cs, &sp, &out->lineage);
    out->coin = sp.next;
    out->spends++;
    chia_coin_spend_release(&cs);
  }

  plotnft_p2_hash(&out->launch.id, out->p2_ph);
  out->kind = plotnft_state_kind(&out->state);
  plotnft_state_hashes(&out->launch.id, genesis_challenge, &out->state,
                       out->inner_hash, full);
  if (memcmp(full, out->coin.puzzle_hash, 32))
    rc = CP_BAD_SINGLETON;
out:
  chia_coin_spend_release(&cs);
  return rc;
}
