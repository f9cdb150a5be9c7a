/* Farmers, credited partials and the pending-partial queue.
 *
 * The invariant these operations keep: a proof hash is in at most one of
 * pending_partials and partials, and a farmer's points grow by a partial's
 * difficulty in the same transaction that inserts the partial. So after any
 * crash, points == what the credited partials are worth (minus what
 * payouts consumed), and nothing accepted is lost or counted twice. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/xalloc.h"

/* ---- farmers ---- */

static cp_err farmer_check(const struct store_farmer *f)
{
  if (strnlen(f->payout_instructions, sizeof f->payout_instructions) >
      STORE_PAYOUT_INSTRUCTIONS_MAX)
    return CP_TOO_BIG;
  if (f->singleton_tip_len > STORE_BLOB_MAX ||
      f->singleton_tip_state_len > STORE_BLOB_MAX)
    return CP_TOO_BIG;
  if ((f->singleton_tip_len && !f->singleton_tip) ||
      (f->singleton_tip_state_len && !f->singleton_tip_state))
    return CP_INVAL;
  return CP_OK;
}

cp_err store__op_farmer_add(struct store_conn *c, struct store_job *job)
{
  const struct store_farmer *f = job->in.farmer;
  struct store_stmt *st;
  cp_err rc = farmer_check(f);
  if (rc)
    return rc;
  rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_FARMER_INSERT, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, f->launcher_id);
  store__bind_hash(st, 2, f->p2_singleton_puzzle_hash);
  store__bind_u64(st, 3, f->delay_time);
  store__bind_hash(st, 4, f->delay_puzzle_hash);
  store__bind_blob(st, 5, f->authentication_public_key, STORE_G1_LEN);
  store__bind_blob(st, 6, f->singleton_tip, f->singleton_tip_len);
  store__bind_blob(st, 7, f->singleton_tip_state, f->singleton_tip_state_len);
  store__bind_u64(st, 8, f->points);
  store__bind_u64(st, 9, f->difficulty);
  st->db->bind_text(st, 10, f->payout_instructions);
  st->db->bind_i64(st, 11, f->is_pool_member ? 1 : 0);
  store__bind_ord(st, 12, f->joined_at);
  store__bind_ord(st, 13, f->last_difficulty_change_at);
  rc = store__exec_stmt(st);
out:
  return store__finish(c, rc);
}

static cp_err farmer_row(struct store_stmt *st, struct store_farmer *f)
{
  const void *p;
  size_t n;
  cp_err rc;

  memset(f, 0, sizeof *f);
  if ((rc = store__col_fixed(st, 0, f->launcher_id, STORE_HASH_LEN)) ||
      (rc = store__col_fixed(st, 1, f->p2_singleton_puzzle_hash,
                             STORE_HASH_LEN)) ||
      (rc = store__col_fixed(st, 3, f->delay_puzzle_hash, STORE_HASH_LEN)) ||
      (rc = store__col_fixed(st, 4, f->authentication_public_key,
                             STORE_G1_LEN)) ||
      (rc = store__col_dup(st, 5, &f->singleton_tip, &f->singleton_tip_len)) ||
      (rc = store__col_dup(st, 6, &f->singleton_tip_state,
                           &f->singleton_tip_state_len)))
    goto out;
  f->delay_time = store__col_u64(st, 2);
  f->points = store__col_u64(st, 7);
  f->difficulty = store__col_u64(st, 8);
  p = st->db->col_blob(st, 9, &n);
  if (n > STORE_PAYOUT_INSTRUCTIONS_MAX) {
    rc = CP_DB;
    goto out;
  }
  if (n)
    memcpy(f->payout_instructions, p, n);
  f->payout_instructions[n] = '\0';
  f->is_pool_member = st->db->col_i64(st, 10) != 0;
  f->joined_at = store__col_u64(st, 11);
  f->last_difficulty_change_at = store__col_u64(st, 12);
out:
  if (rc)
    store_farmer_release(f);
  return rc;
}

