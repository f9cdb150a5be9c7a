/* Field tables for the types in chia/types.h. Order is the streamable (and
 * JSON) field order of the Python/Rust definitions; changing it changes
 * every hash and signature. */
#include "chia/types.h"

#include <string.h>

#include "chia/program.h"

#define MEMBER_SIZE(st, m) sizeof(((struct st *)0)->m)

#define PLAIN(st, m, kind)                                                    \
  { #m, kind, 0, offsetof(struct st, m), 0, 0, NULL }
#define FIXED(st, m)                                                          \
  { #m, ST_FIXED, 0, offsetof(struct st, m), MEMBER_SIZE(st, m), 0, NULL }
#define OPT_FIXED(st, m)                                                      \
  { #m, ST_FIXED, STF_OPT, offsetof(struct st, m), MEMBER_SIZE(st, m),        \
    offsetof(struct st, has_##m), NULL }
#define STR(st, m)                                                            \
  { #m, ST_STR, 0, offsetof(struct st, m), MEMBER_SIZE(st, m), 0, NULL }
#define OPT_STR(st, m)                                                        \
  { #m, ST_STR, STF_OPT, offsetof(struct st, m), MEMBER_SIZE(st, m),          \
    offsetof(struct st, has_##m), NULL }
#define OPT_PLAIN(st, m, kind)                                                \
  { #m, kind, STF_OPT, offsetof(struct st, m), 0,                             \
    offsetof(struct st, has_##m), NULL }
#define SUB(st, m, t)                                                         \
  { #m, ST_STRUCT, 0, offsetof(struct st, m), 0, 0, &t }
#define JSON_ONLY(name, kind, flags)                                          \
  { name, kind, flags, 0, 0, 0, NULL }

#define TYPE(var, st, tab)                                                    \
  const struct st_type var = { #st, sizeof(struct st), tab,                   \
                               sizeof tab / sizeof tab[0] }

/* ProofOfSpace: the pool_contract_puzzle_hash flag byte doubles as the
 * version marker (2/3 = v2). JSON carries version/plot_index/meta_group/
 * strength since chia_rs 0.38; older farmers omit them, and for v1 they
 * are 0, so they are emitted as 0 and accepted when missing. */
static const struct st_field pos_fields[] = {
  FIXED(chia_pos, challenge),
  OPT_FIXED(chia_pos, pool_public_key),
  { "pool_contract_puzzle_hash", ST_FIXED, STF_POS_FLAG,
    offsetof(struct chia_pos, pool_contract_puzzle_hash), 32,
    offsetof(struct chia_pos, has_pool_contract_puzzle_hash), NULL },
  FIXED(chia_pos, plot_public_key),
  JSON_ONLY("version", ST_JSON_U8, STF_ZERO_ONLY),
  JSON_ONLY("plot_index", ST_JSON_U16, 0),
  JSON_ONLY("meta_group", ST_JSON_U8, 0),
  JSON_ONLY("strength", ST_JSON_U8, 0),
  PLAIN(chia_pos, size, ST_U8),
  { "proof", ST_BYTES, 0, offsetof(struct chia_pos, proof), CHIA_POS_PROOF_MAX,
    offsetof(struct chia_pos, proof_len), NULL },
};
TYPE(chia_pos_type, chia_pos, pos_fields);

static const struct st_field partial_payload_fields[] = {
  FIXED(chia_partial_payload, launcher_id),
  PLAIN(chia_partial_payload, authentication_token, ST_U64),
  SUB(chia_partial_payload, proof_of_space, chia_pos_type),
  FIXED(chia_partial_payload, sp_hash),
  PLAIN(chia_partial_payload, end_of_sub_slot, ST_BOOL),
  FIXED(chia_partial_payload, harvester_id),
};
TYPE(chia_partial_payload_type, chia_partial_payload, partial_payload_fields);

static const struct st_field partial_request_fields[] = {
  SUB(chia_partial_request, payload, chia_partial_payload_type),
  FIXED(chia_partial_request, aggregate_signature),
};
TYPE(chia_partial_request_type, chia_partial_request, partial_request_fields);

static const struct st_field post_farmer_payload_fields[] = {
  FIXED(chia_post_farmer_payload, launcher_id),
  PLAIN(chia_post_farmer_payload, authentication_token, ST_U64),
  FIXED(chia_post_farmer_payload, authentication_public_key),
  STR(chia_post_farmer_payload, payout_instructions),
  OPT_PLAIN(chia_post_farmer_payload, suggested_difficulty, ST_U64),
};
TYPE(chia_post_farmer_payload_type, chia_post_farmer_payload,
     post_farmer_payload_fields);

static const struct st_field post_farmer_request_fields[] = {
  SUB(chia_post_farmer_request, payload, chia_post_farmer_payload_type),
  FIXED(chia_post_farmer_request, signature),
};
TYPE(chia_post_farmer_request_type, chia_post_farmer_request,
     post_farmer_request_fields);

#define PUT_PAYLOAD_V1_FIELDS                                                 \
  FIXED(chia_put_farmer_payload, launcher_id),                                \
  PLAIN(chia_put_farmer_payload, authentication_token, ST_U64),               \
  OPT_FIXED(chia_put_farmer_payload, authentication_public_key),              \
  OPT_STR(chia_put_farmer_payload, payout_instructions),                      \
  OPT_PLAIN(chia_put_farmer_payload, suggested_difficulty, ST_U64)

static const struct st_field put_farmer_payload_fields[] = {
  PUT_PAYLOAD_V1_FIELDS,
};
TYPE(chia_put_farmer_payload_type, chia_put_farmer_payload,
     put_farmer_payload_fields);

static const struct st_field put_farmer_payload_v2_fields[] = {
  PUT_PAYLOAD_V1_FIELDS,
  STR(chia_put_farmer_payload, authentication_token_v2),
};
TYPE(chia_put_farmer_payload_v2_type, chia_put_farmer_payload,
     put_farmer_payload_v2_fields);

static const struct st_field put_farmer_request_fields[] = {
  SUB(chia_put_farmer_request, payload, chia_put_farmer_payload_type),
  FIXED(chia_put_farmer_request, signature),
};
TYPE(chia_put_farmer_request_type, chia_put_farmer_request,
     put_farmer_request_fields);

static const struct st_field put_farmer_request_v2_fields[] = {
  SUB(chia_put_farmer_request, payload, chia_put_farmer_payload_v2_type),
  FIXED(chia_put_farmer_request, signature),
};
TYPE(chia_put_farmer_request_v2_type, chia_put_farmer_request,
     put_farmer_request_v2_fields);

static const struct st_field auth_payload_fields[] = {
  STR(chia_auth_payload, method_name),
  FIXED(chia_auth_payload, launcher_id),
  FIXED(chia_auth_payload, target_puzzle_hash),
  PLAIN(chia_auth_payload, authentication_token, ST_U64),
};
TYPE(chia_auth_payload_type, chia_auth_payload, auth_payload_fields);

static const struct st_field pool_state_fields[] = {
  PLAIN(chia_pool_state, version, ST_U8),
  PLAIN(chia_pool_state, state, ST_U8),
  FIXED(chia_pool_state, target_puzzle_hash),
  FIXED(chia_pool_state, owner_pubkey),
  OPT_STR(chia_pool_state, pool_url),
  PLAIN(chia_pool_state, relative_lock_height, ST_U32),
};
TYPE(chia_pool_state_type, chia_pool_state, pool_state_fields);

static const struct st_field coin_fields[] = {
  FIXED(chia_coin, parent_coin_info),
  FIXED(chia_coin, puzzle_hash),
  PLAIN(chia_coin, amount, ST_U64),
};
TYPE(chia_coin_type, chia_coin, coin_fields);

static const struct st_field coin_spend_fields[] = {
  SUB(chia_coin_spend, coin, chia_coin_type),
  { "puzzle_reveal", ST_PROGRAM, 0, offsetof(struct chia_coin_spend, puzzle_reveal),
    CHIA_PROGRAM_MAX, 0, NULL },
  { "solution", ST_PROGRAM, 0, offsetof(struct chia_coin_spend, solution),
    CHIA_PROGRAM_MAX, 0, NULL },
};
TYPE(chia_coin_spend_type, chia_coin_spend, coin_spend_fields);

static const struct st_field spend_bundle_fields[] = {
  { "coin_spends", ST_LIST, 0, offsetof(struct chia_spend_bundle, coin_spends),
    CHIA_SPEND_BUNDLE_MAX, 0, &chia_coin_spend_type },
  FIXED(chia_spend_bundle, aggregated_signature),
};
TYPE(chia_spend_bundle_type, chia_spend_bundle, spend_bundle_fields);

static const struct st_field error_response_fields[] = {
  PLAIN(chia_error_response, error_code, ST_U16),
  OPT_STR(chia_error_response, error_message),
};
TYPE(chia_error_response_type, chia_error_response, error_response_fields);

const struct st_type *const chia_all_types[] = {
  &chia_pos_type,
  &chia_partial_payload_type,
  &chia_partial_request_type,
  &chia_post_farmer_payload_type,
  &chia_post_farmer_request_type,
  &chia_put_farmer_payload_type,
  &chia_put_farmer_payload_v2_type,
  &chia_put_farmer_request_type,
  &chia_put_farmer_request_v2_type,
  &chia_auth_payload_type,
  &chia_pool_state_type,
  &chia_coin_type,
  &chia_coin_spend_type,
  &chia_spend_bundle_type,
  &chia_error_response_type,
  NULL,
};

cp_err chia_put_farmer_request_from_json_any(const json_t *j,
                                             struct chia_put_farmer_request *o,
                                             bool *v2)
{
  const json_t *payload = json_is_object(j) ? json_object_get(j, "payload") : NULL;

  *v2 = json_is_object(payload) &&
        json_object_get(payload, "authentication_token_v2") != NULL;
  return st_from_json(*v2 ? &chia_put_farmer_request_v2_type
                          : &chia_put_farmer_request_type, j, o);
}
