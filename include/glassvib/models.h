/* glassvib models: mean-field and lattice models that need no glass.
 * Documentation with equations and examples: docs/meanfield.md.
 *
 * KHGPS (Rainone, Urbani, Zamponi, Lerner, Bouchbinder, SciPost Phys. Core 4,
 * 008 (2021), seed 001, Eq. 1), units A = 1 (energy A x0^4, stiffness A x0^2,
 * force A x0^3):
 *   H = 1/2 sum_i kappa_i x_i^2 + 1/4! sum_i x_i^4 + sum_{i<j} J_ij x_i x_j - h sum_i x_i,
 *   kappa_i ~ U[0, kappa0], J_ij = J_ji ~ N(0, J^2/N), J_ii = 0;
 *   Hessian M_ij = J_ij + delta_ij (kappa_i + x_i^2/2); omega^2 = eigenvalues of M at a minimum.
 * Sample k draws kappa from stream (seed, k, GV_RNG_KHGPS_KAPPA) and row i of J
 * (J_ij, j < i) from block (i, 0) of stream (seed, k, GV_RNG_KHGPS_COUPLING), so a
 * sample is a pure function of (seed, k, N, J, kappa0), whatever the thread count.
 * J_ij is drawn in double and stored rounded to single precision: the model's
 * couplings ARE the rounded values (a Gaussian perturbed by relative 2^-24), and
 * everything else (J x, energies, gradients, eigenvalues) is computed in double
 * for those couplings; docs/meanfield.md bounds the effect (~1e-10 on eigenvalues).
 *
 * Lattice model of dipole stiffnesses (Rainone, Bouchbinder, Lerner, seed 003,
 * Eqs. 8-10): on a periodic d-cubic lattice of odd side L, omega_j ~ 5 omega^4 on
 * [0, 1]; for the centre site c:
 *   a = omega_c^-2 + sum_{j != c} r_cj^-2d omega_j^-2,  b = (same with omega^-4),  kappa = a / b.
 * Realisation k draws its omegas from ARS-7 (Random123's AES-round generator) with a
 * key from splitmix64(seed) and counters (block, k, GV_RNG_LATTICE): a pure function
 * of (seed, k, d, L) (layout and resolution of u: src/models/lattice.c).
 */
#ifndef GLASSVIB_MODELS_H
#define GLASSVIB_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "glassvib/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ KHGPS */
typedef struct gv_khgps_params {
  size_t n;       /* oscillators, >= 2 */
  double h;       /* constant force (finite) */
  double J;       /* coupling strength, >= 0 */
  double kappa0;  /* upper cutoff of the stiffness distribution, >= 0 */
  double gtol;    /* convergence: max_i |dH/dx_i| <= gtol (default 1e-10) */
  size_t nlow;    /* eigenvalues wanted: 0 = all (dense dsyevd_2stage), else the nlow lowest
                     (float Cholesky + block shift-invert Krylov + exact Rayleigh-Ritz) */
  long max_iter;  /* conjugate-gradient iterations before giving up (default 200000) */
  uint64_t seed;
} gv_khgps_params;

/* Defaults: gtol 1e-10, nlow 0, max_iter 200000, seed GV_DEFAULT_SEED; n, h, J, kappa0 zero. */
void gv_khgps_params_default(gv_khgps_params *p);
/* GV_EINVAL with a message naming the bad parameter. */
int gv_khgps_params_check(const gv_khgps_params *p);

