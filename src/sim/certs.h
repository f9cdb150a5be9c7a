/* The simulator's TLS material: a private CA and certificates signed by it,
 * laid out like a Chia root so node_config_chia_root() works on it:
 *
 *   <root>/config/ssl/ca/private_ca.{crt,key}
 *   <root>/config/ssl/<svc>/private_<svc>.{crt,key}   svc: daemon,
 *                                                     full_node, wallet,
 *                                                     farmer
 *
 * Like chia/ssl/create_ssl.py the CA is "Chia CA" and leaves are "Chia"
 * with the SAN chia.net; the keys are P-256 (Chia uses RSA 2048, but any
 * key the CA signs works and EC keys are made in microseconds).
 *
 * Idempotent: a CA whose two files exist is reused, and so is a leaf whose
 * two files exist; only what is missing is created. Keys are 0600. */
#ifndef CP_SIM_CERTS_H
#define CP_SIM_CERTS_H

#include <stddef.h>

#include "util/err.h"

#define SIM_CERTS_PATH_MAX 512

/* Create what is missing under root (made if absent). CP_IO on a file
 * system error, CP_INTERNAL if OpenSSL fails, CP_TOO_BIG for a root path
 * that does not fit SIM_CERTS_PATH_MAX. */
cp_err sim_certs_ensure(const char *root);

/* Path of a service's certificate or key: svc "ca" gives the CA files;
 * ext is "crt" or "key". CP_TOO_BIG if it does not fit cap. */
cp_err sim_certs_path(const char *root, const char *svc, const char *ext,
                      char *out, size_t cap);

#endif
