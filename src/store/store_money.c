/* Rewards, the chain cursor, payout batches, points consumption and
 * carried-forward balances. Every mutation here is one transaction: a
 * payout plan, its lines, the points it consumes and the balances it leaves
 * commit together or not at all. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/xalloc.h"

#define STORE_PAYOUT_LINES_MAX 100000

/* ---- rewards ---- */

static int reward_state_ok(int st)
{
  return st >= STORE_REWARD_FOUND && st <= STORE_REWARD_ORPHANED;
}

cp_err store__op_reward_upsert(struct store_conn *c, struct store_job *job)
{
  const struct store_reward *r = job->in.reward;
  struct store_stmt *st;
  cp_err rc;

  if (!reward_state_ok((int)r->state))
    return CP_INVAL;
  rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_REWARD_UPSERT, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, r->coin_id);
  store__bind_hash(st, 2, r->launcher_id);
  store__bind_ord(st, 3, r->height);
  store__bind_u64(st, 4, r->amount);
  st->db->bind_i64(st, 5, (int64_t)r->state);
  if (r->has_absorb_tx)
    store__bind_hash(st, 6, r->absorb_tx_id);
  else
    st->db->bind_null(st, 6);
  store__bind_u64(st, 7, r->claim_fee);
  rc = store__exec_stmt(st);
out:
  return store__finish(c, rc);
}

static cp_err reward_row(struct store_stmt *st, struct store_reward *r)
{
  cp_err rc;
  int64_t state;
  memset(r, 0, sizeof *r);
  if ((rc = store__col_fixed(st, 0, r->coin_id, STORE_HASH_LEN)) ||
      (rc = store__col_fixed(st, 1, r->launcher_id, STORE_HASH_LEN)))
    return rc;
  r->height = store__col_u64(st, 2);
  r->amount = store__col_u64(st, 3);
  state = st->db->col_i64(st, 4);
  if (!reward_state_ok((int)state))
    return CP_DB;
  r->state = (enum store_reward_state)state;
  r->claim_fee = store__col_u64(st, 6);
  if (!st->db->col_null(st, 5)) {
    r->has_absorb_tx = 1;
    rc = store__col_fixed(st, 5, r->absorb_tx_id, STORE_HASH_LEN);
  }
  return rc;
}

static cp_err reward_row_any(struct store_stmt *st, void *r)
{
  return reward_row(st, r);
}

static cp_err line_row(struct store_stmt *st, void *item)
{
  struct store_payout_line *ln = item;
  cp_err rc = store__col_fixed(st, 0, ln->puzzle_hash, STORE_HASH_LEN);
  if (rc)
    return rc;
  ln->amount = store__col_u64(st, 1);
  if (st->db->col_null(st, 2))
    return CP_OK;
  ln->has_launcher = 1;
  return store__col_fixed(st, 2, ln->launcher_id, STORE_HASH_LEN);
}

cp_err store_reward_upsert(struct store *s, const struct store_reward *r)
{
  struct store_job job = { .kind = STORE_JOB_REWARD_UPSERT };
  job.in.reward = r;
  return store__write_sync(s, &job);
}

cp_err store_reward_get(struct store *s, const uint8_t *coin_id,
                        struct store_reward *out)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  cp_err rc;

  memset(out, 0, sizeof *out);
  rc = store__prepare(c, STORE_SQL_REWARD_GET, &st);
  if (rc)
    goto out;
  store__bind_hash(st, 1, coin_id);
  rc = store__step_one(st);
  if (!rc)
    rc = reward_row(st, out);
  st->db->reset(st);
out:
  store__reader_release(s, c);
  return rc;
}

cp_err store_reward_list(struct store *s, enum store_reward_state state,
                         struct store_reward_list *out)
{
  struct store_conn *c;
  struct store_stmt *st;
  cp_err rc;

  out->items = NULL;
  out->n = 0;
  if (!reward_state_ok((int)state))
    return CP_INVAL;
  c = store__reader_acquire(s);
  rc = store__prepare(c, STORE_SQL_REWARD_BY_STATE, &st);
  if (rc)
    goto out;
  st->db->bind_i64(st, 1, (int64_t)state);
  {
    void *items = out->items;
    rc = store__collect_rows(st, &items, &out->n, sizeof *out->items, reward_row_any, NULL);
    out->items = items;
  }
out:
  store__reader_release(s, c);
  if (rc)
    store_reward_list_release(out);
  return rc;
}

