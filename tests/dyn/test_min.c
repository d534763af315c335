/* Generic minimisers on analytic objectives: extended Rosenbrock (curved
 * valley), an anisotropic quadratic with condition number 1e6 (known minimum),
 * each method alone and the FIRE -> finisher driver; thread-count independence
 * of the reductions. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"
#include "testlib.h"

static int rosenbrock(void *ctx, const double *x, double *e, double *g) {
  size_t n = *(size_t *)ctx;
  double f = 0;
  for (size_t i = 0; i < n; i += 2) {
    double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] = -400 * a * x[i] - 2 * b;
    g[i + 1] = 200 * a;
  }
  *e = f;
  return 0;
}

typedef struct {
  size_t n;
  double *k, *c;
} quad;
static int quadratic(void *ctx, const double *x, double *e, double *g) {
  quad *q = ctx;
  double f = 0;
  for (size_t i = 0; i < q->n; i++) {
    double d = x[i] - q->c[i];
    f += 0.5 * q->k[i] * d * d;
    g[i] = q->k[i] * d;
  }
  *e = f + 2385.0; /* an offset: energy differences must not be trusted near the minimum */
  return 0;
}

static void run_rosenbrock(gv_min_method fin) {
  size_t n = 20;
  double x[20];
  for (size_t i = 0; i < n; i++) x[i] = (i % 2) ? 1.7 : -1.2;
  gv_min_params p;
  gv_min_params_default(&p);
  p.finisher = fin;
  p.switch_ftol = 1e-1;
  p.max_step = 0.5;
  gv_min_result r;
  CHECK_OK(gv_min_run(rosenbrock, &n, n, x, &p, &r));
  CHECK(r.converged && r.max_grad <= 1e-10, "rosenbrock (%s): max grad %g", r.method, r.max_grad);
  for (size_t i = 0; i < n; i++) CHECK_CLOSE(x[i], 1.0, 0, 1e-9);
  printf("rosenbrock %-12s iterations %ld (fire %ld) evals %ld max|g| %.2e\n", r.method, r.iterations,
         r.fire_iterations, r.evaluations, r.max_grad);
}

static void run_quadratic(gv_min_method fin, gv_min_method alone) {
  size_t n = 200;
  quad q = {n, malloc(n * sizeof(double)), malloc(n * sizeof(double))};
  double *x = malloc(n * sizeof(double));
  gv_rng r;
  gv_rng_init(&r, 2385, 0, GV_RNG_ANALYSIS);
  for (size_t i = 0; i < n; i++) {
    q.k[i] = pow(1e6, (double)i / (n - 1)); /* condition number 1e6 */
    q.c[i] = 2 * gv_rng_uniform(&r) - 1;
    x[i] = q.c[i] + 0.3 * (2 * gv_rng_uniform(&r) - 1);
  }
  gv_min_params p;
  gv_min_params_default(&p);
  p.finisher = fin;
  p.switch_ftol = 1e3; /* FIRE is hopeless at condition number 1e6: finisher at once */
  gv_min_result res;
  CHECK_OK(gv_min_run(quadratic, &q, n, x, &p, &res));
  CHECK(res.max_grad <= 1e-10, "quadratic (%s): max grad %g", res.method, res.max_grad);
  for (size_t i = 0; i < n; i++) CHECK_CLOSE(x[i], q.c[i], 0, 1.01e-10 / q.k[i]);
  printf("quadratic  %-12s iterations %ld (fire %ld) evals %ld max|g| %.2e\n", res.method,
         res.iterations, res.fire_iterations, res.evaluations, res.max_grad);

  /* the iterate/test interface with a finisher alone from the start */
  for (size_t i = 0; i < n; i++) x[i] = q.c[i] + 0.01 * (2 * gv_rng_uniform(&r) - 1);
  gv_min_workspace *w = NULL;
  CHECK_OK(gv_min_alloc(&w, alone, n, &p));
  CHECK_OK(gv_min_set(w, quadratic, &q, x));
  int st = GV_OK;
  long it = 0;
  while (gv_min_test(w, 1e-10) != GV_OK && it < 100000 && st == GV_OK) {
    st = gv_min_iterate(w);
    it++;
  }
  CHECK(st == GV_OK, "iterate returned %d", st);
  CHECK(gv_min_max_grad(w) <= 1e-10, "method %d alone: max grad %g after %ld iterations", (int)alone,
        gv_min_max_grad(w), it);
  CHECK_CLOSE(gv_min_energy(w), 2385.0, 1e-15, 0);
  printf("quadratic  method %d alone: %ld iterations, %ld evaluations\n", (int)alone, it,
         gv_min_evaluations(w));
  gv_min_free(&w);
  CHECK(w == NULL, "free clears the pointer");
  free(q.k);
  free(q.c);
  free(x);
}

