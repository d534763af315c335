/* glassvib qlm: quasilocalized modes of pairwise glasses.
 *
 *  - pair sets: the interacting pairs of a configuration with the radial
 *    derivatives phi^(k)(r), k = 0..4, planned once (docs/qlm.md);
 *  - anharmonic contractions along a direction z (unit masses):
 *      kappa = M:zz, tau = U''':zzz, chi = U'''':zzzz and the vectors
 *      M.z, U''':zz, U'''':zzz (hessian module, src/hessian/anharmonic.c);
 *  - force-dipole responses (seed 003, Eqs. 1-3): d_ij = d phi_ij/dx,
 *    z_ij = M^+ d_ij, kappa_ij = (d.M^+.d)/(d.M^+2.d) (src/analysis/dipole.c);
 *  - nonlinear modes (Gartner and Lerner, SciPost Phys. 1, 016 (2016): cubic,
 *    stationary points of kappa^3/tau^2; Kapteijns, Richard and Lerner,
 *    PRE 101, 032130 (2020): quartic, stationary points of kappa^2/chi),
 *    minimised on the unit sphere (src/analysis/nlmode.c);
 *  - soft-mode anatomy (U. Buchenau, seed 002, Eqs. 1-12) (src/analysis/anatomy.c).
 * Units: model units (docs/units.md) unless a material is given.
 */
#ifndef GLASSVIB_QLM_H
#define GLASSVIB_QLM_H

#include <stdint.h>

#include "glassvib/core.h"
#include "glassvib/geom.h"
#include "glassvib/pot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================ pair sets */
/* The interacting pairs (r_ij < cutoff) of a fixed configuration. For pair p:
 * particles i = pi[p] < j = pj[p], r_ij = x_i - x_j (minimum image) in
 * r[p*dim ..], dphi[p*5 + k] = phi^(k)(|r_ij|), k = 0..4. Private arrays hold
 * the derived coefficients psi_k = (d/dq)^k phi at q = r^2/2 and an incidence
 * list (for each particle its pairs) so that vector outputs are gathered per
 * particle: no write races and results independent of the thread count. */
typedef struct gv_pairset {
  int dim;
  long n;       /* particles */
  long npairs;
  long *pi, *pj;
  double *r;    /* [npairs*dim] */
  double *dphi; /* [npairs*5] */
  /* private */
  double *psi;      /* [npairs*4]: psi1..psi4 */
  long *inc_start;  /* [n+1] */
  long *inc;        /* [2*npairs]: pair index p (particle is pi[p]) or ~p (it is pj[p]) */
} gv_pairset;

/* From explicit arrays (copied). Pairs must have i != j, 0 <= i, j < n,
 * finite data and |r| > 0. GV_EINVAL names the offending pair. */
int gv_pairset_create(gv_pairset **ps, int dim, long n, long npairs, const long *pi,
                      const long *pj, const double *r, const double *dphi);
/* From a model and a configuration (builds and discards a neighbour list).
 * Pairs with r < cutoff + skin are kept (skin > 0 for finite displacements:
 * the anatomy's core energies); pairs beyond the cutoff have dphi = 0. */
int gv_pairset_create_model(gv_pairset **ps, const gv_model *m, const gv_system *s, double skin);
void gv_pairset_destroy(gv_pairset **ps);
/* Pair force magnitude f_ij = -phi'(r_ij) (seed 003's f). */
static inline double gv_pairset_force(const gv_pairset *ps, long p) { return -ps->dphi[p * 5 + 1]; }

/* ============================================ anharmonic contractions */
typedef struct gv_anharm {
  double kappa; /* M:zz     = d^2U/ds^2 of U(x + s z) at s = 0 */
  double tau;   /* U''':zzz = d^3U/ds^3 */
  double chi;   /* U'''':zzzz = d^4U/ds^4 */
} gv_anharm;

/* Contract the derivatives of U = sum_pairs phi along z [n*dim] (z need not be
 * normalised). Each of Mz, Tzz (= U''':zz), Qzzz (= U'''':zzz) [n*dim] may be
 * NULL. With them: kappa = z.Mz, tau = z.Tzz, chi = z.Qzzz exactly. out may be
 * NULL. Threaded; result independent of the number of threads. */
int gv_anharmonic_contract(const gv_pairset *ps, const double *z, double *Mz, double *Tzz,
                           double *Qzzz, gv_anharm *out);

