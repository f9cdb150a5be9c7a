/* Pool persistence: farmers, credited and pending partials, points, rewards,
 * payouts and the chain cursor, behind one interface whatever the backend
 * (SQLite now, PostgreSQL through the same vtable later).
 *
 * Threading: every write runs on one writer thread fed by a queue, so HTTP
 * and worker threads never contend on database locks. store_submit() queues
 * a typed job and calls back when it is done; the synchronous write
 * functions below are store_submit() plus a wait. The writer commits the
 * jobs queued together in one transaction (one fsync), each job inside its
 * own savepoint so a failing job undoes only itself; a job is reported done
 * only once committed. Reads run on the calling thread through a small pool
 * of read connections and never block the writer (WAL). All functions are
 * thread-safe except store_close, which must be the last call.
 *
 * Integers: every uint64 round-trips exactly. Timestamps and heights are
 * ordered in SQL and must be <= INT64_MAX (CP_INVAL otherwise); amounts,
 * points and difficulties may use the full uint64 range (see store_int.h
 * for the column mapping). Byte arrays are fixed-size raw bytes.
 *
 * Errors: CP_DB / CP_DB_BUSY / CP_DB_SCHEMA for database failures,
 * CP_DB_LOST when the PostgreSQL connection dropped under the call (retry:
 * the store reconnects before the next call; a write that failed this way
 * during its COMMIT may have committed, see docs/internals/store.md),
 * CP_NOT_FOUND, CP_EXISTS (unique key taken), CP_DUPLICATE (proof already
 * pending or credited, payout key already planned), CP_INVAL, CP_TOO_BIG,
 * CP_QUEUE_FULL / CP_SHUTDOWN from the writer queue. */
#ifndef CP_STORE_STORE_H
#define CP_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define STORE_HASH_LEN 32
#define STORE_G1_LEN 48
#define STORE_PAYOUT_INSTRUCTIONS_MAX 128 /* bytes, without NUL */
#define STORE_BLOB_MAX (64 * 1024)        /* singleton tip, state, payload */
#define STORE_KEY_MAX 64                  /* payout idempotency key */
#define STORE_CLAIM_MAX 10000             /* items per pending claim */

struct store;

enum store_backend {
  STORE_BACKEND_SQLITE,
  STORE_BACKEND_PG,
};

struct store_options {
  enum store_backend backend; /* default SQLite */
  const char *path;       /* SQLite file, or libpq conninfo for PostgreSQL */
  unsigned read_conns;    /* 0 = default (4) */
  unsigned queue_max;     /* pending write jobs; 0 = default (65536) */
  unsigned busy_timeout_ms; /* 0 = default (5000) */
};

/* ---- records ---- */

struct store_farmer {
  uint8_t launcher_id[STORE_HASH_LEN];
  uint8_t p2_singleton_puzzle_hash[STORE_HASH_LEN];
  uint64_t delay_time;
  uint8_t delay_puzzle_hash[STORE_HASH_LEN];
  uint8_t authentication_public_key[STORE_G1_LEN];
  /* Serialized CoinSpend / PoolState. Owned by the record when it came from
   * store_farmer_get (free with store_farmer_release); borrowed on input. */
  uint8_t *singleton_tip;
  size_t singleton_tip_len;
  uint8_t *singleton_tip_state;
  size_t singleton_tip_state_len;
  uint64_t points;
  uint64_t difficulty;
  char payout_instructions[STORE_PAYOUT_INSTRUCTIONS_MAX + 1];
  int is_pool_member;
  uint64_t joined_at;
  uint64_t last_difficulty_change_at;
};

struct store_farmer_list {
  struct store_farmer *items;
  size_t n;
};

/* A credited partial. */
struct store_partial {
  uint8_t launcher_id[STORE_HASH_LEN];
  uint64_t timestamp;
  uint64_t difficulty;
  uint8_t harvester_id[STORE_HASH_LEN];
  uint8_t proof_hash[STORE_HASH_LEN];
  uint8_t sp_hash[STORE_HASH_LEN];
};

/* What the difficulty algorithm needs from a partial. */
struct store_partial_point {
  uint64_t timestamp;
  uint64_t difficulty;
};

