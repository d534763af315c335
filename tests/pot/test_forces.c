/* gv_compute against physics:
 *  - forces = -dU/dx by central finite differences, d = 2, 3, 4, every model,
 *    tapers q = 0, 3 and cinf, orthogonal and sheared (triclinic) boxes;
 *  - virial W_ab = -dU/d(eps_ab) under the affine deformation x -> (1+eps) x,
 *    and p = -dU/dV under dilation;
 *  - Newton's third law: total force = 0;
 *  - the result is bitwise the same on 1 and 2 threads;
 *  - single-particle energies (Monte Carlo) equal total-energy differences
 *    for displacement and swap moves;
 *  - overlapping particles are reported. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

/* Perturbed simple-cubic lattice at the model density (no overlaps). */
static gv_system *make_system(const gv_model *m, int M, double shear, uint64_t seed) {
  const int d = m->dim;
  long n = 1;
  for (int a = 0; a < d; a++) n *= M;
  gv_system *s = NULL;
  int poly = gv_model_is_polydisperse(m);
  if (gv_system_create(&s, d, n, 0, !poly, poly)) return NULL;
  double a0 = pow(1.0 / m->density, 1.0 / d), L = M * a0;
  double h[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (int a = 0; a < d; a++) h[a][a] = L;
  h[0][1] = shear * L;
  if (d >= 3) h[1][2] = -0.5 * shear * L;
  gv_box_init(&s->box, d, h);
  gv_rng r;
  gv_rng_init(&r, seed, 0, GV_RNG_POSITIONS);
  for (long i = 0; i < n; i++) {
    long k = i;
    double sf[GV_MAX_DIM];
    for (int a = 0; a < d; a++) {
      sf[a] = ((double)(k % M) + 0.5 + 0.3 * (gv_rng_uniform(&r) - 0.5)) / M;
      k /= M;
    }
    gv_box_from_fractional(&s->box, sf, s->x + i * d);
  }
  gv_rng_init(&r, seed, 0, GV_RNG_SIZES);
  if (poly) gv_model_sample_sizes(m, s, &r);
  else gv_model_assign_types(m, s, &r);
  return s;
}

static double energy(const gv_model *m, const gv_system *s) {
  gv_eval ev;
  int st = gv_compute(m, s, NULL, NULL, &ev);
  return st ? NAN : ev.energy;
}

static void check_forces(const char *name, int d, int q, double shear) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, name, d));
  CHECK_OK(gv_model_set_smoothing(&m, q));
  /* Enough cells for the cutoff: box side > 2 rc + margin. */
  double rc = gv_model_max_cutoff(&m, NULL);
  int M = (int)ceil((2 * rc + 0.2) * pow(m.density, 1.0 / d) * (1 + fabs(shear)));
  gv_system *s = make_system(&m, M, shear, 2385 + d);
  CHECK(s != NULL, "system");
  if (!s) return;
  const long n = s->n;
  double *f = malloc(sizeof(double) * n * d);
  gv_neighbors *nl = NULL;
  CHECK_OK(gv_model_neighbors_create(&m, s, 0.3, &nl));
  gv_eval ev;
  CHECK_OK(gv_compute(&m, s, nl, f, &ev));
  double fmx = 0, ftot[GV_MAX_DIM] = {0};
  for (long k = 0; k < n * d; k++) {
    fmx = fmx > fabs(f[k]) ? fmx : fabs(f[k]);
    ftot[k % d] += f[k];
  }
  CHECK_CLOSE(ev.max_force, fmx, 0, 0);
  for (int a = 0; a < d; a++) CHECK(fabs(ftot[a]) < 1e-10 * fmx * n, "total force %g", ftot[a]);
  /* Forces by finite differences on 12 random components. */
  gv_rng r;
  gv_rng_init(&r, 7, d, GV_RNG_ANALYSIS);
  const double hstep = 1e-5;
  double worst = 0;
  for (int t = 0; t < 8; t++) {
    long k = (long)gv_rng_below(&r, (uint64_t)(n * d));
    double x0 = s->x[k];
    s->x[k] = x0 + hstep;
    double ep = energy(&m, s);
    s->x[k] = x0 - hstep;
    double em = energy(&m, s);
    s->x[k] = x0;
    double fd = -(ep - em) / (2 * hstep);
    double err = fabs(fd - f[k]) / fmx;
    worst = err > worst ? err : worst;
    CHECK(err < 1e-6, "%s %dD q=%d shear=%g: F[%ld] = %.10g, -dU/dx = %.10g", name, d, q, shear, k, f[k], fd);
  }
  /* Virial by affine deformations x -> (1 + eps e_ab) x (box included). */
  const double e = 1e-6;
  double werr = 0, wscale = 0;
  for (int a = 0; a < d; a++)
    for (int b = 0; b < d; b++) wscale = fmax(wscale, fabs(ev.virial[a][b]));
  /* all diagonal components and one shear component pair (cost) */
  const int comps[][2] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {0, 1}, {1, 0}};
  for (int ci = 0; ci < 6; ci++) {
    int a = comps[ci][0], b = comps[ci][1];
    if (a >= d || b >= d) continue;
    {
      double u[2];
      for (int sg = 0; sg < 2; sg++) {
        gv_system *t = NULL;
        gv_system_copy(&t, s);
        double eps = sg ? -e : e;
        for (long i = 0; i < n; i++) t->x[i * d + a] += eps * s->x[i * d + b];
        double h[GV_MAX_DIM][GV_MAX_DIM];
        memcpy(h, s->box.h, sizeof h);
        for (int c = 0; c < d; c++) h[a][c] += eps * s->box.h[b][c];
        gv_box_init(&t->box, d, h);
        u[sg] = energy(&m, t);
        gv_system_destroy(&t);
      }
      double fd = -(u[0] - u[1]) / (2 * e);
      /* dU/deps_ab = -W_ab with W_ab = sum r_a f_b (W symmetric) */
      werr = fmax(werr, fabs(fd - ev.virial[a][b]) / wscale);
    }
  }
  CHECK(werr < 1e-6, "%s %dD q=%d: virial vs strain derivative, rel. error %g", name, d, q, werr);
  /* Pressure = -dU/dV under isotropic dilation. */
  double u[2], V = gv_box_volume(&s->box);
  for (int sg = 0; sg < 2; sg++) {
    gv_system *t = NULL;
    gv_system_copy(&t, s);
    double lam = 1 + (sg ? -e : e);
    for (long k = 0; k < n * d; k++) t->x[k] *= lam;
    double h[GV_MAX_DIM][GV_MAX_DIM];
    memcpy(h, s->box.h, sizeof h);
    for (int a = 0; a < d; a++)
      for (int c = 0; c < d; c++) h[a][c] *= lam;
    gv_box_init(&t->box, d, h);
    u[sg] = energy(&m, t);
    gv_system_destroy(&t);
  }
  double dV = V * (pow(1 + e, d) - pow(1 - e, d));
  CHECK_CLOSE(-(u[0] - u[1]) / dV, ev.pressure, 1e-6, 1e-9);
  /* Determinism: 1 vs 2 threads, bitwise. */
  double *f1 = malloc(sizeof(double) * n * d), *f2 = malloc(sizeof(double) * n * d);
  gv_eval e1, e2;
  int nt = omp_get_max_threads();
  omp_set_num_threads(1);
  CHECK_OK(gv_neighbors_rebuild(nl, s));
  CHECK_OK(gv_compute(&m, s, nl, f1, &e1));
  omp_set_num_threads(2);
  gv_neighbors *nl2 = NULL;
  CHECK_OK(gv_model_neighbors_create(&m, s, 0.3, &nl2));
  CHECK_OK(gv_compute(&m, s, nl2, f2, &e2));
  omp_set_num_threads(nt);
  CHECK(memcmp(f1, f2, sizeof(double) * n * d) == 0, "forces differ between 1 and 2 threads");
  CHECK(memcmp(&e1, &e2, sizeof e1) == 0, "energy/virial differ between 1 and 2 threads");
  CHECK(e1.energy == ev.energy, "energy differs between calls");
  printf("%-8s %dD q=%2d shear=%.2f N=%5ld: E/N=%.6f p=%.5f FD force err %.1e virial err %.1e\n", name, d, q,
         shear, n, ev.energy / n, ev.pressure, worst, werr);
  free(f1);
  free(f2);
  free(f);
  gv_neighbors_destroy(&nl);
  gv_neighbors_destroy(&nl2);
  gv_system_destroy(&s);
}

