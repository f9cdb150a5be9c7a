/* Internals shared by the store's files: the backend vtable, the statement
 * catalogue and binding helpers. Not for use outside src/store.
 *
 * The operations (store_farmer.c, store_money.c) are written once against
 * struct store_db; a backend (store_sqlite.c, later store_pg.c) supplies
 * connections, prepared statements and the schema DDL. Shared statements use
 * `?` placeholders and only syntax both SQLite >= 3.35 and PostgreSQL >= 12
 * accept (ON CONFLICT ... DO UPDATE, RETURNING, LIMIT); a backend may
 * rewrite placeholders ($1..$n) when it prepares them.
 *
 * Concurrent writers: several processes may write one PostgreSQL database
 * (scale-out front ends), each at READ COMMITTED. A writer-side read that
 * feeds a write (points, a balance, a batch's state) therefore ends in a
 * row-lock clause (" FOR UPDATE", or " FOR NO KEY UPDATE" on rows other
 * tables reference: inserting a partial takes KEY SHARE on its farmer, and
 * FOR UPDATE after that would deadlock two crediting writers), so a second
 * process waits and then reads the committed value. SQLite, whose writer
 * holds the whole database from BEGIN IMMEDIATE, prepares the text before
 * " FOR ". Such statements must never run on a reader connection.
 *
 * Integer mapping: columns are signed 64-bit (BIGINT). A uint64 amount,
 * point count or difficulty is stored as the int64 with the same bit
 * pattern, so 2^64-1 is stored as -1 and reads back exactly. SQL therefore
 * never sums, compares or orders these columns; arithmetic on them happens
 * in C with overflow checks. Timestamps, heights and ids are ordered in SQL
 * and are stored as ordinary non-negative values (> INT64_MAX is CP_INVAL). */
#ifndef CP_STORE_STORE_INT_H
#define CP_STORE_STORE_INT_H

#include <stdint.h>
#include <string.h>
#include "store/store.h"

#define STORE_FARMER_COLS                                                     \
  "launcher_id, p2_singleton_puzzle_hash, delay_time, delay_puzzle_hash, "   \
  "authentication_public_key, singleton_tip, singleton_tip_state, points, "  \
  "difficulty, payout_instructions, is_pool_member, joined_at, "             \
  "last_difficulty_change_at"
#define STORE_PENDING_COLS                                                    \
  "id, launcher_id, proof_hash, sp_hash, harvester_id, difficulty, "         \
  "received_at, due_at, payload"
#define STORE_REWARD_COLS                                                     \
  "coin_id, launcher_id, height, amount, state, absorb_tx_id, claim_fee"
#define STORE_BATCH_COLS                                                      \
  "id, idempotency_key, state, tx_id, created_at, updated_at, window_end, "  \
  "total_amount, points_mode"

