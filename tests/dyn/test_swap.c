/* Swap Monte Carlo samples exp(-E/T):
 *  - two particles in a periodic 2D box: the histogram of their distance r
 *    (r < L/2) follows 2 pi r exp(-phi(r)/T) (displacements + swaps);
 *  - four particles at fixed positions, swaps only: the frequency of each of
 *    the 24 size permutations is exp(-E/T)/Z, with and without a size cut;
 *  - the running energy equals a recomputation after many moves, and the
 *    step tuning reaches the 30-40 % window. */
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"
#include "testlib.h"

static gv_system *make(int n, double L, const double *x, const double *sizes) {
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, 2, n, 0, 0, 1));
  CHECK_OK(gv_box_init_cubic(&s->box, 2, L));
  memcpy(s->x, x, 2 * n * sizeof(double));
  memcpy(s->size, sizes, n * sizeof(double));
  return s;
}

static void test_pair_distance(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "poly", 2));
  const double L = 5.0, T = 0.9, sizes[2] = {1.1, 1.6}, x0[4] = {1, 1, 3.2, 2.9};
  gv_system *s = make(2, L, x0, sizes);
  gv_swap_params p;
  gv_swap_params_default(&p);
  p.T = T;
  p.step = 1.7; /* large steps: fast decorrelation in the small box */
  p.seed = 2385;
  gv_swapmc *mc = NULL;
  CHECK_OK(gv_swapmc_create(&mc, &m, s, &p));
  enum { NBIN = 25, NBLK = 10 };
  const double rmax = L / 2, w = rmax / NBIN;
  /* expected bin weights by midpoint quadrature of 2 pi r exp(-phi/T) */
  double expct[NBIN] = {0}, z = 0;
  for (int b = 0; b < NBIN; b++) {
    for (int k = 0; k < 400; k++) {
      double r = (b + (k + 0.5) / 400) * w, d[5];
      gv_model_pair(&m, s, 0, 1, r, 0, d);
      expct[b] += r * exp(-d[0] / T);
    }
    z += expct[b];
  }
  for (int b = 0; b < NBIN; b++) expct[b] /= z;
  double h[NBLK][NBIN];
  memset(h, 0, sizeof h);
  long per = 30000;
  long inside[NBLK] = {0};
  for (int k = 0; k < NBLK; k++)
    for (long t = 0; t < per; t++) {
      if (gv_swapmc_run(mc, 1, 0) != GV_OK) CHECK(0, "run");
      double dr[2] = {s->x[0] - s->x[2], s->x[1] - s->x[3]};
      gv_box_minimum_image(&s->box, dr);
      double r = hypot(dr[0], dr[1]);
      if (r < rmax) {
        h[k][(int)(r / w)]++;
        inside[k]++;
      }
    }
  double chi2 = 0;
  int bad = 0;
  for (int b = 0; b < NBIN; b++) {
    double mean = 0, var = 0;
    for (int k = 0; k < NBLK; k++) mean += h[k][b] / inside[k] / NBLK;
    for (int k = 0; k < NBLK; k++) var += pow(h[k][b] / inside[k] - mean, 2);
    double err = sqrt(var / (NBLK * (NBLK - 1.0))) + 1e-5;
    double zb = (mean - expct[b]) / err;
    chi2 += zb * zb;
    if (fabs(zb) > 4.5) bad++;
  }
  printf("pair distance: chi2/bins = %.2f over %d bins (0.5 / 1 / 1.5 lambda: %.4f/%.4f, %.4f/%.4f, %.4f/%.4f)\n",
         chi2 / NBIN, NBIN, h[0][5] / inside[0], expct[5], h[0][10] / inside[0], expct[10], h[0][15] / inside[0],
         expct[15]);
  CHECK(bad == 0, "%d bins beyond 4.5 sigma", bad);
  CHECK(chi2 / NBIN < 2.5, "chi2 per bin %g", chi2 / NBIN);
  CHECK(expct[4] < 0.2 * expct[20] / 4, "the test must probe the repulsion (P(r) small at short r)");
  gv_swapmc_destroy(&mc);
  gv_system_destroy(&s);
}

static int perm_code(const double *sz, const double *sorted) {
  int code = 0;
  for (int i = 0; i < 4; i++) {
    int k = 0;
    while (sz[i] != sorted[k]) k++;
    code = code * 4 + k;
  }
  return code;
}

