/* A small immutable tree built from a YAML document with libyaml, so the
 * config code can look keys up by path instead of driving a parser's event
 * stream. Bounded: document size, depth and node count are capped; anchors,
 * aliases and multiple documents are refused (a config has no use for them
 * and they are the classic YAML bomb). */
#ifndef CP_POOL_YAML_TREE_H
#define CP_POOL_YAML_TREE_H

#include <stddef.h>
#include "util/err.h"

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

struct ynode {
  enum ynode_kind kind;
  int line;              /* 1-based, for messages */
  char *scalar;          /* YNODE_SCALAR: the text; NULL otherwise */
  int quoted;            /* scalar was quoted ('x' or "x") */
  size_t n;              /* children (MAP: key/value pairs; SEQ: items) */
  char **keys;           /* MAP only: n keys */
  struct ynode **items;  /* MAP: n values; SEQ: n items */
};

#define YAML_TREE_MAX_BYTES (1u << 20)
#define YAML_TREE_MAX_DEPTH 16
#define YAML_TREE_MAX_NODES 10000

/* Parse text; on failure *err gets a malloc'd one-line reason. */
cp_err ytree_parse(const char *text, size_t len, struct ynode **root, char **err);
void ytree_free(struct ynode *n);

/* Child of a mapping by key, NULL if absent or n is not a mapping. */
const struct ynode *ytree_get(const struct ynode *map, const char *key);

#endif
