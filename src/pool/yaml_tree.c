#include "pool/yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/xalloc.h"

struct builder {
  yaml_parser_t parser;
  size_t nodes;
  char *err;
};

static void set_err(struct builder *b, int line, const char *what)
{
  char msg[256];
  if (b->err)
    return;
  snprintf(msg, sizeof msg, "line %d: %s", line, what);
  b->err = xstrdup(msg);
}

void ytree_free(struct ynode *n)
{
  if (!n)
    return;
  for (size_t i = 0; i < n->n; i++) {
    if (n->keys)
      free(n->keys[i]);
    ytree_free(n->items[i]);
  }
  free(n->keys);
  free(n->items);
  free(n->scalar);
  free(n);
}

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, int line)
{
  struct ynode *n;
  if (++b->nodes > YAML_TREE_MAX_NODES) {
    set_err(b, line, "too many YAML nodes");
    return NULL;
  }
  n = xcalloc(1, sizeof *n);
  n->kind = kind;
  n->line = line;
  return n;
}

static void node_push(struct ynode *n, char *key, struct ynode *child)
{
  /* grow by one each time: configs are small */
  n->items = xrealloc(n->items, (n->n + 1) * sizeof *n->items);
  if (n->kind == YNODE_MAP) {
    n->keys = xrealloc(n->keys, (n->n + 1) * sizeof *n->keys);
    n->keys[n->n] = key;
  }
  n->items[n->n++] = child;
}

/* Parse one node whose first event is ev (already taken). Recursion depth
 * is bounded by YAML_TREE_MAX_DEPTH. */
static struct ynode *parse_node(struct builder *b, yaml_event_t *ev, int depth)
{
  struct ynode *n = NULL;
  int line = (int)ev->start_mark.line + 1;

  if (depth > YAML_TREE_MAX_DEPTH) {
    set_err(b, line, "YAML nested too deeply");
    return NULL;
  }
  switch (ev->type) {
  case YAML_SCALAR_EVENT:
    if (ev->data.scalar.anchor) {
      set_err(b, line, "YAML anchors are not allowed in the config");
      return NULL;
    }
    n = node_new(b, YNODE_SCALAR, line);
    if (!n)
      return NULL;
    n->scalar = xmalloc(ev->data.scalar.length + 1);
    memcpy(n->scalar, ev->data.scalar.value, ev->data.scalar.length);
    n->scalar[ev->data.scalar.length] = 0;
    if (strlen(n->scalar) != ev->data.scalar.length) {
      set_err(b, line, "NUL byte in a YAML scalar");
      ytree_free(n);
      return NULL;
    }
    n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    return n;
  case YAML_ALIAS_EVENT:
    set_err(b, line, "YAML aliases are not allowed in the config");
    return NULL;
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    n = node_new(b, is_map ? YNODE_MAP : YNODE_SEQ, line);
    if (!n)
      return NULL;
    for (;;) {
      yaml_event_t e;
      char *key = NULL;
      struct ynode *child;
      if (!yaml_parser_parse(&b->parser, &e)) {
        set_err(b, (int)b->parser.problem_mark.line + 1,
                b->parser.problem ? b->parser.problem : "YAML syntax error");
        goto fail;
      }
      if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
        yaml_event_delete(&e);
        return n;
      }
      if (is_map) {
        if (e.type != YAML_SCALAR_EVENT) {
          set_err(b, (int)e.start_mark.line + 1, "mapping keys must be plain scalars");
          yaml_event_delete(&e);
          goto fail;
        }
        key = xmalloc(e.data.scalar.length + 1);
        memcpy(key, e.data.scalar.value, e.data.scalar.length);
        key[e.data.scalar.length] = 0;
        if (ytree_get(n, key)) {
          set_err(b, (int)e.start_mark.line + 1, "duplicate key");
          free(key);
          yaml_event_delete(&e);
          goto fail;
        }
        yaml_event_delete(&e);
        if (!yaml_parser_parse(&b->parser, &e)) {
          set_err(b, (int)b->parser.problem_mark.line + 1,
                  b->parser.problem ? b->parser.problem : "YAML syntax error");
          free(key);
          goto fail;
        }
      }
      child = parse_node(b, &e, depth + 1);
      yaml_event_delete(&e);
      if (!child) {
        free(key);
        goto fail;
      }
      node_push(n, key, child);
    }
  }
  default:
    set_err(b, line, "unexpected YAML event");
    return NULL;
  }
fail:
  ytree_free(n);
  return NULL;
}

cp_err ytree_parse(const char *text, size_t len, struct ynode **root, char **err)
{
  struct builder b;
  yaml_event_t ev;
  struct ynode *doc = NULL;
  cp_err rc = CP_CONFIG;

  *root = NULL;
  *err = NULL;
  if (len > YAML_TREE_MAX_BYTES) {
    *err = xstrdup("config file larger than 1 MiB");
    return CP_TOO_BIG;
  }
  memset(&b, 0, sizeof b);
  if (!yaml_parser_initialize(&b.parser)) {
    *err = xstrdup("cannot initialise YAML parser");
    return CP_NOMEM;
  }
  yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);

  /* STREAM-START, DOCUMENT-START, root node, DOCUMENT-END, STREAM-END */
  for (int want = 0; want < 2; want++) {
    if (!yaml_parser_parse(&b.parser, &ev)) {
      set_err(&b, (int)b.parser.problem_mark.line + 1,
              b.parser.problem ? b.parser.problem : "YAML syntax error");
      goto out;
    }
    if (ev.type == YAML_STREAM_END_EVENT) { /* empty document */
      yaml_event_delete(&ev);
      doc = node_new(&b, YNODE_MAP, 1);
      rc = CP_OK;
      goto out;
    }
    yaml_event_delete(&ev);
  }
  if (!yaml_parser_parse(&b.parser, &ev)) {
    set_err(&b, (int)b.parser.problem_mark.line + 1,
            b.parser.problem ? b.parser.problem : "YAML syntax error");
    goto out;
  }
  doc = parse_node(&b, &ev, 0);
  yaml_event_delete(&ev);
  if (!doc)
    goto out;
  if (!yaml_parser_parse(&b.parser, &ev))
    goto syntax;
  yaml_event_delete(&ev); /* DOCUMENT-END */
  if (!yaml_parser_parse(&b.parser, &ev))
    goto syntax;
  if (ev.type != YAML_STREAM_END_EVENT) {
    yaml_event_delete(&ev);
    set_err(&b, (int)ev.start_mark.line + 1, "only one YAML document is allowed");
    goto out;
  }
  yaml_event_delete(&ev);
  if (doc->kind != YNODE_MAP) {
    set_err(&b, doc->line, "the config must be a mapping of keys to values");
    goto out;
  }
  rc = CP_OK;
  goto out;
syntax:
  set_err(&b, (int)b.parser.problem_mark.line + 1,
          b.parser.problem ? b.parser.problem : "YAML syntax error");
out:
  yaml_parser_delete(&b.parser);
  if (rc) {
    ytree_free(doc);
    *err = b.err ? b.err : xstrdup("invalid YAML");
    return rc;
  }
  free(b.err);
  *root = doc;
  return CP_OK;
}

const struct ynode *ytree_get(const struct ynode *map, const char *key)
{
  if (!map || map->kind != YNODE_MAP)
    return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (!strcmp(map->keys[i], key))
      return map->items[i];
  return NULL;
}
