/* Test certificates made at run time with OpenSSL, laid out like a Chia root:
 *
 *   <root>/config/ssl/ca/private_ca.{crt,key}          the private CA
 *   <root>/config/ssl/daemon/private_daemon.{crt,key}  server cert (RPC side)
 *   <root>/config/ssl/full_node/private_full_node.{crt,key}
 *   <root>/config/ssl/wallet/private_wallet.{crt,key}  client certs
 *   <root>/other/server.{crt,key}                      signed by another CA
 *   <root>/other/ca.crt
 *
 * Header-only (static inline) so only tests that link OpenSSL (every layer
 * from crypto up) pull it in; cp_testutil itself links only util. */
#ifndef CP_TESTTLS_H
#define CP_TESTTLS_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct testtls {
  char root[256];
};

static inline int testtls__ext(X509 *issuer, X509 *x, int nid, const char *val)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ex;
  int ok;

  X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
  ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, val);
  if (!ex)
    return 0;
  ok = X509_add_ext(x, ex, -1);
  X509_EXTENSION_free(ex);
  return ok;
}

/* New key and cert; self-signed CA when issuer is NULL. */
static inline int testtls__cert(const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                                long serial, EVP_PKEY **key_out, X509 **cert_out)
{
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  X509_NAME *name;
  int ok = key && x;

  ok = ok && X509_set_version(x, 2);
  ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
  ok = ok && X509_set_pubkey(x, key);
  name = X509_get_subject_name(x);
  ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                        (const unsigned char *)"Chia", -1, -1, 0);
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)cn, -1, -1, 0);
  ok = ok && X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  ok = ok && testtls__ext(issuer ? issuer : x, x, NID_basic_constraints,
                          issuer ? "critical,CA:FALSE" : "critical,CA:TRUE");
  if (!issuer)
    ok = ok && testtls__ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
  ok = ok && X509_sign(x, issuer ? issuer_key : key, EVP_sha256());
  if (!ok) {
    EVP_PKEY_free(key);
    X509_free(x);
    return 0;
  }
  *key_out = key;
  *cert_out = x;
  return 1;
}

static inline int testtls__write(const char *root, const char *rel, X509 *x,
                                 EVP_PKEY *key)
{
  char path[512], dir[512];
  FILE *f;
  int ok;
  char *slash;

  snprintf(path, sizeof path, "%s/%s.crt", root, rel);
  snprintf(dir, sizeof dir, "%s", path);
  /* mkdir -p of the parent */
  for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    mkdir(dir, 0700);
    *slash = '/';
  }
  f = fopen(path, "w");
  if (!f)
    return 0;
  ok = PEM_write_X509(f, x);
  fclose(f);
  if (!ok || !key)
    return ok;
  snprintf(path, sizeof path, "%s/%s.key", root, rel);
  f = fopen(path, "w");
  if (!f)
    return 0;
  ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
  fclose(f);
  return ok;
}

static inline int testtls_create(struct testtls *t)
{
  EVP_PKEY *cak = NULL, *ocak = NULL, *k = NULL;
  X509 *ca = NULL, *oca = NULL, *x = NULL;
  static const char *const leaves[][2] = {
    { "config/ssl/daemon/private_daemon", "Chia daemon" },
    { "config/ssl/full_node/private_full_node", "Chia full_node" },
    { "config/ssl/wallet/private_wallet", "Chia wallet" },
  };
  int ok;

  snprintf(t->root, sizeof t->root, "/tmp/cp_testtls_XXXXXX");
  if (!mkdtemp(t->root))
    return 0;
  ok = testtls__cert("Chia CA", NULL, NULL, 1, &cak, &ca) &&
       testtls__write(t->root, "config/ssl/ca/private_ca", ca, cak);
  for (size_t i = 0; ok && i < sizeof leaves / sizeof leaves[0]; i++) {
    ok = testtls__cert(leaves[i][1], ca, cak, (long)i + 2, &k, &x) &&
         testtls__write(t->root, leaves[i][0], x, k);
    EVP_PKEY_free(k);
    X509_free(x);
    k = NULL;
    x = NULL;
  }
  ok = ok && testtls__cert("Chia CA", NULL, NULL, 1, &ocak, &oca) &&
       testtls__write(t->root, "other/ca", oca, NULL);
  ok = ok && testtls__cert("Chia daemon", oca, ocak, 2, &k, &x) &&
       testtls__write(t->root, "other/server", x, k);
  EVP_PKEY_free(k);
  X509_free(x);
  EVP_PKEY_free(cak);
  X509_free(ca);
  EVP_PKEY_free(ocak);
  X509_free(oca);
  return ok;
}

/* Absolute path of rel (e.g. "config/ssl/ca/private_ca.crt") under root. */
static inline const char *testtls_path(const struct testtls *t, const char *rel,
                                       char *out, size_t cap)
{
  snprintf(out, cap, "%s/%s", t->root, rel);
  return out;
}

static inline int testtls__rm(const char *p, const struct stat *sb, int flag,
                              struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

static inline void testtls_destroy(struct testtls *t)
{
  if (t->root[0])
    nftw(t->root, testtls__rm, 16, FTW_DEPTH | FTW_PHYS);
  t->root[0] = '\0';
}

#endif
