/* Allocation that never returns NULL: on exhaustion it logs where and aborts
 * (h2o's choice). Use for small bookkeeping; size-capped input goes through
 * struct buf, which reports CP_NOMEM instead. */
#ifndef CP_UTIL_XALLOC_H
#define CP_UTIL_XALLOC_H

#include <stddef.h>

void *cp_xmalloc_at(size_t n, const char *file, int line);
void *cp_xcalloc_at(size_t nmemb, size_t n, const char *file, int line);
void *cp_xrealloc_at(void *p, size_t n, const char *file, int line);
char *cp_xstrdup_at(const char *s, const char *file, int line);

#define xmalloc(n) cp_xmalloc_at((n), __FILE__, __LINE__)
#define xcalloc(m, n) cp_xcalloc_at((m), (n), __FILE__, __LINE__)
#define xrealloc(p, n) cp_xrealloc_at((p), (n), __FILE__, __LINE__)
#define xstrdup(s) cp_xstrdup_at((s), __FILE__, __LINE__)

#endif