/* A partial accepted at submission, waiting for its confirmation delay. */
struct store_pending {
  int64_t id; /* assigned by the store; ignored on enqueue */
  uint8_t launcher_id[STORE_HASH_LEN];
  uint8_t proof_hash[STORE_HASH_LEN];
  uint8_t sp_hash[STORE_HASH_LEN];
  uint8_t harvester_id[STORE_HASH_LEN];
  uint64_t difficulty; /* at submission: what the partial will be worth */
  uint64_t received_at;
  uint64_t due_at;
  uint8_t *payload; /* the request as received; owned in lists */
  size_t payload_len;
};

struct store_pending_list {
  struct store_pending *items;
  size_t n;
};

enum store_reward_state {
  STORE_REWARD_FOUND,
  STORE_REWARD_ABSORBING,
  STORE_REWARD_ABSORBED,
  STORE_REWARD_ORPHANED,
};

struct store_reward {
  uint8_t coin_id[STORE_HASH_LEN];
  uint8_t launcher_id[STORE_HASH_LEN];
  uint64_t height;
  uint64_t amount;
  enum store_reward_state state;
  int has_absorb_tx;
  uint8_t absorb_tx_id[STORE_HASH_LEN];
  /* blockchain fee the pool wallet pays for this reward's absorb (the
   * per-reward share of the bundle last pushed); absorbed funds are
   * amount - claim_fee */
  uint64_t claim_fee;
};

struct store_reward_list {
  struct store_reward *items;
  size_t n;
};

enum store_payout_state {
  STORE_PAYOUT_PLANNED,
  STORE_PAYOUT_SUBMITTED,
  STORE_PAYOUT_CONFIRMED,
  STORE_PAYOUT_FAILED,
};

/* How a payout plan consumes points. SUBTRACT takes exactly the points the
 * plan paid for, so partials credited while the plan was computed survive;
 * RESET zeroes every farmer (the reference pool's scheme). */
enum store_points_mode {
  STORE_POINTS_KEEP,
  STORE_POINTS_SUBTRACT,
  STORE_POINTS_RESET,
};

struct store_payout_line {
  uint8_t puzzle_hash[STORE_HASH_LEN];
  uint64_t amount;
  int has_launcher; /* 0 for the pool fee line */
  uint8_t launcher_id[STORE_HASH_LEN];
};

/* Per-farmer effect of a plan: points consumed (SUBTRACT mode) and the
 * balance carried forward to the next payout (absolute, not a delta). */
struct store_payout_farmer {
  uint8_t launcher_id[STORE_HASH_LEN];
  uint64_t points_used;
  uint64_t balance;
};

struct store_payout_plan {
  const char *idempotency_key; /* 1..STORE_KEY_MAX bytes */
  uint64_t created_at;
  uint64_t window_end; /* partials up to this time are paid for */
  enum store_points_mode points_mode;
  const struct store_payout_line *lines;
  size_t n_lines;
  const struct store_payout_farmer *farmers;
  size_t n_farmers;
};

struct store_payout_batch {
  int64_t id;
  char idempotency_key[STORE_KEY_MAX + 1];
  enum store_payout_state state;
  int has_tx;
  uint8_t tx_id[STORE_HASH_LEN];
  uint64_t created_at;
  uint64_t updated_at;
  uint64_t window_end;
  uint64_t total_amount;
  enum store_points_mode points_mode;
};

struct store_payout_line_list {
  struct store_payout_line *items;
  size_t n;
};

/* ---- lifecycle ---- */

/* Opens (creating and migrating) the database and starts the writer.
 * CP_DB_SCHEMA if the file was written by a newer chiapool. */
cp_err store_open(const struct store_options *opt, struct store **out);
/* Runs every queued job, stops the writer, closes the connections. */
void store_close(struct store *s);
/* Schema version the code writes, and the one found in the file. */
int64_t store_schema_version_code(void);
cp_err store_schema_version(struct store *s, int64_t *out);

/* ---- asynchronous writes ---- */

enum store_job_kind {
  STORE_JOB_FARMER_ADD,
  STORE_JOB_FARMER_SET_DIFFICULTY,
  STORE_JOB_FARMER_SET_AUTH,
  STORE_JOB_FARMER_SET_SINGLETON,
  STORE_JOB_PARTIAL_ADD,
  STORE_JOB_PENDING_ENQUEUE,
  STORE_JOB_PENDING_CLAIM,
  STORE_JOB_PENDING_COMPLETE,
  STORE_JOB_PENDING_DROP,
  STORE_JOB_REWARD_UPSERT,
  STORE_JOB_CHAIN_SET,
  STORE_JOB_CHAIN_ROLLBACK,
  STORE_JOB_PAYOUT_PLAN,
  STORE_JOB_PAYOUT_SET_STATE,
  STORE_JOB_PAYOUT_PLAN_MULTI,
  STORE_JOB_COOLDOWN_TAKE,
  STORE_JOB_LEASE_TRY,
  STORE_JOB_PENDING_UNCLAIM,
  STORE_JOB__COUNT
};

