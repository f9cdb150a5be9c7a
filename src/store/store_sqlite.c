/* SQLite backend for the store (see store_int.h for the contract).
 *
 * Connection settings, and why:
 * - WAL: readers never block the writer nor the writer the readers.
 * - synchronous=FULL: points, balances and payout states live in the same
 *   file as everything else; NORMAL could lose the last commits on power
 *   loss, i.e. a credited partial or a submitted payout we would redo.
 *   The writer is one thread doing one fsync per transaction, far above
 *   the partial rate a pool sees.
 * - foreign_keys=ON: partials and balances cannot point at unknown farmers.
 * - busy_timeout: other processes (the CLI) may hold the write lock
 *   briefly; readers never wait in WAL mode except during recovery.
 * - readers set query_only so a bug cannot write outside the writer. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/xalloc.h"

struct sq_stmt {
  struct store_stmt base;
  sqlite3_stmt *st;
  struct sq_conn *conn;
  uint64_t changes;
};

struct sq_lease {
  char name[STORE_LEASE_NAME_MAX + 1];
  int fd; /* flock'ed: held */
};

struct sq_conn {
  struct store_conn base;
  sqlite3 *db;
  struct sq_stmt *stmts[STORE_SQL__COUNT];
  char *path; /* writer only: where the lease files go */
  struct sq_lease leases[STORE_LEASES_MAX];
  size_t nleases;
};

static const char *const sq_migrations[] = {
  /* 1: initial schema */
  "CREATE TABLE farmers ("
  " launcher_id BLOB NOT NULL PRIMARY KEY,"
  " p2_singleton_puzzle_hash BLOB NOT NULL UNIQUE,"
  " delay_time BIGINT NOT NULL,"
  " delay_puzzle_hash BLOB NOT NULL,"
  " authentication_public_key BLOB NOT NULL,"
  " singleton_tip BLOB NOT NULL,"
  " singleton_tip_state BLOB NOT NULL,"
  " points BIGINT NOT NULL,"
  " difficulty BIGINT NOT NULL,"
  " payout_instructions TEXT NOT NULL,"
  " is_pool_member INTEGER NOT NULL CHECK (is_pool_member IN (0, 1)),"
  " joined_at BIGINT NOT NULL,"
  " last_difficulty_change_at BIGINT NOT NULL);"
  "CREATE INDEX farmers_member ON farmers (is_pool_member);"
  "CREATE TABLE partials ("
  " id INTEGER PRIMARY KEY,"
  " launcher_id BLOB NOT NULL REFERENCES farmers (launcher_id),"
  " ts BIGINT NOT NULL,"
  " difficulty BIGINT NOT NULL,"
  " harvester_id BLOB NOT NULL,"
  " proof_hash BLOB NOT NULL UNIQUE,"
  " sp_hash BLOB NOT NULL);"
  "CREATE INDEX partials_launcher_ts ON partials (launcher_id, ts);"
  "CREATE TABLE pending_partials ("
  " id INTEGER PRIMARY KEY,"
  " launcher_id BLOB NOT NULL REFERENCES farmers (launcher_id),"
  " proof_hash BLOB NOT NULL UNIQUE,"
  " sp_hash BLOB NOT NULL,"
  " harvester_id BLOB NOT NULL,"
  " difficulty BIGINT NOT NULL,"
  " received_at BIGINT NOT NULL,"
  " due_at BIGINT NOT NULL,"
  " payload BLOB NOT NULL,"
  " claimed INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX pending_due ON pending_partials (claimed, due_at);"
  "CREATE TABLE rewards ("
  " coin_id BLOB NOT NULL PRIMARY KEY,"
  " launcher_id BLOB NOT NULL,"
  " height BIGINT NOT NULL,"
  " amount BIGINT NOT NULL,"
  " state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),"
  " absorb_tx_id BLOB);"
  "CREATE INDEX rewards_state ON rewards (state, height);"
  "CREATE INDEX rewards_height ON rewards (height);"
  "CREATE TABLE chain_cursor ("
  " id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),"
  " height BIGINT NOT NULL,"
  " header_hash BLOB NOT NULL);"
  "CREATE TABLE payout_batches ("
  " id INTEGER PRIMARY KEY,"
  " idempotency_key TEXT NOT NULL UNIQUE,"
  " state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),"
  " tx_id BLOB,"
  " created_at BIGINT NOT NULL,"
  " updated_at BIGINT NOT NULL,"
  " window_end BIGINT NOT NULL,"
  " total_amount BIGINT NOT NULL,"
  " points_mode INTEGER NOT NULL);"
  "CREATE INDEX payout_batches_state ON payout_batches (state, id);"
  "CREATE TABLE payout_lines ("
  " batch_id BIGINT NOT NULL REFERENCES payout_batches (id),"
  " idx INTEGER NOT NULL,"
  " puzzle_hash BLOB NOT NULL,"
  " amount BIGINT NOT NULL,"
  " launcher_id BLOB REFERENCES farmers (launcher_id),"
  " PRIMARY KEY (batch_id, idx));"
  "CREATE TABLE balances ("
  " launcher_id BLOB NOT NULL PRIMARY KEY REFERENCES farmers (launcher_id),"
  " amount BIGINT NOT NULL,"
  " updated_at BIGINT NOT NULL);",
  /* 2: the blockchain fee paid with each absorb (block_claim_fee), charged
   * to the pool's funds when the reward is absorbed; PUT /farmer cooldowns
   * shared by every front end on one database */
  "ALTER TABLE rewards ADD COLUMN claim_fee BIGINT NOT NULL DEFAULT 0;"
  "CREATE TABLE farmer_cooldowns ("
  " launcher_id BLOB NOT NULL PRIMARY KEY,"
  " until BIGINT NOT NULL);",
};

