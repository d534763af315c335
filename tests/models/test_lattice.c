/* Lattice model of dipole stiffnesses: weights, exact small cases (L = 1 gives
 * kappa = omega^2; d = 1, L = 5 by enumeration of Eqs. 8-10), the single-precision
 * power against libm, fast kernels vs the double reference and vs each other
 * (bitwise), the omega distribution (KS tests against 5 omega^4 for the centre
 * and for all sites), thread-count independence, checkpoint resume after a torn
 * write; the generator (ARS-7) bitwise against Random123's own ars4x32 and a
 * known answer, in portable C and with the AES-NI instructions. */
#if defined(__x86_64__) && defined(__GNUC__)
/* Random123 compiles ARS only where the AES instructions are enabled: enable them
 * for its header alone (the test calls it only after checking the CPU). */
#pragma GCC push_options
#pragma GCC target("aes,sse2")
#include <Random123/ars.h>
static void r123_ars7(const uint32_t key[4], const uint32_t ctr[4], uint32_t out[4]) {
  ars4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  ars4x32_key_t k = {{key[0], key[1], key[2], key[3]}};
  ars4x32_ctr_t o = ars4x32_R(7, c, k);
  for (int i = 0; i < 4; i++) out[i] = o.v[i];
}
#pragma GCC pop_options
#define HAVE_R123_ARS 1
#endif
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glassvib/models.h"
#include "testlib.h"

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_weights_and_small(void) {
  gv_lattice *lat = NULL;
  CHECK_OK(gv_lattice_create(&lat, 1, 5));
  const double *w = gv_lattice_weights(lat);
  /* sites 0,1,(2 = centre),3,4: distances 2,1,1,2 -> r^-2 */
  CHECK(w[0] == 0.25 && w[1] == 1 && w[2] == 1 && w[3] == 0.25, "d=1 weights %g %g %g %g", w[0], w[1], w[2], w[3]);
  /* d = 1, L = 5 by enumeration: Eqs. 8-10 written out from the omegas of the
   * realisation (centre, then sites at x = -2, -1, +1, +2) */
  for (uint64_t k = 0; k < 6; k++) {
    double om[5];
    CHECK_OK(gv_lattice_omega(lat, 77, k, om));
    const double r[4] = {2, 1, 1, 2};
    double a = pow(om[0], -2), b = pow(om[0], -4);
    for (int j = 0; j < 4; j++) {
      a += pow(r[j], -2) * pow(om[j + 1], -2);
      b += pow(r[j], -2) * pow(om[j + 1], -4);
    }
    double a1, b1, kref = gv_lattice_kappa_one(lat, 77, k, &a1, &b1), kf;
    CHECK_CLOSE(kref, a / b, 1e-13, 0);
    CHECK_CLOSE(a1, a, 1e-13, 0);
    CHECK_OK(gv_lattice_sample(lat, 77, k, 1, &kf));
    /* the kernels use t = omega^-2 in single precision (relative error <= 3e-7) */
    CHECK_CLOSE(kf, a / b, 1e-6, 0);
  }
  gv_lattice_destroy(&lat);
  /* 3D: weights of the first shells */
  CHECK_OK(gv_lattice_create(&lat, 3, 5));
  CHECK(gv_lattice_sites(lat) == 125, "sites");
  double wsum = 0;
  w = gv_lattice_weights(lat);
  for (size_t j = 0; j < 124; j++) wsum += w[j];
  /* shells r^2 = 1 (6), 2 (12), 3 (8), 4 (6), 5 (24), 6 (24), 8 (12), 9 (24), 12 (8) */
  double ref = 6 + 12 / 8.0 + 8 / 27.0 + 6 / 64.0 + 24 / 125.0 + 24 / 216.0 + 12 / 512.0 + 24 / 729.0 + 8 / 1728.0;
  CHECK_CLOSE(wsum, ref, 1e-14, 0);
  gv_lattice_destroy(&lat);
  /* bad input */
  CHECK(gv_lattice_create(&lat, 2, 4) == GV_EINVAL, "even L accepted");
  CHECK(gv_lattice_create(&lat, 0, 3) == GV_EINVAL, "d = 0 accepted");
  CHECK(gv_lattice_create(&lat, 2, -1) == GV_EINVAL, "L < 1 accepted");
  gv_error_clear();
}

/* The single-precision power against libm over the whole word range, the kernels
 * against the double-precision reference (including realisations where some site
 * needed the refined u < 2^-16 path), and AVX-512 vs portable kernel bitwise. */