/* A quadratic whose gradient carries a deterministic "round-off" of +-1e-13
 * (a hash of the bits of x): no point has a gradient below 1e-30. */
static int noisy(void *ctx, const double *x, double *e, double *g) {
  (void)ctx;
  double f = 0;
  for (int i = 0; i < 20; i++) {
    double k = 1e3 * (1 + i), c = 0.1 + sqrt(2.0) * i;
    uint64_t bits;
    memcpy(&bits, &x[i], sizeof bits);
    double noise = ((bits * 0x9e3779b97f4a7c15ULL) >> 63) ? 1e-13 : -1e-13;
    g[i] = k * (x[i] - c) + noise;
    f += 0.5 * k * (x[i] - c) * (x[i] - c);
  }
  *e = f;
  return 0;
}

static void test_not_converged(void) {
  /* an impossible tolerance below round-off: must say NOT_CONVERGED, not hang or lie */
  size_t n = 20;
  double x[20];
  for (int i = 0; i < 20; i++) x[i] = 0.1 + sqrt(2.0) * i + 0.01 * cos(i);
  gv_min_params p;
  gv_min_params_default(&p);
  p.ftol = 1e-30;
  p.max_iter = 20000;
  gv_min_result r;
  int st = gv_min_run(noisy, NULL, n, x, &p, &r);
  CHECK(st == GV_NOT_CONVERGED, "ftol 1e-30 must not converge (status %d)", st);
  CHECK(!r.converged, "result says not converged");
  CHECK(r.max_grad < 1e-8, "but still close to the minimum: %g", r.max_grad);
}

static void test_dot_threads(void) {
  size_t n = 300001;
  double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double));
  gv_rng r;
  gv_rng_init(&r, 11, 0, GV_RNG_ANALYSIS);
  for (size_t i = 0; i < n; i++) {
    a[i] = gv_rng_normal(&r);
    b[i] = gv_rng_normal(&r);
  }
  omp_set_num_threads(1);
  double d1 = gv_dyn_dot(a, b, n);
  omp_set_num_threads(2);
  double d2 = gv_dyn_dot(a, b, n);
  omp_set_num_threads(3);
  double d3 = gv_dyn_dot(a, b, n);
  CHECK(memcmp(&d1, &d2, sizeof d1) == 0 && memcmp(&d1, &d3, sizeof d1) == 0,
        "dot differs with threads: %.17g %.17g %.17g", d1, d2, d3);
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  CHECK_CLOSE(d1, s, 1e-12, 1e-9);
  free(a);
  free(b);
}

/* A kink that no point resolves: E = sum_i 2.385 |x_i - 1| + 0.5 x_i^2 has its
 * minimum at x = 1 where the gradient jumps from -1.385 to 3.385 (like a pair
 * sitting on the cutoff of a truncated-and-shifted potential). The driver must
 * give up after the no-progress window, not run to max_iter. */
static int kink(void *ctx, const double *x, double *e, double *g) {
  size_t n = *(size_t *)ctx;
  double f = 0;
  for (size_t i = 0; i < n; i++) {
    double t = x[i] - 1;
    f += 2.385 * fabs(t) + 0.5 * x[i] * x[i];
    g[i] = (t >= 0 ? 2.385 : -2.385) + x[i];
  }
  *e = f;
  return 0;
}

static void test_no_progress(void) {
  size_t n = 6;
  double x[6] = {3.1, -2.2, 0.4, 5.0, 1.7, -0.3};
  gv_min_params p;
  gv_min_params_default(&p);
  gv_min_result r;
  int st = gv_min_run(kink, &n, n, x, &p, &r);
  CHECK(st == GV_NOT_CONVERGED, "kink: status %d", st);
  CHECK(r.iterations < 20000, "kink: %ld iterations, the no-progress stop did not trigger", r.iterations);
  CHECK(r.max_grad >= 1.385 - 1e-9, "kink: max gradient %.3g below the jump", r.max_grad);
  for (size_t i = 0; i < n; i++) CHECK_CLOSE(x[i], 1.0, 0, 0.05);
}

int main(void) {
  run_rosenbrock(GV_MIN_LBFGS);
  run_rosenbrock(GV_MIN_CG);
  run_rosenbrock(GV_MIN_FIRE);
  run_quadratic(GV_MIN_LBFGS, GV_MIN_LBFGS);
  run_quadratic(GV_MIN_CG, GV_MIN_CG);
  test_not_converged();
  test_no_progress();
  test_dot_threads();
  return tl_finish();
}
