/* Prometheus metrics: counters, gauges and histograms registered at start,
 * updated lock-free (atomics) from any thread, rendered in the text
 * exposition format (version 0.0.4) for GET /metrics.
 *
 * A series is a metric name plus at most one label pair, enough for
 * "partials_total{result="invalid_signature"}" without a label engine. */
#ifndef CP_UTIL_METRICS_H
#define CP_UTIL_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/err.h"

struct metrics;
struct metric;

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

#define METRICS_MAX_BUCKETS 16

/* lifecycle */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *r);

/* registration (not thread-safe: do it at start). Names must match
 * [a-zA-Z_:][a-zA-Z0-9_:]*; the same name with another label value adds a
 * series to the family. label may be NULL. Returns NULL on bad input. */
struct metric *metrics_counter(struct metrics *r, const char *name, const char *help,
                               const char *label, const char *value);
struct metric *metrics_gauge(struct metrics *r, const char *name, const char *help,
                             const char *label, const char *value);
/* bounds: ascending upper bounds (seconds, bytes...); +Inf is implicit. */
struct metric *metrics_histogram(struct metrics *r, const char *name, const char *help,
                                 const double *bounds, size_t nbounds);

/* updates (thread-safe; NULL metric is a no-op so optional metrics are cheap) */
void metric_add(struct metric *m, uint64_t n);      /* counter */
void metric_set(struct metric *m, int64_t v);       /* gauge */
void metric_gauge_add(struct metric *m, int64_t d); /* gauge */
void metric_observe(struct metric *m, double v);    /* histogram */

/* queries */
uint64_t metric_value(const struct metric *m); /* counter or gauge (as u64) */
/* The series registered as name (with label value `value`, or unlabelled
 * when value is NULL); NULL if none. */
struct metric *metrics_find(struct metrics *r, const char *name, const char *value);
cp_err metrics_render(struct metrics *r, struct buf *out);

#endif