void store_farmer_release(struct store_farmer *f)
{
  if (!f)
    return;
  free(f->singleton_tip);
  free(f->singleton_tip_state);
  f->singleton_tip = f->singleton_tip_state = NULL;
  f->singleton_tip_len = f->singleton_tip_state_len = 0;
}

static cp_err farmer_get_by(struct store *s, enum store_sql id,
                            const uint8_t *key, struct store_farmer *out)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  uint8_t k[STORE_HASH_LEN];
  cp_err rc;

  memcpy(k, key, sizeof k); /* key may point into *out */
  memset(out, 0, sizeof *out);
  rc = store__prepare(c, id, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, k);
  rc = store__step_one(st);
  if (!rc)
    rc = farmer_row(st, out);
  st->db->reset(st);
out:
  store__reader_release(s, c);
  return rc;
}

cp_err store_farmer_get(struct store *s, const uint8_t *launcher_id,
                        struct store_farmer *out)
{
  return farmer_get_by(s, STORE_SQL_FARMER_GET, launcher_id, out);
}

cp_err store_farmer_get_by_p2(struct store *s, const uint8_t *p2_puzzle_hash,
                              struct store_farmer *out)
{
  return farmer_get_by(s, STORE_SQL_FARMER_GET_P2, p2_puzzle_hash, out);
}

/* Runs one UPDATE keyed by launcher id; CP_NOT_FOUND if no such farmer. */
static cp_err farmer_update_done(struct store_stmt *st)
{
  cp_err rc = store__exec_stmt(st);
  if (!rc && st->db->changes(st) == 0)
    rc = CP_NOT_FOUND;
  return rc;
}

cp_err store__op_farmer_set_difficulty(struct store_conn *c,
                                       struct store_job *job)
{
  int cas = job->in.difficulty.has_expect;
  struct store_stmt *st;
  cp_err rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, cas ? STORE_SQL_FARMER_CAS_DIFFICULTY
                             : STORE_SQL_FARMER_SET_DIFFICULTY, &st);
  if (rc)
    goto out;
  store__bind_u64(st, 1, job->in.difficulty.difficulty);
  store__bind_ord(st, 2, job->in.difficulty.at);
  store__bind_hash(st, 3, job->in.difficulty.launcher_id);
  if (!cas) {
    rc = farmer_update_done(st);
    goto out;
  }
  /* Equality on the stored bit pattern is exact for any uint64. The
   * UPDATE re-reads the row once a concurrent writer commits, so of two
   * front ends moving from one reading only the first matches. */
  store__bind_u64(st, 4, job->in.difficulty.expect);
  rc = store__exec_stmt(st);
  if (!rc)
    job->out.changed = st->db->changes(st) != 0;
out:
  return store__finish(c, rc);
}

cp_err store__op_farmer_set_auth(struct store_conn *c, struct store_job *job)
{
  const char *pi = job->in.auth.payout_instructions;
  const uint8_t *pk = job->in.auth.authentication_public_key;
  const uint8_t *id = job->in.auth.launcher_id;
  struct store_stmt *st;
  cp_err rc;

  if (pi && strnlen(pi, STORE_PAYOUT_INSTRUCTIONS_MAX + 1) >
                STORE_PAYOUT_INSTRUCTIONS_MAX)
    return CP_TOO_BIG;
  if (!pi && !pk)
    return CP_INVAL;
  rc = store__begin(c);
  if (rc)
    return rc;
  if (pi) {
    rc = store__prepare(c, STORE_SQL_FARMER_SET_PAYOUT, &st);
    if (rc)
      goto out;
    st->db->bind_text(st, 1, pi);
    store__bind_hash(st, 2, id);
    rc = farmer_update_done(st);
    if (rc)
      goto out;
  }
  if (pk) {
    rc = store__prepare(c, STORE_SQL_FARMER_SET_AUTH_KEY, &st);
    if (rc)
      goto out;
    store__bind_blob(st, 1, pk, STORE_G1_LEN);
    store__bind_hash(st, 2, id);
    rc = farmer_update_done(st);
  }
out:
  return store__finish(c, rc);
}

