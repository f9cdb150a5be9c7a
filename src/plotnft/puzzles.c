#include "plotnft/puzzles.h"

#include <string.h>

#include "clvm/clvm.h"

/* Written out by hand as well as in the generated table: if the table were
 * ever regenerated from a vector file naming v1.1 as "singleton_top_layer",
 * plotnft_init() must refuse to run rather than move every farmer's puzzle
 * hash. */
static const uint8_t singleton_v1_0_hash[32] = {
  0x24, 0xe0, 0x44, 0x10, 0x1e, 0x57, 0xb3, 0xd8, 0xc9, 0x08, 0xb8, 0xa3,
  0x8a, 0xd5, 0x78, 0x48, 0xaf, 0xd2, 0x9d, 0x3e, 0xec, 0xc4, 0x39, 0xdb,
  0xa4, 0x5f, 0x44, 0x12, 0xdf, 0x49, 0x54, 0xfd,
};

#define MOD_HASH(id) (plotnft_puzzle_table[(id)].hash)

cp_err plotnft_init(void)
{
  uint8_t h[32];
  cp_err rc;

  for (int i = 0; i < PLOTNFT_PUZ_COUNT; i++) {
    const struct plotnft_puzzle *p = &plotnft_puzzle_table[i];
    if (!p->bytes || !p->len)
      return CP_BAD_SINGLETON;
    rc = clvm_tree_hash_bytes(p->bytes, p->len, h);
    if (rc)
      return rc;
    if (memcmp(h, p->hash, 32))
      return CP_BAD_SINGLETON;
  }
  if (memcmp(MOD_HASH(PLOTNFT_PUZ_SINGLETON), singleton_v1_0_hash, 32))
    return CP_BAD_SINGLETON;
  return CP_OK;
}

const struct plotnft_puzzle *plotnft_puzzle(enum plotnft_puzzle_id id)
{
  if ((int)id < 0 || id >= PLOTNFT_PUZ_COUNT)
    return NULL;
  return &plotnft_puzzle_table[id];
}

/* --- hashes --- */

void plotnft_reward_prefix(const uint8_t genesis_challenge[32], uint8_t out[32])
{
  memcpy(out, genesis_challenge, 16);
  memset(out + 16, 0, 16);
}

void plotnft_struct_hash(const uint8_t launcher_id[32], uint8_t out[32])
{
  uint8_t mod[32], lid[32], lh[32], tail[32];

  clvm_tree_hash_atom(MOD_HASH(PLOTNFT_PUZ_SINGLETON), 32, mod);
  clvm_tree_hash_atom(launcher_id, 32, lid);
  clvm_tree_hash_atom(MOD_HASH(PLOTNFT_PUZ_LAUNCHER), 32, lh);
  clvm_tree_hash_pair(lid, lh, tail);
  clvm_tree_hash_pair(mod, tail, out);
}

void plotnft_full_hash(const uint8_t launcher_id[32],
                       const uint8_t inner_hash[32], uint8_t out[32])
{
  uint8_t args[2][32];

  plotnft_struct_hash(launcher_id, args[0]);
  /* A curried argument's hash is the tree hash of the argument; the inner
   * puzzle hash already is one. */
  memcpy(args[1], inner_hash, 32);
  clvm_curry_tree_hash(MOD_HASH(PLOTNFT_PUZ_SINGLETON),
                       (const uint8_t (*)[32])args, 2, out);
}

static void u64_atom_hash(uint64_t v, uint8_t out[32])
{
  uint8_t enc[9];
  size_t n = clvm_u64_encode(v, enc);
  clvm_tree_hash_atom(enc, n, out);
}

void plotnft_p2_hash(const struct plotnft_id *id, uint8_t out[32])
{
  uint8_t args[5][32];

  clvm_tree_hash_atom(MOD_HASH(PLOTNFT_PUZ_SINGLETON), 32, args[0]);
  clvm_tree_hash_atom(id->launcher_id, 32, args[1]);
  clvm_tree_hash_atom(MOD_HASH(PLOTNFT_PUZ_LAUNCHER), 32, args[2]);
  u64_atom_hash(id->delay_time, args[3]);
  clvm_tree_hash_atom(id->delay_ph, 32, args[4]);
  clvm_curry_tree_hash(MOD_HASH(PLOTNFT_PUZ_P2_SINGLETON),
                       (const uint8_t (*)[32])args, 5, out);
}