/* ========================================================== solvers */
/* X = M^+ B for nrhs columns (column-major, ndof = n*dim rows each), with
 * translations gauged out (the result is orthogonal to translations).
 * Implementations: gv_qlm_dense_solver (small systems, tests) and the sparse
 * CHOLMOD factorisation of the linalg module (gv_qlm_sparse_solver, when built). */
typedef int (*gv_qlm_solve_fn)(void *ctx, const double *B, double *X, long nrhs);
typedef struct gv_qlm_solver {
  gv_qlm_solve_fn solve;
  void *ctx;
  long ndof;
  int block; /* preferred number of right-hand sides per call */
  void (*destroy)(void *ctx);
  /* Optional fused dipole kernel (the sparse solver has one): a[k] = d.M^+.d,
   * b[k] = |M^+ d|^2 and resid[k] = |P(d - M z)|/|d| for the dipoles of pairs
   * sel[0..nsel). NULL: use solve. */
  int (*dipoles)(void *ctx, const gv_pairset *ps, const long *sel, long nsel, double *a, double *b,
                 double *resid);
} gv_qlm_solver;
/* Dense: M assembled from the pair set, M + c T T^T factorised by LAPACK
 * (T: the d normalised translations; c = trace(M)/ndof). ndof <= 6000.
 * GV_EUNSTABLE if M has a negative or (beyond translations) zero eigenvalue. */
int gv_qlm_dense_solver_create(gv_qlm_solver **s, const gv_pairset *ps);
/* Sparse (CHOLMOD via the linalg module); GV_ENOTSUP if not built. */
int gv_qlm_sparse_solver_create(gv_qlm_solver **s, const gv_pairset *ps);
void gv_qlm_solver_destroy(gv_qlm_solver **s);
/* The Hessian of a pair set as a linalg sparse matrix (both triangles). */
struct gv_sparse;
int gv_qlm_hessian_sparse(const gv_pairset *ps, struct gv_sparse **M);
/* Remove the mean of each Cartesian component (project out translations). */
void gv_qlm_remove_translations(double *z, long n, int dim);

/* ===================================================== dipole responses */
/* Pair selection: all pairs with |f_ij| < max_force (max_force <= 0: all
 * pairs), then, if nrandom > 0 and fewer than the eligible count, a uniform
 * random subset of nrandom of them (stream (seed, 0, GV_RNG_DIPOLE_PAIRS)),
 * returned in increasing pair order. *sel allocated (caller frees with free()). */
int gv_dipole_select(const gv_pairset *ps, double max_force, long nrandom, uint64_t seed,
                     long **sel, long *nsel);
/* The dipole d_p = d phi_p/dx [n*dim] (zeroed, then set on i and j). */
void gv_dipole_vector(const gv_pairset *ps, long p, double *d);

typedef struct gv_dipole_result {
  long npairs;
  long *pair;     /* [npairs] pair indices (into the pair set) */
  double *kappa;  /* [npairs] (d.z)/(z.z) */
  double *a, *b;  /* [npairs] d.M^+.d and d.M^+2.d */
  double *force;  /* [npairs] f_ij */
  double *resid;  /* [npairs] |M z - d| / |d| (computed if check_residual) */
  double wall_s;
} gv_dipole_result;
/* Solve for the responses of the selected pairs through `solver`, in blocks of
 * solver->block right-hand sides; keep[0..nkeep) pair indices whose z fields
 * are copied to zkeep [nkeep][n*dim] (may be NULL). Polls gv_interrupted. */
int gv_dipole_responses(const gv_pairset *ps, gv_qlm_solver *solver, const long *sel, long nsel,
                        int check_residual, const long *keep, long nkeep, double *zkeep,
                        gv_dipole_result **res);
void gv_dipole_result_destroy(gv_dipole_result **res);

typedef struct gv_dipole_stats {
  long n;
  double mean, median, min, max;
  double eta, eta_err;    /* p(kappa) ~ kappa^eta in [fit_lo, fit_hi]: truncated power-law
                             maximum likelihood with its Fisher error (NaN if < 10 values) */
  double eta_ls;          /* least-squares slope of log F(kappa) - 1 in the same window */
  double fit_lo, fit_hi;  /* the window used */
  long n_fit;
} gv_dipole_stats;
/* Statistics of kappa[0..n) (pooled over glasses if wanted). fit_lo/fit_hi <= 0:
 * the default window [kappa_min, kappa_q20] (the lowest fifth of the values, the
 * small-kappa side of p(kappa) where p ~ kappa^eta; docs/qlm.md). Uses the
 * spectrum module's exponent fit (F ~ kappa^(eta+1)). */