cp_err store__op_farmer_set_singleton(struct store_conn *c,
                                      struct store_job *job)
{
  struct store_stmt *st;
  cp_err rc;
  if ((job->in.singleton.tip_len && !job->in.singleton.tip) ||
      (job->in.singleton.state_len && !job->in.singleton.state))
    return CP_INVAL;
  rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_FARMER_SET_SINGLETON, &st);
  if (rc)
    goto out;
  store__bind_blob(st, 1, job->in.singleton.tip, job->in.singleton.tip_len);
  store__bind_blob(st, 2, job->in.singleton.state,
                   job->in.singleton.state_len);
  st->db->bind_i64(st, 3, job->in.singleton.is_pool_member ? 1 : 0);
  store__bind_hash(st, 4, job->in.singleton.launcher_id);
  rc = farmer_update_done(st);
out:
  return store__finish(c, rc);
}

cp_err store_farmer_add(struct store *s, const struct store_farmer *f)
{
  struct store_job job = { .kind = STORE_JOB_FARMER_ADD };
  job.in.farmer = f;
  return store__write_sync(s, &job);
}

cp_err store_farmer_set_difficulty(struct store *s, const uint8_t *launcher_id,
                                   uint64_t difficulty, uint64_t at)
{
  struct store_job job = { .kind = STORE_JOB_FARMER_SET_DIFFICULTY };
  job.in.difficulty.launcher_id = launcher_id;
  job.in.difficulty.difficulty = difficulty;
  job.in.difficulty.at = at;
  return store__write_sync(s, &job);
}

cp_err store_farmer_cas_difficulty(struct store *s, const uint8_t *launcher_id,
                                   uint64_t expect, uint64_t difficulty,
                                   uint64_t at, int *changed)
{
  struct store_job job = { .kind = STORE_JOB_FARMER_SET_DIFFICULTY };
  cp_err rc;
  job.in.difficulty.launcher_id = launcher_id;
  job.in.difficulty.difficulty = difficulty;
  job.in.difficulty.at = at;
  job.in.difficulty.has_expect = 1;
  job.in.difficulty.expect = expect;
  rc = store__write_sync(s, &job);
  *changed = rc ? 0 : job.out.changed;
  return rc;
}

cp_err store_farmer_set_auth(struct store *s, const uint8_t *launcher_id,
                             const char *payout_instructions,
                             const uint8_t *authentication_public_key)
{
  struct store_job job = { .kind = STORE_JOB_FARMER_SET_AUTH };
  job.in.auth.launcher_id = launcher_id;
  job.in.auth.payout_instructions = payout_instructions;
  job.in.auth.authentication_public_key = authentication_public_key;
  return store__write_sync(s, &job);
}

cp_err store_farmer_set_singleton(struct store *s, const uint8_t *launcher_id,
                                  const uint8_t *tip, size_t tip_len,
                                  const uint8_t *state, size_t state_len,
                                  int is_pool_member)
{
  struct store_job job = { .kind = STORE_JOB_FARMER_SET_SINGLETON };
  job.in.singleton.launcher_id = launcher_id;
  job.in.singleton.tip = tip;
  job.in.singleton.tip_len = tip_len;
  job.in.singleton.state = state;
  job.in.singleton.state_len = state_len;
  job.in.singleton.is_pool_member = is_pool_member;
  return store__write_sync(s, &job);
}

static cp_err farmer_row_any(struct store_stmt *st, void *f)
{
  return farmer_row(st, f);
}

static void farmer_release_any(void *f)
{
  store_farmer_release(f);
}

cp_err store_farmer_list_members(struct store *s, struct store_farmer_list *out)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  cp_err rc;

  out->items = NULL;
  out->n = 0;
  rc = store__prepare(c, STORE_SQL_FARMER_MEMBERS, &st);
  if (rc)
    goto out;
  {
    void *items = out->items;
    rc = store__collect_rows(st, &items, &out->n, sizeof *out->items, farmer_row_any,
                             farmer_release_any);
    out->items = items;
  }
out:
  store__reader_release(s, c);
  if (rc)
    store_farmer_list_release(out);
  return rc;
}