static void test_swap_permutations(double cut) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "poly", 2));
  const double T = 0.7, sorted[4] = {1.0, 1.2, 1.5, 1.9};
  const double x[8] = {1.0, 1.0, 2.3, 1.1, 1.3, 2.4, 2.6, 2.6};
  gv_system *s = make(4, 7.0, x, sorted);
  /* enumerate all 24 assignments of the sizes */
  double w[256] = {0}, z = 0;
  int perms[24][4], np = 0;
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      for (int c = 0; c < 4; c++)
        for (int d = 0; d < 4; d++) {
          if (a == b || a == c || a == d || b == c || b == d || c == d) continue;
          int pm[4] = {a, b, c, d};
          for (int i = 0; i < 4; i++) s->size[i] = sorted[pm[i]];
          gv_eval ev;
          CHECK_OK(gv_compute(&m, s, NULL, NULL, &ev));
          int code = perm_code(s->size, sorted);
          w[code] = exp(-ev.energy / T);
          z += w[code];
          memcpy(perms[np++], pm, sizeof pm);
        }
  double emin = 1e300, emax = -1e300;
  for (int k = 0; k < 24; k++) {
    int code = perms[k][0] * 64 + perms[k][1] * 16 + perms[k][2] * 4 + perms[k][3];
    w[code] /= z;
    emin = fmin(emin, -T * log(w[code] * z));
    emax = fmax(emax, -T * log(w[code] * z));
  }
  CHECK(emax - emin > 1.0 * T, "energies must differ on the scale of T (spread %g)", emax - emin);
  memcpy(s->size, sorted, sizeof sorted);
  gv_swap_params p;
  gv_swap_params_default(&p);
  p.T = T;
  p.p_swap = 1.0;
  p.max_dsize = cut;
  p.seed = 99;
  gv_swapmc *mc = NULL;
  CHECK_OK(gv_swapmc_create(&mc, &m, s, &p));
  enum { NBLK = 10 };
  static double h[NBLK][256];
  memset(h, 0, sizeof h);
  long per = 20000;
  for (int k = 0; k < NBLK; k++)
    for (long t = 0; t < per; t++) {
      gv_swapmc_run(mc, 1, 0);
      h[k][perm_code(s->size, sorted)] += 1.0 / per;
    }
  double chi2 = 0;
  int bad = 0;
  for (int q = 0; q < 24; q++) {
    int code = perms[q][0] * 64 + perms[q][1] * 16 + perms[q][2] * 4 + perms[q][3];
    double mean = 0, var = 0;
    for (int k = 0; k < NBLK; k++) mean += h[k][code] / NBLK;
    for (int k = 0; k < NBLK; k++) var += pow(h[k][code] - mean, 2);
    double err = sqrt(var / (NBLK * (NBLK - 1.0))) + 1e-5;
    double zq = (mean - w[code]) / err;
    chi2 += zq * zq;
    if (fabs(zq) > 4.5) bad++;
  }
  gv_swapmc_stats st;
  gv_swapmc_stats_get(mc, &st);
  printf("swap permutations (cut %g): chi2/24 = %.2f, swap acceptance %.3f, energy spread %.2f T\n", cut,
         chi2 / 24, (double)st.swap_accepted / st.swap_tried, (emax - emin) / T);
  CHECK(bad == 0, "%d permutations beyond 4.5 sigma", bad);
  CHECK(chi2 / 24 < 2.5, "chi2 per permutation %g", chi2 / 24);
  double e;
  CHECK_OK(gv_swapmc_recompute(mc, &e));
  CHECK_CLOSE(gv_swapmc_energy(mc), e, 1e-10, 1e-12);
  gv_swapmc_destroy(&mc);
  gv_system_destroy(&s);
}

static void test_liquid(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "poly", 2));
  gv_system *s = NULL;
  CHECK_OK(gv_system_create_random(&s, &m, 300, 17));
  gv_min_params mp;
  gv_min_params_default(&mp);
  mp.finisher = GV_MIN_FIRE;
  mp.ftol = 1;
  gv_min_result r;
  gv_minimize_system(&m, s, &mp, &r);
  gv_swap_params p;
  gv_swap_params_default(&p);
  p.T = 0.45;
  p.step = 0.5;
  gv_swapmc *mc = NULL;
  CHECK_OK(gv_swapmc_create(&mc, &m, s, &p));
  CHECK_OK(gv_swapmc_run(mc, 150, 1));
  gv_swapmc_stats_reset(mc);
  CHECK_OK(gv_swapmc_run(mc, 100, 0));
  gv_swapmc_stats st;
  gv_swapmc_stats_get(mc, &st);
  double acc = (double)st.disp_accepted / st.disp_tried;
  printf("poly 2D T = 0.45: step %.3f, acceptance %.3f, swap acceptance %.3f, E/N %.5f\n", gv_swapmc_step(mc), acc,
         (double)st.swap_accepted / st.swap_tried, gv_swapmc_energy(mc) / s->n);
  CHECK(acc > 0.25 && acc < 0.45, "tuned acceptance %g", acc);
  CHECK(st.swap_accepted > 0, "no swap accepted");
  double e;
  CHECK_OK(gv_swapmc_recompute(mc, &e));
  CHECK_CLOSE(gv_swapmc_energy(mc), e, 1e-9, 0);
  gv_eval ev;
  CHECK_OK(gv_compute(&m, s, NULL, NULL, &ev));
  CHECK_CLOSE(ev.energy, e, 1e-10, 0);
  gv_swapmc_destroy(&mc);
  gv_system_destroy(&s);
}

int main(void) {
  test_pair_distance();
  test_swap_permutations(0);
  test_swap_permutations(0.55);
  test_liquid();
  return tl_finish();
}
