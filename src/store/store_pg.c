/* PostgreSQL backend for the store (see store_int.h for the contract).
 *
 * Statements are the shared catalogue with `?` rewritten to $1..$n and
 * prepared once per connection. Integers go to the server as decimal text
 * (so the server's inferred parameter type never has to match a binary
 * width), byte strings as binary; results come back in binary.
 *
 * PostgreSQL runs a statement to completion at once, so step() executes on
 * its first call and then walks the result rows. Durability: the server's
 * default synchronous_commit=on, the equivalent of SQLite's FULL.
 *
 * Dropped connections (server restart, network cut, pg_terminate_backend,
 * idle kill): the statement that meets one fails with CP_DB_LOST and marks
 * the connection lost; revive(), which the front calls between operations,
 * re-establishes the session (bounded attempts, then a backoff across
 * calls) and the statements are prepared again on first use. Nothing is
 * replayed here: the failed operation is the caller's to retry. The
 * session's advisory locks die with it, so leases it held are reported
 * lost once (see pg_lease). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define PG_MAX_PARAMS 16
/* Reconnect attempts per revive() call and the pause before the second;
 * after a failed call the next one waits PG_BACKOFF_MIN_MS, doubling up to
 * PG_BACKOFF_MAX_MS, so a server that is down costs callers a fast
 * CP_DB_LOST instead of a connect each. */
#define PG_RECONNECT_TRIES 2
#define PG_RECONNECT_PAUSE_MS 100
#define PG_BACKOFF_MIN_MS 100
#define PG_BACKOFF_MAX_MS 5000
/* libpq's own default is to wait forever; the writer thread must not. The
 * conninfo may set its own. */
#define PG_CONNECT_TIMEOUT "5"

struct pg_stmt {
  struct store_stmt base;
  struct pg_conn *conn;
  enum store_sql id;
  char name[16];
  int prepared; /* on the current session; cleared by a reconnect */
  int nparams;
  char *values[PG_MAX_PARAMS];   /* owned copies */
  int lengths[PG_MAX_PARAMS];
  int formats[PG_MAX_PARAMS];
  PGresult *res;
  int executed;
  int nrows, row; /* row = index of the current row + 1 */
  uint64_t changes;
};

struct pg_conn {
  struct store_conn base;
  PGconn *pg;
  struct pg_stmt *stmts[STORE_SQL__COUNT];
  int writer;
  unsigned busy_ms;
  int lost;            /* the session is gone: revive before the next use */
  int outage_logged;   /* one warning per outage, not one per failed call */
  unsigned failures;   /* failed revive() calls in a row */
  uint64_t retry_at;   /* monotonic ms before which revive() does not dial */
  /* Leases taken on this session, and those a reconnect took away that
   * STORE_LEASE_TRY has not yet reported lost. */
  char leases[STORE_LEASES_MAX][STORE_LEASE_NAME_MAX + 1];
  int nleases;
  char gone[2 * STORE_LEASES_MAX][STORE_LEASE_NAME_MAX + 1];
  int ngone;
};