void store_reward_list_release(struct store_reward_list *l)
{
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

/* ---- chain cursor ---- */

static cp_err chain_set(struct store_conn *c, uint64_t height,
                        const uint8_t *header_hash)
{
  struct store_stmt *st;
  cp_err rc = store__prepare(c, STORE_SQL_CHAIN_SET, &st);
  if (rc)
    return rc;
  store__bind_ord(st, 1, height);
  store__bind_hash(st, 2, header_hash);
  return store__exec_stmt(st);
}

cp_err store__op_chain_set(struct store_conn *c, struct store_job *job)
{
  cp_err rc = store__begin(c);
  if (rc)
    return rc;
  rc = chain_set(c, job->in.chain.height, job->in.chain.header_hash);
  return store__finish(c, rc);
}

cp_err store__op_chain_rollback(struct store_conn *c, struct store_job *job)
{
  struct store_stmt *st;
  cp_err rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_REWARD_DELETE_ABOVE, &st);
  if (rc)
    goto out;
  store__bind_ord(st, 1, job->in.chain.height);
  rc = store__exec_stmt(st);
  if (rc)
    goto out;
  job->out.count = st->db->changes(st);
  rc = chain_set(c, job->in.chain.height, job->in.chain.header_hash);
out:
  rc = store__finish(c, rc);
  if (rc)
    job->out.count = 0;
  else if (job->out.count)
    log_info("store", "reorg_rollback", "height=%llu rewards_deleted=%llu",
             (unsigned long long)job->in.chain.height,
             (unsigned long long)job->out.count);
  return rc;
}

cp_err store_chain_get(struct store *s, uint64_t *height, uint8_t *header_hash)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  cp_err rc = store__prepare(c, STORE_SQL_CHAIN_GET, &st);
  if (rc)
    goto out;
  rc = store__step_one(st);
  if (!rc) {
    *height = store__col_u64(st, 0);
    rc = store__col_fixed(st, 1, header_hash, STORE_HASH_LEN);
  }
  st->db->reset(st);
out:
  store__reader_release(s, c);
  return rc;
}

cp_err store_chain_set(struct store *s, uint64_t height,
                       const uint8_t *header_hash)
{
  struct store_job job = { .kind = STORE_JOB_CHAIN_SET };
  job.in.chain.height = height;
  job.in.chain.header_hash = header_hash;
  return store__write_sync(s, &job);
}

cp_err store_chain_rollback(struct store *s, uint64_t height,
                            const uint8_t *header_hash, uint64_t *deleted)
{
  struct store_job job = { .kind = STORE_JOB_CHAIN_ROLLBACK };
  cp_err rc;
  job.in.chain.height = height;
  job.in.chain.header_hash = header_hash;
  rc = store__write_sync(s, &job);
  if (deleted)
    *deleted = rc ? 0 : job.out.count;
  return rc;
}

/* ---- balances ---- */

/* lock: a writer reading to write back (see store_int.h) */
static cp_err balance_read(struct store_conn *c, const uint8_t *launcher_id,
                           uint64_t *amount, int lock)
{
  struct store_stmt *st;
  cp_err rc = store__prepare(c, lock ? STORE_SQL_BALANCE_GET_LOCK
                                     : STORE_SQL_BALANCE_GET, &st);
  *amount = 0;
  if (rc)
    return rc;
  store__bind_hash(st, 1, launcher_id);
  rc = store__step_one(st);
  if (!rc)
    *amount = store__col_u64(st, 0);
  st->db->reset(st);
  return rc == CP_NOT_FOUND ? CP_OK : rc;
}

static cp_err balance_write(struct store_conn *c, const uint8_t *launcher_id,
                            uint64_t amount, uint64_t at)
{
  struct store_stmt *st;
  cp_err rc = store__prepare(c, STORE_SQL_BALANCE_SET, &st);
  if (rc)
    return rc;
  store__bind_hash(st, 1, launcher_id);
  store__bind_u64(st, 2, amount);
  store__bind_ord(st, 3, at);
  return store__exec_stmt(st);
}

cp_err store_balance_get(struct store *s, const uint8_t *launcher_id,
                         uint64_t *amount)
{
  struct store_conn *c = store__reader_acquire(s);
  cp_err rc = balance_read(c, launcher_id, amount, 0);
  store__reader_release(s, c);
  return rc;
}

/* ---- payouts ---- */

static int payout_state_ok(int st)
{
  return st >= STORE_PAYOUT_PLANNED && st <= STORE_PAYOUT_FAILED;
}