/* The four curried values both inner puzzles start with. */
static void inner_common_hashes(const struct plotnft_inner_args *a,
                                uint8_t args[5][32])
{
  clvm_tree_hash_atom(a->target_ph, 32, args[0]);
  clvm_tree_hash_atom(a->p2_ph, 32, args[1]);
  clvm_tree_hash_atom(a->owner_pk, 48, args[2]);
  clvm_tree_hash_atom(a->reward_prefix, 32, args[3]);
}

void plotnft_waitingroom_hash(const struct plotnft_inner_args *a,
                              uint8_t out[32])
{
  uint8_t args[5][32];

  inner_common_hashes(a, args);
  u64_atom_hash(a->lock_height, args[4]);
  clvm_curry_tree_hash(MOD_HASH(PLOTNFT_PUZ_WAITINGROOM),
                       (const uint8_t (*)[32])args, 5, out);
}

void plotnft_member_hash(const struct plotnft_inner_args *a, uint8_t out[32])
{
  uint8_t args[5][32], wr[32];

  plotnft_waitingroom_hash(a, wr);
  inner_common_hashes(a, args);
  clvm_tree_hash_atom(wr, 32, args[4]);
  clvm_curry_tree_hash(MOD_HASH(PLOTNFT_PUZ_MEMBER),
                       (const uint8_t (*)[32])args, 5, out);
}

void plotnft_inner_hash(enum plotnft_inner_kind kind,
                        const struct plotnft_inner_args *a, uint8_t out[32])
{
  if (kind == PLOTNFT_INNER_MEMBER)
    plotnft_member_hash(a, out);
  else
    plotnft_waitingroom_hash(a, out);
}

/* --- serialisation --- */

cp_err plotnft__put_atom(struct buf *out, const uint8_t *p, size_t n)
{
  uint8_t pre[5];
  size_t np;
  cp_err rc;

  if (n == 1 && p[0] < 0x80)
    return buf_append_u8(out, p[0]);
  if (n <= 0x3f) {
    pre[0] = (uint8_t)(0x80 | n);
    np = 1;
  } else if (n <= 0x1fff) {
    pre[0] = (uint8_t)(0xc0 | (n >> 8));
    pre[1] = (uint8_t)n;
    np = 2;
  } else if (n <= 0xfffff) {
    pre[0] = (uint8_t)(0xe0 | (n >> 16));
    pre[1] = (uint8_t)(n >> 8);
    pre[2] = (uint8_t)n;
    np = 3;
  } else if (n <= 0x7ffffff) {
    pre[0] = (uint8_t)(0xf0 | (n >> 24));
    pre[1] = (uint8_t)(n >> 16);
    pre[2] = (uint8_t)(n >> 8);
    pre[3] = (uint8_t)n;
    np = 4;
  } else {
    return CP_TOO_BIG; /* no puzzle or solution of ours comes near this */
  }
  rc = buf_append(out, pre, np);
  if (rc)
    return rc;
  return n ? buf_append(out, p, n) : CP_OK;
}

cp_err plotnft__put_u64(struct buf *out, uint64_t v)
{
  uint8_t enc[9];
  size_t n = clvm_u64_encode(v, enc);
  return plotnft__put_atom(out, enc, n);
}

cp_err plotnft_struct_serialize(const uint8_t launcher_id[32], struct buf *out)
{
  cp_err rc;

  if ((rc = buf_append_u8(out, 0xff)) ||
      (rc = plotnft__put_atom(out, MOD_HASH(PLOTNFT_PUZ_SINGLETON), 32)) ||
      (rc = buf_append_u8(out, 0xff)) ||
      (rc = plotnft__put_atom(out, launcher_id, 32)) ||
      (rc = plotnft__put_atom(out, MOD_HASH(PLOTNFT_PUZ_LAUNCHER), 32)))
    return rc;
  return CP_OK;
}

/* curry() in serialized form, streamed: (a (q . MOD) (c (q . a1) ... 1)).
 * Each argument is already serialized, so atoms and the singleton struct
 * (a tree) go through the same path. */
struct curry_arg {
  const uint8_t *p;
  size_t n;
};