/* Result of one sample (arrays owned by the struct; gv_khgps_sample_free). */
typedef struct gv_khgps_sample {
  size_t n;
  double *kappa;    /* n: harmonic stiffnesses */
  double *x;        /* n: positions at the minimum x* */
  double *eig;      /* neig: Hessian eigenvalues (omega^2), ascending */
  size_t neig;
  double energy;    /* H(x*) */
  double grad_max;  /* max_i |dH/dx_i| at x* */
  double eig_bound; /* estimated max |eig error| (nlow > 0: max_i r_i^T M_f^-1 r_i theta_q/(theta_q - theta_i),
                       measured 2-5x above the true error; 0 for dsyevd_2stage) */
  long cg_iter;     /* conjugate-gradient iterations */
  int newton_steps; /* single-precision Cholesky factorisations of M (preconditioned Newton) */
  int n_negative;   /* negative eigenvalues (0 at a minimum) */
  double wall_s;        /* total */
  double wall_min_s;    /* drawing + minimisation (incl. Newton factorisations) */
  double wall_eig_s;    /* eigenvalues */
  /* profiling (in-process only: not carried by ensemble run records) */
  long n_matvec;        /* products J v (a block product with m vectors counts m) */
  double wall_draw_s;   /* drawing kappa and J (included in wall_min_s) */
} gv_khgps_sample;
void gv_khgps_sample_free(gv_khgps_sample *s);

/* Workspace for one sample of size n: ONE n x n single-precision matrix (4 n^2
 * bytes: 1.02 GB at n = 16000) holding J
 * (strict lower triangle) and the float Cholesky factor of M (upper triangle),
 * plus O(n nlow) doubles for the Krylov basis; with nlow = 0 (all eigenvalues)
 * also a double n x n matrix for dsyevd_2stage. */
typedef struct gv_khgps_work gv_khgps_work;
int gv_khgps_work_alloc(gv_khgps_work **w, size_t n, size_t nlow);
void gv_khgps_work_free(gv_khgps_work **w);

/* Draw, minimise from x = 0, diagonalise: one sample, index `sample`.
 * Returns GV_OK, GV_NOT_CONVERGED (tolerance missed; result still filled),
 * GV_EUNSTABLE (no positive-definite Hessian reached), GV_EINTERRUPTED, errors. */
int gv_khgps_sample_run(gv_khgps_work *w, const gv_khgps_params *p, uint64_t sample,
                        gv_khgps_sample *out);

/* Samples first .. first+nsamples-1 into out[0..nsamples) (caller-allocated,
 * zeroed; free each with gv_khgps_sample_free). Small N (<= 2048) runs samples in
 * parallel threads, one sample per thread with single-threaded BLAS (bitwise
 * identical results for any thread count); large N runs them one after another
 * with threaded BLAS and OpenMP matrix-vector products (the J x kernel is
 * deterministic; threaded LAPACK may change the last bits). Either way sample k
 * is the same function of (seed, k). Shows a progress bar
 * (label) unless label is NULL. Returns the worst status (errors first). */
int gv_khgps_ensemble_run(const gv_khgps_params *p, uint64_t first, size_t nsamples,
                          gv_khgps_sample *out, const char *label);

/* ---- building blocks (public for tests and for other drivers) ---- */
/* kappa_i ~ U[0, kappa0] from stream (seed, sample, GV_RNG_KHGPS_KAPPA). */
void gv_khgps_kappa_fill(double *kappa, size_t n, double kappa0, uint64_t seed, uint64_t sample);
/* Strict lower triangle of the column-major n x n float matrix A (A[i + j n], i > j)
 * gets J_ij (drawn in double, rounded to float); the diagonal and upper triangle
 * are not touched. OpenMP over rows. */
void gv_khgps_couplings_fill(float *A, size_t n, double J, uint64_t seed, uint64_t sample);
/* y = J x with J read once from the strict lower triangle of A, products and sums
 * in double. Bitwise the same for any thread count (fixed column chunks, partial
 * sums added in a fixed order). Allocates n * 16 doubles of scratch per call. */
int gv_khgps_couplings_apply(const float *A, size_t n, const double *x, double *y);
/* H(x) and its gradient g (g may be NULL) given Jx = J x. */
double gv_khgps_energy_grad(size_t n, const double *kappa, double h, const double *x,
                            const double *Jx, double *g);
/* Full Hessian into the column-major n x n matrix M (both triangles) from A's lower triangle. */
void gv_khgps_hessian_dense(const float *A, size_t n, const double *kappa, const double *x,
                            double *M);
