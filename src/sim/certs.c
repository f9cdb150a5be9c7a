#include "sim/certs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/log.h"

static const char *const leaves[] = { "daemon", "full_node", "wallet", "farmer" };

/* create_ssl.py issues certificates valid until 2100; 75 years is plenty. */
#define CERT_DAYS (365L * 75)

cp_err sim_certs_path(const char *root, const char *svc, const char *ext,
                      char *out, size_t cap)
{
  int n;

  if (!strcmp(svc, "ca"))
    n = snprintf(out, cap, "%s/config/ssl/ca/private_ca.%s", root, ext);
  else
    n = snprintf(out, cap, "%s/config/ssl/%s/private_%s.%s", root, svc, svc, ext);
  return n < 0 || (size_t)n >= cap ? CP_TOO_BIG : CP_OK;
}

static int exists(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* mkdir -p of every directory above path. */
static cp_err mkdirs(const char *path)
{
  char d[SIM_CERTS_PATH_MAX];
  char *s;

  if (snprintf(d, sizeof d, "%s", path) >= (int)sizeof d)
    return CP_TOO_BIG;
  for (s = strchr(d + 1, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    if (mkdir(d, 0700) && errno != EEXIST)
      return CP_IO;
    *s = '/';
  }
  return CP_OK;
}

static int add_ext(X509 *issuer, X509 *x, int nid, const char *val)
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

static int set_name(X509_NAME *name, const char *cn)
{
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)cn, -1, -1, 0) &&
         X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                    (const unsigned char *)"Chia", -1, -1, 0) &&
         X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC,
                                    (const unsigned char *)"Organic Farming Division",
                                    -1, -1, 0);
}

/* New key and certificate; a self-signed CA when issuer is NULL. */
static cp_err make_cert(X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY **key_out,
                        X509 **cert_out)
{
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  unsigned char serial[16];
  BIGNUM *bn = NULL;
  int ok = key && x;

  /* random serials, as create_ssl.py: two runs never collide */
  ok = ok && RAND_bytes(serial, sizeof serial) == 1;
  serial[0] &= 0x7f;
  ok = ok && (bn = BN_bin2bn(serial, sizeof serial, NULL)) != NULL;
  ok = ok && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
  ok = ok && X509_set_version(x, 2);
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -86400);
  ok = ok && X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL);
  ok = ok && X509_set_pubkey(x, key);
  ok = ok && set_name(X509_get_subject_name(x), issuer ? "Chia" : "Chia CA");
  ok = ok && X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
  if (issuer) {
    ok = ok && add_ext(issuer, x, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && add_ext(issuer, x, NID_subject_alt_name, "DNS:chia.net");
  } else {
    ok = ok && add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  ok = ok && X509_sign(x, issuer ? issuer_key : key, EVP_sha256());
  BN_free(bn);
  if (!ok) {
    EVP_PKEY_free(key);
    X509_free(x);
    return CP_INTERNAL;
  }
  *key_out = key;
  *cert_out = x;
  return CP_OK;
}

/* Write to a temporary name and rename, so a crash never leaves half a
 * PEM that a later run would try to reuse. */
static cp_err write_pem(const char *path, X509 *x, EVP_PKEY *key)
{
  char tmp[SIM_CERTS_PATH_MAX + 8];
  FILE *f = NULL;
  int fd, ok;
  cp_err rc = mkdirs(path);

  if (rc)
    return rc;
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
    return CP_TOO_BIG;
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, key ? 0600 : 0644);
  if (fd < 0)
    return CP_IO;
  f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    unlink(tmp);
    return CP_IO;
  }
  ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
           : PEM_write_X509(f, x);
  if (fclose(f) || !ok || rename(tmp, path)) {
    unlink(tmp);
    return CP_IO;
  }
  return CP_OK;
}

static cp_err write_pair(const char *root, const char *svc, X509 *x, EVP_PKEY *key)
{
  char crt[SIM_CERTS_PATH_MAX], kp[SIM_CERTS_PATH_MAX];
  cp_err rc = sim_certs_path(root, svc, "crt", crt, sizeof crt);

  if (!rc)
    rc = sim_certs_path(root, svc, "key", kp, sizeof kp);
  /* key first: a crt without its key is never taken as complete */
  if (!rc)
    rc = write_pem(kp, NULL, key);
  if (!rc)
    rc = write_pem(crt, x, NULL);
  return rc;
}

static cp_err load_ca(const char *crt, const char *kp, X509 **x, EVP_PKEY **key)
{
  FILE *f = fopen(crt, "r");

  *x = NULL;
  *key = NULL;
  if (!f)
    return CP_IO;
  *x = PEM_read_X509(f, NULL, NULL, NULL);
  fclose(f);
  f = fopen(kp, "r");
  if (!f)
    return CP_IO;
  *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
  fclose(f);
  if (!*x || !*key || X509_check_private_key(*x, *key) != 1)
    return CP_CONFIG;
  return CP_OK;
}

static int pair_exists(const char *root, const char *svc)
{
  char crt[SIM_CERTS_PATH_MAX], kp[SIM_CERTS_PATH_MAX];
  return !sim_certs_path(root, svc, "crt", crt, sizeof crt) &&
         !sim_certs_path(root, svc, "key", kp, sizeof kp) && exists(crt) && exists(kp);
}

cp_err sim_certs_ensure(const char *root)
{
  char crt[SIM_CERTS_PATH_MAX], kp[SIM_CERTS_PATH_MAX];
  X509 *ca = NULL, *x = NULL;
  EVP_PKEY *cak = NULL, *k = NULL;
  cp_err rc;

  rc = sim_certs_path(root, "ca", "crt", crt, sizeof crt);
  if (!rc)
    rc = sim_certs_path(root, "ca", "key", kp, sizeof kp);
  if (rc)
    return rc;
  if (pair_exists(root, "ca")) {
    rc = load_ca(crt, kp, &ca, &cak);
  } else {
    rc = make_cert(NULL, NULL, &cak, &ca);
    if (!rc)
      rc = write_pair(root, "ca", ca, cak);
    if (!rc)
      log_info("sim", "ca_created", "root=%s", root);
  }
  for (size_t i = 0; !rc && i < sizeof leaves / sizeof leaves[0]; i++) {
    if (pair_exists(root, leaves[i]))
      continue;
    rc = make_cert(ca, cak, &k, &x);
    if (!rc)
      rc = write_pair(root, leaves[i], x, k);
    X509_free(x);
    EVP_PKEY_free(k);
    x = NULL;
    k = NULL;
  }
  X509_free(ca);
  EVP_PKEY_free(cak);
  return rc;
}
