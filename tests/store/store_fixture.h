/* Helpers shared by the store tests: a fresh database file per test and
 * deterministic records. Header-only so each test stays one executable. */
#ifndef CP_TEST_STORE_FIXTURE_H
#define CP_TEST_STORE_FIXTURE_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

/* Which backend the cases run on; test_pg.c sets PG. */
static enum store_backend fx_backend = STORE_BACKEND_SQLITE;

struct fx {
  char dir[64];
  char path[96];
  const char *dsn; /* PostgreSQL */
};

static inline struct store_options fx_options(const struct fx *f)
{
  struct store_options o = { .backend = fx_backend, .read_conns = 3 };
  o.path = fx_backend == STORE_BACKEND_PG ? f->dsn : f->path;
  return o;
}

static inline void fx_pg_exec(const char *dsn, const char *sql)
{
  PGconn *pg = PQconnectdb(dsn);
  PGresult *res;
  assert_int_equal(PQstatus(pg), CONNECTION_OK);
  res = PQexec(pg, sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK &&
      PQresultStatus(res) != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQresultErrorMessage(res));
  PQclear(res);
  PQfinish(pg);
}

/* A fresh, empty database: a new SQLite file, or the PostgreSQL schema of
 * CHIAPOOL_PG_DSN dropped and recreated (skips when the variable is unset:
 * point it at a throwaway database). */
static inline void fx_init(struct fx *f)
{
  memset(f, 0, sizeof *f);
  if (fx_backend == STORE_BACKEND_PG) {
    f->dsn = getenv("CHIAPOOL_PG_DSN");
    if (!f->dsn || !*f->dsn) {
      print_message("CHIAPOOL_PG_DSN not set: skipping PostgreSQL test\n");
      skip();
    }
    fx_pg_exec(f->dsn, "SET client_min_messages = warning;"
                       "DROP SCHEMA IF EXISTS public CASCADE;"
                       "CREATE SCHEMA public;");
    return;
  }
  snprintf(f->dir, sizeof f->dir, "/tmp/cpstore.XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->path, sizeof f->path, "%s/pool.db", f->dir);
}

static inline void fx_cleanup(struct fx *f)
{
  char p[128];
  static const char *const sfx[] = { "", "-wal", "-shm", "-journal",
                                     "-lease-" STORE_LEASE_LEADER };
  if (fx_backend == STORE_BACKEND_PG)
    return;
  for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
    unlink(p);
  }
  rmdir(f->dir);
}

static inline struct store *fx_open(struct fx *f)
{
  struct store_options o = fx_options(f);
  struct store *s = NULL;
  assert_int_equal(store_open(&o, &s), CP_OK);
  assert_non_null(s);
  return s;
}

/* Runs SQL on the database behind the store's back. */
static inline void fx_raw_exec(struct fx *f, const char *sql)
{
  sqlite3 *db = NULL;
  if (fx_backend == STORE_BACKEND_PG) {
    fx_pg_exec(f->dsn, sql);
    return;
  }
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* First column of the first row, as an integer. */
static inline int64_t fx_raw_int(struct fx *f, const char *sql)
{
  int64_t v;
  if (fx_backend == STORE_BACKEND_PG) {
    PGconn *pg = PQconnectdb(f->dsn);
    PGresult *res;
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    res = PQexec(pg, sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_true(PQntuples(res) >= 1);
    v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    PQfinish(pg);
    return v;
  }
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  return v;
}

/* A 32-byte value: tag, then n big-endian, then filler. */
static inline void fx_hash(uint8_t *h, uint8_t tag, uint32_t n)
{
  memset(h, 0xa5 ^ tag, STORE_HASH_LEN);
  h[0] = tag;
  h[1] = (uint8_t)(n >> 24);
  h[2] = (uint8_t)(n >> 16);
  h[3] = (uint8_t)(n >> 8);
  h[4] = (uint8_t)n;
}

static uint8_t fx_tip[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01 };
static uint8_t fx_state[] = { 0x01, 0x03, 0x00, 0xff };

/* Farmer n: launcher tag 'L', p2 tag 'P'. Borrowed blobs. */
static inline void fx_farmer(struct store_farmer *f, uint32_t n)
{
  memset(f, 0, sizeof *f);
  fx_hash(f->launcher_id, 'L', n);
  fx_hash(f->p2_singleton_puzzle_hash, 'P', n);
  f->delay_time = 3600 + n;
  fx_hash(f->delay_puzzle_hash, 'D', n);
  memset(f->authentication_public_key, 0x40 + (int)(n & 0xf), STORE_G1_LEN);
  f->singleton_tip = fx_tip;
  f->singleton_tip_len = sizeof fx_tip;
  f->singleton_tip_state = fx_state;
  f->singleton_tip_state_len = sizeof fx_state;
  f->points = 0;
  f->difficulty = 10;
  snprintf(f->payout_instructions, sizeof f->payout_instructions,
           "xch1farmer%u", n);
  f->is_pool_member = 1;
  f->joined_at = 1700000000 + n;
  f->last_difficulty_change_at = 1700000000 + n;
}

static inline void fx_pending(struct store_pending *p, uint32_t farmer,
                              uint32_t n, uint64_t difficulty, uint64_t due)
{
  static uint8_t payload[] = "{\"payload\": 1}";
  memset(p, 0, sizeof *p);
  fx_hash(p->launcher_id, 'L', farmer);
  fx_hash(p->proof_hash, 'Q', n);
  fx_hash(p->sp_hash, 'S', n);
  fx_hash(p->harvester_id, 'H', farmer);
  p->difficulty = difficulty;
  p->received_at = due > 300 ? due - 300 : 0;
  p->due_at = due;
  p->payload = payload;
  p->payload_len = sizeof payload - 1;
}

#endif
