/* KHGPS ensembles and their analysis (seed 001, Sects. 2-4).
 *
 * Partial averages (seed 001, Sect. 3): with p(kappa) = 1/kappa0,
 *   <xbar*^2>(kappa) = kappa^-1 int_0^kappa <x~*^2>(k') dk' = E[x_i^2 | kappa_i <= kappa],
 * the running mean of x_i^2 over oscillators sorted by kappa_i.
 * Collapse: <xbar*^2>(kappa) = omega_x^2 f(kappa/omega_x^2). For J = 0 the single
 * oscillator kappa x + x^3/6 = h gives, with x = (6h)^(1/3) u, kappa = (6h)^(2/3) q,
 * 6 q u + u^3 = 1 and (exactly, integrating over u instead of q)
 *   f(q) = [ (1 - u)/6 + (1 - u^4)/12 ] / q,   f(0) = 1,  f ~ 1/(4q),
 * so omega_x = (6h)^(1/3) at J = 0; for J > 0, omega_x is the scale that best
 * collapses the measured curve onto f (least squares in log) -- the procedure of
 * seed 001, Fig. 5a, with f fixing the constant.
 * A_g: plateau of D(omega)/omega^4 in omega <= omega_x / 10; exponent: fit of log F
 * vs log omega in [omega_x/40, omega_x/10] (docs/meanfield.md discusses the choice). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/models.h"
#include "glassvib/spectrum.h"

extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

/* Window fractions of omega_x (documented in docs/meanfield.md). */
#define KH_AG_HI 0.1
#define KH_EXP_LO 0.025
#define KH_EXP_HI 0.1

int gv_khgps_ensemble_run(const gv_khgps_params *p, uint64_t first, size_t nsamples,
                          gv_khgps_sample *out, const char *label) {
  int status = GV_OK;
  GV_TRY(gv_khgps_params_check(p));
  if (!out || nsamples == 0) return GV_ERROR(GV_EINVAL, "khgps: need at least one sample");
  int nthreads = omp_get_max_threads();
  int parallel_samples = p->n <= 2048 && nsamples > 1 && nthreads > 1;
  gv_progress prog;
  if (label) gv_progress_begin(&prog, label, (double)nsamples);
  int worst = GV_OK;
  char errmsg[512] = "";
  size_t done = 0;
  if (parallel_samples) {
    int blas_threads = openblas_get_num_threads ? openblas_get_num_threads() : 1;
    if (openblas_set_num_threads) openblas_set_num_threads(1);
#pragma omp parallel
    {
      gv_khgps_work *w = NULL;
      int st0 = gv_khgps_work_alloc(&w, p->n, p->nlow);
#pragma omp for schedule(dynamic, 1)
      for (size_t s = 0; s < nsamples; s++) {
        int st = st0 < 0 ? st0 : GV_OK;
        if (st == GV_OK) {
          if (gv_interrupted()) st = GV_ERROR(GV_EINTERRUPTED, "khgps: interrupted");
          else st = gv_khgps_sample_run(w, p, first + s, &out[s]);
        }
#pragma omp critical(gv_khgps_status)
        {
          if (st < 0 && (worst >= 0 || st < worst)) {
            if (worst >= 0) snprintf(errmsg, sizeof errmsg, "%s", gv_error_message());
            worst = st;
          } else if (st > 0 && worst == GV_OK)
            worst = st;
          done++;
          if (label && omp_get_thread_num() == 0) gv_progress_update(&prog, (double)done);
        }
      }
      gv_khgps_work_free(&w);
    }
    if (openblas_set_num_threads) openblas_set_num_threads(blas_threads);
  } else {
    /* Small N: single-threaded BLAS as in the parallel branch, so that results
     * are bitwise the same for any thread count. */
    int blas_threads = openblas_get_num_threads ? openblas_get_num_threads() : 1;
    if (p->n <= 2048 && openblas_set_num_threads) openblas_set_num_threads(1);
    gv_khgps_work *w = NULL;
    status = gv_khgps_work_alloc(&w, p->n, p->nlow);
    if (status < 0) {
      if (openblas_set_num_threads) openblas_set_num_threads(blas_threads);
      goto cleanup;
    }
    for (size_t s = 0; s < nsamples; s++) {
      int st = gv_khgps_sample_run(w, p, first + s, &out[s]);
      if (st < 0) {
        snprintf(errmsg, sizeof errmsg, "%s", gv_error_message());
        worst = st;
        break;
      }
      if (st > 0) worst = st;
      done++;
      if (label) gv_progress_update(&prog, (double)done);
    }
    gv_khgps_work_free(&w);
    if (openblas_set_num_threads) openblas_set_num_threads(blas_threads);
  }
  if (label) gv_progress_end(&prog);
  if (worst < 0) return GV_ERROR(worst, "%s", errmsg);
  return worst;
cleanup:
  return status;
}