void store_farmer_list_release(struct store_farmer_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    store_farmer_release(&l->items[i]);
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

/* ---- credited partials ---- */

/* Inserts a partial and credits its difficulty, inside the caller's
 * transaction. Points saturate: 2^64-1 points cannot be earned between two
 * payouts, so reaching it means corrupt input, not lost money. */
static cp_err partial_credit(struct store_conn *c, const struct store_partial *p)
{
  struct store_stmt *st;
  uint64_t points;
  cp_err rc = store__prepare(c, STORE_SQL_PARTIAL_INSERT, &st);
  if (rc)
    return rc;
  store__bind_hash(st, 1, p->launcher_id);
  store__bind_ord(st, 2, p->timestamp);
  store__bind_u64(st, 3, p->difficulty);
  store__bind_hash(st, 4, p->harvester_id);
  store__bind_hash(st, 5, p->proof_hash);
  store__bind_hash(st, 6, p->sp_hash);
  rc = store__exec_stmt(st);
  if (rc == CP_EXISTS)
    return CP_DUPLICATE;
  if (rc)
    return rc;

  rc = store__prepare(c, STORE_SQL_FARMER_POINTS_GET, &st);
  if (rc)
    return rc;
  store__bind_hash(st, 1, p->launcher_id);
  rc = store__step_one(st);
  points = rc ? 0 : store__col_u64(st, 0);
  st->db->reset(st);
  if (rc)
    return rc;
  if (points > UINT64_MAX - p->difficulty) {
    log_warn("store", "points_saturated", "difficulty=%llu",
             (unsigned long long)p->difficulty);
    points = UINT64_MAX;
  } else {
    points += p->difficulty;
  }
  rc = store__prepare(c, STORE_SQL_FARMER_POINTS_SET, &st);
  if (rc)
    return rc;
  store__bind_u64(st, 1, points);
  store__bind_hash(st, 2, p->launcher_id);
  return farmer_update_done(st);
}

cp_err store__op_partial_add(struct store_conn *c, struct store_job *job)
{
  cp_err rc = store__begin(c);
  if (rc)
    return rc;
  return store__finish(c, partial_credit(c, job->in.partial));
}

cp_err store_partial_add(struct store *s, const struct store_partial *p)
{
  struct store_job job = { .kind = STORE_JOB_PARTIAL_ADD };
  job.in.partial = p;
  return store__write_sync(s, &job);
}

cp_err store_partial_recent(struct store *s, const uint8_t *launcher_id,
                            size_t max, struct store_partial_point *out,
                            size_t *n)
{
  struct store_conn *c;
  struct store_stmt *st;
  int row;
  cp_err rc;

  *n = 0;
  if (!max)
    return CP_OK;
  if (max > (size_t)INT32_MAX)
    return CP_INVAL;
  c = store__reader_acquire(s);
  rc = store__prepare(c, STORE_SQL_PARTIAL_RECENT, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, launcher_id);
  st->db->bind_i64(st, 2, (int64_t)max);
  while (*n < max) {
    rc = st->db->step(st, &row);
    if (rc || !row)
      break;
    out[*n].timestamp = store__col_u64(st, 0);
    out[*n].difficulty = store__col_u64(st, 1);
    (*n)++;
  }
  st->db->reset(st);
out:
  store__reader_release(s, c);
  if (rc)
    *n = 0;
  return rc;
}

cp_err store_partial_count_since(struct store *s, const uint8_t *launcher_id,
                                 uint64_t since, uint64_t *count)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  cp_err rc;

  *count = 0;
  rc = store__prepare(c, STORE_SQL_PARTIAL_COUNT_SINCE, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, launcher_id);
  store__bind_ord(st, 2, since);
  rc = store__step_one(st);
  if (!rc)
    *count = store__col_u64(st, 0);
  st->db->reset(st);
out:
  store__reader_release(s, c);
  return rc;
}

/* CP_OK if the statement finds the proof, CP_NOT_FOUND if not. */
static cp_err proof_lookup(struct store_conn *c, enum store_sql id,
                           const uint8_t *proof_hash)
{
  struct store_stmt *st;
  cp_err rc = store__prepare(c, id, &st);
  if (rc)
    return rc;
  store__bind_hash(st, 1, proof_hash);
  rc = store__step_one(st);
  st->db->reset(st);
  return rc;
}

