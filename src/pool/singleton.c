#include "pool/singleton.h"

#include <string.h>

#include "chia/coin.h"
#include "plotnft/state.h"
#include "util/buf.h"

cp_err singleton_peak(struct chain *c, uint32_t *peak)
{
  struct node_blockchain_state st;
  cp_err rc;

  memset(&st, 0, sizeof st);
  if ((rc = c->ops->state(c->ctx, &st)))
    return rc;
  if (!st.has_peak)
    return CP_RPC_RESPONSE;
  *peak = st.peak.height;
  return CP_OK;
}

static bool coin_eq(const struct node_coin *n, const struct chia_coin *c)
{
  return !memcmp(n->parent_coin_info, c->parent_coin_info, 32) &&
         !memcmp(n->puzzle_hash, c->puzzle_hash, 32) && n->amount == c->amount;
}

/* The node's spend of a coin, moved into the chia type the plotnft layer
 * reads. The node answers by coin id and height; a spend of some other
 * coin means the node (or a reorg) lied to us, so it is refused. */
static cp_err fetch_spend(struct chain *c, const uint8_t id[32], uint32_t height,
                          struct chia_coin_spend *out)
{
  struct node_coin_spend ns;
  uint8_t got[32];
  cp_err rc;

  memset(&ns, 0, sizeof ns);
  memset(out, 0, sizeof *out);
  if ((rc = c->ops->puzzle_and_solution(c->ctx, id, height, &ns)))
    return rc == CP_NOT_FOUND ? CP_BAD_SINGLETON : rc;
  fullnode_coin_to_chia(&ns.coin, &out->coin);
  out->puzzle_reveal.data = ns.puzzle_reveal;
  out->puzzle_reveal.len = ns.puzzle_reveal_len;
  out->solution.data = ns.solution;
  out->solution.len = ns.solution_len;
  coin_id(&out->coin, got);
  if (memcmp(got, id, 32) || !out->puzzle_reveal.data || !out->solution.data) {
    chia_coin_spend_release(out);
    return CP_RPC_RESPONSE;
  }
  return CP_OK;
}

/* A coin record that must exist: a spend created it, so its absence is a
 * reorg under us or a node that is not synced. Either way the lineage
 * cannot be trusted right now. */
static cp_err fetch_record(struct chain *c, const uint8_t id[32],
                           struct node_coin_record *rec)
{
  cp_err rc;

  memset(rec, 0, sizeof *rec);
  rc = c->ops->coin_record(c->ctx, id, rec);
  return rc == CP_NOT_FOUND ? CP_BAD_SINGLETON : rc;
}

/* The coin a tip spend created: the eve coin for the launcher spend, the
 * recreated singleton for any later spend. */
static cp_err next_coin(const struct chia_coin_spend *cs, const uint8_t launcher_id[32],
                        struct chia_coin *next, struct chia_pool_state *state,
                        bool *has_state)
{
  const struct plotnft_puzzle *lp = plotnft_puzzle(PLOTNFT_PUZ_LAUNCHER);
  cp_err rc;

  *has_state = false;
  if (!memcmp(cs->coin.puzzle_hash, lp->hash, 32)) {
    struct plotnft_launch l;
    if ((rc = plotnft_launch_parse(cs, &l)))
      return rc;
    if (memcmp(l.id.launcher_id, launcher_id, 32))
      return CP_BAD_SINGLETON;
    *next = l.eve;
    *state = l.state;
    *has_state = true;
    return CP_OK;
  }
  struct plotnft_spend sp;
  if ((rc = plotnft_spend_parse(cs, &sp)))
    return rc;
  if (memcmp(sp.launcher_id, launcher_id, 32))
    return CP_BAD_SINGLETON;
  *next = sp.next;
  if (sp.has_state) {
    *state = sp.state;
    *has_state = true;
  }
  return CP_OK;
}

static void spend_move(struct chia_coin_spend *dst, struct chia_coin_spend *src)
{
  chia_coin_spend_release(dst);
  *dst = *src;
  memset(src, 0, sizeof *src);
}

/* The walk itself. out->buried_tip holds the start spend (its coin
 * confirmed at start_confirmed), out->buried_state and latest_state the
 * start state. Each spend is parsed once: for the coin it creates and the
 * PoolState it carries. */
