#include "pool/protocol.h"

#include <jansson.h>

struct code_row {
  const char *name;
  const char *msg;
};

static const struct code_row rows[POOL_CODE_LAST] = {
  [POOL_OK] = { "OK", "ok" },
#define POOL_CODE_ROW(name, num, msg) [num] = { #name, msg },
  POOL_CODE_MAP(POOL_CODE_ROW)
#undef POOL_CODE_ROW
};

const char *pool_code_name(enum pool_code c)
{
  if ((unsigned)c >= POOL_CODE_LAST || !rows[c].name)
    return "UNKNOWN";
  return rows[c].name;
}

const char *pool_code_message(enum pool_code c)
{
  if ((unsigned)c >= POOL_CODE_LAST || !rows[c].msg)
    return "unknown error";
  return rows[c].msg;
}

json_t *pool_error_json(enum pool_code c, const char *msg)
{
  return json_pack("{s:i,s:s}", "error_code", (int)c, "error_message",
                   msg && *msg ? msg : pool_code_message(c));
}
