/* Farmer registration and account endpoints (pool-protocol.md §4, §7):
 * POST /farmer, PUT /farmer, GET /farmer, GET /login, plus the singleton
 * follower that keeps each farmer's plot-NFT state and membership current.
 *
 * Handlers take the parsed request (JSON body or query values) and return a
 * new JSON object: the success body, or {"error_code", "error_message"} —
 * always sent as HTTP 200 (farmers treat >= 400 as transport failures).
 * Signatures: POST/PUT by the singleton's owner key (from the chain's
 * PoolState), GET /farmer and /login by the stored authentication key.
 * Only a request signed by the owner may replace the authentication key,
 * so only the latest authentication key can affect difficulty or payouts. */
#ifndef CP_POOL_FARMERS_H
#define CP_POOL_FARMERS_H

#include <jansson.h>
#include <stdint.h>

#include "chia/constants.h"
#include "pool/chain.h"
#include "pool/config.h"
#include "store/store.h"
#include "util/metrics.h"

struct farmers;

struct farmers_deps {
  const struct pool_config *cfg;
  const struct chia_consts *net;
  struct store *store;
  struct chain *chain;
  struct metrics *metrics; /* may be NULL */
  struct leader *leader;   /* NULL: the refresher always runs */
  struct workq *workq;     /* NULL: the refresher follows members one by one */
};

/* lifecycle */
cp_err farmers_new(const struct farmers_deps *d, struct farmers **out);
void farmers_free(struct farmers *f);

/* endpoints: *resp is a new reference, never NULL on CP_OK; a cp_err is
 * returned only for internal failures (the caller answers error 8). */
cp_err farmers_post(struct farmers *f, const json_t *body, uint64_t now, json_t **resp);
/* PUT applies accepted changes at once and answers all three keys (true,
 * false, or null for an absent input). An accepted difficulty change starts
 * farmer_update_cooldown seconds in which further PUTs get 16 (the
 * reference instead delays every write by the cooldown). The cooldown is
 * kept in the store: it survives restarts and binds every front end. */
cp_err farmers_put(struct farmers *f, const json_t *body, uint64_t now, json_t **resp);
/* GET /farmer and GET /login: query values as received (hex with or
 * without 0x; token decimal). NULL for a missing parameter; other
 * parameters (main farmers add an empty authentication_token_v2=) are the
 * caller's to ignore. A farmer who is not a member is re-followed here, so
 * one coming back to the pool is noticed (the refresher walks members). */
cp_err farmers_get(struct farmers *f, const char *launcher_id, const char *token,
                   const char *signature, uint64_t now, json_t **resp);
cp_err farmers_login(struct farmers *f, const char *launcher_id, const char *token,
                     const char *signature, uint64_t now, json_t **resp);

/* Puzzle hash a payout_instructions string pays to: a bech32m address with
 * the network's prefix, or 32 bytes of hex with or without 0x (at most
 * STORE_PAYOUT_INSTRUCTIONS_MAX characters). CP_INVAL for anything else.
 * Stored strings are kept as the farmer sent them; payouts derive here. */
cp_err farmers_payout_puzzle_hash(const char *payout, const struct chia_consts *net,
                                  uint8_t out[32]);

/* Re-follow every farmer's singleton from its stored tip and persist new
 * state and membership (a farmer who left or points elsewhere stops being a
 * member). *changed counts farmers whose membership or tip changed. */
cp_err farmers_refresh(struct farmers *f, size_t *changed);
/* Background thread calling farmers_refresh every interval_s. */
cp_err farmers_start_refresher(struct farmers *f, unsigned interval_s);
/* Stops and joins it (farmers_free does too); call before freeing the
 * worker pool the refresher submits to. */
void farmers_stop_refresher(struct farmers *f);

#endif