static void test_kernels(void) {
  double maxerr = 0;
  for (uint64_t x = 65536; x < 4294967296ULL; x += 65521) {
    double t = gv_lattice_t_of_word((uint32_t)x), ref = pow(((double)x + 0.5) * 0x1.0p-32, -0.4);
    maxerr = fmax(maxerr, fabs(t / ref - 1));
  }
  double tmax = gv_lattice_t_of_word(0xffffffffu);
  CHECK(maxerr < 3e-7, "single-precision u^-0.4: max relative error %g", maxerr);
  CHECK(fabs(tmax - 1) < 3e-7, "t(2^32 - 1) = %.9g", tmax);
  CHECK(isnan(gv_lattice_t_of_word(65535)), "words below 2^16 must take the refined path");
  gv_lattice *lat = NULL;
  CHECK_OK(gv_lattice_create(&lat, 3, 21));
  const size_t n = 400, S = gv_lattice_sites(lat);
  double *kf = malloc(n * sizeof *kf), *kp = malloc(n * sizeof *kp), *om = malloc(S * sizeof *om);
  CHECK_OK(gv_lattice_sample(lat, 5, 100, n, kf));
  double worst = 0;
  int refined = 0;
  for (size_t k = 0; k < n; k++) {
    worst = fmax(worst, fabs(kf[k] / gv_lattice_kappa_one(lat, 5, 100 + k, NULL, NULL) - 1));
    CHECK_OK(gv_lattice_omega(lat, 5, 100 + k, om));
    for (size_t p = 0; p < S; p++) refined += om[p] < 0.10881882041201557; /* u < 2^-16 */
  }
  printf("kernels vs reference: max relative difference %.3g over %zu realisations (%d refined sites)\n", worst, n,
         refined);
  CHECK(worst < 2e-6, "fast kappa vs reference: %g", worst);
  CHECK(refined >= 25, "only %d sites with u < 2^-16 (expected ~%.0f)", refined, n * S / 65536.0);
  if (gv_lattice_set_kernel(lat, GV_LATTICE_KERNEL_AVX512) == GV_OK) {
    CHECK_OK(gv_lattice_set_kernel(lat, GV_LATTICE_KERNEL_PORTABLE));
    CHECK_OK(gv_lattice_sample(lat, 5, 100, n, kp));
    CHECK(memcmp(kf, kp, n * sizeof *kf) == 0, "AVX-512 and portable kernels differ");
  } else {
    gv_error_clear();
    printf("no AVX-512 on this CPU: kernel comparison skipped\n");
  }
  free(kf);
  free(kp);
  free(om);
  gv_lattice_destroy(&lat);
}

static void test_L1_distribution(void) {
  /* L = 1: kappa = omega^2 exactly; omega ~ 5 omega^4 (KS test), <kappa> = 5/7 */
  gv_lattice *lat = NULL;
  CHECK_OK(gv_lattice_create(&lat, 2, 1));
  const size_t n = 200000;
  double *k = malloc(n * sizeof *k);
  CHECK_OK(gv_lattice_sample(lat, 3, 0, n, k));
  double om;
  CHECK_OK(gv_lattice_omega(lat, 3, 12, &om));
  CHECK_CLOSE(k[12], om * om, 1e-6, 0);
  double mean = 0;
  for (size_t i = 0; i < n; i++) {
    mean += k[i];
    k[i] = sqrt(k[i]);
  }
  mean /= n;
  CHECK(fabs(mean - 5.0 / 7.0) < 4 * sqrt((5.0 / 9.0 - 25.0 / 49.0) / n), "<kappa> = %g vs 5/7", mean);
  qsort(k, n, sizeof *k, cmp_d);
  double D = 0;
  for (size_t i = 0; i < n; i++) {
    double F = pow(k[i], 5);
    D = fmax(D, fmax(fabs(F - (double)i / n), fabs(F - (double)(i + 1) / n)));
  }
  CHECK(D < 1.63 / sqrt((double)n), "KS distance %g (99%% bound %g)", D, 1.63 / sqrt((double)n));
  /* the exponent of p(kappa) = (5/2) kappa^(3/2) */
  for (size_t i = 0; i < n; i++) k[i] *= k[i];
  gv_lattice_analysis a;
  CHECK_OK(gv_lattice_analyse(k, n, 0.01, 0.5, &a));
  CHECK(fabs(a.eta_mle - 1.5) < 4 * a.eta_err, "L = 1 eta %g +- %g vs 3/2", a.eta_mle, a.eta_err);
  CHECK(fabs(a.eta - 1.5) < 0.05, "L = 1 eta (log F fit) %g vs 3/2", a.eta);
  free(k);
  gv_lattice_destroy(&lat);
  /* every site of a large lattice (the layout of words over sites): KS on omega^5,
   * which is uniform; and the mean of omega^-2 (= 5/3) */
  CHECK_OK(gv_lattice_create(&lat, 3, 21));
  const size_t S = gv_lattice_sites(lat), nr = 20, m = S * nr;
  double *u = malloc(m * sizeof *u);
  for (size_t r = 0; r < nr; r++) CHECK_OK(gv_lattice_omega(lat, 11, r, u + r * S));
  double s2 = 0;
  for (size_t i = 0; i < m; i++) {
    s2 += 1 / (u[i] * u[i]);
    u[i] = pow(u[i], 5);
  }
  qsort(u, m, sizeof *u, cmp_d);
  D = 0;
  for (size_t i = 0; i < m; i++) D = fmax(D, fmax(fabs(u[i] - (double)i / m), fabs(u[i] - (double)(i + 1) / m)));
  CHECK(D < 1.63 / sqrt((double)m), "sites: KS distance %g (99%% bound %g)", D, 1.63 / sqrt((double)m));
  /* var(omega^-2) = 5 - 25/9 */
  CHECK(fabs(s2 / m - 5.0 / 3.0) < 4 * sqrt((5 - 25.0 / 9) / m), "<omega^-2> = %g vs 5/3", s2 / m);
  free(u);
  gv_lattice_destroy(&lat);
}

