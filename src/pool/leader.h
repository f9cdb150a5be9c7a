/* Leader election among the `chiapool serve` processes sharing one
 * database (scale-out: several stateless front ends, one PostgreSQL).
 *
 * Every front end serves HTTP and writes partials to the shared pending
 * queue; only the holder of the store's "leader" lease runs the singleton
 * work: the confirmer, the money loop and the singleton refresher, which
 * each ask leader_is() before a pass. A thread re-tries the lease every
 * check_ms, so a follower takes over within about that long once the
 * leader's lock goes (PostgreSQL drops a dead process's session at once;
 * the kernel drops its flock). On taking over, the new leader releases
 * the pending-partial claims its predecessor left.
 *
 * Exported as the gauge chiapool_leader (1 on the leader, 0 elsewhere). */
#ifndef CP_POOL_LEADER_H
#define CP_POOL_LEADER_H

#include "store/store.h"
#include "util/metrics.h"

struct leader;

struct leader_options {
  struct store *store;
  struct metrics *metrics; /* may be NULL */
  unsigned check_ms;       /* 0 = 1000 */
};

/* lifecycle */
/* Tries the lease once before returning (a lone front end leads at once),
 * then keeps trying in the background. */
cp_err leader_new(const struct leader_options *o, struct leader **out);
void leader_free(struct leader *l);

/* queries */
/* Whether this process leads now; NULL (no election: tests, one process
 * by construction) always leads. */
int leader_is(const struct leader *l);

#endif
