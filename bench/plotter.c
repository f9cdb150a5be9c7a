/* bench_plotter [K...]: in-memory plot build time and peak memory per k
 * (default 18..22), one core, plus the cost of answering challenges.
 *
 * Each k runs in its own child process so that ru_maxrss (a high-water
 * mark that never goes down) is that k's peak and nothing else's. Compare
 * chiapos: k18 1.1-1.4 s and ~20 MB, k20 4 s (docs/benchmarks.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "pos/plotter.h"
#include "util/clock.h"
#include "util/parse.h"

#define CHALLENGES 2000

static int run(unsigned k)
{
  uint8_t id[32], challenge[32], quals[16][32];
  uint8_t *proof = malloc(8 * POS_PLOT_K_MAX);
  struct pos_plot *p;
  struct rusage ru;
  uint64_t t0, build_ms, query_us, proofs = 0;
  cp_err rc;

  if (!proof)
    return 1;
  sha256(id, "chiapool bench plot", 19);
  t0 = clock_mono_ms();
  if ((rc = pos_plot_new(k, id, &p))) {
    fprintf(stderr, "k=%u: %s\n", k, cp_strerror(rc));
    free(proof);
    return 1;
  }
  build_ms = clock_mono_ms() - t0;
  getrusage(RUSAGE_SELF, &ru);

  t0 = clock_mono_ms();
  for (uint32_t c = 0; c < CHALLENGES; c++) {
    size_t n;
    sha256(challenge, &c, sizeof c);
    if (pos_plot_qualities(p, challenge, quals, 16, &n) == CP_OK && n > 0 &&
        pos_plot_full_proof(p, challenge, 0, proof) == CP_OK)
      proofs += n;
  }
  query_us = (clock_mono_ms() - t0) * 1000 / CHALLENGES;
  /* CPU time too: on a shared machine wall time overstates the cost */
  printf("k=%-2u build %7.2f s (cpu %7.2f s)  peak RSS %6ld MB  plot %5zu MB"
         " (%.1f B/entry)  t7 %8llu  %llu proofs/%d challenges,"
         " %llu us/challenge\n",
         k, build_ms / 1000.0,
         (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
         ru.ru_maxrss / 1024, pos_plot_bytes(p) >> 20,
         (double)pos_plot_bytes(p) / (double)((uint64_t)1 << k),
         (unsigned long long)pos_plot_entries(p, 7),
         (unsigned long long)proofs, CHALLENGES,
         (unsigned long long)query_us);
  fflush(stdout);
  pos_plot_free(p);
  free(proof);
  return 0;
}

int main(int argc, char **argv)
{
  unsigned ks[16];
  int nk = 0, fails = 0;

  for (int i = 1; i < argc && nk < 16; i++) {
    uint64_t k;
    if (parse_u64_cstr(argv[i], POS_PLOT_K_MAX, &k) || k < POS_PLOT_K_MIN) {
      fprintf(stderr, "usage: bench_plotter [K...] (K %d..%d)\n",
              POS_PLOT_K_MIN, POS_PLOT_K_MAX);
      return 2;
    }
    ks[nk++] = (unsigned)k;
  }
  if (!nk)
    for (unsigned k = 18; k <= 22; k++)
      ks[nk++] = k;

  for (int i = 0; i < nk; i++) {
    pid_t pid = fork();
    int st;
    if (pid < 0) {
      perror("fork");
      return 1;
    }
    if (pid == 0)
      _exit(run(ks[i]));
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
      fails++;
  }
  return fails ? 1 : 0;
}
