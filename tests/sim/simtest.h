/* Helpers shared by the simulator tests: standard-transaction spends
 * (p2_delegated_puzzle_or_hidden_puzzle curried with a synthetic key, the
 * delegated puzzle a quoted condition list) signed with real keys, and
 * condition lists built as CLVM. Header-only like testtls.h. */
#ifndef CP_SIMTEST_H
#define CP_SIMTEST_H

#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "chia/constants.h"
#include "chia/types.h"
#include "clvm/clvm.h"
#include "crypto/bls.h"
#include "crypto/keys.h"
#include "plotnft/puzzles.h"
#include "util/buf.h"

/* A wallet key: sk from a one-byte seed pattern, its pk and the puzzle. */
struct st_wallet {
  struct bls_sk sk;
  struct bls_pk pk;
  uint8_t *puzzle;
  size_t puzzle_len;
  uint8_t ph[32];
};

static inline void st_wallet_init(struct st_wallet *w, uint8_t seed_byte)
{
  uint8_t seed[32];
  struct clvm_alloc *a = clvm_alloc_new(0);
  const struct plotnft_puzzle *p2 = plotnft_puzzle(PLOTNFT_PUZ_P2_DELEGATED);
  clvm_node mod, arg, cur;
  struct buf b;

  memset(seed, seed_byte, sizeof seed);
  assert_int_equal(keys_gen(&w->sk, seed, sizeof seed), CP_OK);
  bls_sk_to_pk(&w->sk, &w->pk);
  assert_int_equal(clvm_deserialize(a, p2->bytes, p2->len, 0, &mod, NULL), CP_OK);
  assert_int_equal(clvm_new_atom(a, w->pk.bytes, BLS_PK_SIZE, &arg), CP_OK);
  assert_int_equal(clvm_curry(a, mod, &arg, 1, &cur), CP_OK);
  clvm_tree_hash(a, cur, w->ph);
  buf_init(&b, 1 << 20);
  assert_int_equal(clvm_serialize(a, cur, &b), CP_OK);
  w->puzzle = buf_detach(&b, &w->puzzle_len);
  clvm_alloc_free(a);
}

static inline void st_wallet_release(struct st_wallet *w)
{
  free(w->puzzle);
  w->puzzle = NULL;
}

/* Condition list under construction (items are CLVM nodes of one arena). */
struct st_conds {
  struct clvm_alloc *a;
  clvm_node items[32];
  size_t n;
};

static inline void st_conds_init(struct st_conds *c)
{
  c->a = clvm_alloc_new(0);
  c->n = 0;
}

static inline void st_conds_release(struct st_conds *c)
{
  clvm_alloc_free(c->a);
}

/* (op arg...) where each arg is bytes (len > 0 or NULL for nil) or a u64. */
static inline void st_cond_bytes(struct st_conds *c, unsigned op, const uint8_t *p1,
                                 size_t n1, const uint8_t *p2, size_t n2)
{
  clvm_node v[3];
  size_t k = 0;
  assert_int_equal(clvm_new_u64(c->a, op, &v[k++]), CP_OK);
  if (p1)
    assert_int_equal(clvm_new_atom(c->a, p1, n1, &v[k++]), CP_OK);
  if (p2)
    assert_int_equal(clvm_new_atom(c->a, p2, n2, &v[k++]), CP_OK);
  assert_int_equal(clvm_new_list(c->a, v, k, &c->items[c->n++]), CP_OK);
}

static inline void st_cond_u64(struct st_conds *c, unsigned op, uint64_t val)
{
  clvm_node v[2];
  assert_int_equal(clvm_new_u64(c->a, op, &v[0]), CP_OK);
  assert_int_equal(clvm_new_u64(c->a, val, &v[1]), CP_OK);
  assert_int_equal(clvm_new_list(c->a, v, 2, &c->items[c->n++]), CP_OK);
}

static inline void st_create_coin(struct st_conds *c, const uint8_t ph[32], uint64_t amount)
{
  clvm_node v[3];
  assert_int_equal(clvm_new_u64(c->a, 51, &v[0]), CP_OK);
  assert_int_equal(clvm_new_atom(c->a, ph, 32, &v[1]), CP_OK);
  assert_int_equal(clvm_new_u64(c->a, amount, &v[2]), CP_OK);
  assert_int_equal(clvm_new_list(c->a, v, 3, &c->items[c->n++]), CP_OK);
}

/* Fill cs with a spend of coin by w whose delegated puzzle is (q . conds),
 * and add its AGG_SIG_ME signature to *sig (pass an infinity sig first). */
static inline void st_spend(const struct st_wallet *w, const struct chia_coin *coin,
                            struct st_conds *c, const struct chia_consts *net,
                            struct chia_coin_spend *cs, struct bls_sig *sig)
{
  clvm_node list, delegated, sol_items[3], sol;
  uint8_t dh[32], id[32], msg[96];
  struct bls_sig one, both[2];
  struct buf b;
  size_t len;

  memset(cs, 0, sizeof *cs);
  assert_int_equal(clvm_new_list(c->a, c->items, c->n, &list), CP_OK);
  assert_int_equal(clvm_new_pair(c->a, CLVM_ONE, list, &delegated), CP_OK);
  clvm_tree_hash(c->a, delegated, dh);
  sol_items[0] = CLVM_NIL;
  sol_items[1] = delegated;
  sol_items[2] = CLVM_NIL;
  assert_int_equal(clvm_new_list(c->a, sol_items, 3, &sol), CP_OK);
  cs->coin = *coin;
  cs->puzzle_reveal.data = malloc(w->puzzle_len);
  memcpy(cs->puzzle_reveal.data, w->puzzle, w->puzzle_len);
  cs->puzzle_reveal.len = w->puzzle_len;
  buf_init(&b, 1 << 20);
  assert_int_equal(clvm_serialize(c->a, sol, &b), CP_OK);
  cs->solution.data = buf_detach(&b, &len);
  cs->solution.len = len;
  coin_id(coin, id);
  memcpy(msg, dh, 32);
  memcpy(msg + 32, id, 32);
  memcpy(msg + 64, net->agg_sig_me_additional_data, 32);
  bls_sign(&one, &w->sk, msg, sizeof msg);
  both[0] = *sig;
  both[1] = one;
  bls_aggregate(sig, both, 2);
}

static inline void st_infinity(struct bls_sig *sig)
{
  uint8_t inf[BLS_SIG_SIZE] = { 0xc0 };
  assert_int_equal(bls_sig_decode(sig, inf, sizeof inf), CP_OK);
}

/* A bundle of n spends (moved in) and a signature. */
static inline void st_bundle(struct chia_spend_bundle *sb, struct chia_coin_spend *spends,
                             uint32_t n, const struct bls_sig *sig)
{
  memset(sb, 0, sizeof *sb);
  sb->coin_spends.items = calloc(n, sizeof *spends);
  memcpy(sb->coin_spends.items, spends, n * sizeof *spends);
  sb->coin_spends.count = n;
  memcpy(sb->aggregated_signature, sig->bytes, BLS_SIG_SIZE);
}

#endif