/* Every shared statement: id, SQL. */
#define STORE_SQL_MAP(X)                                                      \
  X(SCHEMA_CREATE, "CREATE TABLE IF NOT EXISTS schema_version "              \
    "(version BIGINT NOT NULL)")                                             \
  X(SCHEMA_GET, "SELECT MAX(version) FROM schema_version")                   \
  X(SCHEMA_INSERT, "INSERT INTO schema_version (version) VALUES (?)")        \
  X(FARMER_INSERT, "INSERT INTO farmers (" STORE_FARMER_COLS ") VALUES "     \
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")                               \
  X(FARMER_GET, "SELECT " STORE_FARMER_COLS " FROM farmers "                 \
    "WHERE launcher_id = ?")                                                 \
  X(FARMER_GET_P2, "SELECT " STORE_FARMER_COLS " FROM farmers "              \
    "WHERE p2_singleton_puzzle_hash = ?")                                    \
  X(FARMER_MEMBERS, "SELECT " STORE_FARMER_COLS " FROM farmers "             \
    "WHERE is_pool_member = 1 ORDER BY launcher_id")                         \
  X(FARMER_SET_DIFFICULTY, "UPDATE farmers SET difficulty = ?, "             \
    "last_difficulty_change_at = ? WHERE launcher_id = ?")                   \
  X(FARMER_SET_PAYOUT, "UPDATE farmers SET payout_instructions = ? "         \
    "WHERE launcher_id = ?")                                                 \
  X(FARMER_SET_AUTH_KEY, "UPDATE farmers SET authentication_public_key = ? " \
    "WHERE launcher_id = ?")                                                 \
  X(FARMER_SET_SINGLETON, "UPDATE farmers SET singleton_tip = ?, "           \
    "singleton_tip_state = ?, is_pool_member = ? WHERE launcher_id = ?")     \
  X(FARMER_CAS_DIFFICULTY, "UPDATE farmers SET difficulty = ?, "          \
    "last_difficulty_change_at = ? WHERE launcher_id = ? AND difficulty = ?") \
  X(FARMER_POINTS_GET, "SELECT points FROM farmers WHERE launcher_id = ? "   \
    "FOR NO KEY UPDATE")                                                     \
  X(FARMER_POINTS_SET, "UPDATE farmers SET points = ? WHERE launcher_id = ?") \
  X(FARMER_POINTS_RESET, "UPDATE farmers SET points = 0")                    \
  X(PARTIAL_INSERT, "INSERT INTO partials (launcher_id, ts, difficulty, "    \
    "harvester_id, proof_hash, sp_hash) VALUES (?, ?, ?, ?, ?, ?)")          \
  X(PARTIAL_RECENT, "SELECT ts, difficulty FROM partials "                   \
    "WHERE launcher_id = ? ORDER BY ts DESC, id DESC LIMIT ?")               \
  X(PARTIAL_COUNT_SINCE, "SELECT COUNT(*) FROM partials "                    \
    "WHERE launcher_id = ? AND ts >= ?")                                     \
  X(PARTIAL_EXISTS, "SELECT 1 FROM partials WHERE proof_hash = ?")           \
  X(PENDING_INSERT, "INSERT INTO pending_partials (launcher_id, proof_hash, " \
    "sp_hash, harvester_id, difficulty, received_at, due_at, payload, "      \
    "claimed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id")              \
  X(PENDING_GET, "SELECT " STORE_PENDING_COLS " FROM pending_partials "      \
    "WHERE proof_hash = ?")                                                  \
  X(PENDING_GET_LOCK, "SELECT " STORE_PENDING_COLS " FROM pending_partials " \
    "WHERE proof_hash = ? FOR UPDATE")                                       \
  X(PENDING_DUE, "SELECT " STORE_PENDING_COLS " FROM pending_partials "      \
    "WHERE claimed = 0 AND due_at <= ? ORDER BY due_at, id LIMIT ? "         \
    "FOR UPDATE SKIP LOCKED")                                                \
  X(PENDING_ALL, "SELECT " STORE_PENDING_COLS " FROM pending_partials "      \
    "ORDER BY due_at, id")                                                   \
  X(PENDING_COUNT, "SELECT COUNT(*) FROM pending_partials")                  \
  X(PENDING_MARK, "UPDATE pending_partials SET claimed = 1 WHERE id = ?")    \
  X(PENDING_UNCLAIM_ALL, "UPDATE pending_partials SET claimed = 0 "          \
    "WHERE claimed <> 0")                                                    \
  X(PENDING_DELETE, "DELETE FROM pending_partials WHERE proof_hash = ?")     \
  X(REWARD_UPSERT, "INSERT INTO rewards (" STORE_REWARD_COLS ") VALUES "     \
    "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT (coin_id) DO UPDATE SET "             \
    "state = excluded.state, absorb_tx_id = excluded.absorb_tx_id, "         \
    "claim_fee = excluded.claim_fee")                                        \
  X(REWARD_GET, "SELECT " STORE_REWARD_COLS " FROM rewards "                 \
    "WHERE coin_id = ?")                                                     \
  X(REWARD_BY_STATE, "SELECT " STORE_REWARD_COLS " FROM rewards "            \
    "WHERE state = ? ORDER BY height, coin_id")                              \
  X(REWARD_DELETE_ABOVE, "DELETE FROM rewards WHERE height > ?")             \
  X(CHAIN_GET, "SELECT height, header_hash FROM chain_cursor WHERE id = 1")  \
  X(CHAIN_SET, "INSERT INTO chain_cursor (id, height, header_hash) "         \
    "VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET "                       \
    "height = excluded.height, header_hash = excluded.header_hash")          \
  X(BATCH_FIND_KEY, "SELECT id FROM payout_batches "                         \
    "WHERE idempotency_key = ?")                                             \
  X(BATCH_INSERT, "INSERT INTO payout_batches (idempotency_key, state, "     \
    "tx_id, created_at, updated_at, window_end, total_amount, points_mode) " \
    "VALUES (?, 0, NULL, ?, ?, ?, ?, ?) RETURNING id")                       \
  X(BATCH_GET, "SELECT " STORE_BATCH_COLS " FROM payout_batches "            \
    "WHERE id = ?")                                                          \
  X(BATCH_GET_LOCK, "SELECT " STORE_BATCH_COLS " FROM payout_batches "       \
    "WHERE id = ? FOR NO KEY UPDATE")                                        \
  X(BATCH_SET_STATE, "UPDATE payout_batches SET state = ?, tx_id = ?, "      \
    "updated_at = ? WHERE id = ?")                                           \
  X(BATCH_BY_STATE, "SELECT id FROM payout_batches WHERE state = ? "         \
    "ORDER BY id LIMIT ?")                                                   \
  X(BATCH_WINDOW, "SELECT window_end FROM payout_batches WHERE state <> 3 "  \
    "ORDER BY id DESC LIMIT 1")                                              \
  X(LINE_INSERT, "INSERT INTO payout_lines (batch_id, idx, puzzle_hash, "    \
    "amount, launcher_id) VALUES (?, ?, ?, ?, ?)")                           \
  X(LINE_LIST, "SELECT puzzle_hash, amount, launcher_id FROM payout_lines "  \
    "WHERE batch_id = ? ORDER BY idx")                                       \
  X(BALANCE_GET, "SELECT amount FROM balances WHERE launcher_id = ?")        \
  X(BALANCE_GET_LOCK, "SELECT amount FROM balances WHERE launcher_id = ? "   \
    "FOR UPDATE")                                                            \
  X(BALANCE_SET, "INSERT INTO balances (launcher_id, amount, updated_at) "   \
    "VALUES (?, ?, ?) ON CONFLICT (launcher_id) DO UPDATE SET "              \
    "amount = excluded.amount, updated_at = excluded.updated_at")          \
  X(BALANCE_ALL, "SELECT launcher_id, amount FROM balances "                 \
    "ORDER BY launcher_id")                                                  \
  X(BATCH_LIVE_TOTALS, "SELECT total_amount FROM payout_batches "            \
    "WHERE state <> 3")                                                      \
  X(COOLDOWN_GET, "SELECT until FROM farmer_cooldowns WHERE launcher_id = ?") \
  X(COOLDOWN_TAKE, "INSERT INTO farmer_cooldowns (launcher_id, until) "      \
    "VALUES (?, ?) ON CONFLICT (launcher_id) DO UPDATE SET "                 \
    "until = excluded.until WHERE farmer_cooldowns.until <= ?")

enum store_sql {
#define STORE_SQL_ENUM(id, sql) STORE_SQL_##id,
  STORE_SQL_MAP(STORE_SQL_ENUM)
#undef STORE_SQL_ENUM
  STORE_SQL__COUNT
};
extern const char *const store__sql[STORE_SQL__COUNT];

/* Backends embed these headers as their first member. */
struct store_db;
struct store_conn {
  const struct store_db *db;
  int depth;  /* store__begin nesting: > 1 means inside a savepoint */
  /* A savepoint could not be rolled back or released: abort the batch
   * with this error (CP_DB_LOST stays retryable). */
  cp_err broken;
};
struct store_stmt {
  const struct store_db *db;
  cp_err err; /* first bind error; step returns it */
};

struct store_db {
  const char *name;
  /* The writer connection is opened first; readers refuse writes. */
  cp_err (*open)(const struct store_options *opt, int writer,
                 struct store_conn **out);
  void (*close)(struct store_conn *c);
  /* DDL or transaction control, never data. */
  cp_err (*exec)(struct store_conn *c, const char *sql);
  cp_err (*begin)(struct store_conn *c, int write);
  cp_err (*commit)(struct store_conn *c);
  void (*rollback)(struct store_conn *c);
  /* A cached prepared statement, reset with no bindings. */
  cp_err (*stmt)(struct store_conn *c, enum store_sql id,
                 struct store_stmt **out);
  void (*bind_i64)(struct store_stmt *st, int i, int64_t v);
  void (*bind_blob)(struct store_stmt *st, int i, const void *p, size_t n);
  void (*bind_text)(struct store_stmt *st, int i, const char *s);
  void (*bind_null)(struct store_stmt *st, int i);
  /* *row = 1 with a row to read, 0 when done. Unique violations are
   * CP_EXISTS, foreign key violations CP_NOT_FOUND, CHECK ones CP_INVAL. */
  cp_err (*step)(struct store_stmt *st, int *row);
  int (*col_null)(struct store_stmt *st, int i);
  int64_t (*col_i64)(struct store_stmt *st, int i);
  const void *(*col_blob)(struct store_stmt *st, int i, size_t *n);
  uint64_t (*changes)(struct store_stmt *st); /* rows the last step changed */
  void (*reset)(struct store_stmt *st);
  /* Leases (store_lease_try), on the writer connection: STORE_LEASE_TRY
   * takes or confirms `name` (*held); STORE_LEASE_PROBE takes and at once
   * gives it back (*held = 1 if nobody held it). */
  cp_err (*lease)(struct store_conn *c, const char *name, int op, int *held);
  /* Called between operations, never inside a transaction (NULL: nothing
   * to do). Re-establishes a connection the server dropped so the next
   * operation runs on a live session; CP_DB_LOST if it cannot yet. */
  cp_err (*revive)(struct store_conn *c);
  /* Run first in every migration transaction (NULL: nothing), so two
   * processes opening one new database do not both create the schema. */
  const char *migrate_lock_sql;
  /* Schema DDL, one entry per version (index 0 = version 1). */
  const char *const *migrations;
  size_t n_migrations;
};

extern const struct store_db store__sqlite;
extern const struct store_db store__pg;

enum { STORE_LEASE_TRY, STORE_LEASE_PROBE };
#define STORE_LEASES_MAX 4 /* names one connection may hold */

/* ---- value helpers ---- */

static inline int64_t store__u2i(uint64_t v)
{
  int64_t r;
  memcpy(&r, &v, sizeof r);
  return r;
}

static inline uint64_t store__i2u(int64_t v)
{
  uint64_t r;
  memcpy(&r, &v, sizeof r);
  return r;
}

static inline void store__bind_u64(struct store_stmt *st, int i, uint64_t v)
{
  st->db->bind_i64(st, i, store__u2i(v));
}

/* Ordered columns (time, height): must fit a non-negative int64. */
static inline void store__bind_ord(struct store_stmt *st, int i, uint64_t v)
{
  if (v > (uint64_t)INT64_MAX) {
    if (!st->err)
      st->err = CP_INVAL;
    return;
  }
  st->db->bind_i64(st, i, (int64_t)v);
}

static inline void store__bind_blob(struct store_stmt *st, int i,
                                    const void *p, size_t n)
{
  st->db->bind_blob(st, i, p, n);
}

static inline void store__bind_hash(struct store_stmt *st, int i,
                                    const uint8_t *h)
{
  st->db->bind_blob(st, i, h, STORE_HASH_LEN);
}

static inline uint64_t store__col_u64(struct store_stmt *st, int i)
{
  return store__i2u(st->db->col_i64(st, i));
}

/* ---- shared helpers (store_ops.c) ---- */

/* Copies an exactly-n-byte column; CP_DB if the stored length differs. */
cp_err store__col_fixed(struct store_stmt *st, int i, uint8_t *out, size_t n);
/* Copies a blob column into a malloc'd buffer (NULL for empty). */
cp_err store__col_dup(struct store_stmt *st, int i, uint8_t **out, size_t *n);
/* Steps a statement that returns no rows, then resets it. */
cp_err store__exec_stmt(struct store_stmt *st);
/* Steps expecting at most one row: CP_NOT_FOUND if none. The statement is
 * left on the row; the caller reads it and resets. */
cp_err store__step_one(struct store_stmt *st);
cp_err store__prepare(struct store_conn *c, enum store_sql id,
                      struct store_stmt **out);
/* Reads one row into a zeroed item. */
typedef cp_err (*store_row_fn)(struct store_stmt *st, void *item);
/* Appends every row of a prepared statement to the array *items (*n items
 * of `size` bytes, grown as needed), then resets the statement. On a row
 * error the half-read item is passed to release (may be NULL) and not
 * counted; items already appended stay for the caller to release. */
cp_err store__collect_rows(struct store_stmt *st, void **items, size_t *n, size_t size,
                           store_row_fn row, void (*release)(void *item));
/* A write transaction, or a savepoint inside the one already open (the
 * writer groups queued jobs into one transaction, each job in its own
 * savepoint, so one fsync covers the batch and a failing job undoes only
 * itself). Always paired with store__finish. */
cp_err store__begin(struct store_conn *c);
/* Commits (releases) if rc is CP_OK, otherwise rolls back to where
 * store__begin was; returns the final rc. */
cp_err store__finish(struct store_conn *c, cp_err rc);
cp_err store__migrate(struct store_conn *c);
cp_err store__version(struct store_conn *c, int64_t *out);

/* ---- the front (store.c) ---- */

struct store_conn *store__reader_acquire(struct store *s);
void store__reader_release(struct store *s, struct store_conn *c);
/* Submits and waits. */
cp_err store__write_sync(struct store *s, struct store_job *job);

/* Writer-side operations, one per job kind (store_farmer.c, store_money.c);
 * each runs its own transaction on the writer connection. */
typedef cp_err (*store__op_fn)(struct store_conn *c, struct store_job *job);
cp_err store__op_farmer_add(struct store_conn *c, struct store_job *job);
cp_err store__op_farmer_set_difficulty(struct store_conn *c,
                                       struct store_job *job);
cp_err store__op_farmer_set_auth(struct store_conn *c, struct store_job *job);
cp_err store__op_farmer_set_singleton(struct store_conn *c,
                                      struct store_job *job);
cp_err store__op_partial_add(struct store_conn *c, struct store_job *job);
cp_err store__op_pending_enqueue(struct store_conn *c, struct store_job *job);
cp_err store__op_pending_claim(struct store_conn *c, struct store_job *job);
cp_err store__op_pending_complete(struct store_conn *c, struct store_job *job);
cp_err store__op_pending_drop(struct store_conn *c, struct store_job *job);
cp_err store__op_reward_upsert(struct store_conn *c, struct store_job *job);
cp_err store__op_chain_set(struct store_conn *c, struct store_job *job);
cp_err store__op_chain_rollback(struct store_conn *c, struct store_job *job);
cp_err store__op_payout_plan(struct store_conn *c, struct store_job *job);
cp_err store__op_payout_set_state(struct store_conn *c, struct store_job *job);
cp_err store__op_payout_plan_multi(struct store_conn *c, struct store_job *job);
cp_err store__op_cooldown_take(struct store_conn *c, struct store_job *job);
cp_err store__op_lease_try(struct store_conn *c, struct store_job *job);
cp_err store__op_pending_unclaim(struct store_conn *c, struct store_job *job);
/* Releases claims left by a previous process (run once at open). */
cp_err store__pending_unclaim_all(struct store_conn *c, uint64_t *n);

#endif