cp_err store_proof_seen(struct store *s, const uint8_t *proof_hash, int *where)
{
  struct store_conn *c = store__reader_acquire(s);
  cp_err rc;

  *where = 0;
  /* Pending first: a proof moving to partials between the two lookups is
   * then still seen by the second. */
  rc = proof_lookup(c, STORE_SQL_PENDING_GET, proof_hash);
  if (!rc) {
    *where = 2;
    goto out;
  }
  if (rc != CP_NOT_FOUND)
    goto out;
  rc = proof_lookup(c, STORE_SQL_PARTIAL_EXISTS, proof_hash);
  if (!rc)
    *where = 1;
  else if (rc == CP_NOT_FOUND)
    rc = CP_OK;
out:
  store__reader_release(s, c);
  return rc;
}

/* ---- pending partials ---- */

static cp_err pending_row(struct store_stmt *st, struct store_pending *p)
{
  cp_err rc;
  memset(p, 0, sizeof *p);
  p->id = st->db->col_i64(st, 0);
  if ((rc = store__col_fixed(st, 1, p->launcher_id, STORE_HASH_LEN)) ||
      (rc = store__col_fixed(st, 2, p->proof_hash, STORE_HASH_LEN)) ||
      (rc = store__col_fixed(st, 3, p->sp_hash, STORE_HASH_LEN)) ||
      (rc = store__col_fixed(st, 4, p->harvester_id, STORE_HASH_LEN)) ||
      (rc = store__col_dup(st, 8, &p->payload, &p->payload_len)))
    return rc;
  p->difficulty = store__col_u64(st, 5);
  p->received_at = store__col_u64(st, 6);
  p->due_at = store__col_u64(st, 7);
  return CP_OK;
}

void store_pending_list_release(struct store_pending_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->items[i].payload);
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

/* Appends every row of a prepared statement, then resets it. */
static cp_err pending_row_any(struct store_stmt *st, void *p)
{
  return pending_row(st, p);
}

static void pending_release_any(void *p)
{
  free(((struct store_pending *)p)->payload);
}

static cp_err pending_rows(struct store_stmt *st, struct store_pending_list *l)
{
  void *items = l->items;
  cp_err rc = store__collect_rows(st, &items, &l->n, sizeof *l->items, pending_row_any,
                                  pending_release_any);
  l->items = items;
  return rc;
}

cp_err store__op_pending_enqueue(struct store_conn *c, struct store_job *job)
{
  const struct store_pending *p = job->in.pending;
  struct store_stmt *st;
  cp_err rc;

  if (p->payload_len > STORE_BLOB_MAX)
    return CP_TOO_BIG;
  if (p->payload_len && !p->payload)
    return CP_INVAL;
  rc = store__begin(c);
  if (rc)
    return rc;
  rc = proof_lookup(c, STORE_SQL_PARTIAL_EXISTS, p->proof_hash);
  if (!rc)
    rc = CP_DUPLICATE;
  if (rc != CP_NOT_FOUND)
    goto out;
  rc = store__prepare(c, STORE_SQL_PENDING_INSERT, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, p->launcher_id);
  store__bind_hash(st, 2, p->proof_hash);
  store__bind_hash(st, 3, p->sp_hash);
  store__bind_hash(st, 4, p->harvester_id);
  store__bind_u64(st, 5, p->difficulty);
  store__bind_ord(st, 6, p->received_at);
  store__bind_ord(st, 7, p->due_at);
  store__bind_blob(st, 8, p->payload, p->payload_len);
  rc = store__step_one(st);
  if (!rc)
    job->out.id = st->db->col_i64(st, 0);
  st->db->reset(st);
  if (rc == CP_EXISTS)
    rc = CP_DUPLICATE;
  if (rc)
    goto out;
  /* Another front end may have been crediting this proof (pending row
   * deleted, partial inserted) while we looked: our insert then waited
   * for its commit on the unique index, so this second look sees the
   * partial and the proof is not queued twice. */
  rc = proof_lookup(c, STORE_SQL_PARTIAL_EXISTS, p->proof_hash);
  if (!rc)
    rc = CP_DUPLICATE;
  else if (rc == CP_NOT_FOUND)
    rc = CP_OK;
out:
  return store__finish(c, rc);
}