static const char *const pg_migrations[] = {
  /* 1: initial schema (mirrors store_sqlite.c) */
  "CREATE TABLE farmers ("
  " launcher_id BYTEA NOT NULL PRIMARY KEY,"
  " p2_singleton_puzzle_hash BYTEA NOT NULL UNIQUE,"
  " delay_time BIGINT NOT NULL,"
  " delay_puzzle_hash BYTEA NOT NULL,"
  " authentication_public_key BYTEA NOT NULL,"
  " singleton_tip BYTEA NOT NULL,"
  " singleton_tip_state BYTEA NOT NULL,"
  " points BIGINT NOT NULL,"
  " difficulty BIGINT NOT NULL,"
  " payout_instructions TEXT NOT NULL,"
  " is_pool_member BIGINT NOT NULL CHECK (is_pool_member IN (0, 1)),"
  " joined_at BIGINT NOT NULL,"
  " last_difficulty_change_at BIGINT NOT NULL);"
  "CREATE INDEX farmers_member ON farmers (is_pool_member);"
  "CREATE TABLE partials ("
  " id BIGSERIAL PRIMARY KEY,"
  " launcher_id BYTEA NOT NULL REFERENCES farmers (launcher_id),"
  " ts BIGINT NOT NULL,"
  " difficulty BIGINT NOT NULL,"
  " harvester_id BYTEA NOT NULL,"
  " proof_hash BYTEA NOT NULL UNIQUE,"
  " sp_hash BYTEA NOT NULL);"
  "CREATE INDEX partials_launcher_ts ON partials (launcher_id, ts);"
  "CREATE TABLE pending_partials ("
  " id BIGSERIAL PRIMARY KEY,"
  " launcher_id BYTEA NOT NULL REFERENCES farmers (launcher_id),"
  " proof_hash BYTEA NOT NULL UNIQUE,"
  " sp_hash BYTEA NOT NULL,"
  " harvester_id BYTEA NOT NULL,"
  " difficulty BIGINT NOT NULL,"
  " received_at BIGINT NOT NULL,"
  " due_at BIGINT NOT NULL,"
  " payload BYTEA NOT NULL,"
  " claimed BIGINT NOT NULL DEFAULT 0);"
  "CREATE INDEX pending_due ON pending_partials (claimed, due_at);"
  "CREATE TABLE rewards ("
  " coin_id BYTEA NOT NULL PRIMARY KEY,"
  " launcher_id BYTEA NOT NULL,"
  " height BIGINT NOT NULL,"
  " amount BIGINT NOT NULL,"
  " state BIGINT NOT NULL CHECK (state BETWEEN 0 AND 3),"
  " absorb_tx_id BYTEA);"
  "CREATE INDEX rewards_state ON rewards (state, height);"
  "CREATE INDEX rewards_height ON rewards (height);"
  "CREATE TABLE chain_cursor ("
  " id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),"
  " height BIGINT NOT NULL,"
  " header_hash BYTEA NOT NULL);"
  "CREATE TABLE payout_batches ("
  " id BIGSERIAL PRIMARY KEY,"
  " idempotency_key TEXT NOT NULL UNIQUE,"
  " state BIGINT NOT NULL CHECK (state BETWEEN 0 AND 3),"
  " tx_id BYTEA,"
  " created_at BIGINT NOT NULL,"
  " updated_at BIGINT NOT NULL,"
  " window_end BIGINT NOT NULL,"
  " total_amount BIGINT NOT NULL,"
  " points_mode BIGINT NOT NULL);"
  "CREATE INDEX payout_batches_state ON payout_batches (state, id);"
  "CREATE TABLE payout_lines ("
  " batch_id BIGINT NOT NULL REFERENCES payout_batches (id),"
  " idx BIGINT NOT NULL,"
  " puzzle_hash BYTEA NOT NULL,"
  " amount BIGINT NOT NULL,"
  " launcher_id BYTEA REFERENCES farmers (launcher_id),"
  " PRIMARY KEY (batch_id, idx));"
  "CREATE TABLE balances ("
  " launcher_id BYTEA NOT NULL PRIMARY KEY REFERENCES farmers (launcher_id),"
  " amount BIGINT NOT NULL,"
  " updated_at BIGINT NOT NULL);",
  /* 2: the blockchain fee paid with each absorb (block_claim_fee), charged
   * to the pool's funds when the reward is absorbed; PUT /farmer cooldowns
   * shared by every front end on one database */
  "ALTER TABLE rewards ADD COLUMN claim_fee BIGINT NOT NULL DEFAULT 0;"
  "CREATE TABLE farmer_cooldowns ("
  " launcher_id BYTEA NOT NULL PRIMARY KEY,"
  " until BIGINT NOT NULL);",
};

static const char *pg_role(const struct pg_conn *q)
{
  return q->writer ? "writer" : "reader";
}