/* ------------------------------------------------------- partial averages */
typedef struct { double k, x2; } kx_pair;
static int cmp_kx(const void *a, const void *b) {
  double x = ((const kx_pair *)a)->k, y = ((const kx_pair *)b)->k;
  return (x > y) - (x < y);
}

int gv_khgps_partial_average(const double *kappa, const double *x, size_t n, double kmin,
                             double kmax, size_t ngrid, double *kgrid, double *xbar2,
                             size_t *count) {
  int status = GV_OK;
  kx_pair *v = NULL;
  double *cum = NULL;
  if (!kappa || !x || !kgrid || !xbar2 || !count || n < 1 || ngrid < 2)
    return GV_ERROR(GV_EINVAL, "partial average: bad arguments");
  GV_ALLOC(v, n);
  GV_ALLOC(cum, n);
  for (size_t i = 0; i < n; i++) {
    v[i].k = kappa[i];
    v[i].x2 = x[i] * x[i];
  }
  qsort(v, n, sizeof *v, cmp_kx);
  double acc = 0;
  for (size_t i = 0; i < n; i++) cum[i] = (acc += v[i].x2);
  if (kmin <= 0) kmin = v[n < 10 ? n - 1 : 9].k;
  if (kmax <= 0) kmax = v[n - 1].k;
  if (!(kmin > 0 && kmax > kmin)) {
    status = GV_ERROR(GV_EINVAL, "partial average: kappa range [%g, %g] empty", kmin, kmax);
    goto cleanup;
  }
  for (size_t g = 0; g < ngrid; g++) {
    double kg = kmin * pow(kmax / kmin, (double)g / (double)(ngrid - 1));
    /* number of kappa_i <= kg */
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (v[mid].k <= kg) lo = mid + 1;
      else hi = mid;
    }
    kgrid[g] = kg;
    count[g] = lo;
    xbar2[g] = lo ? cum[lo - 1] / (double)lo : NAN;
  }
cleanup:
  free(v);
  free(cum);
  return status;
}

double gv_khgps_collapse_f(double q) {
  if (!(q >= 0)) return NAN;
  if (q < 1e-6) return 1.0 - 2.0 * q;
  double u = gv_khgps_single_root(q, 1.0 / 6.0);
  double u4 = u * u * u * u;
  return ((1.0 - u) / 6.0 + (1.0 - u4) / 12.0) / q;
}

static double collapse_cost(double lw2, const double *kg, const double *xb, const size_t *cnt,
                            size_t ng) {
  double w2 = exp(lw2), s = 0;
  for (size_t g = 0; g < ng; g++) {
    if (cnt[g] < 30 || !(xb[g] > 0)) continue;
    double r = log(xb[g]) - lw2 - log(gv_khgps_collapse_f(kg[g] / w2));
    s += r * r;
  }
  return s;
}