/* J = 0 limit: the minimiser of kappa x^2/2 + x^4/24 - h x (kappa >= 0): the real
 * root of kappa x + x^3/6 = h, from Cardano's formula. */
double gv_khgps_single_root(double kappa, double h);

/* ---- ensemble analysis ---- */
typedef struct gv_khgps_analysis {
  double A_g, A_g_err;           /* D(omega) = A_g omega^4 in [ag_lo, ag_hi] */
  double ag_lo, ag_hi;           /* the window (omega units) */
  double low_exponent, low_exponent_err; /* D ~ omega^s fitted in [exp_lo, exp_hi] */
  double exp_lo, exp_hi;
  double x2_mean, x2_err;        /* <x*^2> and its standard error over samples */
  double omega_x;                /* crossover frequency from the collapse of <xbar*^2>(kappa) */
  size_t n_modes;                /* eigenvalues analysed (all samples) */
  size_t n_negative;             /* negative eigenvalues found */
} gv_khgps_analysis;

/* Partial averages <xbar*^2>(kappa) = kappa^-1 int_0^kappa <x~*^2>(k') dk' =
 * mean of x_i^2 over oscillators with kappa_i <= kappa (p(kappa) uniform), on
 * ngrid log-spaced kappa values in [kmin, kmax] (kmin 0: 10th smallest kappa).
 * Outputs kgrid[ngrid], xbar2[ngrid], count[ngrid] (oscillators <= kgrid). */
int gv_khgps_partial_average(const double *kappa, const double *x, size_t n, double kmin,
                             double kmax, size_t ngrid, double *kgrid, double *xbar2,
                             size_t *count);
/* The J = 0 collapse function: with w2 = (6h)^(2/3), xbar^2(kappa) = w2 f(kappa / w2),
 * f(q) = q^-1 int_0^q u(q')^2 dq', 6 q u + u^3 = 1 (f(0) = 1, f ~ I/q). */
double gv_khgps_collapse_f(double q);
/* omega_x: the scale that collapses the measured partial averages onto the J = 0
 * function, xbar2(k) = omega_x^2 f(k / omega_x^2) (least squares in log, on the grid
 * points with count >= 30). At J = 0 it is (6h)^(1/3) exactly. */
int gv_khgps_omega_x(const double *kgrid, const double *xbar2, const size_t *count,
                     size_t ngrid, double *omega_x);

/* Ensemble analysis of pooled eigenvalues (eig, all samples, n_total = N * samples
 * modes for the normalisation) and per-oscillator (kappa, x): A_g and the exponent
 * in windows derived from omega_x (docs/meanfield.md), <x*^2>, omega_x. x2_sample
 * (nsamples values of each sample's mean x^2) gives x2_err. */
int gv_khgps_analyse(const double *eig, size_t neig, double n_total, const double *kappa,
                     const double *x, size_t nosc, const double *x2_sample, size_t nsamples,
                     double kappa0, gv_khgps_analysis *out);

/* ============================================================== lattice */
typedef struct gv_lattice gv_lattice;
/* Precompute r^-2d for every site of the periodic d-cubic lattice of odd side L
 * (centre excluded). dim >= 1, L odd >= 1, L^dim <= 2^31. */
int gv_lattice_create(gv_lattice **lat, int dim, int L);
/* The d -> infinity limit (seed 003, Eqs. 14-15: only the first shell matters):
 * the centre plus n = 2d neighbours, all of weight 1 (dim reported as 0, side as n). */
int gv_lattice_create_star(gv_lattice **lat, int n);
void gv_lattice_destroy(gv_lattice **lat);
size_t gv_lattice_sites(const gv_lattice *lat);
int gv_lattice_dim(const gv_lattice *lat);
int gv_lattice_side(const gv_lattice *lat);
/* Weights w_j = r_j^-2d of the non-centre sites (borrowed, length sites - 1). */
const double *gv_lattice_weights(const gv_lattice *lat);

/* Kernels (all give bitwise identical kappa; AUTO picks AVX-512 when the CPU has
 * AVX-512F and VAES). */
