#include "util/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct metric {
  struct metric *next;
  enum metric_kind kind;
  char *name;
  char *help;
  char *label;
  char *value;
  _Atomic uint64_t count;   /* counter; histogram observation count */
  _Atomic int64_t gauge;
  _Atomic uint64_t sum_micro; /* histogram sum, in millionths */
  size_t nbounds;
  double bounds[METRICS_MAX_BUCKETS];
  _Atomic uint64_t buckets[METRICS_MAX_BUCKETS];
};

struct metrics {
  struct metric *head;
  struct metric *tail;
};

struct metrics *metrics_new(void)
{
  return xcalloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *r)
{
  if (!r)
    return;
  while (r->head) {
    struct metric *m = r->head;
    r->head = m->next;
    free(m->name);
    free(m->help);
    free(m->label);
    free(m->value);
    free(m);
  }
  free(r);
}

static int valid_name(const char *s)
{
  if (!s || !*s || (*s >= '0' && *s <= '9'))
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
      return 0;
  return 1;
}

static struct metric *add(struct metrics *r, enum metric_kind kind, const char *name,
                          const char *help, const char *label, const char *value)
{
  struct metric *m;
  if (!valid_name(name) || (label && (!valid_name(label) || !value)))
    return NULL;
  /* a family has one kind; a label value appears once */
  for (m = r->head; m; m = m->next)
    if (!strcmp(m->name, name)) {
      if (m->kind != kind)
        return NULL;
      if ((!label && !m->label) ||
          (label && m->label && !strcmp(m->label, label) && !strcmp(m->value, value)))
        return NULL;
    }
  m = xcalloc(1, sizeof *m);
  m->kind = kind;
  m->name = xstrdup(name);
  m->help = xstrdup(help ? help : "");
  m->label = label ? xstrdup(label) : NULL;
  m->value = label ? xstrdup(value) : NULL;
  /* keep families together so each gets one HELP/TYPE header */
  {
    struct metric *after = NULL;
    for (struct metric *p = r->head; p; p = p->next)
      if (!strcmp(p->name, name))
        after = p;
    if (after) {
      m->next = after->next;
      after->next = m;
      if (r->tail == after)
        r->tail = m;
      return m;
    }
  }
  if (r->tail)
    r->tail->next = m;
  else
    r->head = m;
  r->tail = m;
  return m;
}

struct metric *metrics_counter(struct metrics *r, const char *name, const char *help,
                               const char *label, const char *value)
{
  return add(r, METRIC_COUNTER, name, help, label, value);
}

struct metric *metrics_gauge(struct metrics *r, const char *name, const char *help,
                             const char *label, const char *value)
{
  return add(r, METRIC_GAUGE, name, help, label, value);
}

struct metric *metrics_histogram(struct metrics *r, const char *name, const char *help,
                                 const double *bounds, size_t nbounds)
{
  struct metric *m;
  if (nbounds == 0 || nbounds > METRICS_MAX_BUCKETS)
    return NULL;
  for (size_t i = 1; i < nbounds; i++)
    if (!(bounds[i] > bounds[i - 1]))
      return NULL;
  m = add(r, METRIC_HISTOGRAM, name, help, NULL, NULL);
  if (!m)
    return NULL;
  m->nbounds = nbounds;
  memcpy(m->bounds, bounds, nbounds * sizeof *bounds);
  return m;
}

void metric_add(struct metric *m, uint64_t n)
{
  if (m)
    atomic_fetch_add_explicit(&m->count, n, memory_order_relaxed);
}

void metric_set(struct metric *m, int64_t v)
{
  if (m)
    atomic_store_explicit(&m->gauge, v, memory_order_relaxed);
}

void metric_gauge_add(struct metric *m, int64_t d)
{
  if (m)
    atomic_fetch_add_explicit(&m->gauge, d, memory_order_relaxed);
}

void metric_observe(struct metric *m, double v)
{
  if (!m)
    return;
  for (size_t i = 0; i < m->nbounds; i++)
    if (v <= m->bounds[i])
      atomic_fetch_add_explicit(&m->buckets[i], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
  if (v > 0)
    atomic_fetch_add_explicit(&m->sum_micro, (uint64_t)(v * 1e6), memory_order_relaxed);
}

uint64_t metric_value(const struct metric *m)
{
  if (!m)
    return 0;
  if (m->kind == METRIC_GAUGE)
    return (uint64_t)atomic_load(&((struct metric *)m)->gauge);
  return atomic_load(&((struct metric *)m)->count);
}

struct metric *metrics_find(struct metrics *r, const char *name, const char *value)
{
  for (struct metric *m = r->head; m; m = m->next)
    if (!strcmp(m->name, name) &&
        (value ? m->value && !strcmp(m->value, value) : !m->value))
      return m;
  return NULL;
}

/* Label values are escaped as the exposition format requires. */
static cp_err put_label(struct buf *b, const struct metric *m)
{
  cp_err rc = CP_OK;
  if (!m->label)
    return CP_OK;
  rc = buf_appendf(b, "{%s=\"", m->label);
  for (const char *p = m->value; !rc && *p; p++) {
    if (*p == '\\' || *p == '"')
      rc = buf_appendf(b, "\\%c", *p);
    else if (*p == '\n')
      rc = buf_append_str(b, "\\n");
    else
      rc = buf_append_u8(b, (uint8_t)*p);
  }
  return rc ? rc : buf_append_str(b, "\"}");
}

cp_err metrics_render(struct metrics *r, struct buf *out)
{
  static const char *const kinds[] = { "counter", "gauge", "histogram" };
  const char *family = NULL;
  cp_err rc = CP_OK;

  for (struct metric *m = r->head; m && !rc; m = m->next) {
    if (!family || strcmp(family, m->name)) {
      family = m->name;
      rc = buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name,
                       kinds[m->kind]);
      if (rc)
        break;
    }
    if (m->kind == METRIC_HISTOGRAM) {
      uint64_t count = atomic_load(&m->count);
      for (size_t i = 0; i < m->nbounds && !rc; i++)
        rc = buf_appendf(out, "%s_bucket{le=\"%g\"} %llu\n", m->name, m->bounds[i],
                         (unsigned long long)atomic_load(&m->buckets[i]));
      if (!rc)
        rc = buf_appendf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n",
                         m->name, (unsigned long long)count, m->name,
                         (double)atomic_load(&m->sum_micro) / 1e6, m->name,
                         (unsigned long long)count);
      continue;
    }
    rc = buf_append_str(out, m->name);
    if (!rc)
      rc = put_label(out, m);
    if (!rc && m->kind == METRIC_COUNTER)
      rc = buf_appendf(out, " %llu\n", (unsigned long long)atomic_load(&m->count));
    else if (!rc)
      rc = buf_appendf(out, " %lld\n", (long long)atomic_load(&m->gauge));
  }
  return rc;
}