/* Monte Carlo energies: e_i(new) - e_i(old) = U(new) - U(old). */
static void check_particle_energy(const char *name, int d) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, name, d));
  double rc = gv_model_max_cutoff(&m, NULL);
  int M = (int)ceil((2 * rc + 0.6) * pow(m.density, 1.0 / d));
  gv_system *s = make_system(&m, M, 0.0, 99);
  gv_cells *c = NULL;
  CHECK_OK(gv_cells_create(&c, s, gv_model_max_cutoff(&m, s)));
  gv_rng r;
  gv_rng_init(&r, 5, 0, GV_RNG_MONTE_CARLO);
  for (int t = 0; t < 6; t++) {
    long i = (long)gv_rng_below(&r, (uint64_t)s->n);
    double u0 = energy(&m, s), xi[GV_MAX_DIM];
    for (int a = 0; a < d; a++) xi[a] = s->x[i * d + a] + 0.3 * (gv_rng_uniform(&r) - 0.5);
    double e_old = gv_model_particle_energy(&m, s, c, i, NULL, NAN, -1);
    double e_new = gv_model_particle_energy(&m, s, c, i, xi, NAN, -1);
    double save[GV_MAX_DIM];
    memcpy(save, s->x + i * d, sizeof(double) * d);
    memcpy(s->x + i * d, xi, sizeof(double) * d);
    double u1 = energy(&m, s);
    CHECK_CLOSE(e_new - e_old, u1 - u0, 1e-9, 1e-9 * fabs(u0));
    gv_cells_move(c, s, i); /* accept */
    (void)save;
  }
  if (gv_model_is_polydisperse(&m)) {
    for (int t = 0; t < 6; t++) {
      long i = (long)gv_rng_below(&r, (uint64_t)s->n), j = (long)gv_rng_below(&r, (uint64_t)s->n);
      if (i == j) continue;
      double li = s->size[i], lj = s->size[j], u0 = energy(&m, s);
      double de = gv_model_particle_energy(&m, s, c, i, NULL, lj, j) + gv_model_particle_energy(&m, s, c, j, NULL, li, i) -
                  gv_model_particle_energy(&m, s, c, i, NULL, NAN, j) - gv_model_particle_energy(&m, s, c, j, NULL, NAN, i);
      s->size[i] = lj;
      s->size[j] = li;
      double u1 = energy(&m, s);
      CHECK_CLOSE(de, u1 - u0, 1e-9, 1e-9 * fabs(u0));
    }
  }
  gv_cells_destroy(&c);
  gv_system_destroy(&s);
}