cp_err store__op_pending_claim(struct store_conn *c, struct store_job *job)
{
  struct store_pending_list *l = &job->out.claimed;
  struct store_stmt *st;
  size_t max = job->in.claim.max;
  cp_err rc;

  l->items = NULL;
  l->n = 0;
  if (!max)
    return CP_OK;
  if (max > STORE_CLAIM_MAX)
    max = STORE_CLAIM_MAX;
  rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_PENDING_DUE, &st);
  if (rc)
    goto out;
  store__bind_ord(st, 1, job->in.claim.now);
  st->db->bind_i64(st, 2, (int64_t)max);
  rc = pending_rows(st, l);
  if (rc)
    goto out;
  for (size_t i = 0; i < l->n; i++) {
    rc = store__prepare(c, STORE_SQL_PENDING_MARK, &st);
    if (rc)
      goto out;
    st->db->bind_i64(st, 1, l->items[i].id);
    rc = store__exec_stmt(st);
    if (rc)
      goto out;
  }
out:
  rc = store__finish(c, rc);
  if (rc)
    store_pending_list_release(l);
  return rc;
}

cp_err store__op_pending_complete(struct store_conn *c, struct store_job *job)
{
  const uint8_t *proof_hash = job->in.complete.proof_hash;
  struct store_pending p = { .payload = NULL };
  struct store_partial part;
  struct store_stmt *st;
  cp_err rc;

  job->out.credited = 0;
  rc = store__begin(c);
  if (rc)
    return rc;
  /* Locked: a second completer (a deposed leader still finishing its
   * pass) waits here, then finds the row gone and takes the branch below. */
  rc = store__prepare(c, STORE_SQL_PENDING_GET_LOCK, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, proof_hash);
  rc = store__step_one(st);
  if (!rc)
    rc = pending_row(st, &p);
  st->db->reset(st);
  if (rc == CP_NOT_FOUND) {
    /* Completing twice (e.g. a retry after a lost reply) is not an error
     * as long as the first one credited it. */
    rc = proof_lookup(c, STORE_SQL_PARTIAL_EXISTS, proof_hash);
    goto out;
  }
  if (rc)
    goto out;
  rc = store__prepare(c, STORE_SQL_PENDING_DELETE, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, proof_hash);
  rc = store__exec_stmt(st);
  if (rc)
    goto out;
  memcpy(part.launcher_id, p.launcher_id, STORE_HASH_LEN);
  part.timestamp = job->in.complete.at;
  part.difficulty = p.difficulty;
  memcpy(part.harvester_id, p.harvester_id, STORE_HASH_LEN);
  memcpy(part.proof_hash, p.proof_hash, STORE_HASH_LEN);
  memcpy(part.sp_hash, p.sp_hash, STORE_HASH_LEN);
  rc = partial_credit(c, &part);
  if (!rc)
    job->out.credited = 1;
out:
  free(p.payload);
  rc = store__finish(c, rc);
  if (rc)
    job->out.credited = 0;
  return rc;
}

cp_err store__op_pending_drop(struct store_conn *c, struct store_job *job)
{
  struct store_stmt *st;
  cp_err rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_PENDING_DELETE, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, job->in.complete.proof_hash);
  rc = store__exec_stmt(st);
  if (!rc && st->db->changes(st) == 0)
    rc = CP_NOT_FOUND;
out:
  return store__finish(c, rc);
}

cp_err store__pending_unclaim_all(struct store_conn *c, uint64_t *n)
{
  struct store_stmt *st;
  cp_err rc = store__begin(c);
  *n = 0;
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_PENDING_UNCLAIM_ALL, &st);
  if (!rc)
    rc = store__exec_stmt(st);
  if (!rc)
    *n = st->db->changes(st);
  rc = store__finish(c, rc);
  if (rc)
    *n = 0;
  return rc;
}