static cp_err plan_check(const struct store_payout_plan *p, uint64_t *total)
{
  size_t klen;
  *total = 0;
  if (!p->idempotency_key)
    return CP_INVAL;
  klen = strnlen(p->idempotency_key, STORE_KEY_MAX + 1);
  if (klen == 0)
    return CP_INVAL;
  if (klen > STORE_KEY_MAX)
    return CP_TOO_BIG;
  if (p->points_mode < STORE_POINTS_KEEP || p->points_mode > STORE_POINTS_RESET)
    return CP_INVAL;
  if (p->n_lines > STORE_PAYOUT_LINES_MAX ||
      p->n_farmers > STORE_PAYOUT_LINES_MAX)
    return CP_TOO_BIG;
  if ((p->n_lines && !p->lines) || (p->n_farmers && !p->farmers))
    return CP_INVAL;
  for (size_t i = 0; i < p->n_lines; i++) {
    if (p->lines[i].amount > UINT64_MAX - *total)
      return CP_INVAL;
    *total += p->lines[i].amount;
  }
  return CP_OK;
}

static cp_err plan_points(struct store_conn *c, const struct store_payout_plan *p)
{
  struct store_stmt *st;
  cp_err rc = CP_OK;

  if (p->points_mode == STORE_POINTS_RESET) {
    rc = store__prepare(c, STORE_SQL_FARMER_POINTS_RESET, &st);
    return rc ? rc : store__exec_stmt(st);
  }
  if (p->points_mode != STORE_POINTS_SUBTRACT)
    return CP_OK;
  for (size_t i = 0; i < p->n_farmers; i++) {
    const struct store_payout_farmer *f = &p->farmers[i];
    uint64_t points;
    rc = store__prepare(c, STORE_SQL_FARMER_POINTS_GET, &st);
    if (rc)
      return rc;
    store__bind_hash(st, 1, f->launcher_id);
    rc = store__step_one(st);
    points = rc ? 0 : store__col_u64(st, 0);
    st->db->reset(st);
    if (rc)
      return rc;
    if (points < f->points_used) {
      log_error("store", "payout_points_short", "have=%llu used=%llu",
                (unsigned long long)points,
                (unsigned long long)f->points_used);
      return CP_INVAL; /* the plan was computed from data we never had */
    }
    rc = store__prepare(c, STORE_SQL_FARMER_POINTS_SET, &st);
    if (rc)
      return rc;
    store__bind_u64(st, 1, points - f->points_used);
    store__bind_hash(st, 2, f->launcher_id);
    rc = store__exec_stmt(st);
    if (rc)
      return rc;
  }
  return CP_OK;
}

cp_err store__op_payout_plan(struct store_conn *c, struct store_job *job)
{
  const struct store_payout_plan *p = job->in.plan;
  struct store_stmt *st;
  int64_t id = 0;
  uint64_t total;
  cp_err rc;

  job->out.id = 0;
  rc = plan_check(p, &total);
  if (rc)
    return rc;
  rc = store__begin(c);
  if (rc)
    return rc;
  rc = store__prepare(c, STORE_SQL_BATCH_FIND_KEY, &st);
  if (rc)
    goto out;
  st->db->bind_text(st, 1, p->idempotency_key);
  rc = store__step_one(st);
  if (!rc)
    id = st->db->col_i64(st, 0);
  st->db->reset(st);
  if (!rc) {
    rc = CP_DUPLICATE;
    goto out;
  }
  if (rc != CP_NOT_FOUND)
    goto out;

  rc = store__prepare(c, STORE_SQL_BATCH_INSERT, &st);
  if (rc)
    goto out;
  st->db->bind_text(st, 1, p->idempotency_key);
  store__bind_ord(st, 2, p->created_at);
  store__bind_ord(st, 3, p->created_at);
  store__bind_ord(st, 4, p->window_end);
  store__bind_u64(st, 5, total);
  st->db->bind_i64(st, 6, (int64_t)p->points_mode);
  rc = store__step_one(st);
  if (!rc)
    id = st->db->col_i64(st, 0);
  st->db->reset(st);
  if (rc == CP_EXISTS) {
    /* Another process inserted the key after our lookup and committed:
     * still exactly once. Its id is not readable in this failed savepoint. */
    id = 0;
    rc = CP_DUPLICATE;
  }
  if (rc)
    goto out;

  for (size_t i = 0; i < p->n_lines; i++) {
    const struct store_payout_line *l = &p->lines[i];
    rc = store__prepare(c, STORE_SQL_LINE_INSERT, &st);
    if (rc)
      goto out;
    st->db->bind_i64(st, 1, id);
    st->db->bind_i64(st, 2, (int64_t)i);
    store__bind_hash(st, 3, l->puzzle_hash);
    store__bind_u64(st, 4, l->amount);
    if (l->has_launcher)
      store__bind_hash(st, 5, l->launcher_id);
    else
      st->db->bind_null(st, 5);
    rc = store__exec_stmt(st);
    if (rc)
      goto out;
  }
  rc = plan_points(c, p);
  if (rc)
    goto out;
  for (size_t i = 0; i < p->n_farmers; i++) {
    rc = balance_write(c, p->farmers[i].launcher_id, p->farmers[i].balance,
                       p->created_at);
    if (rc)
      goto out;
  }
out:
  job->out.id = id;
  rc = store__finish(c, rc);
  if (rc && rc != CP_DUPLICATE)
    job->out.id = 0;
  return rc;
}