/* Class 08 is connection exceptions; 57P01..57P05 end the session
 * (admin/crash shutdown, cannot connect now, database dropped, idle
 * session timeout). Whatever the code, a connection libpq has given up on
 * is lost. */
static int pg_is_lost(const struct pg_conn *q, const char *state)
{
  if (PQstatus(q->pg) == CONNECTION_BAD)
    return 1;
  return state && (!strncmp(state, "08", 2) || !strncmp(state, "57P0", 4));
}

static void pg_mark_lost(struct pg_conn *q, const char *state, const char *msg)
{
  q->lost = 1;
  if (q->outage_logged)
    return;
  q->outage_logged = 1;
  log_warn("store", "pg_connection_lost", "role=%s sqlstate=%s msg=\"%s\"",
           pg_role(q), state ? state : "none", msg);
}

static cp_err pg_fail(struct pg_conn *q, const PGresult *res, const char *what)
{
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  if (pg_is_lost(q, state)) {
    pg_mark_lost(q, state, res ? PQresultErrorMessage(res) : PQerrorMessage(q->pg));
    return CP_DB_LOST;
  }
  if (state) {
    if (!strcmp(state, "23505"))
      return CP_EXISTS;
    if (!strcmp(state, "23503"))
      return CP_NOT_FOUND;
    if (!strcmp(state, "23514") || !strcmp(state, "23502"))
      return CP_INVAL;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
        !strcmp(state, "55P03")) {
      log_warn("store", "pg_busy", "what=\"%s\" sqlstate=%s", what, state);
      return CP_DB_BUSY;
    }
  }
  log_error("store", "pg_error", "what=\"%s\" sqlstate=%s msg=\"%s\"", what,
            state ? state : "none",
            res ? PQresultErrorMessage(res) : PQerrorMessage(q->pg));
  return CP_DB;
}

static cp_err pg_exec(struct store_conn *c, const char *sql)
{
  struct pg_conn *q = (struct pg_conn *)c;
  PGresult *res = PQexec(q->pg, sql);
  ExecStatusType st = PQresultStatus(res);
  cp_err rc = CP_OK;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    rc = pg_fail(q, res, sql);
  PQclear(res);
  return rc;
}

static void pg_stmt_clear(struct pg_stmt *s)
{
  for (int i = 0; i < s->nparams; i++) {
    free(s->values[i]);
    s->values[i] = NULL;
    s->lengths[i] = 0;
    s->formats[i] = 0;
  }
  PQclear(s->res);
  s->res = NULL;
  s->executed = 0;
  s->nrows = s->row = 0;
  s->changes = 0;
  s->base.err = CP_OK;
}

static void pg_close(struct store_conn *c)
{
  struct pg_conn *q = (struct pg_conn *)c;
  if (!q)
    return;
  for (size_t i = 0; i < STORE_SQL__COUNT; i++) {
    if (q->stmts[i]) {
      pg_stmt_clear(q->stmts[i]);
      free(q->stmts[i]);
    }
  }
  PQfinish(q->pg);
  free(q);
}

/* Session settings, after the first connect and after every reconnect. */
static cp_err pg_session_setup(struct pg_conn *q)
{
  char sql[64];
  /* Notices (CREATE ... IF NOT EXISTS) are not errors; keep them quiet. */
  cp_err rc = pg_exec(&q->base, "SET client_min_messages = warning");
  if (!rc && !q->writer)
    rc = pg_exec(&q->base, "SET default_transaction_read_only = on");
  if (!rc) {
    snprintf(sql, sizeof sql, "SET lock_timeout = %u", q->busy_ms);
    rc = pg_exec(&q->base, sql);
  }
  return rc;
}

static cp_err pg_open(const struct store_options *opt, int writer,
                      struct store_conn **out)
{
  /* Defaults first: the conninfo expanded from dbname overrides them. The
   * application name lets an operator (and the tests) find our sessions in
   * pg_stat_activity. */
  static const char *const keys[] = { "fallback_application_name",
                                      "connect_timeout", "dbname", NULL };
  const char *vals[] = { "chiapool", PG_CONNECT_TIMEOUT, opt->path, NULL };
  struct pg_conn *q = xcalloc(1, sizeof *q);
  cp_err rc = CP_OK;

