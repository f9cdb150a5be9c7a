/* Structured logging: one line per event, "ts level module event k=v ...",
 * or one JSON object per line when log_set_json(1). Thread-safe. */
#ifndef CP_UTIL_LOG_H
#define CP_UTIL_LOG_H

#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

void log_set_level(enum log_level lvl);
void log_set_json(int on);
void log_set_stream(FILE *f);
enum log_level log_level_parse(const char *s); /* LOG_OFF+1 if unknown */

/* fmt is a space-separated list of key=value pairs (values quoted by caller
 * when they may contain spaces); in JSON mode each pair becomes a field. */
void log_event(enum log_level lvl, const char *module, const char *event,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_debug(mod, ev, ...) log_event(LOG_DEBUG, mod, ev, __VA_ARGS__)
#define log_info(mod, ev, ...) log_event(LOG_INFO, mod, ev, __VA_ARGS__)
#define log_warn(mod, ev, ...) log_event(LOG_WARN, mod, ev, __VA_ARGS__)
#define log_error(mod, ev, ...) log_event(LOG_ERROR, mod, ev, __VA_ARGS__)

#endif