struct store_job;
/* Runs on the writer thread: keep it short, and never call a synchronous
 * store write from it (that would wait on itself). */
typedef void (*store_done_fn)(struct store_job *job, void *ctx);

/* A write request. The job and everything its inputs point to must stay
 * valid until done_fn has run. Fill kind and the matching `in` member. */
struct store_job {
  enum store_job_kind kind;
  union {
    const struct store_farmer *farmer;       /* FARMER_ADD */
    struct {
      const uint8_t *launcher_id;
      uint64_t difficulty;
      uint64_t at;
      int has_expect;                        /* only if it is still expect */
      uint64_t expect;
    } difficulty;                            /* FARMER_SET_DIFFICULTY */
    struct {
      const uint8_t *launcher_id;
      const char *payout_instructions;       /* NULL = unchanged */
      const uint8_t *authentication_public_key; /* NULL = unchanged */
    } auth;                                  /* FARMER_SET_AUTH */
    struct {
      const uint8_t *launcher_id;
      const uint8_t *tip;
      size_t tip_len;
      const uint8_t *state;
      size_t state_len;
      int is_pool_member;
    } singleton;                             /* FARMER_SET_SINGLETON */
    const struct store_partial *partial;     /* PARTIAL_ADD */
    const struct store_pending *pending;     /* PENDING_ENQUEUE */
    struct {
      uint64_t now;
      size_t max;
    } claim;                                 /* PENDING_CLAIM */
    struct {
      const uint8_t *proof_hash;
      uint64_t at;
    } complete;                              /* PENDING_COMPLETE, _DROP */
    const struct store_reward *reward;       /* REWARD_UPSERT */
    struct {
      uint64_t height;
      const uint8_t *header_hash;
    } chain;                                 /* CHAIN_SET, CHAIN_ROLLBACK */
    const struct store_payout_plan *plan;    /* PAYOUT_PLAN */
    struct {
      const struct store_payout_plan *plans;
      size_t n;
      int64_t *ids;                          /* n entries, filled */
    } plans;                                 /* PAYOUT_PLAN_MULTI */
    struct {
      int64_t batch_id;
      enum store_payout_state state;
      const uint8_t *tx_id;                  /* NULL = keep */
      uint64_t at;
    } payout_state;                          /* PAYOUT_SET_STATE */
    struct {
      const uint8_t *launcher_id;
      uint64_t now;
      uint64_t until;
    } cooldown;                              /* COOLDOWN_TAKE */
    const char *lease;                       /* LEASE_TRY: its name */
  } in;
  union {
    int64_t id;                        /* PENDING_ENQUEUE, PAYOUT_PLAN */
    struct store_pending_list claimed; /* PENDING_CLAIM (caller releases) */
    uint64_t count;                    /* CHAIN_ROLLBACK: rewards deleted;
                                          PENDING_UNCLAIM: claims released */
    int credited;                      /* PENDING_COMPLETE: 0 if already */
    int changed;                       /* FARMER_SET_DIFFICULTY with expect */
    int taken;                         /* COOLDOWN_TAKE */
    int held;                          /* LEASE_TRY */
  } out;
  cp_err rc;
  /* owned by the store while queued */
  store_done_fn done_;
  void *ctx_;
  struct store_job *next_;
};

/* Queues a job; done_fn (may be NULL) runs on the writer thread with rc set.
 * CP_QUEUE_FULL or CP_SHUTDOWN (done_fn not called) when it cannot queue. */
cp_err store_submit(struct store *s, struct store_job *job, store_done_fn done,
                    void *ctx);

/* ---- farmers ---- */

/* CP_EXISTS if the launcher id or the p2_singleton_puzzle_hash is taken. */
cp_err store_farmer_add(struct store *s, const struct store_farmer *f);
cp_err store_farmer_get(struct store *s, const uint8_t *launcher_id,
                        struct store_farmer *out);
cp_err store_farmer_get_by_p2(struct store *s, const uint8_t *p2_puzzle_hash,
                              struct store_farmer *out);
void store_farmer_release(struct store_farmer *f);
cp_err store_farmer_set_difficulty(struct store *s, const uint8_t *launcher_id,
                                   uint64_t difficulty, uint64_t at);
