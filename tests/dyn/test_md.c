/* Integrators on independent harmonic oscillators (exactly solvable):
 *  - velocity Verlet (gamma = 0): energy fluctuation scales as dt^2, no drift;
 *  - Langevin BAOAB: canonical moments <K> = n T / 2, Var(K) = n T^2 / 2,
 *    <k x^2> = T (BAOAB samples harmonic positions exactly);
 *  - the trajectory is bitwise identical for 1 and 2 threads. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"
#include "testlib.h"

typedef struct {
  size_t n;
  double *k;
} osc;
static int harmonic(void *ctx, const double *x, double *e, double *f) {
  osc *o = ctx;
  double u = 0;
  for (size_t i = 0; i < o->n; i++) {
    f[i] = -o->k[i] * x[i];
    u += 0.5 * o->k[i] * x[i] * x[i];
  }
  *e = u;
  return 0;
}

static osc make_osc(size_t n) {
  osc o = {n, malloc(n * sizeof(double))};
  for (size_t i = 0; i < n; i++) o.k[i] = 0.5 + 2.6 * (double)i / (double)(n - 1); /* omega in [0.71, 1.76] */
  return o;
}

/* Standard deviation of H = K + U over a run of total time 200. */
static double nve_fluct(double dt, double *drift) {
  size_t n = 64;
  osc o = make_osc(n);
  double *x = malloc(n * sizeof(double)), *v = malloc(n * sizeof(double));
  for (size_t i = 0; i < n; i++) {
    x[i] = 0.7 * cos(1.3 * i);
    v[i] = 0.9 * sin(2.1 * i);
  }
  gv_md_params p;
  gv_md_params_default(&p);
  p.dt = dt;
  p.gamma = 0;
  gv_md *md = NULL;
  CHECK_OK(gv_md_create(&md, n, harmonic, &o, x, v, &p));
  long nsteps = (long)(200 / dt + 0.5);
  double s1 = 0, s2 = 0, first = 0, last = 0;
  long q = nsteps / 4;
  for (long t = 0; t < nsteps; t++) {
    CHECK_OK(gv_md_step(md, 0));
    double h = gv_md_kinetic(md) + gv_md_potential(md);
    s1 += h;
    s2 += h * h;
    if (t < q) first += h;
    if (t >= nsteps - q) last += h;
  }
  double mean = s1 / nsteps, sd = sqrt(fmax(0, s2 / nsteps - mean * mean));
  *drift = fabs(last - first) / q;
  gv_md_destroy(&md);
  free(x);
  free(v);
  free(o.k);
  return sd;
}

static void test_nve(void) {
  double d1, d2, d3;
  double s1 = nve_fluct(0.08, &d1), s2 = nve_fluct(0.04, &d2), s3 = nve_fluct(0.02, &d3);
  printf("NVE: sd(H) = %.3e %.3e %.3e for dt = 0.08 0.04 0.02 (ratios %.3f %.3f); drift %.1e %.1e %.1e\n",
         s1, s2, s3, s1 / s2, s2 / s3, d1, d2, d3);
  CHECK(s1 / s2 > 3.6 && s1 / s2 < 4.4, "dt^2 scaling of the energy fluctuation: ratio %g", s1 / s2);
  CHECK(s2 / s3 > 3.6 && s2 / s3 < 4.4, "dt^2 scaling of the energy fluctuation: ratio %g", s2 / s3);
  CHECK(s3 < 1e-3, "fluctuation at dt = 0.02: %g", s3);
  CHECK(d1 < 0.2 * s1 && d2 < 0.2 * s2, "drift %g %g larger than the fluctuation", d1, d2);
}

static void test_langevin(void) {
  size_t n = 500;
  const double T = 0.7385;
  osc o = make_osc(n);
  double *x = calloc(n, sizeof(double)), *v = calloc(n, sizeof(double));
  gv_md_params p;
  gv_md_params_default(&p);
  p.dt = 0.02;
  p.gamma = 1.3;
  p.seed = 2385;
  gv_md *md = NULL;
  CHECK_OK(gv_md_create(&md, n, harmonic, &o, x, v, &p));
  for (int t = 0; t < 1000; t++) gv_md_step(md, T); /* relax: 20 time units >> 1/gamma */
  enum { NB = 10 };
  const long per_block = 400, stride = 25; /* samples 0.5 time units apart */
  double mK[NB], vK[NB], mU[NB];
  for (int b = 0; b < NB; b++) {
    double s1 = 0, s2 = 0, u = 0;
    for (long s = 0; s < per_block; s++) {
      for (long t = 0; t < stride; t++) CHECK_OK(gv_md_step(md, T));
      double K = gv_md_kinetic(md);
      s1 += K;
      s2 += K * K;
      u += gv_md_potential(md);
    }
    mK[b] = s1 / per_block;
    vK[b] = s2 / per_block - mK[b] * mK[b];
    mU[b] = u / per_block;
  }
  double est[3] = {0, 0, 0}, err[3] = {0, 0, 0};
  double *obs[3] = {mK, vK, mU};
  double exact[3] = {n * T / 2, n * T * T / 2, n * T / 2};
  const char *name[3] = {"<K>", "Var(K)", "<U>"};
  for (int q = 0; q < 3; q++) {
    for (int b = 0; b < NB; b++) est[q] += obs[q][b] / NB;
    for (int b = 0; b < NB; b++) err[q] += (obs[q][b] - est[q]) * (obs[q][b] - est[q]);
    err[q] = sqrt(err[q] / (NB * (NB - 1.0)));
    printf("Langevin %-7s = %.5g +- %.2g (exact %.5g, %.1f sigma)\n", name[q], est[q], err[q], exact[q],
           (est[q] - exact[q]) / err[q]);
    CHECK(fabs(est[q] - exact[q]) < 4 * err[q] + 1e-3 * exact[q], "%s = %g +- %g, exact %g", name[q], est[q],
          err[q], exact[q]);
    CHECK(err[q] < 0.05 * exact[q], "%s statistical error too large: %g", name[q], err[q]);
  }
  gv_md_destroy(&md);
  free(x);
  free(v);
  free(o.k);
}

static void run_threads(int nthreads, double *x, double *v, size_t n) {
  omp_set_num_threads(nthreads);
  osc o = make_osc(n);
  for (size_t i = 0; i < n; i++) x[i] = v[i] = 0;
  gv_md_params p;
  gv_md_params_default(&p);
  p.seed = 77;
  gv_md *md = NULL;
  CHECK_OK(gv_md_create(&md, n, harmonic, &o, x, v, &p));
  for (int t = 0; t < 50; t++) CHECK_OK(gv_md_step(md, 1.7));
  gv_md_destroy(&md);
  free(o.k);
}

static void test_threads(void) {
  size_t n = 20001;
  double *x1 = malloc(n * sizeof(double)), *v1 = malloc(n * sizeof(double));
  double *x2 = malloc(n * sizeof(double)), *v2 = malloc(n * sizeof(double));
  run_threads(1, x1, v1, n);
  run_threads(2, x2, v2, n);
  CHECK(memcmp(x1, x2, n * sizeof(double)) == 0 && memcmp(v1, v2, n * sizeof(double)) == 0,
        "Langevin trajectory depends on the thread count");
  double s = 0;
  for (size_t i = 0; i < n; i++) s += v1[i] * v1[i];
  CHECK(s > 0, "noise was applied");
  free(x1);
  free(v1);
  free(x2);
  free(v2);
}

int main(void) {
  test_nve();
  test_langevin();
  test_threads();
  return tl_finish();
}
