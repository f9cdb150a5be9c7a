/* The pool's HTTP API on the server framework (pool-protocol.md §4):
 * the protocol routes (GET /pool_info, POST/PUT/GET /farmer, GET /login,
 * POST /partial), GET /metrics, and a small farmer-facing JSON API and web
 * page (GET /api/pool, GET /api/farmer, GET /web/...).
 *
 * Threads. Handlers run on the HTTP polling threads and must not block, so
 * everything that touches BLS, the node or the database is handed to the
 * shared worker pool (farmer endpoints, the JSON API) or to the partial
 * pipeline (POST /partial), and the request is answered from there.
 * /pool_info, /metrics and the page are answered inline.
 *
 * Errors. Every protocol failure is HTTP 200 with
 * {"error_code", "error_message"}; a body that is not JSON, or JSON that
 * does not parse as the request type, is SERVER_EXCEPTION (8) with a
 * message naming what was wrong, as the reference pool answers a handler
 * exception. A saturated worker pool is also 8 ("server busy"). */
#ifndef CP_HTTP_API_H
#define CP_HTTP_API_H

#include <stddef.h>
#include <stdint.h>

#include "chia/constants.h"
#include "http/server.h"
#include "pool/config.h"
#include "pool/farmers.h"
#include "pool/partials.h"
#include "store/store.h"
#include "util/metrics.h"
#include "util/workq.h"

/* Worker pool class for API jobs (farmer endpoints, stats queries): the
 * partial pipeline keeps the other classes. */
#define API_WORKQ_CLASS 3
/* Body caps: a partial is ~2.5 KiB of JSON, farmer requests less. */
#define API_MAX_BODY_PARTIAL (16u << 10)
#define API_MAX_BODY_FARMER (8u << 10)
/* Routes in api_routes' table. */
#define API_MAX_ROUTES 16

struct api;

struct api_deps {
  const struct pool_config *cfg;
  const struct chia_consts *net;
  struct store *store;
  struct farmers *farmers;   /* NULL: farmer endpoints answer error 8 */
  struct partials *partials; /* NULL: POST /partial answers error 8 */
  struct workq *workq;
  struct metrics *metrics;   /* may be NULL (then /metrics is empty) */
};

/* lifecycle */
cp_err api_new(const struct api_deps *d, struct api **out);
/* The HTTP server must be freed first (no handler may run any more), and
 * api_drain should have returned. */
void api_free(struct api *a);

/* Fill out (cap >= API_MAX_ROUTES) with the route table bound to a;
 * returns the number of routes. */
size_t api_routes(struct api *a, struct http_route *out, size_t cap);
/* Text for GET / (http_config.root_text). */
const char *api_root_text(void);

/* Wait until no request handed to a worker or the partial pipeline is
 * still unanswered, at most timeout_ms. Returns how many are left. */
size_t api_drain(struct api *a, uint64_t timeout_ms);

/* queries */
size_t api_inflight(struct api *a);

#endif