static cp_err batch_row(struct store_stmt *st, struct store_payout_batch *b)
{
  const void *p;
  size_t n;
  int64_t v;
  cp_err rc = CP_OK;

  memset(b, 0, sizeof *b);
  b->id = st->db->col_i64(st, 0);
  p = st->db->col_blob(st, 1, &n);
  if (n > STORE_KEY_MAX)
    return CP_DB;
  if (n)
    memcpy(b->idempotency_key, p, n);
  v = st->db->col_i64(st, 2);
  if (!payout_state_ok((int)v))
    return CP_DB;
  b->state = (enum store_payout_state)v;
  if (!st->db->col_null(st, 3)) {
    b->has_tx = 1;
    rc = store__col_fixed(st, 3, b->tx_id, STORE_HASH_LEN);
  }
  b->created_at = store__col_u64(st, 4);
  b->updated_at = store__col_u64(st, 5);
  b->window_end = store__col_u64(st, 6);
  b->total_amount = store__col_u64(st, 7);
  b->points_mode = (enum store_points_mode)st->db->col_i64(st, 8);
  return rc;
}

static cp_err batch_read(struct store_conn *c, int64_t id,
                         struct store_payout_batch *b, int lock)
{
  struct store_stmt *st;
  cp_err rc = store__prepare(c, lock ? STORE_SQL_BATCH_GET_LOCK
                                     : STORE_SQL_BATCH_GET, &st);
  if (rc)
    return rc;
  st->db->bind_i64(st, 1, id);
  rc = store__step_one(st);
  if (!rc)
    rc = batch_row(st, b);
  st->db->reset(st);
  return rc;
}

static cp_err lines_read(struct store_conn *c, int64_t id,
                         struct store_payout_line_list *l)
{
  struct store_stmt *st;
  cp_err rc;

  l->items = NULL;
  l->n = 0;
  rc = store__prepare(c, STORE_SQL_LINE_LIST, &st);
  if (rc)
    return rc;
  st->db->bind_i64(st, 1, id);
  {
    void *items = l->items;
    rc = store__collect_rows(st, &items, &l->n, sizeof *l->items, line_row, NULL);
    l->items = items;
  }
  if (rc)
    store_payout_line_list_release(l);
  return rc;
}

static int payout_transition_ok(enum store_payout_state from,
                                enum store_payout_state to)
{
  switch (from) {
  case STORE_PAYOUT_PLANNED:
    return to == STORE_PAYOUT_SUBMITTED || to == STORE_PAYOUT_FAILED;
  case STORE_PAYOUT_SUBMITTED:
    return to == STORE_PAYOUT_CONFIRMED || to == STORE_PAYOUT_FAILED;
  default:
    return 0;
  }
}

/* A failed batch paid nothing: its farmer lines go back to the balances
 * they came from, so the next plan pays them. */
static cp_err payout_refund(struct store_conn *c, int64_t id, uint64_t at)
{
  struct store_payout_line_list l;
  cp_err rc = lines_read(c, id, &l);
  if (rc)
    return rc;
  for (size_t i = 0; i < l.n && !rc; i++) {
    uint64_t bal;
    if (!l.items[i].has_launcher)
      continue;
    rc = balance_read(c, l.items[i].launcher_id, &bal, 1);
    if (rc)
      break;
    if (bal > UINT64_MAX - l.items[i].amount) {
      rc = CP_INVAL;
      break;
    }
    rc = balance_write(c, l.items[i].launcher_id, bal + l.items[i].amount, at);
  }
  store_payout_line_list_release(&l);
  return rc;
}