cp_err store_pending_enqueue(struct store *s, const struct store_pending *p,
                             int64_t *id)
{
  struct store_job job = { .kind = STORE_JOB_PENDING_ENQUEUE };
  cp_err rc;
  job.in.pending = p;
  rc = store__write_sync(s, &job);
  if (id)
    *id = rc ? 0 : job.out.id;
  return rc;
}

cp_err store_pending_claim(struct store *s, uint64_t now, size_t max,
                           struct store_pending_list *out)
{
  struct store_job job = { .kind = STORE_JOB_PENDING_CLAIM };
  cp_err rc;
  job.in.claim.now = now;
  job.in.claim.max = max;
  rc = store__write_sync(s, &job);
  if (rc) {
    out->items = NULL;
    out->n = 0;
  } else {
    *out = job.out.claimed;
  }
  return rc;
}

cp_err store_pending_complete(struct store *s, const uint8_t *proof_hash,
                              uint64_t at, int *credited)
{
  struct store_job job = { .kind = STORE_JOB_PENDING_COMPLETE };
  cp_err rc;
  job.in.complete.proof_hash = proof_hash;
  job.in.complete.at = at;
  rc = store__write_sync(s, &job);
  if (credited)
    *credited = rc ? 0 : job.out.credited;
  return rc;
}

cp_err store_pending_drop(struct store *s, const uint8_t *proof_hash)
{
  struct store_job job = { .kind = STORE_JOB_PENDING_DROP };
  job.in.complete.proof_hash = proof_hash;
  return store__write_sync(s, &job);
}

cp_err store_pending_count(struct store *s, uint64_t *n)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  cp_err rc;

  *n = 0;
  rc = store__prepare(c, STORE_SQL_PENDING_COUNT, &st);
  if (!rc)
    rc = store__step_one(st);
  if (!rc) {
    *n = (uint64_t)st->db->col_i64(st, 0);
    st->db->reset(st);
  }
  store__reader_release(s, c);
  return rc;
}

cp_err store_pending_list(struct store *s, struct store_pending_list *out)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  cp_err rc;

  out->items = NULL;
  out->n = 0;
  rc = store__prepare(c, STORE_SQL_PENDING_ALL, &st);
  if (!rc)
    rc = pending_rows(st, out);
  store__reader_release(s, c);
  if (rc)
    store_pending_list_release(out);
  return rc;
}

/* ---- PUT /farmer cooldowns ---- */

cp_err store_cooldown_get(struct store *s, const uint8_t *launcher_id,
                          uint64_t *until)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  cp_err rc;

  *until = 0;
  rc = store__prepare(c, STORE_SQL_COOLDOWN_GET, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, launcher_id);
  rc = store__step_one(st);
  if (!rc)
    *until = store__col_u64(st, 0);
  st->db->reset(st);
  if (rc == CP_NOT_FOUND)
    rc = CP_OK;
out:
  store__reader_release(s, c);
  return rc;
}

/* One statement: the upsert's WHERE decides under the row lock, so two
 * front ends cannot both see an expired cooldown and both start one. */
cp_err store__op_cooldown_take(struct store_conn *c, struct store_job *job)
{
  struct store_stmt *st;
  cp_err rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_COOLDOWN_TAKE, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, job->in.cooldown.launcher_id);
  store__bind_ord(st, 2, job->in.cooldown.until);
  store__bind_ord(st, 3, job->in.cooldown.now);
  rc = store__exec_stmt(st);
  if (!rc)
    job->out.taken = st->db->changes(st) != 0;
out:
  return store__finish(c, rc);
}

cp_err store_cooldown_take(struct store *s, const uint8_t *launcher_id,
                           uint64_t now, uint64_t until, int *taken)
{
  struct store_job job = { .kind = STORE_JOB_COOLDOWN_TAKE };
  cp_err rc;
  job.in.cooldown.launcher_id = launcher_id;
  job.in.cooldown.now = now;
  job.in.cooldown.until = until;
  rc = store__write_sync(s, &job);
  *taken = rc ? 0 : job.out.taken;
  return rc;
}
