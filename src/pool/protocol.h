/* Pool protocol v1 error codes (chia/protocols/pool_protocol.py
 * PoolErrorCode) and their default messages. These travel in the JSON body
 * of an HTTP 200 response; they are not cp_err values, which are internal. */
#ifndef CP_POOL_PROTOCOL_H
#define CP_POOL_PROTOCOL_H

#define POOL_CODE_MAP(X)                                                      \
  X(REVERTED_SIGNAGE_POINT, 1, "signage point was reverted")                 \
  X(TOO_LATE, 2, "partial received too late")                                 \
  X(NOT_FOUND, 3, "signage point or end of sub-slot not found")              \
  X(INVALID_PROOF, 4, "invalid proof of space")                               \
  X(PROOF_NOT_GOOD_ENOUGH, 5, "proof of space not good enough")               \
  X(INVALID_DIFFICULTY, 6, "invalid difficulty")                              \
  X(INVALID_SIGNATURE, 7, "invalid signature")                                \
  X(SERVER_EXCEPTION, 8, "server exception")                                  \
  X(INVALID_P2_SINGLETON_PUZZLE_HASH, 9, "invalid p2 singleton puzzle hash")  \
  X(FARMER_NOT_KNOWN, 10, "farmer not known")                                 \
  X(FARMER_ALREADY_KNOWN, 11, "farmer already known")                         \
  X(INVALID_AUTHENTICATION_TOKEN, 12, "invalid authentication token")         \
  X(INVALID_PAYOUT_INSTRUCTIONS, 13, "invalid payout instructions")           \
  X(INVALID_SINGLETON, 14, "invalid singleton")                               \
  X(DELAY_TIME_TOO_SHORT, 15, "delay time too short")                         \
  X(REQUEST_FAILED, 16, "request failed")

enum pool_code {
  POOL_OK = 0,
#define POOL_CODE_ENUM(name, num, msg) POOL_##name = num,
  POOL_CODE_MAP(POOL_CODE_ENUM)
#undef POOL_CODE_ENUM
  POOL_CODE_LAST
};

/* "INVALID_SIGNATURE" etc.; "OK" for 0; "UNKNOWN" otherwise. */
const char *pool_code_name(enum pool_code c);
/* Default human message; never NULL. */
const char *pool_code_message(enum pool_code c);

/* {"error_code": c, "error_message": msg or the default}: the body of every
 * protocol error (sent with HTTP 200). New reference; NULL only on OOM. */
struct json_t;
struct json_t *pool_error_json(enum pool_code c, const char *msg);

#endif