static cp_err walk(struct chain *c, const struct singleton_walk *w,
                   uint32_t start_confirmed, struct singleton_result *out)
{
  struct chia_coin_spend cs;
  struct chia_coin next, after;
  struct chia_pool_state st;
  struct node_coin_record rec;
  uint32_t max = w->max_steps ? w->max_steps : SINGLETON_MAX_STEPS;
  uint8_t id[32], full[32];
  bool has_state;
  cp_err rc;

  memset(&cs, 0, sizeof cs);
  out->buried_tip_confirmed = start_confirmed;
  /* the start spend's state is already the start state */
  if ((rc = next_coin(&out->buried_tip, out->id.launcher_id, &next, &st, &has_state)))
    goto out;
  for (;;) {
    coin_id(&next, id);
    if ((rc = fetch_record(c, id, &rec)))
      goto out;
    if (!coin_eq(&rec.coin, &next)) {
      rc = CP_RPC_RESPONSE;
      goto out;
    }
    if (!rec.spent) {
      plotnft_state_hashes(&out->id, w->genesis, &out->latest_state, NULL, full);
      if (memcmp(full, next.puzzle_hash, 32)) {
        rc = CP_BAD_SINGLETON;
        goto out;
      }
      out->tip = next;
      out->tip_confirmed = rec.confirmed_block_index;
      break;
    }
    if (out->steps >= max) {
      rc = CP_TOO_BIG;
      goto out;
    }
    if ((rc = fetch_spend(c, id, rec.spent_block_index, &cs)))
      goto out;
    out->steps++;
    if ((rc = next_coin(&cs, out->id.launcher_id, &after, &st, &has_state)))
      goto out;
    if (has_state)
      out->latest_state = st;
    if ((uint64_t)rec.spent_block_index + w->confirm_threshold <= w->peak) {
      /* deep enough that no reorg undoes it: the new stored tip */
      spend_move(&out->buried_tip, &cs);
      out->buried_tip_confirmed = rec.confirmed_block_index;
      out->buried_state = out->latest_state;
    }
    chia_coin_spend_release(&cs);
    next = after;
  }
out:
  chia_coin_spend_release(&cs);
  return rc;
}

cp_err singleton_follow_launcher(struct chain *c, const uint8_t launcher_id[32],
                                 const struct singleton_walk *w,
                                 struct singleton_result *out)
{
  struct node_coin_record rec;
  struct plotnft_launch l;
  cp_err rc;

  memset(out, 0, sizeof *out);
  memset(&rec, 0, sizeof rec);
  if ((rc = c->ops->coin_record(c->ctx, launcher_id, &rec)))
    goto out;
  if (!rec.spent) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  if ((rc = fetch_spend(c, launcher_id, rec.spent_block_index, &out->buried_tip)))
    goto out;
  if ((rc = plotnft_launch_parse(&out->buried_tip, &l)))
    goto out;
  out->id = l.id;
  out->buried_state = out->latest_state = l.state;
  rc = walk(c, w, rec.confirmed_block_index, out);
out:
  if (rc)
    singleton_result_release(out);
  return rc;
}

cp_err singleton_follow_tip(struct chain *c, const struct plotnft_id *id,
                            const uint8_t *tip, size_t tip_len,
                            const uint8_t *state, size_t state_len,
                            const struct singleton_walk *w,
                            struct singleton_result *out)
{
  struct node_coin_record rec;
  uint8_t tid[32];
  cp_err rc;

  memset(out, 0, sizeof *out);
  out->id = *id;
  if (!tip || !state) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  if (chia_coin_spend_parse(tip, tip_len, &out->buried_tip) ||
      chia_pool_state_parse(state, state_len, &out->buried_state)) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  out->latest_state = out->buried_state;
  /* The stored tip must still be on chain (reference: its coin record). */
  coin_id(&out->buried_tip.coin, tid);
  if ((rc = fetch_record(c, tid, &rec)))
    goto out;
  if (!coin_eq(&rec.coin, &out->buried_tip.coin) || !rec.spent) {
    rc = CP_BAD_SINGLETON;
    goto out;
  }
  rc = walk(c, w, rec.confirmed_block_index, out);
out:
  if (rc)
    singleton_result_release(out);
  return rc;
}

void singleton_result_release(struct singleton_result *r)
{
  chia_coin_spend_release(&r->buried_tip);
}

bool singleton_is_member(const struct chia_pool_state *latest, uint32_t tip_confirmed,
                         uint32_t peak, const uint8_t target_ph[32],
                         uint32_t lock_height)
{
  if (memcmp(latest->target_puzzle_hash, target_ph, 32))
    return false;
  if (latest->relative_lock_height != lock_height || latest->version != 1)
    return false;
  if (latest->state == PLOTNFT_SELF_POOLING)
    return false;
  if (latest->state == PLOTNFT_LEAVING_POOL && peak > tip_confirmed &&
      peak - tip_confirmed > lock_height)
    return false;
  return true;
}
