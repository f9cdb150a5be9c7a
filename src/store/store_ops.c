/* Backend-independent helpers: the statement catalogue, row access,
 * transactions and schema migrations. */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/log.h"
#include "util/xalloc.h"

const char *const store__sql[STORE_SQL__COUNT] = {
#define STORE_SQL_TEXT(id, sql) sql,
  STORE_SQL_MAP(STORE_SQL_TEXT)
#undef STORE_SQL_TEXT
};

cp_err store__col_fixed(struct store_stmt *st, int i, uint8_t *out, size_t n)
{
  size_t got;
  const void *p = st->db->col_blob(st, i, &got);
  if (got != n || (n && !p)) {
    log_error("store", "bad_column", "col=%d len=%zu want=%zu", i, got, n);
    return CP_DB;
  }
  memcpy(out, p, n);
  return CP_OK;
}

cp_err store__col_dup(struct store_stmt *st, int i, uint8_t **out, size_t *n)
{
  size_t got;
  const void *p = st->db->col_blob(st, i, &got);
  *out = NULL;
  *n = 0;
  if (!got)
    return CP_OK;
  if (!p)
    return CP_NOMEM;
  *out = xmalloc(got);
  memcpy(*out, p, got);
  *n = got;
  return CP_OK;
}

cp_err store__prepare(struct store_conn *c, enum store_sql id,
                      struct store_stmt **out)
{
  return c->db->stmt(c, id, out);
}

cp_err store__exec_stmt(struct store_stmt *st)
{
  int row;
  cp_err rc = st->db->step(st, &row);
  st->db->reset(st);
  if (!rc && row)
    rc = CP_INTERNAL; /* a statement used for effect returned rows */
  return rc;
}

cp_err store__step_one(struct store_stmt *st)
{
  int row;
  cp_err rc = st->db->step(st, &row);
  if (rc)
    return rc;
  return row ? CP_OK : CP_NOT_FOUND;
}

cp_err store__collect_rows(struct store_stmt *st, void **items, size_t *n, size_t size,
                           store_row_fn row, void (*release)(void *item))
{
  size_t cap = *n;
  int more;
  cp_err rc;

  for (;;) {
    char *item;
    rc = st->db->step(st, &more);
    if (rc || !more)
      break;
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      *items = xrealloc(*items, cap * size);
    }
    item = (char *)*items + *n * size;
    memset(item, 0, size);
    rc = row(st, item);
    if (rc) {
      if (release)
        release(item);
      break;
    }
    (*n)++;
  }
  st->db->reset(st);
  return rc;
}

cp_err store__begin(struct store_conn *c)
{
  cp_err rc;
  if (c->depth == 0) {
    c->broken = CP_OK;
    rc = c->db->begin(c, 1);
  } else {
    rc = c->db->exec(c, "SAVEPOINT cp_job");
  }
  if (!rc)
    c->depth++;
  return rc;
}

cp_err store__finish(struct store_conn *c, cp_err rc)
{
  if (c->depth <= 0)
    return rc ? rc : CP_INTERNAL;
  if (--c->depth > 0) {
    cp_err e;
    if (!rc) {
      rc = e = c->db->exec(c, "RELEASE SAVEPOINT cp_job");
    } else {
      e = c->db->exec(c, "ROLLBACK TO SAVEPOINT cp_job");
      if (!e)
        e = c->db->exec(c, "RELEASE SAVEPOINT cp_job");
    }
    if (e && !c->broken)
      c->broken = e;
    return rc;
  }
  if (!rc && c->broken)
    rc = c->broken;
  if (!rc)
    rc = c->db->commit(c);
  if (rc)
    c->db->rollback(c);
  c->broken = CP_OK;
  return rc;
}

cp_err store__version(struct store_conn *c, int64_t *out)
{
  struct store_stmt *st;
  cp_err rc = store__prepare(c, STORE_SQL_SCHEMA_GET, &st);
  if (rc)
    return rc;
  rc = store__step_one(st);
  if (!rc)
    *out = st->db->col_null(st, 0) ? 0 : st->db->col_i64(st, 0);
  st->db->reset(st);
  return rc;
}

/* Each migration and its version row commit together, so a crash leaves
 * the file at a whole version and reopening resumes from there. */
cp_err store__migrate(struct store_conn *c)
{
  const struct store_db *db = c->db;
  struct store_stmt *st;
  int64_t have = 0, want = (int64_t)db->n_migrations;
  cp_err rc;

  rc = store__begin(c);
  if (rc)
    return rc;
  rc = db->migrate_lock_sql ? db->exec(c, db->migrate_lock_sql) : CP_OK;
  if (!rc)
    rc = store__prepare(c, STORE_SQL_SCHEMA_CREATE, &st);
  if (!rc)
    rc = store__exec_stmt(st);
  rc = store__finish(c, rc);
  if (rc)
    return rc;

  for (;;) {
    rc = store__begin(c);
    if (rc)
      return rc;
    if (db->migrate_lock_sql && (rc = db->exec(c, db->migrate_lock_sql)))
      goto fail;
    rc = store__version(c, &have);
    if (rc)
      goto fail;
    if (have > want) {
      log_error("store", "schema_newer", "file=%lld code=%lld",
                (long long)have, (long long)want);
      rc = CP_DB_SCHEMA;
      goto fail;
    }
    if (have == want)
      return store__finish(c, CP_OK);
    rc = db->exec(c, db->migrations[have]);
    if (rc)
      goto fail;
    rc = store__prepare(c, STORE_SQL_SCHEMA_INSERT, &st);
    if (rc)
      goto fail;
    st->db->bind_i64(st, 1, have + 1);
    rc = store__exec_stmt(st);
    if (rc)
      goto fail;
    rc = store__finish(c, CP_OK);
    if (rc)
      return rc;
    log_info("store", "migrated", "backend=%s version=%lld", db->name,
             (long long)(have + 1));
  }
fail:
  return store__finish(c, rc);
}
