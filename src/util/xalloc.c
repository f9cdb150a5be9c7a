#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n, const char *file, int line)
{
  fprintf(stderr, "fatal: out of memory allocating %zu bytes at %s:%d\n", n, file, line);
  abort();
}

void *cp_xmalloc_at(size_t n, const char *file, int line)
{
  void *p = malloc(n ? n : 1);
  if (!p)
    oom(n, file, line);
  return p;
}

void *cp_xcalloc_at(size_t nmemb, size_t n, const char *file, int line)
{
  void *p = calloc(nmemb ? nmemb : 1, n ? n : 1);
  if (!p)
    oom(nmemb * n, file, line);
  return p;
}

void *cp_xrealloc_at(void *p, size_t n, const char *file, int line)
{
  void *q = realloc(p, n ? n : 1);
  if (!q)
    oom(n, file, line);
  return q;
}

char *cp_xstrdup_at(const char *s, const char *file, int line)
{
  size_t n = strlen(s) + 1;
  char *p = cp_xmalloc_at(n, file, line);
  memcpy(p, s, n);
  return p;
}
