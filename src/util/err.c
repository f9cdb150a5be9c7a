#include "util/err.h"

static const char *const err_msgs[] = {
#define CP_ERR_MSG(name, msg) msg,
  CP_ERR_MAP(CP_ERR_MSG)
#undef CP_ERR_MSG
};

static const char *const err_names[] = {
#define CP_ERR_NAME(name, msg) #name,
  CP_ERR_MAP(CP_ERR_NAME)
#undef CP_ERR_NAME
};

const char *cp_strerror(cp_err e)
{
  if ((unsigned)e >= CP_ERR_LAST)
    return "unknown error";
  return err_msgs[e];
}

const char *cp_errname(cp_err e)
{
  if ((unsigned)e >= CP_ERR_LAST)
    return "UNKNOWN";
  return err_names[e];
}