static cp_err sq_fail(sqlite3 *db, int rc, const char *what)
{
  int prim = rc & 0xff;
  if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) {
    log_warn("store", "sqlite_busy", "what=%s rc=%d", what, rc);
    return CP_DB_BUSY;
  }
  if (prim == SQLITE_CONSTRAINT) {
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return CP_EXISTS;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return CP_NOT_FOUND;
    default:
      return CP_INVAL;
    }
  }
  log_error("store", "sqlite_error", "what=%s rc=%d msg=\"%s\"", what, rc,
            db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  return CP_DB;
}

static cp_err sq_exec(struct store_conn *c, const char *sql)
{
  struct sq_conn *q = (struct sq_conn *)c;
  int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? CP_OK : sq_fail(q->db, rc, "exec");
}

/* A pragma whose answer must be `want` (journal_mode can silently stay
 * "delete", e.g. on filesystems without shared memory). */
static cp_err sq_pragma_expect(sqlite3 *db, const char *sql, const char *want)
{
  sqlite3_stmt *st = NULL;
  cp_err rc = CP_OK;
  int r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (r != SQLITE_OK) {
    rc = sq_fail(db, r, "pragma");
    goto out;
  }
  r = sqlite3_step(st);
  if (r != SQLITE_ROW) {
    rc = sq_fail(db, r, "pragma");
    goto out;
  }
  const unsigned char *got = sqlite3_column_text(st, 0);
  if (!got || strcmp((const char *)got, want) != 0) {
    log_error("store", "sqlite_pragma", "sql=\"%s\" got=%s want=%s", sql,
              got ? (const char *)got : "null", want);
    rc = CP_DB;
  }
out:
  sqlite3_finalize(st);
  return rc;
}

static void sq_close(struct store_conn *c)
{
  struct sq_conn *q = (struct sq_conn *)c;
  if (!q)
    return;
  for (size_t i = 0; i < STORE_SQL__COUNT; i++) {
    if (q->stmts[i]) {
      sqlite3_finalize(q->stmts[i]->st);
      free(q->stmts[i]);
    }
  }
  if (sqlite3_close(q->db) != SQLITE_OK)
    log_error("store", "sqlite_close", "msg=\"%s\"", sqlite3_errmsg(q->db));
  /* after the database: closing the lease files gives the leases up */
  for (size_t i = 0; i < q->nleases; i++)
    close(q->leases[i].fd);
  free(q->path);
  free(q);
}

static cp_err sq_open(const struct store_options *opt, int writer,
                      struct store_conn **out)
{
  struct sq_conn *q = xcalloc(1, sizeof *q);
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  cp_err rc = CP_OK;
  int r;