static void check_overlap(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 3));
  gv_system *s = make_system(&m, 6, 0.0, 1);
  memcpy(s->x + 3 * 17, s->x + 3 * 40, 3 * sizeof(double));
  s->x[3 * 17] += 1e-5;
  CHECK(gv_model_check_overlaps(&m, s, 1e-3) == GV_EUNSTABLE, "overlap must be reported");
  CHECK(strstr(gv_error_message(), "17") && strstr(gv_error_message(), "40"), "message names the pair: %s",
        gv_error_message());
  s->x[3 * 17] += 0.5;
  CHECK_OK(gv_model_check_overlaps(&m, s, 1e-3));
  s->x[5] = NAN;
  gv_eval ev;
  CHECK(gv_compute(&m, s, NULL, NULL, &ev) == GV_EINVAL, "NaN coordinate rejected");
  CHECK(strstr(gv_error_message(), "particle 1") != NULL, "message names the particle: %s", gv_error_message());
  gv_system_destroy(&s);
}

/* Bitwise thread independence on systems large enough to run threaded. */
static void check_threads(const char *name, int d, int M) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, name, d));
  gv_system *s = make_system(&m, M, 0.0, 31);
  const long n = s->n;
  double *f1 = malloc(sizeof(double) * n * d), *f2 = malloc(sizeof(double) * n * d);
  gv_eval e1, e2;
  int nt = omp_get_max_threads();
  gv_neighbors *nl = NULL;
  omp_set_num_threads(1);
  CHECK_OK(gv_model_neighbors_create(&m, s, 0.3, &nl));
  CHECK_OK(gv_compute(&m, s, nl, f1, &e1));
  gv_neighbors_destroy(&nl);
  omp_set_num_threads(2);
  CHECK_OK(gv_model_neighbors_create(&m, s, 0.3, &nl));
  CHECK_OK(gv_compute(&m, s, nl, f2, &e2));
  omp_set_num_threads(nt);
  CHECK(n >= 2048, "system too small to run threaded");
  CHECK(memcmp(f1, f2, sizeof(double) * n * d) == 0, "%s %dD: forces differ between 1 and 2 threads", name, d);
  CHECK(memcmp(&e1, &e2, sizeof e1) == 0, "%s %dD: energy/virial differ between 1 and 2 threads", name, d);
  free(f1);
  free(f2);
  gv_neighbors_destroy(&nl);
  gv_system_destroy(&s);
}

int main(void) {
  check_threads("ipl", 3, 16);
  check_threads("poly", 2, 64);
  const char *models[] = {"ipl", "poly", "poly-nbc", "kablj"};
  for (int d = 2; d <= 4; d++)
    for (int mi = 0; mi < 4; mi++) {
      if (d == 4 && mi != 0) continue; /* 4D: cost; kablj 4D below */
      check_forces(models[mi], d, mi == 3 ? 0 : 3, 0.0);
      check_forces(models[mi], d, GV_SMOOTH_CINF, d == 3 ? 0.27 : 0.0);
    }
  check_forces("poly", 3, 1, 0.31);
  check_forces("ipl", 2, 4, -0.23);
  check_forces("poly-nbc", 4, 2, 0.0);
  for (int d = 2; d <= 3; d++) {
    check_particle_energy("ipl", d);
    check_particle_energy("poly", d);
  }
  check_particle_energy("poly-nbc", 4);
  check_overlap();
  return tl_finish();
}
