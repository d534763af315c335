/* Machine throughput references for the lattice bench (single thread):
 * Philox4x64-10 (the generator glassvib uses) in ns per 64-bit word, the same plus
 * the u -> double conversion and a 2-FMA accumulation (an RNG-bound lower bound per
 * site), libm pow(u, -0.4) per value, and the FMA peak (8 independent chains).
 * Build: gcc -O3 -march=native throughput.c -lm (run.sh does this). */
#include <Random123/philox.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(void) {
  const long nb = 20000000;
  philox4x64_key_t k = {{1, 2}};
  uint64_t s = 0;
  double t = now();
  for (long i = 0; i < nb; i++) {
    philox4x64_ctr_t c = {{(uint64_t)i, 0, 0, 0}};
    philox4x64_ctr_t o = philox4x64(c, k);
    s ^= o.v[0] ^ o.v[1] ^ o.v[2] ^ o.v[3];
  }
  double ns_word = (now() - t) / (4.0 * nb) * 1e9;
  double a = 0, b = 0;
  t = now();
  for (long i = 0; i < nb; i++) {
    philox4x64_ctr_t c = {{(uint64_t)i, 0, 0, 0}};
    philox4x64_ctr_t o = philox4x64(c, k);
    for (int l = 0; l < 4; l++) {
      double u = ((double)(o.v[l] >> 11) + 0.5) * 0x1.0p-53;
      a += 1e-3 * u;
      b += 1e-3 * u * u;
    }
  }
  double ns_site_rng = (now() - t) / (4.0 * nb) * 1e9;
  const long np = 20000000;
  double acc = 0;
  t = now();
  for (long i = 0; i < np; i++) acc += pow((i + 0.5) / np, -0.4);
  double ns_pow = (now() - t) / np * 1e9;
  double f[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  const long nf = 200000000;
  t = now();
  for (long i = 0; i < nf; i++)
    for (int l = 0; l < 8; l++) f[l] = fma(f[l], 0.999999999, 1e-9);
  double gflops = 2.0 * 8 * nf / (now() - t) / 1e9;
  printf("{\"philox_ns_per_word\": %.3f, \"rng_bound_ns_per_site\": %.3f, \"libm_pow_ns\": %.3f, "
         "\"scalar_fma_gflops\": %.2f, \"check\": %g}\n",
         ns_word, ns_site_rng, ns_pow, gflops, (double)(s & 1) + a + b + acc * 1e-30 + f[3] * 1e-30);
  return 0;
}