enum { GV_LATTICE_KERNEL_AUTO = 0, GV_LATTICE_KERNEL_PORTABLE = 1, GV_LATTICE_KERNEL_AVX512 = 2 };
/* Select a kernel (tests, benches); GV_ENOTSUP if the CPU lacks it. */
int gv_lattice_set_kernel(gv_lattice *lat, int kernel);
int gv_lattice_kernel(const gv_lattice *lat);
/* t = omega^-2 = u^(-2/5), u = (x + 1/2) 2^-32, as the kernels compute it for a
 * 32-bit word x >= 2^16 (single precision; NAN for x < 2^16, which the kernels
 * refine with a second word). Exposed for the accuracy test. */
float gv_lattice_t_of_word(uint32_t x);
/* One block of the generator, ARS-7 (Random123's ars4x32 with 7 rounds): 128-bit key
 * and counter as four 32-bit words each; hardware = 1 uses the AES-NI instructions
 * (GV_ENOTSUP without them), 0 the portable rounds. Exposed for the bitwise test. */
int gv_lattice_ars7(const uint32_t key[4], const uint32_t ctr[4], uint32_t out[4], int hardware);
/* kappa of realisations first .. first+count-1 into kappa[0..count) (OpenMP over
 * realisations; each realisation's stream depends only on (seed, index)). Polls
 * gv_interrupted() and returns GV_EINTERRUPTED (kappa partially filled). */
int gv_lattice_sample(const gv_lattice *lat, uint64_t seed, uint64_t first, size_t count,
                      double *kappa);
/* omega of every site of realisation `index` (double, from the same words as the
 * kernels): omega[0] is the centre, omega[1 .. S-1] the other sites in lexicographic
 * order (last coordinate fastest), matching gv_lattice_weights. */
int gv_lattice_omega(const gv_lattice *lat, uint64_t seed, uint64_t index, double *omega);
/* One realisation, also returning a and b (reference path: same random words, libm
 * pow in double, serial sum; agrees with the kernels to ~1e-6 relative). */
double gv_lattice_kappa_one(const gv_lattice *lat, uint64_t seed, uint64_t index, double *a,
                            double *b);

/* Run realisations 0 .. samples-1 in chunks of `chunk` (0: 65536) into kappa[samples].
 * If ckpt_path is given, every finished chunk is appended (and fsync'ed) to that
 * binary checkpoint; an existing checkpoint with the same (dim, L, seed, samples,
 * chunk) is read first and only the missing chunks are computed (*resumed = number
 * of realisations read back). A torn last record (crash) is ignored. Parameters
 * that do not match -> GV_EINVAL (the file is left alone). SIGINT between or
 * inside chunks returns GV_EINTERRUPTED with the checkpoint consistent.
 * The caller removes the checkpoint once its outputs are committed. */
int gv_lattice_run(const gv_lattice *lat, uint64_t seed, size_t samples, size_t chunk,
                   const char *ckpt_path, double *kappa, size_t *resumed, const char *label);

typedef struct gv_lattice_analysis {
  double eta, eta_err;        /* p(kappa) ~ kappa^eta: truncated power-law MLE in the window, Fisher error */
  double eta_mle;             /* = eta (kept for compatibility) */
  double eta_logF;            /* least-squares slope of log F(kappa) in the window, minus 1 */
  double fit_lo, fit_hi;      /* fit window (kappa units) */
  size_t fit_n;               /* realisations inside the window */
  double kappa_mean, kappa_err; /* <kappa> and its standard error */
  double kappa_min, kappa_max;
} gv_lattice_analysis;
/* Default fit window (lo <= 0 or hi <= 0): kappa in [GV_LATTICE_FIT_LO, GV_LATTICE_FIT_HI]
 * (the flattest part of p(kappa) on log axes; docs/meanfield.md). */
#define GV_LATTICE_FIT_LO 0.01
#define GV_LATTICE_FIT_HI 0.05
int gv_lattice_analyse(const double *kappa, size_t n, double lo, double hi, gv_lattice_analysis *out);

#ifdef __cplusplus
}
#endif
#endif
