#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"

static enum log_level cur_level = LOG_INFO;
static int json_mode;
static FILE *stream;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

void log_set_level(enum log_level lvl) { cur_level = lvl; }
void log_set_json(int on) { json_mode = on; }
void log_set_stream(FILE *f) { stream = f; }

enum log_level log_level_parse(const char *s)
{
  for (int i = 0; i <= LOG_OFF; i++)
    if (!strcmp(s, level_names[i]))
      return (enum log_level)i;
  return (enum log_level)(LOG_OFF + 1);
}

/* JSON-escape s[0..n) into b. */
static void json_str(struct buf *b, const char *s, size_t n)
{
  buf_append_u8(b, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      buf_append_u8(b, '\\');
      buf_append_u8(b, c);
    } else if (c < 0x20) {
      buf_appendf(b, "\\u%04x", c);
    } else {
      buf_append_u8(b, c);
    }
  }
  buf_append_u8(b, '"');
}

/* Turn "a=1 b=\"x y\"" into ,"a":"1","b":"x y". */
static void kv_to_json(struct buf *b, const char *kv)
{
  const char *p = kv;
  while (*p) {
    const char *k, *eq, *v;
    size_t vlen;
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    k = p;
    eq = strchr(p, '=');
    if (!eq)
      break;
    v = eq + 1;
    if (*v == '"') {
      const char *end = strchr(v + 1, '"');
      v++;
      vlen = end ? (size_t)(end - v) : strlen(v);
      p = end ? end + 1 : v + vlen;
    } else {
      const char *end = strchr(v, ' ');
      vlen = end ? (size_t)(end - v) : strlen(v);
      p = v + vlen;
    }
    buf_append_u8(b, ',');
    json_str(b, k, (size_t)(eq - k));
    buf_append_u8(b, ':');
    json_str(b, v, vlen);
  }
}

void log_event(enum log_level lvl, const char *module, const char *event,
               const char *fmt, ...)
{
  struct buf kv, line;
  struct timespec ts;
  struct tm tm;
  char tbuf[32];
  const char *s;
  va_list ap;

  if (lvl < cur_level || lvl >= LOG_OFF)
    return;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);

  buf_init(&kv, 8192);
  va_start(ap, fmt);
  {
    char tmp[4096];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n > 0)
      buf_append(&kv, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
  }
  va_end(ap);
  if (buf_cstr(&kv, &s))
    s = "";

  buf_init(&line, 16384);
  if (json_mode) {
    buf_appendf(&line, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"module\":", tbuf,
                ts.tv_nsec / 1000000, level_names[lvl]);
    json_str(&line, module, strlen(module));
    buf_append_str(&line, ",\"event\":");
    json_str(&line, event, strlen(event));
    kv_to_json(&line, s);
    buf_append_str(&line, "}\n");
  } else {
    buf_appendf(&line, "%s.%03ldZ %-5s %s %s%s%s\n", tbuf, ts.tv_nsec / 1000000,
                level_names[lvl], module, event, *s ? " " : "", s);
  }
  pthread_mutex_lock(&log_lock);
  fwrite(line.data, 1, line.len, stream ? stream : stderr);
  fflush(stream ? stream : stderr);
  pthread_mutex_unlock(&log_lock);
  buf_release(&line);
  buf_release(&kv);
}