  q->base.db = &store__pg;
  q->writer = writer;
  q->busy_ms = opt->busy_timeout_ms;
  q->pg = PQconnectdbParams(keys, vals, 1);
  if (!q->pg || PQstatus(q->pg) != CONNECTION_OK) {
    log_error("store", "pg_connect", "msg=\"%s\"",
              q->pg ? PQerrorMessage(q->pg) : "no memory");
    rc = CP_DB;
    goto out;
  }
  rc = pg_session_setup(q);
out:
  if (rc) {
    pg_close(&q->base);
    q = NULL;
  }
  *out = q ? &q->base : NULL;
  return rc;
}

static cp_err pg_begin(struct store_conn *c, int write)
{
  /* Writes are serialised by the writer thread, so READ COMMITTED does not
   * interleave our own transactions; reads want one snapshot. */
  return pg_exec(c, write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

static cp_err pg_commit(struct store_conn *c)
{
  cp_err rc = pg_exec(c, "COMMIT");
  /* The server may have committed before the connection went: the batch
   * is reported failed (never replayed) and its jobs, idempotent at the
   * operation level, are the callers' to retry. */
  if (rc == CP_DB_LOST)
    log_error("store", "pg_commit_unknown", "role=%s",
              pg_role((struct pg_conn *)c));
  return rc;
}

static void pg_rollback(struct store_conn *c)
{
  struct pg_conn *q = (struct pg_conn *)c;
  if (PQtransactionStatus(q->pg) != PQTRANS_IDLE)
    PQclear(PQexec(q->pg, "ROLLBACK"));
}

/* Rewrites `?` to $1..$n; the catalogue has no `?` inside literals. */
static char *pg_rewrite(const char *sql, int *nparams)
{
  size_t cap = strlen(sql) * 4 + 1, w = 0;
  char *out = xmalloc(cap);
  int n = 0;
  for (const char *p = sql; *p; p++) {
    if (*p == '?')
      w += (size_t)snprintf(out + w, cap - w, "$%d", ++n);
    else
      out[w++] = *p;
  }
  out[w] = '\0';
  *nparams = n;
  return out;
}

static cp_err pg_stmt(struct store_conn *c, enum store_sql id,
                      struct store_stmt **out)
{
  struct pg_conn *q = (struct pg_conn *)c;
  struct pg_stmt *s = q->stmts[id];
  *out = NULL;
  if (!s) {
    s = xcalloc(1, sizeof *s);
    s->base.db = &store__pg;
    s->conn = q;
    s->id = id;
    snprintf(s->name, sizeof s->name, "cp%d", (int)id);
    q->stmts[id] = s;
  }
  if (!s->prepared) {
    /* First use on this session (a reconnect forgets every statement). */
    int n;
    char *sql = pg_rewrite(store__sql[id], &n);
    cp_err rc = CP_OK;
    if (n > PG_MAX_PARAMS) {
      rc = CP_INTERNAL;
    } else {
      PGresult *res = PQprepare(q->pg, s->name, sql, n, NULL);
      if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(q, res, sql);
      PQclear(res);
    }
    free(sql);
    if (rc)
      return rc;
    pg_stmt_clear(s);
    s->nparams = n;
    s->prepared = 1;
  }
  pg_stmt_clear(s);
  *out = &s->base;
  return CP_OK;
}

static int pg_param_ok(struct pg_stmt *s, int i)
{
  if (i < 1 || i > s->nparams) {
    if (!s->base.err)
      s->base.err = CP_INTERNAL;
    return 0;
  }
  free(s->values[i - 1]);
  s->values[i - 1] = NULL;
  return 1;
}

static void pg_bind_i64(struct store_stmt *st, int i, int64_t v)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  char buf[24];
  if (!pg_param_ok(s, i))
    return;
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  s->values[i - 1] = xstrdup(buf);
  s->formats[i - 1] = 0;
}

static void pg_bind_blob(struct store_stmt *st, int i, const void *p, size_t n)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  if (n > STORE_BLOB_MAX) {
    if (!st->err)
      st->err = CP_TOO_BIG;
    return;
  }
  if (!pg_param_ok(s, i))
    return;
  /* A non-NULL pointer even for zero bytes: NULL would mean SQL NULL. */
  s->values[i - 1] = xmalloc(n ? n : 1);
  if (n)
    memcpy(s->values[i - 1], p, n);
  s->lengths[i - 1] = (int)n;
  s->formats[i - 1] = 1;
}

