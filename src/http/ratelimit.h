/* Per-client token buckets, keyed by IP address (IPv6 by its /64, since one
 * host commonly owns a whole /64). A client may make `burst` requests at
 * once and `rate` per second after that.
 *
 * Memory is bounded: at most max_clients buckets. When the table is full,
 * buckets that have refilled completely (they carry no information) are
 * dropped; if it is still full, an unknown client is let through untracked
 * rather than locking everyone out, and the per-IP connection limit of the
 * HTTP server remains the backstop. Thread-safe. */
#ifndef CP_HTTP_RATELIMIT_H
#define CP_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/err.h"

struct ratelimit;

/* lifecycle */
cp_err ratelimit_new(uint32_t rate_per_s, uint32_t burst, size_t max_clients,
                     struct ratelimit **out);
void ratelimit_free(struct ratelimit *rl);

/* Take one token for the client at addr (AF_INET or AF_INET6); false when
 * its bucket is empty. *retry_after_s (may be NULL) gets the wait for the
 * next token, rounded up. now_ms is a monotonic clock. */
bool ratelimit_take(struct ratelimit *rl, const struct sockaddr *addr,
                    uint64_t now_ms, uint32_t *retry_after_s);

/* Same for an arbitrary key (e.g. a launcher id): buckets are told apart
 * by the key's first 16 bytes, enough for hashes and ids. */
bool ratelimit_take_key(struct ratelimit *rl, const uint8_t *key, size_t n,
                        uint64_t now_ms, uint32_t *retry_after_s);

/* queries */
size_t ratelimit_clients(struct ratelimit *rl);

#endif