int gv_khgps_omega_x(const double *kgrid, const double *xbar2, const size_t *count, size_t ngrid,
                     double *omega_x) {
  size_t used = 0;
  for (size_t g = 0; g < ngrid; g++)
    if (count[g] >= 30 && xbar2[g] > 0) used++;
  if (used < 3) return GV_ERROR(GV_EINVAL, "omega_x: fewer than 3 usable partial averages");
  /* coarse scan of log w2 over 24 decades, then golden-section refinement */
  double best = INFINITY, bl = 0;
  const double a0 = log(1e-14), a1 = log(1e10);
  const int ns = 960;
  for (int i = 0; i <= ns; i++) {
    double l = a0 + (a1 - a0) * i / ns, c = collapse_cost(l, kgrid, xbar2, count, ngrid);
    if (c < best) { best = c; bl = l; }
  }
  double h = (a1 - a0) / ns, a = bl - h, b = bl + h;
  const double gr = 0.5 * (sqrt(5.0) - 1);
  double c = b - gr * (b - a), d = a + gr * (b - a);
  double fc = collapse_cost(c, kgrid, xbar2, count, ngrid), fd = collapse_cost(d, kgrid, xbar2, count, ngrid);
  for (int it = 0; it < 100; it++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - gr * (b - a); fc = collapse_cost(c, kgrid, xbar2, count, ngrid); }
    else { a = c; c = d; fc = fd; d = a + gr * (b - a); fd = collapse_cost(d, kgrid, xbar2, count, ngrid); }
  }
  *omega_x = exp(0.25 * (a + b)); /* sqrt(w2) */
  return GV_OK;
}

int gv_khgps_analyse(const double *eig, size_t neig, double n_total, const double *kappa,
                     const double *x, size_t nosc, const double *x2_sample, size_t nsamples,
                     double kappa0, gv_khgps_analysis *out) {
  int status = GV_OK;
  double *om = NULL;
  enum { NG = 64 };
  double kg[NG], xb[NG];
  size_t cnt[NG];
  if (!out || !eig || !kappa || !x) return GV_ERROR(GV_EINVAL, "khgps analysis: NULL argument");
  memset(out, 0, sizeof *out);
  out->A_g = out->A_g_err = out->low_exponent = out->low_exponent_err = out->omega_x = NAN;
  out->x2_err = NAN;
  /* <x*^2> */
  double s = 0;
  for (size_t i = 0; i < nosc; i++) s += x[i] * x[i];
  out->x2_mean = nosc ? s / (double)nosc : NAN;
  if (x2_sample && nsamples > 1) {
    double m = 0, v = 0;
    for (size_t k = 0; k < nsamples; k++) m += x2_sample[k];
    m /= (double)nsamples;
    for (size_t k = 0; k < nsamples; k++) v += (x2_sample[k] - m) * (x2_sample[k] - m);
    out->x2_err = sqrt(v / (double)(nsamples - 1) / (double)nsamples);
  }
  /* omega_x from the collapse of the partial averages */
  if (kappa0 > 0 && nosc >= 100) {
    int st = gv_khgps_partial_average(kappa, x, nosc, 0, kappa0, NG, kg, xb, cnt);
    if (st == GV_OK) st = gv_khgps_omega_x(kg, xb, cnt, NG, &out->omega_x);
    if (st < 0) gv_error_clear();
  }
  /* frequencies */
  GV_ALLOC(om, neig);
  for (size_t i = 0; i < neig; i++) {
    if (eig[i] < 0) out->n_negative++;
    om[i] = sqrt(eig[i] > 0 ? eig[i] : 0);
  }
  out->n_modes = neig;
  if (isfinite(out->omega_x) && out->omega_x > 0) {
    gv_spectrum_fit f;
    out->ag_lo = 0;
    out->ag_hi = KH_AG_HI * out->omega_x;
    if (gv_spectrum_fit_ag(om, neig, n_total, out->ag_lo, out->ag_hi, &f) == GV_OK) {
      out->A_g = f.value;
      out->A_g_err = f.err;
    } else gv_error_clear();
    out->exp_lo = KH_EXP_LO * out->omega_x;
    out->exp_hi = KH_EXP_HI * out->omega_x;
    if (gv_spectrum_fit_exponent(om, neig, n_total, out->exp_lo, out->exp_hi, &f) == GV_OK) {
      out->low_exponent = f.value;
      out->low_exponent_err = f.err;
    } else gv_error_clear();
  }
cleanup:
  free(om);
  return status;
}