/* Sets the difficulty only if it is still `expect` (compare-and-set), so
 * two front ends adjusting one farmer from the same reading change it
 * once: *changed = 0 when another writer moved it first (or no farmer). */
cp_err store_farmer_cas_difficulty(struct store *s, const uint8_t *launcher_id,
                                   uint64_t expect, uint64_t difficulty,
                                   uint64_t at, int *changed);
/* The caller has checked the owner signature; NULL leaves a field as is. */
cp_err store_farmer_set_auth(struct store *s, const uint8_t *launcher_id,
                             const char *payout_instructions,
                             const uint8_t *authentication_public_key);
cp_err store_farmer_set_singleton(struct store *s, const uint8_t *launcher_id,
                                  const uint8_t *tip, size_t tip_len,
                                  const uint8_t *state, size_t state_len,
                                  int is_pool_member);
/* Members only, ordered by launcher id. */
cp_err store_farmer_list_members(struct store *s, struct store_farmer_list *out);
void store_farmer_list_release(struct store_farmer_list *l);

/* ---- credited partials ---- */

/* Inserts the partial and adds its difficulty to the farmer's points in one
 * transaction. CP_DUPLICATE if the proof hash was credited before. */
cp_err store_partial_add(struct store *s, const struct store_partial *p);
/* Up to max most recent partials of a farmer, newest first. */
cp_err store_partial_recent(struct store *s, const uint8_t *launcher_id,
                            size_t max, struct store_partial_point *out,
                            size_t *n);
cp_err store_partial_count_since(struct store *s, const uint8_t *launcher_id,
                                 uint64_t since, uint64_t *count);
/* Whether a proof hash is credited (1), pending (2) or unknown (0). */
cp_err store_proof_seen(struct store *s, const uint8_t *proof_hash, int *where);

/* ---- pending partials ---- */

/* CP_DUPLICATE if the proof is already pending or credited; CP_NOT_FOUND if
 * the farmer is unknown. *id (may be NULL) receives the queue id. */
cp_err store_pending_enqueue(struct store *s, const struct store_pending *p,
                             int64_t *id);
/* Takes up to max unclaimed items with due_at <= now, oldest due first;
 * they stay in the table (claimed) until completed or dropped. Claims do
 * not survive a restart: store_open releases them unless another handle
 * holds the "leader" lease (its confirmer may be using them). */
cp_err store_pending_claim(struct store *s, uint64_t now, size_t max,
                           struct store_pending_list *out);
/* Credits a pending partial at time `at`: deletes it, inserts the partial,
 * adds its difficulty to the farmer's points, all in one transaction.
 * Completing an already credited proof is CP_OK with *credited = 0;
 * CP_NOT_FOUND if the proof is neither pending nor credited. */
cp_err store_pending_complete(struct store *s, const uint8_t *proof_hash,
                              uint64_t at, int *credited);
/* Removes a pending partial that will not be credited (reverted, not a
 * member, ...). CP_NOT_FOUND if it is not pending. */
cp_err store_pending_drop(struct store *s, const uint8_t *proof_hash);
/* Everything pending, by due time (for restart). */
cp_err store_pending_list(struct store *s, struct store_pending_list *out);
/* How many partials are pending, without reading them. */
cp_err store_pending_count(struct store *s, uint64_t *n);
void store_pending_list_release(struct store_pending_list *l);

/* ---- rewards ---- */

/* Insert, or update state and absorb tx of an existing coin. Idempotent. */
cp_err store_reward_upsert(struct store *s, const struct store_reward *r);
cp_err store_reward_get(struct store *s, const uint8_t *coin_id,
                        struct store_reward *out);
cp_err store_reward_list(struct store *s, enum store_reward_state state,
                         struct store_reward_list *out);
void store_reward_list_release(struct store_reward_list *l);

/* ---- chain cursor ---- */

/* CP_NOT_FOUND before the first set. */
cp_err store_chain_get(struct store *s, uint64_t *height, uint8_t *header_hash);
cp_err store_chain_set(struct store *s, uint64_t height,
                       const uint8_t *header_hash);
/* Reorg: deletes rewards found above `height` and moves the cursor back to
 * (height, header_hash) in one transaction; *deleted may be NULL. */
cp_err store_chain_rollback(struct store *s, uint64_t height,
                            const uint8_t *header_hash, uint64_t *deleted);

/* ---- payouts, points and balances ---- */