int gv_dipole_statistics(const double *kappa, long n, double fit_lo, double fit_hi,
                         gv_dipole_stats *st);
/* Analytic reference: kappa of a bond dipole on a periodic simple-cubic L^3
 * lattice of nearest-neighbour springs with longitudinal stiffness k_par and
 * transverse stiffness k_perp (phi'' and phi'/a), bond along x:
 *   D_xx(q) = k_par 2(1 - cos q_x) + k_perp [2(1 - cos q_y) + 2(1 - cos q_z)],
 *   a = sum_q w(q)/D_xx(q), b = sum_q w(q)/D_xx(q)^2, w = 2(1 - cos q_x), kappa = a/b
 * (q on the L^3 reciprocal lattice, q = 0 excluded). For k_par = k_perp = k and
 * L -> infinity, kappa -> k / W with W = 0.2527310098586758 (Watson's integral). */
double gv_dipole_kappa_cubic_lattice(long L, double k_par, double k_perp);

/* ====================================================== nonlinear modes */
typedef struct gv_nlmode_opts {
  int order;        /* 3: cubic (kappa^3/tau^2), 4: quartic (kappa^2/chi) */
  double tol;       /* stop when |grad_sphere cost| / cost < tol (default 1e-8) */
  long max_iter;    /* default 20000 */
  gv_qlm_solver *precond; /* optional: M^+ as preconditioner (may be NULL) */
} gv_nlmode_opts;
void gv_nlmode_opts_default(gv_nlmode_opts *o);

typedef struct gv_nlmode_result {
  double kappa, tau, chi; /* at the unit-norm mode */
  double cost;            /* kappa^2/chi or kappa^3/tau^2 */
  double residual;        /* |M z - (kappa/chi) U'''':zzz| / |M z| (quartic) or the cubic analogue */
  double participation;  /* e = 1 / (n sum_i |z_i|^4) */
  long center_particle;   /* the particle with the largest |z_i| (gv_mode_center refines it) */
  long iterations;
  int converged;
} gv_nlmode_result;
/* Minimise the cost over the unit sphere (orthogonal to translations) from z
 * [n*dim] (overwritten by the mode, unit norm) by Riemannian conjugate
 * gradients (Polak-Ribiere+, Armijo backtracking on the retraction
 * z(t) = (z + t p)/|z + t p|), optionally preconditioned by M^+.
 * The sign is fixed so that tau >= 0.
 * Returns GV_NOT_CONVERGED (result usable) if max_iter is reached.
 * GV_ENUMERIC if chi <= 0 (quartic) or tau = 0 (cubic) on the way. */
int gv_nlmode_find(const gv_pairset *ps, const gv_nlmode_opts *o, double *z, gv_nlmode_result *r);
/* A generic objective on the unit sphere: f(z) and its Euclidean gradient g. */
typedef int (*gv_sphere_fn)(void *ctx, const double *z, double *f, double *g);
/* The optimiser itself on any degree-0-homogeneous objective (tests use toys). */
int gv_sphere_minimize(gv_sphere_fn fn, void *ctx, long ndim, double *z, double tol, long max_iter,
                       gv_qlm_solver *precond, long *iterations, double *gnorm);
double gv_participation(const double *z, long n, int dim);

/* ========================================================= anatomy */
/* Mode centre (seed 002, Eq. 1): start at the particle with the largest |e_i|,
 * then R0 = sum_i r_i e_i^2 / sum_i e_i^2 over the particles within `radius`
 * of the current centre (minimum image), iterated `iterations` times. Any dim.
 * ncore (may be NULL): particles in the final sphere; frac (may be NULL): their
 * share of sum_i e_i^2. */
int gv_mode_center(const gv_system *s, const double *e, double radius, int iterations,
                   double center[GV_MAX_DIM], long *ncore, double *frac);
/* Soft-potential fit E(A) = E0 + D1 A + D2 A^2 + D3 A^3 + D4 A^4 (seed 002 Eq. 2)
 * by least squares over npts samples; D[0..4] = E0, D1..D4. */
int gv_softpot_fit(const double *A, const double *E, long npts, double D[5], double *rms);

