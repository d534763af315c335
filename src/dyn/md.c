/* Molecular dynamics with unit masses: Langevin BAOAB and velocity Verlet.
 *
 * Langevin equation dx = v dt, dv = F dt - gamma v dt + sqrt(2 gamma T) dW.
 * BAOAB splitting (Leimkuhler & Matthews, Appl. Math. Res. Express 2013, 34):
 *   B: v += dt/2 F(x)       A: x += dt/2 v
 *   O: v = c v + sqrt((1 - c^2) T) xi,  c = exp(-gamma dt), xi ~ N(0, 1)
 *   A: x += dt/2 v          B: v += dt/2 F(x)
 * The O step is the exact Ornstein-Uhlenbeck solution, so the stationary
 * configurational distribution is exp(-E/T) up to O(dt^2) (with a small
 * leading constant), and velocities are Maxwellian at T after O. With gamma = 0
 * the scheme is velocity Verlet (NVE, symplectic: energy error O(dt^2), bounded).
 *
 * Why Langevin and not Bussi-Donadio-Parrinello rescaling: BAOAB is local
 * (each degree of freedom has its own bath, no global reduction or gamma
 * deviate per step), robust from the far-from-equilibrium initial liquid and
 * during cooling, and its noise for component k at step t is a pure function of
 * (seed, t, k): the trajectory is the same for any number of threads.
 * Units: time lambda sqrt(m/eps), temperature eps/k_B. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"

#define PAR_MIN 4096

void gv_md_params_default(gv_md_params *p) {
  p->dt = 0.005;
  p->gamma = 1.0;
  p->seed = GV_DEFAULT_SEED;
  p->sample = 0;
}

struct gv_md {
  size_t n;
  gv_md_force_func f;
  void *ctx;
  double *x, *v; /* borrowed */
  double *F;
  double e;
  gv_md_params p;
  long step;
  gv_rng base;
};

int gv_md_create(gv_md **mdp, size_t n, gv_md_force_func f, void *ctx, double *x, double *v,
                 const gv_md_params *p) {
  int status = GV_OK;
  gv_md *md = NULL;
  if (n == 0 || !x || !v || !f) return GV_ERROR(GV_EINVAL, "md: empty system");
  if (!(p->dt > 0) || !isfinite(p->dt)) return GV_ERROR(GV_EINVAL, "md: time step %g must be positive", p->dt);
  if (!(p->gamma >= 0) || !isfinite(p->gamma))
    return GV_ERROR(GV_EINVAL, "md: friction %g must be >= 0", p->gamma);
  GV_ALLOC(md, 1);
  GV_ALLOC(md->F, n);
  md->n = n;
  md->f = f;
  md->ctx = ctx;
  md->x = x;
  md->v = v;
  md->p = *p;
  gv_rng_init(&md->base, p->seed, p->sample, GV_RNG_THERMOSTAT);
  GV_TRY(f(ctx, x, &md->e, md->F));
  if (!isfinite(md->e)) {
    status = GV_ERROR(GV_ENUMERIC, "md: initial energy is not finite");
    goto cleanup;
  }
  *mdp = md;
  return GV_OK;
cleanup:
  gv_md_destroy(&md);
  return status;
}

void gv_md_destroy(gv_md **mdp) {
  if (!mdp || !*mdp) return;
  free((*mdp)->F);
  free(*mdp);
  *mdp = NULL;
}

/* Two standard normals from one Philox block (Box-Muller, both branches). */
static inline void normal_pair(gv_rng *r, double *z0, double *z1) {
  double u1 = gv_rng_uniform(r), u2 = gv_rng_uniform(r);
  double rad = sqrt(-2.0 * log(u1)), th = 2.0 * M_PI * u2;
  *z0 = rad * cos(th);
  *z1 = rad * sin(th);
}

int gv_md_step(gv_md *md, double T) {
  size_t n = md->n;
  double *x = md->x, *v = md->v, *F = md->F;
  const double h = 0.5 * md->p.dt;
  const int thermo = md->p.gamma > 0;
  if (thermo && !(T >= 0)) return GV_ERROR(GV_EINVAL, "md: temperature %g must be >= 0", T);
  const double c = exp(-md->p.gamma * md->p.dt);
  const double s = thermo ? sqrt((1 - c * c) * T) : 0;
  const uint64_t t = (uint64_t)md->step;
  size_t npair = (n + 1) / 2;
#pragma omp parallel if (n >= PAR_MIN)
  {
    gv_rng r = md->base;
#pragma omp for schedule(static)
    for (size_t k = 0; k < npair; k++) {
      size_t i0 = 2 * k, i1 = i0 + 2 < n ? i0 + 2 : n;
      double z[2] = {0, 0};
      if (thermo) {
        gv_rng_seek(&r, t, k); /* block (step, pair): thread-count independent */
        normal_pair(&r, &z[0], &z[1]);
      }
      for (size_t i = i0; i < i1; i++) {
        double vi = v[i] + h * F[i];
        double xi = x[i] + h * vi;
        if (thermo) vi = c * vi + s * z[i - i0];
        x[i] = xi + h * vi;
        v[i] = vi;
      }
    }
  }
  int status = md->f(md->ctx, x, &md->e, F);
  if (status < 0) return status;
  if (!isfinite(md->e)) return GV_ERROR(GV_ENUMERIC, "md: energy became non-finite at step %ld", md->step);
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
  for (size_t i = 0; i < n; i++) v[i] += h * F[i];
  md->step++;
  return GV_OK;
}

double gv_md_potential(const gv_md *md) { return md->e; }
double gv_md_kinetic(const gv_md *md) { return 0.5 * gv_dyn_dot(md->v, md->v, md->n); }
long gv_md_steps(const gv_md *md) { return md->step; }
const double *gv_md_forces(const gv_md *md) { return md->F; }

void gv_dyn_maxwell(double *v, long n, int dim, double T, uint64_t seed, uint64_t sample) {
  gv_rng r;
  gv_rng_init(&r, seed, sample, GV_RNG_VELOCITIES);
  double sd = sqrt(T > 0 ? T : 0);
  for (long i = 0; i < n * dim; i++) v[i] = sd * gv_rng_normal(&r);
  if (n < 2) return;
  for (int a = 0; a < dim; a++) {
    double m = 0;
    for (long i = 0; i < n; i++) m += v[i * dim + a];
    m /= (double)n;
    for (long i = 0; i < n; i++) v[i * dim + a] -= m;
  }
}