static void pg_bind_text(struct store_stmt *st, int i, const char *str)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  if (!pg_param_ok(s, i))
    return;
  s->values[i - 1] = xstrdup(str);
  s->formats[i - 1] = 0;
}

static void pg_bind_null(struct store_stmt *st, int i)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  if (pg_param_ok(s, i))
    s->formats[i - 1] = 0;
}


/* Rows touched by the last command; PQcmdTuples gives "" for commands that
 * do not report a count. */
static uint64_t cmd_tuples(PGresult *res)
{
  const char *t = PQcmdTuples(res);
  uint64_t n = 0;
  if (t && *t && parse_u64_cstr(t, UINT64_MAX, &n))
    n = 0;
  return n;
}

static cp_err pg_step(struct store_stmt *st, int *row)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  *row = 0;
  if (st->err)
    return st->err;
  if (!s->executed) {
    ExecStatusType es;
    s->executed = 1;
    s->res = PQexecPrepared(s->conn->pg, s->name, s->nparams,
                            (const char *const *)s->values, s->lengths,
                            s->formats, 1);
    es = PQresultStatus(s->res);
    if (es == PGRES_COMMAND_OK) {
      s->changes = cmd_tuples(s->res);
      return CP_OK;
    }
    if (es != PGRES_TUPLES_OK)
      return st->err = pg_fail(s->conn, s->res, store__sql[s->id]);
    s->nrows = PQntuples(s->res);
    s->changes = cmd_tuples(s->res);
  }
  if (s->row < s->nrows) {
    s->row++;
    *row = 1;
  }
  return CP_OK;
}

static int pg_col_null(struct store_stmt *st, int i)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  return s->row < 1 || PQgetisnull(s->res, s->row - 1, i);
}

static int64_t pg_col_i64(struct store_stmt *st, int i)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  const uint8_t *p;
  uint64_t v = 0;
  int n;
  if (pg_col_null(st, i))
    return 0;
  p = (const uint8_t *)PQgetvalue(s->res, s->row - 1, i);
  n = PQgetlength(s->res, s->row - 1, i);
  if (n != 2 && n != 4 && n != 8)
    return 0;
  for (int k = 0; k < n; k++)
    v = v << 8 | p[k];
  /* Sign-extend the narrower integer types. */
  if (n < 8 && (p[0] & 0x80))
    v |= UINT64_MAX << (8 * n);
  return store__u2i(v);
}

static const void *pg_col_blob(struct store_stmt *st, int i, size_t *n)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  *n = 0;
  if (pg_col_null(st, i))
    return NULL;
  *n = (size_t)PQgetlength(s->res, s->row - 1, i);
  return PQgetvalue(s->res, s->row - 1, i);
}

static uint64_t pg_changes(struct store_stmt *st)
{
  return ((struct pg_stmt *)st)->changes;
}

/* ---- leases: session advisory locks ----
 * Keys are (class, name hash); the class keeps our locks apart from other
 * applications' on the same database. Held on the writer connection: the
 * session that holds the lease is the one its holder commits through, so
 * when the lock is lost (the session ended) nothing more commits there. */
#define PG_LEASE_CLASS 1668312113     /* "cpl1" */
#define PG_MIGRATE_LOCK "SELECT pg_advisory_xact_lock(1668312369, 0)" /* "cpm1" */