/* Isotropic elastic Green function (seed 002 Eqs. 3, 4), 3D:
 * G_ij(r) = [delta_ij (1+f)/r + x_i x_j (1-f)/r^3] / (8 pi G), f = 3G/(3B+4G);
 * the dipole displacement s_i = -sum_jk dG_ij/dx_k P_jk (Eq. 5). */
void gv_elastic_dipole_field(double B, double G, const double P[3][3], const double x[3],
                             double s[3]);
/* Strain of that field at x (eps_jk). */
void gv_elastic_dipole_strain(double B, double G, const double P[3][3], const double x[3],
                              double eps[3][3]);
/* Elastic energy of the dipole field outside a sphere of radius rc (per A^2 if
 * P is per unit A): (1/(3 rc^3)) * integral over directions of the energy
 * density at unit distance (Gauss-Legendre x trapezoid quadrature). */
double gv_elastic_dipole_energy_outside(double B, double G, const double P[3][3], double rc);
/* Least-squares fit of P (6 independent components) to displacements s[k*3]
 * at positions x[k*3] (relative to the centre), k < m. */
int gv_elastic_dipole_fit(double B, double G, const double *x, const double *s, long m,
                          double P[3][3], double *rms);
/* Principal values ordered as the seed: P11 = largest (expansion), P22 =
 * smallest (contraction), P33 = the middle one. */
void gv_dipole_principal(const double P[3][3], double p[3]);
/* Couplings (Eqs. 8, 9) from principal values. */
void gv_dipole_couplings(const double p[3], double *lambda_t, double *lambda_l);

/* Material constants for real units (seed 002, Sec. III). NaN = unknown. */
typedef struct gv_material {
  char name[32];
  double mass_amu;    /* average atomic mass */
  double a0_nm;       /* length unit a0 */
  double E0_eV;       /* energy unit E0 */
  double vl_ms;       /* longitudinal sound velocity */
  double omegaD_meV;  /* Debye frequency (hbar omega_D) */
} gv_material;
/* "pd78si16cu6", "nizr2" (the seed's numbers) or "none". */
int gv_material_builtin(const char *name, gv_material *m);
/* hbar^2/(M a0^2) in eV (needs mass and a0; NaN otherwise). */
double gv_material_confinement_eV(const gv_material *m);

/* W and A0 of Eqs. 10, 11 from D4 (units: W in E0^{1/3}(hbar^2/M a0^2)^{2/3},
 * A0 in M^{1/2} a0 (hbar^2/(E0 M a0^2))^{1/6}; with a0 = lambda, M = m, E0 = eps). */
void gv_softpot_W_A0(double D4, double *W, double *A0);

/* Creation energy of a soft mode (seed 002, Sec. II F; src/analysis/anatomy_creation.c):
 * outer atoms (r > rc from the centre) held at x + A e, core atoms relaxed to
 * the minimum of the core energy E_p(A); F(A) = E_p(A) - E_p(0) - D1 A; in each
 * direction E_s = -min F at the outer displacement A_out, and Delta A = the
 * inside mode displacement sum_core y_i.e_i / sum_core e_i^2 there. */
typedef struct gv_creation_opts {
  double rc;     /* core radius (seed: 2.6 a0) */
  double amax;   /* scan |A| <= amax (default 3) */
  double astep;  /* grid step (default 0.05) */
  double gtol;   /* relaxation: max gradient component (default 1e-6) */
  long max_iter; /* per relaxation (default 20000) */
} gv_creation_opts;
void gv_creation_opts_default(gv_creation_opts *o);
typedef struct gv_creation {
  double rc;
  long ncore;                 /* core atoms */
  long ncore_var;             /* relaxed coordinates */
  double E0, D1;              /* E_p(0) and the linear term removed */
  double Es, dA, back_frac;   /* Table I: means over the directions with a well */
  int found[2];               /* [0]: A > 0, [1]: A < 0 (0: no minimum inside the scan) */
  double Es_dir[2], dA_dir[2], Aout_dir[2], back_dir[2];
  long npts;                  /* scan, A increasing: */
  double *A, *E, *E_rigid;    /* E_p(A) relaxed and E_core at y = A e_core (Eq. 2, unrelaxed) */
  double *Ain, *back;         /* inside displacement; share of the inside relaxation along the mode */
  long n_unconverged;         /* relaxations that stopped above 10 gtol */
  int pairlist_ok;            /* displacements stayed within the pair-list skin */
} gv_creation;
void gv_creation_free(gv_creation *c);
/* Generic form (tests): fn(ctx, A, y, E, g) = core energy and its y-gradient
 * (g may be NULL) for nvar core coordinates y (displacements from the
 * reference, where y = 0 is a minimum at A = 0); ecore [nvar] = the mode on
 * the core coordinates. */
