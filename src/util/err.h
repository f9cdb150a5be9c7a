/* One error enum for the whole program (0 = success) and its message table.
 * The list is an X-macro so the enum, the names and the messages cannot drift
 * apart; tests/util/test_err.c checks every code has a name and a message.
 * Add new codes at the end of their layer's group. */
#ifndef CP_UTIL_ERR_H
#define CP_UTIL_ERR_H

#define CP_ERR_MAP(X)                                                         \
  X(OK, "success")                                                            \
  /* util */                                                                  \
  X(NOMEM, "out of memory")                                                   \
  X(INVAL, "invalid argument")                                                \
  X(TOO_BIG, "input exceeds its size limit")                                  \
  X(TRUNCATED, "input is truncated")                                          \
  X(TRAILING, "unexpected trailing bytes")                                    \
  X(BAD_HEX, "malformed hex string")                                          \
  X(BAD_NUMBER, "malformed or out-of-range number")                           \
  X(BAD_JSON, "malformed JSON")                                               \
  X(IO, "I/O error")                                                          \
  X(NOT_FOUND, "not found")                                                   \
  X(EXISTS, "already exists")                                                 \
  X(TIMEOUT, "timed out")                                                     \
  X(INTERNAL, "internal error")                                               \
  X(UNSUPPORTED, "unsupported")                                               \
  X(CONFIG, "invalid configuration")                                          \
  /* crypto */                                                                \
  X(BAD_KEY, "malformed or invalid BLS key")                                  \
  X(BAD_SIGNATURE, "malformed BLS signature")                                 \
  X(VERIFY_FAILED, "signature verification failed")                          \
  /* chia */                                                                  \
  X(BAD_UTF8, "invalid UTF-8 string")                                         \
  X(BAD_ADDRESS, "invalid bech32m address")                                   \
  X(BAD_STREAMABLE, "malformed streamable encoding")                          \
  /* pos */                                                                   \
  X(BAD_PROOF, "invalid proof of space")                                      \
  X(BAD_K, "plot size k out of range")                                        \
  /* clvm */                                                                  \
  X(CLVM_SERIAL, "malformed CLVM serialization")                              \
  X(CLVM_RAISE, "CLVM program raised an exception")                           \
  X(CLVM_COST, "CLVM cost limit exceeded")                                    \
  X(CLVM_BAD_OP, "unknown or invalid CLVM operator")                          \
  X(CLVM_EVAL, "CLVM evaluation error")                                       \
  X(CLVM_LIMIT, "CLVM depth or size limit exceeded")                          \
  X(CLVM_COND, "invalid CLVM condition")                                      \
  /* plotnft */                                                               \
  X(BAD_SINGLETON, "not a valid plot-NFT singleton")                          \
  /* node */                                                                  \
  X(RPC_TRANSPORT, "node RPC transport failure")                              \
  X(RPC_ERROR, "node RPC returned an error")                                  \
  X(RPC_RESPONSE, "node RPC response malformed")                              \
  /* store */                                                                 \
  X(DB, "database error")                                                     \
  X(DB_BUSY, "database busy")                                                 \
  X(DB_SCHEMA, "database schema mismatch")                                    \
  X(DB_LOST, "database connection lost")                                      \
  /* pool */                                                                  \
  X(DUPLICATE, "duplicate submission")                                        \
  X(SHUTDOWN, "shutting down")                                                \
  X(QUEUE_FULL, "queue full")                                                 \
  /* sim */                                                                   \
  X(TX_FAILED, "spend bundle refused by the mempool")                         \
  X(SIM_STALE, "signage point is stale or already has a block")               \
  X(SIM_NOT_WINNING, "proof of space does not win a block")

typedef enum cp_err {
#define CP_ERR_ENUM(name, msg) CP_##name,
  CP_ERR_MAP(CP_ERR_ENUM)
#undef CP_ERR_ENUM
  CP_ERR_LAST /* never use */
} cp_err;

/* Human message for an error code; never NULL. */
const char *cp_strerror(cp_err e);
/* Symbolic name ("TOO_BIG") for logs and tests; never NULL. */
const char *cp_errname(cp_err e);

#endif