cp_err store__op_payout_set_state(struct store_conn *c, struct store_job *job)
{
  enum store_payout_state to = job->in.payout_state.state;
  const uint8_t *tx = job->in.payout_state.tx_id;
  struct store_payout_batch b;
  struct store_stmt *st;
  cp_err rc;

  if (!payout_state_ok((int)to))
    return CP_INVAL;
  rc = store__begin(c);
  if (rc)
    return rc;
  /* Locked: two processes moving one batch (the leader and an operator's
   * `payouts retry`) take turns, so a failed batch is refunded once. */
  rc = batch_read(c, job->in.payout_state.batch_id, &b, 1);
  if (rc)
    goto out;
  if (b.state == to) {
    /* A repeated report is fine; a different tx for the same state is not. */
    if (tx && (!b.has_tx || memcmp(tx, b.tx_id, STORE_HASH_LEN) != 0))
      rc = CP_INVAL;
    goto out;
  }
  if (!payout_transition_ok(b.state, to) ||
      (to == STORE_PAYOUT_SUBMITTED && !tx)) {
    rc = CP_INVAL;
    goto out;
  }
  rc = store__prepare(c, STORE_SQL_BATCH_SET_STATE, &st);
  if (rc)
    goto out;
  st->db->bind_i64(st, 1, (int64_t)to);
  if (tx)
    store__bind_hash(st, 2, tx);
  else if (b.has_tx)
    store__bind_hash(st, 2, b.tx_id);
  else
    st->db->bind_null(st, 2);
  store__bind_ord(st, 3, job->in.payout_state.at);
  st->db->bind_i64(st, 4, b.id);
  rc = store__exec_stmt(st);
  if (rc)
    goto out;
  if (to == STORE_PAYOUT_FAILED)
    rc = payout_refund(c, b.id, job->in.payout_state.at);
out:
  return store__finish(c, rc);
}

cp_err store_payout_plan(struct store *s, const struct store_payout_plan *p,
                         int64_t *batch_id)
{
  struct store_job job = { .kind = STORE_JOB_PAYOUT_PLAN };
  cp_err rc;
  job.in.plan = p;
  rc = store__write_sync(s, &job);
  if (batch_id)
    *batch_id = job.out.id;
  return rc;
}

cp_err store_payout_set_state(struct store *s, int64_t batch_id,
                              enum store_payout_state state,
                              const uint8_t *tx_id, uint64_t at)
{
  struct store_job job = { .kind = STORE_JOB_PAYOUT_SET_STATE };
  job.in.payout_state.batch_id = batch_id;
  job.in.payout_state.state = state;
  job.in.payout_state.tx_id = tx_id;
  job.in.payout_state.at = at;
  return store__write_sync(s, &job);
}

cp_err store_payout_get(struct store *s, int64_t batch_id,
                        struct store_payout_batch *out,
                        struct store_payout_line_list *lines)
{
  struct store_conn *c = store__reader_acquire(s);
  cp_err rc;

  if (lines) {
    lines->items = NULL;
    lines->n = 0;
  }
  /* One snapshot for the batch and its lines. */
  rc = c->db->begin(c, 0);
  if (rc)
    goto out;
  rc = batch_read(c, batch_id, out, 0);
  if (!rc && lines)
    rc = lines_read(c, batch_id, lines);
  c->db->rollback(c);
out:
  store__reader_release(s, c);
  return rc;
}

void store_payout_line_list_release(struct store_payout_line_list *l)
{
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

cp_err store_payout_list(struct store *s, enum store_payout_state state,
                         int64_t *ids, size_t max, size_t *n)
{
  struct store_conn *c;
  struct store_stmt *st;
  int row;
  cp_err rc;

  *n = 0;
  if (!payout_state_ok((int)state) || max > (size_t)INT32_MAX)
    return CP_INVAL;
  if (!max)
    return CP_OK;
  c = store__reader_acquire(s);
  rc = store__prepare(c, STORE_SQL_BATCH_BY_STATE, &st);
  if (rc)
    goto out;
  st->db->bind_i64(st, 1, (int64_t)state);
  st->db->bind_i64(st, 2, (int64_t)max);
  while (*n < max) {
    rc = st->db->step(st, &row);
    if (rc || !row)
      break;
    ids[(*n)++] = st->db->col_i64(st, 0);
  }
  st->db->reset(st);
out:
  store__reader_release(s, c);
  if (rc)
    *n = 0;
  return rc;
}

cp_err store_points_window(struct store *s, uint64_t *window_end)
{
  struct store_conn *c = store__reader_acquire(s);
  struct store_stmt *st;
  cp_err rc;

  *window_end = 0;
  rc = store__prepare(c, STORE_SQL_BATCH_WINDOW, &st);
  if (rc)
    goto out;
  rc = store__step_one(st);
  if (!rc)
    *window_end = store__col_u64(st, 0);
  st->db->reset(st);
  if (rc == CP_NOT_FOUND)
    rc = CP_OK;
out:
  store__reader_release(s, c);
  return rc;
}