typedef int (*gv_core_energy_fn)(void *ctx, double A, const double *y, double *E, double *g);
int gv_creation_scan(gv_core_energy_fn fn, void *ctx, long nvar, const double *ecore,
                     const gv_creation_opts *o, gv_creation *out);
/* Pair-potential glass: mode e [n*3] (unit norm), centre from gv_mode_center. */
int gv_softmode_creation(const gv_model *m, const gv_system *s, const double *e, const double center[3],
                         const gv_creation_opts *o, gv_creation *out);

typedef struct gv_anatomy_opts {
  double center_radius;  /* 3.5 a0 */
  int center_iterations; /* 3 */
  double amax;           /* energy samples A in [-amax, amax] (default 1.5) */
  int npts;              /* 41 */
  double rc_min, rc_max, rc_step; /* D2(r_c), D4(r_c) scan: 1.0 .. 5.0 step 0.1 */
  double rc;             /* core radius for D2, D4 (<= 0: where D4 saturates) */
  double shell_in, shell_out; /* dipole fit region (6 a0 .. 0.4 L) */
  double shell_width;    /* 0.5 a0 */
  double B, G;           /* moduli of the glass (required) */
  int creation;          /* compute E_s, Delta A (Sec. II F; default 1) */
  gv_creation_opts cr;   /* its options (core radius 2.6 a0, ...) */
} gv_anatomy_opts;
void gv_anatomy_opts_default(gv_anatomy_opts *o);

typedef struct gv_anatomy {
  double center[3];
  long n_core_center;     /* atoms in the centre sphere */
  double kappa;           /* e.M.e of the mode */
  double rc;              /* core radius used for D */
  long n_core;            /* atoms inside rc */
  double D[5];            /* E0, D1..D4 at rc */
  double fit_rms;
  long nrc;               /* D2(r_c), D4(r_c) scan */
  double *rc_scan, *D2_scan, *D4_scan, *D2_model; /* [nrc] */
  double P[3][3], P_principal[3], P_rms;
  double planar_shear, second_shear; /* (P11-P22)/sqrt2, (P11+P22-2P33)/sqrt6 */
  long nshell;
  double *shell_r, *shell_e2r4, *shell_el_e2r4; /* <e^2>_shell r_s^4: mode, elastic */
  double f_r;             /* Eq. 6 */
  double lambda_t, lambda_l; /* Eqs. 8, 9 */
  double participation, Ne;
  double W, A0;           /* Eq. 11, seed units */
  double gamma_coef;      /* (3 pi/2) lambda_t^2 / (M v_l^2 omega_D^2), dimensionless (Eq. 12) */
  double center_frac;     /* share of sum e^2 inside the centre sphere (seed: ~60 %) */
  double A_rigid[2], E_rigid_well[2]; /* minima (A > 0, A < 0) and depths of D2 A^2 + D3 A^3 + D4 A^4
                                         at rc (Fig. 1's minima, linear term removed); NaN if none */
  double D2_elastic_rc;   /* kappa/2 - E_el(> rc): Fig. 2's dashed line at rc */
  double random_share;    /* f_r S(rc) / (f_r S(rc) + E_el(> rc)): share of the outside
                             restoring force from the random motion (seed: >= 2/3) */
  double omega_r;         /* sqrt(2 f_r): frequency of the random outside modes (f_r = omega_r^2/2) */
  double omega_D;         /* Debye frequency of the glass (from B, G, rho) */
  double radial_frac;     /* radial share of the outside random motion sum (e_ir.n)^2 / sum e_ir^2
                             beyond rc (seed: closer to 1/2 than to the random 1/3) */
  int has_creation;
  gv_creation cr;         /* E_s, Delta A (Sec. II F) */
} gv_anatomy;
/* Full analysis of mode e [n*3] (normalised inside) of a 3D configuration. */
int gv_anatomy_run(const gv_model *m, const gv_system *s, const gv_pairset *ps, const double *e,
                   const gv_anatomy_opts *o, gv_anatomy **out);
void gv_anatomy_destroy(gv_anatomy **a);

#ifdef __cplusplus
}
#endif
#endif