static void test_threads_and_resume(void) {
  gv_lattice *lat = NULL;
  CHECK_OK(gv_lattice_create(&lat, 3, 7));
  const size_t n = 5000;
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  int nt = omp_get_max_threads();
  omp_set_num_threads(1);
  CHECK_OK(gv_lattice_sample(lat, 9, 0, n, a));
  omp_set_num_threads(2);
  CHECK_OK(gv_lattice_sample(lat, 9, 0, n, b));
  omp_set_num_threads(nt);
  CHECK(memcmp(a, b, n * sizeof *a) == 0, "lattice kappa depends on the thread count");
  /* checkpoint: full run, tear the file in the middle of chunk 3, resume */
  char path[512];
  snprintf(path, sizeof path, "%s/lat.ckpt", tl_tmpdir());
  size_t resumed = 99;
  memset(b, 0, n * sizeof *b);
  CHECK_OK(gv_lattice_run(lat, 9, n, 1000, path, b, &resumed, NULL));
  CHECK(resumed == 0, "fresh run resumed %zu", resumed);
  CHECK(memcmp(a, b, n * sizeof *a) == 0, "chunked run differs");
  long rec = 8 + 8 + 1000 * 8 + 8, hdr = 8 + 4 + 4 + 3 * 8;
  CHECK(truncate(path, hdr + 2 * rec + 500) == 0, "truncate");
  memset(b, 0, n * sizeof *b);
  CHECK_OK(gv_lattice_run(lat, 9, n, 1000, path, b, &resumed, NULL));
  CHECK(resumed == 2000, "resumed %zu, expected 2000", resumed);
  CHECK(memcmp(a, b, n * sizeof *a) == 0, "resumed run differs from the fresh run");
  /* same file, other parameters: refused, file untouched */
  CHECK(gv_lattice_run(lat, 10, n, 1000, path, b, &resumed, NULL) == GV_EINVAL, "foreign checkpoint accepted");
  gv_error_clear();
  unlink(path);
  free(a);
  free(b);
  gv_lattice_destroy(&lat);
}

/* ARS-7: the portable rounds and the AES-NI path against Random123's ars4x32 (7
 * rounds) on 2000 keys and counters, and one known answer (from Random123) that
 * also pins the portable rounds on CPUs without AES instructions. */
static void test_generator(void) {
  const uint32_t kat_key[4] = {5, 6, 7, 8}, kat_ctr[4] = {1, 2, 3, 4};
  const uint32_t kat_out[4] = {0x55f62793u, 0x798d5696u, 0x032e8f5bu, 0x74b29c4du};
  uint32_t o[4];
  CHECK_OK(gv_lattice_ars7(kat_key, kat_ctr, o, 0));
  CHECK(memcmp(o, kat_out, sizeof o) == 0, "ARS-7 known answer: %08x %08x %08x %08x", o[0], o[1], o[2], o[3]);
  uint32_t w[4];
  int hw = gv_lattice_ars7(kat_key, kat_ctr, w, 1) == GV_OK;
  if (!hw) printf("no AES-NI on this CPU: hardware path skipped\n");
  uint64_t z = 0x2385u;
  int bad = 0;
  for (int n = 0; n < 2000; n++) {
    uint32_t key[4], ctr[4], soft[4];
    for (int i = 0; i < 4; i++) {
      z = z * 6364136223846793005ULL + 1442695040888963407ULL;
      key[i] = (uint32_t)(z >> 32);
      ctr[i] = (uint32_t)z ^ (uint32_t)(z >> 17);
    }
    CHECK_OK(gv_lattice_ars7(key, ctr, soft, 0));
    if (hw) {
      CHECK_OK(gv_lattice_ars7(key, ctr, w, 1));
      bad += memcmp(soft, w, sizeof w) != 0;
#ifdef HAVE_R123_ARS
      r123_ars7(key, ctr, w);
      bad += memcmp(soft, w, sizeof w) != 0;
#endif
    }
  }
  CHECK(bad == 0, "ARS-7: %d mismatches over 2000 blocks between portable, AES-NI and Random123", bad);
}

int main(void) {
  test_generator();
  test_weights_and_small();
  test_kernels();
  test_L1_distribution();
  test_threads_and_resume();
  return tl_finish();
}