static int32_t pg_lease_key(const char *name)
{
  uint32_t h = 2166136261u; /* FNV-1a */
  for (const char *p = name; *p; p++)
    h = (h ^ (uint8_t)*p) * 16777619u;
  return (int32_t)(h & 0x7fffffff); /* same value as int4 and as oid */
}

/* Runs a one-row, one-boolean query with the lease key as $1, $2. */
static cp_err pg_lease_query(struct pg_conn *q, const char *sql, int32_t key, int *out)
{
  char k1[16], k2[16];
  const char *vals[2] = { k1, k2 };
  PGresult *res;
  cp_err rc = CP_OK;

  snprintf(k1, sizeof k1, "%d", (int)PG_LEASE_CLASS);
  snprintf(k2, sizeof k2, "%d", (int)key);
  res = PQexecParams(q->pg, sql, 2, NULL, vals, NULL, NULL, 0);
  if (PQresultStatus(res) != PGRES_TUPLES_OK)
    rc = pg_fail(q, res, sql);
  else if (PQntuples(res) != 1 || PQnfields(res) != 1)
    rc = CP_DB;
  else
    *out = PQgetvalue(res, 0, 0)[0] == 't';
  PQclear(res);
  return rc;
}

static int pg_lease_find(char (*list)[STORE_LEASE_NAME_MAX + 1], int n,
                         const char *name)
{
  for (int i = 0; i < n; i++)
    if (!strcmp(list[i], name))
      return i;
  return -1;
}

/* Remembers a lease this session holds, so a reconnect can report it lost. */
static cp_err pg_lease_note(struct pg_conn *q, const char *name)
{
  size_t n = strnlen(name, STORE_LEASE_NAME_MAX + 1);
  if (pg_lease_find(q->leases, q->nleases, name) >= 0)
    return CP_OK;
  if (q->nleases == STORE_LEASES_MAX || n > STORE_LEASE_NAME_MAX)
    return CP_TOO_BIG;
  memcpy(q->leases[q->nleases++], name, n + 1);
  return CP_OK;
}

static cp_err pg_lease(struct store_conn *c, const char *name, int op, int *held)
{
  struct pg_conn *q = (struct pg_conn *)c;
  int32_t key = pg_lease_key(name);
  int got = 0, mine = 0, i;
  cp_err rc;

  *held = 0;
  i = pg_lease_find(q->gone, q->ngone, name);
  if (op == STORE_LEASE_TRY && i >= 0) {
    /* The reconnect ended the session that held it. Say so once, even if
     * the lock is free now: the holder must see the loss and stop acting
     * as holder (a leader steps down and, taking it again, releases the
     * claims another leader may have made meanwhile). The next TRY takes
     * it like any other. */
    memmove(q->gone[i], q->gone[--q->ngone], sizeof q->gone[i]);
    log_warn("store", "lease_lost", "name=%s why=reconnected", name);
    return CP_OK;
  }
  /* Asking pg_locks first: taking a session lock twice stacks it. */
  rc = pg_lease_query(q, "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE "
                      "locktype = 'advisory' AND pid = pg_backend_pid() AND "
                      "classid = $1::int4::oid AND objid = $2::int4::oid AND "
                      "objsubid = 2 AND granted)", key, &mine);
  if (rc)
    return rc;
  if (mine) {
    *held = 1; /* TRY: still ours; PROBE: no other handle has it */
    return CP_OK;
  }
  rc = pg_lease_query(q, "SELECT pg_try_advisory_lock($1::int4, $2::int4)", key, &got);
  if (rc || !got)
    return rc;
  *held = 1;
  if (op == STORE_LEASE_TRY)
    rc = pg_lease_note(q, name);
  if (op == STORE_LEASE_PROBE || rc) {
    cp_err rc2 = pg_lease_query(q, "SELECT pg_advisory_unlock($1::int4, $2::int4)",
                                key, &got);
    if (rc)
      *held = 0;
    else
      rc = rc2;
  }
  return rc;
}

static uint64_t pg_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void pg_sleep_ms(unsigned ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
  while (nanosleep(&ts, &ts) != 0)
    ;
}