static cp_err put_curried(struct buf *out, enum plotnft_puzzle_id mod,
                          const struct curry_arg *args, size_t nargs)
{
  static const uint8_t head[] = { 0xff, 0x02, 0xff, 0xff, 0x01 };
  static const uint8_t cons_q[] = { 0xff, 0x04, 0xff, 0xff, 0x01 };
  const struct plotnft_puzzle *m = &plotnft_puzzle_table[mod];
  cp_err rc;

  if ((rc = buf_append(out, head, sizeof head)) ||
      (rc = buf_append(out, m->bytes, m->len)) ||
      (rc = buf_append_u8(out, 0xff)))
    return rc;
  for (size_t i = 0; i < nargs; i++)
    if ((rc = buf_append(out, cons_q, sizeof cons_q)) ||
        (rc = buf_append(out, args[i].p, args[i].n)) ||
        (rc = buf_append_u8(out, 0xff)))
      return rc;
  if ((rc = buf_append_u8(out, 0x01)))
    return rc;
  for (size_t i = 0; i < nargs; i++)
    if ((rc = buf_append_u8(out, 0x80)))
      return rc;
  return buf_append_u8(out, 0x80);
}

/* One serialized curried value: every atom curried here is at most 48 bytes,
 * so it fits with its one-byte prefix in a small fixed array. */
#define ENC_MAX 48

struct enc {
  uint8_t b[ENC_MAX + 1];
  size_t n;
};

static void enc_atom(struct enc *e, const uint8_t *p, size_t n)
{
  if (n == 1 && p[0] < 0x80) {
    e->b[0] = p[0];
    e->n = 1;
    return;
  }
  e->b[0] = (uint8_t)(0x80 | n);
  memcpy(e->b + 1, p, n);
  e->n = n + 1;
}

static void enc_u64(struct enc *e, uint64_t v)
{
  uint8_t v_enc[9];
  size_t n = clvm_u64_encode(v, v_enc);
  enc_atom(e, v_enc, n);
}

static void enc_args(const struct enc *e, struct curry_arg *args, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    args[i].p = e[i].b;
    args[i].n = e[i].n;
  }
}

cp_err plotnft_p2_puzzle(const struct plotnft_id *id, struct buf *out)
{
  struct enc e[5];
  struct curry_arg args[5];

  enc_atom(&e[0], MOD_HASH(PLOTNFT_PUZ_SINGLETON), 32);
  enc_atom(&e[1], id->launcher_id, 32);
  enc_atom(&e[2], MOD_HASH(PLOTNFT_PUZ_LAUNCHER), 32);
  enc_u64(&e[3], id->delay_time);
  enc_atom(&e[4], id->delay_ph, 32);
  enc_args(e, args, 5);
  return put_curried(out, PLOTNFT_PUZ_P2_SINGLETON, args, 5);
}

cp_err plotnft_inner_puzzle(enum plotnft_inner_kind kind,
                            const struct plotnft_inner_args *a,
                            struct buf *out)
{
  struct enc e[5];
  struct curry_arg args[5];
  uint8_t wr[32];

  if (kind != PLOTNFT_INNER_MEMBER && kind != PLOTNFT_INNER_WAITINGROOM)
    return CP_INVAL;
  enc_atom(&e[0], a->target_ph, 32);
  enc_atom(&e[1], a->p2_ph, 32);
  enc_atom(&e[2], a->owner_pk, 48);
  enc_atom(&e[3], a->reward_prefix, 32);
  if (kind == PLOTNFT_INNER_MEMBER) {
    plotnft_waitingroom_hash(a, wr);
    enc_atom(&e[4], wr, 32);
  } else {
    enc_u64(&e[4], a->lock_height);
  }
  enc_args(e, args, 5);
  return put_curried(out, kind == PLOTNFT_INNER_MEMBER ? PLOTNFT_PUZ_MEMBER
                                                       : PLOTNFT_PUZ_WAITINGROOM,
                     args, 5);
}

cp_err plotnft_full_puzzle(const uint8_t launcher_id[32], const uint8_t *inner,
                           size_t inner_len, struct buf *out)
{
  struct buf s;
  struct curry_arg args[2];
  cp_err rc;

  buf_init(&s, 3 * 33 + 2); /* ff a0.. ff a0.. a0.. */
  if ((rc = plotnft_struct_serialize(launcher_id, &s)))
    goto out;
  args[0].p = s.data;
  args[0].n = s.len;
  args[1].p = inner;
  args[1].n = inner_len;
  rc = put_curried(out, PLOTNFT_PUZ_SINGLETON, args, 2);
out:
  buf_release(&s);
  return rc;
}