  q->base.db = &store__sqlite;
  if (writer) {
    flags |= SQLITE_OPEN_CREATE;
    q->path = xstrdup(opt->path);
  }
  r = sqlite3_open_v2(opt->path, &q->db, flags, NULL);
  if (r != SQLITE_OK) {
    rc = sq_fail(q->db, r, "open");
    goto out;
  }
  sqlite3_extended_result_codes(q->db, 1);
  sqlite3_busy_timeout(q->db, (int)opt->busy_timeout_ms);
  if (writer) {
    rc = sq_pragma_expect(q->db, "PRAGMA journal_mode=WAL", "wal");
    if (rc)
      goto out;
  }
  rc = sq_exec(&q->base, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  if (rc)
    goto out;
  if (!writer)
    rc = sq_exec(&q->base, "PRAGMA query_only=1;");
out:
  if (rc) {
    sq_close(&q->base);
    q = NULL;
  }
  *out = q ? &q->base : NULL;
  return rc;
}

static cp_err sq_begin(struct store_conn *c, int write)
{
  /* IMMEDIATE takes the write lock up front, so a transaction never fails
   * half way on a lock upgrade. */
  return sq_exec(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

static cp_err sq_commit(struct store_conn *c)
{
  return sq_exec(c, "COMMIT");
}

static void sq_rollback(struct store_conn *c)
{
  struct sq_conn *q = (struct sq_conn *)c;
  if (!sqlite3_get_autocommit(q->db))
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

static cp_err sq_stmt(struct store_conn *c, enum store_sql id,
                      struct store_stmt **out)
{
  struct sq_conn *q = (struct sq_conn *)c;
  struct sq_stmt *s = q->stmts[id];
  if (!s) {
    sqlite3_stmt *st = NULL;
    /* Row locks are PostgreSQL's; our writer already holds the database
     * (BEGIN IMMEDIATE), so the text before " FOR " is the same. */
    const char *lock = strstr(store__sql[id], " FOR ");
    int len = lock ? (int)(lock - store__sql[id]) : -1;
    int r = sqlite3_prepare_v3(q->db, store__sql[id], len,
                               SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (r != SQLITE_OK) {
      *out = NULL;
      return sq_fail(q->db, r, store__sql[id]);
    }
    s = xcalloc(1, sizeof *s);
    s->base.db = &store__sqlite;
    s->st = st;
    s->conn = q;
    q->stmts[id] = s;
  }
  sqlite3_reset(s->st);
  sqlite3_clear_bindings(s->st);
  s->base.err = CP_OK;
  s->changes = 0;
  *out = &s->base;
  return CP_OK;
}

static void sq_bind_check(struct sq_stmt *s, int r)
{
  if (r != SQLITE_OK && !s->base.err)
    s->base.err = sq_fail(s->conn->db, r, "bind");
}

static void sq_bind_i64(struct store_stmt *st, int i, int64_t v)
{
  struct sq_stmt *s = (struct sq_stmt *)st;
  sq_bind_check(s, sqlite3_bind_int64(s->st, i, v));
}

static void sq_bind_blob(struct store_stmt *st, int i, const void *p, size_t n)
{
  struct sq_stmt *s = (struct sq_stmt *)st;
  /* A zero-length blob must still be a blob, not NULL (NOT NULL columns). */
  static const uint8_t empty[1];
  if (n > STORE_BLOB_MAX) {
    if (!st->err)
      st->err = CP_TOO_BIG;
    return;
  }
  sq_bind_check(s, sqlite3_bind_blob(s->st, i, n ? p : empty, (int)n,
                                     SQLITE_TRANSIENT));
}

static void sq_bind_text(struct store_stmt *st, int i, const char *str)
{
  struct sq_stmt *s = (struct sq_stmt *)st;
  sq_bind_check(s, sqlite3_bind_text(s->st, i, str, -1, SQLITE_TRANSIENT));
}

static void sq_bind_null(struct store_stmt *st, int i)
{
  struct sq_stmt *s = (struct sq_stmt *)st;
  sq_bind_check(s, sqlite3_bind_null(s->st, i));
}

static cp_err sq_step(struct store_stmt *st, int *row)
{
  struct sq_stmt *s = (struct sq_stmt *)st;
  int r;
  *row = 0;
  if (st->err)
    return st->err;
  r = sqlite3_step(s->st);
  if (r == SQLITE_ROW) {
    *row = 1;
    return CP_OK;
  }
  if (r == SQLITE_DONE) {
    s->changes = (uint64_t)sqlite3_changes64(s->conn->db);
    return CP_OK;
  }
  return sq_fail(s->conn->db, r, sqlite3_sql(s->st));
}

static int sq_col_null(struct store_stmt *st, int i)
{
  return sqlite3_column_type(((struct sq_stmt *)st)->st, i) == SQLITE_NULL;
}

static int64_t sq_col_i64(struct store_stmt *st, int i)
{
  return sqlite3_column_int64(((struct sq_stmt *)st)->st, i);
}

static const void *sq_col_blob(struct store_stmt *st, int i, size_t *n)
{
  sqlite3_stmt *q = ((struct sq_stmt *)st)->st;
  const void *p = sqlite3_column_blob(q, i);
  *n = (size_t)sqlite3_column_bytes(q, i);
  return p;
}

static uint64_t sq_changes(struct store_stmt *st)
{
  return ((struct sq_stmt *)st)->changes;
}

static void sq_reset(struct store_stmt *st)
{
  sqlite3_reset(((struct sq_stmt *)st)->st);
}

/* ---- leases: flock on "<path>-lease-<name>" ----
 * flock, not fcntl: SQLite's own locks on the database are fcntl locks,
 * which a process drops whenever it closes any descriptor of that file;
 * a separate file with flock never touches them. The kernel releases the
 * flock when the holder dies, which is what a follower waits for. */

static int sq_lease_memory(const char *path)
{
  return !path || !*path || !strcmp(path, ":memory:");
}

static cp_err sq_lease_path(const struct sq_conn *q, const char *name, char *out,
                            size_t cap)
{
  int n = snprintf(out, cap, "%s-lease-%s", q->path, name);
  return n < 0 || (size_t)n >= cap ? CP_TOO_BIG : CP_OK;
}

static cp_err sq_lease(struct store_conn *c, const char *name, int op, int *held)
{
  struct sq_conn *q = (struct sq_conn *)c;
  char path[4096];
  int fd;
  cp_err rc;

  *held = 0;
  if (!q->path)
    return CP_INTERNAL; /* not the writer */
  if (sq_lease_memory(q->path)) {
    *held = 1; /* nothing another process could share */
    return CP_OK;
  }
  for (size_t i = 0; i < q->nleases; i++)
    if (!strcmp(q->leases[i].name, name)) {
      *held = 1; /* a flock stays while its descriptor is open */
      return CP_OK;
    }
  if (strlen(name) > STORE_LEASE_NAME_MAX)
    return CP_INVAL;
  rc = sq_lease_path(q, name, path, sizeof path);
  if (rc)
    return rc;
  /* A probe creates nothing: without the file nobody has ever led. */
  fd = open(path, O_RDWR | O_CLOEXEC | (op == STORE_LEASE_TRY ? O_CREAT : 0), 0644);
  if (fd < 0) {
    if (op == STORE_LEASE_PROBE && errno == ENOENT) {
      *held = 1;
      return CP_OK;
    }
    log_error("store", "lease_open", "path=%s errno=%d", path, errno);
    return CP_IO;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    close(fd);
    if (e == EWOULDBLOCK)
      return CP_OK;
    log_error("store", "lease_flock", "path=%s errno=%d", path, e);
    return CP_IO;
  }
  if (op == STORE_LEASE_PROBE) {
    close(fd); /* releases the flock: nobody held it */
    *held = 1;
    return CP_OK;
  }
  if (q->nleases == STORE_LEASES_MAX) {
    close(fd);
    return CP_TOO_BIG;
  }
  *held = 1;
  memcpy(q->leases[q->nleases].name, name, strlen(name) + 1);
  q->leases[q->nleases++].fd = fd;
  return CP_OK;
}

const struct store_db store__sqlite = {
  .name = "sqlite",
  .open = sq_open,
  .close = sq_close,
  .exec = sq_exec,
  .begin = sq_begin,
  .commit = sq_commit,
  .rollback = sq_rollback,
  .stmt = sq_stmt,
  .bind_i64 = sq_bind_i64,
  .bind_blob = sq_bind_blob,
  .bind_text = sq_bind_text,
  .bind_null = sq_bind_null,
  .step = sq_step,
  .col_null = sq_col_null,
  .col_i64 = sq_col_i64,
  .col_blob = sq_col_blob,
  .changes = sq_changes,
  .reset = sq_reset,
  .lease = sq_lease,
  .migrations = sq_migrations,
  .n_migrations = sizeof sq_migrations / sizeof sq_migrations[0],
};