/* What the old session took with it: its prepared statements and its
 * advisory locks. */
static void pg_forget_session(struct pg_conn *q)
{
  for (size_t i = 0; i < STORE_SQL__COUNT; i++)
    if (q->stmts[i])
      q->stmts[i]->prepared = 0;
  for (int i = 0; i < q->nleases; i++) {
    if (pg_lease_find(q->gone, q->ngone, q->leases[i]) >= 0)
      continue;
    if (q->ngone == 2 * STORE_LEASES_MAX) {
      log_error("store", "lease_lost_untracked", "name=%s", q->leases[i]);
      continue;
    }
    memcpy(q->gone[q->ngone++], q->leases[i], sizeof q->leases[i]);
  }
  q->nleases = 0;
}

static cp_err pg_revive(struct store_conn *c)
{
  struct pg_conn *q = (struct pg_conn *)c;
  int ok = 0, tries = 0;

  if (!q->lost && PQstatus(q->pg) == CONNECTION_OK) {
    /* A server that ended the session while we were idle has left its
     * goodbye and EOF in the socket. Reading them costs no round trip
     * (libpq's socket is non-blocking) and lets this call reconnect
     * instead of the next statement failing; a few reads, since one may
     * stop after the message, before the EOF. */
    for (int i = 0; i < 3 && PQconsumeInput(q->pg); i++)
      ;
    if (PQstatus(q->pg) == CONNECTION_OK)
      return CP_OK;
    pg_mark_lost(q, NULL, PQerrorMessage(q->pg));
  }
  if (pg_now_ms() < q->retry_at)
    return CP_DB_LOST;
  while (!ok && tries < PG_RECONNECT_TRIES) {
    if (tries++)
      pg_sleep_ms(PG_RECONNECT_PAUSE_MS);
    PQreset(q->pg);
    ok = PQstatus(q->pg) == CONNECTION_OK && !pg_session_setup(q);
  }
  if (!ok) {
    unsigned shift = q->failures < 6 ? q->failures : 6;
    uint64_t wait = (uint64_t)PG_BACKOFF_MIN_MS << shift;
    q->failures++;
    q->retry_at = pg_now_ms() + (wait < PG_BACKOFF_MAX_MS ? wait : PG_BACKOFF_MAX_MS);
    log_debug("store", "pg_reconnect_failed", "role=%s failures=%u msg=\"%s\"",
              pg_role(q), q->failures, PQerrorMessage(q->pg));
    return CP_DB_LOST;
  }
  pg_forget_session(q);
  log_info("store", "pg_reconnected", "role=%s tries=%d leases_lost=%d",
           pg_role(q), tries, q->ngone);
  q->lost = 0;
  q->outage_logged = 0;
  q->failures = 0;
  q->retry_at = 0;
  return CP_OK;
}

static void pg_reset(struct store_stmt *st)
{
  struct pg_stmt *s = (struct pg_stmt *)st;
  PQclear(s->res);
  s->res = NULL;
  s->executed = 0;
  s->nrows = s->row = 0;
}

const struct store_db store__pg = {
  .name = "postgresql",
  .open = pg_open,
  .close = pg_close,
  .exec = pg_exec,
  .begin = pg_begin,
  .commit = pg_commit,
  .rollback = pg_rollback,
  .stmt = pg_stmt,
  .bind_i64 = pg_bind_i64,
  .bind_blob = pg_bind_blob,
  .bind_text = pg_bind_text,
  .bind_null = pg_bind_null,
  .step = pg_step,
  .col_null = pg_col_null,
  .col_i64 = pg_col_i64,
  .col_blob = pg_col_blob,
  .changes = pg_changes,
  .reset = pg_reset,
  .lease = pg_lease,
  .revive = pg_revive,
  .migrate_lock_sql = PG_MIGRATE_LOCK,
  .migrations = pg_migrations,
  .n_migrations = sizeof pg_migrations / sizeof pg_migrations[0],
};