/* Records a planned batch with its lines, consumes points and sets the
 * carried-forward balances, all in one transaction. If the idempotency key
 * exists nothing changes: CP_DUPLICATE with *batch_id = the existing batch
 * (0 if another process committed the key while this plan ran).
 * CP_INVAL if a farmer has fewer points than points_used, or a line
 * amount sum overflows. */
cp_err store_payout_plan(struct store *s, const struct store_payout_plan *p,
                         int64_t *batch_id);
/* planned -> submitted | failed, submitted -> confirmed | failed; setting
 * the current state again is a no-op. Failing a batch adds its farmer lines
 * back to their balances (in the same transaction). CP_INVAL otherwise. */
cp_err store_payout_set_state(struct store *s, int64_t batch_id,
                              enum store_payout_state state,
                              const uint8_t *tx_id, uint64_t at);
cp_err store_payout_get(struct store *s, int64_t batch_id,
                        struct store_payout_batch *out,
                        struct store_payout_line_list *lines /* may be NULL */);
void store_payout_line_list_release(struct store_payout_line_list *l);
/* Ids of batches in a state, oldest first, at most max. */
cp_err store_payout_list(struct store *s, enum store_payout_state state,
                         int64_t *ids, size_t max, size_t *n);
/* Balance carried forward (0 if none). */
cp_err store_balance_get(struct store *s, const uint8_t *launcher_id,
                         uint64_t *amount);
/* window_end of the newest batch not failed (0 if none). */
cp_err store_points_window(struct store *s, uint64_t *window_end);

/* ---- payout ledger views (store_ledger.c) ---- */

struct store_balance {
  uint8_t launcher_id[STORE_HASH_LEN];
  uint64_t amount;
};

struct store_balance_list {
  struct store_balance *items;
  size_t n;
};

/* Several batches (one per payout transaction of a round) recorded in one
 * transaction: either every batch, its lines, points and balances exist,
 * or none does. The first plan's key decides: if it exists nothing changes
 * and the result is CP_DUPLICATE with ids[] left 0. n <= STORE_PLANS_MAX. */
#define STORE_PLANS_MAX 1000
cp_err store_payout_plan_multi(struct store *s,
                               const struct store_payout_plan *plans, size_t n,
                               int64_t *ids);
/* The batch recorded under an idempotency key: CP_NOT_FOUND if none. */
cp_err store_payout_find_key(struct store *s, const char *key, int64_t *batch_id);
/* Every carried balance (zero ones included), by launcher id. */
cp_err store_balance_list(struct store *s, struct store_balance_list *out);
void store_balance_list_release(struct store_balance_list *l);
/* Sum of total_amount over batches that are not failed: what the ledger
 * has committed to pay out of the pool wallet. CP_INVAL on overflow. */
cp_err store_payout_live_total(struct store *s, uint64_t *total);

/* ---- PUT /farmer cooldowns (shared by every front end) ---- */

/* When the launcher's cooldown ends (0 if it never had one). */
cp_err store_cooldown_get(struct store *s, const uint8_t *launcher_id,
                          uint64_t *until);
/* Starts a cooldown ending at `until` unless one is still running at
 * `now` (atomically: of two front ends racing, one gets *taken = 1). */
cp_err store_cooldown_take(struct store *s, const uint8_t *launcher_id,
                           uint64_t now, uint64_t until, int *taken);

/* ---- leases: one leader among the processes sharing a database ---- */

/* Takes the lease `name` ([a-z0-9_], 1..STORE_LEASE_NAME_MAX bytes) if no
 * other store handle holds it, or confirms this handle still does; *held
 * says which. Nothing expires: a lease is held until its holder closes the
 * store or dies. PostgreSQL: a session advisory lock on the writer
 * connection, so the connection that commits the holder's writes is the
 * one that holds it (when that session ends the lock goes, and nothing
 * more can commit through it). SQLite: flock on "<path>-lease-<name>"
 * next to the database (an in-memory database is always held). */
#define STORE_LEASE_NAME_MAX 32
/* The lease whose holder runs the singleton work (confirmer, money loop,
 * singleton refresher) and owns the pending-partial claims. */
#define STORE_LEASE_LEADER "leader"
cp_err store_lease_try(struct store *s, const char *name, int *held);
/* Releases every claim on pending partials: a new leader takes over the
 * items a dead one had claimed. *n (may be NULL) = how many. */
cp_err store_pending_unclaim(struct store *s, uint64_t *n);

#endif
